//! Pipeline: every trader's stage on one board.

use super::{ScreenContext, ScreenContextMut};
use crate::ui::command::Command;
use crate::ui::widgets;

/// What this screen asks the app to do after drawing (applied by [`PipelineScreen::apply`]).
#[derive(Clone, Debug)]
pub enum PipelineCommand {}

#[derive(Default)]
pub struct PipelineScreen {}

impl PipelineScreen {
    pub fn ui(&mut self, ui: &mut egui::Ui, _ctx: &ScreenContext<'_>, _commands: &mut Vec<Command>) {
        widgets::screen_header(ui, "Pipeline", "Every trader from user to T-Prop, on one board.");
        widgets::empty_state(
            ui,
            "⏩",
            "Nothing onboarded yet",
            "Once traders are onboarded, this board shows each one moving from user to account to signed agreement to T-Prop.",
        );
        widgets::coming_soon(ui);
    }

    /// Applies a command after drawing.
    pub fn apply(&mut self, command: PipelineCommand, _ctx: &mut ScreenContextMut<'_>) {
        match command {}
    }

    /// Called every frame before drawing: poll background work.
    pub fn tick(&mut self, _ctx: &mut ScreenContextMut<'_>) {}
}
