use super::common::*;
use propdesk::sandbox::{SandboxConfig, SignalShape};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn props_event_arrives_in_the_seeds_000_shape() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let (mut socket, snapshot) = synced_socket(&sb.ws_url(), &api.token, json!(["user", "adminAlertSignal"])).await;
    assert!(snapshot["users"].as_array().is_some_and(|u| !u.is_empty()));
    assert_eq!(snapshot["adminAlertSignals"], json!([]));
    assert!(snapshot.get("accounts").is_none(), "only requested types: {snapshot}");

    let user_id = api.create_user("wsuser01").await;
    // The user Created event comes first (we asked for `user`).
    let created = messages(&next_text(&mut socket, Duration::from_secs(2)).await.unwrap());
    assert_eq!(created[0]["e"], "props");
    assert_eq!(created[0]["d"][0]["entityType"], "user");
    assert_eq!(created[0]["d"][0]["entity"]["id"], user_id);

    api.set_contact(user_id).await;
    let frame = next_text(&mut socket, Duration::from_secs(3)).await.expect("signal event");
    let event = messages(&frame);
    assert_eq!(event.len(), 1);
    assert_eq!(event[0]["e"], "props");
    let change = &event[0]["d"][0];
    assert_eq!(change["entityType"], "OtherEnvAdminAlertSignal");
    assert_eq!(change["eventType"], "Created");
    let signal = &change["entity"]["adminAlertSignal"];
    assert_eq!(signal["adminAlertId"], 70);
    assert_eq!(signal["relatedToUserId"], user_id);
    assert_eq!(signal["emailSent"], false);
    assert_eq!(signal["archived"], false);
    assert!(signal["subjectId"].is_i64() && signal["id"].is_i64() && signal["timestamp"].is_string());
    assert!(signal["text"].as_str().unwrap().starts_with("User wsuser01 signed non-professional market data form"));

    // A fresh sync now includes it in the snapshot.
    let (_s2, snapshot) = synced_socket(&sb.ws_url(), &api.token, json!(["adminAlertSignal"])).await;
    assert_eq!(snapshot["adminAlertSignals"][0]["relatedToUserId"], user_id);
}

#[tokio::test]
async fn plain_shape_and_no_events_without_asking() {
    let sb = start_with(SandboxConfig { signal_shape: SignalShape::Plain, ..SandboxConfig::for_tests() }).await;
    let api = Api::admin(&sb).await;
    let (mut quiet, empty) = synced_socket(&sb.ws_url(), &api.token, json!([])).await;
    assert_eq!(empty, json!({}));
    let (mut socket, _) = synced_socket(&sb.ws_url(), &api.token, json!(["adminAlertSignal"])).await;
    let (mut demo, _) = synced_socket(&sb.demo_ws_url(), &api.token, json!(["adminAlertSignal"])).await;
    let user_id = api.create_user("plain001").await;
    api.set_contact(user_id).await;
    let event = messages(&next_text(&mut socket, Duration::from_secs(3)).await.unwrap());
    assert_eq!(event[0]["d"]["entityType"], "adminAlertSignal");
    assert_eq!(event[0]["d"]["entity"]["relatedToUserId"], user_id);
    // Neither the socket that asked for nothing nor the DEMO socket hears about it.
    for s in [&mut quiet, &mut demo] {
        send(s, "[]").await;
        let got = tokio::time::timeout(Duration::from_millis(600), next_text(s, Duration::from_secs(1))).await;
        assert!(got.is_err(), "unexpected frame {got:?}");
    }
}

#[tokio::test]
async fn requests_before_authorize_or_with_bad_tokens_get_401() {
    let sb = start().await;
    let mut socket = connect(&sb.ws_url()).await;
    assert_eq!(next_text(&mut socket, Duration::from_secs(2)).await.as_deref(), Some("o"));
    send(&mut socket, "user/syncrequest\n3\n\n{\"splitResponses\":true,\"entityTypes\":[\"user\"]}").await;
    let reply = messages(&next_text(&mut socket, Duration::from_secs(2)).await.unwrap());
    assert_eq!(reply[0]["s"], 401);
    assert_eq!(reply[0]["i"], 3);
    send(&mut socket, "authorize\n4\n\nnot-a-token").await;
    let reply = messages(&next_text(&mut socket, Duration::from_secs(2)).await.unwrap());
    assert_eq!(reply[0]["s"], 401);
    assert!(reply[0]["d"].is_string());

    let api = Api::admin(&sb).await;
    send(&mut socket, &format!("authorize\n5\n\n{}", api.token)).await;
    assert_eq!(messages(&next_text(&mut socket, Duration::from_secs(2)).await.unwrap())[0]["s"], 200);
    send(&mut socket, "order/placeorder\n6\n\n{}").await;
    let reply = messages(&next_text(&mut socket, Duration::from_secs(2)).await.unwrap());
    assert_eq!((reply[0]["s"].as_i64(), reply[0]["i"].as_i64()), (Some(404), Some(6)));
    send(&mut socket, "user/syncrequest\n7\n\n{\"entityTypes\":[\"user\"]}").await;
    assert_eq!(messages(&next_text(&mut socket, Duration::from_secs(2)).await.unwrap())[0]["s"], 400);
}

#[tokio::test]
async fn heartbeats_flow_and_a_silent_client_is_dropped() {
    let sb = start().await;
    let mut socket = connect(&sb.ws_url()).await;
    let start = Instant::now();
    let mut heartbeats = 0;
    let mut closed_at = None;
    while start.elapsed() < Duration::from_secs(6) {
        match tokio::time::timeout(Duration::from_secs(6), futures_util::StreamExt::next(&mut socket)).await {
            Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t)))) if t.as_str() == "h" => heartbeats += 1,
            Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Text(_)))) => {}
            Ok(Some(Ok(_))) => {}
            _ => {
                closed_at = Some(start.elapsed());
                break;
            }
        }
    }
    let closed_at = closed_at.expect("the silent socket was closed");
    assert!(closed_at >= Duration::from_millis(2900) && closed_at < Duration::from_secs(5), "closed at {closed_at:?}");
    assert!(heartbeats >= 8, "only {heartbeats} heartbeats");
}

#[tokio::test]
async fn a_client_sending_heartbeats_stays_and_drop_sockets_closes_it() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let (mut socket, _) = synced_socket(&sb.ws_url(), &api.token, json!(["user"])).await;
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(4000) {
        send(&mut socket, "[]").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    send(&mut socket, "[]").await;
    sb.faults().drop_sockets();
    let mut closed = false;
    for _ in 0..20 {
        match next_text(&mut socket, Duration::from_secs(2)).await {
            None => {
                closed = true;
                break;
            }
            Some(t) if t.starts_with('c') => {}
            Some(_) => {}
        }
    }
    assert!(closed, "socket survived drop_sockets");
}
