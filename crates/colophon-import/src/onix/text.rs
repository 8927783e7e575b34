//! Text clean-up for ONIX fields: entities that survived XML unescaping (double-escaped
//! `&amp;amp;`, HTML names), whitespace, HTML descriptions reduced to Google's four tags,
//! and the small code tables (languages, BISAC sections).

use std::borrow::Cow;

use quick_xml::escape::resolve_html5_entity;

/// A plain field (title, name, publisher): entities decoded once more (ONIX feeds often
/// double-escape: `Allen &amp;amp; Unwin`), control characters dropped, whitespace collapsed.
/// None when nothing is left.
pub(crate) fn clean(raw: &str) -> Option<String> {
    let decoded = decode_entities(raw);
    let mut out = String::with_capacity(decoded.len());
    let mut space = false;
    for c in decoded.chars() {
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A code (`01`, `BC`, `eng`): trimmed, None when empty.
pub(crate) fn code(raw: &str) -> Option<String> {
    let t = raw.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// Decodes HTML character references (`&eacute;`, `&#233;`, `&#xE9;`, `&amp;`); anything
/// that is not one is left as it is.
pub(crate) fn decode_entities(raw: &str) -> Cow<'_, str> {
    if !raw.contains('&') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match entity_at(after) {
            Some((len, text)) => {
                out.push_str(&text);
                rest = &after[len..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The reference at the start of `s` (just after `&`): its length including `;`, and its text.
fn entity_at(s: &str) -> Option<(usize, Cow<'static, str>)> {
    let semi = s.bytes().take(40).position(|b| b == b';')?;
    let name = &s[..semi];
    if let Some(num) = name.strip_prefix('#') {
        let n = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        let c = char::from_u32(n).filter(|&c| c != '\0')?;
        return Some((semi + 1, Cow::Owned(c.to_string())));
    }
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    resolve_html5_entity(name).map(|t| (semi + 1, Cow::Borrowed(t)))
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Gap {
    None,
    Space,
    Break,
    Paragraph,
}

/// An ONIX description as Google shows one: HTML reduced to `<p>`, `<br>`, `<b>` and `<i>`
/// (`strong` becomes `b`, `em` and `cite` become `i`; list items and other blocks become
/// line breaks; every other tag is dropped), HTML entities decoded (except `&lt;` / `&gt;`,
/// kept escaped, as is a `<` that starts no tag), whitespace collapsed. Plain text whose
/// paragraphs are separated by blank lines gets `<br><br>` between them unless the text
/// already marks its paragraphs with `<p>` or `<br>`.
pub(crate) fn description_html(raw: &str) -> Option<String> {
    let marks_paragraphs = memchr::memchr_iter(b'<', raw.as_bytes()).any(|i| {
        let next = raw.as_bytes().get(i + 1..i + 3).unwrap_or(&[]);
        matches!(
            next,
            [b'p' | b'P', b'>' | b' '] | [b'b' | b'B', b'r' | b'R']
        )
    });
    let mut out = String::with_capacity(raw.len());
    let mut gap = Gap::None;
    let mut newlines = 0u32;
    let bytes = raw.as_bytes();
    let special = |b: u8| matches!(b, b'<' | b'>' | b'&') || b <= b' ' || b == 0x7F;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let rest = &raw[i..];
        match b {
            b'<' => {
                newlines = 0;
                if let Some(body) = rest.strip_prefix("<!--") {
                    i = raw.len() - body.find("-->").map_or(0, |e| body.len() - e - 3);
                    continue;
                }
                if let Some((len, tag, closing)) = tag_at(rest) {
                    i += len;
                    apply_tag(&mut out, &mut gap, &tag, closing);
                    continue;
                }
                flush_gap(&mut out, &mut gap);
                out.push_str("&lt;");
                i += 1;
            }
            b'>' => {
                newlines = 0;
                flush_gap(&mut out, &mut gap);
                out.push_str("&gt;");
                i += 1;
            }
            b'&' => {
                newlines = 0;
                if let Some((len, text)) = entity_at(&rest[1..]) {
                    i += 1 + len;
                    flush_gap(&mut out, &mut gap);
                    match &*text {
                        "<" => out.push_str("&lt;"),
                        ">" => out.push_str("&gt;"),
                        t => out.push_str(t),
                    }
                    continue;
                }
                if let Some((len, tag, closing)) = mangled_tag_at(rest) {
                    // `&i>` for `<i>`: a feed that escaped `<` as a bare `&`.
                    i += len;
                    apply_tag(&mut out, &mut gap, &tag, closing);
                    continue;
                }
                flush_gap(&mut out, &mut gap);
                out.push('&');
                i += 1;
            }
            b if special(b) => {
                // ASCII whitespace and control characters.
                if b == b'\n' {
                    newlines += 1;
                }
                let this = if newlines >= 2 && !marks_paragraphs {
                    Gap::Paragraph
                } else {
                    Gap::Space
                };
                gap = gap.max(this);
                i += 1;
            }
            _ => {
                newlines = 0;
                // A run of ordinary text, single spaces between words included.
                let mut end = i + 1;
                while let Some(&b) = bytes.get(end) {
                    if !special(b) {
                        end += 1;
                    } else if b == b' ' && bytes.get(end + 1).is_some_and(|&n| !special(n)) {
                        end += 2;
                    } else {
                        break;
                    }
                }
                flush_gap(&mut out, &mut gap);
                // Special bytes are ASCII: the run ends on a character boundary.
                out.push_str(&raw[i..end]);
                i = end;
            }
        }
    }
    // No trailing breaks.
    loop {
        let t = out.trim_end();
        if let Some(s) = t.strip_suffix("<br>") {
            let n = s.len();
            out.truncate(n);
        } else {
            let n = t.len();
            out.truncate(n);
            break;
        }
    }
    let has_text = {
        let mut in_tag = false;
        out.chars().any(|c| match c {
            '<' => {
                in_tag = true;
                false
            }
            '>' => {
                in_tag = false;
                false
            }
            c => !in_tag && !c.is_whitespace(),
        })
    };
    has_text.then_some(out)
}

fn flush_gap(out: &mut String, gap: &mut Gap) {
    if *gap == Gap::None {
        return;
    }
    let at_start = out.is_empty() || out.ends_with("<br>") || out.ends_with("<p>");
    match *gap {
        Gap::None => {}
        Gap::Space => {
            if !at_start && !out.ends_with("</p>") {
                out.push(' ');
            }
        }
        Gap::Break => {
            if !at_start && !out.ends_with("</p>") {
                out.push_str("<br>");
            }
        }
        Gap::Paragraph => {
            if !at_start && !out.ends_with("</p>") {
                out.push_str("<br><br>");
            }
        }
    }
    *gap = Gap::None;
}

fn apply_tag(out: &mut String, gap: &mut Gap, tag: &str, closing: bool) {
    match tag {
        "p" => {
            *gap = Gap::None;
            out.push_str(if closing { "</p>" } else { "<p>" });
        }
        "br" if !closing => {
            *gap = Gap::None;
            out.push_str("<br>");
        }
        "b" | "strong" | "i" | "em" | "cite" => {
            let t = if matches!(tag, "b" | "strong") {
                'b'
            } else {
                'i'
            };
            if !closing {
                flush_gap(out, gap);
            }
            out.push('<');
            if closing {
                out.push('/');
            }
            out.push(t);
            out.push('>');
        }
        "li" | "div" | "ul" | "ol" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote"
        | "tr" | "table" | "dl" | "dt" | "dd" | "hr" => {
            *gap = (*gap).max(Gap::Break);
        }
        _ => {}
    }
}

/// A tag at the start of `s` (which starts with `<`): its length, lower-case name, and
/// whether it closes.
fn tag_at(s: &str) -> Option<(usize, String, bool)> {
    let body = s.get(1..)?;
    let (closing, body) = match body.strip_prefix('/') {
        Some(b) => (true, b),
        None => (false, body),
    };
    if !body.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let end = body
        .bytes()
        .take(512)
        .position(|b| b == b'>' || b == b'<')?;
    if body.as_bytes().get(end) != Some(&b'>') {
        return None;
    }
    let name: String = body
        .bytes()
        .take_while(u8::is_ascii_alphanumeric)
        .map(|b| char::from(b.to_ascii_lowercase()))
        .collect();
    let len = s.len() - body.len() + end + 1;
    Some((len, name, closing))
}

/// `&i>`, `&/i>`, `&br>`, `&br/>` at the start of `s`: a known HTML tag whose `<` a feed
/// turned into `&` (seen in real feeds as `&#x26;i&#x0003E;`). Only these few tag names, so
/// that text like `R&D>` stays text.
fn mangled_tag_at(s: &str) -> Option<(usize, String, bool)> {
    let body = s.strip_prefix('&')?;
    let (closing, body) = match body.strip_prefix('/') {
        Some(b) => (true, b),
        None => (false, body),
    };
    let name_len = body.bytes().take_while(u8::is_ascii_alphanumeric).count();
    let name = body[..name_len].to_ascii_lowercase();
    if !matches!(
        name.as_str(),
        "p" | "br" | "b" | "i" | "em" | "strong" | "ul" | "ol" | "li" | "div"
    ) {
        return None;
    }
    let after = body[name_len..].trim_start_matches([' ', '/']);
    after.starts_with('>').then(|| {
        let len = s.len() - after.len() + 1;
        (len, name, closing)
    })
}

/// ISO 639-1 code for an ONIX (ISO 639-2/B) language code; 2-letter codes pass through,
/// 3-letter codes with no 2-letter equivalent are kept.
pub(crate) fn language(raw: &str) -> Option<String> {
    let code = raw.trim().to_ascii_lowercase();
    if code.is_empty() {
        return None;
    }
    let two = match code.as_str() {
        "eng" => "en",
        "fre" | "fra" => "fr",
        "ger" | "deu" => "de",
        "spa" => "es",
        "ita" => "it",
        "por" => "pt",
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
        "hrv" => "hr",
        "srp" => "sr",
        "bos" => "bs",
        "bul" => "bg",
        "rus" => "ru",
        "ukr" => "uk",
        "bel" => "be",
        "gre" | "ell" => "el",
        "tur" => "tr",
        "hun" => "hu",
        "rum" | "ron" => "ro",
        "lit" => "lt",
        "lav" => "lv",
        "est" => "et",
        "alb" | "sqi" => "sq",
        "mac" | "mkd" => "mk",
        "ara" => "ar",
        "heb" => "he",
        "per" | "fas" => "fa",
        "urd" => "ur",
        "hin" => "hi",
        "ben" => "bn",
        "pan" => "pa",
        "guj" => "gu",
        "mar" => "mr",
        "tam" => "ta",
        "tel" => "te",
        "kan" => "kn",
        "mal" => "ml",
        "sin" => "si",
        "nep" => "ne",
        "chi" | "zho" => "zh",
        "jpn" => "ja",
        "kor" => "ko",
        "vie" => "vi",
        "tha" => "th",
        "ind" => "id",
        "may" | "msa" => "ms",
        "tgl" => "tl",
        "swa" => "sw",
        "afr" => "af",
        "zul" => "zu",
        "xho" => "xh",
        "wel" | "cym" => "cy",
        "gle" => "ga",
        "gla" => "gd",
        "bre" => "br",
        "baq" | "eus" => "eu",
        "cat" => "ca",
        "glg" => "gl",
        "lat" => "la",
        "epo" => "eo",
        "arm" | "hye" => "hy",
        "geo" | "kat" => "ka",
        "aze" => "az",
        "kaz" => "kk",
        "uzb" => "uz",
        "mon" => "mn",
        "tib" | "bod" => "bo",
        "yid" => "yi",
        "ltz" => "lb",
        "fao" => "fo",
        "mlt" => "mt",
        "amh" => "am",
        "som" => "so",
        "hau" => "ha",
        "yor" => "yo",
        "ibo" => "ig",
        "mao" | "mri" => "mi",
        "tgk" => "tg",
        "tuk" => "tk",
        "kir" => "ky",
        "pus" => "ps",
        "kur" => "ku",
        "khm" => "km",
        "lao" => "lo",
        "bur" | "mya" => "my",
        "roh" => "rm",
        "oci" => "oc",
        "cos" => "co",
        "fry" => "fy",
        "sme" => "se",
        "san" => "sa",
        _ => return Some(code),
    };
    Some(two.to_owned())
}

/// The top-level BISAC heading of a subject code (`REL006050` -> `Religion`), as Google's
/// `categories` show it.
pub(crate) fn bisac_heading(code: &str) -> Option<&'static str> {
    let prefix = code.trim().get(..3)?.to_ascii_uppercase();
    Some(match prefix.as_str() {
        "ANT" => "Antiques & Collectibles",
        "ARC" => "Architecture",
        "ART" => "Art",
        "BIB" => "Bibles",
        "BIO" => "Biography & Autobiography",
        "BUS" => "Business & Economics",
        "CGN" => "Comics & Graphic Novels",
        "CKB" => "Cooking",
        "COM" => "Computers",
        "CRA" => "Crafts & Hobbies",
        "DES" => "Design",
        "DRA" => "Drama",
        "EDU" => "Education",
        "FAM" => "Family & Relationships",
        "FIC" => "Fiction",
        "FOR" => "Foreign Language Study",
        "GAM" => "Games & Activities",
        "GAR" => "Gardening",
        "HEA" => "Health & Fitness",
        "HIS" => "History",
        "HOM" => "House & Home",
        "HUM" => "Humor",
        "JNF" => "Juvenile Nonfiction",
        "JUV" => "Juvenile Fiction",
        "LAN" => "Language Arts & Disciplines",
        "LAW" => "Law",
        "LCO" => "Literary Collections",
        "LIT" => "Literary Criticism",
        "MAT" => "Mathematics",
        "MED" => "Medical",
        "MUS" => "Music",
        "NAT" => "Nature",
        "NON" => "Non-Classifiable",
        "OCC" => "Body, Mind & Spirit",
        "PER" => "Performing Arts",
        "PET" => "Pets",
        "PHI" => "Philosophy",
        "PHO" => "Photography",
        "POE" => "Poetry",
        "POL" => "Political Science",
        "PSY" => "Psychology",
        "REF" => "Reference",
        "REL" => "Religion",
        "SCI" => "Science",
        "SEL" => "Self-Help",
        "SOC" => "Social Science",
        "SPO" => "Sports & Recreation",
        "STU" => "Study Aids",
        "TEC" => "Technology & Engineering",
        "TRA" => "Transportation",
        "TRU" => "True Crime",
        "TRV" => "Travel",
        "YAF" => "Young Adult Fiction",
        "YAN" => "Young Adult Nonfiction",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_fields() {
        assert_eq!(
            clean("  Allen &amp; Unwin \r\n ").as_deref(),
            Some("Allen & Unwin")
        );
        assert_eq!(
            clean("Caf&eacute; &#233;t&#xE9;").as_deref(),
            Some("Café été")
        );
        assert_eq!(
            clean("AT&T; R&D &bogus; &").as_deref(),
            Some("AT&T; R&D &bogus; &")
        );
        assert_eq!(clean("a\u{1}b\tc"), Some("a b c".into()));
        assert_eq!(clean(" \n "), None);
        assert_eq!(clean("&#0;&#xD800;x").as_deref(), Some("&#0;&#xD800;x"));
    }

    #[test]
    fn descriptions_keep_four_tags() {
        assert_eq!(
            description_html(
                "<P>One <STRONG>bold</STRONG> and <em>it</em>.</P><p>Two<br/>lines</p>"
            )
            .as_deref(),
            Some("<p>One <b>bold</b> and <i>it</i>.</p><p>Two<br>lines</p>")
        );
        assert_eq!(
            description_html("<div class=\"x\"><span>Hi</span> <a href='u'>there</a></div>")
                .as_deref(),
            Some("Hi there")
        );
        assert_eq!(
            description_html("Each week:\n<ul>\n<li>a truth</li>\n<li>a verse</li>\n</ul>\nEnd")
                .as_deref(),
            Some("Each week:<br>a truth<br>a verse<br>End")
        );
        assert_eq!(
            description_html("First para.\r\n\r\nSecond   para.\nsame para").as_deref(),
            Some("First para.<br><br>Second para. same para")
        );
        assert_eq!(
            description_html("a <= b &amp; c &lt;d&gt; &eacute;&nbsp;<!-- x -->!").as_deref(),
            Some("a &lt;= b & c &lt;d&gt; é\u{a0}!")
        );
        assert_eq!(
            description_html("a<!-- unclosed comment").as_deref(),
            Some("a")
        );
        assert_eq!(description_html("<p> </p><br>"), None);
        assert_eq!(description_html("x<br><br>").as_deref(), Some("x"));
        assert_eq!(
            description_html("unclosed <b").as_deref(),
            Some("unclosed &lt;b")
        );
        assert_eq!(
            description_html("&i>Title&/i> is good.&br>&br/>Quote R&D> x").as_deref(),
            Some("<i>Title</i> is good.<br><br>Quote R&D&gt; x")
        );
        assert_eq!(description_html("a</br>b").as_deref(), Some("ab"));
    }

    #[test]
    fn languages_and_bisac() {
        assert_eq!(language("eng").as_deref(), Some("en"));
        assert_eq!(language("FRE").as_deref(), Some("fr"));
        assert_eq!(language("ger").as_deref(), Some("de"));
        assert_eq!(language("en").as_deref(), Some("en"));
        assert_eq!(language("haw").as_deref(), Some("haw"));
        assert_eq!(language(" "), None);
        assert_eq!(bisac_heading("REL006050"), Some("Religion"));
        assert_eq!(bisac_heading("lit014000"), Some("Literary Criticism"));
        assert_eq!(bisac_heading("XYZ000000"), None);
        assert_eq!(bisac_heading("é"), None);
    }
}
