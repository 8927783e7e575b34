//! Stories for [`UploadStore`](crate::UploadStore): an upload is its owner's only; it is
//! `RUNNING` until finished once; listing filters by state and id and pages newest first;
//! deleting takes the file, the text and the cover with it.

use std::sync::Arc;

use colophon_domain::library::ProcessingState;

use super::library::{users, A, B};
use super::{at, record, vid};
use crate::{CoverRef, NewUpload, Store, UploadOutcome, UploadQuery};

/// The upload stories, handed to `$m` like the volume stories.
#[doc(hidden)]
#[macro_export]
macro_rules! __upload_conformance_stories {
    ($m:path; $fixture:expr) => {
        $m!(
            $fixture;
            uploads_belong_to_their_owner,
            uploads_finish_once_and_list_with_filters,
            deleting_an_upload_takes_its_file_text_and_cover,
        );
    };
}

fn new(id: &str, user: &str, secs: i64) -> NewUpload {
    NewUpload {
        volume_id: vid(id),
        user_id: user.into(),
        name: format!("{id}.epub"),
        media_type: "application/epub+zip".into(),
        title: id.into(),
        created: at(secs),
    }
}

/// Only the owner reads, renames, fetches or deletes an upload; the file round-trips.
pub async fn uploads_belong_to_their_owner<S: Store>(store: Arc<S>) {
    users(&*store).await;
    let id = vid("upAAAAAAAAAA");
    let bytes: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    store
        .insert_upload(&new("upAAAAAAAAAA", A, 1), &bytes)
        .await
        .unwrap();
    let mine = store
        .upload(A, &id)
        .await
        .unwrap()
        .expect("the owner sees it");
    assert_eq!(mine.state, ProcessingState::Running);
    assert_eq!(mine.size, 100_000);
    assert_eq!(mine.title, "upAAAAAAAAAA");
    assert_eq!(mine.author, "");
    assert_eq!(mine.created, at(1));
    assert_eq!(store.upload(B, &id).await.unwrap(), None);
    assert_eq!(
        store.upload_file(A, &id).await.unwrap(),
        Some(("application/epub+zip".to_owned(), bytes.clone()))
    );
    assert_eq!(store.upload_file(B, &id).await.unwrap(), None);
    assert_eq!(
        store
            .rename_upload(B, &id, Some("Mine now"), None, at(2))
            .await
            .unwrap(),
        None
    );
    let renamed = store
        .rename_upload(A, &id, Some("New title"), None, at(3))
        .await
        .unwrap()
        .expect("renamed");
    assert_eq!(
        (renamed.title.as_str(), renamed.author.as_str()),
        ("New title", "")
    );
    assert_eq!(renamed.updated, at(3));
    let renamed = store
        .rename_upload(A, &id, None, Some("An Author"), at(4))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (renamed.title.as_str(), renamed.author.as_str()),
        ("New title", "An Author")
    );
    assert!(!store.delete_upload(B, &id).await.unwrap());
    assert!(store.upload(A, &id).await.unwrap().is_some());
    assert_eq!(
        store
            .list_uploads(B, &query(&[], &[], 0, 40))
            .await
            .unwrap()
            .0,
        0
    );
}

fn query(states: &[ProcessingState], ids: &[&str], start: u32, max: u32) -> UploadQuery {
    UploadQuery {
        states: states.to_vec(),
        volume_ids: ids.iter().map(|i| vid(i)).collect(),
        start,
        max,
    }
}

fn ids_of(items: &[crate::UploadRecord]) -> Vec<&str> {
    items.iter().map(|u| u.volume_id.as_str()).collect()
}

/// Finishing applies once, to a running upload; the list filters and pages newest first.
pub async fn uploads_finish_once_and_list_with_filters<S: Store>(store: Arc<S>) {
    users(&*store).await;
    for (i, id) in ["up1111111111", "up2222222222", "up3333333333"]
        .iter()
        .enumerate()
    {
        store
            .insert_upload(&new(id, A, i as i64), b"file")
            .await
            .unwrap();
    }
    let running: Vec<String> = store
        .running_uploads()
        .await
        .unwrap()
        .iter()
        .map(|id| id.as_str().to_owned())
        .collect();
    assert_eq!(running, ["up1111111111", "up2222222222", "up3333333333"]);
    let (pending, bytes) = store
        .pending_upload(&vid("up1111111111"))
        .await
        .unwrap()
        .expect("running");
    assert_eq!((pending.user_id.as_str(), &bytes[..]), (A, &b"file"[..]));

    let mut rec = record("up1111111111");
    rec.volume_info.title = Some("Read Title".into());
    let ok = UploadOutcome::Succeeded {
        record: Box::new(rec.clone()),
        title: "Read Title".into(),
        author: "Read Author".into(),
        full_text: Some("Chapter one.\n\nIt begins.".into()),
    };
    assert!(store
        .finish_upload(&vid("up1111111111"), &ok, at(10))
        .await
        .unwrap());
    assert!(
        !store
            .finish_upload(
                &vid("up1111111111"),
                &UploadOutcome::Failed {
                    reason: "late".into()
                },
                at(11)
            )
            .await
            .unwrap(),
        "a finished upload is not finished again"
    );
    // The owner names the third before it is processed: processing keeps that name.
    store
        .rename_upload(A, &vid("up3333333333"), Some("Owner's"), None, at(13))
        .await
        .unwrap()
        .unwrap();
    let mut rec3 = record("up3333333333");
    rec3.volume_info.title = Some("Book's".into());
    let third = UploadOutcome::Succeeded {
        record: Box::new(rec3),
        title: "Book's".into(),
        author: "Book's Author".into(),
        full_text: None,
    };
    assert!(store
        .finish_upload(&vid("up3333333333"), &third, at(14))
        .await
        .unwrap());
    let named = store
        .upload(A, &vid("up3333333333"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (named.title.as_str(), named.author.as_str()),
        ("Owner's", "Book's Author"),
        "the owner set the title only"
    );
    let failed = UploadOutcome::Failed {
        reason: "not a zip".into(),
    };
    assert!(store
        .finish_upload(&vid("up2222222222"), &failed, at(12))
        .await
        .unwrap());
    assert!(store
        .pending_upload(&vid("up1111111111"))
        .await
        .unwrap()
        .is_none());

    let done = store
        .upload(A, &vid("up1111111111"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.state, ProcessingState::CompletedSuccess);
    assert_eq!(
        (done.title.as_str(), done.author.as_str()),
        ("Read Title", "Read Author")
    );
    assert_eq!(done.record, Some(rec));
    assert_eq!(done.updated, at(10));
    assert_eq!(
        store
            .upload_text(A, &vid("up1111111111"))
            .await
            .unwrap()
            .as_deref(),
        Some("Chapter one.\n\nIt begins.")
    );
    assert_eq!(
        store.upload_text(B, &vid("up1111111111")).await.unwrap(),
        None
    );
    let bad = store
        .upload(A, &vid("up2222222222"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bad.state, ProcessingState::CompletedFailed);
    assert_eq!(bad.failure.as_deref(), Some("not a zip"));
    assert_eq!(bad.title, "up2222222222", "a failed upload keeps its name");

    let (total, items) = store
        .list_uploads(A, &query(&[], &[], 0, 40))
        .await
        .unwrap();
    assert_eq!(total, 3);
    assert_eq!(
        ids_of(&items),
        ["up3333333333", "up2222222222", "up1111111111"]
    );
    let (total, items) = store.list_uploads(A, &query(&[], &[], 1, 1)).await.unwrap();
    assert_eq!((total, ids_of(&items)), (3, vec!["up2222222222"]));
    let (total, items) = store
        .list_uploads(
            A,
            &query(
                &[ProcessingState::Running, ProcessingState::CompletedFailed],
                &[],
                0,
                40,
            ),
        )
        .await
        .unwrap();
    assert_eq!((total, ids_of(&items)), (1, vec!["up2222222222"]));
    let (total, items) = store
        .list_uploads(A, &query(&[], &["up1111111111", "up3333333333"], 0, 40))
        .await
        .unwrap();
    assert_eq!(
        (total, ids_of(&items)),
        (2, vec!["up3333333333", "up1111111111"])
    );
    let (total, _) = store
        .list_uploads(
            A,
            &query(
                &[ProcessingState::CompletedFailed],
                &["up3333333333"],
                0,
                40,
            ),
        )
        .await
        .unwrap();
    assert_eq!(total, 0);
}

/// Deleting removes the row, the file, the text and a cover no other volume uses.
pub async fn deleting_an_upload_takes_its_file_text_and_cover<S: Store>(store: Arc<S>) {
    users(&*store).await;
    let id = vid("upDDDDDDDDDD");
    store
        .insert_upload(&new("upDDDDDDDDDD", A, 1), b"file")
        .await
        .unwrap();
    let cover = CoverRef {
        digest: "d".repeat(64),
        media_type: "image/png".into(),
    };
    store.set_cover(&id, &cover, b"png").await.unwrap();
    assert!(store.delete_upload(A, &id).await.unwrap());
    assert!(!store.delete_upload(A, &id).await.unwrap(), "gone already");
    assert_eq!(store.upload(A, &id).await.unwrap(), None);
    assert_eq!(store.upload_file(A, &id).await.unwrap(), None);
    assert_eq!(store.cover_of(&id).await.unwrap(), None);
    assert_eq!(store.cover_bytes(&cover.digest).await.unwrap(), None);
    assert!(store.running_uploads().await.unwrap().is_empty());
    assert!(
        !store
            .finish_upload(&id, &UploadOutcome::Failed { reason: "x".into() }, at(2))
            .await
            .unwrap(),
        "finishing a deleted upload writes nothing"
    );
}
