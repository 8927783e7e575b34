//! Stories for [`FamilyStore`](crate::FamilyStore): one family per user, shares per member,
//! and deletions that take memberships and shares with them.

use std::sync::Arc;

use super::{at, vid};
use crate::{FamilyMemberRecord, FamilyRecord, FamilyShareRecord, Store, UserRecord};

/// The family stories, handed to `$m` like the volume stories.
#[doc(hidden)]
#[macro_export]
macro_rules! __family_conformance_stories {
    ($m:path; $fixture:expr) => {
        $m!(
            $fixture;
            families_members_and_shares,
            deleting_a_family_or_member_takes_its_shares,
        );
    };
}

const A: &str = "200000000000000000001";
const B: &str = "200000000000000000002";
const C: &str = "200000000000000000003";

async fn users<S: Store>(store: &S) {
    for (id, email) in [
        (A, "fa@example.org"),
        (B, "fb@example.org"),
        (C, "fc@example.org"),
    ] {
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

fn family(id: &str, secs: i64) -> FamilyRecord {
    FamilyRecord {
        id: id.into(),
        name: format!("The {id} family — “ü”"),
        created: at(secs),
    }
}

fn member(family: &str, user: &str, role: &str, secs: i64) -> FamilyMemberRecord {
    FamilyMemberRecord {
        family_id: family.into(),
        user_id: user.into(),
        role: role.into(),
        joined: at(secs),
    }
}

fn share(family: &str, user: &str, volume: &str, secs: i64) -> FamilyShareRecord {
    FamilyShareRecord {
        family_id: family.into(),
        user_id: user.into(),
        volume_id: vid(volume),
        shared: at(secs),
    }
}

/// Families list oldest first; a user joins one family at most; memberships read back
/// exactly; shares are per member and volume, kept once, listed oldest first.
pub async fn families_members_and_shares<S: Store>(store: Arc<S>) {
    users(&*store).await;
    assert!(store.families().await.unwrap().is_empty());
    assert!(store.insert_family(&family("f2", 20)).await.unwrap());
    assert!(store.insert_family(&family("f1", 10)).await.unwrap());
    assert!(!store.insert_family(&family("f1", 30)).await.unwrap());
    assert_eq!(
        store.families().await.unwrap(),
        vec![family("f1", 10), family("f2", 20)]
    );

    assert!(store
        .insert_family_member(&member("f1", A, "HEAD_OF_HOUSEHOLD", 11))
        .await
        .unwrap());
    assert!(store
        .insert_family_member(&member("f1", B, "CHILD", 12))
        .await
        .unwrap());
    // One family per user.
    assert!(!store
        .insert_family_member(&member("f2", B, "MEMBER", 13))
        .await
        .unwrap());
    assert_eq!(
        store.family_members("f1").await.unwrap(),
        vec![
            member("f1", A, "HEAD_OF_HOUSEHOLD", 11),
            member("f1", B, "CHILD", 12)
        ]
    );
    assert!(store.family_members("f2").await.unwrap().is_empty());
    assert_eq!(
        store.family_membership(B).await.unwrap(),
        Some(member("f1", B, "CHILD", 12))
    );
    assert_eq!(store.family_membership(C).await.unwrap(), None);

    assert!(store
        .insert_family_share(&share("f1", A, "aaaaaaaaaaab", 40))
        .await
        .unwrap());
    assert!(store
        .insert_family_share(&share("f1", B, "aaaaaaaaaaaa", 30))
        .await
        .unwrap());
    // Sharing again keeps the first share.
    assert!(!store
        .insert_family_share(&share("f1", A, "aaaaaaaaaaab", 50))
        .await
        .unwrap());
    assert_eq!(
        store.family_shares("f1").await.unwrap(),
        vec![
            share("f1", B, "aaaaaaaaaaaa", 30),
            share("f1", A, "aaaaaaaaaaab", 40)
        ]
    );
    assert!(store
        .delete_family_share("f1", A, &vid("aaaaaaaaaaab"))
        .await
        .unwrap());
    assert!(!store
        .delete_family_share("f1", A, &vid("aaaaaaaaaaab"))
        .await
        .unwrap());
    assert_eq!(
        store.family_shares("f1").await.unwrap(),
        vec![share("f1", B, "aaaaaaaaaaaa", 30)]
    );
    assert!(store.family_shares("f2").await.unwrap().is_empty());
}

/// Removing a member removes their shares only; deleting a family removes its members (who
/// may then join another) and its shares.
pub async fn deleting_a_family_or_member_takes_its_shares<S: Store>(store: Arc<S>) {
    users(&*store).await;
    store.insert_family(&family("f1", 10)).await.unwrap();
    store.insert_family(&family("f2", 20)).await.unwrap();
    for (u, secs) in [(A, 1), (B, 2), (C, 3)] {
        store
            .insert_family_member(&member("f1", u, "MEMBER", secs))
            .await
            .unwrap();
        store
            .insert_family_share(&share("f1", u, "aaaaaaaaaaaa", secs))
            .await
            .unwrap();
    }
    assert!(store.delete_family_member("f1", C).await.unwrap());
    assert!(!store.delete_family_member("f1", C).await.unwrap());
    assert!(!store.delete_family_member("f2", A).await.unwrap());
    let users_sharing: Vec<String> = store
        .family_shares("f1")
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.user_id)
        .collect();
    assert_eq!(users_sharing, vec![A.to_owned(), B.to_owned()]);

    assert!(store.delete_family("f1").await.unwrap());
    assert!(!store.delete_family("f1").await.unwrap());
    assert!(store.family_shares("f1").await.unwrap().is_empty());
    assert!(store.family_members("f1").await.unwrap().is_empty());
    assert_eq!(store.family_membership(A).await.unwrap(), None);
    // Free to join another family now.
    assert!(store
        .insert_family_member(&member("f2", A, "PARENT", 30))
        .await
        .unwrap());
    assert_eq!(store.families().await.unwrap(), vec![family("f2", 20)]);
}
