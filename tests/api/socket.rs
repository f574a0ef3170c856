use crate::support::*;
use propdesk::api::ws::{SocketEvent, SocketOptions, UserSocket, admin_alert_signal};
use propdesk::sandbox::SandboxConfig;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

fn options() -> SocketOptions {
    SocketOptions {
        heartbeat: Duration::from_millis(250),
        server_silence_limit: Duration::from_secs(3),
        reconnect_min: Duration::from_millis(50),
        reconnect_max: Duration::from_millis(400),
        ..SocketOptions::default()
    }
}

async fn next_matching(
    events: &mut UnboundedReceiver<SocketEvent>,
    limit: Duration,
    mut want: impl FnMut(&SocketEvent) -> bool,
) -> Vec<SocketEvent> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + limit;
    while let Ok(Some(event)) = tokio::time::timeout_at(deadline, events.recv()).await {
        let done = want(&event);
        seen.push(event);
        if done {
            return seen;
        }
    }
    panic!("no matching event within {limit:?}; saw {seen:?}");
}

#[tokio::test]
async fn authorizes_syncs_and_receives_the_signature_event() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (_socket, mut events) = UserSocket::spawn(client.clone(), options());
    next_matching(&mut events, Duration::from_secs(5), |e| matches!(e, SocketEvent::Snapshot(_))).await;
    let (user_id, _) = create_user(&client).await;
    client.update_contact_info(&us_contact(user_id)).await.unwrap();
    let seen = next_matching(&mut events, Duration::from_secs(5), |e| match e {
        SocketEvent::Changes(changes) => {
            changes.iter().filter_map(admin_alert_signal).any(|s| s.related_to_user_id == Some(user_id))
        }
        _ => false,
    })
    .await;
    assert!(seen.iter().all(|e| !matches!(e, SocketEvent::Disconnected { .. })));
}

#[tokio::test]
async fn heartbeats_keep_a_quiet_socket_open() {
    let sandbox = sandbox().await; // drops clients silent for 3 s
    let client = signed_in(&sandbox).await;
    let (_socket, mut events) = UserSocket::spawn(client, options());
    next_matching(&mut events, Duration::from_secs(5), |e| matches!(e, SocketEvent::Snapshot(_))).await;
    let quiet = tokio::time::timeout(Duration::from_secs(4), events.recv()).await;
    assert!(quiet.is_err(), "nothing happens on a healthy idle socket: {quiet:?}");
}

#[tokio::test]
async fn a_dropped_socket_reconnects_and_reauthorizes() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (_socket, mut events) = UserSocket::spawn(client.clone(), options());
    next_matching(&mut events, Duration::from_secs(5), |e| matches!(e, SocketEvent::Ready { reconnect: false })).await;
    sandbox.faults().drop_sockets();
    let seen =
        next_matching(&mut events, Duration::from_secs(5), |e| matches!(e, SocketEvent::Ready { reconnect: true }))
            .await;
    assert!(seen.iter().any(|e| matches!(e, SocketEvent::Disconnected { .. })));
    // Still delivering events after the reconnect.
    let (user_id, _) = create_user(&client).await;
    client.update_contact_info(&us_contact(user_id)).await.unwrap();
    next_matching(&mut events, Duration::from_secs(5), |e| match e {
        SocketEvent::Changes(changes) => {
            changes.iter().filter_map(admin_alert_signal).any(|s| s.related_to_user_id == Some(user_id))
        }
        _ => false,
    })
    .await;
}

fn signature_of(user_id: i64) -> impl FnMut(&SocketEvent) -> bool {
    move |e| match e {
        SocketEvent::Changes(changes) => {
            changes.iter().filter_map(admin_alert_signal).any(|s| s.related_to_user_id == Some(user_id))
        }
        _ => false,
    }
}

#[tokio::test]
async fn signatures_reach_a_strict_server_subscriber_by_their_seed_name() {
    // A server that sends only the exact entity types asked for: the seeds/000 event is
    // `OtherEnvAdminAlertSignal`, which the client must ask for by that name.
    let sandbox = sandbox_with(SandboxConfig { strict_entity_types: true, ..SandboxConfig::for_tests() }).await;
    let client = signed_in(&sandbox).await;
    let (_socket, mut events) = UserSocket::spawn(client.clone(), options());
    next_matching(&mut events, Duration::from_secs(5), |e| matches!(e, SocketEvent::Snapshot(_))).await;
    let (user_id, _) = create_user(&client).await;
    client.update_contact_info(&us_contact(user_id)).await.unwrap();
    next_matching(&mut events, Duration::from_secs(5), signature_of(user_id)).await;
}

#[tokio::test]
async fn the_subscription_asks_only_for_signals() {
    let types = SocketOptions::default().entity_types;
    assert!(types.contains(&"OtherEnvAdminAlertSignal".to_string()) && types.contains(&"adminAlertSignal".to_string()));
    assert!(!types.iter().any(|t| t == "user" || t == "account"), "nobody reads those snapshots: {types:?}");
}

#[tokio::test]
async fn heartbeats_go_on_while_a_socket_penalty_is_waited_out() {
    // The server drops a client silent for 1 s; the penalty makes us wait 2 s.
    let sandbox =
        sandbox_with(SandboxConfig { client_silence_limit: Duration::from_secs(1), ..SandboxConfig::for_tests() })
            .await;
    let client = signed_in(&sandbox).await;
    sandbox.faults().penalty_next("user/syncrequest", 2, false);
    let (_socket, mut events) = UserSocket::spawn(client, options());
    let seen = next_matching(&mut events, Duration::from_secs(6), |e| matches!(e, SocketEvent::Snapshot(_))).await;
    assert!(!seen.iter().any(|e| matches!(e, SocketEvent::Disconnected { .. })), "{seen:?}");
    assert_eq!(sandbox.stats().calls("websocket"), 1, "one connection, kept open through the penalty");
}

#[tokio::test]
async fn a_captcha_on_the_socket_stops_reconnecting_and_says_so() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    sandbox.faults().penalty_next("user/syncrequest", 1, true);
    let (socket, mut events) = UserSocket::spawn(client, options());
    let seen = next_matching(&mut events, Duration::from_secs(5), |e| matches!(e, SocketEvent::Stopped(_))).await;
    match seen.last() {
        Some(SocketEvent::Stopped(error)) => assert!(error.to_string().contains("captcha"), "{error}"),
        other => panic!("{other:?}"),
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(!socket.is_running());
    assert_eq!(sandbox.stats().calls("websocket"), 1, "no reconnect after a captcha");
}

#[tokio::test(start_paused = true)]
async fn an_absurd_penalty_is_bounded_and_the_socket_stays_alive() {
    // p-time of 10^9 s: on main the session slept (without heartbeats) for 31 years.
    // Production heartbeat timings, so the simulated hour is cheap.
    let realistic = SandboxConfig { heartbeat_interval: Duration::from_millis(2500), ..SandboxConfig::default() };
    let sandbox = sandbox_with(SandboxConfig { signature_delay: Duration::from_secs(3600), ..realistic }).await;
    let client = signed_in(&sandbox).await;
    sandbox.faults().penalty_next("user/syncrequest", 1_000_000_000, false);
    let (socket, mut events) = UserSocket::spawn(client, SocketOptions::default());
    next_matching(&mut events, Duration::from_secs(5), |e| matches!(e, SocketEvent::Ready { .. })).await;
    let wait = propdesk::api::bounds::MAX_PENALTY_WAIT + Duration::from_secs(60);
    let quiet = tokio::time::timeout(wait, async {
        while let Some(event) = events.recv().await {
            assert!(!matches!(event, SocketEvent::Disconnected { .. }), "heartbeats kept it open: {event:?}");
        }
    })
    .await;
    assert!(quiet.is_err() && socket.is_running());
    // The ticket was presented again after the bounded wait (the sandbox, on its own
    // clock, then penalises the early ticket once more: that is its business).
    assert!(sandbox.stats().calls("user/syncrequest") >= 2, "resent within an hour");
    assert_eq!(sandbox.stats().calls("websocket"), 1);
}
