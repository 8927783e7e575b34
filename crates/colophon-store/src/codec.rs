//! How a `VolumeRecord` is kept in a backend's `data` column: its serde JSON, as text (not a
//! JSON column type, so key order and number formatting survive). Shared by every backend.

use colophon_domain::VolumeRecord;

use crate::{StoreError, StoreResult};

/// The `data` column value of `record`.
pub fn encode_record(record: &VolumeRecord) -> StoreResult<String> {
    serde_json::to_string(record)
        .map_err(|e| StoreError::Database(format!("encoding volume {}: {e}", record.id)))
}

/// Decodes the `data` column of volume `id`.
pub fn decode_record(id: &str, data: &str) -> StoreResult<VolumeRecord> {
    serde_json::from_str(data).map_err(|e| StoreError::Decode(format!("volume {id}: {e}")))
}

/// Decodes `(id, data)` rows.
pub fn decode_rows(rows: Vec<(String, String)>) -> StoreResult<Vec<VolumeRecord>> {
    rows.iter()
        .map(|(id, data)| decode_record(id, data))
        .collect()
}

/// The `data` column value of a source contribution.
pub fn encode_contribution(c: &colophon_domain::Contribution) -> StoreResult<String> {
    serde_json::to_string(c)
        .map_err(|e| StoreError::Database(format!("encoding source {}: {e}", c.source_key)))
}

/// Decodes the `data` column of source `key`.
pub fn decode_contribution(key: &str, data: &str) -> StoreResult<colophon_domain::Contribution> {
    serde_json::from_str(data).map_err(|e| StoreError::Decode(format!("source {key}: {e}")))
}
