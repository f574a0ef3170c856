//! Traders: the firm's roster. Import or paste a spreadsheet, see every problem before
//! anything is sent, fix cells, then onboard the valid rows and watch each one arrive.
//!
//! Split into: `grid` (the virtualized table and the row editor), `toolbar` (import,
//! paste, generate, export, filter), `run` (the onboarding run: start, progress, results).
//! Background work (file dialogs, parsing, the pipeline) runs on the app's runtime and
//! reports over [`Inbox`]; drawing only pushes [`TradersCommand`]s.

mod grid;
mod run;
mod toolbar;

use super::{ScreenContext, ScreenContextMut};
use crate::onboarding::import_limits::check_file_size;
use crate::onboarding::prepare::{JournaledTraders, RosterCheck, is_onboarded};
use crate::onboarding::results::RowResult;
use crate::onboarding::risk::{RiskRules, TemplateRules};
use crate::onboarding::{
    Field, ImportReport, Roster, RowId, SortOrder, Trader, generate_account_names, generate_missing_passwords,
    import_csv, import_csv_file, import_pasted, import_xlsx, import_xlsx_file, write_credentials_csv, write_roster_csv,
};
use crate::ui::command::Command;
use crate::ui::confirm::{Confirmation, asks_before_billing, traders};
use crate::ui::open_dialog::{self, OpenDialog};
use crate::ui::problem::Problem;
use crate::ui::remote::{Inbox, Remote};
use crate::ui::save_dialog::{PickedPath, SaveDialog};
use crate::ui::widgets;
use run::{RunMessage, RunState};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What this screen asks the app to do after drawing (applied by [`TradersScreen::apply`]).
#[derive(Clone, Debug)]
pub enum TradersCommand {
    ImportFile,
    /// Files dropped on the window: the first CSV or Excel file is imported.
    Dropped(Vec<egui::DroppedFileHandle>),
    Paste(String),
    AddRow,
    DeleteRows(Vec<RowId>),
    SetCell(RowId, Field, String),
    Sort(Field),
    GeneratePasswords,
    GenerateAccountNames(String),
    ExportRoster,
    ExportCredentials,
    ExportResults,
    /// Onboard the valid rows not done yet (`retry`: only rows a run left failed).
    Start {
        retry: bool,
    },
    Cancel,
    DismissReport,
}

/// What background work reports.
enum Message {
    Imported {
        file: String,
        result: Result<(Roster, ImportReport), String>,
    },
    ImportCancelled,
    /// No file dialog could be shown: why, and the other way in.
    DialogUnavailable(String),
    Saved {
        what: &'static str,
        result: Result<Option<PathBuf>, String>,
    },
    /// A run's progress, with the environment (scope) it runs on.
    Run(String, RunMessage),
}

/// What one environment's runs left: kept while another environment is shown, so
/// nothing done on one is shown as done, retried or exported on another.
#[derive(Default)]
struct EnvironmentRuns {
    run: RunState,
    results: HashMap<RowId, RowResult>,
}

/// The run bar's numbers, cached.
#[derive(Clone, Copy, Default)]
struct Counts {
    ready: usize,
    done: usize,
    invalid: usize,
}

/// The last import's report, shown until dismissed.
struct ShownReport {
    source: String,
    report: ImportReport,
}

pub struct TradersScreen {
    roster: Roster,
    /// The roster checked against the journal (validation, earlier traders): the same
    /// check a run makes. A cell edit updates it in place; other changes redo it.
    check: RosterCheck,
    /// Set when many rows (or the journal the roster is checked against) changed.
    dirty: bool,
    /// What the journal knows, read on the runtime whenever the journal changes.
    journaled: Remote<Arc<JournaledTraders>>,
    /// The journal (by address) and its change count that `journaled` was asked for.
    journal_source: Option<(usize, u64)>,
    /// The template's risk rules the roster was last checked with: a row's risk
    /// columns are judged together with the profile, so a saved profile rechecks.
    checked_risk: Option<TemplateRules>,
    /// The environment whose `run` and `results` are shown (`Connection::scope`).
    scope: Option<String>,
    /// The runs and results of the environments not shown right now.
    elsewhere: HashMap<String, EnvironmentRuns>,
    /// A run waiting for the admin's yes (every environment but the Sandbox).
    confirm: Option<crate::ui::confirm::Confirmation<TradersCommand>>,
    /// Rows shown (filtered), in roster order.
    view: Vec<RowId>,
    filter: String,
    sort: Option<(Field, SortOrder)>,
    selected: BTreeSet<RowId>,
    /// The row open in the editor.
    focused: Option<RowId>,
    /// The editor's text, per field of the focused row.
    draft: Option<(RowId, Vec<String>)>,
    report: Option<ShownReport>,
    importing: bool,
    /// The file dialog could not open (shown under the toolbar until a file arrives).
    dialog_problem: Option<Problem>,
    paste_open: bool,
    paste_text: String,
    prefix: String,
    confirm_credentials: bool,
    pending_scroll: Option<RowId>,
    run: RunState,
    counts: Counts,
    /// Set when `counts` must be redone before the next frame.
    recount: bool,
    results: HashMap<RowId, RowResult>,
    inbox: Inbox<Message>,
    open_dialog: OpenDialog,
    save_dialog: Option<SaveDialog>,
}

impl Default for TradersScreen {
    fn default() -> Self {
        Self::new(open_dialog::native(), None)
    }
}

impl TradersScreen {
    /// Whether an onboarding run is going (the journal may not be switched meanwhile).
    pub fn run_in_progress(&self) -> bool {
        self.run.is_running()
    }

    pub fn new(open_dialog: OpenDialog, save_dialog: Option<SaveDialog>) -> Self {
        Self {
            roster: Roster::new(),
            check: RosterCheck::default(),
            dirty: false,
            journaled: Remote::default(),
            journal_source: None,
            checked_risk: None,
            scope: None,
            elsewhere: HashMap::new(),
            confirm: None,
            view: Vec::new(),
            filter: String::new(),
            sort: None,
            selected: BTreeSet::new(),
            focused: None,
            draft: None,
            report: None,
            importing: false,
            dialog_problem: None,
            paste_open: false,
            paste_text: String::new(),
            prefix: String::new(),
            confirm_credentials: false,
            pending_scroll: None,
            run: RunState::default(),
            counts: Counts::default(),
            recount: false,
            results: HashMap::new(),
            inbox: Inbox::default(),
            open_dialog,
            save_dialog,
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &ScreenContext<'_>, commands: &mut Vec<Command>) {
        widgets::screen_header(ui, "Traders", "Your firm's roster: check every row, then onboard the valid ones.");
        let mut local = Vec::new();
        toolbar::toolbar_ui(self, ui, &mut local);
        if self.paste_open {
            toolbar::paste_ui(self, ui, &mut local);
        }
        if let Some(problem) = &self.dialog_problem {
            widgets::error_label(ui, problem);
        }
        let (hovering, dropped) = ui.ctx().input(|i| (!i.raw.hovered_files.is_empty(), i.raw.dropped_files.clone()));
        if hovering {
            widgets::hint(ui, "Drop a CSV or Excel file to add its rows");
        }
        if !dropped.is_empty() {
            local.push(TradersCommand::Dropped(dropped));
        }
        if let Some(shown) = &self.report {
            toolbar::report_ui(ui, shown, &mut local);
        }
        if self.roster.is_empty() {
            widgets::empty_state(
                ui,
                "👥",
                "No traders yet",
                "Import a CSV or Excel file (or drop it on this window), paste rows copied from a spreadsheet, \
                 or add a row by hand. Every row is checked before anything is sent.",
            );
        } else {
            run::run_bar_ui(self, ui, ctx, &mut local);
            ui.add_space(6.0);
            grid::grid_ui(self, ui, &mut local);
        }
        toolbar::credentials_modal_ui(self, ui, &mut local);
        let scope = ctx.connection.map(|c| c.scope());
        toolbar::paste_shortcut(self, ui, &mut local);
        for command in local {
            match command {
                TradersCommand::Start { retry } if ctx.connection.is_some_and(|c| asks_before_billing(c.kind())) => {
                    self.ask_to_start(ctx, retry)
                }
                other => commands.push(Command::Traders(other)),
            }
        }
        // A confirmed run goes straight through: it was asked about just now.
        if let Some(confirmed) = crate::ui::confirm::show(&mut self.confirm, ui.ctx(), scope.as_deref()) {
            commands.push(Command::Traders(confirmed));
        }
    }

    /// Applies a command after drawing.
    pub fn apply(&mut self, command: TradersCommand, ctx: &mut ScreenContextMut<'_>) {
        let running = self.run.is_running();
        let edits = matches!(
            command,
            TradersCommand::ImportFile
                | TradersCommand::Dropped(_)
                | TradersCommand::Paste(_)
                | TradersCommand::AddRow
                | TradersCommand::DeleteRows(_)
                | TradersCommand::SetCell(..)
                | TradersCommand::GeneratePasswords
                | TradersCommand::GenerateAccountNames(_)
        );
        if running && edits {
            ctx.toasts.info("The roster is locked while traders are being onboarded");
            return;
        }
        match command {
            TradersCommand::ImportFile => self.import_file(ctx),
            TradersCommand::Dropped(files) => self.import_dropped(files, ctx),
            TradersCommand::Paste(text) => match import_pasted(&mut self.roster, &text) {
                Ok(report) => {
                    self.paste_open = false;
                    self.paste_text.clear();
                    ctx.toasts.info(format!("Added {} rows from the clipboard", report.rows_added()));
                    self.report = Some(ShownReport { source: "pasted cells".into(), report });
                    self.changed();
                }
                Err(error) => ctx.toasts.error(&Problem::simple(error.to_string()).context("Pasting rows")),
            },
            TradersCommand::AddRow => {
                let id = self.roster.add(Trader::default());
                self.focused = Some(id);
                self.selected = BTreeSet::from([id]);
                self.pending_scroll = Some(id);
                self.filter.clear();
                self.draft = None;
                self.rows_moved();
            }
            TradersCommand::DeleteRows(ids) => {
                for id in &ids {
                    self.roster.delete(*id);
                    self.results.remove(id);
                    self.selected.remove(id);
                }
                if self.focused.is_some_and(|f| ids.contains(&f)) {
                    self.focused = None;
                }
                ctx.toasts.info(format!("Deleted {} rows", ids.len()));
                self.draft = None;
                self.rows_moved();
            }
            TradersCommand::SetCell(id, field, value) => self.set_cell(id, field, value),
            TradersCommand::Sort(field) => {
                let order = match self.sort {
                    Some((f, SortOrder::Ascending)) if f == field => SortOrder::Descending,
                    _ => SortOrder::Ascending,
                };
                self.roster.sort_by(field, order);
                self.sort = Some((field, order));
                self.draft = None;
                // Counts do not depend on the order: only positions in messages change.
                self.check.rows_moved(&self.roster);
                self.refilter();
            }
            TradersCommand::GeneratePasswords => {
                let n = generate_missing_passwords(&mut self.roster);
                ctx.toasts.info(format!("Generated {n} passwords"));
                self.changed();
            }
            TradersCommand::GenerateAccountNames(prefix) => {
                match generate_account_names(&mut self.roster, prefix.trim(), &self.check.known) {
                    Ok(n) => ctx.toasts.info(format!("Named {n} accounts")),
                    Err(error) => ctx.toasts.error(&Problem::simple(error.to_string()).context("Account names")),
                }
                self.changed();
            }
            TradersCommand::ExportRoster => {
                let mut bytes = Vec::new();
                match write_roster_csv(&self.roster, &mut bytes) {
                    Ok(()) => self.save(ctx, "Roster", "traders.csv", bytes),
                    Err(e) => ctx.toasts.error(&Problem::simple(e.to_string()).context("Exporting the roster")),
                }
            }
            TradersCommand::ExportCredentials => {
                self.confirm_credentials = false;
                let n = generate_missing_passwords(&mut self.roster);
                if n > 0 {
                    self.changed();
                }
                let mut bytes = Vec::new();
                match write_credentials_csv(&self.roster, &mut bytes) {
                    Ok(()) => self.save(ctx, "Credentials", "trader-credentials.csv", bytes),
                    Err(e) => ctx.toasts.error(&Problem::simple(e.to_string()).context("Exporting credentials")),
                }
            }
            TradersCommand::ExportResults => {
                let bytes = run::results_csv(self);
                match bytes {
                    Ok(bytes) => self.save(ctx, "Results", "onboarding-results.csv", bytes),
                    Err(e) => ctx.toasts.error(&Problem::simple(e).context("Exporting results")),
                }
            }
            TradersCommand::Start { retry } => run::start(self, ctx, retry),
            TradersCommand::Cancel => self.run.cancel(),
            TradersCommand::DismissReport => self.report = None,
        }
    }

    /// Called every frame before drawing: poll background work, revalidate if needed.
    pub fn tick(&mut self, ctx: &mut ScreenContextMut<'_>) {
        let scope = ctx.connection.as_ref().map(|c| c.scope());
        if scope != self.scope {
            self.show_environment(scope);
        }
        for message in self.inbox.drain().collect::<Vec<_>>() {
            match message {
                Message::Imported { file, result } => {
                    self.importing = false;
                    self.dialog_problem = None;
                    match result {
                        Ok((parsed, mut report)) => {
                            report.added.clear();
                            for (_, trader) in parsed.iter() {
                                report.added.push(self.roster.add(trader.clone()));
                            }
                            ctx.toasts.info(format!("Imported {} rows from {file}", report.rows_added()));
                            self.report = Some(ShownReport { source: file, report });
                            self.changed();
                        }
                        Err(error) => ctx.toasts.error(&Problem::new(format!("Importing {file}: {error}"), error)),
                    }
                }
                Message::ImportCancelled => self.importing = false,
                Message::DialogUnavailable(message) => {
                    self.importing = false;
                    self.dialog_problem = Some(Problem::simple(message));
                }
                Message::Saved { what, result } => match result {
                    Ok(Some(path)) => ctx.toasts.info(format!("{what} saved to {}", path.display())),
                    Ok(None) => {}
                    Err(error) => ctx.toasts.error(&Problem::simple(error).context(&format!("Saving the {what}"))),
                },
                Message::Run(scope, message) => self.on_run_message(ctx, scope, message),
            }
        }
        self.follow_journal(ctx);
        let risk = template_rules(ctx);
        if risk != self.checked_risk {
            self.checked_risk = risk;
            if !self.dirty {
                self.check.set_risk_rules(&self.roster, self.risk_rules());
                self.refilter();
                self.recount();
            }
        }
        if self.dirty {
            self.revalidate();
        }
        if self.recount {
            self.recount();
        }
    }

    /// Opens the confirmation for a run: environment, count, plan and template by name.
    fn ask_to_start(&mut self, ctx: &ScreenContext<'_>, retry: bool) {
        let Some(connection) = ctx.connection else { return };
        let kind = connection.kind();
        let settings = ctx.settings.environment(kind);
        let name = |c: &Option<crate::store::settings::Chosen>| c.as_ref().map(|c| c.name.clone()).unwrap_or_default();
        let (plan, template) = (name(&settings.plan), name(&settings.template));
        let count = self.rows_to_send(retry).len();
        let (verb, users) = (if retry { "Retry" } else { "Onboard" }, if count == 1 { "user" } else { "users" });
        let title = format!("{verb} {} on {}?", traders(count), kind.label());
        let dialog = Confirmation::new(TradersCommand::Start { retry }, kind, &connection.scope(), count, title)
            .consequence(format!("{count} {users} will be billed on {plan}"))
            .detail(format!("Each gets an evaluation account copied from the template {template}."))
            .detail("Users and accounts are created on Tradovate right away; this cannot be undone from here.")
            .labels(format!("{verb} {}", traders(count)), "Cancel");
        self.confirm = Some(dialog);
    }

    /// The rows a run would send: the ready ones (`retry`: only those a run left failed).
    fn rows_to_send(&self, retry: bool) -> Vec<RowId> {
        let mut rows = self.ready_rows();
        if retry {
            rows.retain(|id| self.results.get(id).is_some_and(|r| !r.is_done()));
        }
        rows
    }

    /// Puts the shown environment's runs aside and shows `scope`'s (empty if none yet).
    /// The roster stays; its statuses are redone against that environment's journal.
    fn show_environment(&mut self, scope: Option<String>) {
        let shown = EnvironmentRuns { run: std::mem::take(&mut self.run), results: std::mem::take(&mut self.results) };
        if let Some(old) = self.scope.take() {
            self.elsewhere.insert(old, shown);
        }
        let EnvironmentRuns { run, results } =
            scope.as_ref().and_then(|s| self.elsewhere.remove(s)).unwrap_or_default();
        self.run = run;
        self.results = results;
        self.scope = scope;
        self.confirm = None;
        self.dirty = true;
    }

    /// A run's message goes to the environment it runs on, shown or not.
    fn on_run_message(&mut self, ctx: &mut ScreenContextMut<'_>, scope: String, message: RunMessage) {
        if self.scope.as_ref() == Some(&scope) {
            return run::on_message(self, ctx, message);
        }
        // Swap that environment's runs in for this one message, then back.
        let theirs = self.elsewhere.entry(scope.clone()).or_default();
        std::mem::swap(&mut self.run, &mut theirs.run);
        std::mem::swap(&mut self.results, &mut theirs.results);
        run::on_message(self, ctx, message);
        let theirs = self.elsewhere.entry(scope).or_default();
        std::mem::swap(&mut self.run, &mut theirs.run);
        std::mem::swap(&mut self.results, &mut theirs.results);
    }

    /// Marks the roster changed: revalidate before the next frame.
    fn changed(&mut self) {
        self.dirty = true;
        self.draft = None;
    }

    /// Checks the whole roster again, in memory, against what the journal knows.
    fn revalidate(&mut self) {
        self.dirty = false;
        let journaled = self.journaled.value().cloned().unwrap_or_default();
        self.check = RosterCheck::against(&self.roster, journaled);
        self.check.set_risk_rules(&self.roster, self.risk_rules());
        self.refilter();
        self.recount();
    }

    /// The rules a row's risk columns are judged with: the template's, or (without a
    /// template yet) none, so a row's own values are still judged on their own.
    fn risk_rules(&self) -> TemplateRules {
        self.checked_risk.clone().unwrap_or(TemplateRules {
            template_id: 0,
            template_name: String::new(),
            rules: RiskRules::NotSet,
        })
    }

    /// Rows were added, deleted or reordered: their own cells need no new check.
    fn rows_moved(&mut self) {
        self.check.rows_moved(&self.roster);
        self.refilter();
        self.recount();
    }

    /// One cell edited: re-checks the rows it affects, and the row's place in the view.
    fn set_cell(&mut self, id: RowId, field: Field, value: String) {
        let Some(old) = self.roster.get(id).map(|t| t.get(field).to_string()) else { return };
        if !self.roster.update(id, field, value) {
            return;
        }
        self.results.remove(&id);
        self.check.cell_changed(&self.roster, id, field, &old);
        self.refilter_row(id);
        self.recount();
    }

    /// Keeps `journaled` current: asks for it again (on the runtime) when the journal
    /// or its change count moved, one read at a time, and not while a run is writing
    /// (its results say more; the count has moved when it ends, so it is read then).
    fn follow_journal(&mut self, ctx: &mut ScreenContextMut<'_>) {
        let workspace = ctx.connection.as_ref().and_then(|c| c.workspace.as_ref());
        let source = workspace.map(|w| (Arc::as_ptr(&w.journal) as usize, w.changes()));
        if source.map(|s| s.0) != self.journal_source.map(|s| s.0) {
            // Another environment's journal (or none): nothing of the old one may show.
            self.journaled = Remote::default();
            self.journal_source = None;
            self.dirty = true;
        }
        if let Some(workspace) = workspace
            && source != self.journal_source
            && !self.journaled.is_pending()
            && !self.run.is_running()
        {
            self.journal_source = source;
            let journal = workspace.journal.clone();
            self.journaled.request(ctx.bridge, async move {
                tokio::task::spawn_blocking(move || JournaledTraders::read(&journal))
                    .await
                    .map_err(|e| Problem::new("Reading the journal stopped unexpectedly", e.to_string()))?
                    .map(Arc::new)
                    .map_err(|e| Problem::simple(e.to_string()).context("Reading the journal"))
            });
        }
        if self.journaled.poll() {
            if let Some(error) = self.journaled.error() {
                ctx.toasts.error(error);
            }
            let journaled = self.journaled.value().cloned().unwrap_or_default();
            // Most changes (a grant, a history line) concern no row: then nothing to recount.
            if self.check.journal_changed(&self.roster, journaled).is_none_or(|rows| !rows.is_empty()) {
                self.recount();
            }
        }
    }

    fn refilter(&mut self) {
        self.view = if self.filter.trim().is_empty() { self.roster.ids() } else { self.roster.filter(&self.filter) };
    }

    /// After one row changed: shows or hides it under the filter, in roster order.
    fn refilter_row(&mut self, id: RowId) {
        if self.filter.trim().is_empty() {
            return;
        }
        let roster = &self.roster;
        let target = roster.index_of(id).unwrap_or(usize::MAX);
        let at = self.view.partition_point(|r| roster.index_of(*r).unwrap_or(usize::MAX) < target);
        let shown = self.view.get(at) == Some(&id);
        match (roster.shows(id, &self.filter), shown) {
            (true, false) => self.view.insert(at, id),
            (false, true) => {
                self.view.remove(at);
            }
            _ => {}
        }
    }

    fn import_file(&mut self, ctx: &mut ScreenContextMut<'_>) {
        if self.importing {
            return;
        }
        self.importing = true;
        let dialog = self.open_dialog.clone();
        let runtime = ctx.bridge.runtime.clone();
        let job = async move {
            match dialog().await {
                Ok(None) => Message::ImportCancelled,
                Err(message) => Message::DialogUnavailable(message),
                Ok(Some(path)) => {
                    let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    let result = runtime
                        .spawn_blocking(move || parse_file(&path))
                        .await
                        .unwrap_or_else(|e| Err(format!("the import stopped unexpectedly ({e})")));
                    Message::Imported { file, result }
                }
            }
        };
        // A panic is told by its toast; the screen only stops waiting.
        self.inbox.spawn(ctx.bridge, job, |_| Message::ImportCancelled);
    }

    /// Imports the first CSV or Excel file of a drop, read and parsed off the UI thread.
    fn import_dropped(&mut self, files: Vec<egui::DroppedFileHandle>, ctx: &mut ScreenContextMut<'_>) {
        if self.importing {
            return;
        }
        let Some(file) = files.iter().find(|f| roster_kind(f.path()).is_some()).cloned() else {
            let names: Vec<String> = files.iter().map(|f| file_name(f.path())).collect();
            let problem = Problem::simple(format!("{} is not a CSV or Excel (.xlsx) file", names.join(", ")));
            ctx.toasts.error(&problem.context("Importing a dropped file"));
            return;
        };
        if files.len() > 1 {
            ctx.toasts.info(format!("Importing {}; drop the other files one at a time", file_name(file.path())));
        }
        self.importing = true;
        let job = move || Message::Imported { file: file_name(file.path()), result: parse_dropped(file.as_ref()) };
        self.inbox.spawn_blocking(ctx.bridge, job, |_| Message::ImportCancelled);
    }

    fn save(&mut self, ctx: &mut ScreenContextMut<'_>, what: &'static str, suggested: &str, bytes: Vec<u8>) {
        let picked: PickedPath = match &self.save_dialog {
            Some(dialog) => dialog(suggested.to_string()),
            None => native_save(what, suggested.to_string()),
        };
        let job = async move {
            let result = match picked.await {
                None => Ok(None),
                Some(path) => tokio::task::spawn_blocking(move || std::fs::write(&path, bytes).map(|()| path))
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|r| r.map_err(|e| e.to_string()))
                    .map(Some),
            };
            Message::Saved { what, result }
        };
        self.inbox.spawn(ctx.bridge, job, move |_| Message::Saved { what, result: Ok(None) });
    }

    /// Rows that pass validation and are not onboarded yet (in this session's run or
    /// an earlier one, per the journal).
    fn ready_rows(&self) -> Vec<RowId> {
        self.roster
            .iter()
            .filter(|(id, trader)| self.check.validation.is_valid(*id) && !self.is_done(*id, trader))
            .map(|(id, _)| id)
            .collect()
    }

    fn is_done(&self, id: RowId, trader: &Trader) -> bool {
        match self.results.get(&id) {
            Some(result) => result.is_done(),
            None => self.check.earlier_of(trader).is_some_and(is_onboarded),
        }
    }

    /// Recounts the run bar's numbers (after validation or a row result changed), so
    /// frames do no work proportional to the roster. One pass: it runs after each edit.
    fn recount(&mut self) {
        let mut counts = Counts::default();
        for (id, trader) in self.roster.iter() {
            let (valid, done) = (self.check.validation.is_valid(id), self.is_done(id, trader));
            counts.ready += usize::from(valid && !done);
            counts.done += usize::from(done);
            counts.invalid += usize::from(!valid);
        }
        self.counts = counts;
        self.recount = false;
    }
}

/// Which reader a file needs, from its extension: `Some(true)` Excel, `Some(false)` CSV,
/// `None` neither.
fn roster_kind(path: &Path) -> Option<bool> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "xlsx" | "xlsm" => Some(true),
        "csv" | "txt" | "tsv" => Some(false),
        _ => None,
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Reads a CSV or Excel file into a fresh roster (blocking pool).
fn parse_file(path: &Path) -> Result<(Roster, ImportReport), String> {
    let mut roster = Roster::new();
    let is_xlsx = roster_kind(path) == Some(true);
    let report = if is_xlsx { import_xlsx_file(&mut roster, path, None) } else { import_csv_file(&mut roster, path) };
    report.map(|report| (roster, report)).map_err(|e| e.to_string())
}

/// A dropped file: the size is checked from the file system before it is read (a drop
/// from a browser may have no file behind it; then after).
fn parse_dropped(file: &(dyn egui::DroppedFile + Send + Sync)) -> Result<(Roster, ImportReport), String> {
    if let Ok(metadata) = std::fs::metadata(file.path()) {
        check_file_size(metadata.len()).map_err(|e| e.to_string())?;
    }
    let bytes = file.bytes().map_err(|e| format!("Could not read the file: {e}"))?;
    let mut roster = Roster::new();
    let report = if roster_kind(file.path()) == Some(true) {
        import_xlsx(&mut roster, std::io::Cursor::new(bytes), None)
    } else {
        import_csv(&mut roster, &bytes)
    };
    report.map(|report| (roster, report)).map_err(|e| e.to_string())
}

fn native_save(what: &'static str, suggested: String) -> PickedPath {
    Box::pin(async move {
        rfd::AsyncFileDialog::new()
            .set_title(format!("Export {}", what.to_lowercase()))
            .set_file_name(suggested)
            .add_filter("CSV", &["csv"])
            .save_file()
            .await
            .map(|handle| handle.path().to_path_buf())
    })
}
/// The risk rules of the shown environment's template, if signed in with one chosen.
fn template_rules(ctx: &ScreenContextMut<'_>) -> Option<TemplateRules> {
    let settings = ctx.settings.environment(ctx.connection.as_ref()?.kind());
    let template = settings.template.as_ref()?;
    Some(settings.risk.rules_for(template.id, &template.name))
}
