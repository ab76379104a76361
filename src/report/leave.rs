//! 请假登记: approved leave starting in a date range, one row per leave,
//! with when the boarder came back (销假) and a blank for the signature.

use crate::domain::role::Actor;
use crate::domain::time;
use crate::i18n::tr;
use crate::report::common::{bed_with_building, write_built};
use crate::report::ledger::Ledger;
use crate::report::ledger::Watch;
use crate::report::sick::{RangeRequest, range, range_ledger};
use crate::store::{Store, StoreError};

/// Whether a leave ended as it should: back on time, back late, still out
/// past the due time, or not yet due — as of `now_ms`.
pub(crate) fn return_state(returned: Option<i64>, due: Option<i64>, now_ms: i64) -> String {
    let key = match (returned, due) {
        (Some(t), Some(d)) if t > d => "report.leave.back_late",
        (Some(_), _) => "report.leave.back",
        (None, Some(d)) if now_ms > d => "report.leave.overdue",
        (None, _) => "report.leave.away",
    };
    tr(key)
}

/// Builds the leave register (the caller's language) without writing it.
pub fn build(store: &Store, actor: &Actor, req: &RangeRequest) -> Result<Ledger, StoreError> {
    let r = range(store, actor, req)?;
    let entries = store.leaves_between(r.from_ms, r.to_ms)?;
    let now = store.now_ms();
    let cols: [(&str, f64); 14] = [
        ("report.leave.col.no", 5.0),
        ("report.leave.col.name", 9.0),
        ("report.leave.col.class", 11.0),
        ("report.leave.col.bed", 13.0),
        ("report.leave.col.from", 14.0),
        ("report.leave.col.due", 14.0),
        ("report.leave.col.reason", 18.0),
        ("report.leave.col.destination", 14.0),
        ("report.leave.col.approved_by", 10.0),
        ("report.leave.col.returned", 14.0),
        ("report.leave.col.state", 10.0),
        ("report.leave.col.by", 9.0),
        ("report.leave.col.guardian_sign", 12.0),
        ("report.leave.col.back_sign", 12.0),
    ];
    let stamp = |ms: i64| time::fmt_local(ms, r.off, "%Y-%m-%d %H:%M");
    let mut out = 0;
    let rows: Vec<Vec<String>> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            if e.returned_ms.is_none() && now > e.due_ms {
                out += 1;
            }
            vec![
                (i + 1).to_string(),
                e.boarder.name.clone(),
                e.boarder.class.clone(),
                bed_with_building(&e.boarder.bed, e.boarder.active),
                stamp(e.from_ms),
                stamp(e.due_ms),
                e.reason.clone(),
                e.destination.clone(),
                e.approved_by.clone(),
                e.returned_ms.map(stamp).unwrap_or_default(),
                return_state(e.returned_ms, Some(e.due_ms), now),
                e.by.clone(),
                // Blanks the guardian and the duty teacher sign on paper.
                String::new(),
                String::new(),
            ]
        })
        .collect();
    let n = rows.len();
    Ok(range_ledger(
        store,
        actor,
        &r,
        "report.leave.title",
        &cols,
        ("report.leave.total", &[("n", n), ("overdue", out)]),
        rows,
    ))
}

/// Writes the leave register; returns the number of leaves in it.
pub fn export_leave(
    store: &Store,
    actor: &Actor,
    req: &RangeRequest,
    watch: &dyn Watch,
) -> Result<usize, StoreError> {
    write_built(build(store, actor, req), &req.path, watch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_states() {
        assert_eq!(return_state(Some(5), Some(10), 20), tr("report.leave.back"));
        assert_eq!(
            return_state(Some(15), Some(10), 20),
            tr("report.leave.back_late")
        );
        assert_eq!(return_state(None, Some(10), 20), tr("report.leave.overdue"));
        assert_eq!(return_state(None, Some(30), 20), tr("report.leave.away"));
        assert_eq!(return_state(None, None, 20), tr("report.leave.away"));
        assert_ne!(tr("report.leave.back"), tr("report.leave.back_late"));
    }
}
