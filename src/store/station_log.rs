//! What other layers ask of the database beyond the domain's records: the
//! stations a log holds, the import log of bundles taken in, the log's own
//! integrity, and the settings a big import needs. Each is a purpose-named
//! method so that no SQL lives outside the store.

use super::log::{self, ChainFault, EventRecord};
use super::{Store, StoreError};
use rusqlite::params;

/// One line of the station-local log of bundles taken in (or refused).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportLogEntry {
    pub at_ms: i64,
    pub file: String,
    pub from_station: String,
    pub new: i64,
    pub known: i64,
    pub rejected: i64,
    pub outcome: String,
    pub detail: String,
}

/// SQLite's advice for one very large transaction: a rollback journal
/// rather than the WAL ("for transactions larger than about 100 megabytes,
/// traditional rollback journal modes will likely be faster").
pub struct BulkWrite {
    cache_kib: i64,
}

impl Store {
    /// Events held in the log, from every station.
    pub fn event_count(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM events", [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    /// A station's name, or the start of its id when this log has not met it.
    pub fn station_name(&self, origin: &str) -> String {
        self.conn
            .query_row("SELECT name FROM stations WHERE id = ?1", [origin], |r| {
                r.get(0)
            })
            .unwrap_or_else(|_| origin.chars().take(8).collect())
    }

    /// Every station whose events this log holds, with how many, by name.
    pub fn stations_in_log(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT COALESCE(s.name, e.origin), COUNT(*) FROM events e LEFT JOIN stations s ON s.id = e.origin GROUP BY e.origin ORDER BY 1",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Contradictions between stations no duty leader has decided yet.
    pub fn unresolved_conflicts(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM conflicts c WHERE NOT EXISTS (SELECT 1 FROM resolutions r WHERE r.key = c.key)",
            [],
            |r| r.get(0),
        )?)
    }

    /// Checks every hash chain; the number of events on success.
    pub fn verify_log(&self) -> Result<Result<u64, ChainFault>, StoreError> {
        log::verify(&self.conn)
    }

    /// Reads the whole log chain by chain (origin, then sequence).
    pub fn for_each_event_in_chains(
        &self,
        f: impl FnMut(EventRecord) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        log::for_each_in_chains(&self.conn, f)
    }

    /// Records what became of a bundle. Station-local: not an event, never
    /// synced, so a refused bundle leaves a trace without touching the log.
    pub fn log_import(&self, e: &ImportLogEntry) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO import_log (at_ms, file, from_station, new, known, rejected, outcome, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![e.at_ms, e.file, e.from_station, e.new, e.known, e.rejected, e.outcome, e.detail],
        )?;
        Ok(())
    }

    /// The newest `limit` lines of the import log, newest first.
    pub fn import_log(&self, limit: usize) -> Result<Vec<ImportLogEntry>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT at_ms, file, COALESCE(from_station, ''), new, known, rejected, outcome, detail FROM import_log ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(ImportLogEntry {
                at_ms: r.get(0)?,
                file: r.get(1)?,
                from_station: r.get(2)?,
                new: r.get(3)?,
                known: r.get(4)?,
                rejected: r.get(5)?,
                outcome: r.get(6)?,
                detail: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Prepares for one very large write: a larger page cache, and — when
    /// this is the database's only connection — a rollback journal. With the
    /// TUI's own connection open the switch is refused at once and the write
    /// runs in the WAL, only slower. Give it back with `end_bulk_write`.
    pub fn begin_bulk_write(&mut self, cache_kib: i64) -> Result<BulkWrite, StoreError> {
        let conn = &self.conn;
        let cache: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        conn.pragma_update(None, "cache_size", cache_kib)?;
        conn.busy_timeout(std::time::Duration::ZERO)?;
        let _ = conn.pragma_update(None, "journal_mode", "TRUNCATE");
        conn.busy_timeout(super::BUSY_TIMEOUT)?;
        Ok(BulkWrite { cache_kib: cache })
    }

    /// Gives back what `begin_bulk_write` changed.
    pub fn end_bulk_write(&mut self, b: BulkWrite) -> Result<(), StoreError> {
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "cache_size", b.cache_kib)?;
        Ok(())
    }

    /// The journal mode in force ("wal", "truncate", …).
    pub fn journal_mode(&self) -> Result<String, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))?)
    }

    /// The page cache size setting (negative: KiB).
    pub fn cache_size(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?)
    }
}
