//! The command line: the TUI by default, subcommands for setup, demo data,
//! reports and checks. Errors are one line and a non-zero exit.

/// `println!` that survives a closed pipe (see `out`).
macro_rules! say {
    ($($t:tt)*) => {
        $crate::cli::out::line(format_args!($($t)*))
    };
}

mod auth;
mod backup;
mod checkpoints;
mod duty;
mod help;
mod out;
mod progress;
mod purge;
mod report;
mod roster;
mod sync;

pub use help::command;

use crate::app::{self, App};
use crate::demo::{self, Scale};
use crate::domain::event::StationKind;
use crate::domain::time::{FixedClock, SystemClock, machine_offset_min};
use crate::i18n::{self, Lang, tr, trf};
use crate::store::{Store, StoreError};
use clap::{FromArgMatches, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::fmt::Display;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
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
    /// How much goes into the log file
    #[arg(long, value_enum, global = true, default_value = "info")]
    pub log_level: LogLevel,
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
        /// Allow generated records in a real station's database (they would
        /// sync to every station of the school)
        #[arg(long)]
        into_real_station: bool,
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
    /// Patrol checkpoints (巡查点)
    Checkpoints {
        #[command(subcommand)]
        which: checkpoints::CheckpointsCmd,
    },
    /// The duty roster (值班表) and shift times
    Duty {
        #[command(subcommand)]
        which: duty::DutyCmd,
    },
    /// Exchange records with the school's other stations by bundle files
    Sync {
        #[command(subcommand)]
        which: sync::SyncCmd,
    },
    /// Check the database: SQLite integrity and the event log's hash chains
    Check,
    /// Erase visitors' personal data kept longer than the retention period
    /// (ID number, phone, plate, name, notes; the visits and counts stay)
    Purge {
        /// Erase now (without it, only say how many visits are due)
        #[arg(long)]
        yes: bool,
        /// The admin doing it (needed with --yes; counting changes nothing)
        #[command(flatten)]
        by: auth::AsOperator,
    },
    /// Copy the database while it is in use: sealed for a USB stick (admin)
    Backup(backup::BackupArgs),
    /// Put a backup back as the station database (checked first)
    Restore(backup::RestoreArgs),
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum KindArg {
    Gate,
    Dorm,
    Office,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    fn filter(self) -> tracing_subscriber::filter::LevelFilter {
        use tracing_subscriber::filter::LevelFilter as F;
        match self {
            LogLevel::Error => F::ERROR,
            LogLevel::Warn => F::WARN,
            LogLevel::Info => F::INFO,
            LogLevel::Debug => F::DEBUG,
            LogLevel::Trace => F::TRACE,
        }
    }
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

/// The program: parse the command line in the user's language, start the
/// log, run, and turn the outcome into an exit code.
pub fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    // The language must be known before parsing: help and argument errors
    // are in it. A bad `--lang` value is refused later, in `run`.
    i18n::set_lang(
        help::lang_arg(&args)
            .and_then(|l| Lang::parse(&l))
            .unwrap_or_else(Lang::from_env),
    );
    let matches = match command().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => return help::report_clap_error(&e),
    };
    let what = help::command_path(&matches);
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => return help::report_clap_error(&e),
    };
    crate::logging::install_panic_hook();
    if let Some(dir) = log_dir(cli.db.as_deref()) {
        // Without a writable folder the program still works, unlogged; the
        // screen is never the fallback.
        let _ = crate::logging::init(&dir, cli.log_level.filter());
    }
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        command = %what,
        db = ?cli.db,
        "start"
    );
    match run(cli) {
        Ok(()) => {
            tracing::info!(command = %what, "done");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::warn!(command = %what, "refused: {}", e.0);
            out::err_line(format!("dutydesk: {}", e.0));
            ExitCode::from(1)
        }
    }
}

/// Where the log goes: `DUTYDESK_LOG_DIR`, else beside the `--db` database,
/// else the platform data folder (where the default database lives). A
/// `--db` folder that does not exist gets no log: a typo must not scatter
/// folders (the command itself then says what is wrong).
fn log_dir(db: Option<&Path>) -> Option<PathBuf> {
    if let Some(d) = std::env::var_os(crate::logging::DIR_ENV).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    match db {
        Some(db) => {
            let dir = match db.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            dir.is_dir().then_some(dir)
        }
        None => directories::ProjectDirs::from("cn", "dutydesk", "dutydesk")
            .map(|d| d.data_dir().to_path_buf()),
    }
}

/// An OS error as one line in the user's language, naming the path:
/// "无法读取文件 X：文件或文件夹不存在". `action` is a catalog key with a
/// `{path}` placeholder (`cli.io.read`, `cli.io.write`, `cli.io.create`).
/// Every io error the command line reports goes through here.
pub fn io_error_text(action: &str, path: impl Display, e: &std::io::Error) -> String {
    let reason = crate::i18n::errors::io_reason(e);
    trf(
        "cli.io.fmt",
        &[
            ("action", trf(action, &[("path", path.to_string())])),
            ("reason", reason),
        ],
    )
}

/// A store error from work on `path`: an OS error names the path.
fn store_err<'a>(action: &'static str, path: &'a Path) -> impl Fn(StoreError) -> CliError + 'a {
    move |e| match e {
        StoreError::Io(io) => CliError(io_error_text(action, path.display(), &io)),
        other => other.into(),
    }
}

pub fn default_db() -> Result<PathBuf, CliError> {
    let dirs = directories::ProjectDirs::from("cn", "dutydesk", "dutydesk")
        .ok_or_else(|| CliError(tr("cli.no_data_dir")))?;
    let dir = dirs.data_dir();
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError(io_error_text("cli.io.create", dir.display(), &e)))?;
    Ok(dir.join("dutydesk.db"))
}

/// The first line of a small file; `action` says which file it is when it
/// cannot be read (`cli.io.read_pin`, `cli.io.read`).
fn read_file_line(p: &Path, action: &str) -> Result<String, CliError> {
    let s =
        std::fs::read_to_string(p).map_err(|e| CliError(io_error_text(action, p.display(), &e)))?;
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
    let mut stdin = StdinLines::default();
    let pin = match pin_file {
        Some(p) => read_file_line(p, "cli.io.read_pin")?,
        None => stdin.line(0)?,
    };
    if pin.is_empty() {
        return Err(CliError(tr("cli.pin_missing")));
    }
    if !want_code {
        return Ok((pin, None));
    }
    let code = match code_file {
        Some(p) => read_file_line(p, "cli.io.read")?,
        None => stdin.line(if pin_file.is_some() { 0 } else { 1 })?,
    };
    if code.is_empty() {
        return Err(CliError(tr("cli.code_missing")));
    }
    Ok((pin, Some(code)))
}

/// The lines of standard input, read once, for the secrets not in files
/// (a PIN, then a join code or a passphrase on the next line).
#[derive(Default)]
pub(super) struct StdinLines(Option<Vec<String>>);

impl StdinLines {
    pub(super) fn line(&mut self, i: usize) -> Result<String, CliError> {
        if self.0.is_none() {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| CliError(io_error_text("cli.io.read", tr("cli.stdin"), &e)))?;
            self.0 = Some(
                s.trim_start_matches('\u{feff}')
                    .lines()
                    .map(|l| l.trim().to_string())
                    .collect(),
            );
        }
        Ok(self
            .0
            .as_ref()
            .and_then(|l| l.get(i).cloned())
            .unwrap_or_default())
    }
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
        Lang::parse(l).ok_or_else(|| CliError(trf("cli.bad_lang", &[("lang", l.to_string())])))
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
            if crate::store::open::will_upgrade(&path) {
                eprintln!("{}", tr("cli.upgrading"));
            }
            let store = Store::open(&path, Arc::new(SystemClock))
                .map_err(store_err("cli.io.create", &path))?;
            tracing::info!(db = %path.display(), station = ?store.station().map(|s| &s.name), "tui");
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
            let mut store = Store::open(&path, Arc::new(SystemClock))
                .map_err(store_err("cli.io.create", &path))?;
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
                    say!(
                        "{}",
                        trf("cli.init_done", &[("path", path.display().to_string())])
                    );
                    if crate::domain::pin_guard::is_weak(&pin, None) {
                        say!("{}", tr("cli.weak_pin"));
                    }
                    if joined.is_some() {
                        let fp = crate::sync::identity(&mut store)
                            .map(|i| i.key.fingerprint())
                            .unwrap_or_default();
                        say!("{}", trf("sync.fingerprint", &[("fp", fp)]));
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
        Some(Cmd::DemoData {
            scale,
            seed,
            into_real_station,
        }) => {
            let path = cli.db.ok_or_else(|| CliError(tr("cli.db_required")))?;
            let clock = FixedClock::new(chrono::Utc::now().timestamp_millis());
            let existed = path.exists();
            let mut store = Store::open(&path, Arc::new(clock.clone()))
                .map_err(store_err("cli.io.create", &path))?;
            if store.station().is_some() {
                if store.meta(demo::DEMO_META)?.is_some() {
                    // Generating again would double every list of the demo.
                    say!(
                        "{}",
                        trf("cli.demo_already", &[("path", path.display().to_string())])
                    );
                    return Ok(());
                }
                if !into_real_station {
                    // Generated visits and boarders would sync to every
                    // station of the school.
                    return Err(CliError(trf(
                        "cli.demo_real_station",
                        &[("path", path.display().to_string())],
                    )));
                }
            }
            let scale = match scale {
                ScaleArg::Small => Scale::Small,
                ScaleArg::SchoolYear => Scale::SchoolYear,
            };
            let now = chrono::Utc::now().timestamp_millis();
            match demo::generate(&mut store, &clock, scale, seed, now) {
                Ok(s) => {
                    say!(
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
        Some(Cmd::Checkpoints { which }) => {
            let path = match cli.db {
                Some(p) => p,
                None => default_db()?,
            };
            checkpoints::run(&path, which)
        }
        Some(Cmd::Duty { which }) => {
            let path = match cli.db {
                Some(p) => p,
                None => default_db()?,
            };
            duty::run(&path, which)
        }
        Some(Cmd::Backup(args)) => {
            let path = match cli.db {
                Some(p) => p,
                None => default_db()?,
            };
            backup::backup(&path, args)
        }
        Some(Cmd::Restore(args)) => {
            let path = match cli.db {
                Some(p) => p,
                None => default_db()?,
            };
            backup::restore(&path, args)
        }
        Some(Cmd::Purge { yes, by }) => {
            let path = match cli.db {
                Some(p) => p,
                None => default_db()?,
            };
            purge::run(&path, &by, yes)
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
                    let unerased = store.unerased_purged_events()?;
                    if unerased > 0 {
                        return Err(CliError(trf(
                            "cli.check_unerased",
                            &[("n", unerased.to_string())],
                        )));
                    }
                    say!("{}", trf("cli.check_ok", &[("n", n.to_string())]));
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
        .map_err(|e| CliError(io_error_text("cli.io.create", dir.display(), &e)))?;
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
