//! `Recommendations`: "books like these" for a user (`volumes.recommended.*`) and for one
//! volume (`volumes.associated.list`), from the catalog's own signals.
//!
//! Candidates come from the search index (one query per seed author and subject, see
//! [`colophon_domain::recommend::candidate_queries`]) and from co-shelving (the volumes other
//! readers put on their public shelves beside a seed); scoring is
//! [`colophon_domain::recommend::rank`]. A user's seeds are the volumes they annotated and the
//! ones they rated `HAVE_IT`, plus whatever the caller adds (e.g. shelved volumes):
//! [`Recommendations::for_user`] takes those extra seeds. Rated volumes are never recommended.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use colophon_domain::library::FIXED_SHELVES;
use colophon_domain::recommend::{candidate_queries, rank, CoShelved, Recommendation};
use colophon_domain::{MaturityRating, SearchRequest, VolumeId};
use colophon_store::{RatingRecord, StoreError};

use crate::{Catalog, CatalogError};

/// Most seeds considered (the most recent first).
const MAX_SEEDS: u32 = 20;
/// Most candidate searches per request.
const MAX_QUERIES: usize = 40;
/// Co-shelved volumes read per seed.
const CO_SHELVED_PER_SEED: u32 = 20;
/// Hits read per candidate search.
const HITS_PER_QUERY: u32 = 40;

/// A user's verdict on a recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rating {
    /// The user already has the volume.
    HaveIt,
    /// The user does not want it.
    NotInterested,
}

impl Rating {
    /// The discovery spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HaveIt => "HAVE_IT",
            Self::NotInterested => "NOT_INTERESTED",
        }
    }
}

/// The recommendation service.
#[derive(Clone)]
pub struct Recommendations {
    catalog: Catalog,
}

impl Recommendations {
    /// The service over `catalog`.
    pub fn new(catalog: Catalog) -> Self {
        Self { catalog }
    }

    /// Volumes like `seeds`, best first: at most `limit`, never a seed nor in `exclude`.
    pub async fn like(
        &self,
        seeds: &[VolumeId],
        exclude: &HashSet<VolumeId>,
        max_maturity: Option<MaturityRating>,
        limit: usize,
    ) -> Result<Vec<Recommendation>, CatalogError> {
        let seed_records = self.catalog.store().get_volumes(seeds).await?;
        let mut ids: Vec<VolumeId> = Vec::new();
        let mut seen = HashSet::new();
        let queries = seed_records
            .iter()
            .flat_map(candidate_queries)
            .collect::<Vec<_>>();
        let mut asked = HashSet::new();
        for q in queries
            .into_iter()
            .filter(|q| asked.insert(q.clone()))
            .take(MAX_QUERIES)
        {
            let mut req = SearchRequest::new(q);
            req.max_results = HITS_PER_QUERY;
            req.max_maturity = max_maturity;
            // Candidates share an author or subject exactly; near-names are other people.
            req.typo_tolerance = false;
            let results = self.catalog.index().search(&req)?;
            for hit in results.hits {
                if seen.insert(hit.id.clone()) {
                    ids.push(hit.id);
                }
            }
        }
        // Co-shelving on public shelves only: counts of what is public anyway.
        let public: Vec<i32> = FIXED_SHELVES
            .iter()
            .filter(|s| s.public)
            .map(|s| s.id.get())
            .collect();
        let mut co_shelved: HashMap<VolumeId, CoShelved> = HashMap::new();
        for seed in &seed_records {
            let title = seed.volume_info.title.clone().unwrap_or_default();
            for (id, readers) in self
                .catalog
                .store()
                .co_shelved(&seed.id, &public, CO_SHELVED_PER_SEED)
                .await?
            {
                if seen.insert(id.clone()) {
                    ids.push(id.clone());
                }
                let entry = co_shelved.entry(id).or_insert(CoShelved {
                    readers: 0,
                    seed_title: title.clone(),
                });
                if readers > entry.readers {
                    *entry = CoShelved {
                        readers,
                        seed_title: title.clone(),
                    };
                }
            }
        }
        let candidates = self.catalog.store().get_volumes(&ids).await?;
        Ok(rank(
            &seed_records,
            candidates,
            &co_shelved,
            exclude,
            max_maturity == Some(MaturityRating::NotMature),
            limit,
        ))
    }

    /// `volumes.recommended.list`: recommendations for `user_id` from their annotated and
    /// `HAVE_IT` volumes plus `extra_seeds`; rated volumes are excluded.
    pub async fn for_user(
        &self,
        user_id: &str,
        extra_seeds: &[VolumeId],
        max_maturity: Option<MaturityRating>,
        limit: usize,
    ) -> Result<Vec<Recommendation>, CatalogError> {
        let store = self.catalog.store();
        let ratings = store.volume_ratings(user_id).await?;
        let mut seeds: Vec<VolumeId> = store
            .annotated_volumes(user_id, MAX_SEEDS)
            .await?
            .iter()
            .filter_map(|v| VolumeId::parse(v).ok())
            .collect();
        seeds.extend(
            ratings
                .iter()
                .filter(|r| r.rating == Rating::HaveIt.as_str())
                .filter_map(|r| VolumeId::parse(&r.volume_id).ok()),
        );
        // The first extra seeds (the caller passes the most relevant first); all of them are
        // already the user's, so none is recommended.
        seeds.extend(extra_seeds.iter().take(MAX_SEEDS as usize).cloned());
        let mut unique = HashSet::new();
        seeds.retain(|s| unique.insert(s.clone()));
        let exclude: HashSet<VolumeId> = ratings
            .iter()
            .filter_map(|r| VolumeId::parse(&r.volume_id).ok())
            .chain(extra_seeds.iter().cloned())
            .collect();
        self.like(&seeds, &exclude, max_maturity, limit).await
    }

    /// The volumes `user_id` rated, for excluding them elsewhere (`volumes.associated.list`).
    pub async fn rated(&self, user_id: &str) -> Result<HashSet<VolumeId>, StoreError> {
        Ok(self
            .catalog
            .store()
            .volume_ratings(user_id)
            .await?
            .iter()
            .filter_map(|r| VolumeId::parse(&r.volume_id).ok())
            .collect())
    }

    /// `volumes.recommended.rate`: records the rating of an existing volume; returns the
    /// consistency token (the rating's time in microseconds since the epoch).
    pub async fn rate(
        &self,
        user_id: &str,
        volume_id: &str,
        rating: Rating,
        now: DateTime<Utc>,
    ) -> Result<String, CatalogError> {
        let record = self.catalog.get_volume(volume_id).await?;
        self.catalog
            .store()
            .rate_volume(
                user_id,
                &RatingRecord {
                    volume_id: record.id.as_str().to_owned(),
                    rating: rating.as_str().to_owned(),
                    rated: now,
                },
            )
            .await?;
        Ok(now.timestamp_micros().to_string())
    }
}
