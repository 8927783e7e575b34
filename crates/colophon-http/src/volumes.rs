//! The `volumes` resource.

pub mod associated;
pub mod get;
pub mod list;
pub mod recommended;
