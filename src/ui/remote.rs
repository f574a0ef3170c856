//! The one way the window runs background work (ARCHITECTURE.md): a value fetched in
//! the background is a [`Remote<T>`] (not requested, pending with the previous value,
//! ready, or failed with the previous value); a job that reports more than once (a
//! run's progress, file checks) sends into an [`Inbox<M>`]. Both repaint on arrival and
//! turn a panicking job into a failure plus an error toast, never a hang.

use super::bridge::Bridge;
use super::event::Event;
use super::problem::Problem;
use crate::diagnostics::caught::{caught, panic_text};
use poll_promise::Promise;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, channel};

#[derive(Default)]
pub enum Remote<T: Send + 'static> {
    #[default]
    NotRequested,
    Pending {
        previous: Option<T>,
        promise: Promise<Result<T, Problem>>,
    },
    Ready(T),
    Failed {
        error: Problem,
        previous: Option<T>,
    },
}

impl<T: Send + 'static> Remote<T> {
    /// Starts the request on the runtime, keeping the current value as `previous`.
    /// A request already in flight is left alone (a job runs at most once).
    pub fn request(&mut self, bridge: &Bridge, job: impl Future<Output = Result<T, Problem>> + Send + 'static) {
        if self.is_pending() {
            return;
        }
        let previous = match std::mem::take(self) {
            Remote::Ready(value) => Some(value),
            Remote::Failed { previous, .. } => previous,
            Remote::NotRequested | Remote::Pending { .. } => None,
        };
        let (sender, promise) = Promise::new();
        let bridge_for_job = bridge.clone();
        bridge.runtime.spawn(async move {
            // A panic becomes a failure here: an unsent promise would panic the UI thread.
            let result = settle(&bridge_for_job, job).await.unwrap_or_else(Err);
            sender.send(result);
            bridge_for_job.ctx.request_repaint();
        });
        *self = Remote::Pending { previous, promise };
    }

    /// [`Remote::request`] for blocking work (SQLite, disk), run on the blocking pool.
    pub fn request_blocking(&mut self, bridge: &Bridge, job: impl FnOnce() -> Result<T, Problem> + Send + 'static) {
        self.request(bridge, async move {
            match tokio::task::spawn_blocking(job).await {
                Ok(result) => result,
                // Re-raised here so the request's own panic handling tells it.
                Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
                Err(error) => Err(Problem::new("A background job was stopped", error.to_string())),
            }
        });
    }

    /// Moves a finished request to `Ready` or `Failed`; true when the state changed.
    pub fn poll(&mut self) -> bool {
        if !matches!(self, Remote::Pending { promise, .. } if promise.ready().is_some()) {
            return false;
        }
        let Remote::Pending { previous, promise } = std::mem::take(self) else { return false };
        *self = match promise.try_take() {
            Ok(Ok(value)) => Remote::Ready(value),
            Ok(Err(error)) => Remote::Failed { error, previous },
            Err(promise) => Remote::Pending { previous, promise },
        };
        true
    }

    pub fn is_pending(&self) -> bool {
        matches!(self, Remote::Pending { .. })
    }

    pub fn is_not_requested(&self) -> bool {
        matches!(self, Remote::NotRequested)
    }

    /// The value to show: the ready one, or the previous one while pending or failed.
    pub fn value(&self) -> Option<&T> {
        match self {
            Remote::Ready(value) => Some(value),
            Remote::Pending { previous, .. } | Remote::Failed { previous, .. } => previous.as_ref(),
            Remote::NotRequested => None,
        }
    }

    pub fn error(&self) -> Option<&Problem> {
        match self {
            Remote::Failed { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// Awaits a job; a panic is told as an error toast and returned as the failure.
pub(super) async fn settle<T>(bridge: &Bridge, job: impl Future<Output = T>) -> Result<T, Problem> {
    caught(job).await.map_err(|text| panicked(bridge, text))
}

/// Tells a panic (toast) and makes it the job's failure.
pub(super) fn panicked(bridge: &Bridge, text: String) -> Problem {
    bridge.send(Event::JobPanicked(text.clone()));
    Problem::new("A background job failed unexpectedly", text)
}

/// Messages from background jobs to one owner on the UI thread (a screen, or the app's
/// [`Event`]s), for work that reports more than one value. Drained once per frame.
pub struct Inbox<M> {
    sender: Sender<M>,
    receiver: Receiver<M>,
}

impl<M> Default for Inbox<M> {
    fn default() -> Self {
        let (sender, receiver) = channel();
        Self { sender, receiver }
    }
}

/// The sending end a job gets: every message wakes the UI.
pub struct Outbox<M> {
    sender: Sender<M>,
    ctx: egui::Context,
}

impl<M> Clone for Outbox<M> {
    fn clone(&self) -> Self {
        Self { sender: self.sender.clone(), ctx: self.ctx.clone() }
    }
}

impl<M: Send + 'static> Outbox<M> {
    pub fn send(&self, message: M) {
        // Only fails once the inbox's owner (the window) is gone: nobody left to tell.
        self.sender.send(message).ok();
        self.ctx.request_repaint();
    }
}

impl<M: Send + 'static> Inbox<M> {
    pub fn outbox(&self, ctx: &egui::Context) -> Outbox<M> {
        Outbox { sender: self.sender.clone(), ctx: ctx.clone() }
    }

    /// The messages that arrived since the last frame.
    pub fn drain(&self) -> impl Iterator<Item = M> + '_ {
        self.receiver.try_iter()
    }

    /// Runs `job` on the runtime and delivers its one message. If it panics, the toast
    /// says so and `on_panic`'s message is delivered instead, so nothing waits forever.
    pub fn spawn(
        &self,
        bridge: &Bridge,
        job: impl Future<Output = M> + Send + 'static,
        on_panic: impl FnOnce(Problem) -> M + Send + 'static,
    ) {
        self.stream(bridge, |outbox| async move { outbox.send(job.await) }, on_panic);
    }

    /// Like [`Inbox::spawn`], for blocking work (disk, SQLite, decoding) on the blocking pool.
    pub fn spawn_blocking(
        &self,
        bridge: &Bridge,
        job: impl FnOnce() -> M + Send + 'static,
        on_panic: impl FnOnce(Problem) -> M + Send + 'static,
    ) {
        let (outbox, bridge) = (self.outbox(&bridge.ctx), bridge.clone());
        bridge.runtime.clone().spawn_blocking(move || {
            let message =
                catch_unwind(AssertUnwindSafe(job)).unwrap_or_else(|p| on_panic(panicked(&bridge, panic_text(&*p))));
            outbox.send(message);
        });
    }

    /// Runs a job that reports any number of messages (a run's progress) through the
    /// [`Outbox`] it is given; a panic delivers `on_panic`'s message last.
    pub fn stream<Job>(
        &self,
        bridge: &Bridge,
        job: impl FnOnce(Outbox<M>) -> Job,
        on_panic: impl FnOnce(Problem) -> M + Send + 'static,
    ) where
        Job: Future<Output = ()> + Send + 'static,
    {
        let outbox = self.outbox(&bridge.ctx);
        let running = job(outbox.clone());
        let bridge_for_job = bridge.clone();
        bridge.runtime.spawn(async move {
            if let Err(problem) = settle(&bridge_for_job, running).await {
                outbox.send(on_panic(problem));
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// Waits (up to 5 s) for `n` messages.
    fn receive<M: Send + 'static>(inbox: &Inbox<M>, n: usize) -> Vec<M> {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut got = Vec::new();
        while got.len() < n {
            assert!(Instant::now() < deadline, "only {} of {n} messages arrived", got.len());
            got.extend(inbox.drain());
            std::thread::sleep(Duration::from_millis(5));
        }
        got
    }

    fn panic_toasts(events: &Inbox<Event>, n: usize) -> Vec<String> {
        let mut texts: Vec<String> = receive(events, n)
            .into_iter()
            .map(|event| match event {
                Event::JobPanicked(text) => text,
                _ => panic!("expected JobPanicked"),
            })
            .collect();
        texts.sort();
        texts
    }

    #[test]
    fn a_panicking_job_fails_with_a_toast_instead_of_crashing_the_window() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let (bridge, events) = Bridge::new(runtime.handle().clone(), egui::Context::default());
        let mut remote: Remote<u32> = Remote::default();
        remote.request(&bridge, async { panic!("index out of bounds in a job") });
        let deadline = Instant::now() + Duration::from_secs(5);
        while !remote.poll() {
            assert!(Instant::now() < deadline, "the job never settled");
            std::thread::sleep(Duration::from_millis(5));
        }
        let error = remote.error().expect("the panic is a failure");
        assert!(format!("{error:?}").contains("index out of bounds in a job"), "{error:?}");
        assert_eq!(panic_toasts(&events, 1), ["index out of bounds in a job"]);
    }

    #[test]
    fn bridge_jobs_that_panic_report_instead_of_vanishing() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let (bridge, events) = Bridge::new(runtime.handle().clone(), egui::Context::default());
        bridge.spawn(async { panic!("async job") });
        bridge.spawn_blocking(|| panic!("blocking job"));
        assert_eq!(panic_toasts(&events, 2), ["async job", "blocking job"]);
    }

    #[derive(Debug, PartialEq)]
    enum Progress {
        Step(u32),
        Stopped(String),
    }

    #[test]
    fn inbox_jobs_that_panic_deliver_their_last_word_and_a_toast() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let (bridge, events) = Bridge::new(runtime.handle().clone(), egui::Context::default());
        let inbox: Inbox<Progress> = Inbox::default();
        let stopped = |problem: Problem| Progress::Stopped(problem.details);
        inbox.stream(
            &bridge,
            |outbox| async move {
                outbox.send(Progress::Step(1));
                panic!("streamed job");
            },
            stopped,
        );
        assert_eq!(receive(&inbox, 2), [Progress::Step(1), Progress::Stopped("streamed job".into())]);
        inbox.spawn_blocking(&bridge, || panic!("blocking inbox job"), stopped);
        assert_eq!(receive(&inbox, 1), [Progress::Stopped("blocking inbox job".into())]);
        inbox.spawn(&bridge, async { Progress::Step(2) }, stopped);
        assert_eq!(receive(&inbox, 1), [Progress::Step(2)]);
        assert_eq!(panic_toasts(&events, 2), ["blocking inbox job", "streamed job"]);
    }
}
