//! Hazards pane (安全隐患): the ledger with its filters, serious and overdue
//! first; one hazard's whole history on Enter; the report form and a form
//! per step of the loop, offered only when the role and the state allow.

pub mod forms;
mod pane;
pub mod render;

use super::export::{ExportForm, Step as ExportStep};
use super::job::Job;
use super::{Handled, Input, PaneCtx, error_text, form_key, form_step, show_error};
use crate::action::Action;
use crate::domain::event::Event;
use crate::domain::hazard::{
    self, Category, HazardDraft, HazardView, PatrolRef, Severity, Status, Step,
};
use crate::domain::time;
use crate::i18n::tr;
use crate::keymap::Ctx;
use crate::report::request::LedgerKind;
use crate::store::StoreError;
use crate::store::hazards::HazardFilter;
use crate::store::log::EventRecord;
use crate::ui::form::{Form, FormStep};
use crate::ui::list::ListState;
use crate::ui::prompt::Prompt;
use forms::FormKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Open,
    Overdue,
    Serious,
    Closed,
    All,
}

impl View {
    pub const ALL: [View; 5] = [
        View::Open,
        View::Overdue,
        View::Serious,
        View::Closed,
        View::All,
    ];
    pub fn label(self) -> &'static str {
        match self {
            View::Open => "hazard.view.open",
            View::Overdue => "hazard.view.overdue",
            View::Serious => "hazard.view.serious",
            View::Closed => "hazard.view.closed",
            View::All => "hazard.view.all",
        }
    }
}

pub enum Mode {
    Browse,
    /// Typing the search: the ledger follows each key.
    Search(Prompt),
    History {
        id: String,
        events: Vec<(EventRecord, Event)>,
        scroll: u16,
    },
    Form {
        kind: FormKind,
        hazard_id: String,
        form: Form,
        patrol: Option<PatrolRef>,
    },
    Export(Box<ExportForm>),
    Exporting(Job<String>),
}

/// Rows the ledger loads at first: two screens. Moving near the end of them
/// loads the next page, so a key reads the rows it shows, not a year's
/// worth (reading 200 cold rows cost a first search key ~10 ms).
pub const PAGE: usize = 50;
/// The most rows the ledger holds. Past them the header says so and the
/// search narrows; the exported ledger holds every row.
pub const LIMIT: usize = 500;

pub struct HazardsPane {
    pub view: View,
    pub mode: Mode,
    /// The search as typed (place, people, description; category and
    /// severity words and dates become filters).
    pub query: String,
    pub rows: Vec<HazardView>,
    /// How many rows the ledger loads now: `PAGE`, growing by a page as the
    /// cursor nears the end, back to `PAGE` when the view or search changes.
    pub window: usize,
    pub list: ListState,
    /// (overdue, serious open) for the header.
    pub counts: (i64, i64),
    /// Operator and station names by id, for the history.
    pub names: std::collections::HashMap<String, String>,
    /// Attachments of the open history this station holds a copy of.
    pub attachments_here: std::collections::HashSet<String>,
    /// Who the pane last loaded for: the hint bar offers `v` only to
    /// someone who did not do the fix.
    pub me: Option<crate::domain::role::Actor>,
}

impl Default for HazardsPane {
    fn default() -> Self {
        HazardsPane::new()
    }
}

/// The words of the search that are filters in the current language.
pub fn parse_query(q: &str, offset_min: i32) -> HazardFilter {
    let mut f = HazardFilter::default();
    let mut text = vec![];
    for w in q.split_whitespace() {
        if let Some(c) = Category::ALL
            .into_iter()
            .find(|c| tr(&format!("hazard.cat.{}", c.key())) == w)
        {
            f.category = Some(c);
        } else if let Some(s) = Severity::ALL
            .into_iter()
            .find(|s| tr(&format!("hazard.sev.{}", s.key())) == w)
        {
            f.severity = Some(s);
        } else if let Some(d) = time::parse_date(w) {
            let start = time::day_start_ms(d, offset_min);
            f.from_ms = Some(start);
            f.to_ms = Some(start + 86_400_000);
        } else if let Some((y, m)) = month(w) {
            f.from_ms = Some(time::day_start_ms(y, offset_min));
            f.to_ms = Some(time::day_start_ms(m, offset_min));
        } else {
            text.push(w);
        }
    }
    f.text = text.join(" ");
    f
}

/// "2026-11" → (first day, first day of the next month).
fn month(w: &str) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    let (y, m) = w.split_once('-')?;
    if y.len() != 4 {
        return None;
    }
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    let start = chrono::NaiveDate::from_ymd_opt(y, m, 1)?;
    let next = if m == 12 {
        chrono::NaiveDate::from_ymd_opt(y + 1, 1, 1)?
    } else {
        chrono::NaiveDate::from_ymd_opt(y, m + 1, 1)?
    };
    Some((start, next))
}

impl HazardsPane {
    pub fn new() -> HazardsPane {
        HazardsPane {
            view: View::Open,
            mode: Mode::Browse,
            query: String::new(),
            rows: vec![],
            window: PAGE,
            list: ListState::default(),
            counts: (0, 0),
            names: Default::default(),
            attachments_here: Default::default(),
            me: None,
        }
    }

    pub fn filter(&self, ctx: &PaneCtx) -> HazardFilter {
        let mut f = parse_query(&self.query, ctx.store.offset_min());
        match self.view {
            View::Open => f.open = true,
            View::Overdue => f.overdue = true,
            View::Serious => {
                f.open = true;
                f.severity = Some(Severity::Serious);
            }
            View::Closed => f.status = Some(Status::Closed),
            View::All => {}
        }
        f.limit = self.window;
        f
    }

    pub fn reload(&mut self, ctx: &PaneCtx) -> Result<(), StoreError> {
        let was = self.selected().map(|v| v.id.clone());
        self.rows = ctx.store.hazards(&self.filter(ctx), ctx.now_ms)?;
        self.list
            .follow(&self.rows, was.as_deref(), |v| v.id.as_str());
        self.list.clamp(self.rows.len());
        self.counts = ctx.store.hazard_alerts(ctx.now_ms)?;
        self.me = Some(ctx.actor.clone());
        Ok(())
    }

    /// Moves the cursor; within half a page of the end of a full window,
    /// the next page is loaded (the cursor stays on its hazard).
    fn navigate(&mut self, a: Action, ctx: &mut PaneCtx) -> bool {
        let moved = self.list.navigate(a, self.rows.len());
        if self.rows.len() == self.window
            && self.window < LIMIT
            && self.list.sel + PAGE / 2 >= self.rows.len()
        {
            self.window = (self.window + PAGE).min(LIMIT);
            self.after_write(ctx);
        }
        moved
    }

    fn after_write(&mut self, ctx: &mut PaneCtx) {
        if let Err(e) = self.reload(ctx) {
            ctx.err(error_text(&e));
        }
    }

    pub fn selected(&self) -> Option<&HazardView> {
        self.rows.get(self.list.sel)
    }

    /// Opens the report form filled from `draft` — how a patrol finding
    /// becomes a hazard in one key.
    pub fn open_report(&mut self, draft: &HazardDraft, ctx: &PaneCtx) {
        let text = match draft.deadline_ms {
            Some(t) => time::fmt_local(t, ctx.store.offset_min(), "%Y-%m-%d %H:%M"),
            None => String::new(),
        };
        self.mode = Mode::Form {
            kind: FormKind::Report,
            hazard_id: String::new(),
            form: forms::report_form(draft, &text),
            patrol: draft.found_on_patrol.clone(),
        };
    }

    /// The steps this operator may take on the selected hazard (or the one
    /// whose history is open).
    pub fn steps(&self, actor: &crate::domain::role::Actor) -> Vec<Step> {
        let v = match &self.mode {
            Mode::History { id, .. } => self.rows.iter().find(|r| &r.id == id),
            _ => self.selected(),
        };
        v.map(|v| hazard::allowed_steps(actor, v))
            .unwrap_or_default()
    }

    pub fn in_text(&self) -> bool {
        match &self.mode {
            Mode::Search(_) | Mode::Form { .. } => true,
            Mode::Export(f) => f.in_text(),
            _ => false,
        }
    }

    pub fn has_unsaved(&self) -> bool {
        match &self.mode {
            Mode::Form { form, .. } => form.is_dirty(),
            Mode::Export(f) => f.has_unsaved(),
            _ => false,
        }
    }

    pub fn contexts(&self) -> Vec<Ctx> {
        match &self.mode {
            Mode::Browse => vec![Ctx::Hazards],
            Mode::Search(_) => vec![Ctx::Search],
            Mode::History { .. } => vec![Ctx::Viewer, Ctx::HazardSteps],
            Mode::Form { .. } => vec![Ctx::Form],
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

    fn step_form(&mut self, step: Step, ctx: &mut PaneCtx) -> Option<Mode> {
        let id = match &self.mode {
            Mode::History { id, .. } => id.clone(),
            _ => self.selected()?.id.clone(),
        };
        let v = self.rows.iter().find(|r| r.id == id)?;
        if !self.steps(ctx.actor).contains(&step) {
            // Say why: the same refusal the command would give.
            use crate::domain::role::{Permission, allows};
            let needs = match step {
                Step::Rectify => Permission::ReportHazard,
                Step::Verify => Permission::VerifyHazards,
                _ => Permission::ManageHazards,
            };
            let key = if !allows(ctx.actor.role, needs) {
                "err.forbidden"
            } else if step == Step::Verify
                && v.status == Status::Rectified
                && hazard::is_rectifier(ctx.actor, v)
            {
                "err.own_rectification"
            } else if v.status == Status::Closed {
                "err.hazard_closed"
            } else {
                "err.hazard_step"
            };
            ctx.err(tr(key));
            return None;
        }
        let kind = match step {
            Step::Assign => FormKind::Assign,
            Step::Rectify => FormKind::Rectify,
            Step::Verify => FormKind::Verify,
            Step::Close => FormKind::Close,
            Step::Reopen => FormKind::Reopen,
        };
        Some(Mode::Form {
            kind,
            hazard_id: id,
            form: forms::step_form(kind, v, ctx.store.offset_min()),
            patrol: None,
        })
    }

    fn open_history(&mut self, ctx: &mut PaneCtx) -> Option<Mode> {
        let v = self.selected()?.clone();
        let id = v.id.clone();
        self.attachments_here = v
            .attachments
            .iter()
            .filter(|a| ctx.store.attachment_path(a).is_some())
            .map(|a| a.hash.clone())
            .collect();
        for a in &v.attachments {
            if !self.names.contains_key(&a.station) {
                self.names
                    .insert(a.station.clone(), ctx.store.station_name(&a.station));
            }
        }
        match ctx.store.hazard_history(&id) {
            Ok(events) => {
                for (r, _) in &events {
                    for who in [&r.actor, &r.origin] {
                        if !self.names.contains_key(who) {
                            let name = if who == &r.origin {
                                ctx.store.station_name(who)
                            } else {
                                ctx.store.operator_name(who)
                            };
                            self.names.insert(who.clone(), name);
                        }
                    }
                }
                Some(Mode::History {
                    id,
                    events,
                    scroll: 0,
                })
            }
            Err(e) => {
                ctx.err(error_text(&e));
                None
            }
        }
    }

    fn browse(&mut self, input: Input, ctx: &mut PaneCtx) -> Handled {
        let Some(a) = input.action() else {
            return Handled::No;
        };
        let step = |a| match a {
            Action::Assign => Some(Step::Assign),
            Action::Rectify => Some(Step::Rectify),
            Action::Verify => Some(Step::Verify),
            Action::CloseHazard => Some(Step::Close),
            Action::Reopen => Some(Step::Reopen),
            _ => None,
        };
        if let Some(s) = step(a) {
            if let Some(m) = self.step_form(s, ctx) {
                self.mode = m;
            }
            return Handled::Yes;
        }
        match a {
            Action::New => {
                self.open_report(&HazardDraft::default(), ctx);
                Handled::Yes
            }
            Action::Open => {
                if let Some(m) = self.open_history(ctx) {
                    self.mode = m;
                }
                Handled::Yes
            }
            Action::Search => {
                self.mode = Mode::Search(Prompt::new(&self.query, 60));
                Handled::Yes
            }
            Action::NextView | Action::PrevView => {
                let i = View::ALL.iter().position(|v| *v == self.view).unwrap_or(0);
                let n = View::ALL.len();
                let i = if a == Action::NextView {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.view = View::ALL[i];
                self.list.sel = 0;
                self.window = PAGE;
                self.after_write(ctx);
                Handled::Yes
            }
            Action::Export => {
                match ExportForm::open(LedgerKind::Hazards, ctx) {
                    Ok(f) => self.mode = Mode::Export(Box::new(f)),
                    Err(e) => ctx.err(e),
                }
                Handled::Yes
            }
            a => Handled::from(self.navigate(a, ctx)),
        }
    }

    pub fn handle(&mut self, input: Input, ctx: &mut PaneCtx) -> Handled {
        let mode = std::mem::replace(&mut self.mode, Mode::Browse);
        let (mode, h) = match mode {
            Mode::Browse => {
                let h = self.browse(input, ctx);
                let m = std::mem::replace(&mut self.mode, Mode::Browse);
                (m, h)
            }
            Mode::Search(mut p) => match super::search_step(&mut p, input, &self.query) {
                super::SearchStep::Typed(changed, used) => {
                    if let Some(q) = changed {
                        self.query = q;
                        self.list.sel = 0;
                        self.window = PAGE;
                        self.after_write(ctx);
                    }
                    (Mode::Search(p), Handled::from(used))
                }
                super::SearchStep::Done => (Mode::Browse, Handled::Yes),
                super::SearchStep::Cleared => {
                    self.query.clear();
                    self.window = PAGE;
                    self.after_write(ctx);
                    (Mode::Browse, Handled::Yes)
                }
                super::SearchStep::Other(a) => {
                    let h = Handled::from(self.navigate(a, ctx));
                    (Mode::Search(p), h)
                }
            },
            Mode::History {
                id,
                events,
                mut scroll,
            } => match input.action() {
                Some(Action::Back) => (Mode::Browse, Handled::Yes),
                Some(Action::Up) => {
                    scroll = scroll.saturating_sub(1);
                    (Mode::History { id, events, scroll }, Handled::Yes)
                }
                Some(Action::Down) => {
                    scroll = scroll.saturating_add(1);
                    (Mode::History { id, events, scroll }, Handled::Yes)
                }
                Some(
                    a @ (Action::Assign
                    | Action::Rectify
                    | Action::Verify
                    | Action::CloseHazard
                    | Action::Reopen),
                ) => {
                    self.mode = Mode::History { id, events, scroll };
                    let s = match a {
                        Action::Assign => Step::Assign,
                        Action::Rectify => Step::Rectify,
                        Action::Verify => Step::Verify,
                        Action::CloseHazard => Step::Close,
                        _ => Step::Reopen,
                    };
                    let m = self.step_form(s, ctx);
                    let m = m.unwrap_or_else(|| std::mem::replace(&mut self.mode, Mode::Browse));
                    (m, Handled::Yes)
                }
                _ => (Mode::History { id, events, scroll }, Handled::No),
            },
            Mode::Form {
                kind,
                hazard_id,
                mut form,
                patrol,
            } => {
                let step = match input {
                    Input::Key(k) => {
                        let h = Handled::from(form_key(&mut form, k));
                        self.mode = Mode::Form {
                            kind,
                            hazard_id,
                            form,
                            patrol,
                        };
                        return h;
                    }
                    Input::Act(a) => form_step(&mut form, a, ctx),
                };
                match step {
                    FormStep::Save => {
                        form.clear_errors();
                        match forms::save(kind, &form, &hazard_id, patrol.clone(), ctx) {
                            Ok(id) => {
                                ctx.ok(tr(&format!("{}.done", kind.title())));
                                self.after_write(ctx);
                                if let Some(i) = self.rows.iter().position(|r| r.id == id) {
                                    self.list.sel = i;
                                }
                                (Mode::Browse, Handled::Yes)
                            }
                            Err(e) => {
                                show_error(&mut form, &e, ctx);
                                (
                                    Mode::Form {
                                        kind,
                                        hazard_id,
                                        form,
                                        patrol,
                                    },
                                    Handled::Yes,
                                )
                            }
                        }
                    }
                    FormStep::Close => (Mode::Browse, Handled::Yes),
                    step => (
                        Mode::Form {
                            kind,
                            hazard_id,
                            form,
                            patrol,
                        },
                        Handled::from(step != FormStep::Pass),
                    ),
                }
            }
            Mode::Export(mut f) => match f.handle(input, ctx) {
                ExportStep::Stay(h) => (Mode::Export(f), h),
                ExportStep::Close => (Mode::Browse, Handled::Yes),
                ExportStep::Run(job) => (Mode::Exporting(job), Handled::Yes),
            },
            Mode::Exporting(job) => {
                let h = super::export::job_input(&job, input.action());
                (Mode::Exporting(job), h)
            }
        };
        self.mode = mode;
        h
    }
}
