//! `propdesk watch` as real processes on one journal: one active watcher per
//! environment, a hot standby that holds no Tradovate session, and a takeover when the
//! active one is killed, with every signature granted exactly once across it.

use crate::agreements::onboard;
use crate::support::*;
use propdesk::onboarding::entitlement::GRANT_IN_FLIGHT_VARIABLE;
use propdesk::onboarding::journal::Journal;
use propdesk::onboarding::journal::test_database::fresh_postgres_journal;
use propdesk::onboarding::watcher::{WatcherHeartbeat, WatcherState};
use propdesk::sandbox::{ENTITLEMENT_TPROP, Sandbox, SandboxConfig};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TRADERS: usize = 50;
const LOGIN: &str = "auth/accesstokenrequest";
const GRANT: &str = "userPlugin/addEntitlementSubscription";
/// A trader's entitlements: the check before a grant is sent again.
const CHECK: &str = "userPlugin/deps";

/// A sandbox where nobody signs by themselves: the test chooses each signature's moment.
async fn sandbox_without_signatures() -> Sandbox {
    sandbox_with(SandboxConfig { signature_delay: Duration::from_secs(24 * 3600), ..SandboxConfig::for_tests() }).await
}

/// `propdesk watch` on the sandbox, as the machine `host`; its stderr goes to `host.log`.
fn watch(sandbox: &Sandbox, journal: &str, dir: &Path, host: &str) -> Child {
    watch_command(sandbox, journal, dir, host).spawn().unwrap()
}

fn watch_command(sandbox: &Sandbox, journal: &str, dir: &Path, host: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_propdesk"));
    command
        .args(["watch", "--env", "custom", "--live-url", &sandbox.live_url(), "--demo-url", &sandbox.demo_url()])
        .args(["--ws-url", &sandbox.ws_url(), "--entitlement", &ENTITLEMENT_TPROP.to_string(), "--journal", journal])
        .env_remove("TRADOVATE_USERNAME")
        .env_remove("PROPDESK_JOURNAL_URL")
        .env("HOSTNAME", host)
        .env("PROPDESK_DIR", dir.join(host))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join(format!("{host}.log"))).unwrap());
    command
}

fn log_of(dir: &Path, host: &str) -> String {
    std::fs::read_to_string(dir.join(format!("{host}.log"))).unwrap_or_default()
}

/// Waits until the journal's heartbeat satisfies `wanted`.
async fn heartbeat_until(
    journal: &Journal,
    limit: Duration,
    what: &str,
    wanted: impl Fn(&WatcherHeartbeat) -> bool,
) -> WatcherHeartbeat {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(beat) = journal.watcher_heartbeat().unwrap().filter(&wanted) {
            return beat;
        }
        assert!(Instant::now() < deadline, "{what} within {limit:?}; last {:?}", journal.watcher_heartbeat());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Signs these traders on the sandbox now.
fn sign(sandbox: &Sandbox, user_ids: &[i64]) {
    for &user_id in user_ids {
        assert!(sandbox.sign_agreement_now(user_id), "user {user_id} signs once");
    }
}

async fn granted_count(sandbox: &Sandbox, user_ids: &[i64], want: usize, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let granted = user_ids.iter().filter(|id| sandbox.entitlements_of(**id).contains(&ENTITLEMENT_TPROP)).count();
        if granted >= want {
            return;
        }
        assert!(Instant::now() < deadline, "{granted} of {want} granted within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn terminate(child: &mut Child) {
    let status = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the watcher ends on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Opens `journal` (a URL or a file) as the tests' own process, onboards the traders
/// there and returns their user ids.
async fn onboarded(sandbox: &Sandbox, journal: Arc<Journal>) -> Vec<i64> {
    let client = signed_in(sandbox).await;
    let names = onboard(&client, &journal, TRADERS, "watched").await;
    names.iter().map(|name| journal.trader(name).unwrap().unwrap().user_id.unwrap()).collect()
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standby_watcher_takes_over_a_killed_one_and_every_signature_is_granted_once() {
    let Some(url) = fresh_postgres_journal("watch_takeover") else { return };
    let sandbox = sandbox_without_signatures().await;
    let journal = Arc::new(Journal::open_postgres(&url, &sandbox.live_url()).unwrap());
    let users = onboarded(&sandbox, journal.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let logins_before = sandbox.stats().calls(LOGIN);

    // Two service machines; whichever gets the lock first is active.
    let mut watchers = [watch(&sandbox, &url, dir.path(), "ops-a"), watch(&sandbox, &url, dir.path(), "ops-b")];
    let active =
        heartbeat_until(&journal, Duration::from_secs(30), "a watcher listens", |b| b.state == WatcherState::Listening)
            .await;
    let (a, b) = if active.pid == watchers[0].id() { (0, 1) } else { (1, 0) };
    let [active_host, standby_host] = [["ops-a", "ops-b"][a], ["ops-a", "ops-b"][b]];
    assert_eq!((active.pid, active.host.as_str()), (watchers[a].id(), active_host));
    let standing_by = format!("standing by: the watcher on {active_host} (process {}) is active", active.pid);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !log_of(dir.path(), standby_host).contains(&standing_by) {
        assert!(Instant::now() < deadline, "the standby says who is active: {}", log_of(dir.path(), standby_host));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(sandbox.stats().calls(LOGIN) - logins_before, 1, "the standby opens no Tradovate session");

    // Signatures while the first watcher is active.
    sign(&sandbox, &users[..20]);
    granted_count(&sandbox, &users, 20, Duration::from_secs(30)).await;

    watchers[a].kill().unwrap(); // SIGKILL: its journal connection drops, and the lock with it
    let killed_at = Instant::now();
    watchers[a].wait().unwrap();
    // Signatures while nobody listens, before the standby took over.
    sign(&sandbox, &users[20..30]);
    let taken_over = heartbeat_until(&journal, Duration::from_secs(30), "the standby takes over", |beat| {
        beat.pid == watchers[b].id() && beat.state == WatcherState::Listening
    })
    .await;
    let takeover = killed_at.elapsed();
    eprintln!("takeover (kill -9 of the active watcher -> standby listening): {takeover:?}");
    assert!(takeover < Duration::from_secs(30), "took {takeover:?}");
    assert_eq!(taken_over.host, standby_host);

    // Signatures after the takeover.
    sign(&sandbox, &users[30..]);
    granted_count(&sandbox, &users, TRADERS, Duration::from_secs(30)).await;
    let stats = sandbox.stats();
    assert_eq!(stats.duplicate_grants, 0, "no trader was sent a grant twice");
    for &user_id in &users {
        let held = sandbox.entitlements_of(user_id).iter().filter(|id| **id == ENTITLEMENT_TPROP).count();
        assert_eq!(held, 1, "user {user_id} holds T-Prop exactly once");
    }
    // The sandbox shows a grant a moment before the watcher has journaled its reply.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !journal.traders().unwrap().iter().all(|t| t.entitled_at.is_some()) {
        assert!(Instant::now() < deadline, "the journal knows every grant");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = log_of(dir.path(), standby_host);
    assert!(log.contains(&format!("took over from the watcher on {active_host} (process {}", active.pid)), "{log}");
    assert!(log.contains("T-Prop granted"), "grants are logged: {log}");

    // Stopped by the service manager: the heartbeat says so at once, so windows resume.
    terminate(&mut watchers[b]);
    let stopped = journal.watcher_heartbeat().unwrap().unwrap();
    assert_eq!(stopped.state, WatcherState::Stopped("SIGTERM".into()));
    let file_log = std::fs::read_dir(dir.path().join(standby_host).join("logs")).map(|d| d.count()).unwrap_or(0);
    assert!(file_log > 0, "the watcher writes the app's log file");
    for host in ["ops-a", "ops-b"] {
        assert!(!log_of(dir.path(), host).contains("propdesk-ci"), "the journal password leaked");
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_journal_file_a_second_watcher_stands_by_until_the_first_dies() {
    let sandbox = sandbox_without_signatures().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("journal.sqlite");
    let journal = Journal::open(&file, &sandbox.live_url()).unwrap();
    let path = file.to_str().unwrap();
    let mut first = watch(&sandbox, path, dir.path(), "desk-1");
    let active =
        heartbeat_until(&journal, Duration::from_secs(30), "a watcher listens", |b| b.state == WatcherState::Listening)
            .await;
    assert_eq!(active.pid, first.id());
    let logins = sandbox.stats().calls(LOGIN);
    let mut second = watch(&sandbox, path, dir.path(), "desk-2");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !log_of(dir.path(), "desk-2").contains("standing by: the watcher on desk-1") {
        assert!(Instant::now() < deadline, "{}", log_of(dir.path(), "desk-2"));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(sandbox.stats().calls(LOGIN), logins, "the standby opens no Tradovate session");
    first.kill().unwrap();
    first.wait().unwrap();
    heartbeat_until(&journal, Duration::from_secs(30), "the second takes over", |b| {
        b.pid == second.id() && b.state == WatcherState::Listening
    })
    .await;
    terminate(&mut second);
}

#[test]
fn production_without_yes_is_a_usage_error_before_anything_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_propdesk"))
        .args(["watch", "--env", "production", "--entitlement", "3101"])
        .arg("--journal")
        .arg(dir.path().join("journal.sqlite"))
        .env("PROPDESK_DIR", dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("pass --yes"), "{stderr}");
    assert!(!dir.path().join("journal.sqlite").exists(), "nothing was opened");
}

// --- The sweep: a grant in flight when its watcher dies ---

/// The grant claims' in-flight window in the sweep test's watchers (the debug knob
/// `GRANT_IN_FLIGHT_VARIABLE`; 5 minutes otherwise): longer than the takeover, so the
/// standby meets the dead watcher's claim still in flight.
const SHORT_IN_FLIGHT: Duration = Duration::from_secs(8);

/// `propdesk watch` whose grant claims last [`SHORT_IN_FLIGHT`].
fn watch_with_short_claims(sandbox: &Sandbox, journal: &str, dir: &Path, host: &str) -> Child {
    let mut command = watch_command(sandbox, journal, dir, host);
    command.env(GRANT_IN_FLIGHT_VARIABLE, SHORT_IN_FLIGHT.as_secs().to_string());
    command.spawn().unwrap()
}

/// Where the first watcher is when it is killed: its grant hangs on the server, or the
/// grant went through, its reply was lost, and the check that followed hangs.
#[derive(Clone, Copy, Debug)]
enum KilledDuring {
    Grant,
    CheckAfterLostReply,
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_in_flight_when_its_watcher_is_killed_is_swept_by_the_standby_and_sent_once() {
    kill_mid_grant(KilledDuring::Grant).await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_that_landed_before_its_watcher_was_killed_is_found_by_the_sweep_not_resent() {
    kill_mid_grant(KilledDuring::CheckAfterLostReply).await;
}

/// Two watchers on one journal file; the active one is killed mid-grant for one signed
/// trader (another never signs). The standby takes over and, once the dead watcher's
/// claim has expired, its sweep checks the server and leaves the trader with exactly one
/// T-Prop, journaled.
async fn kill_mid_grant(during: KilledDuring) {
    let sandbox = sandbox_without_signatures().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("journal.sqlite");
    let journal = Arc::new(Journal::open(&file, &sandbox.live_url()).unwrap());
    let client = signed_in(&sandbox).await;
    let names = onboard(&client, &journal, 2, "swept").await;
    let users: Vec<i64> = names.iter().map(|name| journal.trader(name).unwrap().unwrap().user_id.unwrap()).collect();
    let path = file.to_str().unwrap();
    let mut first = watch_with_short_claims(&sandbox, path, dir.path(), "desk-1");
    heartbeat_until(&journal, Duration::from_secs(30), "the first watcher listens", |b| {
        b.pid == first.id() && b.state == WatcherState::Listening
    })
    .await;
    let mut second = watch_with_short_claims(&sandbox, path, dir.path(), "desk-2");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !log_of(dir.path(), "desk-2").contains("standing by: the watcher on desk-1") {
        assert!(Instant::now() < deadline, "{}", log_of(dir.path(), "desk-2"));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The first watcher hangs on the server and dies while it does.
    let hung = match during {
        KilledDuring::Grant => GRANT,
        KilledDuring::CheckAfterLostReply => {
            sandbox.faults().lose_next_reply(GRANT);
            CHECK
        }
    };
    let calls_before = sandbox.stats().calls(hung);
    sandbox.faults().delay_next(hung, Duration::from_secs(3));
    sign(&sandbox, &users[..1]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while sandbox.stats().calls(hung) == calls_before {
        assert!(Instant::now() < deadline, "the first watcher calls {hung}: {}", log_of(dir.path(), "desk-1"));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.kill().unwrap();
    let killed_at = Instant::now();
    first.wait().unwrap();

    // The standby meets the claim in flight, and once it expires reconciles and grants.
    let limit = SHORT_IN_FLIGHT + SHORT_IN_FLIGHT + Duration::from_secs(10);
    let deadline = Instant::now() + limit;
    while journal.trader(&names[0]).unwrap().unwrap().entitled_at.is_none() {
        assert!(
            Instant::now() < deadline,
            "the signed trader is granted within {limit:?} of the kill: {}",
            log_of(dir.path(), "desk-2")
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("kill -9 during the {during:?} -> T-Prop journaled by the standby: {:?}", killed_at.elapsed());
    let log = log_of(dir.path(), "desk-2");
    assert!(log.contains(&format!("sweep: {} signed but holds no T-Prop yet", names[0])), "{log}");
    let held = sandbox.entitlements_of(users[0]).iter().filter(|id| **id == ENTITLEMENT_TPROP).count();
    assert_eq!(held, 1, "the trader holds T-Prop exactly once");
    assert_eq!(sandbox.stats().duplicate_grants, 0, "no grant was sent to a trader who held it");
    let checks = sandbox.stats().calls(CHECK);
    let checks_by_first = usize::from(matches!(during, KilledDuring::CheckAfterLostReply));
    assert!(checks > checks_by_first as u64, "the interrupted grant was checked before any resend");
    assert!(sandbox.entitlements_of(users[1]).is_empty(), "the trader who never signed holds nothing");
    assert!(journal.open_intents().unwrap().is_empty(), "the dead watcher's claim is settled");
    terminate(&mut second);
}
