//! Numbers the server sends are bounded before we act on them.
//!
//! A wait, a lifetime or a size taken verbatim from a reply could make us sleep for
//! years, overflow a clock, renew in a tight loop or run out of memory. Each bound sits
//! here, one constant each, so a hostile or broken reply degrades into "wait the maximum",
//! never into a hang or a crash.

use chrono::{DateTime, Utc};
use serde_json::Value;
use std::time::Duration;

/// The longest time penalty (`p-time`) we are prepared to wait out in one go. The docs
/// give no maximum (reference 2.5); longer penalties are treated as this long, and the
/// HTTP client reports anything over its own patience as a lockout instead of waiting.
pub const MAX_PENALTY_WAIT: Duration = Duration::from_secs(60 * 60);

/// `p-time` when a penalty carries none (reference 2.5 shows it always present).
const DEFAULT_PENALTY_WAIT: Duration = Duration::from_secs(1);

/// The longest token lifetime we believe. The docs say 80 or 90 minutes (reference 2.2);
/// an `expirationTime` further away than this would postpone renewal indefinitely.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// The largest reply body we read. Tradovate's replies are kilobytes (a 100-item batch
/// result, a list of plans); anything this big is a broken or hostile server.
pub const MAX_REPLY_BYTES: usize = 64 * 1024 * 1024;

/// How long to wait for a penalty's `p-time`, whatever its JSON shape: a number, a
/// numeric string, negative, NaN, or 10^30 seconds.
pub fn penalty_wait(p_time: Option<&Value>) -> Duration {
    let seconds = match p_time {
        None | Some(Value::Null) => return DEFAULT_PENALTY_WAIT,
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match seconds {
        // Unreadable: assume the worst rather than resend at once.
        None => MAX_PENALTY_WAIT,
        Some(s) if s.is_nan() => MAX_PENALTY_WAIT,
        Some(s) if s <= 0.0 => Duration::ZERO,
        Some(s) if s >= MAX_PENALTY_WAIT.as_secs_f64() => MAX_PENALTY_WAIT,
        Some(s) => Duration::from_secs_f64(s),
    }
}

/// The expiry we act on: the server's, but never more than [`MAX_TOKEN_LIFETIME`] after
/// `issued_at`.
pub fn token_expiry(issued_at: DateTime<Utc>, server_says: DateTime<Utc>) -> DateTime<Utc> {
    let latest = chrono::Duration::from_std(MAX_TOKEN_LIFETIME)
        .ok()
        .and_then(|lifetime| issued_at.checked_add_signed(lifetime))
        .unwrap_or(issued_at);
    server_says.min(latest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn penalty_waits_are_bounded_whatever_the_server_sends() {
        assert_eq!(penalty_wait(Some(&json!(2))), Duration::from_secs(2));
        assert_eq!(penalty_wait(Some(&json!(1.5))), Duration::from_millis(1500));
        assert_eq!(penalty_wait(Some(&json!("3"))), Duration::from_secs(3));
        assert_eq!(penalty_wait(None), DEFAULT_PENALTY_WAIT);
        assert_eq!(penalty_wait(Some(&json!(-5))), Duration::ZERO);
        assert_eq!(penalty_wait(Some(&json!(1_000_000_000u64))), MAX_PENALTY_WAIT);
        assert_eq!(penalty_wait(Some(&json!(1e300))), MAX_PENALTY_WAIT);
        assert_eq!(penalty_wait(Some(&json!(u64::MAX))), MAX_PENALTY_WAIT);
        assert_eq!(penalty_wait(Some(&json!("soon"))), MAX_PENALTY_WAIT);
        assert_eq!(penalty_wait(Some(&json!({"s": 1}))), MAX_PENALTY_WAIT);
    }

    #[test]
    fn a_far_away_expiry_is_cut_to_a_day() {
        let now = Utc::now();
        let year_9999 = DateTime::parse_from_rfc3339("9999-12-31T23:59:59Z").unwrap().with_timezone(&Utc);
        assert_eq!(token_expiry(now, year_9999), now + chrono::Duration::hours(24));
        let normal = now + chrono::Duration::minutes(80);
        assert_eq!(token_expiry(now, normal), normal);
    }
}
