use crate::api::secret::Secret;
use serde::{Deserialize, Serialize};

/// `POST auth/accesstokenrequest`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessTokenRequest {
    pub name: String,
    pub password: Secret,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
    /// The API key ID. The OpenAPI schema types it as a string (the reference's key
    /// bundle shows an integer); the schema wins, and servers accept both.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sec: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
}

/// Reply of `accesstokenrequest` and `renewaccesstoken`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AccessTokenResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub md_access_token: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_time: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_expiration_time: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_live: Option<bool>,
}

/// `GET auth/me`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Me {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
    pub user_id: i64,
    pub name: String,
    pub full_name: String,
    pub email: String,
    pub email_verified: bool,
    pub is_trial: bool,
    pub organization_name: String,
}
