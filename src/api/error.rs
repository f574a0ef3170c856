//! What can go wrong with a call, in words a firm administrator can act on.
//!
//! Tradovate reports most business failures as HTTP 200 with `errorText`; those
//! become [`ApiError::Rejected`]. Transport trouble is split by what the caller must
//! do next: retry later, wait an hour, sign in again, or reconcile because a write
//! may or may not have happened.

use super::wire::Violation;
use std::time::Duration;

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// HTTP 200 with a non-empty `errorText`: the server refused the request.
    #[error("{text}")]
    Rejected { text: String },

    /// HTTP 200 with `errorCode: ConflictWithExisting`: what was asked for already exists
    /// (e.g. the user already holds the entitlement). Usually means "nothing to do".
    #[error("{text}")]
    Conflict { text: String },

    /// A validation failure (`violations`), e.g. HTTP 400 for a bad account name.
    #[error("{}", describe_violations(.violations))]
    Invalid { violations: Vec<Violation> },

    /// HTTP 429, or a client-side budget would be exceeded: Tradovate locks the
    /// account out for about an hour and nothing can be done programmatically.
    #[error("Rate limit reached on {endpoint}: wait about an hour before trying again")]
    LockedOut { endpoint: String },

    /// HTTP 423: Tradovate warns that a lockout is near. The request was not applied;
    /// slow down before sending more.
    #[error("Tradovate warns that {endpoint} is close to its rate limit: pausing before more requests")]
    LockoutWarning { endpoint: String },

    /// The documented per-endpoint budget is used up for now; sending would trip a lockout.
    #[error("{endpoint} allows {limit} requests per hour; the next one is possible in {} s", .retry_after.as_secs())]
    BudgetExhausted { endpoint: String, limit: u32, retry_after: Duration },

    /// A time penalty with `p-captcha`: a third-party app cannot complete it.
    #[error("Tradovate asks for a captcha on {endpoint}: retry in about an hour")]
    Captcha { endpoint: String },

    /// The token expired or was revoked and renewal did not work.
    #[error("Signed out: {reason}. Sign in again.")]
    SignedOut { reason: String },

    /// HTTP 401 on a call (not a token problem we could repair), e.g. not an org admin.
    #[error("Not permitted: {0}")]
    Unauthorized(String),

    /// HTTP 404: the endpoint or entity does not exist (also a call on the wrong domain).
    #[error("Not found: {0}")]
    NotFound(String),

    /// A write was sent but its reply never arrived (connection lost, timeout, 5xx):
    /// it may or may not have been applied. The caller must look before resending.
    #[error("No reply from {endpoint} ({detail}): the outcome is unknown, check before retrying")]
    OutcomeUnknown { endpoint: String, detail: String },

    /// The server could not be reached (safe calls were already retried).
    #[error("Cannot reach {endpoint}: {detail}")]
    Network { endpoint: String, detail: String },

    /// HTTP 5xx on a call that was retried as far as allowed.
    #[error("Server error {status} from {endpoint}")]
    Server { endpoint: String, status: u16 },

    /// Anything the server sent that does not match the documented shape.
    #[error("Unexpected reply from {endpoint}: {detail}")]
    Protocol { endpoint: String, detail: String },

    /// The caller stopped the work.
    #[error("Cancelled")]
    Cancelled,
}

impl ApiError {
    /// The server's own text, when there is one (for the Activity log's `errorText`).
    pub fn server_text(&self) -> Option<String> {
        match self {
            ApiError::Rejected { text } | ApiError::Conflict { text } => Some(text.clone()),
            ApiError::Invalid { violations } => Some(describe_violations(violations)),
            _ => None,
        }
    }

    /// True when the same call may succeed later without any change by the user.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::Network { .. }
                | ApiError::Server { .. }
                | ApiError::BudgetExhausted { .. }
                | ApiError::LockoutWarning { .. }
        )
    }
}

fn describe_violations(violations: &[Violation]) -> String {
    if violations.is_empty() {
        return "The request was invalid".into();
    }
    violations
        .iter()
        .map(|v| {
            if v.constraint.is_empty() { v.description.clone() } else { format!("{}: {}", v.constraint, v.description) }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations_read_as_one_sentence() {
        let e = ApiError::Invalid {
            violations: vec![Violation {
                constraint: "name".into(),
                value: serde_json::json!("abc123"),
                description: "Account name should follow ([A-Z])+\\d+".into(),
            }],
        };
        assert_eq!(e.to_string(), "name: Account name should follow ([A-Z])+\\d+");
        assert!(e.server_text().is_some());
    }

    #[test]
    fn lockout_says_to_wait_an_hour() {
        let e = ApiError::LockedOut { endpoint: "user/createEvaluationUsers".into() };
        assert!(e.to_string().contains("about an hour"));
    }
}
