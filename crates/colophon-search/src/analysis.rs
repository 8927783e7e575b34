//! Text analysis and the normalisation of identifiers, dates and volume ids.
//!
//! Index time and query time go through the same functions, so both sides always agree.

use colophon_domain::VolumeId;

use crate::words::WordTokenizer;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, Stemmer, TextAnalyzer,
    TokenizerManager,
};

/// Name under which [`text_analyzer`] is registered with tantivy.
pub(crate) const TEXT_TOKENIZER: &str = "colophon_text";

/// Name under which [`key_analyzer`] (no stemming) is registered with tantivy.
pub(crate) const PLAIN_TOKENIZER: &str = "colophon_plain";

/// Tokens longer than this (in bytes) are dropped, at index and query time alike.
pub(crate) const MAX_TOKEN_BYTES: usize = 40;

/// Analyzer of every free-text field: Unicode word split (CJK text in bigrams, see
/// [`crate::words`]), lower case, diacritics folded
/// (`García` → `garcia`), English stemming (`running` → `run`). No stop words.
pub(crate) fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Like [`text_analyzer`] without stemming: used for exact-title keys.
pub(crate) fn key_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The tokenizer manager every index of ours uses (tantivy does not persist analyzers).
pub(crate) fn tokenizer_manager() -> TokenizerManager {
    let manager = TokenizerManager::default();
    manager.register(TEXT_TOKENIZER, text_analyzer());
    manager.register(PLAIN_TOKENIZER, key_analyzer());
    manager
}

/// Analyzes `text`, appending `(position, token)` pairs to `out`.
pub(crate) fn analyze_into(
    analyzer: &mut TextAnalyzer,
    text: &str,
    out: &mut Vec<(usize, String)>,
) {
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        out.push((token.position, token.text.clone()));
    }
}

/// The exact-match key of a title: its words, folded and lower-cased, joined by one space.
/// Empty when the text has no words.
pub(crate) fn title_key(analyzer: &mut TextAnalyzer, text: &str) -> String {
    let mut key = String::with_capacity(text.len());
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(&token.text);
    }
    key
}

/// LCCN as indexed and searched: spaces and hyphens removed, lower case.
pub(crate) fn normalize_lccn(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// OCLC number as indexed and searched: like [`normalize_lccn`], plus the usual prefixes
/// (`(OCoLC)`, `ocm`, `ocn`, `on`) and leading zeros of a numeric value removed.
pub(crate) fn normalize_oclc(value: &str) -> String {
    let lower = normalize_lccn(value);
    let mut rest = lower.as_str();
    for prefix in ["(ocolc)", "ocm", "ocn", "on"] {
        if let Some(r) = rest.strip_prefix(prefix) {
            if r.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
                rest = r;
                break;
            }
        }
    }
    if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = rest.trim_start_matches('0');
        return if trimmed.is_empty() {
            "0".to_owned()
        } else {
            trimmed.to_owned()
        };
    }
    rest.to_owned()
}

/// Sort key of a `publishedDate`: `YYYYMMDD` as a number, with `00` for a missing month or
/// day (`2019` → 20190000, `2019-10` → 20191000, `2019-10-03T00:00:00+02:00` → 20191003);
/// 0 when absent or unreadable, so such volumes sort last under "newest".
pub(crate) fn date_key(date: Option<&str>) -> u64 {
    let Some(date) = date else { return 0 };
    let mut parts = date.trim().splitn(3, '-');
    let year = parts.next().and_then(|y| number(y, 1, 4));
    let Some(year) = year.filter(|y| *y > 0) else {
        // Library data such as `c1850` or `1850?`: the first run of four digits is the year.
        return first_year(date).map_or(0, |y| y * 10_000);
    };
    let month = parts
        .next()
        .and_then(|m| number(m, 2, 2))
        .filter(|m| (1..=12).contains(m));
    let day = month
        .and(parts.next())
        .and_then(|d| number(d.get(..2)?, 2, 2))
        .filter(|d| (1..=31).contains(d));
    year * 10_000 + month.unwrap_or(0) * 100 + day.unwrap_or(0)
}

/// The first run of exactly four ASCII digits in `s`, as a year.
fn first_year(s: &str) -> Option<u64> {
    s.split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 4)
        .and_then(|run| run.parse().ok())
        .filter(|y| *y > 0)
}

/// A run of `min..=max` ASCII digits making up the whole of `s`.
fn number(s: &str, min: usize, max: usize) -> Option<u64> {
    if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The volume-id alphabet in ASCII order; the index of a character is its 6-bit code, so
/// codes compare like the characters.
const ID_ALPHABET: &[u8; 64] = b"-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

fn id_code(b: u8) -> u64 {
    match b {
        b'-' => 0,
        b'0'..=b'9' => u64::from(b - b'0') + 1,
        b'A'..=b'Z' => u64::from(b - b'A') + 11,
        b'_' => 37,
        b'a'..=b'z' => u64::from(b - b'a') + 38,
        _ => 0,
    }
}

/// Packs a volume id into two 36-bit numbers (6 characters each) whose order is the byte
/// order of the id; kept as fast fields for tie-breaking and to read ids without the
/// document store.
pub(crate) fn encode_id(id: &VolumeId) -> (u64, u64) {
    let bytes = id.as_str().as_bytes();
    let pack = |chunk: &[u8]| chunk.iter().fold(0u64, |acc, b| (acc << 6) | id_code(*b));
    (pack(&bytes[..6]), pack(&bytes[6..]))
}

/// Inverse of [`encode_id`].
pub(crate) fn decode_id(hi: u64, lo: u64) -> Option<VolumeId> {
    let mut s = String::with_capacity(VolumeId::LEN);
    for half in [hi, lo] {
        for i in (0..6).rev() {
            s.push(char::from(ID_ALPHABET[((half >> (6 * i)) & 63) as usize]));
        }
    }
    VolumeId::parse(&s).ok()
}

/// Whether a bare query word has the shape of a volume id (12 characters of
/// `[A-Za-z0-9_-]`); such a word also matches the volume with that id, ignoring case.
pub(crate) fn looks_like_volume_id(word: &str) -> bool {
    word.len() == VolumeId::LEN
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Whether a bare query word has the shape of an ISBN (digits, hyphens, a final `X`); such
/// a word also matches by ISBN when it is a valid one.
pub(crate) fn looks_like_isbn(word: &str) -> bool {
    let digits = word.bytes().filter(u8::is_ascii_digit).count();
    (digits == 10 || digits == 13 || digits == 9)
        && word
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'-' || b == b'X' || b == b'x')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tokens(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        analyze_into(&mut text_analyzer(), text, &mut out);
        out.into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn analysis_folds_and_stems() {
        assert_eq!(tokens("García Márquez"), ["garcia", "marquez"]);
        assert_eq!(tokens("Running RUNS run"), ["run", "run", "run"]);
        assert_eq!(
            tokens("<script>alert('x')</script>"),
            ["script", "alert", "x", "script"]
        );
        assert!(tokens("!!! 😀 …").is_empty());
        assert_eq!(
            title_key(&mut key_analyzer(), "  The Great   Gatsby! "),
            "the great gatsby"
        );
    }

    #[test]
    fn identifiers_normalise() {
        assert_eq!(normalize_lccn(" 94-655724 "), "94655724");
        assert_eq!(normalize_lccn("LC94655724"), "lc94655724");
        assert_eq!(normalize_oclc("OCLC-0935975"), "oclc0935975");
        assert_eq!(normalize_oclc("ocm00935975"), "935975");
        assert_eq!(normalize_oclc("(OCoLC)935975"), "935975");
        assert_eq!(normalize_oclc("935975"), "935975");
        assert_eq!(normalize_oclc("000"), "0");
    }

    #[test]
    fn dates() {
        assert_eq!(date_key(Some("2019")), 20_190_000);
        assert_eq!(date_key(Some("2019-10")), 20_191_000);
        assert_eq!(date_key(Some("2019-10-03")), 20_191_003);
        assert_eq!(date_key(Some("2019-10-03T00:00:00+02:00")), 20_191_003);
        assert_eq!(date_key(Some("1850")), 18_500_000);
        assert_eq!(date_key(Some("")), 0);
        assert_eq!(date_key(Some("unknown")), 0);
        assert_eq!(date_key(Some("-500")), 0);
        assert_eq!(date_key(Some("c1850")), 18_500_000);
        assert_eq!(date_key(Some("1850?")), 18_500_000);
        assert_eq!(date_key(None), 0);
        assert!(date_key(Some("2019")) < date_key(Some("2019-01")));
        assert!(date_key(Some("2018-12-31")) < date_key(Some("2019")));
    }

    #[test]
    fn id_shapes() {
        assert!(looks_like_volume_id("chcnvwEACAAJ"));
        assert!(looks_like_volume_id("photographer"));
        assert!(!looks_like_volume_id("chcnvwEACAA"));
        assert!(looks_like_isbn("978-3-527-40841-2"));
        assert!(looks_like_isbn("352740841X"));
        assert!(!looks_like_isbn("12345"));
    }

    proptest! {
        #[test]
        fn id_encoding_round_trips_and_keeps_order(a in "[A-Za-z0-9_-]{12}", b in "[A-Za-z0-9_-]{12}") {
            let (a, b) = (VolumeId::parse(&a).unwrap(), VolumeId::parse(&b).unwrap());
            let (ea, eb) = (encode_id(&a), encode_id(&b));
            prop_assert_eq!(decode_id(ea.0, ea.1), Some(a.clone()));
            prop_assert_eq!(ea.cmp(&eb), a.as_str().cmp(b.as_str()));
        }

        #[test]
        fn analysis_never_panics(s in any::<String>()) {
            let _ = tokens(&s);
            let _ = title_key(&mut key_analyzer(), &s);
            let _ = date_key(Some(&s));
            let _ = normalize_oclc(&s);
        }
    }
}
