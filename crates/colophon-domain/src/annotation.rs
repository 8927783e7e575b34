//! A user's annotations (notes, highlights, bookmarks): the layers they live in, their limits,
//! the validation of what a client sends, and the opaque page tokens of listings.
//!
//! Rules chosen where the reference is silent (documented in README "Annotations"):
//! - **User layers** are `notes` (highlights and notes) and `bookmarks`. Each has a character
//!   budget per user and volume, counted over `selectedText` + `data` of the annotations that
//!   are not deleted: 200,000 characters for `notes`, 10,000 for `bookmarks`. The summary's
//!   `limitType` is `CHARACTERS`.
//! - An annotation needs at least one range (in `clientVersionRanges` or
//!   `currentVersionRanges`); each range has a start and an end position, offsets are
//!   non-negative integers, and within one position the start offset is not after the end.
//!   CFI positions (`cfiRange`, `imageCfiRange`) are EPUB CFI paths (`/6/4!/2/1:0`), with or
//!   without the `epubcfi(…)` wrapper.
//! - Times are kept to the millisecond (the precision Google renders), and every change moves
//!   `updated` forward by at least one millisecond, so `updated` identifies a version.

use base64::Engine as _;
use chrono::{DateTime, SubsecRound, Utc};
use colophon_types::{Annotation, AnnotationRange, AnnotationRanges};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What the character budget of a layer counts (`layerSummary.limitType`).
pub const LIMIT_TYPE: &str = "CHARACTERS";

/// A layer users write their own annotations in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserLayer {
    /// The layer id.
    pub id: &'static str,
    /// Characters (`selectedText` + `data`) allowed per user and volume.
    pub allowed_characters: u64,
}

/// The user layers, in listing order.
pub const USER_LAYERS: &[UserLayer] = &[
    UserLayer {
        id: "notes",
        allowed_characters: 200_000,
    },
    UserLayer {
        id: "bookmarks",
        allowed_characters: 10_000,
    },
];

impl UserLayer {
    /// The user layer called `id` (case-sensitive).
    pub fn find(id: &str) -> Option<Self> {
        USER_LAYERS.iter().copied().find(|l| l.id == id)
    }
}

/// Longest client-chosen annotation id.
const MAX_ID_LEN: usize = 128;
/// Longest position or offset string.
const MAX_POSITION_LEN: usize = 1024;
/// Longest `highlightStyle`.
const MAX_STYLE_LEN: usize = 64;
/// Most `pageIds`.
const MAX_PAGE_IDS: usize = 1000;

/// Why a request about annotations is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnnotationError {
    /// A required field or parameter is missing.
    #[error("Required field: {0}")]
    Required(&'static str),
    /// A field or parameter has an invalid value.
    #[error("{message}")]
    Invalid {
        /// The field, as a path (`clientVersionRanges.cfiRange.startOffset`) or parameter name.
        field: String,
        /// What is wrong.
        message: String,
    },
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> AnnotationError {
    AnnotationError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// What a user wrote, stored as JSON: everything of an `Annotation` the client controls,
/// except where it belongs (volume and layer, kept beside it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AnnotationBody {
    /// Text after the selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_selected_text: Option<String>,
    /// Text before the selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_selected_text: Option<String>,
    /// Ranges in the client's content version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_version_ranges: Option<AnnotationRanges>,
    /// Ranges in the current content version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_version_ranges: Option<AnnotationRanges>,
    /// The note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// Highlight style.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highlight_style: Option<String>,
    /// Pages spanned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_ids: Option<Vec<String>>,
    /// The selected text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_text: Option<String>,
}

impl AnnotationBody {
    /// Characters this annotation spends of its layer's budget.
    pub fn characters(&self) -> u64 {
        let count = |s: &Option<String>| s.as_deref().map_or(0, |s| s.chars().count() as u64);
        count(&self.selected_text) + count(&self.data)
    }
}

/// One stored annotation of one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotationRecord {
    /// Owner.
    pub user_id: String,
    /// Id, unique per user.
    pub id: String,
    /// The volume.
    pub volume_id: String,
    /// The layer (a [`UserLayer`] id).
    pub layer_id: String,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last change (deletion included).
    pub updated: DateTime<Utc>,
    /// A tombstone: kept so that syncing clients learn of the deletion.
    pub deleted: bool,
    /// The content.
    pub body: AnnotationBody,
}

impl AnnotationRecord {
    /// Characters spent of the layer's budget (none once deleted).
    pub fn characters(&self) -> u64 {
        if self.deleted {
            0
        } else {
            self.body.characters()
        }
    }
}

/// What an insert or update request asks for, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotationInput {
    /// `volumeId`, if given.
    pub volume_id: Option<String>,
    /// `layerId`, if given (a user layer).
    pub layer_id: Option<UserLayer>,
    /// The content.
    pub body: AnnotationBody,
    /// `updated` as sent back by the client: the version it edited.
    pub updated: Option<DateTime<Utc>>,
}

impl AnnotationInput {
    /// Validates an `Annotation` request body.
    pub fn parse(a: &Annotation) -> Result<Self, AnnotationError> {
        let layer_id = match a.layer_id.as_deref() {
            None | Some("") => None,
            Some(l) => Some(UserLayer::find(l).ok_or_else(|| {
                invalid(
                    "layerId",
                    format!(
                        "Invalid value '{}' for layerId. Allowed values: {}.",
                        truncate(l),
                        USER_LAYERS
                            .iter()
                            .map(|l| l.id)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?),
        };
        let volume_id = a.volume_id.clone().filter(|v| !v.is_empty());
        for (field, ranges) in [
            ("clientVersionRanges", &a.client_version_ranges),
            ("currentVersionRanges", &a.current_version_ranges),
        ] {
            if let Some(r) = ranges {
                validate_ranges(field, r)?;
            }
        }
        let has_range = |r: &Option<AnnotationRanges>| {
            r.as_ref().is_some_and(|r| {
                r.cfi_range.is_some()
                    || r.gb_image_range.is_some()
                    || r.gb_text_range.is_some()
                    || r.image_cfi_range.is_some()
            })
        };
        if !has_range(&a.client_version_ranges) && !has_range(&a.current_version_ranges) {
            return Err(AnnotationError::Required("clientVersionRanges"));
        }
        if let Some(style) = &a.highlight_style {
            if style.is_empty()
                || style.len() > MAX_STYLE_LEN
                || !style
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Err(invalid(
                    "highlightStyle",
                    format!(
                        "Invalid value '{}' for highlightStyle: letters, digits, '_' and '-', at most {MAX_STYLE_LEN}.",
                        truncate(style)
                    ),
                ));
            }
        }
        if let Some(pages) = &a.page_ids {
            if pages.len() > MAX_PAGE_IDS
                || pages
                    .iter()
                    .any(|p| p.is_empty() || p.len() > MAX_POSITION_LEN)
            {
                return Err(invalid(
                    "pageIds",
                    format!("pageIds: at most {MAX_PAGE_IDS} non-empty ids."),
                ));
            }
        }
        let updated = match a.updated.as_deref() {
            None | Some("") => None,
            Some(t) => Some(parse_time(t).ok_or_else(|| {
                invalid(
                    "updated",
                    format!(
                        "Invalid value '{}' for updated: not an RFC 3339 time.",
                        truncate(t)
                    ),
                )
            })?),
        };
        Ok(Self {
            volume_id,
            layer_id,
            body: AnnotationBody {
                after_selected_text: a.after_selected_text.clone(),
                before_selected_text: a.before_selected_text.clone(),
                client_version_ranges: a.client_version_ranges.clone(),
                current_version_ranges: a.current_version_ranges.clone(),
                data: a.data.clone(),
                highlight_style: a.highlight_style.clone(),
                page_ids: a.page_ids.clone(),
                selected_text: a.selected_text.clone(),
            },
            updated,
        })
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(100).collect()
}

/// Checks every range of `ranges` (the field named `field`).
pub fn validate_ranges(field: &str, ranges: &AnnotationRanges) -> Result<(), AnnotationError> {
    if let Some(v) = &ranges.content_version {
        if v.len() > MAX_POSITION_LEN {
            return Err(invalid(
                format!("{field}.contentVersion"),
                "contentVersion is too long.",
            ));
        }
    }
    for (kind, range, cfi) in [
        ("cfiRange", &ranges.cfi_range, true),
        ("gbImageRange", &ranges.gb_image_range, false),
        ("gbTextRange", &ranges.gb_text_range, false),
        ("imageCfiRange", &ranges.image_cfi_range, true),
    ] {
        if let Some(r) = range {
            validate_range(&format!("{field}.{kind}"), r, cfi)?;
        }
    }
    Ok(())
}

fn validate_range(path: &str, r: &AnnotationRange, cfi: bool) -> Result<(), AnnotationError> {
    let position = |name: &str, v: &Option<String>| -> Result<String, AnnotationError> {
        let field = format!("{path}.{name}");
        let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) else {
            return Err(invalid(&field, format!("{field} is required.")));
        };
        if v.len() > MAX_POSITION_LEN {
            return Err(invalid(&field, format!("{field} is too long.")));
        }
        if cfi && !is_cfi(v) {
            return Err(invalid(
                &field,
                format!(
                    "Invalid value '{}' for {field}: not an EPUB CFI.",
                    truncate(v)
                ),
            ));
        }
        Ok(v.to_owned())
    };
    let offset = |name: &str, v: &Option<String>| -> Result<Option<u64>, AnnotationError> {
        let field = format!("{path}.{name}");
        match v.as_deref() {
            None | Some("") => Ok(None),
            Some(v) => v.trim().parse::<u64>().map(Some).map_err(|_| {
                invalid(
                    &field,
                    format!(
                        "Invalid value '{}' for {field}: not a non-negative integer.",
                        truncate(v)
                    ),
                )
            }),
        }
    };
    let start = position("startPosition", &r.start_position)?;
    let end = position("endPosition", &r.end_position)?;
    let start_offset = offset("startOffset", &r.start_offset)?;
    let end_offset = offset("endOffset", &r.end_offset)?;
    if start == end {
        if let (Some(s), Some(e)) = (start_offset, end_offset) {
            if s > e {
                return Err(invalid(
                    format!("{path}.startOffset"),
                    format!("{path}: the start offset {s} is after the end offset {e}."),
                ));
            }
        }
    }
    Ok(())
}

/// An EPUB CFI path: `/` steps of digits with optional `[assertions]`, `!` indirections and a
/// `:offset` / `~temporal` / `@spatial` tail, optionally wrapped in `epubcfi(…)`.
fn is_cfi(v: &str) -> bool {
    let inner = v
        .strip_prefix("epubcfi(")
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(v);
    let mut chars = inner.chars().peekable();
    if chars.peek() != Some(&'/') {
        return false;
    }
    let mut depth = 0u32;
    let mut saw_digit = false;
    for c in chars {
        match c {
            '[' => depth += 1,
            ']' if depth > 0 => depth -= 1,
            ']' => return false,
            _ if depth > 0 => {}
            '0'..='9' => saw_digit = true,
            '/' | '!' | ':' | '~' | '@' | '.' | ',' => {}
            _ => return false,
        }
    }
    depth == 0 && saw_digit
}

/// Parses a client-chosen annotation id (`annotationId` of insert): 1–128 characters of
/// `[A-Za-z0-9_-]`.
pub fn parse_annotation_id(id: &str) -> Result<String, AnnotationError> {
    if id.is_empty()
        || id.len() > MAX_ID_LEN
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(invalid(
            "annotationId",
            format!(
                "Invalid value '{}' for annotationId: 1 to {MAX_ID_LEN} letters, digits, '-' or '_'.",
                truncate(id)
            ),
        ));
    }
    Ok(id.to_owned())
}

/// A new annotation id from 16 random bytes: a version-4 GUID
/// (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`).
pub fn guid(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let h: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Rounds down to the millisecond, the precision of every annotation time.
pub fn to_millis(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(3)
}

/// The `updated` of a change made at `now` to a version last changed at `previous`: `now`,
/// or one millisecond after `previous` when the clock has not moved past it.
pub fn next_version_time(now: DateTime<Utc>, previous: DateTime<Utc>) -> DateTime<Utc> {
    let now = to_millis(now);
    if now > previous {
        now
    } else {
        previous + chrono::Duration::milliseconds(1)
    }
}

/// RFC 3339 in UTC with milliseconds, as Google writes times (`2010-08-17T12:49:42.803Z`).
pub fn format_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Parses an RFC 3339 time (any offset); `None` when malformed.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Where the next page of a listing starts: after the annotation with this `updated` and id,
/// for the listing whose filters hash to `filter`.
///
/// Encoded as unpadded base64url of `v1 <micros> <filter> <id>`: opaque to clients, and checked
/// on the way back (version, numbers, id alphabet, same filters), so that a malformed or
/// foreign token is a 400, never a panic. A forged token can only move within the caller's own
/// annotations: every query is bound to the token's user by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageToken {
    /// `updated` of the last annotation of the previous page.
    pub updated: DateTime<Utc>,
    /// Its id.
    pub id: String,
    /// Fingerprint of the listing's filters.
    pub filter: u64,
}

impl PageToken {
    /// The token's text.
    pub fn encode(&self) -> String {
        let raw = format!(
            "v1 {} {} {}",
            self.updated.timestamp_micros(),
            self.filter,
            self.id
        );
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
    }

    /// Decodes a token made by [`encode`](Self::encode) for the listing `filter`.
    pub fn decode(token: &str, filter: u64) -> Result<Self, AnnotationError> {
        let bad = || invalid("pageToken", "Invalid value for pageToken.");
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.trim())
            .map_err(|_| bad())?;
        let raw = String::from_utf8(raw).map_err(|_| bad())?;
        let mut parts = raw.splitn(4, ' ');
        if parts.next() != Some("v1") {
            return Err(bad());
        }
        let micros: i64 = parts.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
        let token_filter: u64 = parts.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
        let id = parts.next().ok_or_else(bad)?;
        let updated = DateTime::from_timestamp_micros(micros).ok_or_else(bad)?;
        parse_annotation_id(id).map_err(|_| bad())?;
        if token_filter != filter {
            return Err(invalid(
                "pageToken",
                "Invalid value for pageToken: it belongs to a listing with other parameters.",
            ));
        }
        Ok(Self {
            updated,
            id: id.to_owned(),
            filter,
        })
    }
}

/// A stable fingerprint of a listing's filters (for [`PageToken`]).
pub fn filter_fingerprint(parts: &[&str]) -> u64 {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    let d = h.finalize();
    u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(s: &str, e: &str, so: Option<&str>, eo: Option<&str>) -> AnnotationRange {
        AnnotationRange {
            start_position: Some(s.into()),
            end_position: Some(e.into()),
            start_offset: so.map(Into::into),
            end_offset: eo.map(Into::into),
        }
    }

    fn with_ranges(r: AnnotationRanges) -> Annotation {
        Annotation {
            layer_id: Some("notes".into()),
            volume_id: Some("abcdefghijkl".into()),
            client_version_ranges: Some(r),
            ..Annotation::default()
        }
    }

    #[test]
    fn every_position_kind_is_checked() {
        let ok = AnnotationRanges {
            cfi_range: Some(range(
                "epubcfi(/6/4[ch1]!/4/2/1:0)",
                "/6/4!/4/2/1:12",
                None,
                None,
            )),
            gb_image_range: Some(range("PA12", "PA13", Some("0"), Some("5"))),
            gb_text_range: Some(range("GBS.PA12.w.1", "GBS.PA12.w.1", Some("3"), Some("9"))),
            image_cfi_range: Some(range("/6/2!/4", "/6/2!/6", None, None)),
            content_version: Some("1.2.3.0.full.3".into()),
        };
        AnnotationInput::parse(&with_ranges(ok.clone())).unwrap();

        let mut bad = ok.clone();
        bad.cfi_range = Some(range("chapter 1", "/6/4", None, None));
        let e = AnnotationInput::parse(&with_ranges(bad)).unwrap_err();
        assert!(
            matches!(e, AnnotationError::Invalid { ref field, .. } if field == "clientVersionRanges.cfiRange.startPosition"),
            "{e:?}"
        );

        let mut bad = ok.clone();
        bad.gb_text_range = Some(range("P1", "P1", Some("9"), Some("3")));
        assert!(AnnotationInput::parse(&with_ranges(bad)).is_err());

        let mut bad = ok.clone();
        bad.gb_image_range = Some(range("P1", "P2", Some("-1"), None));
        assert!(AnnotationInput::parse(&with_ranges(bad)).is_err());

        let mut bad = ok;
        bad.image_cfi_range = Some(AnnotationRange {
            start_position: Some("/6/2".into()),
            ..AnnotationRange::default()
        });
        assert!(AnnotationInput::parse(&with_ranges(bad)).is_err());

        let e = AnnotationInput::parse(&with_ranges(AnnotationRanges::default())).unwrap_err();
        assert_eq!(e, AnnotationError::Required("clientVersionRanges"));
    }

    #[test]
    fn layers_and_styles() {
        let ranges = AnnotationRanges {
            gb_text_range: Some(range("a", "b", None, None)),
            ..AnnotationRanges::default()
        };
        let mut a = with_ranges(ranges);
        a.layer_id = Some("geo".into());
        assert!(AnnotationInput::parse(&a).is_err());
        a.layer_id = Some("bookmarks".into());
        a.highlight_style = Some("yellow".into());
        let input = AnnotationInput::parse(&a).unwrap();
        assert_eq!(input.layer_id.unwrap().id, "bookmarks");
        a.highlight_style = Some("<b>".into());
        assert!(AnnotationInput::parse(&a).is_err());
    }

    #[test]
    fn page_tokens_round_trip_and_reject_garbage() {
        let t = PageToken {
            updated: DateTime::from_timestamp_micros(1_714_564_800_123_000).unwrap(),
            id: "0f0e-id_1".into(),
            filter: 42,
        };
        assert_eq!(PageToken::decode(&t.encode(), 42).unwrap(), t);
        assert!(PageToken::decode(&t.encode(), 43).is_err());
        for garbage in ["", "!!!", "djE", "djEgeCB5IHo", &"A".repeat(5000)] {
            assert!(PageToken::decode(garbage, 42).is_err(), "{garbage}");
        }
    }

    #[test]
    fn versions_move_forward() {
        let t = DateTime::from_timestamp_micros(1_000_000_500).unwrap();
        let prev = to_millis(t);
        assert!(next_version_time(t, prev) > prev);
        assert_eq!(format_time(prev), "1970-01-01T00:16:40.000Z");
        assert_eq!(guid([0; 16]).len(), 36);
    }
}
