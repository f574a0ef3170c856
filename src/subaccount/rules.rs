//! Every rule of `createPartnerSubaccountRequest` the client can check (seeds/004), as pure
//! functions over a [`SubaccountDraft`].
//!
//! Each field has one *reader* that returns either the value to send or the message to show
//! beside the field. The checks and [`to_request`] both go through the readers, so what passes
//! the checks is exactly what gets sent. Text is trimmed before it is checked and sent; the
//! draft keeps what was typed.
//!
//! Rules only the server can know (unknown or foreign `ctaUserId`, restrictions beyond the
//! CME's restricted countries, funds, sub-account limits, unknown document or auto-liq
//! profile IDs) stay with the server.

use super::draft::{DocumentSlot, SubaccountDraft};
use super::fields::{DraftField, Step};
use super::text::{Length, characters, check_length, server_count};
use crate::api::secret::Secret;
use crate::api::wire::{CreatePartnerSubaccountRequest, DocumentType, TradeDate};
use crate::countries::{code_for_name_or_alias, country_name, normalize_country_code};
use crate::restricted_countries;
use chrono::{Datelike, NaiveDate};

/// One thing to fix, for the UI to show beside `field`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: DraftField,
    pub message: String,
}

impl FieldProblem {
    fn new(field: DraftField, message: impl Into<String>) -> FieldProblem {
        FieldProblem { field, message: message.into() }
    }
}

/// Tradovate rejects first + last name longer than this together, though each may be 64.
pub const MAX_COMBINED_NAME_CHARS: usize = 60;
/// The sandbox (and, we expect, Tradovate's review) denies applicants younger than this.
pub const MIN_AGE_YEARS: u32 = 18;
/// Older than this is almost certainly a typo in the year.
const MAX_AGE_YEARS: u32 = 120;

/// The problems on one step's page, in the order the fields appear. Today's date is the
/// computer's local date (for the birth-date rules); see [`check_step_on`] to fix it.
pub fn check_step(draft: &SubaccountDraft, step: Step) -> Vec<FieldProblem> {
    check_step_on(draft, step, today())
}

/// Every problem in the draft, step by step.
pub fn check_all(draft: &SubaccountDraft) -> Vec<FieldProblem> {
    check_all_on(draft, today())
}

/// The wire request, or every problem that stops it.
pub fn to_request(draft: &SubaccountDraft) -> Result<CreatePartnerSubaccountRequest, Vec<FieldProblem>> {
    to_request_on(draft, today())
}

/// [`check_step`] as of a given day.
pub fn check_step_on(draft: &SubaccountDraft, step: Step, today: NaiveDate) -> Vec<FieldProblem> {
    let mut problems = Problems::default();
    match step {
        Step::Trader => {
            problems.take(DraftField::CtaUserId, cta_user_id(draft));
        }
        Step::Identity => {
            read_identity(draft, today, &mut problems);
        }
        Step::Address => {
            read_address(draft, &mut problems);
        }
        Step::Account => {
            read_account(draft, &mut problems);
        }
        Step::Documents => {
            read_documents(draft, &mut problems);
        }
        Step::Review => return check_all_on(draft, today),
    }
    problems.0
}

/// [`check_all`] as of a given day.
pub fn check_all_on(draft: &SubaccountDraft, today: NaiveDate) -> Vec<FieldProblem> {
    Step::ALL.iter().filter(|s| **s != Step::Review).flat_map(|s| check_step_on(draft, *s, today)).collect()
}

/// [`to_request`] as of a given day.
pub fn to_request_on(
    draft: &SubaccountDraft,
    today: NaiveDate,
) -> Result<CreatePartnerSubaccountRequest, Vec<FieldProblem>> {
    let mut problems = Problems::default();
    let cta_user_id = problems.take(DraftField::CtaUserId, cta_user_id(draft));
    let identity = read_identity(draft, today, &mut problems);
    let address = read_address(draft, &mut problems);
    let account = read_account(draft, &mut problems);
    let documents = read_documents(draft, &mut problems);
    match (cta_user_id, identity, address, account, documents) {
        (Some(cta_user_id), Some(identity), Some(address), Some(account), Some(documents)) if problems.0.is_empty() => {
            let [poa_form_doc_id, government_doc_id, address_doc_id] = match documents {
                Some(ids) => ids.map(Some),
                None => [None; 3],
            };
            Ok(CreatePartnerSubaccountRequest {
                cta_user_id,
                risk_category_id: account.risk_category_id,
                margin_type: account.margin_type.to_owned(),
                transfer_amount: account.transfer_amount,
                authorized_individual: account.authorized_individual,
                first_name: identity.first_name,
                last_name: identity.last_name,
                country: address.country.to_owned(),
                state: address.state,
                street_address1: address.street_address1,
                city: address.city,
                zip_code: address.zip_code,
                phone: address.phone,
                citizenship: identity.citizenship.to_owned(),
                birth_date: identity.birth_date,
                auto_liq_profile_id: account.auto_liq_profile_id,
                trader_reason: account.trader_reason,
                street_address2: address.street_address2,
                tax_identifier: identity.tax_identifier,
                national_id: identity.national_id,
                poa_form_doc_id,
                government_doc_id,
                address_doc_id,
            })
        }
        _ => Err(problems.0),
    }
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

#[derive(Default)]
struct Problems(Vec<FieldProblem>);

impl Problems {
    /// The value, or `None` after noting the message against `field`.
    fn take<T>(&mut self, field: DraftField, read: Result<T, String>) -> Option<T> {
        read.map_err(|message| self.0.push(FieldProblem::new(field, message))).ok()
    }
}

// ---------------------------------------------------------------------------------------------
// Steps

struct Identity {
    first_name: String,
    last_name: String,
    citizenship: &'static str,
    birth_date: TradeDate,
    tax_identifier: Option<Secret>,
    national_id: Option<Secret>,
}

fn read_identity(draft: &SubaccountDraft, today: NaiveDate, problems: &mut Problems) -> Option<Identity> {
    let identity = &draft.identity;
    let first_name = problems.take(DraftField::FirstName, name(DraftField::FirstName, &identity.first_name, 64));
    let last_name = problems.take(DraftField::LastName, name(DraftField::LastName, &identity.last_name, 64));
    if let (Some(first), Some(last)) = (&first_name, &last_name) {
        problems.take(DraftField::LastName, combined_name(first, last));
    }
    let citizenship =
        problems.take(DraftField::Citizenship, country_code(DraftField::Citizenship, &identity.citizenship));
    let birth_date = problems.take(DraftField::BirthDate, birth_date(draft, today));
    // Which identifier applies depends on the citizenship; without one we cannot tell yet.
    // Only the one that applies is sent: a leftover SSN typed before the citizenship changed
    // must not leave the machine.
    let (tax_identifier, national_id) = match citizenship {
        Some("US") => (problems.take(DraftField::TaxIdentifier, ssn(&identity.tax_identifier)).map(Some), Some(None)),
        Some(code) => {
            (Some(None), problems.take(DraftField::NationalId, national_id(&identity.national_id, code)).map(Some))
        }
        None => (None, None),
    };
    Some(Identity {
        first_name: first_name?,
        last_name: last_name?,
        citizenship: citizenship?,
        birth_date: birth_date?,
        tax_identifier: tax_identifier?,
        national_id: national_id?,
    })
}

struct Address {
    country: &'static str,
    state: String,
    street_address1: String,
    street_address2: Option<String>,
    city: String,
    zip_code: String,
    phone: String,
}

fn read_address(draft: &SubaccountDraft, problems: &mut Problems) -> Option<Address> {
    let address = &draft.address;
    let country = problems.take(DraftField::Country, country_code(DraftField::Country, &address.country));
    let state = problems.take(DraftField::State, required_text(DraftField::State, &address.state, 2, 64));
    let street_address1 = problems
        .take(DraftField::StreetAddress1, required_text(DraftField::StreetAddress1, &address.street_address1, 3, 61));
    let street_address2 = problems
        .take(DraftField::StreetAddress2, optional_text(DraftField::StreetAddress2, &address.street_address2, 61));
    let city = problems.take(DraftField::City, required_text(DraftField::City, &address.city, 2, 35));
    let zip_code = problems.take(DraftField::ZipCode, required_text(DraftField::ZipCode, &address.zip_code, 4, 11));
    let phone = problems.take(DraftField::Phone, required_text(DraftField::Phone, &address.phone, 1, 21));
    Some(Address {
        country: country?,
        state: state?,
        street_address1: street_address1?,
        street_address2: street_address2?,
        city: city?,
        zip_code: zip_code?,
        phone: phone?,
    })
}

struct Account {
    risk_category_id: i64,
    margin_type: &'static str,
    transfer_amount: f64,
    authorized_individual: bool,
    auto_liq_profile_id: Option<i64>,
    trader_reason: Option<String>,
}

fn read_account(draft: &SubaccountDraft, problems: &mut Problems) -> Option<Account> {
    let account = &draft.account;
    let risk_category_id = problems
        .take(DraftField::RiskCategoryId, required_id(DraftField::RiskCategoryId, &account.risk_category_id, "3"));
    let margin_type = problems.take(
        DraftField::MarginType,
        account.margin_type.map(|m| m.as_wire()).ok_or_else(|| "Choose Hedger or Speculator".to_owned()),
    );
    let transfer_amount = problems.take(DraftField::TransferAmount, transfer_amount(&account.transfer_amount));
    let authorized_individual = problems.take(
        DraftField::AuthorizedIndividual,
        account
            .authorized_individual
            .ok_or_else(|| "Answer yes or no: is the trader an authorized individual?".to_owned()),
    );
    let auto_liq_profile_id = problems
        .take(DraftField::AutoLiqProfileId, optional_id(DraftField::AutoLiqProfileId, &account.auto_liq_profile_id));
    let trader_reason =
        problems.take(DraftField::TraderReason, optional_text(DraftField::TraderReason, &account.trader_reason, 8192));
    Some(Account {
        risk_category_id: risk_category_id?,
        margin_type: margin_type?,
        transfer_amount: transfer_amount?,
        authorized_individual: authorized_individual?,
        auto_liq_profile_id: auto_liq_profile_id?,
        trader_reason: trader_reason?,
    })
}

/// `Some(Some(ids))` when linking pre-uploaded documents, `Some(None)` when all three files are
/// chosen (they are uploaded after the request exists), `None` when something is missing.
fn read_documents(draft: &SubaccountDraft, problems: &mut Problems) -> Option<Option<[i64; 3]>> {
    let documents = &draft.documents;
    let before = problems.0.len();
    if documents.links_uploaded_documents() {
        // Tradovate links pre-uploaded documents only as a full set (seeds/004).
        let missing: Vec<DocumentType> = DocumentType::ALL
            .into_iter()
            .filter(|t| !matches!(documents.slot(*t), DocumentSlot::DocumentId(id) if !id.trim().is_empty()))
            .collect();
        let mut ids = [0; 3];
        for (i, document_type) in DocumentType::ALL.into_iter().enumerate() {
            let field = DraftField::Document(document_type);
            if missing.contains(&document_type) {
                problems.0.push(FieldProblem::new(field, partial_set_message(&missing)));
            } else if let DocumentSlot::DocumentId(text) = documents.slot(document_type)
                && let Some(id) = problems.take(field, positive_id("Document ID", text, "12345"))
            {
                ids[i] = id;
            }
        }
        return (problems.0.len() == before).then_some(Some(ids));
    }
    for document_type in DocumentType::ALL {
        let field = DraftField::Document(document_type);
        match documents.slot(document_type) {
            DocumentSlot::File(_) => {}
            DocumentSlot::ChooseAgain { file_name } => problems.0.push(FieldProblem::new(
                field,
                format!("Choose {file_name} again: Propdesk does not keep document files after it closes"),
            )),
            DocumentSlot::Empty | DocumentSlot::DocumentId(_) => problems.0.push(FieldProblem::new(
                field,
                format!("Choose the {} file (PDF, PNG, JPEG or plain text)", in_sentence(document_type.label())),
            )),
        }
    }
    (problems.0.len() == before).then_some(None)
}

fn partial_set_message(missing: &[DocumentType]) -> String {
    if missing.len() == DocumentType::ALL.len() {
        return "Enter the ID of each pre-uploaded document, or choose files instead".to_owned();
    }
    let names: Vec<&str> = missing.iter().map(|t| t.label()).collect();
    format!(
        "Tradovate links pre-uploaded documents only as a full set: enter the document ID for {} too, or choose files for all three",
        join_and(&names)
    )
}

// ---------------------------------------------------------------------------------------------
// Field readers: the value to send, or the message to show.

fn cta_user_id(draft: &SubaccountDraft) -> Result<i64, String> {
    required_id(DraftField::CtaUserId, &draft.trader.cta_user_id, "12345")
}

/// Letters of any alphabet, spaces, hyphens, apostrophes and periods (seeds/004). A curly
/// apostrophe (’), which phones and macOS type on their own, is sent as a straight one.
fn name(field: DraftField, typed: &str, max: usize) -> Result<String, String> {
    let text = typed.trim().replace('\u{2019}', "'");
    if text.is_empty() {
        return Err(format!("Enter the trader's {} as on their ID", in_sentence(field.label())));
    }
    let allowed = |c: char| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.');
    let mut refused: Vec<char> = Vec::new();
    for c in text.chars().filter(|c| !allowed(*c)) {
        if !refused.contains(&c) {
            refused.push(c);
        }
    }
    if !refused.is_empty() {
        let shown: Vec<String> = refused.iter().map(|c| show_char(*c)).collect();
        return Err(format!(
            "{} may contain only letters, spaces, hyphens (-), apostrophes (') and periods (.); remove {}",
            field.label(),
            join_and(&shown.iter().map(String::as_str).collect::<Vec<_>>())
        ));
    }
    length(field, &text, 1, max).map(|()| text)
}

fn combined_name(first: &str, last: &str) -> Result<(), String> {
    let combined = server_count(first) + server_count(last);
    if combined > MAX_COMBINED_NAME_CHARS {
        return Err(format!(
            "First and last name together are {combined} characters; Tradovate allows {MAX_COMBINED_NAME_CHARS}"
        ));
    }
    Ok(())
}

fn show_char(c: char) -> String {
    match c {
        '\t' => "tabs".to_owned(),
        c if c.is_whitespace() => "unusual spaces".to_owned(),
        c if c.is_control() => "invisible characters".to_owned(),
        c => format!("“{c}”"),
    }
}

/// A real ISO 3166-1 alpha-2 code, in any letter case (seeds/004).
fn country_code(field: DraftField, typed: &str) -> Result<&'static str, String> {
    let text = typed.trim();
    if text.is_empty() {
        return Err(format!("Choose the {} from the list", in_sentence(field.label())));
    }
    if let Some(code) = normalize_country_code(text) {
        return match restricted_countries::active().reason(code) {
            Some(reason) => Err(reason),
            None => Ok(code),
        };
    }
    if let Some(code) = code_for_name_or_alias(text) {
        let name = country_name(code).unwrap_or(code);
        return Err(format!("Use the two-letter code {code} for {name}"));
    }
    if text.chars().count() != 2 {
        return Err(format!("{} must be a two-letter country code, like US or DE", field.label()));
    }
    Err(format!("{} is not a country code; choose the country from the list", text.to_uppercase()))
}

fn birth_date(draft: &SubaccountDraft, today: NaiveDate) -> Result<TradeDate, String> {
    let input = &draft.identity.birth_date;
    if input.is_blank() {
        return Err("Enter the date of birth".to_owned());
    }
    let parts = [input.year.trim(), input.month.trim(), input.day.trim()];
    if parts.iter().any(|p| p.is_empty()) {
        return Err("Enter the year, month and day of birth".to_owned());
    }
    if parts.iter().any(|p| !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err("Year, month and day must be numbers, like 1985, 7, 14".to_owned());
    }
    if parts[0].len() != 4 {
        return Err("The year must have four digits, like 1985".to_owned());
    }
    let (Ok(year), Ok(month), Ok(day)) = (parts[0].parse::<i32>(), parts[1].parse::<u32>(), parts[2].parse::<u32>())
    else {
        return Err("Year, month and day must be numbers, like 1985, 7, 14".to_owned());
    };
    if !(1..=12).contains(&month) {
        return Err("The month must be 1 to 12".to_owned());
    }
    let Some(date) = NaiveDate::from_ymd_opt(year, month, day) else {
        let month_name = NaiveDate::from_ymd_opt(year, month, 1).map(|d| d.format("%B %Y").to_string());
        return Err(format!("{} has no day {day}", month_name.unwrap_or_else(|| format!("month {month}"))));
    };
    if date >= today {
        return Err("The date of birth must be in the past".to_owned());
    }
    let age = today.years_since(date).unwrap_or(0);
    if age > MAX_AGE_YEARS {
        return Err(format!("That makes the trader {age} years old; check the year"));
    }
    if age < MIN_AGE_YEARS {
        return Err(format!("The trader is {age}: Tradovate will deny applicants under {MIN_AGE_YEARS}"));
    }
    Ok(TradeDate { year: date.year(), month: date.month(), day: date.day() })
}

/// US citizens: the SSN, exactly 9 digits once dashes and spaces are removed (seeds/004).
/// Sent as the 9 digits. Messages never repeat the number.
fn ssn(typed: &Secret) -> Result<Secret, String> {
    let text = typed.expose().trim();
    if text.is_empty() {
        return Err("A US citizen needs a Social Security number (SSN)".to_owned());
    }
    let mut digits = String::with_capacity(9);
    for c in text.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '-' | ' ' => {}
            _ => return Err("SSN must be exactly 9 digits (dashes are fine: 123-45-6789)".to_owned()),
        }
    }
    if digits.len() != 9 {
        return Err(format!(
            "SSN must be exactly 9 digits (dashes are fine: 123-45-6789); this one has {}",
            digits.len()
        ));
    }
    // The Social Security Administration never issues an SSN whose area number (first three
    // digits) is 000, 666 or 900-999, whose group number (middle two) is 00, or whose serial
    // number (last four) is 0000 (SSA, "Social Security Number Randomization" and POMS RM 10201).
    let (area, group, serial) = (&digits[0..3], &digits[3..5], &digits[5..9]);
    if area == "000" || area == "666" || area.starts_with('9') {
        return Err("This is not a valid SSN: none starts with 000, 666 or 9".to_owned());
    }
    if group == "00" {
        return Err("This is not a valid SSN: the middle two digits are never 00".to_owned());
    }
    if serial == "0000" {
        return Err("This is not a valid SSN: the last four digits are never 0000".to_owned());
    }
    Ok(Secret::new(digits))
}

/// Everyone else: a national ID of 2 to 64 letters and digits (seeds/004). Spaces and dashes,
/// common in printed ID numbers, are removed before checking and sending.
fn national_id(typed: &Secret, citizenship: &str) -> Result<Secret, String> {
    let cleaned: String = typed.expose().chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if cleaned.is_empty() {
        let country = country_name(citizenship).unwrap_or(citizenship);
        return Err(format!("A citizen of {country} needs a national ID number (from the passport or ID card)"));
    }
    if !cleaned.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(
            "National ID may contain only letters A-Z and digits 0-9 (spaces and dashes are removed)".to_owned()
        );
    }
    let count = cleaned.len();
    if !(2..=64).contains(&count) {
        return Err(format!("National ID must be 2 to 64 letters and digits; this one has {count}"));
    }
    Ok(Secret::new(cleaned))
}

fn required_text(field: DraftField, typed: &str, min: usize, max: usize) -> Result<String, String> {
    let text = typed.trim();
    if text.is_empty() {
        return Err(format!("Enter the {}", in_sentence(field.label())));
    }
    length(field, text, min, max).map(|()| text.to_owned())
}

/// `None` when blank, so the field is left out of the request.
fn optional_text(field: DraftField, typed: &str, max: usize) -> Result<Option<String>, String> {
    let text = typed.trim();
    if text.is_empty() {
        return Ok(None);
    }
    length(field, text, 0, max).map(|()| Some(text.to_owned()))
}

fn length(field: DraftField, text: &str, min: usize, max: usize) -> Result<(), String> {
    match check_length(text, min, max) {
        Ok(()) => Ok(()),
        Err(Length::TooShort(_)) => Err(format!("{} must be at least {}", field.label(), characters(min))),
        Err(Length::TooLong(count)) => {
            Err(format!("{} is {}; Tradovate allows {max}", field.label(), characters(count)))
        }
    }
}

fn required_id(field: DraftField, typed: &str, example: &str) -> Result<i64, String> {
    if typed.trim().is_empty() {
        return Err(match field {
            DraftField::CtaUserId => format!("Enter the trader's Tradovate user ID, like {example}"),
            _ => format!("Enter the {}, like {example}", in_sentence(field.label())),
        });
    }
    positive_id(field.label(), typed, example)
}

fn optional_id(field: DraftField, typed: &str) -> Result<Option<i64>, String> {
    if typed.trim().is_empty() {
        return Ok(None);
    }
    positive_id(field.label(), typed, "12").map(Some)
}

fn positive_id(label: &str, typed: &str, example: &str) -> Result<i64, String> {
    let text = typed.trim();
    match text.parse::<i64>() {
        Ok(id) if id > 0 && text.bytes().all(|b| b.is_ascii_digit()) => Ok(id),
        _ => Err(format!("{label} must be a whole number above 0, like {example}")),
    }
}

/// A positive amount in dollars and cents. "5000", "5,000", "$5,000.50" and "5000 USD" are
/// fine. Commas are read only as thousands separators: "5,00" is refused rather than guessed.
fn transfer_amount(typed: &str) -> Result<f64, String> {
    let mut text = typed.trim();
    if text.is_empty() {
        return Err("Enter the amount to transfer from the master account, like 5000".to_owned());
    }
    for prefix in ["US$", "$", "USD"] {
        if let Some(rest) = text.strip_prefix(prefix) {
            text = rest.trim_start();
        }
    }
    if let Some(rest) = text.strip_suffix("USD") {
        text = rest.trim_end();
    }
    if text.starts_with('-') {
        return Err("Transfer amount must be more than 0".to_owned());
    }
    let (whole, cents) = match text.split_once('.') {
        Some((whole, cents)) => (whole, Some(cents)),
        None => (text, None),
    };
    let groups: Vec<&str> = whole.split(',').collect();
    let grouped_well = groups.len() == 1
        || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !groups.iter().all(|g| all_digits(g)) || cents.is_some_and(|c| !all_digits(c)) {
        return Err("Transfer amount must be a number, like 5000 or 5,000.00".to_owned());
    }
    if !grouped_well {
        return Err("Use commas only between thousands (5,000) and a period for cents (5000.50)".to_owned());
    }
    if cents.is_some_and(|c| c.len() > 2) {
        return Err("Transfer amount can have at most 2 decimal places (cents)".to_owned());
    }
    let plain = format!("{}.{}", groups.concat(), cents.unwrap_or("0"));
    match plain.parse::<f64>() {
        Ok(amount) if !amount.is_finite() => Err("Transfer amount is too large".to_owned()),
        Ok(amount) if amount > 0.0 => Ok(amount),
        Ok(_) => Err("Transfer amount must be more than 0".to_owned()),
        Err(_) => Err("Transfer amount must be a number, like 5000 or 5,000.00".to_owned()),
    }
}

/// A label inside a sentence: "Risk category ID" → "risk category ID", but "ZIP / postal code"
/// and "SSN" keep their capitals.
fn in_sentence(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if !second.is_uppercase() => {
            first.to_lowercase().chain(label[first.len_utf8()..].chars()).collect()
        }
        _ => label.to_owned(),
    }
}

/// "A", "A and B", "A, B and C".
pub(crate) fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests;
