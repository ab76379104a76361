//! 缺勤跟进: every call made about a boarder missing at a roll in a date
//! range — whom the duty teacher contacted, what they learnt, whether and
//! when the boarder was found — one row per follow-up.

use crate::domain::role::Actor;
use crate::domain::time;
use crate::i18n::tr;
use crate::report::absences::found_on_campus;
use crate::report::common::{bed_with_building, write_built};
use crate::report::ledger::Ledger;
use crate::report::ledger::Watch;
use crate::report::sick::{RangeRequest, range, range_ledger};
use crate::store::{Store, StoreError};

/// Builds the follow-up ledger (the caller's language) without writing it.
pub fn build(store: &Store, actor: &Actor, req: &RangeRequest) -> Result<Ledger, StoreError> {
    let r = range(store, actor, req)?;
    let entries = store.followups_between(&r.from, &r.to)?;
    let cols: [(&str, f64); 14] = [
        ("report.followups.col.no", 5.0),
        ("report.followups.col.night", 11.0),
        ("report.followups.col.round", 14.0),
        ("report.followups.col.name", 9.0),
        ("report.followups.col.class", 11.0),
        ("report.followups.col.bed", 13.0),
        ("report.followups.col.contacted", 8.0),
        ("report.followups.col.contact", 18.0),
        ("report.followups.col.finding", 28.0),
        ("report.followups.col.found", 10.0),
        ("report.followups.col.found_at", 8.0),
        ("report.followups.col.at", 8.0),
        ("report.followups.col.by", 9.0),
        ("report.followups.col.leader_sign", 12.0),
    ];
    let mut found = 0;
    let rows: Vec<Vec<String>> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let outcome = match e.found_at {
                None => tr("report.followups.not_found"),
                Some(_) if found_on_campus(e.found_where, &e.finding, e.found_at) => {
                    tr("report.followups.found_campus")
                }
                Some(_) => tr("report.followups.found"),
            };
            if e.found_at.is_some() {
                found += 1;
            }
            let contacted = match e.contacted.as_str() {
                k @ ("guardian" | "head_teacher" | "other") => tr(&format!("contact.{k}")),
                // A kind from a newer version is shown as recorded.
                other => other.to_string(),
            };
            vec![
                (i + 1).to_string(),
                e.night.clone(),
                format!("{} {}", e.building, tr(&format!("round.{}", e.kind.key()))),
                e.boarder.name.clone(),
                e.boarder.class.clone(),
                bed_with_building(&e.boarder.bed, e.boarder.active),
                contacted,
                e.contact_name.clone(),
                e.finding.clone(),
                outcome,
                e.found_at
                    .map(|t| time::fmt_local(t, r.off, "%H:%M"))
                    .unwrap_or_default(),
                time::fmt_local(e.at_ms, r.off, "%H:%M"),
                e.by.clone(),
                String::new(),
            ]
        })
        .collect();
    let n = rows.len();
    Ok(range_ledger(
        store,
        actor,
        &r,
        "report.followups.title",
        &cols,
        ("report.followups.total", &[("n", n), ("found", found)]),
        rows,
    ))
}

/// Writes the follow-up ledger; returns the number of follow-ups in it.
pub fn export_followups(
    store: &Store,
    actor: &Actor,
    req: &RangeRequest,
    watch: &dyn Watch,
) -> Result<usize, StoreError> {
    write_built(build(store, actor, req), &req.path, watch)
}
