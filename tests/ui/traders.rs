//! Traders: import a roster through the (fake) file picker, see the invalid rows with
//! their reasons, onboard the valid ones against the Sandbox and see each row's result.

use super::harness::{TestApp, TestDrop};
use egui_kittest::kittest::{NodeT, Queryable};
use propdesk::sandbox::SandboxConfig;
use propdesk::store::{Paths, SecretStore};
use propdesk::ui::{AppConfig, PropdeskApp, StartEnvironment, open_dialog, save_dialog};
use std::path::Path;
use std::time::{Duration, Instant};

const HEADER: &str = "name,email,password,firstName,lastName,streetAddress1,city,state,postCode,country,phone,accountName,initialBalance";

fn row(name: &str, email: &str, state: &str, account: &str) -> String {
    format!(
        "{name},{email},Str0ng!Passw0rd,Jamie,Rivera,123 Maple Avenue,Albany,{state},12207,US,+1-518-555-0199,{account},50000\n"
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
    let runtime = super::harness::runtime();
    let dir = tempfile::tempdir().unwrap();
    let mock = keyring_core::mock::Store::new().unwrap();
    let roster = write_roster(dir.path());
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

/// No portal and no zenity: the Import button says why nothing opened and what to do.
#[test]
fn a_file_dialog_that_cannot_open_says_so_and_offers_dropping_the_file() {
    let mut app = TestApp::start_configured(
        tempfile::tempdir().unwrap(),
        keyring_core::mock::Store::new().unwrap(),
        StartEnvironment::SignedOut,
        super::harness::runtime(),
        None,
        |config| {
            config.file_picker = open_dialog::unavailable("this computer has no desktop file portal and no zenity")
        },
    );
    app.click_nav("Traders");
    app.wait_for_text("Import file");
    app.harness.get_by_label_contains("Import file").click();
    app.wait_for("the message", |h| {
        has_text(h, "The file dialog could not open (this computer has no desktop file portal and no zenity)")
    });
    assert!(has_text(&app.harness, "Drag a CSV or Excel file onto this window instead"));
    // The button is usable again: nothing is left "importing".
    app.wait_for("the import button", |h| {
        h.query_by_label_contains("Import file").is_some_and(|n| !n.accesskit_node().is_disabled())
    });
}
