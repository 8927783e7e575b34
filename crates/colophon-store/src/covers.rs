//! Cover images, stored once by content (SHA-256 of the bytes) and attached to volumes.
//!
//! Covers live in the store, not in the data directory: with PostgreSQL several server nodes
//! share one catalog but each has its own data directory, so a cover written by an import on
//! one node must be readable by every node. Resized variants are derived data and stay in each
//! node's data directory (see `colophon-service`'s `covers` module).

use async_trait::async_trait;
use colophon_domain::VolumeId;

use crate::StoreResult;

/// A volume's cover, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverRef {
    /// SHA-256 of the image bytes, lower-case hex (64 characters).
    pub digest: String,
    /// Media type of the stored image (`image/jpeg`, `image/png`, `image/gif`, `image/webp`).
    pub media_type: String,
}

/// Storage of cover images.
#[async_trait]
pub trait CoverStore: Send + Sync {
    /// Makes the image `cover` (whose bytes are `bytes`) the cover of `volume`, storing the
    /// bytes unless an image with the same digest is already stored. A cover the volume had
    /// before is replaced; its bytes are removed once no volume uses them.
    async fn set_cover(&self, volume: &VolumeId, cover: &CoverRef, bytes: &[u8])
        -> StoreResult<()>;

    /// The cover of `volume`, if it has one.
    async fn cover_of(&self, volume: &VolumeId) -> StoreResult<Option<CoverRef>>;

    /// The bytes of the image with this digest, if stored.
    async fn cover_bytes(&self, digest: &str) -> StoreResult<Option<Vec<u8>>>;

    /// Number of distinct images stored.
    async fn count_cover_images(&self) -> StoreResult<u64>;
}
