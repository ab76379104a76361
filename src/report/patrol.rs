//! 巡查记录: the patrol ledger for a range of nights, one line per
//! checkpoint of each round — the round (route, patroller, start and end),
//! the checkpoint, and whether it was OK, a finding (the failed items and
//! the note) or missed; an entry made later shows both times. Streamed
//! from the station as it is written.

use crate::domain::patrol::Outcome;
use crate::domain::role::Actor;
use crate::domain::time;
use crate::i18n::{tr, trf};
use crate::report::common::{Streamed, build_streamed, export_streamed};
use crate::report::ledger::{Ledger, Watch};
use crate::report::sick::{RangeRequest, range, range_ledger};
use crate::store::patrol_ledger::{EntryResult, PatrolEntry};
use crate::store::{Store, StoreError};

fn prepare<'a>(
    store: &'a Store,
    actor: &Actor,
    req: &RangeRequest,
) -> Result<(Ledger, Streamed<'a, PatrolEntry>), StoreError> {
    let r = range(store, actor, req)?;
    let (from, to) = (r.from.clone(), r.to.clone());
    let c = store.patrol_counts(&from, &to)?;
    let cols: [(&str, f64); 14] = [
        ("report.patrol.col.no", 5.0),
        ("report.patrol.col.night", 11.0),
        ("report.patrol.col.route", 10.0),
        ("report.patrol.col.patroller", 8.0),
        ("report.patrol.col.round", 12.0),
        ("report.patrol.col.code", 7.0),
        ("report.patrol.col.checkpoint", 14.0),
        ("report.patrol.col.place", 10.0),
        ("report.patrol.col.result", 7.0),
        ("report.patrol.col.at", 6.0),
        ("report.patrol.col.entered", 10.0),
        ("report.patrol.col.finding", 24.0),
        ("report.patrol.col.reason", 18.0),
        ("report.patrol.col.sign", 8.0),
    ];
    let head = range_ledger(
        store,
        actor,
        &r,
        "report.patrol.title",
        &cols,
        (
            "report.patrol.total",
            &[
                ("n", c.lines),
                ("rounds", c.rounds),
                ("findings", c.findings),
                ("missed", c.missed),
            ],
        ),
        vec![],
    );
    let off = r.off;
    let hm = move |ms: i64| time::fmt_local(ms, off, "%H:%M");
    let row = move |n: usize, e: &PatrolEntry| {
        let (result, finding) = match &e.result {
            EntryResult::Checked(Outcome::Ok) => (tr("report.patrol.ok"), String::new()),
            EntryResult::Checked(Outcome::Finding { failed, note }) => (
                tr("report.patrol.finding"),
                [failed.join("；"), note.clone()]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join("：")
                    .to_string(),
            ),
            EntryResult::Missed => (tr("report.patrol.missed"), String::new()),
            EntryResult::Pending => (tr("report.patrol.pending"), String::new()),
        };
        // An entry made from a paper card: when it was entered, and the gap.
        let entered = match (e.at_ms, e.entered_ms) {
            (Some(at), Some(ent)) if e.method == "later" => trf(
                "report.patrol.entered_later",
                &[("t", hm(ent)), ("min", ((ent - at) / 60_000).to_string())],
            ),
            _ => String::new(),
        };
        let round = match e.round.closed_ms {
            Some(c) => format!("{}–{}", hm(e.round.started_ms), hm(c)),
            None => format!("{}–", hm(e.round.started_ms)),
        };
        Ok(vec![
            n.to_string(),
            e.round.night.clone(),
            e.route.clone(),
            e.round.started_by.clone(),
            round,
            e.code.clone(),
            e.checkpoint.clone(),
            e.place.clone(),
            result,
            e.at_ms.map(hm).unwrap_or_default(),
            entered,
            finding,
            e.round.reason.clone().unwrap_or_default(),
            String::new(),
        ])
    };
    let rows = Streamed {
        count: c.lines,
        walk: Box::new(move |f| store.each_patrol_entry(&from, &to, f)),
        row: Box::new(row),
    };
    Ok((head, rows))
}

/// Builds the whole patrol ledger in memory (checks and small ranges).
pub fn build(store: &Store, actor: &Actor, req: &RangeRequest) -> Result<Ledger, StoreError> {
    build_streamed(store, || prepare(store, actor, req))
}

/// Writes the patrol ledger, reading the rounds as it writes them; returns
/// the number of lines.
pub fn export_patrol(
    store: &Store,
    actor: &Actor,
    req: &RangeRequest,
    watch: &dyn Watch,
) -> Result<usize, StoreError> {
    export_streamed(store, || prepare(store, actor, req), &req.path, watch)
}
