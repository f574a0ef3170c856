//! Every reply parses as the shared wire type the client uses (`propdesk::api::wire`).

use super::common::*;
use propdesk::api::wire;
use propdesk::sandbox;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::time::Duration;

fn parse<T: DeserializeOwned>(what: &str, value: Value) -> T {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{what}: {e} in {value}"))
}

#[tokio::test]
async fn replies_parse_as_the_shared_wire_types() {
    let sb = start().await;
    let anon = Api::anonymous(&sb);
    let (_, token) = anon.post(D::Live, "auth/accesstokenrequest", admin_credentials()).await;
    let token: wire::AccessTokenResponse = parse("token", token);
    assert!(token.expiration_time.is_some() && token.access_token.is_some());
    let api = Api::admin(&sb).await;
    let _: wire::AccessTokenResponse = parse("renew", api.get(D::Live, "auth/renewaccesstoken").await.1);
    let me: wire::Me = parse("me", api.get(D::Live, "auth/me").await.1);
    assert_eq!(me.user_id, sandbox::ADMIN_USER_ID);
    let plans: Vec<wire::TradovateSubscriptionPlan> =
        parse("plans", api.get(D::Live, "tradovateSubscriptionPlan/list").await.1);
    assert!(plans.iter().any(|p| p.name == "DEMOFIRM_MONTHLY" && p.id == sandbox::PLAN_MONTHLY_ID));
    let ents: Vec<wire::Entitlement> = parse("entitlements", api.get(D::Live, "entitlement/list").await.1);
    assert!(ents.iter().any(|e| e.id == 85) && ents.iter().any(|e| e.id == 22 && e.discontinued_date.is_some()));
    let accounts: Vec<wire::Account> = parse("accounts", api.get(D::Demo, "account/list").await.1);
    assert_eq!(accounts.iter().filter(|a| a.evaluation_size.is_some()).count(), 3);

    let users: wire::CreateEvaluationUsersResponse = parse(
        "users",
        api.post(D::Live, "user/createEvaluationUsers", json!({ "users": [user("wire0001"), user("wire0001")] }))
            .await
            .1,
    );
    let user_id = users.results[0].user_id.unwrap();
    assert!(users.results[1].error_text.is_some());
    let found: wire::User = parse("find", api.get(D::Live, "user/find?name=wire0001").await.1);
    assert_eq!(found.id, user_id);
    let contact: wire::UpdateContactInfoResponse = parse("contact", api.set_contact(user_id).await);
    assert_eq!(contact.contact_info.map(|c| c.user_id), Some(user_id));
    let created: wire::CreateEvaluationAccountsResponse = parse(
        "accounts",
        api.post(
            D::Demo,
            "user/createEvaluationAccounts",
            json!({ "accounts": [{ "userId": user_id, "templateAccountId": sandbox::TEMPLATE_150K_ID, "name": "WIRE1", "initialBalance": 150000 }] }),
        )
        .await
        .1,
    );
    let account_id = created.results[0].account_id.unwrap();
    let (status, bad) = api
        .post(
            D::Demo,
            "user/createEvaluationAccounts",
            json!({ "accounts": [{ "userId": user_id, "templateAccountId": 1, "name": "bad", "initialBalance": 1 }] }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::BAD_REQUEST);
    let violations: wire::ViolationsBody = parse("violations", bad);
    assert_eq!(violations.violations[0].constraint, "name");
    let perms: wire::TradingPermissionsResponse = parse(
        "perms",
        api.post(D::Demo, "user/getAccountTradingPermissions", json!({ "accountId": account_id })).await.1,
    );
    assert_eq!(perms.trading_permissions[0].status, "Approved");

    eventually("signature", Duration::from_secs(3), || sb.has_signed_agreement(user_id)).await;
    let signals: Vec<wire::AdminAlertSignal> =
        parse("deps", api.get(D::Live, "adminAlertSignal/deps?masterid=70").await.1);
    assert_eq!(signals[0].related_to_user_id, Some(user_id));
    let grant: wire::EntitlementSubscriptionResponse = parse(
        "grant",
        api.post(
            D::Live,
            "userPlugin/addEntitlementSubscription",
            json!({ "entitlementId": sandbox::ENTITLEMENT_TPROP, "userId": user_id }),
        )
        .await
        .1,
    );
    assert_eq!(grant.entitlement_subscription.and_then(|p| p.entitlement_id), Some(sandbox::ENTITLEMENT_TPROP));

    let request = super::subaccounts::request(user_id);
    let sub: wire::CreatePartnerSubaccountResponse =
        parse("subaccount", api.post(D::Live, "customerApplication/createPartnerSubaccountRequest", request).await.1);
    assert_eq!(sub.status, Some(wire::SubaccountStatus::Pending));
    let request_id = sub.request_id.unwrap();
    let doc = wire::SubmitPartnerSubaccountDocument {
        sub_account_request_id: request_id,
        document_type: wire::DocumentType::PoaForm,
        base64_data: "data:text/plain;base64,aGVsbG8=".into(),
        file_name: "poa.txt".into(),
    };
    let upload: wire::DocumentUploadResponse = parse(
        "upload",
        api.post(D::Live, "customerApplication/submitPartnerSubaccountDocument", serde_json::to_value(&doc).unwrap())
            .await
            .1,
    );
    assert!(upload.ok && upload.document_id.is_some());
    let status: wire::PartnerSubaccountRequestStatus = parse(
        "status",
        api.post(
            D::Live,
            "customerApplication/getPartnerSubaccountRequestStatus",
            json!({ "subAccountRequestId": request_id }),
        )
        .await
        .1,
    );
    assert_eq!(status.status, Some(wire::SubaccountStatus::Pending));

    let cancel = serde_json::to_value(wire::CancelEverything::all_for(vec![user_id])).unwrap();
    let live: wire::CancelEverythingResponse =
        parse("cancel live", api.post(D::Live, "user/cancelEverything", cancel.clone()).await.1);
    assert_eq!(live.user_plugin_ids.len(), 1);
    let demo: wire::CancelEverythingResponse =
        parse("cancel demo", api.post(D::Demo, "user/cancelEverything", cancel).await.1);
    assert_eq!(demo.trading_permission_ids.len(), 1);
    let revoke: wire::SimpleResponse = parse(
        "revoke",
        api.post(
            D::Demo,
            "user/revokeTradingPermissions",
            json!({ "tradingPermissionIds": [created.results[0].trading_permission_id] }),
        )
        .await
        .1,
    );
    assert!(revoke.ok);
}

#[tokio::test]
async fn the_client_request_types_are_accepted() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let request = wire::AccessTokenRequest {
        name: sandbox::ADMIN_NAME.into(),
        password: sandbox::ADMIN_PASSWORD.into(),
        app_id: Some(sandbox::APP_ID.into()),
        app_version: Some(sandbox::APP_VERSION.into()),
        cid: Some(sandbox::CID.into()),
        sec: Some(sandbox::SECRET.into()),
        device_id: Some("propdesk-test-device".into()),
    };
    let (_, body) =
        Api::anonymous(&sb).post(D::Live, "auth/accesstokenrequest", serde_json::to_value(&request).unwrap()).await;
    assert!(body["accessToken"].is_string(), "{body}");
    let users = wire::CreateEvaluationUsers {
        users: vec![wire::EvaluationUser {
            name: "typed001".into(),
            email: "typed001@traders.example".into(),
            password: "Sup3rSecret!".into(),
            first_name: "Typed".into(),
            last_name: "User".into(),
            tradovate_subscription_plan_id: Some(sandbox::PLAN_MONTHLY_ID),
            entitlement_ids: vec![],
        }],
    };
    let (_, body) = api.post(D::Live, "user/createEvaluationUsers", serde_json::to_value(&users).unwrap()).await;
    let user_id = body["results"][0]["userId"].as_i64().unwrap_or_else(|| panic!("{body}"));
    let contact = wire::UpdateContactInfo {
        user_id,
        first_name: "Typed".into(),
        last_name: "User".into(),
        street_address1: "1 Main Street".into(),
        city: "Berlin".into(),
        post_code: "10115".into(),
        country: "DE".into(),
        phone: "+49 30 1234567".into(),
        ..Default::default()
    };
    let (_, body) = api.post(D::Live, "contactInfo/updateContactInfo", serde_json::to_value(&contact).unwrap()).await;
    assert_eq!(error_text(&body), "", "{body}");
    let accounts = wire::CreateEvaluationAccounts {
        accounts: vec![wire::EvaluationAccount {
            user_id,
            template_account_id: sandbox::TEMPLATE_50K_ID,
            name: "TYPED1".into(),
            initial_balance: 50_000.0,
            pre_trade_risk: vec![wire::PreTradeRisk {
                active: true,
                total_by: "Overall".into(),
                long_limit: Some(5),
                ..Default::default()
            }],
            post_trade_risk: Some(wire::PostTradeRisk {
                daily_loss_auto_liq: Some(1000.0),
                trailing_max_drawdown_mode: Some("EOD".into()),
                ..Default::default()
            }),
        }],
    };
    let (_, body) = api.post(D::Demo, "user/createEvaluationAccounts", serde_json::to_value(&accounts).unwrap()).await;
    assert!(body["results"][0]["accountId"].is_i64(), "{body}");
}
