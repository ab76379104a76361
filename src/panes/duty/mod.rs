//! Duty pane (值班): the handover sheet (交接班), the shift log (值班记录)
//! and the duty roster (值班表). Each view is a `Pane` of its own in its own
//! folder; this one only puts the view tabs on top and passes everything to
//! the view in front, so the three share the frame's keys, help and hints.

pub mod log;
pub mod roster;
pub mod sheet;

use super::{Handled, Pane, PaneCtx, PaneRequest, RenderCtx};
use crate::action::Action;
use crate::domain::role::Role;
use crate::i18n::tr;
use crate::keymap::Ctx;
use crate::store::StoreError;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Position, Rect};

pub struct DutyPane {
    views: Vec<Box<dyn Pane>>,
    current: usize,
    /// Each view's tab: the rectangles drawn last (for clicks).
    tabs: std::cell::RefCell<Vec<Rect>>,
}

impl Default for DutyPane {
    fn default() -> Self {
        Self::new()
    }
}

impl DutyPane {
    pub fn new() -> Self {
        Self::with_views(views())
    }

    pub fn with_views(views: Vec<Box<dyn Pane>>) -> Self {
        DutyPane {
            views,
            current: 0,
            tabs: Default::default(),
        }
    }

    /// The view in front, for tests and for requests handed between panes.
    pub fn view<T: 'static>(&self) -> Option<&T> {
        self.views
            .iter()
            .find_map(|v| v.as_any().downcast_ref::<T>())
    }

    pub fn view_mut<T: 'static>(&mut self) -> Option<&mut T> {
        self.views
            .iter_mut()
            .find_map(|v| v.as_any_mut().downcast_mut::<T>())
    }

    /// Brings the view of type `T` to the front (and loads it).
    pub fn show<T: 'static>(&mut self, ctx: &mut PaneCtx) -> bool {
        match self.views.iter().position(|v| v.as_any().is::<T>()) {
            Some(i) => {
                self.switch(i, ctx);
                true
            }
            None => false,
        }
    }

    pub fn current(&self) -> usize {
        self.current
    }

    fn switch(&mut self, i: usize, ctx: &mut PaneCtx) {
        if i < self.views.len() {
            self.current = i;
            self.views[i].focus(ctx);
        }
    }

    fn front(&self) -> &dyn Pane {
        self.views[self.current].as_ref()
    }

    fn front_mut(&mut self) -> &mut dyn Pane {
        self.views[self.current].as_mut()
    }

    /// Views may be switched only when nothing is half-typed in the one in front.
    fn may_switch(&self) -> bool {
        !self.front().in_text() && !self.front().has_unsaved()
    }
}

/// The views in the order of their tabs.
fn views() -> Vec<Box<dyn Pane>> {
    vec![
        Box::new(sheet::SheetView::new()),
        Box::new(log::LogView::new()),
        Box::new(roster::RosterView::new()),
    ]
}

impl Pane for DutyPane {
    fn title(&self) -> &'static str {
        "pane.duty"
    }
    fn reload(&mut self, ctx: &mut PaneCtx) -> Result<(), StoreError> {
        self.front_mut().reload(ctx)
    }
    fn contexts(&self) -> Vec<Ctx> {
        let mut c = self.front().contexts();
        if self.may_switch() {
            c.push(Ctx::Duty);
        }
        c
    }
    fn in_text(&self) -> bool {
        self.front().in_text()
    }
    fn has_unsaved(&self) -> bool {
        self.views.iter().any(|v| v.has_unsaved())
    }
    fn key(&mut self, key: KeyEvent, ctx: &mut PaneCtx) -> Handled {
        self.front_mut().key(key, ctx)
    }
    fn update(&mut self, a: Action, ctx: &mut PaneCtx) -> Handled {
        if self.front_mut().update(a, ctx) == Handled::Yes {
            return Handled::Yes;
        }
        let n = self.views.len();
        match a {
            Action::NextView if self.may_switch() && n > 1 => {
                self.switch((self.current + 1) % n, ctx);
                Handled::Yes
            }
            Action::PrevView if self.may_switch() && n > 1 => {
                self.switch((self.current + n - 1) % n, ctx);
                Handled::Yes
            }
            _ => Handled::No,
        }
    }
    fn render(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) -> Option<Position> {
        if area.height < 2 {
            return None;
        }
        let labels: Vec<String> = self.views.iter().map(|v| tr(v.title())).collect();
        *self.tabs.borrow_mut() = crate::ui::tabs::draw(
            Rect::new(area.x, area.y, area.width, 1),
            buf,
            &labels,
            Some(self.current),
        );
        let rest = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
        self.front().render(rest, buf, rc)
    }
    fn offers(&self, a: Action, role: Role) -> bool {
        match a {
            Action::NextView | Action::PrevView if self.views.len() > 1 => true,
            _ => self.front().offers(a, role),
        }
    }
    fn click(&mut self, x: u16, y: u16, area: Rect, ctx: &mut PaneCtx) -> bool {
        let hit = self
            .tabs
            .borrow()
            .iter()
            .position(|r| r.contains(Position::new(x, y)));
        if let Some(i) = hit {
            if self.may_switch() {
                self.switch(i, ctx);
            }
            return true;
        }
        let rest = Rect::new(
            area.x,
            area.y + 1,
            area.width,
            area.height.saturating_sub(1),
        );
        self.front_mut().click(x, y, rest, ctx)
    }
    fn poll(&mut self, ctx: &mut PaneCtx) -> bool {
        // A view's export keeps running while another is in front.
        let mut changed = false;
        for v in &mut self.views {
            changed |= v.poll(ctx);
        }
        changed
    }
    fn take_request(&mut self) -> Option<PaneRequest> {
        self.views.iter_mut().find_map(|v| v.take_request())
    }
    crate::pane_any!();
}
