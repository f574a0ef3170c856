//! The team's registry: the same table in the PostgreSQL database of the team journal,
//! on a [`TeamDatabase`] connection of its own (reconnecting like the journal's).
//! Migrations are versioned in `registry_schema_version`.

use super::{COLUMNS, Claim, INTERRUPTED, RegistryError, RegistryResult, RegistryStore, Row, SLOTS};
use crate::api::Secret;
use crate::store::team_database::{JobError, LOCK_SPACE, Migrations, TeamDatabase};
use crate::subaccount::progress::Submission;
use chrono::{DateTime, Utc};
use postgres::GenericClient;

/// The schema, one entry per version; applied in order, never edited once released.
const MIGRATIONS: &[&str] = &["
CREATE TABLE subaccount_requests (
    environment TEXT NOT NULL,
    draft_id TEXT NOT NULL,
    cta_user_id BIGINT NOT NULL,
    trader_name TEXT NOT NULL DEFAULT '',
    route TEXT NOT NULL,
    stage TEXT NOT NULL,
    stage_detail TEXT,
    refused_step TEXT,
    request_id BIGINT,
    created_at TIMESTAMPTZ,
    status TEXT,
    message TEXT,
    poa_form_state TEXT NOT NULL DEFAULT 'waiting',
    poa_form_document_id BIGINT,
    poa_form_error TEXT,
    government_id_state TEXT NOT NULL DEFAULT 'waiting',
    government_id_document_id BIGINT,
    government_id_error TEXT,
    address_proof_state TEXT NOT NULL DEFAULT 'waiting',
    address_proof_document_id BIGINT,
    address_proof_error TEXT,
    last_checked TIMESTAMPTZ,
    status_changed_at TIMESTAMPTZ,
    check_error TEXT,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (environment, draft_id)
);
CREATE INDEX subaccount_requests_by_request ON subaccount_requests (environment, request_id);
"];

/// The registry's migrations take their own advisory lock (the journal's is 0).
const MIGRATION_LOCK: i32 = 1;

static SCHEMA: Migrations =
    Migrations { version_table: "registry_schema_version", lock: MIGRATION_LOCK, steps: MIGRATIONS };

pub(super) struct PostgresRegistry {
    database: TeamDatabase,
}

impl PostgresRegistry {
    pub(super) fn connect(url: &str, password: Option<&Secret>) -> RegistryResult<Self> {
        let database = TeamDatabase::connect(url, password, "team registry", &SCHEMA).map_err(RegistryError::new)?;
        Ok(Self { database })
    }

    fn call<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut postgres::Client) -> Result<T, postgres::Error> + Send + 'static,
    ) -> RegistryResult<T> {
        self.database.call(move |session| job(session.client)).map_err(|e: JobError| RegistryError::new(e.to_string()))
    }

    fn select(&self, filter: &'static str, environment: &str, value: Value) -> RegistryResult<Vec<Submission>> {
        let environment = environment.to_string();
        self.call(move |client| {
            let sql = format!("SELECT {COLUMNS} FROM subaccount_requests WHERE environment = $1 {filter}");
            let rows = match &value {
                Value::None => client.query(&sql, &[&environment])?,
                Value::Text(text) => client.query(&sql, &[&environment, text])?,
                Value::Id(id) => client.query(&sql, &[&environment, id])?,
            };
            Ok(rows.iter().map(|row| read_row(row).into_submission()).collect())
        })
    }
}

enum Value {
    None,
    Text(String),
    Id(i64),
}

impl RegistryStore for PostgresRegistry {
    fn settle_interrupted(&self, environment: &str, before: DateTime<Utc>) -> RegistryResult<()> {
        let environment = environment.to_string();
        self.call(move |client| {
            let mut tx = client.transaction()?;
            // Uploads first: settling the create stamps the row as changed now.
            for slot in SLOTS {
                tx.execute(
                    &format!(
                        "UPDATE subaccount_requests SET {slot}_state = 'waiting' \
                         WHERE environment = $1 AND {slot}_state = 'uploading' AND updated_at <= $2"
                    ),
                    &[&environment, &before],
                )?;
            }
            tx.execute(
                "UPDATE subaccount_requests SET stage = 'outcome_unknown', stage_detail = $2, updated_at = now()
                 WHERE environment = $1 AND stage = 'creating' AND updated_at <= $3",
                &[&environment, &INTERRUPTED, &before],
            )?;
            tx.commit()
        })
    }

    fn get(&self, environment: &str, draft_id: &str) -> RegistryResult<Option<Submission>> {
        Ok(self.select("AND draft_id = $2", environment, Value::Text(draft_id.to_string()))?.into_iter().next())
    }

    fn by_request(&self, environment: &str, request_id: i64) -> RegistryResult<Option<Submission>> {
        Ok(self.select("AND request_id = $2", environment, Value::Id(request_id))?.into_iter().next())
    }

    fn list(&self, environment: &str) -> RegistryResult<Vec<Submission>> {
        self.select("ORDER BY updated_at DESC", environment, Value::None)
    }

    fn claim(&self, environment: &str, submission: &Submission) -> RegistryResult<Claim> {
        let environment = environment.to_string();
        let row = Row::of(submission);
        self.call(move |client| {
            let mut tx = client.transaction()?;
            // Claimants of one draft queue here, across processes, until this commits.
            tx.execute(
                "SELECT pg_advisory_xact_lock($1, hashtext('registry' || chr(31) || current_schema() || chr(31) || $2 || chr(31) || $3))",
                &[&LOCK_SPACE, &environment, &row.draft_id],
            )?;
            let existing = tx.query_opt(
                &format!("SELECT {COLUMNS} FROM subaccount_requests WHERE environment = $1 AND draft_id = $2"),
                &[&environment, &row.draft_id],
            )?;
            if let Some(existing) = existing.map(|r| read_row(&r).into_submission())
                && !existing.stage.allows_create()
            {
                return Ok(Claim::Refused(Box::new(existing)));
            }
            upsert(&mut tx, &environment, &row)?;
            tx.commit()?;
            Ok(Claim::Granted)
        })
    }

    fn save(&self, environment: &str, submission: &Submission) -> RegistryResult<()> {
        let environment = environment.to_string();
        let row = Row::of(submission);
        self.call(move |client| upsert(client, &environment, &row))
    }
}

fn upsert(client: &mut impl GenericClient, environment: &str, row: &Row) -> Result<(), postgres::Error> {
    let [poa, id, address] = &row.slots;
    let placeholders: Vec<String> = (1..=25).map(|i| format!("${i}")).collect();
    let updates: Vec<String> =
        COLUMNS.split(',').map(str::trim).skip(1).map(|column| format!("{column} = excluded.{column}")).collect();
    client.execute(
        &format!(
            "INSERT INTO subaccount_requests (environment, {COLUMNS}) VALUES ({}) \
             ON CONFLICT (environment, draft_id) DO UPDATE SET {}",
            placeholders.join(", "),
            updates.join(", ")
        ),
        &[
            &environment,
            &row.draft_id,
            &row.cta_user_id,
            &row.trader_name,
            &row.route,
            &row.stage,
            &row.stage_detail,
            &row.refused_step,
            &row.request_id,
            &row.created_at,
            &row.status,
            &row.message,
            &poa.0,
            &poa.1,
            &poa.2,
            &id.0,
            &id.1,
            &id.2,
            &address.0,
            &address.1,
            &address.2,
            &row.last_checked,
            &row.status_changed_at,
            &row.check_error,
            &row.updated_at,
        ],
    )?;
    Ok(())
}

fn read_row(row: &postgres::Row) -> Row {
    let slot = |base: usize| (row.get(base), row.get(base + 1), row.get(base + 2));
    Row {
        draft_id: row.get(0),
        cta_user_id: row.get(1),
        trader_name: row.get(2),
        route: row.get(3),
        stage: row.get(4),
        stage_detail: row.get(5),
        refused_step: row.get(6),
        request_id: row.get(7),
        created_at: row.get(8),
        status: row.get(9),
        message: row.get(10),
        slots: [slot(11), slot(14), slot(17)],
        last_checked: row.get(20),
        status_changed_at: row.get(21),
        check_error: row.get(22),
        updated_at: row.get(23),
    }
}
