//! Client-side rate budgets (reference 3.2), so the app never trips a lockout.
//!
//! For each budgeted endpoint we remember when counted requests happened in the last
//! hour and when the last failure was. Before a call we either wait out the back-off
//! after a failure, or refuse with `BudgetExhausted` when the hour's budget is spent:
//! waiting up to an hour silently would look like a hang.

use super::endpoint::{Counts, Endpoint};
use super::error::ApiError;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const HOUR: Duration = Duration::from_secs(3600);

#[derive(Default)]
pub struct Budgets {
    state: Mutex<HashMap<&'static str, EndpointState>>,
}

#[derive(Default)]
struct EndpointState {
    counted: VecDeque<Instant>,
    last_failure: Option<Instant>,
}

/// What the caller must do before sending.
#[derive(Debug, PartialEq)]
pub enum Admission {
    Go,
    /// Wait this long (back-off after a failure), then send.
    WaitThenGo(Duration),
}

impl Budgets {
    /// May a request to `endpoint` be sent now?
    pub fn admit(&self, endpoint: &Endpoint, now: Instant) -> Result<Admission, ApiError> {
        let Some(budget) = endpoint.budget else { return Ok(Admission::Go) };
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let entry = state.entry(endpoint.path).or_default();
        while entry.counted.front().is_some_and(|t| now.duration_since(*t) >= HOUR) {
            entry.counted.pop_front();
        }
        if entry.counted.len() as u32 >= budget.limit_per_hour {
            let oldest = entry.counted.front().copied().unwrap_or(now);
            return Err(ApiError::BudgetExhausted {
                endpoint: endpoint.path.to_string(),
                limit: budget.limit_per_hour,
                retry_after: HOUR.saturating_sub(now.duration_since(oldest)),
            });
        }
        if budget.counts == Counts::All {
            // Counted when sent, whatever the outcome.
            entry.counted.push_back(now);
        }
        match entry.last_failure {
            Some(failed) if now.duration_since(failed) < budget.backoff => {
                Ok(Admission::WaitThenGo(budget.backoff - now.duration_since(failed)))
            }
            _ => Ok(Admission::Go),
        }
    }

    /// Records the outcome of a sent request.
    pub fn record(&self, endpoint: &Endpoint, failed: bool, now: Instant) {
        let Some(budget) = endpoint.budget else { return };
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let entry = state.entry(endpoint.path).or_default();
        if failed {
            entry.last_failure = Some(now);
            if budget.counts == Counts::FailedOnly {
                entry.counted.push_back(now);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::endpoint::{CREATE_EVALUATION_USERS, CREATE_PARTNER_SUBACCOUNT_REQUEST, ME};

    #[test]
    fn unbudgeted_endpoints_always_go() {
        let b = Budgets::default();
        for _ in 0..10_000 {
            assert_eq!(b.admit(&ME, Instant::now()).unwrap(), Admission::Go);
        }
    }

    #[test]
    fn failed_only_budget_counts_failures_and_backs_off_one_second() {
        let b = Budgets::default();
        let t0 = Instant::now();
        // Successes do not count.
        for _ in 0..150 {
            assert_eq!(b.admit(&CREATE_EVALUATION_USERS, t0).unwrap(), Admission::Go);
            b.record(&CREATE_EVALUATION_USERS, false, t0);
        }
        b.record(&CREATE_EVALUATION_USERS, true, t0);
        let wait = b.admit(&CREATE_EVALUATION_USERS, t0 + Duration::from_millis(400)).unwrap();
        assert_eq!(wait, Admission::WaitThenGo(Duration::from_millis(600)));
        for i in 1..100 {
            b.record(&CREATE_EVALUATION_USERS, true, t0 + Duration::from_secs(i));
        }
        let err = b.admit(&CREATE_EVALUATION_USERS, t0 + Duration::from_secs(200)).unwrap_err();
        assert!(matches!(err, ApiError::BudgetExhausted { limit: 100, .. }), "{err:?}");
        // An hour after the first failure one slot frees up.
        let later = t0 + HOUR + Duration::from_secs(1);
        assert!(b.admit(&CREATE_EVALUATION_USERS, later).is_ok());
    }

    #[test]
    fn all_requests_budget_counts_every_send() {
        let b = Budgets::default();
        let t0 = Instant::now();
        for _ in 0..250 {
            b.admit(&CREATE_PARTNER_SUBACCOUNT_REQUEST, t0).unwrap();
            b.record(&CREATE_PARTNER_SUBACCOUNT_REQUEST, false, t0);
        }
        assert!(b.admit(&CREATE_PARTNER_SUBACCOUNT_REQUEST, t0).is_err());
    }
}
