//! Operators, settings, the watchlist and conflict decisions: each row is
//! recomputed from its events; the latest change (in log order) wins.

use super::StoreError;
use super::log::EventRecord;
use super::project::exec;
use crate::domain::event::Event;
use crate::domain::pin_guard::PinGuard;
use rusqlite::{Connection, params};

pub fn operator(
    conn: &Connection,
    id: &str,
    events: &[(EventRecord, Event)],
) -> Result<(), StoreError> {
    exec(conn, "DELETE FROM operators WHERE id = ?1", [id])?;
    let Some((base_rec, base)) = events.iter().find_map(|(r, e)| match e {
        Event::OperatorAdded(b) => Some((r, b)),
        _ => None,
    }) else {
        return Ok(());
    };
    let (mut role, mut active, mut pin) = (base.role, true, base.pin_hash.clone());
    let mut last_login = None;
    let mut guard = PinGuard::default();
    for (r, e) in events {
        match e {
            Event::OperatorChanged(c) => {
                role = c.role;
                active = c.active;
            }
            Event::OperatorPinSet(p) => pin = p.pin_hash.clone(),
            Event::OperatorLoggedIn(_) => last_login = Some(r.hlc.ms),
            Event::OperatorPinFailed(_) => guard.failed(),
            Event::OperatorLockedOut(l) => guard.locked(l.until_ms),
            Event::OperatorPinPassed(_) | Event::OperatorUnlocked(_) => guard.cleared(),
            _ => {}
        }
    }
    exec(
        conn,
        "INSERT INTO operators (id, name, role, pin_hash, active, created_ms, last_login_ms, pin_failures, pin_lockouts, locked_until_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            id,
            base.name,
            role.key(),
            pin,
            active,
            base_rec.hlc.ms,
            last_login,
            guard.failures,
            guard.lockouts,
            guard.locked_until_ms
        ],
    )?;
    Ok(())
}

pub fn setting(
    conn: &Connection,
    key: &str,
    events: &[(EventRecord, Event)],
) -> Result<(), StoreError> {
    exec(conn, "DELETE FROM settings WHERE key = ?1", [key])?;
    if let Some((r, v)) = events.iter().rev().find_map(|(r, e)| match e {
        Event::SettingChanged(b) => Some((r, b.value)),
        _ => None,
    }) {
        exec(
            conn,
            "INSERT INTO settings (key, value, changed_ms, changed_by) VALUES (?1, ?2, ?3, ?4)",
            params![key, v, r.hlc.ms, r.actor],
        )?;
    }
    Ok(())
}

pub fn watch(
    conn: &Connection,
    id: &str,
    events: &[(EventRecord, Event)],
) -> Result<(), StoreError> {
    exec(conn, "DELETE FROM watchlist WHERE id = ?1", [id])?;
    let Some((r, added)) = events.iter().find_map(|(r, e)| match e {
        Event::WatchlistAdded(b) => Some((r, b)),
        _ => None,
    }) else {
        return Ok(());
    };
    // A removal is final, whichever station's bundle brought it first.
    let removed = events.iter().find_map(|(_, e)| match e {
        Event::WatchlistRemoved(b) => Some(b.reason.clone()),
        _ => None,
    });
    exec(
        conn,
        "INSERT INTO watchlist (id, name, entry, active, added_by, added_ms, removed_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            added.entry.name,
            serde_json::to_string(&added.entry).unwrap_or_default(),
            removed.is_none(),
            r.actor,
            r.hlc.ms,
            removed
        ],
    )?;
    Ok(())
}

/// The latest decision on one conflict ("conflict:<key>").
pub fn resolution(conn: &Connection, entity: &str) -> Result<(), StoreError> {
    let events = super::project::entity_events(conn, entity)?;
    let Some(key) = entity.strip_prefix("conflict:") else {
        return Ok(());
    };
    exec(conn, "DELETE FROM resolutions WHERE key = ?1", [key])?;
    if let Some((r, b)) = events.iter().rev().find_map(|(r, e)| match e {
        Event::ConflictResolved(b) => Some((r, b)),
        _ => None,
    }) {
        exec(
            conn,
            "INSERT INTO resolutions (key, chosen, by, at_ms, note) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key, b.chosen, r.actor, r.hlc.ms, b.note],
        )?;
    }
    Ok(())
}
