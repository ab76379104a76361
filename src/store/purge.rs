//! The retention purge (PIPL): visitors' personal data erased once a visit
//! ended longer ago than the school keeps it. The visits stay, so the
//! ledgers' counts (visits per day, per type) do not change. Visits that
//! matched the watchlist (the denied ones among them) and visits still on
//! site are kept whole.

use super::{Store, StoreError};
use crate::domain::event::{Event, VisitsPurged};
use crate::domain::role::{Actor, Permission, require};
use crate::domain::settings::RETENTION_DAYS;

/// Visits per purge event: each is its own transaction, so a long first
/// purge shows progress, can stop between chunks and loses nothing.
pub const CHUNK: usize = 500;

const DAY_MS: i64 = 24 * 3600 * 1000;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeOutcome {
    pub visits: usize,
    /// Events whose bodies were erased in this station's log.
    pub events_erased: usize,
    /// Events from before erasable bodies: erased on screen and in the
    /// ledgers, but their fields stay in this log.
    pub legacy: usize,
    /// False when stopped before the end (the rest waits for the next run).
    pub complete: bool,
}

impl Store {
    /// Visits ending before this instant are due for erasure.
    pub fn purge_cutoff(&self, now_ms: i64) -> i64 {
        now_ms - self.setting(RETENTION_DAYS) * DAY_MS
    }

    /// The visits due, oldest first.
    pub fn purge_due(&self, now_ms: i64) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id FROM visits WHERE status = 'out' AND time_out < ?1 AND watch IS NULL
               AND NOT EXISTS (SELECT 1 FROM purged_visits p WHERE p.visit_id = visits.id)
             ORDER BY time_out, id",
        )?;
        let rows = stmt.query_map([self.purge_cutoff(now_ms)], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Erases the personal data of every visit due, a chunk per event.
    /// `progress(done, total)` returns false to stop after a chunk.
    pub fn purge_personal(
        &mut self,
        by: &Actor,
        now_ms: i64,
        progress: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Result<PurgeOutcome, StoreError> {
        require(by.role, Permission::PurgePersonalData)?;
        let cutoff_ms = self.purge_cutoff(now_ms);
        let due = self.purge_due(now_ms)?;
        let mut out = PurgeOutcome {
            complete: true,
            ..PurgeOutcome::default()
        };
        // Freed bytes are zeroed (`secure_delete`, set on open), so the old
        // fields do not linger in the file's free space.
        let result = (|| {
            for chunk in due.chunks(CHUNK) {
                let purge_id = self.new_id();
                let (erased, legacy) = self
                    .write(by, |s| {
                        let counts = chunk
                            .iter()
                            .map(|v| super::log::erased_counts(&s.conn, v))
                            .collect::<Result<Vec<_>, _>>()?;
                        let event = Event::VisitsPurged(VisitsPurged {
                            purge_id,
                            cutoff_ms,
                            visit_ids: chunk.to_vec(),
                        });
                        Ok((vec![event], counts))
                    })
                    .map(|counts| {
                        counts
                            .into_iter()
                            .fold((0, 0), |(a, b), (x, y)| (a + x, b + y))
                    })?;
                out.visits += chunk.len();
                out.events_erased += erased;
                out.legacy += legacy;
                if !progress(out.visits, due.len()) && out.visits < due.len() {
                    out.complete = false;
                    break;
                }
            }
            Ok::<_, StoreError>(())
        })();
        result?;
        // The write-ahead log still holds the pages as they were before;
        // fold it into the file and empty it (best effort: a reader in
        // another process may hold it, and the next checkpoint does it).
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        Ok(out)
    }

    /// Events of purged visits whose bodies still hold personal data that
    /// could have been erased: zero on a healthy station (`dutydesk check`).
    pub fn unerased_purged_events(&self) -> Result<usize, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT e.kind, e.schema, e.body FROM purged_visits p
               JOIN events e ON e.entity = 'visit:' || p.visit_id",
        )?;
        let mut rows = stmt.query([])?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            let (kind, schema, body): (String, i64, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            if super::personal::holds_personal(&kind, schema) && !super::personal::is_erased(&body)
            {
                n += 1;
            }
        }
        Ok(n)
    }
}
