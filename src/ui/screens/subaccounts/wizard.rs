//! The wizard's state and frame: the step indicator, the current step, and Back / Next
//! with the line that says what is still missing.

use super::{SubaccountsCommand, documents, review, steps};
use crate::api::Secret;
use crate::api::wire::DocumentType;
use crate::subaccount::{
    DocumentFile, DocumentSlot, DraftField, FieldProblem, Step, SubaccountDraft, Submission, check_step, next_blockers,
};
use crate::ui::command::Command;
use crate::ui::problem::Problem;
use crate::ui::remote::Remote;
use crate::ui::{theme, widgets};
use chrono::{DateTime, Utc};
use egui::RichText;
use std::collections::{HashMap, HashSet};

pub struct Wizard {
    pub draft_id: String,
    pub draft: SubaccountDraft,
    pub step: Step,
    /// Typed here, copied into the draft's `Secret`s.
    pub ssn: String,
    pub national_id: String,
    pub show_secret: bool,
    /// What was typed in the country picker's search box.
    pub country_filter: String,
    /// Fields the user typed in: their problems show as they type.
    pub touched: HashSet<DraftField>,
    /// Steps where Next was pressed: every problem on them shows.
    pub attempted: HashSet<Step>,
    /// "Link documents already uploaded" instead of files.
    pub link_mode: bool,
    pub loading: HashSet<DocumentType>,
    pub slot_problems: HashMap<DocumentType, SlotProblem>,
    pub thumbnails: HashMap<DocumentType, (String, egui::TextureHandle)>,
    pub drop_note: Option<String>,
    /// The journal's traders that have a Tradovate user (name, user id).
    pub known_traders: Remote<Vec<(String, i64)>>,
    /// Tradovate's refusal: the field it names (if any), its message, and when.
    pub server_problem: Option<(Option<DraftField>, String, DateTime<Utc>)>,
    pub submit_problem: Option<Problem>,
    /// Set when no keyring could keep the SSN / national ID.
    pub keyring_note: Option<String>,
    /// The draft was read back from disk after a restart.
    pub restored: bool,
}

/// Why a document slot has no file, and what to do about it (shown beside the slot).
pub struct SlotProblem {
    pub problem: Problem,
    /// A fix to offer, e.g. "Rename the file to … and choose it again."
    pub advice: Option<String>,
}

impl Default for Wizard {
    fn default() -> Self {
        Self {
            draft_id: format!("draft-{}-{:04x}", Utc::now().format("%Y%m%d-%H%M%S%3f"), rand::random::<u16>()),
            draft: SubaccountDraft::default(),
            step: Step::Trader,
            ssn: String::new(),
            national_id: String::new(),
            show_secret: false,
            country_filter: String::new(),
            touched: HashSet::new(),
            attempted: HashSet::new(),
            link_mode: false,
            loading: HashSet::new(),
            slot_problems: HashMap::new(),
            thumbnails: HashMap::new(),
            drop_note: None,
            known_traders: Remote::NotRequested,
            server_problem: None,
            submit_problem: None,
            keyring_note: None,
            restored: false,
        }
    }
}

impl Wizard {
    pub fn is_blank(&self) -> bool {
        self.draft == SubaccountDraft::default() && self.ssn.is_empty() && self.national_id.is_empty()
    }

    pub fn sync_secrets(&mut self) {
        if self.draft.identity.tax_identifier.expose() != self.ssn {
            self.draft.identity.tax_identifier = Secret::new(self.ssn.clone());
        }
        if self.draft.identity.national_id.expose() != self.national_id {
            self.draft.identity.national_id = Secret::new(self.national_id.clone());
        }
    }

    pub fn empty_slots(&self) -> Vec<DocumentType> {
        DocumentType::ALL
            .into_iter()
            .filter(|t| self.draft.documents.slot(*t).is_blank() && !self.loading.contains(t))
            .collect()
    }

    pub fn set_file(&mut self, slot: DocumentType, file: DocumentFile) {
        self.slot_problems.remove(&slot);
        if self.thumbnails.get(&slot).is_some_and(|(name, _)| name != file.file_name()) {
            self.thumbnails.remove(&slot);
        }
        *self.draft.documents.slot_mut(slot) = DocumentSlot::File(file);
        self.touched.insert(DraftField::Document(slot));
        self.drop_note = None;
    }

    pub fn clear_slot(&mut self, slot: DocumentType) {
        *self.draft.documents.slot_mut(slot) = DocumentSlot::Empty;
        self.thumbnails.remove(&slot);
        self.slot_problems.remove(&slot);
    }

    /// The message to show beside `field`, if any: a rule broken (once the field was
    /// touched or Next was pressed), or Tradovate's refusal naming it.
    pub fn problem_for(&self, problems: &[FieldProblem], field: DraftField) -> Option<String> {
        if let Some((Some(server_field), message, _)) = &self.server_problem
            && *server_field == field
        {
            return Some(format!("Tradovate: {message}"));
        }
        if !(self.touched.contains(&field) || self.attempted.contains(&field.step())) {
            return None;
        }
        problems.iter().find(|p| p.field == field).map(|p| p.message.clone())
    }

    /// Marks a field as edited; a server refusal about it is cleared once the user changes it.
    pub fn touch(&mut self, field: DraftField) {
        self.touched.insert(field);
        if self.server_problem.as_ref().is_some_and(|(f, _, _)| *f == Some(field)) {
            self.server_problem = None;
        }
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        submission: Option<&Submission>,
        sending: bool,
        commands: &mut Vec<Command>,
    ) {
        self.sync_secrets();
        ui.horizontal(|ui| {
            if ui.button("All requests").clicked() {
                commands.push(Command::Subaccounts(SubaccountsCommand::ShowList));
            }
            ui.label(RichText::new("New subaccount request").strong().size(16.0));
        });
        if self.restored {
            widgets::hint(ui, "Draft restored from the last session. Files are not kept: choose them again.");
        }
        ui.add_space(6.0);
        self.step_indicator_ui(ui);
        ui.add_space(8.0);
        if let Some((None, message, _)) | Some((Some(_), message, _)) = &self.server_problem
            && self.step != Step::Review
        {
            let problem = Problem::new(
                format!("Tradovate refused the request: {message}. Fix it here, then submit again from Review."),
                message.clone(),
            );
            widgets::error_label(ui, &problem);
            ui.add_space(4.0);
        }
        let problems = check_step(&self.draft, self.step);
        match self.step {
            Step::Trader => steps::trader_ui(ui, self, &problems, commands),
            Step::Identity => steps::identity_ui(ui, self, &problems),
            Step::Address => steps::address_ui(ui, self, &problems),
            Step::Account => steps::account_ui(ui, self, &problems),
            Step::Documents => documents::ui(ui, self, &problems, commands),
            Step::Review => review::ui(ui, self, submission, sending, commands),
        }
        ui.add_space(10.0);
        self.navigation_ui(ui);
    }

    fn step_indicator_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            let current = Step::ALL.iter().position(|s| *s == self.step).unwrap_or(0);
            for (i, step) in Step::ALL.into_iter().enumerate() {
                if i > 0 {
                    ui.label(RichText::new("·").weak());
                }
                let done = i < current && check_step(&self.draft, step).is_empty();
                let mark = if done { "✔" } else { "" };
                let text = format!("{mark}{} {}", i + 1, step.title());
                let text = if step == self.step {
                    RichText::new(text).strong().color(ui.visuals().selection.stroke.color)
                } else if done {
                    RichText::new(text)
                } else {
                    RichText::new(text).weak()
                };
                // Going back is always allowed; forward only past complete steps.
                let reachable = i <= current
                    || Step::ALL[..i].iter().all(|s| *s == Step::Review || check_step(&self.draft, *s).is_empty());
                let button = egui::Button::new(text).frame(step == self.step).selected(step == self.step);
                let response = ui.add_enabled(reachable, button);
                if response.clicked() {
                    self.step = step;
                }
            }
        });
    }

    fn navigation_ui(&mut self, ui: &mut egui::Ui) {
        ui.separator();
        let blockers = if self.step == Step::Review { Vec::new() } else { next_blockers(&self.draft, self.step) };
        ui.horizontal(|ui| {
            if let Some(previous) = self.step.previous()
                && ui.button("Back").clicked()
            {
                self.step = previous;
            }
            if let Some(next) = self.step.next() {
                let label = format!("Next: {}", next.title());
                let response = ui.add_enabled(blockers.is_empty(), egui::Button::new(label));
                if response.clicked() {
                    self.step = next;
                }
                // A disabled button gets no click: pressing it anyway shows every problem.
                if !blockers.is_empty() && response.contains_pointer() && ui.input(|i| i.pointer.primary_clicked()) {
                    self.attempted.insert(self.step);
                }
            }
        });
        if !blockers.is_empty() {
            let color = theme::error_color(ui);
            for line in &blockers {
                ui.label(RichText::new(format!("Next is blocked. {line}")).color(color));
            }
        }
    }
}
