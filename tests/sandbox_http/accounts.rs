use super::common::*;
use propdesk::sandbox;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn account(user_id: i64, name: &str) -> Value {
    json!({
        "userId": user_id,
        "templateAccountId": sandbox::TEMPLATE_50K_ID,
        "name": name,
        "initialBalance": 50000,
    })
}

#[tokio::test]
async fn a_bad_account_name_fails_the_whole_request_with_400_violations() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let user_id = api.create_user("acctowner1").await;
    let body = json!({ "accounts": [account(user_id, "GOODNAME1"), account(user_id, "ABC_123")] });
    let (status, body) = api.post(D::Demo, "user/createEvaluationAccounts", body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"violations": [{"constraint": "name", "value": "ABC_123", "description": "Account name should follow ([A-Z])+\\d+"}]})
    );
    assert_eq!(sb.stats().accounts_created(), 0, "the good one was not created either");
    for bad in ["abc123", "A1B2C3", "TEST", "123"] {
        let (status, _) =
            api.post(D::Demo, "user/createEvaluationAccounts", json!({ "accounts": [account(user_id, bad)] })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn accounts_are_created_with_permissions_and_per_item_errors() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let user_id = api.create_user("acctowner2").await;
    let mut bad_template = account(user_id, "BADTEMPLATE1");
    bad_template["templateAccountId"] = json!(424242);
    let mut zero_balance = account(user_id, "ZEROBAL1");
    zero_balance["initialBalance"] = json!(0);
    let mut bad_risk = account(user_id, "BADRISK1");
    bad_risk["postTradeRisk"] = json!({ "dailyLossAutoLiq": -500, "trailingMaxDrawdownMode": "EOD" });
    let mut good_risk = account(user_id, "GOODRISK1");
    good_risk["postTradeRisk"] =
        json!({ "dailyLossAutoLiq": 1000, "trailingMaxDrawdown": 2500, "trailingMaxDrawdownMode": "RealTime" });
    let items = json!([
        account(user_id, "EVAL001"),
        account(user_id, "EVAL001"),
        account(999_999, "NOUSER1"),
        account(sandbox::OTHER_ORG_USER_ID, "OTHERORG1"),
        bad_template,
        zero_balance,
        bad_risk,
        good_risk,
    ]);
    let (status, body) = api.post(D::Demo, "user/createEvaluationAccounts", json!({ "accounts": items })).await;
    assert_eq!(status, StatusCode::OK);
    let r = body["results"].as_array().unwrap();
    assert!(r[0]["accountId"].is_i64() && r[0]["tradingPermissionId"].is_i64(), "{}", r[0]);
    assert!(error_text(&r[1]).contains("already exists"));
    assert!(error_text(&r[2]).contains("User"));
    assert!(error_text(&r[3]).contains("User"));
    assert!(error_text(&r[4]).contains("Template"));
    assert!(error_text(&r[5]).contains("initialBalance"));
    assert!(error_text(&r[6]).contains("postTradeRisk.dailyLossAutoLiq must not be negative"), "{}", r[6]);
    assert!(r[7]["accountId"].is_i64());
    assert_eq!(sb.stats().accounts_created(), 2);

    let account_id = r[0]["accountId"].as_i64().unwrap();
    let (_, perms) = api.post(D::Demo, "user/getAccountTradingPermissions", json!({ "accountId": account_id })).await;
    let perm = &perms["tradingPermissions"][0];
    assert_eq!(perm["status"], "Approved");
    assert_eq!(perm["userId"], user_id);
    assert_eq!(perm["id"], r[0]["tradingPermissionId"]);

    let (_, list) = api.get(D::Demo, "account/list").await;
    let names: Vec<_> = list.as_array().unwrap().iter().filter_map(|a| a["name"].as_str()).collect();
    for n in ["DEMOFIRM50K", "DEMOFIRM100K", "DEMOFIRM150K", "EVAL001"] {
        assert!(names.contains(&n), "{n} in {names:?}");
    }
    let (status, found) = api.get(D::Demo, "account/find?name=DEMOFIRM100K").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found["id"], sandbox::TEMPLATE_100K_ID);
    assert_eq!(found["evaluationSize"], 100000.0);
    assert_eq!(api.get(D::Demo, "account/find?name=NOPE1").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn mistyped_or_unknown_risk_fields_fail_the_whole_request_with_400_violations() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let user_id = api.create_user("riskowner1").await;
    let mut typo = account(user_id, "RISKTYPO1");
    typo["postTradeRisk"] =
        json!({ "trailingMaxDrawdown": 2500, "trailingMaxDrawdownMode": "Weekly", "dailyLossLimit": 900 });
    typo["preTradeRisk"] =
        json!([{ "active": true, "totalBy": "Overall", "parameters": [{ "maxOpeningOrderQty": "5" }] }]);
    let body = json!({ "accounts": [account(user_id, "RISKFINE1"), typo] });
    let (status, body) = api.post(D::Demo, "user/createEvaluationAccounts", body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let constraints: Vec<&str> =
        body["violations"].as_array().unwrap().iter().map(|v| v["constraint"].as_str().unwrap()).collect();
    assert_eq!(
        constraints,
        [
            "accounts[1].postTradeRisk.dailyLossLimit",
            "accounts[1].postTradeRisk.trailingMaxDrawdownMode",
            "accounts[1].preTradeRisk[0].parameters[0].maxOpeningOrderQty"
        ]
    );
    assert_eq!(sb.stats().accounts_created(), 0, "nothing is created from a malformed request");
}

#[tokio::test]
async fn risk_rules_are_stored_and_read_back_through_deps() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let user_id = api.create_user("riskowner2").await;
    let mut item = account(user_id, "RISKKEPT1");
    item["postTradeRisk"] = json!({ "dailyLossAutoLiq": 1100, "trailingMaxDrawdownMode": "EOD", "trailingMaxDrawdown": 2000,
                                    "flattenTimestamp": "2026-01-05T21:00:00Z", "doNotUnlock": true });
    item["preTradeRisk"] = json!([{ "active": true, "totalBy": "Overall", "longLimit": 5,
                                    "parameters": [{ "maxOpeningOrderQty": 3 }] }]);
    let (_, body) = api
        .post(D::Demo, "user/createEvaluationAccounts", json!({ "accounts": [item, account(user_id, "RISKNONE1")] }))
        .await;
    let account_id = body["results"][0]["accountId"].as_i64().unwrap();
    let (status, auto_liq) = api.get(D::Demo, &format!("userAccountAutoLiq/deps?masterid={account_id}")).await;
    assert_eq!(status, StatusCode::OK);
    let auto_liq = &auto_liq[0];
    assert_eq!(auto_liq["dailyLossAutoLiq"], 1100);
    assert_eq!(auto_liq["trailingMaxDrawdownMode"], "EOD");
    assert_eq!(auto_liq["doNotUnlock"], true);
    assert!(auto_liq["id"].is_i64());
    let (_, limits) = api.get(D::Demo, &format!("userAccountPositionLimit/deps?masterid={account_id}")).await;
    assert_eq!(limits[0]["longLimit"], 5);
    assert_eq!(limits[0]["accountId"], account_id);
    let limit_id = limits[0]["id"].as_i64().unwrap();
    let (_, parameters) = api.get(D::Demo, &format!("userAccountRiskParameter/deps?masterid={limit_id}")).await;
    assert_eq!(parameters[0]["maxOpeningOrderQty"], 3);
    assert_eq!(parameters[0]["userAccountPositionLimitId"], limit_id);

    let bare = body["results"][1]["accountId"].as_i64().unwrap();
    let (_, auto_liq) = api.get(D::Demo, &format!("userAccountAutoLiq/deps?masterid={bare}")).await;
    let keys: Vec<_> = auto_liq[0].as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["id"], "an account created without postTradeRisk has no limits at all");
}
