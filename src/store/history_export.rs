//! The team's history as CSV (`propdesk history --csv`, Activity → Team history →
//! Export CSV…): one row per journal line, every cell formula-safe ([`SafeCsvWriter`]).

use crate::onboarding::journal::TeamHistoryLine;
use crate::safe_csv::SafeCsvWriter;
use chrono::SecondsFormat;
use std::io::Write;
use std::path::Path;

pub const HEADER: [&str; 5] = ["at", "trader", "what", "by_user", "by_host"];

/// Writes the header and one row per line (times in UTC, ISO 8601); returns the row count.
pub fn write_history_csv<W: Write>(out: W, lines: &[TeamHistoryLine]) -> std::io::Result<usize> {
    let mut writer = SafeCsvWriter::new(out);
    let csv_error = |e: csv::Error| std::io::Error::other(e.to_string());
    writer.write_record(HEADER).map_err(csv_error)?;
    for line in lines {
        let at = line.at.to_rfc3339_opts(SecondsFormat::Secs, true);
        writer
            .write_record([at.as_str(), &line.trader, &line.what, &line.by.user, &line.by.host])
            .map_err(csv_error)?;
    }
    writer.flush()?;
    Ok(lines.len())
}

/// Writes the lines to `path` (replacing the file); returns how many were written.
pub fn save_history_csv(path: &Path, lines: &[TeamHistoryLine]) -> std::io::Result<usize> {
    let file = std::fs::File::create(path)?;
    let count = write_history_csv(std::io::BufWriter::new(&file), lines)?;
    file.sync_all()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onboarding::journal::Author;
    use chrono::TimeZone;

    #[test]
    fn a_formula_in_a_trader_name_comes_out_as_text() {
        let line = TeamHistoryLine {
            trader: "=HYPERLINK(\"http://evil\",\"x\")".into(),
            at: chrono::Utc.with_ymd_and_hms(2026, 11, 2, 14, 2, 0).unwrap(),
            what: "User created".into(),
            by: Author { user: "anna".into(), host: "ops-laptop".into() },
        };
        let mut out = Vec::new();
        assert_eq!(write_history_csv(&mut out, &[line]).unwrap(), 1);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "at,trader,what,by_user,by_host\n\
             2026-11-02T14:02:00Z,\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",User created,anna,ops-laptop\n"
        );
    }
}
