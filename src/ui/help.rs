//! Help: "Open logs folder", "Copy diagnostics", "Third-party licences", and the offer
//! after a crash ("Propdesk closed unexpectedly last time — open the report folder").
//! The update items are drawn and applied by `updates`.

use super::bridge::Bridge;
use super::command::Command;
use super::event::Event;
use super::problem::Problem;
use super::toasts::Toasts;
use super::updates::Updates;
use super::widgets;
use crate::api::EnvironmentKind;
use crate::diagnostics::{self, crash};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Opens a folder in the file manager, or a file in its viewer (tests record the path).
pub type FolderOpener = Arc<dyn Fn(&Path) -> Result<(), String> + Send + Sync>;

/// The platform's file manager, started without waiting for it.
pub fn native_folder_opener() -> FolderOpener {
    Arc::new(|folder: &Path| {
        let program = if cfg!(windows) {
            "explorer"
        } else if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        std::process::Command::new(program)
            .arg(folder)
            .spawn()
            .map(drop)
            .map_err(|error| format!("{program} could not be started: {error}"))
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HelpCommand {
    OpenLogsFolder,
    CopyDiagnostics,
    /// From the crash offer: opens the folder and stops offering.
    OpenCrashFolder,
    DismissCrash,
    /// Opens THIRD-PARTY-LICENSES.txt (shipped beside the program) in the text viewer.
    OpenLicences,
    /// The update items (applied by `updates::Updates`).
    CheckForUpdates,
    UpdateConsent(bool),
    DismissUpdate,
}

pub struct Help {
    logs_dir: PathBuf,
    open_folder: FolderOpener,
    /// A crash report from the last run the user has not been told about.
    crashed_last_time: Option<PathBuf>,
}

impl Help {
    /// `crashed_last_time` is read before the window opens (never on the UI thread).
    pub fn new(logs_dir: PathBuf, open_folder: FolderOpener, crashed_last_time: Option<PathBuf>) -> Self {
        Self { logs_dir, open_folder, crashed_last_time }
    }

    pub fn menu_ui(ui: &mut egui::Ui, updates: &Updates, commands: &mut Vec<Command>) {
        ui.menu_button("❓ Help", |ui| {
            updates.menu_ui(ui, commands);
            if ui.button("Open logs folder").clicked() {
                commands.push(Command::Help(HelpCommand::OpenLogsFolder));
            }
            if ui.button("Copy diagnostics").on_hover_text("Version, OS and environment; no secrets").clicked() {
                commands.push(Command::Help(HelpCommand::CopyDiagnostics));
            }
            if ui.button("Third-party licences").clicked() {
                commands.push(Command::Help(HelpCommand::OpenLicences));
            }
        });
    }

    pub fn has_notice(&self) -> bool {
        self.crashed_last_time.is_some()
    }

    /// The crash offer, drawn above the screens while there is one.
    pub fn notice_ui(&self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        if self.crashed_last_time.is_none() {
            return;
        }
        ui.horizontal(|ui| {
            widgets::badge(ui, "Crash report", super::theme::WARNING);
            ui.label("Propdesk closed unexpectedly last time — open the report folder");
            if ui.button("Open report folder").clicked() {
                commands.push(Command::Help(HelpCommand::OpenCrashFolder));
            }
            if ui.button("Dismiss").clicked() {
                commands.push(Command::Help(HelpCommand::DismissCrash));
            }
        });
    }

    pub fn apply(
        &mut self,
        command: HelpCommand,
        bridge: &Bridge,
        toasts: &mut Toasts,
        environment: Option<EnvironmentKind>,
    ) {
        match command {
            HelpCommand::OpenLogsFolder => self.open_logs_folder(bridge),
            HelpCommand::CopyDiagnostics => {
                bridge.ctx.copy_text(diagnostics::summary(environment));
                toasts.info("Diagnostics copied: version, OS and environment (no secrets)");
            }
            HelpCommand::OpenCrashFolder => {
                self.acknowledge_crash(bridge);
                self.open_logs_folder(bridge);
            }
            HelpCommand::DismissCrash => self.acknowledge_crash(bridge),
            HelpCommand::OpenLicences => self.open_licences(bridge),
            HelpCommand::CheckForUpdates | HelpCommand::UpdateConsent(_) | HelpCommand::DismissUpdate => {}
        }
    }

    fn open_logs_folder(&self, bridge: &Bridge) {
        let (dir, open) = (self.logs_dir.clone(), self.open_folder.clone());
        bridge.spawn_blocking(move || {
            let result = std::fs::create_dir_all(&dir).map_err(|error| error.to_string()).and_then(|()| open(&dir));
            Event::FolderOpened(result.map_err(|error| {
                Problem::simple(format!("The logs folder {} could not be opened: {error}", dir.display()))
            }))
        });
    }

    fn open_licences(&self, bridge: &Bridge) {
        let open = self.open_folder.clone();
        bridge.spawn_blocking(move || {
            let result = crate::licences::find().and_then(|file| {
                open(&file).map_err(|error| format!("{} could not be opened: {error}", file.display()))
            });
            Event::FolderOpened(
                result.map_err(|error| Problem::new("The third-party licences could not be shown", error)),
            )
        });
    }

    fn acknowledge_crash(&mut self, bridge: &Bridge) {
        if self.crashed_last_time.take().is_some() {
            let dir = self.logs_dir.clone();
            bridge.spawn_blocking(move || {
                Event::FolderOpened(crash::acknowledge(&dir).map_err(|error| {
                    Problem::simple(format!("The crash notice could not be cleared in {}: {error}", dir.display()))
                }))
            });
        }
    }
}
