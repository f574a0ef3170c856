//! Granting the T-Prop entitlement (seeds/000, step 5), once per trader.
//!
//! Before the trader signed the market-data agreement Tradovate answers "Live account
//! is required": that is a waiting state, not a failure.

use super::journal::{Action, IntentOutcome, Journal, JournalError, JournaledTrader};
use crate::api::wire::AddEntitlementSubscription;
use crate::api::{ApiError, Client};
use chrono::Utc;

/// Tradovate's text when the agreement is not signed yet (seeds/000, step 5).
pub const WAITING_FOR_SIGNATURE: &str = "Live account is required";

/// Whether a grant's refusal means "the trader has not signed yet" (any case, as
/// seeds/000 gives the text but not its exact spelling on every server).
pub fn is_waiting_for_signature(refusal: &str) -> bool {
    refusal.trim().eq_ignore_ascii_case(WAITING_FOR_SIGNATURE)
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
    Failed(String),
}

impl GrantOutcome {
    pub fn is_entitled(&self) -> bool {
        matches!(self, GrantOutcome::Granted | GrantOutcome::AlreadyEntitled)
    }
}

/// Grants `entitlement_id` to one journaled trader, recording the intent and outcome.
pub async fn grant(
    client: &Client,
    journal: &Journal,
    trader: &JournaledTrader,
    entitlement_id: i64,
) -> Result<GrantOutcome, JournalError> {
    if trader.entitled_at.is_some() {
        return Ok(GrantOutcome::AlreadyEntitled);
    }
    let Some(user_id) = trader.user_id else { return Ok(GrantOutcome::NotOnboarded) };
    let intents = journal.begin(&[trader.name.as_str()], Action::GrantEntitlement)?;
    let request = AddEntitlementSubscription { entitlement_id, user_id: Some(user_id), ..Default::default() };
    let outcome = match client.add_entitlement_subscription(&request).await {
        Ok(_) => GrantOutcome::Granted,
        Err(ApiError::Conflict { .. }) => GrantOutcome::AlreadyEntitled,
        Err(ApiError::Rejected { text }) if is_waiting_for_signature(&text) => GrantOutcome::WaitingForSignature,
        Err(error) => GrantOutcome::Failed(error.to_string()),
    };
    match &outcome {
        GrantOutcome::Granted | GrantOutcome::AlreadyEntitled => {
            journal.record_entitled(&trader.name, Utc::now())?;
            journal.finish(&intents, IntentOutcome::Done, None)?;
        }
        GrantOutcome::WaitingForSignature => {
            journal.finish(&intents, IntentOutcome::Failed, Some(WAITING_FOR_SIGNATURE))?;
        }
        GrantOutcome::Failed(error) => {
            journal.record_error(&trader.name, "T-Prop", error)?;
            journal.finish(&intents, IntentOutcome::Failed, Some(error))?;
        }
        GrantOutcome::NotOnboarded => {}
    }
    Ok(outcome)
}

/// Grants to every journaled trader who has signed and is not entitled yet.
pub async fn grant_all_signed(
    client: &Client,
    journal: &Journal,
    entitlement_id: i64,
) -> Result<Vec<(String, GrantOutcome)>, JournalError> {
    let mut outcomes = Vec::new();
    for trader in journal.traders()? {
        let eligible = trader.agreement_signed_at.is_some()
            && trader.entitled_at.is_none()
            && trader.revoked_at.is_none()
            && trader.cancelled_at.is_none();
        if eligible {
            let outcome = grant(client, journal, &trader, entitlement_id).await?;
            outcomes.push((trader.name, outcome));
        }
    }
    Ok(outcomes)
}
