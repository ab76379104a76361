//! `dutydesk backup` and `dutydesk restore` driven through the binary: plain
//! and sealed round trips (passphrase, school key from a station database
//! or from a join file on a bare PC), each refusal with nothing written,
//! and who may make a backup at all.

use assert_cmd::Command;
use dutydesk::domain::time::SystemClock;
use dutydesk::store::Store;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;

const ADMIN: &str = "陈老师";
const ADMIN_PIN: &str = "9999";
const GUARD: &str = "张建国";
const GUARD_PIN: &str = "1111";
const SCHOOL: &str = "青山县第一中学";
const PASSPHRASE: &str = "春眠不觉晓 处处闻啼鸟";

fn dutydesk() -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env(
            dutydesk::logging::DIR_ENV,
            std::env::temp_dir().join("dutydesk-test-logs"),
        )
        .args(["--lang", "en"]);
    c
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[track_caller]
fn succeeded(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

/// A refusal: exit 1 and one line on stderr, which is returned.
#[track_caller]
fn refused(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(1), "stdout: {}", stdout(o));
    let e = stderr(o);
    assert!(e.starts_with("dutydesk: "), "{e}");
    assert_eq!(e.trim_end().lines().count(), 1, "{e}");
    e
}

/// A fresh folder holding the demo school as `gate.db` (generated per
/// test: nothing outlives the test's folder).
fn station() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gate.db");
    succeeded(
        &dutydesk()
            .args(["demo-data", "--scale", "small", "--db"])
            .arg(&db)
            .output()
            .unwrap(),
    );
    (dir, db)
}

/// The event count and a digest of every chain's events and hashes: equal
/// digests mean the same log.
fn log_digest(db: &Path) -> (i64, String) {
    let store = Store::open_existing(db, Arc::new(SystemClock)).unwrap();
    let mut stmt = store
        .conn()
        .prepare("SELECT origin, seq, hash FROM events ORDER BY origin, seq")
        .unwrap();
    let mut h = blake3::Hasher::new();
    let mut n = 0;
    let mut rows = stmt.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        let origin: String = r.get(0).unwrap();
        let seq: i64 = r.get(1).unwrap();
        let hash: Vec<u8> = r.get(2).unwrap();
        h.update(origin.as_bytes());
        h.update(&seq.to_le_bytes());
        h.update(&hash);
        n += 1;
    }
    (n, h.finalize().to_hex().to_string())
}

fn backup(db: &Path, out: &Path, extra: &[&str], stdin: &str) -> Output {
    dutydesk()
        .arg("backup")
        .arg("--db")
        .arg(db)
        .arg("--out")
        .arg(out)
        .args(extra)
        .write_stdin(stdin.to_string())
        .output()
        .unwrap()
}

fn restore(from: &Path, target: &Path, extra: &[&str], stdin: &str) -> Output {
    dutydesk()
        .arg("restore")
        .arg("--from")
        .arg(from)
        .arg("--db")
        .arg(target)
        .args(extra)
        .write_stdin(stdin.to_string())
        .output()
        .unwrap()
}

/// The `backup.made` events: (actor's name, body).
fn backups_recorded(db: &Path) -> Vec<(String, String)> {
    let store = Store::open_existing(db, Arc::new(SystemClock)).unwrap();
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT o.name, e.body FROM events e JOIN operators o ON o.id = e.actor
             WHERE e.kind = 'backup.made' ORDER BY e.hlc_ms, e.hlc_c",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn check(db: &Path) {
    let out = dutydesk()
        .arg("check")
        .arg("--db")
        .arg(db)
        .output()
        .unwrap();
    succeeded(&out);
}

/// The files in `dir`, by name: a refusal leaves no temporary behind.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn sealed_with_passphrase(db: &Path, dir: &Path) -> PathBuf {
    let out = dir.join("stick.ddbak");
    succeeded(&backup(
        db,
        &out,
        &["--as", ADMIN],
        &format!("{ADMIN_PIN}\n{PASSPHRASE}\n"),
    ));
    out
}

fn sealed_to_school(db: &Path, dir: &Path) -> PathBuf {
    let out = dir.join("school.ddbak");
    succeeded(&backup(
        db,
        &out,
        &["--as", ADMIN, "--encrypt", "school-key"],
        &format!("{ADMIN_PIN}\n"),
    ));
    out
}

#[test]
fn a_plain_copy_restores_to_the_same_log() {
    let (dir, db) = station();
    let copy = dir.path().join("copy.db");
    let before = log_digest(&db);
    let text = succeeded(&backup(
        &db,
        &copy,
        &["--as", ADMIN],
        &format!("{ADMIN_PIN}\n"),
    ));
    assert!(text.contains("copy.db"), "{text}");
    let target = dir.path().join("restored.db");
    let text = succeeded(&restore(&copy, &target, &[], ""));
    assert!(text.contains("restored to"), "{text}");
    check(&target);
    // The log as it was when the copy was taken (the source has since
    // recorded the backup itself).
    assert_eq!(log_digest(&target), before);
}

#[test]
fn a_passphrase_backup_reveals_nothing_and_restores_to_the_same_log() {
    let (dir, db) = station();
    let before = log_digest(&db);
    let sealed = sealed_with_passphrase(&db, dir.path());
    let bytes = std::fs::read(&sealed).unwrap();
    assert!(bytes.starts_with(b"DUTYDESK-BACKUP 1 passphrase\n"));
    // The log says who took it and how, not where to.
    let made = backups_recorded(&db);
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0].0, ADMIN);
    assert!(
        made[0].1.contains("\"sealed\":\"passphrase\""),
        "{}",
        made[0].1
    );
    assert!(!made[0].1.contains("stick"), "{}", made[0].1);
    for clear in [
        SCHOOL,
        ADMIN,
        GUARD,
        "门卫室",
        "SQLite format 3",
        "AGE-SECRET-KEY",
    ] {
        assert!(!contains(&bytes, clear.as_bytes()), "{clear} in clear");
    }
    // The copy taken on the way is gone: only the database, its WAL files
    // and the sealed file are in the folder.
    assert!(
        names(dir.path()).iter().all(|n| !n.contains("sealing")),
        "{:?}",
        names(dir.path())
    );

    // A bare PC: nothing but the file and the passphrase.
    let bare = tempfile::tempdir().unwrap();
    let target = bare.path().join("gate.db");
    let pass = bare.path().join("pass.txt");
    std::fs::write(&pass, format!("{PASSPHRASE}\n")).unwrap();
    let text = succeeded(&restore(
        &sealed,
        &target,
        &["--passphrase-file", pass.to_str().unwrap()],
        "",
    ));
    assert!(text.contains("hash chains whole"), "{text}");
    // The restored database alone: no temporary or WAL file beside it.
    assert_eq!(names(bare.path()), vec!["gate.db", "pass.txt"]);
    check(&target);
    // The log as it was when the copy was taken (the source has since
    // recorded the backup itself).
    assert_eq!(log_digest(&target), before);
}

#[test]
fn a_wrong_passphrase_is_refused_with_nothing_written() {
    let (dir, db) = station();
    let sealed = sealed_with_passphrase(&db, dir.path());
    let bare = tempfile::tempdir().unwrap();
    let target = bare.path().join("gate.db");
    let e = refused(&restore(&sealed, &target, &[], "not the passphrase\n"));
    assert!(e.contains("wrong passphrase"), "{e}");
    assert!(e.contains("stick.ddbak"), "{e}");
    assert!(names(bare.path()).is_empty(), "{:?}", names(bare.path()));
    // No passphrase at all: said so.
    let e = refused(&restore(&sealed, &target, &[], ""));
    assert!(e.contains("sealed with a passphrase"), "{e}");
    // A byte changed in the age header (the passphrase's stanza) is damage,
    // not a wrong passphrase.
    let mut bytes = std::fs::read(&sealed).unwrap();
    bytes[60] ^= 0x01;
    let bad = bare.path().join("bad.ddbak");
    std::fs::write(&bad, &bytes).unwrap();
    let e = refused(&restore(&bad, &target, &[], &format!("{PASSPHRASE}\n")));
    assert!(e.contains("damaged"), "{e}");
    assert_eq!(names(bare.path()), vec!["bad.ddbak"]);
}

#[test]
fn a_school_key_backup_restores_with_a_station_database_or_a_join_file() {
    let (dir, db) = station();
    let before = log_digest(&db);
    let sealed = sealed_to_school(&db, dir.path());
    let bytes = std::fs::read(&sealed).unwrap();
    assert!(bytes.starts_with(b"DUTYDESK-BACKUP 1 school "));
    for clear in [SCHOOL, ADMIN, GUARD, "SQLite format 3", "AGE-SECRET-KEY"] {
        assert!(!contains(&bytes, clear.as_bytes()), "{clear} in clear");
    }

    // Without a key: told where to get one.
    let bare = tempfile::tempdir().unwrap();
    let target = bare.path().join("gate.db");
    let e = refused(&restore(&sealed, &target, &[], ""));
    assert!(e.contains("--key-db"), "{e}");

    // Another station's database of the school holds the key.
    succeeded(&restore(
        &sealed,
        &target,
        &["--key-db", db.to_str().unwrap()],
        "",
    ));
    check(&target);
    // The log as it was when the copy was taken (the source has since
    // recorded the backup itself).
    assert_eq!(log_digest(&target), before);

    // A new PC: a join file made at another station, and its code.
    let join = dir.path().join("join.ddjoin");
    let code = {
        let mut store = Store::open_existing(&db, Arc::new(SystemClock)).unwrap();
        dutydesk::sync::invite(&mut store, &join).unwrap().0
    };
    let target2 = bare.path().join("gate2.db");
    succeeded(&restore(
        &sealed,
        &target2,
        &["--join", join.to_str().unwrap()],
        &format!("{code}\n"),
    ));
    check(&target2);
    assert_eq!(log_digest(&target2), before);
    let after = log_digest(&db);
    assert_eq!(
        after.0,
        before.0 + 1,
        "the backup is recorded at the source"
    );

    // Another school's key is named as such.
    let other = tempfile::tempdir().unwrap();
    let other_db = other.path().join("other.db");
    succeeded(
        &dutydesk()
            .arg("init")
            .arg("--db")
            .arg(&other_db)
            .args([
                "--school",
                "别的学校",
                "--station",
                "门卫",
                "--kind",
                "gate",
            ])
            .args(["--admin", "王老师"])
            .write_stdin("4321\n")
            .output()
            .unwrap(),
    );
    // A one-station school is told its key lives on this PC alone.
    let said = succeeded(&backup(
        &other_db,
        &other.path().join("o.ddbak"),
        &["--as", "王老师", "--encrypt", "school-key"],
        "4321\n",
    ));
    assert!(said.contains("only this station"), "{said}");
    let target3 = bare.path().join("gate3.db");
    let e = refused(&restore(
        &sealed,
        &target3,
        &["--key-db", other_db.to_str().unwrap()],
        "",
    ));
    assert!(e.contains("another school's key"), "{e}");
    assert!(!target3.exists());
}

#[test]
fn cut_changed_and_foreign_files_are_refused_with_nothing_written() {
    let (dir, db) = station();
    let sealed = sealed_to_school(&db, dir.path());
    let bytes = std::fs::read(&sealed).unwrap();
    let bare = tempfile::tempdir().unwrap();
    let target = bare.path().join("gate.db");
    let key = ["--key-db", db.to_str().unwrap()];
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("cut.ddbak", bytes[..bytes.len() / 2].to_vec(), "incomplete"),
        (
            "cut-end.ddbak",
            bytes[..bytes.len() - 1].to_vec(),
            "incomplete",
        ),
        (
            "flipped.ddbak",
            {
                let mut b = bytes.clone();
                let mid = b.len() / 2;
                b[mid] ^= 0x40;
                b
            },
            "damaged",
        ),
        (
            "header.ddbak",
            {
                let mut b = bytes.clone();
                b[70] ^= 0x01;
                b
            },
            "damaged",
        ),
        (
            "notes.ddbak",
            "值班记录\n".as_bytes().to_vec(),
            "not a dutydesk backup",
        ),
        ("empty.db", Vec::new(), "not a dutydesk backup"),
    ];
    for (name, content, says) in cases {
        let f = bare.path().join(name);
        std::fs::write(&f, &content).unwrap();
        let e = refused(&restore(&f, &target, &key, ""));
        assert!(e.contains(says) && e.contains(name), "{name}: {e}");
        std::fs::remove_file(&f).unwrap();
        assert!(
            names(bare.path()).is_empty(),
            "{name}: {:?}",
            names(bare.path())
        );
    }
    // A SQLite file that is not a station: refused after reading, nothing kept.
    let foreign = bare.path().join("foreign.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('值班');")
        .unwrap();
    let e = refused(&restore(&foreign, &target, &[], ""));
    assert!(e.contains("sound dutydesk database"), "{e}");
    assert!(!target.exists());
}

#[test]
fn an_existing_database_is_replaced_only_with_force_and_kept_aside() {
    let (dir, db) = station();
    let sealed = sealed_with_passphrase(&db, dir.path());
    let other = tempfile::tempdir().unwrap();
    let target = other.path().join("gate.db");
    std::fs::write(&target, b"the database that was there").unwrap();
    let e = refused(&restore(&sealed, &target, &[], &format!("{PASSPHRASE}\n")));
    assert!(e.contains("already exists") && e.contains("--force"), "{e}");
    assert_eq!(
        std::fs::read(&target).unwrap(),
        b"the database that was there"
    );
    assert_eq!(names(other.path()), vec!["gate.db"]);

    let text = succeeded(&restore(
        &sealed,
        &target,
        &["--force"],
        &format!("{PASSPHRASE}\n"),
    ));
    assert!(text.contains("kept as"), "{text}");
    check(&target);
    let aside: Vec<String> = names(other.path())
        .into_iter()
        .filter(|n| n.starts_with("gate.db.before-restore-"))
        .collect();
    assert_eq!(aside.len(), 1, "{:?}", names(other.path()));
    assert_eq!(
        std::fs::read(other.path().join(&aside[0])).unwrap(),
        b"the database that was there"
    );
}

#[test]
fn only_an_admin_with_the_pin_makes_a_backup() {
    let (dir, db) = station();
    let out = dir.path().join("stick.ddbak");
    let pass = format!("{PASSPHRASE}\n");
    let e = refused(&backup(&db, &out, &[], &pass));
    assert!(e.contains("--as"), "{e}");
    let e = refused(&backup(
        &db,
        &out,
        &["--as", ADMIN],
        &format!("0000\n{pass}"),
    ));
    assert!(e.contains("wrong PIN"), "{e}");
    let e = refused(&backup(
        &db,
        &out,
        &["--as", GUARD],
        &format!("{GUARD_PIN}\n{pass}"),
    ));
    assert!(e.contains("may not do this"), "{e}");
    assert!(
        backups_recorded(&db).is_empty(),
        "a refused backup is recorded"
    );
    let e = refused(&backup(
        &db,
        &out,
        &["--as", ADMIN],
        &format!("{ADMIN_PIN}\nshort\n"),
    ));
    assert!(e.contains("too short"), "{e}");
    let e = refused(&backup(
        &db,
        &dir.path().join("stick.zip"),
        &["--as", ADMIN],
        &format!("{ADMIN_PIN}\n{pass}"),
    ));
    assert!(e.contains(".ddbak"), "{e}");
    let e = refused(&backup(
        &db,
        &dir.path().join("plain.db"),
        &["--as", ADMIN, "--encrypt", "passphrase"],
        &format!("{ADMIN_PIN}\n{pass}"),
    ));
    assert!(e.contains(".ddbak"), "{e}");
    assert!(
        names(dir.path())
            .iter()
            .all(|n| n.starts_with("gate.db") || n == "logs"),
        "{:?}",
        names(dir.path())
    );
}
