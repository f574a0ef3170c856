//! The one client every screen and the command line use to talk to Tradovate.
//!
//! It owns the session (token, renewal, re-login), routes each endpoint to its domain,
//! enforces the rate budgets, waits out penalties, retries only what is safe to repeat,
//! and logs every call to the [`ActivityLog`]. Typed calls live in `calls.rs`.

use super::activity::{ActivityLog, CallRecord, Outcome};
use super::auth::{Credentials, SessionInfo, Token};
use super::bounds;
use super::budget::{Admission, Budgets};
use super::endpoint::{self, Endpoint, Method};
use super::env::{Domain, Environment};
use super::error::{ApiError, ApiResult};
use super::rate_limit::RateLimit;
use super::reply::{self, Reply};
use super::secret::Secret;
use super::wire::AccessTokenResponse;
use chrono::Utc;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How patient the client is. The defaults suit Tradovate; tests shorten them.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Per-request timeout; a write that times out has an unknown outcome.
    pub request_timeout: Duration,
    /// Timeout of the batch calls (`createEvaluationUsers`/`Accounts`), sized for 100 items:
    /// Tradovate does not say how long a full batch takes, and a too-short timeout turns a
    /// slow success into an unknown outcome.
    pub batch_timeout: Duration,
    /// Extra attempts for a call that is safe to repeat (or was never sent).
    pub retries: u32,
    /// First retry delay; doubles each attempt.
    pub retry_delay: Duration,
    /// A penalty longer than this is reported instead of waited out.
    pub max_penalty_wait: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            batch_timeout: Duration::from_secs(120),
            retries: 3,
            retry_delay: Duration::from_millis(500),
            max_penalty_wait: Duration::from_secs(15 * 60),
        }
    }
}

/// `keep_fresh` pauses at least this long between two renewals.
const MIN_RENEWAL_PAUSE: Duration = Duration::from_secs(1);

/// At most this many penalties in a row for one request before giving up.
const MAX_PENALTIES: u32 = 5;

/// Unattended sign-ins (after expiry, or after our session was closed) allowed per hour.
/// Each login opens a session and may close another (the OpenAPI's 2-session limit), and
/// failed logins earn captcha penalties: past this, the user is asked to sign in.
pub const AUTO_SIGN_INS_PER_HOUR: usize = 3;

/// UNCONFIRMED beyond the OpenAPI's "Other Important Notes": once later logins close a
/// session, "subsequent calls using the old access tokens will throw 408, 429, or 500
/// level errors". We read those statuses as "perhaps closed", confirm with a cheap
/// `auth/me` on the same token, and assume a call refused on a closed session was not
/// processed (it never got past the session check), so it may be sent again after a
/// fresh sign-in. When `auth/me` answers, the status is taken at face value.
fn may_mean_session_closed(status: u16) -> bool {
    status == 408 || status == 429 || (500..=599).contains(&status)
}

#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    environment: Environment,
    http: reqwest::Client,
    options: ClientOptions,
    /// Kept in memory (masked) so an expired session can sign in again unattended.
    credentials: Mutex<Option<Credentials>>,
    token: Mutex<Option<Token>>,
    session: Mutex<Option<SessionInfo>>,
    renewing: AtomicBool,
    /// One renewal at a time; concurrent callers wait for it and reuse its token.
    renew_lock: tokio::sync::Mutex<()>,
    budgets: Budgets,
    /// The global requests-per-second limit every HTTP attempt waits for.
    rate_limit: RateLimit,
    /// When unattended sign-ins happened, for [`AUTO_SIGN_INS_PER_HOUR`].
    auto_sign_ins: Mutex<std::collections::VecDeque<Instant>>,
    activity: ActivityLog,
    session_listener: Mutex<Option<Arc<dyn Fn() + Send + Sync>>>,
}

/// How a request authenticates.
#[derive(Clone, Copy)]
enum Auth<'a> {
    None,
    /// The session's token, renewed or re-obtained as needed.
    Session,
    /// This exact token, no recovery (used by renewal itself).
    Explicit(&'a Secret),
}

/// What happened to one HTTP attempt.
enum Attempt {
    Replied {
        status: u16,
        bytes: Vec<u8>,
    },
    /// The connection could not be made: nothing reached the server.
    NotSent(String),
    /// Sent, but no complete reply came back.
    Lost(String),
}

impl Client {
    pub fn new(environment: Environment) -> Self {
        Self::with_options(environment, ClientOptions::default())
    }

    pub fn with_options(environment: Environment, options: ClientOptions) -> Self {
        let http = reqwest::Client::builder()
            .user_agent(concat!("Propdesk/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Self {
            inner: Arc::new(Inner {
                environment,
                http,
                options,
                credentials: Mutex::new(None),
                token: Mutex::new(None),
                session: Mutex::new(None),
                renewing: AtomicBool::new(false),
                renew_lock: tokio::sync::Mutex::new(()),
                budgets: Budgets::default(),
                rate_limit: RateLimit::default(),
                auto_sign_ins: Mutex::new(Default::default()),
                activity: ActivityLog::default(),
                session_listener: Mutex::new(None),
            }),
        }
    }

    pub fn environment(&self) -> &Environment {
        &self.inner.environment
    }

    pub fn activity(&self) -> &ActivityLog {
        &self.inner.activity
    }

    pub fn session(&self) -> Option<SessionInfo> {
        lock(&self.inner.session).clone()
    }

    /// The current token, for saving in the OS keyring. `Debug` of it is masked.
    pub fn token(&self) -> Option<Token> {
        lock(&self.inner.token).clone()
    }

    /// True while a renewal is in flight (the top bar shows "renewing…").
    pub fn is_renewing(&self) -> bool {
        self.inner.renewing.load(Ordering::Relaxed)
    }

    /// Called whenever the session changes: signed in, renewed, signed out.
    pub fn set_session_listener(&self, listener: impl Fn() + Send + Sync + 'static) {
        *lock(&self.inner.session_listener) = Some(Arc::new(listener));
    }

    /// Signs in with an API key (`auth/accesstokenrequest`). On success the credentials
    /// are kept in memory so the session can be re-established after expiry.
    pub async fn sign_in(&self, credentials: Credentials) -> ApiResult<SessionInfo> {
        let body = serde_json::to_value(credentials.token_request()).map_err(protocol("auth/accesstokenrequest"))?;
        let reply: AccessTokenResponse =
            self.call(&endpoint::ACCESS_TOKEN_REQUEST, Domain::Live, &[], Some(body), Auth::None).await?;
        let info = self.adopt_token(reply)?;
        *lock(&self.inner.credentials) = Some(credentials);
        Ok(info)
    }

    /// Resumes a session from a token saved earlier (the keyring), without a login call.
    pub fn restore(&self, token: Token, session: SessionInfo, credentials: Option<Credentials>) {
        *lock(&self.inner.token) = Some(token);
        *lock(&self.inner.session) = Some(session);
        *lock(&self.inner.credentials) = credentials;
        self.notify_session();
    }

    /// Forgets the token and credentials held in memory.
    pub fn sign_out(&self) {
        *lock(&self.inner.token) = None;
        *lock(&self.inner.session) = None;
        *lock(&self.inner.credentials) = None;
        self.notify_session();
    }

    /// Renews the token now (`auth/renewaccesstoken`), falling back to a fresh login
    /// with the remembered credentials when the token can no longer be renewed.
    pub async fn renew(&self) -> ApiResult<SessionInfo> {
        let _one_at_a_time = self.inner.renew_lock.lock().await;
        self.renew_locked().await
    }

    /// A token that is valid now, renewing first if it is about to expire.
    /// The WebSocket uses it to `authorize`.
    pub async fn fresh_token(&self) -> ApiResult<Secret> {
        let needs = {
            let token = lock(&self.inner.token);
            let token = token.as_ref().ok_or_else(not_signed_in)?;
            token.needs_renewal(Utc::now())
        };
        if needs {
            let _one_at_a_time = self.inner.renew_lock.lock().await;
            // Another caller may have renewed while we waited.
            let still_needs = lock(&self.inner.token).as_ref().is_none_or(|t| t.needs_renewal(Utc::now()));
            if still_needs && let Err(error) = self.renew_locked().await {
                // A token that has not expired yet is still good for this call.
                let usable = lock(&self.inner.token).as_ref().filter(|t| !t.is_expired(Utc::now())).cloned();
                return usable.map(|t| t.value).ok_or(error);
            }
        }
        lock(&self.inner.token).as_ref().map(|t| t.value.clone()).ok_or_else(not_signed_in)
    }

    /// Keeps the session fresh in the background: sleeps until the renewal point, renews,
    /// repeats. Ends when signed out. Spawn it on the runtime after signing in.
    pub async fn keep_fresh(self) {
        loop {
            let renew_at = match lock(&self.inner.token).as_ref() {
                Some(token) => token.renew_at(),
                None => return,
            };
            // Never a tight loop, even if the server hands out tokens that are already stale.
            let wait = (renew_at - Utc::now()).to_std().unwrap_or(Duration::ZERO).max(MIN_RENEWAL_PAUSE);
            tokio::time::sleep(wait).await;
            if self.fresh_token().await.is_err() {
                // Renewal failed and the token expired: the session listener shows it.
                if lock(&self.inner.token).as_ref().is_none_or(|t| t.is_expired(Utc::now())) {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }

    /// Boxed because renewal sends requests, and requests may renew: the future is recursive.
    fn renew_locked(&self) -> Pin<Box<dyn Future<Output = ApiResult<SessionInfo>> + Send + '_>> {
        Box::pin(self.renew_locked_inner())
    }

    async fn renew_locked_inner(&self) -> ApiResult<SessionInfo> {
        self.inner.renewing.store(true, Ordering::Relaxed);
        self.notify_session();
        let result = self.renew_or_sign_in_again().await;
        self.inner.renewing.store(false, Ordering::Relaxed);
        if let Err(ApiError::SignedOut { .. }) = &result {
            *lock(&self.inner.token) = None;
            *lock(&self.inner.session) = None;
        }
        self.notify_session();
        result
    }

    async fn renew_or_sign_in_again(&self) -> ApiResult<SessionInfo> {
        let current = lock(&self.inner.token).clone();
        if let Some(token) = current.filter(|t| !t.is_expired(Utc::now())) {
            let renewed: ApiResult<AccessTokenResponse> =
                self.call(&endpoint::RENEW_ACCESS_TOKEN, Domain::Live, &[], None, Auth::Explicit(&token.value)).await;
            if let Ok(reply) = renewed {
                return self.adopt_token(reply);
            }
        }
        self.sign_in_unattended("the session expired").await
    }

    /// Signs in again with the credentials held in memory, within the hourly allowance.
    async fn sign_in_unattended(&self, why: &str) -> ApiResult<SessionInfo> {
        let credentials = lock(&self.inner.credentials).clone();
        let Some(credentials) = credentials else {
            return Err(ApiError::SignedOut { reason: why.into() });
        };
        if !self.admit_auto_sign_in(Instant::now()) {
            return Err(ApiError::SignedOut {
                reason: format!(
                    "{why}, and Propdesk already signed in again {AUTO_SIGN_INS_PER_HOUR} times in the last hour; \
                     sign in yourself to go on (this keeps an unsteady network from locking out the firm's API user)"
                ),
            });
        }
        let body = serde_json::to_value(credentials.token_request()).map_err(protocol("auth/accesstokenrequest"))?;
        let reply: AccessTokenResponse = self
            .call(&endpoint::ACCESS_TOKEN_REQUEST, Domain::Live, &[], Some(body), Auth::None)
            .await
            .map_err(|e| match e {
                ApiError::Rejected { text } => ApiError::SignedOut { reason: text },
                other => other,
            })?;
        self.adopt_token(reply)
    }

    /// Counts one unattended sign-in, unless the hour's allowance is spent.
    fn admit_auto_sign_in(&self, now: Instant) -> bool {
        let mut times = lock(&self.inner.auto_sign_ins);
        while times.front().is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(3600)) {
            times.pop_front();
        }
        if times.len() >= AUTO_SIGN_INS_PER_HOUR {
            return false;
        }
        times.push_back(now);
        true
    }

    /// After a status that may mean "session closed": asks `auth/me` with the same token.
    /// True when it is refused too (the session is gone); false when it answers or
    /// cannot be reached (then nothing is concluded).
    async fn session_was_closed(&self, token: &Secret) -> bool {
        let started = Instant::now();
        let attempt = self.send_once(&endpoint::ME, Domain::Live, &[], None, Some(token)).await;
        let elapsed = started.elapsed();
        match attempt {
            Attempt::Replied { status, .. } => {
                let closed = status == 401 || may_mean_session_closed(status);
                let outcome = if closed { Outcome::Failed } else { Outcome::Ok };
                let note = closed.then(|| "the session was closed (another sign-in)".to_string());
                self.log(&endpoint::ME, Domain::Live, outcome, Some(status), elapsed, note);
                closed
            }
            Attempt::NotSent(_) | Attempt::Lost(_) => false,
        }
    }

    /// Signs in again after our session was closed, one renewal at a time. A caller that
    /// waited may find a fresh token already there.
    /// Boxed for the same reason as [`Client::renew_locked`]: signing in sends a request.
    fn reopen_closed_session<'a>(
        &'a self,
        closed_token: &'a Secret,
    ) -> Pin<Box<dyn Future<Output = ApiResult<()>> + Send + 'a>> {
        Box::pin(self.reopen_closed_session_inner(closed_token))
    }

    async fn reopen_closed_session_inner(&self, closed_token: &Secret) -> ApiResult<()> {
        let _one_at_a_time = self.inner.renew_lock.lock().await;
        let current = lock(&self.inner.token).as_ref().map(|t| t.value.clone());
        if current.is_some_and(|t| t.expose() != closed_token.expose()) {
            return Ok(());
        }
        self.inner.renewing.store(true, Ordering::Relaxed);
        self.notify_session();
        let result = self.sign_in_unattended("the session was closed by another sign-in").await;
        self.inner.renewing.store(false, Ordering::Relaxed);
        if let Err(ApiError::SignedOut { .. }) = &result {
            *lock(&self.inner.token) = None;
            *lock(&self.inner.session) = None;
        }
        self.notify_session();
        result.map(|_| ())
    }

    fn adopt_token(&self, reply: AccessTokenResponse) -> ApiResult<SessionInfo> {
        let (Some(value), Some(expires_at)) = (reply.access_token, reply.expiration_time) else {
            return Err(ApiError::Protocol {
                endpoint: "auth/accesstokenrequest".into(),
                detail: "no accessToken or expirationTime in the reply".into(),
            });
        };
        let previous_user = lock(&self.inner.session).clone();
        let info = SessionInfo {
            user_id: reply.user_id.or(previous_user.as_ref().map(|s| s.user_id)).unwrap_or_default(),
            user_name: reply.name.or(previous_user.map(|s| s.user_name)).unwrap_or_default(),
            expires_at,
        };
        let issued_at = Utc::now();
        let expires_at = bounds::token_expiry(issued_at, expires_at);
        *lock(&self.inner.token) = Some(Token { value, expires_at, issued_at });
        *lock(&self.inner.session) = Some(info.clone());
        self.notify_session();
        Ok(info)
    }

    fn notify_session(&self) {
        let listener = lock(&self.inner.session_listener).clone();
        if let Some(listener) = listener {
            listener();
        }
    }

    // ---- The request pipeline -------------------------------------------------

    /// Sends one authenticated request and decodes the reply.
    pub(crate) async fn request<T: DeserializeOwned>(
        &self,
        endpoint: &Endpoint,
        domain: Domain,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> ApiResult<T> {
        self.call(endpoint, domain, query, body, Auth::Session).await
    }

    /// How many times the server pushed back (penalty, 423, 429) on this client, so
    /// callers can shrink their concurrency when it grows.
    pub fn pushbacks(&self) -> u64 {
        self.inner.rate_limit.pushbacks()
    }

    /// Records a failed batch (some items refused) against the endpoint's budget.
    pub(crate) fn record_item_failures(&self, endpoint: &Endpoint) {
        self.inner.budgets.record(endpoint, true, Instant::now());
    }

    async fn call<T: DeserializeOwned>(
        &self,
        endpoint: &Endpoint,
        domain: Domain,
        query: &[(&str, String)],
        body: Option<Value>,
        auth: Auth<'_>,
    ) -> ApiResult<T> {
        if let Admission::WaitThenGo(pause) = self.inner.budgets.admit(endpoint, Instant::now())? {
            tokio::time::sleep(pause).await;
        }
        let result = self.call_with_recovery(endpoint, domain, query, body, auth).await;
        self.inner.budgets.record(endpoint, result.is_err(), Instant::now());
        let value = result?;
        serde_json::from_value(value).map_err(protocol(endpoint.path))
    }

    async fn call_with_recovery(
        &self,
        endpoint: &Endpoint,
        domain: Domain,
        query: &[(&str, String)],
        mut body: Option<Value>,
        auth: Auth<'_>,
    ) -> ApiResult<Value> {
        let mut query: Vec<(String, String)> = query.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        let mut retries = 0;
        let mut penalties = 0;
        let mut recovered_session = false;
        loop {
            let token = match auth {
                Auth::None => None,
                Auth::Session => Some(self.fresh_token().await?),
                Auth::Explicit(token) => Some(token.clone()),
            };
            let slot = self.inner.rate_limit.acquire().await;
            let started = Instant::now();
            let attempt = self.send_once(endpoint, domain, &query, body.as_ref(), token.as_ref()).await;
            // Arrived by now, if at all: the slot's window starts here (see `rate_limit`).
            drop(slot);
            let elapsed = started.elapsed();
            let may_retry = retries < self.inner.options.retries;
            if let Attempt::Replied { status, .. } = &attempt
                && matches!(auth, Auth::Session)
                && !recovered_session
                && may_mean_session_closed(*status)
                && let Some(token) = &token
                && self.session_was_closed(token).await
            {
                let note = "refused: the session was closed by another sign-in".to_string();
                self.log(endpoint, domain, Outcome::Failed, Some(*status), elapsed, Some(note));
                recovered_session = true;
                // Not processed on a closed session (see `may_mean_session_closed`), so even
                // a creating write is sent again. If signing in fails, the reply is read as is.
                match self.reopen_closed_session(token).await {
                    Ok(()) => continue,
                    // Out of unattended sign-ins: the user must sign in.
                    Err(error @ ApiError::SignedOut { .. }) => return Err(error),
                    Err(_) => {}
                }
            }
            match attempt {
                Attempt::Replied { status, bytes } => match reply::read(endpoint.path, status, &bytes) {
                    Reply::Body(value) => {
                        self.log(endpoint, domain, Outcome::Ok, Some(status), elapsed, None);
                        return Ok(value);
                    }
                    Reply::Penalty { ticket, wait, captcha } => {
                        let note = format!("time penalty of {} s", wait.as_secs());
                        self.log(endpoint, domain, Outcome::Penalty, Some(status), elapsed, Some(note));
                        penalties += 1;
                        self.inner.rate_limit.push_back(wait);
                        if captcha {
                            return Err(ApiError::Captcha { endpoint: endpoint.path.into() });
                        }
                        if penalties > MAX_PENALTIES || wait > self.inner.options.max_penalty_wait {
                            return Err(ApiError::LockedOut { endpoint: endpoint.path.into() });
                        }
                        tokio::time::sleep(wait).await;
                        attach_ticket(endpoint, &mut body, &mut query, ticket);
                    }
                    Reply::Unauthorized(text) => {
                        self.log(endpoint, domain, Outcome::Rejected, Some(status), elapsed, Some(text.clone()));
                        match auth {
                            Auth::Session if !recovered_session => {
                                recovered_session = true;
                                self.renew().await?;
                            }
                            Auth::Session => return Err(ApiError::SignedOut { reason: text }),
                            _ => return Err(ApiError::Unauthorized(text)),
                        }
                    }
                    Reply::ServerError(status) => {
                        let detail = format!("HTTP {status}");
                        self.log(endpoint, domain, Outcome::Failed, Some(status), elapsed, Some(detail.clone()));
                        if !endpoint.safe_to_repeat {
                            return Err(ApiError::OutcomeUnknown { endpoint: endpoint.path.into(), detail });
                        }
                        if !may_retry {
                            return Err(ApiError::Server { endpoint: endpoint.path.into(), status });
                        }
                        retries += 1;
                        self.pause_before_retry(retries).await;
                    }
                    Reply::Failed(error) => {
                        if matches!(error, ApiError::LockoutWarning { .. } | ApiError::LockedOut { .. }) {
                            self.inner.rate_limit.push_back(Duration::ZERO);
                        }
                        let outcome = match error {
                            ApiError::LockoutWarning { .. } => Outcome::Warning,
                            ApiError::LockedOut { .. } => Outcome::Failed,
                            _ => Outcome::Rejected,
                        };
                        let text = error.server_text().or_else(|| Some(error.to_string()));
                        self.log(endpoint, domain, outcome, Some(status), elapsed, text);
                        return Err(error);
                    }
                },
                Attempt::NotSent(detail) => {
                    self.log(endpoint, domain, Outcome::Failed, None, elapsed, Some(detail.clone()));
                    // Nothing reached the server, so even a write may be sent again.
                    if !may_retry {
                        return Err(ApiError::Network { endpoint: endpoint.path.into(), detail });
                    }
                    retries += 1;
                    self.pause_before_retry(retries).await;
                }
                Attempt::Lost(detail) => {
                    self.log(endpoint, domain, Outcome::Failed, None, elapsed, Some(detail.clone()));
                    if !endpoint.safe_to_repeat {
                        return Err(ApiError::OutcomeUnknown { endpoint: endpoint.path.into(), detail });
                    }
                    if !may_retry {
                        return Err(ApiError::Network { endpoint: endpoint.path.into(), detail });
                    }
                    retries += 1;
                    self.pause_before_retry(retries).await;
                }
            }
        }
    }

    async fn pause_before_retry(&self, attempt: u32) {
        let delay = self.inner.options.retry_delay * 2u32.saturating_pow(attempt.saturating_sub(1));
        tokio::time::sleep(delay).await;
    }

    async fn send_once(
        &self,
        endpoint: &Endpoint,
        domain: Domain,
        query: &[(String, String)],
        body: Option<&Value>,
        token: Option<&Secret>,
    ) -> Attempt {
        let url = format!("{}/{}", self.inner.environment.base_url(domain), endpoint.path);
        let mut request = match endpoint.method {
            Method::Get => self.inner.http.get(&url),
            Method::Post => self.inner.http.post(&url).json(body.unwrap_or(&Value::Object(Default::default()))),
        };
        if !query.is_empty() {
            request = request.query(query);
        }
        if let Some(token) = token {
            request = request.bearer_auth(token.expose());
        }
        let timeout =
            if endpoint.is_batch() { self.inner.options.batch_timeout } else { self.inner.options.request_timeout };
        let response = match request.timeout(timeout).send().await {
            Ok(response) => response,
            Err(error) if error.is_connect() => return Attempt::NotSent(describe(&error)),
            Err(error) => return Attempt::Lost(describe(&error)),
        };
        let status = response.status().as_u16();
        read_bounded(response).await.map_or_else(Attempt::Lost, |bytes| Attempt::Replied { status, bytes })
    }

    fn log(
        &self,
        endpoint: &Endpoint,
        domain: Domain,
        outcome: Outcome,
        status: Option<u16>,
        duration: Duration,
        error_text: Option<String>,
    ) {
        self.inner.activity.push(CallRecord {
            at: Utc::now(),
            endpoint: endpoint.path,
            domain,
            outcome,
            status,
            duration,
            error_text,
        });
    }
}

/// The reply body, refused (as a lost reply) once it grows past [`bounds::MAX_REPLY_BYTES`].
async fn read_bounded(mut response: reqwest::Response) -> Result<Vec<u8>, String> {
    let too_big = || format!("the reply is larger than {} MB", bounds::MAX_REPLY_BYTES / (1024 * 1024));
    if response.content_length().is_some_and(|n| n > bounds::MAX_REPLY_BYTES as u64) {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e))? {
        if bytes.len() + chunk.len() > bounds::MAX_REPLY_BYTES {
            return Err(too_big());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// The ticket goes into the JSON body of a POST and the query of a GET (reference 2.5).
fn attach_ticket(endpoint: &Endpoint, body: &mut Option<Value>, query: &mut Vec<(String, String)>, ticket: String) {
    match endpoint.method {
        Method::Post => {
            let body = body.get_or_insert_with(|| Value::Object(Default::default()));
            if let Value::Object(map) = body {
                map.insert("p-ticket".into(), Value::String(ticket));
            }
        }
        Method::Get => {
            query.retain(|(k, _)| k != "p-ticket");
            query.push(("p-ticket".into(), ticket));
        }
    }
}

/// A transport error in one line, without the request URL's query.
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else if error.is_body() || error.is_decode() {
        "the reply was cut off"
    } else {
        "connection lost"
    };
    let mut detail = kind.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        detail = format!("{kind}: {cause}");
        source = cause.source();
    }
    detail
}

fn not_signed_in() -> ApiError {
    ApiError::SignedOut { reason: "not signed in".into() }
}

fn protocol(endpoint: &'static str) -> impl Fn(serde_json::Error) -> ApiError {
    move |e| ApiError::Protocol { endpoint: endpoint.into(), detail: e.to_string() }
}

/// Locks a std mutex, recovering from poisoning: the data are plain values.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
