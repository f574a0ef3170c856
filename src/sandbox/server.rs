//! The HTTP side: one router for both domains, path prefixes `/live/v1/` and
//! `/demo/v1/`, case-insensitive endpoint lookup, then the gates every request passes
//! in order: route and domain, armed faults (delay, 500), Bearer token, body size
//! and JSON, rate limit (423/429), penalty ticket, the handler, and last the
//! "lose the reply" fault.

use super::config::SandboxConfig;
use super::faults::{FaultKind, FaultState};
use super::limits::{Counters, Gate, Tickets};
use super::peak_rate::PeakRate;
use super::state::{Id, World};
use super::ws::PushEvent;
use super::{accounts, alerts, auth, documents, entitlements, offboarding, risk, subaccounts, users, ws};
use crate::api::Domain;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Query, Request, State, ws::WebSocketUpgrade};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// Largest request body accepted (reference 6.2: "request body ≤ 5 MB").
/// Larger bodies get HTTP 413 with an `errorText` (our choice; the real reply is unknown).
pub const MAX_BODY_BYTES: usize = 5 * 1024 * 1024;

/// Everything the server tasks share.
pub struct Shared {
    pub config: SandboxConfig,
    pub world: Mutex<World>,
    pub token_lifetime: Mutex<Duration>,
    pub faults: Mutex<FaultState>,
    pub counters: Mutex<Counters>,
    pub tickets: Mutex<Tickets>,
    pub calls: Mutex<HashMap<(Domain, String), u64>>,
    pub arrivals: Mutex<PeakRate>,
    pub events: broadcast::Sender<PushEvent>,
    /// Bumped to close every open socket.
    pub kill_sockets: watch::Sender<u64>,
    pub sockets: Mutex<ws::Registry>,
    pub maintenance: AtomicBool,
    /// Drawn from for `SandboxConfig::random_write_faults` (seeded on first use).
    pub random_faults: Mutex<Option<rand::rngs::StdRng>>,
}

/// Locks a mutex, surviving a poisoned lock (a panicking handler must not take the
/// whole sandbox down with it).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn new(config: SandboxConfig, world: World) -> Arc<Self> {
        let (events, _) = broadcast::channel(1024);
        let (kill_sockets, _) = watch::channel(0);
        Arc::new(Self {
            token_lifetime: Mutex::new(config.token_lifetime),
            config,
            world: Mutex::new(world),
            faults: Mutex::new(FaultState::default()),
            counters: Mutex::new(Counters::default()),
            tickets: Mutex::new(Tickets::default()),
            calls: Mutex::new(HashMap::new()),
            arrivals: Mutex::new(PeakRate::default()),
            events,
            kill_sockets,
            sockets: Mutex::new(ws::Registry::default()),
            maintenance: AtomicBool::new(false),
            random_faults: Mutex::new(None),
        })
    }

    /// Sends a `props` event to every socket of `domain` that asked for its type.
    pub fn push(&self, event: PushEvent) {
        let _ = self.events.send(event);
    }
}

/// What a handler answers: status, JSON body (or none), and whether it counts as a failure
/// for failed-only rate limits.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Option<Value>,
    pub failed: bool,
}

impl Reply {
    /// HTTP 200 with this body; it counts as failed when it carries a non-empty
    /// `errorText`, `ok: false`, or any `results[i].errorText`.
    pub fn ok(body: Value) -> Self {
        let has_error = |v: &Value| v.get("errorText").and_then(Value::as_str).is_some_and(|t| !t.is_empty());
        let failed = has_error(&body)
            || body.get("ok") == Some(&Value::Bool(false))
            || body.get("results").and_then(Value::as_array).is_some_and(|r| r.iter().any(has_error));
        Self { status: StatusCode::OK, body: Some(body), failed }
    }

    /// HTTP 200 `{"errorText": text}`: a business error.
    pub fn error_text(text: impl Into<String>) -> Self {
        Self::ok(json!({ "errorText": text.into() }))
    }

    /// Any status with `{"errorText": text}`.
    pub fn status(status: StatusCode, text: impl Into<String>) -> Self {
        Self { status, body: Some(json!({ "errorText": text.into() })), failed: true }
    }

    pub fn empty(status: StatusCode) -> Self {
        Self { status, body: None, failed: true }
    }

    fn into_response(self) -> Response {
        match self.body {
            Some(body) => {
                let mut response = (self.status, body.to_string()).into_response();
                response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
                response
            }
            None => (self.status, Body::empty()).into_response(),
        }
    }
}

/// What a handler gets to see.
pub struct Ctx<'a> {
    pub shared: &'a Arc<Shared>,
    pub domain: Domain,
    /// The signed-in user (None only on unauthenticated endpoints).
    pub caller: Option<Id>,
    /// The Bearer token the request came with (None over the socket).
    pub token: Option<String>,
    pub query: HashMap<String, String>,
    pub body: Value,
}

impl Ctx<'_> {
    /// The caller's user id; handlers behind authentication always have one.
    pub fn caller_id(&self) -> Id {
        self.caller.unwrap_or_default()
    }
}

pub type Handler = fn(&Ctx<'_>, &mut World) -> Reply;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum On {
    Live,
    Demo,
    Both,
}

pub struct Route {
    /// Lower-cased path below `/v1/`.
    pub path: &'static str,
    pub method: Method,
    pub on: On,
    pub authenticated: bool,
    pub handler: Handler,
}

impl Route {
    /// HTTP 404 with a clear errorText when called on the wrong domain.
    pub fn check_domain(&self, domain: Domain) -> Result<(), Reply> {
        let allowed = match self.on {
            On::Both => true,
            On::Live => domain == Domain::Live,
            On::Demo => domain == Domain::Demo,
        };
        if allowed {
            return Ok(());
        }
        Err(wrong_domain(self.path, domain))
    }
}

/// HTTP 404 naming the domain that does serve `path`.
pub fn wrong_domain(path: &str, domain: Domain) -> Reply {
    let right = if domain == Domain::Live { Domain::Demo } else { Domain::Live };
    Reply::status(
        StatusCode::NOT_FOUND,
        format!("{path} is not available on the {domain} domain; call it on the {right} domain"),
    )
}

const fn route(path: &'static str, method: Method, on: On, handler: Handler) -> Route {
    Route { path, method, on, authenticated: true, handler }
}

/// Every endpoint the sandbox serves, built once.
pub static ROUTES: std::sync::LazyLock<Vec<Route>> = std::sync::LazyLock::new(routes);

/// Finds the route for a lower-cased path below `/v1/`.
pub fn find_route(path: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.path == path)
}

/// Every endpoint the sandbox serves (lower-cased paths; lookups lower-case the request).
fn routes() -> Vec<Route> {
    use Method as M;
    use On::*;
    vec![
        Route { authenticated: false, ..route("auth/accesstokenrequest", M::POST, Both, auth::access_token_request) },
        route("auth/renewaccesstoken", M::GET, Both, auth::renew_access_token),
        route("auth/me", M::GET, Both, auth::me),
        route("tradovatesubscriptionplan/list", M::GET, Live, accounts::plan_list),
        route("entitlement/list", M::GET, Live, accounts::entitlement_list),
        route("user/find", M::GET, Live, users::user_find),
        route("user/createevaluationusers", M::POST, Live, users::create_evaluation_users),
        route("contactinfo/updatecontactinfo", M::POST, Live, users::update_contact_info),
        // Served on the configured domain only (`SandboxConfig::deps_domain`); the handler checks.
        route("adminalertsignal/deps", M::GET, Both, alerts::deps),
        route("userplugin/addentitlementsubscription", M::POST, Live, entitlements::add_entitlement_subscription),
        route("userplugin/deps", M::GET, Live, entitlements::deps),
        route("user/createevaluationaccounts", M::POST, Demo, accounts::create_evaluation_accounts),
        route("account/list", M::GET, Demo, accounts::account_list),
        route("account/find", M::GET, Demo, accounts::account_find),
        route("useraccountautoliq/deps", M::GET, Demo, risk::auto_liq_deps),
        route("useraccountautoliq/updateuserautoliq", M::POST, Demo, risk::update_user_auto_liq),
        route("useraccountpositionlimit/deps", M::GET, Demo, risk::position_limit_deps),
        route("useraccountriskparameter/deps", M::GET, Demo, risk::risk_parameter_deps),
        route("user/getaccounttradingpermissions", M::POST, Demo, offboarding::get_account_trading_permissions),
        route("user/revoketradingpermissions", M::POST, Demo, offboarding::revoke_trading_permissions),
        route("user/canceleverything", M::POST, Both, offboarding::cancel_everything),
        route("customerapplication/createpartnersubaccountrequest", M::POST, Live, subaccounts::create),
        route("customerapplication/getpartnersubaccountrequeststatus", M::POST, Live, subaccounts::status),
        route("customerapplication/submitpartnersubaccountdocument", M::POST, Live, documents::submit_partner),
        route("customerapplication/submitcustomerapplicationdocument", M::POST, Live, documents::submit_customer),
    ]
}

pub struct App {
    pub shared: Arc<Shared>,
}

/// The single entry point for every request.
pub async fn dispatch(State(app): State<Arc<App>>, req: Request) -> Response {
    let (mut parts, body) = req.into_parts();
    let lower = parts.uri.path().to_ascii_lowercase();
    let (domain, rest) = if let Some(rest) = lower.strip_prefix("/live/v1/") {
        (Domain::Live, rest.trim_end_matches('/').to_string())
    } else if let Some(rest) = lower.strip_prefix("/demo/v1/") {
        (Domain::Demo, rest.trim_end_matches('/').to_string())
    } else {
        return Reply::status(StatusCode::NOT_FOUND, "Not found: use /live/v1/... or /demo/v1/...").into_response();
    };
    *lock(&app.shared.calls).entry((domain, rest.clone())).or_default() += 1;
    lock(&app.shared.arrivals).record(std::time::Instant::now());
    if !app.shared.config.latency.is_zero() {
        tokio::time::sleep(app.shared.config.latency).await;
    }

    if rest == "websocket" {
        return match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
            Ok(upgrade) => {
                let shared = app.shared.clone();
                upgrade.on_upgrade(move |socket| ws::serve(shared, domain, socket))
            }
            Err(rejection) => rejection.into_response(),
        };
    }

    let Some(route) = find_route(&rest) else {
        return Reply::status(StatusCode::NOT_FOUND, format!("Unknown endpoint: {rest}")).into_response();
    };
    if parts.method != route.method {
        return Reply::status(StatusCode::METHOD_NOT_ALLOWED, format!("{rest} expects {}", route.method))
            .into_response();
    }
    if let Err(reply) = route.check_domain(domain) {
        return reply.into_response();
    }

    let shared = &app.shared;
    if let Some(FaultKind::Delay(d)) = shared.take_fault(&rest, |k| matches!(k, FaultKind::Delay(_))) {
        tokio::time::sleep(d).await;
    }
    let random = shared.random_write_fault(&rest, route.method == Method::POST);
    if random == Some(FaultKind::Fail500) || shared.take_fault(&rest, |k| matches!(k, FaultKind::Fail500)).is_some() {
        return Reply::status(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error (sandbox fault)")
            .into_response();
    }
    if let Some(FaultKind::ReplyWith(body)) = shared.take_fault(&rest, |k| matches!(k, FaultKind::ReplyWith(_))) {
        return Reply::ok(body).into_response();
    }

    if shared.maintenance.load(Ordering::SeqCst)
        && (rest == "user/createevaluationaccounts" || rest == "user/createevaluationusers")
    {
        tokio::time::sleep(shared.config.maintenance_timeout).await;
        return Reply::status(StatusCode::GATEWAY_TIMEOUT, "Request timed out (maintenance window)").into_response();
    }

    // Authentication.
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|t| t.trim().to_string());
    let caller = if route.authenticated {
        match token.as_deref().and_then(|t| auth::session_user(shared, t)) {
            Some(user) => Some(user),
            // The OpenAPI: calls on a session closed by later logins "throw 408, 429, or
            // 500 level errors" (not 401). Not processed.
            None if token.as_deref().is_some_and(|t| auth::is_closed_session(shared, t)) => {
                let status =
                    StatusCode::from_u16(shared.config.closed_session_status).unwrap_or(StatusCode::REQUEST_TIMEOUT);
                return Reply::empty(status).into_response();
            }
            None => return Reply::status(StatusCode::UNAUTHORIZED, "Access is denied").into_response(),
        }
    } else {
        None
    };

    // Body and query.
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return Reply::status(StatusCode::PAYLOAD_TOO_LARGE, "Request body exceeds 5 MB").into_response();
        }
    };
    let mut body = if route.method == Method::POST {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            json!({})
        } else {
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(v @ Value::Object(_)) => v,
                Ok(_) => {
                    return Reply::status(StatusCode::BAD_REQUEST, "Request body must be a JSON object")
                        .into_response();
                }
                Err(e) => {
                    return Reply::status(StatusCode::BAD_REQUEST, format!("Malformed JSON body: {e}")).into_response();
                }
            }
        }
    } else {
        Value::Null
    };
    let mut query: HashMap<String, String> =
        Query::<HashMap<String, String>>::try_from_uri(&parts.uri).map(|q| q.0).unwrap_or_default();

    // A GET carries its penalty ticket in the query; a POST may too.
    if let Some(ticket) = query.remove("p-ticket") {
        if !body.is_object() {
            body = json!({});
        }
        if body.get("p-ticket").is_none() {
            body["p-ticket"] = json!(ticket);
        }
    }
    if let Some(FaultKind::ApplyLate(delay)) = shared.take_fault(&rest, |k| matches!(k, FaultKind::ApplyLate(_))) {
        let shared = shared.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let _ = process(&shared, Call { route, path: &rest, domain, caller, token, query, body });
        });
        return lost_reply();
    }
    let mut reply = match process(shared, Call { route, path: &rest, domain, caller, token, query, body }) {
        Outcome::Refused(reply) => return reply.into_response(),
        Outcome::Handled(reply) => reply,
    };
    if random == Some(FaultKind::Lose) || shared.take_fault(&rest, |k| matches!(k, FaultKind::Lose)).is_some() {
        return lost_reply();
    }
    if let Some(FaultKind::BatchNote(text)) = shared.take_fault(&rest, |k| matches!(k, FaultKind::BatchNote(_)))
        && let Some(Value::Object(body)) = reply.body.as_mut()
    {
        body.insert("errorText".into(), Value::String(text));
    }
    reply.into_response()
}

/// One request as the rules see it, whether it came over HTTP or the socket.
pub struct Call<'r> {
    pub route: &'r Route,
    /// Lower-cased path below `/v1/`.
    pub path: &'r str,
    pub domain: Domain,
    pub caller: Option<Id>,
    pub token: Option<String>,
    pub query: HashMap<String, String>,
    /// The JSON body (POST) or `{"p-ticket": ..}`/null (GET).
    pub body: Value,
}

pub enum Outcome {
    /// Not processed: 423, 429 or a penalty ticket.
    Refused(Reply),
    /// The handler ran.
    Handled(Reply),
}

/// Rate limit (423/429), penalty ticket, then the handler.
pub fn process(shared: &Arc<Shared>, call: Call<'_>) -> Outcome {
    let Call { route, path, domain, caller, token, query, mut body } = call;
    let limit = shared.config.rate_limits.get(path);
    if let Some(limit) = limit {
        match lock(&shared.counters).gate(path, limit) {
            Gate::Open => {}
            Gate::Warn => return Outcome::Refused(Reply::empty(StatusCode::LOCKED)),
            Gate::Locked => return Outcome::Refused(Reply::empty(StatusCode::TOO_MANY_REQUESTS)),
        }
    }
    let presented = match body.as_object_mut().and_then(|o| o.remove("p-ticket")) {
        Some(Value::String(t)) => Some(t),
        Some(_) => Some(String::new()),
        None => None,
    };
    if route.method == Method::GET {
        body = Value::Null;
    }
    let mut armed = shared.take_fault(path, |k| matches!(k, FaultKind::Penalty { .. }));
    if let Some(burst) = shared.config.burst_penalty
        && armed.is_none()
        && lock(&shared.counters).burst(burst.max_per_second)
    {
        armed = Some(FaultKind::Penalty { p_time_secs: burst.p_time_secs, captcha: false });
    }
    let is_auth = path == "auth/accesstokenrequest";
    if let Some(penalty) = lock(&shared.tickets).check(path, presented.as_deref(), armed, is_auth) {
        return Outcome::Refused(Reply::ok(penalty));
    }
    let ctx = Ctx { shared, domain, caller, token, query, body };
    let reply = {
        let mut world = lock(&shared.world);
        (route.handler)(&ctx, &mut world)
    };
    if let Some(limit) = limit {
        lock(&shared.counters).record(path, limit, reply.failed);
    }
    Outcome::Handled(reply)
}

/// A response whose body fails at once: hyper closes the connection and the client
/// never gets a usable reply (the request was processed all the same).
fn lost_reply() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "reply lost"))
    });
    let mut response = Response::new(Body::from_stream(stream));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
