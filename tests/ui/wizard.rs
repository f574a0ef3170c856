//! The Subaccounts screen: the request wizard against the Sandbox, as an administrator
//! would use it: typing, choosing a file, dropping two more, submitting, and following
//! the request in the list.

use super::harness::{TestApp, TestDrop, runtime};
use egui_kittest::kittest::{NodeT, Queryable};
use propdesk::sandbox::{MEMBER_USER_ID, SandboxConfig};
use propdesk::subaccount::PollPace;
use propdesk::ui::{StartEnvironment, document_picker};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 72 72]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

fn png() -> Vec<u8> {
    let image = image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([(x * 6) as u8, (y * 8) as u8, 120]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).expect("png");
    bytes.into_inner()
}

fn start() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mock = keyring_core::mock::Store::new().expect("mock keyring");
    let mut app = start_in(dir, mock);
    app.wait_for_text("Whose subaccount is it?");
    app
}

fn start_in(dir: tempfile::TempDir, mock: Arc<keyring_core::mock::Store>) -> TestApp {
    start_with_picker(dir, mock, document_picker::fixed("power-of-attorney.pdf", PDF.to_vec()))
}

fn start_with_picker(
    dir: tempfile::TempDir,
    mock: Arc<keyring_core::mock::Store>,
    picker: document_picker::DocumentPicker,
) -> TestApp {
    let mut app = TestApp::start_configured(dir, mock, StartEnvironment::Sandbox, runtime(), None, |config| {
        config.sandbox_config = SandboxConfig::for_tests();
        config.subaccount_poll_pace = PollPace::every(POLL_PACE);
        config.document_picker = picker;
    });
    app.wait_for_text("Sandbox · offline");
    app.click_nav("Subaccounts");
    app.wait_for_text("New request");
    app.harness.get_by_label_contains("New request").click();
    app.harness.step();
    app
}

/// Scrolls the widget into view (the wizard is taller than the window), then clicks it.
fn click(app: &mut TestApp, label: &str) {
    app.harness.get_by_label(label).scroll_to_me();
    // Scrolling is animated: let it settle before aiming.
    for _ in 0..30 {
        app.harness.step();
    }
    app.harness.get_by_label(label).click();
    app.harness.step();
    app.harness.step();
}

fn enabled(app: &TestApp, label: &str) -> bool {
    !app.harness.get_by_label(label).accesskit_node().is_disabled()
}

fn choose_country(app: &mut TestApp, combo_label: &str, name: &str, code: &str) {
    click(app, combo_label);
    app.type_into("Search countries", name);

    let option = format!("{name} ({code})");
    app.wait_for(&option, |h| h.query_by_label(&option).is_some());
    click(app, &option);
}

fn fill_trader(app: &mut TestApp) {
    app.type_into("Trader's user ID", &MEMBER_USER_ID.to_string());
    app.type_into("Trader name", "Emily Johnson");
    click(app, "Next: Identity");
    app.wait_for_text("The trader's identity");
}

fn fill_identity(app: &mut TestApp, ssn: &str) {
    app.type_into("First name", "Emily");
    app.type_into("Last name", "Johnson");
    choose_country(app, "Citizenship", "United States", "US");
    app.type_into("Birth year", "1985");
    app.type_into("Birth month", "7");
    app.type_into("Birth day", "14");
    app.type_into("SSN", ssn);
}

fn fill_address(app: &mut TestApp) {
    choose_country(app, "Country", "United States", "US");
    app.type_into("State / region", "NY");
    app.type_into("Street address", "123 Maple Avenue");
    app.type_into("City", "Albany");
    app.type_into("ZIP / postal code", "12207");
    app.type_into("Phone", "+1-518-555-0199");
    click(app, "Next: Account");
    app.wait_for_text("The live account");
}

fn fill_account(app: &mut TestApp, auto_liq: &str) {
    app.type_into("Risk category ID", "3");
    click(app, "Hedger");
    app.type_into("Transfer amount", "5000");
    click(app, "Yes");
    if !auto_liq.is_empty() {
        app.type_into("Auto-liquidation profile ID", auto_liq);
    }
    app.type_into("Reason", "Passed the evaluation with consistent risk management");
    click(app, "Next: Documents");
    app.wait_for_text("Identity documents");
}

/// One file through the picker, two dropped on the window at once.
fn add_documents(app: &mut TestApp) {
    click(app, "Choose file for Power of attorney");
    app.wait_for_text("✔ power-of-attorney.pdf");
    let drops: Vec<egui::DroppedFileHandle> = vec![
        Arc::new(TestDrop { path: "/home/admin/scans/passport.png".into(), bytes: png() }),
        Arc::new(TestDrop {
            path: "/home/admin/scans/utility-bill.txt".into(),
            bytes: b"Utility bill\nEmily Johnson, 123 Maple Avenue, Albany NY 12207\n".to_vec(),
        }),
    ];
    app.harness.input_mut().dropped_files.extend(drops);
    app.harness.step();
    app.wait_for_text("✔ passport.png");
    app.wait_for_text("✔ utility-bill.txt");
}

fn fill_to_review(app: &mut TestApp, auto_liq: &str) {
    fill_trader(app);
    fill_identity(app, "123-45-6789");
    click(app, "Next: Address");
    app.wait_for_text("Where the trader lives");
    fill_address(app);
    fill_account(app, auto_liq);
    add_documents(app);
    assert!(enabled(app, "Next: Review"));
    click(app, "Next: Review");
    app.wait_for_text("Check before sending");
}

/// The list's status-check pace in these tests; the Sandbox moves a request every 200 ms.
const POLL_PACE: Duration = Duration::from_millis(150);

/// Waits, without touching Refresh, until `text` shows in the list.
fn list_shows(app: &mut TestApp, text: &str) {
    app.wait_for(text, |h| h.query_all_by_label_contains(text).next().is_some());
}

#[test]
fn a_whole_request_goes_through_the_wizard_and_is_approved() {
    let mut app = start();
    fill_to_review(&mut app, "");
    // The summary masks the SSN.
    assert!(app.harness.query_by_label_contains("123-45-6789").is_none());
    assert!(app.harness.query_by_label_contains("•••••••89").is_some());
    click(&mut app, "Submit request");
    app.wait_for("all three documents up", |h| h.query_all_by_label_contains("✔ uploaded (document").count() == 3);
    // The Sandbox's review starts with the third document: Approved three 200 ms steps later.
    let approved_at = Instant::now() + 3 * SandboxConfig::for_tests().status_step;
    app.wait_for("submitted", |h| h.query_by_label("See it in the request list").is_some());
    // Never twice: the button is off once the request exists.
    assert!(!enabled(&app, "Submit request"));
    assert!(app.harness.query_by_label_contains("never sends the same request twice").is_some());
    click(&mut app, "See it in the request list");
    app.wait_for_text("Emily Johnson");
    let lead = approved_at.saturating_duration_since(Instant::now());
    eprintln!("the list opened {} ms before the Sandbox approved", lead.as_millis());
    // The open list checks on its own: no Refresh.
    list_shows(&mut app, "Approved");
    let late = Instant::now().saturating_duration_since(approved_at);
    eprintln!("the list showed Approved {} ms after the Sandbox approved", late.as_millis());
    assert!(late < Duration::from_secs(2), "Approved reached the list {late:?} after the Sandbox approved");
    assert!(app.harness.query_by_label("Approved").is_some(), "the status badge");
    assert!(app.harness.query_all_by_label_contains("checked").next().is_some());
}

#[test]
fn an_eight_digit_ssn_is_flagged_beside_the_field_and_blocks_next() {
    let mut app = start();
    fill_trader(&mut app);
    fill_identity(&mut app, "123-45-678");
    // The message sits beside the field (labels carry their text as the node's value).
    app.wait_for_text("⚠ SSN must be exactly 9 digits (dashes are fine: 123-45-6789); this one has 8");
    assert!(!enabled(&app, "Next: Address"), "Next must be disabled");
    assert!(app.harness.query_by_label_contains("Next is blocked. Fix: SSN").is_some());
    // Fixing it unblocks Next and the message goes.
    app.type_into("SSN", "9");
    app.harness.step();
    assert!(enabled(&app, "Next: Address"));
    assert!(app.harness.query_by_label_contains("Next is blocked").is_none());
}

#[test]
fn an_unknown_auto_liq_profile_comes_back_on_the_account_step() {
    let mut app = start();
    fill_to_review(&mut app, "424242");
    click(&mut app, "Submit request");
    app.wait_for_text("Tradovate refused the request");
    // Back on the Account step, the message beside the auto-liq field.
    assert!(app.harness.query_by_label("The live account").is_some());
    app.wait_for_text("Tradovate: Auto-liq profile not found");
}

#[test]
fn a_draft_survives_a_restart_with_its_ssn_in_the_keyring_only() {
    let mut app = start();
    fill_trader(&mut app);
    fill_identity(&mut app, "123-45-6789");
    // Saving is debounced (1 s) and runs off the UI thread.
    let saved = app.dir.path().join("subaccount-drafts/sandbox.json");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !std::fs::read_to_string(&saved)
        .is_ok_and(|json| json.contains("\"year\": \"1985\"") && json.contains("Johnson"))
    {
        assert!(Instant::now() < deadline, "the draft was not saved");
        app.harness.step();
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let json = std::fs::read_to_string(&saved).expect("draft file");
    assert!(!json.contains("6789") && !json.contains("123456789"), "the SSN is never on disk: {json}");
    let mut app = restart(app);
    assert_eq!(app.harness.get_by_label("Last name").accesskit_node().value().as_deref(), Some("Johnson"));
    // The SSN came back from the keyring: revealing it shows the number.
    assert_eq!(revealed_ssn(&mut app).as_deref(), Some("123-45-6789"));
}

/// Saving is debounced; closing the window right after typing still keeps every edit.
#[test]
fn edits_typed_just_before_closing_come_back_after_a_restart() {
    let mut app = start();
    fill_trader(&mut app);
    fill_identity(&mut app, "123-45-6789");
    // Closed at once: no second passes for the debounced save.
    eframe::App::on_exit(app.harness.state_mut());
    let mut app = restart(app);
    app.wait_for_text("Last name");
    assert_eq!(app.harness.get_by_label("Birth day").accesskit_node().value().as_deref(), Some("14"));
    assert_eq!(revealed_ssn(&mut app).as_deref(), Some("123-45-6789"));
}

/// Closes the app (the harness, then its runtime) and starts it again on the same
/// folder and keyring, waiting for the saved draft to come back.
fn restart(app: TestApp) -> TestApp {
    let TestApp { harness, mock, dir, _runtime } = app;
    drop(harness);
    drop(_runtime);
    let mut app = start_in(dir, mock);
    app.wait_for_text("Draft restored");
    app
}

/// The SSN field's value once "Show SSN" reveals it.
fn revealed_ssn(app: &mut TestApp) -> Option<String> {
    app.harness.get_by_label("Show SSN").click();
    app.harness.step();
    app.harness.step();
    app.harness.get_by_label("SSN").accesskit_node().value()
}

/// Statuses are checked only while the list is on screen: away from it nothing moves, and
/// coming back resumes the checks.
#[test]
fn the_list_checks_statuses_only_while_it_is_on_screen() {
    // A slower review than the other tests, so the request is still undecided when we leave.
    let step = Duration::from_millis(600);
    let dir = tempfile::tempdir().expect("temp dir");
    let mock = keyring_core::mock::Store::new().expect("mock keyring");
    let mut app = TestApp::start_configured(dir, mock, StartEnvironment::Sandbox, runtime(), None, |config| {
        config.sandbox_config = SandboxConfig { status_step: step, ..SandboxConfig::for_tests() };
        config.subaccount_poll_pace = PollPace::every(POLL_PACE);
        config.document_picker = document_picker::fixed("power-of-attorney.pdf", PDF.to_vec());
    });
    app.wait_for_text("Sandbox · offline");
    app.click_nav("Subaccounts");
    app.wait_for_text("New request");
    app.harness.get_by_label_contains("New request").click();
    app.harness.step();
    app.wait_for_text("Whose subaccount is it?");
    fill_to_review(&mut app, "");
    click(&mut app, "Submit request");
    app.wait_for("all three documents up", |h| h.query_all_by_label_contains("✔ uploaded (document").count() == 3);
    let approved_at = Instant::now() + 3 * step;
    click(&mut app, "See it in the request list");
    app.wait_for_text("Emily Johnson");
    assert!(Instant::now() < approved_at, "the list opened before the Sandbox approved");
    app.click_nav("Activity");
    // Frames keep running while we are away, past the approval.
    while Instant::now() < approved_at + Duration::from_millis(800) {
        app.harness.step();
        std::thread::sleep(Duration::from_millis(15));
    }
    assert!(app.harness.query_by_label_contains("Emily Johnson").is_none(), "away from the list");
    app.click_nav("Subaccounts");
    app.harness.step();
    assert!(app.harness.query_by_label_contains("Emily Johnson").is_some(), "back on the list");
    assert!(app.harness.query_by_label("Approved").is_none(), "nothing was checked while the list was hidden");
    list_shows(&mut app, "Approved");
}

#[test]
fn a_denied_request_shows_the_reviewers_message_in_the_list() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mock = keyring_core::mock::Store::new().expect("mock keyring");
    let mut app = TestApp::start_configured(dir, mock, StartEnvironment::Sandbox, runtime(), None, |config| {
        config.sandbox_config = SandboxConfig {
            deny_every_review: Some("Proof of address is older than 90 days".into()),
            ..SandboxConfig::for_tests()
        };
        config.subaccount_poll_pace = PollPace::every(POLL_PACE);
        config.document_picker = document_picker::fixed("power-of-attorney.pdf", PDF.to_vec());
    });
    app.wait_for_text("Sandbox · offline");
    app.click_nav("Subaccounts");
    app.wait_for_text("New request");
    app.harness.get_by_label_contains("New request").click();
    app.harness.step();
    app.wait_for_text("Whose subaccount is it?");
    fill_to_review(&mut app, "");
    click(&mut app, "Submit request");
    app.wait_for("submitted", |h| h.query_by_label("See it in the request list").is_some());
    click(&mut app, "See it in the request list");
    list_shows(&mut app, "Denied");
    assert!(app.harness.query_all_by_label_contains("Proof of address is older than 90 days").next().is_some());
}

/// A document far over the limit is refused from its size on disk, before it is read;
/// the message stays beside its slot, which still takes a file.
#[test]
fn a_huge_document_is_refused_beside_its_slot_and_the_slot_stays_usable() {
    let files = tempfile::tempdir().unwrap();
    let huge = files.path().join("power-of-attorney.pdf");
    // Sparse: a gigabyte on paper, nothing on disk; reading it would need a gigabyte of memory.
    std::fs::File::create(&huge).unwrap().set_len(1 << 30).unwrap();
    let dir = tempfile::tempdir().expect("temp dir");
    let mock = keyring_core::mock::Store::new().expect("mock keyring");
    let mut app = start_with_picker(dir, mock, document_picker::fixed_path(huge));
    app.wait_for_text("Whose subaccount is it?");
    fill_trader(&mut app);
    fill_identity(&mut app, "123-45-6789");
    click(&mut app, "Next: Address");
    app.wait_for_text("Where the trader lives");
    fill_address(&mut app);
    fill_account(&mut app, "");
    click(&mut app, "Choose file for Power of attorney");
    app.wait_for_text("power-of-attorney.pdf is 1073.7 MB; the limit is 3.7 MB after encoding");
    let drop: egui::DroppedFileHandle =
        Arc::new(TestDrop { path: "/home/admin/scans/power-of-attorney.pdf".into(), bytes: PDF.to_vec() });
    app.harness.input_mut().dropped_files.push(drop);
    app.harness.step();
    app.wait_for_text("✔ power-of-attorney.pdf");
    assert!(app.harness.query_by_label_contains("1073.7 MB").is_none(), "the problem is gone with a good file");
}
