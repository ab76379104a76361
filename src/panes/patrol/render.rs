//! Drawing the patrol pane from loaded state (no queries while drawing).

use super::round::{Finding, FindingFocus, RoundMode};
use super::{Mode, PatrolPane, View};
use crate::domain::patrol::{Outcome, RouteOrder};
use crate::domain::patrol_status::SlotState;
use crate::domain::time;
use crate::i18n::{tr, trf};
use crate::panes::RenderCtx;
use crate::store::patrol_night::{RoundView, RouteNight};
use crate::ui::table::{self, col};
use crate::ui::text_input::TextInput;
use crate::ui::{centered, dialog, form_screen, theme};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

fn hhmm(ms: i64, rc: &RenderCtx) -> String {
    time::fmt_local(ms, rc.offset_min, "%H:%M")
}

fn field(
    x: u16,
    y: u16,
    w: u16,
    t: &TextInput,
    focused: bool,
    buf: &mut Buffer,
) -> Option<Position> {
    let r = Rect::new(x, y, w, 1);
    let style = if focused {
        theme::focus()
    } else {
        theme::input()
    };
    buf.set_style(r, style);
    let (s, c) = t.visible(w as usize, false);
    Span::styled(s, style).render(r, buf);
    focused.then(|| Position::new(x + c as u16, y))
}

/// "22:00✓ 00:30迟 03:00…": each due round of a route tonight.
fn slots_text(r: &RouteNight, rc: &RenderCtx) -> Vec<Span<'static>> {
    let mut out = vec![];
    for (slot, st) in &r.slots {
        let (mark, style) = match st {
            SlotState::Upcoming => (tr("patrol.slot.upcoming"), theme::muted()),
            SlotState::Due { .. } => (tr("patrol.slot.due"), Style::new().fg(theme::ACCENT)),
            SlotState::Overdue { .. } => (tr("patrol.slot.overdue"), theme::error()),
            SlotState::NotStarted { .. } => (tr("patrol.slot.not_started"), theme::error()),
            SlotState::Started { late: true } => {
                (tr("patrol.slot.late"), Style::new().fg(theme::WARN))
            }
            SlotState::Started { late: false } => {
                (tr("patrol.slot.done"), Style::new().fg(theme::OK))
            }
        };
        let when = if slot.rounds > 1 {
            format!(
                "{}-{}×{}",
                hhmm(slot.due_ms, rc),
                hhmm(slot.end_ms, rc),
                slot.rounds
            )
        } else {
            hhmm(slot.due_ms, rc)
        };
        out.push(Span::styled(format!("{when} {mark}  "), style));
    }
    out
}

/// One line about a round: progress and what is wrong with it.
fn round_summary(v: &RoundView) -> (String, Style) {
    let n = v.row.checkpoints.len();
    let done = n - v.status.pending.len() - v.status.missed.len();
    let mut parts = vec![trf(
        "patrol.progress",
        &[("done", done.to_string()), ("n", n.to_string())],
    )];
    let mut style = Style::new();
    if v.status.findings > 0 {
        parts.push(trf(
            "patrol.findings_n",
            &[("n", v.status.findings.to_string())],
        ));
        style = Style::new().fg(theme::WARN);
    }
    if !v.status.missed.is_empty() {
        parts.push(trf(
            "patrol.missed_n",
            &[("n", v.status.missed.len().to_string())],
        ));
        style = theme::error();
    }
    if !v.status.too_fast.is_empty() {
        parts.push(trf(
            "patrol.too_fast_n",
            &[("n", v.status.too_fast.len().to_string())],
        ));
        style = theme::error();
    }
    if v.status.open_past_window {
        parts.push(tr("patrol.open_past_window"));
        style = theme::error();
    }
    if v.row.closed_ms.is_some() {
        parts.push(tr("patrol.closed_mark"));
    }
    (parts.join(" · "), style)
}

impl PatrolPane {
    pub fn render(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) -> Option<Position> {
        if area.height < 4 {
            return None;
        }
        if let Mode::Round(r) = &self.mode {
            return self.render_round(r, area, buf, rc);
        }
        let labels: Vec<String> = View::ALL.iter().map(|v| tr(v.label())).collect();
        let sel = View::ALL.iter().position(|v| *v == self.view);
        crate::ui::tabs::draw(Rect::new(area.x, area.y, area.width, 1), buf, &labels, sel);
        let a = &self.night.alerts;
        let mut spans = vec![Span::styled(
            format!(
                " {} ",
                trf("patrol.night", &[("night", self.night.night.clone())])
            ),
            theme::title(),
        )];
        for (n, key) in [
            (a.missed, "patrol.alert.missed"),
            (a.late, "patrol.alert.late"),
            (a.not_started, "patrol.alert.not_started"),
            (a.open_past_window, "patrol.alert.open"),
            (a.unassigned, "patrol.alert.unassigned"),
        ] {
            if n > 0 {
                spans.push(Span::styled(
                    format!(" {} ", trf(key, &[("n", n.to_string())])),
                    theme::error(),
                ));
            }
        }
        Line::from(spans).render(Rect::new(area.x, area.y + 1, area.width, 1), buf);
        let body = Rect::new(area.x, area.y + 2, area.width, area.height - 2);
        match self.view {
            View::Tonight => self.render_tonight(body, buf, rc),
            View::Checkpoints => self.render_checkpoints(body, buf),
            View::Routes => self.render_routes(body, buf),
        }
        self.render_mode(area, buf, rc)
    }

    fn render_tonight(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) {
        if self.tonight_len() == 0 {
            crate::ui::empty_note(area, buf, "patrol.no_routes");
            return;
        }
        // The list on top, the selected route's rounds below.
        let list_h = (self.tonight_len() as u16 + 1).min(area.height / 2).max(2);
        let top = Rect::new(area.x, area.y, area.width, list_h);
        let window = self.list.window(self.tonight_len(), list_h as usize - 1);
        let cols = [
            col(tr("patrol.col.route"), 14),
            col(tr("patrol.col.person"), 10),
            col(tr("patrol.col.rounds"), 40),
        ];
        let mut rows = vec![];
        for i in window.clone() {
            if let Some(r) = self.night.routes.get(i) {
                let mut slots: String = slots_text(r, rc)
                    .iter()
                    .map(|s| s.content.to_string())
                    .collect();
                if slots.is_empty() {
                    slots = tr("patrol.no_slots");
                }
                let person = match (&r.assigned, r.route.data.named_person) {
                    (Some(p), _) => p.clone(),
                    (None, true) => tr("patrol.person_missing"),
                    (None, false) => String::new(),
                };
                let open = r.rounds.iter().any(|v| v.row.closed_ms.is_none());
                let style = if open {
                    Style::new().add_modifier(Modifier::BOLD)
                } else {
                    Style::new()
                };
                rows.push((vec![r.route.data.name.clone(), person, slots], style));
            } else if let Some(v) = self.night.stale.get(i - self.night.routes.len()) {
                rows.push((
                    vec![
                        self.route_name(&v.row.route_id),
                        v.row.started_by.clone(),
                        trf("patrol.stale_round", &[("night", v.row.night.clone())]),
                    ],
                    theme::error(),
                ));
            }
        }
        table::draw(top, buf, &cols, rows, self.list.sel_in_window());
        let below = Rect::new(
            area.x,
            area.y + list_h,
            area.width,
            area.height.saturating_sub(list_h),
        );
        let Some(r) = self.selected_route() else {
            return;
        };
        let mut lines = vec![Line::from(Span::styled(
            format!(
                "{} · {} · {}",
                r.route.data.name,
                r.route.data.schedule.text(),
                tr(if r.route.data.order == RouteOrder::Ordered {
                    "patrol.order.ordered"
                } else {
                    "patrol.order.any"
                })
            ),
            theme::title(),
        ))];
        if r.rounds.is_empty() {
            lines.push(Line::from(Span::styled(
                tr("patrol.no_rounds"),
                theme::muted(),
            )));
        }
        for v in &r.rounds {
            let (text, style) = round_summary(v);
            let when = match v.row.closed_ms {
                Some(c) => format!("{}–{}", hhmm(v.row.started_ms, rc), hhmm(c, rc)),
                None => format!("{}–", hhmm(v.row.started_ms, rc)),
            };
            lines.push(Line::from(vec![
                Span::raw(format!("{when} {} ", v.row.started_by)),
                Span::styled(text, style),
            ]));
            if let Some(reason) = &v.row.reason {
                lines.push(Line::from(Span::styled(
                    format!(
                        "  {}",
                        trf("patrol.reason_shown", &[("reason", reason.clone())])
                    ),
                    theme::muted(),
                )));
            }
        }
        Paragraph::new(lines).render(below, buf);
    }

    fn render_checkpoints(&self, area: Rect, buf: &mut Buffer) {
        if self.checkpoints.is_empty() {
            crate::ui::empty_note(area, buf, "patrol.no_checkpoints");
            return;
        }
        let window = self.list.window(
            self.checkpoints.len(),
            area.height.saturating_sub(1) as usize,
        );
        let cols = [
            col(tr("patrol.col.code"), 8),
            col(tr("patrol.col.name"), 14),
            col(tr("patrol.col.place"), 12),
            col(tr("patrol.col.state"), 6),
            col(tr("patrol.col.checklist"), 30),
        ];
        let rows = self.checkpoints[window]
            .iter()
            .map(|c| {
                let style = if c.data.active {
                    Style::new()
                } else {
                    theme::muted()
                };
                (
                    vec![
                        c.data.code.clone(),
                        c.data.name.clone(),
                        c.data.place.clone(),
                        tr(if c.data.active {
                            "patrol.active"
                        } else {
                            "patrol.retired_mark"
                        }),
                        c.data.checklist.join("；"),
                    ],
                    style,
                )
            })
            .collect();
        table::draw(area, buf, &cols, rows, self.list.sel_in_window());
    }

    fn render_routes(&self, area: Rect, buf: &mut Buffer) {
        if self.routes.is_empty() {
            crate::ui::empty_note(area, buf, "patrol.no_routes");
            return;
        }
        let window = self
            .list
            .window(self.routes.len(), area.height.saturating_sub(1) as usize);
        let cols = [
            col(tr("patrol.col.route"), 14),
            col(tr("patrol.col.schedule"), 18),
            col(tr("patrol.col.points"), 6),
            col(tr("patrol.col.state"), 6),
            col(tr("patrol.col.rules"), 30),
        ];
        let rows = self.routes[window]
            .iter()
            .map(|r| {
                let d = &r.data;
                let mut rules = trf(
                    "patrol.rules",
                    &[
                        ("walk", d.min_walk_min.to_string()),
                        ("window", d.window_min.to_string()),
                        ("late", d.late_min.to_string()),
                    ],
                );
                if d.named_person {
                    rules = format!("{rules} · {}", tr("patrol.named_person"));
                }
                (
                    vec![
                        d.name.clone(),
                        d.schedule.text(),
                        d.checkpoints.len().to_string(),
                        tr(if d.active {
                            "patrol.active"
                        } else {
                            "patrol.retired_mark"
                        }),
                        rules,
                    ],
                    if d.active {
                        Style::new()
                    } else {
                        theme::muted()
                    },
                )
            })
            .collect();
        table::draw(area, buf, &cols, rows, self.list.sel_in_window());
    }

    /// A round in progress: the code field (focused), then each checkpoint
    /// with its state.
    fn render_round(
        &self,
        r: &RoundMode,
        area: Rect,
        buf: &mut Buffer,
        rc: &RenderCtx,
    ) -> Option<Position> {
        let v = self.round_view(&r.round_id)?;
        let (summary, style) = round_summary(v);
        Line::from(vec![
            Span::styled(
                format!(" {} ", self.route_name(&v.row.route_id)),
                theme::title(),
            ),
            Span::raw(trf(
                "patrol.round_head",
                &[
                    ("by", v.row.started_by.clone()),
                    ("start", hhmm(v.row.started_ms, rc)),
                    ("end", hhmm(v.row.end_ms, rc)),
                ],
            )),
            Span::styled(format!(" {summary}"), style),
        ])
        .render(Rect::new(area.x, area.y, area.width, 1), buf);
        let label = format!(" {} ", tr("patrol.code_label"));
        let lw = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
        Span::styled(label, theme::title()).render(Rect::new(area.x, area.y + 1, lw, 1), buf);
        let cursor = field(
            area.x + lw,
            area.y + 1,
            18.min(area.width.saturating_sub(lw)),
            &r.code,
            true,
            buf,
        );
        let hint_x = area.x + lw + 19;
        if hint_x < area.right() {
            Span::styled(tr("patrol.code_hint"), theme::muted())
                .render(Rect::new(hint_x, area.y + 1, area.right() - hint_x, 1), buf);
        }
        let list = Rect::new(area.x, area.y + 2, area.width, area.height - 2);
        let window = r.sel.window(
            v.row.checkpoints.len(),
            list.height.saturating_sub(1) as usize,
        );
        let cols = [
            col(tr("patrol.col.code"), 8),
            col(tr("patrol.col.name"), 14),
            col(tr("patrol.col.state"), 10),
            col(tr("patrol.col.time"), 6),
            col(tr("patrol.col.note"), 30),
        ];
        let mut rows = vec![];
        for id in &v.row.checkpoints[window] {
            let cp = self.checkpoint(id);
            let code = cp.map(|c| c.data.code.clone()).unwrap_or_default();
            let name = cp
                .map(|c| c.data.name.clone())
                .unwrap_or_else(|| id.clone());
            let check = v.checks.iter().rev().find(|c| &c.checkpoint_id == id);
            let (state, time_s, mut note, style) = match check {
                Some(c) => match &c.outcome {
                    Outcome::Ok => (
                        tr("patrol.state.ok"),
                        hhmm(c.at_ms, rc),
                        String::new(),
                        Style::new().fg(Color::Green),
                    ),
                    Outcome::Finding { failed, note } => (
                        tr("patrol.state.finding"),
                        hhmm(c.at_ms, rc),
                        // A finding already reported says so: the hazard
                        // carries the link back to this check-in.
                        [
                            if self.reported.contains(&(v.row.id.clone(), id.clone())) {
                                tr("patrol.reported_hazard")
                            } else {
                                String::new()
                            },
                            failed.join("；"),
                            note.clone(),
                        ]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(" · "),
                        Style::new().fg(theme::WARN).add_modifier(Modifier::BOLD),
                    ),
                },
                None if v.status.missed.contains(id) => (
                    tr("patrol.state.missed"),
                    String::new(),
                    String::new(),
                    theme::error(),
                ),
                None => (
                    tr("patrol.state.pending"),
                    String::new(),
                    String::new(),
                    theme::muted(),
                ),
            };
            if let Some((_, gap)) = v.status.entered_later.iter().find(|(c, _)| c == id) {
                note = format!(
                    "{} {note}",
                    trf("patrol.entered_later", &[("min", gap.to_string())])
                );
            }
            if let Some(t) = v.status.too_fast.iter().find(|t| &t.to == id) {
                note = format!(
                    "{} {note}",
                    trf("patrol.too_fast", &[("min", t.minutes.to_string())])
                );
            }
            if v.status.out_of_order.contains(id) {
                note = format!("{} {note}", tr("patrol.out_of_order"));
            }
            rows.push((
                vec![code, name, state, time_s, note.trim().to_string()],
                style,
            ));
        }
        table::draw(list, buf, &cols, rows, r.sel.sel_in_window());
        cursor
    }

    fn render_mode(&self, area: Rect, buf: &mut Buffer, _rc: &RenderCtx) -> Option<Position> {
        match &self.mode {
            Mode::Browse | Mode::Round(_) => None,
            Mode::Finding(f) => self.render_finding(f, area, buf),
            Mode::Later { name, time, .. } => {
                let inner = dialog(
                    area,
                    buf,
                    &tr("patrol.later_title"),
                    vec![
                        Line::from(trf("patrol.later_prompt", &[("name", name.clone())])),
                        Line::from(""),
                        Line::from(Span::styled(tr("dialog.enter_esc"), theme::muted())),
                    ],
                    44,
                    3,
                );
                field(inner.x, inner.y + 1, 8, &time.input, true, buf)
            }
            Mode::Close { missed, reason, .. } => {
                let head = if *missed > 0 {
                    Line::from(Span::styled(
                        trf("patrol.close_missed", &[("n", missed.to_string())]),
                        theme::error(),
                    ))
                } else {
                    Line::from(tr("patrol.close_ok"))
                };
                let inner = dialog(
                    area,
                    buf,
                    &tr("patrol.close_title"),
                    vec![
                        head,
                        Line::from(tr("patrol.close_reason")),
                        Line::from(""),
                        Line::from(Span::styled(tr("dialog.enter_esc"), theme::muted())),
                    ],
                    60,
                    4,
                );
                field(inner.x, inner.y + 2, inner.width, &reason.input, true, buf)
            }
            Mode::Assign { name, person, .. } => {
                let inner = dialog(
                    area,
                    buf,
                    &tr("patrol.assign_title"),
                    vec![
                        Line::from(trf("patrol.assign_prompt", &[("route", name.clone())])),
                        Line::from(""),
                        Line::from(Span::styled(tr("dialog.enter_esc"), theme::muted())),
                    ],
                    48,
                    3,
                );
                field(inner.x, inner.y + 1, 20, &person.input, true, buf)
            }
            Mode::Form { kind, form } => form_screen(form, &kind.title(), area, buf),
            Mode::Import { path } => {
                let inner = dialog(
                    area,
                    buf,
                    &tr("patrol.import_title"),
                    vec![
                        Line::from(tr("patrol.import_prompt")),
                        Line::from(""),
                        Line::from(Span::styled(tr("dialog.enter_esc"), theme::muted())),
                    ],
                    area.width.saturating_sub(4).min(76),
                    3,
                );
                field(inner.x, inner.y + 1, inner.width, &path.input, true, buf)
            }
            Mode::ImportErrors { lines, scroll } => {
                crate::ui::text_box(area, buf, &tr("patrol.import_errors_title"), lines, *scroll);
                None
            }
            Mode::Export(f) => f.render(area, buf),
            Mode::Exporting(job) => {
                crate::panes::job::render(job, area, buf);
                None
            }
        }
    }

    fn render_finding(&self, f: &Finding, area: Rect, buf: &mut Buffer) -> Option<Position> {
        let h = (f.items.len() as u16 + 6)
            .min(area.height.saturating_sub(2))
            .max(6);
        let r = centered(area, 64, h + 2);
        crate::ui::clear(r, buf);
        let block = Block::default().borders(Borders::ALL).title(Span::styled(
            format!(
                " {} ",
                trf("patrol.finding_title", &[("name", f.name.clone())])
            ),
            theme::title(),
        ));
        let inner = block.inner(r);
        block.render(r, buf);
        let mut y = inner.y;
        let line = |y: u16, l: Line, buf: &mut Buffer| {
            if y < inner.bottom() {
                l.render(Rect::new(inner.x, y, inner.width, 1), buf);
            }
        };
        line(
            y,
            Line::from(Span::styled(tr("patrol.finding_items"), theme::muted())),
            buf,
        );
        y += 1;
        for (i, (item, failed)) in f.items.iter().enumerate() {
            let mark = if *failed { "[×]" } else { "[ ]" };
            let mut style = if *failed {
                theme::error()
            } else {
                Style::new()
            };
            if f.focus == FindingFocus::Items && i == f.item_sel {
                style = style.patch(theme::selected());
            }
            line(
                y,
                Line::from(Span::styled(format!("{mark} {item}"), style)),
                buf,
            );
            y += 1;
        }
        let mut cursor = None;
        for (label, input, focus, w) in [
            (
                "patrol.finding_note",
                &f.note,
                FindingFocus::Note,
                inner.width,
            ),
            ("patrol.finding_time", &f.time, FindingFocus::Time, 8),
        ] {
            if y >= inner.bottom() {
                break;
            }
            let text = format!("{} ", tr(label));
            let lw = unicode_width::UnicodeWidthStr::width(text.as_str()) as u16;
            Span::styled(text, theme::title())
                .render(Rect::new(inner.x, y, lw.min(inner.width), 1), buf);
            let c = field(
                inner.x + lw.min(inner.width),
                y,
                w.min(inner.width.saturating_sub(lw)),
                input,
                f.focus == focus,
                buf,
            );
            cursor = cursor.or(c);
            y += 1;
        }
        line(
            inner.bottom().saturating_sub(1),
            Line::from(Span::styled(tr("patrol.finding_keys"), theme::muted())),
            buf,
        );
        cursor
    }
}
