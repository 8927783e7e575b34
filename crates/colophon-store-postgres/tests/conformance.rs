//! The shared storage story suite, run against a fresh PostgreSQL database per test.
//!
//! Runs when `COLOPHON_TEST_DATABASE_URL` names a role that may create databases, e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`; otherwise every test passes after saying it
//! was skipped.

use std::io::Write as _;
use std::sync::Once;

use colophon_store::conformance::TestStore;
use colophon_store_postgres::{create_test_database, drop_test_database, PgStore};

const URL_VAR: &str = "COLOPHON_TEST_DATABASE_URL";

/// A new database for one test, dropped after it; `None` when no server is configured.
async fn fresh_store() -> Option<TestStore<PgStore>> {
    let Ok(admin_url) = std::env::var(URL_VAR) else {
        static SAID: Once = Once::new();
        SAID.call_once(|| {
            // Straight to stderr, past the test harness's capture, so that the skip is seen.
            let _ = writeln!(
                std::io::stderr(),
                "PostgreSQL conformance tests SKIPPED: {URL_VAR} is not set \
                 (e.g. {URL_VAR}=postgres://postgres@127.0.0.1:5432/postgres)"
            );
        });
        return None;
    };
    let url = create_test_database(&admin_url)
        .await
        .expect("creating a test database");
    let store = PgStore::connect(&url)
        .await
        .expect("connecting to the test database");
    Some(TestStore::new(store).with_cleanup(async move {
        if let Err(e) = drop_test_database(&admin_url, &url).await {
            eprintln!("could not drop the test database: {e}");
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
            eprintln!("PostgreSQL bulk upsert: {report}");
        }
    })
    .await;
}

/// A wrong URL fails with `Connect`, naming the database without its password.
#[tokio::test]
async fn connect_errors_name_the_database_without_password() {
    let err = PgStore::connect("postgres://colophon:hunter2@127.0.0.1:1/books")
        .await
        .expect_err("nothing listens on port 1");
    let message = err.to_string();
    assert!(
        matches!(err, colophon_store::StoreError::Connect(_)),
        "{message}"
    );
    assert!(
        message.contains("postgres://colophon:***@127.0.0.1:1/books"),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "{message}");
}
