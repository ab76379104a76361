//! 值班日报: the daily duty report — for each day of the range and each
//! station, the counts of what the duty recorded: visitors and overstays,
//! roll-call rounds and absences, patrol rounds and missed checkpoints,
//! hazards opened and closed, shift-log incidents: one line per day and
//! station; each count comes from one indexed query (`Store::day_counts`).

use crate::domain::role::Actor;
use crate::report::common::write_built;
use crate::report::ledger::{Ledger, Watch};
use crate::report::sick::{RangeRequest, range, range_ledger};
use crate::store::daily::DayCounts;
use crate::store::{Store, StoreError};

/// Builds the report (the caller's language) without writing it.
pub fn build(store: &Store, actor: &Actor, req: &RangeRequest) -> Result<Ledger, StoreError> {
    let r = range(store, actor, req)?;
    let cols: [(&str, f64); 12] = [
        ("report.daily.col.date", 11.0),
        ("report.daily.col.station", 14.0),
        ("report.daily.col.visitors", 7.0),
        ("report.daily.col.overstays", 7.0),
        ("report.daily.col.rollcall", 7.0),
        ("report.daily.col.absences", 7.0),
        ("report.daily.col.patrols", 7.0),
        ("report.daily.col.missed", 7.0),
        ("report.daily.col.hazards_opened", 7.0),
        ("report.daily.col.hazards_closed", 7.0),
        ("report.daily.col.incidents", 7.0),
        ("report.daily.col.log_entries", 7.0),
    ];
    let mut rows = vec![];
    let mut total = DayCounts::default();
    let mut day = req.from;
    while day <= req.to {
        let date = day.format("%Y-%m-%d").to_string();
        let from = crate::domain::time::day_start_ms(day, r.off);
        for (station, c) in store.day_counts(&date, from, from + 86_400_000)? {
            total.visitors += c.visitors;
            total.overstays += c.overstays;
            total.absences += c.absences;
            total.missed_checkpoints += c.missed_checkpoints;
            total.hazards_opened += c.hazards_opened;
            total.incidents += c.incidents;
            rows.push(vec![
                date.clone(),
                store.station_name(&station),
                c.visitors.to_string(),
                c.overstays.to_string(),
                c.rollcall_rounds.to_string(),
                c.absences.to_string(),
                c.patrol_rounds.to_string(),
                c.missed_checkpoints.to_string(),
                c.hazards_opened.to_string(),
                c.hazards_closed.to_string(),
                c.incidents.to_string(),
                c.log_entries.to_string(),
            ]);
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    Ok(range_ledger(
        store,
        actor,
        &r,
        "report.daily.title",
        &cols,
        (
            "report.daily.total",
            &[
                ("visitors", total.visitors),
                ("overstays", total.overstays),
                ("absences", total.absences),
                ("missed", total.missed_checkpoints),
                ("hazards", total.hazards_opened),
                ("incidents", total.incidents),
            ],
        ),
        rows,
    ))
}

/// Writes the daily report; returns the number of rows (day × station).
pub fn export_daily(
    store: &Store,
    actor: &Actor,
    req: &RangeRequest,
    watch: &dyn Watch,
) -> Result<usize, StoreError> {
    write_built(build(store, actor, req), &req.path, watch)
}
