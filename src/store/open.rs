//! Recognising a file before opening it for writing.
//!
//! Opening read-write and setting WAL mode already writes to a file, so a
//! wrong path would change another program's database before it is refused.
//! The file is looked at first without writing: its metadata, the 100-byte
//! SQLite header, then (read-only) its application id, schema version and
//! tables. Only a station database, or a new or empty file, goes on to be
//! opened read-write.

use super::{StoreError, migrate};
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::io::Read;
use std::path::Path;
use std::time::Duration;

/// `PRAGMA application_id` of a station database ("DuDk"), so it is known
/// for ours from its header alone (also by `file(1)` and other tools).
pub const APP_ID: i32 = i32::from_be_bytes(*b"DuDk");

/// How long the read-only look waits for another program's lock: a lock
/// held longer than this is reported, not waited out.
const PROBE_WAIT: Duration = Duration::from_millis(1000);

const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Why a file was not opened. Each has its own message naming the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Nothing at the path (where an existing station was expected).
    Missing,
    /// The path is a folder.
    Directory,
    /// The file cannot even be read (permissions).
    Denied,
    /// The file (or its folder) cannot be written.
    ReadOnly,
    /// Another program holds a lock on the file.
    Locked,
    /// An empty file where an existing station was expected.
    Empty,
    /// A SQLite database of another program.
    Foreign,
    /// Not a SQLite file at all.
    NotSqlite,
    /// A station database written by a newer dutydesk.
    Newer { found: i64, supported: i64 },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Missing => f.write_str("does not exist"),
            Refusal::Directory => f.write_str("is a folder"),
            Refusal::Denied => f.write_str("cannot be read (permission denied)"),
            Refusal::ReadOnly => f.write_str("is read-only"),
            Refusal::Locked => f.write_str("is locked by another program"),
            Refusal::Empty => f.write_str("is empty"),
            Refusal::Foreign => f.write_str("is not a dutydesk database"),
            Refusal::NotSqlite => f.write_str("is not a dutydesk database (not SQLite)"),
            Refusal::Newer { found, supported } => write!(
                f,
                "was written by a newer dutydesk (schema {found}, this one knows {supported})"
            ),
        }
    }
}

/// What the read-only look found.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Found {
    /// No file: it would be created.
    Absent,
    /// An empty file or a SQLite database with nothing in it.
    Fresh,
    /// A station database this version can open, at this schema version.
    Station { schema: i64 },
}

/// True when `path` is a station this version will upgrade as it opens it
/// (a backup, the migrations, a rebuild of the records: a school year's
/// station takes about a minute), so the caller can say so first. Reads
/// the file without writing, as the open's own check does.
pub fn will_upgrade(path: &Path) -> bool {
    matches!(probe(path), Ok(Found::Station { schema }) if schema > 0 && schema < migrate::LATEST)
}

pub(super) fn refuse(path: &Path, why: Refusal) -> StoreError {
    StoreError::Refused {
        path: path.to_path_buf(),
        why,
    }
}

/// Looks at `path` without writing anything to it (nor beside it, for a
/// file that is not ours).
pub(super) fn probe(path: &Path) -> Result<Found, StoreError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Absent),
        Err(e) => return Err(refuse(path, io_refusal(&e).unwrap_or(Refusal::Denied))),
    };
    if meta.is_dir() {
        return Err(refuse(path, Refusal::Directory));
    }
    if !meta.is_file() {
        // A device or a pipe: reading it could block or consume it.
        return Err(refuse(path, Refusal::NotSqlite));
    }
    let found = recognise(path)?;
    // Checked here, not left to the OS: as an administrator (or root) the
    // OS would let the write through a file marked read-only.
    if meta.permissions().readonly() {
        return Err(refuse(path, Refusal::ReadOnly));
    }
    Ok(found)
}

/// What an existing file is, from its header and then SQLite read-only.
fn recognise(path: &Path) -> Result<Found, StoreError> {
    let facts = if beside(path, "-wal").exists() {
        // A connection may have it open, perhaps in this very process (a
        // worker opening the TUI's station): opening and closing the file
        // here would drop that connection's POSIX locks. SQLite shares
        // them safely, so it alone reads the file now.
        read_facts(path).map_err(|e| sqlite_refusal(path, e))?
    } else {
        let mut head = [0u8; 100];
        let n = read_head(path, &mut head)?;
        if n == 0 {
            return Ok(Found::Fresh);
        }
        if n < head.len() || &head[..16] != MAGIC {
            return Err(refuse(path, Refusal::NotSqlite));
        }
        let header_id = i32::from_be_bytes([head[68], head[69], head[70], head[71]]);
        if header_id == APP_ID {
            // Ours, and no write-ahead log that could hold a newer header:
            // the file says it all, and nothing (not even a -shm) is made
            // beside it.
            Facts {
                app_id: header_id,
                user_version: i64::from(i32::from_be_bytes([
                    head[60], head[61], head[62], head[63],
                ])),
                objects: 1,
                station_tables: 2,
            }
        } else if header_id != 0 {
            return Err(refuse(path, Refusal::Foreign));
        } else if head[18] == 2 && head[19] == 2 {
            // No id yet, WAL mode and no -wal: nobody has it open, and an
            // ordinary read-only connection would make a -wal and -shm
            // beside someone else's file. Read it as immutable instead.
            read_facts_immutable(path).map_err(|e| sqlite_refusal(path, e))?
        } else {
            // No id yet: a station from before it, or someone else's.
            read_facts(path).map_err(|e| sqlite_refusal(path, e))?
        }
    };
    if facts.app_id != 0 && facts.app_id != APP_ID {
        return Err(refuse(path, Refusal::Foreign));
    }
    let ours = facts.app_id == APP_ID || facts.station_tables == 2;
    if !ours {
        if facts.objects == 0 && facts.user_version == 0 {
            return Ok(Found::Fresh);
        }
        return Err(refuse(path, Refusal::Foreign));
    }
    if facts.user_version > migrate::LATEST {
        return Err(refuse(
            path,
            Refusal::Newer {
                found: facts.user_version,
                supported: migrate::LATEST,
            },
        ));
    }
    Ok(Found::Station {
        schema: facts.user_version,
    })
}

/// The first bytes of the file, as many as there are up to `head.len()`.
fn read_head(path: &Path, head: &mut [u8]) -> Result<usize, StoreError> {
    let mut f = std::fs::File::open(path)
        .map_err(|e| refuse(path, io_refusal(&e).unwrap_or(Refusal::Denied)))?;
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(refuse(path, io_refusal(&e).unwrap_or(Refusal::Denied))),
        }
    }
    Ok(n)
}

/// `path` with `suffix` appended (`-wal`, `-shm`).
pub(super) fn beside(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    p.into()
}

struct Facts {
    app_id: i32,
    user_version: i64,
    objects: i64,
    station_tables: i64,
}

fn read_facts(path: &Path) -> Result<Facts, rusqlite::Error> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    facts_of(&conn)
}

/// `read_facts` without locks or a -shm (`immutable=1`): only for a file
/// nobody has open. Falls back to the ordinary read where the path cannot
/// be written as a URI.
fn read_facts_immutable(path: &Path) -> Result<Facts, rusqlite::Error> {
    let Some(uri) = immutable_uri(path) else {
        return read_facts(path);
    };
    let conn = Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    facts_of(&conn)
}

/// `file:` URI of `path`, read-only and immutable. SQLite decodes only
/// `%HH`, so `%`, `?` and `#` are escaped; other text (Chinese too) stays.
fn immutable_uri(path: &Path) -> Option<String> {
    let text = path.to_str()?;
    #[cfg(windows)]
    let text = {
        // A UNC path (\\server\share) has no URI form SQLite accepts.
        if text.starts_with("\\\\") {
            return None;
        }
        let t = text.replace('\\', "/");
        // C:/x → /C:/x, so the drive is not read as a URI scheme part.
        if t.as_bytes().get(1) == Some(&b':') {
            format!("/{t}")
        } else {
            t
        }
    };
    let mut uri = String::from("file:");
    for c in text.chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3f"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    Some(uri)
}

fn facts_of(conn: &Connection) -> Result<Facts, rusqlite::Error> {
    conn.busy_timeout(PROBE_WAIT)?;
    let app_id = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let user_version = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let objects = conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get(0))?;
    // Station databases from before the application id are known by the
    // two tables every schema has had.
    let station_tables = conn.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'meta')",
        [],
        |r| r.get(0),
    )?;
    Ok(Facts {
        app_id,
        user_version,
        objects,
        station_tables,
    })
}

/// The refusal an OS error opening or reading the file stands for.
fn io_refusal(e: &std::io::Error) -> Option<Refusal> {
    use std::io::ErrorKind as K;
    if is_sharing_violation(e) {
        return Some(Refusal::Locked);
    }
    match e.kind() {
        K::PermissionDenied => Some(Refusal::Denied),
        K::IsADirectory => Some(Refusal::Directory),
        K::ReadOnlyFilesystem => Some(Refusal::ReadOnly),
        K::NotFound => Some(Refusal::Missing),
        _ => None,
    }
}

/// Windows refuses to open a file another program opened without sharing
/// (ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION): that is a lock too.
#[cfg(windows)]
fn is_sharing_violation(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(32) | Some(33))
}

#[cfg(not(windows))]
fn is_sharing_violation(_: &std::io::Error) -> bool {
    false
}

/// A SQLite error met while opening `path`, as a refusal where it is one.
pub(super) fn sqlite_refusal(path: &Path, e: rusqlite::Error) -> StoreError {
    let code = match &e {
        rusqlite::Error::SqliteFailure(f, _) => Some(f.code),
        _ => None,
    };
    match code {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => refuse(path, Refusal::Locked),
        Some(ErrorCode::NotADatabase) => refuse(path, Refusal::NotSqlite),
        Some(ErrorCode::ReadOnly) => refuse(path, Refusal::ReadOnly),
        Some(ErrorCode::PermissionDenied) => refuse(path, Refusal::Denied),
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt(e.to_string()),
        _ => e.into(),
    }
}

/// A store error from opening `path` read-write: SQLite's codes for a file
/// it could not write or lock become refusals naming the path.
pub(super) fn name_path(path: &Path, e: StoreError) -> StoreError {
    match e {
        StoreError::Sqlite(e) => match &e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::CannotOpen => {
                // The file opened for reading but its journal could not be
                // made beside it: a read-only folder.
                refuse(path, Refusal::ReadOnly)
            }
            _ => sqlite_refusal(path, e),
        },
        e => e,
    }
}
