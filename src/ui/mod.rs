//! Widgets and the frame around the panes: status bar, tabs, hints, help.

pub mod form;
pub mod list;
pub mod prompt;
pub mod status;
pub mod table;
pub mod tabs;
pub mod text_input;
pub mod theme;

use crate::i18n::tr;
use crate::keymap::{self, Ctx};
use form::Form;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

/// Smallest terminal the layout is designed for.
pub const MIN_W: u16 = 80;
pub const MIN_H: u16 = 24;

/// A `w`×`h` rectangle centred in `area`, clipped to it.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

pub fn too_small(area: Rect, buf: &mut Buffer) {
    let msg = vec![
        Line::from(tr("ui.too_small")),
        Line::from(format!("{}×{} < {MIN_W}×{MIN_H}", area.width, area.height)),
    ];
    Paragraph::new(msg)
        .wrap(Wrap { trim: true })
        .style(theme::error())
        .render(area, buf);
}

/// What the hint bar offers for these contexts, most important first: only
/// keys that work right now (a text field has focus: no plain letters).
pub fn hint_bindings(
    ctxs: &[Ctx],
    in_text: bool,
    offers: &dyn Fn(crate::action::Action) -> bool,
) -> Vec<&'static keymap::Binding> {
    let mut shown: Vec<_> = keymap::bindings_for(ctxs)
        .into_iter()
        .filter(|b| {
            b.hint.is_some()
                && b.action != crate::action::Action::Help
                && (!in_text || keymap::works_in_text(b.code, b.mods))
                && offers(b.action)
        })
        .collect();
    shown.sort_by_key(|b| b.hint);
    shown
}

/// The hint bar: the focused context's hinted keys, or a message.
/// `in_text`: a text field has focus, so only keys that work there are hinted.
pub fn hints(
    area: Rect,
    buf: &mut Buffer,
    ctxs: &[Ctx],
    in_text: bool,
    toast: Option<(&str, bool)>,
    offers: &dyn Fn(crate::action::Action) -> bool,
) {
    buf.set_style(area, theme::bar());
    if let Some((text, err)) = toast {
        let style = if err {
            theme::bar().fg(ratatui::style::Color::LightYellow)
        } else {
            theme::bar()
        };
        let prefix = if err { "⚠ " } else { "✓ " };
        Span::styled(format!(" {prefix}{text}"), style).render(area, buf);
        return;
    }
    // Help is always offered, at the right end; the context's keys fill
    // the rest, whole hints only (a cut-off hint reads as another key).
    let help = keymap::bindings()
        .iter()
        .find(|b| b.action == crate::action::Action::Help && b.hint.is_some());
    let help_spans: Vec<Span> = help
        .map(|b| {
            vec![
                Span::styled(format!(" {} ", keymap::keys_label(b)), theme::key()),
                Span::styled(format!(" {} ", tr(b.desc)), theme::bar()),
            ]
        })
        .unwrap_or_default();
    let help_w: usize = help_spans.iter().map(|s| s.width()).sum();
    let room = (area.width as usize).saturating_sub(help_w);
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for b in hint_bindings(ctxs, in_text, offers) {
        let k = Span::styled(format!(" {} ", keymap::keys_label(b)), theme::key());
        let d = Span::styled(format!(" {}  ", tr(b.desc)), theme::bar());
        let w = k.width() + d.width();
        // Skip one that does not fit; a shorter, less important one may.
        if used + w > room {
            continue;
        }
        used += w;
        spans.push(k);
        spans.push(d);
    }
    if help_w <= area.width as usize {
        Line::from(help_spans).render(
            Rect::new(area.right() - help_w as u16, area.y, help_w as u16, 1),
            buf,
        );
    }
    Line::from(spans).render(area, buf);
}

/// The `?`/F1 overlay, generated from the same keymap as the hints, with
/// the keys panes read themselves (digits, text editing) under their context.
pub fn help(area: Rect, buf: &mut Buffer, ctxs: &[Ctx]) {
    let mut lines = vec![];
    let key_style = Style::new().fg(theme::ACCENT);
    let entry = |k: String, d: &str| {
        let pad = 12usize.saturating_sub(unicode_width::UnicodeWidthStr::width(k.as_str()));
        Line::from(vec![
            Span::styled(format!("  {k}{}", " ".repeat(pad)), key_style),
            Span::raw(tr(d)),
        ])
    };
    for c in ctxs {
        let mut group: Vec<Line> = keymap::bindings_for(&[*c])
            .into_iter()
            .filter(|b| keymap::bindings_for(ctxs).contains(b))
            .map(|b| entry(keymap::keys_label(b), b.desc))
            .collect();
        group.extend(
            keymap::DOC_KEYS
                .iter()
                .filter(|d| d.ctx == *c)
                .map(|d| entry(d.label.to_string(), d.desc)),
        );
        if group.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(Line::from(""));
        }
        lines.push(Line::from(Span::styled(tr(c.title()), theme::title())));
        lines.extend(group);
    }
    // One column when it fits, otherwise two side by side (80×24 included).
    let fits = lines.len() as u16 + 2 <= area.height;
    let cols: u16 = if fits { 1 } else { 2 };
    let per_col = if fits {
        lines.len()
    } else {
        lines.len().div_ceil(2)
    };
    let h = (per_col as u16 + 2).min(area.height);
    let rect = centered(area, if fits { 64 } else { area.width.min(100) }, h);
    clear(rect, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(
            format!(" {} ", tr("help.title")),
            theme::title(),
        ))
        .title_bottom(Span::styled(tr("help.close"), theme::muted()));
    let inner = block.inner(rect);
    block.render(rect, buf);
    let col_w = inner.width / cols;
    for (i, chunk) in lines.chunks(per_col.max(1)).enumerate() {
        let r = Rect::new(inner.x + col_w * i as u16, inner.y, col_w, inner.height);
        Paragraph::new(chunk.to_vec()).render(r, buf);
    }
}

/// A bordered box centred in `area`; returns its inner area.
/// Blanks `area` for an overlay. A double-width character whose left half
/// sits just outside would otherwise cover the overlay's left border.
pub fn clear(area: Rect, buf: &mut Buffer) {
    let a = area.intersection(buf.area);
    if a.is_empty() {
        return;
    }
    if a.x > buf.area.x {
        for y in a.top()..a.bottom() {
            let cell = &mut buf[(a.x - 1, y)];
            if unicode_width::UnicodeWidthStr::width(cell.symbol()) > 1 {
                cell.set_symbol(" ");
            }
        }
    }
    Clear.render(a, buf);
}

pub fn dialog(area: Rect, buf: &mut Buffer, title: &str, text: Vec<Line>, w: u16, h: u16) -> Rect {
    let r = centered(area, w, h + 2);
    clear(r, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {title} "), theme::title()));
    let inner = block.inner(r);
    block.render(r, buf);
    Paragraph::new(text)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
    inner
}

pub fn form_screen(f: &Form, title: &str, area: Rect, buf: &mut Buffer) -> Option<Position> {
    clear(area, buf);
    let title_line = Line::from(vec![
        Span::styled(title.to_string(), theme::title()),
        Span::styled(format!("  {}", tr("form.required_note")), theme::muted()),
    ]);
    title_line.render(Rect::new(area.x, area.y, area.width, 1), buf);
    let body = Rect::new(
        area.x,
        area.y + 1,
        area.width,
        area.height.saturating_sub(1),
    );
    f.render(body, buf, true)
}

/// A yes/no question: the text, then "Enter confirm · Esc cancel".
pub fn confirm(area: Rect, buf: &mut Buffer, title: &str, question: String, w: u16) {
    dialog(
        area,
        buf,
        title,
        vec![
            Line::from(question),
            Line::from(""),
            Line::from(Span::styled(tr("dialog.enter_esc"), theme::muted())),
        ],
        w,
        3,
    );
}

/// What an empty list says instead, a line below its header.
pub fn empty_note(area: Rect, buf: &mut Buffer, key: &str) {
    Paragraph::new(vec![Line::from(""), Line::from(tr(key))])
        .wrap(Wrap { trim: false })
        .style(theme::muted())
        .render(area, buf);
}

/// A one-line text field at (x, y), `w` wide; a PIN shows as dots. Returns
/// where the cursor goes when it has focus.
pub fn input_field(
    x: u16,
    y: u16,
    w: u16,
    t: &text_input::TextInput,
    mask: bool,
    buf: &mut Buffer,
) -> Option<Position> {
    let r = Rect::new(x, y, w, 1).intersection(buf.area);
    buf.set_style(r, theme::focus());
    let (s, c) = t.visible(w as usize, mask);
    Span::styled(s, theme::focus()).render(r, buf);
    Some(Position::new(x + c as u16, y))
}

/// A bordered box of text lines centred in `area`, scrolled by `scroll`
/// (an import's preview or its row errors).
pub fn text_box(area: Rect, buf: &mut Buffer, title: &str, lines: &[String], scroll: u16) {
    let r = centered(area, 76, area.height.saturating_sub(2).max(3));
    clear(r, buf);
    Paragraph::new(
        lines
            .iter()
            .map(|l| Line::from(l.clone()))
            .collect::<Vec<_>>(),
    )
    .block(
        Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(format!(" {title} "), theme::title())),
    )
    .scroll((scroll, 0))
    .render(r, buf);
}

/// One step of a record's history: when, the step, what it says, and who
/// recorded it at which station (a hazard's or a shift-log entry's).
pub fn history_line(when: String, step: String, detail: String, who: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{when} "), theme::muted()),
        Span::styled(format!("{step} "), theme::key()),
        Span::raw(detail),
        Span::styled(format!("  {who}"), theme::muted()),
    ])
}

/// A full-area bordered page of wrapped lines, scrolled by `scroll` (one
/// record's details and history).
pub fn page(area: Rect, buf: &mut Buffer, title: String, lines: Vec<Line<'static>>, scroll: u16) {
    clear(area, buf);
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(area);
    block.render(area, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0))
        .render(inner, buf);
}
