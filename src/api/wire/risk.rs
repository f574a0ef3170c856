//! What the server holds after `postTradeRisk` / `preTradeRisk` were applied: the
//! risk entities read back with `deps?masterid=` (reference 8.1 to 8.3).

use super::users::PostTradeRisk;
use serde::{Deserialize, Serialize};

/// `UserAccountAutoLiq`: the account's post-trade risk (the 17 `PostTradeRisk` fields)
/// plus its own id and `changesLocked`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserAccountAutoLiq {
    pub id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes_locked: Option<bool>,
    #[serde(flatten)]
    pub risk: PostTradeRisk,
}

/// `userAccountAutoLiq/updateUserAutoLiq` (OpenAPI `UpdateUserAutoLiq`): the account
/// and the post-trade fields to hold from now on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateUserAutoLiq {
    pub account_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_owner: Option<bool>,
    #[serde(flatten)]
    pub risk: PostTradeRisk,
}

/// OpenAPI `UpdateUserAutoLiqResponse` (an `errorText` became `ApiError::Rejected`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateUserAutoLiqResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_account_auto_liq: Option<UserAccountAutoLiq>,
}

/// `UserAccountPositionLimit` (required: active, totalBy, accountId).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserAccountPositionLimit {
    pub id: i64,
    pub account_id: i64,
    pub active: bool,
    pub total_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_group_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk_discount_contract_group_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk_time_period_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short_limit: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub long_limit: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exposed_limit: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `UserAccountRiskParameter`: one parameter of a position limit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserAccountRiskParameter {
    pub id: i64,
    pub user_account_position_limit_id: i64,
    #[serde(flatten)]
    pub parameter: super::users::PreTradeRiskParameter,
}
