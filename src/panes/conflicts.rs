//! F8: contradictions between stations, for a duty leader to decide. Each
//! shows the competing records, which station made each and when; the
//! decision is recorded as an event and travels to every station.

use super::{Handled, PaneCtx, error_text};
use crate::domain::event::Event;
use crate::domain::role::{Permission, allows};
use crate::domain::time;
use crate::i18n::{tr, trf};
use crate::store::conflicts::Conflict;
use crate::ui::text_input::TextInput;
use crate::ui::{table, theme};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
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
    pub deciding: Option<(usize, TextInput)>,
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
        })
    }

    pub fn in_text(&self) -> bool {
        self.deciding.is_some()
    }

    /// Returns (handled, close).
    pub fn handle_key(&mut self, key: KeyEvent, ctx: &mut PaneCtx) -> (Handled, bool) {
        if let Some((choice, note)) = &mut self.deciding {
            let n = self
                .items
                .get(self.sel)
                .map(|s| s.options.len())
                .unwrap_or(1)
                .max(1);
            match key.code {
                KeyCode::Esc => self.deciding = None,
                KeyCode::Up => *choice = (*choice + n - 1) % n,
                KeyCode::Down => *choice = (*choice + 1) % n,
                KeyCode::Enter => {
                    let Some(item) = self.items.get(self.sel) else {
                        return (Handled::Yes, false);
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
                _ => {
                    if !note.handle_key(key) {
                        return (Handled::No, false);
                    }
                }
            }
            return (Handled::Yes, false);
        }
        match key.code {
            KeyCode::Esc => return (Handled::Yes, true),
            KeyCode::Up => self.sel = self.sel.saturating_sub(1),
            KeyCode::Down => self.sel = (self.sel + 1).min(self.items.len().saturating_sub(1)),
            KeyCode::Enter => {
                if !allows(ctx.actor.role, Permission::ResolveConflicts) {
                    ctx.err(tr("err.forbidden"));
                } else if !self.items.is_empty() {
                    self.deciding = Some((0, TextInput::default()));
                }
            }
            _ => return (Handled::No, false),
        }
        (Handled::Yes, false)
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
                let (t, c) = note.visible(field.width as usize, false);
                Span::styled(t, theme::focus()).render(field, buf);
                return Some(Position::new(field.x + c as u16, ny));
            }
        }
        None
    }
}
