#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod api_keys;
pub mod catalog;
pub mod content;
pub mod covers;
pub mod epub_out;
pub mod export;
pub mod ingest;
pub mod reading;

pub use api_keys::{ApiKeys, CreatedKey, KeyCheck};
pub use catalog::{Catalog, CatalogError};
pub use content::{Content, ContentError, Download, OpenedBook};
pub use covers::{CoverError, CoverImage, Covers, Zoom};
pub use export::ExportError;
pub use ingest::{IngestReport, IngestSession};
