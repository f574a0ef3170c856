//! The Documents step: three slots, each with "Choose file…" and a drop zone; or the
//! three IDs of documents uploaded earlier.

use super::SubaccountsCommand;
use super::wizard::Wizard;
use crate::api::wire::DocumentType;
use crate::subaccount::{DocumentSlot, DraftField, FieldProblem, MAX_FILE_BYTES, human_size};
use crate::ui::command::Command;
use crate::ui::problem::Problem;
use crate::ui::widgets;
use egui::{Color32, CornerRadius, RichText, Stroke};

pub fn ui(ui: &mut egui::Ui, wizard: &mut Wizard, problems: &[FieldProblem], commands: &mut Vec<Command>) {
    let (hovering, dropped) = ui.ctx().input(|i| (!i.raw.hovered_files.is_empty(), i.raw.dropped_files.clone()));
    if !dropped.is_empty() && !wizard.link_mode {
        commands.push(Command::Subaccounts(SubaccountsCommand::Dropped(dropped)));
    }
    widgets::card(ui, "Identity documents", |ui| {
        ui.horizontal(|ui| {
            if ui.radio(!wizard.link_mode, "Attach files").clicked() {
                set_link_mode(wizard, false);
            }
            if ui.radio(wizard.link_mode, "Link documents already uploaded").clicked() {
                set_link_mode(wizard, true);
            }
        });
        ui.add_space(4.0);
        if wizard.link_mode {
            link_ui(ui, wizard, problems);
            return;
        }
        widgets::hint(
            ui,
            &format!(
                "PDF, PNG, JPEG or plain text, up to {} each. Drop files anywhere on the window: they fill the empty slots in order.",
                human_size(MAX_FILE_BYTES)
            ),
        );
        ui.add_space(6.0);
        for slot in DocumentType::ALL {
            slot_ui(ui, wizard, problems, slot, hovering, commands);
            ui.add_space(6.0);
        }
        if let Some(note) = &wizard.drop_note {
            widgets::error_label(ui, &Problem::simple(note.clone()));
        }
    });
}

fn set_link_mode(wizard: &mut Wizard, on: bool) {
    if wizard.link_mode == on {
        return;
    }
    wizard.link_mode = on;
    for slot in DocumentType::ALL {
        *wizard.draft.documents.slot_mut(slot) =
            if on { DocumentSlot::DocumentId(String::new()) } else { DocumentSlot::Empty };
    }
    wizard.thumbnails.clear();
    wizard.slot_problems.clear();
}

fn link_ui(ui: &mut egui::Ui, wizard: &mut Wizard, problems: &[FieldProblem]) {
    widgets::hint(ui, "Give all three document IDs, or switch back to attaching files.");
    egui::Grid::new("document-ids").num_columns(3).spacing([12.0, 8.0]).show(ui, |ui| {
        for slot in DocumentType::ALL {
            let field = DraftField::Document(slot);
            let label = ui.label(format!("{} document ID", slot.label()));
            let mut text = match wizard.draft.documents.slot(slot) {
                DocumentSlot::DocumentId(id) => id.clone(),
                _ => String::new(),
            };
            let response = ui
                .add(egui::TextEdit::singleline(&mut text).hint_text("e.g. 5012").desired_width(160.0))
                .labelled_by(label.id);
            if response.changed() {
                *wizard.draft.documents.slot_mut(slot) = DocumentSlot::DocumentId(text);
                wizard.touch(field);
            }
            match wizard.problem_for(problems, field) {
                Some(message) => {
                    widgets::error_label(ui, &Problem::simple(message));
                }
                None => {
                    ui.label("");
                }
            }
            ui.end_row();
        }
    });
}

fn slot_ui(
    ui: &mut egui::Ui,
    wizard: &mut Wizard,
    problems: &[FieldProblem],
    slot: DocumentType,
    hovering: bool,
    commands: &mut Vec<Command>,
) {
    let empty = wizard.draft.documents.slot(slot).is_blank();
    let loading = wizard.loading.contains(&slot);
    let next_empty = wizard.empty_slots().first() == Some(&slot);
    let highlight = hovering && empty && !loading;
    let accent = ui.visuals().selection.stroke.color;
    let stroke = if highlight {
        Stroke::new(2.0, accent)
    } else {
        Stroke::new(1.0, ui.visuals().widgets.noninteractive.bg_stroke.color)
    };
    let fill = if highlight { accent.gamma_multiply(0.12) } else { Color32::TRANSPARENT };
    egui::Frame::new()
        .stroke(stroke)
        .fill(fill)
        .corner_radius(CornerRadius::same(6))
        .inner_margin(egui::Margin::same(10))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.vertical(|ui| {
                    ui.set_width(170.0);
                    ui.label(RichText::new(slot.label()).strong());
                    let choose = ui.add_enabled(!loading, egui::Button::new("Choose file…"));
                    let choose = choose.accessible_name(format!("Choose file for {}", slot.label()));
                    if choose.clicked() {
                        commands.push(Command::Subaccounts(SubaccountsCommand::ChooseFile(slot)));
                    }
                });
                ui.vertical(|ui| match wizard.draft.documents.slot(slot) {
                    _ if loading => {
                        ui.horizontal(|ui| {
                            ui.spinner();
                            ui.label("Reading and checking the file…");
                        });
                    }
                    DocumentSlot::File(file) => {
                        ui.horizontal(|ui| {
                            if let Some((name, texture)) = wizard.thumbnails.get(&slot)
                                && name == file.file_name()
                            {
                                let size = texture.size_vec2();
                                let scale = (64.0 / size.y.max(1.0)).min(96.0 / size.x.max(1.0));
                                ui.add(egui::Image::new((texture.id(), size * scale)));
                            } else {
                                ui.label(RichText::new(file.kind().extension().to_uppercase()).strong().size(18.0));
                            }
                            ui.vertical(|ui| {
                                ui.label(format!("✔ {}", file.file_name()));
                                ui.label(
                                    RichText::new(format!("{} · {}", file.kind().described(), file.human_size()))
                                        .weak(),
                                );
                                let remove =
                                    ui.small_button("Remove").accessible_name(format!("Remove {}", slot.label()));
                                if remove.clicked() {
                                    commands.push(Command::Subaccounts(SubaccountsCommand::ClearSlot(slot)));
                                }
                            });
                        });
                    }
                    DocumentSlot::ChooseAgain { file_name } => {
                        ui.label(format!("Choose {file_name} again: files are not kept between sessions."));
                    }
                    _ => {
                        let text = if highlight && next_empty {
                            "Release to put the file here"
                        } else if highlight {
                            "Drop here (fills empty slots in order)"
                        } else {
                            "Drop a file here, or choose one"
                        };
                        ui.label(RichText::new(text).weak());
                    }
                });
            });
            if let Some(refused) = wizard.slot_problems.get(&slot) {
                widgets::error_label(ui, &refused.problem);
                if let Some(advice) = &refused.advice {
                    widgets::hint(ui, advice);
                }
            } else if let Some(message) = wizard.problem_for(problems, DraftField::Document(slot)) {
                widgets::error_label(ui, &Problem::simple(message));
            }
        });
}
