//! Drawing the station screen.

use super::*;

impl StationScreen {
    pub fn render(&self, area: Rect, buf: &mut Buffer, offset_min: i32) -> Option<Position> {
        crate::ui::clear(area, buf);
        let mut y = area.y;
        let sections = [
            (Section::Operators, "station.operators"),
            (Section::Staff, "station.staff"),
            (Section::Settings, "station.settings"),
            (Section::Sync, "station.sync"),
        ];
        let labels: Vec<String> = sections.iter().map(|(_, k)| tr(k)).collect();
        let sel = sections.iter().position(|(s, _)| *s == self.section);
        crate::ui::tabs::draw(Rect::new(area.x, y, area.width, 1), buf, &labels, sel);
        y += 1;
        let body = Rect::new(area.x, y, area.width, area.bottom().saturating_sub(y));
        let list_h = body.height.saturating_sub(1) as usize;
        match self.section {
            Section::Sync => self.render_sync(body, buf, offset_min),
            Section::Operators => {
                let cols = [
                    table::col(tr("station.col.name"), 12),
                    // As wide as the longest role name: a role cut mid-word
                    // reads as another.
                    table::col(
                        tr("station.col.role"),
                        ROLE_KEYS
                            .iter()
                            .map(|k| unicode_width::UnicodeWidthStr::width(tr(k).as_str()))
                            .max()
                            .unwrap_or(10) as u16,
                    ),
                    table::col(tr("station.col.status"), 6),
                    table::col(tr("station.col.last_login"), 16),
                ];
                let rows = self
                    .operators
                    .iter()
                    .map(|o| {
                        (
                            vec![
                                o.name.clone(),
                                tr(&format!("role.{}", o.role.key())),
                                tr(if o.locked_until_ms.is_some() {
                                    "station.locked"
                                } else if o.active {
                                    "station.active"
                                } else {
                                    "station.inactive"
                                }),
                                o.last_login_ms
                                    .map(|t| {
                                        crate::domain::time::fmt_local(
                                            t,
                                            offset_min,
                                            "%Y-%m-%d %H:%M",
                                        )
                                    })
                                    .unwrap_or_default(),
                            ],
                            if o.active {
                                Style::new()
                            } else {
                                theme::muted()
                            },
                        )
                    })
                    .collect::<Vec<_>>();
                let w = self.op_list.window(rows.len(), list_h);
                let sel = self.op_list.sel_in_window();
                table::draw(body, buf, &cols, rows[w].to_vec(), sel);
            }
            Section::Staff => {
                let cols = [
                    table::col(tr("station.col.name"), 12),
                    table::col(tr("station.col.kind"), 10),
                    table::col(tr("station.col.phone"), 12),
                    table::col(tr("station.col.status"), 6),
                ];
                let rows = self
                    .staff
                    .iter()
                    .map(|(_, m)| {
                        (
                            vec![
                                m.name.clone(),
                                tr(&format!("staff.{}", m.kind.key())),
                                m.phone.clone().unwrap_or_default(),
                                tr(if m.active {
                                    "station.active"
                                } else {
                                    "station.inactive"
                                }),
                            ],
                            if m.active {
                                Style::new()
                            } else {
                                theme::muted()
                            },
                        )
                    })
                    .collect::<Vec<_>>();
                let w = self.staff_list.window(rows.len(), list_h);
                let sel = self.staff_list.sel_in_window();
                table::draw(body, buf, &cols, rows[w].to_vec(), sel);
            }
            Section::Settings => {
                let cols = [
                    table::col(tr("station.col.setting"), 30),
                    table::col(tr("station.col.value"), 8),
                ];
                let rows = self
                    .settings
                    .iter()
                    .map(|(k, v)| (vec![setting_label(k), settings::show(k, *v)], Style::new()))
                    .collect::<Vec<_>>();
                let w = self.set_list.window(rows.len(), list_h);
                let sel = self.set_list.sel_in_window();
                table::draw(body, buf, &cols, rows[w].to_vec(), sel);
            }
        }
        let (title, form) = match &self.edit {
            Edit::None => return None,
            Edit::Inviting { job, .. } => {
                crate::panes::job::render(job, area, buf);
                return None;
            }
            Edit::Purging(job) => {
                crate::panes::job::render(job, area, buf);
                return None;
            }
            Edit::ConfirmPurge { due } => {
                crate::ui::confirm(
                    area,
                    buf,
                    &tr("purge.title"),
                    trf("purge.confirm", &[("n", due.to_string())]),
                    56,
                );
                return None;
            }
            Edit::ConfirmToggle { id } => {
                let name = self
                    .operators
                    .iter()
                    .find(|o| &o.id == id)
                    .map(|o| o.name.clone())
                    .unwrap_or_default();
                crate::ui::confirm(
                    area,
                    buf,
                    &tr("station.deactivate_title"),
                    trf("station.confirm_deactivate", &[("name", name)]),
                    56,
                );
                return None;
            }
            Edit::Code {
                code,
                fingerprint,
                path,
                photos,
            } => {
                let mut lines = vec![
                    Line::from(trf("sync.invite_done", &[("path", path.clone())])),
                    Line::from(trf(
                        "sync.invite_snapshot",
                        &[(
                            "path",
                            crate::sync::snapshot_path(std::path::Path::new(path))
                                .display()
                                .to_string(),
                        )],
                    )),
                    Line::from(""),
                    Line::from(Span::styled(
                        trf("sync.invite_code", &[("code", code.clone())]),
                        theme::title(),
                    )),
                    Line::from(trf("sync.fingerprint", &[("fp", fingerprint.clone())])),
                    Line::from(""),
                    Line::from(Span::styled(tr("help.close"), theme::muted())),
                ];
                if let Some(p) = photos {
                    lines.insert(2, Line::from(p.clone()));
                }
                let h = lines.len() as u16;
                crate::ui::dialog(area, buf, &tr("station.invite_title"), lines, 72, h);
                return None;
            }
            Edit::SyncConfig(f) => (tr("station.sync_title"), f),
            Edit::Invite(f) => (tr("station.invite_title"), f),
            Edit::Recover(f) => (tr("station.recover_title"), f),
            Edit::AddOperator(f) => (tr("station.add_title"), f),
            Edit::ResetPin { form, .. } => (tr("station.pin_title"), form),
            Edit::Setting { key, form } => (setting_label(key), form),
            Edit::Staff { form, .. } => (tr("station.staff_title"), form),
        };
        let rect = crate::ui::centered(area, 64, form.fields.len() as u16 + 4);
        crate::ui::clear(rect, buf);
        let block = ratatui::widgets::Block::bordered()
            .title(Span::styled(format!(" {title} "), theme::title()));
        let inner = block.inner(rect);
        block.render(rect, buf);
        form.render(inner, buf, true)
    }
    pub(super) fn render_sync(&self, area: Rect, buf: &mut Buffer, offset_min: i32) {
        let t = |ms: i64| crate::domain::time::fmt_local(ms, offset_min, "%m-%d %H:%M");
        let none = tr("station.sync_none");
        let info = &self.sync;
        let mut lines = vec![
            Line::from(trf(
                "station.sync_fp",
                &[(
                    "fp",
                    info.fingerprint
                        .clone()
                        .unwrap_or_else(|| tr("station.sync_no_key")),
                )],
            )),
            Line::from(trf(
                "station.sync_folder",
                &[(
                    "folder",
                    info.folder.clone().unwrap_or_else(|| none.clone()),
                )],
            )),
            Line::from(if info.every > 0 {
                trf("station.sync_every", &[("n", info.every.to_string())])
            } else {
                tr("station.sync_manual")
            }),
            Line::from(trf(
                "station.sync_last",
                &[("t", info.last_ms.map(t).unwrap_or_else(|| none.clone()))],
            )),
            Line::from(Span::styled(tr("station.sync_keys"), theme::muted())),
        ];
        let keys = lines.pop();
        lines.extend(
            info.silent
                .iter()
                .map(|l| Line::from(Span::styled(l.clone(), theme::error()))),
        );
        lines.extend(
            info.fork
                .iter()
                .map(|l| Line::from(Span::styled(l.clone(), theme::error()))),
        );
        lines.extend(keys);
        let head = lines.len() as u16;
        ratatui::widgets::Paragraph::new(lines).render(
            Rect::new(area.x, area.y, area.width, head.min(area.height)),
            buf,
        );
        let rest = Rect::new(
            area.x,
            area.y + head + 1,
            area.width,
            area.height.saturating_sub(head + 1),
        );
        let cols = [
            table::col(tr("station.col.when"), 11),
            table::col(tr("station.col.from"), 10),
            table::col(tr("station.col.outcome"), 8),
            table::col(tr("station.col.counts"), 18),
            table::col(tr("station.col.file"), 20),
        ];
        let rows = info
            .log
            .iter()
            .map(|l| {
                let style = if l.outcome == "refused" {
                    theme::error()
                } else {
                    Style::new()
                };
                (
                    vec![
                        t(l.at_ms),
                        l.from.clone(),
                        tr(&format!("station.outcome.{}", l.outcome)),
                        trf(
                            "station.counts",
                            &[
                                ("new", l.new.to_string()),
                                ("known", l.known.to_string()),
                                ("rejected", l.rejected.to_string()),
                            ],
                        ),
                        l.file.clone(),
                    ],
                    style,
                )
            })
            .collect();
        table::draw(rest, buf, &cols, rows, None);
    }
}
