//! "Move my local journal into the team journal" (issue 14): a dry run that counts what
//! would be copied, then the copy. The window (Setup → Team journal) and
//! `propdesk journal move` both use these two functions.
//!
//! Copied per trader: the row with all its ids, stamps and errors, its history with the
//! original authors and times, and its unsettled intents (the next run must still
//! reconcile them). A trader already in the team journal is left as it is, so a second
//! move copies nothing. The local file is only read: it stays as a backup.

use super::{Copied, Journal, JournalResult, TraderExport};
use crate::api::EnvironmentKind;

/// What a move would copy for one environment key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnvironmentMove {
    pub key: String,
    pub traders: usize,
    pub history_lines: usize,
    pub open_intents: usize,
    /// Traders the team journal already has under this key: left as they are.
    pub already_there: usize,
    /// Why nothing of this key is copied: the two journals belong to different firms.
    pub refused: Option<String>,
}

impl EnvironmentMove {
    /// "Staging: 42 traders, 310 history lines to copy; 3 traders already there are left as they are".
    pub fn summary(&self) -> String {
        if let Some(reason) = &self.refused {
            return format!("{}: not copied, {reason}", environment_label(&self.key));
        }
        let mut text = if self.traders == 0 {
            format!("{}: nothing to copy", environment_label(&self.key))
        } else {
            format!(
                "{}: {} to copy",
                environment_label(&self.key),
                [counted(self.traders, "trader"), counted(self.history_lines, "history line")].join(", ")
            )
        };
        if self.open_intents > 0 {
            text.push_str(&format!(" (with {} to reconcile)", counted(self.open_intents, "unfinished write")));
        }
        if self.already_there > 0 {
            let verb = if self.already_there == 1 { "is" } else { "are" };
            text.push_str(&format!(
                "; {} already there {verb} left as {}",
                counted(self.already_there, "trader"),
                if self.already_there == 1 { "it is" } else { "they are" }
            ));
        }
        text
    }
}

/// The dry run's answer: one entry per environment key of the local journal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MovePlan {
    pub environments: Vec<EnvironmentMove>,
}

impl MovePlan {
    pub fn traders_to_copy(&self) -> usize {
        self.environments.iter().filter(|e| e.refused.is_none()).map(|e| e.traders).sum()
    }

    /// One line per environment, or why there is nothing to do.
    pub fn summary(&self) -> Vec<String> {
        if self.environments.is_empty() {
            return vec!["This computer's journal has no traders: nothing to copy.".into()];
        }
        let mut lines: Vec<String> = self.environments.iter().map(EnvironmentMove::summary).collect();
        if self.traders_to_copy() == 0 {
            lines.push("Nothing to copy: the team journal already has every trader.".into());
        }
        lines
    }
}

/// What the copy did, per environment key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MoveReport {
    pub copied: Vec<(String, Copied)>,
}

impl MoveReport {
    pub fn traders(&self) -> usize {
        self.copied.iter().map(|(_, c)| c.traders).sum()
    }

    pub fn summary(&self) -> String {
        let (traders, lines) = self.copied.iter().fold((0, 0), |(t, l), (_, c)| (t + c.traders, l + c.history_lines));
        if traders == 0 {
            return "Copied nothing: the team journal already had every trader.".into();
        }
        format!("Copied {} and {} into the team journal.", counted(traders, "trader"), counted(lines, "history line"))
    }
}

/// How far the copy is: traders handled of all to handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MoveProgress {
    pub done: usize,
    pub total: usize,
}

/// Traders per transaction: progress moves in steps this big, and a failure mid-way
/// keeps what was committed (the next move continues from there).
const BATCH: usize = 100;

/// Counts what [`copy`] would copy from `from` into `to`; writes nothing.
pub fn plan(from: &Journal, to: &Journal) -> JournalResult<MovePlan> {
    let mut environments = Vec::new();
    for (key, traders) in exports(from)? {
        let there = names(to, &key)?;
        let refused = other_firm(from, to, &key)?;
        let mut entry = EnvironmentMove { key, refused, ..Default::default() };
        for export in &traders {
            if there.contains(&export.trader.name) {
                entry.already_there += 1;
            } else {
                entry.traders += 1;
                entry.history_lines += export.history.len();
                entry.open_intents += export.open_intents.len();
            }
        }
        environments.push(entry);
    }
    Ok(MovePlan { environments })
}

/// Copies every trader `to` does not have yet (see the module comment), reporting
/// progress after each batch.
pub fn copy(from: &Journal, to: &Journal, progress: &mut dyn FnMut(MoveProgress)) -> JournalResult<MoveReport> {
    let all = exports(from)?;
    let total = all.iter().map(|(_, traders)| traders.len()).sum();
    let mut done = 0;
    progress(MoveProgress { done, total });
    let mut report = MoveReport::default();
    for (key, traders) in all {
        let mut copied = Copied::default();
        if !firm_matches(from, to, &key)? {
            done += traders.len();
            progress(MoveProgress { done, total });
            report.copied.push((key, copied));
            continue;
        }
        for batch in traders.chunks(BATCH) {
            let step = to.store().import_traders(&key, batch)?;
            copied.traders += step.traders;
            copied.history_lines += step.history_lines;
            copied.open_intents += step.open_intents;
            done += batch.len();
            progress(MoveProgress { done, total });
        }
        report.copied.push((key, copied));
    }
    Ok(report)
}

/// The local journal's traders per environment key. The Sandbox's are left out: its
/// server lives only while the window runs, and the window never opens the team journal
/// for it.
fn exports(from: &Journal) -> JournalResult<Vec<(String, Vec<TraderExport>)>> {
    let store = from.store();
    let mut all = Vec::new();
    for key in store.environment_keys()? {
        if key == EnvironmentKind::Sandbox.slug() {
            continue;
        }
        let traders = store.export_traders(&key)?;
        all.push((key, traders));
    }
    Ok(all)
}

/// Why `key`'s traders may not be copied: the team journal's key belongs to another
/// firm than this computer's (two firms' traders never mix under one key).
fn other_firm(from: &Journal, to: &Journal, key: &str) -> JournalResult<Option<String>> {
    let (mine, theirs) = (from.store().bound_firm(key)?, to.store().bound_firm(key)?);
    Ok(match (mine, theirs) {
        (Some(mine), Some(theirs)) if mine != theirs => {
            Some(format!("the team journal's belongs to the firm {theirs:?}, this computer's to {mine:?}"))
        }
        _ => None,
    })
}

/// Binds the team journal's key to this computer's firm if it has none yet; false when
/// it belongs to another firm (nothing of the key is copied then).
fn firm_matches(from: &Journal, to: &Journal, key: &str) -> JournalResult<bool> {
    match from.store().bound_firm(key)? {
        Some(mine) => Ok(to.store().bind_firm(key, &mine, &to.author)? == mine),
        // Unknown here: the team's next sign-in binds or checks it.
        None => Ok(true),
    }
}

fn names(journal: &Journal, key: &str) -> JournalResult<std::collections::HashSet<String>> {
    Ok(journal.store().traders(key)?.into_iter().map(|t| t.name).collect())
}

/// "Staging" for a named environment's key, the LIVE URL for a custom one.
pub fn environment_label(key: &str) -> String {
    EnvironmentKind::from_slug(key).map_or_else(|| key.to_string(), |kind| kind.label().to_string())
}

fn counted(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}
