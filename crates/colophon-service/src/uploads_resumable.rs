//! Google's resumable upload protocol, the session side: `uploadType=resumable` starts a
//! session (its id is the capability the client `PUT`s the bytes to), chunks arrive in order
//! (`Content-Range: bytes a-b/total`), a status query (`bytes */total`) says how much arrived,
//! and the last byte completes it. Sessions live in this node's memory, bounded: each holds at
//! most the upload limit, at most [`MAX_SESSIONS`] exist at once (per node) and
//! [`MAX_SESSIONS_PER_USER`] per user, and an idle session expires after [`IDLE`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::uploads::UploadError;

/// Sessions open at once on this node.
pub const MAX_SESSIONS: usize = 8;
/// Sessions open at once per user.
pub const MAX_SESSIONS_PER_USER: usize = 2;
/// An idle session is dropped after this long.
pub const IDLE: Duration = Duration::from_secs(3600);

/// What the session will become.
#[derive(Debug, Clone, Default)]
pub struct SessionMeta {
    /// The owner.
    pub user_id: String,
    /// File name.
    pub name: String,
    /// Declared media type.
    pub declared: Option<String>,
    /// Title the owner set.
    pub title: Option<String>,
    /// Author the owner set.
    pub author: Option<String>,
}

struct Session {
    meta: SessionMeta,
    total: Option<u64>,
    bytes: Vec<u8>,
    touched: Instant,
}

/// Where a `PUT` left the session.
#[derive(Debug)]
pub enum Progress {
    /// More bytes are expected: this many have arrived.
    Incomplete {
        /// Bytes received so far.
        received: u64,
    },
    /// The whole file arrived (the session is closed).
    Complete {
        /// What the session was started with.
        meta: SessionMeta,
        /// The file.
        bytes: Vec<u8>,
    },
}

/// Why a `PUT` was refused.
#[derive(Debug, thiserror::Error)]
pub enum ResumableError {
    /// No such session (never started, completed, or expired).
    #[error("No upload session with this upload_id (it may have expired or completed).")]
    NoSession,
    /// The chunk does not start where the received bytes end, or its range is malformed.
    #[error("{0}")]
    BadRange(String),
    /// Over the limits.
    #[error(transparent)]
    Upload(#[from] UploadError),
}

/// The open sessions of this node.
#[derive(Clone, Default)]
pub struct Resumable {
    sessions: Arc<Mutex<HashMap<String, Session>>>,
}

/// A chunk's place: `Content-Range: bytes first-last/total`, or `bytes */total` (a query);
/// `total` may be `*` (unknown yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkRange {
    /// First byte's offset (None for a status query).
    pub first: Option<u64>,
    /// The file's size, when known.
    pub total: Option<u64>,
}

impl ChunkRange {
    /// Parses a `Content-Range` value.
    pub fn parse(value: &str) -> Option<Self> {
        let rest = value.trim().strip_prefix("bytes")?.trim();
        let (range, total) = rest.split_once('/')?;
        let total = match total.trim() {
            "*" => None,
            t => Some(t.parse().ok()?),
        };
        let first = match range.trim() {
            "*" => None,
            r => {
                let (a, b) = r.split_once('-')?;
                let (a, b): (u64, u64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                if b < a {
                    return None;
                }
                Some(a)
            }
        };
        Some(Self { first, total })
    }
}

impl Resumable {
    fn sweep(sessions: &mut HashMap<String, Session>) {
        sessions.retain(|_, s| s.touched.elapsed() < IDLE);
    }

    /// Opens a session for `meta`; `total` is the announced size (`X-Upload-Content-Length`).
    pub fn start(
        &self,
        meta: SessionMeta,
        total: Option<u64>,
        limit: u64,
    ) -> Result<String, UploadError> {
        if total.is_some_and(|t| t > limit) {
            return Err(UploadError::TooLarge { limit });
        }
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        Self::sweep(&mut sessions);
        let mine = sessions
            .values()
            .filter(|s| s.meta.user_id == meta.user_id)
            .count();
        if mine >= MAX_SESSIONS_PER_USER || sessions.len() >= MAX_SESSIONS {
            return Err(UploadError::Unsupported(
                "Too many unfinished resumable uploads: finish one, or upload with \
                 uploadType=media or multipart."
                    .into(),
            ));
        }
        let id = colophon_auth::secret::random_urlsafe(18);
        sessions.insert(
            id.clone(),
            Session {
                meta,
                total,
                bytes: Vec::new(),
                touched: Instant::now(),
            },
        );
        Ok(id)
    }

    /// Adds `data` at `range` (None: the whole file in one request) to session `id`.
    pub fn put(
        &self,
        id: &str,
        range: Option<ChunkRange>,
        data: &[u8],
        limit: u64,
    ) -> Result<Progress, ResumableError> {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        Self::sweep(&mut sessions);
        let session = sessions.get_mut(id).ok_or(ResumableError::NoSession)?;
        session.touched = Instant::now();
        let received = session.bytes.len() as u64;
        let range = range.unwrap_or(ChunkRange {
            first: Some(0),
            total: Some(data.len() as u64),
        });
        if let Some(total) = range.total {
            if total > limit {
                sessions.remove(id);
                return Err(UploadError::TooLarge { limit }.into());
            }
            match session.total {
                Some(known) if known != total => {
                    return Err(ResumableError::BadRange(format!(
                        "The upload's size was announced as {known} bytes, not {total}."
                    )))
                }
                _ => session.total = Some(total),
            }
        }
        if let Some(first) = range.first {
            if first != received {
                return Err(ResumableError::BadRange(format!(
                    "This chunk starts at byte {first}, but {received} bytes have arrived: \
                     send from byte {received}."
                )));
            }
            if received + data.len() as u64 > limit
                || session
                    .total
                    .is_some_and(|t| received + data.len() as u64 > t)
            {
                sessions.remove(id);
                return Err(UploadError::TooLarge { limit }.into());
            }
            session.bytes.extend_from_slice(data);
        }
        let received = session.bytes.len() as u64;
        if session.total == Some(received) && range.first.is_some() {
            let done = sessions.remove(id).ok_or(ResumableError::NoSession)?;
            return Ok(Progress::Complete {
                meta: done.meta,
                bytes: done.bytes,
            });
        }
        Ok(Progress::Incomplete { received })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(user: &str) -> SessionMeta {
        SessionMeta {
            user_id: user.into(),
            name: "a.epub".into(),
            ..SessionMeta::default()
        }
    }

    #[test]
    fn chunks_in_order_complete_the_file() {
        let r = Resumable::default();
        let id = r.start(meta("u"), Some(6), 100).unwrap();
        let range = |s: &str| ChunkRange::parse(s);
        assert!(matches!(
            r.put(&id, range("bytes 0-2/6"), b"abc", 100).unwrap(),
            Progress::Incomplete { received: 3 }
        ));
        // A status query, then a chunk at the wrong place.
        assert!(matches!(
            r.put(&id, range("bytes */6"), b"", 100).unwrap(),
            Progress::Incomplete { received: 3 }
        ));
        assert!(matches!(
            r.put(&id, range("bytes 1-3/6"), b"bcd", 100),
            Err(ResumableError::BadRange(_))
        ));
        match r.put(&id, range("bytes 3-5/6"), b"def", 100).unwrap() {
            Progress::Complete { bytes, meta } => {
                assert_eq!(bytes, b"abcdef");
                assert_eq!(meta.user_id, "u");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            r.put(&id, None, b"x", 100),
            Err(ResumableError::NoSession)
        ));
    }

    #[test]
    fn limits_and_ranges() {
        let r = Resumable::default();
        assert!(r.start(meta("u"), Some(101), 100).is_err());
        let id = r.start(meta("u"), None, 100).unwrap();
        assert!(r
            .put(&id, ChunkRange::parse("bytes 0-100/*"), &[0; 101], 100)
            .is_err());
        assert!(
            matches!(r.put(&id, None, b"x", 100), Err(ResumableError::NoSession)),
            "an oversized session is dropped"
        );
        r.start(meta("v"), None, 100).unwrap();
        r.start(meta("v"), None, 100).unwrap();
        assert!(r.start(meta("v"), None, 100).is_err(), "two per user");
        assert_eq!(ChunkRange::parse("bytes 5-2/9"), None);
        assert_eq!(ChunkRange::parse("items 0-1/2"), None);
        assert_eq!(
            ChunkRange::parse("bytes */*"),
            Some(ChunkRange {
                first: None,
                total: None
            })
        );
    }
}
