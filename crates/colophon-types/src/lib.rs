#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod bookshelf;
pub mod error;
pub mod library;
pub mod volume;

pub use bookshelf::{Bookshelf, Bookshelves};
pub use error::{ErrorBody, ErrorDetail, ErrorItem, ErrorResponse};
pub use library::{ReadingPosition, UserInfo};
pub use volume::*;
