//! The roster: the admin's list of traders to onboard, in the order they see it.
//!
//! Rows get an id when added that never changes, so a selection, a validation result or
//! a pipeline step keeps pointing at the same trader after sorting or deleting others.

use super::amount::parse_amount;
use super::trader::{Field, Trader};
use std::cmp::Ordering;
use std::collections::HashMap;

/// A row's identity for as long as the roster lives (not its position).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowId(u64);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortOrder {
    Ascending,
    Descending,
}

#[derive(Clone, Debug, Default)]
pub struct Roster {
    rows: Vec<(RowId, Trader)>,
    /// Each row's position in `rows`, so finding a row does not scan 10,000 of them.
    positions: HashMap<RowId, usize>,
    next_id: u64,
}

impl Roster {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Appends a trader at the end.
    pub fn add(&mut self, trader: Trader) -> RowId {
        let id = RowId(self.next_id);
        self.next_id += 1;
        self.positions.insert(id, self.rows.len());
        self.rows.push((id, trader));
        id
    }

    /// Removes a row; `None` if it was already gone.
    pub fn delete(&mut self, id: RowId) -> Option<Trader> {
        let index = self.positions.remove(&id)?;
        let (_, trader) = self.rows.remove(index);
        self.reindex_from(index);
        Some(trader)
    }

    pub fn get(&self, id: RowId) -> Option<&Trader> {
        self.positions.get(&id).map(|&p| &self.rows[p].1)
    }

    pub fn get_mut(&mut self, id: RowId) -> Option<&mut Trader> {
        self.positions.get(&id).map(|&p| &mut self.rows[p].1)
    }

    /// Renumbers the positions of the rows from `start` on (after they moved).
    fn reindex_from(&mut self, start: usize) {
        for (position, (id, _)) in self.rows.iter().enumerate().skip(start) {
            self.positions.insert(*id, position);
        }
    }

    /// Changes one cell; `false` if the row is gone.
    pub fn update(&mut self, id: RowId, field: Field, value: String) -> bool {
        match self.get_mut(id) {
            Some(trader) => {
                trader.set(field, value);
                true
            }
            None => false,
        }
    }

    /// Position of the row (0-based); the admin sees it as row `index + 1`.
    pub fn index_of(&self, id: RowId) -> Option<usize> {
        self.positions.get(&id).copied()
    }

    /// Rows in display order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (RowId, &Trader)> {
        self.rows.iter().map(|(id, t)| (*id, t))
    }

    pub fn iter_mut(&mut self) -> impl ExactSizeIterator<Item = (RowId, &mut Trader)> {
        self.rows.iter_mut().map(|(id, t)| (*id, t))
    }

    pub fn ids(&self) -> Vec<RowId> {
        self.rows.iter().map(|(id, _)| *id).collect()
    }

    /// Sorts the rows by one column (stable: equal rows keep their order). Amounts sort
    /// by value, with cells that are not amounts last; text sorts ignoring case. Sorting
    /// by password is refused (does nothing): the order would leak information.
    pub fn sort_by(&mut self, field: Field, order: SortOrder) {
        if field == Field::Password {
            return;
        }
        // Each cell's key is made once (not twice per comparison): 10,000 rows sort in
        // milliseconds.
        let mut keyed: Vec<(SortKey, (RowId, Trader))> = std::mem::take(&mut self.rows)
            .into_iter()
            .map(|row| (SortKey::of(row.1.get(field), field.is_amount()), row))
            .collect();
        match order {
            SortOrder::Ascending => keyed.sort_by(|(a, _), (b, _)| a.cmp(b)),
            SortOrder::Descending => keyed.sort_by(|(a, _), (b, _)| b.cmp(a)),
        }
        self.rows = keyed.into_iter().map(|(_, row)| row).collect();
        self.reindex_from(0);
    }

    /// Rows with `text` in any cell (ignoring case), in display order. The password is
    /// never searched: typing a guess must not reveal who has it. Empty text matches all.
    pub fn filter(&self, text: &str) -> Vec<RowId> {
        let needle = text.trim().to_lowercase();
        self.rows.iter().filter(|(_, t)| matches_filter(t, &needle)).map(|(id, _)| *id).collect()
    }

    /// Whether the row is among those `filter(text)` returns.
    pub fn shows(&self, id: RowId, text: &str) -> bool {
        self.get(id).is_some_and(|t| matches_filter(t, &text.trim().to_lowercase()))
    }

    /// Groups of rows sharing the same value in `field` (ignoring case and surrounding
    /// spaces; blank cells never match). Each group lists its rows in display order.
    /// Linear in the roster size.
    pub fn duplicates(&self, field: Field) -> Vec<Vec<RowId>> {
        let groups = self.duplicate_positions(field);
        groups.into_iter().map(|positions| positions.into_iter().map(|p| self.rows[p].0).collect()).collect()
    }

    /// Like `duplicates`, as 0-based positions, groups ordered by their first row.
    pub(crate) fn duplicate_positions(&self, field: Field) -> Vec<Vec<usize>> {
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        for (position, (_, trader)) in self.rows.iter().enumerate() {
            let key = duplicate_key(trader.get(field));
            if !key.is_empty() {
                by_key.entry(key).or_default().push(position);
            }
        }
        let mut groups: Vec<Vec<usize>> = by_key.into_values().filter(|g| g.len() > 1).collect();
        groups.sort_unstable_by_key(|g| g[0]);
        groups
    }
}

/// Whether any cell but the password contains `needle` (already lower case), ignoring
/// case. Runs for every row on each keystroke in the filter, so it does not allocate
/// for plain ASCII text.
fn matches_filter(trader: &Trader, needle: &str) -> bool {
    needle.is_empty()
        || Field::ALL.iter().filter(|&&f| f != Field::Password).any(|&f| contains_ignoring_case(trader.get(f), needle))
}

fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    if haystack.is_ascii() && needle.is_ascii() {
        let needle = needle.as_bytes();
        return haystack.as_bytes().windows(needle.len()).any(|window| window.eq_ignore_ascii_case(needle));
    }
    haystack.to_lowercase().contains(needle)
}

/// What a cell sorts by: amounts by value, with cells that are not amounts after them;
/// text ignoring case and surrounding spaces.
#[derive(PartialEq)]
enum SortKey {
    Amount(Option<f64>),
    Text(String),
}

impl SortKey {
    fn of(value: &str, amount: bool) -> Self {
        if amount { SortKey::Amount(parse_amount(value).ok()) } else { SortKey::Text(value.trim().to_lowercase()) }
    }

    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (SortKey::Amount(Some(a)), SortKey::Amount(Some(b))) => a.total_cmp(b),
            (SortKey::Amount(Some(_)), SortKey::Amount(None)) => Ordering::Less,
            (SortKey::Amount(None), SortKey::Amount(Some(_))) => Ordering::Greater,
            (SortKey::Text(a), SortKey::Text(b)) => a.cmp(b),
            _ => Ordering::Equal,
        }
    }
}

/// How two cells are compared for "same user name / email / account name".
pub(crate) fn duplicate_key(value: &str) -> String {
    value.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trader(name: &str, balance: &str) -> Trader {
        let mut t = Trader::default();
        t.set(Field::Name, name.into());
        t.set(Field::InitialBalance, balance.into());
        t
    }

    fn names(roster: &Roster) -> Vec<&str> {
        roster.iter().map(|(_, t)| t.name.as_str()).collect()
    }

    #[test]
    fn ids_stay_with_their_rows_through_delete_and_sort() {
        let mut r = Roster::new();
        let a = r.add(trader("carol", "3"));
        let b = r.add(trader("alice", "1"));
        let c = r.add(trader("bob", "2"));
        assert_eq!(r.delete(b).unwrap().name, "alice");
        assert!(r.delete(b).is_none());
        assert!(r.get(b).is_none());
        let d = r.add(trader("dave", "0"));
        assert_ne!(d, b, "ids are never reused");
        r.sort_by(Field::Name, SortOrder::Ascending);
        assert_eq!(names(&r), ["bob", "carol", "dave"]);
        assert_eq!(r.get(a).unwrap().name, "carol");
        assert_eq!(r.index_of(c), Some(0));
        assert!(r.update(a, Field::Email, "c@example.com".into()));
        assert_eq!(r.get(a).unwrap().email, "c@example.com");
        assert!(!r.update(b, Field::Email, "x".into()));
    }

    #[test]
    fn sorts_amounts_by_value_and_text_ignoring_case() {
        let mut r = Roster::new();
        r.add(trader("b", "$100,000"));
        r.add(trader("A", "not a number"));
        r.add(trader("c", "25000"));
        r.add(trader("d", "50,000.00"));
        r.sort_by(Field::InitialBalance, SortOrder::Ascending);
        assert_eq!(names(&r), ["c", "d", "b", "A"]);
        r.sort_by(Field::InitialBalance, SortOrder::Descending);
        assert_eq!(names(&r), ["A", "b", "d", "c"]);
        r.sort_by(Field::Name, SortOrder::Ascending);
        assert_eq!(names(&r), ["A", "b", "c", "d"]);
    }

    #[test]
    fn sorting_by_password_changes_nothing() {
        let mut r = Roster::new();
        let mut first = trader("first", "1");
        first.set(Field::Password, "zzzzzzzz".into());
        let mut second = trader("second", "1");
        second.set(Field::Password, "aaaaaaaa".into());
        r.add(first);
        r.add(second);
        r.sort_by(Field::Password, SortOrder::Ascending);
        assert_eq!(names(&r), ["first", "second"]);
    }

    #[test]
    fn filter_matches_any_cell_but_never_the_password() {
        let mut r = Roster::new();
        let mut t = trader("jsmith", "50000");
        t.set(Field::City, "Chicago".into());
        t.set(Field::Password, "SecretWord99!".into());
        let id = r.add(t);
        r.add(trader("other", "1"));
        assert_eq!(r.filter("chic"), vec![id]);
        assert_eq!(r.filter("JSMITH"), vec![id]);
        assert!(r.filter("secretword").is_empty());
        assert_eq!(r.filter("  ").len(), 2);
    }

    #[test]
    fn duplicates_group_rows_ignoring_case_and_blanks() {
        let mut r = Roster::new();
        let a = r.add(trader("Jsmith", "1"));
        r.add(trader("", "1"));
        let c = r.add(trader("jsmith ", "1"));
        r.add(trader("", "1"));
        r.add(trader("other", "1"));
        assert_eq!(r.duplicates(Field::Name), vec![vec![a, c]]);
    }
}
