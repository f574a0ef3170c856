//! The update notice in the window: the one-time "Check for updates?" question, the
//! daily check (off the UI thread), "Propdesk X.Y is available" with the release notes
//! link, and Help → "Check for updates". All of it only when the build has a manifest URL.

use super::bridge::Bridge;
use super::command::Command;
use super::event::Event;
use super::help::HelpCommand;
use super::problem::Problem;
use super::toasts::Toasts;
use super::widgets;
use crate::update::{self, CheckError, Manifest, UpdateSettings};
use chrono::{DateTime, Utc};

pub struct Updates {
    /// `None`: this build has no manifest URL, so no check and no UI.
    url: Option<String>,
    checking: bool,
    /// A newer release the user has not dismissed in this launch.
    available: Option<Manifest>,
}

impl Updates {
    pub fn new(url: Option<String>) -> Self {
        Self { url: url.filter(|u| !u.trim().is_empty()), checking: false, available: None }
    }

    pub fn enabled(&self) -> bool {
        self.url.is_some()
    }

    pub fn has_notice(&self, settings: &UpdateSettings) -> bool {
        self.enabled() && (settings.consent.is_none() || self.available.is_some())
    }

    /// Starts the daily check if it is due; true when `settings` changed (save them).
    pub fn check_if_due(&mut self, settings: &mut UpdateSettings, now: DateTime<Utc>, bridge: &Bridge) -> bool {
        if !self.enabled() || self.checking || !update::is_due(settings, now) {
            return false;
        }
        settings.last_checked = Some(now);
        self.start(false, bridge);
        true
    }

    fn start(&mut self, asked: bool, bridge: &Bridge) {
        let Some(url) = self.url.clone() else { return };
        self.checking = true;
        bridge.spawn(async move {
            let result = update::check(&update::check::http_client(), &url, &update::current_version()).await;
            Event::UpdateChecked { asked, result }
        });
    }

    /// The result of a check. `asked`: from Help, so "up to date" and failures are said;
    /// the daily check only logs them (no nagging about a server being down).
    pub fn on_checked(&mut self, asked: bool, result: Result<Option<Manifest>, CheckError>, toasts: &mut Toasts) {
        self.checking = false;
        match result {
            Ok(Some(manifest)) => {
                tracing::info!("Propdesk {} is available ({})", manifest.version, manifest.notes_url);
                self.available = Some(manifest);
            }
            Ok(None) => {
                tracing::info!("update check: Propdesk {} is the newest", update::current_version());
                if asked {
                    toasts.info(format!("Propdesk {} is up to date", update::current_version()));
                }
            }
            Err(error) => {
                tracing::warn!("update check: {error}");
                if asked {
                    toasts.error(&Problem::new("Could not check for updates", error.to_string()));
                }
            }
        }
    }

    pub fn apply(&mut self, command: HelpCommand, settings: &mut UpdateSettings, bridge: &Bridge) -> bool {
        match command {
            HelpCommand::CheckForUpdates if !self.checking => self.start(true, bridge),
            HelpCommand::UpdateConsent(yes) => {
                settings.consent = Some(yes);
                return true;
            }
            HelpCommand::DismissUpdate => self.available = None,
            _ => {}
        }
        false
    }

    pub fn menu_ui(&self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        if self.enabled() && ui.add_enabled(!self.checking, egui::Button::new("Check for updates")).clicked() {
            commands.push(Command::Help(HelpCommand::CheckForUpdates));
        }
    }

    /// The question (once), or the notice of a newer release.
    pub fn notice_ui(&self, ui: &mut egui::Ui, settings: &UpdateSettings, commands: &mut Vec<Command>) {
        let Some(url) = &self.url else { return };
        if let Some(manifest) = &self.available {
            ui.horizontal(|ui| {
                widgets::badge(ui, "Update", ui.visuals().hyperlink_color);
                ui.label(format!("Propdesk {} is available", manifest.version.short()));
                ui.hyperlink_to("Release notes", &manifest.notes_url);
                if ui.button("Dismiss").clicked() {
                    commands.push(Command::Help(HelpCommand::DismissUpdate));
                }
            });
        } else if settings.consent.is_none() {
            let host = url.split("://").nth(1).and_then(|rest| rest.split('/').next()).unwrap_or(url);
            ui.horizontal(|ui| {
                ui.label("Check for updates?");
                ui.label(egui::RichText::new(format!("Once a day Propdesk can read a small file from {host} to tell you about new versions; nothing about you or your traders is sent.")).weak());
                if ui.button("Check daily").clicked() {
                    commands.push(Command::Help(HelpCommand::UpdateConsent(true)));
                }
                if ui.button("Don't check").clicked() {
                    commands.push(Command::Help(HelpCommand::UpdateConsent(false)));
                }
            });
        }
    }
}
