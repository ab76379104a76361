//! The register export from the TUI (admins and duty leaders).

use super::super::{PaneCtx, error_text};
use crate::domain::role::{Permission, Role, allows};
use crate::domain::time;
use crate::domain::validate::FieldError;
use crate::i18n::trf;
use crate::report::visitors::{ExportRequest, export_visitors};
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

/// Writes the file; returns the confirmation, or None with errors shown.
pub fn run(f: &mut Form, ctx: &mut PaneCtx) -> Option<String> {
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
    let path = std::path::PathBuf::from(f.value("path").trim());
    let req = ExportRequest {
        from: from?,
        to: to?,
        path: path.clone(),
        full_ids: f.choice("full_ids") == 1,
    };
    match export_visitors(ctx.store, ctx.actor, &req) {
        Ok(n) => Some(trf(
            "export.done",
            &[("n", n.to_string()), ("path", path.display().to_string())],
        )),
        Err(e) => {
            ctx.err(error_text(&e));
            None
        }
    }
}
