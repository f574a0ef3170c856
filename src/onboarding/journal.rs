//! The journal: what makes onboarding resumable. A local SQLite file by default (one
//! admin), or a PostgreSQL database a team shares (`journal/postgres.rs`); both behind
//! [`JournalStore`] and held to the same test suite.
//!
//! Before each write call the intent is recorded; after it, the outcome. A run that
//! died (crash, SIGKILL, lost reply, cancel) leaves intents without an outcome, and the
//! next run reconciles those with the server instead of creating anything twice.
//!
//! No secret is stored: no passwords, tokens or identity numbers; only names, emails
//! and the ids Tradovate returned.

mod author;
mod firm;
#[cfg(test)]
mod lost_connection;
mod postgres;
mod sqlite;
#[cfg(test)]
mod suite;
#[doc(hidden)]
pub mod test_database;
pub mod transfer;

use super::claims::Exclusive;
use super::run_lock::RunHolder;
use super::watcher::WatcherHeartbeat;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

pub use author::Author;
pub use firm::{FIRM_UNKNOWN, check_signed_in_firm, firm_of, is_firm_refusal};
pub use postgres::{ConnectFailure, ServerSummary, team_journal_name, test_connection};
pub use postgres::{is_postgres_url, redact_url, split_password};

#[derive(Debug, thiserror::Error)]
#[error("journal: {0}")]
pub struct JournalError(String);

impl JournalError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        JournalError(message.into())
    }
}

impl From<rusqlite::Error> for JournalError {
    fn from(e: rusqlite::Error) -> Self {
        JournalError(e.to_string())
    }
}

pub type JournalResult<T> = Result<T, JournalError>;

/// A write the pipeline is about to make for one trader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    CreateUser,
    SetContact,
    CreateAccount,
    GrantEntitlement,
    Revoke,
    Cancel,
}

impl Action {
    pub(crate) fn key(self) -> &'static str {
        match self {
            Action::CreateUser => "create_user",
            Action::SetContact => "set_contact",
            Action::CreateAccount => "create_account",
            Action::GrantEntitlement => "grant_entitlement",
            Action::Revoke => "revoke",
            Action::Cancel => "cancel",
        }
    }

    pub(crate) fn from_key(key: &str) -> Option<Self> {
        [
            Action::CreateUser,
            Action::SetContact,
            Action::CreateAccount,
            Action::GrantEntitlement,
            Action::Revoke,
            Action::Cancel,
        ]
        .into_iter()
        .find(|a| a.key() == key)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntentOutcome {
    Done,
    Failed,
    /// Sent, but no reply: still open for reconciliation.
    Unknown,
}

impl IntentOutcome {
    pub(crate) fn key(self) -> &'static str {
        match self {
            IntentOutcome::Done => "done",
            IntentOutcome::Failed => "failed",
            IntentOutcome::Unknown => "unknown",
        }
    }
}

/// An intent with no settled outcome: it was sent (or about to be) when the run stopped.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenIntent {
    pub id: i64,
    pub name: String,
    pub action: Action,
}

/// What the journal knows about one trader.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JournaledTrader {
    pub name: String,
    pub email: String,
    pub account_name: String,
    pub user_id: Option<i64>,
    pub contact_done: bool,
    pub account_id: Option<i64>,
    pub trading_permission_id: Option<i64>,
    pub agreement_signed_at: Option<DateTime<Utc>>,
    pub entitled_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The last failure and the stage it happened at, until the stage succeeds.
    pub last_error: Option<String>,
    pub error_stage: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// One line of a trader's history, for the detail view.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub what: String,
    /// Who wrote it, shown as `user@host`; unknown for lines older than authors.
    pub by: Author,
}

/// One line of the team's history: which trader it is about, with the line itself.
#[derive(Clone, Debug, PartialEq)]
pub struct TeamHistoryLine {
    pub trader: String,
    pub at: DateTime<Utc>,
    pub what: String,
    pub by: Author,
}

/// The key that separates environments inside one journal file: the environment's
/// name, or the LIVE URL of a custom one. The window and the command line use the same
/// key, so either can resume what the other started.
pub fn journal_key(environment: &crate::api::Environment) -> String {
    match environment.kind {
        crate::api::EnvironmentKind::Custom => environment.live_url.clone(),
        other => other.slug().to_string(),
    }
}

/// A step of the onboarding that succeeded, recorded with a line of history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Progress {
    User(i64),
    Contact,
    Account { account_id: i64, trading_permission_id: Option<i64> },
}

impl Progress {
    pub(crate) fn history_text(self) -> String {
        match self {
            Progress::User(_) => "User created".into(),
            Progress::Contact => "Contact info set".into(),
            Progress::Account { account_id, .. } => format!("Account created (id {account_id})"),
        }
    }
}

/// A moment in a trader's life that is recorded once (the first time wins).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stamp {
    Signed,
    Entitled,
    Revoked,
    Cancelled,
}

impl Stamp {
    /// The traders column; the same name in every backend.
    pub(crate) fn column(self) -> &'static str {
        match self {
            Stamp::Signed => "agreement_signed_at",
            Stamp::Entitled => "entitled_at",
            Stamp::Revoked => "revoked_at",
            Stamp::Cancelled => "cancelled_at",
        }
    }

    pub(crate) fn history_text(self) -> &'static str {
        match self {
            Stamp::Signed => "Signed the market-data agreement",
            Stamp::Entitled => "T-Prop entitlement granted",
            Stamp::Revoked => "Trading permission revoked",
            Stamp::Cancelled => "Everything cancelled",
        }
    }
}

/// Held while a run owns an environment across processes; dropping it lets go.
pub(crate) type RunGuard = Box<dyn Send + Sync>;

/// What a journal backend stores: SQLite (one computer) or PostgreSQL (a team). Every
/// call is scoped to one environment key, so environments never mix in one store.
/// Each method is one transaction; the claims are checked and written atomically.
pub(crate) trait JournalStore: Send + Sync {
    /// Whether other processes can share this store (a file or a server, not memory).
    fn shared(&self) -> bool;
    /// The cross-process run lock of `environment`: `None` when another run holds it.
    fn take_run_lock(&self, environment: &str) -> JournalResult<Option<RunGuard>>;
    fn run_holder(&self, environment: &str) -> JournalResult<Option<RunHolder>>;
    fn set_run_holder(&self, environment: &str, holder: &RunHolder) -> JournalResult<()>;
    fn clear_run_holder(&self, environment: &str, pid: u32) -> JournalResult<()>;
    fn begin(&self, environment: &str, names: &[&str], action: Action) -> JournalResult<Vec<i64>>;
    fn finish(&self, intents: &[i64], outcome: IntentOutcome, detail: Option<&str>) -> JournalResult<()>;
    fn open_intents(&self, environment: &str) -> JournalResult<Vec<OpenIntent>>;
    fn upsert_trader(&self, environment: &str, name: &str, email: &str, account_name: &str) -> JournalResult<()>;
    /// Records the step and clears an earlier error, with a line of history.
    fn record_progress(&self, environment: &str, name: &str, progress: Progress, by: &Author) -> JournalResult<()>;
    /// Sets the stamp if still empty (with history); true when it was set now.
    fn stamp_once(
        &self,
        environment: &str,
        name: &str,
        stamp: Stamp,
        at: DateTime<Utc>,
        by: &Author,
    ) -> JournalResult<bool>;
    fn clear_error(&self, environment: &str, name: &str) -> JournalResult<()>;
    fn record_error(&self, environment: &str, name: &str, stage: &str, error: &str, by: &Author) -> JournalResult<()>;
    /// A line of history only: the trader's columns (and its stage) stay as they are.
    fn record_history(&self, environment: &str, name: &str, what: &str, by: &Author) -> JournalResult<()>;
    fn trader(&self, environment: &str, name: &str) -> JournalResult<Option<JournaledTrader>>;
    fn trader_by_user_id(&self, environment: &str, user_id: i64) -> JournalResult<Option<JournaledTrader>>;
    /// In the order they were first recorded.
    fn traders(&self, environment: &str) -> JournalResult<Vec<JournaledTrader>>;
    fn history(&self, environment: &str, name: &str) -> JournalResult<Vec<HistoryEntry>>;
    /// See [`Journal::begin_exclusive`]; the rule itself is [`super::claims::in_flight`].
    fn begin_exclusive(
        &self,
        environment: &str,
        name: &str,
        action: Action,
        now: DateTime<Utc>,
        in_flight_for: Duration,
    ) -> JournalResult<Exclusive>;
    /// See [`Journal::claim_interval`]; the rule itself is [`super::claims::interval_wait`].
    fn claim_interval(
        &self,
        environment: &str,
        what: &str,
        now: DateTime<Utc>,
        interval: Duration,
    ) -> JournalResult<Result<(), Duration>>;

    // --- The team's audit trail (issue 14, item 6) ---
    /// Every trader's history lines at or after `since`, newest first, at most `limit`.
    fn team_history(
        &self,
        environment: &str,
        since: Option<DateTime<Utc>>,
        limit: usize,
    ) -> JournalResult<Vec<TeamHistoryLine>>;

    // --- The firm an environment key belongs to (journal/firm.rs) ---
    /// Records `organization` as the firm of `environment` unless one is recorded already;
    /// returns the recorded one (see `journal/firm.rs`).
    fn bind_firm(&self, environment: &str, organization: &str, by: &Author) -> JournalResult<String>;

    // ---- Change feed (the live board, issue 14 item 4) ----
    /// A number that moves whenever `environment`'s traders or history change, whoever
    /// wrote them (another window, a CLI run, another admin's computer). One indexed row,
    /// cheap enough to poll every few seconds. Bumped by the backend's own triggers, so
    /// every write counts, including ones added later.
    fn change_mark(&self, environment: &str) -> JournalResult<i64>;
    /// The newest line of history of each trader of `environment` that has one: who made
    /// its latest change and when. One query for the whole board.
    fn latest_history(&self, environment: &str) -> JournalResult<Vec<(String, HistoryEntry)>>;

    // --- The always-on watcher (`propdesk watch`, see `onboarding::watcher`) ---
    /// The watcher lock of `environment` (not the run lock: a run and the watcher work
    /// side by side): `None` while another watcher holds it.
    fn take_watcher_lock(&self, environment: &str) -> JournalResult<Option<RunGuard>>;
    /// Replaces the environment's heartbeat row with this one.
    fn write_watcher_heartbeat(&self, environment: &str, heartbeat: &WatcherHeartbeat) -> JournalResult<()>;
    fn watcher_heartbeat(&self, environment: &str) -> JournalResult<Option<WatcherHeartbeat>>;
    // ---- Moving a journal into another (issue 14: local file -> team journal) ----
    /// Every environment key with a trader row, sorted.
    fn environment_keys(&self) -> JournalResult<Vec<String>>;
    /// Every trader of `environment` with its history and unsettled intents, as stored.
    fn export_traders(&self, environment: &str) -> JournalResult<Vec<TraderExport>>;
    /// Copies traders that are not in this store yet, each with its history and open
    /// intents, in one transaction; a trader already here is left as it is. Returns
    /// how many traders and history lines were copied.
    fn import_traders(&self, environment: &str, traders: &[TraderExport]) -> JournalResult<Copied>;
    /// The firm bound to `environment` ([`JournalStore::bind_firm`]), if any; read only.
    fn bound_firm(&self, environment: &str) -> JournalResult<Option<String>>;
}

/// One trader as [`JournalStore::export_traders`] reads it, for copying elsewhere.
#[derive(Clone, Debug, PartialEq)]
pub struct TraderExport {
    pub trader: JournaledTrader,
    /// With the original authors and times.
    pub history: Vec<HistoryEntry>,
    /// Writes sent (or about to be) and never settled: the next run reconciles them.
    pub open_intents: Vec<UnsettledIntent>,
}

impl TraderExport {
    /// Each trader with its history and its unsettled writes (`open`, by name): what a
    /// backend's `export_traders` returns once it has read the rows.
    pub(crate) fn assemble(
        traders: Vec<JournaledTrader>,
        mut open: std::collections::HashMap<String, Vec<UnsettledIntent>>,
        history: impl Fn(&str) -> JournalResult<Vec<HistoryEntry>>,
    ) -> JournalResult<Vec<TraderExport>> {
        traders
            .into_iter()
            .map(|trader| {
                let history = history(&trader.name)?;
                let open_intents = open.remove(&trader.name).unwrap_or_default();
                Ok(TraderExport { trader, history, open_intents })
            })
            .collect()
    }
}

/// An intent without outcome, with when it started (the claims' in-flight rule reads it).
#[derive(Clone, Debug, PartialEq)]
pub struct UnsettledIntent {
    pub action: Action,
    pub started_at: DateTime<Utc>,
}

/// What an import copied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Copied {
    pub traders: usize,
    pub history_lines: usize,
    pub open_intents: usize,
}

pub struct Journal {
    store: Box<dyn JournalStore>,
    /// Everything is kept per environment: the same name may exist on staging and production.
    environment: String,
    /// The file, or `None` for an in-memory or PostgreSQL journal.
    path: Option<PathBuf>,
    /// The run holding this journal in this process (see `run_lock`).
    pub(super) running: Mutex<Option<RunHolder>>,
    /// Recorded with every line of history this journal writes.
    author: Author,
}

impl Journal {
    /// The SQLite journal file (one computer).
    pub fn open(path: &Path, environment: &str) -> JournalResult<Self> {
        Ok(Self::with_store(Box::new(sqlite::SqliteStore::open(path)?), environment, Some(path.to_path_buf())))
    }

    pub fn in_memory(environment: &str) -> JournalResult<Self> {
        Ok(Self::with_store(Box::new(sqlite::SqliteStore::in_memory()?), environment, None))
    }

    /// The team journal on a PostgreSQL server (`postgres://…`). Connects and migrates
    /// the schema; blocking, like opening the file.
    pub fn open_postgres(url: &str, environment: &str) -> JournalResult<Self> {
        Self::open_postgres_with_password(url, None, environment)
    }

    /// Like [`Journal::open_postgres`], with the password kept apart from the URL (the
    /// window's: the URL is in the settings, the password in the keyring).
    pub fn open_postgres_with_password(
        url: &str,
        password: Option<&crate::api::Secret>,
        environment: &str,
    ) -> JournalResult<Self> {
        Ok(Self::with_store(Box::new(postgres::PostgresStore::connect(url, password)?), environment, None))
    }

    fn with_store(store: Box<dyn JournalStore>, environment: &str, path: Option<PathBuf>) -> Self {
        Self {
            store,
            environment: environment.to_string(),
            path,
            running: Mutex::new(None),
            author: Author::of_this_process(),
        }
    }

    /// Writes from now on are recorded as `author`'s (tests; the default is this process's).
    pub fn with_author(mut self, author: Author) -> Self {
        self.author = author;
        self
    }

    pub fn environment(&self) -> &str {
        &self.environment
    }

    /// The file, or `None` when the journal lives in memory or on a server.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Whether other processes may use this journal at the same time (see `run_lock`).
    pub fn is_shared(&self) -> bool {
        self.store.shared()
    }

    pub(crate) fn take_run_lock(&self) -> JournalResult<Option<RunGuard>> {
        self.store.take_run_lock(&self.environment)
    }

    /// Who last said they hold this environment's run lock (see `run_lock`).
    pub fn run_holder(&self) -> JournalResult<Option<RunHolder>> {
        self.store.run_holder(&self.environment)
    }

    /// Names the holder of this environment's run lock, replacing a dead holder's row.
    pub fn set_run_holder(&self, holder: &RunHolder) -> JournalResult<()> {
        self.store.set_run_holder(&self.environment, holder)
    }

    /// Forgets the holder row, if it is still this process's.
    pub fn clear_run_holder(&self, pid: u32) -> JournalResult<()> {
        self.store.clear_run_holder(&self.environment, pid)
    }

    /// Records that `action` is about to be sent for these traders, in one transaction.
    pub fn begin(&self, names: &[&str], action: Action) -> JournalResult<Vec<i64>> {
        self.store.begin(&self.environment, names, action)
    }

    /// Settles intents. `Unknown` leaves them open for reconciliation.
    pub fn finish(&self, intents: &[i64], outcome: IntentOutcome, detail: Option<&str>) -> JournalResult<()> {
        if outcome == IntentOutcome::Unknown {
            return Ok(());
        }
        self.store.finish(intents, outcome, detail)
    }

    /// Intents that were started and never settled (the run stopped, or the reply was lost).
    pub fn open_intents(&self) -> JournalResult<Vec<OpenIntent>> {
        self.store.open_intents(&self.environment)
    }

    /// Ensures a row exists for the trader, remembering email and account name.
    pub fn upsert_trader(&self, name: &str, email: &str, account_name: &str) -> JournalResult<()> {
        self.store.upsert_trader(&self.environment, name, email, account_name)
    }

    pub fn record_user(&self, name: &str, user_id: i64) -> JournalResult<()> {
        self.store.record_progress(&self.environment, name, Progress::User(user_id), &self.author)
    }

    pub fn record_contact(&self, name: &str) -> JournalResult<()> {
        self.store.record_progress(&self.environment, name, Progress::Contact, &self.author)
    }

    pub fn record_account(&self, name: &str, account_id: i64, trading_permission_id: Option<i64>) -> JournalResult<()> {
        self.store.record_progress(
            &self.environment,
            name,
            Progress::Account { account_id, trading_permission_id },
            &self.author,
        )
    }

    /// Marks the trader's agreement signature (from an alert signal), once.
    pub fn record_signed(&self, name: &str, at: DateTime<Utc>) -> JournalResult<bool> {
        self.store.stamp_once(&self.environment, name, Stamp::Signed, at, &self.author)
    }

    /// Also clears an earlier grant failure: the stage has now succeeded.
    pub fn record_entitled(&self, name: &str, at: DateTime<Utc>) -> JournalResult<bool> {
        let set = self.store.stamp_once(&self.environment, name, Stamp::Entitled, at, &self.author)?;
        self.store.clear_error(&self.environment, name)?;
        Ok(set)
    }

    pub fn record_revoked(&self, name: &str, at: DateTime<Utc>) -> JournalResult<bool> {
        self.store.stamp_once(&self.environment, name, Stamp::Revoked, at, &self.author)
    }

    pub fn record_cancelled(&self, name: &str, at: DateTime<Utc>) -> JournalResult<bool> {
        self.store.stamp_once(&self.environment, name, Stamp::Cancelled, at, &self.author)
    }

    /// Remembers a failure at a stage; cleared when that stage later succeeds.
    pub fn record_error(&self, name: &str, stage: &str, error: &str) -> JournalResult<()> {
        self.store.record_error(&self.environment, name, stage, error, &self.author)
    }

    /// Adds a line to the trader's history without changing its stage (e.g. a risk-rule
    /// update, which leaves the trader where it was on the board).
    pub fn record_history(&self, name: &str, what: &str) -> JournalResult<()> {
        self.store.record_history(&self.environment, name, what, &self.author)
    }

    pub fn trader(&self, name: &str) -> JournalResult<Option<JournaledTrader>> {
        self.store.trader(&self.environment, name)
    }

    pub fn trader_by_user_id(&self, user_id: i64) -> JournalResult<Option<JournaledTrader>> {
        self.store.trader_by_user_id(&self.environment, user_id)
    }

    pub fn traders(&self) -> JournalResult<Vec<JournaledTrader>> {
        self.store.traders(&self.environment)
    }

    pub fn history(&self, name: &str) -> JournalResult<Vec<HistoryEntry>> {
        self.store.history(&self.environment, name)
    }

    /// The team's audit trail: every trader's lines of this environment, newest first
    /// (by when they happened), from `since` on, at most `limit` of them.
    pub fn team_history(&self, since: Option<DateTime<Utc>>, limit: usize) -> JournalResult<Vec<TeamHistoryLine>> {
        self.store.team_history(&self.environment, since, limit)
    }

    pub(super) fn store(&self) -> &dyn JournalStore {
        self.store.as_ref()
    }

    // --- The always-on watcher (`propdesk watch`, see `onboarding::watcher`) ---

    /// This environment's watcher lock (see [`super::watcher::WatcherLock`]).
    pub(crate) fn take_watcher_lock(&self) -> JournalResult<Option<RunGuard>> {
        self.store.take_watcher_lock(&self.environment)
    }

    /// Records what the active watcher of this environment is doing.
    pub fn write_watcher_heartbeat(&self, heartbeat: &WatcherHeartbeat) -> JournalResult<()> {
        self.store.write_watcher_heartbeat(&self.environment, heartbeat)
    }

    /// The last report of this environment's watcher, fresh or not (see
    /// [`WatcherHeartbeat::is_healthy`]); `None` when no watcher ever ran.
    pub fn watcher_heartbeat(&self) -> JournalResult<Option<WatcherHeartbeat>> {
        self.store.watcher_heartbeat(&self.environment)
    }
}

// ---- Change feed (the live board, issue 14 item 4) ----
impl Journal {
    /// Moves whenever this environment's traders or history change, in any process:
    /// compare two readings to know whether to re-read (see `ui::change_feed`).
    pub fn change_mark(&self) -> JournalResult<i64> {
        self.store.change_mark(&self.environment)
    }

    /// Each trader's newest line of history (who made the latest change, and when), by name.
    pub fn latest_changes(&self) -> JournalResult<HashMap<String, HistoryEntry>> {
        Ok(self.store.latest_history(&self.environment)?.into_iter().collect())
    }
}

/// The columns every backend reads a trader from, in [`JournaledTrader`]'s order.
pub(crate) const TRADER_COLUMNS: &str =
    "name, email, account_name, user_id, contact_done, account_id, trading_permission_id,
    agreement_signed_at, entitled_at, revoked_at, cancelled_at, last_error, error_stage, updated_at";
