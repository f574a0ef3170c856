//! Setup → "Team journal" (issue 14): point the window at a team's shared PostgreSQL
//! journal (address in the settings, password in the keyring), test it, switch to it
//! or back to this computer's file, and move this computer's traders into it.
//!
//! Connecting, the keyring and the move run off the UI thread; the switch itself is a
//! [`Command`] the app applies (it reopens the environment's workspace).

use super::SetupView;
use crate::api::{EnvironmentKind, Secret};
use crate::onboarding::journal::transfer::{self, MovePlan, MoveProgress, MoveReport};
use crate::onboarding::journal::{
    Journal, ServerSummary, is_postgres_url, split_password, team_journal_name, test_connection,
};
use crate::store::{KeyringError, SecretStore, TeamJournalSettings};
use crate::ui::command::Command;
use crate::ui::confirm::{self, Confirmation};
use crate::ui::problem::Problem;
use crate::ui::remote::{Inbox, Remote};
use crate::ui::{theme, widgets};
use egui::{RichText, Ui};
use std::path::PathBuf;
use std::sync::atomic::Ordering;

/// The confirmation's scope: the move is not tied to one environment's connection.
const MOVE_SCOPE: &str = "team-journal-move";

/// What the copy reports while it runs.
enum MoveMessage {
    Progress(MoveProgress),
    Done(Result<MoveReport, Problem>),
}

/// The card's state. The password is a plain string for the text field, so no `Debug`.
#[derive(Default)]
pub struct TeamJournalCard {
    url: String,
    password: String,
    show_password: bool,
    /// The saved address the form was last filled from (refilled when it changes).
    filled_from: Option<Option<String>>,
    test: Remote<ServerSummary>,
    plan: Remote<MovePlan>,
    confirm: Option<Confirmation<MovePlan>>,
    moving: Inbox<MoveMessage>,
    progress: Option<MoveProgress>,
    /// What the last dry run or copy ended with, beside the Move button.
    move_note: Option<Result<Vec<String>, Problem>>,
}

impl TeamJournalCard {
    pub fn ui(&mut self, ui: &mut Ui, view: &SetupView<'_>, commands: &mut Vec<Command>) {
        let saved = view.settings.team_journal.as_ref().map(|t| t.url.clone());
        if self.filled_from.as_ref() != Some(&saved) {
            self.url = saved.clone().unwrap_or_default();
            self.password.clear();
            self.filled_from = Some(saved.clone());
        }
        self.test.poll();
        self.poll_move();

        widgets::hint(ui, "Share onboarding with your team: everyone's traders on one board.");
        ui.add_space(6.0);
        in_use_ui(ui, view);
        ui.add_space(6.0);
        // Label above field: the card is narrow, and an address is long.
        let width = ui.available_width().min(460.0);
        let address = widgets::text_field(ui, "Server address", &mut self.url, "postgres://user@host/propdesk", width);
        if address.changed() {
            self.take_password_from_url();
        }
        ui.add_space(2.0);
        let password =
            widgets::secret_field(ui, "Database password", &mut self.password, &mut self.show_password, width);
        // A result is about the address and password it was tested with.
        if (address.changed() || password.changed()) && !self.test.is_pending() {
            self.test = Remote::NotRequested;
        }
        if let Some(hint) = tls_hint(&self.url) {
            widgets::hint(ui, hint);
        }
        ui.add_space(6.0);
        self.test_ui(ui, view);
        ui.add_space(6.0);
        self.switch_ui(ui, view, commands);
        if view.settings.team_journal.is_some() {
            ui.add_space(8.0);
            ui.separator();
            self.move_ui(ui, view);
        }
    }

    /// A pasted `postgres://user:secret@…` puts the secret in the (masked) password field.
    fn take_password_from_url(&mut self) {
        let (url, password) = split_password(self.url.trim());
        if let Some(password) = password {
            self.url = url;
            self.password = password.expose().to_string();
            self.show_password = false;
        }
    }

    /// The password typed, else (for the saved address) the keyring's, read in the job.
    fn password_source(&self, view: &SetupView<'_>) -> PasswordSource {
        let url = self.url.trim().to_string();
        if !self.password.is_empty() {
            return PasswordSource::Typed(Secret::new(self.password.clone()));
        }
        match &view.settings.team_journal {
            Some(saved) if saved.url == url => PasswordSource::Keyring(view.secrets.clone()),
            _ => PasswordSource::None,
        }
    }

    fn test_ui(&mut self, ui: &mut Ui, view: &SetupView<'_>) {
        ui.horizontal_wrapped(|ui| {
            let ready = !self.url.trim().is_empty();
            let testing = self.test.is_pending();
            let button = ui
                .add_enabled(ready && !testing, egui::Button::new("Test connection"))
                .on_hover_text("Connect once and count what the team journal holds; changes nothing")
                .on_disabled_hover_text(if ready { "Testing…" } else { "Enter the server address first" });
            if button.clicked() {
                let (url, password) = (self.url.trim().to_string(), self.password_source(view));
                self.test.request_blocking(view.bridge, move || {
                    let password = password.read(&url)?;
                    test_connection(&url, password.as_ref()).map_err(|e| Problem::simple(capitalized(&e.to_string())))
                });
            }
            if testing {
                ui.spinner();
            } else if let Some(problem) = self.test.error() {
                widgets::error_label(ui, problem);
            } else if let Remote::Ready(summary) = &self.test {
                ui.add(egui::Label::new(RichText::new(format!("✔ {summary}")).color(theme::SUCCESS)).wrap());
            }
        });
    }

    fn switch_ui(&mut self, ui: &mut Ui, view: &SetupView<'_>, commands: &mut Vec<Command>) {
        let (typed, typed_password) = TeamJournalSettings::from_typed_url(&self.url);
        let in_use = view.settings.team_journal.as_ref();
        let address_ok = is_postgres_url(&typed.url);
        let changed = in_use != Some(&typed) || !self.password.is_empty();
        let refused = view.journal_busy.as_deref();
        ui.horizontal_wrapped(|ui| {
            let why_not = if !address_ok {
                "Enter an address that starts with postgres://"
            } else if !changed {
                "The team journal at this address is already in use"
            } else {
                "The journal cannot be switched now"
            };
            let enabled = address_ok && changed && refused.is_none();
            // Only an action that can be taken wears the primary colour.
            let button =
                if enabled { super::primary_button("Use team journal") } else { egui::Button::new("Use team journal") };
            let use_team = ui
                .add_enabled(enabled, button)
                .on_hover_text(
                    "Save the address (the password goes to this computer's keyring) and open the team journal",
                )
                .on_disabled_hover_text(why_not);
            if use_team.clicked() {
                let password =
                    typed_password.or_else(|| (!self.password.is_empty()).then(|| Secret::new(self.password.clone())));
                self.password.clear();
                self.test = Remote::NotRequested;
                commands.push(Command::UseTeamJournal { settings: typed.clone(), password });
            }
            if in_use.is_some() {
                let local = ui
                    .add_enabled(refused.is_none(), egui::Button::new("Use this computer's journal"))
                    .on_hover_text("Back to the journal file on this computer; the team journal is left as it is");
                if local.clicked() {
                    commands.push(Command::UseLocalJournal);
                }
            }
        });
        if !self.url.trim().is_empty() && !address_ok {
            let problem =
                Problem::simple("The address starts with postgres:// (as postgres://user@host:5432/propdesk)");
            widgets::error_label(ui, &problem);
        }
        if let Some(reason) = refused {
            ui.label(RichText::new(format!("The journal cannot be switched while {reason}.")).color(theme::WARNING));
        }
    }

    fn move_ui(&mut self, ui: &mut Ui, view: &SetupView<'_>) {
        ui.label(RichText::new("Move my local journal into the team journal").strong());
        widgets::hint(
            ui,
            "Copies this computer's traders, with their history and unfinished writes. Traders the team \
             journal already has are left as they are; this computer's file is kept.",
        );
        let busy = self.plan.is_pending() || self.progress.is_some();
        ui.horizontal_wrapped(|ui| {
            let button = ui
                .add_enabled(!busy, egui::Button::new("Move my local journal…"))
                .on_hover_text("Counts first; nothing is copied before you confirm");
            if button.clicked() {
                self.move_note = None;
                self.start_plan(view);
            }
            if self.plan.is_pending() {
                ui.spinner();
                ui.label("Counting…");
            }
            if let Some(MoveProgress { done, total }) = self.progress {
                ui.add(egui::ProgressBar::new(done as f32 / total.max(1) as f32).desired_width(120.0));
                ui.label(format!("Copying… {done} of {}", confirm::traders(total)));
            }
        });
        match &self.move_note {
            Some(Ok(lines)) => {
                for line in lines {
                    ui.add(egui::Label::new(RichText::new(line).weak()).wrap());
                }
            }
            Some(Err(problem)) => {
                widgets::error_label(ui, problem);
            }
            None => {}
        }
        if self.plan.poll() {
            match std::mem::take(&mut self.plan) {
                Remote::Ready(plan) if plan.traders_to_copy() > 0 => self.ask(plan, view),
                Remote::Ready(plan) => self.move_note = Some(Ok(plan.summary())),
                Remote::Failed { error, .. } => self.move_note = Some(Err(error)),
                _ => {}
            }
        }
        if let Some(plan) = confirm::show(&mut self.confirm, ui.ctx(), Some(MOVE_SCOPE)) {
            self.start_copy(view, plan);
        }
    }

    fn ask(&mut self, plan: MovePlan, view: &SetupView<'_>) {
        let count = plan.traders_to_copy();
        let kind = view.connection.map_or(EnvironmentKind::Custom, |c| c.kind());
        let name = view.settings.team_journal.as_ref().map(|t| team_journal_name(&t.url)).unwrap_or_default();
        let mut dialog = Confirmation::new(plan.clone(), kind, MOVE_SCOPE, 1, "Move this computer's journal?")
            .consequence(format!("{} will be copied into the team journal {name}.", confirm::traders(count)))
            .labels(format!("Copy {}", confirm::traders(count)), "Cancel");
        for line in plan.summary() {
            dialog = dialog.detail(line);
        }
        self.confirm = Some(dialog.detail("This computer's journal file is kept as it is."));
    }

    /// The dry run: opens both journals off the UI thread and counts.
    fn start_plan(&mut self, view: &SetupView<'_>) {
        let Some(journals) = Journals::of(view) else { return };
        self.plan.request_blocking(view.bridge, move || {
            let (local, team) = journals.open()?;
            transfer::plan(&local, &team).map_err(|e| Problem::new("Counting what to copy failed", e.to_string()))
        });
    }

    fn start_copy(&mut self, view: &SetupView<'_>, _plan: MovePlan) {
        let Some(journals) = Journals::of(view) else { return };
        let changes = view.connection.and_then(|c| c.workspace.as_ref()).map(|w| w.change_counter());
        self.progress = Some(MoveProgress { done: 0, total: 0 });
        let outbox = self.moving.outbox(&view.bridge.ctx);
        self.moving.spawn_blocking(
            view.bridge,
            move || {
                let copied = journals.open().and_then(|(local, team)| {
                    transfer::copy(&local, &team, &mut |step| outbox.send(MoveMessage::Progress(step)))
                        .map_err(|e| Problem::new("Copying into the team journal stopped", e.to_string()))
                });
                // The board shows the copied traders at once.
                if let Some(changes) = changes {
                    changes.fetch_add(1, Ordering::Relaxed);
                }
                MoveMessage::Done(copied)
            },
            |problem| MoveMessage::Done(Err(problem)),
        );
    }

    fn poll_move(&mut self) {
        for message in self.moving.drain().collect::<Vec<_>>() {
            match message {
                MoveMessage::Progress(step) => self.progress = Some(step),
                MoveMessage::Done(result) => {
                    self.progress = None;
                    self.move_note = Some(result.map(|report| vec![report.summary()]));
                }
            }
        }
    }
}

/// "Team journal: db.example/propdesk" or "This computer's journal", and why the team
/// journal could not be opened (with what to do), if it could not.
fn in_use_ui(ui: &mut Ui, view: &SetupView<'_>) {
    let text = match &view.settings.team_journal {
        Some(team) => format!("In use: team journal {}", team_journal_name(&team.url)),
        None => "In use: this computer's journal".to_string(),
    };
    ui.label(RichText::new(text).strong());
    if view.connection.is_some_and(|c| c.kind() == EnvironmentKind::Sandbox) {
        widgets::hint(
            ui,
            "The Sandbox keeps its own practice journal; this applies to Staging, Production and Custom.",
        );
    }
    if let Some(problem) = view.connection.and_then(|c| c.workspace_problem.as_ref()) {
        widgets::error_label(ui, problem);
    }
}

/// Encryption is the server's choice; say how to ask for it when the address is not
/// this computer and does not ask already.
fn tls_hint(url: &str) -> Option<&'static str> {
    let url = url.trim();
    let local = ["@localhost", "@127.0.0.1", "@[::1]", "://localhost", "://127.0.0.1"].iter().any(|h| url.contains(h));
    (!url.is_empty() && !local && !url.contains("sslmode="))
        .then_some("Over a network, add ?sslmode=require to the address so the password and traders travel encrypted.")
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Where "Test connection" gets the password.
enum PasswordSource {
    Typed(Secret),
    Keyring(SecretStore),
    None,
}

impl PasswordSource {
    /// Blocking (the keyring): call it in the job.
    fn read(self, url: &str) -> Result<Option<Secret>, Problem> {
        match self {
            PasswordSource::Typed(secret) => Ok(Some(secret)),
            PasswordSource::Keyring(store) => match store.get_team_journal_password(url) {
                Ok(password) => Ok(password),
                // No keyring: nothing was saved there; the server may not need a password.
                Err(KeyringError::Unavailable { .. }) => Ok(None),
                Err(e) => Err(Problem::from(e).context("Reading the team journal's password")),
            },
            PasswordSource::None => Ok(None),
        }
    }
}

/// The two journals a move reads and writes, opened in the job.
struct Journals {
    local_file: PathBuf,
    team_url: String,
    secrets: SecretStore,
}

impl Journals {
    fn of(view: &SetupView<'_>) -> Option<Self> {
        let team = view.settings.team_journal.as_ref()?;
        Some(Self {
            local_file: view.local_journal.to_path_buf(),
            team_url: team.url.clone(),
            secrets: view.secrets.clone(),
        })
    }

    /// Blocking: the file, the keyring and the server.
    fn open(&self) -> Result<(Journal, Journal), Problem> {
        if !self.local_file.is_file() {
            return Err(Problem::simple("This computer has no journal yet: nothing to move."));
        }
        // The key a Journal is opened for does not matter here: the move reads every key.
        let local = Journal::open(&self.local_file, "")
            .map_err(|e| Problem::new("This computer's journal could not be opened", e.to_string()))?;
        let password = PasswordSource::Keyring(self.secrets.clone()).read(&self.team_url)?;
        let team = Journal::open_postgres_with_password(&self.team_url, password.as_ref(), "")
            .map_err(|e| Problem::new("The team journal could not be opened", e.to_string()))?;
        Ok((local, team))
    }
}
