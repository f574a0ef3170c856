//! The window: an eframe app with a top bar, a navigation column and one screen at a
//! time. Screens draw from state and push `Command`s; the app applies them after
//! drawing. Background work runs on the app's tokio runtime (`Bridge`).

mod app;
mod bridge;
mod change_feed;
mod command;
mod confirm;
mod connection;
pub mod document_picker; // hook (Subaccounts wizard): the swappable file picker
mod event;
pub mod help; // hook (tests): the folder opener
mod nav;
// Traders screen hook: the file picker for imports.
pub mod open_dialog;
mod problem;
mod remote;
pub mod save_dialog;
mod screens;
mod theme;
mod toasts;
mod top_bar;
#[cfg(test)]
mod ui_thread_rules;
mod updates;
mod widgets;
mod workspace;

pub use app::{AppConfig, PropdeskApp, StartEnvironment};
pub use command::Screen;
pub use help::FolderOpener;
pub use screens::setup::RiskFileDialogs;
/// Board hook: tests open the app's journal with the same key.
pub use workspace::journal_key;

use crate::store::{Paths, Settings};
use std::process::ExitCode;
use std::time::Instant;

/// The app icon, also the window icon.
pub const ICON_PNG: &[u8] = include_bytes!("../../assets/icon.png");

/// Opens the window; returns when it closes.
pub fn run() -> ExitCode {
    let started_at = Instant::now();
    let Some(paths) = Paths::platform() else {
        eprintln!("propdesk: cannot find a home directory for the settings");
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("propdesk-io").build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("propdesk: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    // Only the window size is needed before the window exists; the app loads the rest.
    let (settings, _) = Settings::load_or_default(&paths.settings_file());
    let size = settings.window_size.unwrap_or([1280.0, 800.0]);
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Propdesk")
        .with_app_id("propdesk")
        .with_inner_size(size)
        .with_min_inner_size([960.0, 620.0]);
    match eframe::icon_data::from_png_bytes(ICON_PNG) {
        Ok(icon) => viewport = viewport.with_icon(icon),
        Err(error) => tracing::warn!("the app icon could not be decoded: {error}"),
    }
    let options = eframe::NativeOptions { viewport, ..Default::default() };
    let mut config = AppConfig::new(paths, runtime.handle().clone());
    config.started_at = Some(started_at);
    config.production_hosts = debug_production_hosts();
    let result = eframe::run_native("Propdesk", options, Box::new(|cc| Ok(Box::new(PropdeskApp::new(cc, config)))));
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("propdesk: the window could not open: {error}");
            ExitCode::from(2)
        }
    }
}

/// Debug builds only: `PROPDESK_DEBUG_PRODUCTION=http://127.0.0.1:PORT` (a `propdesk
/// sandbox`) makes Production point at that sandbox, to look at (and screenshot) the
/// Production screens without the real server. Release builds ignore it.
fn debug_production_hosts() -> Option<crate::api::Environment> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let base = std::env::var("PROPDESK_DEBUG_PRODUCTION").ok()?;
    let base = base.trim_end_matches('/');
    let ws = format!("{}/live/v1/websocket", base.replacen("http", "ws", 1));
    let sandbox = crate::api::Environment::sandbox(&format!("{base}/live/v1"), &format!("{base}/demo/v1"), &ws);
    Some(crate::api::Environment { kind: crate::api::EnvironmentKind::Production, ..sandbox })
}
