//! Pipeline: every trader's stage on one board, live as signatures arrive.
//!
//! The rows come from the journal, read on the blocking pool whenever the workspace's
//! change counter moves (the previous rows stay visible meanwhile). The live line, the
//! counts bar with its filter chips, the table and the detail view only read state;
//! grants, offboarding and risk-rule updates are commands applied after drawing.

mod board;
mod detail;
mod rows;

use super::{ScreenContext, ScreenContextMut};
use crate::api::Client;
use crate::onboarding::agreements::CHECK_NOW_INTERVAL;
use crate::onboarding::board::BoardStage;
use crate::onboarding::journal::{HistoryEntry, Journal, JournalError, JournaledTrader};
use crate::onboarding::offboarding::{self, OffboardOutcome, Offboarding};
use crate::onboarding::risk::{self, RiskProfile};
use crate::store::settings::EnvironmentSettings;
use crate::ui::bridge::Bridge;
use crate::ui::command::{Command, Screen};
use crate::ui::confirm::{self, Confirmation, asks_before_billing, traders};
use crate::ui::connection::Connection;
use crate::ui::problem::Problem;
use crate::ui::remote::Remote;
use crate::ui::toasts::Toasts;
use crate::ui::widgets;
use crate::ui::workspace::Workspace;
use rows::{BoardRow, BoardWrite};
use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

/// The first names of a list, for a dialog: "ada, ben and 4 more".
fn name_list(names: &[String]) -> String {
    let shown: Vec<&str> = names.iter().take(6).map(String::as_str).collect();
    let more = names.len().saturating_sub(shown.len());
    if more > 0 { format!("{} and {more} more", shown.join(", ")) } else { shown.join(", ") }
}

/// Who a board write is for, on which connection.
struct WriteTarget<'a> {
    client: Client,
    workspace: &'a Workspace,
    names: &'a [String],
}

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
    /// Start the agreement watch that was left idle (Production, confirmed).
    StartWatch,
    /// Put this profile (the one the dialog described) on these traders' accounts.
    UpdateRisk(Box<RiskProfile>, Vec<String>),
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
    /// A grant, an offboarding or the start of the watch, waiting for the admin's yes.
    confirm: Option<Confirmation<PipelineCommand>>,
    /// Revoke, cancel or a risk-rule update: one at a time.
    write: Remote<(BoardWrite, Vec<(String, OffboardOutcome)>)>,
    /// What `write` runs (kept for the spinner's words while pending).
    writing: Option<BoardWrite>,
    /// When "Check now" was last pressed.
    last_check: Option<Instant>,
}

impl PipelineScreen {
    /// Whether a revoke, cancel or risk-rule update is going (the journal may not be
    /// switched meanwhile).
    pub fn write_in_progress(&self) -> bool {
        self.write.is_pending()
    }

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
            // The way to fix it (a team journal's address or password) is on Setup.
            if ui.link("Open Setup").clicked() {
                commands.push(Command::Navigate(Screen::Setup));
            }
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
        let mut asked = Vec::new();
        board::live_line_ui(ui, workspace, settings, check_wait, &mut asked);
        ui.add_space(8.0);
        for command in asked {
            match command {
                Command::Pipeline(command) => self.ask_or_push(connection, settings, command, commands),
                other => commands.push(other),
            }
        }
        self.confirm_ui(ui, connection, commands);

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

        let busy = self.writing.filter(|_| self.write.is_pending()).map(BoardWrite::running);
        let profile = settings.template.as_ref().and_then(|t| settings.risk.profile(&t.name));
        let risk_blocked = match &settings.template {
            None => Some("Choose the template account in Setup first".to_string()),
            Some(t) if profile.is_none() => Some(format!("Save the risk rules for {} in Setup first", t.name)),
            Some(_) => None,
        };
        let view = board::BoardView { rows, busy, risk_blocked };
        let action = board::ui(ui, &view, &mut self.filter, &mut self.search, &mut self.selected, &mut self.detail);
        match action {
            Some(board::Action::Grant(names)) => {
                self.ask_or_push(connection, settings, PipelineCommand::Grant(names), commands)
            }
            Some(board::Action::Ask(kind, names)) => {
                self.ask_or_push(connection, settings, PipelineCommand::Offboard(kind, names), commands)
            }
            Some(board::Action::UpdateRisk(names)) => {
                if let Some(profile) = profile {
                    let command = PipelineCommand::UpdateRisk(Box::new(profile.clone()), names);
                    self.ask_or_push(connection, settings, command, commands)
                }
            }
            None => {}
        }
        if self.confirm.is_some() {
            // The dialog opens on the next frame; make sure there is one.
            ui.ctx().request_repaint();
        }
    }

    /// Writes that bill wait for the confirmation on every environment but the Sandbox;
    /// offboarding and replacing risk rules cannot be undone, so they are confirmed everywhere.
    fn ask_or_push(
        &mut self,
        connection: &Connection,
        settings: &EnvironmentSettings,
        command: PipelineCommand,
        commands: &mut Vec<Command>,
    ) {
        let kind = connection.kind();
        let scope = connection.scope();
        let entitlement = settings.entitlement.as_ref().map(|c| c.name.clone()).unwrap_or_default();
        let dialog = match &command {
            PipelineCommand::Grant(names) if asks_before_billing(kind) => Confirmation::new(
                command.clone(),
                kind,
                &scope,
                names.len(),
                format!("Grant T-Prop to {}?", traders(names.len())),
            )
            .consequence(format!("{} will be billed for {entitlement}", traders(names.len())))
            .detail(name_list(names))
            .labels("Grant T-Prop", "Cancel"),
            PipelineCommand::SetAutoGrant(true) if asks_before_billing(kind) => {
                Confirmation::new(command.clone(), kind, &scope, 0, "Grant T-Prop automatically?")
                    .bulk()
                    .consequence(format!("Every trader who signs from now on will be billed for {entitlement}"))
                    .detail("Grants happen in the background as signatures arrive, with no further question.")
                    .labels("Turn auto-grant on", "Cancel")
            }
            PipelineCommand::StartWatch => {
                let (title, consequence) = if settings.auto_grant && settings.entitlement.is_some() {
                    ("Start watching and granting?", format!("Every trader who signs will be billed for {entitlement}"))
                } else {
                    ("Start watching for signatures?", "Signatures are recorded; nothing is granted".to_string())
                };
                Confirmation::new(command.clone(), kind, &scope, 0, title)
                    .bulk()
                    .consequence(consequence)
                    .detail("Also catches up on signatures made while Propdesk was closed.")
                    .labels("Start", "Not now")
            }
            PipelineCommand::Offboard(what, names) => {
                let (title, button) = match what {
                    Offboarding::Revoke => ("Revoke trading permissions?", "Yes, revoke"),
                    Offboarding::Cancel => ("Cancel everything?", "Yes, cancel everything"),
                };
                Confirmation::new(command.clone(), kind, &scope, names.len(), title)
                    .consequence(offboarding::describe(*what, names.len()))
                    .detail(name_list(names))
                    .labels(button, "Keep them")
            }
            PipelineCommand::UpdateRisk(profile, names) => Confirmation::new(
                command.clone(),
                kind,
                &scope,
                names.len(),
                format!("Update the risk rules of {}?", traders(names.len())),
            )
            .consequence(risk::describe_update(profile, names.len()))
            .detail(name_list(names))
            .labels("Yes, update the rules", "Keep the current rules"),
            _ => return commands.push(Command::Pipeline(command)),
        };
        self.confirm = Some(dialog);
    }

    /// Seconds until "Check now" may fire again, if it may not yet.
    fn check_wait(&self, refused_until: Option<Instant>) -> Option<u64> {
        let now = Instant::now();
        let ours = self.last_check.map(|at| at + CHECK_NOW_INTERVAL);
        let until = ours.into_iter().chain(refused_until).max()?;
        (until > now).then(|| (until - now).as_secs_f32().ceil() as u64)
    }

    fn confirm_ui(&mut self, ui: &mut egui::Ui, connection: &Connection, commands: &mut Vec<Command>) {
        let scope = connection.scope();
        if let Some(confirmed) = confirm::show(&mut self.confirm, ui.ctx(), Some(&scope)) {
            commands.push(Command::Pipeline(confirmed));
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
            PipelineCommand::StartWatch => {
                if !workspace.is_watching() {
                    workspace.start_watch(&client, ctx.bridge);
                }
            }
            PipelineCommand::SetAutoGrant(on) => {
                ctx.settings.environment_mut(kind).auto_grant = on;
                *ctx.settings_dirty = true;
                workspace.set_auto_grant(on);
            }
            PipelineCommand::Grant(names) => {
                let count = names.len();
                workspace.grant(names, &client, ctx.bridge);
                let traders = if count == 1 { "1 trader".to_string() } else { format!("{count} traders") };
                ctx.toasts.info(format!("Granting T-Prop to {traders}…"));
            }
            PipelineCommand::Offboard(what, names) => {
                let target = WriteTarget { client, workspace, names: &names };
                self.start_write(
                    BoardWrite::Offboard(what),
                    target,
                    ctx.bridge,
                    ctx.toasts,
                    move |c, j, t| async move {
                        match what {
                            Offboarding::Revoke => offboarding::revoke(&c, &j, &t).await,
                            Offboarding::Cancel => offboarding::cancel(&c, &j, &t).await,
                        }
                    },
                );
            }
            PipelineCommand::UpdateRisk(profile, names) => {
                let target = WriteTarget { client, workspace, names: &names };
                self.start_write(BoardWrite::RiskRules, target, ctx.bridge, ctx.toasts, move |c, j, t| async move {
                    risk::update_risk_rules(&c, &j, &t, &profile).await
                });
            }
        }
    }

    /// Runs a board write for the named traders off the UI thread; the board reads the
    /// journal again when it ends (its history and stages changed).
    fn start_write<F, Fut>(
        &mut self,
        write: BoardWrite,
        target: WriteTarget<'_>,
        bridge: &Bridge,
        toasts: &mut Toasts,
        job: F,
    ) where
        F: FnOnce(Client, Arc<Journal>, Vec<JournaledTrader>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Vec<(String, OffboardOutcome)>, JournalError>> + Send + 'static,
    {
        if self.write.is_pending() {
            let running = self.writing.map_or("A change", BoardWrite::doing);
            toasts.error(&Problem::simple(format!("{running} is still running; try again when it ends.")));
            return;
        }
        let traders: Vec<JournaledTrader> = self
            .rows
            .value()
            .map(|rows| {
                rows.iter().filter(|r| target.names.contains(&r.trader.name)).map(|r| r.trader.clone()).collect()
            })
            .unwrap_or_default();
        let (client, journal, changes) =
            (target.client, target.workspace.journal.clone(), target.workspace.change_counter());
        self.writing = Some(write);
        self.write.request(bridge, async move {
            let result = job(client, journal, traders).await;
            changes.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            result.map(|outcomes| (write, outcomes)).map_err(|e| Problem::new(write.doing(), e.to_string()))
        });
        self.selected.clear();
    }

    /// Called every frame before drawing: poll background work.
    pub fn tick(&mut self, ctx: &mut ScreenContextMut<'_>) {
        self.rows.poll();
        self.history.poll();
        if self.write.poll() {
            match &self.write {
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
            self.rows.request_blocking(ctx.bridge, move || {
                let unreadable = |e: JournalError| Problem::new("The journal could not be read", e.to_string());
                let traders = journal.traders().map_err(unreadable)?;
                // Who made each trader's latest change: one more query, not one per row.
                let mut latest = journal.latest_changes().map_err(unreadable)?;
                Ok(traders
                    .into_iter()
                    .map(|trader| {
                        let latest = latest.remove(&trader.name);
                        BoardRow::from(trader).with_latest(latest)
                    })
                    .collect())
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
                self.history.request_blocking(ctx.bridge, move || {
                    journal.history(&name).map_err(|e| Problem::new("The history could not be read", e.to_string()))
                });
            }
        }
    }
}
