//! Picking a boarder by typing: name, pinyin initials, class, bed (305-2,
//! or the roll-call's 3052) or a guardian's phone. Used by the roll-call
//! forms and the gate.

use super::{Input, PaneCtx};
use crate::action::Action;
use crate::domain::roster::Student;
use crate::domain::student_query;
use crate::i18n::tr;
use crate::store::rollcall::bed_label;
use crate::ui::text_input::TextInput;
use crate::ui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::Widget;

#[derive(Default)]
pub struct Picker {
    pub input: TextInput,
    pub results: Vec<Student>,
    pub sel: usize,
}

pub enum Picked {
    /// Still choosing (key used).
    Busy,
    Chosen(Box<Student>),
    /// Not a picker key.
    Pass,
}

/// Matches shown at most.
const LIMIT: usize = 8;

/// Boarders matching any reading of `q` (bed digits as "room-bed" first),
/// each once.
fn find(ctx: &mut PaneCtx, q: &str) -> Vec<Student> {
    let mut out: Vec<Student> = vec![];
    for form in student_query::search_forms(q) {
        match ctx.store.find_students(&form, LIMIT) {
            Ok(found) => {
                for s in found {
                    if !out.iter().any(|o| o.id == s.id) {
                        out.push(s);
                    }
                }
            }
            Err(e) => ctx.err(super::error_text(&e)),
        }
    }
    out.truncate(LIMIT);
    out
}

impl Picker {
    /// Typing narrows the matches; ↑/↓ and Enter (the keymap's Picker
    /// context) choose. An empty result says so instead of staying blank.
    pub fn handle(&mut self, input: Input, ctx: &mut PaneCtx) -> Picked {
        match input {
            Input::Act(Action::Up) => self.sel = self.sel.saturating_sub(1),
            Input::Act(Action::Down) => {
                self.sel = (self.sel + 1).min(self.results.len().saturating_sub(1))
            }
            Input::Act(Action::Choose) => {
                return match self.results.get(self.sel) {
                    Some(s) => Picked::Chosen(Box::new(s.clone())),
                    None => {
                        if !self.input.is_empty() {
                            ctx.err(tr("picker.none_found"));
                        }
                        Picked::Busy
                    }
                };
            }
            Input::Act(_) => return Picked::Pass,
            Input::Key(key) => {
                let before = self.input.value();
                if !self.input.handle_key(key) {
                    return Picked::Pass;
                }
                if self.input.value() != before {
                    self.results = find(ctx, &self.input.value());
                    self.sel = 0;
                }
            }
        }
        Picked::Busy
    }

    /// The query line and the matches under it; returns the cursor.
    pub fn render(&self, area: Rect, buf: &mut Buffer, label: &str) -> Option<Position> {
        if area.height == 0 {
            return None;
        }
        let lw = unicode_width::UnicodeWidthStr::width(label) as u16 + 1;
        Span::styled(label.to_string(), theme::title())
            .render(Rect::new(area.x, area.y, lw, 1), buf);
        let field = Rect::new(
            area.x + lw,
            area.y,
            area.width.saturating_sub(lw).min(30),
            1,
        );
        buf.set_style(field, theme::focus());
        let (t, c) = self.input.visible(field.width as usize, false);
        Span::styled(t, theme::focus()).render(field, buf);
        for (i, s) in self
            .results
            .iter()
            .enumerate()
            .take(area.height.saturating_sub(1) as usize)
        {
            let building = s.bed.as_ref().map(|b| b.building.as_str()).unwrap_or("");
            let line = format!(
                "{}  {}  {} {}",
                s.data.name,
                s.data.class,
                building,
                bed_label(&s.bed)
            );
            let style = if i == self.sel {
                theme::selected()
            } else {
                Style::new()
            };
            Span::styled(line, style).render(
                Rect::new(
                    area.x + lw,
                    area.y + 1 + i as u16,
                    area.width.saturating_sub(lw),
                    1,
                ),
                buf,
            );
        }
        Some(Position::new(field.x + c as u16, field.y))
    }
}
