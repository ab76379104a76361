//! Station screen (F9, admins): operators and settings.

use super::{Handled, Input, Pane, PaneCtx, RenderCtx, error_text, form_key, form_step};
use crate::action::Action;
use crate::domain::role::Role;
use crate::domain::roster::{StaffKind, StaffMember};
use crate::domain::settings;
use crate::domain::validate::FieldError;
use crate::i18n::{tr, trf};
use crate::keymap::Ctx;
use crate::store::operators::Operator;
use crate::ui::form::{Field, Form, FormStep};
use crate::ui::list::ListState;
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
    /// "Deactivate this operator?" — asked before anyone loses access.
    ConfirmToggle {
        id: String,
    },
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
    pub op_list: ListState,
    pub settings: Vec<(String, i64)>,
    pub set_list: ListState,
    pub staff: Vec<(String, crate::domain::roster::StaffMember)>,
    pub staff_list: ListState,
    pub sync: SyncInfo,
    pub log_list: ListState,
    /// Set when the admin asked to sync now; the app runs it.
    pub sync_request: Option<std::path::PathBuf>,
    pub edit: Edit,
    /// Esc on the section list: back to the panes.
    pub done: bool,
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
            op_list: ListState::default(),
            settings: vec![],
            set_list: ListState::default(),
            staff: vec![],
            staff_list: ListState::default(),
            sync: SyncInfo::default(),
            log_list: ListState::default(),
            sync_request: None,
            edit: Edit::None,
            done: false,
        };
        s.reload(ctx)?;
        Ok(s)
    }

    fn reload(&mut self, ctx: &PaneCtx) -> Result<(), crate::store::StoreError> {
        let was = self.operators.get(self.op_list.sel).map(|o| o.id.clone());
        self.operators = ctx.store.operators()?;
        self.op_list
            .follow(&self.operators, was.as_deref(), |o| o.id.as_str());
        self.sync = sync_info(ctx)?;
        self.log_list.clamp(self.sync.log.len());
        let was = self.staff.get(self.staff_list.sel).map(|m| m.0.clone());
        self.staff = ctx.store.staff()?;
        self.staff_list
            .follow(&self.staff, was.as_deref(), |m| m.0.as_str());
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
        self.set_list.clamp(self.settings.len());
        Ok(())
    }

    /// Re-reads everything shown (after a sync brought new records).
    pub fn refresh(&mut self, ctx: &PaneCtx) -> Result<(), crate::store::StoreError> {
        self.reload(ctx)
    }

    pub fn in_form(&self) -> bool {
        !matches!(
            self.edit,
            Edit::None | Edit::Code { .. } | Edit::ConfirmToggle { .. }
        )
    }

    pub fn contexts(&self) -> Vec<Ctx> {
        match self.edit {
            Edit::None => vec![match self.section {
                Section::Operators => Ctx::Operators,
                Section::Staff => Ctx::Staff,
                Section::Settings => Ctx::Settings,
                Section::Sync => Ctx::Sync,
            }],
            Edit::Code { .. } => vec![Ctx::Viewer],
            Edit::ConfirmToggle { .. } => vec![Ctx::Confirm],
            _ => vec![Ctx::Form],
        }
    }

    fn form_mut(edit: &mut Edit) -> Option<&mut Form> {
        match edit {
            Edit::AddOperator(f) | Edit::SyncConfig(f) | Edit::Invite(f) => Some(f),
            Edit::ResetPin { form, .. } | Edit::Setting { form, .. } | Edit::Staff { form, .. } => {
                Some(form)
            }
            Edit::None | Edit::Code { .. } | Edit::ConfirmToggle { .. } => None,
        }
    }

    /// One key or action: the open form or question first, then the
    /// section's own keys.
    pub fn handle(&mut self, input: Input, ctx: &mut PaneCtx) -> Handled {
        let mut edit = std::mem::replace(&mut self.edit, Edit::None);
        match (&mut edit, input) {
            (Edit::None, Input::Key(_)) => return Handled::No,
            (Edit::None, Input::Act(a)) => return self.section_action(a, ctx),
            (Edit::Code { .. }, Input::Act(Action::Back)) => return Handled::Yes,
            (Edit::Code { .. }, _) => {
                self.edit = edit;
                return Handled::No;
            }
            (Edit::ConfirmToggle { id }, Input::Act(Action::Confirm)) => {
                let id = id.clone();
                self.toggle_operator(&id, ctx);
                return Handled::Yes;
            }
            (Edit::ConfirmToggle { .. }, Input::Act(Action::Back)) => return Handled::Yes,
            (Edit::ConfirmToggle { .. }, _) => {
                self.edit = edit;
                return Handled::No;
            }
            _ => {}
        }
        let Some(form) = Self::form_mut(&mut edit) else {
            return Handled::No;
        };
        let a = match input {
            Input::Key(k) => {
                let h = Handled::from(form_key(form, k));
                self.edit = edit;
                return h;
            }
            Input::Act(a) => a,
        };
        match form_step(form, a, ctx) {
            FormStep::Save => {
                if let Some(next) = self.save_edit(edit, ctx) {
                    self.edit = next;
                } else {
                    let _ = self.reload(ctx);
                }
                Handled::Yes
            }
            FormStep::Close => Handled::Yes,
            FormStep::Pass => {
                self.edit = edit;
                Handled::No
            }
            FormStep::Stay | FormStep::Armed => {
                self.edit = edit;
                Handled::Yes
            }
        }
    }

    /// Saves the open form. Returns what stays open: the same form with its
    /// errors, the join code to read out, or None when done.
    fn save_edit(&mut self, mut edit: Edit, ctx: &mut PaneCtx) -> Option<Edit> {
        let saved = match &mut edit {
            Edit::AddOperator(f) => (|| {
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
            })(),
            Edit::ResetPin { id, form } => (|| {
                let pin = pins(form)?;
                match ctx.store.set_pin(ctx.actor, id, &pin) {
                    Ok(()) => {
                        ctx.ok(tr("station.pin_set"));
                        Some(())
                    }
                    Err(e) => {
                        super::visitors::show_error(form, &e, ctx);
                        None
                    }
                }
            })(),
            Edit::Staff { id, form } => {
                let kind = StaffKind::ALL[form.choice("kind").min(2)];
                match ctx.store.set_staff(
                    ctx.actor,
                    id.as_deref(),
                    &form.value("name"),
                    kind,
                    &form.value("phone"),
                    true,
                ) {
                    Ok(_) => {
                        ctx.ok(tr("station.staff_saved"));
                        Some(())
                    }
                    Err(e) => {
                        super::visitors::show_error(form, &e, ctx);
                        None
                    }
                }
            }
            Edit::SyncConfig(f) => save_sync_config(f, ctx),
            Edit::Invite(f) => {
                let path = std::path::PathBuf::from(f.value("path").trim());
                match crate::sync::invite(ctx.store, &path) {
                    Ok((code, fingerprint)) => {
                        return Some(Edit::Code {
                            code,
                            fingerprint,
                            path: path.display().to_string(),
                        });
                    }
                    Err(e) => {
                        ctx.err(crate::sync::error_text(&e));
                        None
                    }
                }
            }
            Edit::Setting { key, form } => (|| {
                let Some(v) = settings::parse(key, &form.value("value")) else {
                    let e = if settings::is_time(key) {
                        FieldError::TimeFormat
                    } else {
                        FieldError::NotANumber
                    };
                    form.set_errors(&[("value", e)]);
                    return None;
                };
                match ctx.store.set_setting(ctx.actor, key, v) {
                    Ok(()) => {
                        ctx.ok(tr("station.setting_saved"));
                        Some(())
                    }
                    Err(e) => {
                        super::visitors::show_error(form, &e, ctx);
                        None
                    }
                }
            })(),
            Edit::None | Edit::Code { .. } | Edit::ConfirmToggle { .. } => Some(()),
        };
        match saved {
            Some(()) => None,
            None => Some(edit),
        }
    }

    /// Deactivates or reactivates an operator (after the question), and
    /// keeps the selection on them.
    fn toggle_operator(&mut self, id: &str, ctx: &mut PaneCtx) {
        let Some(op) = self.operators.iter().find(|o| o.id == id).cloned() else {
            return;
        };
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

    fn section_action(&mut self, a: Action, ctx: &mut PaneCtx) -> Handled {
        let nav = |l: &mut ListState, len: usize| Handled::from(l.navigate(a, len));
        match (a, self.section) {
            (Action::Back, _) => self.done = true,
            (Action::NextView, s) => {
                self.section = match s {
                    Section::Operators => Section::Staff,
                    Section::Staff => Section::Settings,
                    Section::Settings => Section::Sync,
                    Section::Sync => Section::Operators,
                }
            }
            (Action::Up | Action::Down, Section::Staff) => {
                return nav(&mut self.staff_list, self.staff.len());
            }
            (Action::Up | Action::Down, Section::Operators) => {
                return nav(&mut self.op_list, self.operators.len());
            }
            (Action::Up | Action::Down, Section::Settings) => {
                return nav(&mut self.set_list, self.settings.len());
            }
            (Action::Up | Action::Down, Section::Sync) => {
                return nav(&mut self.log_list, self.sync.log.len());
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
            (Action::SyncNow, Section::Sync) => match &self.sync.folder {
                Some(f) if !f.is_empty() => self.sync_request = Some(std::path::PathBuf::from(f)),
                _ => ctx.err(tr("station.no_folder")),
            },
            (Action::Invite, Section::Sync) => {
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
                f.mark_pristine();
                self.edit = Edit::Invite(f);
            }
            (Action::New, Section::Staff) => {
                self.edit = Edit::Staff {
                    id: None,
                    form: staff_form(None),
                }
            }
            (Action::Open, Section::Staff) => {
                if let Some((id, m)) = self.staff.get(self.staff_list.sel) {
                    self.edit = Edit::Staff {
                        id: Some(id.clone()),
                        form: staff_form(Some(m)),
                    };
                }
            }
            (Action::ToggleActive, Section::Staff) => {
                if let Some((id, m)) = self.staff.get(self.staff_list.sel).cloned() {
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
            (Action::New, Section::Operators) => {
                let mut fields = vec![
                    Field::text("name", "station.f.name").required().max(20),
                    Field::text("role", "station.f.role").choice(ROLE_KEYS.to_vec()),
                ];
                fields.extend(pin_fields());
                self.edit = Edit::AddOperator(Form::new(fields));
            }
            (Action::ResetPin, Section::Operators) => {
                if let Some(op) = self.operators.get(self.op_list.sel) {
                    self.edit = Edit::ResetPin {
                        id: op.id.clone(),
                        form: Form::new(pin_fields()),
                    };
                }
            }
            (Action::ToggleActive, Section::Operators) => {
                if let Some(op) = self.operators.get(self.op_list.sel) {
                    if op.active {
                        // Taking someone's access away is asked first.
                        self.edit = Edit::ConfirmToggle { id: op.id.clone() };
                    } else {
                        let id = op.id.clone();
                        self.toggle_operator(&id, ctx);
                    }
                }
            }
            (Action::ChangeRole, Section::Operators) => {
                if let Some(op) = self.operators.get(self.op_list.sel).cloned() {
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
                if let Some((k, v)) = self.settings.get(self.set_list.sel) {
                    let mut f = Form::new(vec![
                        Field::text("value", "station.f.value").required().max(5),
                    ]);
                    f.set("value", &settings::show(k, *v));
                    f.mark_pristine();
                    self.edit = Edit::Setting {
                        key: k.clone(),
                        form: f,
                    };
                }
            }
            _ => return Handled::No,
        }
        Handled::Yes
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, offset_min: i32) -> Option<Position> {
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
        let list_h = body.height.saturating_sub(1) as usize;
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

impl Pane for StationScreen {
    fn title(&self) -> &'static str {
        "station.title"
    }
    fn reload(&mut self, ctx: &mut PaneCtx) -> Result<(), crate::store::StoreError> {
        StationScreen::reload(self, ctx)
    }
    fn contexts(&self) -> Vec<Ctx> {
        StationScreen::contexts(self)
    }
    fn in_text(&self) -> bool {
        self.in_form()
    }
    fn has_unsaved(&self) -> bool {
        match &self.edit {
            Edit::AddOperator(f) | Edit::SyncConfig(f) | Edit::Invite(f) => f.is_dirty(),
            Edit::ResetPin { form, .. } | Edit::Setting { form, .. } | Edit::Staff { form, .. } => {
                form.is_dirty()
            }
            _ => false,
        }
    }
    fn key(&mut self, key: KeyEvent, ctx: &mut PaneCtx) -> Handled {
        self.handle(Input::Key(key), ctx)
    }
    fn update(&mut self, a: Action, ctx: &mut PaneCtx) -> Handled {
        self.handle(Input::Act(a), ctx)
    }
    fn render(&self, area: Rect, buf: &mut Buffer, rc: &RenderCtx) -> Option<Position> {
        StationScreen::render(self, area, buf, rc.offset_min)
    }
    fn closed(&self) -> bool {
        self.done
    }
    fn take_sync_request(&mut self) -> Option<std::path::PathBuf> {
        self.sync_request.take()
    }
    crate::pane_any!();
}

/// The sync folder and how often: checked before anything is written.
fn save_sync_config(f: &mut Form, ctx: &mut PaneCtx) -> Option<()> {
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
