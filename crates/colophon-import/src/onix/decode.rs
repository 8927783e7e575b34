//! The byte front end of the ONIX reader: turns the input, whatever its encoding, into UTF-8
//! for the XML parser, streaming (64 KiB at a time), and counts the lines the parser consumed
//! (for positions in rejections).
//!
//! How the encoding is chosen, from the first kilobyte:
//!
//! 1. A byte order mark wins: UTF-8, UTF-16LE or UTF-16BE. UTF-16 without a mark is recognised
//!    by its first bytes (`<\0?\0` or `\0<\0?`).
//! 2. Otherwise the XML declaration's `encoding` names it (any WHATWG label `encoding_rs` knows;
//!    as on the web, `ISO-8859-1`, `latin1` and `US-ASCII` mean windows-1252, its superset).
//!    No declaration, or a label nobody knows, means UTF-8.
//! 3. Feeds lie about their encoding, so UTF-8 and every single-byte encoding are decoded by
//!    one forgiving rule, byte sequence by byte sequence: **a well-formed multi-byte UTF-8
//!    sequence is taken as UTF-8, and any other byte at or above 0x80 is taken in the
//!    declared single-byte encoding** (windows-1252 when the declaration says UTF-8 or
//!    nothing). So a feed declared UTF-8 that carries Latin-1 bytes (`K\xFCng`) reads
//!    `Küng` instead of failing, and a feed declared ISO-8859-1 whose text is really UTF-8
//!    (`K\xC3\xBCng`) also reads `Küng` instead of `KÃ¼ng`. The price is that genuine
//!    Latin-1 text holding exactly the pair `Ã¼` (or another lead byte followed by 0x80–0xBF
//!    symbols) would be read as the UTF-8 character; in bibliographic text that pair is
//!    essentially always mojibake anyway. Mixed feeds (records pasted together from two
//!    systems) come out right record by record.
//! 4. Multi-byte legacy encodings (Shift_JIS, GBK, Big5, EUC-KR, ...) and UTF-16 go through
//!    `encoding_rs`'s decoder; malformed sequences become U+FFFD.
//!
//! A declaration that names UTF-16 on bytes that are plainly ASCII-compatible (the declaration
//! itself was readable) is a lie too and is read as UTF-8 by rule 3.

use std::io::{self, BufRead, Read};

use encoding_rs::{Decoder, Encoding, REPLACEMENT, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

const CHUNK: usize = 64 * 1024;
const SNIFF: usize = 1024;

/// A `BufRead` of UTF-8 text over input bytes in any encoding (see the module doc).
///
/// Valid UTF-8 is served straight from the input buffer; only what needs converting goes
/// through `out`.
pub(crate) struct Utf8Input<R> {
    inner: R,
    mode: Mode,
    /// Input bytes: `raw[raw_pos..raw_end]` not yet served or decoded.
    raw: Vec<u8>,
    raw_pos: usize,
    raw_end: usize,
    /// `raw[raw_pos..serve_end]` is valid UTF-8, served as it is.
    serve_end: usize,
    /// Decoded UTF-8 not yet consumed: `out[out_pos..]`.
    out: Vec<u8>,
    out_pos: usize,
    started: bool,
    eof: bool,
    /// Newlines in the consumed input before `raw[counted_raw..]` and `out[counted_out..]`
    /// (counted lazily: only positions need them).
    lines: u64,
    counted_raw: usize,
    counted_out: usize,
    consumed: u64,
    encoding: &'static str,
    fallback_bytes: u64,
    /// A read error met while sniffing, reported once the bytes before it are used.
    pending_error: Option<io::Error>,
}

enum Mode {
    /// UTF-8 where valid; other bytes >= 0x80 through this table (index `byte - 0x80`).
    Lenient(Box<[char; 128]>),
    /// A real decoder (UTF-16, multi-byte legacy encodings); `done` once flushed at the end.
    Decoder { decoder: Box<Decoder>, done: bool },
}

impl<R: Read> Utf8Input<R> {
    pub(crate) fn new(inner: R) -> Self {
        Utf8Input {
            inner,
            mode: Mode::Lenient(single_byte_table(WINDOWS_1252)),
            raw: vec![0; CHUNK],
            raw_pos: 0,
            raw_end: 0,
            serve_end: 0,
            out: Vec::new(),
            out_pos: 0,
            started: false,
            eof: false,
            lines: 0,
            counted_raw: 0,
            counted_out: 0,
            consumed: 0,
            encoding: "UTF-8",
            fallback_bytes: 0,
            pending_error: None,
        }
    }

    /// Newlines consumed so far by the reader (the current line is this plus one).
    pub(crate) fn lines_consumed(&mut self) -> u64 {
        self.count_raw_lines();
        self.count_out_lines();
        self.lines
    }

    fn count_raw_lines(&mut self) {
        if let Some(seen) = self.raw.get(self.counted_raw..self.raw_pos) {
            self.lines += memchr::memchr_iter(b'\n', seen).count() as u64;
        }
        self.counted_raw = self.raw_pos;
    }

    fn count_out_lines(&mut self) {
        if let Some(seen) = self.out.get(self.counted_out..self.out_pos) {
            self.lines += memchr::memchr_iter(b'\n', seen).count() as u64;
        }
        self.counted_out = self.out_pos;
    }

    /// Empties `out` (after counting its lines) for new output.
    fn reset_out(&mut self) {
        self.count_out_lines();
        self.out.clear();
        self.out_pos = 0;
        self.counted_out = 0;
    }

    /// Bytes of UTF-8 consumed so far by the reader.
    pub(crate) fn bytes_consumed(&self) -> u64 {
        self.consumed
    }

    /// The encoding chosen for the input (valid once reading has started).
    #[cfg(test)]
    pub(crate) fn encoding(&self) -> &'static str {
        self.encoding
    }

    /// How many bytes were not valid in the main encoding and were decoded by the fallback.
    #[cfg(test)]
    pub(crate) fn fallback_bytes(&self) -> u64 {
        self.fallback_bytes
    }

    /// Reads more input after what is buffered (keeping `raw[raw_pos..raw_end]`).
    fn read_more(&mut self) -> io::Result<()> {
        if self.raw_pos > 0 {
            self.count_raw_lines();
            self.counted_raw = 0;
            self.raw.copy_within(self.raw_pos..self.raw_end, 0);
            self.raw_end -= self.raw_pos;
            self.serve_end = self.serve_end.saturating_sub(self.raw_pos);
            self.raw_pos = 0;
        }
        if self.raw_end == self.raw.len() {
            self.raw.resize(self.raw.len() + CHUNK, 0);
        }
        let n = loop {
            match self.inner.read(&mut self.raw[self.raw_end..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.raw_end += n;
        if n == 0 {
            self.eof = true;
        }
        Ok(())
    }

    fn sniff(&mut self) -> io::Result<()> {
        while self.raw_end < SNIFF && !self.eof {
            if let Err(e) = self.read_more() {
                if self.raw_end == 0 {
                    return Err(e);
                }
                self.pending_error = Some(e);
                break;
            }
        }
        self.started = true;
        let head = &self.raw[..self.raw_end];
        let decoder = |enc: &'static Encoding| Mode::Decoder {
            decoder: Box::new(enc.new_decoder_without_bom_handling()),
            done: false,
        };
        let (mode, skip, name): (Mode, usize, &'static str) = if let Some((enc, bom)) =
            Encoding::for_bom(head)
        {
            if enc == UTF_8 {
                (Mode::Lenient(single_byte_table(WINDOWS_1252)), bom, "UTF-8")
            } else {
                (decoder(enc), bom, enc.name())
            }
        } else if head.starts_with(&[b'<', 0, b'?', 0]) {
            (decoder(UTF_16LE), 0, UTF_16LE.name())
        } else if head.starts_with(&[0, b'<', 0, b'?']) {
            (decoder(UTF_16BE), 0, UTF_16BE.name())
        } else {
            match declared_encoding(head) {
                Some(enc)
                    if enc == UTF_8 || enc == UTF_16LE || enc == UTF_16BE || enc == REPLACEMENT =>
                {
                    (Mode::Lenient(single_byte_table(WINDOWS_1252)), 0, "UTF-8")
                }
                Some(enc) if enc.is_single_byte() => {
                    (Mode::Lenient(single_byte_table(enc)), 0, enc.name())
                }
                Some(enc) => (decoder(enc), 0, enc.name()),
                None => (Mode::Lenient(single_byte_table(WINDOWS_1252)), 0, "UTF-8"),
            }
        };
        self.mode = mode;
        self.raw_pos = skip.min(self.raw_end);
        self.counted_raw = self.raw_pos;
        self.serve_end = self.raw_pos;
        self.encoding = name;
        Ok(())
    }

    /// Makes some UTF-8 available (in `out` or as `raw[raw_pos..serve_end]`), or finds the
    /// end of the input. Returns false at the end.
    fn produce(&mut self) -> io::Result<bool> {
        if !self.started {
            self.sniff()?;
        }
        loop {
            if self.raw_pos == self.raw_end && !self.eof {
                if let Some(e) = self.pending_error.take() {
                    return Err(e);
                }
                self.read_more()?;
                continue;
            }
            let src = &self.raw[self.raw_pos..self.raw_end];
            match &mut self.mode {
                Mode::Lenient(table) => {
                    if src.is_empty() {
                        return Ok(false);
                    }
                    let (valid, bad) = match std::str::from_utf8(src) {
                        Ok(_) => (src.len(), None),
                        Err(e) => (e.valid_up_to(), Some(e.error_len().is_some())),
                    };
                    if valid > 0 {
                        self.serve_end = self.raw_pos + valid;
                        return Ok(true);
                    }
                    // `src` starts with an invalid byte, or with a sequence the next read
                    // may complete.
                    if bad == Some(false) && !self.eof {
                        if let Some(e) = self.pending_error.take() {
                            return Err(e);
                        }
                        self.read_more()?;
                        continue;
                    }
                    let c = table
                        .get(usize::from(src[0].wrapping_sub(0x80)))
                        .copied()
                        .unwrap_or('\u{FFFD}');
                    let mut tmp = [0u8; 4];
                    self.reset_out();
                    self.out
                        .extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                    self.fallback_bytes += 1;
                    self.raw_pos += 1;
                    self.serve_end = self.raw_pos;
                    return Ok(true);
                }
                Mode::Decoder { decoder, done } => {
                    if *done {
                        return Ok(false);
                    }
                    let last = self.eof;
                    let room = decoder
                        .max_utf8_buffer_length(src.len())
                        .unwrap_or(src.len().saturating_mul(3).saturating_add(16));
                    if let Some(seen) = self.out.get(self.counted_out..self.out_pos) {
                        self.lines += memchr::memchr_iter(b'\n', seen).count() as u64;
                    }
                    self.out.clear();
                    self.out_pos = 0;
                    self.counted_out = 0;
                    self.out.resize(room, 0);
                    let (_, read, written, _) = decoder.decode_to_utf8(src, &mut self.out, last);
                    self.out.truncate(written);
                    self.raw_pos += read;
                    self.serve_end = self.raw_pos;
                    if last && self.raw_pos == self.raw_end {
                        *done = true;
                    }
                    if written > 0 {
                        return Ok(true);
                    }
                }
            }
        }
    }
}

impl<R: Read> Read for Utf8Input<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Utf8Input<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.out_pos >= self.out.len() && self.serve_end <= self.raw_pos {
            self.produce()?;
        }
        if self.out_pos < self.out.len() {
            Ok(&self.out[self.out_pos..])
        } else {
            Ok(self.raw.get(self.raw_pos..self.serve_end).unwrap_or(&[]))
        }
    }

    fn consume(&mut self, amt: usize) {
        if self.out_pos < self.out.len() {
            let end = self.out_pos.saturating_add(amt).min(self.out.len());
            self.consumed += (end - self.out_pos) as u64;
            self.out_pos = end;
        } else {
            let end = self
                .raw_pos
                .saturating_add(amt)
                .min(self.serve_end.max(self.raw_pos));
            self.consumed += (end - self.raw_pos) as u64;
            self.raw_pos = end;
        }
    }
}

/// The characters of bytes 0x80..=0xFF in a single-byte encoding.
fn single_byte_table(enc: &'static Encoding) -> Box<[char; 128]> {
    let mut table = Box::new(['\u{FFFD}'; 128]);
    for (slot, byte) in table.iter_mut().zip(0x80u8..=0xFF) {
        let bytes = [byte];
        let (text, _) = enc.decode_without_bom_handling(&bytes);
        if let Some(c) = text.chars().next() {
            *slot = c;
        }
    }
    table
}

/// The encoding named by the XML declaration at the start of `head`, if any and known.
fn declared_encoding(head: &[u8]) -> Option<&'static Encoding> {
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let decl = head.get(start..)?;
    if !decl.starts_with(b"<?xml") {
        return None;
    }
    let end = decl.windows(2).position(|w| w == b"?>")?;
    let decl = &decl[..end];
    let at = decl.windows(8).position(|w| w == b"encoding")?;
    let rest = &decl[at + 8..];
    let rest = trim_start(rest).strip_prefix(b"=")?;
    let rest = trim_start(rest);
    let quote = *rest.first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let rest = &rest[1..];
    let close = rest.iter().position(|&b| b == quote)?;
    Encoding::for_label(&rest[..close])
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8]) -> (String, &'static str, u64) {
        let mut input = Utf8Input::new(bytes);
        let mut s = String::new();
        input.read_to_string(&mut s).unwrap();
        (s, input.encoding(), input.fallback_bytes())
    }

    /// Reads in tiny pieces, to cross every chunk boundary.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(1);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn utf8_declared_with_latin1_bytes_falls_back_per_byte() {
        let (s, enc, fb) =
            decode_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>K\xFCng \xE9t\xE9 \x93q\x94 \xC3\xA9</a>");
        assert_eq!(enc, "UTF-8");
        assert_eq!(
            s,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>Küng été \u{201C}q\u{201D} é</a>"
        );
        assert_eq!(fb, 5);
    }

    #[test]
    fn latin1_declared_with_utf8_bytes_reads_utf8() {
        let (s, enc, fb) = decode_all(
            b"<?xml version='1.0' encoding='ISO-8859-1'?><a>K\xC3\xBCng and K\xFCng</a>",
        );
        assert_eq!(enc, "windows-1252");
        assert_eq!(
            s,
            "<?xml version='1.0' encoding='ISO-8859-1'?><a>Küng and Küng</a>"
        );
        assert_eq!(fb, 1);
    }

    #[test]
    fn other_single_byte_encodings_use_their_table() {
        // ISO-8859-2: 0xB3 is ł; 0xA3 is Ł.
        let (s, enc, _) =
            decode_all(b"<?xml version=\"1.0\" encoding=\"ISO-8859-2\"?><a>\xA3\xF3d\xBC</a>");
        assert_eq!(enc, "ISO-8859-2");
        assert_eq!(s.split("?>").nth(1), Some("<a>Łódź</a>"));
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>Küng</a>";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let mut le_bom = vec![0xFF, 0xFE];
        le_bom.extend_from_slice(&le);
        let mut be_bom = vec![0xFE, 0xFF];
        be_bom.extend_from_slice(&be);
        for bytes in [&le_bom, &be_bom, &le, &be] {
            assert_eq!(decode_all(bytes).0, text);
        }
        assert_eq!(decode_all(&le_bom).1, "UTF-16LE");
        assert_eq!(decode_all(&be).1, "UTF-16BE");
    }

    #[test]
    fn utf16_declared_on_ascii_bytes_is_a_lie() {
        let (s, enc, _) = decode_all(b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>x</a>");
        assert_eq!(enc, "UTF-8");
        assert!(s.ends_with("<a>x</a>"));
    }

    #[test]
    fn bom_and_unknown_labels_and_no_declaration() {
        assert_eq!(decode_all(b"\xEF\xBB\xBF<a>\xC3\xA9</a>").0, "<a>é</a>");
        assert_eq!(
            decode_all(b"<?xml version=\"1.0\" encoding=\"klingon\"?><a/>").1,
            "UTF-8"
        );
        assert_eq!(decode_all(b"<a>\xE9</a>").0, "<a>é</a>");
        assert_eq!(decode_all(b"").0, "");
    }

    #[test]
    fn multi_byte_legacy_encoding() {
        let (s, enc, _) =
            decode_all(b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\x93\xFA\x96\x7B</a>");
        assert_eq!(enc, "Shift_JIS");
        assert!(s.ends_with("<a>日本</a>"), "{s}");
    }

    #[test]
    fn sequences_cut_by_reads_are_joined_and_lines_counted() {
        let bytes = "<a>\nKüng\n日本\n</a>".as_bytes();
        let mut input = Utf8Input::new(Trickle(bytes));
        let mut s = String::new();
        input.read_to_string(&mut s).unwrap();
        assert_eq!(s.as_bytes(), bytes);
        assert_eq!(input.fallback_bytes(), 0);
        assert_eq!(input.lines_consumed(), 3);
        // A truncated sequence at the very end falls back to the single-byte table.
        assert_eq!(decode_all(b"<a>\xC3").0, "<a>Ã");
    }
}
