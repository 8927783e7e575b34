//! The route table: every path the server answers, and the layers around them.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::{volumes, ApiError, AppState};

/// Builds the application: Books API routes, internal probes, and the layers for errors,
/// limits, compression and tracing.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/books/v1/volumes", get(volumes::list::list))
        .route("/books/v1/volumes/{volume_id}", get(volumes::get::get));
    let internal = Router::new()
        .route("/_colophon/health", get(health))
        .route("/_colophon/hello", get(hello));
    Router::new()
        .merge(api)
        .merge(internal)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), limit_body))
        .layer(middleware::from_fn(compact_errors))
        .layer(CompressionLayer::new().gzip(true))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::Internal("a handler panicked".into()).into_response()
        }))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn not_found(req: Request) -> ApiError {
    let path = req.uri().path();
    let shown: String = path.chars().take(200).collect();
    ApiError::PathNotFound(shown)
}

async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::MethodNotAllowed(method.to_string())
}

/// Rejects bodies larger than the configured limit before any handler runs.
async fn limit_body(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > state.config.max_body_bytes as u64) {
        return ApiError::PayloadTooLarge.into_response();
    }
    let (parts, body) = req.into_parts();
    let limited = Body::new(http_body_util::Limited::new(
        body,
        state.config.max_body_bytes,
    ));
    next.run(Request::from_parts(parts, limited)).await
}

/// Honours `prettyPrint=false` on error bodies too (errors are built without the request).
async fn compact_errors(req: Request, next: Next) -> Response {
    let compact = crate::params::QueryParams::parse(req.uri().query())
        .bool_or("prettyPrint", true)
        .is_ok_and(|pretty| !pretty);
    let mut response = next.run(req).await;
    if compact {
        if let Some(error) = response
            .extensions_mut()
            .remove::<std::sync::Arc<colophon_types::ErrorResponse>>()
        {
            if let Ok(body) = crate::response::json::to_google_json(&*error, false) {
                response.headers_mut().remove(header::CONTENT_LENGTH);
                *response.body_mut() = Body::from(body);
            }
        }
    }
    response
}

async fn health() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=UTF-8"),
        )],
        "{\"status\": \"ok\"}\n",
    )
}

/// A fixed answer through the same stack: the ceiling the benchmarks compare against.
async fn hello() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=UTF-8"),
        )],
        "{\"hello\": \"world\"}\n",
    )
}
