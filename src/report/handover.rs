//! 交接班记录: the signed handovers of a range of days, every station's,
//! shift by shift — who signed, accepted and countersigned and when, the
//! seal's check, each item listed with its state as signed (the record as
//! it reads now), the note, the questions and the corrections made after
//! the seal. One shift's lines stay together, its first line naming it.

use crate::domain::role::Actor;
use crate::domain::time;
use crate::i18n::{shift_name, tr, trf};
use crate::report::common::write_built;
use crate::report::ledger::{Ledger, Watch};
use crate::report::sick::{RangeRequest, range, range_ledger};
use crate::store::handover::SealCheck;
use crate::store::{Store, StoreError};

/// Builds the handover record (the caller's language) without writing it.
pub fn build(store: &Store, actor: &Actor, req: &RangeRequest) -> Result<Ledger, StoreError> {
    let r = range(store, actor, req)?;
    let mut shifts = store.handovers_between(&r.from, &r.to, None)?;
    shifts.reverse();
    let cols: [(&str, f64); 10] = [
        ("report.handover.col.no", 5.0),
        ("report.handover.col.shift", 14.0),
        ("report.handover.col.station", 10.0),
        ("report.handover.col.section", 9.0),
        ("report.handover.col.item", 26.0),
        ("report.handover.col.state", 12.0),
        ("report.handover.col.out", 14.0),
        ("report.handover.col.in", 14.0),
        ("report.handover.col.leader", 14.0),
        ("report.handover.col.seal", 10.0),
    ];
    let stamp = |who: &Option<String>, ms: Option<i64>| match (who, ms) {
        (Some(w), Some(t)) => format!("{w} {}", time::fmt_local(t, r.off, "%m-%d %H:%M")),
        _ => String::new(),
    };
    let mut rows: Vec<Vec<String>> = vec![];
    let mut starts: Vec<usize> = vec![];
    let mut broken = 0;
    for h in &shifts {
        let seal = match store.check_seal(h)? {
            SealCheck::Intact { .. } => tr("report.handover.seal_ok"),
            SealCheck::Broken { .. } => {
                broken += 1;
                tr("report.handover.seal_broken")
            }
        };
        let head = [
            format!("{} {}", h.shift.date, shift_name(&h.shift.shift)),
            h.station_name.clone(),
        ];
        let signs = [
            stamp(&Some(h.signed_by_name.clone()), Some(h.signed_ms)),
            stamp(&h.accepted_by_name, h.accepted_ms),
            stamp(&h.countersigned_by_name, h.countersigned_ms),
            seal,
        ];
        // (section, item, state) lines: the items, the note, the questions,
        // the corrections after the seal.
        let mut lines: Vec<[String; 3]> = h
            .items
            .iter()
            .map(|(entity, state)| {
                let kind = entity.split(':').next().unwrap_or_default();
                [
                    tr(&format!("handover.record.{kind}")),
                    store.describe_record(entity),
                    if state.is_empty() {
                        String::new()
                    } else {
                        tr(&format!("handover.state.{state}"))
                    },
                ]
            })
            .collect();
        if !h.note.is_empty() {
            lines.push([tr("handover.section.note"), h.note.clone(), String::new()]);
        }
        for q in &h.remarks {
            lines.push([
                tr("handover.remark"),
                q.text.clone(),
                tr(&format!("handover.section.{}", q.section)),
            ]);
        }
        for a in store.amendments(h)? {
            lines.push([
                tr("report.handover.amended"),
                format!("{} {} {}", store.describe_record(&a.entity), a.by, a.reason),
                tr(&format!("amend.{}", a.kind)),
            ]);
        }
        if lines.is_empty() {
            lines.push([String::new(), tr("handover.none"), String::new()]);
        }
        starts.push(rows.len());
        for (k, [section, item, state]) in lines.into_iter().enumerate() {
            let first = k == 0;
            let mut row = vec![(rows.len() + 1).to_string()];
            row.extend(
                head.iter()
                    .map(|c| if first { c.clone() } else { String::new() }),
            );
            row.extend([section, item, state]);
            row.extend(
                signs
                    .iter()
                    .map(|c| if first { c.clone() } else { String::new() }),
            );
            rows.push(row);
        }
    }
    let n = shifts.len();
    let mut ledger = range_ledger(
        store,
        actor,
        &r,
        "report.handover.title",
        &cols,
        ("report.handover.total", &[("n", n), ("broken", broken)]),
        rows,
    );
    // On paper, one shift a page, signed beneath.
    ledger.page_breaks = starts;
    Ok(ledger)
}

/// Writes the handover record; returns the number of shifts in it.
pub fn export_handover(
    store: &Store,
    actor: &Actor,
    req: &RangeRequest,
    watch: &dyn Watch,
) -> Result<usize, StoreError> {
    write_built(build(store, actor, req), &req.path, watch)
}

/// The one line a shift's handover reads as in the daily and monthly
/// records: "张建国 07:28 → 刘师傅 07:40 · 签核 李主任".
pub fn summary(h: &crate::store::handover::HandoverRow, off: i32) -> String {
    let t = |ms: i64| time::fmt_local(ms, off, "%H:%M");
    let mut s = format!("{} {}", h.signed_by_name, t(h.signed_ms));
    if let (Some(w), Some(at)) = (&h.accepted_by_name, h.accepted_ms) {
        s.push_str(&format!(" → {w} {}", t(at)));
    }
    if let Some(w) = &h.countersigned_by_name {
        s.push_str(&format!(
            " · {}",
            trf("report.handover.countersigned_by", &[("who", w.clone())])
        ));
    }
    s
}
