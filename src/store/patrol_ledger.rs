//! What the patrol ledger (巡查记录) reads: each round of a range of nights
//! and, for each of its checkpoints, the check-ins made there or that it
//! was missed — walked round by round over a cursor, so a year of patrols
//! never sits in memory.

use super::patrol::{PatrolRoundRow, ROUND_COLS, ROUND_FROM, read_round};
use super::{Store, StoreError};
use crate::domain::patrol::Outcome;
use std::collections::HashMap;

/// Where a checkpoint of a round stands in the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryResult {
    Checked(Outcome),
    /// Not checked in and the round closed or past its window.
    Missed,
    /// Not checked in, the round still under way.
    Pending,
}

/// One line of the patrol ledger: a checkpoint of a round.
#[derive(Debug, Clone, PartialEq)]
pub struct PatrolEntry {
    pub round: PatrolRoundRow,
    pub route: String,
    pub code: String,
    pub checkpoint: String,
    pub place: String,
    pub result: EntryResult,
    /// When the patroller was there, and when it was entered.
    pub at_ms: Option<i64>,
    pub entered_ms: Option<i64>,
    /// `code`, `picked` or `later`.
    pub method: String,
}

/// Counts for the ledger's total line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PatrolCounts {
    pub lines: usize,
    pub rounds: usize,
    pub findings: usize,
    pub missed: usize,
}

impl Store {
    /// Every line of the patrol ledger for nights `from..=to`
    /// (YYYY-MM-DD), round by round in the order they were walked.
    pub fn each_patrol_entry(
        &self,
        from: &str,
        to: &str,
        f: &mut dyn FnMut(PatrolEntry) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let now = self.now_ms();
        let routes: HashMap<String, String> = self
            .routes(true)?
            .into_iter()
            .map(|r| (r.id, r.data.name))
            .collect();
        let cps: HashMap<String, (String, String, String)> = self
            .checkpoints(true)?
            .into_iter()
            .map(|c| (c.id, (c.data.code, c.data.name, c.data.place)))
            .collect();
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ROUND_COLS} FROM {ROUND_FROM} WHERE r.night >= ?1 AND r.night <= ?2 ORDER BY r.night, r.started_ms, r.id"
        ))?;
        let mut rows = stmt.query([from, to])?;
        while let Some(row) = rows.next()? {
            let round = read_round(row)?;
            let checks = self.patrol_checks(&round.id)?;
            let over = round.closed_ms.is_some() || now >= round.end_ms;
            let route = routes.get(&round.route_id).cloned().unwrap_or_default();
            for id in &round.checkpoints {
                let (code, checkpoint, place) = cps.get(id).cloned().unwrap_or_default();
                let entry = |result, at_ms, entered_ms, method: &str| PatrolEntry {
                    round: round.clone(),
                    route: route.clone(),
                    code: code.clone(),
                    checkpoint: checkpoint.clone(),
                    place: place.clone(),
                    result,
                    at_ms,
                    entered_ms,
                    method: method.to_string(),
                };
                let mut any = false;
                for c in checks.iter().filter(|c| &c.checkpoint_id == id) {
                    any = true;
                    f(entry(
                        EntryResult::Checked(c.outcome.clone()),
                        Some(c.at_ms),
                        Some(c.entered_ms),
                        &c.method,
                    ))?;
                }
                if !any {
                    let result = if over {
                        EntryResult::Missed
                    } else {
                        EntryResult::Pending
                    };
                    f(entry(result, None, None, ""))?;
                }
            }
        }
        Ok(())
    }

    /// The ledger's counts for nights `from..=to`, from the same walk.
    pub fn patrol_counts(&self, from: &str, to: &str) -> Result<PatrolCounts, StoreError> {
        let mut c = PatrolCounts::default();
        let mut last = String::new();
        self.each_patrol_entry(from, to, &mut |e| {
            c.lines += 1;
            if e.round.id != last {
                c.rounds += 1;
                last = e.round.id.clone();
            }
            match e.result {
                EntryResult::Checked(o) if o.is_finding() => c.findings += 1,
                EntryResult::Missed => c.missed += 1,
                _ => {}
            }
            Ok(())
        })?;
        Ok(c)
    }
}
