//! The hazards pane on the frame: the `Pane` trait.

use super::{HazardsPane, Mode};
use crate::action::Action;
use crate::domain::hazard::Step;
use crate::domain::role::{Actor, Permission, Role, allows};
use crate::keymap::Ctx;
use crate::panes::{Handled, Input, Pane, PaneCtx, RenderCtx};
use crate::store::StoreError;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Position, Rect};

impl Pane for HazardsPane {
    fn title(&self) -> &'static str {
        "pane.hazards"
    }
    fn reload(&mut self, ctx: &mut PaneCtx) -> Result<(), StoreError> {
        HazardsPane::reload(self, ctx)
    }
    fn contexts(&self) -> Vec<Ctx> {
        HazardsPane::contexts(self)
    }
    fn in_text(&self) -> bool {
        HazardsPane::in_text(self)
    }
    fn has_unsaved(&self) -> bool {
        HazardsPane::has_unsaved(self)
    }
    fn key(&mut self, key: KeyEvent, ctx: &mut PaneCtx) -> Handled {
        self.handle(Input::Key(key), ctx)
    }
    fn update(&mut self, a: Action, ctx: &mut PaneCtx) -> Handled {
        self.handle(Input::Act(a), ctx)
    }
    fn render(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) -> Option<Position> {
        HazardsPane::render(self, area, buf, rc)
    }
    fn click(&mut self, x: u16, y: u16, area: Rect, _ctx: &mut PaneCtx) -> bool {
        // The list starts under the tabs, the filter line and its titles.
        if !matches!(self.mode, Mode::Browse)
            || !area.contains(Position::new(x, y))
            || y < area.y + 3
        {
            return false;
        }
        let row = (y - area.y - 3) as usize;
        self.list.click(row, self.rows.len()).is_some()
    }
    fn poll(&mut self, ctx: &mut PaneCtx) -> bool {
        HazardsPane::poll(self, ctx)
    }
    fn offers(&self, a: Action, role: Role) -> bool {
        if !matches!(self.mode, Mode::Browse | Mode::History { .. }) {
            return true;
        }
        // The operator the pane was loaded for, while the role agrees.
        let who = self.me.clone().filter(|a| a.role == role).unwrap_or(Actor {
            id: String::new(),
            name: String::new(),
            role,
        });
        let steps = self.steps(&who);
        match a {
            Action::Assign => steps.contains(&Step::Assign),
            Action::Rectify => steps.contains(&Step::Rectify),
            Action::Verify => steps.contains(&Step::Verify),
            Action::CloseHazard => steps.contains(&Step::Close),
            Action::Reopen => steps.contains(&Step::Reopen),
            Action::Open => self.selected().is_some(),
            Action::Export => allows(role, Permission::ExportReports),
            _ => true,
        }
    }
    crate::pane_any!();
}
