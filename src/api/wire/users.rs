use crate::api::secret::Secret;
use serde::{Deserialize, Serialize};

/// One user of `user/createEvaluationUsers`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvaluationUser {
    pub name: String,
    pub email: String,
    pub password: Secret,
    pub first_name: String,
    pub last_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tradovate_subscription_plan_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entitlement_ids: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreateEvaluationUsers {
    pub users: Vec<EvaluationUser>,
}

/// `results[i]` is the outcome of `users[i]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateEvaluationUsersResponse {
    pub results: Vec<CreateEvaluationUserResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateEvaluationUserResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
}

/// `User` (OpenAPI), as returned by `user/find`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub timestamp: String,
    pub email: String,
    pub status: String,
    pub professional: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<i64>,
}

/// `contactInfo/updateContactInfo` request (reference 5.3). `state` is required when
/// `country` is `US` (seeds/000).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateContactInfo {
    pub user_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub street_address1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address2: Option<String>,
    pub city: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    pub post_code: String,
    pub country: String,
    pub phone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailing_is_different: Option<bool>,
}

/// `ContactInfo` entity (OpenAPI): the update's fields plus `id`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContactInfo {
    pub id: i64,
    pub user_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub street_address1: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street_address2: Option<String>,
    pub city: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    pub post_code: String,
    pub country: String,
    pub phone: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateContactInfoResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_info: Option<ContactInfo>,
}

/// Post-trade risk (`PostTradeRisk` in the OpenAPI; the `userAccountAutoLiq` fields).
/// An omitted field disables that liquidation type.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PostTradeRisk {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margin_percentage_alert: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_loss_percentage_alert: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_loss_alert: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margin_percentage_liq_only: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_loss_percentage_liq_only: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_loss_liq_only: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margin_percentage_auto_liq: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_loss_percentage_auto_liq: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_loss_auto_liq: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weekly_loss_auto_liq: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flatten_timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trailing_max_drawdown: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trailing_max_drawdown_limit: Option<f64>,
    /// `EOD` or `RealTime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trailing_max_drawdown_mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_profit_auto_liq: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weekly_profit_auto_liq: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub do_not_unlock: Option<bool>,
}

/// One pre-trade position limit (`PreTradeRisk` in the OpenAPI): `active`, `totalBy`
/// and `parameters` are required.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PreTradeRisk {
    pub active: bool,
    /// Contract, ContractGroup, DiscountGroup, Exchange, Overall, Product, ProductType.
    pub total_by: String,
    pub parameters: Vec<PreTradeRiskParameter>,
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

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PreTradeRiskParameter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange_id: Option<i64>,
    /// CommonStock, Continuous, Cryptocurrency, Futures, MarketInternals, Options, Spread.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_group_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_opening_order_qty: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_closing_order_qty: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_back_month: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_expiration_days: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margin_percentage: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margin_dollar_value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hard_limit: Option<bool>,
}

/// One account of `user/createEvaluationAccounts` (OpenAPI: userId, templateAccountId,
/// name and initialBalance required).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvaluationAccount {
    pub user_id: i64,
    pub template_account_id: i64,
    pub name: String,
    pub initial_balance: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pre_trade_risk: Vec<PreTradeRisk>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_trade_risk: Option<PostTradeRisk>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreateEvaluationAccounts {
    pub accounts: Vec<EvaluationAccount>,
}

/// `results[i]` is the outcome of `accounts[i]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateEvaluationAccountsResponse {
    pub results: Vec<CreateEvaluationAccountResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateEvaluationAccountResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trading_permission_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
}
