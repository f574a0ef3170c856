//! How long to wait before the next WebSocket connection.
//!
//! The wait doubles from `min` to `max` with every connection that was not healthy, and
//! only a healthy connection (snapshot received, up long enough) starts it over: a server
//! that authorizes us and then drops or refuses us at once must not be hammered. After a
//! long run of failures the ceiling rises tenfold, so a server that keeps refusing is
//! asked a dozen times in ten minutes, not every 30 s forever.

use rand::Rng;
use std::time::Duration;

/// Unhealthy connections in a row after which the ceiling rises to `max * SLOW_CEILING_FACTOR`.
const SLOW_DOWN_AFTER: u32 = 12;
const SLOW_CEILING_FACTOR: u32 = 10;
/// Each wait is spread by up to this share either way, so many clients do not reconnect in step.
const JITTER: f64 = 0.2;

#[derive(Clone, Debug)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    /// Unhealthy connections in a row.
    failures: u32,
}

impl Backoff {
    pub fn new(min: Duration, max: Duration) -> Self {
        Self { min, max: max.max(min), failures: 0 }
    }

    /// The wait after a connection ended, with jitter.
    pub fn after(&mut self, healthy: bool) -> Duration {
        let base = self.after_without_jitter(healthy);
        let spread = rand::rng().random_range(1.0 - JITTER..=1.0 + JITTER);
        base.mul_f64(spread)
    }

    fn after_without_jitter(&mut self, healthy: bool) -> Duration {
        self.failures = if healthy { 0 } else { self.failures.saturating_add(1) };
        let doublings = self.failures.saturating_sub(1).min(20);
        let ceiling =
            if self.failures >= SLOW_DOWN_AFTER { self.max.saturating_mul(SLOW_CEILING_FACTOR) } else { self.max };
        self.min.saturating_mul(1 << doublings).min(ceiling)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(d: Duration) -> f64 {
        d.as_secs_f64()
    }

    #[test]
    fn grows_from_half_a_second_to_thirty_and_only_health_resets_it() {
        let mut b = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
        let waits: Vec<f64> = (0..8).map(|_| secs(b.after_without_jitter(false))).collect();
        assert_eq!(waits, [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]);
        assert_eq!(secs(b.after_without_jitter(true)), 0.5);
        assert_eq!(secs(b.after_without_jitter(false)), 0.5);
        assert_eq!(secs(b.after_without_jitter(false)), 1.0);
    }

    #[test]
    fn a_server_that_keeps_refusing_is_asked_rarely() {
        let mut b = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
        let mut elapsed = 0.0;
        let mut attempts = 1;
        while elapsed < 600.0 {
            elapsed += secs(b.after(false));
            attempts += 1;
        }
        assert!(attempts <= 20, "{attempts} attempts in ten minutes");
    }

    #[test]
    fn jitter_stays_within_a_fifth() {
        for _ in 0..100 {
            let wait = secs(Backoff::new(Duration::from_secs(10), Duration::from_secs(30)).after(false));
            assert!((8.0..=12.0).contains(&wait), "{wait}");
        }
    }
}
