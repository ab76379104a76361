//! A single-line text field on `tui_input::Input` that measures CJK text by
//! display width, so the cursor lands where a Chinese IME expects it.
//!
//! Keys are mapped to `InputRequest`s here, one by one, rather than handing
//! the crate raw terminal events: only editing keys are consumed, so Ctrl+S,
//! Ctrl+L, Ctrl+C, Esc, Tab, Enter and F-keys still reach the keymap.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::{Input, InputRequest};
use unicode_width::UnicodeWidthChar;

#[derive(Debug, Clone, Default)]
pub struct TextInput {
    input: Input,
    pub max_chars: Option<usize>,
    /// PIN fields: only digits are taken, full-width ones as ASCII.
    pub digits_only: bool,
}

// `Input` has no `PartialEq`; fields compare by what a person sees and edits.
impl PartialEq for TextInput {
    fn eq(&self, other: &Self) -> bool {
        self.input.value() == other.input.value()
            && self.input.cursor() == other.input.cursor()
            && self.max_chars == other.max_chars
            && self.digits_only == other.digits_only
    }
}

impl Eq for TextInput {}

impl TextInput {
    pub fn new(s: &str) -> TextInput {
        TextInput {
            input: Input::new(s.to_string()),
            max_chars: None,
            digits_only: false,
        }
    }

    pub fn value(&self) -> String {
        self.input.value().to_string()
    }

    pub fn set(&mut self, s: &str) {
        self.input = Input::new(s.to_string());
    }

    pub fn is_empty(&self) -> bool {
        self.input.value().is_empty()
    }

    /// Cursor position in chars (Unicode scalar values) from the start.
    pub fn cursor(&self) -> usize {
        self.input.cursor()
    }

    /// The character to insert for a typed `c`, or `None` to refuse it.
    fn accept(&self, c: char) -> Option<char> {
        if self.digits_only {
            // An IME left in full-width mode types ０-９.
            let c = match c {
                '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFEE0)?,
                _ => c,
            };
            return c.is_ascii_digit().then_some(c);
        }
        Some(c)
    }

    /// Handles editing keys; returns false for keys it does not use so
    /// they can reach the form and the pane.
    pub fn handle_key(&mut self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let req = match key.code {
            KeyCode::Char('u') if ctrl && !alt => InputRequest::DeleteLine,
            KeyCode::Char('w') if ctrl && !alt => InputRequest::DeletePrevWord,
            KeyCode::Char(c) if !ctrl && !alt && !c.is_control() => {
                let full = self
                    .max_chars
                    .is_some_and(|m| self.input.value().chars().count() >= m);
                // A refused character is still consumed: in a PIN field a
                // typed `q` must not reach the keymap and quit.
                match self.accept(c) {
                    Some(c) if !full => InputRequest::InsertChar(c),
                    _ => return true,
                }
            }
            KeyCode::Backspace => InputRequest::DeletePrevChar,
            KeyCode::Delete => InputRequest::DeleteNextChar,
            KeyCode::Left if ctrl => InputRequest::GoToPrevWord,
            KeyCode::Right if ctrl => InputRequest::GoToNextWord,
            KeyCode::Left => InputRequest::GoToPrevChar,
            KeyCode::Right => InputRequest::GoToNextChar,
            KeyCode::Home => InputRequest::GoToStart,
            KeyCode::End => InputRequest::GoToEnd,
            _ => return false,
        };
        // `None` means nothing changed (Backspace at the start): still ours.
        self.input.handle(req);
        true
    }

    /// The visible part for a field `width` columns wide and the cursor's
    /// column within it; scrolls so the cursor stays visible.
    pub fn visible(&self, width: usize, mask: bool) -> (String, usize) {
        let chars: Vec<char> = self.input.value().chars().collect();
        let cursor = self.input.cursor().min(chars.len());
        let w = |c: &char| if mask { 1 } else { c.width().unwrap_or(0) };
        let width = width.max(1);
        // Start so that the text up to the cursor fits, leaving room for it.
        let mut start = 0;
        let mut before: usize = chars[..cursor].iter().map(w).sum();
        while before + 1 > width && start < cursor {
            before -= w(&chars[start]);
            start += 1;
        }
        // Text cut at the left says so with an ellipsis, one column more:
        // "tui/visitors.xlsx" alone reads like a different path.
        let cut = start > 0 && !mask && width > 2;
        if cut {
            while before + 2 > width && start < cursor {
                before -= w(&chars[start]);
                start += 1;
            }
        }
        let mut out = String::new();
        let mut used = 0;
        if cut {
            out.push('…');
            used = 1;
            before += 1;
        }
        for c in &chars[start..] {
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
    use proptest::prelude::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn typed(t: &mut TextInput, s: &str) {
        for c in s.chars() {
            t.handle_key(key(KeyCode::Char(c)));
        }
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
        t.handle_key(key(KeyCode::Left));
        t.handle_key(key(KeyCode::Left));
        assert_eq!(t.cursor(), 1);
        typed(&mut t, "李");
        assert_eq!(t.value(), "三李q1");
        t.handle_key(key(KeyCode::Right));
        t.handle_key(key(KeyCode::Backspace));
        assert_eq!(t.value(), "三李1");
        // Backspace at the start changes nothing but is still a field key.
        t.handle_key(key(KeyCode::Home));
        assert!(t.handle_key(key(KeyCode::Backspace)));
        assert_eq!(t.value(), "三李1");
    }

    #[test]
    fn keymap_keys_are_not_consumed() {
        let mut t = TextInput::new("abc");
        for k in [
            ctrl('s'),
            ctrl('l'),
            ctrl('c'),
            key(KeyCode::Esc),
            key(KeyCode::Tab),
            KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT),
            key(KeyCode::Enter),
            key(KeyCode::F(1)),
            key(KeyCode::F(9)),
            key(KeyCode::Up),
            key(KeyCode::Down),
            key(KeyCode::PageDown),
            KeyEvent::new(KeyCode::Char('1'), KeyModifiers::ALT),
        ] {
            assert!(!t.handle_key(k), "{k:?} consumed");
        }
        assert_eq!(t.value(), "abc");
        assert_eq!(t.cursor(), 3);
    }

    #[test]
    fn ctrl_u_clears_and_ctrl_w_deletes_a_word() {
        let mut t = TextInput::new("张三 李四");
        t.handle_key(key(KeyCode::Left));
        assert!(t.handle_key(ctrl('u')));
        assert!(t.is_empty());
        assert_eq!(t.cursor(), 0);
        let mut t = TextInput::new("303 room five");
        assert!(t.handle_key(ctrl('w')));
        assert_eq!(t.value(), "303 room ");
        t.handle_key(ctrl('w'));
        assert_eq!(t.value(), "303 ");
        // Shifted letters are text.
        assert!(t.handle_key(KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT)));
        assert_eq!(t.value(), "303 A");
    }

    #[test]
    fn cursor_column_counts_cjk_as_two() {
        let t = TextInput::new("张三ab");
        assert_eq!(t.visible(20, false), ("张三ab".into(), 6));
        let (shown, col) = t.visible(4, false);
        assert!(col < 4, "{shown} {col}");
        let mut t = TextInput::new("张三ab");
        t.handle_key(key(KeyCode::Home));
        t.handle_key(key(KeyCode::Right));
        assert_eq!(t.visible(20, false).1, 2);
        // Masked text counts one column a character, whatever it is.
        assert_eq!(t.visible(20, true), ("••••".into(), 1));
    }

    #[test]
    fn long_text_scrolls_to_keep_the_cursor_on_the_field() {
        let t = TextInput::new(&"张".repeat(30));
        let (shown, col) = t.visible(10, false);
        // Cut at the left: an ellipsis, then the end with the cursor.
        assert_eq!(col, 9);
        assert_eq!(shown, format!("…{}", "张".repeat(4)));
        let path = TextInput::new("/tmp/tui/visitors-20261130.xlsx");
        assert_eq!(path.visible(12, false), ("…61130.xlsx".to_string(), 11));
        // A PIN shows no ellipsis: it would tell how long it is.
        let pin = TextInput::new("123456");
        assert_eq!(pin.visible(4, true).0, "•••");
        let mut t = t;
        t.handle_key(key(KeyCode::Home));
        let (shown, col) = t.visible(10, false);
        assert_eq!((shown, col), ("张".repeat(5), 0));
    }

    #[test]
    fn max_chars_respected() {
        let mut t = TextInput::new("1234");
        t.max_chars = Some(4);
        assert!(t.handle_key(key(KeyCode::Char('5'))));
        assert_eq!(t.value(), "1234");
        t.handle_key(key(KeyCode::Backspace));
        typed(&mut t, "张李");
        assert_eq!(t.value(), "123张");
    }

    #[test]
    fn digits_only_takes_digits_and_folds_full_width() {
        let mut t = TextInput {
            digits_only: true,
            max_chars: Some(8),
            ..TextInput::default()
        };
        for c in "1a２q-三 ３😀".chars() {
            assert!(
                t.handle_key(key(KeyCode::Char(c))),
                "{c} reached the keymap"
            );
        }
        assert_eq!(t.value(), "123");
        typed(&mut t, "４５６７８９");
        assert_eq!(t.value(), "12345678");
        assert_eq!(t.visible(12, true), ("••••••••".into(), 8));
        // Keymap keys still pass through a PIN field.
        assert!(!t.handle_key(ctrl('s')));
        assert!(!t.handle_key(key(KeyCode::Enter)));
    }

    fn any_key() -> impl Strategy<Value = KeyEvent> {
        let code = prop_oneof![
            4 => any::<char>().prop_map(KeyCode::Char),
            2 => prop::sample::select(vec!['张', '三', '😀', '\u{301}', '１', 'a', ' ', '-'])
                .prop_map(KeyCode::Char),
            1 => prop::sample::select(vec![
                KeyCode::Backspace,
                KeyCode::Delete,
                KeyCode::Left,
                KeyCode::Right,
                KeyCode::Home,
                KeyCode::End,
                KeyCode::Enter,
                KeyCode::Esc,
                KeyCode::Tab,
                KeyCode::F(2),
            ]),
        ];
        let mods = prop::sample::select(vec![
            KeyModifiers::NONE,
            KeyModifiers::SHIFT,
            KeyModifiers::CONTROL,
            KeyModifiers::ALT,
        ]);
        (code, mods).prop_map(|(c, m)| KeyEvent::new(c, m))
    }

    proptest! {
        #[test]
        fn random_keys_keep_the_field_consistent(
            start in ".{0,12}",
            keys in prop::collection::vec(any_key(), 0..60),
            max in prop::option::of(0usize..10),
            digits in any::<bool>(),
            width in 0usize..30,
        ) {
            let mut t = TextInput::new(&start);
            t.max_chars = max;
            t.digits_only = digits;
            let start_len = start.chars().count();
            for k in keys {
                t.handle_key(k);
                let value = t.value();
                let n = value.chars().count();
                prop_assert!(t.cursor() <= n, "cursor {} past {n}", t.cursor());
                if let Some(m) = max {
                    prop_assert!(n <= m.max(start_len), "{n} chars over max {m}");
                }
                if digits {
                    let typed = value.chars().filter(|c| !start.contains(*c));
                    prop_assert!(typed.clone().all(|c| c.is_ascii_digit()), "{value}");
                }
                for mask in [false, true] {
                    let (shown, col) = t.visible(width, mask);
                    let shown_w: usize = if mask {
                        shown.chars().count()
                    } else {
                        shown.chars().map(|c| c.width().unwrap_or(0)).sum()
                    };
                    prop_assert!(col < width.max(1), "col {col} width {width}");
                    prop_assert!(shown_w <= width.max(1), "{shown:?} wider than {width}");
                }
            }
        }
    }
}
