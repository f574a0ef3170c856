//! Traders: import a roster through the (fake) file picker, see the invalid rows with
//! their reasons, onboard the valid ones against the Sandbox and see each row's result.

use super::harness::{TestApp, TestDrop};
use egui_kittest::kittest::{NodeT, Queryable};
use propdesk::sandbox::SandboxConfig;
use propdesk::store::{Paths, SecretStore};
use propdesk::ui::{AppConfig, PropdeskApp, StartEnvironment, open_dialog, save_dialog};
use std::path::Path;
use std::time::{Duration, Instant};

const HEADER: &str = "name,email,password,firstName,lastName,streetAddress1,city,state,postCode,country,phone,accountName,initialBalance,dailyLossAutoLiq";

fn row(name: &str, email: &str, state: &str, account: &str) -> String {
    format!(
        "{name},{email},Str0ng!Passw0rd,Jamie,Rivera,123 Maple Avenue,Albany,{state},12207,US,+1-518-555-0199,{account},50000,1000\n"
    )
}

/// Three valid rows and three invalid ones (bad account name, US without state,
/// duplicate email: both rows sharing it are flagged).
fn write_roster(dir: &Path) -> std::path::PathBuf {
    let mut text = format!("{HEADER}\n");
    text += &row("ada1", "ada1@example.com", "NY", "ADA00001");
    text += &row("ben2", "ben2@example.com", "NY", "BEN00002");
    text += &row("cal3", "cal3@example.com", "NY", "CAL00003");
    text += &row("bad4", "bad4@example.com", "NY", "bad_account");
    text += &row("nostate5", "nostate5@example.com", "", "NOS00005");
    text += &row("dupe6", "ada1@example.com", "NY", "DUP00006");
    let path = dir.join("roster.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn start_with_roster() -> TestApp {
    start_with_roster_file(write_roster)
}

/// The app on the Sandbox, with the file picker answering the roster `write` made.
fn start_with_roster_file(write: impl FnOnce(&Path) -> std::path::PathBuf) -> TestApp {
    let runtime = super::harness::runtime();
    let dir = tempfile::tempdir().unwrap();
    let mock = keyring_core::mock::Store::new().unwrap();
    let roster = write(dir.path());
    let mut config = AppConfig::new(Paths::in_dir(dir.path()), runtime.handle().clone());
    config.secret_store = SecretStore::with_store(mock.clone(), "test keyring");
    config.start = StartEnvironment::Sandbox;
    config.sandbox_config = SandboxConfig::for_tests();
    config.save_dialog = save_dialog::fixed(dir.path().join("activity.csv"));
    config.file_picker = open_dialog::fixed(roster);
    config.traders_save_dialog = Some(save_dialog::fixed(dir.path().join("results.csv")));
    let harness = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| PropdeskApp::new(cc, config));
    TestApp { harness, mock, dir, _runtime: runtime }
}

fn has_text(h: &egui_kittest::Harness<'static, PropdeskApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

#[test]
fn import_flags_invalid_rows_and_a_run_onboards_only_the_valid_ones() {
    let mut app = start_with_roster();
    // Setup data and the journal must be ready before the run button enables.
    app.wait_for("the firm's plan", |h| h.query_by_label("DEMOFIRM_MONTHLY").is_some());
    app.click_nav("Traders");
    app.wait_for("the empty roster", |h| has_text(h, "No traders yet"));
    app.harness.get_by_label_contains("Import file").click();
    app.wait_for("the import report", |h| has_text(h, "Imported 6 rows from roster.csv"));

    // Invalid rows carry their reasons in the status column.
    app.wait_for("the invalid count", |h| has_text(h, "4 need attention"));
    assert!(has_text(&app.harness, "Account names are capital letters"), "bad account name shown");
    assert!(has_text(&app.harness, "State is required when the country is US"), "missing state shown");
    assert!(app.harness.query_all_by_label_contains("Same email as").count() >= 2, "both duplicates flagged");
    // ada1 shares its email with dupe6, so only ben2 and cal3 are ready.
    app.wait_for("the ready count", |h| has_text(h, "2 ready"));

    // Run: the button names how many go.
    app.wait_for("the run button to enable", |h| {
        h.query_by_label_contains("Onboard 2 valid traders").is_some_and(|n| !n.accesskit_node().is_disabled())
    });
    app.harness.get_by_label_contains("Onboard 2 valid traders").click();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !has_text(&app.harness, "Finished: Done: 2 of 2") {
        app.harness.step();
        assert!(Instant::now() < deadline, "timed out waiting for the run to finish");
        std::thread::sleep(Duration::from_millis(15));
    }
    let done = app
        .harness
        .query_all_by_label_contains("✔ Done · user")
        .filter(|n| n.accesskit_node().role() == egui::accesskit::Role::Label)
        .count();
    assert_eq!(done, 2, "two rows done with their ids");
    // Invalid rows keep their reasons.
    assert!(has_text(&app.harness, "State is required when the country is US"));

    // The journal holds exactly the valid traders, with accounts; invalid ones were never sent.
    let journal = app.harness.state().journal().expect("journal open");
    let traders = journal.traders().unwrap();
    let mut names: Vec<&str> = traders.iter().map(|t| t.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["ben2", "cal3"]);
    assert!(traders.iter().all(|t| t.user_id.is_some() && t.account_id.is_some()));

    // Export results: one line per roster row with ids or reasons.
    app.harness.get_by_label_contains("Export results").click();
    let results = app.dir.path().join("results.csv");
    app.wait_for("the results file", move |_| std::fs::read_to_string(&results).is_ok_and(|s| s.contains("dupe6")));
    let csv = std::fs::read_to_string(app.dir.path().join("results.csv")).unwrap();
    assert!(csv.starts_with("name,userId,accountId,tradingPermissionId,status,error"), "{csv}");
    assert!(csv.lines().any(|l| l.starts_with("ben2,") && l.contains(",done,")), "{csv}");
    assert!(csv.lines().any(|l| l.starts_with("bad4,") && l.contains(",invalid,")), "{csv}");
}

#[test]
fn the_run_button_says_why_it_is_disabled_when_signed_out() {
    let mut app = TestApp::start(StartEnvironment::SignedOut);
    app.click_nav("Traders");
    app.wait_for_text("Add row");
    app.harness.get_by_label_contains("Add row").click();
    app.wait_for("the row editor", |h| has_text(h, "New trader"));
    app.type_into("User name", "zed");
    app.wait_for("the reason", |h| has_text(h, "Sign in on the Setup screen first"));
    let button = app.harness.get_by_label_contains("Onboard");
    assert!(button.accesskit_node().is_disabled());
}

/// A roster dropped on the window (the way in when no file dialog can open): imported,
/// with the trader from a CME restricted country flagged and the reason beside the row.
#[test]
fn a_csv_dropped_on_traders_is_imported_and_restricted_countries_are_flagged() {
    let mut app = TestApp::start(StartEnvironment::SignedOut);
    app.click_nav("Traders");
    app.wait_for("the empty roster", |h| has_text(h, "No traders yet"));
    let mut csv = format!("{HEADER}\n");
    csv += &row("ada1", "ada1@example.com", "NY", "ADA00001");
    csv += &row("iri2", "iri2@example.com", "Tehran", "IRI00002").replace(",US,", ",IR,");
    let drop: egui::DroppedFileHandle =
        std::sync::Arc::new(TestDrop { path: "/home/admin/Downloads/roster.csv".into(), bytes: csv.into_bytes() });
    app.harness.input_mut().dropped_files.push(drop);
    app.wait_for("the import report", |h| has_text(h, "Imported 2 rows from roster.csv"));
    app.wait_for("the restricted row", |h| has_text(h, "Iran (IR) is a CME restricted country"));
    assert!(has_text(&app.harness, "1 need attention"), "only the trader in Iran is flagged");
}

/// Signed out on Traders with this file dialog, Import file pressed.
fn import_with(dialog: open_dialog::OpenDialog) -> TestApp {
    let mut app = TestApp::start_configured(
        tempfile::tempdir().unwrap(),
        keyring_core::mock::Store::new().unwrap(),
        StartEnvironment::SignedOut,
        super::harness::runtime(),
        None,
        |config| config.file_picker = dialog,
    );
    app.click_nav("Traders");
    app.wait_for_text("Import file");
    app.harness.get_by_label_contains("Import file").click();
    app
}

/// The button is usable again: nothing is left "importing".
fn wait_until_import_is_enabled(app: &mut TestApp) {
    app.wait_for("the import button", |h| {
        h.query_by_label_contains("Import file").is_some_and(|n| !n.accesskit_node().is_disabled())
    });
}

/// No portal and no zenity: the Import button says why nothing opened and what to do.
#[test]
fn a_file_dialog_that_cannot_open_says_so_and_offers_dropping_the_file() {
    let mut app = import_with(open_dialog::unavailable("this computer has no desktop file portal and no zenity"));
    app.wait_for("the message", |h| {
        has_text(h, "The file dialog could not open (this computer has no desktop file portal and no zenity)")
    });
    assert!(has_text(&app.harness, "Drag a CSV or Excel file onto this window instead"));
    wait_until_import_is_enabled(&mut app);
}

async fn crashing_dialog() -> Result<Option<std::path::PathBuf>, String> {
    panic!("the file dialog crashed")
}

/// A background job that panics (here the file dialog) is told in a toast, and the
/// screen stops waiting for it: the Import button works again.
#[test]
fn a_job_that_panics_shows_the_failure_and_the_screen_stops_waiting() {
    let mut app = import_with(std::sync::Arc::new(|| Box::pin(crashing_dialog()) as open_dialog::OpenedPath));
    app.wait_for("the failure's toast", |h| has_text(h, "A background job failed unexpectedly"));
    wait_until_import_is_enabled(&mut app);
}

/// name, status, error of each RESULTS line (ids differ between two sandboxes).
fn statuses(csv: &str) -> Vec<(String, String, String)> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    reader.records().map(|r| r.unwrap()).map(|r| (r[0].to_string(), r[4].to_string(), r[5].to_string())).collect()
}

#[test]
fn the_window_and_the_command_line_give_one_roster_the_same_statuses_and_ready_count() {
    // Two valid rows, a row valid but for its empty password, a password-less row with
    // another problem, and two invalid rows.
    let write = |dir: &Path| {
        let mut text = format!("{HEADER}\n");
        text += &row("ada1", "ada1@example.com", "NY", "ADA00001");
        text += &row("ben2", "ben2@example.com", "NY", "BEN00002");
        text += &row("nopass3", "nopass3@example.com", "NY", "NOP00003").replace("Str0ng!Passw0rd", "");
        text += &row("nopass4", "nopass4@example.com", "", "NOP00004").replace("Str0ng!Passw0rd", "");
        text += &row("bad5", "bad5@example.com", "NY", "bad_account");
        text += &row("nostate6", "nostate6@example.com", "", "NOS00006");
        let path = dir.join("mixed.csv");
        std::fs::write(&path, text).unwrap();
        path
    };

    // The command line, against its own sandbox.
    let cli_dir = tempfile::tempdir().unwrap();
    let cli_runtime = super::harness::runtime();
    let sandbox = cli_runtime.block_on(crate::support::sandbox());
    let out = cli_dir.path().join("results.csv");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_propdesk"))
        .args(["onboard", "--live-url", &sandbox.live_url(), "--demo-url", &sandbox.demo_url()])
        .args(["--plan", "DEMOFIRM_MONTHLY", "--template", "DEMOFIRM50K", "--yes", "--users"])
        .arg(write(cli_dir.path()))
        .arg("--journal")
        .arg(cli_dir.path().join("journal.sqlite"))
        .arg("--out")
        .arg(&out)
        .env_remove("TRADOVATE_USERNAME")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "invalid rows make exit 1: {stderr}");
    assert!(stderr.contains("6 traders in") && stderr.contains(": 2 ready, 4 invalid;"), "{stderr}");
    let from_cli = statuses(&std::fs::read_to_string(&out).unwrap());

    // The window, on the same roster.
    let mut app = start_with_roster_file(write);
    app.wait_for("the firm's plan", |h| h.query_by_label("DEMOFIRM_MONTHLY").is_some());
    app.click_nav("Traders");
    app.wait_for("the empty roster", |h| has_text(h, "No traders yet"));
    app.harness.get_by_label_contains("Import file").click();
    app.wait_for("the import report", |h| has_text(h, "Imported 6 rows from mixed.csv"));
    app.wait_for("the ready count", |h| has_text(h, "2 ready") && has_text(h, "4 need attention"));
    app.wait_for("the run button to enable", |h| {
        h.query_by_label_contains("Onboard 2 valid traders").is_some_and(|n| !n.accesskit_node().is_disabled())
    });
    app.harness.get_by_label_contains("Onboard 2 valid traders").click();
    app.wait_for("the run to finish", |h| has_text(h, "Finished: Done: 2 of 2"));
    app.harness.get_by_label_contains("Export results").click();
    let results = app.dir.path().join("results.csv");
    app.wait_for("the results file", move |_| std::fs::read_to_string(&results).is_ok_and(|s| s.contains("nostate6")));
    let from_window = statuses(&std::fs::read_to_string(app.dir.path().join("results.csv")).unwrap());

    let words: Vec<&str> = from_cli.iter().map(|(_, status, _)| status.as_str()).collect();
    assert_eq!(words, ["done", "done", "invalid", "invalid", "invalid", "invalid"]);
    assert!(from_cli[2].2.starts_with("password: Password is empty"), "{:?}", from_cli[2]);
    assert_eq!(from_window, from_cli, "same statuses and reasons, row by row");
    assert_eq!(sandbox.stats().users_created(), 2, "the command line sent the two valid rows only");
}

#[test]
fn a_window_run_is_refused_while_another_run_holds_the_journal_and_sends_nothing() {
    use chrono::Utc;
    use propdesk::api::Environment;
    use propdesk::onboarding::journal::{Journal, journal_key};
    use propdesk::onboarding::run_lock::{RunHolder, RunLock};
    use propdesk::sandbox::Sandbox;

    // A Custom environment keeps its journal on disk, where a command line can share it.
    let runtime = super::harness::runtime();
    let sandbox = runtime.block_on(Sandbox::start(SandboxConfig::for_tests())).expect("sandbox");
    let dir = tempfile::tempdir().unwrap();
    let roster = write_roster(dir.path());
    let mock = keyring_core::mock::Store::new().unwrap();
    let mut app = TestApp::start_configured(dir, mock, StartEnvironment::SignedOut, runtime, None, |config| {
        config.file_picker = open_dialog::fixed(roster);
    });
    app.sign_in_to_custom(&sandbox);
    app.wait_for("the firm's plan", |h| h.query_by_label("DEMOFIRM_MONTHLY").is_some());

    // Another run (as `propdesk onboard` would) holds this environment's journal.
    let environment = Environment::custom(&sandbox.live_url(), &sandbox.demo_url(), None);
    let path = Paths::in_dir(app.dir.path()).journal_file();
    let journal = std::sync::Arc::new(Journal::open(&path, &journal_key(&environment)).unwrap());
    let held = RunLock::take(&journal, "propdesk onboard").unwrap();

    app.click_nav("Traders");
    app.wait_for("the empty roster", |h| has_text(h, "No traders yet"));
    app.harness.get_by_label_contains("Import file").click();
    app.wait_for("the ready count", |h| has_text(h, "2 ready"));
    app.wait_for("the run button to enable", |h| {
        h.query_by_label_contains("Onboard 2 valid traders").is_some_and(|n| !n.accesskit_node().is_disabled())
    });
    app.harness.get_by_label_contains("Onboard 2 valid traders").click();
    confirm_billing(&mut app, "Onboard 2 traders");
    let holder = format!("propdesk onboard (process {} on ", std::process::id());
    app.wait_for("the refusal naming the holder", |h| {
        has_text(h, "Another onboarding run is using this environment's journal") && has_text(h, &holder)
    });
    assert_eq!(sandbox.stats().users_created(), 0, "nothing sent while the journal is held");

    // The other run dies without letting go (SIGKILL leaves its row, the OS frees its
    // lock): the same button onboards, saying whose lock it took over.
    drop(held);
    let dead =
        RunHolder { pid: 999_999, program: "propdesk onboard".into(), host: "elsewhere".into(), since: Utc::now() };
    journal.set_run_holder(&dead).unwrap();
    app.wait_for("the button again", |h| {
        h.query_by_label_contains("Onboard 2 valid traders").is_some_and(|n| !n.accesskit_node().is_disabled())
    });
    app.harness.get_by_label_contains("Onboard 2 valid traders").click();
    confirm_billing(&mut app, "Onboard 2 traders");
    app.wait_for("the takeover notice", |h| {
        has_text(h, "Took over the journal from propdesk onboard (process 999999 on elsewhere")
    });
    app.wait_for("the run to finish", |h| has_text(h, "Finished: Done: 2 of 2"));
    assert_eq!(sandbox.stats().users_created(), 2);
}

/// Off the Sandbox a run is confirmed first (Custom: the dialog, without typing).
fn confirm_billing(app: &mut TestApp, button: &str) {
    app.wait_for_text("will be billed on DEMOFIRM_MONTHLY");
    app.harness.get_by_role_and_label(egui::accesskit::Role::Button, button).click();
    app.harness.step();
}
