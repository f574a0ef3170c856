//! Help: the offer after a crash, "Open logs folder" and "Copy diagnostics".

use super::harness::{TestApp, runtime};
use egui_kittest::kittest::Queryable;
use propdesk::ui::StartEnvironment;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const OFFER: &str = "Propdesk closed unexpectedly last time — open the report folder";

/// Starts signed out on `dir`, recording the folders the app asks to open.
fn start(dir: tempfile::TempDir) -> (TestApp, Arc<Mutex<Vec<PathBuf>>>) {
    let opened = Arc::new(Mutex::new(Vec::new()));
    let recorder = opened.clone();
    let mock = keyring_core::mock::Store::new().expect("mock keyring");
    let app = TestApp::start_configured(dir, mock, StartEnvironment::SignedOut, runtime(), None, move |config| {
        config.open_folder = Arc::new(move |folder: &Path| {
            recorder.lock().unwrap().push(folder.to_path_buf());
            Ok(())
        });
    });
    (app, opened)
}

/// What the panic hook leaves behind (diagnostics::crash).
fn leave_crash_report(dir: &Path) -> PathBuf {
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(logs.join("crash-20261130-000000.000.txt"), "Propdesk crashed").unwrap();
    std::fs::write(logs.join("crash-pending"), "crash-20261130-000000.000.txt").unwrap();
    logs
}

#[test]
fn after_a_crash_the_next_start_offers_the_report_folder_once() {
    let dir = tempfile::tempdir().unwrap();
    let logs = leave_crash_report(dir.path());
    let (mut app, opened) = start(dir);
    app.wait_for_text(OFFER);
    app.harness.get_by_label("Open report folder").click();
    app.wait_for("the folder opened", |_| !opened.lock().unwrap().is_empty());
    assert_eq!(*opened.lock().unwrap(), vec![logs.clone()]);
    app.wait_for("the offer gone", |h| h.query_by_label_contains(OFFER).is_none());
    app.wait_for("the marker cleared", |_| !logs.join("crash-pending").exists());
    assert!(logs.join("crash-20261130-000000.000.txt").exists(), "the report itself is kept");

    // The next start does not offer it again.
    let TestApp { harness, dir, _runtime, .. } = app;
    drop(harness);
    drop(_runtime);
    let (mut again, _) = start(dir);
    for _ in 0..5 {
        again.harness.step();
    }
    assert!(again.harness.query_by_label_contains(OFFER).is_none());
}

#[test]
fn no_crash_no_offer_and_help_opens_the_logs_folder() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let (mut app, opened) = start(dir);
    app.harness.step();
    assert!(app.harness.query_by_label_contains(OFFER).is_none());
    app.harness.get_by_label_contains("Help").click();
    app.wait_for_text("Open logs folder");
    app.harness.get_by_label("Open logs folder").click();
    app.wait_for("the folder opened", |_| !opened.lock().unwrap().is_empty());
    assert_eq!(*opened.lock().unwrap(), vec![logs]);
}

#[test]
fn copy_diagnostics_puts_version_and_os_on_the_clipboard() {
    let (mut app, _) = start(tempfile::tempdir().unwrap());
    app.harness.step();
    app.harness.get_by_label_contains("Help").click();
    app.wait_for_text("Copy diagnostics");
    app.harness.get_by_label("Copy diagnostics").click();
    app.harness.step();
    let copied: Vec<String> = app
        .harness
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|command| match command {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(copied.len(), 1, "{copied:?}");
    assert!(copied[0].contains(&format!("Propdesk {}", env!("CARGO_PKG_VERSION"))), "{}", copied[0]);
    assert!(copied[0].contains(std::env::consts::OS), "{}", copied[0]);
    assert!(copied[0].contains("Environment: not signed in"), "{}", copied[0]);
    app.wait_for_text("Diagnostics copied");
}

#[test]
fn third_party_licences_opens_the_shipped_list() {
    let (mut app, opened) = start(tempfile::tempdir().unwrap());
    app.harness.step();
    app.harness.get_by_label_contains("Help").click();
    app.wait_for_text("Third-party licences");
    app.harness.get_by_label("Third-party licences").click();
    app.wait_for("the list opened", |_| !opened.lock().unwrap().is_empty());
    let file = opened.lock().unwrap()[0].clone();
    assert_eq!(file.file_name().unwrap(), "THIRD-PARTY-LICENSES.txt");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("Third-party software in Propdesk") && text.contains("egui 0.37"), "{}", file.display());
}
