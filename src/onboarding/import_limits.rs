//! How much one import may read. A firm's roster is a few thousand rows; these caps are
//! far above that and far below what would exhaust memory, so a huge, damaged or hostile
//! file ends in a message instead of an abort.

use super::import::ImportError;

/// The largest CSV or Excel file read (checked from its size before reading it).
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// Traders (rows below the column names) in one import.
pub const MAX_ROWS: usize = 100_000;
/// Columns read; the roster has 20 fields, the rest is the firm's own notes.
pub const MAX_COLUMNS: usize = 200;
/// Cells of the table as read, empty ones between filled ones included (each costs
/// memory): 30 columns for every one of 100,000 rows.
pub const MAX_CELLS: usize = 3_000_000;
/// An Excel file is a zip archive: all its parts once unpacked (a 20 MB roster unpacks
/// to well under this; a "zip bomb" unpacks to gigabytes).
pub const MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;
/// The workbook's table of texts is held in memory while the sheet is read.
pub const MAX_TEXT_TABLE_BYTES: u64 = 32 * 1024 * 1024;

/// Refuses a file before reading it.
pub fn check_file_size(bytes: u64) -> Result<(), ImportError> {
    if bytes > MAX_FILE_BYTES { Err(ImportError::FileTooLarge { size_mb: megabytes(bytes) }) } else { Ok(()) }
}

/// Counts a table while it is read and stops at the caps.
#[derive(Default)]
pub struct TableBudget {
    cells: usize,
}

impl TableBudget {
    /// `row` and `column` count from 0; row 0 is the column names.
    pub fn check_position(row: usize, column: usize) -> Result<(), ImportError> {
        if row > MAX_ROWS {
            return Err(ImportError::TooManyRows);
        }
        if column >= MAX_COLUMNS {
            return Err(ImportError::TooManyColumns { column: column + 1 });
        }
        Ok(())
    }

    /// A row of `width` cells was added.
    pub fn add_row(&mut self, row: usize, width: usize) -> Result<(), ImportError> {
        Self::check_position(row, width.saturating_sub(1))?;
        self.cells += width;
        if self.cells > MAX_CELLS { Err(ImportError::TooManyCells) } else { Ok(()) }
    }
}

/// Bytes as whole megabytes (rounded up, so a file just over the cap never reads "20 MB").
pub fn megabytes(bytes: u64) -> u64 {
    bytes.div_ceil(1024 * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_round_up_to_whole_megabytes() {
        assert_eq!(megabytes(MAX_FILE_BYTES + 1), 21);
    }

    #[test]
    fn positions_and_cells_are_capped() {
        assert!(TableBudget::check_position(MAX_ROWS, MAX_COLUMNS - 1).is_ok());
        assert!(matches!(TableBudget::check_position(MAX_ROWS + 1, 0), Err(ImportError::TooManyRows)));
        assert!(matches!(TableBudget::check_position(0, 16_383), Err(ImportError::TooManyColumns { column: 16_384 })));
        let mut budget = TableBudget::default();
        for row in 0..MAX_CELLS / 100 {
            budget.add_row(row, 100).unwrap();
        }
        assert!(matches!(budget.add_row(MAX_CELLS / 100, 1), Err(ImportError::TooManyCells)));
    }
}
