//! "Your books" (`/account/uploads`): a signed-in user uploads an EPUB or PDF with a plain
//! HTML form (`multipart/form-data`, CSRF token inside the form), sees the processing state
//! of each upload, opens it in the reader or downloads it, and deletes it. The same
//! `Uploads` service as `cloudloading.*` does the work.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use colophon_auth::Account;
use colophon_domain::render::url_encode;

use super::browser::{same_origin, Browser, PageFailure};
use super::html::{self, escape, hidden, Page};
use crate::cloudloading::{multipart, upload::read_body, upload::ENVELOPE_BYTES};
use crate::oauth::form;
use crate::{ApiError, AppState};

/// The page and its form's action.
pub const FORM_PATH: &str = "/account/uploads";

const CSRF_PURPOSE: &str = "uploads";

fn refused() -> Response {
    html::error_page(
        StatusCode::FORBIDDEN,
        "Request refused",
        "This form has expired or did not come from this site. Reload the page and try again.",
    )
}

async fn render(
    state: &AppState,
    browser: &Browser,
    account: &Account,
    message: Option<(&str, bool)>,
    status: StatusCode,
) -> Response {
    let uploads = match state.uploads.list(&account.id, &[], &[], 0, 200).await {
        Ok((_, u)) => u,
        Err(e) => {
            tracing::error!(error.detail = %e, "uploads page: {e}");
            return PageFailure.into_response_for();
        }
    };
    let csrf = browser.csrf(CSRF_PURPOSE);
    let rows: String = uploads
        .iter()
        .map(|u| {
            let id = u.volume_id.as_str();
            let open = match (u.state.as_str(), u.media_type.as_str()) {
                ("COMPLETED_SUCCESS", "application/epub+zip") => format!(
                    "<a href=\"/books/reader?id={id}\">Read</a> · \
                     <a href=\"/books/download/{file}.epub?id={id}&amp;output=epub\">Download</a>",
                    file = url_encode(&colophon_domain::render::title_slug(&u.title)),
                ),
                ("COMPLETED_SUCCESS", _) => format!(
                    "<a href=\"/books/download/{file}.pdf?id={id}&amp;output=pdf\">Download</a>",
                    file = url_encode(&colophon_domain::render::title_slug(&u.title)),
                ),
                _ => String::new(),
            };
            let state_text = match u.state.as_str() {
                "RUNNING" => "Processing…".to_owned(),
                "COMPLETED_SUCCESS" => "Ready".to_owned(),
                _ => format!(
                    "Failed: {}",
                    u.failure.as_deref().unwrap_or("the file could not be read")
                ),
            };
            format!(
                "<tr data-volume-id=\"{id}\"><td class=\"app\">{title}</td><td>{author}</td>\
                 <td>{kind}</td><td class=\"state\">{state}</td><td>{open}</td><td>\
                 <form method=\"post\" action=\"/account/uploads/delete\">{csrf}{vid}\
                 <button type=\"submit\">Delete</button></form></td></tr>",
                title = escape(&u.title),
                author = escape(&u.author),
                kind = if u.media_type == "application/pdf" {
                    "PDF"
                } else {
                    "EPUB"
                },
                state = escape(&state_text),
                csrf = hidden("csrf", &csrf),
                vid = hidden("volume_id", id),
            )
        })
        .collect();
    let list = if uploads.is_empty() {
        "<p>You have not uploaded any book yet.</p>".to_owned()
    } else {
        format!(
            "<table><thead><tr><th>Title</th><th>Author</th><th>Type</th><th>State</th>\
             <th></th><th></th></tr></thead><tbody>{rows}</tbody></table>"
        )
    };
    let message = message
        .map(|(m, ok)| {
            let class = if ok { "note" } else { "error" };
            format!("<p class=\"{class}\" role=\"status\">{}</p>", escape(m))
        })
        .unwrap_or_default();
    let limit_mib = state.uploads.limits().max_file_bytes >> 20;
    let body = format!(
        "{message}<p>Books you upload are private: only you can see and read them.</p>\
         <h2>Upload a book</h2>\
         <form method=\"post\" action=\"{FORM_PATH}\" enctype=\"multipart/form-data\">{csrf}\
         <label for=\"file\">EPUB or PDF file (at most {limit_mib} MiB)</label>\
         <input type=\"file\" id=\"file\" name=\"file\" required \
          accept=\".epub,.pdf,application/epub+zip,application/pdf\">\
         <button type=\"submit\">Upload</button></form>\
         <h2>Your uploaded books</h2>{list}\
         <p><a href=\"/account\">Back to your account</a></p>",
        csrf = hidden("csrf", &csrf),
    );
    Page::new("Your books", body).status(status).render(browser)
}

/// `GET /account/uploads`.
pub async fn page(State(state): State<AppState>, browser: Browser) -> Response {
    let Some(account) = browser.account.clone() else {
        return html::redirect("/signin?continue=%2Faccount%2Fuploads", &browser);
    };
    render(&state, &browser, &account, None, StatusCode::OK).await
}

/// `POST /account/uploads`: the form's file.
pub async fn upload(
    State(state): State<AppState>,
    browser: Browser,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(account) = browser.account.clone() else {
        return refused();
    };
    if !same_origin(&headers, state.auth.issuer()) {
        return refused();
    }
    let Some(boundary) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| multipart::boundary(ct, &["multipart/form-data"]))
    else {
        return refused();
    };
    let file_limit = state.uploads.limits().max_file_bytes;
    let failed = |message: String, status| {
        let state = state.clone();
        let browser = browser.clone();
        let account = account.clone();
        async move { render(&state, &browser, &account, Some((&message, false)), status).await }
    };
    let bytes = match read_body(body, &headers, file_limit + ENVELOPE_BYTES, file_limit).await {
        Ok(b) => b,
        Err(e @ ApiError::UploadTooLarge { .. }) => {
            return failed(e.to_string(), StatusCode::PAYLOAD_TOO_LARGE).await
        }
        Err(e) => return failed(e.to_string(), StatusCode::BAD_REQUEST).await,
    };
    let parts = match multipart::parse(&bytes, &boundary) {
        Ok(p) => p,
        Err(e) => {
            return failed(
                format!("The form could not be read: {e}."),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    };
    let field = |name: &str| {
        parts
            .iter()
            .find(|p| p.disposition("name").as_deref() == Some(name))
    };
    let csrf = field("csrf").and_then(|p| std::str::from_utf8(p.body).ok());
    if !browser.check_csrf(CSRF_PURPOSE, csrf) {
        return refused();
    }
    let Some(file) = field("file") else {
        return failed("Choose a file to upload.".into(), StatusCode::BAD_REQUEST).await;
    };
    let name = file.disposition("filename").unwrap_or_default();
    // Browsers send only the file's name; some old ones a whole path.
    let name = name.rsplit(['/', '\\']).next().unwrap_or("").to_owned();
    let declared = file.header("content-type").map(str::to_owned);
    let range = multipart::range_of(&bytes, file.body);
    drop(parts);
    let file_bytes = multipart::keep_only(bytes, range);
    match state
        .uploads
        .add(&account.id, &name, declared.as_deref(), file_bytes)
        .await
    {
        Ok(u) => {
            let message = format!("Uploaded “{}”: it is being processed.", u.title);
            render(
                &state,
                &browser,
                &account,
                Some((&message, true)),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => {
            let e = ApiError::from(e);
            let status = match e {
                ApiError::UploadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                ApiError::Internal(_) | ApiError::Unavailable => {
                    return PageFailure.into_response_for()
                }
                _ => StatusCode::BAD_REQUEST,
            };
            failed(e.to_string(), status).await
        }
    }
}

/// `POST /account/uploads/delete`.
pub async fn delete(
    State(state): State<AppState>,
    browser: Browser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let pairs = form::pairs(&body);
    let Some(account) = browser.account.clone() else {
        return refused();
    };
    if !form::is_form(&headers)
        || !same_origin(&headers, state.auth.issuer())
        || !browser.check_csrf(CSRF_PURPOSE, form::first(&pairs, "csrf"))
    {
        return refused();
    }
    let id = form::first(&pairs, "volume_id").unwrap_or("");
    let (message, status) = match state.uploads.delete(&account.id, id).await {
        Ok(()) => (("Deleted.", true), StatusCode::OK),
        Err(colophon_service::UploadError::NotFound) => (
            ("That book is not among your uploads.", false),
            StatusCode::NOT_FOUND,
        ),
        Err(e) => {
            tracing::error!(error.detail = %e, "deleting an upload: {e}");
            return PageFailure.into_response_for();
        }
    };
    render(&state, &browser, &account, Some(message), status).await
}
