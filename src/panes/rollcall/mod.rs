//! Roll-call pane (住宿点名): tonight's rounds by building, one key per mark,
//! the bed map, open absences with their follow-ups, the sick log and the
//! leave register.

pub mod forms;
pub mod import;
pub mod render;

use super::picker::{Picked, Picker};
use super::{Handled, PaneCtx, error_text};
use crate::action::Action;
use crate::domain::error::DomainError;
use crate::domain::rollcall::{self, Mark, RoundKind};
use crate::domain::time;
use crate::i18n::{tr, trf};
use crate::keymap::{self, Ctx};
use crate::store::StoreError;
use crate::store::rollcall::{LeaveRow, MarkChange, OpenAbsence, RoundRow, SheetRow, SickRow};
use crate::ui::form::{Form, FormKey};
use crate::ui::text_input::TextInput;
use forms::FormKind;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

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
        time: TextInput,
    },
    /// A duty leader closing with boarders unaccounted: the reason.
    ForceClose {
        reason: TextInput,
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
}

pub struct RollcallPane {
    pub view: View,
    pub mode: Mode,
    pub buildings: Vec<String>,
    pub building: usize,
    /// The open round of the building, else tonight's latest.
    pub round: Option<RoundRow>,
    pub sheet: Vec<SheetRow>,
    pub sel: usize,
    pub top: usize,
    /// Digits typed to jump to a room/bed ("3052" → room 305 bed 2).
    pub jump: String,
    pub absences: Vec<OpenAbsence>,
    pub sick: Vec<SickRow>,
    pub leaves: Vec<LeaveRow>,
    pub list_sel: usize,
    /// Floor shown on the bed map.
    pub map_floor: usize,
    pub bed_map: Vec<crate::store::rollcall::BedCell>,
    pub list_height: usize,
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
            sel: 0,
            top: 0,
            jump: String::new(),
            absences: vec![],
            sick: vec![],
            leaves: vec![],
            list_sel: 0,
            map_floor: 0,
            bed_map: vec![],
            list_height: 10,
            next_round: None,
        }
    }

    pub fn building_name(&self) -> &str {
        self.buildings
            .get(self.building)
            .map(|s| s.as_str())
            .unwrap_or("")
    }

    pub fn reload(&mut self, ctx: &PaneCtx) -> Result<(), StoreError> {
        self.buildings = ctx.store.buildings()?;
        self.building = self.building.min(self.buildings.len().saturating_sub(1));
        let b = self.building_name().to_string();
        let night = rollcall::night_of(ctx.now_ms, ctx.store.offset_min())
            .format("%Y-%m-%d")
            .to_string();
        let tonight = ctx.store.rounds_of_night(&night, &b)?;
        self.round = match ctx.store.open_round(&b)? {
            Some(r) => Some(r),
            None => tonight.first().cloned(),
        };
        // Times from the station's settings: the lights-out roll, then a bed
        // check every so often after the last round.
        self.next_round = if b.is_empty() || self.open_round().is_some() {
            None
        } else if !tonight.iter().any(|r| r.kind == RoundKind::LightsOut) {
            let date = rollcall::night_of(ctx.now_ms, ctx.store.offset_min());
            let at = time::day_start_ms(date, ctx.store.offset_min())
                + ctx
                    .store
                    .setting(crate::domain::settings::LIGHTS_OUT_MINUTES)
                    * 60_000;
            Some((RoundKind::LightsOut, at))
        } else {
            let every = ctx.store.setting(crate::domain::settings::BED_CHECK_EVERY) * 60_000;
            tonight
                .first()
                .map(|r| (RoundKind::BedCheck, r.started_ms + every))
        };
        self.sheet = match &self.round {
            Some(r) => ctx.store.round_sheet(&r.id)?,
            None => vec![],
        };
        self.sel = self.sel.min(self.sheet.len().saturating_sub(1));
        self.bed_map = ctx
            .store
            .bed_map(&b, self.round.as_ref().map(|r| r.id.as_str()))?;
        self.absences = ctx.store.open_absences()?;
        let since = ctx.now_ms - 86_400_000;
        self.sick = ctx.store.sick_log(since)?;
        self.leaves = ctx.store.leaves(since)?;
        self.list_sel = self.list_sel.min(self.list_len().saturating_sub(1));
        Ok(())
    }

    fn after_write(&mut self, ctx: &mut PaneCtx) {
        if let Err(e) = self.reload(ctx) {
            ctx.err(error_text(&e));
        }
    }

    fn list_len(&self) -> usize {
        match self.view {
            View::Absences => self.absences.len(),
            View::Sick => self.sick.len(),
            View::Leave => self.leaves.len(),
            _ => 0,
        }
    }

    pub fn open_round(&self) -> Option<&RoundRow> {
        self.round.as_ref().filter(|r| r.closed_ms.is_none())
    }

    pub fn in_text(&self) -> bool {
        matches!(
            self.mode,
            Mode::Late { .. }
                | Mode::ForceClose { .. }
                | Mode::Pick { .. }
                | Mode::Form { .. }
                | Mode::Import(_)
        )
    }

    /// Checks on background work (the roster import); true to redraw.
    pub fn poll(&mut self) -> bool {
        match &mut self.mode {
            Mode::Import(flow) => flow.poll(),
            _ => false,
        }
    }

    pub fn has_unsaved(&self) -> bool {
        matches!(&self.mode, Mode::Form { form, .. } if form.is_dirty())
    }

    pub fn contexts(&self) -> Vec<Ctx> {
        match (&self.mode, self.view) {
            (Mode::Browse, View::Roll) => vec![Ctx::Roll],
            (Mode::Browse, View::BedMap) => vec![Ctx::RollMap, Ctx::Roll],
            (Mode::Browse, _) => vec![Ctx::RollList],
            (Mode::Form { .. }, _) => vec![Ctx::Form],
            _ => vec![],
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent, ctx: &mut PaneCtx) -> Handled {
        let mode = std::mem::replace(&mut self.mode, Mode::Browse);
        let (mode, h) = match mode {
            Mode::Browse => (Mode::Browse, self.browse_key(key, ctx)),
            Mode::StartRound { mut kind } => match key.code {
                KeyCode::Left | KeyCode::Right | KeyCode::Char(' ') => {
                    kind = if kind == RoundKind::LightsOut {
                        RoundKind::BedCheck
                    } else {
                        RoundKind::LightsOut
                    };
                    (Mode::StartRound { kind }, Handled::Yes)
                }
                KeyCode::Enter => {
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
                            self.sel = 0;
                            self.after_write(ctx);
                        }
                        Err(e) => ctx.err(error_text(&e)),
                    }
                    (Mode::Browse, Handled::Yes)
                }
                KeyCode::Esc => (Mode::Browse, Handled::Yes),
                _ => (Mode::StartRound { kind }, Handled::No),
            },
            Mode::Late {
                student_id,
                mut time,
            } => match key.code {
                KeyCode::Enter => match time::parse_hhmm(&time.value()) {
                    Some(min) => {
                        let at =
                            time::today_at(ctx.now_ms, ctx.store.offset_min(), min).min(ctx.now_ms);
                        self.set_mark(&student_id, Mark::Late, Some(at), ctx);
                        (Mode::Browse, Handled::Yes)
                    }
                    None => {
                        ctx.err(tr("err.time_format"));
                        (Mode::Late { student_id, time }, Handled::Yes)
                    }
                },
                KeyCode::Esc => (Mode::Browse, Handled::Yes),
                _ => {
                    let h = if time.handle_key(key) {
                        Handled::Yes
                    } else {
                        Handled::No
                    };
                    (Mode::Late { student_id, time }, h)
                }
            },
            Mode::ForceClose {
                mut reason,
                unaccounted,
            } => match key.code {
                KeyCode::Enter => {
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
                KeyCode::Esc => (Mode::Browse, Handled::Yes),
                _ => {
                    let h = if reason.handle_key(key) {
                        Handled::Yes
                    } else {
                        Handled::No
                    };
                    (
                        Mode::ForceClose {
                            reason,
                            unaccounted,
                        },
                        h,
                    )
                }
            },
            Mode::Pick { mut picker, then } => {
                if key.code == KeyCode::Esc {
                    (Mode::Browse, Handled::Yes)
                } else {
                    match picker.handle_key(key, ctx) {
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
            Mode::Form { kind, mut form } => match form.handle_key(key) {
                FormKey::Submit => self.save_form(kind, form, ctx),
                FormKey::Unhandled => match keymap::lookup(&[Ctx::Form], &key, true) {
                    Some(Action::Save) => self.save_form(kind, form, ctx),
                    Some(Action::Back) => (Mode::Browse, Handled::Yes),
                    _ => (Mode::Form { kind, form }, Handled::No),
                },
                _ => (Mode::Form { kind, form }, Handled::Yes),
            },
            Mode::History {
                changes,
                mut scroll,
            } => match key.code {
                KeyCode::Up => {
                    scroll = scroll.saturating_sub(1);
                    (Mode::History { changes, scroll }, Handled::Yes)
                }
                KeyCode::Down => {
                    scroll = scroll.saturating_add(1);
                    (Mode::History { changes, scroll }, Handled::Yes)
                }
                KeyCode::Esc | KeyCode::Enter => (Mode::Browse, Handled::Yes),
                _ => (Mode::History { changes, scroll }, Handled::No),
            },
            Mode::Import(flow) => match flow.handle_key(key, ctx) {
                Some(next) => (Mode::Import(Box::new(next)), Handled::Yes),
                None => {
                    self.after_write(ctx);
                    (Mode::Browse, Handled::Yes)
                }
            },
            Mode::ConfirmReturn { id, name, gate } => match key.code {
                KeyCode::Enter | KeyCode::Char('y') => {
                    match ctx.store.record_return(ctx.actor, &id, gate) {
                        Ok(()) => ctx.ok(trf("roll.returned", &[("name", name)])),
                        Err(e) => ctx.err(error_text(&e)),
                    }
                    self.after_write(ctx);
                    (Mode::Browse, Handled::Yes)
                }
                KeyCode::Esc | KeyCode::Char('n') => (Mode::Browse, Handled::Yes),
                _ => (Mode::ConfirmReturn { id, name, gate }, Handled::No),
            },
        };
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
                super::visitors::show_error(&mut form, &e, ctx);
                (Mode::Form { kind, form }, Handled::Yes)
            }
        }
    }

    fn browse_key(&mut self, key: KeyEvent, ctx: &mut PaneCtx) -> Handled {
        // Digits jump to a room and bed on the roll.
        if self.view == View::Roll
            && let KeyCode::Char(c) = key.code
            && c.is_ascii_digit()
            && key.modifiers.is_empty()
        {
            self.jump.push(c);
            self.jump_to();
            return Handled::Yes;
        }
        if key.code == KeyCode::Backspace && !self.jump.is_empty() {
            self.jump.pop();
            self.jump_to();
            return Handled::Yes;
        }
        self.jump.clear();
        let ctxs = self.contexts();
        let Some(a) = keymap::lookup(&ctxs, &key, false) else {
            return Handled::No;
        };
        self.action(a, ctx);
        Handled::Yes
    }

    /// Moves to the first bed whose "room + bed" starts with the digits.
    fn jump_to(&mut self) {
        let q = self.jump.clone();
        if let Some(i) = self.sheet.iter().position(|r| {
            r.student
                .bed
                .as_ref()
                .is_some_and(|b| format!("{}{}", b.room, b.bed).starts_with(&q) || b.room == q)
        }) {
            self.sel = i;
        }
    }

    fn selected(&self) -> Option<&SheetRow> {
        self.sheet.get(self.sel)
    }

    fn set_mark(&mut self, student_id: &str, mark: Mark, late: Option<i64>, ctx: &mut PaneCtx) {
        let Some(r) = self.open_round().map(|r| r.id.clone()) else {
            ctx.err(tr("roll.no_open_round"));
            return;
        };
        match ctx.store.mark(ctx.actor, &r, student_id, mark, late, "") {
            Ok(()) => {
                // Auto-advance to the next boarder.
                self.after_write(ctx);
                if self.sel + 1 < self.sheet.len() {
                    self.sel += 1;
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
                    self.sel = (i + 1).min(self.sheet.len().saturating_sub(1));
                }
            }
            Err(e) => ctx.err(error_text(&e)),
        }
    }

    pub fn action(&mut self, a: Action, ctx: &mut PaneCtx) {
        match a {
            Action::NextView | Action::PrevView => {
                let i = View::ALL.iter().position(|v| *v == self.view).unwrap_or(0);
                let n = View::ALL.len();
                self.view = View::ALL[if a == Action::NextView {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                }];
                self.list_sel = 0;
            }
            Action::NextBuilding if !self.buildings.is_empty() => {
                self.building = (self.building + 1) % self.buildings.len();
                self.sel = 0;
                self.map_floor = 0;
                self.after_write(ctx);
            }
            Action::Up => self.move_sel(-1),
            Action::Down => self.move_sel(1),
            Action::PageUp => self.move_sel(-(self.list_height.max(1) as isize)),
            Action::PageDown => self.move_sel(self.list_height.max(1) as isize),
            Action::Home => self.move_sel(-1_000_000),
            Action::End => self.move_sel(1_000_000),
            Action::PrevFloor => self.map_floor = self.map_floor.saturating_sub(1),
            Action::NextFloor => self.map_floor += 1,
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
            Action::MarkLeave => self.mark_selected(Mark::Leave, ctx),
            Action::MarkSick => self.mark_selected(Mark::Sick, ctx),
            Action::MarkLate => {
                if let Some(s) = self.selected() {
                    let mut t = TextInput::new(&time::fmt_local(
                        ctx.now_ms,
                        ctx.store.offset_min(),
                        "%H:%M",
                    ));
                    t.max_chars = Some(5);
                    self.mode = Mode::Late {
                        student_id: s.student.id.clone(),
                        time: t,
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
                _ => {}
            },
            _ => {}
        }
    }

    fn mark_selected(&mut self, m: Mark, ctx: &mut PaneCtx) {
        if let Some(id) = self.selected().map(|s| s.student.id.clone()) {
            self.set_mark(&id, m, None, ctx);
        }
    }

    fn move_sel(&mut self, delta: isize) {
        let len = if matches!(self.view, View::Roll) {
            self.sheet.len()
        } else {
            self.list_len()
        };
        let cur = if matches!(self.view, View::Roll) {
            self.sel
        } else {
            self.list_sel
        };
        let n = (cur as isize + delta).clamp(0, len.saturating_sub(1) as isize) as usize;
        if matches!(self.view, View::Roll) {
            self.sel = n;
        } else {
            self.list_sel = n;
        }
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
                        reason: TextInput::default(),
                        unaccounted: n,
                    };
                } else {
                    ctx.err(trf("roll.cannot_close", &[("n", n.to_string())]));
                    // Show the first boarder still unaccounted.
                    if let Some(i) = self.sheet.iter().position(|s| {
                        s.mark.is_none() || (s.mark == Some(Mark::Absent) && !s.found)
                    }) {
                        self.sel = i;
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
                if let Some(a) = self.absences.get(self.list_sel) {
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
                    .get(self.list_sel)
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
                    .get(self.list_sel)
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
