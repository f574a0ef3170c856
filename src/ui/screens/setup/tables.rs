//! The data cards: subscription plans, template accounts and the entitlement, each
//! with its loading, error and empty states.

use super::SetupView;
use crate::store::settings::Chosen;
use crate::ui::command::{Choice, Command};
use crate::ui::connection::entitlement_label;
use crate::ui::remote::Remote;
use crate::ui::widgets;
use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

/// Loading, error and empty states shared by the three data cards. Returns the value
/// when there is something to draw.
fn remote_state<'a, T: Send + 'static>(
    ui: &mut Ui,
    connected: bool,
    remote: Option<&'a Remote<Vec<T>>>,
    what: &str,
    empty_text: &str,
    commands: &mut Vec<Command>,
) -> Option<&'a Vec<T>> {
    let Some(remote) = remote.filter(|_| connected) else {
        widgets::hint(ui, &format!("Sign in to see your {what}."));
        return None;
    };
    if let Some(problem) = remote.error() {
        ui.horizontal_wrapped(|ui| {
            widgets::error_label(ui, problem);
            if ui.button("Retry").clicked() {
                commands.push(Command::RefreshSetup);
            }
        });
    }
    match remote.value() {
        Some(list) if list.is_empty() => {
            widgets::hint(ui, empty_text);
            None
        }
        Some(list) => Some(list),
        None if remote.is_pending() || remote.is_not_requested() => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!("Loading {what}…"));
            });
            None
        }
        None => None,
    }
}

/// Header cells; the first is indented like the selectable names under it.
fn header_cells(row: &mut egui_extras::TableRow<'_, '_>, titles: &[&str]) {
    for (i, title) in titles.iter().enumerate() {
        row.col(|ui| {
            if i == 0 {
                ui.add_space(ui.spacing().button_padding.x);
            }
            ui.label(RichText::new(*title).strong());
        });
    }
}

fn table_height(rows: usize) -> f32 {
    HEADER_HEIGHT + ROW_HEIGHT * rows.min(6) as f32 + 4.0
}

const ROW_HEIGHT: f32 = 26.0;
const HEADER_HEIGHT: f32 = 22.0;

pub(super) fn plans_ui(ui: &mut Ui, view: &SetupView<'_>, commands: &mut Vec<Command>) {
    widgets::card(ui, "Subscription plan", |ui| {
        widgets::hint(ui, "New traders are created on this plan. Your firm's own plan is named <FIRM>_MONTHLY.");
        ui.add_space(4.0);
        let connected = view.connection.is_some_and(|c| c.client.session().is_some());
        let remote = view.connection.map(|c| &c.plans);
        let empty = "No subscription plans on this environment. Ask Tradovate Eval Support to set up your firm's plan.";
        let Some(plans) = remote_state(ui, connected, remote, "plans", empty, commands) else { return };
        let Some(kind) = view.connection.map(|c| c.kind()) else { return };
        let selected = view.settings.environment(kind).plan.as_ref().map(|c| c.id);
        ui.push_id("plans", |ui| {
            TableBuilder::new(ui)
                .striped(true)
                .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
                .vscroll(plans.len() > 6)
                .max_scroll_height(table_height(plans.len()))
                .column(Column::auto().at_least(170.0))
                .column(Column::auto().at_least(50.0))
                .column(Column::auto().at_least(160.0).clip(true))
                .column(Column::auto().at_least(60.0))
                .column(Column::remainder().at_least(80.0))
                .header(HEADER_HEIGHT, |mut row| {
                    header_cells(&mut row, &["Name", "ID", "Title", "Price", "Duration"]);
                })
                .body(|body| {
                    body.rows(ROW_HEIGHT, plans.len(), |mut row| {
                        let plan = &plans[row.index()];
                        let is_selected = selected == Some(plan.id);
                        row.set_selected(is_selected);
                        row.col(|ui| {
                            if ui.selectable_label(is_selected, &plan.name).clicked() && !is_selected {
                                commands.push(Command::Choose(
                                    Choice::Plan,
                                    Chosen { id: plan.id, name: plan.name.clone() },
                                ));
                            }
                        });
                        row.col(|ui| {
                            ui.label(plan.id.to_string());
                        });
                        row.col(|ui| {
                            ui.label(&plan.title);
                        });
                        row.col(|ui| {
                            ui.label(format!("{:.2}", plan.price));
                        });
                        row.col(|ui| {
                            ui.label(duration_text(plan.duration, &plan.duration_units));
                        });
                    });
                });
        });
    });
}

pub(super) fn templates_ui(ui: &mut Ui, view: &SetupView<'_>, commands: &mut Vec<Command>) {
    widgets::card(ui, "Template account", |ui| {
        widgets::hint(
            ui,
            "Evaluation accounts are copied from a template account set up by Tradovate. Choose the default.",
        );
        ui.add_space(4.0);
        let connected = view.connection.is_some_and(|c| c.client.session().is_some());
        let remote = view.connection.map(|c| &c.accounts);
        let empty = "No template accounts yet. Tradovate Eval Support creates them for your firm.";
        if remote_state(ui, connected, remote, "template accounts", empty, commands).is_none() {
            return;
        }
        let Some(connection) = view.connection else { return };
        let templates = connection.templates();
        let selected = view.settings.environment(connection.kind()).template.as_ref().map(|c| c.id);
        ui.push_id("templates", |ui| {
            TableBuilder::new(ui)
                .striped(true)
                .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
                .vscroll(templates.len() > 6)
                .max_scroll_height(table_height(templates.len()))
                .column(Column::auto().at_least(170.0))
                .column(Column::auto().at_least(70.0))
                .column(Column::remainder().at_least(100.0))
                .header(HEADER_HEIGHT, |mut row| {
                    header_cells(&mut row, &["Name", "ID", "Size"]);
                })
                .body(|body| {
                    body.rows(ROW_HEIGHT, templates.len(), |mut row| {
                        let account = templates[row.index()];
                        let is_selected = selected == Some(account.id);
                        row.set_selected(is_selected);
                        row.col(|ui| {
                            if ui.selectable_label(is_selected, &account.name).clicked() && !is_selected {
                                let chosen = Chosen { id: account.id, name: account.name.clone() };
                                commands.push(Command::Choose(Choice::Template, chosen));
                            }
                        });
                        row.col(|ui| {
                            ui.label(account.id.to_string());
                        });
                        row.col(|ui| {
                            ui.label(account.evaluation_size.map(money).unwrap_or_else(|| "unknown".into()));
                        });
                    });
                });
        });
    });
}

pub(super) fn entitlement_ui(ui: &mut Ui, view: &SetupView<'_>, commands: &mut Vec<Command>) {
    widgets::card(ui, "Market-data entitlement", |ui| {
        widgets::hint(
            ui,
            "Granted to each trader once they have signed the market-data agreement (usually \"Tradovate Prop\").",
        );
        ui.add_space(4.0);
        let connected = view.connection.is_some_and(|c| c.client.session().is_some());
        let remote = view.connection.map(|c| &c.entitlements);
        let empty = "No entitlements are offered on this environment.";
        let Some(entitlements) = remote_state(ui, connected, remote, "entitlements", empty, commands) else { return };
        let Some(kind) = view.connection.map(|c| c.kind()) else { return };
        let selected = view.settings.environment(kind).entitlement.clone();
        ui.horizontal(|ui| {
            let label = ui.label("Entitlement");
            let shown = selected.as_ref().map(|c| format!("{} (ID {})", c.name, c.id)).unwrap_or("Choose…".into());
            egui::ComboBox::from_id_salt("entitlement")
                .selected_text(shown)
                .width(320.0)
                .show_ui(ui, |ui| {
                    for e in entitlements {
                        let is_selected = selected.as_ref().is_some_and(|c| c.id == e.id);
                        let mut text = format!("{} (ID {})", entitlement_label(e), e.id);
                        if e.discontinued_date.is_some() {
                            text.push_str(" · discontinued");
                        }
                        if ui.selectable_label(is_selected, text).clicked() && !is_selected {
                            let chosen = Chosen { id: e.id, name: entitlement_label(e) };
                            commands.push(Command::Choose(Choice::Entitlement, chosen));
                        }
                    }
                })
                .response
                .labelled_by(label.id);
        });
    });
}

fn duration_text(duration: i32, units: &str) -> String {
    match (duration, units) {
        (_, "Lifetime") => "Lifetime".into(),
        (0, "") => "—".into(),
        (1, u) => format!("1 {u}"),
        (n, u) => format!("{n} {u}s"),
    }
}

/// `50000.0` → `$50,000`.
pub fn money(amount: f64) -> String {
    let whole = amount.round() as i64;
    let digits = whole.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}${out}", if whole < 0 { "-" } else { "" })
}
