//! Granting the T-Prop entitlement (seeds/000, step 5), once per trader.
//!
//! Before the trader signed the market-data agreement Tradovate answers "Live account
//! is required": that is a waiting state, not a failure. A grant bills the trader, so:
//! never to a trader the firm revoked or cancelled, one attempt in flight per trader
//! (window and command line alike), and after a lost reply the trader's entitlements
//! are read before anything is sent again.

use super::claims::Exclusive;
use super::journal::{Action, IntentOutcome, Journal, JournalError, JournaledTrader};
use crate::api::wire::AddEntitlementSubscription;
use crate::api::{ApiError, Client};
use chrono::Utc;
use std::time::Duration;

/// Tradovate's text when the agreement is not signed yet (seeds/000, step 5).
pub const WAITING_FOR_SIGNATURE: &str = "Live account is required";

/// Whether a grant's refusal means "the trader has not signed yet" (any case, as
/// seeds/000 gives the text but not its exact spelling on every server).
pub fn is_waiting_for_signature(refusal: &str) -> bool {
    refusal.trim().eq_ignore_ascii_case(WAITING_FOR_SIGNATURE)
}

/// An unsettled grant younger than this is taken to be still in flight elsewhere (the
/// window or the command line); an older one was interrupted and is checked first.
/// Longer than a grant can take: a 30 s timeout, retries, a short penalty.
pub const GRANT_IN_FLIGHT_FOR: Duration = Duration::from_secs(5 * 60);

/// Debug builds only (the one test knob of the grant claim): `PROPDESK_DEBUG_GRANT_IN_FLIGHT_SECS=N`
/// makes the in-flight window N seconds, so a process test can watch a killed watcher's
/// claim expire and be swept (tests/pipeline/watch.rs). Release builds ignore it.
pub const GRANT_IN_FLIGHT_VARIABLE: &str = "PROPDESK_DEBUG_GRANT_IN_FLIGHT_SECS";

/// The in-flight window every grant claim uses: [`GRANT_IN_FLIGHT_FOR`], or in a debug
/// build [`GRANT_IN_FLIGHT_VARIABLE`]'s. Read once per process.
pub fn grant_in_flight_for() -> Duration {
    static WINDOW: std::sync::OnceLock<Duration> = std::sync::OnceLock::new();
    *WINDOW.get_or_init(|| {
        let from_test =
            cfg!(debug_assertions).then(|| std::env::var(GRANT_IN_FLIGHT_VARIABLE).ok()?.trim().parse().ok()).flatten();
        from_test.map_or(GRANT_IN_FLIGHT_FOR, Duration::from_secs)
    })
}

#[derive(Clone, Debug, PartialEq)]
pub enum GrantOutcome {
    Granted,
    /// The journal or the server says the trader already holds it: nothing was sent twice.
    AlreadyEntitled,
    /// The trader has not signed the market-data agreement yet.
    WaitingForSignature,
    /// The trader has no user id yet (not onboarded), so there is nobody to grant to.
    NotOnboarded,
    /// The firm revoked or cancelled this trader: granting would bill someone who left.
    Offboarded(&'static str),
    /// Another grant for this trader is in flight (in this window or the command line).
    InFlight,
    Failed(String),
}

impl GrantOutcome {
    pub fn is_entitled(&self) -> bool {
        matches!(self, GrantOutcome::Granted | GrantOutcome::AlreadyEntitled)
    }
}

/// Why this trader must not be granted anything, if so (the board disables its button
/// with this reason).
pub fn offboarded_reason(trader: &JournaledTrader) -> Option<&'static str> {
    if trader.cancelled_at.is_some() {
        Some("cancelled")
    } else if trader.revoked_at.is_some() {
        Some("revoked")
    } else {
        None
    }
}

/// Grants `entitlement_id` to one journaled trader, recording the intent and outcome.
pub async fn grant(
    client: &Client,
    journal: &Journal,
    trader: &JournaledTrader,
    entitlement_id: i64,
) -> Result<GrantOutcome, JournalError> {
    // Read again: the trader may have been offboarded or granted since `trader` was read.
    let trader = journal.trader(&trader.name)?.unwrap_or_else(|| trader.clone());
    if let Some(reason) = offboarded_reason(&trader) {
        return Ok(GrantOutcome::Offboarded(reason));
    }
    if trader.entitled_at.is_some() {
        return Ok(GrantOutcome::AlreadyEntitled);
    }
    let Some(user_id) = trader.user_id else { return Ok(GrantOutcome::NotOnboarded) };
    let (intent, interrupted) =
        match journal.begin_exclusive(&trader.name, Action::GrantEntitlement, grant_in_flight_for())? {
            Exclusive::InFlight => return Ok(GrantOutcome::InFlight),
            Exclusive::Started { intent, interrupted } => (intent, interrupted),
        };
    let outcome = if interrupted.is_empty() {
        send(client, user_id, entitlement_id).await
    } else {
        // An earlier attempt's outcome is unknown: look before sending again.
        let outcome = check_then_send(client, user_id, entitlement_id).await;
        if !matches!(outcome, Sent::Unknown(_)) {
            journal.finish(&interrupted, IntentOutcome::Done, Some("settled by a later attempt"))?;
        }
        outcome
    };
    settle(journal, &trader.name, intent, outcome)
}

/// What one attempt found out.
enum Sent {
    Granted,
    AlreadyEntitled,
    Waiting,
    Failed(String),
    /// Sent, no reply, and the check could not tell: the intent stays open.
    Unknown(String),
}

async fn send(client: &Client, user_id: i64, entitlement_id: i64) -> Sent {
    match send_once(client, user_id, entitlement_id).await {
        Err(ApiError::OutcomeUnknown { detail, .. }) => match holds(client, user_id, entitlement_id).await {
            Ok(true) => Sent::Granted,
            // Proven not granted: one more attempt is safe.
            Ok(false) => match send_once(client, user_id, entitlement_id).await {
                Err(ApiError::OutcomeUnknown { detail, .. }) => Sent::Unknown(detail),
                other => read_reply(other),
            },
            Err(check) => Sent::Unknown(format!("{detail}; the check failed too: {check}")),
        },
        other => read_reply(other),
    }
}

async fn check_then_send(client: &Client, user_id: i64, entitlement_id: i64) -> Sent {
    match holds(client, user_id, entitlement_id).await {
        Ok(true) => Sent::AlreadyEntitled,
        Ok(false) => send(client, user_id, entitlement_id).await,
        Err(error) => Sent::Unknown(format!("could not check an earlier grant: {error}")),
    }
}

async fn send_once(client: &Client, user_id: i64, entitlement_id: i64) -> Result<(), ApiError> {
    let request = AddEntitlementSubscription { entitlement_id, user_id: Some(user_id), ..Default::default() };
    client.add_entitlement_subscription(&request).await.map(|_| ())
}

fn read_reply(reply: Result<(), ApiError>) -> Sent {
    match reply {
        // A 200 without errorText is a grant, with or without the subscription in it.
        Ok(()) => Sent::Granted,
        Err(ApiError::Conflict { .. }) => Sent::AlreadyEntitled,
        Err(ApiError::Rejected { text }) if is_waiting_for_signature(&text) => Sent::Waiting,
        Err(error) => Sent::Failed(error.to_string()),
    }
}

/// Whether the trader already holds the entitlement (`userPlugin/deps`). Any listed
/// subscription of it counts, even one the server might show as lapsed: wrongly
/// believing it held costs a retry by hand, wrongly believing it absent bills twice.
async fn holds(client: &Client, user_id: i64, entitlement_id: i64) -> Result<bool, ApiError> {
    let plugins = client.user_plugins(user_id).await?;
    Ok(plugins.iter().any(|p| p.entitlement_id == Some(entitlement_id)))
}

fn settle(journal: &Journal, name: &str, intent: i64, sent: Sent) -> Result<GrantOutcome, JournalError> {
    let outcome = match sent {
        Sent::Granted | Sent::AlreadyEntitled => {
            journal.record_entitled(name, Utc::now())?;
            journal.finish(&[intent], IntentOutcome::Done, None)?;
            if matches!(sent, Sent::Granted) { GrantOutcome::Granted } else { GrantOutcome::AlreadyEntitled }
        }
        Sent::Waiting => {
            journal.finish(&[intent], IntentOutcome::Failed, Some(WAITING_FOR_SIGNATURE))?;
            GrantOutcome::WaitingForSignature
        }
        Sent::Failed(error) => {
            journal.record_error(name, "T-Prop", &error)?;
            journal.finish(&[intent], IntentOutcome::Failed, Some(&error))?;
            GrantOutcome::Failed(error)
        }
        Sent::Unknown(detail) => {
            // Left open: the next attempt reads the trader's entitlements before sending.
            let error = format!("No reply to the grant ({detail}); it will be checked before any retry");
            journal.record_error(name, "T-Prop", &error)?;
            GrantOutcome::Failed(error)
        }
    };
    Ok(outcome)
}

/// Grants to every journaled trader with an account who is not entitled, revoked or
/// cancelled. Those whose signature this process never saw (an earlier week's, archived
/// from `deps`) are tried too: until they sign, the refusal is cheap and says so.
pub async fn grant_all_eligible(
    client: &Client,
    journal: &Journal,
    entitlement_id: i64,
) -> Result<Vec<(String, GrantOutcome)>, JournalError> {
    let mut outcomes = Vec::new();
    for trader in journal.traders()? {
        let eligible =
            trader.account_id.is_some() && trader.entitled_at.is_none() && offboarded_reason(&trader).is_none();
        if eligible {
            let outcome = grant(client, journal, &trader, entitlement_id).await?;
            outcomes.push((trader.name, outcome));
        }
    }
    Ok(outcomes)
}
