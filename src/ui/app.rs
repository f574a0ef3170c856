//! The app: state, background results, and applying commands after drawing.

use super::bridge::Bridge;
use super::command::{Choice, Command, Screen, SignInRequest};
use super::connection::Connection;
use super::document_picker::{self, DocumentPicker};
use super::event::Event;
use super::help::{self, Help, HelpCommand};
use super::problem::Problem;
use super::remote::Remote;
use super::sandbox_env::{self, SandboxHandle};
use super::save_dialog::{self, SaveDialog};
use super::screens::activity::{ActivityScreen, ActivitySources};
use super::screens::pipeline::PipelineScreen;
use super::screens::setup::{RiskFileDialogs, SetupScreen, SetupView};
use super::screens::subaccounts::SubaccountsScreen;
use super::screens::traders::TradersScreen;
use super::screens::{ScreenContext, ScreenContextMut};
use super::toasts::Toasts;
use super::top_bar::{self, TopBarView};
use super::updates::Updates;
use super::workspace::{Workspace, watch_starts_by_itself};
use super::{ICON_PNG, nav, theme};
use crate::api::activity::{CallRecord, to_csv};
use crate::api::{Client, Credentials, Environment, EnvironmentKind};
use crate::onboarding::agreements::WatchEvent;
use crate::onboarding::journal::Journal;
use crate::sandbox::SandboxConfig;
use crate::store::keyring::SavedToken;
use crate::store::{KeyringError, Paths, SecretStore, Settings, load_saved_credentials};
use crate::subaccount::{PollPace, Registry};
use chrono::{DateTime, Local, Utc};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
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

/// A finished sign-in, ready to become the connection.
struct SignedIn {
    client: Client,
    credentials: Credentials,
    remember: bool,
    /// A sandbox started for this sign-in, with its environment.
    sandbox: Option<(SandboxHandle, Environment)>,
    /// Set when the session came from the keyring: which store held it.
    restored_from: Option<&'static str>,
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
    events: Receiver<Event>,
    paths: Paths,
    settings: Settings,
    settings_dirty: bool,
    /// Serializes writes and drops stale ones (the blocking pool may reorder them).
    settings_writer: Arc<Mutex<u64>>,
    settings_generation: u64,
    secret_store: SecretStore,
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
        let settings_file = config.paths.settings_file();
        let fresh = !settings_file.exists();
        let (settings, settings_problem) = Settings::load_or_default(&settings_file);
        theme::apply_choice(&ctx, settings.theme);
        let (bridge, events) = Bridge::new(config.runtime.clone(), ctx.clone());
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
            settings_dirty: fresh,
            settings_writer: Arc::new(Mutex::new(0)),
            settings_generation: 0,
            secret_store: config.secret_store.clone(),
            save_dialog: config.save_dialog,
            screen,
            icon: load_icon(&ctx),
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
            Event::Exported(result) => {
                self.exporting = false;
                match result {
                    Ok(Some((path, count))) => self.toasts.info(format!("Saved {count} calls to {}", path.display())),
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

    /// Makes a signed-in client the connection: renewal, keyring, setup data.
    fn adopt(&mut self, signed: SignedIn) {
        let kind = signed.client.environment().kind;
        if let Some(sandbox) = signed.sandbox {
            self.sandbox = Some(sandbox);
        }
        if let Some(old) = self.connection.take() {
            old.client.sign_out();
        }
        let remember = signed.remember && kind != EnvironmentKind::Sandbox;
        let credentials = signed.credentials;
        let mut connection =
            Connection::new(signed.client, credentials.app_id.clone(), credentials.cid.clone(), remember, &self.bridge);
        connection.login_name = credentials.name.clone();
        match (&self.sandbox_files, kind) {
            (Some((journal, registry)), EnvironmentKind::Sandbox) => {
                let opened = Ok((journal.clone(), registry.clone()));
                self.bridge.send(Event::WorkspaceReady(kind, opened));
            }
            _ => Workspace::open_in_background(&self.bridge, &self.paths, &connection.environment),
        }
        self.keyring_note = None;
        if remember {
            let token = connection.client.token();
            connection.saved_token_expiry = token.as_ref().map(|t| t.expires_at);
            if let Some(store_name) = signed.restored_from {
                self.keyring_note = Some((kind, Ok(store_name)));
            } else {
                let saved =
                    token.zip(connection.client.session()).map(|(token, session)| SavedToken { token, session });
                let store = self.secret_store.clone();
                self.bridge.spawn_blocking(move || {
                    let result = store.remember(kind, &credentials, saved).and_then(|()| store.backend());
                    Event::KeyringSaved(kind, result)
                });
            }
        } else if kind != EnvironmentKind::Sandbox {
            // "Remember" was switched off: nothing of this login stays on the computer.
            let store = self.secret_store.clone();
            let name = credentials.name.clone();
            self.bridge.spawn_blocking(move || Event::KeyringForgotten(kind, store.forget(kind, &name)));
        }
        self.settings.last_environment = kind;
        self.settings_dirty = true;
        self.setup.view_environment(kind, &self.settings);
        connection.request_missing(&self.bridge);
        self.connection = Some(connection);
        self.update_title();
    }

    /// Keeps the connection's data loaded and its renewed token saved.
    fn tend_connection(&mut self) {
        let Some(connection) = &mut self.connection else { return };
        if connection.poll() {
            let kind = connection.kind();
            if connection.preselect(self.settings.environment_mut(kind)) {
                self.settings_dirty = true;
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
        if connection.client.session().is_none() {
            if !connection.lost_reported {
                connection.lost_reported = true;
                self.toasts
                    .error(&Problem::simple("Signed out: the session ended and could not be renewed. Sign in again."));
            }
            return;
        }
        if connection.remember && connection.saved_token_expiry.is_some() {
            let token = connection.client.token();
            let expiry: Option<DateTime<Utc>> = token.as_ref().map(|t| t.expires_at);
            if expiry != connection.saved_token_expiry
                && let (Some(token), Some(session)) = (token, connection.client.session())
            {
                connection.saved_token_expiry = expiry;
                let (store, kind, name) = (self.secret_store.clone(), connection.kind(), connection.login_name.clone());
                self.bridge.spawn_blocking(move || {
                    Event::TokenSaved(store.set_token(kind, &name, &SavedToken { token, session }))
                });
            }
        }
    }

    // ---- Commands ------------------------------------------------------------------

    fn apply(&mut self, command: Command) {
        match command {
            Command::Navigate(screen) => {
                self.screen = screen;
                self.settings.last_screen = screen.slug().to_string();
                self.settings_dirty = true;
            }
            Command::SetTheme(choice) => {
                self.settings.theme = choice;
                theme::apply_choice(&self.bridge.ctx, choice);
                self.settings_dirty = true;
            }
            Command::SignIn(request) => self.start_sign_in(*request),
            Command::SignInSandbox => self.sign_in_sandbox(),
            Command::SignOut => self.sign_out(),
            Command::RefreshSetup => {
                if let Some(connection) = &mut self.connection {
                    connection.refresh(&self.bridge);
                }
            }
            Command::CheckConnection => {
                if let Some(connection) = &mut self.connection {
                    connection.check(&self.bridge);
                }
            }
            Command::Choose(choice, chosen) => {
                if let Some(kind) = self.connection.as_ref().map(|c| c.kind()) {
                    let section = self.settings.environment_mut(kind);
                    match choice {
                        Choice::Plan => section.plan = Some(chosen),
                        Choice::Template => section.template = Some(chosen),
                        Choice::Entitlement => {
                            // Choosing what to grant is not consent to bill it for every
                            // signer: on Production auto-grant is turned on separately,
                            // through the confirmation on the Pipeline screen.
                            if section.entitlement.as_ref() != Some(&chosen) && !watch_starts_by_itself(kind) {
                                section.auto_grant = false;
                            }
                            section.entitlement = Some(chosen)
                        }
                    }
                    self.settings_dirty = true;
                }
            }
            Command::SaveRiskProfile { template, profile } => {
                if let Some(kind) = self.connection.as_ref().map(|c| c.kind()) {
                    self.settings.environment_mut(kind).risk.set_profile(&template, *profile);
                    self.settings_dirty = true;
                }
            }
            Command::AcknowledgeNoRiskLimits { template, acknowledged } => {
                if let Some(kind) = self.connection.as_ref().map(|c| c.kind()) {
                    self.settings.environment_mut(kind).risk.set_acknowledged(&template, acknowledged);
                    self.settings_dirty = true;
                }
            }
            Command::ExportActivity(records) => self.export(records),
            Command::DismissToast(id) => self.toasts.dismiss(id),
            Command::Help(
                command @ (HelpCommand::CheckForUpdates | HelpCommand::UpdateConsent(_) | HelpCommand::DismissUpdate),
            ) => {
                if self.updates.apply(command, &mut self.settings.updates, &self.bridge) {
                    self.settings_dirty = true;
                }
            }
            Command::Help(command) => {
                let environment = self.connection.as_ref().map(|c| c.kind());
                self.help.apply(command, &self.bridge, &mut self.toasts, environment);
            }
            Command::Traders(command) => {
                let (screens, mut ctx) = self.split_mut();
                screens.traders.apply(command, &mut ctx);
            }
            Command::Pipeline(command) => {
                let (screens, mut ctx) = self.split_mut();
                screens.pipeline.apply(command, &mut ctx);
            }
            Command::Subaccounts(command) => {
                let (screens, mut ctx) = self.split_mut();
                screens.subaccounts.apply(command, &mut ctx);
            }
        }
    }

    fn start_sign_in(&mut self, mut request: SignInRequest) {
        if self.sign_in.is_pending() {
            return;
        }
        request.environment = hosts_of(self.production_hosts.as_ref(), request.environment);
        let kind = request.environment.kind;
        let section = self.settings.environment_mut(kind);
        section.username = request.credentials.name.clone();
        section.app_id = request.credentials.app_id.clone();
        section.cid = request.credentials.cid.clone();
        section.remember = request.remember;
        if kind == EnvironmentKind::Custom {
            section.live_url = request.environment.live_url.clone();
            section.demo_url = request.environment.demo_url.clone();
            section.ws_url = request.environment.ws_url.clone();
            section.agreement_alert_id = Some(request.environment.agreement_alert_id);
        }
        self.settings_dirty = true;
        self.sign_in_error = None;
        self.signing_in = Some(kind);
        let bridge = self.bridge.clone();
        self.sign_in.request(&self.bridge, async move {
            let client = Client::new(request.environment);
            bridge.send(Event::ActivitySource(kind, client.activity().clone()));
            client.sign_in(request.credentials.clone()).await.map_err(Problem::from)?;
            Ok(Some(SignedIn {
                client,
                credentials: request.credentials,
                remember: request.remember,
                sandbox: None,
                restored_from: None,
            }))
        });
    }

    fn sign_in_sandbox(&mut self) {
        if self.sign_in.is_pending() {
            return;
        }
        self.sign_in_error = None;
        self.signing_in = Some(EnvironmentKind::Sandbox);
        let running = self.sandbox.as_ref().map(|(_, environment)| environment.clone());
        let credentials = sandbox_env::credentials(&self.settings.device_id);
        let sandbox_config = self.sandbox_config.clone();
        let bridge = self.bridge.clone();
        self.sign_in.request(&self.bridge, async move {
            let (started, environment) = match running {
                Some(environment) => (None, environment),
                None => {
                    let (handle, environment) = sandbox_env::start(sandbox_config)
                        .await
                        .map_err(|e| Problem::new("The Sandbox could not start", e.to_string()))?;
                    (Some(handle), environment)
                }
            };
            let client = Client::new(environment.clone());
            bridge.send(Event::ActivitySource(EnvironmentKind::Sandbox, client.activity().clone()));
            client.sign_in(credentials.clone()).await.map_err(Problem::from)?;
            Ok(Some(SignedIn {
                client,
                credentials,
                remember: false,
                sandbox: started.map(|handle| (handle, environment)),
                restored_from: None,
            }))
        });
    }

    fn adopt_workspace(&mut self, kind: EnvironmentKind, opened: Result<(Arc<Journal>, Arc<Registry>), String>) {
        let Some(connection) = self.connection.as_mut().filter(|c| c.kind() == kind) else { return };
        match opened {
            Ok((journal, registry)) => {
                if kind == EnvironmentKind::Sandbox {
                    self.sandbox_files = Some((journal.clone(), registry.clone()));
                }
                let mut workspace = Workspace::new(journal, registry);
                workspace.entitlement_id = self.settings.environment(kind).entitlement.as_ref().map(|c| c.id);
                workspace.start_watch_if_allowed(kind, &connection.client, &self.bridge);
                connection.workspace = Some(workspace);
                connection.workspace_problem = None;
            }
            Err(error) => {
                let problem = Problem::new("The onboarding journal could not be opened", error);
                self.toasts.error(&problem);
                connection.workspace_problem = Some(problem);
            }
        }
    }

    fn on_watch_event(&mut self, event: WatchEvent) {
        let Some(workspace) = self.connection.as_mut().and_then(|c| c.workspace.as_mut()) else { return };
        workspace.on_watch_event(&event);
        match event {
            WatchEvent::Problem(text) => self.toasts.error(&Problem::simple(text)),
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

    /// Signs in with what "Remember on this computer" saved, if anything.
    fn restore(&mut self, kind: EnvironmentKind) {
        self.signing_in = Some(kind);
        let store = self.secret_store.clone();
        let settings = self.settings.clone();
        let bridge = self.bridge.clone();
        let production_hosts = self.production_hosts.clone();
        self.sign_in.request(&self.bridge, async move {
            let loaded = tokio::task::spawn_blocking(move || {
                load_saved_credentials(&store, &settings, kind).and_then(|login| Ok((login, store.backend()?)))
            })
            .await
            .map_err(|e| Problem::new("Could not read the saved sign-in", e.to_string()))?;
            let (mut login, store_name) = match loaded {
                Ok((Some(login), store_name)) => (login, store_name),
                Ok((None, _)) => return Ok(None),
                // No keyring: nothing could have been saved, so just show the form.
                Err(KeyringError::Unavailable { .. }) => return Ok(None),
                Err(error) => return Err(Problem::from(error).context("Could not read the saved sign-in")),
            };
            // The settings file may have been edited since: the URL rules hold here too.
            login.environment.check_urls().map_err(|e| Problem::new("The saved server addresses are refused", e))?;
            login.environment = hosts_of(production_hosts.as_ref(), login.environment);
            let client = Client::new(login.environment);
            bridge.send(Event::ActivitySource(kind, client.activity().clone()));
            match login.token {
                Some((token, session)) => client.restore(token, session, Some(login.credentials.clone())),
                None => {
                    client.sign_in(login.credentials.clone()).await.map_err(Problem::from)?;
                }
            }
            Ok(Some(SignedIn {
                client,
                credentials: login.credentials,
                remember: true,
                sandbox: None,
                restored_from: Some(store_name),
            }))
        });
    }

    fn sign_out(&mut self) {
        let Some(connection) = self.connection.take() else { return };
        let kind = connection.kind();
        connection.client.sign_out();
        self.keyring_note = None;
        self.setup.view_environment(kind, &self.settings);
        if kind != EnvironmentKind::Sandbox && !connection.login_name.is_empty() {
            let store = self.secret_store.clone();
            let name = connection.login_name.clone();
            self.bridge.spawn_blocking(move || Event::KeyringForgotten(kind, store.forget(kind, &name)));
        }
        self.toasts.info(format!("Signed out of {}", kind.label()));
        self.update_title();
    }

    /// The window title names the environment, so the taskbar shows it too.
    fn update_title(&self) {
        let title = match &self.connection {
            Some(connection) => format!("Propdesk — {}", connection.kind().label()),
            None => "Propdesk".to_string(),
        };
        self.bridge.ctx.send_viewport_cmd(egui::ViewportCommand::Title(title));
    }

    /// Asks where to save (native dialog on the runtime), then writes off the UI thread.
    fn export(&mut self, records: Vec<CallRecord>) {
        if self.exporting {
            return;
        }
        self.exporting = true;
        let dialog = self.save_dialog.clone();
        let suggested = format!("propdesk-activity-{}.csv", Local::now().format("%Y-%m-%d-%H%M"));
        self.bridge.spawn(async move {
            let Some(path) = dialog(suggested).await else { return Event::Exported(Ok(None)) };
            let count = records.len();
            let written =
                tokio::task::spawn_blocking(move || std::fs::write(&path, to_csv(&records)).map(|()| path)).await;
            Event::Exported(match written {
                Ok(Ok(path)) => Ok(Some((path, count))),
                Ok(Err(error)) => {
                    Err(Problem::new(format!("Could not save the CSV file: {error}"), format!("{error:?}")))
                }
                Err(error) => Err(Problem::new("Could not save the CSV file", error.to_string())),
            })
        });
    }

    fn save_settings(&mut self) {
        self.settings_dirty = false;
        self.settings_generation += 1;
        let (generation, settings, path) =
            (self.settings_generation, self.settings.clone(), self.paths.settings_file());
        let writer = self.settings_writer.clone();
        self.bridge.spawn_blocking(move || {
            let mut written = writer.lock().unwrap_or_else(|e| e.into_inner());
            if *written > generation {
                return Event::SettingsSaved(Ok(()));
            }
            *written = generation;
            Event::SettingsSaved(settings.save(&path))
        });
    }

    // ---- Screens with their own state ----------------------------------------------

    /// The screens, and what they may see while drawing (split so both can be borrowed).
    fn split(&mut self) -> (&mut Screens, ScreenContext<'_>) {
        let ctx = ScreenContext { connection: self.connection.as_ref(), settings: &self.settings };
        (&mut self.screens, ctx)
    }

    /// The screens, and what they may change when applying commands.
    fn split_mut(&mut self) -> (&mut Screens, ScreenContextMut<'_>) {
        let ctx = ScreenContextMut {
            bridge: &self.bridge,
            connection: self.connection.as_mut(),
            settings: &mut self.settings,
            settings_dirty: &mut self.settings_dirty,
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

    // ---- Drawing ---------------------------------------------------------------------

    fn central_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        match self.screen {
            Screen::Setup => {
                let view = SetupView {
                    connection: self.connection.as_ref(),
                    signing_in: self.signing_in,
                    sign_in_error: self.sign_in_error.as_ref(),
                    settings: &self.settings,
                    keyring_note: self.keyring_note.as_ref(),
                    bridge: &self.bridge,
                };
                egui::ScrollArea::vertical().auto_shrink(false).show(ui, |ui| self.setup.ui(ui, &view, commands));
            }
            Screen::Traders => {
                let (screens, ctx) = self.split();
                screens.traders.ui(ui, &ctx, commands);
            }
            Screen::Pipeline => {
                let (screens, ctx) = self.split();
                screens.pipeline.ui(ui, &ctx, commands);
            }
            Screen::Subaccounts => {
                let (screens, ctx) = self.split();
                screens.subaccounts.ui(ui, &ctx, commands);
            }
            Screen::Activity => self.activity_screen.ui(ui, &self.activity, self.exporting, commands),
        }
    }
}

impl eframe::App for PropdeskApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        while let Ok(event) = self.events.try_recv() {
            self.handle_event(event);
        }
        self.poll_sign_in();
        self.tend_connection();
        self.tick_screens();
        // At most once a day, and only after the user said yes (update::schedule).
        if self.updates.check_if_due(&mut self.settings.updates, Utc::now(), &self.bridge) {
            self.settings_dirty = true;
        }
        if let Some(rect) = ctx.input(|i| i.viewport().inner_rect) {
            self.settings.window_size = Some([rect.width().round(), rect.height().round()]);
        }
        if let Some(next) = self.toasts.expire(Instant::now()) {
            ctx.request_repaint_after(next);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let mut commands = Vec::new();
        let mut top_frame = egui::Frame::side_top_panel(ui.style()).inner_margin(egui::Margin::symmetric(14, 0));
        if self.connection.as_ref().is_some_and(|c| c.kind() == EnvironmentKind::Production) {
            // Production must never be mistaken for a test environment.
            top_frame = top_frame.fill(theme::PRODUCTION.gamma_multiply(0.18));
        }
        egui::Panel::top("top_bar").frame(top_frame).show(ui, |ui| {
            let view =
                TopBarView { connection: self.connection.as_ref(), signing_in: self.signing_in, icon: &self.icon };
            top_bar::ui(ui, &view);
        });
        if self.help.has_notice() || self.updates.has_notice(&self.settings.updates) {
            egui::Panel::top("help_notice").show(ui, |ui| {
                self.help.notice_ui(ui, &mut commands);
                self.updates.notice_ui(ui, &self.settings.updates, &mut commands);
            });
        }
        let nav_frame = egui::Frame::side_top_panel(ui.style()).inner_margin(egui::Margin::symmetric(10, 6));
        egui::Panel::left("nav").exact_size(200.0).resizable(false).frame(nav_frame).show(ui, |ui| {
            nav::ui(ui, self.screen, self.settings.theme, &self.updates, &mut commands);
        });
        let central = egui::Frame::central_panel(ui.style()).inner_margin(egui::Margin::symmetric(24, 18));
        egui::CentralPanel::default().frame(central).show(ui, |ui| self.central_ui(ui, &mut commands));
        self.toasts.ui(ui.ctx(), &mut commands);

        for command in commands {
            self.apply(command);
        }
        if self.settings_dirty {
            self.save_settings();
        }
        if let Some(started_at) = self.started_at.take() {
            tracing::info!("first frame after {} ms", started_at.elapsed().as_millis());
        }
    }

    fn on_exit(&mut self) {
        // The window size changes without marking the settings dirty; save it now.
        if let Err(error) = self.settings.save(&self.paths.settings_file()) {
            tracing::warn!("{error}");
        }
    }
}

/// Where an environment's requests go: its own hosts, except Production under the test
/// hook [`AppConfig::production_hosts`].
fn hosts_of(production_hosts: Option<&Environment>, environment: Environment) -> Environment {
    match production_hosts {
        Some(hosts) if environment.kind == EnvironmentKind::Production => hosts.clone(),
        _ => environment,
    }
}

fn load_icon(ctx: &egui::Context) -> egui::TextureHandle {
    let image = match image::load_from_memory(ICON_PNG) {
        Ok(image) => {
            let rgba = image.to_rgba8();
            let size = [rgba.width() as usize, rgba.height() as usize];
            egui::ColorImage::from_rgba_unmultiplied(size, rgba.as_raw())
        }
        Err(_) => egui::ColorImage::new([1, 1], vec![theme::ACCENT]),
    };
    ctx.load_texture("propdesk-icon", image, egui::TextureOptions::LINEAR)
}
