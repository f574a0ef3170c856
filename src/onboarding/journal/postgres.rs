//! The team journal: the same tables in a PostgreSQL database several admins share.
//!
//! The connection (its thread, reconnecting after a lost connection, the migration
//! runner) is [`TeamDatabase`]'s, shared with the subaccount registry. Migrations are
//! versioned in `schema_version`. Every row carries the environment key, so Staging and
//! Production never mix in one database.
//!
//! A run's lock is a session advisory lock: it goes with the connection. When the
//! connection is lost while a run holds it, every call of this journal fails (a clear
//! [`JournalError`]) until the run lets go of its lock, so the run stops writing instead
//! of carrying on unlocked beside a run that may have taken the lock meanwhile.

use super::author::Author;
use super::{
    Action, Copied, HistoryEntry, IntentOutcome, JournalError, JournalResult, JournalStore, JournaledTrader,
    OpenIntent, Progress, RunGuard, Stamp, TRADER_COLUMNS, TeamHistoryLine, TraderExport, UnsettledIntent,
};
use crate::api::Secret;
use crate::onboarding::claims::{Exclusive, in_flight, interval_wait};
use crate::onboarding::run_lock::RunHolder;
use crate::onboarding::watcher::{WatcherHeartbeat, WatcherState};
use crate::store::team_database::{
    JobError, LOCK_SPACE, Migrations, TeamDatabase, TeamDatabaseHandle, Unavailable, config_of, host_and_port, tls,
};
use chrono::{DateTime, Utc};
use postgres::{Client, GenericClient, Row};
use std::time::Duration;

pub use crate::store::team_database::{is_postgres_url, redact_url, split_password};

/// `host/database` of a team journal's URL, to say which one is in use.
pub fn team_journal_name(url: &str) -> String {
    match url.trim().parse::<postgres::Config>() {
        Ok(config) => {
            let address = host_and_port(&config);
            let host = address.strip_suffix(":5432").unwrap_or(&address);
            format!("{host}/{}", config.get_dbname().or(config.get_user()).unwrap_or("postgres"))
        }
        Err(_) => redact_url(url),
    }
}

// ---- "Test connection" (Setup → Team journal) ----

/// What "Test connection" found on a reachable server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerSummary {
    /// The major version, e.g. 15.
    pub version: u32,
    /// `host` (or `host:port` when not 5432), for the sentence.
    pub host: String,
    /// Environment keys with traders, and traders in all (0 on a database Propdesk has
    /// not used yet: the tables are created on first use).
    pub environments: usize,
    pub traders: usize,
}

impl std::fmt::Display for ServerSummary {
    /// "Connected to PostgreSQL 15 on db.example: 2 environments, 130 traders".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        write!(f, "Connected to PostgreSQL {} on {}: ", self.version, self.host)?;
        if self.environments == 0 && self.traders == 0 {
            return f.write_str("no traders yet (Propdesk creates its tables on first use)");
        }
        write!(f, "{}, {}", plural(self.environments, "environment"), plural(self.traders, "trader"))
    }
}

/// Why "Test connection" failed, in words an admin can act on. Never holds the password.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConnectFailure {
    #[error("not a PostgreSQL address: {0}")]
    BadAddress(String),
    #[error("cannot reach {0}: check the address and port, and that this computer may connect to it")]
    Unreachable(String),
    #[error("wrong user or password for {0}")]
    WrongPassword(String),
    #[error("the database {0:?} does not exist on the server")]
    NoDatabase(String),
    #[error("the server requires an encrypted connection: add ?sslmode=require to the address")]
    TlsRequired,
    #[error("the encrypted connection failed: {0}")]
    Tls(String),
    #[error("the server refused the connection: {0}")]
    Refused(String),
}

/// Connects once (without creating tables) and counts what the team journal holds.
/// Blocking: run it off the UI thread.
pub fn test_connection(url: &str, password: Option<&Secret>) -> Result<ServerSummary, ConnectFailure> {
    let config = config_of(url.trim(), password).map_err(|e| ConnectFailure::BadAddress(e.to_string()))?;
    let address = host_and_port(&config);
    let database = config.get_dbname().or(config.get_user()).unwrap_or("postgres").to_string();
    // Its own thread: the blocking client must not run inside the window's runtime.
    std::thread::spawn(move || {
        let mut client = config.connect(tls()).map_err(|e| classify(&e, &address, &database))?;
        let summary = |client: &mut Client| -> Result<(u32, i64, i64), postgres::Error> {
            let version: i32 = client.query_one("SELECT current_setting('server_version_num')::int", &[])?.get(0);
            let exists: bool = client.query_one("SELECT to_regclass('traders') IS NOT NULL", &[])?.get(0);
            let (environments, traders) = if exists {
                let row = client.query_one("SELECT count(DISTINCT environment), count(*) FROM traders", &[])?;
                (row.get(0), row.get(1))
            } else {
                (0, 0)
            };
            Ok((u32::try_from(version / 10_000).unwrap_or_default(), environments, traders))
        };
        let (version, environments, traders) =
            summary(&mut client).map_err(|e| ConnectFailure::Refused(short_reason(&e)))?;
        let host = address.strip_suffix(":5432").unwrap_or(&address).to_string();
        Ok(ServerSummary {
            version,
            host,
            environments: usize::try_from(environments).unwrap_or_default(),
            traders: usize::try_from(traders).unwrap_or_default(),
        })
    })
    .join()
    .unwrap_or_else(|_| Err(ConnectFailure::Refused("the connection test stopped unexpectedly".into())))
}

/// Sorts a connect error into what the admin should fix (SQLSTATE codes from the
/// PostgreSQL manual, appendix A).
fn classify(error: &postgres::Error, address: &str, database: &str) -> ConnectFailure {
    if let Some(db) = error.as_db_error() {
        return match db.code().code() {
            "28P01" => ConnectFailure::WrongPassword(address.to_string()),
            "3D000" => ConnectFailure::NoDatabase(database.to_string()),
            // pg_hba.conf allows this user only over TLS ("hostssl"): "no encryption".
            "28000" if db.message().contains("no encryption") => ConnectFailure::TlsRequired,
            "28000" => ConnectFailure::WrongPassword(address.to_string()),
            _ => ConnectFailure::Refused(db.message().to_string()),
        };
    }
    let text = error.to_string();
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(cause) = source {
        if cause.is::<std::io::Error>() {
            return ConnectFailure::Unreachable(address.to_string());
        }
        if cause.is::<rustls::Error>() {
            return ConnectFailure::Tls(cause.to_string());
        }
        source = cause.source();
    }
    if text.contains("timeout") || text.contains("timed out") {
        ConnectFailure::Unreachable(address.to_string())
    } else if text.contains("TLS") || text.contains("tls") {
        ConnectFailure::Tls(text)
    } else if text.contains("password") {
        // "password missing": the server asked for one and none was given.
        ConnectFailure::WrongPassword(address.to_string())
    } else {
        ConnectFailure::Refused(text)
    }
}

/// The first line of an error, without the client's "db error: " prefix.
fn short_reason(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => db.message().to_string(),
        None => error.to_string().lines().next().unwrap_or_default().to_string(),
    }
}

/// The schema, one entry per version; applied in order, never edited once released.
const MIGRATIONS: &[&str] = &[
    "
CREATE TABLE traders (
    environment TEXT NOT NULL,
    name TEXT NOT NULL,
    seq BIGSERIAL,
    email TEXT NOT NULL DEFAULT '',
    account_name TEXT NOT NULL DEFAULT '',
    user_id BIGINT,
    contact_done BOOLEAN NOT NULL DEFAULT FALSE,
    account_id BIGINT,
    trading_permission_id BIGINT,
    agreement_signed_at TIMESTAMPTZ,
    entitled_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    cancelled_at TIMESTAMPTZ,
    last_error TEXT,
    error_stage TEXT,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (environment, name)
);
CREATE INDEX traders_by_user ON traders (environment, user_id);
CREATE TABLE intents (
    id BIGSERIAL PRIMARY KEY,
    environment TEXT NOT NULL,
    name TEXT NOT NULL,
    action TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    outcome TEXT,
    detail TEXT
);
CREATE INDEX open_intents ON intents (environment, name, action) WHERE finished_at IS NULL;
CREATE TABLE history (
    id BIGSERIAL PRIMARY KEY,
    environment TEXT NOT NULL,
    name TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    what TEXT NOT NULL
);
CREATE INDEX history_by_name ON history (environment, name);
CREATE TABLE run_holders (
    environment TEXT PRIMARY KEY,
    pid BIGINT NOT NULL,
    program TEXT NOT NULL,
    host TEXT NOT NULL,
    since TIMESTAMPTZ NOT NULL
);
CREATE TABLE marks (
    environment TEXT NOT NULL,
    what TEXT NOT NULL,
    at TIMESTAMPTZ,
    PRIMARY KEY (environment, what)
);
",
    "
-- 2: who wrote each line of history (old lines keep NULL: unknown).
ALTER TABLE history ADD COLUMN by_user TEXT, ADD COLUMN by_host TEXT;
",
    "
-- 3: the team's history, newest first, without reading every line.
CREATE INDEX history_by_time ON history (environment, at DESC, id DESC);
",
    "
-- 4: the firm (Tradovate organization) each environment key belongs to (journal/firm.rs).
CREATE TABLE firms (environment TEXT PRIMARY KEY, organization TEXT NOT NULL,
    bound_at TIMESTAMPTZ NOT NULL, bound_by_user TEXT, bound_by_host TEXT);
",
    // 5: the change feed (live board).
    CHANGE_FEED_MIGRATION,
    "
-- 6: the always-on watcher's heartbeat, one row per environment.
CREATE TABLE watcher_heartbeats (
    environment TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    os_user TEXT NOT NULL,
    pid BIGINT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    started_at TIMESTAMPTZ NOT NULL,
    beat_at TIMESTAMPTZ NOT NULL,
    last_signal_at TIMESTAMPTZ,
    last_grant_at TIMESTAMPTZ
);
",
];

/// The journal's schema, versioned in `schema_version`.
static SCHEMA: Migrations = Migrations { version_table: "schema_version", lock: MIGRATION_LOCK, steps: MIGRATIONS };

// ---- Change feed (the live board, issue 14 item 4) ----

/// The counter every write to traders or history bumps, by triggers (a write added later
/// counts too), and the index the board's "latest change per trader" read walks.
///
/// Deferred to commit on purpose: the counter row is locked only for the commit itself,
/// never while a transaction still waits on other rows, so concurrent writers (two runs,
/// a watcher) cannot deadlock on it, and a rolled-back write never moves it. Safe to run
/// twice (a migration renumbered at a merge finds its work done).
const CHANGE_FEED_MIGRATION: &str = "
CREATE TABLE IF NOT EXISTS journal_changes (environment TEXT PRIMARY KEY, seq BIGINT NOT NULL);
CREATE OR REPLACE FUNCTION propdesk_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed TEXT;
BEGIN
    IF TG_OP = 'DELETE' THEN changed := OLD.environment; ELSE changed := NEW.environment; END IF;
    INSERT INTO journal_changes (environment, seq) VALUES (changed, 1)
    ON CONFLICT (environment) DO UPDATE SET seq = journal_changes.seq + 1;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS traders_change ON traders;
CREATE CONSTRAINT TRIGGER traders_change AFTER INSERT OR UPDATE OR DELETE ON traders
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION propdesk_note_change();
DROP TRIGGER IF EXISTS history_change ON history;
CREATE CONSTRAINT TRIGGER history_change AFTER INSERT OR UPDATE OR DELETE ON history
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION propdesk_note_change();
CREATE INDEX IF NOT EXISTS history_latest ON history (environment, name, id);
";

/// The second key of the migration lock; runs and grant claims use `hashtext` of the
/// schema and their key, so two schemas in one database never block each other.
const MIGRATION_LOCK: i32 = 0;

/// The first key of the watcher locks: a space of their own, so a watcher lock never
/// collides with a run lock or a grant claim of the same environment.
const WATCHER_LOCK_SPACE: i32 = 0x5052_4f57; // "PROW"

pub(super) struct PostgresStore {
    database: TeamDatabase,
}

impl PostgresStore {
    /// Connects (TLS when the server offers it, per the URL's `sslmode`) and migrates.
    /// A `password` given apart (from the keyring) wins over one in the URL.
    pub(super) fn connect(url: &str, password: Option<&Secret>) -> JournalResult<Self> {
        let database = TeamDatabase::connect(url, password, "team journal", &SCHEMA).map_err(JournalError::new)?;
        Ok(Self { database })
    }

    /// Runs `job` on the connection thread and waits for its answer.
    fn call<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Client) -> Result<T, postgres::Error> + Send + 'static,
    ) -> JournalResult<T> {
        self.database.call(move |session| job(session.client)).map_err(journal_error)
    }

    /// Runs `job` in one transaction.
    fn transaction<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut postgres::Transaction<'_>) -> Result<T, postgres::Error> + Send + 'static,
    ) -> JournalResult<T> {
        self.call(move |client| {
            let mut tx = client.transaction()?;
            let value = job(&mut tx)?;
            tx.commit()?;
            Ok(value)
        })
    }

    fn read_traders(&self, environment: &str, filter: Filter) -> JournalResult<Vec<JournaledTrader>> {
        let environment = environment.to_string();
        self.call(move |client| {
            let rows = match filter {
                Filter::All => client.query(
                    &format!("SELECT {TRADER_COLUMNS} FROM traders WHERE environment = $1 ORDER BY seq"),
                    &[&environment],
                )?,
                Filter::Name(name) => client.query(
                    &format!("SELECT {TRADER_COLUMNS} FROM traders WHERE environment = $1 AND name = $2"),
                    &[&environment, &name],
                )?,
                Filter::UserId(user_id) => client.query(
                    &format!(
                        "SELECT {TRADER_COLUMNS} FROM traders WHERE environment = $1 AND user_id = $2 ORDER BY seq"
                    ),
                    &[&environment, &user_id],
                )?,
            };
            Ok(rows.iter().map(read_trader).collect())
        })
    }
}

impl PostgresStore {
    /// A session advisory lock on (`space`, this schema and `environment`), held until
    /// the guard drops or the connection ends.
    fn try_advisory_lock(&self, space: i32, environment: &str) -> JournalResult<Option<RunGuard>> {
        let key = environment.to_string();
        // A hash collision between two environments only refuses a run (fails safe).
        let taken = self
            .database
            .call(move |session| {
                let taken: bool = session
                    .client
                    .query_one(
                        "SELECT pg_try_advisory_lock($1, hashtext(current_schema() || chr(31) || $2))",
                        &[&space, &key],
                    )?
                    .get(0);
                Ok(taken.then_some(session.generation))
            })
            .map_err(journal_error)?;
        // The lock lives on the connection it was taken on: remembered, so losing that
        // connection stops this store (see the module comment).
        Ok(taken.map(|generation| {
            let hold = self.database.hold(generation);
            Box::new(AdvisoryRunLock {
                database: self.database.handle(),
                hold,
                space,
                environment: environment.to_string(),
            }) as RunGuard
        }))
    }
}

enum Filter {
    All,
    Name(String),
    UserId(i64),
}

/// Releases the run's advisory lock when the run ends (the server also releases it
/// when the connection closes, however the process ends).
struct AdvisoryRunLock {
    database: TeamDatabaseHandle,
    hold: u64,
    /// [`LOCK_SPACE`] for runs, [`WATCHER_LOCK_SPACE`] for watchers.
    space: i32,
    environment: String,
}

impl Drop for AdvisoryRunLock {
    /// Waits for the unlock (a bounded while), so a run started right after this one
    /// ended, on any connection, finds the lock free.
    fn drop(&mut self) {
        let (environment, space) = (std::mem::take(&mut self.environment), self.space);
        self.database.release(self.hold, UNLOCK_WAIT, move |client| {
            let _ = client.execute(
                "SELECT pg_advisory_unlock($1, hashtext(current_schema() || chr(31) || $2))",
                &[&space, &environment],
            );
        });
    }
}

/// What a caller is told when the run lock went with a lost connection.
const RUN_LOCK_LOST: &str = "the team journal's connection was lost while this run held its run lock, so \
    the lock is gone and another run may have started: this run stops writing. Start it again to resume";

fn journal_error(error: JobError) -> JournalError {
    match error {
        JobError::Server(e) => JournalError::new(e.to_string()),
        JobError::Unavailable(Unavailable::LockLost) => JournalError::new(RUN_LOCK_LOST),
        JobError::Unavailable(Unavailable::Unreachable(message)) => JournalError::new(message),
    }
}

/// How long ending a run waits for the server to confirm the unlock; past it the lock
/// is released anyway when the connection closes.
const UNLOCK_WAIT: Duration = Duration::from_secs(5);

fn history_in(
    tx: &mut impl GenericClient,
    environment: &str,
    name: &str,
    at: DateTime<Utc>,
    what: &str,
    by: &Author,
) -> Result<u64, postgres::Error> {
    tx.execute(
        "INSERT INTO history (environment, name, at, what, by_user, by_host) VALUES ($1, $2, $3, $4, $5, $6)",
        &[&environment, &name, &at, &what, &by.user, &by.host],
    )
}

impl JournalStore for PostgresStore {
    fn shared(&self) -> bool {
        true
    }

    fn take_run_lock(&self, environment: &str) -> JournalResult<Option<RunGuard>> {
        self.try_advisory_lock(LOCK_SPACE, environment)
    }

    fn run_holder(&self, environment: &str) -> JournalResult<Option<RunHolder>> {
        let environment = environment.to_string();
        self.call(move |client| {
            let row = client.query_opt(
                "SELECT pid, program, host, since FROM run_holders WHERE environment = $1",
                &[&environment],
            )?;
            Ok(row.map(|row| RunHolder {
                pid: u32::try_from(row.get::<_, i64>(0)).unwrap_or_default(),
                program: row.get(1),
                host: row.get(2),
                since: row.get(3),
            }))
        })
    }

    fn set_run_holder(&self, environment: &str, holder: &RunHolder) -> JournalResult<()> {
        let (environment, holder) = (environment.to_string(), holder.clone());
        self.call(move |client| {
            client.execute(
                "INSERT INTO run_holders (environment, pid, program, host, since) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (environment) DO UPDATE SET pid = excluded.pid, program = excluded.program,
                 host = excluded.host, since = excluded.since",
                &[&environment, &i64::from(holder.pid), &holder.program, &holder.host, &holder.since],
            )?;
            Ok(())
        })
    }

    fn clear_run_holder(&self, environment: &str, pid: u32) -> JournalResult<()> {
        let environment = environment.to_string();
        self.call(move |client| {
            client.execute(
                "DELETE FROM run_holders WHERE environment = $1 AND pid = $2",
                &[&environment, &i64::from(pid)],
            )?;
            Ok(())
        })
    }

    fn begin(&self, environment: &str, names: &[&str], action: Action) -> JournalResult<Vec<i64>> {
        let environment = environment.to_string();
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        self.transaction(move |tx| {
            let now = Utc::now();
            let insert = tx.prepare(
                "INSERT INTO intents (environment, name, action, started_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )?;
            let mut ids = Vec::with_capacity(names.len());
            for name in &names {
                ids.push(tx.query_one(&insert, &[&environment, name, &action.key(), &now])?.get(0));
            }
            Ok(ids)
        })
    }

    fn finish(&self, intents: &[i64], outcome: IntentOutcome, detail: Option<&str>) -> JournalResult<()> {
        let intents = intents.to_vec();
        let detail = detail.map(str::to_string);
        self.call(move |client| {
            client.execute(
                "UPDATE intents SET finished_at = $1, outcome = $2, detail = $3 WHERE id = ANY($4)",
                &[&Utc::now(), &outcome.key(), &detail, &intents],
            )?;
            Ok(())
        })
    }

    fn open_intents(&self, environment: &str) -> JournalResult<Vec<OpenIntent>> {
        let environment = environment.to_string();
        self.call(move |client| {
            let rows = client.query(
                "SELECT id, name, action FROM intents WHERE environment = $1 AND finished_at IS NULL ORDER BY id",
                &[&environment],
            )?;
            Ok(rows
                .iter()
                .filter_map(|row| {
                    let action = Action::from_key(row.get(2))?;
                    Some(OpenIntent { id: row.get(0), name: row.get(1), action })
                })
                .collect())
        })
    }

    fn upsert_trader(&self, environment: &str, name: &str, email: &str, account_name: &str) -> JournalResult<()> {
        let values = [environment, name, email, account_name].map(str::to_string);
        self.call(move |client| {
            let [environment, name, email, account_name] = &values;
            client.execute(
                "INSERT INTO traders (environment, name, email, account_name, updated_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (environment, name) DO UPDATE SET email = excluded.email, account_name = excluded.account_name",
                &[environment, name, email, account_name, &Utc::now()],
            )?;
            Ok(())
        })
    }

    fn record_progress(&self, environment: &str, name: &str, progress: Progress, by: &Author) -> JournalResult<()> {
        let (environment, name, by) = (environment.to_string(), name.to_string(), by.clone());
        self.transaction(move |tx| {
            const CLEARS_ERROR: &str = "last_error = NULL, error_stage = NULL, updated_at = $3";
            const WHERE: &str = "WHERE environment = $1 AND name = $2";
            let now = Utc::now();
            match progress {
                Progress::User(user_id) => tx.execute(
                    &format!("UPDATE traders SET user_id = $4, {CLEARS_ERROR} {WHERE}"),
                    &[&environment, &name, &now, &user_id],
                )?,
                Progress::Contact => tx.execute(
                    &format!("UPDATE traders SET contact_done = TRUE, {CLEARS_ERROR} {WHERE}"),
                    &[&environment, &name, &now],
                )?,
                Progress::Account { account_id, trading_permission_id } => tx.execute(
                    &format!("UPDATE traders SET account_id = $4, trading_permission_id = $5, {CLEARS_ERROR} {WHERE}"),
                    &[&environment, &name, &now, &account_id, &trading_permission_id],
                )?,
            };
            history_in(tx, &environment, &name, now, &progress.history_text(), &by)?;
            Ok(())
        })
    }

    fn stamp_once(
        &self,
        environment: &str,
        name: &str,
        stamp: Stamp,
        at: DateTime<Utc>,
        by: &Author,
    ) -> JournalResult<bool> {
        let (environment, name, by) = (environment.to_string(), name.to_string(), by.clone());
        self.transaction(move |tx| {
            let column = stamp.column();
            let changed = tx.execute(
                &format!(
                    "UPDATE traders SET {column} = $3, updated_at = $3
                     WHERE environment = $1 AND name = $2 AND {column} IS NULL"
                ),
                &[&environment, &name, &at],
            )?;
            if changed > 0 {
                history_in(tx, &environment, &name, at, stamp.history_text(), &by)?;
            }
            Ok(changed > 0)
        })
    }

    fn clear_error(&self, environment: &str, name: &str) -> JournalResult<()> {
        let (environment, name) = (environment.to_string(), name.to_string());
        self.call(move |client| {
            client.execute(
                "UPDATE traders SET last_error = NULL, error_stage = NULL WHERE environment = $1 AND name = $2",
                &[&environment, &name],
            )?;
            Ok(())
        })
    }

    fn record_history(&self, environment: &str, name: &str, what: &str, by: &Author) -> JournalResult<()> {
        let values = [environment, name, what].map(str::to_string);
        let by = by.clone();
        self.call(move |client| {
            let [environment, name, what] = &values;
            history_in(client, environment, name, Utc::now(), what, &by)?;
            Ok(())
        })
    }

    fn record_error(&self, environment: &str, name: &str, stage: &str, error: &str, by: &Author) -> JournalResult<()> {
        let values = [environment, name, stage, error].map(str::to_string);
        let by = by.clone();
        self.transaction(move |tx| {
            let [environment, name, stage, error] = &values;
            let now = Utc::now();
            tx.execute(
                "UPDATE traders SET last_error = $3, error_stage = $4, updated_at = $5 WHERE environment = $1 AND name = $2",
                &[environment, name, error, stage, &now],
            )?;
            history_in(tx, environment, name, now, &format!("{stage} failed: {error}"), &by)?;
            Ok(())
        })
    }

    fn trader(&self, environment: &str, name: &str) -> JournalResult<Option<JournaledTrader>> {
        Ok(self.read_traders(environment, Filter::Name(name.to_string()))?.into_iter().next())
    }

    fn trader_by_user_id(&self, environment: &str, user_id: i64) -> JournalResult<Option<JournaledTrader>> {
        Ok(self.read_traders(environment, Filter::UserId(user_id))?.into_iter().next())
    }

    fn traders(&self, environment: &str) -> JournalResult<Vec<JournaledTrader>> {
        self.read_traders(environment, Filter::All)
    }

    fn history(&self, environment: &str, name: &str) -> JournalResult<Vec<HistoryEntry>> {
        let (environment, name) = (environment.to_string(), name.to_string());
        self.call(move |client| {
            let rows = client.query(
                "SELECT at, what, by_user, by_host FROM history WHERE environment = $1 AND name = $2 ORDER BY id",
                &[&environment, &name],
            )?;
            Ok(rows
                .iter()
                .map(|row| HistoryEntry {
                    at: row.get(0),
                    what: row.get(1),
                    by: Author::stored(row.get(2), row.get(3)),
                })
                .collect())
        })
    }

    fn begin_exclusive(
        &self,
        environment: &str,
        name: &str,
        action: Action,
        now: DateTime<Utc>,
        in_flight_for: Duration,
    ) -> JournalResult<Exclusive> {
        let (environment, name) = (environment.to_string(), name.to_string());
        self.call(move |client| {
            let mut tx = client.transaction()?;
            // Claimants of the same trader and action queue here, across processes.
            tx.execute(
                "SELECT pg_advisory_xact_lock($1, hashtext(current_schema() || chr(31) || $2 || chr(31) || $3 || chr(31) || $4))",
                &[&LOCK_SPACE, &environment, &name, &action.key()],
            )?;
            let open = tx.query(
                "SELECT id, started_at FROM intents
                 WHERE environment = $1 AND name = $2 AND action = $3 AND finished_at IS NULL ORDER BY id",
                &[&environment, &name, &action.key()],
            )?;
            let started: Vec<DateTime<Utc>> = open.iter().map(|row| row.get(1)).collect();
            if in_flight(&started, now, in_flight_for) {
                return Ok(Exclusive::InFlight);
            }
            let intent: i64 = tx
                .query_one(
                    "INSERT INTO intents (environment, name, action, started_at) VALUES ($1, $2, $3, $4) RETURNING id",
                    &[&environment, &name, &action.key(), &now],
                )?
                .get(0);
            tx.commit()?;
            Ok(Exclusive::Started { intent, interrupted: open.iter().map(|row| row.get(0)).collect() })
        })
    }

    fn claim_interval(
        &self,
        environment: &str,
        what: &str,
        now: DateTime<Utc>,
        interval: Duration,
    ) -> JournalResult<Result<(), Duration>> {
        let (environment, what) = (environment.to_string(), what.to_string());
        self.call(move |client| {
            let mut tx = client.transaction()?;
            // The row exists (empty) before it is locked, so claimants queue on its lock.
            tx.execute(
                "INSERT INTO marks (environment, what, at) VALUES ($1, $2, NULL) ON CONFLICT DO NOTHING",
                &[&environment, &what],
            )?;
            let last: Option<DateTime<Utc>> = tx
                .query_one(
                    "SELECT at FROM marks WHERE environment = $1 AND what = $2 FOR UPDATE",
                    &[&environment, &what],
                )?
                .get(0);
            if let Some(wait) = interval_wait(last, now, interval) {
                return Ok(Err(wait));
            }
            tx.execute("UPDATE marks SET at = $3 WHERE environment = $1 AND what = $2", &[&environment, &what, &now])?;
            tx.commit()?;
            Ok(Ok(()))
        })
    }

    // --- The team's audit trail (issue 14, item 6) ---
    fn team_history(
        &self,
        environment: &str,
        since: Option<DateTime<Utc>>,
        limit: usize,
    ) -> JournalResult<Vec<TeamHistoryLine>> {
        let environment = environment.to_string();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        // No line is older than 1970; one bound keeps the plan simple (an index range).
        let since = since.unwrap_or(DateTime::UNIX_EPOCH);
        self.call(move |client| {
            let rows = client.query(
                "SELECT name, at, what, by_user, by_host FROM history
                 WHERE environment = $1 AND at >= $2 ORDER BY at DESC, id DESC LIMIT $3",
                &[&environment, &since, &limit],
            )?;
            Ok(rows
                .iter()
                .map(|row| TeamHistoryLine {
                    trader: row.get(0),
                    at: row.get(1),
                    what: row.get(2),
                    by: Author::stored(row.get(3), row.get(4)),
                })
                .collect())
        })
    }

    // The firm an environment key belongs to (journal/firm.rs).
    fn bind_firm(&self, environment: &str, organization: &str, by: &Author) -> JournalResult<String> {
        let (environment, organization, by) = (environment.to_string(), organization.to_string(), by.clone());
        self.transaction(move |tx| {
            tx.execute(
                "INSERT INTO firms (environment, organization, bound_at, bound_by_user, bound_by_host)
                 VALUES ($1, $2, now(), $3, $4) ON CONFLICT (environment) DO NOTHING",
                &[&environment, &organization, &by.user, &by.host],
            )?;
            Ok(tx.query_one("SELECT organization FROM firms WHERE environment = $1", &[&environment])?.get(0))
        })
    }

    // ---- Change feed (the live board, issue 14 item 4) ----
    fn change_mark(&self, environment: &str) -> JournalResult<i64> {
        let environment = environment.to_string();
        self.call(move |client| {
            let row = client.query_opt("SELECT seq FROM journal_changes WHERE environment = $1", &[&environment])?;
            Ok(row.map_or(0, |row| row.get(0)))
        })
    }

    fn latest_history(&self, environment: &str) -> JournalResult<Vec<(String, HistoryEntry)>> {
        let environment = environment.to_string();
        self.call(move |client| {
            let rows = client.query(
                "SELECT DISTINCT ON (name) name, at, what, by_user, by_host FROM history
                 WHERE environment = $1 ORDER BY name, id DESC",
                &[&environment],
            )?;
            Ok(rows
                .iter()
                .map(|row| {
                    let entry =
                        HistoryEntry { at: row.get(1), what: row.get(2), by: Author::stored(row.get(3), row.get(4)) };
                    (row.get(0), entry)
                })
                .collect())
        })
    }

    // --- The always-on watcher (`propdesk watch`, see `onboarding::watcher`) ---
    fn take_watcher_lock(&self, environment: &str) -> JournalResult<Option<RunGuard>> {
        self.try_advisory_lock(WATCHER_LOCK_SPACE, environment)
    }

    fn write_watcher_heartbeat(&self, environment: &str, beat: &WatcherHeartbeat) -> JournalResult<()> {
        let (environment, beat) = (environment.to_string(), beat.clone());
        self.call(move |client| {
            let (state, reason) = beat.state.to_stored();
            client.execute(
                "INSERT INTO watcher_heartbeats (environment, host, os_user, pid, state, reason, started_at, beat_at,
                     last_signal_at, last_grant_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (environment) DO UPDATE SET host = excluded.host, os_user = excluded.os_user,
                     pid = excluded.pid, state = excluded.state, reason = excluded.reason,
                     started_at = excluded.started_at, beat_at = excluded.beat_at,
                     last_signal_at = excluded.last_signal_at, last_grant_at = excluded.last_grant_at",
                &[
                    &environment,
                    &beat.host,
                    &beat.user,
                    &i64::from(beat.pid),
                    &state,
                    &reason,
                    &beat.started_at,
                    &beat.beat_at,
                    &beat.last_signal_at,
                    &beat.last_grant_at,
                ],
            )?;
            Ok(())
        })
    }

    fn watcher_heartbeat(&self, environment: &str) -> JournalResult<Option<WatcherHeartbeat>> {
        let environment = environment.to_string();
        self.call(move |client| {
            let row = client.query_opt(
                "SELECT host, os_user, pid, state, reason, started_at, beat_at, last_signal_at, last_grant_at
                 FROM watcher_heartbeats WHERE environment = $1",
                &[&environment],
            )?;
            Ok(row.map(|row| WatcherHeartbeat {
                host: row.get(0),
                user: row.get(1),
                pid: u32::try_from(row.get::<_, i64>(2)).unwrap_or_default(),
                state: WatcherState::from_stored(row.get(3), row.get(4)),
                started_at: row.get(5),
                beat_at: row.get(6),
                last_signal_at: row.get(7),
                last_grant_at: row.get(8),
            }))
        })
    }

    // ---- Moving a journal into another ----

    fn environment_keys(&self) -> JournalResult<Vec<String>> {
        self.call(|client| {
            let rows = client.query("SELECT DISTINCT environment FROM traders ORDER BY environment", &[])?;
            Ok(rows.iter().map(|row| row.get(0)).collect())
        })
    }

    fn export_traders(&self, environment: &str) -> JournalResult<Vec<TraderExport>> {
        let traders = self.read_traders(environment, Filter::All)?;
        let key = environment.to_string();
        let open: Vec<(String, String, DateTime<Utc>)> = self.call(move |client| {
            let rows = client.query(
                "SELECT name, action, started_at FROM intents WHERE environment = $1 AND finished_at IS NULL ORDER BY id",
                &[&key],
            )?;
            Ok(rows.iter().map(|row| (row.get(0), row.get(1), row.get(2))).collect())
        })?;
        let mut open_by_name: std::collections::HashMap<String, Vec<UnsettledIntent>> = Default::default();
        for (name, action, started_at) in open {
            if let Some(action) = Action::from_key(&action) {
                open_by_name.entry(name).or_default().push(UnsettledIntent { action, started_at });
            }
        }
        TraderExport::assemble(traders, open_by_name, |name| self.history(environment, name))
    }

    fn bound_firm(&self, environment: &str) -> JournalResult<Option<String>> {
        let environment = environment.to_string();
        self.call(move |client| {
            let row = client.query_opt("SELECT organization FROM firms WHERE environment = $1", &[&environment])?;
            Ok(row.map(|row| row.get(0)))
        })
    }

    fn import_traders(&self, environment: &str, traders: &[TraderExport]) -> JournalResult<Copied> {
        let (environment, traders) = (environment.to_string(), traders.to_vec());
        self.transaction(move |tx| {
            // Prepared once, and a trader's history in one statement: over a network every
            // statement is a round trip (1,000 traders with 5,000 lines on loopback: 2.2 s one
            // statement a row, 0.4 s so).
            let insert_trader = tx.prepare(&format!(
                "INSERT INTO traders (environment, {TRADER_COLUMNS})
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                 ON CONFLICT (environment, name) DO NOTHING"
            ))?;
            let insert_history = tx.prepare(
                "INSERT INTO history (environment, name, at, what, by_user, by_host)
                 SELECT $1, $2, line.at, line.what, line.by_user, line.by_host
                 FROM UNNEST($3::timestamptz[], $4::text[], $5::text[], $6::text[])
                     WITH ORDINALITY AS line(at, what, by_user, by_host, n)
                 ORDER BY line.n",
            )?;
            let insert_intent =
                tx.prepare("INSERT INTO intents (environment, name, action, started_at) VALUES ($1, $2, $3, $4)")?;
            let mut copied = Copied::default();
            for TraderExport { trader: t, history, open_intents } in &traders {
                let inserted = tx.execute(
                    &insert_trader,
                    &[
                        &environment,
                        &t.name,
                        &t.email,
                        &t.account_name,
                        &t.user_id,
                        &t.contact_done,
                        &t.account_id,
                        &t.trading_permission_id,
                        &t.agreement_signed_at,
                        &t.entitled_at,
                        &t.revoked_at,
                        &t.cancelled_at,
                        &t.last_error,
                        &t.error_stage,
                        &t.updated_at.unwrap_or_else(Utc::now),
                    ],
                )?;
                if inserted == 0 {
                    continue;
                }
                if !history.is_empty() {
                    let at: Vec<DateTime<Utc>> = history.iter().map(|line| line.at).collect();
                    let what: Vec<&str> = history.iter().map(|line| line.what.as_str()).collect();
                    let (users, hosts): (Vec<Option<String>>, Vec<Option<String>>) =
                        history.iter().map(|line| line.by.to_stored()).unzip();
                    tx.execute(&insert_history, &[&environment, &t.name, &at, &what, &users, &hosts])?;
                }
                for intent in open_intents {
                    tx.execute(&insert_intent, &[&environment, &t.name, &intent.action.key(), &intent.started_at])?;
                }
                copied.traders += 1;
                copied.history_lines += history.len();
                copied.open_intents += open_intents.len();
            }
            Ok(copied)
        })
    }
}

fn read_trader(row: &Row) -> JournaledTrader {
    JournaledTrader {
        name: row.get(0),
        email: row.get(1),
        account_name: row.get(2),
        user_id: row.get(3),
        contact_done: row.get(4),
        account_id: row.get(5),
        trading_permission_id: row.get(6),
        agreement_signed_at: row.get(7),
        entitled_at: row.get(8),
        revoked_at: row.get(9),
        cancelled_at: row.get(10),
        last_error: row.get(11),
        error_stage: row.get(12),
        updated_at: row.get(13),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_connection_says_what_it_found_or_what_to_fix() {
        let Some(url) = super::super::test_database::fresh_postgres_journal("test_connection") else { return };
        let found = test_connection(&url, None).unwrap();
        assert!(found.version >= 10, "{found:?}");
        assert_eq!((found.environments, found.traders), (0, 0), "a fresh schema has no tables yet");
        let journal = super::super::Journal::open_postgres(&url, "staging").unwrap();
        journal.upsert_trader("Carl", "c@x.com", "EVAL1").unwrap();
        let found = test_connection(&url, None).unwrap();
        assert_eq!((found.environments, found.traders), (1, 1));
        assert!(found.to_string().starts_with("Connected to PostgreSQL "), "{found}");
        assert!(found.to_string().ends_with(": 1 environment, 1 trader"), "{found}");

        let (bare, password) = split_password(&url);
        let wrong = Secret::new("not-the-password".to_string());
        let failure = test_connection(&bare, Some(&wrong)).unwrap_err();
        assert!(matches!(failure, ConnectFailure::WrongPassword(_)), "{failure:?}");
        assert!(failure.to_string().starts_with("wrong user or password for 127.0.0.1:"), "{failure}");
        assert!(test_connection(&bare, password.as_ref()).is_ok(), "the password given apart is used");

        let no_database = bare.replacen("/postgres?", "/no_such_db?", 1);
        let failure = test_connection(&no_database, password.as_ref()).unwrap_err();
        assert_eq!(failure, ConnectFailure::NoDatabase("no_such_db".into()));

        let failure = test_connection("postgres://ops@127.0.0.1:1/propdesk", None).unwrap_err();
        assert_eq!(failure, ConnectFailure::Unreachable("127.0.0.1:1".into()));
        assert!(!format!("{failure}").contains("propdesk-ci"));
    }
}
