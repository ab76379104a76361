//! 隐患排查台账: the hazards found in a date range in the paper ledger's
//! columns — found, where, what, by whom, the containment and the fix, the
//! deadline, the verification and the sign-off — one row per hazard.

use crate::domain::hazard::{HazardView, Status, is_overdue};
use crate::domain::role::Actor;
use crate::domain::time;
use crate::i18n::{tr, trf};
use crate::report::common::{Streamed, build_streamed, export_streamed};
use crate::report::ledger::{Ledger, Watch};
use crate::report::sick::{RangeRequest, range, range_ledger};
use crate::store::{Store, StoreError};

fn prepare<'a>(
    store: &'a Store,
    actor: &Actor,
    req: &RangeRequest,
) -> Result<(Ledger, Streamed<'a, HazardView>), StoreError> {
    let r = range(store, actor, req)?;
    let now = store.now_ms();
    let (count, closed, overdue) = store.hazard_counts(r.from_ms, r.to_ms, now)?;
    let cols: [(&str, f64); 16] = [
        ("report.hazards.col.no", 5.0),
        ("report.hazards.col.date", 11.0),
        ("report.hazards.col.place", 14.0),
        ("report.hazards.col.category", 9.0),
        ("report.hazards.col.severity", 6.0),
        ("report.hazards.col.description", 24.0),
        ("report.hazards.col.found_by", 9.0),
        ("report.hazards.col.containment", 16.0),
        ("report.hazards.col.measures", 20.0),
        ("report.hazards.col.responsible", 10.0),
        ("report.hazards.col.deadline", 16.0),
        ("report.hazards.col.done", 16.0),
        ("report.hazards.col.verifier", 9.0),
        ("report.hazards.col.result", 14.0),
        ("report.hazards.col.closed", 11.0),
        ("report.hazards.col.notes", 16.0),
    ];
    let head = range_ledger(
        store,
        actor,
        &r,
        "report.hazards.title",
        &cols,
        (
            "report.hazards.total",
            &[("n", count), ("closed", closed), ("overdue", overdue)],
        ),
        vec![],
    );
    let (from_ms, to_ms, off) = (r.from_ms, r.to_ms, r.off);
    let stamp = move |ms: i64| time::fmt_local(ms, off, "%Y-%m-%d %H:%M");
    let day = move |ms: i64| time::fmt_local(ms, off, "%Y-%m-%d");
    let row = move |n: usize, v: &HazardView| {
        let result = match v.verify_passed {
            Some(true) => tr("report.hazards.pass"),
            Some(false) => format!(
                "{}{}{}",
                tr("report.hazards.fail"),
                tr("hazard.colon"),
                v.verify_note.clone().unwrap_or_default()
            ),
            None => String::new(),
        };
        let mut notes = vec![];
        if v.status != Status::Closed {
            notes.push(tr(&format!("hazard.status.{}", v.status.key())));
        }
        if is_overdue(v.status, v.deadline_ms, now) {
            notes.push(tr("report.hazards.overdue"));
        }
        if v.fails > 0 {
            notes.push(trf("report.hazards.fails", &[("n", v.fails.to_string())]));
        }
        if v.reopens > 0 {
            notes.push(trf(
                "report.hazards.reopens",
                &[("n", v.reopens.to_string())],
            ));
        }
        Ok(vec![
            n.to_string(),
            day(v.found_ms),
            v.place.clone(),
            v.category
                .map(|c| tr(&format!("hazard.cat.{}", c.key())))
                .unwrap_or_default(),
            v.severity
                .map(|s| tr(&format!("hazard.sev.{}", s.key())))
                .unwrap_or_default(),
            v.description.clone(),
            v.reported_by.clone(),
            v.containment.clone(),
            v.measures.clone().unwrap_or_default(),
            v.responsible.clone(),
            stamp(v.deadline_ms),
            v.rectified_ms.map(stamp).unwrap_or_default(),
            v.verified_by.clone().unwrap_or_default(),
            result,
            v.closed_ms.map(day).unwrap_or_default(),
            notes.join("；"),
        ])
    };
    let rows = Streamed {
        count,
        walk: Box::new(move |f| store.each_hazard_between(from_ms, to_ms, f)),
        row: Box::new(row),
    };
    Ok((head, rows))
}

/// Builds the whole ledger in memory (the caller's language) without
/// writing it: for checks and small ranges; exports stream instead.
pub fn build(store: &Store, actor: &Actor, req: &RangeRequest) -> Result<Ledger, StoreError> {
    build_streamed(store, || prepare(store, actor, req))
}

/// Writes the hazard ledger, reading the hazards as it writes them; returns
/// how many it holds.
pub fn export_hazards(
    store: &Store,
    actor: &Actor,
    req: &RangeRequest,
    watch: &dyn Watch,
) -> Result<usize, StoreError> {
    export_streamed(store, || prepare(store, actor, req), &req.path, watch)
}
