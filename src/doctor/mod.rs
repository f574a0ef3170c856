//! `propdesk doctor` and the Setup screen's "Check connection": before a firm's first
//! run, ask the real server about the points our documents leave UNCONFIRMED
//! (`docs/assumptions.md`) and report, probe by probe, what was confirmed and what differs.
//!
//! Read-only by default: lists, finds and the WebSocket snapshot, and at most one
//! `adminAlertSignal/deps` call, all through the app's own client (its routing, budgets
//! and error model). `test_trader` writes: one test user and account, then a grant that
//! should be refused. It is for Staging, never Production.

mod probes;
mod report;
mod test_trader;

pub use report::{Finding, Probe, Report, Verdict};
pub use test_trader::refuse_on_production;

use crate::api::Client;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct DoctorOptions {
    /// How long the WebSocket may take to authorize and send its snapshot.
    pub socket_wait: Duration,
    /// Create one test user and account and try a grant before signing (Staging only).
    pub test_trader: bool,
}

impl Default for DoctorOptions {
    fn default() -> Self {
        Self { socket_wait: Duration::from_secs(20), test_trader: false }
    }
}

/// Runs every probe with a signed-in client. Never fails: what could not be checked is
/// a finding too.
pub async fn run(client: &Client, options: &DoctorOptions) -> Report {
    let mut findings = vec![probes::sign_in(client)];
    let (on_live, plan) = probes::plans(client).await;
    findings.extend(on_live);
    let (on_demo, templates) = probes::templates(client).await;
    findings.extend(on_demo);
    let (entitlement_finding, entitlement) = probes::entitlements(client).await;
    findings.push(entitlement_finding);
    findings.push(probes::user_find_unknown(client).await);
    findings.push(probes::trading_permissions_domain(client, &templates).await);
    findings.extend(probes::socket(client, options.socket_wait).await);
    findings.push(probes::deps_host(client).await);
    if options.test_trader {
        let chosen = test_trader::Chosen { plan, template: templates.into_iter().next(), entitlement };
        findings.extend(test_trader::run(client, &chosen).await);
    }
    Report { environment: describe(client), findings }
}

fn describe(client: &Client) -> String {
    let environment = client.environment();
    match environment.kind {
        crate::api::EnvironmentKind::Custom => format!("Custom ({})", environment.live_url),
        kind => kind.label().to_string(),
    }
}
