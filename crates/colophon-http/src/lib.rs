#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod content;
pub mod error;
mod mylibrary;
mod oauth;
mod pages;
pub mod params;
pub mod request;
pub mod response;
mod router;
mod state;
mod volumes;

pub use error::ApiError;
pub use router::router;
pub use state::{AppState, HttpConfig};
