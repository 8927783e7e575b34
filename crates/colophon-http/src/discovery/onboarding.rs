//! `onboarding.listCategories` and `onboarding.listCategoryVolumes`: the catalog's top-level
//! subjects and their volumes.

use axum::extract::State;
use axum::response::Response;
use colophon_domain::{MaturityRating, Projection};
use colophon_service::Onboarding;
use colophon_types::discovery::{Category, CategoryItem, Volume2};

use super::{cover_url, next_token, page};
use crate::request::ApiRequest;
use crate::response::respond;
use crate::user_volumes::{render_items, PageStyle};
use crate::volumes::recommended::check_locale;
use crate::{ApiError, AppState};

/// `books.onboarding.listCategories`: `GET /books/v1/onboarding/listCategories` — the
/// catalog's largest top-level subjects (at most 50, most volumes first), each with the
/// cover of its most popular volume as badge. `locale` is validated, not used.
pub async fn list_categories(
    State(state): State<AppState>,
    req: ApiRequest,
) -> Result<Response, ApiError> {
    check_locale(&req.params)?;
    let categories = Onboarding::new(state.catalog.clone()).categories().await?;
    let base = &state.config.public_url;
    let items = categories
        .into_iter()
        .map(|c| CategoryItem {
            badge_url: c.top_volume.map(|v| cover_url(base, v.as_str(), 1)),
            category_id: c.category_id,
            name: c.name,
        })
        .collect();
    respond(
        &req.output,
        &Category {
            items,
            kind: "onboarding#category".into(),
        },
    )
}

/// `books.onboarding.listCategoryVolumes`: `GET /books/v1/onboarding/listCategoryVolumes` —
/// the volumes of the `categoryId`s (any of them; every categorised volume without one),
/// most popular first, `pageSize` (0–40, default 10) at a time with `nextPageToken`;
/// `maxAllowedMaturityRating=not-mature` leaves out mature books. Unknown ids match nothing.
pub async fn list_category_volumes(
    State(state): State<AppState>,
    req: ApiRequest,
) -> Result<Response, ApiError> {
    let p = &req.params;
    check_locale(p)?;
    let maturity = p.option("maxAllowedMaturityRating", MaturityRating::parse)?;
    let mut ids: Vec<String> = p.values("categoryId").map(str::to_owned).collect();
    ids.sort();
    ids.dedup();
    let maturity_key = if maturity == Some(MaturityRating::NotMature) {
        "not-mature"
    } else {
        ""
    };
    let mut listing = vec!["onboarding.listCategoryVolumes", maturity_key];
    listing.extend(ids.iter().map(String::as_str));
    let (size, offset) = page(p, "pageSize", "pageToken", &listing)?;
    let found = Onboarding::new(state.catalog.clone())
        .volumes(&ids, offset, size, maturity)
        .await?;
    let style = PageStyle {
        projection: Projection::Full,
        country: &state.config.default_country,
        search: None,
    };
    let items = found.records.into_iter().map(|r| (r, None)).collect();
    let items = render_items(&state, &req.caller, items, &style).await?;
    respond(
        &req.output,
        &Volume2 {
            items,
            kind: "onboarding#volume".into(),
            next_page_token: next_token(offset, size, found.total, &listing),
        },
    )
}
