//! `dutydesk report …`: ledgers in the layout of the paper forms.

use super::{CliError, name_or_admin, open_existing, read_pin};
use crate::domain::time::parse_date;
use crate::i18n::{tr, trf};
use crate::report::visitors::{ExportRequest, export_visitors};
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum ReportCmd {
    /// 来访登记表 — the visitor register
    Visitors {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        /// Output file: .xlsx or .csv
        #[arg(long)]
        out: PathBuf,
        /// Show full ID numbers (needs an admin: --as NAME and the PIN)
        #[arg(long)]
        full_ids: bool,
        /// Operator running the export (default: the first active admin)
        #[arg(long = "as")]
        as_operator: Option<String>,
        #[arg(long)]
        pin_file: Option<PathBuf>,
    },
}

pub fn run(path: &Path, which: ReportCmd) -> Result<(), CliError> {
match which {
        ReportCmd::Visitors {
            from,
            to,
            out,
            full_ids,
            as_operator,
            pin_file,
        } => {
            let from = parse_date(&from)
                .ok_or_else(|| CliError(trf("cli.bad_date", &[("value", from.clone())])))?;
            let to = parse_date(&to)
                .ok_or_else(|| CliError(trf("cli.bad_date", &[("value", to.clone())])))?;
            if to < from {
                return Err(CliError(tr("err.date_order")));
            }
            crate::report::ledger::Format::from_path(&out)
                .map_err(|_| CliError(tr("cli.bad_ext")))?;
            let store = open_existing(&path)?;
            store.require_station()?;
            // Exports are signed by an operator; full IDs need an admin's PIN.
            let name = name_or_admin(&store, as_operator.as_deref())?;
            let op = store
                .find_operator_by_name(&name)?
                .ok_or_else(|| CliError(trf("cli.no_operator", &[("name", name.clone())])))?;
            let actor = if full_ids {
                store.verify_pin(&op.id, &read_pin(&pin_file)?)?.actor()
            } else {
                op.actor()
            };
            let n = export_visitors(
                &store,
                &actor,
                &ExportRequest {
                    from,
                    to,
                    path: out.clone(),
                    full_ids,
                },
            )?;
            println!(
                "{}",
                trf(
                    "export.done",
                    &[("n", n.to_string()), ("path", out.display().to_string())]
                )
            );
            Ok(())
        }
    }
}
