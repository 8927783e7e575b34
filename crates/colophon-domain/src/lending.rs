//! Rules of lent books and of user settings (`myconfig.*`), without storage or HTTP.
//!
//! - A **device** is the request's `cpksver` ("the device/version ID"), within one user: two
//!   users' devices never share a license. `nonce` and `source` identify the request and the
//!   app; they are echoed back (and signed), as the schema describes, not stored.
//! - A **lease** (concurrent access) lasts [`LEASE_SECONDS`]; a device renews it by asking
//!   again, and a device that stops asking (crashed, offline) loses its copy when it expires.
//! - **Reason codes** are the ones `DownloadAccessRestriction.reasonCode` documents: `0` OK,
//!   `101` ACCESS_DENIED_LIMIT (every copy or every device license taken), `200`
//!   WARNING_USED_LAST_ACCESS (granted, and it was the last one).

use colophon_types::{NotesExport, Notification, OptedState, Usersettings};

use crate::options::{option_enum, InvalidOption};

/// How long a borrowed copy lasts unless the device asks again (`timeWindowSeconds`).
pub const LEASE_SECONDS: i32 = 3600;

/// Longest `cpksver`, `nonce`, `source` or `locale` accepted, in bytes.
pub const MAX_TAG_LEN: usize = 256;

/// Most volumes one `releaseDownloadAccess` or `syncVolumeLicenses` call may name.
pub const MAX_VOLUMES_PER_CALL: usize = 100;

/// Reason code: granted.
pub const REASON_OK: &str = "0";
/// Reason code: every copy (or every device license) is taken.
pub const REASON_LIMIT: &str = "101";
/// Reason code: granted, and it was the last one.
pub const REASON_LAST: &str = "200";

option_enum!(
    /// `myconfig.requestAccess`'s `licenseTypes` (absent or undefined: both).
    LicenseTypes, "licenseTypes", undefined = "LICENSE_TYPES_UNDEFINED", {
        /// Concurrent and download licenses.
        Both = "BOTH",
        /// A concurrent-access license (a copy).
        Concurrent = "CONCURRENT",
        /// An offline download license.
        Download = "DOWNLOAD",
    }
);

option_enum!(
    /// `myconfig.syncVolumeLicenses`'s `features`.
    SyncFeature, "features", undefined = "FEATURES_UNDEFINED", {
        /// The client supports rentals (Colophon rents nothing).
        Rentals = "RENTALS",
    }
);

impl LicenseTypes {
    /// Whether a concurrent-access license is asked.
    pub fn concurrent(self) -> bool {
        matches!(self, Self::Both | Self::Concurrent)
    }

    /// Whether a download license is asked.
    pub fn download(self) -> bool {
        matches!(self, Self::Both | Self::Download)
    }
}

/// The message of a refused copy.
pub fn copies_taken_message(copies: u32) -> String {
    match copies {
        0 => "This book has no copies to lend.".to_owned(),
        1 => "The only copy of this book is on loan. Try again later.".to_owned(),
        n => format!("All {n} copies of this book are on loan. Try again later."),
    }
}

/// The message of a refused download license.
pub fn downloads_taken_message(max: u32) -> String {
    format!(
        "This book is already downloaded on {max} of your devices, the most allowed. \
         Remove it from one of them first."
    )
}

/// Folder name of notes export when the user never set one.
pub const DEFAULT_NOTES_FOLDER: &str = "Play Books Notes";

/// Longest `notesExport.folderName`, in characters.
pub const MAX_FOLDER_NAME: usize = 255;

/// The settings of a user who never changed them.
pub fn default_settings() -> Usersettings {
    Usersettings {
        kind: Some("books#usersettings".into()),
        notes_export: Some(NotesExport {
            folder_name: Some(DEFAULT_NOTES_FOLDER.into()),
            is_enabled: Some(false),
        }),
        notification: None,
    }
}

/// What an `updateUserSettings` body may not contain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// `notesExport.folderName` is empty, too long or has control characters.
    #[error("notesExport.folderName must be 1 to {MAX_FOLDER_NAME} characters without control characters")]
    FolderName,
    /// An `opted_state` is not an upper-case word (`OPTED_IN`, `OPTED_OUT`).
    #[error("notification.{0}.opted_state must be a value such as OPTED_IN or OPTED_OUT")]
    OptedState(&'static str),
}

fn opted_ok(o: Option<&OptedState>) -> bool {
    o.and_then(|o| o.opted_state.as_deref()).is_none_or(|s| {
        !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
    })
}

/// Checks the sub-objects of an `updateUserSettings` body.
pub fn validate_settings(s: &Usersettings) -> Result<(), SettingsError> {
    if let Some(name) = s
        .notes_export
        .as_ref()
        .and_then(|n| n.folder_name.as_deref())
    {
        let len = name.chars().count();
        if len == 0 || len > MAX_FOLDER_NAME || name.chars().any(char::is_control) {
            return Err(SettingsError::FolderName);
        }
    }
    if let Some(n) = &s.notification {
        let fields: [(&'static str, Option<&OptedState>); 5] = [
            ("matchMyInterests", n.match_my_interests.as_ref()),
            ("moreFromAuthors", n.more_from_authors.as_ref()),
            ("moreFromSeries", n.more_from_series.as_ref()),
            ("priceDrop", n.price_drop.as_ref()),
            ("rewardExpirations", n.reward_expirations.as_ref()),
        ];
        if let Some((name, _)) = fields.iter().find(|(_, o)| !opted_ok(*o)) {
            return Err(SettingsError::OptedState(name));
        }
    }
    Ok(())
}

/// The settings shown: the stored sub-objects, defaults for those never set.
pub fn effective_settings(
    notes_export: Option<NotesExport>,
    notification: Option<Notification>,
) -> Usersettings {
    let defaults = default_settings();
    Usersettings {
        kind: defaults.kind,
        notes_export: notes_export.or(defaults.notes_export),
        notification: notification.or(defaults.notification),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn license_types_parse_and_default_to_both() {
        assert_eq!(LicenseTypes::parse("LICENSE_TYPES_UNDEFINED"), Ok(None));
        assert_eq!(
            LicenseTypes::parse("download"),
            Ok(Some(LicenseTypes::Download))
        );
        assert!(LicenseTypes::parse("RENTAL").is_err());
        assert!(LicenseTypes::Both.concurrent() && LicenseTypes::Both.download());
        assert!(!LicenseTypes::Concurrent.download());
        assert!(!LicenseTypes::Download.concurrent());
    }

    #[test]
    fn settings_are_checked() {
        let mut s = Usersettings::default();
        assert_eq!(validate_settings(&s), Ok(()));
        s.notes_export = Some(NotesExport {
            folder_name: Some(String::new()),
            is_enabled: None,
        });
        assert_eq!(validate_settings(&s), Err(SettingsError::FolderName));
        s.notes_export = Some(NotesExport {
            folder_name: Some("Notes".into()),
            is_enabled: Some(true),
        });
        s.notification = Some(Notification {
            price_drop: Some(OptedState {
                opted_state: Some("maybe".into()),
            }),
            ..Notification::default()
        });
        assert_eq!(
            validate_settings(&s),
            Err(SettingsError::OptedState("priceDrop"))
        );
    }

    #[test]
    fn defaults_fill_what_was_never_set() {
        let s = effective_settings(None, None);
        assert_eq!(s.kind.as_deref(), Some("books#usersettings"));
        assert_eq!(
            s.notes_export.unwrap().folder_name.as_deref(),
            Some(DEFAULT_NOTES_FOLDER)
        );
        let mine = NotesExport {
            folder_name: Some("Mine".into()),
            is_enabled: Some(true),
        };
        assert_eq!(
            effective_settings(Some(mine.clone()), None).notes_export,
            Some(mine)
        );
    }
}
