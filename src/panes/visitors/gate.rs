//! Boarders through the gate (离校/返校): who takes them, checked against
//! the roster's pick-up list; anyone else needs a duty leader's PIN on the
//! spot, and that approval is recorded. Tonight's roll-call sees both.

use super::super::picker::{Picked, Picker};
use super::super::{Handled, Input, PaneCtx, error_text, form_key, form_step};
use crate::action::Action;
use crate::domain::error::DomainError;
use crate::domain::role::{Permission, allows};
use crate::domain::roster::Student;
use crate::domain::time;
use crate::i18n::{tr, trf};
use crate::keymap::Ctx;
use crate::store::StoreError;
use crate::store::operators::Operator;
use crate::ui::form::{Field, Form, FormStep};
use crate::ui::text_input::TextInput;
use crate::ui::{centered, dialog, form_screen, theme};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};

pub enum GateFlow {
    Pick(Picker),
    Form {
        student: Student,
        form: Form,
    },
    /// Not on the pick-up list: a duty leader approves with their PIN.
    Approve {
        student: Student,
        form: Form,
        leaders: Vec<Operator>,
        sel: usize,
        pin: TextInput,
    },
    Return {
        id: String,
        name: String,
    },
}

fn departure_form(s: &Student) -> Form {
    let mut f = Form::new(vec![
        Field::text("with_name", "gate.f.with_name")
            .required()
            .max(20),
        Field::text("relation", "gate.f.relation").max(10),
        Field::text("phone", "gate.f.phone").max(20),
        Field::text("due", "gate.f.due")
            .max(16)
            .hint("gate.hint.due"),
        Field::text("note", "gate.f.note").max(100),
    ]);
    // The usual case: the first guardian allowed to pick up.
    if let Some(g) = s.data.guardians.iter().find(|g| g.may_pick_up) {
        f.set("with_name", &g.name);
        f.set("relation", &g.relation);
        f.set("phone", g.phone.as_deref().unwrap_or(""));
    }
    f.mark_pristine();
    f
}

/// (name, relation, phone, may pick up) lines for the form's side panel.
fn guardian_lines(s: &Student) -> Vec<Line<'static>> {
    let mut v = vec![Line::from(Span::styled(
        tr("gate.list_title"),
        theme::title(),
    ))];
    for g in &s.data.guardians {
        let ok = if g.may_pick_up {
            tr("gate.may")
        } else {
            tr("gate.may_not")
        };
        let style = if g.may_pick_up {
            Style::new().fg(theme::OK)
        } else {
            theme::error()
        };
        v.push(Line::from(vec![
            Span::raw(format!(
                "{} {} {} ",
                g.relation,
                g.name,
                g.phone.clone().unwrap_or_default()
            )),
            Span::styled(ok, style),
        ]));
    }
    v
}

impl GateFlow {
    pub fn start() -> GateFlow {
        GateFlow::Pick(Picker::default())
    }

    pub fn in_text(&self) -> bool {
        !matches!(self, GateFlow::Return { .. })
    }

    pub fn has_unsaved(&self) -> bool {
        matches!(self, GateFlow::Form { form, .. } | GateFlow::Approve { form, .. } if form.is_dirty())
    }

    pub fn contexts(&self) -> Vec<Ctx> {
        match self {
            GateFlow::Pick(_) | GateFlow::Approve { .. } => vec![Ctx::Picker],
            GateFlow::Form { .. } => vec![Ctx::Form],
            GateFlow::Return { .. } => vec![Ctx::Confirm],
        }
    }

    /// Returns the next state, or None when the flow is over.
    pub fn handle(self, input: Input, ctx: &mut PaneCtx) -> (Option<GateFlow>, Handled) {
        match self {
            GateFlow::Pick(mut p) => {
                if input.action() == Some(Action::Back) {
                    return (None, Handled::Yes);
                }
                match p.handle(input, ctx) {
                    Picked::Chosen(s) => {
                        let form = departure_form(&s);
                        (Some(GateFlow::Form { student: *s, form }), Handled::Yes)
                    }
                    Picked::Busy => (Some(GateFlow::Pick(p)), Handled::Yes),
                    Picked::Pass => (Some(GateFlow::Pick(p)), Handled::No),
                }
            }
            GateFlow::Form { student, mut form } => {
                let a = match input {
                    Input::Key(k) => {
                        let h = Handled::from(form_key(&mut form, k));
                        return (Some(GateFlow::Form { student, form }), h);
                    }
                    Input::Act(a) => a,
                };
                match form_step(&mut form, a, ctx) {
                    FormStep::Save => {}
                    FormStep::Close => return (None, Handled::Yes),
                    FormStep::Pass => return (Some(GateFlow::Form { student, form }), Handled::No),
                    FormStep::Stay | FormStep::Armed => {
                        return (Some(GateFlow::Form { student, form }), Handled::Yes);
                    }
                }
                match save(&student, &mut form, None, ctx) {
                    Ok(()) => (None, Handled::Yes),
                    Err(StoreError::Domain(DomainError::NotAuthorisedPickup)) => {
                        let leaders: Vec<Operator> = ctx
                            .store
                            .operators()
                            .unwrap_or_default()
                            .into_iter()
                            .filter(|o| {
                                o.active && allows(o.role, Permission::ApproveGateException)
                            })
                            .collect();
                        ctx.err(tr("err.not_authorised_pickup"));
                        let mut pin = TextInput::default();
                        pin.max_chars = Some(8);
                        pin.digits_only = true;
                        (
                            Some(GateFlow::Approve {
                                student,
                                form,
                                leaders,
                                sel: 0,
                                pin,
                            }),
                            Handled::Yes,
                        )
                    }
                    Err(e) => {
                        crate::panes::show_error(&mut form, &e, ctx);
                        (Some(GateFlow::Form { student, form }), Handled::Yes)
                    }
                }
            }
            GateFlow::Approve {
                student,
                mut form,
                leaders,
                mut sel,
                mut pin,
            } => {
                let mut h = Handled::Yes;
                match input {
                    Input::Act(Action::Back) => {
                        return (Some(GateFlow::Form { student, form }), Handled::Yes);
                    }
                    Input::Act(Action::Up) => sel = sel.saturating_sub(1),
                    Input::Act(Action::Down) => {
                        sel = (sel + 1).min(leaders.len().saturating_sub(1))
                    }
                    Input::Act(Action::Choose) => {
                        if let Some(l) = leaders.get(sel) {
                            match save(&student, &mut form, Some((&l.id, &pin.value())), ctx) {
                                Ok(()) => return (None, Handled::Yes),
                                Err(e) => {
                                    ctx.err(error_text(&e));
                                    pin.set("");
                                }
                            }
                        }
                    }
                    Input::Act(_) => h = Handled::No,
                    Input::Key(k) => h = Handled::from(pin.handle_key(k)),
                }
                (
                    Some(GateFlow::Approve {
                        student,
                        form,
                        leaders,
                        sel,
                        pin,
                    }),
                    h,
                )
            }
            GateFlow::Return { id, name } => match input.action() {
                Some(Action::Confirm) => {
                    match ctx.store.record_return(ctx.actor, &id, true) {
                        Ok(()) => ctx.ok(trf("roll.returned", &[("name", name)])),
                        Err(e) => ctx.err(error_text(&e)),
                    }
                    (None, Handled::Yes)
                }
                Some(Action::Back) => (None, Handled::Yes),
                _ => (Some(GateFlow::Return { id, name }), Handled::No),
            },
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer) -> Option<Position> {
        match self {
            GateFlow::Pick(p) => {
                let r = centered(area, 60, 12);
                crate::ui::clear(r, buf);
                let block = Block::default().borders(Borders::ALL).title(Span::styled(
                    format!(" {} ", tr("gate.title")),
                    theme::title(),
                ));
                let inner = block.inner(r);
                block.render(r, buf);
                p.render(inner, buf, &tr("roll.pick_student"))
            }
            GateFlow::Form { student, form } | GateFlow::Approve { student, form, .. } => {
                crate::ui::clear(area, buf);
                let title = trf(
                    "gate.form_title",
                    &[
                        ("name", student.data.name.clone()),
                        ("class", student.data.class.clone()),
                    ],
                );
                let h = form.fields.len() as u16 + 2;
                let cursor = form_screen(
                    form,
                    &title,
                    Rect::new(area.x, area.y, area.width, h.min(area.height)),
                    buf,
                );
                let list = Rect::new(
                    area.x,
                    area.y + h + 1,
                    area.width,
                    area.height.saturating_sub(h + 1),
                );
                ratatui::widgets::Paragraph::new(guardian_lines(student)).render(list, buf);
                if let GateFlow::Approve {
                    leaders, sel, pin, ..
                } = self
                {
                    let mut lines = vec![Line::from(Span::styled(
                        tr("gate.approve_prompt"),
                        theme::error(),
                    ))];
                    for (i, l) in leaders.iter().enumerate() {
                        let style = if i == *sel {
                            theme::selected()
                        } else {
                            Style::new()
                        };
                        lines.push(Line::from(Span::styled(
                            format!("  {} ({})", l.name, tr(&format!("role.{}", l.role.key()))),
                            style,
                        )));
                    }
                    lines.push(Line::from(tr("login.pin")));
                    lines.push(Line::from(Span::styled(
                        tr("gate.approve_keys"),
                        theme::muted(),
                    )));
                    let n = lines.len() as u16;
                    let inner = dialog(area, buf, &tr("gate.approve_title"), lines, 56, n);
                    let y = inner.y + n - 2;
                    let x = inner.x
                        + unicode_width::UnicodeWidthStr::width(tr("login.pin").as_str()) as u16
                        + 1;
                    let field = Rect::new(x, y, 10, 1);
                    buf.set_style(field, theme::focus());
                    let (t, c) = pin.visible(10, true);
                    Span::styled(t, theme::focus()).render(field, buf);
                    return Some(Position::new(x + c as u16, y));
                }
                cursor
            }
            GateFlow::Return { name, .. } => {
                crate::ui::confirm(
                    area,
                    buf,
                    &tr("roll.return_title"),
                    trf("roll.confirm_return", &[("name", name.clone())]),
                    44,
                );
                None
            }
        }
    }
}

fn save(
    student: &Student,
    f: &mut Form,
    approver: Option<(&str, &str)>,
    ctx: &mut PaneCtx,
) -> Result<(), StoreError> {
    let due = match f.value("due").trim() {
        "" => None,
        s => Some(
            time::parse_local_datetime(s, ctx.now_ms, ctx.store.offset_min()).ok_or(
                DomainError::Invalid(vec![(
                    "due",
                    crate::domain::validate::FieldError::TimeFormat,
                )]),
            )?,
        ),
    };
    ctx.store.gate_depart(
        ctx.actor,
        &student.id,
        &f.value("with_name"),
        &f.value("relation"),
        &f.value("phone"),
        due,
        &f.value("note"),
        approver,
    )?;
    ctx.ok(trf(
        "gate.departed",
        &[
            ("name", student.data.name.clone()),
            ("with", f.value("with_name")),
        ],
    ));
    Ok(())
}
