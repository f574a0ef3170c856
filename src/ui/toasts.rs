//! Short notices in the corner, mainly for background failures the user did not
//! start from the current screen.

use super::command::Command;
use super::problem::Problem;
use super::theme;
use egui::{CornerRadius, Margin, RichText};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Info,
    Error,
}

struct Toast {
    id: u64,
    kind: ToastKind,
    text: String,
    details: String,
    shown_at: Instant,
}

#[derive(Default)]
pub struct Toasts {
    items: Vec<Toast>,
    next_id: u64,
}

impl Toasts {
    pub fn info(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.push(ToastKind::Info, text.clone(), text);
    }

    pub fn error(&mut self, problem: &Problem) {
        self.push(ToastKind::Error, problem.summary.clone(), problem.details.clone());
    }

    fn push(&mut self, kind: ToastKind, text: String, details: String) {
        self.next_id += 1;
        self.items.push(Toast { id: self.next_id, kind, text, details, shown_at: Instant::now() });
        // Old ones make room: four at most.
        if self.items.len() > 4 {
            self.items.remove(0);
        }
    }

    pub fn dismiss(&mut self, id: u64) {
        self.items.retain(|t| t.id != id);
    }

    /// Drops expired toasts and says when the next one expires.
    pub fn expire(&mut self, now: Instant) -> Option<Duration> {
        self.items.retain(|t| now.duration_since(t.shown_at) < lifetime(t.kind));
        self.items.iter().map(|t| lifetime(t.kind).saturating_sub(now.duration_since(t.shown_at))).min()
    }

    pub fn ui(&self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        if self.items.is_empty() {
            return;
        }
        egui::Area::new(egui::Id::unique("toasts"))
            .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-16.0, -16.0))
            .order(egui::Order::Foreground)
            .show(ctx, |ui| {
                ui.set_max_width(380.0);
                for toast in &self.items {
                    let color = match toast.kind {
                        ToastKind::Info => theme::SUCCESS,
                        ToastKind::Error => theme::error_color(ui),
                    };
                    egui::Frame::new()
                        .fill(ui.visuals().window_fill)
                        .stroke(egui::Stroke::new(1.0, color))
                        .corner_radius(CornerRadius::same(8))
                        .inner_margin(Margin::same(10))
                        .shadow(ui.visuals().popup_shadow)
                        .show(ui, |ui| {
                            ui.horizontal(|ui| {
                                let icon = if toast.kind == ToastKind::Error { "⚠" } else { "✔" };
                                ui.label(RichText::new(icon).color(color));
                                ui.add(egui::Label::new(&toast.text).wrap()).on_hover_text(&toast.details);
                                if ui.small_button("❌").on_hover_text("Dismiss").clicked() {
                                    commands.push(Command::DismissToast(toast.id));
                                }
                            });
                        });
                    ui.add_space(6.0);
                }
            });
    }
}

fn lifetime(kind: ToastKind) -> Duration {
    match kind {
        ToastKind::Info => Duration::from_secs(6),
        ToastKind::Error => Duration::from_secs(15),
    }
}
