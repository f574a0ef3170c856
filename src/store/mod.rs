//! What Propdesk keeps on this computer: the settings file (never secrets), the OS
//! keyring (secrets), and the platform directories both live in.
//!
//! The window writes these; the command line reads them too
//! ([`load_saved_credentials`]: `propdesk onboard` without env vars).

pub mod activity_export;
pub mod history_export;
pub mod keyring;
pub mod paths;
pub mod settings;
pub mod settings_store;
pub mod team_database;

pub use keyring::{KeyringError, SavedToken, SecretKind, SecretStore};
pub use paths::Paths;
pub use settings::{EnvironmentSettings, Settings, SettingsError, TeamJournalSettings, ThemeChoice};
pub use settings_store::SettingsStore;

use crate::api::{Credentials, Environment, EnvironmentKind, SessionInfo, Token};

/// A sign-in the window saved with "Remember on this computer".
#[derive(Clone, Debug)]
pub struct SavedLogin {
    pub environment: Environment,
    /// Complete credentials: names from the settings file, password and secret from
    /// the keyring. `Debug` is masked.
    pub credentials: Credentials,
    /// The last token, if one was saved and has not expired.
    pub token: Option<(Token, SessionInfo)>,
}

/// The keyring entry the window saved for this environment, if any.
///
/// `Ok(None)` when nothing was remembered (no username, "remember" off, or no secret in
/// the keyring); `Err` when the keyring itself cannot be used. For Sandbox the URLs
/// are those of the last run; callers start their own sandbox instead.
pub fn load_saved_credentials(
    store: &SecretStore,
    settings: &Settings,
    kind: EnvironmentKind,
) -> Result<Option<SavedLogin>, KeyringError> {
    let section = settings.environment(kind);
    if !section.remember || section.username.trim().is_empty() {
        return Ok(None);
    }
    let user = section.username.trim();
    let (Some(password), Some(sec)) =
        (store.get(kind, user, SecretKind::Password)?, store.get(kind, user, SecretKind::ApiSecret)?)
    else {
        return Ok(None);
    };
    let credentials = Credentials {
        name: user.to_string(),
        password,
        app_id: section.app_id.clone(),
        app_version: "1.0".into(),
        cid: section.cid.clone(),
        sec,
        device_id: settings.device_id.clone(),
    };
    let now = chrono::Utc::now();
    let token = store.get_token(kind, user)?.filter(|saved| !saved.token.is_expired(now)).map(SavedToken::into_parts);
    Ok(Some(SavedLogin { environment: settings.environment_hosts(kind), credentials, token }))
}
