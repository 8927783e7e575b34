//! Who may see a private volume (one's own upload) through the content paths, which take no
//! API key: the signed-in browser (session cookie), or the user of a Books-scoped token
//! (`Authorization: Bearer`, `access_token=`). Everyone else is told the volume is unknown.

use axum::http::{header, HeaderMap};
use colophon_store::UploadRecord;

use crate::pages::browser::Browser;
use crate::params::QueryParams;
use crate::{ApiError, AppState};

/// The caller's user id, if the request carries a session or a valid Books-scoped token; an
/// invalid token is a 401, as on the API.
pub async fn caller(
    state: &AppState,
    params: &QueryParams,
    headers: &HeaderMap,
    browser: &Browser,
) -> Result<Option<String>, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .or_else(|| params.non_empty("access_token"));
    match token {
        Some(token) => match state.auth.verify_access_token(token).await {
            Ok(Some(access)) if access.scopes.contains(colophon_auth::BOOKS_SCOPE) => {
                Ok(Some(access.user_id))
            }
            Ok(_) => Err(ApiError::InvalidCredentials),
            Err(e) => Err(ApiError::Internal(e.to_string())),
        },
        None => Ok(browser.account.as_ref().map(|a| a.id.clone())),
    }
}

/// The caller's own upload `id` (with its owner's id), or 404 for anyone else.
pub async fn own_upload(
    state: &AppState,
    params: &QueryParams,
    headers: &HeaderMap,
    browser: &Browser,
    id: &str,
) -> Result<(String, UploadRecord), ApiError> {
    let user = caller(state, params, headers, browser)
        .await?
        .ok_or(ApiError::VolumeNotFound)?;
    let upload = state.uploads.get(&user, id).await?;
    Ok((user, upload))
}
