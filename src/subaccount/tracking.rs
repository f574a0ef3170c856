//! Following a created request until Tradovate decides it.
//!
//! Tradovate asks integrators to poll `getPartnerSubaccountRequestStatus` every 30–60 s
//! (reference 6.4) and changes are not immediate. We poll only while the request list is on
//! screen, every 30 s for ten minutes after the status last moved (a review step tends to be
//! followed by the next), then every 60 s; Approved and Denied stop polling for good.

use super::progress::{RequestStage, Submission};
use super::registry::{Registry, RegistryError};
use crate::api::{ApiError, Client};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Pace while the status moved recently.
pub const POLL_SOON: Duration = Duration::from_secs(30);
/// Pace once it has been still for [`RECENT_CHANGE`].
pub const POLL_LATER: Duration = Duration::from_secs(60);
/// How long a status change counts as recent.
pub const RECENT_CHANGE: Duration = Duration::from_secs(10 * 60);

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TrackError {
    #[error("Request {0} is not in Propdesk's list")]
    UnknownRequest(i64),
    /// The check failed; the submission keeps its last known status and records the error.
    #[error("Could not check request {request_id}: {error}")]
    Api { request_id: i64, error: ApiError },
    #[error("{0}")]
    Registry(String),
}

impl From<RegistryError> for TrackError {
    fn from(e: RegistryError) -> Self {
        TrackError::Registry(e.to_string())
    }
}

/// Asks Tradovate for the request's status and records it (with `message`, the reason of a
/// denial). A failed check is recorded in `check_error` and returned.
pub async fn refresh(client: &Client, registry: &Registry, request_id: i64) -> Result<Submission, TrackError> {
    let mut s = registry.by_request(request_id)?.ok_or(TrackError::UnknownRequest(request_id))?;
    let reply = client.partner_subaccount_request_status(request_id).await;
    let now = Utc::now();
    s.last_checked = Some(now);
    s.updated_at = now;
    match reply {
        Ok(reply) => {
            if let Some(status) = reply.status {
                if s.status != Some(status) {
                    s.status_changed_at = Some(now);
                }
                s.status = Some(status);
            }
            // Keep an earlier message when a reply comes without one (a denial stays explained).
            if reply.message.is_some() {
                s.message = reply.message;
            }
            s.check_error = None;
            registry.save(&s)?;
            Ok(s)
        }
        Err(error) => {
            s.check_error = Some(error.to_string());
            registry.save(&s)?;
            Err(TrackError::Api { request_id, error })
        }
    }
}

/// How often a visible list re-asks Tradovate. The app uses the default (reference 6.4's
/// 30–60 s); tests shorten it the way they shorten the Sandbox's review delays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollPace {
    /// Pace while the status moved recently.
    pub soon: Duration,
    /// Pace once it has been still for `recent_change`.
    pub later: Duration,
    pub recent_change: Duration,
}

impl Default for PollPace {
    fn default() -> Self {
        PollPace { soon: POLL_SOON, later: POLL_LATER, recent_change: RECENT_CHANGE }
    }
}

impl PollPace {
    /// The same pace throughout (tests).
    pub fn every(pace: Duration) -> Self {
        PollPace { soon: pace, later: pace, recent_change: RECENT_CHANGE }
    }

    /// When the next status check of this submission is due, or `None` when it should not
    /// be polled: the request does not exist (yet), or it is decided.
    pub fn next_poll_at(&self, s: &Submission) -> Option<DateTime<Utc>> {
        if s.request_id.is_none() || s.is_decided() {
            return None;
        }
        if !matches!(s.stage, RequestStage::Created | RequestStage::Submitted) {
            return None;
        }
        let Some(last) = s.last_checked.or(s.created_at) else {
            return Some(Utc::now());
        };
        let changed = s.status_changed_at.unwrap_or(last);
        let recent = (last - changed).to_std().unwrap_or_default() < self.recent_change;
        let pace = if recent { self.soon } else { self.later };
        Some(last + chrono::Duration::from_std(pace).unwrap_or_default())
    }
}

/// When the next status check of this submission is due at the app's pace, or `None` when it
/// should not be polled: the list is not visible, or see [`PollPace::next_poll_at`].
pub fn next_poll_at(s: &Submission, list_visible: bool) -> Option<DateTime<Utc>> {
    if !list_visible {
        return None;
    }
    PollPace::default().next_poll_at(s)
}

/// True when a check should be made now.
pub fn poll_due(s: &Submission, now: DateTime<Utc>, list_visible: bool) -> bool {
    next_poll_at(s, list_visible).is_some_and(|at| at <= now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::wire::SubaccountStatus;
    use crate::subaccount::progress::{DocumentRoute, TraderRef};

    fn submitted(checked_ago_secs: i64, changed_ago_secs: i64) -> Submission {
        let now = Utc::now();
        let mut s =
            Submission::new("d", TraderRef::default(), DocumentRoute::UploadAfterCreate, RequestStage::Submitted);
        s.request_id = Some(1);
        s.status = Some(SubaccountStatus::InReview);
        s.created_at = Some(now - chrono::Duration::hours(1));
        s.last_checked = Some(now - chrono::Duration::seconds(checked_ago_secs));
        s.status_changed_at = Some(now - chrono::Duration::seconds(changed_ago_secs));
        s
    }

    #[test]
    fn polls_every_30_to_60_seconds_while_visible() {
        let now = Utc::now();
        let fresh = submitted(10, 10);
        assert!(!poll_due(&fresh, now, true));
        assert!(poll_due(&submitted(31, 31), now, true));
        // Still for an hour: 60 s pace.
        assert!(!poll_due(&submitted(45, 3600), now, true));
        assert!(poll_due(&submitted(61, 3600), now, true));
        let gap = next_poll_at(&fresh, true).unwrap() - fresh.last_checked.unwrap();
        assert_eq!(gap.num_seconds(), 30);
    }

    #[test]
    fn hidden_lists_and_decided_requests_are_not_polled() {
        let now = Utc::now();
        assert!(!poll_due(&submitted(600, 600), now, false));
        let mut denied = submitted(600, 600);
        denied.status = Some(SubaccountStatus::Denied);
        assert_eq!(next_poll_at(&denied, true), None);
        let mut unknown = submitted(600, 600);
        unknown.stage = RequestStage::OutcomeUnknown { detail: "lost".into() };
        assert_eq!(next_poll_at(&unknown, true), None);
    }
}
