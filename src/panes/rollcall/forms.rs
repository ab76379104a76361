//! The roll-call pane's forms: absence follow-up, sick record and notes,
//! leave. Each builds a `Form` and saves it through one store command.

use super::super::PaneCtx;
use crate::domain::error::DomainError;
use crate::domain::rollcall::FoundWhere;
use crate::domain::roster::Student;
use crate::domain::time;
use crate::domain::validate::FieldError;
use crate::i18n::{tr, trf};
use crate::store::StoreError;
use crate::store::rollcall::{SheetRow, bed_label};
use crate::ui::form::{Field, Form};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    Followup {
        round_id: String,
        student_id: String,
        name: String,
        /// "(head teacher 周老师 138…)": whom else to call.
        head: String,
    },
    Sick {
        student_id: String,
        name: String,
    },
    SickNote {
        sick_id: String,
        name: String,
    },
    Leave {
        student_id: String,
        name: String,
    },
}

pub const CONTACTED_KEYS: [&str; 3] = ["contact.guardian", "contact.head_teacher", "contact.other"];
const CONTACTED: [&str; 3] = ["guardian", "head_teacher", "other"];
const NO_YES: [&str; 2] = ["common.no", "common.yes"];
/// Whether and where the absent boarder was found: the place decides if
/// the night counts as a night away.
const FOUND_KEYS: [&str; 3] = [
    "roll.found.not_yet",
    "roll.found.on_campus",
    "roll.found.off_campus",
];
const FOUND_WHERE: [Option<FoundWhere>; 3] = [
    None,
    Some(FoundWhere::OnCampus),
    Some(FoundWhere::OffCampus),
];

impl FormKind {
    /// The same form for the boarder just picked.
    pub fn with_student(&self, s: &Student) -> FormKind {
        let (student_id, name) = (s.id.clone(), s.data.name.clone());
        match self {
            FormKind::Sick { .. } => FormKind::Sick { student_id, name },
            FormKind::Leave { .. } => FormKind::Leave { student_id, name },
            other => other.clone(),
        }
    }

    pub fn title(&self) -> String {
        match self {
            FormKind::Followup { name, head, .. } => {
                format!(
                    "{}{head}",
                    trf("roll.followup_title", &[("name", name.clone())])
                )
            }
            FormKind::Sick { name, .. } => trf("roll.sick_title", &[("name", name.clone())]),
            FormKind::SickNote { name, .. } => {
                trf("roll.sick_note_title", &[("name", name.clone())])
            }
            FormKind::Leave { name, .. } => trf("roll.leave_title", &[("name", name.clone())]),
        }
    }
}

pub fn build(kind: FormKind, ctx: &PaneCtx) -> Form {
    let now = time::fmt_local(ctx.now_ms, ctx.store.offset_min(), "%H:%M");
    match kind {
        FormKind::Followup { student_id, .. } => {
            let mut f = Form::new(vec![
                Field::text("contacted", "roll.f.contacted").choice(CONTACTED_KEYS.to_vec()),
                Field::text("contact_name", "roll.f.contact_name")
                    .max(40)
                    .hint("roll.hint.contact_name"),
                Field::text("finding", "roll.f.finding")
                    .required()
                    .max(200)
                    .hint("roll.hint.finding"),
                Field::text("found", "roll.f.found").choice(FOUND_KEYS.to_vec()),
                Field::text("found_at", "roll.f.found_at")
                    .max(5)
                    .hint("roll.hint.found_at"),
            ]);
            // The first guardian, with the number to call, is the usual first call.
            if let Ok(Some(s)) = ctx.store.student(&student_id)
                && let Some(g) = s.data.guardians.first()
            {
                let phone = g.phone.clone().unwrap_or_default();
                f.set(
                    "contact_name",
                    format!("{} {} {phone}", g.name, g.relation).trim(),
                );
            }
            f.set("found_at", &now);
            f.focus_on("finding");
            f.mark_pristine();
            f
        }
        FormKind::Sick { .. } => Form::new(vec![
            Field::text("symptoms", "roll.f.symptoms")
                .required()
                .max(100),
            Field::text("temperature", "roll.f.temperature")
                .max(6)
                .hint("roll.hint.temperature"),
            Field::text("medicine", "roll.f.medicine").max(100),
            Field::text("water", "roll.f.water").max(60),
            Field::text("clinic", "roll.f.clinic").choice(NO_YES.to_vec()),
            Field::text("guardian_told", "roll.f.guardian_told").choice(NO_YES.to_vec()),
        ]),
        FormKind::SickNote { .. } => Form::new(vec![
            Field::text("note", "roll.f.note").max(200),
            Field::text("temperature", "roll.f.temperature")
                .max(6)
                .hint("roll.hint.temperature"),
            Field::text("closed", "roll.f.sick_closed").choice(NO_YES.to_vec()),
        ]),
        FormKind::Leave { .. } => {
            let mut f = Form::new(vec![
                Field::text("from", "roll.f.leave_from")
                    .required()
                    .max(16)
                    .hint("roll.hint.datetime"),
                Field::text("due", "roll.f.leave_due")
                    .required()
                    .max(16)
                    .hint("roll.hint.datetime"),
                Field::text("reason", "roll.f.leave_reason")
                    .required()
                    .max(100),
                Field::text("approved_by", "roll.f.approved_by")
                    .required()
                    .max(20),
                Field::text("destination", "roll.f.destination").max(60),
            ]);
            f.set(
                "from",
                &time::fmt_local(ctx.now_ms, ctx.store.offset_min(), "%m-%d %H:%M"),
            );
            f.focus_on("due");
            f.mark_pristine();
            f
        }
    }
}

fn when(f: &mut Form, field: &'static str, ctx: &PaneCtx) -> Result<i64, StoreError> {
    time::parse_local_datetime(&f.value(field), ctx.now_ms, ctx.store.offset_min())
        .ok_or_else(|| DomainError::Invalid(vec![(field, FieldError::TimeFormat)]).into())
}

/// Saves the form; returns the confirmation line.
pub fn save(kind: &FormKind, f: &mut Form, ctx: &mut PaneCtx) -> Result<String, StoreError> {
    match kind {
        FormKind::Followup {
            round_id,
            student_id,
            name,
            ..
        } => {
            let place = FOUND_WHERE[f.choice("found").min(2)];
            let found = place.is_some();
            let found_at = if found {
                let m = time::parse_hhmm(&f.value("found_at")).ok_or(DomainError::Invalid(
                    vec![("found_at", FieldError::TimeFormat)],
                ))?;
                Some((
                    time::today_at(ctx.now_ms, ctx.store.offset_min(), m).min(ctx.now_ms),
                    place,
                ))
            } else {
                None
            };
            ctx.store.record_followup_found(
                ctx.actor,
                round_id,
                student_id,
                (
                    CONTACTED[f.choice("contacted").min(2)],
                    &f.value("contact_name"),
                ),
                &f.value("finding"),
                found_at,
            )?;
            Ok(trf(
                if found {
                    "roll.found"
                } else {
                    "roll.followup_saved"
                },
                &[("name", name.clone())],
            ))
        }
        FormKind::Sick { student_id, name } => {
            ctx.store.record_sick(
                ctx.actor,
                student_id,
                &f.value("symptoms"),
                &f.value("temperature"),
                &f.value("medicine"),
                &f.value("water"),
                f.choice("clinic") == 1,
                f.choice("guardian_told") == 1,
            )?;
            Ok(trf("roll.sick_saved", &[("name", name.clone())]))
        }
        FormKind::SickNote { sick_id, name } => {
            ctx.store.sick_followup(
                ctx.actor,
                sick_id,
                &f.value("note"),
                &f.value("temperature"),
                f.choice("closed") == 1,
            )?;
            Ok(trf("roll.sick_note_saved", &[("name", name.clone())]))
        }
        FormKind::Leave { student_id, name } => {
            let from = when(f, "from", ctx)?;
            let due = when(f, "due", ctx)?;
            ctx.store.grant_leave(
                ctx.actor,
                student_id,
                from,
                due,
                &f.value("reason"),
                &f.value("approved_by"),
                &f.value("destination"),
            )?;
            Ok(trf("roll.leave_saved", &[("name", name.clone())]))
        }
    }
}

/// One line about a boarder for the hint bar (Enter on a non-absent row).
pub fn describe(r: &SheetRow, offset_min: i32) -> String {
    let d = &r.student.data;
    let guardians: Vec<String> = d
        .guardians
        .iter()
        .map(|g| {
            format!(
                "{}{} {}",
                g.relation,
                g.name,
                g.phone.clone().unwrap_or_default()
            )
        })
        .collect();
    let mut s = format!(
        "{} {} {} · {}",
        d.name,
        d.class,
        bed_label(&r.student.bed),
        guardians.join("；")
    );
    if d.left_behind {
        s.push_str(&format!(" · {}", tr("roll.left_behind")));
    }
    if !d.care_notes.is_empty() {
        s.push_str(&format!(" · {}", d.care_notes));
    }
    let note = crate::i18n::facts::note_text(&r.note, r.fact.as_ref(), offset_min);
    if !note.is_empty() {
        s.push_str(&format!(" · {note}"));
    }
    s
}

/// "(head teacher 周老师 13800000000)" from the roster and the staff list.
pub fn head_teacher_line(ctx: &PaneCtx, student_id: &str) -> String {
    let Ok(Some(s)) = ctx.store.student(student_id) else {
        return String::new();
    };
    let name = s.data.head_teacher.trim().to_string();
    if name.is_empty() {
        return String::new();
    }
    match ctx.store.staff_phone(&name) {
        Some(phone) => trf("roll.followup_head", &[("name", name), ("phone", phone)]),
        None => trf("roll.followup_head_name", &[("name", name)]),
    }
}
