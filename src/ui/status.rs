//! The status bar. What gives way on a narrow terminal, in order: the
//! app's name, the station's name, the school, then the least urgent
//! alerts. The operator's name and role are never cut: every record made
//! from this screen is theirs, so the screen must always say who that is.

use super::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alert {
    Plain,
    Busy,
    Warn,
    Urgent,
}

pub struct StatusLine {
    /// "张建国(门卫)".
    pub who: String,
    pub school: String,
    pub station: String,
    pub shift: String,
    pub clock: String,
    /// In the order shown; urgent ones are kept longest.
    pub alerts: Vec<(String, Alert)>,
}

fn style(a: Alert) -> Style {
    match a {
        Alert::Plain => theme::bar(),
        Alert::Busy => Style::new().bg(theme::ACCENT).fg(Color::Black),
        Alert::Warn => Style::new().bg(theme::WARN).fg(Color::Black),
        Alert::Urgent => Style::new()
            .bg(theme::ERROR)
            .fg(Color::White)
            .add_modifier(Modifier::BOLD),
    }
}

pub fn draw(area: Rect, buf: &mut Buffer, s: &StatusLine) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    buf.set_style(area, theme::bar());
    let width = area.width as usize;
    let who = Span::styled(
        format!(" {} ", s.who),
        theme::bar().add_modifier(Modifier::BOLD),
    );
    let clock = Span::styled(format!("│ {} │ {} ", s.shift, s.clock), theme::bar());
    let mut room = width.saturating_sub(who.width());
    // The clock next, then alerts, most urgent first, each whole or not at all.
    let mut right: Vec<(usize, Span)> = vec![];
    if clock.width() <= room {
        room -= clock.width();
        right.push((0, clock));
    }
    let mut order: Vec<(usize, &(String, Alert))> = s.alerts.iter().enumerate().collect();
    order.sort_by_key(|(i, (_, a))| (std::cmp::Reverse(*a as u8), *i));
    for (i, (text, a)) in order {
        let span = Span::styled(format!(" {text} "), style(*a));
        if span.width() <= room {
            room -= span.width();
            right.push((i + 1, span));
        }
    }
    right.sort_by_key(|(i, _)| *i);
    // Then the places, whole parts only: a name cut in half reads as another.
    let mut left = vec![who];
    for part in [
        format!("│ {} ", s.school),
        format!("· {} ", s.station),
        format!("│ {} ", crate::i18n::tr("app.name")),
    ] {
        let w = UnicodeWidthStr::width(part.as_str());
        if w > room {
            break;
        }
        room -= w;
        left.push(Span::styled(part, theme::bar()));
    }
    let right = Line::from(right.into_iter().map(|(_, s)| s).collect::<Vec<_>>());
    let rw = (right.width() as u16).min(area.width);
    Line::from(left).render(area, buf);
    right.render(Rect::new(area.right() - rw, area.y, rw, 1), buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(width: u16, alerts: usize) -> String {
        let s = StatusLine {
            who: "欧阳建国(值班领导)".into(),
            school: "青山县第一中学".into(),
            station: "南门门卫室".into(),
            shift: "夜班".into(),
            clock: "11-22 23:05".into(),
            alerts: (0..alerts)
                .map(|i| {
                    (
                        format!("未归 {i} 人"),
                        if i % 2 == 0 {
                            Alert::Urgent
                        } else {
                            Alert::Plain
                        },
                    )
                })
                .collect(),
        };
        let area = Rect::new(0, 0, width, 1);
        let mut buf = Buffer::empty(area);
        draw(area, &mut buf, &s);
        // A wide character's second cell is filler: skip it.
        let mut out = String::new();
        let mut x = 0;
        while x < width {
            let sym = buf[(x, 0)].symbol();
            out.push_str(sym);
            x += (UnicodeWidthStr::width(sym) as u16).max(1);
        }
        out
    }

    #[test]
    fn the_operator_is_never_cut_however_many_alerts() {
        for w in [40u16, 60, 80, 120] {
            for n in [0, 3, 12] {
                let text = line(w, n);
                assert!(text.contains("欧阳建国(值班领导)"), "{w}×{n}: {text}");
            }
        }
        // At 120 columns everything fits.
        let wide = line(120, 1);
        assert!(
            wide.contains("青山县第一中学") && wide.contains("23:05"),
            "{wide}"
        );
        // Urgent alerts outlast plain ones.
        let tight = line(60, 4);
        assert!(
            tight.contains("未归 0 人") || !tight.contains("未归 1 人"),
            "{tight}"
        );
    }
}
