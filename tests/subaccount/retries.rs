//! Failures after the create: a failed upload is retried alone, a lost upload reply still
//! counts, and a create whose reply was lost is never sent again.

use crate::support::*;
use propdesk::api::ClientOptions;
use propdesk::api::wire::DocumentType;
use propdesk::subaccount::{
    DocumentSlot, OUTCOME_UNKNOWN_ADVICE, Prepared, RequestStage, SlotState, SubmissionJobs, SubmitError,
    prepare_request, retry_failed_documents, submit,
};
use std::sync::Arc;

#[tokio::test]
async fn a_failed_upload_is_retried_alone_without_a_second_request() {
    let sandbox = sandbox().await;
    // No automatic retries, so the client gives the 500 back instead of absorbing it.
    let client = signed_in_with(&sandbox, ClientOptions { retries: 0, ..fast_options() }).await;
    let trader = create_trader(&client).await;
    let registry = Arc::new(registry());
    let jobs = SubmissionJobs::new(client.clone(), registry.clone(), tokio::runtime::Handle::current());
    sandbox.faults().fail_next_with_500(UPLOAD);

    let the_draft = draft(trader);
    let s = jobs.start_submit(prepare_request("flaky", &the_draft, false).unwrap()).unwrap().wait().await.unwrap();
    assert_eq!(s.stage, RequestStage::Created, "{}", s.headline());
    let failed = s.documents.failed();
    assert_eq!(failed.len(), 1, "{:?}", s.documents);
    assert_eq!(failed[0].0, DocumentType::PoaForm);
    assert!(failed[0].1.contains("500"), "{}", failed[0].1);
    assert!(s.documents.government_id.is_uploaded() && s.documents.address_proof.is_uploaded());
    assert!(s.may_retry_documents());
    assert!(s.headline().contains("Power of attorney"), "{}", s.headline());

    let retried = jobs.start_retry_documents("flaky", the_draft.documents.clone()).unwrap().wait().await.unwrap();
    assert_eq!(retried.stage, RequestStage::Submitted);
    assert!(retried.documents.all_uploaded());
    let stats = sandbox.stats();
    assert_eq!(stats.calls(CREATE), 1, "the retry never creates a second request");
    assert_eq!(stats.subaccount_requests, 1);
    assert_eq!(stats.calls(UPLOAD), 4, "three uploads and one retry of the failed slot");

    // Nothing left to retry.
    let nothing = jobs.start_retry_documents("flaky", the_draft.documents).err().expect("refused");
    assert!(matches!(nothing, SubmitError::NothingToRetry(_)), "{nothing:?}");
}

#[tokio::test]
async fn a_file_not_chosen_again_fails_its_slot_only_and_is_retried_later() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let trader = create_trader(&client).await;
    let registry = registry();
    let full = draft(trader);
    let early = retry_failed_documents(&client, &registry, "restarted", &full.documents, &quiet).await.unwrap_err();
    assert_eq!(early, SubmitError::NotSubmitted, "nothing to retry before a submission");

    // As after a restart: the ID scan was not chosen again (files are never stored).
    let mut without_id = full.documents.clone();
    without_id.government_id = DocumentSlot::ChooseAgain { file_name: "passport.pdf".into() };
    let checked = prepare_request("restarted", &full, false).unwrap();
    let prepared = Prepared::new("restarted", checked.trader.clone(), checked.request().clone(), without_id, false);
    let s = submit(&client, &registry, &prepared, &quiet).await.unwrap();
    assert_eq!(s.stage, RequestStage::Created);
    let SlotState::Failed { error } = &s.documents.government_id else { panic!("{:?}", s.documents) };
    assert!(error.contains("Choose passport.pdf again"), "{error}");
    assert!(s.documents.poa_form.is_uploaded() && s.documents.address_proof.is_uploaded());
    assert_eq!(sandbox.stats().calls(UPLOAD), 2, "no call for the slot without a file");

    // With the file chosen again, only that slot is sent.
    let after = retry_failed_documents(&client, &registry, "restarted", &full.documents, &quiet).await.unwrap();
    assert_eq!(after.stage, RequestStage::Submitted, "{:?}", after.documents);
    assert!(after.documents.government_id.document_id().is_some());
    assert_eq!(after.documents.poa_form, s.documents.poa_form, "uploaded slots are left alone");
    let stats = sandbox.stats();
    assert_eq!(stats.calls(UPLOAD), 3);
    assert_eq!(stats.calls(CREATE), 1);
}

#[tokio::test]
async fn a_lost_upload_reply_counts_as_uploaded() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let trader = create_trader(&client).await;
    let registry = registry();
    // The server stores the first document, but its reply is lost: the client resends it and
    // Tradovate answers "already has a completed upload".
    sandbox.faults().lose_next_reply(UPLOAD);
    let s = submit(&client, &registry, &prepare_request("lost-upload", &draft(trader), false).unwrap(), &quiet)
        .await
        .unwrap();
    assert_eq!(s.stage, RequestStage::Submitted, "{:?}", s.documents);
    assert_eq!(s.documents.poa_form, SlotState::Uploaded { document_id: None });
    assert_eq!(sandbox.stats().calls(CREATE), 1);
    assert_eq!(sandbox.stats().calls(UPLOAD), 4);
}

#[tokio::test]
async fn a_lost_create_reply_is_never_sent_again() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let trader = create_trader(&client).await;
    let registry = Arc::new(registry());
    let jobs = SubmissionJobs::new(client.clone(), registry.clone(), tokio::runtime::Handle::current());
    sandbox.faults().lose_next_reply(CREATE);
    let the_draft = draft(trader);

    let s = jobs.start_submit(prepare_request("lost", &the_draft, false).unwrap()).unwrap().wait().await.unwrap();
    let RequestStage::OutcomeUnknown { detail } = &s.stage else { panic!("{:?}", s.stage) };
    assert!(!detail.is_empty());
    assert!(!s.may_submit_again() && !s.may_retry_documents());
    assert!(s.headline().contains(OUTCOME_UNKNOWN_ADVICE), "the list says what to do: {}", s.headline());
    assert_eq!(s.request_id, None);
    // The server did create it: exactly once.
    assert_eq!(sandbox.stats().subaccount_requests, 1);

    // Every way of sending it again is refused, and nothing reaches the server.
    let again = jobs.start_submit(prepare_request("lost", &the_draft, false).unwrap()).err().expect("refused");
    assert!(
        matches!(&again, SubmitError::AlreadySubmitted(s) if matches!(s.stage, RequestStage::OutcomeUnknown { .. }))
    );
    assert!(again.to_string().contains("contact Tradovate support"), "{again}");
    let again =
        submit(&client, &registry, &prepare_request("lost", &the_draft, false).unwrap(), &quiet).await.unwrap_err();
    assert!(matches!(again, SubmitError::AlreadySubmitted(_)));
    let retry = jobs.start_retry_documents("lost", the_draft.documents).err().expect("refused");
    assert!(matches!(retry, SubmitError::NothingToRetry(_)));
    assert_eq!(sandbox.stats().calls(CREATE), 1);
    assert_eq!(sandbox.stats().calls(UPLOAD), 0);
}

#[tokio::test]
async fn a_create_answered_with_500_is_not_resent_either() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let trader = create_trader(&client).await;
    let registry = registry();
    sandbox.faults().fail_next_with_500(CREATE);
    let prepared = prepare_request("five-hundred", &draft(trader), false).unwrap();
    let s = submit(&client, &registry, &prepared, &quiet).await.unwrap();
    assert!(matches!(s.stage, RequestStage::OutcomeUnknown { .. }), "a 5xx may hide a created request: {:?}", s.stage);
    assert!(submit(&client, &registry, &prepared, &quiet).await.is_err());
    assert_eq!(sandbox.stats().calls(CREATE), 1);
}
