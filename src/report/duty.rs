//! 学校领导教师轮流值日情况记载表: every shift of every station in a range
//! of days, planned against actual — who was on duty and who led it, when
//! each arrived, what the flags say (late, uncovered, not rostered, not
//! planned, the previous shift not handed over), what happened (the shift
//! log), and the three signatures of the handover. Every shift is listed,
//! planned or not, so no gap is hidden.

use crate::domain::role::Actor;
use crate::domain::time;
use crate::i18n::facts::duty_flag;
use crate::i18n::shift_name;
use crate::report::common::write_built;
use crate::report::ledger::{Ledger, Watch};
use crate::report::sick::{RangeRequest, range, range_ledger};
use crate::store::{Store, StoreError};

/// Builds the duty record (the caller's language) without writing it.
pub fn build(store: &Store, actor: &Actor, req: &RangeRequest) -> Result<Ledger, StoreError> {
    let r = range(store, actor, req)?;
    let days = (req.to - req.from).num_days() as u32 + 1;
    let now = store.now_ms();
    let cols: [(&str, f64); 12] = [
        ("report.duty.col.no", 5.0),
        ("report.duty.col.date", 11.0),
        ("report.duty.col.shift", 12.0),
        ("report.duty.col.station", 10.0),
        ("report.duty.col.people", 14.0),
        ("report.duty.col.leader", 9.0),
        ("report.duty.col.arrived", 13.0),
        ("report.duty.col.flags", 14.0),
        ("report.duty.col.happened", 28.0),
        ("report.duty.col.out_sign", 12.0),
        ("report.duty.col.in_sign", 12.0),
        ("report.duty.col.leader_sign", 12.0),
    ];
    let hm = |ms: i64| time::fmt_local(ms, r.off, "%H:%M");
    let signed = |who: Option<&String>, at: Option<i64>| match (who, at) {
        (Some(w), Some(t)) => format!("{w} {}", time::fmt_local(t, r.off, "%m-%d %H:%M")),
        _ => String::new(),
    };
    let mut lines: Vec<(String, u32, String, Vec<String>)> = vec![];
    let (mut gaps, mut late, mut unsigned) = (0, 0, 0);
    for (station_id, station_name) in store.duty_stations()? {
        let since = store.handovers_since(&station_id)?;
        for row in store.duty_rows(&station_id, req.from, days, now)? {
            let h = store.handover(&row.shift)?;
            let plan = row.plan.as_ref();
            let people = plan
                .map(|p| {
                    p.people
                        .iter()
                        .map(|x| x.name.clone())
                        .collect::<Vec<_>>()
                        .join("、")
                })
                .unwrap_or_default();
            let leader = plan
                .and_then(|p| p.leader.as_ref())
                .map(|l| l.name.clone())
                .unwrap_or_default();
            let arrived = row
                .arrivals
                .iter()
                .map(|(_, name, t)| format!("{name} {}", hm(*t)))
                .collect::<Vec<_>>()
                .join("、");
            use crate::domain::duty::DutyFlag;
            if row
                .flags
                .iter()
                .any(|f| matches!(f, DutyFlag::Uncovered | DutyFlag::NotPlanned))
            {
                gaps += 1;
            }
            late += row
                .flags
                .iter()
                .filter(|f| matches!(f, DutyFlag::Late { .. }))
                .count();
            // A shift over, since the station keeps handovers, should
            // have been signed.
            if h.is_none()
                && row.window.1 <= now
                && since.as_ref().is_some_and(|s| &row.shift.date >= s)
            {
                unsigned += 1;
            }
            let flags = row
                .flags
                .iter()
                .map(duty_flag)
                .collect::<Vec<_>>()
                .join("；");
            let mut happened: Vec<String> = store
                .shift_log(&row.shift)?
                .into_iter()
                .map(|e| format!("{} {}", hm(e.fields.at_ms), e.fields.what))
                .collect();
            if let Some(h) = &h
                && !h.note.is_empty()
            {
                happened.push(format!(
                    "{}：{}",
                    crate::i18n::tr("handover.section.note"),
                    h.note
                ));
            }
            lines.push((
                row.shift.date.clone(),
                row.def.start_min,
                station_name.clone(),
                vec![
                    row.shift.date.clone(),
                    format!("{} {}", shift_name(&row.shift.shift), row.def.span_text()),
                    station_name.clone(),
                    people,
                    leader,
                    arrived,
                    flags,
                    happened.join("；"),
                    h.as_ref()
                        .map(|h| signed(Some(&h.signed_by_name), Some(h.signed_ms)))
                        .unwrap_or_default(),
                    h.as_ref()
                        .map(|h| signed(h.accepted_by_name.as_ref(), h.accepted_ms))
                        .unwrap_or_default(),
                    h.as_ref()
                        .map(|h| signed(h.countersigned_by_name.as_ref(), h.countersigned_ms))
                        .unwrap_or_default(),
                ],
            ));
        }
    }
    lines.sort_by(|a, b| (&a.0, a.1, &a.2).cmp(&(&b.0, b.1, &b.2)));
    let n = lines.len();
    let rows = lines
        .into_iter()
        .enumerate()
        .map(|(i, (_, _, _, cells))| {
            let mut row = vec![(i + 1).to_string()];
            row.extend(cells);
            row
        })
        .collect();
    Ok(range_ledger(
        store,
        actor,
        &r,
        "report.duty.title",
        &cols,
        (
            "report.duty.total",
            &[
                ("n", n),
                ("gaps", gaps),
                ("late", late),
                ("unsigned", unsigned),
            ],
        ),
        rows,
    ))
}

/// Writes the duty record; returns the number of shifts in it.
pub fn export_duty(
    store: &Store,
    actor: &Actor,
    req: &RangeRequest,
    watch: &dyn Watch,
) -> Result<usize, StoreError> {
    write_built(build(store, actor, req), &req.path, watch)
}
