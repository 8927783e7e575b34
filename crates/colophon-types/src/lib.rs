#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod error;
pub mod volume;

pub use error::{ErrorBody, ErrorDetail, ErrorItem, ErrorResponse};
pub use volume::*;
