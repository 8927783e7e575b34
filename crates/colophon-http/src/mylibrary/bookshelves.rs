//! `mylibrary.bookshelves.*`: the signed-in user's shelves.

use axum::extract::State;
use axum::response::Response;
use colophon_types::{Bookshelf, Bookshelves};

use crate::request::UserRequest;
use crate::response::respond;
use crate::{ApiError, AppState};

/// The fixed shelves every account has, with their default visibility (`books-api-behavior.md`
/// §3; "Books for you" appears only with recommendations, so never here). Which are public by
/// default at Google is UNVERIFIED.
const FIXED_SHELVES: &[(i64, &str, &str)] = &[
    (0, "Favorites", "PUBLIC"),
    (1, "Purchased", "PRIVATE"),
    (2, "To read", "PUBLIC"),
    (3, "Reading now", "PUBLIC"),
    (4, "Have read", "PUBLIC"),
    (5, "Reviewed", "PUBLIC"),
    (6, "Recently viewed", "PRIVATE"),
    (7, "My eBooks", "PRIVATE"),
];

/// `books.mylibrary.bookshelves.list`: `GET /books/v1/mylibrary/bookshelves` — the token's
/// user's shelves, public and private. The `selfLink`s carry the user's id, which is how a
/// client learns it.
///
/// TODO(personal library issue): shelves hold no volumes yet (no `addVolume`), so every
/// count is 0 and every date is the account's creation.
pub async fn list(State(state): State<AppState>, req: UserRequest) -> Result<Response, ApiError> {
    let account = state
        .auth
        .find_account(&req.user.user_id)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .ok_or_else(|| ApiError::Internal("a token's user no longer exists".into()))?;
    let when = account.created.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let base = &state.config.public_url;
    let items = FIXED_SHELVES
        .iter()
        .map(|(id, title, access)| Bookshelf {
            kind: "books#bookshelf".into(),
            id: *id,
            self_link: format!("{base}/books/v1/users/{}/bookshelves/{id}", account.id),
            title: (*title).into(),
            access: (*access).into(),
            updated: when.clone(),
            created: when.clone(),
            volume_count: 0,
            volumes_last_updated: when.clone(),
        })
        .collect();
    respond(
        &req.request.output,
        &Bookshelves {
            kind: "books#bookshelves".into(),
            items,
        },
    )
}
