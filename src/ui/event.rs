//! What background work reports back to the window (besides `Remote` values).

use super::problem::Problem;
use crate::api::{EnvironmentKind, activity::ActivityLog};
use crate::store::{KeyringError, SettingsError};
use std::path::PathBuf;

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
    /// CSV export: `None` when the user cancelled the dialog.
    Exported(Result<Option<(PathBuf, usize)>, Problem>),
}
