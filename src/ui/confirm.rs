//! The one confirmation every write that bills or cannot be undone goes through: onboard,
//! retry, T-Prop grants (manual, or turning the watch's auto-grant on), revoke, cancel
//! everything, subaccount requests.
//!
//! It names the environment in its colour, how many traders, and what will happen in the
//! firm's words ("3 users will be billed on DEMOFIRM_MONTHLY"). Bulk actions on
//! Production also ask for the word PRODUCTION, so a stray click cannot spend money.
//! The Sandbox asks nothing (except for what cannot be undone, where the caller asks).

use super::{theme, widgets};
use crate::api::EnvironmentKind;
use egui::RichText;

/// What the admin types before a bulk action on Production.
pub const TYPED_WORD: &str = "PRODUCTION";

/// Whether a billed write on this environment must be confirmed first.
pub fn asks_before_billing(kind: EnvironmentKind) -> bool {
    kind != EnvironmentKind::Sandbox
}

/// A write waiting for the admin's yes. `A` is what runs once confirmed.
pub struct Confirmation<A> {
    action: A,
    environment: EnvironmentKind,
    /// The environment instance (journal key) it was asked on: a dialog never outlives
    /// a switch to another environment.
    scope: String,
    title: String,
    /// What will happen, one sentence.
    consequence: String,
    details: Vec<String>,
    confirm_label: String,
    cancel_label: String,
    /// Bulk on Production: the confirm button waits for [`TYPED_WORD`].
    typing: bool,
    typed: String,
}

impl<A> Confirmation<A> {
    /// `count`: how many traders (or requests) it touches; more than one on Production
    /// is a bulk action and needs the typed word.
    pub fn new(action: A, environment: EnvironmentKind, scope: &str, count: usize, title: impl Into<String>) -> Self {
        Self {
            action,
            environment,
            scope: scope.to_string(),
            title: title.into(),
            consequence: String::new(),
            details: Vec::new(),
            confirm_label: "Confirm".into(),
            cancel_label: "Cancel".into(),
            typing: environment == EnvironmentKind::Production && count > 1,
            typed: String::new(),
        }
    }

    pub fn consequence(mut self, text: impl Into<String>) -> Self {
        self.consequence = text.into();
        self
    }

    pub fn detail(mut self, text: impl Into<String>) -> Self {
        self.details.push(text.into());
        self
    }

    pub fn labels(mut self, confirm: impl Into<String>, cancel: impl Into<String>) -> Self {
        self.confirm_label = confirm.into();
        self.cancel_label = cancel.into();
        self
    }

    /// Counts as bulk whatever the count (e.g. auto-grant: every trader who signs later).
    pub fn bulk(mut self) -> Self {
        self.typing = self.environment == EnvironmentKind::Production;
        self
    }

    fn typed_ok(&self) -> bool {
        !self.typing || self.typed.trim() == TYPED_WORD
    }
}

/// Shows the dialog in `slot`, if any. Returns the action once confirmed; cancelling (or
/// a switch to another environment, `scope`) empties the slot and sends nothing.
pub fn show<A>(slot: &mut Option<Confirmation<A>>, ctx: &egui::Context, scope: Option<&str>) -> Option<A> {
    let dialog = slot.as_mut()?;
    if scope != Some(dialog.scope.as_str()) {
        *slot = None;
        return None;
    }
    let mut decided: Option<bool> = None;
    let color = theme::environment_color(dialog.environment);
    let frame = egui::Frame::popup(&ctx.global_style())
        .inner_margin(egui::Margin::same(20))
        .corner_radius(10)
        .stroke(egui::Stroke::new(2.0, color));
    let modal = egui::Modal::new(egui::Id::unique("propdesk_confirmation")).frame(frame).show(ctx, |ui| {
        ui.set_width(460.0_f32.min(ctx.content_rect().width() - 80.0));
        widgets::badge(ui, theme::environment_badge(dialog.environment), color);
        ui.add_space(6.0);
        ui.add(egui::Label::new(RichText::new(&dialog.title).strong().size(17.0)).wrap());
        if !dialog.consequence.is_empty() {
            ui.add_space(4.0);
            ui.add(egui::Label::new(RichText::new(&dialog.consequence).strong()).wrap());
        }
        for line in &dialog.details {
            ui.add(egui::Label::new(RichText::new(line).weak()).wrap());
        }
        if dialog.typing {
            ui.add_space(10.0);
            let label = ui.label(format!("Type {TYPED_WORD} to confirm"));
            ui.add(egui::TextEdit::singleline(&mut dialog.typed).hint_text(TYPED_WORD).desired_width(200.0))
                .labelled_by(label.id);
        }
        ui.add_space(14.0);
        ui.horizontal(|ui| {
            let ready = dialog.typed_ok();
            let button = widgets::filled_button(&dialog.confirm_label, color);
            let response = ui.add_enabled(ready, button);
            let response =
                if ready { response } else { response.on_disabled_hover_text(format!("Type {TYPED_WORD} first")) };
            if response.clicked() {
                decided = Some(true);
            }
            if ui.button(&dialog.cancel_label).clicked() {
                decided = Some(false);
            }
        });
    });
    if modal.should_close() && decided.is_none() {
        decided = Some(false);
    }
    match decided {
        Some(true) => slot.take().map(|d| d.action),
        Some(false) => {
            *slot = None;
            None
        }
        None => None,
    }
}

/// "1 trader", "3 traders".
pub fn traders(count: usize) -> String {
    if count == 1 { "1 trader".to_string() } else { format!("{count} traders") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bulk_actions_on_production_ask_for_the_word() {
        let one = Confirmation::new((), EnvironmentKind::Production, "production", 1, "t");
        assert!(!one.typing);
        let many = Confirmation::new((), EnvironmentKind::Production, "production", 3, "t");
        assert!(many.typing && !many.typed_ok());
        let staging = Confirmation::new((), EnvironmentKind::Staging, "staging", 3, "t").bulk();
        assert!(!staging.typing, "Staging shows the dialog without the typing");
        assert!(Confirmation::new((), EnvironmentKind::Production, "p", 0, "t").bulk().typing);
        assert!(!asks_before_billing(EnvironmentKind::Sandbox));
        assert!(asks_before_billing(EnvironmentKind::Custom));
    }
}
