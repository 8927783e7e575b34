//! `layers.*`: the annotation layers of a volume — the catalog's (`layerInfo` of the imported
//! record, e.g. `geo`) for every caller, and the signed-in user's own (`notes`, `bookmarks`)
//! for that user only.
//!
//! Colophon holds no annotations or annotation data (dictionary, geo) for catalog layers: their
//! listings are empty and their gets answer 404 `notFound`. A user layer's volume annotations
//! are the user's own annotations of that volume.

pub mod annotation_data;
pub mod summary;
pub mod volume_annotations;

use colophon_domain::annotation::UserLayer;
use colophon_domain::VolumeRecord;
use colophon_service::{Annotations, LayerBudget};

use crate::request::{ApiRequest, Caller};
use crate::{ApiError, AppState};

/// A layer a caller may see on a volume.
#[derive(Debug, Clone)]
pub enum Layer {
    /// From the catalog record's `layerInfo`.
    Catalog {
        /// Layer id.
        id: String,
        /// Its `volumeAnnotationsVersion`.
        version: Option<String>,
    },
    /// The caller's own layer, with what they hold in it.
    User(LayerBudget),
}

impl Layer {
    /// The layer id.
    pub fn id(&self) -> &str {
        match self {
            Layer::Catalog { id, .. } => id,
            Layer::User(b) => b.layer.id,
        }
    }
}

/// The volume (404 when unknown) and the signed-in user, if any.
pub async fn volume_and_user(
    state: &AppState,
    req: &ApiRequest,
    volume_id: &str,
) -> Result<(VolumeRecord, Option<String>), ApiError> {
    let record = state.catalog.get_volume(volume_id).await?;
    let user = match &req.caller {
        Caller::User(u) => Some(u.user_id.clone()),
        Caller::ApiKey(_) | Caller::Anonymous => None,
    };
    Ok((record, user))
}

fn catalog_layers(record: &VolumeRecord) -> Vec<Layer> {
    record
        .layer_info
        .iter()
        .flat_map(|l| l.layers.iter().flatten())
        .filter_map(|l| {
            Some(Layer::Catalog {
                id: l.layer_id.clone().filter(|id| !id.is_empty())?,
                version: l.volume_annotations_version.clone(),
            })
        })
        .collect()
}

/// The layers listed for the caller: the user's layers that hold their annotations, then the
/// catalog's (a catalog layer named like a user layer is hidden behind the user's).
pub async fn listed(
    state: &AppState,
    record: &VolumeRecord,
    user: Option<&str>,
) -> Result<Vec<Layer>, ApiError> {
    let mut out: Vec<Layer> = match user {
        Some(u) => Annotations::new(state.catalog.clone())
            .layers_of(u, &record.id)
            .await?
            .into_iter()
            .map(Layer::User)
            .collect(),
        None => Vec::new(),
    };
    for l in catalog_layers(record) {
        if !out.iter().any(|o| o.id() == l.id()) {
            out.push(l);
        }
    }
    Ok(out)
}

/// The layer `layer_id` as the caller sees it: any user layer for a signed-in user (even
/// before their first annotation in it), else a catalog layer; 404 otherwise.
pub async fn find(
    state: &AppState,
    record: &VolumeRecord,
    user: Option<&str>,
    layer_id: &str,
) -> Result<Layer, ApiError> {
    if let (Some(u), Some(layer)) = (user, UserLayer::find(layer_id)) {
        let budget = Annotations::new(state.catalog.clone())
            .budget(u, record.id.as_str(), layer)
            .await?;
        return Ok(Layer::User(budget));
    }
    catalog_layers(record)
        .into_iter()
        .find(|l| l.id() == layer_id)
        .ok_or(ApiError::NotFound("The layer could not be found.".into()))
}

/// Rejects a `pageToken` on listings that never issue one.
pub fn no_page_token(p: &crate::params::QueryParams) -> Result<(), ApiError> {
    match p.non_empty("pageToken") {
        Some(_) => Err(ApiError::invalid(
            "pageToken",
            "Invalid value for pageToken.",
        )),
        None => Ok(()),
    }
}
