//! Station screen (F9, admins): operators and settings.

use super::{Handled, PaneCtx, error_text};
use crate::action::Action;
use crate::domain::role::Role;
use crate::domain::settings;
use crate::domain::validate::FieldError;
use crate::i18n::{tr, trf};
use crate::keymap::{self, Ctx};
use crate::store::operators::Operator;
use crate::ui::form::{Field, Form, FormKey};
use crate::ui::{table, theme};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub const ROLE_KEYS: [&str; 4] = [
    "role.guard",
    "role.dorm_teacher",
    "role.duty_leader",
    "role.admin",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Operators,
    Settings,
}

pub enum Edit {
    None,
    AddOperator(Form),
    ResetPin { id: String, form: Form },
    Setting { key: String, form: Form },
}

pub struct StationScreen {
    pub section: Section,
    pub operators: Vec<Operator>,
    pub op_sel: usize,
    pub settings: Vec<(String, i64)>,
    pub set_sel: usize,
    pub edit: Edit,
}

fn pin_fields() -> Vec<Field> {
    vec![
        Field::text("pin", "station.f.pin")
            .secret()
            .required()
            .max(8)
            .hint("station.hint.pin"),
        Field::text("pin2", "station.f.pin2")
            .secret()
            .required()
            .max(8),
    ]
}

/// The PIN and its repeat must agree before anything is written.
fn pins(form: &mut Form) -> Option<String> {
    let (a, b) = (form.value("pin"), form.value("pin2"));
    if a != b {
        form.set_errors(&[("pin2", FieldError::Mismatch)]);
        return None;
    }
    Some(a)
}

impl StationScreen {
    pub fn open(ctx: &PaneCtx) -> Result<StationScreen, crate::store::StoreError> {
        let mut s = StationScreen {
            section: Section::Operators,
            operators: vec![],
            op_sel: 0,
            settings: vec![],
            set_sel: 0,
            edit: Edit::None,
        };
        s.reload(ctx)?;
        Ok(s)
    }

    fn reload(&mut self, ctx: &PaneCtx) -> Result<(), crate::store::StoreError> {
        self.operators = ctx.store.operators()?;
        self.op_sel = self.op_sel.min(self.operators.len().saturating_sub(1));
        self.settings = settings::all_keys()
            .into_iter()
            .map(|k| {
                let v = ctx.store.setting(&k);
                (k, v)
            })
            .collect();
        Ok(())
    }

    pub fn in_form(&self) -> bool {
        !matches!(self.edit, Edit::None)
    }

    /// Returns (handled, close).
    pub fn handle_key(&mut self, key: KeyEvent, ctx: &mut PaneCtx) -> (Handled, bool) {
        let edit = std::mem::replace(&mut self.edit, Edit::None);
        match edit {
            Edit::None => {}
            Edit::AddOperator(mut f) => {
                if let Some(done) = self.form_key(&mut f, key, ctx, |f, ctx| {
                    let pin = pins(f)?;
                    let role = Role::ALL[f.choice("role").min(3)];
                    match ctx
                        .store
                        .add_operator(ctx.actor, &f.value("name"), role, &pin)
                    {
                        Ok(a) => {
                            ctx.ok(trf("station.added", &[("name", a.name)]));
                            Some(())
                        }
                        Err(e) => {
                            super::visitors::show_error(f, &e, ctx);
                            None
                        }
                    }
                }) {
                    if !done {
                        self.edit = Edit::AddOperator(f);
                    }
                    return (Handled::Yes, false);
                }
                self.edit = Edit::AddOperator(f);
                return (Handled::No, false);
            }
            Edit::ResetPin { id, mut form } => {
                let idc = id.clone();
                if let Some(done) = self.form_key(&mut form, key, ctx, |f, ctx| {
                    let pin = pins(f)?;
                    match ctx.store.set_pin(ctx.actor, &idc, &pin) {
                        Ok(()) => {
                            ctx.ok(tr("station.pin_set"));
                            Some(())
                        }
                        Err(e) => {
                            super::visitors::show_error(f, &e, ctx);
                            None
                        }
                    }
                }) {
                    if !done {
                        self.edit = Edit::ResetPin { id, form };
                    }
                    return (Handled::Yes, false);
                }
                self.edit = Edit::ResetPin { id, form };
                return (Handled::No, false);
            }
            Edit::Setting { key: k, mut form } => {
                let kc = k.clone();
                if let Some(done) = self.form_key(&mut form, key, ctx, |f, ctx| {
                    let Ok(v) = f.value("value").trim().parse::<i64>() else {
                        f.set_errors(&[("value", FieldError::NotANumber)]);
                        return None;
                    };
                    match ctx.store.set_setting(ctx.actor, &kc, v) {
                        Ok(()) => {
                            ctx.ok(tr("station.setting_saved"));
                            Some(())
                        }
                        Err(e) => {
                            super::visitors::show_error(f, &e, ctx);
                            None
                        }
                    }
                }) {
                    if !done {
                        self.edit = Edit::Setting { key: k, form };
                    }
                    return (Handled::Yes, false);
                }
                self.edit = Edit::Setting { key: k, form };
                return (Handled::No, false);
            }
        }
        let Some(a) = keymap::lookup(&[Ctx::Station], &key, false) else {
            return (Handled::No, false);
        };
        match (a, self.section) {
            (Action::Back, _) => return (Handled::Yes, true),
            (Action::NextView, s) => {
                self.section = if s == Section::Operators {
                    Section::Settings
                } else {
                    Section::Operators
                }
            }
            (Action::Up, Section::Operators) => self.op_sel = self.op_sel.saturating_sub(1),
            (Action::Down, Section::Operators) => {
                self.op_sel = (self.op_sel + 1).min(self.operators.len().saturating_sub(1))
            }
            (Action::Up, Section::Settings) => self.set_sel = self.set_sel.saturating_sub(1),
            (Action::Down, Section::Settings) => {
                self.set_sel = (self.set_sel + 1).min(self.settings.len().saturating_sub(1))
            }
            (Action::New, _) => {
                let mut fields = vec![
                    Field::text("name", "station.f.name").required().max(20),
                    Field::text("role", "station.f.role").choice(ROLE_KEYS.to_vec()),
                ];
                fields.extend(pin_fields());
                self.edit = Edit::AddOperator(Form::new(fields));
            }
            (Action::ResetPin, Section::Operators) => {
                if let Some(op) = self.operators.get(self.op_sel) {
                    self.edit = Edit::ResetPin {
                        id: op.id.clone(),
                        form: Form::new(pin_fields()),
                    };
                }
            }
            (Action::ToggleActive, Section::Operators) => {
                if let Some(op) = self.operators.get(self.op_sel).cloned() {
                    match ctx
                        .store
                        .change_operator(ctx.actor, &op.id, op.role, !op.active)
                    {
                        Ok(()) => ctx.ok(trf(
                            if op.active {
                                "station.deactivated"
                            } else {
                                "station.activated"
                            },
                            &[("name", op.name)],
                        )),
                        Err(e) => ctx.err(error_text(&e)),
                    }
                    let _ = self.reload(ctx);
                }
            }
            (Action::ChangeRole, Section::Operators) => {
                if let Some(op) = self.operators.get(self.op_sel).cloned() {
                    let i = Role::ALL.iter().position(|r| *r == op.role).unwrap_or(0);
                    let role = Role::ALL[(i + 1) % Role::ALL.len()];
                    match ctx
                        .store
                        .change_operator(ctx.actor, &op.id, role, op.active)
                    {
                        Ok(()) => ctx.ok(trf(
                            "station.role_changed",
                            &[
                                ("name", op.name),
                                ("role", tr(&format!("role.{}", role.key()))),
                            ],
                        )),
                        Err(e) => ctx.err(error_text(&e)),
                    }
                    let _ = self.reload(ctx);
                }
            }
            (Action::Open, Section::Settings) => {
                if let Some((k, v)) = self.settings.get(self.set_sel) {
                    let mut f = Form::new(vec![
                        Field::text("value", "station.f.value").required().max(5),
                    ]);
                    f.set("value", &v.to_string());
                    self.edit = Edit::Setting {
                        key: k.clone(),
                        form: f,
                    };
                }
            }
            _ => {}
        }
        (Handled::Yes, false)
    }

    /// Common form handling: Some(true) saved, Some(false) consumed and
    /// still open, None not a form key.
    fn form_key(
        &mut self,
        f: &mut Form,
        key: KeyEvent,
        ctx: &mut PaneCtx,
        save: impl FnOnce(&mut Form, &mut PaneCtx) -> Option<()>,
    ) -> Option<bool> {
        let go = match f.handle_key(key) {
            FormKey::Submit => true,
            FormKey::Unhandled => match keymap::lookup(&[Ctx::Form], &key, true) {
                Some(Action::Save) => true,
                Some(Action::Back) => return Some(true),
                _ => return None,
            },
            _ => false,
        };
        if go && save(f, ctx).is_some() {
            let _ = self.reload(ctx);
            return Some(true);
        }
        Some(false)
    }

    pub fn render(&mut self, area: Rect, buf: &mut Buffer, offset_min: i32) -> Option<Position> {
        crate::ui::clear(area, buf);
        let mut y = area.y;
        let tabs = Line::from(vec![
            Span::styled(
                format!(" {} ", tr("station.operators")),
                if self.section == Section::Operators {
                    theme::focus()
                } else {
                    theme::muted()
                },
            ),
            Span::raw(" "),
            Span::styled(
                format!(" {} ", tr("station.settings")),
                if self.section == Section::Settings {
                    theme::focus()
                } else {
                    theme::muted()
                },
            ),
        ]);
        tabs.render(Rect::new(area.x, y, area.width, 1), buf);
        y += 1;
        let body = Rect::new(area.x, y, area.width, area.bottom().saturating_sub(y));
        match self.section {
            Section::Operators => {
                let cols = [
                    table::col(tr("station.col.name"), 12),
                    table::col(tr("station.col.role"), 10),
                    table::col(tr("station.col.status"), 6),
                    table::col(tr("station.col.last_login"), 16),
                ];
                let rows = self
                    .operators
                    .iter()
                    .map(|o| {
                        (
                            vec![
                                o.name.clone(),
                                tr(&format!("role.{}", o.role.key())),
                                tr(if o.active {
                                    "station.active"
                                } else {
                                    "station.inactive"
                                }),
                                o.last_login_ms
                                    .map(|t| {
                                        crate::domain::time::fmt_local(
                                            t,
                                            offset_min,
                                            "%Y-%m-%d %H:%M",
                                        )
                                    })
                                    .unwrap_or_default(),
                            ],
                            if o.active {
                                Style::new()
                            } else {
                                theme::muted()
                            },
                        )
                    })
                    .collect();
                table::draw(body, buf, &cols, rows, Some(self.op_sel));
            }
            Section::Settings => {
                let cols = [
                    table::col(tr("station.col.setting"), 30),
                    table::col(tr("station.col.value"), 8),
                ];
                let rows = self
                    .settings
                    .iter()
                    .map(|(k, v)| {
                        (
                            vec![tr(&format!("setting.{k}")), v.to_string()],
                            Style::new(),
                        )
                    })
                    .collect();
                table::draw(body, buf, &cols, rows, Some(self.set_sel));
            }
        }
        let (title, form) = match &mut self.edit {
            Edit::None => return None,
            Edit::AddOperator(f) => (tr("station.add_title"), f),
            Edit::ResetPin { form, .. } => (tr("station.pin_title"), form),
            Edit::Setting { key, form } => (tr(&format!("setting.{key}")), form),
        };
        let rect = crate::ui::centered(area, 64, form.fields.len() as u16 + 4);
        crate::ui::clear(rect, buf);
        let block = ratatui::widgets::Block::bordered()
            .title(Span::styled(format!(" {title} "), theme::title()));
        let inner = block.inner(rect);
        block.render(rect, buf);
        form.render(inner, buf, true)
    }
}
