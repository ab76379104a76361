//! 学生离校/返校登记: boarders leaving through the gate with an adult in a
//! date range, one row per departure: who took them, whether that adult is
//! on the roster's pick-up list (or who approved them), and the return.

use crate::domain::role::Actor;
use crate::domain::time;
use crate::i18n::tr;
use crate::report::common::{Streamed, bed_with_building, build_streamed, export_streamed};
use crate::report::leave::return_state;
use crate::report::ledger::{Ledger, Watch};
use crate::report::sick::{RangeRequest, range, range_ledger};
use crate::store::reports::GateEntry;
use crate::store::{Store, StoreError};

/// The gate log's heading and footer (the caller's language) and its
/// records, read from the station as they are written.
fn prepare<'a>(
    store: &'a Store,
    actor: &Actor,
    req: &RangeRequest,
) -> Result<(Ledger, Streamed<'a, GateEntry>), StoreError> {
    let r = range(store, actor, req)?;
    let (count, unlisted, away) = store.departure_counts(r.from_ms, r.to_ms)?;
    let now = store.now_ms();
    let cols: [(&str, f64); 17] = [
        ("report.gate.col.no", 5.0),
        ("report.gate.col.date", 11.0),
        ("report.gate.col.out", 7.0),
        ("report.gate.col.name", 9.0),
        ("report.gate.col.class", 11.0),
        ("report.gate.col.bed", 13.0),
        ("report.gate.col.with", 9.0),
        ("report.gate.col.relation", 7.0),
        ("report.gate.col.phone", 13.0),
        ("report.gate.col.listed", 10.0),
        ("report.gate.col.approved_by", 10.0),
        ("report.gate.col.due", 14.0),
        ("report.gate.col.back", 14.0),
        ("report.gate.col.state", 10.0),
        ("report.gate.col.notes", 20.0),
        ("report.gate.col.by", 9.0),
        ("report.gate.col.with_sign", 12.0),
    ];
    let head = range_ledger(
        store,
        actor,
        &r,
        "report.gate.title",
        &cols,
        (
            "report.gate.total",
            &[("n", count), ("unlisted", unlisted), ("away", away)],
        ),
        vec![],
    );
    let (from_ms, to_ms, off) = (r.from_ms, r.to_ms, r.off);
    let stamp = move |ms: i64| time::fmt_local(ms, off, "%Y-%m-%d %H:%M");
    let row = move |n: usize, e: &GateEntry| {
        Ok(vec![
            n.to_string(),
            time::fmt_local(e.at_ms, off, "%Y-%m-%d"),
            time::fmt_local(e.at_ms, off, "%H:%M"),
            e.boarder.name.clone(),
            e.boarder.class.clone(),
            bed_with_building(&e.boarder.bed, e.boarder.active),
            e.with_name.clone(),
            e.relation.clone(),
            e.phone.clone().unwrap_or_default(),
            tr(if e.authorised {
                "report.gate.listed"
            } else {
                "report.gate.unlisted"
            }),
            e.approved_by.clone().unwrap_or_default(),
            e.due_ms.map(stamp).unwrap_or_default(),
            e.returned_ms.map(stamp).unwrap_or_default(),
            return_state(e.returned_ms, e.due_ms, now),
            e.note.clone(),
            e.by.clone(),
            // The adult signs for the child on the printed sheet.
            String::new(),
        ])
    };
    let rows = Streamed {
        count,
        walk: Box::new(move |f| store.each_departure_between(from_ms, to_ms, f)),
        row: Box::new(row),
    };
    Ok((head, rows))
}

/// Builds the whole gate log in memory (the caller's language) without
/// writing it: for checks and small ranges; exports stream instead.
pub fn build(store: &Store, actor: &Actor, req: &RangeRequest) -> Result<Ledger, StoreError> {
    build_streamed(store, || prepare(store, actor, req))
}

/// Writes the gate log, reading the departures as it writes them; returns
/// the number of departures in it.
pub fn export_gate(
    store: &Store,
    actor: &Actor,
    req: &RangeRequest,
    watch: &dyn Watch,
) -> Result<usize, StoreError> {
    export_streamed(store, || prepare(store, actor, req), &req.path, watch)
}
