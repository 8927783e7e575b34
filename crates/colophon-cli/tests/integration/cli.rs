//! The `colophon` binary itself: keys from the command line, reindex, import, migrate.

use std::process::Command;

use crate::support::{settings_for, shared_dir};
use colophon_cli::app::{open_backend, Application};

fn colophon(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_colophon"))
        .args(args)
        .output()
        .expect("run colophon");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_import_reindex_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let fixture = shared_dir().join(
        "reference/fixtures/volumes.list--q-the-great-gatsby-start24-max12--zeantsoi-2015.json",
    );
    let rejects = dir.path().join("rejects.tsv");
    let (ok, out, err) = colophon(&[
        "import",
        "--data-dir",
        d,
        "--format",
        "googlebooks",
        "--rejects",
        rejects.to_str().unwrap(),
        fixture.to_str().unwrap(),
    ]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("imported 12 new"), "{out}");
    let (ok, out, _) = colophon(&[
        "import",
        "--data-dir",
        d,
        "--format",
        "googlebooks",
        fixture.to_str().unwrap(),
    ]);
    assert!(
        ok && out.contains("0 new, 0 updated, 0 merged, 12 unchanged, 0 repeated"),
        "re-import is idempotent: {out}"
    );

    let (ok, out, err) = colophon(&["keys", "create", "--data-dir", d, "--name", "cli test"]);
    assert!(ok, "{err}");
    let key = out.lines().last().unwrap().to_owned();
    assert!(key.starts_with("AIza") && key.len() == 39, "{key}");

    let (ok, out, err) = colophon(&["reindex", "--data-dir", d]);
    assert!(ok && out.contains("reindexed 12 volumes"), "{out}{err}");
    let (ok, list, _) = colophon(&["keys", "list", "--data-dir", d]);
    assert!(
        ok && list.contains("cli test") && !list.contains(&key),
        "{list}"
    );

    // The key works against a server over the same data directory.
    let settings = settings_for(dir.path());
    let app = Application::build(&settings, open_backend(&settings).await.unwrap())
        .await
        .unwrap();
    let base = format!("http://{}", app.local_addr);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run(async move {
        let _ = rx.await;
    }));
    let probe =
        crate::support::TestApp::client_get(&format!("{base}/books/v1/volumes?q=gatsby&key={key}"))
            .await;
    assert_eq!(probe.0, 200, "{}", probe.1);
    let page: serde_json::Value = serde_json::from_str(&probe.1).expect("JSON");
    let items = page["items"]
        .as_array()
        .expect("the imported Gatsby volumes are found");
    assert!(
        !items.is_empty() && page["totalItems"].as_u64().unwrap() >= items.len() as u64,
        "{page}"
    );

    let id = list
        .lines()
        .find(|l| l.contains("cli test"))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let (ok, out, err) = colophon(&["keys", "revoke", "--data-dir", d, &id]);
    assert!(ok, "{out}{err}");
    let (ok, _, err) = colophon(&["keys", "revoke", "--data-dir", d, &id]);
    assert!(!ok && err.contains("no active API key"), "{err}");
    let _ = tx.send(());

    let (ok, _, err) = colophon(&["migrate", "--data-dir", d, "--database-url", "mysql://nope"]);
    assert!(!ok && err.contains("postgres://"), "{err}");
    let (ok, out, _) = colophon(&["config", "default"]);
    assert!(ok && out.contains("anonymous_access"));
}

/// `colophon lending set|list|remove`: a volume named by id or ISBN, unknown ones refused.
#[test]
fn lending_policies_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let fixture = shared_dir().join(
        "reference/fixtures/volumes.list--q-the-great-gatsby-start24-max12--zeantsoi-2015.json",
    );
    let (ok, out, err) = colophon(&[
        "import",
        "--data-dir",
        d,
        "--format",
        "googlebooks",
        fixture.to_str().unwrap(),
    ]);
    assert!(ok, "{out}{err}");
    let (ok, out, err) = colophon(&[
        "lending",
        "set",
        "mJtaAAAAMAAJ",
        "--copies",
        "3",
        "--data-dir",
        d,
    ]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "mJtaAAAAMAAJ\tcopies=3");
    // By ISBN.
    let (ok, out, err) = colophon(&[
        "lending",
        "set",
        "978-1-875882-08-3",
        "--copies",
        "1",
        "--download-devices",
        "2",
        "--data-dir",
        d,
    ]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "6tbz_1weT30C\tcopies=1 download_devices=2");
    let (ok, out, _) = colophon(&["lending", "list", "--data-dir", d]);
    assert!(ok);
    assert_eq!(
        out,
        "6tbz_1weT30C\tcopies=1 download_devices=2\nmJtaAAAAMAAJ\tcopies=3\n"
    );
    let (ok, _, err) = colophon(&[
        "lending",
        "set",
        "nosuchvolum",
        "--copies",
        "1",
        "--data-dir",
        d,
    ]);
    assert!(!ok && err.contains("no volume"), "{err}");
    let (ok, _, err) = colophon(&[
        "lending",
        "set",
        "mJtaAAAAMAAJ",
        "--copies",
        "-1",
        "--data-dir",
        d,
    ]);
    assert!(!ok, "{err}");
    let (ok, out, _) = colophon(&["lending", "remove", "mJtaAAAAMAAJ", "--data-dir", d]);
    assert!(ok && out.contains("not lent"), "{out}");
    let (ok, out, _) = colophon(&["lending", "list", "--data-dir", d]);
    assert!(ok);
    assert_eq!(out, "6tbz_1weT30C\tcopies=1 download_devices=2\n");
}

/// An index built by another version (another schema: here, one field fewer) is rebuilt from
/// the store when the data directory is opened, not refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_of_another_schema_is_rebuilt_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let fixture = shared_dir().join(
        "reference/fixtures/volumes.list--q-the-great-gatsby-start24-max12--zeantsoi-2015.json",
    );
    let (ok, out, err) = colophon(&[
        "import",
        "--data-dir",
        d,
        "--format",
        "googlebooks",
        fixture.to_str().unwrap(),
    ]);
    assert!(ok, "{out}{err}");
    // What an older version wrote: the same index without its newest field.
    let meta_path = dir.path().join("index/meta.json");
    let mut meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&meta_path).unwrap()).unwrap();
    let schema = meta["schema"].as_array_mut().expect("schema fields");
    let before = schema.len();
    schema.retain(|f| f["name"] != "native_text");
    assert_eq!(schema.len(), before - 1);
    std::fs::write(&meta_path, serde_json::to_vec(&meta).unwrap()).unwrap();

    let settings = settings_for(dir.path());
    let backend = open_backend(&settings).await.expect("opens, rebuilding");
    let (total, _) = backend
        .catalog
        .search(&colophon_domain::SearchRequest::new("gatsby"))
        .await
        .unwrap();
    assert!(total > 0, "the rebuilt index finds the catalog");
    assert_eq!(backend.catalog.count().await.unwrap(), 12);
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&meta_path).unwrap()).unwrap();
    assert!(
        meta["schema"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "native_text"),
        "the index was recreated with today's schema"
    );
}
