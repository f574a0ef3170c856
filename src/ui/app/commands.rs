//! Applying commands after drawing: navigation, sign-in and sign-out, Setup choices,
//! exports, and handing screen commands to their screens.

use super::*;

impl PropdeskApp {
    pub(super) fn apply(&mut self, command: Command) {
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

    pub(super) fn sign_in_sandbox(&mut self) {
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

    /// Signs in with what "Remember on this computer" saved, if anything.
    pub(super) fn restore(&mut self, kind: EnvironmentKind) {
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

    pub(super) fn save_settings(&mut self) {
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
}
