use serde::{Deserialize, Serialize};

/// Tradovate's calendar date: `{year, month, day}`, all required.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TradeDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

/// `SimpleResponse`: `{ok, errorText?}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SimpleResponse {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
}

/// One entry of a validation failure: `{constraint, value, description}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Violation {
    pub constraint: String,
    pub value: serde_json::Value,
    pub description: String,
}

/// Body of a validation failure (HTTP 400 for a bad account name, or 200).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ViolationsBody {
    pub violations: Vec<Violation>,
}

/// The shape shared by every reply that can carry a business error.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorTextOnly {
    pub error_text: Option<String>,
}

/// Empty strings count as "no error": the docs show `"errorText": ""` on success.
pub fn error_text_of(text: &Option<String>) -> Option<&str> {
    text.as_deref().filter(|t| !t.trim().is_empty())
}
