//! Patrol projections: checkpoints, routes (with the person named per
//! night), and rounds with their check-ins — each recomputed from its own
//! events in log order. A round closed differently at two stations, or one
//! checkpoint checked OK at one and a finding at another, is listed for a
//! duty leader's review; the decision makes the chosen event stand.

use super::StoreError;
use super::log::EventRecord;
use super::project::{add_conflict, clear_conflicts, exec, resolutions};
use crate::domain::event::{Event, PatrolChecked, PatrolClosed};
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
    let entity = format!("patrol:{id}");
    if !fresh {
        exec(conn, "DELETE FROM patrol_rounds WHERE id = ?1", [id])?;
        exec(conn, "DELETE FROM patrol_checks WHERE round_id = ?1", [id])?;
        clear_conflicts(conn, &entity)?;
    }
    let Some((srec, s)) = events.iter().find_map(|(r, e)| match e {
        Event::PatrolStarted(b) => Some((r, b)),
        _ => None,
    }) else {
        return Ok(());
    };
    let mut chosen = resolutions(conn, &entity)?;
    // The earliest close stands, whatever the order of arrival, unless a
    // duty leader chose another.
    let closes: Vec<(&EventRecord, &PatrolClosed)> = events
        .iter()
        .filter_map(|(r, e)| match e {
            Event::PatrolClosed(b) => Some((r, b)),
            _ => None,
        })
        .collect();
    let key = format!("{entity}/close");
    let pick = chosen.remove(&key);
    let close = pick
        .as_deref()
        .and_then(|c| closes.iter().find(|(r, _)| r.id == c))
        .or(closes.first())
        .copied();
    let differ = |a: &(&EventRecord, &PatrolClosed), b: &(&EventRecord, &PatrolClosed)| {
        a.0.origin != b.0.origin && (a.1.missed != b.1.missed || a.1.reason != b.1.reason)
    };
    if closes.iter().any(|a| closes.iter().any(|b| differ(a, b))) {
        let recs: Vec<&EventRecord> = closes.iter().map(|(r, _)| *r).collect();
        let shown = close.map(|(r, _)| r.id.as_str()).unwrap_or("");
        add_conflict(conn, &key, "patrol_close", &entity, &recs, shown)?;
    }
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
    let checks: Vec<(&EventRecord, &PatrolChecked)> = events
        .iter()
        .filter_map(|(r, e)| match e {
            Event::PatrolChecked(c) => Some((r, c)),
            _ => None,
        })
        .collect();
    // Per checkpoint: OK at one station and a finding at another is a
    // contradiction; once decided only the chosen check-in stands.
    let mut dropped: std::collections::HashSet<&str> = Default::default();
    let mut seen: std::collections::HashSet<&str> = Default::default();
    for (_, c) in &checks {
        let cp = c.checkpoint_id.as_str();
        if !seen.insert(cp) {
            continue;
        }
        let group: Vec<&(&EventRecord, &PatrolChecked)> = checks
            .iter()
            .filter(|(_, k)| k.checkpoint_id == cp)
            .collect();
        let disagree = group.iter().any(|a| {
            group
                .iter()
                .any(|b| a.0.origin != b.0.origin && a.1.outcome.key() != b.1.outcome.key())
        });
        if !disagree {
            continue;
        }
        let key = format!("{entity}/{cp}");
        let pick = chosen
            .remove(&key)
            .filter(|c| group.iter().any(|(r, _)| &r.id == c));
        if let Some(c) = &pick {
            dropped.extend(
                group
                    .iter()
                    .filter(|(r, _)| &r.id != c)
                    .map(|(r, _)| r.id.as_str()),
            );
        }
        let recs: Vec<&EventRecord> = group.iter().map(|(r, _)| *r).collect();
        let shown = pick.unwrap_or_else(|| recs[recs.len() - 1].id.clone());
        add_conflict(conn, &key, "patrol_check", &entity, &recs, &shown)?;
    }
    for (r, c) in checks {
        if dropped.contains(r.id.as_str()) {
            continue;
        }
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
    Ok(())
}
