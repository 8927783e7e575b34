//! Bad requests get Google's error bodies, never a panic or a 500.

use crate::support::{Options, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parameter_errors() {
    let app = TestApp::demo().await;
    let v = app
        .get_keyed("/books/v1/volumes?q=")
        .await
        .assert_error(400, "queryRequired");
    assert_eq!(v["error"]["message"], "Missing query.");
    assert_eq!(v["error"]["errors"][0]["location"], "q");
    assert_eq!(v["error"]["errors"][0]["locationType"], "parameter");
    app.get_keyed("/books/v1/volumes?q=%20%20")
        .await
        .assert_error(400, "queryRequired");
    let v = app
        .get_keyed("/books/v1/volumes")
        .await
        .assert_error(400, "required");
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
        let reply = app
            .get_keyed(&format!("/books/v1/volumes?q=dracula&{bad}"))
            .await;
        let param = bad.split('=').next().unwrap();
        let v = reply.assert_error(400, "invalid");
        assert_eq!(v["error"]["errors"][0]["location"], param, "{bad}: {v}");
        assert_eq!(v["error"]["status"], "INVALID_ARGUMENT");
    }
    let v = app
        .get_keyed("/books/v1/volumes?q=dracula&maxResults=41")
        .await
        .json();
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Values must be within the range: [0, 40]"));
    app.get_keyed("/books/v1/volumes?q=dracula&fields=items(")
        .await
        .assert_error(400, "invalidParameter");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caller_errors() {
    let app = TestApp::demo().await;
    let v = app
        .get("/books/v1/volumes?q=dracula", &[])
        .await
        .assert_error(403, "forbidden");
    assert_eq!(v["error"]["status"], "PERMISSION_DENIED");
    app.get("/books/v1/volumes?q=dracula&key=", &[])
        .await
        .assert_error(403, "forbidden");
    let v = app
        .get("/books/v1/volumes?q=dracula&key=AIzaWrong", &[])
        .await
        .assert_error(400, "badRequest");
    assert_eq!(
        v["error"]["message"],
        "API key not valid. Please pass a valid API key."
    );
    assert_eq!(v["error"]["details"][0]["reason"], "API_KEY_INVALID");
    assert_eq!(
        v["error"]["details"][0]["@type"],
        "type.googleapis.com/google.rpc.ErrorInfo"
    );
    for headers in [
        &[("authorization", "Bearer abc")][..],
        &[("authorization", "Basic Zm9vOmJhcg==")][..],
    ] {
        let reply = app
            .get(
                &format!("/books/v1/volumes?q=dracula&key={}", app.key),
                headers,
            )
            .await;
        reply.assert_error(401, "authError");
        assert!(reply
            .header("www-authenticate")
            .is_some_and(|h| h.starts_with("Bearer")));
    }
    app.get("/books/v1/volumes?q=dracula&access_token=abc", &[])
        .await
        .assert_error(401, "authError");
    app.get("/books/v1/volumes?q=dracula&oauth_token=abc", &[])
        .await
        .assert_error(401, "authError");
    app.get_keyed("/books/v1/volumes?q=dracula&libraryRestrict=my-library")
        .await
        .assert_error(401, "required");

    // A revoked key stops working (the cache is cleared by the revoking process).
    let created = app.backend.keys.create("short-lived").await.unwrap();
    let url = format!("/books/v1/volumes?q=dracula&key={}", created.key);
    assert_eq!(app.get(&url, &[]).await.status, 200);
    assert!(app.backend.keys.revoke(&created.record.id).await.unwrap());
    app.get(&url, &[]).await.assert_error(400, "badRequest");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_access_when_configured() {
    let app = TestApp::spawn(Options {
        demo: true,
        anonymous_access: true,
        ..Options::default()
    })
    .await;
    assert_eq!(
        app.get("/books/v1/volumes?q=dracula", &[]).await.status,
        200
    );
    // A wrong key is still wrong.
    app.get("/books/v1/volumes?q=dracula&key=nope", &[])
        .await
        .assert_error(400, "badRequest");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routing_errors() {
    let app = TestApp::demo().await;
    let v = app
        .get_keyed("/books/v1/nope")
        .await
        .assert_error(404, "notFound");
    assert_eq!(v["error"]["status"], "NOT_FOUND");
    app.get("/", &[]).await.assert_error(404, "notFound");
    let reply = app
        .request(
            "DELETE",
            &format!("/books/v1/volumes?q=x&key={}", app.key),
            &[],
            bytes::Bytes::new(),
        )
        .await;
    reply.assert_error(405, "httpMethodNotAllowed");
    // An oversized body is refused from its declared length, before it is read: send only the
    // head, as a client waiting for `100 Continue` would.
    let (status, body) = raw_exchange(
        &app.base_url,
        "POST /books/v1/volumes HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 2097152\r\nexpect: 100-continue\r\n\r\n",
    )
    .await;
    assert_eq!(status, 413, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON error body");
    assert_eq!(v["error"]["errors"][0]["reason"], "uploadTooLarge");
    let v = app
        .get_keyed("/books/v1/volumes/AAAAAAAAAAAA")
        .await
        .assert_error(404, "notFound");
    assert_eq!(v["error"]["message"], "The volume ID could not be found.");
    app.get_keyed("/books/v1/volumes/short")
        .await
        .assert_error(404, "notFound");
    app.get_keyed("/books/v1/volumes/%00%01%02%03%04%05%06%07%08%09%0a%0b")
        .await
        .assert_error(404, "notFound");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_queries_never_fail() {
    let app = TestApp::demo().await;
    let long = "a".repeat(2000);
    for q in [
        "%22",
        "-",
        "--",
        "intitle%3A",
        "isbn%3A",
        "isbn%3Anot-an-isbn",
        "%22unbalanced",
        "(",
        ")",
        "*",
        "%5C",
        "%F0%9F%93%9A",
        "%00",
        "a%22b%22c",
        "-intitle%3Adracula",
        "lccn%3A",
        "oclc%3A%22%22",
        "subject%3A%22%22",
        long.as_str(),
    ] {
        let reply = app.get_keyed(&format!("/books/v1/volumes?q={q}")).await;
        assert_eq!(
            reply.status,
            200,
            "q={q}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        assert_eq!(reply.json()["kind"], "books#volumes");
    }
    let reply = app
        .get_keyed(&format!("/books/v1/volumes?q={}", "a".repeat(3000)))
        .await;
    reply.assert_error(400, "invalid");
}

/// Writes `head` on a fresh connection and reads one response: status and body.
async fn raw_exchange(base_url: &str, head: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let addr = base_url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .expect("response in time")
            .expect("read");
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len = head.lines().find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
            });
            if len.is_some_and(|len| body.len() >= len) {
                break;
            }
        }
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}
