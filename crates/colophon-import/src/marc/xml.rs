//! MARCXML, streamed with quick-xml: elements are matched by local name, so `marc:record`,
//! `marcxml:record` and `record` are one. One record is held at a time.

use std::collections::VecDeque;
use std::io::Read;

use crate::onix::decode::Utf8Input;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use sha2::{Digest, Sha256};

use super::{hash_hex, mapping, wanted_tag, Record};
use crate::{Rejected, SourceRecord};

/// After this many XML errors in a row without a record read in between, reading stops.
const MAX_CONSECUTIVE_ERRORS: u32 = 16;

/// Where the text being read goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Capture {
    None,
    Leader,
    Control([u8; 3]),
    Subfield(u8),
}

/// The iterator behind [`super::read_xml`].
pub(crate) struct XmlReader<R: Read> {
    /// quick-xml reads UTF-8 only: the input goes through the lenient decoder ONIX uses
    /// (valid UTF-8 as it is, stray bytes as windows-1252), so a record with a bad byte is
    /// still read.
    reader: Reader<Utf8Input<R>>,
    buf: Vec<u8>,
    done: bool,
    /// Records started so far.
    n: usize,
    in_record: bool,
    rec_start: u64,
    record: Record,
    /// Hashes the record's content until its 001 is seen (the key of records without ids).
    hasher: Option<Sha256>,
    capture: Capture,
    /// Where the captured text starts in the record's text buffer.
    capture_start: usize,
    /// Whether the data field being read is one the mapping wants.
    in_field: bool,
    errors_in_a_row: u32,
    last_error_at: Option<u64>,
    queue: VecDeque<Result<SourceRecord, Rejected>>,
}

impl<R: Read> XmlReader<R> {
    pub(crate) fn new(input: R) -> Self {
        let mut reader = Reader::from_reader(Utf8Input::new(input));
        let config = reader.config_mut();
        config.trim_text(false);
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.allow_dangling_amp = true;
        XmlReader {
            reader,
            buf: Vec::with_capacity(1 << 12),
            done: false,
            n: 0,
            in_record: false,
            rec_start: 0,
            record: Record::default(),
            hasher: None,
            capture: Capture::None,
            capture_start: 0,
            in_field: false,
            errors_in_a_row: 0,
            last_error_at: None,
            queue: VecDeque::new(),
        }
    }

    fn record_label(&self) -> String {
        format!("record {} (byte {})", self.n, self.rec_start)
    }

    fn begin_record(&mut self, at: u64) {
        self.n += 1;
        self.in_record = true;
        self.rec_start = at;
        self.record.clear();
        self.hasher = Some(Sha256::new());
        self.capture = Capture::None;
        self.in_field = false;
    }

    fn abandon_record(&mut self) {
        self.in_record = false;
        self.record.clear();
        self.hasher = None;
        self.capture = Capture::None;
        self.in_field = false;
    }

    fn finish_record(&mut self) -> Result<SourceRecord, Rejected> {
        let hasher = self.hasher.take().unwrap_or_default();
        self.errors_in_a_row = 0;
        let result = mapping::to_source_record(&self.record, || {
            format!("sha256:{}", hash_hex(&hasher.finalize()))
        })
        .map_err(|reason| Rejected {
            position: self.record_label(),
            reason,
        });
        self.abandon_record();
        result
    }

    /// An opening (or self-closing) element inside or at a record.
    fn start(&mut self, e: &BytesStart<'_>, at: u64) -> Option<Result<SourceRecord, Rejected>> {
        let name = e.local_name();
        let name = AsRef::<str>::as_ref(&name).as_bytes();
        if name == b"record" {
            let unclosed = self.in_record.then(|| Rejected {
                position: self.record_label(),
                reason: "the record is not closed before the next one starts".into(),
            });
            self.begin_record(at);
            return unclosed.map(Err);
        }
        if !self.in_record {
            return None;
        }
        if let Some(h) = self.hasher.as_mut() {
            h.update(e.as_ref());
        }
        match name {
            b"leader" => self.start_capture(Capture::Leader),
            b"controlfield" => {
                let tag = raw_attr(e.attributes_raw().as_bytes(), b"tag").and_then(tag3);
                if let Some(tag) = tag.filter(|t| wanted_tag(t)) {
                    self.start_capture(Capture::Control(tag));
                }
            }
            b"datafield" => {
                let raw = e.attributes_raw().as_bytes();
                self.in_field = false;
                if let Some(tag) = raw_attr(raw, b"tag")
                    .and_then(tag3)
                    .filter(|t| wanted_tag(t))
                {
                    let ind = |name: &[u8]| {
                        raw_attr(raw, name)
                            .and_then(|v| v.first().copied())
                            .unwrap_or(b' ')
                    };
                    self.record
                        .begin_data_field(tag, ind(b"ind1"), ind(b"ind2"));
                    self.in_field = true;
                }
            }
            b"subfield" if self.in_field => {
                let code = raw_attr(e.attributes_raw().as_bytes(), b"code")
                    .and_then(|v| v.first().copied())
                    .filter(u8::is_ascii)
                    .unwrap_or(b'?');
                self.start_capture(Capture::Subfield(code));
            }
            _ => {}
        }
        None
    }

    fn start_capture(&mut self, what: Capture) {
        self.capture = what;
        self.capture_start = self.record.mark();
    }

    /// A closing element (or the end of an empty one).
    fn end(&mut self, name: &[u8]) -> Option<Result<SourceRecord, Rejected>> {
        if !self.in_record {
            return None;
        }
        match name {
            b"leader" | b"controlfield" | b"subfield" => {
                let start = self.capture_start;
                match std::mem::replace(&mut self.capture, Capture::None) {
                    Capture::Leader => self.record.take_leader(start),
                    Capture::Control(tag) => {
                        self.record.clean_from(start);
                        if &tag == b"001"
                            && !self
                                .record
                                .text()
                                .get(start..)
                                .unwrap_or("")
                                .trim()
                                .is_empty()
                        {
                            // The record has its id: no need to hash the rest.
                            self.hasher = None;
                        }
                        self.record.push_control(tag, start);
                    }
                    Capture::Subfield(code) => {
                        self.record.clean_from(start);
                        let end = self.record.mark();
                        self.record.push_sub(code, start, end);
                    }
                    Capture::None => {}
                }
            }
            b"datafield" => {
                self.capture = Capture::None;
                self.in_field = false;
            }
            b"record" => return Some(self.finish_record()),
            _ => {}
        }
        None
    }

    fn text(&mut self, raw: &[u8]) {
        if let Some(h) = self.hasher.as_mut() {
            h.update(raw);
        }
        if self.capture != Capture::None {
            let text = self.record.text_mut();
            match std::str::from_utf8(raw) {
                Ok(s) => text.push_str(s),
                Err(_) => text.push_str(&String::from_utf8_lossy(raw)),
            }
        }
    }

    fn entity(&mut self, r: &quick_xml::events::BytesRef<'_>) {
        if self.capture == Capture::None && self.hasher.is_none() {
            return;
        }
        let name = AsRef::<str>::as_ref(&**r).to_owned();
        let resolved = match r.resolve_char_ref() {
            Ok(Some(c)) => c.to_string(),
            _ => quick_xml::escape::resolve_xml_entity(&name)
                .map_or_else(|| format!("&{name};"), str::to_owned),
        };
        self.text(resolved.as_bytes());
    }

    fn error(&mut self, e: quick_xml::Error, at: u64) -> Rejected {
        let in_record = self.in_record;
        let position = if in_record {
            self.record_label()
        } else {
            format!("byte {at}")
        };
        self.abandon_record();
        self.errors_in_a_row += 1;
        let stuck = self.last_error_at == Some(at);
        self.last_error_at = Some(at);
        let fatal = matches!(e, quick_xml::Error::Io(_))
            || stuck
            || self.errors_in_a_row >= MAX_CONSECUTIVE_ERRORS;
        if fatal {
            self.done = true;
        }
        Rejected {
            position,
            reason: if fatal {
                format!("malformed XML at byte {at}, reading stops: {e}")
            } else if in_record {
                format!("malformed XML at byte {at} ({e}); record skipped")
            } else {
                format!("malformed XML at byte {at} ({e}); skipped to the next record")
            },
        }
    }
}

impl<R: Read> Iterator for XmlReader<R> {
    type Item = Result<SourceRecord, Rejected>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut buf = std::mem::take(&mut self.buf);
        let item = loop {
            if let Some(item) = self.queue.pop_front() {
                break Some(item);
            }
            if self.done {
                break None;
            }
            buf.clear();
            let at = self.reader.buffer_position();
            let out = match self.reader.read_event_into(&mut buf) {
                Ok(Event::Start(e)) => self.start(&e, at),
                Ok(Event::Empty(e)) => {
                    // `<subfield code="a"/>`: an opening and a closing at once.
                    if let Some(r) = self.start(&e, at) {
                        self.queue.push_back(r);
                    }
                    self.end(AsRef::<str>::as_ref(&e.local_name()).as_bytes())
                }
                Ok(Event::End(e)) => self.end(AsRef::<str>::as_ref(&e.local_name()).as_bytes()),
                Ok(Event::Text(t)) => {
                    self.text(t.as_bytes());
                    None
                }
                Ok(Event::CData(t)) => {
                    self.text(t.as_bytes());
                    None
                }
                Ok(Event::GeneralRef(r)) => {
                    self.entity(&r);
                    None
                }
                Ok(Event::Eof) => {
                    self.done = true;
                    self.in_record.then(|| {
                        self.abandon_record();
                        Err(Rejected {
                            position: self.record_label(),
                            reason: "the input ends inside the record".into(),
                        })
                    })
                }
                Ok(_) => None,
                Err(e) => Some(Err(self.error(e, self.reader.error_position()))),
            };
            if let Some(r) = out {
                self.queue.push_back(r);
            }
        };
        self.buf = buf;
        item
    }
}

/// The raw value of attribute `name` (any prefix) in the attribute text of a start tag
/// (` tag="245" ind1="1"`). Values here are tags, indicators and codes: no entities to expand.
fn raw_attr<'a>(raw: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut rest = raw;
    loop {
        let (&first, tail) = name.split_first()?;
        let p = rest
            .windows(name.len())
            .position(|w| w[0] == first && &w[1..] == tail)?;
        let before = p.checked_sub(1).and_then(|b| rest.get(b)).copied();
        let after = rest.get(p + name.len()..).unwrap_or_default();
        rest = after;
        if !before.is_none_or(|b| b.is_ascii_whitespace() || b == b':') {
            continue;
        }
        let after = after.trim_ascii_start();
        let Some(value) = after.strip_prefix(b"=") else {
            continue;
        };
        let value = value.trim_ascii_start();
        let (&quote, value) = value.split_first()?;
        if quote != b'"' && quote != b'\'' {
            continue;
        }
        let end = value.iter().position(|&b| b == quote)?;
        return Some(&value[..end]);
    }
}

fn tag3(v: &[u8]) -> Option<[u8; 3]> {
    v.trim_ascii().try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::raw_attr;

    #[test]
    fn attributes_from_raw_text() {
        let raw = br#" ind1=" " ind2='4'  tag = "245" xmlns:marc="x" marc:code="a""#;
        assert_eq!(raw_attr(raw, b"tag"), Some(&b"245"[..]));
        assert_eq!(raw_attr(raw, b"ind1"), Some(&b" "[..]));
        assert_eq!(raw_attr(raw, b"ind2"), Some(&b"4"[..]));
        assert_eq!(raw_attr(raw, b"code"), Some(&b"a"[..]));
        assert_eq!(
            raw_attr(raw, b"marc"),
            Some(&b"x"[..]),
            "local name of xmlns:marc"
        );
        assert_eq!(raw_attr(raw, b"absent"), None);
        assert_eq!(raw_attr(b" xtag=\"1\" tag=\"2\"", b"tag"), Some(&b"2"[..]));
        assert_eq!(raw_attr(b" tag=\"unclosed", b"tag"), None);
        assert_eq!(raw_attr(b" tag", b"tag"), None);
    }
}
