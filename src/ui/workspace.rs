//! What a signed-in environment works with, shared by the Traders, Pipeline and
//! Subaccounts screens: the onboarding journal, the subaccount registry, and the
//! agreement watch that grants T-Prop as traders sign.
//!
//! The files are opened off the UI thread; until then the screens say "Opening…".
//! The Sandbox forgets everything when the app closes, so its journal and registry
//! live in memory: a journal on disk would point at traders that no longer exist.

use super::bridge::Bridge;
use super::change_feed::{CHANGE_POLL_INTERVAL, ChangeFeed};
use super::event::Event;
use crate::api::{Client, Environment, EnvironmentKind};
use crate::onboarding::agreements::{AgreementWatch, WatchEvent, WatchOptions};
use crate::onboarding::journal::{Journal, check_signed_in_firm};
use crate::store::{Paths, SecretStore};
use crate::subaccount::Registry;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The journal and registry of one environment, once opened.
pub struct Workspace {
    pub journal: Arc<Journal>,
    pub registry: Arc<Registry>,
    /// Bumped whenever background work wrote to the journal, so screens know to re-read it.
    changes: Arc<AtomicU64>,
    watch: Option<AgreementWatch>,
    pub watch_status: WatchStatus,
    /// Whether signatures trigger a grant automatically (a setting, on by default).
    pub auto_grant: bool,
    /// The entitlement the watch grants, as chosen in Setup.
    pub entitlement_id: Option<i64>,
    /// Pipeline board hook: the watch refused a manual check until then.
    pub next_check_at: Option<std::time::Instant>,
    /// Other processes' writes to a shared journal, polled (see `change_feed`).
    change_feed: Option<ChangeFeed>,
}

/// A team's PostgreSQL journal, as Setup configured it: the URL from the settings and
/// the password from the keyring (read when opening, off the UI thread).
#[derive(Clone)]
pub struct TeamJournal {
    pub url: String,
    pub secrets: SecretStore,
    /// Who is signed in: the team journal's environment belongs to one firm, checked
    /// before the window writes anything there (journal/firm.rs).
    pub signed_in: Client,
}

impl TeamJournal {
    /// Blocking (call it on the blocking pool): reads the keyring, connects and migrates
    /// the journal and, in the same database, the subaccount registry (admins sharing a
    /// journal share which drafts were sent), then binds or checks the firm. Messages
    /// never hold the password.
    fn open(&self, key: &str) -> Result<(Journal, Registry), String> {
        let password = self
            .secrets
            .get_team_journal_password(&self.url)
            .map_err(|e| format!("the team journal's password: {e}"))?;
        let journal =
            Journal::open_postgres_with_password(&self.url, password.as_ref(), key).map_err(|e| e.to_string())?;
        // Only `auth/me` is awaited here, from the blocking pool (not an async task).
        tokio::runtime::Handle::current()
            .block_on(check_signed_in_firm(&self.signed_in, &journal))
            .map_err(|e| e.to_string())?;
        let registry =
            Registry::open_postgres_with_password(&self.url, password.as_ref(), key).map_err(|e| e.to_string())?;
        Ok((journal, registry))
    }
}

/// Whether the agreement watch (and with it auto-grant, which bills) may start as soon as
/// the environment opens. On Production it waits for the admin's confirmation on the
/// Pipeline screen, so a session restored at launch never grants unattended.
pub fn watch_starts_by_itself(kind: EnvironmentKind) -> bool {
    kind != EnvironmentKind::Production
}

/// What the top of the Pipeline screen says about the live connection.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum WatchStatus {
    /// Not started: waiting for the admin to confirm (Production).
    Idle,
    #[default]
    Starting,
    Listening,
    Reconnecting {
        reason: String,
        retry_in: Duration,
    },
    Stopped(String),
}

pub use crate::onboarding::journal::journal_key;

impl Workspace {
    /// Opens the journal and registry on the blocking pool and reports `Event::WorkspaceReady`.
    /// With `team`, a non-Sandbox environment's journal is the team's PostgreSQL database.
    pub fn open_in_background(bridge: &Bridge, paths: &Paths, environment: &Environment, team: Option<TeamJournal>) {
        let kind = environment.kind;
        let key = journal_key(environment);
        let (journal_file, registry_file) = (paths.journal_file(), paths.subaccounts_file());
        bridge.spawn_blocking(move || {
            let opened = if kind == EnvironmentKind::Sandbox {
                Journal::in_memory(&key).map_err(|e| e.to_string()).and_then(|journal| {
                    Registry::in_memory(&key).map(|registry| (journal, registry)).map_err(|e| e.to_string())
                })
            } else {
                match team {
                    Some(team) => team.open(&key),
                    None => Journal::open(&journal_file, &key).map_err(|e| e.to_string()).and_then(|journal| {
                        Registry::open(&registry_file, &key)
                            .map(|registry| (journal, registry))
                            .map_err(|e| e.to_string())
                    }),
                }
            };
            Event::WorkspaceReady(kind, opened.map(|(journal, registry)| (Arc::new(journal), Arc::new(registry))))
        });
    }

    pub fn new(journal: Arc<Journal>, registry: Arc<Registry>) -> Self {
        Self {
            journal,
            registry,
            changes: Arc::new(AtomicU64::new(1)),
            watch: None,
            watch_status: WatchStatus::Starting,
            auto_grant: true,
            entitlement_id: None,
            next_check_at: None,
            change_feed: None,
        }
    }

    /// Re-reads the screens whenever another window, a CLI run or another admin writes
    /// to this journal (polled off the UI thread; stops when the workspace is dropped).
    pub fn follow_changes(&mut self, bridge: &Bridge) {
        self.change_feed = ChangeFeed::follow(self.journal.clone(), self.changes.clone(), bridge, CHANGE_POLL_INTERVAL);
    }

    /// Whether the watch was started (on Production: the admin confirmed).
    pub fn is_watching(&self) -> bool {
        self.watch.is_some()
    }

    /// Starts the watch if this environment allows it without asking; otherwise it stays
    /// idle until [`Workspace::start_watch`] is called after a confirmation.
    pub fn start_watch_if_allowed(&mut self, kind: EnvironmentKind, client: &Client, bridge: &Bridge) {
        if watch_starts_by_itself(kind) {
            self.start_watch(client, bridge);
        } else {
            self.watch_status = WatchStatus::Idle;
        }
    }

    /// A counter that changes whenever the journal may have changed.
    pub fn changes(&self) -> u64 {
        self.changes.load(Ordering::Relaxed)
    }

    /// Tells every screen to re-read the journal (after a pipeline step, a grant...).
    pub fn mark_changed(&self) {
        self.changes.fetch_add(1, Ordering::Relaxed);
    }

    /// A handle background tasks can use to mark the journal changed.
    pub fn change_counter(&self) -> Arc<AtomicU64> {
        self.changes.clone()
    }

    /// Starts (or restarts, e.g. after the entitlement changed) the agreement watch.
    pub fn start_watch(&mut self, client: &Client, bridge: &Bridge) {
        let options =
            WatchOptions { entitlement_id: self.entitlement_id, auto_grant: self.auto_grant, ..Default::default() };
        let _enter = bridge.runtime.enter();
        let (watch, mut events) = AgreementWatch::spawn(client.clone(), self.journal.clone(), options);
        self.watch = Some(watch);
        self.watch_status = WatchStatus::Starting;
        let forward_to = bridge.clone();
        // Ends by itself when the watch is dropped (its channel closes).
        bridge.spawn_reporting(async move {
            while let Some(event) = events.recv().await {
                forward_to.send(Event::Watch(event));
            }
        });
    }

    pub fn on_watch_event(&mut self, event: &WatchEvent) {
        match event {
            WatchEvent::Connected { .. } => self.watch_status = WatchStatus::Listening,
            WatchEvent::Disconnected { reason, retry_in } => {
                self.watch_status = WatchStatus::Reconnecting { reason: reason.clone(), retry_in: *retry_in }
            }
            WatchEvent::Stopped(reason) => self.watch_status = WatchStatus::Stopped(reason.clone()),
            WatchEvent::CheckTooSoon { retry_in } | WatchEvent::CatchUpLater { retry_in } => {
                self.next_check_at = Some(std::time::Instant::now() + *retry_in)
            }
            _ => {}
        }
        self.mark_changed();
    }

    /// A manual check (the watch refuses one within 5 minutes of the last `deps` call).
    pub fn check_now(&self) {
        if let Some(watch) = &self.watch {
            watch.check_now();
        }
    }

    /// Grants T-Prop to these traders now.
    pub fn grant(&self, names: Vec<String>) {
        if let Some(watch) = &self.watch {
            watch.grant(names);
        }
    }

    pub fn set_auto_grant(&mut self, on: bool) {
        self.auto_grant = on;
        if let Some(watch) = &self.watch {
            watch.set_auto_grant(on);
        }
    }
}
