//! The registry in a local SQLite file (one computer), or in memory (the Sandbox's).

use super::{COLUMNS, Claim, INTERRUPTED, RegistryError, RegistryResult, RegistryStore, Row, SLOTS};
use crate::subaccount::progress::Submission;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::Mutex;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS subaccount_requests (
    environment TEXT NOT NULL,
    draft_id TEXT NOT NULL,
    cta_user_id INTEGER NOT NULL,
    trader_name TEXT NOT NULL DEFAULT '',
    route TEXT NOT NULL,
    stage TEXT NOT NULL,
    stage_detail TEXT,
    refused_step TEXT,
    request_id INTEGER,
    created_at TEXT,
    status TEXT,
    message TEXT,
    poa_form_state TEXT NOT NULL DEFAULT 'waiting',
    poa_form_document_id INTEGER,
    poa_form_error TEXT,
    government_id_state TEXT NOT NULL DEFAULT 'waiting',
    government_id_document_id INTEGER,
    government_id_error TEXT,
    address_proof_state TEXT NOT NULL DEFAULT 'waiting',
    address_proof_document_id INTEGER,
    address_proof_error TEXT,
    last_checked TEXT,
    status_changed_at TEXT,
    check_error TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (environment, draft_id)
);
CREATE INDEX IF NOT EXISTS subaccount_requests_by_request ON subaccount_requests (environment, request_id);
";

pub(super) struct SqliteRegistry {
    connection: Mutex<Connection>,
}

impl SqliteRegistry {
    pub(super) fn open(path: &Path) -> RegistryResult<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| RegistryError::new(format!("cannot create {}: {e}", dir.display())))?;
        }
        let connection = Connection::open(path)?;
        // WAL: a killed process loses nothing that was committed.
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        Self::with_connection(connection)
    }

    pub(super) fn in_memory() -> RegistryResult<Self> {
        Self::with_connection(Connection::open_in_memory()?)
    }

    fn with_connection(connection: Connection) -> RegistryResult<Self> {
        connection.execute_batch(SCHEMA)?;
        Ok(Self { connection: Mutex::new(connection) })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.connection.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl RegistryStore for SqliteRegistry {
    fn settle_interrupted(&self, environment: &str, before: DateTime<Utc>) -> RegistryResult<()> {
        let connection = self.lock();
        // RFC 3339 times in UTC sort as text.
        let before = before.to_rfc3339();
        // Uploads first: settling the create stamps the row as changed now.
        for slot in SLOTS {
            connection.execute(
                &format!(
                    "UPDATE subaccount_requests SET {slot}_state = 'waiting' \
                     WHERE environment = ?1 AND {slot}_state = 'uploading' AND updated_at <= ?2"
                ),
                params![environment, before],
            )?;
        }
        connection.execute(
            "UPDATE subaccount_requests SET stage = 'outcome_unknown', stage_detail = ?2, updated_at = ?3
             WHERE environment = ?1 AND stage = 'creating' AND updated_at <= ?4",
            params![environment, INTERRUPTED, Utc::now().to_rfc3339(), before],
        )?;
        Ok(())
    }

    fn get(&self, environment: &str, draft_id: &str) -> RegistryResult<Option<Submission>> {
        get_in(&self.lock(), environment, draft_id)
    }

    fn by_request(&self, environment: &str, request_id: i64) -> RegistryResult<Option<Submission>> {
        let sql = format!("SELECT {COLUMNS} FROM subaccount_requests WHERE environment = ?1 AND request_id = ?2");
        let row = self.lock().query_row(&sql, params![environment, request_id], read_row).optional()?;
        Ok(row.map(Row::into_submission))
    }

    fn list(&self, environment: &str) -> RegistryResult<Vec<Submission>> {
        let connection = self.lock();
        let sql = format!("SELECT {COLUMNS} FROM subaccount_requests WHERE environment = ?1 ORDER BY updated_at DESC");
        let mut statement = connection.prepare(&sql)?;
        let rows = statement.query_map(params![environment], read_row)?;
        Ok(rows.map(|row| row.map(Row::into_submission)).collect::<Result<Vec<_>, _>>()?)
    }

    fn claim(&self, environment: &str, submission: &Submission) -> RegistryResult<Claim> {
        let mut connection = self.lock();
        // Immediate: a deferred transaction that reads and then writes fails at once with
        // "database is locked" when another process wrote in between (WAL snapshots).
        let tx = connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if let Some(existing) = get_in(&tx, environment, &submission.draft_id)?
            && !existing.stage.allows_create()
        {
            return Ok(Claim::Refused(Box::new(existing)));
        }
        upsert(&tx, environment, submission)?;
        tx.commit()?;
        Ok(Claim::Granted)
    }

    fn save(&self, environment: &str, submission: &Submission) -> RegistryResult<()> {
        upsert(&self.lock(), environment, submission)
    }
}

fn get_in(connection: &Connection, environment: &str, draft_id: &str) -> RegistryResult<Option<Submission>> {
    let sql = format!("SELECT {COLUMNS} FROM subaccount_requests WHERE environment = ?1 AND draft_id = ?2");
    let row = connection.query_row(&sql, params![environment, draft_id], read_row).optional()?;
    Ok(row.map(Row::into_submission))
}

fn upsert(connection: &Connection, environment: &str, s: &Submission) -> RegistryResult<()> {
    let row = Row::of(s);
    let time = |t: Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339());
    let [poa, id, address] = &row.slots;
    connection.execute(
        &format!(
            "INSERT OR REPLACE INTO subaccount_requests (environment, {COLUMNS}) VALUES \
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, \
              ?23, ?24, ?25)"
        ),
        params![
            environment,
            row.draft_id,
            row.cta_user_id,
            row.trader_name,
            row.route,
            row.stage,
            row.stage_detail,
            row.refused_step,
            row.request_id,
            time(row.created_at),
            row.status,
            row.message,
            poa.0,
            poa.1,
            poa.2,
            id.0,
            id.1,
            id.2,
            address.0,
            address.1,
            address.2,
            time(row.last_checked),
            time(row.status_changed_at),
            row.check_error,
            row.updated_at.to_rfc3339(),
        ],
    )?;
    Ok(())
}

fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let time = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
        let text: Option<String> = row.get(i)?;
        Ok(text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.with_timezone(&Utc)))
    };
    let slot = |base: usize| -> rusqlite::Result<(String, Option<i64>, Option<String>)> {
        Ok((row.get(base)?, row.get(base + 1)?, row.get(base + 2)?))
    };
    Ok(Row {
        draft_id: row.get(0)?,
        cta_user_id: row.get(1)?,
        trader_name: row.get(2)?,
        route: row.get(3)?,
        stage: row.get(4)?,
        stage_detail: row.get(5)?,
        refused_step: row.get(6)?,
        request_id: row.get(7)?,
        created_at: time(8)?,
        status: row.get(9)?,
        message: row.get(10)?,
        slots: [slot(11)?, slot(14)?, slot(17)?],
        last_checked: time(20)?,
        status_changed_at: time(21)?,
        check_error: row.get(22)?,
        updated_at: time(23)?.unwrap_or_else(Utc::now),
    })
}
