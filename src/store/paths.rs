//! Where Propdesk keeps its files: the platform config directory (via `directories`),
//! or one directory chosen by a test or by `PROPDESK_DIR`.

use std::path::{Path, PathBuf};

/// Overrides the platform directories (tests, screenshots, portable installs).
pub const DIR_ENV: &str = "PROPDESK_DIR";

/// The app's identifier everywhere: the macOS bundle (and so its data folder), the
/// Windows installers, the Linux `.desktop` and AppStream ids.
pub const APP_ID: &str = "com.propdesk.Propdesk";

/// The macOS data folder before [`APP_ID`] was chosen (`directories` joined
/// "com", "Propdesk", "Propdesk"); its contents move to the new folder once.
const OLD_MACOS_FOLDER: &str = "com.Propdesk.Propdesk";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    /// Settings (small, human-readable JSON).
    pub config_dir: PathBuf,
    /// Larger local data (journal, drafts, exports).
    pub data_dir: PathBuf,
}

impl Paths {
    /// Everything in one directory.
    pub fn in_dir(dir: impl AsRef<Path>) -> Self {
        let dir = dir.as_ref().to_path_buf();
        Self { config_dir: dir.clone(), data_dir: dir }
    }

    /// `PROPDESK_DIR` if set, else the platform directories
    /// (`~/.config/propdesk`, `%APPDATA%\Propdesk\Propdesk\config`, `~/Library/Application Support/com.propdesk.Propdesk`).
    /// `None` only when the OS reports no home directory.
    pub fn platform() -> Option<Self> {
        if let Some(dir) = std::env::var_os(DIR_ENV).filter(|d| !d.is_empty()) {
            return Some(Self::in_dir(PathBuf::from(dir)));
        }
        if cfg!(target_os = "macos") {
            // One folder for settings and data on macOS: ~/Library/Application Support/<APP_ID>.
            let dirs = directories::ProjectDirs::from_path(PathBuf::from(APP_ID))?;
            let new = dirs.config_dir().to_path_buf();
            return Some(Self::in_dir(adopt_old_folder(&new.with_file_name(OLD_MACOS_FOLDER), &new)));
        }
        // Linux and Windows folders do not contain the identifier; they stay as they were.
        let dirs = directories::ProjectDirs::from("com", "Propdesk", "Propdesk")?;
        Some(Self { config_dir: dirs.config_dir().to_path_buf(), data_dir: dirs.data_dir().to_path_buf() })
    }

    pub fn settings_file(&self) -> PathBuf {
        self.config_dir.join("settings.json")
    }

    /// The onboarding journal, shared by the window and the command line.
    pub fn journal_file(&self) -> PathBuf {
        self.data_dir.join("journal.sqlite")
    }

    /// The rotating log file and crash reports (what "Open logs folder" opens).
    pub fn logs_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }

    /// Submitted subaccount requests.
    pub fn subaccounts_file(&self) -> PathBuf {
        self.data_dir.join("subaccounts.sqlite")
    }
}

/// The folder to use when the app's folder moved from `old` to `new`: moves `old` to `new`
/// the first time (nothing there yet), then `new` for good. If the move fails, `old` is
/// used as it is, so no settings or journal are left behind. On a case-insensitive disk
/// (macOS's default) the two names are one folder: `new` exists and nothing moves.
fn adopt_old_folder(old: &Path, new: &Path) -> PathBuf {
    if new.exists() || !old.is_dir() {
        return new.to_path_buf();
    }
    let moved = new.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| std::fs::rename(old, new));
    match moved {
        Ok(()) => {
            tracing::info!("moved the data folder {} to {}", old.display(), new.display());
            new.to_path_buf()
        }
        Err(error) => {
            tracing::warn!("could not move {} to {} ({error}); using it where it is", old.display(), new.display());
            old.to_path_buf()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder_with_settings(dir: &Path) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("settings.json"), "{}").unwrap();
    }

    #[test]
    fn the_old_folder_moves_to_the_new_one_once() {
        let root = tempfile::tempdir().unwrap();
        let (old, new) = (root.path().join(OLD_MACOS_FOLDER), root.path().join(APP_ID));
        folder_with_settings(&old);

        assert_eq!(adopt_old_folder(&old, &new), new);
        assert!(new.join("settings.json").is_file(), "the settings moved");
        assert!(!old.exists());
        // Later starts: nothing to move, the new folder stays.
        assert_eq!(adopt_old_folder(&old, &new), new);
        assert!(new.join("settings.json").is_file());
    }

    #[test]
    fn an_existing_new_folder_is_never_overwritten() {
        let root = tempfile::tempdir().unwrap();
        let (old, new) = (root.path().join(OLD_MACOS_FOLDER), root.path().join(APP_ID));
        folder_with_settings(&old);
        folder_with_settings(&new);
        std::fs::write(new.join("journal.sqlite"), "new").unwrap();

        assert_eq!(adopt_old_folder(&old, &new), new);
        assert_eq!(std::fs::read_to_string(new.join("journal.sqlite")).unwrap(), "new");
        assert!(old.join("settings.json").is_file(), "the old folder is left alone");
    }

    #[test]
    fn a_failed_move_keeps_using_the_old_folder() {
        let root = tempfile::tempdir().unwrap();
        let old = root.path().join(OLD_MACOS_FOLDER);
        folder_with_settings(&old);
        // The new folder's parent is a file: the move cannot happen.
        std::fs::write(root.path().join("blocked"), "").unwrap();
        let new = root.path().join("blocked").join(APP_ID);

        assert_eq!(adopt_old_folder(&old, &new), old);
        assert!(old.join("settings.json").is_file());
    }

    #[test]
    fn nothing_to_move_on_a_first_start() {
        let root = tempfile::tempdir().unwrap();
        let (old, new) = (root.path().join(OLD_MACOS_FOLDER), root.path().join(APP_ID));
        assert_eq!(adopt_old_folder(&old, &new), new);
        assert!(!new.exists(), "created later by whoever writes first");
    }
}
