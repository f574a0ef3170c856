//! One test suite, run against both backends: what submissions and tracking rely on must
//! hold for the local file and the team's PostgreSQL database alike. Each test opens
//! several [`Registry`]s on one store, as separate processes (or admins) would.

use super::{Claim, Registry, TEAM_SETTLE_AFTER};
use crate::api::wire::SubaccountStatus;
use crate::onboarding::journal::test_database::fresh_postgres_journal;
use crate::subaccount::fields::Step;
use crate::subaccount::progress::{DocumentRoute, RequestStage, SlotState, Submission, TraderRef};
use chrono::Utc;
use std::sync::Arc;

/// Opens registries on one store (a file, or a schema of the test server).
struct Store {
    open: Box<dyn Fn(&str) -> Registry + Send + Sync>,
    /// How long a row must be left alone before opening settles it as interrupted.
    settles_after: chrono::Duration,
    _dir: Option<tempfile::TempDir>,
}

impl Store {
    fn registry(&self, environment: &str) -> Registry {
        (self.open)(environment)
    }
}

fn sqlite(_label: &str) -> Option<Store> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("subaccounts.sqlite");
    Some(Store {
        open: Box::new(move |environment| Registry::open(&path, environment).unwrap()),
        settles_after: chrono::Duration::zero(),
        _dir: Some(dir),
    })
}

fn postgres(label: &str) -> Option<Store> {
    let url = fresh_postgres_journal(label)?;
    Some(Store {
        open: Box::new(move |environment| Registry::open_postgres(&url, environment).unwrap()),
        settles_after: TEAM_SETTLE_AFTER,
        _dir: None,
    })
}

/// Instantiates every test of the suite for one backend.
macro_rules! suite {
    ($backend:ident) => {
        mod $backend {
            use super::*;

            fn store(label: &str) -> Option<Store> {
                super::$backend(&format!("registry_{}_{label}", stringify!($backend)))
            }

            #[test]
            fn a_submission_round_trips_and_environments_stay_apart() {
                let Some(store) = store("round_trip") else { return };
                super::a_submission_round_trips_and_environments_stay_apart(&store);
            }

            #[test]
            fn a_claim_is_refused_once_a_create_happened_or_may_have() {
                let Some(store) = store("claims") else { return };
                super::a_claim_is_refused_once_a_create_happened_or_may_have(&store);
            }

            #[test]
            fn racing_claimants_send_one_create() {
                let Some(store) = store("race") else { return };
                super::racing_claimants_send_one_create(store);
            }

            #[test]
            fn a_create_left_in_flight_is_settled_as_outcome_unknown() {
                let Some(store) = store("settle") else { return };
                super::a_create_left_in_flight_is_settled_as_outcome_unknown(&store);
            }
        }
    };
}

suite!(sqlite);
suite!(postgres);

fn sample(draft_id: &str, stage: RequestStage) -> Submission {
    let trader = TraderRef { cta_user_id: 42, display_name: "Emily Johnson".into() };
    Submission::new(draft_id, trader, DocumentRoute::UploadAfterCreate, stage)
}

fn a_submission_round_trips_and_environments_stay_apart(store: &Store) {
    let mut s =
        sample("draft-1", RequestStage::Refused { error: "Country is restricted: IR".into(), step: Step::Address });
    s.documents.government_id = SlotState::Failed { error: "HTTP 500".into() };
    s.documents.poa_form = SlotState::Uploaded { document_id: Some(7) };
    s.documents.address_proof = SlotState::Uploaded { document_id: None };
    s.status = Some(SubaccountStatus::InAMLReview);
    s.message = Some("Under AML review".into());
    s.request_id = Some(99);
    s.created_at = Some(Utc::now());
    s.last_checked = Some(Utc::now());
    s.check_error = Some("HTTP 502".into());
    store.registry("sandbox").save(&s).unwrap();

    // Another process reads what this one wrote.
    let other = store.registry("sandbox");
    let back = other.get("draft-1").unwrap().expect("saved");
    assert_eq!(back.stage, s.stage);
    assert_eq!(back.documents, s.documents);
    assert_eq!((back.status, back.message.as_deref(), back.request_id), (s.status, Some("Under AML review"), Some(99)));
    assert_eq!(back.trader, s.trader);
    assert_eq!(back.check_error.as_deref(), Some("HTTP 502"));
    // Times keep their second (the file keeps RFC 3339 text, the server microseconds).
    assert_eq!(back.created_at.map(|t| t.timestamp()), s.created_at.map(|t| t.timestamp()));
    assert_eq!(other.by_request(99).unwrap().unwrap().draft_id, "draft-1");
    assert!(other.by_request(100).unwrap().is_none());

    let mut newer = sample("draft-2", RequestStage::Submitted);
    newer.updated_at = s.updated_at + chrono::Duration::seconds(1);
    other.save(&newer).unwrap();
    let listed: Vec<String> = store.registry("sandbox").list().unwrap().into_iter().map(|s| s.draft_id).collect();
    assert_eq!(listed, ["draft-2", "draft-1"], "most recently changed first");

    let production = store.registry("production");
    assert!(production.get("draft-1").unwrap().is_none());
    assert!(production.list().unwrap().is_empty());
    assert!(production.by_request(99).unwrap().is_none());
}

fn a_claim_is_refused_once_a_create_happened_or_may_have(store: &Store) {
    let (first, second) = (store.registry("sandbox"), store.registry("sandbox"));
    assert_eq!(first.claim(&sample("d", RequestStage::Creating)).unwrap(), Claim::Granted);
    let Claim::Refused(existing) = second.claim(&sample("d", RequestStage::Creating)).unwrap() else {
        panic!("a second create of the same draft was allowed")
    };
    assert_eq!(existing.stage, RequestStage::Creating);
    second.save(&sample("d", RequestStage::NotSent { error: "offline".into() })).unwrap();
    assert_eq!(first.claim(&sample("d", RequestStage::Creating)).unwrap(), Claim::Granted);
    first.save(&sample("d", RequestStage::OutcomeUnknown { detail: "lost".into() })).unwrap();
    assert!(matches!(second.claim(&sample("d", RequestStage::Creating)).unwrap(), Claim::Refused(_)));
    // The same draft id on another environment is its own draft.
    assert_eq!(store.registry("production").claim(&sample("d", RequestStage::Creating)).unwrap(), Claim::Granted);
}

fn racing_claimants_send_one_create(store: Store) {
    let store = Arc::new(store);
    let granted: usize = (0..4)
        .map(|_| {
            let registry = store.registry("sandbox");
            std::thread::spawn(move || registry.claim(&sample("raced", RequestStage::Creating)).unwrap())
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| usize::from(t.join().unwrap() == Claim::Granted))
        .sum();
    assert_eq!(granted, 1, "exactly one claimant may send the create");
}

fn a_create_left_in_flight_is_settled_as_outcome_unknown(store: &Store) {
    let registry = store.registry("sandbox");
    let mut stale = sample("stale", RequestStage::Creating);
    stale.documents.poa_form = SlotState::Uploading;
    stale.updated_at = Utc::now() - store.settles_after - chrono::Duration::seconds(5);
    registry.save(&stale).unwrap();
    // Another admin's create, in flight right now.
    let mut live = sample("live", RequestStage::Creating);
    live.documents.poa_form = SlotState::Uploading;
    registry.save(&live).unwrap();
    drop(registry);

    let reopened = store.registry("sandbox");
    let settled = reopened.get("stale").unwrap().unwrap();
    assert!(matches!(settled.stage, RequestStage::OutcomeUnknown { .. }), "{:?}", settled.stage);
    assert_eq!(settled.documents.poa_form, SlotState::Waiting);
    assert!(matches!(reopened.claim(&sample("stale", RequestStage::Creating)).unwrap(), Claim::Refused(_)));
    let live = reopened.get("live").unwrap().unwrap();
    if store.settles_after > chrono::Duration::zero() {
        // The team's registry leaves a fresh row alone: its sender may be sending.
        assert_eq!(live.stage, RequestStage::Creating);
        assert_eq!(live.documents.poa_form, SlotState::Uploading);
    } else {
        // The file belongs to this computer: whoever wrote it has stopped.
        assert!(matches!(live.stage, RequestStage::OutcomeUnknown { .. }));
    }
}
