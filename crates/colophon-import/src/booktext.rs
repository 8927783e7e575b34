//! Shared pieces of the digitized-book readers (`epub`, `tei`, `text`): the plain-text builder
//! (paragraphs separated by one blank line), an XML-to-text walker, name / language / rights
//! helpers and byte decoding.

use std::borrow::Cow;

use colophon_types::ReadingModes;
use quick_xml::events::{BytesRef, BytesStart};
use sha2::{Digest, Sha256};

use crate::source::{free_ebook_sale, public_domain_access};
use crate::{Rejected, SourceRecord};

/// Builds plain text: whitespace runs collapse to one space, paragraphs are separated by one
/// blank line, explicit line breaks (`<br/>`, `<lb/>`) become a single newline.
#[derive(Debug, Default)]
pub(crate) struct TextBuilder {
    out: String,
    in_para: bool,
    pending_space: bool,
    pending_break: bool,
}

impl TextBuilder {
    pub(crate) fn with_capacity(n: usize) -> Self {
        TextBuilder {
            out: String::with_capacity(n),
            ..TextBuilder::default()
        }
    }

    /// Appends text, collapsing whitespace (XML whitespace and control characters).
    pub(crate) fn push_str(&mut self, s: &str) {
        // ASCII whitespace and control bytes never occur inside a multi-byte UTF-8 sequence,
        // so the text can be cut at them byte-wise and copied a word at a time.
        let is_sep = |b: u8| b <= b' ' || b == 0x7f;
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let sep_start = i;
            while bytes.get(i).is_some_and(|&b| is_sep(b)) {
                i += 1;
            }
            if i > sep_start && self.in_para {
                self.pending_space = true;
            }
            // A run of words separated by single spaces is copied as it is.
            let word_start = i;
            loop {
                i += bytes
                    .get(i..)
                    .unwrap_or(&[])
                    .iter()
                    .position(|&b| is_sep(b))
                    .unwrap_or(bytes.len() - i);
                let single_space =
                    bytes.get(i) == Some(&b' ') && bytes.get(i + 1).is_some_and(|&b| !is_sep(b));
                if !single_space {
                    break;
                }
                i += 1;
            }
            if let Some(word) = s.get(word_start..i).filter(|w| !w.is_empty()) {
                self.push_word(word);
            }
        }
    }

    fn push_word(&mut self, word: &str) {
        if !self.in_para {
            if !self.out.is_empty() {
                self.out.push_str("\n\n");
            }
            self.in_para = true;
        } else if self.pending_break {
            self.out.push('\n');
        } else if self.pending_space {
            self.out.push(' ');
        }
        self.pending_space = false;
        self.pending_break = false;
        self.out.push_str(word);
    }

    /// A word boundary (between table cells, say).
    pub(crate) fn space(&mut self) {
        if self.in_para {
            self.pending_space = true;
        }
    }

    /// A line break inside the paragraph (dropped at the paragraph's start or end).
    pub(crate) fn line_break(&mut self) {
        if self.in_para {
            self.pending_break = true;
        }
    }

    /// Ends the current paragraph (a no-op when it is empty).
    pub(crate) fn end_paragraph(&mut self) {
        self.in_para = false;
        self.pending_space = false;
        self.pending_break = false;
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// How an element contributes to the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Starts and ends a paragraph (`p`, `div`, `h2`, `head`, `l`...).
    Block,
    /// Part of the running text (`em`, `hi`, `a`...).
    Inline,
    /// Left out with everything inside it (`head`, `script`, `note`...).
    Skip,
    /// A line break (`br`, `lb`).
    LineBreak,
    /// A table cell: a word boundary after it.
    Cell,
    /// TEI `<choice>`: inline, and tells its children they are alternatives.
    Choice,
}

/// Turns a stream of XML events into text, following each element's [`Role`].
#[derive(Debug, Default)]
pub(crate) struct Walker {
    roles: Vec<Role>,
    /// Depth inside a skipped element (0: not skipping).
    skip: usize,
    pub(crate) text: TextBuilder,
}

impl Walker {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Walker {
            text: TextBuilder::with_capacity(n),
            ..Walker::default()
        }
    }

    pub(crate) fn skipping(&self) -> bool {
        self.skip > 0
    }

    /// Whether the innermost open element is a TEI `<choice>`.
    pub(crate) fn parent_is_choice(&self) -> bool {
        self.roles.last() == Some(&Role::Choice)
    }

    pub(crate) fn start(&mut self, role: Role) {
        if self.skip > 0 {
            self.skip += 1;
            return;
        }
        match role {
            Role::Skip => {
                self.skip = 1;
                return;
            }
            Role::Block => self.text.end_paragraph(),
            Role::LineBreak => self.text.line_break(),
            Role::Inline | Role::Cell | Role::Choice => {}
        }
        self.roles.push(role);
    }

    pub(crate) fn end(&mut self) {
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        match self.roles.pop() {
            Some(Role::Block) => self.text.end_paragraph(),
            Some(Role::Cell) => self.text.space(),
            _ => {}
        }
    }

    pub(crate) fn empty(&mut self, role: Role) {
        if self.skip > 0 {
            return;
        }
        match role {
            Role::Block => self.text.end_paragraph(),
            Role::LineBreak => self.text.line_break(),
            Role::Cell => self.text.space(),
            Role::Inline | Role::Skip | Role::Choice => {}
        }
    }

    pub(crate) fn text(&mut self, s: &str) {
        if self.skip == 0 {
            self.text.push_str(s);
        }
    }

    pub(crate) fn general_ref(&mut self, r: &BytesRef<'_>) {
        if self.skip == 0 {
            push_ref(r, |s| self.text.push_str(s));
        }
    }

    /// Closes whatever is open (between documents, or after an error).
    pub(crate) fn reset(&mut self) {
        self.roles.clear();
        self.skip = 0;
        self.text.end_paragraph();
    }
}

/// Resolves `&name;` / `&#n;` (XML and HTML5 named entities); an unknown entity is kept as
/// written.
pub(crate) fn push_ref(r: &BytesRef<'_>, mut push: impl FnMut(&str)) {
    match r.resolve_char_ref() {
        Ok(Some(c)) => {
            let mut b = [0u8; 4];
            push(c.encode_utf8(&mut b));
        }
        Ok(None) => match quick_xml::escape::resolve_html5_entity(r) {
            Some(s) => push(s),
            None => {
                push("&");
                push(r);
                push(";");
            }
        },
        // An invalid character reference (`&#0;`, `&#xZZ;`): drop it.
        Err(_) => {}
    }
}

/// Resolves an attribute value's entities (XML and HTML5 names); falls back to the raw value.
pub(crate) fn attr_value(a: &quick_xml::events::attributes::Attribute<'_>) -> String {
    a.normalized_value_with(
        quick_xml::XmlVersion::Implicit1_0,
        1,
        quick_xml::escape::resolve_html5_entity,
    )
    .map(Cow::into_owned)
    .unwrap_or_else(|_| a.value.to_string())
}

/// The value of the attribute whose local name (the part after any `prefix:`) is `local`.
pub(crate) fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| attr_value(&a))
}

/// The value of the attribute whose full name is `name` (`xml:id`, `epub:type`).
pub(crate) fn attr_exact(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| attr_value(&a))
}

/// Strips HTML markup from a description: block tags become paragraph breaks, `<br>` a line
/// break, entities are resolved.
pub(crate) fn strip_html(html: &str) -> String {
    let mut tb = TextBuilder::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        push_unescaped(&mut tb, rest.get(..i).unwrap_or(""));
        let after = rest.get(i + 1..).unwrap_or("");
        let Some(j) = after.find('>') else {
            push_unescaped(&mut tb, "<");
            push_unescaped(&mut tb, after);
            rest = "";
            break;
        };
        let tag = after.get(..j).unwrap_or("");
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match name.as_str() {
            "br" => tb.line_break(),
            "p" | "div" | "li" | "ul" | "ol" | "blockquote" | "h1" | "h2" | "h3" | "h4" | "h5"
            | "h6" | "tr" | "table" | "dd" | "dt" | "section" | "hr" => tb.end_paragraph(),
            _ => {}
        }
        rest = after.get(j + 1..).unwrap_or("");
    }
    push_unescaped(&mut tb, rest);
    tb.finish()
}

fn push_unescaped(tb: &mut TextBuilder, s: &str) {
    match quick_xml::escape::unescape_with(s, quick_xml::escape::resolve_html5_entity) {
        Ok(u) => tb.push_str(&u),
        Err(_) => tb.push_str(s),
    }
}

/// Collapses whitespace and trims: `"  Der   Lautenbacher \n"` -> `"Der Lautenbacher"`.
pub(crate) fn clean(s: &str) -> String {
    let mut tb = TextBuilder::with_capacity(s.len());
    tb.push_str(s);
    tb.finish()
}

/// Display form of a personal name, Google style: `"Balzac, Honoré de (1799-1850)"` ->
/// `"Honoré de Balzac"`. Dates in parentheses or after a last comma are dropped; a name
/// without a comma is kept as written.
pub(crate) fn display_name(raw: &str) -> String {
    let mut name = clean(raw);
    // Drop parenthesised dates: "(1799-1850)", "(1867 - 1928)", "(fl. 1850)".
    while let (Some(open), Some(close)) = (name.rfind('('), name.rfind(')')) {
        if close < open {
            break;
        }
        let inner = name.get(open + 1..close).unwrap_or("");
        if inner.chars().any(|c| c.is_ascii_digit()) {
            name = clean(&format!(
                "{}{}",
                name.get(..open).unwrap_or(""),
                name.get(close + 1..).unwrap_or("")
            ));
        } else {
            break;
        }
    }
    let mut parts: Vec<&str> = name.split(',').map(str::trim).collect();
    // Trailing dates as MARC writes them: "Bierce, Ambrose, 1842-1914?".
    while parts.len() > 1
        && parts.last().is_some_and(|p| {
            p.chars().any(|c| c.is_ascii_digit())
                && p.chars()
                    .all(|c| c.is_ascii_digit() || " -?.cabfl".contains(c))
        })
    {
        parts.pop();
    }
    parts.retain(|p| !p.is_empty());
    match parts.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [surname, forename] => format!("{forename} {surname}"),
        [surname, forename, rest @ ..] => {
            let rest = rest.join(", ");
            let lower = rest.to_lowercase();
            let suffix = matches!(
                lower.trim_end_matches('.'),
                "jr" | "sr" | "ii" | "iii" | "iv" | "v"
            );
            let honorific = matches!(
                lower.trim_end_matches('.'),
                "sir" | "lord" | "lady" | "dame" | "mrs" | "mr" | "miss" | "dr" | "rev"
            );
            if suffix {
                format!("{forename} {surname}, {rest}")
            } else if honorific {
                format!("{rest} {forename} {surname}")
            } else {
                // "Ficalho, Francisco Manuel de Melo Breyner, Conde de" ->
                // "Francisco Manuel de Melo Breyner, Conde de Ficalho".
                format!("{forename}, {rest} {surname}")
            }
        }
    }
}

/// A language as Google prints it: the ISO 639-1 code when there is one (`en-GB` -> `en`,
/// `SPA` -> `es`, `English` -> `en`); other three-letter codes are kept in lower case.
pub(crate) fn language_code(raw: &str) -> Option<String> {
    let t = raw.trim();
    let primary = t
        .split(['-', '_', ' ', ';', ','])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if primary.is_empty() {
        return None;
    }
    const TABLE: &[(&str, &[&str])] = &[
        ("en", &["eng", "english"]),
        ("fr", &["fre", "fra", "french", "français", "francais"]),
        ("de", &["ger", "deu", "german", "deutsch"]),
        (
            "es",
            &["spa", "spanish", "español", "espanol", "castellano"],
        ),
        ("pt", &["por", "portuguese", "português", "portugues"]),
        ("ru", &["rus", "russian"]),
        ("it", &["ita", "italian", "italiano"]),
        ("nl", &["dut", "nld", "dutch"]),
        ("la", &["lat", "latin"]),
        ("ca", &["cat", "catalan"]),
        ("fi", &["fin", "finnish"]),
        ("sv", &["swe", "swedish"]),
        ("da", &["dan", "danish"]),
        ("no", &["nor", "norwegian"]),
        ("pl", &["pol", "polish"]),
        ("el", &["gre", "ell", "greek"]),
        ("zh", &["chi", "zho", "chinese"]),
        ("ja", &["jpn", "japanese"]),
        ("cs", &["cze", "ces", "czech"]),
        ("hu", &["hun", "hungarian"]),
        ("eo", &["epo", "esperanto"]),
        ("cy", &["wel", "cym", "welsh"]),
        ("ga", &["gle", "irish"]),
        ("he", &["heb", "hebrew"]),
        ("ar", &["ara", "arabic"]),
        ("sr", &["srp", "serbian"]),
        ("hr", &["hrv", "croatian"]),
        ("sl", &["slv", "slovenian"]),
        ("sk", &["slo", "slk", "slovak"]),
        ("ro", &["rum", "ron", "romanian"]),
        ("uk", &["ukr", "ukrainian"]),
        ("lt", &["lit", "lithuanian"]),
        ("tr", &["tur", "turkish"]),
    ];
    if primary.len() == 2 && primary.bytes().all(|b| b.is_ascii_lowercase()) {
        return Some(primary);
    }
    if let Some((two, _)) = TABLE
        .iter()
        .find(|(_, names)| names.contains(&primary.as_str()))
    {
        return Some((*two).to_owned());
    }
    (primary.len() == 3 && primary.bytes().all(|b| b.is_ascii_lowercase())).then_some(primary)
}

/// Whether a rights statement says the work is in the public domain.
pub(crate) fn says_public_domain(rights: &str) -> bool {
    let r = rights.to_lowercase();
    let positive = r.contains("public domain")
        || r.contains("publicdomain")
        || r.contains("domaine public")
        || r.contains("dominio público")
        || r.contains("domínio público")
        || r.contains("gemeinfrei");
    let negative = r.contains("not in the public domain")
        || r.contains("not public domain")
        || r.contains("copyrighted");
    positive && !negative
}

/// The public-domain rule on dates: first published more than 95 years ago (the US term), or
/// the author died more than 70 years ago (life + 70).
pub(crate) fn public_domain_by_dates(
    first_published: Option<i32>,
    author_died: Option<i32>,
) -> bool {
    let year = current_year();
    first_published.is_some_and(|y| y + 95 < year) || author_died.is_some_and(|d| d + 70 < year)
}

fn current_year() -> i32 {
    use chrono::Datelike;
    chrono::Utc::now().year()
}

/// Marks a record public domain: full view, free e-book, text reading mode.
pub(crate) fn set_public_domain(rec: &mut SourceRecord) {
    rec.access_info = Some(public_domain_access());
    rec.sale_info = Some(free_ebook_sale());
    rec.volume_info.reading_modes = Some(ReadingModes {
        text: true,
        image: false,
    });
}

/// The first four-digit year (1000..=2999) in free text.
pub(crate) fn year_in(s: &str) -> Option<i32> {
    crate::source::normalize_date(s).and_then(|d| d.get(..4).and_then(|y| y.parse().ok()))
}

/// Normalises a date that may carry a time (`2014-05-25T00:00:00Z`).
pub(crate) fn date_of(raw: &str) -> Option<String> {
    let t = raw.trim();
    let t = match t.find('T') {
        Some(i) if i >= 4 && t.as_bytes().first().is_some_and(u8::is_ascii_digit) => {
            t.get(..i).unwrap_or(t)
        }
        _ => t,
    };
    crate::source::normalize_date(t)
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex_of(&Sha256::digest(bytes))
}

pub(crate) fn hex_of(digest: &[u8]) -> String {
    use std::fmt::Write;
    digest.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Decodes an XML document's bytes: a BOM wins, then valid UTF-8, then the encoding the XML
/// declaration names, then windows-1252.
pub(crate) fn decode_xml(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (s, _) = enc.decode_without_bom_handling(bytes.get(bom..).unwrap_or(&[]));
        return s;
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(s);
    }
    let head = String::from_utf8_lossy(bytes.get(..200.min(bytes.len())).unwrap_or(&[]));
    let declared = head.find("encoding=").and_then(|i| {
        let rest = head.get(i + 9..)?;
        let quote = rest.chars().next()?;
        let rest = rest.get(1..)?;
        Some(rest.get(..rest.find(quote)?)?.to_owned())
    });
    let enc = declared
        .and_then(|l| encoding_rs::Encoding::for_label(l.trim().as_bytes()))
        .filter(|e| *e != encoding_rs::UTF_8)
        .unwrap_or(encoding_rs::WINDOWS_1252);
    let (s, _) = enc.decode_without_bom_handling(bytes);
    s
}

/// Decodes plain text: a BOM wins, then UTF-8, else windows-1252.
pub(crate) fn decode_text(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (s, _) = enc.decode_without_bom_handling(bytes.get(bom..).unwrap_or(&[]));
        return s;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

/// Reads at most `limit` bytes; more is an error naming the limit.
pub(crate) fn read_capped(
    input: impl std::io::Read,
    limit: u64,
    position: &str,
) -> Result<Vec<u8>, Rejected> {
    use std::io::Read;
    let mut buf = Vec::new();
    input
        .take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(|e| rejected(position, format!("cannot read: {e}")))?;
    if buf.len() as u64 > limit {
        return Err(rejected(
            position,
            format!(
                "more than {} MiB of data (decompression bomb?)",
                limit >> 20
            ),
        ));
    }
    Ok(buf)
}

pub(crate) fn rejected(position: &str, reason: impl Into<String>) -> Rejected {
    Rejected {
        position: position.to_owned(),
        reason: reason.into(),
    }
}

/// Number of words (whitespace-separated) in a text.
#[cfg(test)]
pub(crate) fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_collapses_whitespace_and_separates_paragraphs() {
        let mut tb = TextBuilder::default();
        tb.push_str("  Hello \n  world ");
        tb.end_paragraph();
        tb.end_paragraph();
        tb.push_str("\tSecond");
        tb.line_break();
        tb.push_str("line ");
        tb.line_break();
        tb.end_paragraph();
        tb.push_str("Third");
        assert_eq!(tb.finish(), "Hello world\n\nSecond\nline\n\nThird");
    }

    #[test]
    fn names_in_display_form() {
        assert_eq!(
            display_name("Balzac, Honoré de (1799-1850)"),
            "Honoré de Balzac"
        );
        assert_eq!(
            display_name("Alarcón, Pedro Antonio de  (1833-1891)"),
            "Pedro Antonio de Alarcón"
        );
        assert_eq!(
            display_name("Blasco Ibáñez, Vicente (1867 - 1928)"),
            "Vicente Blasco Ibáñez"
        );
        assert_eq!(
            display_name("Bierce, Ambrose, 1842-1914?"),
            "Ambrose Bierce"
        );
        assert_eq!(display_name("Достоевский Ф.М."), "Достоевский Ф.М.");
        assert_eq!(display_name("Jane Austen"), "Jane Austen");
        assert_eq!(
            display_name("King, Martin Luther, Jr."),
            "Martin Luther King, Jr."
        );
        assert_eq!(
            display_name("Doyle, Arthur Conan, Sir"),
            "Sir Arthur Conan Doyle"
        );
        assert_eq!(
            display_name("Ficalho, Francisco Manuel de Melo Breyner, Conde de (1837-1903)"),
            "Francisco Manuel de Melo Breyner, Conde de Ficalho"
        );
    }

    #[test]
    fn languages() {
        assert_eq!(language_code("en-GB").as_deref(), Some("en"));
        assert_eq!(language_code("SPA").as_deref(), Some("es"));
        assert_eq!(language_code("pt-PT").as_deref(), Some("pt"));
        assert_eq!(language_code("English").as_deref(), Some("en"));
        assert_eq!(language_code("fre").as_deref(), Some("fr"));
        assert_eq!(language_code("gsw").as_deref(), Some("gsw"));
        assert_eq!(language_code("Klingon"), None);
        assert_eq!(language_code(""), None);
    }

    #[test]
    fn html_stripped() {
        assert_eq!(
            strip_html("<p><i>The Time Machine</i> is&#160;a &ldquo;novel&rdquo; &amp; more.</p><p>Two<br/>lines</p>"),
            "The Time Machine is\u{a0}a “novel” & more.\n\nTwo\nlines"
        );
        assert_eq!(strip_html("plain < text"), "plain < text");
    }

    #[test]
    fn rights_and_dates() {
        assert!(says_public_domain("Public domain in the USA."));
        assert!(!says_public_domain(
            "This work is not in the public domain."
        ));
        assert!(!says_public_domain("All rights reserved"));
        assert!(public_domain_by_dates(Some(1853), None));
        assert!(public_domain_by_dates(None, Some(1918)));
        assert!(!public_domain_by_dates(Some(2001), Some(2020)));
        assert!(!public_domain_by_dates(None, None));
        assert_eq!(
            date_of("2014-05-25T00:00:00Z").as_deref(),
            Some("2014-05-25")
        );
        assert_eq!(year_in("Erstdruck 1847."), Some(1847));
    }

    #[test]
    fn decoding() {
        assert_eq!(decode_text(b"caf\xe9"), "café");
        assert_eq!(decode_text("café".as_bytes()), "café");
        assert_eq!(decode_text(b"\xef\xbb\xbfhi"), "hi");
        assert_eq!(
            decode_xml(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xe9</a>"),
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>café</a>"
        );
        assert_eq!(decode_xml(b"\xff\xfe<\0a\0/\0>\0"), "<a/>");
    }
}
