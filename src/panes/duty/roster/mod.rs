//! The duty roster view (值班表): a week of this station's shifts (or every
//! station's, for a duty leader or an admin), each with who was planned,
//! who signed on and when, and the flags of planned against actual. Admins
//! add, edit and remove lines, and import the roster file.

mod form;
pub mod render;

use crate::action::Action;
use crate::domain::role::{Permission, Role, allows};
use crate::domain::shift::ShiftId;
use crate::i18n::tr;
use crate::keymap::Ctx;
use crate::panes::{Handled, Input, Pane, PaneCtx, RenderCtx, error_text};
use crate::store::StoreError;
use crate::store::duty::DutyRow;
use crate::store::duty_import::DutyImport;
use crate::ui::form::Form;
use crate::ui::list::ListState;
use crate::ui::prompt::Prompt;
use chrono::{Datelike, Duration, NaiveDate};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Position, Rect};

pub enum Mode {
    Browse,
    /// Adding (`editing: None`) or changing a roster line.
    Form {
        station: String,
        editing: Option<ShiftId>,
        form: Form,
    },
    /// Removing the selected line: yes or no.
    ConfirmRemove(ShiftId),
    /// The path of a roster file to import.
    Import {
        path: Prompt,
    },
    /// A file read and matched: Enter applies it when every row is good.
    Preview {
        file: String,
        import: DutyImport,
        lines: Vec<String>,
        scroll: u16,
    },
}

/// One row of the list: the station's name and its shift.
pub struct Row {
    pub station: String,
    pub row: DutyRow,
}

pub struct RosterView {
    pub mode: Mode,
    /// Monday of the week shown; `None` until first loaded (then this week).
    pub week: Option<NaiveDate>,
    pub all_stations: bool,
    pub rows: Vec<Row>,
    /// The shift running now at this station.
    pub current: Option<ShiftId>,
    pub list: ListState,
}

impl Default for RosterView {
    fn default() -> Self {
        Self::new()
    }
}

fn monday(d: NaiveDate) -> NaiveDate {
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
}

impl RosterView {
    pub fn new() -> RosterView {
        RosterView {
            mode: Mode::Browse,
            week: None,
            all_stations: false,
            rows: vec![],
            current: None,
            list: ListState::default(),
        }
    }

    fn load(&mut self, ctx: &PaneCtx) -> Result<(), StoreError> {
        let st = ctx.store.require_station()?.clone();
        let today = crate::domain::time::local(ctx.now_ms, st.utc_offset_min).date_naive();
        let week = *self.week.get_or_insert_with(|| monday(today));
        self.current = ctx.store.current_shift(ctx.now_ms)?;
        let stations = if self.all_stations {
            ctx.store.duty_stations()?
        } else {
            vec![(st.id.clone(), st.name.clone())]
        };
        let was = self.list.sel;
        let first_load = self.rows.is_empty();
        self.rows.clear();
        for (id, name) in stations {
            for row in ctx.store.duty_rows(&id, week, 7, ctx.now_ms)? {
                self.rows.push(Row {
                    station: name.clone(),
                    row,
                });
            }
        }
        // The current shift selected the first time, so "now" is in view.
        self.list.sel = match (&self.current, first_load) {
            (Some(c), true) => self
                .rows
                .iter()
                .position(|r| &r.row.shift == c)
                .unwrap_or(0),
            _ => was,
        };
        self.list.clamp(self.rows.len());
        Ok(())
    }

    pub fn selected(&self) -> Option<&Row> {
        self.rows.get(self.list.sel)
    }

    fn move_week(&mut self, weeks: i64, ctx: &mut PaneCtx) {
        if let Some(w) = self.week {
            self.week = Some(w + Duration::days(7 * weeks));
            self.reload_or_say(ctx);
        }
    }

    pub(super) fn reload_or_say(&mut self, ctx: &mut PaneCtx) {
        if let Err(e) = self.load(ctx) {
            ctx.err(error_text(&e));
        }
    }

    fn may_manage(role: Role) -> bool {
        allows(role, Permission::ManageDuty)
    }

    fn may_see_all(role: Role) -> bool {
        matches!(role, Role::DutyLeader | Role::Admin)
    }

    fn browse(&mut self, a: Action, ctx: &mut PaneCtx) -> Handled {
        let role = ctx.actor.role;
        if self.list.navigate(a, self.rows.len()) {
            return Handled::Yes;
        }
        match a {
            Action::PrevWeek => self.move_week(-1, ctx),
            Action::NextWeek => self.move_week(1, ctx),
            Action::AllStations if Self::may_see_all(role) => {
                self.all_stations = !self.all_stations;
                self.list.sel = 0;
                self.reload_or_say(ctx);
            }
            Action::New | Action::Open | Action::Remove | Action::Import
                if !Self::may_manage(role) =>
            {
                ctx.err(tr("err.forbidden"));
            }
            Action::New => self.open_form(false, ctx),
            Action::Open => self.open_form(true, ctx),
            Action::Remove => {
                if let Some(r) = self.selected().filter(|r| r.row.plan.is_some()) {
                    self.mode = Mode::ConfirmRemove(r.row.shift.clone());
                }
            }
            Action::Import => {
                let file = crate::panes::export::default_dir().join("值班表模板.xlsx");
                self.mode = Mode::Import {
                    path: Prompt::new(&file.display().to_string(), 260),
                };
            }
            _ => return Handled::No,
        }
        Handled::Yes
    }

    fn handle(&mut self, input: Input, ctx: &mut PaneCtx) -> Handled {
        let mode = std::mem::replace(&mut self.mode, Mode::Browse);
        let (mode, h) = match mode {
            Mode::Browse => match input {
                Input::Act(a) => (Mode::Browse, self.browse(a, ctx)),
                Input::Key(_) => (Mode::Browse, Handled::No),
            },
            Mode::Form {
                station,
                editing,
                form,
            } => self.form_input(station, editing, form, input, ctx),
            Mode::ConfirmRemove(id) => match input.action() {
                Some(Action::Confirm) => {
                    match ctx.store.remove_duty(ctx.actor, &id) {
                        Ok(()) => {
                            ctx.ok(tr("duty.roster.removed"));
                            self.reload_or_say(ctx);
                        }
                        Err(e) => ctx.err(error_text(&e)),
                    }
                    (Mode::Browse, Handled::Yes)
                }
                Some(Action::Back) => (Mode::Browse, Handled::Yes),
                _ => (Mode::ConfirmRemove(id), Handled::No),
            },
            Mode::Import { path } => self.import_input(path, input, ctx),
            Mode::Preview {
                file,
                import,
                lines,
                mut scroll,
            } => match input.action() {
                Some(Action::Confirm) => self.apply_import(file, import, lines, ctx),
                Some(Action::Up) => {
                    scroll = scroll.saturating_sub(1);
                    (
                        Mode::Preview {
                            file,
                            import,
                            lines,
                            scroll,
                        },
                        Handled::Yes,
                    )
                }
                Some(Action::Down) => {
                    scroll = scroll
                        .saturating_add(1)
                        .min(lines.len().saturating_sub(1) as u16);
                    (
                        Mode::Preview {
                            file,
                            import,
                            lines,
                            scroll,
                        },
                        Handled::Yes,
                    )
                }
                Some(Action::Back) => (Mode::Browse, Handled::Yes),
                _ => (
                    Mode::Preview {
                        file,
                        import,
                        lines,
                        scroll,
                    },
                    Handled::No,
                ),
            },
        };
        if matches!(self.mode, Mode::Browse) {
            self.mode = mode;
        }
        h
    }
}

impl Pane for RosterView {
    fn title(&self) -> &'static str {
        "pane.duty.roster"
    }
    fn reload(&mut self, ctx: &mut PaneCtx) -> Result<(), StoreError> {
        self.load(ctx)
    }
    fn contexts(&self) -> Vec<Ctx> {
        match &self.mode {
            Mode::Browse => vec![Ctx::DutyRoster],
            Mode::Form { .. } => vec![Ctx::Form],
            Mode::ConfirmRemove(_) => vec![Ctx::Confirm],
            Mode::Import { .. } => vec![Ctx::Dialog],
            Mode::Preview { .. } => vec![Ctx::ImportPreview, Ctx::Viewer],
        }
    }
    fn in_text(&self) -> bool {
        matches!(self.mode, Mode::Form { .. } | Mode::Import { .. })
    }
    fn has_unsaved(&self) -> bool {
        match &self.mode {
            Mode::Form { form, .. } => form.is_dirty(),
            Mode::Import { path } => path.is_dirty(),
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
        render::render(self, area, buf, rc)
    }
    fn offers(&self, a: Action, role: Role) -> bool {
        match &self.mode {
            Mode::Browse => match a {
                Action::New | Action::Import => Self::may_manage(role),
                Action::Open => Self::may_manage(role) && !self.rows.is_empty(),
                Action::Remove => {
                    Self::may_manage(role) && self.selected().is_some_and(|r| r.row.plan.is_some())
                }
                Action::AllStations => Self::may_see_all(role),
                _ => true,
            },
            Mode::Preview { import, .. } => match a {
                Action::SkipErrors => false,
                Action::Confirm => import.errors.is_empty(),
                _ => true,
            },
            _ => true,
        }
    }
    fn click(&mut self, _x: u16, y: u16, area: Rect, _ctx: &mut PaneCtx) -> bool {
        // The list starts under the week line and the column titles.
        if !matches!(self.mode, Mode::Browse) || y < area.y + 2 {
            return false;
        }
        self.list
            .click((y - area.y - 2) as usize, self.rows.len())
            .is_some()
    }
    crate::pane_any!();
}
