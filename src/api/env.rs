//! Environments (Sandbox, Staging, Production, Custom) and their hosts.
//!
//! Every environment has two REST domains: LIVE (users, entitlements, subaccount
//! requests) and DEMO (the simulation engine where evaluation accounts live), plus the
//! user-data WebSocket. Callers never choose a host: each endpoint knows its domain
//! (`endpoint.rs`) and the client resolves it here.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One of the two REST domains of an environment (reference table 1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Domain {
    Live,
    Demo,
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Domain::Live => "LIVE",
            Domain::Demo => "DEMO",
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EnvironmentKind {
    Sandbox,
    Staging,
    Production,
    Custom,
}

impl EnvironmentKind {
    pub const ALL: [EnvironmentKind; 4] =
        [EnvironmentKind::Sandbox, EnvironmentKind::Staging, EnvironmentKind::Production, EnvironmentKind::Custom];

    pub fn label(self) -> &'static str {
        match self {
            EnvironmentKind::Sandbox => "Sandbox",
            EnvironmentKind::Staging => "Staging",
            EnvironmentKind::Production => "Production",
            EnvironmentKind::Custom => "Custom",
        }
    }

    /// The short name used on the command line (`--env sandbox`) and in settings keys.
    pub fn slug(self) -> &'static str {
        match self {
            EnvironmentKind::Sandbox => "sandbox",
            EnvironmentKind::Staging => "staging",
            EnvironmentKind::Production => "production",
            EnvironmentKind::Custom => "custom",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug().eq_ignore_ascii_case(slug))
    }
}

/// The `adminAlertId` of the "signed non-professional market-data form" signal
/// (seeds/000, step 4): 70 on staging, 68 on production. The sandbox imitates staging.
pub const AGREEMENT_ALERT_ID_STAGING: i64 = 70;
pub const AGREEMENT_ALERT_ID_PRODUCTION: i64 = 68;

/// Resolved hosts of one environment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    pub kind: EnvironmentKind,
    /// REST base of the LIVE domain, ending in `/v1`.
    pub live_url: String,
    /// REST base of the DEMO domain, ending in `/v1`.
    pub demo_url: String,
    /// User-data WebSocket (LIVE domain: where the agreement signals are seen).
    pub ws_url: String,
    /// `adminAlertId` of the market-data agreement signal in this environment.
    pub agreement_alert_id: i64,
}

impl Environment {
    pub fn staging() -> Self {
        Self {
            kind: EnvironmentKind::Staging,
            live_url: "https://live-api.staging.ninjatrader.dev/v1".into(),
            demo_url: "https://demo-api.staging.ninjatrader.dev/v1".into(),
            ws_url: "wss://live-api.staging.ninjatrader.dev/v1/websocket".into(),
            agreement_alert_id: AGREEMENT_ALERT_ID_STAGING,
        }
    }

    pub fn production() -> Self {
        Self {
            kind: EnvironmentKind::Production,
            live_url: "https://live.tradovateapi.com/v1".into(),
            demo_url: "https://demo.tradovateapi.com/v1".into(),
            ws_url: "wss://live.tradovateapi.com/v1/websocket".into(),
            agreement_alert_id: AGREEMENT_ALERT_ID_PRODUCTION,
        }
    }

    /// An environment at explicit URLs: a sandbox started elsewhere, or a proxy.
    /// The WebSocket defaults to the LIVE URL with `/websocket` appended.
    pub fn custom(live_url: &str, demo_url: &str, ws_url: Option<&str>) -> Self {
        let live_url = trim_base(live_url);
        let ws_url = match ws_url {
            Some(url) => url.trim().to_string(),
            None => default_ws_url(&live_url),
        };
        Self {
            kind: EnvironmentKind::Custom,
            demo_url: trim_base(demo_url),
            live_url,
            ws_url,
            agreement_alert_id: AGREEMENT_ALERT_ID_STAGING,
        }
    }

    /// The Sandbox environment served by an in-process sandbox at these URLs.
    pub fn sandbox(live_url: &str, demo_url: &str, ws_url: &str) -> Self {
        Self { kind: EnvironmentKind::Sandbox, ..Self::custom(live_url, demo_url, Some(ws_url)) }
    }

    pub fn base_url(&self, domain: Domain) -> &str {
        match domain {
            Domain::Live => &self.live_url,
            Domain::Demo => &self.demo_url,
        }
    }

    /// Problems with the URLs, in words for the person who typed them.
    /// Production must use https/wss so nobody sends real credentials in clear text.
    pub fn check_urls(&self) -> Result<(), String> {
        for (what, url, schemes) in [
            ("LIVE URL", &self.live_url, ["http://", "https://"]),
            ("DEMO URL", &self.demo_url, ["http://", "https://"]),
            ("WebSocket URL", &self.ws_url, ["ws://", "wss://"]),
        ] {
            if !schemes.iter().any(|s| url.starts_with(s)) {
                return Err(format!("{what} must start with {}", schemes.join(" or ")));
            }
            if url.len() <= schemes[0].len() + 1 {
                return Err(format!("{what} has no host"));
            }
        }
        if self.kind == EnvironmentKind::Production {
            let secure = self.live_url.starts_with("https://")
                && self.demo_url.starts_with("https://")
                && self.ws_url.starts_with("wss://");
            if !secure {
                return Err("Production must use https:// and wss://".into());
            }
        }
        Ok(())
    }
}

fn trim_base(url: &str) -> String {
    url.trim().trim_end_matches('/').to_string()
}

fn default_ws_url(live_url: &str) -> String {
    let ws = if let Some(rest) = live_url.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = live_url.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        live_url.to_string()
    };
    format!("{ws}/websocket")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_and_production_hosts_match_the_reference() {
        let s = Environment::staging();
        assert_eq!(s.base_url(Domain::Demo), "https://demo-api.staging.ninjatrader.dev/v1");
        assert_eq!(s.base_url(Domain::Live), "https://live-api.staging.ninjatrader.dev/v1");
        let p = Environment::production();
        assert_eq!(p.base_url(Domain::Demo), "https://demo.tradovateapi.com/v1");
        assert_eq!(p.base_url(Domain::Live), "https://live.tradovateapi.com/v1");
        assert_eq!(p.agreement_alert_id, 68);
        assert_eq!(s.agreement_alert_id, 70);
    }

    #[test]
    fn custom_derives_the_websocket_from_the_live_url() {
        let c = Environment::custom("http://127.0.0.1:9000/live/v1/", "http://127.0.0.1:9000/demo/v1", None);
        assert_eq!(c.live_url, "http://127.0.0.1:9000/live/v1");
        assert_eq!(c.ws_url, "ws://127.0.0.1:9000/live/v1/websocket");
        assert!(c.check_urls().is_ok());
    }

    #[test]
    fn production_refuses_plain_http() {
        let mut p = Environment::production();
        p.live_url = "http://live.tradovateapi.com/v1".into();
        assert!(p.check_urls().unwrap_err().contains("https"));
        let bad = Environment::custom("ftp://x", "http://y/v1", None);
        assert!(bad.check_urls().unwrap_err().contains("LIVE URL"));
    }
}
