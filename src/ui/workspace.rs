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
use super::problem::Problem;
use super::remote::Remote;
use crate::api::{Client, Environment, EnvironmentKind};
use crate::onboarding::agreements::{AgreementWatch, WatchEvent, WatchOptions};
use crate::onboarding::journal::{Journal, check_signed_in_firm};
use crate::onboarding::watcher::WatcherHeartbeat;
use crate::store::{Paths, SecretStore};
use crate::subaccount::Registry;
use chrono::Utc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use std::time::Instant;

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
    /// The team's always-on watcher, as its heartbeat in the journal says (see below).
    team_watcher: TeamWatcher,
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
    /// Standing down: the team's always-on watcher (`propdesk watch`) is listening for
    /// this environment, so this window opens no socket of its own.
    TeamWatcher(WatcherHeartbeat),
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
            team_watcher: TeamWatcher::default(),
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
        if watch_starts_by_itself(kind) && self.team_watcher_unknown() {
            // A shared journal may have a team watcher: look before opening a socket.
            self.team_watcher.start_once_read = true;
            self.watch_status = WatchStatus::Starting;
        } else if watch_starts_by_itself(kind) {
            self.start_watch(client, bridge);
        } else {
            self.watch_status = WatchStatus::Idle;
        }
    }

    /// Why other admins' changes are not reaching this window right now (the journal
    /// cannot be read); `None` while the live board is live or there is nothing to follow.
    pub fn live_updates_paused(&self) -> Option<String> {
        self.change_feed.as_ref().and_then(ChangeFeed::paused)
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
        // The stopped watch's last words, still queued, must not hide the team watcher.
        if matches!(self.watch_status, WatchStatus::TeamWatcher(_)) {
            self.mark_changed();
            return;
        }
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

    /// Grants T-Prop to these traders now: through the watch, or directly while the
    /// team watcher holds the socket (the same grant, with its claim).
    pub fn grant(&self, names: Vec<String>, client: &Client, bridge: &Bridge) {
        if let Some(watch) = &self.watch {
            watch.grant(names);
        } else if let (WatchStatus::TeamWatcher(_), Some(entitlement_id)) = (&self.watch_status, self.entitlement_id) {
            let (client, journal, changes) = (client.clone(), self.journal.clone(), self.changes.clone());
            bridge.spawn_reporting(async move {
                for name in names {
                    let trader = match journal.trader(&name) {
                        Ok(Some(trader)) => trader,
                        Ok(None) => continue,
                        Err(error) => return tracing::warn!("granting {name}: {error}"),
                    };
                    // Failures are recorded on the trader's row, which the board shows.
                    if let Err(error) =
                        crate::onboarding::entitlement::grant(&client, &journal, &trader, entitlement_id).await
                    {
                        tracing::warn!("granting {name}: {error}");
                    }
                    changes.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    }

    pub fn set_auto_grant(&mut self, on: bool) {
        self.auto_grant = on;
        if let Some(watch) = &self.watch {
            watch.set_auto_grant(on);
        }
    }
}

// --- The team's always-on watcher (`propdesk watch`, issue 14) ---

/// How often the window reads the team watcher's heartbeat (one row of the journal).
pub const TEAM_WATCHER_CHECK_EVERY: Duration = Duration::from_secs(3);

/// The last heartbeat read, and when the next read is due.
#[derive(Default)]
struct TeamWatcher {
    heartbeat: Remote<Option<WatcherHeartbeat>>,
    read_at: Option<Instant>,
    /// The window's own watch waits for the first read (see `start_watch_if_allowed`).
    start_once_read: bool,
}

impl Workspace {
    /// Keeps up with the team watcher, every frame: reads its heartbeat in the background
    /// every [`TEAM_WATCHER_CHECK_EVERY`]; while it is healthy this window's own watch
    /// stops (one socket per API user), and once it is stale or stopped the window's
    /// watch resumes under its usual rules (on Production, only once confirmed again).
    pub fn tend_team_watcher(&mut self, kind: EnvironmentKind, client: &Client, bridge: &Bridge) {
        if self.team_watcher.heartbeat.poll() {
            match &self.team_watcher.heartbeat {
                Remote::Ready(heartbeat) => {
                    let healthy = heartbeat.clone().filter(|beat| beat.is_healthy(Utc::now()));
                    self.follow_team_watcher(healthy, kind, client, bridge);
                }
                // Unreadable: whatever runs keeps running; a window still waiting watches.
                _ if std::mem::take(&mut self.team_watcher.start_once_read) => self.start_watch(client, bridge),
                _ => {}
            }
        }
        let due = self.team_watcher.read_at.is_none_or(|at| at.elapsed() >= TEAM_WATCHER_CHECK_EVERY);
        // A journal only this window can see (the Sandbox's, in memory) has no team watcher.
        if due && self.journal.is_shared() && !self.team_watcher.heartbeat.is_pending() {
            self.team_watcher.read_at = Some(Instant::now());
            let journal = self.journal.clone();
            self.team_watcher.heartbeat.request_blocking(bridge, move || {
                journal
                    .watcher_heartbeat()
                    .map_err(|e| Problem::new("The team watcher's heartbeat could not be read", e.to_string()))
            });
            bridge.ctx.request_repaint_after(TEAM_WATCHER_CHECK_EVERY);
        }
    }

    fn follow_team_watcher(
        &mut self,
        healthy: Option<WatcherHeartbeat>,
        kind: EnvironmentKind,
        client: &Client,
        bridge: &Bridge,
    ) {
        match healthy {
            Some(beat) => {
                if self.watch.take().is_some() {
                    tracing::info!("the team watcher on {} is listening: this window stops its own watch", beat.host);
                }
                self.watch_status = WatchStatus::TeamWatcher(beat);
            }
            None if matches!(self.watch_status, WatchStatus::TeamWatcher(_)) => {
                tracing::info!("the team watcher went quiet: this window watches again");
                self.start_watch_if_allowed(kind, client, bridge);
            }
            None if self.team_watcher.start_once_read => self.start_watch(client, bridge),
            None => {}
        }
        self.team_watcher.start_once_read = false;
        self.mark_changed();
    }

    /// Whether a team watcher might exist and its heartbeat was never read yet.
    fn team_watcher_unknown(&self) -> bool {
        self.journal.is_shared() && matches!(self.team_watcher.heartbeat, Remote::NotRequested)
    }
}
