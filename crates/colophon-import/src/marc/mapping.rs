//! A parsed MARC [`Record`] to a [`SourceRecord`] (the table is in the module doc of `marc`).

use super::{Field, Record};
use crate::source::normalize_date;
use crate::SourceRecord;

/// Maps `rec`; `fallback_key` gives the record hash when it has no 001, 035 or 010.
pub(crate) fn to_source_record(
    rec: &Record,
    fallback_key: impl FnOnce() -> String,
) -> Result<SourceRecord, String> {
    let (title, subtitle) =
        title(rec).ok_or("no title (245 $a or $k, 240, 246, 740 or a linked 880)")?;
    if is_see_also(&title) {
        return Err(format!(
            "245 holds a cross-reference (\"{title}\"), not a title"
        ));
    }
    let mut out = SourceRecord::new(format!("marc:{}", key(rec).unwrap_or_else(fallback_key)));
    out.volume_info.title = Some(title);
    out.volume_info.subtitle = subtitle;

    // Main entry first, then added entries, each in record order.
    let main: Vec<Field<'_>> = rec
        .all()
        .filter(|f| matches!(&f.tag, b"100" | b"110" | b"111"))
        .collect();
    let main = if main.is_empty() {
        [b"100", b"110", b"111"]
            .iter()
            .flat_map(|t| rec.fields_or_880(t))
            .collect()
    } else {
        main
    };
    let added = rec
        .all()
        .filter(|f| matches!(&f.tag, b"700" | b"710" | b"711"));
    for f in main.into_iter().chain(added) {
        add_name(&mut out, &f);
    }

    out.volume_info.publisher = publisher(rec);
    out.volume_info.published_date = published_date(rec);
    out.volume_info.description = description(rec);
    out.volume_info.page_count = rec
        .fields(b"300")
        .filter_map(|f| f.sub(b'a'))
        .find_map(page_count);
    out.volume_info.language = language(rec);
    out.volume_info.print_type = Some(
        if rec.leader.as_bytes().get(7) == Some(&b's') {
            "MAGAZINE"
        } else {
            "BOOK"
        }
        .to_owned(),
    );

    for f in rec.fields(b"020") {
        for isbn in f.subs(b'a') {
            out.add_isbn(isbn);
        }
    }
    for lccn in rec.fields(b"010").filter_map(|f| f.sub(b'a')) {
        if let Some(n) = normalize_lccn(lccn) {
            out.add_identifier("OTHER", &format!("LCCN:{n}"));
        }
    }
    if rec.control(b"003") == Some("OCoLC") {
        if let Some(n) = rec.control(b"001").and_then(oclc_number) {
            out.add_identifier("OTHER", &format!("OCLC:{n}"));
        }
    }
    for id in rec.fields(b"035").flat_map(|f| f.subs(b'a')) {
        let id = id.trim();
        // `(OCoLC)ocm00012345`, or the bare `ocm00012345` some libraries keep.
        let oclc = id.strip_prefix("(OCoLC)").or_else(|| {
            ["ocm", "ocn", "on"]
                .iter()
                .any(|p| {
                    id.strip_prefix(p)
                        .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
                })
                .then_some(id)
        });
        if let Some(n) = oclc.and_then(oclc_number) {
            out.add_identifier("OTHER", &format!("OCLC:{n}"));
        }
    }

    for tag in [b"650", b"651"] {
        for f in rec.fields(tag) {
            let parts: Vec<&str> = f
                .subfields()
                .filter(|(c, _)| matches!(c, b'a' | b'x' | b'y' | b'z' | b'v'))
                .map(|(_, v)| trim_trailing(v))
                .filter(|v| !v.is_empty())
                .collect();
            if !parts.is_empty() {
                out.add_category(&parts.join(" -- "));
            }
        }
    }
    Ok(out)
}

/// The record's local id: 001, else 035 $a, else `lccn:` + 010 $a.
fn key(rec: &Record) -> Option<String> {
    if let Some(id) = rec.control(b"001") {
        return Some(id.to_owned());
    }
    if let Some(id) = rec
        .fields(b"035")
        .flat_map(|f| f.subs(b'a'))
        .map(str::trim)
        .find(|s| !s.is_empty())
    {
        return Some(id.to_owned());
    }
    rec.fields(b"010")
        .filter_map(|f| f.sub(b'a'))
        .find_map(|l| {
            let t = l.trim();
            (!t.is_empty()).then(|| format!("lccn:{}", normalize_lccn(t).unwrap_or(t.into())))
        })
}

/// Title and subtitle from 245 (or 240, or an 880 standing for 245).
fn title(rec: &Record) -> Option<(String, Option<String>)> {
    for f in rec.fields_or_880(b"245") {
        let mut title = String::new();
        let mut subtitle: Option<String> = None;
        for (code, value) in f.subfields() {
            let target = match code {
                b'a' if subtitle.is_none() => &mut title,
                // Archival collections name their title in $k (form) when $a is absent.
                b'k' if title.is_empty() && subtitle.is_none() => &mut title,
                b'b' => subtitle.get_or_insert_with(String::new),
                b'n' | b'p' => match subtitle.as_mut() {
                    Some(s) => s,
                    None => &mut title,
                },
                _ => continue,
            };
            append_part(target, value);
        }
        let title = clean_title(&title);
        if !title.is_empty() {
            let subtitle = subtitle.map(|s| clean_title(&s)).filter(|s| !s.is_empty());
            return Some((title, subtitle));
        }
    }
    // A record without a 245 (or with an empty one) may still name the work: its uniform
    // title (240), a varying form (246) or an uncontrolled added title (740).
    [b"240", b"246", b"740"]
        .iter()
        .flat_map(|t| rec.fields(t))
        .find_map(|f| {
            let mut t = String::new();
            for (_, v) in f
                .subfields()
                .filter(|(c, _)| matches!(c, b'a' | b'n' | b'p'))
            {
                append_part(&mut t, v);
            }
            let t = clean_title(&t);
            (!t.is_empty()).then_some((t, None))
        })
}

fn append_part(target: &mut String, value: &str) {
    let v = value.trim();
    if v.is_empty() {
        return;
    }
    if !target.is_empty() {
        // "2 diversions." + "Dance": the ISBD mark at the seam is kept as the separator,
        // except the ones that introduce what follows inside the statement.
        let t = trim_isbd(target).len();
        target.truncate(t);
        if !target.ends_with('.') {
            target.push('.');
        }
        target.push(' ');
    }
    target.push_str(v);
}

fn is_see_also(title: &str) -> bool {
    matches!(title.to_lowercase().as_str(), "see" | "see also")
}

/// A title as shown: ISBD punctuation at the end removed, blanks collapsed.
fn clean_title(s: &str) -> String {
    let t = trim_trailing(s);
    let t = t
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(t);
    collapse_spaces(t.trim())
}

fn collapse_spaces(s: &str) -> String {
    let needed = s
        .as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_whitespace() && (w[1].is_ascii_whitespace() || w[0] != b' '))
        || s.starts_with(char::is_whitespace)
        || s.ends_with(char::is_whitespace);
    if !needed {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Removes ISBD separators at the end (` /`, ` :`, ` ;`, ` =`, `,`) but not a final period.
fn trim_isbd(s: &str) -> &str {
    let mut t = s.trim_end();
    loop {
        let next = t
            .trim_end_matches([' ', '/', ':', ';', '=', ','])
            .trim_end();
        if next.len() == t.len() {
            return t;
        }
        t = next;
    }
}

/// Abbreviations whose period stays at the end of a name or title.
const KEEP_DOT: &[&str] = &[
    "co", "inc", "ltd", "corp", "bros", "jr", "sr", "st", "dr", "etc", "off", "dept", "univ",
    "assn", "soc", "govt", "print", "pub", "publ", "ed", "eds", "vol", "cie", "esq", "mass",
    "verl", "ges", "akad", "buchh", "hrsg", "wiss", "abt",
];

/// ISBD separators and a final period removed, unless the period ends an abbreviation or an
/// initial (`Co.`, `U.S.A.`, `E.`) or an ellipsis.
pub(crate) fn trim_trailing(s: &str) -> &str {
    let mut t = trim_isbd(s);
    while let Some(body) = t.strip_suffix('.') {
        let word = body
            .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '-')
            .next()
            .unwrap_or("");
        let is_initial = word.chars().count() == 1 && word.chars().all(char::is_alphabetic);
        let keep = body.ends_with('.')
            || word.contains('.')
            || is_initial
            || KEEP_DOT.contains(&word.to_lowercase().as_str());
        if keep {
            break;
        }
        t = trim_isbd(body);
    }
    t
}

/// Adds the name of a 1XX/7XX field as Google shows authors.
fn add_name(out: &mut SourceRecord, f: &Field<'_>) {
    let person = matches!(&f.tag, b"100" | b"700")
        || (&f.tag == b"880"
            && f.sub(b'6')
                .is_some_and(|l| l.starts_with("100") || l.starts_with("700")));
    let name = if person {
        person_name(f)
    } else {
        // Corporate and meeting names: the name and its subordinate units.
        let mut s = String::new();
        let units: &[u8] = if matches!(&f.tag, b"111" | b"711") {
            b"aq"
        } else {
            b"ab"
        };
        for (_, v) in f.subfields().filter(|(c, _)| units.contains(c)) {
            let v = trim_trailing(v);
            if !v.is_empty() {
                if !s.is_empty() {
                    s.push_str(if s.ends_with('.') { " " } else { ". " });
                }
                s.push_str(v);
            }
        }
        Some(collapse_spaces(trim_trailing(&s)))
    };
    if let Some(n) = name {
        out.add_author(&n);
    }
}

/// `Austen, Jane,` (ind1 1: surname first) -> `Jane Austen`; `John` + `XXIII,` -> `John XXIII`.
fn person_name(f: &Field<'_>) -> Option<String> {
    let a = f.sub(b'a')?;
    // Cataloguers' notes and brackets are not part of the name.
    let a = a.replace("[from old catalog]", "").replace(['[', ']'], "");
    let a = trim_trailing(&a);
    if a.is_empty() {
        return None;
    }
    let inverted = match f.ind1 {
        b'1' => true,
        b'0' | b'3' => false,
        _ => a.contains(", "),
    };
    let mut name = match a.split_once(',') {
        Some((surname, rest)) if inverted => {
            // Anything after a second comma (dates or titles typed into $a) is dropped.
            let forenames = trim_trailing(rest.split(',').next().unwrap_or("").trim());
            let surname = surname.trim();
            if forenames.is_empty() {
                surname.to_owned()
            } else {
                format!("{forenames} {surname}")
            }
        }
        _ => a.to_owned(),
    };
    if let Some(b) = f.sub(b'b').map(trim_trailing).filter(|b| !b.is_empty()) {
        name.push(' ');
        name.push_str(b);
    }
    Some(collapse_spaces(&name))
}

/// 264 (ind2 1) or 260 $b, skipping "[s.n.]".
fn publisher(rec: &Record) -> Option<String> {
    let published = rec.fields(b"264").filter(|f| f.ind2 == b'1');
    let older = rec.fields_or_880(b"260");
    published
        .chain(older)
        .flat_map(|f| f.subs(b'b'))
        .find_map(|b| {
            let t = trim_trailing(b);
            let t = t.strip_prefix('[').unwrap_or(t);
            let t = t.strip_suffix(']').unwrap_or(t);
            let t = trim_trailing(t.trim());
            let lower = t.to_lowercase();
            let unknown = matches!(
                lower.trim_end_matches('.').replace(' ', "").as_str(),
                "s.n" | "sn" | "n.p" | "publishernotidentified" | "verlagnichtermittelbar"
            );
            (!t.is_empty() && !unknown).then(|| collapse_spaces(t))
        })
}

/// 264 (ind2 1) / 260 $c, then 264 (ind2 4) $c, then 008/07-10.
fn published_date(rec: &Record) -> Option<String> {
    let dates = rec
        .fields(b"264")
        .filter(|f| f.ind2 == b'1')
        .chain(rec.fields(b"260"))
        .chain(rec.fields(b"264").filter(|f| f.ind2 == b'4'))
        .flat_map(|f| f.subs(b'c'));
    for d in dates {
        if let Some(n) = date(d) {
            return Some(n);
        }
    }
    let date1 = rec.control(b"008")?.get(7..11)?;
    (date1.bytes().all(|b| b.is_ascii_digit()) && date1 != "9999")
        .then(|| date(date1))
        .flatten()
}

/// [`normalize_date`] on ASCII only: it slices by byte and would panic inside a multibyte
/// character (`Shōwa 46-47 [1971-1972]`); other characters cannot be part of a date anyway.
fn date(raw: &str) -> Option<String> {
    if raw.is_ascii() {
        return normalize_date(raw);
    }
    let ascii: String = raw
        .chars()
        .map(|c| if c.is_ascii() { c } else { ' ' })
        .collect();
    normalize_date(&ascii)
}

fn description(rec: &Record) -> Option<String> {
    let parts: Vec<String> = rec
        .fields(b"520")
        .map(|f| {
            let texts: Vec<&str> = f
                .subfields()
                .filter(|(c, _)| matches!(c, b'a' | b'b'))
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
                .collect();
            texts.join(" ")
        })
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// Units that mark a number as a count of pages in 300 $a.
const PAGE_UNITS: &[&str] = &[
    "p", "pp", "page", "pages", "leaf", "leaves", "s", "seiten", "str", "f", "ff", "pág", "págs",
    "blz",
];

/// The number of pages in an extent statement: the largest arabic number of the group of
/// numbers that ends with a page unit (`xii, 345 p.`, `1 v. (920 p.)`, `iv, 291 leaves`).
pub(crate) fn page_count(extent: &str) -> Option<i32> {
    let mut best: Option<i32> = None;
    // Groups are separated by parentheses, semicolons and colons.
    for group in extent.split(['(', ')', ';', ':', '+']) {
        let mut numbers: Vec<i32> = Vec::new();
        let mut has_unit = false;
        let tokens: Vec<&str> = group
            .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']')
            .filter(|t| !t.is_empty())
            .collect();
        for (i, tok) in tokens.iter().enumerate() {
            // "381p." and "14p" carry the unit on the number.
            let digits: String = tok.chars().take_while(char::is_ascii_digit).collect();
            let tail = tok[digits.len()..].trim_end_matches('.').to_lowercase();
            if digits.is_empty() {
                continue;
            }
            let Ok(n) = digits.parse::<i32>() else {
                continue;
            };
            let unit_here = !tail.is_empty() && PAGE_UNITS.contains(&tail.as_str());
            let unit_next = tail.is_empty()
                && tokens.get(i + 1).is_some_and(|next| {
                    PAGE_UNITS.contains(&next.trim_end_matches('.').to_lowercase().as_str())
                });
            if tail.is_empty() || unit_here {
                numbers.push(n);
            }
            if unit_here || unit_next {
                has_unit = true;
                break;
            }
        }
        if has_unit {
            if let Some(&m) = numbers.iter().max() {
                if m > 0 {
                    best = Some(best.map_or(m, |b: i32| b.max(m)));
                }
            }
        }
    }
    best
}

/// 008/35-37, else 041 $a, as ISO 639-1 where one exists.
fn language(rec: &Record) -> Option<String> {
    let from_008 = rec.control(b"008").and_then(|f| f.get(35..38));
    let from_041 = rec
        .fields(b"041")
        .flat_map(|f| f.subs(b'a'))
        .filter_map(|s| s.trim().get(..3));
    from_008.into_iter().chain(from_041).find_map(|code| {
        let code = code.to_ascii_lowercase();
        let usable = code.len() == 3
            && code.bytes().all(|b| b.is_ascii_lowercase())
            && !matches!(code.as_str(), "und" | "zxx" | "mul" | "mis");
        usable.then(|| iso639_1(&code).map_or(code.clone(), str::to_owned))
    })
}

/// MARC (ISO 639-2/B, and the /T forms) to ISO 639-1.
fn iso639_1(code: &str) -> Option<&'static str> {
    Some(match code {
        "eng" => "en",
        "fre" | "fra" => "fr",
        "ger" | "deu" => "de",
        "spa" => "es",
        "ita" => "it",
        "por" => "pt",
        "rus" => "ru",
        "chi" | "zho" => "zh",
        "jpn" => "ja",
        "kor" => "ko",
        "ara" => "ar",
        "heb" => "he",
        "yid" => "yi",
        "lat" => "la",
        "gre" | "ell" => "el",
        "dut" | "nld" => "nl",
        "swe" => "sv",
        "dan" => "da",
        "nor" => "no",
        "nob" => "nb",
        "nno" => "nn",
        "fin" => "fi",
        "ice" | "isl" => "is",
        "pol" => "pl",
        "cze" | "ces" => "cs",
        "slo" | "slk" => "sk",
        "slv" => "sl",
        "hun" => "hu",
        "rum" | "ron" => "ro",
        "bul" => "bg",
        "hrv" | "scr" => "hr",
        "srp" | "scc" => "sr",
        "bos" => "bs",
        "mac" | "mkd" => "mk",
        "ukr" => "uk",
        "bel" => "be",
        "lit" => "lt",
        "lav" => "lv",
        "est" => "et",
        "tur" => "tr",
        "per" | "fas" => "fa",
        "urd" => "ur",
        "hin" => "hi",
        "ben" => "bn",
        "tam" => "ta",
        "tel" => "te",
        "mar" => "mr",
        "guj" => "gu",
        "pan" => "pa",
        "san" => "sa",
        "nep" => "ne",
        "sin" => "si",
        "tha" => "th",
        "vie" => "vi",
        "ind" => "id",
        "may" | "msa" => "ms",
        "tgl" => "tl",
        "wel" | "cym" => "cy",
        "gle" => "ga",
        "gla" => "gd",
        "bre" => "br",
        "cat" => "ca",
        "glg" => "gl",
        "baq" | "eus" => "eu",
        "oci" => "oc",
        "afr" => "af",
        "alb" | "sqi" => "sq",
        "arm" | "hye" => "hy",
        "geo" | "kat" => "ka",
        "aze" => "az",
        "kaz" => "kk",
        "uzb" => "uz",
        "kir" => "ky",
        "tgk" => "tg",
        "tuk" => "tk",
        "tat" => "tt",
        "mon" => "mn",
        "tib" | "bod" => "bo",
        "bur" | "mya" => "my",
        "khm" => "km",
        "lao" => "lo",
        "swa" => "sw",
        "amh" => "am",
        "som" => "so",
        "hau" => "ha",
        "yor" => "yo",
        "ibo" => "ig",
        "zul" => "zu",
        "xho" => "xh",
        "epo" | "esp" => "eo",
        "mlt" => "mt",
        "ltz" => "lb",
        "fao" => "fo",
        "roh" => "rm",
        "kur" => "ku",
        "pus" => "ps",
        "snd" => "sd",
        "kan" => "kn",
        "mal" => "ml",
        "ori" => "or",
        "asm" => "as",
        "jav" => "jv",
        "sun" => "su",
        "mao" | "mri" => "mi",
        "que" => "qu",
        "grn" => "gn",
        "uig" => "ug",
        _ => return None,
    })
}

/// `  sc 83003257 ` -> `sc83003257`; `72-626487//r86` -> `72626487`; `n 79-021164` ->
/// `n79021164`, `ʹ  75002321` -> `75002321`. None when what is left is not a prefix of up to
/// three letters and 7 to 12 digits.
pub(crate) fn normalize_lccn(raw: &str) -> Option<String> {
    let t = raw.split('/').next().unwrap_or("");
    let compact: String = t
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let n = match compact.split_once('-') {
        Some((head, serial)) if serial.chars().all(|c| c.is_ascii_digit()) && serial.len() <= 6 => {
            format!("{head}{serial:0>6}")
        }
        _ => compact,
    };
    let letters = n.chars().take_while(char::is_ascii_lowercase).count();
    let digits = &n[letters..];
    let ok = letters <= 3
        && (7..=12).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit());
    ok.then_some(n)
}

/// `ocm00012345` / `on1234567890` / `12345` -> `12345`.
fn oclc_number(raw: &str) -> Option<String> {
    let t = raw
        .trim()
        .trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let digits = t.trim();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n = digits.trim_start_matches('0');
    (!n.is_empty()).then(|| n.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbd_punctuation() {
        assert_eq!(trim_trailing("Candide /"), "Candide");
        assert_eq!(trim_trailing("Die broke :"), "Die broke");
        assert_eq!(
            trim_trailing("OAG flight atlas. Worldwide."),
            "OAG flight atlas. Worldwide"
        );
        assert_eq!(trim_trailing("Seeley and Co.,"), "Seeley and Co.");
        assert_eq!(trim_trailing("Washington, D.C. :"), "Washington, D.C.");
        assert_eq!(trim_trailing("Bliss, E. E."), "Bliss, E. E.");
        assert_eq!(trim_trailing("And so on..."), "And so on...");
        assert_eq!(trim_trailing("Harper,"), "Harper");
        assert_eq!(trim_trailing("VDI-Verl."), "VDI-Verl.");
        assert_eq!(clean_title("[Catalogue of books] /"), "Catalogue of books");
    }

    fn person(ind1: u8, subs: &[(u8, &str)]) -> Record {
        let mut r = Record::default();
        r.begin_data_field(*b"100", ind1, b' ');
        for (code, value) in subs {
            let start = r.mark();
            r.text_mut().push_str(value);
            let end = r.mark();
            r.push_sub(*code, start, end);
        }
        r
    }

    #[test]
    fn names_in_display_order() {
        let n = |r: Record| person_name(&r.fields(b"100").next().unwrap()).unwrap();
        assert_eq!(
            n(person(
                b'1',
                &[(b'a', "Austen, Jane,"), (b'd', "1775-1817.")]
            )),
            "Jane Austen"
        );
        assert_eq!(n(person(b'1', &[(b'a', "Bliss, E. E.")])), "E. E. Bliss");
        assert_eq!(
            n(person(
                b'0',
                &[(b'a', "John"), (b'b', "XXIII,"), (b'c', "Pope,")]
            )),
            "John XXIII"
        );
        assert_eq!(n(person(b'0', &[(b'a', "Homer.")])), "Homer");
        assert_eq!(
            n(person(b' ', &[(b'a', "Dumas, Alexandre, 1802-1870.")])),
            "Alexandre Dumas"
        );
        assert_eq!(n(person(b'1', &[(b'a', "Madonna,")])), "Madonna");
    }

    #[test]
    fn extents() {
        assert_eq!(page_count("xvii, 605 p."), Some(605));
        assert_eq!(page_count("iv, 291 leaves"), Some(291));
        assert_eq!(page_count("320, 11 p."), Some(320));
        assert_eq!(page_count("1 v. (920 p.)"), Some(920));
        assert_eq!(page_count("381p."), Some(381));
        assert_eq!(page_count("XII, 345 S."), Some(345));
        assert_eq!(page_count("247, 16 pages"), Some(247));
        assert_eq!(page_count("2 v. (xii, 345 p.) :"), Some(345));
        assert_eq!(page_count("70 v. in 128"), None);
        assert_eq!(page_count("2 sound cassettes (3 hr. 16 min.)"), None);
        assert_eq!(page_count("viii p., 1 l."), None);
        assert_eq!(page_count("[4] l., 160 p."), Some(160));
        assert_eq!(page_count("1 vol"), None);
        assert_eq!(page_count("v."), None);
    }

    #[test]
    fn identifiers() {
        assert_eq!(
            normalize_lccn("   b82004255 ").as_deref(),
            Some("b82004255")
        );
        assert_eq!(normalize_lccn("sc 83003257").as_deref(), Some("sc83003257"));
        assert_eq!(
            normalize_lccn("72-626487//r86").as_deref(),
            Some("72626487")
        );
        assert_eq!(normalize_lccn("n 79-21164").as_deref(), Some("n79021164"));
        assert_eq!(
            normalize_lccn("  2011500165").as_deref(),
            Some("2011500165")
        );
        assert_eq!(
            normalize_lccn("\u{2b9}  75002321 ").as_deref(),
            Some("75002321")
        );
        assert_eq!(normalize_lccn("garbage"), None);
        assert_eq!(normalize_lccn("123"), None);
        assert_eq!(oclc_number("ocm00400866").as_deref(), Some("400866"));
        assert_eq!(oclc_number("cis10504687").as_deref(), Some("10504687"));
        assert_eq!(oclc_number("on1234567890").as_deref(), Some("1234567890"));
        assert_eq!(oclc_number("(DE-599)ZDB2072-2"), None);
    }
}
