//! From a validated roster to the pipeline's input: valid rows become
//! [`PreparedTrader`]s, invalid rows keep their problems and are never sent.

use super::journal::{Journal, JournalResult};
use super::pipeline::PreparedTrader;
use super::{KnownNames, Problem, Roster, RowId, validate_roster};
use std::collections::HashSet;

pub struct Prepared {
    /// Valid rows, in roster order.
    pub traders: Vec<(RowId, PreparedTrader)>,
    /// Rows that will not be sent, with the reasons.
    pub invalid: Vec<(RowId, Vec<Problem>)>,
}

/// Validates the roster and converts its valid rows for the firm's plan and template.
pub fn prepare(roster: &Roster, known: &KnownNames, plan_id: i64, template_account_id: i64) -> Prepared {
    let validation = validate_roster(roster, known);
    let mut prepared = Prepared { traders: Vec::new(), invalid: Vec::new() };
    for (id, trader) in roster.iter() {
        if !validation.is_valid(id) {
            prepared.invalid.push((id, validation.problems(id).to_vec()));
            continue;
        }
        let converted = trader.to_evaluation_user(plan_id).and_then(|user| {
            Ok(PreparedTrader {
                user,
                contact: trader.to_contact_info(0)?,
                account: trader.to_evaluation_account(0, template_account_id)?,
            })
        });
        match converted {
            Ok(trader) => prepared.traders.push((id, trader)),
            Err(invalid) => prepared.invalid.push((id, invalid.problems)),
        }
    }
    prepared
}

/// Names already taken by traders created earlier. A roster row with the same user
/// name as a journaled trader is that trader (a resumed run), so those are left out:
/// only *other* traders' names, emails and account names count as duplicates.
pub fn known_names_from_journal(journal: &Journal, roster: &Roster) -> JournalResult<KnownNames> {
    let in_roster: HashSet<String> = roster.iter().map(|(_, t)| t.name.trim().to_lowercase()).collect();
    let mut known = KnownNames::new();
    for trader in journal.traders()? {
        if trader.user_id.is_none() || in_roster.contains(&trader.name.to_lowercase()) {
            continue;
        }
        known.add_user_name(&trader.name);
        known.add_email(&trader.email);
        known.add_account_name(&trader.account_name);
    }
    Ok(known)
}
