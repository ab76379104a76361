//! The hazard forms: the report (also opened from a patrol finding's
//! `HazardDraft`) and one per step of the loop. Each saves through one
//! store command; refusals come back beside their fields.

use crate::domain::error::DomainError;
use crate::domain::hazard::{Category, HazardDraft, HazardView, Severity};
use crate::domain::time;
use crate::domain::validate::FieldError;
use crate::panes::PaneCtx;
use crate::store::StoreError;
use crate::ui::form::{Field, Form};
use std::path::PathBuf;

pub const CATEGORY_KEYS: [&str; 9] = [
    "hazard.cat.fire",
    "hazard.cat.electrical",
    "hazard.cat.gas",
    "hazard.cat.water",
    "hazard.cat.building",
    "hazard.cat.food",
    "hazard.cat.dorm_appliance",
    "hazard.cat.security",
    "hazard.cat.other",
];
pub const SEVERITY_KEYS: [&str; 3] = [
    "hazard.sev.general",
    "hazard.sev.major",
    "hazard.sev.serious",
];
const RESULT_KEYS: [&str; 2] = ["hazard.verify_pass", "hazard.verify_fail"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    Report,
    Assign,
    Rectify,
    Verify,
    Close,
    Reopen,
}

impl FormKind {
    pub fn title(self) -> &'static str {
        match self {
            FormKind::Report => "hazard.form.report",
            FormKind::Assign => "hazard.form.assign",
            FormKind::Rectify => "hazard.form.rectify",
            FormKind::Verify => "hazard.form.verify",
            FormKind::Close => "hazard.form.close",
            FormKind::Reopen => "hazard.form.reopen",
        }
    }
}

/// The report form, filled from a draft (empty for `n`).
pub fn report_form(d: &HazardDraft, deadline_text: &str) -> Form {
    let mut f = Form::new(vec![
        Field::text("place", "hazard.f.place").required().max(60),
        Field::text("category", "hazard.f.category").choice(CATEGORY_KEYS.to_vec()),
        Field::text("severity", "hazard.f.severity").choice(SEVERITY_KEYS.to_vec()),
        Field::text("description", "hazard.f.description")
            .required()
            .max(500),
        Field::text("containment", "hazard.f.containment").max(200),
        Field::text("responsible", "hazard.f.responsible").max(40),
        Field::text("deadline", "hazard.f.deadline")
            .hint("hazard.hint.deadline")
            .max(20),
        Field::text("found_at", "hazard.f.found_at")
            .hint("hazard.hint.now")
            .max(20),
        Field::text("photo", "hazard.f.photo")
            .hint("hazard.hint.photo")
            .max(260),
    ]);
    f.set("place", &d.place);
    f.set_choice(
        "category",
        Category::ALL
            .iter()
            .position(|c| Some(*c) == d.category)
            .unwrap_or(Category::ALL.len() - 1),
    );
    f.set_choice(
        "severity",
        Severity::ALL
            .iter()
            .position(|s| Some(*s) == d.severity)
            .unwrap_or(0),
    );
    f.set("description", &d.description);
    f.set("containment", &d.containment);
    f.set("responsible", &d.responsible);
    f.set("deadline", deadline_text);
    // A prefilled draft is not typing: Esc leaves it at once.
    f.mark_pristine();
    f
}

pub fn step_form(kind: FormKind, v: &HazardView, offset_min: i32) -> Form {
    let mut f = match kind {
        FormKind::Assign => Form::new(vec![
            Field::text("responsible", "hazard.f.responsible")
                .required()
                .max(40),
            Field::text("deadline", "hazard.f.deadline")
                .required()
                .hint("hazard.hint.deadline_at")
                .max(20),
            Field::text("note", "hazard.f.note").max(200),
        ]),
        FormKind::Rectify => Form::new(vec![
            Field::text("measures", "hazard.f.measures")
                .required()
                .max(500),
            Field::text("done_by", "hazard.f.done_by")
                .hint("hazard.hint.me")
                .max(40),
            Field::text("done_at", "hazard.f.done_at")
                .hint("hazard.hint.now")
                .max(20),
        ]),
        FormKind::Verify => Form::new(vec![
            Field::text("result", "hazard.f.result").choice(RESULT_KEYS.to_vec()),
            Field::text("reason", "hazard.f.reason")
                .hint("hazard.hint.fail_reason")
                .max(200),
        ]),
        FormKind::Close => Form::new(vec![Field::text("note", "hazard.f.note").max(200)]),
        FormKind::Reopen | FormKind::Report => Form::new(vec![
            Field::text("reason", "hazard.f.reason").required().max(200),
        ]),
    };
    if kind == FormKind::Assign {
        f.set("responsible", &v.responsible);
        f.set(
            "deadline",
            &time::fmt_local(v.deadline_ms, offset_min, "%Y-%m-%d %H:%M"),
        );
        f.mark_pristine();
    }
    f
}

/// A typed time ("2026-11-24 18:00", "11-24 18:00", "18:00") or a date
/// alone (the end of that day); blank is `None`.
fn when(s: &str, ctx: &PaneCtx, field: &'static str) -> Result<Option<i64>, StoreError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let off = ctx.store.offset_min();
    if let Some(t) = time::parse_local_datetime(s, ctx.now_ms, off) {
        return Ok(Some(t));
    }
    let year = chrono::Datelike::year(&time::local(ctx.now_ms, off));
    match time::parse_date(s).or_else(|| time::parse_month_day(s, year)) {
        Some(d) => Ok(Some(time::day_start_ms(d, off) + 86_400_000 - 60_000)),
        None => Err(DomainError::Invalid(vec![(field, FieldError::TimeFormat)]).into()),
    }
}

/// The draft a report form holds.
pub fn draft_of(f: &Form, patrol: Option<crate::domain::hazard::PatrolRef>) -> HazardDraft {
    HazardDraft {
        place: f.value("place"),
        category: Category::ALL.get(f.choice("category")).copied(),
        severity: Severity::ALL.get(f.choice("severity")).copied(),
        description: f.value("description"),
        containment: f.value("containment"),
        responsible: f.value("responsible"),
        deadline_ms: None,
        found_on_patrol: patrol,
    }
}

/// Saves a form through its store command; the hazard's id on success.
pub fn save(
    kind: FormKind,
    f: &Form,
    hazard_id: &str,
    patrol: Option<crate::domain::hazard::PatrolRef>,
    ctx: &mut PaneCtx,
) -> Result<String, StoreError> {
    let actor = ctx.actor.clone();
    match kind {
        FormKind::Report => {
            let mut d = draft_of(f, patrol);
            d.deadline_ms = when(&f.value("deadline"), ctx, "deadline")?;
            let found = when(&f.value("found_at"), ctx, "found_at")?;
            let photo = f.value("photo");
            let photos: Vec<PathBuf> = if photo.trim().is_empty() {
                vec![]
            } else {
                vec![PathBuf::from(photo.trim().trim_matches('"'))]
            };
            ctx.store.report_hazard(&actor, &d, found, &photos)
        }
        FormKind::Assign => {
            let due = when(&f.value("deadline"), ctx, "deadline")?.ok_or_else(|| {
                StoreError::from(DomainError::Invalid(vec![(
                    "deadline",
                    FieldError::Required,
                )]))
            })?;
            ctx.store
                .assign_hazard(
                    &actor,
                    hazard_id,
                    &f.value("responsible"),
                    due,
                    &f.value("note"),
                )
                .map(|_| hazard_id.to_string())
        }
        FormKind::Rectify => {
            let at = when(&f.value("done_at"), ctx, "done_at")?;
            ctx.store
                .rectify_hazard(
                    &actor,
                    hazard_id,
                    &f.value("measures"),
                    &f.value("done_by"),
                    at,
                )
                .map(|_| hazard_id.to_string())
        }
        FormKind::Verify => ctx
            .store
            .verify_hazard(
                &actor,
                hazard_id,
                f.choice("result") == 0,
                &f.value("reason"),
            )
            .map(|_| hazard_id.to_string()),
        FormKind::Close => ctx
            .store
            .close_hazard(&actor, hazard_id, &f.value("note"))
            .map(|_| hazard_id.to_string()),
        FormKind::Reopen => ctx
            .store
            .reopen_hazard(&actor, hazard_id, &f.value("reason"))
            .map(|_| hazard_id.to_string()),
    }
}
