//! Asking where to save a file, behind a small type so tests can answer without a
//! native dialog. The real one is rfd's async dialog, run on the tokio runtime.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

pub type PickedPath = Pin<Box<dyn Future<Output = Option<PathBuf>> + Send>>;

/// Given a suggested file name, resolves to the chosen path (`None`: cancelled).
pub type SaveDialog = Arc<dyn Fn(String) -> PickedPath + Send + Sync>;

/// The native "Save as" dialog.
pub fn native() -> SaveDialog {
    Arc::new(|suggested: String| {
        Box::pin(async move {
            rfd::AsyncFileDialog::new()
                .set_title("Export activity")
                .set_file_name(suggested)
                .add_filter("CSV", &["csv"])
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
