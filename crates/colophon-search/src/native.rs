//! Stemming in each volume's own language.
//!
//! The main text fields are stemmed in English for every volume (their analyzer is per field,
//! not per document). A volume in another language with a Snowball stemmer also gets its
//! title and subtitle (`native_title`) and its subjects and description (`native_text`)
//! stemmed in that language, each term prefixed with the language (`fr:cheval`), so a French
//! stem only ever meets French volumes. At query time every plain word is stemmed once per
//! such language present in the catalog and looked up under that prefix: `cheval` finds
//! "Les chevaux", `Haus` finds "Die Häuser", while the word as written (the `plain` field)
//! still ranks exact forms first.

use std::collections::HashMap;

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, Stemmer, TextAnalyzer,
};
use tantivy::Term;

use crate::analysis::MAX_TOKEN_BYTES;
use crate::schema::tags;
use crate::words::WordTokenizer;

/// Languages stemmed in their own right: ISO 639-1 code (as in `volumeInfo.language`), the
/// prefix of their terms, the Snowball stemmer. English is the main fields' own language.
const LANGUAGES: &[(&str, &str, Language)] = &[
    ("ar", "ar", Language::Arabic),
    ("da", "da", Language::Danish),
    ("de", "de", Language::German),
    ("el", "el", Language::Greek),
    ("es", "es", Language::Spanish),
    ("fi", "fi", Language::Finnish),
    ("fr", "fr", Language::French),
    ("hu", "hu", Language::Hungarian),
    ("it", "it", Language::Italian),
    ("nb", "no", Language::Norwegian),
    ("nl", "nl", Language::Dutch),
    ("nn", "no", Language::Norwegian),
    ("no", "no", Language::Norwegian),
    ("pt", "pt", Language::Portuguese),
    ("ro", "ro", Language::Romanian),
    ("ru", "ru", Language::Russian),
    ("sv", "sv", Language::Swedish),
    ("ta", "ta", Language::Tamil),
    ("tr", "tr", Language::Turkish),
];

/// A language stemmed in its own right: the prefix of its terms and its stemmer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NativeLanguage {
    pub prefix: &'static str,
    stemmer: Language,
}

/// The language of a `volumeInfo.language` value (`fr`, `fr-CA`, `pt_BR`), if it has a
/// stemmer of its own.
pub(crate) fn language_of(code: &str) -> Option<NativeLanguage> {
    let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    LANGUAGES
        .iter()
        .find(|(c, _, _)| *c == primary)
        .map(|&(_, prefix, stemmer)| NativeLanguage { prefix, stemmer })
}

/// Share of the catalog (in per mille) a language needs to count among its main languages.
const MAIN_LANGUAGE_PER_MILLE: u64 = 10;

/// The catalog's main languages with a stemmer of their own: those of at least 1 % of the
/// volumes `searcher` holds (by their `lang:` filter tag), each once. Each costs every plain
/// word two more term lookups, so a long tail of languages with a handful of books each is
/// left to the English-stemmed fields and the exact forms.
pub(crate) fn languages_present(
    searcher: &tantivy::Searcher,
    tags_field: tantivy::schema::Field,
) -> tantivy::Result<Vec<NativeLanguage>> {
    let floor = (searcher.num_docs() * MAIN_LANGUAGE_PER_MILLE / 1000).max(1);
    let mut counts: Vec<(NativeLanguage, u64)> = Vec::new();
    for &(code, prefix, stemmer) in LANGUAGES {
        let term = Term::from_field_text(tags_field, &format!("{}{code}", tags::LANGUAGE));
        let n = searcher.doc_freq(&term)?;
        match counts.iter_mut().find(|(l, _)| l.prefix == prefix) {
            Some((_, total)) => *total += n,
            None => counts.push((NativeLanguage { prefix, stemmer }, n)),
        }
    }
    Ok(counts
        .into_iter()
        .filter(|(_, n)| *n >= floor)
        .map(|(l, _)| l)
        .collect())
}

/// One analyzer per language, made when first needed: Unicode words, lower case, the
/// language's stemmer, then diacritics folded (stemmers expect the letters as written).
#[derive(Default, Clone)]
pub(crate) struct NativeStemmers {
    analyzers: HashMap<&'static str, TextAnalyzer>,
}

impl NativeStemmers {
    /// Appends the prefixed stems of `text` in `lang`, space-separated, to `out`.
    pub fn append_terms(&mut self, lang: NativeLanguage, text: &str, out: &mut String) {
        let analyzer = self.analyzer(lang);
        let mut stream = analyzer.token_stream(text);
        while let Some(token) = stream.next() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(lang.prefix);
            out.push(':');
            out.push_str(&token.text);
        }
    }

    /// The prefixed stem of `word` in `lang`, when the word is one token.
    pub fn term(&mut self, lang: NativeLanguage, word: &str) -> Option<String> {
        let analyzer = self.analyzer(lang);
        let mut stream = analyzer.token_stream(word);
        let first = stream.next().map(|t| t.text.clone())?;
        if stream.next().is_some() {
            return None;
        }
        Some(format!("{}:{first}", lang.prefix))
    }

    fn analyzer(&mut self, lang: NativeLanguage) -> &mut TextAnalyzer {
        self.analyzers.entry(lang.prefix).or_insert_with(|| {
            TextAnalyzer::builder(WordTokenizer::default())
                .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
                .filter(LowerCaser)
                .filter(Stemmer::new(lang.stemmer))
                .filter(AsciiFoldingFilter)
                .build()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_and_stems() {
        assert_eq!(language_of("fr-CA").map(|l| l.prefix), Some("fr"));
        assert_eq!(language_of("nb").map(|l| l.prefix), Some("no"));
        assert_eq!(language_of("en"), None);
        assert_eq!(language_of(""), None);
        let mut s = NativeStemmers::default();
        let fr = language_of("fr").unwrap();
        let de = language_of("de").unwrap();
        assert_eq!(s.term(fr, "chevaux"), s.term(fr, "cheval"));
        assert_eq!(s.term(de, "Häuser"), s.term(de, "Haus"));
        assert_eq!(s.term(fr, "deux mots"), None);
        let mut out = String::new();
        s.append_terms(fr, "Les Misérables", &mut out);
        assert_eq!(out, "fr:le fr:miser");
    }
}
