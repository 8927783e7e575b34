//! Book content: covers (`/books/content`), downloads (`/books/download/...`) and the web
//! reader (`/books/reader`, `/books`), under the paths Google's links use.
//!
//! None of these needs an API key: they are what a volume's links (`imageLinks`,
//! `downloadLink`, `webReaderLink`, `previewLink`) point at, opened by browsers and image
//! tags, as Google's are. What they show is limited by each volume's rights
//! (`colophon_domain::access::Rights`).

pub mod covers;
pub mod download;
pub mod owner;
pub mod range;
pub mod reader;

use colophon_service::ContentError;

use crate::ApiError;

impl From<ContentError> for ApiError {
    fn from(e: ContentError) -> Self {
        match e {
            ContentError::VolumeNotFound => ApiError::VolumeNotFound,
            ContentError::NotAllowed => {
                ApiError::Forbidden("The rights of this volume do not allow downloading it.".into())
            }
            ContentError::NoContent => {
                ApiError::NotFound("This volume has no content to download.".into())
            }
            ContentError::FormatUnavailable(format) => {
                ApiError::NotFound(format!("No {format} of this volume is available."))
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}
