//! Applying commands after drawing: navigation, sign-in and sign-out, Setup choices,
//! exports, and handing screen commands to their screens.

use super::*;

impl PropdeskApp {
    pub(super) fn apply(&mut self, command: Command) {
        match command {
            Command::Navigate(screen) => {
                self.screen = screen;
                self.settings.edit().last_screen = screen.slug().to_string();
            }
            Command::SetTheme(choice) => {
                self.settings.edit().theme = choice;
                theme::apply_choice(&self.bridge.ctx, choice);
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
                    let section = self.settings.edit().environment_mut(kind);
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
                }
            }
            Command::SaveRiskProfile { template, profile } => {
                if let Some(kind) = self.connection.as_ref().map(|c| c.kind()) {
                    self.settings.edit().environment_mut(kind).risk.set_profile(&template, *profile);
                }
            }
            Command::AcknowledgeNoRiskLimits { template, acknowledged } => {
                if let Some(kind) = self.connection.as_ref().map(|c| c.kind()) {
                    self.settings.edit().environment_mut(kind).risk.set_acknowledged(&template, acknowledged);
                }
            }
            Command::ExportActivity(records) => {
                self.export("propdesk-activity", "calls", move |path| save_calls_csv(path, &records))
            }
            Command::ExportTeamHistory(lines) => self.export("propdesk-team-history", "lines of team history", {
                move |path| crate::store::history_export::save_history_csv(path, &lines)
            }),
            Command::UseTeamJournal { settings, password } => self.use_team_journal(settings, password),
            Command::UseLocalJournal => self.use_local_journal(),
            Command::DismissToast(id) => self.toasts.dismiss(id),
            Command::Help(
                command @ (HelpCommand::CheckForUpdates | HelpCommand::UpdateConsent(_) | HelpCommand::DismissUpdate),
            ) => {
                let (settings, dirty) = self.settings.parts_mut();
                if self.updates.apply(command, &mut settings.updates, &self.bridge) {
                    *dirty = true;
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

    fn start_sign_in(&mut self, request: SignInRequest) {
        if self.sign_in.is_pending() {
            return;
        }
        let environment = sign_in::hosts_of(self.production_hosts.as_ref(), request.environment);
        let kind = environment.kind;
        sign_in::note_in_settings(self.settings.edit(), &environment, &request.credentials, request.remember);
        self.sign_in_error = None;
        self.signing_in = Some(kind);
        let bridge = self.bridge.clone();
        let (credentials, remember) = (request.credentials, request.remember);
        self.sign_in.request(&self.bridge, async move {
            let on_client = |client: &Client| bridge.send(Event::ActivitySource(kind, client.activity().clone()));
            let signed = sign_in::with_api_key(environment, credentials, remember, on_client).await;
            signed.map(Some).map_err(sign_in_problem)
        });
    }

    pub(super) fn sign_in_sandbox(&mut self) {
        if self.sign_in.is_pending() {
            return;
        }
        self.sign_in_error = None;
        self.signing_in = Some(EnvironmentKind::Sandbox);
        let running = self.sandbox.as_ref().map(|(_, environment)| environment.clone());
        let device_id = self.settings.device_id.clone();
        let sandbox_config = self.sandbox_config.clone();
        let bridge = self.bridge.clone();
        self.sign_in.request(&self.bridge, async move {
            let on_client = |client: &Client| {
                bridge.send(Event::ActivitySource(EnvironmentKind::Sandbox, client.activity().clone()))
            };
            let signed = sign_in::to_sandbox(running, sandbox_config, &device_id, on_client).await;
            signed.map(Some).map_err(sign_in_problem)
        });
    }

    /// Signs in with what "Remember on this computer" saved, if anything.
    pub(super) fn restore(&mut self, kind: EnvironmentKind) {
        self.signing_in = Some(kind);
        let (store, settings) = (self.secret_store.clone(), Settings::clone(&self.settings));
        let production_hosts = self.production_hosts.clone();
        let bridge = self.bridge.clone();
        self.sign_in.request(&self.bridge, async move {
            let on_client = |client: &Client| bridge.send(Event::ActivitySource(kind, client.activity().clone()));
            sign_in::restore(store, settings, kind, production_hosts, on_client).await.map_err(sign_in_problem)
        });
    }

    fn sign_out(&mut self) {
        let Some(connection) = self.connection.take() else { return };
        let kind = connection.kind();
        connection.sign_out();
        self.keyring_note = None;
        self.setup.view_environment(kind, &self.settings);
        self.toasts.info(format!("Signed out of {}", kind.label()));
        self.update_title();
    }

    /// Asks where to save (native dialog on the runtime), then writes off the UI thread.
    /// `file_stem` starts the suggested name; `noun` counts the rows in the toast.
    fn export(
        &mut self,
        file_stem: &str,
        noun: &'static str,
        write: impl FnOnce(&Path) -> std::io::Result<usize> + Send + 'static,
    ) {
        if self.exporting {
            return;
        }
        self.exporting = true;
        let dialog = self.save_dialog.clone();
        let suggested = format!("{file_stem}-{}.csv", Local::now().format("%Y-%m-%d-%H%M"));
        self.bridge.spawn(async move {
            let Some(path) = dialog(suggested).await else { return Event::Exported(noun, Ok(None)) };
            let written = tokio::task::spawn_blocking(move || write(&path).map(|count| (path, count))).await;
            Event::Exported(
                noun,
                match written {
                    Ok(Ok(saved)) => Ok(Some(saved)),
                    Ok(Err(error)) => {
                        Err(Problem::new(format!("Could not save the CSV file: {error}"), format!("{error:?}")))
                    }
                    Err(error) => Err(Problem::new("Could not save the CSV file", error.to_string())),
                },
            )
        });
    }
}

/// A failed sign-in in the house style (the same sentences as before the move).
fn sign_in_problem(error: SignInError) -> Problem {
    match error {
        SignInError::Api(error) => Problem::from(error),
        SignInError::SavedLoginUnreadable(error) => Problem::from(error).context("Could not read the saved sign-in"),
        SignInError::SandboxDidNotStart(ref details)
        | SignInError::SavedUrlsRefused(ref details)
        | SignInError::Interrupted(ref details) => Problem::new(error.to_string(), details.clone()),
    }
}
