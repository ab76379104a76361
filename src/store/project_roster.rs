//! Roster projections: students (their data, bed and whether they left),
//! beds and staff — each recomputed from its own events in log order.

use super::StoreError;
use super::log::EventRecord;
use super::project::{add_conflict, clear_conflicts, exec, resolutions};
use crate::domain::event::{Event, StudentUpdated};
use crate::domain::fact::Fact;
use crate::domain::names;
use crate::domain::roster::{BedRef, StudentData};
use rusqlite::{Connection, params};
use std::collections::HashSet;

/// Search text for a student: name readings, class, number, guardians.
pub fn student_search(d: &StudentData, bed: Option<&BedRef>) -> String {
    let mut s = names::search_blob(&d.name);
    s.push(' ');
    s.push_str(&d.class.to_lowercase());
    if let Some(no) = &d.student_no {
        s.push(' ');
        s.push_str(&no.to_lowercase());
    }
    for g in &d.guardians {
        s.push(' ');
        s.push_str(&g.name);
        if let Some(p) = &g.phone {
            s.push(' ');
            s.push_str(p);
        }
    }
    if let Some(b) = bed {
        s.push_str(&format!(" {}-{}", b.room, b.bed));
    }
    s
}

pub fn student(
    conn: &Connection,
    id: &str,
    events: &[(EventRecord, Event)],
) -> Result<(), StoreError> {
    exec(conn, "DELETE FROM students WHERE id = ?1", [id])?;
    let Some(base) = events.iter().find_map(|(_, e)| match e {
        Event::StudentEnrolled(b) => Some(b),
        _ => None,
    }) else {
        return Ok(());
    };
    let skipped = contradicting_edits(conn, id, events)?;
    let mut data = base.data.clone();
    let mut bed = base.bed.clone();
    let mut left: Option<(String, Option<&Fact>)> = None;
    let mut updated = 0;
    for (r, e) in events {
        match e {
            Event::StudentUpdated(u) if !skipped.contains(r.id.as_str()) => data = u.data.clone(),
            Event::StudentMoved(m) => bed = m.bed.clone(),
            // Leaving is final; the first reason recorded is kept.
            Event::StudentLeft(l) if left.is_none() => {
                left = Some((l.reason.clone(), l.fact.as_ref()))
            }
            _ => {}
        }
        if !matches!(e, Event::AbsenceFollowup(_)) {
            updated = r.hlc.ms;
        }
    }
    conn.prepare_cached(
        "INSERT INTO students (id, student_no, name, search, class, data, building, floor, room, bed, active, left_reason, updated_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        id,
        data.student_no,
        data.name,
        student_search(&data, bed.as_ref()),
        data.class,
        serde_json::to_string(&data).unwrap_or_default(),
        bed.as_ref().map(|b| b.building.clone()),
        bed.as_ref().map(|b| b.floor),
        bed.as_ref().map(|b| b.room.clone()),
        bed.as_ref().map(|b| b.bed.clone()),
        left.is_none(),
        left.as_ref().map(|l| l.0.clone()),
        updated
    ])?;
    // Only leavers the system removed have a fact: a separate, rare update.
    if let Some(f) = left.and_then(|l| l.1) {
        exec(
            conn,
            "UPDATE students SET left_fact = ?1 WHERE id = ?2",
            params![f.to_column(), id],
        )?;
    }
    Ok(())
}

/// Changes two stations made to the same version of a student's record,
/// differently (a phone number corrected at the office and at the dorm):
/// each such set is listed for review, the latest showing meanwhile. Once
/// a duty leader has chosen, the other changes of the set are skipped.
/// Returns the ids of the skipped changes.
fn contradicting_edits<'a>(
    conn: &Connection,
    id: &str,
    events: &'a [(EventRecord, Event)],
) -> Result<HashSet<&'a str>, StoreError> {
    let entity = format!("student:{id}");
    clear_conflicts(conn, &entity)?;
    let edits: Vec<(&EventRecord, &StudentUpdated)> = events
        .iter()
        .filter_map(|(r, e)| match e {
            Event::StudentUpdated(u) if u.based_on.is_some() => Some((r, u)),
            _ => None,
        })
        .collect();
    let mut skipped = HashSet::new();
    if edits.len() < 2 {
        return Ok(skipped);
    }
    let mut chosen = resolutions(conn, &entity)?;
    let versions: Vec<&str> = edits
        .iter()
        .filter_map(|(_, u)| u.based_on.as_deref())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for version in versions {
        let set: Vec<&(&EventRecord, &StudentUpdated)> = edits
            .iter()
            .filter(|(_, u)| u.based_on.as_deref() == Some(version))
            .collect();
        let (first_rec, first) = set[0];
        let contradict = set
            .iter()
            .any(|(r, u)| r.origin != first_rec.origin && u.data != first.data);
        if !contradict {
            continue;
        }
        // One slash: the part before it names the record to recompute.
        let key = format!("{entity}/edit.{version}");
        let decided = chosen
            .remove(&key)
            .filter(|c| set.iter().any(|(r, _)| &r.id == c));
        let shown = decided
            .clone()
            .unwrap_or_else(|| set[set.len() - 1].0.id.clone());
        let recs: Vec<&EventRecord> = set.iter().map(|(r, _)| *r).collect();
        add_conflict(conn, &key, "student_edit", &entity, &recs, &shown)?;
        if decided.is_some() {
            skipped.extend(
                set.iter()
                    .filter(|(r, _)| r.id != shown)
                    .map(|(r, _)| r.id.as_str()),
            );
        }
    }
    Ok(skipped)
}

pub fn bed(
    conn: &Connection,
    key: &str,
    events: &[(EventRecord, Event)],
) -> Result<(), StoreError> {
    exec(conn, "DELETE FROM beds WHERE key = ?1", [key])?;
    if let Some(b) = events.iter().rev().find_map(|(_, e)| match e {
        Event::BedAdded(b) => Some(b),
        _ => None,
    }) {
        exec(
            conn,
            "INSERT INTO beds (key, building, floor, room, bed, zone) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                key,
                b.bed.building,
                b.bed.floor,
                b.bed.room,
                b.bed.bed,
                b.zone.key()
            ],
        )?;
    }
    Ok(())
}

pub fn staff(
    conn: &Connection,
    id: &str,
    events: &[(EventRecord, Event)],
) -> Result<(), StoreError> {
    exec(conn, "DELETE FROM staff WHERE id = ?1", [id])?;
    if let Some(b) = events.iter().rev().find_map(|(_, e)| match e {
        Event::StaffSet(b) => Some(b),
        _ => None,
    }) {
        exec(
            conn,
            "INSERT INTO staff (id, name, kind, phone, active) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                id,
                b.staff.name,
                b.staff.kind.key(),
                b.staff.phone,
                b.staff.active
            ],
        )?;
    }
    Ok(())
}

pub fn student_bed(conn: &Connection, id: &str) -> Result<Option<BedRef>, StoreError> {
    use rusqlite::OptionalExtension;
    type Place = (Option<String>, Option<i32>, Option<String>, Option<String>);
    let r: Option<Place> = conn
        .query_row(
            "SELECT building, floor, room, bed FROM students WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    Ok(match r {
        Some((Some(building), Some(floor), Some(room), Some(bed))) => Some(BedRef {
            building,
            floor,
            room,
            bed,
        }),
        _ => None,
    })
}
