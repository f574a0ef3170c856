//! The update notice: a small JSON manifest at a URL fixed when the app is built says
//! which version is current; when it is newer than this one the window says so, with
//! the release notes link. Nothing is downloaded or installed, and no check happens
//! without the user's "yes" (`schedule`). Without a URL the feature is off entirely.

pub mod check;
pub mod manifest;
pub mod schedule;
pub mod version;

pub use check::{CheckError, check};
pub use manifest::Manifest;
pub use schedule::{UpdateSettings, is_due};
pub use version::Version;

/// Where the manifest is, set at build time (`PROPDESK_UPDATE_URL=https://… cargo build`).
/// `None`: no update check and no update UI.
pub const BUILT_IN_URL: Option<&str> = option_env!("PROPDESK_UPDATE_URL");

/// The URL this app checks: the built-in one; in debug builds the `PROPDESK_UPDATE_URL`
/// environment variable may replace it at run time (trying a manifest without a rebuild).
pub fn manifest_url() -> Option<String> {
    if cfg!(debug_assertions)
        && let Some(url) = std::env::var("PROPDESK_UPDATE_URL").ok().filter(|u| !u.trim().is_empty())
    {
        return Some(url);
    }
    BUILT_IN_URL.map(str::to_string)
}

/// This program's version.
pub fn current_version() -> Version {
    Version::parse(env!("CARGO_PKG_VERSION")).expect("Cargo.toml's version is semver")
}
