//! Forms: labelled fields, one per line, with required marks and inline
//! errors in the current language. Used by every data-entry screen.

use super::text_input::TextInput;
use super::theme;
use crate::action::Action;
use crate::domain::validate::FieldError;
use crate::i18n::{tr, trf};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use std::cell::Cell;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// Shown as dots (PINs).
    Secret,
    /// One of several options, by catalog key; ←/→ or Space cycles.
    Choice(Vec<&'static str>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub id: &'static str,
    pub label: &'static str,
    pub required: bool,
    pub kind: FieldKind,
    pub input: TextInput,
    pub choice: usize,
    pub error: Option<String>,
    /// A short hint shown when there is no error (catalog key).
    pub hint: Option<&'static str>,
}

impl Field {
    pub fn text(id: &'static str, label: &'static str) -> Field {
        Field {
            id,
            label,
            required: false,
            kind: FieldKind::Text,
            input: TextInput::default(),
            choice: 0,
            error: None,
            hint: None,
        }
    }
    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }
    pub fn secret(mut self) -> Field {
        self.kind = FieldKind::Secret;
        self.input.digits_only = true;
        self
    }
    pub fn choice(mut self, options: Vec<&'static str>) -> Field {
        self.kind = FieldKind::Choice(options);
        self
    }
    pub fn hint(mut self, key: &'static str) -> Field {
        self.hint = Some(key);
        self
    }
    pub fn max(mut self, n: usize) -> Field {
        self.input.max_chars = Some(n);
        self
    }
}

/// What a key did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKey {
    /// Consumed; the focused field's text changed.
    Edited,
    /// Consumed without changing text (moved focus or cursor).
    Moved,
    /// Enter on the last field: the caller may save.
    Submit,
    /// Not a form key: let the pane or the app have it.
    Unhandled,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form {
    pub fields: Vec<Field>,
    pub focus: usize,
    scroll: Cell<usize>,
    /// Values when the form was opened or filled, to tell edits from defaults.
    pristine: Vec<(String, usize)>,
    /// Esc was pressed once with input in the form: the next Esc discards.
    armed: bool,
}

/// What a form action asks of the pane that owns the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormStep {
    /// Moved or nothing to do: the form stays.
    Stay,
    /// Save it (Ctrl+S, or Enter on the last field).
    Save,
    /// Leave without saving (Esc on a clean form, or the second Esc).
    Close,
    /// Esc with input typed: warn, and close on the next Esc.
    Armed,
    /// Not a form action.
    Pass,
}

impl Form {
    pub fn new(fields: Vec<Field>) -> Form {
        let mut f = Form {
            fields,
            focus: 0,
            scroll: Cell::new(0),
            pristine: vec![],
            armed: false,
        };
        f.mark_pristine();
        f
    }

    /// Remembers the current values as "unchanged" (after defaults or a fill).
    pub fn mark_pristine(&mut self) {
        self.pristine = self
            .fields
            .iter()
            .map(|f| (f.input.value(), f.choice))
            .collect();
    }

    /// True when something differs from the values last marked pristine:
    /// leaving would lose typing.
    pub fn is_dirty(&self) -> bool {
        self.fields
            .iter()
            .zip(&self.pristine)
            .any(|(f, (v, c))| f.input.value() != *v || f.choice != *c)
    }

    pub fn focused_id(&self) -> &'static str {
        self.fields.get(self.focus).map(|f| f.id).unwrap_or("")
    }

    fn idx(&self, id: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.id == id)
    }

    pub fn value(&self, id: &str) -> String {
        self.idx(id)
            .map(|i| self.fields[i].input.value())
            .unwrap_or_default()
    }

    pub fn set(&mut self, id: &str, v: &str) {
        if let Some(i) = self.idx(id) {
            self.fields[i].input.set(v);
        }
    }

    pub fn choice(&self, id: &str) -> usize {
        self.idx(id).map(|i| self.fields[i].choice).unwrap_or(0)
    }

    pub fn set_choice(&mut self, id: &str, n: usize) {
        if let Some(i) = self.idx(id) {
            self.fields[i].choice = n;
        }
    }

    pub fn focus_on(&mut self, id: &str) {
        if let Some(i) = self.idx(id) {
            self.focus = i;
        }
    }

    pub fn clear_errors(&mut self) {
        for f in &mut self.fields {
            f.error = None;
        }
    }

    /// Shows domain errors beside their fields and focuses the first one.
    pub fn set_errors(&mut self, errs: &[(&'static str, FieldError)]) {
        self.clear_errors();
        let mut first = None;
        for (id, e) in errs {
            if let Some(i) = self.idx(id) {
                self.fields[i].error = Some(trf(e.key(), &e.args()));
                first = Some(first.map_or(i, |f: usize| f.min(i)));
            }
        }
        if let Some(i) = first {
            self.focus = i;
        }
    }

    pub fn error_count(&self) -> usize {
        self.fields.iter().filter(|f| f.error.is_some()).count()
    }

    /// The form's share of the keymap: moving between fields, saving,
    /// leaving. Esc leaves at once when nothing was typed, and otherwise
    /// asks for a second Esc so a slip of the finger loses nothing.
    pub fn update(&mut self, a: Action) -> FormStep {
        let n = self.fields.len();
        if a != Action::Back {
            self.armed = false;
        }
        match a {
            Action::NextField if n > 0 => self.focus = (self.focus + 1) % n,
            Action::PrevField if n > 0 => self.focus = (self.focus + n - 1) % n,
            Action::Confirm if self.focus + 1 >= n => return FormStep::Save,
            Action::Confirm => self.focus += 1,
            Action::Save => return FormStep::Save,
            Action::Back if !self.is_dirty() || self.armed => {
                self.armed = false;
                return FormStep::Close;
            }
            Action::Back => {
                self.armed = true;
                return FormStep::Armed;
            }
            _ => return FormStep::Pass,
        }
        FormStep::Stay
    }

    /// Typing into the focused field (and ←/→ on a choice). Keys that are
    /// not editing come back `Unhandled` for the keymap.
    pub fn handle_key(&mut self, key: KeyEvent) -> FormKey {
        let n = self.fields.len();
        if n == 0 {
            return FormKey::Unhandled;
        }
        // Enter is "next field / save", Tab and arrows move: the keymap's.
        if matches!(
            key.code,
            KeyCode::Tab
                | KeyCode::BackTab
                | KeyCode::Up
                | KeyCode::Down
                | KeyCode::Enter
                | KeyCode::Esc
        ) {
            return FormKey::Unhandled;
        }
        self.armed = false;
        let f = &mut self.fields[self.focus];
        match &f.kind {
            FieldKind::Choice(opts) => {
                let m = opts.len().max(1);
                match key.code {
                    KeyCode::Left => f.choice = (f.choice + m - 1) % m,
                    KeyCode::Right | KeyCode::Char(' ') => f.choice = (f.choice + 1) % m,
                    KeyCode::Char(c) if c.is_ascii_digit() && key.modifiers.is_empty() => {
                        let d = c.to_digit(10).unwrap_or(0) as usize;
                        if (1..=m).contains(&d) {
                            f.choice = d - 1;
                        }
                    }
                    _ => return FormKey::Unhandled,
                }
                f.error = None;
                FormKey::Edited
            }
            _ => {
                let before = f.input.value();
                if !f.input.handle_key(key) {
                    return FormKey::Unhandled;
                }
                if f.input.value() != before {
                    f.error = None;
                    FormKey::Edited
                } else {
                    FormKey::Moved
                }
            }
        }
    }

    pub fn label_width(&self) -> u16 {
        self.fields
            .iter()
            .map(|f| tr(f.label).width() + 2)
            .max()
            .unwrap_or(8) as u16
    }

    /// Draws the fields into `area`, scrolling to keep the focus visible, and
    /// returns where the terminal cursor belongs (the focused text field).
    pub fn render(&self, area: Rect, buf: &mut Buffer, focused: bool) -> Option<Position> {
        if area.height == 0 || area.width < 4 {
            return None;
        }
        // Labels, then the input, then room for the inline error.
        let label_w = self.label_width().min(area.width / 4).max(6);
        let input_w =
            ((area.width.saturating_sub(label_w) as usize) * 45 / 100).clamp(4, 36) as u16;
        let side = area.width.saturating_sub(label_w + input_w + 1) as usize;
        let under = area.width.saturating_sub(label_w) as usize;
        // An error too long for the space beside its field wraps onto the
        // lines under it, whole, rather than being cut at the screen edge.
        let notes: Vec<Vec<String>> = self
            .fields
            .iter()
            .map(|f| match &f.error {
                Some(e) if UnicodeWidthStr::width(format!("✗ {e}").as_str()) > side => {
                    wrap(&format!("✗ {e}"), under.max(1))
                }
                _ => vec![],
            })
            .collect();
        let height = |i: usize| 1 + notes[i].len();
        let rows = area.height as usize;
        let mut scroll = self.scroll.get().min(self.focus);
        while scroll < self.focus && (scroll..=self.focus).map(height).sum::<usize>() > rows {
            scroll += 1;
        }
        self.scroll.set(scroll);
        let mut cursor = None;
        let mut y = area.y;
        for (i, f) in self.fields.iter().enumerate().skip(scroll) {
            if y >= area.bottom() {
                break;
            }
            let is_focus = focused && i == self.focus;
            let mark = if f.required { "*" } else { " " };
            let label = Line::from(vec![
                Span::styled(
                    tr(f.label),
                    if is_focus {
                        theme::title()
                    } else {
                        Style::new()
                    },
                ),
                Span::styled(mark, theme::error()),
            ]);
            label.render(Rect::new(area.x, y, label_w, 1), buf);
            let ix = area.x + label_w;
            let field_rect = Rect::new(ix, y, input_w.min(area.right().saturating_sub(ix)), 1);
            let style = if is_focus {
                theme::focus()
            } else {
                theme::input()
            };
            buf.set_style(field_rect, style);
            let (text, col) = match &f.kind {
                FieldKind::Choice(opts) => {
                    let cur = opts.get(f.choice).map(|k| tr(k)).unwrap_or_default();
                    (format!("◀ {cur} ▶"), 0)
                }
                FieldKind::Secret => f.input.visible(field_rect.width as usize, true),
                FieldKind::Text => f.input.visible(field_rect.width as usize, false),
            };
            Span::styled(text, style).render(field_rect, buf);
            if is_focus && !matches!(f.kind, FieldKind::Choice(_)) {
                cursor = Some(Position::new(field_rect.x + col as u16, y));
            }
            let note_x = field_rect.right() + 1;
            if note_x < area.right() {
                let note_rect = Rect::new(note_x, y, area.right() - note_x, 1);
                match &f.error {
                    Some(e) if notes[i].is_empty() => {
                        Span::styled(format!("✗ {e}"), theme::error()).render(note_rect, buf)
                    }
                    Some(_) => {}
                    None => {
                        if let Some(h) = f.hint.filter(|_| is_focus) {
                            Span::styled(tr(h), theme::muted()).render(note_rect, buf);
                        }
                    }
                }
            }
            y += 1;
            for line in &notes[i] {
                if y >= area.bottom() {
                    break;
                }
                Span::styled(line.clone(), theme::error())
                    .render(Rect::new(ix, y, area.right() - ix, 1), buf);
                y += 1;
            }
        }
        cursor
    }
}

/// Breaks `s` into lines of at most `width` columns (CJK counts two).
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw > width && w > 0 {
            lines.push(String::new());
            w = 0;
        }
        if let Some(l) = lines.last_mut() {
            l.push(c);
        }
        w += cw;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyModifiers;

    fn k(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn text_keys_go_to_the_field_and_pane_keys_do_not() {
        let mut f = Form::new(vec![
            Field::text("name", "visit.f.name"),
            Field::text("b", "visit.f.purpose"),
        ]);
        for c in ['q', '1', '?', 'n', 'o'] {
            assert_eq!(f.handle_key(k(KeyCode::Char(c))), FormKey::Edited);
        }
        assert_eq!(f.value("name"), "q1?no");
        assert_eq!(f.handle_key(k(KeyCode::Esc)), FormKey::Unhandled);
        assert_eq!(
            f.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            FormKey::Unhandled
        );
        assert_eq!(f.handle_key(k(KeyCode::Enter)), FormKey::Unhandled);
        assert_eq!(f.update(Action::Confirm), FormStep::Stay);
        assert_eq!(f.focused_id(), "b");
        assert_eq!(f.update(Action::Confirm), FormStep::Save);
    }

    #[test]
    fn a_long_error_wraps_under_its_field_whole() {
        let mut f = Form::new(vec![
            Field::text("a", "visit.f.name"),
            Field::text("b", "visit.f.purpose"),
        ]);
        let long = "身份证号码有误：请对照证件逐位核对，可能有一位输错了".to_string();
        f.fields[0].error = Some(long.clone());
        let area = Rect::new(0, 0, 60, 6);
        let mut buf = Buffer::empty(area);
        f.render(area, &mut buf, true);
        let text: String = (0..area.height)
            .map(|y| {
                let mut line = String::new();
                let mut x = 0;
                while x < area.width {
                    let sym = buf[(x, y)].symbol();
                    line.push_str(sym);
                    x += (UnicodeWidthStr::width(sym) as u16).max(1);
                }
                line
            })
            .collect::<Vec<_>>()
            .join("\n");
        let joined: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let want: String = long.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(joined.contains(&want), "the whole message shows:\n{text}");
        assert!(
            text.contains(&tr("visit.f.purpose")),
            "the next field is still there"
        );
    }

    #[test]
    fn esc_twice_when_something_was_typed() {
        let mut f = Form::new(vec![Field::text("name", "visit.f.name")]);
        assert_eq!(f.update(Action::Back), FormStep::Close, "clean: one Esc");
        f.handle_key(k(KeyCode::Char('x')));
        assert_eq!(f.update(Action::Back), FormStep::Armed);
        // Typing again disarms: the next Esc warns again.
        f.handle_key(k(KeyCode::Char('y')));
        assert_eq!(f.update(Action::Back), FormStep::Armed);
        assert_eq!(f.update(Action::Back), FormStep::Close);
        assert_eq!(f.value("name"), "xy");
    }

    #[test]
    fn choice_cycles_and_errors_clear_on_edit() {
        let mut f = Form::new(vec![
            Field::text("a", "visit.f.name").choice(vec!["x", "y", "z"]),
        ]);
        f.handle_key(k(KeyCode::Right));
        assert_eq!(f.choice("a"), 1);
        f.handle_key(k(KeyCode::Left));
        f.handle_key(k(KeyCode::Left));
        assert_eq!(f.choice("a"), 2);
        f.handle_key(k(KeyCode::Char('1')));
        assert_eq!(f.choice("a"), 0);
        f.set_errors(&[("a", FieldError::Required)]);
        assert_eq!(f.error_count(), 1);
        f.handle_key(k(KeyCode::Right));
        assert_eq!(f.error_count(), 0);
    }
}
