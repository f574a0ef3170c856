//! The registry: a local SQLite table of submitted drafts, so no draft is ever sent to
//! `createPartnerSubaccountRequest` twice, not even across a restart.
//!
//! The rule is written down *before* the create is sent ([`Registry::claim`] moves the row to
//! `creating` in one transaction, refusing when a create already happened or may have). A row
//! still `creating` when the registry is opened again means Propdesk stopped while the create
//! was in flight: its outcome is unknown, and it is never resent.
//!
//! Only what the request list shows is kept: draft id, trader (user ID and display name),
//! Tradovate's request and document IDs, statuses and messages. Never the SSN, the national ID
//! or any document's content (they live in memory for the length of a submission).

use super::fields::Step;
use super::progress::{DocumentProgress, DocumentRoute, RequestStage, SlotState, Submission, TraderRef};
use crate::api::wire::{DocumentType, SubaccountStatus};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::path::Path;
use std::sync::Mutex;

#[derive(Debug, thiserror::Error)]
#[error("subaccount registry: {0}")]
pub struct RegistryError(String);

impl From<rusqlite::Error> for RegistryError {
    fn from(e: rusqlite::Error) -> Self {
        RegistryError(e.to_string())
    }
}

pub type RegistryResult<T> = Result<T, RegistryError>;

/// What [`Registry::claim`] found.
#[derive(Clone, Debug, PartialEq)]
pub enum Claim {
    /// The row now holds the given submission.
    Granted,
    /// A create was already made (or may have been) for this draft: here is its row.
    Refused(Box<Submission>),
}

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

const COLUMNS: &str = "draft_id, cta_user_id, trader_name, route, stage, stage_detail, refused_step, request_id, \
    created_at, status, message, poa_form_state, poa_form_document_id, poa_form_error, government_id_state, \
    government_id_document_id, government_id_error, address_proof_state, address_proof_document_id, \
    address_proof_error, last_checked, status_changed_at, check_error, updated_at";

/// Says why a row left `creating` while Propdesk was not running.
const INTERRUPTED: &str = "Propdesk stopped while the request was being sent";

pub struct Registry {
    connection: Mutex<Connection>,
    /// Kept per environment: a draft sent to the sandbox was not sent to production.
    environment: String,
}

impl Registry {
    /// Opens (or creates) the file, and settles what a previous run left in flight.
    pub fn open(path: &Path, environment: &str) -> RegistryResult<Registry> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| RegistryError(format!("cannot create {}: {e}", dir.display())))?;
        }
        let connection = Connection::open(path)?;
        // WAL: a killed process loses nothing that was committed.
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        let registry = Registry::with_connection(connection, environment)?;
        registry.settle_interrupted()?;
        Ok(registry)
    }

    pub fn in_memory(environment: &str) -> RegistryResult<Registry> {
        Registry::with_connection(Connection::open_in_memory()?, environment)
    }

    fn with_connection(connection: Connection, environment: &str) -> RegistryResult<Registry> {
        connection.execute_batch(SCHEMA)?;
        Ok(Registry { connection: Mutex::new(connection), environment: environment.to_owned() })
    }

    pub fn environment(&self) -> &str {
        &self.environment
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.connection.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A create in flight when the last run ended may have reached Tradovate: outcome unknown.
    /// An upload in flight is simply not known to be in; it can be sent again (a duplicate is
    /// refused by Tradovate and then counts as uploaded).
    fn settle_interrupted(&self) -> RegistryResult<()> {
        let connection = self.lock();
        connection.execute(
            "UPDATE subaccount_requests SET stage = 'outcome_unknown', stage_detail = ?2, updated_at = ?3
             WHERE environment = ?1 AND stage = 'creating'",
            params![self.environment, INTERRUPTED, Utc::now().to_rfc3339()],
        )?;
        for slot in SLOTS {
            connection.execute(
                &format!(
                    "UPDATE subaccount_requests SET {slot}_state = 'waiting' \
                     WHERE environment = ?1 AND {slot}_state = 'uploading'"
                ),
                params![self.environment],
            )?;
        }
        Ok(())
    }

    /// The submission of one draft, if it was ever submitted.
    pub fn get(&self, draft_id: &str) -> RegistryResult<Option<Submission>> {
        let connection = self.lock();
        get_in(&connection, &self.environment, draft_id)
    }

    /// The submission that became Tradovate request `request_id`.
    pub fn by_request(&self, request_id: i64) -> RegistryResult<Option<Submission>> {
        let connection = self.lock();
        let sql = format!("SELECT {COLUMNS} FROM subaccount_requests WHERE environment = ?1 AND request_id = ?2");
        Ok(connection.query_row(&sql, params![self.environment, request_id], read_row).optional()?)
    }

    /// Every submission, most recently changed first.
    pub fn list(&self) -> RegistryResult<Vec<Submission>> {
        let connection = self.lock();
        let sql = format!("SELECT {COLUMNS} FROM subaccount_requests WHERE environment = ?1 ORDER BY updated_at DESC");
        let mut statement = connection.prepare(&sql)?;
        let rows = statement.query_map(params![self.environment], read_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Writes `submission` only if no create was ever made for its draft (no row yet, or a row
    /// whose stage [allows a create](RequestStage::allows_create)); otherwise returns the row as it is.
    /// Check and write happen in one transaction, so two callers cannot both win.
    pub fn claim(&self, submission: &Submission) -> RegistryResult<Claim> {
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        if let Some(existing) = get_in(&tx, &self.environment, &submission.draft_id)?
            && !existing.stage.allows_create()
        {
            return Ok(Claim::Refused(Box::new(existing)));
        }
        upsert(&tx, &self.environment, submission)?;
        tx.commit()?;
        Ok(Claim::Granted)
    }

    /// Records the submission as it now is.
    pub fn save(&self, submission: &Submission) -> RegistryResult<()> {
        let connection = self.lock();
        upsert(&connection, &self.environment, submission)
    }
}

const SLOTS: [&str; 3] = ["poa_form", "government_id", "address_proof"];

fn get_in(connection: &Connection, environment: &str, draft_id: &str) -> RegistryResult<Option<Submission>> {
    let sql = format!("SELECT {COLUMNS} FROM subaccount_requests WHERE environment = ?1 AND draft_id = ?2");
    Ok(connection.query_row(&sql, params![environment, draft_id], read_row).optional()?)
}

fn upsert(connection: &Connection, environment: &str, s: &Submission) -> RegistryResult<()> {
    let (detail, refused_step) = match &s.stage {
        RequestStage::NotSent { error } => (Some(error.as_str()), None),
        RequestStage::Refused { error, step } => (Some(error.as_str()), Some(step.title())),
        RequestStage::OutcomeUnknown { detail } => (Some(detail.as_str()), None),
        _ => (None, None),
    };
    let slot = |t: DocumentType| {
        let state = s.documents.get(t);
        let (key, error) = match state {
            SlotState::Waiting => ("waiting", None),
            SlotState::Uploading => ("uploading", None),
            SlotState::Uploaded { .. } => ("uploaded", None),
            SlotState::Failed { error } => ("failed", Some(error.clone())),
        };
        (key, state.document_id(), error)
    };
    let (poa, id, address) =
        (slot(DocumentType::PoaForm), slot(DocumentType::Id), slot(DocumentType::AddressVerificationFAFTA));
    connection.execute(
        &format!(
            "INSERT OR REPLACE INTO subaccount_requests (environment, {COLUMNS}) VALUES \
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, \
              ?23, ?24, ?25)"
        ),
        params![
            environment,
            s.draft_id,
            s.trader.cta_user_id,
            s.trader.display_name,
            s.route.key(),
            s.stage.key(),
            detail,
            refused_step,
            s.request_id,
            s.created_at.map(|t| t.to_rfc3339()),
            s.status.map(status_key),
            s.message,
            poa.0,
            poa.1,
            poa.2,
            id.0,
            id.1,
            id.2,
            address.0,
            address.1,
            address.2,
            s.last_checked.map(|t| t.to_rfc3339()),
            s.status_changed_at.map(|t| t.to_rfc3339()),
            s.check_error,
            s.updated_at.to_rfc3339(),
        ],
    )?;
    Ok(())
}

fn read_row(row: &Row<'_>) -> rusqlite::Result<Submission> {
    let time = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
        let text: Option<String> = row.get(i)?;
        Ok(text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.with_timezone(&Utc)))
    };
    let stage_key: String = row.get(4)?;
    let detail: Option<String> = row.get(5)?;
    let refused_step: Option<String> = row.get(6)?;
    let detail = detail.unwrap_or_default();
    let stage = match stage_key.as_str() {
        "pre_uploading" => RequestStage::PreUploading,
        "creating" => RequestStage::Creating,
        "not_sent" => RequestStage::NotSent { error: detail },
        "refused" => RequestStage::Refused {
            error: detail,
            step: Step::ALL.into_iter().find(|s| Some(s.title()) == refused_step.as_deref()).unwrap_or(Step::Review),
        },
        "created" => RequestStage::Created,
        "submitted" => RequestStage::Submitted,
        // Anything unreadable is treated as the most careful stage: never resent.
        _ => RequestStage::OutcomeUnknown { detail },
    };
    let slot = |base: usize| -> rusqlite::Result<SlotState> {
        let key: String = row.get(base)?;
        let document_id: Option<i64> = row.get(base + 1)?;
        let error: Option<String> = row.get(base + 2)?;
        Ok(match key.as_str() {
            "uploading" => SlotState::Uploading,
            "uploaded" => SlotState::Uploaded { document_id },
            "failed" => SlotState::Failed { error: error.unwrap_or_default() },
            _ => SlotState::Waiting,
        })
    };
    let route: String = row.get(3)?;
    let status: Option<String> = row.get(9)?;
    Ok(Submission {
        draft_id: row.get(0)?,
        trader: TraderRef { cta_user_id: row.get(1)?, display_name: row.get(2)? },
        route: DocumentRoute::from_key(&route).unwrap_or_default(),
        stage,
        request_id: row.get(7)?,
        created_at: time(8)?,
        status: status.as_deref().and_then(status_from_key),
        message: row.get(10)?,
        documents: DocumentProgress { poa_form: slot(11)?, government_id: slot(14)?, address_proof: slot(17)? },
        last_checked: time(20)?,
        status_changed_at: time(21)?,
        check_error: row.get(22)?,
        updated_at: time(23)?.unwrap_or_else(Utc::now),
    })
}

const STATUSES: [SubaccountStatus; 6] = [
    SubaccountStatus::Pending,
    SubaccountStatus::Preapproved,
    SubaccountStatus::InReview,
    SubaccountStatus::InAMLReview,
    SubaccountStatus::Approved,
    SubaccountStatus::Denied,
];

fn status_key(status: SubaccountStatus) -> &'static str {
    match status {
        SubaccountStatus::Pending => "Pending",
        SubaccountStatus::Preapproved => "Preapproved",
        SubaccountStatus::InReview => "InReview",
        SubaccountStatus::InAMLReview => "InAMLReview",
        SubaccountStatus::Approved => "Approved",
        SubaccountStatus::Denied => "Denied",
    }
}

fn status_from_key(key: &str) -> Option<SubaccountStatus> {
    STATUSES.into_iter().find(|s| status_key(*s) == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(stage: RequestStage) -> Submission {
        let trader = TraderRef { cta_user_id: 42, display_name: "Emily Johnson".into() };
        Submission::new("draft-1", trader, DocumentRoute::UploadAfterCreate, stage)
    }

    #[test]
    fn a_submission_round_trips() {
        let registry = Registry::in_memory("sandbox").unwrap();
        let mut s = sample(RequestStage::Refused { error: "Country is restricted: IR".into(), step: Step::Address });
        s.documents.government_id = SlotState::Failed { error: "HTTP 500".into() };
        s.documents.poa_form = SlotState::Uploaded { document_id: Some(7) };
        s.documents.address_proof = SlotState::Uploaded { document_id: None };
        s.status = Some(SubaccountStatus::InAMLReview);
        s.request_id = Some(99);
        s.created_at = Some(Utc::now());
        registry.save(&s).unwrap();
        let back = registry.get("draft-1").unwrap().unwrap();
        assert_eq!(back.stage, s.stage);
        assert_eq!(back.documents, s.documents);
        assert_eq!(back.status, s.status);
        assert_eq!(registry.by_request(99).unwrap().unwrap().draft_id, "draft-1");
        assert!(Registry::in_memory("production").unwrap().get("draft-1").unwrap().is_none());
    }

    #[test]
    fn a_claim_is_refused_once_a_create_happened_or_may_have() {
        let registry = Registry::in_memory("sandbox").unwrap();
        assert_eq!(registry.claim(&sample(RequestStage::Creating)).unwrap(), Claim::Granted);
        assert!(matches!(registry.claim(&sample(RequestStage::Creating)).unwrap(), Claim::Refused(_)));
        registry.save(&sample(RequestStage::NotSent { error: "offline".into() })).unwrap();
        assert_eq!(registry.claim(&sample(RequestStage::Creating)).unwrap(), Claim::Granted);
        registry.save(&sample(RequestStage::OutcomeUnknown { detail: "lost".into() })).unwrap();
        assert!(matches!(registry.claim(&sample(RequestStage::Creating)).unwrap(), Claim::Refused(_)));
    }
}
