//! Google's partial-response selector: the `fields` (alias `$fields`, header
//! `X-Goog-FieldMask`) system parameter.
//!
//! A [`FieldMask`] is parsed once per request with [`FieldMask::parse`] and then prunes the
//! already-built JSON response in place with [`FieldMask::apply`].
//!
//! # Syntax
//!
//! ```text
//! selection := item ( "," item )*
//! item      := name ( "/" name )* [ "(" selection ")" ]
//! name      := [A-Za-z0-9_]+ | "*"
//! ```
//!
//! * `a/b/c` selects `c` inside `b` inside `a`.
//! * `a(b,c)` selects `b` and `c` inside `a`; sub-selections nest
//!   (`items(id,volumeInfo(title,authors))`) and `items(id)` is the same mask as `items/id`.
//! * `*` is a whole-segment wildcard matching every key of an object, at any level: `*` alone
//!   selects everything, `items/*` every key of every item. A path *after* a wildcard is
//!   accepted and means "this child of every field": `*/title` keeps, of every top-level
//!   field, only its `title` child (fields without one are dropped). `*(a,b)` works the same way.
//! * ASCII whitespace (space, tab, CR, LF) is tolerated around names and punctuation, but not
//!   inside a name (`vol umeInfo` is an error).
//! * An empty or whitespace-only selector selects everything (as if the parameter were
//!   absent); callers normally skip the mask in that case anyway
//!   ([`FieldMask::selects_everything`]).
//!
//! Only *syntax* is validated. Names that do not occur in the response are not an error; they
//! simply select nothing (Google rejects unknown names only sometimes, and our responses omit
//! absent optional fields, so "unknown" cannot be decided from the data anyway).
//!
//! Syntax errors (reported as HTTP 400 by the caller) are:
//! an empty name or segment (`a//b`, `a,,b`, `a,`, `/a`, `a/`), unbalanced parentheses
//! (`items(id`, `a)`), an empty sub-selection (`a()`, `()`), characters outside
//! `[A-Za-z0-9_*]` in a name (`a.b`, `a-b`, non-ASCII), a `*` that is only part of a name
//! (`vol*`, `**`), anything but `,` or `)` after a sub-selection (`a(b)c`, `a(b)/c`,
//! `a(b)(c)`), and nesting deeper than 64 levels (path segments plus parentheses; real
//! Books responses are less than 10 levels deep).
//!
//! # Semantics of [`FieldMask::apply`]
//!
//! * A selection applies to an object's keys; applied to an array it applies to every
//!   element of the array (so `items/volumeInfo/industryIdentifiers/identifier` reaches
//!   into an array inside an array).
//! * A selected field is kept whole, whatever its value (including `null`, `[]`, `{}`).
//! * Selecting a field keeps its enclosing parents, with only the selected children.
//! * A value that ends up with nothing selected is dropped: an object with no selected key,
//!   an array none of whose elements kept anything, a scalar that a sub-selection tried to
//!   descend into (`kind/foo`). This applies to array *elements* too: an element with
//!   nothing selected is removed from its array (arrays are not padded with `{}`).
//! * When nothing at all matches, the top level becomes `{}` (isbnlib compares the body with
//!   `{}` to detect "no hits").
//! * The key order of the original value is preserved (`serde_json` feature `preserve_order`).
//! * Overlapping selections are united: `items/volumeInfo,items/volumeInfo/title` keeps the
//!   whole `volumeInfo`; a key matched both by name and by `*` gets the union of both
//!   sub-selections.

use std::collections::BTreeMap;

use serde_json::Value;

/// Deepest nesting (path segments plus parentheses) accepted by [`FieldMask::parse`].
const MAX_DEPTH: usize = 64;

/// A parsed `fields` selector; see the [module documentation](self) for syntax and semantics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMask {
    root: Node,
}

/// A syntax error in a `fields` selector.
///
/// `message` is `Invalid field selection <part>`, where `<part>` is the top-level
/// comma-separated item of the selector that contains the error, trimmed (for example
/// `Invalid field selection items(id` or `Invalid field selection a//b`); when that item is
/// empty (`a,,b`, a trailing comma) the whole trimmed selector is quoted instead
/// (`Invalid field selection a,,b`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FieldsError {
    /// Human-readable message, suitable for Google's error body.
    pub message: String,
}

/// One level of a mask.
///
/// `all` means "keep this value whole" (the other members are then irrelevant and empty);
/// otherwise `fields` are the keys selected by name and `wildcard` is the sub-mask applied to
/// every key (`*`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Node {
    all: bool,
    fields: BTreeMap<String, Node>,
    wildcard: Option<Box<Node>>,
}

impl Node {
    fn everything() -> Node {
        Node {
            all: true,
            ..Node::default()
        }
    }

    /// A node selecting `child` under the single segment `name` (`*` = wildcard).
    fn with_child(name: &str, child: Node) -> Node {
        let mut node = Node::default();
        if name == "*" {
            node.wildcard = Some(Box::new(child));
        } else {
            node.fields.insert(name.to_owned(), child);
        }
        node
    }

    /// Unites `other` into `self`.
    fn merge(&mut self, other: Node) {
        if self.all {
            return;
        }
        if other.all {
            *self = Node::everything();
            return;
        }
        for (name, child) in other.fields {
            match self.fields.get_mut(&name) {
                Some(existing) => existing.merge(child),
                None => {
                    self.fields.insert(name, child);
                }
            }
        }
        if let Some(w) = other.wildcard {
            match &mut self.wildcard {
                Some(existing) => existing.merge(*w),
                None => self.wildcard = Some(w),
            }
        }
    }
}

impl FieldMask {
    /// Parses a `fields` selector such as `items(id,volumeInfo/title),totalItems`.
    ///
    /// Only syntax is checked; unknown names are accepted and select nothing. An empty or
    /// whitespace-only selector selects everything.
    ///
    /// # Errors
    ///
    /// [`FieldsError`] (`Invalid field selection <part>`) on any syntax error listed in the
    /// [module documentation](self).
    pub fn parse(fields: &str) -> Result<FieldMask, FieldsError> {
        if fields.bytes().all(is_space) {
            return Ok(FieldMask {
                root: Node::everything(),
            });
        }
        let mut parser = Parser {
            src: fields,
            bytes: fields.as_bytes(),
            pos: 0,
        };
        let parsed = parser.parse_list(0).and_then(|node| {
            parser.skip_space();
            if parser.pos == parser.bytes.len() {
                Ok(node)
            } else {
                Err(parser.pos)
            }
        });
        match parsed {
            Ok(root) => Ok(FieldMask { root }),
            Err(pos) => Err(FieldsError {
                message: format!("Invalid field selection {}", offending_part(fields, pos)),
            }),
        }
    }

    /// Whether this mask keeps every key of any JSON object it is applied to (`*`, or an
    /// empty selector), so that [`apply`](Self::apply) can be skipped.
    pub fn selects_everything(&self) -> bool {
        self.root.all || self.root.wildcard.as_deref().is_some_and(|w| w.all)
    }

    /// Prunes `value` in place so that only the selected fields (and their enclosing
    /// parents) remain. If nothing matches, `value` becomes `{}`.
    pub fn apply(&self, value: &mut Value) {
        if !prune(value, &[&self.root]) {
            *value = Value::Object(serde_json::Map::new());
        }
    }
}

/// Prunes `value` to the union of `masks` (never empty); returns whether anything of it is
/// kept. When `false` is returned the value may have been partially emptied and must be
/// discarded by the caller.
fn prune(value: &mut Value, masks: &[&Node]) -> bool {
    if masks.iter().any(|m| m.all) {
        return true;
    }
    match value {
        Value::Object(map) => {
            let mut subs: Vec<&Node> = Vec::with_capacity(masks.len() * 2);
            map.retain(|key, child| {
                subs.clear();
                for mask in masks {
                    if let Some(named) = mask.fields.get(key.as_str()) {
                        subs.push(named);
                    }
                    if let Some(wild) = mask.wildcard.as_deref() {
                        subs.push(wild);
                    }
                }
                !subs.is_empty() && prune(child, &subs)
            });
            !map.is_empty()
        }
        Value::Array(items) => {
            items.retain_mut(|item| prune(item, masks));
            !items.is_empty()
        }
        // A sub-selection cannot descend into a scalar.
        _ => false,
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'*'
}

/// The top-level comma-separated item of `fields` containing byte position `pos`, trimmed;
/// the whole trimmed selector if that item is blank.
fn offending_part(fields: &str, pos: usize) -> &str {
    let bytes = fields.as_bytes();
    let mut depth = 0usize;
    let mut start = 0usize;
    let mut end = bytes.len();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                if pos <= i {
                    end = i;
                    break;
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    // `start` and `end` sit next to ASCII commas or at the ends, so they are char
    // boundaries; `get` keeps this panic-free regardless.
    match fields.get(start..end).map(str::trim) {
        Some(part) if !part.is_empty() => part,
        _ => fields.trim(),
    }
}

/// Recursive-descent parser; errors carry the byte position where parsing failed.
struct Parser<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
    }

    /// `selection := item ("," item)*`; `depth` is the nesting already used.
    fn parse_list(&mut self, depth: usize) -> Result<Node, usize> {
        let mut node = Node::default();
        loop {
            let item = self.parse_item(depth)?;
            node.merge(item);
            self.skip_space();
            if self.peek() == Some(b',') {
                self.pos += 1;
            } else {
                return Ok(node);
            }
        }
    }

    /// `item := name ("/" name)* ["(" selection ")"]`
    fn parse_item(&mut self, depth: usize) -> Result<Node, usize> {
        let mut segments = vec![self.parse_name()?];
        loop {
            self.skip_space();
            if self.peek() == Some(b'/') {
                self.pos += 1;
                segments.push(self.parse_name()?);
            } else {
                break;
            }
        }
        let depth = depth + segments.len();
        if depth > MAX_DEPTH {
            return Err(self.pos);
        }
        let mut node = if self.peek() == Some(b'(') {
            self.pos += 1;
            self.skip_space();
            if self.peek() == Some(b')') {
                // `()`: empty sub-selection.
                return Err(self.pos);
            }
            let inner = self.parse_list(depth)?;
            self.skip_space();
            if self.peek() != Some(b')') {
                return Err(self.pos);
            }
            self.pos += 1;
            inner
        } else {
            Node::everything()
        };
        for name in segments.iter().rev() {
            node = Node::with_child(name, node);
        }
        Ok(node)
    }

    /// `name := [A-Za-z0-9_]+ | "*"`, after optional whitespace.
    fn parse_name(&mut self) -> Result<&'a str, usize> {
        self.skip_space();
        let start = self.pos;
        while self.peek().is_some_and(is_name_byte) {
            self.pos += 1;
        }
        // Only ASCII bytes were consumed, so both ends are char boundaries.
        let name = self.src.get(start..self.pos).ok_or(start)?;
        if name.is_empty() || (name.contains('*') && name != "*") {
            return Err(start);
        }
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn page() -> Value {
        json!({
            "kind": "books#volumes",
            "totalItems": 2,
            "items": [
                {
                    "kind": "books#volume",
                    "id": "kPbzR4LDkAkC",
                    "etag": "lczsNYEZ95k",
                    "volumeInfo": {
                        "title": "Thermodynamics of Solar Energy Conversion",
                        "authors": ["Alexis De Vos"],
                        "publisher": "John Wiley & Sons",
                        "publishedDate": "2008-03-28",
                        "description": "The physical framework.",
                        "industryIdentifiers": [
                            {"type": "ISBN_10", "identifier": "352740841X"},
                            {"type": "ISBN_13", "identifier": "9783527408412"}
                        ],
                        "pageCount": 205,
                        "imageLinks": {
                            "smallThumbnail": "http://books.google.com/a",
                            "thumbnail": "http://books.google.com/b"
                        },
                        "language": "en"
                    },
                    "saleInfo": {"country": "NO", "saleability": "NOT_FOR_SALE"}
                },
                {
                    "kind": "books#volume",
                    "id": "lGHCrQEACAAJ",
                    "etag": "X2uSo/PgfIM",
                    "volumeInfo": {
                        "title": "No Image",
                        "subtitle": "A Subtitle",
                        "publishedDate": "2016",
                        "industryIdentifiers": [
                            {"type": "OTHER", "identifier": "UOM:39015062883456"}
                        ],
                        "language": "no"
                    },
                    "searchInfo": {"textSnippet": "x \u{3c}b\u{3e}y\u{3c}/b\u{3e}"}
                }
            ]
        })
    }

    fn masked(fields: &str, value: &Value) -> Value {
        let mask = match FieldMask::parse(fields) {
            Ok(mask) => mask,
            Err(e) => panic!("{fields:?} should parse: {e}"),
        };
        let mut v = value.clone();
        mask.apply(&mut v);
        v
    }

    fn error(fields: &str) -> String {
        match FieldMask::parse(fields) {
            Ok(mask) => panic!("{fields:?} should be rejected, got {mask:?}"),
            Err(e) => e.message,
        }
    }

    fn keys(v: &Value) -> Vec<String> {
        v.as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    #[test]
    fn isbnlib_selector_on_a_volumes_page() {
        let fields = "items/volumeInfo(title,subtitle,authors,publisher,publishedDate,\
                      language,industryIdentifiers,description,imageLinks)";
        let got = masked(fields, &page());
        let expected = json!({
            "items": [
                {
                    "volumeInfo": {
                        "title": "Thermodynamics of Solar Energy Conversion",
                        "authors": ["Alexis De Vos"],
                        "publisher": "John Wiley & Sons",
                        "publishedDate": "2008-03-28",
                        "description": "The physical framework.",
                        "industryIdentifiers": [
                            {"type": "ISBN_10", "identifier": "352740841X"},
                            {"type": "ISBN_13", "identifier": "9783527408412"}
                        ],
                        "imageLinks": {
                            "smallThumbnail": "http://books.google.com/a",
                            "thumbnail": "http://books.google.com/b"
                        },
                        "language": "en"
                    }
                },
                {
                    "volumeInfo": {
                        "title": "No Image",
                        "subtitle": "A Subtitle",
                        "publishedDate": "2016",
                        "industryIdentifiers": [
                            {"type": "OTHER", "identifier": "UOM:39015062883456"}
                        ],
                        "language": "no"
                    }
                }
            ]
        });
        assert_eq!(got, expected);
        // Original key order inside volumeInfo is kept, not the selector's order.
        assert_eq!(
            keys(&got["items"][0]["volumeInfo"]),
            [
                "title",
                "authors",
                "publisher",
                "publishedDate",
                "description",
                "industryIdentifiers",
                "imageLinks",
                "language"
            ]
        );
    }

    #[test]
    fn isbnlib_selector_without_hits_gives_empty_object() {
        let fields = "items/volumeInfo(title,subtitle,authors,publisher,publishedDate,\
                      language,industryIdentifiers,description,imageLinks)";
        let empty = json!({"kind": "books#volumes", "totalItems": 0});
        let got = masked(fields, &empty);
        assert_eq!(got, json!({}));
        assert_eq!(serde_json::to_string(&got).ok().as_deref(), Some("{}"));
    }

    #[test]
    fn top_level_scalars() {
        assert_eq!(
            masked("kind,totalItems", &page()),
            json!({"kind": "books#volumes", "totalItems": 2})
        );
        // Original order wins over selector order.
        let got = masked("totalItems,kind", &page());
        assert_eq!(keys(&got), ["kind", "totalItems"]);
    }

    #[test]
    fn sub_selection_with_path_inside() {
        let expected = json!({"items": [
            {"id": "kPbzR4LDkAkC", "volumeInfo": {"title": "Thermodynamics of Solar Energy Conversion"}},
            {"id": "lGHCrQEACAAJ", "volumeInfo": {"title": "No Image"}}
        ]});
        assert_eq!(masked("items(id,volumeInfo/title)", &page()), expected);
        assert_eq!(masked("items/id,items/volumeInfo/title", &page()), expected);
        assert_eq!(masked("items(id,volumeInfo(title))", &page()), expected);
    }

    #[test]
    fn parenthesised_and_slash_forms_are_the_same_mask() {
        let pairs = [
            ("items(id)", "items/id"),
            (
                "items(id,volumeInfo/title)",
                "items/id,items/volumeInfo/title",
            ),
            ("a(b(c,d),e)", "a/b/c,a/b/d,a/e"),
            ("a(b/c)", "a/b/c"),
            ("items(*)", "items/*"),
        ];
        for (a, b) in pairs {
            assert_eq!(
                FieldMask::parse(a).ok(),
                FieldMask::parse(b).ok(),
                "{a} vs {b}"
            );
            assert!(FieldMask::parse(a).is_ok(), "{a}");
        }
    }

    #[test]
    fn nested_parentheses() {
        let got = masked("items(id,volumeInfo(title,authors))", &page());
        assert_eq!(
            got,
            json!({"items": [
                {"id": "kPbzR4LDkAkC", "volumeInfo": {
                    "title": "Thermodynamics of Solar Energy Conversion",
                    "authors": ["Alexis De Vos"]}},
                {"id": "lGHCrQEACAAJ", "volumeInfo": {"title": "No Image"}}
            ]})
        );
    }

    #[test]
    fn array_inside_array() {
        let got = masked("items/volumeInfo/industryIdentifiers/identifier", &page());
        assert_eq!(
            got,
            json!({"items": [
                {"volumeInfo": {"industryIdentifiers": [
                    {"identifier": "352740841X"}, {"identifier": "9783527408412"}]}},
                {"volumeInfo": {"industryIdentifiers": [
                    {"identifier": "UOM:39015062883456"}]}}
            ]})
        );
    }

    #[test]
    fn array_elements_without_a_match_are_dropped() {
        // Only the second item has a subtitle / searchInfo.
        let got = masked("items/volumeInfo/subtitle", &page());
        assert_eq!(
            got,
            json!({"items": [{"volumeInfo": {"subtitle": "A Subtitle"}}]})
        );
        let got = masked("items(id,searchInfo)", &page());
        assert_eq!(
            got,
            json!({"items": [
                {"id": "kPbzR4LDkAkC"},
                {"id": "lGHCrQEACAAJ", "searchInfo": {"textSnippet": "x <b>y</b>"}}
            ]})
        );
    }

    #[test]
    fn star_alone_keeps_everything() {
        let mask = FieldMask::parse("*").ok();
        assert!(mask.as_ref().is_some_and(FieldMask::selects_everything));
        assert_eq!(masked("*", &page()), page());
        assert_eq!(masked(" * ", &page()), page());
        assert_eq!(masked("*,kind", &page()), page());
        assert_eq!(masked("kind,*,items/id", &page()), page());
    }

    #[test]
    fn empty_selector_keeps_everything() {
        for fields in ["", "   ", "\t\n"] {
            let mask = FieldMask::parse(fields).ok();
            assert!(
                mask.as_ref().is_some_and(FieldMask::selects_everything),
                "{fields:?}"
            );
            assert_eq!(masked(fields, &page()), page());
        }
        assert!(FieldMask::parse("kind").is_ok_and(|m| !m.selects_everything()));
        assert!(FieldMask::parse("items/*").is_ok_and(|m| !m.selects_everything()));
    }

    #[test]
    fn wildcards_below_the_top() {
        let p = page();
        let got = masked("items/*", &p);
        assert_eq!(got, json!({"items": p["items"].clone()}));

        let got = masked("items/volumeInfo/*", &p);
        assert_eq!(got["items"][0]["volumeInfo"], p["items"][0]["volumeInfo"]);
        assert_eq!(keys(&got["items"][0]), ["volumeInfo"]);

        let got = masked("items(*)", &p);
        assert_eq!(got, json!({"items": p["items"].clone()}));

        let got = masked("kind,items/volumeInfo/imageLinks/*", &p);
        assert_eq!(
            got,
            json!({"kind": "books#volumes", "items": [
                {"volumeInfo": {"imageLinks": {
                    "smallThumbnail": "http://books.google.com/a",
                    "thumbnail": "http://books.google.com/b"}}}
            ]})
        );
    }

    #[test]
    fn path_after_wildcard() {
        let p = page();
        // Every top-level field, restricted to its `volumeInfo` child: only `items` has one
        // (through its elements); scalars cannot be descended into.
        let got = masked("*/volumeInfo/title", &p);
        assert_eq!(
            got,
            json!({"items": [
                {"volumeInfo": {"title": "Thermodynamics of Solar Energy Conversion"}},
                {"volumeInfo": {"title": "No Image"}}
            ]})
        );
        // Named and wildcard selections of the same key are united.
        let got = masked("items(id,*/title)", &p);
        assert_eq!(
            got,
            json!({"items": [
                {"id": "kPbzR4LDkAkC", "volumeInfo": {"title": "Thermodynamics of Solar Energy Conversion"}},
                {"id": "lGHCrQEACAAJ", "volumeInfo": {"title": "No Image"}}
            ]})
        );
        let got = masked("items(volumeInfo/language,*(title,saleability))", &p);
        assert_eq!(
            got,
            json!({"items": [
                {"volumeInfo": {"title": "Thermodynamics of Solar Energy Conversion", "language": "en"},
                 "saleInfo": {"saleability": "NOT_FOR_SALE"}},
                {"volumeInfo": {"title": "No Image", "language": "no"}}
            ]})
        );
    }

    #[test]
    fn no_match_gives_empty_object() {
        for fields in [
            "foo",
            "items/foo",
            "kind/foo",
            "items/volumeInfo/title/x",
            "items(foo,bar/baz)",
            "*/foo",
            "totalitems",
        ] {
            assert_eq!(masked(fields, &page()), json!({}), "{fields}");
        }
    }

    #[test]
    fn overlapping_selections_are_united() {
        let p = page();
        for fields in [
            "items/volumeInfo,items/volumeInfo/title",
            "items/volumeInfo/title,items/volumeInfo",
            "items(volumeInfo(title),volumeInfo)",
        ] {
            let got = masked(fields, &p);
            assert_eq!(
                got["items"][0]["volumeInfo"], p["items"][0]["volumeInfo"],
                "{fields}"
            );
            assert_eq!(keys(&got["items"][1]), ["volumeInfo"], "{fields}");
        }
        let got = masked("items/id,items/etag,items(kind)", &p);
        assert_eq!(keys(&got["items"][0]), ["kind", "id", "etag"]);
    }

    #[test]
    fn selected_values_are_kept_whole_even_if_empty() {
        let v = json!({"a": [], "b": null, "c": {}, "d": 0, "e": {"x": 1}});
        assert_eq!(
            masked("a,b,c,d", &v),
            json!({"a": [], "b": null, "c": {}, "d": 0})
        );
        // But a sub-selection into them selects nothing.
        assert_eq!(masked("a/x,b/x,c/x,d/x", &v), json!({}));
        assert_eq!(masked("c/*", &v), json!({}));
        assert_eq!(masked("e/*", &v), json!({"e": {"x": 1}}));
    }

    #[test]
    fn whitespace_is_tolerated_around_tokens() {
        let expected = masked("items(id,volumeInfo/title),kind", &page());
        for fields in [
            " items ( id , volumeInfo / title ) , kind ",
            "items(\tid,\nvolumeInfo/title\r),kind",
            "items( id,volumeInfo /title ),  kind",
        ] {
            assert_eq!(masked(fields, &page()), expected, "{fields:?}");
        }
    }

    #[test]
    fn non_object_roots() {
        let mask = FieldMask::parse("id").ok();
        let mut arr = json!([{"id": 1, "x": 2}, {"x": 3}]);
        if let Some(m) = &mask {
            m.apply(&mut arr);
        }
        assert_eq!(arr, json!([{"id": 1}]));
        let mut scalar = json!("text");
        if let Some(m) = &mask {
            m.apply(&mut scalar);
        }
        assert_eq!(scalar, json!({}));
    }

    #[test]
    fn syntax_errors_and_messages() {
        let cases = [
            ("a//b", "Invalid field selection a//b"),
            ("kind,a//b", "Invalid field selection a//b"),
            ("a,,b", "Invalid field selection a,,b"),
            ("a,", "Invalid field selection a,"),
            ("kind,items/id,", "Invalid field selection kind,items/id,"),
            (",a", "Invalid field selection ,a"),
            (",", "Invalid field selection ,"),
            ("/a", "Invalid field selection /a"),
            ("a/", "Invalid field selection a/"),
            ("items(id", "Invalid field selection items(id"),
            (
                "kind, items(id,volumeInfo(title)",
                "Invalid field selection items(id,volumeInfo(title)",
            ),
            ("items(id))", "Invalid field selection items(id))"),
            ("a)", "Invalid field selection a)"),
            ("a),kind", "Invalid field selection a)"),
            (")", "Invalid field selection )"),
            ("(", "Invalid field selection ("),
            ("()", "Invalid field selection ()"),
            ("a()", "Invalid field selection a()"),
            ("a( )", "Invalid field selection a( )"),
            ("items(id,)", "Invalid field selection items(id,)"),
            ("items(,id)", "Invalid field selection items(,id)"),
            ("(a)", "Invalid field selection (a)"),
            ("a.b", "Invalid field selection a.b"),
            ("kind,volume-info", "Invalid field selection volume-info"),
            ("a:b", "Invalid field selection a:b"),
            ("tïtle", "Invalid field selection tïtle"),
            ("vol*", "Invalid field selection vol*"),
            ("*a", "Invalid field selection *a"),
            ("**", "Invalid field selection **"),
            ("a b", "Invalid field selection a b"),
            ("a(b)c", "Invalid field selection a(b)c"),
            ("a(b)/c", "Invalid field selection a(b)/c"),
            ("a(b)(c)", "Invalid field selection a(b)(c)"),
            ("kind, a(b c) ,totalItems", "Invalid field selection a(b c)"),
        ];
        for (fields, message) in cases {
            assert_eq!(error(fields), message, "{fields:?}");
        }
        // Display is the message.
        let err = FieldMask::parse("a//b").err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("Invalid field selection a//b"));
    }

    #[test]
    fn depth_limit() {
        let ok = vec!["a"; MAX_DEPTH].join("/");
        assert!(FieldMask::parse(&ok).is_ok());
        let too_deep = vec!["a"; MAX_DEPTH + 1].join("/");
        assert!(FieldMask::parse(&too_deep).is_err());
        let parens_ok = format!(
            "{}b{}",
            "a(".repeat(MAX_DEPTH - 1),
            ")".repeat(MAX_DEPTH - 1)
        );
        assert!(FieldMask::parse(&parens_ok).is_ok());
        // Very deep nesting must be rejected without overflowing the stack.
        let huge = format!("{}b{}", "a(".repeat(100_000), ")".repeat(100_000));
        assert!(error(&huge).starts_with("Invalid field selection a(a(a("));
        let huge_open = "(".repeat(100_000);
        assert!(FieldMask::parse(&huge_open).is_err());
        // A deep-but-allowed mask applied to a deep value works.
        let mut v = json!("leaf");
        for _ in 0..MAX_DEPTH {
            v = json!({ "a": v, "z": 1 });
        }
        let mut w = v.clone();
        if let Ok(mask) = FieldMask::parse(&ok) {
            mask.apply(&mut w);
        }
        assert_eq!(w["a"]["a"]["a"]["z"], Value::Null);
        let mut leaf = &w;
        for _ in 0..MAX_DEPTH {
            leaf = &leaf["a"];
        }
        assert_eq!(leaf, &json!("leaf"));
    }

    /// Deterministic fuzzing: random selectors over a small alphabet never panic, and every
    /// accepted selector can be applied; rejected ones carry Google's message prefix.
    #[test]
    fn fuzz_parse_never_panics() {
        const ALPHABET: &[u8] = b"a(),/* ";
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            // xorshift64*
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_F491_4F6C_DD1D)
        };
        let sample = page();
        let (mut accepted, mut rejected) = (0u32, 0u32);
        for _ in 0..50_000 {
            let len = (next() % 16) as usize;
            let s: String = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize] as char)
                .collect();
            match FieldMask::parse(&s) {
                Ok(mask) => {
                    accepted += 1;
                    let mut v = sample.clone();
                    mask.apply(&mut v);
                    assert!(v.is_object(), "{s:?}");
                }
                Err(e) => {
                    rejected += 1;
                    assert!(e.message.starts_with("Invalid field selection "), "{s:?}");
                }
            }
        }
        assert!(accepted > 100 && rejected > 100, "{accepted} / {rejected}");

        // Arbitrary bytes, including non-ASCII text, never panic either.
        for _ in 0..10_000 {
            let len = (next() % 12) as usize;
            let s: String = (0..len)
                .filter_map(|_| char::from_u32((next() % 0x300) as u32))
                .collect();
            let _ = FieldMask::parse(&s);
        }
    }
}
