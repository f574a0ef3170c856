//! The window on a team's shared PostgreSQL journal (issue 14): what another admin
//! wrote there is on this window's board. Skips without a test server, like the
//! journal suite (`PROPDESK_TEST_POSTGRES_URL`).

use super::harness::{SandboxAdmin, TestApp, onboard_one_trader, runtime, team_journal_folder};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use propdesk::api::{Environment, EnvironmentKind};
use propdesk::onboarding::journal::test_database::fresh_postgres_journal;
use propdesk::onboarding::journal::{Author, Journal};
use propdesk::sandbox::{ORG_NAME, OTHER_ORG_NAME, Sandbox, SandboxConfig};
use propdesk::store::{Paths, SecretStore, Settings, TeamJournalSettings};
use propdesk::subaccount::{DocumentRoute, Registry, RequestStage, Submission, TraderRef};
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
    // ...and sent a subaccount request for another, recorded in the team's registry.
    let annas_registry = Registry::open_postgres(&url, &journal_key(&custom)).expect("team registry");
    let trader = TraderRef { cta_user_id: 4242, display_name: "Priya Teamshared".into() };
    let sent = Submission::new("annas-draft", trader, DocumentRoute::UploadAfterCreate, RequestStage::Submitted);
    annas_registry.save(&sent).expect("saved");

    // Ben's window: the URL in the settings, the password in the keyring, as Setup saves them.
    let (dir, mock) = team_journal_folder(&url, |_| {});
    let settings_file = Paths::in_dir(dir.path()).settings_file();

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

/// A window of an admin on the team journal: settings naming `url` (password in its own
/// mock keyring) with auto-grant off, signed in to `sandbox`, on the Pipeline screen.
fn team_window(url: &str, sandbox: &Sandbox) -> TestApp {
    // Only the admin's click grants: neither window's watch grants by itself.
    let (dir, mock) =
        team_journal_folder(url, |settings| settings.environment_mut(EnvironmentKind::Custom).auto_grant = false);
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

#[test]
fn a_window_signed_in_to_another_firm_is_refused_by_the_team_journal_before_writing() {
    let Some(url) = fresh_postgres_journal("window_other_firm") else { return };
    let runtime = runtime();
    let sandbox = runtime.block_on(Sandbox::start(SandboxConfig::for_tests())).expect("sandbox");

    // Demo Firm's admin used the team journal first: the environment is Demo Firm's.
    let custom = Environment::custom(&sandbox.live_url(), &sandbox.demo_url(), None);
    let key = journal_key(&custom);
    Journal::open_postgres(&url, &key).expect("team journal").bind_firm(Some(ORG_NAME), "Custom").expect("bound");

    let (dir, mock) = team_journal_folder(&url, |_| {});

    // Other Firm's admin signs in to the same environment.
    let mut app = TestApp::start_in(dir, mock, StartEnvironment::SignedOut, runtime, None);
    app.sign_in_to_custom_as(&sandbox, &SandboxAdmin::OTHER_FIRM);
    app.wait_for_text("Signed in as");
    app.click_nav("Pipeline");
    let refusal = format!("This team journal holds Custom for {ORG_NAME}; you are signed in to {OTHER_ORG_NAME}");
    app.wait_for_text(&refusal);
    // Nothing of the window's reached the team database: no trader, no registry.
    let journal = Journal::open_postgres(&url, &key).expect("team journal");
    assert!(journal.traders().expect("traders").is_empty());
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    let registry_tables: i64 = admin
        .query_one("SELECT count(*) FROM information_schema.tables WHERE table_name = 'registry_schema_version' AND table_schema = current_schema()", &[])
        .expect("count")
        .get(0);
    assert_eq!(registry_tables, 0, "the registry was not even created for the refused window");
}

// ---- Setup → Team journal: the screen an admin uses ----

/// Clicks a button, scrolled into view first (the card may be below the fold).
fn click(app: &mut TestApp, label: &str) {
    let wanted = label.to_string();
    app.wait_for(label, move |h| h.query_by_role_and_label(egui::accesskit::Role::Button, &wanted).is_some());
    app.harness.get_by_role_and_label(egui::accesskit::Role::Button, label).scroll_to_me();
    for _ in 0..5 {
        app.harness.step();
    }
    app.harness.get_by_role_and_label(egui::accesskit::Role::Button, label).click();
    app.harness.step();
}

#[test]
fn setup_tests_and_switches_to_the_team_journal_then_moves_the_local_journal_into_it() {
    let Some(url) = fresh_postgres_journal("window_setup") else { return };
    let runtime = runtime();
    let sandbox = runtime.block_on(Sandbox::start(SandboxConfig::for_tests())).expect("sandbox");
    let custom = Environment::custom(&sandbox.live_url(), &sandbox.demo_url(), None);
    let key = journal_key(&custom);
    let dir = tempfile::tempdir().expect("temp dir");
    let paths = Paths::in_dir(dir.path());

    // Before the team: one trader onboarded from this laptop, into its journal file.
    let local = Arc::new(Journal::open(&paths.journal_file(), &key).expect("local journal"));
    let mine = runtime.block_on(onboard_one_trader(&sandbox, &local, "MINE"));
    drop(local);
    // Anna's trader, already in the team journal.
    let annas = Journal::open_postgres(&url, &key).expect("team journal");
    let annas = Arc::new(annas.with_author(Author { user: "anna".into(), host: "ops-laptop".into() }));
    let hers = runtime.block_on(onboard_one_trader(&sandbox, &annas, "HERS"));

    let mock = keyring_core::mock::Store::new().expect("mock keyring");
    let mut app = TestApp::start_in(dir, mock.clone(), StartEnvironment::SignedOut, runtime, None);
    app.sign_in_to_custom(&sandbox);
    app.wait_for_text("Signed in as");
    app.wait_for_text("This computer's journal");

    // A pasted address with a (wrong) password: the password moves to its masked field.
    let (bare, password) = TeamJournalSettings::from_typed_url(&url);
    let password = password.expect("the test server's URL carries a password");
    let wrong = url.replacen(password.expose(), "not-the-password", 1);
    app.type_into("Server address", &wrong);
    app.wait_for("the password taken out of the address", |h| {
        h.get_by_label("Server address").value().as_deref() == Some(bare.url.as_str())
    });
    click(&mut app, "Show database password");
    app.wait_for("the password, shown", |h| {
        h.get_by_label("Database password").value().as_deref() == Some("not-the-password")
    });
    click(&mut app, "Hide database password");
    click(&mut app, "Test connection");
    app.wait_for_text("Wrong user or password for 127.0.0.1:");
    assert!(app.harness.query_by_label_contains("not-the-password").is_none(), "no password in the message");

    app.retype("Database password", password.expose());
    click(&mut app, "Test connection");
    app.wait_for_text("Connected to PostgreSQL ");
    app.wait_for_text("1 environment, 1 trader");

    click(&mut app, "Use team journal");
    let name = "Team journal: 127.0.0.1:55432/postgres";
    app.wait_for_text(name);
    let secrets = SecretStore::with_store(mock.clone(), "test keyring");
    let saved = secrets.get_team_journal_password(&bare.url).expect("keyring");
    assert_eq!(saved.as_ref().map(|p| p.expose()), Some(password.expose()), "the password is in the keyring");
    let settings_file = Paths::in_dir(app.dir.path()).settings_file();
    let address = bare.url.clone();
    app.wait_for("the settings file names the team journal", move |_| {
        std::fs::read_to_string(&settings_file).is_ok_and(|text| text.contains(&address))
    });
    let settings_file = Paths::in_dir(app.dir.path()).settings_file();
    let text = std::fs::read_to_string(&settings_file).expect("settings file");
    assert!(text.contains(&bare.url), "the address is saved: {text}");
    assert!(!text.contains(password.expose()), "the password stays out of the settings file: {text}");

    // The board now reads the team journal: Anna's trader, not yet mine.
    app.click_nav("Pipeline");
    let wanted = hers.clone();
    app.wait_for("anna's trader on the board", move |h| h.query_by_label(&wanted).is_some());
    assert!(app.harness.query_by_label(&mine).is_none(), "this laptop's trader is not in the team journal yet");

    // Move: the count first, then the confirmation, then the copy.
    app.click_nav("Setup");
    click(&mut app, "Move my local journal…");
    app.wait_for_text("1 trader will be copied into the team journal 127.0.0.1:55432/postgres.");
    let lines = format!("{key}: 1 trader, ");
    app.wait_for_text(&lines);
    click(&mut app, "Copy 1 trader");
    app.wait_for_text("Copied 1 trader and ");
    app.click_nav("Pipeline");
    let wanted = mine.clone();
    app.wait_for("my trader on the team's board", move |h| h.query_by_label(&wanted).is_some());

    // A second move copies nothing and says so, without asking.
    app.click_nav("Setup");
    click(&mut app, "Move my local journal…");
    app.wait_for_text("Nothing to copy: the team journal already has every trader.");
    assert!(app.harness.query_by_label("Copy 1 trader").is_none());

    // Back to this computer's journal.
    click(&mut app, "Use this computer's journal");
    app.wait_for_text("This computer's journal");
}

#[test]
fn a_team_journal_that_cannot_be_opened_is_said_with_the_way_to_fix_it() {
    let runtime = runtime();
    let sandbox = runtime.block_on(Sandbox::start(SandboxConfig::for_tests())).expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let paths = Paths::in_dir(dir.path());
    // This laptop's own journal has a trader; it must not show up instead of the team's.
    let custom = Environment::custom(&sandbox.live_url(), &sandbox.demo_url(), None);
    let local = Arc::new(Journal::open(&paths.journal_file(), &journal_key(&custom)).expect("local journal"));
    let mine = runtime.block_on(onboard_one_trader(&sandbox, &local, "MINE"));
    drop(local);
    let team = TeamJournalSettings { url: "postgres://ops@127.0.0.1:1/propdesk".into() };
    Settings { team_journal: Some(team), ..Settings::default() }.save(&paths.settings_file()).expect("settings");

    let mock = keyring_core::mock::Store::new().expect("mock keyring");
    let mut app = TestApp::start_in(dir, mock, StartEnvironment::SignedOut, runtime, None);
    app.sign_in_to_custom(&sandbox);
    app.wait_for_text("Signed in as");
    app.click_nav("Pipeline");
    let said = "The team journal 127.0.0.1:1/propdesk could not be opened: fix it on Setup (Team journal card)";
    // On the board and in a toast.
    app.wait_for(said, move |h| h.query_all_by_label_contains(said).count() >= 1);
    assert!(app.harness.query_by_label(&mine).is_none(), "no silent fallback to this computer's journal");
    app.harness.get_by_label("Open Setup").click();
    app.harness.step();
    app.wait_for_text("In use: team journal 127.0.0.1:1/propdesk");
}

#[test]
fn the_journal_is_not_switched_while_an_onboarding_run_is_going() {
    let runtime = runtime();
    let sandbox = runtime.block_on(Sandbox::start(SandboxConfig::for_tests())).expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let roster = dir.path().join("roster.csv");
    std::fs::write(
        &roster,
        "name,email,password,firstName,lastName,streetAddress1,city,state,postCode,country,phone,accountName,initialBalance,dailyLossAutoLiq\n\
         busy1,busy1@example.com,Str0ng!Passw0rd,Jamie,Rivera,123 Maple Avenue,Albany,NY,12207,US,+1-518-555-0199,BUSY00001,50000,1000\n",
    )
    .expect("roster");
    let mock = keyring_core::mock::Store::new().expect("mock keyring");
    let mut app = TestApp::start_configured(dir, mock, StartEnvironment::SignedOut, runtime, None, move |config| {
        config.file_picker = propdesk::ui::open_dialog::fixed(roster);
    });
    app.sign_in_to_custom(&sandbox);
    app.wait_for_text("Signed in as");
    app.click_nav("Traders");
    app.wait_for_text("Import file");
    app.harness.get_by_label_contains("Import file").click();
    app.wait_for_text("Imported 1 rows from roster.csv");
    // The run stays inside its users batch long enough to look at Setup.
    sandbox.faults().delay_next("user/createevaluationusers", std::time::Duration::from_secs(2));
    app.wait_for("the run button", |h| {
        h.query_by_label_contains("Onboard 1 valid traders")
            .is_some_and(|b| !egui_kittest::kittest::NodeT::accesskit_node(&b).is_disabled())
    });
    app.harness.get_by_label_contains("Onboard 1 valid traders").click();
    app.harness.step();
    click(&mut app, "Onboard 1 trader");

    app.click_nav("Setup");
    app.wait_for_text("Server address");
    app.harness.get_by_label("Server address").scroll_to_me();
    app.harness.step();
    app.type_into("Server address", "postgres://ops@127.0.0.1:1/propdesk");
    app.wait_for_text("The journal cannot be switched while an onboarding run is in progress.");
    let disabled = |h: &egui_kittest::Harness<'static, propdesk::ui::PropdeskApp>| {
        h.query_by_role_and_label(egui::accesskit::Role::Button, "Use team journal")
            .is_some_and(|b| egui_kittest::kittest::NodeT::accesskit_node(&b).is_disabled())
    };
    assert!(disabled(&app.harness), "Use team journal waits for the run");

    // Once the run is over, the switch is offered again.
    app.wait_for("the switch offered again", move |h| !disabled(h));
    assert!(app.harness.query_by_label_contains("cannot be switched").is_none());
}
