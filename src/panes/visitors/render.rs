//! Drawing the visitors pane. Reads only state already loaded: no queries
//! while drawing.

use super::register::RegisterState;
use super::{Detail, Mode, View, VisitorsPane};
use crate::domain::role::{Permission, Role, allows};
use crate::domain::time;
use crate::domain::validate::mask_id;
use crate::domain::visit::{Decision, VisitDetails, VisitStatus, is_overstay};
use crate::i18n::facts::visitor_name;
use crate::i18n::{tr, trf};
use crate::store::visits::VisitRow;
use crate::store::watchlist::WatchRow;
use crate::ui::table::{self, col};
use crate::ui::{centered, theme};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

pub use crate::panes::RenderCtx;

fn show_id(id: &Option<String>, role: Role) -> String {
    match id {
        Some(s) if allows(role, Permission::ViewFullIds) => s.clone(),
        Some(s) => mask_id(s),
        None => String::new(),
    }
}

/// "1小时05分" / "1h05m".
pub fn duration(ms: i64) -> String {
    let m = ms.max(0) / 60_000;
    trf(
        "common.duration",
        &[("h", (m / 60).to_string()), ("m", format!("{:02}", m % 60))],
    )
}

fn status_label(r: &VisitRow) -> String {
    let mut s = tr(&format!("visit.status.{}", r.status.key()));
    if r.corrections > 0 {
        s.push_str(&tr("visit.corrected_mark"));
    }
    s
}

impl VisitorsPane {
    pub fn render(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) -> Option<Position> {
        if area.height < 3 {
            return None;
        }
        let mut cursor = None;
        let form_mode = matches!(
            self.mode,
            Mode::Register(_) | Mode::WatchAdd(_) | Mode::Export(_)
        );
        if !form_mode {
            cursor = self.render_lists(area, buf, rc);
        }
        match &self.mode {
            Mode::Browse => {}
            Mode::Register(r) => cursor = render_register(r, area, buf),
            Mode::WatchAdd(f) => {
                cursor = crate::ui::form_screen(f, &tr("watch.add_title"), area, buf)
            }
            Mode::Export(f) => cursor = f.render(area, buf),
            Mode::Detail(d) => render_detail(d, area, buf, rc),
            Mode::Gate(g) => cursor = g.render(area, buf),
            Mode::Exporting(job) => crate::panes::job::render(job, area, buf),
            Mode::ConfirmSignOut { name, .. } => {
                let text = vec![
                    Line::from(trf("visit.confirm_sign_out", &[("name", name.clone())])),
                    Line::from(""),
                    Line::from(Span::styled(tr("dialog.enter_esc"), theme::muted())),
                ];
                crate::ui::dialog(area, buf, &tr("visit.sign_out_title"), text, 48, 5);
            }
            Mode::WatchRemove { name, reason, .. } => {
                let r = crate::ui::dialog(
                    area,
                    buf,
                    &tr("watch.remove_title"),
                    vec![
                        Line::from(trf("watch.confirm_remove", &[("name", name.clone())])),
                        Line::from(tr("watch.remove_reason")),
                        Line::from(""),
                        Line::from(Span::styled(tr("dialog.enter_esc"), theme::muted())),
                    ],
                    56,
                    6,
                );
                let field = Rect::new(r.x, r.y + 2, r.width, 1);
                buf.set_style(field, theme::focus());
                let (t, c) = reason.input.visible(field.width as usize, false);
                Span::styled(t, theme::focus()).render(field, buf);
                cursor = Some(Position::new(field.x + c as u16, field.y));
            }
        }
        cursor
    }

    fn render_lists(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) -> Option<Position> {
        // Sub-view tabs and, on history, the search box.
        let labels: Vec<String> = View::ALL
            .iter()
            .map(|v| match v {
                View::OnSite => format!("{}({})", tr(v.label()), self.on_site.len()),
                _ => tr(v.label()),
            })
            .collect();
        let sel = View::ALL.iter().position(|v| *v == self.view);
        let mut cursor = None;
        let head = Rect::new(area.x, area.y, area.width, 1);
        crate::ui::tabs::draw(head, buf, &labels, sel);
        let tabs_w = crate::ui::tabs::width(&labels);
        if self.view == View::History && head.width > tabs_w + 8 {
            let x = area.x + tabs_w + 1;
            let label = tr("visit.search_label");
            let lw = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
            Span::styled(label, theme::title()).render(Rect::new(x, head.y, lw, 1), buf);
            let fx = x + lw + 1;
            let fw = area.right().saturating_sub(fx);
            let field = Rect::new(fx, head.y, fw, 1);
            let style = if self.searching {
                theme::focus()
            } else {
                theme::input()
            };
            buf.set_style(field, style);
            if self.search.is_empty() && !self.searching {
                Span::styled(tr("visit.search_hint"), theme::muted()).render(field, buf);
            } else {
                let (t, c) = self.search.visible(fw as usize, false);
                Span::styled(t, style).render(field, buf);
                if self.searching {
                    cursor = Some(Position::new(fx + c as u16, head.y));
                }
            }
        }
        let body = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
        let list_height = body.height.saturating_sub(1) as usize;
        match self.view {
            View::OnSite => self.render_on_site(body, buf, rc, list_height),
            View::History => self.render_history(body, buf, rc, list_height),
            View::Watchlist => self.render_watch(body, buf, rc, list_height),
            View::Out => self.render_out(body, buf, rc, list_height),
        }
        cursor
    }

    fn render_on_site(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx, list_height: usize) {
        if self.on_site.is_empty() {
            crate::ui::empty_note(area, buf, "visit.empty_on_site");
            return;
        }
        let window = self.on_site_list.window(self.on_site.len(), list_height);
        let cols = [
            col(tr("visit.col.time_in"), 11),
            col(tr("visit.col.name"), 10),
            col(tr("visit.col.type"), 8),
            col(tr("visit.col.stay"), 14),
            col(tr("visit.col.purpose"), 14),
            col(tr("visit.col.host"), 16),
            col(tr("visit.col.phone"), 11),
            col(tr("visit.col.plate"), 9),
            col(tr("visit.col.badge"), 6),
        ];
        let rows = self.on_site[window]
            .iter()
            .map(|r| {
                let over = is_overstay(r.time_in, r.details.expected_minutes, rc.now_ms);
                let stay = duration(rc.now_ms - r.time_in);
                let stay = if over {
                    format!("{stay} {}", tr("visit.overstay_mark"))
                } else {
                    stay
                };
                let d = &r.details;
                (
                    vec![
                        time::fmt_local(r.time_in, rc.offset_min, "%m-%d %H:%M"),
                        visitor_name(d),
                        tr(&format!("vtype.{}", d.visitor_type.key())),
                        stay,
                        d.purpose.clone(),
                        d.host.clone(),
                        d.phone.clone().unwrap_or_default(),
                        d.plate.clone().unwrap_or_default(),
                        d.badge.clone(),
                    ],
                    if over {
                        theme::overstay()
                    } else {
                        Style::new()
                    },
                )
            })
            .collect();
        table::draw(area, buf, &cols, rows, self.on_site_list.sel_in_window());
    }

    fn render_history(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx, list_height: usize) {
        if self.history.rows.is_empty() {
            let key = if self.search.is_empty() {
                "visit.empty_history"
            } else {
                "visit.no_match"
            };
            crate::ui::empty_note(area, buf, key);
            return;
        }
        self.history.scroll_into_view(list_height);
        let top = self.history.top.get();
        let cols = [
            col(tr("visit.col.time_in"), 11),
            col(tr("visit.col.name"), 10),
            col(tr("visit.col.status"), 8),
            col(tr("visit.col.time_out"), 5),
            col(tr("visit.col.purpose"), 14),
            col(tr("visit.col.phone"), 11),
            col(tr("visit.col.id_no"), 18),
            col(tr("visit.col.plate"), 9),
            col(tr("visit.col.host"), 16),
        ];
        let rows = self.history.rows[top..]
            .iter()
            .take(list_height.max(1))
            .map(|r| {
                let d = &r.details;
                let style = match r.status {
                    VisitStatus::Denied => theme::error(),
                    VisitStatus::OnSite => Style::new().fg(theme::OK),
                    VisitStatus::Out => Style::new(),
                };
                (
                    vec![
                        time::fmt_local(r.time_in, rc.offset_min, "%m-%d %H:%M"),
                        visitor_name(d),
                        status_label(r),
                        r.time_out
                            .map(|t| time::fmt_local(t, rc.offset_min, "%H:%M"))
                            .unwrap_or_default(),
                        d.purpose.clone(),
                        d.phone.clone().unwrap_or_default(),
                        show_id(&d.id_no, rc.role),
                        d.plate.clone().unwrap_or_default(),
                        d.host.clone(),
                    ],
                    style,
                )
            })
            .collect();
        table::draw(
            area,
            buf,
            &cols,
            rows,
            Some(self.history.sel.saturating_sub(top)),
        );
    }

    fn render_out(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx, list_height: usize) {
        if self.out.is_empty() {
            crate::ui::empty_note(area, buf, "gate.empty");
            return;
        }
        let window = self.out_list.window(self.out.len(), list_height);
        let cols = [
            col(tr("roll.col.name"), 10),
            col(tr("roll.col.class"), 12),
            col(tr("gate.col.with"), 14),
            col(tr("roll.col.from"), 11),
            col(tr("roll.col.due"), 11),
            col(tr("roll.col.state"), 10),
        ];
        let t = |ms: i64| time::fmt_local(ms, rc.offset_min, "%m-%d %H:%M");
        let rows = self.out[window]
            .iter()
            .map(|l| {
                let (state, style) = crate::panes::rollcall::render::away_state(l, rc);
                let mut with = format!("{}（{}）", l.destination, l.reason);
                if !l.approved_by.is_empty() {
                    with.push_str(&trf("roll.gate_approved", &[("by", l.approved_by.clone())]));
                }
                (
                    vec![
                        l.name.clone(),
                        l.class.clone(),
                        with,
                        t(l.from_ms),
                        t(l.due_ms),
                        state,
                    ],
                    style,
                )
            })
            .collect();
        table::draw(area, buf, &cols, rows, self.out_list.sel_in_window());
    }

    fn render_watch(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx, list_height: usize) {
        if self.watch.is_empty() {
            crate::ui::empty_note(area, buf, "watch.empty");
            return;
        }
        // The note says what the guard must do, and the column is cut (or
        // dropped) at 80 columns: the selected entry's note in full below.
        let about = self
            .watch
            .get(self.watch_list.sel)
            .map(|w| watch_note_lines(w, area.width as usize))
            .unwrap_or_default();
        let below = (about.len() as u16).min(area.height.saturating_sub(3));
        let (area, list_height) = if below > 0 {
            let rect = Rect::new(area.x, area.bottom() - below, area.width, below);
            Paragraph::new(Text::from(about)).render(rect, buf);
            (
                Rect::new(area.x, area.y, area.width, area.height - below),
                list_height.saturating_sub(below as usize),
            )
        } else {
            (area, list_height)
        };
        let window = self.watch_list.window(self.watch.len(), list_height);
        let cols = [
            col(tr("watch.col.name"), 10),
            col(tr("watch.col.reason"), 16),
            col(tr("watch.col.id_no"), 18),
            col(tr("watch.col.phone"), 11),
            col(tr("watch.col.status"), 6),
            col(tr("watch.col.added"), 10),
            col(tr("watch.col.note"), 12),
        ];
        let rows = self.watch[window]
            .iter()
            .map(|w| {
                (
                    vec![
                        w.data.name.clone(),
                        w.data.reason.clone(),
                        show_id(&w.data.id_no, rc.role),
                        w.data.phone.clone().unwrap_or_default(),
                        tr(if w.active {
                            "watch.active"
                        } else {
                            "watch.inactive"
                        }),
                        time::fmt_local(w.added_ms, rc.offset_min, "%Y-%m-%d"),
                        w.removed_reason
                            .clone()
                            .unwrap_or_else(|| w.data.note.clone()),
                    ],
                    if w.active {
                        Style::new().fg(theme::WARN)
                    } else {
                        theme::muted()
                    },
                )
            })
            .collect();
        table::draw(area, buf, &cols, rows, self.watch_list.sel_in_window());
    }
}

fn render_register(r: &RegisterState, area: Rect, buf: &mut Buffer) -> Option<Position> {
    let title = if r.correcting.is_some() {
        tr("visit.correct_title")
    } else {
        tr("visit.register_title")
    };
    let cursor = crate::ui::form_screen(&r.form, &title, area, buf);
    if !r.suggestions.is_empty()
        && let Some(c) = cursor
    {
        // The list drops below the field the guard is typing in.
        let h = (r.suggestions.len() as u16 + 2).min(area.bottom().saturating_sub(c.y + 1));
        let x = r.form.label_width().min(area.width / 3) + area.x;
        let w = area.right().saturating_sub(x).min(60);
        if h >= 3 && w > 10 {
            let rect = Rect::new(x, c.y + 1, w, h);
            crate::ui::clear(rect, buf);
            let block = Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(tr("visit.suggest_title"), theme::title()));
            let inner = block.inner(rect);
            block.render(rect, buf);
            for (i, s) in r.suggestions.iter().enumerate().take(inner.height as usize) {
                let line = format!(
                    "{}  {}  {}  {}",
                    s.name,
                    s.details.phone.clone().unwrap_or_default(),
                    s.details.purpose,
                    trf("visit.suggest_visits", &[("n", s.visits.to_string())])
                );
                let style = if i == r.sugg_sel {
                    theme::selected()
                } else {
                    Style::new()
                };
                Span::styled(line, style)
                    .render(Rect::new(inner.x, inner.y + i as u16, inner.width, 1), buf);
            }
        }
    }
    if let Some(d) = &r.decision {
        // Lines are wrapped here, not by the dialog, so its height is exact
        // and the note field below never covers the entry's note.
        let width = DECISION_W.min(area.width).saturating_sub(2) as usize;
        let mut lines = vec![Line::from(Span::styled(
            tr("watch.match_title"),
            theme::error(),
        ))];
        for (i, h) in d.hits.iter().enumerate() {
            let why: Vec<String> = h.reasons.iter().map(|m| tr(m.key())).collect();
            let text = trf(
                "watch.match_line",
                &[
                    ("name", h.entry_name.clone()),
                    ("listed", h.listed_for.clone()),
                    ("why", why.join("、")),
                ],
            );
            lines.extend(wrap_cols(&text, width).into_iter().map(Line::from));
            // What the guard must do, as the admin wrote it on the entry.
            if let Some(note) = d.entry_notes.get(i).filter(|n| !n.is_empty()) {
                let text = trf("watch.entry_note", &[("note", note.clone())]);
                let style = theme::error().add_modifier(ratatui::style::Modifier::BOLD);
                lines.extend(
                    wrap_cols(&text, width)
                        .into_iter()
                        .map(|l| Line::from(Span::styled(l, style))),
                );
            }
        }
        lines.push(Line::from(""));
        let (admit, deny) = if d.choice == Decision::Admit {
            (theme::focus(), theme::muted())
        } else {
            (theme::muted(), theme::focus())
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {} ", tr("watch.admit")), admit),
            Span::raw("   "),
            Span::styled(format!(" {} ", tr("watch.deny")), deny),
            Span::styled(format!("   {}", tr("watch.decide_hint")), theme::muted()),
        ]));
        lines.push(Line::from(tr("watch.note")));
        let h = lines.len() as u16 + 1;
        let inner = crate::ui::dialog(area, buf, &tr("watch.decision_title"), lines, DECISION_W, h);
        let field = Rect::new(inner.x, inner.bottom().saturating_sub(1), inner.width, 1);
        buf.set_style(field, theme::focus());
        let (t, c) = d.note.visible(field.width as usize, false);
        Span::styled(t, theme::focus()).render(field, buf);
        return Some(Position::new(field.x + c as u16, field.y));
    }
    cursor
}

/// Width of the watchlist decision dialog.
const DECISION_W: u16 = 70;

/// `text` in lines of at most `width` columns: broken at the last space
/// when there is one (English), else between characters (Chinese).
pub fn wrap_cols(text: &str, width: usize) -> Vec<String> {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    let width = width.max(2);
    let mut out = vec![];
    let mut line = String::new();
    for c in text.chars() {
        let cw = c.width().unwrap_or(0);
        if line.width() + cw > width {
            match line.rfind(' ').filter(|i| *i > 0) {
                Some(i) => {
                    let rest = line[i + 1..].to_string();
                    line.truncate(i);
                    out.push(std::mem::replace(&mut line, rest));
                }
                None => out.push(std::mem::take(&mut line)),
            }
        }
        line.push(c);
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

/// The selected watchlist entry's note, why it is listed (both cut in the
/// table at 80 columns) and why it was removed, wrapped to the list's
/// width, at most three lines.
fn watch_note_lines(w: &WatchRow, width: usize) -> Vec<Line<'static>> {
    let mut text = vec![];
    if !w.data.note.trim().is_empty() {
        text.push(trf("watch.selected_note", &[("note", w.data.note.clone())]));
    }
    text.push(trf(
        "watch.selected_reason",
        &[("reason", w.data.reason.clone())],
    ));
    if let Some(r) = &w.removed_reason {
        text.push(trf("watch.removed_note", &[("reason", r.clone())]));
    }
    text.iter()
        .flat_map(|t| wrap_cols(t, width))
        .take(3)
        .map(|l| Line::from(Span::styled(l, Style::new().fg(theme::WARN))))
        .collect()
}

fn detail_lines(d: &VisitDetails, role: Role) -> Vec<(String, String)> {
    vec![
        (tr("visit.f.name"), visitor_name(d)),
        (tr("visit.f.phone"), d.phone.clone().unwrap_or_default()),
        (
            tr(&format!("id_type.{}", d.id_type.key())),
            show_id(&d.id_no, role),
        ),
        (
            tr("visit.f.visitor_type"),
            tr(&format!("vtype.{}", d.visitor_type.key())),
        ),
        (tr("visit.f.host"), d.host.clone()),
        (tr("visit.f.relation"), d.relation.clone()),
        (tr("visit.f.purpose"), d.purpose.clone()),
        (tr("visit.f.party_size"), d.party_size.to_string()),
        (tr("visit.f.plate"), d.plate.clone().unwrap_or_default()),
        (tr("visit.f.items"), d.items.clone()),
        (tr("visit.f.expected"), d.expected_minutes.to_string()),
        (tr("visit.f.badge"), d.badge.clone()),
        (tr("visit.f.authorised_by"), d.authorised_by.clone()),
        (tr("visit.f.org"), d.org.clone()),
        (tr("visit.f.notes"), d.notes.clone()),
    ]
}

fn render_detail(d: &Detail, area: Rect, buf: &mut Buffer, rc: &RenderCtx) {
    let r = &d.row;
    let t = |ms: i64| time::fmt_local(ms, rc.offset_min, "%Y-%m-%d %H:%M");
    let mut lines: Vec<Line> = vec![];
    let kv = |k: String, v: String| {
        Line::from(vec![
            Span::styled(format!("{k}："), theme::muted()),
            Span::raw(v),
        ])
    };
    lines.push(kv(tr("visit.col.status"), status_label(r)));
    lines.push(kv(tr("visit.col.time_in"), t(r.time_in)));
    if let Some(reason) = &r.time_in_reason {
        lines.push(kv(tr("visit.f.time_in_reason"), reason.clone()));
    }
    if let Some(o) = r.time_out {
        lines.push(kv(
            tr("visit.col.time_out"),
            format!("{} ({})", t(o), duration(o - r.time_in)),
        ));
    }
    lines.push(kv(
        tr("visit.registered_by"),
        format!("{} · {}", d.registered_by, d.origin),
    ));
    if let Some(s) = &d.signed_out_by {
        lines.push(kv(tr("visit.signed_out_by"), s.clone()));
    }
    for (k, v) in detail_lines(&r.details, rc.role) {
        if !v.is_empty() {
            lines.push(kv(k, v));
        }
    }
    if let Some(w) = &r.watch {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            tr("watch.match_title"),
            theme::error(),
        )));
        for h in &w.hits {
            let why: Vec<String> = h.reasons.iter().map(|m| tr(m.key())).collect();
            lines.push(Line::from(trf(
                "watch.match_line",
                &[
                    ("name", h.entry_name.clone()),
                    ("listed", h.listed_for.clone()),
                    ("why", why.join("、")),
                ],
            )));
        }
        let dec = if w.decision == Decision::Admit {
            tr("watch.admit")
        } else {
            tr("watch.deny")
        };
        lines.push(kv(tr("watch.decision"), format!("{dec} {}", w.note)));
    }
    if !d.changes.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            tr("visit.changes_title"),
            theme::title(),
        )));
        for c in &d.changes {
            lines.push(Line::from(trf(
                "visit.change_line",
                &[
                    ("at", t(c.at_ms)),
                    ("by", c.by.clone()),
                    ("reason", c.reason.clone()),
                ],
            )));
            let before = detail_lines(&c.before, rc.role);
            let after = detail_lines(&c.after, rc.role);
            for ((k, b), (_, a)) in before.into_iter().zip(after) {
                if a != b {
                    lines.push(Line::from(vec![
                        Span::raw(format!("  {k}：")),
                        Span::styled(
                            b,
                            theme::muted().add_modifier(ratatui::style::Modifier::CROSSED_OUT),
                        ),
                        Span::raw(" → "),
                        Span::raw(a),
                    ]));
                }
            }
        }
    }
    let rect = centered(area, 76, area.height.saturating_sub(2).max(3));
    crate::ui::clear(rect, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(
            format!(" {} ", tr("visit.detail_title")),
            theme::title(),
        ))
        .title_bottom(Span::styled(tr("visit.detail_hint"), theme::muted()));
    Paragraph::new(Text::from(lines))
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((d.scroll, 0))
        .render(rect, buf);
}
