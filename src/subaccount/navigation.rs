//! What stops the wizard from moving on, in words for the Next button.

use super::draft::SubaccountDraft;
use super::fields::{DraftField, Step};
use super::rules::{check_step, join_and};

/// The first step that still has problems, or `None` when the draft can be reviewed and sent.
pub fn first_incomplete_step(draft: &SubaccountDraft) -> Option<Step> {
    Step::ALL.into_iter().filter(|s| *s != Step::Review).find(|s| !check_step(draft, *s).is_empty())
}

/// Short lines for a disabled Next button: "Fill in: Last name, City" for empty fields, then
/// "Fix: SSN" for fields that are filled in but wrong. Empty when the step is done.
pub fn next_blockers(draft: &SubaccountDraft, step: Step) -> Vec<String> {
    let mut blank: Vec<&str> = Vec::new();
    let mut wrong: Vec<&str> = Vec::new();
    for problem in check_step(draft, step) {
        let list = if field_is_blank(draft, problem.field) { &mut blank } else { &mut wrong };
        if !list.contains(&problem.field.label()) {
            list.push(problem.field.label());
        }
    }
    let mut lines = Vec::new();
    if !blank.is_empty() {
        lines.push(format!("Fill in: {}", blank.join(", ")));
    }
    if !wrong.is_empty() {
        lines.push(format!("Fix: {}", wrong.join(", ")));
    }
    lines
}

/// True when nothing has been entered in `field` (spaces do not count).
pub fn field_is_blank(draft: &SubaccountDraft, field: DraftField) -> bool {
    let blank = |text: &str| text.trim().is_empty();
    let (trader, identity, address, account) = (&draft.trader, &draft.identity, &draft.address, &draft.account);
    match field {
        DraftField::CtaUserId => blank(&trader.cta_user_id),
        DraftField::TraderName => blank(&trader.display_name),
        DraftField::FirstName => blank(&identity.first_name),
        DraftField::LastName => blank(&identity.last_name),
        DraftField::Citizenship => blank(&identity.citizenship),
        DraftField::BirthDate => identity.birth_date.is_blank(),
        DraftField::TaxIdentifier => blank(identity.tax_identifier.expose()),
        DraftField::NationalId => blank(identity.national_id.expose()),
        DraftField::Country => blank(&address.country),
        DraftField::State => blank(&address.state),
        DraftField::StreetAddress1 => blank(&address.street_address1),
        DraftField::StreetAddress2 => blank(&address.street_address2),
        DraftField::City => blank(&address.city),
        DraftField::ZipCode => blank(&address.zip_code),
        DraftField::Phone => blank(&address.phone),
        DraftField::RiskCategoryId => blank(&account.risk_category_id),
        DraftField::MarginType => account.margin_type.is_none(),
        DraftField::TransferAmount => blank(&account.transfer_amount),
        DraftField::AuthorizedIndividual => account.authorized_individual.is_none(),
        DraftField::AutoLiqProfileId => blank(&account.auto_liq_profile_id),
        DraftField::TraderReason => blank(&account.trader_reason),
        DraftField::Document(document_type) => draft.documents.slot(document_type).is_blank(),
    }
}

/// One line for a summary: "3 problems: Last name, City and SSN".
pub fn summary(draft: &SubaccountDraft) -> Option<String> {
    let problems = super::rules::check_all(draft);
    if problems.is_empty() {
        return None;
    }
    let mut labels: Vec<&str> = Vec::new();
    for problem in &problems {
        if !labels.contains(&problem.field.label()) {
            labels.push(problem.field.label());
        }
    }
    let count = problems.len();
    let noun = if count == 1 { "problem" } else { "problems" };
    Some(format!("{count} {noun}: {}", join_and(&labels)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::secret::Secret;
    use crate::subaccount::examples::emily;

    #[test]
    fn an_empty_draft_starts_at_the_trader_step() {
        let empty = SubaccountDraft::default();
        assert_eq!(first_incomplete_step(&empty), Some(Step::Trader));
        assert_eq!(next_blockers(&empty, Step::Trader), ["Fill in: Trader's user ID"]);
    }

    #[test]
    fn the_first_incomplete_step_follows_the_wizard_order() {
        let mut draft = SubaccountDraft::default();
        draft.trader.cta_user_id = "12345".into();
        assert_eq!(first_incomplete_step(&draft), Some(Step::Identity));
        let mut draft = emily();
        assert_eq!(first_incomplete_step(&draft), None);
        draft.account.transfer_amount.clear();
        draft.address.city.clear();
        assert_eq!(first_incomplete_step(&draft), Some(Step::Address));
        draft.address.city = "Albany".into();
        assert_eq!(first_incomplete_step(&draft), Some(Step::Account));
    }

    #[test]
    fn next_blockers_say_what_to_fill_in_and_what_to_fix() {
        let mut draft = emily();
        draft.identity.last_name.clear();
        draft.identity.tax_identifier = Secret::new("12-34");
        assert_eq!(next_blockers(&draft, Step::Identity), ["Fill in: Last name", "Fix: SSN"]);
        draft.address.city.clear();
        draft.address.zip_code = " ".into();
        assert_eq!(next_blockers(&draft, Step::Address), ["Fill in: City, ZIP / postal code"]);
        assert!(next_blockers(&draft, Step::Trader).is_empty());
        assert_eq!(next_blockers(&draft, Step::Review), ["Fill in: Last name, City, ZIP / postal code", "Fix: SSN"]);
        assert_eq!(summary(&draft).as_deref(), Some("4 problems: Last name, SSN, City and ZIP / postal code"));
        assert_eq!(summary(&emily()), None);
    }

    #[test]
    fn blank_means_nothing_but_spaces() {
        let mut draft = emily();
        assert!(!field_is_blank(&draft, DraftField::City));
        draft.address.city = "   ".into();
        assert!(field_is_blank(&draft, DraftField::City));
        assert!(field_is_blank(&draft, DraftField::AutoLiqProfileId));
        draft.account.margin_type = None;
        assert!(field_is_blank(&draft, DraftField::MarginType));
    }
}
