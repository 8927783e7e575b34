//! Fidelity: volumes recorded from the real service, imported as they are (`googlebooks`
//! format), are served back with the same keys, key order and values — links aside, and
//! `searchInfo` aside (snippets are computed for each query).

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{shared_dir, Options, TestApp};

/// Keys whose values are links to the serving host (or per-query), compared only for presence.
const LINKS: &[&str] = &[
    "selfLink",
    "previewLink",
    "infoLink",
    "canonicalVolumeLink",
    "webReaderLink",
];

fn fixtures(prefix: &str) -> Vec<PathBuf> {
    let dir = shared_dir().join("reference/fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".json"))
        })
        .collect();
    files.sort();
    files
}

/// Compares `ours` with `theirs`: same keys in the same order, same values (numbers by value),
/// links only by presence. Returns the differences.
fn diff(path: &str, ours: &Value, theirs: &Value, out: &mut Vec<String>) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            let ka: Vec<&String> = a.keys().filter(|k| *k != "searchInfo").collect();
            let kb: Vec<&String> = b.keys().filter(|k| *k != "searchInfo").collect();
            if ka != kb {
                out.push(format!("{path}: keys {ka:?} != {kb:?}"));
                return;
            }
            for k in ka {
                if LINKS.contains(&k.as_str()) {
                    continue;
                }
                diff(&format!("{path}/{k}"), &a[k], &b[k], out);
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                out.push(format!("{path}: {} items != {}", a.len(), b.len()));
                return;
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff(&format!("{path}[{i}]"), x, y, out);
            }
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{path}: {a} != {b}")),
    }
}

fn country_of(volume: &Value) -> String {
    volume["saleInfo"]["country"]
        .as_str()
        .or(volume["accessInfo"]["country"].as_str())
        .unwrap_or("US")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_gets_are_served_back_unchanged() {
    let files = fixtures("volumes.get--");
    assert!(!files.is_empty(), "no volumes.get fixtures found");
    for file in files {
        let recorded: Value =
            serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("fixture JSON");
        let app = TestApp::spawn(Options {
            googlebooks_files: vec![file.clone()],
            ..Options::default()
        })
        .await;
        let id = recorded["id"].as_str().expect("id");
        let reply = app
            .get_keyed(&format!(
                "/books/v1/volumes/{id}?country={}",
                country_of(&recorded)
            ))
            .await;
        assert_eq!(reply.status, 200, "{}", file.display());
        let mut problems = Vec::new();
        diff("", &reply.json(), &recorded, &mut problems);
        assert!(
            problems.is_empty(),
            "{}:\n{}",
            file.display(),
            problems.join("\n")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_search_results_are_served_back_unchanged() {
    let mut files = fixtures("volumes.list--");
    files.extend(fixtures("volumes.list-item--"));
    assert!(files.len() > 10, "too few volumes.list fixtures found");
    let mut compared = 0;
    for file in files {
        let recorded: Value =
            serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("fixture JSON");
        let items: Vec<Value> = match recorded.get("items") {
            Some(Value::Array(items)) => items.clone(),
            Some(_) => panic!("{}: items is not an array", file.display()),
            None if recorded.get("kind").and_then(Value::as_str) == Some("books#volume") => {
                vec![recorded.clone()]
            }
            None => continue, // an empty result page: nothing to import
        };
        let app = TestApp::spawn(Options {
            googlebooks_files: vec![file.clone()],
            ..Options::default()
        })
        .await;
        // A page may hold the same volume twice (Google's pages overlap); the last one wins.
        let mut last_by_id = std::collections::HashMap::new();
        for item in &items {
            last_by_id.insert(item["id"].as_str().expect("id").to_owned(), item.clone());
        }
        for (id, item) in &last_by_id {
            let country = country_of(item);
            // An id that starts with `-` would be an exclusion in `q`; find those by title.
            let q = if id.starts_with('-') {
                format!(
                    "intitle:\"{}\"",
                    item["volumeInfo"]["title"].as_str().expect("title")
                )
            } else {
                id.clone()
            };
            let q = colophon_domain::render::url_encode(&q);
            let reply = app
                .get_keyed(&format!(
                    "/books/v1/volumes?q={q}&country={country}&maxResults=40"
                ))
                .await;
            assert_eq!(reply.status, 200, "{}", file.display());
            let page = reply.json();
            let found = page["items"]
                .as_array()
                .and_then(|a| a.iter().find(|v| v["id"] == id.as_str()))
                .unwrap_or_else(|| {
                    panic!(
                        "{}: searching for {id} did not return it: {page}",
                        file.display()
                    )
                });
            let mut problems = Vec::new();
            diff(id, found, item, &mut problems);
            assert!(
                problems.is_empty(),
                "{}:\n{}",
                file.display(),
                problems.join("\n")
            );

            let got = app
                .get_keyed(&format!("/books/v1/volumes/{id}?country={country}"))
                .await;
            assert_eq!(got.status, 200);
            let mut problems = Vec::new();
            diff(&format!("{id} (get)"), &got.json(), item, &mut problems);
            assert!(
                problems.is_empty(),
                "{}:\n{}",
                file.display(),
                problems.join("\n")
            );
            compared += 1;
        }
    }
    assert!(compared > 50, "only {compared} recorded volumes compared");
}
