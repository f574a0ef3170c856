//! A complete, valid draft for tests: the example of seeds/004.

use super::documents::DocumentFile;
use super::documents::fixtures::{JPEG, PDF, PNG};
use super::draft::{BirthDateInput, DocumentSlot, MarginType, SubaccountDraft};
use crate::api::secret::Secret;

/// The seeds/004 example, complete and valid.
pub(crate) fn emily() -> SubaccountDraft {
    let mut draft = SubaccountDraft::default();
    draft.trader.cta_user_id = "12345".into();
    draft.trader.display_name = "Emily Johnson".into();
    let identity = &mut draft.identity;
    identity.first_name = "Emily".into();
    identity.last_name = "Johnson".into();
    identity.citizenship = "US".into();
    identity.birth_date = BirthDateInput { year: "1985".into(), month: "7".into(), day: "14".into() };
    identity.tax_identifier = Secret::new("123-45-6789");
    let address = &mut draft.address;
    address.country = "US".into();
    address.state = "NY".into();
    address.street_address1 = "123 Maple Avenue".into();
    address.city = "Albany".into();
    address.zip_code = "12207".into();
    address.phone = "+1-518-555-0199".into();
    let account = &mut draft.account;
    account.risk_category_id = "3".into();
    account.margin_type = Some(MarginType::Hedger);
    account.transfer_amount = "5000".into();
    account.authorized_individual = Some(true);
    let documents = &mut draft.documents;
    documents.poa_form = DocumentSlot::File(DocumentFile::from_bytes("poa.pdf", PDF.to_vec()).unwrap());
    documents.government_id = DocumentSlot::File(DocumentFile::from_bytes("passport.jpg", JPEG.to_vec()).unwrap());
    documents.address_proof = DocumentSlot::File(DocumentFile::from_bytes("utility-bill.png", PNG.to_vec()).unwrap());
    draft
}
