//! The fault switchboard: tests (and the app's Sandbox menu) arm one-shot faults on
//! one endpoint or on any endpoint.

use super::server::{Shared, lock};
use chrono::Utc;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Debug, PartialEq)]
pub enum FaultKind {
    /// Process the request, then drop the connection without a usable reply.
    Lose,
    /// HTTP 500 without processing.
    Fail500,
    /// A penalty ticket instead of processing.
    Penalty { p_time_secs: u64, captcha: bool },
    /// Wait this long before handling.
    Delay(Duration),
    /// Drop the connection at once without processing, then process the request this
    /// long afterwards: a server that finishes work after the client gave up.
    ApplyLate(Duration),
    /// Process, then answer with this top-level `errorText` added beside the results
    /// (seeds/000 shows both fields in one batch reply).
    BatchNote(String),
    /// Answer HTTP 200 with this body without processing (an unexpected reply).
    ReplyWith(serde_json::Value),
}

#[derive(Debug)]
struct Armed {
    /// Lower-cased path below `/v1/`, or None for any endpoint.
    target: Option<String>,
    kind: FaultKind,
}

#[derive(Debug, Default)]
pub struct FaultState {
    armed: Vec<Armed>,
}

/// POSTs that only read: never failed by [`SandboxConfig::random_write_faults`], nor is
/// the login (a failed login is a different test).
///
/// [`SandboxConfig::random_write_faults`]: super::SandboxConfig::random_write_faults
const NOT_WRITES: [&str; 3] = [
    "auth/accesstokenrequest",
    "user/getaccounttradingpermissions",
    "customerapplication/getpartnersubaccountrequeststatus",
];

impl Shared {
    /// A random fault for this call when random write faults are configured: `Fail500`
    /// or `Lose`, half each.
    pub fn random_write_fault(&self, path: &str, is_post: bool) -> Option<FaultKind> {
        let config = self.config.random_write_faults?;
        if !is_post || NOT_WRITES.contains(&path) {
            return None;
        }
        let mut rng = lock(&self.random_faults);
        let rng = rng.get_or_insert_with(|| StdRng::seed_from_u64(config.seed));
        let draw: f64 = rng.random();
        if draw < config.rate / 2.0 {
            Some(FaultKind::Fail500)
        } else if draw < config.rate {
            Some(FaultKind::Lose)
        } else {
            None
        }
    }

    /// Removes and returns the first armed fault for `path` whose kind matches.
    pub fn take_fault(&self, path: &str, wanted: impl Fn(&FaultKind) -> bool) -> Option<FaultKind> {
        let mut state = lock(&self.faults);
        let index =
            state.armed.iter().position(|a| wanted(&a.kind) && a.target.as_deref().is_none_or(|t| t == path))?;
        Some(state.armed.remove(index).kind)
    }
}

/// Cheap to clone, safe to use from any thread. `endpoint` is a path below `/v1/`
/// in any case (`"user/createEvaluationUsers"`); `"*"` or `""` means any endpoint.
#[derive(Clone)]
pub struct Faults {
    pub(crate) shared: Arc<Shared>,
}

impl Faults {
    fn arm(&self, endpoint: &str, kind: FaultKind) {
        let e = endpoint.trim().trim_start_matches('/').to_ascii_lowercase();
        let target = if e.is_empty() || e == "*" { None } else { Some(e) };
        lock(&self.shared.faults).armed.push(Armed { target, kind });
    }

    /// The next call processes fully, then the connection closes with no usable reply.
    pub fn lose_next_reply(&self, endpoint: &str) {
        self.arm(endpoint, FaultKind::Lose);
    }

    /// The next call gets HTTP 500 and is not processed.
    pub fn fail_next_with_500(&self, endpoint: &str) {
        self.arm(endpoint, FaultKind::Fail500);
    }

    /// The next call gets a penalty ticket (`p-ticket`, `p-time`, and `p-captcha`
    /// when `captcha`; a penalty on `auth/accesstokenrequest` always has the captcha flag).
    pub fn penalty_next(&self, endpoint: &str, p_time_secs: u64, captcha: bool) {
        self.arm(endpoint, FaultKind::Penalty { p_time_secs, captcha });
    }

    /// The next call waits this long before it is handled.
    pub fn delay_next(&self, endpoint: &str, delay: Duration) {
        self.arm(endpoint, FaultKind::Delay(delay));
    }

    /// The next call is dropped unanswered and unprocessed, then processed `delay` later.
    pub fn apply_next_late(&self, endpoint: &str, delay: Duration) {
        self.arm(endpoint, FaultKind::ApplyLate(delay));
    }

    /// The next call is processed and its reply also carries this top-level `errorText`.
    pub fn note_next_batch(&self, endpoint: &str, text: &str) {
        self.arm(endpoint, FaultKind::BatchNote(text.to_string()));
    }

    /// The next call gets HTTP 200 with `body` and is not processed.
    pub fn reply_next_with(&self, endpoint: &str, body: serde_json::Value) {
        self.arm(endpoint, FaultKind::ReplyWith(body));
    }

    /// Someone else (a user of this firm with another email) already holds `name`, as when
    /// a roster reuses a name that was given out before.
    pub fn occupy_user_name(&self, name: &str, email: &str) {
        let mut world = lock(&self.shared.world);
        let org_id = world.user(super::seed::ADMIN_USER_ID).map(|u| u.org_id).unwrap_or_default();
        let id = world.new_id();
        world.users.push(super::state::UserRec {
            id,
            name: name.to_string(),
            email: email.to_string(),
            password: "Someone3lse!".into(),
            first_name: "Someone".into(),
            last_name: "Else".into(),
            org_id,
            is_admin: false,
            api_key: None,
            created: Utc::now(),
            signed_agreement: None,
            agreement_clock_started: false,
        });
    }

    /// Tokens issued from now on live this long.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        *lock(&self.shared.token_lifetime) = lifetime;
    }

    /// Every token issued so far expires now (renewal is refused too).
    pub fn expire_all_tokens(&self) {
        let past = Utc::now() - chrono::Duration::seconds(1);
        for session in lock(&self.shared.world).tokens.values_mut() {
            session.expires = past;
        }
    }

    /// The reviewer denies the next request that finishes review, with this message
    /// (Tradovate's reviewers decide; `Denied` carries their reason in `message`).
    pub fn deny_next_review(&self, message: &str) {
        lock(&self.shared.world).pending_denial = Some(message.to_string());
    }

    /// Closes every open WebSocket now.
    pub fn drop_sockets(&self) {
        self.shared.kill_sockets.send_modify(|n| *n += 1);
    }

    /// Switches the maintenance window on or off (reference 10): while on,
    /// `createEvaluationUsers` and `createEvaluationAccounts` time out (HTTP 504 after
    /// `maintenance_timeout`) without processing.
    pub fn set_maintenance(&self, on: bool) {
        self.shared.maintenance.store(on, std::sync::atomic::Ordering::SeqCst);
    }

    /// Disarms everything still armed.
    pub fn clear(&self) {
        lock(&self.shared.faults).armed.clear();
    }
}
