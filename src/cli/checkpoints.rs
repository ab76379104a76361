//! `dutydesk checkpoints import FILE`: patrol checkpoints from the
//! template's .xlsx/.csv. Every bad row is named with its row number and
//! nothing is imported until all are good.

use super::{CliError, auth::AsOperator, open_existing};
use crate::domain::patrol::CheckpointData;
use crate::domain::role::Permission;
use crate::i18n::{tr, trf};
use crate::import::checkpoints::parse_file;
use crate::import::summary::import_error_text;
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum CheckpointsCmd {
    /// Import checkpoints (.xlsx, .xls, CSV): a known code updates its checkpoint
    Import {
        file: PathBuf,
        /// Show what would change; change nothing
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        by: AsOperator,
    },
}

pub fn run(path: &Path, which: CheckpointsCmd) -> Result<(), CliError> {
    let CheckpointsCmd::Import { file, dry_run, by } = which;
    let mut store = open_existing(path)?;
    store.require_station()?;
    let parsed = parse_file(&file).map_err(|e| match e {
        crate::import::roster::ImportError::Io(io) => {
            CliError(super::io_error_text("cli.io.read", file.display(), &io))
        }
        other => CliError(format!("{}: {}", file.display(), import_error_text(&other))),
    })?;
    if !parsed.errors.is_empty() {
        for e in &parsed.errors {
            say!(
                "{}",
                trf(
                    "patrol.import_row_error",
                    &[
                        ("line", e.line.to_string()),
                        ("field", tr(&format!("patrol.f.{}", e.field))),
                        ("error", trf(e.error.key(), &e.error.args())),
                    ],
                )
            );
        }
        return Err(CliError(trf(
            "patrol.import_refused",
            &[("n", parsed.errors.len().to_string())],
        )));
    }
    let actor = by.actor(&mut store, Permission::ManagePatrol)?;
    let rows: Vec<CheckpointData> = parsed.rows.into_iter().map(|r| r.1).collect();
    let (added, changed) = if dry_run {
        let known = store.checkpoints(true)?;
        rows.iter().fold((0, 0), |(a, c), d| {
            match known.iter().find(|k| k.data.code == d.code) {
                None => (a + 1, c),
                Some(k) if k.data != *d => (a, c + 1),
                Some(_) => (a, c),
            }
        })
    } else {
        store.import_checkpoints(&actor, &rows)?
    };
    say!(
        "{}",
        trf(
            "patrol.imported",
            &[
                ("added", added.to_string()),
                ("changed", changed.to_string())
            ],
        )
    );
    if dry_run {
        say!("{}", tr("roster.dry_run"));
    }
    Ok(())
}
