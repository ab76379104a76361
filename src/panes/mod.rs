//! Panes: each turns keys into actions on its own state, and draws itself.
//! `App` drives every pane through the one `Pane` trait: the tab panes in
//! `app::pane_list`, and the F8/F9 screens as overlays on top of them.

pub mod conflicts;
pub mod duty;
pub mod export;
pub mod hazards;
pub mod invite_job;
pub mod job;
pub mod patrol;
pub mod picker;
pub mod purge_job;
pub mod rollcall;
pub mod station;
pub mod sync_job;
pub mod visitors;

use crate::action::Action;
use crate::domain::role::{Actor, Role};
use crate::i18n::{tr, trf};
use crate::keymap::Ctx;
use crate::store::{Store, StoreError};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Position, Rect};
use std::any::Any;

/// What drawing needs besides the pane's own state.
pub struct RenderCtx {
    pub role: Role,
    pub now_ms: i64,
    pub offset_min: i32,
}

/// The contract between the frame and a pane. A key goes first to
/// `key` (the focused text field types it); what the pane leaves is looked
/// up in the keymap under `contexts`, and the action goes to `update`;
/// what that leaves reaches the global keys. `render` only reads.
pub trait Pane: Any {
    /// Catalog key of the tab (or overlay) title.
    fn title(&self) -> &'static str;
    /// Re-reads what the pane shows from the store.
    fn reload(&mut self, ctx: &mut PaneCtx) -> Result<(), StoreError>;
    /// Called when the pane comes to the front; most re-read.
    fn focus(&mut self, ctx: &mut PaneCtx) {
        if let Err(e) = self.reload(ctx) {
            ctx.err(error_text(&e));
        }
    }
    /// Keymap contexts in force now, innermost first (help, hints, lookup).
    fn contexts(&self) -> Vec<Ctx>;
    /// A text field has focus: plain keys are typing.
    fn in_text(&self) -> bool;
    /// Input that leaving or quitting would lose.
    fn has_unsaved(&self) -> bool;
    /// A key before the keymap: text fields and keys the pane reads itself.
    fn key(&mut self, key: KeyEvent, ctx: &mut PaneCtx) -> Handled;
    /// An action from the keymap, in one of `contexts`.
    fn update(&mut self, a: Action, ctx: &mut PaneCtx) -> Handled;
    fn render(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) -> Option<Position>;
    /// Whether the hint bar should offer `a` now (the keymap lists every
    /// key in help; hints show only those that would do something here).
    fn offers(&self, _a: Action, _role: Role) -> bool {
        true
    }
    /// A left click at (`x`, `y`) inside the `area` the pane was drawn in.
    fn click(&mut self, _x: u16, _y: u16, _area: Rect, _ctx: &mut PaneCtx) -> bool {
        false
    }
    /// Background work (imports, exports): true when there is news to draw.
    fn poll(&mut self, _ctx: &mut PaneCtx) -> bool {
        false
    }
    /// An overlay (F8/F9) that has finished and should close.
    fn closed(&self) -> bool {
        false
    }
    /// A sync folder the pane asks the app to sync with now.
    fn take_sync_request(&mut self) -> Option<std::path::PathBuf> {
        None
    }
    /// Work this pane hands to another (the app brings that one to front).
    fn take_request(&mut self) -> Option<PaneRequest> {
        None
    }
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// The boilerplate half of `Pane` for a concrete type.
#[macro_export]
macro_rules! pane_any {
    () => {
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
        fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
            self
        }
    };
}

/// What a pane needs from the app while handling a key.
/// What one pane asks of another; the app carries it over.
#[derive(Debug, Clone, PartialEq)]
pub enum PaneRequest {
    /// A patrol finding to report as a hazard: the report form, prefilled.
    ReportHazard(crate::domain::hazard::HazardDraft),
    /// A patrol finding to write into the shift log: the entry form, prefilled.
    LogEntry(crate::domain::shift_log::LogDraft),
}

pub struct PaneCtx<'a> {
    pub store: &'a mut Store,
    pub actor: &'a Actor,
    pub now_ms: i64,
    /// A one-line message for the hint bar (confirmations and refusals).
    pub toast: &'a mut Option<Toast>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub error: bool,
}

impl PaneCtx<'_> {
    pub fn ok(&mut self, text: String) {
        *self.toast = Some(Toast { text, error: false });
    }
    pub fn err(&mut self, text: String) {
        *self.toast = Some(Toast { text, error: true });
    }
}

/// A store error as one line in the current language.
pub fn error_text(e: &StoreError) -> String {
    crate::i18n::errors::store_error_text(e)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    Yes,
    No,
}

impl Handled {
    pub fn from(b: bool) -> Handled {
        if b { Handled::Yes } else { Handled::No }
    }
}

/// One step of input for a pane's current mode: a key for its text field,
/// or an action the keymap found for it. Mode handlers match both in one
/// place, so a mode's text and its keys are read together.
#[derive(Debug, Clone, Copy)]
pub enum Input {
    Key(KeyEvent),
    Act(Action),
}

impl Input {
    pub fn action(self) -> Option<Action> {
        match self {
            Input::Act(a) => Some(a),
            Input::Key(_) => None,
        }
    }
}

/// A form's share of an action, with the "Esc again" warning shown.
pub fn form_step(
    form: &mut crate::ui::form::Form,
    a: Action,
    ctx: &mut PaneCtx,
) -> crate::ui::form::FormStep {
    let step = form.update(a);
    if step == crate::ui::form::FormStep::Armed {
        ctx.err(tr("form.esc_again"));
    }
    step
}

/// A key typed into a form: true when the form used it.
pub fn form_key(form: &mut crate::ui::form::Form, key: KeyEvent) -> bool {
    !matches!(form.handle_key(key), crate::ui::form::FormKey::Unhandled)
}

/// Field errors go beside their fields; anything else to the hint bar.
pub fn show_error(form: &mut crate::ui::form::Form, e: &StoreError, ctx: &mut PaneCtx) {
    match e {
        StoreError::Domain(crate::domain::error::DomainError::Invalid(errs)) => {
            form.set_errors(errs);
            ctx.err(trf("form.errors", &[("n", form.error_count().to_string())]));
        }
        StoreError::Domain(crate::domain::error::DomainError::ReasonRequired) => {
            form.set_errors(&[("reason", crate::domain::validate::FieldError::Required)]);
            ctx.err(tr("err.reason_required"));
        }
        other => ctx.err(error_text(other)),
    }
}

/// What a key did to a list's search prompt, which filters as it is typed.
pub enum SearchStep {
    /// Typed into the prompt: the query now (when it changed) and whether
    /// the key was used.
    Typed(Option<String>, bool),
    /// Enter: back to the list, the filter kept.
    Done,
    /// Esc: back to the list, the filter cleared.
    Cleared,
    /// Anything else: the list's own keys (arrows still move it).
    Other(Action),
}

pub fn search_step(p: &mut crate::ui::prompt::Prompt, input: Input, query: &str) -> SearchStep {
    match input {
        Input::Key(k) => {
            let used = p.key(k);
            let now = p.value();
            SearchStep::Typed((used && now != query).then_some(now), used)
        }
        Input::Act(Action::Confirm) => SearchStep::Done,
        Input::Act(Action::Back) => SearchStep::Cleared,
        Input::Act(a) => SearchStep::Other(a),
    }
}
