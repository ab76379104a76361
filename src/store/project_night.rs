//! The night's projections — rounds with their marks, the sick log, leave
//! and gate departures — each recomputed from its own events. A round's
//! history of marks is not projected: it is the round's own events.

use super::StoreError;
use super::log::EventRecord;
use super::project::{add_conflict, clear_conflicts, exec, key_range, resolutions};
use super::round_marks::{self, Entry, Sheet};
use crate::domain::event::{Event, RoundMarked};
use rusqlite::{Connection, params};

pub fn round(
    conn: &Connection,
    id: &str,
    events: &[(EventRecord, Event)],
    fresh: bool,
) -> Result<(), StoreError> {
    let entity = format!("round:{id}");
    if !fresh {
        exec(conn, "DELETE FROM rounds WHERE id = ?1", [id])?;
        round_marks::delete(conn, id)?;
        // Open absences are absent marks' rows: they are opened again
        // below, where the marks still say so.
        exec(conn, "DELETE FROM absences_open WHERE round_id = ?1", [id])?;
        clear_conflicts(conn, &entity)?;
    }
    let Some((srec, started)) = events.iter().find_map(|(r, e)| match e {
        Event::RoundStarted(b) => Some((r, b)),
        _ => None,
    }) else {
        return Ok(());
    };
    // Every mark, per boarder, in log order: (boarder, mark) pairs sorted
    // stably by boarder. A whole floor marked at once is one event.
    type Marked<'a> = (&'a EventRecord, &'a crate::domain::event::RoundMarked);
    let mut chosen = resolutions(conn, &entity)?;
    let mut per_student: Vec<(&str, Marked)> = Vec::new();
    for (r, e) in events {
        if let Event::RoundMarked(m) = e {
            per_student.extend(m.student_ids.iter().map(|s| (s.as_str(), (r, m))));
        }
    }
    per_student.sort_by_key(|(s, _)| *s);
    let mut sheet = Sheet::new();
    for group in per_student.chunk_by(|a, b| a.0 == b.0) {
        let student = group[0].0;
        let first = group[0].1;
        // Two stations marking one boarder differently is a contradiction
        // to review; the latest mark shows meanwhile.
        let disagree = group
            .iter()
            .any(|(_, (r, m))| r.origin != first.0.origin && m.mark != first.1.mark);
        let key = (disagree || !chosen.is_empty()).then(|| format!("{entity}/{student}"));
        let (r, m) = key
            .as_ref()
            .and_then(|k| chosen.remove(k))
            .and_then(|c| group.iter().find(|(_, (r, _))| r.id == c))
            .or(group.last())
            .map(|(_, marked)| *marked)
            .unwrap_or(first);
        if let Some(key) = key.filter(|_| disagree) {
            let recs: Vec<&EventRecord> = group.iter().map(|(_, (r, _))| *r).collect();
            add_conflict(conn, &key, "mark", &entity, &recs, &r.id)?;
        }
        sheet.insert(
            student.to_string(),
            Entry(
                m.mark.key().to_string(),
                m.late_at_ms,
                m.note.clone(),
                r.hlc.ms,
                r.actor.clone(),
                group.len() as i64 - 1,
                m.fact.as_ref().map(|f| f.to_column()),
            ),
        );
        absence_opened(conn, id, student, m.mark)?;
    }
    round_marks::write(conn, id, &sheet)?;
    // Closing: the earliest close counts; a second one from another station
    // is listed for review.
    let closes: Vec<(&EventRecord, &crate::domain::event::RoundClosed)> = events
        .iter()
        .filter_map(|(r, e)| match e {
            Event::RoundClosed(c) => Some((r, c)),
            _ => None,
        })
        .collect();
    let key = format!("round:{id}/close");
    let close = chosen
        .remove(&key)
        .as_deref()
        .and_then(|c| closes.iter().find(|(r, _)| r.id == c))
        .or(closes.first())
        .copied();
    let recs: Vec<&EventRecord> = closes.iter().map(|(r, _)| *r).collect();
    add_conflict(
        conn,
        &key,
        "close",
        &entity,
        &recs,
        close.map(|(r, _)| r.id.as_str()).unwrap_or(""),
    )?;
    exec(
        conn,
        "INSERT INTO rounds (id, kind, building, night, started_ms, started_by, closed_ms, closed_by, forced_reason, unaccounted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            id,
            started.kind.key(),
            started.building,
            started.night,
            srec.hlc.ms,
            srec.actor,
            close.map(|(r, _)| r.hlc.ms),
            close.map(|(r, _)| r.actor.clone()),
            close.and_then(|(_, c)| c.forced_reason.clone()),
            close.map(|(_, c)| serde_json::to_string(&c.unaccounted).unwrap_or_default())
        ],
    )?;
    Ok(())
}

/// A mark written at this station into a round already projected, that no
/// other station has written to and no duty leader has decided on: the full
/// recompute would change only the marked boarders' entries (the latest
/// mark shows, one more change), so only those change in the round's row —
/// a mark costs the same on the last night of the year as on the first,
/// and reads no other round. Returns false, having written nothing, when
/// the round needs the full recompute.
pub fn mark_in_place(
    conn: &Connection,
    rec: &EventRecord,
    m: &RoundMarked,
) -> Result<bool, StoreError> {
    let entity = format!("round:{}", m.round_id);
    let projected = conn
        .prepare_cached("SELECT 1 FROM rounds WHERE id = ?1")?
        .exists([&m.round_id])?;
    // Another station's events bring the rules of contradiction in.
    let foreign = || -> Result<bool, StoreError> {
        Ok(conn
            .prepare_cached("SELECT 1 FROM events WHERE entity = ?1 AND origin <> ?2 LIMIT 1")?
            .exists(params![entity, rec.origin])?)
    };
    let decided = || -> Result<bool, StoreError> {
        let (lo, hi) = key_range(&entity);
        Ok(conn
            .prepare_cached("SELECT 1 FROM resolutions WHERE key >= ?1 AND key < ?2 LIMIT 1")?
            .exists(params![lo, hi])?)
    };
    if !projected || foreign()? || decided()? {
        return Ok(false);
    }
    let fact = m.fact.as_ref().map(|f| f.to_column());
    let mut sheet = round_marks::read(conn, &m.round_id)?;
    for student in &m.student_ids {
        let entry = Entry(
            m.mark.key().to_string(),
            m.late_at_ms,
            m.note.clone(),
            rec.hlc.ms,
            rec.actor.clone(),
            0,
            fact.clone(),
        );
        match sheet.get_mut(student) {
            Some(held) => {
                // Changed: its absence closes, and opens again if the new
                // mark is absent too (a follow-up may have found them).
                if held.mark() == crate::domain::rollcall::Mark::Absent.key() {
                    exec(
                        conn,
                        "DELETE FROM absences_open WHERE round_id = ?1 AND student_id = ?2",
                        params![m.round_id, student],
                    )?;
                }
                let changes = held.5 + 1;
                *held = entry;
                held.5 = changes;
            }
            None => {
                sheet.insert(student.clone(), entry);
            }
        }
        absence_opened(conn, &m.round_id, student, m.mark)?;
    }
    round_marks::write(conn, &m.round_id, &sheet)?;
    Ok(true)
}

/// After a mark is written (here only, in `round` and `mark_in_place`): an
/// absence is open until a follow-up finds the boarder. Schemas 20 and 21
/// moved this out of triggers on marks (see `migrate::V21`); the follow-ups'
/// triggers still close and reopen absences.
fn absence_opened(
    conn: &Connection,
    round_id: &str,
    student_id: &str,
    mark: crate::domain::rollcall::Mark,
) -> Result<(), StoreError> {
    if mark != crate::domain::rollcall::Mark::Absent {
        return Ok(());
    }
    exec(
        conn,
        "INSERT OR IGNORE INTO absences_open SELECT ?1, ?2
         WHERE NOT EXISTS (SELECT 1 FROM followups f WHERE f.round_id = ?1
           AND f.student_id = ?2 AND f.found_at IS NOT NULL)",
        params![round_id, student_id],
    )?;
    Ok(())
}

pub fn sick(
    conn: &Connection,
    id: &str,
    events: &[(EventRecord, Event)],
) -> Result<(), StoreError> {
    exec(conn, "DELETE FROM sick WHERE id = ?1", [id])?;
    exec(conn, "DELETE FROM sick_notes WHERE sick_id = ?1", [id])?;
    let Some((r, b)) = events.iter().find_map(|(r, e)| match e {
        Event::SickRecorded(b) => Some((r, b)),
        _ => None,
    }) else {
        return Ok(());
    };
    let mut closed = None;
    for (n, e) in events {
        if let Event::SickFollowup(f) = e {
            exec(
                conn,
                "INSERT INTO sick_notes (event_id, sick_id, note, temperature, at_ms, by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![n.id, id, f.note, f.temperature, n.hlc.ms, n.actor],
            )?;
            if f.closed && closed.is_none() {
                closed = Some(n.hlc.ms);
            }
        }
    }
    exec(
        conn,
        "INSERT INTO sick (id, student_id, symptoms, temperature, medicine, water, clinic, guardian_told, at_ms, by, closed_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            id,
            b.student_id,
            b.symptoms,
            b.temperature,
            b.medicine,
            b.water,
            b.clinic,
            b.guardian_told,
            r.hlc.ms,
            r.actor,
            closed
        ],
    )?;
    Ok(())
}

/// When the boarder came back: a boarder comes back once, so the first
/// return recorded counts, or the one a duty leader chose. Two stations
/// recording different times for the one return (the gate and the dorm)
/// is a contradiction listed for review, not settled silently.
fn settled_return(
    conn: &Connection,
    entity: &str,
    events: &[(EventRecord, Event)],
    fresh: bool,
) -> Result<Option<i64>, StoreError> {
    if !fresh {
        clear_conflicts(conn, entity)?;
    }
    let returns: Vec<(&EventRecord, i64)> = events
        .iter()
        .filter_map(|(r, e)| match e {
            Event::LeaveReturned(b) => Some((r, b.at_ms)),
            Event::GateReturned(b) => Some((r, b.at_ms)),
            _ => None,
        })
        .collect();
    let Some(&(first, first_at)) = returns.first() else {
        return Ok(None);
    };
    let key = format!("{entity}/return");
    let shown = resolutions(conn, entity)?
        .remove(&key)
        .and_then(|c| returns.iter().find(|(r, _)| r.id == c).copied())
        .unwrap_or((first, first_at));
    let disagree = returns
        .iter()
        .any(|(r, at)| r.origin != first.origin && *at != first_at);
    if disagree {
        let recs: Vec<&EventRecord> = returns.iter().map(|(r, _)| *r).collect();
        add_conflict(conn, &key, "return", entity, &recs, &shown.0.id)?;
    }
    Ok(Some(shown.1))
}

pub fn leave(
    conn: &Connection,
    id: &str,
    events: &[(EventRecord, Event)],
    fresh: bool,
) -> Result<(), StoreError> {
    if !fresh {
        exec(conn, "DELETE FROM leaves WHERE id = ?1", [id])?;
    }
    let returned = settled_return(conn, &format!("leave:{id}"), events, fresh)?;
    if let Some((r, b)) = events.iter().find_map(|(r, e)| match e {
        Event::LeaveGranted(b) => Some((r, b)),
        _ => None,
    }) {
        exec(
            conn,
            "INSERT INTO leaves (id, student_id, from_ms, due_ms, reason, approved_by, destination, returned_ms, at_ms, by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                id,
                b.student_id,
                b.from_ms,
                b.due_ms,
                b.reason,
                b.approved_by,
                b.destination,
                returned,
                r.hlc.ms,
                r.actor
            ],
        )?;
    }
    Ok(())
}

pub fn departure(
    conn: &Connection,
    id: &str,
    events: &[(EventRecord, Event)],
    fresh: bool,
) -> Result<(), StoreError> {
    if !fresh {
        exec(conn, "DELETE FROM departures WHERE id = ?1", [id])?;
    }
    let returned = settled_return(conn, &format!("departure:{id}"), events, fresh)?;
    if let Some((r, b)) = events.iter().find_map(|(r, e)| match e {
        Event::GateDeparted(b) => Some((r, b)),
        _ => None,
    }) {
        exec(
            conn,
            "INSERT INTO departures (id, student_id, with_name, relation, phone, authorised, approved_by, due_ms, note, at_ms, by, returned_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                id,
                b.student_id,
                b.with_name,
                b.relation,
                b.phone,
                b.authorised,
                b.approved_by,
                b.due_ms,
                b.note,
                r.hlc.ms,
                r.actor,
                returned
            ],
        )?;
    }
    Ok(())
}
