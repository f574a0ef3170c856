//! The board's rows: one per journaled trader, with its stage and when it was reached.

use crate::onboarding::board::{BoardStage, stage_of};
use crate::onboarding::journal::{HistoryEntry, JournaledTrader};
use crate::onboarding::offboarding::{OffboardOutcome, Offboarding};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// One trader on the board.
#[derive(Clone, Debug)]
pub struct BoardRow {
    pub trader: JournaledTrader,
    /// `None`: known to the journal, but no Tradovate user yet.
    pub stage: Option<BoardStage>,
    /// When the current stage was reached (best known time).
    pub since: Option<DateTime<Utc>>,
    /// The trader's newest line of history: who made the latest change, and when.
    pub latest: Option<HistoryEntry>,
    /// Lower-case name, email and account, for the search box.
    haystack: String,
}

impl From<JournaledTrader> for BoardRow {
    fn from(trader: JournaledTrader) -> Self {
        let stage = stage_of(&trader);
        let since = match stage {
            Some(BoardStage::TPropGranted) => trader.entitled_at,
            Some(BoardStage::AgreementSigned) => trader.agreement_signed_at,
            Some(BoardStage::Revoked) => trader.revoked_at,
            Some(BoardStage::Cancelled) => trader.cancelled_at,
            _ => None,
        }
        .or(trader.updated_at);
        let haystack = format!("{}\n{}\n{}", trader.name, trader.email, trader.account_name).to_lowercase();
        Self { trader, stage, since, latest: None, haystack }
    }
}

impl BoardRow {
    /// The row with its latest change (from the same read as the traders).
    pub fn with_latest(mut self, latest: Option<HistoryEntry>) -> Self {
        self.latest = latest;
        self
    }

    pub fn matches(&self, filter: Option<BoardStage>, search: &str) -> bool {
        filter.is_none_or(|f| self.stage == Some(f)) && (search.is_empty() || self.haystack.contains(search))
    }

    /// "waiting for …" in words; a waiting state, never a failure.
    pub fn waiting_text(&self) -> String {
        match self.stage {
            Some(BoardStage::TPropGranted) => "Ready to trade".into(),
            Some(BoardStage::Revoked) | Some(BoardStage::Cancelled) => "Offboarded".into(),
            // The domain's words are long for a table cell; this is the same wait.
            Some(BoardStage::Account) => "Waiting for the trader to sign".into(),
            Some(stage) => format!("Waiting for {}", stage.waiting_for()),
            None => "Waiting for the Tradovate user".into(),
        }
    }
}

/// How many traders are at each stage.
pub fn counts(rows: &[BoardRow]) -> BTreeMap<BoardStage, usize> {
    let mut counts = BTreeMap::new();
    for row in rows {
        if let Some(stage) = row.stage {
            *counts.entry(stage).or_insert(0) += 1;
        }
    }
    counts
}

/// A short age: "just now", "4 min", "3 h", "2 d".
pub fn age(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - since).num_seconds().max(0);
    match secs {
        0..60 => "just now".into(),
        60..3600 => format!("{} min", secs / 60),
        3600..86_400 => format!("{} h", secs / 3600),
        _ => format!("{} d", secs / 86_400),
    }
}

/// A write the board runs for the selected traders, one at a time, in the background.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoardWrite {
    Offboard(Offboarding),
    /// "Update risk rules": the template's profile onto existing accounts.
    RiskRules,
}

impl BoardWrite {
    /// Beside the spinner while it runs.
    pub fn running(self) -> &'static str {
        match self {
            BoardWrite::Offboard(_) => "Offboarding…",
            BoardWrite::RiskRules => "Updating risk rules…",
        }
    }

    /// The title of its failure toast.
    pub fn doing(self) -> &'static str {
        match self {
            BoardWrite::Offboard(Offboarding::Revoke) => "Revoking trading permissions",
            BoardWrite::Offboard(Offboarding::Cancel) => "Cancelling everything",
            BoardWrite::RiskRules => "Updating risk rules",
        }
    }
}

/// The toast after a board write: "3 cancelled, 1 skipped (already cancelled)",
/// "Risk rules: 2 updated, 1 failed".
pub fn summarize(write: BoardWrite, outcomes: &[(String, OffboardOutcome)]) -> String {
    let done = outcomes.iter().filter(|(_, o)| *o == OffboardOutcome::Done).count();
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failed = 0;
    for (_, outcome) in outcomes {
        match outcome {
            OffboardOutcome::Skipped(reason) => *skipped.entry(reason.as_str()).or_insert(0) += 1,
            OffboardOutcome::Failed(_) => failed += 1,
            OffboardOutcome::Done => {}
        }
    }
    let (prefix, verb) = match write {
        BoardWrite::Offboard(Offboarding::Revoke) => ("", "revoked"),
        BoardWrite::Offboard(Offboarding::Cancel) => ("", "cancelled"),
        BoardWrite::RiskRules => ("Risk rules: ", "updated"),
    };
    let mut parts = vec![format!("{prefix}{done} {verb}")];
    parts.extend(skipped.iter().map(|(reason, n)| format!("{n} skipped ({reason})")));
    if failed > 0 {
        parts.push(format!("{failed} failed"));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_names_each_kind_of_skip() {
        let outcomes = vec![
            ("a".to_string(), OffboardOutcome::Done),
            ("b".to_string(), OffboardOutcome::Done),
            ("c".to_string(), OffboardOutcome::Done),
            ("d".to_string(), OffboardOutcome::Skipped("already cancelled".into())),
        ];
        let cancel = BoardWrite::Offboard(Offboarding::Cancel);
        assert_eq!(summarize(cancel, &outcomes), "3 cancelled, 1 skipped (already cancelled)");
        let failed = vec![("a".to_string(), OffboardOutcome::Failed("x".into()))];
        assert_eq!(summarize(BoardWrite::Offboard(Offboarding::Revoke), &failed), "0 revoked, 1 failed");
        assert_eq!(summarize(BoardWrite::RiskRules, &failed), "Risk rules: 0 updated, 1 failed");
    }

    #[test]
    fn an_account_waits_for_the_signature_and_search_finds_the_email() {
        let trader = JournaledTrader {
            name: "ada".into(),
            email: "Ada@Example.com".into(),
            account_name: "EVAL1".into(),
            user_id: Some(1),
            contact_done: true,
            account_id: Some(2),
            ..Default::default()
        };
        let row = BoardRow::from(trader);
        assert_eq!(row.stage, Some(BoardStage::Account));
        assert_eq!(row.waiting_text(), "Waiting for the trader to sign");
        assert!(row.matches(Some(BoardStage::Account), "ada@example"));
        assert!(!row.matches(Some(BoardStage::Failed), ""));
        assert!(row.matches(None, "eval1"));
    }
}
