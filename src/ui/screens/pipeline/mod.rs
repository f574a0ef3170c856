//! Pipeline: every trader's stage on one board, live as signatures arrive.
//!
//! The rows come from the journal, read on the blocking pool whenever the workspace's
//! change counter moves (the previous rows stay visible meanwhile). The live line, the
//! counts bar with its filter chips, the table and the detail view only read state;
//! grants and offboarding are commands applied after drawing.

mod board;
mod detail;
mod rows;

use super::{ScreenContext, ScreenContextMut};
use crate::onboarding::agreements::CHECK_NOW_INTERVAL;
use crate::onboarding::board::BoardStage;
use crate::onboarding::journal::{HistoryEntry, JournaledTrader};
use crate::onboarding::offboarding::{self, OffboardOutcome, Offboarding};
use crate::ui::command::{Command, Screen};
use crate::ui::problem::Problem;
use crate::ui::remote::Remote;
use crate::ui::widgets;
use rows::BoardRow;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

/// What this screen asks the app to do after drawing (applied by [`PipelineScreen::apply`]).
#[derive(Clone, Debug)]
pub enum PipelineCommand {
    /// One catch-up call now (the watch refuses more than one per 30 s).
    CheckNow,
    SetAutoGrant(bool),
    /// Grant T-Prop now to these traders.
    Grant(Vec<String>),
    /// Revoke or cancel these traders (confirmed in the dialog).
    Offboard(Offboarding, Vec<String>),
}

#[derive(Default)]
pub struct PipelineScreen {
    rows: Remote<Vec<BoardRow>>,
    /// Which journal (by address) and which change count `rows` was requested for.
    loaded: Option<(usize, u64)>,
    filter: Option<BoardStage>,
    search: String,
    selected: BTreeSet<String>,
    /// The trader shown in the detail view, with its history.
    detail: Option<String>,
    history: Remote<Vec<HistoryEntry>>,
    history_loaded: Option<(String, u64)>,
    /// An offboarding waiting for confirmation.
    confirm: Option<(Offboarding, Vec<String>)>,
    offboarding: Remote<(Offboarding, Vec<(String, OffboardOutcome)>)>,
    /// When "Check now" was last pressed.
    last_check: Option<Instant>,
}

impl PipelineScreen {
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &ScreenContext<'_>, commands: &mut Vec<Command>) {
        widgets::screen_header(ui, "Pipeline", "Every trader from user to T-Prop, on one board, live.");
        let Some(connection) = ctx.connection else {
            widgets::empty_state(
                ui,
                "⏩",
                "Not signed in",
                "Sign in on the Setup screen; this board then shows every trader's stage, live as they sign.",
            );
            ui.vertical_centered(|ui| {
                if ui.link("Go to Setup").clicked() {
                    commands.push(Command::Navigate(Screen::Setup));
                }
            });
            return;
        };
        if let Some(problem) = &connection.workspace_problem {
            widgets::error_label(ui, problem);
            return;
        }
        let Some(workspace) = &connection.workspace else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Opening the onboarding journal…");
            });
            return;
        };
        let settings = ctx.settings.environment(connection.kind());
        let check_wait = self.check_wait(workspace.next_check_at);
        board::live_line_ui(ui, workspace, settings, check_wait, commands);
        ui.add_space(8.0);

        if let Some(problem) = self.rows.error() {
            widgets::error_label(ui, problem);
        }
        let Some(rows) = self.rows.value() else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Reading the journal…");
            });
            return;
        };
        if rows.is_empty() {
            widgets::empty_state(
                ui,
                "⏩",
                "Nobody onboarded yet",
                "Once traders are onboarded on the Traders screen, this board shows each one moving from user to \
                 contact info to account, then to signed agreement and T-Prop, live as they sign.",
            );
            ui.vertical_centered(|ui| {
                if ui.link("Go to Traders").clicked() {
                    commands.push(Command::Navigate(Screen::Traders));
                }
            });
            return;
        }

        if let Some(name) = self.detail.clone() {
            let trader = rows.iter().find(|r| r.trader.name == name);
            let mut close = false;
            egui::Panel::right("pipeline_detail").resizable(true).default_size(360.0).show(ui, |ui| {
                close = detail::ui(ui, trader, &self.history);
            });
            if close {
                self.detail = None;
            }
        }

        let busy = self.offboarding.is_pending();
        let view = board::BoardView { rows, busy };
        let action = board::ui(ui, &view, &mut self.filter, &mut self.search, &mut self.selected, &mut self.detail);
        match action {
            Some(board::Action::Grant(names)) => commands.push(Command::Pipeline(PipelineCommand::Grant(names))),
            Some(board::Action::Ask(kind, names)) => self.confirm = Some((kind, names)),
            None => {}
        }
        self.confirm_ui(ui, commands);
    }

    /// Seconds until "Check now" may fire again, if it may not yet.
    fn check_wait(&self, refused_until: Option<Instant>) -> Option<u64> {
        let now = Instant::now();
        let ours = self.last_check.map(|at| at + CHECK_NOW_INTERVAL);
        let until = ours.into_iter().chain(refused_until).max()?;
        (until > now).then(|| (until - now).as_secs_f32().ceil() as u64)
    }

    fn confirm_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        let Some((kind, names)) = &self.confirm else { return };
        let (title, button) = match kind {
            Offboarding::Revoke => ("Revoke trading permissions?", "Yes, revoke"),
            Offboarding::Cancel => ("Cancel everything?", "Yes, cancel everything"),
        };
        let mut decided: Option<bool> = None;
        let frame = egui::Frame::popup(ui.style()).inner_margin(egui::Margin::same(20)).corner_radius(10);
        let modal = egui::Modal::new(egui::Id::unique("pipeline_confirm")).frame(frame).show(ui.ctx(), |ui| {
            ui.set_width(440.0);
            ui.label(egui::RichText::new(title).strong().size(17.0));
            ui.add_space(6.0);
            ui.add(egui::Label::new(offboarding::describe(*kind, names.len())).wrap());
            ui.add_space(4.0);
            let shown: Vec<&str> = names.iter().take(6).map(String::as_str).collect();
            let more = names.len().saturating_sub(shown.len());
            let list = if more > 0 { format!("{} and {more} more", shown.join(", ")) } else { shown.join(", ") };
            widgets::hint(ui, &list);
            ui.add_space(14.0);
            ui.horizontal(|ui| {
                let danger = egui::Button::new(egui::RichText::new(button).color(egui::Color32::WHITE))
                    .fill(ui.visuals().error_fg_color);
                if ui.add(danger).clicked() {
                    decided = Some(true);
                }
                if ui.button("Keep them").clicked() {
                    decided = Some(false);
                }
            });
        });
        if modal.should_close() && decided.is_none() {
            decided = Some(false);
        }
        match decided {
            Some(true) => {
                let (kind, names) = self.confirm.take().expect("confirm shown");
                commands.push(Command::Pipeline(PipelineCommand::Offboard(kind, names)));
            }
            Some(false) => self.confirm = None,
            None => {}
        }
    }

    /// Applies a command after drawing.
    pub fn apply(&mut self, command: PipelineCommand, ctx: &mut ScreenContextMut<'_>) {
        let Some(connection) = ctx.connection.as_deref_mut() else { return };
        let kind = connection.kind();
        let client = connection.client.clone();
        let Some(workspace) = connection.workspace.as_mut() else { return };
        match command {
            PipelineCommand::CheckNow => {
                if self.check_wait(workspace.next_check_at).is_none() {
                    self.last_check = Some(Instant::now());
                    workspace.check_now();
                }
            }
            PipelineCommand::SetAutoGrant(on) => {
                ctx.settings.environment_mut(kind).auto_grant = on;
                *ctx.settings_dirty = true;
                workspace.set_auto_grant(on);
            }
            PipelineCommand::Grant(names) => {
                let count = names.len();
                workspace.grant(names);
                let traders = if count == 1 { "1 trader".to_string() } else { format!("{count} traders") };
                ctx.toasts.info(format!("Granting T-Prop to {traders}…"));
            }
            PipelineCommand::Offboard(what, names) => {
                if self.offboarding.is_pending() {
                    ctx.toasts.error(&Problem::simple("An offboarding is still running; try again when it ends."));
                    return;
                }
                let traders: Vec<JournaledTrader> = self
                    .rows
                    .value()
                    .map(|rows| {
                        rows.iter().filter(|r| names.contains(&r.trader.name)).map(|r| r.trader.clone()).collect()
                    })
                    .unwrap_or_default();
                let journal = workspace.journal.clone();
                let changes = workspace.change_counter();
                self.offboarding.request(ctx.bridge, async move {
                    let result = match what {
                        Offboarding::Revoke => offboarding::revoke(&client, &journal, &traders).await,
                        Offboarding::Cancel => offboarding::cancel(&client, &journal, &traders).await,
                    };
                    changes.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let doing = match what {
                        Offboarding::Revoke => "Revoking trading permissions",
                        Offboarding::Cancel => "Cancelling everything",
                    };
                    result.map(|outcomes| (what, outcomes)).map_err(|e| Problem::new(doing, e.to_string()))
                });
                self.selected.clear();
            }
        }
    }

    /// Called every frame before drawing: poll background work.
    pub fn tick(&mut self, ctx: &mut ScreenContextMut<'_>) {
        self.rows.poll();
        self.history.poll();
        if self.offboarding.poll() {
            match &self.offboarding {
                Remote::Ready((kind, outcomes)) => {
                    let summary = rows::summarize(*kind, outcomes);
                    let failed: Vec<String> = outcomes
                        .iter()
                        .filter_map(|(name, o)| match o {
                            OffboardOutcome::Failed(error) => Some(format!("{name}: {error}")),
                            _ => None,
                        })
                        .collect();
                    if failed.is_empty() {
                        ctx.toasts.info(summary);
                    } else {
                        ctx.toasts.error(&Problem::new(summary, failed.join("\n")));
                    }
                }
                Remote::Failed { error, .. } => ctx.toasts.error(error),
                _ => {}
            }
        }
        let Some(connection) = ctx.connection.as_deref_mut() else {
            self.loaded = None;
            return;
        };
        let kind = connection.kind();
        let Some(workspace) = connection.workspace.as_mut() else { return };
        // The auto-grant switch is remembered per environment (on unless turned off).
        let auto_grant = ctx.settings.environments.get(kind.slug()).is_none_or(|s| s.auto_grant);
        if workspace.auto_grant != auto_grant {
            workspace.set_auto_grant(auto_grant);
        }
        let journal_id = Arc::as_ptr(&workspace.journal) as usize;
        let changes = workspace.changes();
        if self.loaded.is_some_and(|(id, _)| id != journal_id) {
            // Another environment: nothing of the old board applies.
            *self = Self::default();
        }
        if self.loaded != Some((journal_id, changes)) && !self.rows.is_pending() {
            self.loaded = Some((journal_id, changes));
            let journal = workspace.journal.clone();
            self.rows.request(ctx.bridge, async move {
                let read = tokio::task::spawn_blocking(move || journal.traders())
                    .await
                    .map_err(|e| Problem::new("The journal could not be read", e.to_string()))?;
                let traders = read.map_err(|e| Problem::new("The journal could not be read", e.to_string()))?;
                Ok(traders.into_iter().map(BoardRow::from).collect())
            });
        }
        if let Some(name) = &self.detail {
            let key = (name.clone(), changes);
            if self.history_loaded.as_ref() != Some(&key) && !self.history.is_pending() {
                if self.history_loaded.as_ref().is_some_and(|(n, _)| n != name) {
                    self.history = Remote::NotRequested;
                }
                self.history_loaded = Some(key);
                let (journal, name) = (workspace.journal.clone(), name.clone());
                self.history.request(ctx.bridge, async move {
                    let read = tokio::task::spawn_blocking(move || journal.history(&name))
                        .await
                        .map_err(|e| Problem::new("The history could not be read", e.to_string()))?;
                    read.map_err(|e| Problem::new("The history could not be read", e.to_string()))
                });
            }
        }
    }
}
