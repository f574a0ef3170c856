//! Activity → Team history: what the journal recorded, by whom and where, searchable
//! and exportable as CSV.

use super::harness::{TestApp, onboard_one_trader, runtime, team_journal_folder};
use egui_kittest::kittest::Queryable;
use propdesk::api::Environment;
use propdesk::onboarding::journal::test_database::fresh_postgres_journal;
use propdesk::onboarding::journal::{Author, Journal};
use propdesk::sandbox::{Sandbox, SandboxConfig};
use propdesk::store::Paths;
use propdesk::ui::{StartEnvironment, journal_key};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The app signed in to a sandbox (as a Custom environment) whose traders sign
/// `signature_delay` after their contact info.
fn signed_in_app(signature_delay: Duration) -> (TestApp, Sandbox) {
    let runtime = runtime();
    let config = SandboxConfig { signature_delay, ..SandboxConfig::for_tests() };
    let sandbox = runtime.block_on(Sandbox::start(config)).expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let mock = keyring_core::mock::Store::new().expect("mock keyring");
    let mut app = TestApp::start_in(dir, mock, StartEnvironment::SignedOut, runtime, None);
    app.sign_in_to_custom(&sandbox);
    app.wait_for_text("Signed in as");
    (app, sandbox)
}

/// Onboards traders into the app's journal file as anna on ops-laptop (another admin).
fn onboard_as_anna(app: &TestApp, sandbox: &Sandbox, account_prefixes: &[&str]) -> Vec<String> {
    let custom = Environment::custom(&sandbox.live_url(), &sandbox.demo_url(), None);
    let journal = Journal::open(&Paths::in_dir(app.dir.path()).journal_file(), &journal_key(&custom)).unwrap();
    let journal = Arc::new(journal.with_author(Author { user: "anna".into(), host: "ops-laptop".into() }));
    account_prefixes.iter().map(|prefix| app._runtime.block_on(onboard_one_trader(sandbox, &journal, prefix))).collect()
}

fn open_team_history(app: &mut TestApp) {
    app.click_nav("Activity");
    app.wait_for("the Activity screen", |h| h.query_by_label("Team history").is_some());
    app.harness.get_by_label("Team history").click();
    app.harness.step();
}

#[test]
fn team_history_lists_who_onboarded_whom_filters_and_exports() {
    let (mut app, sandbox) = signed_in_app(Duration::from_secs(600)); // nobody signs here
    let names = onboard_as_anna(&app, &sandbox, &["HISTA", "HISTB"]);
    open_team_history(&mut app);
    app.wait_for("both traders' lines", |h| h.query_by_label("6 of 6 lines").is_some());
    assert_eq!(app.harness.query_all_by_label("User created").count(), 2);
    assert_eq!(app.harness.query_all_by_label("anna on ops-laptop").count(), 6, "every line says who and where");
    for name in &names {
        assert!(app.harness.query_all_by_label(name).count() == 3, "{name}: user, contact, account");
    }

    // The search narrows the list to one trader.
    app.type_into("Search", &names[0]);
    app.wait_for("the search", |h| h.query_by_label("3 of 6 lines").is_some());
    assert!(app.harness.query_by_label(&names[1]).is_none(), "the other trader is hidden");

    // Export writes the lines shown (the test's save dialog answers a temp path).
    app.harness.get_by_label("Export CSV…").click();
    app.wait_for_text("Saved 3 lines of team history");
    let csv = std::fs::read_to_string(app.dir.path().join("activity.csv")).expect("the CSV was written");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(reader.headers().unwrap(), vec!["at", "trader", "what", "by_user", "by_host"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 3, "{csv}");
    assert!(rows.iter().all(|r| r[1] == names[0] && &r[3] == "anna" && &r[4] == "ops-laptop"), "{csv}");
    assert!(rows.iter().any(|r| &r[2] == "User created"), "{csv}");
}

#[test]
fn the_windows_own_grant_appears_without_waiting_for_the_next_read() {
    let (mut app, sandbox) = signed_in_app(Duration::from_millis(1500));
    app.click_nav("Pipeline");
    app.wait_for_text("Listening for signatures");
    let names = onboard_as_anna(&app, &sandbox, &["HISTC"]);
    open_team_history(&mut app);
    let opened = Instant::now();
    app.wait_for("anna's lines", |h| h.query_by_label("User created").is_some());
    // The watch grants as this window: its journal change shows at once, well before the
    // view's periodic re-read (10 s) would have found it.
    app.wait_for("the grant", |h| h.query_by_label("T-Prop entitlement granted").is_some());
    assert!(opened.elapsed() < Duration::from_secs(8), "took {:?}", opened.elapsed());
    let window = Author::of_this_process();
    let by_window = format!("{} on {}", window.user, window.host);
    assert!(app.harness.query_all_by_label(&by_window).count() >= 1, "the grant says it was this window's");
    assert!(app.harness.query_all_by_label(&names[0]).count() >= 4);
}

/// On the team's PostgreSQL journal, Ben's window lists what Anna (another machine) and
/// Carla (a third) recorded, each with who and where.
#[test]
fn a_window_on_the_team_journal_lists_every_admins_writes() {
    let Some(url) = fresh_postgres_journal("window_team_history") else { return };
    let runtime = runtime();
    let sandbox = runtime.block_on(Sandbox::start(SandboxConfig::for_tests())).expect("sandbox");
    let custom = Environment::custom(&sandbox.live_url(), &sandbox.demo_url(), None);
    let annas = Journal::open_postgres(&url, &journal_key(&custom)).expect("team journal");
    let annas = Arc::new(annas.with_author(Author { user: "anna".into(), host: "ops-laptop".into() }));
    let name = runtime.block_on(onboard_one_trader(&sandbox, &annas, "TEAMH"));
    let carlas = Journal::open_postgres(&url, &journal_key(&custom)).expect("team journal");
    let carlas = carlas.with_author(Author { user: "carla".into(), host: "ops-server".into() });
    carlas.record_history(&name, "Risk rules updated (DEMOFIRM50K profile)").unwrap();

    // Ben's window: the URL in the settings, the password in the keyring, as Setup saves them.
    let (dir, mock) = team_journal_folder(&url, |_| {});
    let mut app = TestApp::start_in(dir, mock, StartEnvironment::SignedOut, runtime, None);
    app.sign_in_to_custom(&sandbox);
    app.wait_for_text("Signed in as");
    open_team_history(&mut app);
    app.wait_for("the team's lines", |h| h.query_by_label("4 of 4 lines").is_some());
    assert_eq!(app.harness.query_all_by_label("anna on ops-laptop").count(), 3);
    assert!(app.harness.query_by_label("carla on ops-server").is_some());
    assert!(app.harness.query_by_label("Risk rules updated (DEMOFIRM50K profile)").is_some());
}
