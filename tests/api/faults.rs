use crate::support::*;
use propdesk::api::ApiError;
use propdesk::api::activity::Outcome;
use propdesk::sandbox::{CountMode, SandboxConfig};
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_lost_reply_on_a_write_is_outcome_unknown_and_can_be_reconciled() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let user = trader(None);
    sandbox.faults().lose_next_reply("user/createEvaluationUsers");
    let error = client.create_evaluation_users(vec![user.clone()]).await.unwrap_err();
    assert!(matches!(error, ApiError::OutcomeUnknown { .. }), "{error:?}");
    assert_eq!(client.activity().count("user/createEvaluationUsers"), 1, "a write is never resent blindly");
    // The server did create it: looking it up is how the caller reconciles.
    assert!(client.find_user(&user.name).await.unwrap().is_some());
}

#[tokio::test]
async fn a_lost_reply_on_a_read_is_retried() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    sandbox.faults().lose_next_reply("tradovateSubscriptionPlan/list");
    let plans = client.subscription_plans().await.expect("retried after the lost reply");
    assert!(!plans.is_empty());
    assert_eq!(client.activity().count("tradovateSubscriptionPlan/list"), 2);
}

#[tokio::test]
async fn http_500_once_is_retried_for_reads_and_unknown_for_creating_writes() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    sandbox.faults().fail_next_with_500("entitlement/list");
    client.entitlements().await.expect("retried after HTTP 500");
    let records = client.activity().snapshot();
    assert!(records.iter().any(|r| r.status == Some(500) && r.outcome == Outcome::Failed));

    sandbox.faults().fail_next_with_500("user/createEvaluationUsers");
    let error = client.create_evaluation_users(vec![trader(None)]).await.unwrap_err();
    assert!(matches!(error, ApiError::OutcomeUnknown { .. }), "{error:?}");
}

#[tokio::test]
async fn a_penalty_ticket_is_waited_out_and_the_same_body_resent() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let user = trader(None);
    sandbox.faults().penalty_next("user/createEvaluationUsers", 1, false);
    let started = Instant::now();
    let reply = client.create_evaluation_users(vec![user.clone()]).await.expect("processed after the penalty");
    assert!(started.elapsed() >= Duration::from_millis(950), "waited p-time");
    assert!(reply.results[0].user_id.is_some());
    let outcomes: Vec<_> = client
        .activity()
        .snapshot()
        .into_iter()
        .filter(|r| r.endpoint == "user/createEvaluationUsers")
        .map(|r| r.outcome)
        .collect();
    assert_eq!(outcomes, vec![Outcome::Penalty, Outcome::Ok]);
    assert!(client.find_user(&user.name).await.unwrap().is_some());
}

#[tokio::test]
async fn a_captcha_penalty_tells_the_user_to_wait_an_hour() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    sandbox.faults().penalty_next("entitlement/list", 1, true);
    let error = client.entitlements().await.unwrap_err();
    assert!(matches!(error, ApiError::Captcha { .. }));
    assert!(error.to_string().contains("about an hour"));
}

#[tokio::test]
async fn the_servers_429_lockout_is_reported_not_retried() {
    let mut config = SandboxConfig::for_tests();
    config.rate_limits = config.rate_limits.with("user/createEvaluationUsers", 2, CountMode::FailedOnly);
    let sandbox = sandbox_with(config).await;
    let client = signed_in(&sandbox).await;
    // Entitlement 22 fails the whole request: failures count toward the limit.
    let mut bad = trader(None);
    bad.entitlement_ids = vec![22];
    let mut errors = Vec::new();
    for _ in 0..4 {
        errors.push(client.create_evaluation_users(vec![bad.clone()]).await.unwrap_err());
    }
    assert!(
        errors.iter().any(|e| matches!(e, ApiError::LockedOut { .. } | ApiError::LockoutWarning { .. })),
        "{errors:?}"
    );
    let last = errors.last().unwrap();
    assert!(matches!(last, ApiError::LockedOut { .. }), "{last:?}");
    assert!(last.to_string().contains("about an hour"));
}
