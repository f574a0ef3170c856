//! One house style for errors: a sentence the administrator can act on, and details
//! for the hover text. Never holds a secret (built from `Display`/`Debug` of types
//! whose secrets are masked).

use crate::api::ApiError;
use crate::store::{KeyringError, SettingsError};

#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub summary: String,
    pub details: String,
}

impl Problem {
    pub fn new(summary: impl Into<String>, details: impl Into<String>) -> Self {
        Self { summary: summary.into(), details: details.into() }
    }

    pub fn simple(summary: impl Into<String>) -> Self {
        let summary = summary.into();
        Self { details: summary.clone(), summary }
    }

    /// An error's own sentence, with its debug form as the details.
    pub fn of(error: &(impl std::fmt::Display + std::fmt::Debug)) -> Self {
        Self { summary: error.to_string(), details: format!("{error:?}") }
    }

    /// Prefixes the summary with what was being done ("Loading plans: ...").
    pub fn context(mut self, doing: &str) -> Self {
        self.summary = format!("{doing}: {}", self.summary);
        self
    }
}

impl From<ApiError> for Problem {
    fn from(error: ApiError) -> Self {
        Self { summary: error.to_string(), details: format!("{error:?}") }
    }
}

impl From<KeyringError> for Problem {
    fn from(error: KeyringError) -> Self {
        let details = match &error {
            KeyringError::Unavailable { reason } => reason.clone(),
            KeyringError::Failed(text) => text.clone(),
        };
        Self { summary: error.to_string(), details }
    }
}

impl From<SettingsError> for Problem {
    fn from(error: SettingsError) -> Self {
        Self { details: format!("{error:?}"), summary: error.to_string() }
    }
}
