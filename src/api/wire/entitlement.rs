use super::TradeDate;
use serde::{Deserialize, Serialize};

/// `userPlugin/addEntitlementSubscription` (LIVE).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddEntitlementSubscription {
    pub entitlement_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_card_id: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EntitlementSubscriptionResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
    /// ConflictWithExisting, InsufficientFunds, ... (reference 3.3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entitlement_subscription: Option<UserPlugin>,
}

/// `UserPlugin` (OpenAPI): an entitlement held by a user.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserPlugin {
    pub id: i64,
    pub user_id: i64,
    pub timestamp: String,
    pub plan_price: f64,
    pub plugin_name: String,
    pub approval: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entitlement_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<i64>,
    pub start_date: Option<TradeDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<TradeDate>,
    pub paid_amount: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autorenewal: Option<bool>,
}
