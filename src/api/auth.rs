//! Credentials and the access token's life: when to renew, what the UI may show.

use super::secret::Secret;
use super::wire::AccessTokenRequest;
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use serde::{Deserialize, Serialize};

/// An API key bundle as Tradovate hands it out (reference 2.1), plus this machine's
/// stable device id. `Debug` masks the password and secret.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Credentials {
    /// The org-admin user name.
    pub name: String,
    pub password: Secret,
    /// The API key's name.
    pub app_id: String,
    pub app_version: String,
    /// The API key's ID.
    pub cid: String,
    /// The API key's secret.
    pub sec: Secret,
    /// Stable and unique per install: live rejects changing device ids (reference 2.2).
    pub device_id: String,
}

impl Credentials {
    pub fn token_request(&self) -> AccessTokenRequest {
        let optional = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        AccessTokenRequest {
            name: self.name.trim().to_string(),
            password: self.password.clone(),
            app_id: optional(&self.app_id),
            app_version: optional(&self.app_version).or_else(|| Some("1.0".into())),
            cid: optional(&self.cid),
            sec: (!self.sec.is_empty()).then(|| self.sec.clone()),
            device_id: optional(&self.device_id),
        }
    }

    /// What is missing, in the form's words; empty when the form is complete.
    pub fn missing_fields(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.name.trim().is_empty() {
            missing.push("Username");
        }
        if self.password.is_empty() {
            missing.push("Password");
        }
        if self.app_id.trim().is_empty() {
            missing.push("API key name");
        }
        if self.cid.trim().is_empty() {
            missing.push("Key ID");
        }
        if self.sec.is_empty() {
            missing.push("Secret");
        }
        missing
    }
}

/// A bearer token and when it stops working.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Token {
    pub value: Secret,
    pub expires_at: DateTime<Utc>,
    /// When we received it; with `expires_at` it gives the lifetime the server uses.
    pub issued_at: DateTime<Utc>,
}

/// Renew when less than this remains (the samples renew 15 minutes before expiry).
const RENEW_MARGIN: ChronoDuration = ChronoDuration::minutes(15);

impl Token {
    /// True when the token should be renewed before the next call: within 15 minutes
    /// of expiry, or within the last quarter of a shorter lifetime.
    pub fn needs_renewal(&self, now: DateTime<Utc>) -> bool {
        let lifetime = self.expires_at - self.issued_at;
        let margin = RENEW_MARGIN.min(lifetime / 4);
        self.expires_at - now <= margin
    }

    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }

    /// When a background task should wake up to renew it.
    pub fn renew_at(&self) -> DateTime<Utc> {
        let lifetime = self.expires_at - self.issued_at;
        self.expires_at - RENEW_MARGIN.min(lifetime / 4)
    }
}

/// Who is signed in, for the top bar. Carries no secret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user_id: i64,
    pub user_name: String,
    pub expires_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(lifetime_secs: i64) -> Token {
        let issued_at = Utc::now();
        Token { value: Secret::new("t"), issued_at, expires_at: issued_at + ChronoDuration::seconds(lifetime_secs) }
    }

    #[test]
    fn renews_fifteen_minutes_before_a_long_lifetime_ends() {
        let t = token(90 * 60);
        assert!(!t.needs_renewal(t.issued_at + ChronoDuration::minutes(74)));
        assert!(t.needs_renewal(t.issued_at + ChronoDuration::minutes(75)));
    }

    #[test]
    fn short_lifetimes_renew_in_their_last_quarter() {
        let t = token(8);
        assert!(!t.needs_renewal(t.issued_at + ChronoDuration::seconds(5)));
        assert!(t.needs_renewal(t.issued_at + ChronoDuration::seconds(6)));
    }

    #[test]
    fn credentials_debug_masks_password_and_secret() {
        let c = Credentials {
            name: "admin".into(),
            password: Secret::new("hunter22"),
            sec: Secret::new("f03741b6-secret"),
            ..Default::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter22") && !shown.contains("f03741b6"), "{shown}");
        assert_eq!(c.missing_fields(), vec!["API key name", "Key ID"]);
    }
}
