//! Login, and unlocking after the idle lock: pick an operator, type the PIN.

use crate::domain::role::Actor;
use crate::i18n::{tr, trf};
use crate::panes::error_text;
use crate::store::operators::Operator;
use crate::store::{Store, StoreError};
use crate::ui::text_input::TextInput;
use crate::ui::{table, theme};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

pub struct LoginScreen {
    pub operators: Vec<Operator>,
    pub sel: usize,
    pub pin: TextInput,
    pub error: Option<String>,
    /// Locked by idle time: shows "locked" and keeps the operator selected.
    pub locked: bool,
    /// Demo databases show their operators and PINs.
    pub demo: Vec<(String, String)>,
}

impl LoginScreen {
    pub fn new(
        store: &Store,
        locked_as: Option<&Actor>,
        demo: Vec<(String, String)>,
    ) -> LoginScreen {
        let operators: Vec<Operator> = store
            .operators()
            .unwrap_or_default()
            .into_iter()
            .filter(|o| o.active)
            .collect();
        let sel = locked_as
            .and_then(|a| operators.iter().position(|o| o.id == a.id))
            .unwrap_or(0);
        let mut pin = TextInput::default();
        pin.max_chars = Some(8);
        pin.digits_only = true;
        LoginScreen {
            operators,
            sel,
            pin,
            error: None,
            locked: locked_as.is_some(),
            demo,
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent, store: &mut Store) -> Option<Actor> {
        match key.code {
            KeyCode::Up => {
                self.sel = self.sel.saturating_sub(1);
                self.pin.set("");
            }
            KeyCode::Down => {
                self.sel = (self.sel + 1).min(self.operators.len().saturating_sub(1));
                self.pin.set("");
            }
            KeyCode::Enter => {
                let op = self.operators.get(self.sel)?;
                match store.login(&op.id, &self.pin.value()) {
                    Ok(op) => return Some(op.actor()),
                    // Busy: nothing was decided, so the PIN stays for the
                    // retry (the frame sends Enter again while it waits).
                    Err(e @ StoreError::Busy) => self.error = Some(error_text(&e)),
                    Err(e) => {
                        self.error = Some(error_text(&e));
                        self.pin.set("");
                    }
                }
            }
            KeyCode::Char(c) if c.is_ascii_digit() => {
                self.error = None;
                self.pin.handle_key(key);
            }
            _ => {
                self.pin.handle_key(key);
            }
        }
        None
    }

    /// `waiting`: the line shown while the sign-in waits for the database.
    pub fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        school: &str,
        waiting: Option<&str>,
    ) -> Option<Position> {
        let h = (self.operators.len() as u16
            + 9
            + if self.demo.is_empty() {
                0
            } else {
                self.demo.len() as u16 + 2
            })
        .min(area.height);
        let rect = crate::ui::centered(area, 64, h);
        let title = if self.locked {
            tr("login.locked_title")
        } else {
            tr("login.title")
        };
        let block = Block::bordered().title(Span::styled(
            format!(" {title} · {school} "),
            theme::title(),
        ));
        let inner = block.inner(rect);
        block.render(rect, buf);
        let mut y = inner.y;
        Line::from(tr("login.pick")).render(Rect::new(inner.x, y, inner.width, 1), buf);
        y += 1;
        let list_h = (self.operators.len() as u16 + 1).min(inner.height.saturating_sub(6));
        let rows = self
            .operators
            .iter()
            .map(|o| {
                (
                    vec![o.name.clone(), tr(&format!("role.{}", o.role.key()))],
                    Style::new(),
                )
            })
            .collect();
        table::draw(
            Rect::new(inner.x + 2, y, inner.width.saturating_sub(2), list_h),
            buf,
            &[
                table::col(tr("station.col.name"), 16),
                table::col(tr("station.col.role"), 12),
            ],
            rows,
            Some(self.sel),
        );
        y += list_h + 1;
        let label = tr("login.pin");
        let lw = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
        Span::styled(label, theme::title()).render(Rect::new(inner.x, y, lw, 1), buf);
        let field = Rect::new(inner.x + lw + 1, y, 12, 1);
        buf.set_style(field, theme::focus());
        let (t, c) = self.pin.visible(12, true);
        Span::styled(t, theme::focus()).render(field, buf);
        let cursor = Position::new(field.x + c as u16, y);
        y += 1;
        if let Some(w) = waiting {
            Span::styled(w.to_string(), Style::new().fg(theme::WARN))
                .render(Rect::new(inner.x, y, inner.width, 1), buf);
        } else if let Some(e) = &self.error {
            Span::styled(e.clone(), theme::error())
                .render(Rect::new(inner.x, y, inner.width, 1), buf);
        }
        y += 1;
        Span::styled(tr("login.keys"), theme::muted())
            .render(Rect::new(inner.x, y, inner.width, 1), buf);
        y += 1;
        if !self.demo.is_empty() && y + 1 < inner.bottom() {
            let mut lines = vec![Line::from(Span::styled(
                tr("login.demo"),
                Style::new().fg(theme::WARN),
            ))];
            for (n, p) in &self.demo {
                lines.push(Line::from(trf(
                    "login.demo_line",
                    &[("name", n.clone()), ("pin", p.clone())],
                )));
            }
            Paragraph::new(lines).render(
                Rect::new(
                    inner.x,
                    y + 1,
                    inner.width,
                    inner.bottom().saturating_sub(y + 1),
                ),
                buf,
            );
        }
        Some(cursor)
    }
}
