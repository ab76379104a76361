//! Exporting any ledger from the TUI: one form that first asks which ledger
//! (only those the operator's role may export), then the fields that
//! ledger needs, and writes it on the job runner with its own connection,
//! so a year of records never freezes the screen. Both panes open it with
//! `x`, each on its own ledger.

use super::job::{Job, JobHandle};
use super::{Handled, Input, PaneCtx, error_text, form_key, form_step};
use crate::action::Action;
use crate::domain::role::{Actor, Permission, allows};
use crate::domain::time;
use crate::domain::validate::FieldError;
use crate::i18n::{tr, trf};
use crate::keymap::Ctx;
use crate::report::ledger::Format;
use crate::report::request::{LedgerKind, LedgerRequest, Span, export};
use crate::report::rollcall::{RollcallRequest, parse_month};
use crate::report::sick::RangeRequest;
use crate::report::visitors::ExportRequest;
use crate::store::Store;
use crate::ui::form::{Field, Form, FormStep};
use crate::ui::theme;
use chrono::{Datelike, NaiveDate};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span as TextSpan};
use std::path::{Path, PathBuf};

/// The user's documents folder (else home, else here): where exported
/// ledgers go and where an import starts looking.
pub fn default_dir() -> PathBuf {
    directories::UserDirs::new()
        .and_then(|u| {
            u.document_dir()
                .map(|d| d.to_path_buf())
                .or_else(|| Some(u.home_dir().to_path_buf()))
        })
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Catalog key of a ledger's name (`ledger.kind.<key>`), as a form option.
pub fn kind_label(kind: LedgerKind) -> &'static str {
    match kind {
        LedgerKind::Visitors => "ledger.kind.visitors",
        LedgerKind::Gate => "ledger.kind.gate",
        LedgerKind::Rollcall => "ledger.kind.rollcall",
        LedgerKind::Absences => "ledger.kind.absences",
        LedgerKind::Followups => "ledger.kind.followups",
        LedgerKind::Sick => "ledger.kind.sick",
        LedgerKind::Leave => "ledger.kind.leave",
        LedgerKind::Patrol => "ledger.kind.patrol",
        LedgerKind::Roster => "ledger.kind.roster",
        LedgerKind::Hazards => "ledger.kind.hazards",
        LedgerKind::ShiftLog => "ledger.kind.shiftlog",
        LedgerKind::Daily => "ledger.kind.daily",
        LedgerKind::Handover => "ledger.kind.handover",
        LedgerKind::Duty => "ledger.kind.duty",
    }
}

/// The result line's catalog key: how many of what went to which file.
fn done_key(kind: LedgerKind) -> &'static str {
    match kind {
        LedgerKind::Visitors => "export.done",
        LedgerKind::Gate => "report.gate.done",
        LedgerKind::Rollcall => "report.rollcall.done",
        LedgerKind::Absences => "report.absences.done",
        LedgerKind::Followups => "report.followups.done",
        LedgerKind::Sick => "report.sick.done",
        LedgerKind::Leave => "report.leave.done",
        LedgerKind::Patrol => "report.patrol.done",
        LedgerKind::Roster => "report.roster.done",
        LedgerKind::Hazards => "report.hazards.done",
        LedgerKind::ShiftLog => "report.shiftlog.done",
        LedgerKind::Daily => "report.daily.done",
        LedgerKind::Handover => "report.handover.done",
        LedgerKind::Duty => "report.duty.done",
    }
}

/// Form options are catalog keys held for the life of the process; a
/// building's name comes from the roster, so each distinct name is kept
/// once (a school has a handful) and shown as is, as `tr` shows any text
/// that is not a key.
fn option_text(name: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(n) = names.get(name) {
        return n;
    }
    let n: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.insert(n);
    n
}

/// The export form and, once saved over an existing file, the question
/// whether to replace it. Reads as its `Form` for callers that fill it.
pub struct ExportForm {
    pub form: Form,
    /// The ledgers on offer, in the order of the first field's options.
    pub kinds: Vec<LedgerKind>,
    /// The station's buildings, after "all" in the building field.
    buildings: Vec<String>,
    /// The ledger the form opened on (its defaults are "unchanged").
    opened: LedgerKind,
    today: NaiveDate,
    dir: PathBuf,
    full_ids: bool,
    /// The path the form last offered: while the field still reads it, it
    /// follows the ledger choice; once typed over, it stays.
    offered: String,
    /// Saved over an existing file: replace it?
    pub replacing: Option<LedgerRequest>,
}

impl std::ops::Deref for ExportForm {
    type Target = Form;
    fn deref(&self) -> &Form {
        &self.form
    }
}

impl std::ops::DerefMut for ExportForm {
    fn deref_mut(&mut self) -> &mut Form {
        &mut self.form
    }
}

/// What a key or action did to the export form.
pub enum Step {
    Stay(Handled),
    /// Left without exporting.
    Close,
    /// The export started.
    Run(Job<String>),
}

impl ExportForm {
    /// The form on `prefer` (the pane's own ledger) when the operator's
    /// role may export it, else on the first it may; an error line when
    /// it may export none.
    pub fn open(prefer: LedgerKind, ctx: &PaneCtx) -> Result<ExportForm, String> {
        let role = ctx.actor.role;
        let kinds: Vec<LedgerKind> = LedgerKind::ALL
            .into_iter()
            .filter(|k| k.allowed(role))
            .collect();
        let Some(first) = kinds.first().copied() else {
            return Err(tr("err.forbidden"));
        };
        let opened = if kinds.contains(&prefer) {
            prefer
        } else {
            first
        };
        let buildings = ctx.store.buildings().map_err(|e| error_text(&e))?;
        let today = time::local(ctx.now_ms, ctx.store.offset_min()).date_naive();
        let mut f = ExportForm {
            form: Form::default(),
            kinds,
            buildings,
            opened,
            today,
            dir: default_dir(),
            full_ids: allows(role, Permission::ViewFullIds),
            offered: String::new(),
            replacing: None,
        };
        f.form = f.build(opened, None);
        // The pane's own ledger is already chosen: start where typing goes.
        f.form.focus = 1;
        Ok(f)
    }

    /// The ledger chosen in the first field.
    pub fn kind(&self) -> LedgerKind {
        let i = self.form.choice("ledger");
        self.kinds.get(i).copied().unwrap_or(self.opened)
    }

    fn default_path(&self, kind: LedgerKind) -> String {
        self.dir
            .join(kind.default_file_name(self.today))
            .to_string_lossy()
            .into_owned()
    }

    /// The fields `kind` needs with their defaults, "unchanged" as when the
    /// form opened, then what was typed in `old` carried over.
    fn build(&mut self, kind: LedgerKind, old: Option<&Form>) -> Form {
        let first = self.today.with_day(1).unwrap_or(self.today);
        // Room for dates typed the Chinese way ("2026年11月01日").
        let date = |id, label| {
            Field::text(id, label)
                .required()
                .max(16)
                .hint("export.hint.date")
        };
        let mut fields = vec![
            Field::text("ledger", "ledger.f.ledger")
                .choice(self.kinds.iter().map(|k| kind_label(*k)).collect())
                .hint("ledger.hint.ledger"),
        ];
        match kind.span() {
            Span::Days => {
                fields.push(date("from", "export.f.from"));
                fields.push(date("to", "export.f.to"));
            }
            Span::Month => {
                fields.push(
                    Field::text("month", "ledger.f.month")
                        .required()
                        .max(10)
                        .hint("ledger.hint.month"),
                );
                let mut opts = vec!["report.rollcall.all_buildings"];
                opts.extend(self.buildings.iter().map(|b| option_text(b)));
                fields.push(Field::text("building", "ledger.f.building").choice(opts));
            }
            Span::Now => {}
        }
        if self.full_ids && kind == LedgerKind::Visitors {
            fields.push(
                Field::text("full_ids", "export.f.full_ids")
                    .choice(vec!["common.no", "common.yes"]),
            );
        }
        fields.push(
            Field::text("path", "export.f.path")
                .required()
                .max(260)
                .hint("export.hint.path"),
        );
        let path = self.default_path(kind);
        let mut form = Form::new(fields);
        let opened = self.kinds.iter().position(|k| *k == self.opened);
        form.set_choice("ledger", opened.unwrap_or(0));
        form.set("from", &first.format("%Y-%m-%d").to_string());
        form.set("to", &self.today.format("%Y-%m-%d").to_string());
        form.set("month", &self.today.format("%Y-%m").to_string());
        form.set("path", &path);
        form.mark_pristine();
        let chosen = self.kinds.iter().position(|k| *k == kind);
        form.set_choice("ledger", chosen.unwrap_or(0));
        if let Some(old) = old {
            for id in ["from", "to", "month"] {
                if old.fields.iter().any(|f| f.id == id) {
                    form.set(id, &old.value(id));
                }
            }
            form.set_choice("building", old.choice("building"));
            form.set_choice("full_ids", old.choice("full_ids"));
            let typed = old.value("path");
            if typed != self.offered {
                form.set("path", &typed);
            }
        }
        self.offered = path;
        form
    }

    pub fn contexts(&self) -> Vec<Ctx> {
        if self.replacing.is_some() {
            vec![Ctx::Confirm]
        } else {
            vec![Ctx::Form]
        }
    }

    pub fn in_text(&self) -> bool {
        self.replacing.is_none()
    }

    pub fn has_unsaved(&self) -> bool {
        self.form.is_dirty()
    }

    /// One key or action.
    pub fn handle(&mut self, input: Input, ctx: &mut PaneCtx) -> Step {
        if self.replacing.is_some() {
            return match input.action() {
                Some(Action::Confirm) => match self.replacing.take() {
                    Some(req) => Step::Run(start(req, ctx)),
                    None => Step::Stay(Handled::Yes),
                },
                Some(Action::Back) => {
                    self.replacing = None;
                    self.form.focus_on("path");
                    Step::Stay(Handled::Yes)
                }
                _ => Step::Stay(Handled::No),
            };
        }
        let a = match input {
            Input::Key(k) => {
                let was = self.kind();
                let h = Handled::from(form_key(&mut self.form, k));
                let now = self.kind();
                if now != was {
                    let old = std::mem::take(&mut self.form);
                    self.form = self.build(now, Some(&old));
                }
                return Step::Stay(h);
            }
            Input::Act(a) => a,
        };
        match form_step(&mut self.form, a, ctx) {
            FormStep::Save => match self.request() {
                Some(req) if req.path().exists() => {
                    self.replacing = Some(req);
                    Step::Stay(Handled::Yes)
                }
                Some(req) => Step::Run(start(req, ctx)),
                None => {
                    let n = self.form.error_count().to_string();
                    ctx.err(trf("form.errors", &[("n", n)]));
                    Step::Stay(Handled::Yes)
                }
            },
            FormStep::Close => Step::Close,
            FormStep::Pass => Step::Stay(Handled::No),
            FormStep::Stay | FormStep::Armed => Step::Stay(Handled::Yes),
        }
    }

    /// The form's request, or None with each problem shown under its field
    /// in the current language.
    pub fn request(&mut self) -> Option<LedgerRequest> {
        let kind = self.kind();
        let f = &self.form;
        let mut errs: Vec<(&'static str, String)> = vec![];
        let text = |e: FieldError| trf(e.key(), &e.args());
        let mut range = None;
        let mut month = None;
        match kind.span() {
            Span::Days => {
                let from = time::parse_date(&f.value("from"));
                let to = time::parse_date(&f.value("to"));
                if from.is_none() {
                    errs.push(("from", text(FieldError::DateFormat)));
                }
                if to.is_none() {
                    errs.push(("to", text(FieldError::DateFormat)));
                }
                match (from, to) {
                    (Some(a), Some(b)) if b < a => errs.push(("to", text(FieldError::DateOrder))),
                    (Some(a), Some(b)) => range = Some((a, b)),
                    _ => {}
                }
            }
            Span::Month => match parse_month(&f.value("month")) {
                Some(m) => month = Some(m),
                None => errs.push(("month", tr("ledger.err.month"))),
            },
            Span::Now => {}
        }
        let path = PathBuf::from(f.value("path").trim());
        if let Some(e) = path_problem(&path) {
            errs.push(("path", e));
        }
        if !errs.is_empty() {
            self.show_errors(errs);
            return None;
        }
        let building = match self.form.choice("building") {
            0 => None,
            i => self.buildings.get(i - 1).cloned(),
        };
        let full_ids = self.form.choice("full_ids") == 1 && self.full_ids;
        let range_req = |path| {
            let (from, to) = range?;
            Some(RangeRequest { from, to, path })
        };
        Some(match kind {
            LedgerKind::Visitors => {
                let (from, to) = range?;
                LedgerRequest::Visitors(ExportRequest {
                    from,
                    to,
                    path,
                    full_ids,
                })
            }
            LedgerKind::Rollcall => LedgerRequest::Rollcall(RollcallRequest {
                month: month?,
                building,
                path,
            }),
            LedgerKind::Roster => LedgerRequest::Roster(path),
            LedgerKind::Gate => LedgerRequest::Gate(range_req(path)?),
            LedgerKind::Hazards => LedgerRequest::Hazards(range_req(path)?),
            LedgerKind::ShiftLog => LedgerRequest::ShiftLog(range_req(path)?),
            LedgerKind::Daily => LedgerRequest::Daily(range_req(path)?),
            LedgerKind::Handover => LedgerRequest::Handover(range_req(path)?),
            LedgerKind::Duty => LedgerRequest::Duty(range_req(path)?),
            LedgerKind::Absences => LedgerRequest::Absences(range_req(path)?),
            LedgerKind::Followups => LedgerRequest::Followups(range_req(path)?),
            LedgerKind::Sick => LedgerRequest::Sick(range_req(path)?),
            LedgerKind::Leave => LedgerRequest::Leave(range_req(path)?),
            LedgerKind::Patrol => LedgerRequest::Patrol(range_req(path)?),
        })
    }

    /// Errors beside their fields, the focus on the first.
    fn show_errors(&mut self, errs: Vec<(&'static str, String)>) {
        self.form.clear_errors();
        let mut first = None;
        for (id, e) in errs {
            if let Some(i) = self.form.fields.iter().position(|f| f.id == id) {
                self.form.fields[i].error = Some(e);
                first = Some(first.map_or(i, |f: usize| f.min(i)));
            }
        }
        if let Some(i) = first {
            self.form.focus = i;
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer) -> Option<Position> {
        let cursor = crate::ui::form_screen(&self.form, &tr("ledger.title"), area, buf);
        let Some(req) = &self.replacing else {
            return cursor;
        };
        let text = vec![
            Line::from(trf(
                "ledger.replace",
                &[("path", req.path().display().to_string())],
            )),
            Line::from(""),
            Line::from(TextSpan::styled(tr("dialog.enter_esc"), theme::muted())),
        ];
        crate::ui::dialog(area, buf, &tr("ledger.replace_title"), text, 56, 6);
        None
    }
}

/// What is wrong with an output path before anything is read: not a file
/// name the writer knows, a folder, or a folder that does not exist.
fn path_problem(path: &Path) -> Option<String> {
    if path.as_os_str().is_empty() {
        return Some(tr(FieldError::Required.key()));
    }
    if path.is_dir() {
        return Some(tr("ledger.err.is_dir"));
    }
    if Format::from_path(path).is_err() {
        return Some(tr("ledger.err.ext"));
    }
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => Some(trf(
            "ledger.err.no_dir",
            &[("dir", dir.display().to_string())],
        )),
        _ => None,
    }
}

/// Starts writing the ledger on a worker with its own connection. The
/// result is the line to show.
pub fn start(req: LedgerRequest, ctx: &PaneCtx) -> Job<String> {
    let actor = ctx.actor.clone();
    let db = ctx.store.path().to_path_buf();
    if db.as_os_str() == ":memory:" {
        return Job::inline("ledger.running", |h| write(ctx.store, &actor, req, h));
    }
    let clock = ctx.store.clock();
    Job::spawn("ledger.running", move |h| {
        let store = Store::open(&db, clock).map_err(|e| error_text(&e))?;
        write(&store, &actor, req, h)
    })
}

/// Esc cancels a running export (its result still comes, as "cancelled");
/// other keys go on to the frame, so help and quitting still work.
pub fn job_input(job: &Job<String>, a: Option<Action>) -> Handled {
    if a == Some(Action::Back) {
        job.cancel();
        Handled::Yes
    } else {
        Handled::No
    }
}

/// Takes the worker's news into the hint bar: (redraw, finished).
pub fn poll(job: &mut Job<String>, ctx: &mut PaneCtx) -> (bool, bool) {
    match job.poll() {
        (_, Some(r)) => {
            match r {
                Ok(msg) => ctx.ok(msg),
                Err(e) => ctx.err(e),
            }
            (true, true)
        }
        (changed, None) => (changed, false),
    }
}

fn write(
    store: &Store,
    actor: &Actor,
    req: LedgerRequest,
    h: &JobHandle,
) -> Result<String, String> {
    let n = match export(store, actor, &req, h) {
        // Cancelled: the writer removed its temporary file.
        Err(_) if h.cancelled() => return Err(tr("export.cancelled")),
        r => r.map_err(|e| error_text(&e))?,
    };
    Ok(trf(
        done_key(req.kind()),
        &[
            ("n", n.to_string()),
            ("path", req.path().display().to_string()),
        ],
    ))
}
