//! The roster line form and the roster file import (admins). A line typed
//! here goes through the same matching as a file's rows, so a name typed in
//! the form and one in the file land the same way.

use super::{Mode, RosterView};
use crate::domain::duty::{DutyPlan, parse_posts, split_names};
use crate::domain::duty_lines::{DutyLine, LineError, LineProblem};
use crate::domain::shift::ShiftId;
use crate::domain::time::parse_date;
use crate::i18n::{tr, trf};
use crate::import::duty::parse_file;
use crate::panes::{Handled, Input, PaneCtx, error_text, form_key, form_step, show_error};
use crate::store::duty_import::DutyImport;
use crate::ui::form::{Field, Form, FormStep};
use crate::ui::prompt::Prompt;

/// The shift as typed in the form: 白班/夜班 for the default keys.
pub fn shift_label(key: &str) -> String {
    match key {
        "day" | "night" => tr(&format!("duty.shift.{key}")),
        k => k.to_string(),
    }
}

fn names(people: &[crate::domain::duty::DutyPerson]) -> String {
    people
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

pub fn plan_form(shift: &ShiftId, plan: Option<&DutyPlan>) -> Form {
    let mut f = Form::new(vec![
        Field::text("date", "duty.col.date")
            .required()
            .max(12)
            .hint("duty.hint.date"),
        Field::text("shift", "duty.col.shift")
            .required()
            .max(16)
            .hint("duty.hint.shift"),
        Field::text("people", "duty.col.people")
            .required()
            .max(120)
            .hint("duty.hint.people"),
        Field::text("leader", "duty.col.leader").max(20),
        Field::text("posts", "duty.col.posts")
            .max(200)
            .hint("duty.hint.posts"),
        Field::text("note", "duty.col.note").max(200),
    ]);
    f.set("date", &shift.date);
    f.set("shift", &shift_label(&shift.shift));
    if let Some(p) = plan {
        f.set("people", &names(&p.people));
        if let Some(l) = &p.leader {
            f.set("leader", &l.name);
        }
        let posts: Vec<String> = p
            .posts
            .iter()
            .map(|p| format!("{}:{}", p.post, p.person.name))
            .collect();
        f.set("posts", &posts.join("；"));
        f.set("note", &p.note);
    }
    f.mark_pristine();
    f
}

/// Row problems beside their fields, in the user's language.
fn set_line_errors(form: &mut Form, errs: &[LineError]) {
    form.clear_errors();
    let mut first = None;
    for e in errs {
        if let Some(i) = form.fields.iter().position(|f| f.id == e.field) {
            form.fields[i].error = Some(trf(e.problem.key(), &e.problem.args()));
            first = Some(first.map_or(i, |f: usize| f.min(i)));
        }
    }
    if let Some(i) = first {
        form.focus = i;
    }
}

impl RosterView {
    /// New: the selected shift's date and shift filled in. Edit: its line.
    pub(super) fn open_form(&mut self, edit: bool, ctx: &mut PaneCtx) {
        let Some(r) = self.selected() else {
            if let Ok(st) = ctx.store.require_station() {
                let today = crate::domain::time::local(ctx.now_ms, st.utc_offset_min).date_naive();
                let id = ShiftId::new(&st.id, today, "day");
                self.mode = Mode::Form {
                    station: st.id.clone(),
                    editing: None,
                    form: plan_form(&id, None),
                };
            }
            return;
        };
        let plan = r.row.plan.as_ref().filter(|_| edit);
        self.mode = Mode::Form {
            station: r.row.shift.station_id.clone(),
            editing: plan.map(|p| p.shift.clone()),
            form: plan_form(&r.row.shift, plan),
        };
    }

    pub(super) fn form_input(
        &mut self,
        station: String,
        editing: Option<ShiftId>,
        mut form: Form,
        input: Input,
        ctx: &mut PaneCtx,
    ) -> (Mode, Handled) {
        let stay = |form| Mode::Form {
            station: station.clone(),
            editing: editing.clone(),
            form,
        };
        match input {
            Input::Key(k) => {
                let h = Handled::from(form_key(&mut form, k));
                (stay(form), h)
            }
            Input::Act(a) => match form_step(&mut form, a, ctx) {
                FormStep::Save => {
                    if self.save(&station, editing.as_ref(), &mut form, ctx) {
                        ctx.ok(tr("duty.roster.saved"));
                        self.reload_or_say(ctx);
                        (Mode::Browse, Handled::Yes)
                    } else {
                        (stay(form), Handled::Yes)
                    }
                }
                FormStep::Close => (Mode::Browse, Handled::Yes),
                FormStep::Pass => (stay(form), Handled::No),
                FormStep::Stay | FormStep::Armed => (stay(form), Handled::Yes),
            },
        }
    }

    /// Reads the form into a line, matches it and writes it; errors stay
    /// beside their fields. An edit that moves the line to another shift
    /// removes the old one in the same step of the admin's work.
    fn save(
        &mut self,
        station: &str,
        editing: Option<&ShiftId>,
        f: &mut Form,
        ctx: &mut PaneCtx,
    ) -> bool {
        f.clear_errors();
        let mut errs = vec![];
        let err = |field, problem| LineError {
            line: 0,
            field,
            problem,
        };
        let date = parse_date(&f.value("date"));
        if date.is_none() {
            errs.push(err("date", LineProblem::Date));
        }
        let posts = parse_posts(&f.value("posts")).unwrap_or_else(|part| {
            errs.push(err("posts", LineProblem::Posts(part)));
            vec![]
        });
        let Some(date) = date.filter(|_| errs.is_empty()) else {
            set_line_errors(f, &errs);
            ctx.err(trf("form.errors", &[("n", f.error_count().to_string())]));
            return false;
        };
        let line = DutyLine {
            line: 0,
            date,
            shift: f.value("shift"),
            station: station.to_string(),
            people: split_names(&f.value("people")),
            leader: Some(f.value("leader").trim().to_string()).filter(|s| !s.is_empty()),
            posts,
            note: f.value("note"),
        };
        let resolved = match ctx.store.resolve_duty_lines(&[line]) {
            Ok(r) => r,
            Err(e) => {
                show_error(f, &e, ctx);
                return false;
            }
        };
        if !resolved.errors.is_empty() {
            set_line_errors(f, &resolved.errors);
            ctx.err(trf("form.errors", &[("n", f.error_count().to_string())]));
            return false;
        }
        let Some((_, plan)) = resolved.plans.into_iter().next() else {
            return false;
        };
        let moved = editing.filter(|old| **old != plan.shift).cloned();
        let new_shift = plan.shift.clone();
        if let Err(e) = ctx.store.plan_duty(ctx.actor, plan) {
            show_error(f, &e, ctx);
            return false;
        }
        if let Some(old) = moved
            && let Err(e) = ctx.store.remove_duty(ctx.actor, &old)
        {
            ctx.err(error_text(&e));
        }
        // Keep the saved line selected.
        if let Some(i) = self.rows.iter().position(|r| r.row.shift == new_shift) {
            self.list.sel = i;
        }
        true
    }

    pub(super) fn import_input(
        &mut self,
        mut path: Prompt,
        input: Input,
        ctx: &mut PaneCtx,
    ) -> (Mode, Handled) {
        let step = match input {
            Input::Key(k) => {
                let h = Handled::from(path.key(k));
                return (Mode::Import { path }, h);
            }
            Input::Act(a) => {
                let step = path.update(a);
                if step == FormStep::Armed {
                    ctx.err(tr("form.esc_again"));
                }
                step
            }
        };
        match step {
            FormStep::Save => {
                let file = std::path::PathBuf::from(path.value().trim());
                let parsed = match parse_file(&file) {
                    Ok(p) => p,
                    Err(e) => {
                        ctx.err(format!(
                            "{}: {}",
                            file.display(),
                            crate::import::summary::import_error_text(&e)
                        ));
                        return (Mode::Import { path }, Handled::Yes);
                    }
                };
                let mut import = match ctx.store.resolve_duty_lines(&parsed.rows) {
                    Ok(i) => i,
                    Err(e) => {
                        ctx.err(error_text(&e));
                        return (Mode::Import { path }, Handled::Yes);
                    }
                };
                import.errors.extend(parsed.errors);
                import.errors.sort_by_key(|e| e.line);
                let lines = preview_lines(&import);
                (
                    Mode::Preview {
                        file: file.display().to_string(),
                        import,
                        lines,
                        scroll: 0,
                    },
                    Handled::Yes,
                )
            }
            FormStep::Close => (Mode::Browse, Handled::Yes),
            step => (Mode::Import { path }, Handled::from(step != FormStep::Pass)),
        }
    }

    pub(super) fn apply_import(
        &mut self,
        file: String,
        import: DutyImport,
        lines: Vec<String>,
        ctx: &mut PaneCtx,
    ) -> (Mode, Handled) {
        if !import.errors.is_empty() {
            // Nothing is written until every row is good.
            ctx.err(trf(
                "duty.import.refused",
                &[
                    ("file", file.clone()),
                    ("n", import.errors.len().to_string()),
                ],
            ));
            let mode = Mode::Preview {
                file,
                import,
                lines,
                scroll: 0,
            };
            return (mode, Handled::Yes);
        }
        match ctx.store.import_duty(ctx.actor, &import) {
            Ok(_) => {
                ctx.ok(summary(&import));
                self.reload_or_say(ctx);
                (Mode::Browse, Handled::Yes)
            }
            Err(e) => {
                // A full disk (or any failed write): the preview stays, so
                // Enter tries again once there is room.
                ctx.err(error_text(&e));
                let mode = Mode::Preview {
                    file,
                    import,
                    lines,
                    scroll: 0,
                };
                (mode, Handled::Yes)
            }
        }
    }
}

fn summary(i: &DutyImport) -> String {
    trf(
        "duty.imported",
        &[
            ("added", i.added.to_string()),
            ("changed", i.changed.to_string()),
            ("same", i.same.to_string()),
        ],
    )
}

/// What the preview says: the counts, names kept as text, each bad row.
pub fn preview_lines(i: &DutyImport) -> Vec<String> {
    let mut out = vec![summary(i)];
    if !i.unknown.is_empty() {
        let names: Vec<&str> = i.unknown.iter().map(String::as_str).collect();
        out.push(trf(
            "duty.import.unknown",
            &[("n", names.len().to_string()), ("names", names.join("、"))],
        ));
    }
    if i.errors.is_empty() {
        out.push(tr("duty.import.ready"));
    } else {
        out.push(trf(
            "duty.import.has_errors",
            &[("n", i.errors.len().to_string())],
        ));
        for e in &i.errors {
            out.push(trf(
                "duty.import.row_error",
                &[
                    ("line", e.line.to_string()),
                    ("field", tr(&format!("duty.col.{}", e.field))),
                    ("error", trf(e.problem.key(), &e.problem.args())),
                ],
            ));
        }
    }
    out
}
