//! The benches' early station (`benches/common/early.rs`): a school year's
//! station cut back to its first week holds whole chains, a station, and
//! projections of only what it held then.

#[path = "../benches/common/early.rs"]
#[allow(dead_code)]
mod early;

use dutydesk::demo::{self, Scale};
use dutydesk::domain::time::FixedClock;
use dutydesk::store::Store;
use std::sync::Arc;

#[test]
fn the_early_station_is_the_year_cut_back_to_its_first_week() {
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-20T21:40:00+08:00")
        .expect("valid instant")
        .timestamp_millis();
    let dir = tempfile::tempdir().expect("temp dir");
    let year = dir.path().join("year.db");
    let clock = FixedClock::new(now);
    let mut store = Store::open(&year, Arc::new(clock.clone())).expect("open");
    demo::generate(&mut store, &clock, Scale::YearSample, 42, now).expect("demo data");
    let all = store.event_count().expect("count") as i64;
    drop(store);
    let cut = early::early_instant(&year, 480, 21 * 60).expect("instant");
    let path = dir.path().join("early.db");
    let kept = early::station_as_of(&year, &path, cut).expect("early station");
    assert!(kept > 0 && kept < all, "{kept} of {all} kept");
    let early = Store::open(&path, Arc::new(FixedClock::new(cut))).expect("open early");
    let latest: i64 = early
        .conn()
        .query_row("SELECT MAX(time_in) FROM visits", [], |r| r.get(0))
        .expect("visits");
    assert!(latest < cut, "a visit after the cut");
    assert_eq!(early.students(None).expect("students").len(), 3_000);
    // No roll of tonight yet: the bench starts it.
    let open: i64 = early
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM rounds WHERE closed_ms IS NULL",
            [],
            |r| r.get(0),
        )
        .expect("rounds");
    assert_eq!(open, 0);
}
