#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod annotation;
pub mod bookshelf;
pub mod discovery;
pub mod error;
pub mod layer;
pub mod library;
pub mod myconfig;
pub mod volume;

pub use annotation::{
    Annotation, AnnotationLayerSummary, AnnotationRange, AnnotationRanges, Annotations,
    AnnotationsSummary, AnnotationsSummaryLayer, RateRecommendedVolumeResponse,
};
pub use bookshelf::{Bookshelf, Bookshelves};
pub use error::{ErrorBody, ErrorDetail, ErrorItem, ErrorResponse};
pub use layer::{
    Annotationsdata, Layersummaries, Layersummary, Volumeannotation, VolumeannotationContentRanges,
    Volumeannotations,
};
pub use library::{BooksCloudloadingResource, ReadingPosition, UserInfo, UserUploadedVolumeInfo};
pub use myconfig::{
    ConcurrentAccessRestriction, DownloadAccessRestriction, DownloadAccesses, NotesExport,
    Notification, OptedState, RequestAccessData, Usersettings,
};
pub use volume::*;
