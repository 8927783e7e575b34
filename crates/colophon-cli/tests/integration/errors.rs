//! Bad requests get Google's error bodies, never a panic or a 500.

use crate::support::{Options, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parameter_errors() {
    let app = TestApp::demo().await;
    let v = app.get_keyed("/books/v1/volumes?q=").await.assert_error(400, "queryRequired");
    assert_eq!(v["error"]["message"], "Missing query.");
    assert_eq!(v["error"]["errors"][0]["location"], "q");
    assert_eq!(v["error"]["errors"][0]["locationType"], "parameter");
    app.get_keyed("/books/v1/volumes?q=%20%20").await.assert_error(400, "queryRequired");
    let v = app.get_keyed("/books/v1/volumes").await.assert_error(400, "required");
    assert_eq!(v["error"]["message"], "Required parameter: q");
    for bad in [
        "maxResults=41",
        "maxResults=-1",
        "maxResults=ten",
        "startIndex=-5",
        "orderBy=oldest",
        "printType=comics",
        "projection=medium",
        "filter=cheap",
        "download=pdf",
        "maxAllowedMaturityRating=adult",
        "langRestrict=e%20n",
        "showPreorders=maybe",
        "prettyPrint=perhaps",
        "alt=xml",
        "callback=alert(1)",
        "country=USA",
    ] {
        let reply = app.get_keyed(&format!("/books/v1/volumes?q=dracula&{bad}")).await;
        let param = bad.split('=').next().unwrap();
        let v = reply.assert_error(400, "invalid");
        assert_eq!(v["error"]["errors"][0]["location"], param, "{bad}: {v}");
        assert_eq!(v["error"]["status"], "INVALID_ARGUMENT");
    }
    let v = app.get_keyed("/books/v1/volumes?q=dracula&maxResults=41").await.json();
    assert!(v["error"]["message"].as_str().unwrap().contains("Values must be within the range: [0, 40]"));
    app.get_keyed("/books/v1/volumes?q=dracula&fields=items(").await.assert_error(400, "invalidParameter");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caller_errors() {
    let app = TestApp::demo().await;
    let v = app.get("/books/v1/volumes?q=dracula", &[]).await.assert_error(403, "forbidden");
    assert_eq!(v["error"]["status"], "PERMISSION_DENIED");
    app.get("/books/v1/volumes?q=dracula&key=", &[]).await.assert_error(403, "forbidden");
    let v = app.get("/books/v1/volumes?q=dracula&key=AIzaWrong", &[]).await.assert_error(400, "badRequest");
    assert_eq!(v["error"]["message"], "API key not valid. Please pass a valid API key.");
    assert_eq!(v["error"]["details"][0]["reason"], "API_KEY_INVALID");
    assert_eq!(v["error"]["details"][0]["@type"], "type.googleapis.com/google.rpc.ErrorInfo");
    for headers in [&[("authorization", "Bearer abc")][..], &[("authorization", "Basic Zm9vOmJhcg==")][..]] {
        let reply = app.get(&format!("/books/v1/volumes?q=dracula&key={}", app.key), headers).await;
        reply.assert_error(401, "authError");
        assert!(reply.header("www-authenticate").is_some_and(|h| h.starts_with("Bearer")));
    }
    app.get("/books/v1/volumes?q=dracula&access_token=abc", &[]).await.assert_error(401, "authError");
    app.get("/books/v1/volumes?q=dracula&oauth_token=abc", &[]).await.assert_error(401, "authError");
    app.get_keyed("/books/v1/volumes?q=dracula&libraryRestrict=my-library").await.assert_error(401, "required");

    // A revoked key stops working (the cache is cleared by the revoking process).
    let created = app.backend.keys.create("short-lived").await.unwrap();
    let url = format!("/books/v1/volumes?q=dracula&key={}", created.key);
    assert_eq!(app.get(&url, &[]).await.status, 200);
    assert!(app.backend.keys.revoke(&created.record.id).await.unwrap());
    app.get(&url, &[]).await.assert_error(400, "badRequest");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_access_when_configured() {
    let app = TestApp::spawn(Options { demo: true, anonymous_access: true, ..Options::default() }).await;
    assert_eq!(app.get("/books/v1/volumes?q=dracula", &[]).await.status, 200);
    // A wrong key is still wrong.
    app.get("/books/v1/volumes?q=dracula&key=nope", &[]).await.assert_error(400, "badRequest");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routing_errors() {
    let app = TestApp::demo().await;
    let v = app.get_keyed("/books/v1/nope").await.assert_error(404, "notFound");
    assert_eq!(v["error"]["status"], "NOT_FOUND");
    app.get("/", &[]).await.assert_error(404, "notFound");
    let reply = app.request("DELETE", &format!("/books/v1/volumes?q=x&key={}", app.key), &[], bytes::Bytes::new()).await;
    reply.assert_error(405, "httpMethodNotAllowed");
    let big = bytes::Bytes::from(vec![b'x'; 2 << 20]);
    let reply = app.request("POST", "/books/v1/volumes", &[("content-type", "application/json")], big).await;
    reply.assert_error(413, "uploadTooLarge");
    let v = app.get_keyed("/books/v1/volumes/AAAAAAAAAAAA").await.assert_error(404, "notFound");
    assert_eq!(v["error"]["message"], "The volume ID could not be found.");
    app.get_keyed("/books/v1/volumes/short").await.assert_error(404, "notFound");
    app.get_keyed("/books/v1/volumes/%00%01%02%03%04%05%06%07%08%09%0a%0b").await.assert_error(404, "notFound");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_queries_never_fail() {
    let app = TestApp::demo().await;
    let long = "a".repeat(2000);
    for q in [
        "%22", "-", "--", "intitle%3A", "isbn%3A", "isbn%3Anot-an-isbn", "%22unbalanced", "(", ")", "*", "%5C", "%F0%9F%93%9A",
        "%00", "a%22b%22c", "-intitle%3Adracula", "lccn%3A", "oclc%3A%22%22", "subject%3A%22%22", long.as_str(),
    ] {
        let reply = app.get_keyed(&format!("/books/v1/volumes?q={q}")).await;
        assert_eq!(reply.status, 200, "q={q}: {}", String::from_utf8_lossy(&reply.body));
        assert_eq!(reply.json()["kind"], "books#volumes");
    }
    let reply = app.get_keyed(&format!("/books/v1/volumes?q={}", "a".repeat(3000))).await;
    reply.assert_error(400, "invalid");
}
