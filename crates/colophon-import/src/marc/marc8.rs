//! MARC-8 to Unicode.
//!
//! MARC-8 is an ISO 2022 code: bytes 0x21-0x7E are read in the G0 set, 0xA1-0xFE in the G1
//! set; G0 starts as ASCII and G1 as ANSEL (extended Latin), and escape sequences switch them:
//! `ESC g`/`ESC b`/`ESC p` (Greek symbols, subscripts, superscripts) and `ESC s` (back to
//! ASCII) for G0; `ESC (` or `ESC ,` + final (G0), `ESC )` or `ESC -` + final (G1), with `$`
//! before the intermediate for the multibyte EACC set. ANSEL diacritics precede the letter
//! they modify; Unicode combining marks follow it, so they are held until the base arrives.
//! Sets this decoder does not carry (Hebrew, Arabic, Greek, extended Cyrillic, EACC) yield
//! U+FFFD per character and decoding goes on.

/// A graphic set that G0 or G1 can hold.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Set {
    Ascii,
    Ansel,
    GreekSymbols,
    Subscript,
    Superscript,
    BasicCyrillic,
    /// A known single-byte set without a table here.
    Unsupported,
    /// A multibyte set (EACC): three bytes per character.
    Multibyte,
}

fn set_for_final(f: u8, multibyte: bool) -> Set {
    if multibyte {
        return Set::Multibyte;
    }
    match f {
        b'B' | b's' => Set::Ascii,
        b'E' => Set::Ansel,
        b'g' => Set::GreekSymbols,
        b'b' => Set::Subscript,
        b'p' => Set::Superscript,
        b'N' => Set::BasicCyrillic,
        b'1' => Set::Multibyte,
        _ => Set::Unsupported,
    }
}

const REPLACEMENT: char = '\u{FFFD}';

/// Decodes one field's bytes (MARC-8 designations reset at each field).
#[cfg(test)]
pub(crate) fn decode(bytes: &[u8]) -> String {
    let mut out = String::new();
    decode_into(&mut out, bytes);
    out
}

/// Decodes one field's bytes onto `out` (MARC-8 designations reset at each field).
pub(crate) fn decode_into(out: &mut String, bytes: &[u8]) {
    // Most fields are plain ASCII: nothing to translate.
    if bytes.iter().all(|&b| b != 0x1B && b < 0x7F) {
        if let Ok(s) = std::str::from_utf8(bytes) {
            out.push_str(s);
            return;
        }
    }
    out.reserve(bytes.len() + 8);
    // Combining marks waiting for their base character.
    let mut pending: Vec<char> = Vec::new();
    let mut g0 = Set::Ascii;
    let mut g1 = Set::Ansel;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        match b {
            0x1B => {
                i += escape(bytes.get(i..).unwrap_or_default(), &mut g0, &mut g1);
            }
            0x00..=0x1F => {
                flush(out, &mut pending);
                out.push(char::from(b));
            }
            0x20 => push_base(out, &mut pending, ' '),
            0x7F | 0xA0 | 0xFF => {}
            0x88 | 0x89 => {} // non-sort begin / end: markers, not text
            0x8D => push_base(out, &mut pending, '\u{200D}'),
            0x8E => push_base(out, &mut pending, '\u{200C}'),
            0x80..=0x9F => {}
            _ => {
                let (set, pos) = if b < 0x80 { (g0, b) } else { (g1, b - 0x80) };
                if set == Set::Multibyte {
                    // Two more bytes of the same character (whatever they are).
                    i += 2;
                    push_base(out, &mut pending, REPLACEMENT);
                    continue;
                }
                match lookup(set, pos) {
                    Some((c, true)) => pending.push(c),
                    Some((c, false)) => push_base(out, &mut pending, c),
                    None => push_base(out, &mut pending, REPLACEMENT),
                }
            }
        }
    }
    flush(out, &mut pending);
}

fn push_base(out: &mut String, pending: &mut Vec<char>, c: char) {
    out.push(c);
    flush(out, pending);
}

fn flush(out: &mut String, pending: &mut Vec<char>) {
    if !pending.is_empty() {
        out.extend(pending.drain(..));
    }
}

/// Applies the escape sequence starting after ESC; returns how many bytes it used.
fn escape(rest: &[u8], g0: &mut Set, g1: &mut Set) -> usize {
    match rest {
        [b @ (b'g' | b'b' | b'p' | b's'), ..] => {
            *g0 = set_for_final(*b, false);
            1
        }
        [b'(' | b',', f, ..] => {
            *g0 = set_for_final(*f, false);
            2
        }
        [b')' | b'-', f, ..] => {
            *g1 = set_for_final(*f, false);
            2
        }
        [b'$', b'(' | b',', f, ..] => {
            *g0 = set_for_final(*f, true);
            3
        }
        [b'$', b')' | b'-', f, ..] => {
            *g1 = set_for_final(*f, true);
            3
        }
        [b'$', f, ..] => {
            *g0 = set_for_final(*f, true);
            2
        }
        // An escape cut by the end of the field: drop what there is of it.
        [b'$' | b'(' | b',' | b')' | b'-'] => 1,
        // An unknown escape: drop the ESC alone.
        _ => 0,
    }
}

/// The character at 7-bit position `pos` (0x21-0x7E) of `set`, and whether it combines.
fn lookup(set: Set, pos: u8) -> Option<(char, bool)> {
    match set {
        Set::Ascii => Some((char::from(pos), false)),
        Set::Ansel => ansel(pos),
        Set::GreekSymbols => match pos {
            0x61 => Some(('\u{03B1}', false)),
            0x62 => Some(('\u{03B2}', false)),
            0x63 => Some(('\u{03B3}', false)),
            _ => None,
        },
        Set::Subscript => script(
            pos,
            &SUBSCRIPT_DIGITS,
            ['\u{208D}', '\u{208E}', '\u{208A}', '\u{208B}'],
        ),
        Set::Superscript => script(
            pos,
            &SUPERSCRIPT_DIGITS,
            ['\u{207D}', '\u{207E}', '\u{207A}', '\u{207B}'],
        ),
        Set::BasicCyrillic => cyrillic(pos).map(|c| (c, false)),
        Set::Unsupported | Set::Multibyte => None,
    }
}

const SUBSCRIPT_DIGITS: [char; 10] = [
    '\u{2080}', '\u{2081}', '\u{2082}', '\u{2083}', '\u{2084}', '\u{2085}', '\u{2086}', '\u{2087}',
    '\u{2088}', '\u{2089}',
];
const SUPERSCRIPT_DIGITS: [char; 10] = [
    '\u{2070}', '\u{00B9}', '\u{00B2}', '\u{00B3}', '\u{2074}', '\u{2075}', '\u{2076}', '\u{2077}',
    '\u{2078}', '\u{2079}',
];

/// Sub/superscript sets: digits, parentheses, plus and minus.
fn script(
    pos: u8,
    digits: &[char; 10],
    [open, close, plus, minus]: [char; 4],
) -> Option<(char, bool)> {
    let c = match pos {
        b'0'..=b'9' => digits[usize::from(pos - b'0')],
        b'(' => open,
        b')' => close,
        b'+' => plus,
        b'-' => minus,
        _ => return None,
    };
    Some((c, false))
}

/// ANSEL (MARC-8 extended Latin) at 7-bit position `pos`; 0x60-0x7E are combining marks.
fn ansel(pos: u8) -> Option<(char, bool)> {
    let spacing = match pos {
        0x21 => '\u{0141}', // Ł
        0x22 => '\u{00D8}', // Ø
        0x23 => '\u{0110}', // Đ
        0x24 => '\u{00DE}', // Þ
        0x25 => '\u{00C6}', // Æ
        0x26 => '\u{0152}', // Œ
        0x27 => '\u{02B9}', // soft sign (modifier prime)
        0x28 => '\u{00B7}', // middle dot
        0x29 => '\u{266D}', // musical flat
        0x2A => '\u{00AE}', // ®
        0x2B => '\u{00B1}', // ±
        0x2C => '\u{01A0}', // Ơ
        0x2D => '\u{01AF}', // Ư
        0x2E => '\u{02BC}', // alif (modifier apostrophe)
        0x30 => '\u{02BB}', // ayn (modifier turned comma)
        0x31 => '\u{0142}', // ł
        0x32 => '\u{00F8}', // ø
        0x33 => '\u{0111}', // đ
        0x34 => '\u{00FE}', // þ
        0x35 => '\u{00E6}', // æ
        0x36 => '\u{0153}', // œ
        0x37 => '\u{02BA}', // hard sign (modifier double prime)
        0x38 => '\u{0131}', // dotless i
        0x39 => '\u{00A3}', // £
        0x3A => '\u{00F0}', // ð
        0x3C => '\u{01A1}', // ơ
        0x3D => '\u{01B0}', // ư
        0x40 => '\u{00B0}', // degree
        0x41 => '\u{2113}', // script l
        0x42 => '\u{2117}', // sound recording copyright
        0x43 => '\u{00A9}', // ©
        0x44 => '\u{266F}', // musical sharp
        0x45 => '\u{00BF}', // ¿
        0x46 => '\u{00A1}', // ¡
        0x47 => '\u{00DF}', // ß
        0x48 => '\u{20AC}', // €
        _ => {
            let combining = match pos {
                0x60 => '\u{0309}', // hook above
                0x61 => '\u{0300}', // grave
                0x62 => '\u{0301}', // acute
                0x63 => '\u{0302}', // circumflex
                0x64 => '\u{0303}', // tilde
                0x65 => '\u{0304}', // macron
                0x66 => '\u{0306}', // breve
                0x67 => '\u{0307}', // dot above
                0x68 => '\u{0308}', // diaeresis (umlaut)
                0x69 => '\u{030C}', // caron (hacek)
                0x6A => '\u{030A}', // ring above
                0x6B => '\u{FE20}', // ligature, first half
                0x6C => '\u{FE21}', // ligature, second half
                0x6D => '\u{0315}', // comma above right (high comma, off centre)
                0x6E => '\u{030B}', // double acute
                0x6F => '\u{0310}', // candrabindu
                0x70 => '\u{0327}', // cedilla
                0x71 => '\u{0328}', // ogonek (right hook)
                0x72 => '\u{0323}', // dot below
                0x73 => '\u{0324}', // double dot below
                0x74 => '\u{0325}', // ring below
                0x75 => '\u{0333}', // double underscore
                0x76 => '\u{0332}', // underscore
                0x77 => '\u{0326}', // comma below (left hook)
                0x78 => '\u{031C}', // right cedilla (left half ring below)
                0x79 => '\u{032E}', // breve below (upadhmaniya)
                0x7A => '\u{FE22}', // double tilde, first half
                0x7B => '\u{FE23}', // double tilde, second half
                0x7E => '\u{0313}', // comma above (high comma, centred)
                _ => return None,
            };
            return Some((combining, true));
        }
    };
    Some((spacing, false))
}

/// MARC-8 basic Cyrillic (ISO 5427 order): 0x21-0x3F as ASCII, 0x40-0x5F lower case,
/// 0x60-0x7E upper case.
fn cyrillic(pos: u8) -> Option<char> {
    // Offsets from U+0430 (а) of the letters in set order, starting at 0x40 (ю).
    const ORDER: [u32; 32] = [
        0x1E, 0x00, 0x01, 0x16, 0x04, 0x05, 0x14, 0x03, // ю а б ц д е ф г
        0x15, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, // х и й к л м н о
        0x0F, 0x1F, 0x10, 0x11, 0x12, 0x13, 0x06, 0x02, // п я р с т у ж в
        0x1C, 0x1B, 0x07, 0x18, 0x1D, 0x19, 0x17, 0x1A, // ь ы з ш э щ ч ъ
    ];
    match pos {
        0x21..=0x3F => Some(char::from(pos)),
        0x40..=0x5F => char::from_u32(0x0430 + ORDER[usize::from(pos - 0x40)]),
        // Upper case sits 0x20 lower in Unicode; 0x7F (hard sign) is not in this set.
        0x60..=0x7E => char::from_u32(0x0410 + ORDER[usize::from(pos - 0x60)]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn ascii_passes() {
        assert_eq!(decode(b"Plain text, 1899."), "Plain text, 1899.");
    }

    #[test]
    fn diacritics_move_after_their_letter() {
        // ANSEL acute (0xE2) before e: "Fouché" (decomposed; NFC is applied later).
        assert_eq!(decode(b"Fouch\xe2e"), "Fouche\u{0301}");
        // Umlaut before u, then an ordinary letter.
        assert_eq!(decode(b"M\xe8unchen"), "Mu\u{0308}nchen");
        // Two marks on one letter keep their order.
        assert_eq!(decode(b"\xe2\xe8u"), "u\u{0301}\u{0308}");
        // Ligature halves around "ia": Istorii︠a︡.
        assert_eq!(decode(b"Istori\xebi\xeca"), "Istorii\u{FE20}a\u{FE21}");
        // A trailing mark with no base is kept rather than lost.
        assert_eq!(decode(b"x\xe2"), "x\u{0301}");
    }

    #[test]
    fn spacing_ansel_characters() {
        assert_eq!(decode(b"\xa1od\xa2"), "\u{0141}od\u{00D8}");
        assert_eq!(decode(b"Zhizn\xa7"), "Zhizn\u{02B9}");
        assert_eq!(decode(b"\xc3 1999"), "\u{00A9} 1999");
        assert_eq!(decode(b"\xb0ayn"), "\u{02BB}ayn");
    }

    #[test]
    fn escapes_switch_sets() {
        // Subscript 2 then back to ASCII: H₂O.
        assert_eq!(decode(b"H\x1bb2\x1bsO"), "H\u{2082}O");
        // Superscripts.
        assert_eq!(decode(b"x\x1bp2\x1bs"), "x\u{00B2}");
        // Greek symbols.
        assert_eq!(decode(b"\x1bga\x1bs-rays"), "\u{03B1}-rays");
        // Basic Cyrillic designated into G0: "Мир" (M=0x6D, и=0x49, р=0x52).
        assert_eq!(
            decode(b"\x1b(N\x6d\x49\x52\x1b(B ok"),
            "\u{041C}\u{0438}\u{0440} ok"
        );
        // EACC (multibyte) is not carried: one U+FFFD per three-byte character, then ASCII.
        assert_eq!(
            decode(b"\x1b$1\x21\x30\x64\x21\x30\x65\x1b(B end"),
            "\u{FFFD}\u{FFFD} end"
        );
        // Hebrew (unsupported single-byte set) in G0.
        assert_eq!(decode(b"\x1b(2\x60\x61\x1b(B."), "\u{FFFD}\u{FFFD}.");
        // A cut escape at the end does not panic.
        assert_eq!(decode(b"abc\x1b"), "abc");
        assert_eq!(decode(b"abc\x1b$"), "abc");
        assert_eq!(decode(b"\x1b$1\x21"), "\u{FFFD}");
    }

    #[test]
    fn controls_and_undefined_bytes() {
        // Non-sort markers vanish; subfield delimiters pass through and flush pending marks.
        assert_eq!(decode(b"\x88The \x89book"), "The book");
        assert_eq!(decode(b"a\xe2\x1fbc"), "a\u{0301}\x1fbc");
        assert_eq!(decode(b"\xbb\xff"), "\u{FFFD}");
    }
}
