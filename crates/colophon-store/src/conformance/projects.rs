//! Stories for [`ProjectStore`](crate::ProjectStore).
//!
//! Contract pinned down here, beyond the trait docs: concurrent [`consume_quota`] calls at the
//! boundary admit exactly the limit (no over- or under-count), a refused call counts nothing
//! in either window, and usage deltas add up.
//!
//! [`consume_quota`]: crate::ProjectStore::consume_quota

use std::sync::Arc;

use chrono::NaiveDate;

use super::at;
use crate::{
    ClientRecord, KeySettings, NewApiKey, ProjectRecord, QuotaOutcome, QuotaRequest, Store,
    UsageDelta, UserRecord, LATENCY_BUCKETS,
};

/// The console stories, handed to `$m` like the volume stories.
#[doc(hidden)]
#[macro_export]
macro_rules! __project_conformance_stories {
    ($m:path; $fixture:expr) => {
        $m!(
            $fixture;
            projects_lifecycle,
            key_settings_and_client_links,
            quota_counts_exactly_under_concurrency,
            usage_adds_up,
        );
    };
}

fn project(id: &str, number: i64, owner: Option<&str>, secs: i64) -> ProjectRecord {
    ProjectRecord {
        id: id.into(),
        number,
        name: format!("Project “{id}”"),
        owner_id: owner.map(str::to_owned),
        created: at(secs),
        books_api_enabled: false,
        daily_limit: None,
        user_minute_limit: None,
    }
}

async fn owner(store: &impl Store, id: &str) {
    assert!(store
        .insert_user(&UserRecord {
            id: id.into(),
            email: format!("{id}@example.org"),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            created: at(0),
            password_changed: at(0),
        })
        .await
        .unwrap());
}

/// Insert, find, list by owner, update, delete.
pub async fn projects_lifecycle<S: Store>(store: Arc<S>) {
    owner(&*store, "u1").await;
    owner(&*store, "u2").await;
    let a = project("p-a", 111_111_111_111, Some("u1"), 1);
    let b = project("p-b", 222_222_222_222, Some("u2"), 2);
    let c = project("p-c", 333_333_333_333, None, 3);
    for p in [&a, &b, &c] {
        assert!(store.insert_project(p).await.unwrap());
    }
    assert!(!store.insert_project(&a).await.unwrap(), "same id twice");
    let mut clash = project("p-d", a.number, None, 4);
    assert!(!store.insert_project(&clash).await.unwrap(), "same number");
    clash.number = 444_444_444_444;
    assert!(store.insert_project(&clash).await.unwrap());
    assert_eq!(store.find_project("p-a").await.unwrap(), Some(a.clone()));
    assert_eq!(store.find_project("nope").await.unwrap(), None);
    assert_eq!(
        store.list_projects(Some("u1")).await.unwrap(),
        vec![a.clone()]
    );
    let all: Vec<String> = store
        .list_projects(None)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(all, ["p-a", "p-b", "p-c", "p-d"]);
    let mut changed = a.clone();
    changed.name = "Renamed".into();
    changed.books_api_enabled = true;
    changed.daily_limit = Some(5);
    changed.user_minute_limit = Some(0);
    assert!(store.update_project(&changed).await.unwrap());
    assert_eq!(store.find_project("p-a").await.unwrap(), Some(changed));
    assert!(!store
        .update_project(&project("ghost", 1, None, 0))
        .await
        .unwrap());
    assert!(store.delete_project("p-b").await.unwrap());
    assert!(!store.delete_project("p-b").await.unwrap());
    assert_eq!(store.find_project("p-b").await.unwrap(), None);
}

/// Key settings upsert and list; client links move; deleting a project drops both.
pub async fn key_settings_and_client_links<S: Store>(store: Arc<S>) {
    store
        .insert_project(&project("p1", 100_000_000_001, None, 1))
        .await
        .unwrap();
    store
        .insert_project(&project("p2", 100_000_000_002, None, 2))
        .await
        .unwrap();
    for id in ["k_1", "k_2"] {
        store
            .insert_api_key(&NewApiKey {
                id: id.into(),
                name: id.into(),
                key_hash: format!("{id:0>64}"),
                key_prefix: "AIza".into(),
                created: at(3),
            })
            .await
            .unwrap();
    }
    let mut s1 = KeySettings {
        key_id: "k_1".into(),
        project_id: "p1".into(),
        referrers: vec!["*.example.com/*".into(), "https://a.test/x/*".into()],
        ip_ranges: vec!["192.0.2.0/24".into(), "2001:db8::/32".into()],
    };
    store.put_key_settings(&s1).await.unwrap();
    let s2 = KeySettings {
        key_id: "k_2".into(),
        project_id: "p1".into(),
        referrers: vec![],
        ip_ranges: vec![],
    };
    store.put_key_settings(&s2).await.unwrap();
    assert_eq!(
        store.find_key_settings("k_1").await.unwrap(),
        Some(s1.clone())
    );
    s1.referrers.clear();
    s1.ip_ranges = vec!["203.0.113.7".into()];
    store.put_key_settings(&s1).await.unwrap();
    assert_eq!(
        store.list_key_settings("p1").await.unwrap(),
        vec![s1.clone(), s2.clone()]
    );
    assert_eq!(store.find_key_settings("k_3").await.unwrap(), None);
    assert!(store.rename_api_key("k_2", "Renamed “key”").await.unwrap());
    assert!(!store.rename_api_key("k_3", "x").await.unwrap());
    let names: Vec<String> = store
        .list_api_keys()
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.name)
        .collect();
    assert_eq!(names, ["k_1", "Renamed “key”"]);

    let client = ClientRecord {
        id: "c1.apps".into(),
        name: "App".into(),
        kind: "web".into(),
        secret_hash: None,
        redirect_uris: vec![],
        require_pkce: false,
        rotate_refresh_tokens: false,
        created: at(4),
        deleted: None,
    };
    store.insert_client(&client).await.unwrap();
    store.set_client_project("c1.apps", "p1").await.unwrap();
    assert_eq!(
        store
            .find_client_project("c1.apps")
            .await
            .unwrap()
            .as_deref(),
        Some("p1")
    );
    // Redirect URIs and secrets change in place (not for a client without a secret).
    let uris = vec![
        "https://b.example/cb".to_owned(),
        "https://a.example/x?y=z".to_owned(),
    ];
    assert!(store
        .set_client_redirect_uris("c1.apps", &uris)
        .await
        .unwrap());
    assert_eq!(
        store
            .find_client("c1.apps")
            .await
            .unwrap()
            .unwrap()
            .redirect_uris,
        uris
    );
    assert!(!store.set_client_secret_hash("c1.apps", "ff").await.unwrap());
    assert!(!store.set_client_redirect_uris("nope", &uris).await.unwrap());
    let mut secret_client = client.clone();
    secret_client.id = "c2.apps".into();
    secret_client.secret_hash = Some("aa".repeat(32));
    store.insert_client(&secret_client).await.unwrap();
    assert!(store
        .set_client_secret_hash("c2.apps", &"bb".repeat(32))
        .await
        .unwrap());
    assert_eq!(
        store
            .find_client("c2.apps")
            .await
            .unwrap()
            .unwrap()
            .secret_hash,
        Some("bb".repeat(32))
    );
    store.delete_client("c2.apps", at(9)).await.unwrap();
    assert!(!store.set_client_secret_hash("c2.apps", "cc").await.unwrap());
    store.set_client_project("c1.apps", "p2").await.unwrap();
    assert_eq!(store.list_project_clients("p2").await.unwrap(), ["c1.apps"]);
    assert!(store.list_project_clients("p1").await.unwrap().is_empty());

    assert!(store.delete_project("p1").await.unwrap());
    assert_eq!(store.find_key_settings("k_1").await.unwrap(), None);
    assert!(store.delete_project("p2").await.unwrap());
    assert_eq!(store.find_client_project("c1.apps").await.unwrap(), None);
}

fn quota(user: &str, daily: Option<i64>, minute: Option<i64>) -> QuotaRequest {
    QuotaRequest {
        project_id: "p1".into(),
        day: "2026-11-26".into(),
        daily_limit: daily,
        user: user.into(),
        minute: "2026-11-26T07:05".into(),
        user_minute_limit: minute,
    }
}

/// 40 concurrent requests against a day limit of 25: exactly 25 pass and the counter says 25;
/// a user's minute limit refuses without charging the day.
pub async fn quota_counts_exactly_under_concurrency<S: Store>(store: Arc<S>) {
    store
        .insert_project(&project("p1", 100_000_000_001, None, 1))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..40 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let user = format!("u{}", i % 4);
            store
                .consume_quota(&quota(&user, Some(25), None))
                .await
                .unwrap()
        }));
    }
    let mut granted = 0;
    for t in tasks {
        match t.await.unwrap() {
            QuotaOutcome::Granted => granted += 1,
            QuotaOutcome::DailyExceeded => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(granted, 25);
    assert_eq!(store.quota_count("p1", "2026-11-26", "").await.unwrap(), 25);

    // Per-user minute limit: 3 per user, concurrently, with a roomy day limit.
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let user = if i % 2 == 0 { "alice" } else { "bob" };
            store
                .consume_quota(&quota(user, Some(1_000), Some(3)))
                .await
                .unwrap()
        }));
    }
    let mut granted = 0;
    for t in tasks {
        match t.await.unwrap() {
            QuotaOutcome::Granted => granted += 1,
            QuotaOutcome::UserMinuteExceeded => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(granted, 6, "3 each for alice and bob");
    assert_eq!(
        store
            .quota_count("p1", "2026-11-26T07:05", "alice")
            .await
            .unwrap(),
        3
    );
    // Refused minute requests were not charged to the day.
    assert_eq!(store.quota_count("p1", "2026-11-26", "").await.unwrap(), 31);
    // A zero limit refuses everything; no limit counts nothing.
    assert_eq!(
        store
            .consume_quota(&quota("carol", Some(0), None))
            .await
            .unwrap(),
        QuotaOutcome::DailyExceeded
    );
    assert_eq!(
        store
            .consume_quota(&quota("carol", None, None))
            .await
            .unwrap(),
        QuotaOutcome::Granted
    );
    assert_eq!(store.quota_count("p1", "2026-11-26", "").await.unwrap(), 31);
    // Pruning drops old windows only.
    let pruned = store
        .prune_quota_counters("2026-11-26T07:06", "2026-11-26")
        .await
        .unwrap();
    assert_eq!(pruned, 2, "alice's and bob's minute windows");
    assert_eq!(store.quota_count("p1", "2026-11-26", "").await.unwrap(), 31);
}

/// Deltas for the same aggregate add up, in one call and across calls.
pub async fn usage_adds_up<S: Store>(store: Arc<S>) {
    store
        .insert_project(&project("p1", 100_000_000_001, None, 1))
        .await
        .unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let delta = |method: &str, status: u16, requests: i64, bucket: usize| {
        let mut latency = [0; LATENCY_BUCKETS];
        latency[bucket] = requests;
        UsageDelta {
            project_id: "p1".into(),
            key_id: "k_1".into(),
            day,
            method: method.into(),
            status,
            requests,
            latency,
        }
    };
    store
        .add_usage(&[
            delta("books.volumes.list", 200, 3, 2),
            delta("books.volumes.get", 404, 1, 4),
        ])
        .await
        .unwrap();
    store
        .add_usage(&[delta("books.volumes.list", 200, 2, 2)])
        .await
        .unwrap();
    let earlier = day.pred_opt().unwrap();
    let mut old = delta("books.volumes.list", 200, 7, 0);
    old.day = earlier;
    store.add_usage(&[old]).await.unwrap();

    let rows = store.usage("p1", day).await.unwrap();
    let summary: Vec<(&str, u16, i64)> = rows
        .iter()
        .map(|r| (r.method.as_str(), r.status, r.requests))
        .collect();
    assert_eq!(
        summary,
        [
            ("books.volumes.get", 404, 1),
            ("books.volumes.list", 200, 5)
        ]
    );
    assert_eq!(store.usage("p1", earlier).await.unwrap().len(), 3);
    let latency: Vec<(usize, i64)> = store
        .latency("p1", day)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.bucket, r.count))
        .collect();
    assert_eq!(latency, [(2, 5), (4, 1)]);
}
