//! Errors of the search index.

use std::fmt;
use std::path::PathBuf;

/// What can go wrong with the index. Bad `q` strings are not errors: they match nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SearchError {
    /// The index directory could not be created or read.
    #[error("cannot use the index directory {}", path.display())]
    Io {
        /// The directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The directory holds an index built with another schema (another version of
    /// Colophon). The index is derived data: delete the directory (or use
    /// [`SearchIndex::recreate`](crate::SearchIndex::recreate)) and rebuild it
    /// (`colophon reindex`).
    #[error("the index in {} was built with another schema; rebuild it", path.display())]
    SchemaMismatch {
        /// The directory.
        path: PathBuf,
    },
    /// The directory is not empty and holds no index, so it is not ours to delete.
    #[error("{} is not an index directory", path.display())]
    NotAnIndex {
        /// The directory.
        path: PathBuf,
    },
    /// Another updater, in this process or another one, holds the index's write lock.
    #[error("the index is being written by another updater")]
    Locked(#[source] EngineError),
    /// Any other failure of the search engine (I/O while searching or committing, a
    /// corrupt index, …).
    #[error("search engine error")]
    Engine(#[source] EngineError),
}

/// An error of the underlying engine (tantivy), kept opaque so that the engine can change
/// without changing this crate's API.
pub struct EngineError(tantivy::TantivyError);

impl fmt::Debug for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for EngineError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        match e {
            tantivy::TantivyError::LockFailure(..) => SearchError::Locked(EngineError(e)),
            other => SearchError::Engine(EngineError(other)),
        }
    }
}
