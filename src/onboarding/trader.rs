//! One trader of the roster: a spreadsheet row, one cell per API field.
//!
//! Cells keep the text exactly as the admin typed or imported it, so nothing is lost
//! before validation says what is wrong; conversion to wire types happens only for
//! rows that pass (`convert.rs`).

use super::risk::RiskField;
use crate::api::Secret;
use std::collections::BTreeMap;

/// One roster column, named after the API field it fills.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Name,
    Email,
    Password,
    FirstName,
    LastName,
    StreetAddress1,
    StreetAddress2,
    City,
    State,
    PostCode,
    Country,
    Phone,
    AccountName,
    InitialBalance,
    /// A `PostTradeRisk` field: overrides the template's risk profile for this trader.
    Risk(RiskField),
}

impl Field {
    /// Every column, in the order of the roster (and of exports).
    pub const ALL: [Field; 31] = [
        Field::Name,
        Field::Email,
        Field::Password,
        Field::FirstName,
        Field::LastName,
        Field::StreetAddress1,
        Field::StreetAddress2,
        Field::City,
        Field::State,
        Field::PostCode,
        Field::Country,
        Field::Phone,
        Field::AccountName,
        Field::InitialBalance,
        Field::Risk(RiskField::ALL[0]),
        Field::Risk(RiskField::ALL[1]),
        Field::Risk(RiskField::ALL[2]),
        Field::Risk(RiskField::ALL[3]),
        Field::Risk(RiskField::ALL[4]),
        Field::Risk(RiskField::ALL[5]),
        Field::Risk(RiskField::ALL[6]),
        Field::Risk(RiskField::ALL[7]),
        Field::Risk(RiskField::ALL[8]),
        Field::Risk(RiskField::ALL[9]),
        Field::Risk(RiskField::ALL[10]),
        Field::Risk(RiskField::ALL[11]),
        Field::Risk(RiskField::ALL[12]),
        Field::Risk(RiskField::ALL[13]),
        Field::Risk(RiskField::ALL[14]),
        Field::Risk(RiskField::ALL[15]),
        Field::Risk(RiskField::ALL[16]),
    ];

    /// Columns every row must fill. The password is not among them: an empty one is
    /// generated (`generate_missing_passwords`) before the row is sent.
    pub const REQUIRED: [Field; 6] =
        [Field::Name, Field::Email, Field::FirstName, Field::LastName, Field::AccountName, Field::InitialBalance];

    /// The contact-info columns: all of them or none (Tradovate asks the trader at first
    /// login when they are skipped).
    pub const CONTACT: [Field; 7] = [
        Field::StreetAddress1,
        Field::StreetAddress2,
        Field::City,
        Field::State,
        Field::PostCode,
        Field::Country,
        Field::Phone,
    ];

    /// The API's name for the field, used as the CSV header.
    pub fn header(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Email => "email",
            Field::Password => "password",
            Field::FirstName => "firstName",
            Field::LastName => "lastName",
            Field::StreetAddress1 => "streetAddress1",
            Field::StreetAddress2 => "streetAddress2",
            Field::City => "city",
            Field::State => "state",
            Field::PostCode => "postCode",
            Field::Country => "country",
            Field::Phone => "phone",
            Field::AccountName => "accountName",
            Field::InitialBalance => "initialBalance",
            Field::Risk(risk) => risk.header(),
        }
    }

    /// What the admin sees: column titles and the start of validation messages.
    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "User name",
            Field::Email => "Email",
            Field::Password => "Password",
            Field::FirstName => "First name",
            Field::LastName => "Last name",
            Field::StreetAddress1 => "Street address",
            Field::StreetAddress2 => "Street address line 2",
            Field::City => "City",
            Field::State => "State",
            Field::PostCode => "Postal code",
            Field::Country => "Country",
            Field::Phone => "Phone",
            Field::AccountName => "Account name",
            Field::InitialBalance => "Starting balance",
            Field::Risk(risk) => risk.label(),
        }
    }

    pub fn is_contact(self) -> bool {
        Field::CONTACT.contains(&self)
    }

    /// Columns holding numbers (dollars or percentages), sorted by value.
    pub fn is_amount(self) -> bool {
        match self {
            Field::InitialBalance => true,
            Field::Risk(risk) => matches!(risk.unit(), super::risk::Unit::Dollars | super::risk::Unit::Percent),
            _ => false,
        }
    }
}

/// One row of the roster. `Debug` masks the password (it is a `Secret`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trader {
    pub name: String,
    pub email: String,
    pub password: Secret,
    pub first_name: String,
    pub last_name: String,
    pub street_address1: String,
    pub street_address2: String,
    pub city: String,
    pub state: String,
    pub post_code: String,
    pub country: String,
    pub phone: String,
    pub account_name: String,
    pub initial_balance: String,
    /// Risk cells that are filled (a blank cell is absent): this trader's overrides.
    pub risk: BTreeMap<RiskField, String>,
}

impl Trader {
    /// The cell's text. For `Field::Password` this is the plain password: only the
    /// editor and the credentials hand-out should ask for it.
    pub fn get(&self, field: Field) -> &str {
        match field {
            Field::Name => &self.name,
            Field::Email => &self.email,
            Field::Password => self.password.expose(),
            Field::FirstName => &self.first_name,
            Field::LastName => &self.last_name,
            Field::StreetAddress1 => &self.street_address1,
            Field::StreetAddress2 => &self.street_address2,
            Field::City => &self.city,
            Field::State => &self.state,
            Field::PostCode => &self.post_code,
            Field::Country => &self.country,
            Field::Phone => &self.phone,
            Field::AccountName => &self.account_name,
            Field::InitialBalance => &self.initial_balance,
            Field::Risk(risk) => self.risk.get(&risk).map_or("", String::as_str),
        }
    }

    pub fn set(&mut self, field: Field, value: String) {
        let cell = match field {
            Field::Password => {
                self.password = Secret::new(value);
                return;
            }
            Field::Risk(risk) => {
                if value.is_empty() {
                    self.risk.remove(&risk);
                } else {
                    self.risk.insert(risk, value);
                }
                return;
            }
            Field::Name => &mut self.name,
            Field::Email => &mut self.email,
            Field::FirstName => &mut self.first_name,
            Field::LastName => &mut self.last_name,
            Field::StreetAddress1 => &mut self.street_address1,
            Field::StreetAddress2 => &mut self.street_address2,
            Field::City => &mut self.city,
            Field::State => &mut self.state,
            Field::PostCode => &mut self.post_code,
            Field::Country => &mut self.country,
            Field::Phone => &mut self.phone,
            Field::AccountName => &mut self.account_name,
            Field::InitialBalance => &mut self.initial_balance,
        };
        *cell = value;
    }

    /// Whether the row carries any risk value of its own.
    pub fn has_risk_values(&self) -> bool {
        self.risk.values().any(|v| !v.trim().is_empty())
    }

    /// Whether any contact-info cell is filled: then the whole address is needed.
    pub fn has_contact_info(&self) -> bool {
        Field::CONTACT.iter().any(|&f| !self.get(f).trim().is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_returns_what_set_stored_for_every_field() {
        let mut t = Trader::default();
        for (i, f) in Field::ALL.iter().enumerate() {
            t.set(*f, format!("value{i}"));
        }
        for (i, f) in Field::ALL.iter().enumerate() {
            assert_eq!(t.get(*f), format!("value{i}"), "{f:?}");
        }
    }

    #[test]
    fn debug_never_shows_the_password() {
        let mut t = Trader::default();
        t.set(Field::Password, "Hunter2-very-secret".into());
        t.set(Field::Name, "jsmith".into());
        let shown = format!("{t:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(shown.contains("jsmith"));
    }

    #[test]
    fn all_lists_each_field_once_and_headers_are_unique() {
        let mut headers: Vec<_> = Field::ALL.iter().map(|f| f.header()).collect();
        headers.sort();
        headers.dedup();
        assert_eq!(headers.len(), Field::ALL.len());
        assert_eq!(Field::ALL[0], Field::Name);
        assert_eq!(Field::FirstName.label(), "First name");
        assert_eq!(Field::PostCode.header(), "postCode");
    }

    #[test]
    fn contact_info_is_detected_from_any_address_cell() {
        let mut t = Trader::default();
        assert!(!t.has_contact_info());
        t.set(Field::Phone, " ".into());
        assert!(!t.has_contact_info(), "blank cells do not count");
        t.set(Field::Phone, "+1 555 0100".into());
        assert!(t.has_contact_info());
    }
}
