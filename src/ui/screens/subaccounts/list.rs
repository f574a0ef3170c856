//! The request list: every request in the registry with its status and documents.

use super::SubaccountsCommand;
use super::review::slot_state_ui;
use super::wizard::Wizard;
use crate::api::wire::{DocumentType, SubaccountStatus};
use crate::subaccount::{OUTCOME_UNKNOWN_ADVICE, RequestStage, Submission};
use crate::ui::command::Command;
use crate::ui::problem::Problem;
use crate::ui::remote::Remote;
use crate::ui::{theme, widgets};
use chrono::Utc;
use egui::RichText;

pub fn ui(
    ui: &mut egui::Ui,
    list: &Remote<Vec<Submission>>,
    wizard: &Wizard,
    _latest: Option<&Submission>,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        if ui.button(RichText::new("New request").strong()).clicked() {
            commands.push(Command::Subaccounts(SubaccountsCommand::NewRequest));
        }
        if !wizard.is_blank() && ui.button("Continue the draft").clicked() {
            commands.push(Command::Subaccounts(SubaccountsCommand::OpenDraft));
        }
        if ui.button("🔄 Refresh").clicked() {
            commands.push(Command::Subaccounts(SubaccountsCommand::Refresh));
        }
        if list.is_pending() {
            ui.spinner();
        }
    });
    ui.add_space(8.0);
    if let Some(error) = list.error() {
        widgets::error_label(ui, &error.clone().context("Could not read the subaccount requests"));
        return;
    }
    let Some(submissions) = list.value() else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Reading the requests…");
        });
        return;
    };
    if submissions.is_empty() {
        widgets::empty_state(
            ui,
            "🏦",
            "No subaccount requests yet",
            "Request a funded live subaccount for a trader who passed: the form checks every rule, takes the three documents and follows the request until it is decided.",
        );
        return;
    }
    widgets::hint(ui, "Statuses are checked with Tradovate every 30–60 seconds while this list is open.");
    ui.add_space(4.0);
    egui::ScrollArea::vertical().auto_shrink(false).show(ui, |ui| {
        let mut sorted: Vec<&Submission> = submissions.iter().collect();
        sorted.sort_by_key(|s| std::cmp::Reverse(s.created_at.unwrap_or(s.updated_at)));
        for s in sorted {
            row_ui(ui, s, wizard, commands);
            ui.add_space(6.0);
        }
    });
}

fn row_ui(ui: &mut egui::Ui, s: &Submission, wizard: &Wizard, commands: &mut Vec<Command>) {
    widgets::card(ui, "", |ui| {
        ui.horizontal(|ui| {
            ui.label(RichText::new(&s.trader.display_name).strong().size(15.0));
            ui.label(RichText::new(format!("user {}", s.trader.cta_user_id)).weak());
            if let Some(id) = s.request_id {
                ui.label(format!("· request {id}"));
            }
            match s.status {
                Some(status) if s.stage == RequestStage::Submitted || s.stage == RequestStage::Created => {
                    widgets::badge(ui, &format!("{status:?}"), theme::request_status_color(status));
                }
                _ => {}
            }
        });
        match (&s.stage, s.status, &s.message) {
            (RequestStage::OutcomeUnknown { detail }, _, _) => {
                widgets::error_label(ui, &Problem::new(format!("Outcome unknown ({detail})"), OUTCOME_UNKNOWN_ADVICE));
                widgets::hint(ui, OUTCOME_UNKNOWN_ADVICE);
            }
            (_, Some(SubaccountStatus::Denied), Some(message)) => {
                widgets::error_label(ui, &Problem::simple(format!("Denied: {message}")));
            }
            (RequestStage::Refused { .. } | RequestStage::NotSent { .. }, _, _) => {
                widgets::error_label(ui, &Problem::simple(s.headline()));
            }
            _ => {
                ui.label(s.headline());
            }
        }
        ui.horizontal_wrapped(|ui| {
            for slot in DocumentType::ALL {
                ui.label(RichText::new(format!("{}:", slot.label())).weak());
                slot_state_ui(ui, s.documents.get(slot));
                ui.add_space(8.0);
            }
        });
        ui.horizontal(|ui| {
            let created = s.created_at.map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string());
            let mut bits = vec![format!("Created {}", created.unwrap_or_else(|| "—".into()))];
            if let Some(checked) = s.last_checked {
                bits.push(format!("checked {}", ago(checked)));
            }
            ui.label(RichText::new(bits.join(" · ")).weak().size(12.5));
            if let Some(error) = &s.check_error {
                widgets::error_label(ui, &Problem::new("The last status check failed", error.clone()));
            }
        });
        if s.may_retry_documents() {
            if wizard.draft_id == s.draft_id {
                if ui.button("Retry failed documents").clicked() {
                    commands.push(Command::Subaccounts(SubaccountsCommand::RetryDocuments));
                }
            } else {
                widgets::hint(
                    ui,
                    "Some documents did not go up; open a new request's Documents step for this trader to send them again.",
                );
            }
        }
        if let Some(step) = s.step_to_fix()
            && wizard.draft_id == s.draft_id
            && ui.button(format!("Fix the {} step", step.title())).clicked()
        {
            commands.push(Command::Subaccounts(SubaccountsCommand::OpenDraft));
        }
    });
}

fn ago(t: chrono::DateTime<Utc>) -> String {
    let secs = (Utc::now() - t).num_seconds().max(0);
    match secs {
        0..=59 => format!("{secs} s ago"),
        60..=3599 => format!("{} min ago", secs / 60),
        _ => format!("{} h ago", secs / 3600),
    }
}
