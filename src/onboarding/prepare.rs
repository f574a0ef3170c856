//! From a validated roster to the pipeline's input: valid rows become
//! [`PreparedTrader`]s, invalid rows keep their problems and are never sent.

use super::journal::{Journal, JournalResult};
use super::pipeline::PreparedTrader;
use super::risk::{ProfileField, RiskRules, RiskRulesMissing, TemplateRules, check_post_trade};
use super::{Field, KnownNames, Problem, Roster, RowId, validate_roster};
use crate::api::wire::PostTradeRisk;
use std::collections::HashSet;

pub struct Prepared {
    /// Valid rows, in roster order.
    pub traders: Vec<(RowId, PreparedTrader)>,
    /// Rows that will not be sent, with the reasons.
    pub invalid: Vec<(RowId, Vec<Problem>)>,
}

/// Validates the roster and converts its valid rows for the firm's plan and template.
/// Every account carries the template's risk profile, with the row's own risk columns
/// overriding it field by field. A run that would create an account with no limits at
/// all is refused unless the admin acknowledged that the template has none.
pub fn prepare(
    roster: &Roster,
    known: &KnownNames,
    plan_id: i64,
    template: &TemplateRules,
) -> Result<Prepared, RiskRulesMissing> {
    let validation = validate_roster(roster, known);
    let mut prepared = Prepared { traders: Vec::new(), invalid: Vec::new() };
    let mut unprotected = 0;
    for (id, trader) in roster.iter() {
        if !validation.is_valid(id) {
            prepared.invalid.push((id, validation.problems(id).to_vec()));
            continue;
        }
        let converted = trader.to_evaluation_user(plan_id).and_then(|user| {
            Ok(PreparedTrader {
                user,
                contact: trader.to_contact_info(0)?,
                account: trader.to_evaluation_account(0, template.template_id)?,
            })
        });
        let mut converted = match converted {
            Ok(converted) => converted,
            Err(invalid) => {
                prepared.invalid.push((id, invalid.problems));
                continue;
            }
        };
        let own = converted.account.post_trade_risk.take().unwrap_or_default();
        let risk = match &template.rules {
            RiskRules::Profile(profile) => {
                converted.account.pre_trade_risk = profile.pre_trade_risk.clone();
                profile.post_trade_for(&own)
            }
            RiskRules::NoLimitsAcknowledged | RiskRules::NotSet => own,
        };
        if risk == PostTradeRisk::default() && converted.account.pre_trade_risk.is_empty() {
            unprotected += 1;
        }
        let problems = risk_problems(&risk);
        if !problems.is_empty() {
            prepared.invalid.push((id, problems));
            continue;
        }
        converted.account.post_trade_risk = (risk != PostTradeRisk::default()).then_some(risk);
        prepared.traders.push((id, converted));
    }
    if unprotected > 0 && template.rules == RiskRules::NotSet {
        return Err(RiskRulesMissing { template_name: template.template_name.clone(), unprotected });
    }
    Ok(prepared)
}

/// The rules across fields, on what this row's account would really get (profile and
/// row together), as problems on the row's risk cells.
fn risk_problems(risk: &PostTradeRisk) -> Vec<Problem> {
    check_post_trade(risk)
        .into_iter()
        .filter_map(|p| match p.field {
            ProfileField::Post(field) => Some(Problem {
                field: Field::Risk(field),
                message: format!("{} (template profile and this row together)", p.message),
                suggestion: None,
            }),
            ProfileField::Position(_) => None,
        })
        .collect()
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
