//! `Onboarding`: the catalog's top-level subjects as categories to choose from
//! (`onboarding.listCategories`) and their volumes (`onboarding.listCategoryVolumes`).

use colophon_domain::series::category_id;
use colophon_domain::{MaturityRating, VolumeId, VolumeRecord};
use colophon_search::Browse;

use crate::{Catalog, CatalogError};

/// Most categories listed.
pub const MAX_CATEGORIES: usize = 50;
/// Top-level subjects counted to find the largest categories (spellings that fold alike
/// join one category, so more are read than listed).
const SUBJECTS_COUNTED: usize = 4 * MAX_CATEGORIES;

/// One onboarding category: a top-level subject of the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Its id ([`category_id`] of the name).
    pub category_id: String,
    /// The subject as the catalog writes it (its most common spelling).
    pub name: String,
    /// Every spelling of it in the catalog.
    pub spellings: Vec<String>,
    /// Number of volumes.
    pub volumes: u64,
    /// Its most popular volume (for the badge image).
    pub top_volume: Option<VolumeId>,
}

/// A page of volumes.
#[derive(Debug, Clone)]
pub struct VolumePage {
    /// The volumes.
    pub records: Vec<VolumeRecord>,
    /// Total number of matching volumes.
    pub total: u64,
}

/// The onboarding service.
#[derive(Clone)]
pub struct Onboarding {
    catalog: Catalog,
}

impl Onboarding {
    /// The service over `catalog`.
    pub fn new(catalog: Catalog) -> Self {
        Self { catalog }
    }

    /// The catalog's largest top-level subjects (at most [`MAX_CATEGORIES`]), most volumes
    /// first. Spellings that fold alike are one category, named by its most common spelling.
    pub async fn categories(&self) -> Result<Vec<Category>, CatalogError> {
        let index = self.catalog.index();
        let mut out: Vec<Category> = Vec::new();
        for (name, n) in index.topics(SUBJECTS_COUNTED)? {
            let id = category_id(&name);
            match out.iter_mut().find(|c| c.category_id == id) {
                Some(c) => {
                    c.volumes += n;
                    c.spellings.push(name);
                }
                None => out.push(Category {
                    category_id: id,
                    spellings: vec![name.clone()],
                    name,
                    volumes: n,
                    top_volume: None,
                }),
            }
        }
        out.sort_by(|a, b| b.volumes.cmp(&a.volumes).then_with(|| a.name.cmp(&b.name)));
        out.truncate(MAX_CATEGORIES);
        for c in &mut out {
            c.top_volume = index
                .browse(Browse::Topics(&c.spellings), 0, 1, None)?
                .hits
                .into_iter()
                .next()
                .map(|h| h.id);
        }
        Ok(out)
    }

    /// A page of the volumes of the categories `ids` (any of them; every volume with a
    /// subject when `ids` is empty), most popular first, then by id.
    pub async fn volumes(
        &self,
        ids: &[String],
        start: u32,
        max: u32,
        max_maturity: Option<MaturityRating>,
    ) -> Result<VolumePage, CatalogError> {
        let index = self.catalog.index();
        let names: Vec<String> = index
            .topic_names()?
            .into_iter()
            .filter(|name| ids.is_empty() || ids.contains(&category_id(name)))
            .collect();
        if names.is_empty() {
            return Ok(VolumePage {
                records: Vec::new(),
                total: 0,
            });
        }
        let found = index.browse(Browse::Topics(&names), start, max, max_maturity)?;
        let order: Vec<VolumeId> = found.hits.into_iter().map(|h| h.id).collect();
        // In the order of `order` (`get_volumes` keeps it).
        let records = self.catalog.store().get_volumes(&order).await?;
        Ok(VolumePage {
            records,
            total: found.total,
        })
    }
}
