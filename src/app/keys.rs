//! Where a key, a click or the wheel goes: the pane in front and its text
//! field first, then the keymap under its contexts, then the global keys.

use super::*;

impl App {
    /// Handles one terminal event; returns true when the screen changed.
    pub fn handle_event(&mut self, ev: Event) -> bool {
        match ev {
            Event::Key(k) if k.kind == KeyEventKind::Press => {
                self.last_input_ms = self.store.now_ms();
                self.handle_key(k);
                true
            }
            Event::Mouse(m) => {
                self.last_input_ms = self.store.now_ms();
                match m.kind {
                    MouseEventKind::Down(MouseButton::Left) => self.click(m.column, m.row),
                    MouseEventKind::ScrollUp => self.wheel(Action::Up),
                    MouseEventKind::ScrollDown => self.wheel(Action::Down),
                    _ => false,
                }
            }
            Event::Resize(w, h) => {
                self.size = Rect::new(0, 0, w, h);
                true
            }
            _ => false,
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent) {
        let writes = self.store.write_count();
        let was_main = matches!(self.screen, Screen::Main);
        self.handled = self.route_key(key);
        // Only a key that wrote (a sign-out, a setting) or brought the main
        // screen back can have changed the counts. Moving, typing a search
        // or switching views reads them again no more than the tick does:
        // ten queries over the year at every key were most of its cost.
        if matches!(self.screen, Screen::Main) && (!was_main || self.store.write_count() != writes)
        {
            self.shown = self.status_key();
        }
    }

    /// Sends one key where it belongs; true when something used it.
    pub(super) fn route_key(&mut self, key: KeyEvent) -> bool {
        if self.help {
            self.help = false;
            return true;
        }
        // Behind the "terminal too small" screen nothing acts but Ctrl+C.
        let small = self.size.width < ui::MIN_W || self.size.height < ui::MIN_H;
        if small && keymap::lookup(&[Ctx::Global], &key, true) != Some(Action::ForceQuit) {
            return false;
        }
        if let Some(ask) = self.ask {
            match keymap::lookup(&[Ctx::Confirm], &key, false) {
                Some(Action::Confirm) => {
                    self.ask = None;
                    match ask {
                        Ask::QuitUnsaved | Ask::QuitDemo => self.quit = true,
                    }
                }
                Some(Action::Back) => self.ask = None,
                // Any other key keeps the question up.
                _ => return false,
            }
            return true;
        }
        // The login's Enter waiting for the database holds the keys as a
        // pane's save does.
        if self.login_waiting() {
            return self.key_while_waiting(key);
        }
        match &mut self.screen {
            Screen::Setup(s) => {
                if keymap::lookup(&[Ctx::Global], &key, true) == Some(Action::ForceQuit) {
                    self.quit = true;
                } else if let Some(a) = s.handle_key(key, &mut self.store) {
                    self.logged_in(a);
                }
                return true;
            }
            Screen::Login(l) => {
                match keymap::lookup(&[Ctx::Global], &key, true) {
                    Some(Action::ForceQuit) => self.quit = true,
                    _ if key.code == ratatui::crossterm::event::KeyCode::Esc && !l.locked => {
                        self.quit = true
                    }
                    _ => {
                        if self.login_key(key) {
                            self.hold_login(key);
                        }
                    }
                }
                return true;
            }
            Screen::Main => {}
        }
        // A save waiting for another program's write holds the keys: only
        // Esc (cancel the wait) and Ctrl+C do anything until it is done.
        if self.waiting.is_some() {
            return self.key_while_waiting(key);
        }
        if self.toast.is_some() {
            self.toast = None;
        }
        let in_text = self.in_text();
        let ctxs = self.front().contexts();
        self.store.take_busy();
        let commits = self.store.commits();
        let handled = self.dispatch(key, in_text);
        if self.store.take_busy() {
            // Retried only when nothing of it was written: a key that wrote
            // once and then met the lock would write that part twice.
            if self.store.commits() == commits {
                self.hold(key, ctxs);
            }
            return true;
        }
        if handled == Handled::Yes {
            return true;
        }
        match keymap::lookup(&[Ctx::Global], &key, in_text) {
            Some(a) => self.global(a),
            None => false,
        }
    }

    /// A key for the login screen; true when its sign-in met another
    /// connection's lock and wrote nothing (the PIN is kept).
    pub(super) fn login_key(&mut self, key: KeyEvent) -> bool {
        let Screen::Login(l) = &mut self.screen else {
            return false;
        };
        self.store.take_busy();
        let commits = self.store.commits();
        if let Some(a) = l.handle_key(key, &mut self.store) {
            self.logged_in(a);
            return false;
        }
        self.store.take_busy() && self.store.commits() == commits
    }

    /// The pane in front (and its text field) gets the key first; then the
    /// keymap under its contexts. Requests and closing overlays follow.
    pub(super) fn dispatch(&mut self, key: KeyEvent, in_text: bool) -> Handled {
        let ctxs = self.front().contexts();
        let mut overlay = self.overlay.take();
        let mut panes = std::mem::take(&mut self.panes);
        let focus = self.focus;
        let handled = self
            .with_ctx(|ctx| {
                let pane: &mut dyn Pane = match overlay.as_mut() {
                    Some(o) => o.as_mut(),
                    None => panes[focus].as_mut(),
                };
                let mut h = pane.key(key, ctx);
                if h == Handled::No
                    && let Some(a) = keymap::lookup(&ctxs, &key, in_text)
                {
                    h = pane.update(a, ctx);
                }
                h
            })
            .unwrap_or(Handled::No);
        self.panes = panes;
        if overlay.is_none()
            && let Some(req) = self.panes[focus].take_request()
        {
            self.carry(req);
        }
        if let Some(mut o) = overlay {
            if let Some(dir) = o.take_sync_request() {
                self.start_sync(dir);
            }
            if o.closed() {
                self.reload_panes();
            } else {
                self.overlay = Some(o);
            }
        }
        handled
    }

    /// Whether a hint for `a` would do something now: global keys by role,
    /// the rest as the pane in front says.
    pub fn offers(&self, front: &dyn Pane, a: Action, role: Role) -> bool {
        match a {
            Action::Station => allows(role, Permission::ManageOperators),
            Action::Conflicts => allows(role, Permission::ResolveConflicts),
            a if a.pane_index().is_some() => a.pane_index() != Some(self.focus),
            a => front.offers(a, role),
        }
    }

    /// The hints the bar shows now (tests walk them).
    pub fn hint_actions(&self) -> Vec<&'static keymap::Binding> {
        let role = self.role();
        let front = self.front();
        ui::hint_bindings(&self.contexts(), self.in_text(), &|a| {
            self.offers(front, a, role)
        })
    }

    pub(super) fn role(&self) -> Role {
        self.actor.as_ref().map(|a| a.role).unwrap_or(Role::Guard)
    }

    pub(super) fn global(&mut self, a: Action) -> bool {
        match a {
            Action::Quit | Action::ForceQuit => {
                if self.has_unsaved() {
                    self.ask = Some(Ask::QuitUnsaved);
                } else if self.is_demo() {
                    self.ask = Some(Ask::QuitDemo);
                } else {
                    self.quit = true;
                }
            }
            Action::Help => self.help = true,
            Action::Lock => self.lock(),
            Action::Station => {
                if !allows(self.role(), Permission::ManageOperators) {
                    self.set_toast(tr("err.forbidden"), true);
                } else if let Some(s) = self.with_ctx(|ctx| StationScreen::open(ctx)) {
                    match s {
                        Ok(s) => self.open_overlay(Box::new(s)),
                        Err(e) => self.set_toast(error_text(&e), true),
                    }
                }
            }
            Action::Conflicts => {
                if !allows(self.role(), Permission::ResolveConflicts) {
                    self.set_toast(tr("err.forbidden"), true);
                } else if let Some(c) =
                    self.with_ctx(|ctx| crate::panes::conflicts::ConflictsScreen::open(ctx))
                {
                    match c {
                        Ok(c) => self.open_overlay(Box::new(c)),
                        Err(e) => self.set_toast(error_text(&e), true),
                    }
                }
            }
            a => match a.pane_index() {
                Some(i) if i < self.panes.len() => self.switch_to(i),
                _ => return false,
            },
        }
        true
    }

    /// F8/F9 over the panes; one at a time, and not over typed input.
    pub(super) fn open_overlay(&mut self, p: Box<dyn Pane>) {
        if self.overlay.as_ref().is_some_and(|o| o.has_unsaved()) {
            self.set_toast(tr("ui.finish_form_first"), true);
            return;
        }
        self.overlay = Some(p);
    }

    /// Brings pane `i` to the front; it re-reads what may have changed.
    pub(super) fn switch_to(&mut self, i: usize) {
        if self.overlay.as_ref().is_some_and(|o| o.has_unsaved()) {
            self.set_toast(tr("ui.finish_form_first"), true);
            return;
        }
        self.overlay = None;
        self.focus = i;
        let mut panes = std::mem::take(&mut self.panes);
        self.with_ctx(|ctx| panes[i].focus(ctx));
        self.panes = panes;
    }

    pub(super) fn click(&mut self, x: u16, y: u16) -> bool {
        // A waiting save freezes the screen for the mouse as for keys.
        if !matches!(self.screen, Screen::Main)
            || self.help
            || self.ask.is_some()
            || self.waiting.is_some()
        {
            return false;
        }
        let p = Position::new(x, y);
        if let Some(i) = self.tab_rects.iter().position(|r| r.contains(p)) {
            self.switch_to(i);
            return true;
        }
        let area = self.body_area;
        let mut overlay = self.overlay.take();
        let mut panes = std::mem::take(&mut self.panes);
        let focus = self.focus;
        let used = self
            .with_ctx(|ctx| match overlay.as_mut() {
                Some(o) => o.click(x, y, area, ctx),
                None => panes[focus].click(x, y, area, ctx),
            })
            .unwrap_or(false);
        self.panes = panes;
        self.overlay = overlay;
        used
    }

    /// The wheel moves the selection, as ↑/↓ do, where the pane has a list.
    pub(super) fn wheel(&mut self, a: Action) -> bool {
        if !matches!(self.screen, Screen::Main)
            || self.help
            || self.ask.is_some()
            || self.in_text()
            || self.waiting.is_some()
        {
            return false;
        }
        let ctxs = self.front().contexts();
        if !keymap::bindings_for(&ctxs).iter().any(|b| b.action == a) {
            return false;
        }
        let mut overlay = self.overlay.take();
        let mut panes = std::mem::take(&mut self.panes);
        let focus = self.focus;
        let h = self.with_ctx(|ctx| match overlay.as_mut() {
            Some(o) => o.update(a, ctx),
            None => panes[focus].update(a, ctx),
        });
        self.panes = panes;
        self.overlay = overlay;
        h == Some(Handled::Yes)
    }
}

impl App {
    /// Brings the pane a request is for to front and hands it over.
    fn carry(&mut self, req: crate::panes::PaneRequest) {
        match req {
            crate::panes::PaneRequest::ReportHazard(draft) => {
                let Some(i) = self
                    .panes
                    .iter()
                    .position(|p| p.as_any().is::<crate::panes::hazards::HazardsPane>())
                else {
                    return;
                };
                self.focus = i;
                let mut panes = std::mem::take(&mut self.panes);
                self.with_ctx(|ctx| {
                    if let Some(h) = panes[i]
                        .as_any_mut()
                        .downcast_mut::<crate::panes::hazards::HazardsPane>()
                    {
                        h.open_report(&draft, ctx);
                    }
                });
                self.panes = panes;
            }
            crate::panes::PaneRequest::LogEntry(draft) => {
                use crate::panes::duty::{DutyPane, log::LogView};
                let Some(i) = self.panes.iter().position(|p| p.as_any().is::<DutyPane>()) else {
                    return;
                };
                self.focus = i;
                let mut panes = std::mem::take(&mut self.panes);
                self.with_ctx(|ctx| {
                    if let Some(d) = panes[i].as_any_mut().downcast_mut::<DutyPane>()
                        && d.show::<LogView>(ctx)
                        && let Some(v) = d.view_mut::<LogView>()
                    {
                        v.open_form(&draft, ctx);
                    }
                });
                self.panes = panes;
            }
        }
    }
}
