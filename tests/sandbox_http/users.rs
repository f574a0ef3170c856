use super::common::*;
use propdesk::sandbox;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn create_users_reports_each_user_in_its_position() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let mut long_names = user("longname1");
    long_names["firstName"] = json!("A".repeat(30));
    long_names["lastName"] = json!("B".repeat(31));
    let mut bad_email = user("bademail1");
    bad_email["email"] = json!("not-an-email");
    let mut other_plan = user("otherplan1");
    other_plan["tradovateSubscriptionPlanId"] = json!(sandbox::OTHER_PLAN_ID);
    let mut short_password = user("shortpw1");
    short_password["password"] = json!("short");
    let mut dup_email = user("dupemail1");
    dup_email["email"] = json!("trader001@traders.example");
    let users = json!([
        user("trader001"),
        user("trader001"),
        long_names,
        bad_email,
        other_plan,
        short_password,
        dup_email,
        user("trader002"),
    ]);
    let (status, body) = api.post(D::Live, "user/createEvaluationUsers", json!({ "users": users })).await;
    assert_eq!(status, StatusCode::OK);
    let r = body["results"].as_array().unwrap();
    assert_eq!(r.len(), 8);
    assert!(r[0]["userId"].is_i64());
    assert!(error_text(&r[1]).contains("already exists"), "{}", r[1]);
    assert!(error_text(&r[2]).contains("60"), "{}", r[2]);
    assert!(error_text(&r[3]).contains("e-mail"), "{}", r[3]);
    assert!(error_text(&r[4]).contains("plan"), "{}", r[4]);
    assert!(error_text(&r[5]).contains("password"), "{}", r[5]);
    assert!(error_text(&r[6]).contains("in use"), "{}", r[6]);
    assert!(r[7]["userId"].is_i64());
    assert_eq!(sb.stats().users_created(), 2);

    // Against existing users too.
    let (_, body) = api.post(D::Live, "user/createEvaluationUsers", json!({ "users": [user("TRADER002")] })).await;
    assert!(error_text(&body["results"][0]).contains("already exists"));
}

#[tokio::test]
async fn entitlement_22_anywhere_creates_nobody() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let mut second = user("groupie1");
    second["entitlementIds"] = json!([sandbox::ENTITLEMENT_TRADINGVIEW, 22]);
    let (status, body) =
        api.post(D::Live, "user/createEvaluationUsers", json!({ "users": [user("fine001"), second] })).await;
    assert_eq!(status, StatusCode::OK);
    assert!(error_text(&body).contains("22"), "{body}");
    assert_eq!(sb.stats().users_created(), 0);
    assert!(sb.user_by_name("fine001").is_none());
}

#[tokio::test]
async fn batch_size_is_1_to_100() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let (_, body) = api.post(D::Live, "user/createEvaluationUsers", json!({ "users": [] })).await;
    assert!(!error_text(&body).is_empty());
    let many: Vec<_> = (0..101).map(|i| user(&format!("bulk{i:03}"))).collect();
    let (_, body) = api.post(D::Live, "user/createEvaluationUsers", json!({ "users": many })).await;
    assert!(error_text(&body).contains("100"), "{body}");
    let hundred: Vec<_> = (0..100).map(|i| user(&format!("bulk{i:03}"))).collect();
    let (_, body) = api.post(D::Live, "user/createEvaluationUsers", json!({ "users": hundred })).await;
    assert_eq!(body["results"].as_array().unwrap().len(), 100);
    assert_eq!(sb.stats().users_created(), 100);
}

#[tokio::test]
async fn entitlements_at_creation_are_granted_and_checked() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let mut with_tv = user("tvuser01");
    with_tv["entitlementIds"] = json!([sandbox::ENTITLEMENT_TRADINGVIEW]);
    let mut unknown = user("unknownent1");
    unknown["entitlementIds"] = json!([999_999]);
    let (_, body) = api.post(D::Live, "user/createEvaluationUsers", json!({ "users": [with_tv, unknown] })).await;
    let id = body["results"][0]["userId"].as_i64().unwrap();
    assert_eq!(sb.entitlements_of(id), vec![sandbox::ENTITLEMENT_TRADINGVIEW]);
    assert!(error_text(&body["results"][1]).contains("not found"));
}

#[tokio::test]
async fn non_admin_cannot_create_users() {
    let sb = start().await;
    let member = Api::member(&sb).await;
    let (status, body) = member.post(D::Live, "user/createEvaluationUsers", json!({ "users": [user("x12345")] })).await;
    assert_eq!(status, StatusCode::OK);
    assert!(error_text(&body).contains("administrators"), "{body}");
    assert_eq!(sb.stats().users_created(), 0);
}

#[tokio::test]
async fn user_find_returns_the_user_or_404() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let id = api.create_user("findme01").await;
    let (status, body) = api.get(D::Live, "user/find?name=findme01").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["id"], id);
    let (status, _) = api.get(D::Live, "user/find?name=nobody99").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api.get(D::Live, &format!("user/find?name={}", sandbox::seed::OTHER_ORG_USER_NAME)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "other organisations' users are invisible");
}

#[tokio::test]
async fn plans_and_entitlements_are_listed() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let (_, plans) = api.get(D::Live, "tradovateSubscriptionPlan/list").await;
    let names: Vec<_> = plans.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect();
    assert!(names.contains(&"DEMOFIRM_MONTHLY".to_string()));
    assert!(!names.iter().any(|n| n.starts_with("OTHERFIRM")));
    let (_, ents) = api.get(D::Live, "entitlement/list").await;
    let tprop = ents.as_array().unwrap().iter().find(|e| e["id"] == sandbox::ENTITLEMENT_TPROP).unwrap();
    assert_eq!(tprop["purchaseType"], "LiveAccount");
    assert_eq!(tprop["title"], "Tradovate Prop");
}
