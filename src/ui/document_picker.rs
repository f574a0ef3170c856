//! Choosing an identity document, behind a small type so tests can answer without a
//! native dialog (like `save_dialog`). The real one is rfd's async dialog, run on the
//! tokio runtime; the file is read there too, never on the UI thread, and only after its
//! size (from the file system) is within the limit.

use super::open_dialog::{unavailable_message, unavailable_reason};
use super::problem::Problem;
use crate::subaccount::check_document_size;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;

/// A file the user chose: its name and content.
#[derive(Clone, Debug)]
pub struct PickedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The chosen file; `Ok(None)`: cancelled; `Err`: what to show beside the slot (too
/// large, unreadable, or no dialog could be shown).
pub type PickedDocument = Pin<Box<dyn Future<Output = Result<Option<PickedFile>, Problem>> + Send>>;

/// Given the dialog's title, resolves to the chosen file.
pub type DocumentPicker = Arc<dyn Fn(String) -> PickedDocument + Send + Sync>;

/// The native "Open" dialog.
pub fn native() -> DocumentPicker {
    Arc::new(|title: String| {
        Box::pin(async move {
            let Some(handle) = rfd::AsyncFileDialog::new()
                .set_title(title)
                .add_filter("Documents (PDF, PNG, JPEG, text)", &["pdf", "png", "jpg", "jpeg", "txt"])
                .add_filter("All files", &["*"])
                .pick_file()
                .await
            else {
                return match unavailable_reason() {
                    Some(reason) => Err(Problem::simple(unavailable_message(&reason, "the document"))),
                    None => Ok(None),
                };
            };
            let path = handle.path().to_path_buf();
            tokio::task::spawn_blocking(move || read_document(&path))
                .await
                .map_err(|e| Problem::new("The file could not be read", e.to_string()))?
                .map(Some)
        }) as PickedDocument
    })
}

/// Reads a document from disk (blocking): the size from the file system first, so a
/// file far over the limit is never loaded; a read error says which file and why.
pub fn read_document(path: &Path) -> Result<PickedFile, Problem> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let unreadable =
        |error: std::io::Error| Problem::new(format!("{name} could not be read: {error}"), error.to_string());
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    check_document_size(&name, size).map_err(|problem| Problem::simple(problem.to_string()))?;
    let bytes = std::fs::read(path).map_err(unreadable)?;
    Ok(PickedFile { name, bytes })
}

/// Always answers this file (tests).
pub fn fixed(name: &str, bytes: Vec<u8>) -> DocumentPicker {
    let file = PickedFile { name: name.to_string(), bytes };
    Arc::new(move |_| {
        let file = file.clone();
        Box::pin(async move { Ok(Some(file)) }) as PickedDocument
    })
}

/// Reads the file at `path` as the native picker would after the dialog (tests).
pub fn fixed_path(path: std::path::PathBuf) -> DocumentPicker {
    Arc::new(move |_| {
        let path = path.clone();
        Box::pin(async move { read_document(&path).map(Some) }) as PickedDocument
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_over_the_limit_is_refused_from_its_size_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("passport.pdf");
        // Sparse: 1 GB on paper, nothing on disk; reading it would take a gigabyte of memory.
        std::fs::File::create(&path).unwrap().set_len(1 << 30).unwrap();
        let problem = read_document(&path).unwrap_err();
        assert_eq!(problem.summary, "passport.pdf is 1073.7 MB; the limit is 3.7 MB after encoding");
    }

    #[test]
    fn a_missing_file_says_which_and_why() {
        let dir = tempfile::tempdir().unwrap();
        let problem = read_document(&dir.path().join("gone.png")).unwrap_err();
        assert!(problem.summary.starts_with("gone.png could not be read: "), "{}", problem.summary);
    }
}
