//! Approved leave (请假) and the list of boarders away.

use super::rows::LeaveRow;
use crate::domain::boarding;
use crate::domain::error::DomainError;
use crate::domain::event::{Event, LeaveGranted};
use crate::domain::role::{Actor, Permission, require};
use crate::domain::validate::normalize_input;
use crate::store::{Store, StoreError};

impl Store {
    /// Approved leave and gate departures not yet back, plus recent returns.
    /// Each of the four parts reads its own partial index (open, or
    /// returned since): an `OR` of the two would read the whole year.
    pub fn leaves(&self, include_returned_since_ms: i64) -> Result<Vec<LeaveRow>, StoreError> {
        const LEAVE: &str = "SELECT l.id, l.student_id, COALESCE(s.name, ''), COALESCE(s.class, ''), l.from_ms, l.due_ms, l.reason, l.approved_by, l.destination, l.returned_ms, 0
             FROM leaves l LEFT JOIN students s ON s.id = l.student_id";
        const GATE: &str = "SELECT d.id, d.student_id, COALESCE(s.name, ''), COALESCE(s.class, ''), d.at_ms, d.due_ms,
                    d.relation, COALESCE(d.approved_by, ''), d.with_name, d.returned_ms, 1
             FROM departures d LEFT JOIN students s ON s.id = d.student_id";
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT * FROM ({LEAVE} WHERE l.returned_ms IS NULL
             UNION ALL {LEAVE} WHERE l.returned_ms >= ?1
             UNION ALL {GATE} WHERE d.returned_ms IS NULL
             UNION ALL {GATE} WHERE d.returned_ms >= ?1)
             ORDER BY returned_ms IS NOT NULL, due_ms"
        ))?;
        let rows = stmt.query_map([include_returned_since_ms], |r| {
            Ok(LeaveRow {
                id: r.get(0)?,
                student_id: r.get(1)?,
                name: r.get(2)?,
                class: r.get(3)?,
                from_ms: r.get(4)?,
                due_ms: r.get(5)?,
                reason: r.get(6)?,
                approved_by: r.get(7)?,
                destination: r.get(8)?,
                returned_ms: r.get(9)?,
                gate: r.get::<_, i64>(10)? == 1,
            })
        })?;
        let mut v: Vec<LeaveRow> = rows.collect::<Result<_, _>>()?;
        for l in v.iter_mut().filter(|l| l.gate && !l.approved_by.is_empty()) {
            l.approved_by = self.operator_name(&l.approved_by);
        }
        Ok(v)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn grant_leave(
        &mut self,
        actor: &Actor,
        student_id: &str,
        from_ms: i64,
        due_ms: i64,
        reason: &str,
        approved_by: &str,
        destination: &str,
    ) -> Result<String, StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            require(a.role, Permission::RunRollCall)?;
            s.student(student_id)?.ok_or(DomainError::NotFound)?;
            boarding::check_leave(from_ms, due_ms, reason, approved_by)?;
            let id = s.new_id();
            Ok((
                vec![Event::LeaveGranted(LeaveGranted {
                    leave_id: id.clone(),
                    student_id: student_id.to_string(),
                    from_ms,
                    due_ms,
                    reason: normalize_input(reason),
                    approved_by: normalize_input(approved_by),
                    destination: normalize_input(destination),
                })],
                id,
            ))
        })
    }
}
