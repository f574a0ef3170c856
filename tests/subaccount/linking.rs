//! The linking path: the request is created with three document IDs and nothing is uploaded
//! to it afterwards.

use crate::support::*;
use propdesk::api::wire::{DocumentType, SubaccountStatus};
use propdesk::subaccount::{
    DocumentRoute, DocumentSlot, RequestStage, prepare_request, submit, to_customer_application_upload,
};

#[tokio::test]
async fn three_typed_document_ids_are_linked() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let trader = create_trader(&client).await;
    let mut ids = Vec::new();
    for (t, name) in DocumentType::ALL.into_iter().zip(["poa-form.pdf", "passport.pdf", "utility-bill.pdf"]) {
        let upload = to_customer_application_upload(t, &pdf(name), Some(trader));
        ids.push(client.submit_customer_application_document(&upload).await.unwrap().document_id.unwrap());
    }
    let mut typed = draft(trader);
    typed.documents.poa_form = DocumentSlot::DocumentId(ids[0].to_string());
    typed.documents.government_id = DocumentSlot::DocumentId(ids[1].to_string());
    typed.documents.address_proof = DocumentSlot::DocumentId(format!(" {} ", ids[2]));
    let registry = registry();
    let prepared = prepare_request("typed", &typed, false).unwrap();
    assert_eq!(prepared.route, DocumentRoute::LinkTypedIds);
    let s = submit(&client, &registry, &prepared, &quiet).await.unwrap();
    assert_eq!(s.stage, RequestStage::Submitted, "{}", s.headline());
    for (i, t) in DocumentType::ALL.into_iter().enumerate() {
        assert_eq!(s.documents.get(t).document_id(), Some(ids[i]), "{t:?}");
    }
    let stats = sandbox.stats();
    assert_eq!(stats.calls(CREATE), 1);
    assert_eq!(stats.calls(UPLOAD), 0, "linked documents are not uploaded again");
    let (decided, _) = track_until_decided(&client, &registry, s.request_id.unwrap()).await;
    assert_eq!(decided.status, Some(SubaccountStatus::Approved));
}

#[tokio::test]
async fn files_can_be_pre_uploaded_then_linked() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let trader = create_trader(&client).await;
    let registry = registry();
    let prepared = prepare_request("pre", &draft(trader), true).unwrap();
    assert_eq!(prepared.route, DocumentRoute::PreUpload);
    let stages = std::sync::Mutex::new(Vec::new());
    let report = |s: &propdesk::subaccount::Submission| {
        let mut stages = stages.lock().unwrap();
        if stages.last() != Some(&s.stage) {
            stages.push(s.stage.clone());
        }
    };
    let s = submit(&client, &registry, &prepared, &report).await.unwrap();
    assert_eq!(
        *stages.lock().unwrap(),
        vec![RequestStage::PreUploading, RequestStage::Creating, RequestStage::Submitted]
    );
    assert!(s.documents.all_uploaded());
    let stats = sandbox.stats();
    assert_eq!(stats.calls(PRE_UPLOAD), 3);
    assert_eq!(stats.calls(UPLOAD), 0);
    assert_eq!(stats.calls(CREATE), 1);
    let (decided, _) = track_until_decided(&client, &registry, s.request_id.unwrap()).await;
    assert_eq!(decided.status, Some(SubaccountStatus::Approved));
}

#[tokio::test]
async fn a_refused_pre_uploaded_request_reuses_its_documents_when_submitted_again() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let trader = create_trader(&client).await;
    let registry = registry();
    let mut spoiled = draft(trader);
    spoiled.account.auto_liq_profile_id = "424242".into();
    let s = submit(&client, &registry, &prepare_request("pre-again", &spoiled, true).unwrap(), &quiet).await.unwrap();
    assert!(matches!(s.stage, RequestStage::Refused { .. }), "{:?}", s.stage);
    assert_eq!(sandbox.stats().calls(PRE_UPLOAD), 3);

    let client = signed_in(&sandbox).await; // a fresh back-off
    let s =
        submit(&client, &registry, &prepare_request("pre-again", &draft(trader), true).unwrap(), &quiet).await.unwrap();
    assert_eq!(s.stage, RequestStage::Submitted, "{}", s.headline());
    assert_eq!(sandbox.stats().calls(PRE_UPLOAD), 3, "the documents already up are reused");
    assert_eq!(sandbox.stats().calls(CREATE), 2);
    assert_eq!(sandbox.stats().subaccount_requests, 1);
}
