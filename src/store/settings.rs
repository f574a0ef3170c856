//! The settings file: per-environment choices, the window's size and last screen, the
//! device id. Plain JSON in the config directory, written atomically.
//!
//! Never put a secret here: passwords, API secrets and tokens go to the keyring
//! (`store::keyring`). The types below have no field that could hold one.

use crate::api::{Environment, EnvironmentKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Light, dark, or whatever the OS uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThemeChoice {
    #[default]
    System,
    Light,
    Dark,
}

/// A choice made on the Setup screen: the API's id plus the name shown to people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chosen {
    pub id: i64,
    pub name: String,
}

/// What is remembered for one environment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EnvironmentSettings {
    /// Custom environments only: the URLs typed in.
    pub live_url: String,
    pub demo_url: String,
    pub ws_url: String,
    /// Custom environments only: the agreement signal's `adminAlertId` (None: 70).
    pub agreement_alert_id: Option<i64>,
    pub username: String,
    /// The API key's name.
    pub app_id: String,
    /// The API key's ID.
    pub cid: String,
    /// "Remember on this computer": the secret and token are in the keyring.
    pub remember: bool,
    pub plan: Option<Chosen>,
    pub template: Option<Chosen>,
    pub entitlement: Option<Chosen>,
    /// Pipeline board: grant T-Prop as soon as a trader signs (on unless turned off).
    pub auto_grant: bool,
    /// Risk profiles per template account, and "no limits" acknowledgements.
    pub risk: crate::onboarding::risk::RiskSettings,
}

// Manual so that `auto_grant` defaults to true (files written before it existed too).
impl Default for EnvironmentSettings {
    fn default() -> Self {
        Self {
            live_url: String::new(),
            demo_url: String::new(),
            ws_url: String::new(),
            agreement_alert_id: None,
            username: String::new(),
            app_id: String::new(),
            cid: String::new(),
            remember: false,
            plan: None,
            template: None,
            entitlement: None,
            auto_grant: true,
            risk: Default::default(),
        }
    }
}

/// The update check (`update::schedule`), kept in the settings file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateSettings {
    /// The one-time "Check for updates?" answer; `None` until the user answers, and no
    /// automatic check happens before that (not even on the first, Sandbox-only run).
    pub consent: Option<bool>,
    /// When the last automatic check started (whatever its outcome).
    pub last_checked: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Stable per install; Tradovate's live servers reject changing device ids.
    pub device_id: String,
    pub theme: ThemeChoice,
    pub last_environment: EnvironmentKind,
    /// The screen shown when the window closed (a `Screen` slug).
    pub last_screen: String,
    /// Inner size of the window in points.
    pub window_size: Option<[f32; 2]>,
    /// Keyed by `EnvironmentKind::slug`.
    pub environments: BTreeMap<String, EnvironmentSettings>,
    /// The update check's "yes/no" and when it last ran.
    pub updates: UpdateSettings,
    /// A team's shared PostgreSQL journal; `None`: this computer's journal file.
    pub team_journal: Option<TeamJournalSettings>,
}

/// Where the team journal is. The password is not here: it is in the keyring, under
/// this URL (`SecretStore::get_team_journal_password`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamJournalSettings {
    /// `postgres://user@host:port/database?sslmode=…`, never with a password.
    pub url: String,
}

impl TeamJournalSettings {
    /// The setting for a URL as typed, and the password it held (for the keyring).
    pub fn from_typed_url(url: &str) -> (Self, Option<crate::api::Secret>) {
        let (url, password) = crate::onboarding::journal::split_password(url.trim());
        (Self { url }, password)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            device_id: String::new(),
            theme: ThemeChoice::System,
            last_environment: EnvironmentKind::Sandbox,
            last_screen: String::new(),
            window_size: None,
            environments: BTreeMap::new(),
            updates: Default::default(),
            team_journal: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("Cannot read the settings file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("The settings file {path} is damaged ({source}); starting with defaults")]
    Damaged { path: PathBuf, source: serde_json::Error },
    #[error("Cannot save the settings file {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

impl Settings {
    /// Reads the file; a missing file gives defaults. The device id is created on first
    /// use, so callers should save after loading a fresh file.
    pub fn load(path: &Path) -> Result<Settings, SettingsError> {
        let mut settings = match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice::<Settings>(&bytes)
                .map_err(|source| SettingsError::Damaged { path: path.to_path_buf(), source })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Settings::default(),
            Err(source) => return Err(SettingsError::Read { path: path.to_path_buf(), source }),
        };
        settings.ensure_device_id();
        Ok(settings)
    }

    /// Like [`Settings::load`], but a damaged or unreadable file gives defaults plus the
    /// error to show once. A damaged file is kept beside it (`settings.json.damaged`)
    /// before the defaults are saved over it.
    pub fn load_or_default(path: &Path) -> (Settings, Option<SettingsError>) {
        match Self::load(path) {
            Ok(settings) => (settings, None),
            Err(error) => {
                if matches!(error, SettingsError::Damaged { .. }) {
                    let _ = std::fs::copy(path, path.with_extension("json.damaged"));
                }
                let mut settings = Settings::default();
                settings.ensure_device_id();
                (settings, Some(error))
            }
        }
    }

    /// Writes to a temporary file beside the target, then renames it over the target, so
    /// a crash never leaves half a file.
    pub fn save(&self, path: &Path) -> Result<(), SettingsError> {
        let write_err = |source| SettingsError::Write { path: path.to_path_buf(), source };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(write_err)?;
        }
        let json = serde_json::to_vec_pretty(self).map_err(|e| write_err(std::io::Error::other(e)))?;
        let tmp = path.with_extension("json.tmp");
        let mut file = std::fs::File::create(&tmp).map_err(write_err)?;
        file.write_all(&json).and_then(|_| file.sync_all()).map_err(write_err)?;
        drop(file);
        std::fs::rename(&tmp, path).map_err(write_err)
    }

    pub fn ensure_device_id(&mut self) {
        if self.device_id.trim().is_empty() {
            self.device_id = new_device_id();
        }
    }

    /// The section of one environment (defaults when never used). Borrowed: screens read
    /// it while drawing, so it must not copy the section every frame.
    pub fn environment(&self, kind: EnvironmentKind) -> &EnvironmentSettings {
        static UNUSED: std::sync::LazyLock<EnvironmentSettings> =
            std::sync::LazyLock::new(EnvironmentSettings::default);
        self.environments.get(kind.slug()).unwrap_or(&UNUSED)
    }

    pub fn environment_mut(&mut self, kind: EnvironmentKind) -> &mut EnvironmentSettings {
        self.environments.entry(kind.slug().to_string()).or_default()
    }

    /// The hosts of an environment as remembered (Custom: the URLs typed in).
    pub fn environment_hosts(&self, kind: EnvironmentKind) -> Environment {
        match kind {
            EnvironmentKind::Staging => Environment::staging(),
            EnvironmentKind::Production => Environment::production(),
            EnvironmentKind::Custom | EnvironmentKind::Sandbox => {
                let s = self.environment(kind);
                let ws = (!s.ws_url.trim().is_empty()).then_some(s.ws_url.as_str());
                let mut env = Environment::custom(&s.live_url, &s.demo_url, ws);
                env.kind = kind;
                match s.agreement_alert_id {
                    Some(id) if kind == EnvironmentKind::Custom => env.with_agreement_alert_id(id),
                    _ => env,
                }
            }
        }
    }
}

/// 128 random bits as hex: not a secret, only unique per install.
fn new_device_id() -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("propdesk-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_grant_is_on_unless_turned_off() {
        let old: EnvironmentSettings = serde_json::from_str(r#"{"username":"a"}"#).unwrap();
        assert!(old.auto_grant, "files written before the switch existed");
        assert!(EnvironmentSettings::default().auto_grant);
        let off: EnvironmentSettings = serde_json::from_str(r#"{"auto_grant":false}"#).unwrap();
        assert!(!off.auto_grant);
    }

    #[test]
    fn a_custom_environment_keeps_its_agreement_alert_id() {
        let mut settings = Settings::default();
        let custom = settings.environment_mut(EnvironmentKind::Custom);
        custom.live_url = "https://live.tradovateapi.com/v1".into();
        custom.demo_url = "https://demo.tradovateapi.com/v1".into();
        assert_eq!(settings.environment_hosts(EnvironmentKind::Custom).agreement_alert_id, 70, "the default");
        settings.environment_mut(EnvironmentKind::Custom).agreement_alert_id = Some(68);
        assert_eq!(settings.environment_hosts(EnvironmentKind::Custom).agreement_alert_id, 68);
        settings.environment_mut(EnvironmentKind::Sandbox).agreement_alert_id = Some(68);
        assert_eq!(settings.environment_hosts(EnvironmentKind::Sandbox).agreement_alert_id, 70, "Custom only");
    }

    #[test]
    fn round_trips_and_keeps_the_device_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/settings.json");
        let mut settings = Settings::load(&path).unwrap();
        assert!(settings.device_id.starts_with("propdesk-"));
        settings.environment_mut(EnvironmentKind::Staging).username = "admin".into();
        settings.save(&path).unwrap();
        let again = Settings::load(&path).unwrap();
        assert_eq!(again, settings);
        assert!(!path.with_extension("json.tmp").exists());
    }

    #[test]
    fn a_damaged_file_gives_defaults_and_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, b"{ not json").unwrap();
        let (settings, error) = Settings::load_or_default(&path);
        assert!(matches!(error, Some(SettingsError::Damaged { .. })));
        assert!(path.with_extension("json.damaged").exists(), "the damaged file is kept");
        assert_eq!(settings.last_environment, EnvironmentKind::Sandbox);
    }
}
