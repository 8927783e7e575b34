//! `csv`: book tables in CSV (Goodreads / goodbooks exports, Book-Crossing, the Gutenberg
//! catalog, spreadsheets), with a header row naming the columns.
//!
//! **Delimiter**: `,`, `;` or tab, detected from the header line (the most frequent of the three
//! outside quotes) unless [`CsvOptions::delimiter`] says. Standard CSV quoting (`"…"`, `""`).
//!
//! **Encoding**: UTF-8 (a leading BOM is dropped); a row that is not valid UTF-8 is decoded as
//! windows-1252 (a superset of Latin-1), row by row, so a mostly-UTF-8 file with a few Latin-1
//! rows reads right ([`Encoding::Auto`], the default). [`Encoding::Utf8`] rejects such rows;
//! [`Encoding::Windows1252`] decodes every row as windows-1252.
//!
//! **Columns** are matched by name, ignoring case and everything but letters and digits
//! (`Book-Title` = `book_title` = `BookTitle`); the first alias in this table that the header
//! has wins, except for ISBNs, where every ISBN column is read:
//!
//! | field | column names | becomes |
//! |---|---|---|
//! | id | `book_id`, `bookID`, `id`, `gutenberg_id`, `goodreads_book_id`, `record_id` | source key `csv:<name>:<id>` |
//! | title | `title`, `book_title` (`Book-Title`), `original_title` (the first non-empty) | `title` (+ `subtitle`, see below) |
//! | subtitle | `subtitle` | `subtitle` |
//! | authors (a list) | `authors`, `creators` | `authors`, split on `/`, `;` or `\|` when the value has one, else on `,` |
//! | author (one name) | `author`, `Book-Author`, `creator`, `author_name` | `authors`: split on `;` only; `Surname, Forename` is turned to `Forename Surname` |
//! | isbn | `isbn`, `isbn13`, `isbn_13`, `isbn10`, `isbn_10` | `ISBN_13` + `ISBN_10` |
//! | publisher | `publisher`, `publisher_name` | `publisher` |
//! | date | `publication_date`, `publish_date`, `published_date`, `date`, `Year-Of-Publication`, `year`, `publication_year`, `original_publication_year` | `publishedDate` |
//! | language | `language_code`, `language`, `lang` | `language` (two letters when one exists) |
//! | pages | `num_pages`, `pages`, `page_count`, `number_of_pages` | `pageCount` (0 = unknown) |
//! | description | `description`, `summary`, `synopsis` | `description` |
//! | categories | `categories`, `subjects`, `subject`, `tags`, `genres`, `genre`, `bookshelf`, `gutenberg_bookshelf` | `categories`, split on `;`, `\|` or `/` (a `Category: ` prefix is dropped) |
//! | rating | `average_rating`, `rating` | `averageRating` |
//! | ratings count | `ratings_count` | `ratingsCount` |
//! | thumbnail | `image_url`, `Image-URL-M`, `thumbnail`, `cover_url` | `imageLinks.thumbnail` |
//! | small thumbnail | `small_image_url`, `Image-URL-S`, `small_thumbnail` | `imageLinks.smallThumbnail` |
//! | large image | `Image-URL-L` | `imageLinks.medium` |
//! | rights | `rights` | a value starting "Public domain" gives public-domain access and a free e-book sale |
//! | has text | `has_text` | `False` withholds the free e-book sale above (Gutenberg entries without files) |
//!
//! Any field can be pointed at other columns with [`CsvOptions::parse_mapping`]
//! (`title=Name,authors=Writers,isbn=#3` — `#N` is the N-th column, from 1); a mapped field
//! uses only the columns given. A header made only of the column numbers `0;1;…;7` (the
//! Book-Crossing table as re-saved by pandas) is read as Book-Crossing's column order
//! (`ISBN;Book-Title;Book-Author;Year-Of-Publication;Publisher;Image-URL-S;Image-URL-M;Image-URL-L`).
//!
//! **Values**: whitespace runs are collapsed and a few HTML entities (`&amp;`, `&quot;`,
//! `&#39;`, `&#NNN;` …) decoded. Titles holding a line break (Gutenberg: title, then subtitle)
//! or a MARC subfield mark (`Peter Pan : $b [Peter and Wendy]`) are split into title and
//! subtitle. Authors written in capitals with a space (`TAMI HOAG`) are given title case.
//! ISBNs: a value in scientific notation (`9.78043902348e+12`, digits lost) or with a decimal
//! point is ignored (the row is kept); an all-digit value of 7–9 characters is an ISBN-10 that
//! lost its leading zeros and is padded back to 10 before its check digit is tested. Dates:
//! `M/D/YYYY` (US order; `D/M/YYYY` when the first number exceeds 12) becomes `YYYY-MM-DD`, a
//! year written as a float (`1997.0`) becomes `1997`, anything else goes through
//! [`normalize_date`]; years outside 1000–2999 (`0`, BCE years) are dropped. Languages: `eng`,
//! `en-US`, `en_GB`, `en/es` → `en` (the first of a list). Image URLs of Goodreads' "nophoto"
//! placeholder are dropped. `printType` is always `BOOK`.
//!
//! **Keys**: `csv:<name>:<id>`, where `<name>` is [`CsvOptions::source_name`] (by default the file
//! name without `.gz` / `.csv`, see [`read_path`]); without an id column (or an empty id) the
//! key is `csv:<name>:isbn:<ISBN-13>`, and without a valid ISBN `csv:<name>:line:<N>`.
//!
//! **Rows**: consecutive rows with the same id are one book (the Gutenberg catalog has a row
//! per author): they are merged into one record, adding the later rows' authors, categories
//! and ISBNs; their other values are taken from the first row. A row with a wrong number of
//! fields, or without a title, is rejected as `line N` with the reason, and reading continues.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use colophon_domain::Isbn;
use colophon_types::ImageLinks;

use crate::source::{free_ebook_sale, normalize_date, parse_isbn, public_domain_access};
use crate::{Rejected, SourceRecord};

/// How the bytes of the file are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8, falling back to windows-1252 for a row that is not valid UTF-8.
    #[default]
    Auto,
    /// UTF-8 only: a row that is not valid UTF-8 is rejected.
    Utf8,
    /// windows-1252 (Latin-1) for every row.
    Windows1252,
}

/// A book field a column can feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The row's stable id, for the source key.
    Id,
    /// Title.
    Title,
    /// Subtitle.
    Subtitle,
    /// A list of authors (`A, B` or `A/B` or `A; B`).
    Authors,
    /// One author per cell (`Surname, Forename` allowed); `;` separates several.
    Author,
    /// ISBN-10 or ISBN-13.
    Isbn,
    /// Publisher.
    Publisher,
    /// Publication date or year.
    Date,
    /// Language code.
    Language,
    /// Page count.
    Pages,
    /// Description.
    Description,
    /// Categories, subjects, tags.
    Categories,
    /// Average rating.
    AverageRating,
    /// Number of ratings.
    RatingsCount,
    /// Cover thumbnail URL.
    Thumbnail,
    /// Small cover thumbnail URL.
    SmallThumbnail,
    /// Larger cover URL.
    LargeImage,
    /// Rights statement.
    Rights,
    /// Whether a digitized text exists (`True`/`False`).
    HasText,
}

const FIELDS: [Field; 19] = [
    Field::Id,
    Field::Title,
    Field::Subtitle,
    Field::Authors,
    Field::Author,
    Field::Isbn,
    Field::Publisher,
    Field::Date,
    Field::Language,
    Field::Pages,
    Field::Description,
    Field::Categories,
    Field::AverageRating,
    Field::RatingsCount,
    Field::Thumbnail,
    Field::SmallThumbnail,
    Field::LargeImage,
    Field::Rights,
    Field::HasText,
];

impl Field {
    /// The name used in `--map` (`title`, `authors`, `author`, `isbn`, `publisher`, `date`,
    /// `language`, `pages`, `description`, `categories`, `rating`, `ratings_count`,
    /// `thumbnail`, `small_thumbnail`, `large_image`, `rights`, `has_text`, `id`, `subtitle`).
    pub fn name(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Title => "title",
            Field::Subtitle => "subtitle",
            Field::Authors => "authors",
            Field::Author => "author",
            Field::Isbn => "isbn",
            Field::Publisher => "publisher",
            Field::Date => "date",
            Field::Language => "language",
            Field::Pages => "pages",
            Field::Description => "description",
            Field::Categories => "categories",
            Field::AverageRating => "rating",
            Field::RatingsCount => "ratings_count",
            Field::Thumbnail => "thumbnail",
            Field::SmallThumbnail => "small_thumbnail",
            Field::LargeImage => "large_image",
            Field::Rights => "rights",
            Field::HasText => "has_text",
        }
    }

    /// Built-in column names, normalised (lowercase letters and digits), in priority order.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Id => &["bookid", "id", "gutenbergid", "goodreadsbookid", "recordid"],
            Field::Title => &["title", "booktitle", "originaltitle"],
            Field::Subtitle => &["subtitle"],
            Field::Authors => &["authors", "creators"],
            Field::Author => &["author", "bookauthor", "creator", "authorname"],
            Field::Isbn => &["isbn", "isbn13", "isbn10"],
            Field::Publisher => &["publisher", "publishername"],
            Field::Date => &[
                "publicationdate",
                "publishdate",
                "publisheddate",
                "date",
                "yearofpublication",
                "year",
                "publicationyear",
                "originalpublicationyear",
            ],
            Field::Language => &["languagecode", "language", "lang"],
            Field::Pages => &["numpages", "pages", "pagecount", "numberofpages"],
            Field::Description => &["description", "summary", "synopsis"],
            Field::Categories => &[
                "categories",
                "subjects",
                "subject",
                "tags",
                "genres",
                "genre",
                "bookshelf",
                "gutenbergbookshelf",
            ],
            Field::AverageRating => &["averagerating", "rating"],
            Field::RatingsCount => &["ratingscount"],
            Field::Thumbnail => &["imageurl", "imageurlm", "thumbnail", "coverurl"],
            Field::SmallThumbnail => &["smallimageurl", "imageurls", "smallthumbnail"],
            Field::LargeImage => &["imageurll"],
            Field::Rights => &["rights"],
            Field::HasText => &["hastext"],
        }
    }

    fn from_name(name: &str) -> Option<Field> {
        let n = normalize_header(name);
        FIELDS
            .into_iter()
            .find(|f| normalize_header(f.name()) == n)
            .or(match n.as_str() {
                "subjects" | "tags" => Some(Field::Categories),
                "averagerating" => Some(Field::AverageRating),
                "publisheddate" | "publicationdate" | "year" => Some(Field::Date),
                "pagecount" | "numpages" => Some(Field::Pages),
                "bookid" | "key" => Some(Field::Id),
                _ => None,
            })
    }
}

/// Where a mapped field reads from: a column name or a 1-based position (`#3`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// Matched by name (case and punctuation ignored).
    Name(String),
    /// The N-th column, counting from 1.
    Position(usize),
}

/// How to read a CSV table.
#[derive(Debug, Clone, Default)]
pub struct CsvOptions {
    /// Field delimiter; `None` detects `,`, `;` or tab from the header line.
    pub delimiter: Option<u8>,
    /// How bytes are decoded.
    pub encoding: Encoding,
    /// Explicit column mapping; a field named here ignores its built-in aliases.
    pub mapping: Vec<(Field, Vec<Column>)>,
    /// The `<name>` in source keys `csv:<name>:<id>`; [`read_path`] sets it from the file name
    /// when empty. Give distinct names to tables whose ids could collide (two `books.csv`).
    pub source_name: Option<String>,
}

impl CsvOptions {
    /// Parses `title=Col,authors=Col2,isbn=#3` (a field may be given several times, or as
    /// `isbn=A|B`, to read several columns in priority order).
    pub fn parse_mapping(spec: &str) -> Result<Vec<(Field, Vec<Column>)>, String> {
        let mut out: Vec<(Field, Vec<Column>)> = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, cols) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}`: expected field=column"))?;
            let field = Field::from_name(field.trim()).ok_or_else(|| {
                format!(
                    "`{}`: unknown field (known: {})",
                    field.trim(),
                    FIELDS.map(Field::name).join(", ")
                )
            })?;
            let mut columns = Vec::new();
            for col in cols.split('|').map(str::trim) {
                if col.is_empty() {
                    return Err(format!("`{part}`: empty column name"));
                }
                columns.push(match col.strip_prefix('#') {
                    Some(n) => match n.parse::<usize>() {
                        Ok(n) if n >= 1 => Column::Position(n),
                        _ => return Err(format!("`{col}`: column positions start at #1")),
                    },
                    None => Column::Name(col.to_owned()),
                });
            }
            match out.iter_mut().find(|(f, _)| *f == field) {
                Some((_, existing)) => existing.extend(columns),
                None => out.push((field, columns)),
            }
        }
        Ok(out)
    }
}

/// Reads a CSV file (plain or `.gz`); the source name defaults to the file name without
/// `.gz` and `.csv`/`.tsv`/`.txt` (`BX-Books.partial.csv.gz` → `BX-Books.partial`).
pub fn read_path(
    path: &Path,
    options: &CsvOptions,
) -> std::io::Result<impl Iterator<Item = Result<SourceRecord, Rejected>> + Send> {
    let input = crate::open_input(path)?;
    let mut options = options.clone();
    if options.source_name.as_deref().is_none_or(str::is_empty) {
        options.source_name = Some(file_stem(path));
    }
    Ok(read(input, &options))
}

/// A table's file name without `.gz` and `.csv`/`.tsv`/`.txt` (`BX-Books.partial.csv.gz` →
/// `BX-Books.partial`).
pub fn file_stem(path: &Path) -> String {
    let mut name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for ext in [".gz", ".csv", ".tsv", ".txt"] {
        if name.len() > ext.len() && name.to_ascii_lowercase().ends_with(ext) {
            name.truncate(name.len() - ext.len());
        }
    }
    name
}

/// Streams the books of a CSV table: one record per row (or run of rows sharing an id), or
/// the reason a row was rejected.
pub fn read(
    input: impl Read + Send + 'static,
    options: &CsvOptions,
) -> impl Iterator<Item = Result<SourceRecord, Rejected>> + Send {
    CsvRows::new(Box::new(input), options)
}

struct Plan {
    /// Column indexes for each field, in priority order.
    columns: Vec<(Field, Vec<usize>)>,
    width: usize,
}

impl Plan {
    fn cols(&self, field: Field) -> &[usize] {
        self.columns
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, c)| c.as_slice())
            .unwrap_or(&[])
    }
}

const BX_COLUMNS: [&str; 8] = [
    "ISBN",
    "Book-Title",
    "Book-Author",
    "Year-Of-Publication",
    "Publisher",
    "Image-URL-S",
    "Image-URL-M",
    "Image-URL-L",
];

fn normalize_header(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn make_plan(header: &[String], options: &CsvOptions) -> Result<Plan, String> {
    let mut names: Vec<String> = header.iter().map(|h| normalize_header(h)).collect();
    let numbered = names.len() == BX_COLUMNS.len()
        && names.iter().enumerate().all(|(i, n)| *n == i.to_string());
    if numbered {
        names = BX_COLUMNS.iter().map(|n| normalize_header(n)).collect();
    }
    let mut columns = Vec::new();
    for field in FIELDS {
        let cols: Vec<usize> = match options.mapping.iter().find(|(f, _)| *f == field) {
            Some((_, mapped)) => {
                let mut cols = Vec::new();
                for c in mapped {
                    let idx = match c {
                        Column::Position(n) => (*n <= names.len()).then(|| n - 1),
                        Column::Name(name) => {
                            let want = normalize_header(name);
                            header
                                .iter()
                                .position(|h| normalize_header(h) == want)
                                .or_else(|| names.iter().position(|h| *h == want))
                        }
                    };
                    match idx {
                        Some(i) => cols.push(i),
                        None => {
                            return Err(format!(
                                "mapping {}={}: no such column",
                                field.name(),
                                match c {
                                    Column::Name(n) => n.clone(),
                                    Column::Position(p) => format!("#{p}"),
                                }
                            ))
                        }
                    }
                }
                cols
            }
            None => field
                .aliases()
                .iter()
                .flat_map(|alias| {
                    names
                        .iter()
                        .enumerate()
                        .filter(move |(_, n)| n == alias)
                        .map(|(i, _)| i)
                })
                .collect(),
        };
        if !cols.is_empty() {
            columns.push((field, cols));
        }
    }
    let plan = Plan {
        columns,
        width: header.len(),
    };
    if plan.cols(Field::Title).is_empty() {
        return Err(format!(
            "no title column among {:?} (name one with a mapping, e.g. title=Name)",
            header
        ));
    }
    Ok(plan)
}

fn detect_delimiter(line: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// A decoded row.
enum Row {
    Utf8(csv::StringRecord),
    Decoded(Vec<String>),
}

impl Row {
    fn get(&self, i: usize) -> &str {
        match self {
            Row::Utf8(r) => r.get(i).unwrap_or(""),
            Row::Decoded(v) => v.get(i).map(String::as_str).unwrap_or(""),
        }
    }
}

type Source =
    csv::Reader<std::io::Chain<std::io::Cursor<Vec<u8>>, BufReader<Box<dyn Read + Send>>>>;

struct CsvRows {
    reader: Option<Source>,
    plan: Option<Plan>,
    encoding: Encoding,
    name: String,
    out: VecDeque<Result<SourceRecord, Rejected>>,
    /// The last record read, held back in case the next row continues it (same id).
    pending: Option<(String, SourceRecord)>,
    record: csv::ByteRecord,
    started: bool,
    input: Option<Box<dyn Read + Send>>,
    delimiter: Option<u8>,
    options_mapping: CsvOptions,
}

impl CsvRows {
    fn new(input: Box<dyn Read + Send>, options: &CsvOptions) -> Self {
        CsvRows {
            reader: None,
            plan: None,
            encoding: options.encoding,
            name: options
                .source_name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "input".into()),
            out: VecDeque::new(),
            pending: None,
            record: csv::ByteRecord::new(),
            started: false,
            input: Some(input),
            delimiter: options.delimiter,
            options_mapping: options.clone(),
        }
    }

    /// Reads the header line, picks the delimiter and maps the columns.
    fn start(&mut self) {
        self.started = true;
        let Some(input) = self.input.take() else {
            return;
        };
        let mut buffered = BufReader::with_capacity(1 << 16, input);
        let mut first = Vec::new();
        if let Err(e) = buffered.read_until(b'\n', &mut first) {
            self.fail("line 1", format!("cannot read the input: {e}"));
            return;
        }
        if first.starts_with(b"\xEF\xBB\xBF") {
            first.drain(..3);
        }
        if first.iter().all(u8::is_ascii_whitespace) {
            self.fail("line 1", "no header row".into());
            return;
        }
        let delimiter = self.delimiter.unwrap_or_else(|| detect_delimiter(&first));
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(std::io::Cursor::new(first).chain(buffered));
        let mut header = csv::ByteRecord::new();
        match reader.read_byte_record(&mut header) {
            Ok(true) => {}
            Ok(false) => {
                self.fail("line 1", "no header row".into());
                return;
            }
            Err(e) => {
                self.fail("line 1", format!("cannot read the header: {e}"));
                return;
            }
        }
        let header: Vec<String> = match decode(&header, self.encoding) {
            Some(Row::Utf8(r)) => r.iter().map(|s| s.trim().to_owned()).collect(),
            Some(Row::Decoded(v)) => v.into_iter().map(|s| s.trim().to_owned()).collect(),
            None => {
                self.fail("line 1", "the header is not valid UTF-8".into());
                return;
            }
        };
        match make_plan(&header, &self.options_mapping) {
            Ok(plan) => {
                self.plan = Some(plan);
                self.reader = Some(reader);
            }
            Err(reason) => self.fail("line 1", reason),
        }
    }

    fn fail(&mut self, position: &str, reason: String) {
        self.out.push_back(Err(Rejected {
            position: position.to_owned(),
            reason,
        }));
        self.reader = None;
    }

    /// Reads rows until something is ready to hand out (or the input ends).
    fn fill(&mut self) {
        while self.out.is_empty() {
            let Some(reader) = self.reader.as_mut() else {
                if let Some((_, r)) = self.pending.take() {
                    self.out.push_back(Ok(r));
                }
                return;
            };
            let line_of = |rec: &csv::ByteRecord| rec.position().map_or(0, |p| p.line());
            match reader.read_byte_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => {
                    self.reader = None;
                    continue;
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    if let Some((_, r)) = self.pending.take() {
                        self.out.push_back(Ok(r));
                    }
                    self.fail(&format!("line {line}"), format!("cannot read further: {e}"));
                    return;
                }
            }
            let line = line_of(&self.record);
            let Some(plan) = self.plan.as_ref() else {
                return;
            };
            let result = if self.record.len() != plan.width {
                Err(format!(
                    "expected {} fields, found {}",
                    plan.width,
                    self.record.len()
                ))
            } else {
                match decode(&self.record, self.encoding) {
                    Some(row) => build(&row, plan, &self.name, line),
                    None => Err("not valid UTF-8".into()),
                }
            };
            match result {
                Ok((id, record)) => {
                    if let Some((pending_id, pending)) = self.pending.as_mut() {
                        if !id.is_empty() && *pending_id == id {
                            merge(pending, record);
                            continue;
                        }
                    }
                    if let Some((_, r)) = self.pending.replace((id, record)) {
                        self.out.push_back(Ok(r));
                    }
                }
                Err(reason) => {
                    if let Some((_, r)) = self.pending.take() {
                        self.out.push_back(Ok(r));
                    }
                    self.out.push_back(Err(Rejected {
                        position: format!("line {line}"),
                        reason,
                    }));
                }
            }
        }
    }
}

impl Iterator for CsvRows {
    type Item = Result<SourceRecord, Rejected>;

    fn next(&mut self) -> Option<Self::Item> {
        if !self.started {
            self.start();
        }
        if self.out.is_empty() {
            self.fill();
        }
        self.out.pop_front()
    }
}

fn decode(record: &csv::ByteRecord, encoding: Encoding) -> Option<Row> {
    let latin = |r: &csv::ByteRecord| {
        Row::Decoded(
            r.iter()
                .map(|f| {
                    encoding_rs::WINDOWS_1252
                        .decode_without_bom_handling(f)
                        .0
                        .into_owned()
                })
                .collect(),
        )
    };
    match encoding {
        Encoding::Windows1252 => Some(latin(record)),
        Encoding::Utf8 | Encoding::Auto => {
            match csv::StringRecord::from_byte_record(record.clone()) {
                Ok(r) => Some(Row::Utf8(r)),
                Err(_) if encoding == Encoding::Auto => Some(latin(record)),
                Err(_) => None,
            }
        }
    }
}

/// Builds the record of one row; returns its explicit id ("" when none) and the record.
fn build(row: &Row, plan: &Plan, name: &str, line: u64) -> Result<(String, SourceRecord), String> {
    let first = |field: Field| -> Option<Cow<'_, str>> {
        plan.cols(field)
            .iter()
            .map(|&i| row.get(i).trim())
            .find(|v| !v.is_empty())
            .map(clean_text)
    };
    let Some(raw_title) = plan
        .cols(Field::Title)
        .iter()
        .map(|&i| row.get(i).trim())
        .find(|v| !v.is_empty())
    else {
        return Err("no title".into());
    };
    let mut record = SourceRecord::new(String::new());
    let (title, subtitle) = split_title_lines(raw_title);
    let title = clean_text(&title).into_owned();
    if title.is_empty() {
        return Err("no title".into());
    }
    record.volume_info.title = Some(title);
    record.volume_info.subtitle = first(Field::Subtitle)
        .map(Cow::into_owned)
        .or_else(|| subtitle.map(|s| clean_text(&s).into_owned()));
    for &i in plan.cols(Field::Authors) {
        for name in split_list(row.get(i), &[',']) {
            record.add_author(&author_case(&clean_text(name)));
        }
    }
    for &i in plan.cols(Field::Author) {
        for name in row.get(i).split(';') {
            record.add_author(&author_case(&display_name(&clean_text(name.trim()))));
        }
    }
    for &i in plan.cols(Field::Isbn) {
        if let Some(isbn) = table_isbn(row.get(i)) {
            record.add_isbn(isbn.isbn13());
        }
    }
    record.volume_info.publisher = first(Field::Publisher).map(Cow::into_owned);
    record.volume_info.published_date = plan
        .cols(Field::Date)
        .iter()
        .find_map(|&i| table_date(row.get(i)));
    record.volume_info.language = first(Field::Language).and_then(|l| language_code(&l));
    record.volume_info.page_count = first(Field::Pages)
        .and_then(|p| leading_int(&p))
        .filter(|&p| p > 0);
    record.volume_info.description = first(Field::Description).map(Cow::into_owned);
    for &i in plan.cols(Field::Categories) {
        for c in split_list(row.get(i), &['/']) {
            let c = clean_text(c);
            record.add_category(c.strip_prefix("Category:").unwrap_or(&c));
        }
    }
    record.volume_info.average_rating = first(Field::AverageRating)
        .and_then(|r| r.parse::<f64>().ok())
        .filter(|r| r.is_finite() && (0.0..=5.0).contains(r));
    record.volume_info.ratings_count = first(Field::RatingsCount)
        .and_then(|r| r.parse::<f64>().ok())
        .filter(|r| r.is_finite() && *r >= 0.0)
        .map(|r| r.min(f64::from(i32::MAX)) as i32);
    let url = |field: Field| {
        first(field)
            .filter(|u| {
                (u.starts_with("http://") || u.starts_with("https://")) && !u.contains("/nophoto/")
            })
            .map(Cow::into_owned)
    };
    let links = ImageLinks {
        small_thumbnail: url(Field::SmallThumbnail),
        thumbnail: url(Field::Thumbnail),
        medium: url(Field::LargeImage),
        ..ImageLinks::default()
    };
    if links != ImageLinks::default() {
        record.volume_info.image_links = Some(links);
    }
    if first(Field::Rights).is_some_and(|r| r.to_ascii_lowercase().starts_with("public domain")) {
        record.access_info = Some(public_domain_access());
        let has_text = first(Field::HasText).is_none_or(|t| !t.eq_ignore_ascii_case("false"));
        if has_text {
            record.sale_info = Some(free_ebook_sale());
        }
    }
    record.volume_info.print_type = Some("BOOK".into());
    let id = first(Field::Id).map(Cow::into_owned).unwrap_or_default();
    record.source_key = if !id.is_empty() {
        format!("csv:{name}:{id}")
    } else if let Some(isbn) = record
        .volume_info
        .industry_identifiers
        .as_ref()
        .and_then(|ids| ids.iter().find(|i| i.kind == "ISBN_13"))
    {
        format!("csv:{name}:isbn:{}", isbn.identifier)
    } else {
        format!("csv:{name}:line:{line}")
    };
    Ok((id, record))
}

/// Adds the authors, categories and identifiers of a continuation row.
fn merge(into: &mut SourceRecord, from: SourceRecord) {
    let mut other = from.volume_info;
    for a in other.authors.take().unwrap_or_default() {
        into.add_author(&a);
    }
    for c in other.categories.take().unwrap_or_default() {
        into.add_category(&c);
    }
    for i in other.industry_identifiers.take().unwrap_or_default() {
        into.add_identifier(&i.kind, &i.identifier);
    }
    let info = &mut into.volume_info;
    info.publisher = info.publisher.take().or(other.publisher);
    info.published_date = info.published_date.take().or(other.published_date);
    info.language = info.language.take().or(other.language);
    info.description = info.description.take().or(other.description);
}

/// Splits a list cell: on `/`, `;` or `|` when the value has one (the first found in that
/// order), else on the fallback separators.
fn split_list<'a>(value: &'a str, fallback: &[char]) -> Vec<&'a str> {
    let sep: Vec<char> = [';', '|', '/']
        .into_iter()
        .find(|c| value.contains(*c))
        .map(|c| vec![c])
        .unwrap_or_else(|| fallback.to_vec());
    value
        .split(|c| sep.contains(&c))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Collapses whitespace runs and decodes common HTML entities.
fn clean_text(raw: &str) -> Cow<'_, str> {
    let raw = raw.trim();
    let needs_space = raw
        .as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_whitespace() && w[1].is_ascii_whitespace())
        || raw.bytes().any(|b| matches!(b, b'\t' | b'\r' | b'\n'));
    let needs_entities = raw.contains('&') && raw.contains(';');
    if !needs_space && !needs_entities {
        return Cow::Borrowed(raw);
    }
    let mut s = if needs_space {
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        raw.to_owned()
    };
    if needs_entities {
        s = decode_entities(&s);
    }
    Cow::Owned(s)
}

pub(crate) fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail
            .char_indices()
            .skip(1)
            .take(10)
            .find(|&(_, c)| c == ';')
            .map(|(e, _)| e);
        let decoded = end.and_then(|e| {
            let name = tail.get(1..e)?;
            let c = match name {
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Splits "Title\nSubtitle" and "Title : $b subtitle" (MARC subfield marks) into title and
/// subtitle.
fn split_title(raw: &str) -> (String, Option<String>) {
    let (head, tail) = if let Some((a, b)) = raw.split_once("$b") {
        (a, Some(b))
    } else {
        (raw, None)
    };
    let strip_marks = |s: &str| -> String {
        let mut out = String::with_capacity(s.len());
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '$' && chars.peek().is_some_and(|n| n.is_ascii_lowercase()) {
                if let Some(&n) = chars.peek() {
                    if matches!(n, 'a'..='h' | 'n' | 'p') {
                        chars.next();
                        continue;
                    }
                }
            }
            out.push(c);
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let title = strip_marks(head)
        .trim_end_matches([' ', ':', '/', ';', '='])
        .to_owned();
    let subtitle = tail
        .map(strip_marks)
        .map(|s| s.trim_matches([' ', ':', '/', ';']).to_owned())
        .filter(|s| !s.is_empty());
    (title, subtitle)
}

fn split_title_lines(raw: &str) -> (String, Option<String>) {
    match raw.split_once('\n') {
        Some((first, rest)) => {
            let (title, sub1) = split_title(first.trim_end_matches('\r'));
            let rest: Vec<&str> = rest
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            let sub = match (sub1, rest.is_empty()) {
                (s, true) => s,
                (Some(s), false) => Some(format!("{s}: {}", rest.join(": "))),
                (None, false) => Some(rest.join(": ")),
            };
            (title, sub)
        }
        None => split_title(raw),
    }
}

/// `Surname, Forename` → `Forename Surname` (a parenthesised fuller form is dropped:
/// `Gilbert, W. S. (William Schwenck)` → `W. S. Gilbert`); `Alger, Horatio, Jr.` →
/// `Horatio Alger, Jr.`. Names without a comma are returned as they are.
pub fn display_name(name: &str) -> String {
    let name = name.trim();
    let Some((surname, rest)) = name.split_once(',') else {
        return name.to_owned();
    };
    let (forename, suffix) = match rest.split_once(',') {
        Some((f, s)) => (f, Some(s.trim())),
        None => (rest, None),
    };
    let mut forename = forename.trim().to_owned();
    if let (Some(open), true) = (forename.find('('), forename.ends_with(')')) {
        forename.truncate(open);
    }
    let mut forename = forename.trim().to_owned();
    // A trailing full stop is catalogue punctuation unless it ends an initial (`Micah L.`).
    if forename.ends_with('.')
        && forename
            .rsplit(' ')
            .next()
            .is_some_and(|w| w.chars().count() > 2)
    {
        forename.pop();
    }
    let surname = surname.trim();
    if forename.is_empty() || surname.is_empty() {
        return name.trim_matches([',', ' ']).to_owned();
    }
    match suffix.filter(|s| !s.is_empty()) {
        Some(s) => format!("{forename} {surname}, {s}"),
        None => format!("{forename} {surname}"),
    }
}

/// `TAMI HOAG` → `Tami Hoag` (only names in capitals with at least two words).
fn author_case(name: &str) -> String {
    let letters = name.chars().filter(|c| c.is_alphabetic());
    let all_upper = letters.clone().count() > 3 && letters.clone().all(char::is_uppercase);
    if !all_upper || !name.contains(' ') {
        return name.to_owned();
    }
    let mut out = String::with_capacity(name.len());
    let mut start = true;
    for c in name.chars() {
        if c.is_alphabetic() {
            if start {
                out.push(c);
            } else {
                out.extend(c.to_lowercase());
            }
            start = false;
        } else {
            out.push(c);
            start = matches!(c, ' ' | '-' | '.' | '\'');
        }
    }
    out
}

/// An ISBN from a table cell, tolerating lost leading zeros; None for scientific notation.
fn table_isbn(raw: &str) -> Option<Isbn> {
    let v = raw.trim();
    if v.is_empty() || v.contains(['e', 'E', '.']) {
        return None;
    }
    let compact: String = v.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    let digits_body = compact
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || (i + 1 == compact.len() && matches!(c, 'x' | 'X')));
    if digits_body && (7..=9).contains(&compact.len()) {
        let padded = format!("{compact:0>10}");
        return Isbn::parse(&padded).ok();
    }
    parse_isbn(v)
}

/// A date cell: `M/D/YYYY`, a float year `1997.0`, or whatever [`normalize_date`] reads.
fn table_date(raw: &str) -> Option<String> {
    let v = raw.trim();
    if v.is_empty() {
        return None;
    }
    let parts: Vec<&str> = v.split('/').collect();
    if let [a, b, y] = parts.as_slice() {
        let (a, b, y) = (
            a.trim().parse::<u32>().ok()?,
            b.trim().parse::<u32>().ok()?,
            y.trim(),
        );
        let year = y
            .parse::<u32>()
            .ok()
            .filter(|y| (1000..=2999).contains(y))?;
        let (m, d) = if a > 12 && b <= 12 { (b, a) } else { (a, b) };
        return if (1..=12).contains(&m) && (1..=31).contains(&d) {
            Some(format!("{year}-{m:02}-{d:02}"))
        } else {
            Some(year.to_string())
        };
    }
    if let Ok(f) = v.parse::<f64>() {
        return (f.fract() == 0.0 && (1000.0..3000.0).contains(&f))
            .then(|| format!("{}", f as u32));
    }
    normalize_date(v)
}

fn leading_int(raw: &str) -> Option<i32> {
    let t = raw.trim();
    if let Ok(f) = t.parse::<f64>() {
        return (0.0..1e6).contains(&f).then_some(f as i32);
    }
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// A language as Google gives it: the ISO 639-1 two-letter code when one exists (`eng`,
/// `en-US`, `English` → `en`), else the three-letter code (`grc`, `mul`). None when the value
/// is not a language code.
pub fn language_code(raw: &str) -> Option<String> {
    let first = raw
        .trim()
        .split(['-', '_', '/', ';', ',', ' ', '|'])
        .next()?
        .to_ascii_lowercase();
    if !first.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    match first.len() {
        2 => Some(first),
        3 => Some(
            LANGUAGES
                .iter()
                .find(|(three, _)| three.split('|').any(|t| t == first))
                .map(|(_, two)| (*two).to_owned())
                .unwrap_or(first),
        ),
        _ => LANGUAGE_NAMES
            .iter()
            .find(|(name, _)| *name == first)
            .map(|(_, two)| (*two).to_owned()),
    }
}

/// ISO 639-2 (bibliographic `B` and terminology `T` forms, as MARC and ONIX use them) to
/// ISO 639-1.
const LANGUAGES: &[(&str, &str)] = &[
    ("eng", "en"),
    ("fre|fra", "fr"),
    ("ger|deu", "de"),
    ("spa", "es"),
    ("ita", "it"),
    ("por", "pt"),
    ("dut|nld", "nl"),
    ("rus", "ru"),
    ("chi|zho", "zh"),
    ("jpn", "ja"),
    ("kor", "ko"),
    ("ara", "ar"),
    ("heb", "he"),
    ("gre|ell", "el"),
    ("lat", "la"),
    ("swe", "sv"),
    ("dan", "da"),
    ("nor", "no"),
    ("nob", "nb"),
    ("nno", "nn"),
    ("fin", "fi"),
    ("ice|isl", "is"),
    ("pol", "pl"),
    ("cze|ces", "cs"),
    ("slo|slk", "sk"),
    ("slv", "sl"),
    ("hun", "hu"),
    ("rum|ron", "ro"),
    ("bul", "bg"),
    ("hrv", "hr"),
    ("srp", "sr"),
    ("bos", "bs"),
    ("mac|mkd", "mk"),
    ("alb|sqi", "sq"),
    ("ukr", "uk"),
    ("bel", "be"),
    ("lit", "lt"),
    ("lav", "lv"),
    ("est", "et"),
    ("tur", "tr"),
    ("per|fas", "fa"),
    ("hin", "hi"),
    ("ben", "bn"),
    ("urd", "ur"),
    ("pan", "pa"),
    ("guj", "gu"),
    ("mar", "mr"),
    ("tam", "ta"),
    ("tel", "te"),
    ("kan", "kn"),
    ("mal", "ml"),
    ("san", "sa"),
    ("nep", "ne"),
    ("sin", "si"),
    ("tha", "th"),
    ("vie", "vi"),
    ("ind", "id"),
    ("may|msa", "ms"),
    ("tgl", "tl"),
    ("wel|cym", "cy"),
    ("gle", "ga"),
    ("gla", "gd"),
    ("bre", "br"),
    ("baq|eus", "eu"),
    ("cat", "ca"),
    ("glg", "gl"),
    ("epo", "eo"),
    ("afr", "af"),
    ("swa", "sw"),
    ("arm|hye", "hy"),
    ("geo|kat", "ka"),
    ("yid", "yi"),
    ("ltz", "lb"),
    ("fry", "fy"),
    ("oci", "oc"),
    ("roh", "rm"),
    ("mlt", "mt"),
    ("ina", "ia"),
    ("tib|bod", "bo"),
    ("mon", "mn"),
    ("kaz", "kk"),
    ("uzb", "uz"),
    ("aze", "az"),
    ("amh", "am"),
    ("som", "so"),
    ("hau", "ha"),
    ("yor", "yo"),
    ("zul", "zu"),
    ("xho", "xh"),
    ("mao|mri", "mi"),
    ("haw", "haw"),
    ("fao", "fo"),
    ("ori", "or"),
    ("asm", "as"),
];

const LANGUAGE_NAMES: &[(&str, &str)] = &[
    ("english", "en"),
    ("french", "fr"),
    ("german", "de"),
    ("spanish", "es"),
    ("italian", "it"),
    ("portuguese", "pt"),
    ("dutch", "nl"),
    ("russian", "ru"),
    ("chinese", "zh"),
    ("japanese", "ja"),
    ("latin", "la"),
    ("greek", "el"),
];

/// CPU time of the calling thread in seconds (Linux), for throughput tests on a shared
/// machine where wall time says little.
#[cfg(test)]
pub(crate) fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared_data_dir;

    fn read_str(text: &str, options: &CsvOptions) -> Vec<Result<SourceRecord, Rejected>> {
        read(std::io::Cursor::new(text.as_bytes().to_vec()), options).collect()
    }

    fn isbns(r: &SourceRecord) -> Vec<String> {
        r.volume_info
            .industry_identifiers
            .iter()
            .flatten()
            .map(|i| format!("{}:{}", i.kind, i.identifier))
            .collect()
    }

    #[test]
    fn goodbooks_10k() {
        let path = shared_data_dir().join("goodbooks-10k/books.csv.gz");
        let out: Vec<_> = read_path(&path, &CsvOptions::default()).unwrap().collect();
        let ok: Vec<&SourceRecord> = out.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(ok.len(), 8000);
        assert_eq!(out.len(), 8000);
        let hunger = ok[0];
        assert_eq!(hunger.source_key, "csv:books:1");
        assert_eq!(
            hunger.volume_info.title.as_deref(),
            Some("The Hunger Games (The Hunger Games, #1)")
        );
        assert_eq!(
            hunger.volume_info.authors.as_deref(),
            Some(&["Suzanne Collins".to_owned()][..])
        );
        // isbn 439023483 lost its leading zero; isbn13 is 9.78043902348e+12 (ignored).
        assert_eq!(
            isbns(hunger),
            ["ISBN_13:9780439023481", "ISBN_10:0439023483"]
        );
        assert_eq!(hunger.volume_info.published_date.as_deref(), Some("2008"));
        assert_eq!(hunger.volume_info.language.as_deref(), Some("en"));
        assert_eq!(hunger.volume_info.average_rating, Some(4.34));
        assert_eq!(hunger.volume_info.ratings_count, Some(4_780_653));
        let links = hunger.volume_info.image_links.as_ref().unwrap();
        assert_eq!(
            links.thumbnail.as_deref(),
            Some("https://images.gr-assets.com/books/1447303603m/2767052.jpg")
        );
        assert_eq!(
            links.small_thumbnail.as_deref(),
            Some("https://images.gr-assets.com/books/1447303603s/2767052.jpg")
        );
        let potter = ok[1];
        assert_eq!(
            potter.volume_info.authors.as_deref(),
            Some(&["J.K. Rowling".to_owned(), "Mary GrandPré".to_owned()][..])
        );
        assert_eq!(potter.volume_info.published_date.as_deref(), Some("1997"));
        // Twilight: en-US.
        assert_eq!(ok[2].volume_info.language.as_deref(), Some("en"));
        // "Plato, Desmond Lee" is a list of two (the `authors` column), not an inverted name.
        let plato = ok
            .iter()
            .find(|r| {
                r.volume_info
                    .authors
                    .as_ref()
                    .is_some_and(|a| a == &["Plato".to_owned(), "Desmond Lee".to_owned()])
            })
            .is_some();
        assert!(plato);
        let placeholders = ok
            .iter()
            .filter(|r| r.volume_info.image_links.is_none())
            .count();
        assert!(placeholders > 2000, "{placeholders} rows without image");
        let with_isbn = ok
            .iter()
            .filter(|r| r.volume_info.industry_identifiers.is_some())
            .count();
        assert!((7000..7500).contains(&with_isbn), "{with_isbn}");
        let keys: std::collections::HashSet<_> = ok.iter().map(|r| &r.source_key).collect();
        assert_eq!(keys.len(), 8000);
    }

    #[test]
    fn goodreads_books_11k() {
        let path = shared_data_dir().join("goodreads-books-11k/books.csv.gz");
        let out: Vec<_> = read_path(&path, &CsvOptions::default()).unwrap().collect();
        assert_eq!(out.len(), 9995);
        let ok: Vec<&SourceRecord> = out.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(ok.len(), 9995);
        let r = ok[0];
        assert_eq!(r.source_key, "csv:books:1");
        assert_eq!(
            r.volume_info.title.as_deref(),
            Some("Harry Potter and the Half-Blood Prince (Harry Potter #6)")
        );
        assert_eq!(
            r.volume_info.authors.as_deref(),
            Some(&["J.K. Rowling".to_owned(), "Mary GrandPré".to_owned()][..])
        );
        assert_eq!(isbns(r), ["ISBN_13:9780439785969", "ISBN_10:0439785960"]);
        assert_eq!(r.volume_info.page_count, Some(652));
        assert_eq!(r.volume_info.published_date.as_deref(), Some("2006-09-16"));
        assert_eq!(r.volume_info.publisher.as_deref(), Some("Scholastic Inc."));
        assert_eq!(r.volume_info.average_rating, Some(4.57));
        assert_eq!(r.volume_info.language.as_deref(), Some("en"));
        let fss = ok
            .iter()
            .filter(|r| r.volume_info.publisher.as_deref() == Some("Farrar Straus and Giroux"))
            .count();
        assert!(fss > 10, "{fss}");
        let french = ok
            .iter()
            .filter(|r| r.volume_info.language.as_deref() == Some("fr"))
            .count();
        assert_eq!(french, 127);
        let zero_pages = ok
            .iter()
            .filter(|r| r.volume_info.page_count.is_none())
            .count();
        assert_eq!(zero_pages, 71);
    }

    #[test]
    fn book_crossing_latin1() {
        let path = shared_data_dir().join("book-crossing-partial/BX-Books.partial.csv.gz");
        let out: Vec<_> = read_path(&path, &CsvOptions::default()).unwrap().collect();
        assert_eq!(out.len(), 12_501);
        let ok: Vec<&SourceRecord> = out.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(ok.len(), 12_501);
        let r = ok[0];
        assert_eq!(r.source_key, "csv:BX-Books.partial:isbn:9780553561616");
        assert_eq!(r.volume_info.title.as_deref(), Some("Dark Paradise"));
        assert_eq!(
            r.volume_info.authors.as_deref(),
            Some(&["Tami Hoag".to_owned()][..])
        );
        assert_eq!(r.volume_info.published_date.as_deref(), Some("1994"));
        assert_eq!(r.volume_info.publisher.as_deref(), Some("Bantam"));
        let links = r.volume_info.image_links.as_ref().unwrap();
        assert_eq!(
            links.small_thumbnail.as_deref(),
            Some("http://images.amazon.com/images/P/0553561618.01.THUMBZZZ.jpg")
        );
        assert!(links
            .thumbnail
            .as_deref()
            .unwrap()
            .ends_with("MZZZZZZZ.jpg"));
        // Latin-1 rows decode: no replacement characters anywhere.
        assert!(ok
            .iter()
            .all(|r| !format!("{:?}", r.volume_info).contains('\u{FFFD}')));
        let accented = ok
            .iter()
            .filter(|r| {
                r.volume_info
                    .authors
                    .iter()
                    .flatten()
                    .chain(r.volume_info.title.iter())
                    .any(|s| s.contains(['é', 'ü', 'ö', 'è', 'á']))
            })
            .count();
        assert!(accented > 10, "{accented}");
        // HTML entities are decoded.
        assert!(ok.iter().all(|r| !r
            .volume_info
            .title
            .as_deref()
            .unwrap_or("")
            .contains("&amp;")));
        assert!(ok
            .iter()
            .any(|r| r.volume_info.title.as_deref().unwrap_or("").contains(" & ")));
        // Year 0 is unknown; the one ISBN that is not an ISBN falls back to the line number.
        let no_date = ok
            .iter()
            .filter(|r| r.volume_info.published_date.is_none())
            .count();
        assert_eq!(no_date, 138);
        let line_keys: Vec<_> = ok
            .iter()
            .filter(|r| r.source_key.contains(":line:"))
            .map(|r| r.source_key.as_str())
            .collect();
        assert_eq!(line_keys.len(), 1, "{line_keys:?}");
    }

    #[test]
    fn gutenberg_catalog_merges_rows_of_one_ebook() {
        let path = shared_data_dir().join("gutenberg-catalog/gutenberg_metadata.csv.gz");
        let out: Vec<_> = read_path(&path, &CsvOptions::default()).unwrap().collect();
        let ok: Vec<&SourceRecord> = out.iter().filter_map(|r| r.as_ref().ok()).collect();
        let rejected: Vec<&Rejected> = out.iter().filter_map(|r| r.as_ref().err()).collect();
        // 70,888 distinct ebooks, one (90907) without a title.
        assert_eq!(ok.len(), 70_887);
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].reason, "no title");
        let first = ok[0];
        assert_eq!(first.source_key, "csv:gutenberg_metadata:1");
        assert_eq!(
            first.volume_info.title.as_deref(),
            Some("The Declaration of Independence of the United States of America")
        );
        assert_eq!(
            first.volume_info.authors.as_deref(),
            Some(&["Thomas Jefferson".to_owned()][..])
        );
        assert_eq!(first.volume_info.language.as_deref(), Some("en"));
        let cats = first.volume_info.categories.as_ref().unwrap();
        assert_eq!(cats[0], "Politics");
        assert!(
            cats.contains(&"Essays, Letters & Speeches".to_owned()),
            "{cats:?}"
        );
        assert_eq!(
            first.access_info.as_ref().unwrap().public_domain,
            Some(true)
        );
        assert_eq!(
            first.sale_info.as_ref().unwrap().saleability.as_deref(),
            Some("FREE")
        );
        let second = ok[1];
        assert_eq!(
            second.volume_info.title.as_deref(),
            Some("The United States Bill of Rights")
        );
        assert_eq!(
            second.volume_info.subtitle.as_deref(),
            Some("The Ten Original Amendments to the Constitution of the United States")
        );
        let pan = ok
            .iter()
            .find(|r| {
                r.volume_info.title.as_deref() == Some("Peter Pan")
                    && r.volume_info.subtitle.is_some()
            })
            .unwrap();
        assert_eq!(
            pan.volume_info.subtitle.as_deref(),
            Some("[Peter and Wendy]")
        );
        let multi = ok
            .iter()
            .filter(|r| r.volume_info.authors.as_ref().is_some_and(|a| a.len() > 1))
            .count();
        assert!(multi > 2000, "{multi}");
        assert!(ok
            .iter()
            .all(|r| !r.volume_info.title.as_deref().unwrap_or("").contains("$b")));
        let copyrighted = ok.iter().filter(|r| r.access_info.is_none()).count();
        assert!((700..=820).contains(&copyrighted), "{copyrighted}");
        let keys: std::collections::HashSet<_> = ok.iter().map(|r| &r.source_key).collect();
        assert_eq!(keys.len(), ok.len());
    }

    #[test]
    fn malformed_rows_are_rejected_and_reading_continues() {
        let text = "id,title,author,isbn\n\
                    1,Good one,\"Austen, Jane\",0198526636\n\
                    2,Too,many,fields,here\n\
                    3,,Nobody,\n\
                    4,Fine,\"Doe, J.\",\n";
        let out = read_str(text, &CsvOptions::default());
        assert_eq!(out.len(), 4, "{out:?}");
        let first = out[0].as_ref().unwrap();
        assert_eq!(first.source_key, "csv:input:1");
        assert_eq!(
            first.volume_info.authors.as_deref(),
            Some(&["Jane Austen".to_owned()][..])
        );
        assert_eq!(
            out[1].as_ref().unwrap_err(),
            &Rejected {
                position: "line 3".into(),
                reason: "expected 4 fields, found 5".into()
            }
        );
        assert_eq!(
            out[2].as_ref().unwrap_err(),
            &Rejected {
                position: "line 4".into(),
                reason: "no title".into()
            }
        );
        assert_eq!(out[3].as_ref().unwrap().source_key, "csv:input:4");
        // An unterminated quote swallows the rest of the input into one field: that row is
        // rejected for its field count, the rows before it stand.
        let text = "id,title,author\n1,A,x\n2,\"B,y\n3,C,z\n";
        let out = read_str(text, &CsvOptions::default());
        assert_eq!(out.len(), 2);
        assert!(out[0].is_ok());
        assert_eq!(
            out[1].as_ref().unwrap_err(),
            &Rejected {
                position: "line 3".into(),
                reason: "expected 3 fields, found 2".into()
            }
        );
    }

    #[test]
    fn bad_encoding_and_delimiters() {
        // A Latin-1 row in a UTF-8 file (semicolons, detected).
        let mut bytes =
            b"ISBN;Book-Title;Book-Author\n0198526636;Caf\xe9;Jos\xe9 Saramago\n".to_vec();
        bytes.extend_from_slice("0-19-852663-6;Crème;Zoë\n".as_bytes());
        let out: Vec<_> =
            read(std::io::Cursor::new(bytes.clone()), &CsvOptions::default()).collect();
        assert_eq!(out.len(), 2);
        let a = out[0].as_ref().unwrap();
        assert_eq!(a.volume_info.title.as_deref(), Some("Café"));
        assert_eq!(
            a.volume_info.authors.as_deref(),
            Some(&["José Saramago".to_owned()][..])
        );
        // Same ISBN, no id column: same key derived from the ISBN; no merge (not an id).
        assert_eq!(a.source_key, "csv:input:isbn:9780198526636");
        assert_eq!(
            out[1].as_ref().unwrap().volume_info.title.as_deref(),
            Some("Crème")
        );
        let strict = CsvOptions {
            encoding: Encoding::Utf8,
            ..CsvOptions::default()
        };
        let out: Vec<_> = read(std::io::Cursor::new(bytes), &strict).collect();
        assert_eq!(out[0].as_ref().unwrap_err().reason, "not valid UTF-8");
        assert!(out[1].is_ok());
        // Tabs.
        let out = read_str(
            "Title\tAuthors\tPages\nA\tX, Y\t12 pages\n",
            &CsvOptions::default(),
        );
        let r = out[0].as_ref().unwrap();
        assert_eq!(r.volume_info.authors.as_ref().unwrap().len(), 2);
        assert_eq!(r.volume_info.page_count, Some(12));
        assert_eq!(r.source_key, "csv:input:line:2");
        // Garbage without a title column: one rejection, then nothing.
        let out = read_str("a,b\n1,2\n", &CsvOptions::default());
        assert_eq!(out.len(), 1);
        assert!(out[0]
            .as_ref()
            .unwrap_err()
            .reason
            .starts_with("no title column"));
        assert_eq!(
            read_str("", &CsvOptions::default())[0]
                .as_ref()
                .unwrap_err()
                .reason,
            "no header row"
        );
        // Binary garbage does not panic.
        let junk: Vec<u8> = (0..4000u32).map(|i| (i * 7919 % 251) as u8).collect();
        let mut input = b"title\n".to_vec();
        input.extend(junk);
        let _ = read(std::io::Cursor::new(input), &CsvOptions::default()).count();
    }

    #[test]
    fn explicit_mapping() {
        let mapping =
            CsvOptions::parse_mapping("title=Name, authors=Writers|Editors, isbn=#1").unwrap();
        assert_eq!(mapping.len(), 3);
        assert_eq!(
            mapping[1].1,
            vec![
                Column::Name("Writers".into()),
                Column::Name("Editors".into())
            ]
        );
        assert!(CsvOptions::parse_mapping("colour=x").is_err());
        assert!(CsvOptions::parse_mapping("title").is_err());
        assert!(CsvOptions::parse_mapping("isbn=#0").is_err());
        let options = CsvOptions {
            mapping,
            source_name: Some("mine".into()),
            ..CsvOptions::default()
        };
        let out = read_str(
            "code,Name,Writers,Editors,title\n9780198526636,Real,A,\"B; C\",Not this\n",
            &options,
        );
        let r = out[0].as_ref().unwrap();
        assert_eq!(r.volume_info.title.as_deref(), Some("Real"));
        assert_eq!(r.volume_info.authors.as_ref().unwrap(), &["A", "B", "C"]);
        assert_eq!(r.source_key, "csv:mine:isbn:9780198526636");
        let bad = CsvOptions {
            mapping: CsvOptions::parse_mapping("title=Nope").unwrap(),
            ..CsvOptions::default()
        };
        let out = read_str("title\nx\n", &bad);
        assert_eq!(
            out[0].as_ref().unwrap_err().reason,
            "mapping title=Nope: no such column"
        );
    }

    #[test]
    fn value_rules() {
        assert_eq!(table_isbn("439023483").unwrap().isbn13(), "9780439023481");
        assert!(table_isbn("9.78043902348e+12").is_none());
        assert!(table_isbn("9780439023481.0").is_none());
        assert!(table_isbn("B00009EF82").is_none());
        assert_eq!(table_date("9/16/2006").as_deref(), Some("2006-09-16"));
        assert_eq!(table_date("16/9/2006").as_deref(), Some("2006-09-16"));
        assert_eq!(table_date("1997.0").as_deref(), Some("1997"));
        assert_eq!(table_date("-720.0"), None);
        assert_eq!(table_date("0"), None);
        assert_eq!(table_date("March 2001").as_deref(), Some("2001"));
        assert_eq!(language_code("en-US").as_deref(), Some("en"));
        assert_eq!(language_code("fre").as_deref(), Some("fr"));
        assert_eq!(language_code("ger").as_deref(), Some("de"));
        assert_eq!(language_code("grc").as_deref(), Some("grc"));
        assert_eq!(language_code("en/es").as_deref(), Some("en"));
        assert_eq!(language_code("12"), None);
        assert_eq!(display_name("Jefferson, Thomas"), "Thomas Jefferson");
        assert_eq!(
            display_name("Gilbert, W. S. (William Schwenck)"),
            "W. S. Gilbert"
        );
        assert_eq!(display_name("Alger, Horatio, Jr."), "Horatio Alger, Jr.");
        assert_eq!(display_name("Basu, Āśīsha."), "Āśīsha Basu");
        assert_eq!(display_name("Sifry, Micah L."), "Micah L. Sifry");
        assert_eq!(display_name("United States"), "United States");
        assert_eq!(author_case("TAMI HOAG"), "Tami Hoag");
        assert_eq!(author_case("CLAMP"), "CLAMP");
        assert_eq!(
            decode_entities("A &amp; B &#233;&#x41; &bogus; &"),
            "A & B éA &bogus; &"
        );
        assert_eq!(
            split_title_lines("Peter Pan : $b [Peter and Wendy]"),
            ("Peter Pan".into(), Some("[Peter and Wendy]".into()))
        );
    }

    #[test]
    #[ignore]
    fn throughput_csv() {
        let raw = {
            let mut s = Vec::new();
            crate::open_input(&shared_data_dir().join("goodbooks-10k/books.csv.gz"))
                .unwrap()
                .read_to_end(&mut s)
                .unwrap();
            s
        };
        let header_end = raw.iter().position(|&b| b == b'\n').unwrap() + 1;
        let mut big = raw.clone();
        for _ in 0..15 {
            big.extend_from_slice(&raw[header_end..]);
        }
        let start = std::time::Instant::now();
        let cpu = thread_cpu_seconds();
        let n = read(std::io::Cursor::new(big), &CsvOptions::default())
            .filter(Result::is_ok)
            .count();
        let secs = start.elapsed().as_secs_f64();
        let cpu = thread_cpu_seconds().zip(cpu).map(|(b, a)| b - a);
        assert!(n >= 100_000, "{n}");
        println!(
            "csv (goodbooks x16): {n} records in {secs:.2}s = {:.0} records/s; on CPU {}",
            n as f64 / secs,
            cpu.map_or("n/a".into(), |c| format!(
                "{c:.2}s = {:.0} records/s",
                n as f64 / c
            ))
        );
    }
}
