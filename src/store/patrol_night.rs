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

impl Store {
    fn round_view(&self, row: PatrolRoundRow, now_ms: i64) -> Result<RoundView, StoreError> {
        let checks = self.patrol_checks(&row.id)?;
        let status = round_status(&row.facts(&checks), now_ms);
        Ok(RoundView {
            row,
            checks,
            status,
        })
    }

    /// Tonight (the night `now` belongs to): every active route's slots
    /// and rounds, and the alerts they add up to.
    pub fn patrol_night(&self, now_ms: i64) -> Result<PatrolNight, StoreError> {
        let off = self.offset_min();
        let date = night_of(now_ms, off);
        let night = date.format("%Y-%m-%d").to_string();
        let mut rounds = self.patrol_rounds_of_night(&night)?;
        let mut out = PatrolNight {
            night: night.clone(),
            ..Default::default()
        };
        for route in self.routes(false)? {
            let mine: Vec<PatrolRoundRow> = {
                let (m, rest): (Vec<_>, Vec<_>) =
                    rounds.into_iter().partition(|r| r.route_id == route.id);
                rounds = rest;
                m
            };
            let mut views = vec![];
            for r in mine {
                let v = self.round_view(r, now_ms)?;
                out.alerts.add_round(&v.status);
                views.push(v);
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
            let assigned = self.route_assignment(&route.id, &night)?;
            if route.data.named_person && assigned.is_none() && !states.is_empty() {
                out.alerts.unassigned += 1;
            }
            out.routes.push(RouteNight {
                route,
                assigned,
                slots: states,
                rounds: views,
            });
        }
        // Rounds of retired routes still count tonight.
        for r in rounds {
            let v = self.round_view(r, now_ms)?;
            out.alerts.add_round(&v.status);
            out.stale.push(v);
        }
        for r in self.patrol_rounds_open_before(&night)? {
            let v = self.round_view(r, now_ms)?;
            out.alerts.add_round(&v.status);
            out.stale.push(v);
        }
        Ok(out)
    }

    /// What the status bar shows for patrols, every tick.
    pub fn patrol_alerts(&self, now_ms: i64) -> Result<PatrolAlerts, StoreError> {
        Ok(self.patrol_night(now_ms)?.alerts)
    }
}
