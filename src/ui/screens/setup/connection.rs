//! The Connection card: environment choice, the sign-in form, and who is signed in.

use super::{SetupScreen, SetupView, primary_button};
use crate::api::{Credentials, Environment, EnvironmentKind, Secret};
use crate::store::Settings;
use crate::ui::command::{Command, SignInRequest};
use crate::ui::connection::Connection;
use crate::ui::problem::Problem;
use crate::ui::{theme, widgets};
use chrono::Local;
use egui::{RichText, Ui};

impl SetupScreen {
    pub(super) fn connection_ui(&mut self, ui: &mut Ui, view: &SetupView<'_>, commands: &mut Vec<Command>) {
        ui.label(RichText::new("Environment").weak());
        ui.horizontal(|ui| {
            for kind in EnvironmentKind::ALL {
                let selected = self.viewing == kind;
                let mut text = RichText::new(kind.label());
                if selected {
                    text = text.strong();
                }
                if ui.selectable_label(selected, text).clicked() && !selected {
                    self.view_environment(kind, view.settings);
                }
            }
        });
        ui.add_space(4.0);
        describe_environment(ui, self.viewing);
        ui.add_space(8.0);

        let signed_in_here = view.connection.filter(|c| c.kind() == self.viewing && c.client.session().is_some());
        if let Some(connection) = signed_in_here {
            signed_in_ui(ui, connection, view, commands);
        } else if view.signing_in == Some(self.viewing) {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(if self.viewing == EnvironmentKind::Sandbox {
                    "Starting the Sandbox and signing in…"
                } else {
                    "Signing in…"
                });
            });
        } else if self.viewing == EnvironmentKind::Sandbox {
            let busy = view.signing_in.is_some();
            if ui.add_enabled(!busy, primary_button("Start the Sandbox")).clicked() {
                commands.push(Command::SignInSandbox);
            }
            error_for(ui, view, self.viewing);
        } else {
            self.form_ui(ui, view, commands);
        }
    }

    fn form_ui(&mut self, ui: &mut Ui, view: &SetupView<'_>, commands: &mut Vec<Command>) {
        if let Some(active) = view.connection.filter(|c| c.kind() != self.viewing) {
            widgets::hint(
                ui,
                &format!(
                    "You are signed in to {}. Signing in here switches to {}.",
                    active.kind().label(),
                    self.viewing.label()
                ),
            );
            ui.add_space(4.0);
        }
        let form = &mut self.form;
        // Fixed widths keep the card (and the column beside it) from growing.
        let label_width = 100.0;
        let w = (ui.available_width() - label_width - 14.0).max(160.0);
        let fields = egui::Grid::new("sign_in_form")
            .num_columns(2)
            .spacing([10.0, 8.0])
            .min_col_width(label_width)
            .show(ui, |ui| {
                let mut fields = Vec::new();
                if self.viewing == EnvironmentKind::Custom {
                    fields.push(widgets::text_field(
                        ui,
                        "LIVE URL",
                        &mut form.live_url,
                        "https://live.example.com/v1",
                        w,
                    ));
                    fields.push(widgets::text_field(
                        ui,
                        "DEMO URL",
                        &mut form.demo_url,
                        "https://demo.example.com/v1",
                        w,
                    ));
                    fields.push(widgets::text_field(
                        ui,
                        "WebSocket URL",
                        &mut form.ws_url,
                        "optional: from the LIVE URL",
                        w,
                    ));
                    fields.push(widgets::text_field(
                        ui,
                        "Agreement alert id",
                        &mut form.alert_id,
                        "70 on staging hosts, 68 on production hosts",
                        w,
                    ));
                }
                fields.push(widgets::text_field(ui, "Username", &mut form.username, "org admin user", w));
                fields.push(widgets::secret_field(ui, "Password", &mut form.password, &mut self.show_password, w));
                fields.push(widgets::text_field(ui, "API key name", &mut form.app_id, "appId", w));
                fields.push(widgets::text_field(ui, "Key ID", &mut form.cid, "cid", w));
                fields.push(widgets::secret_field(ui, "Secret", &mut form.sec, &mut self.show_secret, w));
                fields
            })
            .inner;
        // Enter in any field submits, like every sign-in form.
        let entered = fields.iter().any(|f| f.lost_focus()) && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.add_space(4.0);
        ui.checkbox(&mut form.remember, "Remember on this computer");
        widgets::hint(ui, "Keeps the password, secret and session in the system keyring, never in a file.");
        ui.add_space(8.0);
        let busy = view.signing_in.is_some();
        let clicked = ui.add_enabled(!busy, primary_button("Sign in")).clicked();
        if clicked || (entered && !busy) {
            match self.request(view.settings) {
                Ok(request) => {
                    self.form_problem = None;
                    commands.push(Command::SignIn(Box::new(request)));
                }
                Err(problem) => self.form_problem = Some(problem),
            }
        }
        if let Some(problem) = &self.form_problem {
            widgets::error_label(ui, problem);
        } else {
            error_for(ui, view, self.viewing);
        }
    }

    /// Checks the form and builds the request, or says what to fix.
    fn request(&self, settings: &Settings) -> Result<SignInRequest, Problem> {
        let form = &self.form;
        let environment = match self.viewing {
            EnvironmentKind::Custom => {
                let empty: Vec<&str> = [("LIVE URL", &form.live_url), ("DEMO URL", &form.demo_url)]
                    .into_iter()
                    .filter(|(_, url)| url.trim().is_empty())
                    .map(|(name, _)| name)
                    .collect();
                if !empty.is_empty() {
                    return Err(Problem::simple(format!("Please fill in: {}", empty.join(", "))));
                }
                let ws = (!form.ws_url.trim().is_empty()).then_some(form.ws_url.trim());
                let alert_id = form.alert_id.trim().parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
                    Problem::simple(
                        "Agreement alert id must be a whole number: 70 for Tradovate's staging hosts, 68 for production",
                    )
                })?;
                Environment::custom(&form.live_url, &form.demo_url, ws).with_agreement_alert_id(alert_id)
            }
            EnvironmentKind::Production => Environment::production(),
            _ => Environment::staging(),
        };
        environment.check_urls().map_err(Problem::simple)?;
        let credentials = Credentials {
            name: form.username.trim().to_string(),
            password: Secret::new(form.password.clone()),
            app_id: form.app_id.trim().to_string(),
            app_version: "1.0".into(),
            cid: form.cid.trim().to_string(),
            sec: Secret::new(form.sec.clone()),
            device_id: settings.device_id.clone(),
        };
        let missing = credentials.missing_fields();
        if !missing.is_empty() {
            return Err(Problem::simple(format!("Please fill in: {}", missing.join(", "))));
        }
        Ok(SignInRequest { environment, credentials, remember: form.remember })
    }
}

/// The sign-in error of this environment, beside the form.
fn error_for(ui: &mut Ui, view: &SetupView<'_>, kind: EnvironmentKind) {
    if let Some((failed_kind, problem)) = view.sign_in_error
        && *failed_kind == kind
    {
        widgets::error_label(ui, problem);
    }
}

fn describe_environment(ui: &mut Ui, kind: EnvironmentKind) {
    let text = match kind {
        EnvironmentKind::Sandbox => {
            "A simulated Tradovate on this computer with a demo firm. Nothing you do here leaves this computer."
        }
        EnvironmentKind::Staging => "Tradovate's test environment. Sign in with your staging API key.",
        EnvironmentKind::Production => "",
        EnvironmentKind::Custom => "Your own server addresses, e.g. a proxy or a sandbox run with `propdesk sandbox`.",
    };
    if kind == EnvironmentKind::Production {
        ui.label(
            RichText::new("⚠ Production: real traders and real accounts. Everything you do here is live.")
                .color(theme::PRODUCTION)
                .strong(),
        );
    } else {
        widgets::hint(ui, text);
    }
}

fn signed_in_ui(ui: &mut Ui, connection: &Connection, view: &SetupView<'_>, commands: &mut Vec<Command>) {
    let session = connection.client.session();
    egui::Grid::new("signed_in").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
        ui.label(RichText::new("Signed in as").weak());
        ui.label(RichText::new(session.as_ref().map(|s| s.user_name.as_str()).unwrap_or("")).strong());
        ui.end_row();
        ui.label(RichText::new("Session").weak());
        let expires =
            session.map(|s| s.expires_at.with_timezone(&Local).format("%H:%M").to_string()).unwrap_or_default();
        ui.label(format!("renews itself, expires {expires}"));
        ui.end_row();
        ui.label(RichText::new("API key").weak());
        ui.label(format!("{} (ID {})", connection.app_id, connection.cid));
        ui.end_row();
        ui.label(RichText::new("On this computer").weak());
        keyring_ui(ui, connection, view);
        ui.end_row();
    });
    ui.add_space(8.0);
    if ui.button("Sign out").clicked() {
        commands.push(Command::SignOut);
    }
    ui.add_space(8.0);
    super::checkup::checkup_ui(ui, connection, commands);
}

fn keyring_ui(ui: &mut Ui, connection: &Connection, view: &SetupView<'_>) {
    if connection.kind() == EnvironmentKind::Sandbox {
        ui.label("nothing to remember");
        return;
    }
    if !connection.remember {
        ui.label("not remembered");
        return;
    }
    match view.keyring_note.filter(|(kind, _)| *kind == connection.kind()) {
        Some((_, Ok(store))) => {
            ui.label(format!("remembered in {store}"));
        }
        Some((_, Err(problem))) => {
            ui.vertical(|ui| {
                widgets::error_label(ui, problem);
            });
        }
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("saving…");
            });
        }
    }
}
