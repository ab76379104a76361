//! A keyset-paged window over the visit history: only a few pages are ever
//! in memory, so scrolling 150,000 visits costs the same as scrolling 100.

use crate::store::visits::{Cursor, HistoryFilter, Page, VisitRow};
use crate::store::{Store, StoreError};

/// Rows read per page: a screenful and some. Every search key reads one
/// page, and a one-letter search walks the history until a page of matches,
/// so a page no larger than needed keeps typing fast.
pub const PAGE: usize = 60;

#[derive(Debug, Default)]
pub struct HistoryWindow {
    pub rows: Vec<VisitRow>,
    pub sel: usize,
    /// First row drawn; kept in a cell so drawing can scroll with `&self`.
    pub top: std::cell::Cell<usize>,
    height: std::cell::Cell<usize>,
    pub has_older: bool,
    pub has_newer: bool,
    pub filter: Option<HistoryFilter>,
}

fn cursor(r: &VisitRow) -> Cursor {
    (r.time_in, r.id.clone())
}

impl HistoryWindow {
    /// Rows per page: `PAGE`, or more when the list drawn is taller.
    pub fn page(&self) -> usize {
        PAGE.max(self.height.get() + PAGE / 2)
    }

    /// Newest page for `filter`.
    pub fn load(&mut self, store: &Store, filter: HistoryFilter) -> Result<(), StoreError> {
        let page = self.page();
        self.rows = store.history_page(&filter, None, Page::Older, page)?;
        self.has_older = self.rows.len() == page;
        self.has_newer = false;
        self.sel = 0;
        self.top.set(0);
        self.filter = Some(filter);
        Ok(())
    }

    /// Reload keeping the selection on the same record when possible.
    pub fn refresh(&mut self, store: &Store) -> Result<(), StoreError> {
        let keep = self.selected().map(|r| r.id.clone());
        let f = self.filter.clone().unwrap_or(HistoryFilter::All);
        self.load(store, f)?;
        if let Some(id) = keep
            && let Some(i) = self.rows.iter().position(|r| r.id == id)
        {
            self.sel = i;
        }
        Ok(())
    }

    pub fn selected(&self) -> Option<&VisitRow> {
        self.rows.get(self.sel)
    }

    /// Oldest page (End).
    pub fn load_oldest(&mut self, store: &Store) -> Result<(), StoreError> {
        let f = self.filter.clone().unwrap_or(HistoryFilter::All);
        let page = self.page();
        self.rows = store.history_page(&f, None, Page::Newer, page)?;
        self.has_newer = self.rows.len() == page;
        self.has_older = false;
        self.sel = self.rows.len().saturating_sub(1);
        self.top.set(self.sel);
        Ok(())
    }

    /// Moves the selection, fetching the neighbouring page at either end and
    /// dropping pages far from the cursor.
    pub fn move_by(&mut self, store: &Store, delta: isize) -> Result<(), StoreError> {
        let f = self.filter.clone().unwrap_or(HistoryFilter::All);
        let page = self.page();
        let keep = 5 * page;
        let mut target = self.sel as isize + delta;
        if target >= self.rows.len() as isize && self.has_older {
            if let Some(last) = self.rows.last().map(cursor) {
                let more = store.history_page(&f, Some(&last), Page::Older, page)?;
                self.has_older = more.len() == page;
                self.rows.extend(more);
            }
            if self.rows.len() > keep {
                let drop = self.rows.len() - keep;
                self.rows.drain(..drop);
                target -= drop as isize;
                self.top.set(self.top.get().saturating_sub(drop));
                self.has_newer = true;
            }
        }
        if target < 0 && self.has_newer {
            if let Some(first) = self.rows.first().map(cursor) {
                let more = store.history_page(&f, Some(&first), Page::Newer, page)?;
                self.has_newer = more.len() == page;
                let n = more.len();
                self.rows.splice(0..0, more);
                target += n as isize;
                self.top.set(self.top.get() + n);
            }
            if self.rows.len() > keep {
                self.rows.truncate(keep);
                self.has_older = true;
            }
        }
        self.sel = target.clamp(0, self.rows.len().saturating_sub(1) as isize) as usize;
        Ok(())
    }

    /// Keeps the selection inside a viewport of `height` rows.
    pub fn scroll_into_view(&self, height: usize) {
        let h = height.max(1);
        self.height.set(h);
        let top = self.top.get();
        if self.sel < top {
            self.top.set(self.sel);
        } else if self.sel >= top + h {
            self.top.set(self.sel + 1 - h);
        }
    }

    /// Rows drawn in the last frame (PgUp/PgDn).
    pub fn height(&self) -> usize {
        self.height.get().max(1)
    }
}
