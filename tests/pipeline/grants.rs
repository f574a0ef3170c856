//! T-Prop bills the trader: never twice, never to someone the firm let go, and never
//! lost because the server lagged behind its own signature.

use crate::agreements::{onboard, strict_config, strict_sandbox, t_prop, until};
use crate::support::*;
use propdesk::api::ws::SocketOptions;
use propdesk::onboarding::agreements::{AgreementWatch, WatchEvent, WatchOptions};
use propdesk::onboarding::entitlement::{GrantOutcome, grant, grant_all_eligible};
use propdesk::onboarding::journal::Journal;
use propdesk::onboarding::offboarding::{cancel, revoke};
use propdesk::sandbox::{Sandbox, SandboxConfig};
use std::sync::Arc;
use std::time::Duration;

const GRANT: &str = "userPlugin/addEntitlementSubscription";

/// Waits until the sandbox says the trader signed (the simulated signature comes
/// 300 ms after contact info).
async fn signed(sandbox: &Sandbox, client: &propdesk::api::Client, user_id: i64) {
    let alert = client.environment().agreement_alert_id;
    for _ in 0..100 {
        if sandbox.signals_of(user_id, alert) > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("user {user_id} never signed");
}

#[tokio::test]
async fn a_lost_grant_reply_is_checked_not_resent() {
    let sandbox = strict_sandbox().await;
    let client = signed_in(&sandbox).await;
    let journal = Arc::new(Journal::in_memory("sandbox").unwrap());
    let names = onboard(&client, &journal, 1, "lost").await;
    let trader = journal.trader(&names[0]).unwrap().unwrap();
    let user_id = trader.user_id.unwrap();
    signed(&sandbox, &client, user_id).await;

    sandbox.faults().lose_next_reply(GRANT);
    let outcome = grant(&client, &journal, &trader, t_prop(&client).await).await.unwrap();
    assert_eq!(outcome, GrantOutcome::Granted, "the check found the grant that went through");
    assert_eq!(sandbox.stats().calls(GRANT), 1, "the grant was not sent a second time");
    assert_eq!(sandbox.stats().calls("userPlugin/deps"), 1, "the trader's entitlements were read instead");
    assert_eq!(sandbox.entitlements_of(user_id).len(), 1);
    assert!(journal.trader(&names[0]).unwrap().unwrap().entitled_at.is_some());
}

#[tokio::test]
async fn a_grant_lost_before_it_was_applied_is_sent_once_more() {
    let sandbox = strict_sandbox().await;
    let client = signed_in(&sandbox).await;
    let journal = Arc::new(Journal::in_memory("sandbox").unwrap());
    let names = onboard(&client, &journal, 1, "fivehundred").await;
    let trader = journal.trader(&names[0]).unwrap().unwrap();
    signed(&sandbox, &client, trader.user_id.unwrap()).await;

    sandbox.faults().fail_next_with_500(GRANT);
    let outcome = grant(&client, &journal, &trader, t_prop(&client).await).await.unwrap();
    assert_eq!(outcome, GrantOutcome::Granted);
    assert_eq!(sandbox.stats().calls(GRANT), 2, "resent only after the check proved it absent");
    assert_eq!(sandbox.entitlements_of(trader.user_id.unwrap()).len(), 1);
}

#[tokio::test]
async fn revoked_and_cancelled_traders_are_never_granted() {
    let sandbox = strict_sandbox().await;
    let client = signed_in(&sandbox).await;
    let journal = Arc::new(Journal::in_memory("sandbox").unwrap());
    let names = onboard(&client, &journal, 2, "gone").await;
    let pick = |name: &str| journal.trader(name).unwrap().unwrap();
    signed(&sandbox, &client, pick(&names[1]).user_id.unwrap()).await;
    revoke(&client, &journal, &[pick(&names[0])]).await.unwrap();
    cancel(&client, &journal, &[pick(&names[1])]).await.unwrap();

    let t_prop = t_prop(&client).await;
    assert_eq!(grant(&client, &journal, &pick(&names[0]), t_prop).await.unwrap(), GrantOutcome::Offboarded("revoked"));
    assert_eq!(
        grant(&client, &journal, &pick(&names[1]), t_prop).await.unwrap(),
        GrantOutcome::Offboarded("cancelled")
    );
    // "Grant T-Prop now" through the watch skips them too, and says why.
    let options = WatchOptions { entitlement_id: Some(t_prop), auto_grant: true, socket: SocketOptions::default() };
    let (watch, mut events) = AgreementWatch::spawn(client.clone(), journal.clone(), options);
    watch.grant(names.clone());
    let seen = until(
        &mut events,
        Duration::from_secs(5),
        |e| matches!(e, WatchEvent::Skipped { name, reason } if name == &names[1] && reason.contains("cancelled")),
    )
    .await;
    assert!(!seen.iter().any(|e| matches!(e, WatchEvent::Granted { .. })), "{seen:?}");
    assert_eq!(sandbox.stats().calls(GRANT), 0, "nobody who left was billed");
}

#[tokio::test]
async fn one_grant_in_flight_per_trader_across_processes() {
    let sandbox = strict_sandbox().await;
    let client = signed_in(&sandbox).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    // Two handles on one file: the window and the command line.
    let window = Arc::new(Journal::open(&path, "sandbox").unwrap());
    let terminal = Journal::open(&path, "sandbox").unwrap();
    let names = onboard(&client, &window, 1, "twice").await;
    let trader = window.trader(&names[0]).unwrap().unwrap();
    signed(&sandbox, &client, trader.user_id.unwrap()).await;

    sandbox.faults().delay_next(GRANT, Duration::from_millis(500));
    let t_prop = t_prop(&client).await;
    let (first, second) =
        tokio::join!(grant(&client, &window, &trader, t_prop), grant(&client, &terminal, &trader, t_prop));
    let mut outcomes = vec![first.unwrap(), second.unwrap()];
    outcomes.sort_by_key(|o| format!("{o:?}"));
    assert_eq!(outcomes, [GrantOutcome::Granted, GrantOutcome::InFlight]);
    assert_eq!(sandbox.stats().calls(GRANT), 1, "one grant on the wire");
}

#[tokio::test]
async fn a_reply_without_the_subscription_is_still_a_grant() {
    let sandbox = sandbox_with(SandboxConfig { bare_entitlement_reply: true, ..strict_config() }).await;
    let client = signed_in(&sandbox).await;
    let journal = Arc::new(Journal::in_memory("sandbox").unwrap());
    let names = onboard(&client, &journal, 1, "bare").await;
    let trader = journal.trader(&names[0]).unwrap().unwrap();
    signed(&sandbox, &client, trader.user_id.unwrap()).await;

    let outcome = grant(&client, &journal, &trader, t_prop(&client).await).await.unwrap();
    assert_eq!(outcome, GrantOutcome::Granted);
    let trader = journal.trader(&names[0]).unwrap().unwrap();
    assert!(trader.entitled_at.is_some() && trader.last_error.is_none(), "{trader:?}");
}

#[tokio::test(start_paused = true)]
async fn a_signed_trader_still_refused_is_granted_on_a_later_retry() {
    // The server's entitlement check lags: two grants after the signature still say
    // "Live account is required". The watch retries after 1 and 5 minutes.
    let sandbox = sandbox_with(SandboxConfig { grant_lag_refusals: 2, ..strict_config() }).await;
    let client = signed_in(&sandbox).await;
    let journal = Arc::new(Journal::in_memory("sandbox").unwrap());
    let t_prop = t_prop(&client).await;
    let options = WatchOptions { entitlement_id: Some(t_prop), auto_grant: true, socket: SocketOptions::default() };
    let (_watch, mut events) = AgreementWatch::spawn(client.clone(), journal.clone(), options);
    until(&mut events, Duration::from_secs(5), |e| matches!(e, WatchEvent::CaughtUp { .. })).await;
    let names = onboard(&client, &journal, 1, "lag").await;
    let started = tokio::time::Instant::now();
    let seen = until(&mut events, Duration::from_secs(600), |e| matches!(e, WatchEvent::Granted { .. })).await;
    assert_eq!(seen.iter().filter(|e| matches!(e, WatchEvent::Waiting { .. })).count(), 2, "{seen:?}");
    assert!(started.elapsed() >= Duration::from_secs(6 * 60), "after the 1 and 5 minute retries");
    assert_eq!(sandbox.stats().calls(GRANT), 3);
    assert!(journal.trader(&names[0]).unwrap().unwrap().entitled_at.is_some());
}

#[tokio::test]
async fn entitle_tries_traders_whose_signature_it_never_saw() {
    // Signed in an earlier week: the journal never heard of the signature (and deps no
    // longer lists it), yet the trader is granted.
    let sandbox = strict_sandbox().await;
    let client = signed_in(&sandbox).await;
    let journal = Arc::new(Journal::in_memory("sandbox").unwrap());
    let names = onboard(&client, &journal, 2, "oldweek").await;
    for name in &names {
        signed(&sandbox, &client, journal.trader(name).unwrap().unwrap().user_id.unwrap()).await;
    }
    assert!(journal.traders().unwrap().iter().all(|t| t.agreement_signed_at.is_none()));

    let outcomes = grant_all_eligible(&client, &journal, t_prop(&client).await).await.unwrap();
    assert_eq!(outcomes.len(), 2);
    assert!(outcomes.iter().all(|(_, o)| *o == GrantOutcome::Granted), "{outcomes:?}");
}

// --- The sweep: signed traders left without T-Prop ---

#[tokio::test]
async fn the_watch_sweeps_signed_traders_left_without_t_prop_and_calls_for_nobody_else() {
    // What a killed watcher or window leaves behind: signatures journaled, no grant. This
    // watch hears no signal (every syncrequest refused, the deps budget just spent), so
    // only the sweep can find them.
    let sandbox = sandbox_with(SandboxConfig {
        refuse_syncrequest: true,
        signature_delay: Duration::from_secs(24 * 3600),
        ..strict_config()
    })
    .await;
    let client = signed_in(&sandbox).await;
    let journal = Arc::new(Journal::in_memory("sandbox").unwrap());
    let t_prop = t_prop(&client).await;
    let names = onboard(&client, &journal, 5, "swept").await;
    let pick = |name: &str| journal.trader(name).unwrap().unwrap();
    let user = |name: &str| pick(name).user_id.unwrap();
    // 0 signed; 1 never signed; 2 signed and granted; 3 signed, then revoked; 4 signed, then cancelled.
    for name in [&names[0], &names[2], &names[3], &names[4]] {
        assert!(sandbox.sign_agreement_now(user(name)));
        journal.record_signed(name, chrono::Utc::now()).unwrap();
    }
    assert_eq!(grant(&client, &journal, &pick(&names[2]), t_prop).await.unwrap(), GrantOutcome::Granted);
    revoke(&client, &journal, &[pick(&names[3])]).await.unwrap();
    cancel(&client, &journal, &[pick(&names[4])]).await.unwrap();
    journal
        .claim_interval(
            "adminAlertSignal/deps",
            chrono::Utc::now(),
            propdesk::onboarding::agreements::DEPS_MIN_INTERVAL,
        )
        .unwrap()
        .unwrap();
    let (grants_before, checks_before) = (sandbox.stats().calls(GRANT), sandbox.stats().calls("userPlugin/deps"));

    let options = WatchOptions { entitlement_id: Some(t_prop), auto_grant: true, socket: SocketOptions::default() };
    let (_watch, mut events) = AgreementWatch::spawn(client.clone(), journal.clone(), options);
    until(&mut events, Duration::from_secs(5), |e| matches!(e, WatchEvent::Granted { name } if name == &names[0]))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sandbox.stats().calls(GRANT) - grants_before, 1, "one grant, to the signed trader only");
    assert_eq!(sandbox.stats().calls("userPlugin/deps"), checks_before, "no claim was open: nothing to check");
    assert_eq!(sandbox.entitlements_of(user(&names[0])).len(), 1);
    for name in [&names[1], &names[3], &names[4]] {
        assert!(sandbox.entitlements_of(user(name)).is_empty(), "{name} holds nothing");
    }
    assert!(pick(&names[0]).entitled_at.is_some());
}
