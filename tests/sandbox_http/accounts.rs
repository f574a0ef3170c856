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
    let mut bad_mode = account(user_id, "BADMODE1");
    bad_mode["postTradeRisk"] = json!({ "trailingMaxDrawdown": 2500, "trailingMaxDrawdownMode": "Weekly" });
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
        bad_mode,
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
    assert!(error_text(&r[6]).contains("positive"));
    assert!(error_text(&r[7]).contains("EOD"));
    assert!(r[8]["accountId"].is_i64());
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
