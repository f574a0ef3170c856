use crate::support::*;
use propdesk::api::wire::{
    CreatePartnerSubaccountRequest, DocumentType, SubaccountStatus, SubmitCustomerApplicationDocument,
    SubmitPartnerSubaccountDocument, TradeDate,
};
use propdesk::api::{ApiError, Client, Secret};
use std::time::Duration;

fn request(cta_user_id: i64) -> CreatePartnerSubaccountRequest {
    // The seeds/004 example, with our trader.
    CreatePartnerSubaccountRequest {
        cta_user_id,
        risk_category_id: 3,
        margin_type: "Hedger".into(),
        transfer_amount: 5000.0,
        authorized_individual: true,
        first_name: "Emily".into(),
        last_name: "Johnson".into(),
        country: "US".into(),
        state: "NY".into(),
        street_address1: "123 Maple Avenue".into(),
        city: "Albany".into(),
        zip_code: "12207".into(),
        phone: "+1-518-555-0199".into(),
        citizenship: "US".into(),
        birth_date: TradeDate { year: 1985, month: 7, day: 14 },
        tax_identifier: Some(Secret::new("123456789")),
        ..Default::default()
    }
}

const PDF_URI: &str =
    "data:application/pdf;base64,JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK";

fn upload(request_id: i64, document_type: DocumentType) -> SubmitPartnerSubaccountDocument {
    SubmitPartnerSubaccountDocument {
        sub_account_request_id: request_id,
        document_type,
        base64_data: PDF_URI.into(),
        file_name: "document.pdf".into(),
    }
}

async fn wait_for_final(client: &Client, request_id: i64) -> (SubaccountStatus, Option<String>) {
    eventually(Duration::from_secs(10), || async {
        let reply = client.partner_subaccount_request_status(request_id).await.ok()?;
        let status = reply.status?;
        status.is_final().then_some((status, reply.message))
    })
    .await
    .expect("the request is decided")
}

#[tokio::test]
async fn a_request_with_three_documents_is_approved() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (user_id, _) = create_user(&client).await;
    let created = client.create_partner_subaccount_request(&request(user_id)).await.unwrap();
    let request_id = created.request_id.unwrap();
    assert_eq!(created.status, Some(SubaccountStatus::Pending));
    for document_type in DocumentType::ALL {
        let reply = client.submit_partner_subaccount_document(&upload(request_id, document_type)).await.unwrap();
        assert!(reply.ok);
    }
    let again = client.submit_partner_subaccount_document(&upload(request_id, DocumentType::Id)).await.unwrap_err();
    assert!(matches!(again, ApiError::Rejected { .. }), "a slot fills once: {again:?}");
    assert_eq!(wait_for_final(&client, request_id).await.0, SubaccountStatus::Approved);
}

#[tokio::test]
async fn a_minor_is_denied_with_a_message() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (user_id, _) = create_user(&client).await;
    let mut minor = request(user_id);
    let year = chrono::Datelike::year(&chrono::Utc::now()) - 16;
    minor.birth_date = TradeDate { year, month: 1, day: 1 };
    let request_id = client.create_partner_subaccount_request(&minor).await.unwrap().request_id.unwrap();
    for document_type in DocumentType::ALL {
        client.submit_partner_subaccount_document(&upload(request_id, document_type)).await.unwrap();
    }
    let (status, message) = wait_for_final(&client, request_id).await;
    assert_eq!(status, SubaccountStatus::Denied);
    assert!(message.unwrap_or_default().contains("18"));
}

#[tokio::test]
async fn server_side_rules_come_back_as_error_text() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let error = client.create_partner_subaccount_request(&request(987_654)).await.unwrap_err();
    assert!(matches!(error, ApiError::Rejected { .. }), "unknown ctaUserId: {error:?}");
    let (user_id, _) = create_user(&client).await;
    let mut partial = request(user_id);
    partial.poa_form_doc_id = Some(1);
    let error = client.create_partner_subaccount_request(&partial).await.unwrap_err();
    assert!(matches!(error, ApiError::Rejected { .. }), "partial document set: {error:?}");
    let unknown = client.partner_subaccount_request_status(424_242).await.unwrap_err();
    assert!(matches!(unknown, ApiError::Rejected { .. }));
}

#[tokio::test]
async fn documents_uploaded_first_can_be_linked() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (user_id, _) = create_user(&client).await;
    let mut ids = Vec::new();
    for document_type in DocumentType::ALL {
        let reply = client
            .submit_customer_application_document(&SubmitCustomerApplicationDocument {
                process: "SubAccountRequest".into(),
                document_type,
                base64_data: PDF_URI.into(),
                file_name: "document.pdf".into(),
                user_id: Some(user_id),
            })
            .await
            .unwrap();
        ids.push(reply.document_id.unwrap());
    }
    let bad = client
        .submit_customer_application_document(&SubmitCustomerApplicationDocument {
            process: "SubAccountRequest".into(),
            document_type: DocumentType::Id,
            base64_data: "not a data uri".into(),
            file_name: "document.pdf".into(),
            user_id: Some(user_id),
        })
        .await
        .unwrap_err();
    assert!(matches!(bad, ApiError::Rejected { .. }), "{bad:?}");
    let mut linked = request(user_id);
    linked.poa_form_doc_id = Some(ids[0]);
    linked.government_doc_id = Some(ids[1]);
    linked.address_doc_id = Some(ids[2]);
    let request_id = client.create_partner_subaccount_request(&linked).await.unwrap().request_id.unwrap();
    assert_eq!(wait_for_final(&client, request_id).await.0, SubaccountStatus::Approved);
}
