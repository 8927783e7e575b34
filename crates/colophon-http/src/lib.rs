#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod bookshelves;
mod cloudloading;
mod console_gate;
mod content;
mod discovery;
pub mod error;
mod json_body;
mod layers;
mod myconfig;
mod mylibrary;
mod oauth;
mod pages;
pub mod params;
pub mod request;
pub mod response;
mod router;
mod state;
mod user_volumes;
mod volumes;

pub use error::ApiError;
pub use router::router;
pub use state::{AppState, HttpConfig, QuotaErrors};
