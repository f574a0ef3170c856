//! Choosing an identity document, behind a small type so tests can answer without a
//! native dialog (like `save_dialog`). The real one is rfd's async dialog, run on the
//! tokio runtime; the file is read there too, never on the UI thread.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A file the user chose: its name and content.
#[derive(Clone, Debug)]
pub struct PickedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

pub type PickedDocument = Pin<Box<dyn Future<Output = Option<PickedFile>> + Send>>;

/// Given the dialog's title, resolves to the chosen file (`None`: cancelled).
pub type DocumentPicker = Arc<dyn Fn(String) -> PickedDocument + Send + Sync>;

/// The native "Open" dialog.
pub fn native() -> DocumentPicker {
    Arc::new(|title: String| {
        Box::pin(async move {
            let handle = rfd::AsyncFileDialog::new()
                .set_title(title)
                .add_filter("Documents (PDF, PNG, JPEG, text)", &["pdf", "png", "jpg", "jpeg", "txt"])
                .add_filter("All files", &["*"])
                .pick_file()
                .await?;
            let bytes = handle.read().await;
            Some(PickedFile { name: handle.file_name(), bytes })
        }) as PickedDocument
    })
}

/// Always answers this file (tests).
pub fn fixed(name: &str, bytes: Vec<u8>) -> DocumentPicker {
    let file = PickedFile { name: name.to_string(), bytes };
    Arc::new(move |_| {
        let file = file.clone();
        Box::pin(async move { Some(file) }) as PickedDocument
    })
}
