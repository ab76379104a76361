//! Visitors pane (访客登记): on site now, history, watchlist; registration,
//! sign-out, corrections, watchlist decisions, the register export.

pub mod gate;
pub mod history;
pub mod register;
pub mod render;

use super::export::{ExportForm, Step};
use super::job::Job;
use super::{
    Handled, Input, Pane, PaneCtx, RenderCtx, error_text, form_key, form_step, show_error,
};
use crate::action::Action;
use crate::domain::role::{Permission, allows};
use crate::domain::visit::{Decision, VisitStatus};
use crate::domain::watchlist::WatchForm;
use crate::i18n::{tr, trf};
use crate::keymap::Ctx;
use crate::report::request::LedgerKind;
use crate::store::StoreError;
use crate::store::visits::{HistoryFilter, RegisterOutcome, VisitChange, VisitRow};
use crate::store::watchlist::WatchRow;
use crate::ui::form::{Field, Form, FormKey, FormStep};
use crate::ui::list::ListState;
use crate::ui::prompt::Prompt;
use crate::ui::text_input::TextInput;
use history::HistoryWindow;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Position, Rect};
use register::{DecisionState, RegisterState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    OnSite,
    History,
    /// Boarders out through the gate (离校) and recent returns.
    Out,
    Watchlist,
}

impl View {
    pub const ALL: [View; 4] = [View::OnSite, View::History, View::Out, View::Watchlist];
    pub fn label(self) -> &'static str {
        match self {
            View::OnSite => "visit.view.on_site",
            View::History => "visit.view.history",
            View::Out => "visit.view.out",
            View::Watchlist => "visit.view.watchlist",
        }
    }
}

pub struct Detail {
    pub row: VisitRow,
    pub changes: Vec<VisitChange>,
    pub registered_by: String,
    pub signed_out_by: Option<String>,
    pub origin: String,
    pub scroll: u16,
}

pub enum Mode {
    Browse,
    Register(Box<RegisterState>),
    Detail(Box<Detail>),
    ConfirmSignOut {
        id: String,
        name: String,
    },
    WatchAdd(Form),
    Gate(Box<gate::GateFlow>),
    WatchRemove {
        id: String,
        name: String,
        reason: Prompt,
    },
    /// The export form, on the visitor register.
    Export(Box<ExportForm>),
    /// A ledger being written on a worker.
    Exporting(Job<String>),
}

pub struct VisitorsPane {
    pub view: View,
    pub mode: Mode,
    pub on_site: Vec<VisitRow>,
    pub on_site_list: ListState,
    pub history: HistoryWindow,
    pub searching: bool,
    pub search: TextInput,
    pub watch: Vec<WatchRow>,
    pub watch_list: ListState,
    pub out: Vec<crate::store::rollcall::LeaveRow>,
    pub out_list: ListState,
}

impl VisitorsPane {
    pub fn new() -> VisitorsPane {
        VisitorsPane {
            view: View::OnSite,
            mode: Mode::Browse,
            on_site: vec![],
            on_site_list: ListState::default(),
            history: HistoryWindow::default(),
            searching: false,
            search: TextInput::default(),
            watch: vec![],
            watch_list: ListState::default(),
            out: vec![],
            out_list: ListState::default(),
        }
    }

    /// Rows the current list showed in the last frame (PgUp/PgDn).
    pub fn list_height(&self) -> usize {
        match self.view {
            View::OnSite => self.on_site_list.height(),
            View::History => self.history.height(),
            View::Watchlist => self.watch_list.height(),
            View::Out => self.out_list.height(),
        }
    }

    /// Re-reads every list from the store (after a write, or at login),
    /// keeping each selection on the record it was on.
    pub fn reload(&mut self, ctx: &PaneCtx) -> Result<(), StoreError> {
        let was = self
            .on_site
            .get(self.on_site_list.sel)
            .map(|v| v.id.clone());
        self.on_site = ctx.store.on_site()?;
        self.on_site_list
            .follow(&self.on_site, was.as_deref(), |v| v.id.as_str());
        if self.history.filter.is_none() {
            self.history.load(ctx.store, HistoryFilter::All)?;
        } else {
            self.history.refresh(ctx.store)?;
        }
        let was = self.watch.get(self.watch_list.sel).map(|w| w.id.clone());
        self.watch = ctx.store.watch_entries(false)?;
        self.watch_list
            .follow(&self.watch, was.as_deref(), |w| w.id.as_str());
        let was = self.out.get(self.out_list.sel).map(|l| l.id.clone());
        self.out = ctx
            .store
            .leaves(ctx.now_ms - 86_400_000)?
            .into_iter()
            .filter(|l| l.gate)
            .collect();
        self.out_list
            .follow(&self.out, was.as_deref(), |l| l.id.as_str());
        Ok(())
    }

    /// True while a form or text box has focus: plain keys are typing.
    pub fn in_text(&self) -> bool {
        match &self.mode {
            Mode::Browse => self.searching,
            Mode::Detail(_) | Mode::ConfirmSignOut { .. } | Mode::Exporting(_) => false,
            Mode::Gate(g) => g.in_text(),
            Mode::Export(f) => f.in_text(),
            _ => true,
        }
    }

    /// Unsaved input that quitting would lose.
    pub fn has_unsaved(&self) -> bool {
        match &self.mode {
            Mode::Register(r) => r.form.is_dirty(),
            Mode::WatchAdd(f) => f.is_dirty(),
            Mode::Export(f) => f.has_unsaved(),
            Mode::WatchRemove { reason, .. } => reason.is_dirty(),
            Mode::Gate(g) => g.has_unsaved(),
            _ => false,
        }
    }

    /// Contexts for help and hints, innermost first.
    pub fn contexts(&self) -> Vec<Ctx> {
        match &self.mode {
            Mode::Browse if self.searching => vec![Ctx::Search, Ctx::List],
            Mode::Browse if self.view == View::History => vec![Ctx::History, Ctx::List],
            Mode::Browse => vec![Ctx::List],
            Mode::Register(r) if r.decision.is_some() => vec![Ctx::WatchMatch],
            Mode::Register(r) if !r.suggestions.is_empty() => vec![Ctx::Suggest, Ctx::Form],
            Mode::Register(_) | Mode::WatchAdd(_) => vec![Ctx::Form],
            Mode::Export(f) => f.contexts(),
            Mode::WatchRemove { .. } => vec![Ctx::Dialog],
            Mode::Detail(_) => vec![Ctx::Detail, Ctx::Viewer],
            Mode::ConfirmSignOut { .. } => vec![Ctx::Confirm],
            Mode::Gate(g) => g.contexts(),
            Mode::Exporting(_) => vec![Ctx::Job],
        }
    }

    fn selected_visit(&self) -> Option<&VisitRow> {
        match self.view {
            View::OnSite => self.on_site.get(self.on_site_list.sel),
            View::History => self.history.selected(),
            View::Watchlist | View::Out => None,
        }
    }

    /// One key or action for the current mode.
    pub fn handle(&mut self, input: Input, ctx: &mut PaneCtx) -> Handled {
        let mode = std::mem::replace(&mut self.mode, Mode::Browse);
        let (mode, handled) = match mode {
            Mode::Browse => (Mode::Browse, self.browse(input, ctx)),
            Mode::Register(r) => self.register_input(r, input, ctx),
            Mode::Detail(d) => self.detail_input(d, input, ctx),
            Mode::ConfirmSignOut { id, name } => match input.action() {
                Some(Action::Confirm) => {
                    match ctx.store.sign_out(ctx.actor, &id) {
                        Ok(()) => ctx.ok(trf("visit.signed_out", &[("name", name)])),
                        Err(e) => ctx.err(error_text(&e)),
                    }
                    self.after_write(ctx);
                    (Mode::Browse, Handled::Yes)
                }
                Some(Action::Back) => (Mode::Browse, Handled::Yes),
                // Anything else (q, ?, F1 …) keeps the question and goes on.
                _ => (Mode::ConfirmSignOut { id, name }, Handled::No),
            },
            Mode::WatchAdd(f) => self.watch_add_input(f, input, ctx),
            Mode::WatchRemove {
                id,
                name,
                mut reason,
            } => {
                let step = match input {
                    Input::Key(k) => {
                        let h = Handled::from(reason.key(k));
                        return self.put_back(Mode::WatchRemove { id, name, reason }, h);
                    }
                    Input::Act(a) => reason.update(a),
                };
                match step {
                    FormStep::Save => {
                        match ctx.store.remove_watch(ctx.actor, &id, &reason.value()) {
                            Ok(()) => {
                                ctx.ok(trf("watch.removed", &[("name", name)]));
                                self.after_write(ctx);
                                (Mode::Browse, Handled::Yes)
                            }
                            Err(e) => {
                                ctx.err(error_text(&e));
                                (Mode::WatchRemove { id, name, reason }, Handled::Yes)
                            }
                        }
                    }
                    FormStep::Close => (Mode::Browse, Handled::Yes),
                    FormStep::Armed => {
                        ctx.err(tr("form.esc_again"));
                        (Mode::WatchRemove { id, name, reason }, Handled::Yes)
                    }
                    FormStep::Stay => (Mode::WatchRemove { id, name, reason }, Handled::Yes),
                    FormStep::Pass => (Mode::WatchRemove { id, name, reason }, Handled::No),
                }
            }
            Mode::Export(f) => self.export_input(f, input, ctx),
            Mode::Exporting(job) => {
                let h = super::export::job_input(&job, input.action());
                (Mode::Exporting(job), h)
            }
            Mode::Gate(g) => match g.handle(input, ctx) {
                (Some(next), h) => (Mode::Gate(Box::new(next)), h),
                (None, h) => {
                    self.after_write(ctx);
                    self.view = View::Out;
                    (Mode::Browse, h)
                }
            },
        };
        self.put_back(mode, handled)
    }

    /// A mode set by an action (e.g. New) wins over the one put back.
    fn put_back(&mut self, mode: Mode, h: Handled) -> Handled {
        if matches!(self.mode, Mode::Browse) {
            self.mode = mode;
        }
        h
    }

    fn after_write(&mut self, ctx: &mut PaneCtx) {
        if let Err(e) = self.reload(ctx) {
            ctx.err(error_text(&e));
        }
    }

    fn browse(&mut self, input: Input, ctx: &mut PaneCtx) -> Handled {
        match input {
            Input::Key(key) if self.searching => {
                let before = self.search.value();
                if !self.search.handle_key(key) {
                    return Handled::No;
                }
                if self.search.value() != before {
                    self.apply_search(ctx);
                }
                Handled::Yes
            }
            Input::Key(_) => Handled::No,
            Input::Act(Action::Confirm) if self.searching => {
                self.searching = false;
                Handled::Yes
            }
            Input::Act(Action::Back) if self.searching => {
                self.searching = false;
                self.search.set("");
                self.apply_search(ctx);
                Handled::Yes
            }
            Input::Act(a) => self.action(a, ctx),
        }
    }

    fn apply_search(&mut self, ctx: &mut PaneCtx) {
        let f = HistoryFilter::parse(&self.search.value(), ctx.store.offset_min(), ctx.now_ms);
        if let Err(e) = self.history.load(ctx.store, f) {
            ctx.err(error_text(&e));
        }
    }

    pub fn action(&mut self, a: Action, ctx: &mut PaneCtx) -> Handled {
        let role = ctx.actor.role;
        match a {
            Action::New if self.view == View::Out => {
                self.mode = Mode::Gate(Box::new(gate::GateFlow::start()))
            }
            Action::New if self.view == View::Watchlist => {
                if allows(role, Permission::ManageWatchlist) {
                    self.mode = Mode::WatchAdd(watch_form());
                } else {
                    ctx.err(tr("err.forbidden"));
                }
            }
            Action::New => {
                let special = ctx.store.setting(crate::domain::settings::SPECIAL_PERIOD) == 1;
                self.mode = Mode::Register(Box::new(RegisterState::new(special)));
            }
            Action::SignOut => match self.selected_visit() {
                Some(v) if v.status == VisitStatus::OnSite => {
                    self.mode = Mode::ConfirmSignOut {
                        id: v.id.clone(),
                        name: v.details.name.clone(),
                    };
                }
                Some(v) if v.status == VisitStatus::Out => ctx.err(tr("err.already_signed_out")),
                Some(_) => ctx.err(tr("err.not_on_site")),
                None => ctx.err(tr("visit.none_selected")),
            },
            Action::GateOut => self.mode = Mode::Gate(Box::new(gate::GateFlow::start())),
            Action::Open if self.view == View::Out => {
                if let Some(l) = self
                    .out
                    .get(self.out_list.sel)
                    .filter(|l| l.returned_ms.is_none())
                {
                    self.mode = Mode::Gate(Box::new(gate::GateFlow::Return {
                        id: l.id.clone(),
                        name: l.name.clone(),
                    }));
                }
            }
            Action::Open if self.view == View::Watchlist => {
                if let Some(w) = self.watch.get(self.watch_list.sel) {
                    ctx.ok(watch_summary(w));
                }
            }
            Action::Open => {
                if let Some(v) = self.selected_visit().cloned() {
                    match self.detail(v, ctx) {
                        Ok(d) => self.mode = Mode::Detail(Box::new(d)),
                        Err(e) => ctx.err(error_text(&e)),
                    }
                }
            }
            Action::Correct => match self.selected_visit() {
                Some(v) => {
                    self.mode = Mode::Register(Box::new(RegisterState::correcting(
                        v.id.clone(),
                        &v.details,
                        allows(role, Permission::ViewFullIds),
                    )));
                }
                None => ctx.err(tr("visit.none_selected")),
            },
            Action::Search => {
                self.view = View::History;
                self.searching = true;
            }
            Action::NextView | Action::PrevView => {
                let i = View::ALL.iter().position(|v| *v == self.view).unwrap_or(0);
                let n = View::ALL.len();
                let j = if a == Action::NextView {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.view = View::ALL[j];
                self.searching = false;
            }
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Home
            | Action::End => self.navigate(a, ctx),
            Action::Export => match ExportForm::open(LedgerKind::Visitors, ctx) {
                Ok(f) => self.mode = Mode::Export(Box::new(f)),
                Err(msg) => ctx.err(msg),
            },
            Action::Remove if self.view == View::Watchlist => {
                if !allows(role, Permission::ManageWatchlist) {
                    ctx.err(tr("err.forbidden"));
                } else if let Some(w) = self.watch.get(self.watch_list.sel).filter(|w| w.active) {
                    self.mode = Mode::WatchRemove {
                        id: w.id.clone(),
                        name: w.data.name.clone(),
                        reason: Prompt::new("", 60),
                    };
                }
            }
            _ => return Handled::No,
        }
        Handled::Yes
    }

    /// ↑/↓, PgUp/PgDn, Home/End on whichever list is showing. History is
    /// paged from the store and newest first: Home is the newest there.
    fn navigate(&mut self, a: Action, ctx: &mut PaneCtx) {
        match self.view {
            View::OnSite => {
                self.on_site_list.navigate(a, self.on_site.len());
            }
            View::Watchlist => {
                self.watch_list.navigate(a, self.watch.len());
            }
            View::Out => {
                self.out_list.navigate(a, self.out.len());
            }
            View::History => {
                let h = self.history.height() as isize;
                let r = match a {
                    Action::Up => self.history.move_by(ctx.store, -1),
                    Action::Down => self.history.move_by(ctx.store, 1),
                    Action::PageUp => self.history.move_by(ctx.store, -h),
                    Action::PageDown => self.history.move_by(ctx.store, h),
                    Action::Home => self.history.refresh(ctx.store).and_then(|_| {
                        let f = self.history.filter.clone().unwrap_or(HistoryFilter::All);
                        self.history.load(ctx.store, f)
                    }),
                    _ => self.history.load_oldest(ctx.store),
                };
                if let Err(e) = r {
                    ctx.err(error_text(&e));
                }
            }
        }
    }

    fn detail(&self, row: VisitRow, ctx: &PaneCtx) -> Result<Detail, StoreError> {
        let changes = ctx
            .store
            .visit_changes(&row.id)?
            .into_iter()
            .map(|mut c| {
                c.by = ctx.store.operator_name(&c.by);
                c
            })
            .collect();
        let origin = ctx.store.station_name(&row.origin);
        Ok(Detail {
            registered_by: ctx.store.operator_name(&row.registered_by),
            signed_out_by: row
                .signed_out_by
                .as_deref()
                .map(|o| ctx.store.operator_name(o)),
            changes,
            origin,
            row,
            scroll: 0,
        })
    }

    fn detail_input(
        &mut self,
        mut d: Box<Detail>,
        input: Input,
        ctx: &mut PaneCtx,
    ) -> (Mode, Handled) {
        match input.action() {
            Some(Action::Back) => (Mode::Browse, Handled::Yes),
            Some(Action::Up) => {
                d.scroll = d.scroll.saturating_sub(1);
                (Mode::Detail(d), Handled::Yes)
            }
            Some(Action::Down) => {
                d.scroll = d.scroll.saturating_add(1);
                (Mode::Detail(d), Handled::Yes)
            }
            Some(Action::Correct) => (
                Mode::Register(Box::new(RegisterState::correcting(
                    d.row.id.clone(),
                    &d.row.details,
                    allows(ctx.actor.role, Permission::ViewFullIds),
                ))),
                Handled::Yes,
            ),
            Some(Action::SignOut) => {
                if d.row.status == VisitStatus::OnSite {
                    (
                        Mode::ConfirmSignOut {
                            id: d.row.id.clone(),
                            name: d.row.details.name.clone(),
                        },
                        Handled::Yes,
                    )
                } else {
                    ctx.err(tr("err.already_signed_out"));
                    (Mode::Detail(d), Handled::Yes)
                }
            }
            _ => (Mode::Detail(d), Handled::No),
        }
    }

    fn register_input(
        &mut self,
        mut r: Box<RegisterState>,
        input: Input,
        ctx: &mut PaneCtx,
    ) -> (Mode, Handled) {
        // A watchlist match: admit or deny, with a note. Every way out of
        // it is recorded — Esc included counts as "deny".
        if let Some(mut d) = r.decision.take() {
            let h = match input {
                Input::Key(k) => Handled::from(d.note.handle_key(k)),
                Input::Act(Action::Toggle) => {
                    d.choice = if d.choice == Decision::Admit {
                        Decision::Deny
                    } else {
                        Decision::Admit
                    };
                    Handled::Yes
                }
                Input::Act(Action::Confirm) => {
                    let decision = Some((d.choice, d.note.value()));
                    r.decision = Some(d);
                    return self.save_registration(r, decision, ctx);
                }
                Input::Act(Action::Back) => {
                    let decision = Some((Decision::Deny, d.note.value()));
                    r.decision = Some(d);
                    return self.save_registration(r, decision, ctx);
                }
                Input::Act(_) => Handled::No,
            };
            r.decision = Some(d);
            return (Mode::Register(r), h);
        }
        if !r.suggestions.is_empty()
            && let Input::Act(a) = input
        {
            match a {
                Action::Up => {
                    r.sugg_sel = r.sugg_sel.saturating_sub(1);
                    return (Mode::Register(r), Handled::Yes);
                }
                Action::Down => {
                    r.sugg_sel = (r.sugg_sel + 1).min(r.suggestions.len() - 1);
                    return (Mode::Register(r), Handled::Yes);
                }
                Action::Choose => {
                    let d = r.suggestions[r.sugg_sel.min(r.suggestions.len() - 1)]
                        .details
                        .clone();
                    r.fill(&d, true, allows(ctx.actor.role, Permission::ViewFullIds));
                    return (Mode::Register(r), Handled::Yes);
                }
                Action::Back => {
                    r.suggestions.clear();
                    return (Mode::Register(r), Handled::Yes);
                }
                _ => {}
            }
        }
        match input {
            Input::Key(k) => match r.form.handle_key(k) {
                FormKey::Unhandled => (Mode::Register(r), Handled::No),
                _ => {
                    r.suggestions = match r.suggest_query() {
                        Some(q) => ctx.store.suggest_persons(&q, 6).unwrap_or_default(),
                        None => vec![],
                    };
                    r.sugg_sel = 0;
                    (Mode::Register(r), Handled::Yes)
                }
            },
            Input::Act(a) => match form_step(&mut r.form, a, ctx) {
                FormStep::Save => self.save_registration(r, None, ctx),
                FormStep::Close => (Mode::Browse, Handled::Yes),
                FormStep::Pass => (Mode::Register(r), Handled::No),
                FormStep::Stay | FormStep::Armed => (Mode::Register(r), Handled::Yes),
            },
        }
    }

    fn save_registration(
        &mut self,
        mut r: Box<RegisterState>,
        decision: Option<(Decision, String)>,
        ctx: &mut PaneCtx,
    ) -> (Mode, Handled) {
        let form = r.to_visit_form();
        if let Some(id) = r.correcting.clone() {
            let reason = r.form.value("reason");
            return match ctx.store.correct_visit(ctx.actor, &id, &form, &reason) {
                Ok(()) => {
                    ctx.ok(trf(
                        "visit.corrected",
                        &[("name", form.name.trim().to_string())],
                    ));
                    self.after_write(ctx);
                    (Mode::Browse, Handled::Yes)
                }
                Err(e) => {
                    show_error(&mut r.form, &e, ctx);
                    (Mode::Register(r), Handled::Yes)
                }
            };
        }
        match ctx.store.register_visit(ctx.actor, &form, decision) {
            Ok(RegisterOutcome::NeedsDecision(hits)) => {
                r.decision = Some(DecisionState::new(hits, ctx.store));
                r.suggestions.clear();
                (Mode::Register(r), Handled::Yes)
            }
            Ok(RegisterOutcome::Registered(id)) => {
                let twice = ctx.store.visit(&id).ok().flatten().is_some_and(|v| {
                    let key = crate::domain::visit::person_key(&v.details);
                    self.on_site
                        .iter()
                        .any(|o| crate::domain::visit::person_key(&o.details) == key)
                });
                if twice {
                    // Not an error — a parent may step out and back — but the
                    // older entry probably needs signing out.
                    ctx.err(trf(
                        "visit.registered_twice",
                        &[("name", form.name.trim().to_string())],
                    ));
                } else {
                    ctx.ok(trf(
                        "visit.registered",
                        &[("name", form.name.trim().to_string())],
                    ));
                }
                self.view = View::OnSite;
                self.after_write(ctx);
                self.on_site_list.sel = self.on_site.len().saturating_sub(1);
                (Mode::Browse, Handled::Yes)
            }
            Ok(RegisterOutcome::Denied(_)) => {
                ctx.err(trf(
                    "visit.denied",
                    &[("name", form.name.trim().to_string())],
                ));
                self.after_write(ctx);
                (Mode::Browse, Handled::Yes)
            }
            Err(e) => {
                // Busy: the frame retries this same decision (`app::wait`).
                if !matches!(e, StoreError::Busy) {
                    r.decision = None;
                }
                show_error(&mut r.form, &e, ctx);
                (Mode::Register(r), Handled::Yes)
            }
        }
    }

    fn watch_add_input(&mut self, mut f: Form, input: Input, ctx: &mut PaneCtx) -> (Mode, Handled) {
        let a = match input {
            Input::Key(k) => {
                let h = Handled::from(form_key(&mut f, k));
                return (Mode::WatchAdd(f), h);
            }
            Input::Act(a) => a,
        };
        match form_step(&mut f, a, ctx) {
            FormStep::Save => {
                let wf = WatchForm {
                    name: f.value("name"),
                    id_no: f.value("id_no"),
                    phone: f.value("phone"),
                    reason: f.value("reason"),
                    note: f.value("note"),
                };
                match ctx.store.add_watch(ctx.actor, &wf) {
                    Ok(_) => {
                        ctx.ok(trf("watch.added", &[("name", wf.name.trim().to_string())]));
                        self.after_write(ctx);
                        (Mode::Browse, Handled::Yes)
                    }
                    Err(e) => {
                        show_error(&mut f, &e, ctx);
                        (Mode::WatchAdd(f), Handled::Yes)
                    }
                }
            }
            FormStep::Close => (Mode::Browse, Handled::Yes),
            FormStep::Pass => (Mode::WatchAdd(f), Handled::No),
            FormStep::Stay | FormStep::Armed => (Mode::WatchAdd(f), Handled::Yes),
        }
    }

    fn export_input(
        &mut self,
        mut f: Box<ExportForm>,
        input: Input,
        ctx: &mut PaneCtx,
    ) -> (Mode, Handled) {
        match f.handle(input, ctx) {
            Step::Stay(h) => (Mode::Export(f), h),
            Step::Close => (Mode::Browse, Handled::Yes),
            Step::Run(job) => (Mode::Exporting(job), Handled::Yes),
        }
    }
}

impl Pane for VisitorsPane {
    fn title(&self) -> &'static str {
        "pane.visitors"
    }
    fn reload(&mut self, ctx: &mut PaneCtx) -> Result<(), StoreError> {
        VisitorsPane::reload(self, ctx)
    }
    fn contexts(&self) -> Vec<Ctx> {
        VisitorsPane::contexts(self)
    }
    fn in_text(&self) -> bool {
        VisitorsPane::in_text(self)
    }
    fn has_unsaved(&self) -> bool {
        VisitorsPane::has_unsaved(self)
    }
    fn key(&mut self, key: KeyEvent, ctx: &mut PaneCtx) -> Handled {
        self.handle(Input::Key(key), ctx)
    }
    fn update(&mut self, a: Action, ctx: &mut PaneCtx) -> Handled {
        self.handle(Input::Act(a), ctx)
    }
    fn render(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) -> Option<Position> {
        VisitorsPane::render(self, area, buf, rc)
    }
    fn click(&mut self, x: u16, y: u16, area: Rect, ctx: &mut PaneCtx) -> bool {
        self.click_at(x, y, area, ctx)
    }
    fn poll(&mut self, ctx: &mut PaneCtx) -> bool {
        let Mode::Exporting(job) = &mut self.mode else {
            return false;
        };
        let (changed, done) = crate::panes::export::poll(job, ctx);
        if done {
            self.mode = Mode::Browse;
        }
        changed
    }
    fn offers(&self, a: Action, role: crate::domain::role::Role) -> bool {
        if !matches!(self.mode, Mode::Browse) {
            return true;
        }
        let visits = matches!(self.view, View::OnSite | View::History);
        match a {
            Action::SignOut => self.view == View::OnSite && !self.on_site.is_empty(),
            Action::Correct | Action::Open if visits => self.selected_visit().is_some(),
            Action::Open if self.view == View::Out => self
                .out
                .get(self.out_list.sel)
                .is_some_and(|l| l.returned_ms.is_none()),
            Action::Open => self.view == View::Watchlist && !self.watch.is_empty(),
            Action::Correct => false,
            Action::Export => allows(role, Permission::ExportReports),
            Action::Remove => {
                self.view == View::Watchlist && allows(role, Permission::ManageWatchlist)
            }
            Action::New if self.view == View::Watchlist => {
                allows(role, Permission::ManageWatchlist)
            }
            _ => true,
        }
    }
    crate::pane_any!();
}

impl Default for VisitorsPane {
    fn default() -> Self {
        VisitorsPane::new()
    }
}

pub fn watch_form() -> Form {
    Form::new(vec![
        Field::text("name", "watch.f.name").required().max(40),
        Field::text("id_no", "watch.f.id_no").max(30),
        Field::text("phone", "watch.f.phone").max(20),
        Field::text("reason", "watch.f.reason")
            .required()
            .max(60)
            .hint("watch.hint.reason"),
        Field::text("note", "watch.f.note").max(200),
    ])
}

/// The watchlist entry's note and reason in one line (Enter on the list).
fn watch_summary(w: &WatchRow) -> String {
    trf(
        "watch.summary",
        &[
            ("name", w.data.name.clone()),
            ("reason", w.data.reason.clone()),
            ("note", w.data.note.clone()),
        ],
    )
}

impl VisitorsPane {
    /// A click on the sub-view tabs (the first line) or on a list row
    /// (under the header line) selects it, as on every list.
    fn click_at(&mut self, _x: u16, y: u16, area: Rect, ctx: &mut PaneCtx) -> bool {
        if !matches!(self.mode, Mode::Browse) || !area.contains(Position::new(_x, y)) {
            return false;
        }
        if y == area.y {
            self.action(Action::NextView, ctx);
            return true;
        }
        if y < area.y + 2 {
            return false;
        }
        let row = (y - area.y - 2) as usize;
        match self.view {
            View::OnSite => self.on_site_list.click(row, self.on_site.len()).is_some(),
            View::Watchlist => self.watch_list.click(row, self.watch.len()).is_some(),
            View::Out => self.out_list.click(row, self.out.len()).is_some(),
            View::History => {
                let i = self.history.top.get() + row;
                if i < self.history.rows.len() {
                    self.history.sel = i;
                    true
                } else {
                    false
                }
            }
        }
    }
}
