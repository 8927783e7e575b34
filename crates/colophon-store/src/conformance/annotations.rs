//! Stories for [`AnnotationStore`](crate::AnnotationStore) and
//! [`RecommendationStore`](crate::RecommendationStore).
//!
//! Contract pinned down here, beyond the trait docs: annotation ids are unique per user (two
//! users may use the same id, and neither sees the other's); times survive to the millisecond;
//! of concurrent inserts that each fit a layer's budget only alone, exactly one is written;
//! listings are ordered by (`updated`, `id`) and resume after a position.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use colophon_domain::annotation::{AnnotationBody, AnnotationRecord};
use colophon_types::{AnnotationRange, AnnotationRanges};

use super::at;
use crate::{AnnotationQuery, AnnotationWrite, RatingRecord, Store, UserRecord};

/// The annotation stories, handed to `$m` like the volume stories.
#[doc(hidden)]
#[macro_export]
macro_rules! __annotation_conformance_stories {
    ($m:path; $fixture:expr) => {
        $m!(
            $fixture;
            annotations_are_per_user,
            annotation_updates_compare_and_swap,
            annotation_budgets_hold_under_concurrency,
            annotation_listings_filter_and_resume,
            annotation_layer_usage_and_volumes,
            recommendation_ratings_upsert,
        );
    };
}

async fn users(store: &impl Store, ids: &[&str]) {
    for id in ids {
        let u = UserRecord {
            id: (*id).into(),
            email: format!("{id}@example.org"),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            created: at(0),
            password_changed: at(0),
        };
        assert!(store.insert_user(&u).await.expect("insert user"));
    }
}

fn ms(secs: i64, millis: i64) -> DateTime<Utc> {
    at(secs) + Duration::milliseconds(millis)
}

/// An annotation of `user` with `chars` characters of note.
pub fn annotation(
    user: &str,
    id: &str,
    volume: &str,
    layer: &str,
    chars: usize,
) -> AnnotationRecord {
    AnnotationRecord {
        user_id: user.into(),
        id: id.into(),
        volume_id: volume.into(),
        layer_id: layer.into(),
        created: ms(1, 1),
        updated: ms(1, 1),
        deleted: false,
        body: AnnotationBody {
            data: Some("é".repeat(chars)),
            highlight_style: Some("yellow".into()),
            client_version_ranges: Some(AnnotationRanges {
                cfi_range: Some(AnnotationRange {
                    start_position: Some("/6/4!/2/1:0".into()),
                    end_position: Some("/6/4!/2/1:9".into()),
                    start_offset: None,
                    end_offset: None,
                }),
                content_version: Some("0.1.0.0.preview.3".into()),
                ..AnnotationRanges::default()
            }),
            ..AnnotationBody::default()
        },
    }
}

/// Same id for two users: each finds only their own; a second insert of an id is `Duplicate`.
pub async fn annotations_are_per_user<S: Store>(store: Arc<S>) {
    users(&*store, &["100", "200"]).await;
    let a = annotation("100", "n1", "vol000000001", "notes", 3);
    let mut b = annotation("200", "n1", "vol000000002", "notes", 4);
    b.body.selected_text = Some("chosen words".into());
    assert_eq!(
        store.insert_annotation(&a, 100).await.unwrap(),
        AnnotationWrite::Written
    );
    assert_eq!(
        store.insert_annotation(&b, 100).await.unwrap(),
        AnnotationWrite::Written
    );
    assert_eq!(
        store.insert_annotation(&a, 100).await.unwrap(),
        AnnotationWrite::Duplicate
    );
    assert_eq!(store.find_annotation("100", "n1").await.unwrap(), Some(a));
    assert_eq!(store.find_annotation("200", "n1").await.unwrap(), Some(b));
    assert_eq!(store.find_annotation("300", "n1").await.unwrap(), None);
    assert_eq!(store.find_annotation("100", "n2").await.unwrap(), None);
}

/// Updates need the stored `updated`; tombstones are found but no longer updatable.
pub async fn annotation_updates_compare_and_swap<S: Store>(store: Arc<S>) {
    users(&*store, &["100", "200"]).await;
    let a = annotation("100", "n1", "vol000000001", "notes", 3);
    store.insert_annotation(&a, 100).await.unwrap();
    let mut edit = a.clone();
    edit.body.data = Some("new".into());
    edit.updated = ms(2, 5);
    assert_eq!(
        store.update_annotation(&edit, ms(0, 0), 100).await.unwrap(),
        AnnotationWrite::Stale
    );
    let mut other = edit.clone();
    other.user_id = "200".into();
    assert_eq!(
        store
            .update_annotation(&other, a.updated, 100)
            .await
            .unwrap(),
        AnnotationWrite::NotFound
    );
    assert_eq!(
        store
            .update_annotation(&edit, a.updated, 100)
            .await
            .unwrap(),
        AnnotationWrite::Written
    );
    // The first writer's version is gone: a second update from the same old version is stale.
    assert_eq!(
        store
            .update_annotation(&edit, a.updated, 100)
            .await
            .unwrap(),
        AnnotationWrite::Stale
    );
    assert_eq!(
        store.find_annotation("100", "n1").await.unwrap(),
        Some(edit.clone())
    );
    let mut tomb = edit.clone();
    tomb.deleted = true;
    tomb.updated = ms(3, 0);
    assert_eq!(
        store
            .update_annotation(&tomb, edit.updated, 0)
            .await
            .unwrap(),
        AnnotationWrite::Written
    );
    assert_eq!(
        store.find_annotation("100", "n1").await.unwrap(),
        Some(tomb.clone())
    );
    assert_eq!(
        store
            .update_annotation(&tomb, tomb.updated, 100)
            .await
            .unwrap(),
        AnnotationWrite::NotFound
    );
}

/// Budgets count live annotations of one user, layer and volume; racing inserts that fit only
/// alone: exactly one wins.
pub async fn annotation_budgets_hold_under_concurrency<S: Store>(store: Arc<S>) {
    users(&*store, &["100", "200"]).await;
    let first = annotation("100", "a", "vol000000001", "notes", 60);
    store.insert_annotation(&first, 100).await.unwrap();
    // Another user, layer or volume has its own budget.
    for other in [
        annotation("200", "b", "vol000000001", "notes", 60),
        annotation("100", "c", "vol000000001", "bookmarks", 60),
        annotation("100", "d", "vol000000002", "notes", 60),
    ] {
        assert_eq!(
            store.insert_annotation(&other, 100).await.unwrap(),
            AnnotationWrite::Written
        );
    }
    let over = annotation("100", "e", "vol000000001", "notes", 41);
    assert_eq!(
        store.insert_annotation(&over, 100).await.unwrap(),
        AnnotationWrite::OverBudget { used: 60 }
    );
    // Growing the first past the budget fails; an update does not count its own old size.
    let mut grown = first.clone();
    grown.body.data = Some("x".repeat(101));
    grown.updated = ms(5, 0);
    assert_eq!(
        store
            .update_annotation(&grown, first.updated, 100)
            .await
            .unwrap(),
        AnnotationWrite::OverBudget { used: 0 }
    );
    grown.body.data = Some("x".repeat(100));
    assert_eq!(
        store
            .update_annotation(&grown, first.updated, 100)
            .await
            .unwrap(),
        AnnotationWrite::Written
    );
    // Deleting frees the budget.
    let mut tomb = grown.clone();
    tomb.deleted = true;
    tomb.updated = ms(6, 0);
    store
        .update_annotation(&tomb, grown.updated, 100)
        .await
        .unwrap();

    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let r = annotation("100", &format!("race{i}"), "vol000000001", "notes", 60);
            store.insert_annotation(&r, 100).await.unwrap()
        }));
    }
    let mut written = 0;
    for t in tasks {
        match t.await.unwrap() {
            AnnotationWrite::Written => written += 1,
            AnnotationWrite::OverBudget { used } => assert_eq!(used, 60),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(written, 1, "exactly one racing insert fits the budget");
}

/// Filters, tombstones, order by (`updated`, `id`), resuming after a position, counts.
pub async fn annotation_listings_filter_and_resume<S: Store>(store: Arc<S>) {
    users(&*store, &["100", "200"]).await;
    let mut all = Vec::new();
    for (i, (id, vol, layer)) in [
        ("b", "vol000000001", "notes"),
        ("a", "vol000000001", "notes"),
        ("c", "vol000000002", "notes"),
        ("d", "vol000000001", "bookmarks"),
        ("e", "vol000000001", "notes"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut r = annotation("100", id, vol, layer, 1);
        // b and a share a time: the id breaks the tie.
        let t = if i == 1 {
            ms(10, 0)
        } else {
            ms(10 + i as i64, 0)
        };
        r.created = t;
        r.updated = t;
        store.insert_annotation(&r, 1000).await.unwrap();
        all.push(r);
    }
    store
        .insert_annotation(&annotation("200", "z", "vol000000001", "notes", 1), 1000)
        .await
        .unwrap();
    let mut tomb = all[4].clone();
    tomb.deleted = true;
    tomb.updated = ms(20, 0);
    store
        .update_annotation(&tomb, all[4].updated, 1000)
        .await
        .unwrap();

    let ids = |v: Vec<AnnotationRecord>| v.into_iter().map(|r| r.id).collect::<Vec<_>>();
    let mut q = AnnotationQuery {
        user_id: "100".into(),
        ..AnnotationQuery::default()
    };
    assert_eq!(
        ids(store.list_annotations(&q, None, 10).await.unwrap()),
        ["a", "b", "c", "d"]
    );
    assert_eq!(store.count_annotations(&q).await.unwrap(), 4);
    q.include_deleted = true;
    assert_eq!(
        ids(store.list_annotations(&q, None, 10).await.unwrap()),
        ["a", "b", "c", "d", "e"]
    );
    let page = store.list_annotations(&q, None, 2).await.unwrap();
    assert_eq!(ids(page.clone()), ["a", "b"]);
    let last = page.last().unwrap();
    assert_eq!(
        ids(store
            .list_annotations(&q, Some((last.updated, &last.id)), 2)
            .await
            .unwrap()),
        ["c", "d"]
    );
    let tie = &page[0];
    assert_eq!(
        ids(store
            .list_annotations(&q, Some((tie.updated, &tie.id)), 1)
            .await
            .unwrap()),
        ["b"]
    );
    q.volume_id = Some("vol000000001".into());
    q.layer_ids = vec!["notes".into()];
    assert_eq!(
        ids(store.list_annotations(&q, None, 10).await.unwrap()),
        ["a", "b", "e"]
    );
    q.layer_ids = vec!["notes".into(), "bookmarks".into()];
    q.updated_min = Some(ms(10, 0));
    q.updated_max = Some(ms(13, 0));
    assert_eq!(
        ids(store.list_annotations(&q, None, 10).await.unwrap()),
        ["a", "b"]
    );
    assert_eq!(store.count_annotations(&q).await.unwrap(), 2);
    q.updated_max = None;
    q.updated_min = Some(ms(13, 0));
    assert_eq!(
        ids(store.list_annotations(&q, None, 10).await.unwrap()),
        ["d", "e"]
    );
    let found = store.list_annotations(&q, None, 10).await.unwrap();
    assert_eq!(found[1], tomb);
}

/// Per-layer usage of a volume and the volumes a user annotated.
pub async fn annotation_layer_usage_and_volumes<S: Store>(store: Arc<S>) {
    users(&*store, &["100", "200"]).await;
    let mut a = annotation("100", "a", "vol000000001", "notes", 5);
    a.updated = ms(30, 0);
    let b = annotation("100", "b", "vol000000001", "notes", 7);
    let c = annotation("100", "c", "vol000000001", "bookmarks", 2);
    let mut d = annotation("100", "d", "vol000000002", "notes", 2);
    d.updated = ms(40, 0);
    let e = annotation("200", "e", "vol000000003", "notes", 2);
    for r in [&a, &b, &c, &d, &e] {
        store.insert_annotation(r, 1000).await.unwrap();
    }
    let mut tomb = c.clone();
    tomb.deleted = true;
    tomb.updated = ms(50, 0);
    store
        .update_annotation(&tomb, c.updated, 1000)
        .await
        .unwrap();
    let usage = store.layer_usage("100", "vol000000001").await.unwrap();
    assert_eq!(usage.len(), 2);
    assert_eq!(usage[0].layer_id, "bookmarks");
    assert_eq!((usage[0].annotations, usage[0].characters), (0, 0));
    assert_eq!(usage[0].updated, ms(50, 0));
    assert_eq!(usage[1].layer_id, "notes");
    assert_eq!((usage[1].annotations, usage[1].characters), (2, 12));
    assert_eq!(usage[1].updated, ms(30, 0));
    assert!(store
        .layer_usage("200", "vol000000001")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.annotated_volumes("100", 10).await.unwrap(),
        ["vol000000002", "vol000000001"]
    );
    assert_eq!(
        store.annotated_volumes("100", 1).await.unwrap(),
        ["vol000000002"]
    );
    assert_eq!(
        store.annotated_volumes("200", 10).await.unwrap(),
        ["vol000000003"]
    );
}

/// The latest rating of a volume wins; ratings are per user.
pub async fn recommendation_ratings_upsert<S: Store>(store: Arc<S>) {
    users(&*store, &["100", "200"]).await;
    let r = |v: &str, rating: &str, t: i64| RatingRecord {
        volume_id: v.into(),
        rating: rating.into(),
        rated: ms(t, 0),
    };
    store
        .rate_volume("100", &r("vol000000002", "HAVE_IT", 1))
        .await
        .unwrap();
    store
        .rate_volume("100", &r("vol000000001", "HAVE_IT", 2))
        .await
        .unwrap();
    store
        .rate_volume("100", &r("vol000000001", "NOT_INTERESTED", 3))
        .await
        .unwrap();
    store
        .rate_volume("200", &r("vol000000003", "HAVE_IT", 4))
        .await
        .unwrap();
    assert_eq!(
        store.volume_ratings("100").await.unwrap(),
        [
            r("vol000000001", "NOT_INTERESTED", 3),
            r("vol000000002", "HAVE_IT", 1)
        ]
    );
    assert_eq!(
        store.volume_ratings("200").await.unwrap(),
        [r("vol000000003", "HAVE_IT", 4)]
    );
    assert!(store.volume_ratings("300").await.unwrap().is_empty());
}
