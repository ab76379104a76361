//! Drawing the roster view from loaded state (no queries while drawing).

use super::form::shift_label;
use super::{Mode, RosterView};
use crate::domain::duty::{DutyFlag, DutyPerson};
use crate::domain::time;
use crate::i18n::{tr, trf};
use crate::panes::RenderCtx;
use crate::store::duty::DutyRow;
use crate::ui::table::{self, col};
use crate::ui::{centered, dialog, form_screen, theme};
use chrono::{Datelike, Duration};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

fn hhmm(ms: i64, rc: &RenderCtx) -> String {
    time::fmt_local(ms, rc.offset_min, "%H:%M")
}

/// The row's colour: uncovered in the error colour, late or unplanned as a
/// warning, a shift with no line muted.
pub fn row_style(r: &DutyRow) -> Style {
    if r.flags.contains(&DutyFlag::Uncovered) {
        theme::error()
    } else if r.flags.iter().any(|f| {
        matches!(
            f,
            DutyFlag::Late { .. } | DutyFlag::Unplanned { .. } | DutyFlag::PreviousNotHandedOver
        )
    }) {
        Style::new().fg(theme::WARN).add_modifier(Modifier::BOLD)
    } else if r.plan.is_none() {
        theme::muted()
    } else {
        Style::new()
    }
}

fn names(people: &[DutyPerson]) -> String {
    people
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

fn date_text(r: &DutyRow) -> String {
    match r.shift.naive_date() {
        Some(d) => format!(
            "{} {}",
            d.format("%m-%d"),
            tr(&format!(
                "report.weekday.{}",
                d.weekday().number_from_monday()
            ))
        ),
        None => r.shift.date.clone(),
    }
}

pub fn render(v: &RosterView, area: Rect, buf: &mut Buffer, rc: &RenderCtx) -> Option<Position> {
    if area.height < 3 {
        return None;
    }
    if let Some(week) = v.week {
        let head = trf(
            "duty.roster.week",
            &[
                ("from", week.format("%Y-%m-%d").to_string()),
                ("to", (week + Duration::days(6)).format("%m-%d").to_string()),
            ],
        );
        let scope = tr(if v.all_stations {
            "duty.roster.all_stations"
        } else {
            "duty.roster.this_station"
        });
        Line::from(vec![
            Span::styled(format!(" {head} "), theme::title()),
            Span::styled(scope, theme::muted()),
        ])
        .render(Rect::new(area.x, area.y, area.width, 1), buf);
    }
    let list = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    let window = v
        .list
        .window(v.rows.len(), list.height.saturating_sub(1) as usize);
    let mut cols = vec![col(String::new(), 1), col(tr("duty.col.date"), 8)];
    if v.all_stations {
        cols.push(col(tr("duty.col.station"), 10));
    }
    cols.extend([
        col(tr("duty.col.shift"), 17),
        col(tr("duty.col.people"), 14),
        col(tr("duty.col.arrivals"), 14),
        col(tr("duty.col.flags"), 18),
        col(tr("duty.col.leader"), 11),
        col(tr("duty.col.posts"), 20),
        col(tr("duty.col.note"), 12),
    ]);
    let mut rows = vec![];
    for r in &v.rows[window] {
        let row = &r.row;
        let now = v.current.as_ref() == Some(&row.shift);
        let plan = row.plan.as_ref();
        let arrivals: Vec<String> = row
            .arrivals
            .iter()
            .filter(|a| a.2 < row.window.1)
            .map(|a| format!("{} {}", a.1, hhmm(a.2, rc)))
            .collect();
        let flags: Vec<String> = row
            .flags
            .iter()
            .map(crate::i18n::facts::duty_flag)
            .collect();
        let mut cells = vec![if now { "▶".into() } else { String::new() }, date_text(row)];
        if v.all_stations {
            cells.push(r.station.clone());
        }
        cells.extend([
            format!("{} {}", shift_label(&row.shift.shift), row.def.span_text()),
            plan.map(|p| names(&p.people)).unwrap_or_default(),
            arrivals.join(" "),
            flags.join(" "),
            plan.and_then(|p| p.leader.as_ref())
                .map(|l| l.name.clone())
                .unwrap_or_default(),
            plan.map(|p| {
                p.posts
                    .iter()
                    .map(|p| format!("{}:{}", p.post, p.person.name))
                    .collect::<Vec<_>>()
                    .join("；")
            })
            .unwrap_or_default(),
            plan.map(|p| p.note.clone()).unwrap_or_default(),
        ]);
        let mut style = row_style(row);
        if now {
            style = style.add_modifier(Modifier::REVERSED);
        }
        rows.push((cells, style));
    }
    table::draw(list, buf, &cols, rows, v.list.sel_in_window());
    if v.rows.is_empty() {
        Span::styled(tr("duty.roster.empty"), theme::muted()).render(
            Rect::new(list.x + 1, list.y + 1, list.width.saturating_sub(1), 1),
            buf,
        );
    }
    render_mode(v, area, buf)
}

fn render_mode(v: &RosterView, area: Rect, buf: &mut Buffer) -> Option<Position> {
    match &v.mode {
        Mode::Browse => None,
        Mode::Form { editing, form, .. } => {
            let title = tr(if editing.is_some() {
                "duty.roster.edit_title"
            } else {
                "duty.roster.new_title"
            });
            form_screen(form, &title, area, buf)
        }
        Mode::ConfirmRemove(id) => {
            let what = format!("{} {}", id.date, shift_label(&id.shift));
            dialog(
                area,
                buf,
                &tr("duty.roster.remove_title"),
                vec![
                    Line::from(trf("duty.roster.remove_prompt", &[("shift", what)])),
                    Line::from(""),
                    Line::from(Span::styled(tr("duty.roster.yes_no"), theme::muted())),
                ],
                52,
                3,
            );
            None
        }
        Mode::Import { path } => {
            let inner = dialog(
                area,
                buf,
                &tr("duty.import.title"),
                vec![
                    Line::from(tr("duty.import.prompt")),
                    Line::from(""),
                    Line::from(Span::styled(tr("dialog.enter_esc"), theme::muted())),
                ],
                area.width.saturating_sub(4).min(76),
                3,
            );
            let r = Rect::new(inner.x, inner.y + 1, inner.width, 1);
            buf.set_style(r, theme::focus());
            let (s, c) = path.input.visible(inner.width as usize, false);
            Span::styled(s, theme::focus()).render(r, buf);
            Some(Position::new(inner.x + c as u16, inner.y + 1))
        }
        Mode::Preview { lines, scroll, .. } => {
            let r = centered(area, 76, area.height.saturating_sub(2).max(3));
            crate::ui::clear(r, buf);
            Paragraph::new(
                lines
                    .iter()
                    .map(|l| Line::from(l.clone()))
                    .collect::<Vec<_>>(),
            )
            .block(Block::default().borders(Borders::ALL).title(Span::styled(
                format!(" {} ", tr("duty.import.preview_title")),
                theme::title(),
            )))
            .scroll((*scroll, 0))
            .render(r, buf);
            None
        }
    }
}
