//! A plain table over the rows of one screenful. Callers pass only the
//! visible rows (lists are virtual); columns drop out right-to-left when
//! the terminal is narrow.

use super::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Row, Table, Widget};

pub struct Col {
    pub header: String,
    pub width: u16,
}

pub fn col(header: String, width: u16) -> Col {
    Col { header, width }
}

/// Draws `rows` (cells + style) under a header; `sel` is an index into
/// `rows`. Columns that do not fit are left out, last first.
pub fn draw(
    area: Rect,
    buf: &mut Buffer,
    cols: &[Col],
    rows: Vec<(Vec<String>, Style)>,
    sel: Option<usize>,
) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let mut used = 0u16;
    let mut n = 0;
    for c in cols {
        if used + c.width > area.width && n > 0 {
            break;
        }
        used += c.width + 1;
        n += 1;
    }
    let widths: Vec<Constraint> = cols[..n]
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i + 1 == n {
                Constraint::Min(c.width)
            } else {
                Constraint::Length(c.width)
            }
        })
        .collect();
    let header = Row::new(cols[..n].iter().map(|c| c.header.clone())).style(theme::title());
    let body = rows.into_iter().enumerate().map(|(i, (cells, style))| {
        let style = if Some(i) == sel {
            style.patch(theme::selected())
        } else {
            style
        };
        Row::new(cells.into_iter().take(n)).style(style)
    });
    Widget::render(
        Table::new(body, widths).header(header).column_spacing(1),
        area,
        buf,
    );
}
