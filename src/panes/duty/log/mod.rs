//! The shift log view (值班记录) of the duty pane: this shift's entries and,
//! marked as from an earlier shift, the follow-ups still open from before
//! — read by reference in their current state, each once. `n` writes an
//! entry, Enter shows one with its history, `c` closes a follow-up with its
//! outcome, `e` corrects with a reason, `/` searches (texts, and the name
//! it was reported to by pinyin or initials), `o` shows open ones only.

pub mod forms;
mod render;

use crate::action::Action;
use crate::domain::event::Event;
use crate::domain::role::{Permission, Role, allows};
use crate::domain::shift::ShiftId;
use crate::domain::shift_log::{FollowUp, LogDraft, LogEntry, may_correct};
use crate::i18n::tr;
use crate::keymap::Ctx;
use crate::panes::export::{ExportForm, Step as ExportStep};
use crate::panes::job::Job;
use crate::panes::{
    Handled, Input, Pane, PaneCtx, RenderCtx, error_text, form_key, form_step, show_error,
};
use crate::report::request::LedgerKind;
use crate::store::StoreError;
use crate::store::log::EventRecord;
use crate::ui::form::{Form, FormStep};
use crate::ui::list::ListState;
use crate::ui::prompt::Prompt;
use forms::FormKind;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Position, Rect};
use std::collections::HashMap;

/// Rows a search loads at most.
pub const LIMIT: usize = 200;

/// One line of the list: an entry, and whether it was written in an
/// earlier shift (carried because still open, or found by a search).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub entry: LogEntry,
    pub earlier: bool,
}

pub enum Mode {
    Browse,
    Search(Prompt),
    Details {
        id: String,
        events: Vec<(EventRecord, Event)>,
        scroll: u16,
    },
    Form {
        kind: FormKind,
        form: Form,
        entry: Option<Box<LogEntry>>,
    },
    Export(Box<ExportForm>),
    Exporting(Job<String>),
}

pub struct LogView {
    pub mode: Mode,
    pub shift: Option<ShiftId>,
    pub rows: Vec<Row>,
    pub list: ListState,
    pub query: String,
    pub open_only: bool,
    /// Operator and station names by id, for the list and the history.
    pub names: HashMap<String, String>,
    /// Who the view last loaded for (the hint bar offers `e` by it).
    pub me: Option<crate::domain::role::Actor>,
}

impl Default for LogView {
    fn default() -> Self {
        LogView::new()
    }
}

impl LogView {
    pub fn new() -> LogView {
        LogView {
            mode: Mode::Browse,
            shift: None,
            rows: vec![],
            list: ListState::default(),
            query: String::new(),
            open_only: false,
            names: HashMap::new(),
            me: None,
        }
    }

    pub fn selected(&self) -> Option<&LogEntry> {
        self.rows.get(self.list.sel).map(|r| &r.entry)
    }

    fn load(&mut self, ctx: &mut PaneCtx) -> Result<(), StoreError> {
        let was = self.selected().map(|e| e.entry_id.clone());
        let shift = ctx.store.log_shift_at(ctx.now_ms)?;
        let mut rows: Vec<Row> = if self.query.trim().is_empty() {
            // Earlier shifts' open entries first (oldest first), then this
            // shift's: an entry appears once, in its current state.
            let mut rows: Vec<Row> = ctx
                .store
                .open_log_entries(Some(&shift.station_id))?
                .into_iter()
                .filter(|e| e.shift != shift)
                .map(|entry| Row {
                    entry,
                    earlier: true,
                })
                .collect();
            rows.extend(ctx.store.shift_log(&shift)?.into_iter().map(|entry| Row {
                entry,
                earlier: false,
            }));
            rows
        } else {
            ctx.store
                .search_log_entries(&self.query, self.open_only, LIMIT)?
                .into_iter()
                .map(|entry| Row {
                    earlier: entry.shift != shift,
                    entry,
                })
                .collect()
        };
        if self.open_only {
            rows.retain(|r| r.entry.is_open());
        }
        for r in &rows {
            for who in [&r.entry.written_by]
                .into_iter()
                .chain(r.entry.closed_by.as_ref())
            {
                if !self.names.contains_key(who) {
                    self.names.insert(who.clone(), ctx.store.operator_name(who));
                }
            }
        }
        self.rows = rows;
        self.shift = Some(shift);
        self.list
            .follow(&self.rows, was.as_deref(), |r| r.entry.entry_id.as_str());
        self.list.clamp(self.rows.len());
        self.me = Some(ctx.actor.clone());
        Ok(())
    }

    fn after_write(&mut self, ctx: &mut PaneCtx) {
        if let Err(e) = self.load(ctx) {
            ctx.err(error_text(&e));
        }
    }

    /// Opens the entry form filled from `draft` — how a patrol finding
    /// becomes a shift-log entry in one key.
    pub fn open_form(&mut self, draft: &LogDraft, ctx: &PaneCtx) {
        self.mode = Mode::Form {
            kind: FormKind::New,
            form: forms::entry_form(draft, ctx.store.offset_min()),
            entry: None,
        };
    }

    /// The entry the keys act on: the one whose details are open, else
    /// the selected one.
    fn target(&self) -> Option<&LogEntry> {
        match &self.mode {
            Mode::Details { id, .. } => self
                .rows
                .iter()
                .map(|r| &r.entry)
                .find(|e| &e.entry_id == id),
            _ => self.selected(),
        }
    }

    fn step_form(&mut self, kind: FormKind, ctx: &mut PaneCtx) -> Option<Mode> {
        let e = self.target()?.clone();
        match kind {
            FormKind::Close if e.state != FollowUp::Open => {
                ctx.err(tr("err.log_entry_not_open"));
                None
            }
            FormKind::Correct if !may_correct(ctx.actor, &e) => {
                ctx.err(tr("err.forbidden"));
                None
            }
            _ => Some(Mode::Form {
                kind,
                form: match kind {
                    FormKind::Close => forms::close_form(),
                    _ => forms::correct_form(&e, ctx.store.offset_min()),
                },
                entry: Some(Box::new(e)),
            }),
        }
    }

    fn open_details(&mut self, ctx: &mut PaneCtx) -> Option<Mode> {
        let id = self.selected()?.entry_id.clone();
        match ctx.store.log_entry_history(&id) {
            Ok(events) => {
                for (r, _) in &events {
                    if !self.names.contains_key(&r.actor) {
                        self.names
                            .insert(r.actor.clone(), ctx.store.operator_name(&r.actor));
                    }
                    if !self.names.contains_key(&r.origin) {
                        self.names
                            .insert(r.origin.clone(), ctx.store.station_name(&r.origin));
                    }
                }
                Some(Mode::Details {
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

    fn browse(&mut self, a: Action, ctx: &mut PaneCtx) -> Handled {
        match a {
            Action::New => {
                self.open_form(&LogDraft::default(), ctx);
                Handled::Yes
            }
            Action::Open => {
                if let Some(m) = self.open_details(ctx) {
                    self.mode = m;
                }
                Handled::Yes
            }
            Action::CloseEntry | Action::Correct => {
                let kind = if a == Action::CloseEntry {
                    FormKind::Close
                } else {
                    FormKind::Correct
                };
                if let Some(m) = self.step_form(kind, ctx) {
                    self.mode = m;
                }
                Handled::Yes
            }
            Action::Search => {
                self.mode = Mode::Search(Prompt::new(&self.query, 60));
                Handled::Yes
            }
            Action::Export => {
                match ExportForm::open(LedgerKind::ShiftLog, ctx) {
                    Ok(f) => self.mode = Mode::Export(Box::new(f)),
                    Err(e) => ctx.err(e),
                }
                Handled::Yes
            }
            Action::OpenOnly => {
                self.open_only = !self.open_only;
                self.list.sel = 0;
                self.after_write(ctx);
                Handled::Yes
            }
            a => Handled::from(self.list.navigate(a, self.rows.len())),
        }
    }

    pub fn handle(&mut self, input: Input, ctx: &mut PaneCtx) -> Handled {
        let mode = std::mem::replace(&mut self.mode, Mode::Browse);
        let (mode, h) = match mode {
            Mode::Browse => match input {
                Input::Key(_) => (Mode::Browse, Handled::No),
                Input::Act(a) => {
                    let h = self.browse(a, ctx);
                    (std::mem::replace(&mut self.mode, Mode::Browse), h)
                }
            },
            Mode::Search(mut p) => match super::super::search_step(&mut p, input, &self.query) {
                super::super::SearchStep::Typed(changed, used) => {
                    if let Some(q) = changed {
                        self.query = q;
                        self.list.sel = 0;
                        self.after_write(ctx);
                    }
                    (Mode::Search(p), Handled::from(used))
                }
                super::super::SearchStep::Done => (Mode::Browse, Handled::Yes),
                super::super::SearchStep::Cleared => {
                    self.query.clear();
                    self.after_write(ctx);
                    (Mode::Browse, Handled::Yes)
                }
                super::super::SearchStep::Other(a) => {
                    let h = Handled::from(self.list.navigate(a, self.rows.len()));
                    (Mode::Search(p), h)
                }
            },
            Mode::Details {
                id,
                events,
                mut scroll,
            } => match input.action() {
                Some(Action::Back) => (Mode::Browse, Handled::Yes),
                Some(Action::Up) => {
                    scroll = scroll.saturating_sub(1);
                    (Mode::Details { id, events, scroll }, Handled::Yes)
                }
                Some(Action::Down) => {
                    scroll = scroll.saturating_add(1);
                    (Mode::Details { id, events, scroll }, Handled::Yes)
                }
                Some(a @ (Action::CloseEntry | Action::Correct)) => {
                    self.mode = Mode::Details { id, events, scroll };
                    let kind = if a == Action::CloseEntry {
                        FormKind::Close
                    } else {
                        FormKind::Correct
                    };
                    let m = self.step_form(kind, ctx);
                    let m = m.unwrap_or_else(|| std::mem::replace(&mut self.mode, Mode::Browse));
                    (m, Handled::Yes)
                }
                _ => (Mode::Details { id, events, scroll }, Handled::No),
            },
            Mode::Form {
                kind,
                mut form,
                entry,
            } => {
                let step = match input {
                    Input::Key(k) => {
                        let h = Handled::from(form_key(&mut form, k));
                        self.mode = Mode::Form { kind, form, entry };
                        return h;
                    }
                    Input::Act(a) => form_step(&mut form, a, ctx),
                };
                match step {
                    FormStep::Save => {
                        form.clear_errors();
                        match forms::save(kind, &form, entry.as_deref(), ctx) {
                            Ok(id) => {
                                ctx.ok(tr(&format!("{}.done", kind.title())));
                                self.after_write(ctx);
                                if let Some(i) =
                                    self.rows.iter().position(|r| r.entry.entry_id == id)
                                {
                                    self.list.sel = i;
                                }
                                (Mode::Browse, Handled::Yes)
                            }
                            Err(e) => {
                                show_error(&mut form, &e, ctx);
                                (Mode::Form { kind, form, entry }, Handled::Yes)
                            }
                        }
                    }
                    FormStep::Close => (Mode::Browse, Handled::Yes),
                    step => (
                        Mode::Form { kind, form, entry },
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
                let h = crate::panes::export::job_input(&job, input.action());
                (Mode::Exporting(job), h)
            }
        };
        self.mode = mode;
        h
    }
}

impl Pane for LogView {
    fn title(&self) -> &'static str {
        "pane.duty.log"
    }
    fn reload(&mut self, ctx: &mut PaneCtx) -> Result<(), StoreError> {
        self.load(ctx)
    }
    fn contexts(&self) -> Vec<Ctx> {
        match &self.mode {
            Mode::Browse => vec![Ctx::ShiftLog],
            Mode::Search(_) => vec![Ctx::Search],
            Mode::Details { .. } => vec![Ctx::Viewer, Ctx::ShiftLogEntry],
            Mode::Form { .. } => vec![Ctx::Form],
            Mode::Export(f) => f.contexts(),
            Mode::Exporting(_) => vec![Ctx::Job],
        }
    }
    fn in_text(&self) -> bool {
        match &self.mode {
            Mode::Search(_) | Mode::Form { .. } => true,
            Mode::Export(f) => f.in_text(),
            _ => false,
        }
    }
    fn has_unsaved(&self) -> bool {
        match &self.mode {
            Mode::Form { form, .. } => form.is_dirty(),
            Mode::Export(f) => f.has_unsaved(),
            _ => false,
        }
    }
    fn poll(&mut self, ctx: &mut PaneCtx) -> bool {
        if let Mode::Exporting(job) = &mut self.mode {
            let (changed, done) = crate::panes::export::poll(job, ctx);
            if done {
                self.mode = Mode::Browse;
            }
            return changed;
        }
        false
    }
    fn key(&mut self, key: KeyEvent, ctx: &mut PaneCtx) -> Handled {
        self.handle(Input::Key(key), ctx)
    }
    fn update(&mut self, a: Action, ctx: &mut PaneCtx) -> Handled {
        self.handle(Input::Act(a), ctx)
    }
    fn render(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) -> Option<Position> {
        LogView::render(self, area, buf, rc)
    }
    fn click(&mut self, x: u16, y: u16, area: Rect, _ctx: &mut PaneCtx) -> bool {
        // The list starts under the header line and its column titles.
        if !matches!(self.mode, Mode::Browse)
            || !area.contains(Position::new(x, y))
            || y < area.y + 2
        {
            return false;
        }
        let row = (y - area.y - 2) as usize;
        self.list.click(row, self.rows.len()).is_some()
    }
    fn offers(&self, a: Action, role: Role) -> bool {
        if !matches!(self.mode, Mode::Browse | Mode::Details { .. }) {
            return true;
        }
        let e = self.target();
        match a {
            Action::Open => e.is_some(),
            Action::Export => allows(role, Permission::ExportReports),
            Action::CloseEntry => e.is_some_and(|e| e.is_open()),
            Action::Correct => e.is_some_and(|e| {
                allows(role, Permission::CorrectShiftLog)
                    || self
                        .me
                        .as_ref()
                        .is_some_and(|m| m.role == role && m.id == e.written_by)
            }),
            _ => true,
        }
    }
    crate::pane_any!();
}
