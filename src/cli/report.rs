//! `dutydesk report …`: ledgers in the layout of the paper forms.

use super::{CliError, auth::AsOperator, open_existing};
use crate::domain::role::{Actor, Permission};
use crate::domain::time::parse_date;
use crate::i18n::{tr, trf};
use crate::report::request::{LedgerRequest, export};
use crate::report::rollcall::{RollcallRequest, parse_month};
use crate::report::sick::RangeRequest;
use crate::report::visitors::ExportRequest;
use crate::store::Store;
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
        /// Replace the output file if it exists
        #[arg(long)]
        force: bool,
        /// Show full ID numbers (needs an admin: --as NAME and the PIN)
        #[arg(long)]
        full_ids: bool,
        #[command(flatten)]
        exporter: AsOperator,
    },
    /// 住宿学生花名册 — the boarder roster
    Roster {
        /// Output file: .xlsx or .csv
        #[arg(long)]
        out: PathBuf,
        /// Replace the output file if it exists
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        exporter: AsOperator,
    },
    /// 住宿学生点名册 — the monthly roll-call book
    Rollcall {
        /// YYYY-MM
        #[arg(long)]
        month: String,
        /// Output file: .xlsx or .csv
        #[arg(long)]
        out: PathBuf,
        /// Replace the output file if it exists
        #[arg(long)]
        force: bool,
        /// One building (default: all)
        #[arg(long)]
        building: Option<String>,
        #[command(flatten)]
        exporter: AsOperator,
    },
    /// 夜不归宿/晚归统计 — nights out and late returns per boarder and class
    Absences(RangeArgs),
    /// 病号登记 — the sick log
    Sick(RangeArgs),
    /// 请假登记 — the leave register
    Leave(RangeArgs),
    /// 学生离校/返校登记 — boarders leaving and returning at the gate
    Gate(RangeArgs),
    /// 缺勤跟进 — absence follow-ups
    Followups(RangeArgs),
    /// 隐患排查台账 — the hazard ledger
    Hazards(RangeArgs),
    /// 巡查记录 — the patrol ledger: each checkpoint of each round
    Patrol(RangeArgs),
    /// 值班记录 — the shift log: every entry, its follow-up and outcome
    Shiftlog(RangeArgs),
    /// 值班日报 — the daily duty report: counts per station for one day
    Daily {
        /// YYYY-MM-DD
        #[arg(long)]
        date: String,
        /// Output file: .xlsx or .csv
        #[arg(long)]
        out: PathBuf,
        /// Replace the output file if it exists
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        exporter: AsOperator,
    },
    /// 学校领导教师轮流值日情况记载表 — every shift of a month, planned against actual
    Duty {
        /// YYYY-MM
        #[arg(long)]
        month: String,
        /// Output file: .xlsx or .csv
        #[arg(long)]
        out: PathBuf,
        /// Replace the output file if it exists
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        exporter: AsOperator,
    },
    /// 交接班记录 — the signed handovers, shift by shift (one day: --date)
    Handover {
        /// One day, YYYY-MM-DD (instead of --from and --to)
        #[arg(long, conflicts_with_all = ["from", "to"])]
        date: Option<String>,
        #[arg(long, requires = "to")]
        from: Option<String>,
        #[arg(long, requires = "from")]
        to: Option<String>,
        /// Output file: .xlsx or .csv
        #[arg(long)]
        out: PathBuf,
        /// Replace the output file if it exists
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        exporter: AsOperator,
    },
    /// 巡查点卡片 — one label per checkpoint with its Code 128 barcode
    Checkpoints {
        /// Output file: .xlsx
        #[arg(long)]
        out: PathBuf,
        /// Replace the output file if it exists
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        exporter: AsOperator,
    },
}

/// The options of the ledgers that cover a date range (absences, sick,
/// leave, gate, follow-ups).
#[derive(clap::Args, Debug)]
pub struct RangeArgs {
    #[arg(long)]
    from: String,
    #[arg(long)]
    to: String,
    /// Output file: .xlsx or .csv
    #[arg(long)]
    out: PathBuf,
    /// Replace the output file if it exists
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    exporter: AsOperator,
}

/// Checks the dates and the output before the database is opened, then
/// writes the ledger and says how many rows it holds.
fn run_range(
    path: &Path,
    a: RangeArgs,
    request: fn(RangeRequest) -> LedgerRequest,
    done_key: &str,
) -> Result<(), CliError> {
    let from = date_arg(&a.from)?;
    let to = date_arg(&a.to)?;
    if to < from {
        return Err(CliError(tr("err.date_order")));
    }
    check_out(&a.out, a.force)?;
    let mut store = open_existing(path)?;
    let actor = signer(&mut store, &a.exporter)?;
    let req = request(RangeRequest {
        from,
        to,
        path: a.out.clone(),
    });
    let n = write(&store, &actor, &req)?;
    done(done_key, n, &a.out);
    Ok(())
}

/// Refuses an output name the ledger writer cannot write, or a file that
/// exists without `--force` (last month's signed ledger must not vanish by
/// a repeated command), before any database is opened.
fn check_out(out: &Path, force: bool) -> Result<(), CliError> {
    crate::report::ledger::Format::from_path(out).map_err(|_| CliError(tr("cli.bad_ext")))?;
    if out.is_dir() {
        let e = std::io::Error::from(std::io::ErrorKind::IsADirectory);
        return Err(CliError(super::io_error_text(
            "cli.io.write",
            out.display(),
            &e,
        )));
    }
    if out.exists() && !force {
        return Err(CliError(trf(
            "cli.out_exists",
            &[("path", out.display().to_string())],
        )));
    }
    Ok(())
}

/// An export's failure: an OS error names the output file.
fn export_err<'a>(out: &'a Path) -> impl Fn(crate::store::StoreError) -> CliError + 'a {
    super::store_err("cli.io.write", out)
}

fn date_arg(value: &str) -> Result<chrono::NaiveDate, CliError> {
    parse_date(value).ok_or_else(|| CliError(trf("cli.bad_date", &[("value", value.to_string())])))
}

/// The exporter named on the ledger: `--as` with the PIN, checked before
/// anything is written, so nobody signs a ledger with another's name and
/// no ledger leaves the station without a name on it.
fn signer(store: &mut Store, exporter: &AsOperator) -> Result<Actor, CliError> {
    exporter.actor(store, Permission::ExportReports)
}

/// Writes the ledger with its progress on standard error.
fn write(store: &Store, actor: &Actor, req: &LedgerRequest) -> Result<usize, CliError> {
    let progress = super::progress::Percent::new();
    let n = export(store, actor, req, &progress);
    progress.finish();
    n.map_err(export_err(req.path()))
}

fn done(key: &str, n: usize, out: &Path) {
    say!(
        "{}",
        trf(
            key,
            &[("n", n.to_string()), ("path", out.display().to_string())]
        )
    );
}

pub fn run(path: &Path, which: ReportCmd) -> Result<(), CliError> {
    match which {
        ReportCmd::Visitors {
            from,
            to,
            out,
            force,
            full_ids,
            exporter,
        } => {
            let from = parse_date(&from)
                .ok_or_else(|| CliError(trf("cli.bad_date", &[("value", from.clone())])))?;
            let to = parse_date(&to)
                .ok_or_else(|| CliError(trf("cli.bad_date", &[("value", to.clone())])))?;
            if to < from {
                return Err(CliError(tr("err.date_order")));
            }
            if full_ids && exporter.as_operator.is_none() {
                return Err(CliError(tr("report.err.full_ids_need_as")));
            }
            check_out(&out, force)?;
            let mut store = open_existing(path)?;
            let actor = signer(&mut store, &exporter)?;
            let req = LedgerRequest::Visitors(ExportRequest {
                from,
                to,
                path: out.clone(),
                full_ids,
            });
            let n = write(&store, &actor, &req)?;
            say!(
                "{}",
                trf(
                    "export.done",
                    &[("n", n.to_string()), ("path", out.display().to_string())]
                )
            );
            Ok(())
        }
        ReportCmd::Roster {
            out,
            force,
            exporter,
        } => {
            check_out(&out, force)?;
            let mut store = open_existing(path)?;
            let actor = signer(&mut store, &exporter)?;
            let n = write(&store, &actor, &LedgerRequest::Roster(out.clone()))?;
            done("report.roster.done", n, &out);
            Ok(())
        }
        ReportCmd::Rollcall {
            month,
            out,
            force,
            building,
            exporter,
        } => {
            let month_first = parse_month(&month)
                .ok_or_else(|| CliError(trf("cli.bad_month", &[("value", month.clone())])))?;
            check_out(&out, force)?;
            let mut store = open_existing(path)?;
            let actor = signer(&mut store, &exporter)?;
            if let Some(b) = &building {
                let known = store.buildings()?;
                if !known.contains(b) {
                    return Err(CliError(trf(
                        "report.err.no_building",
                        &[("name", b.clone()), ("known", known.join(", "))],
                    )));
                }
            }
            let req = LedgerRequest::Rollcall(RollcallRequest {
                month: month_first,
                building,
                path: out.clone(),
            });
            let n = write(&store, &actor, &req)?;
            done("report.rollcall.done", n, &out);
            Ok(())
        }
        ReportCmd::Absences(a) => {
            run_range(path, a, LedgerRequest::Absences, "report.absences.done")
        }
        ReportCmd::Sick(a) => run_range(path, a, LedgerRequest::Sick, "report.sick.done"),
        ReportCmd::Leave(a) => run_range(path, a, LedgerRequest::Leave, "report.leave.done"),
        ReportCmd::Gate(a) => run_range(path, a, LedgerRequest::Gate, "report.gate.done"),
        ReportCmd::Followups(a) => {
            run_range(path, a, LedgerRequest::Followups, "report.followups.done")
        }
        ReportCmd::Hazards(a) => run_range(path, a, LedgerRequest::Hazards, "report.hazards.done"),
        ReportCmd::Patrol(a) => run_range(path, a, LedgerRequest::Patrol, "report.patrol.done"),
        ReportCmd::Shiftlog(a) => {
            run_range(path, a, LedgerRequest::ShiftLog, "report.shiftlog.done")
        }
        ReportCmd::Daily {
            date,
            out,
            force,
            exporter,
        } => run_range(
            path,
            RangeArgs {
                from: date.clone(),
                to: date,
                out,
                force,
                exporter,
            },
            LedgerRequest::Daily,
            "report.daily.done",
        ),
        ReportCmd::Duty {
            month,
            out,
            force,
            exporter,
        } => {
            let first = parse_month(&month)
                .ok_or_else(|| CliError(trf("cli.bad_month", &[("value", month.clone())])))?;
            let last = first
                .checked_add_months(chrono::Months::new(1))
                .and_then(|d| d.pred_opt())
                .unwrap_or(first);
            let a = RangeArgs {
                from: first.format("%Y-%m-%d").to_string(),
                to: last.format("%Y-%m-%d").to_string(),
                out,
                force,
                exporter,
            };
            run_range(path, a, LedgerRequest::Duty, "report.duty.done")
        }
        ReportCmd::Handover {
            date,
            from,
            to,
            out,
            force,
            exporter,
        } => {
            let (from, to) = match (date, from, to) {
                (Some(d), _, _) => (d.clone(), d),
                (None, Some(f), Some(t)) => (f, t),
                _ => return Err(CliError(tr("report.handover.need_date"))),
            };
            let a = RangeArgs {
                from,
                to,
                out,
                force,
                exporter,
            };
            run_range(path, a, LedgerRequest::Handover, "report.handover.done")
        }
        ReportCmd::Checkpoints {
            out,
            force,
            exporter,
        } => {
            // Images need a workbook: cards are .xlsx only.
            if !matches!(
                crate::report::ledger::Format::from_path(&out),
                Ok(crate::report::ledger::Format::Xlsx)
            ) {
                return Err(CliError(tr("report.cards.xlsx_only")));
            }
            check_out(&out, force)?;
            let mut store = open_existing(path)?;
            let actor = signer(&mut store, &exporter)?;
            let n = crate::report::cards::export_cards(&store, &actor, &out)
                .map_err(export_err(&out))?;
            done("report.cards.done", n, &out);
            Ok(())
        }
    }
}
