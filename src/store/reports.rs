//! Read-only queries behind the boarder ledgers (roll-call book, absence
//! statistics). Nothing here writes.

use super::rollcall::{STUDENT_COLS, read_student};
use super::{Store, StoreError};
use crate::domain::rollcall::{Mark, RoundKind};
use crate::domain::roster::Student;
use rusqlite::params;
use std::collections::HashMap;

/// A boarder's mark for one night, as the roll-call book records it.
#[derive(Debug, Clone, PartialEq)]
pub struct NightMark {
    pub student_id: String,
    /// YYYY-MM-DD, the night the round belongs to.
    pub night: String,
    pub building: String,
    pub round_id: String,
    pub mark: Mark,
    pub late_at: Option<i64>,
}

/// A round a duty leader closed while someone was unaccounted.
#[derive(Debug, Clone, PartialEq)]
pub struct ForcedClose {
    pub night: String,
    pub building: String,
    pub kind: RoundKind,
    pub closed_ms: i64,
    /// Operator name (the id if the operator is unknown).
    pub closed_by: String,
    pub reason: String,
    /// How many boarders were unaccounted at the close.
    pub unaccounted: i64,
}

/// The latest follow-up recorded about a boarder in a range of nights.
#[derive(Debug, Clone, PartialEq)]
pub struct LatestFollowup {
    pub night: String,
    pub finding: String,
    pub found_at: Option<i64>,
    pub at_ms: i64,
}

/// A student with the roster's active flag (reports also list leavers).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportStudent {
    pub student: Student,
    pub active: bool,
}

impl Store {
    /// Each boarder's mark per night between two nights (inclusive,
    /// `YYYY-MM-DD`), optionally for one building.
    ///
    /// The night's roll is its lights-out round: a boarder's mark is the
    /// one from the latest lights-out round that marked them. Only where a
    /// building had no lights-out round that night does a bed check count
    /// (the latest that marked them). So a boarder a lights-out roll missed
    /// stays blank even if a later bed check saw them, as on paper; and a
    /// second roll the same night (restarted, or one begun after midnight)
    /// does not blank out the boarders it has not reached yet.
    pub fn night_marks(
        &self,
        from_night: &str,
        to_night: &str,
        building: Option<&str>,
    ) -> Result<Vec<NightMark>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.student_id, r.night, r.building, r.id, m.mark, m.late_at
             FROM marks m JOIN rounds r ON r.id = m.round_id
             WHERE r.night >= ?1 AND r.night <= ?2 AND (?3 IS NULL OR r.building = ?3)
               AND (r.kind = 'lights_out' OR NOT EXISTS (
                   SELECT 1 FROM rounds o
                   WHERE o.night = r.night AND o.building = r.building AND o.kind = 'lights_out'))
             ORDER BY m.student_id, r.night, r.started_ms, r.id",
        )?;
        let rows = stmt.query_map(params![from_night, to_night, building], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<i64>>(5)?,
            ))
        })?;
        let mut out: Vec<NightMark> = Vec::new();
        for row in rows {
            let (student_id, night, building, round_id, mark, late_at) = row?;
            // An unknown mark string would come from a newer version; it
            // is left out rather than shown as something it is not.
            let Some(mark) = Mark::parse(&mark) else {
                continue;
            };
            let m = NightMark {
                student_id,
                night,
                building,
                round_id,
                mark,
                late_at,
            };
            // Rows come ordered by round start within (student, night), so
            // a second row for the same pair is the later round.
            match out.last_mut() {
                Some(prev) if prev.student_id == m.student_id && prev.night == m.night => *prev = m,
                _ => out.push(m),
            }
        }
        Ok(out)
    }

    /// Rounds between two nights (inclusive) that a duty leader forced
    /// closed, oldest first; optionally for one building.
    pub fn forced_closes(
        &self,
        from_night: &str,
        to_night: &str,
        building: Option<&str>,
    ) -> Result<Vec<ForcedClose>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT night, building, kind, closed_ms, COALESCE(closed_by, ''), forced_reason,
                    CASE WHEN json_valid(unaccounted) THEN json_array_length(unaccounted) ELSE 0 END
             FROM rounds
             WHERE forced_reason IS NOT NULL AND closed_ms IS NOT NULL
               AND night >= ?1 AND night <= ?2 AND (?3 IS NULL OR building = ?3)
             ORDER BY night, building, started_ms, id",
        )?;
        let rows = stmt.query_map(params![from_night, to_night, building], |r| {
            Ok(ForcedClose {
                night: r.get(0)?,
                building: r.get(1)?,
                kind: RoundKind::parse(&r.get::<_, String>(2)?).unwrap_or(RoundKind::BedCheck),
                closed_ms: r.get(3)?,
                closed_by: r.get(4)?,
                reason: r.get(5)?,
                unaccounted: r.get(6)?,
            })
        })?;
        let mut v: Vec<ForcedClose> = rows.collect::<Result<_, _>>()?;
        for f in &mut v {
            f.closed_by = self.operator_name(&f.closed_by);
        }
        Ok(v)
    }

    /// Per boarder, the latest absence follow-up recorded for a round of a
    /// night between the two (inclusive).
    pub fn latest_followups(
        &self,
        from_night: &str,
        to_night: &str,
    ) -> Result<HashMap<String, LatestFollowup>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT f.student_id, r.night, f.finding, f.found_at, f.at_ms
             FROM followups f JOIN rounds r ON r.id = f.round_id
             WHERE r.night >= ?1 AND r.night <= ?2
             ORDER BY f.at_ms, f.id",
        )?;
        let rows = stmt.query_map(params![from_night, to_night], |r| {
            Ok((
                r.get::<_, String>(0)?,
                LatestFollowup {
                    night: r.get(1)?,
                    finding: r.get(2)?,
                    found_at: r.get(3)?,
                    at_ms: r.get(4)?,
                },
            ))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (id, f) = row?;
            // Ascending order: the last one inserted wins.
            out.insert(id, f);
        }
        Ok(out)
    }

    /// Per (boarder, night), the latest absence follow-up recorded for a
    /// round of that night: its outcome says where the boarder was found.
    pub fn night_followups(
        &self,
        from_night: &str,
        to_night: &str,
    ) -> Result<HashMap<(String, String), LatestFollowup>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT f.student_id, r.night, f.finding, f.found_at, f.at_ms
             FROM followups f JOIN rounds r ON r.id = f.round_id
             WHERE r.night >= ?1 AND r.night <= ?2
             ORDER BY f.at_ms, f.id",
        )?;
        let rows = stmt.query_map(params![from_night, to_night], |r| {
            Ok((
                r.get::<_, String>(0)?,
                LatestFollowup {
                    night: r.get(1)?,
                    finding: r.get(2)?,
                    found_at: r.get(3)?,
                    at_ms: r.get(4)?,
                },
            ))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (id, f) = row?;
            out.insert((id, f.night.clone()), f);
        }
        Ok(out)
    }

    /// Students by id, active or not, with their current bed; ids that are
    /// not in the roster are left out.
    pub fn report_students(&self, ids: &[String]) -> Result<Vec<ReportStudent>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {STUDENT_COLS}, active FROM students WHERE id = ?1"
        ))?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let mut rows = stmt.query_map([id], |r| {
                Ok(ReportStudent {
                    student: read_student(r)?,
                    active: r.get::<_, i64>(6)? == 1,
                })
            })?;
            if let Some(s) = rows.next() {
                out.push(s?);
            }
        }
        Ok(out)
    }
}
