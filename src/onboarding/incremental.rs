//! Keeps a roster's [`Validation`] current as it changes, without re-checking every
//! row: a cell edit re-checks the edited row and the rows sharing its old or new user
//! name, email or account name. With 10,000 rows a keystroke costs microseconds, not
//! a whole validation.
//!
//! A row's problems are made of three parts, kept apart so each is redone only when
//! what it depends on changes: its own cells (`validate_trader`), the duplicate groups
//! it is in (positions of the other rows), and the names taken by traders created
//! earlier ([`KnownNames`]). Assembled, they equal what a full validation gives, in the
//! same order (the tests below check that after random edits).

use super::roster::{Roster, RowId, duplicate_key};
use super::trader::Field;
use super::validate::{CellProblem, KnownNames, Validation, duplicate_problem, known_problems, validate_trader};
use std::collections::{HashMap, HashSet};

/// The fields two rows may not share.
const DUPLICATE_FIELDS: [Field; 3] = [Field::Name, Field::Email, Field::AccountName];

/// The parts each row's problems are assembled from.
#[derive(Clone, Debug, Default)]
pub(super) struct RowParts {
    /// Problems of the row's own cells, for rows that have some.
    own: HashMap<RowId, Vec<CellProblem>>,
    /// Per duplicate field: the rows by their key (blank cells are in no group).
    groups: [HashMap<String, Vec<RowId>>; 3],
    /// Each row's keys, to find the group it leaves when its cell changes.
    keys: HashMap<RowId, [String; 3]>,
    /// "Same … as row N", per duplicate field, for rows in a group of two or more.
    duplicates: HashMap<RowId, [Option<CellProblem>; 3]>,
}

impl Validation {
    /// After rows were added, deleted or reordered (their cells unchanged), or `known`
    /// changed: regroups duplicates by the new positions and reassembles every row,
    /// reusing each remaining row's own problems.
    pub fn rows_moved(&mut self, roster: &Roster, known: &KnownNames) {
        let mut own = std::mem::take(&mut self.parts.own);
        let mut parts = RowParts::default();
        for (id, trader) in roster.iter() {
            let problems = own.remove(&id).unwrap_or_else(|| validate_trader(trader));
            if !problems.is_empty() {
                parts.own.insert(id, problems);
            }
            let keys = DUPLICATE_FIELDS.map(|field| duplicate_key(trader.get(field)));
            for (k, key) in keys.iter().enumerate() {
                if !key.is_empty() {
                    parts.groups[k].entry(key.clone()).or_default().push(id);
                }
            }
            parts.keys.insert(id, keys);
        }
        self.parts = parts;
        for k in 0..DUPLICATE_FIELDS.len() {
            let keys: Vec<String> =
                self.parts.groups[k].iter().filter(|(_, rows)| rows.len() > 1).map(|(key, _)| key.clone()).collect();
            for key in keys {
                self.regroup(roster, k, &key);
            }
        }
        self.by_row.clear();
        for (id, _) in roster.iter() {
            self.assemble(roster, known, id);
        }
    }

    /// After one cell of `id` changed (and nothing else): re-checks that row and the
    /// rows whose duplicate problems it affects. Returns the rows whose problems were
    /// redone.
    pub fn cell_changed(&mut self, roster: &Roster, known: &KnownNames, id: RowId, field: Field) -> Vec<RowId> {
        let Some(trader) = roster.get(id) else {
            // The row is gone: only a structural change does that.
            self.rows_moved(roster, known);
            return roster.ids();
        };
        let Some(mut keys) = self.parts.keys.get(&id).cloned() else {
            // A row this validation never saw: the roster changed behind its back.
            self.rows_moved(roster, known);
            return roster.ids();
        };
        let own = validate_trader(trader);
        if own.is_empty() {
            self.parts.own.remove(&id);
        } else {
            self.parts.own.insert(id, own);
        }
        let mut touched = vec![id];
        if let Some(k) = DUPLICATE_FIELDS.iter().position(|f| *f == field) {
            let new_key = duplicate_key(trader.get(field));
            let old_key = std::mem::replace(&mut keys[k], new_key.clone());
            if old_key != new_key {
                let groups = &mut self.parts.groups[k];
                if let Some(rows) = groups.get_mut(&old_key) {
                    rows.retain(|r| *r != id);
                    if rows.is_empty() {
                        groups.remove(&old_key);
                    }
                }
                if !new_key.is_empty() {
                    groups.entry(new_key.clone()).or_default().push(id);
                }
                self.parts.keys.insert(id, keys);
                self.set_duplicate(id, k, None);
                for key in [old_key, new_key] {
                    touched.extend(self.regroup(roster, k, &key));
                }
            }
        }
        touched.sort_unstable();
        touched.dedup();
        for row in &touched {
            self.assemble(roster, known, *row);
        }
        touched
    }

    /// The rows whose user name, email or account name has one of these keys (as
    /// [`duplicate_key`] makes them), in no particular order, each once.
    pub(super) fn rows_keyed(&self, keys: [&HashSet<String>; 3]) -> Vec<RowId> {
        let mut rows: Vec<RowId> = (0..DUPLICATE_FIELDS.len())
            .flat_map(|k| keys[k].iter().filter_map(move |key| self.parts.groups[k].get(key)))
            .flatten()
            .copied()
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    }

    /// After `known` changed for these rows only (their cells and places unchanged):
    /// reassembles just them.
    pub(super) fn known_changed(&mut self, roster: &Roster, known: &KnownNames, rows: &[RowId]) {
        for &id in rows {
            self.assemble(roster, known, id);
        }
    }

    /// Redoes the duplicate problems of the rows with `key` in duplicate field `k`;
    /// returns those rows.
    fn regroup(&mut self, roster: &Roster, k: usize, key: &str) -> Vec<RowId> {
        let Some(rows) = self.parts.groups[k].get(key) else { return Vec::new() };
        let mut placed: Vec<(usize, RowId)> =
            rows.iter().filter_map(|id| roster.index_of(*id).map(|position| (position, *id))).collect();
        placed.sort_unstable();
        let positions: Vec<usize> = placed.iter().map(|(position, _)| *position).collect();
        for &(position, id) in &placed {
            let problem = (positions.len() > 1).then(|| duplicate_problem(DUPLICATE_FIELDS[k], &positions, position));
            self.set_duplicate(id, k, problem);
        }
        placed.into_iter().map(|(_, id)| id).collect()
    }

    fn set_duplicate(&mut self, id: RowId, k: usize, problem: Option<CellProblem>) {
        match problem {
            Some(problem) => self.parts.duplicates.entry(id).or_default()[k] = Some(problem),
            None => {
                if let Some(slots) = self.parts.duplicates.get_mut(&id) {
                    slots[k] = None;
                    if slots.iter().all(Option::is_none) {
                        self.parts.duplicates.remove(&id);
                    }
                }
            }
        }
    }

    /// The row's problems from its parts, ordered by field (within a field: its own,
    /// then the duplicate, then the name taken earlier).
    fn assemble(&mut self, roster: &Roster, known: &KnownNames, id: RowId) {
        let Some(trader) = roster.get(id) else {
            self.by_row.remove(&id);
            return;
        };
        let mut problems = self.parts.own.get(&id).cloned().unwrap_or_default();
        if let Some(slots) = self.parts.duplicates.get(&id) {
            problems.extend(slots.iter().flatten().cloned());
        }
        if !known.is_empty() {
            problems.extend(known_problems(trader, known));
        }
        problems.sort_by_key(|p| p.field);
        if problems.is_empty() {
            self.by_row.remove(&id);
        } else {
            self.by_row.insert(id, problems);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onboarding::validate::tests::good;
    use crate::onboarding::{SortOrder, Trader, validate_roster};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// Every row's problems, in roster order, for comparing two validations.
    fn all_problems(roster: &Roster, validation: &Validation) -> Vec<(RowId, Vec<CellProblem>)> {
        roster.iter().map(|(id, _)| (id, validation.problems(id).to_vec())).collect()
    }

    fn assert_same_as_full(roster: &Roster, known: &KnownNames, live: &Validation, after: &str) {
        let full = validate_roster(roster, known);
        assert_eq!(all_problems(roster, live), all_problems(roster, &full), "after {after}");
        assert_eq!(live.invalid_row_count(), full.invalid_row_count(), "after {after}");
    }

    fn trader(name: &str, email: &str, account: &str) -> Trader {
        let mut t = good();
        t.set(Field::Name, name.into());
        t.set(Field::Email, email.into());
        t.set(Field::AccountName, account.into());
        t
    }

    fn known() -> KnownNames {
        let mut known = KnownNames::new();
        known.add_user_name("taken");
        known.add_email("taken@example.com");
        known.add_account_name("TAKEN1");
        known
    }

    #[test]
    fn a_duplicate_appears_and_disappears_as_one_cell_is_typed() {
        let mut roster = Roster::new();
        let a = roster.add(trader("alice", "alice@example.com", "ALICE1"));
        let b = roster.add(trader("bob", "bob@example.com", "BOB1"));
        let c = roster.add(trader("carol", "carol@example.com", "CAROL1"));
        let known = KnownNames::new();
        let mut live = validate_roster(&roster, &known);
        assert!(live.all_valid());

        // Row 3's user name becomes row 1's (ignoring case and spaces): both rows say so.
        roster.update(c, Field::Name, " Alice".into());
        let touched = live.cell_changed(&roster, &known, c, Field::Name);
        assert_eq!(touched, vec![a, c]);
        assert_eq!(live.problems(a)[0].message, "Same user name as row 3");
        assert_eq!(live.problems(c)[0].message, "Same user name as row 1");
        assert!(live.is_valid(b));
        assert_same_as_full(&roster, &known, &live, "a duplicate appeared");

        // A third row joins, then one more letter makes row 3 unique again.
        roster.update(b, Field::Name, "ALICE".into());
        live.cell_changed(&roster, &known, b, Field::Name);
        assert_eq!(live.problems(a)[0].message, "Same user name as rows 2 and 3");
        roster.update(c, Field::Name, " Alicex".into());
        live.cell_changed(&roster, &known, c, Field::Name);
        assert!(live.is_valid(c));
        assert_eq!(live.problems(a)[0].message, "Same user name as row 2");
        roster.update(b, Field::Name, "bob".into());
        live.cell_changed(&roster, &known, b, Field::Name);
        assert!(live.all_valid(), "{:?}", live.iter().collect::<Vec<_>>());
        assert_same_as_full(&roster, &known, &live, "the duplicate disappeared");
    }

    #[test]
    fn random_edits_give_exactly_the_problems_of_a_full_validation() {
        // Small pools, so values collide often: duplicates appear and disappear, names
        // taken earlier come and go, and cells turn invalid and valid again.
        let names = ["alice", "Alice ", "bob", "taken", "", "al", "carol"];
        let emails = ["a@example.com", "A@EXAMPLE.COM", "b@example.com", "taken@example.com", "bad", ""];
        let accounts = ["ALICE1", "alice1", "BOB2", "TAKEN1", "", "CAROL3"];
        let cities = ["Albany", "", "X"];
        let states = ["NY", "", "N"];
        let countries = ["US", "GB", "XX", ""];
        let mut rng = StdRng::seed_from_u64(12);
        let pick = |rng: &mut StdRng, pool: &[&str]| pool[rng.random_range(0..pool.len())].to_string();
        let known = known();
        let mut roster = Roster::new();
        for i in 0..30 {
            let name = if i % 4 == 0 { pick(&mut rng, &names) } else { format!("trader{i}") };
            roster.add(trader(&name, &format!("t{i}@example.com"), &format!("T{i}")));
        }
        let mut live = validate_roster(&roster, &known);
        assert_same_as_full(&roster, &known, &live, "the first validation");
        let ids = roster.ids();
        let has_duplicate = |v: &Validation, id| v.problems(id).iter().any(|p| p.message.starts_with("Same "));
        let (mut duplicates_appeared, mut duplicates_went, mut rows_fixed) = (0, 0, 0);
        for step in 0..1000 {
            let id = ids[rng.random_range(0..ids.len())];
            let (field, value) = match rng.random_range(0..7) {
                0 => (Field::Name, pick(&mut rng, &names)),
                1 => (Field::Email, pick(&mut rng, &emails)),
                2 => (Field::AccountName, pick(&mut rng, &accounts)),
                3 => (Field::City, pick(&mut rng, &cities)),
                4 => (Field::State, pick(&mut rng, &states)),
                5 => (Field::Country, pick(&mut rng, &countries)),
                _ => (Field::Password, if rng.random_bool(0.5) { "short".into() } else { "Str0ng!Passw0rd".into() }),
            };
            let (was_valid, had_duplicate) = (live.is_valid(id), has_duplicate(&live, id));
            roster.update(id, field, value.clone());
            live.cell_changed(&roster, &known, id, field);
            assert_same_as_full(&roster, &known, &live, &format!("edit {step}: {field:?} = {value:?}"));
            duplicates_appeared += usize::from(!had_duplicate && has_duplicate(&live, id));
            duplicates_went += usize::from(had_duplicate && !has_duplicate(&live, id));
            rows_fixed += usize::from(!was_valid && live.is_valid(id));
        }
        // The edits did exercise what matters.
        assert!(duplicates_appeared >= 5 && duplicates_went >= 5, "{duplicates_appeared} {duplicates_went}");
        assert!(rows_fixed > 0, "no edit made a row valid again");
    }

    #[test]
    fn sorting_and_deleting_renumber_duplicates_like_a_full_validation() {
        let mut roster = Roster::new();
        for name in ["zed", "amy", "zed", "bob", "amy"] {
            roster.add(trader(name, &format!("{name}@example.com"), "ACC1"));
        }
        let known = known();
        let mut live = validate_roster(&roster, &known);
        roster.sort_by(Field::Name, SortOrder::Ascending);
        live.rows_moved(&roster, &known);
        assert_same_as_full(&roster, &known, &live, "sorting");
        let first = roster.ids()[0];
        assert_eq!(live.problems(first)[0].message, "Same user name as row 2");
        roster.delete(first);
        roster.add(trader("taken", "new@example.com", "NEW1"));
        live.rows_moved(&roster, &known);
        assert_same_as_full(&roster, &known, &live, "deleting and adding");
    }
}
