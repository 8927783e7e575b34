//! The library's wire objects: `books#bookshelf`, `books#readingPosition` and `userInfo`.

use colophon_domain::library::{format_millis, PositionKind};
use colophon_domain::Projection;
use colophon_store::ReadingPositionRecord;
use colophon_types::{Bookshelf, ReadingPosition, UserInfo};

use super::{Shelf, UserVolume};

/// A shelf as `books#bookshelf`; its `selfLink` is under `/users/{userId}/` also when it
/// comes from `mylibrary` (that is how a client learns its user id). No `description`:
/// fixed shelves have none and Google omits it when empty.
pub fn bookshelf(shelf: &Shelf, base_url: &str) -> Bookshelf {
    let id = shelf.fixed.id.get();
    Bookshelf {
        kind: "books#bookshelf".into(),
        id: i64::from(id),
        self_link: format!(
            "{base_url}/books/v1/users/{}/bookshelves/{id}",
            shelf.user_id
        ),
        title: shelf.fixed.title.into(),
        access: shelf.fixed.access().into(),
        updated: format_millis(shelf.updated),
        created: format_millis(shelf.created),
        volume_count: u64::from(shelf.volume_count),
        volumes_last_updated: format_millis(shelf.volumes_last_updated),
    }
}

/// A reading position (`None`: only `kind` and `volumeId`, what a volume without a position
/// answers).
pub fn reading_position(volume_id: &str, p: Option<&ReadingPositionRecord>) -> ReadingPosition {
    let mut out = ReadingPosition {
        kind: "books#readingPosition".into(),
        volume_id: volume_id.to_owned(),
        ..ReadingPosition::default()
    };
    if let Some(p) = p {
        out.updated = Some(format_millis(p.updated));
        let value = Some(p.position.clone());
        match PositionKind::from_stored(&p.kind) {
            PositionKind::EpubCfi => out.epub_cfi_position = value,
            PositionKind::GbImage => out.gb_image_position = value,
            PositionKind::Pdf => out.pdf_position = value,
            PositionKind::GbText => out.gb_text_position = value,
        }
    }
    out
}

/// The `userInfo` of a volume for its signed-in caller. Colophon sells, rents and takes
/// uploads of nothing, so `isPurchased`, `isPreordered` and `isUploaded` are `false`;
/// `projection=lite` keeps only the fields the discovery document marks as LITE
/// (`isPurchased`, `isPreordered`, `readingPosition`).
pub fn user_info(volume_id: &str, facts: Option<&UserVolume>, projection: Projection) -> UserInfo {
    let position = facts
        .and_then(|f| f.position.as_ref())
        .map(|p| reading_position(volume_id, Some(p)));
    let mut info = UserInfo {
        reading_position: position,
        is_purchased: Some(false),
        is_preordered: Some(false),
        ..UserInfo::default()
    };
    if projection == Projection::Full {
        info.is_in_my_books = Some(facts.is_some_and(|f| !f.shelves.is_empty()));
        info.is_uploaded = Some(false);
        info.updated = facts
            .and_then(|f| f.updated)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    }
    info
}
