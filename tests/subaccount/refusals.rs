//! Every refusal only the server can make (seeds/004) that the sandbox models comes back on the
//! submission and points at the wizard step to fix; nothing is created, and the same draft can
//! be submitted again once fixed.

use crate::support::*;
use propdesk::sandbox::{self, SandboxConfig};
use propdesk::subaccount::{
    DraftField, RequestStage, Step, SubaccountDraft, field_for_server_error, prepare_request, step_for_server_error,
    submit,
};

struct Case {
    name: &'static str,
    /// Changes the valid draft of `trader` into one the server refuses.
    spoil: fn(&mut SubaccountDraft, i64),
    /// Words of the sandbox's errorText.
    text: &'static str,
    step: Step,
    field: DraftField,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "unknown ctaUserId",
            spoil: |d, _| d.trader.cta_user_id = "987654".into(),
            text: "user not found",
            step: Step::Trader,
            field: DraftField::CtaUserId,
        },
        Case {
            name: "trader of another organization",
            spoil: |d, _| d.trader.cta_user_id = sandbox::OTHER_ORG_USER_ID.to_string(),
            text: "belongs to a different organization",
            step: Step::Trader,
            field: DraftField::CtaUserId,
        },
        Case {
            name: "insufficient funds",
            spoil: |d, _| d.account.transfer_amount = "600000".into(),
            text: "Insufficient funds",
            step: Step::Account,
            field: DraftField::TransferAmount,
        },
        Case {
            name: "unknown auto-liq profile",
            spoil: |d, _| d.account.auto_liq_profile_id = "424242".into(),
            text: "Auto-liq profile not found",
            step: Step::Account,
            field: DraftField::AutoLiqProfileId,
        },
        Case {
            name: "auto-liq profile of another organization",
            spoil: |d, _| d.account.auto_liq_profile_id = sandbox::OTHER_ORG_AUTO_LIQ_PROFILE_ID.to_string(),
            text: "Auto-liq profile does not belong to this organization",
            step: Step::Account,
            field: DraftField::AutoLiqProfileId,
        },
        Case {
            name: "restricted country of residence",
            spoil: |d, _| {
                // Refused by the sandbox's list but not the CME's (the client refuses those).
                d.address.country = "RU".into();
                d.address.state = "Moscow".into();
            },
            text: "Country is restricted",
            step: Step::Address,
            field: DraftField::Country,
        },
        Case {
            name: "restricted state",
            spoil: |d, _| {
                d.address.country = "UA".into();
                d.address.state = "Crimea".into();
            },
            text: "State is restricted",
            step: Step::Address,
            field: DraftField::State,
        },
        Case {
            name: "restricted citizenship",
            spoil: |d, _| {
                d.identity.citizenship = "RU".into();
                d.identity.national_id = propdesk::api::Secret::new("A1234567");
            },
            text: "Country is restricted",
            step: Step::Identity,
            field: DraftField::Citizenship,
        },
    ]
}

#[tokio::test]
async fn each_server_refusal_points_at_its_step_and_creates_nothing() {
    let sandbox = sandbox().await;
    let setup = signed_in(&sandbox).await;
    let trader = create_trader(&setup).await;
    let registry = registry();
    for (i, case) in cases().into_iter().enumerate() {
        // A client of its own: a refused create starts a 30 s back-off on the client.
        let client = signed_in(&sandbox).await;
        let mut spoiled = draft(trader);
        (case.spoil)(&mut spoiled, trader);
        let draft_id = format!("refused-{i}");
        let prepared = prepare_request(&draft_id, &spoiled, false).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let s = submit(&client, &registry, &prepared, &quiet).await.unwrap();
        let RequestStage::Refused { error, step } = &s.stage else { panic!("{}: {:?}", case.name, s.stage) };
        assert!(error.contains(case.text), "{}: {error}", case.name);
        assert_eq!(*step, case.step, "{}: {error}", case.name);
        assert_eq!(s.step_to_fix(), Some(case.step));
        if case.field != DraftField::Citizenship {
            // From the text alone; the citizenship case needs the request to tell it from the country.
            assert_eq!(step_for_server_error(error), case.step, "{}: {error}", case.name);
            assert_eq!(field_for_server_error(error), Some(case.field), "{}: {error}", case.name);
        }
        assert!(s.may_submit_again(), "{}: nothing was created", case.name);
        assert_eq!(s.request_id, None);
        assert!(s.documents.missing().len() == 3, "{}: no upload without a request", case.name);
        let stats = sandbox.stats();
        assert_eq!(stats.calls(CREATE), i as u64 + 1, "{}: one create per attempt", case.name);
        assert_eq!(stats.calls(UPLOAD), 0);
        assert_eq!(stats.subaccount_requests, 0);
        assert_eq!(registry.get(&draft_id).unwrap().unwrap().stage, s.stage, "{}: recorded", case.name);
    }

    // Fixed, the same draft goes through (a refusal does not block the draft).
    let client = signed_in(&sandbox).await;
    let mut fixed = draft(trader);
    fixed.account.auto_liq_profile_id = sandbox::AUTO_LIQ_PROFILE_ID.to_string();
    let s = submit(&client, &registry, &prepare_request("refused-3", &fixed, false).unwrap(), &quiet).await.unwrap();
    assert_eq!(s.stage, RequestStage::Submitted, "{}", s.headline());
    assert_eq!(sandbox.stats().subaccount_requests, 1);
}

#[tokio::test]
async fn the_sub_account_limit_points_at_the_trader() {
    let config = SandboxConfig { max_subaccounts_per_trader: 1, ..SandboxConfig::for_tests() };
    let sandbox = sandbox_with(config).await;
    let client = signed_in(&sandbox).await;
    let trader = create_trader(&client).await;
    let registry = registry();
    let first =
        submit(&client, &registry, &prepare_request("first", &draft(trader), false).unwrap(), &quiet).await.unwrap();
    assert_eq!(first.stage, RequestStage::Submitted);
    let second =
        submit(&client, &registry, &prepare_request("second", &draft(trader), false).unwrap(), &quiet).await.unwrap();
    let RequestStage::Refused { error, step } = &second.stage else { panic!("{:?}", second.stage) };
    assert!(error.contains("sub-account limit"), "{error}");
    assert_eq!(*step, Step::Trader);
    assert_eq!(step_for_server_error(error), Step::Trader);
    assert_eq!(sandbox.stats().subaccount_requests, 1);
}
