//! The app: its state and background results. Commands are applied in `commands.rs`,
//! drawing is in `ui.rs` (split like rerun's app).

mod commands;
mod ui;

use super::bridge::Bridge;
use super::command::{Choice, Command, Screen, SignInRequest};
use super::connection::Connection;
use super::document_picker::{self, DocumentPicker};
use super::event::Event;
use super::help::{self, Help, HelpCommand};
use super::problem::Problem;
use super::remote::{Inbox, Remote};
use super::save_dialog::{self, SaveDialog};
use super::screens::activity::{ActivityScreen, ActivitySources};
use super::screens::pipeline::PipelineScreen;
use super::screens::setup::{RiskFileDialogs, SetupScreen};
use super::screens::subaccounts::SubaccountsScreen;
use super::screens::traders::TradersScreen;
use super::screens::{ScreenContext, ScreenContextMut};
use super::theme;
use super::toasts::Toasts;
use super::updates::Updates;
use super::workspace::{TeamJournal, Workspace, watch_starts_by_itself};
use crate::api::{Client, Environment, EnvironmentKind};
use crate::onboarding::agreements::WatchEvent;
use crate::onboarding::journal::Journal;
use crate::sandbox::SandboxConfig;
use crate::session::{SandboxHandle, SecretEvent, SecretWriter, Session, SignInError, SignedIn, sign_in};
use crate::store::activity_export::save_calls_csv;
use crate::store::settings_store::{OnError, WRITE_INTERVAL};
use crate::store::{KeyringError, Paths, SecretStore, Settings, SettingsStore};
use crate::subaccount::{PollPace, Registry};
use chrono::Local;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// Where the window starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartEnvironment {
    /// Start the in-process sandbox and sign in to it (the first-start default).
    Sandbox,
    /// The environment used last: the sandbox, or the sign-in saved in the keyring
    /// (the form when nothing was saved).
    LastUsed,
    /// Nobody signed in; the Setup form is shown.
    SignedOut,
}

/// Everything the app needs from outside, so tests can inject a temp dir, a mock
/// keyring and a fake save dialog.
pub struct AppConfig {
    pub paths: Paths,
    pub secret_store: SecretStore,
    pub start: StartEnvironment,
    /// The app's tokio runtime; the UI thread never waits on it.
    pub runtime: tokio::runtime::Handle,
    pub save_dialog: SaveDialog,
    /// When the process started, to log the time to the first frame.
    pub started_at: Option<Instant>,
    /// How the in-process Sandbox behaves (tests shorten its delays).
    pub sandbox_config: SandboxConfig,
    /// Subaccounts: how an identity document is chosen; tests answer a fixed file.
    pub document_picker: DocumentPicker,
    /// Subaccounts: how often the open request list checks statuses (tests shorten it).
    pub subaccount_poll_pace: PollPace,
    /// Traders: picks the roster file to import (tests answer a fixed path).
    pub file_picker: super::open_dialog::OpenDialog,
    /// Traders: where roster/credentials/results exports go (`None`: native).
    pub traders_save_dialog: Option<SaveDialog>,
    /// Setup: the risk profile editor's Import… and Export… (tests answer fixed paths).
    pub risk_files: RiskFileDialogs,
    /// Test hook: where Production points. `None` (always, outside tests) means
    /// Tradovate's production hosts; a test passes a sandbox's URLs with kind Production
    /// to see what the window does on Production without touching the real server.
    pub production_hosts: Option<Environment>,
    /// Help: opens the logs folder in the file manager (tests record it).
    pub open_folder: help::FolderOpener,
    /// The crash report of the last run the user was not told about yet.
    pub crashed_last_time: Option<std::path::PathBuf>,
    /// The update manifest's URL (`update::manifest_url`; tests pass a local server's).
    /// `None`: no update check and no update UI.
    pub update_url: Option<String>,
}

impl AppConfig {
    /// The defaults of the real app: platform keyring, last environment, native dialog.
    /// Reads the crash marker (blocking): call it before the window opens.
    pub fn new(paths: Paths, runtime: tokio::runtime::Handle) -> Self {
        Self {
            crashed_last_time: crate::diagnostics::crash::pending(&paths.logs_dir()),
            open_folder: help::native_folder_opener(),
            paths,
            secret_store: SecretStore::platform(),
            start: StartEnvironment::LastUsed,
            runtime,
            save_dialog: save_dialog::native(),
            started_at: None,
            sandbox_config: SandboxConfig::default(),
            document_picker: document_picker::native(),
            subaccount_poll_pace: PollPace::default(),
            file_picker: super::open_dialog::native(),
            traders_save_dialog: None,
            risk_files: RiskFileDialogs::native(),
            production_hosts: None,
            update_url: crate::update::manifest_url(),
        }
    }
}

/// The screens that keep state of their own.
#[derive(Default)]
struct Screens {
    traders: TradersScreen,
    pipeline: PipelineScreen,
    subaccounts: SubaccountsScreen,
}

pub struct PropdeskApp {
    bridge: Bridge,
    events: Inbox<Event>,
    paths: Paths,
    /// Edits mark it dirty; it writes at most every `WRITE_INTERVAL`, off this thread.
    settings: SettingsStore,
    secret_store: SecretStore,
    /// Every keyring write of a sign-in, in order (see `session::secrets`).
    secrets: SecretWriter,
    save_dialog: SaveDialog,
    screen: Screen,
    icon: egui::TextureHandle,
    sandbox: Option<(SandboxHandle, Environment)>,
    sandbox_config: SandboxConfig,
    sign_in: Remote<Option<SignedIn>>,
    signing_in: Option<EnvironmentKind>,
    sign_in_error: Option<(EnvironmentKind, Problem)>,
    connection: Option<Connection>,
    keyring_note: Option<(EnvironmentKind, Result<&'static str, Problem>)>,
    activity: ActivitySources,
    toasts: Toasts,
    setup: SetupScreen,
    activity_screen: ActivityScreen,
    screens: Screens,
    exporting: bool,
    started_at: Option<Instant>,
    production_hosts: Option<Environment>,
    /// The Sandbox's journal and registry: kept in memory for the whole launch (as the
    /// Sandbox is), so signing in to it again after another environment finds its traders.
    sandbox_files: Option<(Arc<Journal>, Arc<Registry>)>,
    help: Help,
    updates: Updates,
}

impl PropdeskApp {
    /// Traders screen hook (tests): the signed-in environment's journal, once open, so a
    /// test can check what was (and was not) sent.
    pub fn journal(&self) -> Option<Arc<Journal>> {
        self.connection.as_ref().and_then(|c| c.workspace.as_ref()).map(|w| w.journal.clone())
    }

    /// Test hook: the signed-in client, so a test can read back what the server holds.
    pub fn client(&self) -> Option<crate::api::Client> {
        self.connection.as_ref().map(|c| c.client.clone())
    }

    pub fn new(cc: &eframe::CreationContext<'_>, config: AppConfig) -> Self {
        let ctx = cc.egui_ctx.clone();
        theme::install(&ctx);
        let (bridge, events) = Bridge::new(config.runtime.clone(), ctx.clone());
        let (settings, settings_problem) =
            SettingsStore::open(config.paths.settings_file(), WRITE_INTERVAL, settings_errors(&bridge));
        theme::apply_choice(&ctx, settings.theme);
        let secrets = SecretWriter::start(config.secret_store.clone(), &config.runtime, secret_events(&bridge));
        let screen = Screen::from_slug(&settings.last_screen).unwrap_or(Screen::Setup);
        let first_view = match config.start {
            StartEnvironment::Sandbox => EnvironmentKind::Sandbox,
            _ => settings.last_environment,
        };
        let help = Help::new(config.paths.logs_dir(), config.open_folder, config.crashed_last_time);
        let mut app = Self {
            setup: SetupScreen::new(first_view, &settings, config.risk_files),
            bridge,
            events,
            paths: config.paths,
            settings,
            secrets,
            secret_store: config.secret_store.clone(),
            save_dialog: config.save_dialog,
            screen,
            icon: ui::load_icon(&ctx),
            sandbox: None,
            sandbox_config: config.sandbox_config,
            sign_in: Remote::NotRequested,
            signing_in: None,
            sign_in_error: None,
            connection: None,
            keyring_note: None,
            activity: ActivitySources::default(),
            toasts: Toasts::default(),
            activity_screen: ActivityScreen::default(),
            // The screens get their file dialogs, and the wizard the keyring for drafts.
            screens: Screens {
                traders: TradersScreen::new(config.file_picker, config.traders_save_dialog),
                pipeline: PipelineScreen::default(),
                subaccounts: SubaccountsScreen::new(config.document_picker, config.secret_store.clone())
                    .with_poll_pace(config.subaccount_poll_pace),
            },
            exporting: false,
            started_at: config.started_at,
            production_hosts: config.production_hosts,
            sandbox_files: None,
            help,
            updates: Updates::new(config.update_url),
        };
        if let Some(problem) = settings_problem {
            app.toasts.error(&problem.into());
        }
        // A few lines from the data folder, like the settings just above.
        if let Some(problem) = crate::restricted_countries::install_from(&app.paths.data_dir) {
            app.toasts.error(&Problem::new("The restricted countries file is not used", problem));
        }
        match (config.start, app.settings.last_environment) {
            (StartEnvironment::Sandbox, _) | (StartEnvironment::LastUsed, EnvironmentKind::Sandbox) => {
                app.sign_in_sandbox()
            }
            (StartEnvironment::LastUsed, kind) => app.restore(kind),
            (StartEnvironment::SignedOut, _) => {}
        }
        app
    }

    // ---- Background results ------------------------------------------------------

    fn handle_event(&mut self, event: Event) {
        match event {
            Event::ActivitySource(kind, log) => self.activity.add(kind, log, &self.bridge.ctx),
            Event::KeyringSaved(kind, result) => {
                // "No keyring" is said in the connection card; a refusal is worth a toast.
                if let Err(error @ KeyringError::Failed(_)) = &result {
                    self.toasts.error(&error.clone().into());
                }
                self.keyring_note = Some((kind, result.map_err(Problem::from)));
            }
            Event::KeyringForgotten(kind, result) => {
                // No keyring means nothing was saved: nothing to tell.
                if let Err(error @ KeyringError::Failed(_)) = result {
                    let doing = format!("Removing the saved {} sign-in", kind.label());
                    self.toasts.error(&Problem::from(error).context(&doing));
                }
            }
            Event::TokenSaved(result) => {
                if let Err(error) = result {
                    self.toasts.error(&Problem::from(error).context("Saving the renewed session"));
                }
            }
            Event::WorkspaceReady(kind, opened) => self.adopt_workspace(kind, opened),
            Event::TeamJournalPasswordSaved(team, saved) => self.team_journal_saved(team, saved),
            Event::Watch(event) => self.on_watch_event(event),
            Event::UpdateChecked { asked, result } => self.updates.on_checked(asked, result, &mut self.toasts),
            Event::JobPanicked(text) => {
                self.toasts.error(&Problem::new("A background job failed unexpectedly", text));
            }
            Event::SettingsSaved(result) => {
                if let Err(error) = result {
                    self.toasts.error(&error.into());
                }
            }
            Event::FolderOpened(result) => {
                if let Err(problem) = result {
                    self.toasts.error(&problem);
                }
            }
            Event::Exported(noun, result) => {
                self.exporting = false;
                match result {
                    Ok(Some((path, count))) => self.toasts.info(format!("Saved {count} {noun} to {}", path.display())),
                    Ok(None) => {}
                    Err(problem) => self.toasts.error(&problem),
                }
            }
        }
    }

    fn poll_sign_in(&mut self) {
        if !self.sign_in.poll() {
            return;
        }
        let kind = self.signing_in.take();
        match std::mem::take(&mut self.sign_in) {
            Remote::Ready(Some(signed)) => self.adopt(signed),
            Remote::Ready(None) => {}
            Remote::Failed { error, .. } => {
                if let Some(kind) = kind {
                    self.sign_in_error = Some((kind, error));
                }
            }
            other => self.sign_in = other,
        }
    }

    /// Makes a signed-in client the connection: the session (renewal, keyring), setup data.
    fn adopt(&mut self, signed: SignedIn) {
        let kind = signed.client.environment().kind;
        if let Some(sandbox) = signed.sandbox {
            self.sandbox = Some(sandbox);
        }
        if let Some(old) = self.connection.take() {
            old.leave();
        }
        self.keyring_note = match signed.restored_from {
            Some(store_name) => Some((kind, Ok(store_name))),
            None => None,
        };
        let (app_id, cid) = (signed.credentials.app_id.clone(), signed.credentials.cid.clone());
        let ctx = self.bridge.ctx.clone();
        let session = Session::start(
            signed.client,
            signed.credentials,
            signed.remember,
            signed.restored_from.is_some(),
            &self.secrets,
            &self.bridge.runtime,
            move || ctx.request_repaint(),
        );
        let mut connection = Connection::new(session, app_id, cid);
        match (&self.sandbox_files, kind) {
            (Some((journal, registry)), EnvironmentKind::Sandbox) => {
                let opened = Ok((journal.clone(), registry.clone()));
                self.bridge.send(Event::WorkspaceReady(kind, opened));
            }
            _ => self.open_workspace(&connection.environment, &connection.client),
        }
        self.settings.edit().last_environment = kind;
        self.setup.view_environment(kind, &self.settings);
        connection.request_missing(&self.bridge);
        self.connection = Some(connection);
        self.update_title();
    }

    /// Keeps the connection's data loaded (the session saves renewed tokens itself).
    fn tend_connection(&mut self) {
        let Some(connection) = &mut self.connection else { return };
        if connection.poll() {
            let kind = connection.kind();
            if connection.preselect(self.settings.edit_quietly().environment_mut(kind)) {
                self.settings.mark_dirty();
            }
        }
        connection.request_missing(&self.bridge);
        let chosen_entitlement = self.settings.environment(connection.kind()).entitlement.as_ref().map(|c| c.id);
        if let Some(workspace) = &mut connection.workspace
            && workspace.entitlement_id != chosen_entitlement
        {
            // The watch grants what Setup chose; restart it when the choice changes (an
            // idle watch stays idle: it starts only once confirmed).
            workspace.entitlement_id = chosen_entitlement;
            if workspace.is_watching() {
                workspace.start_watch(&connection.client, &self.bridge);
            }
        }
        let kind = connection.kind();
        if let Some(workspace) = &mut connection.workspace {
            workspace.tend_team_watcher(kind, &connection.client, &self.bridge);
        }
        if connection.client.session().is_none() && !connection.lost_reported {
            connection.lost_reported = true;
            self.toasts
                .error(&Problem::simple("Signed out: the session ended and could not be renewed. Sign in again."));
        }
    }

    fn adopt_workspace(&mut self, kind: EnvironmentKind, opened: Result<(Arc<Journal>, Arc<Registry>), String>) {
        let Some(connection) = self.connection.as_mut().filter(|c| c.kind() == kind) else { return };
        // An open started before a switch of journals (a file after "Use team journal",
        // or the reverse) arrives late: the switch's own open follows.
        let stale = |journal: &Journal| {
            kind != EnvironmentKind::Sandbox && journal.path().is_some() == self.settings.team_journal.is_some()
        };
        if let Ok((journal, _)) = &opened
            && stale(journal)
        {
            return;
        }
        match opened {
            Ok((journal, registry)) => {
                if kind == EnvironmentKind::Sandbox {
                    self.sandbox_files = Some((journal.clone(), registry.clone()));
                }
                let mut workspace = Workspace::new(journal, registry);
                workspace.entitlement_id = self.settings.environment(kind).entitlement.as_ref().map(|c| c.id);
                workspace.start_watch_if_allowed(kind, &connection.client, &self.bridge);
                workspace.follow_changes(&self.bridge);
                connection.workspace = Some(workspace);
                connection.workspace_problem = None;
            }
            Err(error) => {
                let problem = if crate::onboarding::journal::is_firm_refusal(&error) {
                    // Says what to do by itself: the firm bound and the firm signed in to.
                    Problem::simple(error.trim_start_matches("journal: "))
                } else if let Some(team) =
                    self.settings.team_journal.as_ref().filter(|_| kind != EnvironmentKind::Sandbox)
                {
                    // Never a silent fallback to the file: that would split the team's data.
                    Problem::new(
                        format!(
                            "The team journal {} could not be opened: fix it on Setup (Team journal card), \
                             or switch back to this computer's journal there",
                            crate::onboarding::journal::team_journal_name(&team.url)
                        ),
                        error,
                    )
                } else {
                    Problem::new("The onboarding journal could not be opened", error)
                };
                self.toasts.error(&problem);
                connection.workspace_problem = Some(problem);
            }
        }
    }

    // ---- Team journal (Setup → Team journal) ----------------------------------------

    /// Opens the environment's journal off the UI thread: the team's database when the
    /// settings name one, else this computer's file.
    fn open_workspace(&self, environment: &Environment, client: &Client) {
        let team = self.settings.team_journal.as_ref().map(|team| TeamJournal {
            url: team.url.clone(),
            secrets: self.secret_store.clone(),
            signed_in: client.clone(),
        });
        Workspace::open_in_background(&self.bridge, &self.paths, environment, team)
    }

    /// Which journal the signed-in environment's board reads, for the top bar:
    /// "Team journal: db.example/propdesk" or "This computer's journal" (`None` on the
    /// Sandbox, whose practice journal lives in memory, and until it is open).
    pub(super) fn journal_in_use(&self) -> Option<String> {
        let connection = self.connection.as_ref().filter(|c| c.kind() != EnvironmentKind::Sandbox)?;
        let journal = &connection.workspace.as_ref()?.journal;
        Some(match (journal.path(), &self.settings.team_journal) {
            (None, Some(team)) => format!("Team journal: {}", crate::onboarding::journal::team_journal_name(&team.url)),
            _ => "This computer's journal".to_string(),
        })
    }

    /// Why the journal may not be switched now, if it may not.
    pub(super) fn journal_busy(&self) -> Option<String> {
        if self.screens.traders.run_in_progress() {
            Some("an onboarding run is in progress".into())
        } else if self.screens.pipeline.write_in_progress() {
            Some("a revoke, cancel or risk-rule update is in progress".into())
        } else {
            None
        }
    }

    /// Saves the password in the keyring off the UI thread; the address follows once it is there.
    fn use_team_journal(&mut self, team: crate::store::TeamJournalSettings, password: Option<crate::api::Secret>) {
        if let Some(reason) = self.journal_busy() {
            self.toasts.error(&Problem::simple(format!("The journal was not switched: {reason}")));
            return;
        }
        let secrets = self.secret_store.clone();
        self.bridge.spawn_blocking(move || {
            let saved = match &password {
                Some(password) => secrets.set_team_journal_password(&team.url, password),
                None => Ok(()),
            };
            Event::TeamJournalPasswordSaved(team, saved)
        });
    }

    fn team_journal_saved(&mut self, team: crate::store::TeamJournalSettings, saved: Result<(), KeyringError>) {
        if let Err(error) = saved {
            self.toasts.error(&Problem::from(error).context("Saving the team journal's password"));
            return;
        }
        self.settings.edit().team_journal = Some(team);
        self.reopen_workspace();
    }

    pub(super) fn use_local_journal(&mut self) {
        if let Some(reason) = self.journal_busy() {
            self.toasts.error(&Problem::simple(format!("The journal was not switched: {reason}")));
            return;
        }
        self.settings.edit().team_journal = None;
        self.reopen_workspace();
    }

    /// After a switch: the signed-in environment's journal is opened again from the
    /// settings (the Sandbox keeps its practice journal).
    fn reopen_workspace(&mut self) {
        let Some(connection) = self.connection.as_mut() else { return };
        if connection.kind() == EnvironmentKind::Sandbox {
            return;
        }
        // Dropping the workspace stops its watch; the new one starts its own.
        connection.workspace = None;
        connection.workspace_problem = None;
        let (environment, client) = (connection.environment.clone(), connection.client.clone());
        self.open_workspace(&environment, &client);
    }

    fn on_watch_event(&mut self, event: WatchEvent) {
        let Some(workspace) = self.connection.as_mut().and_then(|c| c.workspace.as_mut()) else { return };
        workspace.on_watch_event(&event);
        match event {
            WatchEvent::Failed(text) => self.toasts.error(&Problem::simple(text)),
            WatchEvent::GrantFailed { name, error } => {
                self.toasts.error(&Problem::new(format!("T-Prop could not be granted to {name}"), error))
            }
            WatchEvent::Stopped(reason) => {
                self.toasts.error(&Problem::new("Stopped watching for agreement signatures", reason))
            }
            WatchEvent::Skipped { name, reason } => self.toasts.info(format!("T-Prop not granted to {name}: {reason}")),
            _ => {}
        }
    }

    // ---- Screens with their own state ----------------------------------------------

    /// The screens, and what they may see while drawing (split so both can be borrowed).
    fn split(&mut self) -> (&mut Screens, ScreenContext<'_>) {
        let ctx = ScreenContext { connection: self.connection.as_ref(), settings: &self.settings };
        (&mut self.screens, ctx)
    }

    /// The screens, and what they may change when applying commands.
    fn split_mut(&mut self) -> (&mut Screens, ScreenContextMut<'_>) {
        let (settings, settings_dirty) = self.settings.parts_mut();
        let ctx = ScreenContextMut {
            bridge: &self.bridge,
            connection: self.connection.as_mut(),
            settings,
            settings_dirty,
            toasts: &mut self.toasts,
            paths: &self.paths,
        };
        (&mut self.screens, ctx)
    }

    /// Lets the screens poll their background work (every frame, before drawing).
    fn tick_screens(&mut self) {
        let (screens, mut ctx) = self.split_mut();
        screens.traders.tick(&mut ctx);
        screens.pipeline.tick(&mut ctx);
        screens.subaccounts.tick(&mut ctx);
    }
}

/// The keyring writer's reports, as the window's events.
fn secret_events(bridge: &Bridge) -> crate::session::Report {
    let bridge = bridge.clone();
    Arc::new(move |event| {
        bridge.send(match event {
            SecretEvent::Remembered(kind, result) => Event::KeyringSaved(kind, result),
            SecretEvent::Forgotten(kind, result) => Event::KeyringForgotten(kind, result),
            SecretEvent::TokenSaved(result) => Event::TokenSaved(result),
            SecretEvent::Panicked(text) => Event::JobPanicked(text),
        })
    })
}

/// Failed settings writes, as the window's events (a toast).
fn settings_errors(bridge: &Bridge) -> OnError {
    let bridge = bridge.clone();
    Box::new(move |error| {
        // Logged too: at exit nobody reads the events any more.
        tracing::warn!("{error}");
        bridge.send(Event::SettingsSaved(Err(error)));
    })
}
