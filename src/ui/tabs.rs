//! A row of view tabs ("在校访客(5)  历史记录  …"): the one in front
//! highlighted. Every pane's sub-views and the F9 sections use it, so they
//! look and click the same.

use super::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthStr;

/// Draws `labels` from the left of `area`'s first line, `selected` lit.
/// Returns each tab's rectangle (for clicks); tabs that do not fit are left
/// out whole.
pub fn draw(area: Rect, buf: &mut Buffer, labels: &[String], selected: Option<usize>) -> Vec<Rect> {
    let mut rects = vec![];
    let mut x = area.x;
    for (i, label) in labels.iter().enumerate() {
        let text = format!(" {label} ");
        let w = UnicodeWidthStr::width(text.as_str()) as u16;
        if x + w > area.right() {
            break;
        }
        let style = if Some(i) == selected {
            theme::focus()
        } else {
            theme::muted()
        };
        let r = Rect::new(x, area.y, w, 1);
        Span::styled(text, style).render(r, buf);
        rects.push(r);
        x += w + 1;
    }
    rects
}

/// The width `draw` takes for `labels` (for what follows on the line).
pub fn width(labels: &[String]) -> u16 {
    labels
        .iter()
        .map(|l| UnicodeWidthStr::width(l.as_str()) as u16 + 3)
        .sum()
}
