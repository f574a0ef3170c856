//! RESULTS.csv: one line per input row, in input order.

use crate::safe_csv::SafeCsvWriter;
use std::path::Path;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResultRow {
    pub name: String,
    pub user_id: Option<i64>,
    pub account_id: Option<i64>,
    pub trading_permission_id: Option<i64>,
    /// `done`, `failed` or `invalid`.
    pub status: &'static str,
    pub error: String,
}

pub fn write(path: &Path, rows: &[ResultRow]) -> Result<(), String> {
    let mut writer = SafeCsvWriter::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let id = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let mut write_all = || -> Result<(), csv::Error> {
        writer.write_record(["name", "userId", "accountId", "tradingPermissionId", "status", "error"])?;
        for row in rows {
            writer.write_record([
                row.name.as_str(),
                &id(row.user_id),
                &id(row.account_id),
                &id(row.trading_permission_id),
                row.status,
                row.error.as_str(),
            ])?;
        }
        writer.flush()?;
        Ok(())
    };
    write_all().map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_quote_formulas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("RESULTS.csv");
        let row = ResultRow {
            name: "=HYPERLINK(\"x\")".into(),
            user_id: Some(7),
            status: "failed",
            error: "-1 is not a balance".into(),
            ..ResultRow::default()
        };
        write(&path, &[row]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().nth(1).unwrap(), "\"'=HYPERLINK(\"\"x\"\")\",7,,,failed,'-1 is not a balance");
    }
}
