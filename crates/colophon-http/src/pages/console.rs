//! The developer console at `/console`: projects, the Books API switch, API keys and their
//! restrictions, OAuth clients, usage charts, and the administrators' view. Server-rendered
//! forms that work without JavaScript (a small script only adds copy-to-clipboard buttons);
//! every POST carries the CSRF token of purpose `console` and passes the same-origin check.
//! Every action calls [`Console`](colophon_service::Console), the service the CLI calls too.
//!
//! Administrators are the accounts whose emails are listed in the server configuration
//! (`console_administrators`).

use axum::body::Bytes;
use axum::extract::{MatchedPath, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use colophon_auth::clients::NewClient;
use colophon_auth::ClientKind;
use colophon_service::{Actor, ConsoleError};
use colophon_store::ProjectRecord;

use super::browser::{same_origin, Browser, PageFailure};
use super::console_charts::bar_chart;
use super::html::{self, escape, hidden, Page};
use crate::oauth::form;
use crate::AppState;

/// The copy-to-clipboard script (served from a file so the CSP stays `'self'`).
pub const CONSOLE_JS: &str = "document.querySelectorAll('button[data-copy]').forEach(function(b){\
b.hidden=false;b.addEventListener('click',function(){var t=document.getElementById(b.dataset.copy);\
if(t&&navigator.clipboard){navigator.clipboard.writeText(t.textContent.trim()).then(function(){b.textContent='Copied';});}});});";

fn actor(state: &AppState, browser: &Browser) -> Option<Actor> {
    let account = browser.account.as_ref()?;
    Some(Actor::User {
        id: account.id.clone(),
        admin: state.config.administrators.contains(&account.email),
    })
}

fn refused() -> Response {
    html::error_page(
        StatusCode::FORBIDDEN,
        "Request refused",
        "This form has expired or did not come from this site. Reload the page and try again.",
    )
}

fn failure(e: ConsoleError) -> Response {
    match e {
        ConsoleError::ProjectNotFound(_) => html::error_page(
            StatusCode::NOT_FOUND,
            "Project not found",
            "There is no such project, or it is not yours.",
        ),
        ConsoleError::AdminOnly => html::error_page(
            StatusCode::FORBIDDEN,
            "Administrators only",
            "Only administrators can do this.",
        ),
        e @ (ConsoleError::Store(_) | ConsoleError::Auth(_)) => {
            tracing::error!(error.detail = %e, "console: {e}");
            PageFailure.into_response_for()
        }
        other => html::error_page(StatusCode::BAD_REQUEST, "Not saved", &other.to_string()),
    }
}

fn message_html(message: Option<(&str, bool)>) -> String {
    message
        .map(|(m, ok)| {
            let class = if ok { "note" } else { "error" };
            format!("<p class=\"{class}\" role=\"status\">{}</p>", escape(m))
        })
        .unwrap_or_default()
}

fn console_page(title: &str, body: String, browser: &Browser) -> Response {
    let nav = "<nav><a href=\"/console\">Projects</a> · <a href=\"/account\">Account</a></nav>";
    let body = format!("{nav}{body}<script src=\"/console/console.js\" defer></script>");
    Page::new(title, body).render(browser)
}

/// `GET /console`: the signed-in user's projects and the form to create one.
pub async fn home(State(state): State<AppState>, browser: Browser) -> Response {
    let Some(actor) = actor(&state, &browser) else {
        return html::redirect("/signin?continue=%2Fconsole", &browser);
    };
    let projects = match state.console.projects(&actor).await {
        Ok(p) => p,
        Err(e) => return failure(e),
    };
    let rows: String = projects
        .iter()
        .map(|p| {
            format!(
                "<tr><td><a href=\"/console/projects/{id}\">{name}</a></td><td>{id}</td><td>{n}</td><td>{api}</td></tr>",
                id = escape(&p.id),
                name = escape(&p.name),
                n = p.number,
                api = if p.books_api_enabled { "Enabled" } else { "Disabled" },
            )
        })
        .collect();
    let table = if projects.is_empty() {
        "<p>You have no project yet.</p>".to_owned()
    } else {
        format!("<table><thead><tr><th>Project</th><th>ID</th><th>Number</th><th>Books API</th></tr></thead><tbody>{rows}</tbody></table>")
    };
    let admin = if matches!(actor, Actor::User { admin: true, .. }) {
        "<p><a href=\"/console/admin\">Administration: all projects, users and quotas</a></p>"
    } else {
        ""
    };
    let body = format!(
        "{admin}{table}<h2>Create a project</h2>\
         <form method=\"post\" action=\"/console/projects\">{csrf}\
         <label for=\"name\">Project name</label>\
         <input type=\"text\" id=\"name\" name=\"name\" required maxlength=\"100\">\
         <button type=\"submit\" id=\"create-project\">Create</button></form>",
        csrf = hidden("csrf", &browser.csrf("console")),
    );
    console_page("Developer console", body, &browser)
}

/// The checks of every console POST: the acting user and the form's pairs, or `None` (answer
/// [`refused`]).
fn post_guard(
    state: &AppState,
    browser: &Browser,
    headers: &HeaderMap,
    body: &Bytes,
) -> Option<(Actor, Vec<(String, String)>)> {
    let pairs = form::pairs(body);
    let actor = actor(state, browser)?;
    (form::is_form(headers)
        && same_origin(headers, state.auth.issuer())
        && browser.check_csrf("console", form::first(&pairs, "csrf")))
    .then_some((actor, pairs))
}

/// `POST /console/projects`: creates a project and opens it.
pub async fn create_project(
    State(state): State<AppState>,
    browser: Browser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((actor, pairs)) = post_guard(&state, &browser, &headers, &body) else {
        return refused();
    };
    let name = form::first(&pairs, "name").unwrap_or("");
    match state.console.create_project(&actor, None, name).await {
        Ok(p) => html::see_other(
            StatusCode::SEE_OTHER,
            &format!("/console/projects/{}", p.id),
            &browser,
        ),
        Err(e) => failure(e),
    }
}

/// `GET /console/projects/{id}`.
pub async fn project(
    State(state): State<AppState>,
    browser: Browser,
    Path(id): Path<String>,
) -> Response {
    let Some(actor) = actor(&state, &browser) else {
        return html::redirect("/signin?continue=%2Fconsole", &browser);
    };
    render_project(&state, &browser, &actor, &id, None, None).await
}

/// A secret to show once (a new key, a new client secret).
struct Reveal {
    what: String,
    value: String,
}

async fn render_project(
    state: &AppState,
    browser: &Browser,
    actor: &Actor,
    id: &str,
    message: Option<(&str, bool)>,
    reveal: Option<Reveal>,
) -> Response {
    let console = &state.console;
    let p = match console.project(actor, id).await {
        Ok(p) => p,
        Err(e) => return failure(e),
    };
    let (keys, clients, usage) = match (
        console.keys(actor, id).await,
        console.clients(actor, id).await,
        console.usage_report(actor, id, 7).await,
    ) {
        (Ok(k), Ok(c), Ok(u)) => (k, c, u),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return failure(e),
    };
    let csrf = hidden("csrf", &browser.csrf("console"));
    let action = |a: &str| format!("/console/projects/{}/{a}", escape(&p.id));
    let reveal_html = reveal
        .map(|r| {
            format!(
                "<section class=\"reveal\" aria-live=\"polite\"><h2>{what}</h2>\
                 <p>Copy it now: it is shown only once.</p>\
                 <pre><code id=\"secret-value\">{v}</code></pre>\
                 <button type=\"button\" data-copy=\"secret-value\" hidden>Copy</button></section>",
                what = escape(&r.what),
                v = escape(&r.value),
            )
        })
        .unwrap_or_default();
    let (day_limit, minute_limit) = console.effective_limits(&p);
    let show = |v: Option<i64>| v.map_or("unlimited".to_owned(), |v| v.to_string());
    let api = format!(
        "<h2>Books API</h2><p id=\"api-status\">The Books API is <strong>{status}</strong> in this project.</p>\
         <form method=\"post\" action=\"{a}\">{csrf}{enabled}<button type=\"submit\" id=\"toggle-api\">{label}</button></form>\
         <p class=\"note\">Quotas: {day} requests per day; {minute} requests per minute per user.</p>",
        status = if p.books_api_enabled { "enabled" } else { "disabled" },
        a = action("api"),
        enabled = hidden("enabled", if p.books_api_enabled { "false" } else { "true" }),
        label = if p.books_api_enabled { "Disable the Books API" } else { "Enable the Books API" },
        day = show(day_limit),
        minute = show(minute_limit),
    );
    let key_rows: String = keys
        .iter()
        .map(|k| {
            let kid = escape(&k.record.id);
            format!(
                "<tr id=\"key-{kid}\"><td><form method=\"post\" action=\"{rename}\">{csrf}{key}\
                 <label for=\"name-{kid}\">Name</label>\
                 <input type=\"text\" id=\"name-{kid}\" name=\"name\" value=\"{name}\" required maxlength=\"100\">\
                 <button type=\"submit\">Rename</button></form></td><td><code>{prefix}…</code></td><td>{created}</td>\
                 <td><form method=\"post\" action=\"{restrict}\">{csrf}{key}\
                 <label for=\"ref-{kid}\">HTTP referrers (one per line)</label>\
                 <textarea id=\"ref-{kid}\" name=\"referrers\" rows=\"2\" cols=\"30\">{refs}</textarea>\
                 <label for=\"ip-{kid}\">IP addresses or CIDR ranges (one per line)</label>\
                 <textarea id=\"ip-{kid}\" name=\"ips\" rows=\"2\" cols=\"30\">{ips}</textarea>\
                 <button type=\"submit\">Save restrictions</button></form>\
                 <form method=\"post\" action=\"{regen}\">{csrf}{key}<button type=\"submit\">Regenerate</button></form>\
                 <form method=\"post\" action=\"{del}\">{csrf}{key}<button type=\"submit\">Delete</button></form></td></tr>",
                name = escape(&k.record.name),
                prefix = escape(&k.record.key_prefix),
                created = k.record.created.format("%Y-%m-%d"),
                rename = action("keys/rename"),
                restrict = action("keys/restrict"),
                regen = action("keys/regenerate"),
                del = action("keys/delete"),
                key = hidden("key_id", &k.record.id),
                refs = escape(&k.settings.referrers.join("\n")),
                ips = escape(&k.settings.ip_ranges.join("\n")),
            )
        })
        .collect();
    let keys_html = format!(
        "<h2>API keys</h2>{table}\
         <form method=\"post\" action=\"{a}\">{csrf}<label for=\"key-name\">Key name</label>\
         <input type=\"text\" id=\"key-name\" name=\"name\" value=\"API key\" maxlength=\"100\">\
         <button type=\"submit\" id=\"create-key\">Create API key</button></form>",
        table = if keys.is_empty() {
            "<p>No API key.</p>".to_owned()
        } else {
            format!("<table><thead><tr><th>Name</th><th>Key</th><th>Created</th><th>Restrictions and actions</th></tr></thead><tbody>{key_rows}</tbody></table>")
        },
        a = action("keys"),
    );
    let client_rows: String = clients
        .iter()
        .map(|c| {
            format!(
                "<tr><td>{name}</td><td>{kind}</td><td><code>{id}</code></td>\
                 <td><form method=\"post\" action=\"{set_uris}\">{csrf}{cid}\
                 <label for=\"uris-{id}\">Redirect URIs (one per line)</label>\
                 <textarea id=\"uris-{id}\" name=\"redirect_uris\" rows=\"2\" cols=\"30\">{uris}</textarea>\
                 <button type=\"submit\">Save redirect URIs</button></form></td>\
                 <td><form method=\"post\" action=\"{reset}\">{csrf}{cid}<button type=\"submit\">Reset secret</button></form>\
                 <form method=\"post\" action=\"{del}\">{csrf}{cid}<button type=\"submit\">Delete</button></form></td></tr>",
                name = escape(&c.name),
                kind = c.kind.as_str(),
                id = escape(&c.id),
                uris = escape(&c.redirect_uris.join("\n")),
                set_uris = action("clients/redirect-uris"),
                reset = action("clients/reset-secret"),
                del = action("clients/delete"),
                cid = hidden("client_id", &c.id),
            )
        })
        .collect();
    let clients_html = format!(
        "<h2>OAuth clients</h2>{table}\
         <form method=\"post\" action=\"{a}\">{csrf}\
         <label for=\"client-name\">Client name</label>\
         <input type=\"text\" id=\"client-name\" name=\"name\" required maxlength=\"100\">\
         <label for=\"client-type\">Application type</label>\
         <select id=\"client-type\" name=\"type\"><option value=\"web\">Web application</option>\
         <option value=\"installed\">Desktop app</option><option value=\"tv\">TVs and limited-input devices</option></select>\
         <label for=\"redirect-uris\">Authorized redirect URIs (web; one per line)</label>\
         <textarea id=\"redirect-uris\" name=\"redirect_uris\" rows=\"2\" cols=\"40\"></textarea>\
         <button type=\"submit\" id=\"create-client\">Create OAuth client</button></form>",
        table = if clients.is_empty() {
            "<p>No OAuth client.</p>".to_owned()
        } else {
            format!("<table><thead><tr><th>Name</th><th>Type</th><th>Client ID</th><th>Redirect URIs</th><th>Actions</th></tr></thead><tbody>{client_rows}</tbody></table>")
        },
        a = action("clients"),
    );
    let days: Vec<(String, i64)> = usage
        .days
        .iter()
        .map(|d| (d.date.clone(), d.requests))
        .collect();
    let methods: Vec<(String, i64)> = usage
        .by_method
        .iter()
        .map(|(m, n)| (m.clone(), *n))
        .collect();
    let errors: Vec<(String, i64)> = usage
        .errors_by_code
        .iter()
        .map(|(c, n)| (format!("HTTP {c}"), *n))
        .collect();
    let by_key: Vec<(String, i64)> = usage
        .by_key
        .iter()
        .map(|k| {
            let name = if k.key_id.is_empty() {
                "OAuth tokens".to_owned()
            } else {
                k.key_id.clone()
            };
            (name, k.requests)
        })
        .collect();
    let pct = |v: Option<u64>| v.map_or("–".to_owned(), |v| format!("≤ {v} ms"));
    let usage_html = format!(
        "<h2>Usage (last 7 days)</h2><p id=\"usage-total\">{total} requests. Latency: median {p50}, 95th percentile {p95}, 99th percentile {p99}.</p>\
         {c1}{c2}{c3}{c4}<p><a href=\"{json}\">Usage as JSON</a></p>",
        total = usage.requests,
        p50 = pct(usage.latency_ms.p50),
        p95 = pct(usage.latency_ms.p95),
        p99 = pct(usage.latency_ms.p99),
        c1 = bar_chart("chart-days", "Requests by day", &days),
        c2 = bar_chart("chart-methods", "Requests by method", &methods),
        c3 = bar_chart("chart-keys", "Requests by credential", &by_key),
        c4 = bar_chart("chart-errors", "Errors by code", &errors),
        json = action("usage.json"),
    );
    let settings = format!(
        "<h2>Settings</h2><form method=\"post\" action=\"{rename}\">{csrf}\
         <label for=\"project-name\">Project name (shown on the consent page)</label>\
         <input type=\"text\" id=\"project-name\" name=\"name\" value=\"{name}\" required maxlength=\"100\">\
         <button type=\"submit\">Rename</button></form>\
         <p><a href=\"{delete}\">Delete this project…</a></p>",
        rename = action("rename"),
        name = escape(&p.name),
        delete = action("delete"),
    );
    let body = format!(
        "{msg}<p>Project ID <code>{id}</code> · number {n}</p>{reveal_html}{api}{keys_html}{clients_html}{usage_html}{settings}",
        msg = message_html(message),
        id = escape(&p.id),
        n = p.number,
    );
    console_page(&p.name, body, browser)
}

/// `GET /console/projects/{id}/delete`: the confirmation page.
pub async fn confirm_delete(
    State(state): State<AppState>,
    browser: Browser,
    Path(id): Path<String>,
) -> Response {
    let Some(actor) = actor(&state, &browser) else {
        return html::redirect("/signin?continue=%2Fconsole", &browser);
    };
    let p = match state.console.project(&actor, &id).await {
        Ok(p) => p,
        Err(e) => return failure(e),
    };
    let body = format!(
        "<p class=\"error\">Deleting <strong>{name}</strong> revokes its API keys, deletes its OAuth \
         clients and their tokens, and drops its usage. This cannot be undone.</p>\
         <form method=\"post\" action=\"/console/projects/{id}/delete\">{csrf}\
         <label for=\"confirm\">Type the project ID (<code>{id}</code>) to confirm</label>\
         <input type=\"text\" id=\"confirm\" name=\"confirm\" required autocomplete=\"off\">\
         <button type=\"submit\" id=\"confirm-delete\">Delete project</button></form>\
         <p><a href=\"/console/projects/{id}\">Cancel</a></p>",
        name = escape(&p.name),
        id = escape(&p.id),
        csrf = hidden("csrf", &browser.csrf("console")),
    );
    console_page("Delete project", body, &browser)
}

fn lines(pairs: &[(String, String)], name: &str) -> Vec<String> {
    form::first(pairs, name)
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What a form action answers: a message and maybe a secret to show once.
type Outcome = Result<Option<(&'static str, Option<Reveal>)>, ConsoleError>;

fn done(r: Result<(), ConsoleError>, msg: &'static str) -> Outcome {
    r.map(|()| Some((msg, None)))
}

/// `POST /console/projects/{id}/…`: the form actions of the project page (`rename`, `api`,
/// `keys`, `keys/rename`, `keys/restrict`, `keys/regenerate`, `keys/delete`, `clients`,
/// `clients/redirect-uris`, `clients/reset-secret`, `clients/delete`, `delete`), named by the
/// matched route.
pub async fn project_action(
    State(state): State<AppState>,
    browser: Browser,
    Path(id): Path<String>,
    matched: MatchedPath,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let act = matched
        .as_str()
        .strip_prefix("/console/projects/{id}/")
        .unwrap_or("")
        .to_owned();
    let Some((actor, pairs)) = post_guard(&state, &browser, &headers, &body) else {
        return refused();
    };
    let console = &state.console;
    let field = |n: &str| form::first(&pairs, n).unwrap_or("").to_owned();
    let outcome: Outcome = match act.as_str() {
        "rename" => done(
            console
                .rename_project(&actor, &id, &field("name"))
                .await
                .map(drop),
            "Project renamed.",
        ),
        "api" => {
            let on = field("enabled") == "true";
            done(
                console.set_books_api(&actor, &id, on).await.map(drop),
                if on {
                    "Books API enabled."
                } else {
                    "Books API disabled."
                },
            )
        }
        "keys" => {
            let name = field("name");
            let name = if name.trim().is_empty() {
                "API key".to_owned()
            } else {
                name
            };
            console.create_key(&actor, &id, &name).await.map(|k| {
                Some((
                    "API key created.",
                    Some(Reveal {
                        what: format!("Your new API key ({})", k.record.id),
                        value: k.key,
                    }),
                ))
            })
        }
        "keys/restrict" => done(
            console
                .set_key_restrictions(
                    &actor,
                    &id,
                    &field("key_id"),
                    &lines(&pairs, "referrers"),
                    &lines(&pairs, "ips"),
                )
                .await
                .map(drop),
            "Restrictions saved.",
        ),
        "keys/rename" => done(
            console
                .rename_key(&actor, &id, &field("key_id"), &field("name"))
                .await,
            "API key renamed.",
        ),
        "keys/regenerate" => console
            .regenerate_key(&actor, &id, &field("key_id"))
            .await
            .map(|k| {
                Some((
                    "API key regenerated; the old key no longer works.",
                    Some(Reveal {
                        what: format!("Your new API key ({})", k.record.id),
                        value: k.key,
                    }),
                ))
            }),
        "keys/delete" => done(
            console.delete_key(&actor, &id, &field("key_id")).await,
            "API key deleted.",
        ),
        "clients" => {
            let kind = ClientKind::parse(&field("type")).unwrap_or(ClientKind::Web);
            let uris = if kind == ClientKind::Tv {
                Vec::new()
            } else {
                lines(&pairs, "redirect_uris")
            };
            console
                .create_client(
                    &actor,
                    &id,
                    NewClient {
                        name: field("name"),
                        kind,
                        redirect_uris: uris,
                        public: false,
                    },
                )
                .await
                .map(|c| {
                    Some((
                        "OAuth client created.",
                        Some(Reveal {
                            what: format!("Client secret of {}", c.client.id),
                            value: c.secret.unwrap_or_default(),
                        }),
                    ))
                })
        }
        "clients/redirect-uris" => done(
            console
                .set_client_redirect_uris(
                    &actor,
                    &id,
                    &field("client_id"),
                    &lines(&pairs, "redirect_uris"),
                )
                .await,
            "Redirect URIs saved.",
        ),
        "clients/reset-secret" => {
            let client_id = field("client_id");
            console
                .reset_client_secret(&actor, &id, &client_id)
                .await
                .map(|secret| {
                    Some((
                        "Client secret reset; the old secret no longer works.",
                        Some(Reveal {
                            what: format!("New client secret of {client_id}"),
                            value: secret,
                        }),
                    ))
                })
        }
        "clients/delete" => done(
            console
                .delete_client(&actor, &id, &field("client_id"))
                .await,
            "OAuth client deleted.",
        ),
        "delete" => {
            if field("confirm").trim() != id {
                return html::error_page(
                    StatusCode::BAD_REQUEST,
                    "Not deleted",
                    "The project ID you typed does not match. Nothing was deleted.",
                );
            }
            return match console.delete_project(&actor, &id).await {
                Ok(()) => html::see_other(StatusCode::SEE_OTHER, "/console", &browser),
                Err(e) => failure(e),
            };
        }
        _ => {
            return html::error_page(StatusCode::NOT_FOUND, "Not found", "No such action.");
        }
    };
    match outcome {
        Ok(Some((msg, reveal))) => {
            render_project(&state, &browser, &actor, &id, Some((msg, true)), reveal).await
        }
        Ok(None) => render_project(&state, &browser, &actor, &id, None, None).await,
        Err(
            e @ (ConsoleError::Store(_) | ConsoleError::Auth(_) | ConsoleError::ProjectNotFound(_)),
        ) => failure(e),
        Err(e) => {
            let text = e.to_string();
            render_project(&state, &browser, &actor, &id, Some((&text, false)), None).await
        }
    }
}

/// `GET /console/projects/{id}/usage.json?days=N`: the usage report as JSON.
pub async fn usage_json(
    State(state): State<AppState>,
    browser: Browser,
    Path(id): Path<String>,
    uri: axum::http::Uri,
) -> Response {
    let Some(actor) = actor(&state, &browser) else {
        return (StatusCode::UNAUTHORIZED, "sign in first").into_response();
    };
    let days = form::pairs(uri.query().unwrap_or("").as_bytes())
        .iter()
        .find(|(k, _)| k == "days")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(7);
    match state.console.usage_report(&actor, &id, days).await {
        Ok(report) => {
            let mut response = axum::Json(report).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => failure(e),
    }
}

/// `GET /console/admin`: every project with its quotas, and every user.
pub async fn admin(State(state): State<AppState>, browser: Browser) -> Response {
    let Some(actor) = actor(&state, &browser) else {
        return html::redirect("/signin?continue=%2Fconsole%2Fadmin", &browser);
    };
    let projects = match state.console.all_projects(&actor).await {
        Ok(p) => p,
        Err(e) => return failure(e),
    };
    let users = match state.auth.list_accounts().await {
        Ok(u) => u,
        Err(e) => {
            tracing::error!(error.detail = %e, "console admin: {e}");
            return PageFailure.into_response_for();
        }
    };
    let csrf = hidden("csrf", &browser.csrf("console"));
    let owner_email = |p: &ProjectRecord| {
        p.owner_id
            .as_ref()
            .and_then(|o| users.iter().find(|u| &u.id == o))
            .map_or("–".to_owned(), |u| u.email.clone())
    };
    let rows: String = projects
        .iter()
        .map(|p| {
            let (day, minute) = state.console.effective_limits(p);
            let val = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
            format!(
                "<tr><td><a href=\"/console/projects/{id}\">{name}</a></td><td>{owner}</td><td>{api}</td>\
                 <td><form method=\"post\" action=\"/console/admin/projects/{id}/quota\">{csrf}\
                 <label for=\"day-{id}\">Per day (now {dnow})</label><input type=\"text\" id=\"day-{id}\" name=\"per_day\" value=\"{d}\" inputmode=\"numeric\">\
                 <label for=\"min-{id}\">Per minute per user (now {mnow})</label><input type=\"text\" id=\"min-{id}\" name=\"per_minute_per_user\" value=\"{m}\" inputmode=\"numeric\">\
                 <button type=\"submit\">Save quotas</button></form></td></tr>",
                id = escape(&p.id),
                name = escape(&p.name),
                owner = escape(&owner_email(p)),
                api = if p.books_api_enabled { "Enabled" } else { "Disabled" },
                d = val(p.daily_limit),
                m = val(p.user_minute_limit),
                dnow = day.map_or("unlimited".into(), |v| v.to_string()),
                mnow = minute.map_or("unlimited".into(), |v| v.to_string()),
            )
        })
        .collect();
    let user_rows: String = users
        .iter()
        .map(|u| {
            format!(
                "<tr><td>{email}</td><td>{id}</td><td>{admin}</td><td>{created}</td></tr>",
                email = escape(&u.email),
                id = escape(&u.id),
                admin = if state.config.administrators.contains(&u.email) {
                    "Administrator"
                } else {
                    ""
                },
                created = u.created.format("%Y-%m-%d"),
            )
        })
        .collect();
    let body = format!(
        "<h2>Projects</h2><p class=\"note\">An empty quota field means the server default.</p>\
         <table><thead><tr><th>Project</th><th>Owner</th><th>Books API</th><th>Quotas</th></tr></thead><tbody>{rows}</tbody></table>\
         <h2>Users</h2><table><thead><tr><th>Email</th><th>ID</th><th>Role</th><th>Created</th></tr></thead><tbody>{user_rows}</tbody></table>"
    );
    console_page("Administration", body, &browser)
}

/// `POST /console/admin/projects/{id}/quota`: an administrator sets quota overrides.
pub async fn admin_quota(
    State(state): State<AppState>,
    browser: Browser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((actor, pairs)) = post_guard(&state, &browser, &headers, &body) else {
        return refused();
    };
    let parse = |name: &str| -> Result<Option<i64>, ()> {
        match form::first(&pairs, name).map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| ()),
        }
    };
    let (Ok(day), Ok(minute)) = (parse("per_day"), parse("per_minute_per_user")) else {
        return html::error_page(
            StatusCode::BAD_REQUEST,
            "Not saved",
            "A quota is a whole number, or empty for the server default.",
        );
    };
    match state.console.set_quota(&actor, &id, day, minute).await {
        Ok(_) => html::see_other(StatusCode::SEE_OTHER, "/console/admin", &browser),
        Err(e) => failure(e),
    }
}

/// `GET /console/console.js`.
pub async fn script() -> Response {
    crate::router::asset("text/javascript; charset=utf-8", CONSOLE_JS)
}
