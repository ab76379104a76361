//! `dutydesk roster …`: importing the school office's roster file.

use super::{CliError, auth::AsOperator, open_existing};
use crate::domain::role::Permission;
use crate::domain::roster_diff::RosterDiff;
use crate::i18n::{tr, trf};
use crate::import::roster::ParsedRoster;
use crate::import::roster::parse_file;
use crate::import::summary::{
    default_building, entries, import_error_text, row_errors, summary_lines,
};
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum RosterCmd {
    /// Import a roster (CSV in UTF-8/GBK/GB18030, .xlsx, .xls); a re-import applies the differences
    Import {
        file: PathBuf,
        /// Show what would change; change nothing
        #[arg(long)]
        dry_run: bool,
        /// Apply the valid rows even if some rows are in error
        #[arg(long)]
        skip_invalid: bool,
        /// List every name in each group, not only the first 20
        #[arg(long)]
        verbose: bool,
        /// Also write every change, one per line, to this CSV file
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        #[command(flatten)]
        by: AsOperator,
    },
}

pub fn run(path: &Path, which: RosterCmd) -> Result<(), CliError> {
    match which {
        RosterCmd::Import {
            file,
            dry_run,
            skip_invalid,
            verbose,
            report,
            by,
        } => {
            let mut store = open_existing(path)?;
            store.require_station()?;
            let mut parsed = parse_file(&file).map_err(|e| match e {
                crate::import::roster::ImportError::Io(io) => {
                    CliError(super::io_error_text("cli.io.read", file.display(), &io))
                }
                other => CliError(import_error_text(&other)),
            })?;
            default_building(&mut parsed);
            // Even a dry run shows the roster's names: it needs the right too.
            let actor = by.actor(&mut store, Permission::ManageRoster)?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let outcome = store.import_roster(&actor, &name, &parsed, skip_invalid, dry_run)?;
            for line in summary_lines(&parsed, &outcome.diff, verbose) {
                say!("{line}");
            }
            if let Some(out) = &report {
                write_change_report(out, &parsed, &outcome.diff)?;
            }
            let errors = row_errors(&parsed);
            if !errors.is_empty() {
                for e in &errors {
                    say!("{e}");
                }
                if !skip_invalid {
                    // The one-line reason goes to stderr like every refusal.
                    return Err(CliError(trf(
                        "roster.refused",
                        &[("n", errors.len().to_string())],
                    )));
                }
            }
            let msg = if dry_run {
                tr("roster.dry_run")
            } else if outcome.diff.is_empty() {
                tr("roster.no_changes")
            } else {
                trf("roster.applied", &[("n", outcome.events.to_string())])
            };
            say!("{msg}");
            Ok(())
        }
    }
}

/// Every skipped line, row error and change, one per CSV record (UTF-8
/// with a BOM so Excel reads the Chinese), for files too big to read on
/// screen.
fn write_change_report(
    out: &Path,
    parsed: &ParsedRoster,
    diff: &RosterDiff,
) -> Result<(), CliError> {
    let io_err =
        |e: std::io::Error| CliError(super::io_error_text("cli.io.write", out.display(), &e));
    let csv_err = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(io) => io_err(io),
        other => CliError(format!("{}: {other:?}", out.display())),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        tr("roster.report.col.group"),
        tr("roster.report.col.who"),
        tr("roster.report.col.detail"),
    ])
    .map_err(csv_err)?;
    for s in &parsed.skipped {
        w.write_record([tr(s.why.key()), s.line.to_string(), s.text.clone()])
            .map_err(csv_err)?;
    }
    for e in row_errors(parsed) {
        w.write_record([tr("roster.report.row_error"), String::new(), e])
            .map_err(csv_err)?;
    }
    for (group, who, detail) in entries(diff) {
        let group = tr(&group.replace("roster.summary_", "roster.group."));
        w.write_record([group, who, detail]).map_err(csv_err)?;
    }
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(w.into_inner().map_err(|e| io_err(e.into_error()))?);
    std::fs::write(out, bytes).map_err(io_err)
}
