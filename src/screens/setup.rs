//! First run on a new database: the school, this station, the first admin.

use crate::domain::error::DomainError;
use crate::domain::event::StationKind;
use crate::domain::role::Actor;
use crate::domain::time::machine_offset_min;
use crate::domain::validate::FieldError;
use crate::i18n::tr;
use crate::panes::error_text;
use crate::store::{Store, StoreError};
use crate::ui::form::{Field, Form, FormKey};
use crate::ui::theme;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

pub struct SetupScreen {
    pub form: Form,
    pub error: Option<String>,
    /// A PIN anyone would guess, warned about once: saving it again keeps it.
    weak_warned: Option<String>,
}

impl SetupScreen {
    pub fn new() -> SetupScreen {
        SetupScreen {
            form: Form::new(vec![
                Field::text("school", "setup.f.school")
                    .required()
                    .max(40)
                    .hint("setup.hint.school"),
                Field::text("station", "setup.f.station")
                    .required()
                    .max(20)
                    .hint("setup.hint.station"),
                Field::text("kind", "setup.f.kind").choice(vec![
                    "kind.gate",
                    "kind.dorm",
                    "kind.office",
                ]),
                Field::text("operator", "setup.f.admin").required().max(20),
                Field::text("pin", "setup.f.pin")
                    .secret()
                    .required()
                    .max(8)
                    .hint("station.hint.pin"),
                Field::text("pin2", "setup.f.pin2")
                    .secret()
                    .required()
                    .max(8),
                Field::text("join", "setup.f.join")
                    .max(200)
                    .hint("setup.hint.join"),
                Field::text("code", "setup.f.code").max(24),
            ]),
            error: None,
            weak_warned: None,
        }
    }

    /// Returns the admin once the station is created.
    pub fn handle_key(&mut self, key: KeyEvent, store: &mut Store) -> Option<Actor> {
        let save = match self.form.handle_key(key) {
            FormKey::Submit => true,
            FormKey::Unhandled => {
                key.code == KeyCode::Char('s') && key.modifiers.contains(KeyModifiers::CONTROL)
            }
            _ => false,
        };
        if !save {
            return None;
        }
        self.error = None;
        let pin = self.form.value("pin");
        if pin != self.form.value("pin2") {
            self.form.set_errors(&[("pin2", FieldError::Mismatch)]);
            return None;
        }
        // A warning, not a refusal: the same PIN saved again is kept.
        if crate::domain::pin_guard::is_weak(&pin, None)
            && self.weak_warned.as_deref() != Some(pin.as_str())
        {
            self.error = Some(tr("setup.weak_pin"));
            self.weak_warned = Some(pin);
            return None;
        }
        let kind = StationKind::ALL[self.form.choice("kind").min(2)].clone();
        let join = self.form.value("join");
        if !join.trim().is_empty() {
            // Joining an existing school: its name and key come from the file.
            let joined =
                crate::sync::join_info(std::path::Path::new(join.trim()), &self.form.value("code"))
                    .and_then(|info| {
                        crate::sync::join(
                            store,
                            &info,
                            &self.form.value("station"),
                            kind,
                            machine_offset_min(),
                            &self.form.value("operator"),
                            &pin,
                        )
                    });
            return match joined {
                Ok(()) => store
                    .find_operator_by_name(&self.form.value("operator"))
                    .ok()
                    .flatten()
                    .map(|o| o.actor()),
                Err(crate::sync::SyncError::Store(StoreError::Domain(DomainError::Invalid(
                    errs,
                )))) => {
                    self.form.set_errors(&errs);
                    None
                }
                Err(e) => {
                    self.error = Some(crate::sync::error_text(&e));
                    None
                }
            };
        }
        match store.setup(
            &self.form.value("school"),
            &self.form.value("station"),
            kind,
            machine_offset_min(),
            &self.form.value("operator"),
            &pin,
        ) {
            Ok(a) => Some(a),
            Err(StoreError::Domain(DomainError::Invalid(errs))) => {
                self.form.set_errors(&errs);
                None
            }
            Err(e) => {
                self.error = Some(error_text(&e));
                None
            }
        }
    }

    pub fn render(&mut self, area: Rect, buf: &mut Buffer) -> Option<Position> {
        let rect = crate::ui::centered(area, 76, 16);
        let block = Block::bordered().title(Span::styled(
            format!(" {} ", tr("setup.title")),
            theme::title(),
        ));
        let inner = block.inner(rect);
        block.render(rect, buf);
        Line::from(tr("setup.intro")).render(Rect::new(inner.x, inner.y, inner.width, 1), buf);
        let form_area = Rect::new(inner.x, inner.y + 2, inner.width, 8);
        let cursor = self.form.render(form_area, buf, true);
        let y = inner.y + 11;
        if let Some(e) = &self.error {
            Span::styled(e.clone(), theme::error())
                .render(Rect::new(inner.x, y, inner.width, 1), buf);
        }
        Span::styled(tr("setup.keys"), theme::muted())
            .render(Rect::new(inner.x, y + 1, inner.width, 1), buf);
        cursor
    }
}

impl Default for SetupScreen {
    fn default() -> Self {
        SetupScreen::new()
    }
}
