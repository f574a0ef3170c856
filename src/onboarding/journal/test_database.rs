//! A fresh PostgreSQL schema per test, on the server named by
//! `PROPDESK_TEST_POSTGRES_URL` (CI starts one: packaging/ci/start-postgres.sh).
//!
//! Without that variable the PostgreSQL tests skip with a printed reason, so a plain
//! `cargo test` works on a fresh machine, unless `PROPDESK_REQUIRE_POSTGRES=1` (CI),
//! where a missing server is a failure.

use std::sync::atomic::{AtomicU32, Ordering};

pub const URL_VARIABLE: &str = "PROPDESK_TEST_POSTGRES_URL";
pub const REQUIRE_VARIABLE: &str = "PROPDESK_REQUIRE_POSTGRES";

/// A journal URL whose tables live in a new, empty schema named after `label`; `None`
/// (after saying why) when no test server is configured.
pub fn fresh_postgres_journal(label: &str) -> Option<String> {
    let Some(base) = std::env::var(URL_VARIABLE).ok().filter(|url| !url.is_empty()) else {
        if std::env::var(REQUIRE_VARIABLE).is_ok_and(|v| v == "1") {
            panic!("{REQUIRE_VARIABLE}=1 but {URL_VARIABLE} is not set: start packaging/ci/start-postgres.sh");
        }
        eprintln!("skipped: {label} needs PostgreSQL; set {URL_VARIABLE} (packaging/ci/start-postgres.sh)");
        return None;
    };
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let readable: String =
        label.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).take(30).collect();
    let schema = format!(
        "t_{readable}_{}_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros() % 1_000_000_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    // A thread of its own: the blocking client must not run inside a test's runtime.
    let create = {
        let (base, schema) = (base.clone(), schema.clone());
        std::thread::spawn(move || -> Result<(), postgres::Error> {
            let mut client = postgres::Client::connect(&base, postgres::NoTls)?;
            client.batch_execute(&format!("CREATE SCHEMA {schema}"))
        })
    };
    if let Err(e) = create.join().expect("the schema thread") {
        panic!("cannot create a test schema on {}: {e}", super::redact_url(&base));
    }
    let separator = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{separator}options=-c%20search_path%3D{schema}"))
}
