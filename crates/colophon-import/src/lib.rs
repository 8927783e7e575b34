#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod demo;
pub mod googlebooks;
pub mod source;

pub use source::SourceRecord;

/// A record a reader could not turn into a volume.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{position}: {reason}")]
pub struct Rejected {
    /// Where in the input (e.g. `line 12`, `byte 3400`, `items[3]`).
    pub position: String,
    /// Why.
    pub reason: String,
}

/// Opens a file for reading, decompressing `.gz` files.
pub fn open_input(path: &std::path::Path) -> std::io::Result<Box<dyn std::io::Read + Send>> {
    let file = std::fs::File::open(path)?;
    let reader = std::io::BufReader::with_capacity(1 << 16, file);
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
    {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(reader)))
    } else {
        Ok(Box::new(reader))
    }
}

/// Where the project's shared real data lives (`../shared` beside the checkout, or
/// `COLOPHON_SHARED_DIR`), for tests over real files.
#[cfg(test)]
#[allow(dead_code)] // until a reader's tests use it
pub(crate) fn shared_data_dir() -> std::path::PathBuf {
    std::env::var_os("COLOPHON_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
        })
        .join("data")
}
