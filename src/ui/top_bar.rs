//! The bar across the top: app name, the environment (unmistakable colour), and who
//! is signed in until when.

use super::connection::Connection;
use super::theme;
use super::widgets;
use crate::api::EnvironmentKind;
use chrono::Local;
use egui::{RichText, Ui};

pub struct TopBarView<'a> {
    pub connection: Option<&'a Connection>,
    pub signing_in: Option<EnvironmentKind>,
    pub icon: &'a egui::TextureHandle,
    /// Which journal the board reads ("Team journal: db.example/propdesk").
    pub journal: Option<&'a str>,
}

pub fn ui(ui: &mut Ui, view: &TopBarView<'_>) {
    let stripe = view.connection.map(|c| theme::environment_color(c.kind())).unwrap_or(theme::NEUTRAL);
    let top = ui.max_rect();
    ui.painter().rect_filled(egui::Rect::from_min_size(top.min, egui::vec2(top.width(), 3.0)), 0.0, stripe);
    ui.add_space(3.0);
    ui.horizontal(|ui| {
        ui.set_min_height(40.0);
        ui.add(egui::Image::new((view.icon.id(), egui::vec2(24.0, 24.0))));
        ui.label(RichText::new("Propdesk").strong().size(18.0));
        ui.add_space(12.0);
        environment_ui(ui, view);
        if let Some(journal) = view.journal {
            ui.label(RichText::new(journal).weak())
                .on_hover_text("Where this window keeps its traders; change it on Setup, in the Team journal card");
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| session_ui(ui, view));
    });
}

fn environment_ui(ui: &mut Ui, view: &TopBarView<'_>) {
    match (view.connection, view.signing_in) {
        (Some(connection), _) => {
            let kind = connection.kind();
            let mut text = theme::environment_badge(kind).to_string();
            if kind == EnvironmentKind::Custom {
                text = format!("Custom · {}", host_of(&connection.environment.live_url));
            }
            widgets::badge(ui, &text, theme::environment_color(kind)).on_hover_text(format!(
                "LIVE {}\nDEMO {}",
                connection.environment.live_url, connection.environment.demo_url
            ));
        }
        (None, Some(kind)) => {
            ui.spinner();
            ui.label(format!("Connecting to {}…", kind.label()));
        }
        (None, None) => {
            widgets::badge(ui, "Not connected", theme::NEUTRAL);
        }
    }
}

fn session_ui(ui: &mut Ui, view: &TopBarView<'_>) {
    let Some(connection) = view.connection else {
        ui.label(RichText::new("Not signed in").weak());
        return;
    };
    match connection.client.session() {
        Some(session) => {
            if connection.client.is_renewing() {
                ui.label(RichText::new("renewing…").weak());
                ui.spinner();
            } else {
                let expires = session.expires_at.with_timezone(&Local).format("%H:%M");
                ui.label(RichText::new(format!("expires {expires}")).weak())
                    .on_hover_text("The session renews itself before it expires");
            }
            ui.label(RichText::new(&session.user_name).strong());
            widgets::status_dot(ui, theme::SUCCESS, true).on_hover_text("Signed in");
        }
        None => {
            ui.label(RichText::new("Signed out: sign in again on Setup").color(theme::error_color(ui)));
        }
    }
}

/// `host:port` of a URL, for the Custom badge.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.split('/').next().unwrap_or(rest)
}
