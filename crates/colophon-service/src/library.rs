//! `Library`: the personal library's rules over the store — shelves (fixed table, visibility,
//! editability, counts and times), shelf entries in order, reading positions, "my books" and
//! the per-user `userInfo` of volumes.
//!
//! Every method takes the user id the caller proved (a token's user) or, for the public
//! `bookshelves.*` paths, the user id of the path together with `Visibility::Public`, which
//! hides private shelves as if they did not exist. Handlers only parse parameters and render.
//!
//! The small read API other features use: [`Library::shelves_holding`] ("which of U's shelves
//! hold V", empty when V is not in U's library) and [`Library::position_of`] ("U's reading
//! position in V").

pub mod render;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use colophon_domain::library::{
    AcquireMethod, FixedShelf, PositionAction, PositionKind, ProcessingState, ShelfId,
    FIXED_SHELVES, MAX_FUTURE_SKEW, RECENTLY_VIEWED,
};
use colophon_domain::{SearchRequest, VolumeId, VolumeRecord};
use colophon_store::{MoveOutcome, ReadingPositionRecord, Store, StoreError};

/// How many books the "Recently viewed" shelf keeps (the most recent first).
pub const RECENTLY_VIEWED_MAX: u32 = 100;

use crate::catalog::{Catalog, CatalogError, Found};

/// Where the library reads the time (a fixed clock in tests).
pub type Now = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Why a library operation failed.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// No such user (public paths).
    #[error("the user could not be found")]
    UserNotFound,
    /// No such shelf for this caller (unknown id, or private and not the caller's).
    #[error("the bookshelf could not be found")]
    ShelfNotFound,
    /// The volume id is malformed or unknown.
    #[error("the volume ID could not be found")]
    VolumeNotFound,
    /// The shelf is filled by the service, not by the user.
    #[error("bookshelf {} ({}) is not user-editable", .0.id, .0.title)]
    ReadOnlyShelf(&'static FixedShelf),
    /// `moveVolume` of a volume that is not on the shelf.
    #[error("the volume is not on bookshelf {0}")]
    NotOnShelf(ShelfId),
    /// `moveVolume` past the last entry.
    #[error("volumePosition {index} is outside [0, {last}]")]
    PositionOutOfRange {
        /// The index asked.
        index: u32,
        /// The last valid index (`count - 1`; 0 for an empty shelf).
        last: u32,
    },
    /// `setPosition` with a timestamp too far in the future.
    #[error("the timestamp is more than a day in the future")]
    TimestampInFuture,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The catalog (index) failed.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

impl LibraryError {
    fn from_catalog(e: CatalogError) -> Self {
        match e {
            CatalogError::VolumeNotFound => Self::VolumeNotFound,
            other => Self::Catalog(other),
        }
    }
}

/// Result alias of the library.
pub type LibraryResult<T> = Result<T, LibraryError>;

/// Whose view of a library: the owner sees every shelf, anyone else the public ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// The owner (a token of that user).
    Owner,
    /// Anybody else (API key, anonymous, another user's token).
    Public,
}

/// A shelf as shown: the fixed shelf with its user's counts and times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shelf {
    /// The owner.
    pub user_id: String,
    /// Id, title, access.
    pub fixed: &'static FixedShelf,
    /// Created (the account's creation: fixed shelves come with the account).
    pub created: DateTime<Utc>,
    /// Last change of the shelf itself (title, description, access: never changed through
    /// the API, so the creation time, as in Google's recordings of untouched shelves).
    pub updated: DateTime<Utc>,
    /// Entries.
    pub volume_count: u32,
    /// Last add or remove (the creation time before any).
    pub volumes_last_updated: DateTime<Utc>,
}

/// A page of volumes.
#[derive(Debug, Clone, Default)]
pub struct VolumePage {
    /// Total matching.
    pub total: u64,
    /// The page, with the search snippet when `q` was given.
    pub items: Vec<Found>,
}

/// What `setPosition` asks.
#[derive(Debug, Clone)]
pub struct NewPosition {
    /// The position string.
    pub position: String,
    /// The client's timestamp.
    pub timestamp: DateTime<Utc>,
    /// `action`.
    pub action: Option<PositionAction>,
    /// `deviceCookie`.
    pub device_cookie: Option<String>,
    /// `contentVersion`.
    pub content_version: Option<String>,
}

/// What Colophon knows of one user and one volume (`userInfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserVolume {
    /// The reading position.
    pub position: Option<ReadingPositionRecord>,
    /// Shelves holding it.
    pub shelves: Vec<ShelfId>,
    /// Last user action on it (shelving or reading position).
    pub updated: Option<DateTime<Utc>>,
}

/// The personal library service. Cheap to clone.
#[derive(Clone)]
pub struct Library {
    catalog: Catalog,
    now: Now,
}

/// Whether a volume is a preorder (hidden unless `showPreorders=true`).
pub fn is_preorder(record: &VolumeRecord) -> bool {
    record
        .sale_info
        .as_ref()
        .and_then(|s| s.saleability.as_deref())
        == Some("FOR_PREORDER")
}

impl Library {
    /// A library over the catalog's store and index, reading the time from `now`.
    pub fn new(catalog: Catalog, now: Now) -> Self {
        Self { catalog, now }
    }

    /// The library's current time (the clock it was built with).
    pub fn now(&self) -> DateTime<Utc> {
        (self.now)()
    }

    fn store(&self) -> &dyn Store {
        &**self.catalog.store()
    }

    async fn account_created(&self, user_id: &str) -> LibraryResult<DateTime<Utc>> {
        self.store()
            .find_user(user_id)
            .await?
            .map(|u| u.created)
            .ok_or(LibraryError::UserNotFound)
    }

    /// The user's shelves seen with `visibility`, in Google's order.
    pub async fn shelves(
        &self,
        user_id: &str,
        visibility: Visibility,
    ) -> LibraryResult<Vec<Shelf>> {
        let created = self.account_created(user_id).await?;
        let states = self.store().shelf_states(user_id).await?;
        Ok(FIXED_SHELVES
            .iter()
            .filter(|s| visibility == Visibility::Owner || s.public)
            .map(|fixed| {
                let state = states.iter().find(|st| st.shelf_id == fixed.id.get());
                Shelf {
                    user_id: user_id.to_owned(),
                    fixed,
                    created,
                    updated: created,
                    volume_count: state.map_or(0, |s| s.volume_count),
                    volumes_last_updated: state.map_or(created, |s| s.volumes_last_updated),
                }
            })
            .collect())
    }

    /// One shelf by its `{shelf}` path segment.
    pub async fn shelf(
        &self,
        user_id: &str,
        shelf: &str,
        visibility: Visibility,
    ) -> LibraryResult<Shelf> {
        let id = ShelfId::parse(shelf).ok_or(LibraryError::ShelfNotFound)?;
        self.shelves(user_id, visibility)
            .await?
            .into_iter()
            .find(|s| s.fixed.id == id)
            .ok_or(LibraryError::ShelfNotFound)
    }

    /// A page of a shelf's volumes: in shelf order, or, with `search` (its `q`, `startIndex`,
    /// `maxResults`), the shelf's volumes matching `q`, best first. Preorders are left out
    /// unless `show_preorders`; volumes deleted from the catalog are skipped.
    pub async fn shelf_volumes(
        &self,
        shelf: &Shelf,
        start: u32,
        max: u32,
        search: Option<&SearchRequest>,
        show_preorders: bool,
    ) -> LibraryResult<VolumePage> {
        let shelf_id = shelf.fixed.id.get();
        if let Some(req) = search {
            let ids: Vec<VolumeId> = self
                .store()
                .shelf_entries(&shelf.user_id, shelf_id, 0, u32::MAX)
                .await?
                .into_iter()
                .map(|e| e.volume_id)
                .collect();
            return self.search_among(req, &ids, show_preorders).await;
        }
        if show_preorders {
            let entries = self
                .store()
                .shelf_entries(&shelf.user_id, shelf_id, start, max)
                .await?;
            let ids: Vec<VolumeId> = entries.into_iter().map(|e| e.volume_id).collect();
            let records = self.store().get_volumes(&ids).await?;
            return Ok(VolumePage {
                total: u64::from(shelf.volume_count),
                items: records.into_iter().map(|r| (r, None)).collect(),
            });
        }
        // Without preorders the page is cut after filtering the whole shelf.
        let entries = self
            .store()
            .shelf_entries(&shelf.user_id, shelf_id, 0, u32::MAX)
            .await?;
        let ids: Vec<VolumeId> = entries.into_iter().map(|e| e.volume_id).collect();
        let records: Vec<VolumeRecord> = self
            .store()
            .get_volumes(&ids)
            .await?
            .into_iter()
            .filter(|r| !is_preorder(r))
            .collect();
        Ok(page_of(records, start, max))
    }

    async fn search_among(
        &self,
        req: &SearchRequest,
        ids: &[VolumeId],
        show_preorders: bool,
    ) -> LibraryResult<VolumePage> {
        let mut req = req.clone();
        req.show_preorders = show_preorders;
        let (total, items) = self
            .catalog
            .search_within(&req, ids)
            .await
            .map_err(LibraryError::from_catalog)?;
        Ok(VolumePage { total, items })
    }

    /// `volumes.list` with `libraryRestrict=my-library`: the search among every volume on
    /// any of the user's shelves.
    pub async fn search_library(
        &self,
        user_id: &str,
        req: &SearchRequest,
    ) -> LibraryResult<VolumePage> {
        let ids = self.library_ids(user_id).await?;
        self.search_among(req, &ids, req.show_preorders).await
    }

    /// Every distinct volume on the user's shelves, most recently shelved first.
    pub async fn library_ids(&self, user_id: &str) -> LibraryResult<Vec<VolumeId>> {
        let mut seen = HashSet::new();
        Ok(self
            .store()
            .library_entries(user_id, &[])
            .await?
            .into_iter()
            .filter(|e| seen.insert(e.volume_id.clone()))
            .map(|e| e.volume_id)
            .collect())
    }

    fn writable(shelf: &Shelf) -> LibraryResult<i32> {
        if shelf.fixed.writable {
            Ok(shelf.fixed.id.get())
        } else {
            Err(LibraryError::ReadOnlyShelf(shelf.fixed))
        }
    }

    async fn known_volume(&self, volume: &str) -> LibraryResult<VolumeId> {
        Ok(self
            .catalog
            .get_volume(volume)
            .await
            .map_err(LibraryError::from_catalog)?
            .id)
    }

    /// `addVolume`: puts a catalog volume at the end of one of the user's writable shelves.
    /// Adding a volume that is already there changes nothing and succeeds (a retry from a
    /// second device is not an error).
    pub async fn add_volume(&self, user_id: &str, shelf: &str, volume: &str) -> LibraryResult<()> {
        let shelf = self.shelf(user_id, shelf, Visibility::Owner).await?;
        let shelf_id = Self::writable(&shelf)?;
        let volume = self.known_volume(volume).await?;
        self.store()
            .add_to_shelf(user_id, shelf_id, &volume, (self.now)())
            .await?;
        Ok(())
    }

    /// `removeVolume`: takes a volume off a writable shelf; removing a catalog volume that is
    /// not on the shelf succeeds and changes nothing (idempotent, like a repeated add).
    pub async fn remove_volume(
        &self,
        user_id: &str,
        shelf: &str,
        volume: &str,
    ) -> LibraryResult<()> {
        let shelf = self.shelf(user_id, shelf, Visibility::Owner).await?;
        let shelf_id = Self::writable(&shelf)?;
        let volume = match VolumeId::parse(volume) {
            Ok(v) => v,
            Err(_) => return Err(LibraryError::VolumeNotFound),
        };
        if self
            .store()
            .remove_from_shelf(user_id, shelf_id, &volume, (self.now)())
            .await?
        {
            return Ok(());
        }
        // Not on the shelf: an unknown volume is an error, a known one a no-op.
        self.known_volume(volume.as_str()).await.map(|_| ())
    }

    /// `clearVolumes`: empties a writable shelf.
    pub async fn clear_volumes(&self, user_id: &str, shelf: &str) -> LibraryResult<u64> {
        let shelf = self.shelf(user_id, shelf, Visibility::Owner).await?;
        let shelf_id = Self::writable(&shelf)?;
        Ok(self
            .store()
            .clear_shelf(user_id, shelf_id, (self.now)())
            .await?)
    }

    /// `moveVolume`: moves a volume of a writable shelf to 0-based `index`.
    pub async fn move_volume(
        &self,
        user_id: &str,
        shelf: &str,
        volume: &str,
        index: u32,
    ) -> LibraryResult<()> {
        let shelf = self.shelf(user_id, shelf, Visibility::Owner).await?;
        let shelf_id = Self::writable(&shelf)?;
        let volume = VolumeId::parse(volume).map_err(|_| LibraryError::VolumeNotFound)?;
        match self
            .store()
            .move_on_shelf(user_id, shelf_id, &volume, index)
            .await?
        {
            MoveOutcome::Moved => Ok(()),
            MoveOutcome::NotOnShelf => {
                self.known_volume(volume.as_str()).await?;
                Err(LibraryError::NotOnShelf(shelf.fixed.id))
            }
            MoveOutcome::OutOfRange { count } => Err(LibraryError::PositionOutOfRange {
                index,
                last: count.saturating_sub(1),
            }),
        }
    }

    /// Records that `user_id` opened `volume` (in the web reader): it goes to the front of
    /// their "Recently viewed" shelf (6), which keeps the [`RECENTLY_VIEWED_MAX`] most recent.
    /// Turning pages of the book already at the front writes nothing.
    pub async fn record_view(&self, user_id: &str, volume: &VolumeId) -> LibraryResult<()> {
        let shelf = RECENTLY_VIEWED.get();
        let store = self.store();
        let front = store.shelf_entries(user_id, shelf, 0, 1).await?;
        if front.first().is_some_and(|e| &e.volume_id == volume) {
            return Ok(());
        }
        let now = (self.now)();
        store.add_to_shelf(user_id, shelf, volume, now).await?;
        store.move_on_shelf(user_id, shelf, volume, 0).await?;
        let overflow = store
            .shelf_entries(user_id, shelf, RECENTLY_VIEWED_MAX, u32::MAX)
            .await?;
        for old in overflow {
            store
                .remove_from_shelf(user_id, shelf, &old.volume_id, now)
                .await?;
        }
        Ok(())
    }

    /// `readingpositions.get`: the user's position in a catalog volume (`None`: never set,
    /// or set for another `contentVersion` than the one asked).
    pub async fn reading_position(
        &self,
        user_id: &str,
        volume: &str,
        content_version: Option<&str>,
    ) -> LibraryResult<(VolumeId, Option<ReadingPositionRecord>)> {
        let volume = self.known_volume(volume).await?;
        let found = self.position_of(user_id, &volume).await?.filter(|p| {
            match (content_version, p.content_version.as_deref()) {
                (Some(asked), Some(stored)) => asked == stored,
                _ => true,
            }
        });
        Ok((volume, found))
    }

    /// `setPosition`: records the position unless the stored one is as new or newer; `true`
    /// when it was written.
    pub async fn set_position(
        &self,
        user_id: &str,
        volume: &str,
        new: NewPosition,
    ) -> LibraryResult<bool> {
        let now = (self.now)();
        if new.timestamp > now + MAX_FUTURE_SKEW {
            return Err(LibraryError::TimestampInFuture);
        }
        let volume = self.known_volume(volume).await?;
        let record = ReadingPositionRecord {
            user_id: user_id.to_owned(),
            volume_id: volume,
            kind: PositionKind::of(&new.position).as_str().to_owned(),
            position: new.position,
            updated: new.timestamp,
            received: now,
            action: new.action.map(|a| a.as_str().to_owned()),
            device_cookie: new.device_cookie,
            content_version: new.content_version,
        };
        Ok(self.store().set_reading_position(&record).await?)
    }

    /// `volumes.mybooks.list`: the volumes on the user's shelves, most recently shelved
    /// first, each counted as acquired per [`AcquireMethod::of_shelved`], then the volumes
    /// other members of the user's family share with it (`FAMILY_SHARED`); `acquire` and
    /// `processing` filter (uploads are not listed here — the HTTP handler appends them from
    /// `Uploads` — so `processingState` matches nothing and `UPLOADED` nothing).
    pub async fn my_books(
        &self,
        user_id: &str,
        acquire: &[AcquireMethod],
        processing: &[ProcessingState],
        start: u32,
        max: u32,
    ) -> LibraryResult<VolumePage> {
        if !processing.is_empty() {
            return Ok(VolumePage::default());
        }
        let mut ids = self.library_ids(user_id).await?;
        let shared = self.family_shared(user_id, &ids).await?;
        ids.extend(shared.iter().cloned());
        let records: Vec<VolumeRecord> = self
            .store()
            .get_volumes(&ids)
            .await?
            .into_iter()
            .filter(|r| {
                let method = if shared.contains(&r.id) {
                    AcquireMethod::FamilyShared
                } else {
                    AcquireMethod::of_shelved(is_public_domain(r))
                };
                acquire.is_empty() || acquire.contains(&method)
            })
            .collect();
        Ok(page_of(records, start, max))
    }

    /// The volumes other members of the user's family share with it (`familysharing.share`),
    /// newest share first, leaving out `own` (the user's library).
    async fn family_shared(&self, user_id: &str, own: &[VolumeId]) -> LibraryResult<Vec<VolumeId>> {
        let Some(family) = self.store().family_membership(user_id).await? else {
            return Ok(Vec::new());
        };
        let mut shares = self.store().family_shares(&family.family_id).await?;
        shares.reverse();
        let mut seen: HashSet<VolumeId> = own.iter().cloned().collect();
        Ok(shares
            .into_iter()
            .filter(|s| s.user_id != user_id)
            .filter_map(|s| seen.insert(s.volume_id.clone()).then_some(s.volume_id))
            .collect())
    }

    /// The `userInfo` facts of `volumes` for the user (volumes absent from the map: none).
    pub async fn user_volumes(
        &self,
        user_id: &str,
        volumes: &[VolumeId],
    ) -> LibraryResult<HashMap<VolumeId, UserVolume>> {
        let mut out: HashMap<VolumeId, UserVolume> = HashMap::new();
        for e in self.store().entries_for_volumes(user_id, volumes).await? {
            let u = out.entry(e.volume_id).or_default();
            u.shelves.push(ShelfId::from_stored(e.shelf_id));
            u.updated = u.updated.max(Some(e.added));
        }
        for p in self.store().reading_positions(user_id, volumes).await? {
            let u = out.entry(p.volume_id.clone()).or_default();
            u.updated = u.updated.max(Some(p.received));
            u.position = Some(p);
        }
        Ok(out)
    }

    /// Which of the user's shelves hold `volume` (empty: not in the user's library).
    pub async fn shelves_holding(
        &self,
        user_id: &str,
        volume: &VolumeId,
    ) -> LibraryResult<Vec<ShelfId>> {
        Ok(self
            .store()
            .entries_for_volumes(user_id, std::slice::from_ref(volume))
            .await?
            .into_iter()
            .map(|e| ShelfId::from_stored(e.shelf_id))
            .collect())
    }

    /// The user's reading position in `volume`, if any.
    pub async fn position_of(
        &self,
        user_id: &str,
        volume: &VolumeId,
    ) -> LibraryResult<Option<ReadingPositionRecord>> {
        Ok(self
            .store()
            .reading_positions(user_id, std::slice::from_ref(volume))
            .await?
            .into_iter()
            .next())
    }
}

fn is_public_domain(r: &VolumeRecord) -> bool {
    r.access_info
        .as_ref()
        .and_then(|a| a.public_domain)
        .unwrap_or(false)
}

fn page_of(records: Vec<VolumeRecord>, start: u32, max: u32) -> VolumePage {
    let total = records.len() as u64;
    VolumePage {
        total,
        items: records
            .into_iter()
            .skip(start as usize)
            .take(max as usize)
            .map(|r| (r, None))
            .collect(),
    }
}
