//! The shift-log forms: a new entry (also opened from a patrol finding's
//! `LogDraft`), a correction with its reason, and a close with its
//! outcome. Each saves through one store command; refusals come back
//! beside their fields.

use crate::domain::error::DomainError;
use crate::domain::shift_log::{Category, FollowUp, LogDraft, LogEntry, draft_of};
use crate::domain::time;
use crate::domain::validate::FieldError;
use crate::panes::PaneCtx;
use crate::store::StoreError;
use crate::ui::form::{Field, Form};

pub const CATEGORY_KEYS: [&str; 7] = [
    "shiftlog.cat.incident",
    "shiftlog.cat.safety",
    "shiftlog.cat.visitor",
    "shiftlog.cat.student",
    "shiftlog.cat.repair",
    "shiftlog.cat.instruction",
    "shiftlog.cat.other",
];
const FOLLOWUP_KEYS: [&str; 2] = ["shiftlog.followup_no", "shiftlog.followup_yes"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    New,
    Correct,
    Close,
}

impl FormKind {
    pub fn title(self) -> &'static str {
        match self {
            FormKind::New => "shiftlog.form.new",
            FormKind::Correct => "shiftlog.form.correct",
            FormKind::Close => "shiftlog.form.close",
        }
    }
}

fn entry_fields() -> Vec<Field> {
    vec![
        Field::text("at", "shiftlog.f.at")
            .hint("shiftlog.hint.now")
            .max(20),
        Field::text("category", "shiftlog.f.category").choice(CATEGORY_KEYS.to_vec()),
        Field::text("what", "shiftlog.f.what").required().max(500),
        Field::text("action_taken", "shiftlog.f.action").max(500),
        Field::text("reported_to", "shiftlog.f.reported_to").max(500),
        Field::text("followup", "shiftlog.f.followup").choice(FOLLOWUP_KEYS.to_vec()),
    ]
}

fn fill(f: &mut Form, d: &LogDraft, offset_min: i32) {
    if let Some(t) = d.at_ms {
        f.set("at", &time::fmt_local(t, offset_min, "%Y-%m-%d %H:%M"));
    }
    f.set_choice(
        "category",
        Category::ALL
            .iter()
            .position(|c| Some(*c) == d.category)
            .unwrap_or(0),
    );
    f.set("what", &d.what);
    f.set("action_taken", &d.action_taken);
    f.set("reported_to", &d.reported_to);
    f.set_choice("followup", usize::from(d.needs_followup));
}

/// The new-entry form, filled from a draft (empty for `n`).
pub fn entry_form(d: &LogDraft, offset_min: i32) -> Form {
    let mut f = Form::new(entry_fields());
    fill(&mut f, d, offset_min);
    // A prefilled draft is not typing: Esc leaves it at once.
    f.mark_pristine();
    f
}

/// The correction form: the record as it stands, its outcome when closed,
/// and the reason.
pub fn correct_form(e: &LogEntry, offset_min: i32) -> Form {
    let mut fields = entry_fields();
    if e.state == FollowUp::Closed {
        fields.push(Field::text("outcome", "shiftlog.f.outcome").max(500));
    }
    fields.push(
        Field::text("reason", "shiftlog.f.reason")
            .required()
            .max(200),
    );
    let mut f = Form::new(fields);
    fill(&mut f, &draft_of(e), offset_min);
    if let Some(o) = &e.outcome {
        f.set("outcome", o);
    }
    f.focus_on("what");
    f.mark_pristine();
    f
}

pub fn close_form() -> Form {
    Form::new(vec![
        Field::text("outcome", "shiftlog.f.outcome")
            .required()
            .max(500),
    ])
}

/// A typed time ("2026-11-24 18:00", "11-24 18:00", "18:00"); blank is now.
fn when(s: &str, ctx: &PaneCtx) -> Result<Option<i64>, StoreError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    time::parse_local_datetime(s, ctx.now_ms, ctx.store.offset_min())
        .map(Some)
        .ok_or_else(|| DomainError::Invalid(vec![("at", FieldError::TimeFormat)]).into())
}

/// The draft a form holds (its time checked).
pub fn draft_from(f: &Form, ctx: &PaneCtx) -> Result<LogDraft, StoreError> {
    Ok(LogDraft {
        at_ms: when(&f.value("at"), ctx)?,
        category: Category::ALL.get(f.choice("category")).copied(),
        what: f.value("what"),
        action_taken: f.value("action_taken"),
        reported_to: f.value("reported_to"),
        needs_followup: f.choice("followup") == 1,
    })
}

/// Saves a form through its store command; the entry's id on success.
pub fn save(
    kind: FormKind,
    f: &Form,
    entry: Option<&LogEntry>,
    ctx: &mut PaneCtx,
) -> Result<String, StoreError> {
    let actor = ctx.actor.clone();
    let id = entry.map(|e| e.entry_id.clone()).unwrap_or_default();
    match kind {
        FormKind::New => {
            let d = draft_from(f, ctx)?;
            ctx.store.log_entry(&actor, &d)
        }
        FormKind::Correct => {
            let d = draft_from(f, ctx)?;
            let outcome = entry
                .filter(|e| e.state == FollowUp::Closed)
                .map(|_| f.value("outcome"));
            ctx.store
                .correct_log_entry(&actor, &id, &d, outcome.as_deref(), &f.value("reason"))
                .map(|_| id)
        }
        FormKind::Close => ctx
            .store
            .close_log_entry(&actor, &id, &f.value("outcome"))
            .map(|_| id),
    }
}
