//! Replies Tradovate's docs leave open: a status reply with no status, and the words of a
//! refused re-upload to a filled slot.

use crate::support::*;
use propdesk::api::wire::DocumentType;
use propdesk::sandbox::{FilledSlotReply, SandboxConfig};
use propdesk::subaccount::{
    DocumentSlot, Prepared, RequestStage, SlotState, TrackError, prepare_request, refresh, retry_failed_documents,
    submit, to_upload,
};

const STATUS: &str = "customerApplication/getPartnerSubaccountRequestStatus";

#[tokio::test]
async fn a_status_reply_without_status_or_error_text_is_an_error_not_a_silent_pending() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let trader = create_trader(&client).await;
    let registry = registry();
    let s =
        submit(&client, &registry, &prepare_request("blank", &draft(trader), false).unwrap(), &quiet).await.unwrap();
    assert_eq!(s.stage, RequestStage::Submitted);
    let request_id = s.request_id.unwrap();

    sandbox.faults().reply_next_with(STATUS, serde_json::json!({}));
    let error = refresh(&client, &registry, request_id).await.expect_err("a blank reply is not an answer");
    assert!(matches!(error, TrackError::Api { .. }), "{error:?}");
    let shown = registry.by_request(request_id).unwrap().unwrap();
    let check_error = shown.check_error.expect("the list shows the failed check");
    assert!(check_error.contains("Unexpected reply"), "{check_error}");

    // The next real answer clears it.
    let s = refresh(&client, &registry, request_id).await.unwrap();
    assert!(s.check_error.is_none() && s.status.is_some());
}

#[tokio::test]
async fn a_refused_re_upload_counts_as_uploaded_whatever_words_the_refusal_uses() {
    for wording in [FilledSlotReply::Reworded, FilledSlotReply::ConflictCode] {
        let sandbox = sandbox_with(SandboxConfig { filled_slot_reply: wording, ..SandboxConfig::for_tests() }).await;
        let client = signed_in(&sandbox).await;
        let trader = create_trader(&client).await;
        let registry = registry();
        // The request is created with its power of attorney still to be chosen ...
        let full = draft(trader);
        let mut without_poa = full.documents.clone();
        without_poa.poa_form = DocumentSlot::ChooseAgain { file_name: "poa-form.pdf".into() };
        let checked = prepare_request("refill", &full, false).unwrap();
        let prepared = Prepared::new("refill", checked.trader.clone(), checked.request().clone(), without_poa, false);
        let s = submit(&client, &registry, &prepared, &quiet).await.unwrap();
        assert_eq!(s.stage, RequestStage::Created, "{wording:?}");
        // ... and that slot gets filled by an upload whose reply never reached Propdesk.
        let request_id = s.request_id.unwrap();
        client
            .submit_partner_subaccount_document(&to_upload(request_id, DocumentType::PoaForm, &pdf("poa.pdf")))
            .await
            .unwrap();

        let after = retry_failed_documents(&client, &registry, "refill", &full.documents, &quiet).await.unwrap();
        assert_eq!(after.documents.poa_form, SlotState::Uploaded { document_id: None }, "{wording:?}");
        assert_eq!(after.stage, RequestStage::Submitted, "{wording:?}");
        assert_eq!(sandbox.stats().calls(UPLOAD), 4, "{wording:?}: three uploads and the refused re-upload");
    }
}

#[tokio::test]
async fn a_create_refused_on_a_closed_session_is_sent_again_not_left_outcome_unknown() {
    let config = SandboxConfig { max_sessions_per_user: 2, closed_session_status: 500, ..SandboxConfig::for_tests() };
    let sandbox = sandbox_with(config).await;
    let client = signed_in(&sandbox).await;
    let trader = create_trader(&client).await;
    // Two logins of the same API user elsewhere close this client's session.
    for _ in 0..2 {
        signed_in(&sandbox).await;
    }
    let s =
        submit(&client, &registry(), &prepare_request("closed", &draft(trader), false).unwrap(), &quiet).await.unwrap();
    assert_eq!(s.stage, RequestStage::Submitted, "{}", s.headline());
    assert_eq!(sandbox.stats().subaccount_requests, 1, "created exactly once");
}
