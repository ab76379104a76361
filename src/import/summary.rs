//! Import results in words: the error and summary lines the command line
//! prints and the TUI's preview shows.

use crate::domain::roster::{Carried, GUARDIAN_FIELDS};
use crate::domain::roster_diff::RosterDiff;
use crate::i18n::{tr, trf};
use crate::import::roster::{ImportError, ParsedRoster};
use crate::store::rollcall::bed_label;

/// An import error in the current language, field names translated.
pub fn import_error_text(e: &ImportError) -> String {
    let args: Vec<(&str, String)> = match e {
        ImportError::UnknownColumns { unknown, missing } => vec![
            ("unknown", unknown.join("、")),
            (
                "missing",
                missing
                    .iter()
                    .map(|m| field_label(m))
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
        ],
        other => other.args(),
    };
    trf(e.key(), &args)
}

/// The roster's one-building schools leave the building out: name it.
pub fn default_building(parsed: &mut ParsedRoster) {
    for r in parsed.rows.iter_mut().chain(parsed.rejected.iter_mut()) {
        if r.bed.building.trim().is_empty() {
            r.bed.building = tr("roster.default_building");
        }
    }
}

/// At most this many names per group unless the caller asks for all.
pub const LIST_CAP: usize = 20;

/// The lines the dry run and the import print, each group capped at
/// [`LIST_CAP`] names.
pub fn summary(parsed: &ParsedRoster, diff: &RosterDiff) -> Vec<String> {
    summary_lines(parsed, diff, false)
}

/// A field key in words; guardians past the second are numbered.
pub fn field_label(key: &str) -> String {
    let numbered = GUARDIAN_FIELDS
        .iter()
        .enumerate()
        .skip(2)
        .find_map(|(slot, parts)| {
            parts
                .iter()
                .position(|p| *p == key)
                .map(|part| (slot, part))
        });
    match numbered {
        Some((slot, part)) => trf(
            [
                "import.field.guardian_n",
                "import.field.relation_n",
                "import.field.phone_n",
                "import.field.may_pick_up_n",
            ][part],
            &[("n", (slot + 1).to_string())],
        ),
        None => tr(&format!("import.field.{key}")),
    }
}

/// One entry per thing the import would do, grouped, in the order the
/// dry run prints them: pick-up rights first, then cleared fields, new,
/// moved, leavers, guardian and other changes. (group key, who, detail).
pub fn entries(diff: &RosterDiff) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    let right = |r: Option<bool>| {
        tr(match r {
            Some(true) => "roster.pick_up_yes",
            Some(false) => "roster.pick_up_no",
            None => "roster.pick_up_none",
        })
    };
    for c in &diff.pick_up {
        out.push((
            "roster.summary_pick_up",
            c.student.data.name.clone(),
            trf(
                "roster.pick_up_item",
                &[
                    ("student", c.student.data.name.clone()),
                    ("guardian", c.guardian.clone()),
                    ("before", right(c.before)),
                    ("after", right(c.after)),
                ],
            ),
        ));
    }
    for (s, fields) in &diff.cleared {
        let fields: Vec<String> = fields.iter().map(|f| field_label(f)).collect();
        out.push((
            "roster.summary_cleared",
            s.data.name.clone(),
            trf(
                "roster.cleared_item",
                &[
                    ("student", s.data.name.clone()),
                    ("fields", fields.join("、")),
                ],
            ),
        ));
    }
    for r in &diff.new {
        out.push((
            "roster.summary_new",
            r.data.name.clone(),
            format!(
                "{}({} {}-{})",
                r.data.name, r.bed.building, r.bed.room, r.bed.bed
            ),
        ));
    }
    for (s, b) in &diff.moved {
        out.push((
            "roster.summary_moved",
            s.data.name.clone(),
            format!(
                "{} {} → {}-{}",
                s.data.name,
                bed_label(&s.bed),
                b.room,
                b.bed
            ),
        ));
    }
    for s in &diff.left {
        out.push((
            "roster.summary_left",
            s.data.name.clone(),
            s.data.name.clone(),
        ));
    }
    for (s, _) in &diff.guardians_changed {
        out.push((
            "roster.summary_guardians",
            s.data.name.clone(),
            s.data.name.clone(),
        ));
    }
    for (s, _) in &diff.changed {
        out.push((
            "roster.summary_changed",
            s.data.name.clone(),
            s.data.name.clone(),
        ));
    }
    out
}

const GROUPS: [&str; 7] = [
    "roster.summary_pick_up",
    "roster.summary_cleared",
    "roster.summary_new",
    "roster.summary_moved",
    "roster.summary_left",
    "roster.summary_guardians",
    "roster.summary_changed",
];

/// The dry run's and the import's lines: the file, lines skipped and
/// columns ignored, then each group's count and its first names (all of
/// them when `verbose`).
pub fn summary_lines(parsed: &ParsedRoster, diff: &RosterDiff, verbose: bool) -> Vec<String> {
    let mut out = vec![trf(
        "roster.summary_file",
        &[
            (
                "rows",
                (parsed.rows.len() + parsed.rejected.len()).to_string(),
            ),
            ("encoding", parsed.encoding.to_string()),
            ("header", parsed.header_line.to_string()),
        ],
    )];
    let cap = if verbose { usize::MAX } else { LIST_CAP };
    for s in parsed.skipped.iter().take(cap) {
        out.push(trf(
            "roster.skipped",
            &[
                ("line", s.line.to_string()),
                ("why", tr(s.why.key())),
                ("text", s.text.clone()),
            ],
        ));
    }
    if parsed.skipped.len() > cap {
        out.push(trf(
            "roster.more",
            &[("n", (parsed.skipped.len() - cap).to_string())],
        ));
    }
    let ignored: Vec<&str> = parsed
        .columns
        .iter()
        .filter(|(_, f)| f.is_none())
        .map(|(h, _)| h.as_str())
        // The row number every roster starts with carries no field.
        .filter(|h| !matches!(*h, "序号" | "编号" | "No." | "No" | "#"))
        .collect();
    if !ignored.is_empty() {
        out.push(trf(
            "roster.ignored_columns",
            &[("columns", ignored.join("、"))],
        ));
    }
    let absent = absent_fields(&parsed.carried);
    if !absent.is_empty() {
        let words: Vec<String> = absent.iter().map(|f| field_label(f)).collect();
        out.push(trf(
            "roster.absent_columns",
            &[("fields", words.join("、"))],
        ));
    }
    let entries = entries(diff);
    for group in GROUPS {
        let items: Vec<&str> = entries
            .iter()
            .filter(|(g, _, _)| *g == group)
            .map(|(_, _, detail)| detail.as_str())
            .collect();
        // Pick-up rights and cleared fields are said only when there are
        // some; the usual groups always give their count.
        if items.is_empty() && matches!(group, "roster.summary_pick_up" | "roster.summary_cleared")
        {
            continue;
        }
        let mut who = items
            .iter()
            .take(cap)
            .copied()
            .collect::<Vec<_>>()
            .join("、");
        if items.len() > cap {
            who.push(' ');
            who.push_str(&trf(
                "roster.more",
                &[("n", (items.len() - cap).to_string())],
            ));
        }
        out.push(trf(group, &[("n", items.len().to_string()), ("who", who)]));
    }
    out.push(trf(
        "roster.summary_unchanged",
        &[("n", diff.unchanged.to_string())],
    ));
    // "Moved bed: 0" reads better without an empty list after it.
    out.into_iter()
        .map(|l| l.trim_end().trim_end_matches(['：', ':']).to_string())
        .collect()
}

/// Fields a file without their column leaves alone, as field keys.
fn absent_fields(c: &Carried) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = [
        (c.student_no, "student_no"),
        (c.gender, "gender"),
        (c.class, "class"),
        (c.head_teacher, "head_teacher"),
        (c.left_behind, "left_behind"),
        (c.notes, "notes"),
    ]
    .into_iter()
    .filter(|(has, _)| !has)
    .map(|(_, f)| f)
    .collect();
    match c.guardians.first() {
        None => out.push(GUARDIAN_FIELDS[0][0]),
        Some(parts) => out.extend(
            parts
                .iter()
                .zip(GUARDIAN_FIELDS[0])
                .filter(|(has, _)| !**has)
                .map(|(_, f)| f),
        ),
    }
    out
}

pub fn row_errors(parsed: &ParsedRoster) -> Vec<String> {
    parsed
        .errors
        .iter()
        .map(|e| {
            trf(
                "roster.row_error",
                &[
                    ("line", e.line.to_string()),
                    ("field", field_label(e.field)),
                    ("reason", trf(e.reason.key(), &e.reason.args())),
                ],
            )
        })
        .collect()
}
