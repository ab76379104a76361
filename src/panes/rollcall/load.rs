//! What the roll-call pane reads from the store: the whole building on
//! a reload, and only the marked boarder's line after a mark.

use super::{RollcallPane, View};
use crate::domain::rollcall;
use crate::panes::{PaneCtx, error_text};
use crate::store::StoreError;

impl RollcallPane {
    pub fn reload(&mut self, ctx: &PaneCtx) -> Result<(), StoreError> {
        self.buildings = ctx.store.buildings()?;
        self.building = self.building.min(self.buildings.len().saturating_sub(1));
        let b = self.building_name().to_string();
        let night = rollcall::night_of(ctx.now_ms, ctx.store.offset_min())
            .format("%Y-%m-%d")
            .to_string();
        let tonight = ctx.store.rounds_of_night(&night, &b)?;
        self.round = match ctx.store.open_round(&b)? {
            Some(r) => Some(r),
            None => tonight.first().cloned(),
        };
        // Times from the station's settings: the lights-out roll, then a bed
        // check every so often after the last round — of the night still to
        // come or under way, not of a night that ended this morning.
        self.next_round = if b.is_empty() || self.open_round().is_some() {
            None
        } else {
            let offset = ctx.store.offset_min();
            let due_night = crate::domain::round_due::schedule_night(ctx.now_ms, offset);
            let due_key = due_night.format("%Y-%m-%d").to_string();
            let rounds = if due_key == night {
                tonight
            } else {
                ctx.store.rounds_of_night(&due_key, &b)?
            };
            let held: Vec<_> = rounds.iter().map(|r| (r.kind, r.started_ms)).collect();
            Some(crate::domain::round_due::next_round(
                due_night,
                offset,
                ctx.store
                    .setting(crate::domain::settings::LIGHTS_OUT_MINUTES),
                ctx.store.setting(crate::domain::settings::BED_CHECK_EVERY),
                &held,
            ))
        };
        self.sheet = match &self.round {
            Some(r) => ctx.store.round_sheet(&r.id)?,
            None => vec![],
        };
        self.roll.clamp(self.sheet.len());
        self.bed_map = ctx
            .store
            .bed_map(&b, self.round.as_ref().map(|r| r.id.as_str()))?;
        self.absences = ctx.store.open_absences()?;
        let since = ctx.now_ms - 86_400_000;
        self.sick = ctx.store.sick_log(since)?;
        self.leaves = ctx.store.leaves(since)?;
        self.list.clamp(self.list_len());
        Ok(())
    }

    /// After one mark at this desk only that boarder's line, bed and the
    /// open absences can have changed: re-reading them, not the building,
    /// keeps a mark as fast on the last boarder as on the first.
    pub(super) fn refresh_marked(
        &mut self,
        round_id: &str,
        student_id: &str,
        ctx: &PaneCtx,
    ) -> Result<(), StoreError> {
        let Some(row) = self.sheet.iter_mut().find(|r| r.student.id == student_id) else {
            return self.reload(ctx);
        };
        ctx.store.refresh_sheet_row(round_id, row)?;
        let mark = row.mark;
        for cell in &mut self.bed_map {
            if cell
                .student
                .as_ref()
                .is_some_and(|(id, _)| id == student_id)
            {
                cell.mark = mark;
            }
        }
        self.absences = ctx.store.open_absences()?;
        self.list.clamp(self.list_len());
        Ok(())
    }

    pub(super) fn after_write(&mut self, ctx: &mut PaneCtx) {
        if let Err(e) = self.reload(ctx) {
            ctx.err(error_text(&e));
        }
    }

    pub(super) fn list_len(&self) -> usize {
        match self.view {
            View::Absences => self.absences.len(),
            View::Sick => self.sick.len(),
            View::Leave => self.leaves.len(),
            _ => 0,
        }
    }
}
