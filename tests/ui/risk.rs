//! Risk rules in Setup: a roster with no risk columns cannot be onboarded until the
//! template has a profile; the profile editor shows a rule error beside its field; once
//! fixed and saved, the run creates accounts that carry the rules on the sandbox.

use super::harness::{TestApp, runtime};
use egui_kittest::kittest::{NodeT, Queryable};
use propdesk::sandbox::SandboxConfig;
use propdesk::ui::{StartEnvironment, open_dialog};
use std::time::{Duration, Instant};

const ROSTER: &str = "name,email,password,firstName,lastName,accountName,initialBalance
riskui1,riskui1@example.com,Str0ng!Passw0rd,Jamie,Rivera,RISKUI00001,50000
riskui2,riskui2@example.com,Str0ng!Passw0rd,Alex,Morgan,RISKUI00002,50000
";

fn has_text(app: &TestApp, text: &str) -> bool {
    app.harness.query_all_by_label_contains(text).next().is_some()
}

/// Scrolls a labelled widget into view and lets the animation settle.
fn show(app: &mut TestApp, label: &str) {
    app.harness.get_by_label(label).scroll_to_me();
    for _ in 0..30 {
        app.harness.step();
    }
}

/// The app on the Sandbox, its file dialog answering `roster`, the setup data loaded.
fn start_with_roster_file(dir: tempfile::TempDir, roster: std::path::PathBuf) -> TestApp {
    let mock = keyring_core::mock::Store::new().unwrap();
    let mut app = TestApp::start_configured(dir, mock, StartEnvironment::Sandbox, runtime(), None, |config| {
        config.sandbox_config = SandboxConfig::for_tests();
        config.file_picker = open_dialog::fixed(roster);
    });
    app.wait_for("the firm's plan", |h| h.query_by_label("DEMOFIRM_MONTHLY").is_some());
    app
}

/// Traders → Import file, with the two-row roster the dialog answers.
fn import_roster(app: &mut TestApp) {
    app.click_nav("Traders");
    app.wait_for_text("No traders yet");
    app.harness.get_by_label_contains("Import file").click();
    app.wait_for_text("Imported 2 rows");
}

fn enabled(app: &TestApp, label: &str) -> bool {
    !app.harness.get_by_label(label).accesskit_node().is_disabled()
}

#[test]
fn a_profile_made_in_setup_with_a_rule_error_fixed_reaches_every_account() {
    let dir = tempfile::tempdir().unwrap();
    let roster = dir.path().join("plain.csv");
    std::fs::write(&roster, ROSTER).unwrap();
    let mut app = start_with_roster_file(dir, roster);

    // A plain roster: the run is blocked until the template has rules.
    import_roster(&mut app);
    app.wait_for_text("Set the risk rules for DEMOFIRM50K first");

    // Setup: an alert above the auto-liquidate level is refused beside the alert field.
    app.click_nav("Setup");
    app.wait_for_text("Risk rules · DEMOFIRM50K");
    // The checklist says what is missing, and Setup does not send the admin on yet.
    assert!(has_text(&app, "Set the risk rules"), "the checklist names the missing rules");
    assert!(!has_text(&app, "Next: add traders"), "Setup is not complete without risk rules");
    app.retype("Daily loss limit", "2000");
    app.retype("Daily loss alert", "3000");
    app.retype("Trailing max drawdown", "2500");
    app.retype("Max long position", "5");
    app.wait_for_text("Daily loss alert ($3000) must not be above the auto-liquidate level ($2000)");
    assert!(!enabled(&app, "Save risk rules"), "a profile that breaks a rule cannot be saved");

    app.retype("Daily loss alert", "1500");
    app.wait_for("the error to clear", |h| h.query_by_label_contains("must not be above").is_none());
    show(&mut app, "Save risk rules");
    assert!(enabled(&app, "Save risk rules"));
    app.harness.get_by_label("Save risk rules").click();
    app.wait_for_text("Saved; every new account gets these rules");
    app.wait_for_text("Risk rules saved");
    assert!(has_text(&app, "Next: add traders"), "Setup is complete once the rules are saved");

    // Onboard: both accounts carry the rules.
    app.click_nav("Traders");
    app.wait_for("the run button to enable", |h| {
        h.query_by_label_contains("Onboard 2 valid traders").is_some_and(|n| !n.accesskit_node().is_disabled())
    });
    assert!(!has_text(&app, "Set the risk rules"));
    app.harness.get_by_label_contains("Onboard 2 valid traders").click();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !has_text(&app, "Finished: Done: 2 of 2") {
        app.harness.step();
        assert!(Instant::now() < deadline, "timed out waiting for the run to finish");
        std::thread::sleep(Duration::from_millis(15));
    }
    let client = app.harness.state().client().expect("signed in");
    let rt = runtime();
    for name in ["RISKUI00001", "RISKUI00002"] {
        let (risk, limits) = rt.block_on(async {
            let account = client.find_account(name).await.unwrap().expect("created");
            (
                client.account_auto_liqs(account.id).await.unwrap(),
                client.account_position_limits(account.id).await.unwrap(),
            )
        });
        let risk = &risk[0].risk;
        assert_eq!(
            (risk.daily_loss_alert, risk.daily_loss_auto_liq, risk.trailing_max_drawdown),
            (Some(1500.0), Some(2000.0), Some(2500.0)),
            "{name}"
        );
        assert_eq!(limits[0].long_limit, Some(5), "{name}");
    }
    // The profile is kept in settings for the next launch (written off the UI thread, so
    // wait for the write rather than read once).
    let settings = app.dir.path().join("settings.json");
    app.wait_for("the profile in settings.json", |_| {
        std::fs::read_to_string(&settings).is_ok_and(|text| text.contains("dailyLossAlert"))
    });
}

/// A roster whose second row lowers the daily loss alert for that trader.
const OVERRIDE_ROSTER: &str = "name,email,password,firstName,lastName,accountName,initialBalance,dailyLossAlert
riskrow1,riskrow1@example.com,Str0ng!Passw0rd,Jamie,Rivera,RISKROW0001,50000,
riskrow2,riskrow2@example.com,Str0ng!Passw0rd,Alex,Morgan,RISKROW0002,50000,500
";

#[test]
fn a_roster_override_that_breaks_the_ladder_with_the_profile_shows_on_its_cell_as_typed() {
    use propdesk::api::EnvironmentKind;
    use propdesk::onboarding::risk::RiskProfile;
    use propdesk::store::{Paths, Settings};

    let dir = tempfile::tempdir().unwrap();
    let roster = dir.path().join("override.csv");
    std::fs::write(&roster, OVERRIDE_ROSTER).unwrap();
    // The Sandbox's DEMOFIRM50K profile liquidates at a $2000 daily loss.
    let mut profile = RiskProfile::default();
    profile.post_trade_risk.daily_loss_auto_liq = Some(2000.0);
    let mut settings = Settings::default();
    settings.environment_mut(EnvironmentKind::Sandbox).risk.set_profile("DEMOFIRM50K", profile);
    settings.save(&Paths::in_dir(dir.path()).settings_file()).unwrap();
    let mut app = start_with_roster_file(dir, roster);
    import_roster(&mut app);
    app.wait_for_text("2 ready");

    // Typed into the row's editor: an alert above the profile's limit is an error on
    // that row at once, before any run.
    app.harness.get_by_label("riskrow2").click();
    app.wait_for_text("✏ riskrow2");
    app.retype("Daily loss alert", "3000");
    let wanted = "Daily loss alert ($3000) must not be above the auto-liquidate level ($2000)";
    // Beside the field in the editor, and in the row's status.
    app.wait_for("the rule error on the row", move |h| h.query_all_by_label_contains(wanted).next().is_some());
    app.wait_for_text("1 to fix");
    app.wait_for_text("1 need attention");
    assert!(has_text(&app, "template profile and this row together"), "the message says where the limit comes from");

    app.retype("Daily loss alert", "1500");
    app.wait_for("the error to clear", |h| h.query_by_label_contains("must not be above").is_none());
    app.wait_for_text("2 ready");
}

#[test]
fn a_profile_file_imports_into_the_editor_a_bad_one_is_refused_beside_it_and_the_saved_one_exports() {
    use propdesk::api::EnvironmentKind;
    use propdesk::onboarding::risk::{RiskProfile, read_profile_file, write_profile_file};
    use propdesk::store::{Paths, Settings};
    use propdesk::ui::{RiskFileDialogs, save_dialog};

    let dir = tempfile::tempdir().unwrap();
    let (incoming, exported) = (dir.path().join("incoming.json"), dir.path().join("exported.json"));
    let mut saved = RiskProfile::default();
    saved.post_trade_risk.daily_loss_auto_liq = Some(2000.0);
    let mut settings = Settings::default();
    settings.environment_mut(EnvironmentKind::Sandbox).risk.set_profile("DEMOFIRM50K", saved);
    settings.save(&Paths::in_dir(dir.path()).settings_file()).unwrap();
    let mock = keyring_core::mock::Store::new().unwrap();
    let files =
        RiskFileDialogs { open: open_dialog::fixed(incoming.clone()), save: save_dialog::fixed(exported.clone()) };
    let mut app = TestApp::start_configured(dir, mock, StartEnvironment::Sandbox, runtime(), None, |config| {
        config.sandbox_config = SandboxConfig::for_tests();
        config.risk_files = files;
    });
    app.wait_for_text("Risk rules · DEMOFIRM50K");
    let field = |app: &TestApp, label: &str| app.harness.get_by_label(label).value().unwrap_or_default();
    app.wait_for("the saved profile in the editor", |h| {
        h.get_by_label("Daily loss limit").value().as_deref() == Some("2000")
    });

    // A misspelt rule: refused beside the editor, the form keeps what it had.
    std::fs::write(&incoming, r#"{"postTradeRisk": {"dailyLossLimit": 1000}}"#).unwrap();
    show(&mut app, "Import…");
    app.harness.get_by_label("Import…").click();
    app.wait_for_text("postTradeRisk has no field 'dailyLossLimit'");
    assert!(has_text(&app, "incoming.json"), "the message names the file");
    assert_eq!(field(&app, "Daily loss limit"), "2000", "the current profile is untouched");

    // A good file (as `propdesk risk export` writes it) fills the form; Save makes it count.
    let mut file_profile = RiskProfile { template: "OTHER".into(), ..Default::default() };
    file_profile.post_trade_risk.daily_loss_auto_liq = Some(1100.0);
    file_profile.post_trade_risk.trailing_max_drawdown = Some(2500.0);
    write_profile_file(&incoming, &file_profile).unwrap();
    app.harness.get_by_label("Import…").click();
    app.wait_for_text("Loaded incoming.json");
    assert!(!has_text(&app, "no field"), "the old refusal is gone");
    assert_eq!(field(&app, "Daily loss limit"), "1100");
    assert_eq!(field(&app, "Trailing max drawdown"), "2500");
    show(&mut app, "Save risk rules");
    app.harness.get_by_label("Save risk rules").click();
    app.wait_for_text("Saved; every new account gets these rules");

    // Export writes the saved rules with the same function the CLI uses.
    show(&mut app, "Export…");
    app.harness.get_by_label("Export…").click();
    app.wait_for_text("Exported the saved rules to");
    let written = read_profile_file(&exported).expect("a valid profile file");
    assert_eq!(written.template, "DEMOFIRM50K");
    assert_eq!(written.post_trade_risk, file_profile.post_trade_risk);
}
