//! Pipeline: each trader's progress through onboarding (filled by the pipeline work).

use crate::ui::widgets;

pub fn ui(ui: &mut egui::Ui) {
    widgets::screen_header(ui, "Pipeline", "Where every trader stands in onboarding.");
    widgets::empty_state(
        ui,
        "⏩",
        "Nothing in the pipeline",
        "Once traders are imported, you will follow each one here: user created, contact info, \
         evaluation account, market-data agreement signed, entitlement granted.",
    );
    widgets::coming_soon(ui);
}
