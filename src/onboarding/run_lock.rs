//! One onboarding run per journal and environment.
//!
//! Two runs on one journal would each reconcile the other's unanswered writes and send
//! them again, so a run (window or command line) first takes this lock and a second
//! run is refused with a message naming who holds it.
//!
//! Why an operating-system file lock, and not only a row in the journal with a
//! heartbeat: the OS drops the lock the moment the holder's process ends, however it
//! ends (SIGKILL, a crash), so a dead holder never blocks the next run and nothing has
//! to guess from a silent heartbeat whether the holder is dead. A heartbeat timeout
//! would rob a live holder that is merely slow (a penalty wait, a laptop asleep) and
//! let two runs send at once. The journal keeps a row naming the holder (process id,
//! program, host, since when) only so that a refused run can say who it is; a row left
//! behind by a dead holder is replaced by the next run that gets the OS lock, which
//! reports the takeover.
//!
//! One lock file per environment sits beside the journal (one journal file holds every
//! environment, and runs on different environments do not conflict). Lock files are
//! never deleted: deleting one while another process waits to open it would let two
//! processes lock two different files. On a network drive the lock is only as good as
//! the drive's lock support; the journal belongs on a local disk.
//!
//! A PostgreSQL (team) journal uses a session advisory lock instead of the file: the
//! server drops it the moment the holder's connection ends, the same guarantee.
//!
//! The Sandbox's journal lives in memory and belongs to one process: the in-process
//! slot on the [`Journal`] refuses a second run there (and guards every journal within
//! one process, before the OS lock is tried).

use super::journal::{Journal, RunGuard};
use chrono::{DateTime, Utc};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Who holds (or held) a journal's run lock.
#[derive(Clone, Debug, PartialEq)]
pub struct RunHolder {
    pub pid: u32,
    /// What is running, e.g. "propdesk onboard" or "the Propdesk window".
    pub program: String,
    pub host: String,
    pub since: DateTime<Utc>,
}

impl RunHolder {
    /// This process, now.
    pub fn this_process(program: &str) -> Self {
        Self { pid: std::process::id(), program: program.to_string(), host: this_host(), since: Utc::now() }
    }
}

impl std::fmt::Display for RunHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (process {} on {}, since {} UTC)",
            self.program,
            self.pid,
            self.host,
            self.since.format("%Y-%m-%d %H:%M:%S")
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunLockError {
    #[error(
        "Another onboarding run is using this environment's journal: {}. Nothing was sent; \
         start again when it has finished.",
        .0.as_ref().map(ToString::to_string).unwrap_or_else(|| "a run that has not named itself yet".into())
    )]
    Held(Option<RunHolder>),
    #[error("The journal's run lock could not be taken: {0}")]
    Unavailable(String),
}

/// Held for the length of a run; dropping it lets the next run start.
pub struct RunLock {
    journal: Arc<Journal>,
    pid: u32,
    /// The cross-process lock (an OS file lock, or a PostgreSQL advisory lock), released
    /// when dropped; `None` for an in-memory journal.
    _guard: Option<RunGuard>,
    /// A holder that died without letting go, whose lock this run took over.
    pub took_over_from: Option<RunHolder>,
}

impl RunLock {
    /// The journal this lock holds.
    pub fn journal(&self) -> &Arc<Journal> {
        &self.journal
    }

    /// Takes the run lock of `journal`'s environment, or says who holds it. Blocking
    /// (a file and the journal): call it off the UI thread.
    pub fn take(journal: &Arc<Journal>, program: &str) -> Result<Self, RunLockError> {
        let holder = RunHolder::this_process(program);
        let mut slot = journal.running.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(running) = slot.as_ref() {
            return Err(RunLockError::Held(Some(running.clone())));
        }
        let (guard, took_over_from) = if journal.is_shared() {
            let guard = match journal.take_run_lock() {
                Ok(Some(guard)) => guard,
                Ok(None) => return Err(RunLockError::Held(holder_once_named(journal))),
                Err(e) => return Err(RunLockError::Unavailable(e.to_string())),
            };
            // The lock was free, so whoever the journal still names is gone.
            let stale = journal.run_holder().map_err(|e| RunLockError::Unavailable(e.to_string()))?;
            journal.set_run_holder(&holder).map_err(|e| RunLockError::Unavailable(e.to_string()))?;
            (Some(guard), stale)
        } else {
            (None, None)
        };
        let pid = holder.pid;
        *slot = Some(holder);
        drop(slot);
        Ok(Self { journal: journal.clone(), pid, _guard: guard, took_over_from })
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        if self.journal.is_shared() {
            // Best effort: a row left behind is replaced by the next run (and reported as a takeover).
            let _ = self.journal.clear_run_holder(self.pid);
        }
        *self.journal.running.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// How long a refused run waits for the holder to name itself: a run takes the lock
/// first and writes its row just after, so two runs started together can meet in between.
const NAMING_GRACE: Duration = Duration::from_secs(2);

/// The holder's row, waiting up to [`NAMING_GRACE`] for it to appear.
fn holder_once_named(journal: &Journal) -> Option<RunHolder> {
    let deadline = Instant::now() + NAMING_GRACE;
    loop {
        let holder = journal.run_holder().ok().flatten();
        if holder.is_some() || Instant::now() >= deadline {
            return holder;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Takes the OS lock of `environment` beside the journal file at `journal`: `None`
/// when another process holds it.
pub(crate) fn try_lock_file(journal: &Path, environment: &str) -> Result<Option<File>, String> {
    let path = lock_file_path(journal, environment).ok_or_else(|| format!("{}: not a file", journal.display()))?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(format!("{}: {e}", path.display())),
    }
}

/// `<journal>.<environment>.run-lock`, the environment reduced to file-name characters
/// plus a hash of the full key (custom environments are keyed by URL).
fn lock_file_path(path: &Path, key: &str) -> Option<PathBuf> {
    let readable: String =
        key.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).take(40).collect();
    let mut hash: u64 = 0xcbf29ce484222325; // FNV-1a: stable across builds, unlike std's hasher
    for byte in key.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x100000001b3);
    }
    let mut name = path.file_name()?.to_os_string();
    name.push(format!(".{readable}-{hash:08x}.run-lock"));
    Some(path.with_file_name(name))
}

/// This computer's name, for the holder message and the journal's authors.
pub(crate) fn this_host() -> String {
    let from_env = std::env::var("HOSTNAME").or_else(|_| std::env::var("COMPUTERNAME")).ok();
    let from_file = || std::fs::read_to_string("/proc/sys/kernel/hostname").ok();
    from_env
        .or_else(from_file)
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "this computer".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_in_memory_journal_refuses_a_second_run_in_the_same_process() {
        let journal = Arc::new(Journal::in_memory("sandbox").unwrap());
        let first = RunLock::take(&journal, "the Propdesk window").unwrap();
        let refused = RunLock::take(&journal, "the Propdesk window").err().expect("refused");
        let message = refused.to_string();
        assert!(message.contains("the Propdesk window (process"), "{message}");
        assert!(message.contains(&std::process::id().to_string()), "{message}");
        drop(first);
        assert!(RunLock::take(&journal, "the Propdesk window").is_ok(), "free again once the run ends");
    }
}
