//! The journal: a local SQLite file that makes onboarding resumable.
//!
//! Before each write call the intent is recorded; after it, the outcome. A run that
//! died (crash, SIGKILL, lost reply, cancel) leaves intents without an outcome, and the
//! next run reconciles those with the server instead of creating anything twice.
//!
//! No secret is stored: no passwords, tokens or identity numbers; only names, emails
//! and the ids Tradovate returned.

use super::run_lock::RunHolder;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug, thiserror::Error)]
#[error("journal: {0}")]
pub struct JournalError(String);

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

    fn from_key(key: &str) -> Option<Self> {
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
    fn key(self) -> &'static str {
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

pub struct Journal {
    connection: Mutex<Connection>,
    /// Everything is kept per environment: the same name may exist on staging and production.
    environment: String,
    /// The file, or `None` for an in-memory journal (the Sandbox's).
    path: Option<PathBuf>,
    /// The run holding this journal in this process (see `run_lock`).
    pub(super) running: Mutex<Option<RunHolder>>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS traders (
    environment TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    account_name TEXT NOT NULL DEFAULT '',
    user_id INTEGER,
    contact_done INTEGER NOT NULL DEFAULT 0,
    account_id INTEGER,
    trading_permission_id INTEGER,
    agreement_signed_at TEXT,
    entitled_at TEXT,
    revoked_at TEXT,
    cancelled_at TEXT,
    last_error TEXT,
    error_stage TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (environment, name)
);
CREATE INDEX IF NOT EXISTS traders_by_user ON traders (environment, user_id);
CREATE TABLE IF NOT EXISTS intents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    environment TEXT NOT NULL,
    name TEXT NOT NULL,
    action TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS open_intents ON intents (environment, outcome);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    environment TEXT NOT NULL,
    name TEXT NOT NULL,
    at TEXT NOT NULL,
    what TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS history_by_name ON history (environment, name);
CREATE TABLE IF NOT EXISTS run_holders (
    environment TEXT PRIMARY KEY,
    pid INTEGER NOT NULL,
    program TEXT NOT NULL,
    host TEXT NOT NULL,
    since TEXT NOT NULL
);
";

impl Journal {
    pub fn open(path: &Path, environment: &str) -> JournalResult<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| JournalError(format!("cannot create {}: {e}", dir.display())))?;
        }
        let connection = Connection::open(path)?;
        // WAL: a killed process loses nothing that was committed, and readers don't block.
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        Self::with_connection(connection, environment, Some(path.to_path_buf()))
    }

    pub fn in_memory(environment: &str) -> JournalResult<Self> {
        Self::with_connection(Connection::open_in_memory()?, environment, None)
    }

    fn with_connection(connection: Connection, environment: &str, path: Option<PathBuf>) -> JournalResult<Self> {
        connection.execute_batch(SCHEMA)?;
        Ok(Self {
            connection: Mutex::new(connection),
            environment: environment.to_string(),
            path,
            running: Mutex::new(None),
        })
    }

    pub fn environment(&self) -> &str {
        &self.environment
    }

    /// The file, or `None` when the journal lives in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Who last said they hold this environment's run lock (see `run_lock`).
    pub fn run_holder(&self) -> JournalResult<Option<RunHolder>> {
        let connection = self.lock();
        let mut query =
            connection.prepare_cached("SELECT pid, program, host, since FROM run_holders WHERE environment = ?1")?;
        let row = query
            .query_row(params![self.environment], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                ))
            })
            .optional()?;
        Ok(row.map(|(pid, program, host, since)| RunHolder {
            pid: u32::try_from(pid).unwrap_or_default(),
            program,
            host,
            since: parse_time(since).unwrap_or_default(),
        }))
    }

    /// Names the holder of this environment's run lock, replacing a dead holder's row.
    pub fn set_run_holder(&self, holder: &RunHolder) -> JournalResult<()> {
        self.lock().execute(
            "INSERT OR REPLACE INTO run_holders (environment, pid, program, host, since) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![self.environment, holder.pid, holder.program, holder.host, holder.since.to_rfc3339()],
        )?;
        Ok(())
    }

    /// Forgets the holder row, if it is still this process's.
    pub fn clear_run_holder(&self, pid: u32) -> JournalResult<()> {
        self.lock()
            .execute("DELETE FROM run_holders WHERE environment = ?1 AND pid = ?2", params![self.environment, pid])?;
        Ok(())
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.connection.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records that `action` is about to be sent for these traders, in one transaction.
    pub fn begin(&self, names: &[&str], action: Action) -> JournalResult<Vec<i64>> {
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        let now = Utc::now().to_rfc3339();
        let mut ids = Vec::with_capacity(names.len());
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO intents (environment, name, action, started_at) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for name in names {
                insert.execute(params![self.environment, name, action.key(), now])?;
                ids.push(tx.last_insert_rowid());
            }
        }
        tx.commit()?;
        Ok(ids)
    }

    /// Settles intents. `Unknown` leaves them open for reconciliation.
    pub fn finish(&self, intents: &[i64], outcome: IntentOutcome, detail: Option<&str>) -> JournalResult<()> {
        if outcome == IntentOutcome::Unknown {
            return Ok(());
        }
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        let now = Utc::now().to_rfc3339();
        {
            let mut update =
                tx.prepare_cached("UPDATE intents SET finished_at = ?1, outcome = ?2, detail = ?3 WHERE id = ?4")?;
            for id in intents {
                update.execute(params![now, outcome.key(), detail, id])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Intents that were started and never settled (the run stopped, or the reply was lost).
    pub fn open_intents(&self) -> JournalResult<Vec<OpenIntent>> {
        let connection = self.lock();
        let mut query = connection.prepare_cached(
            "SELECT id, name, action FROM intents WHERE environment = ?1 AND finished_at IS NULL ORDER BY id",
        )?;
        let rows = query.query_map(params![self.environment], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?))
        })?;
        let mut open = Vec::new();
        for row in rows {
            let (id, name, action) = row?;
            if let Some(action) = Action::from_key(&action) {
                open.push(OpenIntent { id, name, action });
            }
        }
        Ok(open)
    }

    /// Ensures a row exists for the trader, remembering email and account name.
    pub fn upsert_trader(&self, name: &str, email: &str, account_name: &str) -> JournalResult<()> {
        self.lock().execute(
            "INSERT INTO traders (environment, name, email, account_name, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (environment, name) DO UPDATE SET email = excluded.email, account_name = excluded.account_name",
            params![self.environment, name, email, account_name, Utc::now().to_rfc3339()],
        )?;
        Ok(())
    }

    pub fn record_user(&self, name: &str, user_id: i64) -> JournalResult<()> {
        self.update(name, "user_id = ?3, last_error = NULL, error_stage = NULL", user_id, "User created")
    }

    pub fn record_contact(&self, name: &str) -> JournalResult<()> {
        self.update(name, "contact_done = ?3, last_error = NULL, error_stage = NULL", 1, "Contact info set")
    }

    pub fn record_account(&self, name: &str, account_id: i64, trading_permission_id: Option<i64>) -> JournalResult<()> {
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        let now = Utc::now().to_rfc3339();
        tx.execute(
            "UPDATE traders SET account_id = ?3, trading_permission_id = ?4, last_error = NULL, error_stage = NULL,
             updated_at = ?5 WHERE environment = ?1 AND name = ?2",
            params![self.environment, name, account_id, trading_permission_id, now],
        )?;
        tx.execute(
            "INSERT INTO history (environment, name, at, what) VALUES (?1, ?2, ?3, ?4)",
            params![self.environment, name, now, format!("Account created (id {account_id})")],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Marks the trader's agreement signature (from an alert signal), once.
    pub fn record_signed(&self, name: &str, at: DateTime<Utc>) -> JournalResult<bool> {
        self.stamp_once(name, "agreement_signed_at", at, "Signed the market-data agreement")
    }

    /// Also clears an earlier grant failure: the stage has now succeeded.
    pub fn record_entitled(&self, name: &str, at: DateTime<Utc>) -> JournalResult<bool> {
        let set = self.stamp_once(name, "entitled_at", at, "T-Prop entitlement granted")?;
        self.lock().execute(
            "UPDATE traders SET last_error = NULL, error_stage = NULL WHERE environment = ?1 AND name = ?2",
            params![self.environment, name],
        )?;
        Ok(set)
    }

    pub fn record_revoked(&self, name: &str, at: DateTime<Utc>) -> JournalResult<bool> {
        self.stamp_once(name, "revoked_at", at, "Trading permission revoked")
    }

    pub fn record_cancelled(&self, name: &str, at: DateTime<Utc>) -> JournalResult<bool> {
        self.stamp_once(name, "cancelled_at", at, "Everything cancelled")
    }

    /// Remembers a failure at a stage; cleared when that stage later succeeds.
    pub fn record_error(&self, name: &str, stage: &str, error: &str) -> JournalResult<()> {
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        let now = Utc::now().to_rfc3339();
        tx.execute(
            "UPDATE traders SET last_error = ?3, error_stage = ?4, updated_at = ?5 WHERE environment = ?1 AND name = ?2",
            params![self.environment, name, error, stage, now],
        )?;
        tx.execute(
            "INSERT INTO history (environment, name, at, what) VALUES (?1, ?2, ?3, ?4)",
            params![self.environment, name, now, format!("{stage} failed: {error}")],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Adds a line to the trader's history without changing its stage (e.g. a risk-rule
    /// update, which leaves the trader where it was on the board).
    pub fn record_history(&self, name: &str, what: &str) -> JournalResult<()> {
        self.lock().execute(
            "INSERT INTO history (environment, name, at, what) VALUES (?1, ?2, ?3, ?4)",
            params![self.environment, name, Utc::now().to_rfc3339(), what],
        )?;
        Ok(())
    }

    pub fn trader(&self, name: &str) -> JournalResult<Option<JournaledTrader>> {
        let connection = self.lock();
        let mut query = connection
            .prepare_cached(&format!("SELECT {TRADER_COLUMNS} FROM traders WHERE environment = ?1 AND name = ?2"))?;
        Ok(query.query_row(params![self.environment, name], read_trader).optional()?)
    }

    pub fn trader_by_user_id(&self, user_id: i64) -> JournalResult<Option<JournaledTrader>> {
        let connection = self.lock();
        let mut query = connection
            .prepare_cached(&format!("SELECT {TRADER_COLUMNS} FROM traders WHERE environment = ?1 AND user_id = ?2"))?;
        Ok(query.query_row(params![self.environment, user_id], read_trader).optional()?)
    }

    pub fn traders(&self) -> JournalResult<Vec<JournaledTrader>> {
        let connection = self.lock();
        let mut query = connection
            .prepare_cached(&format!("SELECT {TRADER_COLUMNS} FROM traders WHERE environment = ?1 ORDER BY rowid"))?;
        let rows = query.query_map(params![self.environment], read_trader)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn history(&self, name: &str) -> JournalResult<Vec<HistoryEntry>> {
        let connection = self.lock();
        let mut query = connection
            .prepare_cached("SELECT at, what FROM history WHERE environment = ?1 AND name = ?2 ORDER BY id")?;
        let rows = query.query_map(params![self.environment, name], |row| {
            Ok(HistoryEntry { at: parse_time(row.get::<_, String>(0)?).unwrap_or_default(), what: row.get(1)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn update(&self, name: &str, set: &str, value: i64, what: &str) -> JournalResult<()> {
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        let now = Utc::now().to_rfc3339();
        tx.execute(
            &format!("UPDATE traders SET {set}, updated_at = ?4 WHERE environment = ?1 AND name = ?2"),
            params![self.environment, name, value, now],
        )?;
        tx.execute(
            "INSERT INTO history (environment, name, at, what) VALUES (?1, ?2, ?3, ?4)",
            params![self.environment, name, now, what],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Sets a timestamp column if it is still empty; true when it was set now.
    fn stamp_once(&self, name: &str, column: &str, at: DateTime<Utc>, what: &str) -> JournalResult<bool> {
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        let changed = tx.execute(
            &format!(
                "UPDATE traders SET {column} = ?3, updated_at = ?3 WHERE environment = ?1 AND name = ?2 AND {column} IS NULL"
            ),
            params![self.environment, name, at.to_rfc3339()],
        )?;
        if changed > 0 {
            tx.execute(
                "INSERT INTO history (environment, name, at, what) VALUES (?1, ?2, ?3, ?4)",
                params![self.environment, name, at.to_rfc3339(), what],
            )?;
        }
        tx.commit()?;
        Ok(changed > 0)
    }
}

const TRADER_COLUMNS: &str = "name, email, account_name, user_id, contact_done, account_id, trading_permission_id,
    agreement_signed_at, entitled_at, revoked_at, cancelled_at, last_error, error_stage, updated_at";

fn read_trader(row: &rusqlite::Row<'_>) -> rusqlite::Result<JournaledTrader> {
    let time = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
        Ok(row.get::<_, Option<String>>(i)?.and_then(parse_time))
    };
    Ok(JournaledTrader {
        name: row.get(0)?,
        email: row.get(1)?,
        account_name: row.get(2)?,
        user_id: row.get(3)?,
        contact_done: row.get::<_, i64>(4)? != 0,
        account_id: row.get(5)?,
        trading_permission_id: row.get(6)?,
        agreement_signed_at: time(7)?,
        entitled_at: time(8)?,
        revoked_at: time(9)?,
        cancelled_at: time(10)?,
        last_error: row.get(11)?,
        error_stage: row.get(12)?,
        updated_at: time(13)?,
    })
}

fn parse_time(text: String) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(&text).ok().map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intents_stay_open_until_settled() {
        let journal = Journal::in_memory("sandbox").unwrap();
        journal.upsert_trader("alice", "a@x.com", "EVAL1").unwrap();
        let ids = journal.begin(&["alice"], Action::CreateUser).unwrap();
        assert_eq!(journal.open_intents().unwrap().len(), 1);
        journal.finish(&ids, IntentOutcome::Unknown, None).unwrap();
        assert_eq!(journal.open_intents().unwrap()[0].action, Action::CreateUser);
        journal.finish(&ids, IntentOutcome::Done, None).unwrap();
        assert!(journal.open_intents().unwrap().is_empty());
    }

    #[test]
    fn progress_survives_reopening_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite");
        {
            let journal = Journal::open(&path, "staging").unwrap();
            journal.upsert_trader("bob", "b@x.com", "EVAL2").unwrap();
            journal.record_user("bob", 42).unwrap();
            journal.record_error("bob", "Contact info", "State is required").unwrap();
        }
        let journal = Journal::open(&path, "staging").unwrap();
        let bob = journal.trader("bob").unwrap().unwrap();
        assert_eq!(bob.user_id, Some(42));
        assert_eq!(bob.last_error.as_deref(), Some("State is required"));
        journal.record_contact("bob").unwrap();
        assert_eq!(journal.trader("bob").unwrap().unwrap().last_error, None);
        assert_eq!(journal.trader_by_user_id(42).unwrap().unwrap().name, "bob");
        // Environments are separate.
        assert!(Journal::open(&path, "production").unwrap().trader("bob").unwrap().is_none());
        assert_eq!(journal.history("bob").unwrap().len(), 3);
    }

    #[test]
    fn stamps_are_set_once() {
        let journal = Journal::in_memory("sandbox").unwrap();
        journal.upsert_trader("carol", "c@x.com", "EVAL3").unwrap();
        assert!(journal.record_entitled("carol", Utc::now()).unwrap());
        assert!(!journal.record_entitled("carol", Utc::now()).unwrap());
    }
}
