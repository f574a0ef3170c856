//! Activity → Team history: every write this environment's journal recorded (onboarding
//! steps, grants, offboarding, failures), who made it and on which computer, from every
//! admin sharing the journal. Read off the UI thread, newest first, a page at a time, so
//! a journal of 100,000 lines draws as fast as a short one.

use crate::onboarding::journal::TeamHistoryLine;
use crate::ui::bridge::Bridge;
use crate::ui::command::Command;
use crate::ui::problem::Problem;
use crate::ui::remote::Remote;
use crate::ui::widgets;
use crate::ui::workspace::Workspace;
use chrono::Local;
use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Lines read at first, and added by each "Show older lines".
pub const PAGE: usize = 1_000;

/// Other admins' writes do not move this window's change counter: while the view is
/// shown it reads again this often.
const REREAD_EVERY: Duration = Duration::from_secs(10);

type Lines = Arc<Vec<TeamHistoryLine>>;

pub struct TeamHistoryView {
    lines: Remote<Lines>,
    /// What `lines` was (or is being) read for: the journal, its change count, the limit.
    read_for: Option<(usize, u64, usize)>,
    read_at: Option<Instant>,
    /// The frame this view was last drawn in: a gap means it was hidden, so read again.
    drawn_in: Option<u64>,
    limit: usize,
    filter: String,
    /// Indices into the lines that pass the filter, and what they were computed for.
    visible: Vec<usize>,
    filtered_for: Option<(usize, String)>,
}

impl Default for TeamHistoryView {
    fn default() -> Self {
        Self {
            lines: Remote::default(),
            read_for: None,
            read_at: None,
            drawn_in: None,
            limit: PAGE,
            filter: String::new(),
            visible: Vec::new(),
            filtered_for: None,
        }
    }
}

/// Whether a line mentions `needle` (lowercase) in its trader, text, user or computer.
fn matches(line: &TeamHistoryLine, needle: &str) -> bool {
    [&line.trader, &line.what, &line.by.user, &line.by.host].iter().any(|text| text.to_lowercase().contains(needle))
}

/// "anna on ops-laptop".
fn by(line: &TeamHistoryLine) -> String {
    format!("{} on {}", line.by.user, line.by.host)
}

impl TeamHistoryView {
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        workspace: Option<&Workspace>,
        bridge: &Bridge,
        exporting: bool,
        commands: &mut Vec<Command>,
    ) {
        let Some(workspace) = workspace else {
            *self = Self::default();
            widgets::empty_state(
                ui,
                "📜",
                "No journal open",
                "Sign in to an environment to see what your team recorded in its journal.",
            );
            return;
        };
        self.follow_journal(ui, workspace, bridge);
        let Some(lines) = self.lines.value().cloned() else {
            match self.lines.error() {
                Some(problem) => {
                    widgets::error_label(ui, problem);
                }
                None => {
                    ui.spinner();
                }
            }
            return;
        };
        self.refilter(&lines);
        self.toolbar_ui(ui, &lines, exporting, commands);
        if let Some(problem) = self.lines.error() {
            widgets::error_label(ui, problem);
        }
        ui.add_space(8.0);
        if lines.is_empty() {
            widgets::empty_state(
                ui,
                "📜",
                "Nothing recorded yet",
                "Every onboarding step, grant and offboarding appears here, with who did it and on which computer.",
            );
            return;
        }
        if self.visible.is_empty() {
            widgets::hint(ui, "No lines match the search.");
            return;
        }
        table_ui(ui, &lines, &self.visible);
    }

    /// Reads the journal again when it changed, when the view comes back into sight, when
    /// more lines are asked for, and every `REREAD_EVERY` while shown (other admins).
    fn follow_journal(&mut self, ui: &Ui, workspace: &Workspace, bridge: &Bridge) {
        let journal_id = Arc::as_ptr(&workspace.journal) as usize;
        if self.read_for.is_some_and(|(id, ..)| id != journal_id) {
            // Another environment's journal: nothing of the old one may show.
            *self = Self { filter: std::mem::take(&mut self.filter), ..Self::default() };
        }
        let frame = ui.ctx().cumulative_frame_nr();
        let was_hidden = self.drawn_in.is_none_or(|drawn| drawn + 1 < frame);
        self.drawn_in = Some(frame);
        let source = (journal_id, workspace.changes(), self.limit);
        let due = self.read_at.is_none_or(|at| at.elapsed() >= REREAD_EVERY);
        if (was_hidden || due || self.read_for != Some(source)) && !self.lines.is_pending() {
            let (journal, limit) = (workspace.journal.clone(), self.limit);
            self.lines.request_blocking(bridge, move || {
                journal
                    .team_history(None, limit)
                    .map(Arc::new)
                    .map_err(|e| Problem::simple(e.to_string()).context("Reading the team history"))
            });
            self.read_for = Some(source);
            self.read_at = Some(Instant::now());
        }
        self.lines.poll();
        ui.ctx().request_repaint_after(REREAD_EVERY);
    }

    /// Cheap when nothing changed: compares the lines' identity and the search.
    fn refilter(&mut self, lines: &Lines) {
        let key = (Arc::as_ptr(lines) as usize, self.filter.trim().to_lowercase());
        if self.filtered_for.as_ref() == Some(&key) {
            return;
        }
        self.visible = lines
            .iter()
            .enumerate()
            .filter(|(_, line)| key.1.is_empty() || matches(line, &key.1))
            .map(|(i, _)| i)
            .collect();
        self.filtered_for = Some(key);
    }

    fn toolbar_ui(&mut self, ui: &mut Ui, lines: &Lines, exporting: bool, commands: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            let label = ui.label("Search");
            ui.add(
                egui::TextEdit::singleline(&mut self.filter)
                    .hint_text("a trader, a step or a person")
                    .desired_width(220.0),
            )
            .labelled_by(label.id);
            ui.add_space(12.0);
            ui.label(RichText::new(format!("{} of {} lines", self.visible.len(), lines.len())).weak());
            // A full page means older lines may exist.
            if lines.len() >= self.limit
                && ui.button("Show older lines").on_hover_text("Read the next 1,000 lines of the journal").clicked()
            {
                self.limit += PAGE;
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let button = ui
                    .add_enabled(!exporting && !self.visible.is_empty(), egui::Button::new("Export CSV…"))
                    .on_hover_text("Save the lines shown to a CSV file");
                if button.clicked() {
                    let shown = self.visible.iter().map(|&i| lines[i].clone()).collect();
                    commands.push(Command::ExportTeamHistory(shown));
                }
                if exporting || self.lines.is_pending() {
                    ui.spinner();
                }
            });
        });
    }
}

fn table_ui(ui: &mut Ui, lines: &[TeamHistoryLine], visible: &[usize]) {
    TableBuilder::new(ui)
        .id_salt("team_history_table")
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .striped(true)
        .column(Column::exact(130.0))
        .column(Column::initial(180.0).at_least(100.0).clip(true))
        .column(Column::initial(360.0).at_least(160.0).clip(true))
        .column(Column::remainder().at_least(140.0).clip(true))
        .header(24.0, |mut row| {
            for title in ["Time", "Trader", "What happened", "By"] {
                row.col(|ui| {
                    ui.label(RichText::new(title).strong());
                });
            }
        })
        .body(|body| {
            body.rows(24.0, visible.len(), |mut row| {
                let line = &lines[visible[row.index()]];
                let local = line.at.with_timezone(&Local);
                row.col(|ui| {
                    ui.label(local.format("%Y-%m-%d %H:%M").to_string()).on_hover_text(local.to_rfc3339());
                });
                row.col(|ui| {
                    ui.label(&line.trader);
                });
                row.col(|ui| {
                    ui.label(&line.what).on_hover_text(&line.what);
                });
                row.col(|ui| {
                    ui.label(by(line));
                });
            });
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onboarding::journal::{Author, Journal};
    use crate::subaccount::Registry;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    const LINES: usize = 100_000;

    /// A journal of 100,000 lines: the view reads one page, and a frame stays fast.
    #[test]
    fn a_hundred_thousand_lines_draw_quickly() {
        let journal = Journal::in_memory("sandbox")
            .unwrap()
            .with_author(Author { user: "anna".into(), host: "ops-laptop".into() });
        let traders: Vec<String> = (0..LINES / 4).map(|i| format!("trader{i}")).collect();
        for name in &traders {
            journal.upsert_trader(name, "", "").unwrap();
            journal.record_user(name, 1).unwrap();
            journal.record_contact(name).unwrap();
            journal.record_account(name, 2, None).unwrap();
            journal.record_history(name, "Risk rules updated").unwrap();
        }
        let started = Instant::now();
        assert_eq!(journal.team_history(None, PAGE).unwrap().len(), PAGE);
        eprintln!("team history: the newest {PAGE} of {LINES} lines read in {:?}", started.elapsed());

        let workspace = Workspace::new(Arc::new(journal), Arc::new(Registry::in_memory("sandbox").unwrap()));
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let (bridge, _events) = Bridge::new(runtime.handle().clone(), egui::Context::default());
        let mut harness = Harness::builder().with_size(egui::vec2(1280.0, 800.0)).build_ui_state(
            move |ui, view: &mut TeamHistoryView| {
                view.ui(ui, Some(&workspace), &bridge, false, &mut Vec::new());
            },
            TeamHistoryView::default(),
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while harness.query_by_label("1000 of 1000 lines").is_none() {
            assert!(Instant::now() < deadline, "the first page never arrived");
            harness.step();
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(harness.query_by_label("Show older lines").is_some(), "a full page offers more");
        let started = Instant::now();
        for _ in 0..10 {
            harness.step();
        }
        let per_frame = started.elapsed() / 10;
        eprintln!("team history frame with {LINES} lines in the journal: {per_frame:?}");
        assert!(per_frame < Duration::from_millis(150), "{per_frame:?} per frame");
        // The search narrows the page without reading the journal again.
        harness.state_mut().filter = "trader24999".into();
        harness.step();
        assert!(harness.query_by_label("4 of 1000 lines").is_some());
    }
}
