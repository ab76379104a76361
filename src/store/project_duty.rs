//! Projections of the duty roster: roster lines, shift times, sign-ons.
//! Each is recomputed from all of its record's events in log order, so the
//! latest line stands on every station whatever the order of arrival.

use super::StoreError;
use super::log::EventRecord;
use super::project::exec;
use crate::domain::event::Event;
use rusqlite::{Connection, params};

/// One roster line (`duty:<station|date|shift>`): the latest event stands;
/// a removal leaves no row.
pub fn plan(
    conn: &Connection,
    key: &str,
    events: &[(EventRecord, Event)],
) -> Result<(), StoreError> {
    exec(conn, "DELETE FROM duty_plans WHERE key = ?1", [key])?;
    let last = events.iter().rev().find_map(|(r, e)| match e {
        Event::DutyPlanned(b) => Some((r, b)),
        _ => None,
    });
    let Some((rec, b)) = last else {
        return Ok(());
    };
    if b.removed {
        return Ok(());
    }
    let s = &b.plan.shift;
    exec(
        conn,
        "INSERT INTO duty_plans (key, station_id, date, shift, plan, at_ms, by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            key,
            s.station_id,
            s.date,
            s.shift,
            serde_json::to_string(&b.plan).unwrap_or_default(),
            rec.hlc.ms,
            rec.actor
        ],
    )?;
    Ok(())
}

/// A station's shift times (`dutyshifts:<station>`): the latest stands.
pub fn shifts(
    conn: &Connection,
    station: &str,
    events: &[(EventRecord, Event)],
) -> Result<(), StoreError> {
    exec(
        conn,
        "DELETE FROM duty_shifts WHERE station_id = ?1",
        [station],
    )?;
    if let Some((rec, b)) = events.iter().rev().find_map(|(r, e)| match e {
        Event::DutyShiftsSet(b) => Some((r, b)),
        _ => None,
    }) {
        exec(
            conn,
            "INSERT INTO duty_shifts (station_id, shifts, grace_min, at_ms, by) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                station,
                serde_json::to_string(&b.shifts).unwrap_or_default(),
                b.grace_min,
                rec.hlc.ms,
                rec.actor
            ],
        )?;
    }
    Ok(())
}

/// An operator's sign-ons: every login, at the station that wrote it
/// (the event's origin) and when. A shift's arrival is the first of them
/// in its window. An operator's logins only ever grow (events are never
/// removed; a rebuild empties the table first), so rows are only added.
pub fn signons(
    conn: &Connection,
    operator: &str,
    events: &[(EventRecord, Event)],
) -> Result<(), StoreError> {
    for (rec, e) in events {
        if let Event::OperatorLoggedIn(_) = e {
            exec(
                conn,
                "INSERT OR IGNORE INTO signons (station_id, at_ms, operator_id, event_id) VALUES (?1, ?2, ?3, ?4)",
                params![rec.origin, rec.hlc.ms, operator, rec.id],
            )?;
        }
    }
    Ok(())
}
