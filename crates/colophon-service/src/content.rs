//! `Content`: what readers get of a volume — its paginated text within what the rights allow,
//! its EPUB download, its cover — checked against the volume's [`Rights`].

use std::sync::{Arc, Mutex};

use colophon_domain::access::Rights;
use colophon_domain::{VolumeId, VolumeRecord};

use crate::covers::{CoverImage, Covers, Zoom};
use crate::reading::Paginated;
use crate::{Catalog, CatalogError, CoverError};

/// Why content cannot be given.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    /// No such volume.
    #[error("the volume ID could not be found")]
    VolumeNotFound,
    /// The rights do not allow it.
    #[error("the rights of this volume do not allow downloading it")]
    NotAllowed,
    /// Allowed, but Colophon holds no text for the volume.
    #[error("this volume has no content to download")]
    NoContent,
    /// No file of this format can be made of the volume (a PDF of a text the standard PDF
    /// fonts cannot set).
    #[error("no {0} of this volume is available")]
    FormatUnavailable(&'static str),
    /// The catalog or store failed.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// Cover processing failed.
    #[error(transparent)]
    Cover(#[from] CoverError),
    /// Building the file failed.
    #[error("building the download failed: {0}")]
    Build(String),
}

/// A volume opened for reading.
#[derive(Debug, Clone)]
pub struct OpenedBook {
    /// The volume.
    pub record: VolumeRecord,
    /// What its rights allow.
    pub rights: Rights,
    /// Its text, paginated, when Colophon holds one.
    pub book: Option<Arc<Paginated>>,
}

impl OpenedBook {
    /// Pages the reader may show (1..=n).
    pub fn readable_pages(&self) -> usize {
        self.book
            .as_ref()
            .map_or(0, |b| self.rights.readable_pages(b.page_count()))
    }
}

/// A file to download.
#[derive(Debug, Clone)]
pub struct Download {
    /// The bytes.
    pub bytes: Arc<Vec<u8>>,
    /// `Content-Type`.
    pub media_type: &'static str,
    /// File name offered (`Title.epub`).
    pub file_name: String,
}

const CACHED_BOOKS: usize = 8;

/// Generated downloads kept in memory (a PDF of a long novel is a few megabytes).
const CACHED_DOWNLOADS: usize = 4;

/// A download format Colophon generates from the stored text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// EPUB 3 (`epub_out`).
    Epub,
    /// PDF (`pdf_out`).
    Pdf,
}

impl Format {
    /// The extension and `output=` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Epub => "epub",
            Format::Pdf => "pdf",
        }
    }

    /// `Content-Type`.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Epub => "application/epub+zip",
            Format::Pdf => "application/pdf",
        }
    }
}

/// Recently generated downloads, most recent first: (volume, etag, format, file).
type DownloadCache = Arc<Mutex<Vec<(VolumeId, String, Format, Download)>>>;

/// Recently opened books, most recent first: (volume, etag, text).
type BookCache = Arc<Mutex<Vec<(VolumeId, String, Arc<Paginated>)>>>;

/// The content service.
#[derive(Clone)]
pub struct Content {
    catalog: Catalog,
    covers: Covers,
    books: BookCache,
    downloads: DownloadCache,
}

impl Content {
    /// Content of `catalog`'s volumes, covers through `covers`.
    pub fn new(catalog: Catalog, covers: Covers) -> Self {
        Self {
            catalog,
            covers,
            books: Arc::new(Mutex::new(Vec::new())),
            downloads: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// The cover service.
    pub fn covers(&self) -> &Covers {
        &self.covers
    }

    /// The cover of volume `id` at `zoom` (the generated one when it has none).
    pub async fn cover(&self, id: &str, zoom: Zoom) -> Result<CoverImage, ContentError> {
        let record = self.volume(id).await?;
        Ok(self.covers.image(&record, zoom).await?)
    }

    async fn volume(&self, id: &str) -> Result<VolumeRecord, ContentError> {
        match self.catalog.get_volume(id).await {
            Ok(r) => Ok(r),
            Err(CatalogError::VolumeNotFound) => Err(ContentError::VolumeNotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// Opens volume `id` for reading: its record, rights and paginated text. Recently opened
    /// texts are kept paginated in memory (a few books), keyed by the record's etag.
    pub async fn open(&self, id: &str) -> Result<OpenedBook, ContentError> {
        let record = self.volume(id).await?;
        let rights = Rights::of(&record);
        let book = self.paginated(&record).await?;
        Ok(OpenedBook {
            record,
            rights,
            book,
        })
    }

    /// Opens a private volume (the caller's own upload) whose record and text the caller
    /// already holds; paginated texts are cached like the catalog's.
    pub async fn open_private(
        &self,
        record: VolumeRecord,
        text: Option<String>,
    ) -> Result<OpenedBook, ContentError> {
        let rights = Rights::of(&record);
        let book = match self.cached(&record) {
            Some(book) => Some(book),
            None => match text {
                Some(text) => Some(self.paginate(&record, text).await?),
                None => None,
            },
        };
        Ok(OpenedBook {
            record,
            rights,
            book,
        })
    }

    fn cached(&self, record: &VolumeRecord) -> Option<Arc<Paginated>> {
        let mut cache = self.books.lock().unwrap_or_else(|e| e.into_inner());
        let pos = cache
            .iter()
            .position(|(id, etag, _)| *id == record.id && *etag == record.etag)?;
        let hit = cache.remove(pos);
        let book = hit.2.clone();
        cache.insert(0, hit);
        Some(book)
    }

    async fn paginate(
        &self,
        record: &VolumeRecord,
        text: String,
    ) -> Result<Arc<Paginated>, ContentError> {
        let book = Arc::new(
            tokio::task::spawn_blocking(move || Paginated::new(&text))
                .await
                .map_err(|e| CatalogError::Task(e.to_string()))?,
        );
        let mut cache = self.books.lock().unwrap_or_else(|e| e.into_inner());
        cache.insert(0, (record.id.clone(), record.etag.clone(), book.clone()));
        cache.truncate(CACHED_BOOKS);
        Ok(book)
    }

    async fn paginated(
        &self,
        record: &VolumeRecord,
    ) -> Result<Option<Arc<Paginated>>, ContentError> {
        if let Some(book) = self.cached(record) {
            return Ok(Some(book));
        }
        let texts = self
            .catalog
            .store()
            .full_texts(std::slice::from_ref(&record.id))
            .await
            .map_err(CatalogError::from)?;
        let Some((_, text)) = texts.into_iter().next() else {
            return Ok(None);
        };
        Ok(Some(self.paginate(record, text).await?))
    }

    /// The EPUB of volume `id`, when its rights allow downloading: made from the stored text.
    pub async fn epub(&self, id: &str) -> Result<Download, ContentError> {
        self.download(id, Format::Epub).await
    }

    /// The PDF of volume `id`, when its rights allow downloading and its `accessInfo` says a
    /// PDF is available: made from the stored text (see `pdf_out`).
    pub async fn pdf(&self, id: &str) -> Result<Download, ContentError> {
        self.download(id, Format::Pdf).await
    }

    /// A generated download; the last few are kept in memory, keyed by the record's etag
    /// (the bytes are deterministic, so a cache miss makes the same file again).
    pub async fn download(&self, id: &str, format: Format) -> Result<Download, ContentError> {
        let record = self.volume(id).await?;
        let rights = Rights::of(&record);
        if !rights.may_download() {
            return Err(ContentError::NotAllowed);
        }
        if format == Format::Pdf
            && colophon_domain::access::access_info(&record, None)
                .and_then(|a| a.pdf)
                .and_then(|p| p.is_available)
                != Some(true)
        {
            return Err(ContentError::FormatUnavailable("PDF"));
        }
        {
            let mut cache = self.downloads.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(pos) = cache
                .iter()
                .position(|(v, etag, f, _)| *v == record.id && *etag == record.etag && *f == format)
            {
                let hit = cache.remove(pos);
                let file = hit.3.clone();
                cache.insert(0, hit);
                return Ok(file);
            }
        }
        let Some(book) = self.paginated(&record).await? else {
            return Err(ContentError::NoContent);
        };
        let file_name = format!(
            "{}.{}",
            colophon_domain::render::title_slug(
                record.volume_info.title.as_deref().unwrap_or("book")
            ),
            format.as_str()
        );
        let for_build = record.clone();
        let bytes = tokio::task::spawn_blocking(move || match format {
            Format::Epub => crate::epub_out::build_epub(&for_build, &book)
                .map_err(|e| ContentError::Build(e.to_string())),
            // A text imported before the import checked it (accessInfo still says a PDF is
            // available): refused like any volume without a PDF, not a server error.
            Format::Pdf => crate::pdf_out::build_pdf(&for_build, &book)
                .map_err(|_| ContentError::FormatUnavailable("PDF")),
        })
        .await
        .map_err(|e| ContentError::Build(e.to_string()))??;
        let file = Download {
            bytes: Arc::new(bytes),
            media_type: format.media_type(),
            file_name,
        };
        let mut cache = self.downloads.lock().unwrap_or_else(|e| e.into_inner());
        cache.insert(
            0,
            (record.id.clone(), record.etag.clone(), format, file.clone()),
        );
        cache.truncate(CACHED_DOWNLOADS);
        Ok(file)
    }
}
