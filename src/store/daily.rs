//! The daily duty report's counts (值班日报), per station for one local
//! day: each from one query over an index of its table (visits by time in,
//! rounds by night, hazards by found and closed time, the shift log by
//! time), so a day costs the same early and late in the school year.

use super::{Store, StoreError};
use std::collections::BTreeMap;

/// What one station recorded on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayCounts {
    pub visitors: usize,
    /// Visitors that day who stayed (or are staying) past their expected time.
    pub overstays: usize,
    pub rollcall_rounds: usize,
    /// Absent marks in that night's roll-call rounds.
    pub absences: usize,
    pub patrol_rounds: usize,
    /// Checkpoints closed rounds of that night missed.
    pub missed_checkpoints: usize,
    pub hazards_opened: usize,
    pub hazards_closed: usize,
    pub incidents: usize,
    pub log_entries: usize,
}

fn size(v: i64) -> usize {
    usize::try_from(v).unwrap_or(0)
}

impl Store {
    /// Counts for the local day `date` (YYYY-MM-DD, also the night that
    /// began on it) spanning `[from_ms, to_ms)`, by station id; every
    /// station the log knows has a row.
    pub fn day_counts(
        &self,
        date: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<BTreeMap<String, DayCounts>, StoreError> {
        let now = self.now_ms();
        let mut out: BTreeMap<String, DayCounts> = BTreeMap::new();
        let mut stmt = self.conn.prepare_cached("SELECT id FROM stations")?;
        for id in stmt.query_map([], |r| r.get::<_, String>(0))? {
            out.insert(id?, DayCounts::default());
        }
        let mut add = |sql: &str,
                       args: &[&dyn rusqlite::ToSql],
                       f: &dyn Fn(&mut DayCounts, i64, i64)|
         -> Result<(), StoreError> {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let rows = stmt.query_map(args, |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                ))
            })?;
            for row in rows {
                let (station, a, b) = row?;
                f(out.entry(station).or_default(), a, b);
            }
            Ok(())
        };
        add(
            "SELECT origin, COUNT(*),
                    SUM(COALESCE(time_out, ?3) - time_in
                        > COALESCE(json_extract(details, '$.expected_minutes'), 1e9) * 60000)
             FROM visits INDEXED BY visits_time
             WHERE time_in >= ?1 AND time_in < ?2 AND status <> 'denied' GROUP BY origin",
            &[&from_ms, &to_ms, &now],
            &|c, a, b| {
                c.visitors = size(a);
                c.overstays = size(b);
            },
        )?;
        // Rounds keep no station: the one that started it is the origin of
        // its first event, found by the log's entity index.
        add(
            "SELECT e.origin, COUNT(*),
                    SUM((SELECT COUNT(*) FROM marks m WHERE m.round_id = r.id AND m.mark = 'absent'))
             FROM rounds r INDEXED BY rounds_night
             JOIN events e ON e.entity = 'round:' || r.id AND e.kind = 'round.started'
             WHERE r.night = ?1 GROUP BY e.origin",
            &[&date],
            &|c, a, b| {
                c.rollcall_rounds = size(a);
                c.absences = size(b);
            },
        )?;
        add(
            "SELECT e.origin, COUNT(*), SUM(COALESCE(json_array_length(p.missed), 0))
             FROM patrol_rounds p INDEXED BY patrol_rounds_night
             JOIN events e ON e.entity = 'patrol:' || p.id AND e.kind = 'patrol.started'
             WHERE p.night = ?1 GROUP BY e.origin",
            &[&date],
            &|c, a, b| {
                c.patrol_rounds = size(a);
                c.missed_checkpoints = size(b);
            },
        )?;
        add(
            "SELECT origin, COUNT(*), 0 FROM hazards INDEXED BY hazards_found
             WHERE found_ms >= ?1 AND found_ms < ?2 GROUP BY origin",
            &[&from_ms, &to_ms],
            &|c, a, _| c.hazards_opened = size(a),
        )?;
        add(
            "SELECT origin, COUNT(*), 0 FROM hazards INDEXED BY hazards_closed_at
             WHERE closed_ms >= ?1 AND closed_ms < ?2 GROUP BY origin",
            &[&from_ms, &to_ms],
            &|c, a, _| c.hazards_closed = size(a),
        )?;
        for (station, n) in self.log_counts(from_ms, to_ms)? {
            let c = out.entry(station).or_default();
            c.incidents = n.incidents;
            c.log_entries = n.entries;
        }
        Ok(out)
    }
}
