//! The handover sheet (交接班): this shift's sheet, composed live; sign it
//! over (`s`, PIN, Enter), accept one handed to you (`a`, one key per
//! section, PIN, Enter), countersign as the duty leader (`c`); past
//! handovers of every station, read-only with their seal checked (`h`).

mod render;

use super::super::{Handled, Input, Pane, PaneCtx, RenderCtx, error_text};
use crate::action::Action;
use crate::domain::event::Remark;
use crate::domain::handover::{Section, Stage};
use crate::domain::role::{Actor, Permission, Role, allows};
use crate::domain::shift::ShiftId;
use crate::i18n::{tr, trf};
use crate::keymap::Ctx;
use crate::store::StoreError;
use crate::store::handover::{Amendment, HandoverRow, SealCheck};
use crate::store::handover_sheet::Sheet;
use crate::ui::form::FormStep;
use crate::ui::list::ListState;
use crate::ui::prompt::Prompt;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Position, Rect};

/// What a PIN confirms.
#[derive(Debug, Clone, PartialEq)]
pub enum Signing {
    Sign(ShiftId),
    Accept {
        shift: ShiftId,
        acked: Vec<Section>,
        remarks: Vec<Remark>,
    },
    Countersign(ShiftId),
}

pub enum Mode {
    Browse,
    /// Typing the free "watch for / if … then" note.
    Note(Prompt),
    /// Stepping through the sections before accepting.
    Accept {
        shift: ShiftId,
        step: usize,
        remarks: Vec<Remark>,
        remark: Option<Prompt>,
    },
    Pin(Signing, Prompt),
    /// Signed handovers, newest first, every station.
    List(ListState),
    /// One past handover, read-only.
    Past {
        row: Box<HandoverRow>,
        /// (record, state as signed, the record as it reads now).
        lines: Vec<(String, String, String)>,
        seal: SealCheck,
        amendments: Vec<Amendment>,
        scroll: u16,
    },
}

pub struct SheetView {
    pub mode: Mode,
    /// The shift running now at this station, and the one before it.
    pub current: Option<ShiftId>,
    pub previous: Option<ShiftId>,
    pub sheet: Option<Sheet>,
    pub cur_row: Option<HandoverRow>,
    pub prev_row: Option<HandoverRow>,
    /// The note typed for this shift's signature (kept until signed).
    pub note: String,
    pub scroll: usize,
    pub history: Vec<HandoverRow>,
    me: Option<Actor>,
}

impl Default for SheetView {
    fn default() -> Self {
        Self::new()
    }
}

/// How far back the list of past handovers reaches.
const HISTORY_DAYS: i64 = 62;

impl SheetView {
    pub fn new() -> Self {
        SheetView {
            mode: Mode::Browse,
            current: None,
            previous: None,
            sheet: None,
            cur_row: None,
            prev_row: None,
            note: String::new(),
            scroll: 0,
            history: vec![],
            me: None,
        }
    }

    /// The shift `s` signs: the one running now, or the one just ended
    /// while it is unsigned and the new shift is under an hour old.
    pub fn sign_target(&self, now_ms: i64, ctx_store: &crate::store::Store) -> Option<ShiftId> {
        let cur = self.current.clone()?;
        if self.cur_row.is_none()
            && let Some(prev) = &self.previous
            && self.prev_row.is_none()
            && let Ok(Some((start, _))) = ctx_store.shift_window(&cur)
            && now_ms - start < 60 * 60_000
        {
            return Some(prev.clone());
        }
        self.cur_row.is_none().then_some(cur)
    }

    /// The handover waiting for `me` to accept: signed by someone else.
    pub fn accept_target(&self, me: &str) -> Option<&HandoverRow> {
        [&self.cur_row, &self.prev_row]
            .into_iter()
            .flatten()
            .find(|h| h.stage() == Stage::Signed && h.signed_by != me)
    }

    /// The handover waiting for a countersignature.
    pub fn countersign_target(&self) -> Option<&HandoverRow> {
        [&self.cur_row, &self.prev_row]
            .into_iter()
            .flatten()
            .find(|h| h.stage() == Stage::Accepted)
    }

    fn selected_history(&self) -> Option<&HandoverRow> {
        match &self.mode {
            Mode::List(l) => self.history.get(l.sel),
            _ => None,
        }
    }

    fn load_history(&mut self, ctx: &mut PaneCtx) -> Result<(), StoreError> {
        let off = ctx.store.offset_min();
        let today = crate::domain::time::local(ctx.now_ms, off).date_naive();
        let from = today - chrono::Duration::days(HISTORY_DAYS);
        self.history = ctx.store.handovers_between(
            &from.format("%Y-%m-%d").to_string(),
            &today.format("%Y-%m-%d").to_string(),
            None,
        )?;
        Ok(())
    }

    fn open_past(&mut self, row: HandoverRow, ctx: &mut PaneCtx) -> Result<(), StoreError> {
        let seal = ctx.store.check_seal(&row)?;
        let amendments = ctx.store.amendments(&row)?;
        let lines = row
            .items
            .iter()
            .map(|(e, state)| (e.clone(), state.clone(), ctx.store.describe_record(e)))
            .collect();
        self.mode = Mode::Past {
            row: Box::new(row),
            lines,
            seal,
            amendments,
            scroll: 0,
        };
        Ok(())
    }

    fn finish_pin(&mut self, signing: Signing, pin: &str, ctx: &mut PaneCtx) {
        let me = ctx.actor.clone();
        let res = match &signing {
            Signing::Sign(shift) => {
                let now = ctx.now_ms;
                ctx.store
                    .sign_handover(&me, pin, shift, &self.note, now)
                    .map(|_| trf("handover.signed_ok", &[("shift", shift_label(shift))]))
            }
            Signing::Accept {
                shift,
                acked,
                remarks,
            } => ctx
                .store
                .accept_handover(&me, pin, shift, acked, remarks.clone())
                .map(|_| trf("handover.accepted_ok", &[("shift", shift_label(shift))])),
            Signing::Countersign(shift) => {
                ctx.store
                    .countersign_handover(&me, pin, shift, "")
                    .map(|_| {
                        trf(
                            "handover.countersigned_ok",
                            &[("shift", shift_label(shift))],
                        )
                    })
            }
        };
        match res {
            Ok(msg) => {
                if matches!(signing, Signing::Sign(_)) {
                    self.note.clear();
                }
                self.mode = Mode::Browse;
                ctx.ok(msg);
                let _ = self.reload(ctx);
            }
            // A wrong PIN keeps the prompt open, emptied, with the reason.
            Err(e) => {
                ctx.err(error_text(&e));
                self.mode = Mode::Pin(signing, Prompt::pin());
            }
        }
    }

    fn handle(&mut self, input: Input, ctx: &mut PaneCtx) -> Handled {
        let role = ctx.actor.role;
        let mode = std::mem::replace(&mut self.mode, Mode::Browse);
        let (mode, handled) = match (mode, input) {
            (Mode::Note(mut p), Input::Key(k)) => {
                let used = p.key(k);
                (Mode::Note(p), used)
            }
            (Mode::Note(mut p), Input::Act(a)) => match form_prompt(&mut p, a, ctx) {
                FormStep::Save => {
                    self.note = p.value().trim().to_string();
                    (Mode::Browse, true)
                }
                FormStep::Close => (Mode::Browse, true),
                _ => (Mode::Note(p), true),
            },
            (Mode::Pin(s, mut p), Input::Key(k)) => {
                let used = p.key(k);
                (Mode::Pin(s, p), used)
            }
            (Mode::Pin(s, mut p), Input::Act(a)) => match form_prompt(&mut p, a, ctx) {
                FormStep::Save => {
                    let pin = p.value();
                    self.finish_pin(s, &pin, ctx);
                    return Handled::Yes;
                }
                FormStep::Close => (Mode::Browse, true),
                _ => (Mode::Pin(s, p), true),
            },
            (
                Mode::Accept {
                    shift,
                    step,
                    remarks,
                    remark: Some(mut p),
                },
                input,
            ) => {
                let (remark, used, mut remarks) = match input {
                    Input::Key(k) => {
                        let used = p.key(k);
                        (Some(p), used, remarks)
                    }
                    Input::Act(a) => match form_prompt(&mut p, a, ctx) {
                        FormStep::Save => {
                            let mut r = remarks;
                            r.retain(|x| x.section != Section::ALL[step].key());
                            r.push(Remark {
                                section: Section::ALL[step].key().to_string(),
                                text: p.value().trim().to_string(),
                            });
                            (None, true, r)
                        }
                        FormStep::Close => (None, true, remarks),
                        _ => (Some(p), true, remarks),
                    },
                };
                remarks.retain(|r| !r.text.is_empty());
                (
                    Mode::Accept {
                        shift,
                        step,
                        remarks,
                        remark,
                    },
                    used,
                )
            }
            (
                Mode::Accept {
                    shift,
                    step,
                    remarks,
                    remark: None,
                },
                Input::Act(a),
            ) => match a {
                Action::Confirm => {
                    let step = step + 1;
                    self.scroll_to(Section::ALL.get(step).copied());
                    if step >= Section::ALL.len() {
                        let signing = Signing::Accept {
                            shift,
                            acked: Section::ALL.to_vec(),
                            remarks,
                        };
                        (Mode::Pin(signing, Prompt::pin()), true)
                    } else {
                        let m = Mode::Accept {
                            shift,
                            step,
                            remarks,
                            remark: None,
                        };
                        (m, true)
                    }
                }
                Action::Correct => {
                    let current = remarks
                        .iter()
                        .find(|r| r.section == Section::ALL[step].key())
                        .map(|r| r.text.clone())
                        .unwrap_or_default();
                    let m = Mode::Accept {
                        shift,
                        step,
                        remarks,
                        remark: Some(Prompt::new(&current, 200)),
                    };
                    (m, true)
                }
                Action::Back => (Mode::Browse, true),
                Action::Up | Action::Down => {
                    self.scroll_by(a);
                    let m = Mode::Accept {
                        shift,
                        step,
                        remarks,
                        remark: None,
                    };
                    (m, true)
                }
                _ => {
                    let m = Mode::Accept {
                        shift,
                        step,
                        remarks,
                        remark: None,
                    };
                    (m, false)
                }
            },
            (Mode::List(mut l), Input::Act(a)) => {
                if l.navigate(a, self.history.len()) {
                    (Mode::List(l), true)
                } else {
                    match a {
                        Action::Open => {
                            self.mode = Mode::List(l);
                            if let Some(row) = self.selected_history().cloned()
                                && let Err(e) = self.open_past(row, ctx)
                            {
                                ctx.err(error_text(&e));
                            }
                            return Handled::Yes;
                        }
                        Action::Countersign => {
                            let row = self.history.get(l.sel).cloned();
                            match row {
                                Some(h)
                                    if h.stage() == Stage::Accepted
                                        && allows(role, Permission::Countersign) =>
                                {
                                    (
                                        Mode::Pin(Signing::Countersign(h.shift), Prompt::pin()),
                                        true,
                                    )
                                }
                                _ => {
                                    ctx.err(tr("handover.nothing_to_countersign"));
                                    (Mode::List(l), true)
                                }
                            }
                        }
                        Action::Back => (Mode::Browse, true),
                        _ => (Mode::List(l), false),
                    }
                }
            }
            (
                Mode::Past {
                    row,
                    lines,
                    seal,
                    amendments,
                    scroll,
                },
                Input::Act(a),
            ) => {
                let scroll = match a {
                    Action::Up => scroll.saturating_sub(1),
                    Action::Down => scroll.saturating_add(1),
                    _ => scroll,
                };
                match a {
                    Action::Back => {
                        let mut l = ListState::default();
                        l.sel = self
                            .history
                            .iter()
                            .position(|h| h.shift == row.shift)
                            .unwrap_or(0);
                        (Mode::List(l), true)
                    }
                    _ => (
                        Mode::Past {
                            row,
                            lines,
                            seal,
                            amendments,
                            scroll,
                        },
                        matches!(a, Action::Up | Action::Down),
                    ),
                }
            }
            (Mode::Browse, Input::Act(a)) => return self.browse(a, ctx),
            (m, _) => (m, false),
        };
        self.mode = mode;
        Handled::from(handled)
    }

    fn browse(&mut self, a: Action, ctx: &mut PaneCtx) -> Handled {
        let me = ctx.actor.clone();
        match a {
            Action::SignHandover => match self.sign_target(ctx.now_ms, ctx.store) {
                Some(shift) => self.mode = Mode::Pin(Signing::Sign(shift), Prompt::pin()),
                None => ctx.err(tr("handover.already_signed")),
            },
            Action::AcceptHandover => match self.accept_target(&me.id).map(|h| h.shift.clone()) {
                Some(shift) => {
                    self.scroll = 0;
                    self.mode = Mode::Accept {
                        shift,
                        step: 0,
                        remarks: vec![],
                        remark: None,
                    };
                }
                None => ctx.err(tr("handover.nothing_to_accept")),
            },
            Action::Countersign => {
                if !allows(me.role, Permission::Countersign) {
                    ctx.err(tr("err.forbidden"));
                } else {
                    match self.countersign_target() {
                        Some(h) => {
                            self.mode =
                                Mode::Pin(Signing::Countersign(h.shift.clone()), Prompt::pin())
                        }
                        None => ctx.err(tr("handover.nothing_to_countersign")),
                    }
                }
            }
            Action::EditNote => {
                self.mode = Mode::Note(Prompt::new(&self.note, crate::domain::handover::NOTE_MAX))
            }
            Action::History => match self.load_history(ctx) {
                Ok(()) => self.mode = Mode::List(ListState::default()),
                Err(e) => ctx.err(error_text(&e)),
            },
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Home
            | Action::End => self.scroll_by(a),
            _ => return Handled::No,
        }
        Handled::Yes
    }

    fn scroll_by(&mut self, a: Action) {
        self.scroll = match a {
            Action::Up => self.scroll.saturating_sub(1),
            Action::Down => self.scroll + 1,
            Action::PageUp => self.scroll.saturating_sub(10),
            Action::PageDown => self.scroll + 10,
            Action::Home => 0,
            Action::End => usize::MAX / 2,
            _ => self.scroll,
        };
    }

    /// Scrolls so a section's heading is in view while accepting.
    fn scroll_to(&mut self, s: Option<Section>) {
        if let (Some(s), Some(sheet)) = (s, &self.sheet) {
            self.scroll = render::section_line(sheet, s);
        }
    }

    pub fn offers_action(&self, a: Action, role: Role) -> bool {
        let me = self.me.as_ref().map(|m| m.id.as_str()).unwrap_or("");
        match (&self.mode, a) {
            (Mode::Browse, Action::SignHandover) => {
                self.current.is_some() && (self.cur_row.is_none() || self.prev_row.is_none())
            }
            (Mode::Browse, Action::AcceptHandover) => self.accept_target(me).is_some(),
            (Mode::Browse | Mode::List(_), Action::Countersign) => {
                allows(role, Permission::Countersign)
                    && match &self.mode {
                        Mode::List(l) => self
                            .history
                            .get(l.sel)
                            .is_some_and(|h| h.stage() == Stage::Accepted),
                        _ => self.countersign_target().is_some(),
                    }
            }
            _ => true,
        }
    }
}

fn form_prompt(p: &mut Prompt, a: Action, ctx: &mut PaneCtx) -> FormStep {
    let step = p.update(a);
    if step == FormStep::Armed {
        ctx.err(tr("form.esc_again"));
    }
    step
}

/// "夜班 11-29" — a shift as people say it.
pub fn shift_label(s: &ShiftId) -> String {
    format!(
        "{} {}",
        crate::i18n::shift_name(&s.shift),
        s.date.get(5..).unwrap_or(&s.date)
    )
}

impl Pane for SheetView {
    fn title(&self) -> &'static str {
        "pane.duty.sheet"
    }
    fn reload(&mut self, ctx: &mut PaneCtx) -> Result<(), StoreError> {
        self.me = Some(ctx.actor.clone());
        self.current = ctx.store.current_shift(ctx.now_ms)?;
        self.previous = match &self.current {
            Some(c) => ctx.store.previous_shift(c)?,
            None => None,
        };
        self.cur_row = match &self.current {
            Some(c) => ctx.store.handover(c)?,
            None => None,
        };
        self.prev_row = match &self.previous {
            Some(p) => ctx.store.handover(p)?,
            None => None,
        };
        self.sheet = match &self.current {
            Some(c) => Some(ctx.store.compose_sheet(c, ctx.now_ms)?),
            None => None,
        };
        if matches!(self.mode, Mode::List(_)) {
            self.load_history(ctx)?;
        }
        Ok(())
    }
    fn contexts(&self) -> Vec<Ctx> {
        match &self.mode {
            Mode::Browse => vec![Ctx::HandoverSheet],
            Mode::Note(_) | Mode::Pin(..) => vec![Ctx::Dialog],
            Mode::Accept {
                remark: Some(_), ..
            } => vec![Ctx::Dialog],
            Mode::Accept { .. } => vec![Ctx::HandoverAccept],
            Mode::List(_) => vec![Ctx::HandoverList],
            Mode::Past { .. } => vec![Ctx::Viewer],
        }
    }
    fn in_text(&self) -> bool {
        matches!(
            self.mode,
            Mode::Note(_)
                | Mode::Pin(..)
                | Mode::Accept {
                    remark: Some(_),
                    ..
                }
        )
    }
    fn has_unsaved(&self) -> bool {
        match &self.mode {
            Mode::Note(p) => p.is_dirty(),
            Mode::Accept { .. } => true,
            _ => false,
        }
    }
    fn key(&mut self, key: KeyEvent, ctx: &mut PaneCtx) -> Handled {
        self.handle(Input::Key(key), ctx)
    }
    fn update(&mut self, a: Action, ctx: &mut PaneCtx) -> Handled {
        self.handle(Input::Act(a), ctx)
    }
    fn render(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) -> Option<Position> {
        self.draw(area, buf, rc)
    }
    fn offers(&self, a: Action, role: Role) -> bool {
        self.offers_action(a, role)
    }
    crate::pane_any!();
}
