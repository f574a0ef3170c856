//! The team journal when its connection is lost: the server ends it (a restart, an
//! administrator's `pg_terminate_backend`) or cannot be reached at all.

use super::{Journal, test_database::fresh_postgres_journal};
use crate::onboarding::run_lock::RunLock;
use crate::store::team_database::LOCK_SPACE;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Ends, from another connection, the server session holding `environment`'s run lock
/// in the schema `url` names; returns once the server has let go of it.
fn terminate_the_run_lock_holder(url: &str, environment: &str) {
    let (url, environment) = (url.to_string(), environment.to_string());
    // A thread of its own: the blocking client must not run inside a test's runtime.
    std::thread::spawn(move || {
        let mut admin = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
        let pid: i32 = admin
            .query_one(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::int4::oid
                 AND objid = hashtext(current_schema() || chr(31) || $2)::oid AND objsubid = 2",
                &[&LOCK_SPACE, &environment],
            )
            .unwrap()
            .get(0);
        let application: String =
            admin.query_one("SELECT application_name FROM pg_stat_activity WHERE pid = $1", &[&pid]).unwrap().get(0);
        assert_eq!(application, "propdesk");
        assert!(admin.query_one("SELECT pg_terminate_backend($1)", &[&pid]).unwrap().get::<_, bool>(0));
        let deadline = Instant::now() + Duration::from_secs(5);
        while admin.query_opt("SELECT 1 FROM pg_stat_activity WHERE pid = $1", &[&pid]).unwrap().is_some() {
            assert!(Instant::now() < deadline, "the backend {pid} did not end");
            std::thread::sleep(Duration::from_millis(10));
        }
    })
    .join()
    .unwrap();
}

#[test]
fn the_next_call_after_the_server_ended_the_connection_reconnects() {
    let Some(url) = fresh_postgres_journal("reconnect") else { return };
    let journal = Journal::open_postgres(&url, "sandbox").unwrap();
    journal.upsert_trader("Anna", "anna@x.com", "EVAL1").unwrap();
    // Only so the test can find this journal's session on the server.
    let marker = journal.take_run_lock().unwrap().expect("free");
    terminate_the_run_lock_holder(&url, "sandbox");
    drop(marker);

    journal.upsert_trader("Bob", "bob@x.com", "EVAL2").unwrap();
    let names: Vec<String> = journal.traders().unwrap().into_iter().map(|t| t.name).collect();
    assert_eq!(names, ["Anna", "Bob"]);
}

#[test]
fn a_run_whose_lock_went_with_the_connection_stops_writing() {
    let Some(url) = fresh_postgres_journal("lock_lost") else { return };
    let journal = Arc::new(Journal::open_postgres(&url, "sandbox").unwrap());
    let run = RunLock::take(&journal, "propdesk onboard").unwrap();
    journal.upsert_trader("Anna", "anna@x.com", "EVAL1").unwrap();
    terminate_the_run_lock_holder(&url, "sandbox");

    // The lock is gone on the server: another admin's run may start now...
    let other = Arc::new(Journal::open_postgres(&url, "sandbox").unwrap());
    let other_run = RunLock::take(&other, "propdesk onboard").expect("the lock went with the connection");
    // ...so this run must not write any more, however many times it tries.
    for _ in 0..3 {
        let refused = journal.record_user("Anna", 7).unwrap_err().to_string();
        assert!(refused.contains("lost while this run held its run lock"), "{refused}");
        assert!(refused.contains("stops writing"), "{refused}");
    }
    assert!(journal.begin(&["Anna"], super::Action::CreateAccount).is_err());
    assert_eq!(other.trader("Anna").unwrap().unwrap().user_id, None, "nothing written after the loss");
    assert!(other.open_intents().unwrap().is_empty());

    // Once the stopped run lets go, the journal works again (on a new connection), and
    // the lock stays with the run that holds it now.
    drop(run);
    journal.record_user("Anna", 7).unwrap();
    assert!(RunLock::take(&journal, "propdesk onboard").is_err(), "the other run still holds the lock");
    drop(other_run);
    assert!(RunLock::take(&journal, "propdesk onboard").is_ok());
}

/// A TCP relay to the test server that can be stopped (the server is gone: connections
/// cut, new ones refused) and started again on the same port (the server is back).
struct Relay {
    port: u16,
    stop: Arc<std::sync::atomic::AtomicBool>,
    streams: Arc<std::sync::Mutex<Vec<std::net::TcpStream>>>,
    accepting: Option<std::thread::JoinHandle<()>>,
}

impl Relay {
    fn start(port: u16, upstream: std::net::SocketAddr) -> Relay {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let streams: Arc<std::sync::Mutex<Vec<std::net::TcpStream>>> = Arc::default();
        let (stopping, kept) = (stop.clone(), streams.clone());
        let accepting = std::thread::spawn(move || {
            while !stopping.load(Ordering::SeqCst) {
                let Ok((client, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                client.set_nonblocking(false).unwrap();
                let server = std::net::TcpStream::connect(upstream).unwrap();
                let mut kept = kept.lock().unwrap();
                kept.extend([client.try_clone().unwrap(), server.try_clone().unwrap()]);
                for (mut from, mut to) in [(client.try_clone().unwrap(), server.try_clone().unwrap()), (server, client)]
                {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        Relay { port, stop, streams, accepting: Some(accepting) }
    }

    /// Cuts every connection and stops listening.
    fn stop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(accepting) = self.accepting.take() {
            accepting.join().unwrap();
        }
        for stream in self.streams.lock().unwrap().drain(..) {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop();
    }
}

#[test]
fn a_write_while_the_server_is_away_fails_clearly_and_the_journal_recovers_when_it_is_back() {
    let Some(url) = fresh_postgres_journal("server_away") else { return };
    let config: ::postgres::Config = url.parse().unwrap();
    let upstream_port = config.get_ports().first().copied().unwrap_or(5432);
    let upstream: std::net::SocketAddr = format!("127.0.0.1:{upstream_port}").parse().unwrap();
    let mut relay = Relay::start(0, upstream);
    let relayed = url.replacen(&format!(":{upstream_port}/"), &format!(":{}/", relay.port), 1);
    assert_ne!(relayed, url, "the test server's URL names its port");

    let journal = Journal::open_postgres(&relayed, "sandbox").unwrap();
    journal.upsert_trader("Anna", "anna@x.com", "EVAL1").unwrap();

    // The server goes away (every connection cut, new ones refused).
    relay.stop();
    std::thread::sleep(Duration::from_millis(50));
    let started = Instant::now();
    let error = journal.record_user("Anna", 7).unwrap_err().to_string();
    let waited = started.elapsed();
    assert!(error.contains(&format!("the team journal at 127.0.0.1:{}/", relay.port)), "{error}");
    assert!(error.contains("is unreachable"), "{error}");
    assert!(!error.contains("propdesk-ci"), "the password leaked: {error}");
    assert!(waited < Duration::from_secs(8), "bounded, not hanging: {waited:?}");

    // It is back on the same address: the next call reconnects, and the failed write
    // was not half-made.
    let _back = Relay::start(relay.port, upstream);
    journal.record_user("Anna", 7).unwrap();
    let anna = journal.trader("Anna").unwrap().unwrap();
    assert_eq!(anna.user_id, Some(7));
    let lines: Vec<String> = journal.history("Anna").unwrap().into_iter().map(|h| h.what).collect();
    assert_eq!(lines, ["User created"], "one line: the refused write left nothing behind");
    eprintln!("a write while the server was away failed after {waited:?}");
}
