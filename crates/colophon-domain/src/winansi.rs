//! WinAnsiEncoding (PDF 1.7, Annex D): the one-byte encoding of the standard PDF fonts, which
//! every PDF reader has without embedding a font. It covers Latin-1 and the usual typographic
//! marks (curly quotes, dashes, ellipsis, €, Œ, Š…). A text with any other character (Greek,
//! Cyrillic, CJK, Polish ł…) cannot be set in these fonts: such a volume gets no PDF.

/// The byte of `c` in WinAnsiEncoding, if it has one. Tabs and line breaks are not text here
/// (the layout handles them) and have none.
pub fn encode(c: char) -> Option<u8> {
    let u = c as u32;
    match u {
        0x20..=0x7E | 0xA0..=0xFF => Some(u as u8),
        _ => Some(match c {
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8A,
            '‹' => 0x8B,
            'Œ' => 0x8C,
            'Ž' => 0x8E,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9A,
            '›' => 0x9B,
            'œ' => 0x9C,
            'ž' => 0x9E,
            'Ÿ' => 0x9F,
            _ => return None,
        }),
    }
}

/// Whether every character of `text` other than whitespace controls (`\n`, `\r`, `\t`,
/// form feed) and invisible format characters (soft hyphen, zero-width space, BOM) can be
/// set in the standard PDF fonts.
pub fn encodable(text: &str) -> bool {
    text.chars().all(|c| ignorable(c) || encode(c).is_some())
}

/// Characters the PDF layout drops or turns into spaces rather than setting.
pub fn ignorable(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\t' | '\u{0C}' | '\u{200B}' | '\u{FEFF}' | '\u{00AD}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_text_and_typography_encode() {
        assert_eq!(encode('A'), Some(b'A'));
        assert_eq!(encode('é'), Some(0xE9));
        assert_eq!(encode('—'), Some(0x97));
        assert_eq!(encode('“'), Some(0x93));
        assert_eq!(encode('€'), Some(0x80));
        assert!(encodable("“Mr. Darcy,” said she — café, naïve…\n\tFin."));
    }

    #[test]
    fn other_scripts_do_not() {
        assert_eq!(encode('ł'), None);
        assert_eq!(encode('Ж'), None);
        assert_eq!(encode('漢'), None);
        assert_eq!(encode('\u{7F}'), None);
        assert!(!encodable("Война и мир"));
    }
}
