//! Stories for [`LibraryStore`](crate::LibraryStore).
//!
//! Contract pinned down here, beyond the trait docs: a shelf's count always equals its entries
//! (also under concurrent writers); order is insertion order until moved; moves keep the other
//! entries' relative order; a reading position with the same or an older timestamp is ignored;
//! one user's writes never show in another's library.

use std::sync::Arc;

use chrono::Duration;

use super::{at, vid};
use crate::{MoveOutcome, ReadingPositionRecord, Store, UserRecord};

/// The library stories, handed to `$m` like the volume stories.
#[doc(hidden)]
#[macro_export]
macro_rules! __library_conformance_stories {
    ($m:path; $fixture:expr) => {
        $m!(
            $fixture;
            shelves_count_and_order_entries,
            moves_reorder_a_shelf,
            clear_and_lookups_by_volume,
            libraries_are_per_user,
            reading_positions_newer_wins,
            concurrent_shelf_writes_lose_nothing,
            co_shelving_counts_users_on_the_given_shelves,
        );
    };
}

pub(crate) const A: &str = "100000000000000000001";
pub(crate) const B: &str = "100000000000000000002";

/// Users `A` and `B`.
pub(crate) async fn users<S: Store>(store: &S) {
    for (id, email) in [(A, "a@example.org"), (B, "b@example.org")] {
        store
            .insert_user(&UserRecord {
                id: id.into(),
                email: email.into(),
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
                created: at(0),
                password_changed: at(0),
            })
            .await
            .expect("insert user");
    }
}

async fn shelf_ids<S: Store>(store: &S, user: &str, shelf: i32) -> Vec<String> {
    store
        .shelf_entries(user, shelf, 0, 1000)
        .await
        .expect("entries")
        .into_iter()
        .map(|e| e.volume_id.as_str().to_owned())
        .collect()
}

async fn count<S: Store>(store: &S, user: &str, shelf: i32) -> u32 {
    store
        .shelf_states(user)
        .await
        .expect("states")
        .into_iter()
        .find(|s| s.shelf_id == shelf)
        .map_or(0, |s| s.volume_count)
}

/// Adds append, a second add of the same volume changes nothing, removes count down, and the
/// time of the last add/remove is kept to the microsecond; paging follows shelf order.
pub async fn shelves_count_and_order_entries<S: Store>(store: Arc<S>) {
    users(&*store).await;
    assert!(store.shelf_states(A).await.expect("states").is_empty());
    for (i, v) in ["vol000000001", "vol000000002", "vol000000003"]
        .iter()
        .enumerate()
    {
        assert!(store
            .add_to_shelf(A, 2, &vid(v), at(10 + i as i64))
            .await
            .expect("add"));
    }
    assert!(!store
        .add_to_shelf(A, 2, &vid("vol000000002"), at(50))
        .await
        .expect("add again"));
    let states = store.shelf_states(A).await.expect("states");
    assert_eq!(states.len(), 1);
    assert_eq!(states[0].shelf_id, 2);
    assert_eq!(states[0].volume_count, 3);
    assert_eq!(
        states[0].volumes_last_updated,
        at(12),
        "a repeated add is no change"
    );
    assert_eq!(
        shelf_ids(&*store, A, 2).await,
        ["vol000000001", "vol000000002", "vol000000003"]
    );
    let page = store.shelf_entries(A, 2, 1, 1).await.expect("page");
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].volume_id, vid("vol000000002"));
    assert_eq!(page[0].added, at(11));
    let precise = at(60) + Duration::microseconds(123_456);
    assert!(store
        .remove_from_shelf(A, 2, &vid("vol000000001"), precise)
        .await
        .expect("remove"));
    assert!(!store
        .remove_from_shelf(A, 2, &vid("vol000000001"), at(70))
        .await
        .expect("remove again"));
    assert!(!store
        .remove_from_shelf(A, 3, &vid("vol000000002"), at(70))
        .await
        .expect("remove from a shelf never written"));
    let states = store.shelf_states(A).await.expect("states");
    assert_eq!(states.len(), 1, "a no-op write leaves no shelf row behind");
    assert_eq!(states[0].volume_count, 2);
    assert_eq!(states[0].volumes_last_updated, precise);
    // Added after a removal: still at the end.
    store
        .add_to_shelf(A, 2, &vid("vol000000001"), at(80))
        .await
        .expect("add");
    assert_eq!(
        shelf_ids(&*store, A, 2).await,
        ["vol000000002", "vol000000003", "vol000000001"]
    );
}

/// Moves to the front, the back and the middle; unknown volumes and indexes past the end
/// are reported and change nothing.
pub async fn moves_reorder_a_shelf<S: Store>(store: Arc<S>) {
    users(&*store).await;
    let ids = [
        "mov000000001",
        "mov000000002",
        "mov000000003",
        "mov000000004",
    ];
    for (i, v) in ids.iter().enumerate() {
        store
            .add_to_shelf(A, 0, &vid(v), at(i as i64))
            .await
            .expect("add");
    }
    let mv = |v: &'static str, i: u32| {
        let store = store.clone();
        async move { store.move_on_shelf(A, 0, &vid(v), i).await.expect("move") }
    };
    assert_eq!(mv("mov000000003", 0).await, MoveOutcome::Moved);
    assert_eq!(
        shelf_ids(&*store, A, 0).await,
        [
            "mov000000003",
            "mov000000001",
            "mov000000002",
            "mov000000004"
        ]
    );
    assert_eq!(mv("mov000000003", 3).await, MoveOutcome::Moved);
    assert_eq!(
        shelf_ids(&*store, A, 0).await,
        [
            "mov000000001",
            "mov000000002",
            "mov000000004",
            "mov000000003"
        ]
    );
    assert_eq!(mv("mov000000004", 1).await, MoveOutcome::Moved);
    assert_eq!(
        shelf_ids(&*store, A, 0).await,
        [
            "mov000000001",
            "mov000000004",
            "mov000000002",
            "mov000000003"
        ]
    );
    assert_eq!(
        mv("mov000000001", 4).await,
        MoveOutcome::OutOfRange { count: 4 }
    );
    assert_eq!(mv("notonshelf01", 0).await, MoveOutcome::NotOnShelf);
    assert_eq!(
        store
            .move_on_shelf(A, 3, &vid("mov000000001"), 0)
            .await
            .expect("move on another shelf"),
        MoveOutcome::NotOnShelf
    );
    assert_eq!(
        shelf_ids(&*store, A, 0).await,
        [
            "mov000000001",
            "mov000000004",
            "mov000000002",
            "mov000000003"
        ]
    );
    assert_eq!(count(&*store, A, 0).await, 4);
    let states = store.shelf_states(A).await.expect("states");
    assert_eq!(
        states.len(),
        1,
        "failed moves leave no shelf row: {states:?}"
    );
    assert_eq!(
        states[0].volumes_last_updated,
        at(3),
        "moves are not adds or removes"
    );
}

/// Clearing empties one shelf only; lookups by volume and the whole library.
pub async fn clear_and_lookups_by_volume<S: Store>(store: Arc<S>) {
    users(&*store).await;
    let v1 = vid("clr000000001");
    let v2 = vid("clr000000002");
    store.add_to_shelf(A, 2, &v1, at(1)).await.expect("add");
    store.add_to_shelf(A, 2, &v2, at(2)).await.expect("add");
    store.add_to_shelf(A, 4, &v1, at(3)).await.expect("add");
    let found = store
        .entries_for_volumes(A, &[v1.clone(), vid("clr000000009")])
        .await
        .expect("by volume");
    let shelves: Vec<i32> = found.iter().map(|e| e.shelf_id).collect();
    assert_eq!(shelves, [2, 4]);
    assert!(found.iter().all(|e| e.volume_id == v1));
    let library = store.library_entries(A, &[]).await.expect("library");
    let seen: Vec<(i32, &str)> = library
        .iter()
        .map(|e| (e.shelf_id, e.volume_id.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            (4, "clr000000001"),
            (2, "clr000000002"),
            (2, "clr000000001")
        ],
        "newest first"
    );
    let only4 = store.library_entries(A, &[4]).await.expect("one shelf");
    assert_eq!(only4.len(), 1);
    assert_eq!(store.clear_shelf(A, 2, at(9)).await.expect("clear"), 2);
    assert_eq!(
        store.clear_shelf(A, 2, at(10)).await.expect("clear again"),
        0
    );
    assert_eq!(count(&*store, A, 2).await, 0);
    assert_eq!(count(&*store, A, 4).await, 1);
    let states = store.shelf_states(A).await.expect("states");
    let s2 = states.iter().find(|s| s.shelf_id == 2).expect("shelf 2");
    assert_eq!(
        s2.volumes_last_updated,
        at(9),
        "clearing nothing is no change"
    );
    assert!(shelf_ids(&*store, A, 2).await.is_empty());
}

/// What one user does is invisible in the other's library.
pub async fn libraries_are_per_user<S: Store>(store: Arc<S>) {
    users(&*store).await;
    let v = vid("iso000000001");
    store.add_to_shelf(A, 0, &v, at(1)).await.expect("add");
    store
        .set_reading_position(&position(A, &v, "epubcfi(/6/2)", at(5)))
        .await
        .expect("position");
    assert!(store.shelf_states(B).await.expect("states").is_empty());
    assert!(shelf_ids(&*store, B, 0).await.is_empty());
    assert!(store.library_entries(B, &[]).await.expect("lib").is_empty());
    assert!(store
        .entries_for_volumes(B, std::slice::from_ref(&v))
        .await
        .expect("by volume")
        .is_empty());
    assert!(store
        .reading_positions(B, std::slice::from_ref(&v))
        .await
        .expect("positions")
        .is_empty());
    assert!(!store
        .remove_from_shelf(B, 0, &v, at(2))
        .await
        .expect("remove"));
    assert_eq!(store.clear_shelf(B, 0, at(2)).await.expect("clear"), 0);
    assert_eq!(
        store.move_on_shelf(B, 0, &v, 0).await.expect("move"),
        MoveOutcome::NotOnShelf
    );
    assert_eq!(shelf_ids(&*store, A, 0).await, ["iso000000001"]);
    assert_eq!(
        store
            .reading_positions(A, &[v])
            .await
            .expect("positions")
            .len(),
        1
    );
}

fn position(
    user: &str,
    v: &colophon_domain::VolumeId,
    pos: &str,
    when: chrono::DateTime<chrono::Utc>,
) -> ReadingPositionRecord {
    ReadingPositionRecord {
        user_id: user.into(),
        volume_id: v.clone(),
        position: pos.into(),
        kind: "epubcfi".into(),
        updated: when,
        received: at(100),
        action: Some("next-page".into()),
        device_cookie: Some("phone".into()),
        content_version: Some("1.0.0.preview.1".into()),
    }
}

/// A newer timestamp replaces the position; the same or an older one is ignored.
pub async fn reading_positions_newer_wins<S: Store>(store: Arc<S>) {
    users(&*store).await;
    let v = vid("pos000000001");
    let precise = at(10) + Duration::microseconds(5);
    assert!(store
        .set_reading_position(&position(A, &v, "epubcfi(/6/4)", precise))
        .await
        .expect("first"));
    assert!(!store
        .set_reading_position(&position(A, &v, "epubcfi(/6/2)", at(9)))
        .await
        .expect("older"));
    assert!(!store
        .set_reading_position(&position(A, &v, "epubcfi(/6/3)", precise))
        .await
        .expect("same time"));
    let got = store
        .reading_positions(A, std::slice::from_ref(&v))
        .await
        .expect("read");
    assert_eq!(got, [position(A, &v, "epubcfi(/6/4)", precise)]);
    let mut newer = position(A, &v, "GBS.PA7", at(11));
    newer.kind = "gbimage".into();
    newer.action = None;
    newer.device_cookie = None;
    newer.content_version = None;
    assert!(store.set_reading_position(&newer).await.expect("newer"));
    assert_eq!(
        store
            .reading_positions(A, &[v, vid("pos000000002")])
            .await
            .expect("read"),
        [newer]
    );
}

/// Many concurrent adds, removes and moves on one shelf: the count matches the entries, every
/// add that said "added" is there (unless removed), and the order is a permutation.
pub async fn concurrent_shelf_writes_lose_nothing<S: Store>(store: Arc<S>) {
    users(&*store).await;
    let n = 24usize;
    let id = |i: usize| vid(&format!("cc{i:010}"));
    let mut tasks = Vec::new();
    for i in 0..n {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .add_to_shelf(A, 3, &id(i), at(i as i64))
                .await
                .expect("add")
        }));
    }
    for t in tasks {
        assert!(t.await.expect("task"));
    }
    let mut tasks = Vec::new();
    for i in 0..n {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            if i % 4 == 0 {
                assert!(store
                    .remove_from_shelf(A, 3, &id(i), at(100))
                    .await
                    .expect("remove"));
            } else {
                let _ = store
                    .move_on_shelf(A, 3, &id(i), (i % 5) as u32)
                    .await
                    .expect("move");
            }
            // Another shelf of the same user at the same time.
            store
                .add_to_shelf(A, 4, &id(i), at(200))
                .await
                .expect("add 4")
        }));
    }
    for t in tasks {
        assert!(t.await.expect("task"));
    }
    let mut on3 = shelf_ids(&*store, A, 3).await;
    assert_eq!(on3.len(), n - n / 4);
    assert_eq!(count(&*store, A, 3).await as usize, on3.len());
    on3.sort();
    let mut expected: Vec<String> = (0..n)
        .filter(|i| i % 4 != 0)
        .map(|i| id(i).as_str().to_owned())
        .collect();
    expected.sort();
    assert_eq!(on3, expected);
    assert_eq!(count(&*store, A, 4).await as usize, n);
    assert_eq!(shelf_ids(&*store, A, 4).await.len(), n);
}

/// `co_shelved`: distinct users per volume, on the given shelves only, most first then by id,
/// never the volume itself, at most `limit`.
pub async fn co_shelving_counts_users_on_the_given_shelves<S: Store>(store: Arc<S>) {
    users(&*store).await;
    let v = |n: u32| vid(&format!("cos{n:09}"));
    let public = [0, 2, 3, 4];
    for (user, shelf, n) in [
        (A, 0, 1),
        (A, 2, 2),
        (A, 3, 2), // the same user twice for v2: counted once
        (A, 4, 3),
        (A, 1, 4), // a private shelf: not counted
        (B, 3, 1),
        (B, 0, 2),
    ] {
        store
            .add_to_shelf(user, shelf, &v(n), at(1))
            .await
            .expect("add");
    }
    let got = store
        .co_shelved(&v(1), &public, 10)
        .await
        .expect("co-shelved");
    assert_eq!(got, vec![(v(2), 2), (v(3), 1)]);
    let top = store
        .co_shelved(&v(1), &public, 1)
        .await
        .expect("co-shelved");
    assert_eq!(top, vec![(v(2), 2)]);
    assert!(store
        .co_shelved(&v(9), &public, 10)
        .await
        .expect("co-shelved")
        .is_empty());
    // Private shelves count when asked for (the caller decides what is public).
    let all = store
        .co_shelved(&v(3), &[0, 1, 2, 3, 4], 10)
        .await
        .expect("co-shelved");
    assert_eq!(all, vec![(v(1), 1), (v(2), 1), (v(4), 1)]);
}
