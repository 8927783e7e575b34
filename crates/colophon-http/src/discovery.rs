//! The remaining methods of the discovery document: `series.*`, `onboarding.*`,
//! `personalizedstream.get`, `familysharing.*`, and the Google store features this deployment
//! does not have (`notification.get`, `promooffer.*`, `dictionary.listOfflineMetadata`).

pub mod absent;
pub mod familysharing;
pub mod onboarding;
pub mod personalizedstream;
pub mod series;

use colophon_domain::paging::OffsetToken;

use crate::params::QueryParams;
use crate::ApiError;

/// Default and largest page sizes of the paged methods.
pub const DEFAULT_PAGE_SIZE: u32 = 10;
/// Largest page size (as `maxResults` of `volumes.list`).
pub const MAX_PAGE_SIZE: u32 = 40;

/// The page size parameter `name` (0–40, default 10) and the offset its page token names
/// (`listing` binds the token to the listing's parameters).
pub fn page(
    p: &QueryParams,
    size_name: &str,
    token_name: &str,
    listing: &[&str],
) -> Result<(u32, u32), ApiError> {
    let size = p.u32_in(size_name, 0, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE)?;
    let offset = match p.non_empty(token_name) {
        None => 0,
        Some(t) => {
            OffsetToken::decode(t, listing)
                .map_err(|_| {
                    ApiError::invalid(token_name, format!("Invalid value for {token_name}."))
                })?
                .offset
        }
    };
    Ok((size, offset))
}

/// The token of the page after `offset + size` when there are more than that many items.
pub fn next_token(offset: u32, size: u32, total: u64, listing: &[&str]) -> Option<String> {
    let next = offset.saturating_add(size);
    (size > 0 && u64::from(next) < total).then(|| OffsetToken { offset: next }.encode(listing))
}

/// A cover link of a volume at `zoom` (1 thumbnail, 3 medium, 4 large).
pub fn cover_url(base: &str, volume_id: &str, zoom: u8) -> String {
    format!(
        "{base}/books/content?id={volume_id}&printsec=frontcover&img=1&zoom={zoom}&source=gbs_api"
    )
}
