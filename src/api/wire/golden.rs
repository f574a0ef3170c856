//! Golden wire-format tests: our serde types against the user's documents (seeds/)
//! and the OpenAPI schemas (names and required fields, extracted to a fixture).

use super::*;
use crate::api::secret::Secret;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const SCHEMAS: &str = include_str!("../../../tests/fixtures/openapi-schemas.json");

fn schema(name: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let all: Value = serde_json::from_str(SCHEMAS).unwrap();
    let s = &all["schemas"][name];
    let set = |key: &str| -> BTreeSet<String> {
        s[key].as_array().unwrap_or_else(|| panic!("{name}.{key}")).iter().map(|v| v.as_str().unwrap().into()).collect()
    };
    (set("properties"), set("required"))
}

/// Every key we send is in the schema, and every required key is sent.
fn conforms<T: Serialize>(value: &T, schema_name: &str, extra_allowed: &[&str]) {
    let json = serde_json::to_value(value).unwrap();
    let keys: BTreeSet<String> = json.as_object().unwrap().keys().cloned().collect();
    let (properties, required) = schema(schema_name);
    for key in &keys {
        assert!(
            properties.contains(key) || extra_allowed.contains(&key.as_str()),
            "{schema_name}: we send `{key}`, which the schema does not have"
        );
    }
    for key in &required {
        assert!(keys.contains(key), "{schema_name}: required `{key}` is missing");
    }
}

fn full_post_trade_risk() -> PostTradeRisk {
    PostTradeRisk {
        margin_percentage_alert: Some(1.0),
        daily_loss_percentage_alert: Some(1.0),
        daily_loss_alert: Some(1.0),
        margin_percentage_liq_only: Some(1.0),
        daily_loss_percentage_liq_only: Some(1.0),
        daily_loss_liq_only: Some(1.0),
        margin_percentage_auto_liq: Some(1.0),
        daily_loss_percentage_auto_liq: Some(1.0),
        daily_loss_auto_liq: Some(1.0),
        weekly_loss_auto_liq: Some(1.0),
        flatten_timestamp: Some("2026-01-01T21:00:00Z".into()),
        trailing_max_drawdown: Some(1.0),
        trailing_max_drawdown_limit: Some(1.0),
        trailing_max_drawdown_mode: Some("EOD".into()),
        daily_profit_auto_liq: Some(1.0),
        weekly_profit_auto_liq: Some(1.0),
        do_not_unlock: Some(true),
    }
}

#[test]
fn create_evaluation_users_matches_seeds_000() {
    let body = CreateEvaluationUsers {
        users: vec![EvaluationUser {
            name: "string".into(),
            email: "string".into(),
            password: Secret::new("string"),
            first_name: "string".into(),
            last_name: "string".into(),
            tradovate_subscription_plan_id: None,
            entitlement_ids: vec![],
        }],
    };
    let expected = json!({"users":[{"name":"string","email":"string","password":"string","firstName":"string","lastName":"string"}]});
    assert_eq!(serde_json::to_value(&body).unwrap(), expected);
    let mut with_plan = body.users[0].clone();
    with_plan.tradovate_subscription_plan_id = Some(7);
    with_plan.entitlement_ids = vec![3];
    conforms(&with_plan, "EvaluationUser", &[]);

    let reply: CreateEvaluationUsersResponse =
        serde_json::from_value(json!({"results":[{"errorText":"string","userId":1}],"errorText":"string"})).unwrap();
    assert_eq!(reply.results[0].user_id, Some(1));
    assert_eq!(reply.error_text.as_deref(), Some("string"));
}

#[test]
fn create_evaluation_accounts_matches_seeds_000_and_the_schemas() {
    let account = EvaluationAccount {
        user_id: 1,
        template_account_id: 1,
        name: "string".into(),
        initial_balance: 1.1,
        pre_trade_risk: vec![],
        post_trade_risk: None,
    };
    let expected = json!({"accounts":[{"userId":1,"templateAccountId":1,"name":"string","initialBalance":1.1}]});
    assert_eq!(serde_json::to_value(CreateEvaluationAccounts { accounts: vec![account.clone()] }).unwrap(), expected);

    let risky = EvaluationAccount {
        post_trade_risk: Some(full_post_trade_risk()),
        pre_trade_risk: vec![PreTradeRisk {
            active: true,
            total_by: "Overall".into(),
            parameters: vec![PreTradeRiskParameter { max_opening_order_qty: Some(5), ..Default::default() }],
            long_limit: Some(5),
            short_limit: Some(5),
            ..Default::default()
        }],
        ..account
    };
    conforms(&risky, "EvaluationAccount", &[]);
    conforms(&full_post_trade_risk(), "PostTradeRisk", &[]);
    conforms(&risky.pre_trade_risk[0], "PreTradeRisk", &[]);

    let reply: CreateEvaluationAccountsResponse = serde_json::from_value(
        json!({"results":[{"errorText":"string","accountId":1,"tradingPermissionId":1}],"errorText":"string"}),
    )
    .unwrap();
    assert_eq!(reply.results[0].trading_permission_id, Some(1));
}

#[test]
fn subaccount_request_matches_the_seeds_004_example() {
    // The request body printed on the seeds/004 page.
    let example = json!({"ctaUserId":12345,"riskCategoryId":3,"marginType":"Hedger","transferAmount":5000.0,"authorizedIndividual":true,"firstName":"Emily","lastName":"Johnson","country":"US","state":"NY","streetAddress1":"123 Maple Avenue","city":"Albany","zipCode":"12207","phone":"+1-518-555-0199","citizenship":"US","birthDate":{"year":1985,"month":7,"day":14}});
    let parsed: CreatePartnerSubaccountRequest = serde_json::from_value(example.clone()).unwrap();
    assert_eq!(serde_json::to_value(&parsed).unwrap(), example);
    let with_docs = CreatePartnerSubaccountRequest {
        poa_form_doc_id: Some(1),
        government_doc_id: Some(2),
        address_doc_id: Some(3),
        tax_identifier: Some(Secret::new("123456789")),
        ..parsed
    };
    let json = serde_json::to_value(&with_docs).unwrap();
    assert_eq!(json["pOAFormDocId"], 1, "the documented spelling pOAFormDocId");
    assert_eq!(json["taxIdentifier"], "123456789");

    let reply: CreatePartnerSubaccountResponse =
        serde_json::from_value(json!({"errorText":"","requestId":987654321,"status":"Pending"})).unwrap();
    assert_eq!(reply.request_id, Some(987654321));
    assert_eq!(reply.status, Some(SubaccountStatus::Pending));
}

#[test]
fn document_types_use_the_documented_names() {
    let names: Vec<Value> = DocumentType::ALL.iter().map(|d| serde_json::to_value(d).unwrap()).collect();
    assert_eq!(names, vec![json!("POAForm"), json!("Id"), json!("AddressVerificationFAFTA")]);
}

#[test]
fn auth_request_uses_the_schema_names() {
    let request = AccessTokenRequest {
        name: "admin".into(),
        password: Secret::new("pw"),
        app_id: Some("Propdesk".into()),
        app_version: Some("1.0".into()),
        cid: Some("8".into()),
        sec: Some(Secret::new("s")),
        device_id: Some("d".into()),
    };
    conforms(&request, "AccessTokenRequest", &[]);
    let reply: AccessTokenResponse = serde_json::from_value(json!({
        "accessToken":"abc","expirationTime":"2026-11-23T10:00:00.000Z","userId":5,"name":"admin","userStatus":"Active","hasLive":false
    }))
    .unwrap();
    assert_eq!(reply.user_id, Some(5));
    assert!(reply.expiration_time.is_some());
}

#[test]
fn the_other_bodies_conform_to_their_schemas() {
    conforms(
        &UpdateContactInfo {
            user_id: 1,
            first_name: "A".into(),
            last_name: "Bc".into(),
            street_address1: "1 Main".into(),
            street_address2: Some("Apt 2".into()),
            city: "Albany".into(),
            state: Some("NY".into()),
            post_code: "12207".into(),
            country: "US".into(),
            phone: "1".into(),
            mailing_is_different: Some(false),
        },
        "ContactInfo",
        &[],
    );
    conforms(
        &AddEntitlementSubscription {
            entitlement_id: 1,
            user_id: Some(2),
            account_id: Some(3),
            credit_card_id: Some(4),
        },
        "AddEntitlementSubscription",
        &[],
    );
    conforms(&RevokeTradingPermissions { trading_permission_ids: vec![1] }, "RevokeTradingPermissions", &[]);
    conforms(&CancelEverything::all_for(vec![1]), "CancelEverything", &[]);
    conforms(&GetAccountTradingPermissions { account_id: 1 }, "GetAccountTradingPermissions", &[]);
    // Reply types we read keep the schema's names (plus errorText where the reference adds it).
    conforms(
        &UserPlugin { start_date: Some(TradeDate { year: 2026, month: 1, day: 2 }), ..Default::default() },
        "UserPlugin",
        &[],
    );
    conforms(
        &AdminAlertSignal { related_to_user_id: Some(1), ..Default::default() },
        "AdminAlertSignal",
        &["archived"],
    );
    conforms(&TradingPermission::default(), "TradingPermission", &[]);
    conforms(&CancelEverythingResponse::default(), "CancelEverythingResponse", &["errorText"]);
    conforms(&TradovateSubscriptionPlan::default(), "TradovateSubscriptionPlan", &[]);
    conforms(&Account::default(), "Account", &[]);
    conforms(&User::default(), "User", &[]);
}
