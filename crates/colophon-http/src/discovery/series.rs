//! `series.get` and `series.membership.get`: the catalog's series (see
//! `colophon_domain::series`).

use axum::extract::State;
use axum::response::Response;
use colophon_domain::series::is_series_id;
use colophon_domain::Projection;
use colophon_service::SeriesCatalog;
use colophon_types::discovery::{Series, SeriesItem, SeriesMembership};

use super::{cover_url, next_token, page};
use crate::request::ApiRequest;
use crate::response::respond;
use crate::user_volumes::{render_items, PageStyle};
use crate::{ApiError, AppState};

fn check_id(id: &str) -> Result<(), ApiError> {
    if is_series_id(id) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "series_id",
            format!("Invalid value '{id}' for series_id."),
        ))
    }
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("The series ID {id} could not be found."))
}

/// `books.series.get`: `GET /books/v1/series/get?series_id=…[&series_id=…]` — each known
/// series with its title, type (`SERIES` or `COLLECTION`) and the covers of its first
/// volume; unknown ids are left out, and when none is known the answer is a 404.
pub async fn get(State(state): State<AppState>, req: ApiRequest) -> Result<Response, ApiError> {
    let ids = req.params.all("series_id");
    if ids.is_empty() {
        return Err(ApiError::Required("series_id"));
    }
    for id in &ids {
        check_id(id)?;
    }
    let service = SeriesCatalog::new(state.catalog.clone());
    let base = &state.config.public_url;
    let mut series = Vec::new();
    for id in &ids {
        if let Some(s) = service.summary(id).await? {
            let first = s.first_volume.as_str();
            series.push(SeriesItem {
                banner_image_url: Some(cover_url(base, first, 4)),
                eligible_for_subscription: Some(false),
                image_url: Some(cover_url(base, first, 1)),
                series_id: s.series_id,
                series_type: Some(s.kind.as_str().to_owned()),
                title: s.title,
            });
        }
    }
    if series.is_empty() {
        return Err(not_found(ids[0]));
    }
    respond(
        &req.output,
        &Series {
            kind: "books#series".into(),
            series,
        },
    )
}

/// `books.series.membership.get`: `GET /books/v1/series/membership/get?series_id=…` — the
/// series' volumes in series order, `page_size` (0–40, default 10) at a time, with
/// `nextPageToken`.
pub async fn membership(
    State(state): State<AppState>,
    req: ApiRequest,
) -> Result<Response, ApiError> {
    let p = &req.params;
    let id = p
        .non_empty("series_id")
        .ok_or(ApiError::Required("series_id"))?;
    check_id(id)?;
    let listing = ["series.membership", id];
    let (size, offset) = page(p, "page_size", "page_token", &listing)?;
    let members = SeriesCatalog::new(state.catalog.clone())
        .members(id)
        .await?;
    if members.is_empty() {
        return Err(not_found(id));
    }
    let total = members.len() as u64;
    let items = members
        .into_iter()
        .skip(offset as usize)
        .take(size as usize)
        .map(|r| (r, None))
        .collect();
    let style = PageStyle {
        projection: Projection::Full,
        country: &state.config.default_country,
        search: None,
    };
    let member = render_items(&state, &req.caller, items, &style).await?;
    respond(
        &req.output,
        &SeriesMembership {
            kind: "books#series#membership".into(),
            member,
            next_page_token: next_token(offset, size, total, &listing),
        },
    )
}
