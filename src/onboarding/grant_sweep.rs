//! The agreement watch's sweep: who gets a grant tried again without a new signature.
//!
//! A grant claim outlives the process that made it: a watcher killed mid-grant leaves
//! the intent open, every other watch skips that trader as "in flight", and no new
//! signal ever comes. So the watch sweeps the journal every [`SWEEP_INTERVAL`] (and right
//! after a claim it saw in flight expires) for traders who signed and hold nothing yet.
//! The grant itself is the usual one: the claim keeps it single, and an interrupted
//! intent is checked with `userPlugin/deps` before anything is sent again.

use super::entitlement::offboarded_reason;
use super::journal::JournaledTrader;
use std::collections::HashMap;
use std::time::Duration;
use tokio::time::Instant;

/// How often the watch looks for signed traders still without T-Prop. One journal read;
/// a server call only for such a trader.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// A trader the sweep tried without success waits twice as long each time (from one
/// [`SWEEP_INTERVAL`]) up to this: a failing grant must not cost a call every minute.
pub const SWEEP_MAX_WAIT: Duration = Duration::from_secs(60 * 60);

/// After a claim seen in flight expires, the sweep comes this much later, so the claim
/// is surely expired by the journal's clock too.
pub const AFTER_CLAIM_EXPIRY: Duration = Duration::from_secs(1);

/// Whether the sweep may try this trader: signed (seeds/000: T-Prop only after the
/// agreement), not entitled, not revoked or cancelled, and onboarded.
pub fn awaits_grant(trader: &JournaledTrader) -> bool {
    trader.agreement_signed_at.is_some()
        && trader.entitled_at.is_none()
        && offboarded_reason(trader).is_none()
        && trader.user_id.is_some()
}

/// The sweep's per-trader waits after attempts that did not entitle.
#[derive(Debug, Default)]
pub struct SweepBackoff {
    /// Trader name → not before this, and how many sweeps tried it.
    waits: HashMap<String, (Instant, u32)>,
}

impl SweepBackoff {
    pub fn is_due(&self, name: &str, now: Instant) -> bool {
        self.waits.get(name).is_none_or(|(not_before, _)| *not_before <= now)
    }

    /// The sweep tried `name` and it is still not entitled.
    pub fn tried(&mut self, name: &str, now: Instant) {
        let attempts = self.waits.get(name).map_or(0, |(_, n)| *n);
        let wait = SWEEP_INTERVAL.saturating_mul(2u32.saturating_pow(attempts)).min(SWEEP_MAX_WAIT);
        self.waits.insert(name.to_string(), (now + wait, attempts.saturating_add(1)));
    }

    /// The trader is entitled (or was skipped for a reason of its own): forget it.
    pub fn forget(&mut self, name: &str) {
        self.waits.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn only_signed_onboarded_traders_without_t_prop_are_swept() {
        let signed = JournaledTrader {
            name: "ann".into(),
            user_id: Some(7),
            agreement_signed_at: Some(Utc::now()),
            ..Default::default()
        };
        assert!(awaits_grant(&signed));
        assert!(!awaits_grant(&JournaledTrader { agreement_signed_at: None, ..signed.clone() }), "unsigned");
        assert!(!awaits_grant(&JournaledTrader { entitled_at: Some(Utc::now()), ..signed.clone() }), "entitled");
        assert!(!awaits_grant(&JournaledTrader { revoked_at: Some(Utc::now()), ..signed.clone() }), "revoked");
        assert!(!awaits_grant(&JournaledTrader { cancelled_at: Some(Utc::now()), ..signed.clone() }), "cancelled");
        assert!(!awaits_grant(&JournaledTrader { user_id: None, ..signed }), "no user yet");
    }

    #[test]
    fn a_failing_trader_waits_longer_each_sweep_up_to_an_hour() {
        let start = Instant::now();
        let mut backoff = SweepBackoff::default();
        assert!(backoff.is_due("ann", start));
        let mut waits = Vec::new();
        for _ in 0..8 {
            backoff.tried("ann", start);
            waits.push(backoff.waits["ann"].0 - start);
        }
        let minutes: Vec<u64> = waits.iter().map(|w| w.as_secs() / 60).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert!(!backoff.is_due("ann", start + Duration::from_secs(59 * 60)));
        assert!(backoff.is_due("ann", start + SWEEP_MAX_WAIT));
        backoff.forget("ann");
        assert!(backoff.is_due("ann", start));
    }
}
