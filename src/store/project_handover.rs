//! The handover projection: one row per signed shift. The first signature,
//! acceptance and countersignature in log order stand on every station; a
//! second one from another station (two people signing one shift
//! differently) is listed for the duty leader's review.

use super::StoreError;
use super::log::EventRecord;
use super::project::{add_conflict, clear_conflicts, exec, resolutions};
use crate::domain::event::Event;
use crate::domain::handover::AMENDING_KINDS;
use rusqlite::{Connection, params};

pub fn handover(
    conn: &Connection,
    key: &str,
    events: &[(EventRecord, Event)],
    fresh: bool,
) -> Result<(), StoreError> {
    let entity = format!("handover:{key}");
    if !fresh {
        exec(conn, "DELETE FROM handovers WHERE key = ?1", [key])?;
        exec(
            conn,
            "DELETE FROM handover_records WHERE shift_key = ?1",
            [key],
        )?;
        clear_conflicts(conn, &entity)?;
    }
    let chosen = resolutions(conn, &entity)?;
    // The standing event of each step: the one a duty leader chose, else the first.
    let step = |name: &str, pick: fn(&Event) -> bool| -> Option<&(EventRecord, Event)> {
        let all: Vec<&(EventRecord, Event)> = events.iter().filter(|(_, e)| pick(e)).collect();
        let key = format!("{entity}/{name}");
        chosen
            .get(&key)
            .and_then(|id| all.iter().find(|(r, _)| &r.id == id).copied())
            .or(all.first().copied())
    };
    for (name, pick) in [
        (
            "sign",
            (|e: &Event| matches!(e, Event::HandoverSigned(_))) as fn(&Event) -> bool,
        ),
        ("accept", |e: &Event| {
            matches!(e, Event::HandoverAccepted(_))
        }),
        ("countersign", |e: &Event| {
            matches!(e, Event::HandoverCountersigned(_))
        }),
    ] {
        let recs: Vec<&EventRecord> = events
            .iter()
            .filter(|(_, e)| pick(e))
            .map(|(r, _)| r)
            .collect();
        if let Some((shown, _)) = step(name, pick) {
            add_conflict(
                conn,
                &format!("{entity}/{name}"),
                "handover",
                &entity,
                &recs,
                &shown.id,
            )?;
        }
    }
    let Some((sr, Event::HandoverSigned(s))) =
        step("sign", |e| matches!(e, Event::HandoverSigned(_)))
    else {
        return Ok(());
    };
    let accepted = step("accept", |e| matches!(e, Event::HandoverAccepted(_)));
    let counter = step("countersign", |e| {
        matches!(e, Event::HandoverCountersigned(_))
    });
    let remarks = match accepted {
        Some((_, Event::HandoverAccepted(a))) => {
            serde_json::to_string(&a.remarks).unwrap_or_default()
        }
        _ => "[]".to_string(),
    };
    let cs_note = match counter {
        Some((_, Event::HandoverCountersigned(c))) => Some(c.note.clone()),
        _ => None,
    };
    exec(
        conn,
        "INSERT INTO handovers (key, station, date, shift, signed_by, signed_ms, sign_event, note, items, seal,
            accepted_by, accepted_ms, remarks, countersigned_by, countersigned_ms, countersign_note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            key,
            s.shift.station_id,
            s.shift.date,
            s.shift.shift,
            sr.actor,
            sr.hlc.ms,
            sr.id,
            s.note,
            // (record, state as signed) pairs.
            serde_json::to_string(
                &s.items
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (e, s.states.get(i).map(String::as_str).unwrap_or("")))
                    .collect::<Vec<_>>()
            )
            .unwrap_or_default(),
            s.seal,
            accepted.map(|(r, _)| r.actor.clone()),
            accepted.map(|(r, _)| r.hlc.ms),
            remarks,
            counter.map(|(r, _)| r.actor.clone()),
            counter.map(|(r, _)| r.hlc.ms),
            cs_note,
        ],
    )?;
    for e in &s.items {
        exec(
            conn,
            "INSERT OR IGNORE INTO handover_records (entity, shift_key) VALUES (?1, ?2)",
            params![e, key],
        )?;
    }
    // Countersigned, then a record on the sheet corrected (later by its
    // own time, wherever it was made): the duty leader reviews it — the
    // countersignature against each correction.
    if let Some((cs, _)) = counter {
        let sealed: std::collections::HashSet<&str> = s.sealed.iter().map(String::as_str).collect();
        let mut recs: Vec<EventRecord> = vec![];
        for e in &s.items {
            recs.extend(super::log::for_entity(conn, e)?.into_iter().filter(|r| {
                AMENDING_KINDS.contains(&r.kind.as_str())
                    && !sealed.contains(r.id.as_str())
                    && (r.hlc.ms, r.hlc.c) > (cs.hlc.ms, cs.hlc.c)
            }));
        }
        if !recs.is_empty() {
            let mut all: Vec<&EventRecord> = vec![cs];
            all.extend(recs.iter());
            add_conflict(
                conn,
                &format!("{entity}/amended"),
                "handover",
                &entity,
                &all,
                &cs.id,
            )?;
        }
    }
    Ok(())
}

/// A record just projected whose events hold a correction: the handovers
/// that listed it are projected again, so a correction after their
/// countersignature reaches the review list wherever it arrives.
pub fn recheck_sealed(
    conn: &Connection,
    entity: &str,
    events: &[(EventRecord, Event)],
) -> Result<(), StoreError> {
    if !events
        .iter()
        .any(|(r, _)| AMENDING_KINDS.contains(&r.kind.as_str()))
    {
        return Ok(());
    }
    let keys: Vec<String> = conn
        .prepare_cached("SELECT shift_key FROM handover_records WHERE entity = ?1")?
        .query_map([entity], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for key in keys {
        let evs = super::project::entity_events(conn, &format!("handover:{key}"))?;
        handover(conn, &key, &evs, false)?;
    }
    Ok(())
}
