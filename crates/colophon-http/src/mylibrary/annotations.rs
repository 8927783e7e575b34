//! `mylibrary.annotations.*`: the signed-in user's notes, highlights and bookmarks.
//!
//! Every call acts on the token's user only; another user's annotation id answers exactly as
//! an unknown id does (404 `notFound`). Rules (layers, budgets, ranges, page tokens, the
//! concurrency of updates) are in `colophon_domain::annotation` and
//! `colophon_service::annotations`.

pub mod render;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use colophon_domain::annotation::{format_time, AnnotationInput, UserLayer, LIMIT_TYPE};
use colophon_service::{Annotations, ListRequest};
use colophon_types::{Annotation, AnnotationsSummary, AnnotationsSummaryLayer};

use crate::params::QueryParams;
use crate::request::UserRequest;
use crate::response::respond;
use crate::{json_body, ApiError, AppState};

/// Largest `maxResults` of `annotations.list` (discovery).
pub const MAX_RESULTS: u32 = 40;
/// `maxResults` when absent (the discovery document gives none; 10 like shelf listings).
pub const DEFAULT_RESULTS: u32 = 10;

fn service(state: &AppState) -> Annotations {
    Annotations::new(state.catalog.clone())
}

/// Parses layer ids (`layerId`, repeated `layerIds`) into user layers; an unknown one is a 400.
pub fn user_layers(p: &QueryParams, names: &[&str]) -> Result<Vec<UserLayer>, ApiError> {
    let mut out: Vec<UserLayer> = Vec::new();
    for name in names {
        for v in p.all(name) {
            let layer = UserLayer::find(v).ok_or_else(|| {
                ApiError::invalid(
                    name,
                    format!(
                        "Invalid value '{}' for {name}. Allowed values: {}.",
                        v.chars().take(100).collect::<String>(),
                        colophon_domain::annotation::USER_LAYERS
                            .iter()
                            .map(|l| l.id)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
            if !out.contains(&layer) {
                out.push(layer);
            }
        }
    }
    Ok(out)
}

/// `updatedMin`, `updatedMax`, `showDeleted` (which needs `updatedMin`), `maxResults` and
/// `pageToken` of a listing.
pub fn list_request(p: &QueryParams, max: u32, default: u32) -> Result<ListRequest, ApiError> {
    let updated_min = p.time("updatedMin")?;
    let updated_max = p.time("updatedMax")?;
    let show_deleted = p.bool_or("showDeleted", false)?;
    if show_deleted && updated_min.is_none() {
        return Err(ApiError::invalid(
            "showDeleted",
            "updatedMin must be in the request to use showDeleted.",
        ));
    }
    Ok(ListRequest {
        volume_id: None,
        layers: Vec::new(),
        updated_min,
        updated_max,
        show_deleted,
        max_results: p.u32_in("maxResults", 0, max, default)?,
        page_token: p.non_empty("pageToken").map(str::to_owned),
    })
}

/// `books.mylibrary.annotations.list`: `GET /books/v1/mylibrary/annotations` — the user's
/// annotations, oldest change first (`updated`, then id), so that a client syncing with
/// `updatedMin` and `showDeleted` sees every change once. `contentVersion` is accepted and
/// does not filter: Colophon keeps one content version per volume.
pub async fn list(State(state): State<AppState>, req: UserRequest) -> Result<Response, ApiError> {
    let p = &req.request.params;
    let mut list = list_request(p, MAX_RESULTS, DEFAULT_RESULTS)?;
    list.layers = user_layers(p, &["layerId", "layerIds"])?;
    list.volume_id = p.non_empty("volumeId").map(str::to_owned);
    let page = service(&state).list(&req.user.user_id, &list).await?;
    let base = &state.config.public_url;
    respond(
        &req.request.output,
        &colophon_types::Annotations {
            kind: "books#annotations".into(),
            items: page
                .items
                .iter()
                .map(|r| render::annotation(base, r, None))
                .collect(),
            next_page_token: page.next_page_token,
            total_items: page.total,
        },
    )
}

/// `books.mylibrary.annotations.insert`: `POST /books/v1/mylibrary/annotations` — a new
/// annotation (`volumeId`, `layerId` and a range required); `annotationId` lets the client
/// choose the id; `showOnlySummaryInResponse` answers only `kind` and `layerSummary`.
pub async fn insert(
    State(state): State<AppState>,
    req: UserRequest,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let p = &req.request.params;
    p.country(&state.config.default_country)?;
    let summary_only = p.bool_or("showOnlySummaryInResponse", false)?;
    let wire: Annotation = json_body::decode(body)?;
    let input = AnnotationInput::parse(&wire)?;
    let (record, budget) = service(&state)
        .insert(
            &req.user.user_id,
            p.non_empty("annotationId"),
            input,
            state.auth.now(),
        )
        .await?;
    let base = &state.config.public_url;
    let answer = if summary_only {
        Annotation {
            kind: Some("books#annotation".into()),
            layer_summary: Some(render::layer_summary(&budget)),
            ..Annotation::default()
        }
    } else {
        render::annotation(base, &record, Some(&budget))
    };
    respond(&req.request.output, &answer)
}

/// `books.mylibrary.annotations.update`: `PUT /books/v1/mylibrary/annotations/{annotationId}`
/// — replaces the annotation's content. When the body carries `updated`, it must be the
/// annotation's current `updated` (else 409 `conflict`); see `colophon_service::annotations`.
pub async fn update(
    State(state): State<AppState>,
    req: UserRequest,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let wire: Annotation = json_body::decode(body)?;
    if wire.id.as_deref().is_some_and(|b| !b.is_empty() && b != id) {
        return Err(ApiError::InvalidValue {
            field: "id".into(),
            message: "The id in the body differs from the annotationId of the path.".into(),
        });
    }
    let input = AnnotationInput::parse(&wire)?;
    let (record, budget) = service(&state)
        .update(&req.user.user_id, &id, input, state.auth.now())
        .await?;
    respond(
        &req.request.output,
        &render::annotation(&state.config.public_url, &record, Some(&budget)),
    )
}

/// `books.mylibrary.annotations.delete`: `DELETE /books/v1/mylibrary/annotations/{annotationId}`
/// — the annotation becomes a tombstone (listed with `showDeleted`). Answers `200 {}` (the
/// discovery's `Empty`; Google's generated clients decode a JSON body).
pub async fn delete(
    State(state): State<AppState>,
    req: UserRequest,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    service(&state)
        .delete(&req.user.user_id, &id, state.auth.now())
        .await?;
    respond(&req.request.output, &serde_json::json!({}))
}

/// `books.mylibrary.annotations.summary`: `POST /books/v1/mylibrary/annotations/summary` —
/// the budget of each of `layerIds` (required) on `volumeId` (required), in the order asked.
pub async fn summary(
    State(state): State<AppState>,
    req: UserRequest,
) -> Result<Response, ApiError> {
    let p = &req.request.params;
    let layers = user_layers(p, &["layerIds"])?;
    if layers.is_empty() {
        return Err(ApiError::Required("layerIds"));
    }
    let volume_id = p
        .non_empty("volumeId")
        .ok_or(ApiError::Required("volumeId"))?;
    let budgets = service(&state)
        .summary(&req.user.user_id, volume_id, &layers)
        .await?;
    respond(
        &req.request.output,
        &AnnotationsSummary {
            kind: "books#annotationsSummary".into(),
            layers: budgets
                .iter()
                .map(|b| AnnotationsSummaryLayer {
                    allowed_character_count: render::clamp(b.allowed),
                    layer_id: b.layer.id.into(),
                    limit_type: LIMIT_TYPE.into(),
                    remaining_character_count: render::clamp(b.remaining),
                    updated: b.updated.map(format_time),
                })
                .collect(),
        },
    )
}
