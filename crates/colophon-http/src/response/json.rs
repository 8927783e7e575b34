//! JSON serialisation that reproduces the byte format of Google's current ("ESF", mid-2020
//! onwards) API front end, plus JSONP wrapping.
//!
//! Differences from plain `serde_json`:
//!
//! * Pretty output (the default, `prettyPrint=true`) uses 2-space indentation and `": "`
//!   between key and value (`serde_json`'s `PrettyFormatter`); `prettyPrint=false` gives the
//!   compact form with no whitespace at all.
//! * Inside strings (values and keys) `<` and `>` are written as `\u003c` and `\u003e`, so a
//!   search snippet's `<b>` is `\u003cb\u003e` on the wire. Everything else is escaped
//!   exactly as `serde_json` does: `"`, `\` and control characters only; non-ASCII text is raw
//!   UTF-8 and `&`, `'`, `=`, `/` are not escaped.
//! * A whole-number float (`f64`/`f32` with zero fraction and magnitude below 2^53) prints
//!   without a fraction (`4`, `31190000`, not `4.0`, `31190000.0`); `-0.0` prints as `0`.
//!   Other floats print as `serde_json` prints them (shortest round-trip form, e.g. `0.99`,
//!   `1e+300`). Non-finite floats become `null` (`serde_json`'s behaviour).
//!
//! This is done by [`GoogleFormatter`], a `serde_json` [`Formatter`] wrapper, during the
//! single serialisation pass: there is no post-processing of the output. The only extra work
//! is one byte scan per string fragment looking for `<`/`>`.
//!
//! The output has no trailing newline.

use std::io;

use serde::Serialize;
use serde_json::ser::{CharEscape, CompactFormatter, Formatter, PrettyFormatter, Serializer};

/// 2^53: floats of smaller magnitude with no fraction are exactly representable as integers.
const MAX_SAFE_WHOLE: f64 = 9_007_199_254_740_992.0;

/// Longest accepted JSONP callback name, in bytes.
const MAX_CALLBACK_LEN: usize = 100;

/// Serialises `value` the way Google's front end does (see the [module docs](self)):
/// 2-space pretty printing when `pretty` is true, compact otherwise.
///
/// # Errors
///
/// Only if `value`'s `Serialize` implementation fails (for example a map with keys that
/// cannot be JSON object keys, or a custom error). Writing into the output buffer cannot
/// fail, and none of Colophon's response types can produce such an error, so callers may
/// treat an error as an internal server error.
pub fn to_google_json<T>(value: &T, pretty: bool) -> Result<Vec<u8>, serde_json::Error>
where
    T: Serialize + ?Sized,
{
    let mut out = Vec::with_capacity(256);
    if pretty {
        let formatter = GoogleFormatter::new(PrettyFormatter::with_indent(b"  "));
        value.serialize(&mut Serializer::with_formatter(&mut out, formatter))?;
    } else {
        let formatter = GoogleFormatter::new(CompactFormatter);
        value.serialize(&mut Serializer::with_formatter(&mut out, formatter))?;
    }
    Ok(out)
}

/// Wraps a JSON body for JSONP: `// API callback\n<callback>(<body>);`.
///
/// Returns `None` when `callback` is not a plain JavaScript identifier path: one or more
/// `.`-separated segments, each matching `[A-Za-z_$][A-Za-z0-9_$]*`, at most 100 bytes in
/// total. (Reserved words are not checked; they cannot inject anything.)
pub fn jsonp(callback: &str, body: &[u8]) -> Option<Vec<u8>> {
    const PREFIX: &[u8] = b"// API callback\n";
    if !is_valid_callback(callback) {
        return None;
    }
    let mut out = Vec::with_capacity(PREFIX.len() + callback.len() + body.len() + 3);
    out.extend_from_slice(PREFIX);
    out.extend_from_slice(callback.as_bytes());
    out.push(b'(');
    out.extend_from_slice(body);
    out.extend_from_slice(b");");
    Some(out)
}

fn is_valid_callback(callback: &str) -> bool {
    if callback.is_empty() || callback.len() > MAX_CALLBACK_LEN {
        return false;
    }
    callback.split('.').all(|segment| {
        let mut bytes = segment.bytes();
        match bytes.next() {
            Some(first) if first.is_ascii_alphabetic() || first == b'_' || first == b'$' => {
                bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
            }
            _ => false,
        }
    })
}

/// A [`Formatter`] that applies Google's string-escaping and number rules (see the
/// [module docs](self)) on top of an inner formatter that handles layout, normally
/// [`PrettyFormatter`] (2-space indent) or [`CompactFormatter`].
#[derive(Debug, Clone, Default)]
pub struct GoogleFormatter<F> {
    inner: F,
}

impl<F: Formatter> GoogleFormatter<F> {
    /// Wraps `inner`, which decides whitespace and layout.
    pub fn new(inner: F) -> Self {
        GoogleFormatter { inner }
    }
}

/// `\u003c` / `\u003e` for `<` / `>`, `None` for every other byte.
#[inline]
fn angle_escape(byte: u8) -> Option<&'static [u8]> {
    match byte {
        b'<' => Some(b"\\u003c"),
        b'>' => Some(b"\\u003e"),
        _ => None,
    }
}

/// Whether `bytes` contains `<` or `>`.
///
/// `<` is 0x3C and `>` is 0x3E, and no other byte becomes 0x3E when bit 1 is set, so one
/// comparison per byte suffices; long inputs are checked eight bytes at a time with the
/// classic "has zero byte" word trick, keeping this scan far cheaper than serialisation.
#[inline]
fn has_angle_bracket(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut array = [0u8; 8];
        array.copy_from_slice(word);
        // Bytes equal to 0x3E (after setting bit 1) become zero bytes.
        let x = (u64::from_le_bytes(array) | (ONES * 2)) ^ (ONES * u64::from(b'>'));
        if x.wrapping_sub(ONES) & !x & HIGHS != 0 {
            return true;
        }
    }
    words.remainder().iter().any(|&b| b | 2 == b'>')
}

/// The integer to print instead of `value`, if `value` is a whole number below 2^53.
#[inline]
fn whole_number(value: f64) -> Option<i64> {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < MAX_SAFE_WHOLE {
        // Exact: |value| < 2^53 and it has no fraction.
        #[allow(clippy::cast_possible_truncation)]
        Some(value as i64)
    } else {
        None
    }
}

impl<F: Formatter> Formatter for GoogleFormatter<F> {
    #[inline]
    fn write_string_fragment<W>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        let bytes = fragment.as_bytes();
        // Fast path: no angle brackets in this fragment.
        if !has_angle_bracket(bytes) {
            return self.inner.write_string_fragment(writer, fragment);
        }
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let Some(escape) = angle_escape(b) else {
                continue;
            };
            if start < i {
                self.write_run(writer, fragment, start, i)?;
            }
            writer.write_all(escape)?;
            start = i + 1;
        }
        if start < bytes.len() {
            self.write_run(writer, fragment, start, bytes.len())?;
        }
        Ok(())
    }

    fn write_char_escape<W>(&mut self, writer: &mut W, char_escape: CharEscape) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        // serde_json only routes `"`, `\` and control characters through here; `<` and `>`
        // always arrive via `write_string_fragment`. Handle them anyway in case a future
        // serde_json version starts escaping them.
        if let CharEscape::AsciiControl(byte) = char_escape {
            if let Some(escape) = angle_escape(byte) {
                return writer.write_all(escape);
            }
        }
        self.inner.write_char_escape(writer, char_escape)
    }

    fn write_f64<W>(&mut self, writer: &mut W, value: f64) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        match whole_number(value) {
            Some(int) => self.inner.write_i64(writer, int),
            None => self.inner.write_f64(writer, value),
        }
    }

    fn write_f32<W>(&mut self, writer: &mut W, value: f32) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        match whole_number(f64::from(value)) {
            Some(int) => self.inner.write_i64(writer, int),
            None => self.inner.write_f32(writer, value),
        }
    }

    // Everything below is plain delegation, so that a stateful inner formatter (the pretty
    // printer tracks indentation) sees every event.

    fn write_null<W>(&mut self, writer: &mut W) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.write_null(writer)
    }

    fn write_bool<W>(&mut self, writer: &mut W, value: bool) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.write_bool(writer, value)
    }

    fn write_i8<W>(&mut self, writer: &mut W, value: i8) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.write_i8(writer, value)
    }

    fn write_i16<W>(&mut self, writer: &mut W, value: i16) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.write_i16(writer, value)
    }

    fn write_i32<W>(&mut self, writer: &mut W, value: i32) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.write_i32(writer, value)
    }

    fn write_i64<W>(&mut self, writer: &mut W, value: i64) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.write_i64(writer, value)
    }

    fn write_i128<W>(&mut self, writer: &mut W, value: i128) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.write_i128(writer, value)
    }

    fn write_u8<W>(&mut self, writer: &mut W, value: u8) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.write_u8(writer, value)
    }

    fn write_u16<W>(&mut self, writer: &mut W, value: u16) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.write_u16(writer, value)
    }

    fn write_u32<W>(&mut self, writer: &mut W, value: u32) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.write_u32(writer, value)
    }

    fn write_u64<W>(&mut self, writer: &mut W, value: u64) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.write_u64(writer, value)
    }

    fn write_u128<W>(&mut self, writer: &mut W, value: u128) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.write_u128(writer, value)
    }

    fn write_number_str<W>(&mut self, writer: &mut W, value: &str) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.write_number_str(writer, value)
    }

    fn begin_string<W>(&mut self, writer: &mut W) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.begin_string(writer)
    }

    fn end_string<W>(&mut self, writer: &mut W) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.end_string(writer)
    }

    fn write_byte_array<W>(&mut self, writer: &mut W, value: &[u8]) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.write_byte_array(writer, value)
    }

    fn begin_array<W>(&mut self, writer: &mut W) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.begin_array(writer)
    }

    fn end_array<W>(&mut self, writer: &mut W) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.end_array(writer)
    }

    fn begin_array_value<W>(&mut self, writer: &mut W, first: bool) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.begin_array_value(writer, first)
    }

    fn end_array_value<W>(&mut self, writer: &mut W) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.end_array_value(writer)
    }

    fn begin_object<W>(&mut self, writer: &mut W) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.begin_object(writer)
    }

    fn end_object<W>(&mut self, writer: &mut W) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.end_object(writer)
    }

    fn begin_object_key<W>(&mut self, writer: &mut W, first: bool) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.begin_object_key(writer, first)
    }

    fn end_object_key<W>(&mut self, writer: &mut W) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.end_object_key(writer)
    }

    fn begin_object_value<W>(&mut self, writer: &mut W) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.begin_object_value(writer)
    }

    fn end_object_value<W>(&mut self, writer: &mut W) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.end_object_value(writer)
    }

    fn write_raw_fragment<W>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        self.inner.write_raw_fragment(writer, fragment)
    }
}

impl<F: Formatter> GoogleFormatter<F> {
    /// Writes `fragment[start..end]`, where both ends are next to ASCII bytes (so on char
    /// boundaries), through the inner formatter.
    fn write_run<W>(
        &mut self,
        writer: &mut W,
        fragment: &str,
        start: usize,
        end: usize,
    ) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        match fragment.get(start..end) {
            Some(run) => self.inner.write_string_fragment(writer, run),
            // Unreachable (the split points are ASCII bytes); stay panic-free regardless.
            None => writer.write_all(fragment.as_bytes().get(start..end).unwrap_or_default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    use std::path::{Path, PathBuf};

    fn compact(value: &impl Serialize) -> String {
        String::from_utf8(to_google_json(value, false).unwrap_or_default()).unwrap_or_default()
    }

    fn pretty(value: &impl Serialize) -> String {
        String::from_utf8(to_google_json(value, true).unwrap_or_default()).unwrap_or_default()
    }

    fn fixtures_dir() -> Option<PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/fixtures");
        if dir.is_dir() {
            Some(dir)
        } else {
            eprintln!("note: {} missing, fixture test skipped", dir.display());
            None
        }
    }

    /// Leading-space count of the first indented line.
    fn indent_width(text: &str) -> usize {
        text.lines()
            .map(|l| l.len() - l.trim_start_matches(' ').len())
            .find(|&n| n > 0)
            .unwrap_or(0)
    }

    /// Re-indents a pretty JSON text from `from`-space to 2-space indentation.
    fn reindent(text: &str, from: usize) -> String {
        text.lines()
            .map(|l| {
                let spaces = l.len() - l.trim_start_matches(' ').len();
                format!("{}{}", " ".repeat(spaces / from.max(1) * 2), &l[spaces..])
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn snippet_angle_brackets_are_escaped() {
        let v = json!({"textSnippet": "A <b>bold</b> & 'quoted' = \"x\" <br>\nline"});
        assert_eq!(
            compact(&v),
            r#"{"textSnippet":"A \u003cb\u003ebold\u003c/b\u003e & 'quoted' = \"x\" \u003cbr\u003e\nline"}"#
        );
        // Keys go through the same path.
        assert_eq!(compact(&json!({"<k>": 1})), r#"{"\u003ck\u003e":1}"#);
        // Fragments that start/end with, or consist only of, brackets.
        assert_eq!(compact(&"<"), r#""\u003c""#);
        assert_eq!(compact(&"<>"), r#""\u003c\u003e""#);
        assert_eq!(compact(&"<a>"), r#""\u003ca\u003e""#);
        assert_eq!(compact(&"\"<\"\n>"), r#""\"\u003c\"\n\u003e""#);
        assert_eq!(compact(&""), r#""""#);
        // Round-trips to the original text.
        let back: Value = serde_json::from_slice(&to_google_json(&v, true).unwrap_or_default())
            .unwrap_or(Value::Null);
        assert_eq!(back, v);
    }

    #[test]
    fn angle_bracket_scan_is_exact() {
        // Every byte value at every position of buffers up to 19 bytes long.
        for len in 1..20 {
            for pos in 0..len {
                for byte in 0..=255u8 {
                    let mut buf = vec![b'a'; len];
                    buf[pos] = byte;
                    let expected = byte == b'<' || byte == b'>';
                    assert_eq!(has_angle_bracket(&buf), expected, "{len} {pos} {byte}");
                }
            }
        }
        assert!(!has_angle_bracket(b""));
        assert!(!has_angle_bracket(
            "0123456789:;=?<".replace('<', "").as_bytes()
        ));
        assert!(has_angle_bracket("ééééé日本語>".as_bytes()));
    }

    #[test]
    fn other_characters_as_serde_json() {
        let s = "/ \\ \u{7} \t é 日本 😀 \u{2028} \u{7f}";
        let v = json!({"s": s});
        assert_eq!(compact(&v), serde_json::to_string(&v).unwrap_or_default());
        assert_eq!(
            compact(&v),
            "{\"s\":\"/ \\\\ \\u0007 \\t é 日本 😀 \u{2028} \u{7f}\"}"
        );
    }

    #[test]
    fn unicode_is_raw_utf8() {
        let v = json!({"title": "Hå\u{308}kon – Ærlig talt «så» 日本語"});
        assert_eq!(
            compact(&v),
            "{\"title\":\"Hå\u{308}kon – Ærlig talt «så» 日本語\"}"
        );
    }

    #[test]
    fn whole_floats_print_without_fraction() {
        assert_eq!(compact(&4.0_f64), "4");
        assert_eq!(compact(&-4.0_f64), "-4");
        assert_eq!(compact(&0.0_f64), "0");
        assert_eq!(compact(&-0.0_f64), "0");
        assert_eq!(compact(&6_000_000.0_f64), "6000000");
        assert_eq!(compact(&31_190_000.0_f64), "31190000");
        assert_eq!(compact(&9_007_199_254_740_991.0_f64), "9007199254740991");
        assert_eq!(compact(&4.0_f32), "4");
        assert_eq!(
            compact(&json!({"amount": 4.0, "amountInMicros": 31190000.0})),
            r#"{"amount":4,"amountInMicros":31190000}"#
        );
        // From a parsed document too (serde_json keeps 4.0 as an f64).
        let parsed: Value = serde_json::from_str(r#"{"averageRating": 4.0}"#).unwrap_or_default();
        assert_eq!(compact(&parsed), r#"{"averageRating":4}"#);
    }

    #[test]
    fn other_floats_as_serde_json() {
        assert_eq!(compact(&0.99_f64), "0.99");
        assert_eq!(compact(&39.99_f64), "39.99");
        assert_eq!(compact(&3.5_f64), "3.5");
        assert_eq!(compact(&-0.5_f64), "-0.5");
        assert_eq!(compact(&0.1_f32), "0.1");
        // Large values keep serde_json's form and stay valid JSON.
        for x in [
            1e300_f64,
            -1e300,
            9_007_199_254_740_992.0,
            1e16,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
        ] {
            let text = compact(&x);
            assert_eq!(text, serde_json::to_string(&x).unwrap_or_default());
            let back: f64 = serde_json::from_str(&text).unwrap_or(f64::NAN);
            assert_eq!(back, x, "{text}");
        }
        assert_eq!(compact(&1e300_f64), "1e+300");
        assert_eq!(compact(&f64::NAN), "null");
        assert_eq!(compact(&f64::INFINITY), "null");
        // Integers are untouched.
        assert_eq!(
            compact(&json!([u64::MAX, i64::MIN, 0, 205])),
            format!("[{},{},0,205]", u64::MAX, i64::MIN)
        );
    }

    #[test]
    fn compact_vs_pretty() {
        let v = json!({
            "kind": "books#volumes",
            "totalItems": 1,
            "items": [{"id": "a", "authors": ["X", "Y"], "empty": [], "obj": {}, "price": 4.0}]
        });
        assert_eq!(
            compact(&v),
            r#"{"kind":"books#volumes","totalItems":1,"items":[{"id":"a","authors":["X","Y"],"empty":[],"obj":{},"price":4}]}"#
        );
        let expected = r#"{
  "kind": "books#volumes",
  "totalItems": 1,
  "items": [
    {
      "id": "a",
      "authors": [
        "X",
        "Y"
      ],
      "empty": [],
      "obj": {},
      "price": 4
    }
  ]
}"#;
        assert_eq!(pretty(&v), expected);
        assert_eq!(pretty(&json!({})), "{}");
        assert_eq!(compact(&json!({})), "{}");
    }

    #[test]
    fn serialize_errors_are_reported() {
        let mut bad = std::collections::BTreeMap::new();
        bad.insert(vec![1u8], 1);
        assert!(to_google_json(&bad, true).is_err());
        assert!(to_google_json(&bad, false).is_err());
    }

    #[test]
    fn jsonp_wrapping() {
        assert_eq!(
            jsonp("handle", b"{\"a\":1}").as_deref(),
            Some(&b"// API callback\nhandle({\"a\":1});"[..])
        );
        for ok in [
            "f",
            "_",
            "$",
            "$jsonp_1",
            "a.b.c",
            "jQuery123_456",
            "window.$cb.x9",
        ] {
            assert!(jsonp(ok, b"{}").is_some(), "{ok}");
        }
        let long_ok = "a".repeat(MAX_CALLBACK_LEN);
        assert!(jsonp(&long_ok, b"{}").is_some());
        let too_long = "a".repeat(MAX_CALLBACK_LEN + 1);
        for bad in [
            "",
            ".",
            "a.",
            ".a",
            "a..b",
            "1a",
            "a-b",
            "a b",
            "a(",
            "alert(1)//",
            "a;b",
            "a[0]",
            "é",
            "a\n",
            "<script>",
            too_long.as_str(),
        ] {
            assert!(jsonp(bad, b"{}").is_none(), "{bad:?}");
        }
    }

    /// Re-parses recorded Google bodies: compact and pretty output round-trip to the same
    /// value, and for fixtures whose formatting our rules reproduce, the pretty output is the
    /// recorded text (1-space fixtures re-indented to 2 spaces).
    #[test]
    fn fixtures_round_trip_and_match_google_formatting() {
        let Some(dir) = fixtures_dir() else {
            return;
        };
        // Verified to match byte for byte (after re-indenting; the jellyfin files were
        // re-indented to 4 spaces by that project). The recordings that differ do so only
        // where the pre-2020 front end printed `4.0` / `2.304E7`, or in a missing final newline.
        let exact = [
            ("volumes.get--kPbzR4LDkAkC-full--scriptotek.json", 1),
            ("volumes.list--q-ruby-maxResults5-orderBy-relevance-printType-books--reader-2020.json", 2),
            ("volumes.list--q-isbn-9780008117498--citationjs-2023.json", 2),
            ("volumes.list--q-isbn-9780099560432--citationjs-2023.json", 2),
            ("volumes.list--q-isbn-9780099560432--citationjs-2021.json", 2),
            ("volumes.list--q-isbn-9780062132345--zeantsoi-2015.json", 1),
            ("error--429-quota-queries-per-day--enju_leaf-issue2034-2026.json", 2),
            ("volumes.get--G7utDwAAQBAJ-full--jellyfin.json", 4),
        ];
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("note: cannot list {}", dir.display());
            return;
        };
        let mut checked = 0;
        let mut matched = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let value: Value = match serde_json::from_str(&text) {
                Ok(v) => v,
                Err(e) => panic!("{name}: {e}"),
            };
            let c = to_google_json(&value, false).unwrap_or_default();
            let p = to_google_json(&value, true).unwrap_or_default();
            let from_c: Value = serde_json::from_slice(&c).unwrap_or(Value::Null);
            let from_p: Value = serde_json::from_slice(&p).unwrap_or(Value::Null);
            // Numbers such as 4.0 come back as integers; compare as f64 via re-serialising.
            assert_eq!(from_c, from_p, "{name}");
            assert_eq!(
                normalise_numbers(from_c),
                normalise_numbers(value.clone()),
                "{name}"
            );
            assert!(!c.contains(&b'<') && !c.contains(&b'>'), "{name}");
            assert!(!c.contains(&b'\n'), "{name}: not compact");

            let recorded = text.trim_end_matches('\n');
            let indent = indent_width(recorded);
            let expected = if indent == 2 {
                recorded.to_owned()
            } else {
                reindent(recorded, indent)
            };
            let pretty_text = String::from_utf8(p).unwrap_or_default();
            if pretty_text == expected {
                matched.push(name.clone());
            }
            if let Some((_, width)) = exact.iter().find(|(f, _)| *f == name) {
                assert_eq!(indent, *width, "{name}: indent");
                let first_diff = pretty_text
                    .lines()
                    .zip(expected.lines())
                    .enumerate()
                    .find(|(_, (ours, theirs))| ours != theirs);
                assert!(
                    pretty_text == expected,
                    "{name}: pretty output differs from recording at {first_diff:?}"
                );
            }
            checked += 1;
        }
        matched.sort();
        eprintln!("{checked} fixtures round-tripped; pretty output identical for: {matched:?}");
        assert!(checked > 0);
        assert!(matched.len() >= exact.len());
    }

    /// Turns every number into an f64 so that `4.0` and `4` compare equal.
    fn normalise_numbers(v: Value) -> Value {
        match v {
            Value::Number(n) => n
                .as_f64()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            Value::Array(a) => Value::Array(a.into_iter().map(normalise_numbers).collect()),
            Value::Object(m) => Value::Object(
                m.into_iter()
                    .map(|(k, v)| (k, normalise_numbers(v)))
                    .collect(),
            ),
            other => other,
        }
    }
}
