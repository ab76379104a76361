//! Roll-call rounds, marks, follow-ups, the sick log, leave and the gate:
//! commands and the queries the roll-call pane pages through.

use super::{Store, StoreError};
use crate::domain::boarding;
use crate::domain::error::DomainError;
use crate::domain::event::{
    AbsenceFollowup, Event, GateDeparted, GateReturned, LeaveGranted, LeaveReturned, RoundClosed,
    RoundMarked, RoundStarted, SickFollowup, SickRecorded,
};
use crate::domain::fact::Fact;
use crate::domain::role::{Actor, Permission, require};
use crate::domain::rollcall::{self, Mark, RoundKind, Standing};
use crate::domain::roster::{BedRef, Student, StudentData, Zone};
use crate::domain::time;
use crate::domain::validate::{FieldError, normalize_input};
use rusqlite::{OptionalExtension, params};

#[derive(Debug, Clone, PartialEq)]
pub struct RoundRow {
    pub id: String,
    pub kind: RoundKind,
    pub building: String,
    pub night: String,
    pub started_ms: i64,
    pub started_by: String,
    pub closed_ms: Option<i64>,
    pub forced_reason: Option<String>,
}

/// One line of the roll: a boarder, their bed and tonight's mark.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    pub student: Student,
    pub mark: Option<Mark>,
    pub late_at: Option<i64>,
    pub note: String,
    /// What the system noted with the mark; shown translated, before `note`.
    pub fact: Option<Fact>,
    /// Times the mark was changed after it was first set.
    pub changes: i64,
    /// An absence follow-up found the student.
    pub found: bool,
    pub followups: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BedCell {
    pub bed: BedRef,
    pub zone: Zone,
    pub student: Option<(String, String)>,
    pub mark: Option<Mark>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MarkChange {
    pub at_ms: i64,
    pub by: String,
    /// Who the mark was for (one, or a room or floor at once).
    pub students: Vec<String>,
    pub mark: Mark,
    pub late_at: Option<i64>,
    pub note: String,
    pub fact: Option<Fact>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FollowupRow {
    pub at_ms: i64,
    pub by: String,
    pub contacted: String,
    pub contact_name: String,
    pub finding: String,
    pub found_at: Option<i64>,
}

/// An absence nobody has resolved yet (for alerts and the handover).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAbsence {
    pub round_id: String,
    pub night: String,
    pub building: String,
    pub student_id: String,
    pub name: String,
    pub class: String,
    pub followups: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SickRow {
    pub id: String,
    pub student_id: String,
    pub name: String,
    pub symptoms: String,
    pub temperature: Option<String>,
    pub medicine: String,
    pub water: String,
    pub clinic: bool,
    pub guardian_told: bool,
    pub at_ms: i64,
    pub closed_ms: Option<i64>,
    pub notes: Vec<(i64, String, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LeaveRow {
    pub id: String,
    pub student_id: String,
    pub name: String,
    pub class: String,
    pub from_ms: i64,
    pub due_ms: i64,
    pub reason: String,
    pub approved_by: String,
    pub destination: String,
    pub returned_ms: Option<i64>,
    /// A gate departure (离校) rather than an approved leave.
    pub gate: bool,
}

impl LeaveRow {
    pub fn overdue(&self, now_ms: i64) -> bool {
        self.returned_ms.is_none() && now_ms > self.due_ms
    }
}

pub const STUDENT_COLS: &str = "id, data, building, floor, room, bed";

pub fn read_student(r: &rusqlite::Row) -> rusqlite::Result<Student> {
    let data: String = r.get(1)?;
    let building: Option<String> = r.get(2)?;
    let floor: Option<i32> = r.get(3)?;
    let room: Option<String> = r.get(4)?;
    let bed: Option<String> = r.get(5)?;
    Ok(Student {
        id: r.get(0)?,
        data: serde_json::from_str::<StudentData>(&data).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
        })?,
        bed: match (building, floor, room, bed) {
            (Some(building), Some(floor), Some(room), Some(bed)) => Some(BedRef {
                building,
                floor,
                room,
                bed,
            }),
            _ => None,
        },
    })
}

fn read_round(r: &rusqlite::Row) -> rusqlite::Result<RoundRow> {
    Ok(RoundRow {
        id: r.get(0)?,
        kind: RoundKind::parse(&r.get::<_, String>(1)?).unwrap_or(RoundKind::BedCheck),
        building: r.get(2)?,
        night: r.get(3)?,
        started_ms: r.get(4)?,
        started_by: r.get(5)?,
        closed_ms: r.get(6)?,
        forced_reason: r.get(7)?,
    })
}

const ROUND_COLS: &str =
    "id, kind, building, night, started_ms, started_by, closed_ms, forced_reason";

/// Beds sort as people read them: room 305 before 1204, bed 2 before 10.
fn bed_order(b: &Option<BedRef>) -> (String, i32, i64, String, i64, String) {
    match b {
        Some(b) => (
            b.building.clone(),
            b.floor,
            b.room.parse::<i64>().unwrap_or(i64::MAX),
            b.room.clone(),
            b.bed.parse::<i64>().unwrap_or(i64::MAX),
            b.bed.clone(),
        ),
        None => (
            String::new(),
            i32::MAX,
            i64::MAX,
            String::new(),
            i64::MAX,
            String::new(),
        ),
    }
}

impl Store {
    /// Buildings that have beds, in name order.
    pub fn buildings(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT building FROM beds UNION SELECT DISTINCT building FROM students WHERE active = 1 AND building IS NOT NULL ORDER BY 1",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Active boarders, in bed order; one building or all.
    pub fn students(&self, building: Option<&str>) -> Result<Vec<Student>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {STUDENT_COLS} FROM students WHERE active = 1 AND (?1 IS NULL OR building = ?1)"
        ))?;
        let rows = stmt.query_map([building], read_student)?;
        let mut v: Vec<Student> = rows.collect::<Result<_, _>>()?;
        v.sort_by_cached_key(|s| (bed_order(&s.bed), s.data.name.clone()));
        Ok(v)
    }

    pub fn student(&self, id: &str) -> Result<Option<Student>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {STUDENT_COLS} FROM students WHERE id = ?1"
            ))?
            .query_row([id], read_student)
            .optional()?)
    }

    /// Boarders whose name, pinyin, class, number or guardian match `q`.
    pub fn find_students(&self, q: &str, limit: usize) -> Result<Vec<Student>, StoreError> {
        let q = normalize_input(q).to_lowercase();
        if q.is_empty() {
            return Ok(vec![]);
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {STUDENT_COLS} FROM students WHERE active = 1 AND search LIKE ?1 ESCAPE '\\' ORDER BY name LIMIT ?2"
        ))?;
        let rows = stmt.query_map(
            params![super::visits::like_pattern(&q), limit as i64],
            read_student,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn round(&self, id: &str) -> Result<Option<RoundRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {ROUND_COLS} FROM rounds WHERE id = ?1"))?
            .query_row([id], read_round)
            .optional()?)
    }

    /// Tonight's rounds of a building, newest first.
    pub fn rounds_of_night(
        &self,
        night: &str,
        building: &str,
    ) -> Result<Vec<RoundRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ROUND_COLS} FROM rounds WHERE night = ?1 AND building = ?2 ORDER BY started_ms DESC, id DESC"
        ))?;
        let rows = stmt.query_map([night, building], read_round)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Rounds in a date range (inclusive), for reports.
    pub fn rounds_between(
        &self,
        from_night: &str,
        to_night: &str,
    ) -> Result<Vec<RoundRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ROUND_COLS} FROM rounds WHERE night >= ?1 AND night <= ?2 ORDER BY night, started_ms, id"
        ))?;
        let rows = stmt.query_map([from_night, to_night], read_round)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn open_round(&self, building: &str) -> Result<Option<RoundRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {ROUND_COLS} FROM rounds WHERE building = ?1 AND closed_ms IS NULL ORDER BY started_ms DESC LIMIT 1"
            ))?
            .query_row([building], read_round)
            .optional()?)
    }

    /// The roll of one round: every active boarder of the building with
    /// their mark (if any) and whether an absence has been resolved.
    pub fn round_sheet(&self, round_id: &str) -> Result<Vec<SheetRow>, StoreError> {
        let round = self.round(round_id)?.ok_or(DomainError::NotFound)?;
        let students = self.students(Some(&round.building))?;
        let mut marks = std::collections::HashMap::new();
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT m.student_id, m.mark, m.late_at, m.note, m.changes,
                        (SELECT COUNT(*) FROM followups f WHERE f.round_id = m.round_id AND f.student_id = m.student_id),
                        (SELECT COUNT(*) FROM followups f WHERE f.round_id = m.round_id AND f.student_id = m.student_id AND f.found_at IS NOT NULL),
                        m.fact
                 FROM marks m WHERE m.round_id = ?1",
            )?;
            let rows = stmt.query_map([round_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, i64>(6)?,
                    Fact::from_column(r.get::<_, Option<String>>(7)?.as_deref()),
                ))
            })?;
            for row in rows {
                let row = row?;
                marks.insert(row.0.clone(), row);
            }
        }
        Ok(students
            .into_iter()
            .map(|s| match marks.remove(&s.id) {
                Some((_, m, late, note, changes, fu, found, fact)) => SheetRow {
                    student: s,
                    mark: Mark::parse(&m),
                    late_at: late,
                    note,
                    fact,
                    changes,
                    found: found > 0,
                    followups: fu,
                },
                None => SheetRow {
                    student: s,
                    mark: None,
                    late_at: None,
                    note: String::new(),
                    fact: None,
                    changes: 0,
                    found: false,
                    followups: 0,
                },
            })
            .collect())
    }

    fn standings(&self, round_id: &str) -> Result<Vec<Standing>, StoreError> {
        Ok(self
            .round_sheet(round_id)?
            .into_iter()
            .map(|r| Standing {
                student_id: r.student.id,
                mark: r.mark,
                found: r.found,
            })
            .collect())
    }

    /// Every bed of a building with its boarder and mark in `round_id`.
    pub fn bed_map(
        &self,
        building: &str,
        round_id: Option<&str>,
    ) -> Result<Vec<BedCell>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT b.building, b.floor, b.room, b.bed, b.zone, s.id, s.name, m.mark
             FROM beds b
             LEFT JOIN students s ON s.active = 1 AND s.building = b.building AND s.floor = b.floor AND s.room = b.room AND s.bed = b.bed
             LEFT JOIN marks m ON m.round_id = ?2 AND m.student_id = s.id
             WHERE b.building = ?1",
        )?;
        let rows = stmt.query_map(params![building, round_id], |r| {
            let id: Option<String> = r.get(5)?;
            let name: Option<String> = r.get(6)?;
            let mark: Option<String> = r.get(7)?;
            Ok(BedCell {
                bed: BedRef {
                    building: r.get(0)?,
                    floor: r.get(1)?,
                    room: r.get(2)?,
                    bed: r.get(3)?,
                },
                zone: if r.get::<_, String>(4)? == "girls" {
                    Zone::Girls
                } else {
                    Zone::Boys
                },
                student: id.zip(name),
                mark: mark.as_deref().and_then(Mark::parse),
            })
        })?;
        let mut v: Vec<BedCell> = rows.collect::<Result<_, _>>()?;
        v.sort_by_cached_key(|c| bed_order(&Some(c.bed.clone())));
        Ok(v)
    }

    /// Every mark set in a round, in order, with who set it and for whom.
    pub fn mark_history(&self, round_id: &str) -> Result<Vec<MarkChange>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at_ms, by, student_ids, mark, late_at, note, fact FROM mark_history WHERE round_id = ?1 ORDER BY at_ms, event_id",
        )?;
        let rows = stmt.query_map([round_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, String>(5)?,
                Fact::from_column(r.get::<_, Option<String>>(6)?.as_deref()),
            ))
        })?;
        let mut name = self
            .conn
            .prepare_cached("SELECT name FROM students WHERE id = ?1")?;
        let mut out = vec![];
        for row in rows {
            let (at_ms, by, ids, mark, late_at, note, fact) = row?;
            let ids: Vec<String> = serde_json::from_str(&ids).unwrap_or_default();
            let students = ids
                .iter()
                .map(|id| {
                    name.query_row([id], |r| r.get::<_, String>(0))
                        .unwrap_or_else(|_| id.clone())
                })
                .collect();
            out.push(MarkChange {
                at_ms,
                by: self.operator_name(&by),
                students,
                mark: Mark::parse(&mark).unwrap_or(Mark::Present),
                late_at,
                note,
                fact,
            });
        }
        Ok(out)
    }

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

    /// Absences (in any round) whose student has not been found yet.
    pub fn open_absences(&self) -> Result<Vec<OpenAbsence>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.round_id, r.night, r.building, m.student_id, COALESCE(s.name, ''), COALESCE(s.class, ''),
                    (SELECT COUNT(*) FROM followups f WHERE f.round_id = m.round_id AND f.student_id = m.student_id)
             FROM marks m JOIN rounds r ON r.id = m.round_id LEFT JOIN students s ON s.id = m.student_id
             WHERE m.mark = 'absent' AND NOT EXISTS (
                 SELECT 1 FROM followups f WHERE f.round_id = m.round_id AND f.student_id = m.student_id AND f.found_at IS NOT NULL)
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

    /// Approved leave and gate departures not yet back, plus recent returns.
    pub fn leaves(&self, include_returned_since_ms: i64) -> Result<Vec<LeaveRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.id, l.student_id, COALESCE(s.name, ''), COALESCE(s.class, ''), l.from_ms, l.due_ms, l.reason, l.approved_by, l.destination, l.returned_ms, 0
             FROM leaves l LEFT JOIN students s ON s.id = l.student_id
             WHERE l.returned_ms IS NULL OR l.returned_ms >= ?1
             UNION ALL
             SELECT d.id, d.student_id, COALESCE(s.name, ''), COALESCE(s.class, ''), d.at_ms, d.due_ms,
                    d.relation, COALESCE(d.approved_by, ''), d.with_name, d.returned_ms, 1
             FROM departures d LEFT JOIN students s ON s.id = d.student_id
             WHERE d.returned_ms IS NULL OR d.returned_ms >= ?1
             ORDER BY 10 IS NOT NULL, 6",
        )?;
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

    /// Open sick records (and those closed since `since_ms`) with their notes.
    pub fn sick_log(&self, since_ms: i64) -> Result<Vec<SickRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT k.id, k.student_id, COALESCE(s.name, ''), k.symptoms, k.temperature, k.medicine, k.water, k.clinic, k.guardian_told, k.at_ms, k.closed_ms
             FROM sick k LEFT JOIN students s ON s.id = k.student_id
             WHERE k.closed_ms IS NULL OR k.closed_ms >= ?1 ORDER BY k.closed_ms IS NOT NULL, k.at_ms DESC",
        )?;
        let rows = stmt.query_map([since_ms], |r| {
            Ok(SickRow {
                id: r.get(0)?,
                student_id: r.get(1)?,
                name: r.get(2)?,
                symptoms: r.get(3)?,
                temperature: r.get(4)?,
                medicine: r.get(5)?,
                water: r.get(6)?,
                clinic: r.get(7)?,
                guardian_told: r.get(8)?,
                at_ms: r.get(9)?,
                closed_ms: r.get(10)?,
                notes: vec![],
            })
        })?;
        let mut v: Vec<SickRow> = rows.collect::<Result<_, _>>()?;
        let mut notes = self
            .conn
            .prepare_cached("SELECT at_ms, note, temperature FROM sick_notes WHERE sick_id = ?1 ORDER BY at_ms, event_id")?;
        for s in &mut v {
            s.notes = notes
                .query_map([&s.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?;
        }
        Ok(v)
    }

    /// Is the student out tonight (approved leave in force, or through the
    /// gate and not back)? Returns the fact the roll shows.
    fn away_fact(&self, student_id: &str, now_ms: i64) -> Result<Option<Fact>, StoreError> {
        let leave: Option<(String, String, i64)> = self
            .conn
            .query_row(
                "SELECT destination, approved_by, due_ms FROM leaves WHERE student_id = ?1 AND from_ms <= ?2 AND returned_ms IS NULL ORDER BY from_ms DESC LIMIT 1",
                params![student_id, now_ms],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((destination, approved_by, due_ms)) = leave {
            return Ok(Some(Fact::OnLeave {
                destination,
                approved_by,
                due_ms,
            }));
        }
        let gate: Option<(String, String, i64)> = self
            .conn
            .query_row(
                "SELECT with_name, relation, at_ms FROM departures WHERE student_id = ?1 AND returned_ms IS NULL ORDER BY at_ms DESC LIMIT 1",
                params![student_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        Ok(
            gate.map(|(with_name, relation, at_ms)| Fact::OutThroughGate {
                with_name,
                relation,
                at_ms,
            }),
        )
    }

    /// Starts a round for a building. Boarders on approved leave or out
    /// through the gate are marked on leave at once, with where and who.
    pub fn start_round(
        &mut self,
        actor: &Actor,
        kind: RoundKind,
        building: &str,
    ) -> Result<String, StoreError> {
        let a = actor.clone();
        let building = building.to_string();
        self.write(actor, |s| {
            rollcall::require_rollcall(&a)?;
            if s.open_round(&building)?.is_some() {
                return Err(DomainError::RoundOpen.into());
            }
            let now = s.now_ms();
            let night = rollcall::night_of(now, s.offset_min())
                .format("%Y-%m-%d")
                .to_string();
            let round_id = s.new_id();
            let mut events = vec![Event::RoundStarted(RoundStarted {
                round_id: round_id.clone(),
                kind,
                building: building.clone(),
                night,
            })];
            for st in s.students(Some(&building))? {
                if let Some(fact) = s.away_fact(&st.id, now)? {
                    events.push(Event::RoundMarked(RoundMarked {
                        round_id: round_id.clone(),
                        student_ids: vec![st.id],
                        mark: Mark::Leave,
                        late_at_ms: None,
                        note: String::new(),
                        fact: Some(fact),
                    }));
                }
            }
            Ok((events, round_id))
        })
    }

    fn open_round_checked(&self, round_id: &str) -> Result<RoundRow, StoreError> {
        self.round(round_id)?
            .ok_or_else(|| DomainError::NotFound.into())
    }

    pub fn mark(
        &mut self,
        actor: &Actor,
        round_id: &str,
        student_id: &str,
        mark: Mark,
        late_at_ms: Option<i64>,
        note: &str,
    ) -> Result<(), StoreError> {
        self.mark_many(
            actor,
            round_id,
            &[student_id.to_string()],
            mark,
            late_at_ms,
            note,
        )
    }

    /// The same mark for several boarders in one transaction ("everyone not
    /// yet marked in this room is present").
    pub fn mark_many(
        &mut self,
        actor: &Actor,
        round_id: &str,
        students: &[String],
        mark: Mark,
        late_at_ms: Option<i64>,
        note: &str,
    ) -> Result<(), StoreError> {
        let a = actor.clone();
        let note = normalize_input(note);
        self.write(actor, |s| {
            let r = s.open_round_checked(round_id)?;
            rollcall::decide_mark(&a, r.closed_ms.is_some(), mark, late_at_ms)?;
            if students.is_empty() {
                return Ok((vec![], ()));
            }
            Ok((
                vec![Event::RoundMarked(RoundMarked {
                    round_id: round_id.to_string(),
                    student_ids: students.to_vec(),
                    mark,
                    late_at_ms,
                    note: note.clone(),
                    fact: None,
                })],
                (),
            ))
        })
    }

    /// Closes a round; refused while anyone is unaccounted unless a duty
    /// leader forces it with a reason.
    pub fn close_round(
        &mut self,
        actor: &Actor,
        round_id: &str,
        force_reason: Option<&str>,
    ) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            let r = s.open_round_checked(round_id)?;
            let un = rollcall::unaccounted(&s.standings(round_id)?);
            let forced = rollcall::decide_close(&a, r.closed_ms.is_some(), &un, force_reason)?;
            let unaccounted = if forced.is_some() { un } else { vec![] };
            Ok((
                vec![Event::RoundClosed(RoundClosed {
                    round_id: round_id.to_string(),
                    forced_reason: forced,
                    unaccounted,
                })],
                (),
            ))
        })
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
                    found_at_ms,
                })],
                (),
            ))
        })
    }

    #[allow(clippy::too_many_arguments)]
    pub fn record_sick(
        &mut self,
        actor: &Actor,
        student_id: &str,
        symptoms: &str,
        temperature: &str,
        medicine: &str,
        water: &str,
        clinic: bool,
        guardian_told: bool,
    ) -> Result<String, StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            require(a.role, Permission::RunRollCall)?;
            s.student(student_id)?.ok_or(DomainError::NotFound)?;
            let mut errs = vec![];
            let symptoms = normalize_input(symptoms);
            if symptoms.is_empty() {
                errs.push(("symptoms", FieldError::Required));
            }
            let temperature = match boarding::check_temperature(temperature) {
                Ok(t) => t,
                Err(e) => {
                    errs.push(("temperature", e));
                    None
                }
            };
            if !errs.is_empty() {
                return Err(DomainError::Invalid(errs).into());
            }
            let id = s.new_id();
            Ok((
                vec![Event::SickRecorded(SickRecorded {
                    sick_id: id.clone(),
                    student_id: student_id.to_string(),
                    symptoms,
                    temperature,
                    medicine: normalize_input(medicine),
                    water: normalize_input(water),
                    clinic,
                    guardian_told,
                })],
                id,
            ))
        })
    }

    pub fn sick_followup(
        &mut self,
        actor: &Actor,
        sick_id: &str,
        note: &str,
        temperature: &str,
        closed: bool,
    ) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |_| {
            require(a.role, Permission::RunRollCall)?;
            let temperature = boarding::check_temperature(temperature)
                .map_err(|e| DomainError::Invalid(vec![("temperature", e)]))?;
            let note = normalize_input(note);
            if note.is_empty() && temperature.is_none() && !closed {
                return Err(DomainError::Invalid(vec![("note", FieldError::Required)]).into());
            }
            Ok((
                vec![Event::SickFollowup(SickFollowup {
                    sick_id: sick_id.to_string(),
                    note,
                    temperature,
                    closed,
                })],
                (),
            ))
        })
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

    /// Records a return, from leave or through the gate (返校).
    pub fn record_return(&mut self, actor: &Actor, id: &str, gate: bool) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            require(a.role, Permission::RegisterVisit)?;
            let now = s.now_ms();
            let (table, ev) = if gate {
                (
                    "departures",
                    Event::GateReturned(GateReturned {
                        departure_id: id.to_string(),
                        at_ms: now,
                    }),
                )
            } else {
                (
                    "leaves",
                    Event::LeaveReturned(LeaveReturned {
                        leave_id: id.to_string(),
                        at_ms: now,
                    }),
                )
            };
            let returned: Option<Option<i64>> = s
                .conn
                .query_row(
                    &format!("SELECT returned_ms FROM {table} WHERE id = ?1"),
                    [id],
                    |r| r.get(0),
                )
                .optional()?;
            match returned {
                None => Err(DomainError::NotFound.into()),
                Some(Some(_)) => Err(DomainError::AlreadySignedOut.into()),
                Some(None) => Ok((vec![ev], ())),
            }
        })
    }

    /// A boarder leaves through the gate (离校). Someone not on the pick-up
    /// list needs a duty leader's approval: `approver` is (operator id, PIN).
    #[allow(clippy::too_many_arguments)]
    pub fn gate_depart(
        &mut self,
        actor: &Actor,
        student_id: &str,
        with_name: &str,
        relation: &str,
        phone: &str,
        due_ms: Option<i64>,
        note: &str,
        approver: Option<(&str, &str)>,
    ) -> Result<String, StoreError> {
        let approver = match approver {
            Some((id, pin)) => Some(self.verify_pin(id, pin)?.actor()),
            None => None,
        };
        let a = actor.clone();
        self.write(actor, |s| {
            let st = s.student(student_id)?.ok_or(DomainError::NotFound)?;
            let phone_n = match normalize_input(phone) {
                p if p.is_empty() => None,
                p => Some(
                    crate::domain::validate::check_mobile(&p)
                        .map_err(|e| DomainError::Invalid(vec![("phone", e)]))?,
                ),
            };
            let on_list =
                boarding::authorised_pickup(&st.data.guardians, with_name, phone_n.as_deref());
            let approved_by =
                boarding::decide_departure(&a, on_list, approver.as_ref(), with_name)?;
            let id = s.new_id();
            // Without an agreed return, the boarder is due back by the
            // building's curfew (tonight's, or tomorrow's if already past).
            let due_ms = Some(due_ms.unwrap_or_else(|| {
                let now = s.now_ms();
                let curfew = s.curfew(st.bed.as_ref().map(|b| b.building.as_str()).unwrap_or(""));
                let at = time::today_at(now, s.offset_min(), curfew as u32);
                if at > now { at } else { at + 86_400_000 }
            }));
            Ok((
                vec![Event::GateDeparted(GateDeparted {
                    departure_id: id.clone(),
                    student_id: student_id.to_string(),
                    with_name: normalize_input(with_name),
                    relation: normalize_input(relation),
                    phone: phone_n,
                    authorised: on_list,
                    approved_by,
                    due_ms,
                    note: normalize_input(note),
                })],
                id,
            ))
        })
    }

    /// The curfew of a building (minutes after midnight): its own setting,
    /// else the station's.
    pub fn curfew(&self, building: &str) -> i64 {
        let own = crate::domain::settings::curfew_key(building);
        if self.has_setting(&own) {
            self.setting(&own)
        } else {
            self.setting(crate::domain::settings::CURFEW_MINUTES)
        }
    }

    /// Counts for the status bar: (absences nobody has resolved, leave
    /// overdue, boarders out through the gate and not back by their time).
    pub fn boarder_alerts(&self, now_ms: i64) -> Result<(i64, i64, i64), StoreError> {
        let absent = self.open_absences()?.len() as i64;
        let leaves = self.leaves(now_ms)?;
        let overdue = |gate: bool| {
            leaves
                .iter()
                .filter(|l| l.gate == gate && l.overdue(now_ms))
                .count() as i64
        };
        Ok((absent, overdue(false), overdue(true)))
    }
}

/// Where a bed shows up on the student (for lists).
pub fn bed_label(b: &Option<BedRef>) -> String {
    match b {
        Some(b) => format!("{}-{}", b.room, b.bed),
        None => "—".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beds_sort_numerically() {
        let b = |room: &str, bed: &str| {
            Some(BedRef {
                building: "1".into(),
                floor: 1,
                room: room.into(),
                bed: bed.into(),
            })
        };
        let mut v = [b("305", "10"), b("305", "2"), b("1204", "1"), b("99", "1")];
        v.sort_by_key(bed_order);
        let labels: Vec<_> = v.iter().map(bed_label).collect();
        assert_eq!(labels, vec!["99-1", "305-2", "305-10", "1204-1"]);
    }
}
