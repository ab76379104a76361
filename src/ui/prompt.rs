//! A one-line prompt (a time, a reason, a PIN) with the same Esc rule as
//! forms: typed text is only thrown away by a second Esc.

use super::form::FormStep;
use super::text_input::TextInput;
use crate::action::Action;
use ratatui::crossterm::event::KeyEvent;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prompt {
    pub input: TextInput,
    /// The value it opened with: Esc leaves at once while it is unchanged.
    pristine: String,
    armed: bool,
}

impl Prompt {
    pub fn new(value: &str, max: usize) -> Prompt {
        let mut input = TextInput::new(value);
        input.max_chars = Some(max);
        Prompt {
            input,
            pristine: value.to_string(),
            armed: false,
        }
    }

    /// A PIN prompt: digits only (letters are refused as typed), at most 8.
    pub fn pin() -> Prompt {
        let mut p = Prompt::new("", 8);
        p.input.digits_only = true;
        p
    }

    pub fn value(&self) -> String {
        self.input.value()
    }

    pub fn is_dirty(&self) -> bool {
        self.input.value() != self.pristine
    }

    /// Typing; false for keys that are not editing.
    pub fn key(&mut self, key: KeyEvent) -> bool {
        let before = self.input.value();
        let used = self.input.handle_key(key);
        if self.input.value() != before {
            self.armed = false;
        }
        used
    }

    /// Enter saves; Esc leaves at once if nothing was typed, else on the
    /// second press.
    pub fn update(&mut self, a: Action) -> FormStep {
        match a {
            Action::Confirm | Action::Save => FormStep::Save,
            Action::Back if !self.is_dirty() || self.armed => FormStep::Close,
            Action::Back => {
                self.armed = true;
                FormStep::Armed
            }
            _ => FormStep::Pass,
        }
    }
}
