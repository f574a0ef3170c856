//! Submissions as background jobs a screen can poll: one job per draft at a time.
//!
//! [`SubmissionJobs`] runs [`submit`], [`retry_failed_documents`] and status checks on the
//! tokio runtime it is given (the UI thread is not a tokio thread). Each job reports every change
//! as a whole [`Submission`] over an unbounded channel and asks for a repaint; the screen keeps a
//! [`SubmissionHandle`] and calls [`SubmissionHandle::poll`] each frame. A second start for a
//! draft whose job is still running is refused ("a job runs at most once", DESIGN.md).
//! [`SubmissionJobs::watch_statuses`] makes the automatic status checks while a list is open.

use super::draft::Documents;
use super::progress::Submission;
use super::registry::Registry;
use super::submission::{Prepared, SubmitError, retry_failed_documents, submit};
use super::tracking::{self, PollPace, TrackError};
use crate::api::Client;
use crate::diagnostics::caught::caught;
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::runtime::Handle;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// What a job tells its screen.
#[derive(Clone, Debug, PartialEq)]
pub enum SubmissionEvent {
    /// Something changed; this is the whole picture now.
    Updated(Submission),
    /// The job ended: the final picture, or why it could not run.
    Finished(Result<Submission, SubmitError>),
}

type Repaint = Arc<dyn Fn() + Send + Sync>;

/// The app's one set of submission jobs. Cheap to clone.
#[derive(Clone)]
pub struct SubmissionJobs {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    registry: Arc<Registry>,
    runtime: Handle,
    /// Drafts with a running job (status checks use their own key, see `refresh_key`).
    running: Mutex<HashSet<String>>,
    repaint: Mutex<Option<Repaint>>,
}

impl SubmissionJobs {
    pub fn new(client: Client, registry: Arc<Registry>, runtime: Handle) -> SubmissionJobs {
        SubmissionJobs {
            inner: Arc::new(Inner {
                client,
                registry,
                runtime,
                running: Mutex::new(HashSet::new()),
                repaint: Mutex::new(None),
            }),
        }
    }

    /// Called after every event (the UI passes `ctx.request_repaint`).
    pub fn set_repaint(&self, repaint: impl Fn() + Send + Sync + 'static) {
        *lock(&self.inner.repaint) = Some(Arc::new(repaint));
    }

    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// True while a submit or retry job runs for this draft.
    pub fn is_running(&self, draft_id: &str) -> bool {
        lock(&self.inner.running).contains(draft_id)
    }

    /// Starts submitting a prepared draft. Refused when a job for the draft is running or the
    /// draft was submitted already (checked again, atomically, before the create is sent).
    pub fn start_submit(&self, prepared: Prepared) -> Result<SubmissionHandle, SubmitError> {
        if let Some(existing) = self.inner.registry.get(&prepared.draft_id)?
            && !existing.stage.allows_create()
        {
            return Err(SubmitError::AlreadySubmitted(Box::new(existing)));
        }
        let draft_id = prepared.draft_id.clone();
        self.spawn(draft_id.clone(), draft_id, move |inner, report| async move {
            submit(&inner.client, &inner.registry, &prepared, &|s| report.updated(s)).await
        })
    }

    /// Starts uploading the documents of a created request that are not in yet.
    pub fn start_retry_documents(&self, draft_id: &str, documents: Documents) -> Result<SubmissionHandle, SubmitError> {
        let existing = self.inner.registry.get(draft_id)?.ok_or(SubmitError::NotSubmitted)?;
        if !existing.may_retry_documents() {
            return Err(SubmitError::NothingToRetry(Box::new(existing)));
        }
        let id = draft_id.to_owned();
        self.spawn(draft_id.to_owned(), draft_id.to_owned(), move |inner, report| async move {
            retry_failed_documents(&inner.client, &inner.registry, &id, &documents, &|s| report.updated(s)).await
        })
    }

    /// Starts a status check of every submission that is due at `pace` and has no check
    /// running, keeping their handles; also says when the next one falls due. Reads the
    /// registry: call it off the UI thread.
    pub fn start_due_checks(&self, pace: PollPace) -> DueChecks {
        let Ok(all) = self.inner.registry.list() else { return DueChecks::default() };
        let now = Utc::now();
        let mut due = DueChecks::default();
        for s in all {
            let (Some(at), Some(request_id)) = (pace.next_poll_at(&s), s.request_id) else { continue };
            let at = if at > now {
                at
            } else {
                if let Some(handle) = self.start_check(&s.draft_id, request_id) {
                    due.started.push(handle);
                }
                // Checking now (or already): look again one pace later, when its next is planned.
                now + chrono::Duration::from_std(pace.soon).unwrap_or_default()
            };
            due.next_at = Some(due.next_at.map_or(at, |next| next.min(at)));
        }
        due
    }

    /// Checks statuses at `pace` in the background until the watch is dropped (the list keeps
    /// one while it is on screen). Each finished check is reported on the watch, with a repaint.
    pub fn watch_statuses(&self, pace: PollPace) -> StatusWatch {
        let (sender, checked) = unbounded_channel();
        let jobs = self.clone();
        let task = self.inner.runtime.spawn(async move {
            loop {
                let scan = jobs.clone();
                let Ok(due) = tokio::task::spawn_blocking(move || scan.start_due_checks(pace)).await else { return };
                for handle in due.started {
                    let (sender, repaint) = (sender.clone(), lock(&jobs.inner.repaint).clone());
                    jobs.inner.runtime.spawn(async move {
                        if let Ok(s) = handle.wait().await
                            && sender.send(s).is_ok()
                            && let Some(repaint) = repaint
                        {
                            repaint();
                        }
                    });
                }
                let until_due = due.next_at.map_or(RESCAN_EVERY, |at| (at - Utc::now()).to_std().unwrap_or_default());
                tokio::time::sleep(until_due.min(RESCAN_EVERY)).await;
            }
        });
        StatusWatch { task, checked }
    }

    /// Starts one status check now (a "Check now" button); `None` if one is running.
    pub fn start_check(&self, draft_id: &str, request_id: i64) -> Option<SubmissionHandle> {
        self.spawn(refresh_key(draft_id), draft_id.to_owned(), move |inner, _report| async move {
            match tracking::refresh(&inner.client, &inner.registry, request_id).await {
                Ok(s) => Ok(s),
                // The failure is recorded on the submission (`check_error`): show that.
                Err(TrackError::Api { .. }) => inner.registry.by_request(request_id)?.ok_or(SubmitError::NotSubmitted),
                Err(TrackError::UnknownRequest(_)) => Err(SubmitError::NotSubmitted),
                Err(TrackError::Registry(e)) => Err(SubmitError::Registry(e)),
            }
        })
        .ok()
    }

    fn spawn<F, Fut>(&self, key: String, draft_id: String, job: F) -> Result<SubmissionHandle, SubmitError>
    where
        F: FnOnce(Arc<Inner>, Reporter) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<Submission, SubmitError>> + Send + 'static,
    {
        if !lock(&self.inner.running).insert(key.clone()) {
            return Err(SubmitError::AlreadyRunning);
        }
        let guard = Running { inner: self.inner.clone(), key: key.clone() };
        let (sender, events) = unbounded_channel();
        let reporter = Reporter { sender: sender.clone(), repaint: lock(&self.inner.repaint).clone() };
        let inner = self.inner.clone();
        self.inner.runtime.spawn(async move {
            // A panic still finishes the handle, so the screen does not say "sending" forever.
            let outcome =
                caught(job(inner, reporter.clone())).await.unwrap_or_else(|text| Err(SubmitError::Stopped(text)));
            // Free the draft before saying so, so a screen reacting to `Finished` may start again.
            drop(guard);
            let _ = sender.send(SubmissionEvent::Finished(outcome));
            reporter.repaint();
        });
        Ok(SubmissionHandle { draft_id, events, latest: None, outcome: None })
    }
}

/// How often a watch looks at the registry when nothing is due sooner: picks up requests
/// created while it sleeps (the wizard's, or the CLI's).
const RESCAN_EVERY: Duration = Duration::from_secs(5);

/// What [`SubmissionJobs::start_due_checks`] did.
#[derive(Default)]
pub struct DueChecks {
    pub started: Vec<SubmissionHandle>,
    /// When the next submission not checked now falls due.
    pub next_at: Option<DateTime<Utc>>,
}

/// Background status checks for an open list; dropping it stops them (checks already
/// running finish).
pub struct StatusWatch {
    task: tokio::task::JoinHandle<()>,
    checked: UnboundedReceiver<Submission>,
}

impl StatusWatch {
    /// The submissions checked since the last call.
    pub fn poll(&mut self) -> Vec<Submission> {
        std::iter::from_fn(|| self.checked.try_recv().ok()).collect()
    }

    /// The next finished check, waiting for it (for async callers and tests).
    pub async fn next_checked(&mut self) -> Option<Submission> {
        self.checked.recv().await
    }
}

impl Drop for StatusWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn refresh_key(draft_id: &str) -> String {
    format!("status check:{draft_id}")
}

/// Releases the draft when the job ends, even if it panicked.
struct Running {
    inner: Arc<Inner>,
    key: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        lock(&self.inner.running).remove(&self.key);
    }
}

/// Sends each change to the handle and asks for a repaint.
#[derive(Clone)]
struct Reporter {
    sender: UnboundedSender<SubmissionEvent>,
    repaint: Option<Repaint>,
}

impl Reporter {
    fn repaint(&self) {
        if let Some(repaint) = &self.repaint {
            repaint();
        }
    }
}

impl Reporter {
    fn updated(&self, s: &Submission) {
        let _ = self.sender.send(SubmissionEvent::Updated(s.clone()));
        self.repaint();
    }
}

/// A screen's view of one job.
pub struct SubmissionHandle {
    draft_id: String,
    events: UnboundedReceiver<SubmissionEvent>,
    latest: Option<Submission>,
    outcome: Option<Result<Submission, SubmitError>>,
}

impl SubmissionHandle {
    pub fn draft_id(&self) -> &str {
        &self.draft_id
    }

    /// Takes in everything reported since the last call; true when anything changed.
    pub fn poll(&mut self) -> bool {
        let mut changed = false;
        while let Ok(event) = self.events.try_recv() {
            self.apply(event);
            changed = true;
        }
        changed
    }

    /// The submission as last reported.
    pub fn latest(&self) -> Option<&Submission> {
        self.latest.as_ref()
    }

    /// How the job ended, once it has.
    pub fn outcome(&self) -> Option<&Result<Submission, SubmitError>> {
        self.outcome.as_ref()
    }

    pub fn is_finished(&self) -> bool {
        self.outcome.is_some()
    }

    /// The next event, waiting for it (for async callers and tests).
    pub async fn next_event(&mut self) -> Option<SubmissionEvent> {
        let event = self.events.recv().await?;
        self.apply(event.clone());
        Some(event)
    }

    /// Waits for the job to end.
    pub async fn wait(mut self) -> Result<Submission, SubmitError> {
        while self.outcome.is_none() {
            if self.next_event().await.is_none() {
                break;
            }
        }
        self.outcome.unwrap_or(Err(SubmitError::Registry("the job stopped without an outcome".into())))
    }

    fn apply(&mut self, event: SubmissionEvent) {
        match event {
            SubmissionEvent::Updated(s) => self.latest = Some(s),
            SubmissionEvent::Finished(outcome) => {
                if let Ok(s) = &outcome {
                    self.latest = Some(s.clone());
                }
                self.outcome = Some(outcome);
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
