//! Online backups with SQLite's backup API: whole, consistent copies taken
//! while the station keeps working. Written to a temporary name, synced and
//! renamed, so a backup file is either complete or absent.
//!
//! The daily backups (`daily`, started by the TUI once the database passed
//! its check) go only to `backups/` beside the database, never anywhere
//! else: they are plain copies, school key included, and stay on the PC. A
//! copy that leaves the PC is sealed first (`dutydesk backup --out
//! FILE.ddbak`, the command line's `backup` module).

use super::{Store, StoreError};
use crate::domain::event::{BackupMade, BackupSeal, Event};
use crate::domain::role::{Actor, Permission, require};
use crate::domain::time::Clock;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Copies the database at `src` to `dest` (which must not exist).
pub fn backup_file(src: &Path, dest: &Path) -> Result<(), StoreError> {
    if dest.exists() {
        return Err(StoreError::Io(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("{} already exists", dest.display()),
        )));
    }
    let from = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let tmp = super::open::beside(dest, ".partial");
    let result = (|| -> Result<(), StoreError> {
        let mut to = Connection::open(&tmp)?;
        {
            let b = rusqlite::backup::Backup::new(&from, &mut to)?;
            b.run_to_completion(256, std::time::Duration::from_millis(0), None)?;
        }
        // A backup must open on its own: no WAL file beside it.
        to.pragma_update(None, "journal_mode", "DELETE")?;
        drop(to);
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, dest)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    tracing::info!(dest = %dest.display(), ok = result.is_ok(), "backup");
    result
}

impl Store {
    /// Records that `by` took a whole copy of this database, once it is
    /// written: an event, so every station's log says who carried the
    /// school's records away, when, and how they were sealed.
    pub fn record_backup(
        &mut self,
        by: &Actor,
        sealed: BackupSeal,
        bytes: u64,
    ) -> Result<(), StoreError> {
        require(by.role, Permission::Backup)?;
        self.write(by, |s| {
            let backup_id = s.new_id();
            Ok((
                vec![Event::BackupMade(BackupMade {
                    backup_id,
                    sealed,
                    bytes,
                })],
                (),
            ))
        })
    }
}

/// What a restored copy was found to hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyCheck {
    /// Events in the log, every hash chain verified.
    pub events: u64,
    pub station: Option<String>,
}

/// Checks that the file at `path` — a copy being restored, not yet in
/// place — is a whole dutydesk database: a station schema this version
/// reads, SQLite's quick check, and the event log's hash chains (what
/// `dutydesk check` runs). The file is the caller's own temporary copy: it
/// may be migrated to this version's schema on the way.
pub fn verify_copy(path: &Path, clock: Arc<dyn Clock>) -> Result<CopyCheck, StoreError> {
    let version = {
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|_| StoreError::Foreign)?;
        if v == 0 {
            return Err(StoreError::Foreign);
        }
        if v > super::migrate::LATEST {
            return Err(StoreError::NewerSchema {
                found: v,
                supported: super::migrate::LATEST,
            });
        }
        let tables: i64 = conn.query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'meta')",
            [],
            |r| r.get(0),
        )?;
        if tables != 2 {
            return Err(StoreError::Foreign);
        }
        let r: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if r != "ok" {
            return Err(StoreError::Corrupt(r));
        }
        v
    };
    let store = Store::open_existing(path, clock)?;
    // Opening an older copy migrated it and kept the pre-upgrade file
    // beside it: the backup itself is that file.
    let _ = std::fs::remove_file(super::open::beside(path, &format!(".v{version}.bak")));
    let events = match store.verify_log()? {
        Ok(n) => n,
        Err(f) => return Err(StoreError::Corrupt(format!("{f:?}"))),
    };
    Ok(CopyCheck {
        events,
        station: store.station().map(|s| s.name.clone()),
    })
}

/// The folder daily backups go to: `backups/` beside the database.
pub fn backup_dir(db: &Path) -> PathBuf {
    db.parent().unwrap_or(Path::new(".")).join("backups")
}

/// Makes today's backup if there is none yet and keeps the newest `keep`.
/// Returns the file written, if any. `day` is the local date, YYYYMMDD.
pub fn daily(db: &Path, day: &str, keep: usize) -> Result<Option<PathBuf>, StoreError> {
    let dir = backup_dir(db);
    std::fs::create_dir_all(&dir)?;
    let stem = db
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("dutydesk");
    let dest = dir.join(format!("{stem}-{day}.db"));
    let made = if dest.exists() {
        None
    } else {
        backup_file(db, &dest)?;
        Some(dest)
    };
    let prefix = format!("{stem}-");
    let mut old: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".db"))
        })
        .collect();
    old.sort();
    if old.len() > keep {
        for p in &old[..old.len() - keep] {
            let _ = std::fs::remove_file(p);
        }
    }
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::StationKind;
    use crate::domain::time::FixedClock;

    #[test]
    fn backup_is_a_whole_database_and_daily_rotates() {
        let dir = std::env::temp_dir().join(format!("dd-backup-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("gate.db");
        let mut s = Store::open(&db, Arc::new(FixedClock::new(1_700_000_000_000))).unwrap();
        s.setup("学校", "门卫室", StationKind::Gate, 480, "管理员", "1234")
            .unwrap();
        let out = dir.join("copy.db");
        backup_file(&db, &out).unwrap();
        assert!(backup_file(&db, &out).is_err(), "never overwrites");
        let copy = Store::open(&out, Arc::new(FixedClock::new(0))).unwrap();
        assert_eq!(copy.station().unwrap().name, "门卫室");
        for day in ["20261101", "20261102", "20261103", "20261104"] {
            daily(&db, day, 2).unwrap();
        }
        assert!(daily(&db, "20261104", 2).unwrap().is_none(), "one a day");
        let mut names: Vec<_> = std::fs::read_dir(backup_dir(&db))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, vec!["gate-20261103.db", "gate-20261104.db"]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
