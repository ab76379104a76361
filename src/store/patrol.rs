//! Night patrol: checkpoints and routes (admins), naming the person for a
//! special-period night, and a round's start, check-ins and close. Each
//! command checks the domain's rules inside `Store::write`, so the event
//! and its projection land in one transaction.

use super::{Store, StoreError};
use crate::domain::error::DomainError;
use crate::domain::event::{
    CheckpointSet, Event, PatrolChecked, PatrolClosed, PatrolStarted, RouteAssigned, RouteSet,
};
use crate::domain::patrol::{self, CheckpointData, Method, Outcome, RouteData, RouteOrder};
use crate::domain::patrol_status::{CheckIn, RoundFacts};
use crate::domain::role::Actor;
use crate::domain::rollcall::night_of;
use rusqlite::{OptionalExtension, params};

#[derive(Debug, Clone, PartialEq)]
pub struct CheckpointRow {
    pub id: String,
    pub data: CheckpointData,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RouteRow {
    pub id: String,
    pub data: RouteData,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PatrolRoundRow {
    pub id: String,
    pub route_id: String,
    pub night: String,
    pub slot_ms: Option<i64>,
    pub started_ms: i64,
    /// The operator's name.
    pub started_by: String,
    pub end_ms: i64,
    pub checkpoints: Vec<String>,
    pub ordered: bool,
    pub min_walk_min: u32,
    pub closed_ms: Option<i64>,
    pub closed_by: Option<String>,
    pub missed: Vec<String>,
    pub reason: Option<String>,
}

/// One check-in, with what a finding needs to become a hazard: the
/// checkpoint's place, the failed items, the note, the finder, and the
/// round and checkpoint ids to link back to.
#[derive(Debug, Clone, PartialEq)]
pub struct PatrolCheckRow {
    pub id: String,
    pub round_id: String,
    pub checkpoint_id: String,
    pub outcome: Outcome,
    pub at_ms: i64,
    pub entered_ms: i64,
    pub method: String,
    /// The finder's name.
    pub by: String,
}

const CP_COLS: &str = "id, name, place, code, checklist, active";

fn read_checkpoint(r: &rusqlite::Row) -> rusqlite::Result<CheckpointRow> {
    Ok(CheckpointRow {
        id: r.get(0)?,
        data: CheckpointData {
            name: r.get(1)?,
            place: r.get(2)?,
            code: r.get(3)?,
            checklist: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or_default(),
            active: r.get(5)?,
        },
    })
}

pub(super) const ROUND_COLS: &str = "r.id, r.route_id, r.night, r.slot_ms, r.started_ms, COALESCE(o.name, r.started_by), r.end_ms, r.checkpoints, r.ordered, r.min_walk_min, r.closed_ms, COALESCE(c.name, r.closed_by), r.missed, r.reason";
pub(super) const ROUND_FROM: &str = "patrol_rounds r LEFT JOIN operators o ON o.id = r.started_by LEFT JOIN operators c ON c.id = r.closed_by";

pub(super) fn read_round(r: &rusqlite::Row) -> rusqlite::Result<PatrolRoundRow> {
    let list = |s: Option<String>| -> Vec<String> {
        s.and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default()
    };
    Ok(PatrolRoundRow {
        id: r.get(0)?,
        route_id: r.get(1)?,
        night: r.get(2)?,
        slot_ms: r.get(3)?,
        started_ms: r.get(4)?,
        started_by: r.get(5)?,
        end_ms: r.get(6)?,
        checkpoints: list(r.get(7)?),
        ordered: r.get(8)?,
        min_walk_min: r.get(9)?,
        closed_ms: r.get(10)?,
        closed_by: r.get(11)?,
        missed: list(r.get(12)?),
        reason: r.get(13)?,
    })
}

pub(super) fn read_check(r: &rusqlite::Row) -> rusqlite::Result<PatrolCheckRow> {
    let outcome = if r.get::<_, String>(3)? == "finding" {
        Outcome::Finding {
            failed: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or_default(),
            note: r.get(5)?,
        }
    } else {
        Outcome::Ok
    };
    Ok(PatrolCheckRow {
        id: r.get(0)?,
        round_id: r.get(1)?,
        checkpoint_id: r.get(2)?,
        outcome,
        at_ms: r.get(6)?,
        entered_ms: r.get(7)?,
        method: r.get(8)?,
        by: r.get(9)?,
    })
}

pub(super) const CHECK_COLS: &str = "k.id, k.round_id, k.checkpoint_id, k.outcome, k.failed, k.note, k.at_ms, k.entered_ms, k.method, COALESCE(o.name, k.by)";

impl PatrolRoundRow {
    /// The round as the status rules read it.
    pub fn facts(&self, checks: &[PatrolCheckRow]) -> RoundFacts {
        RoundFacts {
            started_ms: self.started_ms,
            end_ms: self.end_ms,
            closed_ms: self.closed_ms,
            checkpoints: self.checkpoints.clone(),
            ordered: self.ordered,
            min_walk_min: self.min_walk_min,
            checks: checks
                .iter()
                .map(|c| CheckIn {
                    checkpoint_id: c.checkpoint_id.clone(),
                    at_ms: c.at_ms,
                    entered_ms: c.entered_ms,
                    finding: c.outcome.is_finding(),
                })
                .collect(),
        }
    }
}

impl Store {
    /// Every checkpoint (retired ones too when asked), by place and code.
    pub fn checkpoints(&self, with_retired: bool) -> Result<Vec<CheckpointRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CP_COLS} FROM checkpoints WHERE active = 1 OR ?1 ORDER BY place, code, id"
        ))?;
        let rows = stmt.query_map([with_retired], read_checkpoint)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn checkpoint(&self, id: &str) -> Result<Option<CheckpointRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {CP_COLS} FROM checkpoints WHERE id = ?1"))?
            .query_row([id], read_checkpoint)
            .optional()?)
    }

    /// The active checkpoint with a code (as a scanner types it).
    pub fn checkpoint_by_code(&self, code: &str) -> Result<Option<CheckpointRow>, StoreError> {
        let code = patrol::check_code(code).unwrap_or_default();
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {CP_COLS} FROM checkpoints WHERE code = ?1 AND active = 1 ORDER BY id LIMIT 1"
            ))?
            .query_row([code], read_checkpoint)
            .optional()?)
    }

    /// Adds (`id` none) or changes a checkpoint; returns its id. Two
    /// active checkpoints never share a code: a scan must name one place.
    pub fn set_checkpoint(
        &mut self,
        actor: &Actor,
        id: Option<&str>,
        data: &CheckpointData,
    ) -> Result<String, StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            let data = patrol::decide_checkpoint(&a, data)?;
            if data.active
                && let Some(other) = s.checkpoint_by_code(&data.code)?
                && Some(other.id.as_str()) != id
            {
                return Err(DomainError::Invalid(vec![(
                    "code",
                    crate::domain::validate::FieldError::Duplicate,
                )])
                .into());
            }
            let id = match id {
                Some(id) => id.to_string(),
                None => s.new_id(),
            };
            Ok((
                vec![Event::CheckpointSet(CheckpointSet {
                    checkpoint_id: id.clone(),
                    data,
                })],
                id,
            ))
        })
    }

    pub fn routes(&self, with_retired: bool) -> Result<Vec<RouteRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, data FROM routes WHERE active = 1 OR ?1 ORDER BY name, id",
        )?;
        let rows = stmt.query_map([with_retired], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = vec![];
        for row in rows {
            let (id, data) = row?;
            if let Ok(data) = serde_json::from_str(&data) {
                out.push(RouteRow { id, data });
            }
        }
        Ok(out)
    }

    pub fn route(&self, id: &str) -> Result<Option<RouteRow>, StoreError> {
        let data: Option<String> = self
            .conn
            .prepare_cached("SELECT data FROM routes WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        Ok(data
            .and_then(|d| serde_json::from_str(&d).ok())
            .map(|data| RouteRow {
                id: id.to_string(),
                data,
            }))
    }

    /// Adds (`id` none) or changes a route; returns its id.
    pub fn set_route(
        &mut self,
        actor: &Actor,
        id: Option<&str>,
        data: &RouteData,
    ) -> Result<String, StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            let active: Vec<String> = s.checkpoints(false)?.into_iter().map(|c| c.id).collect();
            let data = patrol::decide_route(&a, data, |c| active.iter().any(|x| x == c))?;
            let id = match id {
                Some(id) => id.to_string(),
                None => s.new_id(),
            };
            Ok((
                vec![Event::RouteSet(RouteSet {
                    route_id: id.clone(),
                    data,
                })],
                id,
            ))
        })
    }

    /// Names the person responsible for one night of a route.
    pub fn assign_route(
        &mut self,
        actor: &Actor,
        route_id: &str,
        night: &str,
        person: &str,
    ) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            let person = patrol::decide_assign(&a, person)?;
            s.route(route_id)?.ok_or(DomainError::NotFound)?;
            Ok((
                vec![Event::RouteAssigned(RouteAssigned {
                    route_id: route_id.to_string(),
                    night: night.to_string(),
                    person,
                })],
                (),
            ))
        })
    }

    pub fn route_assignment(
        &self,
        route_id: &str,
        night: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT person FROM route_assignments WHERE route_id = ?1 AND night = ?2",
            )?
            .query_row([route_id, night], |r| r.get(0))
            .optional()?)
    }

    pub fn patrol_round(&self, id: &str) -> Result<Option<PatrolRoundRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {ROUND_COLS} FROM {ROUND_FROM} WHERE r.id = ?1"
            ))?
            .query_row([id], read_round)
            .optional()?)
    }

    /// A round's check-ins in the order the patroller was there.
    pub fn patrol_checks(&self, round_id: &str) -> Result<Vec<PatrolCheckRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CHECK_COLS} FROM patrol_checks k LEFT JOIN operators o ON o.id = k.by
             WHERE k.round_id = ?1 ORDER BY k.at_ms"
        ))?;
        let rows = stmt.query_map([round_id], read_check)?;
        let mut v: Vec<PatrolCheckRow> = rows.collect::<Result<_, _>>()?;
        // Ties in index order would depend on insertion: settle them here.
        v.sort_by(|a, b| (a.at_ms, a.entered_ms, &a.id).cmp(&(b.at_ms, b.entered_ms, &b.id)));
        Ok(v)
    }

    /// Starts a round of a route, for a due time (`slot_ms`) or unscheduled.
    /// One round of a route is open at a time.
    pub fn start_patrol(
        &mut self,
        actor: &Actor,
        route_id: &str,
        slot_ms: Option<i64>,
    ) -> Result<String, StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            let route = s.route(route_id)?.ok_or(DomainError::NotFound)?;
            let now = s.now_ms();
            let off = s.offset_min();
            let night = night_of(slot_ms.unwrap_or(now), off)
                .format("%Y-%m-%d")
                .to_string();
            let assigned = s.route_assignment(route_id, &night)?;
            patrol::decide_start(
                &a,
                route.data.active,
                route.data.named_person,
                assigned.as_deref(),
            )?;
            let open: Option<String> = s
                .conn
                .prepare_cached(
                    "SELECT id FROM patrol_rounds WHERE route_id = ?1 AND closed_ms IS NULL LIMIT 1",
                )?
                .query_row([route_id], |r| r.get(0))
                .optional()?;
            if open.is_some() {
                return Err(DomainError::PatrolOpen.into());
            }
            // A round started late still gets its whole window; the
            // lateness shows on its slot.
            let end_ms =
                now.max(slot_ms.unwrap_or(now)) + route.data.window_min as i64 * 60_000;
            let round_id = s.new_id();
            Ok((
                vec![Event::PatrolStarted(PatrolStarted {
                    round_id: round_id.clone(),
                    route_id: route_id.to_string(),
                    night,
                    slot_ms,
                    end_ms,
                    checkpoints: route.data.checkpoints.clone(),
                    ordered: route.data.order == RouteOrder::Ordered,
                    min_walk_min: route.data.min_walk_min,
                })],
                round_id,
            ))
        })
    }

    /// Checks in a checkpoint. `at_ms` is the time given for an entry made
    /// later; none is now.
    pub fn check_in(
        &mut self,
        actor: &Actor,
        round_id: &str,
        checkpoint_id: &str,
        outcome: &Outcome,
        at_ms: Option<i64>,
        method: Method,
    ) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            let r = s.patrol_round(round_id)?.ok_or(DomainError::NotFound)?;
            let now = s.now_ms();
            let at = at_ms.unwrap_or(now);
            let on_route = r.checkpoints.iter().any(|c| c == checkpoint_id);
            let outcome =
                patrol::decide_check(&a, r.closed_ms.is_some(), on_route, outcome, at, now)?;
            let check_id = s.new_id();
            Ok((
                vec![Event::PatrolChecked(PatrolChecked {
                    round_id: round_id.to_string(),
                    check_id,
                    checkpoint_id: checkpoint_id.to_string(),
                    outcome,
                    at_ms: at,
                    entered_ms: now,
                    method,
                })],
                (),
            ))
        })
    }

    /// A scanned or typed code checked in as OK; returns the checkpoint.
    pub fn check_in_code(
        &mut self,
        actor: &Actor,
        round_id: &str,
        code: &str,
    ) -> Result<CheckpointRow, StoreError> {
        let cp = self
            .checkpoint_by_code(code)?
            .ok_or(DomainError::UnknownCode)?;
        self.check_in(actor, round_id, &cp.id, &Outcome::Ok, None, Method::Code)?;
        Ok(cp)
    }

    /// Closes a round; with checkpoints missed, `reason` is required.
    pub fn close_patrol(
        &mut self,
        actor: &Actor,
        round_id: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            let r = s.patrol_round(round_id)?.ok_or(DomainError::NotFound)?;
            let checks = s.patrol_checks(round_id)?;
            let missed: Vec<String> = r
                .checkpoints
                .iter()
                .filter(|c| !checks.iter().any(|k| &k.checkpoint_id == *c))
                .cloned()
                .collect();
            let reason = patrol::decide_close(&a, r.closed_ms.is_some(), &missed, reason)?;
            Ok((
                vec![Event::PatrolClosed(PatrolClosed {
                    round_id: round_id.to_string(),
                    missed,
                    reason,
                })],
                (),
            ))
        })
    }

    /// Rounds of one night (`YYYY-MM-DD`), by route and start.
    pub fn patrol_rounds_of_night(&self, night: &str) -> Result<Vec<PatrolRoundRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ROUND_COLS} FROM {ROUND_FROM} WHERE r.night = ?1 ORDER BY r.route_id, r.started_ms"
        ))?;
        let rows = stmt.query_map(params![night], read_round)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Rounds still open from earlier nights (left open past their window).
    pub fn patrol_rounds_open_before(
        &self,
        night: &str,
    ) -> Result<Vec<PatrolRoundRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            // `+r.night`: read from the partial index of open rounds (a
            // handful), not every earlier night's rounds through the
            // night index — this runs every tick.
            "SELECT {ROUND_COLS} FROM {ROUND_FROM} WHERE r.closed_ms IS NULL AND +r.night < ?1 ORDER BY r.started_ms, r.id"
        ))?;
        let rows = stmt.query_map(params![night], read_round)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Imports checkpoints (rows already checked): a code already known
    /// updates that checkpoint, a new code adds one, an unchanged row
    /// writes nothing. One transaction: all rows or none. Returns (added,
    /// changed).
    pub fn import_checkpoints(
        &mut self,
        actor: &Actor,
        rows: &[CheckpointData],
    ) -> Result<(usize, usize), StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            let known = s.checkpoints(true)?;
            let (mut added, mut changed) = (0, 0);
            let mut events = vec![];
            for d in rows {
                let d = patrol::decide_checkpoint(&a, d)?;
                let same = known.iter().find(|k| k.data.code == d.code);
                let id = match same {
                    Some(k) if k.data == d => continue,
                    Some(k) => {
                        changed += 1;
                        k.id.clone()
                    }
                    None => {
                        added += 1;
                        s.new_id()
                    }
                };
                events.push(Event::CheckpointSet(CheckpointSet {
                    checkpoint_id: id,
                    data: d,
                }));
            }
            Ok((events, (added, changed)))
        })
    }
}
