//! A value fetched in the background, as a state machine (DESIGN.md): not requested,
//! pending (keeping the previous value), ready, or failed (keeping the previous value).

use super::bridge::Bridge;
use super::problem::Problem;
use poll_promise::Promise;
use std::future::Future;

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
        let ctx = bridge.ctx.clone();
        bridge.runtime.spawn(async move {
            sender.send(job.await);
            ctx.request_repaint();
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
