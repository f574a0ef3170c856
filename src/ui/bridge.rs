//! The app's link to its tokio runtime: the handle is explicit (the eframe thread is
//! not a tokio thread), results come back over a channel, and every result wakes the UI.

use super::event::Event;
use super::remote::{Inbox, Outbox, panicked, settle};
use crate::diagnostics::caught::panic_text;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};

#[derive(Clone)]
pub struct Bridge {
    pub runtime: tokio::runtime::Handle,
    pub ctx: egui::Context,
    events: Outbox<Event>,
}

impl Bridge {
    /// The bridge and the app's inbox of [`Event`]s (the same [`Inbox`] screens use).
    pub fn new(runtime: tokio::runtime::Handle, ctx: egui::Context) -> (Self, Inbox<Event>) {
        let inbox = Inbox::default();
        (Self { runtime, events: inbox.outbox(&ctx), ctx }, inbox)
    }

    /// Runs async work on the runtime and delivers its event (or, if it panics, an
    /// error toast: a bug in one job must not take the window down).
    pub fn spawn(&self, job: impl Future<Output = Event> + Send + 'static) {
        let this = self.clone();
        self.spawn_reporting(async move { this.send(job.await) });
    }

    /// Runs async work that sends its own events (a stream, like the agreement watch's)
    /// or none (token renewal); a panic is an error toast. The handle may abort it.
    pub fn spawn_reporting(&self, job: impl Future<Output = ()> + Send + 'static) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        self.runtime.spawn(async move {
            // `settle` already told the panic; nothing else to deliver.
            settle(&this, job).await.ok();
        })
    }

    /// Runs blocking work (disk, keyring) on the runtime's blocking pool.
    pub fn spawn_blocking(&self, job: impl FnOnce() -> Event + Send + 'static) {
        let this = self.clone();
        self.runtime.spawn_blocking(move || match catch_unwind(AssertUnwindSafe(job)) {
            Ok(event) => this.send(event),
            Err(payload) => {
                panicked(&this, panic_text(&*payload));
            }
        });
    }

    pub fn send(&self, event: Event) {
        self.events.send(event);
    }
}
