//! From a roster to the pipeline's input. [`RosterCheck`] is the one place that decides
//! which rows are invalid, onboarded earlier, or ready, for the window and the command
//! line alike; [`prepare`] converts the ready rows. Invalid rows are never sent.

use super::journal::{Journal, JournalResult, JournaledTrader};
use super::pipeline::PreparedTrader;
use super::risk::{ProfileField, RiskRules, RiskRulesMissing, TemplateRules, check_post_trade, require_rules};
use super::{CellProblem, Field, KnownNames, Roster, RowId, Trader, Validation, validate_roster};
use crate::api::wire::{EvaluationAccount, PostTradeRisk};
use std::collections::{HashMap, HashSet};

/// A roster checked against the journal of the environment it goes to.
#[derive(Clone, Debug, Default)]
pub struct RosterCheck {
    pub validation: Validation,
    /// Names taken by other traders created earlier.
    pub known: KnownNames,
    /// What the journal knows about this roster's traders, by lower-case user name.
    pub earlier: HashMap<String, JournaledTrader>,
}

impl RosterCheck {
    /// Validates the roster against itself and, when there is one, the journal.
    pub fn new(roster: &Roster, journal: Option<&Journal>) -> JournalResult<Self> {
        let (known, earlier) = match journal {
            None => (KnownNames::new(), HashMap::new()),
            Some(journal) => {
                let names: HashSet<String> = roster.iter().map(|(_, t)| t.name.trim().to_lowercase()).collect();
                let earlier = journal
                    .traders()?
                    .into_iter()
                    .filter(|t| names.contains(&t.name.to_lowercase()))
                    .map(|t| (t.name.to_lowercase(), t))
                    .collect();
                (known_names_from_journal(journal, roster)?, earlier)
            }
        };
        Ok(Self { validation: validate_roster(roster, &known), known, earlier })
    }

    pub fn earlier_of(&self, trader: &Trader) -> Option<&JournaledTrader> {
        if self.earlier.is_empty() {
            return None;
        }
        self.earlier.get(&trader.name.trim().to_lowercase())
    }

    /// Valid and not onboarded yet: what "ready" means everywhere.
    pub fn is_ready(&self, id: RowId, trader: &Trader) -> bool {
        self.validation.is_valid(id) && !self.earlier_of(trader).is_some_and(is_onboarded)
    }
}

/// A journaled trader whose evaluation account exists has nothing left to create.
pub fn is_onboarded(trader: &JournaledTrader) -> bool {
    trader.account_id.is_some()
}

impl RosterCheck {
    /// Applies the template's risk rules to the ready rows: refused when any would get
    /// an account with no limits and the admin did not acknowledge that; a row whose
    /// own risk columns break a rule together with the profile becomes invalid, with
    /// the reason on its cell (so window and RESULTS say why it was not sent).
    pub fn apply_risk_rules(&mut self, roster: &Roster, template: &TemplateRules) -> Result<(), RiskRulesMissing> {
        let ready = roster.iter().filter(|(id, t)| self.is_ready(*id, t)).map(|(_, t)| t);
        require_rules(template, ready)?;
        self.add_risk_problems(roster, template);
        Ok(())
    }

    /// Marks each row not onboarded yet whose own risk columns break a rule together
    /// with the template's profile (e.g. an alert above the auto-liquidate level), on
    /// the cell at fault. The window calls this on every revalidation, so the error
    /// shows as the value is typed, not only when a run starts.
    pub fn add_risk_problems(&mut self, roster: &Roster, template: &TemplateRules) {
        for (id, trader) in roster.iter() {
            if self.earlier_of(trader).is_some_and(is_onboarded) {
                continue;
            }
            let problems = risk_problems(&account_risk(&trader.risk_values(), template));
            if !problems.is_empty() {
                self.validation.add(id, problems);
            }
        }
    }
}

/// The post-trade risk an account really gets: the template's profile with the row's
/// own values on top, or the row's values alone when there is no profile.
fn account_risk(own: &PostTradeRisk, template: &TemplateRules) -> PostTradeRisk {
    match &template.rules {
        RiskRules::Profile(profile) => profile.post_trade_for(own),
        RiskRules::NoLimitsAcknowledged | RiskRules::NotSet => own.clone(),
    }
}

/// The rules across fields as problems on the row's risk cells.
fn risk_problems(risk: &PostTradeRisk) -> Vec<CellProblem> {
    check_post_trade(risk)
        .into_iter()
        .filter_map(|p| match p.field {
            ProfileField::Post(field) => Some(CellProblem {
                field: Field::Risk(field),
                message: format!("{} (template profile and this row together)", p.message),
                suggestion: None,
            }),
            ProfileField::Position(_) => None,
        })
        .collect()
}

/// Puts the template's rules on one account (seeds/000 Step 3: loss limits are not
/// defined at the template level and must be set at account creation).
fn with_risk(mut account: EvaluationAccount, template: &TemplateRules) -> EvaluationAccount {
    let own = account.post_trade_risk.take().unwrap_or_default();
    let risk = account_risk(&own, template);
    if let RiskRules::Profile(profile) = &template.rules {
        account.pre_trade_risk = profile.pre_trade_risk.clone();
    }
    account.post_trade_risk = (risk != PostTradeRisk::default()).then_some(risk);
    account
}

/// Converts the ready rows (all of them, or those in `only`) for the firm's plan and
/// template, in roster order, each account carrying the template's risk rules.
pub fn prepare(
    roster: &Roster,
    check: &RosterCheck,
    plan_id: i64,
    template: &TemplateRules,
    only: Option<&HashSet<RowId>>,
) -> Vec<(RowId, PreparedTrader)> {
    let mut prepared = Vec::new();
    for (id, trader) in roster.iter() {
        if !check.is_ready(id, trader) || only.is_some_and(|only| !only.contains(&id)) {
            continue;
        }
        // Conversion applies the same per-row rules validation did, so a ready row
        // converts; one that did not would stay "not sent" rather than be guessed at.
        let converted = trader.to_evaluation_user(plan_id).and_then(|user| {
            Ok(PreparedTrader {
                user,
                contact: trader.to_contact_info(0)?,
                account: with_risk(trader.to_evaluation_account(0, template.template_id)?, template),
            })
        });
        if let Ok(trader) = converted {
            prepared.push((id, trader));
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
