//! RESULTS: one line per roster row, in roster order, with the ids Tradovate returned
//! or the reason the row is not done. The window's "Export results" and the command
//! line's `--out` both write it here, with the same status words.

use super::journal::JournaledTrader;
use super::pipeline::{RowStatus, RowUpdate};
use super::prepare::{RosterCheck, is_onboarded};
use super::{Roster, RowId};
use crate::safe_csv::SafeCsvWriter;
use std::collections::HashMap;
use std::io::Write;

/// One row's latest state in a run.
#[derive(Clone, Debug, PartialEq)]
pub struct RowResult {
    pub user_id: Option<i64>,
    pub account_id: Option<i64>,
    pub trading_permission_id: Option<i64>,
    pub status: RowStatus,
}

impl RowResult {
    pub fn waiting() -> Self {
        Self { user_id: None, account_id: None, trading_permission_id: None, status: RowStatus::Waiting }
    }

    pub fn is_done(&self) -> bool {
        self.status == RowStatus::Done
    }

    pub fn from_update(update: &RowUpdate) -> Self {
        Self {
            user_id: update.user_id,
            account_id: update.account_id,
            trading_permission_id: update.trading_permission_id,
            status: update.status.clone(),
        }
    }
}

/// The status column's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultStatus {
    /// User, contact info and account exist (in this run or an earlier one).
    Done,
    /// Tradovate refused a step, or it could not be sent; the error says which.
    Failed,
    /// The row has problems and was never sent.
    Invalid,
    /// The run stopped (cancelled, or a stopping error) before this row was finished.
    NotReached,
    /// Valid, but no run has sent it yet.
    NotSent,
}

impl ResultStatus {
    pub fn word(self) -> &'static str {
        match self {
            ResultStatus::Done => "done",
            ResultStatus::Failed => "failed",
            ResultStatus::Invalid => "invalid",
            ResultStatus::NotReached => "not reached",
            ResultStatus::NotSent => "not sent",
        }
    }
}

/// One line of RESULTS.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultRow {
    pub name: String,
    pub user_id: Option<i64>,
    pub account_id: Option<i64>,
    pub trading_permission_id: Option<i64>,
    pub status: ResultStatus,
    pub error: String,
}

/// Shown for rows a stopped run did not finish.
const NOT_REACHED: &str = "the run stopped before this row was finished; run again to continue";

/// The result of every roster row: this session's run first, then the row's problems,
/// then what the journal knows from earlier runs.
pub fn result_rows(roster: &Roster, check: &RosterCheck, results: &HashMap<RowId, RowResult>) -> Vec<ResultRow> {
    roster
        .iter()
        .map(|(id, trader)| {
            let name = trader.name.trim().to_string();
            if let Some(result) = results.get(&id) {
                let (status, error) = match &result.status {
                    RowStatus::Done => (ResultStatus::Done, String::new()),
                    RowStatus::Failed { stage, error } => (ResultStatus::Failed, format!("{}: {error}", stage.label())),
                    RowStatus::Waiting | RowStatus::Working(_) => (ResultStatus::NotReached, NOT_REACHED.into()),
                };
                return ResultRow {
                    name,
                    user_id: result.user_id,
                    account_id: result.account_id,
                    trading_permission_id: result.trading_permission_id,
                    status,
                    error,
                };
            }
            if !check.validation.is_valid(id) {
                let error = check
                    .validation
                    .problems(id)
                    .iter()
                    .map(|p| format!("{}: {}", p.field.header(), p.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                return ResultRow::without_ids(name, ResultStatus::Invalid, error);
            }
            match check.earlier_of(trader) {
                Some(earlier) if is_onboarded(earlier) => ResultRow::from_journal(name, earlier),
                _ => ResultRow::without_ids(name, ResultStatus::NotSent, String::new()),
            }
        })
        .collect()
}

impl ResultRow {
    fn without_ids(name: String, status: ResultStatus, error: String) -> Self {
        Self { name, user_id: None, account_id: None, trading_permission_id: None, status, error }
    }

    fn from_journal(name: String, earlier: &JournaledTrader) -> Self {
        Self {
            name,
            user_id: earlier.user_id,
            account_id: earlier.account_id,
            trading_permission_id: earlier.trading_permission_id,
            status: ResultStatus::Done,
            error: String::new(),
        }
    }
}

pub const RESULTS_HEADER: [&str; 6] = ["name", "userId", "accountId", "tradingPermissionId", "status", "error"];

/// Writes RESULTS as CSV (name, userId, accountId, tradingPermissionId, status, error).
pub fn write_results_csv(out: impl Write, rows: &[ResultRow]) -> Result<(), csv::Error> {
    let mut writer = SafeCsvWriter::new(out);
    let id = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    writer.write_record(RESULTS_HEADER)?;
    for row in rows {
        writer.write_record([
            row.name.as_str(),
            &id(row.user_id),
            &id(row.account_id),
            &id(row.trading_permission_id),
            row.status.word(),
            row.error.as_str(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onboarding::journal::Journal;
    use crate::onboarding::pipeline::Stage;
    use crate::onboarding::validate::tests::good;
    use crate::onboarding::{Field, Trader};

    fn named(name: &str, account: &str) -> Trader {
        let mut trader = good();
        trader.set(Field::Name, name.into());
        trader.set(Field::Email, format!("{name}@example.com"));
        trader.set(Field::AccountName, account.into());
        trader
    }

    #[test]
    fn every_row_gets_one_status_word_from_the_run_its_problems_or_the_journal() {
        let journal = Journal::in_memory("sandbox").unwrap();
        journal.upsert_trader("earlier", "earlier@example.com", "EARLY1").unwrap();
        journal.record_user("earlier", 7).unwrap();
        journal.record_account("earlier", 8, Some(9)).unwrap();
        let mut roster = Roster::new();
        let done = roster.add(named("done", "DONE1"));
        let failed = roster.add(named("failed", "FAILED1"));
        let stopped = roster.add(named("stopped", "STOP1"));
        let mut nopass = named("nopass", "NOPASS1");
        nopass.set(Field::Password, String::new());
        roster.add(nopass);
        roster.add(named("earlier", "EARLY1"));
        roster.add(named("waiting", "WAIT1"));
        let check = RosterCheck::new(&roster, Some(&journal)).unwrap();
        let mut results = HashMap::new();
        results.insert(done, RowResult { user_id: Some(1), status: RowStatus::Done, ..RowResult::waiting() });
        let refused = RowStatus::Failed { stage: Stage::User, error: "Email taken".into() };
        results.insert(failed, RowResult { status: refused, ..RowResult::waiting() });
        results.insert(stopped, RowResult { status: RowStatus::Working(Stage::Contact), ..RowResult::waiting() });

        let rows = result_rows(&roster, &check, &results);
        let words: Vec<_> = rows.iter().map(|r| (r.name.as_str(), r.status.word())).collect();
        assert_eq!(
            words,
            [
                ("done", "done"),
                ("failed", "failed"),
                ("stopped", "not reached"),
                ("nopass", "invalid"),
                ("earlier", "done"),
                ("waiting", "not sent")
            ]
        );
        assert_eq!(rows[1].error, "User: Email taken");
        assert!(rows[3].error.starts_with("password: Password is empty"), "{}", rows[3].error);
        assert_eq!((rows[4].user_id, rows[4].account_id, rows[4].trading_permission_id), (Some(7), Some(8), Some(9)));

        let mut csv = Vec::new();
        write_results_csv(&mut csv, &rows).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.starts_with("name,userId,accountId,tradingPermissionId,status,error\n"), "{csv}");
        assert!(csv.contains("\nearlier,7,8,9,done,\n"), "{csv}");
    }

    #[test]
    fn results_quote_formulas() {
        let mut roster = Roster::new();
        let id = roster.add(named("=HYPERLINK(\"x\")", "FORMULA1"));
        let check = RosterCheck::new(&roster, None).unwrap();
        let done = RowResult { user_id: Some(7), status: RowStatus::Done, ..RowResult::waiting() };
        let rows = result_rows(&roster, &check, &HashMap::from([(id, done)]));
        let mut csv = Vec::new();
        write_results_csv(&mut csv, &rows).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        assert_eq!(csv.lines().nth(1).unwrap(), "\"'=HYPERLINK(\"\"x\"\")\",7,,,done,");
    }
}
