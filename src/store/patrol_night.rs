//! Tonight's patrols as the pane and the status bar see them: each route's
//! due rounds and where they stand, and each round's honest status. Read
//! from tonight's rounds (indexed by night) and the open ones, so it costs
//! the same on the first night and the last of a school year.

use super::patrol::{PatrolCheckRow, PatrolRoundRow, RouteRow};
use super::{Store, StoreError};
use crate::domain::patrol_status::{
    PatrolAlerts, RoundStatus, Slot, SlotState, round_status, slot_state, slots,
};
use crate::domain::rollcall::night_of;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct RoundView {
    pub row: PatrolRoundRow,
    pub checks: Vec<PatrolCheckRow>,
    pub status: RoundStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RouteNight {
    pub route: RouteRow,
    /// The person named for tonight (special-period routes).
    pub assigned: Option<String>,
    pub slots: Vec<(Slot, SlotState)>,
    pub rounds: Vec<RoundView>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PatrolNight {
    pub night: String,
    pub routes: Vec<RouteNight>,
    /// Rounds of earlier nights still open.
    pub stale: Vec<RoundView>,
    pub alerts: PatrolAlerts,
}

impl PatrolNight {
    /// The open round of a route, if any (tonight's or an earlier one).
    pub fn open_round(&self, route_id: &str) -> Option<&RoundView> {
        self.routes
            .iter()
            .filter(|r| r.route.id == route_id)
            .flat_map(|r| r.rounds.iter())
            .chain(self.stale.iter().filter(|v| v.row.route_id == route_id))
            .find(|v| v.row.closed_ms.is_none())
    }
}

/// Tonight's rows as read from the file. The status bar asks for tonight's
/// patrols every second: the rows are kept between asks until this
/// connection writes or another process commits, and only the statuses,
/// which move with the clock, are worked out again.
#[derive(Default)]
pub(crate) struct NightRows {
    /// (`Store::written_stamp`, night) when read.
    stamp: Option<((u64, i64), String)>,
    routes: Vec<(RouteRow, Option<String>)>,
    tonight: Vec<PatrolRoundRow>,
    open_before: Vec<PatrolRoundRow>,
    checks: HashMap<String, Vec<PatrolCheckRow>>,
}

impl Store {
    /// Reads tonight's rows, or takes the kept ones if nothing was written
    /// since. Inside a transaction the rows are read and not kept: a
    /// rollback would leave them describing writes that never happened.
    fn with_night_rows<T>(
        &self,
        night: &str,
        f: impl FnOnce(&NightRows) -> T,
    ) -> Result<T, StoreError> {
        let keep = self.conn.is_autocommit();
        let stamp = (self.written_stamp()?, night.to_string());
        let mut kept = self.night_rows.borrow_mut();
        if keep && kept.stamp.as_ref() == Some(&stamp) {
            return Ok(f(&kept));
        }
        let tonight = self.patrol_rounds_of_night(night)?;
        let open_before = self.patrol_rounds_open_before(night)?;
        let mut checks = HashMap::new();
        for r in tonight.iter().chain(&open_before) {
            checks.insert(r.id.clone(), self.patrol_checks(&r.id)?);
        }
        let mut routes = vec![];
        for route in self.routes(false)? {
            let assigned = self.route_assignment(&route.id, night)?;
            routes.push((route, assigned));
        }
        let rows = NightRows {
            stamp: keep.then_some(stamp),
            routes,
            tonight,
            open_before,
            checks,
        };
        let out = f(&rows);
        if keep {
            *kept = rows;
        }
        Ok(out)
    }

    /// Tonight (the night `now` belongs to): every active route's slots
    /// and rounds, and the alerts they add up to.
    pub fn patrol_night(&self, now_ms: i64) -> Result<PatrolNight, StoreError> {
        let off = self.offset_min();
        let date = night_of(now_ms, off);
        let night = date.format("%Y-%m-%d").to_string();
        self.with_night_rows(&night, |rows| {
            let view = |row: &PatrolRoundRow| {
                let checks = rows.checks.get(&row.id).cloned().unwrap_or_default();
                let status = round_status(&row.facts(&checks), now_ms);
                RoundView {
                    row: row.clone(),
                    checks,
                    status,
                }
            };
            let mut out = PatrolNight {
                night: night.clone(),
                ..Default::default()
            };
            let mut taken = vec![false; rows.tonight.len()];
            for (route, assigned) in &rows.routes {
                let mut views = vec![];
                for (i, r) in rows.tonight.iter().enumerate() {
                    if r.route_id == route.id {
                        taken[i] = true;
                        let v = view(r);
                        out.alerts.add_round(&v.status);
                        views.push(v);
                    }
                }
                let mut states = vec![];
                for slot in slots(&route.data, date, off) {
                    let started: Vec<i64> = views
                        .iter()
                        .filter(|v| v.row.slot_ms == Some(slot.due_ms))
                        .map(|v| v.row.started_ms)
                        .collect();
                    let st = slot_state(&slot, &started, now_ms);
                    out.alerts.add_slot(st);
                    states.push((slot, st));
                }
                if route.data.named_person && assigned.is_none() && !states.is_empty() {
                    out.alerts.unassigned += 1;
                }
                out.routes.push(RouteNight {
                    route: route.clone(),
                    assigned: assigned.clone(),
                    slots: states,
                    rounds: views,
                });
            }
            // Rounds of retired routes still count tonight.
            let retired = rows.tonight.iter().zip(&taken).filter(|(_, t)| !**t);
            for r in retired.map(|(r, _)| r).chain(&rows.open_before) {
                let v = view(r);
                out.alerts.add_round(&v.status);
                out.stale.push(v);
            }
            out
        })
    }

    /// What the status bar shows for patrols, every tick.
    pub fn patrol_alerts(&self, now_ms: i64) -> Result<PatrolAlerts, StoreError> {
        Ok(self.patrol_night(now_ms)?.alerts)
    }
}
