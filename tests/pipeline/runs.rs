use crate::support::*;
use propdesk::api::wire::{EvaluationAccount, PostTradeRisk};
use propdesk::api::{Client, Domain};
use propdesk::onboarding::journal::{Action, Journal};
use propdesk::onboarding::pipeline::{
    CancelToken, Pipeline, PipelineEvent, PipelineOptions, PreparedTrader, RowStatus, RunSummary, Stage,
};
use propdesk::sandbox::Sandbox;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

async fn ids(client: &Client) -> (i64, i64) {
    let plan = client.subscription_plans().await.unwrap().into_iter().find(|p| p.name == "DEMOFIRM_MONTHLY").unwrap();
    let template = client.find_account("DEMOFIRM50K").await.unwrap().unwrap();
    (plan.id, template.id)
}

pub fn prepared(count: usize, plan: i64, template: i64, tag: &str) -> Vec<PreparedTrader> {
    (0..count)
        .map(|i| {
            let mut user = trader(Some(plan));
            user.name = format!("{tag}{i}x{}", std::process::id());
            user.email = format!("{}@example.com", user.name);
            let mut contact = us_contact(0);
            contact.first_name = user.first_name.clone();
            contact.last_name = user.last_name.clone();
            PreparedTrader {
                account: EvaluationAccount {
                    user_id: 0,
                    template_account_id: template,
                    name: format!("{}{:05}", tag.to_uppercase(), i),
                    initial_balance: 50_000.0,
                    pre_trade_risk: vec![],
                    post_trade_risk: Some(PostTradeRisk { daily_loss_auto_liq: Some(1000.0), ..Default::default() }),
                },
                contact: Some(contact),
                user,
            }
        })
        .collect()
}

async fn run(
    client: &Client,
    journal: &Arc<Journal>,
    traders: Vec<PreparedTrader>,
) -> (RunSummary, Vec<PipelineEvent>) {
    run_with(client, journal, traders, &CancelToken::default()).await
}

async fn run_with(
    client: &Client,
    journal: &Arc<Journal>,
    traders: Vec<PreparedTrader>,
    cancel: &CancelToken,
) -> (RunSummary, Vec<PipelineEvent>) {
    let (sender, mut receiver) = mpsc::unbounded_channel();
    let pipeline = Pipeline::new(client.clone(), journal.clone(), PipelineOptions::default());
    let summary = pipeline.run(traders, cancel, &sender).await;
    drop(sender);
    let mut events = Vec::new();
    while let Some(event) = receiver.recv().await {
        events.push(event);
    }
    (summary, events)
}

fn final_rows(
    events: &[PipelineEvent],
) -> std::collections::BTreeMap<usize, propdesk::onboarding::pipeline::RowUpdate> {
    let mut rows = std::collections::BTreeMap::new();
    for event in events {
        if let PipelineEvent::Row(update) = event {
            rows.insert(update.index, update.clone());
        }
    }
    rows
}

fn journal() -> Arc<Journal> {
    Arc::new(Journal::in_memory("sandbox").unwrap())
}

fn user_batches(sandbox: &Sandbox) -> u64 {
    sandbox.stats().calls_on(Domain::Live, "user/createevaluationusers")
}

fn account_batches(sandbox: &Sandbox) -> u64 {
    sandbox.stats().calls_on(Domain::Demo, "user/createevaluationaccounts")
}

#[tokio::test]
async fn onboards_250_traders_in_batches_of_at_most_100() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, template) = ids(&client).await;
    let (summary, events) = run(&client, &journal(), prepared(250, plan, template, "bulk")).await;
    assert_eq!((summary.done, summary.failed, summary.not_reached), (250, 0, 0), "{summary:?}");
    assert_eq!(user_batches(&sandbox), 3, "100 + 100 + 50");
    assert_eq!(account_batches(&sandbox), 3);
    assert_eq!(sandbox.stats().calls_on(Domain::Live, "contactinfo/updatecontactinfo"), 250);
    assert_eq!(summary.api_calls, 3 + 250 + 3);
    let rows = final_rows(&events);
    assert!(rows.values().all(|r| r.status == RowStatus::Done && r.trading_permission_id.is_some()));
    assert!(matches!(events.last(), Some(PipelineEvent::Finished(_))));
}

/// Reference 3.2 (issue 12): at most 100 requests in any second, counted where they
/// arrive. Without latency the run could send far faster; the client paces itself.
#[tokio::test]
async fn a_run_never_sends_more_than_100_requests_in_any_second() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, template) = ids(&client).await;
    let (summary, _) = run(&client, &journal(), prepared(150, plan, template, "paced")).await;
    assert_eq!((summary.done, summary.failed), (150, 0), "{summary:?}");
    assert_eq!(summary.api_calls, 2 + 150 + 2, "no extra calls");
    let peak = sandbox.stats().peak_requests_per_second;
    assert!((90..=100).contains(&peak), "peak {peak} requests in one second");
}

/// The stages overlap: contact info for the first batch is set while later user
/// batches are still being created, and a batch's accounts do not wait for every
/// trader's contact info.
#[tokio::test]
async fn contact_info_and_accounts_start_before_every_user_exists() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, template) = ids(&client).await;
    let (summary, _) = run(&client, &journal(), prepared(250, plan, template, "overlap")).await;
    assert_eq!(summary.done, 250, "{summary:?}");
    let calls: Vec<&str> = client.activity().snapshot().iter().map(|c| c.endpoint).collect();
    let first = |path: &str| calls.iter().position(|c| c.eq_ignore_ascii_case(path)).unwrap();
    let last = |path: &str| calls.iter().rposition(|c| c.eq_ignore_ascii_case(path)).unwrap();
    assert!(first("contactInfo/updateContactInfo") < last("user/createEvaluationUsers"), "{calls:?}");
    assert!(first("user/createEvaluationAccounts") < last("contactInfo/updateContactInfo"), "{calls:?}");
}

#[tokio::test]
async fn server_errors_land_on_the_right_rows() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, template) = ids(&client).await;
    let mut traders = prepared(6, plan, template, "mixed");
    traders[2].user.email = traders[1].user.email.clone(); // duplicate email: refused by the server
    traders[4].contact.as_mut().unwrap().state = None; // US without state: refused by the server
    let (summary, events) = run(&client, &journal(), traders).await;
    assert_eq!((summary.done, summary.failed), (4, 2));
    let rows = final_rows(&events);
    match &rows[&2].status {
        RowStatus::Failed { stage: Stage::User, error } => assert!(error.to_lowercase().contains("mail"), "{error}"),
        other => panic!("row 2: {other:?}"),
    }
    match &rows[&4].status {
        RowStatus::Failed { stage: Stage::Contact, error } => {
            assert!(error.to_lowercase().contains("state"), "{error}")
        }
        other => panic!("row 4: {other:?}"),
    }
    for i in [0, 1, 3, 5] {
        assert_eq!(rows[&i].status, RowStatus::Done, "row {i}");
    }
}

#[tokio::test]
async fn failed_rows_are_retried_without_touching_the_done_ones() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, template) = ids(&client).await;
    let journal = journal();
    let mut traders = prepared(3, plan, template, "retry");
    traders[1].contact.as_mut().unwrap().state = None;
    let (first, _) = run(&client, &journal, traders.clone()).await;
    assert_eq!(first.failed, 1);
    traders[1].contact.as_mut().unwrap().state = Some("NY".into()); // the admin fixes the row
    let (second, _) = run(&client, &journal, traders).await;
    assert_eq!((second.done, second.failed), (3, 0));
    assert_eq!(user_batches(&sandbox), 1, "no user created twice");
    assert_eq!(second.api_calls, 2, "only the fixed row's contact info and account");
}

#[tokio::test]
async fn a_lost_reply_is_reconciled_without_duplicates() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, template) = ids(&client).await;
    sandbox.faults().lose_next_reply("user/createEvaluationUsers");
    sandbox.faults().lose_next_reply("user/createEvaluationAccounts");
    let (summary, events) = run(&client, &journal(), prepared(5, plan, template, "lost")).await;
    assert_eq!((summary.done, summary.failed), (5, 0), "{summary:?}");
    assert_eq!(user_batches(&sandbox), 1, "the lost batch was applied once and never resent");
    assert_eq!(account_batches(&sandbox), 1);
    let accounts: HashSet<_> = final_rows(&events).values().filter_map(|r| r.account_id).collect();
    assert_eq!(accounts.len(), 5);
}

#[tokio::test]
async fn a_penalty_ticket_is_honoured_mid_run() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, template) = ids(&client).await;
    sandbox.faults().penalty_next("user/createEvaluationAccounts", 1, false);
    let (summary, _) = run(&client, &journal(), prepared(3, plan, template, "penalty")).await;
    assert_eq!(summary.done, 3);
    assert_eq!(account_batches(&sandbox), 2, "the penalised call, then the resend with the ticket");
}

#[tokio::test]
async fn an_expired_token_is_renewed_without_failing_the_run() {
    let sandbox = sandbox().await;
    sandbox.faults().set_token_lifetime(Duration::from_secs(1));
    let client = signed_in(&sandbox).await;
    let (plan, template) = ids(&client).await;
    tokio::time::sleep(Duration::from_millis(1200)).await; // the token is now expired
    let (summary, _) = run(&client, &journal(), prepared(4, plan, template, "expiry")).await;
    assert_eq!((summary.done, summary.failed), (4, 0), "{summary:?}");
    assert!(client.activity().count("auth/accesstokenrequest") >= 2);
}

#[tokio::test]
async fn a_cancelled_run_resumes_where_it_stopped() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, template) = ids(&client).await;
    let journal = journal();
    let traders = prepared(150, plan, template, "cancel");
    let cancel = CancelToken::default();
    let (sender, mut receiver) = mpsc::unbounded_channel();
    let pipeline = Pipeline::new(client.clone(), journal.clone(), PipelineOptions::default());
    let watcher = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            // Cancel as soon as the first contact info is set.
            let mut contacts = 0;
            while let Some(event) = receiver.recv().await {
                if let PipelineEvent::Row(row) = event
                    && row.user_id.is_some()
                    && row.status != RowStatus::Working(Stage::User)
                {
                    contacts += 1;
                    if contacts > 110 {
                        cancel.cancel();
                    }
                }
            }
        })
    };
    let first = pipeline.run(traders.clone(), &cancel, &sender).await;
    drop(sender);
    watcher.await.unwrap();
    assert!(first.cancelled && first.done < 150, "{first:?}");
    let (second, _) = run(&client, &journal, traders).await;
    assert_eq!((second.done, second.failed), (150, 0));
    assert_eq!(user_batches(&sandbox), 2, "users were created once");
    let names: HashSet<_> = journal.traders().unwrap().into_iter().map(|t| t.account_id).collect();
    assert_eq!(names.len(), 150);
}

#[tokio::test]
async fn an_interrupted_write_is_reconciled_on_the_next_run() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, template) = ids(&client).await;
    let journal = journal();
    let traders = prepared(2, plan, template, "crash");
    // Simulate a crash right after the batch was sent: intent recorded, user created,
    // outcome never written.
    for t in &traders {
        journal.upsert_trader(t.name(), &t.user.email, &t.account.name).unwrap();
    }
    journal.begin(&[traders[0].name()], Action::CreateUser).unwrap();
    client.create_evaluation_users(vec![traders[0].user.clone()]).await.unwrap();
    let (summary, _) = run(&client, &journal, traders).await;
    assert_eq!(summary.done, 2);
    assert_eq!(user_batches(&sandbox), 2, "the crashed batch plus one for the second trader only");
    assert!(journal.open_intents().unwrap().is_empty());
}

#[tokio::test]
async fn a_run_leaves_another_jobs_unfinished_grant_alone() {
    // A grant whose reply was lost stays open so the next grant attempt reads the trader's
    // entitlements before sending again; an onboarding run must not close it as failed.
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, template) = ids(&client).await;
    let journal = journal();
    let traders = prepared(1, plan, template, "grantopen");
    journal.upsert_trader(traders[0].name(), &traders[0].user.email, &traders[0].account.name).unwrap();
    journal.begin(&[traders[0].name()], Action::GrantEntitlement).unwrap();
    let (summary, _) = run(&client, &journal, traders).await;
    assert_eq!(summary.done, 1);
    let open = journal.open_intents().unwrap();
    assert_eq!(open.len(), 1, "the grant intent is still open: {open:?}");
    assert_eq!(open[0].action, Action::GrantEntitlement);
}

#[path = "reconcile.rs"]
mod reconcile;
