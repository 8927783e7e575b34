//! A stored full text cut into chapters and pages, for the web reader and generated EPUBs.
//!
//! The stored text is plain UTF-8, paragraphs separated by blank lines, headings on a line of
//! their own (the importers write it so). A paragraph is a chapter heading when it is short
//! and either starts with a word such as "Chapter", "Book", "Part", "Letter", "Stave" or is a
//! bare Roman or Arabic number, or is written all in capitals. A page holds whole paragraphs
//! up to about [`PAGE_CHARS`] characters (a longer paragraph is cut at a space); a chapter
//! always starts a new page. Pages are numbered from 1.

use std::ops::Range;

/// Target size of a page, in characters (about 350 words).
pub const PAGE_CHARS: usize = 2_000;

/// One paragraph of the book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Para {
    /// Its text.
    pub text: String,
    /// Whether it is a chapter heading.
    pub heading: bool,
}

/// A chapter: its title and the pages it spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    /// The heading (or "Beginning" for text before the first heading).
    pub title: String,
    /// 1-based page numbers, first..=last.
    pub pages: Range<usize>,
    /// Paragraph indices.
    pub paras: Range<usize>,
}

/// The book, paginated.
#[derive(Debug, Clone, Default)]
pub struct Paginated {
    paras: Vec<Para>,
    pages: Vec<Range<usize>>,
    chapters: Vec<Chapter>,
}

impl Paginated {
    /// Cuts `text` into paragraphs, chapters and pages.
    pub fn new(text: &str) -> Self {
        let mut paras = Vec::new();
        for block in text.split("\n\n") {
            let block = block.trim();
            if block.is_empty() {
                continue;
            }
            let heading = is_heading(block);
            if heading || block.len() <= PAGE_CHARS * 3 / 2 {
                paras.push(Para {
                    text: block.to_owned(),
                    heading,
                });
                continue;
            }
            // Cut a very long paragraph at spaces near the page size.
            let mut rest = block;
            while rest.len() > PAGE_CHARS * 3 / 2 {
                let mut cut = PAGE_CHARS;
                while !rest.is_char_boundary(cut) {
                    cut -= 1;
                }
                let cut = rest[..cut].rfind(char::is_whitespace).unwrap_or(cut).max(1);
                let cut = (1..=cut)
                    .rev()
                    .find(|c| rest.is_char_boundary(*c))
                    .unwrap_or(1);
                paras.push(Para {
                    text: rest[..cut].trim().to_owned(),
                    heading: false,
                });
                rest = rest[cut..].trim_start();
            }
            if !rest.is_empty() {
                paras.push(Para {
                    text: rest.to_owned(),
                    heading: false,
                });
            }
        }

        let mut pages: Vec<Range<usize>> = Vec::new();
        let mut chapters: Vec<Chapter> = Vec::new();
        let mut start = 0;
        let mut size = 0;
        for (i, p) in paras.iter().enumerate() {
            if p.heading || (size > 0 && size + p.text.len() > PAGE_CHARS) {
                if i > start {
                    pages.push(start..i);
                }
                start = i;
                size = 0;
            }
            if p.heading {
                if let Some(last) = chapters.last_mut() {
                    last.pages.end = pages.len() + 1;
                    last.paras.end = i;
                } else if i > 0 {
                    chapters.push(Chapter {
                        title: "Beginning".into(),
                        pages: 1..pages.len() + 1,
                        paras: 0..i,
                    });
                }
                chapters.push(Chapter {
                    title: p.text.clone(),
                    pages: pages.len() + 1..pages.len() + 1,
                    paras: i..i,
                });
            }
            size += p.text.len();
        }
        if paras.len() > start {
            pages.push(start..paras.len());
        }
        match chapters.last_mut() {
            Some(last) => {
                last.pages.end = pages.len() + 1;
                last.paras.end = paras.len();
            }
            None if !paras.is_empty() => chapters.push(Chapter {
                title: "Beginning".into(),
                pages: 1..pages.len() + 1,
                paras: 0..paras.len(),
            }),
            None => {}
        }
        Paginated {
            paras,
            pages,
            chapters,
        }
    }

    /// Number of pages.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// The paragraphs of page `n` (1-based); empty when there is no such page.
    pub fn page(&self, n: usize) -> &[Para] {
        n.checked_sub(1)
            .and_then(|i| self.pages.get(i))
            .map_or(&[], |r| &self.paras[r.clone()])
    }

    /// The chapters, in order.
    pub fn chapters(&self) -> &[Chapter] {
        &self.chapters
    }

    /// Every paragraph.
    pub fn paras(&self) -> &[Para] {
        &self.paras
    }

    /// The chapter page `n` belongs to.
    pub fn chapter_of(&self, n: usize) -> Option<&Chapter> {
        self.chapters.iter().find(|c| c.pages.contains(&n))
    }
}

const HEADING_WORDS: &[&str] = &[
    "chapter",
    "book",
    "part",
    "letter",
    "stave",
    "act",
    "scene",
    "canto",
    "volume",
    "section",
    "prologue",
    "epilogue",
    "preface",
    "introduction",
    "appendix",
];

fn is_heading(p: &str) -> bool {
    if p.len() > 80 || p.contains('\n') {
        return false;
    }
    let first = p
        .split(|c: char| c.is_whitespace() || c == '.')
        .next()
        .unwrap_or("");
    let lower = first.to_lowercase();
    if HEADING_WORDS.contains(&lower.as_str()) {
        return true;
    }
    let bare = p.trim_end_matches('.');
    if !bare.is_empty()
        && bare.len() <= 8
        && (bare.chars().all(|c| c.is_ascii_digit()) || bare.chars().all(|c| "IVXLC".contains(c)))
    {
        return true;
    }
    let letters: Vec<char> = p.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 3
        && p.split_whitespace().count() <= 8
        && letters.iter().all(|c| c.is_uppercase())
        && !p.ends_with(',')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chapters_start_pages_and_long_text_is_cut() {
        let body = "word ".repeat(600);
        let text = format!(
            "A preface line.\n\nCHAPTER I\n\n{body}\n\nShort one.\n\nChapter 2. The Return\n\nThe end."
        );
        let book = Paginated::new(&text);
        let titles: Vec<&str> = book.chapters().iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, ["Beginning", "CHAPTER I", "Chapter 2. The Return"]);
        // The 3000-character paragraph is cut in two.
        assert!(book
            .paras()
            .iter()
            .all(|p| p.text.len() <= PAGE_CHARS * 3 / 2));
        let last = book.chapters().last().unwrap();
        assert_eq!(book.page(last.pages.start)[0].text, "Chapter 2. The Return");
        assert_eq!(last.pages.end, book.page_count() + 1);
        assert_eq!(book.chapter_of(1).unwrap().title, "Beginning");
        assert!(book.page(0).is_empty());
        assert!(book.page(book.page_count() + 1).is_empty());
        // Every paragraph is on exactly one page.
        let n: usize = (1..=book.page_count()).map(|p| book.page(p).len()).sum();
        assert_eq!(n, book.paras().len());
    }

    #[test]
    fn multibyte_text_is_cut_on_char_boundaries() {
        let text = "é".repeat(5000);
        let book = Paginated::new(&text);
        assert!(book.page_count() >= 2);
        assert_eq!(
            book.paras()
                .iter()
                .map(|p| p.text.chars().count())
                .sum::<usize>(),
            5000
        );
        assert_eq!(Paginated::new("").page_count(), 0);
    }
}
