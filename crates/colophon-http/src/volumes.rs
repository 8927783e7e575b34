//! The `volumes` resource.

pub mod associated;
pub mod get;
pub mod list;
pub mod mybooks;
pub mod recommended;
pub mod useruploaded;
