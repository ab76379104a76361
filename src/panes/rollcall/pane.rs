//! The roll-call pane on the frame: the `Pane` trait, and the small rules
//! its dialogs share (a prompt's Esc, when a late boarder came back).

use super::{Mode, RollcallPane, View};
use crate::action::Action;
use crate::domain::time;
use crate::i18n::tr;
use crate::keymap::Ctx;
use crate::panes::{Handled, Input, Pane, PaneCtx, RenderCtx};
use crate::store::StoreError;
use crate::ui::form::FormStep;
use crate::ui::prompt::Prompt;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Position, Rect};

/// A prompt's share of an action, with the "Esc again" warning shown.
pub(super) fn prompt_step(p: &mut Prompt, a: Action, ctx: &mut PaneCtx) -> FormStep {
    let step = p.update(a);
    if step == FormStep::Armed {
        ctx.err(tr("form.esc_again"));
    }
    step
}

/// When a late boarder came back, from "HH:MM": the latest such moment not
/// after now (23:50 typed at 00:10 is last night, not tonight).
pub(super) fn late_time(text: &str, ctx: &PaneCtx) -> Result<i64, &'static str> {
    let min = time::parse_hhmm(text).ok_or("err.time_format")?;
    let off = ctx.store.offset_min();
    let mut at = time::today_at(ctx.now_ms, off, min);
    if at > ctx.now_ms {
        at -= 86_400_000;
    }
    if ctx.now_ms - at > 12 * 3_600_000 {
        return Err("roll.late_too_old");
    }
    Ok(at)
}

impl Pane for RollcallPane {
    fn title(&self) -> &'static str {
        "pane.rollcall"
    }
    fn reload(&mut self, ctx: &mut PaneCtx) -> Result<(), StoreError> {
        RollcallPane::reload(self, ctx)
    }
    fn contexts(&self) -> Vec<Ctx> {
        RollcallPane::contexts(self)
    }
    fn in_text(&self) -> bool {
        RollcallPane::in_text(self)
    }
    fn has_unsaved(&self) -> bool {
        RollcallPane::has_unsaved(self)
    }
    fn key(&mut self, key: KeyEvent, ctx: &mut PaneCtx) -> Handled {
        self.handle(Input::Key(key), ctx)
    }
    fn update(&mut self, a: Action, ctx: &mut PaneCtx) -> Handled {
        self.handle(Input::Act(a), ctx)
    }
    fn render(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) -> Option<Position> {
        RollcallPane::render(self, area, buf, rc)
    }
    fn click(&mut self, x: u16, y: u16, area: Rect, _ctx: &mut PaneCtx) -> bool {
        // The list starts under the header (2 lines) and its column titles.
        if !matches!(self.mode, Mode::Browse)
            || !area.contains(Position::new(x, y))
            || y < area.y + 3
        {
            return false;
        }
        let row = (y - area.y - 3) as usize;
        match self.view {
            View::Roll => self.roll.click(row, self.sheet.len()).is_some(),
            View::BedMap => false,
            _ => {
                let len = self.list_len();
                self.list.click(row, len).is_some()
            }
        }
    }
    fn poll(&mut self, ctx: &mut PaneCtx) -> bool {
        RollcallPane::poll(self, ctx)
    }
    fn offers(&self, a: Action, role: crate::domain::role::Role) -> bool {
        if !matches!(self.mode, Mode::Browse) {
            return true;
        }
        let open = self.open_round().is_some();
        match a {
            Action::MarkPresent
            | Action::MarkAbsent
            | Action::MarkLeave
            | Action::MarkSick
            | Action::MarkLate
            | Action::RoomPresent
            | Action::FloorPresent
            | Action::CloseRound => open && !self.sheet.is_empty(),
            Action::NewRound => !open && !self.buildings.is_empty(),
            Action::History => self.round.is_some(),
            Action::NextBuilding => self.buildings.len() > 1,
            Action::Import => {
                crate::domain::role::allows(role, crate::domain::role::Permission::ManageRoster)
            }
            Action::Export => {
                crate::domain::role::allows(role, crate::domain::role::Permission::ExportReports)
            }
            Action::New => matches!(self.view, View::Sick | View::Leave),
            Action::Open => match self.view {
                View::Roll | View::BedMap => self.selected().is_some(),
                View::Absences => !self.absences.is_empty(),
                View::Sick => self
                    .sick
                    .get(self.list.sel)
                    .is_some_and(|s| s.closed_ms.is_none()),
                View::Leave => self
                    .leaves
                    .get(self.list.sel)
                    .is_some_and(|l| l.returned_ms.is_none()),
            },
            _ => true,
        }
    }
    crate::pane_any!();
}
