//! The live connection line, the counts bar with its filter chips, the action bar and
//! the table.

use super::PipelineCommand;
use super::rows::{self, BoardRow};
use crate::onboarding::board::{BoardStage, latest_change_text};
use crate::onboarding::entitlement::offboarded_reason;
use crate::onboarding::journal::HistoryEntry;
use crate::onboarding::offboarding::Offboarding;
use crate::store::settings::EnvironmentSettings;
use crate::ui::command::{Command, Screen};
use crate::ui::workspace::{WatchStatus, Workspace};
use crate::ui::{theme, widgets};
use chrono::{DateTime, Local, Utc};
use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use std::collections::BTreeSet;

/// What the board's buttons ask for.
pub enum Action {
    Grant(Vec<String>),
    /// Open the confirmation dialog.
    Ask(Offboarding, Vec<String>),
    /// Put the template's risk profile on these traders' accounts (confirmed first).
    UpdateRisk(Vec<String>),
}

pub struct BoardView<'a> {
    pub rows: &'a [BoardRow],
    /// What runs in the background ("Offboarding…"); the write buttons wait for it.
    pub busy: Option<&'static str>,
    /// Why "Update risk rules" cannot run whatever is selected (no saved profile).
    pub risk_blocked: Option<String>,
}

/// "Listening for signatures", Check now, the auto-grant switch and the entitlement.
pub fn live_line_ui(
    ui: &mut Ui,
    workspace: &Workspace,
    settings: &EnvironmentSettings,
    check_wait: Option<u64>,
    commands: &mut Vec<Command>,
) {
    widgets::card(ui, "", |ui| {
        ui.horizontal_wrapped(|ui| {
            let (color, text) = match &workspace.watch_status {
                WatchStatus::Idle => (theme::WARNING, "Idle: not watching for signatures".to_string()),
                WatchStatus::Starting => (theme::NEUTRAL, "Connecting to the live feed…".to_string()),
                WatchStatus::Listening => (theme::SUCCESS, "Listening for signatures".to_string()),
                WatchStatus::Reconnecting { reason, retry_in } => {
                    (theme::WARNING, format!("Reconnecting in {} s ({reason})", retry_in.as_secs().max(1)))
                }
                WatchStatus::Stopped(reason) => (theme::error_color(ui), format!("Stopped: {reason}")),
                WatchStatus::TeamWatcher(beat) => {
                    ui.ctx().request_repaint_after(std::time::Duration::from_secs(1)); // "N s ago"
                    (theme::SUCCESS, beat.describe(chrono::Utc::now()))
                }
            };
            let live = matches!(workspace.watch_status, WatchStatus::Listening | WatchStatus::TeamWatcher(_));
            widgets::status_dot(ui, color, live);
            if let WatchStatus::TeamWatcher(beat) = &workspace.watch_status {
                ui.label(RichText::new("(this window does not watch)").weak()).on_hover_text(format!(
                    "The team's always-on watcher (propdesk watch, {}@{}, process {}) holds the live feed, so \
                     the API user keeps one socket. This window resumes its own watch if the watcher stops \
                     reporting.",
                    beat.user, beat.host, beat.pid
                ));
            }
            ui.label(RichText::new(text).strong());
            ui.add_space(8.0);
            if workspace.watch_status == WatchStatus::Idle {
                let start = egui::Button::new(RichText::new("▶ Start watching…").strong());
                if ui
                    .add(start)
                    .on_hover_text(
                        "On Production nothing runs unattended: confirm once per launch before signatures are \
                         watched and T-Prop is granted",
                    )
                    .clicked()
                {
                    commands.push(Command::Pipeline(PipelineCommand::StartWatch));
                }
            }
            match check_wait {
                // Idle, or the team watcher makes the checks.
                _ if matches!(workspace.watch_status, WatchStatus::Idle | WatchStatus::TeamWatcher(_)) => {}
                None => {
                    if ui
                        .button("Check now")
                        .on_hover_text("Ask Tradovate once for signatures the live feed may have missed")
                        .clicked()
                    {
                        commands.push(Command::Pipeline(PipelineCommand::CheckNow));
                    }
                }
                Some(seconds) => {
                    ui.add_enabled(false, egui::Button::new(format!("Check again in {seconds} s")))
                        .on_disabled_hover_text(
                            "Propdesk asks Tradovate for missed signatures at most once every 5 minutes",
                        );
                    ui.ctx().request_repaint_after(std::time::Duration::from_millis(500));
                }
            }
            ui.separator();
            // With no entitlement chosen nothing can be granted: the switch shows off.
            let chosen = settings.entitlement.is_some();
            let mut auto = workspace.auto_grant && chosen;
            let checkbox = ui
                .add_enabled(chosen, egui::Checkbox::new(&mut auto, "Auto-grant T-Prop when a trader signs"))
                .on_disabled_hover_text("Choose the entitlement to grant in Setup first");
            if checkbox.changed() {
                commands.push(Command::Pipeline(PipelineCommand::SetAutoGrant(auto)));
            }
            ui.separator();
            match &settings.entitlement {
                Some(chosen) => {
                    ui.label(RichText::new("Grants").weak());
                    ui.label(RichText::new(&chosen.name).strong());
                }
                None => {
                    ui.label(
                        RichText::new("No entitlement chosen: signatures are recorded, nothing is granted.")
                            .color(theme::WARNING),
                    );
                    if ui.link("Choose one in Setup").clicked() {
                        commands.push(Command::Navigate(Screen::Setup));
                    }
                }
            }
        });
        if let Some(reason) = workspace.live_updates_paused() {
            ui.horizontal_wrapped(|ui| {
                widgets::status_dot(ui, theme::WARNING, false);
                let every = crate::ui::change_feed::CHANGE_POLL_INTERVAL.as_secs();
                let text = format!(
                    "Live updates paused: the journal cannot be read, so other admins' changes may be missing \
                     here. Retrying every {every} s."
                );
                ui.label(RichText::new(text).color(theme::WARNING)).on_hover_text(reason);
            });
        }
    });
}

/// Counts, search, actions and the table. Returns what a button asked for.
pub fn ui(
    ui: &mut Ui,
    view: &BoardView<'_>,
    filter: &mut Option<BoardStage>,
    search: &mut String,
    selected: &mut BTreeSet<String>,
    detail: &mut Option<String>,
) -> Option<Action> {
    counts_ui(ui, view.rows, filter);
    ui.add_space(6.0);
    let needle = search.trim().to_lowercase();
    let visible: Vec<&BoardRow> = view.rows.iter().filter(|r| r.matches(*filter, &needle)).collect();
    // Forget selections of traders no longer on the board.
    selected.retain(|name| view.rows.iter().any(|r| &r.trader.name == name));
    let action = toolbar_ui(ui, view, &visible, search, selected);
    ui.add_space(6.0);
    if visible.is_empty() {
        widgets::hint(ui, "No trader matches the filter and search.");
    } else {
        table_ui(ui, &visible, selected, detail);
    }
    action
}

fn counts_ui(ui: &mut Ui, rows: &[BoardRow], filter: &mut Option<BoardStage>) {
    let counts = rows::counts(rows);
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 3.0;
        ui.spacing_mut().button_padding = egui::vec2(7.0, 3.0);
        if ui.selectable_label(filter.is_none(), format!("All  {}", rows.len())).clicked() {
            *filter = None;
        }
        ui.separator();
        for stage in BoardStage::ALL {
            if stage == BoardStage::Failed {
                ui.separator();
            }
            let count = counts.get(&stage).copied().unwrap_or(0);
            let on = *filter == Some(stage);
            let text = RichText::new(format!("{}  {count}", stage.label()));
            let text = if count == 0 && !on { text.weak() } else { text };
            let response = ui.selectable_label(on, text);
            // A coloured bar under the chip ties it to the badges in the table.
            let rect = response.rect;
            let bar = egui::Rect::from_min_max(
                egui::pos2(rect.left() + 6.0, rect.bottom() - 2.0),
                egui::pos2(rect.right() - 6.0, rect.bottom()),
            );
            ui.painter().rect_filled(
                bar,
                1.0,
                theme::stage_color(Some(stage)).gamma_multiply(if count > 0 { 1.0 } else { 0.3 }),
            );
            if response.on_hover_text(format!("Show only: {}", stage.label())).clicked() {
                *filter = if on { None } else { Some(stage) };
            }
            if stage < BoardStage::TPropGranted {
                // Painted: the UI font has no arrow glyph.
                let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 12.0), egui::Sense::hover());
                let color = ui.visuals().weak_text_color();
                let (l, r, c) = (rect.left() + 2.0, rect.right() - 2.0, rect.center().y);
                let stroke = egui::Stroke::new(1.5, color);
                ui.painter().line_segment([egui::pos2(l, c - 4.0), egui::pos2(r, c)], stroke);
                ui.painter().line_segment([egui::pos2(r, c), egui::pos2(l, c + 4.0)], stroke);
            }
        }
    });
}

fn toolbar_ui(
    ui: &mut Ui,
    view: &BoardView<'_>,
    visible: &[&BoardRow],
    search: &mut String,
    selected: &mut BTreeSet<String>,
) -> Option<Action> {
    let mut action = None;
    // Beside the search on a wide board; on their own row when the details are open.
    let narrow = ui.available_width() < 900.0;
    let right = egui::Layout::right_to_left(egui::Align::Center);
    ui.horizontal(|ui| {
        let label = ui.label("Search");
        ui.add(egui::TextEdit::singleline(search).hint_text("name, email or account").desired_width(220.0))
            .labelled_by(label.id);
        ui.label(RichText::new(format!("{} of {} traders", visible.len(), view.rows.len())).weak())
            .on_hover_text("Click a row to see the trader's ids and full history");
        if !narrow {
            action = ui.with_layout(right, |ui| actions_ui(ui, view, selected)).inner;
        }
    });
    if narrow {
        action = ui.horizontal(|ui| ui.with_layout(right, |ui| actions_ui(ui, view, selected)).inner).inner;
    }
    action
}

/// Right to left: Cancel everything, Revoke, Grant, Update risk rules, then how many
/// are selected.
fn actions_ui(ui: &mut Ui, view: &BoardView<'_>, selected: &BTreeSet<String>) -> Option<Action> {
    let mut action = None;
    let names: Vec<String> = selected.iter().cloned().collect();
    let enabled = !names.is_empty() && view.busy.is_none();
    if ui
        .add_enabled(enabled, widgets::danger_button("Cancel everything"))
        .on_hover_text("Revoke permissions and cancel all subscriptions on DEMO and LIVE")
        .clicked()
    {
        action = Some(Action::Ask(Offboarding::Cancel, names.clone()));
    }
    if ui
        .add_enabled(enabled, egui::Button::new("Revoke trading permissions"))
        .on_hover_text("Remove access to the evaluation account; subscriptions stay")
        .clicked()
    {
        action = Some(Action::Ask(Offboarding::Revoke, names.clone()));
    }
    // Revoked and cancelled traders are never granted (it would bill someone who left).
    let grantable: Vec<String> = view
        .rows
        .iter()
        .filter(|r| selected.contains(&r.trader.name) && offboarded_reason(&r.trader).is_none())
        .map(|r| r.trader.name.clone())
        .collect();
    let offboarded = names.len() - grantable.len();
    let grant = ui
        .add_enabled(enabled && !grantable.is_empty(), egui::Button::new("Grant T-Prop now"))
        .on_hover_text(if offboarded == 0 {
            "Traders who have not signed yet stay waiting for their signature".to_string()
        } else {
            format!("{offboarded} selected trader(s) were revoked or cancelled and are skipped")
        })
        .on_disabled_hover_text(if names.is_empty() {
            "Select traders first".to_string()
        } else {
            "The selected traders were revoked or cancelled: granting T-Prop would bill traders who left".to_string()
        });
    if grant.clicked() {
        action = Some(Action::Grant(grantable));
    }
    if let Some(names) = risk_button_ui(ui, view, selected, enabled) {
        action = Some(Action::UpdateRisk(names));
    }
    if let Some(running) = view.busy {
        ui.spinner();
        ui.label(RichText::new(running).weak());
    } else if !names.is_empty() {
        ui.label(RichText::new(format!("{} selected", names.len())).strong());
    }
    action
}

/// "Update risk rules": enabled when the template has a saved profile and a selected
/// trader has an evaluation account; otherwise the reason shows on hover. Returns the
/// traders whose accounts it would update.
fn risk_button_ui(
    ui: &mut Ui,
    view: &BoardView<'_>,
    selected: &BTreeSet<String>,
    enabled: bool,
) -> Option<Vec<String>> {
    let with_account: Vec<String> = view
        .rows
        .iter()
        .filter(|r| selected.contains(&r.trader.name) && r.trader.account_id.is_some())
        .map(|r| r.trader.name.clone())
        .collect();
    let blocked = if selected.is_empty() {
        Some("Select traders first".to_string())
    } else if let Some(reason) = &view.risk_blocked {
        Some(reason.clone())
    } else if with_account.is_empty() {
        Some("None of the selected traders has an evaluation account yet".to_string())
    } else {
        None
    };
    let without = selected.len() - with_account.len();
    let button = ui
        .add_enabled(enabled && blocked.is_none(), egui::Button::new("Update risk rules"))
        .on_hover_text(if without == 0 {
            "Replace the selected traders' post-trade risk rules with the template's saved profile".to_string()
        } else {
            format!("{without} selected trader(s) have no evaluation account yet and are skipped")
        })
        .on_disabled_hover_text(blocked.unwrap_or_else(|| "Wait for the running change to finish".to_string()));
    button.clicked().then_some(with_account)
}

/// The board's width from which the Email column shows, and the Account column.
const SHOWS_EMAIL: f32 = 1200.0;
const SHOWS_ACCOUNT: f32 = 950.0;
/// Below this the latest change leaves out the computer's name (it stays on hover).
const FULL_CHANGE_TEXT: f32 = 250.0;

fn table_ui(ui: &mut Ui, visible: &[&BoardRow], selected: &mut BTreeSet<String>, detail: &mut Option<String>) {
    let now = Utc::now();
    let local_now = now.with_timezone(&Local);
    let all_selected = visible.iter().all(|r| selected.contains(&r.trader.name));
    let mut clicked_row = None;
    // Email and account make room when the board is narrow or the details are open
    // (they are in the details, and the search still finds them): the stage, who changed
    // it and what it waits for stay readable down to 1024 px.
    let width = ui.available_width();
    let (email, account) = match detail {
        Some(_) => (false, false),
        None => (width >= SHOWS_EMAIL, width >= SHOWS_ACCOUNT),
    };
    // A click anywhere on a row opens its details, so the text is not selectable here.
    ui.style_mut().interaction.selectable_labels = false;
    TableBuilder::new(ui)
        .id_salt(("pipeline_table", email, account))
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .striped(true)
        .sense(egui::Sense::click())
        .column(Column::exact(28.0))
        .column(Column::initial(150.0).at_least(100.0).clip(true))
        .columns(Column::initial(210.0).at_least(100.0).clip(true), usize::from(email))
        .columns(Column::initial(100.0).at_least(70.0).clip(true), usize::from(account))
        .column(Column::initial(132.0).at_least(120.0))
        .column(Column::initial(72.0).at_least(64.0))
        // Last change and Waiting for share what is left.
        .columns(Column::remainder().at_least(140.0).clip(true), 2)
        .header(26.0, |mut row| {
            row.col(|ui| {
                let mut all = all_selected;
                let response = ui.checkbox(&mut all, "").on_hover_text("Select all visible");
                response
                    .widget_info(|| egui::WidgetInfo::selected(egui::Role::CheckBox, true, all, "Select all visible"));
                if response.changed() {
                    for r in visible {
                        if all {
                            selected.insert(r.trader.name.clone());
                        } else {
                            selected.remove(&r.trader.name);
                        }
                    }
                }
            });
            let titles = ["Name", "Email", "Account", "Stage", "In stage", "Last change", "Waiting for"];
            let shown = |title: &str| match title {
                "Email" => email,
                "Account" => account,
                _ => true,
            };
            for title in titles.into_iter().filter(|title| shown(title)) {
                row.col(|ui| {
                    ui.label(RichText::new(title).strong());
                });
            }
        })
        .body(|body| {
            body.rows(28.0, visible.len(), |mut row| {
                let r = visible[row.index()];
                let name = &r.trader.name;
                row.set_selected(detail.as_ref() == Some(name));
                row.col(|ui| {
                    let mut on = selected.contains(name);
                    let response = ui.checkbox(&mut on, "").on_hover_text(format!("Select {name}"));
                    response.widget_info(|| {
                        egui::WidgetInfo::selected(egui::Role::CheckBox, true, on, format!("Select {name}"))
                    });
                    if response.changed() {
                        if on {
                            selected.insert(name.clone());
                        } else {
                            selected.remove(name);
                        }
                    }
                });
                row.col(|ui| {
                    ui.label(RichText::new(name).strong());
                });
                if email {
                    row.col(|ui| {
                        ui.label(&r.trader.email);
                    });
                }
                if account {
                    row.col(|ui| {
                        ui.label(&r.trader.account_name);
                    });
                }
                row.col(|ui| {
                    let label = r.stage.map(|s| s.label()).unwrap_or("Not created");
                    widgets::badge(ui, label, theme::stage_color(r.stage));
                });
                row.col(|ui| {
                    if let Some(since) = r.since {
                        ui.label(rows::age(since, now))
                            .on_hover_text(since.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S").to_string());
                    } else {
                        ui.label("—");
                    }
                });
                row.col(|ui| latest_change_ui(ui, r.latest.as_ref(), local_now));
                row.col(|ui| match (r.stage, &r.trader.last_error) {
                    (Some(BoardStage::Failed), Some(error)) => {
                        let stage = r.trader.error_stage.as_deref().unwrap_or("Error");
                        ui.label(RichText::new(format!("{stage}: {error}")).color(theme::error_color(ui)))
                            .on_hover_text(error);
                    }
                    _ => {
                        let text = r.waiting_text();
                        ui.label(RichText::new(&text).weak()).on_hover_text(text);
                    }
                });
                if row.response().clicked() {
                    clicked_row = Some(name.clone());
                }
            });
        });
    if let Some(name) = clicked_row {
        *detail = if detail.as_ref() == Some(&name) { None } else { Some(name) };
    }
    // Ages tick over; a repaint every 30 s is plenty.
    ui.ctx().request_repaint_after(std::time::Duration::from_secs(30));
}

/// "granted by anna on ops-laptop at 14:02"; the whole history line on hover.
fn latest_change_ui(ui: &mut Ui, latest: Option<&HistoryEntry>, now: DateTime<Local>) {
    let Some(entry) = latest else {
        ui.label(RichText::new("—").weak());
        return;
    };
    let at = entry.at.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S");
    let with_host = ui.available_width() >= FULL_CHANGE_TEXT;
    // Elided in a narrow column, but with one tooltip: the whole line, not the cut text.
    ui.add(egui::Label::new(latest_change_text(entry, now, with_host)).truncate().show_tooltip_when_elided(false))
        .on_hover_text(format!("{}\nby {} on {}, {at}", entry.what, entry.by.user, entry.by.host));
}
