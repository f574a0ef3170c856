//! The live board (issue 14 item 4): what other admins, another window or a CLI run
//! write to the shared journal shows up within seconds. A background task reads the
//! journal's change mark (one indexed row) every [`CHANGE_POLL_INTERVAL`] and, only when
//! it moved, marks the workspace changed and wakes the window, so every screen re-reads.
//! An idle journal costs one tiny read per interval and no repaint at all.

use super::bridge::Bridge;
use crate::onboarding::journal::Journal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often a window asks the journal whether anything changed: "within seconds" for
/// the team, and a read that costs well under a millisecond (see ARCHITECTURE.md).
pub const CHANGE_POLL_INTERVAL: Duration = Duration::from_secs(2);

/// The polling task; dropping it (the workspace closed, or another environment opened)
/// stops it.
pub struct ChangeFeed {
    task: tokio::task::JoinHandle<()>,
    /// Why the journal cannot be read right now (the board says updates are paused).
    paused: Arc<Mutex<Option<String>>>,
}

impl ChangeFeed {
    /// Starts following `journal`, bumping `changes` when it moved. `None` for a journal
    /// nothing else can write (the Sandbox's, in memory): there is nothing to follow.
    pub fn follow(journal: Arc<Journal>, changes: Arc<AtomicU64>, bridge: &Bridge, every: Duration) -> Option<Self> {
        if !journal.is_shared() {
            return None;
        }
        let ctx = bridge.ctx.clone();
        let paused: Arc<Mutex<Option<String>>> = Arc::default();
        let pause = paused.clone();
        let task = bridge.spawn_reporting(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            // `None` until the first reading, which counts as a change: a write between the
            // screens' first read and that reading would otherwise go unseen.
            let mut seen: Option<i64> = None;
            loop {
                ticks.tick().await;
                let reader = journal.clone();
                let Ok(reading) = tokio::task::spawn_blocking(move || reader.change_mark()).await else { return };
                let was_failing = pause.lock().unwrap_or_else(|e| e.into_inner()).is_some();
                match reading {
                    Ok(mark) => {
                        // After an outage, re-read even if the mark is back where it was:
                        // the screens' own reads may have failed meanwhile.
                        if seen != Some(mark) || was_failing {
                            seen = Some(mark);
                            *pause.lock().unwrap_or_else(|e| e.into_inner()) = None;
                            changes.fetch_add(1, Ordering::Relaxed);
                            ctx.request_repaint();
                        }
                    }
                    // Said once per outage (log and board), not every 2 s.
                    Err(error) if !was_failing => {
                        tracing::warn!("the live board cannot read the journal's changes: {error}");
                        *pause.lock().unwrap_or_else(|e| e.into_inner()) = Some(error.to_string());
                        ctx.request_repaint();
                    }
                    Err(_) => {}
                }
            }
        });
        Some(Self { task, paused })
    }
}

impl ChangeFeed {
    /// Why other admins' changes are not coming in right now; `None` while they are.
    pub fn paused(&self) -> Option<String> {
        self.paused.lock().unwrap_or_else(|e| e.into_inner()).clone()
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

    #[test]
    fn a_journal_that_cannot_be_read_pauses_the_feed_and_a_readable_one_resumes_it_with_a_re_read() {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("journal.sqlite");
        let window = Arc::new(Journal::open(&file, "demo").unwrap());
        let (bridge, _inbox) = Bridge::new(runtime.handle().clone(), egui::Context::default());
        let changes = Arc::new(AtomicU64::new(1));
        let every = Duration::from_millis(20);
        let feed = ChangeFeed::follow(window, changes.clone(), &bridge, every).expect("a file is shared");
        eventually("the first reading", || changes.load(Ordering::Relaxed) == 2);
        assert_eq!(feed.paused(), None);

        // The change mark's table goes away under the window (a damaged or restored file).
        let other = rusqlite::Connection::open(&file).unwrap();
        other.execute_batch("ALTER TABLE journal_changes RENAME TO journal_changes_away").unwrap();
        eventually("the feed to say it is paused", || feed.paused().is_some());
        assert!(feed.paused().unwrap().contains("journal_changes"), "{:?}", feed.paused());
        let before = changes.load(Ordering::Relaxed);

        // Back, with the same mark: the screens still re-read once (their reads may have failed).
        other.execute_batch("ALTER TABLE journal_changes_away RENAME TO journal_changes").unwrap();
        eventually("the feed to resume", || feed.paused().is_none());
        eventually("one re-read after the outage", || changes.load(Ordering::Relaxed) == before + 1);
    }
}
