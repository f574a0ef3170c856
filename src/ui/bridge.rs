//! The app's link to its tokio runtime: the handle is explicit (the eframe thread is
//! not a tokio thread), results come back over a channel, and every result wakes the UI.

use super::event::Event;
use std::future::Future;
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

    /// Runs async work on the runtime and delivers its event.
    pub fn spawn(&self, job: impl Future<Output = Event> + Send + 'static) {
        let this = self.clone();
        self.runtime.spawn(async move {
            let event = job.await;
            this.send(event);
        });
    }

    /// Runs blocking work (disk, keyring) on the runtime's blocking pool.
    pub fn spawn_blocking(&self, job: impl FnOnce() -> Event + Send + 'static) {
        let this = self.clone();
        self.runtime.spawn_blocking(move || this.send(job()));
    }

    pub fn send(&self, event: Event) {
        // The receiver only goes away when the window closes; nothing left to tell.
        let _ = self.events.send(event);
        self.ctx.request_repaint();
    }
}
