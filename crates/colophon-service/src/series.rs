//! `SeriesCatalog`: the catalog's series (`series.get`, `series.membership.get`), read from
//! the volumes' `seriesInfo` through the search index's `series` field.

use colophon_domain::series::{memberships, SeriesKind};
use colophon_domain::{VolumeId, VolumeRecord};
use colophon_search::Browse;

use crate::{Catalog, CatalogError};

/// Most volumes read for one series (a series longer than this lists its first ones).
pub const MAX_MEMBERS: u32 = 2000;

/// One series of the catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSummary {
    /// The series id.
    pub series_id: String,
    /// Its title, when an importer recorded one.
    pub title: Option<String>,
    /// Series or collection.
    pub kind: SeriesKind,
    /// Its first volume in series order (for the series' images).
    pub first_volume: VolumeId,
    /// Number of volumes in the catalog.
    pub volumes: usize,
}

/// The series service.
#[derive(Clone)]
pub struct SeriesCatalog {
    catalog: Catalog,
}

impl SeriesCatalog {
    /// The service over `catalog`.
    pub fn new(catalog: Catalog) -> Self {
        Self { catalog }
    }

    /// The volumes of `series_id` in series order: by order number (volumes without one
    /// last), then title, then id. Empty for an unknown series.
    pub async fn members(&self, series_id: &str) -> Result<Vec<VolumeRecord>, CatalogError> {
        let found = self
            .catalog
            .index()
            .browse(Browse::Series(series_id), 0, MAX_MEMBERS, None)?;
        let ids: Vec<VolumeId> = found.hits.into_iter().map(|h| h.id).collect();
        let mut records = self.catalog.store().get_volumes(&ids).await?;
        let order = |r: &VolumeRecord| {
            memberships(r)
                .into_iter()
                .find(|m| m.series_id == series_id)
                .and_then(|m| m.order_number)
                .unwrap_or(i32::MAX)
        };
        records.sort_by(|a, b| {
            order(a)
                .cmp(&order(b))
                .then_with(|| a.volume_info.title.cmp(&b.volume_info.title))
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(records)
    }

    /// The series `series_id`, or `None` when no volume of the catalog belongs to it.
    pub async fn summary(&self, series_id: &str) -> Result<Option<SeriesSummary>, CatalogError> {
        let members = self.members(series_id).await?;
        let Some(first) = members.first() else {
            return Ok(None);
        };
        let own = |r: &VolumeRecord| {
            memberships(r)
                .into_iter()
                .find(|m| m.series_id == series_id)
        };
        // The title and kind from the first volume that recorded them.
        let named = members.iter().filter_map(own).find(|m| m.title.is_some());
        Ok(Some(SeriesSummary {
            series_id: series_id.to_owned(),
            title: named.as_ref().and_then(|m| m.title.clone()),
            kind: named.map_or(SeriesKind::Series, |m| m.kind),
            first_volume: first.id.clone(),
            volumes: members.len(),
        }))
    }
}
