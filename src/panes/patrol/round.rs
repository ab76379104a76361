//! Walking a round. The code field always has focus: a scanner types the
//! code and Enter, and that is the check-in (OK). Enter with the field
//! empty checks in the selected checkpoint (picked from the list); Ctrl+F
//! records a finding on it, Ctrl+T an entry made later from a paper card,
//! Ctrl+E closes the round.

use super::{Mode, PatrolPane};
use crate::action::Action;
use crate::domain::patrol::{Method, Outcome};
use crate::domain::time;
use crate::i18n::{tr, trf};
use crate::panes::{Handled, Input, PaneCtx, error_text};
use crate::store::patrol_night::RoundView;
use crate::ui::form::FormStep;
use crate::ui::list::ListState;
use crate::ui::prompt::Prompt;
use crate::ui::text_input::TextInput;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};

/// A prompt's share of an action, with the "Esc again" warning shown.
pub(super) fn prompt_step(p: &mut Prompt, a: Action, ctx: &mut PaneCtx) -> FormStep {
    let step = p.update(a);
    if step == FormStep::Armed {
        ctx.err(tr("form.esc_again"));
    }
    step
}

/// The time a checkpoint was walked, from "HH:MM": the latest such moment
/// not after now (23:50 typed at 00:10 is last night).
pub(super) fn walked_at(text: &str, ctx: &PaneCtx) -> Result<i64, &'static str> {
    let min = time::parse_hhmm(text).ok_or("err.time_format")?;
    let off = ctx.store.offset_min();
    let mut at = time::today_at(ctx.now_ms, off, min);
    if at > ctx.now_ms {
        at -= 86_400_000;
    }
    Ok(at)
}

pub struct RoundMode {
    pub round_id: String,
    /// Where a scanner types: always focused.
    pub code: TextInput,
    pub sel: ListState,
}

impl RoundMode {
    pub fn new(round_id: &str) -> RoundMode {
        let mut code = TextInput::default();
        code.max_chars = Some(32);
        RoundMode {
            round_id: round_id.to_string(),
            code,
            sel: ListState::default(),
        }
    }
}

/// Which part of the finding dialog has the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingFocus {
    Items,
    Note,
    Time,
}

pub struct Finding {
    pub round: RoundMode,
    pub checkpoint_id: String,
    pub name: String,
    /// The checkpoint's checklist, each with "failed" ticked or not.
    pub items: Vec<(String, bool)>,
    pub item_sel: usize,
    pub note: TextInput,
    /// Empty: now; else when the patroller was there (entered later).
    pub time: TextInput,
    pub focus: FindingFocus,
    armed: bool,
}

impl Finding {
    pub fn is_dirty(&self) -> bool {
        self.items.iter().any(|i| i.1) || !self.note.is_empty() || !self.time.is_empty()
    }
}

/// A finding as the hazards pane prefills its report from it: where, what
/// failed, what was seen, who found it and when, and the round and
/// checkpoint to link back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingRef {
    pub round_id: String,
    pub checkpoint_id: String,
    pub check_id: String,
    pub checkpoint: String,
    pub place: String,
    pub failed: Vec<String>,
    pub note: String,
    pub finder: String,
    pub at_ms: i64,
    /// `domain::patrol::category_guess` of the first failed item (or the note).
    pub category: &'static str,
}

impl PatrolPane {
    /// The finding at the selected checkpoint of the round on screen, if
    /// its latest check-in is one.
    pub fn selected_finding(&self) -> Option<FindingRef> {
        let Mode::Round(r) = &self.mode else {
            return None;
        };
        self.finding_at(r)
    }

    /// The finding at the round's selected checkpoint (the round may be
    /// out of `self.mode` while its keys are handled).
    fn finding_at(&self, r: &RoundMode) -> Option<FindingRef> {
        let v = self.round_of(r)?;
        let id = v.row.checkpoints.get(r.sel.sel)?;
        let c = v.checks.iter().rev().find(|c| &c.checkpoint_id == id)?;
        let Outcome::Finding { failed, note } = &c.outcome else {
            return None;
        };
        let cp = self.checkpoint(id);
        Some(FindingRef {
            round_id: v.row.id.clone(),
            checkpoint_id: id.clone(),
            check_id: c.id.clone(),
            checkpoint: cp.map(|c| c.data.name.clone()).unwrap_or_default(),
            place: cp.map(|c| c.data.place.clone()).unwrap_or_default(),
            failed: failed.clone(),
            note: note.clone(),
            finder: c.by.clone(),
            at_ms: c.at_ms,
            category: crate::domain::patrol::category_guess(
                failed.first().map(String::as_str).unwrap_or(note),
            ),
        })
    }

    /// The checkpoint ids of a round, in walking order, with its view.
    fn round_of(&self, r: &RoundMode) -> Option<&RoundView> {
        self.round_view(&r.round_id)
    }

    fn selected_checkpoint(&self, r: &RoundMode) -> Option<(String, String)> {
        let v = self.round_of(r)?;
        let id = v.row.checkpoints.get(r.sel.sel)?;
        let name = self
            .checkpoint(id)
            .map(|c| c.data.name.clone())
            .unwrap_or_else(|| id.clone());
        Some((id.clone(), name))
    }

    /// Entering a round: the first checkpoint not yet checked in.
    pub(super) fn enter_round(&self, id: &str) -> RoundMode {
        let mut r = RoundMode::new(id);
        if let Some(v) = self.round_view(id) {
            r.sel.sel = v
                .row
                .checkpoints
                .iter()
                .position(|c| !v.checks.iter().any(|k| &k.checkpoint_id == c))
                .unwrap_or(0);
        }
        r
    }

    /// After a check-in: the next checkpoint not yet checked in.
    fn advance(&self, r: &mut RoundMode, done: &str) {
        let Some(v) = self.round_of(r) else { return };
        let n = v.row.checkpoints.len();
        let at = v
            .row
            .checkpoints
            .iter()
            .position(|c| c == done)
            .unwrap_or(0);
        let next = (1..=n).map(|k| (at + k) % n).find(|i| {
            !v.checks
                .iter()
                .any(|c| c.checkpoint_id == v.row.checkpoints[*i])
        });
        r.sel.sel = next.unwrap_or(at);
    }

    pub(super) fn round_input(
        &mut self,
        mut r: RoundMode,
        input: Input,
        ctx: &mut PaneCtx,
    ) -> (Mode, Handled) {
        if self.round_of(&r).is_none_or(|v| v.row.closed_ms.is_some()) {
            // Closed here or at another station since: back to the list.
            return (Mode::Browse, Handled::No);
        }
        let a = match input {
            Input::Key(k) => {
                let h = Handled::from(r.code.handle_key(k));
                return (Mode::Round(r), h);
            }
            Input::Act(a) => a,
        };
        let len = self.round_of(&r).map_or(0, |v| v.row.checkpoints.len());
        match a {
            Action::Confirm => {
                let code = r.code.value();
                if code.trim().is_empty() {
                    self.check_selected(&mut r, ctx);
                } else {
                    match ctx.store.check_in_code(ctx.actor, &r.round_id, &code) {
                        Ok(cp) => {
                            ctx.ok(trf("patrol.checked_ok", &[("name", cp.data.name)]));
                            r.code.set("");
                            self.after_write(ctx);
                            // The scanned checkpoint is selected, so a
                            // Ctrl+F that follows records a finding on it.
                            if let Some(i) = self
                                .round_of(&r)
                                .and_then(|v| v.row.checkpoints.iter().position(|c| *c == cp.id))
                            {
                                r.sel.sel = i;
                            }
                        }
                        Err(e) => {
                            // The code stays for the guard to correct or clear.
                            ctx.err(format!("{}: {code}", error_text(&e)));
                        }
                    }
                }
            }
            Action::Finding => {
                if let Some((id, name)) = self.selected_checkpoint(&r) {
                    let items = self
                        .checkpoint(&id)
                        .map(|c| {
                            c.data
                                .checklist
                                .iter()
                                .map(|i| (i.clone(), false))
                                .collect()
                        })
                        .unwrap_or_default();
                    let mut note = TextInput::default();
                    note.max_chars = Some(200);
                    let mut t = TextInput::default();
                    t.max_chars = Some(8);
                    let focus = if Vec::<(String, bool)>::is_empty(&items) {
                        FindingFocus::Note
                    } else {
                        FindingFocus::Items
                    };
                    return (
                        Mode::Finding(Box::new(Finding {
                            round: r,
                            checkpoint_id: id,
                            name,
                            items,
                            item_sel: 0,
                            note,
                            time: t,
                            focus,
                            armed: false,
                        })),
                        Handled::Yes,
                    );
                }
            }
            // The finding's place, the category its first failed item
            // suggests, what failed and the note, linked to this check-in.
            Action::FindingToHazard => match self.finding_at(&r) {
                Some(f) => {
                    let mut description = f.failed.join("；");
                    if !f.note.is_empty() {
                        if !description.is_empty() {
                            description.push('；');
                        }
                        description.push_str(&f.note);
                    }
                    let place = if f.place.is_empty() || f.checkpoint.contains(&f.place) {
                        f.checkpoint.clone()
                    } else {
                        format!("{} {}", f.place, f.checkpoint)
                    };
                    self.request = Some(crate::panes::PaneRequest::ReportHazard(
                        crate::domain::hazard::HazardDraft {
                            place,
                            category: crate::domain::hazard::Category::parse(f.category),
                            description,
                            found_on_patrol: Some(crate::domain::hazard::PatrolRef {
                                round_id: f.round_id,
                                checkpoint_id: f.checkpoint_id,
                            }),
                            ..Default::default()
                        },
                    ));
                }
                None => ctx.err(tr("patrol.no_finding_selected")),
            },
            // The same finding as a shift-log entry: when and where, what
            // failed and the note, to follow up.
            Action::FindingToLog => match self.finding_at(&r) {
                Some(f) => {
                    let place = if f.place.is_empty() || f.checkpoint.contains(&f.place) {
                        f.checkpoint.clone()
                    } else {
                        format!("{} {}", f.place, f.checkpoint)
                    };
                    let mut what: Vec<String> = vec![place];
                    what.extend(f.failed.iter().cloned());
                    if !f.note.is_empty() {
                        what.push(f.note.clone());
                    }
                    self.request = Some(crate::panes::PaneRequest::LogEntry(
                        crate::domain::shift_log::LogDraft {
                            at_ms: Some(f.at_ms),
                            category: Some(crate::domain::shift_log::Category::Safety),
                            what: what.join("；"),
                            needs_followup: true,
                            ..Default::default()
                        },
                    ));
                }
                None => ctx.err(tr("patrol.no_finding_to_log")),
            },
            Action::EnterLater => {
                if let Some((id, name)) = self.selected_checkpoint(&r) {
                    return (
                        Mode::Later {
                            round: r,
                            checkpoint_id: id,
                            name,
                            time: Prompt::new("", 8),
                        },
                        Handled::Yes,
                    );
                }
            }
            Action::CloseRound => {
                let missed = self.round_of(&r).map_or(0, |v| {
                    v.row
                        .checkpoints
                        .iter()
                        .filter(|c| !v.checks.iter().any(|k| &k.checkpoint_id == *c))
                        .count()
                });
                return (
                    Mode::Close {
                        round: r,
                        missed,
                        reason: Prompt::new("", 100),
                    },
                    Handled::Yes,
                );
            }
            Action::Back => {
                if !r.code.is_empty() {
                    r.code.set("");
                } else {
                    return (Mode::Browse, Handled::Yes);
                }
            }
            Action::Up | Action::Down | Action::PageUp | Action::PageDown => {
                r.sel.navigate(a, len);
            }
            _ => return (Mode::Round(r), Handled::No),
        }
        (Mode::Round(r), Handled::Yes)
    }

    /// Enter with an empty code field: the selected checkpoint is OK.
    fn check_selected(&mut self, r: &mut RoundMode, ctx: &mut PaneCtx) {
        let Some((id, name)) = self.selected_checkpoint(r) else {
            return;
        };
        match ctx.store.check_in(
            ctx.actor,
            &r.round_id,
            &id,
            &Outcome::Ok,
            None,
            Method::Picked,
        ) {
            Ok(()) => {
                ctx.ok(trf("patrol.checked_ok", &[("name", name)]));
                self.after_write(ctx);
                self.advance(r, &id);
            }
            Err(e) => ctx.err(error_text(&e)),
        }
    }

    pub(super) fn finding_input(
        &mut self,
        mut f: Box<Finding>,
        input: Input,
        ctx: &mut PaneCtx,
    ) -> (Mode, Handled) {
        let a = match input {
            Input::Key(k) => {
                let used = match f.focus {
                    FindingFocus::Items => {
                        if k.code == KeyCode::Char(' ') && k.modifiers == KeyModifiers::NONE {
                            if let Some(i) = f.items.get_mut(f.item_sel) {
                                i.1 = !i.1;
                            }
                            true
                        } else {
                            false
                        }
                    }
                    FindingFocus::Note => f.note.handle_key(k),
                    FindingFocus::Time => f.time.handle_key(k),
                };
                if used {
                    f.armed = false;
                }
                return (Mode::Finding(f), Handled::from(used));
            }
            Input::Act(a) => a,
        };
        let order: Vec<FindingFocus> = if f.items.is_empty() {
            vec![FindingFocus::Note, FindingFocus::Time]
        } else {
            vec![FindingFocus::Items, FindingFocus::Note, FindingFocus::Time]
        };
        let at = order.iter().position(|x| *x == f.focus).unwrap_or(0);
        match a {
            Action::NextField => f.focus = order[(at + 1) % order.len()],
            Action::PrevField => f.focus = order[(at + order.len() - 1) % order.len()],
            Action::Up if f.focus == FindingFocus::Items => {
                f.item_sel = f.item_sel.saturating_sub(1)
            }
            Action::Down if f.focus == FindingFocus::Items => {
                f.item_sel = (f.item_sel + 1).min(f.items.len().saturating_sub(1))
            }
            Action::Toggle if f.focus == FindingFocus::Items => {
                if let Some(i) = f.items.get_mut(f.item_sel) {
                    i.1 = !i.1;
                }
            }
            // Enter in a text field moves on; on the last it saves.
            Action::Toggle if f.focus == FindingFocus::Note => f.focus = FindingFocus::Time,
            Action::Toggle | Action::Save => return self.save_finding(f, ctx),
            Action::Back => {
                if f.is_dirty() && !f.armed {
                    f.armed = true;
                    ctx.err(tr("form.esc_again"));
                } else {
                    return (Mode::Round(f.round), Handled::Yes);
                }
            }
            _ => return (Mode::Finding(f), Handled::No),
        }
        (Mode::Finding(f), Handled::Yes)
    }

    fn save_finding(&mut self, mut f: Box<Finding>, ctx: &mut PaneCtx) -> (Mode, Handled) {
        let t = f.time.value();
        let (at, method) = if t.trim().is_empty() {
            (None, Method::Picked)
        } else {
            match walked_at(&t, ctx) {
                Ok(at) => (Some(at), Method::Later),
                Err(key) => {
                    ctx.err(tr(key));
                    f.focus = FindingFocus::Time;
                    return (Mode::Finding(f), Handled::Yes);
                }
            }
        };
        let outcome = Outcome::Finding {
            failed: f
                .items
                .iter()
                .filter(|i| i.1)
                .map(|i| i.0.clone())
                .collect(),
            note: f.note.value(),
        };
        match ctx.store.check_in(
            ctx.actor,
            &f.round.round_id,
            &f.checkpoint_id,
            &outcome,
            at,
            method,
        ) {
            Ok(()) => {
                ctx.ok(trf("patrol.checked_finding", &[("name", f.name.clone())]));
                self.after_write(ctx);
                let mut r = f.round;
                self.advance(&mut r, &f.checkpoint_id);
                (Mode::Round(r), Handled::Yes)
            }
            Err(e) => {
                ctx.err(error_text(&e));
                (Mode::Finding(f), Handled::Yes)
            }
        }
    }

    pub(super) fn later_input(
        &mut self,
        mut round: RoundMode,
        checkpoint_id: String,
        name: String,
        mut time: Prompt,
        input: Input,
        ctx: &mut PaneCtx,
    ) -> (Mode, Handled) {
        let step = match input {
            Input::Key(k) => {
                let h = Handled::from(time.key(k));
                return (
                    Mode::Later {
                        round,
                        checkpoint_id,
                        name,
                        time,
                    },
                    h,
                );
            }
            Input::Act(a) => prompt_step(&mut time, a, ctx),
        };
        let back = |round, time| Mode::Later {
            round,
            checkpoint_id: checkpoint_id.clone(),
            name: name.clone(),
            time,
        };
        match step {
            FormStep::Save => {
                let at = match walked_at(&time.value(), ctx) {
                    Ok(at) => at,
                    Err(key) => {
                        ctx.err(tr(key));
                        return (back(round, time), Handled::Yes);
                    }
                };
                match ctx.store.check_in(
                    ctx.actor,
                    &round.round_id,
                    &checkpoint_id,
                    &Outcome::Ok,
                    Some(at),
                    Method::Later,
                ) {
                    Ok(()) => {
                        ctx.ok(trf("patrol.checked_ok", &[("name", name.clone())]));
                        self.after_write(ctx);
                        self.advance(&mut round, &checkpoint_id);
                        (Mode::Round(round), Handled::Yes)
                    }
                    Err(e) => {
                        ctx.err(error_text(&e));
                        (back(round, time), Handled::Yes)
                    }
                }
            }
            FormStep::Close => (Mode::Round(round), Handled::Yes),
            step => (back(round, time), Handled::from(step != FormStep::Pass)),
        }
    }

    pub(super) fn close_input(
        &mut self,
        round: RoundMode,
        missed: usize,
        mut reason: Prompt,
        input: Input,
        ctx: &mut PaneCtx,
    ) -> (Mode, Handled) {
        let step = match input {
            Input::Key(k) => {
                let h = Handled::from(reason.key(k));
                return (
                    Mode::Close {
                        round,
                        missed,
                        reason,
                    },
                    h,
                );
            }
            Input::Act(a) => prompt_step(&mut reason, a, ctx),
        };
        match step {
            FormStep::Save => {
                match ctx
                    .store
                    .close_patrol(ctx.actor, &round.round_id, &reason.value())
                {
                    Ok(()) => {
                        ctx.ok(tr("patrol.closed"));
                        self.after_write(ctx);
                        (Mode::Browse, Handled::Yes)
                    }
                    Err(e) => {
                        ctx.err(error_text(&e));
                        (
                            Mode::Close {
                                round,
                                missed,
                                reason,
                            },
                            Handled::Yes,
                        )
                    }
                }
            }
            FormStep::Close => (Mode::Round(round), Handled::Yes),
            step => (
                Mode::Close {
                    round,
                    missed,
                    reason,
                },
                Handled::from(step != FormStep::Pass),
            ),
        }
    }
}
