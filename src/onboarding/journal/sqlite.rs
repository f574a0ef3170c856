//! The SQLite journal: one file on this computer (the default), or memory (the Sandbox's).

use super::author::Author;
use super::{
    Action, Copied, HistoryEntry, IntentOutcome, JournalError, JournalResult, JournalStore, JournaledTrader,
    OpenIntent, Progress, RunGuard, Stamp, TRADER_COLUMNS, TeamHistoryLine, TraderExport, UnsettledIntent,
};
use crate::onboarding::claims::{Exclusive, in_flight, interval_wait};
use crate::onboarding::run_lock::{RunHolder, try_lock_file};
use crate::onboarding::watcher::{WatcherHeartbeat, WatcherState};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// The tables as first released; [`MIGRATIONS`] changes them from there.
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
CREATE TABLE IF NOT EXISTS marks (
    environment TEXT NOT NULL,
    what TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (environment, what)
);
";

/// Changes to [`SCHEMA`]'s tables, one per `PRAGMA user_version`; applied in order to
/// new and old files alike, never edited once released.
const MIGRATIONS: &[&str] = &[
    // 1: who wrote each line of history (old lines keep NULL: unknown).
    "ALTER TABLE history ADD COLUMN by_user TEXT; ALTER TABLE history ADD COLUMN by_host TEXT;",
    // 2: the team's history, newest first, without reading every line.
    "CREATE INDEX IF NOT EXISTS history_by_time ON history (environment, at, id);",
    // 3: the firm (Tradovate organization) each environment key belongs to (journal/firm.rs).
    "CREATE TABLE IF NOT EXISTS firms (environment TEXT PRIMARY KEY, organization TEXT NOT NULL,
     bound_at TEXT NOT NULL, bound_by_user TEXT, bound_by_host TEXT);",
    // 4: the change feed (live board): every write to traders or history bumps its
    // environment's counter, in the writer's own transaction, whichever process wrote.
    CHANGE_FEED_MIGRATION,
    // 5: the always-on watcher's heartbeat, one row per environment.
    "CREATE TABLE watcher_heartbeats (
        environment TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        os_user TEXT NOT NULL,
        pid INTEGER NOT NULL,
        state TEXT NOT NULL,
        reason TEXT,
        started_at TEXT NOT NULL,
        beat_at TEXT NOT NULL,
        last_signal_at TEXT,
        last_grant_at TEXT
    );",
];

// ---- Change feed (the live board, issue 14 item 4) ----

/// The counter and the triggers that bump it: one per table and kind of write, so a
/// write added later counts without anyone remembering to bump it. Safe to run twice (a
/// migration renumbered at a merge finds its work done).
const CHANGE_FEED_MIGRATION: &str = "
CREATE TABLE IF NOT EXISTS journal_changes (environment TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS traders_inserted_change AFTER INSERT ON traders BEGIN
    INSERT INTO journal_changes (environment, seq) VALUES (NEW.environment, 1)
    ON CONFLICT (environment) DO UPDATE SET seq = seq + 1; END;
CREATE TRIGGER IF NOT EXISTS traders_updated_change AFTER UPDATE ON traders BEGIN
    INSERT INTO journal_changes (environment, seq) VALUES (NEW.environment, 1)
    ON CONFLICT (environment) DO UPDATE SET seq = seq + 1; END;
CREATE TRIGGER IF NOT EXISTS traders_deleted_change AFTER DELETE ON traders BEGIN
    INSERT INTO journal_changes (environment, seq) VALUES (OLD.environment, 1)
    ON CONFLICT (environment) DO UPDATE SET seq = seq + 1; END;
CREATE TRIGGER IF NOT EXISTS history_inserted_change AFTER INSERT ON history BEGIN
    INSERT INTO journal_changes (environment, seq) VALUES (NEW.environment, 1)
    ON CONFLICT (environment) DO UPDATE SET seq = seq + 1; END;
CREATE TRIGGER IF NOT EXISTS history_updated_change AFTER UPDATE ON history BEGIN
    INSERT INTO journal_changes (environment, seq) VALUES (NEW.environment, 1)
    ON CONFLICT (environment) DO UPDATE SET seq = seq + 1; END;
CREATE TRIGGER IF NOT EXISTS history_deleted_change AFTER DELETE ON history BEGIN
    INSERT INTO journal_changes (environment, seq) VALUES (OLD.environment, 1)
    ON CONFLICT (environment) DO UPDATE SET seq = seq + 1; END;
";

impl SqliteStore {
    fn read_change_mark(&self, environment: &str) -> JournalResult<i64> {
        let connection = self.lock();
        let mut query = connection.prepare_cached("SELECT seq FROM journal_changes WHERE environment = ?1")?;
        Ok(query.query_row(params![environment], |row| row.get(0)).optional()?.unwrap_or(0))
    }

    /// The newest line per trader: the (environment, name) index holds the ids, so the
    /// inner query never reads the table.
    fn read_latest_history(&self, environment: &str) -> JournalResult<Vec<(String, HistoryEntry)>> {
        let connection = self.lock();
        let mut query = connection.prepare_cached(
            "SELECT history.name, at, what, by_user, by_host FROM history
             JOIN (SELECT MAX(id) AS id FROM history WHERE environment = ?1 GROUP BY name) AS latest
             ON history.id = latest.id",
        )?;
        let rows = query.query_map(params![environment], |row| {
            Ok((
                row.get(0)?,
                HistoryEntry {
                    at: parse_time(row.get::<_, String>(1)?).unwrap_or_default(),
                    what: row.get(2)?,
                    by: Author::stored(row.get(3)?, row.get(4)?),
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Brings the file's tables up to the newest version, in one transaction.
fn migrate(connection: &mut Connection) -> rusqlite::Result<()> {
    let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    for migration in MIGRATIONS.iter().skip(usize::try_from(current).unwrap_or(0)) {
        tx.execute_batch(migration)?;
    }
    let newest = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    if current < newest {
        tx.pragma_update(None, "user_version", newest)?;
    }
    tx.commit()
}

const INSERT_HISTORY: &str =
    "INSERT INTO history (environment, name, at, what, by_user, by_host) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

pub(super) struct SqliteStore {
    connection: Mutex<Connection>,
    /// The file, or `None` in memory (nothing to share, no OS lock).
    path: Option<PathBuf>,
}

impl SqliteStore {
    pub(super) fn open(path: &Path) -> JournalResult<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| JournalError::new(format!("cannot create {}: {e}", dir.display())))?;
        }
        let connection = Connection::open(path)?;
        // WAL: a killed process loses nothing that was committed, and readers don't block.
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.busy_timeout(Duration::from_secs(5))?;
        Self::with_connection(connection, Some(path.to_path_buf()))
    }

    pub(super) fn in_memory() -> JournalResult<Self> {
        Self::with_connection(Connection::open_in_memory()?, None)
    }

    fn with_connection(mut connection: Connection, path: Option<PathBuf>) -> JournalResult<Self> {
        connection.execute_batch(SCHEMA)?;
        migrate(&mut connection)?;
        Ok(Self { connection: Mutex::new(connection), path })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.connection.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Traders of `environment` matching `filter` (on `?2`, when given), oldest first.
    fn read_traders(
        &self,
        environment: &str,
        filter: Option<(&str, &dyn rusqlite::ToSql)>,
    ) -> JournalResult<Vec<JournaledTrader>> {
        let connection = self.lock();
        let condition = filter.map(|(condition, _)| format!("AND {condition}")).unwrap_or_default();
        let mut query = connection.prepare_cached(&format!(
            "SELECT {TRADER_COLUMNS} FROM traders WHERE environment = ?1 {condition} ORDER BY rowid"
        ))?;
        let rows = match filter {
            Some((_, value)) => query.query_map(params![environment, value], read_trader)?,
            None => query.query_map(params![environment], read_trader)?,
        };
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl JournalStore for SqliteStore {
    fn shared(&self) -> bool {
        self.path.is_some()
    }

    fn take_run_lock(&self, environment: &str) -> JournalResult<Option<RunGuard>> {
        let Some(path) = &self.path else { return Ok(Some(Box::new(()))) };
        Ok(try_lock_file(path, environment).map_err(JournalError::new)?.map(|file| Box::new(file) as RunGuard))
    }

    fn run_holder(&self, environment: &str) -> JournalResult<Option<RunHolder>> {
        let connection = self.lock();
        let mut query =
            connection.prepare_cached("SELECT pid, program, host, since FROM run_holders WHERE environment = ?1")?;
        let row = query
            .query_row(params![environment], |row| {
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

    fn set_run_holder(&self, environment: &str, holder: &RunHolder) -> JournalResult<()> {
        self.lock().execute(
            "INSERT OR REPLACE INTO run_holders (environment, pid, program, host, since) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![environment, holder.pid, holder.program, holder.host, holder.since.to_rfc3339()],
        )?;
        Ok(())
    }

    fn clear_run_holder(&self, environment: &str, pid: u32) -> JournalResult<()> {
        self.lock()
            .execute("DELETE FROM run_holders WHERE environment = ?1 AND pid = ?2", params![environment, pid])?;
        Ok(())
    }

    fn begin(&self, environment: &str, names: &[&str], action: Action) -> JournalResult<Vec<i64>> {
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        let now = Utc::now().to_rfc3339();
        let mut ids = Vec::with_capacity(names.len());
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO intents (environment, name, action, started_at) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for name in names {
                insert.execute(params![environment, name, action.key(), now])?;
                ids.push(tx.last_insert_rowid());
            }
        }
        tx.commit()?;
        Ok(ids)
    }

    fn finish(&self, intents: &[i64], outcome: IntentOutcome, detail: Option<&str>) -> JournalResult<()> {
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

    fn open_intents(&self, environment: &str) -> JournalResult<Vec<OpenIntent>> {
        let connection = self.lock();
        let mut query = connection.prepare_cached(
            "SELECT id, name, action FROM intents WHERE environment = ?1 AND finished_at IS NULL ORDER BY id",
        )?;
        let rows = query.query_map(params![environment], |row| {
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

    fn upsert_trader(&self, environment: &str, name: &str, email: &str, account_name: &str) -> JournalResult<()> {
        self.lock().execute(
            "INSERT INTO traders (environment, name, email, account_name, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (environment, name) DO UPDATE SET email = excluded.email, account_name = excluded.account_name",
            params![environment, name, email, account_name, Utc::now().to_rfc3339()],
        )?;
        Ok(())
    }

    fn record_progress(&self, environment: &str, name: &str, progress: Progress, by: &Author) -> JournalResult<()> {
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        let now = Utc::now().to_rfc3339();
        const CLEARS_ERROR: &str = "last_error = NULL, error_stage = NULL, updated_at = ?3";
        const WHERE: &str = "WHERE environment = ?1 AND name = ?2";
        match progress {
            Progress::User(user_id) => tx.execute(
                &format!("UPDATE traders SET user_id = ?4, {CLEARS_ERROR} {WHERE}"),
                params![environment, name, now, user_id],
            )?,
            Progress::Contact => tx.execute(
                &format!("UPDATE traders SET contact_done = 1, {CLEARS_ERROR} {WHERE}"),
                params![environment, name, now],
            )?,
            Progress::Account { account_id, trading_permission_id } => tx.execute(
                &format!("UPDATE traders SET account_id = ?4, trading_permission_id = ?5, {CLEARS_ERROR} {WHERE}"),
                params![environment, name, now, account_id, trading_permission_id],
            )?,
        };
        tx.execute(INSERT_HISTORY, params![environment, name, now, progress.history_text(), by.user, by.host])?;
        tx.commit()?;
        Ok(())
    }

    fn stamp_once(
        &self,
        environment: &str,
        name: &str,
        stamp: Stamp,
        at: DateTime<Utc>,
        by: &Author,
    ) -> JournalResult<bool> {
        let column = stamp.column();
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        let changed = tx.execute(
            &format!(
                "UPDATE traders SET {column} = ?3, updated_at = ?3 WHERE environment = ?1 AND name = ?2 AND {column} IS NULL"
            ),
            params![environment, name, at.to_rfc3339()],
        )?;
        if changed > 0 {
            tx.execute(
                INSERT_HISTORY,
                params![environment, name, at.to_rfc3339(), stamp.history_text(), by.user, by.host],
            )?;
        }
        tx.commit()?;
        Ok(changed > 0)
    }

    fn clear_error(&self, environment: &str, name: &str) -> JournalResult<()> {
        self.lock().execute(
            "UPDATE traders SET last_error = NULL, error_stage = NULL WHERE environment = ?1 AND name = ?2",
            params![environment, name],
        )?;
        Ok(())
    }

    fn record_history(&self, environment: &str, name: &str, what: &str, by: &Author) -> JournalResult<()> {
        self.lock()
            .execute(INSERT_HISTORY, params![environment, name, Utc::now().to_rfc3339(), what, by.user, by.host])?;
        Ok(())
    }

    fn record_error(&self, environment: &str, name: &str, stage: &str, error: &str, by: &Author) -> JournalResult<()> {
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        let now = Utc::now().to_rfc3339();
        tx.execute(
            "UPDATE traders SET last_error = ?3, error_stage = ?4, updated_at = ?5 WHERE environment = ?1 AND name = ?2",
            params![environment, name, error, stage, now],
        )?;
        tx.execute(
            INSERT_HISTORY,
            params![environment, name, now, format!("{stage} failed: {error}"), by.user, by.host],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn trader(&self, environment: &str, name: &str) -> JournalResult<Option<JournaledTrader>> {
        Ok(self.read_traders(environment, Some(("name = ?2", &name)))?.into_iter().next())
    }

    fn trader_by_user_id(&self, environment: &str, user_id: i64) -> JournalResult<Option<JournaledTrader>> {
        Ok(self.read_traders(environment, Some(("user_id = ?2", &user_id)))?.into_iter().next())
    }

    fn traders(&self, environment: &str) -> JournalResult<Vec<JournaledTrader>> {
        self.read_traders(environment, None)
    }

    fn history(&self, environment: &str, name: &str) -> JournalResult<Vec<HistoryEntry>> {
        let connection = self.lock();
        let mut query = connection.prepare_cached(
            "SELECT at, what, by_user, by_host FROM history WHERE environment = ?1 AND name = ?2 ORDER BY id",
        )?;
        let rows = query.query_map(params![environment, name], |row| {
            Ok(HistoryEntry {
                at: parse_time(row.get::<_, String>(0)?).unwrap_or_default(),
                what: row.get(1)?,
                by: Author::stored(row.get(2)?, row.get(3)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn begin_exclusive(
        &self,
        environment: &str,
        name: &str,
        action: Action,
        now: DateTime<Utc>,
        in_flight_for: Duration,
    ) -> JournalResult<Exclusive> {
        let mut connection = self.lock();
        // IMMEDIATE: two processes sharing the file cannot both pass the check.
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let open: Vec<(i64, String)> = {
            let mut query = tx.prepare_cached(
                "SELECT id, started_at FROM intents
                 WHERE environment = ?1 AND name = ?2 AND action = ?3 AND finished_at IS NULL ORDER BY id",
            )?;
            let rows = query.query_map(params![environment, name, action.key()], |row| Ok((row.get(0)?, row.get(1)?)));
            rows?.collect::<Result<_, _>>()?
        };
        let started: Vec<DateTime<Utc>> = open.iter().filter_map(|(_, at)| parse_time(at.clone())).collect();
        if in_flight(&started, now, in_flight_for) {
            return Ok(Exclusive::InFlight);
        }
        tx.execute(
            "INSERT INTO intents (environment, name, action, started_at) VALUES (?1, ?2, ?3, ?4)",
            params![environment, name, action.key(), now.to_rfc3339()],
        )?;
        let intent = tx.last_insert_rowid();
        tx.commit()?;
        Ok(Exclusive::Started { intent, interrupted: open.into_iter().map(|(id, _)| id).collect() })
    }

    fn claim_interval(
        &self,
        environment: &str,
        what: &str,
        now: DateTime<Utc>,
        interval: Duration,
    ) -> JournalResult<Result<(), Duration>> {
        let mut connection = self.lock();
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let last: Option<String> = tx
            .query_row("SELECT at FROM marks WHERE environment = ?1 AND what = ?2", params![environment, what], |row| {
                row.get(0)
            })
            .optional()?;
        if let Some(wait) = interval_wait(last.and_then(parse_time), now, interval) {
            return Ok(Err(wait));
        }
        tx.execute(
            "INSERT INTO marks (environment, what, at) VALUES (?1, ?2, ?3)
             ON CONFLICT (environment, what) DO UPDATE SET at = excluded.at",
            params![environment, what, now.to_rfc3339()],
        )?;
        tx.commit()?;
        Ok(Ok(()))
    }

    // --- The team's audit trail (issue 14, item 6) ---
    fn team_history(
        &self,
        environment: &str,
        since: Option<DateTime<Utc>>,
        limit: usize,
    ) -> JournalResult<Vec<TeamHistoryLine>> {
        let connection = self.lock();
        // `at` is RFC 3339 in UTC (`+00:00`), so text order is time order.
        let since = since.map(|at| at.to_rfc3339()).unwrap_or_default();
        let mut query = connection.prepare_cached(
            "SELECT name, at, what, by_user, by_host FROM history WHERE environment = ?1 AND at >= ?2
             ORDER BY at DESC, id DESC LIMIT ?3",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = query.query_map(params![environment, since, limit], |row| {
            Ok(TeamHistoryLine {
                trader: row.get(0)?,
                at: parse_time(row.get::<_, String>(1)?).unwrap_or_default(),
                what: row.get(2)?,
                by: Author::stored(row.get(3)?, row.get(4)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    // The firm an environment key belongs to (journal/firm.rs).
    fn bind_firm(&self, environment: &str, organization: &str, by: &Author) -> JournalResult<String> {
        let mut connection = self.lock();
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT OR IGNORE INTO firms (environment, organization, bound_at, bound_by_user, bound_by_host)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![environment, organization, Utc::now().to_rfc3339(), by.user, by.host],
        )?;
        let bound: String =
            tx.query_row("SELECT organization FROM firms WHERE environment = ?1", params![environment], |row| {
                row.get(0)
            })?;
        tx.commit()?;
        Ok(bound)
    }

    // ---- Change feed (the live board, issue 14 item 4) ----
    fn change_mark(&self, environment: &str) -> JournalResult<i64> {
        self.read_change_mark(environment)
    }

    fn latest_history(&self, environment: &str) -> JournalResult<Vec<(String, HistoryEntry)>> {
        self.read_latest_history(environment)
    }

    // --- The always-on watcher (`propdesk watch`, see `onboarding::watcher`) ---
    fn take_watcher_lock(&self, environment: &str) -> JournalResult<Option<RunGuard>> {
        let Some(path) = &self.path else { return Ok(Some(Box::new(()))) };
        // A lock file of its own beside the run lock's: a run and the watcher work side by side.
        let key = format!("watcher {environment}");
        Ok(try_lock_file(path, &key).map_err(JournalError::new)?.map(|file| Box::new(file) as RunGuard))
    }

    fn write_watcher_heartbeat(&self, environment: &str, beat: &WatcherHeartbeat) -> JournalResult<()> {
        let (state, reason) = beat.state.to_stored();
        let time = |at: Option<DateTime<Utc>>| at.map(|at| at.to_rfc3339());
        self.lock().execute(
            "INSERT OR REPLACE INTO watcher_heartbeats (environment, host, os_user, pid, state, reason, started_at,
                 beat_at, last_signal_at, last_grant_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                environment,
                beat.host,
                beat.user,
                beat.pid,
                state,
                reason,
                beat.started_at.to_rfc3339(),
                beat.beat_at.to_rfc3339(),
                time(beat.last_signal_at),
                time(beat.last_grant_at)
            ],
        )?;
        Ok(())
    }

    fn watcher_heartbeat(&self, environment: &str) -> JournalResult<Option<WatcherHeartbeat>> {
        let connection = self.lock();
        let mut query = connection.prepare_cached(
            "SELECT host, os_user, pid, state, reason, started_at, beat_at, last_signal_at, last_grant_at
             FROM watcher_heartbeats WHERE environment = ?1",
        )?;
        let time = |text: Option<String>| text.and_then(parse_time);
        Ok(query
            .query_row(params![environment], |row| {
                Ok(WatcherHeartbeat {
                    host: row.get(0)?,
                    user: row.get(1)?,
                    pid: u32::try_from(row.get::<_, i64>(2)?).unwrap_or_default(),
                    state: WatcherState::from_stored(&row.get::<_, String>(3)?, row.get(4)?),
                    started_at: time(row.get(5)?).unwrap_or_default(),
                    beat_at: time(row.get(6)?).unwrap_or_default(),
                    last_signal_at: time(row.get(7)?),
                    last_grant_at: time(row.get(8)?),
                })
            })
            .optional()?)
    }

    // ---- Moving a journal into another ----

    fn environment_keys(&self) -> JournalResult<Vec<String>> {
        let connection = self.lock();
        let mut query = connection.prepare_cached("SELECT DISTINCT environment FROM traders ORDER BY environment")?;
        let rows = query.query_map([], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn export_traders(&self, environment: &str) -> JournalResult<Vec<TraderExport>> {
        let traders = self.read_traders(environment, None)?;
        let mut open: std::collections::HashMap<String, Vec<UnsettledIntent>> = std::collections::HashMap::new();
        {
            let connection = self.lock();
            let mut query = connection.prepare_cached(
                "SELECT name, action, started_at FROM intents WHERE environment = ?1 AND finished_at IS NULL ORDER BY id",
            )?;
            let rows = query.query_map(params![environment], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?))
            })?;
            for row in rows {
                let (name, action, started_at) = row?;
                if let (Some(action), Some(started_at)) = (Action::from_key(&action), parse_time(started_at)) {
                    open.entry(name).or_default().push(UnsettledIntent { action, started_at });
                }
            }
        }
        TraderExport::assemble(traders, open, |name| self.history(environment, name))
    }

    fn bound_firm(&self, environment: &str) -> JournalResult<Option<String>> {
        let connection = self.lock();
        let firm = connection
            .query_row("SELECT organization FROM firms WHERE environment = ?1", params![environment], |row| row.get(0))
            .optional()?;
        Ok(firm)
    }

    fn import_traders(&self, environment: &str, traders: &[TraderExport]) -> JournalResult<Copied> {
        let mut connection = self.lock();
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut copied = Copied::default();
        let time = |t: Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339());
        for TraderExport { trader: t, history, open_intents } in traders {
            let inserted = tx.execute(
                &format!(
                    "INSERT OR IGNORE INTO traders (environment, {TRADER_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
                ),
                params![
                    environment,
                    t.name,
                    t.email,
                    t.account_name,
                    t.user_id,
                    t.contact_done,
                    t.account_id,
                    t.trading_permission_id,
                    time(t.agreement_signed_at),
                    time(t.entitled_at),
                    time(t.revoked_at),
                    time(t.cancelled_at),
                    t.last_error,
                    t.error_stage,
                    t.updated_at.unwrap_or_else(Utc::now).to_rfc3339(),
                ],
            )?;
            if inserted == 0 {
                continue;
            }
            for line in history {
                let (user, host) = line.by.to_stored();
                tx.execute(INSERT_HISTORY, params![environment, t.name, line.at.to_rfc3339(), line.what, user, host])?;
            }
            for intent in open_intents {
                tx.execute(
                    "INSERT INTO intents (environment, name, action, started_at) VALUES (?1, ?2, ?3, ?4)",
                    params![environment, t.name, intent.action.key(), intent.started_at.to_rfc3339()],
                )?;
            }
            copied.traders += 1;
            copied.history_lines += history.len();
            copied.open_intents += open_intents.len();
        }
        tx.commit()?;
        Ok(copied)
    }
}

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
