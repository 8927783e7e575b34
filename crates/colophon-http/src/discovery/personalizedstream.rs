//! `personalizedstream.get`: clusters of books for the signed-in user, from their library.

use std::collections::HashSet;

use axum::extract::State;
use axum::response::Response;
use colophon_domain::series::memberships;
use colophon_domain::{MaturityRating, Projection, VolumeRecord};
use colophon_service::{Recommendations, SeriesCatalog};
use colophon_types::discovery::{Cluster, DiscoveryClusters};

use crate::request::UserRequest;
use crate::response::respond;
use crate::user_volumes::{render_items, PageStyle};
use crate::volumes::recommended::{check_locale, MAX_RECOMMENDATIONS};
use crate::{ApiError, AppState};

/// Most series clusters.
const MAX_SERIES_CLUSTERS: usize = 3;
/// Most volumes of a series cluster.
const MAX_SERIES_VOLUMES: usize = 20;

/// `books.personalizedstream.get`: `GET /books/v1/personalizedstream/get` — a
/// "Recommended for you" cluster (the recommendations of `volumes.recommended.list`) and, for
/// up to three series the user has volumes of, a cluster of that series' other volumes in
/// series order. A user with an empty library gets no clusters. `maxAllowedMaturityRating`
/// filters every cluster; `locale` is validated, not used.
pub async fn get(State(state): State<AppState>, req: UserRequest) -> Result<Response, ApiError> {
    let p = &req.request.params;
    check_locale(p)?;
    let maturity = p.option("maxAllowedMaturityRating", MaturityRating::parse)?;
    let user = &req.user.user_id;
    let shelved = state.library.library_ids(user).await?;
    let owned: HashSet<_> = shelved.iter().cloned().collect();
    let style = PageStyle {
        projection: Projection::Full,
        country: &state.config.default_country,
        search: None,
    };
    let caller = &req.request.caller;
    let mut clusters = Vec::new();

    let recommended = Recommendations::new(state.catalog.clone())
        .for_user(user, &shelved, maturity, MAX_RECOMMENDATIONS)
        .await?;
    if !recommended.is_empty() {
        let items = recommended.into_iter().map(|r| (r.record, None)).collect();
        let volumes = render_items(&state, caller, items, &style).await?;
        clusters.push(Cluster {
            sub_title: Some("Books like the ones in your library".into()),
            title: "Recommended for you".into(),
            total_volumes: volumes.len() as i32,
            uid: "recommended".into(),
            volumes,
        });
    }

    // The series of the user's volumes, most recently shelved first (`get_volumes` keeps the
    // order of the ids it is given).
    let records = state.catalog.store().get_volumes(&shelved).await?;
    let mut seen = HashSet::new();
    let mut series = Vec::new();
    for r in &records {
        for m in memberships(r) {
            if seen.insert(m.series_id.clone()) {
                series.push(m);
            }
        }
    }
    let catalog = SeriesCatalog::new(state.catalog.clone());
    let mut series_clusters = 0;
    for m in series {
        if series_clusters == MAX_SERIES_CLUSTERS {
            break;
        }
        let others: Vec<VolumeRecord> = catalog
            .members(&m.series_id)
            .await?
            .into_iter()
            .filter(|r| !owned.contains(&r.id))
            .filter(|r| {
                maturity != Some(MaturityRating::NotMature)
                    || r.volume_info.maturity_rating.as_deref() != Some("MATURE")
            })
            .take(MAX_SERIES_VOLUMES)
            .collect();
        if others.is_empty() {
            continue;
        }
        let items = others.into_iter().map(|r| (r, None)).collect();
        let volumes = render_items(&state, caller, items, &style).await?;
        series_clusters += 1;
        clusters.push(Cluster {
            sub_title: Some("More from a series in your library".into()),
            title: m.title.unwrap_or_else(|| "From the same series".into()),
            total_volumes: volumes.len() as i32,
            uid: format!("series-{}", m.series_id),
            volumes,
        });
    }
    respond(
        &req.request.output,
        &DiscoveryClusters {
            total_clusters: clusters.len() as i32,
            clusters,
            kind: "books#discovery#clusters".into(),
        },
    )
}
