//! A single-line text field that measures CJK text by display width, so the
//! cursor lands where a Chinese IME expects it.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use unicode_width::UnicodeWidthChar;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    chars: Vec<char>,
    /// Cursor position in chars.
    cursor: usize,
    pub max_chars: Option<usize>,
}

impl TextInput {
    pub fn new(s: &str) -> TextInput {
        let chars: Vec<char> = s.chars().collect();
        TextInput {
            cursor: chars.len(),
            chars,
            max_chars: None,
        }
    }

    pub fn value(&self) -> String {
        self.chars.iter().collect()
    }

    pub fn set(&mut self, s: &str) {
        self.chars = s.chars().collect();
        self.cursor = self.chars.len();
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// Handles editing keys; returns false for keys it does not use so
    /// they can reach the form and the pane.
    pub fn handle_key(&mut self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Char('u') if ctrl => {
                self.chars.drain(..self.cursor);
                self.cursor = 0;
            }
            KeyCode::Char(c) if !ctrl && !alt && !c.is_control() => {
                if self.max_chars.is_some_and(|m| self.chars.len() >= m) {
                    return true;
                }
                self.chars.insert(self.cursor, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                self.chars.remove(self.cursor);
            }
            KeyCode::Backspace => {}
            KeyCode::Delete if self.cursor < self.chars.len() => {
                self.chars.remove(self.cursor);
            }
            KeyCode::Delete => {}
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.chars.len()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.chars.len(),
            _ => return false,
        }
        true
    }

    /// The visible part for a field `width` columns wide and the cursor's
    /// column within it; scrolls so the cursor stays visible.
    pub fn visible(&self, width: usize, mask: bool) -> (String, usize) {
        let w = |c: &char| if mask { 1 } else { c.width().unwrap_or(0) };
        let width = width.max(1);
        // Start so that the text up to the cursor fits, leaving room for it.
        let mut start = 0;
        let mut before: usize = self.chars[..self.cursor].iter().map(w).sum();
        while before + 1 > width && start < self.cursor {
            before -= w(&self.chars[start]);
            start += 1;
        }
        let mut out = String::new();
        let mut used = 0;
        for c in &self.chars[start..] {
            let cw = w(c);
            if used + cw > width {
                break;
            }
            out.push(if mask { '•' } else { *c });
            used += cw;
        }
        (out, before)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn edits_and_cursor() {
        let mut t = TextInput::default();
        for c in "张三q1?".chars() {
            assert!(t.handle_key(key(KeyCode::Char(c))));
        }
        assert_eq!(t.value(), "张三q1?");
        t.handle_key(key(KeyCode::Home));
        t.handle_key(key(KeyCode::Delete));
        assert_eq!(t.value(), "三q1?");
        t.handle_key(key(KeyCode::End));
        t.handle_key(key(KeyCode::Backspace));
        assert_eq!(t.value(), "三q1");
        assert!(!t.handle_key(key(KeyCode::Esc)));
        assert!(!t.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)));
    }

    #[test]
    fn cursor_column_counts_cjk_as_two() {
        let t = TextInput::new("张三ab");
        assert_eq!(t.visible(20, false), ("张三ab".into(), 6));
        let (shown, col) = t.visible(4, false);
        assert!(col < 4, "{shown} {col}");
    }

    #[test]
    fn max_chars_respected() {
        let mut t = TextInput::new("1234");
        t.max_chars = Some(4);
        t.handle_key(key(KeyCode::Char('5')));
        assert_eq!(t.value(), "1234");
    }
}
