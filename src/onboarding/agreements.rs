//! Watching for market-data agreement signatures (seeds/000, step 4) and granting T-Prop
//! as they arrive.
//!
//! One user-data WebSocket per environment. After every (re)connect, one catch-up call to
//! `adminAlertSignal/deps` covers what happened while disconnected; there is no polling on
//! a schedule (Tradovate rate-limits it). A manual "Check now" is allowed once per 30 s.

use super::entitlement::{self, GrantOutcome};
use super::journal::{Journal, JournalError};
use crate::api::Client;
use crate::api::wire::AdminAlertSignal;
use crate::api::ws::{SocketEvent, SocketOptions, UserSocket, admin_alert_signal};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The shortest time between two manual checks.
pub const CHECK_NOW_INTERVAL: Duration = Duration::from_secs(30);

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
    /// Something the screen should show once (e.g. the catch-up call failed).
    Problem(String),
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
        let task = tokio::spawn(run(client, journal, options, events, request_receiver));
        (Self { requests, task }, receiver)
    }

    /// One catch-up call now, unless the last check was less than 30 s ago.
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
    last_check: Option<Instant>,
}

async fn run(
    client: Client,
    journal: Arc<Journal>,
    options: WatchOptions,
    events: mpsc::UnboundedSender<WatchEvent>,
    mut requests: mpsc::UnboundedReceiver<Request>,
) {
    let (_socket, mut socket_events) = UserSocket::spawn(client.clone(), options.socket.clone());
    let mut watcher = Watcher { client, journal, options, events, last_check: None };
    loop {
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
        }
    }
}

impl Watcher {
    /// Returns false when the watch must end.
    async fn on_socket_event(&mut self, event: SocketEvent) -> bool {
        match event {
            SocketEvent::Ready { reconnect } => {
                self.emit(WatchEvent::Connected { reconnect });
                // Catch up on what happened before we (re)connected.
                self.catch_up().await;
            }
            SocketEvent::Snapshot(_) => {}
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
            Request::CheckNow => {
                let since = self.last_check.map(|t| t.elapsed());
                match since {
                    Some(elapsed) if elapsed < CHECK_NOW_INTERVAL => {
                        self.emit(WatchEvent::CheckTooSoon { retry_in: CHECK_NOW_INTERVAL - elapsed });
                    }
                    _ => self.catch_up().await,
                }
            }
            Request::Grant(names) => {
                for name in names {
                    self.grant_by_name(&name).await;
                }
            }
            Request::SetAutoGrant(on) => self.options.auto_grant = on,
        }
    }

    async fn catch_up(&mut self) {
        self.last_check = Some(Instant::now());
        let alert_id = self.client.environment().agreement_alert_id;
        match self.client.admin_alert_signals(alert_id).await {
            Ok(signals) => {
                self.emit(WatchEvent::CaughtUp { signals: signals.len() });
                self.handle_signals(signals).await;
            }
            Err(error) => self.emit(WatchEvent::Problem(format!("Could not check for signatures: {error}"))),
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
            if self.options.auto_grant && trader.entitled_at.is_none() {
                self.grant_by_name(&trader.name).await;
            }
        }
    }

    async fn grant_by_name(&mut self, name: &str) {
        let Some(entitlement_id) = self.options.entitlement_id else {
            self.emit(WatchEvent::Problem("Choose the T-Prop entitlement in Setup before granting".into()));
            return;
        };
        let trader = match self.journal.trader(name) {
            Ok(Some(trader)) => trader,
            Ok(None) => return,
            Err(error) => return self.journal_problem(error),
        };
        if trader.entitled_at.is_some() {
            return;
        }
        let name = trader.name.clone();
        match entitlement::grant(&self.client, &self.journal, &trader, entitlement_id).await {
            Ok(GrantOutcome::Granted | GrantOutcome::AlreadyEntitled) => self.emit(WatchEvent::Granted { name }),
            Ok(GrantOutcome::WaitingForSignature) => self.emit(WatchEvent::Waiting { name }),
            Ok(GrantOutcome::Failed(error)) => self.emit(WatchEvent::GrantFailed { name, error }),
            Ok(GrantOutcome::NotOnboarded) => {}
            Err(error) => self.journal_problem(error),
        }
    }

    fn journal_problem(&self, error: JournalError) {
        self.emit(WatchEvent::Problem(format!("The journal could not be updated: {error}")));
    }

    fn emit(&self, event: WatchEvent) {
        let _ = self.events.send(event);
    }
}
