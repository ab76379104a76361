//! Drawing the frame: status bar, tabs, the pane in front, hints, and the
//! question or help overlay on top.

use super::*;
use crate::ui::status::Alert;

impl App {
    pub fn render(&mut self, f: &mut Frame) {
        self.draws += 1;
        let area = f.area();
        self.size = area;
        let buf = f.buffer_mut();
        if area.width < ui::MIN_W || area.height < ui::MIN_H {
            ui::too_small(area, buf);
            return;
        }
        let school = self
            .store
            .station()
            .map(|s| s.school.clone())
            .unwrap_or_default();
        let waiting = self.login_waiting().then(|| self.waiting_line()).flatten();
        let cursor = match &mut self.screen {
            Screen::Setup(s) => s.render(area, buf),
            Screen::Login(l) => l.render(area, buf, &school, waiting.as_deref()),
            Screen::Main => self.render_main(area, buf),
        };
        if let Some(ask) = self.ask {
            let text = match ask {
                Ask::QuitUnsaved => tr("quit.unsaved"),
                Ask::QuitDemo => tr("quit.demo"),
            };
            crate::ui::dialog(
                area,
                f.buffer_mut(),
                &tr("quit.title"),
                vec![
                    Line::from(text),
                    Line::from(""),
                    Line::from(Span::styled(tr("quit.keys"), theme::muted())),
                ],
                50,
                4,
            );
        } else if self.help {
            let ctxs = self.contexts();
            ui::help(area, f.buffer_mut(), &ctxs);
        } else if let Some(c) = cursor {
            f.set_cursor_position(c);
        }
    }

    pub(super) fn render_main(
        &mut self,
        area: Rect,
        buf: &mut ratatui::buffer::Buffer,
    ) -> Option<Position> {
        let now = self.store.now_ms();
        let off = self.store.offset_min();
        let actor = self.actor.clone();
        self.render_status(Rect::new(area.x, area.y, area.width, 1), buf, now, off);
        // Tab bar: the panes in the list, then the overlay's title.
        let tabs = Rect::new(area.x, area.y + 1, area.width, 1);
        let labels: Vec<String> = self
            .panes
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{} {}", i + 1, tr(p.title())))
            .collect();
        let sel = self.overlay.is_none().then_some(self.focus);
        self.tab_rects = ui::tabs::draw(tabs, buf, &labels, sel);
        let x = tabs.x + ui::tabs::width(&labels);
        if let Some(o) = &self.overlay {
            let key = if o.as_any().is::<StationScreen>() {
                "F9"
            } else {
                "F8"
            };
            Span::styled(format!(" {key} {} ", tr(o.title())), theme::focus())
                .render(Rect::new(x, tabs.y, tabs.right().saturating_sub(x), 1), buf);
        }
        let body = Rect::new(area.x, area.y + 2, area.width, area.height - 3);
        self.body_area = body;
        let role = actor.as_ref().map(|a| a.role).unwrap_or(Role::Guard);
        let rc = RenderCtx {
            role,
            now_ms: now,
            offset_min: off,
        };
        let cursor = self.front().render(body, buf, &rc);
        let hints = Rect::new(area.x, area.bottom() - 1, area.width, 1);
        let ctxs = self.contexts();
        let in_text = self.in_text();
        let front = self.front();
        let offers = |a: Action| self.offers(front, a, role);
        if let Some(line) = self.waiting_line() {
            // A save waiting for the database: no key but Esc works, so
            // the bar says only that.
            buf.set_style(hints, theme::bar());
            Span::styled(
                format!(" {line}"),
                theme::bar().fg(ratatui::style::Color::LightYellow),
            )
            .render(hints, buf);
        } else {
            ui::hints(
                hints,
                buf,
                &ctxs,
                in_text,
                self.toast.as_ref().map(|t| (t.text.as_str(), t.error)),
                &offers,
            );
        }
        cursor
    }
}

impl App {
    /// The top line: who and where on the left, the shift, the clock and the
    /// alerts on the right (`ui::status` decides what gives way).
    pub(super) fn render_status(
        &self,
        area: Rect,
        buf: &mut ratatui::buffer::Buffer,
        now: i64,
        off: i32,
    ) {
        let st = self.store.station();
        let s = &self.shown;
        let shift = s
            .shift
            .as_deref()
            .map(crate::i18n::shift_name)
            .unwrap_or_default();
        let shift = if area.width >= 110 {
            format!(
                "{shift} {}",
                trf(
                    "status.since",
                    &[("t", time::fmt_local(self.login_ms, off, "%H:%M"))]
                )
            )
        } else {
            shift
        };
        let mut alerts = vec![];
        if s.special {
            alerts.push((tr("status.special"), Alert::Warn));
        }
        alerts.push((
            trf("status.on_site", &[("n", s.on_site.to_string())]),
            Alert::Plain,
        ));
        if let Some(job) = &self.sync_job {
            alerts.push((
                trf("status.syncing", &[("pct", job.percent().to_string())]),
                Alert::Busy,
            ));
        }
        match s.handover {
            Some(crate::domain::handover::Stage::Signed) => {
                alerts.push((tr("status.handover_signed"), Alert::Urgent))
            }
            Some(crate::domain::handover::Stage::Open) => {
                alerts.push((tr("status.handover_open"), Alert::Warn))
            }
            _ => {}
        }
        if s.conflicts > 0 {
            alerts.push((
                trf("status.conflicts", &[("n", s.conflicts.to_string())]),
                Alert::Warn,
            ));
        }
        for (n, key) in [
            (s.absent, "status.absent"),
            (s.not_back, "status.not_back"),
            (s.leave_overdue, "status.leave_overdue"),
            (s.overstay, "status.overstay"),
            (s.hazard_overdue, "status.hazard_overdue"),
        ] {
            if n > 0 {
                alerts.push((trf(key, &[("n", n.to_string())]), Alert::Urgent));
            }
        }
        if s.hazard_serious > 0 {
            alerts.push((
                trf(
                    "status.hazard_serious",
                    &[("n", s.hazard_serious.to_string())],
                ),
                Alert::Warn,
            ));
        }
        let p = s.patrol;
        for (n, key, level) in [
            (p.missed, "status.patrol_missed", Alert::Urgent),
            (p.not_started, "status.patrol_not_started", Alert::Urgent),
            (p.open_past_window, "status.patrol_open", Alert::Warn),
            (p.late, "status.patrol_late", Alert::Warn),
            (p.unassigned, "status.patrol_unassigned", Alert::Warn),
        ] {
            if n > 0 {
                alerts.push((trf(key, &[("n", n.to_string())]), level));
            }
        }
        if s.pin_locked > 0 {
            alerts.push((
                trf("status.pin_locked", &[("n", s.pin_locked.to_string())]),
                Alert::Urgent,
            ));
        }
        let d = s.duty;
        if d.uncovered {
            alerts.push((tr("status.duty_uncovered"), Alert::Urgent));
        }
        for (n, key) in [
            (d.late, "status.duty_late"),
            (d.unplanned, "status.duty_unplanned"),
        ] {
            if n > 0 {
                alerts.push((trf(key, &[("n", n.to_string())]), Alert::Warn));
            }
        }
        let who = self
            .actor
            .as_ref()
            .map(|a| format!("{}({})", a.name, tr(&format!("role.{}", a.role.key()))))
            .unwrap_or_default();
        ui::status::draw(
            area,
            buf,
            &ui::status::StatusLine {
                who,
                school: st.map(|s| s.school.clone()).unwrap_or_default(),
                station: st.map(|s| s.name.clone()).unwrap_or_default(),
                shift,
                clock: time::fmt_local(now, off, "%m-%d %H:%M"),
                alerts,
            },
        );
    }
}
