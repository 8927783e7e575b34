//! `familysharing.getFamilyInfo`, `share` and `unshare` over `colophon_service::Families`
//! (families are made by administrators: `colophon families`).

use axum::extract::State;
use axum::response::Response;
use colophon_service::{Families, FamilyError};
use colophon_types::discovery::{FamilyInfo, FamilyMembership};

use crate::request::UserRequest;
use crate::response::respond;
use crate::user_volumes::empty;
use crate::{ApiError, AppState};

impl From<FamilyError> for ApiError {
    fn from(e: FamilyError) -> Self {
        match e {
            FamilyError::VolumeNotFound => ApiError::VolumeNotFound,
            FamilyError::NotInFamily | FamilyError::NotOwned => ApiError::Forbidden(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

fn families(state: &AppState) -> Families {
    Families::new(&state.catalog, state.library.clone())
}

/// `books.familysharing.getFamilyInfo`: `GET /books/v1/familysharing/getFamilyInfo` — the
/// caller's membership: role, age group and allowed maturity rating, or
/// `isInFamily: false`.
pub async fn get_family_info(
    State(state): State<AppState>,
    req: UserRequest,
) -> Result<Response, ApiError> {
    let membership = match families(&state).membership(&req.user.user_id).await? {
        None => FamilyMembership::default(),
        Some(m) => FamilyMembership {
            age_group: Some(m.age_group().into()),
            allowed_maturity_rating: Some(m.allowed_maturity().into()),
            is_in_family: true,
            role: Some(m.role),
        },
    };
    respond(
        &req.request.output,
        &FamilyInfo {
            kind: "books#familyInfo".into(),
            membership,
        },
    )
}

/// The volume of a share or unshare: `volumeId` or `docId` (the same id space); both must
/// agree when both are given.
fn volume(req: &UserRequest) -> Result<&str, ApiError> {
    let p = &req.request.params;
    match (p.non_empty("volumeId"), p.non_empty("docId")) {
        (None, None) => Err(ApiError::Required("volumeId")),
        (Some(v), Some(d)) if v != d => Err(ApiError::invalid(
            "docId",
            "docId and volumeId name different volumes.",
        )),
        (Some(v), _) | (None, Some(v)) => Ok(v),
    }
}

/// `books.familysharing.share`: `POST /books/v1/familysharing/share?volumeId=…` (or `docId`)
/// — shares a volume of the caller's library with their family; 403 when the caller has no
/// family or the volume is not in their library, 404 for an unknown volume.
pub async fn share(State(state): State<AppState>, req: UserRequest) -> Result<Response, ApiError> {
    let v = volume(&req)?;
    families(&state).share(&req.user.user_id, v).await?;
    empty(&req.request.output)
}

/// `books.familysharing.unshare`: `POST /books/v1/familysharing/unshare?volumeId=…` (or
/// `docId`) — stops sharing it (a volume not shared: nothing changes).
pub async fn unshare(
    State(state): State<AppState>,
    req: UserRequest,
) -> Result<Response, ApiError> {
    let v = volume(&req)?;
    families(&state).unshare(&req.user.user_id, v).await?;
    empty(&req.request.output)
}
