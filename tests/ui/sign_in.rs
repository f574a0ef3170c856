//! Signing in to a sandbox-backed Custom environment, and signing out.

use super::harness::{TestApp, runtime};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use propdesk::api::EnvironmentKind;
use propdesk::sandbox::{self, Sandbox, SandboxConfig};
use propdesk::store::SecretStore;
use propdesk::store::keyring::{SERVICE, SecretKind, entry_user};
use propdesk::ui::StartEnvironment;

/// A second sandbox for the Custom environment, and the app with the form filled in.
fn custom_form(password: &str, remember: bool) -> (TestApp, Sandbox) {
    custom_form_with(password, remember, None)
}

fn custom_form_with(password: &str, remember: bool, store: Option<SecretStore>) -> (TestApp, Sandbox) {
    let runtime = runtime();
    let sandbox = runtime.block_on(Sandbox::start(SandboxConfig::for_tests())).expect("sandbox");
    let mut app = TestApp::start_full(StartEnvironment::SignedOut, runtime, store);
    app.harness.get_by_label("Custom").click();
    app.wait_for_text("LIVE URL");
    app.type_into("LIVE URL", &sandbox.live_url());
    app.type_into("DEMO URL", &sandbox.demo_url());
    app.type_into("Username", sandbox::ADMIN_NAME);
    app.type_into("Password", password);
    app.type_into("API key name", sandbox::APP_ID);
    app.type_into("Key ID", sandbox::CID);
    app.type_into("Secret", sandbox::SECRET);
    if remember {
        app.harness.get_by_label("Remember on this computer").click();
        app.harness.step();
    }
    (app, sandbox)
}

fn has_entry(app: &TestApp, kind: SecretKind) -> bool {
    use keyring_core::api::CredentialStoreApi;
    let user = entry_user(EnvironmentKind::Custom, sandbox::ADMIN_NAME, kind);
    app.mock.build(SERVICE, &user, None).expect("entry").get_password().is_ok()
}

#[test]
fn wrong_credentials_show_the_servers_error_beside_the_form() {
    let (mut app, _sandbox) = custom_form("not-the-password", false);
    app.harness.get_by_role_and_label(Role::Button, "Sign in").click();
    app.wait_for_text("Incorrect username or password");
    // Beside the form, which is still there to correct.
    assert!(app.harness.query_by_label("Password").is_some());
    assert!(app.harness.query_by_label_contains("Custom ·").is_none(), "not signed in");
}

#[test]
fn correct_credentials_sign_in_and_the_top_bar_shows_the_user() {
    let (mut app, sandbox) = custom_form(sandbox::ADMIN_PASSWORD, false);
    app.harness.get_by_role_and_label(Role::Button, "Sign in").click();
    let badge = format!("Custom · {}", sandbox.addr());
    app.wait_for_text(&badge);
    app.wait_for_text("Signed in as");
    assert!(app.harness.query_all_by_label("demofirm_admin").count() >= 2, "top bar and connection card");
    app.wait_for("the firm's plan", |h| h.query_by_label("DEMOFIRM_MONTHLY").is_some());
    // Not remembered: nothing in the keyring.
    assert!(!has_entry(&app, SecretKind::ApiSecret));
}

#[test]
fn remember_saves_to_the_keyring_and_sign_out_clears_it() {
    let (mut app, _sandbox) = custom_form(sandbox::ADMIN_PASSWORD, true);
    app.harness.get_by_role_and_label(Role::Button, "Sign in").click();
    app.wait_for_text("remembered in test keyring");
    for kind in [SecretKind::Password, SecretKind::ApiSecret, SecretKind::Token] {
        assert!(has_entry(&app, kind), "{kind:?} saved");
    }
    // Settings writes are debounced and run off the UI thread: wait for this sign-in's.
    let path = app.dir.path().join("settings.json");
    app.wait_for("the settings file to name the login", move |_| {
        std::fs::read_to_string(&path).is_ok_and(|s| s.contains(&format!("\"username\": \"{}\"", sandbox::ADMIN_NAME)))
    });
    let settings = std::fs::read_to_string(app.dir.path().join("settings.json")).expect("settings");
    assert!(!settings.contains(sandbox::SECRET) && !settings.contains(sandbox::ADMIN_PASSWORD), "{settings}");
    app.harness.get_by_label("Sign out").click();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while SecretKind::ALL.iter().any(|&k| has_entry(&app, k)) {
        assert!(std::time::Instant::now() < deadline, "sign-out left keyring entries");
        app.harness.step();
        std::thread::sleep(std::time::Duration::from_millis(15));
    }
    app.wait_for_text("Signed out of Custom");
}

#[test]
fn without_a_keyring_remember_says_so_plainly_and_the_session_continues() {
    let no_keyring = SecretStore::unavailable("no D-Bus session bus");
    let (mut app, _sandbox) = custom_form_with(sandbox::ADMIN_PASSWORD, true, Some(no_keyring));
    app.harness.get_by_role_and_label(Role::Button, "Sign in").click();
    app.wait_for_text("No system keyring is available on this computer; you will need to sign in again next time");
    assert!(app.harness.query_by_label("Signed in as").is_some(), "signed in for this session");
    app.wait_for("the firm's plan", |h| h.query_by_label("DEMOFIRM_MONTHLY").is_some());
}

#[test]
fn the_next_start_signs_in_with_what_the_keyring_remembered() {
    // First launch: sign in with "Remember on this computer".
    let (mut first, sandbox) = custom_form(sandbox::ADMIN_PASSWORD, true);
    first.harness.get_by_role_and_label(Role::Button, "Sign in").click();
    first.wait_for_text("remembered in test keyring");
    let settings = first.dir.path().join("settings.json");
    first.wait_for("the settings file to name Custom", move |_| {
        std::fs::read_to_string(&settings).is_ok_and(|s| s.contains("\"last_environment\": \"Custom\""))
    });
    let TestApp { harness, mock, dir, _runtime } = first;
    drop(harness);
    // Second launch on the same settings and keyring: no typing.
    let runtime = runtime();
    let mut second = TestApp::start_in(dir, mock, StartEnvironment::LastUsed, runtime, None);
    second.wait_for_text(&format!("Custom · {}", sandbox.addr()));
    second.wait_for_text("remembered in test keyring");
    second.wait_for("the firm's plan", |h| h.query_by_label("DEMOFIRM_MONTHLY").is_some());
    drop(_runtime);
}

/// Clear text only to this computer; the agreement alert id must be a number. Both are
/// said beside the form, and nothing is sent.
#[test]
fn a_custom_environment_refuses_plain_http_elsewhere_and_a_bad_alert_id() {
    let mut app = TestApp::start(StartEnvironment::SignedOut);
    app.harness.get_by_label("Custom").click();
    app.wait_for_text("Agreement alert id");
    app.type_into("LIVE URL", "http://tradovate-proxy.example.com/v1");
    app.type_into("DEMO URL", "https://tradovate-proxy.example.com/demo/v1");
    app.harness.get_by_role_and_label(Role::Button, "Sign in").click();
    app.wait_for_text(
        "LIVE URL must start with https://: http:// would send passwords unencrypted to tradovate-proxy.example.com",
    );
    app.type_into("Agreement alert id", "x");
    app.harness.get_by_role_and_label(Role::Button, "Sign in").click();
    app.wait_for_text("Agreement alert id must be a whole number: 70 for Tradovate's staging hosts, 68 for production");
    assert!(app.harness.query_by_label_contains("Custom ·").is_none(), "not signed in");
}
