//! The patrol pane on the frame: the `Pane` trait.

use super::{Mode, PatrolPane, View};
use crate::action::Action;
use crate::domain::role::{Permission, Role, allows};
use crate::keymap::Ctx;
use crate::panes::{Handled, Input, Pane, PaneCtx, RenderCtx};
use crate::store::StoreError;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Position, Rect};

impl Pane for PatrolPane {
    fn title(&self) -> &'static str {
        "pane.patrol"
    }
    fn reload(&mut self, ctx: &mut PaneCtx) -> Result<(), StoreError> {
        PatrolPane::reload(self, ctx)
    }
    fn contexts(&self) -> Vec<Ctx> {
        PatrolPane::contexts(self)
    }
    fn in_text(&self) -> bool {
        PatrolPane::in_text(self)
    }
    fn has_unsaved(&self) -> bool {
        PatrolPane::has_unsaved(self)
    }
    fn key(&mut self, key: KeyEvent, ctx: &mut PaneCtx) -> Handled {
        self.handle(Input::Key(key), ctx)
    }
    fn update(&mut self, a: Action, ctx: &mut PaneCtx) -> Handled {
        self.handle(Input::Act(a), ctx)
    }
    fn render(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) -> Option<Position> {
        PatrolPane::render(self, area, buf, rc)
    }
    fn click(&mut self, x: u16, y: u16, area: Rect, _ctx: &mut PaneCtx) -> bool {
        // The list starts under the view tabs, the night line and the
        // column titles.
        if !matches!(self.mode, Mode::Browse)
            || !area.contains(Position::new(x, y))
            || y < area.y + 3
        {
            return false;
        }
        let len = self.list_len();
        self.list.click((y - area.y - 3) as usize, len).is_some()
    }
    fn poll(&mut self, ctx: &mut PaneCtx) -> bool {
        PatrolPane::poll(self, ctx)
    }
    fn take_request(&mut self) -> Option<crate::panes::PaneRequest> {
        self.request.take()
    }
    fn offers(&self, a: Action, role: Role) -> bool {
        if a == Action::FindingToHazard || a == Action::FindingToLog {
            return self.selected_finding().is_some();
        }
        if !matches!(self.mode, Mode::Browse) {
            return true;
        }
        match a {
            Action::Assign => {
                allows(role, Permission::AssignPatrol)
                    && self
                        .selected_route()
                        .is_some_and(|r| r.route.data.named_person)
            }
            Action::Export => allows(role, Permission::ExportReports),
            Action::Open | Action::NewRound if self.view == View::Tonight => self.tonight_len() > 0,
            Action::New | Action::Open | Action::ToggleActive | Action::Import => {
                allows(role, Permission::ManagePatrol)
            }
            _ => true,
        }
    }
    crate::pane_any!();
}
