//! Signatures arrive over the WebSocket, T-Prop is granted, traders leave.

use crate::support::*;
use propdesk::api::ws::SocketOptions;
use propdesk::api::{Client, Domain};
use propdesk::onboarding::agreements::{AgreementWatch, WatchEvent, WatchOptions};
use propdesk::onboarding::board::{BoardStage, stage_of};
use propdesk::onboarding::entitlement::{GrantOutcome, grant};
use propdesk::onboarding::journal::Journal;
use propdesk::onboarding::offboarding::{OffboardOutcome, cancel, revoke};
use propdesk::onboarding::pipeline::{CancelToken, Pipeline, PipelineOptions};
use propdesk::sandbox::{Sandbox, SandboxConfig};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

/// The sandbox as the agreement tests use it: only the entity types a socket asked for,
/// by their exact names, reach it.
pub fn strict_config() -> SandboxConfig {
    SandboxConfig { strict_entity_types: true, ..SandboxConfig::for_tests() }
}

pub async fn strict_sandbox() -> Sandbox {
    sandbox_with(strict_config()).await
}

pub async fn t_prop(client: &Client) -> i64 {
    client
        .entitlements()
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.name.contains("Prop") || e.title.contains("Prop"))
        .unwrap()
        .id
}

pub async fn onboard(client: &Client, journal: &Arc<Journal>, count: usize, tag: &str) -> Vec<String> {
    let plan =
        client.subscription_plans().await.unwrap().into_iter().find(|p| p.name == "DEMOFIRM_MONTHLY").unwrap().id;
    let template = client.find_account("DEMOFIRM50K").await.unwrap().unwrap().id;
    let traders = crate::runs::prepared(count, plan, template, tag);
    let names = traders.iter().map(|t| t.name().to_string()).collect();
    let (sender, _receiver) = tokio::sync::mpsc::unbounded_channel();
    let pipeline = Pipeline::new(client.clone(), journal.clone(), PipelineOptions::default());
    let summary = pipeline.run(traders, &CancelToken::default(), &sender).await;
    assert_eq!(summary.done, count);
    names
}

fn socket(reconnect_min: Duration) -> SocketOptions {
    SocketOptions {
        heartbeat: Duration::from_millis(250),
        server_silence_limit: Duration::from_secs(3),
        reconnect_min,
        reconnect_max: reconnect_min * 4,
        ..SocketOptions::default()
    }
}

pub async fn until(
    events: &mut UnboundedReceiver<WatchEvent>,
    limit: Duration,
    mut done: impl FnMut(&WatchEvent) -> bool,
) -> Vec<WatchEvent> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(event)) => {
                let stop = done(&event);
                seen.push(event);
                if stop {
                    return seen;
                }
            }
            _ => panic!("condition not met within {limit:?}; saw {seen:?}"),
        }
    }
}

#[tokio::test]
async fn signatures_move_traders_to_t_prop_without_polling_deps() {
    let sandbox = strict_sandbox().await;
    let client = signed_in(&sandbox).await;
    let journal = Arc::new(Journal::in_memory("sandbox").unwrap());
    let options = WatchOptions {
        entitlement_id: Some(t_prop(&client).await),
        auto_grant: true,
        socket: socket(Duration::from_millis(50)),
    };
    let (_watch, mut events) = AgreementWatch::spawn(client.clone(), journal.clone(), options);
    until(&mut events, Duration::from_secs(5), |e| matches!(e, WatchEvent::CaughtUp { .. })).await;
    let names = onboard(&client, &journal, 5, "sign").await;
    let mut granted = HashSet::new();
    until(&mut events, Duration::from_secs(10), |e| {
        if let WatchEvent::Granted { name } = e {
            granted.insert(name.clone());
        }
        granted.len() == names.len()
    })
    .await;
    for name in &names {
        let trader = journal.trader(name).unwrap().unwrap();
        assert_eq!(stage_of(&trader), Some(BoardStage::TPropGranted));
        assert!(trader.agreement_signed_at.is_some());
        assert_eq!(sandbox.entitlements_of(trader.user_id.unwrap()).len(), 1, "granted exactly once");
    }
    assert_eq!(sandbox.stats().calls("adminalertsignal/deps"), 1, "one catch-up at connect, no polling");
    assert_eq!(sandbox.stats().calls_on(Domain::Live, "userplugin/addentitlementsubscription"), 5);
}

#[tokio::test]
async fn a_signature_made_while_the_socket_is_down_is_caught_up_after_reconnecting() {
    let sandbox = strict_sandbox().await; // traders sign 300 ms after their contact info is set
    let client = signed_in(&sandbox).await;
    let journal = Arc::new(Journal::in_memory("sandbox").unwrap());
    let options = WatchOptions {
        entitlement_id: Some(t_prop(&client).await),
        auto_grant: true,
        socket: socket(Duration::from_millis(1500)),
    };
    let (_watch, mut events) = AgreementWatch::spawn(client.clone(), journal.clone(), options);
    until(&mut events, Duration::from_secs(5), |e| matches!(e, WatchEvent::CaughtUp { .. })).await;
    sandbox.faults().drop_sockets();
    until(&mut events, Duration::from_secs(5), |e| matches!(e, WatchEvent::Disconnected { .. })).await;
    // Onboard while disconnected: the signatures happen before the socket is back.
    let names = onboard(&client, &journal, 2, "offline").await;
    let seen =
        until(&mut events, Duration::from_secs(10), |e| matches!(e, WatchEvent::Granted { name } if name == &names[1]))
            .await;
    assert!(seen.iter().any(|e| matches!(e, WatchEvent::Connected { reconnect: true })));
    assert!(seen.iter().any(|e| matches!(e, WatchEvent::CaughtUp { signals } if *signals >= 2)));
    assert!(journal.trader(&names[0]).unwrap().unwrap().entitled_at.is_some(), "no signature missed");
    assert_eq!(sandbox.stats().calls("adminalertsignal/deps"), 1, "the reconnect caught up from the snapshot");
}

#[tokio::test]
async fn live_account_is_required_leaves_the_trader_waiting() {
    let sandbox = sandbox_with({
        let mut config = strict_config();
        config.signature_delay = Duration::from_secs(3600); // nobody signs during this test
        config
    })
    .await;
    let client = signed_in(&sandbox).await;
    let journal = Arc::new(Journal::in_memory("sandbox").unwrap());
    let names = onboard(&client, &journal, 1, "wait").await;
    let trader = journal.trader(&names[0]).unwrap().unwrap();
    let outcome = grant(&client, &journal, &trader, t_prop(&client).await).await.unwrap();
    assert_eq!(outcome, GrantOutcome::WaitingForSignature);
    let trader = journal.trader(&names[0]).unwrap().unwrap();
    assert_eq!(stage_of(&trader), Some(BoardStage::Account), "waiting, not failed");
    assert!(trader.last_error.is_none());
}

#[tokio::test]
async fn check_now_is_limited_to_once_per_5_minutes() {
    let sandbox = strict_sandbox().await;
    let client = signed_in(&sandbox).await;
    let journal = Arc::new(Journal::in_memory("sandbox").unwrap());
    let (watch, mut events) = AgreementWatch::spawn(
        client,
        journal,
        WatchOptions { socket: socket(Duration::from_millis(50)), ..Default::default() },
    );
    until(&mut events, Duration::from_secs(5), |e| matches!(e, WatchEvent::CaughtUp { .. })).await;
    watch.check_now();
    until(
        &mut events,
        Duration::from_secs(5),
        |e| matches!(e, WatchEvent::CheckTooSoon { retry_in } if *retry_in > Duration::from_secs(290)),
    )
    .await;
    assert_eq!(sandbox.stats().calls("adminalertsignal/deps"), 1);
}

#[tokio::test]
async fn revoke_reaches_demo_and_cancel_reaches_both_domains() {
    let sandbox = strict_sandbox().await;
    let client = signed_in(&sandbox).await;
    let journal = Arc::new(Journal::in_memory("sandbox").unwrap());
    let names = onboard(&client, &journal, 3, "leave").await;
    let pick = |name: &str| journal.trader(name).unwrap().unwrap();

    let revoked = revoke(&client, &journal, &[pick(&names[0])]).await.unwrap();
    assert_eq!(revoked, vec![(names[0].clone(), OffboardOutcome::Done)]);
    assert_eq!(sandbox.stats().calls_on(Domain::Demo, "user/revoketradingpermissions"), 1);
    assert_eq!(stage_of(&pick(&names[0])), Some(BoardStage::Revoked));
    let permissions = client.account_trading_permissions(pick(&names[0]).account_id.unwrap()).await.unwrap();
    assert_eq!(permissions[0].status, "Revoked");

    let cancelled = cancel(&client, &journal, &[pick(&names[1]), pick(&names[2])]).await.unwrap();
    assert!(cancelled.iter().all(|(_, o)| *o == OffboardOutcome::Done), "{cancelled:?}");
    assert_eq!(sandbox.stats().calls_on(Domain::Demo, "user/canceleverything"), 1);
    assert_eq!(sandbox.stats().calls_on(Domain::Live, "user/canceleverything"), 1);
    assert_eq!(stage_of(&pick(&names[2])), Some(BoardStage::Cancelled));
    // Running it again sends nothing.
    let again = cancel(&client, &journal, &[pick(&names[1])]).await.unwrap();
    assert!(matches!(again[0].1, OffboardOutcome::Skipped(_)));
    assert_eq!(sandbox.stats().calls_on(Domain::Live, "user/canceleverything"), 1);
}

#[tokio::test(start_paused = true)]
async fn a_server_that_refuses_every_syncrequest_is_not_stormed() {
    // Authorizes every socket, then refuses its syncrequest: on main this reconnected
    // every half second and called deps after each connection.
    let sandbox = sandbox_with(SandboxConfig { refuse_syncrequest: true, ..strict_config() }).await;
    let client = signed_in(&sandbox).await;
    let journal = Arc::new(Journal::in_memory("sandbox").unwrap());
    // The production timings: 0.5 s to 30 s back-off, healthy after 60 s.
    let options = WatchOptions { entitlement_id: None, auto_grant: true, socket: SocketOptions::default() };
    let (watch, mut events) = AgreementWatch::spawn(client, journal, options);
    let ten_minutes = tokio::time::Instant::now() + Duration::from_secs(600);
    let mut checks = 0;
    while tokio::time::Instant::now() < ten_minutes {
        // "Check now" pressed every 20 s on top of the reconnects: the budget holds.
        if tokio::time::timeout(Duration::from_secs(20), events.recv()).await.is_err() {
            watch.check_now();
            checks += 1;
        }
    }
    let stats = sandbox.stats();
    let (deps, attempts) = (stats.calls("adminalertsignal/deps"), stats.calls("websocket"));
    eprintln!("ten simulated minutes: {deps} deps calls, {attempts} connection attempts, {checks} manual checks");
    assert!(checks > 5, "the clock ran: {checks} manual checks");
    assert!((1..=3).contains(&deps), "{deps} deps calls in ten minutes");
    assert!((2..=20).contains(&attempts), "{attempts} connection attempts in ten minutes");
}
