//! Subaccounts: the partner subaccount request wizard and the request list.

use super::{ScreenContext, ScreenContextMut};
use crate::ui::command::Command;
use crate::ui::widgets;

/// What this screen asks the app to do after drawing (applied by [`SubaccountsScreen::apply`]).
#[derive(Clone, Debug)]
pub enum SubaccountsCommand {}

#[derive(Default)]
pub struct SubaccountsScreen {}

impl SubaccountsScreen {
    pub fn ui(&mut self, ui: &mut egui::Ui, _ctx: &ScreenContext<'_>, _commands: &mut Vec<Command>) {
        widgets::screen_header(ui, "Subaccounts", "Graduate traders to funded live subaccounts.");
        widgets::empty_state(
            ui,
            "🏦",
            "No subaccount requests yet",
            "Request a funded live subaccount for a trader who passed: the form checks every rule, takes the three documents and follows the request until it is decided.",
        );
        widgets::coming_soon(ui);
    }

    /// Applies a command after drawing.
    pub fn apply(&mut self, command: SubaccountsCommand, _ctx: &mut ScreenContextMut<'_>) {
        match command {}
    }

    /// Called every frame before drawing: poll background work.
    pub fn tick(&mut self, _ctx: &mut ScreenContextMut<'_>) {}
}
