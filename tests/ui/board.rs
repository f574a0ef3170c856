//! The Pipeline board: traders move on it by themselves as they sign, and revoke and
//! cancel go through a confirmation dialog to the server.

use super::harness::{TestApp, onboard_one_trader, runtime};
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use propdesk::api::{Domain, Environment};
use propdesk::onboarding::board::{BoardStage, stage_of};
use propdesk::onboarding::journal::Journal;
use propdesk::sandbox::{Sandbox, SandboxConfig};
use propdesk::store::Paths;
use propdesk::ui::{StartEnvironment, journal_key};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A sandbox whose traders sign `signature_delay` after their contact info, and the app
/// signed in to it as a Custom environment, on the Pipeline screen, listening.
fn signed_in_app(signature_delay: Duration) -> (TestApp, Sandbox) {
    let runtime = runtime();
    // Strict entity types: only what the app subscribes to, by exact name, reaches it.
    let config = SandboxConfig { signature_delay, strict_entity_types: true, ..SandboxConfig::for_tests() };
    let sandbox = runtime.block_on(Sandbox::start(config)).expect("sandbox");
    let mut app = TestApp::start_full(StartEnvironment::SignedOut, runtime, None);
    app.sign_in_to_custom(&sandbox);
    app.wait_for_text("Signed in as");
    app.click_nav("Pipeline");
    // The entitlement chosen in Setup is what the watch grants; then it listens.
    app.wait_for("the entitlement to be chosen", |h| h.query_by_label("Grants").is_some());
    app.wait_for_text("Listening for signatures");
    app.wait_for_text("Nobody onboarded yet");
    (app, sandbox)
}

/// Onboards one trader with the library pipeline, into the app's own journal file.
fn onboard_one(app: &TestApp, sandbox: &Sandbox) -> (String, Arc<Journal>) {
    let paths = Paths::in_dir(app.dir.path());
    let custom = Environment::custom(&sandbox.live_url(), &sandbox.demo_url(), None);
    let journal = Arc::new(Journal::open(&paths.journal_file(), &journal_key(&custom)).expect("journal"));
    let name = app._runtime.block_on(onboard_one_trader(sandbox, &journal, "BOARD"));
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
    app.wait_for_text("T-Prop entitlement granted");
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
