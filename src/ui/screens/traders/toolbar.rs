//! The row of actions above the grid: import, paste, add/delete, generate, export,
//! filter; the paste box, the import report and the credentials warning.

use super::{ShownReport, TradersCommand, TradersScreen};
use crate::onboarding::check_prefix;
use crate::ui::problem::Problem;
use crate::ui::{theme, widgets};
use egui::RichText;

pub fn toolbar_ui(screen: &mut TradersScreen, ui: &mut egui::Ui, commands: &mut Vec<TradersCommand>) {
    let locked = screen.run.is_running();
    ui.horizontal_wrapped(|ui| {
        ui.add_enabled_ui(!locked, |ui| {
            let import = if screen.importing { "⏳ Importing…" } else { "📂 Import file…" };
            if ui
                .add_enabled(!screen.importing, egui::Button::new(import))
                .on_hover_text("Add the rows of a CSV or Excel (.xlsx) file; columns are named after the API fields")
                .clicked()
            {
                commands.push(TradersCommand::ImportFile);
            }
            if ui
                .selectable_label(screen.paste_open, "📋 Paste from spreadsheet")
                .on_hover_text("Paste rows copied from Excel or Google Sheets (Ctrl+V on the grid works too)")
                .clicked()
            {
                screen.paste_open = !screen.paste_open;
            }
            if ui.button("➕ Add row").clicked() {
                commands.push(TradersCommand::AddRow);
            }
            let selected = screen.selected.len();
            if ui
                .add_enabled(selected > 0, egui::Button::new(format!("🗑 Delete {selected} selected")))
                .on_disabled_hover_text("Select rows first (click, Ctrl+click to add)")
                .clicked()
            {
                commands.push(TradersCommand::DeleteRows(screen.selected.iter().copied().collect()));
            }
            ui.separator();
            ui.menu_button("✨ Generate", |ui| {
                if ui
                    .button("Passwords for empty cells")
                    .on_hover_text("Strong random passwords; existing ones are kept")
                    .clicked()
                {
                    commands.push(TradersCommand::GeneratePasswords);
                    ui.close();
                }
                ui.separator();
                ui.label(RichText::new("Account names for empty cells").strong());
                let label = ui.label("Prefix");
                ui.add(egui::TextEdit::singleline(&mut screen.prefix).hint_text("e.g. DEMOFIRM").desired_width(160.0))
                    .labelled_by(label.id);
                let check = check_prefix(screen.prefix.trim());
                if let Err(error) = &check
                    && !screen.prefix.is_empty()
                {
                    widgets::error_label(ui, &Problem::simple(error.to_string()));
                }
                if ui.add_enabled(check.is_ok(), egui::Button::new("Generate account names")).clicked() {
                    commands.push(TradersCommand::GenerateAccountNames(screen.prefix.clone()));
                    ui.close();
                }
            });
        });
        ui.menu_button("⬇ Export", |ui| {
            if ui
                .button("Roster CSV…")
                .on_hover_text("Every column except passwords' plain text stays as typed")
                .clicked()
            {
                commands.push(TradersCommand::ExportRoster);
                ui.close();
            }
            if ui.button("Results CSV…").clicked() {
                commands.push(TradersCommand::ExportResults);
                ui.close();
            }
            ui.separator();
            if ui.button(RichText::new("⚠ Credentials hand-out…").color(theme::WARNING)).clicked() {
                screen.confirm_credentials = true;
                ui.close();
            }
        });
        // The filter needs its own line when the buttons left too little room (it used
        // to be drawn over "Export" on small screens).
        if ui.available_size_before_wrap().x < 220.0 {
            ui.end_row();
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let before = screen.filter.clone();
            let width = (ui.available_size_before_wrap().x - 80.0).clamp(140.0, 200.0);
            let field = ui.add(
                egui::TextEdit::singleline(&mut screen.filter).hint_text("Name, email, city…").desired_width(width),
            );
            let label = ui.label("🔍 Filter");
            field.labelled_by(label.id);
            if screen.filter != before {
                screen.refilter();
            }
        });
    });
    ui.add_space(6.0);
}

pub fn paste_ui(screen: &mut TradersScreen, ui: &mut egui::Ui, commands: &mut Vec<TradersCommand>) {
    widgets::card(ui, "Paste from spreadsheet", |ui| {
        widgets::hint(
            ui,
            "Copy cells in Excel or Google Sheets (with the header row if you have one) and paste them here. \
             Columns are matched by name, or taken in the roster's order when there is no header.",
        );
        let label = ui.label("Rows copied from a spreadsheet");
        ui.add(
            egui::TextEdit::multiline(&mut screen.paste_text)
                .desired_rows(5)
                .desired_width(f32::INFINITY)
                .code_editor()
                .hint_text("name\temail\tfirstName\t…"),
        )
        .labelled_by(label.id);
        ui.horizontal(|ui| {
            if ui.add_enabled(!screen.paste_text.trim().is_empty(), egui::Button::new("Add rows")).clicked() {
                commands.push(TradersCommand::Paste(screen.paste_text.clone()));
            }
            if ui.button("Close").clicked() {
                screen.paste_open = false;
            }
        });
    });
    ui.add_space(6.0);
}

pub fn report_ui(ui: &mut egui::Ui, shown: &ShownReport, commands: &mut Vec<TradersCommand>) {
    let report = &shown.report;
    widgets::card(ui, "", |ui| {
        ui.horizontal(|ui| {
            widgets::status_dot(ui, theme::SUCCESS, true);
            ui.label(RichText::new(format!("Imported {} rows from {}", report.rows_added(), shown.source)).strong());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.small_button("🗙").on_hover_text("Dismiss").clicked() {
                    commands.push(TradersCommand::DismissReport);
                }
            });
        });
        if !report.unknown_columns.is_empty() {
            ui.label(
                RichText::new(format!("Ignored columns (not API fields): {}", report.unknown_columns.join(", ")))
                    .color(theme::WARNING),
            );
        }
        if !report.missing_columns.is_empty() {
            let names: Vec<&str> = report.missing_columns.iter().map(|f| f.header()).collect();
            ui.label(
                RichText::new(format!("Missing columns (fill them in below): {}", names.join(", ")))
                    .color(theme::WARNING),
            );
        }
        for warning in report.warnings.iter().take(5) {
            ui.label(RichText::new(format!("• {warning}")).weak());
        }
        if report.warnings.len() > 5 {
            ui.label(RichText::new(format!("… and {} more notes", report.warnings.len() - 5)).weak());
        }
    });
    ui.add_space(6.0);
}

pub fn credentials_modal_ui(screen: &mut TradersScreen, ui: &mut egui::Ui, commands: &mut Vec<TradersCommand>) {
    if !screen.confirm_credentials {
        return;
    }
    let modal = egui::Modal::new(egui::Id::unique("traders_credentials_warning")).show(ui.ctx(), |ui| {
        ui.set_width(420.0);
        ui.label(RichText::new("⚠ Export passwords in plain text?").strong().size(16.0));
        ui.add_space(6.0);
        ui.add(
            egui::Label::new(
                "The file lists every trader's user name and password, readable by anyone who opens it. \
                 Empty passwords are generated first. Send each trader only their own line, and delete \
                 the file when you are done.",
            )
            .wrap(),
        );
        ui.add_space(10.0);
        ui.horizontal(|ui| {
            if ui.button(RichText::new("Export credentials…").color(theme::WARNING)).clicked() {
                commands.push(TradersCommand::ExportCredentials);
            }
            if ui.button("Cancel").clicked() {
                screen.confirm_credentials = false;
            }
        });
    });
    if modal.should_close() {
        screen.confirm_credentials = false;
    }
}

/// Ctrl+V with no text field focused pastes rows into the roster.
pub fn paste_shortcut(screen: &TradersScreen, ui: &mut egui::Ui, commands: &mut Vec<TradersCommand>) {
    if screen.run.is_running() || ui.ctx().memory(|m| m.focused().is_some()) {
        return;
    }
    let pasted = ui.input(|i| {
        i.events.iter().find_map(|e| match e {
            egui::Event::Paste(text) if !text.trim().is_empty() => Some(text.clone()),
            _ => None,
        })
    });
    if let Some(text) = pasted {
        commands.push(TradersCommand::Paste(text));
    }
}
