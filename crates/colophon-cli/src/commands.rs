//! One module per subcommand.

pub mod config;
pub mod import;
pub mod keys;
pub mod maintenance;
pub mod serve;
