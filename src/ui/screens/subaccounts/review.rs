//! Review and submit: the summary (SSN / national ID masked), Submit, and what happened
//! to the request and each document.

use super::SubaccountsCommand;
use super::wizard::Wizard;
use crate::api::wire::DocumentType;
use crate::subaccount::{
    DocumentSlot, MarginType, OUTCOME_UNKNOWN_ADVICE, RequestStage, SlotState, Step, Submission, check_all,
    country_name,
};
use crate::ui::command::Command;
use crate::ui::problem::Problem;
use crate::ui::widgets;
use egui::RichText;

pub fn ui(
    ui: &mut egui::Ui,
    wizard: &mut Wizard,
    submission: Option<&Submission>,
    sending: bool,
    commands: &mut Vec<Command>,
) {
    let draft = &wizard.draft;
    let mut go_to = None;
    widgets::card(ui, "Check before sending", |ui| {
        let identity = &draft.identity;
        let country = |code: &str| country_name(code).map(str::to_string).unwrap_or_else(|| code.to_string());
        let secret = if identity.needs_ssn() { ("SSN", &wizard.ssn) } else { ("National ID", &wizard.national_id) };
        let masked = mask(secret.1);
        let date = &identity.birth_date;
        let margin = draft.account.margin_type.map(MarginType::as_wire).unwrap_or("—");
        let authorized = match draft.account.authorized_individual {
            Some(true) => "Yes",
            Some(false) => "No",
            None => "—",
        };
        let sections: [(Step, Vec<(&str, String)>); 4] = [
            (
                Step::Trader,
                vec![("Trader", format!("{} (user {})", draft.trader.display_name, draft.trader.cta_user_id))],
            ),
            (
                Step::Identity,
                vec![
                    ("Name", format!("{} {}", identity.first_name, identity.last_name)),
                    ("Citizenship", country(&identity.citizenship)),
                    ("Date of birth", format!("{}-{:0>2}-{:0>2}", date.year, date.month, date.day)),
                    (secret.0, masked),
                ],
            ),
            (
                Step::Address,
                vec![
                    (
                        "Address",
                        [&draft.address.street_address1, &draft.address.street_address2]
                            .into_iter()
                            .filter(|s| !s.trim().is_empty())
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    (
                        "",
                        format!(
                            "{} {} {}, {}",
                            draft.address.city,
                            draft.address.state,
                            draft.address.zip_code,
                            country(&draft.address.country)
                        ),
                    ),
                    ("Phone", draft.address.phone.clone()),
                ],
            ),
            (
                Step::Account,
                vec![
                    ("Risk category", draft.account.risk_category_id.clone()),
                    ("Margin type", margin.to_string()),
                    ("Transfer amount", draft.account.transfer_amount.clone()),
                    ("Authorized individual", authorized.to_string()),
                    ("Auto-liq profile", or_none(&draft.account.auto_liq_profile_id)),
                    ("Reason", draft.account.trader_reason.clone()),
                ],
            ),
        ];
        egui::Grid::new("review-grid").num_columns(3).spacing([16.0, 4.0]).show(ui, |ui| {
            for (step, rows) in &sections {
                for (i, (name, value)) in rows.iter().enumerate() {
                    ui.label(RichText::new(*name).weak());
                    ui.label(value);
                    if i == 0 && ui.small_button(format!("Edit {}", step.title().to_lowercase())).clicked() {
                        go_to = Some(*step);
                    }
                    ui.end_row();
                }
            }
            for slot in DocumentType::ALL {
                ui.label(RichText::new(slot.label()).weak());
                let shown = match draft.documents.slot(slot) {
                    DocumentSlot::File(file) => format!("{} ({})", file.file_name(), file.human_size()),
                    DocumentSlot::DocumentId(id) => format!("document #{id}"),
                    DocumentSlot::ChooseAgain { file_name } => format!("{file_name}: choose it again"),
                    DocumentSlot::Empty => "missing".into(),
                };
                ui.label(shown);
                ui.end_row();
            }
        });
    });
    if let Some(step) = go_to {
        wizard.step = step;
        return;
    }
    ui.add_space(8.0);
    let problems = check_all(draft);
    widgets::card(ui, "Send to Tradovate", |ui| {
        if !problems.is_empty() {
            let steps: Vec<&str> = {
                let mut steps: Vec<&str> = problems.iter().map(|p| p.field.step().title()).collect();
                steps.dedup();
                steps
            };
            widgets::error_label(
                ui,
                &Problem::simple(format!("Not ready: fix the {} step(s) first", steps.join(", "))),
            );
        }
        let already = submission.is_some_and(|s| !s.may_submit_again());
        let may_retry = submission.is_some_and(Submission::may_retry_documents);
        ui.horizontal(|ui| {
            let label = if submission
                .is_some_and(|s| matches!(s.stage, RequestStage::Refused { .. } | RequestStage::NotSent { .. }))
            {
                "Submit again"
            } else {
                "Submit request"
            };
            let enabled = problems.is_empty() && !already && !sending;
            if ui.add_enabled(enabled, egui::Button::new(RichText::new(label).strong())).clicked() {
                commands.push(Command::Subaccounts(SubaccountsCommand::Submit));
            }
            if may_retry && ui.add_enabled(!sending, egui::Button::new("Retry failed documents")).clicked() {
                commands.push(Command::Subaccounts(SubaccountsCommand::RetryDocuments));
            }
            if sending {
                ui.spinner();
                ui.label("Sending…");
            }
        });
        if already && let Some(s) = submission {
            let id = s.request_id.map(|id| format!("request {id}")).unwrap_or_else(|| "this request".into());
            widgets::hint(ui, &format!("This draft was sent as {id}; Propdesk never sends the same request twice."));
        }
        if let Some(problem) = &wizard.submit_problem {
            widgets::error_label(ui, problem);
        }
        if let Some(s) = submission {
            ui.add_space(6.0);
            submission_ui(ui, s);
            if s.stage == RequestStage::Submitted && ui.button("See it in the request list").clicked() {
                commands.push(Command::Subaccounts(SubaccountsCommand::ShowList));
            }
        }
    });
}

/// The request's stage and each document's upload result.
pub fn submission_ui(ui: &mut egui::Ui, s: &Submission) {
    match &s.stage {
        RequestStage::Refused { .. } | RequestStage::NotSent { .. } => {
            widgets::error_label(ui, &Problem::simple(s.headline()));
        }
        RequestStage::OutcomeUnknown { detail } => {
            widgets::error_label(ui, &Problem::new(format!("Outcome unknown ({detail})"), OUTCOME_UNKNOWN_ADVICE));
            widgets::hint(ui, OUTCOME_UNKNOWN_ADVICE);
        }
        _ => {
            ui.label(RichText::new(s.headline()).strong());
        }
    }
    for slot in DocumentType::ALL {
        ui.horizontal(|ui| {
            ui.label(format!("{}:", slot.label()));
            slot_state_ui(ui, s.documents.get(slot));
        });
    }
}

pub fn slot_state_ui(ui: &mut egui::Ui, state: &SlotState) {
    match state {
        SlotState::Waiting => {
            ui.label(RichText::new("waiting").weak());
        }
        SlotState::Uploading => {
            ui.spinner();
            ui.label("uploading");
        }
        SlotState::Uploaded { document_id: Some(id) } => {
            ui.label(format!("✔ uploaded (document {id})"));
        }
        SlotState::Uploaded { document_id: None } => {
            ui.label("✔ uploaded");
        }
        SlotState::Failed { error } => {
            widgets::error_label(ui, &Problem::new(format!("upload failed: {error}"), error.clone()));
        }
    }
}

fn mask(secret: &str) -> String {
    let digits: Vec<char> = secret.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if digits.is_empty() {
        return "missing".into();
    }
    if digits.len() < 4 {
        return "•••".into();
    }
    let last: String = digits[digits.len() - 2..].iter().collect();
    format!("{}{last}", "•".repeat(digits.len() - 2))
}

fn or_none(text: &str) -> String {
    if text.trim().is_empty() { "none".into() } else { text.to_string() }
}
