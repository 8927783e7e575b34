//! Request bodies: JSON resources (`Annotation`), decoded with Google-shaped errors.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use serde::de::DeserializeOwned;

use crate::ApiError;

/// Decodes the JSON body of a write method; an empty, oversized or malformed body is a 400
/// (413 for oversized), never a panic.
pub fn decode<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    let bytes = body.map_err(|e| match e {
        BytesRejection::FailedToBufferBody(_) => ApiError::PayloadTooLarge,
        other => ApiError::InvalidValue {
            field: "body".into(),
            message: format!("The request body could not be read: {other}"),
        },
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::InvalidValue {
            field: "body".into(),
            message: "The request body is required.".into(),
        });
    }
    serde_json::from_slice(&bytes).map_err(|e| ApiError::InvalidValue {
        field: "body".into(),
        message: format!("Invalid JSON payload received. {e}"),
    })
}
