//! Patrol pane (夜间巡查): tonight's routes and where their rounds stand;
//! walking a round with the code field always focused, so a USB scanner's
//! code + Enter checks a checkpoint in with no other key; findings, entries
//! made later from a paper card, closing with a reason when anything was
//! missed; and, for admins, the checkpoints and routes.

pub mod admin;
mod pane;
pub mod render;
pub mod round;

use super::export::{ExportForm, Step};
use super::job::Job;
use super::{Handled, Input, PaneCtx, error_text};
use crate::action::Action;
use crate::domain::patrol_status::SlotState;
use crate::domain::role::{Permission, allows};
use crate::i18n::{tr, trf};
use crate::keymap::Ctx;
use crate::store::StoreError;
use crate::store::patrol::{CheckpointRow, RouteRow};
use crate::store::patrol_night::{PatrolNight, RoundView, RouteNight};
use crate::ui::form::Form;
use crate::ui::list::ListState;
use crate::ui::prompt::Prompt;
use admin::AdminForm;
use round::{Finding, RoundMode};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Tonight,
    Checkpoints,
    Routes,
}

impl View {
    pub const ALL: [View; 3] = [View::Tonight, View::Checkpoints, View::Routes];
    pub fn label(self) -> &'static str {
        match self {
            View::Tonight => "patrol.view.tonight",
            View::Checkpoints => "patrol.view.checkpoints",
            View::Routes => "patrol.view.routes",
        }
    }
}

pub enum Mode {
    Browse,
    /// Walking a round: the code field has focus.
    Round(RoundMode),
    /// A finding at a checkpoint of the round.
    Finding(Box<Finding>),
    /// The time a checkpoint was walked, for an entry made later.
    Later {
        round: RoundMode,
        checkpoint_id: String,
        name: String,
        time: Prompt,
    },
    /// Closing the round: a reason when checkpoints were missed.
    Close {
        round: RoundMode,
        missed: usize,
        reason: Prompt,
    },
    /// Naming the person responsible for a route tonight.
    Assign {
        route_id: String,
        name: String,
        person: Prompt,
    },
    /// Adding or changing a checkpoint or a route (admins).
    Form {
        kind: AdminForm,
        form: Form,
    },
    /// The path of a checkpoint file to import (admins).
    Import {
        path: Prompt,
    },
    /// Rows of an import that could not be taken: nothing was written.
    ImportErrors {
        lines: Vec<String>,
        scroll: u16,
    },
    /// The export form, on the patrol ledger.
    Export(Box<ExportForm>),
    Exporting(Job<String>),
}

pub struct PatrolPane {
    pub view: View,
    pub mode: Mode,
    pub night: PatrolNight,
    pub checkpoints: Vec<CheckpointRow>,
    pub routes: Vec<RouteRow>,
    pub by_id: HashMap<String, usize>,
    pub list: ListState,
    /// A finding to report as a hazard, for the app to hand over.
    pub request: Option<crate::panes::PaneRequest>,
    /// (round, checkpoint) of findings reported as hazards lately.
    pub reported: std::collections::HashSet<(String, String)>,
}

impl Default for PatrolPane {
    fn default() -> Self {
        PatrolPane::new()
    }
}

impl PatrolPane {
    pub fn new() -> PatrolPane {
        PatrolPane {
            view: View::Tonight,
            mode: Mode::Browse,
            night: PatrolNight::default(),
            checkpoints: vec![],
            routes: vec![],
            by_id: HashMap::new(),
            list: ListState::default(),
            request: None,
            reported: Default::default(),
        }
    }

    pub fn reload(&mut self, ctx: &PaneCtx) -> Result<(), StoreError> {
        self.night = ctx.store.patrol_night(ctx.now_ms)?;
        // Rounds shown are tonight's and open ones of the night before.
        self.reported = ctx.store.patrol_hazard_links(ctx.now_ms - 2 * 86_400_000)?;
        self.checkpoints = ctx.store.checkpoints(true)?;
        self.routes = ctx.store.routes(true)?;
        self.by_id = self
            .checkpoints
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        self.list.clamp(self.list_len());
        Ok(())
    }

    pub(crate) fn after_write(&mut self, ctx: &mut PaneCtx) {
        if let Err(e) = self.reload(ctx) {
            ctx.err(error_text(&e));
        }
    }

    pub fn checkpoint(&self, id: &str) -> Option<&CheckpointRow> {
        self.by_id.get(id).and_then(|i| self.checkpoints.get(*i))
    }

    /// Tonight's routes, then open rounds of earlier nights or retired
    /// routes: one row each.
    pub fn tonight_len(&self) -> usize {
        self.night.routes.len() + self.night.stale.len()
    }

    pub fn list_len(&self) -> usize {
        match self.view {
            View::Tonight => self.tonight_len(),
            View::Checkpoints => self.checkpoints.len(),
            View::Routes => self.routes.len(),
        }
    }

    pub fn selected_route(&self) -> Option<&RouteNight> {
        self.night.routes.get(self.list.sel)
    }

    /// A round by id among what was loaded (tonight's and open ones).
    pub fn round_view(&self, id: &str) -> Option<&RoundView> {
        self.night
            .routes
            .iter()
            .flat_map(|r| r.rounds.iter())
            .chain(self.night.stale.iter())
            .find(|v| v.row.id == id)
    }

    pub fn route_name(&self, id: &str) -> String {
        self.routes
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.data.name.clone())
            .unwrap_or_default()
    }

    pub fn in_text(&self) -> bool {
        match &self.mode {
            Mode::Round(_)
            | Mode::Finding(_)
            | Mode::Later { .. }
            | Mode::Close { .. }
            | Mode::Assign { .. }
            | Mode::Form { .. }
            | Mode::Import { .. } => true,
            Mode::Export(f) => f.in_text(),
            _ => false,
        }
    }

    pub fn has_unsaved(&self) -> bool {
        match &self.mode {
            Mode::Round(r) => !r.code.value().is_empty(),
            Mode::Finding(f) => f.is_dirty(),
            Mode::Later { time, .. } => time.is_dirty(),
            Mode::Close { reason, .. } => reason.is_dirty(),
            Mode::Assign { person, .. } => person.is_dirty(),
            Mode::Form { form, .. } => form.is_dirty(),
            Mode::Import { path } => path.is_dirty(),
            Mode::Export(f) => f.has_unsaved(),
            _ => false,
        }
    }

    pub fn contexts(&self) -> Vec<Ctx> {
        match &self.mode {
            Mode::Browse if self.view == View::Tonight => vec![Ctx::Patrol],
            Mode::Browse => vec![Ctx::PatrolAdmin],
            Mode::Round(_) => vec![Ctx::PatrolRound],
            Mode::Finding(_) => vec![Ctx::PatrolFinding],
            Mode::Later { .. } | Mode::Close { .. } | Mode::Assign { .. } | Mode::Import { .. } => {
                vec![Ctx::Dialog]
            }
            Mode::Form { .. } => vec![Ctx::Form],
            Mode::ImportErrors { .. } => vec![Ctx::Viewer],
            Mode::Export(f) => f.contexts(),
            Mode::Exporting(_) => vec![Ctx::Job],
        }
    }

    pub fn poll(&mut self, ctx: &mut PaneCtx) -> bool {
        if let Mode::Exporting(job) = &mut self.mode {
            let (changed, done) = super::export::poll(job, ctx);
            if done {
                self.mode = Mode::Browse;
            }
            return changed;
        }
        false
    }

    /// One key or action for the current mode.
    pub fn handle(&mut self, input: Input, ctx: &mut PaneCtx) -> Handled {
        let mode = std::mem::replace(&mut self.mode, Mode::Browse);
        let act = input.action();
        let (mode, h) = match mode {
            Mode::Browse => (Mode::Browse, self.browse(input, ctx)),
            Mode::Round(r) => self.round_input(r, input, ctx),
            Mode::Finding(f) => self.finding_input(f, input, ctx),
            Mode::Later {
                round,
                checkpoint_id,
                name,
                time,
            } => self.later_input(round, checkpoint_id, name, time, input, ctx),
            Mode::Close {
                round,
                missed,
                reason,
            } => self.close_input(round, missed, reason, input, ctx),
            Mode::Assign {
                route_id,
                name,
                person,
            } => self.assign_input(route_id, name, person, input, ctx),
            Mode::Form { kind, form } => self.form_input(kind, form, input, ctx),
            Mode::Import { path } => self.import_input(path, input, ctx),
            Mode::ImportErrors { lines, mut scroll } => match act {
                Some(Action::Up) => {
                    scroll = scroll.saturating_sub(1);
                    (Mode::ImportErrors { lines, scroll }, Handled::Yes)
                }
                Some(Action::Down) => {
                    scroll = scroll.saturating_add(1);
                    (Mode::ImportErrors { lines, scroll }, Handled::Yes)
                }
                Some(Action::Back) => (Mode::Browse, Handled::Yes),
                _ => (Mode::ImportErrors { lines, scroll }, Handled::No),
            },
            Mode::Export(mut f) => match f.handle(input, ctx) {
                Step::Stay(h) => (Mode::Export(f), h),
                Step::Close => (Mode::Browse, Handled::Yes),
                Step::Run(job) => (Mode::Exporting(job), Handled::Yes),
            },
            Mode::Exporting(job) => {
                let h = super::export::job_input(&job, act);
                (Mode::Exporting(job), h)
            }
        };
        if matches!(self.mode, Mode::Browse) {
            self.mode = mode;
        }
        h
    }

    fn browse(&mut self, input: Input, ctx: &mut PaneCtx) -> Handled {
        let Input::Act(a) = input else {
            return Handled::No;
        };
        match a {
            Action::NextView | Action::PrevView => {
                let i = View::ALL.iter().position(|v| *v == self.view).unwrap_or(0);
                let n = View::ALL.len();
                self.view = View::ALL[if a == Action::NextView {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                }];
                self.list.sel = 0;
            }
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Home
            | Action::End => {
                let len = self.list_len();
                self.list.navigate(a, len);
            }
            Action::Open if self.view == View::Tonight => self.walk(false, ctx),
            Action::NewRound if self.view == View::Tonight => self.walk(true, ctx),
            Action::Assign if self.view == View::Tonight => {
                let Some(r) = self.selected_route() else {
                    return Handled::Yes;
                };
                if !allows(ctx.actor.role, Permission::AssignPatrol) {
                    ctx.err(tr("err.forbidden"));
                } else {
                    self.mode = Mode::Assign {
                        route_id: r.route.id.clone(),
                        name: r.route.data.name.clone(),
                        person: Prompt::new(r.assigned.as_deref().unwrap_or(""), 20),
                    };
                }
            }
            Action::Export if self.view == View::Tonight => {
                match ExportForm::open(crate::report::request::LedgerKind::Patrol, ctx) {
                    Ok(f) => self.mode = Mode::Export(Box::new(f)),
                    Err(e) => ctx.err(e),
                }
            }
            Action::New | Action::Open | Action::ToggleActive | Action::Import
                if self.view != View::Tonight =>
            {
                if !allows(ctx.actor.role, Permission::ManagePatrol) {
                    ctx.err(tr("err.forbidden"));
                } else {
                    self.admin_action(a, ctx);
                }
            }
            _ => return Handled::No,
        }
        Handled::Yes
    }

    /// Enter on a route: into its open round, else start the round due now
    /// (or an unscheduled one when none is due); `n`: unscheduled.
    fn walk(&mut self, unscheduled: bool, ctx: &mut PaneCtx) {
        let sel = self.list.sel;
        if sel >= self.night.routes.len() {
            // An open round of an earlier night or a retired route.
            if let Some(v) = self.night.stale.get(sel - self.night.routes.len()) {
                self.mode = Mode::Round(self.enter_round(&v.row.id));
            }
            return;
        }
        let Some(r) = self.night.routes.get(sel) else {
            ctx.err(tr("patrol.no_routes"));
            return;
        };
        if let Some(open) = r.rounds.iter().find(|v| v.row.closed_ms.is_none()) {
            if unscheduled {
                ctx.err(tr("err.patrol_open"));
            }
            self.mode = Mode::Round(self.enter_round(&open.row.id));
            return;
        }
        let due = (!unscheduled)
            .then(|| {
                r.slots
                    .iter()
                    .find(|(_, st)| matches!(st, SlotState::Due { .. } | SlotState::Overdue { .. }))
            })
            .flatten()
            .map(|(s, _)| s.due_ms);
        let route_id = r.route.id.clone();
        let name = r.route.data.name.clone();
        match ctx.store.start_patrol(ctx.actor, &route_id, due) {
            Ok(id) => {
                ctx.ok(trf("patrol.started", &[("route", name)]));
                self.after_write(ctx);
                self.mode = Mode::Round(self.enter_round(&id));
            }
            Err(e) => ctx.err(error_text(&e)),
        }
    }

    fn assign_input(
        &mut self,
        route_id: String,
        name: String,
        mut person: Prompt,
        input: Input,
        ctx: &mut PaneCtx,
    ) -> (Mode, Handled) {
        use crate::ui::form::FormStep;
        let step = match input {
            Input::Key(k) => {
                let h = Handled::from(person.key(k));
                return (
                    Mode::Assign {
                        route_id,
                        name,
                        person,
                    },
                    h,
                );
            }
            Input::Act(a) => round::prompt_step(&mut person, a, ctx),
        };
        match step {
            FormStep::Save => {
                let night = self.night.night.clone();
                match ctx
                    .store
                    .assign_route(ctx.actor, &route_id, &night, &person.value())
                {
                    Ok(()) => {
                        ctx.ok(trf(
                            "patrol.assigned",
                            &[("route", name), ("person", person.value())],
                        ));
                        self.after_write(ctx);
                        (Mode::Browse, Handled::Yes)
                    }
                    Err(e) => {
                        ctx.err(error_text(&e));
                        (
                            Mode::Assign {
                                route_id,
                                name,
                                person,
                            },
                            Handled::Yes,
                        )
                    }
                }
            }
            FormStep::Close => (Mode::Browse, Handled::Yes),
            step => (
                Mode::Assign {
                    route_id,
                    name,
                    person,
                },
                Handled::from(step != FormStep::Pass),
            ),
        }
    }
}
