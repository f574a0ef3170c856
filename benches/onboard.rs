//! Onboarding benchmark: 1,000 traders through the real client and pipeline.
//!
//! Part 1 runs the sandbox as a separate process (`propdesk sandbox`) so this process's
//! CPU time is the client's alone. Part 2 (in-process sandbox) carries the same traders
//! from "account" to "T-Prop granted" and counts the calls against the minimum.
//!
//! Part 3 adds 80 ms to every reply (a real network) and counts, in the sandbox, the
//! most requests that arrived within any one second.
//!
//! Run: `cargo bench --bench onboard` (all parts) or `cargo bench --bench onboard -- latency`
//! (only the parts whose name contains the word).

use propdesk::api::ws::SocketOptions;
use propdesk::api::{Client, Credentials, Environment, Secret};
use propdesk::onboarding::agreements::{AgreementWatch, WatchEvent, WatchOptions};
use propdesk::onboarding::journal::Journal;
use propdesk::onboarding::pipeline::{CancelToken, Pipeline, PipelineOptions, PreparedTrader};
use propdesk::sandbox::{self, RandomWriteFaults, Sandbox, SandboxConfig};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TRADERS: usize = 1_000;

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let only: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |name: &str| only.as_deref().is_none_or(|word| name.contains(word));
    runtime.block_on(async {
        if wanted("separate") {
            onboarding_against_a_separate_sandbox().await;
        }
        if wanted("latency") {
            onboarding_at_80_ms_latency().await;
        }
        if wanted("faults") {
            onboarding_despite_write_faults().await;
        }
        if wanted("agreements") {
            agreements_to_t_prop().await;
        }
    });
}

fn credentials() -> Credentials {
    sandbox::admin_credentials("bench")
}

async fn prepared(client: &Client, tag: &str) -> Vec<PreparedTrader> {
    use propdesk::api::wire::{EvaluationAccount, EvaluationUser, PostTradeRisk, UpdateContactInfo};
    let plan = client.subscription_plans().await.unwrap().into_iter().find(|p| p.name == "DEMOFIRM_MONTHLY").unwrap();
    let template = client.find_account("DEMOFIRM50K").await.unwrap().unwrap();
    // The 50K evaluation's rules travel inside the account batches (no extra calls).
    let mut profile = propdesk::onboarding::risk::RiskProfile {
        post_trade_risk: PostTradeRisk {
            daily_loss_auto_liq: Some(1_100.0),
            trailing_max_drawdown: Some(2_000.0),
            trailing_max_drawdown_mode: Some("EOD".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    profile.set_position(propdesk::onboarding::risk::PositionField::LongLimit, Some(5));
    (0..TRADERS)
        .map(|i| PreparedTrader {
            user: EvaluationUser {
                name: format!("{tag}{i}"),
                email: format!("{tag}{i}@example.com"),
                password: Secret::new("Str0ng!Passw0rd"),
                first_name: "Jamie".into(),
                last_name: "Rivera".into(),
                tradovate_subscription_plan_id: Some(plan.id),
                entitlement_ids: vec![],
            },
            contact: Some(UpdateContactInfo {
                user_id: 0,
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
                name: format!("{}{i:05}", tag.to_uppercase()),
                initial_balance: 50_000.0,
                pre_trade_risk: profile.pre_trade_risk.clone(),
                post_trade_risk: Some(profile.post_trade_for(&PostTradeRisk::default())),
            },
        })
        .collect()
}

/// User and system CPU time of this process, from /proc (Linux).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10)) // USER_HZ is 100 on Linux
}

async fn onboarding_against_a_separate_sandbox() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_propdesk"))
        .args(["sandbox", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("propdesk sandbox starts");
    let base = format!("http://127.0.0.1:{port}");
    let environment = Environment::custom(
        &format!("{base}/live/v1"),
        &format!("{base}/demo/v1"),
        Some(&format!("ws://127.0.0.1:{port}/live/v1/websocket")),
    );
    let client = Client::new(environment);
    let deadline = Instant::now() + Duration::from_secs(20);
    while client.sign_in(credentials()).await.is_err() {
        assert!(Instant::now() < deadline, "the sandbox did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let traders = prepared(&client, "bench").await;
    let journal = Arc::new(Journal::open(&tempfile::tempdir().unwrap().keep().join("j.sqlite"), "bench").unwrap());
    let (sender, _receiver) = tokio::sync::mpsc::unbounded_channel();
    let pipeline = Pipeline::new(client.clone(), journal, PipelineOptions::default());

    let cpu_before = cpu_time();
    let started = Instant::now();
    let summary = pipeline.run(traders, &CancelToken::default(), &sender).await;
    let wall = started.elapsed();
    let cpu = cpu_time().zip(cpu_before).map(|(after, before)| after.saturating_sub(before));
    let _ = server.kill();
    let _ = server.wait();

    let minimum = TRADERS.div_ceil(100) * 2 + TRADERS;
    println!("onboard {TRADERS} traders (sandbox in a separate process, journal on disk)");
    println!("  done {} / failed {}", summary.done, summary.failed);
    println!(
        "  API calls {} (minimum {minimum}: {} user batches + {TRADERS} contact calls + {} account batches)",
        summary.api_calls,
        TRADERS.div_ceil(100),
        TRADERS.div_ceil(100)
    );
    println!(
        "  wall time {:.2} s ({:.2} ms per trader)",
        wall.as_secs_f64(),
        wall.as_secs_f64() * 1000.0 / TRADERS as f64
    );
    match cpu {
        Some(cpu) => println!(
            "  client CPU time {:.2} s ({:.0}% of one core)",
            cpu.as_secs_f64(),
            100.0 * cpu.as_secs_f64() / wall.as_secs_f64()
        ),
        None => println!("  client CPU time: not available on this platform"),
    }
}

/// Every reply 80 ms late, as over a real network: the run is paced by the client's
/// global rate limit (at most 100 requests in any second), not by round trips.
async fn onboarding_at_80_ms_latency() {
    let config = SandboxConfig { latency: Duration::from_millis(80), ..SandboxConfig::default() };
    let sandbox = Sandbox::start(config).await.unwrap();
    let client = Client::new(sandbox.environment());
    client.sign_in(credentials()).await.unwrap();
    let traders = prepared(&client, "slow").await;
    let journal = Arc::new(Journal::in_memory("bench").unwrap());
    let (sender, _receiver) = tokio::sync::mpsc::unbounded_channel();
    let pipeline = Pipeline::new(client.clone(), journal, PipelineOptions::default());
    let calls_before = sandbox.stats().total_calls();
    let started = Instant::now();
    let summary = pipeline.run(traders, &CancelToken::default(), &sender).await;
    let wall = started.elapsed();
    let stats = sandbox.stats();
    println!("onboard {TRADERS} traders with 80 ms added to every reply (in-process sandbox)");
    println!("  done {} / failed {}", summary.done, summary.failed);
    println!(
        "  wall time {:.2} s; API calls {} (sandbox received {}); peak {} requests in one second",
        wall.as_secs_f64(),
        summary.api_calls,
        stats.total_calls() - calls_before,
        stats.peak_requests_per_second
    );
}

/// 5 % of writes fail (half HTTP 500 before any work, half a lost reply after it): every
/// trader must still be done in one run, each created exactly once.
async fn onboarding_despite_write_faults() {
    let faults = RandomWriteFaults { rate: 0.05, seed: 9 };
    let sandbox =
        Sandbox::start(SandboxConfig { random_write_faults: Some(faults), ..SandboxConfig::default() }).await.unwrap();
    let client = Client::new(sandbox.environment());
    client.sign_in(credentials()).await.unwrap();
    let traders = prepared(&client, "faulty").await;
    let journal = Arc::new(Journal::in_memory("bench").unwrap());
    let (sender, _receiver) = tokio::sync::mpsc::unbounded_channel();
    let pipeline = Pipeline::new(client.clone(), journal, PipelineOptions::default());
    let started = Instant::now();
    let summary = pipeline.run(traders, &CancelToken::default(), &sender).await;
    let stats = sandbox.stats();
    println!("onboard {TRADERS} traders in ONE run while 5 % of writes fail (default pipeline options)");
    println!(
        "  done {} / failed {} / not reached {}; users created {}, accounts created {} (duplicates: {})",
        summary.done,
        summary.failed,
        summary.not_reached,
        stats.users_created(),
        stats.accounts_created(),
        stats.users_created().saturating_sub(TRADERS) + stats.accounts_created().saturating_sub(TRADERS),
    );
    println!(
        "  API calls {} ({} user batches, {} account batches); wall time {:.1} s",
        summary.api_calls,
        stats.calls("user/createevaluationusers"),
        stats.calls("user/createevaluationaccounts"),
        started.elapsed().as_secs_f64()
    );
}

async fn agreements_to_t_prop() {
    let config = SandboxConfig { signature_delay: Duration::from_millis(200), ..SandboxConfig::default() };
    let sandbox = Sandbox::start(config).await.unwrap();
    let client = Client::new(sandbox.environment());
    client.sign_in(credentials()).await.unwrap();
    let t_prop = client
        .entitlements()
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.name.contains("Prop") || e.title.contains("Prop"))
        .unwrap()
        .id;
    let journal = Arc::new(Journal::in_memory("bench").unwrap());
    let options = WatchOptions { entitlement_id: Some(t_prop), auto_grant: true, socket: SocketOptions::default() };
    let (_watch, mut events) = AgreementWatch::spawn(client.clone(), journal.clone(), options);
    let traders = prepared(&client, "agree").await;
    let (sender, _receiver) = tokio::sync::mpsc::unbounded_channel();
    let pipeline = Pipeline::new(client.clone(), journal, PipelineOptions::default());
    let summary = pipeline.run(traders, &CancelToken::default(), &sender).await;
    assert_eq!(summary.done, TRADERS);

    let started = Instant::now();
    let mut granted = 0;
    while granted < TRADERS {
        match tokio::time::timeout(Duration::from_secs(60), events.recv()).await {
            Ok(Some(WatchEvent::Granted { .. })) => granted += 1,
            Ok(Some(_)) => {}
            _ => break,
        }
    }
    let stats = sandbox.stats();
    println!("carry {TRADERS} traders from \"account\" to \"T-Prop granted\" (agreement watch)");
    println!(
        "  granted {granted}; the last grant {:.2} s after the last account was created",
        started.elapsed().as_secs_f64()
    );
    // Grants begin while the pipeline still runs (signatures arrive 200 ms after contact info).
    println!(
        "  API calls: {} entitlement grants + {} deps catch-up (minimum {TRADERS} + 1)",
        stats.calls("userplugin/addentitlementsubscription"),
        stats.calls("adminalertsignal/deps"),
    );
}
