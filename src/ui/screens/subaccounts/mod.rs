//! Subaccounts: the partner subaccount request wizard and the request list.
//!
//! The list is the screen's home; "New request" opens the wizard. Drawing only reads
//! state and pushes [`SubaccountsCommand`]s (typing edits the draft, which is this
//! screen's own state); submitting, reading files, decoding thumbnails and status checks
//! run on the runtime and come back through [`Inbox`].

mod documents;
mod list;
mod review;
mod steps;
mod wizard;

use super::{ScreenContext, ScreenContextMut};
use crate::api::wire::DocumentType;
use crate::api::{EnvironmentKind, Secret};
use crate::store::SecretStore;
use crate::subaccount::saved_draft as drafts;
use crate::subaccount::{
    DocumentFile, PollPace, Registry, StatusWatch, Submission, SubmissionHandle, SubmissionJobs, check_document_size,
};
use crate::ui::command::Command;
use crate::ui::confirm::{self, Confirmation, asks_before_billing};
use crate::ui::connection::Connection;
use crate::ui::document_picker::{self, DocumentPicker, PickedFile};
use crate::ui::problem::Problem;
use crate::ui::remote::{Inbox, Remote};
use crate::ui::widgets;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wizard::{SlotProblem, Wizard};

/// What this screen asks the app to do after drawing (applied by [`SubaccountsScreen::apply`]).
#[derive(Clone, Debug)]
pub enum SubaccountsCommand {
    NewRequest,
    /// Back to the list; the draft stays until a new request is started.
    ShowList,
    OpenDraft,
    Refresh,
    /// Opens the file dialog for this slot.
    ChooseFile(DocumentType),
    /// Files dropped on the window.
    Dropped(Vec<egui::DroppedFileHandle>),
    ClearSlot(DocumentType),
    Submit,
    RetryDocuments,
    LoadTraders,
}

/// What background work reports, delivered to [`SubaccountsScreen::tick`].
enum Message {
    Slot {
        slot: DocumentType,
        outcome: SlotOutcome,
    },
    DraftLoaded(Result<Option<Box<drafts::Restored>>, String>),
    DraftSaved(Result<Result<(), crate::store::KeyringError>, String>),
    /// The sent draft's saved copy is gone (best effort: nothing to tell).
    DraftRemoved,
    /// A newer write of the draft ran first; this older one was dropped.
    DraftSuperseded,
}

/// What became of a document slot's file.
enum SlotOutcome {
    /// Checked; images come with a thumbnail.
    Chosen { file: DocumentFile, thumbnail: Option<egui::ColorImage> },
    /// The dialog was closed without a file (or the job stopped): the slot is as it was.
    Cancelled,
    /// Too large, unreadable, of the wrong type, or no dialog: shown beside the slot.
    Refused(SlotProblem),
}

/// Keeping the wizard's draft across restarts.
#[derive(Default)]
struct DraftKeeping {
    /// The environment whose saved draft was read.
    loaded_for: Option<EnvironmentKind>,
    /// That environment's draft file.
    file: Option<PathBuf>,
    /// Writes land in the order they were decided.
    order: drafts::WriteOrder,
    /// What was last written (draft and secret), to write only changes.
    last_saved: Option<(drafts::SavedDraft, String)>,
    last_write: Option<Instant>,
    /// The draft that was sent and whose saved copy was removed.
    removed: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum View {
    List,
    Wizard,
}

/// What one environment's wizard and requests are, while another environment is shown.
#[derive(Default)]
struct EnvironmentPart {
    keeping: DraftKeeping,
    view: Option<View>,
    wizard: Wizard,
    submit_handle: Option<SubmissionHandle>,
    retry_handle: Option<SubmissionHandle>,
    checks: Vec<SubmissionHandle>,
}

pub struct SubaccountsScreen {
    /// The environment shown (`Connection::scope`); the others wait in `elsewhere`.
    scope: Option<String>,
    elsewhere: std::collections::HashMap<String, EnvironmentPart>,
    /// A request waiting for the admin's yes (every environment but the Sandbox).
    confirm: Option<Confirmation<SubaccountsCommand>>,
    picker: DocumentPicker,
    secrets: SecretStore,
    keeping: DraftKeeping,
    view: View,
    wizard: Wizard,
    jobs: Option<(Arc<Registry>, SubmissionJobs)>,
    submit_handle: Option<SubmissionHandle>,
    retry_handle: Option<SubmissionHandle>,
    list: Remote<Vec<Submission>>,
    /// Something changed while the list was being read: read it again when that read ends.
    list_stale: bool,
    checks: Vec<SubmissionHandle>,
    /// Automatic status checks; kept only while the list is on screen.
    watch: Option<StatusWatch>,
    poll_pace: PollPace,
    /// The list was drawn since the last tick (the app ticks hidden screens too).
    list_drawn: bool,
    inbox: Inbox<Message>,
}

impl Default for SubaccountsScreen {
    fn default() -> Self {
        Self::new(document_picker::native(), SecretStore::platform())
    }
}

impl SubaccountsScreen {
    pub fn new(picker: DocumentPicker, secrets: SecretStore) -> Self {
        Self {
            scope: None,
            elsewhere: std::collections::HashMap::new(),
            confirm: None,
            picker,
            secrets,
            keeping: DraftKeeping::default(),
            view: View::List,
            wizard: Wizard::default(),
            jobs: None,
            submit_handle: None,
            retry_handle: None,
            list: Remote::NotRequested,
            list_stale: false,
            checks: Vec::new(),
            watch: None,
            poll_pace: PollPace::default(),
            list_drawn: false,
            inbox: Inbox::default(),
        }
    }

    /// Checks statuses at this pace instead of reference 6.4's 30–60 s (tests).
    pub fn with_poll_pace(mut self, pace: PollPace) -> Self {
        self.poll_pace = pace;
        self
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &ScreenContext<'_>, commands: &mut Vec<Command>) {
        widgets::screen_header(ui, "Subaccounts", "Graduate traders to funded live subaccounts.");
        let Some(connection) = ctx.connection else {
            widgets::empty_state(ui, "🔌", "Not signed in", "Sign in on the Setup screen to request subaccounts.");
            return;
        };
        if connection.workspace.is_none() {
            widgets::empty_state(ui, "⏳", "Opening…", "Opening this environment's request registry.");
            return;
        }
        match self.view {
            View::List => {
                let latest = self.submit_handle.as_ref().and_then(|h| h.latest());
                list::ui(ui, &self.list, &self.wizard, latest, commands);
                self.list_drawn = true;
                if self.watch.is_none()
                    && let Some((_, jobs)) = &self.jobs
                {
                    self.watch = Some(jobs.watch_statuses(self.poll_pace));
                }
                // Keeps "checked … ago" current; finished checks ask for their own repaint.
                ui.ctx().request_repaint_after(Duration::from_secs(5));
            }
            View::Wizard => {
                let submission = self.current_submission();
                let mut local = Vec::new();
                egui::ScrollArea::vertical()
                    .auto_shrink(false)
                    .show(ui, |ui| self.wizard.ui(ui, submission.as_ref(), self.is_sending(), &mut local));
                for command in local {
                    match command {
                        Command::Subaccounts(SubaccountsCommand::Submit) if asks_before_billing(connection.kind()) => {
                            self.confirm = Some(self.submit_confirmation(connection));
                        }
                        other => commands.push(other),
                    }
                }
            }
        }
        let scope = connection.scope();
        if let Some(confirmed) = confirm::show(&mut self.confirm, ui.ctx(), Some(&scope)) {
            commands.push(Command::Subaccounts(confirmed));
        }
    }

    /// The dialog before a request goes to Tradovate: who, how much, where.
    fn submit_confirmation(&self, connection: &Connection) -> Confirmation<SubaccountsCommand> {
        let identity = &self.wizard.draft.identity;
        let who = format!("{} {}", identity.first_name.trim(), identity.last_name.trim());
        let amount = self.wizard.draft.account.transfer_amount.trim();
        let kind = connection.kind();
        Confirmation::new(SubaccountsCommand::Submit, kind, &connection.scope(), 1, "Send this subaccount request?")
            .consequence(format!("A live subaccount for {who} will be requested, funded with {amount}"))
            .detail("Tradovate reviews it; the request cannot be withdrawn from Propdesk.")
            .labels("Send request", "Cancel")
    }

    /// Puts the shown environment's wizard and requests aside and shows `scope`'s.
    fn show_environment(&mut self, scope: Option<String>) {
        let shown = EnvironmentPart {
            keeping: std::mem::take(&mut self.keeping),
            view: Some(self.view),
            wizard: std::mem::take(&mut self.wizard),
            submit_handle: self.submit_handle.take(),
            retry_handle: self.retry_handle.take(),
            checks: std::mem::take(&mut self.checks),
        };
        if let Some(old) = self.scope.take() {
            self.elsewhere.insert(old, shown);
        }
        let part = scope.as_ref().and_then(|s| self.elsewhere.remove(s)).unwrap_or_default();
        self.keeping = part.keeping;
        self.view = part.view.unwrap_or(View::List);
        self.wizard = part.wizard;
        self.submit_handle = part.submit_handle;
        self.retry_handle = part.retry_handle;
        self.checks = part.checks;
        self.list = Remote::NotRequested;
        self.confirm = None;
        self.scope = scope;
    }

    /// What Tradovate knows about the wizard's draft, if it was sent.
    fn current_submission(&self) -> Option<Submission> {
        let from_handle = [&self.retry_handle, &self.submit_handle]
            .into_iter()
            .flatten()
            .filter(|h| h.draft_id() == self.wizard.draft_id)
            .find_map(|h| h.latest().cloned());
        from_handle
            .or_else(|| self.list.value().and_then(|l| l.iter().find(|s| s.draft_id == self.wizard.draft_id).cloned()))
    }

    fn is_sending(&self) -> bool {
        [&self.submit_handle, &self.retry_handle].into_iter().flatten().any(|h| !h.is_finished())
    }

    /// Applies a command after drawing.
    pub fn apply(&mut self, command: SubaccountsCommand, ctx: &mut ScreenContextMut<'_>) {
        match command {
            SubaccountsCommand::NewRequest => {
                let sent = self.current_submission().is_some();
                if sent || self.wizard.is_blank() {
                    self.wizard = Wizard::default();
                }
                self.view = View::Wizard;
                self.load_traders(ctx);
            }
            SubaccountsCommand::OpenDraft => {
                self.view = View::Wizard;
                self.load_traders(ctx);
            }
            SubaccountsCommand::ShowList => {
                self.view = View::List;
                self.reload_list(ctx);
            }
            SubaccountsCommand::LoadTraders => self.load_traders(ctx),
            SubaccountsCommand::Refresh => {
                self.check_all_now();
                self.reload_list(ctx);
            }
            SubaccountsCommand::ChooseFile(slot) => {
                self.wizard.loading.insert(slot);
                let picked = (self.picker)(format!("Choose the {}", slot.label().to_lowercase()));
                let job = async move {
                    let outcome = match picked.await {
                        Ok(Some(file)) => check_file(file),
                        Ok(None) => SlotOutcome::Cancelled,
                        // The slot stays usable.
                        Err(problem) => SlotOutcome::Refused(SlotProblem { problem, advice: None }),
                    };
                    Message::Slot { slot, outcome }
                };
                self.inbox.spawn(ctx.bridge, job, move |_| Message::Slot { slot, outcome: SlotOutcome::Cancelled });
            }
            SubaccountsCommand::Dropped(files) => self.take_dropped(files, ctx),
            SubaccountsCommand::ClearSlot(slot) => self.wizard.clear_slot(slot),
            SubaccountsCommand::Submit => self.submit(ctx),
            SubaccountsCommand::RetryDocuments => self.retry(ctx),
        }
    }

    /// Fills the empty slots in order with the dropped files.
    fn take_dropped(&mut self, files: Vec<egui::DroppedFileHandle>, ctx: &mut ScreenContextMut<'_>) {
        let mut empty = self.wizard.empty_slots().into_iter();
        for dropped in files {
            let name = dropped.path().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let Some(slot) = empty.next() else {
                self.wizard.drop_note =
                    Some(format!("{name} was not used: all three slots are filled. Remove one first."));
                continue;
            };
            self.wizard.loading.insert(slot);
            let job = move || {
                // The size from the file system first: a huge file is refused unread.
                let too_large =
                    std::fs::metadata(dropped.path()).ok().and_then(|m| check_document_size(&name, m.len()).err());
                let bytes = match too_large {
                    Some(problem) => Err(Problem::simple(problem.to_string())),
                    None => dropped
                        .bytes()
                        .map_err(|error| Problem::new(format!("{name} could not be read: {error}"), error)),
                };
                let outcome = match bytes {
                    Ok(bytes) => check_file(PickedFile { name, bytes }),
                    Err(problem) => SlotOutcome::Refused(SlotProblem { problem, advice: None }),
                };
                Message::Slot { slot, outcome }
            };
            let stopped = move |_| Message::Slot { slot, outcome: SlotOutcome::Cancelled };
            self.inbox.spawn_blocking(ctx.bridge, job, stopped);
        }
    }

    fn submit(&mut self, ctx: &mut ScreenContextMut<'_>) {
        let Some(jobs) = self.jobs(ctx) else { return };
        self.wizard.sync_secrets();
        self.wizard.server_problem = None;
        let prepared = match crate::subaccount::prepare_request(&self.wizard.draft_id, &self.wizard.draft, false) {
            Ok(prepared) => prepared,
            Err(error) => {
                self.wizard.submit_problem = Some(Problem::of(&error));
                return;
            }
        };
        match jobs.start_submit(prepared) {
            Ok(handle) => {
                self.wizard.submit_problem = None;
                self.submit_handle = Some(handle);
            }
            Err(error) => self.wizard.submit_problem = Some(Problem::of(&error)),
        }
    }

    fn retry(&mut self, ctx: &mut ScreenContextMut<'_>) {
        let Some(jobs) = self.jobs(ctx) else { return };
        match jobs.start_retry_documents(&self.wizard.draft_id, self.wizard.draft.documents.clone()) {
            Ok(handle) => self.retry_handle = Some(handle),
            Err(error) => self.wizard.submit_problem = Some(Problem::of(&error)),
        }
    }

    /// The submission jobs of the signed-in environment (rebuilt when it changes).
    fn jobs(&mut self, ctx: &ScreenContextMut<'_>) -> Option<SubmissionJobs> {
        let connection = ctx.connection.as_deref()?;
        let workspace = connection.workspace.as_ref()?;
        let current = self.jobs.as_ref().is_some_and(|(registry, _)| Arc::ptr_eq(registry, &workspace.registry));
        if !current {
            let jobs =
                SubmissionJobs::new(connection.client.clone(), workspace.registry.clone(), ctx.bridge.runtime.clone());
            let repaint = ctx.bridge.ctx.clone();
            jobs.set_repaint(move || repaint.request_repaint());
            self.jobs = Some((workspace.registry.clone(), jobs));
            self.list = Remote::NotRequested;
            self.watch = None;
        }
        self.jobs.as_ref().map(|(_, jobs)| jobs.clone())
    }

    /// Asks Tradovate now for every undecided request.
    fn check_all_now(&mut self) {
        let Some((_, jobs)) = &self.jobs else { return };
        let Some(list) = self.list.value() else { return };
        for s in list.iter().filter(|s| !s.is_decided()) {
            if let Some(request_id) = s.request_id
                && let Some(handle) = jobs.start_check(&s.draft_id, request_id)
            {
                self.checks.push(handle);
            }
        }
    }

    fn reload_list(&mut self, ctx: &ScreenContextMut<'_>) {
        let Some(registry) = self.jobs.as_ref().map(|(r, _)| r.clone()) else { return };
        if self.list.is_pending() {
            self.list_stale = true;
            return;
        }
        self.list.request_blocking(ctx.bridge, move || registry.list().map_err(|e| Problem::of(&e)));
    }

    /// The journal's traders that have a Tradovate user, read off the UI thread.
    fn load_traders(&mut self, ctx: &ScreenContextMut<'_>) {
        let Some(journal) = ctx.connection.as_deref().and_then(|c| c.workspace.as_ref()).map(|w| w.journal.clone())
        else {
            return;
        };
        self.wizard.known_traders.request_blocking(ctx.bridge, move || {
            journal
                .traders()
                .map(|all| all.into_iter().filter_map(|t| t.user_id.map(|id| (t.name, id))).collect())
                .map_err(|e| Problem::of(&e))
        });
    }

    /// Called every frame before drawing: poll background work.
    pub fn tick(&mut self, ctx: &mut ScreenContextMut<'_>) {
        let scope = ctx.connection.as_deref().map(|c| c.scope());
        if scope != self.scope {
            self.show_environment(scope);
        }
        let Some(_) = self.jobs(ctx) else { return };
        let mut changed = false;
        if self.list.poll() {
            changed |= std::mem::take(&mut self.list_stale);
        }
        self.wizard.known_traders.poll();
        for message in self.inbox.drain().collect::<Vec<_>>() {
            match message {
                Message::Slot { slot, outcome } => {
                    self.wizard.loading.remove(&slot);
                    match outcome {
                        SlotOutcome::Chosen { file, thumbnail } => {
                            if let Some(image) = thumbnail {
                                let name = format!("document-{slot:?}");
                                let texture = ctx.bridge.ctx.load_texture(name, image, egui::TextureOptions::LINEAR);
                                self.wizard.thumbnails.insert(slot, (file.file_name().to_string(), texture));
                            }
                            self.wizard.set_file(slot, file);
                        }
                        SlotOutcome::Cancelled => {}
                        SlotOutcome::Refused(problem) => {
                            self.wizard.slot_problems.insert(slot, problem);
                        }
                    }
                }
                Message::DraftLoaded(Ok(Some(restored))) => self.restore(*restored),
                Message::DraftLoaded(Ok(None)) | Message::DraftRemoved | Message::DraftSuperseded => {}
                Message::DraftLoaded(Err(error)) | Message::DraftSaved(Err(error)) => {
                    ctx.toasts.error(&Problem::new("The subaccount draft could not be kept on disk", error));
                }
                Message::DraftSaved(Ok(keyring)) => {
                    self.wizard.keyring_note = keyring
                        .err()
                        .map(|e| format!("{e}. The SSN / national ID will need to be typed again after a restart."));
                }
            }
        }
        for handle in [&mut self.submit_handle, &mut self.retry_handle].into_iter().flatten() {
            if handle.poll() {
                changed = true;
                if let Some(Ok(s)) = handle.outcome()
                    && s.draft_id == self.wizard.draft_id
                    && let Some(step) = s.step_to_fix()
                    && self.wizard.server_problem.as_ref().is_none_or(|(_, _, at)| *at != s.updated_at)
                {
                    // Tradovate refused: back to the step (and field) it concerns.
                    let message = match &s.stage {
                        crate::subaccount::RequestStage::Refused { error, .. } => error.clone(),
                        _ => s.headline(),
                    };
                    self.wizard.server_problem = Some((s.field_to_fix(), message, s.updated_at));
                    self.wizard.step = step;
                }
                // The job ended without a submission (the registry failed, or it stopped
                // unexpectedly): said beside the Send button instead of nothing at all.
                if let Some(Err(error)) = handle.outcome()
                    && handle.draft_id() == self.wizard.draft_id
                {
                    self.wizard.submit_problem = Some(Problem::of(&error));
                }
            }
        }
        self.checks.retain_mut(|h| {
            changed |= h.poll();
            !h.is_finished()
        });
        // Polling stops once the list is off screen (another view or another screen).
        if !std::mem::take(&mut self.list_drawn) || self.view != View::List {
            self.watch = None;
        }
        if let Some(watch) = &mut self.watch {
            for checked in watch.poll() {
                // Shown at once; the reload below picks up anything else that moved.
                if let Remote::Ready(list) = &mut self.list
                    && let Some(row) = list.iter_mut().find(|s| s.draft_id == checked.draft_id)
                {
                    *row = checked;
                }
                changed = true;
            }
        }
        if changed || self.list.is_not_requested() {
            self.reload_list(ctx);
        }
        self.keep_draft(ctx);
    }

    /// Reads the saved draft once per environment, then writes changes (at most once a second).
    fn keep_draft(&mut self, ctx: &mut ScreenContextMut<'_>) {
        let Some(kind) = ctx.connection.as_deref().map(|c| c.kind()) else { return };
        let path = drafts::file(&ctx.paths.data_dir, kind);
        if self.keeping.loaded_for != Some(kind) {
            self.keeping = DraftKeeping { loaded_for: Some(kind), file: Some(path.clone()), ..DraftKeeping::default() };
            let store = self.secrets.clone();
            let job = move || Message::DraftLoaded(drafts::load(&path, &store, kind).map(|r| r.map(Box::new)));
            self.inbox.spawn_blocking(ctx.bridge, job, |_| Message::DraftLoaded(Ok(None)));
            return;
        }
        let sent = self.current_submission().is_some_and(|s| !s.may_submit_again());
        if sent {
            if self.keeping.removed.as_deref() != Some(self.wizard.draft_id.as_str()) {
                self.keeping.removed = Some(self.wizard.draft_id.clone());
                let (store, id) = (self.secrets.clone(), self.wizard.draft_id.clone());
                let (order, number) = (self.keeping.order.clone(), self.keeping.order.next());
                let job = move || {
                    order.run_if_newest(number, || drafts::remove(&path, &store, kind, &id));
                    Message::DraftRemoved
                };
                self.inbox.spawn_blocking(ctx.bridge, job, |_| Message::DraftRemoved);
            }
            return;
        }
        if self.keeping.last_write.is_some_and(|t| t.elapsed() < Duration::from_secs(1)) {
            return;
        }
        let Some(write) = self.unsaved_draft() else { return };
        self.keeping.last_write = Some(Instant::now());
        let job = move || write().map_or(Message::DraftSuperseded, Message::DraftSaved);
        self.inbox.spawn_blocking(ctx.bridge, job, |problem| Message::DraftSaved(Err(problem.details)));
    }

    /// Writes the draft's latest edits now and waits for the disk and keyring: the window is
    /// closing, and the debounced write would never come.
    pub fn flush_draft(&mut self) {
        let Some(write) = self.unsaved_draft() else { return };
        match write() {
            Some(Err(error)) => tracing::warn!("the subaccount draft could not be written at exit: {error}"),
            Some(Ok(Err(error))) => tracing::warn!("the draft's SSN / national ID was not kept at exit: {error}"),
            Some(Ok(Ok(()))) | None => {}
        }
    }

    /// The write of the wizard's changes since the last one, if there are any (and the draft
    /// was not sent). It runs unless a newer write ran first.
    fn unsaved_draft(&mut self) -> Option<impl FnOnce() -> Option<DraftWriteOutcome> + Send + 'static> {
        let (Some(kind), Some(path)) = (self.keeping.loaded_for, self.keeping.file.clone()) else { return None };
        let sent = self.current_submission().is_some_and(|s| !s.may_submit_again());
        if sent || self.wizard.is_blank() {
            return None;
        }
        let saved = drafts::SavedDraft {
            draft_id: self.wizard.draft_id.clone(),
            step: drafts::step_index(self.wizard.step),
            link_mode: self.wizard.link_mode,
            draft: self.wizard.draft.to_storable(),
        };
        let secret = if self.wizard.draft.identity.needs_ssn() {
            self.wizard.ssn.clone()
        } else {
            self.wizard.national_id.clone()
        };
        if self.keeping.last_saved.as_ref().is_some_and(|(d, s)| *d == saved && *s == secret) {
            return None;
        }
        self.keeping.last_saved = Some((saved.clone(), secret.clone()));
        let (store, order, number) = (self.secrets.clone(), self.keeping.order.clone(), self.keeping.order.next());
        Some(move || order.run_if_newest(number, || drafts::save(&path, &store, kind, &saved, &Secret::new(secret))))
    }

    /// Puts a saved draft back, unless the user already started typing.
    fn restore(&mut self, restored: drafts::Restored) {
        if !self.wizard.is_blank() {
            return;
        }
        let drafts::Restored { saved, secret } = restored;
        let mut wizard = Wizard {
            draft_id: saved.draft_id.clone(),
            draft: crate::subaccount::SubaccountDraft::from_storable(saved.draft.clone()),
            step: crate::subaccount::Step::ALL.get(saved.step).copied().unwrap_or(crate::subaccount::Step::Trader),
            link_mode: saved.link_mode,
            restored: true,
            // Read for this environment already (or being read): still true for the draft.
            known_traders: std::mem::take(&mut self.wizard.known_traders),
            ..Wizard::default()
        };
        match secret {
            Ok(Some(secret)) if wizard.draft.identity.needs_ssn() => wizard.ssn = secret.expose().to_string(),
            Ok(Some(secret)) => wizard.national_id = secret.expose().to_string(),
            Ok(None) => {}
            Err(e) => wizard.keyring_note = Some(keyring_note(&e)),
        }
        wizard.sync_secrets();
        let secret = if wizard.draft.identity.needs_ssn() { wizard.ssn.clone() } else { wizard.national_id.clone() };
        self.keeping.last_saved = Some((saved, secret));
        self.wizard = wizard;
    }
}

/// What writing the draft gave: the file's problem, else the keyring's.
type DraftWriteOutcome = Result<Result<(), crate::store::KeyringError>, String>;

/// Says plainly what happens to the SSN / national ID without a keyring.
fn keyring_note(error: &crate::store::KeyringError) -> String {
    match error {
        crate::store::KeyringError::Unavailable { .. } => "No system keyring is available on this computer: \
            the SSN / national ID is not kept and will need to be typed again after a restart."
            .to_string(),
        other => format!("{other}: the SSN / national ID will need to be typed again after a restart."),
    }
}

/// Checks a chosen file (type by content, size, name) and, for images, decodes a thumbnail;
/// runs on the runtime.
fn check_file(file: PickedFile) -> SlotOutcome {
    let document = match DocumentFile::from_bytes(&file.name, file.bytes) {
        Ok(document) => document,
        Err(refusal) => {
            let advice =
                refusal.suggested_file_name().map(|name| format!("Rename the file to {name} and choose it again."));
            let problem = Problem::new(refusal.to_string(), advice.clone().unwrap_or_else(|| refusal.to_string()));
            return SlotOutcome::Refused(SlotProblem { problem, advice });
        }
    };
    let thumbnail =
        document.is_image().then(|| image::load_from_memory(document.bytes()).ok()).flatten().map(|image| {
            let thumb = image.thumbnail(160, 160).to_rgba8();
            let size = [thumb.width() as usize, thumb.height() as usize];
            egui::ColorImage::from_rgba_unmultiplied(size, thumb.as_raw())
        });
    SlotOutcome::Chosen { file: document, thumbnail }
}
