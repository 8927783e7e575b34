//! Index-level tests: every syntax element, filter, ordering and paging rule against a
//! hand-made catalog, and a model-based property test.

use std::collections::{BTreeMap, BTreeSet};

use colophon_domain::{
    Download, Filter, MaturityRating, OrderBy, PrintType, SearchRequest, VolumeId, VolumeRecord,
};
use colophon_types::{AccessInfo, FormatAccess, IndustryIdentifier, SaleInfo, VolumeInfo};
use proptest::prelude::*;

use crate::{SearchError, SearchIndex};

/// Writer settings for tests: one thread, small budget.
const TEST_MEMORY: usize = 20_000_000;

fn id(n: u32) -> VolumeId {
    VolumeId::parse(&format!("vol{n:09}")).unwrap()
}

/// A builder of test records.
#[derive(Clone)]
struct Rec(VolumeRecord);

impl Rec {
    fn new(n: u32, title: &str) -> Self {
        Rec(VolumeRecord {
            id: id(n),
            etag: "AAAAAAAAAAA".to_owned(),
            source_key: format!("test:{n}"),
            volume_info: VolumeInfo {
                title: Some(title.to_owned()),
                print_type: Some("BOOK".to_owned()),
                language: Some("en".to_owned()),
                maturity_rating: Some("NOT_MATURE".to_owned()),
                ..VolumeInfo::default()
            },
            sale_info: Some(SaleInfo {
                saleability: Some("NOT_FOR_SALE".to_owned()),
                is_ebook: Some(false),
                ..SaleInfo::default()
            }),
            access_info: Some(AccessInfo {
                viewability: Some("NO_PAGES".to_owned()),
                epub: Some(FormatAccess {
                    is_available: Some(false),
                    ..FormatAccess::default()
                }),
                ..AccessInfo::default()
            }),
            layer_info: None,
            updated: Default::default(),
        })
    }
    fn with_id(mut self, id: &str) -> Self {
        self.0.id = VolumeId::parse(id).unwrap();
        self
    }
    fn subtitle(mut self, s: &str) -> Self {
        self.0.volume_info.subtitle = Some(s.to_owned());
        self
    }
    fn authors(mut self, a: &[&str]) -> Self {
        self.0.volume_info.authors = Some(a.iter().map(|s| (*s).to_owned()).collect());
        self
    }
    fn publisher(mut self, p: &str) -> Self {
        self.0.volume_info.publisher = Some(p.to_owned());
        self
    }
    fn categories(mut self, c: &[&str]) -> Self {
        self.0.volume_info.categories = Some(c.iter().map(|s| (*s).to_owned()).collect());
        self
    }
    fn description(mut self, d: &str) -> Self {
        self.0.volume_info.description = Some(d.to_owned());
        self
    }
    fn date(mut self, d: &str) -> Self {
        self.0.volume_info.published_date = Some(d.to_owned());
        self
    }
    fn ident(mut self, kind: &str, value: &str) -> Self {
        self.0
            .volume_info
            .industry_identifiers
            .get_or_insert_with(Vec::new)
            .push(IndustryIdentifier {
                kind: kind.to_owned(),
                identifier: value.to_owned(),
            });
        self
    }
    fn print_type(mut self, p: &str) -> Self {
        self.0.volume_info.print_type = Some(p.to_owned());
        self
    }
    fn language(mut self, l: &str) -> Self {
        self.0.volume_info.language = Some(l.to_owned());
        self
    }
    fn mature(mut self) -> Self {
        self.0.volume_info.maturity_rating = Some("MATURE".to_owned());
        self
    }
    fn sale(mut self, saleability: &str, ebook: bool) -> Self {
        let sale = self.0.sale_info.as_mut().unwrap();
        sale.saleability = Some(saleability.to_owned());
        sale.is_ebook = Some(ebook);
        self
    }
    fn viewability(mut self, v: &str) -> Self {
        self.0.access_info.as_mut().unwrap().viewability = Some(v.to_owned());
        self
    }
    fn epub(mut self) -> Self {
        self.0.access_info.as_mut().unwrap().epub = Some(FormatAccess {
            is_available: Some(true),
            ..FormatAccess::default()
        });
        self
    }
}

fn index_of(records: &[Rec]) -> SearchIndex {
    let index = SearchIndex::in_ram().unwrap();
    let mut updater = index.updater_with(TEST_MEMORY, 1).unwrap();
    for r in records {
        updater.upsert(&r.0, None).unwrap();
    }
    updater.commit().unwrap();
    index
}

/// A request with exact semantics (the query-language tests); typo tolerance has its own
/// tests in [`relevance`].
fn req(q: &str) -> SearchRequest {
    let mut r = SearchRequest::new(q);
    r.max_results = 40;
    r.typo_tolerance = false;
    r
}

/// Ids of the hits, in order.
fn ids(index: &SearchIndex, r: &SearchRequest) -> Vec<String> {
    let res = index.search(r).unwrap();
    res.hits.iter().map(|h| h.id.to_string()).collect()
}

/// Sorted ids of the hits of `q`, after checking that `total` agrees.
fn find(index: &SearchIndex, q: &str) -> Vec<String> {
    let res = index.search(&req(q)).unwrap();
    assert_eq!(res.total as usize, res.hits.len(), "total of {q:?}");
    let mut v: Vec<String> = res.hits.iter().map(|h| h.id.to_string()).collect();
    v.sort();
    v
}

fn names(ns: &[u32]) -> Vec<String> {
    let mut v: Vec<String> = ns.iter().map(|n| id(*n).to_string()).collect();
    v.sort();
    v
}

fn catalog() -> Vec<Rec> {
    vec![
        Rec::new(1, "The Great Gatsby")
            .authors(&["F. Scott Fitzgerald"])
            .publisher("Scribner")
            .categories(&["Fiction"])
            .description("A novel of the Jazz Age, running through one summer on Long Island.")
            .date("1925-04-10")
            .ident("ISBN_10", "0743273567")
            .ident("ISBN_13", "9780743273565")
            .ident("OTHER", "LCCN:25-10468")
            .ident("OTHER", "OCLC:ocm00123456"),
        Rec::new(2, "Cien años de soledad")
            .authors(&["Gabriel García Márquez"])
            .publisher("Sudamericana")
            .categories(&["Fiction", "Magic realism"])
            .description("La historia de la familia Buendía.")
            .date("1967")
            .language("es"),
        Rec::new(3, "Pride and Prejudice")
            .authors(&["Jane Austen"])
            .publisher("T. Egerton")
            .categories(&["Fiction", "Romance"])
            .description("Elizabeth Bennet meets Mr Darcy. <script>alert('x')</script> & more")
            .date("1813-01-28")
            .sale("FREE", true)
            .viewability("ALL_PAGES")
            .epub(),
        Rec::new(4, "Pride and Prejudice and Zombies")
            .authors(&["Seth Grahame-Smith", "Jane Austen"])
            .publisher("Quirk Books")
            .categories(&["Fiction", "Horror"])
            .description("Elizabeth Bennet fights zombies; Darcy helps.")
            .date("2009-04")
            .sale("FOR_SALE", true)
            .viewability("PARTIAL")
            .mature(),
        Rec::new(5, "Runner's World")
            .print_type("MAGAZINE")
            .publisher("Rodale")
            .categories(&["Sports"])
            .description("The magazine for people who run.")
            .date("2019-10-03T00:00:00+02:00")
            .sale("FOR_PREORDER", true),
        Rec::new(6, "Run")
            .authors(&["Ann Patchett"])
            .categories(&["Fiction"])
            .sale("FOR_RENTAL_ONLY", true)
            .ident("ISBN_13", "978-0-06-134063-5"),
        Rec::new(7, "Photographer")
            .with_id("chcnvwEACAAJ")
            .description("A bare id test."),
    ]
}

#[test]
fn plain_terms_are_anded_over_all_text_fields() {
    let index = index_of(&catalog());
    assert_eq!(find(&index, "pride"), names(&[3, 4]));
    assert_eq!(find(&index, "pride zombies"), names(&[4]));
    assert_eq!(find(&index, "pride+zombies"), names(&[4]));
    assert_eq!(find(&index, "PRIDE   Zombies"), names(&[4]));
    // Author, publisher, category, description.
    assert_eq!(find(&index, "fitzgerald"), names(&[1]));
    assert_eq!(find(&index, "scribner"), names(&[1]));
    assert_eq!(find(&index, "horror"), names(&[4]));
    assert_eq!(find(&index, "jazz"), names(&[1]));
    // Whole words only.
    assert_eq!(find(&index, "gats"), names(&[]));
    assert_eq!(find(&index, "nothing-like-this"), names(&[]));
}

#[test]
fn search_within_keeps_only_the_given_volumes() {
    let index = index_of(&catalog());
    let within = |q: &str, ns: &[u32]| {
        let ids: Vec<VolumeId> = ns.iter().map(|n| id(*n)).collect();
        let res = index.search_within(&req(q), &ids).unwrap();
        assert_eq!(res.total as usize, res.hits.len(), "total of {q:?}");
        let mut v: Vec<String> = res.hits.iter().map(|h| h.id.to_string()).collect();
        v.sort();
        v
    };
    assert_eq!(within("pride", &[4, 1]), names(&[4]));
    assert_eq!(within("pride", &[3, 4]), names(&[3, 4]));
    assert_eq!(within("pride", &[1, 2]), names(&[]));
    assert_eq!(within("pride", &[]), names(&[]));
    assert_eq!(within("austen -zombies", &[3, 4]), names(&[3]));
}

#[test]
fn phrases_and_exclusions() {
    let index = index_of(&catalog());
    assert_eq!(find(&index, "\"pride and prejudice\""), names(&[3, 4]));
    assert_eq!(find(&index, "\"prejudice and pride\""), names(&[]));
    assert_eq!(
        find(&index, "\"Elizabeth+Bennet\" Darcy -zombies"),
        names(&[3])
    );
    assert_eq!(find(&index, "austen -\"and zombies\""), names(&[3]));
    assert_eq!(find(&index, "austen -intitle:zombies"), names(&[3]));
    assert_eq!(find(&index, "austen -inauthor:grahame"), names(&[3]));
    // Unbalanced quote: the phrase runs to the end.
    assert_eq!(find(&index, "\"elizabeth bennet fights"), names(&[4]));
}

#[test]
fn field_keywords() {
    let index = index_of(&catalog());
    assert_eq!(find(&index, "intitle:pride"), names(&[3, 4]));
    assert_eq!(find(&index, "intitle:austen"), names(&[]));
    assert_eq!(find(&index, "INTITLE:gatsby"), names(&[1]));
    assert_eq!(find(&index, "intitle:\"great gatsby\""), names(&[1]));
    assert_eq!(find(&index, "intitle:\"gatsby great\""), names(&[]));
    assert_eq!(find(&index, "inauthor:austen"), names(&[3, 4]));
    assert_eq!(find(&index, "inauthor:grahame-smith"), names(&[4]));
    assert_eq!(find(&index, "inpublisher:quirk"), names(&[4]));
    assert_eq!(find(&index, "subject:romance"), names(&[3]));
    assert_eq!(find(&index, "subject:\"magic realism\""), names(&[2]));
    assert_eq!(find(&index, "pride inauthor:grahame"), names(&[4]));
    // Unknown prefixes are plain words.
    assert_eq!(find(&index, "foo:gatsby"), names(&[]));
    assert_eq!(find(&index, "great:gatsby"), names(&[1]));
    // Keyword with empty value is ignored.
    assert_eq!(find(&index, "intitle: gatsby"), names(&[1]));
}

#[test]
fn identifiers() {
    let index = index_of(&catalog());
    for q in [
        "isbn:0743273567",
        "isbn:9780743273565",
        "isbn:978-0-7432-7356-5",
        "ISBN:0-7432-7356-7",
    ] {
        assert_eq!(find(&index, q), names(&[1]), "{q}");
    }
    // ISBN-13 given only with hyphens in the record; found by its ISBN-10 too.
    assert_eq!(find(&index, "isbn:0061340634"), names(&[6]));
    // Invalid ISBN: nothing, not an error.
    assert_eq!(find(&index, "isbn:0743273568"), names(&[]));
    assert_eq!(find(&index, "isbn:abc gatsby"), names(&[]));
    // A negated invalid ISBN excludes nothing.
    assert_eq!(find(&index, "gatsby -isbn:xyz"), names(&[1]));
    assert_eq!(find(&index, "lccn:25-10468"), names(&[1]));
    assert_eq!(find(&index, "lccn:2510468"), names(&[1]));
    assert_eq!(find(&index, "oclc:123456"), names(&[1]));
    assert_eq!(find(&index, "oclc:00123456"), names(&[1]));
    assert_eq!(find(&index, "oclc:999"), names(&[]));
    // Bare ISBN and bare volume id (any case).
    assert_eq!(find(&index, "9780743273565"), names(&[1]));
    assert_eq!(find(&index, "0-7432-7356-7"), names(&[1]));
    for q in ["chcnvwEACAAJ", "CHCNVWEACAAJ", "cHcnvwEACAAJ"] {
        assert_eq!(find(&index, q), vec!["chcnvwEACAAJ".to_owned()], "{q}");
    }
    // A 12-letter word is still a word.
    assert_eq!(
        find(&index, "photographer"),
        vec!["chcnvwEACAAJ".to_owned()]
    );
}

#[test]
fn nothing_searchable_gives_zero_hits() {
    let index = index_of(&catalog());
    for q in [
        "-pride",
        "-pride -gatsby",
        "!!!",
        "😀",
        "-",
        "\"\"",
        "intitle:",
        "\u{0}\u{1}",
        "&&& ---",
    ] {
        let res = index.search(&req(q)).unwrap();
        assert_eq!((res.total, res.hits.len()), (0, 0), "{q:?}");
    }
    // Unsearchable words next to real ones are ignored.
    assert_eq!(find(&index, "gatsby !!! 😀"), names(&[1]));
    let long = "gatsby ".repeat(2_000) + &"x".repeat(10_000);
    assert_eq!(index.search(&req(&long)).unwrap().total, 1);
}

#[test]
fn folding_and_stemming() {
    let index = index_of(&catalog());
    assert_eq!(find(&index, "Garcia Marquez"), names(&[2]));
    assert_eq!(find(&index, "garcía márquez"), names(&[2]));
    assert_eq!(find(&index, "inauthor:GARCIA"), names(&[2]));
    assert_eq!(find(&index, "anos soledad"), names(&[2]));
    // "running" (description of 1) ~ "run" (title of 6; the description of 5, a preorder,
    // hidden by default), "runs".
    assert_eq!(find(&index, "running"), names(&[1, 6]));
    assert_eq!(find(&index, "runs"), names(&[1, 6]));
    assert_eq!(find(&index, "zombie"), names(&[4]));
}

/// Volumes in a language with a Snowball stemmer of its own are also stemmed in it
/// (`crate::native`): inflected forms English stemming cannot relate meet, only within that
/// language's volumes, and the form as written still ranks first.
#[test]
fn stemming_in_each_volumes_own_language() {
    let index = index_of(&[
        Rec::new(1, "Les chevaux de la nuit").language("fr"),
        Rec::new(2, "Le cheval blanc").language("fr"),
        Rec::new(3, "Chevaux of the Camargue").language("en"),
        Rec::new(4, "Die Häuser am Fluss").language("de"),
        Rec::new(5, "Notes")
            .language("de")
            .description("Ein Buch über alte Häuser."),
        Rec::new(6, "Canciones")
            .language("es-419")
            .categories(&["Poesía / Canciones populares"]),
        Rec::new(7, "Война и мир").language("ru"),
    ]);
    // French: "cheval" and "chevaux" are one stem in French volumes only.
    assert_eq!(find(&index, "cheval"), names(&[1, 2]));
    assert_eq!(find(&index, "chevaux"), names(&[1, 2, 3]));
    assert_eq!(
        ids(&index, &req("cheval"))[0],
        id(2).to_string(),
        "the word as written first"
    );
    assert_eq!(find(&index, "intitle:cheval"), names(&[1, 2]));
    // German, umlauts as written or folded; titles above descriptions.
    assert_eq!(ids(&index, &req("Haus")), names(&[4, 5]));
    assert_eq!(find(&index, "haus"), names(&[4, 5]));
    // Spanish with a region subtag, in the subjects; Russian in Cyrillic.
    assert_eq!(find(&index, "cancion"), names(&[6]));
    assert_eq!(find(&index, "войны"), names(&[7]));
    // A phrase stays a phrase of the words as the main fields hold them.
    assert!(find(&index, "\"le chevaux\"").is_empty());
}

#[test]
fn filters() {
    let index = index_of(&catalog());
    let count = |q: &str, f: &dyn Fn(&mut SearchRequest)| {
        let mut r = req(q);
        f(&mut r);
        let res = index.search(&r).unwrap();
        assert_eq!(res.total as usize, res.hits.len());
        let mut v: Vec<String> = res.hits.iter().map(|h| h.id.to_string()).collect();
        v.sort();
        v
    };
    assert_eq!(
        count("run", &|r| r.print_type = PrintType::Books),
        names(&[1, 6])
    );
    assert_eq!(
        count("run", &|_| {}),
        names(&[1, 6]),
        "preorders hidden by default"
    );
    assert_eq!(
        count("run", &|r| r.show_preorders = true),
        names(&[1, 5, 6])
    );
    assert_eq!(
        count("run", &|r| {
            r.show_preorders = true;
            r.print_type = PrintType::Magazines;
        }),
        names(&[5])
    );
    assert_eq!(
        count("fiction", &|r| r.lang_restrict = Some("ES".to_owned())),
        names(&[2])
    );
    assert_eq!(
        count("fiction", &|r| r.lang_restrict = Some("fr".to_owned())),
        names(&[])
    );
    assert_eq!(
        count("austen", &|r| r.max_maturity =
            Some(MaturityRating::NotMature)),
        names(&[3])
    );
    assert_eq!(
        count("austen", &|r| r.max_maturity = Some(MaturityRating::Mature)),
        names(&[3, 4])
    );
    assert_eq!(
        count("fiction", &|r| r.filter = Some(Filter::Partial)),
        names(&[3, 4])
    );
    assert_eq!(
        count("fiction", &|r| r.filter = Some(Filter::Full)),
        names(&[3])
    );
    assert_eq!(
        count("fiction", &|r| r.filter = Some(Filter::FreeEbooks)),
        names(&[3])
    );
    assert_eq!(
        count("fiction", &|r| r.filter = Some(Filter::PaidEbooks)),
        names(&[4, 6])
    );
    assert_eq!(
        count("fiction", &|r| r.filter = Some(Filter::Ebooks)),
        names(&[3, 4, 6])
    );
    assert_eq!(
        count("fiction", &|r| r.download = Some(Download::Epub)),
        names(&[3])
    );
    assert_eq!(
        count("magazine", &|r| {
            r.show_preorders = true;
            r.filter = Some(Filter::PaidEbooks);
        }),
        names(&[5])
    );
    // max_results = 0: the total alone.
    let mut r = req("fiction");
    r.max_results = 0;
    let res = index.search(&r).unwrap();
    assert_eq!((res.total, res.hits.len()), (5, 0));
    r.filter = Some(Filter::Ebooks);
    assert_eq!(index.search(&r).unwrap().total, 3);
}

#[test]
fn relevance_prefers_title_and_exact_matches() {
    let index = index_of(&[
        Rec::new(1, "Something else").description("All about dragons and dragons."),
        Rec::new(2, "Dragons").description("A book."),
        Rec::new(3, "Tales").authors(&["Ann Dragons"]),
        Rec::new(4, "Dragons of Autumn Twilight").description("dragons dragons"),
        Rec::new(5, "Misc").description("see 9780743273565"),
        Rec::new(6, "Other").ident("ISBN_13", "9780743273565"),
        Rec::new(7, "Wings")
            .subtitle("A Dragons Tale")
            .description("dragons"),
    ]);
    let order = ids(&index, &req("dragons"));
    assert_eq!(order[0], id(2).to_string(), "exact title first: {order:?}");
    assert_eq!(
        order.last().unwrap(),
        &id(1).to_string(),
        "description last: {order:?}"
    );
    assert!(
        order.iter().position(|x| *x == id(3).to_string())
            < order.iter().position(|x| *x == id(1).to_string())
    );
    let order = ids(&index, &req("dragons of autumn twilight"));
    assert_eq!(order, vec![id(4).to_string()]);
    // intitle: covers the subtitle; title + subtitle is an exact title too.
    assert!(ids(&index, &req("intitle:tale")).contains(&id(7).to_string()));
    assert_eq!(
        ids(&index, &req("wings a dragons tale"))[0],
        id(7).to_string()
    );
    assert_eq!(
        ids(&index, &req("dragons tale wings")),
        vec![id(7).to_string()]
    );
    // A bare ISBN puts the volume with that ISBN before one mentioning it in the text.
    let order = ids(&index, &req("9780743273565"));
    assert_eq!(order, vec![id(6).to_string(), id(5).to_string()]);
    let scores: Vec<f32> = index
        .search(&req("dragons"))
        .unwrap()
        .hits
        .iter()
        .map(|h| h.score)
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[test]
fn newest_orders_by_date_missing_last_then_id() {
    let index = index_of(&[
        Rec::new(1, "book a").date("1999"),
        Rec::new(2, "book b").date("2020-05-01"),
        Rec::new(3, "book c"),
        Rec::new(4, "book d").date("2020-05"),
        Rec::new(5, "book e").date("2021-01-01T10:00:00Z"),
        Rec::new(6, "book f").date("2020-05-01"),
        Rec::new(7, "book g").date("garbage"),
    ]);
    let mut r = req("book");
    r.order_by = OrderBy::Newest;
    let got = ids(&index, &r);
    let want: Vec<String> = [5, 2, 6, 4, 1, 3, 7]
        .iter()
        .map(|n| id(*n).to_string())
        .collect();
    assert_eq!(got, want);
}

#[test]
fn paging_is_consistent_across_segments() {
    let index = SearchIndex::in_ram().unwrap();
    let mut updater = index.updater_with(TEST_MEMORY, 1).unwrap();
    // Several commits make several segments; identical records make score ties.
    for batch in 0..4u32 {
        for i in 0..25u32 {
            let n = batch * 100 + i;
            let title = if i % 3 == 0 {
                "common word word"
            } else {
                "common"
            };
            updater
                .upsert(
                    &Rec::new(n, title).date(&format!("{}", 1900 + i % 7)).0,
                    None,
                )
                .unwrap();
        }
        updater.commit().unwrap();
    }
    for order in [OrderBy::Relevance, OrderBy::Newest] {
        let mut all = req("common");
        all.order_by = order;
        all.max_results = 40;
        let mut full = Vec::new();
        while full.len() < 100 {
            all.start_index = full.len() as u32;
            let res = index.search(&all).unwrap();
            assert_eq!(res.total, 100);
            full.extend(res.hits.into_iter().map(|h| h.id.to_string()));
        }
        let unique: BTreeSet<&String> = full.iter().collect();
        assert_eq!(unique.len(), 100, "no overlap");
        for page_size in [1u32, 7, 13] {
            let mut paged = Vec::new();
            let mut r = all.clone();
            r.max_results = page_size;
            for start in (0..110).step_by(page_size as usize) {
                r.start_index = start;
                let res = index.search(&r).unwrap();
                assert_eq!(res.total, 100);
                paged.extend(res.hits.into_iter().map(|h| h.id.to_string()));
            }
            assert_eq!(paged, full, "page size {page_size}, {order:?}");
        }
        // Beyond the end.
        let mut r = all.clone();
        r.start_index = 1_000;
        let res = index.search(&r).unwrap();
        assert_eq!((res.total, res.hits.len()), (100, 0));
        r.start_index = u32::MAX;
        r.max_results = 40;
        assert_eq!(index.search(&r).unwrap().total, 100);
    }
}

#[test]
fn upsert_replaces_delete_removes_clear_empties() {
    let index = SearchIndex::in_ram().unwrap();
    let mut updater = index.updater_with(TEST_MEMORY, 1).unwrap();
    updater.upsert(&Rec::new(1, "first title").0, None).unwrap();
    updater
        .upsert(&Rec::new(2, "second title").0, None)
        .unwrap();
    assert_eq!(index.num_docs(), 0, "nothing visible before commit");
    updater.commit().unwrap();
    assert_eq!(index.num_docs(), 2);
    updater.upsert(&Rec::new(1, "renamed").0, None).unwrap();
    updater.commit().unwrap();
    assert_eq!(find(&index, "first"), names(&[]));
    assert_eq!(find(&index, "renamed"), names(&[1]));
    assert_eq!(index.num_docs(), 2);
    updater.delete(&id(2)).unwrap();
    updater.delete(&id(99)).unwrap();
    updater.commit().unwrap();
    assert_eq!(find(&index, "title"), names(&[]));
    // Clear, then add within the same batch: the old content stays visible until commit.
    updater.clear().unwrap();
    updater.upsert(&Rec::new(3, "third").0, None).unwrap();
    assert_eq!(find(&index, "renamed"), names(&[1]));
    assert_eq!(updater.pending(), 2);
    updater.commit().unwrap();
    assert_eq!(find(&index, "renamed"), names(&[]));
    assert_eq!(find(&index, "third"), names(&[3]));
    assert_eq!(index.num_docs(), 1);
    // Rollback discards.
    updater.upsert(&Rec::new(4, "fourth").0, None).unwrap();
    updater.rollback().unwrap();
    updater.commit().unwrap();
    assert_eq!(find(&index, "fourth"), names(&[]));
    // One writer at a time.
    assert!(matches!(index.updater(), Err(SearchError::Locked(_))));
    updater.finish().unwrap();
    assert!(index.updater().is_ok());
}

#[test]
fn snippets() {
    let long_text = format!(
        "{} The harpoon struck the white whale near the bow.\n{}",
        "Call me Ishmael. ".repeat(50),
        "Ahab raged. ".repeat(50)
    );
    let index = SearchIndex::in_ram().unwrap();
    let mut updater = index.updater_with(TEST_MEMORY, 1).unwrap();
    for r in catalog() {
        updater.upsert(&r.0, None).unwrap();
    }
    updater
        .upsert(
            &Rec::new(20, "Moby-Dick").description("A sea story.").0,
            Some(&long_text),
        )
        .unwrap();
    updater
        .upsert(&Rec::new(21, "No description whale").0, None)
        .unwrap();
    updater.commit().unwrap();

    let snippet = |q: &str| -> Vec<Option<String>> {
        index
            .search(&req(q))
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.snippet)
            .collect()
    };
    let s = snippet("darcy -zombies");
    assert_eq!(
        s,
        vec![Some(
            "Elizabeth Bennet meets Mr <b>Darcy</b>. &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"
                .to_owned()
        )]
    );
    // Stemmed highlighting.
    let s = snippet("intitle:gatsby run");
    assert_eq!(
        s,
        vec![Some(
            "A novel of the Jazz Age, <b>running</b> through one summer on Long Island.".to_owned()
        )]
    );
    // Identifier queries: the start of the description without <b>, which the caller cuts
    // from the record it loads (the stored document is not read).
    let res = index.search(&req("isbn:0743273567")).unwrap();
    assert!(res.snippets_from_description);
    assert_eq!(res.hits.len(), 1);
    assert_eq!(res.hits[0].snippet, None);
    assert_eq!(
        crate::description_snippet(
            "A novel of the Jazz Age, running through one summer on Long Island."
        ),
        Some("A novel of the Jazz Age, running through one summer on Long Island.".to_owned())
    );
    assert!(
        !index
            .search(&req("gatsby"))
            .unwrap()
            .snippets_from_description
    );
    // Full text when it matches better; None when there is no text at all.
    let res = index.search(&req("whale")).unwrap();
    let by_id: BTreeMap<String, Option<String>> = res
        .hits
        .into_iter()
        .map(|h| (h.id.to_string(), h.snippet))
        .collect();
    let moby = by_id[&id(20).to_string()].as_deref().unwrap();
    assert!(
        moby.starts_with("The harpoon struck the white <b>whale</b> near the bow.<br>\n"),
        "{moby}"
    );
    assert!(moby.ends_with("&nbsp;..."), "{moby}");
    assert!(moby.chars().count() < 260, "{moby}");
    assert_eq!(by_id[&id(21).to_string()], None);
    // A full-text match of a plain word finds the volume.
    assert_eq!(find(&index, "harpoon"), names(&[20]));
    assert_eq!(find(&index, "intitle:harpoon"), names(&[]));
}

#[test]
fn mmap_directory_reopen_reload_and_schema_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index");
    let server = SearchIndex::open_or_create(&path).unwrap();
    {
        // Another handle (as another process would) writes and commits.
        let cli = SearchIndex::open_or_create(&path).unwrap();
        let mut updater = cli.updater_with(TEST_MEMORY, 1).unwrap();
        updater.upsert(&Rec::new(1, "persisted").0, None).unwrap();
        updater.commit().unwrap();
        updater.finish().unwrap();
    }
    server.reload().unwrap();
    assert_eq!(find(&server, "persisted"), names(&[1]));
    drop(server);
    let again = SearchIndex::open_or_create(&path).unwrap();
    assert_eq!(again.num_docs(), 1);
    drop(again);

    // An index of another schema is reported, and recreate() replaces it.
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    let mut b = tantivy::schema::Schema::builder();
    b.add_text_field("x", tantivy::schema::TEXT);
    tantivy::Index::create_in_dir(&other, b.build()).unwrap();
    assert!(matches!(
        SearchIndex::open_or_create(&other),
        Err(SearchError::SchemaMismatch { .. })
    ));
    let fresh = SearchIndex::recreate(&other).unwrap();
    assert_eq!(fresh.num_docs(), 0);
    // recreate() refuses to delete a directory that is not an index.
    let stranger = dir.path().join("stranger");
    std::fs::create_dir_all(&stranger).unwrap();
    std::fs::write(stranger.join("precious.txt"), "x").unwrap();
    assert!(matches!(
        SearchIndex::recreate(&stranger),
        Err(SearchError::NotAnIndex { .. })
    ));
    assert!(stranger.join("precious.txt").exists());
}

#[test]
fn search_handles_are_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<SearchIndex>();
    let index = index_of(&catalog());
    std::thread::scope(|s| {
        for _ in 0..2 {
            let index = index.clone();
            s.spawn(move || assert_eq!(find(&index, "pride"), names(&[3, 4])));
        }
    });
}

// ---------------------------------------------------------------------------------------
// Model-based test: random upserts, deletes, clears and commits, then the index must agree
// with a naive in-memory filter on simple queries.

const WORDS: [&str; 6] = ["alpha", "bravo", "delta", "echo", "foxtrot", "golf"];

#[derive(Debug, Clone)]
struct ModelDoc {
    title: Vec<usize>,
    author: usize,
    description: Vec<usize>,
    magazine: bool,
}

impl ModelDoc {
    fn record(&self, n: u32) -> VolumeRecord {
        let words = |ws: &[usize]| ws.iter().map(|w| WORDS[*w]).collect::<Vec<_>>().join(" ");
        let mut r = Rec::new(n, &words(&self.title))
            .authors(&[WORDS[self.author]])
            .description(&words(&self.description));
        if self.magazine {
            r = r.print_type("MAGAZINE");
        }
        r.0
    }
    fn any(&self, w: usize) -> bool {
        self.title.contains(&w) || self.author == w || self.description.contains(&w)
    }
    /// `"a b"`: adjacent in the title or in the description.
    fn phrase(&self, a: usize, b: usize) -> bool {
        let adjacent = |ws: &[usize]| ws.windows(2).any(|p| p == [a, b]);
        adjacent(&self.title) || adjacent(&self.description)
    }
}

#[derive(Debug, Clone)]
enum Op {
    Upsert(u32, ModelDoc),
    Delete(u32),
    Clear,
    Commit,
}

fn op() -> impl Strategy<Value = Op> {
    let word = 0..WORDS.len();
    let doc = (
        proptest::collection::vec(word.clone(), 1..4),
        word.clone(),
        proptest::collection::vec(word, 0..4),
        any::<bool>(),
    )
        .prop_map(|(title, author, description, magazine)| ModelDoc {
            title,
            author,
            description,
            magazine,
        });
    prop_oneof![
        6 => (0..12u32, doc).prop_map(|(n, d)| Op::Upsert(n, d)),
        2 => (0..12u32).prop_map(Op::Delete),
        1 => Just(Op::Clear),
        2 => Just(Op::Commit),
    ]
}

fn check_model(index: &SearchIndex, model: &BTreeMap<u32, ModelDoc>) -> Result<(), TestCaseError> {
    let expect = |pred: &dyn Fn(&ModelDoc) -> bool| -> Vec<String> {
        let mut v: Vec<String> = model
            .iter()
            .filter(|(_, d)| pred(d))
            .map(|(n, _)| id(*n).to_string())
            .collect();
        v.sort();
        v
    };
    prop_assert_eq!(index.num_docs(), model.len() as u64);
    for (w, word) in WORDS.iter().enumerate() {
        let w2 = (w + 1) % WORDS.len();
        let other = WORDS[w2];
        prop_assert_eq!(find(index, word), expect(&|d| d.any(w)), "{}", word);
        prop_assert_eq!(
            find(index, &format!("intitle:{word}")),
            expect(&|d| d.title.contains(&w))
        );
        prop_assert_eq!(
            find(index, &format!("inauthor:{word}")),
            expect(&|d| d.author == w)
        );
        prop_assert_eq!(
            find(index, &format!("{word} -{other}")),
            expect(&|d| d.any(w) && !d.any(w2))
        );
        prop_assert_eq!(
            find(index, &format!("{word}+{other}")),
            expect(&|d| d.any(w) && d.any(w2))
        );
        prop_assert_eq!(
            find(index, &format!("\"{word} {other}\"")),
            expect(&|d| d.phrase(w, w2))
        );
        prop_assert_eq!(
            find(index, &format!("{word} -\"{other} {word}\"")),
            expect(&|d| d.any(w) && !d.phrase(w2, w))
        );
        let mut r = req(word);
        r.print_type = PrintType::Magazines;
        let res = index.search(&r).unwrap();
        let mut got: Vec<String> = res.hits.iter().map(|h| h.id.to_string()).collect();
        got.sort();
        prop_assert_eq!(res.total as usize, got.len());
        prop_assert_eq!(got, expect(&|d| d.any(w) && d.magazine));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn index_agrees_with_a_naive_model(ops in proptest::collection::vec(op(), 1..30)) {
        let index = SearchIndex::in_ram().unwrap();
        let mut updater = index.updater_with(TEST_MEMORY, 1).unwrap();
        let mut committed: BTreeMap<u32, ModelDoc> = BTreeMap::new();
        let mut pending = committed.clone();
        for op in ops {
            match op {
                Op::Upsert(n, d) => {
                    updater.upsert(&d.record(n), None).unwrap();
                    pending.insert(n, d);
                }
                Op::Delete(n) => {
                    updater.delete(&id(n)).unwrap();
                    pending.remove(&n);
                }
                Op::Clear => {
                    updater.clear().unwrap();
                    pending.clear();
                }
                Op::Commit => {
                    updater.commit().unwrap();
                    committed = pending.clone();
                    check_model(&index, &committed)?;
                }
            }
        }
        // Uncommitted changes are invisible; committing shows them.
        check_model(&index, &committed)?;
        updater.commit().unwrap();
        check_model(&index, &pending)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Arbitrary `q` strings and options never make the engine fail or panic, and `total`
    /// always agrees with the hits of a large enough page.
    #[test]
    fn any_query_is_answered(
        q in proptest::collection::vec(
            prop_oneof![
                Just("pride".to_owned()), Just("austen".to_owned()), Just("fiction".to_owned()),
                Just("-".to_owned()), Just("\"".to_owned()), Just(" ".to_owned()), Just("+".to_owned()),
                Just("intitle:".to_owned()), Just("inauthor:".to_owned()), Just("subject:".to_owned()),
                Just("isbn:".to_owned()), Just("0743273567".to_owned()), Just("and".to_owned()),
                Just("zombies".to_owned()), Just("chcnvwEACAAJ".to_owned()), Just("Márquez".to_owned()),
                any::<char>().prop_map(String::from),
            ],
            0..16,
        ).prop_map(|v| v.concat()),
        newest in any::<bool>(),
        filter in proptest::option::of(prop_oneof![
            Just(Filter::Partial), Just(Filter::Full), Just(Filter::FreeEbooks),
            Just(Filter::PaidEbooks), Just(Filter::Ebooks),
        ]),
        start in 0u32..4,
    ) {
        thread_local! {
            static INDEX: SearchIndex = index_of(&catalog());
        }
        INDEX.with(|index| {
            let mut r = req(&q);
            r.filter = filter;
            r.start_index = start;
            r.show_preorders = true;
            if newest {
                r.order_by = OrderBy::Newest;
            }
            let res = index.search(&r).unwrap();
            prop_assert_eq!(res.hits.len() as u64, res.total.saturating_sub(u64::from(start)).min(40));
            let mut count_only = r.clone();
            count_only.max_results = 0;
            prop_assert_eq!(index.search(&count_only).unwrap().total, res.total);
            Ok(())
        })?;
    }
}

/// Rough throughput numbers: `cargo test -p colophon-search --release perf -- --ignored --nocapture`.
#[test]
#[ignore = "timing, run by hand"]
fn perf_smoke() {
    use std::time::Instant;
    const N: u32 = 5_000;
    // A deterministic pseudo-random vocabulary with a skewed distribution.
    let vocab: Vec<String> = (0..3_000u32)
        .map(|i| {
            let mut x = i.wrapping_mul(2_654_435_761);
            (0..(4 + i % 6))
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    char::from(b'a' + ((x >> 16) % 26) as u8)
                })
                .collect()
        })
        .collect();
    let mut seed = 42u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let word = |next: &mut dyn FnMut() -> u64| {
        let r = next() % 1_000_000;
        // Skew: square the uniform value.
        let idx = (r * r / 1_000_000) as usize * vocab.len() / 1_000_000;
        vocab[idx].clone()
    };
    let words = |n: usize, next: &mut dyn FnMut() -> u64| {
        (0..n).map(|_| word(next)).collect::<Vec<_>>().join(" ")
    };
    let records: Vec<VolumeRecord> = (0..N)
        .map(|n| {
            let mut r = Rec::new(n, &words(4, &mut next))
                .authors(&[&words(2, &mut next)])
                .publisher(&words(2, &mut next))
                .categories(&[&words(1, &mut next)])
                .description(&words(80, &mut next))
                .date(&format!("{}-{:02}", 1900 + n % 120, 1 + n % 12));
            if n % 3 == 0 {
                r = r.sale("FOR_SALE", true);
            }
            r.0
        })
        .collect();
    for (label, mut analyzer) in [
        ("stemming", crate::analysis::text_analyzer()),
        ("folding", crate::analysis::key_analyzer()),
    ] {
        let t = Instant::now();
        let mut tokens = 0usize;
        for r in &records {
            let mut stream = analyzer.token_stream(r.volume_info.description.as_deref().unwrap());
            while stream.advance() {
                tokens += 1;
            }
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{label} analyzer: {:.2} M tokens/s",
            tokens as f64 / secs / 1e6
        );
    }
    let index = SearchIndex::in_ram().unwrap();
    let mut updater = index.updater().unwrap();
    let t = Instant::now();
    for r in &records {
        updater.upsert(r, None).unwrap();
    }
    let queued = t.elapsed().as_secs_f64();
    updater.commit().unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!("upserts queued after {queued:.2}s, committed after {secs:.2}s");
    println!(
        "indexed {N} records in {secs:.2}s: {:.0} records/s",
        f64::from(N) / secs
    );

    let queries = [
        vocab[0].clone(),
        format!("{} {}", vocab[1], vocab[2]),
        format!("\"{} {}\"", vocab[0], vocab[1]),
        format!("intitle:{}", vocab[3]),
        format!("{} -{}", vocab[0], vocab[1]),
        "isbn:0743273567".to_owned(),
        vocab[2_000].clone(),
    ];
    for q in &queries {
        for (label, order, filter) in [
            ("relevance", OrderBy::Relevance, None),
            ("newest+ebooks", OrderBy::Newest, Some(Filter::Ebooks)),
        ] {
            let mut r = SearchRequest::new(q.clone());
            r.order_by = order;
            r.filter = filter;
            let rounds = 200;
            let t = Instant::now();
            let mut total = 0;
            for _ in 0..rounds {
                total = index.search(&r).unwrap().total;
            }
            let per = t.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);
            println!(
                "{q:>24} {label:>14}: {total:>5} hits, {per:>8.0} µs/query (10 hits + snippets)"
            );
        }
    }
}

mod relevance {
    use super::*;

    /// Ids of the hits of `q` as an API search gives them (typo tolerance on), in order.
    fn find(index: &SearchIndex, q: &str) -> Vec<String> {
        let mut r = SearchRequest::new(q);
        r.max_results = 40;
        let res = index.search(&r).unwrap();
        assert_eq!(res.total as usize, res.hits.len(), "total of {q:?}");
        res.hits.iter().map(|h| h.id.to_string()).collect()
    }

    /// Ids in the given order.
    fn names(ns: &[u32]) -> Vec<String> {
        ns.iter().map(|n| id(*n).to_string()).collect()
    }

    fn ratings(mut rec: Rec, n: i32) -> Rec {
        rec.0.volume_info.ratings_count = Some(n);
        rec
    }

    #[test]
    fn one_typo_finds_the_book_and_exact_hits_stay_first() {
        let index = index_of(&[
            Rec::new(1, "Pride and Prejudice").authors(&["Jane Austen"]),
            Rec::new(2, "Prejudice Reconsidered").authors(&["A. Critic"]),
            Rec::new(3, "Sense and Sensibility").authors(&["Jane Austen"]),
        ]);
        // `prejudise`: one substitution; `pride` is exact.
        assert_eq!(find(&index, "pride and prejudise"), names(&[1]));
        // Two edits in a word of 9+ letters (`sensibility` → `sensibiltiy` is one
        // transposition; `sensabilty` is two edits).
        assert_eq!(find(&index, "sensabilty"), names(&[3]));
        // Short words get no tolerance: `jame` is not `jane`.
        assert!(find(&index, "jame").is_empty());
        // Numbers get none either.
        assert!(find(&index, "123456").is_empty());
        // With enough exact hits, no fuzzy hit is added: `austen` matches 1 and 3 exactly,
        // and a fuzzy pass would add nothing else; the exact order holds.
        let exact = find(&index, "austen");
        assert_eq!(exact.len(), 2);
    }

    #[test]
    fn typo_tolerance_stays_within_the_given_volumes() {
        let index = index_of(&[
            Rec::new(1, "Pride and Prejudice").authors(&["Jane Austen"]),
            Rec::new(2, "Prejudice Reconsidered").authors(&["A. Critic"]),
        ]);
        let mut r = SearchRequest::new("prejudise");
        r.max_results = 40;
        // Only volume 2 is on the shelf: the near-word search must not bring in volume 1.
        let res = index.search_within(&r, &[id(2)]).unwrap();
        let got: Vec<String> = res.hits.iter().map(|h| h.id.to_string()).collect();
        assert_eq!(got, names(&[2]));
        assert_eq!(res.total, 1);
    }

    #[test]
    fn field_keywords_stay_exact() {
        let index = index_of(&[
            Rec::new(1, "Pride and Prejudice").authors(&["Jane Austen"]),
            Rec::new(2, "Austen's Letters").authors(&["An Editor"]),
        ]);
        // Exact: 2 has "austen" in its title, 1 only in its authors.
        assert_eq!(find(&index, "intitle:austen"), names(&[2]));
        // Keywords stay exact: no near-words, in their field or another.
        assert!(find(&index, "intitle:prejudise").is_empty());
        assert!(find(&index, "inauthor:austin").is_empty());
        // A plain word with a typo finds the book.
        assert_eq!(find(&index, "prejudise"), names(&[1]));
    }

    #[test]
    fn fuzzy_hits_come_after_the_exact_ones() {
        let index = index_of(&[
            Rec::new(1, "Dreamland").authors(&["Julie Lippmann"]),
            Rec::new(2, "Dreamlands").authors(&["Other Writer"]),
        ]);
        // `dreamland` is exact for 1 and one edit from `dreamlands` (2, which the stemmer
        // does not reduce to the same word in every language): 1 first, whatever 2 scores.
        let hits = find(&index, "dreamland");
        assert_eq!(hits.first(), Some(&names(&[1])[0]));
    }

    #[test]
    fn a_long_remembered_passage_may_miss_one_word() {
        let index = index_of(&[
            Rec::new(1, "A Novel")
                .description("it was the best of times it was the worst of times"),
            Rec::new(2, "Another").description("the age of wisdom and the age of foolishness"),
        ]);
        // `wurst` is no word of the catalog: exact matching finds nothing; the passage
        // with one word missing still finds its book, and not the other.
        assert_eq!(find(&index, "best of times it was the wurst"), names(&[1]));
    }

    #[test]
    fn an_author_name_alone_ranks_books_by_the_author_first() {
        let index = index_of(&[
            Rec::new(1, "Life of Ludwig van Beethoven").authors(&["A. Biographer"]),
            Rec::new(2, "Symphonies").authors(&["Ludwig van Beethoven"]),
        ]);
        assert_eq!(find(&index, "ludwig van beethoven")[0], names(&[2])[0]);
    }

    #[test]
    fn title_and_surname_is_an_exact_match() {
        let index = index_of(&[
            Rec::new(1, "Emma").authors(&["Jane Austen"]),
            Rec::new(2, "Emma and the Austen Sisters").authors(&["Jane Doe"]),
        ]);
        assert_eq!(find(&index, "emma austen")[0], names(&[1])[0]);
        assert_eq!(find(&index, "austen emma")[0], names(&[1])[0]);
    }

    #[test]
    fn popularity_orders_equal_titles_but_not_a_better_match() {
        let index = index_of(&[
            ratings(
                Rec::new(1, "The Origin of Species").authors(&["Someone Else"]),
                3,
            ),
            ratings(
                Rec::new(2, "The Origin of Species").authors(&["Charles Darwin"]),
                500_000,
            ),
            ratings(
                Rec::new(3, "Species").authors(&["Popular Writer"]),
                9_000_000,
            ),
        ]);
        assert_eq!(find(&index, "the origin of species"), names(&[2, 1]));
        // The very popular one-word title does not outrank the exact title match.
        assert_eq!(find(&index, "species")[0], names(&[3])[0]);
        assert_eq!(
            find(&index, "origin species"),
            names(&[2, 1]),
            "both exact-title volumes, the popular one first"
        );
    }

    #[test]
    fn exact_word_forms_rank_above_stemmed_ones() {
        let index = index_of(&[
            Rec::new(1, "Run").authors(&["A"]),
            Rec::new(2, "Running").authors(&["B"]),
        ]);
        assert_eq!(find(&index, "running")[0], names(&[2])[0]);
        assert_eq!(find(&index, "run")[0], names(&[1])[0]);
    }

    #[test]
    fn cjk_titles_are_found_by_any_two_character_part() {
        let index = index_of(&[
            Rec::new(1, "ノルウェイの森").authors(&["村上春樹"]),
            Rec::new(2, "東京物語").authors(&["Someone"]),
        ]);
        assert_eq!(find(&index, "村上春樹"), names(&[1]));
        assert_eq!(find(&index, "村上"), names(&[1]));
        assert_eq!(find(&index, "物語"), names(&[2]));
        assert_eq!(find(&index, "\"東京物語\""), names(&[2]));
        assert!(
            find(&index, "東京語").is_empty(),
            "bigrams must be adjacent"
        );
    }
}

/// `browse` (series, topics, everything) and `topics`: exact live counts after a deletion,
/// paging in a stable order, the maturity filter.
#[test]
fn browsing_series_and_topics() {
    use crate::Browse;
    use colophon_domain::series::{series_id, series_info, SeriesEntry, SeriesKind};

    let in_series = |rec: Rec, title: &str, n: &str| {
        let mut rec = rec;
        rec.0.volume_info.series_info = series_info(&[SeriesEntry {
            title: title.into(),
            kind: SeriesKind::Series,
            position: Some(n.into()),
        }]);
        rec
    };
    let records = vec![
        in_series(
            Rec::new(1, "One").categories(&["Fiction / General"]),
            "Saga",
            "1",
        ),
        in_series(
            Rec::new(2, "Two").categories(&["Fiction / Fantasy"]),
            "Saga",
            "2",
        ),
        in_series(
            Rec::new(3, "Three")
                .categories(&["Pirates--Fiction"])
                .mature(),
            "Saga",
            "3",
        ),
        Rec::new(4, "Four").categories(&["History"]),
        Rec::new(5, "Five"),
    ];
    let index = index_of(&records);
    let saga = series_id("Saga");
    let all = index.browse(Browse::Series(&saga), 0, 40, None).unwrap();
    assert_eq!(all.total, 3);
    let page = index.browse(Browse::Series(&saga), 1, 1, None).unwrap();
    assert_eq!(page.hits.len(), 1);
    assert_eq!(page.hits[0].id, all.hits[1].id);
    let mild = index
        .browse(
            Browse::Series(&saga),
            0,
            40,
            Some(MaturityRating::NotMature),
        )
        .unwrap();
    assert_eq!(mild.total, 2);
    assert_eq!(index.browse(Browse::All, 0, 0, None).unwrap().total, 5);

    assert_eq!(
        index.topics(10).unwrap(),
        vec![
            ("Fiction".to_owned(), 2),
            ("History".to_owned(), 1),
            ("Pirates".to_owned(), 1)
        ]
    );
    assert_eq!(index.topics(1).unwrap(), vec![("Fiction".to_owned(), 2)]);
    let fiction = index
        .browse(
            Browse::Topics(&["Fiction".to_owned(), "History".to_owned()]),
            0,
            40,
            None,
        )
        .unwrap();
    assert_eq!(fiction.total, 3);

    // A deleted volume no longer counts, though its terms stay until segments merge.
    let mut updater = index.updater_with(TEST_MEMORY, 1).unwrap();
    updater.delete(&id(4)).unwrap();
    updater.commit().unwrap();
    assert_eq!(
        index.topics(10).unwrap(),
        vec![("Fiction".to_owned(), 2), ("Pirates".to_owned(), 1)]
    );
    assert_eq!(
        index.topic_names().unwrap(),
        ["Fiction", "History", "Pirates"]
    );
}
