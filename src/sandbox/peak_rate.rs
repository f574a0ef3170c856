//! Counts how many HTTP requests arrived in the busiest second so far, so benchmarks
//! and tests can check a client's pacing from the server's side.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub struct PeakRate {
    /// Arrival times within the last second.
    recent: VecDeque<Instant>,
    peak: usize,
}

impl PeakRate {
    pub fn record(&mut self, now: Instant) {
        while self.recent.front().is_some_and(|&t| now.duration_since(t) >= Duration::from_secs(1)) {
            self.recent.pop_front();
        }
        self.recent.push_back(now);
        self.peak = self.peak.max(self.recent.len());
    }

    /// Most requests that arrived within any one second.
    pub fn peak(&self) -> usize {
        self.peak
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busiest_second_counts() {
        let start = Instant::now();
        let mut rate = PeakRate::default();
        for ms in [0, 100, 900, 999, 1_000, 1_050, 1_950, 3_000] {
            rate.record(start + Duration::from_millis(ms));
        }
        // 100, 900, 999, 1000 and 1050 fall within one second; no second holds six.
        assert_eq!(rate.peak(), 5);
    }
}
