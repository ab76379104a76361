//! The handover sheet composed live from every pane's records: what is open
//! now, each record once, by reference. Every part reads what is open (or
//! what happened in the shift's window) through an index, so a sheet costs
//! the same on the first day and the last of a school year.

use super::{Store, StoreError};
use crate::domain::handover::{ItemState, Section, SheetItem, compose};
use crate::domain::hazard::{self, Status};
use crate::domain::patrol_status::SlotState;
use crate::domain::shift::ShiftId;
use crate::domain::visit;
use crate::store::hazards::HazardFilter;

/// A sheet: its shift, the shift's window and the items, in section order.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub shift: ShiftId,
    pub window: (i64, i64),
    pub items: Vec<SheetItem>,
}

impl Sheet {
    pub fn section(&self, s: Section) -> impl Iterator<Item = &SheetItem> {
        self.items.iter().filter(move |i| i.section == s)
    }

    pub fn count(&self, s: Section) -> usize {
        self.section(s).count()
    }
}

impl Store {
    /// The shift's window at its station (the station's shift times).
    pub fn shift_window(&self, shift: &ShiftId) -> Result<Option<(i64, i64)>, StoreError> {
        let defs = self.shift_defs(&shift.station_id)?;
        let (Some(def), Some(date)) = (
            defs.iter().find(|d| d.key == shift.shift),
            shift.naive_date(),
        ) else {
            return Ok(None);
        };
        Ok(Some(def.window(date, self.offset_min())))
    }

    /// Everything still open that the incoming shift takes over, composed
    /// at `now_ms`. Items opened before the shift began are marked carried.
    pub fn compose_sheet(&self, shift: &ShiftId, now_ms: i64) -> Result<Sheet, StoreError> {
        let window = self.shift_window(shift)?.unwrap_or((now_ms, now_ms));
        let (start, end) = window;
        let mut items = vec![];
        // Visitors still on site and overstays: the on-site list is small.
        for v in self.on_site()? {
            let state = if visit::is_overstay(v.time_in, v.details.expected_minutes, now_ms) {
                ItemState::Overstay
            } else {
                ItemState::OnSite
            };
            let detail = [v.details.host.as_str(), v.details.purpose.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" · ");
            items.push(SheetItem::new(
                Section::Visitors,
                format!("visit:{}", v.id),
                state,
                &v.details.name,
                &detail,
                v.time_in,
            ));
        }
        self.boarder_items(&mut items, now_ms, end)?;
        // Roll-call rounds of the shift's nights.
        let first = crate::domain::rollcall::night_of(start, self.offset_min());
        let last = crate::domain::rollcall::night_of(end.min(now_ms).max(start), self.offset_min());
        for r in self.rounds_between(
            &first.format("%Y-%m-%d").to_string(),
            &last.format("%Y-%m-%d").to_string(),
        )? {
            if r.started_ms >= end {
                continue;
            }
            let state = if r.closed_ms.is_some() {
                ItemState::RoundDone
            } else {
                ItemState::RoundOpen
            };
            items.push(SheetItem::new(
                Section::Rollcall,
                format!("round:{}", r.id),
                state,
                &r.building,
                r.kind.key(),
                r.started_ms,
            ));
        }
        self.patrol_items(&mut items, now_ms, window)?;
        self.hazard_items(&mut items, now_ms, window)?;
        // The shift log: instructions from above first, then every entry
        // still waiting for its follow-up (whatever shift wrote it).
        for (list, state) in [
            (
                self.open_instructions(Some(&shift.station_id))?,
                ItemState::Instruction,
            ),
            (
                self.open_log_entries(Some(&shift.station_id))?,
                ItemState::LogOpen,
            ),
        ] {
            for e in list {
                items.push(SheetItem::new(
                    Section::Log,
                    format!("shiftlog:{}", e.entry_id),
                    state,
                    &e.fields.what,
                    &e.fields.action_taken,
                    e.fields.at_ms,
                ));
            }
        }
        Ok(Sheet {
            shift: shift.clone(),
            window,
            items: compose(items, start),
        })
    }

    fn boarder_items(
        &self,
        items: &mut Vec<SheetItem>,
        now_ms: i64,
        shift_end: i64,
    ) -> Result<(), StoreError> {
        for a in self.open_absences()? {
            let state = if a.followups == 0 {
                ItemState::Unaccounted
            } else {
                ItemState::AbsentFollowup
            };
            let since = self
                .round(&a.round_id)?
                .map(|r| r.started_ms)
                .unwrap_or(now_ms);
            items.push(SheetItem::new(
                Section::Boarders,
                format!("student:{}", a.student_id),
                state,
                &a.name,
                format!("{} {}", a.class, a.building).trim(),
                since,
            ));
        }
        for s in self
            .sick_log(now_ms)?
            .into_iter()
            .filter(|s| s.closed_ms.is_none())
        {
            items.push(SheetItem::new(
                Section::Boarders,
                format!("sick:{}", s.id),
                ItemState::Sick,
                &s.name,
                &s.symptoms,
                s.at_ms,
            ));
        }
        for l in self
            .leaves(now_ms)?
            .into_iter()
            .filter(|l| l.returned_ms.is_none())
        {
            let overdue = l.due_ms < now_ms;
            let state = match (l.gate, overdue) {
                (true, true) => ItemState::GateOverdue,
                (true, false) => ItemState::GateOut,
                (false, true) => ItemState::LeaveOverdue,
                (false, false) if l.due_ms < shift_end => ItemState::LeaveDue,
                // Away on leave, not due back this shift: not the shift's business.
                (false, false) => continue,
            };
            let kind = if l.gate { "departure" } else { "leave" };
            let due = crate::domain::time::fmt_local(l.due_ms, self.offset_min(), "%m-%d %H:%M");
            items.push(SheetItem::new(
                Section::Boarders,
                format!("{kind}:{}", l.id),
                state,
                &l.name,
                &format!("{} → {due}", l.class),
                l.from_ms,
            ));
        }
        Ok(())
    }

    fn patrol_items(
        &self,
        items: &mut Vec<SheetItem>,
        now_ms: i64,
        (start, end): (i64, i64),
    ) -> Result<(), StoreError> {
        let night = self.patrol_night(now_ms)?;
        let names: std::collections::HashMap<String, String> = self
            .checkpoints(true)?
            .into_iter()
            .map(|c| (c.id, c.data.name))
            .collect();
        let rounds = night
            .routes
            .iter()
            .flat_map(|r| {
                r.rounds
                    .iter()
                    .map(move |v| (r.route.data.name.as_str(), v))
            })
            .chain(night.stale.iter().map(|v| ("", v)));
        for (route, v) in rounds {
            if v.row.started_ms >= end || v.row.closed_ms.is_some_and(|c| c < start) {
                continue;
            }
            let state = if !v.status.missed.is_empty() {
                ItemState::PatrolMissed
            } else if v.row.closed_ms.is_some() {
                ItemState::PatrolDone
            } else {
                ItemState::PatrolOpen
            };
            let label = if route.is_empty() {
                v.row.route_id.clone()
            } else {
                route.to_string()
            };
            let detail = v
                .status
                .missed
                .iter()
                .map(|id| names.get(id).map_or(id.as_str(), String::as_str))
                .collect::<Vec<_>>()
                .join("、");
            items.push(SheetItem::new(
                Section::Patrol,
                format!("patrol:{}", v.row.id),
                state,
                &label,
                &detail,
                v.row.started_ms,
            ));
        }
        // Due rounds the shift let pass without starting.
        for r in &night.routes {
            for (slot, st) in &r.slots {
                if slot.due_ms < start || slot.due_ms >= end {
                    continue;
                }
                if let SlotState::NotStarted { .. } | SlotState::Overdue { started: 0 } = st {
                    items.push(SheetItem::new(
                        Section::Patrol,
                        format!("route:{}/{}", r.route.id, slot.due_ms),
                        ItemState::PatrolMissed,
                        &r.route.data.name,
                        "",
                        slot.due_ms,
                    ));
                }
            }
        }
        Ok(())
    }

    fn hazard_items(
        &self,
        items: &mut Vec<SheetItem>,
        now_ms: i64,
        (start, end): (i64, i64),
    ) -> Result<(), StoreError> {
        let mut push = |h: &hazard::HazardView, state| {
            items.push(SheetItem::new(
                Section::Hazards,
                format!("hazard:{}", h.id),
                state,
                &h.place,
                &h.description,
                h.found_ms,
            ));
        };
        // Overdue first: `compose` keeps the first state a record is listed with.
        let overdue = HazardFilter {
            overdue: true,
            limit: 200,
            ..Default::default()
        };
        for h in self.hazards(&overdue, now_ms)? {
            push(&h, ItemState::HazardOverdue);
        }
        let rectified = HazardFilter {
            status: Some(Status::Rectified),
            limit: 200,
            ..Default::default()
        };
        for h in self.hazards(&rectified, now_ms)? {
            push(&h, ItemState::HazardAwaitingVerify);
        }
        let new = HazardFilter {
            from_ms: Some(start),
            to_ms: Some(end),
            limit: 200,
            ..Default::default()
        };
        for h in self.hazards(&new, now_ms)? {
            push(&h, ItemState::HazardNew);
        }
        Ok(())
    }
}
