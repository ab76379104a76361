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
use crate::panes::visitors::render::RenderCtx;
use crate::panes::{Handled, PaneCtx, Toast, error_text};
use crate::screens::login::LoginScreen;
use crate::screens::setup::SetupScreen;
use crate::store::Store;
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneId {
    Visitors,
    Rollcall,
}

/// The panes that work, in tab order. Only built panes are listed.
pub const PANES: &[(&str, PaneId)] = &[
    ("pane.visitors", PaneId::Visitors),
    ("pane.rollcall", PaneId::Rollcall),
];

pub struct App {
    pub store: Store,
    pub screen: Screen,
    pub actor: Option<Actor>,
    pub login_ms: i64,
    pub pane: PaneId,
    pub visitors: VisitorsPane,
    pub rollcall: RollcallPane,
    pub station: Option<StationScreen>,
    /// F8: contradictions between stations.
    pub conflicts: Option<crate::panes::conflicts::ConflictsScreen>,
    /// A sync with the shared folder running on a worker thread.
    pub sync_job: Option<crate::panes::sync_job::SyncJob>,
    pub help: bool,
    pub confirm_quit: bool,
    pub quit: bool,
    pub toast: Option<Toast>,
    toast_until: i64,
    last_input_ms: i64,
    /// What the status bar shows; the tick redraws only when it changes.
    shown: Status,
    pub demo_logins: Vec<(String, String)>,
    /// Frames drawn (the idle benchmark reads it).
    pub draws: u64,
    tab_rects: Vec<Rect>,
    list_area: Rect,
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
            pane: PaneId::Visitors,
            visitors: VisitorsPane::new(),
            rollcall: RollcallPane::new(),
            station: None,
            conflicts: None,
            sync_job: None,
            help: false,
            confirm_quit: false,
            quit: false,
            toast: None,
            toast_until: 0,
            last_input_ms: now,
            shown: Status::default(),
            demo_logins,
            draws: 0,
            tab_rects: vec![],
            list_area: Rect::default(),
        }
    }

    fn logged_in(&mut self, actor: Actor) {
        self.login_ms = self.store.now_ms();
        self.actor = Some(actor);
        self.screen = Screen::Main;
        self.reload_panes();
        self.shown = self.status_key();
    }

    /// Re-reads both panes' lists (login, after the station screen).
    fn reload_panes(&mut self) {
        self.with_ctx(|v, r, ctx| {
            if let Err(e) = v.reload(ctx).and_then(|_| r.reload(ctx)) {
                ctx.err(error_text(&e));
            }
        });
    }

    /// Runs `f` on the visitors pane with a context borrowing the store.
    fn with_ctx<T>(
        &mut self,
        f: impl FnOnce(&mut VisitorsPane, &mut RollcallPane, &mut PaneCtx) -> T,
    ) -> Option<T> {
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
        let out = f(&mut self.visitors, &mut self.rollcall, &mut ctx);
        if toast != before {
            self.toast_until = now + 6_000;
        }
        self.toast = toast;
        Some(out)
    }

    fn in_text(&self) -> bool {
        match &self.screen {
            Screen::Main => {
                self.station.as_ref().map(|s| s.in_form()).unwrap_or(false)
                    || self.conflicts.as_ref().is_some_and(|c| c.in_text())
                    || match self.pane {
                        PaneId::Visitors => self.visitors.in_text(),
                        PaneId::Rollcall => self.rollcall.in_text(),
                    }
            }
            _ => true,
        }
    }

    /// Contexts for help and hints, innermost first.
    pub fn contexts(&self) -> Vec<Ctx> {
        let mut c = match &self.station {
            Some(s) if s.in_form() => vec![Ctx::Form],
            Some(_) => vec![Ctx::Station],
            None => match self.pane {
                PaneId::Visitors => self.visitors.contexts(),
                PaneId::Rollcall => self.rollcall.contexts(),
            },
        };
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
            Event::Mouse(m) if m.kind == MouseEventKind::Down(MouseButton::Left) => {
                self.last_input_ms = self.store.now_ms();
                self.click(m.column, m.row)
            }
            Event::Resize(..) => true,
            _ => false,
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent) {
        self.route_key(key);
        // A key may have changed the counts (a sign-out, a setting).
        if matches!(self.screen, Screen::Main) {
            self.shown = self.status_key();
        }
    }

    fn route_key(&mut self, key: KeyEvent) {
        if self.help {
            self.help = false;
            return;
        }
        if self.confirm_quit {
            match key.code {
                ratatui::crossterm::event::KeyCode::Char('y')
                | ratatui::crossterm::event::KeyCode::Enter => self.quit = true,
                _ => self.confirm_quit = false,
            }
            return;
        }
        match &mut self.screen {
            Screen::Setup(s) => {
                if keymap::lookup(&[Ctx::Global], &key, true) == Some(Action::ForceQuit) {
                    self.quit = true;
                } else if let Some(a) = s.handle_key(key, &mut self.store) {
                    self.logged_in(a);
                }
                return;
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
                return;
            }
            Screen::Main => {}
        }
        if self.toast.is_some() {
            self.toast = None;
        }
        // The focused pane (and its text field) gets the key first.
        let handled = if let Some(mut st) = self.station.take() {
            let (h, close) = self
                .with_ctx(|_, _, ctx| st.handle_key(key, ctx))
                .unwrap_or((Handled::No, true));
            if let Some(dir) = st.sync_request.take() {
                self.start_sync(dir);
            }
            if close {
                self.reload_panes();
            } else {
                self.station = Some(st);
            }
            h
        } else if let Some(mut cf) = self.conflicts.take() {
            let (h, close) = self
                .with_ctx(|_, _, ctx| cf.handle_key(key, ctx))
                .unwrap_or((Handled::No, true));
            if close {
                self.reload_panes();
            } else {
                self.conflicts = Some(cf);
            }
            h
        } else {
            let pane = self.pane;
            self.with_ctx(|v, r, ctx| match pane {
                PaneId::Visitors => v.handle_key(key, ctx),
                PaneId::Rollcall => r.handle_key(key, ctx),
            })
            .unwrap_or(Handled::No)
        };
        if handled == Handled::Yes {
            return;
        }
        let in_text = self.in_text();
        if let Some(a) = keymap::lookup(&[Ctx::Global], &key, in_text) {
            self.global(a);
        }
    }

    fn global(&mut self, a: Action) {
        match a {
            Action::Quit | Action::ForceQuit => {
                if a == Action::Quit
                    && (self.visitors.has_unsaved()
                        || self.rollcall.has_unsaved()
                        || self.station.as_ref().is_some_and(|s| s.in_form()))
                {
                    self.confirm_quit = true;
                } else {
                    self.quit = true;
                }
            }
            Action::Help => self.help = true,
            Action::GotoVisitors => {
                self.station = None;
                self.pane = PaneId::Visitors;
            }
            Action::GotoRollcall => {
                self.station = None;
                self.pane = PaneId::Rollcall;
                // The night moves on: marks may have come from elsewhere.
                self.with_ctx(|_, r, ctx| {
                    if let Err(e) = r.reload(ctx) {
                        ctx.err(error_text(&e));
                    }
                });
            }
            Action::Lock => self.lock(),
            Action::Station => {
                let role = self.actor.as_ref().map(|a| a.role).unwrap_or(Role::Guard);
                if !allows(role, Permission::ManageOperators) {
                    self.set_toast(tr("err.forbidden"), true);
                } else if let Some(s) = self.with_ctx(|_, _, ctx| StationScreen::open(ctx)) {
                    match s {
                        Ok(s) => {
                            self.conflicts = None;
                            self.station = Some(s)
                        }
                        Err(e) => self.set_toast(error_text(&e), true),
                    }
                }
            }
            Action::Conflicts => {
                let role = self.actor.as_ref().map(|a| a.role).unwrap_or(Role::Guard);
                if !allows(role, Permission::ResolveConflicts) {
                    self.set_toast(tr("err.forbidden"), true);
                } else if let Some(c) =
                    self.with_ctx(|_, _, ctx| crate::panes::conflicts::ConflictsScreen::open(ctx))
                {
                    match c {
                        Ok(c) => {
                            self.station = None;
                            self.conflicts = Some(c)
                        }
                        Err(e) => self.set_toast(error_text(&e), true),
                    }
                }
            }
            _ => {}
        }
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
        self.sync_job = Some(crate::panes::sync_job::SyncJob::start(db, dir));
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
                if let Some(mut st) = self.station.take() {
                    let _ = self.with_ctx(|_, _, ctx| st.refresh(ctx));
                    self.station = Some(st);
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
        self.toast = Some(Toast { text, error });
        self.toast_until = self.store.now_ms() + 6_000;
    }

    pub fn lock(&mut self) {
        if matches!(self.screen, Screen::Main) {
            self.screen = Screen::Login(LoginScreen::new(
                &self.store,
                self.actor.as_ref(),
                self.demo_logins.clone(),
            ));
        }
    }

    fn click(&mut self, x: u16, y: u16) -> bool {
        if !matches!(self.screen, Screen::Main) || self.help {
            return false;
        }
        let p = Position::new(x, y);
        if let Some(i) = self.tab_rects.iter().position(|r| r.contains(p)) {
            self.station = None;
            self.pane = PANES[i].1;
            return true;
        }
        let a = self.list_area;
        // Row 0 of the list area holds the sub-view tabs, row 1 the header.
        if a.contains(p)
            && self.station.is_none()
            && self.pane == PaneId::Visitors
            && matches!(self.visitors.mode, crate::panes::visitors::Mode::Browse)
        {
            if y == a.y {
                self.with_ctx(|v, _, ctx| v.action(Action::NextView, ctx));
                return true;
            }
            if y >= a.y + 2 {
                let row = (y - a.y - 2) as isize;
                self.with_ctx(|v, _, ctx| {
                    let (sel, top) = match v.view {
                        crate::panes::visitors::View::OnSite => (v.on_site_sel, v.on_site_top),
                        crate::panes::visitors::View::History => (v.history.sel, v.history.top),
                        crate::panes::visitors::View::Watchlist => (v.watch_sel, 0),
                        crate::panes::visitors::View::Out => (v.out_sel, 0),
                    };
                    let delta = top as isize + row - sel as isize;
                    v.action(if delta >= 0 { Action::Down } else { Action::Up }, ctx);
                    for _ in 1..delta.unsigned_abs() {
                        v.action(if delta >= 0 { Action::Down } else { Action::Up }, ctx);
                    }
                });
                return true;
            }
        }
        false
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
        if self.rollcall.poll() {
            dirty = true;
        }
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
        if self.confirm_quit {
            crate::ui::dialog(
                area,
                f.buffer_mut(),
                &tr("quit.title"),
                vec![
                    Line::from(tr("quit.unsaved")),
                    Line::from(Span::styled(tr("quit.keys"), theme::muted())),
                ],
                44,
                3,
            );
        } else if self.help {
            let ctxs = self.contexts();
            ui::help(
                area,
                f.buffer_mut(),
                &ctxs,
                &[("Ctrl+U", "key.clear_field")],
            );
        } else if let Some(c) = cursor {
            f.set_cursor_position(c);
        }
    }

    fn render_main(&mut self, area: Rect, buf: &mut ratatui::buffer::Buffer) -> Option<Position> {
        let now = self.store.now_ms();
        let off = self.store.offset_min();
        // Status bar.
        let st = self.store.station().cloned();
        let actor = self.actor.clone();
        let Status {
            on_site: n,
            overstay: over,
            special,
            absent,
            leave_overdue,
            not_back,
            conflicts,
            ..
        } = self.shown;
        let status = Rect::new(area.x, area.y, area.width, 1);
        buf.set_style(status, theme::bar());
        let hour = time::local(now, off)
            .format("%H")
            .to_string()
            .parse::<u32>()
            .unwrap_or(0);
        let shift = if (7..19).contains(&hour) {
            tr("shift.day")
        } else {
            tr("shift.night")
        };
        // Left: who and where. Right (drawn last, never cut): shift, clock,
        // alerts — a narrow terminal loses the school name first.
        let left = Line::from(vec![
            Span::styled(
                format!(" {} ", tr("app.name")),
                theme::bar().add_modifier(ratatui::style::Modifier::BOLD),
            ),
            Span::styled(
                format!(
                    "│ {}({}) ",
                    actor.as_ref().map(|a| a.name.as_str()).unwrap_or(""),
                    actor
                        .as_ref()
                        .map(|a| tr(&format!("role.{}", a.role.key())))
                        .unwrap_or_default()
                ),
                theme::bar(),
            ),
            Span::styled(
                format!(
                    "│ {} ",
                    st.as_ref().map(|s| s.school.as_str()).unwrap_or("")
                ),
                theme::bar(),
            ),
            Span::styled(
                format!("· {} ", st.as_ref().map(|s| s.name.as_str()).unwrap_or("")),
                theme::bar(),
            ),
        ]);
        // The shift's start time only where there is room for it.
        let shift = if status.width >= 110 {
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
        let mut alert = vec![Span::styled(
            format!("│ {shift} │ {} ", time::fmt_local(now, off, "%m-%d %H:%M")),
            theme::bar(),
        )];
        if special {
            alert.push(Span::styled(
                format!(" {} ", tr("status.special")),
                ratatui::style::Style::new()
                    .bg(theme::WARN)
                    .fg(ratatui::style::Color::Black),
            ));
        }
        alert.push(Span::styled(
            format!("│ {} ", trf("status.on_site", &[("n", n.to_string())])),
            theme::bar(),
        ));
        let red = ratatui::style::Style::new()
            .bg(theme::ERROR)
            .fg(ratatui::style::Color::White)
            .add_modifier(ratatui::style::Modifier::BOLD);
        if let Some(job) = &self.sync_job {
            let pct = job
                .progress
                .as_ref()
                .filter(|p| p.total > 0)
                .map(|p| p.done * 100 / p.total)
                .unwrap_or(0);
            alert.push(Span::styled(
                format!(" {} ", trf("status.syncing", &[("pct", pct.to_string())])),
                ratatui::style::Style::new()
                    .bg(theme::ACCENT)
                    .fg(ratatui::style::Color::Black),
            ));
        }
        if conflicts > 0 {
            alert.push(Span::styled(
                format!(
                    " {} ",
                    trf("status.conflicts", &[("n", conflicts.to_string())])
                ),
                ratatui::style::Style::new()
                    .bg(theme::WARN)
                    .fg(ratatui::style::Color::Black),
            ));
        }
        for (n, key) in [
            (absent, "status.absent"),
            (not_back, "status.not_back"),
            (leave_overdue, "status.leave_overdue"),
        ] {
            if n > 0 {
                alert.push(Span::styled(
                    format!(" {} ", trf(key, &[("n", n.to_string())])),
                    red,
                ));
            }
        }
        if over > 0 {
            alert.push(Span::styled(
                format!(" {} ", trf("status.overstay", &[("n", over.to_string())])),
                ratatui::style::Style::new()
                    .bg(theme::ERROR)
                    .fg(ratatui::style::Color::White)
                    .add_modifier(ratatui::style::Modifier::BOLD),
            ));
        }
        let alert = Line::from(alert);
        let aw = (alert.width() as u16).min(status.width);
        alert.render(Rect::new(status.right() - aw, status.y, aw, 1), buf);
        // Who and where fill what is left, whole parts only: a name cut in
        // half reads as another name.
        let room = usize::from(status.width - aw);
        let mut used = 0;
        let spans: Vec<Span> = left
            .spans
            .into_iter()
            .take_while(|s| {
                used += s.width();
                used <= room
            })
            .collect();
        Line::from(spans).render(Rect::new(status.x, status.y, status.width - aw, 1), buf);
        // Tab bar: only the panes that work.
        let tabs = Rect::new(area.x, area.y + 1, area.width, 1);
        self.tab_rects.clear();
        let mut x = tabs.x;
        for (i, (key, _)) in PANES.iter().enumerate() {
            let label = format!(" {} {} ", i + 1, tr(key));
            let w = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
            let style = if self.station.is_none() && self.pane == PANES[i].1 {
                theme::focus()
            } else {
                theme::muted()
            };
            let r = Rect::new(x, tabs.y, w.min(tabs.right().saturating_sub(x)), 1);
            Span::styled(label, style).render(r, buf);
            self.tab_rects.push(r);
            x += w + 1;
        }
        if self.station.is_some() {
            Span::styled(format!(" F9 {} ", tr("station.title")), theme::focus())
                .render(Rect::new(x, tabs.y, tabs.right().saturating_sub(x), 1), buf);
        }
        let body = Rect::new(area.x, area.y + 2, area.width, area.height - 3);
        self.list_area = body;
        let role = actor.as_ref().map(|a| a.role).unwrap_or(Role::Guard);
        let rc = RenderCtx {
            role,
            now_ms: now,
            offset_min: off,
        };
        let cursor = match (&mut self.station, self.pane) {
            _ if self.conflicts.is_some() => self
                .conflicts
                .as_ref()
                .and_then(|c| c.render(body, buf, off)),
            (Some(s), _) => s.render(body, buf, off),
            (None, PaneId::Visitors) => self.visitors.render(body, buf, &rc),
            (None, PaneId::Rollcall) => self.rollcall.render(body, buf, &rc),
        };
        let hints = Rect::new(area.x, area.bottom() - 1, area.width, 1);
        let ctxs = self.contexts();
        let in_text = self.in_text();
        ui::hints(
            hints,
            buf,
            &ctxs,
            in_text,
            self.toast.as_ref().map(|t| (t.text.as_str(), t.error)),
        );
        cursor
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
