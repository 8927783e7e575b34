//! `books.volumes.mybooks.list`: `GET /books/v1/volumes/mybooks`.

use axum::extract::State;
use axum::response::Response;
use colophon_domain::library::{AcquireMethod, ProcessingState};
use colophon_domain::Projection;

use crate::params::QueryParams;
use crate::request::UserRequest;
use crate::user_volumes::{respond_page, PageStyle};
use crate::{ApiError, AppState};

/// Largest `maxResults` (discovery: 0–100).
pub const MAX_RESULTS: u32 = 100;

/// Every value of a repeated enum parameter, each checked against the discovery enum.
pub(crate) fn repeated<T: Copy + PartialEq>(
    p: &QueryParams,
    name: &str,
    parse: impl Fn(&str) -> Result<Option<T>, colophon_domain::InvalidOption>,
) -> Result<Vec<T>, ApiError> {
    let mut out = Vec::new();
    for raw in p.values(name) {
        match parse(raw) {
            Ok(Some(v)) if !out.contains(&v) => out.push(v),
            Ok(_) => {}
            Err(e) => {
                return Err(ApiError::invalid(
                    name,
                    format!(
                        "Invalid value '{}' for {name}. Allowed values: {}.",
                        e.value,
                        e.allowed.join(", ")
                    ),
                ))
            }
        }
    }
    Ok(out)
}

/// `books.volumes.mybooks.list`: `GET /books/v1/volumes/mybooks` — the volumes on the
/// signed-in user's shelves, most recently shelved first, with `userInfo`. Colophon sells
/// nothing: a shelved volume counts as acquired `PUBLIC_DOMAIN` when it is public domain and
/// `SAMPLE` otherwise, which is what `acquireMethod` filters on; `processingState` applies to
/// uploads, which this method does not list (`volumes.useruploaded.list` does), so it matches
/// nothing. `locale` is accepted.
pub async fn list(State(state): State<AppState>, req: UserRequest) -> Result<Response, ApiError> {
    let p = &req.request.params;
    let acquire = repeated(p, "acquireMethod", AcquireMethod::parse)?;
    let processing = repeated(p, "processingState", ProcessingState::parse)?;
    let country = p.country(&state.config.default_country)?;
    let start = p.u32_in("startIndex", 0, u32::MAX, 0)?;
    let max = p.u32_in("maxResults", 0, MAX_RESULTS, 10)?;
    let page = state
        .library
        .my_books(&req.user.user_id, &acquire, &processing, start, max)
        .await?;
    respond_page(
        &state,
        &req.request.caller,
        &req.request.output,
        page.total,
        page.items,
        &PageStyle {
            projection: Projection::Full,
            country: &country,
            search: None,
        },
    )
    .await
}
