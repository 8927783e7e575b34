//! One module per subcommand.

pub mod clients;
pub mod config;
pub mod covers;
pub mod families;
pub mod import;
pub mod keys;
pub mod lending;
pub mod maintenance;
pub mod projects;
pub mod serve;
pub mod tokens;
pub mod users;
