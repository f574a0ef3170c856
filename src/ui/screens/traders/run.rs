//! The onboarding run: which rows go, the pipeline on the runtime, progress and
//! per-row results, cancel, retry, and the results CSV.

use super::{Message, TradersCommand, TradersScreen};
use crate::onboarding::pipeline::{CancelToken, PipelineEvent, RowStatus, RunSummary};
use crate::onboarding::results::{RowResult, result_rows, write_results_csv};
use crate::onboarding::run::{Run, RunEvent};
use crate::onboarding::{RowId, Trader};
use crate::ui::problem::Problem;
use crate::ui::remote::Outbox;
use crate::ui::screens::{ScreenContext, ScreenContextMut};
use crate::ui::{theme, widgets};
use egui::RichText;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// How a window run names itself to a run it refuses or is refused by.
const PROGRAM: &str = "the Propdesk window";

pub enum RunMessage {
    Event(RunEvent),
    /// The run could not start (the journal is held by another run, or unreadable).
    Failed(String),
    /// The journal's lock was left by a run that died; this one took it over.
    TookOver(String),
    /// The run's job panicked (already told by a toast): it is over, whatever it reached.
    Stopped(Problem),
}

/// The current (or last) run.
#[derive(Default)]
pub struct RunState {
    active: Option<ActiveRun>,
}

struct ActiveRun {
    rows: Vec<RowId>,
    cancel: CancelToken,
    started: Instant,
    done: usize,
    failed: usize,
    total: usize,
    calls: usize,
    notice: Option<String>,
    finished: Option<(RunSummary, Duration)>,
}

impl RunState {
    pub fn is_running(&self) -> bool {
        self.active.as_ref().is_some_and(|a| a.finished.is_none())
    }

    pub fn cancel(&mut self) {
        if let Some(active) = &self.active {
            active.cancel.cancel();
        }
    }
}

/// Why the Onboard button cannot be pressed, if it cannot.
fn blocked_because(screen: &TradersScreen, ctx: &ScreenContext<'_>, ready: usize) -> Option<String> {
    let Some(connection) = ctx.connection else {
        return Some("Sign in on the Setup screen first".into());
    };
    let settings = ctx.settings.environment(connection.kind());
    let Some(template) = settings.template.as_ref().filter(|_| settings.plan.is_some()) else {
        return Some("Choose a plan and a template account on the Setup screen first".into());
    };
    let rules = settings.risk.rules_for(template.id, &template.name);
    if let Err(missing) = crate::onboarding::risk::require_rules(&rules, screen.roster.iter().map(|(_, t)| t)) {
        return Some(format!(
            "Set the risk rules for {} first (Setup, Risk rules card), or tick \"the template has no limits\" there; \
             {} row(s) carry no risk columns",
            missing.template_name, missing.unprotected
        ));
    }
    if connection.workspace.is_none() {
        return Some(match &connection.workspace_problem {
            Some(problem) => format!("The journal could not be opened: {}", problem.summary),
            None => "Opening the journal…".into(),
        });
    }
    if screen.run.is_running() {
        return Some("A run is in progress".into());
    }
    if ready == 0 && screen.counts.invalid == 0 {
        return Some(format!("Every row is onboarded on {}", connection.kind().label()));
    }
    if ready == 0 {
        return Some("No valid rows left to onboard: fix the rows marked in red".into());
    }
    None
}

pub fn run_bar_ui(
    screen: &mut TradersScreen,
    ui: &mut egui::Ui,
    ctx: &ScreenContext<'_>,
    commands: &mut Vec<TradersCommand>,
) {
    let total = screen.roster.len();
    let super::Counts { ready, done: done_rows, invalid } = screen.counts;
    widgets::card(ui, "", |ui| {
        ui.horizontal(|ui| {
            ui.label(RichText::new(format!("{total} traders")).strong());
            ui.label(RichText::new("·").weak());
            ui.label(RichText::new(format!("{ready} ready")).color(theme::SUCCESS));
            if invalid > 0 {
                ui.label(RichText::new("·").weak());
                ui.label(RichText::new(format!("{invalid} need attention")).color(theme::error_color(ui)))
                    .on_hover_text("Rows with problems are never sent. Click a row to see and fix them.");
            }
            // Named after the environment: these counts are this environment's only.
            if let Some(connection) = ctx.connection {
                ui.label(RichText::new("·").weak());
                ui.label(format!("{done_rows} onboarded on {}", connection.kind().label()));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let blocked = blocked_because(screen, ctx, ready);
                if screen.run.is_running() {
                    if ui.button("⏹ Cancel").on_hover_text("Stop after the call in flight").clicked() {
                        commands.push(TradersCommand::Cancel);
                    }
                } else {
                    let label = format!("▶ Onboard {ready} valid traders");
                    let button = widgets::primary_button(label);
                    let response = ui.add_enabled(blocked.is_none(), button);
                    let response = match &blocked {
                        Some(reason) => response.on_disabled_hover_text(reason),
                        None => response
                            .on_hover_text("Create the user, contact info and evaluation account of each valid row"),
                    };
                    if response.clicked() {
                        commands.push(TradersCommand::Start { retry: false });
                    }
                    if let Some(reason) = &blocked
                        && !screen.run.is_running()
                    {
                        ui.label(RichText::new(reason).weak().size(12.5));
                    }
                }
            });
        });
        if let Some(active) = &screen.run.active {
            ui.add_space(6.0);
            progress_ui(ui, active, commands, blocked_because(screen, ctx, 1).is_none());
        }
    });
}

fn progress_ui(ui: &mut egui::Ui, active: &ActiveRun, commands: &mut Vec<TradersCommand>, can_start: bool) {
    let finished_rows = active.done + active.failed;
    let fraction = if active.total == 0 { 0.0 } else { finished_rows as f32 / active.total as f32 };
    let text = match &active.finished {
        None if active.rows.is_empty() => "Preparing…".to_string(),
        None => {
            let left = active.total.saturating_sub(finished_rows);
            let remaining = if finished_rows == 0 {
                "estimating time left".to_string()
            } else {
                let per_row = active.started.elapsed().as_secs_f64() / finished_rows as f64;
                format!("about {} left", human_duration(Duration::from_secs_f64(per_row * left as f64)))
            };
            format!(
                "Working: {finished_rows} of {} · {} done · {} failed · {} API calls · {remaining}",
                active.total, active.done, active.failed, active.calls
            )
        }
        Some((summary, took)) => {
            let how = if summary.cancelled { "Cancelled" } else { "Finished" };
            format!(
                "{how}: Done: {} of {} · {} failed · {} not reached · {} API calls · {}",
                summary.done,
                active.total,
                summary.failed,
                summary.not_reached,
                summary.api_calls,
                human_duration(*took)
            )
        }
    };
    let bar = egui::ProgressBar::new(fraction).text(text.clone()).desired_height(22.0);
    let bar = if active.finished.is_none() { bar.animate(true) } else { bar };
    ui.add(bar).widget_info(|| egui::WidgetInfo::labeled(egui::Role::ProgressIndicator, true, &text));
    if let Some(notice) = &active.notice {
        widgets::error_label(ui, &Problem::simple(notice.clone()));
    }
    if let Some((summary, _)) = &active.finished {
        ui.horizontal(|ui| {
            let left = summary.failed + summary.not_reached;
            if left > 0
                && ui
                    .add_enabled(can_start, egui::Button::new(format!("↻ Retry {left} failed rows")))
                    .on_hover_text("Runs again with the same journal: nothing already created is created twice")
                    .clicked()
            {
                commands.push(TradersCommand::Start { retry: true });
            }
            if ui.button("⬇ Export results…").on_hover_text("name, userId, accountId, status, error").clicked() {
                commands.push(TradersCommand::ExportResults);
            }
        });
    }
}

fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 { format!("{s} s") } else { format!("{} min {} s", s / 60, s % 60) }
}

/// Starts a run (applied after drawing). Refused while one is running.
pub fn start(screen: &mut TradersScreen, ctx: &mut ScreenContextMut<'_>, retry: bool) {
    if screen.run.is_running() {
        ctx.toasts.info("A run is already in progress");
        return;
    }
    let (client, journal, plan, risk, scope) = {
        let Some(connection) = ctx.connection.as_deref() else {
            ctx.toasts.error(&Problem::simple("Sign in on the Setup screen first"));
            return;
        };
        let settings = ctx.settings.environment(connection.kind());
        let (Some(plan), Some(template)) = (settings.plan.clone(), settings.template.clone()) else {
            ctx.toasts.error(&Problem::simple("Choose a plan and a template account on the Setup screen first"));
            return;
        };
        let Some(workspace) = connection.workspace.as_ref() else {
            ctx.toasts.error(&Problem::simple("The journal is not open yet"));
            return;
        };
        let risk = settings.risk.rules_for(template.id, &template.name);
        (connection.client.clone(), workspace.journal.clone(), plan, risk, connection.scope())
    };
    let chosen: HashSet<RowId> = screen.rows_to_send(retry).into_iter().collect();
    if chosen.is_empty() {
        ctx.toasts.info("Nothing to send: no valid rows are waiting");
        return;
    }
    // Said here, before anything starts; `Run::begin` refuses it again for the CLI.
    let rows = chosen.iter().filter_map(|id| screen.roster.get(*id));
    if let Err(missing) = crate::onboarding::risk::require_rules(&risk, rows) {
        ctx.toasts.error(&Problem::simple(missing.to_string()).context("Risk rules"));
        return;
    }
    screen.recount = true;
    for id in &chosen {
        screen.results.insert(*id, RowResult::waiting());
    }
    let cancel = CancelToken::default();
    screen.run.active = Some(ActiveRun {
        rows: Vec::new(),
        cancel: cancel.clone(),
        started: Instant::now(),
        done: 0,
        failed: 0,
        total: chosen.len(),
        calls: 0,
        notice: None,
        finished: None,
    });
    let roster = screen.roster.clone();
    let panic_scope = scope.clone();
    let job = |outbox: Outbox<Message>| async move {
        let send = move |message: RunMessage| outbox.send(Message::Run(scope.clone(), message));
        let begun = match Run::lock(journal, PROGRAM).await {
            Ok(lock) => {
                if let Some(dead) = &lock.took_over_from {
                    send(RunMessage::TookOver(format!(
                        "Took over the journal from {dead}, which is no longer running"
                    )));
                }
                Run::begin(client, lock, roster, plan.id, risk).await
            }
            Err(error) => Err(error),
        };
        let run = match begun {
            Ok(run) => run,
            Err(error) => return send(RunMessage::Failed(error.to_string())),
        };
        let (events, mut receiver) = tokio::sync::mpsc::unbounded_channel();
        let forward = {
            let send = send.clone();
            async move {
                while let Some(event) = receiver.recv().await {
                    send(RunMessage::Event(event));
                }
            }
        };
        let only = if retry { Some(chosen) } else { None };
        let sending = async move { run.send(only.as_ref(), &cancel, &events).await };
        let (report, ()) = tokio::join!(sending, forward);
        // The pipeline ends with `Finished`; this covers a pipeline that did not.
        send(RunMessage::Event(RunEvent::Pipeline(PipelineEvent::Finished(report.summary))));
    };
    // A panic ends the run on screen (with its toast) instead of leaving it "running".
    let stopped = move |problem: Problem| Message::Run(panic_scope, RunMessage::Stopped(problem));
    screen.inbox.stream(ctx.bridge, job, stopped);
}

pub fn on_message(screen: &mut TradersScreen, ctx: &mut ScreenContextMut<'_>, message: RunMessage) {
    screen.recount = true;
    let Some(active) = screen.run.active.as_mut() else { return };
    match message {
        RunMessage::TookOver(text) => ctx.toasts.info(text),
        RunMessage::Event(RunEvent::Started { sending }) => {
            // The run checked the roster against the journal again: only these go.
            let sent: HashSet<RowId> = sending.iter().copied().collect();
            screen.results.retain(|id, r| r.status != RowStatus::Waiting || sent.contains(id));
            active.total = sending.len();
            active.rows = sending;
        }
        RunMessage::Failed(error) => {
            active.notice = Some(format!("The run could not start: {error}"));
            active.finished = Some((RunSummary::default(), active.started.elapsed()));
            screen.results.retain(|_, r| r.status != RowStatus::Waiting);
            ctx.toasts.error(&Problem::simple(error).context("Onboarding"));
        }
        RunMessage::Stopped(problem) => {
            active.notice = Some(format!("The run stopped unexpectedly: {}", problem.details));
            active.finished = Some((RunSummary::default(), active.started.elapsed()));
            screen.results.retain(|_, r| r.status != RowStatus::Waiting);
        }
        RunMessage::Event(RunEvent::Pipeline(event)) => match event {
            PipelineEvent::Row(update) => {
                if let Some(id) = active.rows.get(update.index) {
                    screen.results.insert(*id, RowResult::from_update(&update));
                }
                if let Some(workspace) = ctx.connection.as_ref().and_then(|c| c.workspace.as_ref()) {
                    workspace.mark_changed();
                }
            }
            PipelineEvent::Progress { done, failed, total, calls } => {
                active.done = done;
                active.failed = failed;
                active.total = total;
                active.calls = calls;
            }
            PipelineEvent::Notice(text) => active.notice = Some(text),
            PipelineEvent::Finished(summary) => {
                if active.finished.is_none() {
                    active.done = summary.done;
                    active.failed = summary.failed;
                    active.calls = summary.api_calls;
                    if let Some(reason) = &summary.stopped_because {
                        active.notice = Some(reason.clone());
                    }
                    let text = format!("Onboarding finished: {} done, {} failed", summary.done, summary.failed);
                    active.finished = Some((summary, active.started.elapsed()));
                    ctx.toasts.info(text);
                    if let Some(workspace) = ctx.connection.as_ref().and_then(|c| c.workspace.as_ref()) {
                        workspace.mark_changed();
                    }
                }
            }
        },
    }
}

/// The status text of a row for the grid and the export: (text, kind).
pub fn status_of(screen: &TradersScreen, id: RowId, trader: &Trader) -> (String, StatusKind) {
    if let Some(result) = screen.results.get(&id) {
        return match &result.status {
            RowStatus::Waiting => ("Waiting".into(), StatusKind::Pending),
            RowStatus::Working(stage) => (format!("Working… {}", stage.label().to_lowercase()), StatusKind::Pending),
            RowStatus::Done => (
                format!(
                    "✔ Done · user {} · account {}",
                    result.user_id.map(|v| v.to_string()).unwrap_or_else(|| "—".into()),
                    result.account_id.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
                ),
                StatusKind::Done,
            ),
            RowStatus::Failed { stage, error } => (format!("Failed at {}: {error}", stage.label()), StatusKind::Failed),
        };
    }
    let problems = screen.check.validation.problems(id);
    if let Some(problem) = problems.first() {
        let more = problems.len() - 1;
        let text = if more > 0 { format!("{} (+{more})", problem.message) } else { problem.message.clone() };
        return (text, StatusKind::Invalid);
    }
    if let Some(earlier) = screen.check.earlier_of(trader)
        && let Some(account) = earlier.account_id
    {
        return (format!("✔ Done earlier · account {account}"), StatusKind::Done);
    }
    ("Valid".into(), StatusKind::Valid)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusKind {
    Valid,
    Invalid,
    Pending,
    Done,
    Failed,
}

/// RESULTS for the export: the same writer and status words as `propdesk onboard --out`.
pub fn results_csv(screen: &TradersScreen) -> Result<Vec<u8>, String> {
    let rows = result_rows(&screen.roster, &screen.check, &screen.results);
    let mut bytes = Vec::new();
    write_results_csv(&mut bytes, &rows).map_err(|e| e.to_string())?;
    Ok(bytes)
}
