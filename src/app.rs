//! The application: which screen is up, who is logged in, the event loop.
//!
//! The loop blocks on one channel fed by an input thread and a 1 s tick.
//! It drains everything pending, then draws once, and only if something
//! changed: an idle duty PC makes no redraws (the tick redraws only when
//! the clock's minute, an alert count or a message changes).

use crate::action::Action;
use crate::domain::role::{Actor, Permission, Role, allows};
use crate::domain::settings::LOCK_MINUTES;
use crate::domain::time;
use crate::i18n::{tr, trf};
use crate::keymap::{self, Ctx};
use crate::panes::rollcall::RollcallPane;
use crate::panes::station::StationScreen;
use crate::panes::visitors::VisitorsPane;
use crate::panes::{Handled, Pane, PaneCtx, RenderCtx, Toast, error_text};
use crate::screens::login::LoginScreen;
use crate::screens::setup::SetupScreen;
use crate::store::Store;
use crate::ui::status::Alert;
use crate::ui::{self, theme};
use ratatui::Frame;
use ratatui::crossterm::event::{Event, KeyEvent, KeyEventKind, MouseButton, MouseEventKind};
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub enum Screen {
    Setup(SetupScreen),
    Login(LoginScreen),
    Main,
}

/// The panes of the tab bar, in order; `1`…`N` switch to them. A pane that
/// is not built is not listed. Adding a pane is one line here.
pub fn pane_list() -> Vec<Box<dyn Pane>> {
    vec![Box::new(VisitorsPane::new()), Box::new(RollcallPane::new())]
}

/// A question the app asks before doing something that cannot be undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// Quitting would lose typed input.
    QuitUnsaved,
    /// Quitting the demo deletes the demo school.
    QuitDemo,
}

pub struct App {
    pub store: Store,
    pub screen: Screen,
    pub actor: Option<Actor>,
    pub login_ms: i64,
    pub panes: Vec<Box<dyn Pane>>,
    /// Index of the pane in front.
    pub focus: usize,
    /// F8 or F9, drawn over the panes until closed.
    pub overlay: Option<Box<dyn Pane>>,
    /// A sync with the shared folder running on a worker thread.
    pub sync_job: Option<crate::panes::job::Job<crate::panes::sync_job::SyncResult>>,
    pub help: bool,
    pub ask: Option<Ask>,
    pub quit: bool,
    pub toast: Option<Toast>,
    toast_until: i64,
    last_input_ms: i64,
    /// What the status bar shows; the tick redraws only when it changes.
    shown: Status,
    pub demo_logins: Vec<(String, String)>,
    /// Frames drawn (the idle benchmark reads it).
    pub draws: u64,
    /// Whether the last key did anything (tests walk the keymap with it).
    pub handled: bool,
    tab_rects: Vec<Rect>,
    body_area: Rect,
    /// The terminal's size at the last draw: too small means keys are ignored.
    size: Rect,
}

impl App {
    pub fn new(store: Store, demo_logins: Vec<(String, String)>) -> App {
        let now = store.now_ms();
        let screen = if store.station().is_none() {
            Screen::Setup(SetupScreen::new())
        } else {
            Screen::Login(LoginScreen::new(&store, None, demo_logins.clone()))
        };
        App {
            store,
            screen,
            actor: None,
            login_ms: now,
            panes: pane_list(),
            focus: 0,
            overlay: None,
            sync_job: None,
            help: false,
            ask: None,
            quit: false,
            toast: None,
            toast_until: 0,
            last_input_ms: now,
            shown: Status::default(),
            demo_logins,
            draws: 0,
            handled: false,
            tab_rects: vec![],
            body_area: Rect::default(),
            size: Rect::new(0, 0, ui::MIN_W, ui::MIN_H),
        }
    }

    /// The pane of type `T` (tests and benchmarks look inside panes).
    pub fn pane<T: Pane>(&self) -> &T {
        self.panes
            .iter()
            .find_map(|p| p.as_any().downcast_ref::<T>())
            .expect("pane in the list")
    }

    pub fn pane_mut<T: Pane>(&mut self) -> &mut T {
        self.panes
            .iter_mut()
            .find_map(|p| p.as_any_mut().downcast_mut::<T>())
            .expect("pane in the list")
    }

    pub fn visitors(&self) -> &VisitorsPane {
        self.pane()
    }
    pub fn visitors_mut(&mut self) -> &mut VisitorsPane {
        self.pane_mut()
    }
    pub fn rollcall(&self) -> &RollcallPane {
        self.pane()
    }
    pub fn rollcall_mut(&mut self) -> &mut RollcallPane {
        self.pane_mut()
    }

    /// The overlay of type `T`, if that one is open.
    pub fn overlay_as<T: Pane>(&self) -> Option<&T> {
        self.overlay.as_ref()?.as_any().downcast_ref::<T>()
    }

    /// True when this session is the throwaway demo school.
    pub fn is_demo(&self) -> bool {
        !self.demo_logins.is_empty()
    }

    /// Starts the session of `actor`, whose PIN the login screen checked
    /// (tests start sessions this way to skip the deliberately slow hash).
    pub fn logged_in(&mut self, actor: Actor) {
        self.login_ms = self.store.now_ms();
        self.actor = Some(actor);
        self.screen = Screen::Main;
        self.reload_panes();
        self.shown = self.status_key();
    }

    /// Re-reads every pane's lists (login, after F8/F9, after a sync).
    fn reload_panes(&mut self) {
        let mut panes = std::mem::take(&mut self.panes);
        self.with_ctx(|ctx| {
            for p in panes.iter_mut() {
                if let Err(e) = p.reload(ctx) {
                    ctx.err(error_text(&e));
                }
            }
        });
        self.panes = panes;
    }

    /// Runs `f` with a context borrowing the store, for the logged-in actor.
    fn with_ctx<T>(&mut self, f: impl FnOnce(&mut PaneCtx) -> T) -> Option<T> {
        let actor = self.actor.clone()?;
        let now = self.store.now_ms();
        let mut toast = self.toast.take();
        let before = toast.clone();
        let mut ctx = PaneCtx {
            store: &mut self.store,
            actor: &actor,
            now_ms: now,
            toast: &mut toast,
        };
        let out = f(&mut ctx);
        if toast != before {
            self.toast_until = now + 6_000;
            // What went wrong on screen is in the log for whoever helps later.
            if let Some(t) = toast.as_ref().filter(|t| t.error) {
                tracing::warn!(operator = %actor.name, "{}", t.text);
            }
        }
        self.toast = toast;
        Some(out)
    }

    /// The pane keys go to: the overlay if one is open, else the focused one.
    fn front(&self) -> &dyn Pane {
        match &self.overlay {
            Some(o) => o.as_ref(),
            None => self.panes[self.focus].as_ref(),
        }
    }

    fn in_text(&self) -> bool {
        match &self.screen {
            Screen::Main => self.front().in_text(),
            _ => true,
        }
    }

    fn has_unsaved(&self) -> bool {
        self.panes.iter().any(|p| p.has_unsaved())
            || self.overlay.as_ref().is_some_and(|o| o.has_unsaved())
    }

    /// Contexts for help and hints, innermost first.
    pub fn contexts(&self) -> Vec<Ctx> {
        if self.ask.is_some() {
            return vec![Ctx::Confirm];
        }
        let mut c = self.front().contexts();
        c.push(Ctx::Global);
        c
    }

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
        self.handled = self.route_key(key);
        // A key may have changed the counts (a sign-out, a setting).
        if matches!(self.screen, Screen::Main) {
            self.shown = self.status_key();
        }
    }

    /// Sends one key where it belongs; true when something used it.
    fn route_key(&mut self, key: KeyEvent) -> bool {
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
                        if let Some(a) = l.handle_key(key, &mut self.store) {
                            self.logged_in(a);
                        }
                    }
                }
                return true;
            }
            Screen::Main => {}
        }
        if self.toast.is_some() {
            self.toast = None;
        }
        // The pane in front (and its text field) gets the key first; then
        // the keymap under its contexts; then the global keys.
        let in_text = self.in_text();
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
        if handled == Handled::Yes {
            return true;
        }
        match keymap::lookup(&[Ctx::Global], &key, in_text) {
            Some(a) => self.global(a),
            None => false,
        }
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

    fn role(&self) -> Role {
        self.actor.as_ref().map(|a| a.role).unwrap_or(Role::Guard)
    }

    fn global(&mut self, a: Action) -> bool {
        match a {
            Action::Quit | Action::ForceQuit => {
                if self.has_unsaved() {
                    self.ask = Some(Ask::QuitUnsaved);
                } else if self.is_demo() && a == Action::Quit {
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
    fn open_overlay(&mut self, p: Box<dyn Pane>) {
        if self.overlay.as_ref().is_some_and(|o| o.has_unsaved()) {
            self.set_toast(tr("ui.finish_form_first"), true);
            return;
        }
        self.overlay = Some(p);
    }

    /// Brings pane `i` to the front; it re-reads what may have changed.
    fn switch_to(&mut self, i: usize) {
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

    /// Starts a sync with `dir` on a worker thread (one at a time).
    pub fn start_sync(&mut self, dir: std::path::PathBuf) {
        if self.sync_job.is_some() {
            return;
        }
        let db = self.store.path().to_path_buf();
        if db.as_os_str() == ":memory:" {
            self.set_toast(tr("roster.import_needs_file"), true);
            return;
        }
        self.sync_job = Some(crate::panes::sync_job::start(db, self.store.clock(), dir));
        self.set_toast(tr("sync.started"), false);
    }

    /// The sync worker's news, and the timer that starts it.
    fn tick_sync(&mut self, now: i64) -> bool {
        if let Some(job) = &mut self.sync_job {
            let (changed, done) = job.poll();
            if let Some(result) = done {
                self.sync_job = None;
                match result {
                    Ok((lines, refused)) => {
                        let text = lines.last().cloned().unwrap_or_default();
                        self.set_toast(trf("sync.done", &[("summary", text)]), refused);
                    }
                    Err(e) => self.set_toast(e, true),
                }
                // Other stations' records are in: show them.
                self.reload_panes();
                if let Some(mut o) = self.overlay.take() {
                    self.with_ctx(|ctx| o.reload(ctx));
                    self.overlay = Some(o);
                }
                return true;
            }
            return changed;
        }
        if self.actor.is_none() {
            return false;
        }
        let meta = |k: &str| self.store.meta(k).ok().flatten();
        let every: i64 = meta("sync_every").and_then(|v| v.parse().ok()).unwrap_or(0);
        let folder = meta("sync_folder").filter(|f| !f.is_empty());
        let last: i64 = meta("last_sync_ms")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if let (true, Some(folder)) = (every > 0, folder)
            && now - last >= every * 60_000
        {
            // Mark the attempt now so a failing folder is not retried every second.
            let _ = self.store.set_meta("last_sync_ms", &now.to_string());
            self.start_sync(std::path::PathBuf::from(folder));
            return true;
        }
        false
    }

    fn set_toast(&mut self, text: String, error: bool) {
        if error {
            tracing::warn!("{text}");
        }
        self.toast = Some(Toast { text, error });
        self.toast_until = self.store.now_ms() + 6_000;
    }

    pub fn lock(&mut self) {
        if matches!(self.screen, Screen::Main) {
            if let Some(a) = &self.actor {
                tracing::info!(operator = %a.name, "screen locked");
            }
            self.screen = Screen::Login(LoginScreen::new(
                &self.store,
                self.actor.as_ref(),
                self.demo_logins.clone(),
            ));
        }
    }

    fn click(&mut self, x: u16, y: u16) -> bool {
        if !matches!(self.screen, Screen::Main) || self.help || self.ask.is_some() {
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
    fn wheel(&mut self, a: Action) -> bool {
        if !matches!(self.screen, Screen::Main) || self.help || self.ask.is_some() || self.in_text()
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

    /// What the status bar depends on besides input: minute and alerts.
    fn status_key(&self) -> Status {
        let now = self.store.now_ms();
        if self.actor.is_none() {
            return Status {
                minute: now / 60_000,
                ..Status::default()
            };
        }
        let (on_site, overstay) = self.store.on_site_counts(now).unwrap_or((0, 0));
        let (absent, leave_overdue, not_back) = self.store.boarder_alerts(now).unwrap_or((0, 0, 0));
        Status {
            minute: now / 60_000,
            on_site,
            overstay,
            special: self.store.setting(crate::domain::settings::SPECIAL_PERIOD) == 1,
            absent,
            leave_overdue,
            not_back,
            conflicts: self.store.unresolved_conflicts().unwrap_or(0),
        }
    }

    /// The once-a-second tick: locks when idle, expires messages, and asks
    /// for a redraw only when something visible changed.
    pub fn tick(&mut self) -> bool {
        let now = self.store.now_ms();
        let mut dirty = false;
        if matches!(self.screen, Screen::Main) {
            let lock_ms = self.store.setting(LOCK_MINUTES) * 60_000;
            if now - self.last_input_ms >= lock_ms {
                self.lock();
                dirty = true;
            }
        }
        let mut panes = std::mem::take(&mut self.panes);
        if self.with_ctx(|ctx| panes.iter_mut().fold(false, |d, p| p.poll(ctx) | d)) == Some(true) {
            dirty = true;
        }
        self.panes = panes;
        if self.tick_sync(now) {
            dirty = true;
        }
        if self.toast.is_some() && now >= self.toast_until {
            self.toast = None;
            dirty = true;
        }
        let key = self.status_key();
        if key != self.shown {
            self.shown = key;
            dirty = true;
        }
        dirty
    }

    pub fn render(&mut self, f: &mut Frame) {
        self.draws += 1;
        let area = f.area();
        self.size = area;
        let buf = f.buffer_mut();
        if area.width < ui::MIN_W || area.height < ui::MIN_H {
            ui::too_small(area, buf);
            return;
        }
        let school = self
            .store
            .station()
            .map(|s| s.school.clone())
            .unwrap_or_default();
        let cursor = match &mut self.screen {
            Screen::Setup(s) => s.render(area, buf),
            Screen::Login(l) => l.render(area, buf, &school),
            Screen::Main => self.render_main(area, buf),
        };
        if let Some(ask) = self.ask {
            let text = match ask {
                Ask::QuitUnsaved => tr("quit.unsaved"),
                Ask::QuitDemo => tr("quit.demo"),
            };
            crate::ui::dialog(
                area,
                f.buffer_mut(),
                &tr("quit.title"),
                vec![
                    Line::from(text),
                    Line::from(""),
                    Line::from(Span::styled(tr("quit.keys"), theme::muted())),
                ],
                50,
                4,
            );
        } else if self.help {
            let ctxs = self.contexts();
            ui::help(area, f.buffer_mut(), &ctxs);
        } else if let Some(c) = cursor {
            f.set_cursor_position(c);
        }
    }

    fn render_main(&mut self, area: Rect, buf: &mut ratatui::buffer::Buffer) -> Option<Position> {
        let now = self.store.now_ms();
        let off = self.store.offset_min();
        let actor = self.actor.clone();
        self.render_status(Rect::new(area.x, area.y, area.width, 1), buf, now, off);
        // Tab bar: the panes in the list, then the overlay's title.
        let tabs = Rect::new(area.x, area.y + 1, area.width, 1);
        self.tab_rects.clear();
        let mut x = tabs.x;
        for (i, p) in self.panes.iter().enumerate() {
            let label = format!(" {} {} ", i + 1, tr(p.title()));
            let w = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
            let style = if self.overlay.is_none() && self.focus == i {
                theme::focus()
            } else {
                theme::muted()
            };
            let r = Rect::new(x, tabs.y, w.min(tabs.right().saturating_sub(x)), 1);
            Span::styled(label, style).render(r, buf);
            self.tab_rects.push(r);
            x += w + 1;
        }
        if let Some(o) = &self.overlay {
            let key = if o.as_any().is::<StationScreen>() {
                "F9"
            } else {
                "F8"
            };
            Span::styled(format!(" {key} {} ", tr(o.title())), theme::focus())
                .render(Rect::new(x, tabs.y, tabs.right().saturating_sub(x), 1), buf);
        }
        let body = Rect::new(area.x, area.y + 2, area.width, area.height - 3);
        self.body_area = body;
        let role = actor.as_ref().map(|a| a.role).unwrap_or(Role::Guard);
        let rc = RenderCtx {
            role,
            now_ms: now,
            offset_min: off,
        };
        let cursor = self.front().render(body, buf, &rc);
        let hints = Rect::new(area.x, area.bottom() - 1, area.width, 1);
        let ctxs = self.contexts();
        let in_text = self.in_text();
        let front = self.front();
        let offers = |a: Action| self.offers(front, a, role);
        ui::hints(
            hints,
            buf,
            &ctxs,
            in_text,
            self.toast.as_ref().map(|t| (t.text.as_str(), t.error)),
            &offers,
        );
        cursor
    }
}

impl App {
    /// The top line: who and where on the left, the shift, the clock and the
    /// alerts on the right (`ui::status` decides what gives way).
    fn render_status(&self, area: Rect, buf: &mut ratatui::buffer::Buffer, now: i64, off: i32) {
        let st = self.store.station();
        let s = self.shown;
        let hour = time::local(now, off)
            .format("%H")
            .to_string()
            .parse::<u32>()
            .unwrap_or(0);
        let shift = tr(if (7..19).contains(&hour) {
            "shift.day"
        } else {
            "shift.night"
        });
        let shift = if area.width >= 110 {
            format!(
                "{shift} {}",
                trf(
                    "status.since",
                    &[("t", time::fmt_local(self.login_ms, off, "%H:%M"))]
                )
            )
        } else {
            shift
        };
        let mut alerts = vec![];
        if s.special {
            alerts.push((tr("status.special"), Alert::Warn));
        }
        alerts.push((
            trf("status.on_site", &[("n", s.on_site.to_string())]),
            Alert::Plain,
        ));
        if let Some(job) = &self.sync_job {
            alerts.push((
                trf("status.syncing", &[("pct", job.percent().to_string())]),
                Alert::Busy,
            ));
        }
        if s.conflicts > 0 {
            alerts.push((
                trf("status.conflicts", &[("n", s.conflicts.to_string())]),
                Alert::Warn,
            ));
        }
        for (n, key) in [
            (s.absent, "status.absent"),
            (s.not_back, "status.not_back"),
            (s.leave_overdue, "status.leave_overdue"),
            (s.overstay, "status.overstay"),
        ] {
            if n > 0 {
                alerts.push((trf(key, &[("n", n.to_string())]), Alert::Urgent));
            }
        }
        let who = self
            .actor
            .as_ref()
            .map(|a| format!("{}({})", a.name, tr(&format!("role.{}", a.role.key()))))
            .unwrap_or_default();
        ui::status::draw(
            area,
            buf,
            &ui::status::StatusLine {
                who,
                school: st.map(|s| s.school.clone()).unwrap_or_default(),
                station: st.map(|s| s.name.clone()).unwrap_or_default(),
                shift,
                clock: time::fmt_local(now, off, "%m-%d %H:%M"),
                alerts,
            },
        );
    }
}

/// Everything the status bar shows besides who and where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Status {
    pub minute: i64,
    pub on_site: i64,
    pub overstay: i64,
    pub special: bool,
    /// Absences nobody has resolved.
    pub absent: i64,
    pub leave_overdue: i64,
    /// Out through the gate and past their return time (curfew).
    pub not_back: i64,
    /// Contradictions between stations nobody has decided yet.
    pub conflicts: i64,
}

/// Messages into the loop.
pub enum Msg {
    Input(Event),
    Tick,
    /// A background check (integrity, daily backup) has a warning to show.
    Warn(String),
}

/// Runs the TUI until quit. The terminal is restored on return and, via
/// ratatui's hook, on panic.
pub fn run(app: &mut App) -> anyhow::Result<()> {
    use ratatui::crossterm::{event, execute, terminal};
    use std::sync::mpsc;
    // The user's keys, from keymap.toml beside the database; a file that
    // cannot be used is said on screen and the defaults stay.
    if let Some(dir) = app.store.path().parent() {
        let dir = if dir.as_os_str().is_empty() {
            std::path::Path::new(".")
        } else {
            dir
        };
        if let Err(msg) = keymap::install(&dir.join("keymap.toml")) {
            app.toast = Some(Toast {
                text: msg,
                error: true,
            });
            app.toast_until = app.store.now_ms() + 600_000;
        }
    }
    let mut terminal = ratatui::init();
    let _ = execute!(std::io::stdout(), event::EnableMouseCapture);
    // ratatui's hook restores the screen on panic; mouse reporting too.
    let restore_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(std::io::stdout(), event::DisableMouseCapture);
        restore_hook(info);
    }));
    let (tx, rx) = mpsc::channel::<Msg>();
    let input_tx = tx.clone();
    std::thread::spawn(move || {
        while let Ok(ev) = event::read() {
            if input_tx.send(Msg::Input(ev)).is_err() {
                break;
            }
        }
    });
    // SQLite's quick_check reads the whole file: run it beside the UI so a
    // large database does not delay the first frame.
    let path = app.store.path().to_path_buf();
    if path.is_file() {
        let check_tx = tx.clone();
        std::thread::spawn(move || {
            let problem = match Store::quick_check(&path) {
                Ok(None) => {
                    // Healthy: keep a daily copy (3 days) beside the database.
                    let day = chrono::Local::now().format("%Y%m%d").to_string();
                    if let Err(e) = crate::store::backup::daily(&path, &day, 3) {
                        let _ = check_tx.send(Msg::Warn(trf(
                            "ui.backup_failed",
                            &[("detail", e.to_string())],
                        )));
                    }
                    return;
                }
                Ok(Some(p)) => p,
                Err(e) => e.to_string(),
            };
            let _ = check_tx.send(Msg::Warn(trf("ui.damaged", &[("detail", problem)])));
        });
    }
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
            if tx.send(Msg::Tick).is_err() {
                break;
            }
        }
    });
    let draw = |terminal: &mut ratatui::DefaultTerminal, app: &mut App| -> anyhow::Result<()> {
        let _ = execute!(std::io::stdout(), terminal::BeginSynchronizedUpdate);
        terminal.draw(|f| app.render(f))?;
        let _ = execute!(std::io::stdout(), terminal::EndSynchronizedUpdate);
        Ok(())
    };
    let result = (|| -> anyhow::Result<()> {
        draw(&mut terminal, app)?;
        while let Ok(msg) = rx.recv() {
            let mut dirty = false;
            for m in std::iter::once(msg).chain(rx.try_iter()) {
                dirty |= match m {
                    Msg::Input(ev) => app.handle_event(ev),
                    Msg::Tick => app.tick(),
                    Msg::Warn(text) => {
                        app.toast = Some(Toast { text, error: true });
                        app.toast_until = app.store.now_ms() + 600_000;
                        true
                    }
                };
            }
            if app.quit {
                break;
            }
            if dirty {
                draw(&mut terminal, app)?;
            }
        }
        Ok(())
    })();
    let _ = execute!(std::io::stdout(), event::DisableMouseCapture);
    ratatui::restore();
    result
}
