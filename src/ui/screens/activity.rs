//! Activity: every call Propdesk made, for support questions and audits. Filterable,
//! exportable to CSV, and virtualized so 20,000 rows scroll smoothly. Beside it, the
//! team's history: what the journal recorded, by whom (`team_history.rs`).

use crate::api::EnvironmentKind;
use crate::api::activity::{ActivityLog, CallRecord, Outcome};
use crate::ui::bridge::Bridge;
use crate::ui::command::Command;
use crate::ui::screens::team_history::TeamHistoryView;
use crate::ui::workspace::Workspace;
use crate::ui::{theme, widgets};
use chrono::Local;
use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

/// The logs of every client this session (each sign-in has its own), newest last.
#[derive(Default)]
pub struct ActivitySources {
    logs: Vec<(EnvironmentKind, ActivityLog)>,
}

/// Older clients' logs beyond this are dropped.
const MAX_SOURCES: usize = 8;

impl ActivitySources {
    pub fn add(&mut self, kind: EnvironmentKind, log: ActivityLog, ctx: &egui::Context) {
        let ctx = ctx.clone();
        log.set_listener(move || ctx.request_repaint());
        self.logs.push((kind, log));
        if self.logs.len() > MAX_SOURCES {
            self.logs.remove(0);
        }
    }

    /// Changes whenever any log grows or a log is added.
    fn generation(&self) -> u64 {
        self.logs.iter().map(|(_, log)| log.generation()).sum::<u64>() + ((self.logs.len() as u64) << 40)
    }

    fn merged(&self) -> Vec<(EnvironmentKind, CallRecord)> {
        let mut all: Vec<_> =
            self.logs.iter().flat_map(|(kind, log)| log.snapshot().into_iter().map(move |r| (*kind, r))).collect();
        all.sort_by_key(|(_, r)| r.at);
        all
    }
}

/// The two lists the screen shows, one at a time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum View {
    #[default]
    Calls,
    TeamHistory,
}

/// What the Team history view reads: the signed-in environment's journal, in the background.
pub struct TeamSource<'a> {
    pub workspace: Option<&'a Workspace>,
    pub bridge: &'a Bridge,
}

#[derive(Default)]
pub struct ActivityScreen {
    view: View,
    team_history: TeamHistoryView,
    outcome: Option<Outcome>,
    endpoint_filter: String,
    /// Snapshot of all records, rebuilt only when the logs change.
    records: Vec<(EnvironmentKind, CallRecord)>,
    generation: Option<u64>,
    /// Indices into `records` that pass the filter.
    visible: Vec<usize>,
    filter_key: (Option<Outcome>, String),
}

const OUTCOMES: [Outcome; 5] = [Outcome::Ok, Outcome::Rejected, Outcome::Warning, Outcome::Penalty, Outcome::Failed];

impl ActivityScreen {
    /// Cheap when nothing changed: compares a generation number and the filter.
    fn refresh(&mut self, sources: &ActivitySources) {
        let generation = sources.generation();
        let key = (self.outcome, self.endpoint_filter.trim().to_ascii_lowercase());
        if self.generation == Some(generation) && self.filter_key == key {
            return;
        }
        if self.generation != Some(generation) {
            self.records = sources.merged();
            self.generation = Some(generation);
        }
        self.visible = self
            .records
            .iter()
            .enumerate()
            .filter(|(_, (_, r))| key.0.is_none_or(|o| r.outcome == o))
            .filter(|(_, (_, r))| key.1.is_empty() || r.endpoint.to_ascii_lowercase().contains(&key.1))
            .map(|(i, _)| i)
            .collect();
        self.filter_key = key;
    }

    pub fn ui(
        &mut self,
        ui: &mut Ui,
        sources: &ActivitySources,
        team: TeamSource<'_>,
        exporting: bool,
        commands: &mut Vec<Command>,
    ) {
        let subtitle = match self.view {
            View::Calls => {
                "Every call Propdesk made to Tradovate in this session. Passwords, secrets and tokens are never recorded."
            }
            View::TeamHistory => {
                "Everything recorded in this environment's journal, by anyone on your team, and on which computer."
            }
        };
        widgets::screen_header(ui, "Activity", subtitle);
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.view, View::Calls, "Calls to Tradovate");
            ui.selectable_value(&mut self.view, View::TeamHistory, "Team history");
        });
        ui.add_space(8.0);
        if self.view == View::TeamHistory {
            self.team_history.ui(ui, team.workspace, team.bridge, exporting, commands);
            return;
        }
        self.refresh(sources);
        self.toolbar_ui(ui, exporting, commands);
        ui.add_space(8.0);
        if self.records.is_empty() {
            widgets::empty_state(ui, "📋", "No calls yet", "Calls appear here as soon as Propdesk talks to Tradovate.");
            return;
        }
        if self.visible.is_empty() {
            widgets::hint(ui, "No calls match the filter.");
            return;
        }
        self.table_ui(ui);
    }

    fn toolbar_ui(&mut self, ui: &mut Ui, exporting: bool, commands: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            let label = ui.label("Outcome");
            egui::ComboBox::from_id_salt("outcome_filter")
                .selected_text(self.outcome.map(|o| o.label()).unwrap_or("All"))
                .width(110.0)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.outcome, None, "All");
                    for outcome in OUTCOMES {
                        ui.selectable_value(&mut self.outcome, Some(outcome), outcome.label());
                    }
                })
                .response
                .labelled_by(label.id);
            ui.add_space(12.0);
            let label = ui.label("Endpoint contains");
            ui.add(
                egui::TextEdit::singleline(&mut self.endpoint_filter)
                    .hint_text("e.g. subscriptionPlan")
                    .desired_width(220.0),
            )
            .labelled_by(label.id);
            ui.add_space(12.0);
            ui.label(RichText::new(format!("{} of {} calls", self.visible.len(), self.records.len())).weak());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let button = ui
                    .add_enabled(!exporting && !self.visible.is_empty(), egui::Button::new("Export CSV…"))
                    .on_hover_text("Save the calls shown to a CSV file");
                if button.clicked() {
                    let records = self.visible.iter().map(|&i| self.records[i].1.clone()).collect();
                    commands.push(Command::ExportActivity(records));
                }
                if exporting {
                    ui.spinner();
                }
            });
        });
    }

    fn table_ui(&self, ui: &mut Ui) {
        let row_height = 24.0;
        // The fixed columns take about 500 points; on a small screen the endpoint column
        // gives way so the server message keeps its room instead of running off the edge.
        let endpoint_width = (ui.available_width() - 500.0 - 120.0).clamp(120.0, 260.0);
        TableBuilder::new(ui)
            .id_salt("activity_table")
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .striped(true)
            .stick_to_bottom(true)
            .column(Column::exact(78.0))
            .column(Column::exact(92.0))
            .column(Column::initial(endpoint_width).at_least(120.0).clip(true))
            .column(Column::exact(58.0))
            .column(Column::exact(82.0))
            .column(Column::exact(56.0))
            .column(Column::exact(76.0))
            .column(Column::remainder().at_least(120.0).clip(true))
            .header(24.0, |mut row| {
                for title in
                    ["Time", "Environment", "Endpoint", "Domain", "Outcome", "Status", "Duration", "Server message"]
                {
                    row.col(|ui| {
                        ui.label(RichText::new(title).strong());
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, self.visible.len(), |mut row| {
                    let (kind, record) = &self.records[self.visible[row.index()]];
                    row.col(|ui| {
                        ui.label(record.at.with_timezone(&Local).format("%H:%M:%S").to_string())
                            .on_hover_text(record.at.with_timezone(&Local).to_rfc3339());
                    });
                    row.col(|ui| {
                        widgets::status_dot(ui, theme::environment_color(*kind), true);
                        ui.label(kind.label());
                    });
                    row.col(|ui| {
                        ui.label(record.endpoint);
                    });
                    row.col(|ui| {
                        ui.label(record.domain.to_string());
                    });
                    row.col(|ui| {
                        ui.label(RichText::new(record.outcome.label()).color(outcome_color(ui, record.outcome)));
                    });
                    row.col(|ui| {
                        ui.label(record.status.map(|s| s.to_string()).unwrap_or_else(|| "—".into()));
                    });
                    row.col(|ui| {
                        let ms = record.duration.as_millis();
                        ui.label(if ms == 0 { "<1 ms".to_string() } else { format!("{ms} ms") });
                    });
                    row.col(|ui| {
                        if let Some(text) = &record.error_text {
                            ui.label(text).on_hover_text(text);
                        }
                    });
                });
            });
    }
}

fn outcome_color(ui: &Ui, outcome: Outcome) -> egui::Color32 {
    match outcome {
        Outcome::Ok => theme::SUCCESS,
        Outcome::Warning | Outcome::Penalty => theme::WARNING,
        Outcome::Rejected | Outcome::Failed => theme::error_color(ui),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Domain;
    use chrono::Utc;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use std::time::{Duration, Instant};

    fn record(i: usize) -> CallRecord {
        CallRecord {
            at: Utc::now(),
            endpoint: if i.is_multiple_of(2) { "account/list" } else { "user/createEvaluationUsers" },
            domain: Domain::Demo,
            outcome: if i.is_multiple_of(10) { Outcome::Rejected } else { Outcome::Ok },
            status: Some(200),
            duration: Duration::from_millis(12),
            error_text: i.is_multiple_of(10).then(|| "Incorrect username or password".to_string()),
        }
    }

    /// Only the visible rows are laid out, so a full log draws as fast as a short one.
    #[test]
    fn twenty_thousand_records_draw_quickly() {
        let log = ActivityLog::default();
        for i in 0..20_000 {
            log.push(record(i));
        }
        let mut sources = ActivitySources::default();
        sources.add(EnvironmentKind::Sandbox, log.clone(), &egui::Context::default());
        let state = (ActivityScreen::default(), sources);
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let (bridge, _events) = Bridge::new(runtime.handle().clone(), egui::Context::default());
        let mut harness = Harness::builder().with_size(egui::vec2(1280.0, 800.0)).build_ui_state(
            move |ui, (screen, sources): &mut (ActivityScreen, ActivitySources)| {
                let mut commands = Vec::new();
                screen.ui(ui, sources, TeamSource { workspace: None, bridge: &bridge }, false, &mut commands);
            },
            state,
        );
        harness.step();
        assert!(harness.query_by_label("20000 of 20000 calls").is_some());
        let started = Instant::now();
        for _ in 0..10 {
            harness.step();
        }
        let per_frame = started.elapsed() / 10;
        eprintln!("activity frame with 20,000 records: {per_frame:?}");
        assert!(per_frame < Duration::from_millis(150), "{per_frame:?} per frame");
        // The outcome filter narrows the rows without a new snapshot.
        harness.state_mut().0.outcome = Some(Outcome::Rejected);
        harness.step();
        assert!(harness.query_by_label("2000 of 20000 calls").is_some());
    }
}
