//! The word tokenizer of every analyzed field: runs of letters and digits are words, and
//! Chinese, Japanese and Korean text, written without spaces between words, is cut into
//! overlapping pairs of characters (bigrams: `東京物語` → `東京`, `京物`, `物語`), the
//! dictionary-free segmentation most search engines use for CJK. A lone CJK character is a
//! word of its own. Query text goes through the same tokenizer, so a two-character query
//! finds it anywhere and a longer one is a phrase of bigrams; a one-character query finds
//! only that character standing alone (unigrams are not indexed inside runs: they would
//! double the postings of CJK text for matches that are mostly noise).

use std::str::CharIndices;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// See the module documentation.
#[derive(Clone, Default)]
pub(crate) struct WordTokenizer {
    token: Token,
}

/// The token stream of [`WordTokenizer`].
pub(crate) struct WordTokenStream<'a> {
    text: &'a str,
    chars: std::iter::Peekable<CharIndices<'a>>,
    /// Start of the previous CJK character when the current run continues it.
    cjk_run: Option<usize>,
    token: &'a mut Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        self.token.reset();
        WordTokenStream {
            text,
            chars: text.char_indices().peekable(),
            cjk_run: None,
            token: &mut self.token,
        }
    }
}

/// Whether `c` is written without spaces between words: Han ideographs, kana, Hangul.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x31F0..=0x31FF    // Katakana phonetic extensions
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0x1100..=0x11FF    // Hangul jamo
        | 0x3130..=0x318F    // Hangul compatibility jamo
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0xFF66..=0xFF9D    // half-width Katakana
        | 0x20000..=0x2FA1F  // CJK extensions B–F, compatibility supplement
    )
}

impl WordTokenStream<'_> {
    fn emit(&mut self, from: usize, to: usize) -> bool {
        self.token.text.clear();
        self.token.text.push_str(&self.text[from..to]);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = self.token.position.wrapping_add(1);
        true
    }
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some((start, c)) = self.chars.next() {
            let end = start + c.len_utf8();
            if is_cjk(c) {
                let next_is_cjk = self.chars.peek().is_some_and(|&(_, n)| is_cjk(n));
                match self.cjk_run.replace(start) {
                    // The pair ending here.
                    Some(previous) => {
                        if !next_is_cjk {
                            self.cjk_run = None;
                        }
                        return self.emit(previous, end);
                    }
                    // A run's first character: a word alone, else wait for its pair.
                    None if !next_is_cjk => {
                        self.cjk_run = None;
                        return self.emit(start, end);
                    }
                    None => continue,
                }
            }
            self.cjk_run = None;
            if !c.is_alphanumeric() {
                continue;
            }
            let mut to = end;
            while let Some(&(i, n)) = self.chars.peek() {
                if !n.is_alphanumeric() || is_cjk(n) {
                    break;
                }
                to = i + n.len_utf8();
                self.chars.next();
            }
            return self.emit(start, to);
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut tokenizer = WordTokenizer::default();
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
        }
        out
    }

    fn texts(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.0).collect()
    }

    #[test]
    fn words_split_on_everything_but_letters_and_digits() {
        assert_eq!(
            texts("García Márquez, 1967!"),
            ["García", "Márquez", "1967"]
        );
        assert_eq!(texts("  --  "), Vec::<String>::new());
        let t = tokens("a bc");
        assert_eq!(t[0], ("a".into(), 0, 0, 1));
        assert_eq!(t[1], ("bc".into(), 1, 2, 4));
    }

    #[test]
    fn cjk_runs_become_overlapping_bigrams_with_consecutive_positions() {
        assert_eq!(texts("東京物語"), ["東京", "京物", "物語"]);
        let t = tokens("東京物語");
        assert_eq!(
            t.iter().map(|t| t.1).collect::<Vec<_>>(),
            [0, 1, 2],
            "a phrase of bigrams needs consecutive positions"
        );
        assert_eq!((t[0].2, t[0].3), (0, 6));
        assert_eq!(
            texts("ノルウェイの森"),
            ["ノル", "ルウ", "ウェ", "ェイ", "イの", "の森"]
        );
        assert_eq!(texts("채식주의자"), ["채식", "식주", "주의", "의자"]);
    }

    #[test]
    fn a_lone_cjk_character_and_mixed_text() {
        assert_eq!(texts("森"), ["森"]);
        assert_eq!(
            texts("村上春樹 1Q84 上"),
            ["村上", "上春", "春樹", "1Q84", "上"]
        );
        assert_eq!(texts("abc東京def"), ["abc", "東京", "def"]);
        assert_eq!(texts("東。京"), ["東", "京"]);
    }
}
