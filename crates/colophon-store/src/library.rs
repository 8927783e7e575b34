//! The personal library: what each user put on their shelves, in order, and where they
//! stopped reading each volume.
//!
//! Shelves themselves are fixed (see `colophon_domain::library::FIXED_SHELVES`); the store
//! keeps per user and shelf only what changes: the entries (`shelf_volumes`, with an explicit
//! `position` column) and a metadata row (`library_shelves`: entry count and the time a volume
//! was last added or removed), both written in the same transaction. Every write on one shelf
//! is serialised (the SQLite writer lock; a row lock on the shelf's metadata row in
//! PostgreSQL), so concurrent writes from several devices never lose an update and the order
//! stays a permutation of the entries.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use colophon_domain::VolumeId;

use crate::StoreResult;

/// The stored state of one shelf of one user (only shelves that were ever written have one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShelfState {
    /// Shelf id.
    pub shelf_id: i32,
    /// Number of entries.
    pub volume_count: u32,
    /// Last time a volume was added or removed.
    pub volumes_last_updated: DateTime<Utc>,
}

/// One volume on a shelf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShelfEntry {
    /// Shelf id.
    pub shelf_id: i32,
    /// The volume.
    pub volume_id: VolumeId,
    /// When it was put there.
    pub added: DateTime<Utc>,
}

/// What `move_on_shelf` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveOutcome {
    /// The volume is now at the requested index.
    Moved,
    /// The volume is not on this shelf.
    NotOnShelf,
    /// The index is past the last entry; `count` entries are on the shelf.
    OutOfRange {
        /// Entries on the shelf.
        count: u32,
    },
}

/// A user's reading position in one volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadingPositionRecord {
    /// The user.
    pub user_id: String,
    /// The volume.
    pub volume_id: VolumeId,
    /// The position string as given.
    pub position: String,
    /// Which kind of position (`epubcfi`, `gbimage`, `pdf`, `gbtext`).
    pub kind: String,
    /// The client's timestamp of the position: newer wins.
    pub updated: DateTime<Utc>,
    /// When the server stored it.
    pub received: DateTime<Utc>,
    /// `action`, if given.
    pub action: Option<String>,
    /// `deviceCookie`, if given.
    pub device_cookie: Option<String>,
    /// `contentVersion`, if given.
    pub content_version: Option<String>,
}

/// Storage of users' shelves and reading positions.
#[async_trait]
pub trait LibraryStore: Send + Sync {
    /// The stored state of every shelf of `user_id` that was ever written.
    async fn shelf_states(&self, user_id: &str) -> StoreResult<Vec<ShelfState>>;

    /// Puts `volume` at the end of the shelf, at `now`; `false` (and nothing written) when it
    /// is already there.
    async fn add_to_shelf(
        &self,
        user_id: &str,
        shelf_id: i32,
        volume: &VolumeId,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Takes `volume` off the shelf; `false` (and nothing written) when it was not there.
    async fn remove_from_shelf(
        &self,
        user_id: &str,
        shelf_id: i32,
        volume: &VolumeId,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Empties the shelf; the number of entries removed.
    async fn clear_shelf(
        &self,
        user_id: &str,
        shelf_id: i32,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;

    /// Moves `volume` to 0-based `index` among the shelf's entries (0: first), keeping the
    /// relative order of the others.
    async fn move_on_shelf(
        &self,
        user_id: &str,
        shelf_id: i32,
        volume: &VolumeId,
        index: u32,
    ) -> StoreResult<MoveOutcome>;

    /// Up to `limit` entries of the shelf from `offset`, in shelf order.
    async fn shelf_entries(
        &self,
        user_id: &str,
        shelf_id: i32,
        offset: u32,
        limit: u32,
    ) -> StoreResult<Vec<ShelfEntry>>;

    /// Every entry of the user on any of `shelf_ids` (all shelves when empty), newest first
    /// (then by shelf and position): the user's library.
    async fn library_entries(
        &self,
        user_id: &str,
        shelf_ids: &[i32],
    ) -> StoreResult<Vec<ShelfEntry>>;

    /// The user's entries for these volumes, on every shelf (for `userInfo` and "which of my
    /// shelves hold V").
    async fn entries_for_volumes(
        &self,
        user_id: &str,
        volumes: &[VolumeId],
    ) -> StoreResult<Vec<ShelfEntry>>;

    /// Co-shelving: the volumes that the most users who put `volume` on one of `shelf_ids`
    /// also put on one of those shelves, with the number of such users; most first, then by
    /// id; never `volume` itself; at most `limit`. Callers pass public shelves only, so the
    /// counts reveal nothing that is not already public.
    async fn co_shelved(
        &self,
        volume: &VolumeId,
        shelf_ids: &[i32],
        limit: u32,
    ) -> StoreResult<Vec<(VolumeId, u32)>>;

    /// Stores a reading position unless the stored one has the same or a newer `updated`;
    /// `true` when written.
    async fn set_reading_position(&self, position: &ReadingPositionRecord) -> StoreResult<bool>;

    /// The user's reading positions in these volumes (those that exist).
    async fn reading_positions(
        &self,
        user_id: &str,
        volumes: &[VolumeId],
    ) -> StoreResult<Vec<ReadingPositionRecord>>;
}

/// The position changes that move `volume` to 0-based `index` on a shelf whose entries are
/// `rows` (`(volume id, position)` in position order): the positions stay the same set, only
/// the entries between the old and the new index get new ones.
///
/// `None` when the volume is not on the shelf; `Some(Err(count))` when `index` is past the
/// last of the `count` entries. Shared by the backends so that both order alike.
pub fn plan_move(
    rows: &[(String, i64)],
    volume: &str,
    index: u32,
) -> Option<Result<Vec<(String, i64)>, u32>> {
    let from = rows.iter().position(|(v, _)| v == volume)?;
    let count = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    if index >= count {
        return Some(Err(count));
    }
    let to = index as usize;
    let mut order: Vec<&str> = rows.iter().map(|(v, _)| v.as_str()).collect();
    let moving = order.remove(from);
    order.insert(to, moving);
    let (lo, hi) = (from.min(to), from.max(to));
    Some(Ok((lo..=hi)
        .map(|i| (order[i].to_owned(), rows[i].1))
        .collect()))
}

#[cfg(test)]
mod tests {
    use super::plan_move;

    fn rows(ids: &[&str]) -> Vec<(String, i64)> {
        ids.iter()
            .enumerate()
            .map(|(i, v)| ((*v).to_owned(), i as i64 * 10))
            .collect()
    }

    fn apply(rows: &[(String, i64)], changes: &[(String, i64)]) -> Vec<String> {
        let mut all: Vec<(String, i64)> = rows
            .iter()
            .map(|(v, p)| {
                let p = changes.iter().find(|(c, _)| c == v).map_or(*p, |(_, p)| *p);
                (v.clone(), p)
            })
            .collect();
        all.sort_by_key(|(_, p)| *p);
        all.into_iter().map(|(v, _)| v).collect()
    }

    #[test]
    fn moves_keep_the_others_in_order() {
        let r = rows(&["a", "b", "c", "d"]);
        let c = plan_move(&r, "c", 0).unwrap().unwrap();
        assert_eq!(apply(&r, &c), ["c", "a", "b", "d"]);
        assert_eq!(c.len(), 3, "only a..c change");
        let c = plan_move(&r, "a", 3).unwrap().unwrap();
        assert_eq!(apply(&r, &c), ["b", "c", "d", "a"]);
        let c = plan_move(&r, "b", 1).unwrap().unwrap();
        assert_eq!(apply(&r, &c), ["a", "b", "c", "d"]);
        assert_eq!(plan_move(&r, "x", 0), None);
        assert_eq!(plan_move(&r, "a", 4), Some(Err(4)));
    }
}
