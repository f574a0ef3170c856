//! One onboarding run, shared by the window's Traders screen and `propdesk onboard`, so
//! the same roster gives the same statuses, the same "ready" count and the same
//! RESULTS in both.
//!
//! A run takes the journal's run lock ([`RunLock`]) first, checks the roster against
//! the journal ([`RosterCheck`]), then sends the ready rows through the [`Pipeline`].
//! A row with an empty password is invalid here as everywhere: a run never invents a
//! password, because one nobody wrote down locks the trader out of an account the
//! firm pays for (the window's "Generate passwords" fills them, for the hand-out).

use super::journal::{Journal, JournalError};
use super::pipeline::{CancelToken, Pipeline, PipelineEvent, PipelineOptions, RunSummary};
use super::prepare::{RosterCheck, prepare};
use super::results::{ResultRow, RowResult, result_rows};
use super::risk::{RiskRulesMissing, TemplateRules};
use super::run_lock::{RunHolder, RunLock, RunLockError};
use super::{Roster, RowId};
use crate::api::Client;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

/// What a run reports while it goes.
#[derive(Clone, Debug, PartialEq)]
pub enum RunEvent {
    /// The rows being sent, in pipeline order: a [`PipelineEvent::Row`]'s `index` is a
    /// position in `sending`.
    Started {
        sending: Vec<RowId>,
    },
    Pipeline(PipelineEvent),
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Busy(RunLockError),
    #[error("The journal could not be read: {0}")]
    Journal(#[from] JournalError),
    #[error("The run stopped unexpectedly: {0}")]
    Crashed(String),
    #[error(transparent)]
    NoRiskRules(#[from] RiskRulesMissing),
}

/// A run that holds its journal's lock and has checked its roster; nothing sent yet.
pub struct Run {
    client: Client,
    journal: Arc<Journal>,
    lock: RunLock,
    roster: Roster,
    check: RosterCheck,
    plan_id: i64,
    template: TemplateRules,
}

/// How a run ended, per row and in total.
pub struct RunReport {
    pub roster: Roster,
    pub check: RosterCheck,
    pub results: HashMap<RowId, RowResult>,
    pub summary: RunSummary,
}

impl RunReport {
    /// RESULTS: one line per roster row.
    pub fn rows(&self) -> Vec<ResultRow> {
        result_rows(&self.roster, &self.check, &self.results)
    }
}

impl Run {
    /// Takes the run lock of `journal`'s environment, refused while another run holds
    /// it. `program` names this run in the message a refused run shows.
    pub async fn lock(journal: Arc<Journal>, program: &str) -> Result<RunLock, RunError> {
        let program = program.to_string();
        tokio::task::spawn_blocking(move || RunLock::take(&journal, &program))
            .await
            .map_err(|e| RunError::Crashed(e.to_string()))?
            .map_err(RunError::Busy)
    }

    /// Checks `roster` against the locked journal; nothing is sent yet.
    pub async fn begin(
        client: Client,
        lock: RunLock,
        roster: Roster,
        plan_id: i64,
        template: TemplateRules,
    ) -> Result<Self, RunError> {
        tokio::task::spawn_blocking(move || {
            let journal = lock.journal().clone();
            let mut check = RosterCheck::new(&roster, Some(&journal))?;
            check.apply_risk_rules(&roster, &template)?;
            Ok(Self { client, journal, lock, roster, check, plan_id, template })
        })
        .await
        .map_err(|e| RunError::Crashed(e.to_string()))?
    }

    pub fn check(&self) -> &RosterCheck {
        &self.check
    }

    /// Rows that will be sent: valid and not onboarded yet.
    pub fn ready(&self) -> usize {
        self.roster.iter().filter(|(id, trader)| self.check.is_ready(*id, trader)).count()
    }

    /// Rows with problems, never sent.
    pub fn invalid(&self) -> usize {
        self.check.validation.invalid_row_count()
    }

    /// The holder this run took the lock over from, when that one had died holding it.
    pub fn took_over_from(&self) -> Option<&RunHolder> {
        self.lock.took_over_from.as_ref()
    }

    /// Sends the ready rows (all, or those in `only`), then lets go of the lock.
    pub async fn send(
        self,
        only: Option<&HashSet<RowId>>,
        cancel: &CancelToken,
        events: &UnboundedSender<RunEvent>,
    ) -> RunReport {
        let (sending, traders): (Vec<RowId>, Vec<_>) =
            prepare(&self.roster, &self.check, self.plan_id, &self.template, only).into_iter().unzip();
        let _ = events.send(RunEvent::Started { sending: sending.clone() });
        let pipeline = Pipeline::new(self.client.clone(), self.journal.clone(), PipelineOptions::default());
        let (sender, mut receiver) = unbounded_channel();
        let mut results = HashMap::new();
        let run = async move {
            let summary = pipeline.run(traders, cancel, &sender).await;
            drop(sender); // ends the loop below
            summary
        };
        let collect = async {
            while let Some(event) = receiver.recv().await {
                if let PipelineEvent::Row(update) = &event
                    && let Some(id) = sending.get(update.index)
                {
                    results.insert(*id, RowResult::from_update(update));
                }
                let _ = events.send(RunEvent::Pipeline(event));
            }
        };
        let (summary, ()) = tokio::join!(run, collect);
        drop(self.lock);
        RunReport { roster: self.roster, check: self.check, results, summary }
    }
}
