//! The onboarding pipeline: users in batches of at most 100 (LIVE), contact info per
//! user, evaluation accounts in batches of at most 100 (DEMO), with every write
//! journaled first so a stopped run resumes without creating anything twice.
//!
//! The pipeline takes only traders that passed validation ([`PreparedTrader`]); invalid
//! rows never reach it. It reports per-row progress over a channel and stops between
//! calls when cancelled.

mod contact_lane;

use super::journal::{Action, IntentOutcome, Journal, JournalError};
use crate::api::endpoint::MAX_BATCH;
use crate::api::wire::{
    CreateEvaluationAccountsResponse, CreateEvaluationUsersResponse, EvaluationAccount, EvaluationUser,
    UpdateContactInfo, User, error_text_of,
};
use crate::api::{ApiError, Client};
use contact_lane::{ContactLane, ContactOutcome, ContactWork};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::OnceCell;
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
    /// Most contact-info calls in flight at once. The run starts with a few and grows
    /// toward this while the server does not push back; the request rate itself is
    /// capped by the client ([`crate::api::rate_limit`]).
    pub contact_concurrency: usize,
    /// How long reconciliation waits before it looks a second time for rows a batch
    /// without a reply did not show yet ([`LATE_APPLY_RECHECK`]).
    pub recheck_delay: Duration,
    /// Resends, within one run, of batch rows proven not created.
    pub max_resends: u32,
    /// Pause before the first resend; it doubles for each further one.
    pub resend_delay: Duration,
}

/// UNCONFIRMED: whether a batch call that timed out (or lost its reply) can still be
/// applied by Tradovate afterwards. Reference 10 says batch calls may time out during
/// maintenance and says nothing of what then happens to the work. We assume it can, for
/// a while: before calling a row "not created", reconciliation looks again after this
/// pause. If the work lands even later, the resend is refused as a duplicate and the
/// refused row is looked up and adopted (never created twice).
pub const LATE_APPLY_RECHECK: Duration = Duration::from_secs(10);

impl Default for PipelineOptions {
    fn default() -> Self {
        Self {
            contact_concurrency: 32,
            recheck_delay: LATE_APPLY_RECHECK,
            max_resends: 3,
            resend_delay: Duration::from_secs(2),
        }
    }
}

pub struct Pipeline {
    client: Client,
    journal: Arc<Journal>,
    options: PipelineOptions,
    /// The signed-in admin's organization, learned once when a found user is checked.
    our_organization: OnceCell<Option<i64>>,
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
        Self { client, journal, options, our_organization: OnceCell::new() }
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

        let mut lane = ContactLane::new(&self.client, &self.journal, cancel, self.options.contact_concurrency);
        let outcome = self.run_stages(rows, &mut lane, cancel, events, calls_before).await;
        if outcome.is_err() {
            // Let the contact calls already sent finish, so their replies are journaled.
            lane.halt();
            lane.drain().await;
            let _ = self.apply_contacts(rows, &mut lane, events, calls_before);
        }
        outcome?;
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
            let (stage, lookup) = match intent.action {
                Action::CreateUser => (Stage::User, self.reconcile_user(row).await?),
                Action::CreateAccount => (Stage::Account, self.reconcile_account(row).await?),
                // Setting contact info again is harmless: just leave it for this run.
                Action::SetContact => (Stage::Contact, Lookup::Missing),
                // Grants and offboarding settle their own open intents (a lost grant is
                // checked before it is sent again); closing them here would undo that.
                Action::GrantEntitlement | Action::Revoke | Action::Cancel => continue,
            };
            if let Lookup::Foreign(text) = &lookup {
                self.fail(row, stage, text)?;
            }
            let outcome = if lookup == Lookup::Adopted { IntentOutcome::Done } else { IntentOutcome::Failed };
            self.journal.finish(&[intent.id], outcome, Some("reconciled after an interrupted run"))?;
        }
        Ok(())
    }

    /// Looks for the row's user by name and adopts it only when it is this trader's.
    async fn reconcile_user(&self, row: &mut Row) -> Result<Lookup, Stop> {
        if row.user_id.is_some() {
            return Ok(Lookup::Adopted);
        }
        let user = match self.client.find_user(&row.trader.user.name).await {
            Ok(Some(user)) => user,
            Ok(None) => return Ok(Lookup::Missing),
            Err(error) => return Err(Stop(format!("Could not check whether earlier users were created: {error}"))),
        };
        if !self.is_this_traders_user(&user, &row.trader.user).await {
            return Ok(Lookup::Foreign(format!(
                "The user name {} already belongs to another Tradovate user (different email); it was not taken \
                 over. Choose another user name",
                user.name
            )));
        }
        row.user_id = Some(user.id);
        self.journal.record_user(&row.trader.user.name, user.id)?;
        Ok(Lookup::Adopted)
    }

    /// Looks for the row's account by name and adopts it only when it belongs to the row's user.
    async fn reconcile_account(&self, row: &mut Row) -> Result<Lookup, Stop> {
        if row.account_id.is_some() {
            return Ok(Lookup::Adopted);
        }
        let account = match self.client.find_account(&row.trader.account.name).await {
            Ok(Some(account)) => account,
            Ok(None) => return Ok(Lookup::Missing),
            Err(error) => return Err(Stop(format!("Could not check whether earlier accounts were created: {error}"))),
        };
        if row.user_id != Some(account.user_id) {
            return Ok(Lookup::Foreign(format!(
                "The account name {} already belongs to another user; it was not taken over. Choose another \
                 account name",
                account.name
            )));
        }
        let permission = match self.client.account_trading_permissions(account.id).await {
            Ok(permissions) => permissions.into_iter().find(|p| Some(p.user_id) == row.user_id).map(|p| p.id),
            Err(error) => {
                return Err(Stop(format!("Could not read the trading permission of {}: {error}", account.name)));
            }
        };
        row.account_id = Some(account.id);
        row.trading_permission_id = permission;
        self.journal.record_account(&row.trader.user.name, account.id, permission)?;
        Ok(Lookup::Adopted)
    }

    /// Whether a user found by name is the one this row asked for: same email and, when
    /// both are known, this organization. `user/find` matches by name only, and a name
    /// may belong to someone else (UNCONFIRMED whether Tradovate's `find` is limited to
    /// the caller's organization: reference 5.1 does not say). An email that cannot be
    /// compared (missing from the reply) counts as different: never adopt on a guess.
    async fn is_this_traders_user(&self, found: &User, wanted: &EvaluationUser) -> bool {
        let same_email = !found.email.trim().is_empty() && found.email.trim().eq_ignore_ascii_case(wanted.email.trim());
        if !same_email {
            return false;
        }
        let ours = self.our_organization().await;
        match (found.organization_id, ours) {
            (Some(theirs), Some(ours)) => theirs == ours,
            _ => true,
        }
    }

    /// The signed-in admin's organization, looked up once per pipeline (only when a
    /// found user has to be checked). `None` when it cannot be learned.
    async fn our_organization(&self) -> Option<i64> {
        *self
            .our_organization
            .get_or_init(|| async {
                let admin = self.client.session()?.user_name;
                self.client.find_user(&admin).await.ok().flatten().and_then(|u| u.organization_id)
            })
            .await
    }

    /// The three stages, overlapped: each user batch's contact info goes out (in the
    /// lane, beside the next batch calls) as soon as its users exist, and its account
    /// batch as soon as its contact info is settled. Rows from earlier runs that only
    /// lack contact info or an account are caught up on the way and by a last sweep.
    async fn run_stages(
        &self,
        rows: &mut [Row],
        lane: &mut ContactLane<'_>,
        cancel: &CancelToken,
        events: &UnboundedSender<PipelineEvent>,
        calls_before: usize,
    ) -> StepResult {
        let everyone: Vec<usize> = (0..rows.len()).collect();
        self.queue_contacts(rows, lane, &everyone);
        let pending: Vec<usize> =
            (0..rows.len()).filter(|&i| rows[i].failure.is_none() && rows[i].user_id.is_none()).collect();
        let mut awaiting_accounts: VecDeque<Vec<usize>> = VecDeque::new();
        for batch in pending.chunks(MAX_BATCH) {
            let sent =
                lane.drive(self.send_until_settled(rows, batch, Stage::User, cancel, events, calls_before)).await;
            self.apply_contacts(rows, lane, events, calls_before)?;
            sent?;
            self.queue_contacts(rows, lane, batch);
            awaiting_accounts.push_back(batch.to_vec());
            self.send_ready_accounts(rows, lane, &mut awaiting_accounts, cancel, events, calls_before).await?;
        }
        while !awaiting_accounts.is_empty() {
            if !lane.is_busy() {
                self.send_ready_accounts(rows, lane, &mut awaiting_accounts, cancel, events, calls_before).await?;
                break;
            }
            lane.next_result().await;
            self.apply_contacts(rows, lane, events, calls_before)?;
            self.send_ready_accounts(rows, lane, &mut awaiting_accounts, cancel, events, calls_before).await?;
        }
        lane.drain().await;
        self.apply_contacts(rows, lane, events, calls_before)?;
        self.create_accounts(rows, cancel, events, calls_before).await
    }

    /// Hands the lane a contact-info call for each of these rows that needs one now.
    fn queue_contacts(&self, rows: &[Row], lane: &mut ContactLane<'_>, indices: &[usize]) {
        for &i in indices {
            let row = &rows[i];
            let Some(contact) = &row.trader.contact else { continue };
            if row.failure.is_some() || row.contact_done {
                continue;
            }
            let Some(user_id) = row.user_id else { continue };
            let contact = UpdateContactInfo { user_id, ..contact.clone() };
            lane.push(ContactWork { index: i, name: row.trader.user.name.clone(), contact });
        }
    }

    /// Sends the account batches of the oldest user batches whose contact info is
    /// settled (done, failed or not needed), in order, while the lane keeps working.
    async fn send_ready_accounts(
        &self,
        rows: &mut [Row],
        lane: &mut ContactLane<'_>,
        awaiting: &mut VecDeque<Vec<usize>>,
        cancel: &CancelToken,
        events: &UnboundedSender<PipelineEvent>,
        calls_before: usize,
    ) -> StepResult {
        while let Some(batch) = awaiting.front() {
            let settled = |row: &Row| {
                row.failure.is_some() || row.user_id.is_none() || row.contact_done || row.trader.contact.is_none()
            };
            if lane.is_busy() && !batch.iter().all(|&i| settled(&rows[i])) {
                return Ok(());
            }
            let ready: Vec<usize> = batch.iter().copied().filter(|&i| needs_account(&rows[i])).collect();
            awaiting.pop_front();
            for chunk in ready.chunks(MAX_BATCH) {
                let sent = lane
                    .drive(self.send_until_settled(rows, chunk, Stage::Account, cancel, events, calls_before))
                    .await;
                self.apply_contacts(rows, lane, events, calls_before)?;
                sent?;
            }
        }
        Ok(())
    }

    /// Folds the lane's finished contact-info calls into the rows and the journal.
    fn apply_contacts(
        &self,
        rows: &mut [Row],
        lane: &mut ContactLane<'_>,
        events: &UnboundedSender<PipelineEvent>,
        calls_before: usize,
    ) -> StepResult {
        let mut stop = None;
        for ContactOutcome { index, intents, reply } in lane.take_finished() {
            let intents = intents?;
            let row = &mut rows[index];
            match reply {
                Some(Ok(_)) => {
                    row.contact_done = true;
                    self.journal.record_contact(&row.trader.user.name)?;
                    self.journal.finish(&intents, IntentOutcome::Done, None)?;
                }
                Some(Err(error)) => {
                    self.fail(row, Stage::Contact, &error.to_string())?;
                    self.journal.finish(&intents, IntentOutcome::Failed, Some(&error.to_string()))?;
                    if is_fatal(&error) && stop.is_none() {
                        stop = Some(Stop(error.to_string()));
                    }
                }
                None => {}
            }
            emit_row(events, index, row, None);
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
        let pending: Vec<usize> = (0..rows.len()).filter(|&i| needs_account(&rows[i])).collect();
        for batch in pending.chunks(MAX_BATCH) {
            self.send_until_settled(rows, batch, Stage::Account, cancel, events, calls_before).await?;
        }
        Ok(())
    }

    /// Sends one batch, then resends (within this run, with growing pauses) the rows that
    /// reconciliation proved were not created, until every row is created or refused or the
    /// resends are used up. Each resend goes through the client, so it counts against the
    /// endpoint's rate budget like any call.
    async fn send_until_settled(
        &self,
        rows: &mut [Row],
        batch: &[usize],
        stage: Stage,
        cancel: &CancelToken,
        events: &UnboundedSender<PipelineEvent>,
        calls_before: usize,
    ) -> StepResult {
        let mut to_send = batch.to_vec();
        let mut resends = 0;
        loop {
            if cancel.is_cancelled() {
                return Ok(());
            }
            for &i in &to_send {
                emit_row(events, i, &rows[i], Some(stage));
            }
            let not_created = self.send_batch(rows, &to_send, stage, events).await?;
            let give_up = !not_created.is_empty() && resends >= self.options.max_resends;
            if give_up {
                let text = format!(
                    "No reply from Tradovate and the {} was not created after {} attempts; retry",
                    stage.noun(),
                    resends + 1
                );
                for &i in &not_created {
                    self.fail(&mut rows[i], stage, &text)?;
                }
            }
            for &i in &to_send {
                emit_row(events, i, &rows[i], None);
            }
            self.progress(rows, events, calls_before);
            if not_created.is_empty() || give_up {
                return Ok(());
            }
            resends += 1;
            tokio::time::sleep(self.options.resend_delay.saturating_mul(1 << (resends - 1).min(6))).await;
            to_send = not_created;
        }
    }

    /// One batch call for these rows. Returns the rows proven not created (to resend);
    /// every other row ends created (adopted) or refused.
    async fn send_batch(
        &self,
        rows: &mut [Row],
        batch: &[usize],
        stage: Stage,
        events: &UnboundedSender<PipelineEvent>,
    ) -> Result<Vec<usize>, Stop> {
        let names: Vec<&str> = batch.iter().map(|&i| rows[i].trader.user.name.as_str()).collect();
        let action = if stage == Stage::User { Action::CreateUser } else { Action::CreateAccount };
        let intents = self.journal.begin(&names, action)?;
        let reply = match stage {
            Stage::User => {
                let users = batch.iter().map(|&i| rows[i].trader.user.clone()).collect();
                self.client.create_evaluation_users(users).await.map(BatchReply::from)
            }
            _ => {
                let accounts = batch
                    .iter()
                    .map(|&i| EvaluationAccount {
                        user_id: rows[i].user_id.unwrap_or_default(),
                        ..rows[i].trader.account.clone()
                    })
                    .collect();
                self.client.create_evaluation_accounts(accounts).await.map(BatchReply::from)
            }
        };
        let reply = match reply {
            Ok(reply) => reply,
            // No usable reply: the batch may have been applied, so every row is looked up.
            Err(ApiError::OutcomeUnknown { .. }) => {
                let all: Vec<usize> = (0..batch.len()).collect();
                return self.settle_unsure(rows, batch, &intents, &all, stage).await;
            }
            Err(error) => {
                self.fail_batch(rows, batch, stage, &error)?;
                self.journal.finish(&intents, IntentOutcome::Failed, Some(&error.to_string()))?;
                stop_if_fatal(&error)?;
                return Ok(Vec::new());
            }
        };
        if let Some(text) = &reply.batch_message {
            // seeds/000 shows a top-level errorText beside results[]: a note on the batch,
            // while each row is judged by its own result.
            let note = format!("Tradovate's note on a batch of {}s: {text}", stage.noun());
            let _ = events.send(PipelineEvent::Notice(note));
        }
        let mut unsure = Vec::new();
        for (k, item) in reply.items.into_iter().enumerate() {
            let (i, intent) = (batch[k], intents[k]);
            match item {
                BatchItem::Created { id, trading_permission_id } => {
                    self.adopt_created(&mut rows[i], stage, id, trading_permission_id)?;
                    self.journal.finish(&[intent], IntentOutcome::Done, None)?;
                }
                BatchItem::Refused(text) => self.settle_refusal(&mut rows[i], stage, intent, &text).await?,
                BatchItem::Silent => unsure.push(k),
            }
        }
        self.settle_unsure(rows, batch, &intents, &unsure, stage).await
    }

    fn adopt_created(&self, row: &mut Row, stage: Stage, id: i64, permission: Option<i64>) -> StepResult {
        let name = row.trader.user.name.clone();
        if stage == Stage::User {
            row.user_id = Some(id);
            self.journal.record_user(&name, id)?;
        } else {
            row.account_id = Some(id);
            row.trading_permission_id = permission;
            self.journal.record_account(&name, id, permission)?;
        }
        Ok(())
    }

    /// A refused row may name a user or account that already exists because an earlier
    /// send of ours got through (its reply lost). Whatever the refusal's wording, the
    /// thing is looked up by name and adopted when it is this trader's.
    async fn settle_refusal(&self, row: &mut Row, stage: Stage, intent: i64, refusal: &str) -> StepResult {
        let lookup = match self.look_up(row, stage).await {
            Ok(lookup) => lookup,
            // The refusal stands; the next run looks again.
            Err(_) => Lookup::Missing,
        };
        match lookup {
            Lookup::Adopted => {
                let note = "refused as existing; adopted after lookup";
                self.journal.finish(&[intent], IntentOutcome::Done, Some(note))?;
                Ok(())
            }
            Lookup::Foreign(text) => self.fail_item(row, stage, intent, Some(&format!("{refusal}. {text}"))),
            Lookup::Missing => self.fail_item(row, stage, intent, Some(refusal)),
        }
    }

    async fn look_up(&self, row: &mut Row, stage: Stage) -> Result<Lookup, Stop> {
        match stage {
            Stage::User => self.reconcile_user(row).await,
            _ => self.reconcile_account(row).await,
        }
    }

    /// Rows whose fate the reply did not tell are looked up by name; those not found are
    /// looked up once more after [`PipelineOptions::recheck_delay`] (a batch that timed out
    /// may still be applied), and only then count as not created. Returns those rows.
    async fn settle_unsure(
        &self,
        rows: &mut [Row],
        batch: &[usize],
        intents: &[i64],
        unsure: &[usize],
        stage: Stage,
    ) -> Result<Vec<usize>, Stop> {
        let mut missing = Vec::new();
        for &k in unsure {
            if self.settle_lookup(&mut rows[batch[k]], stage).await? {
                missing.push(k);
            }
        }
        if !missing.is_empty() {
            tokio::time::sleep(self.options.recheck_delay).await;
            let mut still_missing = Vec::new();
            for k in missing {
                if self.settle_lookup(&mut rows[batch[k]], stage).await? {
                    still_missing.push(k);
                }
            }
            missing = still_missing;
        }
        let done = settle(unsure, intents, |k| rows[batch[k]].has_reached(stage));
        self.journal.finish(&done, IntentOutcome::Done, Some("reconciled"))?;
        let failed = settle(unsure, intents, |k| !rows[batch[k]].has_reached(stage));
        self.journal.finish(&failed, IntentOutcome::Failed, Some("reconciled: not created"))?;
        Ok(missing.into_iter().map(|k| batch[k]).collect())
    }

    /// One lookup of an unsure row; true when nothing was found (a resend may follow).
    async fn settle_lookup(&self, row: &mut Row, stage: Stage) -> Result<bool, Stop> {
        match self.look_up(row, stage).await? {
            Lookup::Adopted => Ok(false),
            Lookup::Missing => Ok(true),
            Lookup::Foreign(text) => {
                self.fail(row, stage, &text)?;
                Ok(false)
            }
        }
    }

    /// One item of a batch reply was refused (or came back without its id).
    fn fail_item(&self, row: &mut Row, stage: Stage, intent: i64, error: Option<&str>) -> StepResult {
        let error = error.map(str::to_string).unwrap_or_else(|| format!("Tradovate returned no {} id", stage.noun()));
        self.fail(row, stage, &error)?;
        self.journal.finish(&[intent], IntentOutcome::Failed, Some(&error))?;
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

/// Whether the row's account may be created now: its user exists and its contact info
/// is set (or not needed), and nothing failed.
fn needs_account(row: &Row) -> bool {
    row.failure.is_none()
        && row.user_id.is_some()
        && row.account_id.is_none()
        && (row.contact_done || row.trader.contact.is_none())
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
fn settle(positions: &[usize], intents: &[i64], keep: impl Fn(usize) -> bool) -> Vec<i64> {
    positions.iter().copied().filter(|&k| keep(k)).map(|k| intents[k]).collect()
}

/// What a lookup by name found.
#[derive(Debug, PartialEq)]
enum Lookup {
    /// This trader's user (account); the row now carries its id.
    Adopted,
    Missing,
    /// Someone else's: never taken over. The text says so, for the row.
    Foreign(String),
}

/// A batch reply reduced to what the pipeline needs, for users and accounts alike.
struct BatchReply {
    /// A top-level `errorText` beside `results[]`.
    batch_message: Option<String>,
    /// Positional: `items[k]` answers the k-th row sent.
    items: Vec<BatchItem>,
}

enum BatchItem {
    /// An id came back: the thing exists, whatever else the item says.
    Created {
        id: i64,
        trading_permission_id: Option<i64>,
    },
    Refused(String),
    /// Neither an id nor a reason: looked up before anything is concluded.
    Silent,
}

impl BatchItem {
    fn new(id: Option<i64>, trading_permission_id: Option<i64>, error_text: &Option<String>) -> Self {
        match (id, error_text_of(error_text)) {
            (Some(id), _) => BatchItem::Created { id, trading_permission_id },
            (None, Some(text)) => BatchItem::Refused(text.to_string()),
            (None, None) => BatchItem::Silent,
        }
    }
}

impl From<CreateEvaluationUsersResponse> for BatchReply {
    fn from(reply: CreateEvaluationUsersResponse) -> Self {
        BatchReply {
            batch_message: error_text_of(&reply.error_text).map(str::to_string),
            items: reply.results.iter().map(|r| BatchItem::new(r.user_id, None, &r.error_text)).collect(),
        }
    }
}

impl From<CreateEvaluationAccountsResponse> for BatchReply {
    fn from(reply: CreateEvaluationAccountsResponse) -> Self {
        BatchReply {
            batch_message: error_text_of(&reply.error_text).map(str::to_string),
            items: reply
                .results
                .iter()
                .map(|r| BatchItem::new(r.account_id, r.trading_permission_id, &r.error_text))
                .collect(),
        }
    }
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
