//! Uploading one's own EPUB through the "Your books" web form in a real headless Chromium:
//! sign up, choose the file, upload, wait for processing, open it in the reader, delete it.
//! Screenshots are kept in `COLOPHON_TEST_ARTEFACTS` (or `<target>/test-artefacts/uploads-*.png`).

use crate::oauth_browser::{Chromium, Page};
use crate::oauth_support::PASSWORD;
use crate::support::{shared_dir, TestApp};

async fn screenshot(page: &mut Page, name: &str) {
    crate::oauth_browser::screenshot(page, &format!("uploads-{name}.png"), true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_through_the_web_form_in_headless_chromium() {
    let Some(binary) = crate::oauth_browser::chromium_or_skip("uploads browser test") else {
        return;
    };
    let app = TestApp::spawn(Default::default()).await;
    let chromium = Chromium::launch(&binary).await;
    let mut page = Page::open(&chromium.ws_url).await;
    let base = app.base_url.clone();

    // Signed out, the page sends the browser to sign in (and up) first.
    page.navigate(&format!("{base}/account/uploads")).await;
    page.wait_for("the sign-in page", "location.pathname === '/signin'")
        .await;
    page.eval("document.querySelector('a[href^=\"/signup\"]').click()")
        .await;
    page.wait_for("the sign-up page", "location.pathname === '/signup'")
        .await;
    page.eval(&format!(
        "document.getElementById('email').value = 'reader@example.org';\
         document.getElementById('password').value = '{PASSWORD}';\
         document.getElementById('submit').click(); true"
    ))
    .await;
    page.wait_for(
        "the uploads page",
        "location.pathname === '/account/uploads'",
    )
    .await;
    assert_eq!(
        page.eval("document.body.innerText.includes('You have not uploaded any book yet')")
            .await,
        true
    );

    // Choose the file as a person would, through the file input, and submit the form.
    let epub = shared_dir().join("data/standard-ebooks/epub/bram-stoker_dracula.epub");
    let epub = epub.canonicalize().expect("the Dracula EPUB");
    let doc = page.call("DOM.getDocument", serde_json::json!({})).await;
    let input = page
        .call(
            "DOM.querySelector",
            serde_json::json!({"nodeId": doc["root"]["nodeId"], "selector": "#file"}),
        )
        .await;
    page.call(
        "DOM.setFileInputFiles",
        serde_json::json!({"nodeId": input["nodeId"], "files": [epub.display().to_string()]}),
    )
    .await;
    screenshot(&mut page, "chosen").await;
    page.eval(
        "document.querySelector('form[enctype=\"multipart/form-data\"] button').click(); true",
    )
    .await;
    page.wait_for(
        "the upload's confirmation",
        "document.body.innerText.includes('Uploaded “bram-stoker_dracula”')",
    )
    .await;

    // Processing runs in the background: reload until the row says Ready.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        page.navigate(&format!("{base}/account/uploads")).await;
        page.wait_for(
            "the uploads page",
            "document.querySelector('tbody') !== null",
        )
        .await;
        let state = page
            .eval("document.querySelector('tbody .state').textContent")
            .await;
        if state == "Ready" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still {state}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(
        page.eval("document.querySelector('tbody td.app').textContent")
            .await,
        "Dracula"
    );
    screenshot(&mut page, "ready").await;
    let volume_id = page
        .eval("document.querySelector('tbody tr').dataset.volumeId")
        .await
        .as_str()
        .unwrap()
        .to_owned();

    // The reader opens the private book for its owner.
    page.eval("document.querySelector('tbody a[href^=\"/books/reader\"]').click(); true")
        .await;
    page.wait_for("the reader", "location.pathname === '/books/reader'")
        .await;
    page.wait_for(
        "the book's text",
        "document.body.innerText.includes('Dracula')",
    )
    .await;
    screenshot(&mut page, "reader").await;

    // Nobody else can: the same reader address without the owner's session is a 404.
    let other = app.get(&format!("/books/reader?id={volume_id}"), &[]).await;
    assert_eq!(other.status, 404);

    // Delete it from the page.
    page.navigate(&format!("{base}/account/uploads")).await;
    page.wait_for(
        "the uploads page",
        "document.querySelector('tbody') !== null",
    )
    .await;
    page.eval("document.querySelector('tbody form button').click(); true")
        .await;
    page.wait_for(
        "the deletion",
        "document.body.innerText.includes('Deleted.') && document.querySelector('tbody') === null",
    )
    .await;
    screenshot(&mut page, "deleted").await;
}
