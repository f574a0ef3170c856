//! The risk-rules card next to the template accounts: the chosen template's profile,
//! with plain labels, units, help text, and each rule error beside its field.

use super::SetupView;
use crate::api::EnvironmentKind;
use crate::onboarding::risk::{ProfileField, RiskField, RiskForm, RiskProfile, groups, unit_text};
use crate::ui::command::Command;
use crate::ui::{theme, widgets};
use egui::{RichText, Ui};

/// The editor's text for one template; reloaded when the template or environment changes.
#[derive(Default)]
pub struct RiskEditor {
    editing: Option<(EnvironmentKind, String)>,
    form: RiskForm,
}

const FIELD_WIDTH: f32 = 110.0;

impl RiskEditor {
    pub fn ui(&mut self, ui: &mut Ui, view: &SetupView<'_>, commands: &mut Vec<Command>) {
        let Some(connection) = view.connection.filter(|c| c.client.session().is_some()) else { return };
        let kind = connection.kind();
        let settings = view.settings.environment(kind);
        let Some(template) = settings.template.as_ref() else { return };
        let saved = settings.risk.profiles.get(&template.name).cloned().unwrap_or_default();
        let key = (kind, template.name.clone());
        if self.editing.as_ref() != Some(&key) {
            self.form = RiskForm::from_profile(&saved);
            self.editing = Some(key);
        }
        let (profile, problems) = self.form.check(&saved);
        let title = format!("Risk rules · {}", template.name);
        widgets::card(ui, &title, |ui| {
            widgets::hint(
                ui,
                "Loss limits and drawdown are not part of the template: every account created from it gets these \
                 rules in the same request. A roster column named like a rule (e.g. dailyLossAutoLiq) overrides it \
                 for that trader. Leave a field empty to switch that rule off.",
            );
            ui.add_space(6.0);
            // One grid for every group, so the fields line up down the whole card.
            egui::Grid::new("risk-rules").num_columns(3).spacing([10.0, 6.0]).show(ui, |ui| {
                for (heading, fields) in groups() {
                    // A grid cannot take `add_space`; the heading's own row makes the gap.
                    ui.label(RichText::new(heading).strong().size(15.0));
                    ui.end_row();
                    for field in fields {
                        let problem = problems.iter().find(|p| p.field == field).map(|p| p.message.as_str());
                        let before = self.form.text(field).to_string();
                        self.field_row(ui, field, problem);
                        // The rules were checked before this edit: draw again so the
                        // message beside the field matches what is now typed.
                        if self.form.text(field) != before {
                            ui.ctx().request_repaint();
                        }
                        ui.end_row();
                    }
                }
            });
            ui.add_space(6.0);
            self.buttons_ui(ui, &template.name, &saved, profile, problems.is_empty(), commands);
            if saved.is_empty() {
                ui.add_space(4.0);
                let mut acknowledged = settings.risk.acknowledged(&template.name);
                let text = "The template has no limits, create accounts anyway";
                if ui.checkbox(&mut acknowledged, text).changed() {
                    commands.push(Command::AcknowledgeNoRiskLimits { template: template.name.clone(), acknowledged });
                }
            }
        });
    }

    fn field_row(&mut self, ui: &mut Ui, field: ProfileField, problem: Option<&str>) {
        let label = ui.label(field.label()).on_hover_text(field.help());
        ui.horizontal(|ui| {
            ui.spacing_mut().item_spacing.x = 4.0;
            let text = self.form.text_mut(field);
            match field {
                ProfileField::Post(RiskField::TrailingMaxDrawdownMode) => {
                    let shown = if text.is_empty() { "Off" } else { text.as_str() };
                    egui::ComboBox::from_id_salt("drawdown-mode")
                        .selected_text(shown.to_string())
                        .width(FIELD_WIDTH)
                        .show_ui(ui, |ui| {
                            for (value, name) in [("", "Off"), ("EOD", "EOD"), ("RealTime", "RealTime")] {
                                if ui.selectable_label(text == value, name).clicked() {
                                    *text = value.into();
                                }
                            }
                        })
                        .response
                        .labelled_by(label.id);
                }
                ProfileField::Post(RiskField::DoNotUnlock) => {
                    let mut on = text == "yes";
                    if ui.checkbox(&mut on, "").labelled_by(label.id).changed() {
                        *text = if on { "yes".into() } else { String::new() };
                    }
                }
                _ => {
                    ui.add(egui::TextEdit::singleline(text).hint_text("off").desired_width(FIELD_WIDTH))
                        .labelled_by(label.id);
                }
            }
            ui.label(RichText::new(unit_text(field)).weak());
        });
        match problem {
            Some(message) => {
                ui.add(egui::Label::new(RichText::new(message).color(theme::error_color(ui))).wrap());
            }
            None => {
                ui.add(egui::Label::new(RichText::new(field.help()).weak().small()).wrap());
            }
        }
    }

    fn buttons_ui(
        &mut self,
        ui: &mut Ui,
        template: &str,
        saved: &RiskProfile,
        profile: RiskProfile,
        valid: bool,
        commands: &mut Vec<Command>,
    ) {
        let changed =
            profile.post_trade_risk != saved.post_trade_risk || profile.pre_trade_risk != saved.pre_trade_risk;
        ui.horizontal(|ui| {
            let save = ui
                .add_enabled(valid && changed, super::primary_button("Save risk rules"))
                .on_disabled_hover_text(if valid { "Nothing changed" } else { "Fix the rules marked in red first" });
            if save.clicked() {
                commands.push(Command::SaveRiskProfile { template: template.to_string(), profile: Box::new(profile) });
            }
            if ui.add_enabled(changed, egui::Button::new("Undo changes")).clicked() {
                self.form = RiskForm::from_profile(saved);
            }
            if !saved.is_empty() && !changed {
                ui.label(RichText::new("✔ Saved; every new account gets these rules").color(theme::SUCCESS));
            }
        });
    }
}
