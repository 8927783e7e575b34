//! The standard parameters: key forms, fields, prettyPrint, callback, ETag, gzip, and the
//! volumes.list contract (no `items` when empty, identifiers, filters).

use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_as_header_and_output_options() {
    let app = TestApp::demo().await;
    let reply = app
        .get(
            "/books/v1/volumes?q=dracula",
            &[("x-goog-api-key", &app.key)],
        )
        .await;
    assert_eq!(reply.status, 200);
    let text = String::from_utf8(reply.body.clone()).unwrap();
    assert!(
        text.starts_with("{\n  \"kind\": \"books#volumes\",\n  \"totalItems\": "),
        "{text}"
    );
    assert!(
        text.contains("\\u003cb\\u003e"),
        "snippets escape <b> as \\u003cb\\u003e: {text}"
    );
    assert!(!text.contains('<'));

    let compact = app
        .get_keyed("/books/v1/volumes?q=dracula&prettyPrint=false")
        .await;
    assert!(!compact.body.contains(&b'\n'));
    assert_eq!(compact.json(), reply.json());

    let fields = app
        .get_keyed("/books/v1/volumes?q=dracula&fields=kind,items(id,volumeInfo/title)")
        .await
        .json();
    let obj = fields.as_object().unwrap();
    assert_eq!(obj.keys().collect::<Vec<_>>(), ["kind", "items"]);
    assert_eq!(
        fields["items"][0]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["id", "volumeInfo"]
    );
    assert_eq!(
        fields["items"][0]["volumeInfo"].as_object().unwrap().len(),
        1
    );

    let isbnlib = "items/volumeInfo(title,subtitle,authors,publisher,publishedDate,language,industryIdentifiers,description,imageLinks)";
    let none = app
        .get_keyed(&format!(
            "/books/v1/volumes?q=zzzqqqxxx&fields={isbnlib}&maxResults=1"
        ))
        .await;
    assert_eq!(none.status, 200);
    assert_eq!(none.json(), serde_json::json!({}));

    let jsonp = app
        .get_keyed("/books/v1/volumes?q=dracula&callback=handle.books")
        .await;
    assert_eq!(
        jsonp.header("content-type"),
        Some("text/javascript; charset=UTF-8")
    );
    let body = String::from_utf8(jsonp.body).unwrap();
    assert!(
        body.starts_with("// API callback\nhandle.books(") && body.ends_with(");"),
        "{body}"
    );

    for ok in [
        "alt=json",
        "quotaUser=user-1",
        "%24.xgafv=2",
        "source=test",
        "partner=p",
    ] {
        assert_eq!(
            app.get_keyed(&format!("/books/v1/volumes?q=dracula&{ok}"))
                .await
                .status,
            200,
            "{ok}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn etag_gzip_and_caching_headers() {
    let app = TestApp::demo().await;
    let url = format!("/books/v1/volumes?q=frankenstein&key={}", app.key);
    let first = app.get(&url, &[]).await;
    let etag = first.header("etag").expect("ETag").to_owned();
    assert_eq!(first.header("cache-control"), Some("private"));
    let again = app.get(&url, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let other = app
        .get(&url, &[("if-none-match", "\"something-else\"")])
        .await;
    assert_eq!(other.status, 200);
    let gz = app.get(&url, &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz.status, 200);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_contract() {
    let app = TestApp::demo().await;
    let none = app.get_keyed("/books/v1/volumes?q=zzzqqqxxx").await.json();
    assert_eq!(
        none,
        serde_json::json!({"kind": "books#volumes", "totalItems": 0})
    );

    let page = app
        .get_keyed("/books/v1/volumes?q=frankenstein")
        .await
        .json();
    let first = &page["items"][0];
    assert_eq!(first["volumeInfo"]["title"], "Frankenstein");
    let id = first["id"].as_str().unwrap();
    assert_eq!(id.len(), 12);
    let keys: Vec<_> = first.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "kind",
            "id",
            "etag",
            "selfLink",
            "volumeInfo",
            "saleInfo",
            "accessInfo",
            "searchInfo"
        ]
    );
    let preview = first["volumeInfo"]["previewLink"].as_str().unwrap();
    assert!(
        preview.contains("&dq=frankenstein") && preview.contains("&cd=1&"),
        "{preview}"
    );

    // The volume id as a plain term finds it, in any case.
    let by_id = app
        .get_keyed(&format!("/books/v1/volumes?q={}", id.to_ascii_lowercase()))
        .await
        .json();
    assert!(by_id["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["id"] == id));

    // A different-case id is a different volume for volumes.get.
    let swapped: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_uppercase() {
                c.to_ascii_lowercase()
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect();
    if swapped != id {
        assert_eq!(
            app.get_keyed(&format!("/books/v1/volumes/{swapped}"))
                .await
                .status,
            404
        );
    }

    let magazines = app
        .get_keyed("/books/v1/volumes?q=monthly&printType=magazines&maxResults=40")
        .await
        .json();
    for v in magazines["items"].as_array().expect("magazines") {
        assert_eq!(v["volumeInfo"]["printType"], "MAGAZINE");
    }
    let fr = app
        .get_keyed("/books/v1/volumes?q=hugo&langRestrict=fr")
        .await
        .json();
    for v in fr["items"].as_array().expect("french") {
        assert_eq!(v["volumeInfo"]["language"], "fr");
    }
    let paid = app
        .get_keyed("/books/v1/volumes?q=dickens&filter=paid-ebooks")
        .await
        .json();
    assert_eq!(paid["totalItems"], 0);
    let free = app
        .get_keyed("/books/v1/volumes?q=dickens&filter=free-ebooks&download=epub")
        .await
        .json();
    assert!(free["totalItems"].as_u64().unwrap() > 0);
    // Both demo Decamerons are rated MATURE: `not-mature` must drop exactly those.
    let all = app
        .get_keyed("/books/v1/volumes?q=boccaccio&maxResults=40")
        .await
        .json();
    let rated: Vec<_> = all["items"]
        .as_array()
        .expect("boccaccio")
        .iter()
        .map(|v| v["volumeInfo"]["maturityRating"].clone())
        .collect();
    assert!(rated.contains(&serde_json::json!("MATURE")), "{rated:?}");
    let kept = app
        .get_keyed(
            "/books/v1/volumes?q=boccaccio&maxResults=40&maxAllowedMaturityRating=not-mature",
        )
        .await
        .json();
    let kept_items = kept
        .get("items")
        .and_then(|i| i.as_array())
        .cloned()
        .unwrap_or_default();
    assert!(
        kept_items
            .iter()
            .all(|v| v["volumeInfo"]["maturityRating"] != "MATURE"),
        "{kept}"
    );
    let mature = rated.iter().filter(|r| *r == "MATURE").count();
    assert_eq!(
        kept["totalItems"].as_u64().unwrap() as usize,
        rated.len() - mature
    );
    let empty_page = app
        .get_keyed("/books/v1/volumes?q=frankenstein&maxResults=0")
        .await
        .json();
    assert!(empty_page.get("items").is_none());
    assert!(empty_page["totalItems"].as_u64().unwrap() >= 1);
    let beyond = app
        .get_keyed("/books/v1/volumes?q=frankenstein&startIndex=100000")
        .await
        .json();
    assert!(beyond.get("items").is_none());

    let lite = app
        .get_keyed(&format!("/books/v1/volumes/{id}?projection=lite"))
        .await
        .json();
    let info: Vec<_> = lite["volumeInfo"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert!(
        !info.contains(&"language".to_owned()) && info.contains(&"title".to_owned()),
        "{info:?}"
    );
}
