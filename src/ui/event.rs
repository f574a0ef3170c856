//! What background work reports back to the window (besides `Remote` values).

use super::problem::Problem;
use crate::api::{EnvironmentKind, activity::ActivityLog};
use crate::onboarding::agreements::WatchEvent;
use crate::onboarding::journal::Journal;
use crate::store::{KeyringError, SettingsError};
use crate::subaccount::Registry;
use std::path::PathBuf;
use std::sync::Arc;

pub enum Event {
    /// A client was created; its calls belong on the Activity screen even if it fails.
    ActivitySource(EnvironmentKind, ActivityLog),
    /// "Remember on this computer" finished: which keyring holds the entries.
    KeyringSaved(EnvironmentKind, Result<&'static str, KeyringError>),
    /// The entries of a signed-out login were deleted (or could not be).
    KeyringForgotten(EnvironmentKind, Result<(), KeyringError>),
    /// A renewed token was saved (only failures are worth telling).
    TokenSaved(Result<(), KeyringError>),
    SettingsSaved(Result<(), SettingsError>),
    /// The journal and subaccount registry of a new connection were opened (or not).
    WorkspaceReady(EnvironmentKind, Result<(Arc<Journal>, Arc<Registry>), String>),
    /// The team journal's password was saved in the keyring (or not): then the address
    /// is saved and the journal reopened on it.
    TeamJournalPasswordSaved(crate::store::TeamJournalSettings, Result<(), KeyringError>),
    /// The agreement watch reported something.
    Watch(WatchEvent),
    /// Help opened a folder or cleared the crash notice (only failures are told).
    FolderOpened(Result<(), Problem>),
    /// An update check finished; `asked`: from Help → "Check for updates".
    UpdateChecked {
        asked: bool,
        result: Result<Option<crate::update::Manifest>, crate::update::CheckError>,
    },
    /// A background job panicked (its message); shown as an error toast.
    JobPanicked(String),
    /// An export's file and row count (`None`: the dialog was cancelled); the rows' noun.
    Exported(&'static str, Result<Option<(PathBuf, usize)>, Problem>),
}
