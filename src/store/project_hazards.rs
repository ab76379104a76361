//! The hazard ledger's projection: one row per hazard, folded from all of
//! its events by the same rules the commands check (`domain::hazard_fold`).
//! Steps two stations took in contradiction are listed for review.

use super::StoreError;
use super::log::EventRecord;
use super::project::{add_conflict, clear_conflicts, exec, resolutions};
use crate::domain::event::Event;
use crate::domain::hazard::HazardView;
use crate::domain::hazard_fold::{StepIn, fold};
use crate::domain::names::search_blob;
use rusqlite::{Connection, params};

pub fn hazard(
    conn: &Connection,
    id: &str,
    events: &[(EventRecord, Event)],
    fresh: bool,
) -> Result<(), StoreError> {
    let entity = format!("hazard:{id}");
    if !fresh {
        exec(conn, "DELETE FROM hazards WHERE id = ?1", [id])?;
        clear_conflicts(conn, &entity)?;
    }
    let chosen = resolutions(conn, &entity)?;
    let ins: Vec<StepIn> = events
        .iter()
        .map(|(r, e)| StepIn {
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
    for c in &contested {
        let recs: Vec<&EventRecord> = events
            .iter()
            .map(|(r, _)| r)
            .filter(|r| c.events.contains(&r.id))
            .collect();
        add_conflict(conn, &c.key, "hazard", &entity, &recs, &c.applied)?;
    }
    insert(conn, &v)
}

/// What the ledger's search box matches: place and responsible person with
/// their pinyin and initials, the description as typed.
pub fn hazard_search(v: &HazardView) -> String {
    format!(
        "{} {} {}",
        search_blob(&v.place),
        search_blob(&v.responsible),
        v.description.to_lowercase()
    )
}

fn insert(conn: &Connection, v: &HazardView) -> Result<(), StoreError> {
    let sev = v
        .severity
        .unwrap_or(crate::domain::hazard::Severity::General);
    exec(
        conn,
        "INSERT INTO hazards (id, origin, status, severity, sev_rank, category, place, description, containment,
            responsible, found_ms, reported_by, deadline_ms, measures, rectifier, rectified_by, rectified_ms,
            verified_by, verified_ms, verify_passed, verify_note, fails, closed_by, closed_ms, reopens,
            attachments, patrol, search)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
            ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)",
        params![
            v.id,
            v.origin,
            v.status.key(),
            sev.key(),
            sev as i64,
            v.category.map(|c| c.key()).unwrap_or("other"),
            v.place,
            v.description,
            v.containment,
            v.responsible,
            v.found_ms,
            v.reported_by,
            v.deadline_ms,
            v.measures,
            v.rectifier,
            v.rectified_by,
            v.rectified_ms,
            v.verified_by,
            v.verified_ms,
            v.verify_passed,
            v.verify_note,
            v.fails,
            v.closed_by,
            v.closed_ms,
            v.reopens,
            serde_json::to_string(&v.attachments).unwrap_or_else(|_| "[]".into()),
            v.found_on_patrol
                .as_ref()
                .and_then(|p| serde_json::to_string(p).ok()),
            hazard_search(v),
        ],
    )?;
    Ok(())
}
