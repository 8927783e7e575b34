use std::io;
use std::path::PathBuf;

use super::*;

fn read_all(bytes: &[u8]) -> Vec<Result<SourceRecord, Rejected>> {
    read(io::Cursor::new(bytes.to_vec())).collect()
}

fn onix_file(rel: &str) -> PathBuf {
    crate::shared_data_dir().join("onix").join(rel)
}

fn read_file(rel: &str) -> (Vec<SourceRecord>, Vec<Rejected>) {
    let input = crate::open_input(&onix_file(rel)).expect("shared ONIX data");
    let mut ok = Vec::new();
    let mut rejected = Vec::new();
    for r in read(input) {
        match r {
            Ok(r) => ok.push(r),
            Err(e) => rejected.push(e),
        }
    }
    (ok, rejected)
}

fn isbns(r: &SourceRecord) -> Vec<(&str, &str)> {
    r.volume_info
        .industry_identifiers
        .iter()
        .flatten()
        .map(|i| (i.kind.as_str(), i.identifier.as_str()))
        .collect()
}

fn authors(r: &SourceRecord) -> Vec<&str> {
    r.volume_info
        .authors
        .iter()
        .flatten()
        .map(String::as_str)
        .collect()
}

fn price(r: &SourceRecord) -> Option<(f64, &str)> {
    let p = r.sale_info.as_ref()?.list_price.as_ref()?;
    Some((p.amount?, p.currency_code.as_deref()?))
}

fn saleability(r: &SourceRecord) -> &str {
    r.sale_info
        .as_ref()
        .and_then(|s| s.saleability.as_deref())
        .unwrap_or("")
}

fn by_key<'a>(records: &'a [SourceRecord], key: &str) -> &'a SourceRecord {
    records
        .iter()
        .find(|r| r.source_key == key)
        .unwrap_or_else(|| panic!("no record {key}"))
}

/// A minimal product; `body` goes inside `<Product>`.
fn product(body: &str) -> String {
    format!("<Product>{body}</Product>\n")
}

fn message(products: &[String]) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ONIXMessage>\n{}</ONIXMessage>\n",
        products.concat()
    )
}

fn titled(rr: &str, title: &str) -> String {
    product(&format!(
        "<RecordReference>{rr}</RecordReference><NotificationType>03</NotificationType>\
         <Title><TitleType>01</TitleType><TitleText>{title}</TitleText></Title>"
    ))
}

// ---------------------------------------------------------------- real feeds

#[test]
fn allen_and_unwin_feed() {
    let (ok, rejected) = read_file("feeds/jul.xml");
    assert_eq!((ok.len(), rejected.len()), (238, 0), "{rejected:?}");
    let first = &ok[0];
    assert_eq!(first.source_key, "onix:1741149983");
    let info = &first.volume_info;
    assert_eq!(info.title.as_deref(), Some("The Forgotten Garden"));
    // PersonNameInverted "Morton Kate" (no comma) is turned back.
    assert_eq!(authors(first), ["Kate Morton"]);
    assert_eq!(info.publisher.as_deref(), Some("Allen & Unwin"));
    assert_eq!(info.published_date.as_deref(), Some("2008-07-01"));
    assert_eq!(info.page_count, Some(500));
    assert_eq!(info.print_type.as_deref(), Some("BOOK"));
    assert_eq!(
        isbns(first),
        [("ISBN_13", "9781741149982"), ("ISBN_10", "1741149983")]
    );
    // The long description (type 03) wins over the short one (02).
    assert!(info
        .description
        .as_deref()
        .is_some_and(|d| d.starts_with("A foundling, an old book of dark fairy tales")));
    let dims = info.dimensions.as_ref().unwrap();
    assert_eq!(dims.height.as_deref(), Some("23.00 cm"));
    assert_eq!(dims.width.as_deref(), Some("15.20 cm"));
    // AUD incl. tax (02) first, before AUD excl. tax (01) and NZD; availability 10.
    assert_eq!(price(first), Some((32.95, "AUD")));
    assert_eq!(saleability(first), "FOR_PREORDER");
    assert_eq!(first.sale_info.as_ref().unwrap().is_ebook, Some(false));

    let bright_air = by_key(&ok, "onix:1741148170");
    assert_eq!(bright_air.volume_info.title.as_deref(), Some("Bright Air"));
    assert_eq!(authors(bright_air), ["Barry Maitland"]);
    // Every product has a title, an ISBN and a price; no entity is left undecoded.
    for r in &ok {
        assert!(r.volume_info.title.is_some());
        assert!(!isbns(r).is_empty(), "{}", r.source_key);
        assert!(price(r).is_some(), "{}", r.source_key);
        for text in [
            &r.volume_info.title,
            &r.volume_info.description,
            &r.volume_info.publisher,
        ] {
            assert!(
                !text.as_deref().unwrap_or("").contains("&amp;"),
                "{}",
                r.source_key
            );
        }
    }
    let for_sale = ok.iter().filter(|r| saleability(r) == "FOR_SALE").count();
    assert_eq!(for_sale, 66); // ProductAvailability 20, 21, 22
}

#[test]
fn bookwise_feed() {
    let (ok, rejected) = read_file("feeds/Bookwise_July_2008.xml");
    assert_eq!((ok.len(), rejected.len()), (346, 0), "{rejected:?}");
    let first = &ok[0];
    assert_eq!(first.source_key, "onix:9781844546725");
    assert_eq!(
        first.volume_info.title.as_deref(),
        Some("Harrys War The True Story Of Prince Harrys Heroism")
    );
    // PersonName "Jobson" gives way to the fuller "Jobson, R".
    assert_eq!(authors(first), ["R Jobson"]);
    assert_eq!(
        first.volume_info.publisher.as_deref(),
        Some("John Blake Publishing")
    );
    assert_eq!(first.volume_info.page_count, Some(288));
    assert_eq!(
        isbns(first),
        [("ISBN_13", "9781844546725"), ("ISBN_10", "1844546721")]
    );
    // Prices without any currency are dropped; ProductAvailability 31 is still orderable.
    assert_eq!(price(first), None);
    assert_eq!(saleability(first), "FOR_SALE");
    assert_eq!(
        ok.iter()
            .filter(|r| saleability(r) == "FOR_PREORDER")
            .count(),
        226
    );
    let chef = by_key(&ok, "onix:9780762430758");
    assert_eq!(chef.volume_info.title.as_deref(), Some("Sneaky Chef"));
    assert_eq!(
        chef.volume_info.subtitle.as_deref(),
        Some("Simple Strategies for Hiding Healthy Foods in Kids Favorite Meals")
    );
}

// ---------------------------------------------------------------- small real files

#[test]
fn short_tags() {
    let (ok, rejected) = read_file("edge-cases/short_tags.xml");
    assert_eq!((ok.len(), rejected.len()), (1, 0));
    let r = &ok[0];
    assert_eq!(r.source_key, "onix:160258186X");
    assert_eq!(
        r.volume_info.title.as_deref(),
        Some("The Acts of the Apostles")
    );
    assert_eq!(
        r.volume_info.subtitle.as_deref(),
        Some("Four Centuries of Baptist Interpretation")
    );
    // No A01..A14 contributor: the four editors (B01), not the A32 "contributions by".
    assert_eq!(
        authors(r),
        [
            "Beth Allison Barr",
            "Bill J. Leonard",
            "Mikeal C. Parsons",
            "C. Douglas Weaver"
        ]
    );
    assert_eq!(r.volume_info.language.as_deref(), Some("en"));
    assert_eq!(r.volume_info.page_count, Some(1000));
    assert_eq!(
        r.volume_info.categories.as_deref(),
        Some(&["Religion".to_owned()][..])
    );
    assert_eq!(r.volume_info.published_date.as_deref(), Some("2009-07-01"));
    // CDATA description with an <i> element kept.
    assert!(r.volume_info.description.as_deref().unwrap().starts_with(
        "<i>The Acts of the Apostles: Four Centuries of Baptist Interpretation</i> is a landmark"
    ));
    assert_eq!(price(r), Some((99.95, "USD")));
    assert_eq!(saleability(r), "FOR_SALE");

    // The same product in reference tags reads the same, but for its description, where
    // `&#x26;i&#x0003E;` (a mangled `<i>`) is repaired.
    let (same, _) = read_file("edge-cases/usd.xml");
    assert_eq!(same[0].volume_info.title, r.volume_info.title);
    assert_eq!(same[0].volume_info.authors, r.volume_info.authors);
    assert_eq!(
        same[0].volume_info.industry_identifiers,
        r.volume_info.industry_identifiers
    );
    assert_eq!(same[0].sale_info, r.sale_info);
    assert_eq!(same[0].volume_info.description, r.volume_info.description);
}

#[test]
fn short_tags_with_xhtml_description() {
    let (ok, rejected) = read_file("edge-cases/short_tags_ivp.xml");
    assert_eq!((ok.len(), rejected.len()), (1, 0));
    let r = &ok[0];
    assert_eq!(r.source_key, "onix:9780830810871");
    assert_eq!(
        r.volume_info.title.as_deref(),
        Some("Discipleship Essentials")
    );
    assert_eq!(
        r.volume_info.subtitle.as_deref(),
        Some("A Guide to Building Your Life in Christ")
    );
    assert_eq!(authors(r), ["Greg Ogden"]);
    assert_eq!(
        r.volume_info.publisher.as_deref(),
        Some("InterVarsity Press")
    );
    assert_eq!(
        isbns(r),
        [("ISBN_13", "9780830810871"), ("ISBN_10", "0830810870")]
    );
    let d = r.volume_info.description.as_deref().unwrap();
    // Real <ul><li> elements inside <d104> become line breaks, <em> becomes <i>,
    // blank-line paragraphs become <br><br>.
    assert!(
        d.starts_with("A year 2000 Finalist in the ECPA book competition!<br><br>Discover"),
        "{d}"
    );
    assert!(
        d.contains("Each week contains the following elements:<br>a core truth presented"),
        "{d}"
    );
    assert!(
        d.contains("<i>Discipleship Essentials</i> is designed"),
        "{d}"
    );
    assert!(!d.contains("<ul>") && !d.contains("<em>"));
    assert_eq!(price(r), Some((18.0, "USD")));
    let dims = r.volume_info.dimensions.as_ref().unwrap();
    assert_eq!(dims.thickness.as_deref(), Some("1.78 cm"));
}

#[test]
fn declared_latin1_and_utf16_read_alike() {
    let (latin1, rejected) = read_file("edge-cases/iso_8859_1.xml");
    assert_eq!((latin1.len(), rejected.len()), (1, 0));
    let r = &latin1[0];
    assert_eq!(r.source_key, "onix:1742169341");
    assert_eq!(authors(r), ["Hans Küng"]);
    assert_eq!(
        r.volume_info.title.as_deref(),
        Some("Property Is a Girl's Best Friend")
    );
    assert_eq!(
        r.volume_info.publisher.as_deref(),
        Some("John Wiley & Sons Australia")
    );
    // Header defaults: DefaultLanguageOfText eng, DefaultCurrencyCode AUD.
    assert_eq!(r.volume_info.language.as_deref(), Some("en"));
    assert_eq!(price(r), Some((32.95, "AUD")));
    let (utf16, rejected) = read_file("edge-cases/utf_16.xml");
    assert_eq!((utf16.len(), rejected.len()), (1, 0));
    assert_eq!(utf16[0], latin1[0]);
}

#[test]
fn html_entities_from_the_dtd() {
    let (ok, rejected) = read_file("edge-cases/entities.xml");
    assert_eq!((ok.len(), rejected.len()), (1, 0));
    let r = &ok[0];
    assert_eq!(
        r.volume_info.title.as_deref(),
        Some("High Noon\u{2013}in Nimbin")
    );
    assert_eq!(authors(r), ["Robert G Barrett"]);
    assert!(r
        .volume_info
        .description
        .as_deref()
        .unwrap()
        .starts_with("'He looks kind of happyn"));
    // PublishingStatus 02 (forthcoming), a price without currency.
    assert_eq!(saleability(r), "FOR_PREORDER");
    assert_eq!(price(r), None);
}

#[test]
fn no_encoding_declaration_and_two_products() {
    let (ok, rejected) = read_file("edge-cases/no_encoding.xml");
    assert_eq!((ok.len(), rejected.len()), (1, 0));
    assert_eq!(ok[0].volume_info.title.as_deref(), Some("Queenpin"));
    assert_eq!(authors(&ok[0]), ["Megan Abbott"]);
    assert_eq!(
        ok[0].volume_info.publisher.as_deref(),
        Some("Simon & Schuster")
    );

    let (ok, rejected) = read_file("edge-cases/two_products.xml");
    assert_eq!((ok.len(), rejected.len()), (2, 0));
    assert_eq!(ok[0].source_key, "onix:365-9780194351898");
    assert_eq!(
        ok[0].volume_info.title.as_deref(),
        Some("OXFORD PICTURE DICTIONARY CHINESE")
    );
    assert_eq!(
        ok[0].volume_info.published_date.as_deref(),
        Some("1998-09-01")
    );
    assert_eq!(saleability(&ok[0]), "FOR_SALE");
    assert_eq!(ok[1].source_key, "onix:9780754672326");
    // Only a GTIN-13 (type 03) in the ISBN range: an ISBN all the same.
    assert_eq!(
        isbns(&ok[1]),
        [("ISBN_13", "9780754672326"), ("ISBN_10", "0754672328")]
    );
    // AvailabilityCode CS (contact supplier) says nothing; no usable price.
    assert_eq!(saleability(&ok[1]), "NOT_FOR_SALE");
}

#[test]
fn google_samples_2_1_and_3_0() {
    let (two, rejected) = read_file("google-samples/Google_Sample_ONIX_2.1.xml");
    assert_eq!((two.len(), rejected.len()), (1, 0));
    let (three, rejected) = read_file("google-samples/valid_google_onix_3.xml");
    assert_eq!((three.len(), rejected.len()), (1, 0));
    for r in [&two[0], &three[0]] {
        assert_eq!(r.source_key, "onix:myid.9789999999991");
        // The print book's ISBN in RelatedProduct is not this product's.
        assert_eq!(
            isbns(r),
            [("ISBN_13", "9789999999991"), ("ISBN_10", "9999999999")]
        );
        assert_eq!(authors(r), ["Jane Smith"]);
        assert_eq!(r.volume_info.language.as_deref(), Some("en"));
        assert_eq!(r.volume_info.published_date.as_deref(), Some("2012-09-27"));
        let sale = r.sale_info.as_ref().unwrap();
        assert_eq!(sale.is_ebook, Some(true));
        assert_eq!(sale.saleability.as_deref(), Some("FOR_SALE"));
        assert_eq!(sale.country.as_deref(), Some("US"));
        assert_eq!(price(r), Some((9.99, "USD")));
        assert_eq!(
            r.volume_info.categories.as_deref(),
            Some(&["Literary Criticism".to_owned()][..])
        );
    }
    assert_eq!(
        two[0].volume_info.title.as_deref(),
        Some("This is my distinctive title.")
    );
    assert_eq!(
        two[0].volume_info.subtitle.as_deref(),
        Some("This is my subtitle.")
    );
    assert_eq!(two[0].volume_info.page_count, Some(1024));
    assert_eq!(
        two[0].volume_info.description.as_deref(),
        Some("I am the main description of the book.")
    );
    // The publisher is only given as a proprietary code.
    assert_eq!(two[0].volume_info.publisher, None);
    assert_eq!(
        three[0].volume_info.title.as_deref(),
        Some("This Is My Distinctive Title")
    );
    assert_eq!(
        three[0].volume_info.subtitle.as_deref(),
        Some("This Is A Subtitle")
    );
    assert_eq!(
        three[0].volume_info.publisher.as_deref(),
        Some("My Publisher Name")
    );
    // Extent type 10 (pages of the print counterpart).
    assert_eq!(three[0].volume_info.page_count, Some(1234));
    // TextContent 03 (description) over 02 (short description).
    assert_eq!(
        three[0].volume_info.description.as_deref(),
        Some("I am a description of the book.")
    );
}

#[test]
fn every_shared_onix_file_is_read() {
    let mut total = 0;
    for dir in ["feeds", "edge-cases", "google-samples"] {
        let mut entries: Vec<_> = std::fs::read_dir(onix_file(dir))
            .expect("shared ONIX data")
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let records: Vec<_> = read(crate::open_input(&path).unwrap()).collect();
            assert!(
                records.iter().all(Result::is_ok),
                "{}: {:?}",
                path.display(),
                records
                    .iter()
                    .filter_map(|r| r.as_ref().err())
                    .collect::<Vec<_>>()
            );
            total += records.len();
        }
    }
    assert_eq!(total, 238 + 346 + 9 + 2);
}

// ---------------------------------------------------------------- encodings

#[test]
fn declared_utf8_with_windows_1252_bytes() {
    let mut bytes = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><ONIXMessage>".to_vec();
    bytes.extend_from_slice(
        b"<Product><RecordReference>1</RecordReference><Title><TitleText>Caf\xE9 \x93Z\x94</TitleText></Title>\
          <Contributor><ContributorRole>A01</ContributorRole><PersonNameInverted>K\xFCng, Hans</PersonNameInverted></Contributor></Product>",
    );
    bytes.extend_from_slice("<Product><RecordReference>2</RecordReference><Title><TitleText>Ünïcödé</TitleText></Title></Product></ONIXMessage>".as_bytes());
    let out = read_all(&bytes);
    assert_eq!(out.len(), 2);
    let one = out[0].as_ref().unwrap();
    assert_eq!(
        one.volume_info.title.as_deref(),
        Some("Café \u{201C}Z\u{201D}")
    );
    assert_eq!(authors(one), ["Hans Küng"]);
    assert_eq!(
        out[1].as_ref().unwrap().volume_info.title.as_deref(),
        Some("Ünïcödé")
    );
}

#[test]
fn declared_latin1_with_utf8_bytes() {
    let text = message(&[titled("1", "Küng — Łódź")]).replace("UTF-8", "ISO-8859-1");
    let out = read_all(text.as_bytes());
    assert_eq!(
        out[0].as_ref().unwrap().volume_info.title.as_deref(),
        Some("Küng — Łódź")
    );
    // And the honest Latin-1 file still reads as Latin-1.
    let mut honest = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Product><RecordReference>1</RecordReference><Title><TitleText>K\xFCng</TitleText></Title></Product>".to_vec();
    honest.push(b'\n');
    assert_eq!(
        read_all(&honest)[0]
            .as_ref()
            .unwrap()
            .volume_info
            .title
            .as_deref(),
        Some("Küng")
    );
}

#[test]
fn utf16_big_endian_without_bom_and_windows_1251() {
    let text = message(&[titled("1", "Война и мир")]).replace("UTF-8", "UTF-16");
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let out = read_all(&be);
    assert_eq!(
        out[0].as_ref().unwrap().volume_info.title.as_deref(),
        Some("Война и мир")
    );

    let declared = text.replace("UTF-16", "windows-1251");
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(&declared);
    let out = read_all(&cp1251);
    assert_eq!(
        out[0].as_ref().unwrap().volume_info.title.as_deref(),
        Some("Война и мир")
    );
}

#[test]
fn entities_html_known_and_unknown() {
    let text = message(&[
        titled(
            "1",
            "Caf&eacute;&nbsp;&amp;&#160;Cr&egrave;me &ndash; &#x2014;",
        ),
        titled("2", "Before &nosuchentity; after"),
        titled("3", "Allen &amp;amp; Unwin"),
    ]);
    let out = read_all(text.as_bytes());
    let titles: Vec<_> = out
        .iter()
        .map(|r| r.as_ref().unwrap().volume_info.title.clone().unwrap())
        .collect();
    // nbsp is whitespace to the title's clean-up.
    assert_eq!(
        titles,
        [
            "Café & Crème \u{2013} \u{2014}",
            "Before after",
            "Allen & Unwin"
        ]
    );
}

// ---------------------------------------------------------------- mapping details

#[test]
fn onix_3_short_tags_prices_and_collections() {
    let body = "<a001>REF-3</a001><a002>03</a002>\
        <productidentifier><b221>15</b221><b244>978-0-19-852663-6</b244></productidentifier>\
        <productidentifier><b221>03</b221><b244>5012345678900</b244></productidentifier>\
        <descriptivedetail><b012>BC</b012>\
          <collection><x329>10</x329><titledetail><b202>01</b202><titleelement><x409>02</x409><b203>A Series</b203></titleelement></titledetail>\
            <contributor><b034>1</b034><b035>B09</b035><b036>Series Editor</b036></contributor></collection>\
          <titledetail><b202>01</b202>\
            <titleelement><x409>02</x409><b203>Collection Level</b203></titleelement>\
            <titleelement><x409>01</x409><b030>The</b030><b031>Real Title</b031><b029>Sub</b029></titleelement></titledetail>\
          <contributor><b034>2</b034><b035>A01</b035><b039>Zoe</b039><b040>Second</b040></contributor>\
          <contributor><b034>1</b034><b035>A01</b035><b037>First, Ann</b037></contributor>\
          <contributor><b034>3</b034><b035>A24</b035><b036>Intro Writer</b036></contributor>\
          <language><b253>01</b253><b252>fre</b252></language>\
          <extent><b218>00</b218><b219>321</b219><b220>03</b220></extent>\
          <subject><b067>12</b067><b069>FA</b069></subject>\
          <subject><b067>10</b067><b069>FIC000000</b069></subject>\
          <subject><x425/><b067>10</b067><b069>HIS000000</b069><b070>History / General</b070></subject>\
        </descriptivedetail>\
        <collateraldetail><textcontent><x426>02</x426><x427>00</x427><d104>Short.</d104></textcontent></collateraldetail>\
        <publishingdetail><publisher><b291>02</b291><b081>Co-publisher</b081></publisher>\
          <publisher><b291>01</b291><b081>Main Publisher</b081></publisher>\
          <publishingdate><x448>19</x448><b306>19990101</b306></publishingdate>\
          <publishingdate><x448>01</x448><b306>201203</b306></publishingdate></publishingdetail>\
        <relatedmaterial><relatedproduct><x455>06</x455><productidentifier><b221>15</b221><b244>9780140449136</b244></productidentifier></relatedproduct></relatedmaterial>\
        <productsupply><supplydetail><supplier><j292>01</j292><j137>S</j137></supplier><j396>21</j396>\
          <price><x462>01</x462><j151>10.00</j151><j152>EUR</j152><territory><x449>FR DE</x449></territory></price>\
          <price><x462>02</x462><j151>12.00</j151><j152>EUR</j152><territory><x449>FR</x449></territory></price>\
          <price><x462>12</x462><j151>9.50</j151><j152>EUR</j152></price>\
        </supplydetail></productsupply>";
    let text =
        format!("<ONIXMessage release=\"3.0\"><header/><product>{body}</product></ONIXMessage>");
    let out = read_all(text.as_bytes());
    assert_eq!(out.len(), 1);
    let r = out[0].as_ref().unwrap();
    assert_eq!(r.source_key, "onix:REF-3");
    assert_eq!(r.volume_info.title.as_deref(), Some("The Real Title"));
    assert_eq!(r.volume_info.subtitle.as_deref(), Some("Sub"));
    assert_eq!(authors(r), ["Ann First", "Zoe Second"]);
    assert_eq!(
        isbns(r),
        [("ISBN_13", "9780198526636"), ("ISBN_10", "0198526636")]
    );
    assert_eq!(r.volume_info.language.as_deref(), Some("fr"));
    assert_eq!(r.volume_info.page_count, Some(321));
    assert_eq!(
        r.volume_info.categories.as_deref(),
        Some(&["History / General".to_owned(), "Fiction".to_owned()][..])
    );
    assert_eq!(r.volume_info.description.as_deref(), Some("Short."));
    assert_eq!(r.volume_info.publisher.as_deref(), Some("Main Publisher"));
    assert_eq!(r.volume_info.published_date.as_deref(), Some("2012-03"));
    let sale = r.sale_info.as_ref().unwrap();
    assert_eq!(sale.saleability.as_deref(), Some("FOR_SALE"));
    assert_eq!(sale.is_ebook, Some(false));
    assert_eq!(price(r), Some((12.0, "EUR")));
    assert_eq!(sale.retail_price.as_ref().unwrap().amount, Some(9.5));
    assert_eq!(sale.country.as_deref(), Some("FR"));
    // The collection's title is the series, not the product's title.
    let series = r.volume_info.series_info.as_ref().unwrap();
    assert_eq!(
        series["volumeSeries"][0]["seriesId"],
        colophon_domain::series::series_id("A Series")
    );
}

#[test]
fn series_of_a_real_2_1_feed() {
    let (records, _) = read_file("feeds/jul.xml");
    let who: Vec<&SourceRecord> = records
        .iter()
        .filter(|r| {
            r.volume_info
                .title
                .as_deref()
                .is_some_and(|t| t.starts_with("Doctor Who"))
        })
        .collect();
    assert!(who.len() >= 3, "{}", who.len());
    let id = colophon_domain::series::series_id("Doctor Who");
    for r in who {
        let info = r.volume_info.series_info.as_ref().unwrap();
        assert_eq!(info["volumeSeries"][0]["seriesId"], id.as_str());
        assert_eq!(info["volumeSeries"][0]["colophonTitle"], "Doctor Who");
    }
}

#[test]
fn free_ebooks_and_header_defaults() {
    let text = "<ONIXMessage><Header><m184>ger</m184><m185>02</m185><m186>eur</m186></Header>\
        <Product><RecordReference>free</RecordReference><ProductForm>DG</ProductForm>\
          <Title><TitleType>01</TitleType><TitleText>Gratis</TitleText></Title>\
          <MainSubject><MainSubjectSchemeIdentifier>10</MainSubjectSchemeIdentifier><SubjectCode>FIC000000</SubjectCode></MainSubject>\
          <MainSubject><MainSubjectSchemeIdentifier>12</MainSubjectSchemeIdentifier><SubjectCode>FA</SubjectCode></MainSubject>\
          <SupplyDetail><ProductAvailability>20</ProductAvailability><UnpricedItemType>01</UnpricedItemType></SupplyDetail></Product>\
        <Product><RecordReference>priced</RecordReference><ProductForm>BB</ProductForm>\
          <Title><TitleType>01</TitleType><TitleText>Bezahlt</TitleText></Title>\
          <SupplyDetail><AvailabilityCode>OP</AvailabilityCode><Price><PriceAmount>5</PriceAmount></Price></SupplyDetail></Product>\
        <Product><RecordReference>default</RecordReference>\
          <Title><TitleType>01</TitleType><TitleText>Default</TitleText></Title>\
          <SupplyDetail><Price><PriceAmount>7,50</PriceAmount></Price></SupplyDetail></Product>\
        </ONIXMessage>";
    let out: Vec<SourceRecord> = read_all(text.as_bytes())
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(saleability(&out[0]), "FREE");
    assert_eq!(out[0].sale_info.as_ref().unwrap().is_ebook, Some(true));
    assert_eq!(price(&out[0]), None);
    assert_eq!(out[0].volume_info.language.as_deref(), Some("de"));
    assert_eq!(
        out[0].volume_info.categories.as_deref(),
        Some(&["Fiction".to_owned()][..])
    );
    // Out of print: no price shown, as Google does.
    assert_eq!(saleability(&out[1]), "NOT_FOR_SALE");
    assert_eq!(price(&out[1]), None);
    // No availability at all but a price (header default currency and type): for sale.
    assert_eq!(saleability(&out[2]), "FOR_SALE");
    assert_eq!(price(&out[2]), Some((7.5, "EUR")));
}

#[test]
fn keys_deletions_and_missing_fields() {
    let text = message(&[
        // Deletion notice: rejected, with the key to delete.
        product("<RecordReference>gone</RecordReference><NotificationType>05</NotificationType>"),
        // No RecordReference: keyed by ISBN.
        product("<ProductIdentifier><ProductIDType>02</ProductIDType><IDValue>0198526636</IDValue></ProductIdentifier><Title><TitleText>By ISBN</TitleText></Title>"),
        // No title (an empty one does not count).
        product("<RecordReference>untitled</RecordReference><Title><TitleType>01</TitleType><TitleText> </TitleText></Title>"),
        // No identifier at all.
        product("<Title><TitleText>Nobody</TitleText></Title>"),
        // An invalid ISBN is dropped; the record stays.
        product("<RecordReference>badisbn</RecordReference><ProductIdentifier><ProductIDType>15</ProductIDType><IDValue>9780198526637</IDValue></ProductIdentifier><Title><TitleText>Bad ISBN</TitleText></Title>"),
        // DistinctiveTitle (2.1 short form of a title), and `<Product/>`.
        product("<a001>dt</a001><b028>Distinctive</b028>"),
        "<Product/>".into(),
    ]);
    let out = read_all(text.as_bytes());
    assert_eq!(out.len(), 7);
    let e = out[0].as_ref().unwrap_err();
    assert!(e.reason.starts_with("deletion notice for onix:gone"), "{e}");
    assert_eq!(deletion_key(e), Some("onix:gone"));
    assert_eq!(deletion_key(out[2].as_ref().unwrap_err()), None);
    assert_eq!(e.position, "Product 1 (line 3)");
    assert_eq!(out[1].as_ref().unwrap().source_key, "onix:9780198526636");
    let e = out[2].as_ref().unwrap_err();
    assert_eq!(
        (e.position.as_str(), e.reason.as_str()),
        ("Product 3 (line 5)", "onix:untitled: no title")
    );
    assert!(out[3]
        .as_ref()
        .unwrap_err()
        .reason
        .contains("no RecordReference and no ISBN"));
    let bad = out[4].as_ref().unwrap();
    assert_eq!(bad.volume_info.industry_identifiers, None);
    assert_eq!(
        out[5].as_ref().unwrap().volume_info.title.as_deref(),
        Some("Distinctive")
    );
    assert!(out[6].is_err());
}

// ---------------------------------------------------------------- malformed input

#[test]
fn truncated_product_then_good_one() {
    let text = format!(
        "<ONIXMessage>\n{}<Product><RecordReference>cut</RecordReference><Title><TitleText>Cut sh\n{}{}",
        titled("a", "Before"),
        titled("b", "After"),
        "<Product><RecordReference>end</RecordReference><Title><TitleText>Never ends"
    );
    let out = read_all(text.as_bytes());
    assert_eq!(out.len(), 4, "{out:?}");
    assert_eq!(
        out[0].as_ref().unwrap().volume_info.title.as_deref(),
        Some("Before")
    );
    let e = out[1].as_ref().unwrap_err();
    assert_eq!(e.position, "Product 2 (line 3)");
    assert!(
        e.reason.starts_with("truncated: a new <Product> began"),
        "{e}"
    );
    assert_eq!(
        out[2].as_ref().unwrap().volume_info.title.as_deref(),
        Some("After")
    );
    let e = out[3].as_ref().unwrap_err();
    assert_eq!(e.position, "Product 4 (line 5)");
    assert!(
        e.reason.contains("the input ended before </Product>"),
        "{e}"
    );
}

#[test]
fn message_closed_inside_a_product() {
    let text = format!(
        "<ONIXMessage>{}<Product><RecordReference>x</RecordReference><Title><TitleText>X</TitleText></Title></ONIXMessage>",
        titled("a", "A")
    );
    let out = read_all(text.as_bytes());
    assert_eq!(out.len(), 2);
    assert!(out[0].is_ok());
    assert!(out[1]
        .as_ref()
        .unwrap_err()
        .reason
        .contains("</ONIXMessage> came before </Product>"));
}

#[test]
fn garbage_between_and_inside_products() {
    let text = format!(
        "<ONIXMessage>\n{}\nsome garbage & <<<>>> < x\n{}<!bogus>\n{}{}</ONIXMessage>\n",
        titled("1", "One"),
        titled("2", "Two"),
        product("<RecordReference>3</RecordReference><!oops><Title><TitleText>Three</TitleText></Title>"),
        product("<RecordReference>4</RecordReference><Title><TitleType>01</TitleType><TitleText>4 < 5 &amp; <i>ok</TitleText></Title>"),
    );
    let out = read_all(text.as_bytes());
    let summary: Vec<String> = out
        .iter()
        .map(|r| match r {
            Ok(r) => format!("ok {}", r.volume_info.title.as_deref().unwrap_or("")),
            Err(e) => format!("err {}", e.position),
        })
        .collect();
    assert_eq!(
        summary,
        [
            "ok One",
            "err line 4",
            "ok Two",
            "err line 6",
            "err Product 3 (line 7)",
            "ok 4 < 5 & ok"
        ],
        "{out:?}"
    );
    assert!(out[1]
        .as_ref()
        .unwrap_err()
        .reason
        .contains("text outside any product"));
    assert!(out[3]
        .as_ref()
        .unwrap_err()
        .reason
        .contains("malformed XML"));
    assert!(out[4]
        .as_ref()
        .unwrap_err()
        .reason
        .contains("malformed XML at line 7"));
}

#[test]
fn repaired_inner_tags() {
    // A missing </TitleText> and a stray </Foo>: closed by </Title>, ignored.
    let text = message(&[product(
        "<RecordReference>r</RecordReference><Title><TitleText>Open</Title></Foo>\
         <Contributor><PersonName>Ann Author</PersonName></Contributor>",
    )]);
    let out = read_all(text.as_bytes());
    let r = out[0].as_ref().unwrap();
    assert_eq!(r.volume_info.title.as_deref(), Some("Open"));
    assert_eq!(authors(r), ["Ann Author"]);
}

#[test]
fn not_onix_at_all() {
    for input in [
        &b""[..],
        b"just some text",
        b"\x00\x01\x02\xFF\xFE garbage",
        b"{\"json\": true}",
    ] {
        let out = read_all(input);
        assert_eq!(out.len(), 1, "{input:?}");
        let e = out[0].as_ref().unwrap_err();
        assert_eq!(e.position, "input");
        assert!(e.reason.starts_with("not an ONIX message"));
    }
    let out = read_all(b"<html><body><p>hi</p></body></html>");
    assert_eq!(out.len(), 1);
    assert!(out[0]
        .as_ref()
        .unwrap_err()
        .reason
        .contains("no <ONIXMessage> or <Product>"));
    // An empty message is no error.
    assert!(read_all(b"<ONIXMessage><Header/></ONIXMessage>").is_empty());
}

#[test]
fn absurd_nesting_and_huge_text_stay_bounded() {
    let deep = format!(
        "<ONIXMessage>{}{}",
        titled("1", "One"),
        "<a>".repeat(100_000)
    );
    let out = read_all(deep.as_bytes());
    assert_eq!(out.len(), 2);
    assert!(out[0].is_ok());
    assert!(out[1]
        .as_ref()
        .unwrap_err()
        .reason
        .contains("nested more than 256 deep"));

    let huge = message(&[
        titled("big", &"x".repeat(5 << 20)),
        titled("small", "Small"),
    ]);
    let out = read_all(huge.as_bytes());
    assert_eq!(out.len(), 2);
    assert!(out[0].as_ref().unwrap_err().reason.contains("larger than"));
    assert_eq!(out[1].as_ref().unwrap().source_key, "onix:small");
}

#[test]
fn mangled_feeds_never_panic() {
    // Deterministic damage to a real feed: flipped bytes, markup characters dropped in,
    // cuts. Every run must end, never panic, and keep reading products after the damage.
    let original = std::fs::read(onix_file("edge-cases/two_products.xml")).unwrap();
    let mut seed: u64 = 0x5EED;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    let specials = [
        b'<', b'>', b'&', b'/', b'!', b'?', b'"', 0xC3, 0xFF, 0, b'\n',
    ];
    for round in 0..300 {
        let mut bytes = original.clone();
        for _ in 0..1 + round % 8 {
            let at = next() % bytes.len();
            match next() % 3 {
                0 => bytes[at] = specials[next() % specials.len()],
                1 => bytes.insert(at, specials[next() % specials.len()]),
                _ => bytes[at] = (next() % 256) as u8,
            }
        }
        if round % 10 == 0 {
            bytes.truncate(next() % bytes.len());
        }
        let out = read_all(&bytes);
        assert!(out.len() <= 2 + 8 * 3 + 2, "round {round}: {out:?}");
    }
}

/// Serves its bytes, then fails.
struct FailingAfter(io::Cursor<Vec<u8>>);

impl Read for FailingAfter {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.0.read(buf)? {
            0 => Err(io::Error::other("disk on fire")),
            n => Ok(n),
        }
    }
}

#[test]
fn io_error_stops_with_a_final_rejection() {
    let mut text = message(&[titled("1", "One")]);
    text.truncate(text.find("</ONIXMessage>").unwrap());
    text.push_str("<Product><RecordReference>2</RecordReference>");
    let out: Vec<_> = read(FailingAfter(io::Cursor::new(text.into_bytes()))).collect();
    assert_eq!(out.len(), 3, "{out:?}");
    assert!(out[0].is_ok());
    assert!(out[1].as_ref().unwrap_err().reason.contains("disk on fire"));
    assert!(out[2]
        .as_ref()
        .unwrap_err()
        .reason
        .contains("cannot read the input"));
}

/// An endless ONIX message, produced as it is read.
struct Endless {
    pending: Vec<u8>,
    pos: usize,
    n: u64,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.pending.len() {
            self.n += 1;
            self.pending = titled(&self.n.to_string(), "Again").into_bytes();
            if self.n == 1 {
                self.pending.splice(0..0, b"<ONIXMessage>".iter().copied());
            }
            self.pos = 0;
        }
        let n = buf.len().min(self.pending.len() - self.pos);
        buf[..n].copy_from_slice(&self.pending[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn streams_product_by_product() {
    // An input that never ends still yields its products one by one.
    let mut stream = read(Endless {
        pending: Vec::new(),
        pos: 0,
        n: 0,
    });
    for i in 1..=5000u32 {
        let r = stream.next().unwrap().unwrap();
        assert_eq!(r.source_key, format!("onix:{i}"));
    }
}

#[test]
#[ignore]
fn throughput_onix() {
    use std::sync::Arc;
    use std::time::Instant;
    let mut files: Vec<Arc<[u8]>> = Vec::new();
    for dir in ["feeds", "edge-cases", "google-samples"] {
        for entry in std::fs::read_dir(onix_file(dir)).unwrap() {
            files.push(std::fs::read(entry.unwrap().path()).unwrap().into());
        }
    }
    let bytes: usize = files.iter().map(|f| f.len()).sum();
    let start = Instant::now();
    let (mut records, mut passes) = (0usize, 0usize);
    while records < 100_000 {
        for f in &files {
            records += read(io::Cursor::new(Arc::clone(f)))
                .filter(Result::is_ok)
                .count();
        }
        passes += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "onix: {records} products in {secs:.2}s = {:.0} records/s, {:.0} MB/s \
         ({passes} passes over {} files, {} KB)",
        records as f64 / secs,
        (bytes * passes) as f64 / secs / 1e6,
        files.len(),
        bytes / 1024
    );
    // For scale, on the same machine at the same moment: quick-xml alone, events read and
    // dropped, over the same files.
    let start = Instant::now();
    for _ in 0..passes {
        for f in &files {
            let mut xml = Reader::from_reader(io::BufReader::new(io::Cursor::new(Arc::clone(f))));
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match xml.read_event_into(&mut buf) {
                    Ok(Event::Eof) | Err(_) => break,
                    _ => {}
                }
            }
        }
    }
    let bare = start.elapsed().as_secs_f64();
    println!(
        "quick-xml events alone: {bare:.2}s for the same input ({:.0} products/s)",
        records as f64 / bare
    );
}
