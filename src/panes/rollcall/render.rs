//! Drawing the roll-call pane from loaded state (no queries while drawing).

use super::{Mode, RollcallPane, View};
use crate::domain::rollcall::{Mark, RoundKind};
use crate::domain::roster::Zone;
use crate::domain::round_due;
use crate::domain::time;
use crate::i18n::{tr, trf};
use crate::panes::visitors::render::RenderCtx;
use crate::store::rollcall::{BedCell, bed_label};
use crate::ui::table::{self, col};
use crate::ui::{centered, dialog, form_screen, theme};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

/// Colours of the marks, shared by the roll, the bed map and its legend.
pub fn mark_style(m: Option<Mark>) -> Style {
    match m {
        None => theme::muted(),
        Some(Mark::Present) => Style::new().fg(Color::Green),
        Some(Mark::Absent) => Style::new()
            .fg(Color::White)
            .bg(Color::Red)
            .add_modifier(Modifier::BOLD),
        Some(Mark::Leave) => Style::new().fg(Color::LightBlue),
        Some(Mark::Sick) => Style::new().fg(Color::Yellow),
        Some(Mark::Late) => Style::new().fg(Color::Magenta),
    }
}

pub fn mark_label(m: Option<Mark>) -> String {
    match m {
        None => tr("mark.none"),
        Some(m) => tr(&format!("mark.{}", m.key())),
    }
}

impl RollcallPane {
    pub fn render(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) -> Option<Position> {
        if area.height < 4 {
            return None;
        }
        self.render_header(area, buf, rc);
        let body = Rect::new(area.x, area.y + 2, area.width, area.height - 2);
        let list_height = body.height.saturating_sub(1) as usize;
        match self.view {
            View::Roll => self.render_roll(body, buf, rc, list_height),
            View::BedMap => self.render_map(body, buf),
            View::Absences => self.render_absences(body, buf, list_height),
            View::Sick => self.render_sick(body, buf, rc, list_height),
            View::Leave => self.render_leave(body, buf, rc, list_height),
        }
        let mut cursor = None;
        match &self.mode {
            Mode::Browse => {}
            Mode::StartRound { kind } => {
                let (a, b) = if *kind == RoundKind::LightsOut {
                    (theme::focus(), theme::muted())
                } else {
                    (theme::muted(), theme::focus())
                };
                let lines = vec![
                    Line::from(trf(
                        "roll.start_for",
                        &[(
                            "building",
                            self.buildings
                                .get(self.building)
                                .cloned()
                                .unwrap_or_default(),
                        )],
                    )),
                    Line::from(""),
                    Line::from(vec![
                        Span::styled(format!(" {} ", tr("round.lights_out")), a),
                        Span::raw("   "),
                        Span::styled(format!(" {} ", tr("round.bed_check")), b),
                    ]),
                    Line::from(""),
                    Line::from(Span::styled(tr("roll.start_keys"), theme::muted())),
                ];
                dialog(area, buf, &tr("roll.start_title"), lines, 50, 5);
            }
            Mode::Late { time, name, .. } => {
                let inner = dialog(
                    area,
                    buf,
                    &tr("roll.late_title"),
                    vec![
                        Line::from(trf("roll.late_prompt_for", &[("name", name.clone())])),
                        Line::from(""),
                        Line::from(Span::styled(tr("dialog.enter_esc"), theme::muted())),
                    ],
                    40,
                    3,
                );
                cursor = text_line(inner.x, inner.y + 1, 8, &time.input, buf);
            }
            Mode::ForceClose {
                reason,
                unaccounted,
            } => {
                let inner = dialog(
                    area,
                    buf,
                    &tr("roll.force_title"),
                    vec![
                        Line::from(Span::styled(
                            trf("roll.force_warn", &[("n", unaccounted.to_string())]),
                            theme::error(),
                        )),
                        Line::from(tr("roll.force_reason")),
                        Line::from(""),
                        Line::from(Span::styled(tr("dialog.enter_esc"), theme::muted())),
                    ],
                    64,
                    4,
                );
                cursor = text_line(inner.x, inner.y + 2, inner.width, &reason.input, buf);
            }
            Mode::Pick { picker, then } => {
                let r = centered(area, 60, 12);
                crate::ui::clear(r, buf);
                let block = Block::default().borders(Borders::ALL).title(Span::styled(
                    format!(" {} ", then.title().replace("：", "")),
                    theme::title(),
                ));
                let inner = block.inner(r);
                block.render(r, buf);
                cursor = picker.render(inner, buf, &tr("roll.pick_student"));
            }
            Mode::Form { kind, form } => cursor = form_screen(form, &kind.title(), area, buf),
            Mode::History { changes, scroll } => {
                let lines: Vec<Line> = changes
                    .iter()
                    .map(|c| {
                        let late = c
                            .late_at
                            .map(|t| format!(" {}", time::fmt_local(t, rc.offset_min, "%H:%M")))
                            .unwrap_or_default();
                        Line::from(vec![
                            Span::styled(
                                format!("{} ", time::fmt_local(c.at_ms, rc.offset_min, "%H:%M:%S")),
                                theme::muted(),
                            ),
                            Span::raw(format!("{} ", who(&c.students))),
                            Span::styled(
                                format!("{}{late}", mark_label(Some(c.mark))),
                                mark_style(Some(c.mark)),
                            ),
                            Span::styled(
                                format!(
                                    "  {} {}",
                                    c.by,
                                    crate::i18n::facts::note_text(
                                        &c.note,
                                        c.fact.as_ref(),
                                        rc.offset_min
                                    )
                                ),
                                theme::muted(),
                            ),
                        ])
                    })
                    .collect();
                let r = centered(area, 76, area.height.saturating_sub(2).max(3));
                crate::ui::clear(r, buf);
                Paragraph::new(lines)
                    .block(
                        Block::default()
                            .borders(Borders::ALL)
                            .title(Span::styled(
                                format!(" {} ", tr("roll.history_title")),
                                theme::title(),
                            ))
                            .title_bottom(Span::styled(tr("roll.history_hint"), theme::muted())),
                    )
                    .scroll((*scroll, 0))
                    .render(r, buf);
            }
            Mode::Import(flow) => cursor = flow.render(area, buf),
            Mode::Export(f) => cursor = f.render(area, buf),
            Mode::Exporting(job) => crate::panes::job::render(job, area, buf),
            Mode::ConfirmReturn { name, .. } => crate::ui::confirm(
                area,
                buf,
                &tr("roll.return_title"),
                trf("roll.confirm_return", &[("name", name.clone())]),
                44,
            ),
        }
        cursor
    }

    fn render_header(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) {
        let labels: Vec<String> = View::ALL
            .iter()
            .map(|v| {
                let label = tr(v.label());
                let n = match v {
                    View::Absences => self.absences.len(),
                    View::Sick => self.sick.iter().filter(|s| s.closed_ms.is_none()).count(),
                    View::Leave => self
                        .leaves
                        .iter()
                        .filter(|l| l.returned_ms.is_none())
                        .count(),
                    _ => 0,
                };
                if n > 0 {
                    format!("{label}({n})")
                } else {
                    label
                }
            })
            .collect();
        let sel = View::ALL.iter().position(|v| *v == self.view);
        crate::ui::tabs::draw(Rect::new(area.x, area.y, area.width, 1), buf, &labels, sel);
        // Second line: building and the round's progress.
        let b = self
            .buildings
            .get(self.building)
            .cloned()
            .unwrap_or_else(|| tr("roll.no_building"));
        let mut spans = vec![Span::styled(format!(" {b} "), theme::title())];
        if self.buildings.len() > 1 {
            spans.push(Span::styled(tr("roll.building_hint"), theme::muted()));
        }
        // The roll that is due comes before the last round's figures: it is
        // shown only when no round is open, and it is what to do next.
        // A roll of a night that has since ended (the pane not re-read since
        // the morning) is not shown as overdue.
        let ended = |at: i64| {
            at <= rc.now_ms
                && round_due::schedule_night(at, rc.offset_min)
                    != round_due::schedule_night(rc.now_ms, rc.offset_min)
        };
        if let Some((kind, at)) = self.next_round.filter(|r| !ended(r.1)) {
            let due = at <= rc.now_ms;
            let text = trf(
                if due {
                    "roll.round_due"
                } else {
                    "roll.round_next"
                },
                &[
                    ("kind", tr(&format!("round.{}", kind.key()))),
                    ("t", time::fmt_local(at, rc.offset_min, "%H:%M")),
                ],
            );
            spans.push(Span::styled(
                format!(" │ {text}"),
                if due {
                    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
                } else {
                    theme::muted()
                },
            ));
        }
        match &self.round {
            None => spans.push(Span::styled(
                format!(" │ {}", tr("roll.no_round")),
                theme::muted(),
            )),
            Some(r) => {
                let total = self.sheet.len();
                let count = |m: Mark| self.sheet.iter().filter(|s| s.mark == Some(m)).count();
                let unmarked = self.sheet.iter().filter(|s| s.mark.is_none()).count();
                let state = if r.closed_ms.is_some() {
                    if r.forced_reason.is_some() {
                        tr("roll.state.forced")
                    } else {
                        tr("roll.state.closed")
                    }
                } else {
                    tr("roll.state.open")
                };
                spans.push(Span::raw(format!(
                    " │ {} {} │ ",
                    tr(&format!("round.{}", r.kind.key())),
                    state
                )));
                spans.push(Span::raw(trf(
                    "roll.progress",
                    &[
                        ("done", (total - unmarked).to_string()),
                        ("total", total.to_string()),
                        ("present", count(Mark::Present).to_string()),
                        ("leave", count(Mark::Leave).to_string()),
                        ("sick", count(Mark::Sick).to_string()),
                        ("late", count(Mark::Late).to_string()),
                    ],
                )));
                let absent = count(Mark::Absent);
                if absent > 0 {
                    spans.push(Span::styled(
                        format!(" {} ", trf("roll.absent_n", &[("n", absent.to_string())])),
                        mark_style(Some(Mark::Absent)),
                    ));
                }
            }
        }
        if !self.jump.is_empty() {
            spans.push(Span::styled(format!(" → {}", self.jump), theme::title()));
        }
        Line::from(spans).render(Rect::new(area.x, area.y + 1, area.width, 1), buf);
    }

    fn render_roll(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx, list_height: usize) {
        if self.sheet.is_empty() {
            let key = if self.buildings.is_empty() {
                "roll.empty_roster"
            } else {
                "roll.empty_round"
            };
            crate::ui::empty_note(area, buf, key);
            return;
        }
        // ★ marks a left-behind child; say so under the list whenever one shows.
        let starred = self.sheet.iter().any(|s| s.student.data.left_behind);
        let (area, list_height) = if starred && area.height > 2 {
            let legend = Rect::new(area.x, area.bottom() - 1, area.width, 1);
            Span::styled(tr("roll.star_legend"), theme::muted()).render(legend, buf);
            (
                Rect::new(area.x, area.y, area.width, area.height - 1),
                list_height.saturating_sub(1),
            )
        } else {
            (area, list_height)
        };
        let window = self.roll.window(self.sheet.len(), list_height);
        let cols = [
            col(tr("roll.col.bed"), 8),
            col(tr("roll.col.name"), 10),
            col(tr("roll.col.mark"), 10),
            col(tr("roll.col.class"), 12),
            col(tr("roll.col.note"), 30),
        ];
        let rows = self.sheet[window]
            .iter()
            .map(|s| {
                let mark = match (s.mark, s.late_at) {
                    (Some(Mark::Late), Some(t)) => format!(
                        "{} {}",
                        mark_label(s.mark),
                        time::fmt_local(t, rc.offset_min, "%H:%M")
                    ),
                    (Some(Mark::Absent), _) if s.found => {
                        format!("{}→{}", mark_label(s.mark), tr("roll.found_mark"))
                    }
                    _ => mark_label(s.mark),
                };
                let mut note =
                    crate::i18n::facts::note_text(&s.note, s.fact.as_ref(), rc.offset_min);
                if s.mark == Some(Mark::Absent) && !s.found {
                    note = trf("roll.followups_n", &[("n", s.followups.to_string())]);
                }
                if s.changes > 0 {
                    note = format!(
                        "{note} {}",
                        trf("roll.changed_n", &[("n", s.changes.to_string())])
                    );
                }
                if s.student.data.left_behind {
                    note = format!("★{note}");
                }
                let name_style = if s.mark == Some(Mark::Absent) && s.found {
                    Style::new().fg(Color::Yellow)
                } else {
                    mark_style(s.mark)
                };
                (
                    vec![
                        bed_label(&s.student.bed),
                        s.student.data.name.clone(),
                        mark,
                        s.student.data.class.clone(),
                        note,
                    ],
                    name_style,
                )
            })
            .collect();
        table::draw(area, buf, &cols, rows, self.roll.sel_in_window());
    }

    pub(super) fn floors(&self) -> Vec<i32> {
        let mut f: Vec<i32> = self.bed_map.iter().map(|c| c.bed.floor).collect();
        f.dedup();
        f.sort();
        f.dedup();
        f
    }

    fn render_map(&self, area: Rect, buf: &mut Buffer) {
        let floors = self.floors();
        if floors.is_empty() {
            Paragraph::new(tr("roll.empty_roster"))
                .style(theme::muted())
                .render(area, buf);
            return;
        }
        let floor = floors[self.map_floor.min(floors.len() - 1)];
        let cells: Vec<&BedCell> = self
            .bed_map
            .iter()
            .filter(|c| c.bed.floor == floor)
            .collect();
        // Rooms in order, each a box of its beds.
        let mut rooms: Vec<(String, Zone, Vec<&BedCell>)> = vec![];
        for c in cells {
            match rooms.last_mut() {
                Some((r, _, v)) if *r == c.bed.room => v.push(c),
                _ => rooms.push((c.bed.room.clone(), c.zone, vec![c])),
            }
        }
        let title = Line::from(vec![
            Span::styled(
                trf(
                    "roll.map_floor",
                    &[
                        ("floor", floor.to_string()),
                        ("n", floors.len().to_string()),
                    ],
                ),
                theme::title(),
            ),
            Span::styled(format!("  {}", tr("roll.map_hint")), theme::muted()),
        ]);
        title.render(Rect::new(area.x, area.y, area.width, 1), buf);
        let box_w: u16 = 19;
        let per_row = (area.width / box_w).max(1) as usize;
        let max_beds = rooms.iter().map(|r| r.2.len()).max().unwrap_or(1) as u16;
        let box_h = max_beds + 2;
        let mut y = area.y + 1;
        let legend_y = area.bottom().saturating_sub(1);
        for chunk in rooms.chunks(per_row) {
            if y + box_h > legend_y {
                Span::styled(tr("roll.map_more"), theme::muted())
                    .render(Rect::new(area.x, y.min(legend_y - 1), area.width, 1), buf);
                break;
            }
            for (i, (room, zone, beds)) in chunk.iter().enumerate() {
                let r = Rect::new(area.x + i as u16 * box_w, y, box_w - 1, box_h);
                let zone_tag = if *zone == Zone::Girls {
                    tr("zone.girls_short")
                } else {
                    tr("zone.boys_short")
                };
                let block = Block::default()
                    .borders(Borders::ALL)
                    .title(Span::styled(format!("{room} {zone_tag}"), theme::title()));
                let inner = block.inner(r);
                block.render(r, buf);
                for (j, c) in beds.iter().enumerate().take(inner.height as usize) {
                    let name = c
                        .student
                        .as_ref()
                        .map(|(_, n)| n.clone())
                        .unwrap_or_else(|| tr("roll.empty_bed"));
                    let style = if c.student.is_some() {
                        mark_style(c.mark)
                    } else {
                        theme::muted()
                    };
                    let selected = self
                        .sheet
                        .get(self.roll.sel)
                        .zip(c.student.as_ref())
                        .is_some_and(|(s, (id, _))| s.student.id == *id);
                    let style = if selected {
                        style.add_modifier(Modifier::REVERSED)
                    } else {
                        style
                    };
                    let mark = if c.student.is_some() {
                        c.mark.map(|m| m.paper()).unwrap_or("·")
                    } else {
                        " "
                    };
                    Span::styled(format!("{:>2} {mark} {name}", c.bed.bed), style)
                        .render(Rect::new(inner.x, inner.y + j as u16, inner.width, 1), buf);
                }
            }
            y += box_h;
        }
        // The legend, in the same colours.
        let mut legend = vec![];
        for m in [
            None,
            Some(Mark::Present),
            Some(Mark::Absent),
            Some(Mark::Leave),
            Some(Mark::Sick),
            Some(Mark::Late),
        ] {
            let sym = m.map(|m| m.paper()).unwrap_or("·");
            legend.push(Span::styled(
                format!(" {sym} {} ", mark_label(m)),
                mark_style(m),
            ));
            legend.push(Span::raw(" "));
        }
        Line::from(legend).render(Rect::new(area.x, legend_y, area.width, 1), buf);
    }

    fn render_absences(&self, area: Rect, buf: &mut Buffer, list_height: usize) {
        if self.absences.is_empty() {
            Paragraph::new(tr("roll.no_absences"))
                .style(theme::muted())
                .render(area, buf);
            return;
        }
        let cols = [
            col(tr("roll.col.night"), 10),
            col(tr("roll.col.building"), 10),
            col(tr("roll.col.name"), 10),
            col(tr("roll.col.class"), 12),
            col(tr("roll.col.followups"), 10),
        ];
        let window = self.list.window(self.list_len(), list_height);
        let top = window.start;
        let h = window.len().max(1);
        let rows = self.absences[top..]
            .iter()
            .take(h)
            .map(|a| {
                (
                    vec![
                        a.night.clone(),
                        a.building.clone(),
                        a.name.clone(),
                        a.class.clone(),
                        trf("roll.followups_n", &[("n", a.followups.to_string())]),
                    ],
                    theme::error(),
                )
            })
            .collect();
        table::draw(area, buf, &cols, rows, self.list.sel_in_window());
    }

    fn render_sick(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx, list_height: usize) {
        if self.sick.is_empty() {
            Paragraph::new(tr("roll.no_sick"))
                .style(theme::muted())
                .render(area, buf);
            return;
        }
        let cols = [
            col(tr("roll.col.time"), 11),
            col(tr("roll.col.name"), 10),
            col(tr("roll.f.symptoms"), 14),
            col(tr("roll.col.temp"), 6),
            col(tr("roll.col.care"), 24),
            col(tr("roll.col.latest"), 24),
        ];
        let window = self.list.window(self.list_len(), list_height);
        let top = window.start;
        let h = window.len().max(1);
        let rows = self.sick[top..]
            .iter()
            .take(h)
            .map(|s| {
                let temp = s
                    .notes
                    .iter()
                    .rev()
                    .find_map(|n| n.2.clone())
                    .or_else(|| s.temperature.clone())
                    .unwrap_or_default();
                let mut care = vec![];
                if !s.medicine.is_empty() {
                    care.push(s.medicine.clone());
                }
                if !s.water.is_empty() {
                    care.push(s.water.clone());
                }
                if s.clinic {
                    care.push(tr("roll.clinic_yes"));
                }
                care.push(tr(if s.guardian_told {
                    "roll.guardian_told_yes"
                } else {
                    "roll.guardian_told_no"
                }));
                let latest = match (s.closed_ms, s.notes.last()) {
                    (Some(t), _) => trf(
                        "roll.sick_closed_at",
                        &[("t", time::fmt_local(t, rc.offset_min, "%H:%M"))],
                    ),
                    (None, Some((t, n, _))) => {
                        format!("{} {n}", time::fmt_local(*t, rc.offset_min, "%H:%M"))
                    }
                    _ => String::new(),
                };
                (
                    vec![
                        time::fmt_local(s.at_ms, rc.offset_min, "%m-%d %H:%M"),
                        s.name.clone(),
                        s.symptoms.clone(),
                        temp,
                        care.join("、"),
                        latest,
                    ],
                    if s.closed_ms.is_some() {
                        theme::muted()
                    } else {
                        Style::new().fg(Color::Yellow)
                    },
                )
            })
            .collect();
        table::draw(area, buf, &cols, rows, self.list.sel_in_window());
    }

    fn render_leave(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx, list_height: usize) {
        if self.leaves.is_empty() {
            Paragraph::new(tr("roll.no_leave"))
                .style(theme::muted())
                .render(area, buf);
            return;
        }
        let cols = [
            col(tr("roll.col.name"), 10),
            col(tr("roll.col.kind"), 6),
            col(tr("roll.col.from"), 11),
            col(tr("roll.col.due"), 11),
            col(tr("roll.col.state"), 10),
            col(tr("roll.col.detail"), 30),
        ];
        let window = self.list.window(self.list_len(), list_height);
        let top = window.start;
        let h = window.len().max(1);
        let rows = self.leaves[top..]
            .iter()
            .take(h)
            .map(|l| {
                let (state, style) = away_state(l, rc);
                let detail = if l.gate {
                    let mut d = trf(
                        "roll.gate_detail",
                        &[
                            ("with", l.destination.clone()),
                            ("relation", l.reason.clone()),
                        ],
                    );
                    if !l.approved_by.is_empty() {
                        d.push_str(&trf("roll.gate_approved", &[("by", l.approved_by.clone())]));
                    }
                    d
                } else {
                    format!("{} · {} · {}", l.reason, l.destination, l.approved_by)
                };
                (
                    vec![
                        l.name.clone(),
                        tr(if l.gate {
                            "roll.kind.gate"
                        } else {
                            "roll.kind.leave"
                        }),
                        time::fmt_local(l.from_ms, rc.offset_min, "%m-%d %H:%M"),
                        time::fmt_local(l.due_ms, rc.offset_min, "%m-%d %H:%M"),
                        state,
                        detail,
                    ],
                    style,
                )
            })
            .collect();
        table::draw(area, buf, &cols, rows, self.list.sel_in_window());
    }
}

/// A one-line text field at (x, y); returns where the cursor goes.
fn text_line(
    x: u16,
    y: u16,
    w: u16,
    t: &crate::ui::text_input::TextInput,
    buf: &mut Buffer,
) -> Option<Position> {
    let field = Rect::new(x, y, w, 1);
    buf.set_style(field, theme::focus());
    let (s, c) = t.visible(w as usize, false);
    Span::styled(s, theme::focus()).render(field, buf);
    Some(Position::new(x + c as u16, y))
}

/// "王一" or "王一、王二…等 11 人" for a mark given to many at once.
fn who(names: &[String]) -> String {
    match names.len() {
        0 => String::new(),
        1..=3 => names.join("、"),
        n => trf(
            "roll.history_many",
            &[("names", names[..3].join("、")), ("n", n.to_string())],
        ),
    }
}

/// "away" / "OVERDUE" / "back 21:05" for leave and gate departures.
pub fn away_state(l: &crate::store::rollcall::LeaveRow, rc: &RenderCtx) -> (String, Style) {
    match l.returned_ms {
        Some(t) => (
            trf(
                "roll.back_at",
                &[("t", time::fmt_local(t, rc.offset_min, "%H:%M"))],
            ),
            theme::muted(),
        ),
        None if l.overdue(rc.now_ms) => (tr("roll.overdue"), theme::overstay()),
        None => (tr("roll.away"), Style::new().fg(Color::LightBlue)),
    }
}
