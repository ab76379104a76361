//! Drawing the shift log from loaded state (no queries while drawing).

use super::{LogView, Mode};
use crate::domain::event::Event;
use crate::domain::shift::ShiftId;
use crate::domain::shift_log::{Category, FollowUp, LogEntry};
use crate::domain::time;
use crate::i18n::{tr, trf};
use crate::panes::RenderCtx;
use crate::ui::table::{self, col};
use crate::ui::{form_screen, theme};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

pub fn category_label(c: Category) -> String {
    tr(&format!("shiftlog.cat.{}", c.key()))
}

pub fn state_label(s: FollowUp) -> String {
    tr(&format!("shiftlog.state.{}", s.key()))
}

/// "11-29 夜班" / "11-29 night"; a shift key the catalog lacks as typed.
pub fn shift_label(s: &ShiftId) -> String {
    let key = format!("shiftlog.shift.{}", s.shift);
    let name = tr(&key);
    let name = if name == key { s.shift.clone() } else { name };
    format!("{} {name}", s.date.get(5..).unwrap_or(&s.date))
}

/// Open follow-ups stand out; closed ones recede.
fn row_style(e: &LogEntry) -> Style {
    match e.state {
        FollowUp::Open => Style::new().fg(theme::WARN).add_modifier(Modifier::BOLD),
        FollowUp::Closed => theme::muted(),
        FollowUp::None => Style::new(),
    }
}

impl LogView {
    pub fn render(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) -> Option<Position> {
        if area.height < 3 {
            return None;
        }
        self.render_header(area, buf);
        let body = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
        self.render_list(body, buf, rc);
        match &self.mode {
            Mode::Browse => None,
            Mode::Search(p) => {
                let line = Rect::new(area.x, area.y, area.width, 1);
                buf.set_style(line, theme::focus());
                let label = format!(" {} ", tr("shiftlog.search"));
                let lw = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
                Span::styled(label, theme::title()).render(line, buf);
                let w = area.width.saturating_sub(lw);
                let (s, c) = p.input.visible(w as usize, false);
                Span::styled(s, theme::focus())
                    .render(Rect::new(area.x + lw.min(area.width), area.y, w, 1), buf);
                Some(Position::new(area.x + lw + c as u16, area.y))
            }
            Mode::Details { id, events, scroll } => {
                self.render_details(area, buf, rc, id, events, *scroll);
                None
            }
            Mode::Form { kind, form, entry } => {
                let mut title = tr(kind.title());
                if let Some(e) = entry {
                    title = format!("{title} · {}", e.fields.what);
                }
                form_screen(form, &title, area, buf)
            }
            Mode::Export(f) => f.render(area, buf),
            Mode::Exporting(job) => {
                crate::panes::job::render(job, area, buf);
                None
            }
        }
    }

    fn render_header(&self, area: Rect, buf: &mut Buffer) {
        let open = self.rows.iter().filter(|r| r.entry.is_open()).count();
        let mut spans = vec![Span::styled(
            format!(
                " {} ",
                self.shift
                    .as_ref()
                    .map(|s| trf("shiftlog.this_shift", &[("shift", shift_label(s))]))
                    .unwrap_or_default()
            ),
            theme::title(),
        )];
        spans.push(Span::raw(format!(
            "{} ",
            trf(
                "shiftlog.counts",
                &[
                    ("n", self.rows.len().to_string()),
                    ("open", open.to_string())
                ]
            )
        )));
        if self.open_only {
            spans.push(Span::styled(
                format!("{} ", tr("shiftlog.open_only")),
                theme::key(),
            ));
        }
        if self.query.is_empty() {
            spans.push(Span::styled(tr("shiftlog.search_hint"), theme::muted()));
        } else {
            spans.push(Span::raw(format!(
                "{} {}",
                tr("shiftlog.search"),
                self.query
            )));
        }
        Line::from(spans).render(Rect::new(area.x, area.y, area.width, 1), buf);
    }

    fn render_list(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) {
        if self.rows.is_empty() {
            Paragraph::new(tr("shiftlog.none"))
                .style(theme::muted())
                .render(area, buf);
            return;
        }
        // What happened takes the width the other columns leave.
        let what_w = area
            .width
            .saturating_sub(11 + 8 + 16 + 8 + 8 + 8 + 7)
            .max(24);
        let cols = [
            col(tr("shiftlog.col.time"), 11),
            col(tr("shiftlog.col.category"), 8),
            col(tr("shiftlog.col.what"), what_w),
            col(tr("shiftlog.col.action"), 16),
            col(tr("shiftlog.col.reported_to"), 8),
            col(tr("shiftlog.col.state"), 8),
            col(tr("shiftlog.col.by"), 8),
        ];
        let h = area.height.saturating_sub(1) as usize;
        let window = self.list.window(self.rows.len(), h);
        let rows = self.rows[window]
            .iter()
            .map(|r| {
                let e = &r.entry;
                let what = if r.earlier {
                    let tag = tr("shiftlog.earlier");
                    let sep = if tag.is_ascii() { " " } else { "" };
                    format!("{tag}{sep}{}", e.fields.what)
                } else {
                    e.fields.what.clone()
                };
                (
                    vec![
                        time::fmt_local(e.fields.at_ms, rc.offset_min, "%m-%d %H:%M"),
                        category_label(e.fields.category),
                        what,
                        e.fields.action_taken.clone(),
                        e.fields.reported_to.clone(),
                        state_label(e.state),
                        self.name(&e.written_by),
                    ],
                    row_style(e),
                )
            })
            .collect();
        table::draw(area, buf, &cols, rows, self.list.sel_in_window());
    }

    fn name(&self, id: &str) -> String {
        self.names
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.chars().take(8).collect())
    }

    fn render_details(
        &self,
        area: Rect,
        buf: &mut Buffer,
        rc: &RenderCtx,
        id: &str,
        events: &[(crate::store::log::EventRecord, Event)],
        scroll: u16,
    ) {
        let Some(e) = self
            .rows
            .iter()
            .map(|r| &r.entry)
            .find(|e| e.entry_id == id)
        else {
            return;
        };
        let off = rc.offset_min;
        let at = |t: i64| time::fmt_local(t, off, "%Y-%m-%d %H:%M");
        let field = |k: &str, val: String| {
            Line::from(vec![Span::styled(label(k), theme::muted()), Span::raw(val)])
        };
        let mut lines = vec![
            Line::from(vec![
                Span::styled(
                    format!(" {} ", category_label(e.fields.category)),
                    row_style(e).add_modifier(Modifier::REVERSED),
                ),
                Span::styled(format!(" {} · ", shift_label(&e.shift)), theme::title()),
                Span::raw(state_label(e.state)),
            ]),
            field("shiftlog.f.at", at(e.fields.at_ms)),
            field("shiftlog.f.what", e.fields.what.clone()),
            field("shiftlog.f.action", e.fields.action_taken.clone()),
            field("shiftlog.f.reported_to", e.fields.reported_to.clone()),
            field(
                "shiftlog.recorded_by",
                format!("{} · {}", self.name(&e.written_by), at(e.written_ms)),
            ),
        ];
        if let Some(o) = &e.outcome {
            lines.push(field("shiftlog.f.outcome", o.clone()));
        }
        if let (Some(by), Some(t)) = (&e.closed_by, e.closed_ms) {
            lines.push(field(
                "shiftlog.closed_by",
                format!("{} · {}", self.name(by), at(t)),
            ));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            tr("shiftlog.history"),
            theme::title(),
        )));
        for (r, ev) in events {
            let (step, detail) = match ev {
                Event::ShiftLogEntered(b) => (tr("shiftlog.step.entered"), b.fields.what.clone()),
                Event::ShiftLogCorrected(c) => (
                    tr("shiftlog.step.corrected"),
                    format!("{} · {}", c.reason, c.fields.what),
                ),
                Event::ShiftLogClosed(c) => (tr("shiftlog.step.closed"), c.outcome.clone()),
                _ => (String::new(), String::new()),
            };
            lines.push(crate::ui::history_line(
                at(r.hlc.ms),
                step,
                detail,
                format!("{} · {}", self.name(&r.actor), self.name(&r.origin)),
            ));
        }
        crate::ui::page(area, buf, tr("shiftlog.detail_title"), lines, scroll);
    }
}

/// "类别：" / "Category: ".
fn label(k: &str) -> String {
    let colon = tr("hazard.colon");
    let space = if colon.is_ascii() { " " } else { "" };
    format!("{}{colon}{space}", tr(k))
}
