//! PIN throttling in the store: five wrong PINs in a row lock an operator
//! out for a growing wait, the right PIN is refused while locked (without
//! being compared), an admin's unlock lifts it, every step is an event and
//! the projection rebuilds to the same state. And from the command line,
//! where each guess is a new process.

use assert_cmd::Command;
use dutydesk::domain::error::DomainError;
use dutydesk::domain::event::StationKind;
use dutydesk::domain::role::Role;
use dutydesk::domain::time::FixedClock;
use dutydesk::store::project::{dump, rebuild};
use dutydesk::store::{Store, StoreError};
use std::sync::Arc;

const T0: i64 = 1_795_000_000_000;

fn station() -> (Store, FixedClock, dutydesk::domain::role::Actor, String) {
    let clock = FixedClock::new(T0);
    let mut store = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    let admin = store
        .setup(
            "青山县第一中学",
            "南门门卫室",
            StationKind::Gate,
            480,
            "陈老师",
            "9999",
        )
        .unwrap();
    let guard = store
        .add_operator(&admin, "张建国", Role::Guard, "2580")
        .unwrap();
    (store, clock, admin, guard.id)
}

fn kinds(store: &Store) -> Vec<(String, String)> {
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT kind, actor FROM events WHERE kind LIKE 'operator.%' ORDER BY hlc_ms, hlc_c",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn locked_ms(r: Result<dutydesk::store::operators::Operator, StoreError>) -> i64 {
    match r {
        Err(StoreError::Domain(DomainError::PinLocked(ms))) => ms,
        other => panic!("not locked: {other:?}"),
    }
}

#[test]
fn five_wrong_pins_lock_with_a_growing_wait_and_an_admin_unlocks() {
    let (mut store, clock, admin, guard) = station();
    for _ in 0..4 {
        assert!(matches!(
            store.verify_pin(&guard, "0000"),
            Err(StoreError::Domain(DomainError::WrongPin))
        ));
    }
    // The fifth locks; the right PIN is refused while locked.
    assert_eq!(locked_ms(store.verify_pin(&guard, "0000")), 30_000);
    clock.set(T0 + 10_000);
    assert_eq!(locked_ms(store.verify_pin(&guard, "2580")), 20_000);
    assert_eq!(locked_ms(store.login(&guard, "2580")), 20_000);
    assert_eq!(store.locked_operators(T0 + 10_000).unwrap().len(), 1);
    // Each wrong PIN names the station, never the operator or an admin.
    let origin = store.station().unwrap().id.clone();
    let failed: Vec<_> = kinds(&store)
        .into_iter()
        .filter(|(k, _)| k == "operator.pin_failed" || k == "operator.locked_out")
        .collect();
    assert_eq!(failed.len(), 6);
    assert!(failed.iter().all(|(_, a)| *a == origin), "{failed:?}");

    // After the wait, five more wrong ones lock for longer: 1 min.
    clock.set(T0 + 30_000);
    for _ in 0..4 {
        assert!(store.verify_pin(&guard, "1111").is_err());
    }
    assert_eq!(locked_ms(store.verify_pin(&guard, "1111")), 60_000);
    clock.set(T0 + 90_000);
    for _ in 0..4 {
        assert!(store.verify_pin(&guard, "1111").is_err());
    }
    assert_eq!(locked_ms(store.verify_pin(&guard, "1111")), 300_000);

    // The projection rebuilt from the log is the same.
    let incremental = dump(store.conn()).unwrap();
    store
        .conn()
        .execute_batch("UPDATE operators SET pin_failures = 0, locked_until_ms = NULL")
        .unwrap();
    store.batch(|s| rebuild(s.conn())).unwrap();
    assert_eq!(dump(store.conn()).unwrap(), incremental);

    // Only an admin unlocks; it is recorded as theirs.
    let guard_actor = store.operator(&guard).unwrap().unwrap().actor();
    assert!(store.unlock_operator(&guard_actor, &guard).is_err());
    store.unlock_operator(&admin, &guard).unwrap();
    assert!(store.locked_operators(T0 + 90_000).unwrap().is_empty());
    let (kind, by) = kinds(&store).pop().unwrap();
    assert_eq!(
        (kind.as_str(), by.as_str()),
        ("operator.unlocked", admin.id.as_str())
    );
    store
        .login(&guard, "2580")
        .expect("the right PIN after the unlock");

    // A clean slate: four wrong, a right one, four wrong — no lockout.
    for _ in 0..4 {
        assert!(store.verify_pin(&guard, "0000").is_err());
    }
    store.verify_pin(&guard, "2580").unwrap();
    assert_eq!(kinds(&store).last().unwrap().0, "operator.pin_passed");
    for _ in 0..4 {
        assert!(matches!(
            store.verify_pin(&guard, "0000"),
            Err(StoreError::Domain(DomainError::WrongPin))
        ));
    }
    // A right PIN with nothing to clear writes nothing.
    let (mut fresh, _, admin2, _) = station();
    let before = kinds(&fresh).len();
    fresh.verify_pin(&admin2.id, "9999").unwrap();
    assert_eq!(kinds(&fresh).len(), before);
}

#[test]
fn a_locked_operator_is_refused_on_the_command_line_with_the_time_left() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gate.db");
    {
        let mut store = Store::open(&db, Arc::new(FixedClock::new(T0))).unwrap();
        store
            .setup(
                "青山县第一中学",
                "南门门卫室",
                StationKind::Gate,
                480,
                "陈老师",
                "9999",
            )
            .unwrap();
    }
    let out = dir.path().join("r.csv");
    let run = |lang: &str, pin: &str| {
        let o = Command::cargo_bin("dutydesk")
            .unwrap()
            .env(
                dutydesk::logging::DIR_ENV,
                std::env::temp_dir().join("dutydesk-test-logs"),
            )
            .args(["--lang", lang, "report", "roster", "--as", "陈老师", "--db"])
            .arg(&db)
            .arg("--out")
            .arg(&out)
            .write_stdin(format!("{pin}\n"))
            .output()
            .unwrap();
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    // Each guess a new process: they are counted all the same.
    for _ in 0..4 {
        let (ok, err) = run("en", "0000");
        assert!(!ok && err.contains("wrong PIN"), "{err}");
    }
    let (ok, err) = run("en", "0000");
    assert!(
        !ok && err.contains("locked out") && err.contains("try again in"),
        "{err}"
    );
    // The right PIN now: refused at once, with the time left, nothing written.
    let started = std::time::Instant::now();
    let (ok, err) = run("zh-CN", "9999");
    assert!(
        !ok && err.contains("已锁定") && err.contains("秒后再试"),
        "{err}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert!(!out.exists());
}

#[test]
fn init_warns_about_a_pin_anyone_would_guess() {
    let dir = tempfile::tempdir().unwrap();
    let init = |name: &str, pin: &str| {
        let o = Command::cargo_bin("dutydesk")
            .unwrap()
            .env(
                dutydesk::logging::DIR_ENV,
                std::env::temp_dir().join("dutydesk-test-logs"),
            )
            .args([
                "--lang",
                "zh-CN",
                "init",
                "--school",
                "学校",
                "--station",
                "门卫",
            ])
            .args(["--kind", "gate", "--admin", "王老师", "--db"])
            .arg(dir.path().join(name))
            .write_stdin(format!("{pin}\n"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{o:?}");
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    // A warning, not a refusal: the station is made either way.
    for weak in ["1111", "1234", "4321", "123456"] {
        let said = init(&format!("{weak}.db"), weak);
        assert!(said.contains("很容易被猜到"), "{weak}: {said}");
    }
    let said = init("ok.db", "2580");
    assert!(!said.contains("很容易被猜到"), "{said}");
}
