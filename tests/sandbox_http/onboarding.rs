use super::common::*;
use propdesk::sandbox;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn contact_info_is_validated() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let user_id = api.create_user("contact01").await;
    let mut no_state = contact(user_id);
    no_state.as_object_mut().unwrap().remove("state");
    let (status, body) = api.post(D::Live, "contactInfo/updateContactInfo", no_state).await;
    assert_eq!(status, StatusCode::OK);
    assert!(error_text(&body).contains("state"), "{body}");

    let mut non_us = contact(user_id);
    non_us.as_object_mut().unwrap().remove("state");
    non_us["country"] = json!("DE");
    let (_, body) = api.post(D::Live, "contactInfo/updateContactInfo", non_us.clone()).await;
    assert_eq!(error_text(&body), "", "state is optional outside the US: {body}");

    for country in ["XX", "us", "USA"] {
        let mut c = contact(user_id);
        c["country"] = json!(country);
        let (_, body) = api.post(D::Live, "contactInfo/updateContactInfo", c).await;
        assert!(error_text(&body).contains("country"), "{country}: {body}");
    }
    let mut short_city = contact(user_id);
    short_city["city"] = json!("A");
    let (_, body) = api.post(D::Live, "contactInfo/updateContactInfo", short_city).await;
    assert!(error_text(&body).contains("city"));
    let (_, body) = api.post(D::Live, "contactInfo/updateContactInfo", contact(987_654)).await;
    assert!(error_text(&body).contains("not found"));
    let (status, _) = api.post(D::Demo, "contactInfo/updateContactInfo", contact(user_id)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "LIVE only");
}

#[tokio::test]
async fn tprop_needs_the_signature_then_conflicts_when_held() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let user_id = api.create_user("tprop001").await;
    let grant = json!({ "entitlementId": sandbox::ENTITLEMENT_TPROP, "userId": user_id });

    let (status, body) = api.post(D::Live, "userPlugin/addEntitlementSubscription", grant.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(error_text(&body), "Live account is required");

    let before = chrono::Utc::now();
    let saved = api.set_contact(user_id).await;
    assert_eq!(saved["contactInfo"]["userId"], user_id);
    // Not signed yet right after contact info.
    let (_, body) = api.post(D::Live, "userPlugin/addEntitlementSubscription", grant.clone()).await;
    assert_eq!(error_text(&body), "Live account is required");
    eventually("signature", Duration::from_secs(3), || sb.has_signed_agreement(user_id)).await;
    let signed_after = chrono::Utc::now() - before;
    assert!(signed_after >= chrono::Duration::milliseconds(290), "signed too early: {signed_after}");

    let (_, signals) = api.get(D::Live, "adminAlertSignal/deps?masterid=70").await;
    let signals = signals.as_array().unwrap();
    assert_eq!(signals.len(), 1);
    assert_eq!(signals[0]["adminAlertId"], 70);
    assert_eq!(signals[0]["relatedToUserId"], user_id);
    assert!(signals[0]["text"].as_str().unwrap().contains("signed non-professional market data form"));
    let (_, other) = api.get(D::Live, "adminAlertSignal/deps?masterid=68").await;
    assert_eq!(other, json!([]));

    let (status, body) = api.post(D::Live, "userPlugin/addEntitlementSubscription", grant.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(error_text(&body), "", "{body}");
    assert_eq!(body["entitlementSubscription"]["entitlementId"], sandbox::ENTITLEMENT_TPROP);
    assert_eq!(body["entitlementSubscription"]["userId"], user_id);

    let (_, body) = api.post(D::Live, "userPlugin/addEntitlementSubscription", grant).await;
    assert_eq!(body["errorCode"], "ConflictWithExisting", "{body}");
    assert!(!error_text(&body).is_empty());
    assert_eq!(sb.stats().calls("adminAlertSignal/deps"), 2);
}

#[tokio::test]
async fn entitlement_grants_refuse_unknown_and_22() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let user_id = api.create_user("grants01").await;
    for (id, expect) in [(22, "22"), (123_456, "not found")] {
        let (_, body) = api
            .post(D::Live, "userPlugin/addEntitlementSubscription", json!({ "entitlementId": id, "userId": user_id }))
            .await;
        assert!(error_text(&body).contains(expect), "{body}");
    }
    let tv = json!({ "entitlementId": sandbox::ENTITLEMENT_TRADINGVIEW, "userId": user_id });
    let (_, body) = api.post(D::Live, "userPlugin/addEntitlementSubscription", tv.clone()).await;
    assert_eq!(error_text(&body), "");
    let (status, _) = api.post(D::Demo, "userPlugin/addEntitlementSubscription", tv).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
