//! Stories for [`AccountStore`](crate::AccountStore) and [`OAuthStore`](crate::OAuthStore).
//!
//! Contract pinned down here, beyond the trait docs: timestamps survive to the microsecond;
//! a client's redirect URIs keep their order; exactly one of concurrent redemptions of a code,
//! rotations of a refresh token or redemptions of a device code wins.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::at;
use crate::{
    ClientRecord, CodeRecord, CodeRedemption, ConsentRecord, DeviceRecord, GrantRecord,
    PendingConsentRecord, SessionRecord, Store, TokenRecord, UserRecord,
};

/// The identity stories, handed to `$m` like the volume stories.
#[doc(hidden)]
#[macro_export]
macro_rules! __auth_conformance_stories {
    ($m:path; $fixture:expr) => {
        $m!(
            $fixture;
            users_lifecycle,
            sessions_lifecycle,
            clients_round_trip,
            consents_upsert_and_delete,
            grants_and_tokens,
            refresh_rotation_has_one_winner,
            codes_redeem_once,
            device_authorizations,
            barred_grant_is_never_stored_live,
            pending_consents_are_taken_once_by_their_browser,
            failures_counted_per_bucket_and_key,
        );
    };
}

fn user(id: &str, email: &str, when: DateTime<Utc>) -> UserRecord {
    UserRecord {
        id: id.into(),
        email: email.into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        created: when,
        password_changed: when,
    }
}

fn client(id: &str, kind: &str) -> ClientRecord {
    ClientRecord {
        id: id.into(),
        name: format!("App {id}"),
        kind: kind.into(),
        secret_hash: (kind == "web").then(|| "ab".repeat(32)),
        redirect_uris: vec![
            "https://app.example/cb".into(),
            "https://app.example/a?b=c".into(),
        ],
        require_pkce: kind != "web",
        rotate_refresh_tokens: kind != "web",
        created: at(5) + Duration::microseconds(7),
        deleted: None,
    }
}

fn grant(id: &str, user_id: &str, client_id: &str, when: DateTime<Utc>) -> GrantRecord {
    GrantRecord {
        id: id.into(),
        user_id: user_id.into(),
        client_id: client_id.into(),
        scopes: "https://www.googleapis.com/auth/books".into(),
        access_type: "offline".into(),
        origin: "code".into(),
        created: when,
        revoked: None,
    }
}

fn token(hash: &str, grant_id: &str, kind: &str, when: DateTime<Utc>) -> TokenRecord {
    TokenRecord {
        hash: hash.into(),
        grant_id: grant_id.into(),
        kind: kind.into(),
        created: when,
        expires: (kind == "access").then(|| when + Duration::seconds(3599)),
        superseded: None,
        last_used: None,
    }
}

async fn setup_user_and_client<S: Store>(store: &S) {
    assert!(store
        .insert_user(&user("100000000000000000001", "a@example.org", at(0)))
        .await
        .expect("insert user"));
    store
        .insert_client(&client("c1", "web"))
        .await
        .expect("insert client");
    store
        .insert_client(&client("c2", "installed"))
        .await
        .expect("insert client");
}

/// Users: insert, duplicate email refused, lookups, password change, listing.
pub async fn users_lifecycle<S: Store>(store: Arc<S>) {
    let precise = at(1) + Duration::nanoseconds(123_456_789);
    let u = user("100000000000000000001", "a@example.org", precise);
    assert!(store.insert_user(&u).await.expect("insert"));
    assert!(
        !store
            .insert_user(&user("100000000000000000002", "a@example.org", at(2)))
            .await
            .expect("duplicate insert"),
        "the email is taken"
    );
    let found = store
        .find_user_by_email("a@example.org")
        .await
        .expect("find")
        .expect("present");
    assert_eq!(found.id, u.id);
    assert_eq!(
        found.created,
        at(1) + Duration::microseconds(123_456),
        "microseconds kept"
    );
    assert_eq!(
        store.find_user_by_email("A@example.org").await.unwrap(),
        None
    );
    assert_eq!(store.find_user(&u.id).await.unwrap(), Some(found.clone()));
    assert_eq!(store.find_user("nobody").await.unwrap(), None);
    assert!(store
        .set_password_hash(&u.id, "$argon2id$new", at(100))
        .await
        .unwrap());
    assert!(!store
        .set_password_hash("nobody", "$argon2id$new", at(100))
        .await
        .unwrap());
    let changed = store.find_user(&u.id).await.unwrap().unwrap();
    assert_eq!(changed.password_hash, "$argon2id$new");
    assert_eq!(changed.password_changed, at(100));
    assert!(store
        .insert_user(&user("100000000000000000003", "b@example.org", at(0)))
        .await
        .unwrap());
    let ids: Vec<_> = store
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(ids, ["100000000000000000003", "100000000000000000001"]);
}

/// Sessions: insert, find, touch, delete one, delete all but one.
pub async fn sessions_lifecycle<S: Store>(store: Arc<S>) {
    setup_user_and_client(&*store).await;
    let uid = "100000000000000000001";
    for h in ["s1", "s2", "s3"] {
        store
            .insert_session(&SessionRecord {
                id_hash: h.into(),
                user_id: uid.into(),
                created: at(0),
                last_seen: at(0),
            })
            .await
            .expect("insert session");
    }
    store.touch_session("s1", at(60)).await.unwrap();
    let s1 = store.find_session("s1").await.unwrap().expect("s1");
    assert_eq!((s1.created, s1.last_seen), (at(0), at(60)));
    assert!(store.delete_session("s2").await.unwrap());
    assert!(!store.delete_session("s2").await.unwrap());
    assert_eq!(store.find_session("s2").await.unwrap(), None);
    assert_eq!(
        store.delete_user_sessions(uid, Some("s1")).await.unwrap(),
        1
    );
    assert!(store.find_session("s1").await.unwrap().is_some());
    assert_eq!(store.delete_user_sessions(uid, None).await.unwrap(), 1);
    assert_eq!(store.find_session("s1").await.unwrap(), None);
}

/// Clients keep every field, redirect URIs in order; deletion is a timestamp.
pub async fn clients_round_trip<S: Store>(store: Arc<S>) {
    setup_user_and_client(&*store).await;
    assert_eq!(
        store.find_client("c1").await.unwrap(),
        Some(client("c1", "web"))
    );
    assert_eq!(
        store.find_client("c2").await.unwrap(),
        Some(client("c2", "installed"))
    );
    assert_eq!(store.find_client("c3").await.unwrap(), None);
    assert!(store.delete_client("c1", at(9)).await.unwrap());
    assert!(!store.delete_client("c1", at(10)).await.unwrap());
    assert_eq!(
        store.find_client("c1").await.unwrap().unwrap().deleted,
        Some(at(9))
    );
    let ids: Vec<_> = store
        .list_clients()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, ["c1", "c2"]);
}

/// Consents: one per (user, client), replaced in place, listed, deleted.
pub async fn consents_upsert_and_delete<S: Store>(store: Arc<S>) {
    setup_user_and_client(&*store).await;
    let uid = "100000000000000000001";
    let first = ConsentRecord {
        user_id: uid.into(),
        client_id: "c1".into(),
        scopes: "s1".into(),
        created: at(0),
        updated: at(0),
    };
    store.put_consent(&first).await.unwrap();
    store
        .put_consent(&ConsentRecord {
            scopes: "s1 s2".into(),
            created: at(50),
            updated: at(50),
            ..first.clone()
        })
        .await
        .unwrap();
    let found = store.find_consent(uid, "c1").await.unwrap().unwrap();
    assert_eq!(found.scopes, "s1 s2");
    assert_eq!(found.created, at(0), "creation time kept on update");
    assert_eq!(found.updated, at(50));
    assert_eq!(store.find_consent(uid, "c2").await.unwrap(), None);
    assert_eq!(store.list_consents(uid).await.unwrap().len(), 1);
    assert!(store.delete_consent(uid, "c1").await.unwrap());
    assert!(!store.delete_consent(uid, "c1").await.unwrap());
    assert!(store.list_consents(uid).await.unwrap().is_empty());
}

/// Grants with their tokens: lookup joins the grant; revocation by id and by (user, client).
pub async fn grants_and_tokens<S: Store>(store: Arc<S>) {
    setup_user_and_client(&*store).await;
    let uid = "100000000000000000001";
    let g1 = grant("g1", uid, "c1", at(0));
    assert!(store
        .insert_grant(
            &g1,
            &[
                token("a1", "g1", "access", at(0)),
                token("r1", "g1", "refresh", at(0)),
            ],
        )
        .await
        .unwrap());
    store
        .insert_grant(
            &grant("g2", uid, "c1", at(10)),
            &[token("a2", "g2", "access", at(10))],
        )
        .await
        .unwrap();
    store
        .insert_grant(
            &grant("g3", uid, "c2", at(20)),
            &[token("r3", "g3", "refresh", at(20))],
        )
        .await
        .unwrap();
    store
        .insert_token(&token("a1b", "g1", "access", at(30)))
        .await
        .unwrap();

    assert_eq!(
        store.clients_with_live_grants(uid, at(100)).await.unwrap(),
        [
            (
                "c1".to_owned(),
                at(0),
                "https://www.googleapis.com/auth/books".to_owned()
            ),
            (
                "c2".to_owned(),
                at(20),
                "https://www.googleapis.com/auth/books".to_owned()
            ),
        ]
    );
    assert_eq!(
        store
            .clients_with_live_grants(uid, at(100_000))
            .await
            .unwrap()
            .len(),
        2,
        "refresh tokens keep both alive after the access tokens expired"
    );
    let found = store.find_token("a1").await.unwrap().expect("a1");
    assert_eq!(found.grant, g1);
    assert_eq!(found.token, token("a1", "g1", "access", at(0)));
    assert_eq!(store.find_token("nope").await.unwrap(), None);
    assert_eq!(
        store.live_refresh_grants(uid, "c1").await.unwrap(),
        ["g1"],
        "g2 holds no refresh token"
    );

    assert!(store.revoke_grant("g1", at(40)).await.unwrap());
    assert!(!store.revoke_grant("g1", at(41)).await.unwrap());
    assert_eq!(
        store
            .find_token("a1b")
            .await
            .unwrap()
            .unwrap()
            .grant
            .revoked,
        Some(at(40))
    );
    assert!(store
        .live_refresh_grants(uid, "c1")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.revoke_grants_of(uid, "c1", at(50)).await.unwrap(), 1);
    assert!(store
        .find_token("a2")
        .await
        .unwrap()
        .unwrap()
        .grant
        .revoked
        .is_some());
    assert!(
        store
            .find_token("r3")
            .await
            .unwrap()
            .unwrap()
            .grant
            .revoked
            .is_none(),
        "another client's grant is untouched"
    );

    store.touch_token("r1", at(77)).await.unwrap();
    assert_eq!(
        store
            .find_token("r1")
            .await
            .unwrap()
            .unwrap()
            .token
            .last_used,
        Some(at(77))
    );
    assert_eq!(store.prune_expired(at(3620)).await.unwrap(), 2);
    assert_eq!(store.find_token("a1").await.unwrap(), None);
    assert!(store.find_token("a1b").await.unwrap().is_some());
    assert!(
        store.find_token("r1").await.unwrap().is_some(),
        "refresh kept"
    );
}

/// Concurrent rotations of one refresh token: exactly one stores its tokens.
pub async fn refresh_rotation_has_one_winner<S: Store>(store: Arc<S>) {
    setup_user_and_client(&*store).await;
    let uid = "100000000000000000001";
    store
        .insert_grant(
            &grant("g", uid, "c2", at(0)),
            &[token("r0", "g", "refresh", at(0))],
        )
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let new = [
                token(&format!("r{}", i + 1), "g", "refresh", at(5)),
                token(&format!("a{}", i + 1), "g", "access", at(5)),
            ];
            store
                .rotate_refresh_token("r0", &new, at(5))
                .await
                .expect("rotate")
        }));
    }
    let mut winners = 0;
    for t in tasks {
        if t.await.expect("task") {
            winners += 1;
        }
    }
    assert_eq!(winners, 1);
    let old = store.find_token("r0").await.unwrap().unwrap();
    assert_eq!(old.token.superseded, Some(at(5)));
    let mut stored = 0;
    for i in 1..=8 {
        if store.find_token(&format!("a{i}")).await.unwrap().is_some() {
            stored += 1;
        }
    }
    assert_eq!(stored, 1, "the losers wrote nothing");
    assert!(!store.rotate_refresh_token("a1", &[], at(6)).await.unwrap());
}

fn code(hash: &str) -> CodeRecord {
    CodeRecord {
        hash: hash.into(),
        client_id: "c1".into(),
        user_id: "100000000000000000001".into(),
        redirect_uri: "https://app.example/cb".into(),
        scopes: "https://www.googleapis.com/auth/books".into(),
        access_type: "offline".into(),
        issue_refresh: true,
        code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
        code_challenge_method: Some("S256".into()),
        grant_id: "g-of-code".into(),
        created: at(0),
        expires: at(300),
        used: None,
    }
}

/// Codes: the first redemption wins, even among concurrent ones; later ones are replays.
pub async fn codes_redeem_once<S: Store>(store: Arc<S>) {
    setup_user_and_client(&*store).await;
    store.insert_code(&code("k1")).await.unwrap();
    let mut plain = code("k2");
    plain.code_challenge = None;
    plain.code_challenge_method = None;
    store.insert_code(&plain).await.unwrap();
    assert_eq!(
        store.redeem_code("none", at(1)).await.unwrap(),
        CodeRedemption::Unknown
    );
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.redeem_code("k1", at(2)).await.expect("redeem")
        }));
    }
    let mut first = Vec::new();
    for t in tasks {
        match t.await.expect("task") {
            CodeRedemption::First(c) => first.push(c),
            CodeRedemption::Replayed(c) => assert_eq!(c.used, Some(at(2))),
            CodeRedemption::Unknown => panic!("the code exists"),
        }
    }
    assert_eq!(first.len(), 1);
    assert_eq!(
        first[0],
        CodeRecord {
            used: Some(at(2)),
            ..code("k1")
        }
    );
    match store.redeem_code("k2", at(3)).await.unwrap() {
        CodeRedemption::First(c) => assert_eq!(c.code_challenge, None),
        other => panic!("{other:?}"),
    }
    // Expired codes go with the pruning (they expire at 300 s).
    assert_eq!(store.prune_expired(at(300)).await.unwrap(), 0);
    assert_eq!(store.prune_expired(at(301)).await.unwrap(), 2);
    assert_eq!(
        store.redeem_code("k1", at(302)).await.unwrap(),
        CodeRedemption::Unknown
    );
}

/// Device authorizations: lookups by either hash, one decision, polls, one redemption.
pub async fn device_authorizations<S: Store>(store: Arc<S>) {
    setup_user_and_client(&*store).await;
    let d = DeviceRecord {
        device_hash: "dh".into(),
        user_code_hash: "uh".into(),
        client_id: "c2".into(),
        scopes: "https://www.googleapis.com/auth/books".into(),
        created: at(0),
        expires: at(1800),
        interval_secs: 5,
        last_poll: None,
        status: "pending".into(),
        user_id: None,
    };
    store.insert_device(&d).await.unwrap();
    assert_eq!(store.find_device("dh").await.unwrap(), Some(d.clone()));
    assert_eq!(
        store.find_device_by_user_code("uh").await.unwrap(),
        Some(d.clone())
    );
    assert_eq!(store.find_device_by_user_code("dh").await.unwrap(), None);
    assert!(
        !store.redeem_device("dh").await.unwrap(),
        "not approved yet"
    );
    store.record_device_poll("dh", at(7), 10).await.unwrap();
    let polled = store.find_device("dh").await.unwrap().unwrap();
    assert_eq!((polled.last_poll, polled.interval_secs), (Some(at(7)), 10));
    let uid = "100000000000000000001";
    assert!(store.decide_device("dh", "approved", uid).await.unwrap());
    assert!(!store.decide_device("dh", "denied", uid).await.unwrap());
    let decided = store.find_device("dh").await.unwrap().unwrap();
    assert_eq!(decided.status, "approved");
    assert_eq!(decided.user_id.as_deref(), Some(uid));
    assert!(store.redeem_device("dh").await.unwrap());
    assert!(!store.redeem_device("dh").await.unwrap());
    assert_eq!(store.prune_expired(at(1801)).await.unwrap(), 1);
    assert_eq!(store.find_device("dh").await.unwrap(), None);
}

/// A replayed code bars its grant: barring a stored grant revokes it; barring one not stored
/// yet makes its later insertion fail, tokens and all.
pub async fn barred_grant_is_never_stored_live<S: Store>(store: Arc<S>) {
    setup_user_and_client(&*store).await;
    let uid = "100000000000000000001";
    // Stored first, barred second: revoked.
    assert!(store
        .insert_grant(
            &grant("early", uid, "c1", at(0)),
            &[token("a-early", "early", "access", at(0))],
        )
        .await
        .unwrap());
    let barred = GrantRecord {
        revoked: Some(at(5)),
        ..grant("early", uid, "c1", at(0))
    };
    assert!(store.bar_grant(&barred).await.unwrap());
    assert!(!store.bar_grant(&barred).await.unwrap(), "already revoked");
    let found = store.find_token("a-early").await.unwrap().expect("token");
    assert_eq!(found.grant.revoked, Some(at(5)));

    // Barred first, stored second: the insertion writes nothing.
    let late = GrantRecord {
        revoked: Some(at(7)),
        ..grant("late", uid, "c1", at(6))
    };
    assert!(
        !store.bar_grant(&late).await.unwrap(),
        "nothing live to revoke"
    );
    assert!(!store
        .insert_grant(
            &grant("late", uid, "c1", at(6)),
            &[token("a-late", "late", "access", at(6))],
        )
        .await
        .unwrap());
    assert!(store.find_token("a-late").await.unwrap().is_none());
    assert!(store
        .clients_with_live_grants(uid, at(8))
        .await
        .unwrap()
        .iter()
        .all(|(c, _, _)| c != "c1"));
}

fn pending(id: &str, cookie: &str, created: DateTime<Utc>) -> PendingConsentRecord {
    PendingConsentRecord {
        id_hash: id.into(),
        cookie_hash: cookie.into(),
        request: format!("client_id=c1&state={id}"),
        created,
        expires: created + Duration::minutes(10),
    }
}

/// A parked consent request is taken once, only by the browser that parked it, only before it
/// expires; concurrent takers (two server processes) get it exactly once.
pub async fn pending_consents_are_taken_once_by_their_browser<S: Store>(store: Arc<S>) {
    store
        .park_consent(&pending("p1", "cookie-a", at(0)))
        .await
        .unwrap();
    store
        .park_consent(&pending("p2", "cookie-a", at(0)))
        .await
        .unwrap();
    store
        .park_consent(&pending("p3", "cookie-b", at(0)))
        .await
        .unwrap();

    assert_eq!(
        store.take_consent("p1", "cookie-b", at(1)).await.unwrap(),
        None,
        "another browser cannot take it"
    );
    assert_eq!(
        store.take_consent("p1", "cookie-a", at(1)).await.unwrap(),
        Some("client_id=c1&state=p1".to_owned()),
        "and did not spoil it"
    );
    assert_eq!(
        store.take_consent("p1", "cookie-a", at(2)).await.unwrap(),
        None
    );
    assert_eq!(
        store.take_consent("p2", "cookie-a", at(600)).await.unwrap(),
        None,
        "expired"
    );
    assert_eq!(
        store.take_consent("nope", "cookie-a", at(2)).await.unwrap(),
        None
    );

    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .take_consent("p3", "cookie-b", at(3))
                .await
                .expect("take")
        }));
    }
    let mut got = 0;
    for t in tasks {
        if t.await.expect("task").is_some() {
            got += 1;
        }
    }
    assert_eq!(got, 1);

    // Pruning removes the expired request left behind (p2).
    assert!(store.prune_expired(at(601)).await.unwrap() >= 1);
    store
        .park_consent(&pending("p2", "cookie-a", at(700)))
        .await
        .unwrap();
}

/// Throttle failures: counted per bucket and key after a time, forgotten on request, and
/// pruned with the rest.
pub async fn failures_counted_per_bucket_and_key<S: Store>(store: Arc<S>) {
    for t in [0, 10, 20] {
        store
            .record_failure("signin", "k", at(t), at(t) - Duration::minutes(15))
            .await
            .unwrap();
    }
    store
        .record_failure("token", "k", at(20), at(0))
        .await
        .unwrap();
    assert_eq!(
        store.count_failures("signin", "k", at(-1)).await.unwrap(),
        3
    );
    assert_eq!(store.count_failures("signin", "k", at(0)).await.unwrap(), 2);
    assert_eq!(
        store.count_failures("signin", "k", at(20)).await.unwrap(),
        0
    );
    assert_eq!(
        store
            .count_failures("signin", "other", at(-1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(store.count_failures("token", "k", at(-1)).await.unwrap(), 1);

    // A new failure forgets the key's failures older than it is told.
    store
        .record_failure("signin", "k", at(30), at(15))
        .await
        .unwrap();
    assert_eq!(
        store.count_failures("signin", "k", at(-1)).await.unwrap(),
        2
    );

    store.clear_failures("signin", "k").await.unwrap();
    assert_eq!(
        store.count_failures("signin", "k", at(-1)).await.unwrap(),
        0
    );
    assert_eq!(store.count_failures("token", "k", at(-1)).await.unwrap(), 1);

    assert_eq!(store.prune_expired(at(21)).await.unwrap(), 1);
    assert_eq!(store.count_failures("token", "k", at(-1)).await.unwrap(), 0);

    // Concurrent failures of one key are all counted.
    let mut tasks = Vec::new();
    for i in 0..10 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .record_failure("signin", "busy", at(100 + i), at(0))
                .await
                .expect("record")
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    assert_eq!(
        store.count_failures("signin", "busy", at(0)).await.unwrap(),
        10
    );
}
