//! The one writer of sign-in secrets. Every keyring write and delete of a login (remember,
//! renewed tokens, forget) goes through one queue and runs in order, one at a time, on the
//! blocking pool.
//!
//! Why one queue: the keyring may be slow (D-Bus, Keychain prompts). When writes and
//! deletes ran side by side, a token write that started before sign-out could land after
//! sign-out's delete and leave the token on the computer. Here each write carries its
//! login's [`Lease`]: sign-out closes the lease, so its writes that have not started are
//! dropped, and the delete queued after closing runs only after a write already under way.

use crate::api::{Credentials, EnvironmentKind};
use crate::store::{KeyringError, SavedToken, SecretStore};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::{mpsc, oneshot};

/// What the writer reports back, for the user to hear about.
#[derive(Debug)]
pub enum SecretEvent {
    /// "Remember on this computer" finished: which keyring holds the entries.
    Remembered(EnvironmentKind, Result<&'static str, KeyringError>),
    /// A login's entries were deleted (or could not be).
    Forgotten(EnvironmentKind, Result<(), KeyringError>),
    /// A renewed token was saved (or could not be).
    TokenSaved(Result<(), KeyringError>),
    /// A keyring call panicked (its message).
    Panicked(String),
}

/// Where the writer's events go (the window turns them into toasts).
pub type Report = Arc<dyn Fn(SecretEvent) + Send + Sync>;

/// Whose entries: the environment and the username as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Login {
    pub kind: EnvironmentKind,
    pub name: String,
}

/// A signed-in login's right to write its secrets. Closed once, at sign-out; a closed
/// lease never opens again (a new sign-in gets a new lease).
#[derive(Clone, Debug, Default)]
pub struct Lease {
    closed: Arc<AtomicBool>,
}

impl Lease {
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
    }

    pub fn is_open(&self) -> bool {
        !self.closed.load(Ordering::SeqCst)
    }
}

enum Job {
    Remember {
        lease: Lease,
        login: Login,
        credentials: Box<Credentials>,
        token: Option<SavedToken>,
    },
    Token {
        lease: Lease,
        login: Login,
        token: Box<SavedToken>,
    },
    Forget {
        login: Login,
    },
    /// Answers once everything queued before it is done.
    Settle(oneshot::Sender<()>),
}

/// Handle to the writer task; cloning shares the queue.
#[derive(Clone)]
pub struct SecretWriter {
    jobs: mpsc::UnboundedSender<Job>,
}

impl SecretWriter {
    /// Starts the writer task on `runtime`; it ends when every handle is dropped.
    pub fn start(store: SecretStore, runtime: &tokio::runtime::Handle, report: Report) -> Self {
        let (jobs, queue) = mpsc::unbounded_channel();
        runtime.spawn(run(store, queue, report));
        Self { jobs }
    }

    /// Saves the password, the API secret and the token (deleting an older token when
    /// there is none), unless the lease closed first.
    pub fn remember(&self, lease: &Lease, login: Login, credentials: Credentials, token: Option<SavedToken>) {
        self.send(Job::Remember { lease: lease.clone(), login, credentials: Box::new(credentials), token });
    }

    /// Saves a renewed token, unless the lease closed first.
    pub fn save_token(&self, lease: &Lease, login: Login, token: SavedToken) {
        self.send(Job::Token { lease: lease.clone(), login, token: Box::new(token) });
    }

    /// Deletes every entry of the login, after whatever was queued before.
    pub fn forget(&self, login: Login) {
        self.send(Job::Forget { login });
    }

    /// Waits until everything queued so far is done (tests, and the window's exit).
    pub async fn settled(&self) {
        let (done, answer) = oneshot::channel();
        self.send(Job::Settle(done));
        // An error means the task is gone, and with it every pending write.
        answer.await.unwrap_or_default();
    }

    fn send(&self, job: Job) {
        if self.jobs.send(job).is_err() {
            // Only after the runtime shut down (the window is closing): nothing runs any more.
            tracing::warn!("the keyring writer has stopped; a keyring change was not made");
        }
    }
}

async fn run(store: SecretStore, mut queue: mpsc::UnboundedReceiver<Job>, report: Report) {
    while let Some(job) = queue.recv().await {
        if let Job::Settle(done) = job {
            // The caller may have stopped waiting; that is fine.
            done.send(()).unwrap_or_default();
            continue;
        }
        let store = store.clone();
        // One job at a time: the next starts only when this one's keyring call returned.
        match tokio::task::spawn_blocking(move || perform(&store, job)).await {
            Ok(Some(event)) => report(event),
            Ok(None) => {}
            Err(error) => report(SecretEvent::Panicked(error.to_string())),
        }
    }
}

/// Runs one job; `None` when its lease closed before it started.
fn perform(store: &SecretStore, job: Job) -> Option<SecretEvent> {
    match job {
        Job::Remember { lease, login, credentials, token } => lease.is_open().then(|| {
            let result = store.remember(login.kind, &credentials, token).and_then(|()| store.backend());
            SecretEvent::Remembered(login.kind, result)
        }),
        Job::Token { lease, login, token } => {
            lease.is_open().then(|| SecretEvent::TokenSaved(store.set_token(login.kind, &login.name, &token)))
        }
        Job::Forget { login } => Some(SecretEvent::Forgotten(login.kind, store.forget(login.kind, &login.name))),
        Job::Settle(_) => None,
    }
}
