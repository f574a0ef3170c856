//! Claims in the journal that the window and the command line respect alike: "a grant
//! for this trader is in flight" and "this rate-limited call was made at …".
//!
//! Each claim is checked and recorded in one IMMEDIATE transaction, so two processes
//! sharing the journal file cannot both win.

use super::journal::{Action, Journal, JournalResult};
use chrono::{DateTime, Utc};
use rusqlite::{TransactionBehavior, params};
use std::time::Duration;

const MARKS: &str = "CREATE TABLE IF NOT EXISTS marks (
    environment TEXT NOT NULL,
    what TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (environment, what)
)";

/// The answer to [`Journal::begin_exclusive`].
#[derive(Clone, Debug, PartialEq)]
pub enum Exclusive {
    /// This caller may send. `interrupted` are earlier attempts that were never settled
    /// (a lost reply, a crash): the server must be asked whether they happened first.
    Started { intent: i64, interrupted: Vec<i64> },
    /// Another attempt started less than the in-flight window ago and is not settled.
    InFlight,
}

impl Journal {
    /// Starts `action` for one trader unless another attempt of it started less than
    /// `in_flight_for` ago and is still open.
    pub fn begin_exclusive(&self, name: &str, action: Action, in_flight_for: Duration) -> JournalResult<Exclusive> {
        let now = Utc::now();
        let mut connection = self.lock();
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let open: Vec<(i64, String)> = {
            let mut query = tx.prepare_cached(
                "SELECT id, started_at FROM intents
                 WHERE environment = ?1 AND name = ?2 AND action = ?3 AND finished_at IS NULL ORDER BY id",
            )?;
            let rows = query
                .query_map(params![self.environment(), name, action.key()], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let window = chrono::Duration::from_std(in_flight_for).unwrap_or(chrono::Duration::MAX);
        let recent =
            |started: &str| DateTime::parse_from_rfc3339(started).is_ok_and(|t| now.signed_duration_since(t) < window);
        if open.iter().any(|(_, started)| recent(started)) {
            return Ok(Exclusive::InFlight);
        }
        tx.execute(
            "INSERT INTO intents (environment, name, action, started_at) VALUES (?1, ?2, ?3, ?4)",
            params![self.environment(), name, action.key(), now.to_rfc3339()],
        )?;
        let intent = tx.last_insert_rowid();
        tx.commit()?;
        Ok(Exclusive::Started { intent, interrupted: open.into_iter().map(|(id, _)| id).collect() })
    }

    /// Claims the right to make a call that may happen at most once per `interval` for
    /// this environment. `Err(wait)` says how long until the next claim can succeed.
    /// A claim counts whether or not the call then works: failing safe means calling less.
    pub fn claim_interval(
        &self,
        what: &str,
        now: DateTime<Utc>,
        interval: Duration,
    ) -> JournalResult<Result<(), Duration>> {
        let mut connection = self.lock();
        connection.execute(MARKS, [])?;
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let last: Option<String> = tx
            .query_row(
                "SELECT at FROM marks WHERE environment = ?1 AND what = ?2",
                params![self.environment(), what],
                |row| row.get(0),
            )
            .ok();
        let last = last.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.with_timezone(&Utc));
        if let Some(last) = last {
            let since = now.signed_duration_since(last).to_std().unwrap_or(Duration::ZERO);
            // A mark from the future (the clock was set back) is honoured for one interval at most.
            let limit = chrono::Duration::from_std(interval).ok().and_then(|i| now.checked_add_signed(i));
            let from_the_future = limit.is_some_and(|limit| last > limit);
            if since < interval && !from_the_future {
                return Ok(Err(interval - since));
            }
        }
        tx.execute(
            "INSERT INTO marks (environment, what, at) VALUES (?1, ?2, ?3)
             ON CONFLICT (environment, what) DO UPDATE SET at = excluded.at",
            params![self.environment(), what, now.to_rfc3339()],
        )?;
        tx.commit()?;
        Ok(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onboarding::journal::IntentOutcome;

    #[test]
    fn a_second_grant_waits_while_the_first_is_in_flight() {
        let journal = Journal::in_memory("sandbox").unwrap();
        let minute = Duration::from_secs(60);
        let Exclusive::Started { intent, interrupted } =
            journal.begin_exclusive("ann", Action::GrantEntitlement, minute).unwrap()
        else {
            panic!("the first attempt starts");
        };
        assert!(interrupted.is_empty());
        assert_eq!(journal.begin_exclusive("ann", Action::GrantEntitlement, minute).unwrap(), Exclusive::InFlight);
        // Another trader is not affected.
        assert!(matches!(
            journal.begin_exclusive("bob", Action::GrantEntitlement, minute).unwrap(),
            Exclusive::Started { .. }
        ));
        // An attempt older than the window is reported as interrupted, not in flight.
        match journal.begin_exclusive("ann", Action::GrantEntitlement, Duration::ZERO).unwrap() {
            Exclusive::Started { interrupted, .. } => assert_eq!(interrupted, vec![intent]),
            other => panic!("{other:?}"),
        }
        journal.finish(&[intent], IntentOutcome::Done, None).unwrap();
    }

    #[test]
    fn an_interval_claim_is_granted_once_per_interval() {
        let journal = Journal::in_memory("sandbox").unwrap();
        let five_minutes = Duration::from_secs(300);
        let t0 = Utc::now();
        assert_eq!(journal.claim_interval("deps", t0, five_minutes).unwrap(), Ok(()));
        let later = t0 + chrono::Duration::seconds(60);
        assert_eq!(journal.claim_interval("deps", later, five_minutes).unwrap(), Err(Duration::from_secs(240)));
        assert_eq!(journal.claim_interval("other", later, five_minutes).unwrap(), Ok(()));
        let after = t0 + chrono::Duration::seconds(301);
        assert_eq!(journal.claim_interval("deps", after, five_minutes).unwrap(), Ok(()));
        // A clock set far back does not lock the call out for hours.
        let past = t0 - chrono::Duration::hours(3);
        assert_eq!(journal.claim_interval("deps", past, five_minutes).unwrap(), Ok(()));
    }
}
