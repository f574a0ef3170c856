//! The team journal from the command line: `--journal postgres://…` or
//! `PROPDESK_JOURNAL_URL`, two `propdesk onboard` processes as two admins' machines.

use crate::cli::{onboard, onboard_without_journal, results, roster_csv};
use crate::support::sandbox;
use propdesk::onboarding::journal::test_database::fresh_postgres_journal;
use std::collections::HashSet;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

const ROWS: usize = 500;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_admins_on_one_team_journal_create_every_trader_exactly_once() {
    let Some(url) = fresh_postgres_journal("two_admins") else { return };
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let users = roster_csv(dir.path(), "team", ROWS, &[]);
    let outs = [dir.path().join("anna.csv"), dir.path().join("ben.csv")];
    // Whoever wins waits inside its first users batch, so both surely overlap.
    sandbox.faults().delay_next("user/createevaluationusers", Duration::from_secs(2));

    let started = Instant::now();
    // Two machines: one names the journal with --journal, the other with the variable.
    let mut anna = onboard(&sandbox, &users, Path::new(&url), &outs[0]);
    // Each machine has its own data folder (and so its own default journal file).
    anna.env("HOSTNAME", "anna-laptop").env("PROPDESK_DIR", dir.path().join("anna-data"));
    let mut ben = onboard_without_journal(&sandbox, &users, &outs[1], "DEMOFIRM_MONTHLY");
    ben.env("PROPDESK_JOURNAL_URL", &url)
        .env("HOSTNAME", "ben-desktop")
        .env("PROPDESK_DIR", dir.path().join("ben-data"));
    let (anna, ben) = (anna.spawn().unwrap(), ben.spawn().unwrap());
    let pids = [anna.id(), ben.id()];
    let outputs: [Output; 2] = [anna.wait_with_output().unwrap(), ben.wait_with_output().unwrap()];
    let elapsed = started.elapsed();
    let stderr: Vec<String> = outputs.iter().map(|o| String::from_utf8_lossy(&o.stderr).into_owned()).collect();
    let codes: Vec<Option<i32>> = outputs.iter().map(|o| o.status.code()).collect();

    // One run did the work; the other was told who holds the journal and sent nothing.
    let winner = codes.iter().position(|c| *c == Some(0)).unwrap_or_else(|| panic!("no run finished: {stderr:?}"));
    let loser = 1 - winner;
    assert_eq!(codes[loser], Some(2), "the second admin is refused: {}", stderr[loser]);
    let host = ["anna-laptop", "ben-desktop"][winner];
    let holder = format!("propdesk onboard (process {} on {host}, since ", pids[winner]);
    assert!(stderr[loser].contains("Another onboarding run is using this environment's journal"), "{}", stderr[loser]);
    assert!(stderr[loser].contains(&holder), "names the holder {holder:?}: {}", stderr[loser]);
    assert!(!outs[loser].exists(), "a refused run reports no row");

    // Every trader exactly once on the server, every row reported exactly once.
    let stats = sandbox.stats();
    assert_eq!((stats.users_created(), stats.accounts_created()), (ROWS, ROWS), "0 duplicates, none lost");
    for i in 0..ROWS {
        assert!(sandbox.user_by_name(&format!("team{i}")).is_some(), "team{i} was created");
    }
    let rows = results(&outs[winner]);
    let names: HashSet<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!((rows.len(), names.len()), (ROWS, ROWS), "each row reported once");
    assert!(rows.iter().all(|r| &r[4] == "done"));
    eprintln!("two admins, {ROWS} rows on the team journal: {elapsed:?}");
    for text in &stderr {
        assert!(!text.contains("propdesk-ci"), "the journal password leaked: {text}");
    }
}

#[test]
fn a_team_journal_that_cannot_be_reached_is_a_usage_error_without_the_password() {
    // Port 1 on loopback: nothing listens, so the connection is refused at once.
    let url = "postgres://ops:s3cret-pass@127.0.0.1:1/propdesk";
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_propdesk"))
        .args(["onboard", "--live-url", "http://127.0.0.1:1", "--demo-url", "http://127.0.0.1:1"])
        .args(["--plan", "X", "--template", "Y", "--yes", "--users"])
        .arg(roster_csv(tempfile::tempdir().unwrap().keep().as_path(), "unreached", 1, &[]))
        .args(["--journal", url])
        .env("RUST_LOG", "debug")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let all = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(2), "{all}");
    assert!(all.contains("postgres://ops:***@127.0.0.1:1/propdesk"), "says which journal: {all}");
    assert!(!all.contains("s3cret-pass"), "the password leaked: {all}");
    assert!(!Path::new("postgres:").exists(), "the URL was not taken for a file path");

    // The variable must be a URL: a path there is a mistake, said plainly.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_propdesk"))
        .args(["onboard", "--live-url", "http://127.0.0.1:1", "--demo-url", "http://127.0.0.1:1"])
        .args(["--plan", "X", "--template", "Y", "--yes", "--users"])
        .arg(roster_csv(tempfile::tempdir().unwrap().keep().as_path(), "unreached", 1, &[]))
        .env("PROPDESK_JOURNAL_URL", "/srv/journal.sqlite")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("PROPDESK_JOURNAL_URL must be a postgres:// URL"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_mid_way_on_the_team_journal_is_taken_over_and_resumed() {
    let Some(url) = fresh_postgres_journal("killed") else { return };
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let users = roster_csv(dir.path(), "teamkill", 200, &[]);
    let out = dir.path().join("results.csv");

    let mut child = onboard(&sandbox, &users, Path::new(&url), &out).spawn().unwrap();
    let killed_pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(60);
    while sandbox.stats().calls("contactinfo/updatecontactinfo") < 80 {
        assert!(Instant::now() < deadline, "the child made no progress");
        assert!(child.try_wait().unwrap().is_none(), "the child finished before it could be killed");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL: the server sees the connection drop, nothing else
    child.wait().unwrap();
    assert!(sandbox.stats().accounts_created() < 200);

    // The advisory lock went with the connection: the next run starts, says whose lock
    // it took over, and finishes from the team journal without creating anything twice.
    let output = onboard(&sandbox, &users, Path::new(&url), &out).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "every row done after resuming: {stderr}");
    assert!(
        stderr.contains(&format!("took over the journal from propdesk onboard (process {killed_pid} on ")),
        "{stderr}"
    );
    let stats = sandbox.stats();
    assert_eq!((stats.users_created(), stats.accounts_created()), (200, 200), "0 duplicates, none lost");
    let rows = results(&out);
    assert_eq!(rows.len(), 200);
    assert!(rows.iter().all(|r| &r[4] == "done" && !r[1].is_empty() && !r[2].is_empty()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_journal_of_one_firm_refuses_an_admin_signed_in_to_another_before_writing() {
    let Some(url) = fresh_postgres_journal("other_firm") else { return };
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results.csv");

    // Demo Firm's admin onboards first: the environment now belongs to Demo Firm.
    let first = onboard(&sandbox, &roster_csv(dir.path(), "demofirm", 3, &[]), Path::new(&url), &out).output().unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", String::from_utf8_lossy(&first.stderr));

    // Other Firm's admin, on the same Tradovate environment and the same team journal.
    let users = roster_csv(dir.path(), "otherfirm", 3, &[]);
    let other_out = dir.path().join("other.csv");
    let mut other = onboard(&sandbox, &users, Path::new(&url), &other_out);
    other
        .env("TRADOVATE_USERNAME", propdesk::sandbox::OTHER_ORG_ADMIN_NAME)
        .env("TRADOVATE_PASSWORD", propdesk::sandbox::OTHER_ORG_ADMIN_PASSWORD)
        .env("TRADOVATE_APP_ID", propdesk::sandbox::OTHER_ORG_APP_ID)
        .env("TRADOVATE_CID", propdesk::sandbox::OTHER_ORG_CID)
        .env("TRADOVATE_SECRET", propdesk::sandbox::OTHER_ORG_SECRET);
    let output = other.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "refused: {stderr}");
    assert!(
        stderr.contains("This team journal holds Custom for Demo Firm; you are signed in to Other Firm"),
        "{stderr}"
    );
    assert!(!other_out.exists(), "a refused run reports no row");

    // Nothing of Other Firm's run reached the server or the journal.
    assert_eq!(sandbox.stats().users_created(), 3);
    let journal = propdesk::onboarding::journal::Journal::open_postgres(
        &url,
        &propdesk::onboarding::journal::journal_key(&propdesk::api::Environment::custom(
            &sandbox.live_url(),
            &sandbox.demo_url(),
            None,
        )),
    )
    .unwrap();
    let names: Vec<String> = journal.traders().unwrap().into_iter().map(|t| t.name).collect();
    assert_eq!(names, ["demofirm0", "demofirm1", "demofirm2"]);
    assert!(journal.open_intents().unwrap().is_empty());
}

/// Ends, from another connection, the server session holding the run lock of `key` in
/// the schema `url` names (as an administrator's `pg_terminate_backend` or a restart would).
fn cut_the_run_lock_holders_connection(url: &str, key: &str) -> bool {
    let (url, key) = (url.to_string(), key.to_string());
    std::thread::spawn(move || {
        let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let holder = admin
            .query_opt(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::int4::oid
                 AND objid = hashtext(current_schema() || chr(31) || $2)::oid AND objsubid = 2",
                &[&propdesk::store::team_database::LOCK_SPACE, &key],
            )
            .unwrap();
        let Some(pid) = holder.map(|row| row.get::<_, i32>(0)) else { return false };
        admin.query_one("SELECT pg_terminate_backend($1)", &[&pid]).unwrap().get::<_, bool>(0)
    })
    .join()
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_whose_team_journal_connection_is_cut_stops_and_the_next_run_finishes_without_duplicates() {
    let Some(url) = fresh_postgres_journal("cut") else { return };
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let users = roster_csv(dir.path(), "teamcut", 200, &[]);
    let out = dir.path().join("results.csv");
    let key = propdesk::onboarding::journal::journal_key(&propdesk::api::Environment::custom(
        &sandbox.live_url(),
        &sandbox.demo_url(),
        None,
    ));

    let child = onboard(&sandbox, &users, Path::new(&url), &out).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while sandbox.stats().calls("contactinfo/updatecontactinfo") < 40 {
        assert!(Instant::now() < deadline, "the run made no progress");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(cut_the_run_lock_holders_connection(&url, &key), "the run held the lock");
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The lock went with the connection: the run stopped writing (and so sending) and said why.
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    // Either the write in flight met the cut, or the next one found the lock gone.
    assert!(stderr.contains("stopped so nothing is sent unrecorded"), "{stderr}");
    assert!(
        stderr.contains("lost while this run held its run lock") || stderr.contains("the connection was lost"),
        "{stderr}"
    );
    let stopped_at = sandbox.stats().accounts_created();
    assert!(stopped_at < 200, "stopped before the end");

    // The next run resumes from the team journal: every trader exactly once.
    let output = onboard(&sandbox, &users, Path::new(&url), &out).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "every row done after resuming: {stderr}");
    let stats = sandbox.stats();
    assert_eq!((stats.users_created(), stats.accounts_created()), (200, 200), "0 duplicates, none lost");
    eprintln!("the cut run had created {stopped_at} accounts when it stopped");
}

// ---- `propdesk journal move`: this computer's journal into the team's ----

fn journal_move(from: &Path, to: &str, dry_run: bool) -> (Option<i32>, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_propdesk"));
    command.args(["journal", "move", "--to", to, "--from"]).arg(from);
    if dry_run {
        command.arg("--dry-run");
    }
    let output = command.output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.code(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journal_move_counts_first_then_copies_each_trader_once() {
    use propdesk::api::Environment;
    use propdesk::onboarding::journal::{Journal, journal_key};
    let Some(url) = fresh_postgres_journal("cli_move") else { return };
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    // Three traders onboarded on this laptop, into its journal file.
    let users = roster_csv(dir.path(), "solo", 3, &[]);
    let file = dir.path().join("laptop.sqlite");
    let out = dir.path().join("solo-results.csv");
    let onboarded = onboard(&sandbox, &users, &file, &out).env("PROPDESK_DIR", dir.path()).output().unwrap();
    assert_eq!(onboarded.status.code(), Some(0), "{}", String::from_utf8_lossy(&onboarded.stderr));
    let key = journal_key(&Environment::custom(&sandbox.live_url(), &sandbox.demo_url(), None));
    let history_lines: usize = {
        let local = Journal::open(&file, &key).unwrap();
        (0..3).map(|i| local.history(&format!("solo{i}")).unwrap().len()).sum()
    };

    let (code, text) = journal_move(&file, &url, true);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains(&format!("{key}: 3 traders, {history_lines} history lines to copy")), "{text}");
    assert!(!text.contains("propdesk-ci"), "the password never shows: {text}");
    let team = tokio::task::spawn_blocking({
        let (url, key) = (url.clone(), key.clone());
        move || Journal::open_postgres(&url, &key).unwrap()
    })
    .await
    .unwrap();
    let team = std::sync::Arc::new(team);
    let count = |team: std::sync::Arc<Journal>| async move {
        tokio::task::spawn_blocking(move || team.traders().unwrap().len()).await.unwrap()
    };
    assert_eq!(count(team.clone()).await, 0, "a dry run copies nothing");

    let (code, text) = journal_move(&file, &url, false);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains(&format!("Copied 3 traders and {history_lines} history lines")), "{text}");
    assert_eq!(count(team.clone()).await, 3);

    let (code, text) = journal_move(&file, &url, false);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("3 traders already there are left as they are"), "{text}");
    assert!(text.contains("Nothing to copy"), "{text}");
    assert_eq!(count(team).await, 3, "a second move copies nothing");
}
