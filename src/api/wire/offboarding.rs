use serde::{Deserialize, Serialize};

/// `user/revokeTradingPermissions`: the IDs may span users. Reply: `SimpleResponse`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevokeTradingPermissions {
    pub trading_permission_ids: Vec<i64>,
}

/// `user/cancelEverything`, sent once to DEMO and once to LIVE.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelEverything {
    pub user_ids: Vec<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tradovate_subscriptions: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trading_permissions: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_plugins: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_data_subscriptions: Option<bool>,
}

impl CancelEverything {
    /// Everything for these users: subscriptions, permissions, plug-ins, market data.
    pub fn all_for(user_ids: Vec<i64>) -> Self {
        Self {
            user_ids,
            tradovate_subscriptions: Some(true),
            trading_permissions: Some(true),
            user_plugins: Some(true),
            market_data_subscriptions: Some(true),
        }
    }
}

/// `CancelEverythingResponse` (OpenAPI): what was cancelled. `errorText` on failure.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CancelEverythingResponse {
    pub tradovate_subscription_ids: Vec<i64>,
    pub trading_permission_ids: Vec<i64>,
    pub user_plugin_ids: Vec<i64>,
    pub market_data_subscription_ids: Vec<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetAccountTradingPermissions {
    pub account_id: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TradingPermissionsResponse {
    pub trading_permissions: Vec<TradingPermission>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
}

/// `TradingPermission` (OpenAPI). `status`: Accepted, Approved, Declined, Requested, Revoked.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TradingPermission {
    pub id: i64,
    pub user_id: i64,
    pub account_id: i64,
    pub account_holder_contact: String,
    pub account_holder_email: String,
    pub cta_contact: String,
    pub cta_email: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
}
