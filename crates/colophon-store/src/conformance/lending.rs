//! Stories for [`LendingStore`](crate::LendingStore) and
//! [`UserSettingsStore`](crate::UserSettingsStore): copies are counted exactly (also under
//! concurrent requests), leases expire, download licenses are per user and device, settings
//! merge per sub-object.

use std::sync::Arc;

use chrono::Duration;

use super::{at, vid};
use crate::{DownloadOutcome, LeaseOutcome, LendingPolicy, Store, StoredSettings};

/// The lending stories, handed to `$m` like the volume stories.
#[doc(hidden)]
#[macro_export]
macro_rules! __lending_conformance_stories {
    ($m:path; $fixture:expr) => {
        $m!(
            $fixture;
            lending_policies_round_trip,
            leases_count_copies_renew_and_release,
            leases_expire,
            concurrent_leases_grant_exactly_the_copies,
            download_licenses_are_per_user_and_device,
            concurrent_downloads_grant_exactly_the_limit,
            licensed_volumes_of_a_user,
            user_settings_merge_per_sub_object,
        );
    };
}

fn policy(copies: u32, download_devices: Option<u32>) -> LendingPolicy {
    LendingPolicy {
        copies,
        download_devices,
    }
}

fn granted(just_acquired: bool, held: u32, copies: u32) -> LeaseOutcome {
    LeaseOutcome::Granted {
        just_acquired,
        held,
        copies,
    }
}

/// A policy is set, replaced, listed and removed; removing it drops the leases.
pub async fn lending_policies_round_trip<S: Store>(store: Arc<S>) {
    let (a, b) = (vid("lendaaaaaaaa"), vid("lendbbbbbbbb"));
    assert_eq!(store.lending_policy(&a).await.unwrap(), None);
    store
        .set_lending_policy(&a, Some(policy(2, None)))
        .await
        .unwrap();
    store
        .set_lending_policy(&b, Some(policy(1, Some(3))))
        .await
        .unwrap();
    store
        .set_lending_policy(&a, Some(policy(5, Some(0))))
        .await
        .unwrap();
    assert_eq!(
        store.lending_policy(&a).await.unwrap(),
        Some(policy(5, Some(0)))
    );
    assert_eq!(
        store.lending_policies().await.unwrap(),
        vec![
            (a.clone(), policy(5, Some(0))),
            (b.clone(), policy(1, Some(3)))
        ]
    );
    store
        .acquire_lease(&b, "u1", "d1", at(0), at(60))
        .await
        .unwrap();
    store.set_lending_policy(&b, None).await.unwrap();
    assert_eq!(store.lending_policy(&b).await.unwrap(), None);
    assert!(store
        .licensed_volumes("u1", at(1))
        .await
        .unwrap()
        .is_empty());
    // Without a policy nothing is counted.
    assert_eq!(
        store
            .acquire_lease(&b, "u1", "d1", at(2), at(60))
            .await
            .unwrap(),
        LeaseOutcome::Unrestricted
    );
    assert_eq!(
        store.acquire_download(&b, "u1", "d1", at(2)).await.unwrap(),
        DownloadOutcome::Unrestricted
    );
    assert!(store
        .licensed_volumes("u1", at(3))
        .await
        .unwrap()
        .is_empty());
}

/// Two copies: two devices borrow, the third is refused; a device asking again renews; a
/// release frees a copy for the third.
pub async fn leases_count_copies_renew_and_release<S: Store>(store: Arc<S>) {
    let v = vid("lendcccccccc");
    store
        .set_lending_policy(&v, Some(policy(2, None)))
        .await
        .unwrap();
    let ask = |user: &'static str, device: &'static str, t: i64| {
        let store = store.clone();
        let v = v.clone();
        async move {
            store
                .acquire_lease(&v, user, device, at(t), at(t + 600))
                .await
                .unwrap()
        }
    };
    assert_eq!(ask("u1", "phone", 0).await, granted(true, 1, 2));
    // The same user's second device takes the second copy.
    assert_eq!(ask("u1", "tablet", 1).await, granted(true, 2, 2));
    assert_eq!(
        ask("u2", "phone", 2).await,
        LeaseOutcome::Refused { held: 2, copies: 2 }
    );
    // Asking again renews, without taking another copy.
    assert_eq!(ask("u1", "phone", 3).await, granted(false, 2, 2));
    assert!(store.release_lease(&v, "u1", "tablet").await.unwrap());
    assert!(!store.release_lease(&v, "u1", "tablet").await.unwrap());
    // Another user's device of the same name is another device.
    assert!(!store.release_lease(&v, "u2", "phone").await.unwrap());
    assert_eq!(ask("u2", "phone", 4).await, granted(true, 2, 2));
    assert_eq!(
        ask("u3", "e-reader", 5).await,
        LeaseOutcome::Refused { held: 2, copies: 2 }
    );
    // Zero copies lends nothing.
    let none = vid("lendzzzzzzzz");
    store
        .set_lending_policy(&none, Some(policy(0, None)))
        .await
        .unwrap();
    assert_eq!(
        store
            .acquire_lease(&none, "u1", "phone", at(0), at(10))
            .await
            .unwrap(),
        LeaseOutcome::Refused { held: 0, copies: 0 }
    );
}

/// A lease not renewed before it expires stops counting: a crashed device does not keep a
/// copy; renewing before expiry extends it.
pub async fn leases_expire<S: Store>(store: Arc<S>) {
    let v = vid("lenddddddddd");
    store
        .set_lending_policy(&v, Some(policy(1, None)))
        .await
        .unwrap();
    let lease = |user: &'static str, t: i64| {
        let store = store.clone();
        let v = v.clone();
        async move {
            store
                .acquire_lease(&v, user, "dev", at(t), at(t) + Duration::seconds(100))
                .await
                .unwrap()
        }
    };
    assert_eq!(lease("u1", 0).await, granted(true, 1, 1));
    assert_eq!(
        lease("u2", 99).await,
        LeaseOutcome::Refused { held: 1, copies: 1 }
    );
    assert_eq!(
        store.licensed_volumes("u1", at(99)).await.unwrap(),
        std::slice::from_ref(&v)
    );
    // Renewed at 50 (before the end), it lasts until 150.
    assert_eq!(lease("u1", 50).await, granted(false, 1, 1));
    assert_eq!(
        lease("u2", 149).await,
        LeaseOutcome::Refused { held: 1, copies: 1 }
    );
    // At 150 it has expired: the copy goes to u2, and u1 holds nothing.
    assert_eq!(lease("u2", 150).await, granted(true, 1, 1));
    assert!(store
        .licensed_volumes("u1", at(150))
        .await
        .unwrap()
        .is_empty());
    // u1 coming back after expiry is a new borrower, refused now.
    assert_eq!(
        lease("u1", 151).await,
        LeaseOutcome::Refused { held: 1, copies: 1 }
    );
}

/// 40 devices of 40 users ask at once for one of 3 copies: exactly 3 succeed, and the store
/// holds exactly 3 leases.
pub async fn concurrent_leases_grant_exactly_the_copies<S: Store>(store: Arc<S>) {
    let v = vid("lendeeeeeeee");
    let copies = 3;
    store
        .set_lending_policy(&v, Some(policy(copies, None)))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..40 {
        let store = store.clone();
        let v = v.clone();
        tasks.push(tokio::spawn(async move {
            let user = format!("user{i}");
            store
                .acquire_lease(&v, &user, "device", at(0), at(600))
                .await
                .expect("acquire")
        }));
    }
    let mut won = 0;
    for t in tasks {
        match t.await.expect("task") {
            LeaseOutcome::Granted {
                just_acquired: true,
                held,
                ..
            } => {
                assert!(held <= copies, "held {held} > {copies}");
                won += 1;
            }
            LeaseOutcome::Refused { held, copies: c } => {
                assert_eq!((held, c), (copies, copies));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(won, copies, "exactly the copies are lent");
    let mut holders = 0;
    for i in 0..40 {
        if !store
            .licensed_volumes(&format!("user{i}"), at(1))
            .await
            .unwrap()
            .is_empty()
        {
            holders += 1;
        }
    }
    assert_eq!(holders, copies);
}

/// Two download devices per user: a third device of the same user is refused, another user is
/// counted apart, releasing frees a license, asking again is not a new license.
pub async fn download_licenses_are_per_user_and_device<S: Store>(store: Arc<S>) {
    let v = vid("lendffffffff");
    store
        .set_lending_policy(&v, Some(policy(1, Some(2))))
        .await
        .unwrap();
    let dl = |user: &'static str, device: &'static str| {
        let store = store.clone();
        let v = v.clone();
        async move {
            store
                .acquire_download(&v, user, device, at(0))
                .await
                .unwrap()
        }
    };
    let ok = |just_acquired, acquired| DownloadOutcome::Granted {
        just_acquired,
        acquired,
        max: 2,
    };
    assert_eq!(dl("u1", "a").await, ok(true, 1));
    assert_eq!(dl("u1", "b").await, ok(true, 2));
    assert_eq!(dl("u1", "a").await, ok(false, 2));
    assert_eq!(
        dl("u1", "c").await,
        DownloadOutcome::Refused {
            acquired: 2,
            max: 2
        }
    );
    assert_eq!(dl("u2", "c").await, ok(true, 1));
    assert_eq!(store.downloads_acquired(&v, "u1").await.unwrap(), 2);
    assert!(store.release_download(&v, "u1", "a").await.unwrap());
    assert!(!store.release_download(&v, "u1", "a").await.unwrap());
    assert_eq!(store.downloads_acquired(&v, "u1").await.unwrap(), 1);
    assert_eq!(dl("u1", "c").await, ok(true, 2));
}

/// 30 devices of one user ask at once for one of 4 download licenses: exactly 4 succeed.
pub async fn concurrent_downloads_grant_exactly_the_limit<S: Store>(store: Arc<S>) {
    let v = vid("lendgggggggg");
    store
        .set_lending_policy(&v, Some(policy(1, Some(4))))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..30 {
        let store = store.clone();
        let v = v.clone();
        tasks.push(tokio::spawn(async move {
            store
                .acquire_download(&v, "u1", &format!("device{i}"), at(0))
                .await
                .expect("download")
        }));
    }
    let mut won = 0;
    for t in tasks {
        if matches!(t.await.expect("task"), DownloadOutcome::Granted { .. }) {
            won += 1;
        }
    }
    assert_eq!(won, 4);
    assert_eq!(store.downloads_acquired(&v, "u1").await.unwrap(), 4);
}

/// A user's licensed volumes: download licenses and live leases, each volume once, in id order,
/// nobody else's.
pub async fn licensed_volumes_of_a_user<S: Store>(store: Arc<S>) {
    let (a, b, c) = (
        vid("lendhhhhhhh1"),
        vid("lendhhhhhhh2"),
        vid("lendhhhhhhh3"),
    );
    for v in [&a, &b, &c] {
        store
            .set_lending_policy(v, Some(policy(5, Some(5))))
            .await
            .unwrap();
    }
    store.acquire_download(&b, "u1", "d", at(0)).await.unwrap();
    store
        .acquire_lease(&b, "u1", "d", at(0), at(10))
        .await
        .unwrap();
    store
        .acquire_lease(&a, "u1", "d", at(0), at(10))
        .await
        .unwrap();
    store
        .acquire_lease(&c, "u2", "d", at(0), at(10))
        .await
        .unwrap();
    assert_eq!(
        store.licensed_volumes("u1", at(5)).await.unwrap(),
        [a.clone(), b.clone()]
    );
    // After the leases expire, the download license remains.
    assert_eq!(store.licensed_volumes("u1", at(10)).await.unwrap(), [b]);
    assert_eq!(store.licensed_volumes("u2", at(5)).await.unwrap(), [c]);
    assert!(store
        .licensed_volumes("u3", at(5))
        .await
        .unwrap()
        .is_empty());
}

/// Settings start empty; an update replaces the sub-objects it carries and keeps the others;
/// users are apart.
pub async fn user_settings_merge_per_sub_object<S: Store>(store: Arc<S>) {
    assert_eq!(
        store.user_settings("u1").await.unwrap(),
        StoredSettings::default()
    );
    let notes = StoredSettings {
        notes_export: Some(r#"{"folderName":"Notes","isEnabled":true}"#.into()),
        notification: None,
    };
    assert_eq!(
        store.update_user_settings("u1", &notes).await.unwrap(),
        notes
    );
    let notification = StoredSettings {
        notes_export: None,
        notification: Some(r#"{"priceDrop":{"opted_state":"OPTED_OUT"}}"#.into()),
    };
    let both = StoredSettings {
        notes_export: notes.notes_export.clone(),
        notification: notification.notification.clone(),
    };
    assert_eq!(
        store
            .update_user_settings("u1", &notification)
            .await
            .unwrap(),
        both
    );
    assert_eq!(store.user_settings("u1").await.unwrap(), both);
    let replaced = StoredSettings {
        notes_export: Some(r#"{"isEnabled":false}"#.into()),
        notification: None,
    };
    let after = store.update_user_settings("u1", &replaced).await.unwrap();
    assert_eq!(after.notes_export, replaced.notes_export);
    assert_eq!(after.notification, both.notification);
    assert_eq!(
        store.user_settings("u2").await.unwrap(),
        StoredSettings::default()
    );
}
