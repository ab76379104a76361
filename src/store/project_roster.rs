//! Projections of the roster and the night's roll-call.

use super::StoreError;
use super::log::EventRecord;
use crate::domain::event::Event;
use crate::domain::names;
use crate::domain::roster::{BedRef, StudentData};
use rusqlite::{Connection, params};

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

fn set_bed(conn: &Connection, id: &str, bed: Option<&BedRef>, at: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE students SET building = ?2, floor = ?3, room = ?4, bed = ?5, updated_ms = ?6 WHERE id = ?1",
        params![
            id,
            bed.map(|b| b.building.clone()),
            bed.map(|b| b.floor),
            bed.map(|b| b.room.clone()),
            bed.map(|b| b.bed.clone()),
            at
        ],
    )?;
    Ok(())
}

pub fn apply(conn: &Connection, rec: &EventRecord, ev: &Event) -> Result<(), StoreError> {
    let at = rec.hlc.ms;
    match ev {
        Event::StudentEnrolled(b) => {
            conn.prepare_cached(
                "INSERT OR REPLACE INTO students (id, student_no, name, search, class, data, active, updated_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7)",
            )?
            .execute(params![
                b.student_id,
                b.data.student_no,
                b.data.name,
                student_search(&b.data, b.bed.as_ref()),
                b.data.class,
                serde_json::to_string(&b.data).unwrap_or_default(),
                at
            ])?;
            set_bed(conn, &b.student_id, b.bed.as_ref(), at)?;
        }
        Event::StudentUpdated(b) => {
            let bed: Option<BedRef> = student_bed(conn, &b.student_id)?;
            conn.execute(
                "UPDATE students SET student_no = ?2, name = ?3, search = ?4, class = ?5, data = ?6, updated_ms = ?7 WHERE id = ?1",
                params![
                    b.student_id,
                    b.data.student_no,
                    b.data.name,
                    student_search(&b.data, bed.as_ref()),
                    b.data.class,
                    serde_json::to_string(&b.data).unwrap_or_default(),
                    at
                ],
            )?;
        }
        Event::StudentMoved(b) => set_bed(conn, &b.student_id, b.bed.as_ref(), at)?,
        Event::StudentLeft(b) => {
            conn.execute(
                "UPDATE students SET active = 0, left_reason = ?2, updated_ms = ?3 WHERE id = ?1",
                params![b.student_id, b.reason, at],
            )?;
        }
        Event::BedAdded(b) => {
            conn.execute(
                "INSERT OR REPLACE INTO beds (key, building, floor, room, bed, zone) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![b.bed.key(), b.bed.building, b.bed.floor, b.bed.room, b.bed.bed, b.zone.key()],
            )?;
        }
        Event::RosterImported(b) => {
            conn.execute(
                "INSERT OR REPLACE INTO roster_imports (id, file, at_ms, by, new, moved, left_count, changed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![b.import_id, b.file, at, rec.actor, b.new as i64, b.moved as i64, b.left as i64, b.changed as i64],
            )?;
        }
        Event::RoundStarted(b) => {
            conn.execute(
                "INSERT OR IGNORE INTO rounds (id, kind, building, night, started_ms, started_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![b.round_id, b.kind.key(), b.building, b.night, at, rec.actor],
            )?;
        }
        Event::RoundMarked(b) => {
            let mut upsert = conn.prepare_cached(
                "INSERT INTO marks (round_id, student_id, mark, late_at, note, at_ms, by, changes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)
                 ON CONFLICT (round_id, student_id) DO UPDATE SET mark = excluded.mark, late_at = excluded.late_at,
                 note = excluded.note, at_ms = excluded.at_ms, by = excluded.by, changes = changes + 1",
            )?;
            for id in &b.student_ids {
                upsert.execute(params![
                    b.round_id,
                    id,
                    b.mark.key(),
                    b.late_at_ms,
                    b.note,
                    at,
                    rec.actor
                ])?;
            }
            conn.prepare_cached(
                "INSERT OR REPLACE INTO mark_history (event_id, round_id, student_ids, n, mark, late_at, note, at_ms, by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                rec.id,
                b.round_id,
                serde_json::to_string(&b.student_ids).unwrap_or_default(),
                b.student_ids.len() as i64,
                b.mark.key(),
                b.late_at_ms,
                b.note,
                at,
                rec.actor
            ])?;
        }
        Event::RoundClosed(b) => {
            // The first close counts; a second one (after sync) stays in the log.
            conn.execute(
                "UPDATE rounds SET closed_ms = ?2, closed_by = ?3, forced_reason = ?4, unaccounted = ?5 WHERE id = ?1 AND closed_ms IS NULL",
                params![
                    b.round_id,
                    at,
                    rec.actor,
                    b.forced_reason,
                    serde_json::to_string(&b.unaccounted).unwrap_or_default()
                ],
            )?;
        }
        Event::AbsenceFollowup(b) => {
            conn.execute(
                "INSERT OR REPLACE INTO followups (id, round_id, student_id, contacted, contact_name, finding, found_at, at_ms, by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![b.followup_id, b.round_id, b.student_id, b.contacted, b.contact_name, b.finding, b.found_at_ms, at, rec.actor],
            )?;
        }
        Event::SickRecorded(b) => {
            conn.execute(
                "INSERT OR REPLACE INTO sick (id, student_id, symptoms, temperature, medicine, water, clinic, guardian_told, at_ms, by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![b.sick_id, b.student_id, b.symptoms, b.temperature, b.medicine, b.water, b.clinic, b.guardian_told, at, rec.actor],
            )?;
        }
        Event::SickFollowup(b) => {
            conn.execute(
                "INSERT OR REPLACE INTO sick_notes (event_id, sick_id, note, temperature, at_ms, by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![rec.id, b.sick_id, b.note, b.temperature, at, rec.actor],
            )?;
            if b.closed {
                conn.execute(
                    "UPDATE sick SET closed_ms = ?2 WHERE id = ?1 AND closed_ms IS NULL",
                    params![b.sick_id, at],
                )?;
            }
        }
        Event::LeaveGranted(b) => {
            conn.execute(
                "INSERT OR REPLACE INTO leaves (id, student_id, from_ms, due_ms, reason, approved_by, destination, at_ms, by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![b.leave_id, b.student_id, b.from_ms, b.due_ms, b.reason, b.approved_by, b.destination, at, rec.actor],
            )?;
        }
        Event::LeaveReturned(b) => {
            conn.execute(
                "UPDATE leaves SET returned_ms = ?2 WHERE id = ?1 AND returned_ms IS NULL",
                params![b.leave_id, b.at_ms],
            )?;
        }
        Event::GateDeparted(b) => {
            conn.execute(
                "INSERT OR REPLACE INTO departures (id, student_id, with_name, relation, phone, authorised, approved_by, due_ms, note, at_ms, by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![b.departure_id, b.student_id, b.with_name, b.relation, b.phone, b.authorised, b.approved_by, b.due_ms, b.note, at, rec.actor],
            )?;
        }
        Event::GateReturned(b) => {
            conn.execute(
                "UPDATE departures SET returned_ms = ?2 WHERE id = ?1 AND returned_ms IS NULL",
                params![b.departure_id, b.at_ms],
            )?;
        }
        Event::StaffSet(b) => {
            conn.execute(
                "INSERT OR REPLACE INTO staff (id, name, kind, phone, active) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![b.staff_id, b.staff.name, b.staff.kind.key(), b.staff.phone, b.staff.active],
            )?;
        }
        // Kinds handled by project::apply.
        _ => {}
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
