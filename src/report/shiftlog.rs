//! 值班记录: the shift-log entries that happened in a date range, every
//! station's — when, where and in which shift, what happened, what was
//! done, whom it was reported to, the follow-up and its outcome, and who
//! recorded it — one row per entry in its current state.

use crate::domain::role::Actor;
use crate::domain::shift_log::FollowUp;
use crate::domain::time;
use crate::i18n::tr;
use crate::report::common::write_built;
use crate::report::ledger::{Ledger, Watch};
use crate::report::sick::{RangeRequest, range, range_ledger};
use crate::store::{Store, StoreError};
use std::collections::HashMap;

/// Builds the shift log (the caller's language) without writing it.
pub fn build(store: &Store, actor: &Actor, req: &RangeRequest) -> Result<Ledger, StoreError> {
    let r = range(store, actor, req)?;
    let entries = store.log_entries_between(r.from_ms, r.to_ms)?;
    let cols: [(&str, f64); 11] = [
        ("report.shiftlog.col.time", 16.0),
        ("report.shiftlog.col.station", 12.0),
        ("report.shiftlog.col.shift", 12.0),
        ("report.shiftlog.col.category", 9.0),
        ("report.shiftlog.col.what", 28.0),
        ("report.shiftlog.col.action", 20.0),
        ("report.shiftlog.col.reported_to", 10.0),
        ("report.shiftlog.col.followup", 8.0),
        ("report.shiftlog.col.outcome", 20.0),
        ("report.shiftlog.col.by", 9.0),
        ("report.shiftlog.col.notes", 12.0),
    ];
    let mut names: HashMap<String, String> = HashMap::new();
    let mut name = |id: &str, station: bool| -> String {
        names
            .entry(format!("{station}{id}"))
            .or_insert_with(|| {
                if station {
                    store.station_name(id)
                } else {
                    store.operator_name(id)
                }
            })
            .clone()
    };
    let (mut open, mut incidents) = (0, 0);
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            let shift_key = format!("shiftlog.shift.{}", e.shift.shift);
            let shift_name = match tr(&shift_key) {
                s if s == shift_key => e.shift.shift.clone(),
                s => s,
            };
            if e.is_open() {
                open += 1;
            }
            if e.fields.category == crate::domain::shift_log::Category::Incident {
                incidents += 1;
            }
            let notes = if e.corrections > 0 {
                crate::i18n::trf(
                    "report.shiftlog.corrected",
                    &[("n", e.corrections.to_string())],
                )
            } else {
                String::new()
            };
            vec![
                time::fmt_local(e.fields.at_ms, r.off, "%Y-%m-%d %H:%M"),
                name(&e.shift.station_id, true),
                format!("{} {shift_name}", e.shift.date),
                tr(&format!("shiftlog.cat.{}", e.fields.category.key())),
                e.fields.what.clone(),
                e.fields.action_taken.clone(),
                e.fields.reported_to.clone(),
                match e.state {
                    FollowUp::None => String::new(),
                    s => tr(&format!("shiftlog.state.{}", s.key())),
                },
                e.outcome.clone().unwrap_or_default(),
                name(&e.written_by, false),
                notes,
            ]
        })
        .collect();
    let n = rows.len();
    Ok(range_ledger(
        store,
        actor,
        &r,
        "report.shiftlog.title",
        &cols,
        (
            "report.shiftlog.total",
            &[("n", n), ("incidents", incidents), ("open", open)],
        ),
        rows,
    ))
}

/// Writes the shift log; returns the number of entries in it.
pub fn export_shiftlog(
    store: &Store,
    actor: &Actor,
    req: &RangeRequest,
    watch: &dyn Watch,
) -> Result<usize, StoreError> {
    write_built(build(store, actor, req), &req.path, watch)
}
