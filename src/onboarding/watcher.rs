//! The always-on agreement watcher (`propdesk watch`) as the journal sees it: the lock
//! that lets exactly one watcher per environment be active, and the heartbeat the
//! active one writes so that windows can show it and stand down.
//!
//! Why a lock and a heartbeat: the lock decides who is active (the server or the OS
//! drops it the moment the holder dies, however it dies), and the heartbeat only tells
//! the windows what the watcher is doing. A window never takes the lock: it reads the
//! heartbeat and, while it is fresh, leaves the socket to the watcher.

use super::journal::{Journal, JournalResult, RunGuard};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// How often the active watcher rewrites its heartbeat (and at every change of state).
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(10);

/// A heartbeat older than this is stale: its watcher is taken to be gone, and windows
/// run their own watch again. Several missed beats, so a slow journal write or a short
/// network blip does not make every window open a socket.
pub const HEARTBEAT_FRESH_FOR: Duration = Duration::from_secs(45);

/// How often a standby watcher tries the lock. The lock frees the moment the active
/// watcher's connection ends, so this is most of the takeover time (issue 14: under 30 s).
pub const STANDBY_RETRY: Duration = Duration::from_secs(3);

/// What the active watcher is doing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WatcherState {
    /// Signing in, granting the backlog, opening the socket.
    Starting,
    Listening,
    Reconnecting(String),
    /// Ended (Ctrl-C, SIGTERM, or the watch stopped), with why.
    Stopped(String),
}

impl WatcherState {
    /// The stored form: a word, and the reason for the states that have one.
    pub(crate) fn to_stored(&self) -> (&'static str, Option<&str>) {
        match self {
            WatcherState::Starting => ("starting", None),
            WatcherState::Listening => ("listening", None),
            WatcherState::Reconnecting(reason) => ("reconnecting", Some(reason)),
            WatcherState::Stopped(reason) => ("stopped", Some(reason)),
        }
    }

    /// An unknown word (written by a newer release) reads as stopped: a window then runs
    /// its own watch rather than trust a watcher it cannot understand.
    pub(crate) fn from_stored(word: &str, reason: Option<String>) -> Self {
        let reason = reason.unwrap_or_default();
        match word {
            "starting" => WatcherState::Starting,
            "listening" => WatcherState::Listening,
            "reconnecting" => WatcherState::Reconnecting(reason),
            "stopped" => WatcherState::Stopped(reason),
            other => WatcherState::Stopped(format!("unknown state {other:?}")),
        }
    }
}

impl std::fmt::Display for WatcherState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WatcherState::Starting => f.write_str("starting"),
            WatcherState::Listening => f.write_str("listening"),
            WatcherState::Reconnecting(reason) => write!(f, "reconnecting: {reason}"),
            WatcherState::Stopped(reason) if reason.is_empty() => f.write_str("stopped"),
            WatcherState::Stopped(reason) => write!(f, "stopped: {reason}"),
        }
    }
}

/// The active watcher's report for one environment, one row per environment.
#[derive(Clone, Debug, PartialEq)]
pub struct WatcherHeartbeat {
    pub host: String,
    /// The OS user the watcher runs as.
    pub user: String,
    pub pid: u32,
    pub state: WatcherState,
    pub started_at: DateTime<Utc>,
    /// When this report was written (the watcher's clock).
    pub beat_at: DateTime<Utc>,
    /// The last agreement signature the watcher saw, and its last grant.
    pub last_signal_at: Option<DateTime<Utc>>,
    pub last_grant_at: Option<DateTime<Utc>>,
}

impl WatcherHeartbeat {
    /// This process, starting now.
    pub fn of_this_process() -> Self {
        let author = super::journal::Author::of_this_process();
        let now = Utc::now();
        Self {
            host: author.host,
            user: author.user,
            pid: std::process::id(),
            state: WatcherState::Starting,
            started_at: now,
            beat_at: now,
            last_signal_at: None,
            last_grant_at: None,
        }
    }

    /// Whether a watcher is reported alive at `now`: written within [`HEARTBEAT_FRESH_FOR`]
    /// and not stopped. Compares two machines' clocks: a watcher whose clock is far
    /// behind looks stale, and windows then run their own watch (fails safe: grants are
    /// still claimed once; only the socket count doubles).
    pub fn is_healthy(&self, now: DateTime<Utc>) -> bool {
        let age = (now - self.beat_at).to_std().unwrap_or(Duration::ZERO);
        age <= HEARTBEAT_FRESH_FOR && !matches!(self.state, WatcherState::Stopped(_))
    }

    /// "Watcher on ops-server: listening, last signal 3 min ago".
    pub fn describe(&self, now: DateTime<Utc>) -> String {
        let signal = match self.last_signal_at {
            Some(at) => format!("last signal {}", ago(now, at)),
            None => "no signal yet".into(),
        };
        format!("Watcher on {}: {}, {signal}", self.host, self.state)
    }
}

/// "just now", "42 s ago", "3 min ago", "2 h ago", "4 days ago".
fn ago(now: DateTime<Utc>, at: DateTime<Utc>) -> String {
    let seconds = (now - at).num_seconds().max(0);
    match seconds {
        0..5 => "just now".into(),
        5..60 => format!("{seconds} s ago"),
        60..3600 => format!("{} min ago", seconds / 60),
        3600..86_400 => format!("{} h ago", seconds / 3600),
        _ => format!("{} days ago", seconds / 86_400),
    }
}

/// Held by the active watcher; dropping it (or the process dying) lets a standby take over.
pub struct WatcherLock {
    _guard: RunGuard,
}

impl WatcherLock {
    /// Takes the watcher lock of `journal`'s environment, or `None` while another
    /// watcher holds it. Blocking (the journal).
    pub fn try_take(journal: &Journal) -> JournalResult<Option<Self>> {
        Ok(journal.take_watcher_lock()?.map(|guard| Self { _guard: guard }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beat(state: WatcherState, age_seconds: i64, now: DateTime<Utc>) -> WatcherHeartbeat {
        WatcherHeartbeat {
            host: "ops-server".into(),
            user: "propdesk".into(),
            pid: 7,
            state,
            started_at: now - chrono::Duration::hours(1),
            beat_at: now - chrono::Duration::seconds(age_seconds),
            last_signal_at: Some(now - chrono::Duration::seconds(190)),
            last_grant_at: None,
        }
    }

    #[test]
    fn a_heartbeat_is_healthy_while_fresh_and_not_stopped() {
        let now = Utc::now();
        assert!(beat(WatcherState::Listening, 10, now).is_healthy(now));
        assert!(beat(WatcherState::Reconnecting("socket closed".into()), 44, now).is_healthy(now));
        assert!(!beat(WatcherState::Listening, 46, now).is_healthy(now), "stale");
        assert!(!beat(WatcherState::Stopped("SIGTERM".into()), 1, now).is_healthy(now), "stopped on purpose");
        assert_eq!(
            beat(WatcherState::Listening, 10, now).describe(now),
            "Watcher on ops-server: listening, last signal 3 min ago"
        );
    }

    #[test]
    fn states_survive_storage_and_unknown_ones_read_as_stopped() {
        for state in [
            WatcherState::Starting,
            WatcherState::Listening,
            WatcherState::Reconnecting("HTTP 503".into()),
            WatcherState::Stopped("SIGTERM".into()),
        ] {
            let (word, reason) = state.to_stored();
            assert_eq!(WatcherState::from_stored(word, reason.map(str::to_string)), state);
        }
        assert!(matches!(WatcherState::from_stored("paused", None), WatcherState::Stopped(_)));
    }
}
