//! Responses of the discovery methods: `series.*`, `onboarding.*`, `personalizedstream.get`,
//! `familysharing.getFamilyInfo`, and the empty answers of `promooffer.get` and
//! `dictionary.listOfflineMetadata`. Field names and order as in the discovery document.

use serde::{Deserialize, Serialize};

use crate::Volume;

/// `Series` (`series.get`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Series {
    /// `books#series`.
    pub kind: String,
    /// The series found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub series: Vec<SeriesItem>,
}

/// One `series[]` entry.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeriesItem {
    /// A wide image for the series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banner_image_url: Option<String>,
    /// Whether one can subscribe to the series' new releases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eligible_for_subscription: Option<bool>,
    /// An image for the series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// The series id.
    pub series_id: String,
    /// The kind of series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series_type: Option<String>,
    /// The title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// `Seriesmembership` (`series.membership.get`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeriesMembership {
    /// `books#series#membership`.
    pub kind: String,
    /// The volumes of the page, in series order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub member: Vec<Volume>,
    /// The token of the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// `Category` (`onboarding.listCategories`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Category {
    /// The categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<CategoryItem>,
    /// `onboarding#category`.
    pub kind: String,
}

/// One onboarding category.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CategoryItem {
    /// An image for the category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge_url: Option<String>,
    /// The category id (for `listCategoryVolumes`).
    pub category_id: String,
    /// The name.
    pub name: String,
}

/// `Volume2` (`onboarding.listCategoryVolumes`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Volume2 {
    /// The volumes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Volume>,
    /// `onboarding#volume`.
    pub kind: String,
    /// The token of the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// `Discoveryclusters` (`personalizedstream.get`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveryClusters {
    /// The clusters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<Cluster>,
    /// `books#discovery#clusters`.
    pub kind: String,
    /// Number of clusters.
    pub total_clusters: i32,
}

/// One cluster of volumes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    /// A subtitle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_title: Option<String>,
    /// The title.
    pub title: String,
    /// Number of volumes of the cluster (all of them are listed).
    pub total_volumes: i32,
    /// A stable id of the cluster.
    pub uid: String,
    /// The volumes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Volume>,
}

/// `FamilyInfo` (`familysharing.getFamilyInfo`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FamilyInfo {
    /// `books#familyInfo`.
    pub kind: String,
    /// The caller's membership.
    pub membership: FamilyMembership,
}

/// `FamilyInfo.membership`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FamilyMembership {
    /// `ADULT` or `CHILD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_group: Option<String>,
    /// `MATURE` or `not-mature`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_maturity_rating: Option<String>,
    /// Whether the user is in a family.
    pub is_in_family: bool,
    /// `HEAD_OF_HOUSEHOLD`, `PARENT`, `MEMBER` or `CHILD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// A list that is empty in this deployment: `Offers` (`promooffer.get`) and `Metadata`
/// (`dictionary.listOfflineMetadata`) — only `kind`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EmptyList {
    /// `promooffer#offers` or `dictionary#metadata`.
    pub kind: String,
}
