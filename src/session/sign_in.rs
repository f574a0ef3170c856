//! The three ways in: an API key typed into the form, the login "Remember on this
//! computer" saved, and the in-process Sandbox. Each ends with a signed-in client; what
//! happens to the keyring afterwards is [`super::Session`]'s job.

use super::sandbox::{self, SandboxHandle};
use crate::api::{ApiError, Client, Credentials, Environment, EnvironmentKind};
use crate::sandbox::SandboxConfig;
use crate::store::{KeyringError, SecretStore, Settings, load_saved_credentials};

/// A finished sign-in, ready to become the session.
pub struct SignedIn {
    pub client: Client,
    pub credentials: Credentials,
    pub remember: bool,
    /// A sandbox started for this sign-in, with its environment.
    pub sandbox: Option<(SandboxHandle, Environment)>,
    /// Set when the login came from the keyring: which store held it.
    pub restored_from: Option<&'static str>,
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("The Sandbox could not start")]
    SandboxDidNotStart(String),
    #[error("Could not read the saved sign-in: {0}")]
    SavedLoginUnreadable(KeyringError),
    #[error("The saved server addresses are refused")]
    SavedUrlsRefused(String),
    /// The background job ended without an answer (it panicked or was cancelled).
    #[error("Could not read the saved sign-in")]
    Interrupted(String),
}

/// Signs in with an API key. `on_client` sees the client before its first call (the
/// window lists its calls on the Activity screen even when the sign-in fails).
pub async fn with_api_key(
    environment: Environment,
    credentials: Credentials,
    remember: bool,
    on_client: impl FnOnce(&Client),
) -> Result<SignedIn, SignInError> {
    let client = Client::new(environment);
    on_client(&client);
    client.sign_in(credentials.clone()).await?;
    Ok(SignedIn { client, credentials, remember, sandbox: None, restored_from: None })
}

/// Signs in to the in-process Sandbox as its seeded admin, starting it unless it runs
/// already (`running`: its environment). Never remembered: it needs no typing.
pub async fn to_sandbox(
    running: Option<Environment>,
    config: SandboxConfig,
    device_id: &str,
    on_client: impl FnOnce(&Client),
) -> Result<SignedIn, SignInError> {
    let (started, environment) = match running {
        Some(environment) => (None, environment),
        None => {
            let (handle, environment) =
                sandbox::start(config).await.map_err(|e| SignInError::SandboxDidNotStart(e.to_string()))?;
            (Some(handle), environment)
        }
    };
    let credentials = sandbox::credentials(device_id);
    let client = Client::new(environment.clone());
    on_client(&client);
    client.sign_in(credentials.clone()).await?;
    let sandbox = started.map(|handle| (handle, environment));
    Ok(SignedIn { client, credentials, remember: false, sandbox, restored_from: None })
}

/// Signs in with what "Remember on this computer" saved: the saved token when it is
/// still good (no login call), else the saved API key. `Ok(None)` when nothing was saved
/// or there is no keyring (the form is shown).
pub async fn restore(
    store: SecretStore,
    settings: Settings,
    kind: EnvironmentKind,
    production_hosts: Option<Environment>,
    on_client: impl FnOnce(&Client),
) -> Result<Option<SignedIn>, SignInError> {
    let loaded = tokio::task::spawn_blocking(move || {
        load_saved_credentials(&store, &settings, kind).and_then(|login| Ok((login, store.backend()?)))
    })
    .await
    .map_err(|e| SignInError::Interrupted(e.to_string()))?;
    let (login, store_name) = match loaded {
        Ok((Some(login), store_name)) => (login, store_name),
        Ok((None, _)) => return Ok(None),
        // No keyring: nothing could have been saved, so just show the form.
        Err(KeyringError::Unavailable { .. }) => return Ok(None),
        Err(error) => return Err(SignInError::SavedLoginUnreadable(error)),
    };
    // The settings file may have been edited since: the URL rules hold here too.
    login.environment.check_urls().map_err(SignInError::SavedUrlsRefused)?;
    let client = Client::new(hosts_of(production_hosts.as_ref(), login.environment));
    on_client(&client);
    match login.token {
        Some((token, session)) => client.restore(token, session, Some(login.credentials.clone())),
        None => {
            client.sign_in(login.credentials.clone()).await?;
        }
    }
    Ok(Some(SignedIn {
        client,
        credentials: login.credentials,
        remember: true,
        sandbox: None,
        restored_from: Some(store_name),
    }))
}

/// Where an environment's requests go: its own hosts, except Production when a test
/// points it elsewhere (`production_hosts`, always `None` outside tests).
pub fn hosts_of(production_hosts: Option<&Environment>, environment: Environment) -> Environment {
    match production_hosts {
        Some(hosts) if environment.kind == EnvironmentKind::Production => hosts.clone(),
        _ => environment,
    }
}

/// What the settings file keeps of a typed sign-in, for the form next time and for
/// restoring it: names, the key's ID, "remember", Custom's URLs. Never a secret.
pub fn note_in_settings(settings: &mut Settings, environment: &Environment, credentials: &Credentials, remember: bool) {
    let kind = environment.kind;
    let section = settings.environment_mut(kind);
    section.username = credentials.name.clone();
    section.app_id = credentials.app_id.clone();
    section.cid = credentials.cid.clone();
    section.remember = remember;
    if kind == EnvironmentKind::Custom {
        section.live_url = environment.live_url.clone();
        section.demo_url = environment.demo_url.clone();
        section.ws_url = environment.ws_url.clone();
        section.agreement_alert_id = Some(environment.agreement_alert_id);
    }
}
