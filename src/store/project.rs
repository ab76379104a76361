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
use super::{
    project_duty, project_hazards, project_night, project_patrol, project_people, project_roster,
    project_shift_log, project_visits,
};
use crate::domain::event::Event;
use rusqlite::{Connection, params};
use std::collections::{HashMap, HashSet};

pub use project_visits::visit_search;

/// Tables derived from the log (everything but `events`, `meta` and the
/// station-local `import_log`).
pub const TABLES: &[&str] = &[
    "stations",
    "retired_stations",
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
    "round_marks",
    "followups",
    "sick",
    "sick_notes",
    "leaves",
    "departures",
    "staff",
    "conflicts",
    "resolutions",
    "hazards",
    "checkpoints",
    "routes",
    "route_assignments",
    "patrol_rounds",
    "patrol_checks",
    "purged_visits",
    "shift_log",
    "duty_plans",
    "duty_shifts",
    "signons",
    "handovers",
    "handover_records",
];

/// An entity's events, parsed, in log order.
pub fn entity_events(
    conn: &Connection,
    entity: &str,
) -> Result<Vec<(EventRecord, Event)>, StoreError> {
    Ok(parsed(log::for_entity(conn, entity)?))
}

/// Runs a statement through the connection's cache: projections run the
/// same few statements hundreds of thousands of times in a big import.
pub(super) fn exec(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<usize, StoreError> {
    Ok(conn.prepare_cached(sql)?.execute(params)?)
}

/// `[lo, hi)` bounds of the keys "<entity>/…": conflicts and decisions
/// about one record are keyed that way, so one range query finds them.
pub(super) fn key_range(entity: &str) -> (String, String) {
    (format!("{entity}/"), format!("{entity}0"))
}

/// Clears the contradictions listed for one record; its projection lists
/// those that still hold again.
pub(super) fn clear_conflicts(conn: &Connection, entity: &str) -> Result<(), StoreError> {
    let (lo, hi) = key_range(entity);
    exec(
        conn,
        "DELETE FROM conflicts WHERE key >= ?1 AND key < ?2",
        params![lo, hi],
    )?;
    Ok(())
}

/// Lists a contradiction between stations about one fact. `events` are the
/// ids of the competing events; fewer than two is no contradiction.
pub(super) fn add_conflict(
    conn: &Connection,
    key: &str,
    kind: &str,
    entity: &str,
    events: &[&EventRecord],
    provisional: &str,
) -> Result<(), StoreError> {
    if events.len() < 2 {
        return Ok(());
    }
    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    exec(
        conn,
        "INSERT OR REPLACE INTO conflicts (key, kind, entity, events, provisional) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            key,
            kind,
            entity,
            serde_json::to_string(&ids).unwrap_or_default(),
            provisional
        ],
    )?;
    Ok(())
}

/// The events a duty leader chose for one record's conflicts, by key.
pub(super) fn resolutions(
    conn: &Connection,
    entity: &str,
) -> Result<HashMap<String, String>, StoreError> {
    let (lo, hi) = key_range(entity);
    let mut stmt =
        conn.prepare_cached("SELECT key, chosen FROM resolutions WHERE key >= ?1 AND key < ?2")?;
    let rows = stmt.query_map(params![lo, hi], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Work a projection leaves for the end of a batch: returning-visitor rows,
/// refreshed once per person after every visit of a big import is in.
#[derive(Debug, Default)]
pub struct Pending {
    persons: HashSet<String>,
}

impl Pending {
    pub(super) fn person(&mut self, key: String) {
        self.persons.insert(key);
    }

    pub fn finish(self, conn: &Connection) -> Result<(), StoreError> {
        // In key order: the rows land in `persons` in index order.
        let mut keys: Vec<String> = self.persons.into_iter().collect();
        keys.sort_unstable();
        for key in &keys {
            project_visits::refresh_person(conn, key)?;
        }
        Ok(())
    }
}

/// Projects one event just appended to the log.
pub fn apply(conn: &Connection, rec: &EventRecord, ev: &Event) -> Result<(), StoreError> {
    if FACT_KINDS.contains(&ev.kind()) {
        if let Some(entity) = apply_fact(conn, rec, ev)? {
            recompute(conn, &entity)?;
        }
        Ok(())
    } else {
        recompute(conn, &rec.entity)
    }
}

/// Projects a simple fact (`FACT_KINDS`). A conflict decision returns the
/// record whose shown value it changes: the caller recomputes it (a batch
/// does so once, after all of the batch's facts).
pub fn apply_fact(
    conn: &Connection,
    rec: &EventRecord,
    ev: &Event,
) -> Result<Option<String>, StoreError> {
    let at = rec.hlc.ms;
    match ev {
        // Facts that are simply added: order cannot matter.
        Event::StationCreated(b) => {
            exec(
                conn,
                "INSERT OR REPLACE INTO stations (id, school, name, kind, utc_offset_min, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    b.station_id,
                    b.school,
                    b.name,
                    b.kind.key(),
                    b.utc_offset_min,
                    at
                ],
            )?;
        }
        // Retired twice (two admins, two stations): the first stands, on
        // every station whatever the order of arrival.
        Event::StationRetired(b) => {
            exec(
                conn,
                "INSERT INTO retired_stations (station_id, at_ms, by, note) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(station_id) DO UPDATE SET at_ms = excluded.at_ms, by = excluded.by, note = excluded.note
                 WHERE (excluded.at_ms, excluded.by, excluded.note) < (at_ms, by, note)",
                params![b.station_id, at, rec.actor, b.note],
            )?;
        }
        Event::RosterImported(b) => {
            exec(
                conn,
                "INSERT OR REPLACE INTO roster_imports (id, file, at_ms, by, new, moved, left_count, changed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    b.import_id,
                    b.file,
                    at,
                    rec.actor,
                    b.new as i64,
                    b.moved as i64,
                    b.left as i64,
                    b.changed as i64
                ],
            )?;
        }
        Event::AbsenceFollowup(b) => {
            exec(
                conn,
                "INSERT OR REPLACE INTO followups (id, round_id, student_id, contacted, contact_name, finding, found_at, at_ms, by, found_where) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    b.followup_id,
                    b.round_id,
                    b.student_id,
                    b.contacted,
                    b.contact_name,
                    b.finding,
                    b.found_at_ms,
                    at,
                    rec.actor,
                    b.found_where.map(|w| w.key())
                ],
            )?;
        }
        Event::VisitsPurged(b) => {
            for v in &b.visit_ids {
                exec(
                    conn,
                    "INSERT OR IGNORE INTO purged_visits (visit_id, purge_id, at_ms) VALUES (?1, ?2, ?3)",
                    params![v, b.purge_id, at],
                )?;
                log::erase_visit(conn, v)?;
            }
            // The visits it names show erased (`project_entity`, "purge").
            return Ok(Some(rec.entity.clone()));
        }
        Event::ConflictResolved(b) => {
            project_people::resolution(conn, &rec.entity)?;
            // The chosen value now shows on the record itself.
            return Ok(b.key.rsplit_once('/').map(|(entity, _)| entity.to_string()));
        }
        _ => {}
    }
    Ok(None)
}

/// Rebuilds one record's projection rows from all of its events.
pub fn recompute(conn: &Connection, entity: &str) -> Result<(), StoreError> {
    let mut pending = Pending::default();
    project_entity(
        conn,
        entity,
        &entity_events(conn, entity)?,
        false,
        &mut pending,
    )?;
    pending.finish(conn)
}

/// Rebuilds one record's projection rows from `events`, which must be all
/// of its events in log order (the caller may hold them already). `fresh`:
/// the record had no events before these, so it has no rows to clear.
pub fn project_entity(
    conn: &Connection,
    entity: &str,
    events: &[(EventRecord, Event)],
    fresh: bool,
    pending: &mut Pending,
) -> Result<(), StoreError> {
    let Some((prefix, id)) = entity.split_once(':') else {
        return Ok(());
    };
    if prefix != "handover" {
        super::project_handover::recheck_sealed(conn, entity, events)?;
    }
    match prefix {
        "visit" => project_visits::visit(conn, id, events, fresh, pending),
        "operator" => {
            project_people::operator(conn, id, events)?;
            project_duty::signons(conn, id, events)
        }
        "duty" => project_duty::plan(conn, id, events),
        "dutyshifts" => project_duty::shifts(conn, id, events),
        "setting" => project_people::setting(conn, id, events),
        "watch" => project_people::watch(conn, id, events),
        "student" => project_roster::student(conn, id, events),
        "bed" => project_roster::bed(conn, id, events),
        "staff" => project_roster::staff(conn, id, events),
        "round" => project_night::round(conn, id, events, fresh),
        "sick" => project_night::sick(conn, id, events),
        "leave" => project_night::leave(conn, id, events, fresh),
        "departure" => project_night::departure(conn, id, events, fresh),
        "hazard" => project_hazards::hazard(conn, id, events, fresh),
        "checkpoint" => project_patrol::checkpoint(conn, id, events),
        "route" => project_patrol::route(conn, id, events),
        "patrol" => project_patrol::round(conn, id, events, fresh),
        "shiftlog" => project_shift_log::entry(conn, id, events, fresh),
        "handover" => super::project_handover::handover(conn, id, events, fresh),
        // A rebuild projects every visit after the purges are in (`fresh`);
        // as it arrives, a purge re-projects the visits it erased.
        "purge" if !fresh => {
            for (_, e) in events {
                if let Event::VisitsPurged(p) = e {
                    for v in &p.visit_ids {
                        // Not projected yet: its events are new in this
                        // batch, which projects them erased (the purge is
                        // in `purged_visits` already). A full import skips
                        // reading 70,000 visits back this way.
                        let shown = conn
                            .prepare_cached("SELECT 1 FROM visits WHERE id = ?1")?
                            .exists([v])?;
                        if !shown {
                            continue;
                        }
                        let visit = format!("visit:{v}");
                        let evs = entity_events(conn, &visit)?;
                        project_entity(conn, &visit, &evs, false, pending)?;
                    }
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Kinds that are projected as simple facts (added, never recomputed), so
/// a batch applies them before recomputing records.
pub const FACT_KINDS: &[&str] = &[
    "station.created",
    "station.retired",
    "roster.imported",
    "absence.followup",
    "conflict.resolved",
    "visits.purged",
];

/// Empties every projection and replays the whole log into them: simple
/// facts in log order, then each record once from all of its events, read
/// in one pass sorted by record — so a school year's log rebuilds in one
/// sort, with memory bounded by the largest record.
pub fn rebuild(conn: &Connection) -> Result<(), StoreError> {
    for t in TABLES {
        conn.execute(&format!("DELETE FROM {t}"), [])?;
    }
    // Open absences follow the marks and follow-ups projected below (no
    // trigger on `round_marks` empties them with it).
    conn.execute("DELETE FROM absences_open", [])?;
    // Every record is projected below, after all decisions are in.
    log::for_each_of_kinds(conn, FACT_KINDS, |rec| {
        if let Some(Ok(ev)) = Event::parse(&rec.kind, &rec.body) {
            apply_fact(conn, &rec, &ev)?;
        }
        Ok(())
    })?;
    let mut pending = Pending::default();
    log::for_each_entity(conn, |recs| {
        let entity = recs[0].entity.clone();
        project_entity(conn, &entity, &parsed(recs), true, &mut pending)
    })?;
    pending.finish(conn)
}

/// Events parsed, in the order given; kinds this version does not know are
/// skipped (they stay in the log and travel on).
pub fn parsed(recs: Vec<EventRecord>) -> Vec<(EventRecord, Event)> {
    recs.into_iter().filter_map(parse_one).collect()
}

/// One event with its parsed body; `None` for a kind unknown here or a
/// body that does not parse.
pub fn parse_one(r: EventRecord) -> Option<(EventRecord, Event)> {
    match Event::parse(&r.kind, &r.body) {
        Some(Ok(ev)) => Some((r, ev)),
        _ => None,
    }
}

/// Every projection row, in a stable order — for comparing two databases.
pub fn dump(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for t in TABLES {
        // Rounds' marks compare by value, a row per boarder through the
        // `marks` view: the JSON of a round's row is only how they are kept.
        let t = if *t == "round_marks" { "marks" } else { t };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fact_kinds_are_kinds() {
        for k in FACT_KINDS {
            assert!(Event::KINDS.contains(k), "{k}");
        }
    }
}
