use super::common::*;
use propdesk::sandbox;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn revoke_and_cancel_each_domain_cancels_its_own_part() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let mut u = user("leaver01");
    u["entitlementIds"] = json!([sandbox::ENTITLEMENT_TRADINGVIEW]);
    let (_, created) = api.post(D::Live, "user/createEvaluationUsers", json!({ "users": [u] })).await;
    let user_id = created["results"][0]["userId"].as_i64().unwrap();
    let accounts = json!({ "accounts": [
        { "userId": user_id, "templateAccountId": sandbox::TEMPLATE_50K_ID, "name": "LEAVER1", "initialBalance": 50000 },
        { "userId": user_id, "templateAccountId": sandbox::TEMPLATE_50K_ID, "name": "LEAVER2", "initialBalance": 50000 },
    ]});
    let (_, created) = api.post(D::Demo, "user/createEvaluationAccounts", accounts).await;
    let perm1 = created["results"][0]["tradingPermissionId"].as_i64().unwrap();
    let account1 = created["results"][0]["accountId"].as_i64().unwrap();

    let (_, bad) =
        api.post(D::Demo, "user/revokeTradingPermissions", json!({ "tradingPermissionIds": [perm1, 777] })).await;
    assert_eq!(bad["ok"], false);
    assert_eq!(sb.stats().revoked_permissions, 0, "all or nothing");
    let (_, ok) = api.post(D::Demo, "user/revokeTradingPermissions", json!({ "tradingPermissionIds": [perm1] })).await;
    assert_eq!(ok["ok"], true);
    let (_, perms) = api.post(D::Demo, "user/getAccountTradingPermissions", json!({ "accountId": account1 })).await;
    assert_eq!(perms["tradingPermissions"][0]["status"], "Revoked");

    let cancel = json!({
        "userIds": [user_id, sandbox::OTHER_ORG_USER_ID, 123],
        "tradovateSubscriptions": true, "userPlugins": true, "marketDataSubscriptions": true, "tradingPermissions": true,
    });
    let (status, live) = api.post(D::Live, "user/cancelEverything", cancel.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(live["tradingPermissionIds"], json!([]), "LIVE does not touch DEMO permissions");
    assert_eq!(live["tradovateSubscriptionIds"].as_array().unwrap().len(), 1);
    assert_eq!(live["userPluginIds"].as_array().unwrap().len(), 1);
    assert!(sb.entitlements_of(user_id).is_empty());
    let (_, demo) = api.post(D::Demo, "user/cancelEverything", cancel).await;
    assert_eq!(demo["tradingPermissionIds"].as_array().unwrap().len(), 1, "the one still active: {demo}");
    assert_eq!(demo["userPluginIds"], json!([]));
    assert_eq!(sb.stats().revoked_permissions, 2);

    let (status, _) =
        api.post(D::Live, "user/revokeTradingPermissions", json!({ "tradingPermissionIds": [perm1] })).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "DEMO only");
}
