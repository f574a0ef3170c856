//! The Activity screen's export: the calls this launch made, as a CSV file the admin
//! chose. Runs on the blocking pool (the window never writes files itself).

use crate::api::activity::{CallRecord, to_csv};
use std::path::Path;

/// Writes the calls to `path` (replacing the file); returns how many were written.
pub fn save_calls_csv(path: &Path, records: &[CallRecord]) -> std::io::Result<usize> {
    std::fs::write(path, to_csv(records))?;
    Ok(records.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_chosen_file_with_the_calls() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("calls.csv");
        std::fs::write(&path, "older export\nline\nline\n").unwrap();
        assert_eq!(save_calls_csv(&path, &[]).unwrap(), 0);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("time,endpoint"), "{text}");
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(save_calls_csv(&dir.path().join("missing/calls.csv"), &[]).is_err(), "a missing folder is an error");
    }
}
