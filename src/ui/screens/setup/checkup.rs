//! "Check connection": the doctor's read-only probes run in the background against the
//! signed-in environment, and their report, probe by probe, under the Connection card.

use crate::doctor::{Report, Verdict};
use crate::ui::command::Command;
use crate::ui::connection::Connection;
use crate::ui::remote::Remote;
use crate::ui::{theme, widgets};
use egui::{RichText, Ui};

pub fn checkup_ui(ui: &mut Ui, connection: &Connection, commands: &mut Vec<Command>) {
    let checking = connection.checkup.is_pending();
    ui.horizontal(|ui| {
        let button = ui
            .add_enabled(!checking, egui::Button::new("Check connection"))
            .on_hover_text("Ask the server, read-only, about every point our documents leave unconfirmed");
        if button.clicked() {
            commands.push(Command::CheckConnection);
        }
        if checking {
            ui.spinner();
            ui.label("Checking…");
        }
    });
    match &connection.checkup {
        Remote::Ready(report) => report_ui(ui, report),
        Remote::Failed { error, .. } => {
            widgets::error_label(ui, error);
        }
        Remote::Pending { previous: Some(report), .. } => report_ui(ui, report),
        Remote::Pending { .. } | Remote::NotRequested => {}
    }
}

fn report_ui(ui: &mut Ui, report: &Report) {
    ui.add_space(4.0);
    let color = if report.all_confirmed() { theme::SUCCESS } else { theme::error_color(ui) };
    ui.label(RichText::new(report.summary()).color(color).strong());
    for finding in &report.findings {
        let (mark, color) = match finding.verdict {
            Verdict::Confirmed => ("✔", theme::SUCCESS),
            Verdict::Differs => ("⚠", theme::error_color(ui)),
            Verdict::NotChecked => ("–", ui.visuals().weak_text_color()),
        };
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(mark).color(color).strong());
            ui.label(finding.probe.title());
            if finding.verdict != Verdict::Confirmed {
                ui.label(RichText::new(finding.verdict.label()).color(color).strong());
            }
        })
        .response
        .on_hover_text(&finding.detail);
        if finding.verdict != Verdict::Confirmed {
            ui.add(egui::Label::new(RichText::new(&finding.detail).weak().size(12.0)).wrap());
        }
    }
}
