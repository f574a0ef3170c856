//! `propdesk watch`: the always-on agreement watcher, meant to run as a service
//! (packaging/linux/propdesk-watch@.service, packaging/windows/watch-service.md).
//!
//! One watcher per environment is active (the journal's watcher lock); any other waits
//! as a hot standby, without a Tradovate session or socket (the firm's session limit),
//! and takes over when the active one dies. Once active it does what `propdesk entitle
//! --watch` does, for as long as it runs: grants the backlog, then the same
//! [`AgreementWatch`] with auto-grant. Its heartbeat in the journal tells the windows
//! that a watcher is listening, so they do not open sockets of their own.

use super::connect::SignedIn;
use super::entitle::resolve_entitlement;
use super::{ConnectArgs, EXIT_DONE, EXIT_SOME_FAILED, UsageError, open_journal};
use crate::api::EnvironmentKind;
use crate::onboarding::agreements::{AgreementWatch, WatchEvent, WatchOptions};
use crate::onboarding::entitlement::{GrantOutcome, grant_all_eligible};
use crate::onboarding::journal::{Journal, JournalError};
use crate::onboarding::watcher::{HEARTBEAT_INTERVAL, STANDBY_RETRY, WatcherHeartbeat, WatcherLock, WatcherState};
use chrono::Utc;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

#[derive(clap::Args, Debug)]
pub struct WatchArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// The entitlement to grant: its id, or a word of its name such as "Prop".
    #[arg(long, value_name = "ID")]
    pub entitlement: String,
    /// The journal (default: in the app's data folder), or a team's PostgreSQL journal:
    /// postgres://user@host/db (or PROPDESK_JOURNAL_URL).
    #[arg(long, value_name = "FILE|URL")]
    pub journal: Option<PathBuf>,
    /// Grant without asking. Required on Production: a service cannot answer a prompt,
    /// and every grant is billed.
    #[arg(long)]
    pub yes: bool,
}

/// Heartbeat writes that may fail in a row before the watcher gives up: the journal is
/// gone (its lock with it), so a standby may already be active. The service manager
/// restarts this process, which then stands by or takes over cleanly.
const HEARTBEAT_FAILURES_TOLERATED: u32 = 3;

type Shutdown = Pin<Box<dyn Future<Output = &'static str> + Send>>;

pub async fn run(args: WatchArgs) -> Result<u8, UsageError> {
    let kind = args.connect.kind()?;
    if kind == EnvironmentKind::Production && !args.yes {
        return Err(UsageError(
            "propdesk watch grants T-Prop on Production unattended, and every grant is billed: \
             pass --yes to confirm (a service cannot answer a prompt)"
                .into(),
        ));
    }
    let journal = open_journal(args.journal.as_deref(), &args.connect.journal_key()?)?;
    let mut shutdown: Shutdown = Box::pin(shutdown_requested());
    let Some(lock) = stand_by(&journal, &mut shutdown).await? else { return Ok(EXIT_DONE) };
    let mut beat = WatcherHeartbeat::of_this_process();
    report_takeover(&journal);
    write_beat(&journal, &mut beat);

    // Only the active watcher signs in: a standby holds no session and no socket.
    let SignedIn { client, _sandbox, .. } = args.connect.connect().await?;
    let entitlement_id = resolve_entitlement(&client, &args.entitlement).await?;
    tracing::info!(entitlement_id, environment = journal.environment(), "watch: active, granting the backlog");
    let code = Active { journal: journal.clone(), beat, heartbeat_failures: 0 }
        .watch(client, entitlement_id, &mut shutdown)
        .await;
    drop(lock);
    Ok(code)
}

/// Waits as a hot standby until this process holds the watcher lock; `None` when asked
/// to stop first.
async fn stand_by(journal: &Journal, shutdown: &mut Shutdown) -> Result<Option<WatcherLock>, UsageError> {
    let mut announced = None;
    loop {
        if let Some(lock) = WatcherLock::try_take(journal).map_err(|e| UsageError(e.to_string()))? {
            return Ok(Some(lock));
        }
        let active = journal.watcher_heartbeat().ok().flatten().map(|beat| (beat.host, beat.pid));
        if active != announced {
            match &active {
                Some((host, pid)) => {
                    tracing::info!("standing by: the watcher on {host} (process {pid}) is active")
                }
                None => tracing::info!("standing by: another watcher is active (it has not reported yet)"),
            }
            announced = active;
        }
        tokio::select! {
            _ = tokio::time::sleep(STANDBY_RETRY) => {}
            why = shutdown.as_mut() => {
                tracing::info!("watch: {why}, stopping while standing by");
                return Ok(None);
            }
        }
    }
}

/// Says whose place this watcher takes, when the journal names a watcher that did not
/// stop on purpose (it was killed, or its machine went away).
fn report_takeover(journal: &Journal) {
    let previous = journal.watcher_heartbeat().ok().flatten();
    if let Some(previous) = previous.filter(|previous| !matches!(previous.state, WatcherState::Stopped(_))) {
        let silent_for = (Utc::now() - previous.beat_at).num_seconds().max(0);
        tracing::info!(
            "watch: took over from the watcher on {} (process {}), last heard {silent_for} s ago",
            previous.host,
            previous.pid
        );
    }
}

/// The active watcher: its journal and the heartbeat it keeps writing.
struct Active {
    journal: Arc<Journal>,
    beat: WatcherHeartbeat,
    heartbeat_failures: u32,
}

impl Active {
    /// Grants the backlog, then watches until shut down; the exit code.
    async fn watch(mut self, client: crate::api::Client, entitlement_id: i64, shutdown: &mut Shutdown) -> u8 {
        let mut heartbeat = tokio::time::interval(HEARTBEAT_INTERVAL);
        // The backlog first, then the watch: a trader who signs meanwhile is in the
        // socket's snapshot (or the owed deps call). Run side by side, the backlog's
        // refused grant could still be in flight when that trader's signature arrives,
        // and the watch would skip the trader as "in flight" and never come back.
        let mut backlog = {
            let (client, journal) = (client.clone(), self.journal.clone());
            tokio::spawn(async move { grant_all_eligible(&client, &journal, entitlement_id).await })
        };
        loop {
            tokio::select! {
                done = &mut backlog => {
                    self.on_backlog(done);
                    break;
                }
                _ = heartbeat.tick() => {
                    if !self.beat() {
                        backlog.abort();
                        return self.stop("the journal cannot be written", EXIT_SOME_FAILED);
                    }
                }
                why = shutdown.as_mut() => {
                    backlog.abort();
                    return self.stop(why, EXIT_DONE);
                }
            }
        }
        // As `entitle --watch`: the same watch, granting as signatures arrive.
        let options = WatchOptions { entitlement_id: Some(entitlement_id), auto_grant: true, ..Default::default() };
        let (watch, mut events) = AgreementWatch::spawn(client, self.journal.clone(), options);
        let code = loop {
            tokio::select! {
                event = events.recv() => match event {
                    Some(event) => {
                        if let Some(code) = self.on_event(event) {
                            break code;
                        }
                    }
                    None => break self.stop("the watch ended", EXIT_SOME_FAILED),
                },
                _ = heartbeat.tick() => {
                    if !self.beat() {
                        break self.stop("the journal cannot be written", EXIT_SOME_FAILED);
                    }
                }
                why = shutdown.as_mut() => break self.stop(why, EXIT_DONE),
            }
        };
        drop(watch);
        code
    }

    /// Logs one line per event and keeps the heartbeat current; an exit code when the
    /// watch has ended.
    fn on_event(&mut self, event: WatchEvent) -> Option<u8> {
        match event {
            WatchEvent::Connected { reconnect } => {
                tracing::info!("watch: listening for signatures{}", if reconnect { " again" } else { "" });
                self.set_state(WatcherState::Listening);
            }
            WatchEvent::Disconnected { reason, retry_in } => {
                tracing::warn!("watch: socket down ({reason}); reconnecting in {} s", retry_in.as_secs());
                self.set_state(WatcherState::Reconnecting(reason));
            }
            WatchEvent::Signed { name, user_id, at } => {
                tracing::info!("watch: {name} (user {user_id}) signed the market-data agreement");
                self.beat.last_signal_at = Some(at);
                self.beat();
            }
            WatchEvent::Granted { name } => self.granted(&name),
            WatchEvent::Waiting { name } => tracing::info!("watch: {name} is refused until they sign; retrying later"),
            WatchEvent::GrantFailed { name, error } => tracing::warn!("watch: granting {name} failed: {error}"),
            WatchEvent::Skipped { name, reason } => tracing::info!("watch: {name} skipped: {reason}"),
            WatchEvent::CaughtUp { signals } => tracing::info!("watch: caught up, {signals} signals this week"),
            WatchEvent::CatchUpLater { retry_in } | WatchEvent::CheckTooSoon { retry_in } => {
                tracing::info!("watch: signatures were checked recently; next check in {} s", retry_in.as_secs())
            }
            WatchEvent::Failed(text) => tracing::warn!("watch: {text}"),
            WatchEvent::Stopped(reason) => {
                tracing::error!("watch: stopped: {reason}");
                return Some(self.stop(&reason, EXIT_SOME_FAILED));
            }
        }
        None
    }

    fn on_backlog(&mut self, done: Result<Result<Vec<(String, GrantOutcome)>, JournalError>, tokio::task::JoinError>) {
        match done {
            Ok(Ok(outcomes)) => {
                for (name, outcome) in outcomes {
                    match outcome {
                        GrantOutcome::Granted => self.granted(&name),
                        GrantOutcome::Failed(error) => tracing::warn!("watch: granting {name} failed: {error}"),
                        GrantOutcome::Offboarded(_) | GrantOutcome::InFlight => {
                            tracing::info!("watch: {name} skipped: {outcome:?}")
                        }
                        _ => {}
                    }
                }
                tracing::info!("watch: backlog granted");
            }
            Ok(Err(error)) => tracing::warn!("watch: the backlog could not be granted: {error}"),
            Err(error) => tracing::error!("watch: granting the backlog stopped: {error}"),
        }
    }

    fn granted(&mut self, name: &str) {
        tracing::info!("watch: {name}: T-Prop granted");
        self.beat.last_grant_at = Some(Utc::now());
        self.beat();
    }

    fn set_state(&mut self, state: WatcherState) {
        if self.beat.state != state {
            self.beat.state = state;
            self.beat();
        }
    }

    /// Writes the heartbeat now; false once it failed too often in a row.
    fn beat(&mut self) -> bool {
        if write_beat(&self.journal, &mut self.beat) {
            self.heartbeat_failures = 0;
        } else {
            self.heartbeat_failures += 1;
        }
        self.heartbeat_failures < HEARTBEAT_FAILURES_TOLERATED
    }

    /// Reports the watcher stopped (so windows resume at once) and returns `code`.
    fn stop(&mut self, why: &str, code: u8) -> u8 {
        tracing::info!("watch: stopping ({why})");
        self.beat.state = WatcherState::Stopped(why.to_string());
        write_beat(&self.journal, &mut self.beat);
        code
    }
}

/// Stamps and writes the heartbeat; false (logged) when the journal refused it.
fn write_beat(journal: &Journal, beat: &mut WatcherHeartbeat) -> bool {
    beat.beat_at = Utc::now();
    match journal.write_watcher_heartbeat(beat) {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!("watch: the heartbeat could not be written: {error}");
            false
        }
    }
}

/// Resolves on Ctrl-C, or SIGTERM (what a service manager sends to stop a service).
async fn shutdown_requested() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            return tokio::select! {
                _ = tokio::signal::ctrl_c() => "Ctrl-C",
                _ = terminate.recv() => "SIGTERM",
            };
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    "Ctrl-C"
}
