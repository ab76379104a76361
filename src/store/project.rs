//! Projections: the tables screens read, each a pure function of the log.
//! `apply` is used both while writing and by `rebuild`, so the two agree.

use super::StoreError;
use super::log::{self, EventRecord};
use crate::domain::event::Event;
use crate::domain::names;
use crate::domain::validate::id_tail;
use crate::domain::visit::{VisitDetails, person_key};
use rusqlite::{Connection, OptionalExtension, params};

/// Tables derived from the log (everything but `events` and `meta`).
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
];

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

pub fn apply(conn: &Connection, rec: &EventRecord, ev: &Event) -> Result<(), StoreError> {
    let at = rec.hlc.ms;
    match ev {
        Event::StationCreated(b) => {
            conn.execute(
                "INSERT OR REPLACE INTO stations (id, school, name, kind, utc_offset_min, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![b.station_id, b.school, b.name, b.kind.key(), b.utc_offset_min, at],
            )?;
        }
        Event::OperatorAdded(b) => {
            conn.execute(
                "INSERT OR REPLACE INTO operators (id, name, role, pin_hash, active, created_ms) VALUES (?1, ?2, ?3, ?4, 1, ?5)",
                params![b.operator_id, b.name, b.role.key(), b.pin_hash, at],
            )?;
        }
        Event::OperatorChanged(b) => {
            conn.execute(
                "UPDATE operators SET role = ?2, active = ?3 WHERE id = ?1",
                params![b.operator_id, b.role.key(), b.active],
            )?;
        }
        Event::OperatorPinSet(b) => {
            conn.execute(
                "UPDATE operators SET pin_hash = ?2 WHERE id = ?1",
                params![b.operator_id, b.pin_hash],
            )?;
        }
        Event::OperatorLoggedIn(b) => {
            conn.execute(
                "UPDATE operators SET last_login_ms = ?2 WHERE id = ?1",
                params![b.operator_id, at],
            )?;
        }
        Event::SettingChanged(b) => {
            conn.execute(
                "INSERT OR REPLACE INTO settings (key, value, changed_ms, changed_by) VALUES (?1, ?2, ?3, ?4)",
                params![b.key, b.value, at, rec.actor],
            )?;
        }
        Event::VisitRegistered(b) => {
            let watch = b
                .watch
                .as_ref()
                .map(|w| serde_json::to_string(w).unwrap_or_default());
            insert_visit(
                conn,
                rec,
                &b.visit_id,
                "on_site",
                b.time_in_ms,
                &b.details,
                b.time_in_reason.as_deref(),
                watch,
            )?;
            refresh_person(conn, &person_key(&b.details))?;
        }
        Event::VisitDenied(b) => {
            let watch = Some(serde_json::to_string(&b.watch).unwrap_or_default());
            insert_visit(
                conn,
                rec,
                &b.visit_id,
                "denied",
                b.at_ms,
                &b.details,
                None,
                watch,
            )?;
        }
        Event::VisitSignedOut(b) => {
            // Only the first sign-out counts; a later one (possible after
            // sync) is left in the log for review.
            conn.execute(
                "UPDATE visits SET status = 'out', time_out = ?2, signed_out_by = ?3 WHERE id = ?1 AND status = 'on_site'",
                params![b.visit_id, b.at_ms, rec.actor],
            )?;
        }
        Event::VisitCorrected(b) => {
            let before: Option<String> = conn
                .query_row(
                    "SELECT details FROM visits WHERE id = ?1",
                    [&b.visit_id],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(before) = before else { return Ok(()) };
            let old: Option<VisitDetails> = serde_json::from_str(&before).ok();
            let after = serde_json::to_string(&b.details).unwrap_or_default();
            conn.execute(
                "INSERT OR REPLACE INTO visit_changes (event_id, visit_id, at_ms, by, reason, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![rec.id, b.visit_id, at, rec.actor, b.reason, before, after],
            )?;
            conn.execute(
                "UPDATE visits SET details = ?2, name = ?3, person_key = ?4, search = ?5, corrections = corrections + 1 WHERE id = ?1",
                params![b.visit_id, after, b.details.name, person_key(&b.details), visit_search(&b.details)],
            )?;
            if let Some(old) = old {
                refresh_person(conn, &person_key(&old))?;
            }
            refresh_person(conn, &person_key(&b.details))?;
        }
        Event::WatchlistAdded(b) => {
            conn.execute(
                "INSERT OR REPLACE INTO watchlist (id, name, entry, active, added_by, added_ms) VALUES (?1, ?2, ?3, 1, ?4, ?5)",
                params![b.entry_id, b.entry.name, serde_json::to_string(&b.entry).unwrap_or_default(), rec.actor, at],
            )?;
        }
        Event::WatchlistRemoved(b) => {
            conn.execute(
                "UPDATE watchlist SET active = 0, removed_reason = ?2 WHERE id = ?1",
                params![b.entry_id, b.reason],
            )?;
        }
        other => super::project_roster::apply(conn, rec, other)?,
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn insert_visit(
    conn: &Connection,
    rec: &EventRecord,
    id: &str,
    status: &str,
    time_in: i64,
    d: &VisitDetails,
    reason: Option<&str>,
    watch: Option<String>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO visits (id, origin, status, time_in, person_key, name, details, time_in_reason, registered_by, watch, search)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        id,
        rec.origin,
        status,
        time_in,
        person_key(d),
        d.name,
        serde_json::to_string(d).unwrap_or_default(),
        reason,
        rec.actor,
        watch,
        visit_search(d)
    ])?;
    Ok(())
}

/// Recomputes one returning-visitor suggestion from the person's visits, so
/// corrections that change an ID or phone move the suggestion with them.
fn refresh_person(conn: &Connection, key: &str) -> Result<(), StoreError> {
    let last: Option<(String, i64, String, i64)> = conn
        .prepare_cached(
            "SELECT details, time_in, name, (SELECT COUNT(*) FROM visits WHERE person_key = ?1 AND status != 'denied')
             FROM visits WHERE person_key = ?1 AND status != 'denied' ORDER BY time_in DESC, id DESC LIMIT 1",
        )?
        .query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    match last {
        None => {
            conn.execute("DELETE FROM persons WHERE key = ?1", [key])?;
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
