//! Colours and spacing: one place for the look, light and dark.

use crate::api::EnvironmentKind;
use crate::api::wire::SubaccountStatus;
use crate::onboarding::board::BoardStage;
use crate::store::ThemeChoice;
use egui::{Color32, CornerRadius, Theme};

pub const ACCENT: Color32 = Color32::from_rgb(37, 99, 235);
pub const SANDBOX: Color32 = Color32::from_rgb(37, 99, 235);
pub const STAGING: Color32 = Color32::from_rgb(180, 83, 9);
pub const PRODUCTION: Color32 = DANGER;
pub const CUSTOM: Color32 = Color32::from_rgb(124, 58, 237);

// The semantic palette: every status, stage and outcome colour in the window is one of these.
pub const SUCCESS: Color32 = Color32::from_rgb(22, 163, 74);
pub const WARNING: Color32 = Color32::from_rgb(217, 119, 6);
pub const DANGER: Color32 = Color32::from_rgb(220, 38, 38);
/// Under way (a request in review, an account created).
pub const IN_PROGRESS: Color32 = Color32::from_rgb(37, 99, 235);
/// Waiting, not started, not connected.
pub const NEUTRAL: Color32 = Color32::from_rgb(100, 116, 139);
/// Ended on purpose (cancelled).
pub const ENDED: Color32 = Color32::from_rgb(87, 83, 78);

/// The badge colour of a Pipeline stage: greys and blues while waiting, green when done,
/// red for an error, muted for the ways out.
pub fn stage_color(stage: Option<BoardStage>) -> Color32 {
    match stage {
        None | Some(BoardStage::UserCreated) => NEUTRAL,
        Some(BoardStage::ContactInfo) => Color32::from_rgb(71, 85, 155),
        Some(BoardStage::Account) => IN_PROGRESS,
        Some(BoardStage::AgreementSigned) => Color32::from_rgb(13, 148, 136),
        Some(BoardStage::TPropGranted) => SUCCESS,
        Some(BoardStage::Failed) => DANGER,
        Some(BoardStage::Revoked) => WARNING,
        Some(BoardStage::Cancelled) => ENDED,
    }
}

/// The badge colour of a subaccount request's status.
pub fn request_status_color(status: SubaccountStatus) -> Color32 {
    match status {
        SubaccountStatus::Approved => SUCCESS,
        SubaccountStatus::Denied => DANGER,
        SubaccountStatus::InAMLReview | SubaccountStatus::InReview => WARNING,
        SubaccountStatus::Pending | SubaccountStatus::Preapproved => IN_PROGRESS,
    }
}

/// The colour that tells environments apart (Production is red on purpose).
pub fn environment_color(kind: EnvironmentKind) -> Color32 {
    match kind {
        EnvironmentKind::Sandbox => SANDBOX,
        EnvironmentKind::Staging => STAGING,
        EnvironmentKind::Production => PRODUCTION,
        EnvironmentKind::Custom => CUSTOM,
    }
}

/// The badge text of an environment.
pub fn environment_badge(kind: EnvironmentKind) -> &'static str {
    match kind {
        EnvironmentKind::Sandbox => "Sandbox · offline",
        EnvironmentKind::Staging => "Staging",
        EnvironmentKind::Production => "PRODUCTION · live data",
        EnvironmentKind::Custom => "Custom",
    }
}

pub fn error_color(ui: &egui::Ui) -> Color32 {
    ui.visuals().error_fg_color
}

pub fn apply_choice(ctx: &egui::Context, choice: ThemeChoice) {
    ctx.set_theme(match choice {
        ThemeChoice::System => egui::ThemePreference::System,
        ThemeChoice::Light => egui::ThemePreference::Light,
        ThemeChoice::Dark => egui::ThemePreference::Dark,
    });
}

/// Spacing and shapes for both themes; colours stay egui's, with our accent.
pub fn install(ctx: &egui::Context) {
    for theme in [Theme::Light, Theme::Dark] {
        ctx.style_mut_of(theme, |style| {
            style.spacing.item_spacing = egui::vec2(8.0, 6.0);
            style.spacing.button_padding = egui::vec2(10.0, 4.0);
            style.spacing.interact_size.y = 24.0;
            let visuals = &mut style.visuals;
            visuals.selection.bg_fill =
                if theme == Theme::Dark { Color32::from_rgb(30, 64, 140) } else { Color32::from_rgb(205, 222, 255) };
            visuals.selection.stroke.color = if theme == Theme::Dark { Color32::WHITE } else { ACCENT };
            visuals.hyperlink_color = ACCENT;
            for w in [
                &mut visuals.widgets.inactive,
                &mut visuals.widgets.hovered,
                &mut visuals.widgets.active,
                &mut visuals.widgets.noninteractive,
                &mut visuals.widgets.open,
            ] {
                w.corner_radius = CornerRadius::same(5);
            }
            if theme == Theme::Light {
                visuals.panel_fill = Color32::from_rgb(246, 247, 250);
                visuals.window_fill = Color32::WHITE;
                // Fields need an edge on white cards.
                visuals.extreme_bg_color = Color32::from_rgb(251, 252, 254);
                visuals.widgets.inactive.bg_stroke = egui::Stroke::new(1.0, Color32::from_rgb(203, 209, 221));
                visuals.faint_bg_color = Color32::from_rgb(240, 242, 247);
            }
            style.text_styles.insert(egui::TextStyle::Heading, egui::FontId::proportional(22.0));
            style.text_styles.insert(egui::TextStyle::Body, egui::FontId::proportional(14.0));
            style.text_styles.insert(egui::TextStyle::Button, egui::FontId::proportional(14.0));
            style.text_styles.insert(egui::TextStyle::Small, egui::FontId::proportional(11.5));
        });
    }
}

/// Background of cards (slightly lifted from the panel).
pub fn card_fill(ui: &egui::Ui) -> Color32 {
    if ui.visuals().dark_mode { Color32::from_gray(32) } else { Color32::WHITE }
}

pub fn card_stroke(ui: &egui::Ui) -> Color32 {
    if ui.visuals().dark_mode { Color32::from_gray(52) } else { Color32::from_rgb(226, 230, 238) }
}
