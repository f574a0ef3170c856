//! Which wizard step a server refusal concerns, so the wizard can take the user straight to it.
//!
//! Tradovate refuses `createPartnerSubaccountRequest` with a free-text `errorText` (HTTP 200).
//! The texts are not documented word for word, so we look for the words they are built from:
//! wire field names (`ctaUserId`, `zipCode`, …) and the phrases of seeds/004's failure list
//! ("insufficient funds", "sub-account limit", "auto-liq profile", "country … restricted").
//! When several appear, the one that comes first in the text wins: the subject of the sentence
//! is what it is about ("citizenship must be an ISO … country code" is about the citizenship).
//! A text that names nothing in the draft (not an admin, no master account) goes to
//! [`Step::Review`], where the error is shown with the Submit button.

use super::fields::{DraftField, Step};
use crate::api::wire::{CreatePartnerSubaccountRequest, DocumentType};

/// Words (lower case) and the input they point at. Longer, more specific phrases sit next to
/// the shorter words they contain so that the earliest *and longest* match decides.
const CLUES: &[(&str, DraftField)] = &[
    // Trader
    ("ctauserid", DraftField::CtaUserId),
    ("user not found", DraftField::CtaUserId),
    ("sub-account limit", DraftField::CtaUserId),
    ("subaccount limit", DraftField::CtaUserId),
    ("for trader", DraftField::CtaUserId),
    // Documents (before names: "filename" contains "name")
    ("pOAFormDocId", DraftField::Document(DocumentType::PoaForm)),
    ("governmentDocId", DraftField::Document(DocumentType::Id)),
    ("addressDocId", DraftField::Document(DocumentType::AddressVerificationFAFTA)),
    ("document", DraftField::Document(DocumentType::PoaForm)),
    ("base64data", DraftField::Document(DocumentType::PoaForm)),
    ("filename", DraftField::Document(DocumentType::PoaForm)),
    // Identity
    ("firstname", DraftField::FirstName),
    ("first name", DraftField::FirstName),
    ("lastname", DraftField::LastName),
    ("last name", DraftField::LastName),
    ("name characters", DraftField::FirstName),
    ("combined", DraftField::LastName),
    ("citizenship", DraftField::Citizenship),
    ("birthdate", DraftField::BirthDate),
    ("birth date", DraftField::BirthDate),
    ("date of birth", DraftField::BirthDate),
    ("years old", DraftField::BirthDate),
    ("social security", DraftField::TaxIdentifier),
    ("ssn", DraftField::TaxIdentifier),
    ("taxidentifier", DraftField::TaxIdentifier),
    ("nationalid", DraftField::NationalId),
    ("national id", DraftField::NationalId),
    // Address
    ("country", DraftField::Country),
    ("state", DraftField::State),
    ("streetaddress1", DraftField::StreetAddress1),
    ("streetaddress2", DraftField::StreetAddress2),
    ("street address", DraftField::StreetAddress1),
    ("city", DraftField::City),
    ("zipcode", DraftField::ZipCode),
    ("zip code", DraftField::ZipCode),
    ("postal code", DraftField::ZipCode),
    ("phone", DraftField::Phone),
    // Account
    ("insufficient funds", DraftField::TransferAmount),
    ("transferamount", DraftField::TransferAmount),
    ("transfer amount", DraftField::TransferAmount),
    ("auto-liq", DraftField::AutoLiqProfileId),
    ("autoliq", DraftField::AutoLiqProfileId),
    ("riskcategory", DraftField::RiskCategoryId),
    ("risk category", DraftField::RiskCategoryId),
    ("margintype", DraftField::MarginType),
    ("margin type", DraftField::MarginType),
    ("authorizedindividual", DraftField::AuthorizedIndividual),
    ("authorized individual", DraftField::AuthorizedIndividual),
    ("traderreason", DraftField::TraderReason),
];

/// The wizard step a server `errorText` concerns; [`Step::Review`] when it names nothing the
/// user can change in the draft.
pub fn step_for_server_error(text: &str) -> Step {
    field_for_server_error(text).map_or(Step::Review, DraftField::step)
}

/// The input a server `errorText` points at, when it names one.
pub fn field_for_server_error(text: &str) -> Option<DraftField> {
    let text = text.to_lowercase();
    let mut best: Option<(usize, usize, DraftField)> = None;
    for (clue, field) in CLUES {
        let clue = clue.to_lowercase();
        let Some(at) = text.find(&clue) else { continue };
        let better = match best {
            None => true,
            Some((best_at, best_len, _)) => at < best_at || (at == best_at && clue.len() > best_len),
        };
        if better {
            best = Some((at, clue.len(), *field));
        }
    }
    best.map(|(_, _, field)| field)
}

/// Like [`field_for_server_error`], knowing the request that was refused: "Country is
/// restricted: XX" names only a code, which may be the citizenship rather than the country of
/// residence; the request tells which.
pub fn field_for_refusal(text: &str, request: &CreatePartnerSubaccountRequest) -> Option<DraftField> {
    let field = field_for_server_error(text)?;
    if field == DraftField::Country && text.to_lowercase().contains("restricted") {
        let named = |code: &str| text.to_uppercase().split(|c: char| !c.is_ascii_alphabetic()).any(|w| w == code);
        if named(&request.citizenship) && !named(&request.country) {
            return Some(DraftField::Citizenship);
        }
    }
    Some(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_named_subject_wins() {
        let cases = [
            ("ctaUserId 987654: user not found", Step::Trader),
            ("ctaUserId 2001 belongs to a different organization", Step::Trader),
            ("Max sub-account limit exceeded for trader 100004", Step::Trader),
            ("Auto-liq profile not found", Step::Account),
            ("Auto-liq profile does not belong to this organization", Step::Account),
            ("Insufficient funds in master account to cover transferAmount 5000.00", Step::Account),
            ("Country is restricted: IR", Step::Address),
            ("State is restricted: Crimea", Step::Address),
            ("citizenship must be an ISO 3166-1 alpha-2 country code, got \"USA\"", Step::Identity),
            ("Invalid Social Security Number: taxIdentifier must be exactly 9 digits for US citizens", Step::Identity),
            ("nationalId is required for non-US citizens", Step::Identity),
            ("firstName and lastName together must not exceed 60 characters", Step::Identity),
            ("Invalid name characters: only letters, spaces, hyphens, apostrophes and periods", Step::Identity),
            ("Missing required field: zipCode", Step::Address),
            ("Missing required field: riskCategoryId", Step::Account),
            ("marginType must be Hedger or Speculator, got \"x\"", Step::Account),
            ("Provide all three document IDs (pOAFormDocId, governmentDocId, addressDocId) or none", Step::Documents),
            ("governmentDocId: document 5 does not exist", Step::Documents),
            ("Access is denied: only organization administrators may call this endpoint", Step::Review),
            ("No master account found for the organization admin", Step::Review),
            ("", Step::Review),
        ];
        for (text, step) in cases {
            assert_eq!(step_for_server_error(text), step, "{text}");
        }
    }

    #[test]
    fn a_restricted_citizenship_points_at_the_citizenship() {
        let request =
            CreatePartnerSubaccountRequest { country: "US".into(), citizenship: "IR".into(), ..Default::default() };
        assert_eq!(field_for_refusal("Country is restricted: IR", &request), Some(DraftField::Citizenship));
        let request = CreatePartnerSubaccountRequest { country: "IR".into(), citizenship: "IR".into(), ..request };
        assert_eq!(field_for_refusal("Country is restricted: IR", &request), Some(DraftField::Country));
        assert_eq!(
            field_for_server_error("governmentDocId: document 5 does not exist"),
            Some(DraftField::Document(DocumentType::Id))
        );
    }
}
