//! `propdesk onboard` as a real child process against a sandbox in this test process.

use crate::support::sandbox;
use propdesk::api::Environment;
use propdesk::onboarding::journal::{Journal, journal_key};
use propdesk::onboarding::run::{Run, RunError};
use propdesk::onboarding::run_lock::RunLockError;
use propdesk::sandbox::Sandbox;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

const HEADER: &str = "name,email,password,firstName,lastName,streetAddress1,city,state,postCode,country,phone,accountName,initialBalance,dailyLossAutoLiq";

pub(crate) fn roster_csv(dir: &Path, tag: &str, count: usize, invalid_rows: &[usize]) -> PathBuf {
    let mut text = String::from(HEADER);
    text.push('\n');
    for i in 0..count {
        let account =
            if invalid_rows.contains(&i) { format!("bad_{i}") } else { format!("{}{:05}", tag.to_uppercase(), i) };
        text.push_str(&format!(
            "{tag}{i},{tag}{i}@example.com,Str0ng!Passw0rd,Jamie,Rivera,123 Maple Avenue,Albany,NY,12207,US,+1-518-555-0199,{account},50000,1000\n"
        ));
    }
    let path = dir.join(format!("{tag}.csv"));
    std::fs::write(&path, text).unwrap();
    path
}

pub(crate) fn onboard(sandbox: &Sandbox, users: &Path, journal: &Path, out: &Path) -> Command {
    onboard_with_plan(sandbox, users, journal, out, "DEMOFIRM_MONTHLY")
}

fn onboard_with_plan(sandbox: &Sandbox, users: &Path, journal: &Path, out: &Path, plan: &str) -> Command {
    let mut command = onboard_without_journal(sandbox, users, out, plan);
    command.arg("--journal").arg(journal);
    command
}

/// `propdesk onboard` with no `--journal` (the default file, or PROPDESK_JOURNAL_URL).
pub(crate) fn onboard_without_journal(sandbox: &Sandbox, users: &Path, out: &Path, plan: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_propdesk"));
    command
        .args(["onboard", "--live-url", &sandbox.live_url(), "--demo-url", &sandbox.demo_url()])
        .args(["--plan", plan, "--template", "DEMOFIRM50K", "--yes"])
        .arg("--users")
        .arg(users)
        .arg("--out")
        .arg(out)
        .env_remove("TRADOVATE_USERNAME")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

pub(crate) fn results(path: &Path) -> Vec<csv::StringRecord> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        vec!["name", "userId", "accountId", "tradingPermissionId", "status", "error"]
    );
    reader.records().map(|r| r.unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_mid_way_resumes_with_no_duplicates_and_no_lost_rows() {
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let users = roster_csv(dir.path(), "killed", 300, &[]);
    let (journal, out) = (dir.path().join("journal.sqlite"), dir.path().join("results.csv"));

    let mut child = onboard(&sandbox, &users, &journal, &out).spawn().unwrap();
    let killed_pid = child.id();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while sandbox.stats().calls("contactinfo/updatecontactinfo") < 120 {
        assert!(std::time::Instant::now() < deadline, "the child made no progress");
        assert!(child.try_wait().unwrap().is_none(), "the child finished before it could be killed");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL: no cleanup, no chance to write outcomes
    child.wait().unwrap();
    let created_before = sandbox.stats().users_created();
    assert!(created_before > 0 && sandbox.stats().accounts_created() < 300);

    // The killed run still holds nothing: its lock went with its process, and the new
    // run says whose lock it took over.
    let output = onboard(&sandbox, &users, &journal, &out).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "every row done after resuming: {stderr}");
    assert!(
        stderr.contains(&format!("took over the journal from propdesk onboard (process {killed_pid} on ")),
        "{stderr}"
    );
    let stats = sandbox.stats();
    assert_eq!(stats.users_created(), 300, "no user created twice, none lost");
    assert_eq!(stats.accounts_created(), 300, "no account created twice, none lost");
    let rows = results(&out);
    assert_eq!(rows.len(), 300);
    assert!(rows.iter().all(|r| &r[4] == "done" && !r[1].is_empty() && !r[2].is_empty() && !r[3].is_empty()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_rows_are_reported_never_sent_and_exit_1() {
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let users = roster_csv(dir.path(), "partial", 5, &[1, 3]);
    let (journal, out) = (dir.path().join("journal.sqlite"), dir.path().join("results.csv"));
    let output = onboard(&sandbox, &users, &journal, &out).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let rows = results(&out);
    let statuses: Vec<&str> = rows.iter().map(|r| &r[4]).collect();
    assert_eq!(statuses, vec!["done", "invalid", "done", "invalid", "done"]);
    assert!(rows[1][5].contains("accountName"), "{}", &rows[1][5]);
    assert_eq!(sandbox.stats().users_created(), 3, "invalid rows are never sent");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("Str0ng!Passw0rd"), "no password on the terminal");
}

/// The admin's own list in the data folder replaces the built-in one: traders in its
/// countries are invalid with the reason, and nothing is sent for them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traders_in_restricted_countries_are_invalid_with_the_reason() {
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let users = roster_csv(dir.path(), "cme", 3, &[]);
    let text = std::fs::read_to_string(&users).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[2] = lines[2].replace(",US,", ",IR,");
    lines[3] = lines[3].replace(",US,", ",MX,");
    std::fs::write(&users, lines.join("\n")).unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("cme-restricted-countries.txt"), "# updated list\nIR Iran\nMX Mexico\n").unwrap();

    let (journal, out) = (dir.path().join("journal.sqlite"), dir.path().join("results.csv"));
    let output = onboard(&sandbox, &users, &journal, &out).env("PROPDESK_DIR", &data).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let rows = results(&out);
    let statuses: Vec<&str> = rows.iter().map(|r| &r[4]).collect();
    assert_eq!(statuses, vec!["done", "invalid", "invalid"]);
    assert!(rows[1][5].starts_with("country: Iran (IR) is a CME restricted country"), "{}", &rows[1][5]);
    assert!(rows[2][5].starts_with("country: Mexico (MX) is a CME restricted country"), "{}", &rows[2][5]);
    assert!(rows[2][5].contains("cme-restricted-countries.txt"), "names the list it used: {}", &rows[2][5]);
    assert_eq!(sandbox.stats().users_created(), 1, "restricted traders are never sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_2() {
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let users = roster_csv(dir.path(), "usage", 1, &[]);
    let (journal, out) = (dir.path().join("journal.sqlite"), dir.path().join("results.csv"));
    let output = onboard_with_plan(&sandbox, &users, &journal, &out, "NO_SUCH_PLAN").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("DEMOFIRM_MONTHLY"), "lists the plans that exist");
    let missing = Command::new(env!("CARGO_BIN_EXE_propdesk")).args(["onboard", "--users", "x.csv"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_run_on_the_same_journal_is_refused_naming_the_first_and_sends_nothing() {
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let users = roster_csv(dir.path(), "twice", 30, &[]);
    let journal = dir.path().join("journal.sqlite");
    // The first run waits inside its users batch while the others try to start.
    sandbox.faults().delay_next("user/createevaluationusers", Duration::from_secs(3));
    let mut first = onboard(&sandbox, &users, &journal, &dir.path().join("first.csv")).spawn().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while sandbox.stats().calls("user/createevaluationusers") == 0 {
        assert!(std::time::Instant::now() < deadline, "the first run never sent its batch");
        assert!(first.try_wait().unwrap().is_none(), "the first run ended early");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    // Another command line: exit 2, with who holds the journal.
    let sign_ins = sandbox.stats().calls("auth/accesstokenrequest");
    let second = onboard(&sandbox, &users, &journal, &dir.path().join("second.csv")).output().unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{stderr}");
    let holder = format!("propdesk onboard (process {} on ", first.id());
    assert!(stderr.contains("Another onboarding run is using this environment's journal") && stderr.contains(&holder));
    assert!(stderr.contains(" UTC)"), "says since when: {stderr}");
    assert!(!dir.path().join("second.csv").exists(), "a refused run writes no results");
    let after = sandbox.stats().calls("auth/accesstokenrequest");
    assert_eq!(after, sign_ins, "a refused run does not even sign in");

    // A run from the library (as the window makes) on the same file is refused too.
    let environment = Environment::custom(&sandbox.live_url(), &sandbox.demo_url(), None);
    let library_journal = Arc::new(Journal::open(&journal, &journal_key(&environment)).unwrap());
    match Run::lock(library_journal, "the Propdesk window").await {
        Err(RunError::Busy(RunLockError::Held(Some(holder)))) => assert_eq!(holder.pid, first.id()),
        Err(other) => panic!("refused for the wrong reason: {other}"),
        Ok(_) => panic!("a second run started on a held journal"),
    }

    let status = first.wait().unwrap();
    assert_eq!(status.code(), Some(0), "the first run finishes undisturbed");
    let stats = sandbox.stats();
    assert_eq!(stats.calls("user/createevaluationusers"), 1, "only the first run sent users");
    assert_eq!((stats.users_created(), stats.accounts_created()), (30, 30), "0 duplicates");
}

/// `propdesk VERB` against `sandbox` (as a Custom environment) on `journal`, no terminal.
pub fn command(sandbox: &Sandbox, verb: &str, journal: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_propdesk"));
    command
        .args([verb, "--live-url", &sandbox.live_url(), "--demo-url", &sandbox.demo_url()])
        .arg("--journal")
        .arg(journal)
        .env_remove("TRADOVATE_USERNAME")
        .stdin(Stdio::null());
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entitle_grants_signed_traders_and_cancel_offboards_them() {
    let sandbox = sandbox().await; // traders sign 300 ms after their contact info
    let dir = tempfile::tempdir().unwrap();
    let users = roster_csv(dir.path(), "entitle", 3, &[]);
    let (journal, out) = (dir.path().join("journal.sqlite"), dir.path().join("results.csv"));
    assert_eq!(onboard(&sandbox, &users, &journal, &out).status().unwrap().code(), Some(0));

    // A one-off grant without a terminal is refused: it bills, and nobody was asked.
    let refused = command(&sandbox, "entitle", &journal).args(["--entitlement", "Prop"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2), "{}", String::from_utf8_lossy(&refused.stderr));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--yes"));
    assert_eq!(sandbox.stats().calls_on(propdesk::api::Domain::Live, "userplugin/addentitlementsubscription"), 0);

    // An unattended watch (cron) off Production goes on without asking.
    let output =
        command(&sandbox, "entitle", &journal).args(["--entitlement", "Prop", "--watch", "3s"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    for i in 0..3 {
        assert!(stdout.contains(&format!("entitle{i}\tT-Prop granted")), "{stdout}");
    }

    let output =
        command(&sandbox, "cancel", &journal).args(["--users", "entitle0,entitle1", "--yes"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("entitle0\tcancelled") && stdout.contains("entitle1\tcancelled"), "{stdout}");
    let stats = sandbox.stats();
    assert_eq!(stats.calls_on(propdesk::api::Domain::Demo, "user/canceleverything"), 1);
    assert_eq!(stats.calls_on(propdesk::api::Domain::Live, "user/canceleverything"), 1);

    let refused = command(&sandbox, "cancel", &journal).args(["--users", "entitle2"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2), "cancelling needs --yes");
}

// --- entitle --watch: the backlog before the watch ---

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entitle_watch_grants_a_trader_whose_signature_arrives_while_the_backlog_grant_is_in_flight() {
    // The server still refuses the first grant after the signature (its check lags), and
    // that grant hangs 2 s: long enough for the watch's catch-up to bring the signature.
    let sandbox = crate::support::sandbox_with(propdesk::sandbox::SandboxConfig {
        grant_lag_refusals: 1,
        ..propdesk::sandbox::SandboxConfig::for_tests()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let users = roster_csv(dir.path(), "racing", 1, &[]);
    let (journal, out) = (dir.path().join("journal.sqlite"), dir.path().join("results.csv"));
    assert_eq!(onboard(&sandbox, &users, &journal, &out).status().unwrap().code(), Some(0));
    let user_id = sandbox.user_by_name("racing0").unwrap().id;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !sandbox.has_signed_agreement(user_id) {
        assert!(std::time::Instant::now() < deadline, "the trader signs");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    sandbox.faults().delay_next("userPlugin/addEntitlementSubscription", Duration::from_secs(2));
    let output = command(&sandbox, "entitle", &journal)
        .args(["--entitlement", "Prop", "--watch", "5s", "--yes"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("racing0\twaiting for the trader to sign"), "the backlog was refused: {stdout}");
    assert!(!stdout.contains("skipped: a grant is already in flight"), "{stdout}");
    assert!(stdout.contains("racing0\tT-Prop granted"), "the signature was granted: {stdout}");
    assert_eq!(sandbox.entitlements_of(user_id).len(), 1);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
}
