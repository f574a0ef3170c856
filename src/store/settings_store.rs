//! The settings in memory, and their one way to the file: edits mark them dirty, a writer
//! thread saves the newest copy at most once per [`WRITE_INTERVAL`], and exit flushes.
//! Nothing here blocks the caller except [`SettingsStore::flush`].

use super::settings::{Settings, SettingsError};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// At most one settings write per this long: dragging a slider or typing in a field
/// changes the settings every frame, and each write is an fsync.
pub const WRITE_INTERVAL: Duration = Duration::from_millis(500);

/// Where a failed write is reported (the window shows a toast).
pub type OnError = Box<dyn Fn(SettingsError) + Send>;

pub struct SettingsStore {
    settings: Settings,
    dirty: bool,
    writer: Sender<Message>,
    writes: Arc<AtomicUsize>,
}

enum Message {
    Save(Box<Settings>),
    /// Answers once the newest copy is on disk.
    Flush(Sender<()>),
}

impl SettingsStore {
    /// Reads the file (see [`Settings::load_or_default`]) and starts the writer. A fresh
    /// file starts dirty, so the new device id is saved.
    pub fn open(path: PathBuf, interval: Duration, on_error: OnError) -> (Self, Option<SettingsError>) {
        let fresh = !path.exists();
        let (settings, problem) = Settings::load_or_default(&path);
        (Self::with(settings, fresh, path, interval, on_error), problem)
    }

    fn with(settings: Settings, dirty: bool, path: PathBuf, interval: Duration, on_error: OnError) -> Self {
        let (writer, queue) = mpsc::channel();
        let writes = Arc::new(AtomicUsize::new(0));
        let counter = writes.clone();
        std::thread::Builder::new()
            .name("settings-writer".into())
            .spawn(move || write_loop(&path, interval, &queue, &on_error, &counter))
            .expect("the settings writer thread starts");
        Self { settings, dirty, writer, writes }
    }

    /// Changes the settings and marks them for saving.
    pub fn edit(&mut self) -> &mut Settings {
        self.dirty = true;
        &mut self.settings
    }

    /// A change that rides along with the next write (the window size changes every
    /// frame while the window is resized; it is saved at exit at the latest).
    pub fn edit_quietly(&mut self) -> &mut Settings {
        &mut self.settings
    }

    /// The settings and their dirty flag, for code that marks changes itself (screens).
    pub fn parts_mut(&mut self) -> (&mut Settings, &mut bool) {
        (&mut self.settings, &mut self.dirty)
    }

    /// Marks the settings for saving (after a change through [`Self::edit_quietly`]).
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// Hands the settings to the writer when they changed; never blocks.
    pub fn save_if_dirty(&mut self) {
        if std::mem::take(&mut self.dirty) {
            self.send(Message::Save(Box::new(self.settings.clone())));
        }
    }

    /// Saves the current settings now and waits until they are on disk (window exit).
    pub fn flush(&mut self) {
        self.dirty = true;
        self.save_if_dirty();
        self.wait_for_writer();
    }

    fn wait_for_writer(&self) {
        let (done, answer) = mpsc::channel();
        self.send(Message::Flush(done));
        // An error means the writer is gone; it reported its own failure.
        answer.recv().unwrap_or_default();
    }

    /// How many times the file was written (tests, and the log at exit).
    pub fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }

    fn send(&self, message: Message) {
        if self.writer.send(message).is_err() {
            tracing::warn!("the settings writer has stopped; a settings change was not saved");
        }
    }
}

impl Drop for SettingsStore {
    /// Whatever was handed over is on disk before the store goes (the next launch, or a
    /// test starting the app again, reads it at once).
    fn drop(&mut self) {
        self.save_if_dirty();
        self.wait_for_writer();
    }
}

impl std::ops::Deref for SettingsStore {
    type Target = Settings;

    fn deref(&self) -> &Settings {
        &self.settings
    }
}

/// Keeps only the newest settings; writes them once the interval since the last write
/// has passed. Ends (after writing what is pending) when the store is dropped.
fn write_loop(path: &Path, interval: Duration, queue: &Receiver<Message>, on_error: &OnError, writes: &AtomicUsize) {
    let mut pending: Option<Box<Settings>> = None;
    let mut last_write: Option<Instant> = None;
    let write = |settings: Box<Settings>, last_write: &mut Option<Instant>| {
        *last_write = Some(Instant::now());
        writes.fetch_add(1, Ordering::SeqCst);
        if let Err(error) = settings.save(path) {
            on_error(error);
        }
    };
    loop {
        let due = last_write.map(|at| at + interval);
        let message = match (&pending, due) {
            (Some(_), Some(due)) if due > Instant::now() => {
                match queue.recv_timeout(due.saturating_duration_since(Instant::now())) {
                    Ok(message) => Some(message),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            }
            // Due now (or never written yet).
            (Some(_), _) => None,
            (None, _) => match queue.recv() {
                Ok(message) => Some(message),
                Err(_) => break,
            },
        };
        match message {
            Some(Message::Save(settings)) => pending = Some(settings),
            Some(Message::Flush(done)) => {
                if let Some(settings) = pending.take() {
                    write(settings, &mut last_write);
                }
                // The caller may have stopped waiting; that is fine.
                done.send(()).unwrap_or_default();
            }
            None => {
                if let Some(settings) = pending.take() {
                    write(settings, &mut last_write);
                }
            }
        }
    }
    if let Some(settings) = pending {
        write(settings, &mut last_write);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ThemeChoice;

    fn store(dir: &Path) -> SettingsStore {
        let on_error: OnError = Box::new(|error| panic!("{error}"));
        SettingsStore::open(dir.join("settings.json"), WRITE_INTERVAL, on_error).0
    }

    #[test]
    fn fifty_edits_are_one_or_two_writes_and_the_last_value_wins() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = store(dir.path());
        store.save_if_dirty(); // the fresh file's device id
        for i in 0..50 {
            store.edit().last_screen = format!("screen-{i}");
            store.save_if_dirty();
        }
        std::thread::sleep(WRITE_INTERVAL + Duration::from_millis(200));
        let writes = store.writes();
        assert!((1..=2).contains(&writes), "{writes} writes for 50 edits");
        store.flush();
        let saved = Settings::load(&dir.path().join("settings.json")).unwrap();
        assert_eq!(saved.last_screen, "screen-49");
        assert_eq!(saved.device_id, store.device_id);
    }

    #[test]
    fn exit_flushes_an_edit_made_just_before() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = store(dir.path());
        store.edit().theme = ThemeChoice::Light;
        store.save_if_dirty();
        store.edit().theme = ThemeChoice::Dark;
        store.edit_quietly().window_size = Some([1000.0, 700.0]);
        store.flush();
        let saved = Settings::load(&dir.path().join("settings.json")).unwrap();
        assert_eq!((saved.theme, saved.window_size), (ThemeChoice::Dark, Some([1000.0, 700.0])));
    }

    #[test]
    fn dropping_the_store_leaves_the_last_edit_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = store(dir.path());
        store.save_if_dirty();
        store.edit().last_screen = "traders".into();
        store.save_if_dirty();
        store.edit().last_screen = "pipeline".into();
        drop(store);
        let saved = Settings::load(&dir.path().join("settings.json")).unwrap();
        assert_eq!(saved.last_screen, "pipeline");
    }

    #[test]
    fn an_unchanged_store_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("settings.json"), r#"{"device_id":"propdesk-x"}"#).unwrap();
        let mut store = store(dir.path());
        for _ in 0..10 {
            store.save_if_dirty();
        }
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(store.writes(), 0);
    }
}
