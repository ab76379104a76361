//! Versioned schema migrations, tracked in `PRAGMA user_version`.
//!
//! Each step runs in one transaction. A file written by a newer dutydesk is
//! refused rather than guessed at. Steps that add projections are followed by
//! a rebuild from the event log, so old databases gain new views of old data.

use super::StoreError;
use rusqlite::Connection;

/// Schema 1: the event log, stations, operators, settings.
const V1: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE events (
    origin TEXT NOT NULL,
    seq INTEGER NOT NULL,
    id TEXT NOT NULL UNIQUE,
    hlc_ms INTEGER NOT NULL,
    hlc_c INTEGER NOT NULL,
    kind TEXT NOT NULL,
    entity TEXT NOT NULL,
    schema INTEGER NOT NULL,
    actor TEXT NOT NULL,
    body TEXT NOT NULL,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (origin, seq)
) STRICT;
CREATE INDEX events_entity ON events(entity);
CREATE INDEX events_order ON events(hlc_ms, hlc_c, origin, seq);
CREATE TABLE stations (
    id TEXT PRIMARY KEY,
    school TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    utc_offset_min INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
) STRICT;
CREATE TABLE operators (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    pin_hash TEXT NOT NULL,
    active INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    last_login_ms INTEGER
) STRICT;
CREATE TABLE settings (key TEXT PRIMARY KEY, value INTEGER NOT NULL, changed_ms INTEGER NOT NULL, changed_by TEXT NOT NULL) STRICT;
";

/// Schema 2: the visitor register's projections.
const V2: &str = "
CREATE TABLE visits (
    id TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    status TEXT NOT NULL,
    time_in INTEGER NOT NULL,
    time_out INTEGER,
    person_key TEXT NOT NULL,
    name TEXT NOT NULL,
    details TEXT NOT NULL,
    time_in_reason TEXT,
    registered_by TEXT NOT NULL,
    signed_out_by TEXT,
    watch TEXT,
    corrections INTEGER NOT NULL DEFAULT 0,
    search TEXT NOT NULL
) STRICT;
CREATE INDEX visits_time ON visits(time_in, id);
CREATE INDEX visits_on_site ON visits(time_in) WHERE status = 'on_site';
CREATE INDEX visits_person ON visits(person_key, time_in);
CREATE TABLE visit_changes (
    event_id TEXT PRIMARY KEY,
    visit_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    by TEXT NOT NULL,
    reason TEXT NOT NULL,
    before TEXT NOT NULL,
    after TEXT NOT NULL
) STRICT;
CREATE INDEX visit_changes_visit ON visit_changes(visit_id, at_ms);
CREATE TABLE persons (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    last_ms INTEGER NOT NULL,
    visits INTEGER NOT NULL,
    details TEXT NOT NULL,
    search TEXT NOT NULL
) STRICT;
CREATE INDEX persons_last ON persons(last_ms);
CREATE TABLE watchlist (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    entry TEXT NOT NULL,
    active INTEGER NOT NULL,
    added_by TEXT NOT NULL,
    added_ms INTEGER NOT NULL,
    removed_reason TEXT
) STRICT;
";

pub const MIGRATIONS: &[&str] = &[V1, V2];
pub const LATEST: i64 = MIGRATIONS.len() as i64;

pub fn version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the file to `target` (normally LATEST). Returns the version found.
pub fn migrate_to(conn: &mut Connection, target: i64) -> Result<i64, StoreError> {
    let found = version(conn)?;
    if found > LATEST {
        return Err(StoreError::NewerSchema {
            found,
            supported: LATEST,
        });
    }
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target as usize)
        .skip(found as usize)
    {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(found)
}
