//! Where Propdesk keeps its files: the platform config directory (via `directories`),
//! or one directory chosen by a test or by `PROPDESK_DIR`.

use std::path::{Path, PathBuf};

/// Overrides the platform directories (tests, screenshots, portable installs).
pub const DIR_ENV: &str = "PROPDESK_DIR";

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
    /// (`~/.config/propdesk`, `%APPDATA%\Propdesk\Propdesk\config`, `~/Library/Application Support/...`).
    /// `None` only when the OS reports no home directory.
    pub fn platform() -> Option<Self> {
        if let Some(dir) = std::env::var_os(DIR_ENV).filter(|d| !d.is_empty()) {
            return Some(Self::in_dir(PathBuf::from(dir)));
        }
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
