//! `dutydesk backup` and `dutydesk restore`: whole copies of the station
//! database. A copy that may leave the PC is sealed with age — to a
//! passphrase or to the school key — and streamed, so a year-end database
//! of ~2 GB never sits in memory. Files are written under a temporary name,
//! synced and renamed: complete or absent.

use super::progress::Percent;
use super::{CliError, io_error_text, open_existing, read_file_line, store_err};
use crate::domain::event::BackupSeal;
use crate::domain::role::Permission;
use crate::domain::time::{SystemClock, fmt_local, machine_offset_min};
use crate::i18n::{tr, trf};
use crate::report::ledger::Watch;
use crate::store::StoreError;
use crate::store::backup::{backup_dir, backup_file, verify_copy};
use crate::sync::crypto::{
    BackupError, BackupKey, BackupKind, MIN_PASSPHRASE_CHARS, SchoolKey, backup_kind, read_backup,
    write_backup,
};
use age::secrecy::SecretString;
use clap::{Args, ValueEnum};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The extension of a sealed backup.
pub const SEALED_EXT: &str = "ddbak";

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seal {
    /// A passphrase typed by the admin: restores anywhere with it.
    Passphrase,
    /// The school key every station of the school holds.
    SchoolKey,
}

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// Output file: NAME.ddbak is sealed, NAME.db a plain copy (default: a
    /// plain copy in backups/ beside the database)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Seal the copy to a passphrase or to the school key
    #[arg(long, value_enum)]
    pub encrypt: Option<Seal>,
    /// File holding the passphrase (otherwise the line after the PIN on stdin)
    #[arg(long)]
    pub passphrase_file: Option<PathBuf>,
    /// The admin making the backup; PIN on stdin or in --pin-file
    #[command(flatten)]
    pub by: super::auth::AsOperator,
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The backup to restore (.ddbak or a plain .db copy)
    #[arg(long)]
    pub from: PathBuf,
    /// Replace an existing database (it is kept as DB.before-restore-<time>)
    #[arg(long)]
    pub force: bool,
    /// File holding the passphrase of a passphrase-sealed backup (otherwise stdin)
    #[arg(long)]
    pub passphrase_file: Option<PathBuf>,
    /// For a backup sealed to the school key: a station database of the school
    #[arg(long)]
    pub key_db: Option<PathBuf>,
    /// For a backup sealed to the school key: a join file made by `sync invite`
    #[arg(long, conflicts_with = "key_db")]
    pub join: Option<PathBuf>,
    /// File holding the join code (otherwise stdin)
    #[arg(long, requires = "join")]
    pub code_file: Option<PathBuf>,
}

fn path_arg(p: &Path) -> [(&'static str, String); 1] {
    [("path", p.display().to_string())]
}

fn ext_is(p: &Path, ext: &str) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// Deletes a temporary file when dropped, unless it was put in place.
struct TempFile(Option<PathBuf>);

impl TempFile {
    fn path(&self) -> &Path {
        self.0.as_deref().expect("temporary file still held")
    }
    fn keep(&mut self) {
        self.0 = None;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut f = p.as_os_str().to_owned();
                f.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(f));
            }
        }
    }
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Syncs a written file and renames it into place.
fn settle(file: File, tmp: &Path, dest: &Path) -> Result<(), CliError> {
    let io = |e: std::io::Error| CliError(io_error_text("cli.io.write", dest.display(), &e));
    file.sync_all().map_err(io)?;
    drop(file);
    std::fs::rename(tmp, dest).map_err(io)
}

pub fn backup(path: &Path, args: BackupArgs) -> Result<(), CliError> {
    // What is asked, refused before anything is opened.
    let sealed = match &args.out {
        Some(out) if ext_is(out, SEALED_EXT) => Some(args.encrypt.unwrap_or(Seal::Passphrase)),
        Some(out) if ext_is(out, "db") => {
            if args.encrypt.is_some() {
                return Err(CliError(trf("backup.sealed_ext", &path_arg(out))));
            }
            None
        }
        Some(out) => return Err(CliError(trf("backup.bad_ext", &path_arg(out)))),
        None if args.encrypt.is_some() => return Err(CliError(tr("backup.sealed_needs_out"))),
        None => None,
    };
    if let Some(out) = &args.out {
        if out.is_dir() {
            let e = std::io::Error::from(std::io::ErrorKind::IsADirectory);
            return Err(CliError(io_error_text("cli.io.write", out.display(), &e)));
        }
        if out.exists() {
            return Err(CliError(trf("backup.out_exists", &path_arg(out))));
        }
    }
    let mut store = open_existing(path)?;
    store.require_station()?;
    let mut stdin = super::StdinLines::default();
    let actor = args.by.actor_with(&mut store, Permission::Backup, || {
        let pin = match &args.by.pin_file {
            Some(f) => read_file_line(f, "cli.io.read_pin")?,
            None => stdin.line(0)?,
        };
        if pin.is_empty() {
            return Err(CliError(tr("cli.pin_missing")));
        }
        Ok(pin)
    })?;
    let key = match sealed {
        None => None,
        Some(Seal::Passphrase) => {
            let pass = match &args.passphrase_file {
                Some(f) => read_file_line(f, "cli.io.read")?,
                None => stdin.line(if args.by.pin_file.is_some() { 0 } else { 1 })?,
            };
            if pass.is_empty() {
                return Err(CliError(tr("backup.passphrase_missing")));
            }
            if pass.chars().count() < MIN_PASSPHRASE_CHARS {
                return Err(CliError(trf(
                    "backup.passphrase_short",
                    &[("n", MIN_PASSPHRASE_CHARS.to_string())],
                )));
            }
            Some(SealWith::Passphrase(SecretString::from(pass)))
        }
        // Made now if this station never needed it, so the copy holds it.
        Some(Seal::SchoolKey) => Some(SealWith::School(
            crate::sync::identity(&mut store)
                .map_err(|e| CliError(super::sync::error_text(&e)))?
                .key,
        )),
    };
    // Sealed to the key of a one-station school, the backup dies with the
    // PC unless the key is kept elsewhere: said after the result.
    let lone_key =
        matches!(key, Some(SealWith::School(_))) && store.school_station_ids()?.len() < 2;
    let stamp = fmt_local(store.now_ms(), store.offset_min(), "%Y%m%d-%H%M%S");
    drop(store);
    let out = match args.out {
        Some(o) => o,
        None => {
            let dir = backup_dir(path);
            std::fs::create_dir_all(&dir)
                .map_err(|e| CliError(io_error_text("cli.io.create", dir.display(), &e)))?;
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("dutydesk");
            dir.join(format!("{stem}-{stamp}.db"))
        }
    };
    let how = match &key {
        None => {
            backup_file(path, &out).map_err(store_err("cli.io.write", &out))?;
            BackupSeal::Plain
        }
        Some(key) => {
            seal_copy(path, &out, key)?;
            match key {
                SealWith::Passphrase(_) => BackupSeal::Passphrase,
                SealWith::School(_) => BackupSeal::SchoolKey,
            }
        }
    };
    let bytes = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    // The copy exists: now the log says who took it (the copy itself is
    // from before, so it never holds its own record).
    open_existing(path)?.record_backup(&actor, how, bytes)?;
    // The log file names the file (not its folder: a stick's path can name
    // a person); the event does not.
    tracing::info!(
        operator = %actor.name,
        sealed = ?how,
        file = %out.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(),
        "backup.made"
    );
    let done = if how == BackupSeal::Plain {
        "cli.backup_done"
    } else {
        "backup.sealed_done"
    };
    say!("{}", trf(done, &path_arg(&out)));
    if lone_key {
        say!("{}", tr("backup.lone_key"));
    }
    Ok(())
}

enum SealWith {
    Passphrase(SecretString),
    School(SchoolKey),
}

/// A consistent copy (SQLite's backup API) into the database's own folder,
/// then streamed through age into `out`.
fn seal_copy(db: &Path, out: &Path, key: &SealWith) -> Result<(), CliError> {
    let dir = match db.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let stem = db
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("dutydesk");
    let copy = TempFile(Some(
        dir.join(format!(".{stem}-sealing-{}.db", std::process::id())),
    ));
    backup_file(db, copy.path()).map_err(store_err("cli.io.write", copy.path()))?;
    let read_err = |e: std::io::Error| CliError(io_error_text("cli.io.read", db.display(), &e));
    let write_err = |e: std::io::Error| CliError(io_error_text("cli.io.write", out.display(), &e));
    let mut src = File::open(copy.path()).map_err(read_err)?;
    let total = src.metadata().map_err(read_err)?.len();
    let mut tmp = TempFile(Some(with_suffix(out, ".partial")));
    let file = File::create_new(tmp.path()).map_err(write_err)?;
    let mut w = BufWriter::new(file);
    let key = match key {
        SealWith::Passphrase(p) => BackupKey::Passphrase(p.clone()),
        SealWith::School(k) => BackupKey::School(k),
    };
    let percent = Percent::new();
    let written = write_backup(&mut src, &mut w, &key, &mut |done| {
        percent.progress(done, total)
    });
    percent.finish();
    written.map_err(write_err)?;
    let file = w.into_inner().map_err(|e| write_err(e.into_error()))?;
    settle(file, tmp.path(), out)?;
    tmp.keep();
    Ok(())
}

/// A backup refused, naming the file.
fn refused(e: &BackupError, from: &Path, target: &Path) -> CliError {
    match e {
        BackupError::Read(io) => CliError(io_error_text("cli.io.read", from.display(), io)),
        BackupError::Write(io) => CliError(io_error_text("cli.io.write", target.display(), io)),
        BackupError::NewerFormat { found } => CliError(trf(
            e.key(),
            &[
                ("path", from.display().to_string()),
                ("found", found.to_string()),
            ],
        )),
        _ => CliError(trf(e.key(), &path_arg(from))),
    }
}

pub fn restore(target: &Path, args: RestoreArgs) -> Result<(), CliError> {
    let from = &args.from;
    if target.is_dir() {
        let e = std::io::Error::from(std::io::ErrorKind::IsADirectory);
        return Err(CliError(io_error_text(
            "cli.io.write",
            target.display(),
            &e,
        )));
    }
    if target.exists() && !args.force {
        return Err(CliError(trf("backup.target_exists", &path_arg(target))));
    }
    if same_file(from, target) {
        return Err(CliError(trf("backup.same_file", &path_arg(from))));
    }
    let kind = backup_kind(from).map_err(|e| refused(&e, from, target))?;
    let mut stdin = super::StdinLines::default();
    let key = match kind {
        BackupKind::Plain => None,
        BackupKind::Passphrase => {
            let pass = match &args.passphrase_file {
                Some(f) => read_file_line(f, "cli.io.read")?,
                None => stdin.line(0)?,
            };
            if pass.is_empty() {
                return Err(CliError(trf(
                    "backup.err.needs_passphrase",
                    &path_arg(from),
                )));
            }
            Some(OpenWith::Passphrase(SecretString::from(pass)))
        }
        BackupKind::School => Some(OpenWith::School(school_key(&args, &mut stdin, from)?)),
    };
    let key = key.as_ref().map(|k| match k {
        OpenWith::Passphrase(p) => BackupKey::Passphrase(p.clone()),
        OpenWith::School(k) => BackupKey::School(k),
    });
    let mut tmp = TempFile(Some(with_suffix(target, ".restoring")));
    // A temporary file of an earlier run that died is ours to replace.
    drop(TempFile(Some(tmp.path().to_path_buf())));
    let write_err =
        |e: std::io::Error| CliError(io_error_text("cli.io.write", target.display(), &e));
    let file = File::create_new(tmp.path()).map_err(write_err)?;
    let mut w = BufWriter::new(file);
    let percent = Percent::new();
    let read = read_backup(from, key.as_ref(), &mut w, &mut |done, total| {
        percent.progress(done, total)
    });
    percent.finish();
    read.map_err(|e| refused(&e, from, target))?;
    let file = w.into_inner().map_err(|e| write_err(e.into_error()))?;
    file.sync_all().map_err(write_err)?;
    drop(file);
    let check = verify_copy(tmp.path(), Arc::new(SystemClock)).map_err(|e| match e {
        StoreError::Foreign
        | StoreError::Sqlite(_)
        | StoreError::NotSetUp
        | StoreError::Corrupt(_) => CliError(trf(
            "backup.err.not_a_database",
            &[
                ("path", from.display().to_string()),
                ("detail", crate::i18n::errors::store_error_text(&e)),
            ],
        )),
        StoreError::Io(io) => CliError(io_error_text("cli.io.write", target.display(), &io)),
        other => CliError::from(other),
    })?;
    // The copy is whole and checked: only now is the current database moved.
    let aside = if target.exists() {
        let stamp = fmt_local(
            chrono::Utc::now().timestamp_millis(),
            machine_offset_min(),
            "%Y%m%d-%H%M%S",
        );
        let aside = with_suffix(target, &format!(".before-restore-{stamp}"));
        for suffix in ["-wal", "-shm", ""] {
            let from = with_suffix(target, suffix);
            if from.exists() {
                std::fs::rename(&from, with_suffix(&aside, suffix))
                    .map_err(|e| CliError(io_error_text("cli.io.write", from.display(), &e)))?;
            }
        }
        Some(aside)
    } else {
        None
    };
    std::fs::rename(tmp.path(), target).map_err(write_err)?;
    tmp.keep();
    tracing::info!(
        file = %from.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(),
        events = check.events,
        "backup.restored"
    );
    say!(
        "{}",
        trf(
            "backup.restored",
            &[
                ("path", target.display().to_string()),
                ("n", check.events.to_string()),
                ("station", check.station.unwrap_or_default()),
            ],
        )
    );
    if let Some(aside) = aside {
        say!("{}", trf("backup.kept_aside", &path_arg(&aside)));
    }
    say!("{}", tr("backup.restored_next"));
    Ok(())
}

enum OpenWith {
    Passphrase(SecretString),
    School(SchoolKey),
}

/// The school key to open a backup sealed to it: from another station's
/// database of the school, or from a join file and its code (a bare PC).
fn school_key(
    args: &RestoreArgs,
    stdin: &mut super::StdinLines,
    from: &Path,
) -> Result<SchoolKey, CliError> {
    if let Some(db) = &args.key_db {
        let store = open_existing(db)?;
        let secret = store
            .meta("school_key")?
            .ok_or_else(|| CliError(trf("backup.no_key_in_db", &path_arg(db))))?;
        return SchoolKey::from_secret(&secret)
            .map_err(|_| CliError(trf("backup.no_key_in_db", &path_arg(db))));
    }
    if let Some(join) = &args.join {
        let code = match &args.code_file {
            Some(f) => read_file_line(f, "cli.io.read")?,
            None => stdin.line(0)?,
        };
        if code.is_empty() {
            return Err(CliError(tr("cli.code_missing")));
        }
        let info = crate::sync::join_info(join, &code)
            .map_err(|e| CliError(super::sync::error_text(&e)))?;
        return SchoolKey::from_secret(&info.secret)
            .map_err(|e| CliError(trf(e.key(), &path_arg(join))));
    }
    Err(CliError(trf(
        "backup.err.needs_school_key",
        &path_arg(from),
    )))
}

/// Whether two paths name one file (restoring a database onto itself).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
