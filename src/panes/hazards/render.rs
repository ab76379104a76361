//! Drawing the hazards pane from loaded state (no queries while drawing).

use super::{HazardsPane, Mode, View};
use crate::domain::event::Event;
use crate::domain::hazard::{HazardView, Severity, Status, is_overdue};
use crate::domain::time;
use crate::i18n::{tr, trf};
use crate::panes::RenderCtx;
use crate::ui::table::{self, col};
use crate::ui::{form_screen, theme};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

pub fn severity_label(s: Option<Severity>) -> String {
    s.map(|s| tr(&format!("hazard.sev.{}", s.key())))
        .unwrap_or_default()
}

pub fn status_label(s: Status) -> String {
    tr(&format!("hazard.status.{}", s.key()))
}

/// 重大 in bold red, 较大 in yellow; overdue rows stand out whatever their
/// severity; closed ones recede.
pub fn row_style(v: &HazardView, now_ms: i64) -> Style {
    if v.status == Status::Closed {
        return theme::muted();
    }
    if is_overdue(v.status, v.deadline_ms, now_ms) {
        return Style::new()
            .fg(Color::White)
            .bg(theme::ERROR)
            .add_modifier(Modifier::BOLD);
    }
    match v.severity {
        Some(Severity::Serious) => Style::new()
            .fg(Color::LightRed)
            .add_modifier(Modifier::BOLD),
        Some(Severity::Major) => Style::new().fg(Color::Yellow),
        _ => Style::new(),
    }
}

impl HazardsPane {
    pub fn render(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) -> Option<Position> {
        if area.height < 4 {
            return None;
        }
        self.render_header(area, buf, rc);
        let body = Rect::new(area.x, area.y + 2, area.width, area.height - 2);
        self.render_list(body, buf, rc);
        match &self.mode {
            Mode::Browse => None,
            Mode::Search(p) => {
                let line = Rect::new(area.x, area.y + 1, area.width, 1);
                buf.set_style(line, theme::focus());
                let label = format!(" {} ", tr("hazard.search"));
                let lw = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
                Span::styled(label, theme::title()).render(line, buf);
                let w = area.width.saturating_sub(lw);
                let (s, c) = p.input.visible(w as usize, false);
                Span::styled(s, theme::focus()).render(
                    Rect::new(area.x + lw.min(area.width), area.y + 1, w, 1),
                    buf,
                );
                Some(Position::new(area.x + lw + c as u16, area.y + 1))
            }
            Mode::History { id, events, scroll } => {
                self.render_history(area, buf, rc, id, events, *scroll);
                None
            }
            Mode::Form { kind, form, .. } => {
                let mut title = tr(kind.title());
                if let Some(v) = self.selected()
                    && *kind != super::forms::FormKind::Report
                {
                    title = format!("{title} · {}", v.place);
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

    fn render_header(&self, area: Rect, buf: &mut Buffer, _rc: &RenderCtx) {
        let labels: Vec<String> = View::ALL
            .iter()
            .map(|v| {
                let label = tr(v.label());
                let n = match v {
                    View::Overdue => self.counts.0,
                    View::Serious => self.counts.1,
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
        let mut spans = vec![Span::styled(
            format!(
                " {} ",
                trf("hazard.shown", &[("n", self.rows.len().to_string())])
            ),
            theme::title(),
        )];
        if self.rows.len() >= super::LIMIT {
            spans.push(Span::styled(
                format!(
                    "{} ",
                    trf("hazard.more", &[("n", super::LIMIT.to_string())])
                ),
                theme::muted(),
            ));
        }
        if self.query.is_empty() {
            spans.push(Span::styled(tr("hazard.search_hint"), theme::muted()));
        } else {
            spans.push(Span::raw(format!("{} {}", tr("hazard.search"), self.query)));
        }
        Line::from(spans).render(Rect::new(area.x, area.y + 1, area.width, 1), buf);
    }

    fn render_list(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) {
        if self.rows.is_empty() {
            Paragraph::new(tr("hazard.none"))
                .style(theme::muted())
                .render(area, buf);
            return;
        }
        let cols = [
            col(tr("hazard.col.severity"), 7),
            col(tr("hazard.col.status"), 9),
            col(tr("hazard.col.place"), 16),
            col(tr("hazard.col.description"), 20),
            col(tr("hazard.col.deadline"), 19),
            col(tr("hazard.col.responsible"), 10),
            col(tr("hazard.col.found"), 11),
            col(tr("hazard.col.category"), 8),
        ];
        let h = area.height.saturating_sub(1) as usize;
        let window = self.list.window(self.rows.len(), h);
        let rows = self.rows[window]
            .iter()
            .map(|v| {
                let overdue = is_overdue(v.status, v.deadline_ms, rc.now_ms);
                let deadline = if overdue {
                    trf(
                        "hazard.overdue_since",
                        &[(
                            "t",
                            time::fmt_local(v.deadline_ms, rc.offset_min, "%m-%d %H:%M"),
                        )],
                    )
                } else {
                    time::fmt_local(v.deadline_ms, rc.offset_min, "%m-%d %H:%M")
                };
                (
                    vec![
                        severity_label(v.severity),
                        status_label(v.status),
                        v.place.clone(),
                        v.description.clone(),
                        deadline,
                        v.responsible.clone(),
                        time::fmt_local(v.found_ms, rc.offset_min, "%m-%d %H:%M"),
                        v.category
                            .map(|c| tr(&format!("hazard.cat.{}", c.key())))
                            .unwrap_or_default(),
                    ],
                    row_style(v, rc.now_ms),
                )
            })
            .collect();
        table::draw(area, buf, &cols, rows, self.list.sel_in_window());
    }

    fn name(&self, id: &str) -> String {
        self.names
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }

    fn render_history(
        &self,
        area: Rect,
        buf: &mut Buffer,
        rc: &RenderCtx,
        id: &str,
        events: &[(crate::store::log::EventRecord, Event)],
        scroll: u16,
    ) {
        let Some(v) = self.rows.iter().find(|r| r.id == id) else {
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
                    format!(" {} ", severity_label(v.severity)),
                    row_style(v, rc.now_ms).add_modifier(Modifier::REVERSED),
                ),
                Span::styled(format!(" {} · ", v.place), theme::title()),
                Span::raw(status_label(v.status)),
            ]),
            field(
                "hazard.f.category",
                v.category
                    .map(|c| tr(&format!("hazard.cat.{}", c.key())))
                    .unwrap_or_default(),
            ),
            field("hazard.f.description", v.description.clone()),
            field("hazard.f.containment", v.containment.clone()),
            field(
                "hazard.found_by",
                format!("{} · {}", self.name(&v.reported_by), at(v.found_ms)),
            ),
            field("hazard.f.responsible", v.responsible.clone()),
            field(
                "hazard.f.deadline",
                if is_overdue(v.status, v.deadline_ms, rc.now_ms) {
                    trf("hazard.overdue_since", &[("t", at(v.deadline_ms))])
                } else {
                    at(v.deadline_ms)
                },
            ),
        ];
        for a in &v.attachments {
            let here = self.attachments_here.contains(&a.hash);
            let state = if here {
                tr("hazard.attachment_here")
            } else {
                trf(
                    "hazard.attachment_away",
                    &[("station", self.name(&a.station))],
                )
            };
            lines.push(field(
                "hazard.f.photo",
                format!("{} ({} KB) {state}", a.name, a.size.div_ceil(1024)),
            ));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            tr("hazard.history"),
            theme::title(),
        )));
        for (r, e) in events {
            let (step, detail) = step_text(e, off);
            lines.push(crate::ui::history_line(
                at(r.hlc.ms),
                step,
                detail,
                format!("{} · {}", self.name(&r.actor), self.name(&r.origin)),
            ));
        }
        crate::ui::page(area, buf, tr("hazard.detail_title"), lines, scroll);
    }
}

/// One event of the history in words: the step, then what it says.
fn step_text(e: &Event, off: i32) -> (String, String) {
    let at = |t: i64| time::fmt_local(t, off, "%m-%d %H:%M");
    match e {
        Event::HazardReported(r) => (
            tr("hazard.step.reported"),
            format!("{} · {}", severity_label(Some(r.severity)), r.description),
        ),
        Event::HazardAssigned(a) => (
            tr("hazard.step.assigned"),
            trf(
                "hazard.assigned_to",
                &[("who", a.responsible.clone()), ("t", at(a.deadline_ms))],
            ) + &note(&a.note),
        ),
        Event::HazardRectified(r) => (
            tr("hazard.step.rectified"),
            format!("{} · {} {}", r.measures, r.done_by, at(r.done_ms)),
        ),
        Event::HazardVerified(v) if v.passed => (tr("hazard.verify_pass"), note(&v.note)),
        Event::HazardVerified(v) => (tr("hazard.verify_fail"), v.note.clone()),
        Event::HazardClosed(c) => (tr("hazard.step.closed"), note(&c.note)),
        Event::HazardReopened(r) => (tr("hazard.step.reopened"), r.reason.clone()),
        _ => (String::new(), String::new()),
    }
}

/// "类别：" / "Category: ".
fn label(k: &str) -> String {
    let colon = tr("hazard.colon");
    let space = if colon.is_ascii() { " " } else { "" };
    format!("{}{colon}{space}", tr(k))
}

fn note(s: &str) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!(" · {s}")
    }
}
