//! Every CSV the app writes goes through [`SafeCsvWriter`], so no cell can run as a
//! spreadsheet formula when the file is opened in Excel or LibreOffice.
//!
//! OWASP's rule ("CSV Injection"): a cell that starts with `=`, `+`, `-`, `@`, tab or
//! carriage return is prefixed with a single quote, which spreadsheets read as "this is
//! text" and do not show. A trader named `=HYPERLINK("x")` comes out as
//! `'=HYPERLINK("x")`. [`restore`] undoes it when such a file is imported again.

use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

/// The characters that make a spreadsheet read a cell as a formula (OWASP).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a cell would be read as a formula, or is already a quoted one (so that
/// `'=x` typed by someone survives a write and a read: it becomes `''=x`, then `'=x`).
fn needs_quote(cell: &str) -> bool {
    match cell.strip_prefix('\'') {
        Some(rest) => needs_quote(rest),
        None => cell.starts_with(FORMULA_STARTS),
    }
}

/// The cell as it is written: quoted when a spreadsheet would run it.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if needs_quote(cell) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
}

/// A cell read back from a CSV: the quote [`neutralise`] added is taken off again.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_quote(rest) => rest,
        _ => cell,
    }
}

/// A `csv::Writer` whose every cell goes through [`neutralise`].
pub struct SafeCsvWriter<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> SafeCsvWriter<W> {
    pub fn new(out: W) -> Self {
        Self { inner: csv::Writer::from_writer(out) }
    }

    pub fn write_record<I, T>(&mut self, record: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.inner.write_record(record.into_iter().map(|cell| neutralise(cell.as_ref()).into_owned()))
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }

    /// Flushes and hands back the output (the bytes, for an in-memory writer).
    pub fn into_inner(self) -> Result<W, String> {
        self.inner.into_inner().map_err(|e| e.error().to_string())
    }
}

impl SafeCsvWriter<std::fs::File> {
    pub fn create(path: &Path) -> csv::Result<Self> {
        Ok(Self { inner: csv::Writer::from_path(path)? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_quoted_and_other_cells_kept() {
        for (cell, written) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1 555 0100", "'+1 555 0100"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "'\rcmd"),
            ("'=x", "''=x"),
            ("jsmith", "jsmith"),
            ("O'Brien", "O'Brien"),
            ("'quoted", "'quoted"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(neutralise(cell), written, "{cell:?}");
            assert_eq!(restore(&neutralise(cell)), cell, "{cell:?} reads back");
        }
    }

    #[test]
    fn every_cell_of_a_record_is_neutralised() {
        let mut writer = SafeCsvWriter::new(Vec::new());
        writer.write_record(["=HYPERLINK(\"x\")", "ok", "@a"]).unwrap();
        let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        assert_eq!(text, "\"'=HYPERLINK(\"\"x\"\")\",ok,'@a\n");
    }
}
