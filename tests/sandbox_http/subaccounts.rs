use super::common::*;
use propdesk::sandbox;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

pub fn request(cta_user_id: i64) -> Value {
    json!({
        "ctaUserId": cta_user_id,
        "riskCategoryId": 3,
        "marginType": "Hedger",
        "transferAmount": 5000,
        "authorizedIndividual": true,
        "firstName": "Emily",
        "lastName": "Johnson",
        "country": "US",
        "state": "NY",
        "streetAddress1": "123 Maple Avenue",
        "city": "Albany",
        "zipCode": "12207",
        "phone": "+1-518-555-0199",
        "citizenship": "US",
        "birthDate": {"year": 1985, "month": 7, "day": 14},
        "taxIdentifier": "123456789",
    })
}

const PDF: &str = "data:application/pdf;base64,JVBERi0xLjQKJcfsj6IKJSVFT0YK";

fn doc(request_id: i64, document_type: &str) -> Value {
    json!({ "subAccountRequestId": request_id, "documentType": document_type, "base64data": PDF, "filename": "document.pdf" })
}

async fn upload_all(api: &Api, request_id: i64) {
    for t in ["POAForm", "Id", "AddressVerificationFAFTA"] {
        let (status, body) =
            api.post(D::Live, "customerApplication/submitPartnerSubaccountDocument", doc(request_id, t)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["ok"], true, "{body}");
        assert!(body["documentId"].is_i64());
    }
}

async fn status_of(api: &Api, request_id: i64) -> Value {
    let (status, body) = api
        .post(
            D::Live,
            "customerApplication/getPartnerSubaccountRequestStatus",
            json!({ "subAccountRequestId": request_id }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    body
}

/// Polls the status endpoint until a final status; returns every status seen, in order.
async fn follow(api: &Api, request_id: i64) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for _ in 0..200 {
        let body = status_of(api, request_id).await;
        let s = body["status"].as_str().unwrap().to_string();
        if seen.last() != Some(&s) {
            seen.push(s.clone());
        }
        if s == "Approved" || s == "Denied" {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    panic!("never final: {seen:?}");
}

async fn create(api: &Api, body: Value) -> Value {
    let (status, body) = api.post(D::Live, "customerApplication/createPartnerSubaccountRequest", body).await;
    assert_eq!(status, StatusCode::OK);
    body
}

#[tokio::test]
async fn seeds_004_failure_scenarios_each_get_an_error_text() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let trader = api.create_user("subtrader1").await;
    let base = request(trader);
    let with = |key: &str, value: Value| {
        let mut b = base.clone();
        b[key] = value;
        b
    };
    let without = |key: &str| {
        let mut b = base.clone();
        b.as_object_mut().unwrap().remove(key);
        b
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        ("unknown ctaUserId", with("ctaUserId", json!(999_999)), "not found"),
        ("other org ctaUserId", with("ctaUserId", json!(sandbox::OTHER_ORG_USER_ID)), "different organization"),
        ("missing firstName", without("firstName"), "firstName"),
        ("missing citizenship", without("citizenship"), "citizenship"),
        ("missing birthDate", without("birthDate"), "birthDate"),
        ("SSN not 9 digits", with("taxIdentifier", json!("12345678")), "Social Security"),
        ("SSN letters", with("taxIdentifier", json!("12345678A")), "Social Security"),
        ("missing SSN", without("taxIdentifier"), "Social Security"),
        ("non-US without nationalId", with("citizenship", json!("DE")), "nationalId"),
        ("bad country code", with("country", json!("XX")), "country"),
        ("3-letter citizenship", with("citizenship", json!("USA")), "citizenship"),
        ("name digits", with("firstName", json!("Em1ly")), "name characters"),
        ("combined name", with("lastName", json!("J".repeat(56))), "60"),
        ("marginType", with("marginType", json!("Scalper")), "marginType"),
        ("short street", with("streetAddress1", json!("AB")), "streetAddress1"),
        ("long city", with("city", json!("C".repeat(36))), "city"),
        ("short zip", with("zipCode", json!("123")), "zipCode"),
        ("long phone", with("phone", json!("1".repeat(22))), "phone"),
        ("short state", with("state", json!("N")), "state"),
        ("restricted country", with("country", json!("CU")), "restricted"),
        ("insufficient funds", with("transferAmount", json!(10_000_000)), "Insufficient funds"),
        ("partial documents", with("pOAFormDocId", json!(1)), "all three"),
        ("auto-liq not found", with("autoLiqProfileId", json!(5555)), "Auto-liq profile not found"),
        (
            "auto-liq other org",
            with("autoLiqProfileId", json!(sandbox::OTHER_ORG_AUTO_LIQ_PROFILE_ID)),
            "Auto-liq profile does not belong to this organization",
        ),
        ("long traderReason", with("traderReason", json!("r".repeat(8193))), "traderReason"),
    ];
    let balance = sb.stats().master_balance;
    for (what, body, expect) in cases {
        let reply = create(&api, body).await;
        assert!(error_text(&reply).contains(expect), "{what}: {reply}");
        assert!(reply.get("requestId").is_none(), "{what}");
    }
    let mut docs = base.clone();
    docs["pOAFormDocId"] = json!(1);
    docs["governmentDocId"] = json!(2);
    docs["addressDocId"] = json!(3);
    assert!(error_text(&create(&api, docs).await).contains("does not exist"));
    let mut non_us = with("citizenship", json!("DE"));
    non_us["nationalId"] = json!("X-1");
    assert!(error_text(&create(&api, non_us).await).contains("alphanumeric"));
    assert_eq!(sb.stats().subaccount_requests, 0);
    assert_eq!(sb.stats().master_balance, balance, "nothing debited");

    let member = Api::member(&sb).await;
    let reply = create(&member, base.clone()).await;
    assert!(error_text(&reply).contains("administrators"), "{reply}");

    // Three per trader, then the limit.
    for _ in 0..3 {
        let reply = create(&api, base.clone()).await;
        assert_eq!(reply["status"], "Pending", "{reply}");
    }
    assert!(error_text(&create(&api, base).await).contains("Max sub-account"));
    assert_eq!(sb.stats().master_balance, balance - 15_000.0, "each success debits the transfer");
}

#[tokio::test]
async fn a_request_stays_pending_until_documents_then_reaches_approved() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let trader = api.create_user("subtrader2").await;
    let reply = create(&api, request(trader)).await;
    assert_eq!(error_text(&reply), "");
    assert_eq!(reply["status"], "Pending");
    let id = reply["requestId"].as_i64().unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(status_of(&api, id).await["status"], "Pending", "no documents, no progress");
    upload_all(&api, id).await;
    let seen = follow(&api, id).await;
    assert_eq!(seen, ["Pending", "Preapproved", "InReview", "Approved"]);
    assert_eq!(seen.last().map(String::as_str), Some("Approved"));
    assert!(seen.contains(&"InReview".to_string()) && !seen.contains(&"InAMLReview".to_string()), "{seen:?}");
    // Final: no more uploads.
    let (_, body) = api.post(D::Live, "customerApplication/submitPartnerSubaccountDocument", doc(id, "Id")).await;
    assert_eq!(body["ok"], false);
    assert!(!error_text(&body).is_empty());
}

#[tokio::test]
async fn big_transfers_pass_aml_review_and_minors_are_denied() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let trader = api.create_user("subtrader3").await;
    let mut big = request(trader);
    big["transferAmount"] = json!(50_000);
    let big_id = create(&api, big).await["requestId"].as_i64().unwrap();
    let mut minor = request(trader);
    let year = chrono::Datelike::year(&chrono::Utc::now()) - 16;
    minor["birthDate"] = json!({"year": year, "month": 1, "day": 1});
    let minor_id = create(&api, minor).await["requestId"].as_i64().unwrap();
    upload_all(&api, big_id).await;
    upload_all(&api, minor_id).await;
    let seen = follow(&api, big_id).await;
    assert!(seen.contains(&"InAMLReview".to_string()), "{seen:?}");
    assert_eq!(seen.last().map(String::as_str), Some("Approved"));
    let seen = follow(&api, minor_id).await;
    assert_eq!(seen.last().map(String::as_str), Some("Denied"));
    let body = status_of(&api, minor_id).await;
    assert_eq!(body["message"], "Applicant must be at least 18 years old");
}

#[tokio::test]
async fn documents_are_checked_and_each_slot_fills_once() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let trader = api.create_user("subtrader4").await;
    let id = create(&api, request(trader)).await["requestId"].as_i64().unwrap();
    let path = "customerApplication/submitPartnerSubaccountDocument";
    let with = |key: &str, value: Value| {
        let mut d = doc(id, "POAForm");
        d[key] = value;
        d
    };
    let cases = [
        ("not a data URI", with("base64data", json!("JVBERi0xLjQK")), "data URI"),
        ("bad mime", with("base64data", json!("data:application/zip;base64,UEsDBA==")), "MIME"),
        ("bad base64", with("base64data", json!("data:application/pdf;base64,%%%")), "base64"),
        ("short filename", with("filename", json!("a.pd")), "filename"),
        ("long filename", with("filename", json!(format!("{}.pdf", "f".repeat(61)))), "filename"),
        ("bad type", with("documentType", json!("Passport")), "documentType"),
        ("unknown request", with("subAccountRequestId", json!(1)), "not found"),
    ];
    for (what, body, expect) in cases {
        let (status, reply) = api.post(D::Live, path, body).await;
        assert_eq!(status, StatusCode::OK, "{what}");
        assert_eq!(reply["ok"], false, "{what}");
        assert!(error_text(&reply).contains(expect), "{what}: {reply}");
    }
    let (_, first) = api.post(D::Live, path, with("base64data", json!("data:image/png;base64,iVBORw0KGgo="))).await;
    assert_eq!(first["ok"], true, "{first}");
    let (_, again) = api.post(D::Live, path, doc(id, "POAForm")).await;
    assert_eq!(again["ok"], false);
    assert!(error_text(&again).contains("already has a completed upload"), "{again}");

    // Over 5 MB: HTTP 413.
    let huge = format!("data:text/plain;base64,{}", "A".repeat(5 * 1024 * 1024 + 16));
    let (status, _) = api.post(D::Live, path, with("base64data", json!(huge))).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn linked_documents_start_the_review_at_once() {
    let sb = start().await;
    let api = Api::admin(&sb).await;
    let trader = api.create_user("subtrader5").await;
    let mut ids = Vec::new();
    for t in ["POAForm", "Id", "AddressVerificationFAFTA"] {
        let body = json!({ "process": "SubAccountRequest", "documentType": t, "base64data": PDF, "filename": "scan.pdf", "userId": trader });
        let (_, reply) = api.post(D::Live, "customerApplication/submitCustomerApplicationDocument", body).await;
        assert_eq!(reply["ok"], true, "{reply}");
        ids.push(reply["documentId"].as_i64().unwrap());
    }
    let mut swapped = request(trader);
    swapped["pOAFormDocId"] = json!(ids[1]);
    swapped["governmentDocId"] = json!(ids[0]);
    swapped["addressDocId"] = json!(ids[2]);
    assert!(!error_text(&create(&api, swapped).await).is_empty(), "documents in the wrong slots");
    let mut body = request(trader);
    body["pOAFormDocId"] = json!(ids[0]);
    body["governmentDocId"] = json!(ids[1]);
    body["addressDocId"] = json!(ids[2]);
    let reply = create(&api, body.clone()).await;
    let id = reply["requestId"].as_i64().unwrap_or_else(|| panic!("{reply}"));
    assert_eq!(follow(&api, id).await.last().map(String::as_str), Some("Approved"));
    assert!(!error_text(&create(&api, body).await).is_empty(), "documents cannot be linked twice");

    let other = status_of(&api, 424_242).await;
    assert!(error_text(&other).contains("not found"));
}
