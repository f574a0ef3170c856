//! A value fetched in the background, as a state machine (DESIGN.md): not requested,
//! pending (keeping the previous value), ready, or failed (keeping the previous value).

use super::bridge::{Bridge, panic_text};
use super::event::Event;
use super::problem::Problem;
use futures_util::FutureExt;
use poll_promise::Promise;
use std::future::Future;
use std::panic::AssertUnwindSafe;

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
            // A panic becomes a failure here and a toast: an unsent promise would panic the UI thread.
            let result = AssertUnwindSafe(job).catch_unwind().await.unwrap_or_else(|payload| {
                let text = panic_text(&*payload);
                bridge_for_job.send(Event::JobPanicked(text.clone()));
                Err(Problem::new("A background job failed unexpectedly", text))
            });
            sender.send(result);
            bridge_for_job.ctx.request_repaint();
        });
        *self = Remote::Pending { previous, promise };
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

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
        match events.recv_timeout(Duration::from_secs(5)) {
            Ok(Event::JobPanicked(text)) => assert!(text.contains("index out of bounds")),
            _ => panic!("no JobPanicked event for the toast"),
        }
    }

    #[test]
    fn bridge_jobs_that_panic_report_instead_of_vanishing() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let (bridge, events) = Bridge::new(runtime.handle().clone(), egui::Context::default());
        bridge.spawn(async { panic!("async job") });
        bridge.spawn_blocking(|| panic!("blocking job"));
        let mut texts: Vec<String> = (0..2)
            .map(|_| match events.recv_timeout(Duration::from_secs(5)) {
                Ok(Event::JobPanicked(text)) => text,
                _ => panic!("expected JobPanicked"),
            })
            .collect();
        texts.sort();
        assert_eq!(texts, ["async job", "blocking job"]);
    }
}
