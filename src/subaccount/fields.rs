//! The wizard's steps and fields, with the names the user sees.

use crate::api::wire::DocumentType;

/// The wizard's pages, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    Trader,
    Identity,
    Address,
    Account,
    Documents,
    Review,
}

impl Step {
    /// Every step in wizard order.
    pub const ALL: [Step; 6] =
        [Step::Trader, Step::Identity, Step::Address, Step::Account, Step::Documents, Step::Review];

    pub fn title(self) -> &'static str {
        match self {
            Step::Trader => "Trader",
            Step::Identity => "Identity",
            Step::Address => "Address",
            Step::Account => "Account",
            Step::Documents => "Documents",
            Step::Review => "Review",
        }
    }

    pub fn next(self) -> Option<Step> {
        Step::ALL.iter().position(|s| *s == self).and_then(|i| Step::ALL.get(i + 1)).copied()
    }

    pub fn previous(self) -> Option<Step> {
        Step::ALL.iter().position(|s| *s == self).and_then(|i| i.checked_sub(1)).map(|i| Step::ALL[i])
    }
}

/// One input of the wizard; problems point at these so the UI can show them beside the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DraftField {
    CtaUserId,
    TraderName,
    FirstName,
    LastName,
    Citizenship,
    BirthDate,
    /// The SSN; asked for US citizens only.
    TaxIdentifier,
    /// Asked for everyone who is not a US citizen.
    NationalId,
    Country,
    State,
    StreetAddress1,
    StreetAddress2,
    City,
    ZipCode,
    Phone,
    RiskCategoryId,
    MarginType,
    TransferAmount,
    AuthorizedIndividual,
    AutoLiqProfileId,
    TraderReason,
    Document(DocumentType),
}

impl DraftField {
    /// The input's visible label, also used in messages ("Fill in: Last name, City").
    pub fn label(self) -> &'static str {
        match self {
            DraftField::CtaUserId => "Trader's user ID",
            DraftField::TraderName => "Trader name",
            DraftField::FirstName => "First name",
            DraftField::LastName => "Last name",
            DraftField::Citizenship => "Citizenship",
            DraftField::BirthDate => "Date of birth",
            DraftField::TaxIdentifier => "SSN",
            DraftField::NationalId => "National ID",
            DraftField::Country => "Country",
            DraftField::State => "State / region",
            DraftField::StreetAddress1 => "Street address",
            DraftField::StreetAddress2 => "Address line 2",
            DraftField::City => "City",
            DraftField::ZipCode => "ZIP / postal code",
            DraftField::Phone => "Phone",
            DraftField::RiskCategoryId => "Risk category ID",
            DraftField::MarginType => "Margin type",
            DraftField::TransferAmount => "Transfer amount",
            DraftField::AuthorizedIndividual => "Authorized individual",
            DraftField::AutoLiqProfileId => "Auto-liquidation profile ID",
            DraftField::TraderReason => "Reason",
            DraftField::Document(document_type) => document_type.label(),
        }
    }

    /// The step whose page shows this field.
    pub fn step(self) -> Step {
        match self {
            DraftField::CtaUserId | DraftField::TraderName => Step::Trader,
            DraftField::FirstName
            | DraftField::LastName
            | DraftField::Citizenship
            | DraftField::BirthDate
            | DraftField::TaxIdentifier
            | DraftField::NationalId => Step::Identity,
            DraftField::Country
            | DraftField::State
            | DraftField::StreetAddress1
            | DraftField::StreetAddress2
            | DraftField::City
            | DraftField::ZipCode
            | DraftField::Phone => Step::Address,
            DraftField::RiskCategoryId
            | DraftField::MarginType
            | DraftField::TransferAmount
            | DraftField::AuthorizedIndividual
            | DraftField::AutoLiqProfileId
            | DraftField::TraderReason => Step::Account,
            DraftField::Document(_) => Step::Documents,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_walk_forward_and_back_in_wizard_order() {
        assert_eq!(Step::Trader.previous(), None);
        assert_eq!(Step::Trader.next(), Some(Step::Identity));
        assert_eq!(Step::Documents.next(), Some(Step::Review));
        assert_eq!(Step::Review.next(), None);
        assert_eq!(Step::Review.previous(), Some(Step::Documents));
        let mut walked = vec![Step::Trader];
        while let Some(next) = walked.last().and_then(|s| s.next()) {
            walked.push(next);
        }
        assert_eq!(walked, Step::ALL);
    }
}
