//! `marc` and `marcxml`: MARC 21 bibliographic records, as binary ISO 2709 ([`read`]) or as
//! MARCXML ([`read_xml`], also reachable as [`crate::marcxml::read`]).
//!
//! Both readers stream: one record is held in memory at a time, whatever the input size.
//!
//! # Framing and character sets
//!
//! - **ISO 2709**: a record runs from its 24-byte leader to the next record terminator (0x1D);
//!   the leader's record length is not trusted (a wrong length is common in real files), so a
//!   record whose length or directory is corrupt costs only itself. Fields are found through the
//!   directory (tag, length, start); when an entry does not point at a field terminator (0x1E)
//!   the data area is split on 0x1E and paired with the directory in order. A record whose
//!   terminator was lost is cut where the next well-formed leader starts. Bytes before a
//!   record that cannot be a leader are reported once and skipped; blank lines between records
//!   are skipped silently. Leader/09 `a` means UTF-8 (invalid sequences are decoded lossily, and
//!   doubly-encoded UTF-8 such as `rÃ¶misch` is repaired); blank means MARC-8, decoded to
//!   Unicode: ASCII, ANSEL (extended Latin, its combining diacritics moved after their base
//!   letter), the Greek-symbol, subscript and superscript sets, and basic Cyrillic; the other
//!   MARC-8 sets (Hebrew, Arabic, Greek, extended Cyrillic, EACC) become U+FFFD, one per
//!   character. A record declared MARC-8 whose bytes are valid UTF-8 with non-ASCII characters
//!   is read as UTF-8 (a MARC-8 diacritic followed by its base letter is never valid UTF-8).
//!   All text is NFC-normalised.
//! - **MARCXML**: `collection`/`record`/`leader`/`controlfield`/`datafield`/`subfield`, matched
//!   by local name, so any namespace prefix (or none) is accepted. Invalid UTF-8 is decoded
//!   lossily. After an XML syntax error the reader skips to the next `record` element when it
//!   can, and stops with a final rejection when it cannot.
//!
//! # Field mapping (both formats)
//!
//! | MARC | `SourceRecord` |
//! |------|----------------|
//! | 001 | `source_key` `marc:<001>`; without 001: `marc:<035 $a>`, then `marc:lccn:<010 $a>`, then `marc:sha256:<hash of the record>` |
//! | 245 $a (+ $n $p) | `title`; ISBD punctuation (` /`, ` :`, ` ;`, ` =`, final `.`) stripped. $k when there is no $a (archival collections). Without 245: an 880 linked to 245, then 240 (uniform title), 246 (varying form), 740 (added title). A 245 of just `See`/`See also` is a cross-reference, rejected |
//! | 245 $b (+ $n $p after it) | `subtitle` |
//! | 100/110/111, 700/710/711 $a (person: + $b) | `authors`; personal names with a surname (ind1 `1`) turned to `Forename Surname` (`Austen, Jane, 1775-1817.` -> `Jane Austen`); dates ($d), titles and relators dropped; corporate names are $a $b joined |
//! | 260 $b / 264 (ind2 `1`) $b | `publisher` (first; `[s.n.]` ignored, ISBD punctuation and brackets stripped) |
//! | 264 (ind2 `1`) / 260 $c, then 264 (ind2 `4`) $c, then 008/07-10 | `publishedDate` (`normalize_date`) |
//! | 300 $a | `pageCount`: the largest arabic number in the group ending with a page unit (`p.`, `pages`, `leaves`, `S.`...): `xvii, 605 p.` -> 605 |
//! | 008/35-37, then 041 $a | `language`, MARC code mapped to ISO 639-1 (`eng` -> `en`, `ger` -> `de`); kept as the 3-letter code when no 2-letter code exists |
//! | 520 $a $b | `description` (several 520 fields joined by blank lines) |
//! | 650, 651 $a + $x $y $z $v | `categories`, parts joined with ` -- ` |
//! | 020 $a | `ISBN_13` + `ISBN_10` (020 $z, cancelled/invalid, ignored; invalid $a ignored) |
//! | 010 $a | `OTHER` `LCCN:<normalised>` (blanks, prefix/suffix junk and revision marks removed; `72-626487` -> `72626487`) |
//! | 035 $a `(OCoLC)ocm00012345`, 001 when 003 is `OCoLC` | `OTHER` `OCLC:12345` |
//! | leader/07 `s` | `printType` `MAGAZINE`, otherwise `BOOK` |
//!
//! 880 alternate-script fields are used only when the field they stand for is missing (title,
//! main author, publisher); 250 (edition) is not mapped. A record with no title at all is
//! rejected with its position and the next record is read.

mod iso2709;
mod mapping;
mod marc8;
mod xml;

use std::io::Read;

use crate::{Rejected, SourceRecord};

/// Streams the records of a binary MARC 21 (ISO 2709) input, each a record or the reason it
/// was rejected (`record 12 (byte 3400): ...`).
pub fn read(
    input: impl Read + Send + 'static,
) -> impl Iterator<Item = Result<SourceRecord, Rejected>> + Send {
    iso2709::BinaryReader::new(input)
}

/// Streams the records of a MARCXML input (`<collection>` of `<record>`s, or one `<record>`),
/// each a record or the reason it was rejected.
pub fn read_xml(
    input: impl Read + Send + 'static,
) -> impl Iterator<Item = Result<SourceRecord, Rejected>> + Send {
    xml::XmlReader::new(input)
}

/// One MARC record as read, before mapping: the leader and the fields the mapping uses.
///
/// All field text lives in one buffer, reused from record to record, so reading a record
/// allocates nothing once the buffers have grown.
#[derive(Debug, Default)]
pub(crate) struct Record {
    /// The leader (24 characters in a well-formed record).
    pub(crate) leader: String,
    text: String,
    fields: Vec<FieldData>,
    subs: Vec<Sub>,
}

#[derive(Debug, Clone, Copy)]
struct FieldData {
    tag: [u8; 3],
    ind1: u8,
    ind2: u8,
    value: (usize, usize),
    subs: (usize, usize),
}

#[derive(Debug, Clone, Copy)]
struct Sub {
    code: u8,
    start: usize,
    end: usize,
}

/// A control field (tag `00X`: `value`) or a data field (indicators and subfields).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field<'a> {
    pub(crate) tag: [u8; 3],
    pub(crate) ind1: u8,
    pub(crate) ind2: u8,
    pub(crate) value: &'a str,
    subs: &'a [Sub],
    text: &'a str,
}

impl<'a> Field<'a> {
    /// The subfields, as (code, value), in order.
    pub(crate) fn subfields(&self) -> impl Iterator<Item = (u8, &'a str)> + 'a {
        let text = self.text;
        self.subs
            .iter()
            .map(move |s| (s.code, text.get(s.start..s.end).unwrap_or("")))
    }

    /// The first subfield `code`.
    pub(crate) fn sub(&self, code: u8) -> Option<&'a str> {
        self.subfields().find(|(c, _)| *c == code).map(|(_, v)| v)
    }

    /// Every subfield `code`, in order.
    pub(crate) fn subs(&self, code: u8) -> impl Iterator<Item = &'a str> + 'a {
        self.subfields()
            .filter(move |(c, _)| *c == code)
            .map(|(_, v)| v)
    }
}

impl Record {
    /// Empties the record, keeping its buffers.
    pub(crate) fn clear(&mut self) {
        self.leader.clear();
        self.text.clear();
        self.fields.clear();
        self.subs.clear();
    }

    fn field(&self, d: &FieldData) -> Field<'_> {
        Field {
            tag: d.tag,
            ind1: d.ind1,
            ind2: d.ind2,
            value: self.text.get(d.value.0..d.value.1).unwrap_or(""),
            subs: self.subs.get(d.subs.0..d.subs.1).unwrap_or_default(),
            text: &self.text,
        }
    }

    /// Every field, in record order.
    pub(crate) fn all(&self) -> impl Iterator<Item = Field<'_>> {
        self.fields.iter().map(|d| self.field(d))
    }

    /// Every field with `tag`.
    pub(crate) fn fields(&self, tag: &[u8; 3]) -> impl Iterator<Item = Field<'_>> {
        let tag = *tag;
        self.fields
            .iter()
            .filter(move |d| d.tag == tag)
            .map(|d| self.field(d))
    }

    /// The value of the first control field `tag`, if not blank.
    pub(crate) fn control(&self, tag: &[u8; 3]) -> Option<&str> {
        self.fields(tag)
            .map(|f| f.value.trim())
            .find(|v| !v.is_empty())
    }

    /// Fields with `tag`, or when there are none, the 880 fields linked to `tag` (`$6 245-01`).
    pub(crate) fn fields_or_880(&self, tag: &[u8; 3]) -> Vec<Field<'_>> {
        let main: Vec<Field<'_>> = self.fields(tag).collect();
        if !main.is_empty() {
            return main;
        }
        self.fields(b"880")
            .filter(|f| {
                f.sub(b'6')
                    .is_some_and(|l| l.as_bytes().get(..3) == Some(tag))
            })
            .collect()
    }

    /// The text of all fields read so far.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The text buffer, for a reader to append a field's text to.
    pub(crate) fn text_mut(&mut self) -> &mut String {
        &mut self.text
    }

    /// The length of the text buffer: where the next appended text starts.
    pub(crate) fn mark(&self) -> usize {
        self.text.len()
    }

    /// Cleans (see [`clean_text`]) the text appended since `start`.
    pub(crate) fn clean_from(&mut self, start: usize) {
        let Some(region) = self.text.get(start..) else {
            return;
        };
        if let Some(cleaned) = clean_text(region) {
            self.text.truncate(start);
            self.text.push_str(&cleaned);
        }
    }

    /// Makes the text appended since `start` the leader.
    pub(crate) fn take_leader(&mut self, start: usize) {
        self.leader.clear();
        self.leader.push_str(self.text.get(start..).unwrap_or(""));
        self.text.truncate(start.min(self.text.len()));
    }

    /// Adds a control field whose value is the text appended since `start`.
    pub(crate) fn push_control(&mut self, tag: [u8; 3], start: usize) {
        let at = self.subs.len();
        self.fields.push(FieldData {
            tag,
            ind1: b' ',
            ind2: b' ',
            value: (start, self.text.len()),
            subs: (at, at),
        });
    }

    /// Starts a data field; its subfields follow with [`Record::push_sub`].
    pub(crate) fn begin_data_field(&mut self, tag: [u8; 3], ind1: u8, ind2: u8) {
        let at = self.subs.len();
        let end = self.text.len();
        self.fields.push(FieldData {
            tag,
            ind1,
            ind2,
            value: (end, end),
            subs: (at, at),
        });
    }

    /// Adds to the last data field a subfield whose value is `start..end` of the text.
    pub(crate) fn push_sub(&mut self, code: u8, start: usize, end: usize) {
        self.subs.push(Sub { code, start, end });
        if let Some(f) = self.fields.last_mut() {
            f.subs.1 = self.subs.len();
        }
    }
}

/// The tags the mapping uses (others are not kept).
const WANTED_TAGS: [u16; 24] = [
    1, 3, 8, 10, 20, 35, 41, 100, 110, 111, 240, 245, 246, 260, 264, 300, 520, 650, 651, 700, 710,
    711, 740, 880,
];

/// A bit per numeric tag 000-999: whether the mapping uses it.
static WANTED: [u64; 16] = {
    let mut bits = [0u64; 16];
    let mut i = 0;
    while i < WANTED_TAGS.len() {
        let t = WANTED_TAGS[i] as usize;
        bits[t / 64] |= 1 << (t % 64);
        i += 1;
    }
    bits
};

/// Whether the mapping uses fields with this tag (others are not kept).
pub(crate) fn wanted_tag(tag: &[u8]) -> bool {
    let [a, b, c] = tag else {
        return false;
    };
    if !(a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit()) {
        return false;
    }
    let t = usize::from(a - b'0') * 100 + usize::from(b - b'0') * 10 + usize::from(c - b'0');
    WANTED[t / 64] & (1 << (t % 64)) != 0
}

/// Text as the mapping wants it: NFC, with doubly-encoded UTF-8 repaired. None when `s`
/// is fine as it is (always for ASCII).
pub(crate) fn clean_text(s: &str) -> Option<String> {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    if s.is_ascii() {
        return None;
    }
    let repaired = repair_double_utf8(s);
    let t = repaired.as_deref().unwrap_or(s);
    if is_nfc_quick(t.chars()) == IsNormalized::Yes {
        repaired
    } else {
        Some(t.nfc().collect())
    }
}

/// `rÃ¶misch` (UTF-8 read as Latin-1 and encoded again) -> `römisch`. Only when every character
/// is below U+0100 and the Latin-1 bytes form valid UTF-8, which ordinary text never does.
fn repair_double_utf8(s: &str) -> Option<String> {
    if s.chars().any(|c| u32::from(c) > 0xFF) {
        return None;
    }
    let mut bytes = Vec::with_capacity(s.len());
    let mut multibyte = false;
    for c in s.chars() {
        let b = u8::try_from(u32::from(c)).ok()?;
        multibyte |= b >= 0x80;
        bytes.push(b);
    }
    if !multibyte {
        return None;
    }
    String::from_utf8(bytes).ok()
}

/// The key-less fallback: a hash of the record's bytes, hex.
pub(crate) fn hash_hex(digest: &[u8]) -> String {
    use std::fmt::Write;
    digest.iter().take(16).fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests;
