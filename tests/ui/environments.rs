//! State belongs to an environment, and Production never spends money without the
//! admin's yes: onboarding on two environments with one roster, the confirmation on a
//! Production-kind environment (a sandbox the test marks as Production), and a
//! remembered Production session that stays idle at launch.

use super::harness::{TestApp, onboard_one_trader, runtime};
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use propdesk::api::{Domain, Environment, EnvironmentKind};
use propdesk::onboarding::journal::Journal;
use propdesk::sandbox::{self, Sandbox, SandboxConfig};
use propdesk::store::{Paths, SecretStore};
use propdesk::ui::{AppConfig, PropdeskApp, StartEnvironment, journal_key, open_dialog, save_dialog};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const HEADER: &str = "name,email,password,firstName,lastName,streetAddress1,city,state,postCode,country,phone,accountName,initialBalance,dailyLossAutoLiq";

/// Three valid traders.
fn write_roster(dir: &Path) -> std::path::PathBuf {
    let mut text = format!("{HEADER}\n");
    for (name, account) in [("envada1", "ENVA00001"), ("envben2", "ENVB00002"), ("envcal3", "ENVC00003")] {
        text += &format!(
            "{name},{name}@example.com,Str0ng!Passw0rd,Jamie,Rivera,123 Maple Avenue,Albany,NY,12207,US,+1-518-555-0199,{account},50000,1000\n"
        );
    }
    let path = dir.join("roster.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// The app on a fresh directory with the roster behind the fake picker; `production`
/// points the Production environment at that sandbox (the test hook).
fn start(start: StartEnvironment, production: Option<&Sandbox>, runtime: tokio::runtime::Runtime) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mock = keyring_core::mock::Store::new().unwrap();
    start_in(dir, mock, start, production, runtime)
}

fn start_in(
    dir: tempfile::TempDir,
    mock: Arc<keyring_core::mock::Store>,
    start: StartEnvironment,
    production: Option<&Sandbox>,
    runtime: tokio::runtime::Runtime,
) -> TestApp {
    let roster = write_roster(dir.path());
    let mut config = AppConfig::new(Paths::in_dir(dir.path()), runtime.handle().clone());
    config.secret_store = SecretStore::with_store(mock.clone(), "test keyring");
    config.start = start;
    config.sandbox_config = SandboxConfig::for_tests();
    config.save_dialog = save_dialog::fixed(dir.path().join("activity.csv"));
    config.file_picker = open_dialog::fixed(roster);
    config.traders_save_dialog = Some(save_dialog::fixed(dir.path().join("results.csv")));
    config.production_hosts = production.map(production_hosts);
    let harness = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| PropdeskApp::new(cc, config));
    TestApp { harness, mock, dir, _runtime: runtime }
}

/// A sandbox marked as Production. It imitates staging, so its agreement alert id is 70.
fn production_hosts(sandbox: &Sandbox) -> Environment {
    Environment { kind: EnvironmentKind::Production, ..sandbox.environment() }
}

fn has_text(h: &egui_kittest::Harness<'static, PropdeskApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

/// A button whose label contains `label` is on screen and can be pressed.
fn enabled(h: &egui_kittest::Harness<'static, PropdeskApp>, label: &str) -> bool {
    h.query_all_by_label_contains(label)
        .any(|n| n.accesskit_node().role() == Role::Button && !n.accesskit_node().is_disabled())
}

/// Writes that cost money or create something on the server.
fn writes(sandbox: &Sandbox) -> u64 {
    let stats = sandbox.stats();
    ["user/createevaluationusers", "contactinfo/updatecontactinfo", "userplugin/addentitlementsubscription"]
        .iter()
        .map(|path| stats.calls_on(Domain::Live, path))
        .sum::<u64>()
        + stats.calls_on(Domain::Demo, "user/createevaluationaccounts")
}

/// Fills the sign-in form of the environment shown and signs in.
fn sign_in_form(app: &mut TestApp, environment: &str, sandbox: &Sandbox, remember: bool) {
    app.click_nav("Setup");
    let owned = environment.to_string();
    app.wait_for(environment, move |h| h.query_by_label(&owned).is_some());
    app.harness.get_by_label(environment).click();
    app.wait_for_text("Username");
    if environment == "Custom" {
        app.type_into("LIVE URL", &sandbox.live_url());
        app.type_into("DEMO URL", &sandbox.demo_url());
    }
    app.type_into("Username", sandbox::ADMIN_NAME);
    app.type_into("Password", sandbox::ADMIN_PASSWORD);
    app.type_into("API key name", sandbox::APP_ID);
    app.type_into("Key ID", sandbox::CID);
    app.type_into("Secret", sandbox::SECRET);
    if remember {
        app.harness.get_by_label("Remember on this computer").click();
        app.harness.step();
    }
    app.harness.get_by_role_and_label(Role::Button, "Sign in").click();
    app.wait_for_text("Signed in as");
}

fn import_roster(app: &mut TestApp) {
    app.click_nav("Traders");
    app.wait_for_text("Import file");
    app.harness.get_by_label_contains("Import file").click();
    app.wait_for_text("Imported 3 rows from roster.csv");
}

fn wait_finished(app: &mut TestApp, text: &str) {
    let owned = text.to_string();
    app.wait_for(text, move |h| has_text(h, &owned));
}

#[test]
fn each_environment_shows_its_own_results_and_the_run_goes_to_the_environment_shown() {
    let runtime = runtime();
    let second = runtime.block_on(Sandbox::start(SandboxConfig::for_tests())).expect("second sandbox");
    let mut app = start(StartEnvironment::Sandbox, None, runtime);
    app.wait_for("the firm's plan", |h| h.query_by_label("DEMOFIRM_MONTHLY").is_some());
    import_roster(&mut app);
    app.wait_for("the run button", |h| enabled(h, "Onboard 3 valid traders"));
    // The Sandbox asks nothing.
    app.harness.get_by_label_contains("Onboard 3 valid traders").click();
    wait_finished(&mut app, "Finished: Done: 3 of 3");
    app.wait_for_text("3 onboarded on Sandbox");

    // Another environment: the same roster, none of the Sandbox's results.
    sign_in_form(&mut app, "Custom", &second, false);
    app.wait_for("the firm's plan", |h| h.query_by_label("DEMOFIRM_MONTHLY").is_some());
    app.click_nav("Traders");
    app.wait_for_text("0 onboarded on Custom");
    app.wait_for("the run button on Custom", |h| enabled(h, "Onboard 3 valid traders"));
    assert!(!has_text(&app.harness, "Finished: Done"), "the Sandbox's run is not shown on Custom");
    assert!(!has_text(&app.harness, "Done earlier"), "nothing is shown as done on Custom");
    assert!(!has_text(&app.harness, "Retry"), "nothing to retry on Custom");
    app.harness.get_by_label_contains("Onboard 3 valid traders").click();
    // Custom shows the confirmation, without the typing.
    app.wait_for_text("3 users will be billed on DEMOFIRM_MONTHLY");
    assert!(app.harness.query_by_label("Type PRODUCTION to confirm").is_none());
    app.harness.get_by_role_and_label(Role::Button, "Onboard 3 traders").click();
    wait_finished(&mut app, "Finished: Done: 3 of 3");
    app.wait_for_text("3 onboarded on Custom");
    assert_eq!(second.stats().users_created(), 3, "the run created the users on the second sandbox");
    assert_eq!(second.stats().accounts_created(), 3);

    // Back to the Sandbox: its results are still there.
    app.click_nav("Setup");
    app.wait_for("the environment choice", |h| h.query_by_label("Sandbox").is_some());
    app.harness.get_by_label("Sandbox").click();
    app.harness.step();
    app.harness.get_by_label("Start the Sandbox").click();
    app.wait_for_text("Sandbox · offline");
    app.click_nav("Traders");
    app.wait_for_text("3 onboarded on Sandbox");
    wait_finished(&mut app, "Finished: Done: 3 of 3");
    assert!(!enabled(&app.harness, "Onboard 3 valid traders"), "nothing left to onboard on the Sandbox");
}

#[test]
fn production_names_the_plan_and_count_sends_nothing_on_cancel_and_needs_the_typed_word() {
    let runtime = runtime();
    let production = runtime.block_on(Sandbox::start(SandboxConfig::for_tests())).expect("sandbox");
    let mut app = start(StartEnvironment::SignedOut, Some(&production), runtime);
    sign_in_form(&mut app, "Production", &production, false);
    app.wait_for_text("PRODUCTION · live data");
    // Only the exact *_MONTHLY plan is preselected; the entitlement never is.
    app.wait_for("the firm's plan", |h| h.query_by_label_contains("Plan · DEMOFIRM_MONTHLY").is_some());
    app.wait_for_text("Choose the entitlement");
    import_roster(&mut app);
    app.wait_for("the run button", |h| enabled(h, "Onboard 3 valid traders"));
    let before = writes(&production);

    app.harness.get_by_label_contains("Onboard 3 valid traders").click();
    app.wait_for_text("3 users will be billed on DEMOFIRM_MONTHLY");
    assert!(has_text(&app.harness, "Onboard 3 traders on Production?"), "names the environment and the count");
    assert!(has_text(&app.harness, "DEMOFIRM50K"), "names the template");
    app.harness.get_by_role_and_label(Role::Button, "Cancel").click();
    app.harness.step();
    app.harness.step();
    assert!(!has_text(&app.harness, "will be billed"), "the dialog closed");
    std::thread::sleep(Duration::from_millis(300));
    app.harness.step();
    assert_eq!(writes(&production), before, "Cancel sent nothing");

    // Again: the confirm button waits for the word.
    app.harness.get_by_label_contains("Onboard 3 valid traders").click();
    app.wait_for_text("Type PRODUCTION to confirm");
    assert!(!enabled(&app.harness, "Onboard 3 traders"), "disabled until PRODUCTION is typed");
    app.type_into("Type PRODUCTION to confirm", "PRODUCTIO");
    assert!(!enabled(&app.harness, "Onboard 3 traders"), "the whole word");
    app.harness.get_by_label("Type PRODUCTION to confirm").type_text("N");
    app.harness.step();
    app.wait_for("the confirm button", |h| enabled(h, "Onboard 3 traders"));
    app.harness.get_by_role_and_label(Role::Button, "Onboard 3 traders").click();
    wait_finished(&mut app, "Finished: Done: 3 of 3");
    assert_eq!(production.stats().users_created(), 3, "confirmed: the users were created");
}

/// Onboards one trader into the app's Production journal with the library pipeline.
fn onboard_one(dir: &Path, runtime: &tokio::runtime::Runtime, sandbox: &Sandbox) -> i64 {
    let journal = Journal::open(&Paths::in_dir(dir).journal_file(), &journal_key(&production_hosts(sandbox)));
    let journal = Arc::new(journal.expect("journal"));
    let name = runtime.block_on(onboard_one_trader(sandbox, &journal, "PROD"));
    journal.trader(&name).unwrap().and_then(|t| t.user_id).expect("user id")
}

fn confirm_typed(app: &mut TestApp, button: &str) {
    app.wait_for_text("Type PRODUCTION to confirm");
    app.type_into("Type PRODUCTION to confirm", "PRODUCTION");
    let owned = button.to_string();
    app.wait_for(button, move |h| enabled(h, &owned));
    app.harness.get_by_role_and_label(Role::Button, button).click();
    app.harness.step();
}

#[test]
fn a_remembered_production_session_grants_nothing_until_the_admin_confirms() {
    let first_runtime = runtime();
    let production = first_runtime.block_on(Sandbox::start(SandboxConfig::for_tests())).expect("sandbox");
    let grants = |s: &Sandbox| s.stats().calls_on(Domain::Live, "userplugin/addentitlementsubscription");

    // First launch: sign in with Remember, choose the entitlement, turn auto-grant on.
    let mut first = start(StartEnvironment::SignedOut, Some(&production), first_runtime);
    sign_in_form(&mut first, "Production", &production, true);
    first.wait_for_text("remembered in test keyring");
    first.wait_for_text("Choose the entitlement");
    // The list arrives after the checklist shows.
    first.wait_for("the entitlement picker", |h| h.query_by_label("Entitlement").is_some());
    // Below the fold at 1280×800 (the risk-rules card sits above it): scroll, let it settle.
    first.harness.get_by_label("Entitlement").scroll_to_me();
    for _ in 0..30 {
        first.harness.step();
    }
    first.harness.get_by_label("Entitlement").click();
    first.wait_for_text("Tradovate Prop (ID");
    first.harness.get_by_label_contains("Tradovate Prop (ID").click();
    first.wait_for_text("Entitlement · Tradovate Prop");
    first.click_nav("Pipeline");
    first.wait_for_text("Idle: not watching for signatures");
    first.harness.get_by_label("Auto-grant T-Prop when a trader signs").click();
    first.harness.step();
    first.wait_for_text("Every trader who signs from now on will be billed for Tradovate Prop");
    confirm_typed(&mut first, "Turn auto-grant on");
    let settings = first.dir.path().join("settings.json");
    first.wait_for("auto-grant saved", move |_| {
        std::fs::read_to_string(&settings).is_ok_and(|s| s.contains("\"auto_grant\": true") && s.contains("3"))
    });
    let TestApp { harness, mock, dir, _runtime } = first;
    drop(harness);

    // Meanwhile a trader is onboarded and signs the agreement.
    let user_id = onboard_one(dir.path(), &_runtime, &production);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !production.has_signed_agreement(user_id) {
        assert!(Instant::now() < deadline, "the trader never signed");
        std::thread::sleep(Duration::from_millis(50));
    }
    // `_runtime` serves the sandbox: it lives until the end of the test.

    // Second launch: restored, signed in, idle.
    let mut second = start_in(dir, mock, StartEnvironment::LastUsed, Some(&production), runtime());
    second.wait_for_text("PRODUCTION · live data");
    second.click_nav("Pipeline");
    second.wait_for_text("Idle: not watching for signatures");
    let idle_until = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < idle_until {
        second.harness.step();
        std::thread::sleep(Duration::from_millis(30));
    }
    assert_eq!(grants(&production), 0, "no grant before the admin confirms");
    assert_eq!(production.stats().calls_on(Domain::Live, "adminalertsignal/deps"), 0, "not even a catch-up");

    second.harness.get_by_label_contains("Start watching").click();
    second.harness.step();
    second.wait_for_text("Every trader who signs will be billed for Tradovate Prop");
    confirm_typed(&mut second, "Start");
    let deadline = Instant::now() + Duration::from_secs(20);
    while grants(&production) == 0 {
        assert!(Instant::now() < deadline, "no grant after confirming");
        second.harness.step();
        std::thread::sleep(Duration::from_millis(30));
    }
    assert_eq!(production.entitlements_of(user_id).len(), 1, "granted once, after the confirmation");
}

#[test]
fn a_subaccount_draft_stays_with_the_environment_it_was_typed_on() {
    let runtime = runtime();
    let second = runtime.block_on(Sandbox::start(SandboxConfig::for_tests())).expect("second sandbox");
    let mut app = start(StartEnvironment::Sandbox, None, runtime);
    app.wait_for_text("Sandbox · offline");
    app.click_nav("Subaccounts");
    app.wait_for_text("New request");
    app.harness.get_by_label_contains("New request").click();
    app.wait_for_text("Whose subaccount is it?");
    app.type_into("Trader name", "Sandbox Only");

    // On another environment: its own (empty) requests, no trace of the Sandbox's draft.
    sign_in_form(&mut app, "Custom", &second, false);
    app.click_nav("Subaccounts");
    app.wait_for_text("New request");
    assert!(!has_text(&app.harness, "Whose subaccount is it?"), "the Sandbox's wizard is not open on Custom");
    app.harness.get_by_label_contains("New request").click();
    app.wait_for_text("Whose subaccount is it?");
    assert!(app.harness.query_all_by_value("Sandbox Only").next().is_none(), "Custom starts a blank request");

    // Back on the Sandbox: the draft is where it was left.
    app.click_nav("Setup");
    app.wait_for("the environment choice", |h| h.query_by_label("Sandbox").is_some());
    app.harness.get_by_label("Sandbox").click();
    app.harness.step();
    app.harness.get_by_label("Start the Sandbox").click();
    app.wait_for_text("Sandbox · offline");
    app.click_nav("Subaccounts");
    app.wait_for("the Sandbox's draft", |h| h.query_all_by_value("Sandbox Only").next().is_some());
}
