//! Roll-call pane (住宿点名): tonight's rounds by building, one key per mark,
//! the bed map, open absences with their follow-ups, the sick log and the
//! leave register.

pub mod forms;
pub mod import;
mod load;
mod pane;
pub mod render;

use super::export::{ExportForm, Step};
use super::job::Job;
use super::picker::{Picked, Picker};
use super::{Handled, Input, PaneCtx, error_text, form_key, form_step};
use crate::action::Action;
use crate::domain::error::DomainError;
use crate::domain::rollcall::{self, Mark, RoundKind};
use crate::domain::time;
use crate::i18n::{tr, trf};
use crate::keymap::Ctx;
use crate::report::request::LedgerKind;
use crate::store::StoreError;
use crate::store::rollcall::{LeaveRow, MarkChange, OpenAbsence, RoundRow, SheetRow, SickRow};
use crate::ui::form::{Form, FormStep};
use crate::ui::list::ListState;
use crate::ui::prompt::Prompt;
use forms::FormKind;
use pane::{late_time, prompt_step};
use ratatui::crossterm::event::KeyCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Roll,
    BedMap,
    Absences,
    Sick,
    Leave,
}

impl View {
    pub const ALL: [View; 5] = [
        View::Roll,
        View::BedMap,
        View::Absences,
        View::Sick,
        View::Leave,
    ];
    pub fn label(self) -> &'static str {
        match self {
            View::Roll => "roll.view.roll",
            View::BedMap => "roll.view.map",
            View::Absences => "roll.view.absences",
            View::Sick => "roll.view.sick",
            View::Leave => "roll.view.leave",
        }
    }
}

pub enum Mode {
    Browse,
    /// Choosing the kind of a new round.
    StartRound {
        kind: RoundKind,
    },
    /// The time a late boarder came back.
    Late {
        student_id: String,
        name: String,
        time: Prompt,
    },
    /// A duty leader closing with boarders unaccounted: the reason.
    ForceClose {
        reason: Prompt,
        unaccounted: usize,
    },
    /// Picking a boarder for a new sick record or leave.
    Pick {
        picker: Picker,
        then: FormKind,
    },
    Form {
        kind: FormKind,
        form: Form,
    },
    History {
        changes: Vec<MarkChange>,
        scroll: u16,
    },
    /// Recording a return from leave or through the gate.
    ConfirmReturn {
        id: String,
        name: String,
        gate: bool,
    },
    /// Importing the roster (admins).
    Import(Box<import::ImportFlow>),
    /// The export form, on the roll-call book (duty leaders and admins).
    Export(Box<ExportForm>),
    /// A ledger being written on a worker.
    Exporting(Job<String>),
}

pub struct RollcallPane {
    pub view: View,
    pub mode: Mode,
    pub buildings: Vec<String>,
    pub building: usize,
    /// The open round of the building, else tonight's latest.
    pub round: Option<RoundRow>,
    pub sheet: Vec<SheetRow>,
    /// The selection on the roll (and the bed map).
    pub roll: ListState,
    /// Digits typed to jump to a room/bed ("3052" → room 305 bed 2).
    pub jump: String,
    pub absences: Vec<OpenAbsence>,
    pub sick: Vec<SickRow>,
    pub leaves: Vec<LeaveRow>,
    /// The selection on the absences, sick and leave lists.
    pub list: ListState,
    /// Floor shown on the bed map.
    pub map_floor: usize,
    pub bed_map: Vec<crate::store::rollcall::BedCell>,
    /// The next round the configured times call for: kind and when.
    pub next_round: Option<(RoundKind, i64)>,
}

impl Default for RollcallPane {
    fn default() -> Self {
        RollcallPane::new()
    }
}

impl RollcallPane {
    pub fn new() -> RollcallPane {
        RollcallPane {
            view: View::Roll,
            mode: Mode::Browse,
            buildings: vec![],
            building: 0,
            round: None,
            sheet: vec![],
            roll: ListState::default(),
            jump: String::new(),
            absences: vec![],
            sick: vec![],
            leaves: vec![],
            list: ListState::default(),
            map_floor: 0,
            bed_map: vec![],
            next_round: None,
        }
    }

    pub fn building_name(&self) -> &str {
        self.buildings
            .get(self.building)
            .map(|s| s.as_str())
            .unwrap_or("")
    }

    pub fn open_round(&self) -> Option<&RoundRow> {
        self.round.as_ref().filter(|r| r.closed_ms.is_none())
    }

    pub fn in_text(&self) -> bool {
        match &self.mode {
            Mode::Late { .. } | Mode::ForceClose { .. } | Mode::Pick { .. } | Mode::Form { .. } => {
                true
            }
            Mode::Import(flow) => flow.in_text(),
            Mode::Export(f) => f.in_text(),
            _ => false,
        }
    }

    /// Checks on background work (the roster import, an export); true to
    /// redraw.
    pub fn poll(&mut self, ctx: &mut PaneCtx) -> bool {
        match &mut self.mode {
            Mode::Import(flow) => flow.poll(),
            Mode::Exporting(job) => {
                let (changed, done) = super::export::poll(job, ctx);
                if done {
                    self.mode = Mode::Browse;
                }
                changed
            }
            _ => false,
        }
    }

    pub fn has_unsaved(&self) -> bool {
        match &self.mode {
            Mode::Form { form, .. } => form.is_dirty(),
            Mode::Late { time, .. } => time.is_dirty(),
            Mode::ForceClose { reason, .. } => reason.is_dirty(),
            Mode::Export(f) => f.has_unsaved(),
            _ => false,
        }
    }

    pub fn contexts(&self) -> Vec<Ctx> {
        match (&self.mode, self.view) {
            (Mode::Browse, View::Roll) => vec![Ctx::Roll],
            (Mode::Browse, View::BedMap) => vec![Ctx::RollMap, Ctx::Roll],
            (Mode::Browse, _) => vec![Ctx::RollList],
            (Mode::StartRound { .. }, _) => vec![Ctx::Choice],
            (Mode::Late { .. } | Mode::ForceClose { .. }, _) => vec![Ctx::Dialog],
            (Mode::Pick { .. }, _) => vec![Ctx::Picker],
            (Mode::Form { .. }, _) => vec![Ctx::Form],
            (Mode::History { .. }, _) => vec![Ctx::Viewer],
            (Mode::ConfirmReturn { .. }, _) => vec![Ctx::Confirm],
            (Mode::Import(flow), _) => flow.contexts(),
            (Mode::Export(f), _) => f.contexts(),
            (Mode::Exporting(_), _) => vec![Ctx::Job],
        }
    }

    /// One key or action for the current mode.
    pub fn handle(&mut self, input: Input, ctx: &mut PaneCtx) -> Handled {
        let mode = std::mem::replace(&mut self.mode, Mode::Browse);
        let act = input.action();
        let (mode, h) = match mode {
            Mode::Browse => (Mode::Browse, self.browse(input, ctx)),
            Mode::StartRound { mut kind } => match act {
                Some(Action::Toggle) => {
                    kind = if kind == RoundKind::LightsOut {
                        RoundKind::BedCheck
                    } else {
                        RoundKind::LightsOut
                    };
                    (Mode::StartRound { kind }, Handled::Yes)
                }
                Some(Action::Confirm) => {
                    let b = self.building_name().to_string();
                    match ctx.store.start_round(ctx.actor, kind, &b) {
                        Ok(_) => {
                            ctx.ok(trf(
                                "roll.started",
                                &[
                                    ("kind", tr(&format!("round.{}", kind.key()))),
                                    ("building", b),
                                ],
                            ));
                            self.roll.sel = 0;
                            self.after_write(ctx);
                        }
                        Err(e) => ctx.err(error_text(&e)),
                    }
                    (Mode::Browse, Handled::Yes)
                }
                Some(Action::Back) => (Mode::Browse, Handled::Yes),
                _ => (Mode::StartRound { kind }, Handled::No),
            },
            Mode::Late {
                student_id,
                name,
                mut time,
            } => {
                let step = match input {
                    Input::Key(k) => {
                        let h = Handled::from(time.key(k));
                        return self.put_back(
                            Mode::Late {
                                student_id,
                                name,
                                time,
                            },
                            h,
                        );
                    }
                    Input::Act(a) => prompt_step(&mut time, a, ctx),
                };
                match step {
                    FormStep::Save => match late_time(&time.value(), ctx) {
                        Ok(at) => {
                            self.set_mark(&student_id, Mark::Late, Some(at), ctx);
                            (Mode::Browse, Handled::Yes)
                        }
                        Err(key) => {
                            ctx.err(tr(key));
                            (
                                Mode::Late {
                                    student_id,
                                    name,
                                    time,
                                },
                                Handled::Yes,
                            )
                        }
                    },
                    FormStep::Close => (Mode::Browse, Handled::Yes),
                    step => (
                        Mode::Late {
                            student_id,
                            name,
                            time,
                        },
                        Handled::from(step != FormStep::Pass),
                    ),
                }
            }
            Mode::ForceClose {
                mut reason,
                unaccounted,
            } => {
                let step = match input {
                    Input::Key(k) => {
                        let h = Handled::from(reason.key(k));
                        return self.put_back(
                            Mode::ForceClose {
                                reason,
                                unaccounted,
                            },
                            h,
                        );
                    }
                    Input::Act(a) => prompt_step(&mut reason, a, ctx),
                };
                match step {
                    FormStep::Save => {
                        let id = self
                            .round
                            .as_ref()
                            .map(|r| r.id.clone())
                            .unwrap_or_default();
                        match ctx.store.close_round(ctx.actor, &id, Some(&reason.value())) {
                            Ok(()) => {
                                ctx.ok(tr("roll.closed_forced"));
                                self.after_write(ctx);
                                (Mode::Browse, Handled::Yes)
                            }
                            Err(e) => {
                                ctx.err(error_text(&e));
                                (
                                    Mode::ForceClose {
                                        reason,
                                        unaccounted,
                                    },
                                    Handled::Yes,
                                )
                            }
                        }
                    }
                    FormStep::Close => (Mode::Browse, Handled::Yes),
                    step => (
                        Mode::ForceClose {
                            reason,
                            unaccounted,
                        },
                        Handled::from(step != FormStep::Pass),
                    ),
                }
            }
            Mode::Pick { mut picker, then } => {
                if act == Some(Action::Back) {
                    (Mode::Browse, Handled::Yes)
                } else {
                    match picker.handle(input, ctx) {
                        Picked::Chosen(s) => (
                            Mode::Form {
                                form: forms::build(then.with_student(&s), ctx),
                                kind: then.with_student(&s),
                            },
                            Handled::Yes,
                        ),
                        Picked::Busy => (Mode::Pick { picker, then }, Handled::Yes),
                        Picked::Pass => (Mode::Pick { picker, then }, Handled::No),
                    }
                }
            }
            Mode::Form { kind, mut form } => match input {
                Input::Key(k) => {
                    let h = Handled::from(form_key(&mut form, k));
                    (Mode::Form { kind, form }, h)
                }
                Input::Act(a) => match form_step(&mut form, a, ctx) {
                    FormStep::Save => self.save_form(kind, form, ctx),
                    FormStep::Close => (Mode::Browse, Handled::Yes),
                    FormStep::Pass => (Mode::Form { kind, form }, Handled::No),
                    FormStep::Stay | FormStep::Armed => (Mode::Form { kind, form }, Handled::Yes),
                },
            },
            Mode::History {
                changes,
                mut scroll,
            } => match act {
                Some(Action::Up) => {
                    scroll = scroll.saturating_sub(1);
                    (Mode::History { changes, scroll }, Handled::Yes)
                }
                Some(Action::Down) => {
                    scroll = scroll.saturating_add(1);
                    (Mode::History { changes, scroll }, Handled::Yes)
                }
                Some(Action::Back) => (Mode::Browse, Handled::Yes),
                _ => (Mode::History { changes, scroll }, Handled::No),
            },
            Mode::Import(flow) => match flow.handle(input, ctx) {
                (Some(next), h) => (Mode::Import(Box::new(next)), h),
                (None, h) => {
                    self.after_write(ctx);
                    (Mode::Browse, h)
                }
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
            Mode::ConfirmReturn { id, name, gate } => match act {
                Some(Action::Confirm) => {
                    match ctx.store.record_return(ctx.actor, &id, gate) {
                        Ok(()) => ctx.ok(trf("roll.returned", &[("name", name)])),
                        Err(e) => ctx.err(error_text(&e)),
                    }
                    self.after_write(ctx);
                    (Mode::Browse, Handled::Yes)
                }
                Some(Action::Back) => (Mode::Browse, Handled::Yes),
                _ => (Mode::ConfirmReturn { id, name, gate }, Handled::No),
            },
        };
        self.put_back(mode, h)
    }

    /// A mode set by an action (e.g. NewRound) wins over the one put back.
    fn put_back(&mut self, mode: Mode, h: Handled) -> Handled {
        if matches!(self.mode, Mode::Browse) {
            self.mode = mode;
        }
        h
    }

    fn save_form(&mut self, kind: FormKind, mut form: Form, ctx: &mut PaneCtx) -> (Mode, Handled) {
        match forms::save(&kind, &mut form, ctx) {
            Ok(msg) => {
                ctx.ok(msg);
                self.after_write(ctx);
                (Mode::Browse, Handled::Yes)
            }
            Err(e) => {
                crate::panes::show_error(&mut form, &e, ctx);
                (Mode::Form { kind, form }, Handled::Yes)
            }
        }
    }

    fn browse(&mut self, input: Input, ctx: &mut PaneCtx) -> Handled {
        let key = match input {
            Input::Act(a) => {
                self.jump.clear();
                return self.action(a, ctx);
            }
            Input::Key(k) => k,
        };
        // Digits jump to a room and bed on the roll ("3052": room 305 bed 2).
        if self.view == View::Roll
            && let KeyCode::Char(c) = key.code
            && let Some(c) = crate::domain::rollcall::jump_key(&self.jump, c)
            && key.modifiers.is_empty()
        {
            self.jump.push(c);
            if !self.jump_to() {
                // A new number typed after a finished one starts afresh.
                self.jump = c.to_string();
                if !self.jump_to() {
                    ctx.err(trf("roll.jump_none", &[("q", self.jump.clone())]));
                }
            }
            return Handled::Yes;
        }
        if self.view == View::Roll && key.code == KeyCode::Backspace && !self.jump.is_empty() {
            self.jump.pop();
            self.jump_to();
            return Handled::Yes;
        }
        Handled::No
    }

    /// Moves to the bed the typed digits point at (the domain's rule: when
    /// the digits together point nowhere, the last one starts afresh);
    /// false when nothing matches.
    fn jump_to(&mut self) -> bool {
        if self.jump.is_empty() {
            return true;
        }
        let beds = self.sheet.iter().map(|r| {
            let b = r.student.bed.as_ref()?;
            Some((b.room.as_str(), b.bed.as_str()))
        });
        match crate::domain::rollcall::find_bed(&self.jump, beds) {
            Some((i, q)) => {
                (self.roll.sel, self.jump) = (i, q);
                true
            }
            None => false,
        }
    }

    fn selected(&self) -> Option<&SheetRow> {
        self.sheet.get(self.roll.sel)
    }

    fn set_mark(&mut self, student_id: &str, mark: Mark, late: Option<i64>, ctx: &mut PaneCtx) {
        let Some(r) = self.open_round().map(|r| r.id.clone()) else {
            ctx.err(tr("roll.no_open_round"));
            return;
        };
        match ctx.store.mark(ctx.actor, &r, student_id, mark, late, "") {
            Ok(()) => {
                if let Err(e) = self.refresh_marked(&r, student_id, ctx) {
                    ctx.err(error_text(&e));
                }
                // Auto-advance to the next boarder.
                if self.roll.sel + 1 < self.sheet.len() {
                    self.roll.sel += 1;
                }
            }
            Err(e) => ctx.err(error_text(&e)),
        }
    }

    /// Everyone not yet marked in the selected boarder's room (or floor).
    fn mark_rest(&mut self, floor: bool, ctx: &mut PaneCtx) {
        let Some(r) = self.open_round().map(|r| r.id.clone()) else {
            ctx.err(tr("roll.no_open_round"));
            return;
        };
        let Some(cur) = self.selected().and_then(|s| s.student.bed.clone()) else {
            return;
        };
        let same = |s: &SheetRow| {
            s.student.bed.as_ref().is_some_and(|b| {
                if floor {
                    b.floor == cur.floor
                } else {
                    b.room == cur.room && b.floor == cur.floor
                }
            })
        };
        let ids: Vec<String> = self
            .sheet
            .iter()
            .filter(|s| same(s) && s.mark.is_none())
            .map(|s| s.student.id.clone())
            .collect();
        if ids.is_empty() {
            ctx.ok(tr("roll.nothing_to_mark"));
            return;
        }
        let n = ids.len();
        match ctx
            .store
            .mark_many(ctx.actor, &r, &ids, Mark::Present, None, "")
        {
            Ok(()) => {
                ctx.ok(trf("roll.marked_rest", &[("n", n.to_string())]));
                self.after_write(ctx);
                // Move past the group just called.
                if let Some(i) = self.sheet.iter().rposition(same) {
                    self.roll.sel = (i + 1).min(self.sheet.len().saturating_sub(1));
                }
            }
            Err(e) => ctx.err(error_text(&e)),
        }
    }

    pub fn action(&mut self, a: Action, ctx: &mut PaneCtx) -> Handled {
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
            Action::NextBuilding => {
                if self.buildings.len() < 2 {
                    ctx.err(tr("roll.one_building"));
                } else {
                    self.building = (self.building + 1) % self.buildings.len();
                    self.roll.sel = 0;
                    self.map_floor = 0;
                    self.after_write(ctx);
                }
            }
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Home
            | Action::End => {
                if matches!(self.view, View::Roll | View::BedMap) {
                    self.roll.navigate(a, self.sheet.len());
                } else {
                    let len = self.list_len();
                    self.list.navigate(a, len);
                }
            }
            Action::PrevFloor => self.map_floor = self.map_floor.saturating_sub(1),
            Action::NextFloor => {
                self.map_floor = (self.map_floor + 1).min(self.floors().len().saturating_sub(1))
            }
            Action::NewRound => {
                if self.buildings.is_empty() {
                    ctx.err(tr("roll.no_roster"));
                } else if self.open_round().is_some() {
                    ctx.err(tr("err.round_open"));
                } else {
                    let kind = self
                        .next_round
                        .map(|(k, _)| k)
                        .unwrap_or(RoundKind::BedCheck);
                    self.mode = Mode::StartRound { kind };
                }
            }
            Action::MarkPresent => self.mark_selected(Mark::Present, ctx),
            Action::MarkAbsent => self.mark_selected(Mark::Absent, ctx),
            // Sick and leave marks open their register entry at once (the
            // mark stays even if the entry is left for later).
            Action::MarkLeave => self.mark_and_record(Mark::Leave, ctx),
            Action::MarkSick => self.mark_and_record(Mark::Sick, ctx),
            Action::MarkLate => {
                if let Some(s) = self.selected() {
                    let now = time::fmt_local(ctx.now_ms, ctx.store.offset_min(), "%H:%M");
                    self.mode = Mode::Late {
                        student_id: s.student.id.clone(),
                        name: s.student.data.name.clone(),
                        time: Prompt::new(&now, 8),
                    };
                }
            }
            Action::RoomPresent => self.mark_rest(false, ctx),
            Action::FloorPresent => self.mark_rest(true, ctx),
            Action::CloseRound => self.close(ctx),
            Action::History => {
                if let Some(r) = &self.round {
                    match ctx.store.mark_history(&r.id) {
                        Ok(changes) => self.mode = Mode::History { changes, scroll: 0 },
                        Err(e) => ctx.err(error_text(&e)),
                    }
                }
            }
            Action::Open => self.open(ctx),
            Action::Export => match ExportForm::open(LedgerKind::Rollcall, ctx) {
                Ok(f) => self.mode = Mode::Export(Box::new(f)),
                Err(msg) => ctx.err(msg),
            },
            Action::Import => {
                if !crate::domain::role::allows(
                    ctx.actor.role,
                    crate::domain::role::Permission::ManageRoster,
                ) {
                    ctx.err(tr("err.forbidden"));
                } else if ctx.store.path().as_os_str() == ":memory:" {
                    ctx.err(tr("roster.import_needs_file"));
                } else {
                    self.mode = Mode::Import(Box::new(import::ImportFlow::start()));
                }
            }
            Action::New => match self.view {
                View::Sick => {
                    self.mode = Mode::Pick {
                        picker: Picker::default(),
                        then: FormKind::Sick {
                            student_id: String::new(),
                            name: String::new(),
                        },
                    }
                }
                View::Leave => {
                    self.mode = Mode::Pick {
                        picker: Picker::default(),
                        then: FormKind::Leave {
                            student_id: String::new(),
                            name: String::new(),
                        },
                    }
                }
                _ => return Handled::No,
            },
            _ => return Handled::No,
        }
        Handled::Yes
    }

    fn mark_selected(&mut self, m: Mark, ctx: &mut PaneCtx) {
        if let Some(id) = self.selected().map(|s| s.student.id.clone()) {
            self.set_mark(&id, m, None, ctx);
        }
    }

    /// Marks sick or on leave, then opens the sick-log or leave entry for
    /// the same boarder so the symptoms or the approver are not forgotten.
    fn mark_and_record(&mut self, m: Mark, ctx: &mut PaneCtx) {
        let Some((id, name)) = self
            .selected()
            .map(|s| (s.student.id.clone(), s.student.data.name.clone()))
        else {
            return;
        };
        if self.open_round().is_none() {
            ctx.err(tr("roll.no_open_round"));
            return;
        }
        self.set_mark(&id, m, None, ctx);
        let kind = if m == Mark::Sick {
            FormKind::Sick {
                student_id: id,
                name,
            }
        } else {
            FormKind::Leave {
                student_id: id,
                name,
            }
        };
        self.mode = Mode::Form {
            form: forms::build(kind.clone(), ctx),
            kind,
        };
    }

    fn close(&mut self, ctx: &mut PaneCtx) {
        let Some(r) = self.open_round().map(|r| r.id.clone()) else {
            ctx.err(tr("roll.no_open_round"));
            return;
        };
        match ctx.store.close_round(ctx.actor, &r, None) {
            Ok(()) => {
                ctx.ok(tr("roll.closed"));
                self.after_write(ctx);
            }
            Err(StoreError::Domain(DomainError::Unaccounted(n))) => {
                if rollcall::can_force(ctx.actor.role) {
                    self.mode = Mode::ForceClose {
                        reason: Prompt::new("", 60),
                        unaccounted: n,
                    };
                } else {
                    ctx.err(trf("roll.cannot_close", &[("n", n.to_string())]));
                    // Show the first boarder still unaccounted.
                    if let Some(i) = self.sheet.iter().position(|s| {
                        s.mark.is_none() || (s.mark == Some(Mark::Absent) && !s.found)
                    }) {
                        self.roll.sel = i;
                    }
                }
            }
            Err(e) => ctx.err(error_text(&e)),
        }
    }

    /// Enter: a follow-up for an absent boarder; a sick note; a return.
    fn open(&mut self, ctx: &mut PaneCtx) {
        match self.view {
            View::Roll | View::BedMap => {
                let Some(s) = self.selected() else { return };
                let Some(r) = &self.round else { return };
                if s.mark == Some(Mark::Absent) {
                    let kind = FormKind::Followup {
                        round_id: r.id.clone(),
                        student_id: s.student.id.clone(),
                        name: s.student.data.name.clone(),
                        head: forms::head_teacher_line(ctx, &s.student.id),
                    };
                    self.mode = Mode::Form {
                        form: forms::build(kind.clone(), ctx),
                        kind,
                    };
                } else {
                    ctx.ok(forms::describe(s, ctx.store.offset_min()));
                }
            }
            View::Absences => {
                if let Some(a) = self.absences.get(self.list.sel) {
                    let kind = FormKind::Followup {
                        round_id: a.round_id.clone(),
                        student_id: a.student_id.clone(),
                        name: a.name.clone(),
                        head: forms::head_teacher_line(ctx, &a.student_id),
                    };
                    self.mode = Mode::Form {
                        form: forms::build(kind.clone(), ctx),
                        kind,
                    };
                }
            }
            View::Sick => {
                if let Some(s) = self
                    .sick
                    .get(self.list.sel)
                    .filter(|s| s.closed_ms.is_none())
                {
                    let kind = FormKind::SickNote {
                        sick_id: s.id.clone(),
                        name: s.name.clone(),
                    };
                    self.mode = Mode::Form {
                        form: forms::build(kind.clone(), ctx),
                        kind,
                    };
                }
            }
            View::Leave => {
                if let Some(l) = self
                    .leaves
                    .get(self.list.sel)
                    .filter(|l| l.returned_ms.is_none())
                {
                    self.mode = Mode::ConfirmReturn {
                        id: l.id.clone(),
                        name: l.name.clone(),
                        gate: l.gate,
                    };
                }
            }
        }
    }
}
