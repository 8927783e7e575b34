//! `searchInfo.textSnippet`: an HTML-escaped window of the description (or of the full
//! text) with the matched query words in `<b>…</b>`.
//!
//! tantivy's `SnippetGenerator` is not used: it lower-cases every token again (an
//! allocation per token), stems every token, escapes `'` differently from Google, and cannot
//! stop early in a long text. This module reuses the index's analyzer, so `running`
//! highlights `runs`.

use std::ops::Range;

use tantivy::tokenizer::{SimpleTokenizer, TextAnalyzer, TokenStream, Tokenizer};

/// Target length of a snippet, in characters (before escaping).
const MAX_CHARS: usize = 200;
/// At most this many bytes of a full text are scanned for matches.
const MAX_SCAN_BYTES: usize = 512 * 1024;
/// Scanning stops after this many matches.
const MAX_HIGHLIGHTS: usize = 256;
/// How far before the first match a window may start to begin at a sentence.
const MAX_LEAD_CHARS: usize = 60;

/// Where the text of a snippet comes from; decides the line-break style and the ellipsis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// `volumeInfo.description`: whitespace collapsed, `...` when cut.
    Description,
    /// Page text: line breaks kept as `<br>\n`, `&nbsp;...` when cut (as Google's).
    FullText,
}

/// Matches of the query words in one text.
pub(crate) struct Matches {
    /// Byte ranges of matched tokens and the index of the query word each one matched.
    pub ranges: Vec<(Range<usize>, usize)>,
    /// Number of distinct query words matched.
    pub distinct: u32,
}

/// The snippet of a search without words to highlight: the start of `description`, as
/// [`render`] cuts it (`None` when it is blank).
pub fn description_snippet(description: &str) -> Option<String> {
    let none = Matches {
        ranges: Vec::new(),
        distinct: 0,
    };
    render(description, &none, Source::Description)
}

/// Finds the tokens of `text` that are one of `words` (already analyzed).
///
/// Stemming is the expensive part of analysis, so the text is split with the bare word
/// tokenizer first and only words that can match go through the full analyzer: an ASCII
/// first letter must be the first letter of some query word (stemming and folding keep an
/// ASCII first letter, lower-casing aside).
pub(crate) fn find_matches(analyzer: &mut TextAnalyzer, text: &str, words: &[String]) -> Matches {
    let mut ranges = Vec::new();
    let mut seen = 0u64;
    if words.is_empty() {
        return Matches {
            ranges,
            distinct: 0,
        };
    }
    let mut first_letters = [false; 128];
    for w in words {
        match w.bytes().next() {
            Some(b) if b.is_ascii() => first_letters[usize::from(b.to_ascii_lowercase())] = true,
            _ => first_letters.fill(true),
        }
    }
    let scanned = &text[..floor_char_boundary(text, MAX_SCAN_BYTES)];
    let mut splitter = SimpleTokenizer::default();
    let mut raw = splitter.token_stream(scanned);
    while let Some(token) = raw.next() {
        let candidate = match token.text.bytes().next() {
            Some(b) if b.is_ascii() => first_letters[usize::from(b.to_ascii_lowercase())],
            _ => true,
        };
        if !candidate {
            continue;
        }
        let range = token.offset_from..token.offset_to;
        let mut analyzed = analyzer.token_stream(&scanned[range.clone()]);
        let Some(i) = analyzed
            .next()
            .and_then(|t| words.iter().position(|w| *w == t.text))
        else {
            continue;
        };
        ranges.push((range, i));
        seen |= 1u64 << (i % 64);
        if ranges.len() >= MAX_HIGHLIGHTS {
            break;
        }
    }
    Matches {
        ranges,
        distinct: seen.count_ones(),
    }
}

/// The snippet of `text` around its best window of `matches` (or its beginning, without
/// highlights, when there are none). `None` when the text is blank.
pub(crate) fn render(text: &str, matches: &Matches, source: Source) -> Option<String> {
    let window = best_window(text, &matches.ranges);
    let mut out = String::with_capacity(MAX_CHARS + 64);
    let mut pos = window.start;
    for (range, _) in &matches.ranges {
        if range.start < window.start || range.end > window.end || range.start < pos {
            continue;
        }
        push_escaped(&mut out, &text[pos..range.start], source);
        out.push_str("<b>");
        push_escaped(&mut out, &text[range.clone()], source);
        out.push_str("</b>");
        pos = range.end;
    }
    push_escaped(&mut out, &text[pos..window.end], source);
    let trimmed_len = out.trim_end().len();
    out.truncate(trimmed_len);
    if out.is_empty() {
        return None;
    }
    if !text[window.end..].trim().is_empty() {
        out.push_str(match source {
            Source::Description => "...",
            Source::FullText => "&nbsp;...",
        });
    }
    Some(out)
}

/// The window of at most [`MAX_CHARS`] characters holding the most distinct matched words
/// (then the most matches, then the earliest), starting at a sentence or word boundary.
fn best_window(text: &str, ranges: &[(Range<usize>, usize)]) -> Range<usize> {
    let mut best: Option<(u32, usize, Range<usize>)> = None;
    for (first, _) in ranges.iter().take(64) {
        let start = window_start(text, first.start);
        let end = window_end(text, start, first.end);
        let mut seen = 0u64;
        let mut count = 0usize;
        for (r, i) in ranges {
            if r.start >= start && r.end <= end {
                seen |= 1u64 << (i % 64);
                count += 1;
            }
        }
        let key = (seen.count_ones(), count);
        if best.as_ref().is_none_or(|(d, c, _)| key > (*d, *c)) {
            best = Some((key.0, key.1, start..end));
        }
    }
    match best {
        Some((_, _, window)) => window,
        None => {
            let start = text.len() - text.trim_start().len();
            start..window_end(text, start, start)
        }
    }
}

/// Start of a window whose first match starts at `at`: the start of the sentence when it
/// is close enough, else the start of the word a little before, else `at` itself.
fn window_start(text: &str, at: usize) -> usize {
    let lead_from = text[..at]
        .char_indices()
        .rev()
        .nth(MAX_LEAD_CHARS - 1)
        .map_or(0, |(i, _)| i);
    if lead_from == 0 {
        return text.len() - text.trim_start().len();
    }
    let before = &text[lead_from..at];
    if let Some(i) = before.rfind(['.', '!', '?', '\n']) {
        let after = lead_from + i + 1;
        return after + (text[after..at].len() - text[after..at].trim_start().len());
    }
    // Keep a few words of context: the word boundary nearest to half the lead.
    let half = before
        .char_indices()
        .nth(before.chars().count() / 2)
        .map_or(0, |(i, _)| i);
    match before[half..].find(char::is_whitespace) {
        Some(i) => {
            let s = lead_from + half + i;
            s + (text[s..at].len() - text[s..at].trim_start().len())
        }
        None => at,
    }
}

/// End of a window starting at `start` that must include `min_end`: [`MAX_CHARS`]
/// characters on, moved back to the end of a word.
fn window_end(text: &str, start: usize, min_end: usize) -> usize {
    let Some((limit, _)) = text[start..].char_indices().nth(MAX_CHARS) else {
        return text.len();
    };
    let limit = start + limit;
    if limit <= min_end {
        return min_end;
    }
    match text[min_end..limit].rfind(char::is_whitespace) {
        Some(i) => min_end + i,
        None if text[limit..].starts_with(char::is_whitespace) => limit,
        None => min_end.max(limit),
    }
}

/// Appends `s` HTML-escaped, with whitespace runs collapsed and control characters dropped.
fn push_escaped(out: &mut String, s: &str, source: Source) {
    let mut pending_space = false;
    let mut pending_break = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending_space = true;
            pending_break |= c == '\n';
            continue;
        }
        if c.is_control() {
            continue;
        }
        if pending_space {
            if pending_break && source == Source::FullText {
                out.push_str("<br>\n");
            } else if !out.is_empty() && !out.ends_with('\n') {
                out.push(' ');
            }
            pending_space = false;
            pending_break = false;
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    if pending_space && !out.is_empty() {
        out.push(' ');
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::text_analyzer;
    use proptest::prelude::*;

    fn snippet(text: &str, words: &[&str], source: Source) -> Option<String> {
        let words: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
        let matches = find_matches(&mut text_analyzer(), text, &words);
        render(text, &matches, source)
    }

    #[test]
    fn escapes_and_highlights() {
        let s = snippet(
            "Tom & Jerry's <script>alert(\"run\")</script> running",
            &["run"],
            Source::Description,
        )
        .unwrap();
        assert_eq!(
            s,
            "Tom &amp; Jerry&#39;s &lt;script&gt;alert(&quot;<b>run</b>&quot;)&lt;/script&gt; <b>running</b>"
        );
    }

    #[test]
    fn no_match_gives_the_start_without_bold() {
        let text = "word ".repeat(100);
        let s = snippet(&text, &[], Source::Description).unwrap();
        assert!(!s.contains("<b>"));
        assert!(s.ends_with("word..."), "{s}");
        assert!(s.len() <= MAX_CHARS + 3);
        assert_eq!(snippet("   ", &[], Source::Description), None);
        assert_eq!(snippet("", &["x"], Source::Description), None);
    }

    #[test]
    fn window_moves_to_the_match() {
        let text = format!(
            "{} The whale surfaced. {}",
            "Filler text here. ".repeat(40),
            "More. ".repeat(40)
        );
        let s = snippet(&text, &["whale"], Source::FullText).unwrap();
        assert!(s.starts_with("The <b>whale</b> surfaced."), "{s}");
        assert!(s.ends_with("&nbsp;..."), "{s}");
        let s = snippet("line one\nline two whale", &["whale"], Source::FullText).unwrap();
        assert_eq!(s, "line one<br>\nline two <b>whale</b>");
    }

    #[test]
    fn prefers_windows_with_more_distinct_words() {
        let text = format!("alpha {} alpha beta", "x ".repeat(150));
        let s = snippet(&text, &["alpha", "beta"], Source::Description).unwrap();
        assert!(s.contains("<b>alpha</b> <b>beta</b>"), "{s}");
    }

    /// Full analysis of the whole text: what [`find_matches`] must agree with.
    fn naive_matches(text: &str, words: &[String]) -> Vec<(Range<usize>, usize)> {
        let mut analyzer = text_analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            if let Some(i) = words.iter().position(|w| *w == t.text) {
                out.push((t.offset_from..t.offset_to, i));
            }
        }
        out
    }

    proptest! {
        #[test]
        fn prefilter_agrees_with_full_analysis(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("Running"), Just("runs"), Just("dying"), Just("die"), Just("Éclair"),
                    Just("eclairs"), Just("ÉCLAIR"), Just("happy"), Just("happiness"), Just("x"),
                    Just(" "), Just(", "), Just("-"), Just("Ünïcode"), Just("unicode"), Just("42"),
                ],
                0..40,
            ),
            query in proptest::collection::vec(
                prop_oneof![Just("run"), Just("die"), Just("éclair"), Just("happy"), Just("unicode"), Just("42")],
                1..3,
            ),
        ) {
            let text = parts.concat();
            let mut words: Vec<String> = Vec::new();
            for q in query {
                let mut analyzer = text_analyzer();
                let mut stream = analyzer.token_stream(q);
                while let Some(t) = stream.next() {
                    if !words.contains(&t.text) {
                        words.push(t.text.clone());
                    }
                }
            }
            let fast = find_matches(&mut text_analyzer(), &text, &words);
            prop_assert_eq!(fast.ranges, naive_matches(&text, &words));
        }

        #[test]
        fn never_panics_and_never_leaks_markup(text in any::<String>(), word in "[a-z]{1,4}") {
            let words = [word.clone()];
            let matches = find_matches(&mut text_analyzer(), &text, &words);
            if let Some(s) = render(&text, &matches, Source::Description) {
                let stripped = s.replace("<b>", "").replace("</b>", "");
                prop_assert!(!stripped.contains('<') && !stripped.contains('>') && !stripped.contains('"'));
                prop_assert!(s.chars().count() <= 10 * MAX_CHARS);
            }
        }
    }
}
