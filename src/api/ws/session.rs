//! A user-data WebSocket that stays connected: authorize, heartbeat, syncrequest,
//! `props` events, and reconnection with backoff (reference 4).
//!
//! The session runs as one task and reports through a channel; the caller decides what
//! the events mean (the agreement watch matches alert signals to traders).

use super::backoff::Backoff;
use super::frame::{CLIENT_HEARTBEAT, PropsChange, Request, Response, ServerFrame, ServerMessage, props_changes};
use crate::api::bounds;
use crate::api::client::Client;
use crate::api::error::ApiError;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior, sleep, timeout};
use tokio_tungstenite::tungstenite::Message;

#[derive(Clone, Debug)]
pub struct SocketOptions {
    /// Entity types to ask `user/syncrequest` for (the default is none at all).
    pub entity_types: Vec<String>,
    /// The client heartbeat `[]` is sent this often (the samples use 2.5 s).
    pub heartbeat: Duration,
    /// No frame at all from the server for this long means the connection is dead.
    pub server_silence_limit: Duration,
    pub reconnect_min: Duration,
    pub reconnect_max: Duration,
    /// A connection that got its snapshot and stayed up this long was healthy: the next
    /// reconnect starts again from `reconnect_min`. Anything shorter keeps the back-off growing.
    pub healthy_after: Duration,
}

impl Default for SocketOptions {
    fn default() -> Self {
        Self {
            entity_types: signal_entity_types(),
            heartbeat: Duration::from_millis(2500),
            server_silence_limit: Duration::from_secs(15),
            reconnect_min: Duration::from_millis(500),
            reconnect_max: Duration::from_secs(30),
            healthy_after: Duration::from_secs(60),
        }
    }
}

/// The entity types that carry agreement signatures. seeds/000 shows the event as
/// `OtherEnvAdminAlertSignal`; reference 4.4 lists `adminAlertSignal`. Which name the
/// server filters on is UNCONFIRMED, so we ask for both (`propdesk doctor` checks which
/// one the snapshot answers). Nothing else: nobody reads user or account snapshots.
pub fn signal_entity_types() -> Vec<String> {
    vec!["adminAlertSignal".into(), "OtherEnvAdminAlertSignal".into()]
}

#[derive(Clone, Debug, PartialEq)]
pub enum SocketEvent {
    /// Connected and authorized. After a reconnect (`reconnect: true`) events may have
    /// been missed: the caller makes one catch-up call.
    Ready { reconnect: bool },
    /// The first reply to `user/syncrequest`: plural entity collections.
    Snapshot(Value),
    /// The changes of one `props` event.
    Changes(Vec<PropsChange>),
    /// The connection ended; another attempt follows after `retry_in`.
    Disconnected { reason: String, retry_in: Duration },
    /// The socket gave up: the session could not be authorized.
    Stopped(ApiError),
}

/// A running socket session. Dropping it (or `stop`) ends the session.
pub struct UserSocket {
    task: JoinHandle<()>,
}

impl UserSocket {
    /// Starts the session on the current tokio runtime.
    pub fn spawn(client: Client, options: SocketOptions) -> (Self, mpsc::UnboundedReceiver<SocketEvent>) {
        let (sender, receiver) = mpsc::unbounded_channel();
        let task = tokio::spawn(run(client, options, sender));
        (Self { task }, receiver)
    }

    pub fn stop(self) {
        self.task.abort();
    }

    pub fn is_running(&self) -> bool {
        !self.task.is_finished()
    }
}

impl Drop for UserSocket {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Why one connection ended.
enum Ended {
    /// The receiver is gone: nobody listens any more.
    NobodyListens,
    Dropped(String),
    /// The server refused the token.
    Unauthorized(String),
    /// A penalty with `p-captcha`: a third-party app cannot go on (reference 2.5).
    Captcha(String),
}

/// What one connection achieved before it ended.
#[derive(Default)]
struct Progress {
    authorized: bool,
    /// When the first snapshot arrived.
    snapshot_at: Option<Instant>,
}

async fn run(client: Client, options: SocketOptions, events: mpsc::UnboundedSender<SocketEvent>) {
    let mut backoff = Backoff::new(options.reconnect_min, options.reconnect_max);
    let mut reconnect = false;
    let mut token_refused_once = false;
    loop {
        let mut progress = Progress::default();
        let ended = connect_and_serve(&client, &options, &events, reconnect, &mut progress).await;
        if progress.authorized {
            token_refused_once = false;
        }
        // Healthy means the snapshot came and the connection then stayed up: a server
        // that authorizes and drops (or refuses the syncrequest) keeps the back-off growing.
        let healthy = progress.snapshot_at.is_some_and(|at| at.elapsed() >= options.healthy_after);
        let reason = match ended {
            Ended::NobodyListens => return,
            Ended::Dropped(reason) => reason,
            Ended::Captcha(endpoint) => {
                let _ = events.send(SocketEvent::Stopped(ApiError::Captcha { endpoint }));
                return;
            }
            Ended::Unauthorized(text) => {
                // One renewal attempt; a second refusal stops the session.
                if token_refused_once {
                    let _ = events.send(SocketEvent::Stopped(ApiError::SignedOut { reason: text }));
                    return;
                }
                token_refused_once = true;
                if let Err(error) = client.renew().await {
                    let _ = events.send(SocketEvent::Stopped(error));
                    return;
                }
                format!("authorization refused ({text}); renewed the token")
            }
        };
        let delay = backoff.after(healthy);
        if events.send(SocketEvent::Disconnected { reason, retry_in: delay }).is_err() {
            return;
        }
        sleep(delay).await;
        reconnect = true;
    }
}

const AUTHORIZE_ID: u64 = 0;
const SYNC_ID: u64 = 1;

async fn connect_and_serve(
    client: &Client,
    options: &SocketOptions,
    events: &mpsc::UnboundedSender<SocketEvent>,
    reconnect: bool,
    progress: &mut Progress,
) -> Ended {
    let url = client.environment().ws_url.clone();
    let mut socket = match timeout(Duration::from_secs(10), tokio_tungstenite::connect_async(url.as_str())).await {
        Ok(Ok((socket, _))) => socket,
        Ok(Err(error)) => return Ended::Dropped(format!("cannot connect: {error}")),
        Err(_) => return Ended::Dropped("connecting timed out".into()),
    };
    let token = match client.fresh_token().await {
        Ok(token) => token,
        Err(error) => return Ended::Unauthorized(error.to_string()),
    };
    let mut sync_body = json!({ "splitResponses": true, "entityTypes": options.entity_types });

    let mut heartbeat = tokio::time::interval(options.heartbeat);
    heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last_heard = Instant::now();
    // A syncrequest penalised with a ticket is resent when the penalty is over; meanwhile
    // the heartbeats go on, or the server would drop us as silent.
    let mut resend_at: Option<Instant> = None;
    loop {
        let silence_deadline = last_heard + options.server_silence_limit;
        let penalty_over = async move {
            match resend_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            message = socket.next() => {
                let text = match message {
                    Some(Ok(Message::Text(text))) => text.to_string(),
                    Some(Ok(Message::Close(_))) | None => return Ended::Dropped("the server closed the connection".into()),
                    Some(Ok(_)) => continue,
                    Some(Err(error)) => return Ended::Dropped(format!("connection lost: {error}")),
                };
                last_heard = Instant::now();
                let frame = match ServerFrame::parse(&text) {
                    Ok(frame) => frame,
                    Err(_) => continue, // Unknown frames are skipped, not fatal.
                };
                match frame {
                    ServerFrame::Open => {
                        let authorize = Request { endpoint: "authorize".into(), id: AUTHORIZE_ID, query: String::new(), body: token.expose().to_string() };
                        if socket.send(Message::Text(authorize.encode().into())).await.is_err() {
                            return Ended::Dropped("connection lost while authorizing".into());
                        }
                    }
                    ServerFrame::Heartbeat => {}
                    ServerFrame::Close(reason) => return Ended::Dropped(format!("closed by the server: {reason}")),
                    ServerFrame::Messages(messages) => {
                        for message in messages {
                            match message {
                                ServerMessage::Response(Response { i: AUTHORIZE_ID, s, d }) => {
                                    if penalty(&d).is_some_and(|p| p.captcha) {
                                        return Ended::Captcha("authorize".into());
                                    }
                                    if s != 200 {
                                        return Ended::Unauthorized(describe_payload(s, &d));
                                    }
                                    progress.authorized = true;
                                    if events.send(SocketEvent::Ready { reconnect }).is_err() {
                                        return Ended::NobodyListens;
                                    }
                                    let sync = sync_request(&sync_body);
                                    if socket.send(Message::Text(sync.into())).await.is_err() {
                                        return Ended::Dropped("connection lost after authorizing".into());
                                    }
                                }
                                ServerMessage::Response(Response { i: SYNC_ID, s, d }) => {
                                    if let Some(penalty) = penalty(&d) {
                                        if penalty.captcha {
                                            return Ended::Captcha("user/syncrequest".into());
                                        }
                                        // Resend with the ticket once the (bounded) wait is over (reference 2.5).
                                        sync_body["p-ticket"] = Value::String(penalty.ticket);
                                        resend_at = Some(Instant::now() + penalty.wait);
                                    } else if s == 200 {
                                        progress.snapshot_at.get_or_insert_with(Instant::now);
                                        if events.send(SocketEvent::Snapshot(d)).is_err() {
                                            return Ended::NobodyListens;
                                        }
                                    } else {
                                        return Ended::Dropped(format!("syncrequest refused: {}", describe_payload(s, &d)));
                                    }
                                }
                                ServerMessage::Response(_) => {}
                                ServerMessage::Event(event) if event.e == "props" => {
                                    let changes = props_changes(&event.d);
                                    if !changes.is_empty() && events.send(SocketEvent::Changes(changes)).is_err() {
                                        return Ended::NobodyListens;
                                    }
                                }
                                ServerMessage::Event(_) => {}
                            }
                        }
                    }
                }
            }
            _ = penalty_over => {
                resend_at = None;
                if socket.send(Message::Text(sync_request(&sync_body).into())).await.is_err() {
                    return Ended::Dropped("connection lost after a penalty".into());
                }
            }
            _ = heartbeat.tick() => {
                if socket.send(Message::Text(CLIENT_HEARTBEAT.into())).await.is_err() {
                    return Ended::Dropped("connection lost".into());
                }
                if events.is_closed() {
                    let _ = socket.close(None).await;
                    return Ended::NobodyListens;
                }
            }
            _ = tokio::time::sleep_until(silence_deadline) => {
                let phase = if progress.authorized { "" } else { " before authorizing" };
                return Ended::Dropped(format!("the server went silent{phase}"));
            }
        }
    }
}

fn sync_request(body: &Value) -> String {
    Request { endpoint: "user/syncrequest".into(), id: SYNC_ID, query: String::new(), body: body.to_string() }.encode()
}

/// A time penalty inside a response's `d` (reference 2.5).
struct Penalty {
    ticket: String,
    wait: Duration,
    captcha: bool,
}

fn penalty(d: &Value) -> Option<Penalty> {
    let ticket = d.get("p-ticket")?.as_str()?.to_string();
    let captcha = d.get("p-captcha").and_then(Value::as_bool).unwrap_or(false);
    Some(Penalty { ticket, wait: bounds::penalty_wait(d.get("p-time")), captcha })
}

fn describe_payload(status: u16, d: &Value) -> String {
    let text = match d {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.get("errorText").and_then(Value::as_str).map(str::to_string).unwrap_or_default(),
    };
    if text.is_empty() { format!("status {status}") } else { format!("status {status}: {text}") }
}
