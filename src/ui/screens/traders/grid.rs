//! The roster grid (virtualized: only visible rows are laid out) and the row editor.

use super::run::{StatusKind, status_of};
use super::{TradersCommand, TradersScreen};
use crate::onboarding::{Field, RowId, SortOrder};
use crate::ui::theme;
use egui::{Color32, RichText};
use egui_extras::{Column, TableBuilder};

const ROW_HEIGHT: f32 = 24.0;
const EDITOR_HEIGHT: f32 = 240.0;

fn column_width(field: Field) -> f32 {
    match field {
        Field::Email => 210.0,
        Field::StreetAddress1 | Field::StreetAddress2 => 170.0,
        Field::Password => 90.0,
        Field::State | Field::Country => 70.0,
        Field::AccountName => 150.0,
        _ => 120.0,
    }
}

fn status_color(ui: &egui::Ui, kind: StatusKind) -> Color32 {
    match kind {
        StatusKind::Valid | StatusKind::Done => theme::SUCCESS,
        StatusKind::Pending => theme::ACCENT,
        StatusKind::Invalid | StatusKind::Failed => theme::error_color(ui),
    }
}

fn invalid_tint(ui: &egui::Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgba_unmultiplied(220, 38, 38, 60)
    } else {
        Color32::from_rgba_unmultiplied(220, 38, 38, 36)
    }
}

pub fn grid_ui(screen: &mut TradersScreen, ui: &mut egui::Ui, commands: &mut Vec<TradersCommand>) {
    let editor = screen.focused.is_some_and(|id| screen.roster.get(id).is_some());
    let grid_height = (ui.available_height() - if editor { EDITOR_HEIGHT } else { 0.0 }).max(140.0);
    let width = ui.available_width();
    let mut clicked: Option<(RowId, bool)> = None;
    ui.allocate_ui(egui::vec2(width, grid_height), |ui| {
        egui::ScrollArea::horizontal().id_salt("traders_grid_h").auto_shrink(false).show(ui, |ui| {
            clicked = table_ui(screen, ui, grid_height, commands);
        });
    });
    if let Some((id, add)) = clicked {
        if add {
            if !screen.selected.remove(&id) {
                screen.selected.insert(id);
            }
        } else {
            screen.selected = [id].into();
        }
        screen.focused = Some(id);
    }
    if editor {
        ui.add_space(6.0);
        editor_ui(screen, ui, commands);
    }
}

fn table_ui(
    screen: &mut TradersScreen,
    ui: &mut egui::Ui,
    height: f32,
    commands: &mut Vec<TradersCommand>,
) -> Option<(RowId, bool)> {
    let command_key = ui.input(|i| i.modifiers.command || i.modifiers.ctrl);
    let scroll_to = screen.pending_scroll.take().and_then(|id| screen.view.iter().position(|v| *v == id));
    let mut builder = TableBuilder::new(ui)
        .id_salt("traders_grid")
        .striped(true)
        .sense(egui::Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .min_scrolled_height(0.0)
        .max_scroll_height((height - ROW_HEIGHT - 20.0).max(80.0))
        .column(Column::exact(48.0))
        .column(Column::initial(300.0).at_least(120.0).resizable(true).clip(true));
    for field in Field::ALL {
        builder = builder.column(Column::initial(column_width(field)).at_least(50.0).resizable(true).clip(true));
    }
    if let Some(index) = scroll_to {
        builder = builder.scroll_to_row(index, Some(egui::Align::Center));
    }
    let sort = screen.sort;
    let mut clicked = None;
    let screen = &*screen;
    builder
        .header(ROW_HEIGHT + 2.0, |mut row| {
            row.col(|ui| {
                ui.label(RichText::new("#").strong());
            });
            row.col(|ui| {
                ui.label(RichText::new("Status").strong());
            });
            for field in Field::ALL {
                row.col(|ui| {
                    let arrow = match sort {
                        Some((f, SortOrder::Ascending)) if f == field => " ⏶",
                        Some((f, SortOrder::Descending)) if f == field => " ⏷",
                        _ => "",
                    };
                    let title = RichText::new(format!("{}{arrow}", field.header())).strong();
                    if field == Field::Password {
                        ui.label(title).on_hover_text("Passwords are never sorted or searched");
                    } else if ui
                        .add(egui::Button::new(title).frame(false))
                        .on_hover_text(format!("{} · click to sort", field.label()))
                        .clicked()
                    {
                        commands.push(TradersCommand::Sort(field));
                    }
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, screen.view.len(), |mut row| {
                let index = row.index();
                let id = screen.view[index];
                let Some(trader) = screen.roster.get(id) else { return };
                let selected = screen.selected.contains(&id);
                row.set_selected(selected);
                row.col(|ui| {
                    ui.label(RichText::new((index + 1).to_string()).weak());
                });
                let (status, kind) = status_of(screen, id, trader);
                let (_, response) = row.col(|ui| {
                    crate::ui::widgets::status_dot(ui, status_color(ui, kind), kind != StatusKind::Pending);
                    // On the selection's fill red and green text is hard to read (dark
                    // theme especially): the dot keeps the colour, the text the contrast.
                    let text = RichText::new(&status);
                    ui.label(if selected { text.strong() } else { text.color(status_color(ui, kind)) });
                });
                if kind == StatusKind::Invalid {
                    let all: Vec<String> = screen
                        .check
                        .validation
                        .problems(id)
                        .iter()
                        .map(|p| format!("{}: {}", p.field.label(), p.message))
                        .collect();
                    response.on_hover_text(all.join("\n"));
                } else {
                    response.on_hover_text(&status);
                }
                for field in Field::ALL {
                    let problem = screen.check.validation.cell_problems(id, field).next();
                    let (_, response) = row.col(|ui| {
                        if problem.is_some() {
                            ui.painter().rect_filled(
                                ui.max_rect().expand2(egui::vec2(3.0, 1.0)),
                                2.0,
                                invalid_tint(ui),
                            );
                        }
                        let value = trader.get(field);
                        if field == Field::Password {
                            if !value.is_empty() {
                                ui.label("••••");
                            }
                        } else {
                            ui.add(egui::Label::new(value).truncate().selectable(false));
                        }
                    });
                    if let Some(problem) = problem {
                        response.on_hover_text(format!("{}: {}", field.label(), problem.message));
                    }
                }
                if row.response().clicked() {
                    clicked = Some((id, command_key));
                }
            });
        });
    clicked
}

/// The focused row, one labelled input per field with its problem beside it.
fn editor_ui(screen: &mut TradersScreen, ui: &mut egui::Ui, commands: &mut Vec<TradersCommand>) {
    let Some(id) = screen.focused else { return };
    let Some(trader) = screen.roster.get(id) else { return };
    if screen.draft.as_ref().is_none_or(|(d, _)| *d != id) {
        screen.draft = Some((id, Field::ALL.iter().map(|f| trader.get(*f).to_string()).collect()));
    }
    let title = if trader.name.trim().is_empty() { "New trader".to_string() } else { trader.name.trim().to_string() };
    let locked = screen.run.is_running();
    let error = theme::error_color(ui);
    let problems: Vec<Option<String>> = Field::ALL
        .iter()
        .map(|f| screen.check.validation.cell_problems(id, *f).next().map(|p| p.message.clone()))
        .collect();
    let suggestions: Vec<Option<String>> = Field::ALL
        .iter()
        .map(|f| screen.check.validation.cell_problems(id, *f).find_map(|p| p.suggestion.clone()))
        .collect();
    let mut close = false;
    crate::ui::widgets::card(ui, "", |ui| {
        ui.horizontal(|ui| {
            ui.label(RichText::new(format!("✏ {title}")).strong().size(15.0));
            let count = problems.iter().flatten().count();
            if count > 0 {
                ui.label(RichText::new(format!("{count} to fix")).color(error));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.small_button("🗙 Close").clicked() {
                    close = true;
                }
            });
        });
        let Some((_, draft)) = screen.draft.as_mut() else { return };
        egui::ScrollArea::vertical().id_salt("traders_editor").auto_shrink([false, true]).show(ui, |ui| {
            // Widths come from the whole editor: inside the grid a cell knows only itself.
            // Two fields per line when there is room, else one (small screens), so the
            // problem beside each field has room to wrap instead of being cut off.
            let two_wide = (ui.available_width() - 40.0) / 2.0 - 220.0 - 150.0;
            let per_line = if two_wide >= 240.0 { 2 } else { 1 };
            let column_width = ((ui.available_width() - 40.0) / per_line as f32).max(300.0);
            let input_width = (column_width * 0.42).clamp(120.0, 220.0);
            let problem_width = (column_width - input_width - 150.0).max(120.0);
            ui.add_enabled_ui(!locked, |ui| {
                egui::Grid::new("traders_editor_grid").num_columns(3 * per_line).spacing([8.0, 4.0]).show(ui, |ui| {
                    for (i, field) in Field::ALL.iter().enumerate() {
                        let label = ui.label(field.label());
                        let mut edit = egui::TextEdit::singleline(&mut draft[i]).desired_width(input_width);
                        if *field == Field::Password {
                            edit = edit.password(true).hint_text("generated if empty");
                        }
                        let response = ui.add_sized([input_width, 22.0], edit).labelled_by(label.id);
                        if response.changed() {
                            commands.push(TradersCommand::SetCell(id, *field, draft[i].clone()));
                        }
                        ui.allocate_ui(egui::vec2(problem_width, ROW_HEIGHT), |ui| {
                            ui.set_max_width(problem_width);
                            match (&problems[i], &suggestions[i]) {
                                (Some(message), suggestion) => {
                                    ui.horizontal_wrapped(|ui| {
                                        ui.add(
                                            egui::Label::new(RichText::new(format!("⚠ {message}")).color(error)).wrap(),
                                        );
                                        if let Some(value) = suggestion
                                            && ui.small_button(format!("Use {value}")).clicked()
                                        {
                                            commands.push(TradersCommand::SetCell(id, *field, value.clone()));
                                        }
                                    });
                                }
                                (None, _) => {
                                    ui.label("");
                                }
                            }
                        });
                        if i % per_line == per_line - 1 {
                            ui.end_row();
                        }
                    }
                });
            });
        });
    });
    if close {
        screen.focused = None;
        screen.draft = None;
    }
}
