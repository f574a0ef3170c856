//! What the subaccount wizard collects, exactly as the user typed it.
//!
//! Every input is kept as text (or as "not answered yet" for choices), so nothing typed is lost
//! to a parse and half-finished drafts can be saved. The rules in `rules.rs` read this and say
//! what is wrong; `rules::to_request` turns a clean draft into the wire request.
//!
//! # Saving drafts
//! [`SubaccountDraft`] deliberately does **not** implement `Serialize`: its SSN and national ID
//! are [`Secret`]s, and a `Secret` serializes its real value (the wire needs it). Save drafts
//! through [`SubaccountDraft::to_storable`], which leaves out:
//! - the SSN and the national ID (the store keeps them encrypted separately and puts them back
//!   into `identity` after [`SubaccountDraft::from_storable`]);
//! - the bytes of chosen document files: a passport scan shows the passport number, so storing
//!   it in plain text would undo the point. Only the file name is kept, and the slot comes back
//!   as [`DocumentSlot::ChooseAgain`] so the wizard can ask for that file again.

use super::documents::DocumentFile;
use crate::api::secret::Secret;
use crate::api::wire::DocumentType;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Everything the wizard collects, grouped by step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SubaccountDraft {
    pub trader: TraderDetails,
    pub identity: IdentityDetails,
    pub address: AddressDetails,
    pub account: AccountDetails,
    pub documents: Documents,
}

/// Step 1: whose subaccount this is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TraderDetails {
    /// The trader's Tradovate user ID (`ctaUserId`).
    pub cta_user_id: String,
    /// For the wizard's title only; not sent.
    pub display_name: String,
}

/// Step 2: who the trader is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdentityDetails {
    pub first_name: String,
    pub last_name: String,
    /// Two-letter ISO code; decides which identifier is needed.
    pub citizenship: String,
    pub birth_date: BirthDateInput,
    /// The SSN (`taxIdentifier`), asked for US citizens.
    pub tax_identifier: Secret,
    /// `nationalId`, asked for everyone else.
    pub national_id: Secret,
}

impl IdentityDetails {
    /// True when the citizenship is the United States, so the SSN (not a national ID) is needed.
    pub fn needs_ssn(&self) -> bool {
        crate::countries::normalize_country_code(&self.citizenship) == Some("US")
    }
}

/// A date of birth as three text boxes (year, month, day).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BirthDateInput {
    pub year: String,
    pub month: String,
    pub day: String,
}

impl BirthDateInput {
    /// Fills the three boxes from a date picker.
    pub fn from_date(date: NaiveDate) -> BirthDateInput {
        BirthDateInput { year: date.year().to_string(), month: date.month().to_string(), day: date.day().to_string() }
    }

    pub fn is_blank(&self) -> bool {
        [&self.year, &self.month, &self.day].iter().all(|part| part.trim().is_empty())
    }
}

/// Step 3: where the trader lives.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddressDetails {
    pub country: String,
    pub state: String,
    pub street_address1: String,
    pub street_address2: String,
    pub city: String,
    pub zip_code: String,
    pub phone: String,
}

/// Step 4: the live account to open.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountDetails {
    pub risk_category_id: String,
    /// `None` until the user picks one.
    pub margin_type: Option<MarginType>,
    /// As typed: "5000", "5,000", "$5,000.00" are all fine.
    pub transfer_amount: String,
    /// `None` until the user answers; it is a required yes/no.
    pub authorized_individual: Option<bool>,
    /// Optional; blank means the organization's default auto-liquidation profile.
    pub auto_liq_profile_id: String,
    /// Optional note to Tradovate's reviewers.
    pub trader_reason: String,
}

/// `marginType`: exactly these two values on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MarginType {
    Hedger,
    Speculator,
}

impl MarginType {
    pub const ALL: [MarginType; 2] = [MarginType::Hedger, MarginType::Speculator];

    /// The value Tradovate expects.
    pub fn as_wire(self) -> &'static str {
        match self {
            MarginType::Hedger => "Hedger",
            MarginType::Speculator => "Speculator",
        }
    }

    /// Reads "hedger", " Speculator " and the like (for imports); anything else is `None`.
    pub fn parse(text: &str) -> Option<MarginType> {
        MarginType::ALL.into_iter().find(|m| m.as_wire().eq_ignore_ascii_case(text.trim()))
    }
}

/// Step 5: the three documents.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Documents {
    pub poa_form: DocumentSlot,
    pub government_id: DocumentSlot,
    pub address_proof: DocumentSlot,
}

impl Documents {
    pub fn slot(&self, document_type: DocumentType) -> &DocumentSlot {
        match document_type {
            DocumentType::PoaForm => &self.poa_form,
            DocumentType::Id => &self.government_id,
            DocumentType::AddressVerificationFAFTA => &self.address_proof,
        }
    }

    pub fn slot_mut(&mut self, document_type: DocumentType) -> &mut DocumentSlot {
        match document_type {
            DocumentType::PoaForm => &mut self.poa_form,
            DocumentType::Id => &mut self.government_id,
            DocumentType::AddressVerificationFAFTA => &mut self.address_proof,
        }
    }

    /// True when any slot holds a pre-uploaded document ID: then all three must (seeds/004).
    pub fn links_uploaded_documents(&self) -> bool {
        DocumentType::ALL.iter().any(|t| matches!(self.slot(*t), DocumentSlot::DocumentId(_)))
    }

    /// The files to send with `submitPartnerSubaccountDocument` once the request exists.
    pub fn files(&self) -> impl Iterator<Item = (DocumentType, &DocumentFile)> {
        DocumentType::ALL.into_iter().filter_map(|t| match self.slot(t) {
            DocumentSlot::File(file) => Some((t, file)),
            _ => None,
        })
    }
}

/// One document: nothing yet, a local file, or the ID of a document already uploaded with
/// `submitCustomerApplicationDocument`.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum DocumentSlot {
    #[default]
    Empty,
    File(DocumentFile),
    /// As typed.
    DocumentId(String),
    /// A file was chosen before Propdesk restarted; its bytes are never saved (see the module
    /// comment), so the user must choose it again.
    ChooseAgain {
        file_name: String,
    },
}

impl DocumentSlot {
    pub fn is_blank(&self) -> bool {
        match self {
            DocumentSlot::Empty | DocumentSlot::ChooseAgain { .. } => true,
            DocumentSlot::DocumentId(id) => id.trim().is_empty(),
            DocumentSlot::File(_) => false,
        }
    }
}

/// A draft safe to write to disk: no SSN, no national ID, no document bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorableDraft {
    pub trader: TraderDetails,
    pub identity: StorableIdentity,
    pub address: AddressDetails,
    pub account: AccountDetails,
    pub documents: StorableDocuments,
}

/// [`IdentityDetails`] without the SSN and national ID.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorableIdentity {
    pub first_name: String,
    pub last_name: String,
    pub citizenship: String,
    pub birth_date: BirthDateInput,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorableDocuments {
    pub poa_form: StorableSlot,
    pub government_id: StorableSlot,
    pub address_proof: StorableSlot,
}

/// [`DocumentSlot`] without file contents.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum StorableSlot {
    #[default]
    Empty,
    /// A local file was chosen; only its name is kept.
    File {
        file_name: String,
    },
    DocumentId {
        document_id: String,
    },
}

impl SubaccountDraft {
    /// The draft without its secrets and document bytes (see the module comment). The SSN and
    /// national ID are left for the store to keep encrypted: read them from `self.identity`.
    pub fn to_storable(&self) -> StorableDraft {
        let identity = &self.identity;
        StorableDraft {
            trader: self.trader.clone(),
            identity: StorableIdentity {
                first_name: identity.first_name.clone(),
                last_name: identity.last_name.clone(),
                citizenship: identity.citizenship.clone(),
                birth_date: identity.birth_date.clone(),
            },
            address: self.address.clone(),
            account: self.account.clone(),
            documents: StorableDocuments {
                poa_form: storable_slot(&self.documents.poa_form),
                government_id: storable_slot(&self.documents.government_id),
                address_proof: storable_slot(&self.documents.address_proof),
            },
        }
    }

    /// A draft from disk. The SSN and national ID come back empty; the store sets
    /// `identity.tax_identifier` and `identity.national_id` from its encrypted copy.
    /// Chosen files come back as [`DocumentSlot::ChooseAgain`].
    pub fn from_storable(stored: StorableDraft) -> SubaccountDraft {
        let StorableDraft { trader, identity, address, account, documents } = stored;
        SubaccountDraft {
            trader,
            identity: IdentityDetails {
                first_name: identity.first_name,
                last_name: identity.last_name,
                citizenship: identity.citizenship,
                birth_date: identity.birth_date,
                tax_identifier: Secret::default(),
                national_id: Secret::default(),
            },
            address,
            account,
            documents: Documents {
                poa_form: restored_slot(documents.poa_form),
                government_id: restored_slot(documents.government_id),
                address_proof: restored_slot(documents.address_proof),
            },
        }
    }
}

fn storable_slot(slot: &DocumentSlot) -> StorableSlot {
    match slot {
        DocumentSlot::Empty => StorableSlot::Empty,
        DocumentSlot::File(file) => StorableSlot::File { file_name: file.file_name().to_owned() },
        DocumentSlot::ChooseAgain { file_name } => StorableSlot::File { file_name: file_name.clone() },
        DocumentSlot::DocumentId(id) => StorableSlot::DocumentId { document_id: id.clone() },
    }
}

fn restored_slot(slot: StorableSlot) -> DocumentSlot {
    match slot {
        StorableSlot::Empty => DocumentSlot::Empty,
        StorableSlot::File { file_name } => DocumentSlot::ChooseAgain { file_name },
        StorableSlot::DocumentId { document_id } => DocumentSlot::DocumentId(document_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subaccount::examples::emily;

    const SSN: &str = "123-45-6789";
    const NATIONAL_ID: &str = "L01X00T47";

    fn with_both_secrets() -> SubaccountDraft {
        let mut draft = emily();
        draft.identity.tax_identifier = Secret::new(SSN);
        draft.identity.national_id = Secret::new(NATIONAL_ID);
        draft.documents.address_proof = DocumentSlot::DocumentId("77".into());
        draft
    }

    #[test]
    fn the_storable_draft_never_contains_the_ssn_or_national_id() {
        let json = serde_json::to_string(&with_both_secrets().to_storable()).unwrap();
        for secret in [SSN, "123456789", "6789", NATIONAL_ID] {
            assert!(!json.contains(secret), "{secret} found in {json}");
        }
        // Nor any document content: only the file names.
        assert!(json.contains("passport.jpg"));
        assert!(!json.contains("JFIF") && !json.contains("%PDF"), "{json}");
    }

    #[test]
    fn a_stored_draft_comes_back_without_secrets_and_asks_for_files_again() {
        let original = with_both_secrets();
        let json = serde_json::to_string(&original.to_storable()).unwrap();
        let restored = SubaccountDraft::from_storable(serde_json::from_str(&json).unwrap());
        assert_eq!(restored.trader, original.trader);
        assert_eq!(restored.address, original.address);
        assert_eq!(restored.account, original.account);
        assert_eq!(restored.identity.first_name, "Emily");
        assert_eq!(restored.identity.birth_date, original.identity.birth_date);
        assert!(restored.identity.tax_identifier.is_empty() && restored.identity.national_id.is_empty());
        assert_eq!(restored.documents.poa_form, DocumentSlot::ChooseAgain { file_name: "poa.pdf".into() });
        assert_eq!(restored.documents.address_proof, DocumentSlot::DocumentId("77".into()));
        // Storing the restored draft again keeps the file names.
        assert_eq!(restored.to_storable(), original.to_storable());
    }

    #[test]
    fn old_or_partial_drafts_still_load() {
        let restored: StorableDraft = serde_json::from_str(r#"{"trader":{"cta_user_id":"1"}}"#).unwrap();
        assert_eq!(restored.trader.cta_user_id, "1");
        assert_eq!(SubaccountDraft::from_storable(restored).account, AccountDetails::default());
    }

    #[test]
    fn debug_never_shows_the_ssn_or_national_id() {
        let shown = format!("{:?} {:#?}", with_both_secrets(), with_both_secrets());
        for secret in [SSN, "123456789", NATIONAL_ID] {
            assert!(!shown.contains(secret), "{secret} found in {shown}");
        }
        assert!(shown.contains("Emily"));
    }

    #[test]
    fn needs_ssn_follows_the_citizenship() {
        let mut identity = IdentityDetails { citizenship: " us".into(), ..IdentityDetails::default() };
        assert!(identity.needs_ssn());
        identity.citizenship = "CA".into();
        assert!(!identity.needs_ssn());
    }
}
