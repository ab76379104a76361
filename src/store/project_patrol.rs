//! Patrol projections: checkpoints, routes (with the person named per
//! night), and rounds with their check-ins — each recomputed from its own
//! events in log order.

use super::StoreError;
use super::log::EventRecord;
use super::project::exec;
use crate::domain::event::Event;
use crate::domain::patrol::Outcome;
use rusqlite::{Connection, params};

pub fn checkpoint(
    conn: &Connection,
    id: &str,
    events: &[(EventRecord, Event)],
) -> Result<(), StoreError> {
    exec(conn, "DELETE FROM checkpoints WHERE id = ?1", [id])?;
    // The whole record each time: the latest in log order stands.
    if let Some((r, b)) = events.iter().rev().find_map(|(r, e)| match e {
        Event::CheckpointSet(b) => Some((r, b)),
        _ => None,
    }) {
        exec(
            conn,
            "INSERT INTO checkpoints (id, name, place, code, checklist, active, at_ms, by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id,
                b.data.name,
                b.data.place,
                b.data.code,
                serde_json::to_string(&b.data.checklist).unwrap_or_default(),
                b.data.active,
                r.hlc.ms,
                r.actor
            ],
        )?;
    }
    Ok(())
}

pub fn route(
    conn: &Connection,
    id: &str,
    events: &[(EventRecord, Event)],
) -> Result<(), StoreError> {
    exec(conn, "DELETE FROM routes WHERE id = ?1", [id])?;
    exec(
        conn,
        "DELETE FROM route_assignments WHERE route_id = ?1",
        [id],
    )?;
    if let Some((r, b)) = events.iter().rev().find_map(|(r, e)| match e {
        Event::RouteSet(b) => Some((r, b)),
        _ => None,
    }) {
        exec(
            conn,
            "INSERT INTO routes (id, name, data, active, at_ms, by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id,
                b.data.name,
                serde_json::to_string(&b.data).unwrap_or_default(),
                b.data.active,
                r.hlc.ms,
                r.actor
            ],
        )?;
    }
    // A night named again (a change of person) takes the latest naming.
    for (r, e) in events {
        if let Event::RouteAssigned(b) = e {
            exec(
                conn,
                "INSERT OR REPLACE INTO route_assignments (route_id, night, person, at_ms, by) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, b.night, b.person, r.hlc.ms, r.actor],
            )?;
        }
    }
    Ok(())
}

pub fn round(
    conn: &Connection,
    id: &str,
    events: &[(EventRecord, Event)],
    fresh: bool,
) -> Result<(), StoreError> {
    if !fresh {
        exec(conn, "DELETE FROM patrol_rounds WHERE id = ?1", [id])?;
        exec(conn, "DELETE FROM patrol_checks WHERE round_id = ?1", [id])?;
    }
    let Some((srec, s)) = events.iter().find_map(|(r, e)| match e {
        Event::PatrolStarted(b) => Some((r, b)),
        _ => None,
    }) else {
        return Ok(());
    };
    // The earliest close stands, whatever the order of arrival.
    let close = events.iter().find_map(|(r, e)| match e {
        Event::PatrolClosed(b) => Some((r, b)),
        _ => None,
    });
    exec(
        conn,
        "INSERT INTO patrol_rounds (id, route_id, night, slot_ms, started_ms, started_by, end_ms, checkpoints, ordered, min_walk_min, closed_ms, closed_by, missed, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            id,
            s.route_id,
            s.night,
            s.slot_ms,
            srec.hlc.ms,
            srec.actor,
            s.end_ms,
            serde_json::to_string(&s.checkpoints).unwrap_or_default(),
            s.ordered,
            s.min_walk_min,
            close.map(|(r, _)| r.hlc.ms),
            close.map(|(r, _)| r.actor.clone()),
            close.map(|(_, c)| serde_json::to_string(&c.missed).unwrap_or_default()),
            close.and_then(|(_, c)| c.reason.clone()),
        ],
    )?;
    for (r, e) in events {
        if let Event::PatrolChecked(c) = e {
            let (failed, note) = match &c.outcome {
                Outcome::Ok => (Vec::new(), String::new()),
                Outcome::Finding { failed, note } => (failed.clone(), note.clone()),
            };
            exec(
                conn,
                "INSERT OR REPLACE INTO patrol_checks (id, round_id, checkpoint_id, outcome, failed, note, at_ms, entered_ms, method, by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    c.check_id,
                    id,
                    c.checkpoint_id,
                    c.outcome.key(),
                    serde_json::to_string(&failed).unwrap_or_default(),
                    note,
                    c.at_ms,
                    c.entered_ms,
                    c.method.key(),
                    r.actor
                ],
            )?;
        }
    }
    Ok(())
}
