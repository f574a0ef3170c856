//! Hourly rate limits (423 warning, then 429 with an empty body) and penalty tickets.
//! See [`super::config::RateLimits`] for how a limit plays out.

use super::config::{CountMode, Limit};
use super::faults::FaultKind;
use rand::Rng;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const HOUR: Duration = Duration::from_secs(3600);

/// p-time of the fresh penalty given for a ticket the sandbox never issued.
pub const UNKNOWN_TICKET_P_TIME: u64 = 2;

#[derive(Debug)]
struct Counter {
    window_start: Instant,
    count: u32,
}

#[derive(Debug, Default)]
pub struct Counters {
    by_path: HashMap<String, Counter>,
    /// Arrival times of requests within the last second (burst penalty).
    recent: std::collections::VecDeque<Instant>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Gate {
    Open,
    /// HTTP 423: the next counted request would reach the limit. Not processed.
    Warn,
    /// HTTP 429: locked out for the rest of the hour.
    Locked,
}

impl Counters {
    fn counter(&mut self, path: &str) -> &mut Counter {
        let c = self.by_path.entry(path.to_string()).or_insert(Counter { window_start: Instant::now(), count: 0 });
        if c.window_start.elapsed() >= HOUR {
            *c = Counter { window_start: Instant::now(), count: 0 };
        }
        c
    }

    /// Decides before handling. A 423 counts as a request toward the limit.
    pub fn gate(&mut self, path: &str, limit: Limit) -> Gate {
        let c = self.counter(path);
        if c.count >= limit.per_hour {
            return Gate::Locked;
        }
        if c.count + 1 >= limit.per_hour {
            if c.count == 0 {
                c.window_start = Instant::now();
            }
            c.count += 1;
            return Gate::Warn;
        }
        Gate::Open
    }

    /// Records one request; true when more than `max_per_second` arrived in the last second.
    pub fn burst(&mut self, max_per_second: u32) -> bool {
        let now = Instant::now();
        while self.recent.front().is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1)) {
            self.recent.pop_front();
        }
        self.recent.push_back(now);
        self.recent.len() > max_per_second as usize
    }

    /// Counts a handled request (all of them, or only failures).
    pub fn record(&mut self, path: &str, limit: Limit, failed: bool) {
        if limit.counts == CountMode::All || failed {
            let c = self.counter(path);
            if c.count == 0 {
                c.window_start = Instant::now();
            }
            c.count += 1;
        }
    }
}

#[derive(Debug)]
struct Ticket {
    path: String,
    not_before: Instant,
    p_time: u64,
    captcha: bool,
}

#[derive(Debug, Default)]
pub struct Tickets {
    issued: HashMap<String, Ticket>,
}

impl Tickets {
    /// Returns the penalty body to send instead of processing, or None to process.
    ///
    /// - A presented ticket that was issued for this endpoint, is redeemed at or after
    ///   its p-time and carries no captcha: processed (the ticket is used up).
    /// - A ticket presented too early: a fresh penalty with the same p-time.
    /// - A ticket never issued (or for another endpoint): a fresh penalty.
    /// - A captcha ticket can never be redeemed by an app: a fresh captcha penalty.
    /// - No ticket, but a penalty armed on the switchboard: a penalty.
    pub fn check(
        &mut self,
        path: &str,
        presented: Option<&str>,
        armed: Option<FaultKind>,
        is_auth: bool,
    ) -> Option<Value> {
        if let Some(ticket) = presented {
            return match self.issued.remove(ticket) {
                Some(t) if t.path == path && !t.captcha && Instant::now() >= t.not_before => None,
                Some(t) if t.path == path => Some(self.issue(path, t.p_time, t.captcha || is_auth)),
                _ => Some(self.issue(path, UNKNOWN_TICKET_P_TIME, is_auth)),
            };
        }
        match armed {
            Some(FaultKind::Penalty { p_time_secs, captcha }) => {
                Some(self.issue(path, p_time_secs, captcha || is_auth))
            }
            _ => None,
        }
    }

    fn issue(&mut self, path: &str, p_time: u64, captcha: bool) -> Value {
        let ticket: String = rand::rng().sample_iter(rand::distr::Alphanumeric).take(32).map(char::from).collect();
        self.issued.insert(
            ticket.clone(),
            Ticket {
                path: path.to_string(),
                not_before: Instant::now() + Duration::from_secs(p_time),
                p_time,
                captcha,
            },
        );
        let mut body = json!({ "p-ticket": ticket, "p-time": p_time });
        if captcha {
            body["p-captcha"] = Value::Bool(true);
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_of_three_warns_on_the_third_then_locks() {
        let mut c = Counters::default();
        let limit = Limit { per_hour: 3, counts: CountMode::All };
        for _ in 0..2 {
            assert_eq!(c.gate("x", limit), Gate::Open);
            c.record("x", limit, false);
        }
        assert_eq!(c.gate("x", limit), Gate::Warn);
        assert_eq!(c.gate("x", limit), Gate::Locked);
    }

    #[test]
    fn failed_only_ignores_successes() {
        let mut c = Counters::default();
        let limit = Limit { per_hour: 2, counts: CountMode::FailedOnly };
        for _ in 0..10 {
            assert_eq!(c.gate("x", limit), Gate::Open);
            c.record("x", limit, false);
        }
        c.record("x", limit, true);
        assert_eq!(c.gate("x", limit), Gate::Warn);
        assert_eq!(c.gate("x", limit), Gate::Locked);
    }

    #[test]
    fn tickets() {
        let mut t = Tickets::default();
        let armed = Some(FaultKind::Penalty { p_time_secs: 0, captcha: false });
        let p = t.check("a", None, armed.clone(), false).unwrap();
        let ticket = p["p-ticket"].as_str().unwrap().to_string();
        assert!(p.get("p-captcha").is_none());
        assert!(t.check("a", Some(&ticket), None, false).is_none());
        // Used up: presenting it again is penalised.
        assert!(t.check("a", Some(&ticket), None, false).is_some());
        let p = t.check("auth", None, armed, true).unwrap();
        assert_eq!(p["p-captcha"], true);
    }
}
