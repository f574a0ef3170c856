use crate::support::*;
use propdesk::api::ws::{SocketEvent, SocketOptions, UserSocket, admin_alert_signal};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

fn options() -> SocketOptions {
    SocketOptions {
        entity_types: vec!["adminAlertSignal".into()],
        heartbeat: Duration::from_millis(250),
        server_silence_limit: Duration::from_secs(3),
        reconnect_min: Duration::from_millis(50),
        reconnect_max: Duration::from_millis(400),
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
