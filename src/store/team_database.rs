//! One connection to the team's PostgreSQL database, shared in code by the journal
//! (`onboarding/journal/postgres.rs`) and the subaccount registry
//! (`subaccount/registry/postgres.rs`); each opens its own.
//!
//! Why a connection thread: the stores' interfaces are blocking (like the SQLite file),
//! and the blocking `postgres` client panics when used from inside a tokio runtime,
//! where most callers are. So one thread per store owns the connection and runs each
//! call as a job sent over a channel; callers block on the answer. The thread ends when
//! the store is dropped, closing the connection (and releasing its advisory locks).
//!
//! A lost connection (the server restarted, a network cut, `pg_terminate_backend`) is
//! reconnected before the next job, a few times with growing pauses ([`RECONNECT_PAUSES`]);
//! when the server stays away the job fails with "the team database at HOST is
//! unreachable" instead of hanging. A session lock taken on a connection that was then
//! lost is gone on the server, so once that happens every job fails ([`Unavailable::LockLost`])
//! until the lock's holder lets go: the holder must stop, not carry on unlocked.
//!
//! Migrations are versioned per store in their own table and run on connect, one
//! process at a time (an advisory transaction lock).

use crate::api::Secret;
use postgres::Client;
use postgres::fallible_iterator::FallibleIterator;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// Namespaces Propdesk's advisory locks (the first key of the two-key form).
pub const LOCK_SPACE: i32 = 0x5052_4f50; // "PROP"

/// Whether a value names a PostgreSQL server rather than a file.
pub fn is_postgres_url(value: &str) -> bool {
    value.starts_with("postgres://") || value.starts_with("postgresql://")
}

/// The URL with its password replaced, for logs and messages.
pub fn redact_url(url: &str) -> String {
    let mut out = url.to_string();
    for span in password_spans(url).into_iter().rev() {
        out.replace_range(span, "***");
    }
    out
}

/// The URL without its password, and the password: the settings keep the first, the
/// keyring the second (see `store::team_journal`).
pub fn split_password(url: &str) -> (String, Option<Secret>) {
    let spans = password_spans(url);
    let password = spans.first().map(|span| Secret::new(url[span.clone()].to_string()));
    let mut out = url.to_string();
    for span in spans.into_iter().rev() {
        // The separator goes with the password: `user:pw@` -> `user@`, `password=pw&` -> ``.
        let (start, end) = if out[..span.start].ends_with(':') {
            (span.start - 1, span.end)
        } else {
            let start = span.start - "password=".len();
            let end = if out[span.end..].starts_with('&') { span.end + 1 } else { span.end };
            (start, end)
        };
        out.replace_range(start..end, "");
    }
    let out = out.trim_end_matches(['&', '?']).to_string();
    (out, password)
}

/// Where passwords sit in a URL: `user:password@` in the authority and `password=…`
/// among the parameters, in order.
fn password_spans(url: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    if let Some(scheme_end) = url.find("://").map(|i| i + 3) {
        let authority_end = url[scheme_end..].find(['/', '?']).map_or(url.len(), |i| scheme_end + i);
        if let Some(at) = url[scheme_end..authority_end].rfind('@').map(|i| scheme_end + i)
            && let Some(colon) = url[scheme_end..at].find(':').map(|i| scheme_end + i)
        {
            spans.push(colon + 1..at);
        }
    }
    if let Some(start) = url.find("password=").map(|i| i + "password=".len()) {
        let end = url[start..].find('&').map_or(url.len(), |i| start + i);
        spans.push(start..end);
    }
    spans
}

/// A store's schema: one entry per version, applied in order, never edited once released.
pub struct Migrations {
    /// The table that remembers which versions this database has (one per store).
    pub version_table: &'static str,
    /// The second key of the advisory lock that serialises this store's migrations.
    pub lock: i32,
    pub steps: &'static [&'static str],
}

/// Why a job did not run, or failed for want of its connection.
#[derive(Clone, Debug, PartialEq)]
pub enum Unavailable {
    /// The server could not be reached (after the reconnect attempts), or the connection
    /// dropped during the job. The message names the host, never the password.
    Unreachable(String),
    /// A session lock held by this process was lost with an earlier connection.
    LockLost,
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unavailable::Unreachable(message) => f.write_str(message),
            Unavailable::LockLost => f.write_str(
                "a lock this process held on the team database was lost with its connection \
                 (the server restarted or dropped it)",
            ),
        }
    }
}

/// What a job's answer is: the value, the server's error, or no usable connection.
#[derive(Debug)]
pub enum JobError {
    Server(postgres::Error),
    Unavailable(Unavailable),
}

impl std::fmt::Display for JobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JobError::Server(e) => write!(f, "{e}"),
            JobError::Unavailable(e) => write!(f, "{e}"),
        }
    }
}

/// The connection a job runs on; `generation` counts (re)connections.
pub struct Session<'a> {
    pub client: &'a mut Client,
    pub generation: u64,
}

type Job = Box<dyn FnOnce(Result<Session<'_>, Unavailable>) + Send>;

/// How long to pause before each reconnect attempt; after the last, the job fails.
/// About three seconds in all: long enough for a quick server restart or failover,
/// short enough that a caller (never the UI thread) is not stuck.
pub const RECONNECT_PAUSES: [Duration; 5] = [
    Duration::from_millis(0),
    Duration::from_millis(200),
    Duration::from_millis(400),
    Duration::from_millis(800),
    Duration::from_millis(1600),
];

/// A connection idle this long is read for what the server sent meanwhile (waiting at
/// most [`IDLE_POLL`]), so a connection the server closed (a restart, a terminated
/// session) is replaced before the next job; back-to-back calls skip the wait.
const IDLE_POLL_AFTER: Duration = Duration::from_millis(20);
const IDLE_POLL: Duration = Duration::from_millis(1);
/// A connection idle this long is also checked with a round trip, so one cut without a
/// word (a network gone, a laptop asleep) is replaced before a write meets it.
const IDLE_CHECK_AFTER: Duration = Duration::from_secs(5);
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

pub struct TeamDatabase {
    jobs: mpsc::Sender<Job>,
    /// Session locks this process holds, by id: the generation they were taken on.
    held: Arc<Mutex<HashMap<u64, u64>>>,
    next_hold: AtomicU64,
    /// "the team journal at host:port/database is unreachable", for messages.
    unreachable: String,
}

impl TeamDatabase {
    /// Connects (TLS when the server offers it, per the URL's `sslmode`) and migrates;
    /// `name` says which store this is in messages ("team journal"). A `password` given
    /// apart (from the keyring) wins over one in the URL.
    pub fn connect(
        url: &str,
        password: Option<&Secret>,
        name: &'static str,
        migrations: &'static Migrations,
    ) -> Result<Self, String> {
        let redacted = redact_url(url);
        let config = config_of(url, password).map_err(|e| format!("{redacted}: not a PostgreSQL URL ({e})"))?;
        let shown = where_it_is(&config);
        let (jobs, queue) = mpsc::channel::<Job>();
        let (ready, connected) = mpsc::channel::<Result<(), String>>();
        let held: Arc<Mutex<HashMap<u64, u64>>> = Arc::default();
        let thread_held = held.clone();
        let unreachable = format!("the {name} at {shown} is unreachable");
        let thread_unreachable = unreachable.clone();
        std::thread::Builder::new()
            .name(format!("{name} connection"))
            .spawn(move || {
                let open = |config: &postgres::Config| -> Result<Client, String> {
                    let mut client = config.connect(tls()).map_err(|e| e.to_string())?;
                    migrate(&mut client, migrations).map_err(|e| format!("migrating the {name}: {e}"))?;
                    Ok(client)
                };
                let client = match open(&config) {
                    Ok(client) => client,
                    Err(error) => {
                        let _ = ready.send(Err(error));
                        return;
                    }
                };
                let _ = ready.send(Ok(()));
                let mut connection = Connection { client: Some(client), generation: 1, last_used: Instant::now() };
                while let Ok(job) = queue.recv() {
                    if let Err(error) = connection.ensure(|| open(&config)) {
                        job(Err(Unavailable::Unreachable(format!("{thread_unreachable}: {error}"))));
                        continue;
                    }
                    // A session lock taken on a connection since lost is gone: refuse the job.
                    let lock_lost = {
                        let held = thread_held.lock().unwrap_or_else(|e| e.into_inner());
                        held.values().any(|taken_on| *taken_on != connection.generation)
                    };
                    if lock_lost {
                        job(Err(Unavailable::LockLost));
                        continue;
                    }
                    let mut client = connection.client.take().expect("ensure left a connection");
                    job(Ok(Session { client: &mut client, generation: connection.generation }));
                    connection.last_used = Instant::now();
                    // A connection that died during the job is replaced before the next one.
                    if client.is_closed() {
                        tracing::warn!(
                            "{thread_unreachable}: the connection was lost; reconnecting before the next call"
                        );
                    } else {
                        connection.client = Some(client);
                    }
                }
            })
            .map_err(|e| format!("cannot start the {name}'s connection thread: {e}"))?;
        match connected.recv() {
            Ok(Ok(())) => Ok(Self { jobs, held, next_hold: AtomicU64::new(1), unreachable }),
            Ok(Err(error)) => Err(format!("{redacted}: {error}")),
            Err(_) => Err(format!("{redacted}: the connection thread stopped")),
        }
    }

    /// Runs `job` on the connection thread and waits for its answer.
    pub fn call<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Session<'_>) -> Result<T, postgres::Error> + Send + 'static,
    ) -> Result<T, JobError> {
        let (answer, answered) = mpsc::sync_channel(1);
        let gone = || {
            JobError::Unavailable(Unavailable::Unreachable(format!(
                "{}: the connection thread stopped",
                self.unreachable
            )))
        };
        let unreachable = self.unreachable.clone();
        let held = self.held.clone();
        self.jobs
            .send(Box::new(move |session| {
                let result = match session {
                    Err(unavailable) => Err(JobError::Unavailable(unavailable)),
                    Ok(mut session) => job(&mut session).map_err(|e| {
                        if !(e.is_closed() || session.client.is_closed()) {
                            return JobError::Server(e);
                        }
                        // The connection died under this job: a lock taken on it died too, and
                        // this job must say so like every later one (not "reconnecting").
                        let generation = session.generation;
                        let lock_died =
                            held.lock().unwrap_or_else(|p| p.into_inner()).values().any(|g| *g == generation);
                        if lock_died {
                            JobError::Unavailable(Unavailable::LockLost)
                        } else {
                            JobError::Unavailable(Unavailable::Unreachable(format!(
                                "{unreachable}: the connection was lost ({e})"
                            )))
                        }
                    }),
                };
                let _ = answer.send(result);
            }))
            .map_err(|_| gone())?;
        answered.recv().map_err(|_| gone())?
    }

    /// Remembers that a session lock was taken on connection `generation`: from the
    /// moment that connection is lost, every job fails until [`TeamDatabaseHandle::release`].
    pub fn hold(&self, generation: u64) -> u64 {
        let id = self.next_hold.fetch_add(1, Ordering::Relaxed);
        self.held.lock().unwrap_or_else(|e| e.into_inner()).insert(id, generation);
        id
    }

    /// A sender for jobs that must outlive a borrow of the store (a lock's `Drop`).
    pub fn handle(&self) -> TeamDatabaseHandle {
        TeamDatabaseHandle { jobs: self.jobs.clone(), held: self.held.clone() }
    }
}

/// What a session lock's guard needs to let go of it after the store's borrow ends.
pub struct TeamDatabaseHandle {
    jobs: mpsc::Sender<Job>,
    held: Arc<Mutex<HashMap<u64, u64>>>,
}

impl TeamDatabaseHandle {
    /// Forgets hold `id` and, if it was taken on the connection still open, runs
    /// `unlock` there, waiting up to `wait` for it. A lock of a lost connection is
    /// already gone on the server: nothing to send.
    pub fn release(&self, id: u64, wait: Duration, unlock: impl FnOnce(&mut Client) + Send + 'static) {
        let Some(taken_on) = self.held.lock().unwrap_or_else(|e| e.into_inner()).remove(&id) else { return };
        let (done, unlocked) = mpsc::sync_channel(1);
        let sent = self.jobs.send(Box::new(move |session| {
            if let Ok(session) = session
                && session.generation == taken_on
            {
                unlock(session.client);
            }
            let _ = done.send(());
        }));
        if sent.is_ok() {
            let _ = unlocked.recv_timeout(wait);
        }
    }
}

/// The connection thread's state.
struct Connection {
    client: Option<Client>,
    generation: u64,
    last_used: Instant,
}

impl Connection {
    /// Leaves a working connection in `client`, reconnecting (bounded) when it was lost.
    fn ensure(&mut self, open: impl Fn() -> Result<Client, String>) -> Result<(), String> {
        let idle = self.last_used.elapsed();
        if let Some(client) = &mut self.client {
            // Reads what the server sent while the connection sat idle (a termination
            // notice, a closed socket), so a job is not spent on a dead connection.
            let said_goodbye = idle >= IDLE_POLL_AFTER
                && FallibleIterator::next(&mut client.notifications().timeout_iter(IDLE_POLL)).is_err();
            if said_goodbye
                || client.is_closed()
                || (idle >= IDLE_CHECK_AFTER && client.is_valid(CHECK_TIMEOUT).is_err())
            {
                self.client = None;
            }
        }
        if self.client.is_some() {
            return Ok(());
        }
        let mut last_error = String::new();
        for pause in RECONNECT_PAUSES {
            std::thread::sleep(pause);
            match open() {
                Ok(client) => {
                    self.client = Some(client);
                    self.generation += 1;
                    tracing::info!(generation = self.generation, "reconnected to the team database");
                    return Ok(());
                }
                Err(error) => last_error = error,
            }
        }
        Err(last_error)
    }
}

/// `host:port/database`: where the server is, without user or password.
fn where_it_is(config: &postgres::Config) -> String {
    format!("{}/{}", host_and_port(config), config.get_dbname().unwrap_or_default())
}

/// `host:port` of the first host the config names.
pub(crate) fn host_and_port(config: &postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(host)) => host.clone(),
        #[cfg(unix)]
        Some(postgres::config::Host::Unix(path)) => path.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}")
}

/// rustls with the same crypto provider and Mozilla roots as the HTTP client.
pub(crate) fn tls() -> tokio_postgres_rustls::MakeRustlsConnect {
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("the aws-lc-rs provider supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_postgres_rustls::MakeRustlsConnect::new(config)
}

/// Applies the migrations this database has not seen, one process at a time.
fn migrate(client: &mut Client, migrations: &Migrations) -> Result<(), postgres::Error> {
    let table = migrations.version_table;
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1, $2)", &[&LOCK_SPACE, &migrations.lock])?;
    tx.batch_execute(&format!(
        "CREATE TABLE IF NOT EXISTS {table} (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
    ))?;
    let current: i32 = tx.query_one(&format!("SELECT COALESCE(MAX(version), 0) FROM {table}"), &[])?.get(0);
    for (index, migration) in migrations.steps.iter().enumerate() {
        let version = i32::try_from(index + 1).unwrap_or(i32::MAX);
        if version > current {
            tx.batch_execute(migration)?;
            tx.execute(&format!("INSERT INTO {table} (version, applied_at) VALUES ($1, now())"), &[&version])?;
        }
    }
    tx.commit()
}

/// How Propdesk connects to a team database: the URL's settings, a password kept apart
/// (the keyring's) winning over one in the URL, a 10 s connect timeout unless the URL
/// sets one, and our name in `pg_stat_activity`.
pub(crate) fn config_of(url: &str, password: Option<&Secret>) -> Result<postgres::Config, postgres::Error> {
    let mut config: postgres::Config = url.parse()?;
    if let Some(password) = password {
        config.password(password.expose());
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    config.application_name("propdesk");
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_never_shows() {
        assert_eq!(
            redact_url("postgres://ops:s3cret@db.example:5432/propdesk"),
            "postgres://ops:***@db.example:5432/propdesk"
        );
        assert_eq!(
            redact_url("postgresql://ops@db/propdesk?password=s3cret&sslmode=require"),
            "postgresql://ops@db/propdesk?password=***&sslmode=require"
        );
        assert_eq!(redact_url("postgres://db/propdesk"), "postgres://db/propdesk");
        assert!(is_postgres_url("postgresql://db/x") && !is_postgres_url("/home/ops/journal.sqlite"));
        let config: postgres::Config = "postgres://ops:s3cret@db.example:6543/team".parse().unwrap();
        assert_eq!(where_it_is(&config), "db.example:6543/team");
    }

    #[test]
    fn the_password_is_split_off_for_the_keyring() {
        let split = |url: &str| {
            let (url, password) = split_password(url);
            (url, password.map(|p| p.expose().to_string()))
        };
        assert_eq!(
            split("postgres://ops:s3cret@db.example:5432/propdesk"),
            ("postgres://ops@db.example:5432/propdesk".into(), Some("s3cret".into()))
        );
        assert_eq!(
            split("postgresql://ops@db/propdesk?password=s3cret&sslmode=require"),
            ("postgresql://ops@db/propdesk?sslmode=require".into(), Some("s3cret".into()))
        );
        assert_eq!(
            split("postgres://ops@db/propdesk?sslmode=require&password=s3cret"),
            ("postgres://ops@db/propdesk?sslmode=require".into(), Some("s3cret".into()))
        );
        assert_eq!(split("postgres://ops@db/propdesk"), ("postgres://ops@db/propdesk".into(), None));
    }
}
