//! The `volumes` resource.

pub mod get;
pub mod list;
pub mod mybooks;
