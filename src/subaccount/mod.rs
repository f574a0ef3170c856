//! The partner subaccount request (demo → live graduation): the wizard's draft, every rule of
//! `createPartnerSubaccountRequest` the client can check as the user types (seeds/004), and the
//! identity documents. No UI and no network: the UI draws from these types, and the request
//! flow sends what [`to_request`], [`to_upload`] and [`to_customer_application_upload`] build.

mod countries;
mod documents;
mod draft;
#[cfg(test)]
mod examples;
mod fields;
mod navigation;
mod rules;
mod text;

pub use countries::{code_for_name_or_alias, countries, country_name, normalize_country_code};
pub use documents::{
    DocumentFile, DocumentKind, DocumentProblem, MAX_BODY_BYTES, MAX_DATA_URI_CHARS, MAX_FILE_BYTES,
    MAX_FILE_NAME_CHARS, MIN_FILE_NAME_CHARS, SUBACCOUNT_REQUEST_PROCESS, UPLOAD_JSON_RESERVE, human_size,
    suggested_file_name, to_customer_application_upload, to_upload,
};
pub use draft::{
    AccountDetails, AddressDetails, BirthDateInput, DocumentSlot, Documents, IdentityDetails, MarginType,
    StorableDocuments, StorableDraft, StorableIdentity, StorableSlot, SubaccountDraft, TraderDetails,
};
pub use fields::{DraftField, Step};
pub use navigation::{field_is_blank, first_incomplete_step, next_blockers, summary};
pub use rules::{
    FieldProblem, MAX_COMBINED_NAME_CHARS, MIN_AGE_YEARS, check_all, check_all_on, check_step, check_step_on,
    to_request, to_request_on,
};
