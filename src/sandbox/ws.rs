//! The user-data WebSocket (reference 4): `o` on connect, `h` every heartbeat
//! interval, `authorize`, `user/syncrequest` (snapshot, then `props` events for the
//! requested entity types of this socket's domain), any REST endpoint of this domain
//! (same rules as HTTP; `s` = HTTP status, `d` = body; unknown endpoint `s:404`), a
//! silent client is dropped, and the per-user connection limit evicts the oldest socket.

use super::accounts::account_wire;
use super::alerts::signal_wire;
use super::auth::session_user;
use super::config::{SandboxConfig, SignalShape};
use super::faults::FaultKind;
use super::server::{Call, Outcome, Reply, Shared, find_route, lock, process};
use super::state::{Id, World};
use super::users::user_wire;
use crate::api::Domain;
use crate::api::ws::frame::Request;
use axum::extract::Query;
use axum::extract::ws::{Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Notify;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::{Instant, interval_at, sleep_until};

/// A change to push to the sockets of one domain.
#[derive(Clone, Debug)]
pub struct PushEvent {
    pub domain: Domain,
    /// Canonical entity type: `user`, `account`, `adminAlertSignal`, `userPlugin`.
    pub entity_type: &'static str,
    pub event_type: &'static str,
    pub entity: Value,
}

impl PushEvent {
    pub fn new(domain: Domain, entity_type: &'static str, event_type: &'static str, entity: Value) -> Self {
        Self { domain, entity_type, event_type, entity }
    }

    /// The `a[...]` frame for this event.
    fn frame(&self, shape: SignalShape) -> String {
        let d = if self.entity_type == "adminAlertSignal" {
            match shape {
                SignalShape::OtherEnv => json!([{
                    "entityType": "OtherEnvAdminAlertSignal",
                    "eventType": self.event_type,
                    "entity": { "adminAlertSignal": self.entity },
                }]),
                SignalShape::Plain => json!({
                    "entityType": "adminAlertSignal",
                    "eventType": self.event_type,
                    "entity": self.entity,
                }),
            }
        } else {
            json!([{ "entityType": self.entity_type, "eventType": self.event_type, "entity": self.entity }])
        };
        format!("a{}", json!([{ "e": "props", "d": d }]))
    }
}

fn response(status: u16, id: u64, d: Option<Value>) -> String {
    let mut r = json!({ "s": status, "i": id });
    if let Some(d) = d {
        r["d"] = d;
    }
    format!("a{}", json!([r]))
}

/// Entity types the sandbox knows, by their canonical name.
const ENTITY_TYPES: [&str; 6] =
    ["user", "account", "tradingPermission", "adminAlertSignal", "userPlugin", "contactInfo"];

/// The canonical entity type a subscribed name stands for, if the server knows it.
/// Lenient: any case. Strict (`SandboxConfig::strict_entity_types`): the exact name,
/// and the signal only by the `entityType` its events carry in the configured shape.
fn canonical(config: &SandboxConfig, entity_type: &str) -> Option<&'static str> {
    if !config.strict_entity_types {
        return ENTITY_TYPES.into_iter().find(|t| t.eq_ignore_ascii_case(entity_type));
    }
    let signal_name = match config.signal_shape {
        SignalShape::OtherEnv => "OtherEnvAdminAlertSignal",
        SignalShape::Plain => "adminAlertSignal",
    };
    if entity_type == signal_name {
        return Some("adminAlertSignal");
    }
    ENTITY_TYPES.into_iter().filter(|t| *t != "adminAlertSignal").find(|t| *t == entity_type)
}

/// The snapshot: one plural key per requested type, with this org's entities of this domain.
fn snapshot(world: &World, config: &SandboxConfig, domain: Domain, org_id: Id, types: &[String]) -> Value {
    let mut out = Map::new();
    for t in types {
        let Some(kind) = canonical(config, t) else {
            // A strict server says nothing about a name it does not know.
            if !config.strict_entity_types {
                out.insert(format!("{t}s"), json!([]));
            }
            continue;
        };
        let org_user = |user_id: Id| world.user(user_id).is_some_and(|u| u.org_id == org_id);
        let items: Vec<Value> = match (kind, domain) {
            ("user", _) => world.users.iter().filter(|u| u.org_id == org_id).map(user_wire).collect(),
            ("account", Domain::Demo) => {
                world.accounts.iter().filter(|a| a.org_id == org_id).map(account_wire).collect()
            }
            ("tradingPermission", Domain::Demo) => world
                .permissions
                .iter()
                .filter(|p| org_user(p.user_id))
                .map(|p| json!({ "id": p.id, "userId": p.user_id, "accountId": p.account_id, "status": p.status }))
                .collect(),
            ("adminAlertSignal", Domain::Live) => {
                world.signals.iter().filter(|s| s.org_id == org_id).map(signal_wire).collect()
            }
            ("userPlugin", Domain::Live) => world
                .plugins
                .iter()
                .filter(|p| org_user(p.user_id) && !p.cancelled)
                .map(|p| json!({ "id": p.id, "userId": p.user_id, "entitlementId": p.entitlement_id }))
                .collect(),
            ("contactInfo", Domain::Live) => {
                world.contacts.iter().filter(|c| org_user(c.user_id)).map(|c| c.value.clone()).collect()
            }
            _ => Vec::new(),
        };
        let key = if config.strict_entity_types { t.as_str() } else { kind };
        out.insert(format!("{key}s"), Value::Array(items));
    }
    Value::Object(out)
}

/// Authorized sockets, oldest first, for the per-user connection limit.
#[derive(Debug, Default)]
pub struct Registry {
    next_id: u64,
    open: Vec<OpenSocket>,
}

impl Registry {
    /// Sockets open now, of any user.
    pub fn open_count(&self) -> usize {
        self.open.len()
    }
}

#[derive(Debug)]
struct OpenSocket {
    id: u64,
    user_id: Id,
    token: String,
    evict: Arc<Notify>,
}

impl Registry {
    fn new_socket(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Registers an authorized socket; returns the tokens of sockets evicted to make room.
    fn authorize(&mut self, socket: u64, user_id: Id, token: &str, evict: Arc<Notify>, max: usize) -> Vec<String> {
        self.open.retain(|s| s.id != socket);
        self.open.push(OpenSocket { id: socket, user_id, token: token.to_string(), evict });
        let mut revoked = Vec::new();
        while self.open.iter().filter(|s| s.user_id == user_id).count() > max {
            let Some(index) = self.open.iter().position(|s| s.user_id == user_id) else { break };
            let oldest = self.open.remove(index);
            oldest.evict.notify_one();
            revoked.push(oldest.token);
        }
        revoked
    }

    fn close(&mut self, socket: u64) {
        self.open.retain(|s| s.id != socket);
    }
}

struct Conn {
    id: u64,
    evict: Arc<Notify>,
    caller: Option<Id>,
    /// Canonical types requested by the last syncrequest.
    wanted: Vec<&'static str>,
}

/// Any REST endpoint may also be called over the socket (reference 4.1): same rules,
/// same rate limits and penalty tickets; the HTTP status becomes `s`, the body `d`.
fn rest_call(shared: &Arc<Shared>, domain: Domain, caller: Id, request: &Request, path: &str) -> String {
    // Counted like HTTP calls, so "no polling" assertions see socket polling too.
    *lock(&shared.calls).entry((domain, path.to_string())).or_default() += 1;
    let Some(route) = find_route(path) else {
        return response(404, request.id, Some(json!(format!("Unknown endpoint: {}", request.endpoint))));
    };
    let reply_frame = |reply: Reply| response(reply.status.as_u16(), request.id, reply.body);
    if let Err(reply) = route.check_domain(domain) {
        return reply_frame(reply);
    }
    let query: HashMap<String, String> = format!("/?{}", request.query.trim())
        .parse::<axum::http::Uri>()
        .ok()
        .and_then(|uri| Query::<HashMap<String, String>>::try_from_uri(&uri).ok())
        .map(|q| q.0)
        .unwrap_or_default();
    let mut query = query;
    let mut body = if request.body.trim().is_empty() {
        json!({})
    } else {
        match serde_json::from_str::<Value>(&request.body) {
            Ok(v @ Value::Object(_)) => v,
            _ => return response(400, request.id, Some(json!({ "errorText": "Malformed JSON body" }))),
        }
    };
    if let Some(ticket) = query.remove("p-ticket")
        && body.get("p-ticket").is_none()
    {
        body["p-ticket"] = json!(ticket);
    }
    let call = Call { route, path, domain, caller: Some(caller), token: None, query, body };
    match process(shared, call) {
        Outcome::Refused(reply) | Outcome::Handled(reply) => reply_frame(reply),
    }
}

fn handle(shared: &Arc<Shared>, domain: Domain, conn: &mut Conn, text: &str) -> Option<String> {
    let request = Request::parse(text)?;
    let endpoint = request.endpoint.to_ascii_lowercase();
    if endpoint == "authorize" {
        return Some(match session_user(shared, request.body.trim()) {
            Some(user) => {
                conn.caller = Some(user);
                let max = shared.config.max_sockets_per_user;
                let token = request.body.trim();
                let revoked = lock(&shared.sockets).authorize(conn.id, user, token, conn.evict.clone(), max);
                let mut world = lock(&shared.world);
                for t in revoked {
                    world.tokens.remove(&t);
                }
                response(200, request.id, None)
            }
            None => response(401, request.id, Some(json!("Access is denied"))),
        });
    }
    let Some(caller) = conn.caller else {
        return Some(response(401, request.id, Some(json!("Access is denied: authorize first"))));
    };
    if endpoint != "user/syncrequest" {
        return Some(rest_call(shared, domain, caller, &request, &endpoint));
    }
    *lock(&shared.calls).entry((domain, endpoint.clone())).or_default() += 1;
    let mut body: Value = match serde_json::from_str(if request.body.trim().is_empty() { "{}" } else { &request.body })
    {
        Ok(v @ Value::Object(_)) => v,
        _ => return Some(response(400, request.id, Some(json!({ "errorText": "Malformed JSON body" })))),
    };
    // Penalty tickets travel inside `d` over the socket (reference 2.5); the retry
    // resends the same request with `p-ticket` in the body.
    let presented =
        body.as_object_mut().and_then(|o| o.remove("p-ticket")).map(|t| t.as_str().unwrap_or("").to_string());
    let armed = shared.take_fault(&endpoint, |k| matches!(k, FaultKind::Penalty { .. }));
    if let Some(penalty) = lock(&shared.tickets).check(&endpoint, presented.as_deref(), armed, false) {
        return Some(response(200, request.id, Some(penalty)));
    }
    if shared.config.refuse_syncrequest {
        return Some(response(429, request.id, Some(json!({ "errorText": "Too many requests" }))));
    }
    if body.get("splitResponses") != Some(&Value::Bool(true)) {
        return Some(response(400, request.id, Some(json!({ "errorText": "splitResponses must be true" }))));
    }
    let types: Vec<String> = match body.get("entityTypes") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
            items.iter().filter_map(Value::as_str).map(String::from).collect()
        }
        Some(_) => {
            return Some(response(
                400,
                request.id,
                Some(json!({ "errorText": "entityTypes must be a list of strings" })),
            ));
        }
    };
    conn.wanted = types.iter().filter_map(|t| canonical(&shared.config, t)).collect();
    let world = lock(&shared.world);
    let org_id = world.user(caller).map(|u| u.org_id).unwrap_or_default();
    Some(response(200, request.id, Some(snapshot(&world, &shared.config, domain, org_id, &types))))
}

pub async fn serve(shared: Arc<Shared>, domain: Domain, socket: WebSocket) {
    let (mut tx, mut rx) = socket.split();
    let mut events = shared.events.subscribe();
    let mut kill = shared.kill_sockets.subscribe();
    let beat = shared.config.heartbeat_interval;
    let silence = shared.config.client_silence_limit;
    let mut heartbeat = interval_at(Instant::now() + beat, beat);
    let mut deadline = Instant::now() + silence;
    let id = lock(&shared.sockets).new_socket();
    let mut conn = Conn { id, evict: Arc::new(Notify::new()), caller: None, wanted: Vec::new() };
    let evicted = conn.evict.clone();
    if tx.send(Message::Text("o".into())).await.is_err() {
        return;
    }
    loop {
        let out: Option<String> = tokio::select! {
            _ = heartbeat.tick() => Some("h".into()),
            _ = sleep_until(deadline) => {
                let _ = tx.send(Message::Text(r#"c[3000,"Client silent"]"#.into())).await;
                break;
            }
            _ = evicted.notified() => {
                let _ = tx.send(Message::Text(r#"c[3002,"Connection limit: oldest connection closed"]"#.into())).await;
                break;
            }
            _ = kill.changed() => {
                let _ = tx.send(Message::Text(r#"c[3001,"Dropped by the sandbox"]"#.into())).await;
                break;
            }
            event = events.recv() => match event {
                Ok(ev) if ev.domain == domain && conn.caller.is_some() && conn.wanted.contains(&ev.entity_type) => {
                    Some(ev.frame(shared.config.signal_shape))
                }
                Ok(_) | Err(RecvError::Lagged(_)) => None,
                Err(RecvError::Closed) => break,
            },
            message = rx.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    deadline = Instant::now() + silence;
                    if text.trim() == "[]" { None } else { handle(&shared, domain, &mut conn, &text) }
                }
                Some(Ok(Message::Binary(_))) => { deadline = Instant::now() + silence; None }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => None,
            },
        };
        if let Some(text) = out
            && tx.send(Message::Text(text.into())).await.is_err()
        {
            break;
        }
    }
    lock(&shared.sockets).close(conn.id);
    let _ = tx.send(Message::Close(None)).await;
    let _ = tx.close().await;
}
