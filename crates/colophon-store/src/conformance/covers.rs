//! Stories for [`CoverStore`](crate::CoverStore): images are stored once by digest, a volume's
//! cover can be replaced, and an image no volume uses any more is removed.

use std::sync::Arc;

use colophon_domain::VolumeId;

use crate::{CoverRef, Store};

/// The cover stories, handed to `$m` like the volume stories.
#[doc(hidden)]
#[macro_export]
macro_rules! __cover_conformance_stories {
    ($m:path; $fixture:expr) => {
        $m!(
            $fixture;
            covers_are_stored_once_and_replaced,
        );
    };
}

fn cover(digest_char: char, media_type: &str) -> CoverRef {
    CoverRef {
        digest: std::iter::repeat_n(digest_char, 64).collect(),
        media_type: media_type.into(),
    }
}

/// Two volumes with the same image share one stored copy; replacing one volume's cover keeps
/// the shared image; replacing the last user's removes it; bytes survive exactly.
pub async fn covers_are_stored_once_and_replaced<S: Store>(store: Arc<S>) {
    let a = VolumeId::parse("aaaaaaaaaaaa").unwrap();
    let b = VolumeId::parse("bbbbbbbbbbbb").unwrap();
    assert_eq!(store.cover_of(&a).await.unwrap(), None);
    assert_eq!(store.cover_bytes(&"0".repeat(64)).await.unwrap(), None);

    let jpeg = cover('1', "image/jpeg");
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    store.set_cover(&a, &jpeg, &bytes).await.unwrap();
    store.set_cover(&b, &jpeg, &bytes).await.unwrap();
    // Setting the same cover again changes nothing.
    store.set_cover(&a, &jpeg, &bytes).await.unwrap();
    assert_eq!(store.count_cover_images().await.unwrap(), 1);
    assert_eq!(store.cover_of(&a).await.unwrap(), Some(jpeg.clone()));
    assert_eq!(store.cover_of(&b).await.unwrap(), Some(jpeg.clone()));
    assert_eq!(
        store.cover_bytes(&jpeg.digest).await.unwrap().as_deref(),
        Some(&bytes[..])
    );

    let png = cover('2', "image/png");
    store.set_cover(&a, &png, b"png bytes").await.unwrap();
    assert_eq!(store.cover_of(&a).await.unwrap(), Some(png.clone()));
    assert_eq!(
        store.count_cover_images().await.unwrap(),
        2,
        "b still uses the JPEG"
    );

    store.set_cover(&b, &png, b"png bytes").await.unwrap();
    assert_eq!(
        store.count_cover_images().await.unwrap(),
        1,
        "the JPEG is unused"
    );
    assert_eq!(store.cover_bytes(&jpeg.digest).await.unwrap(), None);
    assert_eq!(
        store.cover_bytes(&png.digest).await.unwrap().as_deref(),
        Some(&b"png bytes"[..])
    );
}
