//! Knobs of the sandbox: timings, rate limits and the shape of the signal event.

use crate::api::Domain;
use std::collections::HashMap;
use std::time::Duration;

/// Which requests count toward an hourly limit (reference 3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountMode {
    /// Only requests that failed (HTTP error, top-level `errorText`, or any item error).
    FailedOnly,
    /// Every request that reached the endpoint.
    All,
}

/// One endpoint's hourly budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub per_hour: u32,
    pub counts: CountMode,
}

/// Per-endpoint hourly limits, keyed by the lower-cased path below `/v1`
/// (e.g. `user/createevaluationusers`). Endpoints without an entry are unlimited.
///
/// How a limit of N plays out (UNCONFIRMED in the docs; modelled here):
/// counted requests 1..N-1 are processed normally; the attempt that would be the N-th
/// counted one gets HTTP 423 with an empty body and is NOT processed (it still counts);
/// from then on every request to that endpoint gets HTTP 429 with an empty body
/// (`Content-Length: 0`) until the hour that started with the first counted request ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimits {
    pub limits: HashMap<String, Limit>,
}

impl RateLimits {
    /// No limits at all.
    pub fn none() -> Self {
        Self { limits: HashMap::new() }
    }

    /// Sets (or replaces) one endpoint's limit; the path is matched case-insensitively.
    pub fn with(mut self, path: &str, per_hour: u32, counts: CountMode) -> Self {
        self.limits.insert(path.to_ascii_lowercase(), Limit { per_hour, counts });
        self
    }

    pub fn get(&self, path: &str) -> Option<Limit> {
        self.limits.get(&path.to_ascii_lowercase()).copied()
    }
}

impl Default for RateLimits {
    /// The documented numbers (reference 3.2, "documented" rows only; the 3rd-party
    /// rows such as auth 5/h are left out and can be added with [`RateLimits::with`]).
    fn default() -> Self {
        Self::none()
            .with("user/createEvaluationUsers", 100, CountMode::FailedOnly)
            .with("user/createEvaluationAccounts", 100, CountMode::FailedOnly)
            .with("customerApplication/createPartnerSubaccountRequest", 250, CountMode::All)
            .with("customerApplication/submitPartnerSubaccountDocument", 750, CountMode::All)
            .with("customerApplication/submitCustomerApplicationDocument", 750, CountMode::All)
    }
}

/// How the market-data agreement signal travels in a `props` event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SignalShape {
    /// Exactly as seeds/000 shows it: `d` is an array of changes, the change's
    /// `entityType` is `OtherEnvAdminAlertSignal` and the signal sits under
    /// `entity.adminAlertSignal`.
    #[default]
    OtherEnv,
    /// The generic shape of reference 4.2: `d` is one change object with
    /// `entityType: "adminAlertSignal"` and the signal itself as `entity`.
    Plain,
}

#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Lifetime of issued access tokens (docs disagree: 80 or 90 minutes).
    pub token_lifetime: Duration,
    /// Time from contact info being set to the simulated trader signing the
    /// market-data agreement.
    pub signature_delay: Duration,
    /// Interval between two status changes of a subaccount request.
    pub status_step: Duration,
    /// Interval of the server's `h` frames.
    pub heartbeat_interval: Duration,
    /// A socket whose client sent nothing (not even `[]`) for this long is closed.
    pub client_silence_limit: Duration,
    pub rate_limits: RateLimits,
    pub signal_shape: SignalShape,
    /// Sub-account requests one trader may have that are not Denied (seeds/004:
    /// "Max sub-account limit exceeded"; the number is UNCONFIRMED).
    pub max_subaccounts_per_trader: usize,
    /// Transfers of at least this amount go through `InAMLReview` (UNCONFIRMED threshold).
    pub aml_review_threshold: f64,
    /// Balance of the org admin's master account at start.
    pub master_account_balance: f64,
    /// When set, every request that finishes review is Denied with this reason (to
    /// demonstrate and test the Denied path; `Faults::deny_next_review` denies just one).
    pub deny_every_review: Option<String>,
    /// Optional request-rate penalty: more than this many HTTP requests within one
    /// second (all endpoints together) earn a penalty ticket instead of processing.
    /// Off by default (the real thresholds are deliberately undisclosed).
    pub burst_penalty: Option<BurstPenalty>,
    /// Authorized sockets one user may hold (reference 4.3: 50). One more evicts the
    /// user's oldest socket and revokes that socket's token.
    pub max_sockets_per_user: usize,
    /// The first this-many grants after a trader signed still answer "Live account is
    /// required": a server whose entitlement check lags behind its own signal.
    pub grant_lag_refusals: u32,
    /// A successful grant answers `{}`, without the optional `entitlementSubscription`.
    pub bare_entitlement_reply: bool,
    /// Every `user/syncrequest` is refused with `s: 429`: a server that authorizes a
    /// socket and then turns it away, to prove the client does not storm it.
    pub refuse_syncrequest: bool,
    /// While the maintenance switch is on ([`super::Faults::set_maintenance`]),
    /// account-creation calls hang this long, then get HTTP 504 unprocessed (reference 10).
    pub maintenance_timeout: Duration,
    /// The one domain that answers `adminAlertSignal/deps` (seeds/000 shows LIVE; the
    /// other domain gets 404). `propdesk sandbox --deps-on demo` imitates a server that
    /// differs from our guess, for `propdesk doctor`.
    pub deps_domain: Domain,
    /// `user/syncrequest` names entity types exactly: a name is known only with this
    /// exact spelling, the agreement signal only by the `entityType` its events carry
    /// (`OtherEnvAdminAlertSignal` in the seeds/000 shape), and an unknown name gets no
    /// collection in the snapshot and no events. Off: any case, and an unknown name gets
    /// an empty collection (reference 4.4: "exact accepted list UNCONFIRMED").
    pub strict_entity_types: bool,
    /// Random failures of writes (POSTs that create or change something), for soak tests
    /// and the benchmark. Off by default.
    pub random_write_faults: Option<RandomWriteFaults>,
    /// How a second upload to a filled document slot is refused (the real wording is
    /// undocumented: reference 6.2 only says a slot fills once).
    pub filled_slot_reply: FilledSlotReply,
    /// Concurrent sessions (logins) per user; one more closes the oldest (the OpenAPI:
    /// "you are limited to 2 concurrent sessions"). Renewal keeps a session.
    pub max_sessions_per_user: usize,
    /// What a call on a closed session gets (the OpenAPI: 408, 429 or 5xx), unprocessed.
    pub closed_session_status: u16,
    /// Added to every HTTP reply, to imitate a real network (`propdesk sandbox --latency 80ms`).
    pub latency: Duration,
}

/// See [`SandboxConfig::filled_slot_reply`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FilledSlotReply {
    /// `"<type> already has a completed upload for request <id>"`.
    #[default]
    Sentence,
    /// Other words: `"A document of type <type> was already submitted for this request"`.
    Reworded,
    /// `errorCode: "ConflictWithExisting"` with a terse `"Duplicate"`.
    ConflictCode,
}

/// See [`SandboxConfig::random_write_faults`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RandomWriteFaults {
    /// Share of writes that fail, 0.0 to 1.0: half get HTTP 500 before any work, half
    /// are processed and then lose their reply.
    pub rate: f64,
    /// The same seed fails the same calls (in the order they arrive).
    pub seed: u64,
}

/// See [`SandboxConfig::burst_penalty`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BurstPenalty {
    pub max_per_second: u32,
    pub p_time_secs: u64,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            token_lifetime: Duration::from_secs(80 * 60),
            signature_delay: Duration::from_secs(20),
            status_step: Duration::from_secs(20),
            heartbeat_interval: Duration::from_millis(2500),
            client_silence_limit: Duration::from_secs(10),
            rate_limits: RateLimits::default(),
            signal_shape: SignalShape::OtherEnv,
            max_subaccounts_per_trader: 3,
            aml_review_threshold: 50_000.0,
            master_account_balance: 500_000.0,
            deny_every_review: None,
            burst_penalty: None,
            max_sockets_per_user: 50,
            maintenance_timeout: Duration::from_secs(30),
            deps_domain: Domain::Live,
            strict_entity_types: false,
            refuse_syncrequest: false,
            grant_lag_refusals: 0,
            bare_entitlement_reply: false,
            random_write_faults: None,
            filled_slot_reply: FilledSlotReply::Sentence,
            max_sessions_per_user: 2,
            closed_session_status: 408,
            latency: Duration::ZERO,
        }
    }
}

impl SandboxConfig {
    /// Short delays for tests.
    pub fn for_tests() -> Self {
        Self {
            token_lifetime: Duration::from_secs(80 * 60),
            signature_delay: Duration::from_millis(300),
            status_step: Duration::from_millis(200),
            heartbeat_interval: Duration::from_millis(250),
            client_silence_limit: Duration::from_secs(3),
            maintenance_timeout: Duration::from_millis(500),
            // Tests sign in many clients to one sandbox; the session tests opt in to 2.
            max_sessions_per_user: usize::MAX,
            ..Self::default()
        }
    }
}
