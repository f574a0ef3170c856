//! The read-only probes: each makes at most one call of the kind the app makes anyway
//! and turns the server's answer into a [`Finding`]. None creates, grants or changes
//! anything; `adminAlertSignal/deps` is asked at most once.

use super::report::{Finding, Probe};
use crate::api::activity::Outcome;
use crate::api::endpoint;
use crate::api::wire::{Account, Entitlement, TradovateSubscriptionPlan};
use crate::api::ws::{SocketEvent, SocketOptions, UserSocket};
use crate::api::{ApiError, Client};
use crate::onboarding::setup_choice::{default_entitlement, default_plan, entitlement_label, template_accounts};
use serde_json::Value;
use std::time::Duration;

/// The session the doctor runs in: sign-in already happened (the command line signs in
/// first; the window is signed in).
pub fn sign_in(client: &Client) -> Finding {
    match client.session() {
        Some(session) => Finding::confirmed(
            Probe::SignIn,
            format!(
                "signed in as {}; the token is valid until {} (read from expirationTime)",
                session.user_name,
                session.expires_at.format("%Y-%m-%d %H:%M UTC")
            ),
        ),
        None => Finding::not_checked(Probe::SignIn, "not signed in"),
    }
}

/// `tradovateSubscriptionPlan/list` on LIVE: the token works there, and the firm has a plan.
/// Returns the plan Setup would choose, for the test trader.
pub async fn plans(client: &Client) -> ([Finding; 2], Option<TradovateSubscriptionPlan>) {
    match client.subscription_plans().await {
        Ok(plans) => {
            let chosen = default_plan(&plans).cloned();
            let token = Finding::confirmed(Probe::TokenOnLive, "tradovateSubscriptionPlan/list answered on LIVE");
            let plans = match default_plan(&plans) {
                Some(plan) => Finding::confirmed(
                    Probe::Plans,
                    format!("{} plan(s); Setup would choose {} (ID {})", plans.len(), plan.name, plan.id),
                ),
                None => Finding::differs(Probe::Plans, "no plan listed: users cannot be created on a plan"),
            };
            ([token, plans], chosen)
        }
        Err(error) => (
            [
                Finding::differs(Probe::TokenOnLive, format!("tradovateSubscriptionPlan/list on LIVE failed: {error}")),
                Finding::not_checked(Probe::Plans, "the plan list did not arrive"),
            ],
            None,
        ),
    }
}

/// `account/list` on DEMO: the LIVE token works there, and template accounts exist.
/// Returns the template accounts for the next probe.
pub async fn templates(client: &Client) -> ([Finding; 2], Vec<Account>) {
    match client.accounts().await {
        Ok(accounts) => {
            let token = Finding::confirmed(Probe::TokenOnDemo, "account/list answered on DEMO with the LIVE token");
            let admin = client.session().map(|s| s.user_id);
            let templates: Vec<Account> = template_accounts(&accounts, admin).into_iter().cloned().collect();
            let found = match templates.first() {
                Some(smallest) => Finding::confirmed(
                    Probe::Templates,
                    format!(
                        "{} account(s); the smallest template is {} (ID {})",
                        templates.len(),
                        smallest.name,
                        smallest.id
                    ),
                ),
                None => Finding::differs(Probe::Templates, "no account on DEMO: evaluation accounts need a template"),
            };
            ([token, found], templates)
        }
        Err(error) => {
            let detail = match &error {
                ApiError::SignedOut { .. } | ApiError::Unauthorized(_) => {
                    format!("DEMO refused the token issued on LIVE: {error}")
                }
                _ => format!("account/list on DEMO failed: {error}"),
            };
            (
                [
                    Finding::differs(Probe::TokenOnDemo, detail),
                    Finding::not_checked(Probe::Templates, "the account list did not arrive"),
                ],
                Vec::new(),
            )
        }
    }
}

/// `entitlement/list` on LIVE offers the T-Prop entitlement Setup preselects.
/// Returns the T-Prop entitlement, for the test trader.
pub async fn entitlements(client: &Client) -> (Finding, Option<Entitlement>) {
    match client.entitlements().await {
        Ok(list) => match default_entitlement(&list) {
            Some(e) => (
                Finding::confirmed(
                    Probe::Entitlements,
                    format!("{} entitlement(s); T-Prop is {} (ID {})", list.len(), entitlement_label(e), e.id),
                ),
                Some(e.clone()),
            ),
            None => (
                Finding::differs(
                    Probe::Entitlements,
                    format!(
                        "{} entitlement(s), none named \"Prop\": choose the entitlement by hand in Setup",
                        list.len()
                    ),
                ),
                None,
            ),
        },
        Err(error) => {
            (Finding::differs(Probe::Entitlements, format!("entitlement/list on LIVE failed: {error}")), None)
        }
    }
}

/// `user/find` for a name nobody has: reconciliation reads the reply as "not created".
pub async fn user_find_unknown(client: &Client) -> Finding {
    let name = unknown_user_name();
    match client.find_user(&name).await {
        Ok(None) => {
            Finding::confirmed(Probe::UserFindUnknown, format!("user/find?name={name} answered \"no such user\""))
        }
        Ok(Some(user)) => {
            Finding::differs(Probe::UserFindUnknown, format!("user/find?name={name} returned user {}", user.id))
        }
        Err(error) => Finding::differs(
            Probe::UserFindUnknown,
            format!("user/find for an unknown name failed ({error}): reconciliation would stop at every lost reply"),
        ),
    }
}

/// A user name no firm would give a trader (letters and digits, like the roster's names).
fn unknown_user_name() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    format!("propdeskdoctor{}", nanos % 1_000_000_000_000)
}

/// `user/getAccountTradingPermissions` (a read) on DEMO, where revoke is sent too.
pub async fn trading_permissions_domain(client: &Client, templates: &[Account]) -> Finding {
    let Some(account) = templates.first() else {
        return Finding::not_checked(Probe::TradingPermissionsDomain, "no account to ask about");
    };
    match client.account_trading_permissions(account.id).await {
        Ok(permissions) => Finding::confirmed(
            Probe::TradingPermissionsDomain,
            format!(
                "user/getAccountTradingPermissions answered on DEMO ({} permission(s) on {})",
                permissions.len(),
                account.name
            ),
        ),
        Err(error) => Finding::differs(
            Probe::TradingPermissionsDomain,
            format!("user/getAccountTradingPermissions on DEMO failed ({error}): revoking may fail the same way"),
        ),
    }
}

/// The user-data socket the agreement watch uses: authorize, then `user/syncrequest`
/// with the same entity types; the snapshot must carry a collection for each.
pub async fn socket(client: &Client, wait: Duration) -> [Finding; 2] {
    let options = SocketOptions::default();
    let wanted = options.entity_types.clone();
    let (socket, mut events) = UserSocket::spawn(client.clone(), options);
    let outcome = tokio::time::timeout(wait, async {
        let mut authorized = false;
        while let Some(event) = events.recv().await {
            match event {
                SocketEvent::Ready { .. } => authorized = true,
                SocketEvent::Snapshot(snapshot) => return SocketOutcome::Snapshot(snapshot),
                SocketEvent::Disconnected { reason, .. } if authorized => return SocketOutcome::NoSnapshot(reason),
                SocketEvent::Disconnected { reason, .. } => return SocketOutcome::NotAuthorized(reason),
                SocketEvent::Stopped(error) => return SocketOutcome::NotAuthorized(error.to_string()),
                SocketEvent::Changes(_) => {}
            }
        }
        SocketOutcome::NotAuthorized("the socket session ended".into())
    })
    .await;
    socket.stop();
    let url = &client.environment().ws_url;
    let authorized = Finding::confirmed(Probe::SocketAuthorize, format!("{url} answered authorize with 200"));
    match outcome {
        Ok(SocketOutcome::Snapshot(snapshot)) => [authorized, snapshot_finding(&wanted, &snapshot)],
        Ok(SocketOutcome::NoSnapshot(reason)) => [
            authorized,
            Finding::differs(Probe::SnapshotEntityTypes, format!("no snapshot after user/syncrequest: {reason}")),
        ],
        Ok(SocketOutcome::NotAuthorized(reason)) => [
            Finding::differs(Probe::SocketAuthorize, format!("{url}: {reason}")),
            Finding::not_checked(Probe::SnapshotEntityTypes, "the socket was not authorized"),
        ],
        Err(_) => [
            Finding::differs(Probe::SocketAuthorize, format!("{url}: no snapshot within {} s", wait.as_secs())),
            Finding::not_checked(Probe::SnapshotEntityTypes, "no snapshot arrived"),
        ],
    }
}

enum SocketOutcome {
    Snapshot(Value),
    NoSnapshot(String),
    NotAuthorized(String),
}

/// Which subscribed types came back as a collection (`user` → `users`, any case).
fn snapshot_finding(wanted: &[String], snapshot: &Value) -> Finding {
    let keys: Vec<&str> = snapshot.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    let carries = |t: &str| keys.iter().any(|k| k.eq_ignore_ascii_case(&format!("{t}s")));
    let missing: Vec<&str> = wanted.iter().map(String::as_str).filter(|t| !carries(t)).collect();
    let returned = if keys.is_empty() { "nothing".to_string() } else { keys.join(", ") };
    if missing.is_empty() {
        Finding::confirmed(Probe::SnapshotEntityTypes, format!("asked for {}; got {returned}", wanted.join(", ")))
    } else {
        Finding::differs(
            Probe::SnapshotEntityTypes,
            format!(
                "asked for {}; got {returned}. No collection for {}: the server may not know that exact \
                 name, and then its events would not reach the agreement watch",
                wanted.join(", "),
                missing.join(", ")
            ),
        )
    }
}

/// `adminAlertSignal/deps?masterid=<agreement alert id>` on the domain the endpoint
/// table names (LIVE). A call this client already made (the agreement watch's catch-up)
/// is evidence enough, so the budget is not spent twice.
pub async fn deps_host(client: &Client) -> Finding {
    let environment = client.environment();
    let id = environment.agreement_alert_id;
    let deps = endpoint::ADMIN_ALERT_SIGNAL_DEPS;
    let domain = deps.home_domain();
    let earlier = client.activity().snapshot().into_iter().rev().find(|r| r.endpoint == deps.path);
    if let Some(record) = earlier.filter(|r| r.domain == domain) {
        let at = record.at.format("%H:%M:%S UTC");
        // A 404 is an answer too; other failures may pass, so those are asked again.
        match (record.outcome, record.status) {
            (Outcome::Ok, _) => {
                return Finding::confirmed(
                    Probe::DepsHost,
                    format!(
                        "answered on {domain} for masterid {id} at {at} (the agreement watch's call; not asked again)"
                    ),
                );
            }
            (_, Some(404)) => {
                return Finding::differs(
                    Probe::DepsHost,
                    format!(
                        "did not answer on {domain} for masterid {id}: HTTP 404 at {at} (the agreement watch's call; \
                         not asked again): signatures would be seen only on the WebSocket"
                    ),
                );
            }
            _ => {}
        }
    }
    match client.admin_alert_signals(id).await {
        Ok(signals) => {
            let other_ids: Vec<String> =
                signals.iter().filter(|s| s.admin_alert_id != id).map(|s| s.admin_alert_id.to_string()).collect();
            let detail = match signals.len() {
                0 => format!(
                    "answered on {domain} for masterid {id} with no signal this week (the id is proven only once a trader signs)"
                ),
                n => format!("answered on {domain} for masterid {id} with {n} signature signal(s)"),
            };
            if other_ids.is_empty() {
                Finding::confirmed(Probe::DepsHost, detail)
            } else {
                Finding::differs(Probe::DepsHost, format!("{detail}, some of alert id {}", other_ids.join(", ")))
            }
        }
        Err(error @ ApiError::BudgetExhausted { .. }) => {
            Finding::not_checked(Probe::DepsHost, format!("not asked, to respect its budget: {error}"))
        }
        Err(error) => Finding::differs(
            Probe::DepsHost,
            format!(
                "did not answer on {domain} for masterid {id} ({error}): signatures would be seen only on the WebSocket"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_snapshot_missing_a_subscribed_type_is_a_difference() {
        let wanted = vec!["adminAlertSignal".to_string(), "user".to_string()];
        let full = snapshot_finding(&wanted, &json!({ "adminAlertSignals": [], "users": [] }));
        assert_eq!(full.verdict, super::super::Verdict::Confirmed);
        let partial = snapshot_finding(&wanted, &json!({ "users": [] }));
        assert_eq!(partial.verdict, super::super::Verdict::Differs);
        assert!(partial.detail.contains("No collection for adminAlertSignal:"), "{}", partial.detail);
    }
}
