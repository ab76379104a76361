//! Keeping checkpoints and routes (admins): add, change, retire and bring
//! back, and import checkpoints from the template's .xlsx/.csv.

use super::{Mode, PatrolPane, View};
use crate::action::Action;
use crate::domain::error::DomainError;
use crate::domain::patrol::{CheckpointData, RouteData, RouteOrder, Schedule};
use crate::domain::validate::FieldError;
use crate::i18n::{tr, trf};
use crate::import::checkpoints::{parse_file, split_checklist};
use crate::panes::{Handled, Input, PaneCtx, error_text, form_key, form_step, show_error};
use crate::store::StoreError;
use crate::ui::form::{Field, Form, FormStep};
use crate::ui::prompt::Prompt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminForm {
    Checkpoint { id: Option<String>, active: bool },
    Route { id: Option<String>, active: bool },
}

impl AdminForm {
    pub fn title(&self) -> String {
        tr(match self {
            AdminForm::Checkpoint { id: None, .. } => "patrol.cp_new",
            AdminForm::Checkpoint { .. } => "patrol.cp_edit",
            AdminForm::Route { id: None, .. } => "patrol.route_new",
            AdminForm::Route { .. } => "patrol.route_edit",
        })
    }
}

const ORDER: [&str; 2] = ["patrol.order.ordered", "patrol.order.any"];
const NO_YES: [&str; 2] = ["common.no", "common.yes"];

pub fn checkpoint_form(d: Option<&CheckpointData>) -> Form {
    let mut f = Form::new(vec![
        Field::text("name", "patrol.f.name").required().max(40),
        Field::text("place", "patrol.f.place").required().max(40),
        Field::text("code", "patrol.f.code")
            .required()
            .max(16)
            .hint("patrol.hint.code"),
        Field::text("checklist", "patrol.f.checklist")
            .max(400)
            .hint("patrol.hint.checklist"),
    ]);
    if let Some(d) = d {
        f.set("name", &d.name);
        f.set("place", &d.place);
        f.set("code", &d.code);
        f.set("checklist", &d.checklist.join("；"));
        f.mark_pristine();
    }
    f
}

pub fn route_form(d: Option<&RouteData>, codes: &dyn Fn(&str) -> String) -> Form {
    let mut f = Form::new(vec![
        Field::text("name", "patrol.f.route_name")
            .required()
            .max(40),
        Field::text("checkpoints", "patrol.f.checkpoints")
            .required()
            .max(400)
            .hint("patrol.hint.checkpoints"),
        Field::text("order", "patrol.f.order").choice(ORDER.to_vec()),
        Field::text("schedule", "patrol.f.schedule")
            .required()
            .max(80)
            .hint("patrol.hint.schedule"),
        Field::text("min_walk", "patrol.f.min_walk").max(3),
        Field::text("window", "patrol.f.window").max(3),
        Field::text("late", "patrol.f.late").max(3),
        Field::text("named_person", "patrol.f.named_person")
            .choice(NO_YES.to_vec())
            .hint("patrol.hint.named_person"),
    ]);
    let d = d.cloned().unwrap_or(RouteData {
        name: String::new(),
        checkpoints: vec![],
        order: RouteOrder::Ordered,
        schedule: Schedule::Fixed { times: vec![] },
        min_walk_min: 1,
        window_min: 60,
        late_min: 15,
        named_person: false,
        active: true,
    });
    f.set("name", &d.name);
    let list: Vec<String> = d.checkpoints.iter().map(|c| codes(c)).collect();
    f.set("checkpoints", &list.join(" "));
    f.set_choice("order", (d.order == RouteOrder::AnyOrder) as usize);
    if !matches!(&d.schedule, Schedule::Fixed { times } if times.is_empty()) {
        f.set("schedule", &d.schedule.text());
    }
    f.set("min_walk", &d.min_walk_min.to_string());
    f.set("window", &d.window_min.to_string());
    f.set("late", &d.late_min.to_string());
    f.set_choice("named_person", d.named_person as usize);
    f.mark_pristine();
    f
}

fn minutes(f: &Form, id: &'static str, errs: &mut Vec<(&'static str, FieldError)>) -> u32 {
    match crate::domain::validate::check_int(&f.value(id), 0, 12 * 60) {
        Ok(n) => n as u32,
        Err(e) => {
            errs.push((id, e));
            0
        }
    }
}

impl PatrolPane {
    pub(super) fn admin_action(&mut self, a: Action, ctx: &mut PaneCtx) {
        let sel = self.list.sel;
        match (a, self.view) {
            (Action::New, View::Checkpoints) => {
                self.mode = Mode::Form {
                    kind: AdminForm::Checkpoint {
                        id: None,
                        active: true,
                    },
                    form: checkpoint_form(None),
                }
            }
            (Action::New, View::Routes) => {
                self.mode = Mode::Form {
                    kind: AdminForm::Route {
                        id: None,
                        active: true,
                    },
                    form: route_form(None, &|c| c.to_string()),
                }
            }
            (Action::Open, View::Checkpoints) => {
                if let Some(c) = self.checkpoints.get(sel) {
                    self.mode = Mode::Form {
                        kind: AdminForm::Checkpoint {
                            id: Some(c.id.clone()),
                            active: c.data.active,
                        },
                        form: checkpoint_form(Some(&c.data)),
                    }
                }
            }
            (Action::Open, View::Routes) => {
                if let Some(r) = self.routes.get(sel) {
                    let code = |id: &str| {
                        self.checkpoint(id)
                            .map(|c| c.data.code.clone())
                            .unwrap_or_else(|| id.to_string())
                    };
                    self.mode = Mode::Form {
                        kind: AdminForm::Route {
                            id: Some(r.id.clone()),
                            active: r.data.active,
                        },
                        form: route_form(Some(&r.data), &code),
                    }
                }
            }
            (Action::ToggleActive, View::Checkpoints) => {
                if let Some(c) = self.checkpoints.get(sel).cloned() {
                    let d = CheckpointData {
                        active: !c.data.active,
                        ..c.data
                    };
                    self.report(
                        ctx.store.set_checkpoint(ctx.actor, Some(&c.id), &d),
                        d.active,
                        ctx,
                    );
                }
            }
            (Action::ToggleActive, View::Routes) => {
                if let Some(r) = self.routes.get(sel).cloned() {
                    let d = RouteData {
                        active: !r.data.active,
                        ..r.data
                    };
                    self.report(
                        ctx.store.set_route(ctx.actor, Some(&r.id), &d),
                        d.active,
                        ctx,
                    );
                }
            }
            (Action::Import, _) => {
                let dir = crate::panes::export::default_dir().join("巡查点模板.xlsx");
                self.mode = Mode::Import {
                    path: Prompt::new(&dir.display().to_string(), 260),
                };
            }
            _ => {}
        }
    }

    fn report(&mut self, r: Result<String, StoreError>, active: bool, ctx: &mut PaneCtx) {
        match r {
            Ok(_) => {
                ctx.ok(tr(if active {
                    "patrol.reactivated"
                } else {
                    "patrol.retired"
                }));
                self.after_write(ctx);
            }
            Err(e) => ctx.err(error_text(&e)),
        }
    }

    pub(super) fn form_input(
        &mut self,
        kind: AdminForm,
        mut form: Form,
        input: Input,
        ctx: &mut PaneCtx,
    ) -> (Mode, Handled) {
        match input {
            Input::Key(k) => {
                let h = Handled::from(form_key(&mut form, k));
                (Mode::Form { kind, form }, h)
            }
            Input::Act(a) => match form_step(&mut form, a, ctx) {
                FormStep::Save => match self.save_form(&kind, &mut form, ctx) {
                    Ok(()) => {
                        ctx.ok(tr("patrol.saved"));
                        self.after_write(ctx);
                        (Mode::Browse, Handled::Yes)
                    }
                    Err(e) => {
                        show_error(&mut form, &e, ctx);
                        (Mode::Form { kind, form }, Handled::Yes)
                    }
                },
                FormStep::Close => (Mode::Browse, Handled::Yes),
                FormStep::Pass => (Mode::Form { kind, form }, Handled::No),
                FormStep::Stay | FormStep::Armed => (Mode::Form { kind, form }, Handled::Yes),
            },
        }
    }

    fn save_form(
        &self,
        kind: &AdminForm,
        f: &mut Form,
        ctx: &mut PaneCtx,
    ) -> Result<(), StoreError> {
        f.clear_errors();
        match kind {
            AdminForm::Checkpoint { id, active } => {
                let d = CheckpointData {
                    name: f.value("name"),
                    place: f.value("place"),
                    code: f.value("code"),
                    checklist: split_checklist(&f.value("checklist")),
                    active: *active,
                };
                ctx.store.set_checkpoint(ctx.actor, id.as_deref(), &d)?;
            }
            AdminForm::Route { id, active } => {
                let mut errs = vec![];
                let mut cps = vec![];
                for code in f
                    .value("checkpoints")
                    .split([' ', ',', '，', '、', ';', '；'])
                    .filter(|c| !c.trim().is_empty())
                {
                    match ctx.store.checkpoint_by_code(code)? {
                        Some(c) => cps.push(c.id),
                        None => {
                            errs.push(("checkpoints", FieldError::UnknownCheckpoint));
                            break;
                        }
                    }
                }
                let schedule = Schedule::parse(&f.value("schedule"))
                    .map_err(|e| errs.push(("schedule", e)))
                    .ok();
                let d = RouteData {
                    name: f.value("name"),
                    checkpoints: cps,
                    order: if f.choice("order") == 1 {
                        RouteOrder::AnyOrder
                    } else {
                        RouteOrder::Ordered
                    },
                    schedule: schedule.unwrap_or(Schedule::Fixed { times: vec![] }),
                    min_walk_min: minutes(f, "min_walk", &mut errs),
                    window_min: minutes(f, "window", &mut errs),
                    late_min: minutes(f, "late", &mut errs),
                    named_person: f.choice("named_person") == 1,
                    active: *active,
                };
                if !errs.is_empty() {
                    return Err(DomainError::Invalid(errs).into());
                }
                ctx.store.set_route(ctx.actor, id.as_deref(), &d)?;
            }
        }
        Ok(())
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
            Input::Act(a) => super::round::prompt_step(&mut path, a, ctx),
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
                if !parsed.errors.is_empty() {
                    // Nothing is written until every row is good.
                    let lines = parsed
                        .errors
                        .iter()
                        .map(|e| {
                            trf(
                                "patrol.import_row_error",
                                &[
                                    ("line", e.line.to_string()),
                                    ("field", tr(&format!("patrol.f.{}", e.field))),
                                    ("error", trf(e.error.key(), &e.error.args())),
                                ],
                            )
                        })
                        .collect();
                    ctx.err(trf(
                        "patrol.import_refused",
                        &[("n", parsed.errors.len().to_string())],
                    ));
                    return (Mode::ImportErrors { lines, scroll: 0 }, Handled::Yes);
                }
                let rows: Vec<CheckpointData> = parsed.rows.into_iter().map(|r| r.1).collect();
                match ctx.store.import_checkpoints(ctx.actor, &rows) {
                    Ok((added, changed)) => {
                        ctx.ok(trf(
                            "patrol.imported",
                            &[
                                ("added", added.to_string()),
                                ("changed", changed.to_string()),
                            ],
                        ));
                        self.after_write(ctx);
                        (Mode::Browse, Handled::Yes)
                    }
                    Err(e) => {
                        ctx.err(error_text(&e));
                        (Mode::Import { path }, Handled::Yes)
                    }
                }
            }
            FormStep::Close => (Mode::Browse, Handled::Yes),
            step => (Mode::Import { path }, Handled::from(step != FormStep::Pass)),
        }
    }
}
