//! Secrets in the OS keyring: the password, the API key's secret and the current token,
//! per environment and username.
//!
//! The platform store is picked on first use (Windows Credential Manager, macOS
//! Keychain, Linux Secret Service, then the kernel keyutils keyring). When none works the
//! calls return [`KeyringError::Unavailable`], whose text says so plainly. Every call may
//! block (D-Bus, Keychain prompts): run them off the UI thread.
//!
//! Entries are named service [`SERVICE`], user [`entry_user`] (`"staging/admin/api-secret"`).

use crate::api::{Credentials, EnvironmentKind, Secret, SessionInfo, Token};
use keyring_core::{CredentialStore, Entry, Error};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, OnceLock};

pub const SERVICE: &str = "Propdesk";

/// The Linux stores by the names [`SecretStore::backend`] reports.
pub const SECRET_SERVICE: &str = "Secret Service";
pub const KERNEL_KEYRING: &str = "kernel keyring (until reboot)";

/// The sentence shown when no keyring can be used.
pub const NO_KEYRING: &str =
    "No system keyring is available on this computer; you will need to sign in again next time";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretKind {
    Password,
    /// The API key's secret (`sec`).
    ApiSecret,
    /// The access token with its expiry and session (JSON).
    Token,
    /// Hook (Subaccounts wizard): the SSN or national ID of an unsent subaccount draft
    /// (the username is the draft's ID). Not in `ALL`: signing out keeps drafts.
    DraftIdentity,
}

impl SecretKind {
    pub const ALL: [SecretKind; 3] = [SecretKind::Password, SecretKind::ApiSecret, SecretKind::Token];

    fn slug(self) -> &'static str {
        match self {
            SecretKind::Password => "password",
            SecretKind::ApiSecret => "api-secret",
            SecretKind::Token => "token",
            SecretKind::DraftIdentity => "draft-identity",
        }
    }
}

/// The keyring "user" of one entry.
pub fn entry_user(environment: EnvironmentKind, username: &str, kind: SecretKind) -> String {
    format!("{}/{}/{}", environment.slug(), username.trim(), kind.slug())
}

/// The keyring "user" of a team journal's password (`url` without the password).
pub fn team_journal_entry_user(url: &str) -> String {
    format!("team-journal/{}", url.trim())
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    /// No store works on this computer (the reason is for the details tooltip).
    #[error("{NO_KEYRING}")]
    Unavailable { reason: String },
    /// The store exists but this operation failed (locked, denied, damaged entry).
    #[error("The system keyring refused: {0}")]
    Failed(String),
}

/// A token as saved: the token plus who it belongs to, for the top bar after restore.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SavedToken {
    pub token: Token,
    pub session: SessionInfo,
}

impl SavedToken {
    pub fn into_parts(self) -> (Token, SessionInfo) {
        (self.token, self.session)
    }
}

type Chosen = Result<(Arc<CredentialStore>, &'static str), String>;

/// Handle to the secret store. Cloning shares it.
#[derive(Clone)]
pub struct SecretStore {
    inner: Arc<Source>,
}

enum Source {
    /// Picked on first use; `only` limits the choice to the store of that name.
    Platform {
        chosen: OnceLock<Chosen>,
        only: Option<&'static str>,
    },
    Given(Arc<CredentialStore>, &'static str),
    Unavailable(String),
}

impl std::fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.inner {
            Source::Platform { .. } => f.write_str("SecretStore(platform)"),
            Source::Given(_, name) => write!(f, "SecretStore({name})"),
            Source::Unavailable(_) => f.write_str("SecretStore(unavailable)"),
        }
    }
}

impl SecretStore {
    /// The OS keyring, probed on first use.
    pub fn platform() -> Self {
        Self { inner: Arc::new(Source::Platform { chosen: OnceLock::new(), only: None }) }
    }

    /// Only the platform store of this name (e.g. [`SECRET_SERVICE`]), for diagnostics
    /// and the real-keyring tests: unavailable when that one does not work.
    pub fn platform_only(name: &'static str) -> Self {
        Self { inner: Arc::new(Source::Platform { chosen: OnceLock::new(), only: Some(name) }) }
    }

    /// A given keyring-core store, e.g. `keyring_core::mock::Store::new()` in tests.
    pub fn with_store(store: Arc<CredentialStore>, name: &'static str) -> Self {
        Self { inner: Arc::new(Source::Given(store, name)) }
    }

    /// An in-memory store for tests (keyring-core's mock).
    pub fn mock() -> Self {
        let store: Arc<CredentialStore> = keyring_core::mock::Store::new().expect("the mock store cannot fail");
        Self::with_store(store, "test keyring")
    }

    /// No keyring at all (secrets live for the session only).
    pub fn unavailable(reason: impl Into<String>) -> Self {
        Self { inner: Arc::new(Source::Unavailable(reason.into())) }
    }

    /// The store in use, in words ("Secret Service"), or why there is none. Blocks on
    /// first use while the platform store is probed.
    pub fn backend(&self) -> Result<&'static str, KeyringError> {
        self.store().map(|(_, name)| name)
    }

    fn store(&self) -> Result<(Arc<CredentialStore>, &'static str), KeyringError> {
        let chosen = match &*self.inner {
            Source::Platform { chosen, only } => chosen.get_or_init(|| pick_platform_store(*only)).clone(),
            Source::Given(store, name) => Ok((store.clone(), *name)),
            Source::Unavailable(reason) => Err(reason.clone()),
        };
        chosen.map_err(|reason| KeyringError::Unavailable { reason })
    }

    fn entry(&self, environment: EnvironmentKind, username: &str, kind: SecretKind) -> Result<Entry, KeyringError> {
        self.entry_named(&entry_user(environment, username, kind))
    }

    fn entry_named(&self, user: &str) -> Result<Entry, KeyringError> {
        let (store, _) = self.store()?;
        store.build(SERVICE, user, None).map_err(failed)
    }

    /// The team journal's database password; `url` is the address without it (as the
    /// settings keep it), so each database has its own entry.
    pub fn set_team_journal_password(&self, url: &str, password: &Secret) -> Result<(), KeyringError> {
        self.entry_named(&team_journal_entry_user(url))?.set_password(password.expose()).map_err(failed)
    }

    /// `Ok(None)` when no password was saved (the server may not need one).
    pub fn get_team_journal_password(&self, url: &str) -> Result<Option<Secret>, KeyringError> {
        match self.entry_named(&team_journal_entry_user(url))?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(failed(e)),
        }
    }

    pub fn delete_team_journal_password(&self, url: &str) -> Result<(), KeyringError> {
        match self.entry_named(&team_journal_entry_user(url))?.delete_credential() {
            Ok(()) | Err(Error::NoEntry) => Ok(()),
            Err(e) => Err(failed(e)),
        }
    }

    pub fn set(
        &self,
        environment: EnvironmentKind,
        username: &str,
        kind: SecretKind,
        value: &Secret,
    ) -> Result<(), KeyringError> {
        self.entry(environment, username, kind)?.set_password(value.expose()).map_err(failed)
    }

    /// `Ok(None)` when there is no such entry.
    pub fn get(
        &self,
        environment: EnvironmentKind,
        username: &str,
        kind: SecretKind,
    ) -> Result<Option<Secret>, KeyringError> {
        match self.entry(environment, username, kind)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(failed(e)),
        }
    }

    /// Deleting an entry that does not exist is fine.
    pub fn delete(&self, environment: EnvironmentKind, username: &str, kind: SecretKind) -> Result<(), KeyringError> {
        match self.entry(environment, username, kind)?.delete_credential() {
            Ok(()) | Err(Error::NoEntry) => Ok(()),
            Err(e) => Err(failed(e)),
        }
    }

    pub fn set_token(
        &self,
        environment: EnvironmentKind,
        username: &str,
        saved: &SavedToken,
    ) -> Result<(), KeyringError> {
        let json = serde_json::to_string(saved).map_err(|e| KeyringError::Failed(e.to_string()))?;
        self.set(environment, username, SecretKind::Token, &Secret::new(json))
    }

    /// A damaged token entry reads as none (the user signs in again).
    pub fn get_token(&self, environment: EnvironmentKind, username: &str) -> Result<Option<SavedToken>, KeyringError> {
        let saved = self.get(environment, username, SecretKind::Token)?;
        Ok(saved.and_then(|json| serde_json::from_str(json.expose()).ok()))
    }

    /// Saves the password, the API secret and (when given) the token.
    pub fn remember(
        &self,
        environment: EnvironmentKind,
        credentials: &Credentials,
        token: Option<SavedToken>,
    ) -> Result<(), KeyringError> {
        let user = credentials.name.trim();
        self.set(environment, user, SecretKind::Password, &credentials.password)?;
        self.set(environment, user, SecretKind::ApiSecret, &credentials.sec)?;
        match token {
            Some(token) => self.set_token(environment, user, &token),
            None => self.delete(environment, user, SecretKind::Token),
        }
    }

    /// Deletes every entry of this environment and username; tries all before failing.
    pub fn forget(&self, environment: EnvironmentKind, username: &str) -> Result<(), KeyringError> {
        let results: Vec<_> = SecretKind::ALL.iter().map(|&kind| self.delete(environment, username, kind)).collect();
        results.into_iter().collect()
    }
}

fn failed(error: Error) -> KeyringError {
    let plain = plain_reason(&error);
    match (error, plain) {
        (_, Some(Plainly::Locked(text))) => KeyringError::Failed(text.into()),
        (Error::NoStorageAccess(_), Some(Plainly::Unusable(text))) => KeyringError::Unavailable { reason: text.into() },
        (Error::NoStorageAccess(e), None) => KeyringError::Unavailable { reason: e.to_string() },
        (Error::NoDefaultStore, _) => KeyringError::Unavailable { reason: "no default store".into() },
        (other, _) => KeyringError::Failed(other.to_string()),
    }
}

/// What a store's error means for the admin, when we recognise it.
enum Plainly {
    /// Unlocking would help: worth telling, not the same as "no keyring".
    Locked(&'static str),
    /// This store cannot be used here at all.
    Unusable(&'static str),
}

/// Plain words for the store errors an admin meets (no D-Bus addresses, errno or
/// library names). The `Debug` text is only searched, never shown or logged: a
/// `BadEncoding` error carries the stored bytes. The stores wrap their errors in boxes whose
/// types are private to them, so the variant names in the `Debug` text are all we
/// can match; anything unrecognised keeps the library's own text.
fn plain_reason(error: &Error) -> Option<Plainly> {
    let debug = format!("{error:?}");
    let has = |word: &str| debug.contains(word);
    let plain = if has("Zbus(") && (has("Connection(") || has("Address")) {
        Plainly::Unusable(
            "there is no desktop session bus (D-Bus) here, so no keyring service such as GNOME Keyring or KWallet can be reached",
        )
    } else if has("ServiceUnknown") || has("NameHasNoOwner") {
        Plainly::Unusable("no keyring service (GNOME Keyring or KWallet) is running in this desktop session")
    } else if has("Locked") || has("Prompt") {
        Plainly::Locked(
            "it is locked and was not unlocked; unlock it (signing in to the desktop usually does) and try again",
        )
    } else if has("NoResult") {
        Plainly::Unusable(
            "the keyring service has no default keyring to save into; create or unlock one in the desktop's Passwords and Keys app",
        )
    } else if has("AccessDenied") {
        Plainly::Unusable("this program may not use the kernel keyring of this login session")
    } else {
        return None;
    };
    Some(plain)
}

/// A store's error as one plain line for the "no keyring" details.
fn plain_text(error: &Error) -> String {
    match plain_reason(error) {
        Some(Plainly::Locked(text) | Plainly::Unusable(text)) => text.to_string(),
        None => error.to_string(),
    }
}

/// Tries the platform's stores in order (or only the one named) and keeps the first
/// that answers.
fn pick_platform_store(only: Option<&'static str>) -> Chosen {
    let mut reasons = Vec::new();
    for (name, make) in candidates().into_iter().filter(|(name, _)| only.is_none_or(|only| only == *name)) {
        match make().and_then(|store| probe(&store).map(|()| store)) {
            Ok(store) => return Ok((store, name)),
            Err(e) => reasons.push(format!("{name}: {}", plain_text(&e))),
        }
    }
    if reasons.is_empty() {
        reasons.push("this platform has no supported keyring".into());
    }
    let reasons = reasons.join("; ");
    tracing::warn!("no usable keyring: {reasons}");
    Err(reasons)
}

type Maker = fn() -> keyring_core::Result<Arc<CredentialStore>>;

fn candidates() -> Vec<(&'static str, Maker)> {
    #[allow(unused_mut)]
    let mut list: Vec<(&'static str, Maker)> = Vec::new();
    #[cfg(target_os = "windows")]
    list.push(("Windows Credential Manager", || {
        windows_native_keyring_store::Store::new().map(|s| s as Arc<CredentialStore>)
    }));
    #[cfg(target_os = "macos")]
    list.push(("macOS Keychain", || {
        apple_native_keyring_store::keychain::Store::new().map(|s| s as Arc<CredentialStore>)
    }));
    #[cfg(target_os = "linux")]
    {
        list.push((SECRET_SERVICE, || {
            zbus_secret_service_keyring_store::Store::new().map(|s| s as Arc<CredentialStore>)
        }));
        list.push((KERNEL_KEYRING, || linux_keyutils_keyring_store::Store::new().map(|s| s as Arc<CredentialStore>)));
    }
    list
}

/// Writes, reads and deletes a throwaway entry: a store that cannot do all three is no use.
/// A leftover from an earlier probe is removed first, and must be removable: seen once in
/// a container, a kernel session keyring held an old probe key that it could not delete
/// while refusing new keys, and the kernel keyring was picked though no sign-in could be
/// saved. (A new name per probe would leave one unremovable key behind per start there.)
fn probe(store: &Arc<CredentialStore>) -> keyring_core::Result<()> {
    let entry = store.build(SERVICE, "probe", None)?;
    match entry.delete_credential() {
        Ok(()) | Err(Error::NoEntry) => {}
        Err(e) => return Err(e),
    }
    let value = format!("probe-{}", std::process::id());
    entry.set_password(&value)?;
    let read = entry.get_password()?;
    entry.delete_credential()?;
    if read != value {
        return Err(Error::Invalid("probe".into(), "read back a different value".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn remembers_and_forgets_everything_of_one_login() {
        let store = SecretStore::mock();
        let credentials = Credentials {
            name: "admin".into(),
            password: Secret::new("pw-123"),
            sec: Secret::new("sec-456"),
            ..Default::default()
        };
        let now = Utc::now();
        let token = SavedToken {
            token: Token { value: Secret::new("tok"), expires_at: now, issued_at: now },
            session: SessionInfo { user_id: 1, user_name: "admin".into(), expires_at: now },
        };
        let env = EnvironmentKind::Staging;
        store.remember(env, &credentials, Some(token)).unwrap();
        assert_eq!(store.get(env, "admin", SecretKind::ApiSecret).unwrap(), Some(Secret::new("sec-456")));
        assert_eq!(store.get_token(env, "admin").unwrap().unwrap().token.value, Secret::new("tok"));
        assert_eq!(store.get(EnvironmentKind::Production, "admin", SecretKind::Password).unwrap(), None);
        store.forget(env, "admin").unwrap();
        for kind in SecretKind::ALL {
            assert_eq!(store.get(env, "admin", kind).unwrap(), None);
        }
    }

    #[test]
    fn an_unavailable_store_says_so_plainly() {
        let store = SecretStore::unavailable("no D-Bus");
        let error = store.get(EnvironmentKind::Staging, "admin", SecretKind::Password).unwrap_err();
        assert!(error.to_string().starts_with("No system keyring is available"));
        assert!(!format!("{store:?}").contains("D-Bus"));
    }
}
