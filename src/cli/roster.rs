//! `dutydesk roster …`: importing the school office's roster file.

use super::{CliError, name_or_admin, open_existing};
use crate::i18n::{tr, trf};
use crate::import::roster::parse_file;
use crate::import::summary::{default_building, import_error_text, row_errors, summary};
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
    },
}

pub fn run(path: &Path, which: RosterCmd) -> Result<(), CliError> {
    match which {
        RosterCmd::Import {
            file,
            dry_run,
            skip_invalid,
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
            let admin = name_or_admin(&store, None)?;
            let actor = store
                .find_operator_by_name(&admin)?
                .ok_or_else(|| CliError(tr("cli.not_set_up")))?
                .actor();
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let outcome = store.import_roster(&actor, &name, &parsed, skip_invalid, dry_run)?;
            for line in summary(&parsed, &outcome.diff) {
                say!("{line}");
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
