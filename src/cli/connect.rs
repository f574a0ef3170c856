//! Choosing the environment and signing in from the command line.

use super::UsageError;
use crate::api::{Client, Credentials, Environment, EnvironmentKind, Secret, SessionInfo, Token};
use crate::sandbox::{self, Sandbox, SandboxConfig};
use crate::store::{Paths, SecretStore, Settings, load_saved_credentials};
use chrono::Utc;

/// Where to connect: a named environment, or explicit URLs (e.g. a sandbox started with
/// `propdesk sandbox`).
#[derive(clap::Args, Clone, Debug)]
pub struct ConnectArgs {
    /// sandbox, staging or production; or custom with --live-url and --demo-url.
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// LIVE REST base URL, ending in /v1.
    #[arg(long, value_name = "URL", requires = "demo_url")]
    pub live_url: Option<String>,
    /// DEMO REST base URL, ending in /v1.
    #[arg(long, value_name = "URL", requires = "live_url")]
    pub demo_url: Option<String>,
    /// User-data WebSocket URL (default: the LIVE URL with /websocket).
    #[arg(long, value_name = "URL")]
    pub ws_url: Option<String>,
    /// adminAlertId of the market-data agreement signal: 70 on Tradovate's staging hosts
    /// (the default), 68 when the URLs lead to production.
    #[arg(long, value_name = "ID", requires = "live_url")]
    pub agreement_alert_id: Option<i64>,
}

/// A signed-in client, and the sandbox it talks to when `--env sandbox` started one.
pub struct SignedIn {
    pub client: Client,
    /// Kept alive for the run: dropping it stops the in-process sandbox.
    pub _sandbox: Option<Sandbox>,
    /// The journal key: one journal file may hold several environments.
    pub journal_key: String,
}

impl ConnectArgs {
    fn environment(&self) -> Result<(EnvironmentKind, Option<Environment>), UsageError> {
        let custom = self.env.as_deref().and_then(EnvironmentKind::from_slug) == Some(EnvironmentKind::Custom);
        let urls = self.live_url.is_some() || self.demo_url.is_some() || self.ws_url.is_some();
        match (&self.env, &self.live_url, &self.demo_url) {
            (Some(_), _, _) if custom && !urls => {
                Err(UsageError("--env custom needs --live-url and --demo-url (and optionally --ws-url)".into()))
            }
            (Some(name), _, _) if !custom => {
                if urls {
                    return Err(UsageError(format!("--env {name} has its own URLs: leave out --live-url, --demo-url and --ws-url")));
                }
                let kind = EnvironmentKind::from_slug(name).ok_or_else(|| {
                    UsageError(format!("--env must be sandbox, staging, production or custom, not {name:?}"))
                })?;
                let environment = match kind {
                    EnvironmentKind::Staging => Some(Environment::staging()),
                    EnvironmentKind::Production => Some(Environment::production()),
                    _ => None,
                };
                Ok((kind, environment))
            }
            (_, Some(live), Some(demo)) => {
                let mut environment = Environment::custom(live, demo, self.ws_url.as_deref());
                if let Some(id) = self.agreement_alert_id {
                    environment = environment.with_agreement_alert_id(id);
                }
                environment.check_urls().map_err(UsageError)?;
                Ok((EnvironmentKind::Custom, Some(environment)))
            }
            _ => Err(UsageError(
                "say where to connect: --env sandbox|staging|production, or --env custom with --live-url and --demo-url"
                    .into(),
            )),
        }
    }

    /// Which environment the arguments name, before anything is sent.
    pub fn kind(&self) -> Result<EnvironmentKind, UsageError> {
        self.environment().map(|(kind, _)| kind)
    }

    /// The journal key of the environment these arguments name, known before signing
    /// in (so a run refused by the journal's lock never opens a session).
    pub fn journal_key(&self) -> Result<String, UsageError> {
        let (kind, environment) = self.environment()?;
        Ok(match environment {
            Some(environment) => crate::onboarding::journal::journal_key(&environment),
            None => kind.slug().to_string(),
        })
    }

    pub async fn connect(&self) -> Result<SignedIn, UsageError> {
        let (kind, environment) = self.environment()?;
        let (environment, sandbox, login) = match environment {
            None => {
                let sandbox = Sandbox::start(SandboxConfig::default())
                    .await
                    .map_err(|e| UsageError(format!("cannot start the sandbox: {e}")))?;
                (sandbox.environment(), Some(sandbox), Login { credentials: sandbox_credentials(), saved: None })
            }
            Some(environment) => {
                let login = credentials_from_env(kind, &environment)?;
                (environment, None, login)
            }
        };
        let journal_key = crate::onboarding::journal::journal_key(&environment);
        let client = Client::new(environment);
        start_session(&client, login).await?;
        Ok(SignedIn { client, _sandbox: sandbox, journal_key })
    }
}

/// What to sign in with, and the window's saved session when there is one.
pub struct Login {
    pub credentials: Credentials,
    /// The token the window saved (not expired), reused instead of a new login.
    pub saved: Option<(Token, SessionInfo)>,
}

/// Resumes the window's saved session when it has one, renewing it if it is close to
/// expiry (a renewal keeps the session); otherwise signs in. Every login opens a session
/// and Tradovate keeps only 2 per user (the OpenAPI), so a CLI run must not close the
/// window's session when it can share it.
pub async fn start_session(client: &Client, login: Login) -> Result<(), UsageError> {
    let Login { credentials, saved } = login;
    if let Some((token, session)) = saved.filter(|(token, _)| !token.is_expired(Utc::now())) {
        let needs_renewal = token.needs_renewal(Utc::now());
        client.restore(token, session, Some(credentials));
        if !needs_renewal {
            return Ok(());
        }
        return client.renew().await.map(|_| ()).map_err(|e| UsageError(format!("sign-in failed: {e}")));
    }
    client.sign_in(credentials).await.map_err(|e| UsageError(format!("sign-in failed: {e}")))?;
    Ok(())
}

pub fn sandbox_credentials() -> Credentials {
    sandbox::admin_credentials(&device_id())
}

/// Credentials from `TRADOVATE_*` variables. A custom environment pointing at a sandbox
/// (loopback) falls back to the sandbox's own key when no variables are set.
fn credentials_from_env(kind: EnvironmentKind, environment: &Environment) -> Result<Login, UsageError> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let Some(name) = var("TRADOVATE_USERNAME") else {
        let loopback = environment.live_url.contains("://127.0.0.1") || environment.live_url.contains("://localhost");
        if kind == EnvironmentKind::Custom && loopback {
            return Ok(Login { credentials: sandbox_credentials(), saved: None });
        }
        return saved_by_the_window(kind, environment);
    };
    let credentials = Credentials {
        name,
        password: Secret::new(var("TRADOVATE_PASSWORD").unwrap_or_default()),
        app_id: var("TRADOVATE_APP_ID").unwrap_or_default(),
        app_version: var("TRADOVATE_APP_VERSION").unwrap_or_else(|| "1.0".into()),
        cid: var("TRADOVATE_CID").unwrap_or_default(),
        sec: Secret::new(var("TRADOVATE_SECRET").unwrap_or_default()),
        device_id: var("TRADOVATE_DEVICE_ID").unwrap_or_else(device_id),
    };
    let missing = credentials.missing_fields();
    if !missing.is_empty() {
        return Err(UsageError(format!("missing credentials: {}", missing.join(", "))));
    }
    Ok(Login { credentials, saved: None })
}

/// The sign-in the window saved with "Remember on this computer" (keyring + settings).
fn saved_by_the_window(kind: EnvironmentKind, environment: &Environment) -> Result<Login, UsageError> {
    let no_credentials = || {
        UsageError(
            "no credentials: set TRADOVATE_USERNAME, TRADOVATE_PASSWORD, TRADOVATE_APP_ID, TRADOVATE_APP_VERSION, \
             TRADOVATE_CID and TRADOVATE_SECRET, or sign in once in the window with \"Remember on this computer\""
                .into(),
        )
    };
    let Some(paths) = Paths::platform() else { return Err(no_credentials()) };
    let (settings, _) = Settings::load_or_default(&paths.settings_file());
    match load_saved_credentials(&SecretStore::platform(), &settings, kind) {
        // A saved Custom sign-in belongs to the URLs it was saved for.
        Ok(Some(login)) if kind != EnvironmentKind::Custom || login.environment.live_url == environment.live_url => {
            Ok(Login { credentials: login.credentials, saved: login.token })
        }
        Ok(_) => Err(no_credentials()),
        Err(error) => Err(UsageError(format!("{error}; set the TRADOVATE_* variables instead"))),
    }
}

/// A stable id for this machine's command line (live is strict about changing ids).
fn device_id() -> String {
    let host = std::env::var("HOSTNAME").or_else(|_| std::env::var("COMPUTERNAME")).unwrap_or_default();
    let mut hash: u64 = 0xcbf29ce484222325;
    for byte in host.bytes().chain(*b"propdesk-cli") {
        hash = (hash ^ byte as u64).wrapping_mul(0x100000001b3);
    }
    format!("propdesk-cli-{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_cli_reuses_the_windows_saved_session_instead_of_a_new_login() {
        let config = SandboxConfig { max_sessions_per_user: 2, ..SandboxConfig::for_tests() };
        let sandbox = Sandbox::start(config).await.unwrap();
        let window = Client::new(sandbox.environment());
        window.sign_in(sandbox_credentials()).await.unwrap();
        let saved = window.token().zip(window.session());
        // Two command-line runs while the window stays open.
        for _ in 0..2 {
            let cli = Client::new(sandbox.environment());
            start_session(&cli, Login { credentials: sandbox_credentials(), saved: saved.clone() }).await.unwrap();
            cli.me().await.unwrap();
        }
        window.me().await.unwrap();
        assert_eq!(sandbox.stats().calls("auth/accesstokenrequest"), 1, "only the window ever logged in");
    }

    #[tokio::test]
    async fn without_a_saved_session_the_cli_signs_in() {
        let sandbox = Sandbox::start(SandboxConfig::for_tests()).await.unwrap();
        let cli = Client::new(sandbox.environment());
        start_session(&cli, Login { credentials: sandbox_credentials(), saved: None }).await.unwrap();
        cli.me().await.unwrap();
        assert_eq!(sandbox.stats().calls("auth/accesstokenrequest"), 1);
    }
}
