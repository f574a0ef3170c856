//! The partner subaccount request (demo → live graduation): the wizard's draft, every rule of
//! `createPartnerSubaccountRequest` the client can check as the user types (seeds/004), and the
//! identity documents, which need no UI and no network; then sending it: `submission` (create
//! once, upload the documents), `registry` (nothing is sent twice, even across restarts),
//! `tracking` (status until decided), `server_errors` (a refusal → the wizard step to fix)
//! and `jobs` (all of it as background jobs a screen can poll).

mod documents;
mod draft;
#[cfg(test)]
mod examples;
mod fields;
mod jobs;
mod navigation;
mod progress;
mod registry;
mod rules;
pub mod saved_draft;
mod server_errors;
mod submission;
mod text;
mod tracking;

pub use crate::countries::{code_for_name_or_alias, countries, country_name, normalize_country_code};
pub(crate) use documents::thousands;
pub use documents::{
    DocumentFile, DocumentKind, DocumentProblem, MAX_BODY_BYTES, MAX_DATA_URI_CHARS, MAX_FILE_BYTES,
    MAX_FILE_NAME_CHARS, MIN_FILE_NAME_CHARS, SUBACCOUNT_REQUEST_PROCESS, UPLOAD_JSON_RESERVE, check_document_size,
    human_size, suggested_file_name, to_customer_application_upload, to_upload,
};
pub use draft::{
    AccountDetails, AddressDetails, BirthDateInput, DocumentSlot, Documents, IdentityDetails, MarginType,
    StorableDocuments, StorableDraft, StorableIdentity, StorableSlot, SubaccountDraft, TraderDetails,
};
pub use fields::{DraftField, Step};
pub use jobs::{StatusWatch, SubmissionEvent, SubmissionHandle, SubmissionJobs};
pub use navigation::{field_is_blank, first_incomplete_step, next_blockers, summary};
pub use progress::{
    DocumentProgress, DocumentRoute, OUTCOME_UNKNOWN_ADVICE, RequestStage, SlotState, Submission, TraderRef,
};
pub use registry::{Claim, Registry, RegistryError, RegistryResult};
pub use rules::{
    FieldProblem, MAX_COMBINED_NAME_CHARS, MIN_AGE_YEARS, check_all, check_all_on, check_step, check_step_on,
    to_request, to_request_on,
};
pub use server_errors::{field_for_refusal, field_for_server_error, step_for_server_error};
pub use submission::{Prepared, Report, SubmitError, prepare_request, retry_failed_documents, submit};
pub use tracking::{POLL_LATER, POLL_SOON, PollPace, RECENT_CHANGE, TrackError, next_poll_at, poll_due, refresh};
