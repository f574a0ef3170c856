//! A record of every API call the app made, for the Activity screen and its CSV export.
//!
//! Records hold the endpoint, domain, outcome and the server's `errorText`: never a
//! request body, a token or anything else secret.

use super::env::Domain;
use chrono::{DateTime, Utc};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How many records are kept; older ones are dropped first.
const CAPACITY: usize = 20_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    Ok,
    /// The server refused it (`errorText`, violations, 4xx).
    Rejected,
    /// 423: accepted with a warning that a lockout is near.
    Warning,
    /// A time penalty was received; the call is retried with the ticket.
    Penalty,
    /// Transport trouble, 5xx, lockout, or an unknown outcome.
    Failed,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "OK",
            Outcome::Rejected => "Rejected",
            Outcome::Warning => "Warning",
            Outcome::Penalty => "Penalty",
            Outcome::Failed => "Failed",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CallRecord {
    pub at: DateTime<Utc>,
    pub endpoint: &'static str,
    pub domain: Domain,
    pub outcome: Outcome,
    /// HTTP status, when a reply arrived.
    pub status: Option<u16>,
    pub duration: Duration,
    /// The server's `errorText` or our description of the failure.
    pub error_text: Option<String>,
}

type Listener = Arc<dyn Fn() + Send + Sync>;

/// Shared, append-only log of calls. Cloning shares the same log.
#[derive(Clone, Default)]
pub struct ActivityLog {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    records: VecDeque<CallRecord>,
    /// Bumped on every append, so a screen can tell cheaply whether to refresh.
    generation: u64,
    listener: Option<Listener>,
}

impl ActivityLog {
    pub fn push(&self, record: CallRecord) {
        let listener = {
            let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            if inner.records.len() == CAPACITY {
                inner.records.pop_front();
            }
            inner.records.push_back(record);
            inner.generation += 1;
            inner.listener.clone()
        };
        if let Some(notify) = listener {
            notify();
        }
    }

    /// Called after every new record (the window uses it to request a repaint).
    pub fn set_listener(&self, listener: impl Fn() + Send + Sync + 'static) {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).listener = Some(Arc::new(listener));
    }

    pub fn generation(&self) -> u64 {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).generation
    }

    pub fn snapshot(&self) -> Vec<CallRecord> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).records.iter().cloned().collect()
    }

    pub fn len(&self) -> usize {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many calls were made to an endpoint (any outcome).
    pub fn count(&self, endpoint: &str) -> usize {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.records.iter().filter(|r| r.endpoint == endpoint).count()
    }
}

/// CSV of the records, for the Activity screen's export.
pub fn to_csv(records: &[CallRecord]) -> String {
    let mut writer = crate::safe_csv::SafeCsvWriter::new(Vec::new());
    let _ = writer.write_record(["time", "endpoint", "domain", "outcome", "status", "duration_ms", "errorText"]);
    for r in records {
        let _ = writer.write_record([
            r.at.to_rfc3339(),
            r.endpoint.to_string(),
            r.domain.to_string(),
            r.outcome.label().to_string(),
            r.status.map(|s| s.to_string()).unwrap_or_default(),
            r.duration.as_millis().to_string(),
            r.error_text.clone().unwrap_or_default(),
        ]);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_export_quotes_formulas() {
        let record = CallRecord {
            at: DateTime::from_timestamp(0, 0).unwrap(),
            endpoint: "user/createevaluationusers",
            domain: Domain::Demo,
            outcome: Outcome::Rejected,
            status: Some(200),
            duration: Duration::from_millis(12),
            error_text: Some("=HYPERLINK(\"x\")".into()),
        };
        let text = to_csv(&[record]);
        assert!(text.lines().nth(1).unwrap().ends_with(",\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
    }
}
