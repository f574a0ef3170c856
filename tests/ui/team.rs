//! The window on a team's shared PostgreSQL journal (issue 14): what another admin
//! wrote there is on this window's board. Skips without a test server, like the
//! journal suite (`PROPDESK_TEST_POSTGRES_URL`).

use super::harness::{TestApp, onboard_one_trader, runtime};
use egui_kittest::kittest::Queryable;
use propdesk::api::Environment;
use propdesk::onboarding::journal::test_database::fresh_postgres_journal;
use propdesk::onboarding::journal::{Author, Journal};
use propdesk::sandbox::{Sandbox, SandboxConfig};
use propdesk::store::{Paths, SecretStore, Settings, TeamJournalSettings};
use propdesk::subaccount::{DocumentRoute, Registry, RequestStage, Submission, TraderRef};
use propdesk::ui::{StartEnvironment, journal_key};
use std::sync::Arc;

#[test]
fn a_window_on_the_team_journal_shows_the_trader_another_admin_onboarded() {
    let Some(url) = fresh_postgres_journal("window_team") else { return };
    let runtime = runtime();
    let sandbox = runtime.block_on(Sandbox::start(SandboxConfig::for_tests())).expect("sandbox");

    // Anna onboards a trader from her machine into the team journal.
    let custom = Environment::custom(&sandbox.live_url(), &sandbox.demo_url(), None);
    let annas = Journal::open_postgres(&url, &journal_key(&custom)).expect("team journal");
    let annas = Arc::new(annas.with_author(Author { user: "anna".into(), host: "ops-laptop".into() }));
    let name = runtime.block_on(onboard_one_trader(&sandbox, &annas, "TEAM"));
    // ...and sent a subaccount request for another, recorded in the team's registry.
    let annas_registry = Registry::open_postgres(&url, &journal_key(&custom)).expect("team registry");
    let trader = TraderRef { cta_user_id: 4242, display_name: "Priya Teamshared".into() };
    let sent = Submission::new("annas-draft", trader, DocumentRoute::UploadAfterCreate, RequestStage::Submitted);
    annas_registry.save(&sent).expect("saved");

    // Ben's window: the URL in the settings, the password in the keyring, as Setup saves them.
    let dir = tempfile::tempdir().expect("temp dir");
    let (team, password) = TeamJournalSettings::from_typed_url(&url);
    assert!(password.is_some(), "the test server's URL carries a password");
    let mock = keyring_core::mock::Store::new().expect("mock keyring");
    let secrets = SecretStore::with_store(mock.clone(), "test keyring");
    secrets.set_team_journal_password(&team.url, password.as_ref().unwrap()).expect("keyring");
    let settings_file = Paths::in_dir(dir.path()).settings_file();
    Settings { team_journal: Some(team), ..Settings::default() }.save(&settings_file).expect("settings");

    let mut app = TestApp::start_in(dir, mock, StartEnvironment::SignedOut, runtime, None);
    app.sign_in_to_custom(&sandbox);
    app.wait_for_text("Signed in as");
    app.click_nav("Pipeline");
    let wanted = name.clone();
    app.wait_for("anna's trader on ben's board", move |h| h.query_by_label(&wanted).is_some());
    app.click_nav("Subaccounts");
    app.wait_for("anna's subaccount request on ben's list", |h| h.query_by_label("Priya Teamshared").is_some());

    let saved = std::fs::read_to_string(&settings_file).expect("settings file");
    assert!(!saved.contains("propdesk-ci"), "the database password stays out of the settings file: {saved}");
}
