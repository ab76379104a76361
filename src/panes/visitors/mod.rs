//! Visitors pane (访客登记): on site now, history, watchlist; registration,
//! sign-out, corrections, watchlist decisions, the register export.

pub mod export;
pub mod gate;
pub mod history;
pub mod register;
pub mod render;

use super::{Handled, PaneCtx, error_text};
use crate::action::Action;
use crate::domain::error::DomainError;
use crate::domain::role::{Permission, allows};
use crate::domain::visit::{Decision, VisitStatus};
use crate::domain::watchlist::WatchForm;
use crate::i18n::{tr, trf};
use crate::keymap::{self, Ctx};
use crate::store::StoreError;
use crate::store::visits::{HistoryFilter, RegisterOutcome, VisitChange, VisitRow};
use crate::store::watchlist::WatchRow;
use crate::ui::form::{Field, Form, FormKey};
use crate::ui::text_input::TextInput;
use history::HistoryWindow;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
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
        reason: TextInput,
    },
    Export(Form),
}

pub struct VisitorsPane {
    pub view: View,
    pub mode: Mode,
    pub on_site: Vec<VisitRow>,
    pub on_site_sel: usize,
    pub on_site_top: usize,
    pub history: HistoryWindow,
    pub searching: bool,
    pub search: TextInput,
    pub watch: Vec<WatchRow>,
    pub watch_sel: usize,
    pub out: Vec<crate::store::rollcall::LeaveRow>,
    pub out_sel: usize,
    /// Rows visible in the last drawn list, for PageUp/PageDown.
    pub list_height: usize,
    /// Esc pressed once on a form with input: the next Esc discards it.
    pub discard_armed: bool,
}

impl VisitorsPane {
    pub fn new() -> VisitorsPane {
        VisitorsPane {
            view: View::OnSite,
            mode: Mode::Browse,
            on_site: vec![],
            on_site_sel: 0,
            on_site_top: 0,
            history: HistoryWindow::default(),
            searching: false,
            search: TextInput::default(),
            watch: vec![],
            watch_sel: 0,
            out: vec![],
            out_sel: 0,
            list_height: 10,
            discard_armed: false,
        }
    }

    /// Re-reads every list from the store (after a write, or at login).
    pub fn reload(&mut self, ctx: &PaneCtx) -> Result<(), StoreError> {
        self.on_site = ctx.store.on_site()?;
        self.on_site_sel = self.on_site_sel.min(self.on_site.len().saturating_sub(1));
        if self.history.filter.is_none() {
            self.history.load(ctx.store, HistoryFilter::All)?;
        } else {
            self.history.refresh(ctx.store)?;
        }
        self.watch = ctx.store.watch_entries(false)?;
        self.out = ctx
            .store
            .leaves(ctx.now_ms - 86_400_000)?
            .into_iter()
            .filter(|l| l.gate)
            .collect();
        self.out_sel = self.out_sel.min(self.out.len().saturating_sub(1));
        self.watch_sel = self.watch_sel.min(self.watch.len().saturating_sub(1));
        Ok(())
    }

    /// True while a form or text box has focus: plain keys are typing.
    pub fn in_text(&self) -> bool {
        !matches!(
            self.mode,
            Mode::Browse | Mode::Detail(_) | Mode::ConfirmSignOut { .. }
        ) || self.searching
    }

    /// Unsaved input that quitting would lose.
    pub fn has_unsaved(&self) -> bool {
        match &self.mode {
            Mode::Register(r) => r.form.is_dirty(),
            Mode::WatchAdd(f) => f.is_dirty(),
            Mode::WatchRemove { reason, .. } => !reason.is_empty(),
            Mode::Gate(g) => {
                matches!(g.as_ref(), gate::GateFlow::Form { form, .. } if form.is_dirty())
            }
            _ => false,
        }
    }

    /// Contexts for help and hints, innermost first.
    pub fn contexts(&self) -> Vec<Ctx> {
        match self.mode {
            Mode::Browse => vec![Ctx::List],
            Mode::Register(_) | Mode::WatchAdd(_) | Mode::Export(_) | Mode::WatchRemove { .. } => {
                vec![Ctx::Form]
            }
            Mode::Gate(ref g) if matches!(g.as_ref(), gate::GateFlow::Form { .. }) => {
                vec![Ctx::Form]
            }
            _ => vec![],
        }
    }

    fn selected_visit(&self) -> Option<&VisitRow> {
        match self.view {
            View::OnSite => self.on_site.get(self.on_site_sel),
            View::History => self.history.selected(),
            View::Watchlist | View::Out => None,
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent, ctx: &mut PaneCtx) -> Handled {
        let mode = std::mem::replace(&mut self.mode, Mode::Browse);
        let (mode, handled) = match mode {
            Mode::Browse => (Mode::Browse, self.browse_key(key, ctx)),
            Mode::Register(r) => self.register_key(r, key, ctx),
            Mode::Detail(d) => self.detail_key(d, key, ctx),
            Mode::ConfirmSignOut { id, name } => match key.code {
                KeyCode::Enter | KeyCode::Char('y') => {
                    match ctx.store.sign_out(ctx.actor, &id) {
                        Ok(()) => ctx.ok(trf("visit.signed_out", &[("name", name)])),
                        Err(e) => ctx.err(error_text(&e)),
                    }
                    self.after_write(ctx);
                    (Mode::Browse, Handled::Yes)
                }
                KeyCode::Esc | KeyCode::Char('n') => (Mode::Browse, Handled::Yes),
                // Anything else (q, ?, F1 …) keeps the question and goes on.
                _ => (Mode::ConfirmSignOut { id, name }, Handled::No),
            },
            Mode::WatchAdd(f) => self.watch_add_key(f, key, ctx),
            Mode::WatchRemove {
                id,
                name,
                mut reason,
            } => match key.code {
                KeyCode::Enter => match ctx.store.remove_watch(ctx.actor, &id, &reason.value()) {
                    Ok(()) => {
                        ctx.ok(trf("watch.removed", &[("name", name)]));
                        self.after_write(ctx);
                        (Mode::Browse, Handled::Yes)
                    }
                    Err(e) => {
                        ctx.err(error_text(&e));
                        (Mode::WatchRemove { id, name, reason }, Handled::Yes)
                    }
                },
                KeyCode::Esc => (Mode::Browse, Handled::Yes),
                _ => {
                    let h = if reason.handle_key(key) {
                        Handled::Yes
                    } else {
                        Handled::No
                    };
                    (Mode::WatchRemove { id, name, reason }, h)
                }
            },
            Mode::Export(f) => self.export_key(f, key, ctx),
            Mode::Gate(g) => match g.handle_key(key, ctx) {
                (Some(next), h) => (Mode::Gate(Box::new(next)), h),
                (None, h) => {
                    self.after_write(ctx);
                    self.view = View::Out;
                    (Mode::Browse, h)
                }
            },
        };
        // A mode set by an action (e.g. New) wins over the one we put back.
        if matches!(self.mode, Mode::Browse) {
            self.mode = mode;
        }
        handled
    }

    fn after_write(&mut self, ctx: &mut PaneCtx) {
        if let Err(e) = self.reload(ctx) {
            ctx.err(error_text(&e));
        }
    }

    fn browse_key(&mut self, key: KeyEvent, ctx: &mut PaneCtx) -> Handled {
        if self.searching {
            match key.code {
                KeyCode::Enter => {
                    self.searching = false;
                    return Handled::Yes;
                }
                KeyCode::Esc => {
                    self.searching = false;
                    self.search.set("");
                    self.apply_search(ctx);
                    return Handled::Yes;
                }
                KeyCode::Up | KeyCode::Down | KeyCode::PageUp | KeyCode::PageDown => {}
                _ => {
                    let before = self.search.value();
                    if self.search.handle_key(key) {
                        if self.search.value() != before {
                            self.apply_search(ctx);
                        }
                        return Handled::Yes;
                    }
                    return Handled::No;
                }
            }
        }
        let in_text = self.searching;
        match keymap::lookup(&[Ctx::List], &key, in_text) {
            Some(a) => {
                self.action(a, ctx);
                Handled::Yes
            }
            None if self.searching => {
                // Arrows while searching move the selection.
                let a = match key.code {
                    KeyCode::Up => Action::Up,
                    KeyCode::Down => Action::Down,
                    KeyCode::PageUp => Action::PageUp,
                    _ => Action::PageDown,
                };
                self.action(a, ctx);
                Handled::Yes
            }
            None => Handled::No,
        }
    }

    fn apply_search(&mut self, ctx: &mut PaneCtx) {
        let f = HistoryFilter::parse(&self.search.value(), ctx.store.offset_min(), ctx.now_ms);
        if let Err(e) = self.history.load(ctx.store, f) {
            ctx.err(error_text(&e));
        }
    }

    pub fn action(&mut self, a: Action, ctx: &mut PaneCtx) {
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
                self.discard_armed = false;
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
                    .get(self.out_sel)
                    .filter(|l| l.returned_ms.is_none())
                {
                    self.mode = Mode::Gate(Box::new(gate::GateFlow::Return {
                        id: l.id.clone(),
                        name: l.name.clone(),
                    }));
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
                    self.discard_armed = false;
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
            Action::Up => self.move_sel(-1, ctx),
            Action::Down => self.move_sel(1, ctx),
            Action::PageUp => self.move_sel(-(self.list_height.max(1) as isize), ctx),
            Action::PageDown => self.move_sel(self.list_height.max(1) as isize, ctx),
            Action::Home => match self.view {
                View::History => {
                    if let Err(e) = self.history.refresh(ctx.store).and_then(|_| {
                        let f = self.history.filter.clone().unwrap_or(HistoryFilter::All);
                        self.history.load(ctx.store, f)
                    }) {
                        ctx.err(error_text(&e));
                    }
                }
                _ => self.move_sel(-1_000_000, ctx),
            },
            Action::End => match self.view {
                View::History => {
                    if let Err(e) = self.history.load_oldest(ctx.store) {
                        ctx.err(error_text(&e));
                    }
                }
                _ => self.move_sel(1_000_000, ctx),
            },
            Action::Export => {
                if allows(role, Permission::ExportReports) {
                    self.mode =
                        Mode::Export(export::form(ctx.now_ms, ctx.store.offset_min(), role));
                } else {
                    ctx.err(tr("err.forbidden"));
                }
            }
            Action::Remove if self.view == View::Watchlist => {
                if !allows(role, Permission::ManageWatchlist) {
                    ctx.err(tr("err.forbidden"));
                } else if let Some(w) = self.watch.get(self.watch_sel).filter(|w| w.active) {
                    self.mode = Mode::WatchRemove {
                        id: w.id.clone(),
                        name: w.data.name.clone(),
                        reason: TextInput::default(),
                    };
                }
            }
            _ => {}
        }
    }

    fn move_sel(&mut self, delta: isize, ctx: &mut PaneCtx) {
        let clamp = |sel: usize, len: usize| {
            (sel as isize + delta).clamp(0, len.saturating_sub(1) as isize) as usize
        };
        match self.view {
            View::OnSite => self.on_site_sel = clamp(self.on_site_sel, self.on_site.len()),
            View::Watchlist => self.watch_sel = clamp(self.watch_sel, self.watch.len()),
            View::Out => self.out_sel = clamp(self.out_sel, self.out.len()),
            View::History => {
                if let Err(e) = self.history.move_by(ctx.store, delta) {
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

    fn detail_key(
        &mut self,
        mut d: Box<Detail>,
        key: KeyEvent,
        ctx: &mut PaneCtx,
    ) -> (Mode, Handled) {
        match key.code {
            KeyCode::Esc | KeyCode::Enter => (Mode::Browse, Handled::Yes),
            KeyCode::Up => {
                d.scroll = d.scroll.saturating_sub(1);
                (Mode::Detail(d), Handled::Yes)
            }
            KeyCode::Down => {
                d.scroll = d.scroll.saturating_add(1);
                (Mode::Detail(d), Handled::Yes)
            }
            KeyCode::Char('e') if key.modifiers.is_empty() => {
                self.discard_armed = false;
                (
                    Mode::Register(Box::new(RegisterState::correcting(
                        d.row.id.clone(),
                        &d.row.details,
                        allows(ctx.actor.role, Permission::ViewFullIds),
                    ))),
                    Handled::Yes,
                )
            }
            KeyCode::Char('o') if key.modifiers.is_empty() => {
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

    /// Esc on a form: leaves at once if nothing was typed, otherwise asks
    /// for a second Esc so a slip of the finger loses nothing.
    fn escape(&mut self, dirty: bool, ctx: &mut PaneCtx) -> bool {
        if !dirty || self.discard_armed {
            self.discard_armed = false;
            true
        } else {
            self.discard_armed = true;
            ctx.err(tr("form.esc_again"));
            false
        }
    }

    fn register_key(
        &mut self,
        mut r: Box<RegisterState>,
        key: KeyEvent,
        ctx: &mut PaneCtx,
    ) -> (Mode, Handled) {
        if let Some(mut d) = r.decision.take() {
            match key.code {
                KeyCode::Left | KeyCode::Right => {
                    d.choice = if d.choice == Decision::Admit {
                        Decision::Deny
                    } else {
                        Decision::Admit
                    };
                }
                KeyCode::Esc => return (Mode::Register(r), Handled::Yes),
                KeyCode::Enter => {
                    let decision = Some((d.choice, d.note.value()));
                    r.decision = Some(d);
                    return self.save_registration(r, decision, ctx);
                }
                _ => {
                    if !d.note.handle_key(key) {
                        r.decision = Some(d);
                        return (Mode::Register(r), Handled::No);
                    }
                }
            }
            r.decision = Some(d);
            return (Mode::Register(r), Handled::Yes);
        }
        if !r.suggestions.is_empty() {
            match key.code {
                KeyCode::Up => {
                    r.sugg_sel = r.sugg_sel.saturating_sub(1);
                    return (Mode::Register(r), Handled::Yes);
                }
                KeyCode::Down => {
                    r.sugg_sel = (r.sugg_sel + 1).min(r.suggestions.len() - 1);
                    return (Mode::Register(r), Handled::Yes);
                }
                KeyCode::Enter => {
                    let d = r.suggestions[r.sugg_sel.min(r.suggestions.len() - 1)]
                        .details
                        .clone();
                    r.fill(&d, true, allows(ctx.actor.role, Permission::ViewFullIds));
                    return (Mode::Register(r), Handled::Yes);
                }
                KeyCode::Esc => {
                    r.suggestions.clear();
                    return (Mode::Register(r), Handled::Yes);
                }
                _ => {}
            }
        }
        if key.code != KeyCode::Esc {
            self.discard_armed = false;
        }
        match r.form.handle_key(key) {
            FormKey::Edited | FormKey::Moved => {
                r.suggestions = match r.suggest_query() {
                    Some(q) => ctx.store.suggest_persons(&q, 6).unwrap_or_default(),
                    None => vec![],
                };
                r.sugg_sel = 0;
                (Mode::Register(r), Handled::Yes)
            }
            FormKey::Submit => self.save_registration(r, None, ctx),
            FormKey::Unhandled => match keymap::lookup(&[Ctx::Form], &key, true) {
                Some(Action::Save) => self.save_registration(r, None, ctx),
                Some(Action::Back) => {
                    if self.escape(r.form.is_dirty(), ctx) {
                        (Mode::Browse, Handled::Yes)
                    } else {
                        (Mode::Register(r), Handled::Yes)
                    }
                }
                _ => (Mode::Register(r), Handled::No),
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
                r.decision = Some(DecisionState {
                    hits,
                    choice: Decision::Deny,
                    note: TextInput::default(),
                });
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
                self.on_site_sel = self.on_site.len().saturating_sub(1);
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
                r.decision = None;
                show_error(&mut r.form, &e, ctx);
                (Mode::Register(r), Handled::Yes)
            }
        }
    }

    fn watch_add_key(&mut self, mut f: Form, key: KeyEvent, ctx: &mut PaneCtx) -> (Mode, Handled) {
        let save = |f: &mut Form, ctx: &mut PaneCtx| {
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
                    true
                }
                Err(e) => {
                    show_error(f, &e, ctx);
                    false
                }
            }
        };
        match f.handle_key(key) {
            FormKey::Submit => {
                if save(&mut f, ctx) {
                    self.after_write(ctx);
                    return (Mode::Browse, Handled::Yes);
                }
                (Mode::WatchAdd(f), Handled::Yes)
            }
            FormKey::Unhandled => match keymap::lookup(&[Ctx::Form], &key, true) {
                Some(Action::Save) => {
                    if save(&mut f, ctx) {
                        self.after_write(ctx);
                        return (Mode::Browse, Handled::Yes);
                    }
                    (Mode::WatchAdd(f), Handled::Yes)
                }
                Some(Action::Back) => {
                    if self.escape(f.is_dirty(), ctx) {
                        (Mode::Browse, Handled::Yes)
                    } else {
                        (Mode::WatchAdd(f), Handled::Yes)
                    }
                }
                _ => (Mode::WatchAdd(f), Handled::No),
            },
            _ => {
                self.discard_armed = false;
                (Mode::WatchAdd(f), Handled::Yes)
            }
        }
    }

    fn export_key(&mut self, mut f: Form, key: KeyEvent, ctx: &mut PaneCtx) -> (Mode, Handled) {
        let go = match f.handle_key(key) {
            FormKey::Submit => true,
            FormKey::Unhandled => match keymap::lookup(&[Ctx::Form], &key, true) {
                Some(Action::Save) => true,
                Some(Action::Back) => return (Mode::Browse, Handled::Yes),
                _ => return (Mode::Export(f), Handled::No),
            },
            _ => false,
        };
        if go {
            match export::run(&mut f, ctx) {
                Some(msg) => {
                    ctx.ok(msg);
                    return (Mode::Browse, Handled::Yes);
                }
                None => return (Mode::Export(f), Handled::Yes),
            }
        }
        (Mode::Export(f), Handled::Yes)
    }
}

impl Default for VisitorsPane {
    fn default() -> Self {
        VisitorsPane::new()
    }
}

/// Field errors go beside their fields; anything else to the hint bar.
pub fn show_error(form: &mut Form, e: &StoreError, ctx: &mut PaneCtx) {
    match e {
        StoreError::Domain(DomainError::Invalid(errs)) => {
            form.set_errors(errs);
            ctx.err(trf("form.errors", &[("n", form.error_count().to_string())]));
        }
        StoreError::Domain(DomainError::ReasonRequired) => {
            form.set_errors(&[("reason", crate::domain::validate::FieldError::Required)]);
            ctx.err(tr("err.reason_required"));
        }
        other => ctx.err(error_text(other)),
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
