//! Every command-line action that changes records or reveals personal data
//! names its operator (`--as NAME` and that operator's PIN), with the same
//! role permissions as the TUI; the event records who really acted.
//! Unattended commands run as the station and record no operator.

use assert_cmd::Command;
use dutydesk::domain::event::StationKind;
use dutydesk::domain::role::Role;
use dutydesk::domain::time::FixedClock;
use dutydesk::store::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const STATION: &str = "南门门卫室";
const ADMIN: (&str, &str) = ("陈老师", "9999");
const GUARD: (&str, &str) = ("张建国", "1111");
const LEADER: (&str, &str) = ("刘主任", "3333");
const GONE: (&str, &str) = ("王老师", "8888");

/// A gate station with an admin, a guard, a duty leader and a deactivated
/// operator.
fn station(dir: &Path) -> PathBuf {
    let db = dir.join("gate.db");
    let mut store = Store::open(&db, Arc::new(FixedClock::new(1_795_000_000_000))).unwrap();
    let admin = store
        .setup(
            "青山县第一中学",
            STATION,
            StationKind::Gate,
            480,
            ADMIN.0,
            ADMIN.1,
        )
        .unwrap();
    store
        .add_operator(&admin, GUARD.0, Role::Guard, GUARD.1)
        .unwrap();
    store
        .add_operator(&admin, LEADER.0, Role::DutyLeader, LEADER.1)
        .unwrap();
    let gone = store
        .add_operator(&admin, GONE.0, Role::Admin, GONE.1)
        .unwrap();
    store
        .change_operator(&admin, &gone.id, Role::Admin, false)
        .unwrap();
    db
}

struct Ran {
    ok: bool,
    err: String,
}

fn run(lang: &str, db: &Path, args: &[&str], stdin: &str) -> Ran {
    let o = Command::cargo_bin("dutydesk")
        .unwrap()
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env(
            dutydesk::logging::DIR_ENV,
            std::env::temp_dir().join("dutydesk-test-logs"),
        )
        .args(["--lang", lang])
        .args(args)
        .arg("--db")
        .arg(db)
        .write_stdin(stdin)
        .output()
        .unwrap();
    Ran {
        ok: o.status.success(),
        err: String::from_utf8_lossy(&o.stderr).trim().to_string(),
    }
}

fn open(db: &Path) -> Store {
    Store::open_existing(db, Arc::new(FixedClock::new(1_795_000_000_000))).unwrap()
}

/// Events other than the record of wrong PINs (which is itself a fact
/// worth keeping): what a refused command must leave unchanged.
fn records(db: &Path) -> i64 {
    open(db)
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM events WHERE kind NOT IN \
             ('operator.pin_failed', 'operator.locked_out')",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// The name of whoever the newest event of `kind` records.
fn actor_of_last(db: &Path, kind: &str) -> String {
    let store = open(db);
    let id: String = store
        .conn()
        .query_row(
            "SELECT actor FROM events WHERE kind = ?1 ORDER BY hlc_ms DESC, hlc_c DESC LIMIT 1",
            [kind],
            |r| r.get(0),
        )
        .unwrap();
    store.operator_name(&id)
}

fn with_as(args: &[&str], who: &str) -> Vec<String> {
    let mut v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    v.extend(["--as".to_string(), who.to_string()]);
    v
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The refusals every guarded command shares: no `--as`, an unknown name,
/// a wrong PIN, a deactivated operator, a role without the right. Each is
/// one line of its own, and none changes a record.
fn refusals(db: &Path, args: &[&str], forbidden: (&str, &str)) {
    let before = records(db);
    let r = run("en", db, args, &format!("{}\n", ADMIN.1));
    assert!(
        !r.ok && r.err.contains("add --as NAME"),
        "{args:?}: {}",
        r.err
    );
    let r = run("zh-CN", db, args, &format!("{}\n", ADMIN.1));
    assert!(!r.ok && r.err.contains("--as 姓名"), "{args:?}: {}", r.err);

    let r = run("en", db, &strs(&with_as(args, "无此人")), "9999\n");
    assert!(
        !r.ok && r.err.contains("no operator named \"无此人\""),
        "{args:?}: {}",
        r.err
    );
    let r = run("en", db, &strs(&with_as(args, ADMIN.0)), "0000\n");
    assert!(
        !r.ok && r.err.contains("wrong PIN for 陈老师"),
        "{args:?}: {}",
        r.err
    );
    let r = run("zh-CN", db, &strs(&with_as(args, ADMIN.0)), "0000\n");
    assert!(!r.ok && r.err.contains("PIN 不正确"), "{args:?}: {}", r.err);
    let r = run(
        "en",
        db,
        &strs(&with_as(args, GONE.0)),
        &format!("{}\n", GONE.1),
    );
    assert!(
        !r.ok && r.err.contains("deactivated"),
        "{args:?}: {}",
        r.err
    );
    let r = run(
        "en",
        db,
        &strs(&with_as(args, forbidden.0)),
        &format!("{}\n", forbidden.1),
    );
    assert!(
        !r.ok && r.err.contains("may not do this"),
        "{args:?}: {}",
        r.err
    );
    let r = run(
        "zh-CN",
        db,
        &strs(&with_as(args, forbidden.0)),
        &format!("{}\n", forbidden.1),
    );
    assert!(!r.ok && r.err.contains("无权"), "{args:?}: {}", r.err);
    assert_eq!(r.err.lines().count(), 1, "{}", r.err);
    assert_eq!(records(db), before, "{args:?}: a refusal changed records");
}

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn roster_import_is_done_by_the_admin_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = station(dir.path());
    let file = data("tests/fixtures/roster/utf8.csv");
    let args = ["roster", "import", file.as_str()];
    refusals(&db, &args, GUARD);
    // A duty leader may not either: the roster is the admin's.
    let r = run("en", &db, &strs(&with_as(&args, LEADER.0)), "3333\n");
    assert!(!r.ok && r.err.contains("may not do this"), "{}", r.err);
    let r = run("en", &db, &strs(&with_as(&args, ADMIN.0)), "9999\n");
    assert!(r.ok, "{}", r.err);
    assert_eq!(actor_of_last(&db, "roster.imported"), ADMIN.0);
}

#[test]
fn checkpoints_and_duty_imports_name_their_operator() {
    let dir = tempfile::tempdir().unwrap();
    let db = station(dir.path());
    let cps = dir.path().join("cps.csv");
    std::fs::write(&cps, "名称,地点,编码\n北门,校门,G-02\n").unwrap();
    let cps = cps.to_string_lossy().into_owned();
    let args = ["checkpoints", "import", cps.as_str()];
    refusals(&db, &args, LEADER);
    let r = run("en", &db, &strs(&with_as(&args, ADMIN.0)), "9999\n");
    assert!(r.ok, "{}", r.err);
    assert_eq!(actor_of_last(&db, "checkpoint.set"), ADMIN.0);

    let duty = data("data/值班表模板.csv");
    let args = ["duty", "import", duty.as_str()];
    refusals(&db, &args, GUARD);
    let r = run("en", &db, &strs(&with_as(&args, ADMIN.0)), "9999\n");
    assert!(r.ok, "{}", r.err);
    assert_eq!(actor_of_last(&db, "duty.planned"), ADMIN.0);

    // Showing the shift times needs nobody; setting them needs the admin.
    let r = run("en", &db, &["duty", "shifts"], "");
    assert!(r.ok, "{}", r.err);
    let args = ["duty", "shifts", "--grace", "7"];
    refusals(&db, &args, LEADER);
    let r = run("en", &db, &strs(&with_as(&args, ADMIN.0)), "9999\n");
    assert!(r.ok, "{}", r.err);
    assert_eq!(actor_of_last(&db, "duty.shifts_set"), ADMIN.0);
}

#[test]
fn reports_need_a_named_exporter() {
    let dir = tempfile::tempdir().unwrap();
    let db = station(dir.path());
    let out = dir.path().join("roster.csv");
    let out_s = out.to_string_lossy().into_owned();
    let args = ["report", "roster", "--out", out_s.as_str()];
    refusals(&db, &args, GUARD);
    assert!(!out.exists(), "a refused report wrote its file");
    let r = run("en", &db, &strs(&with_as(&args, LEADER.0)), "3333\n");
    assert!(r.ok, "{}", r.err);
    assert!(out.exists());
    // The checkpoint cards too.
    let cards = dir.path().join("cards.xlsx");
    let cards_s = cards.to_string_lossy().into_owned();
    let args = ["report", "checkpoints", "--out", cards_s.as_str()];
    let r = run("en", &db, &args, "");
    assert!(!r.ok && r.err.contains("--as"), "{}", r.err);
    assert!(!cards.exists());
}

#[test]
fn sync_invite_and_resolve_need_their_operator() {
    let dir = tempfile::tempdir().unwrap();
    let db = station(dir.path());
    let join = dir.path().join("join.ddjoin");
    let join_s = join.to_string_lossy().into_owned();
    let args = ["sync", "invite", "--out", join_s.as_str()];
    // The join file holds the school's key: a duty leader may not hand it out.
    refusals(&db, &args, LEADER);
    assert!(!join.exists(), "a refused invite wrote the join file");
    let r = run("en", &db, &strs(&with_as(&args, ADMIN.0)), "9999\n");
    assert!(r.ok, "{}", r.err);
    assert!(join.exists());

    let args = ["sync", "resolve", "nothing", "--choose", "x", "--note", "n"];
    refusals(&db, &args, GUARD);
}

#[test]
fn purge_needs_the_admin_only_to_erase() {
    let dir = tempfile::tempdir().unwrap();
    let db = station(dir.path());
    // Counting what is due reveals nothing and changes nothing.
    let r = run("en", &db, &["purge"], "");
    assert!(r.ok, "{}", r.err);
    refusals(&db, &["purge", "--yes"], LEADER);
}

#[test]
fn unattended_commands_run_as_the_station_and_name_nobody() {
    let dir = tempfile::tempdir().unwrap();
    let db = station(dir.path());
    let before = records(&db);
    let out = dir.path().join("bundles");
    std::fs::create_dir_all(&out).unwrap();
    let out_s = out.to_string_lossy().into_owned();
    for args in [
        &["sync", "export", "--out", out_s.as_str()][..],
        &["sync", "status"],
        &["check"],
    ] {
        let r = run("en", &db, args, "");
        assert!(r.ok, "{args:?}: {}", r.err);
    }
    assert_eq!(records(&db), before, "an unattended command wrote a record");
}
