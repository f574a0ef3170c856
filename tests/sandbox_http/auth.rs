use super::common::*;
use propdesk::sandbox;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn sign_in_returns_a_token_that_works_on_both_domains() {
    let sb = start().await;
    let anon = Api::anonymous(&sb);
    let before = chrono::Utc::now();
    let (status, body) = anon.post(D::Live, "auth/accesstokenrequest", admin_credentials()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(error_text(&body), "");
    assert_eq!(body["userStatus"], "Active");
    assert_eq!(body["userId"], sandbox::ADMIN_USER_ID);
    assert_eq!(body["name"], sandbox::ADMIN_NAME);
    assert!(body["hasLive"].is_boolean());
    let expires: chrono::DateTime<chrono::Utc> = body["expirationTime"].as_str().unwrap().parse().unwrap();
    let minutes = (expires - before).num_minutes();
    assert!((79..=80).contains(&minutes), "token lifetime {minutes} min");

    let api = Api::admin(&sb).await;
    let (status, me) = api.get(D::Live, "auth/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["organizationName"], sandbox::ORG_NAME);
    let (status, _) = api.get(D::Demo, "account/list").await;
    assert_eq!(status, StatusCode::OK, "a LIVE-issued token works on DEMO");
}

#[tokio::test]
async fn cid_may_be_a_number_and_auth_works_on_demo() {
    let sb = start().await;
    let mut creds = admin_credentials();
    creds["cid"] = json!(sandbox::CID.parse::<i64>().unwrap());
    let (status, body) = Api::anonymous(&sb).post(D::Demo, "auth/accesstokenrequest", creds).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["accessToken"].is_string(), "{body}");
}

#[tokio::test]
async fn bad_credentials_get_error_text_with_http_200() {
    let sb = start().await;
    let anon = Api::anonymous(&sb);
    let mut creds = admin_credentials();
    creds["password"] = json!("wrong-password");
    let (status, body) = anon.post(D::Live, "auth/accesstokenrequest", creds).await;
    assert_eq!(status, StatusCode::OK);
    assert!(error_text(&body).contains("Incorrect username or password"), "{body}");
    assert!(body.get("accessToken").is_none());

    let mut creds = admin_credentials();
    creds["sec"] = json!("not-the-secret");
    let (_, body) = anon.post(D::Live, "auth/accesstokenrequest", creds).await;
    assert!(!error_text(&body).is_empty());
    assert!(body.get("accessToken").is_none());

    let mut creds = admin_credentials();
    creds.as_object_mut().unwrap().remove("appId");
    let (_, body) = anon.post(D::Live, "auth/accesstokenrequest", creds).await;
    assert!(error_text(&body).contains("appId"), "{body}");
}

#[tokio::test]
async fn missing_unknown_or_expired_bearer_is_401() {
    let sb = start().await;
    let mut api = Api::anonymous(&sb);
    let (status, body) = api.get(D::Live, "auth/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["errorText"], "Access is denied");
    api.token = "made-up".into();
    assert_eq!(api.get(D::Live, "auth/me").await.0, StatusCode::UNAUTHORIZED);

    let api = Api::admin(&sb).await;
    assert_eq!(api.get(D::Live, "auth/me").await.0, StatusCode::OK);
    sb.faults().expire_all_tokens();
    assert_eq!(api.get(D::Live, "auth/me").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(api.get(D::Live, "auth/renewaccesstoken").await.0, StatusCode::UNAUTHORIZED, "expired cannot renew");
}

#[tokio::test]
async fn renewal_gives_a_new_token_and_expiry() {
    let sb = start().await;
    sb.faults().set_token_lifetime(Duration::from_secs(2));
    let mut api = Api::admin(&sb).await;
    let (status, body) = api.get(D::Live, "auth/renewaccesstoken").await;
    assert_eq!(status, StatusCode::OK);
    let new_token = body["accessToken"].as_str().unwrap().to_string();
    assert_ne!(new_token, api.token);
    assert!(body["expirationTime"].is_string());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(api.get(D::Live, "auth/me").await.0, StatusCode::UNAUTHORIZED, "short-lived token expired");
    sb.faults().set_token_lifetime(Duration::from_secs(600));
    api = Api::admin(&sb).await;
    assert_eq!(api.get(D::Live, "auth/me").await.0, StatusCode::OK);
}

#[tokio::test]
async fn wrong_domain_and_unknown_endpoints_are_404_and_paths_ignore_case() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let (status, body) = api.post(D::Demo, "user/createEvaluationUsers", json!({"users": [user("someone1")]})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(error_text(&body).contains("LIVE"), "{body}");
    assert_eq!(sb.stats().users_created(), 0);
    let (status, _) = api.post(D::Live, "user/createEvaluationAccounts", json!({"accounts": []})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api.get(D::Live, "nothing/here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api.get(D::Live, "ENTITLEMENT/LIST").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = api.post(D::Live, "user/createevaluationusers", json!({"users": [user("lowercase1")]})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["results"][0]["userId"].is_i64());
    assert_eq!(sb.stats().calls("user/createEvaluationUsers"), 2);
}

#[tokio::test]
async fn malformed_json_is_400_not_a_crash() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let response = api
        .http
        .post(api.url(D::Live, "user/createEvaluationUsers"))
        .bearer_auth(&api.token)
        .header("content-type", "application/json")
        .body("{\"users\": [")
        .send()
        .await
        .unwrap();
    let (status, body) = decode(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(!error_text(&body).is_empty());
    // Still serving.
    assert_eq!(api.get(D::Live, "auth/me").await.0, StatusCode::OK);
}
