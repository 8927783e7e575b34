//! Google Play store features a self-hosted library does not have: notifications, promotional
//! offers and offline dictionaries. Each answers as the real service does for an account with
//! none — after the same parameter validation — and never pretends to have acted.

use axum::extract::State;
use axum::response::Response;
use colophon_types::discovery::EmptyList;

use crate::request::UserRequest;
use crate::response::respond;
use crate::volumes::recommended::check_locale;
use crate::{ApiError, AppState};

/// `books.notification.get`: `GET /books/v1/notification/get?notification_id=…` —
/// `notification_id` required; there are no notifications, so every id is a 404.
pub async fn notification(
    State(_state): State<AppState>,
    req: UserRequest,
) -> Result<Response, ApiError> {
    let p = &req.request.params;
    check_locale(p)?;
    Err(unknown(p, "notification_id", "notification"))
}

/// `books.promooffer.get`: `GET /books/v1/promooffer/get` — no offers: `kind` only.
pub async fn promooffer_get(
    State(_state): State<AppState>,
    req: UserRequest,
) -> Result<Response, ApiError> {
    respond(
        &req.request.output,
        &EmptyList {
            kind: "promooffer#offers".into(),
        },
    )
}

fn unknown_offer(req: &UserRequest) -> Result<Response, ApiError> {
    Err(unknown(&req.request.params, "offerId", "offer"))
}

/// The answer for an id of something Colophon has none of: 400 `required` without the
/// parameter `param`, else 404 naming the id (cut to 100 characters).
fn unknown(p: &crate::params::QueryParams, param: &'static str, what: &str) -> ApiError {
    match p.non_empty(param) {
        None => ApiError::Required(param),
        Some(id) => ApiError::NotFound(format!(
            "The {what} ID {} could not be found.",
            id.chars().take(100).collect::<String>()
        )),
    }
}

/// `books.promooffer.accept`: `POST /books/v1/promooffer/accept?offerId=…` — `offerId`
/// required; there are no offers, so every offer is a 404.
pub async fn promooffer_accept(
    State(_state): State<AppState>,
    req: UserRequest,
) -> Result<Response, ApiError> {
    unknown_offer(&req)
}

/// `books.promooffer.dismiss`: `POST /books/v1/promooffer/dismiss?offerId=…` — as `accept`.
pub async fn promooffer_dismiss(
    State(_state): State<AppState>,
    req: UserRequest,
) -> Result<Response, ApiError> {
    unknown_offer(&req)
}

/// `books.dictionary.listOfflineMetadata`:
/// `GET /books/v1/dictionary/listOfflineMetadata?cpksver=…` — `cpksver` required; there are
/// no offline dictionaries: `kind` only.
pub async fn dictionary_metadata(
    State(_state): State<AppState>,
    req: UserRequest,
) -> Result<Response, ApiError> {
    req.request
        .params
        .non_empty("cpksver")
        .ok_or(ApiError::Required("cpksver"))?;
    respond(
        &req.request.output,
        &EmptyList {
            kind: "dictionary#metadata".into(),
        },
    )
}
