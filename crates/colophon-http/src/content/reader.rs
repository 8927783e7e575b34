//! The web reader: `GET /books/reader?id=ID` (`webReaderLink`) and `GET /books?id=ID`
//! (`previewLink`, `infoLink`), one server-rendered HTML page per book page.
//!
//! - Pages through the stored text (see `colophon_service::reading`), with the chapters as a
//!   table of contents; `pg=PA<n>` (Google's page parameter) picks the page.
//! - Respects the rights: every page of a public-domain or full-view book, the first
//!   `PREVIEW_PERCENT` of a preview (`PARTIAL`), none of a `NO_PAGES` volume (which gets its
//!   description and cover only).
//! - `q=` (or `dq=`, which search results' links carry) highlights the phrase with `<mark>`
//!   (ASCII letters match either case) and lists the readable pages that contain it; without
//!   `pg`, the reader opens at the first of them.
//! - Works without JavaScript (plain links, `rel=prev`/`rel=next`); `/_colophon/reader.js`
//!   adds the left and right arrow keys. Landmarks, a skip link and `aria-current` make it
//!   usable with a screen reader.
//! - The books a signed-in reader opens go to the front of their "Recently viewed" shelf (6).
//! - Signed-in readers resume where they stopped: each page they open is saved as their
//!   `mylibrary.readingpositions` entry (`GBS.PA<n>`), and the reader opened without `pg`
//!   goes to it ([`remembered_page`]).

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use colophon_auth::Account;
use colophon_domain::access::{Rights, PREVIEW_PERCENT};
use colophon_domain::render::url_encode;
use colophon_service::reading::{Paginated, Para};
use colophon_service::{ContentError, OpenedBook};

use crate::pages::browser::Browser;
use crate::pages::html::{error_page, escape, security_headers};
use crate::params::QueryParams;
use crate::AppState;

/// Most pages listed as containing the searched phrase.
const MAX_HIT_PAGES: usize = 30;

/// The reader page.
pub async fn reader(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    browser: Browser,
) -> Response {
    let params = QueryParams::parse(query.as_deref());
    let Some(id) = params.non_empty("id").map(str::to_owned) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "No book chosen",
            "This address needs the id of a volume (?id=...).",
        );
    };
    let found = match state.content.open(&id).await {
        Err(ContentError::VolumeNotFound) => match &browser.account {
            Some(user) => open_own_upload(&state, &user.id, &id).await,
            None => Err(ContentError::VolumeNotFound),
        },
        other => other,
    };
    let opened = match found {
        Ok(o) => o,
        Err(ContentError::VolumeNotFound) => {
            return error_page(
                StatusCode::NOT_FOUND,
                "Book not found",
                "There is no volume with this id in the catalog.",
            )
        }
        Err(e) => {
            tracing::error!(error.detail = %e, "opening a book for the reader");
            return error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "The book could not be opened. Try again later.",
            );
        }
    };
    let phrase = params
        .non_empty("q")
        .or_else(|| params.non_empty("dq"))
        .map(clean_phrase)
        .filter(|p| !p.is_empty());
    let asked = params.non_empty("pg").and_then(parse_page);
    let page = match asked {
        Some(p) => p,
        None => {
            let hit = match (&opened.book, &phrase) {
                (Some(book), Some(phrase)) => pages_with(book, phrase, opened.readable_pages(), 1)
                    .first()
                    .copied(),
                _ => None,
            };
            let remembered = match &browser.account {
                Some(user) => remembered_page(&state, user, &opened).await,
                None => None,
            };
            hit.or(remembered).unwrap_or(1)
        }
    };
    // Positions are kept for catalog volumes (an upload is not one: `setPosition` would refuse).
    let is_catalog = !opened.record.source_key.starts_with("upload:");
    if let (Some(user), true) = (&browser.account, is_catalog) {
        if page <= opened.readable_pages() {
            remember_page(&state, user, &opened, page).await;
        }
        if let Err(e) = state.library.record_view(&user.id, &opened.record.id).await {
            tracing::warn!(error.detail = %e, "adding the book to Recently viewed");
        }
    }
    let html = render(&opened, page, phrase.as_deref());
    let mut response = (StatusCode::OK, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    security_headers(headers, &[]);
    browser.set_cookie(&mut response);
    response
}

/// The signed-in reader's own upload `id`, opened for reading (not found for anyone else).
async fn open_own_upload(
    state: &AppState,
    user_id: &str,
    id: &str,
) -> Result<OpenedBook, ContentError> {
    let not_found = |_| ContentError::VolumeNotFound;
    let upload = state.uploads.get(user_id, id).await.map_err(not_found)?;
    let text = state
        .uploads
        .text(user_id, &upload.volume_id)
        .await
        .map_err(not_found)?;
    let record = colophon_service::uploads::upload_volume(&upload);
    state.content.open_private(record, text).await
}

/// The page where `user` last stopped reading `book` (their `mylibrary.readingpositions`
/// entry), used when the reader is opened without `pg`: a `GBS.PA12` / `PA12` position (what
/// this reader writes) or a PDF page number, clamped to the pages the rights let them read.
/// Other kinds (EPUB CFI, text positions of other apps) do not map to a page: `None`.
pub async fn remembered_page(state: &AppState, user: &Account, book: &OpenedBook) -> Option<usize> {
    let record = match state.library.position_of(&user.id, &book.record.id).await {
        Ok(r) => r?,
        Err(e) => {
            tracing::warn!(error.detail = %e, "reading the reader's position");
            return None;
        }
    };
    let page = match record.kind.as_str() {
        "gbimage" | "pdf" => parse_page(record.position.trim_start_matches("GBS.")),
        _ => None,
    }?;
    Some(page.min(book.readable_pages().max(1)))
}

/// Records `page` as where `user` is in `book` (a `GBS.PA<n>` reading position, timestamped
/// now, so any device's newer position still wins). A failure is logged, not shown: reading
/// goes on.
async fn remember_page(state: &AppState, user: &Account, book: &OpenedBook, page: usize) {
    let position = colophon_service::library::NewPosition {
        position: format!("GBS.PA{page}"),
        timestamp: state.library.now(),
        action: None,
        device_cookie: None,
        content_version: None,
    };
    if let Err(e) = state
        .library
        .set_position(&user.id, book.record.id.as_str(), position)
        .await
    {
        tracing::warn!(error.detail = %e, "saving the reader's position");
    }
}

/// `PA12`, `12` -> 12.
fn parse_page(pg: &str) -> Option<usize> {
    let digits = pg
        .trim()
        .trim_start_matches(|c: char| c.is_ascii_alphabetic());
    digits.parse().ok().filter(|n| *n >= 1)
}

/// The phrase to highlight: quotes, field prefixes (`intitle:`) and extra spaces removed.
fn clean_phrase(q: &str) -> String {
    q.split_whitespace()
        .map(|w| w.rsplit_once(':').map_or(w, |(_, v)| v))
        .map(|w| w.trim_matches('"'))
        .filter(|w| !w.is_empty() && !w.starts_with('-'))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Byte ranges of `phrase` in `text`, ASCII letters compared without case.
fn find_all(text: &str, phrase: &str) -> Vec<(usize, usize)> {
    let (t, p) = (text.as_bytes(), phrase.as_bytes());
    let mut out = Vec::new();
    if p.is_empty() || t.len() < p.len() {
        return out;
    }
    let mut i = 0;
    while i + p.len() <= t.len() {
        if t[i..i + p.len()].eq_ignore_ascii_case(p)
            && text.is_char_boundary(i)
            && text.is_char_boundary(i + p.len())
        {
            out.push((i, i + p.len()));
            i += p.len();
        } else {
            i += 1;
        }
    }
    out
}

/// Readable pages (of the first `readable`) containing `phrase`, at most `max`.
fn pages_with(book: &Paginated, phrase: &str, readable: usize, max: usize) -> Vec<usize> {
    (1..=readable)
        .filter(|&n| {
            book.page(n)
                .iter()
                .any(|p| !find_all(&p.text, phrase).is_empty())
        })
        .take(max)
        .collect()
}

fn highlighted(text: &str, phrase: Option<&str>) -> String {
    let Some(phrase) = phrase else {
        return escape(text);
    };
    let mut out = String::new();
    let mut at = 0;
    for (s, e) in find_all(text, phrase) {
        out.push_str(&escape(&text[at..s]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[s..e]));
        out.push_str("</mark>");
        at = e;
    }
    out.push_str(&escape(&text[at..]));
    out
}

fn page_link(id: &str, page: usize, phrase: Option<&str>) -> String {
    let q = phrase
        .map(|p| format!("&amp;q={}", url_encode(p)))
        .unwrap_or_default();
    format!("/books/reader?id={id}&amp;pg=PA{page}{q}")
}

fn render(opened: &OpenedBook, page: usize, phrase: Option<&str>) -> String {
    let record = &opened.record;
    let info = &record.volume_info;
    let id = escape(record.id.as_str());
    let title = escape(info.title.as_deref().unwrap_or("Untitled"));
    let authors = escape(
        &info
            .authors
            .as_ref()
            .map(|a| a.join(", "))
            .unwrap_or_default(),
    );
    let lang = escape(
        info.language
            .as_deref()
            .filter(|l| !l.is_empty() && *l != "un")
            .unwrap_or("en"),
    );
    let total = opened.book.as_ref().map_or(0, |b| b.page_count());
    let readable = opened.readable_pages();
    let status = match opened.rights {
        Rights::PublicDomain => "Public domain: full view.".to_owned(),
        Rights::FullView => "Full view.".to_owned(),
        Rights::Preview => format!(
            "Preview: the first {readable} of {total} pages ({PREVIEW_PERCENT}%) may be read."
        ),
        Rights::NoPages => "No preview available.".to_owned(),
    };
    let page = page.clamp(1, total.max(1));
    let mut head_links = String::new();
    let mut body = String::new();
    let mut pager = String::new();

    match &opened.book {
        Some(book) if readable > 0 => {
            // Contents.
            let mut toc = String::new();
            for ch in book.chapters() {
                let current = ch.pages.contains(&page);
                let label = escape(&ch.title);
                if ch.pages.start <= readable {
                    toc.push_str(&format!(
                        "<li><a href=\"{}\"{}>{label}</a></li>",
                        page_link(&id, ch.pages.start, phrase),
                        if current {
                            " aria-current=\"true\""
                        } else {
                            ""
                        }
                    ));
                } else {
                    toc.push_str(&format!(
                        "<li>{label} <span class=\"note\">(not in the preview)</span></li>"
                    ));
                }
            }
            body.push_str(&format!(
                "<nav aria-label=\"Contents\" class=\"toc\"><details><summary>Contents</summary><ol>{toc}</ol></details></nav>\n"
            ));
            if let Some(phrase) = phrase {
                let hits = pages_with(book, phrase, readable, MAX_HIT_PAGES);
                let list: Vec<String> = hits
                    .iter()
                    .map(|n| format!("<a href=\"{}\">{n}</a>", page_link(&id, *n, Some(phrase))))
                    .collect();
                body.push_str(&format!(
                    "<p class=\"hits\" role=\"status\">“{}”: {}</p>\n",
                    escape(phrase),
                    if list.is_empty() {
                        "not found in the pages you may read.".to_owned()
                    } else {
                        format!(
                            "on page{} {}",
                            if list.len() == 1 { "" } else { "s" },
                            list.join(", ")
                        )
                    }
                ));
            }
            if page <= readable {
                let paras: &[Para] = book.page(page);
                let mut text = String::new();
                for p in paras {
                    if p.heading {
                        text.push_str(&format!("<h2>{}</h2>\n", highlighted(&p.text, phrase)));
                    } else {
                        text.push_str(&format!(
                            "<p>{}</p>\n",
                            highlighted(&p.text, phrase).replace('\n', "<br>")
                        ));
                    }
                }
                body.push_str(&format!(
                    "<main id=\"text\" class=\"page\" aria-label=\"Page {page} of {total}\" tabindex=\"-1\">\n{text}</main>\n"
                ));
            } else {
                body.push_str(&format!(
                    "<main id=\"text\" class=\"page\"><p class=\"notice\">Page {page} is not part of the preview. \
                     The preview ends at page {readable} of {total}.</p>\
                     <p><a href=\"{}\">Back to the preview</a></p></main>\n",
                    page_link(&id, readable, phrase)
                ));
            }
            if page == readable && readable < total {
                body.push_str(&format!(
                    "<p class=\"notice\">End of the preview: page {readable} of {total}.</p>\n"
                ));
            }
            let prev = (page > 1).then(|| page_link(&id, (page - 1).min(readable), phrase));
            let next = (page < readable).then(|| page_link(&id, page + 1, phrase));
            if let Some(p) = &prev {
                head_links.push_str(&format!("<link rel=\"prev\" href=\"{p}\">"));
                pager.push_str(&format!("<a rel=\"prev\" href=\"{p}\">← Previous page</a>"));
            }
            pager.push_str(&format!(
                "<span class=\"where\">Page {page} of {total}</span>"
            ));
            if let Some(n) = &next {
                head_links.push_str(&format!("<link rel=\"next\" href=\"{n}\">"));
                pager.push_str(&format!("<a rel=\"next\" href=\"{n}\">Next page →</a>"));
            }
        }
        _ => {
            let description = info
                .description
                .as_deref()
                .map(|d| format!("<p>{}</p>", escape(d)))
                .unwrap_or_default();
            let why = if opened.book.is_none() && opened.rights != Rights::NoPages {
                "Colophon holds no text of this book."
            } else {
                "The rights holder allows no preview of this book."
            };
            body.push_str(&format!(
                "<main id=\"text\" class=\"page\"><img class=\"cover\" src=\"/books/content?id={id}&amp;printsec=frontcover&amp;img=1&amp;zoom=1&amp;source=gbs_api\" alt=\"Cover of {title}\" width=\"128\">\
                 {description}<p class=\"notice\">{why}</p></main>\n"
            ));
        }
    }
    let query_value = escape(phrase.unwrap_or(""));
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} – page {page} – Colophon</title>\
         <link rel=\"stylesheet\" href=\"/_colophon/reader.css\">{head_links}\
         <script src=\"/_colophon/reader.js\" defer></script></head>\n\
         <body><a class=\"skip\" href=\"#text\">Skip to the text</a>\
         <header><h1>{title}</h1><p class=\"by\">{authors}</p><p class=\"access\">{status}</p>\
         <form role=\"search\" method=\"get\" action=\"/books/reader\"><input type=\"hidden\" name=\"id\" value=\"{id}\">\
         <label for=\"q\">Find in this book</label> <input id=\"q\" name=\"q\" type=\"search\" value=\"{query_value}\"> \
         <button type=\"submit\">Find</button></form></header>\n\
         {body}<nav class=\"pager\" aria-label=\"Pages\">{pager}</nav>\n</body></html>\n"
    )
}

/// The reader's style sheet.
pub const STYLESHEET: &str = "body{font-family:Georgia,'Times New Roman',serif;max-width:40rem;margin:0 auto;padding:1rem 1.2rem 3rem;color:#1f1f1f;background:#fbf8f1;line-height:1.6;font-size:1.1rem}\
header h1{font-size:1.6rem;margin:.5rem 0 0}.by{margin:.2rem 0;color:#444}.access{font-size:.9rem;color:#555}\
form[role=search]{margin:.6rem 0;font-family:system-ui,sans-serif;font-size:.95rem}input[type=search]{padding:.3rem;font-size:1rem;width:14rem}\
button{padding:.3rem .8rem;font-size:1rem}.toc{font-family:system-ui,sans-serif;font-size:.95rem;margin:.8rem 0}\
.page{border-top:1px solid #d8d0bf;margin-top:1rem;padding-top:.5rem}.page h2{font-size:1.25rem;text-align:center}\
mark{background:#ffe36e;color:inherit}.notice{font-family:system-ui,sans-serif;background:#eef1f6;padding:.6rem;border-left:3px solid #4a6fa5}\
.hits{font-family:system-ui,sans-serif;font-size:.95rem}.pager{display:flex;justify-content:space-between;align-items:center;gap:1rem;margin-top:2rem;font-family:system-ui,sans-serif}\
.pager a{padding:.5rem .8rem;border:1px solid #b9ae96;border-radius:4px;text-decoration:none;color:#1a3d6d}\
.where{color:#555}.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.4rem}\
.cover{float:left;margin:0 1rem 1rem 0}.note{color:#666;font-size:.85rem}a:focus,button:focus,input:focus{outline:3px solid #4a6fa5}";

/// The reader's script: left and right arrow keys follow the previous and next links.
pub const SCRIPT: &str = "document.addEventListener('keydown',function(e){\
if(e.altKey||e.ctrlKey||e.metaKey||e.shiftKey)return;\
var t=e.target;if(t&&(t.tagName==='INPUT'||t.tagName==='TEXTAREA'||t.isContentEditable))return;\
var rel=e.key==='ArrowLeft'?'prev':e.key==='ArrowRight'?'next':null;if(!rel)return;\
var a=document.querySelector('a[rel=\"'+rel+'\"]');if(a){e.preventDefault();window.location.href=a.href;}});\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_pages_and_highlights() {
        assert_eq!(parse_page("PA12"), Some(12));
        assert_eq!(parse_page("7"), Some(7));
        assert_eq!(parse_page("PA0"), None);
        assert_eq!(parse_page("x"), None);
        assert_eq!(clean_phrase("intitle:\"pride and\" -zombies"), "pride and");
        assert_eq!(
            highlighted("Pride <and> PRIDE", Some("pride")),
            "<mark>Pride</mark> &lt;and&gt; <mark>PRIDE</mark>"
        );
        assert_eq!(find_all("ééé", "é"), vec![(0, 2), (2, 4), (4, 6)]);
    }
}
