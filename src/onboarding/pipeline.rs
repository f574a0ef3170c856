//! The onboarding pipeline: users in batches of at most 100 (LIVE), contact info per
//! user, evaluation accounts in batches of at most 100 (DEMO), with every write
//! journaled first so a stopped run resumes without creating anything twice.
//!
//! The pipeline takes only traders that passed validation ([`PreparedTrader`]); invalid
//! rows never reach it. It reports per-row progress over a channel and stops between
//! calls when cancelled.

use super::journal::{Action, IntentOutcome, Journal, JournalError};
use crate::api::endpoint::MAX_BATCH;
use crate::api::wire::{EvaluationAccount, EvaluationUser, UpdateContactInfo, error_text_of};
use crate::api::{ApiError, Client};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::mpsc::UnboundedSender;

/// One valid trader, converted to what the API needs. `user_id` fields are filled in
/// by the pipeline once the user exists.
#[derive(Clone, Debug, PartialEq)]
pub struct PreparedTrader {
    pub user: EvaluationUser,
    /// `None` when the row has no address at all: the trader is asked at first login.
    pub contact: Option<UpdateContactInfo>,
    pub account: EvaluationAccount,
}

impl PreparedTrader {
    pub fn name(&self) -> &str {
        &self.user.name
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    User,
    Contact,
    Account,
}

impl Stage {
    /// The thing this stage creates, in a sentence: "the user was not created".
    fn noun(self) -> &'static str {
        match self {
            Stage::User => "user",
            Stage::Contact => "contact info",
            Stage::Account => "account",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::User => "User",
            Stage::Contact => "Contact info",
            Stage::Account => "Account",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum RowStatus {
    Waiting,
    Working(Stage),
    Done,
    Failed { stage: Stage, error: String },
}

/// The state of one row, sent whenever it changes.
#[derive(Clone, Debug, PartialEq)]
pub struct RowUpdate {
    /// Position in the list given to [`Pipeline::run`].
    pub index: usize,
    pub name: String,
    pub user_id: Option<i64>,
    pub account_id: Option<i64>,
    pub trading_permission_id: Option<i64>,
    pub status: RowStatus,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PipelineEvent {
    Row(RowUpdate),
    /// Counts after each step; `calls` is the number of API calls this run made so far.
    Progress {
        done: usize,
        failed: usize,
        total: usize,
        calls: usize,
    },
    /// Something the whole run must show, e.g. why it stopped early.
    Notice(String),
    Finished(RunSummary),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunSummary {
    pub done: usize,
    pub failed: usize,
    /// Rows not reached because the run stopped early (cancel or a stopping error).
    pub not_reached: usize,
    pub api_calls: usize,
    pub cancelled: bool,
    /// Why the run stopped early, if it did.
    pub stopped_because: Option<String>,
}

/// Stops a run between two calls. Cloning shares the flag.
#[derive(Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

#[derive(Clone, Debug)]
pub struct PipelineOptions {
    /// Contact-info calls in flight at once.
    pub contact_concurrency: usize,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        Self { contact_concurrency: 4 }
    }
}

pub struct Pipeline {
    client: Client,
    journal: Arc<Journal>,
    options: PipelineOptions,
}

/// Working state of one row during a run.
struct Row {
    trader: PreparedTrader,
    user_id: Option<i64>,
    contact_done: bool,
    account_id: Option<i64>,
    trading_permission_id: Option<i64>,
    failure: Option<(Stage, String)>,
}

impl Row {
    fn is_done(&self) -> bool {
        self.account_id.is_some() && (self.contact_done || self.trader.contact.is_none())
    }

    /// Whether the thing this stage creates exists.
    fn has_reached(&self, stage: Stage) -> bool {
        match stage {
            Stage::User => self.user_id.is_some(),
            Stage::Contact => self.contact_done,
            Stage::Account => self.account_id.is_some(),
        }
    }

    fn status(&self) -> RowStatus {
        match (&self.failure, self.is_done()) {
            (Some((stage, error)), _) => RowStatus::Failed { stage: *stage, error: error.clone() },
            (None, true) => RowStatus::Done,
            (None, false) => RowStatus::Waiting,
        }
    }
}

/// Why the run must stop before the next call.
struct Stop(String);

impl From<JournalError> for Stop {
    fn from(e: JournalError) -> Self {
        Stop(format!("The journal could not be written ({e}); stopped so nothing is sent unrecorded"))
    }
}

type StepResult = Result<(), Stop>;

impl Pipeline {
    pub fn new(client: Client, journal: Arc<Journal>, options: PipelineOptions) -> Self {
        Self { client, journal, options }
    }

    /// Carries every trader as far as possible: user, contact info, account.
    pub async fn run(
        &self,
        traders: Vec<PreparedTrader>,
        cancel: &CancelToken,
        events: &UnboundedSender<PipelineEvent>,
    ) -> RunSummary {
        let calls_before = self.client.activity().len();
        let mut rows: Vec<Row> = traders
            .into_iter()
            .map(|trader| Row {
                trader,
                user_id: None,
                contact_done: false,
                account_id: None,
                trading_permission_id: None,
                failure: None,
            })
            .collect();

        let outcome = self.run_steps(&mut rows, cancel, events, calls_before).await;
        let mut summary = RunSummary {
            api_calls: self.client.activity().len().saturating_sub(calls_before),
            cancelled: cancel.is_cancelled(),
            ..Default::default()
        };
        for row in &rows {
            match row.status() {
                RowStatus::Done => summary.done += 1,
                RowStatus::Failed { .. } => summary.failed += 1,
                _ => summary.not_reached += 1,
            }
        }
        if let Err(Stop(reason)) = outcome {
            let _ = events.send(PipelineEvent::Notice(reason.clone()));
            summary.stopped_because = Some(reason);
        }
        let _ = events.send(PipelineEvent::Finished(summary.clone()));
        summary
    }

    async fn run_steps(
        &self,
        rows: &mut [Row],
        cancel: &CancelToken,
        events: &UnboundedSender<PipelineEvent>,
        calls_before: usize,
    ) -> StepResult {
        self.load_journal(rows)?;
        self.reconcile(rows).await?;
        for (index, row) in rows.iter().enumerate() {
            emit_row(events, index, row, None);
        }
        self.progress(rows, events, calls_before);

        self.create_users(rows, cancel, events, calls_before).await?;
        self.set_contacts(rows, cancel, events, calls_before).await?;
        self.create_accounts(rows, cancel, events, calls_before).await?;
        if cancel.is_cancelled() {
            return Err(Stop("Cancelled: the rows not reached keep their place and can be run again".into()));
        }
        Ok(())
    }

    /// Brings in what earlier runs achieved, and creates journal rows for new traders.
    fn load_journal(&self, rows: &mut [Row]) -> StepResult {
        for row in rows.iter_mut() {
            let name = row.trader.user.name.clone();
            self.journal.upsert_trader(&name, &row.trader.user.email, &row.trader.account.name)?;
            if let Some(known) = self.journal.trader(&name)? {
                row.user_id = known.user_id;
                row.contact_done = known.contact_done;
                row.account_id = known.account_id;
                row.trading_permission_id = known.trading_permission_id;
            }
        }
        Ok(())
    }

    /// Settles writes that a previous run started but never saw answered, by asking the
    /// server whether they happened (find the user by name, the account by name).
    async fn reconcile(&self, rows: &mut [Row]) -> StepResult {
        let open = self.journal.open_intents()?;
        if open.is_empty() {
            return Ok(());
        }
        let by_name: HashMap<String, usize> =
            rows.iter().enumerate().map(|(i, r)| (r.trader.user.name.clone(), i)).collect();
        for intent in open {
            let Some(&index) = by_name.get(&intent.name) else { continue };
            let row = &mut rows[index];
            let settled = match intent.action {
                Action::CreateUser => self.reconcile_user(row).await?,
                Action::CreateAccount => self.reconcile_account(row).await?,
                // Setting contact info again is harmless: just leave it for this run.
                _ => false,
            };
            let outcome = if settled { IntentOutcome::Done } else { IntentOutcome::Failed };
            self.journal.finish(&[intent.id], outcome, Some("reconciled after an interrupted run"))?;
        }
        Ok(())
    }

    async fn reconcile_user(&self, row: &mut Row) -> Result<bool, Stop> {
        if row.user_id.is_some() {
            return Ok(true);
        }
        match self.client.find_user(&row.trader.user.name).await {
            Ok(Some(user)) => {
                row.user_id = Some(user.id);
                self.journal.record_user(&row.trader.user.name, user.id)?;
                Ok(true)
            }
            Ok(None) => Ok(false),
            Err(error) => Err(Stop(format!("Could not check whether earlier users were created: {error}"))),
        }
    }

    async fn reconcile_account(&self, row: &mut Row) -> Result<bool, Stop> {
        if row.account_id.is_some() {
            return Ok(true);
        }
        let account = match self.client.find_account(&row.trader.account.name).await {
            Ok(Some(account)) => account,
            Ok(None) => return Ok(false),
            Err(error) => return Err(Stop(format!("Could not check whether earlier accounts were created: {error}"))),
        };
        let permission = match self.client.account_trading_permissions(account.id).await {
            Ok(permissions) => permissions.into_iter().find(|p| Some(p.user_id) == row.user_id).map(|p| p.id),
            Err(error) => {
                return Err(Stop(format!("Could not read the trading permission of {}: {error}", account.name)));
            }
        };
        row.account_id = Some(account.id);
        row.trading_permission_id = permission;
        self.journal.record_account(&row.trader.user.name, account.id, permission)?;
        Ok(true)
    }

    async fn create_users(
        &self,
        rows: &mut [Row],
        cancel: &CancelToken,
        events: &UnboundedSender<PipelineEvent>,
        calls_before: usize,
    ) -> StepResult {
        let pending: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].user_id.is_none()).collect();
        for batch in pending.chunks(MAX_BATCH) {
            if cancel.is_cancelled() {
                return Ok(());
            }
            for &i in batch {
                emit_row(events, i, &rows[i], Some(Stage::User));
            }
            let names: Vec<&str> = batch.iter().map(|&i| rows[i].trader.user.name.as_str()).collect();
            let intents = self.journal.begin(&names, Action::CreateUser)?;
            let users: Vec<EvaluationUser> = batch.iter().map(|&i| rows[i].trader.user.clone()).collect();
            match self.client.create_evaluation_users(users).await {
                Ok(reply) => {
                    for ((&i, result), intent) in batch.iter().zip(reply.results).zip(&intents) {
                        let row = &mut rows[i];
                        match (result.user_id, error_text_of(&result.error_text)) {
                            (Some(user_id), None) => {
                                row.user_id = Some(user_id);
                                self.journal.record_user(&row.trader.user.name, user_id)?;
                                self.journal.finish(&[*intent], IntentOutcome::Done, None)?;
                            }
                            (_, error) => self.fail_item(row, Stage::User, *intent, error)?,
                        }
                    }
                }
                Err(error) => self.settle_batch_error(rows, batch, &intents, Stage::User, error).await?,
            }
            for &i in batch {
                emit_row(events, i, &rows[i], None);
            }
            self.progress(rows, events, calls_before);
        }
        Ok(())
    }

    async fn set_contacts(
        &self,
        rows: &mut [Row],
        cancel: &CancelToken,
        events: &UnboundedSender<PipelineEvent>,
        calls_before: usize,
    ) -> StepResult {
        let pending: Vec<usize> = (0..rows.len())
            .filter(|&i| {
                let row = &rows[i];
                row.failure.is_none() && row.user_id.is_some() && row.trader.contact.is_some() && !row.contact_done
            })
            .collect();
        let mut work = Vec::with_capacity(pending.len());
        for &i in &pending {
            let row = &rows[i];
            let mut contact = row.trader.contact.clone().unwrap_or_default();
            contact.user_id = row.user_id.unwrap_or_default();
            work.push((i, row.trader.user.name.clone(), contact));
        }
        let client = &self.client;
        let journal = &self.journal;
        // Set on a stopping error, so calls not yet started are not sent.
        let halt = CancelToken::default();
        let halt_ref = &halt;
        let mut results = futures_util::stream::iter(work)
            .map(|(i, name, contact)| async move {
                if cancel.is_cancelled() || halt_ref.is_cancelled() {
                    return (i, None);
                }
                let intents = journal.begin(&[name.as_str()], Action::SetContact);
                let result = client.update_contact_info(&contact).await;
                (i, Some((intents, result)))
            })
            .buffer_unordered(self.options.contact_concurrency.max(1));
        let mut stop = None;
        while let Some((i, outcome)) = results.next().await {
            let Some((intents, result)) = outcome else { continue };
            let intents = intents?;
            let row = &mut rows[i];
            match result {
                Ok(_) => {
                    row.contact_done = true;
                    self.journal.record_contact(&row.trader.user.name)?;
                    self.journal.finish(&intents, IntentOutcome::Done, None)?;
                }
                Err(error) => {
                    self.fail(row, Stage::Contact, &error.to_string())?;
                    self.journal.finish(&intents, IntentOutcome::Failed, Some(&error.to_string()))?;
                    if is_fatal(&error) && stop.is_none() {
                        halt.cancel();
                        stop = Some(Stop(error.to_string()));
                    }
                }
            }
            emit_row(events, i, row, None);
            self.progress(rows, events, calls_before);
        }
        match stop {
            Some(stop) => Err(stop),
            None => Ok(()),
        }
    }

    async fn create_accounts(
        &self,
        rows: &mut [Row],
        cancel: &CancelToken,
        events: &UnboundedSender<PipelineEvent>,
        calls_before: usize,
    ) -> StepResult {
        let pending: Vec<usize> = (0..rows.len())
            .filter(|&i| {
                let row = &rows[i];
                row.failure.is_none()
                    && row.user_id.is_some()
                    && row.account_id.is_none()
                    && (row.contact_done || row.trader.contact.is_none())
            })
            .collect();
        for batch in pending.chunks(MAX_BATCH) {
            if cancel.is_cancelled() {
                return Ok(());
            }
            for &i in batch {
                emit_row(events, i, &rows[i], Some(Stage::Account));
            }
            let names: Vec<&str> = batch.iter().map(|&i| rows[i].trader.user.name.as_str()).collect();
            let intents = self.journal.begin(&names, Action::CreateAccount)?;
            let accounts: Vec<EvaluationAccount> = batch
                .iter()
                .map(|&i| EvaluationAccount {
                    user_id: rows[i].user_id.unwrap_or_default(),
                    ..rows[i].trader.account.clone()
                })
                .collect();
            match self.client.create_evaluation_accounts(accounts).await {
                Ok(reply) => {
                    for ((&i, result), intent) in batch.iter().zip(reply.results).zip(&intents) {
                        let row = &mut rows[i];
                        match (result.account_id, error_text_of(&result.error_text)) {
                            (Some(account_id), None) => {
                                row.account_id = Some(account_id);
                                row.trading_permission_id = result.trading_permission_id;
                                self.journal.record_account(
                                    &row.trader.user.name,
                                    account_id,
                                    result.trading_permission_id,
                                )?;
                                self.journal.finish(&[*intent], IntentOutcome::Done, None)?;
                            }
                            (_, error) => self.fail_item(row, Stage::Account, *intent, error)?,
                        }
                    }
                }
                Err(error) => self.settle_batch_error(rows, batch, &intents, Stage::Account, error).await?,
            }
            for &i in batch {
                emit_row(events, i, &rows[i], None);
            }
            self.progress(rows, events, calls_before);
        }
        Ok(())
    }

    /// One item of a batch reply was refused (or came back without its id).
    fn fail_item(&self, row: &mut Row, stage: Stage, intent: i64, error: Option<&str>) -> StepResult {
        let error = error.map(str::to_string).unwrap_or_else(|| format!("Tradovate returned no {} id", stage.noun()));
        self.fail(row, stage, &error)?;
        self.journal.finish(&[intent], IntentOutcome::Failed, Some(&error))?;
        Ok(())
    }

    /// A batch call failed as a whole. With no reply the batch may have been applied, so
    /// each row is looked up before going on; otherwise every row carries the error.
    async fn settle_batch_error(
        &self,
        rows: &mut [Row],
        batch: &[usize],
        intents: &[i64],
        stage: Stage,
        error: ApiError,
    ) -> StepResult {
        if !matches!(error, ApiError::OutcomeUnknown { .. }) {
            self.fail_batch(rows, batch, stage, &error)?;
            self.journal.finish(intents, IntentOutcome::Failed, Some(&error.to_string()))?;
            return stop_if_fatal(&error);
        }
        for &i in batch {
            let found = match stage {
                Stage::Account => self.reconcile_account(&mut rows[i]).await?,
                _ => self.reconcile_user(&mut rows[i]).await?,
            };
            if !found {
                let text = format!("No reply from Tradovate and the {} was not created; retry", stage.noun());
                self.fail(&mut rows[i], stage, &text)?;
            }
        }
        let done: Vec<i64> = settle(batch, intents, |k| rows[batch[k]].has_reached(stage));
        self.journal.finish(&done, IntentOutcome::Done, Some("reconciled"))?;
        let failed: Vec<i64> = settle(batch, intents, |k| !rows[batch[k]].has_reached(stage));
        self.journal.finish(&failed, IntentOutcome::Failed, Some("reconciled: not created"))?;
        Ok(())
    }

    fn fail(&self, row: &mut Row, stage: Stage, error: &str) -> StepResult {
        row.failure = Some((stage, error.to_string()));
        self.journal.record_error(&row.trader.user.name, stage.label(), error)?;
        Ok(())
    }

    /// A whole-request failure lands on every row of the batch, with the server's words.
    fn fail_batch(&self, rows: &mut [Row], batch: &[usize], stage: Stage, error: &ApiError) -> StepResult {
        let text = error.to_string();
        for &i in batch {
            self.fail(&mut rows[i], stage, &text)?;
        }
        Ok(())
    }

    fn progress(&self, rows: &[Row], events: &UnboundedSender<PipelineEvent>, calls_before: usize) {
        let done = rows.iter().filter(|r| r.failure.is_none() && r.is_done()).count();
        let failed = rows.iter().filter(|r| r.failure.is_some()).count();
        let calls = self.client.activity().len().saturating_sub(calls_before);
        let _ = events.send(PipelineEvent::Progress { done, failed, total: rows.len(), calls });
    }
}

fn emit_row(events: &UnboundedSender<PipelineEvent>, index: usize, row: &Row, working: Option<Stage>) {
    let status = match working {
        Some(stage) => RowStatus::Working(stage),
        None => row.status(),
    };
    let _ = events.send(PipelineEvent::Row(RowUpdate {
        index,
        name: row.trader.user.name.clone(),
        user_id: row.user_id,
        account_id: row.account_id,
        trading_permission_id: row.trading_permission_id,
        status,
    }));
}

/// The intents of the batch positions for which `keep` holds.
fn settle(batch: &[usize], intents: &[i64], keep: impl Fn(usize) -> bool) -> Vec<i64> {
    (0..batch.len()).filter(|&k| keep(k)).map(|k| intents[k]).collect()
}

/// Errors after which sending more would only make things worse.
fn is_fatal(error: &ApiError) -> bool {
    matches!(
        error,
        ApiError::SignedOut { .. }
            | ApiError::LockedOut { .. }
            | ApiError::LockoutWarning { .. }
            | ApiError::Captcha { .. }
            | ApiError::BudgetExhausted { .. }
            | ApiError::Cancelled
    )
}

fn stop_if_fatal(error: &ApiError) -> StepResult {
    if is_fatal(error) { Err(Stop(format!("Stopped: {error}"))) } else { Ok(()) }
}
