//! `myconfig.*` bodies: `RequestAccessData`, `ConcurrentAccessRestriction`,
//! `DownloadAccessRestriction`, `DownloadAccesses` and `Usersettings`, with the discovery
//! document's field names.

use serde::{Deserialize, Serialize};

/// `books#concurrentAccessRestriction`: whether a device may hold one of a volume's copies.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConcurrentAccessRestriction {
    /// Always `books#concurrentAccessRestriction`.
    pub kind: String,
    /// The volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_id: Option<String>,
    /// Whether the volume has concurrent access restrictions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted: Option<bool>,
    /// Whether access is granted for this (user, device, volume).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_allowed: Option<bool>,
    /// Maximum number of concurrent licenses (copies) of the volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrent_devices: Option<i32>,
    /// Seconds until the license expires unless requested again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_window_seconds: Option<i32>,
    /// Error/warning reason code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// Error/warning message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The client's nonce, echoed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The client's `source`, echoed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Response signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// `books#downloadAccessRestriction`: whether a device may hold an offline download license.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DownloadAccessRestriction {
    /// Always `books#downloadAccessRestriction`.
    pub kind: String,
    /// The volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_id: Option<String>,
    /// Whether the volume has download access restrictions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted: Option<bool>,
    /// Whether access is granted for this (user, device, volume).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_allowed: Option<bool>,
    /// Whether access was acquired by this request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub just_acquired: Option<bool>,
    /// Licenses the user's devices hold, this one included when licensed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downloads_acquired: Option<i32>,
    /// Maximum number of the user's devices with a license.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_download_devices: Option<i32>,
    /// `0` OK, `100` ACCESS_DENIED_PUBLISHER_LIMIT, `101` ACCESS_DENIED_LIMIT, `200`
    /// WARNING_USED_LAST_ACCESS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// Error/warning message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The client's nonce, echoed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The client's `source`, echoed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Response signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// `books#requestAccessData`: the answer of `myconfig.requestAccess`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestAccessData {
    /// Always `books#requestAccessData`.
    pub kind: String,
    /// The concurrent access answer (when asked: `licenseTypes` BOTH or CONCURRENT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrent_access: Option<ConcurrentAccessRestriction>,
    /// The download access answer (when asked: `licenseTypes` BOTH or DOWNLOAD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_access: Option<DownloadAccessRestriction>,
}

/// `books#downloadAccesses`: the answer of `myconfig.releaseDownloadAccess`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DownloadAccesses {
    /// Always `books#downloadAccesses`.
    pub kind: String,
    /// One entry per volume.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub download_access_list: Vec<DownloadAccessRestriction>,
}

/// `notesExport` of `Usersettings`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotesExport {
    /// Folder the notes go to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder_name: Option<String>,
    /// Whether exporting is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_enabled: Option<bool>,
}

/// One notification's choice (`opted_state`, with the underscore, as the discovery names it).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OptedState {
    /// E.g. `OPTED_IN`, `OPTED_OUT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opted_state: Option<String>,
}

/// `notification` of `Usersettings`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// Books matching the user's interests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_my_interests: Option<OptedState>,
    /// More from authors the user reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more_from_authors: Option<OptedState>,
    /// More from series the user reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more_from_series: Option<OptedState>,
    /// Price drops.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_drop: Option<OptedState>,
    /// Rewards about to expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward_expirations: Option<OptedState>,
}

/// `books#usersettings`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Usersettings {
    /// Always `books#usersettings` in answers; ignored in requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Exporting notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes_export: Option<NotesExport>,
    /// Notifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification: Option<Notification>,
}
