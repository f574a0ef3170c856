//! A signed-in session, outside the window: the ways to sign in ([`sign_in`]), the keyring
//! policy of "Remember on this computer", keeping the token fresh and saved, and signing
//! out. No egui here; the window drives it and shows what it reports.
//!
//! Layer: `ui` → `session` → `api`, `store`, `sandbox` (to start the Sandbox environment).

pub mod sandbox;
pub mod secrets;
pub mod sign_in;
#[cfg(test)]
mod tests;

pub use sandbox::SandboxHandle;
pub use secrets::{Lease, Login, Report, SecretEvent, SecretWriter};
pub use sign_in::{SignInError, SignedIn};

use crate::api::{Client, Credentials, EnvironmentKind, Secret};
use crate::store::SavedToken;
use std::sync::Arc;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// Runs a session task; a panic is logged by name (the crash report has the backtrace)
/// instead of ending the task without a word. A stopped renewal then shows in the window
/// as the session running out, like any lost session.
async fn reported(task: &'static str, job: impl std::future::Future<Output = ()>) {
    if let Err(text) = crate::diagnostics::caught::caught(job).await {
        tracing::error!("the session's {task} stopped unexpectedly: {text}");
    }
}

/// The login the window (or a test) is signed in with.
pub struct Session {
    client: Client,
    login: Login,
    /// "Remember on this computer", as applied (never for the Sandbox).
    remember: bool,
    lease: Lease,
    writer: SecretWriter,
    keep_fresh: JoinHandle<()>,
    /// Saves renewed tokens while remembered.
    persist: Option<JoinHandle<()>>,
}

impl Session {
    /// Adopts a signed-in client: renews it in the background and applies the keyring
    /// policy. Remembered: the password, API secret and token are saved (a login restored
    /// from the keyring is there already) and every renewed token is saved too. Not
    /// remembered: whatever an earlier sign-in of this login saved is deleted, so nothing
    /// of it stays on the computer. The Sandbox touches no keyring entry.
    ///
    /// `on_change` runs whenever the session changes (signed in, renewed, signed out).
    pub fn start(
        client: Client,
        credentials: Credentials,
        remember: bool,
        restored: bool,
        writer: &SecretWriter,
        runtime: &tokio::runtime::Handle,
        on_change: impl Fn() + Send + Sync + 'static,
    ) -> Self {
        let kind = client.environment().kind;
        let login = Login { kind, name: credentials.name.clone() };
        let remember = remember && kind != EnvironmentKind::Sandbox;
        let lease = Lease::default();
        let changed = Arc::new(Notify::new());
        let wake = changed.clone();
        client.set_session_listener(move || {
            wake.notify_one();
            on_change();
        });
        let keep_fresh = runtime.spawn(reported("token renewal", client.clone().keep_fresh()));
        let persist = remember.then(|| {
            let saved_token = client.token().map(|t| t.value);
            if !restored {
                writer.remember(&lease, login.clone(), credentials, saved(&client));
            }
            let task =
                Persist { client: client.clone(), writer: writer.clone(), lease: lease.clone(), login: login.clone() };
            runtime.spawn(reported("saving renewed tokens", task.run(changed, saved_token)))
        });
        if !remember && kind != EnvironmentKind::Sandbox {
            writer.forget(login.clone());
        }
        Self { client, login, remember, lease, writer: writer.clone(), keep_fresh, persist }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn kind(&self) -> EnvironmentKind {
        self.login.kind
    }

    /// The username as typed: the keyring entries are named after it.
    pub fn login_name(&self) -> &str {
        &self.login.name
    }

    pub fn remember(&self) -> bool {
        self.remember
    }

    /// Signs out and deletes every keyring entry of this login. A token write already
    /// under way finishes first and is then deleted; one not started yet never runs (see
    /// [`secrets`]). Returns at once: the keyring work runs on the writer.
    pub fn sign_out(self) {
        self.lease.close();
        let login = self.login.clone();
        let writer = self.writer.clone();
        self.stop();
        if login.kind != EnvironmentKind::Sandbox && !login.name.trim().is_empty() {
            writer.forget(login);
        }
    }

    /// Leaves the session for another environment: its client stops, and what "Remember"
    /// saved stays (next start signs in with it).
    pub fn leave(self) {
        self.stop();
    }

    fn stop(self) {
        // Dropping aborts the tasks; the client forgets its token.
        self.client.sign_out();
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.keep_fresh.abort();
        if let Some(persist) = &self.persist {
            persist.abort();
        }
    }
}

/// The token as it would be saved, when signed in.
fn saved(client: &Client) -> Option<SavedToken> {
    client.token().zip(client.session()).map(|(token, session)| SavedToken { token, session })
}

/// Saves each renewed token once, while the lease is open.
struct Persist {
    client: Client,
    writer: SecretWriter,
    lease: Lease,
    login: Login,
}

impl Persist {
    /// `saved_token`: the token last written. Compared by value: a renewal within the
    /// same second as the sign-in may carry the same expiry.
    async fn run(self, changed: Arc<Notify>, mut saved_token: Option<Secret>) {
        loop {
            changed.notified().await;
            if !self.lease.is_open() {
                return;
            }
            let Some(saved) = saved(&self.client) else { continue };
            if saved_token.as_ref() != Some(&saved.token.value) {
                saved_token = Some(saved.token.value.clone());
                self.writer.save_token(&self.lease, self.login.clone(), saved);
            }
        }
    }
}
