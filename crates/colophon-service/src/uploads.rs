//! `Uploads`: books users upload (`cloudloading.addBook` / `updateBook` / `deleteBook`,
//! `volumes.useruploaded.list`), each a private volume of its uploader.
//!
//! An upload is checked when it arrives (size, and that the bytes are a zip or a PDF: anything
//! else is refused before a row exists), stored as `RUNNING`, and processed in a background
//! task: an EPUB is read with `colophon-import`'s reader under [`UploadLimits::epub`] (zip
//! bombs, DRM, truncated archives, unsafe entry names), a PDF's title and author are taken from
//! its document information dictionary when it has an uncompressed one. Processing ends as
//! `COMPLETED_SUCCESS` or `COMPLETED_FAILED` (the record stays, with the reason). Uploads still
//! `RUNNING` when the server stopped are processed again at start ([`Uploads::resume`]).
//!
//! The private volume is never written to the catalog or the search index: only its owner can
//! reach it, through the methods here, which all take the owner's id.

use std::sync::Arc;

use colophon_domain::library::ProcessingState;
use colophon_domain::{VolumeId, VolumeRecord};
use colophon_import::epub;
use colophon_store::{NewUpload, Store, StoreError, UploadOutcome, UploadQuery, UploadRecord};
use colophon_types::{AccessInfo, FormatAccess, VolumeInfo};

use crate::covers::Covers;
use crate::library::Now;

/// The EPUB media type.
pub const EPUB: &str = "application/epub+zip";
/// The PDF media type.
pub const PDF: &str = "application/pdf";

/// Limits on uploaded files.
#[derive(Debug, Clone, Copy)]
pub struct UploadLimits {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Limits of the EPUB reader (entries, bytes decompressed per entry and in total, ratio).
    pub epub: epub::Limits,
}

impl Default for UploadLimits {
    fn default() -> Self {
        let max_file_bytes = 100 << 20;
        UploadLimits {
            max_file_bytes,
            epub: epub::Limits {
                max_file_bytes,
                max_entries: 5_000,
                max_entry_bytes: 32 << 20,
                max_total_bytes: 128 << 20,
                max_ratio: 200,
            },
        }
    }
}

/// Why an upload request cannot be done.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The user has no upload with this id.
    #[error("The volume ID could not be found.")]
    NotFound,
    /// The file is empty.
    #[error("The uploaded file is empty.")]
    Empty,
    /// The file is over the limit.
    #[error("The uploaded file is larger than the limit of {limit} bytes.")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The declared type or the content is neither EPUB nor PDF.
    #[error("{0}")]
    Unsupported(String),
    /// A title or author is unusable.
    #[error("{0}")]
    InvalidValue(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What kind of book the bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookKind {
    /// An EPUB (a zip archive).
    Epub,
    /// A PDF.
    Pdf,
}

impl BookKind {
    /// The media type.
    pub fn media_type(self) -> &'static str {
        match self {
            BookKind::Epub => EPUB,
            BookKind::Pdf => PDF,
        }
    }
}

/// Media types a client may declare for an upload (`application/octet-stream` and none leave
/// it to the content).
fn declared_kind(declared: Option<&str>) -> Result<Option<BookKind>, UploadError> {
    let Some(raw) = declared else {
        return Ok(None);
    };
    let essence = raw
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "" | "application/octet-stream" | "binary/octet-stream" => Ok(None),
        EPUB => Ok(Some(BookKind::Epub)),
        PDF | "application/x-pdf" => Ok(Some(BookKind::Pdf)),
        other => Err(UploadError::Unsupported(format!(
            "Unsupported media type '{other}': upload an EPUB (application/epub+zip) or a PDF \
             (application/pdf)."
        ))),
    }
}

/// The kind of book `bytes` are, by their first bytes, checked against what the client
/// declared.
pub fn sniff(bytes: &[u8], declared: Option<&str>) -> Result<BookKind, UploadError> {
    let declared = declared_kind(declared)?;
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    let found = if bytes.starts_with(b"PK\x03\x04") {
        BookKind::Epub
    } else if bytes.starts_with(b"%PDF-") {
        BookKind::Pdf
    } else {
        return Err(UploadError::Unsupported(
            "The uploaded file is neither an EPUB (a zip archive) nor a PDF.".into(),
        ));
    };
    match declared {
        Some(d) if d != found => Err(UploadError::Unsupported(format!(
            "The file was declared as {} but its content is {}.",
            d.media_type(),
            found.media_type()
        ))),
        _ => Ok(found),
    }
}

/// The user-facing limits of title and author.
const MAX_FIELD_CHARS: usize = 500;

fn clean_field(name: &str, value: &str) -> Result<String, UploadError> {
    let v = value.trim();
    if v.chars().count() > MAX_FIELD_CHARS {
        return Err(UploadError::InvalidValue(format!(
            "{name} must not exceed {MAX_FIELD_CHARS} characters."
        )));
    }
    if v.chars().any(char::is_control) {
        return Err(UploadError::InvalidValue(format!(
            "{name} must not contain control characters."
        )));
    }
    Ok(v.to_owned())
}

/// Books processed at the same time (each may decompress up to `UploadLimits::epub`'s total).
const CONCURRENT_PROCESSING: usize = 2;

/// The upload service.
#[derive(Clone)]
pub struct Uploads {
    store: Arc<dyn Store>,
    covers: Covers,
    limits: UploadLimits,
    now: Now,
    /// Bounds the memory processing takes: the others wait (still `RUNNING`).
    processing: Arc<tokio::sync::Semaphore>,
    /// Resumable upload sessions of this node.
    resumable: crate::uploads_resumable::Resumable,
}

impl Uploads {
    /// Uploads kept in `store`, covers stored through `covers`.
    pub fn new(store: Arc<dyn Store>, covers: Covers, limits: UploadLimits, now: Now) -> Self {
        Self {
            store,
            covers,
            limits,
            now,
            processing: Arc::new(tokio::sync::Semaphore::new(CONCURRENT_PROCESSING)),
            resumable: Default::default(),
        }
    }

    /// Resumable upload sessions (this node's).
    pub fn resumable(&self) -> &crate::uploads_resumable::Resumable {
        &self.resumable
    }

    /// The limits in force.
    pub fn limits(&self) -> &UploadLimits {
        &self.limits
    }

    /// Takes an upload of `user_id`: checks it, stores it as `RUNNING` and starts processing
    /// it in the background. `name` is the file name offered (its stem is the first title).
    pub async fn add(
        &self,
        user_id: &str,
        name: &str,
        declared_type: Option<&str>,
        bytes: Vec<u8>,
    ) -> Result<UploadRecord, UploadError> {
        if bytes.len() as u64 > self.limits.max_file_bytes {
            return Err(UploadError::TooLarge {
                limit: self.limits.max_file_bytes,
            });
        }
        let kind = sniff(&bytes, declared_type)?;
        let name = clean_field("name", name)?;
        let name = if name.is_empty() {
            format!(
                "upload.{}",
                if kind == BookKind::Epub {
                    "epub"
                } else {
                    "pdf"
                }
            )
        } else {
            name
        };
        let title = name
            .rsplit_once('.')
            .map_or(name.as_str(), |(stem, _)| stem)
            .to_owned();
        let upload = NewUpload {
            volume_id: new_volume_id(),
            user_id: user_id.to_owned(),
            name,
            media_type: kind.media_type().to_owned(),
            title,
            created: (self.now)(),
        };
        self.store.insert_upload(&upload, &bytes).await?;
        drop(bytes);
        self.spawn_processing(upload.volume_id.clone());
        self.store
            .upload(user_id, &upload.volume_id)
            .await?
            .ok_or(UploadError::NotFound)
    }

    fn spawn_processing(&self, id: VolumeId) {
        let this = self.clone();
        tokio::spawn(async move {
            if let Err(e) = this.process(&id).await {
                tracing::error!(volume = %id, error.detail = %e, "processing an upload failed");
            }
        });
    }

    /// Starts processing every upload left `RUNNING` (by a stopped server); how many.
    pub async fn resume(&self) -> Result<usize, UploadError> {
        let running = self.store.running_uploads().await?;
        let n = running.len();
        for id in running {
            self.spawn_processing(id);
        }
        Ok(n)
    }

    /// Processes the `RUNNING` upload `id` (no-op when it is not running any more).
    pub async fn process(&self, id: &VolumeId) -> Result<(), UploadError> {
        let _permit = self.processing.acquire().await.ok();
        let Some((upload, bytes)) = self.store.pending_upload(id).await? else {
            return Ok(());
        };
        let limits = self.limits.epub;
        let read = tokio::task::spawn_blocking(move || read_book(&upload, &bytes, &limits))
            .await
            .unwrap_or_else(|e| Err(format!("the book could not be read ({e})")));
        let (outcome, cover) = match read {
            Ok(book) => (
                UploadOutcome::Succeeded {
                    record: Box::new(book.record),
                    title: book.title,
                    author: book.author,
                    full_text: book.full_text,
                },
                book.cover,
            ),
            Err(reason) => (UploadOutcome::Failed { reason }, None),
        };
        // The cover first: a volume deleted meanwhile loses it with the row below (or the
        // delete that follows), and a finished upload always has its cover.
        if let Some(cover) = cover {
            if let Err(e) = self.covers.set_cover(id, cover).await {
                tracing::info!(volume = %id, error.detail = %e, "an upload's cover was left out");
            }
        }
        if !self.store.finish_upload(id, &outcome, (self.now)()).await? {
            // Deleted while it was processed. The cover stored above stays behind (the cover
            // store has no delete; `delete_upload` removed only what existed then).
            tracing::debug!(volume = %id, "an upload went away while it was processed");
        }
        Ok(())
    }

    /// The user's upload `id`.
    pub async fn get(&self, user_id: &str, id: &str) -> Result<UploadRecord, UploadError> {
        let id = VolumeId::parse(id).map_err(|_| UploadError::NotFound)?;
        self.store
            .upload(user_id, &id)
            .await?
            .ok_or(UploadError::NotFound)
    }

    /// A page of the user's uploads, newest first, and how many match.
    pub async fn list(
        &self,
        user_id: &str,
        states: &[ProcessingState],
        ids: &[String],
        start: u32,
        max: u32,
    ) -> Result<(u64, Vec<UploadRecord>), UploadError> {
        // Ids that cannot be volume ids match nothing.
        let volume_ids: Vec<VolumeId> =
            ids.iter().filter_map(|i| VolumeId::parse(i).ok()).collect();
        if !ids.is_empty() && volume_ids.is_empty() {
            return Ok((0, Vec::new()));
        }
        Ok(self
            .store
            .list_uploads(
                user_id,
                &UploadQuery {
                    states: states.to_vec(),
                    volume_ids,
                    start,
                    max,
                },
            )
            .await?)
    }

    /// `updateBook`: changes the title and/or author of the user's upload.
    pub async fn update(
        &self,
        user_id: &str,
        id: &str,
        title: Option<&str>,
        author: Option<&str>,
    ) -> Result<UploadRecord, UploadError> {
        let id = VolumeId::parse(id).map_err(|_| UploadError::NotFound)?;
        let title = title.map(|t| clean_field("title", t)).transpose()?;
        if title.as_deref() == Some("") {
            return Err(UploadError::InvalidValue("title must not be empty.".into()));
        }
        let author = author.map(|a| clean_field("author", a)).transpose()?;
        self.store
            .rename_upload(
                user_id,
                &id,
                title.as_deref(),
                author.as_deref(),
                (self.now)(),
            )
            .await?
            .ok_or(UploadError::NotFound)
    }

    /// `deleteBook`: removes the user's upload, its file, text and cover.
    pub async fn delete(&self, user_id: &str, id: &str) -> Result<(), UploadError> {
        let id = VolumeId::parse(id).map_err(|_| UploadError::NotFound)?;
        if self.store.delete_upload(user_id, &id).await? {
            Ok(())
        } else {
            Err(UploadError::NotFound)
        }
    }

    /// The stored file of the user's upload: media type and bytes.
    pub async fn file(&self, user_id: &str, id: &str) -> Result<(String, Vec<u8>), UploadError> {
        let id = VolumeId::parse(id).map_err(|_| UploadError::NotFound)?;
        self.store
            .upload_file(user_id, &id)
            .await?
            .ok_or(UploadError::NotFound)
    }

    /// The text of the user's upload (an EPUB processed successfully).
    pub async fn text(&self, user_id: &str, id: &VolumeId) -> Result<Option<String>, UploadError> {
        Ok(self.store.upload_text(user_id, id).await?)
    }
}

/// A fresh random volume id (72 bits): unguessable, and practically never a catalog id.
fn new_volume_id() -> VolumeId {
    let id = colophon_auth::secret::random_urlsafe(9);
    VolumeId::parse(&id).expect("9 bytes are 12 base64url characters")
}

/// The private volume of an upload, as a record to render: the book's own metadata once
/// processed, with the owner's title and author; before that, just those.
pub fn upload_volume(upload: &UploadRecord) -> VolumeRecord {
    let mut record = upload.record.clone().unwrap_or_else(|| bare_record(upload));
    record.volume_info.title = Some(upload.title.clone()).filter(|t| !t.is_empty());
    record.volume_info.authors =
        Some(vec![upload.author.clone()]).filter(|_| !upload.author.is_empty());
    record.updated = upload.updated;
    record.refresh_etag();
    record
}

/// An upload's record before processing has read anything from the book.
fn bare_record(upload: &UploadRecord) -> VolumeRecord {
    VolumeRecord {
        id: upload.volume_id.clone(),
        etag: String::new(),
        source_key: format!("upload:{}", upload.volume_id),
        volume_info: VolumeInfo::default(),
        sale_info: None,
        access_info: Some(upload_access(&upload.media_type)),
        layer_info: None,
        updated: upload.created,
    }
}

/// Rights of one's own upload: every page, in the format uploaded.
fn upload_access(media_type: &str) -> AccessInfo {
    let format = |available: bool| {
        Some(FormatAccess {
            is_available: Some(available),
            ..FormatAccess::default()
        })
    };
    AccessInfo {
        viewability: Some("ALL_PAGES".into()),
        embeddable: Some(false),
        public_domain: Some(false),
        text_to_speech_permission: Some("ALLOWED".into()),
        epub: format(media_type == EPUB),
        pdf: format(media_type == PDF),
        access_view_status: Some("FULL_PURCHASED".into()),
        quote_sharing_allowed: Some(false),
        ..AccessInfo::default()
    }
}

/// What processing found in a file.
struct ReadBook {
    record: VolumeRecord,
    title: String,
    author: String,
    full_text: Option<String>,
    cover: Option<Vec<u8>>,
}

fn read_book(
    upload: &UploadRecord,
    bytes: &[u8],
    limits: &epub::Limits,
) -> Result<ReadBook, String> {
    let base = bare_record(upload);
    if upload.media_type == PDF {
        let info = crate::uploads_pdf::read_pdf(bytes)?;
        let mut record = base;
        record.volume_info.title = info.title.clone();
        record.volume_info.authors = info.author.clone().map(|a| vec![a]);
        return Ok(ReadBook {
            title: info.title.unwrap_or_default(),
            author: info.author.unwrap_or_default(),
            record,
            full_text: None,
            cover: None,
        });
    }
    let read = epub::read_bytes_with_limits(bytes, &upload.name, limits).map_err(|r| r.reason)?;
    let mut record = base;
    let mut info = read.volume_info;
    // Links to the server are rendered per request; nothing else of the book's is dropped.
    info.preview_link = None;
    info.info_link = None;
    info.canonical_volume_link = None;
    record.volume_info = info;
    let title = record.volume_info.title.clone().unwrap_or_default();
    let author = record
        .volume_info
        .authors
        .as_ref()
        .map(|a| a.join(", "))
        .unwrap_or_default();
    Ok(ReadBook {
        record,
        title,
        author,
        full_text: read.full_text,
        cover: read.cover,
    })
}
