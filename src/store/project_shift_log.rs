//! The shift log's projection: one row per entry, folded from its events
//! by the rules the commands check (`domain::shift_log::fold`). Two
//! stations closing one entry with different outcomes are listed for review.

use super::StoreError;
use super::log::EventRecord;
use super::project::{add_conflict, clear_conflicts, exec, resolutions};
use crate::domain::event::Event;
use crate::domain::names::search_blob;
use crate::domain::shift_log::{LogEntry, LogIn, fold};
use rusqlite::{Connection, params};

pub fn entry(
    conn: &Connection,
    id: &str,
    events: &[(EventRecord, Event)],
    fresh: bool,
) -> Result<(), StoreError> {
    let entity = format!("shiftlog:{id}");
    if !fresh {
        exec(conn, "DELETE FROM shift_log WHERE id = ?1", [id])?;
        clear_conflicts(conn, &entity)?;
    }
    let chosen = resolutions(conn, &entity)?;
    let ins: Vec<LogIn> = events
        .iter()
        .map(|(r, e)| LogIn {
            id: &r.id,
            origin: &r.origin,
            actor: &r.actor,
            at_ms: r.hlc.ms,
            ev: e,
        })
        .collect();
    let Some((v, contested)) = fold(&ins, &chosen) else {
        return Ok(());
    };
    if let Some(c) = contested {
        let recs: Vec<&EventRecord> = events
            .iter()
            .map(|(r, _)| r)
            .filter(|r| c.events.contains(&r.id))
            .collect();
        add_conflict(conn, &c.key, "shiftlog", &entity, &recs, &c.applied)?;
    }
    insert(conn, &v)
}

/// What the search box matches: the name it was reported to with its
/// pinyin and initials, and the texts as typed.
pub fn log_search(v: &LogEntry) -> String {
    format!(
        "{} {} {} {}",
        search_blob(&v.fields.reported_to),
        v.fields.what.to_lowercase(),
        v.fields.action_taken.to_lowercase(),
        v.outcome.as_deref().unwrap_or("").to_lowercase()
    )
}

fn insert(conn: &Connection, v: &LogEntry) -> Result<(), StoreError> {
    exec(
        conn,
        "INSERT INTO shift_log (id, origin, station_id, shift_date, shift_key, at_ms, category, what,
            action_taken, reported_to, needs_followup, state, outcome, written_by, written_ms, closed_by,
            closed_ms, corrections, search)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
        params![
            v.entry_id,
            v.origin,
            v.shift.station_id,
            v.shift.date,
            v.shift.shift,
            v.fields.at_ms,
            v.fields.category.key(),
            v.fields.what,
            v.fields.action_taken,
            v.fields.reported_to,
            v.fields.needs_followup,
            v.state.key(),
            v.outcome,
            v.written_by,
            v.written_ms,
            v.closed_by,
            v.closed_ms,
            v.corrections,
            log_search(v),
        ],
    )?;
    Ok(())
}
