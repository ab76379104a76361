//! Read-only queries behind the boarder ledgers (roll-call book, absence
//! statistics, sick log, leave register, gate log, absence follow-ups).
//! Nothing here writes.

use super::rollcall::{STUDENT_COLS, read_student};
use super::{Store, StoreError};
use crate::domain::rollcall::{Mark, RoundKind};
use crate::domain::roster::{BedRef, Student};
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
    /// Where the boarder was found, when the follow-up said.
    pub found_where: Option<crate::domain::rollcall::FoundWhere>,
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
        let mut out = Vec::new();
        self.each_night_mark(from_night, to_night, building, &mut |m| {
            out.push(m);
            Ok(())
        })?;
        Ok(out)
    }

    /// [`Store::night_marks`] one at a time, so a year of nights (a million
    /// marks) is never held in memory.
    pub fn each_night_mark(
        &self,
        from_night: &str,
        to_night: &str,
        building: Option<&str>,
        f: &mut dyn FnMut(NightMark) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
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
        let mut pending: Option<NightMark> = None;
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
            // a second row for the same pair is the later round; a pair is
            // given once the next pair begins.
            match pending.take() {
                Some(prev) if prev.student_id != m.student_id || prev.night != m.night => f(prev)?,
                _ => {}
            }
            pending = Some(m);
        }
        pending.map_or(Ok(()), f)
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

    /// Every follow-up for a round of a night between the two (inclusive),
    /// with its boarder, oldest first.
    fn latest_rows_between(
        &self,
        from_night: &str,
        to_night: &str,
    ) -> Result<Vec<(String, LatestFollowup)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT f.student_id, r.night, f.finding, f.found_at, f.at_ms, f.found_where
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
                    found_where: r
                        .get::<_, Option<String>>(5)?
                        .as_deref()
                        .and_then(crate::domain::rollcall::FoundWhere::parse),
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Per boarder, the latest absence follow-up recorded for a round of a
    /// night between the two (inclusive).
    pub fn latest_followups(
        &self,
        from_night: &str,
        to_night: &str,
    ) -> Result<HashMap<String, LatestFollowup>, StoreError> {
        let mut out = HashMap::new();
        for (id, f) in self.latest_rows_between(from_night, to_night)? {
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
        let mut out = HashMap::new();
        for (id, f) in self.latest_rows_between(from_night, to_night)? {
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

/// The boarder a ledger row is about, as the roster has them now; blank
/// name and no bed when the record names a student the roster lacks.
#[derive(Debug, Clone, PartialEq)]
pub struct Boarder {
    pub name: String,
    pub class: String,
    pub bed: Option<BedRef>,
    pub active: bool,
}

/// Columns read by [`read_boarder`], for a `LEFT JOIN students s`.
const BOARDER_COLS: &str = "COALESCE(s.name, ''), COALESCE(s.class, ''), s.building, s.floor, s.room, s.bed, COALESCE(s.active, 1)";

fn read_boarder(r: &rusqlite::Row, at: usize) -> rusqlite::Result<Boarder> {
    let building: Option<String> = r.get(at + 2)?;
    let floor: Option<i32> = r.get(at + 3)?;
    let room: Option<String> = r.get(at + 4)?;
    let bed: Option<String> = r.get(at + 5)?;
    Ok(Boarder {
        name: r.get(at)?,
        class: r.get(at + 1)?,
        bed: match (building, room, bed) {
            (Some(building), Some(room), Some(bed)) => Some(BedRef {
                building,
                floor: floor.unwrap_or(0),
                room,
                bed,
            }),
            _ => None,
        },
        active: r.get::<_, i64>(at + 6)? == 1,
    })
}

/// One illness in the sick log, with the notes taken through the night.
#[derive(Debug, Clone, PartialEq)]
pub struct SickEntry {
    pub boarder: Boarder,
    pub at_ms: i64,
    pub symptoms: String,
    pub temperature: Option<String>,
    pub medicine: String,
    pub water: String,
    pub clinic: bool,
    pub guardian_told: bool,
    pub closed_ms: Option<i64>,
    /// Operator name.
    pub by: String,
    /// (time, note, temperature, operator name), oldest first.
    pub notes: Vec<(i64, String, Option<String>, String)>,
}

/// One approved leave (请假).
#[derive(Debug, Clone, PartialEq)]
pub struct LeaveEntry {
    pub boarder: Boarder,
    pub from_ms: i64,
    pub due_ms: i64,
    pub reason: String,
    /// As typed on the form (the teacher who approved).
    pub approved_by: String,
    pub destination: String,
    pub returned_ms: Option<i64>,
    /// Operator name.
    pub by: String,
}

/// One departure through the gate (离校) and its return.
#[derive(Debug, Clone, PartialEq)]
pub struct GateEntry {
    pub boarder: Boarder,
    pub at_ms: i64,
    pub with_name: String,
    pub relation: String,
    pub phone: Option<String>,
    pub authorised: bool,
    /// Operator name of the duty leader who approved an unlisted adult.
    pub approved_by: Option<String>,
    pub due_ms: Option<i64>,
    pub note: String,
    pub returned_ms: Option<i64>,
    /// Operator name.
    pub by: String,
}

/// One absence follow-up: who was called and what was learnt.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowupEntry {
    pub boarder: Boarder,
    pub night: String,
    pub building: String,
    pub kind: RoundKind,
    /// guardian / head_teacher / other
    pub contacted: String,
    pub contact_name: String,
    pub finding: String,
    pub found_at: Option<i64>,
    /// Where the boarder was found, when the follow-up said.
    pub found_where: Option<crate::domain::rollcall::FoundWhere>,
    pub at_ms: i64,
    /// Operator name.
    pub by: String,
}

impl Store {
    /// Sick records opened in `[from_ms, to_ms)`, oldest first.
    pub fn sick_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<SickEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT k.id, k.at_ms, k.symptoms, k.temperature, k.medicine, k.water, k.clinic,
                    k.guardian_told, k.closed_ms, k.by, {BOARDER_COLS}
             FROM sick k LEFT JOIN students s ON s.id = k.student_id
             WHERE k.at_ms >= ?1 AND k.at_ms < ?2 ORDER BY k.at_ms, k.id"
        ))?;
        let rows = stmt.query_map(params![from_ms, to_ms], |r| {
            Ok((
                r.get::<_, String>(0)?,
                SickEntry {
                    at_ms: r.get(1)?,
                    symptoms: r.get(2)?,
                    temperature: r.get(3)?,
                    medicine: r.get(4)?,
                    water: r.get(5)?,
                    clinic: r.get::<_, i64>(6)? != 0,
                    guardian_told: r.get::<_, i64>(7)? != 0,
                    closed_ms: r.get(8)?,
                    by: r.get(9)?,
                    boarder: read_boarder(r, 10)?,
                    notes: vec![],
                },
            ))
        })?;
        let entries: Vec<(String, SickEntry)> = rows.collect::<Result<_, _>>()?;
        let mut notes = self.conn.prepare_cached(
            "SELECT at_ms, note, temperature, by FROM sick_notes WHERE sick_id = ?1 ORDER BY at_ms, event_id",
        )?;
        let mut out = Vec::with_capacity(entries.len());
        for (id, mut e) in entries {
            e.by = self.operator_name(&e.by);
            for n in notes.query_map([&id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?))
            })? {
                let (at, note, temp, by) = n?;
                e.notes.push((at, note, temp, self.operator_name(&by)));
            }
            out.push(e);
        }
        Ok(out)
    }

    /// Leave starting in `[from_ms, to_ms)`, in order of its start.
    pub fn leaves_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<LeaveEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT l.from_ms, l.due_ms, l.reason, l.approved_by, l.destination, l.returned_ms,
                    l.by, {BOARDER_COLS}
             FROM leaves l LEFT JOIN students s ON s.id = l.student_id
             WHERE l.from_ms >= ?1 AND l.from_ms < ?2 ORDER BY l.from_ms, l.id"
        ))?;
        let rows = stmt.query_map(params![from_ms, to_ms], |r| {
            Ok(LeaveEntry {
                from_ms: r.get(0)?,
                due_ms: r.get(1)?,
                reason: r.get(2)?,
                approved_by: r.get(3)?,
                destination: r.get(4)?,
                returned_ms: r.get(5)?,
                by: r.get(6)?,
                boarder: read_boarder(r, 7)?,
            })
        })?;
        let mut v: Vec<LeaveEntry> = rows.collect::<Result<_, _>>()?;
        for e in &mut v {
            e.by = self.operator_name(&e.by);
        }
        Ok(v)
    }

    /// Departures through the gate in `[from_ms, to_ms)`, oldest first.
    pub fn departures_between(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<GateEntry>, StoreError> {
        let mut out = vec![];
        self.each_departure_between(from_ms, to_ms, &mut |e| {
            out.push(e);
            Ok(())
        })?;
        Ok(out)
    }

    /// Departures through the gate in `from_ms..to_ms` and how many of
    /// them were with someone off the pick-up list, and not back yet.
    pub fn departure_counts(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<(usize, usize, usize), StoreError> {
        let (n, unlisted, away): (i64, i64, i64) = self.conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(authorised = 0), 0), COALESCE(SUM(returned_ms IS NULL), 0)
             FROM departures WHERE at_ms >= ?1 AND at_ms < ?2",
            params![from_ms, to_ms],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let size = |v: i64| usize::try_from(v).unwrap_or(0);
        Ok((size(n), size(unlisted), size(away)))
    }

    /// [`Store::departures_between`] one at a time: a year of weekends
    /// (over a hundred thousand departures) is never held in memory.
    pub fn each_departure_between(
        &self,
        from_ms: i64,
        to_ms: i64,
        f: &mut dyn FnMut(GateEntry) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT d.at_ms, d.with_name, d.relation, d.phone, d.authorised, d.approved_by,
                    d.due_ms, d.note, d.returned_ms, d.by, {BOARDER_COLS}
             FROM departures d LEFT JOIN students s ON s.id = d.student_id
             WHERE d.at_ms >= ?1 AND d.at_ms < ?2 ORDER BY d.at_ms, d.id"
        ))?;
        let rows = stmt.query_map(params![from_ms, to_ms], |r| {
            Ok(GateEntry {
                at_ms: r.get(0)?,
                with_name: r.get(1)?,
                relation: r.get(2)?,
                phone: r.get(3)?,
                authorised: r.get::<_, i64>(4)? != 0,
                approved_by: r.get(5)?,
                due_ms: r.get(6)?,
                note: r.get(7)?,
                returned_ms: r.get(8)?,
                by: r.get(9)?,
                boarder: read_boarder(r, 10)?,
            })
        })?;
        for e in rows {
            let mut e = e?;
            e.by = self.operator_name(&e.by);
            if let Some(a) = &mut e.approved_by {
                *a = self.operator_name(a);
            }
            f(e)?;
        }
        Ok(())
    }

    /// Absence follow-ups for rounds of the nights between the two
    /// (inclusive), by night, building and time recorded.
    pub fn followups_between(
        &self,
        from_night: &str,
        to_night: &str,
    ) -> Result<Vec<FollowupEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT r.night, r.building, r.kind, f.contacted, f.contact_name, f.finding,
                    f.found_at, f.at_ms, f.by, f.found_where, {BOARDER_COLS}
             FROM followups f JOIN rounds r ON r.id = f.round_id
             LEFT JOIN students s ON s.id = f.student_id
             WHERE r.night >= ?1 AND r.night <= ?2
             ORDER BY r.night, r.building, f.at_ms, f.id"
        ))?;
        let rows = stmt.query_map(params![from_night, to_night], |r| {
            Ok(FollowupEntry {
                night: r.get(0)?,
                building: r.get(1)?,
                kind: RoundKind::parse(&r.get::<_, String>(2)?).unwrap_or(RoundKind::BedCheck),
                contacted: r.get(3)?,
                contact_name: r.get(4)?,
                finding: r.get(5)?,
                found_at: r.get(6)?,
                at_ms: r.get(7)?,
                by: r.get(8)?,
                found_where: r
                    .get::<_, Option<String>>(9)?
                    .as_deref()
                    .and_then(crate::domain::rollcall::FoundWhere::parse),
                boarder: read_boarder(r, 10)?,
            })
        })?;
        let mut v: Vec<FollowupEntry> = rows.collect::<Result<_, _>>()?;
        for e in &mut v {
            e.by = self.operator_name(&e.by);
        }
        Ok(v)
    }
}
