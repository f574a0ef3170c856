//! Traders: the firm's roster.

use super::{ScreenContext, ScreenContextMut};
use crate::ui::command::Command;
use crate::ui::widgets;

/// What this screen asks the app to do after drawing (applied by [`TradersScreen::apply`]).
#[derive(Clone, Debug)]
pub enum TradersCommand {}

#[derive(Default)]
pub struct TradersScreen {}

impl TradersScreen {
    pub fn ui(&mut self, ui: &mut egui::Ui, _ctx: &ScreenContext<'_>, _commands: &mut Vec<Command>) {
        widgets::screen_header(ui, "Traders", "Your firm's roster: who will be onboarded.");
        widgets::empty_state(
            ui,
            "👥",
            "No traders yet",
            "This is where your roster will live: import a spreadsheet of traders, check every row before anything is sent, and see who is ready to onboard.",
        );
        widgets::coming_soon(ui);
    }

    /// Applies a command after drawing.
    pub fn apply(&mut self, command: TradersCommand, _ctx: &mut ScreenContextMut<'_>) {
        match command {}
    }

    /// Called every frame before drawing: poll background work.
    pub fn tick(&mut self, _ctx: &mut ScreenContextMut<'_>) {}
}
