//! A multipart body (`multipart/related` of Google's `uploadType=multipart`, and
//! `multipart/form-data` of the web form), parsed from bytes already read under the upload
//! limit. Parts borrow from the body: nothing is copied.

/// One part: its headers (names lower-cased) and its body.
#[derive(Debug)]
pub struct Part<'a> {
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The part's bytes.
    pub body: &'a [u8],
}

impl Part<'_> {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A parameter of `Content-Disposition` (`name`, `filename`).
    pub fn disposition(&self, param: &str) -> Option<String> {
        parameter(self.header("content-disposition")?, param)
    }
}

/// Most parts read (a metadata part and a file; a form with a few fields).
const MAX_PARTS: usize = 16;
/// Most bytes of one part's headers.
const MAX_HEADER_BYTES: usize = 8 << 10;

/// The `boundary` of a multipart `Content-Type`, when it is one of `kinds`
/// (`multipart/related`, `multipart/form-data`).
pub fn boundary(content_type: &str, kinds: &[&str]) -> Option<String> {
    let essence = content_type.split(';').next()?.trim().to_ascii_lowercase();
    if !kinds.contains(&essence.as_str()) {
        return None;
    }
    parameter(content_type, "boundary").filter(|b| !b.is_empty() && b.len() <= 200)
}

/// A `; name=value` parameter of a header value (quotes removed).
pub fn parameter(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    memchr::memmem::find(hay.get(from..)?, needle).map(|i| i + from)
}

/// Where `part` (a slice of `body`) lies in `body`.
pub fn range_of(body: &[u8], part: &[u8]) -> std::ops::Range<usize> {
    let start = (part.as_ptr() as usize).saturating_sub(body.as_ptr() as usize);
    let start = start.min(body.len());
    start..(start + part.len()).min(body.len())
}

/// Cuts `body` down to `range` in place: a file keeps the buffer it arrived in instead of
/// being copied out of it.
pub fn keep_only(mut body: Vec<u8>, range: std::ops::Range<usize>) -> Vec<u8> {
    body.truncate(range.end);
    body.drain(..range.start.min(range.end));
    body
}

/// Splits `body` into its parts; the error says what is wrong with it.
pub fn parse<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, String> {
    let open = format!("--{boundary}");
    let delimiter = format!("\r\n--{boundary}");
    let mut at = if body.starts_with(open.as_bytes()) {
        open.len()
    } else {
        find(body, delimiter.as_bytes(), 0).ok_or("the multipart body has no boundary line")?
            + delimiter.len()
    };
    let mut parts = Vec::new();
    loop {
        let rest = &body[at..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        // The rest of the boundary line (transport padding), then CRLF.
        let line_end =
            find(body, b"\r\n", at).ok_or("the multipart body ends inside a boundary line")?;
        let start = line_end + 2;
        let head_end = if body[start..].starts_with(b"\r\n") {
            // No headers.
            Some((start, start + 2))
        } else {
            find(body, b"\r\n\r\n", start)
                .filter(|&e| e - start <= MAX_HEADER_BYTES)
                .map(|e| (e, e + 4))
        }
        .ok_or("a multipart part has no end of headers")?;
        let headers = std::str::from_utf8(&body[start..head_end.0])
            .map_err(|_| "a multipart part's headers are not UTF-8")?
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (k, v) = l
                    .split_once(':')
                    .ok_or("a malformed multipart header line")?;
                Ok((k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            })
            .collect::<Result<Vec<_>, &str>>()?;
        let end = find(body, delimiter.as_bytes(), head_end.1)
            .ok_or("the multipart body is truncated (no closing boundary)")?;
        parts.push(Part {
            headers,
            body: &body[head_end.1..end],
        });
        if parts.len() > MAX_PARTS {
            return Err(format!(
                "the multipart body has more than {MAX_PARTS} parts"
            ));
        }
        at = end + delimiter.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn related_body_with_metadata_and_file() {
        let body = b"--xyz\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{\"name\":\"a.epub\"}\r\n--xyz\r\nContent-Type: application/epub+zip\r\n\r\nPK\x03\x04\r\n--x\r\n--xyz--\r\n";
        let parts = parse(body, "xyz").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            parts[0].header("content-type"),
            Some("application/json; charset=UTF-8")
        );
        assert_eq!(parts[0].body, b"{\"name\":\"a.epub\"}");
        assert_eq!(
            parts[1].body, b"PK\x03\x04\r\n--x",
            "a near-boundary inside data is data"
        );
    }

    #[test]
    fn form_data_dispositions_and_boundaries() {
        let body = b"preamble\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"My Book.epub\"\r\n\r\nDATA\r\n--b--";
        let parts = parse(body, "b").unwrap();
        assert_eq!(parts[0].disposition("name").as_deref(), Some("file"));
        assert_eq!(
            parts[0].disposition("filename").as_deref(),
            Some("My Book.epub")
        );
        assert_eq!(
            boundary(
                "multipart/form-data; boundary=\"----x\"",
                &["multipart/form-data"]
            )
            .as_deref(),
            Some("----x")
        );
        assert_eq!(
            boundary("multipart/related; boundary=a", &["multipart/form-data"]),
            None
        );
        assert_eq!(boundary("multipart/related", &["multipart/related"]), None);
    }

    #[test]
    fn keep_only_cuts_the_buffer_to_a_part() {
        let body = b"--b\r\nContent-Type: x\r\n\r\nFILE BYTES\r\n--b--".to_vec();
        let range = {
            let parts = parse(&body, "b").unwrap();
            range_of(&body, parts[0].body)
        };
        assert_eq!(keep_only(body, range), b"FILE BYTES");
    }

    #[test]
    fn broken_bodies_are_errors() {
        assert!(parse(b"no boundary here", "b").is_err());
        assert!(parse(b"--b\r\nContent-Type: x\r\n\r\ncut off", "b")
            .unwrap_err()
            .contains("truncated"));
        assert!(parse(b"--b\r\nno end of headers", "b").is_err());
        let many: Vec<u8> = std::iter::repeat_n(&b"--b\r\n\r\nx\r\n"[..], 40)
            .flatten()
            .copied()
            .chain(b"--b--".iter().copied())
            .collect();
        assert!(parse(&many, "b").unwrap_err().contains("more than"));
    }
}
