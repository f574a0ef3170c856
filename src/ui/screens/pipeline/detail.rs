//! One trader in detail: ids, each stage with its time, and the full journal history.

use super::rows::BoardRow;
use crate::onboarding::journal::HistoryEntry;
use crate::ui::remote::Remote;
use crate::ui::widgets;
use chrono::{DateTime, Local, Utc};
use egui::{RichText, Ui};

/// Draws the detail view; true when the user closed it.
pub fn ui(ui: &mut Ui, row: Option<&BoardRow>, history: &Remote<Vec<HistoryEntry>>) -> bool {
    let mut close = false;
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new(row.map(|r| r.trader.name.as_str()).unwrap_or("Trader")).strong().size(17.0));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("✖").on_hover_text("Close the details").clicked() {
                close = true;
            }
        });
    });
    let Some(row) = row else {
        widgets::hint(ui, "This trader is no longer in the journal.");
        return close;
    };
    let t = &row.trader;
    ui.horizontal(|ui| {
        widgets::badge(
            ui,
            row.stage.map(|s| s.label()).unwrap_or("Not created"),
            crate::ui::theme::stage_color(row.stage),
        );
        ui.label(RichText::new(row.waiting_text()).weak());
    });
    if let Some(error) = &t.last_error {
        ui.label(
            RichText::new(format!("{}: {error}", t.error_stage.as_deref().unwrap_or("Error")))
                .color(ui.visuals().error_fg_color),
        );
    }
    ui.add_space(8.0);
    egui::ScrollArea::vertical().auto_shrink(false).show(ui, |ui| {
        widgets::card(ui, "Identifiers", |ui| {
            egui::Grid::new("detail_ids").num_columns(2).spacing([12.0, 4.0]).show(ui, |ui| {
                let id = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_else(|| "—".into());
                for (label, value) in [
                    ("Email", t.email.clone()),
                    ("Account", t.account_name.clone()),
                    ("User id", id(t.user_id)),
                    ("Account id", id(t.account_id)),
                    ("Trading permission id", id(t.trading_permission_id)),
                ] {
                    ui.label(RichText::new(label).weak());
                    ui.label(value);
                    ui.end_row();
                }
            });
        });
        ui.add_space(8.0);
        widgets::card(ui, "Stages", |ui| {
            egui::Grid::new("detail_stages").num_columns(2).spacing([12.0, 4.0]).show(ui, |ui| {
                let reached = |done: bool| if done { "reached" } else { "—" }.to_string();
                let stages: [(&str, String); 7] = [
                    ("User created", reached(t.user_id.is_some())),
                    ("Contact info", reached(t.contact_done)),
                    ("Account", reached(t.account_id.is_some())),
                    ("Agreement signed", when(t.agreement_signed_at)),
                    ("T-Prop granted", when(t.entitled_at)),
                    ("Revoked", when(t.revoked_at)),
                    ("Cancelled", when(t.cancelled_at)),
                ];
                for (label, value) in stages {
                    ui.label(RichText::new(label).weak());
                    ui.label(value);
                    ui.end_row();
                }
            });
        });
        ui.add_space(8.0);
        widgets::card(ui, "History", |ui| {
            if let Some(problem) = history.error() {
                widgets::error_label(ui, problem);
            }
            match history.value() {
                None => {
                    ui.spinner();
                }
                Some(entries) if entries.is_empty() => widgets::hint(ui, "Nothing recorded yet."),
                Some(entries) => {
                    egui::Grid::new("detail_history").num_columns(2).spacing([12.0, 4.0]).striped(true).show(
                        ui,
                        |ui| {
                            for entry in entries {
                                ui.label(
                                    RichText::new(
                                        entry.at.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S").to_string(),
                                    )
                                    .monospace()
                                    .weak(),
                                );
                                let line = format!("{} by {} on {}", entry.what, entry.by.user, entry.by.host);
                                ui.add(egui::Label::new(line).wrap());
                                ui.end_row();
                            }
                        },
                    );
                }
            }
        });
    });
    close
}

fn when(at: Option<DateTime<Utc>>) -> String {
    at.map(|at| at.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_else(|| "—".into())
}
