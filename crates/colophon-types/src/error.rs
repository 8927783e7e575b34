//! The Google error envelope: `{"error": {"code", "message", "errors": [...], "status", "details"}}`.
//!
//! Key order is the modern front end's (`code, message, errors, status, details`); each
//! `errors[]` item is `message, domain, reason, location?, locationType?`.

use serde::{Deserialize, Serialize};

/// The whole error response body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// The error.
    pub error: ErrorBody,
}

/// `error` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// HTTP status code.
    pub code: u16,
    /// Human-readable message (same as the first item's).
    pub message: String,
    /// Legacy per-error items.
    pub errors: Vec<ErrorItem>,
    /// Canonical status such as `INVALID_ARGUMENT`.
    pub status: String,
    /// `google.rpc` details (for key problems, an `ErrorInfo`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
}

/// One `errors[]` item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorItem {
    /// Message.
    pub message: String,
    /// Domain, usually `global`.
    pub domain: String,
    /// Machine-readable reason, e.g. `queryRequired`.
    pub reason: String,
    /// Parameter or header at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// `parameter` or `header`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_type: Option<String>,
}

/// One `details[]` item (`google.rpc.ErrorInfo`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// `type.googleapis.com/google.rpc.ErrorInfo`.
    #[serde(rename = "@type")]
    pub type_url: String,
    /// Machine reason, e.g. `API_KEY_INVALID`.
    pub reason: String,
    /// `googleapis.com`.
    pub domain: String,
    /// E.g. `{"service": "books.googleapis.com"}`.
    pub metadata: serde_json::Map<String, serde_json::Value>,
}
