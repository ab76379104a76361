//! `dutydesk duty import FILE`: the duty roster (值班表) from the template's
//! .xlsx/.csv, every bad row named and nothing written until all are good;
//! `dutydesk duty shifts`: a station's shift times and grace.

use super::{CliError, auth::AsOperator, open_existing};
use crate::domain::duty::{fmt_shift_defs, parse_shift_defs};
use crate::domain::duty_lines::LineError;
use crate::domain::role::Permission;
use crate::i18n::{tr, trf};
use crate::import::duty::parse_file;
use crate::import::summary::import_error_text;
use crate::store::duty_import::DutyImport;
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum DutyCmd {
    /// Import the duty roster (.xlsx, .xls, CSV); a known shift's line is replaced
    Import {
        file: PathBuf,
        /// Show what would change; change nothing
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        by: AsOperator,
    },
    /// Show or set a station's shift times and grace
    Shifts {
        /// "day=07:30-18:00,night=18:00-07:30"
        #[arg(long)]
        set: Option<String>,
        /// Minutes after the start before an arrival is late
        #[arg(long)]
        grace: Option<i64>,
        /// The station (default: this one)
        #[arg(long)]
        station: Option<String>,
        /// Needed with --set or --grace only: showing changes nothing
        #[command(flatten)]
        by: AsOperator,
    },
}

pub fn run(path: &Path, which: DutyCmd) -> Result<(), CliError> {
    match which {
        DutyCmd::Import { file, dry_run, by } => import(path, &file, dry_run, &by),
        DutyCmd::Shifts {
            set,
            grace,
            station,
            by,
        } => shifts(path, set, grace, station, &by),
    }
}

/// One line per bad row, in the user's language.
pub fn row_error_text(e: &LineError) -> String {
    trf(
        "duty.import.row_error",
        &[
            ("line", e.line.to_string()),
            ("field", tr(&format!("duty.col.{}", e.field))),
            ("error", trf(e.problem.key(), &e.problem.args())),
        ],
    )
}

fn import(path: &Path, file: &Path, dry_run: bool, by: &AsOperator) -> Result<(), CliError> {
    let mut store = open_existing(path)?;
    store.require_station()?;
    let parsed = parse_file(file).map_err(|e| match e {
        crate::import::roster::ImportError::Io(io) => {
            CliError(super::io_error_text("cli.io.read", file.display(), &io))
        }
        other => CliError(format!("{}: {}", file.display(), import_error_text(&other))),
    })?;
    let actor = by.actor(&mut store, Permission::ManageDuty)?;
    let mut resolved: DutyImport = store.resolve_duty_lines(&parsed.rows)?;
    let mut errors = parsed.errors;
    errors.append(&mut resolved.errors);
    errors.sort_by_key(|e| e.line);
    if !errors.is_empty() {
        for e in &errors {
            say!("{}", row_error_text(e));
        }
        return Err(CliError(trf(
            "duty.import.refused",
            &[
                ("file", file.display().to_string()),
                ("n", errors.len().to_string()),
            ],
        )));
    }
    if !resolved.unknown.is_empty() {
        let names: Vec<&str> = resolved.unknown.iter().map(String::as_str).collect();
        say!(
            "{}",
            trf(
                "duty.import.unknown",
                &[("n", names.len().to_string()), ("names", names.join("、"))]
            )
        );
    }
    if !dry_run {
        store.import_duty(&actor, &resolved)?;
    }
    say!(
        "{}",
        trf(
            "duty.imported",
            &[
                ("added", resolved.added.to_string()),
                ("changed", resolved.changed.to_string()),
                ("same", resolved.same.to_string()),
            ],
        )
    );
    if dry_run {
        say!("{}", tr("roster.dry_run"));
    }
    Ok(())
}

fn shifts(
    path: &Path,
    set: Option<String>,
    grace: Option<i64>,
    station: Option<String>,
    by: &AsOperator,
) -> Result<(), CliError> {
    let mut store = open_existing(path)?;
    let own = store.require_station()?.clone();
    let (st_id, st_name) = match station {
        None => (own.id, own.name),
        Some(s) => store
            .duty_stations()?
            .into_iter()
            .find(|(id, name)| *name == s || *id == s)
            .ok_or_else(|| CliError(trf("duty.err.no_station", &[("station", s)])))?,
    };
    if set.is_some() || grace.is_some() {
        let defs = match &set {
            Some(s) => parse_shift_defs(s)
                .map_err(|part| CliError(trf("duty.err.shift_spec", &[("part", part)])))?,
            None => store.shift_defs(&st_id)?,
        };
        let grace = match grace {
            Some(g) => g,
            None => store.duty_grace_min(&st_id)?,
        };
        let actor = by.actor(&mut store, Permission::ManageDuty)?;
        store.set_shift_defs(&actor, &st_id, defs, grace)?;
    }
    say!(
        "{}",
        trf(
            "duty.shifts.show",
            &[
                ("station", st_name),
                ("shifts", fmt_shift_defs(&store.shift_defs(&st_id)?)),
                ("grace", store.duty_grace_min(&st_id)?.to_string()),
            ],
        )
    );
    Ok(())
}
