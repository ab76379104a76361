//! `dutydesk sync …`: bundles, the sync folder, joining, contradictions.

use super::{CliError, auth::AsOperator, open_existing};
use crate::domain::role::Permission;
use crate::i18n::{tr, trf};
use crate::sync::{self as s, SyncError, report_line};
use clap::Subcommand;
use std::path::{Path, PathBuf};

pub use crate::sync::error_text;

#[derive(Subcommand, Debug)]
pub enum SyncCmd {
    /// Write a bundle into a folder: the events another station may lack
    Export {
        #[arg(long)]
        out: PathBuf,
        /// Every event this station holds, whatever the others are known to hold
        #[arg(long)]
        full: bool,
    },
    /// Import bundles from other stations (all or nothing per bundle)
    Import {
        files: Vec<PathBuf>,
        /// Show what would be imported; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Export this station's bundle into a shared folder and import the others found there
    Folder { dir: PathBuf },
    /// Make a join file for a new station of this school; prints its one-time code
    Invite {
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        by: AsOperator,
    },
    /// The school's fingerprint, the stations seen, recent imports, open contradictions
    Status {
        /// A station not heard from for this many days is listed as silent
        #[arg(long, default_value_t = s::knowledge::SILENT_DAYS)]
        silent_days: i64,
    },
    /// Retire a station that is gone for good, so it no longer holds the others' bundles back (admin; PIN on stdin)
    Retire {
        /// The station's name (or the start of its id), as `sync status` lists it
        station: String,
        #[arg(long)]
        note: String,
        #[command(flatten)]
        by: AsOperator,
    },
    /// Recover this station after it was restored from an old backup and wrote before importing: its writes since the restore move to a new station id, the others' continuation of the old one is imported (admin; PIN on stdin)
    Recover {
        /// Bundles from the other stations (or folders of them); one must hold this station's events from where the chains split (`sync export --full` at that station)
        files: Vec<PathBuf>,
        #[arg(long)]
        note: String,
        #[command(flatten)]
        by: AsOperator,
    },
    /// Decide a contradiction between stations (duty leader or admin; PIN on stdin)
    Resolve {
        /// The contradiction's key, as `sync status` lists it
        key: String,
        /// The event id that stands
        #[arg(long)]
        choose: String,
        #[arg(long)]
        note: String,
        #[command(flatten)]
        by: AsOperator,
    },
}

fn err(e: SyncError) -> CliError {
    CliError(error_text(&e))
}

/// A sync failure on `path`: an OS error names it.
fn err_on<'a>(action: &'static str, path: &'a Path) -> impl Fn(SyncError) -> CliError + 'a {
    move |e| match e {
        SyncError::Io(io) => CliError(super::io_error_text(action, path.display(), &io)),
        other => err(other),
    }
}

pub fn run(path: &Path, which: SyncCmd) -> Result<(), CliError> {
    let mut store = open_existing(path)?;
    store.require_station()?;
    match which {
        SyncCmd::Export { out, full } => {
            let r = s::export(&mut store, &out, full).map_err(err_on("cli.io.write", &out))?;
            say!("{}", s::export_line(&r));
            Ok(())
        }
        SyncCmd::Import { files, dry_run } => {
            if files.is_empty() {
                return Err(CliError(tr("sync.no_files")));
            }
            let mut refused = 0;
            for f in &files {
                let r = s::import_file(&mut store, f, dry_run).map_err(err_on("cli.io.read", f))?;
                if r.refused.is_some() {
                    refused += 1;
                }
                for line in s::report_lines(&r) {
                    say!("{}", line);
                }
            }
            say_fork(&mut store, &files)?;
            if refused > 0 {
                return Err(CliError(trf(
                    "sync.some_refused",
                    &[("n", refused.to_string())],
                )));
            }
            Ok(())
        }
        SyncCmd::Folder { dir } => {
            let (exp, reports) =
                s::folder(&mut store, &dir).map_err(err_on("cli.io.open", &dir))?;
            say!("{}", s::export_line(&exp));
            for r in &reports {
                for line in s::report_lines(r) {
                    say!("{}", line);
                }
            }
            say_fork(&mut store, &bundles_in(std::slice::from_ref(&dir)))?;
            let refused = reports.iter().filter(|r| r.refused.is_some()).count();
            if refused > 0 {
                return Err(CliError(trf(
                    "sync.some_refused",
                    &[("n", refused.to_string())],
                )));
            }
            Ok(())
        }
        SyncCmd::Invite { out, by } => {
            // The join file holds the school's key: only an admin hands it out.
            by.actor(&mut store, Permission::Sync)?;
            let (code, fp, bundle) = s::invite_watched(&mut store, &out, &mut |_, _| true)
                .map_err(err_on("cli.io.write", &out))?;
            say!(
                "{}",
                trf("sync.invite_done", &[("path", out.display().to_string())])
            );
            say!(
                "{}",
                trf(
                    "sync.invite_snapshot",
                    &[("path", s::snapshot_path(&out).display().to_string())]
                )
            );
            if let Some(line) = s::photos_line(&bundle) {
                say!("{}", line);
            }
            say!("{}", trf("sync.invite_code", &[("code", code)]));
            say!("{}", trf("sync.fingerprint", &[("fp", fp)]));
            Ok(())
        }
        SyncCmd::Status { silent_days } => {
            let id = s::identity(&mut store).map_err(err)?;
            say!(
                "{}",
                trf("sync.fingerprint", &[("fp", id.key.fingerprint())])
            );
            for (name, n) in stations(&store)? {
                say!(
                    "{}",
                    trf("sync.station_line", &[("name", name), ("n", n.to_string())])
                );
            }
            let now = store.now_ms();
            let peers = s::knowledge::peer_status(&store)
                .map_err(|e| CliError(crate::i18n::errors::store_error_text(&e)))?;
            for p in &peers {
                say!("{}", peer_line(&store, p, now, silent_days.max(0)));
            }
            say_fork(&mut store, &[])?;
            for c in store.conflicts()? {
                let state = match &c.decided {
                    Some((_, by, _, note)) => trf(
                        "sync.conflict_decided",
                        &[("by", by.clone()), ("note", note.clone())],
                    ),
                    None => tr("sync.conflict_open"),
                };
                say!(
                    "{}",
                    trf(
                        "sync.conflict_line",
                        &[
                            ("key", c.key.clone()),
                            ("kind", tr(&format!("conflict.{}", c.kind))),
                            ("state", state)
                        ]
                    )
                );
                for e in &c.events {
                    say!(
                        "    {} {} {}",
                        e.id,
                        station_name(&store, &e.origin),
                        crate::domain::time::fmt_local(e.hlc.ms, store.offset_min(), "%m-%d %H:%M")
                    );
                }
            }
            Ok(())
        }
        SyncCmd::Retire { station, note, by } => {
            let peers = s::knowledge::peer_status(&store)
                .map_err(|e| CliError(crate::i18n::errors::store_error_text(&e)))?;
            let wanted = station.trim();
            let found: Vec<&s::knowledge::PeerStatus> = peers
                .iter()
                .filter(|p| p.name == wanted || (wanted.len() >= 4 && p.id.starts_with(wanted)))
                .collect();
            let target = match found.as_slice() {
                [one] => (*one).clone(),
                [] => {
                    return Err(CliError(trf(
                        "sync.retire_unknown",
                        &[("name", wanted.to_string())],
                    )));
                }
                _ => {
                    return Err(CliError(trf(
                        "sync.retire_ambiguous",
                        &[("name", wanted.to_string())],
                    )));
                }
            };
            let actor = by.actor(&mut store, Permission::Sync)?;
            store.retire_station(&actor, &target.id, &note)?;
            say!(
                "{}",
                trf(
                    "sync.retired",
                    &[
                        ("name", target.name.clone()),
                        ("n", target.lacks.unwrap_or(0).to_string())
                    ]
                )
            );
            Ok(())
        }
        SyncCmd::Recover { files, note, by } => {
            let files = bundles_in(&files);
            if files.is_empty() {
                return Err(CliError(tr("sync.no_files")));
            }
            let actor = by.actor(&mut store, Permission::Sync)?;
            let done = s::recover::recover(&mut store, &actor, &files, &note)
                .map_err(|e| CliError(e.text()))?;
            say!(
                "{}",
                trf(
                    "sync.recover.done",
                    &[
                        ("n", done.moved.events.to_string()),
                        ("split", done.split.to_string()),
                        ("new", done.moved.new_origin.chars().take(8).collect()),
                        ("old", done.moved.old_origin.chars().take(8).collect()),
                    ]
                )
            );
            for r in &done.imports {
                say!("{}", report_line(r));
            }
            Ok(())
        }
        SyncCmd::Resolve {
            key,
            choose,
            note,
            by,
        } => {
            let actor = by.actor(&mut store, Permission::ResolveConflicts)?;
            store.resolve_conflict(&actor, &key, &choose, &note)?;
            say!("{}", tr("sync.resolved"));
            Ok(())
        }
    }
}

/// The files given, with each folder replaced by the bundles in it.
fn bundles_in(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            out.extend(s::recover::bundles_in_folder(p));
        } else {
            out.push(p.clone());
        }
    }
    out
}

/// Says so when this station's own chain forked, as the statements kept
/// here or the headers of `files` show: once, with what to do.
fn say_fork(store: &mut crate::store::Store, files: &[PathBuf]) -> Result<(), CliError> {
    let mut fork = s::recover::known_fork(store)?;
    for f in files {
        if fork.is_some() {
            break;
        }
        // A file that cannot be read was reported by its import already.
        fork = s::recover::fork_in_bundle(store, f).unwrap_or(None);
    }
    if let Some(f) = fork {
        say!("{}", s::recover::fork_line(store, &f));
    }
    Ok(())
}

/// One other station: when last heard from, what it lacks, silent or
/// retired.
fn peer_line(
    store: &crate::store::Store,
    p: &s::knowledge::PeerStatus,
    now: i64,
    silent_days: i64,
) -> String {
    let when = |ms: i64| crate::domain::time::fmt_local(ms, store.offset_min(), "%Y-%m-%d %H:%M");
    if let Some(r) = &p.retired {
        return trf(
            "sync.peer_retired",
            &[
                ("name", p.name.clone()),
                ("at", when(r.at_ms)),
                ("note", r.note.clone()),
            ],
        );
    }
    let heard = match p.heard_ms {
        Some(ms) => trf("sync.peer_heard", &[("at", when(ms))]),
        None => tr("sync.peer_never"),
    };
    let lacks = match p.lacks {
        Some(n) => trf("sync.peer_lacks", &[("n", n.to_string())]),
        None => tr("sync.peer_unknown"),
    };
    let mut line = trf(
        "sync.peer_line",
        &[("name", p.name.clone()), ("heard", heard), ("lacks", lacks)],
    );
    if p.silent(now, silent_days) {
        line.push_str(&trf(
            "sync.peer_silent",
            &[("days", silent_days.to_string()), ("name", p.name.clone())],
        ));
    }
    line
}

/// Stations this database knows, with how many of their events it holds.
fn stations(store: &crate::store::Store) -> Result<Vec<(String, i64)>, CliError> {
    store
        .stations_in_log()
        .map_err(|e| CliError(crate::i18n::errors::store_error_text(&e)))
}

fn station_name(store: &crate::store::Store, origin: &str) -> String {
    store.station_name(origin)
}
