//! `volumes.associated.list`: books like one volume.

use std::collections::HashSet;

use axum::extract::{Path, State};
use axum::response::Response;
use colophon_domain::render::{render_volume, RenderOptions};
use colophon_domain::{MaturityRating, Projection};
use colophon_service::Recommendations;
use colophon_types::Volumes;

use super::recommended::{check_locale, MAX_RECOMMENDATIONS};
use crate::request::{ApiRequest, Caller};
use crate::response::respond;
use crate::{ApiError, AppState};

/// `association` values (discovery), either case; `ASSOCIATION_UNDEFINED` means none.
const ASSOCIATIONS: &[&str] = &["end-of-sample", "end-of-volume", "related-for-play"];

/// `books.volumes.associated.list`: `GET /books/v1/volumes/{volumeId}/associated` — volumes
/// sharing authors, series or subjects with this one, best first (at most 20). Every
/// `association` gets the same answer: Colophon has no samples or Play-specific signals. A
/// signed-in caller never gets volumes they rated.
pub async fn list(
    State(state): State<AppState>,
    req: ApiRequest,
    Path(volume_id): Path<String>,
) -> Result<Response, ApiError> {
    let p = &req.params;
    check_locale(p)?;
    if let Some(a) = p.non_empty("association") {
        if !a.eq_ignore_ascii_case("ASSOCIATION_UNDEFINED")
            && !ASSOCIATIONS.iter().any(|x| x.eq_ignore_ascii_case(a))
        {
            return Err(ApiError::invalid(
                "association",
                format!(
                    "Invalid value '{a}' for association. Allowed values: {}.",
                    ASSOCIATIONS.join(", ")
                ),
            ));
        }
    }
    let maturity = p.option("maxAllowedMaturityRating", MaturityRating::parse)?;
    let record = state.catalog.get_volume(&volume_id).await?;
    let service = Recommendations::new(state.catalog.clone());
    let exclude = match &req.caller {
        Caller::User(u) => service.rated(&u.user_id).await?,
        Caller::ApiKey(_) | Caller::Anonymous => HashSet::new(),
    };
    let found = service
        .like(
            std::slice::from_ref(&record.id),
            &exclude,
            maturity,
            MAX_RECOMMENDATIONS,
        )
        .await?;
    let opts = RenderOptions {
        base_url: &state.config.public_url,
        country: &state.config.default_country,
        projection: Projection::Full,
        search: None,
    };
    let items: Vec<_> = found
        .iter()
        .map(|r| render_volume(&r.record, &opts, None))
        .collect();
    respond(
        &req.output,
        &Volumes {
            kind: "books#volumes".into(),
            total_items: items.len() as u64,
            items,
        },
    )
}
