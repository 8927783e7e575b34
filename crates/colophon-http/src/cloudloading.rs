//! `cloudloading.addBook`, `cloudloading.updateBook`, `cloudloading.deleteBook`: a signed-in
//! user's own books (see `colophon_service::uploads`).
//!
//! The bytes arrive through Google's upload protocols on the upload path
//! (`POST /upload/books/v1/cloudloading/addBook?uploadType=media|multipart`, [`upload`]) or
//! the web form (`pages::uploads`). `addBook` on the plain path carries no file: its
//! `drive_document_id` (Google Drive) and `upload_client_token` (Google's "Scotty" upload
//! service) name things Colophon does not have, so each gets a 400 naming the upload path.

pub mod multipart;
pub mod upload;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::response::Response;
use colophon_service::uploads::UploadError;
use colophon_store::UploadRecord;
use colophon_types::BooksCloudloadingResource;

use crate::request::UserRequest;
use crate::response::respond;
use crate::user_volumes::empty;
use crate::{ApiError, AppState};

/// Where files are uploaded.
pub const UPLOAD_PATH: &str = "/upload/books/v1/cloudloading/addBook";

/// The wire resource of an upload.
pub fn resource(upload: &UploadRecord) -> BooksCloudloadingResource {
    BooksCloudloadingResource {
        author: Some(upload.author.clone()).filter(|a| !a.is_empty()),
        processing_state: Some(upload.state.as_str().to_owned()),
        title: Some(upload.title.clone()).filter(|t| !t.is_empty()),
        volume_id: Some(upload.volume_id.as_str().to_owned()),
    }
}

impl From<UploadError> for ApiError {
    fn from(e: UploadError) -> Self {
        match e {
            UploadError::NotFound => ApiError::VolumeNotFound,
            UploadError::TooLarge { limit } => ApiError::UploadTooLarge { limit },
            UploadError::Empty | UploadError::Unsupported(_) => ApiError::InvalidValue {
                field: "media".into(),
                message: e.to_string(),
            },
            UploadError::InvalidValue(message) => ApiError::InvalidValue {
                field: "body".into(),
                message,
            },
            UploadError::Store(e) => e.into(),
        }
    }
}

/// `POST /books/v1/cloudloading/addBook` without a file.
pub async fn add_book(_state: State<AppState>, req: UserRequest) -> Result<Response, ApiError> {
    let p = &req.request.params;
    let drive = p.non_empty("drive_document_id");
    let token = p.non_empty("upload_client_token");
    if drive.is_some() && token.is_some() {
        return Err(ApiError::invalid(
            "upload_client_token",
            "upload_client_token must not be set together with drive_document_id.",
        ));
    }
    if drive.is_none() {
        for name in ["mime_type", "name"] {
            if p.non_empty(name).is_some() {
                return Err(ApiError::invalid(
                    name,
                    format!("{name} can be set only if drive_document_id is set."),
                ));
            }
        }
    }
    if drive.is_some() {
        return Err(ApiError::invalid(
            "drive_document_id",
            format!(
                "Colophon has no Google Drive to read drive_document_id from. Upload the EPUB \
                 or PDF itself: POST it to {UPLOAD_PATH}?uploadType=media (or multipart)."
            ),
        ));
    }
    if token.is_some() {
        return Err(ApiError::invalid(
            "upload_client_token",
            format!(
                "Unknown upload_client_token: Colophon issues no upload tokens. POST the file \
                 to {UPLOAD_PATH}?uploadType=media (or multipart)."
            ),
        ));
    }
    Err(ApiError::InvalidValue {
        field: "media".into(),
        message: format!(
            "No file: POST the EPUB or PDF to {UPLOAD_PATH}?uploadType=media (or multipart)."
        ),
    })
}

/// `POST /books/v1/cloudloading/updateBook` with a `BooksCloudloadingResource` body: changes
/// the title and/or author of one's own upload named by `volumeId`.
pub async fn update_book(
    State(state): State<AppState>,
    req: UserRequest,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body: BooksCloudloadingResource = crate::json_body::decode(body)?;
    let Some(volume_id) = body.volume_id.as_deref().filter(|v| !v.is_empty()) else {
        return Err(ApiError::InvalidValue {
            field: "volumeId".into(),
            message: "volumeId is required: the id of the upload to update.".into(),
        });
    };
    let updated = state
        .uploads
        .update(
            &req.user.user_id,
            volume_id,
            body.title.as_deref(),
            body.author.as_deref(),
        )
        .await?;
    respond(&req.request.output, &resource(&updated))
}

/// `POST /books/v1/cloudloading/deleteBook?volumeId=…`: removes one's own upload.
pub async fn delete_book(
    State(state): State<AppState>,
    req: UserRequest,
) -> Result<Response, ApiError> {
    let volume_id = req
        .request
        .params
        .non_empty("volumeId")
        .ok_or(ApiError::Required("volumeId"))?;
    state.uploads.delete(&req.user.user_id, volume_id).await?;
    empty(&req.request.output)
}
