//! Shared set-up: a sandbox, a signed-in client, a valid draft for a fresh trader.

use propdesk::api::wire::EvaluationUser;
use propdesk::api::{Client, Secret};
use propdesk::sandbox;
use propdesk::subaccount::{
    BirthDateInput, DocumentFile, DocumentSlot, MarginType, Registry, SubaccountDraft, Submission, refresh,
};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub const CREATE: &str = "customerApplication/createPartnerSubaccountRequest";
pub const UPLOAD: &str = "customerApplication/submitPartnerSubaccountDocument";
pub const STATUS: &str = "customerApplication/getPartnerSubaccountRequestStatus";
pub const PRE_UPLOAD: &str = "customerApplication/submitCustomerApplicationDocument";

/// The SSN of every test draft, as typed and as sent.
pub const SSN_TYPED: &str = "123-45-6789";
pub const SSN_SENT: &str = "123456789";

/// A tiny valid PDF (the same as the API tests use).
pub const PDF_URI: &str =
    "data:application/pdf;base64,JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK";
/// The PDF's base64 payload, to look for in files that must not hold document content.
pub const PDF_PAYLOAD: &str = "JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4";

// Signing in to a sandbox is the same as in the API tests.
#[path = "../api/support.rs"]
#[allow(dead_code)]
mod common;
pub use common::{fast_options, sandbox, sandbox_with, signed_in, signed_in_with};

static NEXT: AtomicU32 = AtomicU32::new(1);

/// A new trader of the firm; returns its user id.
pub async fn create_trader(client: &Client) -> i64 {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let pid = std::process::id() % 10_000;
    let user = EvaluationUser {
        name: format!("subtrader{pid}x{n}"),
        email: format!("subtrader{pid}x{n}@example.com"),
        password: Secret::new("Str0ng!Passw0rd"),
        first_name: "Emily".into(),
        last_name: "Johnson".into(),
        tradovate_subscription_plan_id: None,
        entitlement_ids: vec![],
    };
    let reply = client.create_evaluation_users(vec![user]).await.expect("batch accepted");
    reply.results[0].user_id.unwrap_or_else(|| panic!("user created: {:?}", reply.results[0]))
}

pub fn pdf(file_name: &str) -> DocumentFile {
    DocumentFile::from_data_uri(file_name, PDF_URI).expect("the test PDF is valid")
}

/// The seeds/004 example for this trader, complete and valid, with three PDF files.
pub fn draft(cta_user_id: i64) -> SubaccountDraft {
    let mut draft = SubaccountDraft::default();
    draft.trader.cta_user_id = cta_user_id.to_string();
    draft.trader.display_name = "Emily Johnson".into();
    let identity = &mut draft.identity;
    identity.first_name = "Emily".into();
    identity.last_name = "Johnson".into();
    identity.citizenship = "US".into();
    identity.birth_date = BirthDateInput { year: "1985".into(), month: "7".into(), day: "14".into() };
    identity.tax_identifier = Secret::new(SSN_TYPED);
    let address = &mut draft.address;
    address.country = "US".into();
    address.state = "NY".into();
    address.street_address1 = "123 Maple Avenue".into();
    address.city = "Albany".into();
    address.zip_code = "12207".into();
    address.phone = "+1-518-555-0199".into();
    let account = &mut draft.account;
    account.risk_category_id = sandbox::RISK_CATEGORY_ID.to_string();
    account.margin_type = Some(MarginType::Hedger);
    account.transfer_amount = "5000".into();
    account.authorized_individual = Some(true);
    let documents = &mut draft.documents;
    documents.poa_form = DocumentSlot::File(pdf("poa-form.pdf"));
    documents.government_id = DocumentSlot::File(pdf("passport.pdf"));
    documents.address_proof = DocumentSlot::File(pdf("utility-bill.pdf"));
    draft
}

static DRAFTS: AtomicU32 = AtomicU32::new(1);

/// A draft id no other test uses.
pub fn draft_id() -> String {
    format!("draft-{}", DRAFTS.fetch_add(1, Ordering::Relaxed))
}

pub fn registry() -> Registry {
    Registry::in_memory("sandbox").expect("in-memory registry")
}

/// No progress reporting.
pub fn quiet(_: &Submission) {}

/// Checks the request's status until it is decided (or 10 s pass); returns every status seen.
pub async fn track_until_decided(client: &Client, registry: &Registry, request_id: i64) -> (Submission, Vec<String>) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    loop {
        let s = refresh(client, registry, request_id).await.expect("the status check works");
        let status = format!("{:?}", s.status.expect("a status"));
        if seen.last() != Some(&status) {
            seen.push(status);
        }
        if s.is_decided() {
            return (s, seen);
        }
        assert!(tokio::time::Instant::now() < deadline, "not decided in time; seen {seen:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
