//! The register export from the TUI (admins and duty leaders).

use super::super::job::{Job, JobHandle};
use super::super::{PaneCtx, error_text};
use crate::domain::role::{Actor, Permission, Role, allows};
use crate::domain::time;
use crate::domain::validate::FieldError;
use crate::i18n::{tr, trf};
use crate::report::request::{LedgerRequest, export};
use crate::report::visitors::ExportRequest;
use crate::store::Store;
use crate::ui::form::{Field, Form};

pub fn default_dir() -> std::path::PathBuf {
    directories::UserDirs::new()
        .and_then(|u| {
            u.document_dir()
                .map(|d| d.to_path_buf())
                .or_else(|| Some(u.home_dir().to_path_buf()))
        })
        .unwrap_or_else(|| std::path::PathBuf::from("."))
}

pub fn form(now_ms: i64, offset_min: i32, role: Role) -> Form {
    let today = time::local(now_ms, offset_min).date_naive();
    let first = today.with_day0(0).unwrap_or(today);
    let mut fields = vec![
        Field::text("from", "export.f.from")
            .required()
            .max(10)
            .hint("export.hint.date"),
        Field::text("to", "export.f.to")
            .required()
            .max(10)
            .hint("export.hint.date"),
        Field::text("path", "export.f.path")
            .required()
            .max(200)
            .hint("export.hint.path"),
    ];
    if allows(role, Permission::ViewFullIds) {
        fields.push(
            Field::text("full_ids", "export.f.full_ids").choice(vec!["common.no", "common.yes"]),
        );
    }
    let mut f = Form::new(fields);
    f.set("from", &first.format("%Y-%m-%d").to_string());
    f.set("to", &today.format("%Y-%m-%d").to_string());
    let name = format!("visitors-{}.xlsx", today.format("%Y%m%d"));
    f.set("path", &default_dir().join(name).to_string_lossy());
    f
}

use chrono::Datelike;

/// The form's request, or None with its errors shown beside the fields.
pub fn request(f: &mut Form) -> Option<ExportRequest> {
    let from = time::parse_date(&f.value("from"));
    let to = time::parse_date(&f.value("to"));
    let mut errs = vec![];
    if from.is_none() {
        errs.push(("from", FieldError::DateFormat));
    }
    if to.is_none() {
        errs.push(("to", FieldError::DateFormat));
    }
    if let (Some(a), Some(b)) = (from, to)
        && b < a
    {
        errs.push(("to", FieldError::DateOrder));
    }
    if !errs.is_empty() {
        f.set_errors(&errs);
        return None;
    }
    Some(ExportRequest {
        from: from?,
        to: to?,
        path: std::path::PathBuf::from(f.value("path").trim()),
        full_ids: f.choice("full_ids") == 1,
    })
}

/// Starts writing the register on a worker with its own connection, so a
/// year of visits never freezes the screen. The result is the line to show.
pub fn start(req: ExportRequest, ctx: &PaneCtx) -> Job<String> {
    let actor = ctx.actor.clone();
    let db = ctx.store.path().to_path_buf();
    if db.as_os_str() == ":memory:" {
        return Job::inline("export.running", |h| write(ctx.store, &actor, req, h));
    }
    let clock = ctx.store.clock();
    Job::spawn("export.running", move |h| {
        let store = Store::open(&db, clock).map_err(|e| error_text(&e))?;
        write(&store, &actor, req, h)
    })
}

fn write(
    store: &Store,
    actor: &Actor,
    req: ExportRequest,
    h: &JobHandle,
) -> Result<String, String> {
    let req = LedgerRequest::Visitors(req);
    let n = match export(store, actor, &req, h) {
        // Cancelled: the writer removed its temporary file.
        Err(_) if h.cancelled() => return Err(tr("export.cancelled")),
        r => r.map_err(|e| error_text(&e))?,
    };
    Ok(trf(
        "export.done",
        &[
            ("n", n.to_string()),
            ("path", req.path().display().to_string()),
        ],
    ))
}
