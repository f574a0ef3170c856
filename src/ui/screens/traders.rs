//! Traders: the firm's roster (filled by the roster work).

use crate::ui::widgets;

pub fn ui(ui: &mut egui::Ui) {
    widgets::screen_header(ui, "Traders", "Your firm's roster: who will be onboarded.");
    widgets::empty_state(
        ui,
        "👥",
        "No traders yet",
        "This is where your roster will live: import a spreadsheet of traders, check every row before \
         anything is sent, and see who is ready to onboard.",
    );
    widgets::coming_soon(ui);
}
