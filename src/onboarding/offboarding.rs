//! Revoke and cancel (reference 7): for traders who fail or leave.
//!
//! Revoke removes the trading permission on the trader's evaluation account; the user
//! keeps any other account and every subscription. Cancel revokes permissions and cancels
//! Tradovate, market-data and plug-in subscriptions, which otherwise auto-renew; it must
//! be sent to DEMO and to LIVE.

use super::journal::{Action, IntentOutcome, Journal, JournalError, JournaledTrader};
use crate::api::Client;
use crate::api::wire::CancelEverything;
use chrono::Utc;

/// IDs per cancelEverything call (the reference recommends 100 to 500).
const CANCEL_CHUNK: usize = 100;
/// IDs per revokeTradingPermissions call.
const REVOKE_CHUNK: usize = 100;

#[derive(Clone, Debug, PartialEq)]
pub enum OffboardOutcome {
    Done,
    /// Nothing to do: already revoked or cancelled, or no permission to revoke.
    Skipped(String),
    Failed(String),
}

/// What "Revoke" and "Cancel" will stop, in words for the confirmation dialog.
pub fn describe(kind: Offboarding, count: usize) -> String {
    let traders = if count == 1 { "1 trader".to_string() } else { format!("{count} traders") };
    match kind {
        Offboarding::Revoke => format!(
            "Revoke trading permissions for {traders}. Their evaluation accounts disappear from their view at \
             once. Their user and subscriptions stay, and subscriptions keep renewing until cancelled."
        ),
        Offboarding::Cancel => format!(
            "Cancel everything for {traders}: trading permissions, Tradovate subscriptions, market-data \
             subscriptions and plug-ins (T-Prop), on DEMO and on LIVE. This cannot be undone from Propdesk."
        ),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offboarding {
    Revoke,
    Cancel,
}

/// Revokes the evaluation-account permission of each trader.
pub async fn revoke(
    client: &Client,
    journal: &Journal,
    traders: &[JournaledTrader],
) -> Result<Vec<(String, OffboardOutcome)>, JournalError> {
    let mut outcomes = Vec::new();
    let mut to_revoke = Vec::new();
    for trader in traders {
        match (trader.revoked_at.or(trader.cancelled_at), trader.trading_permission_id) {
            (Some(_), _) => outcomes.push((trader.name.clone(), OffboardOutcome::Skipped("already revoked".into()))),
            (None, None) => {
                outcomes.push((trader.name.clone(), OffboardOutcome::Skipped("no trading permission yet".into())))
            }
            (None, Some(id)) => to_revoke.push((trader, id)),
        }
    }
    for chunk in to_revoke.chunks(REVOKE_CHUNK) {
        let names: Vec<&str> = chunk.iter().map(|(t, _)| t.name.as_str()).collect();
        let intents = journal.begin(&names, Action::Revoke)?;
        let ids = chunk.iter().map(|(_, id)| *id).collect();
        match client.revoke_trading_permissions(ids).await {
            Ok(_) => {
                for (trader, _) in chunk {
                    journal.record_revoked(&trader.name, Utc::now())?;
                    outcomes.push((trader.name.clone(), OffboardOutcome::Done));
                }
                journal.finish(&intents, IntentOutcome::Done, None)?;
            }
            Err(error) => {
                let text = error.to_string();
                for (trader, _) in chunk {
                    journal.record_error(&trader.name, "Revoke", &text)?;
                    outcomes.push((trader.name.clone(), OffboardOutcome::Failed(text.clone())));
                }
                journal.finish(&intents, IntentOutcome::Failed, Some(&text))?;
            }
        }
    }
    Ok(outcomes)
}

/// Cancels everything for each trader, on DEMO and on LIVE. A trader counts as cancelled
/// only when both domains confirmed.
pub async fn cancel(
    client: &Client,
    journal: &Journal,
    traders: &[JournaledTrader],
) -> Result<Vec<(String, OffboardOutcome)>, JournalError> {
    let mut outcomes = Vec::new();
    let mut to_cancel = Vec::new();
    for trader in traders {
        match (trader.cancelled_at, trader.user_id) {
            (Some(_), _) => outcomes.push((trader.name.clone(), OffboardOutcome::Skipped("already cancelled".into()))),
            (None, None) => {
                outcomes.push((trader.name.clone(), OffboardOutcome::Skipped("no Tradovate user yet".into())))
            }
            (None, Some(id)) => to_cancel.push((trader, id)),
        }
    }
    for chunk in to_cancel.chunks(CANCEL_CHUNK) {
        let names: Vec<&str> = chunk.iter().map(|(t, _)| t.name.as_str()).collect();
        let intents = journal.begin(&names, Action::Cancel)?;
        let request = CancelEverything::all_for(chunk.iter().map(|(_, id)| *id).collect());
        let result = client.cancel_everything(&request).await;
        let failure = [("DEMO", &result.demo), ("LIVE", &result.live)]
            .into_iter()
            .filter_map(|(domain, r)| r.as_ref().err().map(|e| format!("{domain}: {e}")))
            .collect::<Vec<_>>();
        if failure.is_empty() {
            let now = Utc::now();
            for (trader, _) in chunk {
                journal.record_cancelled(&trader.name, now)?;
                if trader.trading_permission_id.is_some() {
                    journal.record_revoked(&trader.name, now)?;
                }
                outcomes.push((trader.name.clone(), OffboardOutcome::Done));
            }
            journal.finish(&intents, IntentOutcome::Done, None)?;
        } else {
            let text = format!("Cancel incomplete, run it again: {}", failure.join("; "));
            for (trader, _) in chunk {
                journal.record_error(&trader.name, "Cancel", &text)?;
                outcomes.push((trader.name.clone(), OffboardOutcome::Failed(text.clone())));
            }
            journal.finish(&intents, IntentOutcome::Failed, Some(&text))?;
        }
    }
    Ok(outcomes)
}
