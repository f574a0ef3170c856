//! Checks every cell against Tradovate's documented limits before anything is sent, and
//! says what is wrong in words a firm admin understands.
//!
//! Limits: reference sections 5.2 (users), 5.3 (contact info), 5.4 (accounts), 8.1
//! (risk), and the onboarding guide (state only for US, two-letter countries).

use super::amount::{AmountError, parse_amount};
use super::incremental::RowParts;
use super::roster::{Roster, RowId, duplicate_key};
use super::trader::{Field, Trader};
use crate::countries::{code_for_name_or_alias, is_country_code};
use crate::restricted_countries;
use std::collections::{HashMap, HashSet};

/// One thing wrong with one cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellProblem {
    pub field: Field,
    pub message: String,
    /// A corrected value the UI may offer to apply in one click (e.g. the account name
    /// in capitals).
    pub suggestion: Option<String>,
}

impl CellProblem {
    pub(super) fn new(field: Field, message: impl Into<String>) -> Self {
        Self { field, message: message.into(), suggestion: None }
    }

    fn with_suggestion(mut self, value: impl Into<String>) -> Self {
        self.suggestion = Some(value.into());
        self
    }
}

/// User names, emails and account names that already exist (traders created before),
/// compared ignoring case.
#[derive(Clone, Debug, Default)]
pub struct KnownNames {
    user_names: HashSet<String>,
    emails: HashSet<String>,
    account_names: HashSet<String>,
}

impl KnownNames {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add_user_name(&mut self, name: &str) {
        self.user_names.insert(duplicate_key(name));
    }

    pub fn add_email(&mut self, email: &str) {
        self.emails.insert(duplicate_key(email));
    }

    pub fn add_account_name(&mut self, name: &str) {
        self.account_names.insert(duplicate_key(name));
    }

    pub fn is_empty(&self) -> bool {
        self.user_names.is_empty() && self.emails.is_empty() && self.account_names.is_empty()
    }

    pub fn has_user_name(&self, name: &str) -> bool {
        self.user_names.contains(&duplicate_key(name))
    }

    pub fn has_email(&self, email: &str) -> bool {
        self.emails.contains(&duplicate_key(email))
    }

    pub fn has_account_name(&self, name: &str) -> bool {
        self.account_names.contains(&duplicate_key(name))
    }
}

/// The problems of every row; rows without problems are valid. Kept current as cells
/// change by the methods in `incremental`.
#[derive(Clone, Debug, Default)]
pub struct Validation {
    pub(super) by_row: HashMap<RowId, Vec<CellProblem>>,
    /// What each row's problems are made of, so an edit redoes only what it touches.
    pub(super) parts: RowParts,
}

impl Validation {
    /// Problems found beyond the row's own cells (the template's risk rules with it).
    /// Not kept through later edits: a run adds them to its own check.
    pub fn add(&mut self, id: RowId, problems: Vec<CellProblem>) {
        self.by_row.entry(id).or_default().extend(problems);
    }

    pub fn problems(&self, id: RowId) -> &[CellProblem] {
        self.by_row.get(&id).map(Vec::as_slice).unwrap_or_default()
    }

    /// The problems of one cell, for highlighting it.
    pub fn cell_problems(&self, id: RowId, field: Field) -> impl Iterator<Item = &CellProblem> {
        self.problems(id).iter().filter(move |p| p.field == field)
    }

    pub fn is_valid(&self, id: RowId) -> bool {
        self.problems(id).is_empty()
    }

    /// True when no row has a problem.
    pub fn all_valid(&self) -> bool {
        self.by_row.is_empty()
    }

    pub fn invalid_row_count(&self) -> usize {
        self.by_row.len()
    }

    pub fn problem_count(&self) -> usize {
        self.by_row.values().map(Vec::len).sum()
    }

    /// Rows with problems, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (RowId, &[CellProblem])> {
        self.by_row.iter().map(|(id, p)| (*id, p.as_slice()))
    }
}

/// Validates the whole roster: each row's own cells, then duplicates between rows and
/// against `known`. Row numbers in messages are 1-based display positions.
pub fn validate_roster(roster: &Roster, known: &KnownNames) -> Validation {
    let mut validation = Validation::default();
    validation.rows_moved(roster, known);
    validation
}

/// The rules one row can be checked against on its own (everything but duplicates).
pub fn validate_trader(t: &Trader) -> Vec<CellProblem> {
    let mut problems = Vec::new();
    let mut check = |p: Option<CellProblem>| problems.extend(p);

    check(length(Field::Name, &t.name, 3, 64, true));
    check(email(&t.email));
    check(password(t));
    check(length(Field::FirstName, &t.first_name, 1, 64, true));
    check(length(Field::LastName, &t.last_name, 2, 64, true));
    check(combined_name(t));
    check(account_name(&t.account_name));
    check(amount(Field::InitialBalance, &t.initial_balance, true));
    for (&risk, text) in &t.risk {
        check(risk.parse(text).err().map(|message| CellProblem::new(Field::Risk(risk), message)));
    }
    problems.extend(contact_info(t));
    problems.sort_by_key(|p| p.field);
    problems
}

fn chars(value: &str) -> usize {
    value.chars().count()
}

/// Required and length rules shared by most text cells (lengths in characters, of the
/// text without surrounding spaces, which is what is sent).
fn length(field: Field, raw: &str, min: usize, max: usize, required: bool) -> Option<CellProblem> {
    let value = raw.trim();
    let n = chars(value);
    let label = field.label();
    if n == 0 {
        return required.then(|| CellProblem::new(field, format!("{label} is required")));
    }
    if n < min {
        return Some(CellProblem::new(
            field,
            format!("{label} '{value}' is too short: {n} characters; Tradovate needs at least {min}"),
        ));
    }
    if n > max {
        return Some(CellProblem::new(field, format!("{label} is too long: {n} characters; Tradovate allows {max}")));
    }
    None
}

fn email(raw: &str) -> Option<CellProblem> {
    if let Some(p) = length(Field::Email, raw, 1, 64, true) {
        return Some(p);
    }
    let value = raw.trim();
    let bad = |why: &str| Some(CellProblem::new(Field::Email, format!("Email '{value}' {why}")));
    if value.chars().any(char::is_whitespace) {
        return bad("contains a space");
    }
    let Some((local, domain)) = value.split_once('@') else {
        return bad("is missing the @ sign");
    };
    if domain.contains('@') {
        return bad("has more than one @ sign");
    }
    if local.is_empty() {
        return bad("has nothing before the @ sign");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let top = labels.last().copied().unwrap_or("");
    if labels.len() < 2
        || labels.iter().any(|l| l.is_empty())
        || chars(top) < 2
        || !top.chars().all(char::is_alphabetic)
    {
        return bad("needs a domain after the @ sign, such as example.com");
    }
    None
}

fn password(t: &Trader) -> Option<CellProblem> {
    // The value is never quoted: messages end up in screenshots and support emails.
    let n = t.password.char_len();
    let field = Field::Password;
    if n == 0 {
        Some(CellProblem::new(
            field,
            "Password is empty; generate passwords for empty cells or type one of 8 to 64 characters",
        ))
    } else if n < 8 {
        Some(CellProblem::new(field, format!("Password is too short: {n} characters; Tradovate needs at least 8")))
    } else if n > 64 {
        Some(CellProblem::new(field, format!("Password is too long: {n} characters; Tradovate allows 64")))
    } else {
        None
    }
}

fn combined_name(t: &Trader) -> Option<CellProblem> {
    let n = chars(t.first_name.trim()) + chars(t.last_name.trim());
    (n > 60).then(|| {
        CellProblem::new(
            Field::LastName,
            format!("First and last name together are {n} characters; Tradovate allows 60"),
        )
    })
}

/// Tradovate's account-name pattern `^[A-Z]+[0-9]+$`, checked by hand to say which part
/// is wrong.
pub fn is_valid_account_name(name: &str) -> bool {
    let letters = name.bytes().take_while(u8::is_ascii_uppercase).count();
    let digits = name.bytes().skip(letters).take_while(u8::is_ascii_digit).count();
    letters > 0 && digits > 0 && letters + digits == name.len()
}

fn account_name(raw: &str) -> Option<CellProblem> {
    let field = Field::AccountName;
    let value = raw.trim();
    if value.is_empty() {
        return Some(CellProblem::new(
            field,
            "Account name is required, like TRADER0001 (names can be generated from a prefix)",
        ));
    }
    if chars(value) > 64 {
        return Some(CellProblem::new(
            field,
            format!("Account name is too long: {} characters; Tradovate allows 64", chars(value)),
        ));
    }
    if is_valid_account_name(value) {
        return None;
    }
    let why = account_name_fault(value);
    let problem = CellProblem::new(
        field,
        format!("Account names are capital letters followed by digits, like TRADER0001; '{value}' {why}"),
    );
    // The obvious fix: capitals, without the separators people put between the parts.
    let fixed: String =
        value.chars().filter(|c| !matches!(c, ' ' | '_' | '-' | '.')).collect::<String>().to_ascii_uppercase();
    Some(if is_valid_account_name(&fixed) { problem.with_suggestion(fixed) } else { problem })
}

/// The first reason an account name breaks the pattern, in plain words.
fn account_name_fault(value: &str) -> String {
    if value.chars().any(|c| c.is_lowercase()) {
        return "has lowercase letters".into();
    }
    if let Some(c) = value.chars().find(|c| !c.is_ascii_uppercase() && !c.is_ascii_digit()) {
        return match c {
            ' ' => "contains a space".into(),
            _ => format!("contains '{c}'"),
        };
    }
    if value.starts_with(|c: char| c.is_ascii_digit()) {
        return "starts with a digit".into();
    }
    if !value.ends_with(|c: char| c.is_ascii_digit()) {
        return if value.chars().any(|c| c.is_ascii_digit()) {
            "has letters after the digits".into()
        } else {
            "has no digits at the end".into()
        };
    }
    "has letters after the digits".into()
}

fn amount(field: Field, raw: &str, required: bool) -> Option<CellProblem> {
    let value = raw.trim();
    let label = field.label();
    if value.is_empty() {
        return required.then(|| CellProblem::new(field, format!("{label} is required, like 50000")));
    }
    match parse_amount(value) {
        Ok(v) if v > 0.0 => None,
        Ok(_) => Some(CellProblem::new(field, format!("{label} must be more than zero; it is {value}"))),
        Err(AmountError::NotANumber) => Some(CellProblem::new(
            field,
            format!("{label} must be a dollar amount such as 50000 or 50,000.00; '{value}' is not a number"),
        )),
        Err(AmountError::BadGrouping) => Some(CellProblem::new(
            field,
            format!(
                "{label} '{value}' is ambiguous: use a dot for cents and commas only between thousands, like 50,000.00"
            ),
        )),
    }
}

/// `EOD` or `RealTime`, however it was capitalised.
pub fn canonical_drawdown_mode(value: &str) -> Option<&'static str> {
    let key: String = value.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
    match key.as_str() {
        "eod" => Some("EOD"),
        "realtime" => Some("RealTime"),
        _ => None,
    }
}

/// Contact info is all or nothing: no address cell at all skips the step (the trader is
/// asked at first login); any address cell makes the whole address required.
fn contact_info(t: &Trader) -> Vec<CellProblem> {
    if !t.has_contact_info() {
        return Vec::new();
    }
    let mut problems = Vec::new();
    let mut needed = |field: Field, min: usize, max: usize| {
        let value = t.get(field).trim();
        if value.is_empty() {
            problems.push(CellProblem::new(
                field,
                format!(
                    "{} is required because this row has address details (fill in the whole address or leave it all empty)",
                    field.label()
                ),
            ));
        } else {
            problems.extend(length(field, value, min, max, true));
        }
    };
    needed(Field::StreetAddress1, 3, 61);
    needed(Field::City, 2, 35);
    needed(Field::PostCode, 4, 11);
    needed(Field::Phone, 1, 21);
    let country_given = !t.country.trim().is_empty();
    needed(Field::Country, 1, 64);
    problems.extend(length(Field::StreetAddress2, &t.street_address2, 0, 61, false));

    let country = t.country.trim();
    if country_given {
        problems.extend(country_code(country));
    }
    if country.eq_ignore_ascii_case("US") && t.state.trim().is_empty() {
        problems.push(CellProblem::new(Field::State, "State is required when the country is US"));
    } else {
        problems.extend(length(Field::State, &t.state, 2, 64, false));
    }
    problems.extend(phone(&t.phone));
    problems
}

fn country_code(value: &str) -> Option<CellProblem> {
    if is_country_code(value) {
        return restricted_countries::active().reason(value).map(|reason| CellProblem::new(Field::Country, reason));
    }
    let problem = if value.chars().count() == 2 && value.chars().all(|c| c.is_ascii_alphabetic()) {
        CellProblem::new(
            Field::Country,
            format!("Country '{value}' is not a country code; use a two-letter code such as US or GB"),
        )
    } else {
        CellProblem::new(
            Field::Country,
            format!("Country must be a two-letter code such as US or GB; '{value}' is not"),
        )
    };
    Some(match code_for_name_or_alias(value) {
        Some(code) => CellProblem { message: format!("{} (did you mean {code}?)", problem.message), ..problem }
            .with_suggestion(code),
        None => problem,
    })
}

fn phone(raw: &str) -> Option<CellProblem> {
    let value = raw.trim();
    if value.is_empty() {
        return None;
    }
    if let Some(c) = value.chars().find(|c| !(c.is_ascii_digit() || " +-().".contains(*c))) {
        return Some(CellProblem::new(
            Field::Phone,
            format!("Phone may only contain digits, spaces, +, -, dots and parentheses; '{value}' contains '{c}'"),
        ));
    }
    if !value.chars().any(|c| c.is_ascii_digit()) {
        return Some(CellProblem::new(Field::Phone, format!("Phone '{value}' has no digits")));
    }
    None
}

/// "Same user name as row 12": one row of a duplicate group (`group`: the group's
/// 0-based positions in display order, `position`: this row's).
pub(super) fn duplicate_problem(field: Field, group: &[usize], position: usize) -> CellProblem {
    let what = match field {
        Field::Name => "user name",
        Field::Email => "email",
        _ => "account name",
    };
    CellProblem::new(field, format!("Same {what} as {}", row_list(group, position)))
}

/// The row's user name, email or account name already belongs to a trader created before.
pub(super) fn known_problems(t: &Trader, known: &KnownNames) -> Vec<CellProblem> {
    let mut problems = Vec::new();
    if !t.name.trim().is_empty() && known.has_user_name(&t.name) {
        problems.push(CellProblem::new(
            Field::Name,
            format!("User name '{}' is already taken by a trader created earlier", t.name.trim()),
        ));
    }
    if !t.email.trim().is_empty() && known.has_email(&t.email) {
        problems.push(CellProblem::new(
            Field::Email,
            format!("Email '{}' already belongs to a trader created earlier", t.email.trim()),
        ));
    }
    if !t.account_name.trim().is_empty() && known.has_account_name(&t.account_name) {
        problems.push(CellProblem::new(
            Field::AccountName,
            format!("Account name '{}' is already taken by an existing account", t.account_name.trim()),
        ));
    }
    problems
}

/// The other rows of a duplicate group: "row 12", "rows 12 and 40", "rows 3, 12, 40
/// and 9 more" (positions are 0-based). Names at most three, so a group of thousands
/// (a placeholder email pasted down a column) stays linear.
fn row_list(group: &[usize], me: usize) -> String {
    const SHOWN: usize = 3;
    let numbers: Vec<String> = group.iter().filter(|&&p| p != me).take(SHOWN).map(|p| (p + 1).to_string()).collect();
    let hidden = (group.len() - 1).saturating_sub(SHOWN);
    match (numbers.as_slice(), hidden) {
        ([one], 0) => format!("row {one}"),
        ([init @ .., last], 0) => format!("rows {} and {last}", init.join(", ")),
        (shown, more) => format!("rows {} and {more} more", shown.join(", ")),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::onboarding::risk::{RiskField, Unit};

    /// A row that passes every rule, with contact info.
    pub(crate) fn good() -> Trader {
        let mut t = Trader::default();
        for (field, value) in [
            (Field::Name, "jsmith"),
            (Field::Email, "jane.smith@example.com"),
            (Field::Password, "Str0ng!Passw0rd"),
            (Field::FirstName, "Jane"),
            (Field::LastName, "Smith"),
            (Field::StreetAddress1, "1 Main Street"),
            (Field::City, "Chicago"),
            (Field::State, "IL"),
            (Field::PostCode, "60601"),
            (Field::Country, "US"),
            (Field::Phone, "+1 (312) 555-0100"),
            (Field::AccountName, "TRADER0001"),
            (Field::InitialBalance, "$50,000"),
            (Field::Risk(RiskField::DailyLossAutoLiq), "1000"),
            (Field::Risk(RiskField::TrailingMaxDrawdown), "2500"),
            (Field::Risk(RiskField::TrailingMaxDrawdownMode), "eod"),
        ] {
            t.set(field, value.into());
        }
        t
    }

    fn with(field: Field, value: &str) -> Trader {
        let mut t = good();
        t.set(field, value.into());
        t
    }

    /// The problems of `t` for `field` (messages only).
    fn messages(t: &Trader, field: Field) -> Vec<String> {
        validate_trader(t).into_iter().filter(|p| p.field == field).map(|p| p.message).collect()
    }

    fn one(t: &Trader, field: Field) -> String {
        let m = messages(t, field);
        assert_eq!(m.len(), 1, "expected one problem for {field:?}, got {m:?}");
        m.into_iter().next().unwrap()
    }

    #[test]
    fn the_good_row_is_valid() {
        assert_eq!(validate_trader(&good()), vec![]);
    }

    #[test]
    fn user_name_is_required_and_3_to_64() {
        assert_eq!(one(&with(Field::Name, " "), Field::Name), "User name is required");
        assert_eq!(
            one(&with(Field::Name, "ab"), Field::Name),
            "User name 'ab' is too short: 2 characters; Tradovate needs at least 3"
        );
        assert!(messages(&with(Field::Name, "abc"), Field::Name).is_empty());
        assert!(messages(&with(Field::Name, &"a".repeat(64)), Field::Name).is_empty());
        assert_eq!(
            one(&with(Field::Name, &"a".repeat(65)), Field::Name),
            "User name is too long: 65 characters; Tradovate allows 64"
        );
    }

    #[test]
    fn email_is_required_short_and_shaped_like_an_email() {
        assert_eq!(one(&with(Field::Email, ""), Field::Email), "Email is required");
        let long = format!("{}@example.com", "a".repeat(53));
        assert!(one(&with(Field::Email, &long), Field::Email).contains("65 characters; Tradovate allows 64"));
        assert!(messages(&with(Field::Email, &format!("{}@example.com", "a".repeat(52))), Field::Email).is_empty());
        for (bad, why) in [
            ("jane.example.com", "is missing the @ sign"),
            ("jane@@example.com", "has more than one @ sign"),
            ("@example.com", "has nothing before the @ sign"),
            ("jane@example", "needs a domain"),
            ("jane@example.", "needs a domain"),
            ("jane@.com", "needs a domain"),
            ("jane@example.c", "needs a domain"),
            ("jane doe@example.com", "contains a space"),
        ] {
            let m = one(&with(Field::Email, bad), Field::Email);
            assert!(m.contains(why), "{bad}: {m}");
        }
        assert!(messages(&with(Field::Email, "j+tag@mail.example.co.uk"), Field::Email).is_empty());
    }

    #[test]
    fn password_is_8_to_64_and_never_quoted() {
        assert!(one(&with(Field::Password, ""), Field::Password).starts_with("Password is empty"));
        let m = one(&with(Field::Password, "Abc!123"), Field::Password);
        assert_eq!(m, "Password is too short: 7 characters; Tradovate needs at least 8");
        assert!(messages(&with(Field::Password, "Abc!1234"), Field::Password).is_empty());
        assert!(messages(&with(Field::Password, &"x".repeat(64)), Field::Password).is_empty());
        let long = "Zq".repeat(33);
        let m = one(&with(Field::Password, &long), Field::Password);
        assert_eq!(m, "Password is too long: 66 characters; Tradovate allows 64");
        assert!(!m.contains("Zq"));
    }

    #[test]
    fn first_and_last_names_and_their_combined_length() {
        assert_eq!(one(&with(Field::FirstName, ""), Field::FirstName), "First name is required");
        assert!(one(&with(Field::FirstName, &"a".repeat(65)), Field::FirstName).contains("allows 64"));
        assert_eq!(one(&with(Field::LastName, ""), Field::LastName), "Last name is required");
        assert!(one(&with(Field::LastName, "X"), Field::LastName).contains("needs at least 2"));
        let mut t = with(Field::FirstName, &"F".repeat(30));
        t.set(Field::LastName, "L".repeat(33));
        assert_eq!(one(&t, Field::LastName), "First and last name together are 63 characters; Tradovate allows 60");
        t.set(Field::LastName, "L".repeat(31));
        assert_eq!(one(&t, Field::LastName), "First and last name together are 61 characters; Tradovate allows 60");
        t.set(Field::LastName, "L".repeat(30));
        assert!(messages(&t, Field::LastName).is_empty(), "60 is allowed");
    }

    #[test]
    fn a_row_without_any_address_skips_contact_info() {
        let mut t = good();
        for f in Field::CONTACT {
            t.set(f, String::new());
        }
        assert_eq!(validate_trader(&t), vec![]);
    }

    #[test]
    fn any_address_cell_makes_the_whole_address_required() {
        let mut t = good();
        for f in Field::CONTACT {
            t.set(f, String::new());
        }
        t.set(Field::City, "Paris".into());
        let fields: Vec<Field> = validate_trader(&t).iter().map(|p| p.field).collect();
        assert_eq!(fields, [Field::StreetAddress1, Field::PostCode, Field::Country, Field::Phone]);
        assert!(one(&t, Field::Phone).starts_with("Phone is required because this row has address details"));
    }

    #[test]
    fn address_lengths() {
        let cases = [
            (Field::StreetAddress1, "ab", "at least 3"),
            (Field::StreetAddress1, &"a".repeat(62), "allows 61"),
            (Field::StreetAddress2, &"a".repeat(62), "allows 61"),
            (Field::City, "X", "at least 2"),
            (Field::City, &"a".repeat(36), "allows 35"),
            (Field::PostCode, "123", "at least 4"),
            (Field::PostCode, "123456789012", "allows 11"),
            (Field::Phone, "1234567890123456789012", "allows 21"),
            (Field::State, "I", "at least 2"),
            (Field::State, &"a".repeat(65), "allows 64"),
        ];
        for (field, value, expected) in cases {
            let m = one(&with(field, value), field);
            assert!(m.contains(expected), "{field:?} {value}: {m}");
        }
        for (field, value) in [
            (Field::StreetAddress1, "abc"),
            (Field::StreetAddress2, ""),
            (Field::City, &"a".repeat(35) as &str),
            (Field::PostCode, "1234"),
            (Field::PostCode, "12345678901"),
            (Field::Phone, "123456789012345678901"),
        ] {
            assert!(messages(&with(field, value), field).is_empty(), "{field:?} {value}");
        }
    }

    #[test]
    fn country_is_a_real_two_letter_code() {
        assert!(messages(&with(Field::Country, "gb"), Field::Country).is_empty());
        assert_eq!(
            one(&with(Field::Country, "XX"), Field::Country),
            "Country 'XX' is not a country code; use a two-letter code such as US or GB"
        );
        assert_eq!(
            one(&with(Field::Country, "France"), Field::Country),
            "Country must be a two-letter code such as US or GB; 'France' is not (did you mean FR?)"
        );
        let p = validate_trader(&with(Field::Country, "UK")).into_iter().find(|p| p.field == Field::Country);
        assert_eq!(p.unwrap().suggestion.as_deref(), Some("GB"));
    }

    #[test]
    fn state_is_required_for_us_only() {
        assert_eq!(one(&with(Field::State, ""), Field::State), "State is required when the country is US");
        let mut t = with(Field::State, "");
        t.set(Field::Country, "us".into());
        assert_eq!(one(&t, Field::State), "State is required when the country is US");
        t.set(Field::Country, "GB".into());
        assert!(messages(&t, Field::State).is_empty());
    }

    #[test]
    fn phone_has_only_phone_characters() {
        assert!(messages(&with(Field::Phone, "+44 20.7946-0958"), Field::Phone).is_empty());
        assert_eq!(
            one(&with(Field::Phone, "555-CALL"), Field::Phone),
            "Phone may only contain digits, spaces, +, -, dots and parentheses; '555-CALL' contains 'C'"
        );
        assert_eq!(one(&with(Field::Phone, "+()"), Field::Phone), "Phone '+()' has no digits");
    }

    #[test]
    fn account_names_are_capitals_then_digits_with_a_fix() {
        let problem = |v: &str| {
            let ps: Vec<CellProblem> = validate_trader(&with(Field::AccountName, v))
                .into_iter()
                .filter(|p| p.field == Field::AccountName)
                .collect();
            assert_eq!(ps.len(), 1, "{v}: {ps:?}");
            ps.into_iter().next().unwrap()
        };
        let p = problem("abc123");
        assert_eq!(
            p.message,
            "Account names are capital letters followed by digits, like TRADER0001; 'abc123' has lowercase letters"
        );
        assert_eq!(p.suggestion.as_deref(), Some("ABC123"));
        let p = problem("ABC_123");
        assert!(p.message.ends_with("'ABC_123' contains '_'"), "{}", p.message);
        assert_eq!(p.suggestion.as_deref(), Some("ABC123"));
        assert!(problem("ABC 123").message.ends_with("contains a space"));
        let p = problem("A1B2C3");
        assert!(p.message.ends_with("has letters after the digits"), "{}", p.message);
        assert_eq!(p.suggestion, None);
        assert!(problem("TRADER").message.ends_with("has no digits at the end"));
        assert!(problem("123").message.ends_with("starts with a digit"));
        assert!(problem("").message.starts_with("Account name is required"));
        assert!(problem(&format!("A{}", "1".repeat(64))).message.contains("allows 64"));
        for ok in ["TESTACCOUNT123", "SIMACCOUNT001", "A1"] {
            assert!(messages(&with(Field::AccountName, ok), Field::AccountName).is_empty(), "{ok}");
        }
    }

    #[test]
    fn balance_is_required_and_positive_and_every_risk_amount_checked_when_present() {
        assert_eq!(
            one(&with(Field::InitialBalance, ""), Field::InitialBalance),
            "Starting balance is required, like 50000"
        );
        for ok in ["50,000", "$50000", "50000.00"] {
            assert!(messages(&with(Field::InitialBalance, ok), Field::InitialBalance).is_empty(), "{ok}");
        }
        assert_eq!(
            one(&with(Field::InitialBalance, "0"), Field::InitialBalance),
            "Starting balance must be more than zero; it is 0"
        );
        assert!(one(&with(Field::InitialBalance, "fifty"), Field::InitialBalance).contains("'fifty' is not a number"));
        assert!(one(&with(Field::InitialBalance, "50.000,00"), Field::InitialBalance).contains("ambiguous"));
        for risk in RiskField::ALL.into_iter().filter(|f| matches!(f.unit(), Unit::Dollars | Unit::Percent)) {
            let field = Field::Risk(risk);
            assert!(messages(&with(field, ""), field).is_empty(), "{field:?} is optional");
            assert!(one(&with(field, "-5"), field).contains("must not be negative"), "{field:?}");
            assert!(one(&with(field, "abc"), field).contains("not a number"), "{field:?}");
        }
    }

    #[test]
    fn drawdown_mode_is_eod_or_realtime_in_any_case() {
        for ok in ["", "EOD", "eod", "RealTime", "realtime", "Real-Time", "real time"] {
            let mode = Field::Risk(RiskField::TrailingMaxDrawdownMode);
            assert!(messages(&with(mode, ok), mode).is_empty());
        }
        assert_eq!(canonical_drawdown_mode("real time"), Some("RealTime"));
        assert_eq!(
            one(
                &with(Field::Risk(RiskField::TrailingMaxDrawdownMode), "daily"),
                Field::Risk(RiskField::TrailingMaxDrawdownMode)
            ),
            "Drawdown mode must be EOD (end of day) or RealTime; 'daily' is neither"
        );
    }

    fn roster_of(rows: &[(&str, &str, &str)]) -> (Roster, Vec<RowId>) {
        let mut roster = Roster::new();
        let ids = rows
            .iter()
            .map(|(name, email, account)| {
                let mut t = good();
                t.set(Field::Name, (*name).into());
                t.set(Field::Email, (*email).into());
                t.set(Field::AccountName, (*account).into());
                roster.add(t)
            })
            .collect();
        (roster, ids)
    }

    fn roster_messages(v: &Validation, id: RowId, field: Field) -> Vec<String> {
        v.cell_problems(id, field).map(|p| p.message.clone()).collect()
    }

    #[test]
    fn duplicates_in_the_roster_flag_every_row_naming_the_others() {
        let (roster, ids) = roster_of(&[
            ("alice", "a@x.com", "AA1"),
            ("bob", "A@X.COM", "BB1"),
            ("ALICE", "c@x.com", "CC1"),
            ("dave", "a@x.com", "CC1"),
        ]);
        let v = validate_roster(&roster, &KnownNames::new());
        assert_eq!(roster_messages(&v, ids[0], Field::Name), ["Same user name as row 3"]);
        assert_eq!(roster_messages(&v, ids[2], Field::Name), ["Same user name as row 1"]);
        assert_eq!(roster_messages(&v, ids[0], Field::Email), ["Same email as rows 2 and 4"]);
        assert_eq!(roster_messages(&v, ids[1], Field::Email), ["Same email as rows 1 and 4"]);
        assert_eq!(roster_messages(&v, ids[3], Field::Email), ["Same email as rows 1 and 2"]);
        assert_eq!(roster_messages(&v, ids[3], Field::AccountName), ["Same account name as row 3"]);
        assert!(roster_messages(&v, ids[1], Field::Name).is_empty());
        assert_eq!(v.invalid_row_count(), 4);
    }

    #[test]
    fn duplicates_against_traders_created_earlier() {
        let (roster, ids) = roster_of(&[("alice", "a@x.com", "AA1"), ("bob", "b@x.com", "BB1")]);
        let mut known = KnownNames::new();
        known.add_user_name("Alice");
        known.add_email("B@x.com");
        known.add_account_name("BB1");
        let v = validate_roster(&roster, &known);
        assert_eq!(
            roster_messages(&v, ids[0], Field::Name),
            ["User name 'alice' is already taken by a trader created earlier"]
        );
        assert_eq!(
            roster_messages(&v, ids[1], Field::Email),
            ["Email 'b@x.com' already belongs to a trader created earlier"]
        );
        assert_eq!(
            roster_messages(&v, ids[1], Field::AccountName),
            ["Account name 'BB1' is already taken by an existing account"]
        );
        assert!(!v.is_valid(ids[0]) && v.problem_count() == 3);
    }

    #[test]
    fn row_lists_read_naturally() {
        assert_eq!(row_list(&[4, 11], 4), "row 12");
        assert_eq!(row_list(&[0, 1, 9], 9), "rows 1 and 2");
        assert_eq!(row_list(&[0, 1, 2, 9], 9), "rows 1, 2 and 3");
        assert_eq!(row_list(&[0, 1, 2, 3, 4, 9], 1), "rows 1, 3, 4 and 2 more");
    }

    #[test]
    fn a_large_duplicate_group_names_three_rows_and_counts_the_rest() {
        let mut roster = Roster::new();
        let ids: Vec<RowId> = (0..2_000)
            .map(|i| {
                let mut t = good();
                t.set(Field::Name, format!("trader{i}"));
                t.set(Field::AccountName, format!("T{i}"));
                t.set(Field::Email, "same@example.com".into());
                roster.add(t)
            })
            .collect();
        let v = validate_roster(&roster, &KnownNames::new());
        assert_eq!(v.invalid_row_count(), 2_000);
        assert_eq!(roster_messages(&v, ids[0], Field::Email), ["Same email as rows 2, 3, 4 and 1996 more"]);
        assert_eq!(roster_messages(&v, ids[2], Field::Email), ["Same email as rows 1, 2, 4 and 1996 more"]);
    }

    #[test]
    fn ten_thousand_rows_validate_correctly() {
        let mut roster = Roster::new();
        let mut ids = Vec::new();
        for i in 0..10_000 {
            let mut t = good();
            t.set(Field::Name, format!("trader{i}"));
            t.set(Field::Email, format!("trader{i}@example.com"));
            t.set(Field::AccountName, format!("TRADER{i:05}"));
            ids.push(roster.add(t));
        }
        // Three faults: a duplicate email pair far apart, and one bad balance.
        roster.update(ids[9_999], Field::Email, "TRADER5@example.com".into());
        roster.update(ids[4_000], Field::InitialBalance, "-1".into());
        let started = std::time::Instant::now();
        let v = validate_roster(&roster, &KnownNames::new());
        eprintln!("validated 10,000 rows in {:?} (debug build)", started.elapsed());
        assert_eq!(v.invalid_row_count(), 3);
        assert_eq!(roster_messages(&v, ids[5], Field::Email), ["Same email as row 10000"]);
        assert_eq!(roster_messages(&v, ids[9_999], Field::Email), ["Same email as row 6"]);
        assert_eq!(v.problems(ids[4_000])[0].field, Field::InitialBalance);
        assert!(v.is_valid(ids[1]));
    }
}
