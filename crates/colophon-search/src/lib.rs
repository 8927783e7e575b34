#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod analysis;
mod collector;
mod compile;
mod error;
mod index;
mod native;
mod plain_seek;
pub mod query;
mod schema;
mod snippet;
mod words;

#[cfg(test)]
mod tests;

pub use error::{EngineError, SearchError};
pub use index::{Browse, IndexUpdater, SearchIndex, DEFAULT_WRITER_MEMORY};
pub use query::{parse, Clause, ParsedQuery, QueryField};
pub use snippet::description_snippet;
