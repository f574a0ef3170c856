//! Small building blocks shared by the screens: cards, the error label, labelled
//! fields, badges and empty states.

use super::problem::Problem;
use super::theme;
use egui::{Color32, CornerRadius, Margin, RichText, Ui};

/// A titled, framed section.
pub fn card<R>(ui: &mut Ui, title: &str, add_contents: impl FnOnce(&mut Ui) -> R) -> R {
    egui::Frame::new()
        .fill(theme::card_fill(ui))
        .stroke(egui::Stroke::new(1.0, theme::card_stroke(ui)))
        .corner_radius(CornerRadius::same(8))
        .inner_margin(Margin::same(14))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            if !title.is_empty() {
                ui.label(RichText::new(title).strong().size(15.5));
                ui.add_space(4.0);
            }
            add_contents(ui)
        })
        .inner
}

/// The house style for an error: one red sentence, details on hover.
pub fn error_label(ui: &mut Ui, problem: &Problem) -> egui::Response {
    let color = theme::error_color(ui);
    ui.add(egui::Label::new(RichText::new(format!("⚠ {}", problem.summary)).color(color)).wrap())
        .on_hover_text(&problem.details)
}

/// A coloured pill with white text, as tall as a line of text.
pub fn badge(ui: &mut Ui, text: &str, color: Color32) -> egui::Response {
    let galley = ui.painter().layout_no_wrap(text.to_string(), egui::FontId::proportional(13.0), Color32::WHITE);
    let size = galley.size() + egui::vec2(18.0, 6.0);
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::hover());
    ui.painter().rect_filled(rect, CornerRadius::same(10), color);
    ui.painter().galley(rect.center() - galley.size() / 2.0, galley, Color32::WHITE);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, text));
    response
}

/// A single-line text field with its visible label; the label names it for screen
/// readers and tests.
pub fn text_field(ui: &mut Ui, label: &str, value: &mut String, hint: &str, width: f32) -> egui::Response {
    let label = ui.label(label);
    let response = ui.add(egui::TextEdit::singleline(value).hint_text(hint).desired_width(width));
    ui.end_row();
    response.labelled_by(label.id)
}

/// A masked field with a show/hide toggle, as a grid row: the label, then the field.
pub fn secret_field(ui: &mut Ui, label: &str, value: &mut String, shown: &mut bool, width: f32) -> egui::Response {
    let label_response = ui.label(label);
    let response = secret_input(ui, &label.to_lowercase(), value, shown, "", width);
    ui.end_row();
    response.labelled_by(label_response.id)
}

/// The one masked input (password, API secret, SSN, national ID): the text and an eye
/// button named "Show <what>" / "Hide <what>" for screen readers and tests.
pub fn secret_input(
    ui: &mut Ui,
    what: &str,
    value: &mut String,
    shown: &mut bool,
    hint: &str,
    width: f32,
) -> egui::Response {
    ui.horizontal(|ui| {
        let toggle_width = 34.0;
        ui.spacing_mut().item_spacing.x = 4.0;
        let field = ui.add(
            egui::TextEdit::singleline(value)
                .password(!*shown)
                .hint_text(hint)
                .desired_width((width - toggle_width - 4.0).max(60.0)),
        );
        let (eye, verb) = if *shown { ("🙈", "Hide") } else { ("👁", "Show") };
        let tip = format!("{verb} {what}");
        let toggle = ui.add(egui::Button::new(eye).min_size(egui::vec2(toggle_width, 0.0)));
        if toggle.on_hover_text(&tip).accessible_name(tip).clicked() {
            *shown = !*shown;
        }
        field
    })
    .inner
}

/// The screen's main action (Sign in, Onboard, Save): white on the accent colour.
pub fn primary_button(text: impl Into<String>) -> egui::Button<'static> {
    filled_button(text, theme::ACCENT)
}

/// An action that cannot be undone (revoke, cancel): white on the danger colour.
pub fn danger_button(text: impl Into<String>) -> egui::Button<'static> {
    filled_button(text, theme::DANGER)
}

/// White bold text on `fill` (the confirmation uses the environment's colour).
pub fn filled_button(text: impl Into<String>, fill: Color32) -> egui::Button<'static> {
    egui::Button::new(RichText::new(text.into()).color(Color32::WHITE).strong()).fill(fill)
}

pub fn empty_state(ui: &mut Ui, icon: &str, title: &str, text: &str) {
    ui.vertical_centered(|ui| {
        ui.add_space((ui.available_height() * 0.16).min(120.0));
        ui.label(RichText::new(icon).size(44.0).weak());
        ui.add_space(6.0);
        ui.label(RichText::new(title).size(20.0).strong());
        ui.add_space(4.0);
        let width = ui.available_width().min(520.0);
        ui.allocate_ui_with_layout(egui::vec2(width, 0.0), egui::Layout::top_down(egui::Align::Center), |ui| {
            ui.add(egui::Label::new(RichText::new(text).weak()).wrap().halign(egui::Align::Center));
        });
    });
}

/// A screen's title and one line saying what it is for.
pub fn screen_header(ui: &mut Ui, title: &str, subtitle: &str) {
    ui.label(RichText::new(title).heading().strong());
    ui.label(RichText::new(subtitle).weak());
    ui.add_space(10.0);
}

/// Greyed helper text.
pub fn hint(ui: &mut Ui, text: &str) {
    ui.add(egui::Label::new(RichText::new(text).weak().size(12.5)).wrap());
}

/// A small round status mark, painted (no font has every circle glyph).
pub fn status_dot(ui: &mut Ui, color: Color32, filled: bool) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
    if filled {
        ui.painter().circle_filled(rect.center(), 4.5, color);
    } else {
        ui.painter().circle_stroke(rect.center(), 4.5, egui::Stroke::new(1.5, color));
    }
    response
}
