//! Asking which file to open, behind a small type so tests can answer without a
//! native dialog (the open-file twin of `save_dialog`). The real one is rfd's async
//! dialog, run on the tokio runtime.
//!
//! rfd answers "nothing chosen" both when the user cancels and when no dialog could be
//! shown at all (Linux without a desktop portal and without zenity). The second case is
//! told apart here, so the user learns why nothing opened and what to do instead.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

/// The chosen file; `Ok(None)`: cancelled; `Err`: no dialog could be shown (why, and the
/// way around it, in words for the user).
pub type OpenedPath = Pin<Box<dyn Future<Output = Result<Option<PathBuf>, String>> + Send>>;

/// Resolves to the chosen file.
pub type OpenDialog = Arc<dyn Fn() -> OpenedPath + Send + Sync>;

/// The native "Open" dialog for a roster: CSV or Excel.
pub fn native() -> OpenDialog {
    let instead = format!("Drag {} onto this window instead.", ROSTER);
    native_for("Import traders", "Spreadsheet (CSV, Excel)", &["csv", "xlsx", "txt"], instead)
}

/// The native "Open" dialog for a risk profile file (JSON, as `propdesk risk export` writes).
pub fn native_risk_profile() -> OpenDialog {
    let instead = "Use `propdesk risk import --template NAME FILE` instead.".to_string();
    native_for("Import risk profile", "Risk profile (JSON)", &["json"], instead)
}

/// A native "Open" dialog; `instead`: the other way in, told when no dialog can show.
fn native_for(
    title: &'static str,
    filter: &'static str,
    extensions: &'static [&'static str],
    instead: String,
) -> OpenDialog {
    Arc::new(move || {
        let instead = instead.clone();
        Box::pin(async move {
            let handle = rfd::AsyncFileDialog::new().set_title(title).add_filter(filter, extensions).pick_file().await;
            match handle {
                Some(handle) => Ok(Some(handle.path().to_path_buf())),
                None => match unavailable_reason() {
                    Some(reason) => Err(dialog_failed(&reason, &instead)),
                    None => Ok(None),
                },
            }
        }) as OpenedPath
    })
}

/// What a roster is, in the words of the "drag it here instead" advice.
const ROSTER: &str = "a CSV or Excel file";

/// Always answers `path` (tests, benchmarks).
pub fn fixed(path: PathBuf) -> OpenDialog {
    Arc::new(move || {
        let path = path.clone();
        Box::pin(async move { Ok(Some(path)) }) as OpenedPath
    })
}

/// A dialog that cannot open, as on a Linux desktop without a portal or zenity (tests).
pub fn unavailable(reason: &str) -> OpenDialog {
    let message = unavailable_message(reason, ROSTER);
    Arc::new(move || {
        let message = message.clone();
        Box::pin(async move { Err(message) }) as OpenedPath
    })
}

/// What the user is told when no dialog could be shown: why, and the other way in.
pub fn unavailable_message(reason: &str, what: &str) -> String {
    dialog_failed(reason, &format!("Drag {what} onto this window instead."))
}

fn dialog_failed(reason: &str, instead: &str) -> String {
    format!("The file dialog could not open ({reason}). {instead}")
}

/// Why no native dialog can be shown on this computer, if that is so. Only asked after
/// rfd answered nothing, so a wrong "available" costs nothing (it reads as a cancel).
///
/// On Linux rfd tries the desktop portal (`org.freedesktop.portal.Desktop` on the session
/// bus), then the `zenity` program (TOOLCHAIN.md, "rfd in tests"). Other systems always
/// have their own dialog.
pub fn unavailable_reason() -> Option<String> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let zenity = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| is_file(&dir.join("zenity"))));
    if zenity || portal_reachable() {
        return None;
    }
    Some("this computer has no desktop file portal and no zenity".into())
}

/// A session bus, and a portal service on it (running or startable from its service file).
fn portal_reachable() -> bool {
    let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        || std::env::var_os("XDG_RUNTIME_DIR").is_some_and(|dir| Path::new(&dir).join("bus").exists());
    if !bus {
        return false;
    }
    let data_dirs = std::env::var("XDG_DATA_DIRS").unwrap_or_else(|_| "/usr/local/share:/usr/share".into());
    data_dirs
        .split(':')
        .filter(|dir| !dir.is_empty())
        .any(|dir| is_file(&Path::new(dir).join("dbus-1/services/org.freedesktop.portal.Desktop.service")))
}

fn is_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}
