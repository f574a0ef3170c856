//! From a roster to the pipeline's input. [`RosterCheck`] is the one place that decides
//! which rows are invalid, onboarded earlier, or ready, for the window and the command
//! line alike; [`prepare`] converts the ready rows. Invalid rows are never sent.

use super::journal::{Journal, JournalResult, JournaledTrader};
use super::pipeline::PreparedTrader;
use super::risk::{ProfileField, RiskRules, RiskRulesMissing, TemplateRules, check_post_trade, require_rules};
use super::roster::duplicate_key;
use super::{CellProblem, Field, KnownNames, Roster, RowId, Trader, Validation, validate_roster};
use crate::api::wire::{EvaluationAccount, PostTradeRisk};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// A roster checked against the journal of the environment it goes to.
#[derive(Clone, Debug, Default)]
pub struct RosterCheck {
    pub validation: Validation,
    /// Names taken by other traders created earlier.
    pub known: KnownNames,
    /// What the journal knows, read once per journal change and shared.
    journaled: Arc<JournaledTraders>,
    /// The template's risk rules the rows' risk columns are judged with (the window
    /// sets them, so a broken ladder shows as it is typed); `None` judges no ladder.
    risk: Option<TemplateRules>,
    /// Each judged row's ladder problems (empty when none), kept so reordering rows,
    /// which reassembles every row, re-adds them instead of judging every row again.
    risk_by_row: HashMap<RowId, Vec<CellProblem>>,
}

/// Every trader the environment's journal knows, by lower-case user name: what a roster
/// is checked against. Reading it is the only part of a check that touches the disk,
/// so the window reads it off the UI thread, once per journal change.
#[derive(Clone, Debug, Default)]
pub struct JournaledTraders {
    traders: Vec<JournaledTrader>,
    /// Index into `traders` by lower-case user name (the last one, if two differ in case).
    by_name: HashMap<String, usize>,
}

impl JournaledTraders {
    pub fn read(journal: &Journal) -> JournalResult<Self> {
        Ok(Self::from_traders(journal.traders()?))
    }

    /// What a read that found these traders gives (tests and benches build journals so).
    pub fn from_traders(traders: Vec<JournaledTrader>) -> Self {
        let by_name = traders.iter().enumerate().map(|(i, t)| (t.name.to_lowercase(), i)).collect();
        Self { traders, by_name }
    }

    /// The journaled trader with this (roster) user name.
    fn get(&self, name: &str) -> Option<&JournaledTrader> {
        if self.by_name.is_empty() {
            return None;
        }
        self.by_name.get(&name.trim().to_lowercase()).map(|&i| &self.traders[i])
    }

    /// The names taken by traders created earlier. A roster row with the same user name
    /// as a journaled trader is that trader (a resumed run), so those are left out: only
    /// *other* traders' names, emails and account names count as duplicates.
    fn known_names(&self, roster: &Roster) -> KnownNames {
        let mut known = KnownNames::new();
        if self.by_name.is_empty() {
            return known;
        }
        let in_roster: HashSet<String> = roster.iter().map(|(_, t)| t.name.trim().to_lowercase()).collect();
        for trader in &self.traders {
            if trader.user_id.is_none() || in_roster.contains(&trader.name.to_lowercase()) {
                continue;
            }
            known.add_user_name(&trader.name);
            known.add_email(&trader.email);
            known.add_account_name(&trader.account_name);
        }
        known
    }
}

impl RosterCheck {
    /// Validates the roster against itself and, when there is one, the journal.
    pub fn new(roster: &Roster, journal: Option<&Journal>) -> JournalResult<Self> {
        let journaled = match journal {
            Some(journal) => JournaledTraders::read(journal)?,
            None => JournaledTraders::default(),
        };
        Ok(Self::against(roster, Arc::new(journaled)))
    }

    /// Validates the roster against itself and what the journal knows (no disk).
    pub fn against(roster: &Roster, journaled: Arc<JournaledTraders>) -> Self {
        let known = journaled.known_names(roster);
        Self { validation: validate_roster(roster, &known), known, journaled, risk: None, risk_by_row: HashMap::new() }
    }

    /// After the journal changed (the change feed fires for any write, by anyone):
    /// re-checks only the rows whose facts in it changed, none for a grant or a history
    /// line, so a 10,000-row roster does not stall the window. Returns the rows
    /// re-checked, `None` for all (when what changed cannot be told apart).
    pub fn journal_changed(&mut self, roster: &Roster, journaled: Arc<JournaledTraders>) -> Option<Vec<RowId>> {
        let changed = journaled.changed_since(&self.journaled);
        self.journaled = journaled;
        let Some(changed) = changed else {
            // Onboarded rows are not judged: who is onboarded may have changed.
            self.risk_by_row.clear();
            self.rows_moved(roster);
            return None;
        };
        if changed.is_empty() {
            return Some(Vec::new());
        }
        let rows = self.validation.rows_keyed([&changed.names, &changed.emails, &changed.account_names]);
        self.known = self.journaled.known_names(roster);
        for id in &rows {
            self.risk_by_row.remove(id);
        }
        self.validation.known_changed(roster, &self.known, &rows);
        self.add_risk_for(roster, &rows);
        Some(rows)
    }

    /// After rows were added, deleted or reordered, their cells unchanged.
    pub fn rows_moved(&mut self, roster: &Roster) {
        self.known = self.journaled.known_names(roster);
        self.validation.rows_moved(roster, &self.known);
        self.add_risk_for(roster, &roster.ids());
    }

    /// After one cell changed from `old`: re-checks only the rows it affects, unless the
    /// user name now names (or no longer names) a journaled trader, which changes the
    /// names taken earlier for every row. Returns the rows re-checked, `None` for all.
    pub fn cell_changed(&mut self, roster: &Roster, id: RowId, field: Field, old: &str) -> Option<Vec<RowId>> {
        let new = roster.get(id).map(|t| t.get(field)).unwrap_or_default();
        if field == Field::Name && (self.journaled.get(old).is_some() || self.journaled.get(new).is_some()) {
            self.risk_by_row.remove(&id);
            self.rows_moved(roster);
            return None;
        }
        let touched = self.validation.cell_changed(roster, &self.known, id, field);
        // Reassembling a row drops its risk problems: judge the edited row again, re-add
        // the others' (a duplicate group's rows were reassembled, not changed).
        self.risk_by_row.remove(&id);
        self.add_risk_for(roster, &touched);
        Some(touched)
    }

    pub fn earlier_of(&self, trader: &Trader) -> Option<&JournaledTrader> {
        self.journaled.get(&trader.name)
    }

    /// Valid and not onboarded yet: what "ready" means everywhere.
    pub fn is_ready(&self, id: RowId, trader: &Trader) -> bool {
        self.validation.is_valid(id) && !self.earlier_of(trader).is_some_and(is_onboarded)
    }
}

// ---- Telling which rows a journal change concerns ----

/// What a roster check reads of one journaled trader: its names are taken when it was
/// created (`known_names`), and an onboarded row is neither ready nor judged. A change
/// to anything else (a grant, a risk update, a history line) concerns no row.
#[derive(PartialEq)]
struct CheckedFacts<'a> {
    name: &'a str,
    email: &'a str,
    account_name: &'a str,
    created: bool,
    onboarded: bool,
}

impl<'a> CheckedFacts<'a> {
    fn of(trader: &'a JournaledTrader) -> Self {
        Self {
            name: &trader.name,
            email: &trader.email,
            account_name: &trader.account_name,
            created: trader.user_id.is_some(),
            onboarded: is_onboarded(trader),
        }
    }
}

/// The user names, emails and account names (as duplicate keys) of the journaled
/// traders whose checked facts changed, before and after: a roster row concerned by
/// the change has one of them.
#[derive(Debug, Default)]
struct ChangedKeys {
    names: HashSet<String>,
    emails: HashSet<String>,
    account_names: HashSet<String>,
}

impl ChangedKeys {
    fn add(&mut self, trader: &JournaledTrader) {
        for (keys, value) in [
            (&mut self.names, &trader.name),
            (&mut self.emails, &trader.email),
            (&mut self.account_names, &trader.account_name),
        ] {
            let key = duplicate_key(value);
            if !key.is_empty() {
                keys.insert(key);
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.names.is_empty() && self.emails.is_empty() && self.account_names.is_empty()
    }
}

impl JournaledTraders {
    /// The keys of the traders whose checked facts differ from `old`'s; `None` when the
    /// rows concerned cannot be found by key (two traders whose names differ only in
    /// case, or a blank name, which `get` matches without a key): re-check every row.
    fn changed_since(&self, old: &Self) -> Option<ChangedKeys> {
        if self.by_name.len() != self.traders.len() || old.by_name.len() != old.traders.len() {
            return None;
        }
        let traders = self.changed_traders(old);
        if traders.iter().any(|t| duplicate_key(&t.name).is_empty()) {
            return None;
        }
        let mut changed = ChangedKeys::default();
        for trader in traders {
            changed.add(trader);
        }
        Some(changed)
    }

    /// Both versions of each trader whose checked facts differ from `old`'s, including
    /// traders that appeared or went.
    fn changed_traders<'a>(&'a self, old: &'a Self) -> Vec<&'a JournaledTrader> {
        let mut changed = Vec::new();
        let mut found = 0;
        for (i, now) in self.traders.iter().enumerate() {
            // Reads list traders in the order they were added: most are where they
            // were, found without hashing 10,000 names.
            let before = old.traders.get(i).filter(|b| b.name == now.name);
            let before = before.or_else(|| old.by_name.get(&now.name.to_lowercase()).map(|&j| &old.traders[j]));
            found += usize::from(before.is_some());
            if before.map(CheckedFacts::of) != Some(CheckedFacts::of(now)) {
                changed.push(now);
                changed.extend(before);
            }
        }
        // Names are unique (see `changed_since`): each old trader is found at most once.
        if found < old.traders.len() {
            let gone = old.by_name.iter().filter(|(name, _)| !self.by_name.contains_key(*name));
            changed.extend(gone.map(|(_, &j)| &old.traders[j]));
        }
        changed
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
        self.set_risk_rules(roster, template.clone());
        Ok(())
    }

    /// Marks each row not onboarded yet whose own risk columns break a rule together
    /// with the template's profile (e.g. an alert above the auto-liquidate level), on
    /// the cell at fault. The window sets them, and every later re-check (a cell edit,
    /// moved rows, a journal change) keeps them, so the error shows as the value is
    /// typed, not only when a run starts.
    pub fn set_risk_rules(&mut self, roster: &Roster, template: TemplateRules) {
        let had_rules = self.risk.replace(template).is_some();
        self.risk_by_row.clear();
        if had_rules {
            // The earlier rules' problems are in the assembled rows: reassemble them all.
            self.rows_moved(roster);
        } else {
            self.add_risk_for(roster, &roster.ids());
        }
    }

    /// Adds the ladder problems of `rows` (just assembled, so without any yet), judging
    /// only the rows not judged under the current rules.
    fn add_risk_for(&mut self, roster: &Roster, rows: &[RowId]) {
        let Some(template) = &self.risk else { return };
        for &id in rows {
            let Some(trader) = roster.get(id) else { continue };
            let problems = self.risk_by_row.entry(id).or_insert_with(|| {
                if self.journaled.get(&trader.name).is_some_and(is_onboarded) {
                    Vec::new()
                } else {
                    risk_problems(&account_risk(&trader.risk_values(), template))
                }
            });
            if !problems.is_empty() {
                self.validation.add(id, problems.clone());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onboarding::risk::{RiskField, RiskProfile};
    use crate::onboarding::validate::tests::good;

    fn fifty_k(auto_liq: f64) -> TemplateRules {
        let mut profile = RiskProfile { template: "DEMOFIRM50K".into(), ..Default::default() };
        profile.post_trade_risk.daily_loss_auto_liq = Some(auto_liq);
        TemplateRules {
            template_id: 7,
            template_name: "DEMOFIRM50K".into(),
            rules: RiskRules::Profile(Box::new(profile)),
        }
    }

    fn alert_problems(check: &RosterCheck, id: RowId) -> usize {
        check.validation.cell_problems(id, Field::Risk(RiskField::DailyLossAlert)).count()
    }

    /// The window re-checks only what an edit touches: a row's broken ladder must survive
    /// an edit of another of its cells, clear when fixed, and follow a new profile.
    #[test]
    fn a_broken_ladder_stays_through_other_edits_and_follows_the_profile() {
        let mut roster = Roster::new();
        let id = roster.add({
            // The profile's auto-liquidate level applies: the row has none of its own.
            let mut t = good();
            t.set(Field::Risk(RiskField::DailyLossAutoLiq), String::new());
            t
        });
        let other = roster.add({
            let mut t = good();
            t.set(Field::Name, "someone.else".into());
            t.set(Field::Email, "someone.else@example.com".into());
            t.set(Field::AccountName, "ELSE1".into());
            t
        });
        let mut check = RosterCheck::against(&roster, Arc::default());
        check.set_risk_rules(&roster, fifty_k(2000.0));
        assert_eq!(alert_problems(&check, id), 0);

        roster.get_mut(id).unwrap().set(Field::Risk(RiskField::DailyLossAlert), "3000".into());
        check.cell_changed(&roster, id, Field::Risk(RiskField::DailyLossAlert), "");
        assert_eq!(alert_problems(&check, id), 1, "alert above the profile's auto-liquidate level");

        let old = roster.get(id).unwrap().get(Field::City).to_string();
        roster.get_mut(id).unwrap().set(Field::City, "Albany".into());
        check.cell_changed(&roster, id, Field::City, &old);
        assert_eq!(alert_problems(&check, id), 1, "another cell's edit keeps the ladder problem");
        check.rows_moved(&roster);
        assert_eq!(alert_problems(&check, id), 1, "moving rows keeps it too");

        check.set_risk_rules(&roster, fifty_k(5000.0));
        assert_eq!(alert_problems(&check, id), 0, "a looser profile clears it: {:?}", check.validation.problems(id));
        assert_eq!(alert_problems(&check, other), 0);
        check.set_risk_rules(&roster, fifty_k(2000.0));
        assert_eq!(alert_problems(&check, id), 1, "exactly once, not once per re-check");
    }

    // ---- Journal changes re-check only the rows they concern ----

    fn journal(traders: Vec<JournaledTrader>) -> Arc<JournaledTraders> {
        Arc::new(JournaledTraders::from_traders(traders))
    }

    /// A trader another admin created (`onboarded`: its account exists too).
    fn journaled(name: &str, email: &str, account_name: &str, onboarded: bool) -> JournaledTrader {
        JournaledTrader {
            name: name.into(),
            email: email.into(),
            account_name: account_name.into(),
            user_id: Some(1),
            account_id: onboarded.then_some(2),
            ..Default::default()
        }
    }

    fn row(name: &str) -> Trader {
        let mut t = good();
        t.set(Field::Name, name.into());
        t.set(Field::Email, format!("{name}@example.com"));
        t.set(Field::AccountName, format!("{}1", name.to_uppercase()));
        t
    }

    fn all_problems(roster: &Roster, check: &RosterCheck) -> Vec<Vec<CellProblem>> {
        roster.iter().map(|(id, _)| check.validation.problems(id).to_vec()).collect()
    }

    /// What a check made from scratch against `journaled` gives.
    fn full_check(roster: &Roster, journaled: Arc<JournaledTraders>, template: &TemplateRules) -> RosterCheck {
        let mut check = RosterCheck::against(roster, journaled);
        check.set_risk_rules(roster, template.clone());
        check
    }

    /// The change feed fires for every write by anyone: a grant, a trader who is in no
    /// roster row, must not re-check a 10,000-row roster on the UI thread.
    #[test]
    fn a_grant_or_a_trader_outside_the_roster_rechecks_no_row() {
        let mut roster = Roster::new();
        roster.add(row("alice"));
        roster.add(row("bob"));
        let before = vec![journaled("zoe", "zoe@example.com", "ZOE1", true), journaled("bob", "", "", true)];
        let mut check = full_check(&roster, journal(before.clone()), &fifty_k(2000.0));

        let mut granted = before.clone();
        granted[0].entitled_at = Some(chrono::Utc::now());
        granted[1].entitled_at = Some(chrono::Utc::now());
        granted[1].updated_at = Some(chrono::Utc::now());
        assert_eq!(check.journal_changed(&roster, journal(granted.clone())), Some(Vec::new()), "grants");

        let mut outside = granted.clone();
        outside.push(journaled("yan", "yan@example.com", "YAN1", false));
        assert_eq!(check.journal_changed(&roster, journal(outside.clone())), Some(Vec::new()), "a new trader");
        assert_eq!(
            all_problems(&roster, &check),
            all_problems(&roster, &full_check(&roster, journal(outside), &fifty_k(2000.0)))
        );
    }

    /// Another admin onboards a roster row's trader and creates one with another row's
    /// email: exactly those two rows are re-checked, with what a full check says.
    #[test]
    fn a_trader_onboarded_elsewhere_rechecks_exactly_the_rows_it_concerns() {
        let mut roster = Roster::new();
        let alice = roster.add({
            let mut t = row("alice");
            t.set(Field::Risk(RiskField::DailyLossAlert), "3000".into());
            t
        });
        let bob = roster.add(row("bob"));
        let carol = roster.add(row("carol"));
        let mut check = full_check(&roster, journal(Vec::new()), &fifty_k(2000.0));
        assert_eq!(alert_problems(&check, alice), 1, "alice's ladder is broken while she is to be sent");

        let after = journal(vec![
            journaled("Alice", "alice@example.com", "ALICE1", true),
            journaled("dave", " BOB@example.com", "DAVE1", false),
        ]);
        assert_eq!(check.journal_changed(&roster, after.clone()), Some(vec![alice, bob]));
        let trader = |id| roster.get(id).unwrap();
        assert!(check.earlier_of(trader(alice)).is_some_and(is_onboarded));
        assert!(!check.is_ready(alice, trader(alice)), "already onboarded: not sent again");
        assert_eq!(check.validation.problems(alice), &[], "an onboarded row's ladder is not judged");
        let messages: Vec<&str> = check.validation.problems(bob).iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages, ["Email 'bob@example.com' already belongs to a trader created earlier"]);
        assert!(check.is_ready(carol, trader(carol)));
        assert_eq!(all_problems(&roster, &check), all_problems(&roster, &full_check(&roster, after, &fifty_k(2000.0))));

        // Dave's account is created under another email: bob's row is free again.
        let freed = journal(vec![
            journaled("Alice", "alice@example.com", "ALICE1", true),
            journaled("dave", "dave@example.com", "DAVE1", true),
        ]);
        assert_eq!(check.journal_changed(&roster, freed), Some(vec![bob]));
        assert!(check.is_ready(bob, trader(bob)));
    }

    /// Whatever the journal does between two reads, re-checking only the rows concerned
    /// gives what a full check gives.
    #[test]
    fn random_journal_changes_give_exactly_the_problems_of_a_full_check() {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};
        let names = ["alice", "bob", "carol", "dave", "erin", "Alice", ""];
        let mut roster = Roster::new();
        for name in ["alice", "bob", "carol", "dave", "bob"] {
            let mut t = row(name);
            t.set(Field::Risk(RiskField::DailyLossAlert), "3000".into());
            roster.add(t);
        }
        let template = fifty_k(2000.0);
        let mut check = full_check(&roster, journal(Vec::new()), &template);
        let mut rng = StdRng::seed_from_u64(14);
        let (mut partial, mut empty) = (0, 0);
        for step in 0..300 {
            if rng.random_bool(0.3) {
                // A grant: nothing a check reads changes.
                let mut granted = check.journaled.traders.clone();
                granted.iter_mut().for_each(|t| t.entitled_at = Some(chrono::Utc::now()));
                let names: HashSet<String> = granted.iter().map(|t| t.name.to_lowercase()).collect();
                // Two names differing only in case: which row is whose cannot be told by key.
                let expected = (names.len() == granted.len()).then(Vec::new);
                assert_eq!(check.journal_changed(&roster, journal(granted)), expected, "step {step}");
                empty += usize::from(expected.is_some());
                continue;
            }
            let traders: Vec<JournaledTrader> = (0..rng.random_range(0..4))
                .map(|_| {
                    let pick = |rng: &mut StdRng| names[rng.random_range(0..names.len())];
                    let mut t =
                        journaled(pick(&mut rng), &format!("{}@example.com", pick(&mut rng)), "", rng.random_bool(0.5));
                    t.account_name = format!("{}1", pick(&mut rng).to_uppercase());
                    t.user_id = rng.random_bool(0.8).then_some(1);
                    t
                })
                .collect();
            let rows = check.journal_changed(&roster, journal(traders.clone()));
            partial += usize::from(rows.as_ref().is_some_and(|r| !r.is_empty()));
            let full = full_check(&roster, journal(traders.clone()), &template);
            assert_eq!(all_problems(&roster, &check), all_problems(&roster, &full), "step {step}: {traders:?}");
            for (id, t) in roster.iter() {
                assert_eq!(check.is_ready(id, t), full.is_ready(id, t), "step {step}");
            }
        }
        assert!(partial > 20 && empty > 20, "the changes exercised both paths: {partial} {empty}");
    }
}
