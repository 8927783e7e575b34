//! A user's annotations ([`AnnotationStore`]) and recommendation ratings
//! ([`RecommendationStore`]).
//!
//! Every read and write names the user: there is no way to reach another user's rows through
//! these traits. Annotation ids are unique per user only (two users may hold the same id).
//!
//! Consistency: writes are atomic. An insert or update checks its layer's character budget and
//! writes in one step (no two concurrent writers can both pass a budget that only one fits);
//! an update is a compare-and-swap on `updated`, so an update computed from a stale read is
//! refused ([`AnnotationWrite::Stale`]) instead of overwriting the change it did not see.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use colophon_domain::annotation::AnnotationRecord;

use crate::StoreResult;

/// The filters of an annotation listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnnotationQuery {
    /// The owner (always applied).
    pub user_id: String,
    /// Only this volume.
    pub volume_id: Option<String>,
    /// Only these layers (all when empty).
    pub layer_ids: Vec<String>,
    /// `updated >= updated_min`.
    pub updated_min: Option<DateTime<Utc>>,
    /// `updated < updated_max`.
    pub updated_max: Option<DateTime<Utc>>,
    /// Include tombstones.
    pub include_deleted: bool,
}

/// What a user's annotations on one volume spend of one layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerUsage {
    /// The layer.
    pub layer_id: String,
    /// Annotations that are not deleted.
    pub annotations: u64,
    /// Characters they spend.
    pub characters: u64,
    /// Latest `updated` in the layer, tombstones included.
    pub updated: DateTime<Utc>,
}

/// The outcome of an annotation write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnotationWrite {
    /// Written.
    Written,
    /// Insert: the user already has an annotation (or tombstone) with this id.
    Duplicate,
    /// Update: no live annotation with this id for this user.
    NotFound,
    /// Update: the stored `updated` is not the expected one (someone else wrote first).
    Stale,
    /// The layer's budget would be exceeded; nothing written. `used` is what the other live
    /// annotations of the user in this layer and volume already spend.
    OverBudget {
        /// Characters already spent by the others.
        used: u64,
    },
}

/// Storage of users' annotations.
#[async_trait]
pub trait AnnotationStore: Send + Sync {
    /// Inserts `record` if the user has no annotation with its id and the characters of the
    /// user's live annotations in its layer and volume, with it, stay within `budget`.
    async fn insert_annotation(
        &self,
        record: &AnnotationRecord,
        budget: u64,
    ) -> StoreResult<AnnotationWrite>;

    /// Replaces the user's live annotation `record.id` if its stored `updated` is
    /// `expected_updated` and the budget holds (a tombstone, `deleted = true`, always fits).
    async fn update_annotation(
        &self,
        record: &AnnotationRecord,
        expected_updated: DateTime<Utc>,
        budget: u64,
    ) -> StoreResult<AnnotationWrite>;

    /// The user's annotation `id`, tombstone or not.
    async fn find_annotation(
        &self,
        user_id: &str,
        id: &str,
    ) -> StoreResult<Option<AnnotationRecord>>;

    /// Up to `limit` annotations matching `query`, ordered by (`updated`, `id`), starting after
    /// the position `after` (exclusive) when given.
    async fn list_annotations(
        &self,
        query: &AnnotationQuery,
        after: Option<(DateTime<Utc>, &str)>,
        limit: u32,
    ) -> StoreResult<Vec<AnnotationRecord>>;

    /// Number of annotations matching `query`.
    async fn count_annotations(&self, query: &AnnotationQuery) -> StoreResult<u64>;

    /// Per layer, what the user's annotations on `volume_id` spend (layers that never held an
    /// annotation of the user are absent), by layer id.
    async fn layer_usage(&self, user_id: &str, volume_id: &str) -> StoreResult<Vec<LayerUsage>>;

    /// Up to `limit` volumes the user holds live annotations on, most recently annotated first
    /// (then by volume id).
    async fn annotated_volumes(&self, user_id: &str, limit: u32) -> StoreResult<Vec<String>>;
}

/// A user's verdict on a recommended volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingRecord {
    /// The volume.
    pub volume_id: String,
    /// `HAVE_IT` or `NOT_INTERESTED`.
    pub rating: String,
    /// When (the latest rating of the volume wins).
    pub rated: DateTime<Utc>,
}

/// Storage of recommendation ratings.
#[async_trait]
pub trait RecommendationStore: Send + Sync {
    /// Records (or replaces) the user's rating of `volume_id`.
    async fn rate_volume(&self, user_id: &str, rating: &RatingRecord) -> StoreResult<()>;

    /// Every rating of the user, by volume id.
    async fn volume_ratings(&self, user_id: &str) -> StoreResult<Vec<RatingRecord>>;
}
