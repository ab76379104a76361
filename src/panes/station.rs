//! Station screen (F9, admins): operators and settings.

use super::{Handled, PaneCtx, error_text};
use crate::action::Action;
use crate::domain::role::Role;
use crate::domain::roster::{StaffKind, StaffMember};
use crate::domain::settings;
use crate::domain::validate::FieldError;
use crate::i18n::{tr, trf};
use crate::keymap::{self, Ctx};
use crate::store::operators::Operator;
use crate::ui::form::{Field, Form, FormKey};
use crate::ui::{table, theme};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub const ROLE_KEYS: [&str; 4] = [
    "role.guard",
    "role.dorm_teacher",
    "role.duty_leader",
    "role.admin",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Operators,
    Staff,
    Settings,
    Sync,
}

pub enum Edit {
    None,
    AddOperator(Form),
    ResetPin {
        id: String,
        form: Form,
    },
    Setting {
        key: String,
        form: Form,
    },
    /// Adding (None) or changing a staff member.
    Staff {
        id: Option<String>,
        form: Form,
    },
    /// The sync folder and how often to sync.
    SyncConfig(Form),
    /// Where to write a join file for a new station.
    Invite(Form),
    /// The join code to read out, shown once.
    Code {
        code: String,
        fingerprint: String,
        path: String,
    },
}

/// What the sync section shows.
#[derive(Default)]
pub struct SyncInfo {
    pub fingerprint: Option<String>,
    pub folder: Option<String>,
    pub every: i64,
    pub last_ms: Option<i64>,
    pub log: Vec<ImportLogRow>,
}

/// One line of this station's import log.
pub struct ImportLogRow {
    pub at_ms: i64,
    pub file: String,
    pub from: String,
    pub new: i64,
    pub known: i64,
    pub rejected: i64,
    pub outcome: String,
}

pub struct StationScreen {
    pub section: Section,
    pub operators: Vec<Operator>,
    pub op_sel: usize,
    pub settings: Vec<(String, i64)>,
    pub set_sel: usize,
    pub staff: Vec<(String, crate::domain::roster::StaffMember)>,
    pub staff_sel: usize,
    pub sync: SyncInfo,
    /// Set when the admin asked to sync now; the app runs it.
    pub sync_request: Option<std::path::PathBuf>,
    pub edit: Edit,
}

fn pin_fields() -> Vec<Field> {
    vec![
        Field::text("pin", "station.f.pin")
            .secret()
            .required()
            .max(8)
            .hint("station.hint.pin"),
        Field::text("pin2", "station.f.pin2")
            .secret()
            .required()
            .max(8),
    ]
}

/// The PIN and its repeat must agree before anything is written.
fn pins(form: &mut Form) -> Option<String> {
    let (a, b) = (form.value("pin"), form.value("pin2"));
    if a != b {
        form.set_errors(&[("pin2", FieldError::Mismatch)]);
        return None;
    }
    Some(a)
}

impl StationScreen {
    pub fn open(ctx: &PaneCtx) -> Result<StationScreen, crate::store::StoreError> {
        let mut s = StationScreen {
            section: Section::Operators,
            operators: vec![],
            op_sel: 0,
            settings: vec![],
            set_sel: 0,
            staff: vec![],
            staff_sel: 0,
            sync: SyncInfo::default(),
            sync_request: None,
            edit: Edit::None,
        };
        s.reload(ctx)?;
        Ok(s)
    }

    fn reload(&mut self, ctx: &PaneCtx) -> Result<(), crate::store::StoreError> {
        self.operators = ctx.store.operators()?;
        self.op_sel = self.op_sel.min(self.operators.len().saturating_sub(1));
        self.sync = sync_info(ctx)?;
        self.staff = ctx.store.staff()?;
        self.staff_sel = self.staff_sel.min(self.staff.len().saturating_sub(1));
        let mut keys = settings::all_keys();
        // Each dorm building may keep its own curfew.
        keys.extend(
            ctx.store
                .buildings()?
                .iter()
                .map(|b| settings::curfew_key(b)),
        );
        self.settings = keys
            .into_iter()
            .map(|k| {
                let v = if k.starts_with(&format!("{}.", settings::CURFEW_MINUTES))
                    && !ctx.store.has_setting(&k)
                {
                    ctx.store.setting(settings::CURFEW_MINUTES)
                } else {
                    ctx.store.setting(&k)
                };
                (k, v)
            })
            .collect();
        Ok(())
    }

    /// Re-reads everything shown (after a sync brought new records).
    pub fn refresh(&mut self, ctx: &PaneCtx) -> Result<(), crate::store::StoreError> {
        self.reload(ctx)
    }

    pub fn in_form(&self) -> bool {
        !matches!(self.edit, Edit::None)
    }

    /// Returns (handled, close).
    pub fn handle_key(&mut self, key: KeyEvent, ctx: &mut PaneCtx) -> (Handled, bool) {
        let edit = std::mem::replace(&mut self.edit, Edit::None);
        match edit {
            Edit::None => {}
            Edit::AddOperator(mut f) => {
                if let Some(done) = self.form_key(&mut f, key, ctx, |f, ctx| {
                    let pin = pins(f)?;
                    let role = Role::ALL[f.choice("role").min(3)];
                    match ctx
                        .store
                        .add_operator(ctx.actor, &f.value("name"), role, &pin)
                    {
                        Ok(a) => {
                            ctx.ok(trf("station.added", &[("name", a.name)]));
                            Some(())
                        }
                        Err(e) => {
                            super::visitors::show_error(f, &e, ctx);
                            None
                        }
                    }
                }) {
                    if !done {
                        self.edit = Edit::AddOperator(f);
                    }
                    return (Handled::Yes, false);
                }
                self.edit = Edit::AddOperator(f);
                return (Handled::No, false);
            }
            Edit::ResetPin { id, mut form } => {
                let idc = id.clone();
                if let Some(done) = self.form_key(&mut form, key, ctx, |f, ctx| {
                    let pin = pins(f)?;
                    match ctx.store.set_pin(ctx.actor, &idc, &pin) {
                        Ok(()) => {
                            ctx.ok(tr("station.pin_set"));
                            Some(())
                        }
                        Err(e) => {
                            super::visitors::show_error(f, &e, ctx);
                            None
                        }
                    }
                }) {
                    if !done {
                        self.edit = Edit::ResetPin { id, form };
                    }
                    return (Handled::Yes, false);
                }
                self.edit = Edit::ResetPin { id, form };
                return (Handled::No, false);
            }
            Edit::Staff { id, mut form } => {
                let idc = id.clone();
                if let Some(done) = self.form_key(&mut form, key, ctx, |f, ctx| {
                    let kind = StaffKind::ALL[f.choice("kind").min(2)];
                    match ctx.store.set_staff(
                        ctx.actor,
                        idc.as_deref(),
                        &f.value("name"),
                        kind,
                        &f.value("phone"),
                        true,
                    ) {
                        Ok(_) => {
                            ctx.ok(tr("station.staff_saved"));
                            Some(())
                        }
                        Err(e) => {
                            super::visitors::show_error(f, &e, ctx);
                            None
                        }
                    }
                }) {
                    if !done {
                        self.edit = Edit::Staff { id, form };
                    }
                    return (Handled::Yes, false);
                }
                self.edit = Edit::Staff { id, form };
                return (Handled::No, false);
            }
            Edit::Code { .. } => return (Handled::Yes, false),
            Edit::SyncConfig(mut form) => {
                if let Some(done) = self.form_key(&mut form, key, ctx, |f, ctx| {
                    let Ok(every) = f.value("every").trim().parse::<i64>() else {
                        f.set_errors(&[("every", FieldError::NotANumber)]);
                        return None;
                    };
                    if !(0..=1440).contains(&every) {
                        f.set_errors(&[("every", FieldError::OutOfRange { min: 0, max: 1440 })]);
                        return None;
                    }
                    let folder = f.value("folder").trim().to_string();
                    if !folder.is_empty() && !std::path::Path::new(&folder).is_dir() {
                        f.set_errors(&[("folder", FieldError::NoSuchFolder)]);
                        return None;
                    }
                    let saved = ctx
                        .store
                        .set_meta("sync_folder", &folder)
                        .and_then(|_| ctx.store.set_meta("sync_every", &every.to_string()));
                    match saved {
                        Ok(()) => {
                            ctx.ok(tr("station.setting_saved"));
                            Some(())
                        }
                        Err(e) => {
                            ctx.err(error_text(&e));
                            None
                        }
                    }
                }) {
                    if !done {
                        self.edit = Edit::SyncConfig(form);
                    }
                    return (Handled::Yes, false);
                }
                self.edit = Edit::SyncConfig(form);
                return (Handled::No, false);
            }
            Edit::Invite(mut form) => {
                let mut shown = None;
                if let Some(done) = self.form_key(&mut form, key, ctx, |f, ctx| {
                    let path = std::path::PathBuf::from(f.value("path").trim());
                    match crate::sync::invite(ctx.store, &path) {
                        Ok((code, fingerprint)) => {
                            shown = Some(Edit::Code {
                                code,
                                fingerprint,
                                path: path.display().to_string(),
                            });
                            Some(())
                        }
                        Err(e) => {
                            ctx.err(crate::sync::error_text(&e));
                            None
                        }
                    }
                }) {
                    if let Some(code) = shown {
                        self.edit = code;
                    } else if !done {
                        self.edit = Edit::Invite(form);
                    }
                    return (Handled::Yes, false);
                }
                self.edit = Edit::Invite(form);
                return (Handled::No, false);
            }
            Edit::Setting { key: k, mut form } => {
                let kc = k.clone();
                if let Some(done) = self.form_key(&mut form, key, ctx, |f, ctx| {
                    let Some(v) = settings::parse(&kc, &f.value("value")) else {
                        let e = if settings::is_time(&kc) {
                            FieldError::TimeFormat
                        } else {
                            FieldError::NotANumber
                        };
                        f.set_errors(&[("value", e)]);
                        return None;
                    };
                    match ctx.store.set_setting(ctx.actor, &kc, v) {
                        Ok(()) => {
                            ctx.ok(tr("station.setting_saved"));
                            Some(())
                        }
                        Err(e) => {
                            super::visitors::show_error(f, &e, ctx);
                            None
                        }
                    }
                }) {
                    if !done {
                        self.edit = Edit::Setting { key: k, form };
                    }
                    return (Handled::Yes, false);
                }
                self.edit = Edit::Setting { key: k, form };
                return (Handled::No, false);
            }
        }
        let Some(a) = keymap::lookup(&[Ctx::Station], &key, false) else {
            return (Handled::No, false);
        };
        match (a, self.section) {
            (Action::Back, _) => return (Handled::Yes, true),
            (Action::NextView, s) => {
                self.section = match s {
                    Section::Operators => Section::Staff,
                    Section::Staff => Section::Settings,
                    Section::Settings => Section::Sync,
                    Section::Sync => Section::Operators,
                }
            }
            (Action::Up, Section::Staff) => self.staff_sel = self.staff_sel.saturating_sub(1),
            (Action::Down, Section::Staff) => {
                self.staff_sel = (self.staff_sel + 1).min(self.staff.len().saturating_sub(1))
            }
            (Action::Open, Section::Sync) => {
                let mut f = Form::new(vec![
                    Field::text("folder", "station.f.sync_folder")
                        .max(200)
                        .hint("station.hint.sync_folder"),
                    Field::text("every", "station.f.sync_every")
                        .max(4)
                        .hint("station.hint.sync_every"),
                ]);
                f.set("folder", self.sync.folder.as_deref().unwrap_or(""));
                f.set("every", &self.sync.every.to_string());
                f.mark_pristine();
                self.edit = Edit::SyncConfig(f);
            }
            (Action::SyncNow, _) => match &self.sync.folder {
                Some(f) if !f.is_empty() => self.sync_request = Some(std::path::PathBuf::from(f)),
                _ => ctx.err(tr("station.no_folder")),
            },
            (Action::Invite, _) => {
                let mut f = Form::new(vec![
                    Field::text("path", "station.f.join_path")
                        .required()
                        .max(200),
                ]);
                let dir = self
                    .sync
                    .folder
                    .clone()
                    .filter(|d| !d.is_empty())
                    .map(std::path::PathBuf::from)
                    .unwrap_or_else(super::visitors::export::default_dir);
                f.set(
                    "path",
                    &dir.join(format!("join.{}", crate::sync::JOIN_EXT))
                        .to_string_lossy(),
                );
                self.edit = Edit::Invite(f);
            }
            (Action::New, Section::Staff) => {
                self.edit = Edit::Staff {
                    id: None,
                    form: staff_form(None),
                }
            }
            (Action::Open, Section::Staff) => {
                if let Some((id, m)) = self.staff.get(self.staff_sel) {
                    self.edit = Edit::Staff {
                        id: Some(id.clone()),
                        form: staff_form(Some(m)),
                    };
                }
            }
            (Action::ToggleActive, Section::Staff) => {
                if let Some((id, m)) = self.staff.get(self.staff_sel).cloned() {
                    let phone = m.phone.clone().unwrap_or_default();
                    match ctx.store.set_staff(
                        ctx.actor,
                        Some(&id),
                        &m.name,
                        m.kind,
                        &phone,
                        !m.active,
                    ) {
                        Ok(_) => ctx.ok(tr("station.staff_saved")),
                        Err(e) => ctx.err(error_text(&e)),
                    }
                    let _ = self.reload(ctx);
                }
            }
            (Action::Up, Section::Operators) => self.op_sel = self.op_sel.saturating_sub(1),
            (Action::Down, Section::Operators) => {
                self.op_sel = (self.op_sel + 1).min(self.operators.len().saturating_sub(1))
            }
            (Action::Up, Section::Settings) => self.set_sel = self.set_sel.saturating_sub(1),
            (Action::Down, Section::Settings) => {
                self.set_sel = (self.set_sel + 1).min(self.settings.len().saturating_sub(1))
            }
            (Action::New, _) => {
                self.section = Section::Operators;
                let mut fields = vec![
                    Field::text("name", "station.f.name").required().max(20),
                    Field::text("role", "station.f.role").choice(ROLE_KEYS.to_vec()),
                ];
                fields.extend(pin_fields());
                self.edit = Edit::AddOperator(Form::new(fields));
            }
            (Action::ResetPin, Section::Operators) => {
                if let Some(op) = self.operators.get(self.op_sel) {
                    self.edit = Edit::ResetPin {
                        id: op.id.clone(),
                        form: Form::new(pin_fields()),
                    };
                }
            }
            (Action::ToggleActive, Section::Operators) => {
                if let Some(op) = self.operators.get(self.op_sel).cloned() {
                    match ctx
                        .store
                        .change_operator(ctx.actor, &op.id, op.role, !op.active)
                    {
                        Ok(()) => ctx.ok(trf(
                            if op.active {
                                "station.deactivated"
                            } else {
                                "station.activated"
                            },
                            &[("name", op.name)],
                        )),
                        Err(e) => ctx.err(error_text(&e)),
                    }
                    let _ = self.reload(ctx);
                }
            }
            (Action::ChangeRole, Section::Operators) => {
                if let Some(op) = self.operators.get(self.op_sel).cloned() {
                    let i = Role::ALL.iter().position(|r| *r == op.role).unwrap_or(0);
                    let role = Role::ALL[(i + 1) % Role::ALL.len()];
                    match ctx
                        .store
                        .change_operator(ctx.actor, &op.id, role, op.active)
                    {
                        Ok(()) => ctx.ok(trf(
                            "station.role_changed",
                            &[
                                ("name", op.name),
                                ("role", tr(&format!("role.{}", role.key()))),
                            ],
                        )),
                        Err(e) => ctx.err(error_text(&e)),
                    }
                    let _ = self.reload(ctx);
                }
            }
            (Action::Open, Section::Settings) => {
                if let Some((k, v)) = self.settings.get(self.set_sel) {
                    let mut f = Form::new(vec![
                        Field::text("value", "station.f.value").required().max(5),
                    ]);
                    f.set("value", &settings::show(k, *v));
                    self.edit = Edit::Setting {
                        key: k.clone(),
                        form: f,
                    };
                }
            }
            _ => {}
        }
        (Handled::Yes, false)
    }

    /// Common form handling: Some(true) saved, Some(false) consumed and
    /// still open, None not a form key.
    fn form_key(
        &mut self,
        f: &mut Form,
        key: KeyEvent,
        ctx: &mut PaneCtx,
        save: impl FnOnce(&mut Form, &mut PaneCtx) -> Option<()>,
    ) -> Option<bool> {
        let go = match f.handle_key(key) {
            FormKey::Submit => true,
            FormKey::Unhandled => match keymap::lookup(&[Ctx::Form], &key, true) {
                Some(Action::Save) => true,
                Some(Action::Back) => return Some(true),
                _ => return None,
            },
            _ => false,
        };
        if go && save(f, ctx).is_some() {
            let _ = self.reload(ctx);
            return Some(true);
        }
        Some(false)
    }

    pub fn render(&mut self, area: Rect, buf: &mut Buffer, offset_min: i32) -> Option<Position> {
        crate::ui::clear(area, buf);
        let mut y = area.y;
        let mut spans = vec![];
        for (sec, key) in [
            (Section::Operators, "station.operators"),
            (Section::Staff, "station.staff"),
            (Section::Settings, "station.settings"),
            (Section::Sync, "station.sync"),
        ] {
            let style = if self.section == sec {
                theme::focus()
            } else {
                theme::muted()
            };
            spans.push(Span::styled(format!(" {} ", tr(key)), style));
            spans.push(Span::raw(" "));
        }
        let tabs = Line::from(spans);
        tabs.render(Rect::new(area.x, y, area.width, 1), buf);
        y += 1;
        let body = Rect::new(area.x, y, area.width, area.bottom().saturating_sub(y));
        match self.section {
            Section::Sync => self.render_sync(body, buf, offset_min),
            Section::Operators => {
                let cols = [
                    table::col(tr("station.col.name"), 12),
                    table::col(tr("station.col.role"), 10),
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
                                tr(if o.active {
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
                    .collect();
                table::draw(body, buf, &cols, rows, Some(self.op_sel));
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
                    .collect();
                table::draw(body, buf, &cols, rows, Some(self.staff_sel));
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
                    .collect();
                table::draw(body, buf, &cols, rows, Some(self.set_sel));
            }
        }
        let (title, form) = match &mut self.edit {
            Edit::None => return None,
            Edit::Code {
                code,
                fingerprint,
                path,
            } => {
                let lines = vec![
                    Line::from(trf("sync.invite_done", &[("path", path.clone())])),
                    Line::from(""),
                    Line::from(Span::styled(
                        trf("sync.invite_code", &[("code", code.clone())]),
                        theme::title(),
                    )),
                    Line::from(trf("sync.fingerprint", &[("fp", fingerprint.clone())])),
                    Line::from(""),
                    Line::from(Span::styled(tr("help.close"), theme::muted())),
                ];
                crate::ui::dialog(area, buf, &tr("station.invite_title"), lines, 72, 7);
                return None;
            }
            Edit::SyncConfig(f) => (tr("station.sync_title"), f),
            Edit::Invite(f) => (tr("station.invite_title"), f),
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
}

/// A setting's name; per-building curfews name their building.
fn setting_label(key: &str) -> String {
    match key.strip_prefix(&format!("{}.", settings::CURFEW_MINUTES)) {
        Some(b) => trf("setting.curfew_building", &[("building", b.to_string())]),
        None => tr(&format!("setting.{key}")),
    }
}

const STAFF_KINDS: [&str; 3] = ["staff.head_teacher", "staff.dorm_teacher", "staff.other"];

fn staff_form(m: Option<&StaffMember>) -> Form {
    let mut f = Form::new(vec![
        Field::text("name", "station.f.name").required().max(20),
        Field::text("kind", "station.f.kind").choice(STAFF_KINDS.to_vec()),
        Field::text("phone", "station.f.phone").max(20),
    ]);
    if let Some(m) = m {
        f.set("name", &m.name);
        f.set_choice(
            "kind",
            StaffKind::ALL
                .iter()
                .position(|k| *k == m.kind)
                .unwrap_or(0),
        );
        f.set("phone", m.phone.as_deref().unwrap_or(""));
        f.mark_pristine();
    }
    f
}

impl StationScreen {
    fn render_sync(&self, area: Rect, buf: &mut Buffer, offset_min: i32) {
        let t = |ms: i64| crate::domain::time::fmt_local(ms, offset_min, "%m-%d %H:%M");
        let none = tr("station.sync_none");
        let info = &self.sync;
        let lines = vec![
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

/// The sync section's facts: fingerprint (once a key exists), folder,
/// interval, last sync and the import log.
fn sync_info(ctx: &PaneCtx) -> Result<SyncInfo, crate::store::StoreError> {
    let fingerprint = ctx
        .store
        .meta("school_key")?
        .and_then(|s| crate::sync::crypto::SchoolKey::from_secret(&s).ok())
        .map(|k| k.fingerprint());
    let log = ctx
        .store
        .import_log(50)?
        .into_iter()
        .map(|e| ImportLogRow {
            at_ms: e.at_ms,
            file: e.file,
            from: e.from_station,
            new: e.new,
            known: e.known,
            rejected: e.rejected,
            outcome: e.outcome,
        })
        .collect();
    Ok(SyncInfo {
        fingerprint,
        folder: ctx.store.meta("sync_folder")?.filter(|f| !f.is_empty()),
        every: ctx
            .store
            .meta("sync_every")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        last_ms: ctx.store.meta("last_sync_ms")?.and_then(|v| v.parse().ok()),
        log,
    })
}
