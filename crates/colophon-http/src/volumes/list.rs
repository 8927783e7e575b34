//! `books.volumes.list`: `GET /books/v1/volumes`.

use axum::extract::State;
use axum::response::Response;
use colophon_domain::{
    Download, Filter, LibraryRestrict, MaturityRating, OrderBy, PrintType, Projection,
    SearchRequest,
};

use crate::params::QueryParams;
use crate::request::{ApiRequest, Caller};
use crate::user_volumes::{respond_page, PageStyle};
use crate::{ApiError, AppState};

/// Largest `maxResults`.
pub const MAX_RESULTS: u32 = 40;

/// `books.volumes.list`: `GET /books/v1/volumes` — search the catalog. A signed-in caller
/// gets `userInfo` on each volume, and `libraryRestrict=my-library` searches only the volumes
/// on their shelves (an API key or anonymous caller has no library: 401).
pub async fn list(State(state): State<AppState>, req: ApiRequest) -> Result<Response, ApiError> {
    let p = &req.params;
    let search = search_request(p)?;
    let projection = p
        .option("projection", Projection::parse)?
        .unwrap_or(Projection::Full);
    let country = p.country(&state.config.default_country)?;
    let (total, found) = if p.option("libraryRestrict", LibraryRestrict::parse)?
        == Some(LibraryRestrict::MyLibrary)
    {
        // Only a signed-in user has a library; API keys and anonymous callers do not.
        let Caller::User(user) = &req.caller else {
            return Err(ApiError::LoginRequired);
        };
        let page = state.library.search_library(&user.user_id, &search).await?;
        (page.total, page.items)
    } else {
        state.catalog.search(&search).await?
    };
    respond_page(
        &state,
        &req.caller,
        &req.output,
        total,
        found,
        &PageStyle {
            projection,
            country: &country,
            search: Some((&search, search.start_index)),
        },
    )
    .await
}

/// Validates the search parameters of `volumes.list`.
pub fn search_request(p: &QueryParams) -> Result<SearchRequest, ApiError> {
    let q = match p.get("q") {
        None => return Err(ApiError::Required("q")),
        Some(q) if q.trim().is_empty() => return Err(ApiError::QueryRequired),
        Some(q) if q.len() > 2048 => {
            return Err(ApiError::invalid(
                "q",
                "The query is too long (more than 2048 bytes).",
            ))
        }
        Some(q) => q.to_owned(),
    };
    let lang_restrict = match p.non_empty("langRestrict") {
        None => None,
        Some(l)
            if (2..=8).contains(&l.len())
                && l.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-') =>
        {
            Some(l.to_ascii_lowercase())
        }
        Some(l) => {
            return Err(ApiError::invalid(
                "langRestrict",
                format!(
                    "Invalid value '{l}' for langRestrict: expected an ISO 639-1 language code."
                ),
            ))
        }
    };
    Ok(SearchRequest {
        q,
        filter: p.option("filter", Filter::parse)?,
        download: p.option("download", Download::parse)?,
        print_type: p
            .option("printType", PrintType::parse)?
            .unwrap_or(PrintType::All),
        lang_restrict,
        max_maturity: p.option("maxAllowedMaturityRating", MaturityRating::parse)?,
        order_by: p
            .option("orderBy", OrderBy::parse)?
            .unwrap_or(OrderBy::Relevance),
        start_index: p.u32_in("startIndex", 0, u32::MAX, 0)?,
        max_results: p.u32_in("maxResults", 0, MAX_RESULTS, 10)?,
        show_preorders: p.bool_or("showPreorders", false)?,
        typo_tolerance: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(q: &str) -> Result<SearchRequest, ApiError> {
        search_request(&QueryParams::parse(Some(q)))
    }

    #[test]
    fn defaults_and_case() {
        let r = req("q=dickens&printType=BOOKS&orderBy=newest&filter=free-ebooks&download=EPUB")
            .unwrap();
        assert_eq!(r.print_type, PrintType::Books);
        assert_eq!(r.order_by, OrderBy::Newest);
        assert_eq!(r.max_results, 10);
        assert_eq!(r.filter, Some(Filter::FreeEbooks));
        assert_eq!(r.download, Some(Download::Epub));
    }

    #[test]
    fn q_errors() {
        assert!(matches!(req("maxResults=4"), Err(ApiError::Required("q"))));
        assert!(matches!(req("q=+++"), Err(ApiError::QueryRequired)));
        assert!(matches!(
            req("q=a&orderBy=oldest"),
            Err(ApiError::InvalidParameter { .. })
        ));
        assert!(matches!(
            req("q=a&maxResults=-1"),
            Err(ApiError::InvalidParameter { .. })
        ));
        assert!(matches!(
            req("q=a&langRestrict=e%20n"),
            Err(ApiError::InvalidParameter { .. })
        ));
    }
}
