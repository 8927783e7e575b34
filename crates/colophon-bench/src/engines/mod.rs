//! The engines behind the front: each answers a [`PeerQuery`] with [`Hits`] and a get by id
//! with the stored `Volume` JSON.

pub mod fts5;
pub mod postgres;
pub mod tantivy_peer;

use anyhow::Result;

use crate::page::Hits;
use crate::query::PeerQuery;

/// An opened engine.
pub enum Engine {
    /// No engine: the same 10 stored volumes for every search (the ceiling of the front).
    Hello(Vec<String>),
    /// Plain tantivy.
    Tantivy(tantivy_peer::TantivyPeer),
    /// SQLite FTS5.
    Fts5(fts5::Fts5Peer),
    /// PostgreSQL with GIN or RUM.
    Postgres(postgres::PgPeer),
}

impl Engine {
    /// One page of hits.
    pub async fn search(&self, q: &PeerQuery) -> Result<Hits> {
        match self {
            Engine::Hello(docs) => Ok(Hits {
                total: docs.len() as u64,
                docs: docs.iter().take(q.max as usize).cloned().collect(),
            }),
            Engine::Tantivy(e) => e.search(q),
            Engine::Fts5(e) => e.search(q),
            Engine::Postgres(e) => e.search(q).await,
        }
    }

    /// The stored volume with this id.
    pub async fn get(&self, id: &str) -> Result<Option<String>> {
        match self {
            Engine::Hello(docs) => Ok(docs.first().cloned()),
            Engine::Tantivy(e) => e.get(id),
            Engine::Fts5(e) => e.get(id),
            Engine::Postgres(e) => e.get(id).await,
        }
    }
}
