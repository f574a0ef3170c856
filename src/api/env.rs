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

    /// The same hosts with another agreement alert id (a Custom environment that fronts
    /// Production uses 68).
    pub fn with_agreement_alert_id(self, agreement_alert_id: i64) -> Self {
        Self { agreement_alert_id, ..self }
    }

    /// Problems with the URLs, in words for the person who typed them.
    /// Passwords, secrets and tokens travel in these requests, so clear text (`http://`,
    /// `ws://`) is allowed only to this computer (a sandbox); anything else must be
    /// https/wss. Production must use https/wss even on this computer.
    pub fn check_urls(&self) -> Result<(), String> {
        for (what, url, [plain, secure]) in [
            ("LIVE URL", &self.live_url, ["http://", "https://"]),
            ("DEMO URL", &self.demo_url, ["http://", "https://"]),
            ("WebSocket URL", &self.ws_url, ["ws://", "wss://"]),
        ] {
            let Some(rest) = url.strip_prefix(secure).or_else(|| url.strip_prefix(plain)) else {
                return Err(format!("{what} must start with {secure} (or {plain} for a server on this computer)"));
            };
            let host = host_of(rest);
            if host.is_empty() {
                return Err(format!("{what} has no host"));
            }
            if url.starts_with(plain) && !is_loopback(host) {
                return Err(format!(
                    "{what} must start with {secure}: {plain} would send passwords unencrypted to {host}. \
                     {plain} is only allowed to this computer (localhost, 127.0.0.1)"
                ));
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

/// The host of a URL without its scheme: `user@host:port/path` → `host` (IPv6 in
/// brackets kept bare).
fn host_of(rest: &str) -> &str {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host_port.split(':').next().unwrap_or(""),
    }
}

/// This computer: `localhost`, 127.0.0.0/8 or ::1.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
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
    fn clear_text_only_to_this_computer() {
        for allowed in [
            Environment::custom("http://127.0.0.1:9000/v1", "http://localhost:9001/v1", None),
            Environment::custom("http://[::1]:9000/v1", "http://127.0.0.2/v1", Some("ws://127.0.0.1:9000/ws")),
            Environment::custom("https://proxy.example.com/v1", "https://proxy.example.com/demo/v1", None),
        ] {
            assert_eq!(allowed.check_urls(), Ok(()), "{allowed:?}");
        }
        let remote = Environment::custom("http://proxy.example.com/v1", "https://demo.example.com/v1", None);
        assert_eq!(
            remote.check_urls().unwrap_err(),
            "LIVE URL must start with https://: http:// would send passwords unencrypted to proxy.example.com. \
             http:// is only allowed to this computer (localhost, 127.0.0.1)"
        );
        for (live, ws) in [
            ("https://a.example.com/v1", "ws://a.example.com/v1/websocket"),
            ("https://a.example.com/v1", "ws://127.0.0.1.example.com/websocket"),
            ("https://a.example.com/v1", "ws://localhost@evil.example.com/websocket"),
            ("https://a.example.com/v1", "ws://10.0.0.5:8080/websocket"),
        ] {
            let env = Environment::custom(live, "https://b.example.com/v1", Some(ws));
            assert!(env.check_urls().unwrap_err().starts_with("WebSocket URL must start with wss://"), "{ws}");
        }
        let no_host = Environment::custom("https:///v1", "https://b.example.com/v1", None);
        assert_eq!(no_host.check_urls().unwrap_err(), "LIVE URL has no host");
    }

    #[test]
    fn custom_agreement_alert_id_defaults_to_staging_and_can_be_production() {
        let custom = Environment::custom("https://live.tradovateapi.com/v1", "https://demo.tradovateapi.com/v1", None);
        assert_eq!(custom.agreement_alert_id, 70);
        assert_eq!(custom.with_agreement_alert_id(AGREEMENT_ALERT_ID_PRODUCTION).agreement_alert_id, 68);
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
