//! Fills the cells admins should not have to invent: passwords and account names.

use super::roster::{Roster, duplicate_key};
use super::validate::KnownNames;
use crate::api::Secret;
use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};
use std::collections::HashSet;

/// Generated password length: well inside Tradovate's 8 to 64.
pub const PASSWORD_LENGTH: usize = 16;

// Characters that cannot be mistaken for one another when read off a hand-out
// (no I/l/1, O/0), and symbols that survive CSV files, email and shells unquoted.
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
const DIGITS: &[u8] = b"23456789";
const SYMBOLS: &[u8] = b"!#$%*+=?@_";

/// A strong random password: `PASSWORD_LENGTH` characters with at least one capital,
/// one small letter, one digit and one symbol. It starts with a letter, because a cell
/// starting with `=`, `+` or `@` is taken for a formula when the hand-out is opened in
/// a spreadsheet.
pub fn generate_password<R: Rng + ?Sized>(rng: &mut R) -> Secret {
    let classes = [UPPER, LOWER, DIGITS, SYMBOLS];
    let all: Vec<u8> = classes.concat();
    let mut chars: Vec<u8> = classes.iter().map(|class| *class.choose(rng).expect("non-empty")).collect();
    while chars.len() < PASSWORD_LENGTH {
        chars.push(*all.choose(rng).expect("non-empty"));
    }
    chars.shuffle(rng);
    let first_letter = chars.iter().position(u8::is_ascii_alphabetic).expect("one capital at least");
    chars.swap(0, first_letter);
    Secret::new(String::from_utf8(chars).expect("ASCII alphabet"))
}

/// Gives every row with an empty password a generated one (from the operating
/// system-seeded thread generator); returns how many were filled.
pub fn generate_missing_passwords(roster: &mut Roster) -> usize {
    generate_missing_passwords_with(roster, &mut rand::rng())
}

pub fn generate_missing_passwords_with<R: Rng + ?Sized>(roster: &mut Roster, rng: &mut R) -> usize {
    let mut filled = 0;
    for (_, trader) in roster.iter_mut() {
        if trader.password.is_empty() {
            trader.password = generate_password(rng);
            filled += 1;
        }
    }
    filled
}

/// Longest prefix accepted: leaves room for an eight-digit number within 64 characters.
pub const MAX_PREFIX_LENGTH: usize = 56;

/// Why a prefix cannot start account names.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PrefixError {
    #[error("Type a prefix of capital letters, such as TRADER")]
    Empty,
    #[error("The prefix '{0}' has lowercase letters; account names start with capital letters, such as {upper}", upper = .0.to_ascii_uppercase())]
    Lowercase(String),
    #[error("The prefix '{prefix}' may only contain capital letters A to Z; '{found}' is not allowed")]
    NotALetter { prefix: String, found: char },
    #[error("The prefix is {0} letters long; keep it to {max} so the number fits in 64 characters", max = MAX_PREFIX_LENGTH)]
    TooLong(usize),
}

/// Checks that a prefix is all capital letters A to Z (Tradovate's account names are
/// capital letters followed by digits).
pub fn check_prefix(prefix: &str) -> Result<(), PrefixError> {
    if prefix.is_empty() {
        return Err(PrefixError::Empty);
    }
    if prefix.chars().any(char::is_lowercase) {
        return Err(PrefixError::Lowercase(prefix.to_string()));
    }
    if let Some(found) = prefix.chars().find(|c| !c.is_ascii_uppercase()) {
        return Err(PrefixError::NotALetter { prefix: prefix.to_string(), found });
    }
    if prefix.len() > MAX_PREFIX_LENGTH {
        return Err(PrefixError::TooLong(prefix.len()));
    }
    Ok(())
}

/// Fills every empty account name with `PREFIX` + a number padded to four digits
/// (`TRADER0001`), counting up and skipping names already used in the roster or known
/// to exist. Returns how many names were filled.
pub fn generate_account_names(roster: &mut Roster, prefix: &str, known: &KnownNames) -> Result<usize, PrefixError> {
    check_prefix(prefix)?;
    let mut taken: HashSet<String> = roster.iter().map(|(_, t)| duplicate_key(&t.account_name)).collect();
    let mut number: u64 = 0;
    let mut next_free = || loop {
        number += 1;
        let candidate = format!("{prefix}{number:04}");
        if !known.has_account_name(&candidate) && taken.insert(duplicate_key(&candidate)) {
            return candidate;
        }
    };
    let mut filled = 0;
    for (_, trader) in roster.iter_mut() {
        if trader.account_name.trim().is_empty() {
            trader.account_name = next_free();
            filled += 1;
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onboarding::trader::{Field, Trader};
    use crate::onboarding::validate::is_valid_account_name;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn passwords_are_long_mixed_and_unambiguous() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut seen = HashSet::new();
        for _ in 0..500 {
            let secret = generate_password(&mut rng);
            let p = secret.expose();
            assert_eq!(p.chars().count(), PASSWORD_LENGTH);
            assert!((8..=64).contains(&p.len()));
            assert!(p.bytes().any(|b| UPPER.contains(&b)), "{p}");
            assert!(p.bytes().any(|b| LOWER.contains(&b)), "{p}");
            assert!(p.bytes().any(|b| DIGITS.contains(&b)), "{p}");
            assert!(p.bytes().any(|b| SYMBOLS.contains(&b)), "{p}");
            assert!(!p.contains(['0', 'O', '1', 'l', 'I', ',', '"', ' ']), "{p}");
            assert!(p.starts_with(|c: char| c.is_ascii_alphabetic()), "{p}");
            assert!(seen.insert(p.to_string()), "repeated password");
        }
    }

    #[test]
    fn only_empty_passwords_are_filled() {
        let mut roster = Roster::new();
        let mut kept = Trader::default();
        kept.set(Field::Password, "Mine!12345".into());
        let kept = roster.add(kept);
        let empty = roster.add(Trader::default());
        assert_eq!(generate_missing_passwords(&mut roster), 1);
        assert_eq!(roster.get(kept).unwrap().password.expose(), "Mine!12345");
        assert_eq!(roster.get(empty).unwrap().password.char_len(), PASSWORD_LENGTH);
        assert_eq!(generate_missing_passwords(&mut roster), 0);
    }

    #[test]
    fn account_names_count_up_skipping_taken_ones() {
        let mut roster = Roster::new();
        let mut with_name = |name: &str| {
            let mut t = Trader::default();
            t.set(Field::AccountName, name.into());
            roster.add(t)
        };
        let a = with_name("");
        let b = with_name("trader0002");
        let c = with_name(" ");
        let d = with_name("");
        let mut known = KnownNames::new();
        known.add_account_name("TRADER0003");
        assert_eq!(generate_account_names(&mut roster, "TRADER", &known), Ok(3));
        let name = |id| roster.get(id).unwrap().account_name.clone();
        assert_eq!([name(a), name(b), name(c), name(d)], ["TRADER0001", "trader0002", "TRADER0004", "TRADER0005"]);
        assert!(is_valid_account_name(&name(d)));
    }

    #[test]
    fn numbers_grow_past_four_digits() {
        let mut roster = Roster::new();
        for _ in 0..10_000 {
            roster.add(Trader::default());
        }
        generate_account_names(&mut roster, "T", &KnownNames::new()).unwrap();
        let last = roster.iter().last().unwrap().1.account_name.clone();
        assert_eq!(last, "T10000");
    }

    #[test]
    fn prefixes_must_be_capital_letters() {
        let mut roster = Roster::new();
        roster.add(Trader::default());
        let known = KnownNames::new();
        assert_eq!(generate_account_names(&mut roster, "", &known), Err(PrefixError::Empty));
        let err = generate_account_names(&mut roster, "trader", &known).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The prefix 'trader' has lowercase letters; account names start with capital letters, such as TRADER"
        );
        let err = check_prefix("TR_1").unwrap_err();
        assert_eq!(err.to_string(), "The prefix 'TR_1' may only contain capital letters A to Z; '_' is not allowed");
        assert!(matches!(check_prefix("ÉLITE"), Err(PrefixError::NotALetter { .. })));
        assert_eq!(check_prefix(&"A".repeat(57)), Err(PrefixError::TooLong(57)));
        assert_eq!(check_prefix(&"A".repeat(56)), Ok(()));
        assert!(roster.iter().all(|(_, t)| t.account_name.is_empty()), "nothing filled on error");
    }
}
