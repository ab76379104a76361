//! The year-end station as it was early in its year: a new database holding
//! the events the station held at one instant of its first week, with its
//! projections rebuilt from them. Measuring the same things on it and on the
//! year-end station shows what history costs (growth), in the same run.
//! Shared by the roll-call and visitors benches (`#[path]`).

use anyhow::{Context, Result, ensure};
use chrono::NaiveDate;
use dutydesk::domain::time::{FixedClock, day_start_ms, local};
use dutydesk::store::{Store, project};
use rusqlite::Connection;
use std::path::Path;
use std::sync::Arc;

/// Days of the year the early station has lived.
pub const EARLY_DAYS: i64 = 7;

/// The instant `minute_of_day` (local) on the day `EARLY_DAYS` after the
/// first event of `src`.
pub fn early_instant(src: &Path, offset_min: i32, minute_of_day: i64) -> Result<i64> {
    let conn = Connection::open(src)?;
    let first: i64 = conn.query_row("SELECT MIN(hlc_ms) FROM events", [], |r| r.get(0))?;
    let day: NaiveDate = local(first, offset_min).date_naive() + chrono::Duration::days(EARLY_DAYS);
    Ok(day_start_ms(day, offset_min) + minute_of_day * 60_000)
}

/// Writes into `dst` (made new) the station `src` was at `cut_ms`: every
/// event before it (each chain's prefix, as the generator's clock only
/// runs forward), the station's own settings, and projections rebuilt from
/// that log. Returns the events kept.
pub fn station_as_of(src: &Path, dst: &Path, cut_ms: i64) -> Result<i64> {
    // The schema, made by the store itself.
    drop(Store::open(dst, Arc::new(FixedClock::new(cut_ms)))?);
    let mut conn = Connection::open(dst)?;
    conn.execute(
        "ATTACH DATABASE ?1 AS year",
        [src.to_string_lossy().as_ref()],
    )?;
    let tx = conn.transaction()?;
    let kept = tx.execute(
        "INSERT INTO events SELECT * FROM year.events WHERE hlc_ms < ?1 ORDER BY origin, seq",
        [cut_ms],
    )?;
    tx.execute("INSERT OR REPLACE INTO meta SELECT * FROM year.meta", [])?;
    project::rebuild(&tx).context("rebuilding the early station")?;
    tx.commit()?;
    conn.execute("DETACH DATABASE year", [])?;
    drop(conn);
    let store = Store::open(dst, Arc::new(FixedClock::new(cut_ms)))?;
    ensure!(
        store.station().is_some(),
        "the early station has no station"
    );
    ensure!(
        matches!(store.verify_log()?, Ok(n) if n == kept as u64),
        "the early station's chains do not verify"
    );
    Ok(kept as i64)
}

/// Resets the process's peak resident memory (Linux: `clear_refs` 5), so
/// the next `VmHWM` is the peak of what runs after; elsewhere nothing.
/// (The visitors bench measures memory in a fresh process instead.)
#[allow(dead_code)]
pub fn reset_peak_rss() {
    #[cfg(target_os = "linux")]
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
