//! Drawing: the frame loop, the panels and the screen in the middle. Reads state and
//! collects commands; `commands.rs` applies them after the frame.

use super::PropdeskApp;
use crate::api::EnvironmentKind;
use crate::ui::command::{Command, Screen};
use crate::ui::screens::activity::TeamSource;
use crate::ui::screens::setup::SetupView;
use crate::ui::top_bar::{self, TopBarView};
use crate::ui::{ICON_PNG, nav, theme};
use chrono::Utc;
use std::time::Instant;

impl PropdeskApp {
    /// The window title names the environment, so the taskbar shows it too.
    pub(super) fn update_title(&self) {
        let title = match &self.connection {
            Some(connection) => format!("Propdesk — {}", connection.kind().label()),
            None => "Propdesk".to_string(),
        };
        self.bridge.ctx.send_viewport_cmd(egui::ViewportCommand::Title(title));
    }

    // ---- Drawing ---------------------------------------------------------------------

    fn central_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        match self.screen {
            Screen::Setup => {
                let local_journal = self.paths.journal_file();
                let view = SetupView {
                    connection: self.connection.as_ref(),
                    signing_in: self.signing_in,
                    sign_in_error: self.sign_in_error.as_ref(),
                    settings: &self.settings,
                    keyring_note: self.keyring_note.as_ref(),
                    bridge: &self.bridge,
                    secrets: &self.secret_store,
                    local_journal: &local_journal,
                    journal_busy: self.journal_busy(),
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
            Screen::Activity => {
                let workspace = self.connection.as_ref().and_then(|c| c.workspace.as_ref());
                let team = TeamSource { workspace, bridge: &self.bridge };
                self.activity_screen.ui(ui, &self.activity, team, self.exporting, commands)
            }
        }
    }
}

impl eframe::App for PropdeskApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        // eframe calls this before every pass, and egui runs a second pass when a new grid
        // or window has to size itself (drawn invisibly in the first). News taken in between
        // would be drawn by that second pass as a new, invisible layout: a frame with a
        // step's fields missing. So news waits for the next frame (its sender asked for one).
        if ctx.current_pass_index() > 0 {
            return;
        }
        for event in self.events.drain().collect::<Vec<_>>() {
            self.handle_event(event);
        }
        self.poll_sign_in();
        self.tend_connection();
        self.tick_screens();
        // At most once a day, and only after the user said yes (update::schedule).
        if self.updates.check_if_due(&mut self.settings.edit_quietly().updates, Utc::now(), &self.bridge) {
            self.settings.mark_dirty();
        }
        if let Some(rect) = ctx.input(|i| i.viewport().inner_rect) {
            self.settings.edit_quietly().window_size = Some([rect.width().round(), rect.height().round()]);
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
            let journal = self.journal_in_use();
            let view = TopBarView {
                connection: self.connection.as_ref(),
                signing_in: self.signing_in,
                icon: &self.icon,
                journal: journal.as_deref(),
            };
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
        self.settings.save_if_dirty();
        if let Some(started_at) = self.started_at.take() {
            tracing::info!("first frame after {} ms", started_at.elapsed().as_millis());
        }
    }

    fn on_exit(&mut self) {
        // The window size changes without marking the settings dirty; save it now.
        self.settings.flush();
        // Edits of the last second are not written yet (saving is debounced).
        self.screens.subaccounts.flush_draft();
    }
}

pub(super) fn load_icon(ctx: &egui::Context) -> egui::TextureHandle {
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
