//! A log file that rotates by size: `propdesk.log`, then `propdesk.log.1` … `.N`.
//! Hand-written (a few lines) rather than a dependency; one writer per process.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The current log file's name inside the logs folder.
pub const FILE_NAME: &str = "propdesk.log";
/// Rotate when the current file would grow past this: a few days of info lines,
/// small enough to attach to an e-mail.
pub const MAX_BYTES: u64 = 2 * 1024 * 1024;
/// Rotated files kept beside the current one.
pub const KEEP: usize = 3;

pub struct RotatingFile {
    path: PathBuf,
    max_bytes: u64,
    keep: usize,
    state: Mutex<Option<(File, u64)>>,
}

impl RotatingFile {
    /// Opens (appends to) `dir/propdesk.log`, creating the folder.
    pub fn open(dir: &Path) -> io::Result<Self> {
        Self::with_limits(dir, MAX_BYTES, KEEP)
    }

    pub fn with_limits(dir: &Path, max_bytes: u64, keep: usize) -> io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(FILE_NAME);
        let file = open_append(&path)?;
        let len = file.metadata()?.len();
        Ok(Self { path, max_bytes, keep, state: Mutex::new(Some((file, len))) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `propdesk.log.N` → `.N+1` (the oldest is dropped), current → `.1`, new current.
    fn rotate(&self) -> io::Result<File> {
        let numbered = |n: usize| PathBuf::from(format!("{}.{n}", self.path.display()));
        let _ = std::fs::remove_file(numbered(self.keep));
        for n in (1..self.keep).rev() {
            let _ = std::fs::rename(numbered(n), numbered(n + 1));
        }
        if self.keep > 0 {
            std::fs::rename(&self.path, numbered(1))?;
        } else {
            std::fs::remove_file(&self.path)?;
        }
        open_append(&self.path)
    }
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

impl Write for &RotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // A poisoned lock only means another thread panicked mid-line: keep logging.
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, len)) = state.as_ref()
            && *len > 0
            && len + buf.len() as u64 > self.max_bytes
        {
            // Drop the handle first: Windows cannot rename an open file.
            *state = None;
            *state = Some((self.rotate()?, 0));
        }
        if state.is_none() {
            let file = open_append(&self.path)?;
            let len = file.metadata()?.len();
            *state = Some((file, len));
        }
        let (file, len) = state.as_mut().expect("opened above");
        file.write_all(buf)?;
        *len += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        state.as_mut().map_or(Ok(()), |(file, _)| file.flush())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for RotatingFile {
    type Writer = &'a RotatingFile;

    fn make_writer(&'a self) -> Self::Writer {
        self
    }
}

/// The last `count` lines of the current log file (for crash reports).
pub fn tail(dir: &Path, count: usize) -> Vec<String> {
    let Ok(text) = std::fs::read(dir.join(FILE_NAME)) else { return Vec::new() };
    let text = String::from_utf8_lossy(&text);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(count)..].iter().map(|line| line.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_by_size_and_keeps_only_the_newest_files() {
        let dir = tempfile::tempdir().unwrap();
        let log = RotatingFile::with_limits(dir.path(), 100, 2).unwrap();
        for n in 0..10 {
            writeln!(&log, "line {n:02} {}", "x".repeat(40)).unwrap();
        }
        let size = |name: &str| std::fs::metadata(dir.path().join(name)).map(|m| m.len()).ok();
        assert!(size(FILE_NAME).unwrap() <= 100);
        assert!(size("propdesk.log.1").unwrap() <= 100);
        assert!(size("propdesk.log.2").is_some());
        assert_eq!(size("propdesk.log.3"), None, "only two rotated files are kept");
        assert_eq!(tail(dir.path(), 1), vec![format!("line 09 {}", "x".repeat(40))]);
        let older = std::fs::read_to_string(dir.path().join("propdesk.log.1")).unwrap();
        assert!(older.contains("line 07"), "{older}");
    }
}
