//! Subaccounts: demo-to-live graduation requests (filled by the subaccount work).

use crate::ui::widgets;

pub fn ui(ui: &mut egui::Ui) {
    widgets::screen_header(ui, "Subaccounts", "Graduating traders from evaluation to funded accounts.");
    widgets::empty_state(
        ui,
        "🏦",
        "No subaccount requests",
        "Traders who pass their evaluation graduate to a funded account. Their subaccount requests, \
         documents and review status will appear here.",
    );
    widgets::coming_soon(ui);
}
