//! The update check against a manifest served on loopback: newer, equal, malformed.

use super::manifest_server::ManifestServer;
use propdesk::update::{CheckError, Version, check, check::http_client, current_version};

#[tokio::test]
async fn a_newer_manifest_is_reported_with_its_notes_link() {
    let server = ManifestServer::with_version("99.1.0").await;
    let found = check(&http_client(), &server.url, &current_version()).await.unwrap().expect("an update");
    assert_eq!(found.version, Version::parse("99.1.0").unwrap());
    assert_eq!(found.notes_url, "https://example.com/propdesk/99.1.0");
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn the_same_or_an_older_version_is_no_update() {
    let current = current_version();
    let equal = ManifestServer::with_version(&current.to_string()).await;
    assert_eq!(check(&http_client(), &equal.url, &current).await, Ok(None));
    let older = ManifestServer::with_version("0.0.1").await;
    assert_eq!(check(&http_client(), &older.url, &current).await, Ok(None));
    // A pre-release of this version is older than it.
    let pre = ManifestServer::with_version(&format!("{current}-rc.1")).await;
    assert_eq!(check(&http_client(), &pre.url, &current).await, Ok(None));
}

#[tokio::test]
async fn a_malformed_manifest_or_a_server_error_is_an_error_not_an_update() {
    let client = http_client();
    let current = current_version();
    for body in [
        "<html>maintenance</html>",
        r#"{"version":"next","notes_url":"https://e.com"}"#,
        r#"{"version":"99.0.0","notes_url":"javascript:x"}"#,
    ] {
        let server = ManifestServer::start(200, body).await;
        let result = check(&client, &server.url, &current).await;
        assert!(matches!(result, Err(CheckError::Malformed(_))), "{body}: {result:?}");
    }
    let down = ManifestServer::start(503, "").await;
    assert_eq!(check(&client, &down.url, &current).await, Err(CheckError::Status(503)));
    let huge = ManifestServer::start(200, &" ".repeat(200_000)).await;
    let result = check(&client, &huge.url, &current).await;
    assert!(matches!(&result, Err(CheckError::Malformed(m)) if m.contains("more than")), "{result:?}");
}
