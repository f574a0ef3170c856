//! The app's link to its tokio runtime: the handle is explicit (the eframe thread is
//! not a tokio thread), results come back over a channel, and every result wakes the UI.

use super::event::Event;
use futures_util::FutureExt;
use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, channel};

#[derive(Clone)]
pub struct Bridge {
    pub runtime: tokio::runtime::Handle,
    pub ctx: egui::Context,
    events: Sender<Event>,
}

impl Bridge {
    pub fn new(runtime: tokio::runtime::Handle, ctx: egui::Context) -> (Self, Receiver<Event>) {
        let (events, receiver) = channel();
        (Self { runtime, ctx, events }, receiver)
    }

    /// Runs async work on the runtime and delivers its event (or, if it panics, an
    /// error toast: a bug in one job must not take the window down).
    pub fn spawn(&self, job: impl Future<Output = Event> + Send + 'static) {
        let this = self.clone();
        self.runtime.spawn(async move {
            let event =
                AssertUnwindSafe(job).catch_unwind().await.unwrap_or_else(|p| Event::JobPanicked(panic_text(&*p)));
            this.send(event);
        });
    }

    /// Runs blocking work (disk, keyring) on the runtime's blocking pool.
    pub fn spawn_blocking(&self, job: impl FnOnce() -> Event + Send + 'static) {
        let this = self.clone();
        self.runtime.spawn_blocking(move || {
            let event = catch_unwind(AssertUnwindSafe(job)).unwrap_or_else(|p| Event::JobPanicked(panic_text(&*p)));
            this.send(event);
        });
    }

    pub fn send(&self, event: Event) {
        // The receiver only goes away when the window closes; nothing left to tell.
        let _ = self.events.send(event);
        self.ctx.request_repaint();
    }
}

/// The message a panicking job gave, for the toast's details.
pub fn panic_text(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}
