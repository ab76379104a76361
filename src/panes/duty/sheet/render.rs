//! Drawing the handover sheet, the acceptance steps, the list of past
//! handovers and one past handover.

use super::{Mode, SheetView, Signing, shift_label};
use crate::domain::handover::{Section, SheetItem, Stage};
use crate::domain::time;
use crate::i18n::{tr, trf};
use crate::panes::RenderCtx;
use crate::store::handover::{HandoverRow, SealCheck};
use crate::store::handover_sheet::Sheet;
use crate::ui::{self, theme};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// The line a section's heading is drawn on in the sheet's body.
pub fn section_line(sheet: &Sheet, s: Section) -> usize {
    let mut line = 0;
    for sec in Section::ALL {
        if sec == s {
            return line;
        }
        // Heading, then its items or one "none" line.
        line += 1 + sheet.count(sec).max(1);
    }
    line
}

fn stage_text(h: Option<&HandoverRow>, off: i32) -> (String, ratatui::style::Style) {
    let at = |ms: i64| time::fmt_local(ms, off, "%H:%M");
    match h {
        None => (tr("handover.stage.open"), theme::muted()),
        Some(h) => match h.stage() {
            Stage::Open => (tr("handover.stage.open"), theme::muted()),
            Stage::Signed => (
                trf(
                    "handover.stage.signed",
                    &[("who", h.signed_by_name.clone()), ("t", at(h.signed_ms))],
                ),
                theme::overstay(),
            ),
            Stage::Accepted => (
                trf(
                    "handover.stage.accepted",
                    &[("t", at(h.accepted_ms.unwrap_or(0)))],
                ),
                theme::title(),
            ),
            Stage::Countersigned => (
                trf(
                    "handover.stage.countersigned",
                    &[("t", at(h.countersigned_ms.unwrap_or(0)))],
                ),
                theme::title(),
            ),
        },
    }
}

fn item_line(i: &SheetItem, off: i32, now_ms: i64) -> Line<'static> {
    let style = if i.state.is_warning() {
        theme::overstay()
    } else {
        ratatui::style::Style::default()
    };
    let when = if time::local(i.since_ms, off).date_naive() == time::local(now_ms, off).date_naive()
    {
        time::fmt_local(i.since_ms, off, "%H:%M")
    } else {
        time::fmt_local(i.since_ms, off, "%m-%d")
    };
    let mut spans = vec![
        Span::raw("  "),
        Span::styled(format!("{when} "), theme::muted()),
        Span::styled(tr(&format!("handover.state.{}", i.state.key())), style),
        Span::raw(format!(" {}", i.label)),
    ];
    // A round's detail is its kind's key; the rest is as recorded.
    let detail = if i.section == Section::Rollcall {
        tr(&format!("round.{}", i.detail))
    } else {
        i.detail.clone()
    };
    if !detail.is_empty() {
        spans.push(Span::styled(format!(" · {detail}"), theme::muted()));
    }
    if i.carried {
        spans.push(Span::styled(
            format!(" {}", tr("handover.carried")),
            theme::muted(),
        ));
    }
    Line::from(spans)
}

impl SheetView {
    fn body(&self, sheet: &Sheet, rc: &RenderCtx) -> Vec<Line<'static>> {
        let (step, remarks) = match &self.mode {
            Mode::Accept { step, remarks, .. } => (Some(*step), remarks.as_slice()),
            _ => (None, &[][..]),
        };
        // Accepting: the note the outgoing operator signed; else this
        // shift's signed note or the one being written.
        let accepting = match &self.mode {
            Mode::Accept { shift, .. } => [&self.cur_row, &self.prev_row]
                .into_iter()
                .flatten()
                .find(|h| &h.shift == shift),
            _ => None,
        };
        let note = accepting
            .or(self.cur_row.as_ref())
            .map(|h| h.note.clone())
            .unwrap_or_else(|| self.note.clone());
        let mut lines = vec![];
        for (n, s) in Section::ALL.into_iter().enumerate() {
            let count = sheet.count(s);
            let mark = match step {
                Some(k) if n < k => "✓ ",
                Some(k) if n == k => "▶ ",
                _ => "",
            };
            let head = format!(
                "{mark}{} {}",
                tr(&format!("handover.section.{}", s.key())),
                if s == Section::Note {
                    String::new()
                } else {
                    format!("({count})")
                }
            );
            let style = if step == Some(n) {
                theme::focus()
            } else {
                theme::title()
            };
            let mut head_spans = vec![Span::styled(head, style)];
            if let Some(r) = remarks.iter().find(|r| r.section == s.key()) {
                head_spans.push(Span::styled(
                    format!("  {} {}", tr("handover.remark"), r.text),
                    theme::muted(),
                ));
            }
            lines.push(Line::from(head_spans));
            if s == Section::Note {
                if note.is_empty() {
                    lines.push(Line::from(Span::styled(
                        format!("  {}", tr("handover.note_empty")),
                        theme::muted(),
                    )));
                } else {
                    lines.push(Line::from(format!("  {note}")));
                }
                continue;
            }
            let mut any = false;
            for i in sheet.section(s) {
                any = true;
                lines.push(item_line(i, rc.offset_min, rc.now_ms));
            }
            if !any {
                lines.push(Line::from(Span::styled(
                    format!("  {}", tr("handover.none")),
                    theme::muted(),
                )));
            }
        }
        lines
    }

    fn banner(&self, rc: &RenderCtx) -> Line<'static> {
        let me = self.me.as_ref().map(|m| m.id.as_str()).unwrap_or("");
        if let Mode::Accept { shift, step, .. } = &self.mode {
            return Line::from(Span::styled(
                trf(
                    "handover.accepting",
                    &[
                        ("shift", shift_label(shift)),
                        ("k", (step + 1).min(Section::ALL.len()).to_string()),
                        ("n", Section::ALL.len().to_string()),
                    ],
                ),
                theme::focus(),
            ));
        }
        if let Some(h) = self.accept_target(me) {
            return Line::from(Span::styled(
                trf(
                    "handover.waiting_you",
                    &[
                        ("shift", shift_label(&h.shift)),
                        ("who", h.signed_by_name.clone()),
                        ("t", time::fmt_local(h.signed_ms, rc.offset_min, "%H:%M")),
                    ],
                ),
                theme::overstay(),
            ));
        }
        if let (Some(p), None) = (&self.previous, &self.prev_row)
            && self.cur_row.is_none()
        {
            return Line::from(Span::styled(
                trf("handover.prev_unsigned", &[("shift", shift_label(p))]),
                theme::muted(),
            ));
        }
        if let Some(h) = self.countersign_target() {
            return Line::from(Span::styled(
                trf(
                    "handover.awaiting_countersign",
                    &[("shift", shift_label(&h.shift))],
                ),
                theme::muted(),
            ));
        }
        Line::from("")
    }

    pub(super) fn draw(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) -> Option<Position> {
        if area.height < 4 {
            return None;
        }
        match &self.mode {
            Mode::List(l) => return self.draw_list(l, area, buf, rc),
            Mode::Past {
                row,
                lines,
                seal,
                amendments,
                scroll,
            } => {
                return draw_past(row, lines, *seal, amendments, *scroll, area, buf, rc);
            }
            _ => {}
        }
        let Some(sheet) = &self.sheet else {
            ui::empty_note(area, buf, "handover.no_shift");
            return None;
        };
        let (stage, style) = stage_text(self.cur_row.as_ref(), rc.offset_min);
        let span = if sheet.window.0 != sheet.window.1 {
            format!(
                "{}–{}",
                time::fmt_local(sheet.window.0, rc.offset_min, "%H:%M"),
                time::fmt_local(sheet.window.1, rc.offset_min, "%H:%M")
            )
        } else {
            String::new()
        };
        Line::from(vec![
            Span::styled(
                format!("{} {span}  ", shift_label(&sheet.shift)),
                theme::title(),
            ),
            Span::styled(stage, style),
        ])
        .render(Rect::new(area.x, area.y, area.width, 1), buf);
        self.banner(rc)
            .render(Rect::new(area.x, area.y + 1, area.width, 1), buf);
        let body = Rect::new(area.x, area.y + 2, area.width, area.height - 2);
        let lines = self.body(sheet, rc);
        let top = self
            .scroll
            .min(lines.len().saturating_sub(body.height as usize));
        Paragraph::new(lines[top..].to_vec()).render(body, buf);
        self.draw_dialogs(area, buf)
    }

    fn draw_dialogs(&self, area: Rect, buf: &mut Buffer) -> Option<Position> {
        match &self.mode {
            Mode::Note(p) => {
                let inner = ui::dialog(
                    area,
                    buf,
                    &tr("handover.note_title"),
                    vec![
                        Line::from(tr("handover.note_prompt")),
                        Line::from(""),
                        Line::from(Span::styled(tr("dialog.enter_esc"), theme::muted())),
                    ],
                    area.width.min(70),
                    3,
                );
                ui::input_field(inner.x, inner.y + 1, inner.width, &p.input, false, buf)
            }
            Mode::Accept {
                remark: Some(p),
                step,
                ..
            } => {
                let sec = tr(&format!("handover.section.{}", Section::ALL[*step].key()));
                let inner = ui::dialog(
                    area,
                    buf,
                    &tr("handover.remark_title"),
                    vec![
                        Line::from(trf("handover.remark_prompt", &[("section", sec)])),
                        Line::from(""),
                        Line::from(Span::styled(tr("dialog.enter_esc"), theme::muted())),
                    ],
                    area.width.min(64),
                    3,
                );
                ui::input_field(inner.x, inner.y + 1, inner.width, &p.input, false, buf)
            }
            Mode::Pin(s, p) => {
                let (title, what) = match s {
                    Signing::Sign(shift) => ("handover.sign_title", shift_label(shift)),
                    Signing::Accept { shift, .. } => ("handover.accept_title", shift_label(shift)),
                    Signing::Countersign(shift) => {
                        ("handover.countersign_title", shift_label(shift))
                    }
                };
                let inner = ui::dialog(
                    area,
                    buf,
                    &tr(title),
                    vec![
                        Line::from(trf("handover.pin_prompt", &[("shift", what)])),
                        Line::from(""),
                        Line::from(Span::styled(tr("dialog.enter_esc"), theme::muted())),
                    ],
                    48,
                    3,
                );
                ui::input_field(inner.x, inner.y + 1, 10, &p.input, true, buf)
            }
            _ => None,
        }
    }

    fn draw_list(
        &self,
        l: &crate::ui::list::ListState,
        area: Rect,
        buf: &mut Buffer,
        rc: &RenderCtx,
    ) -> Option<Position> {
        Line::from(Span::styled(
            trf(
                "handover.history_title",
                &[("n", self.history.len().to_string())],
            ),
            theme::title(),
        ))
        .render(Rect::new(area.x, area.y, area.width, 1), buf);
        let body = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
        if self.history.is_empty() {
            ui::empty_note(body, buf, "handover.history_empty");
            return None;
        }
        let range = l.window(self.history.len(), body.height as usize);
        for (row, i) in range.clone().enumerate() {
            let h = &self.history[i];
            let (stage, style) = stage_text(Some(h), rc.offset_min);
            let line = Line::from(vec![
                Span::raw(format!(
                    "{} {}  {}  ",
                    h.shift.date,
                    crate::i18n::shift_name(&h.shift.shift),
                    h.station_name
                )),
                Span::styled(stage, style),
            ]);
            let r = Rect::new(body.x, body.y + row as u16, body.width, 1);
            if i == l.sel {
                buf.set_style(r, theme::selected());
            }
            line.render(r, buf);
        }
        None
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_past(
    h: &HandoverRow,
    items: &[(String, String, String)],
    seal: SealCheck,
    amendments: &[crate::store::handover::Amendment],
    scroll: u16,
    area: Rect,
    buf: &mut Buffer,
    rc: &RenderCtx,
) -> Option<Position> {
    let at = |ms: i64| time::fmt_local(ms, rc.offset_min, "%m-%d %H:%M");
    let mut lines = vec![Line::from(Span::styled(
        format!("{} · {}", shift_label(&h.shift), h.station_name),
        theme::title(),
    ))];
    lines.push(Line::from(match seal {
        SealCheck::Intact { events } => Span::styled(
            trf("handover.seal_ok", &[("n", events.to_string())]),
            theme::title(),
        ),
        SealCheck::Broken { missing, changed } => Span::styled(
            trf(
                "handover.seal_broken",
                &[
                    ("missing", missing.to_string()),
                    ("changed", changed.to_string()),
                ],
            ),
            theme::error(),
        ),
    }));
    lines.push(Line::from(trf(
        "handover.signed_line",
        &[("who", h.signed_by_name.clone()), ("t", at(h.signed_ms))],
    )));
    if let (Some(who), Some(t)) = (&h.accepted_by_name, h.accepted_ms) {
        lines.push(Line::from(trf(
            "handover.accepted_line",
            &[("who", who.clone()), ("t", at(t))],
        )));
    }
    if let (Some(who), Some(t)) = (&h.countersigned_by_name, h.countersigned_ms) {
        lines.push(Line::from(trf(
            "handover.countersigned_line",
            &[("who", who.clone()), ("t", at(t))],
        )));
    }
    if !h.note.is_empty() {
        lines.push(Line::from(format!(
            "{} {}",
            tr("handover.section.note"),
            h.note
        )));
    }
    for r in &h.remarks {
        let sec = tr(&format!("handover.section.{}", r.section));
        lines.push(Line::from(format!(
            "{} {sec}: {}",
            tr("handover.remark"),
            r.text
        )));
    }
    if !amendments.is_empty() {
        lines.push(Line::from(Span::styled(
            trf(
                "handover.amendments",
                &[("n", amendments.len().to_string())],
            ),
            theme::overstay(),
        )));
        for a in amendments {
            lines.push(Line::from(format!(
                "  {} {} {} {}",
                at(a.at_ms),
                a.by,
                tr(&format!("amend.{}", a.kind)),
                a.reason
            )));
        }
    }
    lines.push(Line::from(Span::styled(
        trf("handover.items_listed", &[("n", items.len().to_string())]),
        theme::title(),
    )));
    for (entity, state, text) in items {
        let kind = entity.split(':').next().unwrap_or_default();
        let mut spans = vec![Span::styled(
            format!("  {} ", tr(&format!("handover.record.{kind}"))),
            theme::muted(),
        )];
        if !state.is_empty() {
            spans.push(Span::raw(format!(
                "{} ",
                tr(&format!("handover.state.{state}"))
            )));
        }
        spans.push(Span::raw(text.clone()));
        lines.push(Line::from(spans));
    }
    Paragraph::new(lines)
        .wrap(ratatui::widgets::Wrap { trim: false })
        .scroll((scroll, 0))
        .render(area, buf);
    None
}
