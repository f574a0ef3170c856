//! The live board (issue 14 item 4): what other admins, another window or a CLI run
//! write to the shared journal shows up within seconds. A background task reads the
//! journal's change mark (one indexed row) every [`CHANGE_POLL_INTERVAL`] and, only when
//! it moved, marks the workspace changed and wakes the window, so every screen re-reads.
//! An idle journal costs one tiny read per interval and no repaint at all.

use super::bridge::Bridge;
use crate::onboarding::journal::Journal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How often a window asks the journal whether anything changed: "within seconds" for
/// the team, and a read that costs well under a millisecond (see ARCHITECTURE.md).
pub const CHANGE_POLL_INTERVAL: Duration = Duration::from_secs(2);

/// The polling task; dropping it (the workspace closed, or another environment opened)
/// stops it.
pub struct ChangeFeed {
    task: tokio::task::JoinHandle<()>,
}

impl ChangeFeed {
    /// Starts following `journal`, bumping `changes` when it moved. `None` for a journal
    /// nothing else can write (the Sandbox's, in memory): there is nothing to follow.
    pub fn follow(journal: Arc<Journal>, changes: Arc<AtomicU64>, bridge: &Bridge, every: Duration) -> Option<Self> {
        if !journal.is_shared() {
            return None;
        }
        let ctx = bridge.ctx.clone();
        let task = bridge.spawn_reporting(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            // `None` until the first reading, which counts as a change: a write between the
            // screens' first read and that reading would otherwise go unseen.
            let mut seen: Option<i64> = None;
            let mut failing = false;
            loop {
                ticks.tick().await;
                let reader = journal.clone();
                let Ok(reading) = tokio::task::spawn_blocking(move || reader.change_mark()).await else { return };
                match reading {
                    Ok(mark) if seen != Some(mark) => {
                        seen = Some(mark);
                        failing = false;
                        changes.fetch_add(1, Ordering::Relaxed);
                        ctx.request_repaint();
                    }
                    Ok(_) => failing = false,
                    // Said once per outage, not every 2 s; the next good reading resumes.
                    Err(error) if !failing => {
                        failing = true;
                        tracing::warn!("the live board cannot read the journal's changes: {error}");
                    }
                    Err(_) => {}
                }
            }
        });
        Some(Self { task })
    }
}

impl Drop for ChangeFeed {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onboarding::journal::Journal;
    use std::sync::atomic::AtomicUsize;
    use std::time::Instant;

    /// Waits (up to 5 s) until `done` holds.
    fn eventually(what: &str, done: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !done() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn another_process_write_wakes_the_window_once_and_an_idle_journal_never_does() {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("journal.sqlite");
        let window = Arc::new(Journal::open(&file, "demo").unwrap());
        let ctx = egui::Context::default();
        let repaints = Arc::new(AtomicUsize::new(0));
        let counted = repaints.clone();
        // The observer sees every request (the callback only those that hurry a repaint).
        ctx.set_repaint_observer(move |_| {
            counted.fetch_add(1, Ordering::Relaxed);
        });
        let (bridge, _inbox) = Bridge::new(runtime.handle().clone(), ctx);
        let changes = Arc::new(AtomicU64::new(1));
        let every = Duration::from_millis(20);
        let feed = ChangeFeed::follow(window, changes.clone(), &bridge, every).expect("a file is shared");

        // The first reading counts once; then 15 polls of an unchanged journal: silence.
        eventually("the first reading", || changes.load(Ordering::Relaxed) == 2);
        std::thread::sleep(every * 15);
        assert_eq!(changes.load(Ordering::Relaxed), 2, "nothing changed, nothing to re-read");
        assert_eq!(repaints.load(Ordering::Relaxed), 1, "an idle journal must not repaint the window");

        // A CLI run (its own connection to the file) writes: one re-read, one repaint.
        let cli = Journal::open(&file, "demo").unwrap();
        cli.upsert_trader("ada", "ada@x.com", "EVAL1").unwrap();
        eventually("the write to be seen", || changes.load(Ordering::Relaxed) == 3);
        std::thread::sleep(every * 5);
        assert_eq!((changes.load(Ordering::Relaxed), repaints.load(Ordering::Relaxed)), (3, 2));

        // Closed (the workspace dropped it): later writes are nobody's business.
        drop(feed);
        std::thread::sleep(every * 2);
        cli.record_user("ada", 7).unwrap();
        std::thread::sleep(every * 5);
        assert_eq!(changes.load(Ordering::Relaxed), 3, "a closed feed stops polling");
    }

    #[test]
    fn the_sandbox_journal_in_memory_has_no_feed() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (bridge, _inbox) = Bridge::new(runtime.handle().clone(), egui::Context::default());
        let journal = Arc::new(Journal::in_memory("sandbox").unwrap());
        assert!(ChangeFeed::follow(journal, Arc::new(AtomicU64::new(1)), &bridge, CHANGE_POLL_INTERVAL).is_none());
    }
}
