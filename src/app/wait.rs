//! Another program holding the database: a save waits visibly and retries
//! by itself; other processes' writes reload what the screen shows.
//!
//! Every pane's save is a key the frame dispatched. When the store says that
//! key's transaction met another connection's lock (`Store::take_busy`), the
//! pane has written nothing and kept its form; the frame holds the key and
//! sends it again on a short timer until it goes through or Esc cancels.
//! While it waits the form is frozen: a key typed then would change a field
//! the user does not see change, so it is ignored (the help says so).

use super::*;

/// How long the TUI's connection waits for a lock before `Busy`: short, so
/// a key never freezes the screen behind an import.
pub(super) const TUI_BUSY_WAIT: std::time::Duration = std::time::Duration::from_millis(80);

/// How often the run loop retries a waiting save (and turns the spinner).
pub const RETRY_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// A save held back by another connection's write lock.
#[derive(Debug, Clone)]
pub struct Waiting {
    /// The key that saved, sent again as it was.
    key: KeyEvent,
    /// Where it was pressed: the retry goes only to the same mode.
    ctxs: Vec<Ctx>,
    overlay: bool,
    focus: usize,
    /// Spinner step.
    frame: usize,
    /// The login's Enter, not a pane's save.
    login: bool,
}

impl App {
    /// True while a save waits for the database.
    pub fn is_waiting(&self) -> bool {
        self.waiting.is_some()
    }

    /// The line the hint bar shows while a save waits.
    pub fn waiting_line(&self) -> Option<String> {
        let w = self.waiting.as_ref()?;
        Some(trf(
            "live.waiting",
            &[("spin", SPINNER[w.frame % SPINNER.len()].to_string())],
        ))
    }

    /// `key` met another connection's lock. If the pane is still where the
    /// key was pressed (its form open), wait and retry; otherwise the pane's
    /// own message ("the database is busy") stands.
    pub(super) fn hold(&mut self, key: KeyEvent, ctxs: Vec<Ctx>) {
        if self.front().contexts() != ctxs {
            return;
        }
        self.toast = None;
        self.waiting = Some(Waiting {
            key,
            ctxs,
            overlay: self.overlay.is_some(),
            focus: self.focus,
            frame: 0,
            login: false,
        });
    }

    /// The login's Enter met another connection's lock (the sign-in is an
    /// event): the PIN stays typed and Enter is sent again until it goes
    /// through. A pane's save already waiting (the screen locked while it
    /// waited) keeps its place; then this login shows the busy message.
    pub(super) fn hold_login(&mut self, key: KeyEvent) {
        if self.waiting.is_some() {
            return;
        }
        if let Screen::Login(l) = &mut self.screen {
            // The waiting line says it instead.
            l.error = None;
        }
        self.waiting = Some(Waiting {
            key,
            ctxs: vec![],
            overlay: false,
            focus: 0,
            frame: 0,
            login: true,
        });
    }

    /// True while the login's Enter waits for the database.
    pub(super) fn login_waiting(&self) -> bool {
        self.waiting.as_ref().is_some_and(|w| w.login)
    }

    /// A key while a save (or the login) waits: Esc cancels the wait and
    /// keeps the form (or the PIN) as typed; Ctrl+C still quits (asking first); the rest is ignored.
    pub(super) fn key_while_waiting(&mut self, key: KeyEvent) -> bool {
        if keymap::lookup(&[Ctx::Global], &key, true) == Some(Action::ForceQuit) {
            return self.global(Action::ForceQuit);
        }
        if key.code == ratatui::crossterm::event::KeyCode::Esc {
            self.waiting = None;
            // Said where the screen shows messages: the login box, or the
            // hint bar.
            match &mut self.screen {
                Screen::Login(l) => l.error = Some(tr("live.wait_cancelled")),
                _ => self.set_toast(tr("live.wait_cancelled"), false),
            }
            return true;
        }
        false
    }

    /// Sends the waiting save again: true when something changed on screen
    /// (the spinner turned, or the save went through or was refused).
    pub fn retry_wait(&mut self) -> bool {
        let Some(mut w) = self.waiting.take() else {
            return false;
        };
        if w.login {
            // The login's own `login_key` is false when the screen changed.
            if self.login_key(w.key) {
                w.frame += 1;
                self.waiting = Some(w);
            }
            return true;
        }
        if !matches!(self.screen, Screen::Main) {
            // Locked meanwhile: the wait resumes after the PIN.
            self.waiting = Some(w);
            return false;
        }
        if self.front().contexts() != w.ctxs
            || self.overlay.is_some() != w.overlay
            || self.focus != w.focus
        {
            return true;
        }
        let in_text = self.in_text();
        self.store.take_busy();
        let commits = self.store.commits();
        self.dispatch(w.key, in_text);
        if self.store.take_busy() {
            if self.store.commits() == commits {
                // Still locked: the waiting line, not the pane's busy message.
                self.toast = None;
                w.frame += 1;
                self.waiting = Some(w);
            }
        } else {
            self.shown = self.status_key();
        }
        true
    }

    /// Another process (a second TUI, a command-line import, this TUI's own
    /// sync worker) committed to the file since the last look: every pane
    /// and an open overlay re-read what they show. One pragma when nothing
    /// changed, so an idle screen still draws nothing.
    pub(super) fn tick_outside_writes(&mut self) -> bool {
        let Ok(v) = self.store.data_version() else {
            return false;
        };
        if v == self.data_version {
            return false;
        }
        self.data_version = v;
        if !matches!(self.screen, Screen::Main) {
            return false;
        }
        self.reload_all();
        true
    }

    /// Re-reads every pane and the overlay in front.
    pub(super) fn reload_all(&mut self) {
        self.reload_panes();
        if let Some(mut o) = self.overlay.take() {
            if let Some(Err(e)) = self.with_ctx(|ctx| o.reload(ctx)) {
                self.set_toast(error_text(&e), true);
            }
            self.overlay = Some(o);
        }
    }
}
