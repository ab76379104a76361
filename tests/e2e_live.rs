//! The real binary in a pseudo-terminal beside another program on the same
//! station file (this test's own connection): a visitor that program
//! registers shows on the screen within two seconds, with no key pressed;
//! and a save while that program holds the write lock shows the waiting
//! line, ignores what is typed meanwhile, and lands once when the lock frees.

mod pty;

use dutydesk::domain::role::Role;
use dutydesk::domain::time::SystemClock;
use dutydesk::domain::visit::VisitForm;
use dutydesk::store::Store;
use pty::*;
use std::sync::Arc;
use std::time::{Duration, Instant};

const ADMIN: (&str, &str) = ("陈老师", "9999");

fn registered(store: &Store, name: &str) -> Vec<String> {
    store
        .on_site()
        .expect("on site")
        .into_iter()
        .filter(|v| v.details.name == name)
        .map(|v| v.details.purpose)
        .collect()
}

#[test]
fn another_programs_writes_show_and_a_save_waits_for_its_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    init_gate(&db, dir.path(), ADMIN);
    let mut tui = login(&db, dir.path(), ADMIN);
    tui.wait_for("在校访客(0)");

    // The other program registers a visitor: the list follows by itself.
    let mut other = Store::open(&db, Arc::new(SystemClock)).expect("open station");
    let admin = other
        .operators()
        .expect("operators")
        .into_iter()
        .map(|o| o.actor())
        .find(|a| a.role == Role::Admin)
        .expect("admin");
    let form = VisitForm {
        name: "李强".into(),
        purpose: "维修水管".into(),
        ..VisitForm::default()
    };
    other.register_visit(&admin, &form, None).expect("register");
    let t = Instant::now();
    tui.wait_row(&["李强", "维修水管"]);
    let took = t.elapsed();
    assert!(took < Duration::from_millis(2_500), "shown after {took:?}");
    tui.wait_for("在校访客(1)");

    // A save while the other program holds the write lock.
    tui.send("n");
    tui.wait_for("来访事由");
    tui.send("王五");
    tui.wait_until("王五 in the name field", |s| s.contains("王五"));
    tui.send(&TAB.repeat(7));
    tui.send("看望孩子");
    tui.wait_for("看望孩子");
    other
        .conn()
        .execute_batch("BEGIN IMMEDIATE")
        .expect("hold the lock");
    tui.send(CTRL_S);
    tui.wait_for("正在等待导入完成");
    tui.send("XYZ");
    tui.pump(Duration::from_millis(600));
    assert!(
        tui.screen().contains("正在等待导入完成"),
        "{}",
        tui.screen()
    );
    assert!(!tui.screen().contains("XYZ"), "{}", tui.screen());
    other.conn().execute_batch("COMMIT").expect("release");
    tui.wait_for("在校访客(2)");
    tui.wait_row(&["王五", "看望孩子"]);
    assert!(!tui.screen().contains("正在等待导入完成"));
    assert_eq!(registered(&other, "王五"), vec!["看望孩子".to_string()]);
    quit(tui);
}
