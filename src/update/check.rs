//! One update check: fetch the manifest, compare its version with ours.
//! Sends nothing but the request itself (the User-Agent names Propdesk and its version).

use super::manifest::{MAX_BYTES, Manifest};
use super::version::Version;
use std::time::Duration;

/// A slow server must not keep a check (and its task) alive for long.
pub const TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("the update manifest could not be fetched: {0}")]
    Network(String),
    #[error("the update server answered HTTP {0}")]
    Status(u16),
    #[error("the update manifest is malformed: {0}")]
    Malformed(String),
}

/// The client for update checks (its own: no Tradovate session or headers on it).
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .user_agent(concat!("Propdesk/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

/// `Some(manifest)` when it names a version newer than `current`, `None` when not.
pub async fn check(client: &reqwest::Client, url: &str, current: &Version) -> Result<Option<Manifest>, CheckError> {
    let network = |e: reqwest::Error| CheckError::Network(e.without_url().to_string());
    let mut response = client.get(url).send().await.map_err(network)?;
    if !response.status().is_success() {
        return Err(CheckError::Status(response.status().as_u16()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(network)? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BYTES {
            break; // parse() refuses it with the size
        }
    }
    let manifest = Manifest::parse(&body).map_err(CheckError::Malformed)?;
    Ok((manifest.version > *current).then_some(manifest))
}
