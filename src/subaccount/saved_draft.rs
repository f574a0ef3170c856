//! Subaccount drafts survive a restart: the storable draft (no SSN / national ID, no file bytes) as
//! JSON under the data directory, the SSN or national ID in the OS keyring. All of it runs
//! on the blocking pool.

use super::{Step, StorableDraft};
use crate::api::{EnvironmentKind, Secret};
use crate::store::{KeyringError, SecretKind, SecretStore};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// What is written to disk.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SavedDraft {
    pub draft_id: String,
    pub step: usize,
    pub link_mode: bool,
    pub draft: StorableDraft,
}

/// A draft read back, with its secret when the keyring had it.
pub struct Restored {
    pub saved: SavedDraft,
    pub secret: Result<Option<Secret>, KeyringError>,
}

pub fn file(data_dir: &Path, environment: EnvironmentKind) -> PathBuf {
    data_dir.join("subaccount-drafts").join(format!("{}.json", environment.slug()))
}

pub fn step_index(step: Step) -> usize {
    Step::ALL.iter().position(|s| *s == step).unwrap_or(0)
}

/// Keeps one draft file's writes in order. Writes run on the blocking pool, may start late and
/// overlap (and the exit flush runs beside them): an older snapshot must never land after a
/// newer one, or a restart brings back an old step or an empty SSN.
#[derive(Clone, Default)]
pub struct WriteOrder {
    issued: Arc<AtomicU64>,
    /// The newest write that ran; held while one runs, so writes never interleave.
    written: Arc<Mutex<u64>>,
}

impl WriteOrder {
    /// Numbers a write when it is decided (never blocks: the UI thread calls it).
    pub fn next(&self) -> u64 {
        self.issued.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Runs `write` unless a newer one already ran (then `None`).
    pub fn run_if_newest<T>(&self, number: u64, write: impl FnOnce() -> T) -> Option<T> {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        if number <= *written {
            return None;
        }
        let outcome = write();
        *written = number;
        Some(outcome)
    }
}

/// Writes the draft and its secret; returns the keyring's refusal, if any (the file is
/// written either way).
pub fn save(
    path: &Path,
    store: &SecretStore,
    environment: EnvironmentKind,
    saved: &SavedDraft,
    secret: &Secret,
) -> Result<Result<(), KeyringError>, String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let json = serde_json::to_vec_pretty(saved).map_err(|e| e.to_string())?;
    let temp = path.with_extension("json.tmp");
    std::fs::write(&temp, json).map_err(|e| e.to_string())?;
    std::fs::rename(&temp, path).map_err(|e| e.to_string())?;
    let keyring = if secret.is_empty() {
        store.delete(environment, &saved.draft_id, SecretKind::DraftIdentity)
    } else {
        store.set(environment, &saved.draft_id, SecretKind::DraftIdentity, secret)
    };
    Ok(keyring)
}

/// Reads the saved draft, if any.
pub fn load(path: &Path, store: &SecretStore, environment: EnvironmentKind) -> Result<Option<Restored>, String> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let saved: SavedDraft = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    let secret = store.get(environment, &saved.draft_id, SecretKind::DraftIdentity);
    Ok(Some(Restored { saved, secret }))
}

/// Forgets a sent draft.
pub fn remove(path: &Path, store: &SecretStore, environment: EnvironmentKind, draft_id: &str) {
    let _ = std::fs::remove_file(path);
    let _ = store.delete(environment, draft_id, SecretKind::DraftIdentity);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_older_write_never_replaces_a_newer_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = SecretStore::mock();
        let kind = EnvironmentKind::Sandbox;
        let path = file(dir.path(), kind);
        let order = WriteOrder::default();
        let older = SavedDraft { draft_id: "draft-1".into(), step: 0, ..SavedDraft::default() };
        let newer = SavedDraft { step: 1, ..older.clone() };
        let (first, second) = (order.next(), order.next());
        // The newer write (with the SSN) finishes first; the older one (none typed yet) runs late.
        let write = |saved: &SavedDraft, ssn: &str| save(&path, &store, kind, saved, &Secret::new(ssn)).unwrap();
        assert!(order.run_if_newest(second, || write(&newer, "123-45-6789")).is_some());
        assert!(order.run_if_newest(first, || write(&older, "")).is_none());
        let restored = load(&path, &store, kind).unwrap().expect("a draft");
        assert_eq!((restored.saved.step, restored.secret), (1, Ok(Some(Secret::new("123-45-6789")))));
    }

    #[test]
    fn the_identity_number_goes_to_the_keyring_only_and_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = SecretStore::mock();
        let kind = EnvironmentKind::Sandbox;
        let path = file(dir.path(), kind);
        let saved = SavedDraft { draft_id: "draft-1".into(), step: 2, ..SavedDraft::default() };
        save(&path, &store, kind, &saved, &Secret::new("123-45-6789")).unwrap().unwrap();
        assert!(!std::fs::read_to_string(&path).unwrap().contains("6789"));
        let restored = load(&path, &store, kind).unwrap().expect("a draft");
        assert_eq!((restored.saved, restored.secret), (saved, Ok(Some(Secret::new("123-45-6789")))));
        remove(&path, &store, kind, "draft-1");
        assert!(load(&path, &store, kind).unwrap().is_none());
        assert_eq!(store.get(kind, "draft-1", SecretKind::DraftIdentity).unwrap(), None);
    }
}
