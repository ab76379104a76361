//! The real binary in a pseudo-terminal (portable-pty + vt100), issue 11's
//! hazard loop end to end: a guard reports a hazard, the duty leader
//! assigns it, the guard records the fix, the duty leader fails the
//! verification with a reason, the guard fixes it again, the admin —
//! someone other than whoever fixed it — passes it and closes it; then
//! `dutydesk report hazards` holds the row.
//!
//! Each operator logs in to a fresh start of the binary. Every wait polls
//! the emulated screen with backoff up to a deadline; nothing sleeps for a
//! fixed time.

use dutydesk::domain::hazard::Status;
use dutydesk::domain::role::Role;
use dutydesk::domain::time::SystemClock;
use dutydesk::store::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

mod pty;

use pty::*;

const ADMIN: (&str, &str) = ("陈老师", "9999");
const GUARD: (&str, &str) = ("张建国", "1111");
const LEADER: (&str, &str) = ("刘主任", "3333");

/// A gate station by `dutydesk init`, with the guard and the duty leader.
fn station(dir: &Path) -> PathBuf {
    let db = dir.join("门卫.db");
    init_gate(&db, dir, ADMIN);
    add_operators(
        &db,
        &[
            (GUARD.0, Role::Guard, GUARD.1),
            (LEADER.0, Role::DutyLeader, LEADER.1),
        ],
    );
    db
}

fn status(db: &Path) -> Status {
    let store = Store::open(db, Arc::new(SystemClock)).expect("reopen");
    let f = dutydesk::store::hazards::HazardFilter::default();
    let rows = store.hazards(&f, store.now_ms()).expect("ledger");
    assert_eq!(rows.len(), 1);
    rows[0].status
}

#[test]
fn report_assign_fix_fail_fix_pass_close_then_the_ledger() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = station(dir.path());

    // The guard reports: place, category 用电 (2), severity 较大 (2), what.
    let mut tui = hazards_session(&db, dir.path(), GUARD);
    tui.wait_for("没有符合条件的隐患");
    tui.send("n");
    tui.wait_for("登记隐患");
    tui.send("2号宿舍楼配电箱");
    tui.send(TAB);
    tui.send("2");
    tui.send(TAB);
    tui.send("2");
    tui.wait_row(&["等级", "◀ 较大 ▶"]);
    tui.send(TAB);
    tui.send("箱门锁坏，线路外露");
    tui.send(TAB);
    tui.send("贴警示标志");
    tui.wait_for("贴警示标志");
    tui.send(CTRL_S);
    tui.wait_for("隐患已登记");
    tui.wait_row(&["较大", "已登记", "2号宿舍楼配电箱"]);
    // A guard is offered no assigning: `a` says why.
    tui.send("a");
    tui.wait_for("您的角色无权进行此操作");
    quit(tui);

    // The duty leader assigns it (the deadline is filled by severity).
    let mut tui = hazards_session(&db, dir.path(), LEADER);
    tui.wait_row(&["较大", "已登记", "2号宿舍楼配电箱"]);
    tui.send("a");
    tui.wait_for("指派整改");
    tui.send("电工老刘");
    tui.send(CTRL_S);
    tui.wait_for("已指派整改");
    tui.wait_row(&["整改中", "2号宿舍楼配电箱", "电工老刘"]);
    quit(tui);

    // The guard records the fix.
    let mut tui = hazards_session(&db, dir.path(), GUARD);
    tui.send("r");
    tui.wait_for("整改措施");
    tui.send("更换门锁");
    tui.send(CTRL_S);
    tui.wait_for("整改已登记，等待他人复查");
    tui.wait_row(&["待复查", "2号宿舍楼配电箱"]);
    quit(tui);

    // The duty leader fails it, with the reason.
    let mut tui = hazards_session(&db, dir.path(), LEADER);
    tui.send("v");
    tui.wait_for("复查结果");
    tui.send(RIGHT);
    tui.wait_row(&["复查结果", "◀ 复查不合格 ▶"]);
    tui.send(TAB);
    tui.send("线路仍外露");
    tui.send(CTRL_S);
    tui.wait_for("复查已记录");
    tui.wait_row(&["整改中", "2号宿舍楼配电箱"]);
    quit(tui);
    assert_eq!(
        status(&db),
        Status::Assigned,
        "a failure goes back to assigned"
    );

    // The guard fixes it again.
    let mut tui = hazards_session(&db, dir.path(), GUARD);
    tui.send("r");
    tui.wait_for("整改措施");
    tui.send("更换门锁并用线槽封闭线路");
    tui.send(CTRL_S);
    tui.wait_for("整改已登记");
    quit(tui);

    // The admin passes it and closes it.
    let mut tui = hazards_session(&db, dir.path(), ADMIN);
    tui.send(ENTER);
    tui.wait_for("处理经过");
    tui.wait_for("线路仍外露");
    tui.send("v");
    tui.wait_for("复查结果");
    tui.send(CTRL_S);
    tui.wait_for("复查已记录");
    tui.wait_row(&["待销号", "2号宿舍楼配电箱"]);
    tui.send("c");
    tui.wait_for("销号");
    tui.send(CTRL_S);
    tui.wait_for("已销号");
    tui.wait_for("没有符合条件的隐患");
    quit(tui);
    assert_eq!(status(&db), Status::Closed);

    // The ledger holds the row.
    let (from, to) = around_today();
    let out = dir.path().join("隐患排查台账.xlsx");
    dutydesk_as(
        &db,
        dir.path(),
        ADMIN,
        &[
            "report",
            "hazards",
            "--from",
            &from,
            "--to",
            &to,
            "--out",
            out.to_str().expect("utf-8 path"),
        ],
    );
    let rows = read_xlsx(&out);
    let row = rows
        .iter()
        .find(|r| r.iter().any(|c| c == "2号宿舍楼配电箱"))
        .expect("the hazard's row");
    assert_eq!(row[3], "用电");
    assert_eq!(row[4], "较大");
    assert_eq!(row[6], GUARD.0);
    assert_eq!(row[7], "贴警示标志");
    assert_eq!(row[8], "更换门锁并用线槽封闭线路");
    assert_eq!(row[9], "电工老刘");
    assert_eq!(row[12], ADMIN.0);
    assert_eq!(row[13], "合格");
    assert!(!row[14].is_empty(), "销号日期");
    assert!(row[15].contains("复查不合格 1 次"), "{row:?}");
    println!("e2e hazards: {:.2} s", started.elapsed().as_secs_f64());
}
