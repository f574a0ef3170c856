use super::TradeDate;
use serde::{Deserialize, Serialize};

/// `TradovateSubscriptionPlan` (OpenAPI). The firm's own plan is named `<FIRM>_MONTHLY`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TradovateSubscriptionPlan {
    pub id: i64,
    pub name: String,
    pub title: String,
    pub price: f64,
    pub category: String,
    pub trial: bool,
    pub duration: i32,
    pub duration_units: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<TradeDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discontinued_date: Option<TradeDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk_category_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multiple_accounts: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sim_only: Option<bool>,
}

/// `Account` (OpenAPI). Template accounts are ordinary accounts set up by Eval Support.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub user_id: i64,
    pub account_type: String,
    pub active: bool,
    pub clearing_house_id: i64,
    pub risk_category_id: i64,
    pub auto_liq_profile_id: i64,
    pub margin_account_type: String,
    pub legal_status: String,
    pub timestamp: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluation_size: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readonly: Option<bool>,
}

/// `Entitlement` (OpenAPI plus the reference's extra fields).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Entitlement {
    pub id: i64,
    pub name: String,
    pub title: String,
    pub price: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_units: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autorenewal: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purchase_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discontinued_date: Option<TradeDate>,
}
