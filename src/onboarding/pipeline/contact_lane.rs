//! Contact-info calls running beside the batch calls. The pipeline hands a batch's rows
//! here as soon as their users exist and keeps sending batches; the lane's calls make
//! progress whenever the pipeline awaits through [`ContactLane::drive`]. The calls own
//! their data (never the rows), so results wait in `finished` until the pipeline folds
//! them into its rows between two batches.
//!
//! How many calls are in flight adapts: one more after each success, up to the
//! pipeline's maximum, and half as many when the server pushed back (penalty, 423, 429).
//! The request rate itself is capped in one place, the client's rate limit
//! (`api::rate_limit`), so a large window never means too many requests per second.

use super::super::journal::{Action, Journal, JournalError};
use super::CancelToken;
use crate::api::wire::{UpdateContactInfo, UpdateContactInfoResponse};
use crate::api::{ApiResult, Client};
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use futures_util::stream::FuturesUnordered;
use std::collections::VecDeque;
use std::future::Future;

/// Calls in flight when a run starts; the window grows from here.
const FIRST_WINDOW: usize = 4;

/// One contact-info call to make.
pub struct ContactWork {
    /// The row's position in the run.
    pub index: usize,
    pub name: String,
    pub contact: UpdateContactInfo,
}

/// What became of one call: the journal intent (written before the call; no call when
/// that failed) and the reply.
pub struct ContactOutcome {
    pub index: usize,
    pub intents: Result<Vec<i64>, JournalError>,
    pub reply: Option<ApiResult<UpdateContactInfoResponse>>,
}

pub struct ContactLane<'a> {
    client: &'a Client,
    journal: &'a Journal,
    cancel: &'a CancelToken,
    queue: VecDeque<ContactWork>,
    in_flight: FuturesUnordered<BoxFuture<'a, ContactOutcome>>,
    finished: Vec<ContactOutcome>,
    window: usize,
    max_window: usize,
    pushbacks_seen: u64,
    /// Set after a stopping error: calls not yet started are never sent.
    halted: bool,
}

impl<'a> ContactLane<'a> {
    pub fn new(client: &'a Client, journal: &'a Journal, cancel: &'a CancelToken, max_window: usize) -> Self {
        let max_window = max_window.max(1);
        Self {
            client,
            journal,
            cancel,
            queue: VecDeque::new(),
            in_flight: FuturesUnordered::new(),
            finished: Vec::new(),
            window: FIRST_WINDOW.min(max_window),
            max_window,
            pushbacks_seen: client.pushbacks(),
            halted: false,
        }
    }

    pub fn push(&mut self, work: ContactWork) {
        self.queue.push_back(work);
    }

    /// No further call starts (those in flight still finish and are reported).
    pub fn halt(&mut self) {
        self.halted = true;
        self.queue.clear();
    }

    /// Results not yet folded into the rows.
    pub fn take_finished(&mut self) -> Vec<ContactOutcome> {
        std::mem::take(&mut self.finished)
    }

    /// Whether some call is queued or in flight.
    pub fn is_busy(&self) -> bool {
        !self.queue.is_empty() || !self.in_flight.is_empty()
    }

    /// Runs `work` to its end while the lane's calls keep going beside it.
    pub async fn drive<F: Future>(&mut self, work: F) -> F::Output {
        let mut work = std::pin::pin!(work);
        loop {
            self.refill();
            if self.in_flight.is_empty() {
                return work.await;
            }
            tokio::select! {
                biased;
                output = &mut work => return output,
                Some(outcome) = self.in_flight.next() => self.complete(outcome),
            }
        }
    }

    /// Waits for one call to finish (at once when none is in flight).
    pub async fn next_result(&mut self) {
        self.refill();
        if let Some(outcome) = self.in_flight.next().await {
            self.complete(outcome);
        }
    }

    /// Until every queued call has been made (or the lane was halted or cancelled).
    pub async fn drain(&mut self) {
        loop {
            self.refill();
            match self.in_flight.next().await {
                Some(outcome) => self.complete(outcome),
                None => return,
            }
        }
    }

    fn refill(&mut self) {
        if self.cancel.is_cancelled() {
            self.halt();
        }
        while !self.halted && self.in_flight.len() < self.window {
            let Some(work) = self.queue.pop_front() else { break };
            let (client, journal) = (self.client, self.journal);
            self.in_flight.push(Box::pin(async move {
                let intents = journal.begin(&[work.name.as_str()], Action::SetContact);
                // Intent first: nothing is sent unrecorded.
                let reply = match intents {
                    Ok(_) => Some(client.update_contact_info(&work.contact).await),
                    Err(_) => None,
                };
                ContactOutcome { index: work.index, intents, reply }
            }));
        }
    }

    fn complete(&mut self, outcome: ContactOutcome) {
        let pushbacks = self.client.pushbacks();
        if pushbacks > self.pushbacks_seen {
            self.pushbacks_seen = pushbacks;
            self.window = (self.window / 2).max(1);
        } else if matches!(outcome.reply, Some(Ok(_))) {
            self.window = (self.window + 1).min(self.max_window);
        }
        let stops = match &outcome.reply {
            Some(Err(error)) => super::is_fatal(error),
            Some(Ok(_)) => false,
            None => true,
        };
        if stops {
            self.halt();
        }
        self.finished.push(outcome);
    }
}
