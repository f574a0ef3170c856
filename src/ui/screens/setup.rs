//! Setup: the environment and sign-in, then the plan, template account and entitlement
//! every new trader receives. The first screen, and the whole job at a glance.

use crate::api::{Credentials, Environment, EnvironmentKind, Secret};
use crate::store::Settings;
use crate::store::settings::Chosen;
use crate::ui::command::{Choice, Command, Screen, SignInRequest};
use crate::ui::connection::{Connection, entitlement_label};
use crate::ui::problem::Problem;
use crate::ui::remote::Remote;
use crate::ui::{theme, widgets};
use chrono::Local;
use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

/// What the Setup screen reads from the app.
pub struct SetupView<'a> {
    pub connection: Option<&'a Connection>,
    pub signing_in: Option<EnvironmentKind>,
    pub sign_in_error: Option<&'a (EnvironmentKind, Problem)>,
    pub settings: &'a Settings,
    /// Where "Remember on this computer" put the secrets, or why it could not.
    pub keyring_note: Option<&'a (EnvironmentKind, Result<&'static str, Problem>)>,
}

/// The sign-in form as typed. Holds secrets as plain strings for the text fields, so
/// it has no `Debug`; they are cleared after a sign-in.
#[derive(Default)]
struct SignInForm {
    live_url: String,
    demo_url: String,
    ws_url: String,
    username: String,
    password: String,
    app_id: String,
    cid: String,
    sec: String,
    remember: bool,
}

pub struct SetupScreen {
    viewing: EnvironmentKind,
    form: SignInForm,
    show_password: bool,
    show_secret: bool,
    /// A problem found before sending (missing fields, bad URLs).
    form_problem: Option<Problem>,
}

impl SetupScreen {
    pub fn new(viewing: EnvironmentKind, settings: &Settings) -> Self {
        let mut screen =
            Self { viewing, form: SignInForm::default(), show_password: false, show_secret: false, form_problem: None };
        screen.view_environment(viewing, settings);
        screen
    }

    /// Shows an environment's form, filled from its remembered settings (typed secrets
    /// are dropped: after a sign-in they are no longer needed).
    pub fn view_environment(&mut self, kind: EnvironmentKind, settings: &Settings) {
        let section = settings.environment(kind);
        self.viewing = kind;
        self.form = SignInForm {
            live_url: section.live_url,
            demo_url: section.demo_url,
            ws_url: section.ws_url,
            username: section.username,
            app_id: section.app_id,
            cid: section.cid,
            remember: section.remember,
            ..SignInForm::default()
        };
        self.form_problem = None;
    }

    pub fn ui(&mut self, ui: &mut Ui, view: &SetupView<'_>, commands: &mut Vec<Command>) {
        header_ui(ui, view, commands);
        checklist_ui(ui, view);
        ui.add_space(12.0);
        let gap = 12.0;
        let left_width = (ui.available_width() * 0.36).clamp(330.0, 420.0);
        let right_width = (ui.available_width() - left_width - gap).max(420.0);
        ui.horizontal_top(|ui| {
            ui.spacing_mut().item_spacing.x = 0.0;
            ui.vertical(|ui| {
                ui.spacing_mut().item_spacing.x = 8.0;
                ui.set_width(left_width);
                widgets::card(ui, "Connection", |ui| self.connection_ui(ui, view, commands));
                ui.add_space(10.0);
                widgets::card(ui, "How onboarding works", how_it_works_ui);
            });
            ui.add_space(gap);
            ui.vertical(|ui| {
                ui.spacing_mut().item_spacing.x = 8.0;
                ui.set_width(right_width);
                plans_ui(ui, view, commands);
                ui.add_space(10.0);
                templates_ui(ui, view, commands);
                ui.add_space(10.0);
                entitlement_ui(ui, view, commands);
            });
        });
    }

    fn connection_ui(&mut self, ui: &mut Ui, view: &SetupView<'_>, commands: &mut Vec<Command>) {
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
                Environment::custom(&form.live_url, &form.demo_url, ws)
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

/// The whole job in five lines, so a first-time user knows where this leads.
fn how_it_works_ui(ui: &mut Ui) {
    let steps = [
        ("Setup", "sign in; choose plan, template and entitlement"),
        ("Traders", "import your roster; every row is checked first"),
        ("Pipeline", "users, accounts and entitlements are created"),
        ("Agreement", "traders sign the market-data agreement"),
        ("Subaccounts", "traders who pass graduate to funded accounts"),
    ];
    ui.spacing_mut().item_spacing.y = 4.0;
    for (n, (step, text)) in steps.iter().enumerate() {
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().item_spacing.x = 6.0;
            ui.label(RichText::new(format!("{}", n + 1)).strong().color(theme::ACCENT));
            ui.label(RichText::new(*step).strong());
            ui.label(RichText::new(*text).weak());
        });
    }
}

fn primary_button(text: &str) -> egui::Button<'_> {
    egui::Button::new(RichText::new(text).color(egui::Color32::WHITE).strong())
        .fill(theme::ACCENT)
        .min_size(egui::vec2(140.0, 30.0))
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

fn header_ui(ui: &mut Ui, view: &SetupView<'_>, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.vertical(|ui| {
            ui.label(RichText::new("Setup").heading().strong());
            ui.label(RichText::new("Connect to Tradovate and choose what every new trader receives.").weak());
        });
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if setup_complete(view) && ui.add(primary_button("Next: add traders ➡")).clicked() {
                commands.push(Command::Navigate(Screen::Traders));
            }
            let connected = view.connection.is_some_and(|c| c.client.session().is_some());
            let loading = view.connection.is_some_and(|c| c.is_loading());
            let refresh = ui
                .add_enabled(connected && !loading, egui::Button::new("🔄 Refresh"))
                .on_hover_text("Load plans, template accounts and entitlements again")
                .on_disabled_hover_text(if connected { "Loading…" } else { "Sign in first" });
            if refresh.clicked() {
                commands.push(Command::RefreshSetup);
            }
            if loading {
                ui.spinner();
            }
        });
    });
    ui.add_space(10.0);
}

/// Signed in, with a plan, a template and an entitlement chosen.
fn setup_complete(view: &SetupView<'_>) -> bool {
    view.connection.filter(|c| c.client.session().is_some()).is_some_and(|c| {
        let s = view.settings.environment(c.kind());
        s.plan.is_some() && s.template.is_some() && s.entitlement.is_some()
    })
}

/// The four things that must be right before onboarding, as ticks.
fn checklist_ui(ui: &mut Ui, view: &SetupView<'_>) {
    let connection = view.connection.filter(|c| c.client.session().is_some());
    let section = connection.map(|c| view.settings.environment(c.kind()));
    let chosen = |pick: fn(&crate::store::EnvironmentSettings) -> Option<&Chosen>| {
        section.as_ref().and_then(|s| pick(s).map(|c| c.name.clone()))
    };
    let items = [
        connection.map(|c| format!("Signed in · {}", c.kind().label())).ok_or("Sign in"),
        chosen(|s| s.plan.as_ref()).map(|n| format!("Plan · {n}")).ok_or("Choose a plan"),
        chosen(|s| s.template.as_ref()).map(|n| format!("Template · {n}")).ok_or("Choose a template account"),
        chosen(|s| s.entitlement.as_ref()).map(|n| format!("Entitlement · {n}")).ok_or("Choose the entitlement"),
    ];
    ui.horizontal_wrapped(|ui| {
        for (n, item) in items.iter().enumerate() {
            let (done, text) = match item {
                Ok(text) => (true, text.as_str()),
                Err(todo) => (false, *todo),
            };
            egui::Frame::new()
                .fill(theme::card_fill(ui))
                .stroke(egui::Stroke::new(1.0, theme::card_stroke(ui)))
                .corner_radius(egui::CornerRadius::same(14))
                .inner_margin(egui::Margin::symmetric(10, 4))
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        ui.label(RichText::new(format!("{}", n + 1)).weak().small());
                        if done {
                            ui.label(RichText::new("✔").color(theme::SUCCESS).strong());
                        } else {
                            widgets::status_dot(ui, ui.visuals().weak_text_color(), false);
                        }
                        ui.label(text);
                    });
                });
        }
    });
}

/// Loading, error and empty states shared by the three data cards. Returns the value
/// when there is something to draw.
fn remote_state<'a, T: Send + 'static>(
    ui: &mut Ui,
    connected: bool,
    remote: Option<&'a Remote<Vec<T>>>,
    what: &str,
    empty_text: &str,
    commands: &mut Vec<Command>,
) -> Option<&'a Vec<T>> {
    let Some(remote) = remote.filter(|_| connected) else {
        widgets::hint(ui, &format!("Sign in to see your {what}."));
        return None;
    };
    if let Some(problem) = remote.error() {
        ui.horizontal_wrapped(|ui| {
            widgets::error_label(ui, problem);
            if ui.button("Retry").clicked() {
                commands.push(Command::RefreshSetup);
            }
        });
    }
    match remote.value() {
        Some(list) if list.is_empty() => {
            widgets::hint(ui, empty_text);
            None
        }
        Some(list) => Some(list),
        None if remote.is_pending() || remote.is_not_requested() => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!("Loading {what}…"));
            });
            None
        }
        None => None,
    }
}

/// Header cells; the first is indented like the selectable names under it.
fn header_cells(row: &mut egui_extras::TableRow<'_, '_>, titles: &[&str]) {
    for (i, title) in titles.iter().enumerate() {
        row.col(|ui| {
            if i == 0 {
                ui.add_space(ui.spacing().button_padding.x);
            }
            ui.label(RichText::new(*title).strong());
        });
    }
}

fn table_height(rows: usize) -> f32 {
    HEADER_HEIGHT + ROW_HEIGHT * rows.min(6) as f32 + 4.0
}

const ROW_HEIGHT: f32 = 26.0;
const HEADER_HEIGHT: f32 = 22.0;

fn plans_ui(ui: &mut Ui, view: &SetupView<'_>, commands: &mut Vec<Command>) {
    widgets::card(ui, "Subscription plan", |ui| {
        widgets::hint(ui, "New traders are created on this plan. Your firm's own plan is named <FIRM>_MONTHLY.");
        ui.add_space(4.0);
        let connected = view.connection.is_some_and(|c| c.client.session().is_some());
        let remote = view.connection.map(|c| &c.plans);
        let empty = "No subscription plans on this environment. Ask Tradovate Eval Support to set up your firm's plan.";
        let Some(plans) = remote_state(ui, connected, remote, "plans", empty, commands) else { return };
        let Some(kind) = view.connection.map(|c| c.kind()) else { return };
        let selected = view.settings.environment(kind).plan.map(|c| c.id);
        ui.push_id("plans", |ui| {
            TableBuilder::new(ui)
                .striped(true)
                .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
                .vscroll(plans.len() > 6)
                .max_scroll_height(table_height(plans.len()))
                .column(Column::auto().at_least(170.0))
                .column(Column::auto().at_least(50.0))
                .column(Column::remainder().at_least(120.0).clip(true))
                .column(Column::auto().at_least(60.0))
                .column(Column::auto().at_least(80.0))
                .header(HEADER_HEIGHT, |mut row| {
                    header_cells(&mut row, &["Name", "ID", "Title", "Price", "Duration"]);
                })
                .body(|body| {
                    body.rows(ROW_HEIGHT, plans.len(), |mut row| {
                        let plan = &plans[row.index()];
                        let is_selected = selected == Some(plan.id);
                        row.set_selected(is_selected);
                        row.col(|ui| {
                            if ui.selectable_label(is_selected, &plan.name).clicked() && !is_selected {
                                commands.push(Command::Choose(
                                    Choice::Plan,
                                    Chosen { id: plan.id, name: plan.name.clone() },
                                ));
                            }
                        });
                        row.col(|ui| {
                            ui.label(plan.id.to_string());
                        });
                        row.col(|ui| {
                            ui.label(&plan.title);
                        });
                        row.col(|ui| {
                            ui.label(format!("{:.2}", plan.price));
                        });
                        row.col(|ui| {
                            ui.label(duration_text(plan.duration, &plan.duration_units));
                        });
                    });
                });
        });
    });
}

fn templates_ui(ui: &mut Ui, view: &SetupView<'_>, commands: &mut Vec<Command>) {
    widgets::card(ui, "Template account", |ui| {
        widgets::hint(
            ui,
            "Evaluation accounts are copied from a template account set up by Tradovate. Choose the default.",
        );
        ui.add_space(4.0);
        let connected = view.connection.is_some_and(|c| c.client.session().is_some());
        let remote = view.connection.map(|c| &c.accounts);
        let empty = "No template accounts yet. Tradovate Eval Support creates them for your firm.";
        if remote_state(ui, connected, remote, "template accounts", empty, commands).is_none() {
            return;
        }
        let Some(connection) = view.connection else { return };
        let templates = connection.templates();
        let selected = view.settings.environment(connection.kind()).template.map(|c| c.id);
        ui.push_id("templates", |ui| {
            TableBuilder::new(ui)
                .striped(true)
                .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
                .vscroll(templates.len() > 6)
                .max_scroll_height(table_height(templates.len()))
                .column(Column::auto().at_least(170.0))
                .column(Column::auto().at_least(70.0))
                .column(Column::remainder().at_least(100.0))
                .header(HEADER_HEIGHT, |mut row| {
                    header_cells(&mut row, &["Name", "ID", "Size"]);
                })
                .body(|body| {
                    body.rows(ROW_HEIGHT, templates.len(), |mut row| {
                        let account = templates[row.index()];
                        let is_selected = selected == Some(account.id);
                        row.set_selected(is_selected);
                        row.col(|ui| {
                            if ui.selectable_label(is_selected, &account.name).clicked() && !is_selected {
                                let chosen = Chosen { id: account.id, name: account.name.clone() };
                                commands.push(Command::Choose(Choice::Template, chosen));
                            }
                        });
                        row.col(|ui| {
                            ui.label(account.id.to_string());
                        });
                        row.col(|ui| {
                            ui.label(account.evaluation_size.map(money).unwrap_or_else(|| "unknown".into()));
                        });
                    });
                });
        });
    });
}

fn entitlement_ui(ui: &mut Ui, view: &SetupView<'_>, commands: &mut Vec<Command>) {
    widgets::card(ui, "Market-data entitlement", |ui| {
        widgets::hint(
            ui,
            "Granted to each trader once they have signed the market-data agreement (usually \"Tradovate Prop\").",
        );
        ui.add_space(4.0);
        let connected = view.connection.is_some_and(|c| c.client.session().is_some());
        let remote = view.connection.map(|c| &c.entitlements);
        let empty = "No entitlements are offered on this environment.";
        let Some(entitlements) = remote_state(ui, connected, remote, "entitlements", empty, commands) else { return };
        let Some(kind) = view.connection.map(|c| c.kind()) else { return };
        let selected = view.settings.environment(kind).entitlement;
        ui.horizontal(|ui| {
            let label = ui.label("Entitlement");
            let shown = selected.as_ref().map(|c| format!("{} (ID {})", c.name, c.id)).unwrap_or("Choose…".into());
            egui::ComboBox::from_id_salt("entitlement")
                .selected_text(shown)
                .width(320.0)
                .show_ui(ui, |ui| {
                    for e in entitlements {
                        let is_selected = selected.as_ref().is_some_and(|c| c.id == e.id);
                        let mut text = format!("{} (ID {})", entitlement_label(e), e.id);
                        if e.discontinued_date.is_some() {
                            text.push_str(" · discontinued");
                        }
                        if ui.selectable_label(is_selected, text).clicked() && !is_selected {
                            let chosen = Chosen { id: e.id, name: entitlement_label(e) };
                            commands.push(Command::Choose(Choice::Entitlement, chosen));
                        }
                    }
                })
                .response
                .labelled_by(label.id);
        });
    });
}

fn duration_text(duration: i32, units: &str) -> String {
    match (duration, units) {
        (_, "Lifetime") => "Lifetime".into(),
        (0, "") => "—".into(),
        (1, u) => format!("1 {u}"),
        (n, u) => format!("{n} {u}s"),
    }
}

/// `50000.0` → `$50,000`.
pub fn money(amount: f64) -> String {
    let whole = amount.round() as i64;
    let digits = whole.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}${out}", if whole < 0 { "-" } else { "" })
}

#[cfg(test)]
mod tests {
    #[test]
    fn money_has_thousands_separators() {
        assert_eq!(super::money(150_000.0), "$150,000");
        assert_eq!(super::money(999.0), "$999");
    }
}
