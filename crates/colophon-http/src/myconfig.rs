//! `myconfig.*`: lent books' licenses and the signed-in user's settings. Every method needs a
//! user token (401 without one, like `mylibrary.*`); the device is the `cpksver` parameter
//! (see `colophon_domain::lending`).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::response::Response;
use colophon_domain::lending::{LicenseTypes, SyncFeature, MAX_TAG_LEN, MAX_VOLUMES_PER_CALL};
use colophon_domain::Projection;
use colophon_service::Requester;
use colophon_types::{DownloadAccesses, Usersettings, Volumes};

use crate::params::QueryParams;
use crate::request::UserRequest;
use crate::response::respond;
use crate::user_volumes::{render_items, PageStyle};
use crate::{json_body, ApiError, AppState};

/// A short text parameter (`cpksver`, `nonce`, `source`, `locale`), bounded in length.
fn tag<'a>(
    p: &'a QueryParams,
    name: &'static str,
    required: bool,
) -> Result<Option<&'a str>, ApiError> {
    match p.non_empty(name) {
        None if required => Err(ApiError::Required(name)),
        Some(v) if v.len() > MAX_TAG_LEN => Err(ApiError::invalid(
            name,
            format!("{name} is too long (more than {MAX_TAG_LEN} bytes)."),
        )),
        other => Ok(other),
    }
}

/// The volume ids of a repeated parameter, each once, at most [`MAX_VOLUMES_PER_CALL`].
fn volume_ids(p: &QueryParams, required: bool) -> Result<Vec<String>, ApiError> {
    let mut ids: Vec<String> = Vec::new();
    for v in p.values("volumeIds") {
        if !ids.iter().any(|i| i == v) {
            ids.push(v.to_owned());
        }
    }
    if ids.is_empty() && required {
        return Err(ApiError::Required("volumeIds"));
    }
    if ids.len() > MAX_VOLUMES_PER_CALL {
        return Err(ApiError::invalid(
            "volumeIds",
            format!("At most {MAX_VOLUMES_PER_CALL} volumeIds may be given at once."),
        ));
    }
    Ok(ids)
}

/// `books.myconfig.requestAccess`: `POST /books/v1/myconfig/requestAccess?cpksver=&nonce=
/// &source=&volumeId=[&licenseTypes=]` — borrows one of the volume's copies for the device
/// (renewing the lease it holds) and/or takes an offline download license, as `licenseTypes`
/// asks (default `BOTH`). A refusal is a 200 with `deviceAllowed: false` and reason code
/// `101`, as the real service answers, not an HTTP error.
pub async fn request_access(
    State(state): State<AppState>,
    req: UserRequest,
) -> Result<Response, ApiError> {
    let p = &req.request.params;
    let device = tag(p, "cpksver", true)?.unwrap_or_default();
    let nonce = tag(p, "nonce", true)?;
    let source = tag(p, "source", true)?;
    let volume = p
        .non_empty("volumeId")
        .ok_or(ApiError::Required("volumeId"))?;
    let types = p
        .option("licenseTypes", LicenseTypes::parse)?
        .unwrap_or(LicenseTypes::Both);
    tag(p, "locale", false)?;
    let who = Requester {
        user_id: &req.user.user_id,
        device,
        nonce,
        source,
    };
    let answer = state.licensing.request_access(who, volume, types).await?;
    respond(&req.request.output, &answer)
}

/// `books.myconfig.releaseDownloadAccess`: `POST /books/v1/myconfig/releaseDownloadAccess?
/// cpksver=&volumeIds=…` — the device returns its copy and its download license of each
/// volume; `downloadAccessList` says what the user's devices still hold.
pub async fn release_download_access(
    State(state): State<AppState>,
    req: UserRequest,
) -> Result<Response, ApiError> {
    let p = &req.request.params;
    let device = tag(p, "cpksver", true)?.unwrap_or_default();
    let volumes = volume_ids(p, true)?;
    let source = tag(p, "source", false)?;
    tag(p, "locale", false)?;
    let who = Requester {
        user_id: &req.user.user_id,
        device,
        nonce: None,
        source,
    };
    let list = state.licensing.release(who, &volumes).await?;
    respond(
        &req.request.output,
        &DownloadAccesses {
            kind: "books#downloadAccesses".into(),
            download_access_list: list,
        },
    )
}

/// `books.myconfig.syncVolumeLicenses`: `POST /books/v1/myconfig/syncVolumeLicenses?cpksver=
/// &nonce=&source=[&volumeIds=…]` — takes a download license of each volume named where the
/// limit allows, then answers the user's licensed volumes (`books#volumes`, each with
/// `accessInfo.downloadAccess` for this device). `features`, `includeNonComicsSeries` and
/// `showPreorders` are checked and otherwise have nothing to change (no rentals, series or
/// preorders here).
pub async fn sync_volume_licenses(
    State(state): State<AppState>,
    req: UserRequest,
) -> Result<Response, ApiError> {
    let p = &req.request.params;
    let device = tag(p, "cpksver", true)?.unwrap_or_default();
    let nonce = tag(p, "nonce", true)?;
    let source = tag(p, "source", true)?;
    let volumes = volume_ids(p, false)?;
    for f in p.values("features") {
        SyncFeature::parse(f).map_err(|e| {
            ApiError::invalid(
                "features",
                format!(
                    "Invalid value '{}' for features. Allowed values: {}.",
                    e.value,
                    e.allowed.join(", ")
                ),
            )
        })?;
    }
    p.bool_or("includeNonComicsSeries", false)?;
    p.bool_or("showPreorders", false)?;
    tag(p, "locale", false)?;
    let who = Requester {
        user_id: &req.user.user_id,
        device,
        nonce,
        source,
    };
    let licensed = state.licensing.sync(who, &volumes).await?;
    let (records, answers): (Vec<_>, Vec<_>) = licensed.into_iter().unzip();
    let style = PageStyle {
        projection: Projection::Full,
        country: &state.config.default_country,
        search: None,
    };
    let found = records.into_iter().map(|r| (r, None)).collect();
    let mut items = render_items(&state, &req.request.caller, found, &style).await?;
    for (volume, answer) in items.iter_mut().zip(answers) {
        if let Some(access) = volume.access_info.as_mut() {
            access.explicit_offline_license_management = answer.restricted;
            access.download_access = serde_json::to_value(answer).ok();
        }
    }
    respond(
        &req.request.output,
        &Volumes {
            kind: "books#volumes".into(),
            total_items: items.len() as u64,
            items,
        },
    )
}

/// `books.myconfig.getUserSettings`: `GET /books/v1/myconfig/getUserSettings` — the user's
/// settings, defaults for the sub-objects never set.
pub async fn get_user_settings(
    State(state): State<AppState>,
    req: UserRequest,
) -> Result<Response, ApiError> {
    req.request.params.country(&state.config.default_country)?;
    let settings = state.licensing.settings(&req.user.user_id).await?;
    respond(&req.request.output, &settings)
}

/// `books.myconfig.updateUserSettings`: `POST /books/v1/myconfig/updateUserSettings` with a
/// `Usersettings` body — each sub-object given (`notesExport`, `notification`) replaces the
/// stored one, the others are kept; answers the settings after the change.
pub async fn update_user_settings(
    State(state): State<AppState>,
    req: UserRequest,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let change: Usersettings = json_body::decode(body)?;
    let settings = state
        .licensing
        .update_settings(&req.user.user_id, &change)
        .await?;
    respond(&req.request.output, &settings)
}
