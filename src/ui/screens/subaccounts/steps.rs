//! The form steps: Trader, Identity, Address, Account. Each field sits in a three-column
//! grid: its label, the input, and its problem right beside it.

use super::SubaccountsCommand;
use super::wizard::Wizard;
use crate::subaccount::{DraftField, FieldProblem, MarginType, countries, country_name};
use crate::ui::command::Command;
use crate::ui::problem::Problem;
use crate::ui::widgets;
use egui::RichText;

const FIELD_WIDTH: f32 = 300.0;

fn grid(ui: &mut egui::Ui, id: &str, add: impl FnOnce(&mut egui::Ui)) {
    egui::Grid::new(id).num_columns(3).spacing([12.0, 8.0]).min_col_width(150.0).show(ui, add);
}

/// The third column: the field's problem, in the house style, or nothing.
fn problem_cell(ui: &mut egui::Ui, wizard: &Wizard, problems: &[FieldProblem], field: DraftField) {
    match wizard.problem_for(problems, field) {
        Some(message) => {
            ui.scope(|ui| {
                ui.set_max_width(380.0);
                widgets::error_label(ui, &Problem::simple(message));
            });
        }
        None => {
            ui.label("");
        }
    }
    ui.end_row();
}

/// A labelled single-line field with its problem beside it.
fn text_row(
    ui: &mut egui::Ui,
    wizard: &mut Wizard,
    problems: &[FieldProblem],
    field: DraftField,
    hint: &str,
    value: impl FnOnce(&mut Wizard) -> &mut String,
) {
    let label = ui.label(field.label());
    let response = ui
        .add(
            egui::TextEdit::singleline(value(wizard))
                .hint_text(hint)
                .desired_width(FIELD_WIDTH)
                // A grid column shrinks to its widest cell: keep every field the same width.
                .min_size(egui::vec2(FIELD_WIDTH, 0.0)),
        )
        .labelled_by(label.id);
    if response.changed() || response.lost_focus() {
        wizard.touch(field);
    }
    problem_cell(ui, wizard, problems, field);
}

pub fn trader_ui(ui: &mut egui::Ui, wizard: &mut Wizard, problems: &[FieldProblem], commands: &mut Vec<Command>) {
    widgets::card(ui, "Whose subaccount is it?", |ui| {
        widgets::hint(ui, "Pick a trader the firm onboarded, or type the trader's Tradovate user ID and name.");
        ui.add_space(6.0);
        match (wizard.known_traders.value(), wizard.known_traders.error()) {
            (_, Some(error)) => {
                widgets::error_label(ui, &error.clone().context("Could not read the onboarded traders"));
                if ui.button("Try again").clicked() {
                    commands.push(Command::Subaccounts(SubaccountsCommand::LoadTraders));
                }
            }
            (None, None) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Reading the traders onboarded in this environment…");
                });
            }
            (Some(traders), None) if traders.is_empty() => {
                widgets::hint(ui, "No onboarded trader has a Tradovate user yet: type the user ID below.");
            }
            (Some(traders), None) => {
                let mut chosen = None;
                ui.horizontal_wrapped(|ui| {
                    ui.label("Onboarded traders:");
                    for (name, id) in traders {
                        let selected = wizard.draft.trader.cta_user_id == id.to_string();
                        if ui.selectable_label(selected, format!("{name} (#{id})")).clicked() {
                            chosen = Some((name.clone(), *id));
                        }
                    }
                });
                if let Some((name, id)) = chosen {
                    wizard.draft.trader.cta_user_id = id.to_string();
                    wizard.draft.trader.display_name = name;
                    wizard.touch(DraftField::CtaUserId);
                    wizard.touch(DraftField::TraderName);
                }
            }
        }
        ui.add_space(8.0);
        grid(ui, "trader-grid", |ui| {
            text_row(ui, wizard, problems, DraftField::CtaUserId, "e.g. 1002", |w| &mut w.draft.trader.cta_user_id);
            text_row(ui, wizard, problems, DraftField::TraderName, "as the firm knows them", |w| {
                &mut w.draft.trader.display_name
            });
        });
    });
}

pub fn identity_ui(ui: &mut egui::Ui, wizard: &mut Wizard, problems: &[FieldProblem]) {
    widgets::card(ui, "The trader's identity", |ui| {
        widgets::hint(ui, "As printed on the government ID you will attach.");
        ui.add_space(6.0);
        grid(ui, "identity-grid", |ui| {
            text_row(ui, wizard, problems, DraftField::FirstName, "", |w| &mut w.draft.identity.first_name);
            text_row(ui, wizard, problems, DraftField::LastName, "", |w| &mut w.draft.identity.last_name);
            country_row(ui, wizard, problems, DraftField::Citizenship, "citizenship");
            birth_date_row(ui, wizard, problems);
            let (field, label_text) = if wizard.draft.identity.needs_ssn() {
                (DraftField::TaxIdentifier, "SSN")
            } else {
                (DraftField::NationalId, "National ID")
            };
            let label = ui.label(label_text);
            let value = if field == DraftField::TaxIdentifier { &mut wizard.ssn } else { &mut wizard.national_id };
            let hint = if field == DraftField::TaxIdentifier { "123-45-6789" } else { "" };
            let response = widgets::secret_input(ui, label_text, value, &mut wizard.show_secret, hint, FIELD_WIDTH)
                .labelled_by(label.id);
            if response.changed() || response.lost_focus() {
                wizard.touch(field);
            }
            wizard.sync_secrets();
            problem_cell(ui, wizard, problems, field);
        });
        if !wizard.draft.identity.citizenship.trim().is_empty() {
            let which = if wizard.draft.identity.needs_ssn() {
                "US citizens need their SSN."
            } else {
                "Non-US citizens need their national ID number."
            };
            widgets::hint(ui, which);
        }
        match &wizard.keyring_note {
            Some(note) => widgets::error_label(ui, &Problem::simple(note.clone())),
            None => {
                ui.label(RichText::new("The number is kept in the system keyring, never on disk.").weak().size(12.5))
            }
        };
    });
}

/// A country picker (searchable combo) writing the ISO code.
fn country_row(ui: &mut egui::Ui, wizard: &mut Wizard, problems: &[FieldProblem], field: DraftField, what: &str) {
    let label = ui.label(field.label());
    let current = match field {
        DraftField::Citizenship => wizard.draft.identity.citizenship.clone(),
        _ => wizard.draft.address.country.clone(),
    };
    let shown = country_name(&current)
        .map(|n| format!("{n} ({current})"))
        .unwrap_or_else(|| if current.is_empty() { format!("Choose the {what}…") } else { current.clone() });
    let mut chosen = None;
    egui::ComboBox::from_id_salt(("country", what))
        .selected_text(shown)
        .width(FIELD_WIDTH)
        .height(320.0)
        // The search box is inside: a click there must not close the list.
        .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
        .show_ui(ui, |ui| {
            let search = ui.label("Search countries");
            let filter = &mut wizard.country_filter;
            ui.add(egui::TextEdit::singleline(filter).hint_text("name or code").desired_width(200.0))
                .labelled_by(search.id)
                .request_focus();
            let wanted = filter.trim().to_lowercase();
            for (code, name) in countries() {
                let matches =
                    wanted.is_empty() || name.to_lowercase().contains(&wanted) || code.eq_ignore_ascii_case(&wanted);
                if matches && ui.selectable_label(current == *code, format!("{name} ({code})")).clicked() {
                    chosen = Some(code.to_string());
                    ui.close();
                }
            }
        })
        .response
        .labelled_by(label.id);
    if let Some(code) = chosen {
        wizard.country_filter.clear();
        match field {
            DraftField::Citizenship => wizard.draft.identity.citizenship = code,
            _ => wizard.draft.address.country = code,
        }
        wizard.touch(field);
    }
    problem_cell(ui, wizard, problems, field);
}

fn birth_date_row(ui: &mut egui::Ui, wizard: &mut Wizard, problems: &[FieldProblem]) {
    let label = ui.label(DraftField::BirthDate.label());
    let mut changed = false;
    ui.horizontal(|ui| {
        let date = &mut wizard.draft.identity.birth_date;
        let parts = [
            (&mut date.year, "YYYY", 60.0, "Birth year"),
            (&mut date.month, "MM", 36.0, "Birth month"),
            (&mut date.day, "DD", 36.0, "Birth day"),
        ];
        for (i, (value, hint, width, name)) in parts.into_iter().enumerate() {
            if i > 0 {
                ui.label("/");
            }
            let response = ui.add(egui::TextEdit::singleline(value).hint_text(hint).desired_width(width));
            // The first part carries the visible label; each part also has its own name.
            let response = if i == 0 { response.labelled_by(label.id) } else { response };
            let response = response.accessible_name(name);
            changed |= response.changed() || response.lost_focus();
        }
    });
    if changed {
        wizard.touch(DraftField::BirthDate);
    }
    problem_cell(ui, wizard, problems, DraftField::BirthDate);
}

pub fn address_ui(ui: &mut egui::Ui, wizard: &mut Wizard, problems: &[FieldProblem]) {
    widgets::card(ui, "Where the trader lives", |ui| {
        widgets::hint(ui, "The proof of address document must show this address.");
        ui.add_space(6.0);
        grid(ui, "address-grid", |ui| {
            country_row(ui, wizard, problems, DraftField::Country, "country");
            text_row(ui, wizard, problems, DraftField::State, "e.g. IL", |w| &mut w.draft.address.state);
            text_row(ui, wizard, problems, DraftField::StreetAddress1, "", |w| &mut w.draft.address.street_address1);
            text_row(ui, wizard, problems, DraftField::StreetAddress2, "optional", |w| {
                &mut w.draft.address.street_address2
            });
            text_row(ui, wizard, problems, DraftField::City, "", |w| &mut w.draft.address.city);
            text_row(ui, wizard, problems, DraftField::ZipCode, "", |w| &mut w.draft.address.zip_code);
            text_row(ui, wizard, problems, DraftField::Phone, "+1 312 555 0100", |w| &mut w.draft.address.phone);
        });
    });
}

pub fn account_ui(ui: &mut egui::Ui, wizard: &mut Wizard, problems: &[FieldProblem]) {
    widgets::card(ui, "The live account", |ui| {
        grid(ui, "account-grid", |ui| {
            text_row(ui, wizard, problems, DraftField::RiskCategoryId, "e.g. 3", |w| {
                &mut w.draft.account.risk_category_id
            });
            ui.label(DraftField::MarginType.label());
            ui.horizontal(|ui| {
                for margin in MarginType::ALL {
                    let selected = wizard.draft.account.margin_type == Some(margin);
                    let response = ui.radio(selected, margin.as_wire());
                    if response.clicked() {
                        wizard.draft.account.margin_type = Some(margin);
                        wizard.touch(DraftField::MarginType);
                    }
                }
            });
            problem_cell(ui, wizard, problems, DraftField::MarginType);
            text_row(ui, wizard, problems, DraftField::TransferAmount, "USD moved from the master account", |w| {
                &mut w.draft.account.transfer_amount
            });
            ui.label(DraftField::AuthorizedIndividual.label());
            ui.horizontal(|ui| {
                for (value, text) in [(true, "Yes"), (false, "No")] {
                    let selected = wizard.draft.account.authorized_individual == Some(value);
                    let response = ui.radio(selected, text);
                    if response.clicked() {
                        wizard.draft.account.authorized_individual = Some(value);
                        wizard.touch(DraftField::AuthorizedIndividual);
                    }
                }
            });
            problem_cell(ui, wizard, problems, DraftField::AuthorizedIndividual);
            text_row(ui, wizard, problems, DraftField::AutoLiqProfileId, "optional", |w| {
                &mut w.draft.account.auto_liq_profile_id
            });
            let label = ui.label(DraftField::TraderReason.label());
            let response = ui
                .add(
                    egui::TextEdit::multiline(&mut wizard.draft.account.trader_reason)
                        .hint_text("Why the trader is graduating to a live account")
                        .desired_rows(3)
                        .desired_width(FIELD_WIDTH)
                        .min_size(egui::vec2(FIELD_WIDTH, 0.0)),
                )
                .labelled_by(label.id);
            if response.changed() || response.lost_focus() {
                wizard.touch(DraftField::TraderReason);
            }
            problem_cell(ui, wizard, problems, DraftField::TraderReason);
        });
    });
}
