//! The whole path: create, three uploads, status until decided; and jobs that refuse doubling.

use crate::support::*;
use propdesk::api::wire::{SubaccountStatus, TradeDate};
use propdesk::subaccount::{
    DocumentRoute, PollPace, Prepared, RequestStage, SlotState, SubmissionEvent, SubmissionJobs, SubmitError,
    next_poll_at, prepare_request, submit,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[tokio::test]
async fn a_draft_is_created_uploaded_and_approved_as_a_polled_job() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let trader = create_trader(&client).await;
    let registry = Arc::new(registry());
    let jobs = SubmissionJobs::new(client.clone(), registry.clone(), tokio::runtime::Handle::current());
    let repaints = Arc::new(AtomicUsize::new(0));
    let counter = repaints.clone();
    jobs.set_repaint(move || {
        counter.fetch_add(1, Ordering::Relaxed);
    });

    let draft_id = draft_id();
    let prepared = prepare_request(&draft_id, &draft(trader), false).expect("the draft is valid");
    assert_eq!(prepared.route, DocumentRoute::UploadAfterCreate);
    let mut handle = jobs.start_submit(prepared).expect("the job starts");
    let mut stages = Vec::new();
    let mut uploading_seen = 0;
    let mut failures_seen = 0;
    while let Some(event) = handle.next_event().await {
        match event {
            SubmissionEvent::Updated(s) => {
                if stages.last() != Some(&s.stage) {
                    stages.push(s.stage.clone());
                }
                failures_seen += s.documents.failed().len();
                let slots = [s.documents.poa_form, s.documents.government_id, s.documents.address_proof];
                uploading_seen += slots.iter().filter(|slot| **slot == SlotState::Uploading).count();
            }
            SubmissionEvent::Finished(_) => break,
        }
    }
    assert_eq!(stages, vec![RequestStage::Creating, RequestStage::Created, RequestStage::Submitted]);
    assert_eq!(uploading_seen, 3, "each slot is reported while it uploads");
    assert_eq!(failures_seen, 0);
    let done = handle.outcome().expect("finished").clone().expect("submitted");
    assert!(!jobs.is_running(&draft_id), "the job frees the draft when it ends");
    assert!(repaints.load(Ordering::Relaxed) >= 8, "every change asks for a repaint");

    let request_id = done.request_id.expect("a request id");
    assert_eq!(done.status, Some(SubaccountStatus::Pending));
    for t in propdesk::api::wire::DocumentType::ALL {
        assert!(done.documents.get(t).document_id().is_some(), "{t:?} has its document id");
    }
    let stats = sandbox.stats();
    assert_eq!(stats.calls(CREATE), 1);
    assert_eq!(stats.calls(UPLOAD), 3);

    // The list is polled until Tradovate decides, then polling stops.
    assert!(next_poll_at(&done, true).is_some());
    assert_eq!(next_poll_at(&done, false), None, "no polling while the list is hidden");
    let (decided, seen) = track_until_decided(&client, &registry, request_id).await;
    assert_eq!(decided.status, Some(SubaccountStatus::Approved), "{seen:?}");
    assert!(seen.len() >= 2, "the status advanced through review: {seen:?}");
    assert_eq!(next_poll_at(&decided, true), None, "a decided request is not polled");
    assert_eq!(sandbox.subaccount_status(request_id), Some(SubaccountStatus::Approved));
    assert_eq!(registry.get(&draft_id).unwrap().unwrap().status, Some(SubaccountStatus::Approved));

    // Submitting the same draft again is refused and sends nothing.
    let again = prepare_request(&draft_id, &draft(trader), false).unwrap();
    let refused = jobs.start_submit(again.clone()).err().expect("a second submit is refused");
    assert!(matches!(&refused, SubmitError::AlreadySubmitted(s) if s.request_id == Some(request_id)), "{refused:?}");
    assert!(refused.to_string().contains(&request_id.to_string()), "{refused}");
    let refused = submit(&client, &registry, &again, &quiet).await.unwrap_err();
    assert!(matches!(refused, SubmitError::AlreadySubmitted(_)));
    assert_eq!(sandbox.stats().calls(CREATE), 1);
}

#[tokio::test]
async fn a_minor_is_denied_and_the_reason_is_kept() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let trader = create_trader(&client).await;
    let registry = registry();
    // The wizard refuses minors itself, so the request is built directly (as an import would).
    let checked = prepare_request("minor", &draft(trader), false).unwrap();
    let mut request = checked.request().clone();
    let year = chrono::Datelike::year(&chrono::Utc::now()) - 16;
    request.birth_date = TradeDate { year, month: 1, day: 1 };
    let documents = draft(trader).documents;
    let prepared = Prepared::new("minor", checked.trader.clone(), request, documents, false);
    let s = submit(&client, &registry, &prepared, &quiet).await.unwrap();
    assert_eq!(s.stage, RequestStage::Submitted);
    let (decided, seen) = track_until_decided(&client, &registry, s.request_id.unwrap()).await;
    assert_eq!(decided.status, Some(SubaccountStatus::Denied), "{seen:?}");
    assert_eq!(decided.message.as_deref(), Some(propdesk::sandbox::MINOR_DENIAL));
    assert!(decided.headline().contains(propdesk::sandbox::MINOR_DENIAL), "{}", decided.headline());
    // The reason survives in the registry, and another check keeps it.
    let stored = registry.get("minor").unwrap().unwrap();
    assert_eq!(stored.message.as_deref(), Some(propdesk::sandbox::MINOR_DENIAL));
    let again = propdesk::subaccount::refresh(&client, &registry, s.request_id.unwrap()).await.unwrap();
    assert_eq!(again.message.as_deref(), Some(propdesk::sandbox::MINOR_DENIAL));
}

#[tokio::test]
async fn a_second_start_for_a_running_draft_is_refused() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let trader = create_trader(&client).await;
    let jobs = SubmissionJobs::new(client, Arc::new(registry()), tokio::runtime::Handle::current());
    // Hold the create on the server so the first job is surely still running.
    sandbox.faults().delay_next(CREATE, std::time::Duration::from_millis(500));
    let first =
        jobs.start_submit(prepare_request("busy", &draft(trader), false).unwrap()).expect("the first job starts");
    assert!(jobs.is_running("busy"));
    let second = jobs.start_submit(prepare_request("busy", &draft(trader), false).unwrap()).err().expect("refused");
    assert!(
        matches!(second, SubmitError::AlreadyRunning | SubmitError::AlreadySubmitted(_)),
        "a running draft is not started twice: {second:?}"
    );
    let done = first.wait().await.expect("the first job ends");
    assert_eq!(done.stage, RequestStage::Submitted);
    assert_eq!(sandbox.stats().calls(CREATE), 1);
    assert_eq!(sandbox.stats().subaccount_requests, 1);
}

#[tokio::test]
async fn status_checks_start_as_jobs_only_when_due() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let trader = create_trader(&client).await;
    let registry = Arc::new(registry());
    let jobs = SubmissionJobs::new(client, registry.clone(), tokio::runtime::Handle::current());
    let s = jobs.start_submit(prepare_request("polled", &draft(trader), false).unwrap()).unwrap().wait().await.unwrap();
    let request_id = s.request_id.unwrap();
    let pace = PollPace::default();
    let due = jobs.start_due_checks(pace);
    assert!(due.started.is_empty(), "the create's reply is fresh: the first check is 30 s later");
    let wait = (due.next_at.expect("a next check is planned") - chrono::Utc::now()).num_seconds();
    assert!((29..=30).contains(&wait), "the next check is 30 s away, not {wait} s");

    // As if 31 s had passed.
    let mut aged = registry.get("polled").unwrap().unwrap();
    let earlier = chrono::Utc::now() - chrono::Duration::seconds(31);
    aged.created_at = Some(earlier);
    aged.status_changed_at = Some(earlier);
    registry.save(&aged).unwrap();
    assert_eq!(jobs.start_due_checks(pace).started.len(), 1);
    assert!(jobs.start_due_checks(pace).started.is_empty(), "a check running or just made is not doubled");
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while registry.get("polled").unwrap().unwrap().last_checked.is_none() {
        assert!(tokio::time::Instant::now() < deadline, "the check ran");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let checked = jobs.start_check("polled", request_id).expect("a manual check starts").wait().await.unwrap();
    assert!(checked.last_checked.is_some() && checked.check_error.is_none());
    assert_eq!(sandbox.stats().calls(STATUS), 2);
}

/// The open list's watch checks on its own until the request is decided, reports each check,
/// and stops asking Tradovate once it is dropped (the list closed).
#[tokio::test]
async fn a_status_watch_reports_checks_until_approved_and_stops_when_dropped() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let trader = create_trader(&client).await;
    let registry = Arc::new(registry());
    let jobs = SubmissionJobs::new(client.clone(), registry.clone(), tokio::runtime::Handle::current());
    let repaints = Arc::new(AtomicUsize::new(0));
    let counter = repaints.clone();
    jobs.set_repaint(move || {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    jobs.start_submit(prepare_request("watched", &draft(trader), false).unwrap()).unwrap().wait().await.unwrap();

    let mut watch = jobs.watch_statuses(PollPace::every(std::time::Duration::from_millis(50)));
    let approved = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        loop {
            let s = watch.next_checked().await.expect("the watch runs");
            if s.status == Some(SubaccountStatus::Approved) {
                return s;
            }
        }
    })
    .await
    .expect("the watch reaches Approved on its own");
    assert_eq!(approved.draft_id, "watched");
    assert!(repaints.load(Ordering::Relaxed) > 0, "each reported check asks for a repaint");
    let checks = sandbox.stats().calls(STATUS);
    assert!(checks >= 2, "checked every 50 ms until decided: {checks}");

    // Decided: no more checks, even with the watch still open.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sandbox.stats().calls(STATUS), checks, "an approved request is not polled");
    drop(watch);

    // A fresh, undecided request: the watch polls it, and stops once dropped.
    let trader = create_trader(&client).await;
    jobs.start_submit(prepare_request("closed", &draft(trader), false).unwrap()).unwrap().wait().await.unwrap();
    let watch = jobs.watch_statuses(PollPace::every(std::time::Duration::from_millis(50)));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    drop(watch);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let at_close = sandbox.stats().calls(STATUS);
    assert!(at_close > checks, "the second watch checked");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sandbox.stats().calls(STATUS), at_close, "no checks once the list is closed");
}
