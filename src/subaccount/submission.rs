//! Sending one draft to Tradovate: validate, create the request at most once, get the three
//! documents in (each slot on its own, retryable), and leave the rest to tracking.
//!
//! ```text
//! draft ─prepare_request─> Prepared ─submit─> [PreUploading] ─> Creating ─┬─> Created ─uploads─> Submitted
//!                                                                 ├─> Refused      (nothing created: fix, submit again)
//!                                                                 ├─> NotSent      (nothing created: submit again)
//!                                                                 └─> OutcomeUnknown (never resent)
//! ```
//!
//! The create is the one call that must never be repeated: it moves money from the master
//! account and Tradovate has no way to find a request by trader. So the registry row is moved to
//! `creating` *before* it is sent ([`Registry::claim`]), and a create whose reply was lost is
//! never resent. Uploads, by contrast, are safe to repeat: a slot fills once and a second upload
//! is refused as a duplicate, which we count as uploaded (`slot_already_filled`).
//!
//! The functions here return the [`Submission`] as it ended up, whatever happened to the request
//! (refused, outcome unknown, an upload failed): that is the state to show. [`SubmitError`] is
//! kept for "could not even start" (invalid draft, already submitted, already running).

use super::documents::{DocumentFile, to_customer_application_upload, to_upload};
use super::draft::{DocumentSlot, Documents, SubaccountDraft};
use super::fields::{DraftField, Step};
use super::progress::{DocumentRoute, RequestStage, SlotState, Submission, TraderRef};
use super::registry::{Claim, Registry, RegistryError};
use super::rules::{FieldProblem, to_request};
use super::server_errors::{field_for_refusal, step_for_server_error};
use crate::api::wire::{CreatePartnerSubaccountRequest, DocumentType, DocumentUploadResponse};
use crate::api::{ApiError, ApiResult, Client};
use chrono::Utc;

/// Why a submission (or a retry) could not start. Everything that happens *after* it started
/// is in the returned [`Submission`] instead.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SubmitError {
    /// The draft breaks rules the client can check; nothing was sent.
    #[error("The draft is not complete: {}", describe(.0))]
    Invalid(Vec<FieldProblem>),
    /// A job for this draft is running already.
    #[error("This request is already being sent")]
    AlreadyRunning,
    /// A create was made (or may have been) for this draft: it is never sent twice.
    #[error("{}", already_submitted(.0))]
    AlreadySubmitted(Box<Submission>),
    /// Nothing was submitted for this draft yet.
    #[error("This draft has not been submitted")]
    NotSubmitted,
    /// There is no document to retry in this state.
    #[error("{}", nothing_to_retry(.0))]
    NothingToRetry(Box<Submission>),
    #[error("{0}")]
    Registry(String),
    /// The job panicked (a bug; the crash report has the details). What Tradovate got is
    /// unknown until the next status check.
    #[error("Sending stopped unexpectedly ({0}); check the request's status before sending again")]
    Stopped(String),
}

impl From<RegistryError> for SubmitError {
    fn from(e: RegistryError) -> Self {
        SubmitError::Registry(e.to_string())
    }
}

impl SubmitError {
    /// The wizard step to show, when the error concerns one.
    pub fn step(&self) -> Option<Step> {
        match self {
            SubmitError::Invalid(problems) => problems.first().map(|p| p.field.step()),
            _ => None,
        }
    }
}

fn describe(problems: &[FieldProblem]) -> String {
    problems.iter().map(|p| format!("{}: {}", p.field.label(), p.message)).collect::<Vec<_>>().join("; ")
}

fn already_submitted(existing: &Submission) -> String {
    match (&existing.stage, existing.request_id) {
        (RequestStage::OutcomeUnknown { .. }, _) => {
            format!("This draft was sent once and the outcome is unknown. {}", super::progress::OUTCOME_UNKNOWN_ADVICE)
        }
        (RequestStage::Creating, _) => "This draft is being sent right now".into(),
        (_, Some(id)) => format!("This draft was already submitted as request {id}"),
        _ => "This draft was already submitted".into(),
    }
}

fn nothing_to_retry(existing: &Submission) -> String {
    match existing.stage {
        RequestStage::PreUploading | RequestStage::NotSent { .. } | RequestStage::Refused { .. } => {
            "The request does not exist yet: submit the draft again (documents already uploaded are reused)".into()
        }
        RequestStage::OutcomeUnknown { .. } => super::progress::OUTCOME_UNKNOWN_ADVICE.into(),
        _ => "Every document is in already".into(),
    }
}

/// A checked draft, ready to send. Holds the SSN or national ID and the files, in memory only.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub draft_id: String,
    pub trader: TraderRef,
    pub route: DocumentRoute,
    request: CreatePartnerSubaccountRequest,
    documents: Documents,
}

impl Prepared {
    /// A request built elsewhere (an import, a test). The route follows the request: with all
    /// three document IDs they are linked; otherwise the files in `documents` are uploaded after
    /// the create, or before it when `pre_upload`. Prefer [`prepare_request`], which checks the draft.
    pub fn new(
        draft_id: &str,
        trader: TraderRef,
        request: CreatePartnerSubaccountRequest,
        documents: Documents,
        pre_upload: bool,
    ) -> Prepared {
        let links = [request.poa_form_doc_id, request.government_doc_id, request.address_doc_id];
        let route = if links.iter().all(Option::is_some) {
            DocumentRoute::LinkTypedIds
        } else if pre_upload {
            DocumentRoute::PreUpload
        } else {
            DocumentRoute::UploadAfterCreate
        };
        Prepared { draft_id: draft_id.to_owned(), trader, route, request, documents }
    }

    /// The request that will be sent (for the Review page).
    pub fn request(&self) -> &CreatePartnerSubaccountRequest {
        &self.request
    }
}

/// Checks the draft and decides the route: typed document IDs are linked; files are uploaded
/// after the create, or before it when `pre_upload` (then the request links their IDs).
pub fn prepare_request(draft_id: &str, draft: &SubaccountDraft, pre_upload: bool) -> Result<Prepared, SubmitError> {
    let request = to_request(draft).map_err(SubmitError::Invalid)?;
    let route = if draft.documents.links_uploaded_documents() {
        DocumentRoute::LinkTypedIds
    } else if pre_upload {
        DocumentRoute::PreUpload
    } else {
        DocumentRoute::UploadAfterCreate
    };
    let typed_name = draft.trader.display_name.trim();
    let display_name = if typed_name.is_empty() {
        format!("{} {}", request.first_name, request.last_name)
    } else {
        typed_name.to_owned()
    };
    Ok(Prepared {
        draft_id: draft_id.to_owned(),
        trader: TraderRef { cta_user_id: request.cta_user_id, display_name },
        route,
        request,
        documents: draft.documents.clone(),
    })
}

/// Called with the whole submission after every change (for a progress channel).
pub type Report<'a> = &'a (dyn Fn(&Submission) + Send + Sync);

/// Submits the draft: at most one create per draft, ever (see the module comment).
pub async fn submit(
    client: &Client,
    registry: &Registry,
    prepared: &Prepared,
    report: Report<'_>,
) -> Result<Submission, SubmitError> {
    let existing = registry.get(&prepared.draft_id)?;
    if let Some(existing) = existing.as_ref().filter(|e| !e.stage.allows_create()) {
        return Err(SubmitError::AlreadySubmitted(Box::new(existing.clone())));
    }
    let mut s = Submission::new(&prepared.draft_id, prepared.trader.clone(), prepared.route, RequestStage::Creating);
    let mut request = prepared.request.clone();

    if prepared.route == DocumentRoute::PreUpload {
        s.stage = RequestStage::PreUploading;
        s.documents = reusable_pre_uploads(existing.as_ref(), prepared.trader.cta_user_id);
        claim(registry, &s)?;
        report(&s);
        pre_upload_missing(client, registry, &mut s, &prepared.documents, report).await?;
        if !s.documents.all_uploaded() {
            // Nothing was created; submitting again reuses the slots that made it.
            return Ok(s);
        }
        let ids = DocumentType::ALL.map(|t| s.documents.get(t).document_id());
        [request.poa_form_doc_id, request.government_doc_id, request.address_doc_id] = ids;
    }

    s.stage = RequestStage::Creating;
    s.updated_at = Utc::now();
    claim(registry, &s)?;
    report(&s);
    let reply = client.create_partner_subaccount_request(&request).await;
    let now = Utc::now();
    match reply {
        Ok(reply) => {
            s.request_id = reply.request_id;
            s.created_at = Some(now);
            s.status = reply.status;
            s.status_changed_at = Some(now);
            if prepared.route.links_documents() {
                let ids = [request.poa_form_doc_id, request.government_doc_id, request.address_doc_id];
                s.documents = super::progress::DocumentProgress::linked(ids);
                s.stage = RequestStage::Submitted;
            } else {
                s.stage = RequestStage::Created;
            }
        }
        Err(error) => s.stage = stage_after_failed_create(&error, &request),
    }
    s.updated_at = now;
    registry.save(&s)?;
    report(&s);
    if s.stage == RequestStage::Created {
        upload_missing(client, registry, &mut s, &prepared.documents, report).await?;
    }
    Ok(s)
}

/// Uploads every slot of a created request that is not in yet (waiting or failed), using the
/// files in `documents` (the draft's, chosen again after a restart). No create is ever made here.
pub async fn retry_failed_documents(
    client: &Client,
    registry: &Registry,
    draft_id: &str,
    documents: &Documents,
    report: Report<'_>,
) -> Result<Submission, SubmitError> {
    let mut s = registry.get(draft_id)?.ok_or(SubmitError::NotSubmitted)?;
    if !s.may_retry_documents() {
        return Err(SubmitError::NothingToRetry(Box::new(s)));
    }
    upload_missing(client, registry, &mut s, documents, report).await?;
    Ok(s)
}

fn claim(registry: &Registry, s: &Submission) -> Result<(), SubmitError> {
    match registry.claim(s)? {
        Claim::Granted => Ok(()),
        Claim::Refused(existing) => Err(SubmitError::AlreadySubmitted(existing)),
    }
}

/// Pre-uploaded documents from an earlier attempt that created nothing, unless Tradovate
/// refused the request over its documents (or it was for another trader).
fn reusable_pre_uploads(existing: Option<&Submission>, cta_user_id: i64) -> super::progress::DocumentProgress {
    let mut documents = super::progress::DocumentProgress::default();
    let Some(existing) = existing else { return documents };
    let refused_over_documents = matches!(existing.stage, RequestStage::Refused { step: Step::Documents, .. });
    if existing.route != DocumentRoute::PreUpload
        || existing.trader.cta_user_id != cta_user_id
        || refused_over_documents
    {
        return documents;
    }
    for t in DocumentType::ALL {
        if let SlotState::Uploaded { document_id: Some(id) } = existing.documents.get(t) {
            *documents.get_mut(t) = SlotState::Uploaded { document_id: Some(*id) };
        }
    }
    documents
}

/// Where a failed create leaves the draft. Only errors that prove the request was not applied
/// allow another create; anything else (a lost reply, a 5xx, an unreadable 200) may hide a
/// created request.
fn stage_after_failed_create(error: &ApiError, request: &CreatePartnerSubaccountRequest) -> RequestStage {
    match error {
        // A conflict is a refusal too: the server applied nothing.
        ApiError::Rejected { text } | ApiError::Conflict { text } => RequestStage::Refused {
            error: text.clone(),
            step: field_for_refusal(text, request).map_or(Step::Review, DraftField::step),
        },
        ApiError::Invalid { .. } => {
            let text = error.to_string();
            RequestStage::Refused { step: step_for_server_error(&text), error: text }
        }
        ApiError::Network { .. }
        | ApiError::BudgetExhausted { .. }
        | ApiError::LockedOut { .. }
        | ApiError::LockoutWarning { .. }
        | ApiError::Captcha { .. }
        | ApiError::SignedOut { .. }
        | ApiError::Unauthorized(_)
        | ApiError::NotFound(_) => RequestStage::NotSent { error: error.to_string() },
        ApiError::OutcomeUnknown { .. } | ApiError::Server { .. } | ApiError::Protocol { .. } | ApiError::Cancelled => {
            RequestStage::OutcomeUnknown { detail: error.to_string() }
        }
    }
}

fn file_for(documents: &Documents, document_type: DocumentType) -> Result<&DocumentFile, String> {
    match documents.slot(document_type) {
        DocumentSlot::File(file) => Ok(file),
        DocumentSlot::ChooseAgain { file_name } => {
            Err(format!("Choose {file_name} again: Propdesk does not keep document files after it closes"))
        }
        _ => Err(format!("Choose the {} file", document_type.label())),
    }
}

async fn upload_missing(
    client: &Client,
    registry: &Registry,
    s: &mut Submission,
    documents: &Documents,
    report: Report<'_>,
) -> Result<(), SubmitError> {
    let request_id = s.request_id.ok_or(SubmitError::NotSubmitted)?;
    for document_type in s.documents.missing() {
        let result = match file_for(documents, document_type) {
            Ok(file) => {
                set_slot(registry, s, document_type, SlotState::Uploading, report)?;
                let reply =
                    client.submit_partner_subaccount_document(&to_upload(request_id, document_type, file)).await;
                slot_after_upload(reply)
            }
            Err(message) => SlotState::Failed { error: message },
        };
        set_slot(registry, s, document_type, result, report)?;
    }
    if s.documents.all_uploaded() {
        s.stage = RequestStage::Submitted;
        s.updated_at = Utc::now();
        registry.save(s)?;
        report(s);
    }
    Ok(())
}

async fn pre_upload_missing(
    client: &Client,
    registry: &Registry,
    s: &mut Submission,
    documents: &Documents,
    report: Report<'_>,
) -> Result<(), SubmitError> {
    let user_id = s.trader.cta_user_id;
    for document_type in s.documents.missing() {
        let result = match file_for(documents, document_type) {
            Ok(file) => {
                set_slot(registry, s, document_type, SlotState::Uploading, report)?;
                let upload = to_customer_application_upload(document_type, file, Some(user_id));
                match client.submit_customer_application_document(&upload).await {
                    Ok(DocumentUploadResponse { document_id: Some(id), .. }) => {
                        SlotState::Uploaded { document_id: Some(id) }
                    }
                    // Linking needs the ID: without one the upload is of no use.
                    Ok(_) => SlotState::Failed { error: "Tradovate returned no document ID".into() },
                    Err(error) => SlotState::Failed { error: error.to_string() },
                }
            }
            Err(message) => SlotState::Failed { error: message },
        };
        set_slot(registry, s, document_type, result, report)?;
    }
    Ok(())
}

fn set_slot(
    registry: &Registry,
    s: &mut Submission,
    document_type: DocumentType,
    state: SlotState,
    report: Report<'_>,
) -> Result<(), SubmitError> {
    *s.documents.get_mut(document_type) = state;
    s.updated_at = Utc::now();
    registry.save(s)?;
    report(s);
    Ok(())
}

fn slot_after_upload(reply: ApiResult<DocumentUploadResponse>) -> SlotState {
    match reply {
        Ok(reply) if reply.ok || reply.document_id.is_some() => SlotState::Uploaded { document_id: reply.document_id },
        Ok(_) => SlotState::Failed { error: "Tradovate did not confirm the upload".into() },
        Err(error) if slot_already_filled(&error) => SlotState::Uploaded { document_id: None },
        Err(error) => SlotState::Failed { error: error.to_string() },
    }
}

/// Whether a refused upload says the slot holds a document already (an earlier upload of
/// ours got through, its reply lost). UNCONFIRMED: reference 6.2 says only that a slot
/// fills once; the refusal's wording is not documented. So no one sentence is relied on:
/// Tradovate's duplicate code (`ConflictWithExisting`) counts, and so does a refusal that
/// says "already"/"exists"/"duplicate" about an upload or a document. Anything else stays
/// a failed slot with the server's words, so a guess never marks a slot filled when a
/// request's own state was refused ("request … is already Denied").
fn slot_already_filled(error: &ApiError) -> bool {
    const DUPLICATE: [&str; 3] = ["already", "exists", "duplicate"];
    const SLOT: [&str; 4] = ["upload", "document", "slot", "file"];
    match error {
        ApiError::Conflict { .. } => true,
        ApiError::Rejected { text } => {
            let text = text.to_lowercase();
            DUPLICATE.iter().any(|w| text.contains(w)) && SLOT.iter().any(|w| text.contains(w))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_proof_of_no_effect_allows_another_create() {
        let request = CreatePartnerSubaccountRequest::default();
        let refused =
            stage_after_failed_create(&ApiError::Rejected { text: "Auto-liq profile not found".into() }, &request);
        assert_eq!(refused, RequestStage::Refused { error: "Auto-liq profile not found".into(), step: Step::Account });
        let offline = ApiError::Network { endpoint: "x".into(), detail: "connection failed".into() };
        assert!(stage_after_failed_create(&offline, &request).allows_create());
        for unsure in [
            ApiError::OutcomeUnknown { endpoint: "x".into(), detail: "connection lost".into() },
            ApiError::Server { endpoint: "x".into(), status: 502 },
            ApiError::Protocol { endpoint: "x".into(), detail: "no requestId".into() },
        ] {
            let stage = stage_after_failed_create(&unsure, &request);
            assert!(matches!(stage, RequestStage::OutcomeUnknown { .. }), "{unsure:?} → {stage:?}");
            assert!(!stage.allows_create());
        }
    }

    #[test]
    fn a_slot_filled_already_counts_as_uploaded() {
        let text = "Id already has a completed upload for request 100004".to_owned();
        assert_eq!(slot_after_upload(Err(ApiError::Rejected { text })), SlotState::Uploaded { document_id: None });
        let refused = slot_after_upload(Err(ApiError::Rejected { text: "base64data has no content".into() }));
        assert!(matches!(refused, SlotState::Failed { .. }));
        let decided = "Subaccount request 100004 is already Denied".to_owned();
        assert!(matches!(slot_after_upload(Err(ApiError::Rejected { text: decided })), SlotState::Failed { .. }));
        let ok = DocumentUploadResponse { ok: true, document_id: Some(5), error_text: None };
        assert_eq!(slot_after_upload(Ok(ok)), SlotState::Uploaded { document_id: Some(5) });
    }
}
