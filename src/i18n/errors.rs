//! Errors of the lower layers as one line in the current language, for the
//! screens, the command line and sync reports alike.

use super::{tr, trf};
use crate::store::StoreError;
use crate::store::open::Refusal;

/// A wait as people say it: "4 分 30 秒", "45 秒" (seconds rounded up, so
/// it never says 0 while still locked).
pub fn wait_text(ms: i64) -> String {
    let secs = (ms.max(0) + 999) / 1000;
    let (m, s) = (secs / 60, secs % 60);
    match (m, s) {
        (0, s) => trf("auth.wait_s", &[("s", s.to_string())]),
        (m, 0) => trf("auth.wait_m", &[("m", m.to_string())]),
        (m, s) => trf(
            "auth.wait_m_s",
            &[("m", m.to_string()), ("s", s.to_string())],
        ),
    }
}

/// A store error as one line in the current language.
pub fn store_error_text(e: &StoreError) -> String {
    match e {
        StoreError::Domain(crate::domain::error::DomainError::Unacknowledged(n)) => {
            trf("err.unacknowledged", &[("n", n.to_string())])
        }
        StoreError::Domain(crate::domain::error::DomainError::PinLocked(ms)) => {
            trf("err.pin_locked", &[("wait", wait_text(*ms))])
        }
        StoreError::Domain(d) => tr(d.key()),
        StoreError::NewerSchema { found, supported } => trf(
            "cli.newer_schema",
            &[
                ("found", found.to_string()),
                ("supported", supported.to_string()),
            ],
        ),
        StoreError::NotSetUp => tr("cli.not_set_up"),
        StoreError::AlreadySetUp => tr("err.already_set_up"),
        StoreError::Foreign => tr("err.foreign_db"),
        StoreError::Busy => tr("err.busy"),
        StoreError::Corrupt(d) => trf("cli.check_sqlite", &[("detail", d.clone())]),
        StoreError::Io(io) => trf("cli.io", &[("detail", io_reason(io))]),
        StoreError::Sqlite(e) => trf("err.database", &[("detail", e.to_string())]),
        StoreError::Refused { path, why } => refusal_text(path, why),
        StoreError::DiskFull => tr("err.disk_full"),
        StoreError::DiskIo(d) => trf("err.disk_io", &[("detail", d.clone())]),
    }
}

/// Why a database file was not opened, naming it.
fn refusal_text(path: &std::path::Path, why: &Refusal) -> String {
    let p = ("path", path.display().to_string());
    match why {
        Refusal::Missing => trf("err.open.missing", &[p]),
        Refusal::Directory => trf("err.open.directory", &[p]),
        Refusal::Denied => trf("err.open.denied", &[p]),
        Refusal::ReadOnly => trf("err.open.read_only", &[p]),
        Refusal::Locked => trf("err.open.locked", &[p]),
        Refusal::Empty => trf("err.open.empty", &[p]),
        Refusal::Foreign => trf("err.open.foreign", &[p]),
        Refusal::NotSqlite => trf("err.open.not_sqlite", &[p]),
        Refusal::Newer { found, supported } => trf(
            "err.open.newer",
            &[
                p,
                ("found", found.to_string()),
                ("supported", supported.to_string()),
            ],
        ),
    }
}

/// Why an OS call failed, in the user's language: the common kinds are
/// translated, others keep the system's own words.
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => tr("cli.io.not_found"),
        K::PermissionDenied => tr("cli.io.denied"),
        K::AlreadyExists => tr("cli.io.exists"),
        K::IsADirectory => tr("cli.io.is_dir"),
        K::NotADirectory => tr("cli.io.not_dir"),
        K::StorageFull | K::QuotaExceeded => tr("cli.io.full"),
        K::ReadOnlyFilesystem => tr("cli.io.read_only"),
        _ => trf("cli.io.other", &[("detail", e.to_string())]),
    }
}
