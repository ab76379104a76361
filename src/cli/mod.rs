//! The command line: the TUI by default, subcommands for setup, demo data,
//! reports and checks. Errors are one line and a non-zero exit.

mod report;
mod roster;
mod sync;

use crate::app::{self, App};
use crate::demo::{self, Scale};
use crate::domain::event::StationKind;
use crate::domain::time::{FixedClock, SystemClock, machine_offset_min};
use crate::i18n::{self, Lang, tr, trf};
use crate::store::{Store, StoreError};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Parser, Debug)]
#[command(
    name = "dutydesk",
    version,
    about = "值班台 dutydesk — offline duty-room ledgers for schools"
)]
pub struct Cli {
    /// Station database (default: the platform data directory)
    #[arg(long, global = true)]
    pub db: Option<PathBuf>,
    /// Interface language: zh-CN or en (default from LC_ALL/LANG)
    #[arg(long, global = true)]
    pub lang: Option<String>,
    /// Open the TUI on a throwaway, fully populated demo school
    #[arg(long)]
    pub demo: bool,
    #[command(subcommand)]
    pub cmd: Option<Cmd>,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Set up a new station database without the TUI (PIN from stdin or --pin-file)
    Init {
        /// The school's name (not needed when joining: the join file has it)
        #[arg(long)]
        school: Option<String>,
        #[arg(long)]
        station: String,
        #[arg(long, value_enum)]
        kind: KindArg,
        /// Name of the first admin
        #[arg(long)]
        admin: String,
        /// File holding the admin's PIN (otherwise the first line of stdin)
        #[arg(long)]
        pin_file: Option<PathBuf>,
        /// Join an existing school with a join file made by `dutydesk sync invite`
        #[arg(long)]
        join: Option<PathBuf>,
        /// File holding the join code (otherwise the second line of stdin)
        #[arg(long)]
        code_file: Option<PathBuf>,
    },
    /// Fill a database with generated data (deterministic)
    DemoData {
        #[arg(long, value_enum, default_value = "small")]
        scale: ScaleArg,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Export a ledger
    Report {
        #[command(subcommand)]
        which: report::ReportCmd,
    },
    /// The boarder roster (花名册)
    Roster {
        #[command(subcommand)]
        which: roster::RosterCmd,
    },
    /// Exchange records with the school's other stations by bundle files
    Sync {
        #[command(subcommand)]
        which: sync::SyncCmd,
    },
    /// Check the database: SQLite integrity and the event log's hash chains
    Check,
    /// Copy the database while it is in use (default: backups/ beside it)
    Backup {
        /// Output file (must not exist)
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum KindArg {
    Gate,
    Dorm,
    Office,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ScaleArg {
    Small,
    SchoolYear,
}

/// A failure to show as one line.
pub struct CliError(pub String);

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        CliError(match &e {
            StoreError::Domain(crate::domain::error::DomainError::Invalid(errs)) => errs
                .iter()
                .map(|(f, e)| format!("{f}: {}", trf(e.key(), &e.args())))
                .collect::<Vec<_>>()
                .join("; "),
            other => crate::i18n::errors::store_error_text(other),
        })
    }
}

pub fn default_db() -> Result<PathBuf, CliError> {
    let dirs = directories::ProjectDirs::from("cn", "dutydesk", "dutydesk")
        .ok_or_else(|| CliError(tr("cli.no_data_dir")))?;
    let dir = dirs.data_dir();
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError(trf("cli.io", &[("detail", e.to_string())])))?;
    Ok(dir.join("dutydesk.db"))
}

fn read_file_line(p: &Path, key: &str) -> Result<String, CliError> {
    let s =
        std::fs::read_to_string(p).map_err(|e| CliError(trf(key, &[("detail", e.to_string())])))?;
    Ok(first_line(&s))
}

/// The first line, trimmed, without a byte-order mark (Notepad on older
/// Windows starts files with one).
fn first_line(s: &str) -> String {
    s.trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_string()
}

/// The PIN (and a join code) from files or standard input — never argv,
/// where other users of the PC could read them.
fn read_secrets(
    pin_file: &Option<PathBuf>,
    code_file: &Option<PathBuf>,
    want_code: bool,
) -> Result<(String, Option<String>), CliError> {
    let mut stdin_lines: Option<Vec<String>> = None;
    let mut stdin = |i: usize| -> Result<String, CliError> {
        if stdin_lines.is_none() {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| CliError(trf("cli.io", &[("detail", e.to_string())])))?;
            stdin_lines = Some(
                s.trim_start_matches('\u{feff}')
                    .lines()
                    .map(|l| l.trim().to_string())
                    .collect(),
            );
        }
        Ok(stdin_lines
            .as_ref()
            .and_then(|l| l.get(i).cloned())
            .unwrap_or_default())
    };
    let pin = match pin_file {
        Some(p) => read_file_line(p, "cli.pin_file")?,
        None => stdin(0)?,
    };
    if pin.is_empty() {
        return Err(CliError(tr("cli.pin_missing")));
    }
    if !want_code {
        return Ok((pin, None));
    }
    let code = match code_file {
        Some(p) => read_file_line(p, "cli.pin_file")?,
        None => stdin(if pin_file.is_some() { 0 } else { 1 })?,
    };
    if code.is_empty() {
        return Err(CliError(tr("cli.code_missing")));
    }
    Ok((pin, Some(code)))
}

fn read_pin(file: &Option<PathBuf>) -> Result<String, CliError> {
    Ok(read_secrets(file, &None, false)?.0)
}

/// Opens an existing database: a missing file is an error here, never
/// silently created (a typo must not make an empty station).
fn open_existing(path: &Path) -> Result<Store, CliError> {
    if !path.exists() {
        return Err(CliError(trf(
            "cli.no_db",
            &[("path", path.display().to_string())],
        )));
    }
    Ok(Store::open_existing(path, Arc::new(SystemClock))?)
}

pub fn run(cli: Cli) -> Result<(), CliError> {
    let lang = cli.lang.as_deref().map(|l| {
        Lang::parse(l).ok_or_else(|| CliError(format!("unknown language {l}; use zh-CN or en")))
    });
    i18n::set_lang(match lang {
        Some(l) => l?,
        None => Lang::from_env(),
    });
    match cli.cmd {
        None if cli.demo => run_demo(),
        None => {
            let path = match cli.db {
                Some(p) => p,
                None => default_db()?,
            };
            let store = Store::open(&path, Arc::new(SystemClock))?;
            let mut app = App::new(store, vec![]);
            app::run(&mut app).map_err(|e| CliError(e.to_string()))
        }
        Some(Cmd::Init {
            school,
            station,
            kind,
            admin,
            pin_file,
            join,
            code_file,
        }) => {
            let path = match cli.db {
                Some(p) => p,
                None => default_db()?,
            };
            let (pin, code) = read_secrets(&pin_file, &code_file, join.is_some())?;
            // Read the join file before creating anything: a wrong code
            // leaves no database behind.
            let joined = match (&join, code) {
                (Some(f), Some(code)) => Some(
                    crate::sync::join_info(f, &code).map_err(|e| CliError(sync::error_text(&e)))?,
                ),
                _ => None,
            };
            let school = match (&joined, school) {
                (Some(j), _) => j.school_name.clone(),
                (None, Some(s)) => s,
                (None, None) => return Err(CliError(tr("cli.school_required"))),
            };
            let existed = path.exists();
            let mut store = Store::open(&path, Arc::new(SystemClock))?;
            let kind = match kind {
                KindArg::Gate => StationKind::Gate,
                KindArg::Dorm => StationKind::Dorm,
                KindArg::Office => StationKind::Office,
            };
            let done = match &joined {
                Some(j) => crate::sync::join(
                    &mut store,
                    j,
                    &station,
                    kind,
                    machine_offset_min(),
                    &admin,
                    &pin,
                )
                .map_err(|e| CliError(sync::error_text(&e))),
                None => store
                    .setup(&school, &station, kind, machine_offset_min(), &admin, &pin)
                    .map(|_| ())
                    .map_err(CliError::from),
            };
            match done {
                Ok(()) => {
                    println!(
                        "{}",
                        trf("cli.init_done", &[("path", path.display().to_string())])
                    );
                    if joined.is_some() {
                        let fp = crate::sync::identity(&mut store)
                            .map(|i| i.key.fingerprint())
                            .unwrap_or_default();
                        println!("{}", trf("sync.fingerprint", &[("fp", fp)]));
                    }
                    Ok(())
                }
                Err(e) => {
                    drop(store);
                    if !existed {
                        remove_db(&path);
                    }
                    Err(e)
                }
            }
        }
        Some(Cmd::DemoData { scale, seed }) => {
            let path = cli.db.ok_or_else(|| CliError(tr("cli.db_required")))?;
            let clock = FixedClock::new(chrono::Utc::now().timestamp_millis());
            let existed = path.exists();
            let mut store = Store::open(&path, Arc::new(clock.clone()))?;
            let scale = match scale {
                ScaleArg::Small => Scale::Small,
                ScaleArg::SchoolYear => Scale::SchoolYear,
            };
            let now = chrono::Utc::now().timestamp_millis();
            match demo::generate(&mut store, &clock, scale, seed, now) {
                Ok(s) => {
                    println!(
                        "{}",
                        trf(
                            "cli.demo_done",
                            &[
                                ("n", s.visits.to_string()),
                                ("path", path.display().to_string())
                            ]
                        )
                    );
                    Ok(())
                }
                Err(e) => {
                    drop(store);
                    if !existed {
                        remove_db(&path);
                    }
                    Err(e.into())
                }
            }
        }
        Some(Cmd::Report { which }) => {
            let path = match cli.db {
                Some(p) => p,
                None => default_db()?,
            };
            report::run(&path, which)
        }
        Some(Cmd::Sync { which }) => {
            let path = match cli.db {
                Some(p) => p,
                None => default_db()?,
            };
            sync::run(&path, which)
        }
        Some(Cmd::Roster { which }) => {
            let path = match cli.db {
                Some(p) => p,
                None => default_db()?,
            };
            roster::run(&path, which)
        }
        Some(Cmd::Backup { out }) => {
            let path = match cli.db {
                Some(p) => p,
                None => default_db()?,
            };
            let store = open_existing(&path)?;
            let stamp =
                crate::domain::time::fmt_local(store.now_ms(), store.offset_min(), "%Y%m%d-%H%M%S");
            drop(store);
            let out = match out {
                Some(o) => o,
                None => {
                    let dir = crate::store::backup::backup_dir(&path);
                    std::fs::create_dir_all(&dir)
                        .map_err(|e| CliError(trf("cli.io", &[("detail", e.to_string())])))?;
                    let stem = path
                        .file_stem()
                        .and_then(|s| s.to_str())
                        .unwrap_or("dutydesk");
                    dir.join(format!("{stem}-{stamp}.db"))
                }
            };
            crate::store::backup::backup_file(&path, &out)?;
            println!(
                "{}",
                trf("cli.backup_done", &[("path", out.display().to_string())])
            );
            Ok(())
        }
        Some(Cmd::Check) => {
            let path = match cli.db {
                Some(p) => p,
                None => default_db()?,
            };
            let store = open_existing(&path)?;
            if let Some(problem) = Store::quick_check(&path)? {
                return Err(CliError(trf("cli.check_sqlite", &[("detail", problem)])));
            }
            match store.verify_log()? {
                Ok(n) => {
                    println!("{}", trf("cli.check_ok", &[("n", n.to_string())]));
                    Ok(())
                }
                Err(f) => Err(CliError(trf(
                    "cli.check_chain",
                    &[("detail", format!("{f:?}"))],
                ))),
            }
        }
    }
}

fn name_or_admin(store: &Store, name: Option<&str>) -> Result<String, CliError> {
    if let Some(n) = name {
        return Ok(n.to_string());
    }
    store
        .operators()?
        .into_iter()
        .find(|o| o.active && o.role == crate::domain::role::Role::Admin)
        .map(|o| o.name)
        .ok_or_else(|| CliError(tr("cli.not_set_up")))
}

/// Removes a database this command created and could not finish.
fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// `--demo`: a fresh throwaway database with the demo school, deleted on exit.
fn run_demo() -> Result<(), CliError> {
    let dir = std::env::temp_dir().join(format!("dutydesk-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError(trf("cli.io", &[("detail", e.to_string())])))?;
    let path = dir.join("demo.db");
    let result = (|| {
        let now = chrono::Utc::now().timestamp_millis();
        let clock = FixedClock::new(now);
        let mut store = Store::open(&path, Arc::new(clock.clone()))?;
        demo::generate(&mut store, &clock, Scale::Small, 42, now)?;
        drop(store);
        let store = Store::open(&path, Arc::new(SystemClock))?;
        let logins = demo::OPERATORS
            .iter()
            .map(|(n, r, p)| {
                (
                    format!("{n}({})", tr(&format!("role.{}", r.key()))),
                    p.to_string(),
                )
            })
            .collect();
        let mut app = App::new(store, logins);
        app::run(&mut app).map_err(|e| CliError(e.to_string()))
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}
