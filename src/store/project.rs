//! Projections: the tables screens read, each a pure function of the log.
//!
//! Most events are applied by recomputing the record they belong to (their
//! entity) from all of that entity's events in log order — (HLC, origin,
//! seq). So the result does not depend on the order events arrived in: two
//! stations that hold the same events show the same thing, and `rebuild`
//! equals the incremental result. Where stations contradict each other
//! (one visit signed out twice) both events stay, a deterministic value is
//! shown, and the case is listed in `conflicts` for review.

use super::StoreError;
use super::log::{self, EventRecord};
use super::{project_night, project_people, project_roster, project_visits};
use crate::domain::event::Event;
use rusqlite::{Connection, params};

pub use project_visits::visit_search;

/// Tables derived from the log (everything but `events`, `meta` and the
/// station-local `import_log`).
pub const TABLES: &[&str] = &[
    "stations",
    "operators",
    "settings",
    "visits",
    "visit_changes",
    "persons",
    "watchlist",
    "students",
    "beds",
    "roster_imports",
    "rounds",
    "marks",
    "mark_history",
    "followups",
    "sick",
    "sick_notes",
    "leaves",
    "departures",
    "staff",
    "conflicts",
    "resolutions",
];

/// An entity's events, parsed, in log order. Kinds this version does not
/// know are skipped (they stay in the log and travel on).
pub(super) fn entity_events(
    conn: &Connection,
    entity: &str,
) -> Result<Vec<(EventRecord, Event)>, StoreError> {
    Ok(log::for_entity(conn, entity)?
        .into_iter()
        .filter_map(|r| match Event::parse(&r.kind, &r.body) {
            Some(Ok(ev)) => Some((r, ev)),
            _ => None,
        })
        .collect())
}

/// Records (or clears) a contradiction between stations about one fact.
/// `events` are the ids of the competing events; fewer than two clears it.
pub(super) fn set_conflict(
    conn: &Connection,
    key: &str,
    kind: &str,
    entity: &str,
    events: &[&EventRecord],
    provisional: &str,
) -> Result<(), StoreError> {
    if events.len() < 2 {
        conn.execute("DELETE FROM conflicts WHERE key = ?1", [key])?;
        return Ok(());
    }
    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    conn.execute(
        "INSERT OR REPLACE INTO conflicts (key, kind, entity, events, provisional) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![key, kind, entity, serde_json::to_string(&ids).unwrap_or_default(), provisional],
    )?;
    Ok(())
}

/// The event a duty leader chose for a conflict, if any.
pub(super) fn resolution(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT chosen FROM resolutions WHERE key = ?1",
            [key],
            |r| r.get(0),
        )
        .optional()?)
}

pub fn apply(conn: &Connection, rec: &EventRecord, ev: &Event) -> Result<(), StoreError> {
    let at = rec.hlc.ms;
    match ev {
        // Facts that are simply added: order cannot matter.
        Event::StationCreated(b) => {
            conn.execute(
                "INSERT OR REPLACE INTO stations (id, school, name, kind, utc_offset_min, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![b.station_id, b.school, b.name, b.kind.key(), b.utc_offset_min, at],
            )?;
        }
        Event::RosterImported(b) => {
            conn.execute(
                "INSERT OR REPLACE INTO roster_imports (id, file, at_ms, by, new, moved, left_count, changed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![b.import_id, b.file, at, rec.actor, b.new as i64, b.moved as i64, b.left as i64, b.changed as i64],
            )?;
        }
        Event::AbsenceFollowup(b) => {
            conn.execute(
                "INSERT OR REPLACE INTO followups (id, round_id, student_id, contacted, contact_name, finding, found_at, at_ms, by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![b.followup_id, b.round_id, b.student_id, b.contacted, b.contact_name, b.finding, b.found_at_ms, at, rec.actor],
            )?;
        }
        Event::ConflictResolved(b) => {
            project_people::resolution(conn, &rec.entity)?;
            // The chosen value now shows on the record itself.
            if let Some((entity, _)) = b.key.rsplit_once('/') {
                recompute(conn, entity)?;
            }
        }
        // Everything else: recompute the record from its events.
        _ => recompute(conn, &rec.entity)?,
    }
    Ok(())
}

/// Rebuilds one record's projection rows from all of its events.
pub fn recompute(conn: &Connection, entity: &str) -> Result<(), StoreError> {
    let Some((prefix, id)) = entity.split_once(':') else {
        return Ok(());
    };
    let events = entity_events(conn, entity)?;
    match prefix {
        "visit" => project_visits::visit(conn, id, &events),
        "operator" => project_people::operator(conn, id, &events),
        "setting" => project_people::setting(conn, id, &events),
        "watch" => project_people::watch(conn, id, &events),
        "student" => project_roster::student(conn, id, &events),
        "bed" => project_roster::bed(conn, id, &events),
        "staff" => project_roster::staff(conn, id, &events),
        "round" => project_night::round(conn, id, &events),
        "sick" => project_night::sick(conn, id, &events),
        "leave" => project_night::leave(conn, id, &events),
        "departure" => project_night::departure(conn, id, &events),
        _ => Ok(()),
    }
}

/// Empties every projection and replays the whole log into them.
pub fn rebuild(conn: &Connection) -> Result<(), StoreError> {
    for t in TABLES {
        conn.execute(&format!("DELETE FROM {t}"), [])?;
    }
    log::for_each(conn, |rec| {
        if let Some(Ok(ev)) = Event::parse(&rec.kind, &rec.body) {
            apply(conn, &rec, &ev)?;
        }
        Ok(())
    })
}

/// Every projection row, in a stable order — for comparing two databases.
pub fn dump(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for t in TABLES {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {t} ORDER BY 1, 2"))?;
        let n = stmt.column_count();
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let mut line = format!("{t}:");
            for i in 0..n {
                let v: rusqlite::types::Value = r.get(i)?;
                line.push_str(&format!("{v:?}|"));
            }
            out.push(line);
        }
    }
    Ok(out)
}
