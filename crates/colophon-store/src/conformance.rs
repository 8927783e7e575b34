//! The story suite every storage backend runs against itself, so that all backends behave alike.
//!
//! Each story is an `async fn(Arc<S>)` over a **fresh, empty, migrated** store and panics (via
//! `assert!`) when the backend misbehaves. A backend crate runs them all from its single
//! integration-test file with [`conformance_tests!`](crate::conformance_tests), which expands one
//! `#[tokio::test]` per story:
//!
//! ```ignore
//! use colophon_store::conformance::TestStore;
//!
//! /// A fresh store per test; `None` skips the test (e.g. no database configured).
//! async fn fresh() -> Option<TestStore<MyStore>> {
//!     Some(TestStore::new(MyStore::open_somewhere_new().await.unwrap()))
//! }
//!
//! colophon_store::conformance_tests!(fresh());
//! ```
//!
//! The fixture expression is evaluated once per test and must produce a future of
//! `Option<TestStore<S>>`. [`run_story`] migrates the store, runs the story in a spawned task,
//! then runs the fixture's cleanup (e.g. dropping a per-test database) even when the story
//! panicked, and finally re-raises the story's panic.
//!
//! Contract pinned down here, beyond the trait docs:
//! - `source_key` is unique: a batch in which one record takes another volume's `source_key` fails
//!   as a whole and writes nothing.
//! - Within one batch, records are applied in order: the same id twice counts as an insert then
//!   an update (or `unchanged` when the etag repeats), and the last one wins.
//! - `get_volumes` returns one record per id asked that exists (an id asked twice comes twice).
//! - API key hashes are unique, and API key timestamps are kept to the microsecond (the
//!   precision of PostgreSQL's `timestamptz`); a volume record's `updated` survives exactly.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use colophon_domain::{Contribution, VolumeId, VolumeRecord};
use colophon_types::{
    AccessInfo, Dimensions, FormatAccess, ImageLinks, IndustryIdentifier, LayerInfo, LayerRef,
    Offer, OfferPrice, PanelizationSummary, Price, ReadingModes, RentalDuration, SaleInfo,
    VolumeInfo,
};

use crate::{commit_now, ImportWrite, NewApiKey, SourceRow, Store, UpsertOutcome};

mod annotations;
mod auth;
pub use annotations::*;
pub use auth::*;
mod library;
pub use library::*;
mod projects;
pub use projects::*;
mod covers;
pub use covers::*;
mod uploads;
pub use uploads::*;
mod families;
pub use families::*;
mod lending;
pub use lending::*;

/// Expands one `#[tokio::test]` per conformance story.
///
/// The argument is an expression, evaluated afresh in each test, whose value is a future of
/// `Option<TestStore<S>>`; `None` skips the test (the fixture should say why on stderr). The
/// calling crate needs `tokio` (with `macros` and `rt-multi-thread`) as a dev-dependency.
#[macro_export]
macro_rules! conformance_tests {
    ($fixture:expr) => {
        $crate::__conformance_stories!($crate::__conformance_test; $fixture);
        $crate::__auth_conformance_stories!($crate::__conformance_test; $fixture);
        $crate::__annotation_conformance_stories!($crate::__conformance_test; $fixture);
        $crate::__library_conformance_stories!($crate::__conformance_test; $fixture);
        $crate::__project_conformance_stories!($crate::__conformance_test; $fixture);
        $crate::__cover_conformance_stories!($crate::__conformance_test; $fixture);
        $crate::__upload_conformance_stories!($crate::__conformance_test; $fixture);
        $crate::__family_conformance_stories!($crate::__conformance_test; $fixture);
        $crate::__lending_conformance_stories!($crate::__conformance_test; $fixture);
    };
}

/// The list of stories, handed to `$m` (keeps the list in one place).
#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_stories {
    ($m:path; $fixture:expr) => {
        $m!(
            $fixture;
            migrate_is_idempotent,
            upsert_counts_inserted_updated_unchanged,
            unchanged_etag_writes_nothing,
            same_id_twice_in_one_batch_applies_in_order,
            get_volume_is_case_sensitive,
            get_volumes_keeps_order_and_skips_unknown,
            delete_volume,
            count_volumes,
            volumes_after_walks_catalog_in_byte_order,
            record_round_trips_exactly,
            failed_batch_writes_nothing,
            api_keys_lifecycle,
            api_key_hash_is_unique,
            concurrent_upserts_lose_nothing,
            import_write_keeps_sources_isbns_and_texts,
            failed_import_write_writes_nothing,
            import_write_waits_for_its_gate,
            delete_volume_takes_its_sources,
        );
    };
}

/// One test function per story.
#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_test {
    ($fixture:expr; $($story:ident),+ $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $story() {
                $crate::conformance::run_story($fixture.await, |store| async move {
                    $crate::conformance::$story(store).await
                })
                .await;
            }
        )+
    };
}

type Cleanup = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A freshly opened store for one test, with what to do once the test is over.
pub struct TestStore<S> {
    store: S,
    cleanup: Option<Cleanup>,
}

impl<S: Store> TestStore<S> {
    /// A store that needs no cleanup beyond being dropped.
    pub fn new(store: S) -> Self {
        Self {
            store,
            cleanup: None,
        }
    }

    /// Adds a cleanup that runs after the story, even when it panicked, once the store has been
    /// dropped (e.g. dropping a per-test database).
    pub fn with_cleanup(mut self, cleanup: impl Future<Output = ()> + Send + 'static) -> Self {
        self.cleanup = Some(Box::pin(cleanup));
        self
    }
}

/// Runs one story: migrates the store, runs `story` in its own task, drops the store, runs the
/// cleanup, then re-raises the story's panic, if any. `None` does nothing (a skipped test).
pub async fn run_story<S, F, Fut>(fixture: Option<TestStore<S>>, story: F)
where
    S: Store,
    F: FnOnce(Arc<S>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(TestStore { store, cleanup }) = fixture else {
        return;
    };
    let store = Arc::new(store);
    let outcome = tokio::spawn(async move {
        store.migrate().await.expect("migrating a fresh store");
        story(store).await;
    })
    .await;
    if let Some(cleanup) = cleanup {
        cleanup.await;
    }
    if let Err(e) = outcome {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("story task failed: {e}");
    }
}

// ---------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------

/// Parses a test volume id; panics on a malformed one (test helper).
pub fn vid(id: &str) -> VolumeId {
    VolumeId::parse(id).unwrap_or_else(|e| panic!("bad test volume id {id:?}: {e}"))
}

/// A fixed instant: 2024-05-01T12:00:00Z plus `secs` seconds.
pub fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_714_564_800 + secs, 0).expect("a valid test timestamp")
}

/// A small record with id `id`, source key `test:{id}`, a title and a correct etag.
pub fn record(id: &str) -> VolumeRecord {
    let mut r = VolumeRecord {
        id: vid(id),
        etag: String::new(),
        source_key: format!("test:{id}"),
        volume_info: VolumeInfo {
            title: Some(format!("Title of {id}")),
            authors: Some(vec!["Jane Austen".to_owned()]),
            language: Some("en".to_owned()),
            ..VolumeInfo::default()
        },
        sale_info: None,
        access_info: None,
        layer_info: None,
        updated: at(0),
    };
    r.refresh_etag();
    r
}

/// `r` with another title, a fresh etag and a later `updated`: an update of the same volume.
pub fn retitled(r: &VolumeRecord, title: &str) -> VolumeRecord {
    let mut r = r.clone();
    r.volume_info.title = Some(title.to_owned());
    r.updated += Duration::seconds(60);
    r.refresh_etag();
    r
}

/// A record with every field set: nested wire objects, unicode, HTML, awkward floats, a JSON
/// value with a deliberate key order, and an `updated` with nanoseconds.
pub fn full_record(id: &str) -> VolumeRecord {
    let s = |v: &str| Some(v.to_owned());
    let series_info = serde_json::from_str(
        r#"{"kind":"books#volume_series_info","shortSeriesBookTitle":"Ælfred – “Ⅱ”","bookDisplayNumber":"2","volumeSeries":[{"seriesId":"zX_-9","seriesBookType":"ISSUE","orderNumber":2}],"zeta":1.5,"alpha":null}"#,
    )
    .expect("valid test JSON");
    let download_access = serde_json::from_str(
        r#"{"kind":"books#downloadAccessRestriction","restricted":false,"maxDownloadDevices":6,"deviceAllowed":true}"#,
    )
    .expect("valid test JSON");
    let offer_price = |amount: f64| OfferPrice {
        amount_in_micros: Some(amount),
        currency_code: s("EUR"),
    };
    let format = |link: &str| FormatAccess {
        is_available: Some(true),
        download_link: s(link),
        acs_token_link: s(
            "http://books.google.com/books/download/x-acsm?id=abc&output=acs4_fulfillment_token",
        ),
    };
    let mut r = VolumeRecord {
        id: vid(id),
        etag: String::new(),
        source_key: format!("full:{id}"),
        volume_info: VolumeInfo {
            title: s("Pride & Prejudice — «Édition spéciale» 📚"),
            subtitle: s("<b>bold</b> and <i>\"quoted\"</i> \\ back\nslash\ttab"),
            authors: Some(vec![
                "Jane Austen".into(),
                "Đorđe Čolić".into(),
                "村上春樹".into(),
            ]),
            publisher: s("Penguin UK"),
            published_date: s("2003-01-30"),
            description: s("<p>It is a truth universally acknowledged…</p><br/>&amp; more"),
            industry_identifiers: Some(vec![
                IndustryIdentifier {
                    kind: "ISBN_13".into(),
                    identifier: "9780141439518".into(),
                },
                IndustryIdentifier {
                    kind: "ISBN_10".into(),
                    identifier: "0141439513".into(),
                },
                IndustryIdentifier {
                    kind: "OTHER".into(),
                    identifier: "OCLC:51209446".into(),
                },
            ]),
            reading_modes: Some(ReadingModes {
                text: true,
                image: false,
            }),
            page_count: Some(480),
            printed_page_count: Some(0),
            dimensions: Some(Dimensions {
                height: s("19.80 cm"),
                width: s("12.90 cm"),
                thickness: s("2.50 cm"),
            }),
            print_type: s("BOOK"),
            categories: Some(vec![
                "Fiction / Classics".into(),
                "Fiction / Romance / Historical".into(),
            ]),
            main_category: s("Fiction"),
            average_rating: Some(4.0),
            ratings_count: Some(-1),
            maturity_rating: s("NOT_MATURE"),
            allow_anon_logging: Some(false),
            content_version: s("1.2.3.0.preview.2"),
            panelization_summary: Some(PanelizationSummary {
                contains_epub_bubbles: Some(false),
                contains_image_bubbles: Some(true),
                epub_bubble_version: s("e"),
                image_bubble_version: s("i"),
            }),
            image_links: Some(ImageLinks {
                small_thumbnail: s(
                    "http://books.google.com/books/content?id=x&printsec=frontcover&img=1&zoom=5",
                ),
                thumbnail: s("http://books.google.com/books/content?id=x&img=1&zoom=1"),
                small: s("https://example.org/s.jpg"),
                medium: s("https://example.org/m.jpg"),
                large: s("https://example.org/l.jpg"),
                extra_large: s("https://example.org/xl.jpg"),
            }),
            language: s("en"),
            preview_link: s("http://books.google.com/books?id=x&hl=&source=gbs_api"),
            info_link: s("http://books.google.com/books?id=x&hl=&source=gbs_api"),
            canonical_volume_link: s("https://books.google.com/books/about/x.html?hl=&id=x"),
            sample_page_count: Some(25),
            comics_content: Some(false),
            series_info: Some(series_info),
        },
        sale_info: Some(SaleInfo {
            country: s("DE"),
            saleability: s("FOR_SALE"),
            on_sale_date: s("2003-01-30T00:00:00Z"),
            is_ebook: Some(true),
            list_price: Some(Price {
                amount: Some(0.99),
                currency_code: s("EUR"),
            }),
            retail_price: Some(Price {
                amount: Some(12.49),
                currency_code: s("EUR"),
            }),
            buy_link: s("https://play.google.com/store/books/details?id=x&rdid=book-x&rdot=1"),
            offers: Some(vec![Offer {
                finsky_offer_type: Some(1),
                list_price: Some(offer_price(990_000.0)),
                retail_price: Some(offer_price(1.249e7)),
                rental_duration: Some(RentalDuration {
                    count: Some(0.5),
                    unit: s("DAY"),
                }),
                giftable: Some(true),
            }]),
        }),
        access_info: Some(AccessInfo {
            country: s("DE"),
            viewability: s("PARTIAL"),
            embeddable: Some(true),
            public_domain: Some(false),
            text_to_speech_permission: s("ALLOWED"),
            epub: Some(format("http://books.google.com/books/download/x.epub")),
            pdf: Some(FormatAccess {
                is_available: Some(false),
                ..FormatAccess::default()
            }),
            web_reader_link: s("http://play.google.com/books/reader?id=x&hl=&source=gbs_api"),
            access_view_status: s("SAMPLE"),
            quote_sharing_allowed: Some(false),
            download_access: Some(download_access),
            drive_imported_content_link: s("https://drive.example/x"),
            explicit_offline_license_management: Some(false),
            view_order_url: s("https://example.org/order?x=1&y=2"),
        }),
        layer_info: Some(LayerInfo {
            layers: Some(vec![LayerRef {
                layer_id: s("geo"),
                volume_annotations_version: s("4"),
            }]),
        }),
        updated: DateTime::from_timestamp(1_714_564_800, 123_456_789).expect("a valid timestamp"),
    };
    r.refresh_etag();
    r
}

/// `n` distinct, valid, pseudo-random ids drawn from the whole id alphabet (deterministic).
pub fn mixed_ids(n: usize, seed: u64) -> Vec<String> {
    const ALPHABET: &[u8] = b"-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
    let mut state = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    let mut out: Vec<String> = Vec::with_capacity(n);
    while out.len() < n {
        let id: String = (0..VolumeId::LEN)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let i = usize::try_from(state >> 33).unwrap_or(0) % ALPHABET.len();
                char::from(ALPHABET[i])
            })
            .collect();
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

fn ids_of(records: &[VolumeRecord]) -> Vec<&str> {
    records.iter().map(|r| r.id.as_str()).collect()
}

fn outcome(inserted: u64, updated: u64, unchanged: u64) -> UpsertOutcome {
    UpsertOutcome {
        inserted,
        updated,
        unchanged,
    }
}

fn api_key(id: &str, created: DateTime<Utc>) -> NewApiKey {
    NewApiKey {
        id: id.to_owned(),
        name: format!("key {id} — “test”"),
        key_hash: format!(
            "{:0>64}",
            id.bytes().map(|b| format!("{b:02x}")).collect::<String>()
        ),
        key_prefix: format!("cph_{}", &id[..id.len().min(4)]),
        created,
    }
}

// ---------------------------------------------------------------------------------------------
// Stories
// ---------------------------------------------------------------------------------------------

/// Migrating an already migrated store again changes nothing and keeps the data.
pub async fn migrate_is_idempotent<S: Store>(store: Arc<S>) {
    store
        .upsert_volumes(&[record("aaaaaaaaaaaa")])
        .await
        .expect("upsert");
    store.migrate().await.expect("second migrate");
    store.migrate().await.expect("third migrate");
    assert_eq!(store.count_volumes().await.expect("count"), 1);
    assert_eq!(
        store.get_volume(&vid("aaaaaaaaaaaa")).await.expect("get"),
        Some(record("aaaaaaaaaaaa"))
    );
}

/// Upserts count new volumes, changed volumes (new etag) and unchanged ones (same etag).
pub async fn upsert_counts_inserted_updated_unchanged<S: Store>(store: Arc<S>) {
    let a = record("aaaaaaaaaaaa");
    let b = record("bbbbbbbbbbbb");
    let c = record("cccccccccccc");
    let empty = store.upsert_volumes(&[]).await.expect("empty upsert");
    assert_eq!(empty, UpsertOutcome::default());

    let first = store
        .upsert_volumes(&[a.clone(), b.clone(), c.clone()])
        .await
        .expect("insert");
    assert_eq!(first, outcome(3, 0, 0));

    let again = store
        .upsert_volumes(&[a.clone(), b.clone(), c.clone()])
        .await
        .expect("repeat");
    assert_eq!(again, outcome(0, 0, 3));

    let b2 = retitled(&b, "A new title");
    let d = record("dddddddddddd");
    let mixed = store
        .upsert_volumes(&[a.clone(), b2.clone(), d.clone()])
        .await
        .expect("mixed");
    assert_eq!(mixed, outcome(1, 1, 1));

    assert_eq!(store.count_volumes().await.expect("count"), 4);
    assert_eq!(store.get_volume(&b.id).await.expect("get b"), Some(b2));
    assert_eq!(store.get_volume(&d.id).await.expect("get d"), Some(d));
    assert_eq!(store.get_volume(&a.id).await.expect("get a"), Some(a));
    assert_eq!(store.get_volume(&c.id).await.expect("get c"), Some(c));
}

/// A record whose etag equals the stored one is not written, even if its content differs.
pub async fn unchanged_etag_writes_nothing<S: Store>(store: Arc<S>) {
    let a = record("aaaaaaaaaaaa");
    store
        .upsert_volumes(std::slice::from_ref(&a))
        .await
        .expect("insert");
    let mut same_etag = retitled(&a, "Not written");
    same_etag.etag.clone_from(&a.etag);
    let out = store
        .upsert_volumes(&[same_etag])
        .await
        .expect("upsert same etag");
    assert_eq!(out, outcome(0, 0, 1));
    assert_eq!(store.get_volume(&a.id).await.expect("get"), Some(a));
}

/// The same id twice in one batch: applied in order, the last one wins.
pub async fn same_id_twice_in_one_batch_applies_in_order<S: Store>(store: Arc<S>) {
    let a1 = record("aaaaaaaaaaaa");
    let a2 = retitled(&a1, "Second");
    let out = store
        .upsert_volumes(&[a1.clone(), a2.clone()])
        .await
        .expect("upsert");
    assert_eq!(out, outcome(1, 1, 0));
    assert_eq!(
        store.get_volume(&a1.id).await.expect("get"),
        Some(a2.clone())
    );

    let out = store
        .upsert_volumes(&[a2.clone(), a2.clone()])
        .await
        .expect("repeat");
    assert_eq!(out, outcome(0, 0, 2));
    assert_eq!(store.count_volumes().await.expect("count"), 1);
}

/// Ids that differ only in case are different volumes.
pub async fn get_volume_is_case_sensitive<S: Store>(store: Arc<S>) {
    let lower = record("chcnvwEACAAJ");
    let upper = record("cHcnvwEACAAJ");
    store
        .upsert_volumes(std::slice::from_ref(&lower))
        .await
        .expect("insert lower");
    assert_eq!(
        store.get_volume(&lower.id).await.expect("get"),
        Some(lower.clone())
    );
    assert_eq!(
        store.get_volume(&upper.id).await.expect("get other case"),
        None
    );
    assert_eq!(
        store
            .get_volume(&vid("CHCNVWEACAAJ"))
            .await
            .expect("get upper"),
        None
    );

    let out = store
        .upsert_volumes(std::slice::from_ref(&upper))
        .await
        .expect("insert upper");
    assert_eq!(
        out,
        outcome(1, 0, 0),
        "a case variant is a new volume, not an update"
    );
    assert_eq!(store.count_volumes().await.expect("count"), 2);
    assert_eq!(
        store.get_volume(&lower.id).await.expect("get lower"),
        Some(lower)
    );
    assert_eq!(
        store.get_volume(&upper.id).await.expect("get upper"),
        Some(upper)
    );
}

/// `get_volumes` answers in the order asked, skipping unknown ids.
pub async fn get_volumes_keeps_order_and_skips_unknown<S: Store>(store: Arc<S>) {
    let ids = [
        "zzzzzzzzzzzz",
        "aaaaaaaaaaaa",
        "MMMMMMMMMMMM",
        "-_-_-_-_-_-_",
    ];
    let records: Vec<_> = ids.iter().map(|id| record(id)).collect();
    store.upsert_volumes(&records).await.expect("insert");

    assert!(store.get_volumes(&[]).await.expect("none asked").is_empty());
    let asked = [
        vid("MMMMMMMMMMMM"),
        vid("unknown00000"),
        vid("zzzzzzzzzzzz"),
        vid("mmmmmmmmmmmm"),
        vid("-_-_-_-_-_-_"),
        vid("aaaaaaaaaaaa"),
        vid("MMMMMMMMMMMM"),
    ];
    let got = store.get_volumes(&asked).await.expect("get_volumes");
    assert_eq!(
        ids_of(&got),
        [
            "MMMMMMMMMMMM",
            "zzzzzzzzzzzz",
            "-_-_-_-_-_-_",
            "aaaaaaaaaaaa",
            "MMMMMMMMMMMM"
        ]
    );
    assert_eq!(got[0], records[2]);
    assert_eq!(got[1], records[0]);
    assert!(store
        .get_volumes(&[vid("unknown00000")])
        .await
        .expect("unknown only")
        .is_empty());
}

/// Deleting reports whether the volume existed, and frees its source key.
pub async fn delete_volume<S: Store>(store: Arc<S>) {
    let a = record("aaaaaaaaaaaa");
    let b = record("bbbbbbbbbbbb");
    store
        .upsert_volumes(&[a.clone(), b.clone()])
        .await
        .expect("insert");
    assert!(store.delete_volume(&a.id).await.expect("delete"));
    assert!(!store.delete_volume(&a.id).await.expect("delete again"));
    assert!(!store
        .delete_volume(&vid("AAAAAAAAAAAA"))
        .await
        .expect("delete other case"));
    assert_eq!(store.get_volume(&a.id).await.expect("get"), None);
    assert_eq!(store.get_volume(&b.id).await.expect("get b"), Some(b));
    assert_eq!(store.count_volumes().await.expect("count"), 1);

    // The deleted volume's source key can be taken by another id, and the id re-inserted.
    let mut moved = record("cccccccccccc");
    moved.source_key.clone_from(&a.source_key);
    moved.refresh_etag();
    assert_eq!(
        store
            .upsert_volumes(&[moved])
            .await
            .expect("reuse source key"),
        outcome(1, 0, 0)
    );
    let mut back = a.clone();
    back.source_key = "test:back".to_owned();
    back.refresh_etag();
    assert_eq!(
        store.upsert_volumes(&[back]).await.expect("re-insert id"),
        outcome(1, 0, 0)
    );
}

/// `count_volumes` follows inserts, updates (no change) and deletes.
pub async fn count_volumes<S: Store>(store: Arc<S>) {
    assert_eq!(store.count_volumes().await.expect("count empty"), 0);
    let records: Vec<_> = mixed_ids(25, 7).iter().map(|id| record(id)).collect();
    store.upsert_volumes(&records).await.expect("insert");
    assert_eq!(store.count_volumes().await.expect("count"), 25);
    let changed: Vec<_> = records
        .iter()
        .take(5)
        .map(|r| retitled(r, "changed"))
        .collect();
    store.upsert_volumes(&changed).await.expect("update");
    assert_eq!(store.count_volumes().await.expect("count after update"), 25);
    store.delete_volume(&records[0].id).await.expect("delete");
    assert_eq!(store.count_volumes().await.expect("count after delete"), 24);
}

/// Keyset pagination walks every volume once, in byte order of ids (`-` < digits < upper case
/// < `_` < lower case), whatever the insertion order.
pub async fn volumes_after_walks_catalog_in_byte_order<S: Store>(store: Arc<S>) {
    let mut ids = mixed_ids(60, 42);
    for tricky in [
        "chcnvwEACAAJ",
        "cHcnvwEACAAJ",
        "CHCNVWEACAAJ",
        "-aaaaaaaaaaa",
        "_aaaaaaaaaaa",
        "0aaaaaaaaaaa",
        "Zaaaaaaaaaaa",
        "aaaaaaaaaaaa",
        "aaaaaaaaaaa-",
        "aaaaaaaaaaa_",
        "aaaaaaaaaaaA",
        "aaaaaaaaaaa0",
        "AAAAAAAAAAAA",
        "a-aaaaaaaaaa",
        "a_aaaaaaaaaa",
    ] {
        if !ids.iter().any(|i| i == tricky) {
            ids.push(tricky.to_owned());
        }
    }
    // Insert in three batches, in an order that is neither sorted nor reverse sorted.
    let records: Vec<_> = ids.iter().map(|id| record(id)).collect();
    for chunk in records.chunks(31) {
        store.upsert_volumes(chunk).await.expect("insert");
    }
    let mut expected: Vec<&str> = ids.iter().map(String::as_str).collect();
    expected.sort_unstable(); // `str` order is byte order.

    assert!(store
        .volumes_after(None, 0)
        .await
        .expect("limit 0")
        .is_empty());
    let limit = 7;
    let mut walked: Vec<VolumeRecord> = Vec::new();
    let mut pages = 0;
    loop {
        let after = walked.last().map(|r| r.id.clone());
        let page = store
            .volumes_after(after.as_ref(), limit)
            .await
            .expect("page");
        assert!(page.len() <= limit as usize, "page larger than the limit");
        pages += 1;
        assert!(pages <= expected.len() + 1, "pagination does not end");
        let last_page = page.len() < limit as usize;
        walked.extend(page);
        if last_page {
            break;
        }
    }
    assert_eq!(ids_of(&walked), expected);
    for r in &walked {
        assert_eq!(
            Some(r),
            records.iter().find(|x| x.id == r.id),
            "walked record differs"
        );
    }

    // `after` need not be a stored id; the last id yields nothing.
    let from_mid = store
        .volumes_after(Some(&vid("ZZZZZZZZZZZZ")), 1000)
        .await
        .expect("mid");
    let tail: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|id| *id > "ZZZZZZZZZZZZ")
        .collect();
    assert_eq!(ids_of(&from_mid), tail);
    let last = vid(expected.last().expect("non-empty"));
    assert!(store
        .volumes_after(Some(&last), 10)
        .await
        .expect("after last")
        .is_empty());
    let all = store.volumes_after(None, 1000).await.expect("all at once");
    assert_eq!(ids_of(&all), expected);
}

/// A record with every field set comes back equal, and serialises to the same JSON bytes.
pub async fn record_round_trips_exactly<S: Store>(store: Arc<S>) {
    let full = full_record("R0und_Tr1p-x");
    let json = serde_json::to_string(&full).expect("serialise");
    assert!(
        json.contains("4.0") && json.contains("0.99"),
        "builder lost its floats: {json}"
    );
    store
        .upsert_volumes(std::slice::from_ref(&full))
        .await
        .expect("insert");

    let got = store
        .get_volume(&full.id)
        .await
        .expect("get")
        .expect("stored");
    assert_eq!(got, full);
    assert_eq!(serde_json::to_string(&got).expect("serialise"), json);
    let listed = store
        .get_volumes(std::slice::from_ref(&full.id))
        .await
        .expect("get_volumes");
    assert_eq!(listed, std::slice::from_ref(&full));
    let walked = store.volumes_after(None, 10).await.expect("walk");
    assert_eq!(walked, std::slice::from_ref(&full));

    // And once more after an update of a minimal record into the full one.
    let mut minimal = record("minimal00000");
    store
        .upsert_volumes(std::slice::from_ref(&minimal))
        .await
        .expect("insert minimal");
    let mut grown = full_record("minimal00000");
    grown.source_key.clone_from(&minimal.source_key);
    grown.refresh_etag();
    assert_eq!(
        store
            .upsert_volumes(std::slice::from_ref(&grown))
            .await
            .expect("grow"),
        outcome(0, 1, 0)
    );
    assert_eq!(
        store.get_volume(&grown.id).await.expect("get grown"),
        Some(grown.clone())
    );
    // ... and back: optional sub-objects that disappear stay absent.
    minimal.updated = at(3600);
    minimal.refresh_etag();
    store
        .upsert_volumes(std::slice::from_ref(&minimal))
        .await
        .expect("shrink");
    assert_eq!(
        store.get_volume(&minimal.id).await.expect("get shrunk"),
        Some(minimal)
    );
}

/// A batch that fails (here: a record takes another volume's `source_key`) writes nothing.
pub async fn failed_batch_writes_nothing<S: Store>(store: Arc<S>) {
    let a = record("aaaaaaaaaaaa");
    store
        .upsert_volumes(std::slice::from_ref(&a))
        .await
        .expect("insert");

    let b = record("bbbbbbbbbbbb");
    let a2 = retitled(&a, "Should not be written");
    let mut thief = record("cccccccccccc");
    thief.source_key.clone_from(&a.source_key);
    thief.refresh_etag();
    let d = record("dddddddddddd");

    let result = store
        .upsert_volumes(&[b.clone(), a2, thief, d.clone()])
        .await;
    assert!(
        result.is_err(),
        "a duplicate source_key must fail the batch: {result:?}"
    );
    assert_eq!(store.count_volumes().await.expect("count"), 1);
    assert_eq!(
        store.get_volume(&a.id).await.expect("get a"),
        Some(a.clone())
    );
    assert_eq!(store.get_volume(&b.id).await.expect("get b"), None);
    assert_eq!(store.get_volume(&d.id).await.expect("get d"), None);

    // The store is still usable afterwards.
    let out = store
        .upsert_volumes(&[b.clone(), d.clone(), a])
        .await
        .expect("good batch");
    assert_eq!(out, outcome(2, 0, 1));
}

/// API keys: insert, find by hash, list oldest first, revoke once.
pub async fn api_keys_lifecycle<S: Store>(store: Arc<S>) {
    assert!(store.list_api_keys().await.expect("list empty").is_empty());
    assert_eq!(
        store
            .find_api_key_by_hash(&"0".repeat(64))
            .await
            .expect("find none"),
        None
    );

    // Inserted out of chronological order; one timestamp carries nanoseconds.
    let precise = at(10) + Duration::nanoseconds(123_456_789);
    let k2 = api_key("k_second", precise);
    let k1 = api_key("k_first0", at(-3600));
    let k3 = api_key("k_third0", at(86_400));
    let mut stored = Vec::new();
    for k in [&k2, &k1, &k3] {
        let rec = store.insert_api_key(k).await.expect("insert key");
        assert_eq!(
            (&rec.id, &rec.name, &rec.key_hash, &rec.key_prefix),
            (&k.id, &k.name, &k.key_hash, &k.key_prefix)
        );
        assert_eq!(
            rec.created,
            k.created.trunc_subsecs(6),
            "created is kept to the microsecond"
        );
        assert_eq!(rec.revoked, None);
        stored.push(rec);
    }

    let found = store
        .find_api_key_by_hash(&k2.key_hash)
        .await
        .expect("find")
        .expect("found");
    assert_eq!(found, stored[0]);
    assert_eq!(found.created, precise.trunc_subsecs(6));
    assert_eq!(
        store
            .find_api_key_by_hash(&k2.key_hash.to_uppercase())
            .await
            .expect("find"),
        None
    );

    let listed = store.list_api_keys().await.expect("list");
    let order: Vec<&str> = listed.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(order, ["k_first0", "k_second", "k_third0"]);
    assert_eq!(listed[1], stored[0]);

    let when = at(100_000) + Duration::microseconds(250);
    assert!(store
        .revoke_api_key("k_second", when)
        .await
        .expect("revoke"));
    assert!(!store
        .revoke_api_key("k_second", at(200_000))
        .await
        .expect("revoke twice"));
    assert!(!store
        .revoke_api_key("k_unknown", when)
        .await
        .expect("revoke unknown"));

    let revoked = store
        .find_api_key_by_hash(&k2.key_hash)
        .await
        .expect("find")
        .expect("found");
    assert_eq!(
        revoked.revoked,
        Some(when),
        "the first revocation time stays"
    );
    assert_eq!(revoked.created, stored[0].created);
    let listed = store.list_api_keys().await.expect("list again");
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[1].revoked, Some(when));
    assert_eq!(listed[0].revoked, None);
    assert_eq!(listed[2].revoked, None);
}

/// Two keys cannot share a hash (nor an id).
pub async fn api_key_hash_is_unique<S: Store>(store: Arc<S>) {
    let k = api_key("k_one0000", at(0));
    store.insert_api_key(&k).await.expect("insert");
    let mut same_hash = api_key("k_two0000", at(1));
    same_hash.key_hash.clone_from(&k.key_hash);
    assert!(
        store.insert_api_key(&same_hash).await.is_err(),
        "duplicate hash accepted"
    );
    let mut same_id = api_key("k_one0000", at(2));
    same_id.key_hash = "f".repeat(64);
    assert!(
        store.insert_api_key(&same_id).await.is_err(),
        "duplicate id accepted"
    );
    assert_eq!(store.list_api_keys().await.expect("list").len(), 1);
}

/// Several tasks upserting at once, with overlapping batches, lose nothing and count each new
/// volume exactly once.
pub async fn concurrent_upserts_lose_nothing<S: Store>(store: Arc<S>) {
    const TASKS: usize = 6;
    const BATCHES: usize = 3;
    const OWN_PER_BATCH: usize = 40;
    const SHARED_PER_BATCH: usize = 10;
    let shared: Vec<VolumeRecord> = (0..BATCHES * SHARED_PER_BATCH)
        .map(|i| record(&format!("shared{i:06}")))
        .collect();

    let mut handles = Vec::new();
    for t in 0..TASKS {
        let store = Arc::clone(&store);
        let mut shared = shared.clone();
        // Each task writes the shared records in another order.
        shared.rotate_left((t * 7) % (BATCHES * SHARED_PER_BATCH));
        let own: Vec<VolumeRecord> = (0..BATCHES * OWN_PER_BATCH)
            .map(|i| record(&format!("own{t:02}-{i:06}")))
            .collect();
        handles.push(tokio::spawn(async move {
            let mut total = UpsertOutcome::default();
            for (own, shared) in own
                .chunks(OWN_PER_BATCH)
                .zip(shared.chunks(SHARED_PER_BATCH))
            {
                let batch: Vec<VolumeRecord> = own.iter().chain(shared).cloned().collect();
                total += store
                    .upsert_volumes(&batch)
                    .await
                    .expect("concurrent upsert");
                tokio::task::yield_now().await;
            }
            total
        }));
    }
    let mut total = UpsertOutcome::default();
    for h in handles {
        total += h.await.expect("writer task");
    }

    let expected = TASKS * BATCHES * OWN_PER_BATCH + shared.len();
    let expected_unchanged = TASKS * shared.len() - shared.len();
    assert_eq!(
        total,
        outcome(expected as u64, 0, expected_unchanged as u64)
    );
    assert_eq!(store.count_volumes().await.expect("count"), expected as u64);
    let all = store.volumes_after(None, 10_000).await.expect("walk");
    assert_eq!(all.len(), expected);
    for r in &shared {
        assert_eq!(
            store.get_volume(&r.id).await.expect("get").as_ref(),
            Some(r)
        );
    }
    let own = record("own05-000119");
    assert_eq!(
        store.get_volume(&own.id).await.expect("get own").as_ref(),
        Some(&own)
    );
}

// ---------------------------------------------------------------------------------------------
fn contribution(key: &str, seq: i64, title: &str) -> Contribution {
    Contribution {
        source_key: key.to_owned(),
        seq,
        volume_info: VolumeInfo {
            title: Some(title.to_owned()),
            ..VolumeInfo::default()
        },
        sale_info: None,
        access_info: None,
        layer_info: None,
        etag: None,
        text_digest: None,
    }
}

fn source_row(volume: &str, key: &str, seq: i64, title: &str) -> SourceRow {
    SourceRow {
        volume_id: vid(volume),
        contribution: contribution(key, seq, title),
    }
}

fn sorted_pairs(mut v: Vec<(String, VolumeId)>) -> Vec<(String, String)> {
    v.sort();
    v.into_iter().map(|(k, id)| (k, id.to_string())).collect()
}

/// `write_import` stores contributions, ISBN claims (first claim wins) and texts, and the
/// lookups find them; writing a source again replaces it.
pub async fn import_write_keeps_sources_isbns_and_texts<S: Store>(store: Arc<S>) {
    let a = record("aaaaaaaaaaaa");
    let b = record("bbbbbbbbbbbb");
    let mut with_text = source_row("aaaaaaaaaaaa", "epub:x", 2, "Emma (EPUB)");
    with_text.contribution.text_digest = Some("0123456789abcdef".to_owned());
    let first = ImportWrite {
        sources: vec![
            source_row("aaaaaaaaaaaa", "marc:1", 1, "Emma"),
            with_text,
            source_row("bbbbbbbbbbbb", "marc:2", 3, "Persuasion"),
        ],
        isbns: vec![
            ("9780141439587".to_owned(), vid("aaaaaaaaaaaa")),
            ("9780141439686".to_owned(), vid("bbbbbbbbbbbb")),
        ],
        texts: vec![(
            vid("aaaaaaaaaaaa"),
            "Emma Woodhouse, handsome, clever…".to_owned(),
        )],
        volumes: vec![a.clone(), b.clone()],
    };
    assert_eq!(
        store
            .write_import(&first, commit_now())
            .await
            .expect("first batch"),
        outcome(2, 0, 0)
    );
    assert_eq!(
        store.get_volume(&a.id).await.expect("get a"),
        Some(a.clone())
    );

    let keys: Vec<String> = ["marc:1", "marc:2", "epub:x", "marc:404"]
        .map(str::to_owned)
        .to_vec();
    assert_eq!(
        sorted_pairs(store.volumes_of_sources(&keys).await.expect("sources")),
        [
            ("epub:x".to_owned(), "aaaaaaaaaaaa".to_owned()),
            ("marc:1".to_owned(), "aaaaaaaaaaaa".to_owned()),
            ("marc:2".to_owned(), "bbbbbbbbbbbb".to_owned()),
        ]
    );
    assert!(store
        .volumes_of_sources(&[])
        .await
        .expect("none")
        .is_empty());

    let mut rows = store
        .sources_of_volumes(&[vid("aaaaaaaaaaaa"), vid("zzzzzzzzzzzz")])
        .await
        .expect("sources of a");
    rows.sort_by_key(|r| r.contribution.seq);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].contribution, contribution("marc:1", 1, "Emma"));
    assert_eq!(
        rows[1].contribution.text_digest.as_deref(),
        Some("0123456789abcdef")
    );
    assert_eq!(rows[1].volume_id, vid("aaaaaaaaaaaa"));

    let texts = store
        .full_texts(&[vid("aaaaaaaaaaaa"), vid("bbbbbbbbbbbb")])
        .await
        .expect("texts");
    assert_eq!(texts.len(), 1);
    assert_eq!(texts[0].1, "Emma Woodhouse, handsome, clever…");

    // Second batch: a source rewritten, an ISBN claimed again by another volume (the first
    // claim stays), a text replaced, and an unchanged volume.
    let second = ImportWrite {
        sources: vec![source_row("aaaaaaaaaaaa", "marc:1", 1, "Emma: A Novel")],
        isbns: vec![
            ("9780141439587".to_owned(), vid("bbbbbbbbbbbb")),
            ("9780000000002".to_owned(), vid("bbbbbbbbbbbb")),
        ],
        texts: vec![(vid("aaaaaaaaaaaa"), "Chapter I".to_owned())],
        volumes: vec![b.clone()],
    };
    assert_eq!(
        store
            .write_import(&second, commit_now())
            .await
            .expect("second batch"),
        outcome(0, 0, 1)
    );
    let isbns: Vec<String> = ["9780141439587", "9780000000002", "9780141439686", "1"]
        .map(str::to_owned)
        .to_vec();
    assert_eq!(
        sorted_pairs(store.volumes_of_isbns(&isbns).await.expect("isbns")),
        [
            ("9780000000002".to_owned(), "bbbbbbbbbbbb".to_owned()),
            ("9780141439587".to_owned(), "aaaaaaaaaaaa".to_owned()),
            ("9780141439686".to_owned(), "bbbbbbbbbbbb".to_owned()),
        ]
    );
    let rows = store
        .sources_of_volumes(&[vid("aaaaaaaaaaaa")])
        .await
        .expect("sources again");
    let marc1 = rows
        .iter()
        .find(|r| r.contribution.source_key == "marc:1")
        .expect("marc:1 kept");
    assert_eq!(
        marc1.contribution.volume_info.title.as_deref(),
        Some("Emma: A Novel")
    );
    assert_eq!(rows.len(), 2);
    let texts = store
        .full_texts(&[vid("aaaaaaaaaaaa")])
        .await
        .expect("text again");
    assert_eq!(texts, [(vid("aaaaaaaaaaaa"), "Chapter I".to_owned())]);
}

/// A batch whose volumes fail (a source key taken by another volume) leaves no source, claim
/// or text behind either.
pub async fn failed_import_write_writes_nothing<S: Store>(store: Arc<S>) {
    let a = record("aaaaaaaaaaaa");
    store
        .upsert_volumes(std::slice::from_ref(&a))
        .await
        .expect("insert");
    let mut thief = record("cccccccccccc");
    thief.source_key.clone_from(&a.source_key);
    thief.refresh_etag();
    let batch = ImportWrite {
        sources: vec![source_row("cccccccccccc", "marc:9", 1, "Thief")],
        isbns: vec![("9780141439587".to_owned(), vid("cccccccccccc"))],
        texts: vec![(vid("cccccccccccc"), "text".to_owned())],
        volumes: vec![record("bbbbbbbbbbbb"), thief],
    };
    assert!(store.write_import(&batch, commit_now()).await.is_err());
    assert!(store
        .volumes_of_sources(&["marc:9".to_owned()])
        .await
        .expect("sources")
        .is_empty());
    assert!(store
        .volumes_of_isbns(&["9780141439587".to_owned()])
        .await
        .expect("isbns")
        .is_empty());
    assert!(store
        .full_texts(&[vid("cccccccccccc")])
        .await
        .expect("texts")
        .is_empty());
    assert_eq!(store.count_volumes().await.expect("count"), 1);
}

/// A batch whose gate says no is rolled back whole.
pub async fn import_write_waits_for_its_gate<S: Store>(store: Arc<S>) {
    let batch = ImportWrite {
        sources: vec![source_row("aaaaaaaaaaaa", "marc:1", 1, "A")],
        isbns: vec![("9780141439587".to_owned(), vid("aaaaaaaaaaaa"))],
        texts: vec![(vid("aaaaaaaaaaaa"), "a".to_owned())],
        volumes: vec![record("aaaaaaaaaaaa")],
    };
    let refused = store
        .write_import(&batch, Box::pin(async { Err("index failed".to_owned()) }))
        .await;
    assert!(refused.is_err());
    assert_eq!(store.count_volumes().await.expect("count"), 0);
    assert!(store
        .volumes_of_sources(&["marc:1".to_owned()])
        .await
        .expect("sources")
        .is_empty());
    // An open gate, resolved later, commits.
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let gate: crate::CommitGate = Box::pin(async move { rx.await.map_err(|e| e.to_string()) });
    let opener = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        tx.send(()).ok();
    });
    assert_eq!(
        store.write_import(&batch, gate).await.expect("write"),
        outcome(1, 0, 0)
    );
    opener.await.expect("opener");
    assert_eq!(store.count_volumes().await.expect("count"), 1);
}

/// Deleting a volume deletes its sources, claims and text; other volumes keep theirs.
pub async fn delete_volume_takes_its_sources<S: Store>(store: Arc<S>) {
    let batch = ImportWrite {
        sources: vec![
            source_row("aaaaaaaaaaaa", "marc:1", 1, "A"),
            source_row("bbbbbbbbbbbb", "marc:2", 2, "B"),
        ],
        isbns: vec![
            ("9780141439587".to_owned(), vid("aaaaaaaaaaaa")),
            ("9780141439686".to_owned(), vid("bbbbbbbbbbbb")),
        ],
        texts: vec![
            (vid("aaaaaaaaaaaa"), "a".to_owned()),
            (vid("bbbbbbbbbbbb"), "b".to_owned()),
        ],
        volumes: vec![record("aaaaaaaaaaaa"), record("bbbbbbbbbbbb")],
    };
    store
        .write_import(&batch, commit_now())
        .await
        .expect("write");
    assert!(store
        .delete_volume(&vid("aaaaaaaaaaaa"))
        .await
        .expect("delete"));
    let keys = ["marc:1".to_owned(), "marc:2".to_owned()];
    assert_eq!(
        sorted_pairs(store.volumes_of_sources(&keys).await.expect("sources")),
        [("marc:2".to_owned(), "bbbbbbbbbbbb".to_owned())]
    );
    let isbns = ["9780141439587".to_owned(), "9780141439686".to_owned()];
    assert_eq!(
        store.volumes_of_isbns(&isbns).await.expect("isbns").len(),
        1
    );
    let texts = store
        .full_texts(&[vid("aaaaaaaaaaaa"), vid("bbbbbbbbbbbb")])
        .await
        .expect("texts");
    assert_eq!(texts, [(vid("bbbbbbbbbbbb"), "b".to_owned())]);
}

// Measurement (not a story: it asserts counts, never timings)
// ---------------------------------------------------------------------------------------------

/// Upserts `batches` batches of `batch_size` new copies of `template` (each with its own id,
/// made of the template id's first 4 characters and a counter, and its own source key), then the same batches again (all unchanged), and returns a one-line report of
/// both rates, for a test to print.
pub async fn bulk_upsert_rate<S: Store>(
    store: &S,
    template: &VolumeRecord,
    batches: usize,
    batch_size: usize,
) -> String {
    let prefix = &template.id.as_str()[..4];
    let all: Vec<Vec<VolumeRecord>> = (0..batches)
        .map(|b| {
            (0..batch_size)
                .map(|i| {
                    let mut r = template.clone();
                    r.id = vid(&format!("{prefix}{b:03}{i:05}"));
                    r.source_key = format!("bulk:{prefix}:{b}:{i}");
                    r.refresh_etag();
                    r
                })
                .collect()
        })
        .collect();
    let n = (batches * batch_size) as u64;
    let json_bytes = serde_json::to_string(template).map_or(0, |j| j.len());

    let started = std::time::Instant::now();
    let mut first = UpsertOutcome::default();
    for batch in &all {
        first += store.upsert_volumes(batch).await.expect("bulk insert");
    }
    let insert_secs = started.elapsed().as_secs_f64();
    assert_eq!(first, outcome(n, 0, 0));

    let started = std::time::Instant::now();
    let mut again = UpsertOutcome::default();
    for batch in &all {
        again += store.upsert_volumes(batch).await.expect("bulk re-upsert");
    }
    let unchanged_secs = started.elapsed().as_secs_f64();
    assert_eq!(again, outcome(0, 0, n));

    let rate = |secs: f64| (n as f64 / secs.max(1e-9)).round();
    format!(
        "{n} records of ~{json_bytes} JSON bytes in batches of {batch_size}: inserted at {} \
         records/s ({insert_secs:.2} s), re-upserted unchanged at {} records/s \
         ({unchanged_secs:.2} s)",
        rate(insert_secs),
        rate(unchanged_secs)
    )
}
