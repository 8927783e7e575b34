#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod access;
pub mod annotation;
pub mod contribution;
pub mod ids;
pub mod isbn;
pub mod key_restrictions;
pub mod lending;
pub mod library;
pub mod options;
pub mod paging;
pub mod recommend;
pub mod record;
pub mod render;
pub mod search;
pub mod series;
pub mod winansi;

pub use contribution::{merge, text_digest, Contribution};
pub use ids::{VolumeId, VolumeIdError};
pub use isbn::{Isbn, IsbnError};
pub use options::*;
pub use record::{compute_etag, VolumeRecord};
pub use search::{SearchHit, SearchRequest, SearchResults};
