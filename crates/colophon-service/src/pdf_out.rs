//! A PDF made from a volume's stored text: A4 pages, the standard Courier fonts (no font
//! embedded: every PDF reader has them), WinAnsi-encoded, lines wrapped at
//! [`COLUMNS`] characters (Courier is monospaced, so the wrapping is exact), a title page,
//! each chapter on a new page, page numbers, and an outline (bookmarks) of the chapters.
//!
//! Only text the standard fonts can set is made into a PDF ([`colophon_domain::winansi`]);
//! [`build_pdf`] refuses anything else, and the import marks such volumes
//! `pdf.isAvailable: false`. Output is deterministic (no dates), so the bytes, the strong ETag
//! and byte ranges hold across requests.

use colophon_domain::winansi;
use colophon_domain::VolumeRecord;
use std::io::Write as _;

use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::reading::Paginated;

/// A4, in points.
const PAGE: (f32, f32) = (595.0, 842.0);
/// Left margin.
const LEFT: f32 = 62.0;
/// Baseline of the first line.
const TOP: f32 = 770.0;
/// Body font size; Courier's advance is 0.6 em, so a character is 6 pt wide.
const SIZE: f32 = 10.0;
/// Distance between baselines.
const LEADING: f32 = 13.0;
/// Characters per line: (595 - 2 × 62) / 6.
pub const COLUMNS: usize = 78;
/// Lines per page (the page number sits below them).
pub const LINES: usize = 54;

/// Why no PDF can be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// A character the standard fonts cannot set.
    #[error("the text has characters the standard PDF fonts cannot set (first: {0:?})")]
    Unencodable(char),
}

/// One laid-out line: the text, and whether it is a heading (bold, larger).
struct Line {
    bytes: Vec<u8>,
    heading: bool,
}

/// WinAnsi bytes of `s`, whitespace controls as spaces, invisible characters dropped.
fn encode(s: &str) -> Result<Vec<u8>, PdfError> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' | '\u{0C}' => out.push(b' '),
            c if winansi::ignorable(c) => {}
            c => out.push(winansi::encode(c).ok_or(PdfError::Unencodable(c))?),
        }
    }
    Ok(out)
}

/// Wraps encoded text at spaces into lines of at most `width` bytes (a longer word is cut).
fn wrap(text: &[u8], width: usize, out: &mut Vec<Vec<u8>>) {
    let mut line: Vec<u8> = Vec::new();
    for word in text.split(|b| *b == b' ').filter(|w| !w.is_empty()) {
        let mut word = word;
        while word.len() > width {
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            out.push(word[..width].to_vec());
            word = &word[width..];
        }
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(b' ');
        }
        line.extend_from_slice(word);
    }
    if !line.is_empty() {
        out.push(line);
    }
}

/// Laid-out body pages (each a list of lines) and the outline: (chapter title, page index).
type Layout = (Vec<Vec<Line>>, Vec<(String, usize)>);

/// The pages of the book: each a list of lines; a chapter starts a page.
fn lay_out(book: &Paginated) -> Result<Layout, PdfError> {
    let mut pages: Vec<Vec<Line>> = Vec::new();
    let mut outline = Vec::new();
    for chapter in book.chapters() {
        let mut page: Vec<Line> = Vec::new();
        outline.push((chapter.title.clone(), pages.len()));
        for para in &book.paras()[chapter.paras.clone()] {
            let mut wrapped = Vec::new();
            let width = if para.heading {
                COLUMNS * 10 / 12
            } else {
                COLUMNS
            };
            wrap(&encode(&para.text)?, width, &mut wrapped);
            // A blank line between paragraphs, none at the top of a page.
            if !page.is_empty() {
                if page.len() + 1 >= LINES {
                    pages.push(std::mem::take(&mut page));
                } else {
                    page.push(Line {
                        bytes: Vec::new(),
                        heading: false,
                    });
                }
            }
            for bytes in wrapped {
                if page.len() >= LINES {
                    pages.push(std::mem::take(&mut page));
                }
                page.push(Line {
                    bytes,
                    heading: para.heading,
                });
            }
        }
        if !page.is_empty() {
            pages.push(page);
        }
    }
    Ok((pages, outline))
}

/// The PDF of `record`'s text.
pub fn build_pdf(record: &VolumeRecord, book: &Paginated) -> Result<Vec<u8>, PdfError> {
    let info = &record.volume_info;
    let title = info.title.as_deref().unwrap_or("Untitled");
    let authors = info.authors.as_deref().unwrap_or_default().join(", ");
    let title_bytes = encode(title)?;
    let author_bytes = encode(&authors)?;
    let (body_pages, outline) = lay_out(book)?;

    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog = alloc();
    let tree = alloc();
    let regular = alloc();
    let bold = alloc();
    let doc_info = alloc();
    let outline_root = alloc();
    let page_count = body_pages.len() + 1;
    let page_ids: Vec<(Ref, Ref)> = (0..page_count).map(|_| (alloc(), alloc())).collect();
    let outline_ids: Vec<Ref> = outline.iter().map(|_| alloc()).collect();

    let mut cat = pdf.catalog(catalog);
    cat.pages(tree);
    if !outline_ids.is_empty() {
        cat.outlines(outline_root);
    }
    cat.finish();
    pdf.pages(tree)
        .kids(page_ids.iter().map(|(p, _)| *p))
        .count(page_count as i32);
    for (id, font) in [(regular, "Courier"), (bold, "Courier-Bold")] {
        pdf.type1_font(id)
            .base_font(Name(font.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    pdf.document_info(doc_info)
        .title(TextStr(title))
        .author(TextStr(&authors))
        .producer(TextStr("Colophon"));

    // The title page.
    let mut first: Vec<Vec<u8>> = Vec::new();
    wrap(&title_bytes, 30, &mut first);
    let mut content = Content::new();
    let mut y = 600.0;
    for line in &first {
        text_line(
            &mut content,
            Name(b"F2"),
            20.0,
            centred(line.len(), 12.0),
            y,
            line,
        );
        y -= 26.0;
    }
    let mut by: Vec<Vec<u8>> = Vec::new();
    wrap(&author_bytes, 45, &mut by);
    y -= 20.0;
    for line in &by {
        text_line(
            &mut content,
            Name(b"F1"),
            14.0,
            centred(line.len(), 8.4),
            y,
            line,
        );
        y -= 18.0;
    }
    write_page(&mut pdf, tree, page_ids[0], regular, bold, content);

    for (i, lines) in body_pages.iter().enumerate() {
        let mut content = Content::new();
        let mut y = TOP;
        for line in lines {
            if !line.bytes.is_empty() {
                let (font, size) = if line.heading {
                    (Name(b"F2"), 12.0)
                } else {
                    (Name(b"F1"), SIZE)
                };
                text_line(&mut content, font, size, LEFT, y, &line.bytes);
            }
            y -= LEADING;
        }
        let number = (i + 1).to_string();
        text_line(
            &mut content,
            Name(b"F1"),
            9.0,
            centred(number.len(), 5.4),
            40.0,
            number.as_bytes(),
        );
        write_page(&mut pdf, tree, page_ids[i + 1], regular, bold, content);
    }

    if let (Some(first_id), Some(last_id)) = (outline_ids.first(), outline_ids.last()) {
        pdf.outline(outline_root)
            .first(*first_id)
            .last(*last_id)
            .count(outline_ids.len() as i32);
        for (i, (title, page)) in outline.iter().enumerate() {
            let mut item = pdf.outline_item(outline_ids[i]);
            item.parent(outline_root).title(TextStr(title));
            if i > 0 {
                item.prev(outline_ids[i - 1]);
            }
            if let Some(n) = outline_ids.get(i + 1) {
                item.next(*n);
            }
            item.dest()
                .page(page_ids[page + 1].0)
                .xyz(0.0, PAGE.1, None);
        }
    }
    Ok(pdf.finish())
}

/// The x that centres `len` characters of `advance` points on the page.
fn centred(len: usize, advance: f32) -> f32 {
    ((PAGE.0 - len as f32 * advance) / 2.0).max(LEFT)
}

fn text_line(content: &mut Content, font: Name, size: f32, x: f32, y: f32, bytes: &[u8]) {
    content
        .begin_text()
        .set_font(font, size)
        .next_line(x, y)
        .show(Str(bytes))
        .end_text();
}

fn write_page(
    pdf: &mut Pdf,
    tree: Ref,
    (page, contents): (Ref, Ref),
    regular: Ref,
    bold: Ref,
    content: Content,
) {
    let mut p = pdf.page(page);
    p.parent(tree)
        .media_box(Rect::new(0.0, 0.0, PAGE.0, PAGE.1))
        .contents(contents);
    p.resources()
        .fonts()
        .pair(Name(b"F1"), regular)
        .pair(Name(b"F2"), bold);
    p.finish();
    let raw = content.finish();
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail; keep the raw stream if it somehow did.
    match z.write_all(&raw).and_then(|()| z.finish()) {
        Ok(packed) => {
            pdf.stream(contents, &packed).filter(Filter::FlateDecode);
        }
        Err(_) => {
            pdf.stream(contents, &raw);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        let mut out = Vec::new();
        wrap(b"aaa bbb ccc dddddddddd e", 7, &mut out);
        let lines: Vec<&[u8]> = out.iter().map(Vec::as_slice).collect();
        assert_eq!(lines, [&b"aaa bbb"[..], b"ccc", b"ddddddd", b"ddd e"]);
    }

    #[test]
    fn refuses_text_the_fonts_cannot_set() {
        assert!(matches!(encode("Łódź"), Err(PdfError::Unencodable('Ł'))));
        assert_eq!(encode("café—\u{AD}x").unwrap(), b"caf\xe9\x97x");
    }
}
