//! The update notice: asked once before any check, shown when the manifest is newer,
//! silent (logged) when it is malformed, and Help → "Check for updates".

use super::harness::{TestApp, runtime};
use crate::manifest_server::ManifestServer;
use egui_kittest::kittest::Queryable;
use propdesk::ui::StartEnvironment;

const QUESTION: &str = "Check for updates?";

/// Starts signed out, checking `server`; `consent` is written to the settings first.
fn start(server: &ManifestServer, runtime: tokio::runtime::Runtime, consent: Option<bool>) -> TestApp {
    let updates = consent.map(|yes| format!(r#"{{"consent":{yes}}}"#));
    start_with_settings(server, runtime, updates)
}

/// Starts signed out, checking `server`, with `updates` as the settings' "updates" section.
fn start_with_settings(server: &ManifestServer, runtime: tokio::runtime::Runtime, updates: Option<String>) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    if let Some(updates) = updates {
        std::fs::write(dir.path().join("settings.json"), format!(r#"{{"updates":{updates}}}"#)).unwrap();
    }
    let mock = keyring_core::mock::Store::new().expect("mock keyring");
    let url = server.url.clone();
    TestApp::start_configured(dir, mock, StartEnvironment::SignedOut, runtime, None, move |config| {
        config.update_url = Some(url);
    })
}

fn settle(app: &mut TestApp) {
    for _ in 0..20 {
        app.harness.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn nothing_is_fetched_before_the_user_says_yes_then_a_newer_release_is_shown() {
    let runtime = runtime();
    let server = runtime.block_on(ManifestServer::with_version("99.1.0"));
    let mut app = start(&server, runtime, None);
    app.wait_for_text(QUESTION);
    settle(&mut app);
    assert_eq!(server.hits(), 0, "no request before the answer");

    app.harness.get_by_label("Check daily").click();
    app.wait_for_text("Propdesk 99.1 is available");
    assert!(app.harness.query_by_label("Release notes").is_some());
    assert!(app.harness.query_by_label_contains(QUESTION).is_none(), "asked once");
    assert_eq!(server.hits(), 1);
    // The answer and the time of the check are kept: the next start does not ask again.
    let settings = app.dir.path().join("settings.json");
    app.wait_for("the settings saved", |_| {
        let saved = std::fs::read_to_string(&settings).unwrap_or_default();
        saved.contains("\"consent\": true") && saved.contains("last_checked")
    });
}

#[test]
fn a_start_within_a_day_of_the_last_check_fetches_nothing() {
    let checked = |hours_ago: i64| {
        let when = chrono::Utc::now() - chrono::Duration::hours(hours_ago);
        Some(format!(r#"{{"consent":true,"last_checked":"{}"}}"#, when.to_rfc3339()))
    };
    let runtime = runtime();
    let server = runtime.block_on(ManifestServer::with_version("99.1.0"));
    let mut app = start_with_settings(&server, runtime, checked(2));
    settle(&mut app);
    assert_eq!(server.hits(), 0, "checked two hours ago");
    assert!(app.harness.query_by_label_contains("is available").is_none());

    let runtime = super::harness::runtime();
    let server = runtime.block_on(ManifestServer::with_version("99.1.0"));
    let mut app = start_with_settings(&server, runtime, checked(25));
    app.wait_for_text("Propdesk 99.1 is available");
    assert_eq!(server.hits(), 1, "checked 25 hours ago: due again");
}

#[test]
fn a_no_is_kept_and_nothing_is_fetched() {
    let runtime = runtime();
    let server = runtime.block_on(ManifestServer::with_version("99.1.0"));
    let mut app = start(&server, runtime, None);
    app.wait_for_text(QUESTION);
    app.harness.get_by_label("Don't check").click();
    app.wait_for("the question gone", |h| h.query_by_label_contains(QUESTION).is_none());
    settle(&mut app);
    assert_eq!(server.hits(), 0);
    assert!(app.harness.query_by_label_contains("is available").is_none());
}

#[test]
fn a_malformed_manifest_shows_no_notice_and_the_window_goes_on() {
    let runtime = runtime();
    let server = runtime.block_on(ManifestServer::start(200, "<html>maintenance</html>"));
    let mut app = start(&server, runtime, Some(true));
    app.wait_for("the daily check", |_| server.hits() == 1);
    settle(&mut app);
    assert!(app.harness.query_by_label_contains("is available").is_none());
    assert!(app.harness.query_by_label_contains("Could not check").is_none(), "the daily check only logs it");
    // The window still works: Help → Check for updates says what went wrong.
    app.harness.get_by_label_contains("Help").click();
    app.wait_for_text("Check for updates");
    app.harness.get_by_label("Check for updates").click();
    app.wait_for_text("Could not check for updates");
    assert_eq!(server.hits(), 2);
}

#[test]
fn help_says_up_to_date_when_the_manifest_names_this_version() {
    let runtime = runtime();
    let server = runtime.block_on(ManifestServer::with_version(env!("CARGO_PKG_VERSION")));
    let mut app = start(&server, runtime, Some(false));
    settle(&mut app);
    assert_eq!(server.hits(), 0, "the daily check is off after a no");
    app.harness.get_by_label_contains("Help").click();
    app.wait_for_text("Check for updates");
    app.harness.get_by_label("Check for updates").click();
    app.wait_for_text(&format!("Propdesk {} is up to date", env!("CARGO_PKG_VERSION")));
    assert!(app.harness.query_by_label_contains("is available").is_none());
}

#[test]
fn without_a_manifest_url_there_is_no_update_ui() {
    let mut app = TestApp::start(StartEnvironment::SignedOut);
    settle(&mut app);
    assert!(app.harness.query_by_label_contains(QUESTION).is_none());
    app.harness.get_by_label_contains("Help").click();
    app.wait_for_text("Open logs folder");
    assert!(app.harness.query_by_label("Check for updates").is_none());
}
