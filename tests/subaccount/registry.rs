//! The registry on disk: it survives reopening, refuses a second create across restarts, settles
//! a create interrupted by a crash as "outcome unknown", and never holds secrets or files.

use crate::support::*;
use propdesk::api::wire::SubaccountStatus;
use propdesk::subaccount::{
    Claim, DocumentRoute, Registry, RequestStage, Submission, SubmissionJobs, SubmitError, TraderRef, prepare_request,
    submit,
};
use std::sync::Arc;

#[tokio::test]
async fn a_submitted_draft_stays_submitted_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("propdesk.sqlite");
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let trader = create_trader(&client).await;
    let the_draft = draft(trader);

    let submitted = {
        let registry = Registry::open(&path, "sandbox").unwrap();
        submit(&client, &registry, &prepare_request("kept", &the_draft, false).unwrap(), &quiet).await.unwrap()
    };
    assert_eq!(submitted.stage, RequestStage::Submitted);

    let registry = Arc::new(Registry::open(&path, "sandbox").unwrap());
    let back = registry.get("kept").unwrap().expect("the row survived");
    assert_eq!(back.request_id, submitted.request_id);
    assert_eq!(back.documents, submitted.documents);
    assert_eq!(back.trader, TraderRef { cta_user_id: trader, display_name: "Emily Johnson".into() });
    assert_eq!(back.status, Some(SubaccountStatus::Pending));
    assert_eq!(registry.list().unwrap().len(), 1);

    // A new app run refuses to submit it again.
    let jobs = SubmissionJobs::new(client.clone(), registry.clone(), tokio::runtime::Handle::current());
    let refused = jobs.start_submit(prepare_request("kept", &the_draft, false).unwrap()).err().expect("refused");
    assert!(matches!(refused, SubmitError::AlreadySubmitted(_)), "{refused:?}");
    assert_eq!(sandbox.stats().calls(CREATE), 1);

    // Tracking works from the reopened registry, and its result is kept too.
    let (decided, _) = track_until_decided(&client, &registry, submitted.request_id.unwrap()).await;
    drop(registry);
    let reopened = Registry::open(&path, "sandbox").unwrap();
    assert_eq!(reopened.get("kept").unwrap().unwrap().status, decided.status);
    assert!(reopened.get("kept").unwrap().unwrap().last_checked.is_some());
    // Other environments keep their own rows.
    assert!(Registry::open(&path, "production").unwrap().get("kept").unwrap().is_none());

    // Nothing secret or document-like was written: not the SSN, not the files' content.
    drop(reopened);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for secret in [SSN_SENT, SSN_TYPED, PDF_PAYLOAD, "%PDF"] {
            assert!(!text.contains(secret), "{secret} found on disk");
        }
    }
}

#[tokio::test]
async fn a_create_interrupted_by_a_crash_is_never_resent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("propdesk.sqlite");
    {
        // The row a run leaves when it dies between sending the create and reading the reply.
        let registry = Registry::open(&path, "sandbox").unwrap();
        let trader = TraderRef { cta_user_id: 5, display_name: "Emily Johnson".into() };
        let creating = Submission::new("crashed", trader, DocumentRoute::UploadAfterCreate, RequestStage::Creating);
        assert_eq!(registry.claim(&creating).unwrap(), Claim::Granted);
    }
    let registry = Registry::open(&path, "sandbox").unwrap();
    let s = registry.get("crashed").unwrap().unwrap();
    assert!(matches!(s.stage, RequestStage::OutcomeUnknown { .. }), "{:?}", s.stage);

    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let trader = create_trader(&client).await;
    let refused = submit(&client, &registry, &prepare_request("crashed", &draft(trader), false).unwrap(), &quiet).await;
    assert!(matches!(refused, Err(SubmitError::AlreadySubmitted(_))), "{refused:?}");
    assert_eq!(sandbox.stats().calls(CREATE), 0);
}
