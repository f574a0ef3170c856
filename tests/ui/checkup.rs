//! Setup's "Check connection": the doctor's probes, run from the window off the UI
//! thread, with the report shown probe by probe.

use super::harness::{TestApp, runtime};
use egui_kittest::kittest::Queryable;
use propdesk::api::Domain;
use propdesk::doctor::Probe;
use propdesk::ui::StartEnvironment;

#[test]
fn check_connection_on_the_sandbox_shows_every_probe_confirmed() {
    let mut app = TestApp::start(StartEnvironment::Sandbox);
    app.wait_for("the firm's plan", |h| h.query_by_label("DEMOFIRM_MONTHLY").is_some());
    app.harness.get_by_label("Check connection").click();
    app.wait_for_text("All 11 checks confirmed");
    for probe in [
        Probe::SignIn,
        Probe::TokenOnLive,
        Probe::TokenOnDemo,
        Probe::Plans,
        Probe::Templates,
        Probe::Entitlements,
        Probe::UserFindUnknown,
        Probe::TradingPermissionsDomain,
        Probe::SocketAuthorize,
        Probe::SnapshotEntityTypes,
        Probe::DepsHost,
    ] {
        assert!(app.harness.query_by_label(probe.title()).is_some(), "{} is listed", probe.title());
    }
    assert!(app.harness.query_by_label("DIFFERS").is_none(), "nothing differs");
}

#[test]
fn check_connection_names_a_difference_beside_the_probe() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mock = keyring_core::mock::Store::new().expect("mock keyring");
    let mut app = TestApp::start_configured(dir, mock, StartEnvironment::Sandbox, runtime(), None, |config| {
        config.sandbox_config.deps_domain = Domain::Demo;
    });
    app.wait_for("the firm's plan", |h| h.query_by_label("DEMOFIRM_MONTHLY").is_some());
    app.harness.get_by_label("Check connection").click();
    app.wait_for_text("1 of 11 checks differ from our assumptions");
    assert!(app.harness.query_by_label("DIFFERS").is_some());
    assert!(app.harness.query_all_by_label_contains("did not answer on LIVE for masterid 70").count() >= 1);
}
