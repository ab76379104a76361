//! Visit projections: the visit row, its corrections, returning-visitor
//! suggestions, and sign-outs that stations disagree about.

use super::StoreError;
use super::log::EventRecord;
use super::project::{Pending, add_conflict, clear_conflicts, exec, resolutions};
use crate::domain::event::Event;
use crate::domain::names;
use crate::domain::validate::id_tail;
use crate::domain::visit::{VisitDetails, person_key};
use rusqlite::{Connection, OptionalExtension, params};

/// Lower-case text a search box is matched against with `LIKE '%q%'`:
/// name, its pinyin readings and initials, phone, ID and its tail, plate.
pub fn visit_search(d: &VisitDetails) -> String {
    let mut s = names::search_blob(&d.name);
    for v in [&d.phone, &d.id_no, &d.plate].into_iter().flatten() {
        s.push(' ');
        s.push_str(&v.to_lowercase());
    }
    if let Some(id) = &d.id_no {
        s.push(' ');
        s.push_str(&id_tail(id).to_lowercase());
    }
    s
}

pub fn visit(
    conn: &Connection,
    id: &str,
    events: &[(EventRecord, Event)],
    fresh: bool,
    pending: &mut Pending,
) -> Result<(), StoreError> {
    let entity = format!("visit:{id}");
    let mut old_key: Option<String> = None;
    if !fresh {
        old_key = conn
            .prepare_cached("SELECT person_key FROM visits WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        exec(conn, "DELETE FROM visits WHERE id = ?1", [id])?;
        exec(conn, "DELETE FROM visit_changes WHERE visit_id = ?1", [id])?;
        clear_conflicts(conn, &entity)?;
    }
    let base = events.iter().find_map(|(r, e)| match e {
        Event::VisitRegistered(b) => Some((
            r,
            "on_site",
            b.time_in_ms,
            &b.details,
            b.time_in_reason.clone(),
            b.watch
                .as_ref()
                .map(|w| serde_json::to_string(w).unwrap_or_default()),
        )),
        Event::VisitDenied(b) => Some((
            r,
            "denied",
            b.at_ms,
            &b.details,
            None,
            Some(serde_json::to_string(&b.watch).unwrap_or_default()),
        )),
        _ => None,
    });
    // A correction or sign-out can arrive before the registration it is
    // about (another station's bundle); it shows once the registration does.
    let Some((brec, base_status, time_in, base_details, reason, watch)) = base else {
        if let Some(k) = old_key {
            pending.person(k);
        }
        return Ok(());
    };
    // A purged visit shows erased whatever its events still hold (events
    // written before erasable bodies keep their fields in the log).
    let purged: bool = conn
        .prepare_cached("SELECT EXISTS(SELECT 1 FROM purged_visits WHERE visit_id = ?1)")?
        .query_row([id], |r| r.get(0))?;
    let shown = |d: &VisitDetails| if purged { d.erased() } else { d.clone() };
    let mut details = shown(base_details);
    let mut corrections = 0i64;
    for (r, e) in events {
        if let Event::VisitCorrected(c) = e {
            let before = serde_json::to_string(&details).unwrap_or_default();
            details = shown(&c.details);
            corrections += 1;
            conn.prepare_cached(
                "INSERT OR REPLACE INTO visit_changes (event_id, visit_id, at_ms, by, reason, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![r.id, id, r.hlc.ms, r.actor, c.reason, before, serde_json::to_string(&details).unwrap_or_default()])?;
        }
    }
    // Sign-outs: one normally; two when stations disagreed. The earliest
    // shows until a duty leader chooses.
    let outs: Vec<(&EventRecord, i64)> = events
        .iter()
        .filter_map(|(r, e)| match e {
            Event::VisitSignedOut(b) => Some((r, b.at_ms)),
            _ => None,
        })
        .collect();
    let key = format!("{entity}/sign_out");
    let chosen = resolutions(conn, &entity)?.remove(&key);
    let winner = chosen
        .as_deref()
        .and_then(|c| outs.iter().find(|(r, _)| r.id == c))
        .or(outs.first())
        .copied();
    let recs: Vec<&EventRecord> = outs.iter().map(|(r, _)| *r).collect();
    add_conflict(
        conn,
        &key,
        "sign_out",
        &entity,
        &recs,
        winner.map(|(r, _)| r.id.as_str()).unwrap_or(""),
    )?;
    let new_key = key_of(&details);
    let (status, time_out, out_by) = match (base_status, winner) {
        ("on_site", Some((r, at))) => ("out", Some(at), Some(r.actor.clone())),
        (s, _) => (s, None, None),
    };
    conn.prepare_cached(
        // OR REPLACE: a batch projects a record once (decisions and purges
        // leave records with new events to its walk), but a second
        // projection must replace the row, not fail.
        "INSERT OR REPLACE INTO visits (id, origin, status, time_in, time_out, person_key, name, details, time_in_reason, registered_by, signed_out_by, watch, corrections, search)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        id,
        brec.origin,
        status,
        time_in,
        time_out,
        new_key,
        details.name,
        serde_json::to_string(&details).unwrap_or_default(),
        reason,
        brec.actor,
        out_by,
        watch,
        corrections,
        visit_search(&details)
    ])?;
    if let Some(k) = old_key.filter(|k| *k != new_key && !k.is_empty()) {
        pending.person(k);
    }
    if !new_key.is_empty() {
        pending.person(new_key);
    }
    Ok(())
}

/// The returning-visitor key; none for an erased visit, which suggests
/// nobody.
fn key_of(d: &VisitDetails) -> String {
    if d.is_erased() {
        String::new()
    } else {
        person_key(d)
    }
}

/// Recomputes one returning-visitor suggestion from the person's visits, so
/// corrections that change an ID or phone move the suggestion with them.
pub(super) fn refresh_person(conn: &Connection, key: &str) -> Result<(), StoreError> {
    let last: Option<(String, i64, String, i64)> = conn
        .prepare_cached(
            "SELECT details, time_in, name, (SELECT COUNT(*) FROM visits WHERE person_key = ?1 AND status != 'denied')
             FROM visits WHERE person_key = ?1 AND status != 'denied' ORDER BY time_in DESC, id DESC LIMIT 1",
        )?
        .query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    match last {
        None => {
            exec(conn, "DELETE FROM persons WHERE key = ?1", [key])?;
        }
        Some((details, last_ms, name, n)) => {
            let d: Option<VisitDetails> = serde_json::from_str(&details).ok();
            let search = d.as_ref().map(visit_search).unwrap_or_default();
            conn.prepare_cached(
                "INSERT OR REPLACE INTO persons (key, name, last_ms, visits, details, search) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![key, name, last_ms, n, details, search])?;
        }
    }
    Ok(())
}
