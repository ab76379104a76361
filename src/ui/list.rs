//! The list view every pane shares: one selection, the same keys
//! (↑/↓, PgUp/PgDn, Home/End) and the same mouse (click a row, wheel)
//! everywhere. Drawing only reads it: the visible window is worked out
//! from the last drawn height, kept in cells so `render` can take `&self`.

use crate::action::Action;
use std::cell::Cell;
use std::ops::Range;

#[derive(Debug, Default, Clone)]
pub struct ListState {
    pub sel: usize,
    top: Cell<usize>,
    height: Cell<usize>,
}

impl ListState {
    /// Rows shown in the last frame (at least 1), for PgUp/PgDn.
    pub fn height(&self) -> usize {
        self.height.get().max(1)
    }

    pub fn top(&self) -> usize {
        self.top.get()
    }

    /// Keeps the selection inside a list of `len` rows.
    pub fn clamp(&mut self, len: usize) {
        self.sel = self.sel.min(len.saturating_sub(1));
    }

    pub fn move_by(&mut self, delta: isize, len: usize) {
        self.sel = (self.sel as isize + delta).clamp(0, len.saturating_sub(1) as isize) as usize;
    }

    /// The shared navigation actions; false for anything else.
    pub fn navigate(&mut self, a: Action, len: usize) -> bool {
        let page = self.height() as isize;
        match a {
            Action::Up => self.move_by(-1, len),
            Action::Down => self.move_by(1, len),
            Action::PageUp => self.move_by(-page, len),
            Action::PageDown => self.move_by(page, len),
            Action::Home => self.sel = 0,
            Action::End => self.sel = len.saturating_sub(1),
            _ => return false,
        }
        true
    }

    /// The rows to draw in `height` lines, scrolled so the selection shows.
    pub fn window(&self, len: usize, height: usize) -> Range<usize> {
        let h = height.max(1);
        self.height.set(h);
        let sel = self.sel.min(len.saturating_sub(1));
        let mut top = self.top.get().min(len.saturating_sub(1));
        if sel < top {
            top = sel;
        } else if sel >= top + h {
            top = sel + 1 - h;
        }
        self.top.set(top);
        top..(top + h).min(len)
    }

    /// The selection inside the drawn window, for highlighting.
    pub fn sel_in_window(&self) -> Option<usize> {
        self.sel.checked_sub(self.top.get())
    }

    /// A click on the `row`-th drawn row (0 = first under the header):
    /// selects it and returns its index, or None past the end.
    pub fn click(&mut self, row: usize, len: usize) -> Option<usize> {
        let i = self.top.get() + row;
        (i < len).then(|| {
            self.sel = i;
            i
        })
    }

    /// After a reload: keep the selection on the same record if it is still
    /// there (rows may have come or gone above it), else stay in range.
    pub fn follow<T>(&mut self, rows: &[T], was: Option<&str>, id: impl Fn(&T) -> &str) {
        if let Some(w) = was
            && let Some(i) = rows.iter().position(|r| id(r) == w)
        {
            self.sel = i;
            return;
        }
        self.clamp(rows.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_follows_the_selection_both_ways() {
        let mut l = ListState::default();
        assert_eq!(l.window(100, 10), 0..10);
        l.navigate(Action::PageDown, 100);
        assert_eq!(l.sel, 10);
        assert_eq!(l.window(100, 10), 1..11);
        l.navigate(Action::End, 100);
        assert_eq!(l.window(100, 10), 90..100);
        assert_eq!(l.sel_in_window(), Some(9));
        l.navigate(Action::Home, 100);
        assert_eq!(l.window(100, 10), 0..10);
        assert_eq!(l.click(3, 100), Some(3));
        assert_eq!(l.click(50, 5), None);
    }

    #[test]
    fn empty_and_shrinking_lists_never_panic() {
        let mut l = ListState::default();
        for a in [Action::Up, Action::Down, Action::PageDown, Action::End] {
            l.navigate(a, 0);
            assert_eq!(l.sel, 0);
            assert_eq!(l.window(0, 0), 0..0);
        }
        l.sel = 40;
        l.clamp(3);
        assert_eq!(l.sel, 2);
    }

    #[test]
    fn selection_stays_on_the_same_record() {
        let mut l = ListState {
            sel: 1,
            ..Default::default()
        };
        let rows = ["a", "x", "b", "c"];
        l.follow(&rows, Some("b"), |r| r);
        assert_eq!(l.sel, 2);
        l.follow(&rows[..2], Some("gone"), |r| r);
        assert_eq!(l.sel, 1);
    }
}
