//! `onix`: ONIX for Books messages, releases 2.1 and 3.0, with reference tags (`<Product>`,
//! `<ProductIdentifier>`, `<TitleText>`) or short tags (`<product>`, `<productidentifier>`,
//! `<b203>`), streamed with quick-xml one `<Product>` at a time: memory stays flat whatever
//! the size of the message. A bare `<Product>` without `<ONIXMessage>` around it is read too.
//!
//! # Encodings
//!
//! See [`decode`]: BOM, then the XML declaration, then a forgiving per-sequence rule —
//! valid multi-byte UTF-8 is UTF-8, any other byte >= 0x80 is the declared single-byte
//! encoding (windows-1252 when the feed says UTF-8 or nothing) — so feeds that declare
//! UTF-8 but send Latin-1, or declare ISO-8859-1 but send UTF-8, read right. Entities the
//! XML spec does not define but ONIX's DTD does (the HTML set: `&nbsp;`, `&eacute;`,
//! `&ndash;`...) are resolved; unknown ones are dropped, and the product is still read.
//! Entities left over after XML unescaping (feeds that double-escape, `&amp;amp;`) are
//! decoded once more in text fields.
//!
//! # Mapping (both releases)
//!
//! | VolumeInfo / SaleInfo | ONIX |
//! | --- | --- |
//! | `source_key` | `onix:` + `RecordReference`; without one, `onix:` + the ISBN-13 |
//! | `industryIdentifiers` | `ProductIdentifier` with `ProductIDType` 15 (ISBN-13), 03 (GTIN-13 in the 978/979 ranges) and 02 (ISBN-10), plus 2.1's old `<ISBN>`/`<EAN13>`; each valid ISBN gives `ISBN_13` and, in the 978 range, `ISBN_10`. Identifiers of related products, series and sets are not the product's and are ignored |
//! | `title`, `subtitle` | 2.1: the `Title` with `TitleType` 01 (else the first) — `TitleText`, or `TitlePrefix` + `TitleWithoutPrefix`; `Subtitle`; else 2.1's `DistinctiveTitle` (b028). 3.0: `DescriptiveDetail/TitleDetail` type 01 (else the first), its `TitleElement` of level 01 (else the first), same fields |
//! | `authors` | `Contributor`s in `SequenceNumber` order (document order when missing): those with a creator role A01–A14 (by, with, illustrated by...); if there are none, the editors (B01, B11–B13); if none, the other A roles (foreword, introduction, contributions by). Name: `PersonName`; else `NamesBeforeKey` `PrefixToKey` `KeyNames` `NamesAfterKey`; else `PersonNameInverted` turned back ("Barrett, Robert G" → "Robert G Barrett"; comma-less "Morton Kate" → "Kate Morton" when it is exactly two capitalised words); a bare surname in `PersonName` gives way to a fuller form of the same name; else `CorporateName` |
//! | `publisher` | `Publisher/PublisherName` with `PublishingRole` 01 (else the first; 3.0 inside `PublishingDetail`), else the first `ImprintName` |
//! | `publishedDate` | 2.1 `PublicationDate`; 3.0 `PublishingDate` with `PublishingDateRole` 01; `YYYYMMDD`/`YYYYMM`/`YYYY` → `YYYY-MM-DD`/`YYYY-MM`/`YYYY` |
//! | `language` | `Language` with `LanguageRole` 01, else the header's `DefaultLanguageOfText`; ISO 639-2 → 639-1 (`eng` → `en`) |
//! | `pageCount` | 2.1 `NumberOfPages`; else `Extent` of type 00, 11, 08, 07, 10 (print counterpart) in pages |
//! | `dimensions` | `Measure` types 01/02/03 (height, width, thickness) in mm, cm or in → "23.40 cm" |
//! | `description` | 2.1 `OtherText` type 03 (long), else 01 (main), else 02 (short); 3.0 `CollateralDetail/TextContent` type 03, else 02. HTML (escaped or as XHTML elements) is reduced to `<p>`, `<br>`, `<b>`, `<i>` as Google's descriptions have; other tags are stripped (blocks and list items become `<br>`) |
//! | `categories` | BISAC subjects only: 2.1 `BASICMainSubject`, `Subject`/`MainSubject` with scheme 10 (main subject first): `SubjectHeadingText` when given, else the code's top-level BISAC heading (`REL006050` → "Religion"), else the code |
//! | `printType` | always `BOOK` |
//! | `saleInfo.isEbook` | `ProductForm` DG (2.1 e-book) or E* (3.0 digital) |
//! | `saleInfo.listPrice` | from the first `SupplyDetail` with a consumer price: `PriceType(Code)` 02, 04, 42 (incl. tax), then 01, 03, 41 (excl. tax), then pre-publication 22, 24, 21, 23; `PriceAmount` + `CurrencyCode` (the header's defaults fill a missing type or currency; a price with no currency at all is dropped, as Google's prices always carry one) |
//! | `saleInfo.retailPrice` | a special-sale price (12, 14, 11, 13) in the same currency, else the list price |
//! | `saleInfo.country` | the chosen price's single country: 2.1 `CountryCode` or `Territory`, 3.0 `Territory/CountriesIncluded` (left empty for several countries or regions) |
//! | `saleInfo.saleability` | `FREE` for `UnpricedItemType` 01 or a zero price; else the supply's `ProductAvailability` (list 65): 10–12 `FOR_PREORDER`, 20–23 and 30–32 (temporarily out of stock, reprinting: still orderable) `FOR_SALE`, 33–34 and 40–52 `NOT_FOR_SALE`; else 2.1 `AvailabilityCode` (list 54): NP `FOR_PREORDER`, IP/AD/MD/TO/RP/RU/TP/TU/WR `FOR_SALE`, AB/EX/OF/OI/OP/OR/PP/RM/UR/WS `NOT_FOR_SALE`; else `PublishingStatus` 02 `FOR_PREORDER`, 04 `FOR_SALE`, 01/03/06–08/10–12/15–17 `NOT_FOR_SALE`; else `FOR_SALE` when priced, `NOT_FOR_SALE` when not. Prices are only given for `FOR_SALE` and `FOR_PREORDER`, as Google does |
//!
//! Series: 2.1 `Series` (`TitleOfSeries`, else its `Title`'s `TitleText`; `NumberWithinSeries`)
//! and 3.0 `Collection` (its first `TitleText`; `PartNumber`) -> `seriesInfo` (see
//! [`colophon_domain::series`]).
//!
//! Not mapped: cover images (`MediaFile`/`SupportingResource` URLs point at publishers'
//! servers), audience, `onSaleDate`, `accessInfo` (ONIX says nothing about
//! viewability).
//!
//! # Rejections
//!
//! Each product that cannot be a record is one `Err(Rejected)` at `Product N (line L)`:
//!
//! - `NotificationType` 05 (delete): reason `deletion notice for onix:<RecordReference> ...`
//!   — the source key is in the reason, and [`deletion_key`] gives it back, so that a pipeline
//!   that wants to honour deletions can;
//! - no title; no `RecordReference` and no ISBN (nothing stable to key it by);
//! - truncated products (a new `<Product>`, the end of the message or the end of the input
//!   before `</Product>`) and products in which the XML parser reported an error.
//!
//! The reader resynchronises on the next `<Product>`; missing end tags of inner elements are
//! repaired by closing them at the enclosing end tag. XML errors outside products are reported
//! at `line L`; reading stops (with a final rejection) only on an I/O error, when the
//! parser makes no progress, after 100 errors outside products, or when elements nest more
//! than 256 deep (not ONIX: memory stays bounded). A text field over 4 MiB rejects its product.

pub(crate) mod decode;
mod product;
mod tags;
mod text;

use std::collections::VecDeque;
use std::io::Read;
use std::ops::Range;

use quick_xml::escape::{resolve_html5_entity, resolve_xml_entity};
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

use self::decode::Utf8Input;
use self::product::{
    Contributor, Defaults, Extent, Measure, Price, Product, Subject, Supply, TextItem, TitleDetail,
    TitleElement,
};
use self::tags::Tag;
use self::text::code;
use crate::{Rejected, SourceRecord};

/// Streams the products of an ONIX message, each a record or the reason it was rejected.
pub fn read(
    input: impl Read + Send + 'static,
) -> impl Iterator<Item = Result<SourceRecord, Rejected>> + Send {
    OnixReader::new(input)
}

/// The source key a deletion notice asks to delete (`onix:<RecordReference>`), from the
/// rejection the reader made of it; None for any other rejection.
pub fn deletion_key(rejected: &Rejected) -> Option<&str> {
    rejected
        .reason
        .strip_prefix("deletion notice for ")?
        .strip_suffix(" (NotificationType 05)")
        .filter(|k| k.starts_with("onix:"))
}

/// Errors outside products after which reading gives up.
const MAX_OUTER_ERRORS: u32 = 100;

/// Element nesting past which the input is taken for something else than ONIX (ONIX nests
/// about 6 deep): reading stops, so that memory stays bounded.
const MAX_DEPTH: usize = 256;

/// A text field larger than this rejects its product (and stops growing the buffer).
const MAX_TEXT: usize = 4 << 20;

struct Open {
    tag: Tag,
    /// The element belongs to the product itself: a child of `<Product>` or of a 3.0 block
    /// (`DescriptiveDetail`...) that does.
    scoped: bool,
    /// Its raw name, in `OnixReader::names`.
    name: Range<usize>,
    /// Markup inside a text field (`<i>` in a title): its text belongs to the field.
    inline: bool,
}

struct OnixReader<R: Read> {
    /// The parser; None only while it is being restarted after an error.
    xml: Option<Reader<Utf8Input<R>>>,
    buf: Vec<u8>,
    stack: Vec<Open>,
    names: String,
    text: String,
    defaults: Defaults,
    current: Option<Current>,
    products: usize,
    root: Option<Tag>,
    out: VecDeque<Result<SourceRecord, Rejected>>,
    finished: bool,
    last_error_at: Option<u64>,
    stuck: u32,
    outer_errors: u32,
    /// Stray text outside products was reported since the last product.
    garbage_reported: bool,
}

/// A quick-xml parser over the decoded input, configured to tolerate what real feeds do
/// (a bare `&`, end tags that do not match): the reader repairs those itself.
fn parser<R: Read>(input: Utf8Input<R>) -> Reader<Utf8Input<R>> {
    let mut xml = Reader::from_reader(input);
    let config = xml.config_mut();
    config.allow_dangling_amp = true;
    config.allow_unmatched_ends = true;
    config.check_end_names = false;
    xml
}

/// Whether `name` is an XML name (quick-xml takes `< b` in text for a tag named ``).
fn valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    if first.is_ascii_digit() || matches!(first, b'-' | b'.') {
        return false;
    }
    // One pass; non-ASCII bytes are letters of some script (quick-xml hands out valid UTF-8).
    bytes
        .iter()
        .all(|&b| b >= 0x80 || b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b':'))
}

impl<R: Read> OnixReader<R> {
    fn new(input: R) -> Self {
        OnixReader {
            xml: Some(parser(Utf8Input::new(input))),
            buf: Vec::with_capacity(4096),
            stack: Vec::with_capacity(32),
            names: String::with_capacity(512),
            text: String::with_capacity(4096),
            defaults: Defaults::default(),
            current: None,
            products: 0,
            root: None,
            out: VecDeque::new(),
            finished: false,
            last_error_at: None,
            stuck: 0,
            outer_errors: 0,
            garbage_reported: false,
        }
    }

    fn line(&mut self) -> u64 {
        self.xml
            .as_mut()
            .map_or(0, |x| x.get_mut().lines_consumed())
            + 1
    }

    fn step(&mut self) {
        let Some(xml) = self.xml.as_mut() else {
            self.finished = true;
            return;
        };
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => self.start_event(&e, false),
            Ok(Event::Empty(e)) => self.start_event(&e, true),
            Ok(Event::End(e)) => self.end(e.name().as_ref()),
            Ok(Event::Text(t)) => self.push_text(&t),
            Ok(Event::CData(t)) => self.push_text(&t),
            Ok(Event::GeneralRef(r)) => self.push_ref(&r),
            Ok(Event::Eof) => self.eof(),
            Ok(_) => {}
            Err(e) => self.error(e),
        }
        self.buf = buf;
    }

    fn wants_text(&self) -> bool {
        match (&self.current, self.stack.last()) {
            (Some(cur), _) if cur.capture.is_some() => true,
            (_, Some(open)) => open.inline || open.tag.has_wanted_text(),
            _ => false,
        }
    }

    fn push_text(&mut self, text: &str) {
        if self.text.len() + text.len() > MAX_TEXT {
            if let Some(cur) = self.current.as_mut() {
                cur.error
                    .get_or_insert_with(|| format!("a text field is larger than {MAX_TEXT} bytes"));
            }
            return;
        }
        if self.current.is_none()
            && !self.garbage_reported
            && self.root.is_some()
            && self.stack.last().is_none_or(|o| o.tag == Tag::OnixMessage)
            && !text.trim().is_empty()
        {
            self.garbage_reported = true;
            let excerpt: String = text.trim().chars().take(40).collect();
            let line = self.line();
            self.out.push_back(Err(Rejected {
                position: format!("line {line}"),
                reason: format!("text outside any product ignored: {excerpt:?}"),
            }));
        }
        if self.wants_text() {
            self.text.push_str(text);
        }
    }

    fn start_event(&mut self, e: &BytesStart<'_>, empty: bool) {
        let name = e.name();
        if valid_name(name.as_ref()) {
            self.start(name.as_ref(), empty);
        } else {
            self.bogus_markup(e, empty);
        }
    }

    /// `<` that starts no tag (`a < b` in text) made quick-xml read a "tag" up to the next
    /// `>`: the part before its last `<` is text, and what follows that `<` is the real tag
    /// it swallowed (`< b</TitleText>` is the text `< b` and the end tag `</TitleText>`).
    fn bogus_markup(&mut self, content: &str, empty: bool) {
        let (text, tag) = match content.rfind('<') {
            Some(i) => (&content[..i], Some(&content[i + 1..])),
            None => (content, None),
        };
        let mut literal = String::with_capacity(content.len() + 3);
        literal.push('<');
        literal.push_str(text);
        if tag.is_none() {
            literal.push_str(if empty { "/>" } else { ">" });
        }
        let literal = text::decode_entities(&literal).into_owned();
        self.push_text(&literal);
        let Some(tag) = tag else {
            return;
        };
        if let Some(name) = tag.strip_prefix('/') {
            self.end(name.trim());
            return;
        }
        let tag = tag.trim_end();
        let (tag, empty) = match tag.strip_suffix('/') {
            Some(t) => (t, true),
            None => (tag, empty),
        };
        let name = tag.split_whitespace().next().unwrap_or("");
        if valid_name(name) {
            self.start(name, empty);
        } else {
            let literal = format!("<{tag}{}", if empty { "/>" } else { ">" });
            self.push_text(&literal);
        }
    }

    fn push_ref(&mut self, r: &BytesRef<'_>) {
        if !self.wants_text() {
            return;
        }
        if r.is_char_ref() {
            if let Ok(Some(c)) = r.resolve_char_ref() {
                self.text.push(c);
            }
            return;
        }
        let name: &str = r;
        // XML's five, then the HTML set the ONIX DTDs declare; unknown ones are dropped.
        if let Some(t) = resolve_xml_entity(name).or_else(|| resolve_html5_entity(name)) {
            self.text.push_str(t);
        }
    }

    fn push_open(&mut self, tag: Tag, scoped: bool, raw: &str) {
        let start = self.names.len();
        self.names.push_str(raw);
        self.stack.push(Open {
            tag,
            scoped,
            name: start..self.names.len(),
            inline: false,
        });
    }

    fn start(&mut self, raw: &str, empty: bool) {
        if self.stack.len() >= MAX_DEPTH {
            let line = self.line();
            let reason = format!(
                "elements nested more than {MAX_DEPTH} deep at line {line}: not an ONIX message \
                 this reader can follow; reading stopped"
            );
            self.abandon(reason.clone());
            self.out.push_back(Err(Rejected {
                position: format!("line {line}"),
                reason,
            }));
            self.finished = true;
            self.xml = None;
            return;
        }
        let tag = Tag::of(raw.as_bytes());
        if self.root.is_none() {
            self.root = Some(tag);
        }
        if tag == Tag::Product {
            if self.current.is_some() {
                self.abandon("truncated: a new <Product> began before </Product>".into());
            }
            self.products += 1;
            self.garbage_reported = false;
            let depth = self.stack.len();
            self.push_open(tag, false, raw);
            self.current = Some(Current::new(self.products, self.line(), depth));
            self.text.clear();
            if empty {
                self.pop_top();
            }
            return;
        }
        let capturing = self.current.as_ref().map(|c| c.capture.is_some());
        match capturing {
            None => {
                self.push_open(tag, false, raw);
                self.text.clear();
            }
            Some(true) => {
                // Markup inside a description, sent as XHTML elements: keep it as text.
                self.text.push('<');
                self.text.push_str(raw);
                if empty {
                    self.text.push_str("/>");
                    return;
                }
                self.text.push('>');
                self.push_open(tag, false, raw);
                return;
            }
            Some(false)
                if self
                    .stack
                    .last()
                    .is_some_and(|p| p.inline || p.tag.has_wanted_text()) =>
            {
                // Markup inside a text field: transparent.
                self.push_open(Tag::Other, false, raw);
                if let Some(open) = self.stack.last_mut() {
                    open.inline = true;
                }
            }
            Some(false) => {
                let parent = self.stack.last().map(|p| (p.tag, p.scoped));
                let scoped = parent.is_some_and(|(t, s)| t == Tag::Product || (t.is_block() && s));
                self.push_open(tag, scoped, raw);
                self.text.clear();
                let index = self.stack.len() - 1;
                if let Some(cur) = self.current.as_mut() {
                    cur.begin(tag, scoped, parent, index);
                }
            }
        }
        if empty {
            self.pop_top();
        }
    }

    fn end(&mut self, raw: &str) {
        let names = &self.names;
        let found = self
            .stack
            .iter()
            .rposition(|o| names.get(o.name.clone()) == Some(raw));
        let Some(index) = found else {
            // A stray end tag: kept if it is description markup, else ignored.
            if let Some(cur) = &self.current {
                if cur.capture.is_some() {
                    self.text.push_str("</");
                    self.text.push_str(raw);
                    self.text.push('>');
                }
            }
            return;
        };
        if let Some(cur) = &self.current {
            if index < cur.depth {
                self.abandon(format!("truncated: </{raw}> came before </Product>"));
            }
        }
        // Elements left open inside the one that ends are closed with it.
        while self.stack.len() > index {
            self.pop_top();
        }
    }

    fn pop_top(&mut self) {
        let Some(open) = self.stack.pop() else {
            return;
        };
        let index = self.stack.len();
        if let Some(cur) = self.current.as_mut() {
            if index == cur.depth {
                self.names.truncate(open.name.start);
                self.finish_product();
                return;
            }
            if let Some(capture) = cur.capture {
                if index > capture {
                    self.text.push_str("</");
                    self.text
                        .push_str(self.names.get(open.name.clone()).unwrap_or(""));
                    self.text.push('>');
                    self.names.truncate(open.name.start);
                    return;
                }
                cur.capture = None;
            }
            self.names.truncate(open.name.start);
            if open.inline {
                return;
            }
            let parent = self.stack.last().map(|p| (p.tag, p.scoped));
            let grandparent = index
                .checked_sub(2)
                .and_then(|i| self.stack.get(i))
                .map(|p| (p.tag, p.scoped));
            cur.end(open.tag, open.scoped, parent, grandparent, &self.text);
            self.text.clear();
            return;
        }
        self.names.truncate(open.name.start);
        if self.stack.last().is_some_and(|p| p.tag == Tag::Header) {
            let value = code(&self.text);
            match open.tag {
                Tag::DefaultLanguageOfText => self.defaults.language = value,
                Tag::DefaultPriceTypeCode => self.defaults.price_type = value,
                Tag::DefaultCurrencyCode => self.defaults.currency = value,
                _ => {}
            }
        }
        self.text.clear();
    }

    fn finish_product(&mut self) {
        let Some(cur) = self.current.take() else {
            return;
        };
        let position = cur.position();
        let result = match cur.error {
            Some(error) => Err(error),
            None => cur.product.into_record(&self.defaults),
        };
        self.out
            .push_back(result.map_err(|reason| Rejected { position, reason }));
        self.text.clear();
    }

    /// Rejects the open product as unfinished and drops its open elements.
    fn abandon(&mut self, reason: String) {
        let Some(cur) = self.current.take() else {
            return;
        };
        if let Some(open) = self.stack.get(cur.depth) {
            self.names.truncate(open.name.start);
        }
        self.stack.truncate(cur.depth);
        self.text.clear();
        let reason = match cur.error {
            Some(ref e) => format!("{reason}; {e}"),
            None => reason,
        };
        self.out.push_back(Err(Rejected {
            position: cur.position(),
            reason,
        }));
    }

    fn eof(&mut self) {
        if self.current.is_some() {
            self.abandon("truncated: the input ended before </Product>".into());
        }
        if self.products == 0 && self.root != Some(Tag::OnixMessage) {
            self.out.push_back(Err(Rejected {
                position: "input".into(),
                reason: match self.root {
                    None => "not an ONIX message: no XML element at all".into(),
                    Some(_) => "not an ONIX message: no <ONIXMessage> or <Product> element".into(),
                },
            }));
        }
        self.finished = true;
    }

    fn error(&mut self, e: quick_xml::Error) {
        let line = self.line();
        if let quick_xml::Error::Io(io) = &e {
            let reason = format!("cannot read the input: {io}");
            self.abandon(reason.clone());
            self.out.push_back(Err(Rejected {
                position: format!("line {line}"),
                reason,
            }));
            self.finished = true;
            return;
        }
        let at = self
            .xml
            .as_ref()
            .map_or(0, |x| x.get_ref().bytes_consumed());
        if self.last_error_at == Some(at) {
            self.stuck += 1;
        } else {
            self.stuck = 0;
        }
        self.last_error_at = Some(at);
        let message = format!("malformed XML at line {line}: {e}");
        if self.stuck >= 2 {
            self.abandon(message.clone());
            self.out.push_back(Err(Rejected {
                position: format!("line {line}"),
                reason: format!("{message}; the parser cannot go on, reading stopped"),
            }));
            self.finished = true;
            return;
        }
        if let Some(cur) = self.current.as_mut() {
            cur.error.get_or_insert(message);
        } else {
            self.outer_errors += 1;
            // What follows the faulty markup is its debris, not news.
            self.garbage_reported = true;
            let give_up = self.outer_errors >= MAX_OUTER_ERRORS;
            self.out.push_back(Err(Rejected {
                position: format!("line {line}"),
                reason: if give_up {
                    format!("{message}; too many XML errors, reading stopped")
                } else {
                    format!("{message} (outside any product)")
                },
            }));
            if give_up {
                self.finished = true;
                return;
            }
        }
        // quick-xml stops for good after an error: go on with a fresh parser over the rest
        // of the input (it resumes just after the faulty markup).
        if let Some(xml) = self.xml.take() {
            self.xml = Some(parser(xml.into_inner()));
        }
    }
}

impl<R: Read> Iterator for OnixReader<R> {
    type Item = Result<SourceRecord, Rejected>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.out.pop_front() {
                return Some(item);
            }
            if self.finished {
                return None;
            }
            self.step();
        }
    }
}

/// The product being read, and the composite of each kind being filled.
struct Current {
    n: usize,
    line: u64,
    /// Index of the `<Product>` element in the stack.
    depth: usize,
    product: Product,
    error: Option<String>,
    /// Stack index of the description `<Text>` whose inner markup is kept as text.
    capture: Option<usize>,
    identifier: (String, String),
    title: TitleDetail,
    element: TitleElement,
    contributor: Contributor,
    language: (String, String),
    extent: Extent,
    subject: Subject,
    text: TextItem,
    publisher: (String, String),
    date: (String, String),
    supply: Supply,
    price: Price,
    measure: Measure,
    /// The `<Series>` / `<Collection>` being read: its first title and its number.
    series: Option<(Option<String>, Option<String>)>,
}

impl Current {
    fn new(n: usize, line: u64, depth: usize) -> Self {
        Current {
            n,
            line,
            depth,
            product: Product::default(),
            error: None,
            capture: None,
            identifier: Default::default(),
            title: TitleDetail::default(),
            element: TitleElement::default(),
            contributor: Contributor::default(),
            language: Default::default(),
            extent: Extent::default(),
            subject: Subject::default(),
            text: TextItem::default(),
            publisher: Default::default(),
            date: Default::default(),
            supply: Supply::default(),
            price: Price::default(),
            measure: Measure::default(),
            series: None,
        }
    }

    fn position(&self) -> String {
        format!("Product {} (line {})", self.n, self.line)
    }

    /// An element opens: composites start empty.
    fn begin(&mut self, tag: Tag, scoped: bool, parent: Option<(Tag, bool)>, index: usize) {
        let parent_is = |t: Tag| parent == Some((t, true));
        match tag {
            Tag::ProductIdentifier if scoped => self.identifier = Default::default(),
            Tag::Title if scoped => {
                self.title = TitleDetail::default();
                self.element = TitleElement::default();
            }
            Tag::TitleDetail if scoped => self.title = TitleDetail::default(),
            Tag::TitleElement if parent_is(Tag::TitleDetail) => {
                self.element = TitleElement::default();
            }
            Tag::Contributor if scoped => self.contributor = Contributor::default(),
            Tag::Language if scoped => self.language = Default::default(),
            Tag::Extent if scoped => self.extent = Extent::default(),
            Tag::Subject if scoped => self.subject = Subject::default(),
            Tag::MainSubject if scoped => {
                // 2.1: a composite of its own.
                self.subject = Subject {
                    main: true,
                    ..Subject::default()
                };
            }
            Tag::MainSubject if parent_is(Tag::Subject) => self.subject.main = true,
            Tag::OtherText | Tag::TextContent if scoped => {
                self.text = TextItem {
                    v3: tag == Tag::TextContent,
                    ..TextItem::default()
                };
            }
            Tag::Text if parent_is(Tag::OtherText) || parent_is(Tag::TextContent) => {
                self.capture = Some(index);
            }
            Tag::Publisher if scoped => self.publisher = Default::default(),
            Tag::PublishingDate if scoped => self.date = Default::default(),
            Tag::SupplyDetail if scoped => self.supply = Supply::default(),
            Tag::Price if parent_is(Tag::SupplyDetail) => self.price = Price::default(),
            Tag::Measure if scoped => self.measure = Measure::default(),
            Tag::Series | Tag::Collection if scoped => self.series = Some((None, None)),
            _ => {}
        }
    }

    /// An element closes with `text`: leaves fill the open composite, composites are kept.
    fn end(
        &mut self,
        tag: Tag,
        scoped: bool,
        parent: Option<(Tag, bool)>,
        grandparent: Option<(Tag, bool)>,
        text: &str,
    ) {
        let in_ = |t: Tag| parent == Some((t, true));
        let value = || code(text);
        let p = &mut self.product;
        if let Some((title, number)) = self.series.as_mut() {
            // Inside a series: its title (2.1 `TitleOfSeries`, or the first `TitleText` of its
            // title composite) and the product's number in it.
            match tag {
                Tag::TitleOfSeries | Tag::TitleText => {
                    if title.is_none() {
                        *title = value();
                    }
                    return;
                }
                Tag::NumberWithinSeries | Tag::PartNumber => {
                    if number.is_none() {
                        *number = value();
                    }
                    return;
                }
                Tag::Series | Tag::Collection if scoped => {
                    if let Some((Some(title), number)) = self.series.take() {
                        p.series.push((title, number));
                    }
                    return;
                }
                _ => return,
            }
        }
        match tag {
            // Direct fields of the product.
            Tag::RecordReference if scoped => p.record_reference = value(),
            Tag::NotificationType if scoped => p.notification_type = value(),
            Tag::Isbn | Tag::Ean13 if scoped => p.legacy_isbns.extend(value()),
            Tag::ProductForm if scoped => p.product_form = value(),
            Tag::DistinctiveTitle if scoped => p.distinctive_title = value(),
            Tag::Subtitle if scoped => p.product_subtitle = value(),
            Tag::NumberOfPages if scoped => p.number_of_pages = value(),
            Tag::BasicMainSubject if scoped => p.basic_main_subject = value(),
            Tag::PublisherName if scoped => {
                p.publishers.extend(value().map(|n| (String::new(), n)));
            }
            Tag::PublicationDate if scoped => p.publication_date = value(),
            Tag::PublishingStatus if scoped => p.publishing_status = value(),

            // Composites of the product, when they close.
            Tag::ProductIdentifier if scoped => {
                let (kind, id) = std::mem::take(&mut self.identifier);
                if !kind.is_empty() && !id.is_empty() {
                    p.identifiers.push((kind, id));
                }
            }
            Tag::Title if scoped => {
                let mut title = std::mem::take(&mut self.title);
                title.elements.push(std::mem::take(&mut self.element));
                p.titles.push(title);
            }
            Tag::TitleElement if in_(Tag::TitleDetail) => {
                let element = std::mem::take(&mut self.element);
                self.title.elements.push(element);
            }
            Tag::TitleDetail if scoped => p.titles.push(std::mem::take(&mut self.title)),
            Tag::Contributor if scoped => {
                p.contributors.push(std::mem::take(&mut self.contributor));
            }
            Tag::Language if scoped => p.languages.push(std::mem::take(&mut self.language)),
            Tag::Extent if scoped => p.extents.push(std::mem::take(&mut self.extent)),
            Tag::Subject | Tag::MainSubject if scoped => {
                p.subjects.push(std::mem::take(&mut self.subject));
            }
            Tag::OtherText | Tag::TextContent if scoped => {
                p.texts.push(std::mem::take(&mut self.text));
            }
            Tag::Publisher if scoped => {
                let (role, name) = std::mem::take(&mut self.publisher);
                if !name.is_empty() {
                    p.publishers.push((role, name));
                }
            }
            Tag::PublishingDate if scoped => {
                p.publishing_dates.push(std::mem::take(&mut self.date));
            }
            Tag::SupplyDetail if scoped => p.supplies.push(std::mem::take(&mut self.supply)),
            Tag::Price if in_(Tag::SupplyDetail) => {
                self.supply.prices.push(std::mem::take(&mut self.price));
            }
            Tag::Measure if scoped => p.measures.push(std::mem::take(&mut self.measure)),

            // Leaves of those composites.
            Tag::ProductIdType if in_(Tag::ProductIdentifier) => {
                self.identifier.0 = value().unwrap_or_default();
            }
            Tag::IdValue if in_(Tag::ProductIdentifier) => {
                self.identifier.1 = value().unwrap_or_default();
            }
            Tag::TitleType if in_(Tag::Title) || in_(Tag::TitleDetail) => {
                self.title.title_type = value().unwrap_or_default();
            }
            Tag::TitleText
            | Tag::TitlePrefix
            | Tag::TitleWithoutPrefix
            | Tag::Subtitle
            | Tag::TitleElementLevel
                if in_(Tag::Title)
                    || (parent.is_some_and(|(t, _)| t == Tag::TitleElement)
                        && grandparent == Some((Tag::TitleDetail, true))) =>
            {
                let e = &mut self.element;
                let v = value();
                match tag {
                    Tag::TitleText => e.text = v,
                    Tag::TitlePrefix => e.prefix = v,
                    Tag::TitleWithoutPrefix => e.without_prefix = v,
                    Tag::Subtitle => e.subtitle = v,
                    _ => e.level = v.unwrap_or_default(),
                }
            }
            Tag::SequenceNumber
            | Tag::ContributorRole
            | Tag::PersonName
            | Tag::PersonNameInverted
            | Tag::NamesBeforeKey
            | Tag::PrefixToKey
            | Tag::KeyNames
            | Tag::NamesAfterKey
            | Tag::CorporateName
            | Tag::CorporateNameInverted
                if in_(Tag::Contributor) =>
            {
                let c = &mut self.contributor;
                let v = value();
                match tag {
                    Tag::SequenceNumber => c.sequence = v.and_then(|s| s.parse().ok()),
                    Tag::ContributorRole => c.roles.extend(v),
                    Tag::PersonName => c.person_name = v,
                    Tag::PersonNameInverted => c.inverted = v,
                    Tag::NamesBeforeKey => c.names_before_key = v,
                    Tag::PrefixToKey => c.prefix_to_key = v,
                    Tag::KeyNames => c.key_names = v,
                    Tag::NamesAfterKey => c.names_after_key = v,
                    Tag::CorporateName => c.corporate_name = v,
                    _ => c.corporate_inverted = v,
                }
            }
            Tag::LanguageRole if in_(Tag::Language) => {
                self.language.0 = value().unwrap_or_default();
            }
            Tag::LanguageCode if in_(Tag::Language) => {
                self.language.1 = value().unwrap_or_default();
            }
            Tag::ExtentType if in_(Tag::Extent) => self.extent.kind = value().unwrap_or_default(),
            Tag::ExtentValue if in_(Tag::Extent) => {
                self.extent.value = value().unwrap_or_default();
            }
            Tag::ExtentUnit if in_(Tag::Extent) => self.extent.unit = value().unwrap_or_default(),
            Tag::SubjectSchemeIdentifier | Tag::MainSubjectSchemeIdentifier
                if in_(Tag::Subject) || in_(Tag::MainSubject) =>
            {
                self.subject.scheme = value().unwrap_or_default();
            }
            Tag::SubjectCode if in_(Tag::Subject) || in_(Tag::MainSubject) => {
                self.subject.code = value();
            }
            Tag::SubjectHeadingText if in_(Tag::Subject) || in_(Tag::MainSubject) => {
                self.subject.heading = value();
            }
            Tag::TextTypeCode | Tag::TextType if in_(Tag::OtherText) || in_(Tag::TextContent) => {
                self.text.kind = value().unwrap_or_default();
            }
            Tag::Text if in_(Tag::OtherText) || in_(Tag::TextContent) => {
                self.text.text = text.to_owned();
            }
            Tag::PublishingRole if in_(Tag::Publisher) => {
                self.publisher.0 = value().unwrap_or_default();
            }
            Tag::PublisherName if in_(Tag::Publisher) => {
                self.publisher.1 = value().unwrap_or_default();
            }
            Tag::ImprintName if in_(Tag::Imprint) => p.imprints.extend(value()),
            Tag::PublishingDateRole if in_(Tag::PublishingDate) => {
                self.date.0 = value().unwrap_or_default();
            }
            Tag::Date if in_(Tag::PublishingDate) => self.date.1 = value().unwrap_or_default(),
            Tag::AvailabilityCode if in_(Tag::SupplyDetail) => {
                self.supply.availability_code = value();
            }
            Tag::ProductAvailability if in_(Tag::SupplyDetail) => {
                self.supply.product_availability = value();
            }
            Tag::UnpricedItemType if in_(Tag::SupplyDetail) => self.supply.unpriced = value(),
            Tag::PriceTypeCode
            | Tag::PriceAmount
            | Tag::CurrencyCode
            | Tag::CountryCode
            | Tag::Territory
                if parent.is_some_and(|(t, _)| t == Tag::Price)
                    && grandparent == Some((Tag::SupplyDetail, true)) =>
            {
                let price = &mut self.price;
                match tag {
                    Tag::PriceTypeCode => price.kind = value(),
                    Tag::PriceAmount => price.amount = value(),
                    Tag::CurrencyCode => price.currency = value(),
                    // 2.1 CountryCode and Territory (text); 3.0 Territory is a composite.
                    _ => price
                        .countries
                        .extend(text.split_whitespace().map(str::to_owned)),
                }
            }
            Tag::CountriesIncluded
                if parent.is_some_and(|(t, _)| t == Tag::Territory)
                    && grandparent.is_some_and(|(t, _)| t == Tag::Price) =>
            {
                self.price
                    .countries
                    .extend(text.split_whitespace().map(str::to_owned));
            }
            Tag::MeasureType if in_(Tag::Measure) => {
                self.measure.kind = value().unwrap_or_default();
            }
            Tag::Measurement if in_(Tag::Measure) => {
                self.measure.value = value().unwrap_or_default();
            }
            Tag::MeasureUnitCode if in_(Tag::Measure) => {
                self.measure.unit = value().unwrap_or_default();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
