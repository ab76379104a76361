//! The station's SQLite file: the event log and the projections screens read.
//!
//! Every write goes through `Store::write`: one IMMEDIATE transaction that
//! appends the events a domain command decided and applies them to the
//! projections, so there is never a record without its event or the reverse.

pub mod backup;
pub mod checkpoints;
pub mod conflicts;
pub mod daily;
pub mod duty;
pub mod duty_import;
pub mod handover;
pub mod handover_sheet;
pub mod hazards;
pub mod intake;
pub mod log;
pub mod migrate;
pub mod open;
pub mod operators;
pub mod own_writes;
pub mod patrol;
pub mod patrol_ledger;
pub mod patrol_night;
pub mod peers;
mod person_search;
pub mod personal;
pub mod project;
pub mod project_duty;
pub mod project_handover;
pub mod project_hazards;
pub mod project_night;
pub mod project_patrol;
pub mod project_people;
pub mod project_roster;
pub mod project_shift_log;
pub mod project_visits;
pub mod purge;
pub mod reports;
pub mod rollcall;
pub mod roster;
pub mod round_marks;
pub mod settings;
pub mod shift_log;
pub mod station_log;
pub mod visits;
pub mod watchlist;

use crate::domain::error::DomainError;
use crate::domain::event::{Event, StationKind};
use crate::domain::hlc::Hlc;
use crate::domain::role::Actor;
use crate::domain::time::Clock;
use log::EventRecord;
use rand::{Rng, SeedableRng, rngs::StdRng};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(rusqlite::Error),
    #[error("{0}")]
    Domain(#[from] DomainError),
    #[error(
        "database schema {found} is newer than this dutydesk supports ({supported}); install the newer dutydesk"
    )]
    NewerSchema { found: i64, supported: i64 },
    #[error("this database has no station yet; run `dutydesk init` or start the TUI to set it up")]
    NotSetUp,
    #[error("this database already holds a station")]
    AlreadySetUp,
    #[error("the database file is damaged: {0}")]
    Corrupt(String),
    /// A SQLite file that is not a station database (or an empty file where
    /// an existing station was expected).
    #[error("not a dutydesk database")]
    Foreign,
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Another connection holds the write lock (an import from the command
    /// line): nothing was written, and the same write may simply be retried.
    #[error("the database is busy with another program's write")]
    Busy,
    /// A file recognised, read-only, as one not to open (`open::probe`).
    #[error("{}: {why}", path.display())]
    Refused { path: PathBuf, why: open::Refusal },
    /// SQLITE_FULL: the disk (or the database's page cap) is full. The
    /// transaction was rolled back; nothing was written.
    #[error("the disk is full: nothing was saved")]
    DiskFull,
    /// SQLITE_IOERR: the disk failed a read or write. Rolled back too.
    #[error("disk read/write error: {0}")]
    DiskIo(String),
}

/// SQLite's codes for a disk that cannot take the write get their own
/// variants: the screens say so rather than "database error".
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            match f.code {
                rusqlite::ErrorCode::DiskFull => return StoreError::DiskFull,
                rusqlite::ErrorCode::SystemIoFailure => return StoreError::DiskIo(e.to_string()),
                _ => {}
            }
        }
        StoreError::Sqlite(e)
    }
}

impl StoreError {
    /// SQLite's "busy"/"locked": another connection's transaction.
    fn is_lock(&self) -> bool {
        matches!(self, StoreError::Busy)
            || matches!(self, StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
                if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Station {
    pub id: String,
    pub school: String,
    pub name: String,
    pub kind: StationKind,
    pub utc_offset_min: i32,
}

/// How long a writer waits for another connection's transaction.
pub(crate) const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Where event ids come from: random in use, seeded for demo data so the
/// same seed builds the same school.
pub enum IdGen {
    Random,
    Seeded(Box<StdRng>),
}

impl IdGen {
    pub fn seeded(seed: u64) -> IdGen {
        IdGen::Seeded(Box::new(StdRng::seed_from_u64(seed)))
    }

    /// A salt for the digest of an event's personal fields (`personal`).
    pub fn salt(&mut self) -> [u8; 16] {
        let mut salt = [0u8; 16];
        match self {
            IdGen::Random => rand::rng().fill(&mut salt),
            IdGen::Seeded(r) => r.as_mut().fill(&mut salt),
        }
        salt
    }

    pub fn uuid_v7(&mut self, ms: i64) -> String {
        let mut rand = [0u8; 10];
        match self {
            IdGen::Random => rand::rng().fill(&mut rand),
            IdGen::Seeded(r) => r.as_mut().fill(&mut rand),
        }
        uuid::Builder::from_unix_timestamp_millis(ms.max(0) as u64, &rand)
            .into_uuid()
            .to_string()
    }
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    station: Option<Station>,
    clock: Arc<dyn Clock>,
    ids: IdGen,
    last_hlc: Hlc,
    depth: u32,
    /// Another station whose chain appends go to (`as_station`): generated
    /// data only.
    writing_as: Option<String>,
    /// The last transaction could not start or finish for another
    /// connection's lock (`take_busy`): the TUI retries the key that wrote.
    busy: bool,
    /// Transactions committed by this connection (`commits`).
    commits: u64,
    /// The people's search text, for the history search.
    person_search: std::cell::RefCell<person_search::PersonSearch>,
    /// Tonight's patrol rows, for the status bar's every second.
    night_rows: std::cell::RefCell<patrol_night::NightRows>,
}

/// Pragmas for a duty PC: WAL so readers never block the writer, FULL sync
/// because every write is a person's confirmed action.
fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Deleted and overwritten content is zeroed, so erased personal data
    // does not linger in free space (nor in a backup copied from it).
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(())
}

impl Store {
    /// Opens (creating if absent) and migrates a station database. The
    /// directory must exist: a typo in a path must not scatter files. A file
    /// that is not a station (`open::probe`) is refused before anything is
    /// written to it.
    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
            && !dir.is_dir()
        {
            return Err(StoreError::Io(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("directory {} does not exist", dir.display()),
            )));
        }
        open::probe(path)?;
        Store::open_checked(path, clock)
    }

    /// Opens a station database that must already exist and be set up
    /// (reports, checks, backups): never creates or initialises a file.
    pub fn open_existing(path: &Path, clock: Arc<dyn Clock>) -> Result<Store, StoreError> {
        match open::probe(path)? {
            open::Found::Absent => Err(open::refuse(path, open::Refusal::Missing)),
            open::Found::Fresh if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) => {
                Err(open::refuse(path, open::Refusal::Empty))
            }
            open::Found::Fresh => Err(open::refuse(path, open::Refusal::Foreign)),
            open::Found::Station { .. } => Store::open_checked(path, clock),
        }
    }

    /// The read-write open, after `open::probe` has accepted the file.
    fn open_checked(path: &Path, clock: Arc<dyn Clock>) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            // No per-call mutex: a Store is never shared between threads
            // (the type system keeps it so), and a big import makes
            // millions of calls.
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open::sqlite_refusal(path, e))?;
        // SQLite falls back to read-only when the OS refuses writing.
        if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(open::refuse(path, open::Refusal::ReadOnly));
        }
        Store::from_conn(conn, path.to_path_buf(), clock).map_err(|e| open::name_path(path, e))
    }

    pub fn open_in_memory(clock: Arc<dyn Clock>) -> Result<Store, StoreError> {
        Store::from_conn(
            Connection::open_in_memory()?,
            PathBuf::from(":memory:"),
            clock,
        )
    }

    fn from_conn(
        mut conn: Connection,
        path: PathBuf,
        clock: Arc<dyn Clock>,
    ) -> Result<Store, StoreError> {
        configure(&conn).map_err(|e| match e {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::NotADatabase =>
            {
                StoreError::Corrupt("not a dutydesk database".into())
            }
            e => e,
        })?;
        let found = migrate::version(&conn)?;
        if found == 0 {
            // Never adopt someone else's SQLite file by adding our tables.
            let tables: i64 =
                conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get(0))?;
            if tables > 0 {
                return Err(StoreError::Foreign);
            }
        }
        if found > 0 && found < migrate::LATEST && path.as_os_str() != ":memory:" {
            backup_before_migration(&conn, &path, found)?;
        }
        let found = migrate::migrate_to(&mut conn, migrate::LATEST)?;
        let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        if app_id != open::APP_ID {
            // New files, and station files from before the id, are marked
            // as ours on their first writable open. Best effort: a station
            // is also known by its tables, so another process's write
            // holding the lock must not fail the open for it.
            let _ = conn.pragma_update(None, "application_id", open::APP_ID);
        }
        let mut store = Store {
            last_hlc: log::max_hlc(&conn)?,
            conn,
            path,
            station: None,
            clock,
            ids: IdGen::Random,
            depth: 0,
            writing_as: None,
            busy: false,
            commits: 0,
            person_search: Default::default(),
            night_rows: Default::default(),
        };
        store.station = store.load_station()?;
        if found > 0 && found < migrate::LATEST {
            // New projections appeared: fill them from the existing log.
            store.batch(|s| project::rebuild(&s.conn))?;
        }
        Ok(store)
    }

    fn load_station(&self) -> Result<Option<Station>, StoreError> {
        let id: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'station_id'", [], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(id) = id else { return Ok(None) };
        let st = self
            .conn
            .query_row(
                "SELECT school, name, kind, utc_offset_min FROM stations WHERE id = ?1",
                [&id],
                |r| {
                    Ok(Station {
                        id: id.clone(),
                        school: r.get(0)?,
                        name: r.get(1)?,
                        kind: StationKind::parse(&r.get::<_, String>(2)?)
                            .unwrap_or(StationKind::Gate),
                        utc_offset_min: r.get(3)?,
                    })
                },
            )
            .optional()?;
        Ok(st)
    }

    /// Raw SQL, for tests only (the crate's own, and its integration tests
    /// through the `testing` feature). Everything else asks the store by
    /// purpose-named methods, so no SQL lives outside it.
    #[cfg(any(test, feature = "testing"))]
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn station(&self) -> Option<&Station> {
        self.station.as_ref()
    }

    pub fn require_station(&self) -> Result<&Station, StoreError> {
        self.station.as_ref().ok_or(StoreError::NotSetUp)
    }

    pub fn offset_min(&self) -> i32 {
        self.station
            .as_ref()
            .map(|s| s.utc_offset_min)
            .unwrap_or(480)
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Rows this connection has written since it opened: a cheap way to ask
    /// "did that key write anything?" without reading a table.
    pub fn write_count(&self) -> u64 {
        self.conn.total_changes()
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// Moves this station's clock past events imported from others, so its
    /// next events order after everything it has seen.
    pub fn observe_hlc(&mut self, remote: Hlc) {
        let now = self.clock.now_ms();
        if remote > self.last_hlc {
            self.last_hlc = self.last_hlc.observe(remote, now);
        }
    }

    pub fn set_ids(&mut self, ids: IdGen) {
        self.ids = ids;
    }

    pub fn new_id(&mut self) -> String {
        let now = self.clock.now_ms();
        self.ids.uuid_v7(now)
    }

    /// Runs `f` inside one IMMEDIATE transaction; nested calls join it.
    /// Demo generation wraps thousands of commands in one batch.
    pub fn batch<T>(
        &mut self,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if self.depth == 0
            && let Err(e) = self.conn.execute_batch("BEGIN IMMEDIATE")
        {
            return Err(self.lock_error(e.into()));
        }
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        if self.depth == 0 {
            match &out {
                Ok(_) => {
                    if let Err(e) = self.conn.execute_batch("COMMIT") {
                        let _ = self.conn.execute_batch("ROLLBACK");
                        return Err(self.lock_error(e.into()));
                    }
                    self.commits += 1;
                }
                Err(_) => {
                    let _ = self.conn.execute_batch("ROLLBACK");
                }
            }
            return out.map_err(|e| self.lock_error(e));
        }
        out
    }

    /// A whole transaction that met another connection's lock becomes
    /// `Busy` (rolled back, nothing written) and is remembered for
    /// `take_busy`.
    fn lock_error(&mut self, e: StoreError) -> StoreError {
        if e.is_lock() {
            self.busy = true;
            StoreError::Busy
        } else {
            e
        }
    }

    /// Whether a write met another connection's lock since the last call.
    pub fn take_busy(&mut self) -> bool {
        std::mem::take(&mut self.busy)
    }

    /// How many transactions this connection has committed: a key whose
    /// work met a lock is retried only if none of it was written.
    pub fn commits(&self) -> u64 {
        self.commits
    }

    /// How long a write waits for another connection's lock before `Busy`.
    /// The TUI waits briefly and retries on its own timer, so its keys never
    /// freeze behind an import; the command line keeps `BUSY_TIMEOUT`.
    pub fn set_busy_timeout(&self, wait: std::time::Duration) -> Result<(), StoreError> {
        self.conn.busy_timeout(wait)?;
        Ok(())
    }

    /// SQLite's `data_version`: changes when another connection commits to
    /// the file (never for this connection's own writes). Reads only the
    /// shared WAL index, so the TUI asks it every tick.
    /// What changes whenever the file's contents may have: rows written by
    /// this connection and the file's `data_version` (another connection's
    /// commit). Copies kept in memory are read again when it differs.
    pub(crate) fn written_stamp(&self) -> Result<(u64, i64), StoreError> {
        Ok((self.conn.total_changes(), self.data_version()?))
    }

    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// Runs `f` with every event appended under `origin`'s own chain, as
    /// if written at that station and taken in by sync. Only the demo
    /// generator uses it: a year-end station of a real school holds the
    /// other stations' chains beside its own.
    pub fn as_station<T>(
        &mut self,
        origin: &str,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let before = self.writing_as.replace(origin.to_string());
        let out = f(self);
        self.writing_as = before;
        out
    }

    /// Runs `f` on one consistent view of the station: a long read (a
    /// year's ledger, read twice) sees no write another connection makes
    /// meanwhile. Joins a transaction already open.
    pub fn read_snapshot<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        if !self.conn.is_autocommit() {
            return f();
        }
        self.conn
            .execute_batch("BEGIN DEFERRED")
            .map_err(|e| E::from(e.into()))?;
        let out = f();
        // A read-only transaction has nothing to keep: ending it either way
        // only releases the snapshot.
        let _ = self.conn.execute_batch("COMMIT");
        out
    }

    /// Appends `events` by `actor` and applies them to the projections.
    /// Must run inside `batch`. A record's rows are a function of all its
    /// events, so each record touched is recomputed once, after the last of
    /// them: a round started with 400 boarders out for the weekend is one
    /// recompute, not 400 of a growing round.
    fn append(&mut self, actor: &Actor, events: &[Event]) -> Result<Vec<EventRecord>, StoreError> {
        debug_assert!(self.depth > 0, "append outside a transaction");
        let origin = match &self.writing_as {
            Some(o) => o.clone(),
            None => self.require_station()?.id.clone(),
        };
        let (mut seq, mut prev) = log::head(&self.conn, &origin)?;
        let mut out = Vec::with_capacity(events.len());
        // Records in the order first touched; the set keeps a roster
        // import of thousands of boarders linear.
        let mut touched: Vec<String> = vec![];
        let mut seen = std::collections::HashSet::new();
        for ev in events {
            let now = self.clock.now_ms();
            self.last_hlc = self.last_hlc.tick(now);
            seq += 1;
            let (kind, schema) = (ev.kind(), ev.schema());
            let body = if personal::holds_personal(kind, schema) {
                personal::seal(&ev.body_json(), &self.ids.salt())
            } else {
                ev.body_json()
            };
            let mut rec = EventRecord {
                origin: origin.clone(),
                seq,
                id: self.ids.uuid_v7(now),
                hlc: self.last_hlc,
                kind: kind.to_string(),
                entity: ev.entity(),
                schema,
                actor: actor.id.clone(),
                body,
                prev_hash: prev,
                hash: [0; 32],
            };
            rec.hash = rec.compute_hash();
            prev = rec.hash;
            log::insert(&self.conn, &rec)?;
            let entity = if project::FACT_KINDS.contains(&ev.kind()) {
                project::apply_fact(&self.conn, &rec, ev)?
            } else if let Event::RoundMarked(m) = ev
                && !seen.contains(&rec.entity)
                && project_night::mark_in_place(&self.conn, &rec, m)?
            {
                // The round's rows are already right: no recompute.
                None
            } else {
                Some(rec.entity.clone())
            };
            if let Some(e) = entity
                && seen.insert(e.clone())
            {
                touched.push(e);
            }
            out.push(rec);
        }
        for entity in &touched {
            project::recompute(&self.conn, entity)?;
        }
        Ok(out)
    }

    /// The one write path: decide (reading state inside the transaction),
    /// then append and project, all or nothing.
    pub fn write<T>(
        &mut self,
        actor: &Actor,
        decide: impl FnOnce(&mut Store) -> Result<(Vec<Event>, T), StoreError>,
    ) -> Result<T, StoreError> {
        let actor = actor.clone();
        self.batch(move |s| {
            let (events, out) = decide(s)?;
            s.append(&actor, &events)?;
            Ok(out)
        })
    }

    /// Creates the station (first run): its record, the first admin.
    pub fn setup(
        &mut self,
        school: &str,
        name: &str,
        kind: StationKind,
        utc_offset_min: i32,
        admin_name: &str,
        pin: &str,
    ) -> Result<Actor, StoreError> {
        let school_id = self.new_id();
        self.setup_in_school(
            &school_id,
            school,
            name,
            kind,
            utc_offset_min,
            admin_name,
            pin,
        )
    }

    /// Creates a station of an existing school (joining with a join file):
    /// same school id, its own station id and first admin.
    #[allow(clippy::too_many_arguments)]
    pub fn setup_in_school(
        &mut self,
        school_id: &str,
        school: &str,
        name: &str,
        kind: StationKind,
        utc_offset_min: i32,
        admin_name: &str,
        pin: &str,
    ) -> Result<Actor, StoreError> {
        if self.station.is_some() {
            return Err(StoreError::AlreadySetUp);
        }
        let school = crate::domain::validate::normalize_input(school);
        let name = crate::domain::validate::normalize_input(name);
        let mut errs = Vec::new();
        if school.is_empty() {
            errs.push(("school", crate::domain::validate::FieldError::Required));
        }
        if name.is_empty() {
            errs.push(("station", crate::domain::validate::FieldError::Required));
        }
        if !errs.is_empty() {
            return Err(DomainError::Invalid(errs).into());
        }
        let station_id = self.new_id();
        let station = Station {
            id: station_id.clone(),
            school: school.clone(),
            name: name.clone(),
            kind: kind.clone(),
            utc_offset_min,
        };
        let created = Event::StationCreated(crate::domain::event::StationCreated {
            station_id: station_id.clone(),
            school_id: school_id.to_string(),
            school,
            name,
            kind,
            utc_offset_min,
        });
        let prev = self.station.replace(station);
        let res = self.batch(|s| {
            s.conn.execute(
                "INSERT INTO meta (key, value) VALUES ('station_id', ?1), ('school_id', ?2)",
                [&station_id, school_id],
            )?;
            s.append(&Actor::system(), &[created])?;
            operators::add_in_tx(
                s,
                &Actor::system(),
                admin_name,
                crate::domain::role::Role::Admin,
                pin,
            )
        });
        if res.is_err() {
            self.station = prev;
        }
        res
    }

    /// Station-local configuration that never travels (the school key, the
    /// sync folder): `meta`, not the event log.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            [key, value],
        )?;
        Ok(())
    }

    /// `PRAGMA quick_check`: None when healthy, else the first problem.
    pub fn quick_check(path: &Path) -> Result<Option<String>, StoreError> {
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let r: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        Ok((r != "ok").then_some(r))
    }
}

fn backup_before_migration(conn: &Connection, path: &Path, from: i64) -> Result<(), StoreError> {
    let bak = open::beside(path, &format!(".v{from}.bak"));
    if !bak.exists() {
        // Written under another name, on the disk, then renamed: a copy cut
        // short (the PC switched off) must not stand as the backup. VACUUM
        // INTO does not sync what it writes.
        let part = open::beside(&bak, ".partial");
        let _ = std::fs::remove_file(&part);
        conn.execute("VACUUM INTO ?1", [part.to_string_lossy().as_ref()])?;
        std::fs::File::open(&part)?.sync_all()?;
        std::fs::rename(&part, &bak)?;
    }
    Ok(())
}

/// A gate station set up in memory at a fixed instant, for the store's
/// own unit tests.
#[cfg(test)]
pub(crate) fn test_station() -> Store {
    let clock = crate::domain::time::FixedClock::new(1_795_000_000_000);
    let mut s = Store::open_in_memory(Arc::new(clock)).unwrap();
    s.setup(
        "测试中学",
        "门卫室",
        StationKind::Gate,
        480,
        "管理员",
        "9999",
    )
    .unwrap();
    s
}
