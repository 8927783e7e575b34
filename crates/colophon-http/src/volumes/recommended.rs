//! `volumes.recommended.list` and `volumes.recommended.rate`: books for the signed-in user.

use axum::extract::State;
use axum::response::Response;
use colophon_domain::render::{render_volume, RenderOptions};
use colophon_domain::{MaturityRating, Projection};
use colophon_service::{Rating, Recommendations};
use colophon_types::{RateRecommendedVolumeResponse, RecommendedInfo, Volumes};

use crate::params::QueryParams;
use crate::request::UserRequest;
use crate::response::respond;
use crate::{ApiError, AppState};

/// Most recommendations answered (the method has no paging).
pub const MAX_RECOMMENDATIONS: usize = 20;

/// `locale` (`en_US`, `fr`): validated, not used — the catalog's signals do not depend on it.
pub fn check_locale(p: &QueryParams) -> Result<(), ApiError> {
    if let Some(l) = p.non_empty("locale") {
        let ok = l.len() <= 16
            && l.split(['_', '-'])
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()));
        if !ok {
            return Err(ApiError::invalid(
                "locale",
                format!("Invalid value '{l}' for locale: expected e.g. en_US."),
            ));
        }
    }
    Ok(())
}

/// `books.volumes.recommended.list`: `GET /books/v1/volumes/recommended` — volumes sharing
/// authors, series or subjects with the ones the user shelved, annotated or rated `HAVE_IT`,
/// best first,
/// each with `recommendedInfo.explanation`; never a rated volume.
pub async fn list(State(state): State<AppState>, req: UserRequest) -> Result<Response, ApiError> {
    let p = &req.request.params;
    check_locale(p)?;
    let maturity = p.option("maxAllowedMaturityRating", MaturityRating::parse)?;
    // The volumes on the user's shelves are seeds too (most recently shelved first).
    let shelved = state.library.library_ids(&req.user.user_id).await?;
    let found = Recommendations::new(state.catalog.clone())
        .for_user(&req.user.user_id, &shelved, maturity, MAX_RECOMMENDATIONS)
        .await?;
    let opts = RenderOptions {
        base_url: &state.config.public_url,
        country: &state.config.default_country,
        projection: Projection::Full,
        search: None,
    };
    let items: Vec<_> = found
        .into_iter()
        .map(|r| {
            let mut v = render_volume(&r.record, &opts, None);
            v.recommended_info = Some(RecommendedInfo {
                explanation: Some(r.explanation),
            });
            v
        })
        .collect();
    respond(
        &req.request.output,
        &Volumes {
            kind: "books#volumes".into(),
            total_items: items.len() as u64,
            items,
        },
    )
}

/// `books.volumes.recommended.rate`: `POST /books/v1/volumes/recommended/rate` — `rating`
/// (`HAVE_IT` or `NOT_INTERESTED`) and `volumeId` required; the volume leaves the user's
/// recommendations (and `HAVE_IT` makes it a seed of them).
pub async fn rate(State(state): State<AppState>, req: UserRequest) -> Result<Response, ApiError> {
    let p = &req.request.params;
    check_locale(p)?;
    let rating = match p.non_empty("rating") {
        None => return Err(ApiError::Required("rating")),
        Some(r) if r.eq_ignore_ascii_case("HAVE_IT") => Rating::HaveIt,
        Some(r) if r.eq_ignore_ascii_case("NOT_INTERESTED") => Rating::NotInterested,
        Some(r) => {
            return Err(ApiError::invalid(
                "rating",
                format!("Invalid value '{r}' for rating. Allowed values: HAVE_IT, NOT_INTERESTED."),
            ))
        }
    };
    let volume_id = p
        .non_empty("volumeId")
        .ok_or(ApiError::Required("volumeId"))?;
    let token = Recommendations::new(state.catalog.clone())
        .rate(&req.user.user_id, volume_id, rating, state.auth.now())
        .await?;
    respond(
        &req.request.output,
        &RateRecommendedVolumeResponse {
            consistency_token: token,
        },
    )
}
