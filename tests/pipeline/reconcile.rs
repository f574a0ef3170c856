//! Created ids are never lost and never taken from someone else: lost replies, late work,
//! duplicate refusals, batch notes and random write faults, all settled within one run.

use super::*;
use propdesk::sandbox::{RandomWriteFaults, SandboxConfig};

const USERS: &str = "user/createEvaluationUsers";
const ACCOUNTS: &str = "user/createEvaluationAccounts";

/// Short waits, so a test that resends finishes in well under a second of waiting.
fn quick(recheck_ms: u64, resend_ms: u64) -> PipelineOptions {
    PipelineOptions {
        recheck_delay: Duration::from_millis(recheck_ms),
        resend_delay: Duration::from_millis(resend_ms),
        ..PipelineOptions::default()
    }
}

async fn run_opts(
    client: &Client,
    journal: &Arc<Journal>,
    traders: Vec<PreparedTrader>,
    options: PipelineOptions,
) -> (RunSummary, Vec<PipelineEvent>) {
    let (sender, mut receiver) = mpsc::unbounded_channel();
    let pipeline = Pipeline::new(client.clone(), journal.clone(), options);
    let summary = pipeline.run(traders, &CancelToken::default(), &sender).await;
    drop(sender);
    let mut events = Vec::new();
    while let Some(event) = receiver.recv().await {
        events.push(event);
    }
    (summary, events)
}

fn failure(events: &[PipelineEvent], index: usize) -> (Stage, String) {
    match &final_rows(events)[&index].status {
        RowStatus::Failed { stage, error } => (*stage, error.clone()),
        other => panic!("row {index}: {other:?}"),
    }
}

#[tokio::test]
async fn a_lost_batch_never_adopts_a_user_name_that_belongs_to_someone_else() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, template) = ids(&client).await;
    let traders = prepared(3, plan, template, "taken");
    // The roster reuses a user name the firm gave to another person, and the batch reply is lost.
    sandbox.faults().occupy_user_name(traders[1].name(), "someone.else@example.com");
    sandbox.faults().lose_next_reply(USERS);
    let (summary, events) = run_opts(&client, &journal(), traders.clone(), quick(20, 20)).await;
    assert_eq!((summary.done, summary.failed), (2, 1), "{summary:?}");
    let (stage, error) = failure(&events, 1);
    assert_eq!(stage, Stage::User);
    assert!(error.contains("belongs to another"), "{error}");
    let other = sandbox.user_by_name(traders[1].name()).unwrap();
    assert_eq!(final_rows(&events)[&1].user_id, None, "the other person's id was not taken");
    assert_eq!(sandbox.stats().accounts_created(), 2, "no account was created for the other person ({})", other.id);
}

#[tokio::test]
async fn a_lost_batch_never_adopts_an_account_name_that_belongs_to_another_user() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, template) = ids(&client).await;
    let traders = prepared(2, plan, template, "acctaken");
    // Another trader of the firm already holds the first row's account name.
    let (someone, _) = create_user(&client).await;
    let mut theirs = traders[0].account.clone();
    theirs.user_id = someone;
    let reply = client.create_evaluation_accounts(vec![theirs]).await.unwrap();
    let their_account = reply.results[0].account_id.expect("their account exists");
    sandbox.faults().lose_next_reply(ACCOUNTS);
    let (summary, events) = run_opts(&client, &journal(), traders, quick(20, 20)).await;
    assert_eq!((summary.done, summary.failed), (1, 1), "{summary:?}");
    let (stage, error) = failure(&events, 0);
    assert_eq!(stage, Stage::Account);
    assert!(error.contains("belongs to another"), "{error}");
    assert_ne!(final_rows(&events)[&0].account_id, Some(their_account));
}

#[tokio::test]
async fn results_beside_a_top_level_error_text_are_kept() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, template) = ids(&client).await;
    let mut traders = prepared(3, plan, template, "noted");
    traders[2].user.email = traders[0].user.email.clone(); // refused on its own row
    sandbox.faults().note_next_batch(USERS, "1 of 3 users could not be created");
    sandbox.faults().note_next_batch(ACCOUNTS, "Batch finished with warnings");
    let (summary, events) = run_opts(&client, &journal(), traders, quick(20, 20)).await;
    assert_eq!((summary.done, summary.failed), (2, 1), "{summary:?}");
    let (stage, error) = failure(&events, 2);
    assert_eq!(stage, Stage::User);
    assert!(error.to_lowercase().contains("mail"), "the row's own reason, not the batch note: {error}");
    let rows = final_rows(&events);
    assert!(rows[&0].account_id.is_some() && rows[&1].account_id.is_some());
    assert_eq!((sandbox.stats().users_created(), sandbox.stats().accounts_created()), (2, 2), "nothing twice");
    assert_eq!((user_batches(&sandbox), account_batches(&sandbox)), (1, 1));
    let notices: Vec<_> =
        events.iter().filter_map(|e| if let PipelineEvent::Notice(n) = e { Some(n) } else { None }).collect();
    assert!(notices.iter().any(|n| n.contains("1 of 3 users could not be created")), "{notices:?}");
}

#[tokio::test]
async fn a_batch_applied_after_its_reply_was_lost_is_found_by_looking_again() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, template) = ids(&client).await;
    // The server drops the connection and only then does the work.
    sandbox.faults().apply_next_late(USERS, Duration::from_millis(150));
    let (summary, _) = run_opts(&client, &journal(), prepared(4, plan, template, "late"), quick(600, 20)).await;
    assert_eq!((summary.done, summary.failed), (4, 0), "{summary:?}");
    assert_eq!(user_batches(&sandbox), 1, "found on the second look, never resent");
    assert_eq!(sandbox.stats().users_created(), 4);
}

#[tokio::test]
async fn a_duplicate_refusal_for_our_own_lost_user_is_adopted() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, template) = ids(&client).await;
    // The work lands after both looks said "not created": the resend is refused as a
    // duplicate of the users our own first send created.
    sandbox.faults().apply_next_late(USERS, Duration::from_millis(100));
    let (summary, events) = run_opts(&client, &journal(), prepared(4, plan, template, "dupown"), quick(10, 400)).await;
    assert_eq!((summary.done, summary.failed), (4, 0), "{summary:?}");
    assert_eq!(user_batches(&sandbox), 2, "the lost send and one resend, refused as existing");
    assert_eq!(sandbox.stats().users_created(), 4, "no duplicates");
    let ids: HashSet<_> = final_rows(&events).values().filter_map(|r| r.user_id).collect();
    assert_eq!(ids.len(), 4);
}

#[tokio::test]
async fn a_batch_refused_by_a_server_error_before_any_work_is_resent_in_the_same_run() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, template) = ids(&client).await;
    sandbox.faults().fail_next_with_500(USERS);
    sandbox.faults().fail_next_with_500(ACCOUNTS);
    let journal = journal();
    let (summary, _) = run_opts(&client, &journal, prepared(5, plan, template, "resend"), quick(20, 20)).await;
    assert_eq!((summary.done, summary.failed), (5, 0), "{summary:?}");
    assert_eq!((user_batches(&sandbox), account_batches(&sandbox)), (2, 2), "each batch resent once");
    assert_eq!((sandbox.stats().users_created(), sandbox.stats().accounts_created()), (5, 5));
    assert!(journal.open_intents().unwrap().is_empty());
}

#[tokio::test]
async fn one_run_onboards_every_trader_despite_random_write_faults() {
    const TRADERS: usize = 1_000;
    let faults = RandomWriteFaults { rate: 0.05, seed: 9 };
    let sandbox = sandbox_with(SandboxConfig { random_write_faults: Some(faults), ..SandboxConfig::for_tests() }).await;
    // Contact calls now run beside the batches, so which write draws a random fault
    // varies from run to run: one batch of each kind fails for sure.
    sandbox.faults().fail_next_with_500(USERS);
    sandbox.faults().fail_next_with_500(ACCOUNTS);
    let client = signed_in(&sandbox).await;
    let (plan, template) = ids(&client).await;
    let journal = journal();
    let (summary, events) = run_opts(&client, &journal, prepared(TRADERS, plan, template, "soak"), quick(20, 20)).await;
    assert_eq!((summary.done, summary.failed, summary.not_reached), (TRADERS, 0, 0), "{summary:?}");
    let batches = user_batches(&sandbox) + account_batches(&sandbox);
    assert!(batches > 20, "some batches failed and were resent ({batches} batch calls)");
    let stats = sandbox.stats();
    assert_eq!((stats.users_created(), stats.accounts_created()), (TRADERS, TRADERS), "no duplicates");
    let rows = final_rows(&events);
    let accounts: HashSet<_> = rows.values().filter_map(|r| r.account_id).collect();
    assert_eq!(accounts.len(), TRADERS, "no row lost its id");
    let open = journal.open_intents().unwrap();
    assert!(open.is_empty(), "{open:?}");
}
