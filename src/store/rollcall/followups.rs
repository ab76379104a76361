//! Absence follow-ups (who was called, what was learnt) and the alerts
//! the status bar counts.

use super::rows::{FollowupRow, OpenAbsence};
use crate::domain::error::DomainError;
use crate::domain::event::{AbsenceFollowup, Event};
use crate::domain::role::Actor;
use crate::domain::rollcall::{self, FoundWhere};
use crate::domain::validate::{FieldError, normalize_input};
use crate::store::{Store, StoreError};

impl Store {
    pub fn followups(
        &self,
        round_id: &str,
        student_id: &str,
    ) -> Result<Vec<FollowupRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at_ms, by, contacted, contact_name, finding, found_at FROM followups WHERE round_id = ?1 AND student_id = ?2 ORDER BY at_ms, id",
        )?;
        let rows = stmt.query_map([round_id, student_id], |r| {
            Ok(FollowupRow {
                at_ms: r.get(0)?,
                by: r.get(1)?,
                contacted: r.get(2)?,
                contact_name: r.get(3)?,
                finding: r.get(4)?,
                found_at: r.get(5)?,
            })
        })?;
        let mut v: Vec<FollowupRow> = rows.collect::<Result<_, _>>()?;
        for f in &mut v {
            f.by = self.operator_name(&f.by);
        }
        Ok(v)
    }

    /// Absences (in any round) whose student has not been found yet: the
    /// `absences_open` table the projection and the schema's triggers keep,
    /// not every absence of every night.
    pub fn open_absences(&self) -> Result<Vec<OpenAbsence>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.round_id, r.night, r.building, a.student_id, COALESCE(s.name, ''), COALESCE(s.class, ''),
                    (SELECT COUNT(*) FROM followups f WHERE f.round_id = a.round_id AND f.student_id = a.student_id)
             FROM absences_open a JOIN rounds r ON r.id = a.round_id LEFT JOIN students s ON s.id = a.student_id
             ORDER BY r.night DESC, r.started_ms DESC, s.name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(OpenAbsence {
                round_id: r.get(0)?,
                night: r.get(1)?,
                building: r.get(2)?,
                student_id: r.get(3)?,
                name: r.get(4)?,
                class: r.get(5)?,
                followups: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records who was called about an absence and what was found.
    #[allow(clippy::too_many_arguments)]
    pub fn record_followup(
        &mut self,
        actor: &Actor,
        round_id: &str,
        student_id: &str,
        contacted: &str,
        contact_name: &str,
        finding: &str,
        found_at_ms: Option<i64>,
    ) -> Result<(), StoreError> {
        let found = found_at_ms.map(|at| (at, None));
        self.record_followup_found(
            actor,
            round_id,
            student_id,
            (contacted, contact_name),
            finding,
            found,
        )
    }

    /// A follow-up with where the boarder was found, when they were:
    /// `found` is the time and, when the teacher said, the place.
    pub fn record_followup_found(
        &mut self,
        actor: &Actor,
        round_id: &str,
        student_id: &str,
        (contacted, contact_name): (&str, &str),
        finding: &str,
        found: Option<(i64, Option<FoundWhere>)>,
    ) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            rollcall::require_rollcall(&a)?;
            s.open_round_checked(round_id)?;
            let finding = normalize_input(finding);
            if finding.is_empty() {
                return Err(DomainError::Invalid(vec![("finding", FieldError::Required)]).into());
            }
            let id = s.new_id();
            Ok((
                vec![Event::AbsenceFollowup(AbsenceFollowup {
                    followup_id: id,
                    round_id: round_id.to_string(),
                    student_id: student_id.to_string(),
                    contacted: contacted.to_string(),
                    contact_name: normalize_input(contact_name),
                    finding,
                    found_at_ms: found.map(|f| f.0),
                    found_where: found.and_then(|f| f.1),
                })],
                (),
            ))
        })
    }

    /// Counts for the status bar: (absences nobody has resolved, leave
    /// overdue, boarders out through the gate and not back by their time).
    /// Asked every second and after every key: three counts over what is
    /// open now (a trigger-kept table and two partial indexes), the same
    /// as `LeaveRow::overdue` over `leaves` but without reading any history.
    pub fn boarder_alerts(&self, now_ms: i64) -> Result<(i64, i64, i64), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT (SELECT COUNT(*) FROM absences_open a JOIN rounds r ON r.id = a.round_id),
                    (SELECT COUNT(*) FROM leaves WHERE returned_ms IS NULL AND due_ms < ?1),
                    (SELECT COUNT(*) FROM departures WHERE returned_ms IS NULL AND due_ms < ?1)",
        )?;
        Ok(stmt.query_row([now_ms], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?)
    }
}
