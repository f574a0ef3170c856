//! Where one submitted draft stands: the picture a screen draws and the registry stores.
//!
//! A [`Submission`] is plain data, cheap to clone, with no SSN, national ID or document bytes
//! in it, so it can be persisted, sent over a channel and shown as is.

use super::fields::{DraftField, Step};
use super::server_errors::field_for_server_error;
use crate::api::wire::{DocumentType, SubaccountStatus};
use chrono::{DateTime, Utc};

/// Whose subaccount it is: the trader's user ID and the name the firm knows them by.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TraderRef {
    pub cta_user_id: i64,
    pub display_name: String,
}

/// How the three documents reach Tradovate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DocumentRoute {
    /// Create the request, then upload each file to it (`submitPartnerSubaccountDocument`).
    #[default]
    UploadAfterCreate,
    /// Upload each file first (`submitCustomerApplicationDocument`), then create the request
    /// with the three document IDs: nothing is uploaded afterwards.
    PreUpload,
    /// The user typed the IDs of three documents uploaded earlier; they are linked as they are.
    LinkTypedIds,
}

impl DocumentRoute {
    pub(crate) fn key(self) -> &'static str {
        match self {
            DocumentRoute::UploadAfterCreate => "upload_after_create",
            DocumentRoute::PreUpload => "pre_upload",
            DocumentRoute::LinkTypedIds => "link_typed_ids",
        }
    }

    pub(crate) fn from_key(key: &str) -> Option<DocumentRoute> {
        [DocumentRoute::UploadAfterCreate, DocumentRoute::PreUpload, DocumentRoute::LinkTypedIds]
            .into_iter()
            .find(|r| r.key() == key)
    }

    /// True when the request is created with the three document IDs in it.
    pub fn links_documents(self) -> bool {
        self != DocumentRoute::UploadAfterCreate
    }
}

/// One document slot.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SlotState {
    /// Not sent yet (or Propdesk restarted before it was: choose the file again).
    #[default]
    Waiting,
    Uploading,
    /// In. `document_id` is `None` when Tradovate answered "already has a completed upload"
    /// (an earlier attempt got through but its reply was lost): the slot is filled either way.
    Uploaded {
        document_id: Option<i64>,
    },
    /// Refused or not delivered; this slot alone can be sent again.
    Failed {
        error: String,
    },
}

impl SlotState {
    pub fn is_uploaded(&self) -> bool {
        matches!(self, SlotState::Uploaded { .. })
    }

    pub fn document_id(&self) -> Option<i64> {
        match self {
            SlotState::Uploaded { document_id } => *document_id,
            _ => None,
        }
    }
}

/// The three slots.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocumentProgress {
    pub poa_form: SlotState,
    pub government_id: SlotState,
    pub address_proof: SlotState,
}

impl DocumentProgress {
    pub fn get(&self, document_type: DocumentType) -> &SlotState {
        match document_type {
            DocumentType::PoaForm => &self.poa_form,
            DocumentType::Id => &self.government_id,
            DocumentType::AddressVerificationFAFTA => &self.address_proof,
        }
    }

    pub fn get_mut(&mut self, document_type: DocumentType) -> &mut SlotState {
        match document_type {
            DocumentType::PoaForm => &mut self.poa_form,
            DocumentType::Id => &mut self.government_id,
            DocumentType::AddressVerificationFAFTA => &mut self.address_proof,
        }
    }

    pub fn all_uploaded(&self) -> bool {
        DocumentType::ALL.iter().all(|t| self.get(*t).is_uploaded())
    }

    /// Slots still to send (waiting or failed), in wizard order.
    pub fn missing(&self) -> Vec<DocumentType> {
        DocumentType::ALL.into_iter().filter(|t| !self.get(*t).is_uploaded()).collect()
    }

    /// Slots whose last attempt failed, with the reason.
    pub fn failed(&self) -> Vec<(DocumentType, &str)> {
        DocumentType::ALL
            .into_iter()
            .filter_map(|t| match self.get(t) {
                SlotState::Failed { error } => Some((t, error.as_str())),
                _ => None,
            })
            .collect()
    }

    /// All three marked as linked in the request itself.
    pub(crate) fn linked(ids: [Option<i64>; 3]) -> DocumentProgress {
        let [poa, id, address] = ids.map(|document_id| SlotState::Uploaded { document_id });
        DocumentProgress { poa_form: poa, government_id: id, address_proof: address }
    }
}

/// Where the request itself stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestStage {
    /// Pre-upload route: the documents are going up; the request does not exist yet.
    PreUploading,
    /// `createPartnerSubaccountRequest` was sent; no reply yet.
    Creating,
    /// The create never reached Tradovate, or was not processed (no connection, rate budget,
    /// signed out). Nothing was created: submitting again is safe.
    NotSent { error: String },
    /// Tradovate refused the request; nothing was created. Fix the step and submit again.
    Refused { error: String, step: Step },
    /// The create was sent but its reply never arrived: Tradovate may or may not have created
    /// the request. The API cannot look a request up by trader, so Propdesk will not send it
    /// again; check the request list on Tradovate or contact support.
    OutcomeUnknown { detail: String },
    /// The request exists; its documents are not all in yet.
    Created,
    /// The request exists with all three documents; Tradovate is reviewing it.
    Submitted,
}

impl RequestStage {
    pub(crate) fn key(&self) -> &'static str {
        match self {
            RequestStage::PreUploading => "pre_uploading",
            RequestStage::Creating => "creating",
            RequestStage::NotSent { .. } => "not_sent",
            RequestStage::Refused { .. } => "refused",
            RequestStage::OutcomeUnknown { .. } => "outcome_unknown",
            RequestStage::Created => "created",
            RequestStage::Submitted => "submitted",
        }
    }

    /// True while no create was ever made for the draft, so a (new) create is allowed.
    pub fn allows_create(&self) -> bool {
        matches!(self, RequestStage::PreUploading | RequestStage::NotSent { .. } | RequestStage::Refused { .. })
    }
}

/// Text shown when a create's reply was lost.
pub const OUTCOME_UNKNOWN_ADVICE: &str = "Tradovate may or may not have created this request, and the API offers no way \
     to look a request up by trader. Propdesk will not send it again: check the organization's subaccount requests \
     on Tradovate, or contact Tradovate support with the trader's user ID.";

/// One draft's submission, as stored and shown.
#[derive(Clone, Debug, PartialEq)]
pub struct Submission {
    pub draft_id: String,
    pub trader: TraderRef,
    pub route: DocumentRoute,
    pub stage: RequestStage,
    /// Tradovate's `requestId`, once created.
    pub request_id: Option<i64>,
    pub created_at: Option<DateTime<Utc>>,
    pub documents: DocumentProgress,
    /// The last status Tradovate reported (the create's reply, then each check).
    pub status: Option<SubaccountStatus>,
    /// Tradovate's `message` (on `Denied`, the reason).
    pub message: Option<String>,
    pub last_checked: Option<DateTime<Utc>>,
    /// When `status` last changed (drives the polling pace).
    pub status_changed_at: Option<DateTime<Utc>>,
    /// Why the last status check failed, until one succeeds.
    pub check_error: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl Submission {
    /// A submission at `stage`, with nothing created and no document in.
    pub fn new(draft_id: &str, trader: TraderRef, route: DocumentRoute, stage: RequestStage) -> Submission {
        Submission {
            draft_id: draft_id.to_owned(),
            trader,
            route,
            stage,
            request_id: None,
            created_at: None,
            documents: DocumentProgress::default(),
            status: None,
            message: None,
            last_checked: None,
            status_changed_at: None,
            check_error: None,
            updated_at: Utc::now(),
        }
    }

    /// Approved or Denied: nothing more will happen.
    pub fn is_decided(&self) -> bool {
        self.status.is_some_and(SubaccountStatus::is_final)
    }

    /// True when "Submit" may be pressed again for this draft (nothing was created).
    pub fn may_submit_again(&self) -> bool {
        self.stage.allows_create()
    }

    /// True when the request exists and some document still has to go up.
    pub fn may_retry_documents(&self) -> bool {
        self.stage == RequestStage::Created && !self.documents.all_uploaded()
    }

    /// The wizard step to send the user to, when Tradovate refused the request.
    pub fn step_to_fix(&self) -> Option<Step> {
        match &self.stage {
            RequestStage::Refused { step, .. } => Some(*step),
            _ => None,
        }
    }

    /// The input to highlight, when Tradovate's refusal names one.
    pub fn field_to_fix(&self) -> Option<DraftField> {
        match &self.stage {
            RequestStage::Refused { error, .. } => field_for_server_error(error),
            _ => None,
        }
    }

    /// One line for the request list.
    pub fn headline(&self) -> String {
        let request = self.request_id.map(|id| format!("Request {id}: ")).unwrap_or_default();
        match &self.stage {
            RequestStage::PreUploading => "Uploading documents before creating the request".into(),
            RequestStage::Creating => "Sending the request to Tradovate".into(),
            RequestStage::NotSent { error } => format!("Not sent ({error}); you can submit again"),
            RequestStage::Refused { error, step } => {
                format!("Refused by Tradovate; fix the {} step: {error}", step.title())
            }
            RequestStage::OutcomeUnknown { detail } => format!("Outcome unknown ({detail}). {OUTCOME_UNKNOWN_ADVICE}"),
            RequestStage::Created => {
                let failed = self.documents.failed();
                if failed.is_empty() {
                    format!("{request}created; uploading documents")
                } else {
                    let names: Vec<&str> = failed.iter().map(|(t, _)| t.label()).collect();
                    format!("{request}created; upload failed for {}: retry them", names.join(", "))
                }
            }
            RequestStage::Submitted => match (self.status, &self.message) {
                (Some(SubaccountStatus::Denied), Some(message)) => format!("{request}Denied: {message}"),
                (Some(status), _) => format!("{request}{status:?}"),
                (None, _) => format!("{request}submitted"),
            },
        }
    }
}
