//! Station screen (F9, admins): operators, staff, settings and sync, one
//! section at a time. edit: the open form or question and what saving it
//! does; sections: each section's keys; render: drawing.

mod edit;
mod render;
mod sections;

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
    /// The join file and its full bundle being written on the job runner
    /// (to `path`); Esc cancels.
    Inviting {
        job: crate::panes::job::Job<crate::panes::invite_job::InviteResult>,
        path: String,
    },
    /// "Deactivate this operator?" — asked before anyone loses access.
    ConfirmToggle {
        id: String,
    },
    /// "Erase the personal data of `due` visits?" — it cannot be undone.
    ConfirmPurge {
        due: usize,
    },
    /// The retention purge on the job runner; Esc stops it between chunks.
    Purging(crate::panes::job::Job<String>),
    /// Recovering this station after its own chain forked: the admin's note
    /// (why) is the confirmation, saved with the retirement of the old id.
    Recover(Form),
    /// The join code to read out, shown once.
    Code {
        code: String,
        fingerprint: String,
        path: String,
        /// The hazard photos the full bundle carried and left out.
        photos: Option<String>,
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
    /// Stations silent for `SILENT_DAYS`, not retired: one line each.
    pub silent: Vec<String>,
    /// This station's own chain forked (restored from an old backup and
    /// written to): what happened and what to do.
    pub fork: Option<String>,
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
        // Only a lockout still running is shown (and can be lifted).
        let now = ctx.store.now_ms();
        for o in &mut self.operators {
            o.locked_until_ms = o.locked_until_ms.filter(|u| *u > now);
        }
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
            Edit::None
                | Edit::Code { .. }
                | Edit::ConfirmToggle { .. }
                | Edit::Inviting { .. }
                | Edit::ConfirmPurge { .. }
                | Edit::Purging(_)
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
            Edit::ConfirmToggle { .. } | Edit::ConfirmPurge { .. } => vec![Ctx::Confirm],
            Edit::Inviting { .. } | Edit::Purging(_) => vec![Ctx::Job],
            _ => vec![Ctx::Form],
        }
    }

    fn form_mut(edit: &mut Edit) -> Option<&mut Form> {
        match edit {
            Edit::AddOperator(f) | Edit::SyncConfig(f) | Edit::Invite(f) | Edit::Recover(f) => {
                Some(f)
            }
            Edit::ResetPin { form, .. } | Edit::Setting { form, .. } | Edit::Staff { form, .. } => {
                Some(form)
            }
            Edit::None
            | Edit::Code { .. }
            | Edit::ConfirmToggle { .. }
            | Edit::Inviting { .. }
            | Edit::ConfirmPurge { .. }
            | Edit::Purging(_) => None,
        }
    }

    /// The invitation's news: the code to read out once written, else why
    /// not. True when there is something to draw.
    fn poll_invite(&mut self, ctx: &mut PaneCtx) -> bool {
        let Edit::Inviting { job, path } = &mut self.edit else {
            return false;
        };
        let (changed, done) = job.poll();
        let Some(r) = done else { return changed };
        let path = std::mem::take(path);
        self.edit = match r {
            Ok((code, fingerprint, photos)) => Edit::Code {
                code,
                fingerprint,
                path,
                photos,
            },
            Err(e) => {
                ctx.err(e);
                Edit::None
            }
        };
        let _ = self.reload(ctx);
        true
    }
}

impl StationScreen {
    /// The purge's news: its line once done. True when there is something
    /// to draw.
    fn poll_purge(&mut self, ctx: &mut PaneCtx) -> bool {
        let Edit::Purging(job) = &mut self.edit else {
            return false;
        };
        let (changed, done) = job.poll();
        let Some(r) = done else { return changed };
        match r {
            Ok(line) => ctx.ok(line),
            Err(e) => ctx.err(e),
        }
        self.edit = Edit::None;
        let _ = self.reload(ctx);
        true
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
            Edit::AddOperator(f) | Edit::SyncConfig(f) | Edit::Invite(f) | Edit::Recover(f) => {
                f.is_dirty()
            }
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
    fn poll(&mut self, ctx: &mut PaneCtx) -> bool {
        self.poll_invite(ctx) | self.poll_purge(ctx)
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
    let folder = ctx.store.meta("sync_folder")?.filter(|f| !f.is_empty());
    let fork = if ctx.store.station().is_some() {
        crate::sync::recover::fork_seen(ctx.store, folder.as_deref().map(std::path::Path::new))?
            .map(|f| {
                format!(
                    "{} {}",
                    crate::sync::recover::fork_line(ctx.store, &f),
                    tr("station.sync_fork_key")
                )
            })
    } else {
        None
    };
    Ok(SyncInfo {
        fingerprint,
        folder,
        fork,
        every: ctx
            .store
            .meta("sync_every")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        last_ms: ctx.store.meta("last_sync_ms")?.and_then(|v| v.parse().ok()),
        log,
        silent: silent_lines(ctx)?,
    })
}

/// Who holds the others' bundles back, and by how much.
fn silent_lines(ctx: &PaneCtx) -> Result<Vec<String>, crate::store::StoreError> {
    use crate::sync::knowledge::{SILENT_DAYS, peer_status};
    if ctx.store.station().is_none() {
        return Ok(vec![]);
    }
    let now = ctx.store.now_ms();
    let never = crate::i18n::tr("station.sync_none");
    Ok(peer_status(ctx.store)?
        .into_iter()
        .filter(|p| p.silent(now, SILENT_DAYS))
        .map(|p| {
            let since = p.heard_ms.map_or_else(
                || never.clone(),
                |ms| crate::domain::time::fmt_local(ms, ctx.store.offset_min(), "%m-%d %H:%M"),
            );
            let lacks = p.lacks.map_or_else(|| "?".to_string(), |n| n.to_string());
            crate::i18n::trf(
                "station.sync_silent",
                &[("name", p.name), ("since", since), ("n", lacks)],
            )
        })
        .collect())
}
