//! Server-rendered SVG bar charts for the console's usage section: no script, a `<title>` and
//! `aria-label` on the chart and on every bar, and the numbers written beside the bars, so the
//! charts read without colour or a pointer.

use super::html::escape;

/// A horizontal bar chart of `(label, value)` rows.
pub fn bar_chart(id: &str, title: &str, rows: &[(String, i64)]) -> String {
    const ROW: usize = 22;
    const LABEL_W: usize = 190;
    const BAR_W: usize = 220;
    let max = rows.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let height = ROW * rows.len().max(1) + 8;
    let mut bars = String::new();
    if rows.is_empty() {
        bars.push_str("<text x=\"0\" y=\"16\">No requests yet.</text>");
    }
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = i * ROW + 4;
        let w = (*value as f64 / max as f64 * BAR_W as f64).round() as usize;
        let label = escape(label);
        bars.push_str(&format!(
            "<g class=\"bar\" data-label=\"{label}\" data-value=\"{value}\">\
             <title>{label}: {value}</title>\
             <text x=\"0\" y=\"{ty}\" font-size=\"12\">{label}</text>\
             <rect x=\"{LABEL_W}\" y=\"{y}\" width=\"{w}\" height=\"16\" fill=\"#1a73e8\"></rect>\
             <text x=\"{vx}\" y=\"{ty}\" font-size=\"12\">{value}</text></g>",
            ty = y + 13,
            vx = LABEL_W + w + 6,
        ));
    }
    format!(
        "<figure><figcaption>{t}</figcaption>\
         <svg id=\"{id}\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{t}\" \
         width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\"><title>{t}</title>{bars}</svg></figure>",
        t = escape(title),
        id = escape(id),
        w = LABEL_W + BAR_W + 60,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_carry_their_values() {
        let svg = bar_chart(
            "c",
            "Requests <by day>",
            &[("2026-11-26".into(), 3), ("x".into(), 0)],
        );
        assert!(svg.contains("data-value=\"3\""));
        assert!(svg.contains("Requests &lt;by day&gt;"));
        assert!(
            svg.contains("width=\"220\""),
            "the largest bar is full width"
        );
        assert!(bar_chart("e", "Empty", &[]).contains("No requests yet."));
    }
}
