//! The ONIX elements the reader looks at, by reference name and short tag (2.1 and 3.0 share
//! both), matched case-insensitively and without namespace prefix.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    Other,
    OnixMessage,
    Header,
    DefaultLanguageOfText,
    DefaultPriceTypeCode,
    DefaultCurrencyCode,
    Product,
    // Block composites of ONIX 3.0.
    DescriptiveDetail,
    CollateralDetail,
    PublishingDetail,
    ProductSupply,
    RecordReference,
    NotificationType,
    ProductIdentifier,
    ProductIdType,
    IdValue,
    Isbn,
    Ean13,
    ProductForm,
    Title,
    TitleDetail,
    TitleElement,
    TitleElementLevel,
    TitleType,
    TitleText,
    TitlePrefix,
    TitleWithoutPrefix,
    Subtitle,
    DistinctiveTitle,
    Contributor,
    SequenceNumber,
    ContributorRole,
    PersonName,
    PersonNameInverted,
    NamesBeforeKey,
    PrefixToKey,
    KeyNames,
    NamesAfterKey,
    CorporateName,
    CorporateNameInverted,
    Language,
    LanguageRole,
    LanguageCode,
    NumberOfPages,
    Extent,
    ExtentType,
    ExtentValue,
    ExtentUnit,
    BasicMainSubject,
    Subject,
    MainSubject,
    MainSubjectSchemeIdentifier,
    SubjectSchemeIdentifier,
    SubjectCode,
    SubjectHeadingText,
    OtherText,
    TextTypeCode,
    TextFormat,
    TextContent,
    TextType,
    Text,
    Publisher,
    PublishingRole,
    PublisherName,
    Imprint,
    ImprintName,
    PublicationDate,
    PublishingDate,
    PublishingDateRole,
    Date,
    PublishingStatus,
    SupplyDetail,
    AvailabilityCode,
    ProductAvailability,
    UnpricedItemType,
    Price,
    PriceTypeCode,
    PriceAmount,
    CurrencyCode,
    CountryCode,
    Territory,
    CountriesIncluded,
    Measure,
    MeasureType,
    Measurement,
    MeasureUnitCode,
    // Series: 2.1 `<Series>`, 3.0 `<Collection>`.
    Series,
    TitleOfSeries,
    NumberWithinSeries,
    Collection,
    PartNumber,
}

impl Tag {
    /// The tag of an element's local name (`b244`, `IDValue`, `onix:Product`).
    pub(crate) fn of(name: &[u8]) -> Tag {
        // Names are short: strip a namespace prefix (`onix:Product`) only when there is one.
        let local = match memchr::memrchr(b':', name) {
            Some(i) => &name[i + 1..],
            None => name,
        };
        let mut buf = [0u8; 32];
        let Some(lower) = buf.get_mut(..local.len()) else {
            return Tag::Other;
        };
        for (d, s) in lower.iter_mut().zip(local) {
            *d = s.to_ascii_lowercase();
        }
        if let [c @ b'a'..=b'z', d1 @ b'0'..=b'9', d2 @ b'0'..=b'9', d3 @ b'0'..=b'9'] = *lower {
            let n = u16::from(d1 - b'0') * 100 + u16::from(d2 - b'0') * 10 + u16::from(d3 - b'0');
            return short_tag(c, n);
        }
        reference_tag(lower)
    }

    /// Composites that only group the product's own fields (ONIX 3.0 blocks): an element
    /// inside one of them belongs to the product as much as a direct child of `<Product>`.
    pub(crate) fn is_block(self) -> bool {
        matches!(
            self,
            Tag::DescriptiveDetail
                | Tag::CollateralDetail
                | Tag::PublishingDetail
                | Tag::ProductSupply
        )
    }

    /// Elements whose text the reader keeps (everything else's text is skipped).
    pub(crate) fn has_wanted_text(self) -> bool {
        !matches!(
            self,
            Tag::Other
                | Tag::OnixMessage
                | Tag::Header
                | Tag::Product
                | Tag::DescriptiveDetail
                | Tag::CollateralDetail
                | Tag::PublishingDetail
                | Tag::ProductSupply
                | Tag::ProductIdentifier
                | Tag::Title
                | Tag::TitleDetail
                | Tag::TitleElement
                | Tag::Contributor
                | Tag::Language
                | Tag::Extent
                | Tag::Subject
                | Tag::MainSubject
                | Tag::OtherText
                | Tag::TextContent
                | Tag::Publisher
                | Tag::Imprint
                | Tag::PublishingDate
                | Tag::SupplyDetail
                | Tag::Price
                | Tag::Measure
                | Tag::Series
                | Tag::Collection
        )
    }
}

fn short_tag(c: u8, n: u16) -> Tag {
    match (c, n) {
        (b'a', 1) => Tag::RecordReference,
        (b'a', 2) => Tag::NotificationType,
        (b'b', 3) => Tag::PublicationDate,
        (b'b', 4) => Tag::Isbn,
        (b'b', 5) => Tag::Ean13,
        (b'b', 12) => Tag::ProductForm,
        (b'b', 18) => Tag::TitleOfSeries,
        (b'b', 19) => Tag::NumberWithinSeries,
        (b'b', 28) => Tag::DistinctiveTitle,
        (b'b', 29) => Tag::Subtitle,
        (b'b', 30) => Tag::TitlePrefix,
        (b'b', 31) => Tag::TitleWithoutPrefix,
        (b'b', 34) => Tag::SequenceNumber,
        (b'b', 35) => Tag::ContributorRole,
        (b'b', 36) => Tag::PersonName,
        (b'b', 37) => Tag::PersonNameInverted,
        (b'b', 39) => Tag::NamesBeforeKey,
        (b'b', 40) => Tag::KeyNames,
        (b'b', 41) => Tag::NamesAfterKey,
        (b'b', 47) => Tag::CorporateName,
        (b'b', 61) => Tag::NumberOfPages,
        (b'b', 64) => Tag::BasicMainSubject,
        (b'b', 67) => Tag::SubjectSchemeIdentifier,
        (b'b', 69) => Tag::SubjectCode,
        (b'b', 70) => Tag::SubjectHeadingText,
        (b'b', 79) => Tag::ImprintName,
        (b'b', 81) => Tag::PublisherName,
        (b'b', 191) => Tag::MainSubjectSchemeIdentifier,
        (b'b', 202) => Tag::TitleType,
        (b'b', 203) => Tag::TitleText,
        (b'b', 218) => Tag::ExtentType,
        (b'b', 219) => Tag::ExtentValue,
        (b'b', 220) => Tag::ExtentUnit,
        (b'b', 221) => Tag::ProductIdType,
        (b'b', 244) => Tag::IdValue,
        (b'b', 247) => Tag::PrefixToKey,
        (b'b', 251) => Tag::CountryCode,
        (b'b', 252) => Tag::LanguageCode,
        (b'b', 253) => Tag::LanguageRole,
        (b'b', 291) => Tag::PublishingRole,
        (b'b', 306) => Tag::Date,
        (b'b', 394) => Tag::PublishingStatus,
        (b'c', 93) => Tag::MeasureType,
        (b'c', 94) => Tag::Measurement,
        (b'c', 95) => Tag::MeasureUnitCode,
        (b'd', 102) => Tag::TextTypeCode,
        (b'd', 103) => Tag::TextFormat,
        (b'd', 104) => Tag::Text,
        (b'j', 141) => Tag::AvailabilityCode,
        (b'j', 148) => Tag::PriceTypeCode,
        (b'j', 151) => Tag::PriceAmount,
        (b'j', 152) => Tag::CurrencyCode,
        (b'j', 192) => Tag::UnpricedItemType,
        (b'j', 303) => Tag::Territory,
        (b'j', 396) => Tag::ProductAvailability,
        (b'm', 184) => Tag::DefaultLanguageOfText,
        (b'm', 185) => Tag::DefaultPriceTypeCode,
        (b'm', 186) => Tag::DefaultCurrencyCode,
        (b'x', 310) => Tag::DefaultPriceTypeCode,
        (b'x', 315) => Tag::MeasureType,
        (b'x', 409) => Tag::TitleElementLevel,
        (b'x', 410) => Tag::PartNumber,
        (b'x', 425) => Tag::MainSubject,
        (b'x', 426) => Tag::TextType,
        (b'x', 443) => Tag::CorporateNameInverted,
        (b'x', 448) => Tag::PublishingDateRole,
        (b'x', 449) => Tag::CountriesIncluded,
        (b'x', 462) => Tag::PriceTypeCode,
        _ => Tag::Other,
    }
}

fn reference_tag(lower: &[u8]) -> Tag {
    // By length first: a handful of comparisons per name instead of a hundred.
    match lower.len() {
        4 => match lower {
            b"isbn" => Tag::Isbn,
            b"text" => Tag::Text,
            b"date" => Tag::Date,
            _ => Tag::Other,
        },
        5 => match lower {
            b"ean13" => Tag::Ean13,
            b"title" => Tag::Title,
            b"price" => Tag::Price,
            _ => Tag::Other,
        },
        6 => match lower {
            b"header" => Tag::Header,
            b"extent" => Tag::Extent,
            b"series" => Tag::Series,
            _ => Tag::Other,
        },
        7 => match lower {
            b"product" => Tag::Product,
            b"idvalue" => Tag::IdValue,
            b"subject" => Tag::Subject,
            b"imprint" => Tag::Imprint,
            b"measure" => Tag::Measure,
            _ => Tag::Other,
        },
        8 => match lower {
            b"subtitle" => Tag::Subtitle,
            b"keynames" => Tag::KeyNames,
            b"language" => Tag::Language,
            b"texttype" => Tag::TextType,
            _ => Tag::Other,
        },
        9 => match lower {
            b"titletype" => Tag::TitleType,
            b"titletext" => Tag::TitleText,
            b"othertext" => Tag::OtherText,
            b"publisher" => Tag::Publisher,
            b"pricetype" => Tag::PriceTypeCode,
            b"territory" => Tag::Territory,
            _ => Tag::Other,
        },
        10 => match lower {
            b"personname" => Tag::PersonName,
            b"extenttype" => Tag::ExtentType,
            b"extentunit" => Tag::ExtentUnit,
            b"textformat" => Tag::TextFormat,
            b"collection" => Tag::Collection,
            b"partnumber" => Tag::PartNumber,
            _ => Tag::Other,
        },
        11 => match lower {
            b"onixmessage" => Tag::OnixMessage,
            b"productform" => Tag::ProductForm,
            b"titledetail" => Tag::TitleDetail,
            b"titleprefix" => Tag::TitlePrefix,
            b"contributor" => Tag::Contributor,
            b"prefixtokey" => Tag::PrefixToKey,
            b"extentvalue" => Tag::ExtentValue,
            b"mainsubject" => Tag::MainSubject,
            b"subjectcode" => Tag::SubjectCode,
            b"textcontent" => Tag::TextContent,
            b"imprintname" => Tag::ImprintName,
            b"priceamount" => Tag::PriceAmount,
            b"countrycode" => Tag::CountryCode,
            b"measuretype" => Tag::MeasureType,
            b"measurement" => Tag::Measurement,
            _ => Tag::Other,
        },
        12 => match lower {
            b"titleelement" => Tag::TitleElement,
            b"languagerole" => Tag::LanguageRole,
            b"languagecode" => Tag::LanguageCode,
            b"texttypecode" => Tag::TextTypeCode,
            b"supplydetail" => Tag::SupplyDetail,
            b"currencycode" => Tag::CurrencyCode,
            _ => Tag::Other,
        },
        13 => match lower {
            b"productsupply" => Tag::ProductSupply,
            b"productidtype" => Tag::ProductIdType,
            b"namesafterkey" => Tag::NamesAfterKey,
            b"corporatename" => Tag::CorporateName,
            b"numberofpages" => Tag::NumberOfPages,
            b"publishername" => Tag::PublisherName,
            b"pricetypecode" => Tag::PriceTypeCode,
            b"titleofseries" => Tag::TitleOfSeries,
            _ => Tag::Other,
        },
        14 => match lower {
            b"sequencenumber" => Tag::SequenceNumber,
            b"namesbeforekey" => Tag::NamesBeforeKey,
            b"publishingrole" => Tag::PublishingRole,
            b"publishingdate" => Tag::PublishingDate,
            _ => Tag::Other,
        },
        15 => match lower {
            b"recordreference" => Tag::RecordReference,
            b"contributorrole" => Tag::ContributorRole,
            b"publicationdate" => Tag::PublicationDate,
            b"measuretypecode" => Tag::MeasureType,
            b"measureunitcode" => Tag::MeasureUnitCode,
            _ => Tag::Other,
        },
        16 => match lower {
            b"defaultpricetype" => Tag::DefaultPriceTypeCode,
            b"collateraldetail" => Tag::CollateralDetail,
            b"publishingdetail" => Tag::PublishingDetail,
            b"notificationtype" => Tag::NotificationType,
            b"distinctivetitle" => Tag::DistinctiveTitle,
            b"basicmainsubject" => Tag::BasicMainSubject,
            b"publishingstatus" => Tag::PublishingStatus,
            b"availabilitycode" => Tag::AvailabilityCode,
            b"unpriceditemtype" => Tag::UnpricedItemType,
            _ => Tag::Other,
        },
        17 => match lower {
            b"descriptivedetail" => Tag::DescriptiveDetail,
            b"productidentifier" => Tag::ProductIdentifier,
            b"titleelementlevel" => Tag::TitleElementLevel,
            b"countriesincluded" => Tag::CountriesIncluded,
            _ => Tag::Other,
        },
        18 => match lower {
            b"titlewithoutprefix" => Tag::TitleWithoutPrefix,
            b"personnameinverted" => Tag::PersonNameInverted,
            b"subjectheadingtext" => Tag::SubjectHeadingText,
            b"publishingdaterole" => Tag::PublishingDateRole,
            b"numberwithinseries" => Tag::NumberWithinSeries,
            _ => Tag::Other,
        },
        19 => match lower {
            b"defaultcurrencycode" => Tag::DefaultCurrencyCode,
            b"productavailability" => Tag::ProductAvailability,
            _ => Tag::Other,
        },
        20 => match lower {
            b"defaultpricetypecode" => Tag::DefaultPriceTypeCode,
            _ => Tag::Other,
        },
        21 => match lower {
            b"defaultlanguageoftext" => Tag::DefaultLanguageOfText,
            b"corporatenameinverted" => Tag::CorporateNameInverted,
            _ => Tag::Other,
        },
        23 => match lower {
            b"subjectschemeidentifier" => Tag::SubjectSchemeIdentifier,
            _ => Tag::Other,
        },
        27 => match lower {
            b"mainsubjectschemeidentifier" => Tag::MainSubjectSchemeIdentifier,
            _ => Tag::Other,
        },
        _ => Tag::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_and_short_names() {
        assert_eq!(Tag::of(b"Product"), Tag::Product);
        assert_eq!(Tag::of(b"product"), Tag::Product);
        assert_eq!(Tag::of(b"onix:Product"), Tag::Product);
        assert_eq!(Tag::of(b"ONIXmessage"), Tag::OnixMessage);
        assert_eq!(Tag::of(b"IDValue"), Tag::IdValue);
        assert_eq!(Tag::of(b"b244"), Tag::IdValue);
        assert_eq!(Tag::of(b"B244"), Tag::IdValue);
        assert_eq!(Tag::of(b"a001"), Tag::RecordReference);
        assert_eq!(Tag::of(b"x462"), Tag::PriceTypeCode);
        assert_eq!(Tag::of(b"PriceType"), Tag::PriceTypeCode);
        assert_eq!(Tag::of(b"b999"), Tag::Other);
        assert_eq!(Tag::of(b"MarketRepresentation"), Tag::Other);
        assert_eq!(
            Tag::of(b"AVeryLongElementNameThatIsLongerThanAnyOnixTag"),
            Tag::Other
        );
        assert_eq!(Tag::of(b""), Tag::Other);
    }
}
