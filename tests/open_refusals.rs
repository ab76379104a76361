//! Files that are not a station this dutydesk can open are recognised
//! read-only and refused before anything is written to them: each case has
//! its own one-line message naming the path, and the file's bytes (and the
//! folder's listing: no -wal or -shm beside it) are the same afterwards.
//! Through the store and through the real binary: `init`, `demo-data`,
//! `report`, `check` and the TUI start.

use assert_cmd::Command;
use dutydesk::domain::event::StationKind;
use dutydesk::domain::time::FixedClock;
use dutydesk::store::migrate::LATEST;
use dutydesk::store::open::{APP_ID, Refusal};
use dutydesk::store::{Store, StoreError};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const T0: i64 = 1_795_000_000_000;

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(T0))
}

/// A station database at `path`, closed (so its WAL is folded in).
fn station(path: &Path) {
    let mut s = Store::open(path, clock()).expect("open new station");
    s.setup(
        "青山县第一中学",
        "南门门卫室",
        StationKind::Gate,
        480,
        "王老师",
        "2468",
    )
    .expect("set up");
}

fn app_id(path: &Path) -> i32 {
    let c = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap()
}

const HOLD_ENV: &str = "DUTYDESK_TEST_HOLD_LOCK";

/// Another program (a database browser, say) that took the file for
/// itself: exclusive locking mode, then a write. A process of its own: POSIX
/// locks belong to a process, and this one reading the file for its hash
/// would release a lock it held itself.
struct Holder(
    std::process::Child,
    std::io::BufReader<std::process::ChildStdout>,
);

impl Holder {
    fn start(db: &Path) -> Holder {
        use std::io::BufRead;
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["lock_holder", "--exact", "--ignored", "--nocapture"])
            .arg("--test-threads=1")
            .env(HOLD_ENV, db)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        while out.read_line(&mut line).unwrap() > 0 {
            // The harness may print the test's name on the same line.
            if line.trim_end().ends_with("lock taken") {
                return Holder(child, out);
            }
            line.clear();
        }
        let _ = child.wait();
        panic!("the lock holder ended without taking the lock");
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        // Closing its stdin lets it end; what it prints then is read.
        drop(self.0.stdin.take());
        let _ = std::io::copy(&mut self.1, &mut std::io::sink());
        let _ = self.0.wait();
    }
}

/// Run by `Holder` in a child process (ignored when run as a test).
#[test]
#[ignore = "not a test: the lock holder the refusal tests start as a child process"]
fn lock_holder() {
    use std::io::{Read, Write};
    let Ok(db) = std::env::var(HOLD_ENV) else {
        return;
    };
    let c = Connection::open(&db).unwrap();
    c.execute_batch(
        "PRAGMA locking_mode = EXCLUSIVE;
         INSERT INTO meta (key, value) VALUES ('browsed', 'yes');",
    )
    .unwrap();
    println!("lock taken");
    std::io::stdout().flush().unwrap();
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
    drop(c);
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Case {
    Missing,
    Directory,
    ReadOnly,
    Locked,
    Foreign,
    NotSqlite,
    Newer,
}

const CASES: [Case; 7] = [
    Case::Missing,
    Case::Directory,
    Case::ReadOnly,
    Case::Locked,
    Case::Foreign,
    Case::NotSqlite,
    Case::Newer,
];

/// The file (or folder, or nothing) of `case` in `dir`, and for `Locked`
/// the other program's connection that holds the lock.
fn make(case: Case, dir: &Path) -> (PathBuf, Option<Holder>) {
    let db = dir.join("duty.db");
    let mut holder = None;
    match case {
        Case::Missing => {}
        Case::Directory => std::fs::create_dir(&db).unwrap(),
        Case::ReadOnly => {
            station(&db);
            let mut p = std::fs::metadata(&db).unwrap().permissions();
            p.set_readonly(true);
            std::fs::set_permissions(&db, p).unwrap();
        }
        Case::Locked => {
            station(&db);
            holder = Some(Holder::start(&db));
        }
        Case::Foreign => {
            let c = Connection::open(&db).unwrap();
            c.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('笔记');")
                .unwrap();
        }
        Case::NotSqlite => {
            std::fs::write(&db, "姓名,电话\n张三,13800138000\n").unwrap();
        }
        Case::Newer => {
            station(&db);
            Connection::open(&db)
                .unwrap()
                .pragma_update(None, "user_version", LATEST + 1)
                .unwrap();
        }
    }
    (db, holder)
}

fn expected(case: Case) -> Refusal {
    match case {
        Case::Missing => Refusal::Missing,
        Case::Directory => Refusal::Directory,
        Case::ReadOnly => Refusal::ReadOnly,
        Case::Locked => Refusal::Locked,
        Case::Foreign => Refusal::Foreign,
        Case::NotSqlite => Refusal::NotSqlite,
        Case::Newer => Refusal::Newer {
            found: LATEST + 1,
            supported: LATEST,
        },
    }
}

/// What the English message must say, beside the path.
fn phrase(case: Case) -> &'static str {
    match case {
        Case::Missing => "no database at",
        Case::Directory => "is a folder",
        Case::ReadOnly => "is read-only",
        Case::Locked => "locked by another program",
        Case::Foreign => "another program's SQLite file",
        Case::NotSqlite => "not a SQLite file",
        Case::Newer => "newer dutydesk",
    }
}

fn zh_phrase(case: Case) -> &'static str {
    match case {
        Case::Missing => "没有数据库",
        Case::Directory => "是一个文件夹",
        Case::ReadOnly => "只读",
        Case::Locked => "被其他程序锁定",
        Case::Foreign => "其他程序的 SQLite 文件",
        Case::NotSqlite => "不是 SQLite 文件",
        Case::Newer => "更新版本",
    }
}

/// Every file in `dir` with a hash of its bytes (folders by name only).
fn snapshot(dir: &Path) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let hash = if e.path().is_file() {
                blake3::hash(&std::fs::read(e.path()).unwrap())
                    .to_hex()
                    .to_string()
            } else {
                "folder".into()
            };
            (name, hash)
        })
        .collect();
    v.sort();
    v
}

fn refusal(r: Result<Store, StoreError>) -> (PathBuf, Refusal) {
    match r {
        Err(StoreError::Refused { path, why }) => (path, why),
        Err(e) => panic!("expected a refusal, got {e:?}"),
        Ok(_) => panic!("the file was opened"),
    }
}

#[test]
fn the_store_refuses_each_case_and_leaves_the_file_as_it_was() {
    for case in CASES {
        let dir = tempfile::tempdir().unwrap();
        let (db, _holder) = make(case, dir.path());
        let before = snapshot(dir.path());
        let (path, why) = refusal(Store::open_existing(&db, clock()));
        assert_eq!((path.as_path(), &why), (db.as_path(), &expected(case)));
        if case != Case::Missing {
            // Store::open creates a missing file; everything else it refuses.
            let (path, why) = refusal(Store::open(&db, clock()));
            assert_eq!((path.as_path(), &why), (db.as_path(), &expected(case)));
        }
        assert_eq!(snapshot(dir.path()), before, "{case:?}: the folder changed");
    }
}

#[test]
fn an_empty_file_is_no_station_but_may_become_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("empty.db");
    std::fs::write(&db, b"").unwrap();
    let (_, why) = refusal(Store::open_existing(&db, clock()));
    assert_eq!(why, Refusal::Empty);
    assert_eq!(std::fs::read(&db).unwrap(), b"");
    // `init` on an empty file makes it a station.
    station(&db);
    assert!(Store::open_existing(&db, clock()).is_ok());
}

#[test]
fn a_station_carries_the_application_id_and_older_ones_are_given_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("duty.db");
    station(&db);
    assert_eq!(app_id(&db), APP_ID);
    // A station written before the id existed is known by its tables.
    Connection::open(&db)
        .unwrap()
        .pragma_update(None, "application_id", 0)
        .unwrap();
    assert_eq!(app_id(&db), 0);
    let s = Store::open_existing(&db, clock()).expect("an older station opens");
    assert!(s.station().is_some());
    drop(s);
    assert_eq!(app_id(&db), APP_ID);
}

#[test]
fn another_programs_application_id_is_refused_from_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("other.db");
    {
        let c = Connection::open(&db).unwrap();
        // Even with tables named like ours: the id says whose it is.
        c.execute_batch(
            "PRAGMA application_id = 1234;
             CREATE TABLE events (x); CREATE TABLE meta (y);",
        )
        .unwrap();
    }
    let before = snapshot(dir.path());
    let (_, why) = refusal(Store::open(&db, clock()));
    assert_eq!(why, Refusal::Foreign);
    assert_eq!(snapshot(dir.path()), before);
}

// ------------------------------------------------------------ the binary

fn dutydesk(lang: &str) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env(
            dutydesk::logging::DIR_ENV,
            std::env::temp_dir().join("dutydesk-test-logs"),
        )
        .args(["--lang", lang]);
    c
}

/// The commands that open the database, by name; `out` is a report file
/// path in another folder (so the database's folder stays as it was).
fn commands(lang: &str, db: &Path, out: &Path) -> Vec<(&'static str, Command)> {
    let mut init = dutydesk(lang);
    init.arg("init")
        .arg("--db")
        .arg(db)
        .args(["--school", "青山县第一中学", "--station", "南门门卫室"])
        .args(["--kind", "gate", "--admin", "王老师"])
        .write_stdin("2468\n");
    let mut demo = dutydesk(lang);
    demo.args(["demo-data", "--db"]).arg(db);
    let mut report = dutydesk(lang);
    report
        .args(["report", "visitors", "--db"])
        .arg(db)
        .args(["--from", "2000-01-01", "--to", "2100-12-31", "--out"])
        .arg(out);
    let mut check = dutydesk(lang);
    check.args(["check", "--db"]).arg(db);
    // The TUI opens the database before it touches the terminal.
    let mut tui = dutydesk(lang);
    tui.arg("--db").arg(db).write_stdin("");
    vec![
        ("init", init),
        ("demo-data", demo),
        ("report", report),
        ("check", check),
        ("tui", tui),
    ]
}

/// Commands for which a missing file is an error (the others create it).
fn needs_existing(name: &str) -> bool {
    matches!(name, "report" | "check")
}

#[test]
fn every_command_refuses_each_case_with_its_own_line_and_touches_nothing() {
    for case in CASES {
        let dir = tempfile::tempdir().unwrap();
        let outdir = tempfile::tempdir().unwrap();
        let (db, _holder) = make(case, dir.path());
        let before = snapshot(dir.path());
        let shown = db.display().to_string();
        for lang in ["en", "zh-CN"] {
            let out = outdir.path().join("register.csv");
            for (name, mut cmd) in commands(lang, &db, &out) {
                if case == Case::Missing && !needs_existing(name) {
                    continue;
                }
                let o = cmd.output().unwrap();
                let err = String::from_utf8(o.stderr).unwrap();
                let ctx = format!("{case:?} {name} {lang}: {err:?}");
                assert_eq!(o.status.code(), Some(1), "{ctx}");
                assert!(o.stdout.is_empty(), "{ctx}");
                assert_eq!(err.lines().count(), 1, "{ctx}");
                assert!(err.contains(&shown), "the path is not named: {ctx}");
                let want = if lang == "en" {
                    phrase(case)
                } else {
                    zh_phrase(case)
                };
                assert!(err.contains(want), "{ctx}");
                assert_eq!(snapshot(dir.path()), before, "{ctx}: the folder changed");
                assert!(!out.exists(), "{ctx}: a report was written");
            }
        }
    }
}

#[test]
fn another_programs_wal_database_gets_no_wal_or_shm_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    // A path SQLite must be given escaped in a URI, with Chinese in it.
    let db = dir.path().join("别的程序 100%?#.db");
    {
        let c = Connection::open(&db).unwrap();
        c.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('笔记');",
        )
        .unwrap();
    }
    let before = snapshot(dir.path());
    assert_eq!(before.len(), 1, "{before:?}");
    let (_, why) = refusal(Store::open(&db, clock()));
    assert_eq!(why, Refusal::Foreign);
    let (_, why) = refusal(Store::open_existing(&db, clock()));
    assert_eq!(why, Refusal::Foreign);
    assert_eq!(snapshot(dir.path()), before);
}

/// The interface says it is upgrading before an open that will: a station
/// at an older schema, and never a current one, a new file or none.
#[test]
fn an_upgrade_is_known_before_the_open() {
    use dutydesk::store::open::will_upgrade;
    let dir = tempfile::tempdir().unwrap();
    let absent = dir.path().join("absent.db");
    assert!(!will_upgrade(&absent));
    let current = dir.path().join("current.db");
    station(&current);
    assert!(!will_upgrade(&current));
    let old = dir.path().join("old.db");
    {
        let mut conn = Connection::open(&old).unwrap();
        dutydesk::store::migrate::migrate_to(&mut conn, LATEST - 1).unwrap();
    }
    assert!(will_upgrade(&old));
    drop(Store::open(&old, clock()).unwrap());
    assert!(!will_upgrade(&old));
    assert!(!absent.exists(), "asking wrote nothing");
}
