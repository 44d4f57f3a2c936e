//! How times are shown to people, in one place. Server-only.

use chrono::{DateTime, Utc};

/// "26 Nov 2026, 09:01 UTC".
pub fn readable(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y, %H:%M UTC").to_string()
}

/// "2026-11-26", for tables and CSV.
pub fn day(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}
