//! One ONIX `<Product>` as the reader collected it, and its mapping to a [`SourceRecord`]
//! (the rules are listed in the module doc of [`crate::onix`]).

use std::borrow::Cow;

use colophon_domain::series::{SeriesEntry, SeriesKind};
use colophon_types::{Dimensions, Price as WirePrice, SaleInfo};

use super::text::{bisac_heading, clean, description_html, language};
use crate::source::{normalize_date, parse_isbn, SourceRecord};

/// Header defaults that apply to every product of the message (ONIX 2.1 and 3.0 headers).
#[derive(Debug, Default, Clone)]
pub(crate) struct Defaults {
    pub language: Option<String>,
    pub price_type: Option<String>,
    pub currency: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct Product {
    pub record_reference: Option<String>,
    pub notification_type: Option<String>,
    /// `(ProductIDType, IDValue)`.
    pub identifiers: Vec<(String, String)>,
    /// ONIX 2.1's deprecated `<ISBN>` / `<EAN13>` elements.
    pub legacy_isbns: Vec<String>,
    pub product_form: Option<String>,
    pub titles: Vec<TitleDetail>,
    pub distinctive_title: Option<String>,
    pub product_subtitle: Option<String>,
    pub contributors: Vec<Contributor>,
    /// `(LanguageRole, LanguageCode)`.
    pub languages: Vec<(String, String)>,
    pub number_of_pages: Option<String>,
    pub extents: Vec<Extent>,
    pub basic_main_subject: Option<String>,
    pub subjects: Vec<Subject>,
    pub texts: Vec<TextItem>,
    /// `(PublishingRole, PublisherName)`.
    pub publishers: Vec<(String, String)>,
    pub imprints: Vec<String>,
    pub publication_date: Option<String>,
    /// `(PublishingDateRole, Date)`.
    pub publishing_dates: Vec<(String, String)>,
    pub publishing_status: Option<String>,
    pub supplies: Vec<Supply>,
    pub measures: Vec<Measure>,
    /// `(title, number within the series)` of 2.1 `<Series>` and 3.0 `<Collection>`.
    pub series: Vec<(String, Option<String>)>,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct TitleDetail {
    pub title_type: String,
    pub elements: Vec<TitleElement>,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct TitleElement {
    pub level: String,
    pub text: Option<String>,
    pub prefix: Option<String>,
    pub without_prefix: Option<String>,
    pub subtitle: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Contributor {
    pub sequence: Option<u32>,
    pub roles: Vec<String>,
    pub person_name: Option<String>,
    pub inverted: Option<String>,
    pub names_before_key: Option<String>,
    pub prefix_to_key: Option<String>,
    pub key_names: Option<String>,
    pub names_after_key: Option<String>,
    pub corporate_name: Option<String>,
    pub corporate_inverted: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Extent {
    pub kind: String,
    pub value: String,
    pub unit: String,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Subject {
    pub scheme: String,
    pub code: Option<String>,
    pub heading: Option<String>,
    pub main: bool,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct TextItem {
    /// ONIX 3.0 `<TextContent>` (whose type codes differ from 2.1's `<OtherText>`).
    pub v3: bool,
    pub kind: String,
    pub text: String,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Supply {
    pub availability_code: Option<String>,
    pub product_availability: Option<String>,
    pub unpriced: Option<String>,
    pub prices: Vec<Price>,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Price {
    pub kind: Option<String>,
    pub amount: Option<String>,
    pub currency: Option<String>,
    /// 2.1 `<CountryCode>`, 2.1 `<Territory>` text, 3.0 `<Territory>/<CountriesIncluded>`.
    pub countries: Vec<String>,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Measure {
    pub kind: String,
    pub value: String,
    pub unit: String,
}

impl Product {
    /// The record, or why the product cannot be one.
    pub(crate) fn into_record(self, defaults: &Defaults) -> Result<SourceRecord, String> {
        let mut record = SourceRecord::new(String::new());
        self.add_isbns(&mut record);
        let isbn13 = record
            .volume_info
            .industry_identifiers
            .as_ref()
            .and_then(|ids| ids.iter().find(|i| i.kind == "ISBN_13"))
            .map(|i| i.identifier.clone());
        let key = match (self.record_reference.as_deref(), isbn13) {
            (Some(r), _) => Some(format!("onix:{r}")),
            (None, Some(isbn)) => Some(format!("onix:{isbn}")),
            (None, None) => None,
        };
        if self.notification_type.as_deref() == Some("05") {
            return Err(match key {
                Some(k) => format!("deletion notice for {k} (NotificationType 05)"),
                None => "deletion notice (NotificationType 05) without RecordReference or ISBN"
                    .to_owned(),
            });
        }
        let Some(key) = key else {
            return Err("no RecordReference and no ISBN to identify the product".into());
        };
        let Some((title, subtitle)) = self.title() else {
            return Err(format!("{key}: no title"));
        };
        record.source_key = key;
        let info = &mut record.volume_info;
        info.title = Some(title);
        info.subtitle = subtitle;
        info.publisher = self.publisher();
        info.published_date = self.published_date();
        info.description = self.description();
        info.page_count = self.page_count();
        info.dimensions = self.dimensions();
        info.print_type = Some("BOOK".into());
        info.language = self
            .languages
            .iter()
            .find(|(role, code)| (role == "01" || role.is_empty()) && !code.is_empty())
            .map(|(_, code)| code.as_str())
            .or(defaults.language.as_deref())
            .and_then(language);
        for author in self.authors() {
            record.add_author(&author);
        }
        for category in self.categories() {
            record.add_category(&category);
        }
        let series: Vec<SeriesEntry> = self
            .series
            .iter()
            .filter_map(|(title, number)| {
                Some(SeriesEntry {
                    title: clean(title)?,
                    kind: SeriesKind::Series,
                    position: number.clone(),
                })
            })
            .collect();
        record.volume_info.series_info = colophon_domain::series::series_info(&series);
        record.sale_info = Some(self.sale_info(defaults));
        Ok(record)
    }

    fn add_isbns(&self, record: &mut SourceRecord) {
        // ISBN-13 first, then GTIN-13s in the ISBN ranges, then ISBN-10s.
        for wanted in ["15", "03", "02"] {
            for (kind, value) in self.identifiers.iter().filter(|(k, _)| k == wanted) {
                let ok = match kind.as_str() {
                    "15" | "03" => {
                        let digits: String =
                            value.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
                        digits.len() == 13
                            && (digits.starts_with("978") || digits.starts_with("979"))
                    }
                    _ => true,
                };
                if ok {
                    record.add_isbn(value);
                }
            }
        }
        for value in &self.legacy_isbns {
            if parse_isbn(value).is_some_and(|i| i.isbn13().starts_with("97")) {
                record.add_isbn(value);
            }
        }
    }

    fn title(&self) -> Option<(String, Option<String>)> {
        let usable = |t: &&TitleDetail| t.elements.iter().any(|e| e.title().is_some());
        let detail = self
            .titles
            .iter()
            .filter(|t| t.title_type == "01")
            .find(usable)
            .or_else(|| self.titles.iter().find(usable));
        if let Some(detail) = detail {
            let product_level =
                |e: &&TitleElement| (e.level.is_empty() || e.level == "01") && e.title().is_some();
            let element = detail
                .elements
                .iter()
                .find(product_level)
                .or_else(|| detail.elements.iter().find(|e| e.title().is_some()));
            if let Some(e) = element {
                if let Some(t) = e.title() {
                    return Some((t, e.subtitle.as_deref().and_then(clean)));
                }
            }
        }
        let title = self.distinctive_title.as_deref().and_then(clean)?;
        Some((title, self.product_subtitle.as_deref().and_then(clean)))
    }

    fn authors(&self) -> Vec<String> {
        // Creators (A01 by, A02 with, ... A14 text by) first; if none, editors; if none,
        // any other A-role (foreword, introduction, contributions by).
        fn tier(role: &str) -> Option<u8> {
            let role = role.trim().to_ascii_uppercase();
            if role.is_empty() {
                return Some(0);
            }
            let n: u32 = role.get(1..)?.parse().ok()?;
            match role.as_bytes().first()? {
                b'A' if (1..=14).contains(&n) => Some(0),
                b'B' if matches!(n, 1 | 11 | 12 | 13) => Some(1),
                b'A' => Some(2),
                _ => None,
            }
        }
        let best_tier = |c: &Contributor| {
            if c.roles.is_empty() {
                Some(0)
            } else {
                c.roles.iter().filter_map(|r| tier(r)).min()
            }
        };
        let Some(chosen) = self.contributors.iter().filter_map(best_tier).min() else {
            return Vec::new();
        };
        let mut picked: Vec<&Contributor> = self
            .contributors
            .iter()
            .filter(|c| best_tier(c) == Some(chosen))
            .collect();
        picked.sort_by_key(|c| c.sequence.unwrap_or(u32::MAX));
        picked
            .into_iter()
            .filter_map(Contributor::display_name)
            .filter(|n| !is_placeholder_name(n))
            .collect()
    }

    fn publisher(&self) -> Option<String> {
        self.publishers
            .iter()
            .find(|(role, _)| role == "01" || role.is_empty())
            .or_else(|| self.publishers.first())
            .map(|(_, name)| name.as_str())
            .or_else(|| self.imprints.first().map(String::as_str))
            .and_then(clean)
    }

    fn published_date(&self) -> Option<String> {
        self.publication_date
            .as_deref()
            .or_else(|| {
                self.publishing_dates
                    .iter()
                    .find(|(role, _)| role == "01")
                    .map(|(_, d)| d.as_str())
            })
            .and_then(onix_date)
    }

    fn description(&self) -> Option<String> {
        // 2.1 OtherText: 03 long description, 01 main description, 02 short description.
        // 3.0 TextContent: 03 description, 02 short description.
        let rank = |t: &TextItem| match (t.v3, t.kind.as_str()) {
            (_, "03") => Some(0),
            (false, "01") => Some(1),
            (_, "02") => Some(2),
            _ => None,
        };
        let mut candidates: Vec<(u8, &TextItem)> = self
            .texts
            .iter()
            .filter_map(|t| rank(t).map(|r| (r, t)))
            .collect();
        candidates.sort_by_key(|(r, _)| *r);
        candidates
            .into_iter()
            .find_map(|(_, t)| description_html(&t.text))
    }

    fn page_count(&self) -> Option<i32> {
        if let Some(n) = self.number_of_pages.as_deref().and_then(positive_int) {
            return Some(n);
        }
        // Extent types: 00 main content, 11 content page count, 08 total, 07 total numbered,
        // 10 pages of the print counterpart (e-books); unit 03 = pages (or none given).
        ["00", "11", "08", "07", "10"].iter().find_map(|kind| {
            self.extents
                .iter()
                .filter(|e| e.kind == *kind && (e.unit.is_empty() || e.unit == "03"))
                .find_map(|e| positive_int(&e.value))
        })
    }

    fn dimensions(&self) -> Option<Dimensions> {
        let get = |kind: &str| {
            self.measures
                .iter()
                .filter(|m| m.kind == kind)
                .find_map(|m| centimetres(&m.value, &m.unit))
        };
        let d = Dimensions {
            height: get("01"),
            width: get("02"),
            thickness: get("03"),
        };
        (d.height.is_some() || d.width.is_some() || d.thickness.is_some()).then_some(d)
    }

    fn categories(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut bisac: Vec<&Subject> = self.subjects.iter().filter(|s| s.scheme == "10").collect();
        bisac.sort_by_key(|s| !s.main);
        let main_code = self.basic_main_subject.as_deref();
        for (heading, code) in main_code.map(|c| (None, Some(c))).into_iter().chain(
            bisac
                .iter()
                .map(|s| (s.heading.as_deref(), s.code.as_deref())),
        ) {
            let name = heading.and_then(clean).or_else(|| {
                let code = code?.trim();
                Some(bisac_heading(code).map_or_else(|| code.to_owned(), str::to_owned))
            });
            if let Some(name) = name.filter(|n| !n.is_empty()) {
                out.push(name);
            }
        }
        out
    }

    fn sale_info(&self, defaults: &Defaults) -> SaleInfo {
        let is_ebook = self
            .product_form
            .as_deref()
            .map(|f| f == "DG" || f.starts_with('E'));
        // The supply detail to describe: the first with a consumer price, else the first.
        let priced: Option<(&Supply, ChosenPrice)> = self
            .supplies
            .iter()
            .find_map(|s| consumer_price(s, defaults).map(|p| (s, p)));
        let supply = priced.as_ref().map(|(s, _)| *s).or(self.supplies.first());
        let price = priced.map(|(_, p)| p);
        let free = self
            .supplies
            .iter()
            .any(|s| s.unpriced.as_deref() == Some("01"))
            || price.as_ref().is_some_and(|p| p.list.0 == 0.0);
        let saleability = if free {
            "FREE"
        } else {
            supply
                .and_then(|s| {
                    s.product_availability
                        .as_deref()
                        .and_then(availability_65)
                        .or_else(|| s.availability_code.as_deref().and_then(availability_54))
                })
                .or_else(|| {
                    self.publishing_status
                        .as_deref()
                        .and_then(publishing_status)
                })
                .unwrap_or(if price.is_some() {
                    "FOR_SALE"
                } else {
                    "NOT_FOR_SALE"
                })
        };
        let mut sale = SaleInfo {
            saleability: Some(saleability.into()),
            is_ebook: Some(is_ebook.unwrap_or(false)),
            ..SaleInfo::default()
        };
        if let (Some(p), "FOR_SALE" | "FOR_PREORDER") = (price, saleability) {
            let wire = |(amount, currency): (f64, String)| WirePrice {
                amount: Some(amount),
                currency_code: Some(currency),
            };
            sale.country = p.country;
            sale.list_price = Some(wire(p.list));
            sale.retail_price = Some(wire(p.retail));
        }
        sale
    }
}

impl TitleElement {
    fn title(&self) -> Option<String> {
        self.text.as_deref().and_then(clean).or_else(|| {
            let without = self.without_prefix.as_deref().and_then(clean)?;
            Some(match self.prefix.as_deref().and_then(clean) {
                Some(prefix) => format!("{prefix} {without}"),
                None => without,
            })
        })
    }
}

impl Contributor {
    /// The name as Google displays it, "Forename Surname".
    fn display_name(&self) -> Option<String> {
        let person = self.person_name.as_deref().and_then(clean);
        let key = self.key_names.as_deref().and_then(clean);
        let structured = key.as_ref().map(|k| {
            [
                self.names_before_key.as_deref().and_then(clean),
                self.prefix_to_key.as_deref().and_then(clean),
                Some(k.clone()),
                self.names_after_key.as_deref().and_then(clean),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
        });
        let inverted = self
            .inverted
            .as_deref()
            .and_then(clean)
            .map(|s| uninvert(&s, key.as_deref()));
        let candidates: Vec<String> = [person, structured, inverted]
            .into_iter()
            .flatten()
            .collect();
        let Some(first) = candidates.first().cloned() else {
            return self.corporate();
        };
        // "Jobson" as PersonName next to "Jobson, R" inverted: take the fuller form.
        let best = if first.contains(' ') {
            first
        } else {
            candidates
                .iter()
                .skip(1)
                .find(|c| c.len() > first.len() && c.split(' ').any(|w| w == first))
                .cloned()
                .unwrap_or(first)
        };
        Some(best)
    }

    fn corporate(&self) -> Option<String> {
        self.corporate_name
            .as_deref()
            .or(self.corporate_inverted.as_deref())
            .and_then(clean)
    }
}

/// Names feeds put where there is no author.
fn is_placeholder_name(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    matches!(
        n.as_str(),
        "no author provided" | "no author" | "unknown" | "n/a" | "na" | "none" | "-"
    )
}

/// "Surname, Forenames[, suffix]" -> "Forenames Surname[ suffix]". Without a comma: the
/// key names, when known, mark the surname; "Morton Kate" (two capitalised words, as some
/// feeds send the inverted form without its comma) is swapped; anything else is kept as is.
fn uninvert(s: &str, key_names: Option<&str>) -> String {
    for prefix in ["edited by ", "by "] {
        if s.len() > prefix.len()
            && s.is_char_boundary(prefix.len())
            && s[..prefix.len()].eq_ignore_ascii_case(prefix)
        {
            return s[prefix.len()..].trim().to_owned();
        }
    }
    if let Some((surname, rest)) = s.split_once(',') {
        let surname = surname.trim();
        let mut parts = rest.split(',').map(str::trim).filter(|p| !p.is_empty());
        let Some(forenames) = parts.next() else {
            return surname.to_owned();
        };
        let mut name = format!("{forenames} {surname}");
        for suffix in parts {
            name.push(' ');
            name.push_str(suffix);
        }
        return name;
    }
    if let Some(key) = key_names {
        if let Some(rest) = s.strip_prefix(key).and_then(|r| r.strip_prefix(' ')) {
            return format!("{} {key}", rest.trim());
        }
        return s.to_owned();
    }
    let words: Vec<&str> = s.split(' ').collect();
    let name_like = |w: &str| {
        w.chars().next().is_some_and(char::is_uppercase)
            && w.chars()
                .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '.' | '\u{2019}'))
    };
    if let [surname, forename] = words.as_slice() {
        if name_like(surname) && name_like(forename) {
            return format!("{forename} {surname}");
        }
    }
    s.to_owned()
}

struct ChosenPrice {
    list: (f64, String),
    retail: (f64, String),
    country: Option<String>,
}

/// The consumer price of a supply detail: list price by type (incl. tax first: 02 RRP,
/// 04 fixed retail, 42 publisher's retail; then the excl.-tax 01, 03, 41; then the
/// pre-publication 22, 24, 21, 23), the retail price a special-sale price (12, 14, 11, 13)
/// in the same currency if there is one, else the list price. Prices without a currency
/// (and no header default) are skipped.
fn consumer_price(supply: &Supply, defaults: &Defaults) -> Option<ChosenPrice> {
    const LIST: [&str; 10] = ["02", "04", "42", "01", "03", "41", "22", "24", "21", "23"];
    const SPECIAL: [&str; 4] = ["12", "14", "11", "13"];
    let typed = |p: &Price| -> Option<(String, f64, String)> {
        let kind = p
            .kind
            .clone()
            .or_else(|| defaults.price_type.clone())
            .unwrap_or_else(|| "01".into());
        let amount = amount(p.amount.as_deref()?)?;
        let currency = p
            .currency
            .clone()
            .or_else(|| defaults.currency.clone())?
            .trim()
            .to_ascii_uppercase();
        (currency.len() == 3).then_some((kind, amount, currency))
    };
    let prices: Vec<(&Price, (String, f64, String))> = supply
        .prices
        .iter()
        .filter_map(|p| typed(p).map(|t| (p, t)))
        .collect();
    let (list_price, (_, list_amount, currency)) = LIST
        .iter()
        .find_map(|kind| prices.iter().find(|(_, (k, _, _))| k == kind))?;
    let retail = SPECIAL
        .iter()
        .find_map(|kind| {
            prices
                .iter()
                .find(|(_, (k, _, c))| k == kind && c == currency)
        })
        .map_or(*list_amount, |(_, (_, a, _))| *a);
    let country = match list_price.countries.as_slice() {
        [one] if one.len() == 2 && one.chars().all(|c| c.is_ascii_alphabetic()) => {
            Some(one.to_ascii_uppercase())
        }
        _ => None,
    };
    Some(ChosenPrice {
        list: (*list_amount, currency.clone()),
        retail: (retail, currency.clone()),
        country,
    })
}

fn amount(raw: &str) -> Option<f64> {
    let t = raw.trim();
    let t: Cow<'_, str> = if t.contains(',') && !t.contains('.') {
        Cow::Owned(t.replace(',', "."))
    } else {
        Cow::Borrowed(t)
    };
    t.parse::<f64>().ok().filter(|a| a.is_finite() && *a >= 0.0)
}

/// ONIX code list 65 (ProductAvailability).
fn availability_65(code: &str) -> Option<&'static str> {
    Some(match code.trim() {
        "10" | "11" | "12" => "FOR_PREORDER",
        "20" | "21" | "22" | "23" | "30" | "31" | "32" => "FOR_SALE",
        "33" | "34" | "40" | "41" | "42" | "43" | "44" | "45" | "46" | "47" | "48" | "49"
        | "50" | "51" | "52" => "NOT_FOR_SALE",
        _ => return None,
    })
}

/// ONIX 2.1 code list 54 (AvailabilityCode).
fn availability_54(code: &str) -> Option<&'static str> {
    Some(match code.trim().to_ascii_uppercase().as_str() {
        "NP" => "FOR_PREORDER",
        "IP" | "AD" | "MD" | "TO" | "RP" | "RU" | "TP" | "TU" | "WR" => "FOR_SALE",
        "AB" | "EX" | "OF" | "OI" | "OP" | "OR" | "PP" | "RM" | "UR" | "WS" => "NOT_FOR_SALE",
        _ => return None,
    })
}

/// ONIX code list 64 (PublishingStatus), used when no availability is given.
fn publishing_status(code: &str) -> Option<&'static str> {
    Some(match code.trim() {
        "02" => "FOR_PREORDER",
        "04" => "FOR_SALE",
        "01" | "03" | "06" | "07" | "08" | "10" | "11" | "12" | "15" | "16" | "17" => {
            "NOT_FOR_SALE"
        }
        _ => return None,
    })
}

/// An ONIX date (`YYYYMMDD`, `YYYYMM`, `YYYY`, `YYYYMMDDThhmm...`) as Google prints one.
pub(crate) fn onix_date(raw: &str) -> Option<String> {
    let t = raw.trim();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if matches!(digits, 4 | 6 | 8) {
        return normalize_date(&t[..digits]);
    }
    // Other shapes (`2008-07-01`, free text) only when ASCII: normalize_date slices bytes.
    t.is_ascii().then(|| normalize_date(t)).flatten()
}

fn positive_int(raw: &str) -> Option<i32> {
    let t = raw.trim();
    let n = t.parse::<i64>().ok().or_else(|| {
        t.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|f| f.round() as i64)
    })?;
    i32::try_from(n).ok().filter(|n| *n > 0)
}

/// "23.40 cm", from a measurement in mm, cm or inches.
fn centimetres(value: &str, unit: &str) -> Option<String> {
    let v: f64 = amount(value)?;
    let cm = match unit.trim().to_ascii_lowercase().as_str() {
        "mm" => v / 10.0,
        "cm" => v,
        "in" => v * 2.54,
        _ => return None,
    };
    (cm > 0.0).then(|| format!("{cm:.2} cm"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_uninverted() {
        assert_eq!(uninvert("Barrett, Robert G", None), "Robert G Barrett");
        assert_eq!(
            uninvert("King, Martin Luther, Jr.", None),
            "Martin Luther King Jr."
        );
        assert_eq!(uninvert("Morton Kate", None), "Kate Morton");
        assert_eq!(uninvert("Professor B. Graham", None), "Professor B. Graham");
        assert_eq!(uninvert("A&U POS", None), "A&U POS");
        assert_eq!(uninvert("SHAPIRO", None), "SHAPIRO");
        assert_eq!(uninvert("Edited by Kerrie Eyers", None), "Kerrie Eyers");
        assert_eq!(
            uninvert("van Gogh Vincent", Some("van Gogh")),
            "Vincent van Gogh"
        );
        assert_eq!(uninvert("Plato,", None), "Plato");
    }

    #[test]
    fn display_names() {
        let c = Contributor {
            person_name: Some("Jobson".into()),
            inverted: Some("Jobson, R".into()),
            key_names: Some("Jobson".into()),
            ..Contributor::default()
        };
        assert_eq!(c.display_name().as_deref(), Some("R Jobson"));
        let c = Contributor {
            names_before_key: Some("Greg".into()),
            key_names: Some("Ogden".into()),
            inverted: Some("Ogden, Greg ".into()),
            ..Contributor::default()
        };
        assert_eq!(c.display_name().as_deref(), Some("Greg Ogden"));
        let c = Contributor {
            person_name: Some("".into()),
            inverted: Some("Abbott, Megan".into()),
            ..Contributor::default()
        };
        assert_eq!(c.display_name().as_deref(), Some("Megan Abbott"));
        assert_eq!(Contributor::default().display_name(), None);
    }

    #[test]
    fn dates_amounts_measures() {
        assert_eq!(onix_date("20080701").as_deref(), Some("2008-07-01"));
        assert_eq!(onix_date("200807").as_deref(), Some("2008-07"));
        assert_eq!(onix_date("2008").as_deref(), Some("2008"));
        assert_eq!(
            onix_date("20120927T1200+0100").as_deref(),
            Some("2012-09-27")
        );
        assert_eq!(onix_date("é1998"), None);
        assert_eq!(onix_date("n.d."), None);
        assert_eq!(amount("32,95"), Some(32.95));
        assert_eq!(amount("-1"), None);
        assert_eq!(amount("NaN"), None);
        assert_eq!(positive_int("720   "), Some(720));
        assert_eq!(positive_int("0"), None);
        assert_eq!(positive_int("99999999999"), None);
        assert_eq!(centimetres("234", "mm").as_deref(), Some("23.40 cm"));
        assert_eq!(centimetres("10", "in").as_deref(), Some("25.40 cm"));
        assert_eq!(centimetres("16", "oz"), None);
    }

    #[test]
    fn availability_codes() {
        assert_eq!(availability_65("21"), Some("FOR_SALE"));
        assert_eq!(availability_65("10"), Some("FOR_PREORDER"));
        assert_eq!(availability_65("40"), Some("NOT_FOR_SALE"));
        assert_eq!(availability_65("99"), None);
        assert_eq!(availability_54("ip"), Some("FOR_SALE"));
        assert_eq!(availability_54("OP"), Some("NOT_FOR_SALE"));
        assert_eq!(availability_54("NP"), Some("FOR_PREORDER"));
        assert_eq!(availability_54("CS"), None);
    }
}
