//! The OpenAPI's 2-session limit: a third login closes the oldest session, whose calls then
//! fail with 408, 429 or 5xx. The client signs in once more (within an hourly allowance)
//! instead of concluding anything from those statuses.

use crate::support::*;
use propdesk::api::{AUTO_SIGN_INS_PER_HOUR, ApiError, Client};
use propdesk::sandbox::{Sandbox, SandboxConfig};

async fn two_session_sandbox(closed_status: u16) -> Sandbox {
    sandbox_with(SandboxConfig {
        max_sessions_per_user: 2,
        closed_session_status: closed_status,
        ..SandboxConfig::for_tests()
    })
    .await
}

/// Two more logins of the same API user elsewhere (other apps, the website).
async fn two_logins_elsewhere(sandbox: &Sandbox) {
    for _ in 0..2 {
        signed_in(sandbox).await;
    }
}

#[tokio::test]
async fn a_third_login_closes_the_oldest_session_with_the_documented_statuses() {
    let sandbox = two_session_sandbox(408).await;
    let oldest = signed_in(&sandbox).await;
    let token = oldest.token().unwrap().value;
    two_logins_elsewhere(&sandbox).await;
    let raw = reqwest::Client::new()
        .get(format!("{}/auth/me", sandbox.live_url()))
        .bearer_auth(token.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status().as_u16(), 408, "the closed session's token is refused, not with 401");
}

#[tokio::test]
async fn a_call_on_a_closed_session_signs_in_once_more_and_goes_through() {
    for status in [408, 429, 503] {
        let sandbox = two_session_sandbox(status).await;
        let client = signed_in(&sandbox).await;
        two_logins_elsewhere(&sandbox).await;
        let plans = client.subscription_plans().await;
        assert!(plans.is_ok(), "HTTP {status}: {plans:?}");
        assert_eq!(client.activity().count("auth/accesstokenrequest"), 2, "HTTP {status}: one login more");
    }
}

#[tokio::test]
async fn a_create_on_a_closed_session_is_sent_again_not_left_outcome_unknown() {
    let sandbox = two_session_sandbox(500).await;
    let client = signed_in(&sandbox).await;
    two_logins_elsewhere(&sandbox).await;
    let user = trader(None);
    let reply = client.create_evaluation_users(vec![user.clone()]).await.expect("not an unknown outcome");
    assert!(reply.results[0].user_id.is_some(), "{reply:?}");
    assert_eq!(sandbox.stats().users_created(), 1, "created exactly once");
}

#[tokio::test]
async fn unattended_sign_ins_stop_after_three_in_an_hour_and_ask_the_user() {
    let sandbox = two_session_sandbox(429).await;
    let client = signed_in(&sandbox).await;
    for round in 0..AUTO_SIGN_INS_PER_HOUR {
        two_logins_elsewhere(&sandbox).await;
        client.me().await.unwrap_or_else(|e| panic!("round {round}: {e}"));
    }
    two_logins_elsewhere(&sandbox).await;
    let error = client.me().await.unwrap_err();
    let ApiError::SignedOut { reason } = &error else { panic!("{error:?}") };
    assert!(reason.contains("sign in yourself"), "{reason}");
    assert!(client.session().is_none(), "the window shows the sign-in form");
    assert_eq!(client.activity().count("auth/accesstokenrequest"), 1 + AUTO_SIGN_INS_PER_HOUR);
}

#[tokio::test]
async fn a_real_server_error_is_not_mistaken_for_a_closed_session() {
    let sandbox = two_session_sandbox(408).await;
    let client = Client::with_options(sandbox.environment(), fast_options());
    client.sign_in(admin_credentials()).await.unwrap();
    sandbox.faults().fail_next_with_500("user/createEvaluationUsers");
    let error = client.create_evaluation_users(vec![trader(None)]).await.unwrap_err();
    assert!(matches!(error, ApiError::OutcomeUnknown { .. }), "{error:?}");
    assert_eq!(client.activity().count("auth/accesstokenrequest"), 1, "no login: auth/me still answered");
}
