//! The window on a team's shared PostgreSQL journal (issue 14): what another admin
//! wrote there is on this window's board. Skips without a test server, like the
//! journal suite (`PROPDESK_TEST_POSTGRES_URL`).

use super::harness::{TestApp, onboard_one_trader, runtime};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use propdesk::api::{Environment, EnvironmentKind};
use propdesk::onboarding::journal::test_database::fresh_postgres_journal;
use propdesk::onboarding::journal::{Author, Journal};
use propdesk::sandbox::{Sandbox, SandboxConfig};
use propdesk::store::{Paths, SecretStore, Settings, TeamJournalSettings};
use propdesk::ui::{StartEnvironment, journal_key};
use std::sync::Arc;
use std::time::{Duration, Instant};

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

    let saved = std::fs::read_to_string(&settings_file).expect("settings file");
    assert!(!saved.contains("propdesk-ci"), "the database password stays out of the settings file: {saved}");
}

/// A window of an admin on the team journal: settings naming `url` (password in its own
/// mock keyring) with auto-grant off, signed in to `sandbox`, on the Pipeline screen.
fn team_window(url: &str, sandbox: &Sandbox) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let (team, password) = TeamJournalSettings::from_typed_url(url);
    let mock = keyring_core::mock::Store::new().expect("mock keyring");
    let secrets = SecretStore::with_store(mock.clone(), "test keyring");
    secrets.set_team_journal_password(&team.url, password.as_ref().expect("a password")).expect("keyring");
    let mut settings = Settings { team_journal: Some(team), ..Settings::default() };
    // Only the admin's click grants: neither window's watch grants by itself.
    settings.environment_mut(EnvironmentKind::Custom).auto_grant = false;
    settings.save(&Paths::in_dir(dir.path()).settings_file()).expect("settings");
    let mut app = TestApp::start_in(dir, mock, StartEnvironment::SignedOut, runtime(), None);
    app.sign_in_to_custom(sandbox);
    app.wait_for_text("Signed in as");
    app.click_nav("Pipeline");
    app.wait_for_text("Listening for signatures");
    app
}

/// Steps both windows until `done` holds for `window` (20 s at most); the time it took.
fn step_both_until(
    windows: [&mut TestApp; 2],
    what: &str,
    done: impl Fn(&egui_kittest::Harness<'static, propdesk::ui::PropdeskApp>) -> bool,
    window: usize,
) -> Duration {
    let started = Instant::now();
    let [a, b] = windows;
    loop {
        a.harness.step();
        b.harness.step();
        if done(if window == 0 { &a.harness } else { &b.harness }) {
            return started.elapsed();
        }
        assert!(started.elapsed() < Duration::from_secs(20), "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(15));
    }
}

/// Issue 14 item 4: two admins' windows on one team journal; a grant made in one shows
/// on the other's board within seconds, with who made it, without a click there.
#[test]
fn a_grant_made_in_one_window_appears_on_the_other_windows_board_with_who_made_it() {
    let Some(url) = fresh_postgres_journal("two_windows") else { return };
    let runtime = runtime();
    let config = SandboxConfig { signature_delay: Duration::from_millis(300), ..SandboxConfig::for_tests() };
    let sandbox = runtime.block_on(Sandbox::start(config)).expect("sandbox");
    let mut annas = team_window(&url, &sandbox);
    let mut bens = team_window(&url, &sandbox);

    // A trader onboarded (by a run elsewhere) signs; both boards show the signature.
    let custom = Environment::custom(&sandbox.live_url(), &sandbox.demo_url(), None);
    let run = Journal::open_postgres(&url, &journal_key(&custom)).expect("team journal");
    let run = Arc::new(run.with_author(Author { user: "cli".into(), host: "ops-server".into() }));
    let name = runtime.block_on(onboard_one_trader(&sandbox, &run, "LIVE"));
    for window in [0, 1] {
        let wanted = name.clone();
        step_both_until(
            [&mut annas, &mut bens],
            "the signed trader on both boards",
            move |h| h.query_by_label(&wanted).is_some() && h.query_by_label("Agreement signed  1").is_some(),
            window,
        );
    }

    // Anna grants on her board; Ben does nothing.
    annas.harness.get_by_label(&format!("Select {name}")).click();
    annas.wait_for_text("1 selected");
    annas.harness.get_by_role_and_label(Role::Button, "Grant T-Prop now").click();
    annas.wait_for_text("Grant T-Prop to 1 trader?");
    annas.harness.get_by_role_and_label(Role::Button, "Grant T-Prop").click();
    let on_annas = step_both_until(
        [&mut annas, &mut bens],
        "the grant on anna's board",
        |h| h.query_by_label("T-Prop granted  1").is_some(),
        0,
    );
    let me = Author::of_this_process();
    let granted_by = format!("granted by {} on {} at ", me.user, me.host);
    let on_bens = step_both_until(
        [&mut annas, &mut bens],
        "the grant on ben's board, with who made it",
        move |h| h.query_by_label("T-Prop granted  1").is_some() && h.query_by_label_contains(&granted_by).is_some(),
        1,
    );
    eprintln!("granted: on anna's board after {on_annas:?}, then on ben's {on_bens:?} later");
    assert!(on_bens < Duration::from_secs(8), "within seconds: {on_bens:?}");
    let user_id = run.trader(&name).unwrap().and_then(|t| t.user_id).expect("journaled");
    assert_eq!(sandbox.entitlements_of(user_id).len(), 1, "granted once, by anna's click");
}
