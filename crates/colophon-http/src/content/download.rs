//! `GET /books/download/{Title}.epub?id=ID&hl=&output=epub&source=gbs_api` (and `.pdf`,
//! `output=pdf`): the EPUB or PDF of a volume whose rights allow downloading (public domain),
//! made from its stored text. The file name in the path is cosmetic, as in Google's links;
//! `output` (else the path's extension) chooses the format. Byte ranges are served (`Range`,
//! `If-Range`).
//!
//! Refusals use the Books API error body: 403 `forbidden` when the rights do not allow the
//! download, 404 `notFound` for an unknown volume, one without stored text, or a PDF of a
//! text the standard PDF fonts cannot set (its `pdf.isAvailable` is `false`).

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use colophon_service::Format;

use super::range::{send, Entity};
use crate::pages::browser::Browser;
use crate::params::QueryParams;
use crate::{ApiError, AppState};

/// The download.
pub async fn download(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    browser: Browser,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(query.as_deref());
    let id = params.non_empty("id").ok_or(ApiError::Required("id"))?;
    if state.catalog.get_volume(id).await.is_err() {
        // Not a catalog volume: perhaps the caller's own upload, sent as stored.
        return own_upload(&state, &params, &headers, browser, id).await;
    }
    let output = params
        .non_empty("output")
        .map(str::to_owned)
        .or_else(|| file.rsplit_once('.').map(|(_, ext)| ext.to_owned()))
        .unwrap_or_else(|| "epub".to_owned());
    let format = if output.eq_ignore_ascii_case("epub") {
        Format::Epub
    } else if output.eq_ignore_ascii_case("pdf") {
        Format::Pdf
    } else {
        return Err(ApiError::invalid(
            "output",
            format!("Invalid value for output: {output} (epub or pdf)"),
        ));
    };
    let file = state.content.download(id, format).await?;
    let etag = {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(file.bytes.as_slice());
        format!("\"{}\"", base64_url(&digest[..16]))
    };
    Ok(send(
        &headers,
        Entity {
            bytes: file.bytes,
            media_type: file.media_type,
            etag,
            cache_control: "public, max-age=3600",
            disposition: Some(format!("attachment; filename=\"{}\"", file.file_name)),
        },
    ))
}

/// The stored file of the caller's upload `id` (see [`super::owner`]): anyone else gets the
/// same 404 as for an unknown volume.
async fn own_upload(
    state: &AppState,
    params: &QueryParams,
    headers: &HeaderMap,
    browser: Browser,
    id: &str,
) -> Result<Response, ApiError> {
    let (user, upload) = super::owner::own_upload(state, params, headers, &browser, id).await?;
    let (media_type, bytes) = state.uploads.file(&user, id).await?;
    let (media_type, ext): (&'static str, &str) = if media_type == colophon_service::uploads::PDF {
        (colophon_service::uploads::PDF, "pdf")
    } else {
        (colophon_service::uploads::EPUB, "epub")
    };
    let etag = {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(&bytes);
        format!("\"{}\"", base64_url(&digest[..16]))
    };
    Ok(send(
        headers,
        Entity {
            bytes: std::sync::Arc::new(bytes),
            media_type,
            etag,
            cache_control: "private, no-store",
            disposition: Some(format!(
                "attachment; filename=\"{}.{ext}\"",
                colophon_domain::render::title_slug(&upload.title)
            )),
        },
    ))
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
