//! The registry: a table of submitted drafts, so no draft is ever sent to
//! `createPartnerSubaccountRequest` twice, not even across a restart. It lives in a
//! local SQLite file (`registry/sqlite.rs`), or beside the team journal in its PostgreSQL
//! database (`registry/postgres.rs`), so admins sharing a journal also share which drafts
//! were sent; both behind [`RegistryStore`] and held to one test suite (`registry/suite.rs`).
//!
//! The rule is written down *before* the create is sent ([`Registry::claim`] moves the row to
//! `creating` in one transaction, refusing when a create already happened or may have). A row
//! still `creating` when the registry is opened again means Propdesk stopped while the create
//! was in flight: its outcome is unknown, and it is never resent.
//!
//! Only what the request list shows is kept: draft id, trader (user ID and display name),
//! Tradovate's request and document IDs, statuses and messages. Never the SSN, the national ID
//! or any document's content (they live in memory for the length of a submission).

mod postgres;
mod sqlite;
#[cfg(test)]
mod suite;

use super::fields::Step;
use super::progress::{DocumentProgress, DocumentRoute, RequestStage, SlotState, Submission, TraderRef};
use crate::api::wire::{DocumentType, SubaccountStatus};
use chrono::{DateTime, Utc};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
#[error("subaccount registry: {0}")]
pub struct RegistryError(String);

impl RegistryError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        RegistryError(message.into())
    }
}

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

/// Says why a row left `creating` while Propdesk was not running.
const INTERRUPTED: &str = "Propdesk stopped while the request was being sent";

/// What a registry backend stores. Every call is scoped to one environment key; each
/// method is one transaction, and `claim` checks and writes atomically across processes.
pub(crate) trait RegistryStore: Send + Sync {
    /// Settles what runs left in flight in rows last changed before `before` (see
    /// [`Registry::open`]): a create becomes "outcome unknown", an upload "waiting".
    fn settle_interrupted(&self, environment: &str, before: DateTime<Utc>) -> RegistryResult<()>;
    fn get(&self, environment: &str, draft_id: &str) -> RegistryResult<Option<Submission>>;
    fn by_request(&self, environment: &str, request_id: i64) -> RegistryResult<Option<Submission>>;
    /// Most recently changed first.
    fn list(&self, environment: &str) -> RegistryResult<Vec<Submission>>;
    fn claim(&self, environment: &str, submission: &Submission) -> RegistryResult<Claim>;
    fn save(&self, environment: &str, submission: &Submission) -> RegistryResult<()>;
}

/// How long a row of the team's registry must have been left alone before opening
/// settles it as interrupted: another admin's create or upload may be in flight right
/// now (they take seconds), and only a run that stopped leaves a row this long.
pub const TEAM_SETTLE_AFTER: chrono::Duration = chrono::Duration::minutes(10);

pub struct Registry {
    store: Box<dyn RegistryStore>,
    /// Kept per environment: a draft sent to the sandbox was not sent to production.
    environment: String,
}

impl Registry {
    /// Opens (or creates) the file, and settles what a previous run left in flight.
    pub fn open(path: &Path, environment: &str) -> RegistryResult<Registry> {
        let registry = Registry::with_store(Box::new(sqlite::SqliteRegistry::open(path)?), environment);
        registry.store.settle_interrupted(environment, Utc::now())?;
        Ok(registry)
    }

    pub fn in_memory(environment: &str) -> RegistryResult<Registry> {
        Ok(Registry::with_store(Box::new(sqlite::SqliteRegistry::in_memory()?), environment))
    }

    /// The team's registry in the PostgreSQL database of the team journal (`postgres://…`).
    /// Connects and migrates; blocking, like opening the file. Settles only rows left
    /// alone for [`TEAM_SETTLE_AFTER`]: other admins may be sending right now.
    pub fn open_postgres(url: &str, environment: &str) -> RegistryResult<Registry> {
        Self::open_postgres_with_password(url, None, environment)
    }

    /// Like [`Registry::open_postgres`], with the password kept apart from the URL (the
    /// window's: the URL is in the settings, the password in the keyring).
    pub fn open_postgres_with_password(
        url: &str,
        password: Option<&crate::api::Secret>,
        environment: &str,
    ) -> RegistryResult<Registry> {
        let store = postgres::PostgresRegistry::connect(url, password)?;
        let registry = Registry::with_store(Box::new(store), environment);
        registry.store.settle_interrupted(environment, Utc::now() - TEAM_SETTLE_AFTER)?;
        Ok(registry)
    }

    fn with_store(store: Box<dyn RegistryStore>, environment: &str) -> Registry {
        Registry { store, environment: environment.to_owned() }
    }

    pub fn environment(&self) -> &str {
        &self.environment
    }

    /// The submission of one draft, if it was ever submitted.
    pub fn get(&self, draft_id: &str) -> RegistryResult<Option<Submission>> {
        self.store.get(&self.environment, draft_id)
    }

    /// The submission that became Tradovate request `request_id`.
    pub fn by_request(&self, request_id: i64) -> RegistryResult<Option<Submission>> {
        self.store.by_request(&self.environment, request_id)
    }

    /// Every submission, most recently changed first.
    pub fn list(&self) -> RegistryResult<Vec<Submission>> {
        self.store.list(&self.environment)
    }

    /// Writes `submission` only if no create was ever made for its draft (no row yet, or a row
    /// whose stage [allows a create](RequestStage::allows_create)); otherwise returns the row as it is.
    /// Check and write happen in one transaction, so two callers cannot both win.
    pub fn claim(&self, submission: &Submission) -> RegistryResult<Claim> {
        self.store.claim(&self.environment, submission)
    }

    /// Records the submission as it now is.
    pub fn save(&self, submission: &Submission) -> RegistryResult<()> {
        self.store.save(&self.environment, submission)
    }
}

/// The three document slots' column prefixes, in [`Row::slots`] order.
pub(crate) const SLOTS: [&str; 3] = ["poa_form", "government_id", "address_proof"];

pub(crate) const COLUMNS: &str = "draft_id, cta_user_id, trader_name, route, stage, stage_detail, refused_step, request_id, \
    created_at, status, message, poa_form_state, poa_form_document_id, poa_form_error, government_id_state, \
    government_id_document_id, government_id_error, address_proof_state, address_proof_document_id, \
    address_proof_error, last_checked, status_changed_at, check_error, updated_at";

/// A submission as every backend stores it: plain values in [`COLUMNS`] order, so the
/// meaning of stages, slots and statuses is written once, here.
pub(crate) struct Row {
    pub draft_id: String,
    pub cta_user_id: i64,
    pub trader_name: String,
    pub route: String,
    pub stage: String,
    pub stage_detail: Option<String>,
    pub refused_step: Option<String>,
    pub request_id: Option<i64>,
    pub created_at: Option<DateTime<Utc>>,
    pub status: Option<String>,
    pub message: Option<String>,
    /// Per slot: state, document id, error.
    pub slots: [(String, Option<i64>, Option<String>); 3],
    pub last_checked: Option<DateTime<Utc>>,
    pub status_changed_at: Option<DateTime<Utc>>,
    pub check_error: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl Row {
    pub(crate) fn of(s: &Submission) -> Row {
        let (detail, refused_step) = match &s.stage {
            RequestStage::NotSent { error } => (Some(error.clone()), None),
            RequestStage::Refused { error, step } => (Some(error.clone()), Some(step.title().to_string())),
            RequestStage::OutcomeUnknown { detail } => (Some(detail.clone()), None),
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
            (key.to_string(), state.document_id(), error)
        };
        Row {
            draft_id: s.draft_id.clone(),
            cta_user_id: s.trader.cta_user_id,
            trader_name: s.trader.display_name.clone(),
            route: s.route.key().to_string(),
            stage: s.stage.key().to_string(),
            stage_detail: detail,
            refused_step,
            request_id: s.request_id,
            created_at: s.created_at,
            status: s.status.map(|status| status_key(status).to_string()),
            message: s.message.clone(),
            slots: [slot(DocumentType::PoaForm), slot(DocumentType::Id), slot(DocumentType::AddressVerificationFAFTA)],
            last_checked: s.last_checked,
            status_changed_at: s.status_changed_at,
            check_error: s.check_error.clone(),
            updated_at: s.updated_at,
        }
    }

    pub(crate) fn into_submission(self) -> Submission {
        let detail = self.stage_detail.unwrap_or_default();
        let stage = match self.stage.as_str() {
            "pre_uploading" => RequestStage::PreUploading,
            "creating" => RequestStage::Creating,
            "not_sent" => RequestStage::NotSent { error: detail },
            "refused" => RequestStage::Refused {
                error: detail,
                step: Step::ALL
                    .into_iter()
                    .find(|s| Some(s.title()) == self.refused_step.as_deref())
                    .unwrap_or(Step::Review),
            },
            "created" => RequestStage::Created,
            "submitted" => RequestStage::Submitted,
            // Anything unreadable is treated as the most careful stage: never resent.
            _ => RequestStage::OutcomeUnknown { detail },
        };
        let slot = |(key, document_id, error): (String, Option<i64>, Option<String>)| match key.as_str() {
            "uploading" => SlotState::Uploading,
            "uploaded" => SlotState::Uploaded { document_id },
            "failed" => SlotState::Failed { error: error.unwrap_or_default() },
            _ => SlotState::Waiting,
        };
        let [poa_form, government_id, address_proof] = self.slots;
        Submission {
            draft_id: self.draft_id,
            trader: TraderRef { cta_user_id: self.cta_user_id, display_name: self.trader_name },
            route: DocumentRoute::from_key(&self.route).unwrap_or_default(),
            stage,
            request_id: self.request_id,
            created_at: self.created_at,
            status: self.status.as_deref().and_then(status_from_key),
            message: self.message,
            documents: DocumentProgress {
                poa_form: slot(poa_form),
                government_id: slot(government_id),
                address_proof: slot(address_proof),
            },
            last_checked: self.last_checked,
            status_changed_at: self.status_changed_at,
            check_error: self.check_error,
            updated_at: self.updated_at,
        }
    }
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
