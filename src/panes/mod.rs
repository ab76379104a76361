//! Panes: each turns keys into actions on its own state, and draws itself.

pub mod conflicts;
pub mod picker;
pub mod rollcall;
pub mod station;
pub mod sync_job;
pub mod visitors;

use crate::domain::role::Actor;
use crate::store::{Store, StoreError};

/// What a pane needs from the app while handling a key.
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
