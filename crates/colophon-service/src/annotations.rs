//! `Annotations`: a user's notes, highlights and bookmarks — insert, update, delete, list and
//! per-layer summaries — with the layer budgets and the concurrency rules.
//!
//! **Concurrent updates.** The `Annotation` resource has no ETag, but it has `updated`, which
//! Colophon keeps to the millisecond and moves forward on every change, so it names a version.
//! An update that carries `updated` (Google's clients send back the object they read, so they
//! do) is applied only to that version: if another device changed the annotation since, the
//! update is refused with a conflict, and nothing is lost silently. An update without `updated`
//! is last-writer-wins by server time. Either way the write itself is a compare-and-swap in the
//! store, so two updates racing from the same version never both succeed.
//!
//! Every write is committed before the call returns.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use colophon_domain::annotation::{
    filter_fingerprint, format_time, guid, next_version_time, parse_annotation_id, to_millis,
    AnnotationError, AnnotationInput, AnnotationRecord, PageToken, UserLayer,
};
use colophon_domain::VolumeId;
use colophon_store::{AnnotationQuery, AnnotationWrite, LayerUsage, Store, StoreError};
use colophon_types::AnnotationRanges;
use rand::RngCore as _;

use crate::Catalog;

/// Why an annotation operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AnnotationsError {
    /// No such annotation for this user (also when it belongs to someone else).
    #[error("the annotation could not be found")]
    NotFound,
    /// The volume does not exist.
    #[error("the volume ID could not be found")]
    VolumeNotFound,
    /// The request is invalid.
    #[error(transparent)]
    Invalid(#[from] AnnotationError),
    /// The annotation changed since the version the client edited, or the id is taken.
    #[error("{0}")]
    Conflict(String),
    /// The layer's character budget on this volume would be exceeded.
    #[error("layer {layer} allows {allowed} characters per volume; {remaining} remain")]
    LimitExceeded {
        /// The layer.
        layer: &'static str,
        /// Its budget.
        allowed: u64,
        /// What is left.
        remaining: u64,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A layer's budget on one volume for one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerBudget {
    /// The layer.
    pub layer: UserLayer,
    /// Characters allowed.
    pub allowed: u64,
    /// Characters left.
    pub remaining: u64,
    /// Last change in the layer (tombstones included), if any.
    pub updated: Option<DateTime<Utc>>,
    /// Live annotations in the layer.
    pub annotations: u64,
}

impl LayerBudget {
    fn of(layer: UserLayer, usage: Option<&LayerUsage>) -> Self {
        let used = usage.map_or(0, |u| u.characters);
        Self {
            layer,
            allowed: layer.allowed_characters,
            remaining: layer.allowed_characters.saturating_sub(used),
            updated: usage.map(|u| u.updated),
            annotations: usage.map_or(0, |u| u.annotations),
        }
    }
}

/// What a listing asks for.
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    /// Only this volume.
    pub volume_id: Option<String>,
    /// Only these layers (all when empty).
    pub layers: Vec<UserLayer>,
    /// `updatedMin` (inclusive).
    pub updated_min: Option<DateTime<Utc>>,
    /// `updatedMax` (exclusive).
    pub updated_max: Option<DateTime<Utc>>,
    /// Include tombstones.
    pub show_deleted: bool,
    /// Page size.
    pub max_results: u32,
    /// `pageToken` of the previous page.
    pub page_token: Option<String>,
}

/// One page of a listing.
#[derive(Debug, Clone)]
pub struct Page {
    /// The annotations, by (`updated`, `id`).
    pub items: Vec<AnnotationRecord>,
    /// Token of the next page, when there is one.
    pub next_page_token: Option<String>,
    /// Matching annotations over all pages.
    pub total: u64,
}

/// How often an update without precondition retries after losing a race.
const LWW_RETRIES: usize = 8;

/// The annotation service.
#[derive(Clone)]
pub struct Annotations {
    catalog: Catalog,
}

impl Annotations {
    /// The service over the catalog's store.
    pub fn new(catalog: Catalog) -> Self {
        Self { catalog }
    }

    fn store(&self) -> &Arc<dyn Store> {
        self.catalog.store()
    }

    /// The `contentVersion` of a volume, `None` when the volume does not exist.
    async fn volume_content_version(&self, id: &str) -> Result<Option<String>, AnnotationsError> {
        match self.catalog.get_volume(id).await {
            Ok(r) => Ok(Some(r.volume_info.content_version.unwrap_or_default())),
            Err(crate::CatalogError::VolumeNotFound) => Ok(None),
            Err(crate::CatalogError::Store(e)) => Err(e.into()),
            Err(e) => Err(StoreError::Database(e.to_string()).into()),
        }
    }

    /// `mylibrary.annotations.insert`: a new annotation of `user_id` at `now`, with the id the
    /// client chose or a new GUID. Returns it and its layer's budget after the insert.
    pub async fn insert(
        &self,
        user_id: &str,
        client_id: Option<&str>,
        mut input: AnnotationInput,
        now: DateTime<Utc>,
    ) -> Result<(AnnotationRecord, LayerBudget), AnnotationsError> {
        let volume_id = input
            .volume_id
            .take()
            .ok_or(AnnotationError::Required("volumeId"))?;
        let layer = input.layer_id.ok_or(AnnotationError::Required("layerId"))?;
        let content_version = self
            .volume_content_version(&volume_id)
            .await?
            .ok_or(AnnotationsError::VolumeNotFound)?;
        let id = match client_id {
            Some(id) => parse_annotation_id(id)?,
            None => {
                let mut bytes = [0u8; 16];
                rand::thread_rng().fill_bytes(&mut bytes);
                guid(bytes)
            }
        };
        let now = to_millis(now);
        let mut body = input.body;
        fill_current_ranges(&mut body, &content_version);
        let record = AnnotationRecord {
            user_id: user_id.to_owned(),
            id,
            volume_id,
            layer_id: layer.id.to_owned(),
            created: now,
            updated: now,
            deleted: false,
            body,
        };
        match self
            .store()
            .insert_annotation(&record, layer.allowed_characters)
            .await?
        {
            AnnotationWrite::Written => {}
            AnnotationWrite::Duplicate => {
                return Err(AnnotationsError::Conflict(format!(
                    "An annotation with ID {} already exists.",
                    record.id
                )))
            }
            AnnotationWrite::OverBudget { used } => return Err(over(layer, used)),
            other => {
                return Err(
                    StoreError::Database(format!("unexpected insert outcome {other:?}")).into(),
                )
            }
        }
        let budget = self.budget(user_id, &record.volume_id, layer).await?;
        Ok((record, budget))
    }

    /// `mylibrary.annotations.update`: replaces the content of the user's annotation `id`.
    /// See the module documentation for the concurrency rule.
    pub async fn update(
        &self,
        user_id: &str,
        id: &str,
        input: AnnotationInput,
        now: DateTime<Utc>,
    ) -> Result<(AnnotationRecord, LayerBudget), AnnotationsError> {
        for _ in 0..LWW_RETRIES {
            let current = self.live(user_id, id).await?;
            if let Some(v) = &input.volume_id {
                if *v != current.volume_id {
                    return Err(AnnotationError::Invalid {
                        field: "volumeId".into(),
                        message: "The volumeId of an annotation cannot change.".into(),
                    }
                    .into());
                }
            }
            let layer = match input.layer_id {
                Some(l) if l.id != current.layer_id => {
                    return Err(AnnotationError::Invalid {
                        field: "layerId".into(),
                        message: "The layerId of an annotation cannot change.".into(),
                    }
                    .into())
                }
                Some(l) => l,
                None => UserLayer::find(&current.layer_id)
                    .ok_or_else(|| StoreError::Decode(format!("annotation {id}: unknown layer")))?,
            };
            if let Some(seen) = input.updated {
                if to_millis(seen) != current.updated {
                    return Err(stale(&current));
                }
            }
            let content_version = self
                .volume_content_version(&current.volume_id)
                .await?
                .unwrap_or_default();
            let mut body = input.body.clone();
            fill_current_ranges(&mut body, &content_version);
            let record = AnnotationRecord {
                updated: next_version_time(now, current.updated),
                body,
                ..current.clone()
            };
            match self
                .store()
                .update_annotation(&record, current.updated, layer.allowed_characters)
                .await?
            {
                AnnotationWrite::Written => {
                    let budget = self.budget(user_id, &record.volume_id, layer).await?;
                    return Ok((record, budget));
                }
                AnnotationWrite::NotFound => return Err(AnnotationsError::NotFound),
                AnnotationWrite::OverBudget { used } => return Err(over(layer, used)),
                AnnotationWrite::Stale if input.updated.is_some() => return Err(stale(&current)),
                // Last writer wins: read again and reapply.
                AnnotationWrite::Stale => continue,
                AnnotationWrite::Duplicate => {
                    return Err(StoreError::Database("unexpected update outcome".into()).into())
                }
            }
        }
        Err(AnnotationsError::Conflict(
            "The annotation is being changed concurrently; try again.".into(),
        ))
    }

    /// `mylibrary.annotations.delete`: turns the user's annotation `id` into a tombstone.
    pub async fn delete(
        &self,
        user_id: &str,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AnnotationsError> {
        for _ in 0..LWW_RETRIES {
            let current = self.live(user_id, id).await?;
            let tomb = AnnotationRecord {
                updated: next_version_time(now, current.updated),
                deleted: true,
                ..current.clone()
            };
            match self
                .store()
                .update_annotation(&tomb, current.updated, 0)
                .await?
            {
                AnnotationWrite::Written => return Ok(()),
                AnnotationWrite::NotFound => return Err(AnnotationsError::NotFound),
                _ => continue,
            }
        }
        Err(AnnotationsError::Conflict(
            "The annotation is being changed concurrently; try again.".into(),
        ))
    }

    /// The user's live annotation `id`.
    async fn live(&self, user_id: &str, id: &str) -> Result<AnnotationRecord, AnnotationsError> {
        match self.store().find_annotation(user_id, id).await? {
            Some(r) if !r.deleted => Ok(r),
            _ => Err(AnnotationsError::NotFound),
        }
    }

    /// One annotation of the user (tombstones included), e.g. for `volumeAnnotations.get`.
    pub async fn find(
        &self,
        user_id: &str,
        id: &str,
    ) -> Result<Option<AnnotationRecord>, AnnotationsError> {
        Ok(self.store().find_annotation(user_id, id).await?)
    }

    /// `mylibrary.annotations.list`: one page of the user's annotations, oldest change first.
    pub async fn list(&self, user_id: &str, req: &ListRequest) -> Result<Page, AnnotationsError> {
        let query = AnnotationQuery {
            user_id: user_id.to_owned(),
            volume_id: req.volume_id.clone(),
            layer_ids: req.layers.iter().map(|l| l.id.to_owned()).collect(),
            updated_min: req.updated_min,
            updated_max: req.updated_max,
            include_deleted: req.show_deleted,
        };
        let min = req.updated_min.map(format_time).unwrap_or_default();
        let max = req.updated_max.map(format_time).unwrap_or_default();
        let mut parts = vec![
            req.volume_id.as_deref().unwrap_or(""),
            &min,
            &max,
            if req.show_deleted { "deleted" } else { "" },
        ];
        parts.extend(query.layer_ids.iter().map(String::as_str));
        let fingerprint = filter_fingerprint(&parts);
        let after = req
            .page_token
            .as_deref()
            .map(|t| PageToken::decode(t, fingerprint))
            .transpose()?;
        let total = self.store().count_annotations(&query).await?;
        if req.max_results == 0 {
            return Ok(Page {
                items: Vec::new(),
                next_page_token: None,
                total,
            });
        }
        let mut items = self
            .store()
            .list_annotations(
                &query,
                after.as_ref().map(|t| (t.updated, t.id.as_str())),
                req.max_results + 1,
            )
            .await?;
        let next_page_token = if items.len() > req.max_results as usize {
            items.truncate(req.max_results as usize);
            items.last().map(|last| {
                PageToken {
                    updated: last.updated,
                    id: last.id.clone(),
                    filter: fingerprint,
                }
                .encode()
            })
        } else {
            None
        };
        Ok(Page {
            items,
            next_page_token,
            total,
        })
    }

    /// The budget of `layer` on `volume_id` for the user.
    pub async fn budget(
        &self,
        user_id: &str,
        volume_id: &str,
        layer: UserLayer,
    ) -> Result<LayerBudget, AnnotationsError> {
        let usage = self.store().layer_usage(user_id, volume_id).await?;
        Ok(LayerBudget::of(
            layer,
            usage.iter().find(|u| u.layer_id == layer.id),
        ))
    }

    /// `mylibrary.annotations.summary`: the budgets of `layers` on an existing volume.
    pub async fn summary(
        &self,
        user_id: &str,
        volume_id: &str,
        layers: &[UserLayer],
    ) -> Result<Vec<LayerBudget>, AnnotationsError> {
        if self.volume_content_version(volume_id).await?.is_none() {
            return Err(AnnotationsError::VolumeNotFound);
        }
        let usage = self.store().layer_usage(user_id, volume_id).await?;
        Ok(layers
            .iter()
            .map(|l| LayerBudget::of(*l, usage.iter().find(|u| u.layer_id == l.id)))
            .collect())
    }

    /// The user layers of `volume_id` that hold the user's annotations (tombstones count).
    pub async fn layers_of(
        &self,
        user_id: &str,
        volume_id: &VolumeId,
    ) -> Result<Vec<LayerBudget>, AnnotationsError> {
        let usage = self
            .store()
            .layer_usage(user_id, volume_id.as_str())
            .await?;
        Ok(colophon_domain::annotation::USER_LAYERS
            .iter()
            .filter_map(|l| {
                let u = usage.iter().find(|u| u.layer_id == l.id)?;
                Some(LayerBudget::of(*l, Some(u)))
            })
            .collect())
    }
}

fn over(layer: UserLayer, used: u64) -> AnnotationsError {
    AnnotationsError::LimitExceeded {
        layer: layer.id,
        allowed: layer.allowed_characters,
        remaining: layer.allowed_characters.saturating_sub(used),
    }
}

fn stale(current: &AnnotationRecord) -> AnnotationsError {
    AnnotationsError::Conflict(format!(
        "The annotation was changed at {} since the version this update was made from; read it again and retry.",
        format_time(current.updated)
    ))
}

/// Colophon keeps one version of each volume's content, so the current ranges are the
/// client's (unless the client gave both), labelled with the volume's `contentVersion` when
/// the client did not name one.
fn fill_current_ranges(body: &mut colophon_domain::annotation::AnnotationBody, version: &str) {
    if body.current_version_ranges.is_none() {
        body.current_version_ranges = body.client_version_ranges.clone();
    }
    if let Some(r) = body.current_version_ranges.as_mut() {
        label(r, version);
    }
}

fn label(r: &mut AnnotationRanges, version: &str) {
    if r.content_version.as_deref().is_none_or(str::is_empty) && !version.is_empty() {
        r.content_version = Some(version.to_owned());
    }
}
