//! `propdesk history`: the team's audit trail (every journal write of an environment,
//! who made it and where) as CSV. Reads the journal only: no sign-in, no Tradovate call.

use super::connect::ConnectArgs;
use super::{EXIT_DONE, UsageError, open_journal};
use crate::onboarding::journal::is_postgres_url;
use crate::store::history_export::write_history_csv;
use chrono::{DateTime, NaiveDate, Utc};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// The journal (default: in the app's data folder), or a team's PostgreSQL journal:
    /// postgres://user@host/db (or PROPDESK_JOURNAL_URL).
    #[arg(long, value_name = "FILE|URL")]
    pub journal: Option<PathBuf>,
    /// Only lines from this moment on: a date (2026-11-01, midnight UTC) or an RFC 3339 time.
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    pub since: Option<DateTime<Utc>>,
    /// Where to write the CSV, or - for standard output.
    #[arg(long, value_name = "FILE")]
    pub csv: PathBuf,
}

pub async fn run(args: HistoryArgs) -> Result<u8, UsageError> {
    // The key comes from the arguments alone: reading the journal never signs in.
    let key = args.connect.journal_key()?;
    // A mistyped file would otherwise become a new, empty journal and an empty report.
    if let Some(path) = args.journal.as_deref().filter(|p| !p.to_str().is_some_and(is_postgres_url))
        && !path.exists()
    {
        return Err(UsageError(format!("no journal at {}", path.display())));
    }
    let journal = open_journal(args.journal.as_deref(), &key)?;
    let lines = tokio::task::spawn_blocking(move || journal.team_history(args.since, usize::MAX))
        .await
        .map_err(|e| UsageError(format!("reading the journal stopped: {e}")))?
        .map_err(|e| UsageError(e.to_string()))?;
    let written = if args.csv.as_os_str() == "-" {
        write_history_csv(std::io::stdout().lock(), &lines)
    } else {
        std::fs::File::create(&args.csv).and_then(|file| write_history_csv(std::io::BufWriter::new(file), &lines))
    };
    let count = written.map_err(|e| UsageError(format!("cannot write {}: {e}", args.csv.display())))?;
    eprintln!("propdesk: {count} lines of history");
    Ok(EXIT_DONE)
}

/// `2026-11-01` (midnight UTC) or a full RFC 3339 time.
fn parse_since(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("{text:?} is not a date like 2026-11-01 or a time like 2026-11-01T09:30:00Z"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_a_day_or_a_time() {
        assert_eq!(parse_since("2026-11-01").unwrap().to_rfc3339(), "2026-11-01T00:00:00+00:00");
        assert_eq!(parse_since("2026-11-01T09:30:00+01:00").unwrap().to_rfc3339(), "2026-11-01T08:30:00+00:00");
        assert!(parse_since("01/11/2026").unwrap_err().contains("2026-11-01"));
    }
}
