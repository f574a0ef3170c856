//! The risk-rules card next to the template accounts: the chosen template's profile,
//! with plain labels, units, help text, and each rule error beside its field. Import…
//! and Export… read and write the same profile file as `propdesk risk import|export`.

use super::SetupView;
use crate::api::EnvironmentKind;
use crate::onboarding::risk::{
    ProfileField, RiskField, RiskForm, RiskProfile, groups, read_profile_file, unit_text, write_profile_file,
};
use crate::ui::bridge::Bridge;
use crate::ui::command::Command;
use crate::ui::open_dialog::{self, OpenDialog};
use crate::ui::problem::Problem;
use crate::ui::remote::Remote;
use crate::ui::save_dialog::{self, SaveDialog};
use crate::ui::{theme, widgets};
use egui::{RichText, Ui};
use std::path::PathBuf;

/// The profile file dialogs of the editor (tests answer fixed paths).
#[derive(Clone)]
pub struct RiskFileDialogs {
    pub open: OpenDialog,
    pub save: SaveDialog,
}

impl RiskFileDialogs {
    pub fn native() -> Self {
        Self { open: open_dialog::native_risk_profile(), save: save_dialog::native_risk_profile() }
    }
}

/// What an Import… or Export… ended with.
enum FileDone {
    Cancelled,
    /// Read and checked; loaded into the form of the template it was asked for.
    Imported {
        key: (EnvironmentKind, String),
        file: String,
        profile: Box<RiskProfile>,
    },
    Exported(PathBuf),
}

/// The editor's text for one template; reloaded when the template or environment changes.
pub struct RiskEditor {
    editing: Option<(EnvironmentKind, String)>,
    form: RiskForm,
    dialogs: RiskFileDialogs,
    /// The running or last import/export (files are read and written off the UI thread).
    file: Remote<FileDone>,
    /// Beside the buttons: what the last import/export did, or why the file was refused.
    file_note: Option<Result<String, Problem>>,
}

const FIELD_WIDTH: f32 = 110.0;

impl RiskEditor {
    pub fn new(dialogs: RiskFileDialogs) -> Self {
        Self { editing: None, form: RiskForm::default(), dialogs, file: Remote::NotRequested, file_note: None }
    }

    pub fn ui(&mut self, ui: &mut Ui, view: &SetupView<'_>, commands: &mut Vec<Command>) {
        let Some(connection) = view.connection.filter(|c| c.client.session().is_some()) else { return };
        let kind = connection.kind();
        let settings = view.settings.environment(kind);
        let Some(template) = settings.template.as_ref() else { return };
        let saved = settings.risk.profiles.get(&template.name).cloned().unwrap_or_default();
        let key = (kind, template.name.clone());
        if self.editing.as_ref() != Some(&key) {
            self.form = RiskForm::from_profile(&saved);
            self.file_note = None;
            self.editing = Some(key.clone());
        }
        self.poll_file(&key);
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
            self.files_ui(ui, view.bridge, &key, &saved);
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

    /// Import… and Export…, with what the last one did beside them.
    fn files_ui(&mut self, ui: &mut Ui, bridge: &Bridge, key: &(EnvironmentKind, String), saved: &RiskProfile) {
        ui.horizontal(|ui| {
            let idle = !self.file.is_pending();
            let import = ui
                .add_enabled(idle, egui::Button::new("Import…"))
                .on_hover_text("Load a profile file (JSON, as `propdesk risk export` writes); review it, then save");
            if import.clicked() {
                self.import(bridge, key.clone());
            }
            let export = ui
                .add_enabled(idle && !saved.is_empty(), egui::Button::new("Export…"))
                .on_hover_text("Write the saved rules to a file, e.g. to keep them in version control")
                .on_disabled_hover_text("Save risk rules first: Export writes the saved rules");
            if export.clicked() {
                self.export(bridge, saved.clone());
            }
            if !idle {
                ui.spinner();
            }
        });
        match &self.file_note {
            Some(Ok(note)) => {
                ui.add(egui::Label::new(RichText::new(note).weak()).wrap());
            }
            Some(Err(problem)) => {
                widgets::error_label(ui, problem);
            }
            None => {}
        }
    }

    fn import(&mut self, bridge: &Bridge, key: (EnvironmentKind, String)) {
        let dialog = self.dialogs.open.clone();
        self.file.request(bridge, async move {
            let path = match dialog().await {
                Ok(Some(path)) => path,
                Ok(None) => return Ok(FileDone::Cancelled),
                Err(message) => return Err(Problem::simple(message)),
            };
            let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let read = tokio::task::spawn_blocking(move || read_profile_file(&path))
                .await
                .map_err(|e| Problem::new("Reading the risk profile stopped unexpectedly", e.to_string()))?;
            let profile = read.map_err(|e| Problem::simple(e.to_string()))?;
            Ok(FileDone::Imported { key, file, profile: Box::new(profile) })
        });
    }

    fn export(&mut self, bridge: &Bridge, profile: RiskProfile) {
        let dialog = self.dialogs.save.clone();
        let suggested = format!("{}-risk-profile.json", profile.template);
        self.file.request(bridge, async move {
            let Some(path) = dialog(suggested).await else { return Ok(FileDone::Cancelled) };
            let written = tokio::task::spawn_blocking(move || write_profile_file(&path, &profile).map(|()| path))
                .await
                .map_err(|e| Problem::new("Writing the risk profile stopped unexpectedly", e.to_string()))?;
            written.map(FileDone::Exported).map_err(|e| Problem::simple(e.to_string()))
        });
    }

    /// Applies a finished import/export: an imported profile fills the form (unsaved,
    /// so it is reviewed before it counts); a refused file leaves the form as it was.
    fn poll_file(&mut self, key: &(EnvironmentKind, String)) {
        if !self.file.poll() {
            return;
        }
        match std::mem::take(&mut self.file) {
            Remote::Ready(FileDone::Cancelled) => {}
            Remote::Ready(FileDone::Imported { key: asked, file, profile }) if &asked == key => {
                self.form = RiskForm::from_profile(&profile);
                self.file_note = Some(Ok(format!("Loaded {file}: check the rules, then Save risk rules")));
            }
            Remote::Ready(FileDone::Imported { .. }) => {
                self.file_note = None;
            }
            Remote::Ready(FileDone::Exported(path)) => {
                self.file_note = Some(Ok(format!("Exported the saved rules to {}", path.display())));
            }
            Remote::Failed { error, .. } => self.file_note = Some(Err(error)),
            Remote::NotRequested | Remote::Pending { .. } => {}
        }
    }
}
