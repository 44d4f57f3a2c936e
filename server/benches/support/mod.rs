//! What the benches share.

use std::time::Duration;

/// The value at `fraction` (0–1) of sorted durations: nearest rank, so p99
/// of 100 samples is the 99th; zero when there are none.
pub fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}
