//! The always-on watcher (`propdesk watch`) on a team journal with 1,000 traders:
//! how long a standby takes to replace a killed watcher, and how long a signature waits
//! for its grant.
//!
//! Real processes against an in-process sandbox, on the PostgreSQL server named by
//! `PROPDESK_TEST_POSTGRES_URL` (packaging/ci/start-postgres.sh). Run:
//! `cargo bench --bench watch`.

use propdesk::api::wire::{EvaluationAccount, EvaluationUser, UpdateContactInfo};
use propdesk::api::{Client, Secret};
use propdesk::onboarding::journal::Journal;
use propdesk::onboarding::journal::test_database::fresh_postgres_journal;
use propdesk::onboarding::pipeline::{CancelToken, Pipeline, PipelineOptions, PreparedTrader};
use propdesk::onboarding::watcher::{WatcherHeartbeat, WatcherState};
use propdesk::sandbox::{self, ENTITLEMENT_TPROP, Sandbox, SandboxConfig};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TRADERS: usize = 1_000;
/// Signatures timed one at a time, then signed all at once.
const ONE_BY_ONE: usize = 200;
const BURST: usize = 200;
/// Kill -9 of the active watcher, this many times.
const TAKEOVERS: usize = 3;

fn main() {
    let Some(url) = fresh_postgres_journal("bench_watch") else {
        eprintln!("the watch bench needs PostgreSQL: eval \"$(packaging/ci/start-postgres.sh)\"");
        return;
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(bench(url));
}

async fn bench(url: String) {
    // Nobody signs by themselves: the bench chooses each signature's moment.
    let config = SandboxConfig {
        signature_delay: Duration::from_secs(24 * 3600),
        max_sessions_per_user: usize::MAX,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let journal = Arc::new(Journal::open_postgres(&url, &sandbox.live_url()).unwrap());
    let users = onboard(&sandbox, &journal).await;
    let dir = tempfile::tempdir().unwrap();
    println!("propdesk watch, {TRADERS} journaled traders on the PostgreSQL journal, in-process sandbox");

    let spawned = Instant::now();
    let mut active = watch(&sandbox, &url, dir.path(), 0);
    let mut standby = watch(&sandbox, &url, dir.path(), 1);
    // The first watcher signs in, tries every journaled trader once (all unsigned), then listens.
    let first = heartbeat(&journal, |b| b.state == WatcherState::Listening).await;
    println!(
        "  first start -> listening, after a backlog of {TRADERS} unsigned traders: {:.1} s",
        spawned.elapsed().as_secs_f64()
    );
    if first.pid != active.id() {
        std::mem::swap(&mut active, &mut standby);
    }

    let mut next = users.iter().copied();
    let mut latencies = Vec::new();
    for user_id in next.by_ref().take(ONE_BY_ONE) {
        let signed = Instant::now();
        assert!(sandbox.sign_agreement_now(user_id));
        granted(&sandbox, &[user_id]).await;
        latencies.push(signed.elapsed());
    }
    report("signature -> grant, one at a time", &mut latencies);

    let burst: Vec<i64> = next.by_ref().take(BURST).collect();
    let signed = Instant::now();
    for &user_id in &burst {
        assert!(sandbox.sign_agreement_now(user_id));
    }
    let mut latencies = granted_each(&sandbox, &burst, signed).await;
    report(&format!("signature -> grant, {BURST} signed at once"), &mut latencies);

    let mut actives = Vec::new();
    let mut takeovers = Vec::new();
    let mut first_grants = Vec::new();
    for round in 0..TAKEOVERS {
        active.kill().unwrap();
        let killed = Instant::now();
        active.wait().unwrap();
        // Someone signs while nobody listens: the standby's backlog must grant it.
        let during = next.next().expect("traders left");
        assert!(sandbox.sign_agreement_now(during));
        let standby_pid = standby.id();
        heartbeat(&journal, |b| b.pid == standby_pid).await;
        actives.push(killed.elapsed());
        heartbeat(&journal, |b| b.pid == standby_pid && b.state == WatcherState::Listening).await;
        takeovers.push(killed.elapsed());
        granted(&sandbox, &[during]).await;
        first_grants.push(killed.elapsed());
        active = standby;
        standby = watch(&sandbox, &url, dir.path(), 2 + round);
        wait_for_log(dir.path(), 2 + round, "standing by").await;
    }
    report("kill -9 of the active watcher -> standby active (holds the lock, heartbeat written)", &mut actives);
    report("kill -9 of the active watcher -> standby listening (after its backlog)", &mut takeovers);
    report("kill -9 -> a signature made meanwhile is granted (standby's backlog)", &mut first_grants);

    let after = next.next().expect("traders left");
    let signed = Instant::now();
    assert!(sandbox.sign_agreement_now(after));
    granted(&sandbox, &[after]).await;
    println!("  signature -> grant after {TAKEOVERS} takeovers: {:?}", signed.elapsed());
    let stats = sandbox.stats();
    println!(
        "  grants sent twice: {}; logins: {} (the bench's own, then one per active watcher)",
        stats.duplicate_grants,
        stats.calls("auth/accesstokenrequest")
    );
    for mut child in [active, standby] {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Onboards the traders into the journal; their user ids.
async fn onboard(sandbox: &Sandbox, journal: &Arc<Journal>) -> Vec<i64> {
    let client = Client::new(sandbox.environment());
    client.sign_in(sandbox::admin_credentials("bench")).await.unwrap();
    let plan = client.subscription_plans().await.unwrap().into_iter().find(|p| p.name == "DEMOFIRM_MONTHLY").unwrap();
    let template = client.find_account("DEMOFIRM50K").await.unwrap().unwrap();
    let traders: Vec<PreparedTrader> = (0..TRADERS)
        .map(|i| PreparedTrader {
            user: EvaluationUser {
                name: format!("watched{i}"),
                email: format!("watched{i}@example.com"),
                password: Secret::new("Str0ng!Passw0rd"),
                first_name: "Jamie".into(),
                last_name: "Rivera".into(),
                tradovate_subscription_plan_id: Some(plan.id),
                entitlement_ids: vec![],
            },
            contact: Some(UpdateContactInfo {
                first_name: "Jamie".into(),
                last_name: "Rivera".into(),
                street_address1: "123 Maple Avenue".into(),
                city: "Albany".into(),
                state: Some("NY".into()),
                post_code: "12207".into(),
                country: "US".into(),
                phone: "+1-518-555-0199".into(),
                ..Default::default()
            }),
            account: EvaluationAccount {
                user_id: 0,
                template_account_id: template.id,
                name: format!("WATCHED{i:05}"),
                initial_balance: 50_000.0,
                ..Default::default()
            },
        })
        .collect();
    let (sender, _receiver) = tokio::sync::mpsc::unbounded_channel();
    let started = Instant::now();
    let pipeline = Pipeline::new(client, journal.clone(), PipelineOptions::default());
    let summary = pipeline.run(traders, &CancelToken::default(), &sender).await;
    assert_eq!(summary.done, TRADERS);
    println!("  (onboarded {TRADERS} traders into the team journal in {:.1} s)", started.elapsed().as_secs_f64());
    journal.traders().unwrap().iter().map(|t| t.user_id.unwrap()).collect()
}

fn watch(sandbox: &Sandbox, url: &str, dir: &std::path::Path, index: usize) -> Child {
    let host = format!("bench-{index}");
    Command::new(env!("CARGO_BIN_EXE_propdesk"))
        .args(["watch", "--env", "custom", "--live-url", &sandbox.live_url(), "--demo-url", &sandbox.demo_url()])
        .args(["--ws-url", &sandbox.ws_url(), "--entitlement", &ENTITLEMENT_TPROP.to_string(), "--journal", url])
        .env_remove("TRADOVATE_USERNAME")
        .env("HOSTNAME", &host)
        .env("PROPDESK_DIR", dir.join(&host))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join(format!("{host}.log"))).unwrap())
        .spawn()
        .unwrap()
}

async fn wait_for_log(dir: &std::path::Path, index: usize, text: &str) {
    let path = dir.join(format!("bench-{index}.log"));
    let deadline = Instant::now() + Duration::from_secs(60);
    while !std::fs::read_to_string(&path).unwrap_or_default().contains(text) {
        assert!(Instant::now() < deadline, "{}: no {text:?}", path.display());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn heartbeat(journal: &Journal, wanted: impl Fn(&WatcherHeartbeat) -> bool) -> WatcherHeartbeat {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(beat) = journal.watcher_heartbeat().unwrap().filter(&wanted) {
            return beat;
        }
        assert!(Instant::now() < deadline, "the heartbeat never showed it: {:?}", journal.watcher_heartbeat());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn granted(sandbox: &Sandbox, users: &[i64]) {
    granted_each(sandbox, users, Instant::now()).await;
}

/// Waits until every user holds T-Prop; each one's time since `since`.
async fn granted_each(sandbox: &Sandbox, users: &[i64], since: Instant) -> Vec<Duration> {
    let mut waiting: Vec<i64> = users.to_vec();
    let mut latencies = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !waiting.is_empty() {
        waiting.retain(|id| {
            let done = sandbox.entitlements_of(*id).contains(&ENTITLEMENT_TPROP);
            if done {
                latencies.push(since.elapsed());
            }
            !done
        });
        assert!(Instant::now() < deadline, "{} never granted", waiting.len());
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    latencies
}

fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    println!(
        "  {what}: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms ({} samples)",
        at(0.5).as_secs_f64() * 1000.0,
        at(0.95).as_secs_f64() * 1000.0,
        samples.last().unwrap().as_secs_f64() * 1000.0,
        samples.len()
    );
}
