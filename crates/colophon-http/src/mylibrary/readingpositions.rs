//! `mylibrary.readingpositions.*`: where the signed-in user stopped reading each volume.

use axum::extract::{Path, State};
use axum::response::Response;
use colophon_domain::library::{parse_timestamp, PositionAction, MAX_POSITION_LEN, MAX_TAG_LEN};
use colophon_service::library::render::reading_position;
use colophon_service::library::NewPosition;

use crate::params::QueryParams;
use crate::request::UserRequest;
use crate::response::respond;
use crate::user_volumes::empty;
use crate::{ApiError, AppState};

fn bounded<'a>(p: &'a QueryParams, name: &str, max: usize) -> Result<Option<&'a str>, ApiError> {
    match p.non_empty(name) {
        Some(v) if v.len() > max => Err(ApiError::invalid(
            name,
            format!("{name} is too long (more than {max} bytes)."),
        )),
        other => Ok(other),
    }
}

/// `books.mylibrary.readingpositions.get`:
/// `GET /books/v1/mylibrary/readingpositions/{volumeId}[?contentVersion=]` — the position,
/// or only `kind` and `volumeId` when none was set (for that `contentVersion`). An unknown
/// volume is a 404.
pub async fn get(
    State(state): State<AppState>,
    req: UserRequest,
    Path(volume_id): Path<String>,
) -> Result<Response, ApiError> {
    let content_version = bounded(&req.request.params, "contentVersion", MAX_TAG_LEN)?;
    let (volume, position) = state
        .library
        .reading_position(&req.user.user_id, &volume_id, content_version)
        .await?;
    respond(
        &req.request.output,
        &reading_position(volume.as_str(), position.as_ref()),
    )
}

/// `books.mylibrary.readingpositions.setPosition`:
/// `POST /books/v1/mylibrary/readingpositions/{volumeId}/setPosition?position=…&timestamp=…`
/// — stored unless the stored position has the same or a newer `timestamp` (so a device that
/// syncs late never overwrites a newer position; the call still succeeds). `timestamp` is
/// RFC 3339; more than a day in the future is refused. `action` is checked against the
/// discovery enum; `deviceCookie` and `contentVersion` are kept with the position.
pub async fn set_position(
    State(state): State<AppState>,
    req: UserRequest,
    Path(volume_id): Path<String>,
) -> Result<Response, ApiError> {
    let p = &req.request.params;
    let position = bounded(p, "position", MAX_POSITION_LEN)?
        .ok_or(ApiError::Required("position"))?
        .to_owned();
    let raw_time = p
        .non_empty("timestamp")
        .ok_or(ApiError::Required("timestamp"))?;
    let timestamp = parse_timestamp(raw_time).ok_or_else(|| {
        ApiError::invalid(
            "timestamp",
            format!("Invalid value '{raw_time}' for timestamp: expected an RFC 3339 date-time."),
        )
    })?;
    let new = NewPosition {
        position,
        timestamp,
        action: p.option("action", PositionAction::parse)?,
        device_cookie: bounded(p, "deviceCookie", MAX_TAG_LEN)?.map(str::to_owned),
        content_version: bounded(p, "contentVersion", MAX_TAG_LEN)?.map(str::to_owned),
    };
    state
        .library
        .set_position(&req.user.user_id, &volume_id, new)
        .await?;
    empty(&req.request.output)
}
