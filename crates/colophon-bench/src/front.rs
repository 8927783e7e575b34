//! The thin HTTP front every peer sits behind: axum on one tokio thread, the Books API paths
//! `GET /books/v1/volumes` and `GET /books/v1/volumes/{id}`, Google-shaped bodies from
//! [`crate::page`] and Google-shaped errors.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::engines::Engine;
use crate::page;
use crate::query::peer_query;

struct Front {
    engine: Engine,
    base: String,
}

/// The router of the front over `engine`; `base` is the scheme and authority of `selfLink`s.
pub fn router(engine: Engine, base: String) -> Router {
    Router::new()
        .route("/books/v1/volumes", get(list))
        .route("/books/v1/volumes/{id}", get(one))
        .with_state(Arc::new(Front { engine, base }))
}

fn json(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=UTF-8")],
        body,
    )
        .into_response()
}

/// Google's error body.
fn error(status: StatusCode, reason: &str, message: &str) -> Response {
    let body = serde_json::json!({"error": {
        "code": status.as_u16(), "message": message,
        "errors": [{"message": message, "domain": "global", "reason": reason}],
    }});
    json(status, body.to_string().into_bytes())
}

/// A paging parameter; `Err` is the message of the 400 answer.
fn number(p: &HashMap<String, String>, name: &str, default: u32, max: u32) -> Result<u32, String> {
    match p.get(name) {
        None => Ok(default),
        Some(v) => match v.parse::<u32>() {
            Ok(n) if n <= max => Ok(n),
            _ => Err(format!(
                "Invalid value '{v}'. Values must be within the range: [0, {max}]"
            )),
        },
    }
}

async fn list(State(f): State<Arc<Front>>, Query(p): Query<HashMap<String, String>>) -> Response {
    let Some(q) = p.get("q").filter(|q| !q.trim().is_empty()) else {
        return error(StatusCode::BAD_REQUEST, "queryRequired", "Missing query.");
    };
    let (start, max) = match (
        number(&p, "startIndex", 0, i32::MAX as u32),
        number(&p, "maxResults", 10, 40),
    ) {
        (Ok(s), Ok(m)) => (s, m),
        (Err(e), _) | (_, Err(e)) => return error(StatusCode::BAD_REQUEST, "invalid", &e),
    };
    let pq = peer_query(q, start, max);
    match f
        .engine
        .search(&pq)
        .await
        .and_then(|h| page::volumes(&h, &f.base))
    {
        Ok(body) => json(StatusCode::OK, body),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "backendError",
            &e.to_string(),
        ),
    }
}

async fn one(State(f): State<Arc<Front>>, Path(id): Path<String>) -> Response {
    match f.engine.get(&id).await {
        Ok(Some(doc)) => match page::one(&doc, &f.base) {
            Ok(body) => json(StatusCode::OK, body),
            Err(e) => error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "backendError",
                &e.to_string(),
            ),
        },
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            "notFound",
            "The volume ID could not be found.",
        ),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "backendError",
            &e.to_string(),
        ),
    }
}
