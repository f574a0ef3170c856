//! Watching for market-data agreement signatures (seeds/000, step 4) and granting T-Prop
//! as they arrive.
//!
//! One user-data WebSocket per environment. Signatures arrive as `props` events; what
//! happened while disconnected comes from the syncrequest snapshot when it carries the
//! signals, otherwise from `adminAlertSignal/deps`. seeds/000: "Do not poll
//! /adminAlertSignal/deps … you will eventually hit the rate limit", so every `deps` call,
//! whatever asks for it (a (re)connect, Check now, the command line), goes through one
//! budget kept in the journal: at most one per [`DEPS_MIN_INTERVAL`] per environment.

use super::entitlement::{self, GrantOutcome};
use super::grant_sweep::{AFTER_CLAIM_EXPIRY, SWEEP_INTERVAL, SweepBackoff, awaits_grant};
use super::journal::{Journal, JournalError};
use crate::api::Client;
use crate::api::wire::AdminAlertSignal;
use crate::api::ws::{SocketEvent, SocketOptions, UserSocket, admin_alert_signal, snapshot_signals};
use crate::diagnostics::caught::caught;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The client's own budget for `adminAlertSignal/deps`, per environment (shared through
/// the journal by the window and the command line).
pub const DEPS_MIN_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// The shortest time between two manual checks: the `deps` budget.
pub const CHECK_NOW_INTERVAL: Duration = DEPS_MIN_INTERVAL;

/// The journal's name for the `deps` budget.
const DEPS_MARK: &str = "adminAlertSignal/deps";

/// After a reconnect, how long the snapshot has to arrive before `deps` is asked instead.
const SNAPSHOT_GRACE: Duration = Duration::from_secs(10);

/// A signed trader whose grant still says "Live account is required" (the server may
/// lag behind its own signal) is tried again after these waits, then left waiting.
pub const WAITING_RETRIES: [Duration; 3] =
    [Duration::from_secs(60), Duration::from_secs(5 * 60), Duration::from_secs(15 * 60)];

#[derive(Clone, Debug)]
pub struct WatchOptions {
    /// The entitlement to grant on signature; `None` only records signatures.
    pub entitlement_id: Option<i64>,
    /// Grant automatically when a signature arrives (on by default).
    pub auto_grant: bool,
    pub socket: SocketOptions,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self { entitlement_id: None, auto_grant: true, socket: SocketOptions::default() }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum WatchEvent {
    /// Listening; `reconnect` after a drop.
    Connected {
        reconnect: bool,
    },
    Disconnected {
        reason: String,
        retry_in: Duration,
    },
    /// The catch-up call after a (re)connect or a manual check found this many signals.
    CaughtUp {
        signals: usize,
    },
    /// A trader of ours signed the agreement (first time seen).
    Signed {
        name: String,
        user_id: i64,
        at: DateTime<Utc>,
    },
    Granted {
        name: String,
    },
    /// Tradovate still says "Live account is required".
    Waiting {
        name: String,
    },
    GrantFailed {
        name: String,
        error: String,
    },
    /// A manual check was refused because the last one was too recent.
    CheckTooSoon {
        retry_in: Duration,
    },
    /// The catch-up `deps` call is over budget; it happens by itself after `retry_in`.
    CatchUpLater {
        retry_in: Duration,
    },
    /// A grant was not sent: the trader was offboarded, or a grant is already in flight.
    Skipped {
        name: String,
        reason: String,
    },
    /// Something the screen should show once (e.g. the catch-up call failed).
    Failed(String),
    /// The watch ended (signed out).
    Stopped(String),
}

enum Request {
    CheckNow,
    Grant(Vec<String>),
    SetAutoGrant(bool),
}

/// The running watch. Dropping it stops the socket and the task.
pub struct AgreementWatch {
    requests: mpsc::UnboundedSender<Request>,
    task: JoinHandle<()>,
}

impl AgreementWatch {
    /// Starts watching on the current tokio runtime.
    pub fn spawn(
        client: Client,
        journal: Arc<Journal>,
        options: WatchOptions,
    ) -> (Self, mpsc::UnboundedReceiver<WatchEvent>) {
        let (events, receiver) = mpsc::unbounded_channel();
        let (requests, request_receiver) = mpsc::unbounded_channel();
        let last_word = events.clone();
        let task = tokio::spawn(async move {
            // A bug must not leave the window saying "listening" to a watch that is gone.
            if let Err(text) = caught(run(client, journal, options, events, request_receiver)).await {
                last_word.send(WatchEvent::Stopped(format!("the watch stopped unexpectedly: {text}"))).ok();
            }
        });
        (Self { requests, task }, receiver)
    }

    /// One catch-up call now, unless the `deps` budget is spent.
    pub fn check_now(&self) {
        let _ = self.requests.send(Request::CheckNow);
    }

    /// Grants to these traders now (those who have not signed end up waiting).
    pub fn grant(&self, names: Vec<String>) {
        let _ = self.requests.send(Request::Grant(names));
    }

    pub fn set_auto_grant(&self, on: bool) {
        let _ = self.requests.send(Request::SetAutoGrant(on));
    }

    pub fn is_running(&self) -> bool {
        !self.task.is_finished()
    }
}

impl Drop for AgreementWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Watcher {
    client: Client,
    journal: Arc<Journal>,
    options: WatchOptions,
    events: mpsc::UnboundedSender<WatchEvent>,
    /// A `deps` catch-up is owed at this time (after a reconnect without a usable
    /// snapshot, or once the budget frees up).
    catch_up_at: Option<Instant>,
    /// Grants to try again (trader name → when, and how many retries were made).
    retries: HashMap<String, (Instant, usize)>,
    /// The next sweep for signed traders still without T-Prop (see `grant_sweep`).
    sweep_at: Instant,
    sweep_backoff: SweepBackoff,
}

async fn run(
    client: Client,
    journal: Arc<Journal>,
    options: WatchOptions,
    events: mpsc::UnboundedSender<WatchEvent>,
    mut requests: mpsc::UnboundedReceiver<Request>,
) {
    let (_socket, mut socket_events) = UserSocket::spawn(client.clone(), options.socket.clone());
    let mut watcher = Watcher {
        client,
        journal,
        options,
        events,
        catch_up_at: None,
        retries: HashMap::new(),
        // The first sweep at once: whoever a killed watch or window left signed but
        // without T-Prop is tried (or, while its claim lasts, timed) from the start.
        sweep_at: Instant::now(),
        sweep_backoff: SweepBackoff::default(),
    };
    loop {
        let next_timer = watcher.next_timer();
        let timer = async move {
            match next_timer {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            event = socket_events.recv() => {
                let Some(event) = event else { return };
                if !watcher.on_socket_event(event).await {
                    return;
                }
            }
            request = requests.recv() => {
                let Some(request) = request else { return };
                watcher.on_request(request).await;
            }
            _ = timer => watcher.on_timer().await,
        }
    }
}

impl Watcher {
    /// Returns false when the watch must end.
    async fn on_socket_event(&mut self, event: SocketEvent) -> bool {
        match event {
            SocketEvent::Ready { reconnect } => {
                self.emit(WatchEvent::Connected { reconnect });
                if reconnect {
                    // The snapshot usually covers the gap; if it does not come, ask deps.
                    self.owe_catch_up(Instant::now() + SNAPSHOT_GRACE);
                } else {
                    // Catch up on everything since the app last listened (this week's signals).
                    self.catch_up(false).await;
                }
            }
            SocketEvent::Snapshot(snapshot) => {
                if let Some(signals) = snapshot_signals(&snapshot) {
                    if self.catch_up_at.take().is_some() {
                        self.emit(WatchEvent::CaughtUp { signals: signals.len() });
                    }
                    self.handle_signals(signals).await;
                }
            }
            SocketEvent::Changes(changes) => {
                let signals: Vec<AdminAlertSignal> = changes.iter().filter_map(admin_alert_signal).collect();
                self.handle_signals(signals).await;
            }
            SocketEvent::Disconnected { reason, retry_in } => {
                self.emit(WatchEvent::Disconnected { reason, retry_in });
            }
            SocketEvent::Stopped(error) => {
                self.emit(WatchEvent::Stopped(error.to_string()));
                return false;
            }
        }
        true
    }

    async fn on_request(&mut self, request: Request) {
        match request {
            Request::CheckNow => self.catch_up(true).await,
            Request::Grant(names) => {
                for name in names {
                    self.grant_by_name(&name, None).await;
                }
            }
            Request::SetAutoGrant(on) => self.options.auto_grant = on,
        }
    }

    fn next_timer(&self) -> Option<Instant> {
        self.retries.values().map(|(at, _)| *at).chain(self.catch_up_at).chain([self.sweep_at]).min()
    }

    async fn on_timer(&mut self) {
        let now = Instant::now();
        if self.catch_up_at.is_some_and(|at| at <= now) {
            self.catch_up_at = None;
            self.catch_up(false).await;
        }
        let due: Vec<(String, usize)> = self
            .retries
            .iter()
            .filter(|(_, (at, _))| *at <= now)
            .map(|(name, (_, attempt))| (name.clone(), *attempt))
            .collect();
        for (name, attempt) in due {
            self.retries.remove(&name);
            self.grant_by_name(&name, Some(attempt + 1)).await;
        }
        if self.sweep_at <= now {
            self.sweep().await;
        }
    }

    /// The sweep must come by `at` at the latest.
    fn owe_sweep(&mut self, at: Instant) {
        self.sweep_at = self.sweep_at.min(at);
    }

    /// Tries every signed trader still without T-Prop whose claim is free or expired
    /// (an expired claim is reconciled with the server by `entitlement::grant` first).
    /// A claim still in flight brings the next sweep to when it expires.
    async fn sweep(&mut self) {
        self.sweep_at = Instant::now() + SWEEP_INTERVAL;
        if !self.options.auto_grant || self.options.entitlement_id.is_none() {
            return;
        }
        let traders = match self.journal.traders() {
            Ok(traders) => traders,
            Err(error) => return self.journal_problem(error),
        };
        let now = Instant::now();
        let due: Vec<String> = traders
            .into_iter()
            .filter(|t| awaits_grant(t) && !self.retries.contains_key(&t.name))
            .filter(|t| self.sweep_backoff.is_due(&t.name, now))
            .map(|t| t.name)
            .collect();
        for name in due {
            tracing::info!("sweep: {name} signed but holds no T-Prop yet; granting");
            match self.grant_by_name(&name, None).await {
                Some(outcome) if outcome.is_entitled() => self.sweep_backoff.forget(&name),
                // `grant_by_name` already brought the sweep to the claim's expiry.
                Some(GrantOutcome::InFlight) => {}
                _ => self.sweep_backoff.tried(&name, Instant::now()),
            }
        }
    }

    fn owe_catch_up(&mut self, at: Instant) {
        self.catch_up_at = Some(self.catch_up_at.map_or(at, |owed| owed.min(at)));
    }

    /// One `deps` call, if the budget allows; otherwise it is owed for when it does.
    async fn catch_up(&mut self, manual: bool) {
        match self.journal.claim_interval(DEPS_MARK, Utc::now(), DEPS_MIN_INTERVAL) {
            Ok(Ok(())) => {}
            Ok(Err(retry_in)) => {
                if manual {
                    self.emit(WatchEvent::CheckTooSoon { retry_in });
                } else {
                    self.catch_up_at = Some(Instant::now() + retry_in);
                    self.emit(WatchEvent::CatchUpLater { retry_in });
                }
                return;
            }
            Err(error) => return self.journal_problem(error),
        }
        let alert_id = self.client.environment().agreement_alert_id;
        match self.client.admin_alert_signals(alert_id).await {
            Ok(signals) => {
                self.emit(WatchEvent::CaughtUp { signals: signals.len() });
                self.handle_signals(signals).await;
            }
            Err(error) => self.emit(WatchEvent::Failed(format!("Could not check for signatures: {error}"))),
        }
    }

    /// Records each agreement signature of one of our traders, then grants if asked to.
    async fn handle_signals(&mut self, signals: Vec<AdminAlertSignal>) {
        let alert_id = self.client.environment().agreement_alert_id;
        for signal in signals {
            if signal.admin_alert_id != alert_id {
                continue; // Other alerts are not agreement signatures.
            }
            let Some(user_id) = signal.related_to_user_id else { continue };
            let trader = match self.journal.trader_by_user_id(user_id) {
                Ok(Some(trader)) => trader,
                Ok(None) => continue, // Not one of the traders this app onboarded.
                Err(error) => return self.journal_problem(error),
            };
            let at = DateTime::parse_from_rfc3339(&signal.timestamp)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|_| Utc::now());
            match self.journal.record_signed(&trader.name, at) {
                Ok(true) => self.emit(WatchEvent::Signed { name: trader.name.clone(), user_id, at }),
                Ok(false) => {}
                Err(error) => return self.journal_problem(error),
            }
            let wanted = trader.entitled_at.is_none() && entitlement::offboarded_reason(&trader).is_none();
            if self.options.auto_grant && wanted && !self.retries.contains_key(&trader.name) {
                // Signed: a "Live account is required" now is the server lagging, so retry later.
                self.grant_by_name(&trader.name, Some(0)).await;
            }
        }
    }

    /// `retry`: which retry this is for a trader known to have signed (`Some(0)` for the
    /// grant right after the signature); `None` for a grant asked for by hand or by the
    /// sweep. The outcome, when a grant was attempted.
    async fn grant_by_name(&mut self, name: &str, retry: Option<usize>) -> Option<GrantOutcome> {
        let Some(entitlement_id) = self.options.entitlement_id else {
            self.emit(WatchEvent::Failed("Choose the T-Prop entitlement in Setup before granting".into()));
            return None;
        };
        let trader = match self.journal.trader(name) {
            Ok(Some(trader)) => trader,
            Ok(None) => return None,
            Err(error) => {
                self.journal_problem(error);
                return None;
            }
        };
        if trader.entitled_at.is_some() {
            return None;
        }
        let name = trader.name.clone();
        let outcome = match entitlement::grant(&self.client, &self.journal, &trader, entitlement_id).await {
            Ok(outcome) => outcome,
            Err(error) => {
                self.journal_problem(error);
                return None;
            }
        };
        match outcome.clone() {
            GrantOutcome::Granted | GrantOutcome::AlreadyEntitled => self.emit(WatchEvent::Granted { name }),
            GrantOutcome::WaitingForSignature => {
                if let Some(wait) = retry.and_then(|done| WAITING_RETRIES.get(done)) {
                    self.retries.insert(name.clone(), (Instant::now() + *wait, retry.unwrap_or_default()));
                }
                self.emit(WatchEvent::Waiting { name });
            }
            GrantOutcome::Offboarded(reason) => {
                self.emit(WatchEvent::Skipped { name, reason: format!("the trader was {reason}") })
            }
            GrantOutcome::InFlight => {
                // Its holder may have died: once the claim can have expired, the sweep
                // reconciles it and grants if nothing went through.
                self.owe_sweep(Instant::now() + entitlement::grant_in_flight_for() + AFTER_CLAIM_EXPIRY);
                self.emit(WatchEvent::Skipped { name, reason: "a grant is already in flight".into() })
            }
            GrantOutcome::Failed(error) => self.emit(WatchEvent::GrantFailed { name, error }),
            GrantOutcome::NotOnboarded => {}
        }
        Some(outcome)
    }

    fn journal_problem(&self, error: JournalError) {
        self.emit(WatchEvent::Failed(format!("The journal could not be updated: {error}")));
    }

    fn emit(&self, event: WatchEvent) {
        let _ = self.events.send(event);
    }
}
