//! The duty roster (值班表): shift times per station, roster lines, and
//! planned against actual from the sign-ons.

use super::{Store, StoreError};
use crate::domain::duty::{
    self, DEFAULT_GRACE_MIN, DutyFlag, DutyPlan, EARLY_MIN, check_shift_defs, decide_plan,
};
use crate::domain::error::DomainError;
use crate::domain::event::{DutyPlanned, DutyShiftsSet, Event};
use crate::domain::role::{Actor, Permission, require};
use crate::domain::shift::{ShiftDef, ShiftId, default_shifts, shift_at};
use crate::domain::validate::FieldError;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

/// Longest grace an admin may set, in minutes.
pub const MAX_GRACE_MIN: i64 = 240;

/// A roster line as the roster view shows it: the plan, its window, and
/// planned against actual.
#[derive(Debug, Clone, PartialEq)]
pub struct DutyRow {
    pub shift: ShiftId,
    pub def: ShiftDef,
    pub window: (i64, i64),
    pub plan: Option<DutyPlan>,
    pub arrivals: Vec<duty::Arrival>,
    pub flags: Vec<DutyFlag>,
}

impl Store {
    /// A station's shifts: as an admin set them, else the defaults.
    pub fn shift_defs(&self, station_id: &str) -> Result<Vec<ShiftDef>, StoreError> {
        Ok(self
            .duty_shift_row(station_id)?
            .map_or_else(default_shifts, |r| r.0))
    }

    /// Minutes after a shift's start before an arrival is late.
    pub fn duty_grace_min(&self, station_id: &str) -> Result<i64, StoreError> {
        Ok(self
            .duty_shift_row(station_id)?
            .map_or(DEFAULT_GRACE_MIN, |r| r.1))
    }

    fn duty_shift_row(&self, station_id: &str) -> Result<Option<(Vec<ShiftDef>, i64)>, StoreError> {
        let row: Option<(String, i64)> = self
            .conn
            .prepare_cached("SELECT shifts, grace_min FROM duty_shifts WHERE station_id = ?1")?
            .query_row([station_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(row.and_then(|(s, g)| {
            serde_json::from_str::<Vec<ShiftDef>>(&s)
                .ok()
                .filter(|d| !d.is_empty())
                .map(|d| (d, g))
        }))
    }

    /// Sets a station's shift times and grace (admins).
    pub fn set_shift_defs(
        &mut self,
        actor: &Actor,
        station_id: &str,
        defs: Vec<ShiftDef>,
        grace_min: i64,
    ) -> Result<(), StoreError> {
        self.write(actor, |s| {
            require(actor.role, Permission::ManageDuty)?;
            s.require_known_station(station_id)?;
            if defs.is_empty() {
                return Err(invalid("shifts", FieldError::Required));
            }
            check_shift_defs(&defs)?;
            if !(0..=MAX_GRACE_MIN).contains(&grace_min) {
                return Err(invalid(
                    "grace",
                    FieldError::OutOfRange {
                        min: 0,
                        max: MAX_GRACE_MIN,
                    },
                ));
            }
            let ev = Event::DutyShiftsSet(DutyShiftsSet {
                station_id: station_id.to_string(),
                shifts: defs,
                grace_min,
            });
            Ok((vec![ev], ()))
        })
    }

    fn require_known_station(&self, station_id: &str) -> Result<(), StoreError> {
        let known: bool = self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM stations WHERE id = ?1)")?
            .query_row([station_id], |r| r.get(0))?;
        if known {
            Ok(())
        } else {
            Err(invalid("station", FieldError::Required))
        }
    }

    /// Sets one roster line (admins). Returns false when the line already
    /// reads so: nothing is written, so a re-import adds no events.
    pub fn plan_duty(&mut self, actor: &Actor, plan: DutyPlan) -> Result<bool, StoreError> {
        self.write(actor, |s| {
            let ev = s.decide_duty(actor, &plan)?;
            let changed = ev.is_some();
            Ok((ev.into_iter().collect(), changed))
        })
    }

    /// Many roster lines in one transaction (an import): all or none.
    /// Returns how many changed.
    pub fn plan_duties(&mut self, actor: &Actor, plans: &[DutyPlan]) -> Result<usize, StoreError> {
        self.write(actor, |s| {
            let mut evs = vec![];
            for p in plans {
                evs.extend(s.decide_duty(actor, p)?);
            }
            let n = evs.len();
            Ok((evs, n))
        })
    }

    fn decide_duty(&self, actor: &Actor, plan: &DutyPlan) -> Result<Option<Event>, StoreError> {
        require(actor.role, Permission::ManageDuty)?;
        self.require_known_station(&plan.shift.station_id)?;
        let defs = self.shift_defs(&plan.shift.station_id)?;
        let plan = decide_plan(plan, &defs)?;
        if self.duty_plan(&plan.shift)?.as_ref() == Some(&plan) {
            return Ok(None);
        }
        Ok(Some(Event::DutyPlanned(DutyPlanned {
            plan,
            removed: false,
        })))
    }

    /// Removes a roster line (admins); the removal keeps the line it removed.
    pub fn remove_duty(&mut self, actor: &Actor, shift: &ShiftId) -> Result<(), StoreError> {
        self.write(actor, |s| {
            require(actor.role, Permission::ManageDuty)?;
            let plan = s.duty_plan(shift)?.ok_or(DomainError::NotFound)?;
            let ev = Event::DutyPlanned(DutyPlanned {
                plan,
                removed: true,
            });
            Ok((vec![ev], ()))
        })
    }

    pub fn duty_plan(&self, shift: &ShiftId) -> Result<Option<DutyPlan>, StoreError> {
        let body: Option<String> = self
            .conn
            .prepare_cached("SELECT plan FROM duty_plans WHERE key = ?1")?
            .query_row([shift.key()], |r| r.get(0))
            .optional()?;
        Ok(body.and_then(|b| serde_json::from_str(&b).ok()))
    }

    /// Roster lines from `from` to `to` (inclusive), of one station or all,
    /// by date, station and shift.
    pub fn duty_plans(
        &self,
        station_id: Option<&str>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DutyPlan>, StoreError> {
        let (from, to) = (
            from.format("%Y-%m-%d").to_string(),
            to.format("%Y-%m-%d").to_string(),
        );
        let bodies: Vec<String> = match station_id {
            Some(st) => {
                let mut stmt = self.conn.prepare_cached(
                    "SELECT plan FROM duty_plans WHERE station_id = ?1 AND date >= ?2 AND date <= ?3 ORDER BY date, shift",
                )?;
                let rows = stmt.query_map(params![st, from, to], |r| r.get(0))?;
                rows.collect::<Result<_, _>>()?
            }
            None => {
                let mut stmt = self.conn.prepare_cached(
                    "SELECT plan FROM duty_plans WHERE date >= ?1 AND date <= ?2 ORDER BY date, station_id, shift",
                )?;
                let rows = stmt.query_map(params![from, to], |r| r.get(0))?;
                rows.collect::<Result<_, _>>()?
            }
        };
        Ok(bodies
            .iter()
            .filter_map(|b| serde_json::from_str(b).ok())
            .collect())
    }

    /// Each operator's first sign-on at a station in `[from, to)`: id, name,
    /// time, earliest first. One range read on the sign-ons' key.
    pub fn arrivals(
        &self,
        station_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<duty::Arrival>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.operator_id, COALESCE(o.name, s.operator_id), MIN(s.at_ms) AS first
             FROM signons s LEFT JOIN operators o ON o.id = s.operator_id
             WHERE s.station_id = ?1 AND s.at_ms >= ?2 AND s.at_ms < ?3
             GROUP BY s.operator_id ORDER BY first, s.operator_id",
        )?;
        let rows = stmt.query_map(params![station_id, from_ms, to_ms], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn admin_ids(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM operators WHERE role = 'admin'")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A station's UTC offset: its own record, else this station's.
    fn offset_of(&self, station_id: &str) -> i32 {
        self.conn
            .prepare_cached("SELECT utc_offset_min FROM stations WHERE id = ?1")
            .and_then(|mut s| s.query_row([station_id], |r| r.get(0)))
            .unwrap_or_else(|_| self.offset_min())
    }

    /// One shift's roster line, window, arrivals and flags.
    pub fn duty_row(
        &self,
        shift: &ShiftId,
        now_ms: i64,
        handed_over_prev: Option<bool>,
    ) -> Result<Option<DutyRow>, StoreError> {
        let defs = self.shift_defs(&shift.station_id)?;
        let (Some(def), Some(date)) = (
            defs.iter().find(|d| d.key == shift.shift),
            shift.naive_date(),
        ) else {
            return Ok(None);
        };
        let window = def.window(date, self.offset_of(&shift.station_id));
        let plan = self.duty_plan(shift)?;
        let mut arrivals =
            self.arrivals(&shift.station_id, window.0 - EARLY_MIN * 60_000, window.1)?;
        // An admin signing on to keep the station (operators, the roster
        // itself) is not on duty unless the line names them.
        let admins = self.admin_ids()?;
        arrivals.retain(|(id, name, _)| {
            !admins.contains(id)
                || plan
                    .as_ref()
                    .is_some_and(|p| p.everyone().any(|q| q.is(id, name)))
        });
        let grace = self.duty_grace_min(&shift.station_id)?;
        let flags = duty::duty_flags(
            plan.as_ref(),
            window,
            &arrivals,
            now_ms,
            grace,
            handed_over_prev,
        );
        Ok(Some(DutyRow {
            shift: shift.clone(),
            def: def.clone(),
            window,
            plan,
            arrivals,
            flags,
        }))
    }

    /// Planned against actual for one shift (no flags for a shift the
    /// station does not have).
    pub fn duty_flags(
        &self,
        shift: &ShiftId,
        now_ms: i64,
        handed_over_prev: Option<bool>,
    ) -> Result<Vec<DutyFlag>, StoreError> {
        Ok(self
            .duty_row(shift, now_ms, handed_over_prev)?
            .map(|r| r.flags)
            .unwrap_or_default())
    }

    /// The shift running now at this station, if any.
    pub fn current_shift(&self, now_ms: i64) -> Result<Option<ShiftId>, StoreError> {
        let Some(st) = self.station() else {
            return Ok(None);
        };
        let defs = self.shift_defs(&st.id)?;
        Ok(
            shift_at(&defs, now_ms, st.utc_offset_min)
                .map(|(d, s)| ShiftId::new(&st.id, d, &s.key)),
        )
    }

    /// The status bar's duty alerts: flags of this station's current shift
    /// that need someone (late, uncovered, unplanned). A few key lookups
    /// and one range read of the shift's sign-ons, every tick.
    pub fn duty_alert_count(&self, now_ms: i64) -> Result<usize, StoreError> {
        Ok(self.duty_alerts(now_ms)?.len())
    }

    /// The status bar's duty alerts, by kind.
    pub fn duty_status(&self, now_ms: i64) -> Result<duty::DutyAlerts, StoreError> {
        Ok(duty::DutyAlerts::from_flags(&self.duty_alerts(now_ms)?))
    }

    /// The flags `duty_alert_count` counts, for the status bar's words.
    pub fn duty_alerts(&self, now_ms: i64) -> Result<Vec<DutyFlag>, StoreError> {
        let Some(id) = self.current_shift(now_ms)? else {
            return Ok(vec![]);
        };
        let mut flags = self.duty_flags(&id, now_ms, None)?;
        flags.retain(DutyFlag::alerts);
        Ok(flags)
    }

    /// A week (or any span) of one station's shifts, planned or not, by
    /// date and start time: what the roster view lists.
    pub fn duty_rows(
        &self,
        station_id: &str,
        from: NaiveDate,
        days: u32,
        now_ms: i64,
    ) -> Result<Vec<DutyRow>, StoreError> {
        let mut defs = self.shift_defs(station_id)?;
        defs.sort_by_key(|d| d.start_min);
        let mut out = vec![];
        for i in 0..days {
            let date = from + chrono::Duration::days(i as i64);
            for d in &defs {
                let id = ShiftId::new(station_id, date, &d.key);
                let prev = self.prev_handed_over(&id)?;
                if let Some(row) = self.duty_row(&id, now_ms, prev)? {
                    out.push(row);
                }
            }
        }
        Ok(out)
    }

    /// Every station of the school this log knows, by name: id, name.
    pub fn duty_stations(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, name FROM stations s WHERE NOT EXISTS (SELECT 1 FROM retired_stations r WHERE r.station_id = s.id) ORDER BY name, id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn invalid(field: &'static str, e: FieldError) -> StoreError {
    DomainError::Invalid(vec![(field, e)]).into()
}
