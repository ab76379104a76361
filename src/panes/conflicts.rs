//! F8: contradictions between stations, for a duty leader to decide. Each
//! shows the competing records, which station made each and when; the
//! decision is recorded as an event and travels to every station.

use super::{Handled, Input, Pane, PaneCtx, RenderCtx, error_text};
use crate::action::Action;
use crate::domain::event::Event;
use crate::domain::patrol::Outcome;
use crate::domain::role::{Permission, allows};
use crate::domain::time;
use crate::i18n::{tr, trf};
use crate::keymap::Ctx;
use crate::store::conflicts::Conflict;
use crate::ui::form::FormStep;
use crate::ui::prompt::Prompt;
use crate::ui::{table, theme};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// A conflict with the words to show it.
pub struct Shown {
    pub conflict: Conflict,
    pub title: String,
    /// (event id, "station · time · value")
    pub options: Vec<(String, String)>,
}

pub struct ConflictsScreen {
    pub items: Vec<Shown>,
    pub sel: usize,
    /// Deciding the selected one: which option, and the note.
    pub deciding: Option<(usize, Prompt)>,
    /// Esc on the list: back to the panes.
    pub done: bool,
}

fn station(ctx: &PaneCtx, origin: &str) -> String {
    ctx.store.station_name(origin)
}

fn describe(c: Conflict, ctx: &PaneCtx) -> Shown {
    let off = ctx.store.offset_min();
    let id = c
        .entity
        .split_once(':')
        .map(|(_, i)| i.to_string())
        .unwrap_or_default();
    let title = match c.kind.as_str() {
        "sign_out" => {
            let name = ctx
                .store
                .visit(&id)
                .ok()
                .flatten()
                .map(|v| v.details.name)
                .unwrap_or_default();
            trf("conflicts.sign_out", &[("name", name)])
        }
        "mark" => {
            let student = c.key.rsplit('/').next().unwrap_or("").to_string();
            let name = ctx
                .store
                .student(&student)
                .ok()
                .flatten()
                .map(|s| s.data.name)
                .unwrap_or(student);
            trf("conflicts.mark", &[("name", name)])
        }
        "student_edit" => {
            let name = ctx
                .store
                .student(&id)
                .ok()
                .flatten()
                .map(|s| s.data.name)
                .unwrap_or_default();
            trf("conflicts.student_edit", &[("name", name)])
        }
        "return" => {
            let name = ctx
                .store
                .boarder_of(&c.entity)
                .ok()
                .flatten()
                .and_then(|s| ctx.store.student(&s).ok().flatten())
                .map(|s| s.data.name)
                .unwrap_or_default();
            trf("conflicts.return", &[("name", name)])
        }
        "hazard" => {
            let place = ctx
                .store
                .hazard(&id)
                .ok()
                .flatten()
                .map(|h| h.place)
                .unwrap_or_default();
            trf("conflicts.hazard", &[("place", place)])
        }
        "shiftlog" => {
            let what = ctx
                .store
                .log_entry_by_id(&id)
                .ok()
                .flatten()
                .map(|e| e.fields.what)
                .unwrap_or_default();
            trf("conflicts.shiftlog", &[("what", what)])
        }
        "patrol_close" | "patrol_check" => patrol_title(&c, &id, ctx),
        "handover" => {
            let shift = crate::domain::shift::ShiftId::parse_key(&id)
                .map(|s| crate::panes::duty::sheet::shift_label(&s))
                .unwrap_or_default();
            let step = c.key.rsplit('/').next().unwrap_or("sign");
            trf(
                &format!("conflicts.handover_{step}"),
                &[
                    ("shift", shift),
                    ("station", {
                        let st = id.split('|').next().unwrap_or("");
                        station(ctx, st)
                    }),
                ],
            )
        }
        _ => {
            let r = ctx.store.round(&id).ok().flatten();
            trf(
                "conflicts.close",
                &[
                    (
                        "building",
                        r.as_ref().map(|r| r.building.clone()).unwrap_or_default(),
                    ),
                    ("night", r.map(|r| r.night).unwrap_or_default()),
                ],
            )
        }
    };
    let options = c
        .events
        .iter()
        .map(|e| {
            let value = match Event::parse(&e.kind, &e.body) {
                Some(Ok(Event::VisitSignedOut(b))) => trf(
                    "conflicts.out_at",
                    &[("t", time::fmt_local(b.at_ms, off, "%H:%M"))],
                ),
                Some(Ok(Event::RoundMarked(m))) => tr(&format!("mark.{}", m.mark.key())),
                // What a change says: the class and each guardian as the
                // gate checks them (name, relation, phone, pick-up right).
                Some(Ok(Event::StudentUpdated(u))) => {
                    let guardians: Vec<String> = u
                        .data
                        .guardians
                        .iter()
                        .map(|g| {
                            format!(
                                "{}{} {} {}",
                                g.name,
                                g.relation,
                                g.phone.as_deref().unwrap_or(""),
                                tr(if g.may_pick_up {
                                    "report.roster.pickup_yes"
                                } else {
                                    "report.roster.pickup_no"
                                })
                            )
                        })
                        .collect();
                    format!("{} · {}", u.data.class, guardians.join("；"))
                }
                Some(Ok(Event::GateReturned(b))) => trf(
                    "conflicts.back_at",
                    &[("t", time::fmt_local(b.at_ms, off, "%m-%d %H:%M"))],
                ),
                Some(Ok(Event::LeaveReturned(b))) => trf(
                    "conflicts.back_at",
                    &[("t", time::fmt_local(b.at_ms, off, "%m-%d %H:%M"))],
                ),
                Some(Ok(Event::HazardVerified(v))) if v.passed => tr("hazard.verify_pass"),
                Some(Ok(Event::HazardVerified(v))) => {
                    format!("{}：{}", tr("hazard.verify_fail"), v.note)
                }
                Some(Ok(Event::HazardRectified(r))) => format!("{} · {}", r.done_by, r.measures),
                Some(Ok(Event::HazardClosed(_))) => tr("hazard.step.closed"),
                Some(Ok(Event::HazardReopened(r))) => {
                    format!("{}：{}", tr("hazard.step.reopened"), r.reason)
                }
                Some(Ok(Event::HazardAssigned(a))) => {
                    format!("{}：{}", tr("hazard.step.assigned"), a.responsible)
                }
                Some(Ok(Event::ShiftLogClosed(c))) => c.outcome,
                Some(Ok(Event::PatrolClosed(p))) => patrol_close_text(&p, ctx),
                Some(Ok(Event::PatrolChecked(p))) => match p.outcome {
                    Outcome::Ok => tr("conflicts.patrol_ok"),
                    Outcome::Finding { failed, note } => trf(
                        "conflicts.patrol_finding",
                        &[(
                            "what",
                            [failed.join("、"), note].join(" ").trim().to_string(),
                        )],
                    ),
                },
                Some(Ok(Event::HandoverSigned(h))) => trf(
                    "conflicts.handover_items",
                    &[("n", h.items.len().to_string())],
                ),
                Some(Ok(Event::HandoverAccepted(_))) => tr("handover.stage.accepted_plain"),
                Some(Ok(Event::HandoverCountersigned(h))) => {
                    format!("{} {}", tr("handover.stage.countersigned_plain"), h.note)
                }
                _ if crate::domain::handover::AMENDING_KINDS.contains(&e.kind.as_str()) => {
                    let body: serde_json::Value = serde_json::from_str(&e.body).unwrap_or_default();
                    let why = body.get("reason").and_then(|v| v.as_str()).unwrap_or("");
                    format!("{} {why}", tr(&format!("amend.{}", e.kind)))
                }
                Some(Ok(Event::RoundClosed(r))) => r
                    .forced_reason
                    .unwrap_or_else(|| tr("conflicts.closed_normally")),
                _ => e.kind.clone(),
            };
            (
                e.id.clone(),
                format!(
                    "{} · {} · {} · {}",
                    station(ctx, &e.origin),
                    ctx.store.operator_name(&e.actor),
                    time::fmt_local(e.hlc.ms, off, "%m-%d %H:%M"),
                    value
                ),
            )
        })
        .collect();
    Shown {
        conflict: c,
        title,
        options,
    }
}

/// A patrol round's contradiction: the route and night, and for a
/// check-in the checkpoint.
fn patrol_title(c: &Conflict, round: &str, ctx: &PaneCtx) -> String {
    let r = ctx.store.patrol_round(round).ok().flatten();
    let route = r
        .as_ref()
        .and_then(|r| ctx.store.route(&r.route_id).ok().flatten())
        .map(|r| r.data.name)
        .unwrap_or_default();
    let night = r.map(|r| r.night).unwrap_or_default();
    if c.kind == "patrol_close" {
        return trf(
            "conflicts.patrol_close",
            &[("route", route), ("night", night)],
        );
    }
    let cp = c.key.rsplit('/').next().unwrap_or("");
    let checkpoint = ctx
        .store
        .checkpoint(cp)
        .ok()
        .flatten()
        .map(|c| c.data.name)
        .unwrap_or_default();
    trf(
        "conflicts.patrol_check",
        &[
            ("checkpoint", checkpoint),
            ("route", route),
            ("night", night),
        ],
    )
}

/// What a close said: the checkpoints it counted missed, and the reason.
fn patrol_close_text(p: &crate::domain::event::PatrolClosed, ctx: &PaneCtx) -> String {
    if p.missed.is_empty() {
        return tr("conflicts.patrol_none_missed");
    }
    let names: Vec<String> = p
        .missed
        .iter()
        .map(|id| {
            ctx.store
                .checkpoint(id)
                .ok()
                .flatten()
                .map(|c| c.data.name)
                .unwrap_or_else(|| id.chars().take(8).collect())
        })
        .collect();
    trf(
        "conflicts.patrol_missed",
        &[
            ("names", names.join("、")),
            ("reason", p.reason.clone().unwrap_or_default()),
        ],
    )
}

impl ConflictsScreen {
    pub fn open(ctx: &PaneCtx) -> Result<ConflictsScreen, crate::store::StoreError> {
        let items = ctx
            .store
            .conflicts()?
            .into_iter()
            .map(|c| describe(c, ctx))
            .collect();
        Ok(ConflictsScreen {
            items,
            sel: 0,
            deciding: None,
            done: false,
        })
    }

    pub fn in_text(&self) -> bool {
        self.deciding.is_some()
    }

    pub fn handle(&mut self, input: Input, ctx: &mut PaneCtx) -> Handled {
        if let Some((choice, note)) = &mut self.deciding {
            let n = self
                .items
                .get(self.sel)
                .map(|s| s.options.len())
                .unwrap_or(1)
                .max(1);
            match input {
                Input::Key(k) => return Handled::from(note.key(k)),
                Input::Act(Action::Back) => match note.update(Action::Back) {
                    FormStep::Armed => ctx.err(tr("form.esc_again")),
                    _ => self.deciding = None,
                },
                Input::Act(Action::Up) => *choice = (*choice + n - 1) % n,
                Input::Act(Action::Down) => *choice = (*choice + 1) % n,
                Input::Act(Action::Choose) => {
                    let Some(item) = self.items.get(self.sel) else {
                        return Handled::Yes;
                    };
                    let chosen = item.options[(*choice).min(item.options.len() - 1)]
                        .0
                        .clone();
                    match ctx.store.resolve_conflict(
                        ctx.actor,
                        &item.conflict.key,
                        &chosen,
                        &note.value(),
                    ) {
                        Ok(()) => {
                            ctx.ok(tr("sync.resolved"));
                            self.deciding = None;
                            if let Ok(fresh) = ConflictsScreen::open(ctx) {
                                self.items = fresh.items;
                            }
                        }
                        Err(e) => ctx.err(error_text(&e)),
                    }
                }
                Input::Act(_) => return Handled::No,
            }
            return Handled::Yes;
        }
        match input.action() {
            Some(Action::Back) => self.done = true,
            Some(Action::Up) => self.sel = self.sel.saturating_sub(1),
            Some(Action::Down) => self.sel = (self.sel + 1).min(self.items.len().saturating_sub(1)),
            Some(Action::Open) => {
                if !allows(ctx.actor.role, Permission::ResolveConflicts) {
                    ctx.err(tr("err.forbidden"));
                } else if self.items.is_empty() {
                    ctx.err(tr("conflicts.none"));
                } else {
                    self.deciding = Some((0, Prompt::new("", 100)));
                }
            }
            _ => return Handled::No,
        }
        Handled::Yes
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, offset_min: i32) -> Option<Position> {
        crate::ui::clear(area, buf);
        Line::from(vec![
            Span::styled(format!(" {} ", tr("conflicts.title")), theme::focus()),
            Span::styled(format!("  {}", tr("conflicts.keys")), theme::muted()),
        ])
        .render(Rect::new(area.x, area.y, area.width, 1), buf);
        let body = Rect::new(
            area.x,
            area.y + 1,
            area.width,
            area.height.saturating_sub(1),
        );
        if self.items.is_empty() {
            Paragraph::new(tr("conflicts.none"))
                .style(theme::muted())
                .render(body, buf);
            return None;
        }
        let cols = [
            table::col(tr("conflicts.col.what"), 30),
            table::col(tr("conflicts.col.state"), 30),
        ];
        let rows = self
            .items
            .iter()
            .map(|s| {
                let state = match &s.conflict.decided {
                    Some((_, by, at, note)) => trf(
                        "conflicts.decided",
                        &[
                            ("by", by.clone()),
                            ("at", time::fmt_local(*at, offset_min, "%m-%d %H:%M")),
                            ("note", note.clone()),
                        ],
                    ),
                    None => tr("sync.conflict_open"),
                };
                let style = if s.conflict.decided.is_some() {
                    theme::muted()
                } else {
                    Style::new().fg(theme::WARN)
                };
                (vec![s.title.clone(), state], style)
            })
            .collect();
        let list_h = (self.items.len() as u16 + 1).min(body.height / 2);
        table::draw(
            Rect::new(body.x, body.y, body.width, list_h),
            buf,
            &cols,
            rows,
            Some(self.sel),
        );
        // The competing records of the selected one.
        let item = self.items.get(self.sel)?;
        let mut lines = vec![Line::from(Span::styled(
            tr("conflicts.records"),
            theme::title(),
        ))];
        for (i, (id, text)) in item.options.iter().enumerate() {
            let marker = if item.conflict.provisional == *id {
                "▶"
            } else {
                " "
            };
            let style = match &self.deciding {
                Some((c, _)) if *c == i => theme::selected(),
                _ => Style::new(),
            };
            lines.push(Line::from(Span::styled(format!("{marker} {text}"), style)));
        }
        lines.push(Line::from(Span::styled(
            tr("conflicts.shown_hint"),
            theme::muted(),
        )));
        let y = body.y + list_h + 1;
        let detail = Rect::new(body.x, y, body.width, body.bottom().saturating_sub(y));
        let n = lines.len() as u16;
        Paragraph::new(lines).render(detail, buf);
        if let Some((_, note)) = &self.deciding {
            let ny = detail.y + n + 1;
            if ny < detail.bottom() {
                let label = tr("conflicts.note");
                let lw = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16 + 1;
                Span::styled(label, theme::title()).render(Rect::new(detail.x, ny, lw, 1), buf);
                let field = Rect::new(
                    detail.x + lw,
                    ny,
                    detail.width.saturating_sub(lw).min(50),
                    1,
                );
                buf.set_style(field, theme::focus());
                let (t, c) = note.input.visible(field.width as usize, false);
                Span::styled(t, theme::focus()).render(field, buf);
                return Some(Position::new(field.x + c as u16, ny));
            }
        }
        None
    }
}

impl Pane for ConflictsScreen {
    fn title(&self) -> &'static str {
        "conflicts.title"
    }
    fn reload(&mut self, ctx: &mut PaneCtx) -> Result<(), crate::store::StoreError> {
        self.items = ConflictsScreen::open(ctx)?.items;
        self.sel = self.sel.min(self.items.len().saturating_sub(1));
        Ok(())
    }
    fn contexts(&self) -> Vec<Ctx> {
        if self.deciding.is_some() {
            vec![Ctx::Picker]
        } else {
            vec![Ctx::Review]
        }
    }
    fn in_text(&self) -> bool {
        ConflictsScreen::in_text(self)
    }
    fn has_unsaved(&self) -> bool {
        self.deciding.as_ref().is_some_and(|(_, n)| n.is_dirty())
    }
    fn key(&mut self, key: KeyEvent, ctx: &mut PaneCtx) -> Handled {
        self.handle(Input::Key(key), ctx)
    }
    fn update(&mut self, a: Action, ctx: &mut PaneCtx) -> Handled {
        self.handle(Input::Act(a), ctx)
    }
    fn render(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) -> Option<Position> {
        ConflictsScreen::render(self, area, buf, rc.offset_min)
    }
    fn closed(&self) -> bool {
        self.done
    }
    crate::pane_any!();
}
