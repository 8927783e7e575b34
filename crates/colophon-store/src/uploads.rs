//! Books users upload (`cloudloading.*`, `volumes.useruploaded.list`): private volumes owned by
//! one user.
//!
//! An upload is not a catalog volume: it lives in its own table with its owner, never in
//! `volumes` nor in the search index, so nothing that reads the public catalog (search,
//! `volumes.get` for others, shelves of other users) can see it. The file's bytes are kept in
//! the store (like covers: with PostgreSQL several nodes share the catalog, not a disk).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use colophon_domain::library::ProcessingState;
use colophon_domain::{VolumeId, VolumeRecord};

use crate::StoreResult;

/// One upload, without its file.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadRecord {
    /// The private volume's id.
    pub volume_id: VolumeId,
    /// Its owner.
    pub user_id: String,
    /// The name the file was uploaded under.
    pub name: String,
    /// `application/epub+zip` or `application/pdf`.
    pub media_type: String,
    /// Size of the file in bytes.
    pub size: u64,
    /// Title shown (from the book once processed; the owner may change it).
    pub title: String,
    /// Author shown (likewise).
    pub author: String,
    /// `RUNNING`, `COMPLETED_SUCCESS` or `COMPLETED_FAILED`.
    pub state: ProcessingState,
    /// Why processing failed (with `COMPLETED_FAILED`).
    pub failure: Option<String>,
    /// The volume's bibliographic record once processed successfully.
    pub record: Option<VolumeRecord>,
    /// When it was uploaded.
    pub created: DateTime<Utc>,
    /// When it last changed.
    pub updated: DateTime<Utc>,
}

/// A new upload (state `RUNNING`).
#[derive(Debug, Clone)]
pub struct NewUpload {
    /// The private volume's id (fresh, random).
    pub volume_id: VolumeId,
    /// Its owner.
    pub user_id: String,
    /// The name the file was uploaded under.
    pub name: String,
    /// `application/epub+zip` or `application/pdf`.
    pub media_type: String,
    /// Initial title (the name without its extension).
    pub title: String,
    /// When it was uploaded.
    pub created: DateTime<Utc>,
}

/// How processing ended.
#[derive(Debug, Clone, PartialEq)]
pub enum UploadOutcome {
    /// The book was read: its record, title and author, and its text (EPUB).
    Succeeded {
        /// The private volume's record.
        record: Box<VolumeRecord>,
        /// Title from the book (kept unless empty).
        title: String,
        /// Author from the book.
        author: String,
        /// The book's plain text, when it has one.
        full_text: Option<String>,
    },
    /// The file could not be read as a book.
    Failed {
        /// Why, for the owner.
        reason: String,
    },
}

/// Which of a user's uploads to list.
#[derive(Debug, Clone, Default)]
pub struct UploadQuery {
    /// Only these states (empty: all).
    pub states: Vec<ProcessingState>,
    /// Only these volumes (empty: all).
    pub volume_ids: Vec<VolumeId>,
    /// Skip this many (newest first).
    pub start: u32,
    /// At most this many.
    pub max: u32,
}

/// Storage of uploads. Every read and write except [`UploadStore::finish_upload`] and
/// [`UploadStore::pending_upload`] names the owner: another user's upload is "not there".
#[async_trait]
pub trait UploadStore: Send + Sync {
    /// Stores a new upload with its file, state `RUNNING`, in one transaction.
    async fn insert_upload(&self, upload: &NewUpload, bytes: &[u8]) -> StoreResult<()>;

    /// Records how processing of a `RUNNING` upload ended (a success sets the title and author
    /// from the book, unless the owner has set them with [`UploadStore::rename_upload`]); `false` (and nothing written) when
    /// it is gone or no longer running (deleted meanwhile, finished by another node).
    async fn finish_upload(
        &self,
        volume: &VolumeId,
        outcome: &UploadOutcome,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// The upload `volume` of `user_id`.
    async fn upload(&self, user_id: &str, volume: &VolumeId) -> StoreResult<Option<UploadRecord>>;

    /// A page of the user's uploads matching `query`, newest first, and how many match.
    async fn list_uploads(
        &self,
        user_id: &str,
        query: &UploadQuery,
    ) -> StoreResult<(u64, Vec<UploadRecord>)>;

    /// Changes the title and/or author of the user's upload; the updated upload, or `None`
    /// when the user has no such upload.
    async fn rename_upload(
        &self,
        user_id: &str,
        volume: &VolumeId,
        title: Option<&str>,
        author: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UploadRecord>>;

    /// Deletes the user's upload with its file, text and cover; `false` when there was none.
    async fn delete_upload(&self, user_id: &str, volume: &VolumeId) -> StoreResult<bool>;

    /// The file of the user's upload: its media type and bytes.
    async fn upload_file(
        &self,
        user_id: &str,
        volume: &VolumeId,
    ) -> StoreResult<Option<(String, Vec<u8>)>>;

    /// The text of the user's upload, when processing found one.
    async fn upload_text(&self, user_id: &str, volume: &VolumeId) -> StoreResult<Option<String>>;

    /// A `RUNNING` upload and its file, for processing (any owner).
    async fn pending_upload(
        &self,
        volume: &VolumeId,
    ) -> StoreResult<Option<(UploadRecord, Vec<u8>)>>;

    /// Every `RUNNING` upload (processing to resume after a restart), oldest first.
    async fn running_uploads(&self) -> StoreResult<Vec<VolumeId>>;
}
