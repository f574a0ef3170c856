//! `propdesk doctor`'s probes against the sandbox: everything confirmed against the
//! default sandbox, and the difference named against a sandbox that behaves otherwise.

use crate::support::{sandbox, sandbox_with, signed_in};
use propdesk::api::Domain;
use propdesk::doctor::{self, DoctorOptions, Probe, Report, Verdict};
use propdesk::sandbox::{ADMIN_PASSWORD, SECRET, Sandbox, SandboxConfig};
use std::time::Duration;

fn options() -> DoctorOptions {
    DoctorOptions { socket_wait: Duration::from_secs(5), test_trader: false }
}

/// Writes the probes must never make without `--test-trader`.
const WRITES: [&str; 5] = [
    "user/createEvaluationUsers",
    "contactInfo/updateContactInfo",
    "user/createEvaluationAccounts",
    "userPlugin/addEntitlementSubscription",
    "user/revokeTradingPermissions",
];

fn assert_read_only(sandbox: &Sandbox) {
    let stats = sandbox.stats();
    for path in WRITES {
        assert_eq!(stats.calls(path), 0, "{path} was called");
    }
    assert!(stats.calls("adminAlertSignal/deps") <= 1, "deps is asked at most once");
    assert_eq!((stats.users_created(), stats.accounts_created(), stats.entitlement_grants), (0, 0, 0));
}

fn verdict(report: &Report, probe: Probe) -> Verdict {
    report.finding(probe).unwrap_or_else(|| panic!("no finding for {probe:?}:\n{report}")).verdict
}

#[tokio::test]
async fn every_probe_is_confirmed_against_the_sandbox_and_nothing_is_written() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let report = doctor::run(&client, &options()).await;
    assert!(report.all_confirmed(), "{report}");
    assert_eq!(report.findings.len(), 11, "{report}");
    assert_read_only(&sandbox);
    assert_eq!(sandbox.stats().calls_on(Domain::Live, "adminAlertSignal/deps"), 1);
    // Nothing secret in the report.
    let text = report.to_string();
    let token = client.token().expect("signed in").value.expose().to_string();
    for secret in [ADMIN_PASSWORD, SECRET, token.as_str()] {
        assert!(!text.contains(secret), "a secret reached the report:\n{text}");
    }
}

#[tokio::test]
async fn deps_answering_only_on_demo_is_named_and_asked_once() {
    let sandbox = sandbox_with(SandboxConfig { deps_domain: Domain::Demo, ..SandboxConfig::for_tests() }).await;
    let client = signed_in(&sandbox).await;
    let report = doctor::run(&client, &options()).await;
    assert_eq!(verdict(&report, Probe::DepsHost), Verdict::Differs, "{report}");
    let detail = &report.finding(Probe::DepsHost).unwrap().detail;
    assert!(detail.contains("did not answer on LIVE for masterid 70"), "{detail}");
    assert!(!report.all_confirmed());
    assert_eq!(report.differences().len(), 1, "only deps differs:\n{report}");
    assert_eq!(sandbox.stats().calls("adminAlertSignal/deps"), 1, "one call, never a search across hosts");
    assert_read_only(&sandbox);
}

#[tokio::test]
async fn a_server_that_names_entity_types_strictly_is_named() {
    let sandbox = sandbox_with(SandboxConfig { strict_entity_types: true, ..SandboxConfig::for_tests() }).await;
    let client = signed_in(&sandbox).await;
    let report = doctor::run(&client, &options()).await;
    assert_eq!(verdict(&report, Probe::SocketAuthorize), Verdict::Confirmed, "{report}");
    assert_eq!(verdict(&report, Probe::SnapshotEntityTypes), Verdict::Differs, "{report}");
    let detail = &report.finding(Probe::SnapshotEntityTypes).unwrap().detail;
    assert!(detail.contains("No collection for "), "names the missing type: {detail}");
    assert_eq!(report.differences().len(), 1, "only the snapshot differs:\n{report}");
    assert_read_only(&sandbox);
}

#[tokio::test]
async fn a_deps_call_the_client_already_made_is_not_repeated() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    client.admin_alert_signals(client.environment().agreement_alert_id).await.expect("deps answers on LIVE");
    let report = doctor::run(&client, &options()).await;
    assert_eq!(verdict(&report, Probe::DepsHost), Verdict::Confirmed, "{report}");
    assert_eq!(sandbox.stats().calls("adminAlertSignal/deps"), 1, "the earlier answer is the evidence");
}

#[tokio::test]
async fn the_test_trader_reports_the_exact_grant_refusal_before_signing() {
    // Nobody signs for the test trader (on Staging, no person stands behind it).
    let config = SandboxConfig { signature_delay: Duration::from_secs(600), ..SandboxConfig::for_tests() };
    let sandbox = sandbox_with(config).await;
    let client = signed_in(&sandbox).await;
    let report = doctor::run(&client, &DoctorOptions { test_trader: true, ..options() }).await;
    assert!(report.all_confirmed(), "{report}");
    let grant = report.finding(Probe::GrantBeforeSigning).unwrap();
    assert_eq!(grant.detail, "refused with \"Live account is required\"");
    let stats = sandbox.stats();
    assert_eq!((stats.users_created(), stats.accounts_created(), stats.entitlement_grants), (1, 1, 0));
}

#[tokio::test]
async fn a_deps_refusal_the_client_already_met_is_the_answer() {
    let sandbox = sandbox_with(SandboxConfig { deps_domain: Domain::Demo, ..SandboxConfig::for_tests() }).await;
    let client = signed_in(&sandbox).await;
    let refused = client.admin_alert_signals(client.environment().agreement_alert_id).await;
    assert!(refused.is_err(), "DEMO-only deps refuses LIVE");
    let report = doctor::run(&client, &options()).await;
    assert_eq!(verdict(&report, Probe::DepsHost), Verdict::Differs, "{report}");
    assert!(report.finding(Probe::DepsHost).unwrap().detail.contains("HTTP 404"), "{report}");
    assert_eq!(sandbox.stats().calls("adminAlertSignal/deps"), 1, "the refusal is not asked for again");
}
