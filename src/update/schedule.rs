//! When the app may look for an update: only after the user said yes, and at most once a
//! day. The clock is a parameter, so the rule is tested without waiting a day.

pub use crate::store::settings::UpdateSettings;
use chrono::{DateTime, Duration, Utc};

/// The shortest time between two automatic checks.
pub const INTERVAL: Duration = Duration::hours(24);

/// Whether an automatic check is due at `now`.
pub fn is_due(settings: &UpdateSettings, now: DateTime<Utc>) -> bool {
    if settings.consent != Some(true) {
        return false;
    }
    match settings.last_checked {
        None => true,
        // A clock set back leaves a date in the future: check rather than wait for it.
        Some(last) if last > now => true,
        Some(last) => now - last >= INTERVAL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hours: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::hours(hours)
    }

    #[test]
    fn never_without_a_yes() {
        for consent in [None, Some(false)] {
            let settings = UpdateSettings { consent, last_checked: None };
            assert!(!is_due(&settings, at(0)), "{consent:?}");
            assert!(!is_due(&UpdateSettings { last_checked: Some(at(-100)), ..settings }, at(0)));
        }
    }

    #[test]
    fn at_most_once_a_day() {
        let mut settings = UpdateSettings { consent: Some(true), last_checked: None };
        assert!(is_due(&settings, at(0)), "the first check after the yes");
        settings.last_checked = Some(at(0));
        assert!(!is_due(&settings, at(1)));
        assert!(!is_due(&settings, at(23)));
        assert!(is_due(&settings, at(24)));
        assert!(is_due(&settings, at(24 * 30)));
    }

    #[test]
    fn a_clock_set_back_does_not_stop_the_checks() {
        let settings = UpdateSettings { consent: Some(true), last_checked: Some(at(48)) };
        assert!(is_due(&settings, at(0)));
    }
}
