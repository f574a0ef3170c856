//! Asking where to save a file, behind a small type so tests can answer without a
//! native dialog. The real one is rfd's async dialog, run on the tokio runtime.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

pub type PickedPath = Pin<Box<dyn Future<Output = Option<PathBuf>> + Send>>;

/// Given a suggested file name, resolves to the chosen path (`None`: cancelled).
pub type SaveDialog = Arc<dyn Fn(String) -> PickedPath + Send + Sync>;

/// The native "Save as" dialog for the activity export.
pub fn native() -> SaveDialog {
    native_for("Export activity", "CSV", &["csv"])
}

/// The native "Save as" dialog for a risk profile file (JSON).
pub fn native_risk_profile() -> SaveDialog {
    native_for("Export risk profile", "Risk profile (JSON)", &["json"])
}

fn native_for(title: &'static str, filter: &'static str, extensions: &'static [&'static str]) -> SaveDialog {
    Arc::new(move |suggested: String| {
        Box::pin(async move {
            rfd::AsyncFileDialog::new()
                .set_title(title)
                .set_file_name(suggested)
                .add_filter(filter, extensions)
                .save_file()
                .await
                .map(|handle| handle.path().to_path_buf())
        }) as PickedPath
    })
}

/// Always answers `path` (tests).
pub fn fixed(path: PathBuf) -> SaveDialog {
    Arc::new(move |_| {
        let path = path.clone();
        Box::pin(async move { Some(path) }) as PickedPath
    })
}
