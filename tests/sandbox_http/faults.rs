use super::common::*;
use propdesk::sandbox::{CountMode, RateLimits, SandboxConfig};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn penalty_ticket_early_resend_is_penalised_again_on_time_resend_is_processed() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    sb.faults().penalty_next("user/createEvaluationUsers", 1, false);
    let body = json!({ "users": [user("penalty01")] });
    let (status, penalty) = api.post(D::Live, "user/createEvaluationUsers", body.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let ticket = penalty["p-ticket"].as_str().expect("p-ticket").to_string();
    assert_eq!(penalty["p-time"], 1);
    assert!(penalty.get("p-captcha").is_none());
    assert_eq!(sb.stats().users_created(), 0, "a penalised request is not processed");

    // Too early: a fresh ticket, still not processed.
    let mut early = body.clone();
    early["p-ticket"] = json!(ticket);
    let (_, again) = api.post(D::Live, "user/createEvaluationUsers", early).await;
    let fresh = again["p-ticket"].as_str().expect("fresh ticket").to_string();
    assert_ne!(fresh, ticket);
    assert_eq!(sb.stats().users_created(), 0);

    // A made-up ticket: penalised.
    let mut wrong = body.clone();
    wrong["p-ticket"] = json!("not-a-ticket");
    let (_, wrong_reply) = api.post(D::Live, "user/createEvaluationUsers", wrong).await;
    assert!(wrong_reply["p-ticket"].is_string());

    tokio::time::sleep(Duration::from_millis(1050)).await;
    let mut on_time = body.clone();
    on_time["p-ticket"] = json!(fresh);
    let (_, done) = api.post(D::Live, "user/createEvaluationUsers", on_time.clone()).await;
    assert!(done["results"][0]["userId"].is_i64(), "{done}");
    assert_eq!(sb.stats().users_created(), 1);
    // A used ticket is not valid twice.
    let (_, reused) = api.post(D::Live, "user/createEvaluationUsers", on_time).await;
    assert!(reused["p-ticket"].is_string());
}

#[tokio::test]
async fn penalty_on_get_uses_the_query_ticket_and_auth_penalties_carry_captcha() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    sb.faults().penalty_next("entitlement/list", 0, false);
    let (_, penalty) = api.get(D::Live, "entitlement/list").await;
    let ticket = penalty["p-ticket"].as_str().unwrap();
    let (_, list) = api.get(D::Live, &format!("entitlement/list?p-ticket={ticket}")).await;
    assert!(list.is_array(), "{list}");

    sb.faults().penalty_next("auth/accesstokenrequest", 0, false);
    let (_, penalty) = Api::anonymous(&sb).post(D::Live, "auth/accesstokenrequest", admin_credentials()).await;
    assert_eq!(penalty["p-captcha"], true);
    assert!(penalty.get("accessToken").is_none());
    // A captcha ticket cannot be redeemed by an app.
    let mut retry = admin_credentials();
    retry["p-ticket"] = penalty["p-ticket"].clone();
    let (_, again) = Api::anonymous(&sb).post(D::Live, "auth/accesstokenrequest", retry).await;
    assert!(again["p-ticket"].is_string() && again.get("accessToken").is_none());
}

#[tokio::test]
async fn a_limit_warns_with_423_then_locks_with_empty_429() {
    let limits = RateLimits::none().with("customerApplication/getPartnerSubaccountRequestStatus", 3, CountMode::All);
    let sb = start_with(SandboxConfig { rate_limits: limits, ..SandboxConfig::for_tests() }).await;
    let api = Api::admin(&sb).await;
    let path = "customerApplication/getPartnerSubaccountRequestStatus";
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let response = api.post_raw(D::Live, path, json!({ "subAccountRequestId": 1 })).await;
        let status = response.status();
        let length = response.headers().get("content-length").map(|v| v.to_str().unwrap().to_string());
        let body = response.bytes().await.unwrap();
        if status != StatusCode::OK {
            assert!(body.is_empty(), "{status} with a body");
            assert_eq!(length.as_deref(), Some("0"));
        }
        statuses.push(status.as_u16());
    }
    assert_eq!(statuses, [200, 200, 423, 429, 429]);
    // Other endpoints are unaffected.
    assert_eq!(api.get(D::Live, "auth/me").await.0, StatusCode::OK);
}

#[tokio::test]
async fn failed_only_limits_ignore_successes() {
    let limits = RateLimits::none().with("user/createEvaluationUsers", 3, CountMode::FailedOnly);
    let sb = start_with(SandboxConfig { rate_limits: limits, ..SandboxConfig::for_tests() }).await;
    let api = Api::admin(&sb).await;
    for i in 0..5 {
        let (status, _) =
            api.post(D::Live, "user/createEvaluationUsers", json!({ "users": [user(&format!("okuser{i}"))] })).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, failed) = api.post(D::Live, "user/createEvaluationUsers", json!({ "users": [user("okuser0")] })).await;
    assert!(error_text(&failed["results"][0]).contains("already"));
    let (_, failed) = api.post(D::Live, "user/createEvaluationUsers", json!({ "users": [user("okuser0")] })).await;
    assert!(error_text(&failed["results"][0]).contains("already"));
    let (status, _) = api.post(D::Live, "user/createEvaluationUsers", json!({ "users": [user("okuser9")] })).await;
    assert_eq!(status, StatusCode::LOCKED);
    assert!(sb.user_by_name("okuser9").is_none(), "423 is not processed");
    let (status, _) = api.post(D::Live, "user/createEvaluationUsers", json!({ "users": [user("okuser9")] })).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_lost_reply_was_processed_but_never_arrives() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    sb.faults().lose_next_reply("user/createEvaluationUsers");
    let response = api
        .http
        .post(api.url(D::Live, "user/createEvaluationUsers"))
        .bearer_auth(&api.token)
        .json(&json!({ "users": [user("lostreply1")] }))
        .send()
        .await;
    let usable = match response {
        Err(_) => false,
        Ok(r) => r.bytes().await.is_ok_and(|b| serde_json::from_slice::<serde_json::Value>(&b).is_ok()),
    };
    assert!(!usable, "the client got a usable reply");
    assert!(sb.user_by_name("lostreply1").is_some(), "but the request was processed");
    // The next call is normal.
    let (_, body) = api.post(D::Live, "user/createEvaluationUsers", json!({ "users": [user("lostreply1")] })).await;
    assert!(error_text(&body["results"][0]).contains("already exists"));
}

#[tokio::test]
async fn fail_with_500_once_without_processing() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    sb.faults().fail_next_with_500("*");
    let (status, _) = api.post(D::Live, "user/createEvaluationUsers", json!({ "users": [user("fivehundred")] })).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(sb.user_by_name("fivehundred").is_none());
    let (status, body) =
        api.post(D::Live, "user/createEvaluationUsers", json!({ "users": [user("fivehundred")] })).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["results"][0]["userId"].is_i64());
}

#[tokio::test]
async fn delay_next_holds_the_reply() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    sb.faults().delay_next("auth/me", Duration::from_millis(400));
    let t = std::time::Instant::now();
    assert_eq!(api.get(D::Live, "auth/me").await.0, StatusCode::OK);
    assert!(t.elapsed() >= Duration::from_millis(390));
}
