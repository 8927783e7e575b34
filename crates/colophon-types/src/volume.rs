//! `Volume`, `Volumes` and their nested objects, in the key order the real service uses.
//!
//! Field order in each struct is the wire order (serde serialises in declaration order).
//! Every field is optional and skipped when absent, because Google omits unknown values.

use serde::{Deserialize, Serialize};

/// `books#volumes`: one page of search results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Volumes {
    /// Always `books#volumes`.
    pub kind: String,
    /// Number of matching volumes.
    pub total_items: u64,
    /// The page; omitted (not `[]`) when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Volume>,
}

/// `books#volume`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    /// Always `books#volume`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// 12-character volume id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Opaque version tag of this resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// URL of this resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
    /// Bibliographic information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_info: Option<VolumeInfo>,
    /// Per-user information (authorized requests only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_info: Option<serde_json::Value>,
    /// Annotation layers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_info: Option<LayerInfo>,
    /// Sale information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sale_info: Option<SaleInfo>,
    /// Access and download rights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_info: Option<AccessInfo>,
    /// Search-specific information (search results only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_info: Option<SearchInfo>,
    /// Recommendation explanation (recommended volumes only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommended_info: Option<RecommendedInfo>,
}

/// `volumeInfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct VolumeInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authors: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry_identifiers: Option<Vec<IndustryIdentifier>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading_modes: Option<ReadingModes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_count: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub printed_page_count: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Dimensions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub print_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_rating: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratings_count: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maturity_rating: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_anon_logging: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panelization_summary: Option<PanelizationSummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_links: Option<ImageLinks>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical_volume_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_page_count: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comics_content: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series_info: Option<serde_json::Value>,
}

/// One `industryIdentifiers[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct IndustryIdentifier {
    /// `ISBN_10`, `ISBN_13`, `ISSN` or `OTHER`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The identifier; `OTHER` values are `SOURCE:value`.
    pub identifier: String,
}

/// `readingModes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ReadingModes {
    pub text: bool,
    pub image: bool,
}

/// `dimensions` (strings such as `"21.00 cm"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Dimensions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thickness: Option<String>,
}

/// `panelizationSummary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct PanelizationSummary {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains_epub_bubbles: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains_image_bubbles: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epub_bubble_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_bubble_version: Option<String>,
}

/// `imageLinks`, smallest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ImageLinks {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub small_thumbnail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub small: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub large: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_large: Option<String>,
}

/// `layerInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LayerInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers: Option<Vec<LayerRef>>,
}

/// One `layerInfo.layers[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct LayerRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_annotations_version: Option<String>,
}

/// `saleInfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SaleInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// `FOR_SALE`, `FREE`, `NOT_FOR_SALE`, `FOR_PREORDER`, `FOR_RENTAL_ONLY`, `FOR_SALE_AND_RENTAL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saleability: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_sale_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_ebook: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_price: Option<Price>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retail_price: Option<Price>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buy_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offers: Option<Vec<Offer>>,
}

/// `listPrice` / `retailPrice` of `saleInfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Price {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
}

/// One `saleInfo.offers[]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Offer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finsky_offer_type: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_price: Option<OfferPrice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retail_price: Option<OfferPrice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rental_duration: Option<RentalDuration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub giftable: Option<bool>,
}

/// Price inside an offer, in micros.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct OfferPrice {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_in_micros: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
}

/// Rental duration of an offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RentalDuration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// `accessInfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AccessInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// `PARTIAL`, `ALL_PAGES`, `NO_PAGES`, `UNKNOWN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viewability: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embeddable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_domain: Option<bool>,
    /// `ALLOWED`, `ALLOWED_FOR_ACCESSIBILITY`, `NOT_ALLOWED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_to_speech_permission: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epub: Option<FormatAccess>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf: Option<FormatAccess>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_reader_link: Option<String>,
    /// `SAMPLE`, `NONE`, `FULL_PUBLIC_DOMAIN`, `FULL_PURCHASED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_view_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote_sharing_allowed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_access: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drive_imported_content_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explicit_offline_license_management: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view_order_url: Option<String>,
}

/// `accessInfo.epub` / `accessInfo.pdf`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct FormatAccess {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_available: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acs_token_link: Option<String>,
}

/// `searchInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SearchInfo {
    /// HTML snippet with `<b>` around matched words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_snippet: Option<String>,
}

/// `recommendedInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RecommendedInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}
