//! What Colophon reads of an uploaded PDF: that it is whole (a `%PDF-` header and an `%%EOF`
//! marker at the end), and the title and author of its document information dictionary when
//! they are written as plain (uncompressed) strings. Nothing is rendered or decompressed.

/// What was found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PdfInfo {
    /// `/Title`.
    pub title: Option<String>,
    /// `/Author`.
    pub author: Option<String>,
}

/// Checks a PDF and reads its title and author; the error says why it is not a readable PDF.
pub fn read_pdf(bytes: &[u8]) -> Result<PdfInfo, String> {
    if !bytes.starts_with(b"%PDF-") {
        return Err("not a PDF file (no %PDF- header)".into());
    }
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    if find(tail, b"%%EOF").is_none() {
        return Err("truncated PDF: no %%EOF marker at the end of the file".into());
    }
    Ok(PdfInfo {
        title: string_after(bytes, b"/Title"),
        author: string_after(bytes, b"/Author"),
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// The first well-formed, non-empty string value of `key` in the file.
fn string_after(bytes: &[u8], key: &[u8]) -> Option<String> {
    let mut from = 0;
    while let Some(at) = find(&bytes[from..], key) {
        let start = from + at + key.len();
        from = start;
        let rest = &bytes[start..];
        // The key must end here (`/TitleX` is another key).
        if rest.first().is_some_and(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        let skip = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let value = match rest.get(skip) {
            Some(b'(') => literal(&rest[skip + 1..]),
            Some(b'<') => hex(&rest[skip + 1..]),
            _ => None,
        };
        if let Some(v) = value.map(|raw| decode_text(&raw)) {
            let v = v.trim().to_owned();
            if !v.is_empty() && !v.chars().any(char::is_control) {
                return Some(v.chars().take(500).collect());
            }
        }
    }
    None
}

/// A literal string's bytes (after its opening parenthesis), escapes resolved.
fn literal(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < s.len() && i < 4096 {
        match s[i] {
            b'\\' => {
                i += 1;
                let c = *s.get(i)?;
                match c {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'0'..=b'7' => {
                        let mut v = u32::from(c - b'0');
                        let mut n = 1;
                        while n < 3 && s.get(i + 1).is_some_and(|d| (b'0'..=b'7').contains(d)) {
                            i += 1;
                            v = v * 8 + u32::from(s[i] - b'0');
                            n += 1;
                        }
                        out.push((v & 0xff) as u8);
                    }
                    b'\r' | b'\n' => {}
                    other => out.push(other),
                }
            }
            b'(' => {
                depth += 1;
                out.push(b'(');
            }
            b')' if depth == 0 => return Some(out),
            b')' => {
                depth -= 1;
                out.push(b')');
            }
            b => out.push(b),
        }
        i += 1;
    }
    None
}

/// A hex string's bytes (after its `<`).
fn hex(s: &[u8]) -> Option<Vec<u8>> {
    let end = s.iter().take(4096).position(|&b| b == b'>')?;
    let digits: Vec<u8> = s[..end]
        .iter()
        .filter(|b| !b.is_ascii_whitespace())
        .copied()
        .collect();
    if !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    Some(
        digits
            .chunks(2)
            .map(|pair| {
                let hi = (pair[0] as char).to_digit(16).unwrap_or(0);
                let lo = pair
                    .get(1)
                    .map_or(0, |&d| (d as char).to_digit(16).unwrap_or(0));
                (hi * 16 + lo) as u8
            })
            .collect(),
    )
}

/// UTF-16BE with a byte-order mark, UTF-8 with one, else PDFDocEncoding (read as Latin-1).
fn decode_text(raw: &[u8]) -> String {
    if let Some(rest) = raw.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = raw.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    raw.iter().map(|&b| b as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_title_and_author_of_the_info_dictionary() {
        let pdf = b"%PDF-1.4\n1 0 obj << /Title (A \\(Small\\) Book) /Author <FEFF004A006F> >> endobj\ntrailer << /Info 1 0 R >>\n%%EOF\n";
        assert_eq!(
            read_pdf(pdf).unwrap(),
            PdfInfo {
                title: Some("A (Small) Book".into()),
                author: Some("Jo".into()),
            }
        );
    }

    #[test]
    fn missing_values_and_damaged_files() {
        assert_eq!(
            read_pdf(b"%PDF-1.7\n/TitleX (no) /Title /Name\n%%EOF").unwrap(),
            PdfInfo::default()
        );
        assert!(read_pdf(b"%PDF-1.7\n1 0 obj << /Title (cut")
            .unwrap_err()
            .contains("truncated"));
        assert!(read_pdf(b"PK\x03\x04").unwrap_err().contains("not a PDF"));
        // An unterminated string never panics or runs off.
        assert_eq!(string_after(b"/Title (abc\\", b"/Title"), None);
        assert_eq!(string_after(b"/Title <4", b"/Title"), None);
    }
}
