//! Setup: the environment and sign-in, then the plan, template account and entitlement
//! every new trader receives. The first screen, and the whole job at a glance.
//!
//! Split in four: this file (layout, header, checklist), `connection` (environment
//! choice and sign-in), `tables` (plans, template accounts, entitlement), `team` (the
//! team's shared journal).

mod checkup;
mod connection;
mod risk;
mod tables;
mod team;

use crate::api::EnvironmentKind;
use crate::api::env::AGREEMENT_ALERT_ID_STAGING;
use crate::store::Settings;
use crate::store::settings::Chosen;
use crate::ui::command::{Command, Screen};
use crate::ui::connection::Connection;
use crate::ui::problem::Problem;
use crate::ui::{theme, widgets};
use egui::{RichText, Ui};
use tables::{entitlement_ui, plans_ui, templates_ui};

pub use risk::RiskFileDialogs;

/// What the Setup screen reads from the app.
pub struct SetupView<'a> {
    pub connection: Option<&'a Connection>,
    pub signing_in: Option<EnvironmentKind>,
    pub sign_in_error: Option<&'a (EnvironmentKind, Problem)>,
    pub settings: &'a Settings,
    /// Where "Remember on this computer" put the secrets, or why it could not.
    pub keyring_note: Option<&'a (EnvironmentKind, Result<&'static str, Problem>)>,
    /// For work off the UI thread (the risk profile's file import and export).
    pub bridge: &'a crate::ui::bridge::Bridge,
    /// Team journal: the keyring holding its password, this computer's journal file (to
    /// move from), and why switching journals is refused now (a run, a revoke…).
    pub secrets: &'a crate::store::SecretStore,
    pub local_journal: &'a std::path::Path,
    pub journal_busy: Option<String>,
}

/// The sign-in form as typed. Holds secrets as plain strings for the text fields, so
/// it has no `Debug`; they are cleared after a sign-in.
#[derive(Default)]
struct SignInForm {
    live_url: String,
    demo_url: String,
    ws_url: String,
    /// Custom only: the agreement signal's alert id as typed.
    alert_id: String,
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
    risk: risk::RiskEditor,
    team: team::TeamJournalCard,
}

impl SetupScreen {
    pub fn new(viewing: EnvironmentKind, settings: &Settings, risk_files: RiskFileDialogs) -> Self {
        let mut screen = Self {
            viewing,
            form: SignInForm::default(),
            show_password: false,
            show_secret: false,
            form_problem: None,
            risk: risk::RiskEditor::new(risk_files),
            team: team::TeamJournalCard::default(),
        };
        screen.view_environment(viewing, settings);
        screen
    }

    /// Shows an environment's form, filled from its remembered settings (typed secrets
    /// are dropped: after a sign-in they are no longer needed).
    pub fn view_environment(&mut self, kind: EnvironmentKind, settings: &Settings) {
        let section = settings.environment(kind).clone();
        self.viewing = kind;
        self.form = SignInForm {
            live_url: section.live_url,
            demo_url: section.demo_url,
            ws_url: section.ws_url,
            alert_id: section.agreement_alert_id.unwrap_or(AGREEMENT_ALERT_ID_STAGING).to_string(),
            username: section.username,
            app_id: section.app_id,
            cid: section.cid,
            remember: section.remember,
            ..SignInForm::default()
        };
        self.form_problem = None;
    }

    /// What every new trader receives, in checklist order: plan, template, its risk rules,
    /// entitlement. One list for both layouts, so neither can miss a card.
    fn choices_ui(&mut self, ui: &mut Ui, view: &SetupView<'_>, commands: &mut Vec<Command>) {
        plans_ui(ui, view, commands);
        ui.add_space(10.0);
        templates_ui(ui, view, commands);
        ui.add_space(10.0);
        self.risk.ui(ui, view, commands);
        ui.add_space(10.0);
        entitlement_ui(ui, view, commands);
    }

    pub fn ui(&mut self, ui: &mut Ui, view: &SetupView<'_>, commands: &mut Vec<Command>) {
        // On very wide windows, tables stretched edge to edge are hard to read.
        // The gutter keeps the floating scroll bar off the cards' right edge.
        // Inside the vertical scroll area, `available_width` grows to whatever was drawn
        // last frame; the visible width is what the screen really has.
        let visible = ui.available_width().min(ui.clip_rect().width());
        ui.set_max_width((visible - 10.0).min(1400.0));
        header_ui(ui, view, commands);
        checklist_ui(ui, view);
        ui.add_space(12.0);
        let gap = 12.0;
        if ui.available_width() < TWO_COLUMNS_FROM {
            // A small screen (1024 px at 125 %): one column, nothing clipped.
            widgets::card(ui, "Connection", |ui| self.connection_ui(ui, view, commands));
            ui.add_space(10.0);
            self.choices_ui(ui, view, commands);
            ui.add_space(10.0);
            // After what every trader receives: a team sets it up once.
            widgets::card(ui, "Team journal", |ui| self.team.ui(ui, view, commands));
            ui.add_space(10.0);
            widgets::card(ui, "How onboarding works", how_it_works_ui);
            return;
        }
        let left_width = (ui.available_width() * 0.36).clamp(330.0, 420.0);
        let right_width = (ui.available_width() - left_width - gap).max(420.0);
        ui.horizontal_top(|ui| {
            ui.spacing_mut().item_spacing.x = 0.0;
            ui.vertical(|ui| {
                ui.spacing_mut().item_spacing.x = 8.0;
                ui.set_width(left_width);
                widgets::card(ui, "Connection", |ui| self.connection_ui(ui, view, commands));
                ui.add_space(10.0);
                widgets::card(ui, "Team journal", |ui| self.team.ui(ui, view, commands));
                ui.add_space(10.0);
                widgets::card(ui, "How onboarding works", how_it_works_ui);
            });
            ui.add_space(gap);
            ui.vertical(|ui| {
                ui.spacing_mut().item_spacing.x = 8.0;
                ui.set_width(right_width);
                self.choices_ui(ui, view, commands);
            });
        });
    }
}

/// Below this width the connection card and the tables stack: side by side, the plan
/// table's price column and the template sizes were cut off.
const TWO_COLUMNS_FROM: f32 = 900.0;

/// The whole job in five lines, so a first-time user knows where this leads.
fn how_it_works_ui(ui: &mut Ui) {
    let steps = [
        ("Setup", "sign in; choose plan, template, entitlement and risk rules"),
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

/// Setup's main buttons: the primary style, a little larger.
pub(super) fn primary_button(text: &str) -> egui::Button<'static> {
    widgets::primary_button(text).min_size(egui::vec2(140.0, 30.0))
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

/// Signed in, with a plan, a template, an entitlement and the template's risk rules.
fn setup_complete(view: &SetupView<'_>) -> bool {
    view.connection.filter(|c| c.client.session().is_some()).is_some_and(|c| {
        let s = view.settings.environment(c.kind());
        s.plan.is_some() && s.template.is_some() && s.entitlement.is_some() && risk_rules_chip(s).is_some()
    })
}

/// "Risk rules · …" once the chosen template has a profile, or its admin chose to create
/// accounts without limits; `None` while a run from it would be refused.
fn risk_rules_chip(section: &crate::store::EnvironmentSettings) -> Option<String> {
    let template = &section.template.as_ref()?.name;
    if section.risk.profile(template).is_some() {
        Some("Risk rules saved".to_string())
    } else if section.risk.acknowledged(template) {
        Some("No risk limits (acknowledged)".to_string())
    } else {
        None
    }
}

/// The five things that must be right before onboarding, as ticks.
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
        section.and_then(risk_rules_chip).ok_or("Set the risk rules"),
    ];
    ui.horizontal_wrapped(|ui| {
        for (n, item) in items.iter().enumerate() {
            let (done, text) = match item {
                Ok(text) => (true, text.as_str()),
                Err(todo) => (false, *todo),
            };
            // A frame shrinks into what is left of the line instead of wrapping: start a
            // new line when the chip would not fit whole.
            let font = egui::TextStyle::Body.resolve(ui.style());
            let text_width = ui.painter().layout_no_wrap(text.to_string(), font, egui::Color32::WHITE).size().x;
            if ui.available_size_before_wrap().x < text_width + 70.0 {
                ui.end_row();
            }
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

#[cfg(test)]
mod tests {
    use super::tables;

    #[test]
    fn money_has_thousands_separators() {
        assert_eq!(tables::money(150_000.0), "$150,000");
        assert_eq!(tables::money(999.0), "$999");
    }
}
