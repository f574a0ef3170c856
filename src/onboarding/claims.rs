//! Claims in the journal that the window and the command line respect alike: "a grant
//! for this trader is in flight" and "this rate-limited call was made at …".
//!
//! Each claim is checked and recorded in one transaction that serialises claimants
//! (IMMEDIATE in SQLite, a row or advisory lock in PostgreSQL), so two processes
//! sharing the journal cannot both win. The rules are here, the transactions in each
//! backend.

use super::journal::{Action, Journal, JournalResult};
use chrono::{DateTime, Utc};
use std::time::Duration;

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
        self.store().begin_exclusive(self.environment(), name, action, Utc::now(), in_flight_for)
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
        self.store().claim_interval(self.environment(), what, now, interval)
    }
}

/// Whether an open attempt that started at one of `started` is still in flight.
pub(crate) fn in_flight(started: &[DateTime<Utc>], now: DateTime<Utc>, in_flight_for: Duration) -> bool {
    let window = chrono::Duration::from_std(in_flight_for).unwrap_or(chrono::Duration::MAX);
    started.iter().any(|t| now.signed_duration_since(*t) < window)
}

/// How long until a call last made at `last` may be made again, or `None` when it may now.
pub(crate) fn interval_wait(last: Option<DateTime<Utc>>, now: DateTime<Utc>, interval: Duration) -> Option<Duration> {
    let last = last?;
    let since = now.signed_duration_since(last).to_std().unwrap_or(Duration::ZERO);
    // A mark from the future (the clock was set back) is honoured for one interval at most.
    let limit = chrono::Duration::from_std(interval).ok().and_then(|i| now.checked_add_signed(i));
    let from_the_future = limit.is_some_and(|limit| last > limit);
    (since < interval && !from_the_future).then(|| interval - since)
}
