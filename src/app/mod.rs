//! The application: which screen is up, who is logged in, the event loop.
//!
//! The loop blocks on one channel fed by an input thread and a 1 s tick.
//! It drains everything pending, then draws once, and only if something
//! changed: an idle duty PC makes no redraws (the tick redraws only when
//! the clock's minute, an alert count or a message changes).
//!
//! keys: routing a key or a click to the pane in front, then the keymap,
//! then the global keys; tick: the once-a-second work; draw: the frame;
//! run: the event loop; wait: a save waiting for another program's lock,
//! and other programs' writes shown.

mod draw;
mod keys;
mod run;
mod tick;
mod wait;

pub use run::{Msg, run};
pub use wait::RETRY_EVERY;

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
    vec![
        Box::new(VisitorsPane::new()),
        Box::new(RollcallPane::new()),
        Box::new(crate::panes::patrol::PatrolPane::new()),
        Box::new(crate::panes::hazards::HazardsPane::new()),
        Box::new(crate::panes::duty::DutyPane::new()),
    ]
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
    /// A save waiting for another program's write lock (`wait`).
    waiting: Option<wait::Waiting>,
    /// The file's `data_version` last seen: another process's commit changes it.
    data_version: i64,
}

impl App {
    pub fn new(store: Store, demo_logins: Vec<(String, String)>) -> App {
        let now = store.now_ms();
        // Never block the keys behind another program's write: wait briefly,
        // then the frame retries on its own timer (`wait`).
        let _ = store.set_busy_timeout(wait::TUI_BUSY_WAIT);
        let data_version = store.data_version().unwrap_or(0);
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
            waiting: None,
            data_version,
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
    pub fn hazards(&self) -> &crate::panes::hazards::HazardsPane {
        self.pane()
    }
    pub fn hazards_mut(&mut self) -> &mut crate::panes::hazards::HazardsPane {
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
}

/// Everything the status bar shows besides who and where.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
    /// Hazards past their deadline, and serious ones not closed.
    pub hazard_overdue: i64,
    pub hazard_serious: i64,
    /// Tonight's patrols: missed, late, never started, open past window.
    pub patrol: crate::domain::patrol_status::PatrolAlerts,
    /// The current shift against the roster: late, uncovered, unplanned.
    pub duty: crate::domain::duty::DutyAlerts,
    /// The shift before this one: signed and not accepted, or not signed.
    pub handover: Option<crate::domain::handover::Stage>,
    /// The station's shift running now (its key), read on the tick so
    /// drawing asks the store nothing.
    pub shift: Option<String>,
    /// Operators locked out after wrong PINs (shown to duty leaders and
    /// admins: a guessing attempt is a security fact).
    pub pin_locked: usize,
}
