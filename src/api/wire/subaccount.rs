use super::TradeDate;
use crate::api::secret::Secret;
use serde::{Deserialize, Serialize};

/// `customerApplication/createPartnerSubaccountRequest` (seeds/004: every field).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePartnerSubaccountRequest {
    pub cta_user_id: i64,
    pub risk_category_id: i64,
    /// `Hedger` or `Speculator`.
    pub margin_type: String,
    pub transfer_amount: f64,
    pub authorized_individual: bool,
    pub first_name: String,
    pub last_name: String,
    pub country: String,
    pub state: String,
    pub street_address1: String,
    pub city: String,
    pub zip_code: String,
    pub phone: String,
    pub citizenship: String,
    pub birth_date: TradeDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_liq_profile_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trader_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address2: Option<String>,
    /// SSN for US citizens: exactly 9 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_identifier: Option<Secret>,
    /// Required for non-US citizens: 2-64 alphanumeric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_id: Option<Secret>,
    #[serde(rename = "pOAFormDocId", default, skip_serializing_if = "Option::is_none")]
    pub poa_form_doc_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub government_doc_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_doc_id: Option<i64>,
}

/// Request status (seeds/004): Pending, Preapproved, InReview, InAMLReview, Approved, Denied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SubaccountStatus {
    #[default]
    Pending,
    Preapproved,
    InReview,
    InAMLReview,
    Approved,
    Denied,
}

impl SubaccountStatus {
    /// Approved and Denied are final: no further change will come.
    pub fn is_final(self) -> bool {
        matches!(self, SubaccountStatus::Approved | SubaccountStatus::Denied)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreatePartnerSubaccountResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<SubaccountStatus>,
}

/// The three document slots of a subaccount request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DocumentType {
    /// Power of attorney form.
    #[serde(rename = "POAForm")]
    PoaForm,
    /// Government ID.
    Id,
    /// Proof of address.
    AddressVerificationFAFTA,
}

impl DocumentType {
    pub const ALL: [DocumentType; 3] =
        [DocumentType::PoaForm, DocumentType::Id, DocumentType::AddressVerificationFAFTA];

    pub fn label(self) -> &'static str {
        match self {
            DocumentType::PoaForm => "Power of attorney",
            DocumentType::Id => "Government ID",
            DocumentType::AddressVerificationFAFTA => "Proof of address",
        }
    }
}

/// `customerApplication/submitPartnerSubaccountDocument`. JSON, not multipart;
/// `base64data` is a data URI. The filename field's name is UNCONFIRMED (reference 6.2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmitPartnerSubaccountDocument {
    pub sub_account_request_id: i64,
    pub document_type: DocumentType,
    #[serde(rename = "base64data")]
    pub base64_data: String,
    #[serde(rename = "filename")]
    pub file_name: String,
}

/// `customerApplication/submitCustomerApplicationDocument`: upload before the request
/// exists, then link the three IDs in `createPartnerSubaccountRequest`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmitCustomerApplicationDocument {
    /// Workflow: `SubAccountRequest`.
    pub process: String,
    pub document_type: DocumentType,
    #[serde(rename = "base64data")]
    pub base64_data: String,
    #[serde(rename = "filename")]
    pub file_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
}

/// Reply of both document uploads (3rd-party code shows `{ok, documentId, errorText}`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DocumentUploadResponse {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPartnerSubaccountRequestStatus {
    pub sub_account_request_id: i64,
}

/// On `Denied`, `message` says why (reference 6.4).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PartnerSubaccountRequestStatus {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<SubaccountStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
