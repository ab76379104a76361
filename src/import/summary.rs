//! Import results in words: the error and summary lines the command line
//! prints and the TUI's preview shows.

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
                    .map(|m| tr(&format!("import.field.{m}")))
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

/// The lines the dry run and the import print: counts, then who.
pub fn summary(
    parsed: &ParsedRoster,
    diff: &crate::domain::roster_diff::RosterDiff,
) -> Vec<String> {
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
    let names = |v: Vec<String>| v.join("、");
    out.push(trf(
        "roster.summary_new",
        &[
            ("n", diff.new.len().to_string()),
            (
                "who",
                names(
                    diff.new
                        .iter()
                        .map(|r| {
                            format!(
                                "{}({} {}-{})",
                                r.data.name, r.bed.building, r.bed.room, r.bed.bed
                            )
                        })
                        .collect(),
                ),
            ),
        ],
    ));
    out.push(trf(
        "roster.summary_moved",
        &[
            ("n", diff.moved.len().to_string()),
            (
                "who",
                names(
                    diff.moved
                        .iter()
                        .map(|(s, b)| {
                            format!(
                                "{} {} → {}-{}",
                                s.data.name,
                                bed_label(&s.bed),
                                b.room,
                                b.bed
                            )
                        })
                        .collect(),
                ),
            ),
        ],
    ));
    out.push(trf(
        "roster.summary_left",
        &[
            ("n", diff.left.len().to_string()),
            (
                "who",
                names(diff.left.iter().map(|s| s.data.name.clone()).collect()),
            ),
        ],
    ));
    out.push(trf(
        "roster.summary_guardians",
        &[
            ("n", diff.guardians_changed.len().to_string()),
            (
                "who",
                names(
                    diff.guardians_changed
                        .iter()
                        .map(|(s, _)| s.data.name.clone())
                        .collect(),
                ),
            ),
        ],
    ));
    out.push(trf(
        "roster.summary_changed",
        &[
            ("n", diff.changed.len().to_string()),
            (
                "who",
                names(
                    diff.changed
                        .iter()
                        .map(|(s, _)| s.data.name.clone())
                        .collect(),
                ),
            ),
        ],
    ));
    out.push(trf(
        "roster.summary_unchanged",
        &[("n", diff.unchanged.to_string())],
    ));
    // "Moved bed: 0" reads better without an empty list after it.
    out.into_iter()
        .map(|l| l.trim_end().trim_end_matches(['：', ':']).to_string())
        .collect()
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
                    ("field", tr(&format!("import.field.{}", e.field))),
                    ("reason", trf(e.reason.key(), &e.reason.args())),
                ],
            )
        })
        .collect()
}
