//! Asking which file to open, behind a small type so tests can answer without a
//! native dialog (the open-file twin of `save_dialog`). The real one is rfd's async
//! dialog, run on the tokio runtime.

use crate::ui::save_dialog::PickedPath;
use std::path::PathBuf;
use std::sync::Arc;

/// Resolves to the chosen file (`None`: cancelled).
pub type OpenDialog = Arc<dyn Fn() -> PickedPath + Send + Sync>;

/// The native "Open" dialog for a roster: CSV or Excel.
pub fn native() -> OpenDialog {
    Arc::new(|| {
        Box::pin(async move {
            rfd::AsyncFileDialog::new()
                .set_title("Import traders")
                .add_filter("Spreadsheet (CSV, Excel)", &["csv", "xlsx", "txt"])
                .pick_file()
                .await
                .map(|handle| handle.path().to_path_buf())
        }) as PickedPath
    })
}

/// Always answers `path` (tests, benchmarks).
pub fn fixed(path: PathBuf) -> OpenDialog {
    Arc::new(move || {
        let path = path.clone();
        Box::pin(async move { Some(path) }) as PickedPath
    })
}
