//! The navigation column: the job's screens in order, and the theme switch.

use super::command::{Command, Screen};
use super::updates::Updates;
use crate::store::ThemeChoice;
use egui::{RichText, Ui};

pub fn ui(ui: &mut Ui, current: Screen, theme: ThemeChoice, updates: &Updates, commands: &mut Vec<Command>) {
    ui.add_space(10.0);
    for screen in Screen::ALL {
        let text = RichText::new(format!("{}   {}", screen.icon(), screen.label())).size(15.0);
        let button = egui::Button::selectable(current == screen, text).min_size(egui::vec2(ui.available_width(), 34.0));
        if ui.add(button).clicked() && current != screen {
            commands.push(Command::Navigate(screen));
        }
    }
    ui.with_layout(egui::Layout::bottom_up(egui::Align::Min), |ui| {
        ui.add_space(10.0);
        super::help::Help::menu_ui(ui, updates, commands);
        ui.add_space(4.0);
        ui.label(RichText::new(concat!("Propdesk ", env!("CARGO_PKG_VERSION"))).weak().small());
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            for (choice, label) in
                [(ThemeChoice::System, "System"), (ThemeChoice::Light, "Light"), (ThemeChoice::Dark, "Dark")]
            {
                if ui.selectable_label(theme == choice, label).clicked() && theme != choice {
                    commands.push(Command::SetTheme(choice));
                }
            }
        });
        ui.label(RichText::new("Appearance").weak().small());
        ui.separator();
    });
}
