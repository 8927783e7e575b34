//! `StoreError`: what can go wrong in a backend, without exposing the driver's types.

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or opened (bad URL, server down, permissions).
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    /// A migration failed.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// A stored value could not be decoded (corrupt or written by a newer version).
    #[error("stored data could not be decoded: {0}")]
    Decode(String),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(String),
}

/// Result alias for store operations.
pub type StoreResult<T> = Result<T, StoreError>;
