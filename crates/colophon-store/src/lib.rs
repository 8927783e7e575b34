#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod annotations;
mod api_keys;
mod auth;
pub mod codec;
mod covers;
mod error;
mod families;
mod lending;
mod library;
mod projects;
mod sources;
mod uploads;
mod volumes;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use annotations::{
    AnnotationQuery, AnnotationStore, AnnotationWrite, LayerUsage, RatingRecord,
    RecommendationStore,
};
pub use api_keys::{ApiKeyRecord, ApiKeyStore, NewApiKey};
pub use auth::{
    AccountStore, ClientRecord, CodeRecord, CodeRedemption, ConsentRecord, DeviceRecord,
    GrantRecord, OAuthStore, PendingConsentRecord, SessionRecord, TokenLookup, TokenRecord,
    UserRecord,
};
pub use covers::{CoverRef, CoverStore};
pub use error::{StoreError, StoreResult};
pub use families::{FamilyMemberRecord, FamilyRecord, FamilyShareRecord, FamilyStore};
pub use lending::{
    DownloadOutcome, LeaseOutcome, LendingPolicy, LendingStore, StoredSettings, UserSettingsStore,
};
pub use library::{
    plan_move, LibraryStore, MoveOutcome, ReadingPositionRecord, ShelfEntry, ShelfState,
};
pub use projects::{
    latency_bucket, KeySettings, LatencyRow, ProjectRecord, ProjectStore, QuotaOutcome,
    QuotaRequest, UsageDelta, UsageRow, LATENCY_BOUNDS_MS, LATENCY_BUCKETS,
};
pub use sources::{commit_now, CommitGate, ImportWrite, SourceRow, SourceStore};
pub use uploads::{NewUpload, UploadOutcome, UploadQuery, UploadRecord, UploadStore};
pub use volumes::{UpsertOutcome, VolumeStore};

use async_trait::async_trait;

/// Schema management of a backend.
#[async_trait]
pub trait Migrate: Send + Sync {
    /// Applies every pending migration; idempotent.
    async fn migrate(&self) -> StoreResult<()>;
}

/// Everything a Colophon server needs from storage.
pub trait Store:
    VolumeStore
    + SourceStore
    + ApiKeyStore
    + AccountStore
    + OAuthStore
    + AnnotationStore
    + RecommendationStore
    + LibraryStore
    + ProjectStore
    + CoverStore
    + UploadStore
    + FamilyStore
    + LendingStore
    + UserSettingsStore
    + Migrate
    + 'static
{
}

impl<T> Store for T where
    T: VolumeStore
        + SourceStore
        + ApiKeyStore
        + AccountStore
        + OAuthStore
        + AnnotationStore
        + RecommendationStore
        + LibraryStore
        + ProjectStore
        + CoverStore
        + UploadStore
        + FamilyStore
        + LendingStore
        + UserSettingsStore
        + Migrate
        + 'static
{
}
