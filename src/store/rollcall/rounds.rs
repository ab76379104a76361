//! Rounds: finding them, the roll and bed map of one, its mark history,
//! starting one (boarders out tonight pre-marked) and closing it.

use super::rows::{BedCell, MarkChange, RoundRow, SheetRow};
use super::students::bed_order;
use crate::domain::error::DomainError;
use crate::domain::event::{Event, RoundClosed, RoundMarked, RoundStarted};
use crate::domain::fact::Fact;
use crate::domain::role::Actor;
use crate::domain::rollcall::{self, Mark, RoundKind, Standing};
use crate::domain::roster::{BedRef, Zone};
use crate::store::{Store, StoreError};
use rusqlite::{OptionalExtension, params};

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

impl Store {
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
        self.sheet_marks(round_id, None, |student, m| {
            marks.insert(student, m);
        })?;
        Ok(students
            .into_iter()
            .map(|s| {
                let mut row = SheetRow::unmarked(s);
                if let Some(m) = marks.remove(&row.student.id) {
                    m.apply(&mut row);
                }
                row
            })
            .collect())
    }

    /// Re-reads one line of the roll after a mark at this desk: the rest
    /// of the round cannot have changed, so a mark on the 500th boarder
    /// reads one row, not the building.
    pub fn refresh_sheet_row(&self, round_id: &str, row: &mut SheetRow) -> Result<(), StoreError> {
        let mut found = None;
        self.sheet_marks(round_id, Some(&row.student.id), |_, m| found = Some(m))?;
        let student = row.student.clone();
        *row = SheetRow::unmarked(student);
        if let Some(m) = found {
            m.apply(row);
        }
        Ok(())
    }

    /// The round's marks (one boarder's, or all), each with its follow-up
    /// counts, handed to `each` by boarder id.
    fn sheet_marks(
        &self,
        round_id: &str,
        student: Option<&str>,
        mut each: impl FnMut(String, MarkCols),
    ) -> Result<(), StoreError> {
        const SQL: &str = "SELECT m.student_id, m.mark, m.late_at, m.note, m.changes,
                    (SELECT COUNT(*) FROM followups f WHERE f.round_id = m.round_id AND f.student_id = m.student_id),
                    (SELECT COUNT(*) FROM followups f WHERE f.round_id = m.round_id AND f.student_id = m.student_id AND f.found_at IS NOT NULL),
                    m.fact
             FROM marks m WHERE m.round_id = ?1";
        let mut stmt = match student {
            Some(_) => self
                .conn
                .prepare_cached(&format!("{SQL} AND m.student_id = ?2"))?,
            None => self.conn.prepare_cached(SQL)?,
        };
        let read = |r: &rusqlite::Row| {
            Ok((
                r.get::<_, String>(0)?,
                MarkCols {
                    mark: Mark::parse(&r.get::<_, String>(1)?),
                    late_at: r.get(2)?,
                    note: r.get(3)?,
                    changes: r.get(4)?,
                    followups: r.get(5)?,
                    found: r.get::<_, i64>(6)? > 0,
                    fact: Fact::from_column(r.get::<_, Option<String>>(7)?.as_deref()),
                },
            ))
        };
        let rows = match student {
            Some(s) => stmt.query_map(params![round_id, s], read)?,
            None => stmt.query_map(params![round_id], read)?,
        };
        for row in rows {
            let (id, m) = row?;
            each(id, m);
        }
        Ok(())
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
        // The round's marks are read once, as its one row, and looked up
        // per bed: joined to the `marks` view, every bed would unfold the
        // whole round again.
        let sheet = match round_id {
            Some(r) => crate::store::round_marks::read(&self.conn, r)?,
            None => Default::default(),
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT b.building, b.floor, b.room, b.bed, b.zone, s.id, s.name
             FROM beds b
             LEFT JOIN students s ON s.active = 1 AND s.building = b.building AND s.floor = b.floor AND s.room = b.room AND s.bed = b.bed
             WHERE b.building = ?1",
        )?;
        let rows = stmt.query_map(params![building], |r| {
            let id: Option<String> = r.get(5)?;
            let name: Option<String> = r.get(6)?;
            let mark = id.as_ref().and_then(|id| sheet.get(id)).map(|e| e.mark());
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
                mark: mark.and_then(Mark::parse),
            })
        })?;
        let mut v: Vec<BedCell> = rows.collect::<Result<_, _>>()?;
        v.sort_by_cached_key(|c| bed_order(&Some(c.bed.clone())));
        Ok(v)
    }

    /// Every mark set in a round, in log order, with who set it and for
    /// whom: the round's own `round.marked` events, read from the log.
    pub fn mark_history(&self, round_id: &str) -> Result<Vec<MarkChange>, StoreError> {
        let events =
            crate::store::project::entity_events(&self.conn, &format!("round:{round_id}"))?;
        let mut name = self
            .conn
            .prepare_cached("SELECT name FROM students WHERE id = ?1")?;
        let mut out = vec![];
        for (r, e) in events {
            let Event::RoundMarked(m) = e else { continue };
            let students = m
                .student_ids
                .iter()
                .map(|id| {
                    name.query_row([id], |r| r.get::<_, String>(0))
                        .unwrap_or_else(|_| id.clone())
                })
                .collect();
            out.push(MarkChange {
                at_ms: r.hlc.ms,
                by: self.operator_name(&r.actor),
                students,
                mark: m.mark,
                late_at: m.late_at_ms,
                note: m.note,
                fact: m.fact,
            });
        }
        Ok(out)
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

    pub(super) fn open_round_checked(&self, round_id: &str) -> Result<RoundRow, StoreError> {
        self.round(round_id)?
            .ok_or_else(|| DomainError::NotFound.into())
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
}

/// A boarder's mark in a round, as the roll shows it.
struct MarkCols {
    mark: Option<Mark>,
    late_at: Option<i64>,
    note: String,
    changes: i64,
    followups: i64,
    found: bool,
    fact: Option<Fact>,
}

impl MarkCols {
    fn apply(self, row: &mut SheetRow) {
        row.mark = self.mark;
        row.late_at = self.late_at;
        row.note = self.note;
        row.fact = self.fact;
        row.changes = self.changes;
        row.found = self.found;
        row.followups = self.followups;
    }
}

impl SheetRow {
    fn unmarked(student: crate::domain::roster::Student) -> SheetRow {
        SheetRow {
            student,
            mark: None,
            late_at: None,
            note: String::new(),
            fact: None,
            changes: 0,
            found: false,
            followups: 0,
        }
    }
}
