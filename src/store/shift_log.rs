//! Shift-log commands and queries. Every command goes through
//! `Store::write` with the domain's `decide_*` rule, read from the same
//! projection the screens show. Open follow-ups are read through a partial
//! index over open entries, so they carry forward at no cost in history.

use super::log::EventRecord;
use super::{Store, StoreError};
use crate::domain::error::DomainError;
use crate::domain::event::Event;
use crate::domain::role::Actor;
use crate::domain::shift::{ShiftId, shift_at};
use crate::domain::shift_log::{self, Category, FollowUp, LogDraft, LogEntry, LogFields};
use rusqlite::{OptionalExtension, Row, params};

const COLS: &str = "id, origin, station_id, shift_date, shift_key, at_ms, category, what,
    action_taken, reported_to, needs_followup, state, outcome, written_by, written_ms, closed_by,
    closed_ms, corrections";

fn read(r: &Row) -> rusqlite::Result<LogEntry> {
    Ok(LogEntry {
        entry_id: r.get(0)?,
        origin: r.get(1)?,
        shift: ShiftId {
            station_id: r.get(2)?,
            date: r.get(3)?,
            shift: r.get(4)?,
        },
        fields: LogFields {
            at_ms: r.get(5)?,
            category: Category::parse(&r.get::<_, String>(6)?).unwrap_or(Category::Other),
            what: r.get(7)?,
            action_taken: r.get(8)?,
            reported_to: r.get(9)?,
            needs_followup: r.get(10)?,
        },
        state: FollowUp::parse(&r.get::<_, String>(11)?),
        outcome: r.get(12)?,
        written_by: r.get(13)?,
        written_ms: r.get(14)?,
        closed_by: r.get(15)?,
        closed_ms: r.get(16)?,
        corrections: r.get(17)?,
    })
}

/// `'%q%'` with LIKE's wildcards taken literally.
fn like(q: &str) -> String {
    let q = q
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{q}%")
}

/// Counts the daily report takes from the shift log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogCounts {
    pub entries: usize,
    pub incidents: usize,
    /// Written in the span and still open now.
    pub open: usize,
}

impl Store {
    /// The shift running at `at_ms` at this station (a gap between shifts
    /// counts as the shift before it, so an entry always has one).
    pub fn log_shift_at(&self, at_ms: i64) -> Result<ShiftId, StoreError> {
        let station = self.require_station()?.id.clone();
        let defs = self.shift_defs(&station)?;
        let off = self.offset_min();
        if let Some((date, d)) = shift_at(&defs, at_ms, off) {
            return Ok(ShiftId::new(&station, date, &d.key));
        }
        let mut t = at_ms;
        for _ in 0..48 {
            t -= 1_800_000;
            if let Some((date, d)) = shift_at(&defs, t, off) {
                return Ok(ShiftId::new(&station, date, &d.key));
            }
        }
        let date = crate::domain::time::local(at_ms, off).date_naive();
        Ok(ShiftId::new(&station, date, "day"))
    }

    /// Writes an entry into the shift running now at this station.
    pub fn log_entry(&mut self, actor: &Actor, draft: &LogDraft) -> Result<String, StoreError> {
        let now = self.now_ms();
        let shift = self.log_shift_at(now)?;
        let a = actor.clone();
        self.write(actor, |s| {
            let id = s.new_id();
            let e = shift_log::decide_enter(&a, id.clone(), shift, draft, now)?;
            Ok((vec![Event::ShiftLogEntered(e)], id))
        })
    }

    /// A correction of the whole record with its reason; `outcome` only
    /// for a closed entry.
    pub fn correct_log_entry(
        &mut self,
        actor: &Actor,
        id: &str,
        draft: &LogDraft,
        outcome: Option<&str>,
        reason: &str,
    ) -> Result<(), StoreError> {
        let a = actor.clone();
        let now = self.now_ms();
        self.write(actor, |s| {
            let v = s.log_entry_state(id)?;
            let e = shift_log::decide_correct(&a, &v, draft, outcome, reason, now)?;
            Ok((vec![Event::ShiftLogCorrected(e)], ()))
        })
    }

    pub fn close_log_entry(
        &mut self,
        actor: &Actor,
        id: &str,
        outcome: &str,
    ) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            let v = s.log_entry_state(id)?;
            let e = shift_log::decide_close(&a, &v, outcome)?;
            Ok((vec![Event::ShiftLogClosed(e)], ()))
        })
    }

    fn log_entry_state(&self, id: &str) -> Result<LogEntry, StoreError> {
        Ok(self.log_entry_by_id(id)?.ok_or(DomainError::NotFound)?)
    }

    pub fn log_entry_by_id(&self, id: &str) -> Result<Option<LogEntry>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {COLS} FROM shift_log WHERE id = ?1"))?
            .query_row([id], read)
            .optional()?)
    }

    /// Every event of one entry, in log order (its history).
    pub fn log_entry_history(&self, id: &str) -> Result<Vec<(EventRecord, Event)>, StoreError> {
        super::project::entity_events(&self.conn, &format!("shiftlog:{id}"))
    }

    /// The entries written in one shift, in the order they happened.
    pub fn shift_log(&self, shift: &ShiftId) -> Result<Vec<LogEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLS} FROM shift_log
             WHERE station_id = ?1 AND shift_date = ?2 AND shift_key = ?3 ORDER BY at_ms, id"
        ))?;
        let rows = stmt.query_map(params![shift.station_id, shift.date, shift.shift], read)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every entry still open, whatever shift it was written in (all
    /// stations' with `None`): how open items carry forward, by reference.
    pub fn open_log_entries(&self, station_id: Option<&str>) -> Result<Vec<LogEntry>, StoreError> {
        self.open_where(station_id, None)
    }

    /// Instructions from above (上级指示) still in force: open ones.
    pub fn open_instructions(&self, station_id: Option<&str>) -> Result<Vec<LogEntry>, StoreError> {
        self.open_where(station_id, Some(Category::Instruction))
    }

    fn open_where(
        &self,
        station_id: Option<&str>,
        category: Option<Category>,
    ) -> Result<Vec<LogEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLS} FROM shift_log INDEXED BY shift_log_open
             WHERE state = 'open' AND (?1 IS NULL OR station_id = ?1)
               AND (?2 IS NULL OR category = ?2)
             ORDER BY at_ms, id"
        ))?;
        let rows = stmt.query_map(params![station_id, category.map(|c| c.key())], read)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Entries that happened in `[from, to)`, every station's, in time
    /// order (the ledger).
    pub fn log_entries_between(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<LogEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLS} FROM shift_log WHERE at_ms >= ?1 AND at_ms < ?2 ORDER BY at_ms, id"
        ))?;
        let rows = stmt.query_map(params![from_ms, to_ms], read)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Entries whose texts or reported-to name (also by pinyin or its
    /// initials) contain `q`, newest first, at most `limit`.
    pub fn search_log_entries(
        &self,
        q: &str,
        open_only: bool,
        limit: usize,
    ) -> Result<Vec<LogEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLS} FROM shift_log
             WHERE search LIKE ?1 ESCAPE '\\' AND (?2 = 0 OR state = 'open')
             ORDER BY at_ms DESC, id LIMIT ?3"
        ))?;
        let rows = stmt.query_map(
            params![like(q.trim()), open_only, limit.max(1) as i64],
            read,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Per station: entries in `[from, to)`, incidents among them, and
    /// those still open — read through the time index.
    pub fn log_counts(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(String, LogCounts)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT station_id, COUNT(*), COALESCE(SUM(category = 'incident'), 0),
                    COALESCE(SUM(state = 'open'), 0)
             FROM shift_log INDEXED BY shift_log_at WHERE at_ms >= ?1 AND at_ms < ?2
             GROUP BY station_id ORDER BY station_id",
        )?;
        let size = |v: i64| usize::try_from(v).unwrap_or(0);
        let rows = stmt.query_map(params![from_ms, to_ms], |r| {
            Ok((
                r.get::<_, String>(0)?,
                LogCounts {
                    entries: size(r.get(1)?),
                    incidents: size(r.get(2)?),
                    open: size(r.get(3)?),
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
