//! The shared storage story suite, run against a fresh SQLite file per test.

use colophon_store::conformance::TestStore;
use colophon_store_sqlite::SqliteStore;

/// A new database file in its own temporary directory, removed after the test.
async fn fresh_store() -> Option<TestStore<SqliteStore>> {
    let dir = tempfile::tempdir().expect("creating a temporary directory");
    let store = SqliteStore::open(&dir.path().join("colophon.db"))
        .await
        .expect("opening SQLite");
    Some(TestStore::new(store).with_cleanup(async move {
        if let Err(e) = dir.close() {
            eprintln!("could not remove the test database directory: {e}");
        }
    }))
}

colophon_store::conformance_tests!(fresh_store());

/// Bulk import speed, printed (never asserted; see it with `--nocapture`, and in a release
/// build: a debug build spends most of its time serialising).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_upsert_rate() {
    use colophon_store::conformance::{bulk_upsert_rate, full_record, record};
    let fixture = fresh_store().await;
    colophon_store::conformance::run_story(fixture, |store| async move {
        for template in [record("smal00000000"), full_record("full00000000")] {
            let report = bulk_upsert_rate(&*store, &template, 10, 1000).await;
            eprintln!("SQLite bulk upsert: {report}");
        }
    })
    .await;
}

/// A file that cannot be opened fails with `Connect`, naming the file.
#[tokio::test]
async fn open_errors_name_the_file() {
    let dir = tempfile::tempdir().expect("creating a temporary directory");
    let path = dir.path().join("missing-directory").join("colophon.db");
    let err = SqliteStore::open(&path)
        .await
        .expect_err("the directory does not exist");
    let message = err.to_string();
    assert!(
        matches!(err, colophon_store::StoreError::Connect(_)),
        "{message}"
    );
    assert!(message.contains(&path.display().to_string()), "{message}");
}
