//! `propdesk history`: the team's audit trail as CSV, from a journal file or the team's
//! PostgreSQL journal, without signing in.

use crate::cli::{onboard, roster_csv};
use crate::support::sandbox;
use propdesk::api::Environment;
use propdesk::onboarding::journal::test_database::fresh_postgres_journal;
use propdesk::onboarding::journal::{Author, Journal, journal_key};
use propdesk::sandbox::Sandbox;
use std::path::Path;
use std::process::Command;

/// Anna onboards two traders from her laptop; Ben (another machine) journals a trader
/// whose name is a spreadsheet formula. Then `propdesk history` exports the lot.
async fn team_history_exports_everyones_writes_without_signing_in(journal: &Path) {
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let users = roster_csv(dir.path(), "audit", 2, &[]);
    let mut run = onboard(&sandbox, &users, journal, &dir.path().join("results.csv"));
    run.env("USER", "anna").env("HOSTNAME", "ops-laptop").env("PROPDESK_DIR", dir.path().join("anna"));
    assert_eq!(run.status().unwrap().code(), Some(0));
    let key = journal_key(&Environment::custom(&sandbox.live_url(), &sandbox.demo_url(), None));
    let ben = match journal.to_str().filter(|j| j.starts_with("postgres")) {
        Some(url) => Journal::open_postgres(url, &key),
        None => Journal::open(journal, &key),
    }
    .unwrap()
    .with_author(Author { user: "ben".into(), host: "ops-desktop".into() });
    let formula = "=HYPERLINK(\"http://evil.example\",\"click\")";
    ben.upsert_trader(formula, "x@example.com", "X1").unwrap();
    ben.record_history(formula, "Risk rules updated").unwrap();
    drop(ben);

    let calls_before = sandbox.stats().total_calls();
    let output = history(&sandbox, journal).args(["--csv", "-"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(sandbox.stats().total_calls(), calls_before, "reading the history sends nothing to Tradovate");

    let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
    assert_eq!(reader.headers().unwrap(), vec!["at", "trader", "what", "by_user", "by_host"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    // Newest first: Ben's line, then Anna's run (3 steps for each of 2 traders).
    assert_eq!(rows.len(), 7, "{rows:?}");
    assert_eq!(&rows[0][1], "'=HYPERLINK(\"http://evil.example\",\"click\")", "the formula is defused");
    assert_eq!((&rows[0][2], &rows[0][3], &rows[0][4]), ("Risk rules updated", "ben", "ops-desktop"));
    for trader in ["audit0", "audit1"] {
        let created = rows.iter().find(|r| &r[1] == trader && &r[2] == "User created").expect(trader);
        assert_eq!((&created[3], &created[4]), ("anna", "ops-laptop"));
        assert!(created[0].ends_with('Z') && created[0].len() == 20, "UTC ISO time: {}", &created[0]);
    }

    // A later --since leaves everything out; a file is written like standard output.
    let file = dir.path().join("history.csv");
    let output = history(&sandbox, journal).args(["--since", "2999-01-01", "--csv"]).arg(&file).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "at,trader,what,by_user,by_host\n");
}

fn history(sandbox: &Sandbox, journal: &Path) -> Command {
    crate::cli::command(sandbox, "history", journal)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_of_a_journal_file_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    team_history_exports_everyones_writes_without_signing_in(&dir.path().join("journal.sqlite")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_of_the_team_journal_as_csv() {
    let Some(url) = fresh_postgres_journal("history_cli") else { return };
    team_history_exports_everyones_writes_without_signing_in(Path::new(&url)).await;
}

#[test]
fn a_missing_journal_file_is_an_error_not_an_empty_report() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("typo.sqlite");
    let output = Command::new(env!("CARGO_BIN_EXE_propdesk"))
        .args(["history", "--env", "staging", "--csv", "-", "--journal"])
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no journal at"), "{output:?}");
    assert!(!missing.exists(), "nothing was created");
}
