#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod annotations;
pub mod api_keys;
pub mod catalog;
pub mod console;
pub mod content;
pub mod covers;
pub mod epub_out;
pub mod export;
pub mod families;
pub mod ingest;
pub mod library;
pub mod licensing;
pub mod onboarding;
pub mod pdf_out;
pub mod reading;
pub mod recommendations;
pub mod series;
pub mod uploads;
mod uploads_pdf;
pub mod uploads_resumable;

pub use annotations::{Annotations, AnnotationsError, LayerBudget, ListRequest, Page};
pub use api_keys::{ApiKeys, CreatedKey, KeyCheck};
pub use catalog::{Catalog, CatalogError};
pub use console::{Actor, Console, ConsoleError};
pub use content::{Content, ContentError, Download, Format, OpenedBook};
pub use covers::{CoverError, CoverImage, Covers, Zoom};
pub use export::ExportError;
pub use families::{Families, FamilyError};
pub use ingest::{IngestReport, IngestSession};
pub use library::{Library, LibraryError};
pub use licensing::{Licensing, LicensingError, Requester};
pub use onboarding::Onboarding;
pub use recommendations::{Rating, Recommendations};
pub use series::{SeriesCatalog, SeriesSummary};
pub use uploads::{UploadError, UploadLimits, Uploads};
