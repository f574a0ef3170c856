use serde::{Deserialize, Serialize};

/// `AdminAlertSignal` (OpenAPI; seeds/000 shows `archived` too). The market-data
/// agreement signature is a signal whose `adminAlertId` is the environment's agreement
/// alert (70 staging, 68 production) and whose `relatedToUserId` is the trader.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AdminAlertSignal {
    pub id: i64,
    pub timestamp: String,
    pub admin_alert_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_to_account_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_to_user_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owned_by_admin_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed: Option<String>,
    pub text: String,
    pub email_sent: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    pub subject_id: i64,
}
