//! The Pipeline board: traders move on it by themselves as they sign, and revoke and
//! cancel go through a confirmation dialog to the server.

use super::harness::{TestApp, onboard_one_trader, runtime};
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use propdesk::api::wire::PostTradeRisk;
use propdesk::api::{Domain, Environment, EnvironmentKind};
use propdesk::onboarding::board::{BoardStage, stage_of};
use propdesk::onboarding::journal::{Author, Journal};
use propdesk::onboarding::risk::RiskProfile;
use propdesk::sandbox::{Sandbox, SandboxConfig};
use propdesk::store::{Paths, Settings};
use propdesk::ui::{StartEnvironment, journal_key};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A sandbox whose traders sign `signature_delay` after their contact info, and the app
/// signed in to it as a Custom environment, on the Pipeline screen, listening.
fn signed_in_app(signature_delay: Duration) -> (TestApp, Sandbox) {
    signed_in_app_with_risk(signature_delay, None)
}

/// Like `signed_in_app`, with `risk` saved beforehand as DEMOFIRM50K's risk profile on
/// the Custom environment (as the Setup editor would have saved it).
fn signed_in_app_with_risk(signature_delay: Duration, risk: Option<RiskProfile>) -> (TestApp, Sandbox) {
    let runtime = runtime();
    // Strict entity types: only what the app subscribes to, by exact name, reaches it.
    let config = SandboxConfig { signature_delay, strict_entity_types: true, ..SandboxConfig::for_tests() };
    let sandbox = runtime.block_on(Sandbox::start(config)).expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    if let Some(profile) = risk {
        let mut settings = Settings::default();
        settings.environment_mut(EnvironmentKind::Custom).risk.set_profile("DEMOFIRM50K", profile);
        settings.save(&Paths::in_dir(dir.path()).settings_file()).expect("settings");
    }
    let mock = keyring_core::mock::Store::new().expect("mock keyring");
    let mut app = TestApp::start_in(dir, mock, StartEnvironment::SignedOut, runtime, None);
    app.sign_in_to_custom(&sandbox);
    app.wait_for_text("Signed in as");
    app.click_nav("Pipeline");
    // The entitlement chosen in Setup is what the watch grants; then it listens.
    app.wait_for("the entitlement to be chosen", |h| h.query_by_label("Grants").is_some());
    app.wait_for_text("Listening for signatures");
    app.wait_for_text("Nobody onboarded yet");
    (app, sandbox)
}

/// Onboards one trader with the library pipeline, into the app's own journal file, as
/// anna on ops-laptop (another team member than the window's).
fn onboard_one(app: &TestApp, sandbox: &Sandbox) -> (String, Arc<Journal>) {
    onboard_one_as(app, sandbox, "BOARD")
}

/// `onboard_one` with its own account-name prefix (several traders in one test).
fn onboard_one_as(app: &TestApp, sandbox: &Sandbox, account_prefix: &str) -> (String, Arc<Journal>) {
    let paths = Paths::in_dir(app.dir.path());
    let custom = Environment::custom(&sandbox.live_url(), &sandbox.demo_url(), None);
    let journal = Journal::open(&paths.journal_file(), &journal_key(&custom)).expect("journal");
    let journal = Arc::new(journal.with_author(Author { user: "anna".into(), host: "ops-laptop".into() }));
    let name = app._runtime.block_on(onboard_one_trader(sandbox, &journal, account_prefix));
    (name, journal)
}

#[test]
fn a_trader_moves_from_account_to_t_prop_granted_without_any_click() {
    let (mut app, sandbox) = signed_in_app(Duration::from_millis(1500));
    let (name, journal) = onboard_one(&app, &sandbox);
    let trader = journal.trader(&name).unwrap().expect("journaled");
    assert_eq!(stage_of(&trader), Some(BoardStage::Account), "not signed yet: {trader:?}");
    let user_id = trader.user_id.unwrap();

    // From here on, no click: the signature arrives over the WebSocket.
    let started = Instant::now();
    let wanted = name.clone();
    app.wait_for("the trader under T-Prop granted", move |h| {
        h.query_by_label(&wanted).is_some()
            && h.query_by_label("T-Prop granted").is_some()
            && h.query_by_label("T-Prop granted  1").is_some()
            && h.query_by_label("Ready to trade").is_some()
    });
    eprintln!("on the board as granted {:?} after onboarding", started.elapsed());
    assert!(app.harness.query_by_label("Account  0").is_some(), "nobody left waiting at Account");
    let stats = sandbox.stats();
    assert_eq!(sandbox.entitlements_of(user_id).len(), 1, "granted exactly once");
    assert_eq!(stats.calls_on(Domain::Live, "userplugin/addentitlementsubscription"), 1);
    let deps = stats.calls_on(Domain::Live, "adminalertsignal/deps");
    assert!((1..=2).contains(&deps), "deps only for catch-ups after (re)connects, was {deps}");

    // Now a click: the row opens the details with ids and the journal's history.
    app.harness.get_by_label(&name).click();
    app.wait_for_text("Trading permission id");
    // Each line says who wrote it: the onboarding was anna's, the grant this window's.
    app.wait_for_text("User created by anna on ops-laptop");
    let window = Author::of_this_process();
    app.wait_for_text(&format!("T-Prop entitlement granted by {} on {}", window.user, window.host));
    assert!(app.harness.query_by_label(&user_id.to_string()).is_some(), "the user id is shown");
}

#[test]
fn revoke_and_cancel_go_through_the_dialog_to_the_server() {
    let (mut app, sandbox) = signed_in_app(Duration::from_millis(300));
    let (name, _journal) = onboard_one(&app, &sandbox);
    let wanted = name.clone();
    app.wait_for("the trader granted", move |h| {
        h.query_by_label(&wanted).is_some() && h.query_by_label("T-Prop granted").is_some()
    });

    // Revoke: select, ask, confirm.
    app.harness.get_by_label(&format!("Select {name}")).click();
    app.harness.step();
    app.wait_for_text("1 selected");
    app.harness.get_by_role_and_label(Role::Button, "Revoke trading permissions").click();
    app.wait_for_text("Revoke trading permissions for 1 trader");
    assert_eq!(sandbox.stats().calls_on(Domain::Demo, "user/revoketradingpermissions"), 0, "nothing before confirming");
    app.harness.get_by_role_and_label(Role::Button, "Yes, revoke").click();
    app.wait_for_text("1 revoked");
    app.wait_for("the Revoked badge", |h| h.query_by_label("Revoked").is_some());
    assert_eq!(sandbox.stats().calls_on(Domain::Demo, "user/revoketradingpermissions"), 1);

    // Cancel: select all visible, then back out once, then confirm.
    app.harness.get_by_label("Select all visible").click();
    app.harness.step();
    app.harness.get_by_role_and_label(Role::Button, "Cancel everything").click();
    app.wait_for_text("Cancel everything for 1 trader");
    app.harness.get_by_role_and_label(Role::Button, "Keep them").click();
    app.harness.step();
    app.harness.step();
    assert!(app.harness.query_by_label_contains("Cancel everything for 1 trader").is_none(), "dialog closed");
    assert_eq!(sandbox.stats().calls_on(Domain::Demo, "user/canceleverything"), 0);
    app.harness.get_by_role_and_label(Role::Button, "Cancel everything").click();
    app.wait_for_text("Cancel everything for 1 trader");
    app.harness.get_by_role_and_label(Role::Button, "Yes, cancel everything").click();
    app.wait_for_text("1 cancelled");
    app.wait_for("the Cancelled badge", |h| h.query_by_label("Cancelled").is_some());
    let stats = sandbox.stats();
    assert_eq!(stats.calls_on(Domain::Demo, "user/canceleverything"), 1);
    assert_eq!(stats.calls_on(Domain::Live, "user/canceleverything"), 1);

    // A cancelled trader is never granted T-Prop (it would bill someone who left).
    if app.harness.query_by_label("1 selected").is_none() {
        app.harness.get_by_label(&format!("Select {name}")).click();
        app.harness.step();
        app.wait_for_text("1 selected");
    }
    let grant = app.harness.get_by_role_and_label(Role::Button, "Grant T-Prop now");
    assert!(grant.accesskit_node().is_disabled(), "Grant T-Prop now is disabled for a cancelled trader");
}

/// The 50K evaluation's rules: what the board puts on the chosen accounts.
fn fifty_k_profile() -> RiskProfile {
    let post_trade_risk = PostTradeRisk {
        daily_loss_alert: Some(800.0),
        daily_loss_auto_liq: Some(1_100.0),
        weekly_loss_auto_liq: Some(2_500.0),
        trailing_max_drawdown: Some(2_000.0),
        trailing_max_drawdown_mode: Some("EOD".into()),
        ..Default::default()
    };
    RiskProfile { template: "DEMOFIRM50K".into(), post_trade_risk, ..Default::default() }
}

/// The post-trade rules the sandbox holds for a trader's account.
fn stored_rules(app: &TestApp, sandbox: &Sandbox, journal: &Journal, name: &str) -> PostTradeRisk {
    let account_id = journal.trader(name).unwrap().and_then(|t| t.account_id).expect("an account");
    app._runtime.block_on(async {
        let client = crate::support::signed_in(sandbox).await;
        let stored = client.account_auto_liqs(account_id).await.unwrap();
        assert_eq!(stored.len(), 1, "one auto-liq entity per account");
        stored[0].risk.clone()
    })
}

fn select(app: &mut TestApp, name: &str) {
    app.harness.get_by_label(&format!("Select {name}")).click();
    app.harness.step();
}

#[test]
fn update_risk_rules_changes_exactly_the_two_selected_traders_accounts() {
    let profile = fifty_k_profile();
    let (mut app, sandbox) = signed_in_app_with_risk(Duration::from_millis(300), Some(profile.clone()));
    let traders: Vec<(String, Arc<Journal>)> =
        ["RISKA", "RISKB", "RISKC"].iter().map(|prefix| onboard_one_as(&app, &sandbox, prefix)).collect();
    let names: Vec<String> = traders.iter().map(|(name, _)| name.clone()).collect();
    let shown = names.clone();
    // The board re-reads the journal when the watch records their signatures.
    app.wait_for("three traders on the board", move |h| {
        shown.iter().all(|n| h.query_by_label(n).is_some()) && h.query_by_label("T-Prop granted  3").is_some()
    });
    let before = stored_rules(&app, &sandbox, &traders[2].1, &names[2]);
    assert_eq!(before.daily_loss_auto_liq, Some(1000.0), "created with the onboarding's own rules");

    select(&mut app, &names[0]);
    select(&mut app, &names[1]);
    app.wait_for_text("2 selected");
    app.harness.get_by_role_and_label(Role::Button, "Update risk rules").click();
    // The one confirmation: the environment, the count and the profile's key values.
    app.wait_for_text("Update the risk rules of 2 traders?");
    app.wait_for_text("daily loss limit $1100, weekly loss limit $2500, trailing max drawdown $2000");
    let update = "useraccountautoliq/updateuserautoliq";
    assert_eq!(sandbox.stats().calls_on(Domain::Demo, update), 0, "nothing before confirming");
    app.harness.get_by_role_and_label(Role::Button, "Yes, update the rules").click();
    app.wait_for_text("Risk rules: 2 updated");
    assert_eq!(sandbox.stats().calls_on(Domain::Demo, update), 2, "one call per chosen account");

    for (name, journal) in &traders[..2] {
        assert_eq!(stored_rules(&app, &sandbox, journal, name), profile.post_trade_risk, "{name} has the profile");
    }
    assert_eq!(stored_rules(&app, &sandbox, &traders[2].1, &names[2]), before, "the unselected trader is untouched");

    // The trader's details show the update in its history.
    app.harness.get_by_label(&names[0]).click();
    app.wait_for_text("Risk rules updated (DEMOFIRM50K profile)");
}

#[test]
fn update_risk_rules_is_disabled_with_its_reason_without_a_saved_profile() {
    let (mut app, sandbox) = signed_in_app(Duration::from_millis(300));
    let (name, _journal) = onboard_one(&app, &sandbox);
    let wanted = name.clone();
    app.wait_for("the trader on the board", move |h| {
        h.query_by_label(&wanted).is_some() && h.query_by_label("T-Prop granted").is_some()
    });
    select(&mut app, &name);
    app.wait_for_text("1 selected");
    let button = app.harness.get_by_role_and_label(Role::Button, "Update risk rules");
    assert!(button.accesskit_node().is_disabled(), "no profile: nothing to put on the account");
    button.hover();
    app.wait_for_text("Save the risk rules for DEMOFIRM50K in Setup first");
}

/// Issue 14 item 4: a run outside the window (the CLI, the library pipeline) writes to
/// the window's own journal file; the open board shows it by itself, with who did it.
#[test]
fn an_onboarding_run_outside_the_window_appears_on_the_open_board_without_a_click() {
    // Nobody signs during the test: no watch event can be what refreshes the board.
    let (mut app, sandbox) = signed_in_app(Duration::from_secs(600));
    let (name, _journal) = onboard_one(&app, &sandbox);
    let written = Instant::now();
    let wanted = name.clone();
    app.wait_for("the trader onboarded elsewhere, on the board", move |h| {
        h.query_by_label(&wanted).is_some() && h.query_by_label("Account  1").is_some()
    });
    eprintln!("the run's trader on the open board {:?} after its last write", written.elapsed());
    // Who made the trader's latest change, in words, on the row.
    app.wait_for_text("account created by anna on ops-laptop at ");
}

/// At 1024×640 (the small-screen size) the board with a trader keeps the stage, who made
/// the latest change and what it waits for inside the window (Email and Account make room).
#[test]
fn at_1024_px_the_stage_last_change_and_waiting_for_stay_inside_the_window() {
    const WIDTH: f64 = 1024.0;
    let (mut app, sandbox) = signed_in_app(Duration::from_secs(600));
    app.harness.set_size(egui::vec2(WIDTH as f32, 640.0));
    let (name, _journal) = onboard_one(&app, &sandbox);
    let wanted = name.clone();
    app.wait_for("the trader's latest change on the board", move |h| {
        h.query_by_label(&wanted).is_some() && h.query_by_label_contains("account created by anna").is_some()
    });
    let right_edge = |node: Option<egui_kittest::Node<'_>>, what: &str| {
        let node = node.unwrap_or_else(|| panic!("no {what:?} on the board"));
        node.accesskit_node().bounding_box().map_or(f64::MAX, |r| r.x1)
    };
    let mut edges: Vec<(&str, f64)> = ["Stage", "Last change", "Waiting for"]
        .into_iter()
        .map(|title| (title, right_edge(app.harness.query_by_label(title), title)))
        .collect();
    let change = app.harness.query_by_label_contains("account created by anna");
    edges.push(("the latest change", right_edge(change, "the latest change")));
    edges.push(("the wait", right_edge(app.harness.query_by_label("Waiting for the trader to sign"), "the wait")));
    for (what, x1) in edges {
        assert!(x1 <= WIDTH + 0.5, "{what:?} reaches x = {x1}, past the {WIDTH} px window");
    }
}

/// The team's always-on watcher (`propdesk watch`) as its heartbeat in the journal: a
/// healthy one makes the window close its own socket; a stale one makes it watch again.
#[test]
fn the_window_stands_down_while_a_team_watcher_reports_and_resumes_when_it_goes_quiet() {
    use propdesk::onboarding::watcher::{WatcherHeartbeat, WatcherState};
    let (mut app, sandbox) = signed_in_app(Duration::from_secs(24 * 3600));
    let (name, journal) = onboard_one(&app, &sandbox);
    let user_id = journal.trader(&name).unwrap().and_then(|t| t.user_id).expect("a user");
    let sockets = sandbox.open_sockets();
    assert!(sockets >= 1, "the window listens on a socket of its own");

    let now = chrono::Utc::now();
    let mut beat = WatcherHeartbeat {
        host: "ops-server".into(),
        user: "propdesk".into(),
        pid: 4242,
        state: WatcherState::Listening,
        started_at: now - chrono::Duration::hours(2),
        beat_at: now,
        last_signal_at: Some(now - chrono::Duration::seconds(190)),
        last_grant_at: None,
    };
    journal.write_watcher_heartbeat(&beat).unwrap();
    app.wait_for_text("Watcher on ops-server: listening, last signal 3 min ago");
    app.wait_for_text("this window does not watch");
    app.wait_for("the window's socket to close", |_| sandbox.open_sockets() == sockets - 1);
    // A signature now is the team watcher's to grant: the window sends nothing.
    assert!(sandbox.sign_agreement_now(user_id));
    let quiet_until = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < quiet_until {
        app.harness.step();
        std::thread::sleep(Duration::from_millis(15));
    }
    assert!(sandbox.entitlements_of(user_id).is_empty(), "the standing-down window granted nothing");
    assert!(app.harness.query_by_label_contains("Listening for signatures").is_none());

    // The watcher stops reporting: the window watches again and grants what was missed.
    beat.beat_at = chrono::Utc::now() - chrono::Duration::seconds(60);
    journal.write_watcher_heartbeat(&beat).unwrap();
    app.wait_for_text("Listening for signatures");
    assert!(app.harness.query_by_label_contains("Watcher on ops-server").is_none());
    app.wait_for("the window to grant the missed signature", |_| {
        sandbox.entitlements_of(user_id).contains(&propdesk::sandbox::ENTITLEMENT_TPROP)
    });
    assert_eq!(sandbox.open_sockets(), sockets, "one socket again: the window's");
}

#[test]
fn the_board_says_when_live_updates_are_paused_and_clears_it_when_the_journal_reads_again() {
    let (mut app, _sandbox) = signed_in_app(Duration::from_secs(600));
    let file = Paths::in_dir(app.dir.path()).journal_file();
    // The journal's change mark becomes unreadable under the window (a damaged or
    // half-restored file; for a team journal: the database is down).
    let other = rusqlite::Connection::open(&file).expect("the window's journal file");
    other.execute_batch("ALTER TABLE journal_changes RENAME TO journal_changes_away").unwrap();
    app.wait_for_text("Live updates paused");
    other.execute_batch("ALTER TABLE journal_changes_away RENAME TO journal_changes").unwrap();
    app.wait_for("the pause to clear", |h| h.query_all_by_label_contains("Live updates paused").next().is_none());
}
