//! `mylibrary.bookshelves.*`: the signed-in user's shelves (public and private) and their
//! volumes; writes answer `{}`.

pub mod volumes;

use axum::extract::{Path, State};
use axum::response::Response;
use colophon_domain::library::{AddReason, RemoveReason};
use colophon_service::library::render::bookshelf;
use colophon_service::library::Visibility;
use colophon_types::Bookshelves;

use crate::request::UserRequest;
use crate::response::respond;
use crate::user_volumes::empty;
use crate::{ApiError, AppState};

/// `books.mylibrary.bookshelves.list`: `GET /books/v1/mylibrary/bookshelves` — the token's
/// user's shelves, public and private. The `selfLink`s carry the user's id, which is how a
/// client learns it.
pub async fn list(State(state): State<AppState>, req: UserRequest) -> Result<Response, ApiError> {
    let shelves = state
        .library
        .shelves(&req.user.user_id, Visibility::Owner)
        .await?;
    let base = &state.config.public_url;
    respond(
        &req.request.output,
        &Bookshelves {
            kind: "books#bookshelves".into(),
            items: shelves.iter().map(|s| bookshelf(s, base)).collect(),
        },
    )
}

/// `books.mylibrary.bookshelves.get`: `GET /books/v1/mylibrary/bookshelves/{shelf}`.
pub async fn get(
    State(state): State<AppState>,
    req: UserRequest,
    Path(shelf): Path<String>,
) -> Result<Response, ApiError> {
    let shelf = state
        .library
        .shelf(&req.user.user_id, &shelf, Visibility::Owner)
        .await?;
    respond(
        &req.request.output,
        &bookshelf(&shelf, &state.config.public_url),
    )
}

fn volume_id(req: &UserRequest) -> Result<&str, ApiError> {
    req.request
        .params
        .non_empty("volumeId")
        .ok_or(ApiError::Required("volumeId"))
}

/// `books.mylibrary.bookshelves.addVolume`:
/// `POST /books/v1/mylibrary/bookshelves/{shelf}/addVolume?volumeId=…[&reason=…]` — appends
/// the volume to the shelf (already there: nothing changes). `reason` is validated against
/// the discovery enum and otherwise only informative.
pub async fn add_volume(
    State(state): State<AppState>,
    req: UserRequest,
    Path(shelf): Path<String>,
) -> Result<Response, ApiError> {
    req.request.params.option("reason", AddReason::parse)?;
    let volume = volume_id(&req)?;
    state
        .library
        .add_volume(&req.user.user_id, &shelf, volume)
        .await?;
    empty(&req.request.output)
}

/// `books.mylibrary.bookshelves.removeVolume`:
/// `POST /books/v1/mylibrary/bookshelves/{shelf}/removeVolume?volumeId=…[&reason=ONBOARDING]`.
pub async fn remove_volume(
    State(state): State<AppState>,
    req: UserRequest,
    Path(shelf): Path<String>,
) -> Result<Response, ApiError> {
    req.request.params.option("reason", RemoveReason::parse)?;
    let volume = volume_id(&req)?;
    state
        .library
        .remove_volume(&req.user.user_id, &shelf, volume)
        .await?;
    empty(&req.request.output)
}

/// `books.mylibrary.bookshelves.clearVolumes`:
/// `POST /books/v1/mylibrary/bookshelves/{shelf}/clearVolumes`.
pub async fn clear_volumes(
    State(state): State<AppState>,
    req: UserRequest,
    Path(shelf): Path<String>,
) -> Result<Response, ApiError> {
    state
        .library
        .clear_volumes(&req.user.user_id, &shelf)
        .await?;
    empty(&req.request.output)
}

/// `books.mylibrary.bookshelves.moveVolume`:
/// `POST /books/v1/mylibrary/bookshelves/{shelf}/moveVolume?volumeId=…&volumePosition=N` — 0
/// puts the volume first, 1 between the first and the second, …; N past the last entry is
/// a 400 (the volume must be on the shelf: 404 otherwise).
pub async fn move_volume(
    State(state): State<AppState>,
    req: UserRequest,
    Path(shelf): Path<String>,
) -> Result<Response, ApiError> {
    let volume = volume_id(&req)?;
    let index = match req.request.params.non_empty("volumePosition") {
        None => return Err(ApiError::Required("volumePosition")),
        Some(raw) => match raw.trim().parse::<i64>() {
            Ok(n) if (0..=i64::from(i32::MAX)).contains(&n) => n as u32,
            Ok(_) => {
                return Err(ApiError::invalid(
                    "volumePosition",
                    format!("Invalid value '{raw}' for volumePosition: must not be negative."),
                ))
            }
            Err(_) => {
                return Err(ApiError::invalid(
                    "volumePosition",
                    format!("Invalid value '{raw}' for volumePosition: not an integer."),
                ))
            }
        },
    };
    state
        .library
        .move_volume(&req.user.user_id, &shelf, volume, index)
        .await?;
    empty(&req.request.output)
}
