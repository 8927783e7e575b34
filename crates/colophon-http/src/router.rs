//! The route table: every path the server answers, and the layers around them.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::error::BearerChallenge;
use crate::{
    bookshelves, cloudloading, content, discovery, layers, myconfig, mylibrary, oauth, pages,
    volumes, ApiError, AppState,
};

/// Builds the application: Books API routes, internal probes, and the layers for errors,
/// limits, compression and tracing.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/books/v1/volumes", get(volumes::list::list))
        .route("/books/v1/volumes/{volume_id}", get(volumes::get::get))
        .route(
            "/books/v1/mylibrary/bookshelves",
            get(mylibrary::bookshelves::list),
        )
        .merge(annotation_routes())
        .merge(library_routes())
        .merge(upload_routes())
        .merge(discovery_routes())
        .merge(myconfig_routes())
        // Usage of every Books API method: a route layer covers only the routes added above
        // it, so every API route goes before this line.
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            crate::console_gate::record_usage,
        ));
    // The authorization server, under Google's paths and their legacy aliases
    // (`oauth-behavior.md` §2).
    let oauth = Router::new()
        .route(
            "/o/oauth2/v2/auth",
            get(oauth::authorize::get).post(oauth::authorize::post),
        )
        .route(
            "/o/oauth2/auth",
            get(oauth::authorize::get).post(oauth::authorize::post),
        )
        .route("/o/oauth2/approval", post(oauth::authorize::approval))
        .route("/token", post(oauth::token::token))
        .route("/o/oauth2/token", post(oauth::token::token))
        .route("/oauth2/v4/token", post(oauth::token::token))
        .route("/oauth2/v3/token", post(oauth::token::token))
        .route("/device/code", post(oauth::device::google))
        .route("/o/oauth2/device/code", post(oauth::device::google))
        .route("/oauth2/device_authorization", post(oauth::device::rfc8628))
        .route("/revoke", post(oauth::revoke::revoke))
        .route(
            "/o/oauth2/revoke",
            get(oauth::revoke::revoke).post(oauth::revoke::revoke),
        )
        .route(
            "/tokeninfo",
            get(oauth::tokeninfo::v3).post(oauth::tokeninfo::v3),
        )
        .route(
            "/oauth2/v3/tokeninfo",
            get(oauth::tokeninfo::v3).post(oauth::tokeninfo::v3),
        )
        .route(
            "/oauth2/v1/tokeninfo",
            get(oauth::tokeninfo::v1).post(oauth::tokeninfo::v1),
        )
        .route("/introspect", post(oauth::tokeninfo::introspect))
        .route(
            "/.well-known/oauth-authorization-server",
            get(oauth::metadata::metadata),
        );
    let pages = Router::new()
        .route(
            "/signin",
            get(pages::signin::signin_page).post(pages::signin::signin),
        )
        .route(
            "/signup",
            get(pages::signin::signup_page).post(pages::signin::signup),
        )
        .route("/signout", post(pages::signin::signout))
        .route("/account", get(pages::account::page))
        .route("/account/revoke", post(pages::account::revoke))
        .route("/account/password", post(pages::account::password))
        .route(
            pages::uploads::FORM_PATH,
            get(pages::uploads::page).post(pages::uploads::upload),
        )
        .route("/account/uploads/delete", post(pages::uploads::delete))
        .route(
            "/device",
            get(pages::device::page).post(pages::device::submit),
        )
        .route("/device/approve", post(pages::device::approve))
        .route("/_colophon/pages.css", get(stylesheet));
    let console = console_routes();
    // Book content under the paths of Google's links (covers, downloads, the reader).
    let book_content = Router::new()
        .route("/books/content", get(content::covers::cover))
        .route("/books/download/{file}", get(content::download::download))
        .route("/books/reader", get(content::reader::reader))
        .route("/books", get(content::reader::reader))
        .route("/_colophon/reader.css", get(reader_stylesheet))
        .route("/_colophon/reader.js", get(reader_script));
    let internal = Router::new()
        .route("/_colophon/health", get(health))
        .route("/_colophon/hello", get(hello));
    Router::new()
        .merge(api)
        .merge(oauth)
        .merge(pages)
        .merge(console)
        .merge(book_content)
        .merge(internal)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), limit_body))
        .layer(middleware::from_fn(compact_errors))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            bearer_challenge,
        ))
        .layer(
            CompressionLayer::new().gzip(true).compress_when(
                // EPUBs are zip files and PDFs' streams are deflated already (and both keep
                // their byte ranges).
                DefaultPredicate::new()
                    .and(NotForContentType::const_new("application/epub+zip"))
                    .and(NotForContentType::const_new("application/pdf")),
            ),
        )
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::Internal("a handler panicked".into()).into_response()
        }))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            tracing::debug_span!(
                "request",
                method = %req.method(),
                uri = %redacted_uri(req.uri()),
                version = ?req.version(),
            )
        }))
        .with_state(state)
}

/// Annotations, layers, recommendations and associated volumes (issue 6, part 2).
fn annotation_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/books/v1/mylibrary/annotations",
            get(mylibrary::annotations::list).post(mylibrary::annotations::insert),
        )
        .route(
            "/books/v1/mylibrary/annotations/summary",
            post(mylibrary::annotations::summary),
        )
        .route(
            "/books/v1/mylibrary/annotations/{annotation_id}",
            put(mylibrary::annotations::update).delete(mylibrary::annotations::delete),
        )
        .route(
            "/books/v1/volumes/recommended",
            get(volumes::recommended::list),
        )
        .route(
            "/books/v1/volumes/recommended/rate",
            post(volumes::recommended::rate),
        )
        .route(
            "/books/v1/volumes/{volume_id}/associated",
            get(volumes::associated::list),
        )
        .route(
            "/books/v1/volumes/{volume_id}/layersummary",
            get(layers::summary::list),
        )
        .route(
            "/books/v1/volumes/{volume_id}/layersummary/{summary_id}",
            get(layers::summary::get),
        )
        .route(
            "/books/v1/volumes/{volume_id}/layers/{layer_id}",
            get(layers::volume_annotations::list),
        )
        .route(
            "/books/v1/volumes/{volume_id}/layers/{layer_id}/annotations/{annotation_id}",
            get(layers::volume_annotations::get),
        )
        .route(
            "/books/v1/volumes/{volume_id}/layers/{layer_id}/data",
            get(layers::annotation_data::list),
        )
        .route(
            "/books/v1/volumes/{volume_id}/layers/{layer_id}/data/{annotation_data_id}",
            get(layers::annotation_data::get),
        )
}

/// The personal library: public shelves by user, `mylibrary` shelves and reading positions,
/// `volumes.mybooks.list` (a static segment: it wins over `/volumes/{volumeId}`).
fn library_routes() -> Router<AppState> {
    use mylibrary::bookshelves as shelves;
    const SHELF: &str = "/books/v1/mylibrary/bookshelves/{shelf}";
    Router::new()
        .route(
            "/books/v1/users/{user_id}/bookshelves",
            get(bookshelves::list),
        )
        .route(
            "/books/v1/users/{user_id}/bookshelves/{shelf}",
            get(bookshelves::get),
        )
        .route(
            "/books/v1/users/{user_id}/bookshelves/{shelf}/volumes",
            get(bookshelves::volumes_list),
        )
        .route(SHELF, get(shelves::get))
        .route(&format!("{SHELF}/volumes"), get(shelves::volumes::list))
        .route(&format!("{SHELF}/addVolume"), post(shelves::add_volume))
        .route(
            &format!("{SHELF}/removeVolume"),
            post(shelves::remove_volume),
        )
        .route(
            &format!("{SHELF}/clearVolumes"),
            post(shelves::clear_volumes),
        )
        .route(&format!("{SHELF}/moveVolume"), post(shelves::move_volume))
        .route(
            "/books/v1/mylibrary/readingpositions/{volume_id}",
            get(mylibrary::readingpositions::get),
        )
        .route(
            "/books/v1/mylibrary/readingpositions/{volume_id}/setPosition",
            post(mylibrary::readingpositions::set_position),
        )
        .route("/books/v1/volumes/mybooks", get(volumes::mybooks::list))
}

/// Users' own books: `cloudloading.*` (and its upload path), `volumes.useruploaded.list`.
fn upload_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/books/v1/cloudloading/addBook",
            post(cloudloading::add_book),
        )
        .route(
            cloudloading::UPLOAD_PATH,
            post(cloudloading::upload::add_book).put(cloudloading::upload::put_chunk),
        )
        .route(
            "/books/v1/cloudloading/updateBook",
            post(cloudloading::update_book),
        )
        .route(
            "/books/v1/cloudloading/deleteBook",
            post(cloudloading::delete_book),
        )
        .route(
            "/books/v1/volumes/useruploaded",
            get(volumes::useruploaded::list),
        )
}

/// Paths whose bodies are files (the upload limit applies, not `max_body_bytes`).
fn is_upload_path(path: &str) -> bool {
    path == cloudloading::UPLOAD_PATH || path == pages::uploads::FORM_PATH
}

/// `series.*`, `onboarding.*`, `personalizedstream.get`, `familysharing.*`,
/// `notification.get`, `promooffer.*`, `dictionary.listOfflineMetadata`.
fn discovery_routes() -> Router<AppState> {
    use discovery::{absent, familysharing, onboarding, personalizedstream, series};
    Router::new()
        .route("/books/v1/series/get", get(series::get))
        .route("/books/v1/series/membership/get", get(series::membership))
        .route(
            "/books/v1/onboarding/listCategories",
            get(onboarding::list_categories),
        )
        .route(
            "/books/v1/onboarding/listCategoryVolumes",
            get(onboarding::list_category_volumes),
        )
        .route(
            "/books/v1/personalizedstream/get",
            get(personalizedstream::get),
        )
        .route(
            "/books/v1/familysharing/getFamilyInfo",
            get(familysharing::get_family_info),
        )
        .route("/books/v1/familysharing/share", post(familysharing::share))
        .route(
            "/books/v1/familysharing/unshare",
            post(familysharing::unshare),
        )
        .route("/books/v1/notification/get", get(absent::notification))
        .route("/books/v1/promooffer/get", get(absent::promooffer_get))
        .route(
            "/books/v1/promooffer/accept",
            post(absent::promooffer_accept),
        )
        .route(
            "/books/v1/promooffer/dismiss",
            post(absent::promooffer_dismiss),
        )
        .route(
            "/books/v1/dictionary/listOfflineMetadata",
            get(absent::dictionary_metadata),
        )
}

/// `myconfig.*`: lent books' licenses and user settings.
fn myconfig_routes() -> Router<AppState> {
    const BASE: &str = "/books/v1/myconfig";
    Router::new()
        .route(
            &format!("{BASE}/requestAccess"),
            post(myconfig::request_access),
        )
        .route(
            &format!("{BASE}/releaseDownloadAccess"),
            post(myconfig::release_download_access),
        )
        .route(
            &format!("{BASE}/syncVolumeLicenses"),
            post(myconfig::sync_volume_licenses),
        )
        .route(
            &format!("{BASE}/getUserSettings"),
            get(myconfig::get_user_settings),
        )
        .route(
            &format!("{BASE}/updateUserSettings"),
            post(myconfig::update_user_settings),
        )
}

/// The library's POST-only paths, for the `Allow` header of a 405.
fn is_library_post(path: &str) -> bool {
    (path.starts_with("/books/v1/mylibrary/bookshelves/")
        && [
            "/addVolume",
            "/removeVolume",
            "/clearVolumes",
            "/moveVolume",
        ]
        .iter()
        .any(|end| path.ends_with(end)))
        || (path.starts_with("/books/v1/mylibrary/readingpositions/")
            && path.ends_with("/setPosition"))
}

/// The developer console's pages (`pages::console`).
fn console_routes() -> Router<AppState> {
    use pages::console as c;
    let mut r = Router::new()
        .route("/console", get(c::home))
        .route("/console/console.js", get(c::script))
        .route("/console/projects", post(c::create_project))
        .route("/console/projects/{id}", get(c::project))
        .route(
            "/console/projects/{id}/delete",
            get(c::confirm_delete).post(c::project_action),
        )
        .route("/console/projects/{id}/usage.json", get(c::usage_json))
        .route("/console/admin", get(c::admin))
        .route("/console/admin/projects/{id}/quota", post(c::admin_quota));
    for action in [
        "rename",
        "api",
        "keys",
        "keys/rename",
        "keys/restrict",
        "keys/regenerate",
        "keys/delete",
        "clients",
        "clients/redirect-uris",
        "clients/reset-secret",
        "clients/delete",
    ] {
        r = r.route(
            &format!("/console/projects/{{id}}/{action}"),
            post(c::project_action),
        );
    }
    r
}

/// Query parameters whose values are secrets and never reach the logs (SEC-12).
const SECRET_PARAMS: &[&str] = &[
    "key",
    "$key",
    "access_token",
    "oauth_token",
    "code",
    "token",
    "refresh_token",
    "client_secret",
    "device_code",
    "user_code",
    "code_verifier",
    "password",
];

/// The request URI for logs: path and query, with secret values replaced by `REDACTED`.
pub fn redacted_uri(uri: &axum::http::Uri) -> String {
    let Some(query) = uri.query() else {
        return uri.path().to_owned();
    };
    let redacted: Vec<String> = query
        .split('&')
        .map(|pair| {
            let name = pair.split('=').next().unwrap_or("");
            let decoded: String = form_urlencoded::parse(name.as_bytes())
                .map(|(k, _)| k.into_owned())
                .next()
                .unwrap_or_default();
            if pair.contains('=') && SECRET_PARAMS.contains(&decoded.as_str()) {
                format!("{name}=REDACTED")
            } else {
                pair.to_owned()
            }
        })
        .collect();
    format!("{}?{}", uri.path(), redacted.join("&"))
}

async fn not_found(req: Request) -> ApiError {
    let path = req.uri().path();
    let shown: String = path.chars().take(200).collect();
    ApiError::PathNotFound(shown)
}

async fn method_not_allowed(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::MethodNotAllowed {
        method: method.to_string(),
        allow: allowed_methods(uri.path()),
    }
}

/// The `Allow` header of a 405: the methods the route table gives the path.
fn allowed_methods(path: &str) -> &'static str {
    const POST_ONLY: &[&str] = &[
        "/token",
        "/o/oauth2/token",
        "/oauth2/v4/token",
        "/oauth2/v3/token",
        "/device/code",
        "/o/oauth2/device/code",
        "/oauth2/device_authorization",
        "/revoke",
        "/introspect",
        "/o/oauth2/approval",
        "/signout",
        "/account/revoke",
        "/account/password",
        "/device/approve",
        "/books/v1/mylibrary/annotations/summary",
        "/books/v1/volumes/recommended/rate",
        "/books/v1/cloudloading/addBook",
        "/books/v1/cloudloading/updateBook",
        "/books/v1/cloudloading/deleteBook",
        "/account/uploads/delete",
        "/books/v1/familysharing/share",
        "/books/v1/familysharing/unshare",
        "/books/v1/promooffer/accept",
        "/books/v1/promooffer/dismiss",
        "/books/v1/myconfig/requestAccess",
        "/books/v1/myconfig/releaseDownloadAccess",
        "/books/v1/myconfig/syncVolumeLicenses",
        "/books/v1/myconfig/updateUserSettings",
    ];
    const GET_AND_POST: &[&str] = &[
        "/o/oauth2/v2/auth",
        "/o/oauth2/auth",
        "/o/oauth2/revoke",
        "/tokeninfo",
        "/oauth2/v3/tokeninfo",
        "/oauth2/v1/tokeninfo",
        "/signin",
        "/signup",
        "/device",
        "/books/v1/mylibrary/annotations",
        "/account/uploads",
    ];
    if console_post_only(path) {
        return "POST";
    }
    if path == cloudloading::UPLOAD_PATH {
        return "POST, PUT";
    }
    if POST_ONLY.contains(&path) || is_library_post(path) {
        "POST"
    } else if GET_AND_POST.contains(&path) {
        "GET, HEAD, POST"
    } else if path.starts_with("/books/v1/mylibrary/annotations/") {
        "PUT, DELETE"
    } else {
        "GET, HEAD"
    }
}

/// The developer console's form actions (POST only; `…/delete` also has its GET page).
fn console_post_only(path: &str) -> bool {
    if path == "/console/projects" {
        return true;
    }
    if let Some(rest) = path.strip_prefix("/console/admin/projects/") {
        return rest.ends_with("/quota");
    }
    path.strip_prefix("/console/projects/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(_, action)| {
            [
                "rename",
                "api",
                "keys",
                "keys/rename",
                "keys/restrict",
                "keys/regenerate",
                "keys/delete",
                "clients",
                "clients/redirect-uris",
                "clients/reset-secret",
                "clients/delete",
            ]
            .contains(&action)
        })
}

/// Rejects bodies larger than the configured limit before any handler runs.
async fn limit_body(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if is_upload_path(req.uri().path()) {
        // Files: the handlers read them under the upload limit (and say so when it is passed).
        let file_limit = state.uploads.limits().max_file_bytes;
        let limit = file_limit.saturating_add(cloudloading::upload::ENVELOPE_BYTES);
        let (parts, body) = req.into_parts();
        let limited = Body::new(http_body_util::Limited::new(
            body,
            usize::try_from(limit).unwrap_or(usize::MAX),
        ));
        return next.run(Request::from_parts(parts, limited)).await;
    }
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

/// Writes the `WWW-Authenticate: Bearer` challenge of a credential error with the issuer as
/// realm (errors are built without the state), and exposes it to browsers.
async fn bearer_challenge(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    if let Some(challenge) = response.extensions().get::<BearerChallenge>().copied() {
        let realm = state.auth.issuer();
        if let Ok(v) = HeaderValue::from_str(&challenge.header(realm)) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        response.headers_mut().insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("WWW-Authenticate"),
        );
    }
    response
}

/// A static page asset (stylesheet, script) with its content type, cached for an hour.
pub(crate) fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body,
    )
        .into_response()
}

async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", pages::html::STYLESHEET)
}

async fn reader_stylesheet() -> Response {
    asset("text/css; charset=utf-8", content::reader::STYLESHEET)
}

async fn reader_script() -> Response {
    asset("text/javascript; charset=utf-8", content::reader::SCRIPT)
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

#[cfg(test)]
mod tests {
    #[test]
    fn console_form_actions_allow_post_only() {
        assert!(super::console_post_only(
            "/console/projects/p-1/keys/restrict"
        ));
        assert!(super::console_post_only(
            "/console/admin/projects/p-1/quota"
        ));
        assert!(!super::console_post_only("/console/projects/p-1"));
        assert!(!super::console_post_only(
            "/console/projects/p-1/usage.json"
        ));
        assert!(!super::console_post_only("/console/projects/p-1/delete"));
    }

    #[test]
    fn secrets_are_redacted_from_logged_uris() {
        let uri: axum::http::Uri =
            "/books/v1/volumes?q=x&key=AIzaSECRET&access_token=tok&oauth%5Ftoken=t2&code=4%2F0abc"
                .parse()
                .unwrap();
        let shown = super::redacted_uri(&uri);
        assert_eq!(
            shown,
            "/books/v1/volumes?q=x&key=REDACTED&access_token=REDACTED&oauth%5Ftoken=REDACTED&code=REDACTED"
        );
    }
}
