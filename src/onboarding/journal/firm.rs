//! The firm in the key (issue 14): a journal's environment key belongs to one Tradovate
//! organization. The first signed-in run or window records the organization it is
//! signed in to; a later one signed in to another organization is refused before it
//! writes anything, so two firms never mix in one team database.
//!
//! The existing keys stay as they are (no re-keying of rows): the firm sits beside them
//! in `firms`, one row per environment key. Commands that take the run lock before
//! signing in check the firm right after signing in, before their first write.

use super::{Journal, JournalError, JournalResult};
use crate::api::Client;
use crate::api::wire::Me;

/// The signed-in admin's firm, as `auth/me` names it.
///
/// A guess (docs/assumptions.md, "The firm of a journal"): the reference lists
/// `organizationName` in the `auth/me` reply (tradovate-api.md 2.4) without saying what
/// it holds; we take it to be the organization's name, the same text on every sign-in
/// of that organization, and compare it exactly (trimmed). If the real server varies it
/// (case, spacing), the same firm is refused, which stops a run but mixes nothing; if it
/// leaves it out, a team journal refuses to write ([`FIRM_UNKNOWN`]).
pub fn firm_of(me: &Me) -> Option<String> {
    let name = me.organization_name.trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// Said when `auth/me` names no organization and the journal is a team's.
pub const FIRM_UNKNOWN: &str = "Tradovate did not say which organization you are signed in to (auth/me has no \
     organizationName), so the team journal cannot check that it holds your firm's traders. Nothing was written.";

impl Journal {
    /// Binds this journal's environment to `firm` on first use, or checks that it is the
    /// firm already bound; `environment_label` ("Production") is for the message. A team
    /// journal refuses an unknown firm; a file or memory journal (one computer) lets it pass.
    pub fn bind_firm(&self, firm: Option<&str>, environment_label: &str) -> JournalResult<()> {
        let team = self.is_shared() && self.path().is_none();
        let Some(firm) = firm else {
            return if team { Err(JournalError::new(FIRM_UNKNOWN)) } else { Ok(()) };
        };
        let bound = self.store().bind_firm(self.environment(), firm, &self.author)?;
        if bound == firm {
            return Ok(());
        }
        let which = if team { "team journal" } else { "journal" };
        Err(JournalError::new(format!(
            "This {which} holds {environment_label} for {bound}{SIGNED_IN_TO}{firm}. Nothing was written: \
             use a journal of your own firm, or sign in to {bound}."
        )))
    }
}

const SIGNED_IN_TO: &str = "; you are signed in to ";

/// Whether `message` is [`Journal::bind_firm`]'s refusal (the window shows it as the
/// problem itself, not as details of "could not be opened").
pub fn is_firm_refusal(message: &str) -> bool {
    message.contains(SIGNED_IN_TO) || message.contains(FIRM_UNKNOWN)
}

/// Asks Tradovate who is signed in and binds (or checks) the journal's firm. Call it
/// right after signing in, before the first write. Fails safe: when the organization
/// cannot be learned, nothing may be written to a team journal.
pub async fn check_signed_in_firm(client: &Client, journal: &Journal) -> JournalResult<()> {
    let label = client.environment().kind.label();
    let me = client
        .me()
        .await
        .map_err(|e| JournalError::new(format!("cannot learn which organization you are signed in to: {e}")))?;
    journal.bind_firm(firm_of(&me).as_deref(), label)
}
