//! The live board's costs at 1,000 traders (issue 14 item 4), on both journal backends:
//! - the poll every window makes every 2 s (`Journal::change_mark`, one indexed row);
//! - the board's re-read when the mark moved (`traders` + `latest_changes`, two queries);
//! - a write: what the change-feed triggers add to it (one history line, timed).
//!
//! Run: `cargo bench --bench change_feed --profile dev` (the release build of the whole
//! app takes long on a small machine; dependencies are built with opt-level 1 in dev).
//! PostgreSQL runs when `PROPDESK_TEST_POSTGRES_URL` names a server
//! (packaging/ci/start-postgres.sh); otherwise only SQLite.

use chrono::Utc;
use propdesk::onboarding::journal::Journal;
use propdesk::onboarding::journal::test_database::fresh_postgres_journal;
use std::time::{Duration, Instant};

const TRADERS: usize = 1_000;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("journal.sqlite");
    measure("SQLite", || Journal::open(&file, "custom").expect("journal"));
    // The blocking PostgreSQL client may not run inside a runtime; this process has none.
    if let Some(url) = fresh_postgres_journal("bench_change_feed") {
        measure("PostgreSQL", || Journal::open_postgres(&url, "custom").expect("team journal"));
    }
}

fn measure(backend: &str, open: impl Fn() -> Journal) {
    let writer = open();
    let started = Instant::now();
    for i in 0..TRADERS {
        let name = format!("trader{i:04}");
        writer.upsert_trader(&name, &format!("{name}@example.com"), &format!("EVAL{i:05}")).unwrap();
        writer.record_user(&name, i as i64 + 1).unwrap();
        writer.record_contact(&name).unwrap();
        writer.record_account(&name, i as i64 + 10_000, Some(i as i64 + 20_000)).unwrap();
        writer.record_signed(&name, Utc::now()).unwrap();
        if i % 2 == 0 {
            writer.record_entitled(&name, Utc::now()).unwrap();
        }
    }
    println!("{backend}: wrote {TRADERS} traders (5.5 lines of history each) in {:?}", started.elapsed());

    // Another process's view, as a window has.
    let window = open();
    let polls = timed(500, || {
        window.change_mark().unwrap();
    });
    println!("{backend}: poll (change_mark)            {}", summary(&polls));
    let rereads = timed(20, || {
        assert_eq!(window.traders().unwrap().len(), TRADERS);
        assert_eq!(window.latest_changes().unwrap().len(), TRADERS);
    });
    println!("{backend}: board re-read (traders + latest) {}", summary(&rereads));
    let latest_only = timed(20, || {
        window.latest_changes().unwrap();
    });
    println!("{backend}: of which latest_changes       {}", summary(&latest_only));
    let writes = timed(200, || {
        writer.record_history("trader0000", "Risk rules updated").unwrap();
    });
    println!("{backend}: one history line (with trigger) {}", summary(&writes));
    // A write is seen by the next poll: what the window waits is the poll interval.
    let before = window.change_mark().unwrap();
    writer.record_history("trader0001", "Risk rules updated").unwrap();
    assert_ne!(window.change_mark().unwrap(), before, "a committed write moves the mark at once");
}

fn timed(times: usize, mut work: impl FnMut()) -> Vec<Duration> {
    work(); // warm the statement cache
    let mut durations: Vec<Duration> = (0..times)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    durations.sort();
    durations
}

fn summary(sorted: &[Duration]) -> String {
    let at = |q: f64| sorted[((sorted.len() as f64 - 1.0) * q).round() as usize];
    format!(
        "p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms ({} runs)",
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        sorted[sorted.len() - 1].as_secs_f64() * 1e3,
        sorted.len()
    )
}
