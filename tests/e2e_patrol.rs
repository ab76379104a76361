//! The real binary in a pseudo-terminal (portable-pty + vt100), issue 11's
//! "End to end" for the patrol half: a gate station with four checkpoints
//! on one route; the guard walks a round, two codes typed as a scanner
//! types them (the text, then Enter), one finding with a failed item and a
//! note, one checkpoint not reached; closing asks for the reason; then
//! `dutydesk report patrol` holds every line. Every wait polls the emulated
//! screen with backoff; nothing sleeps for a fixed time.

use dutydesk::domain::role::Role;
use std::path::{Path, PathBuf};

mod pty;

use pty::*;

const ADMIN: (&str, &str) = ("陈老师", "9999");
const GUARD: (&str, &str) = ("张建国", "1111");
const CTRL_F: &str = "\x06";
const CTRL_E: &str = "\x05";

/// `dutydesk init` a gate station with the guard, four checkpoints and the
/// route over them.
fn station(dir: &Path) -> PathBuf {
    let db = dir.join("门卫室.db");
    init_gate(&db, dir, ADMIN);
    add_operators(&db, &[(GUARD.0, Role::Guard, GUARD.1)]);
    patrol_route(
        &db,
        &[
            ("锅炉房", "后勤楼", "B1-01", &["门已上锁"]),
            ("配电房", "后勤楼", "B1-02", &["配电箱关闭"]),
            (
                "男生宿舍一楼",
                "宿舍1号楼",
                "D1-01",
                &["无违章电器", "安全出口畅通"],
            ),
            ("北门", "校门", "G-02", &["大门已上锁"]),
        ],
    );
    db
}

#[test]
fn a_guard_walks_a_round_with_a_scanner_and_closes_with_a_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = station(dir.path());
    let mut tui = login(&db, dir.path(), GUARD);
    tui.send("3");
    tui.wait_row(&["夜间巡查"]);
    // An unscheduled round (whatever the hour the test runs at).
    tui.send("n");
    tui.wait_for("已开始巡查：夜间巡查");
    tui.wait_row(&["B1-01", "锅炉房", "未到"]);

    // A scanner: the code's characters, then Enter. Nothing else.
    tui.send("B1-01\r");
    tui.wait_for("锅炉房：正常");
    tui.wait_row(&["B1-01", "锅炉房", "正常"]);
    tui.send("b1-02\r");
    tui.wait_for("配电房：正常");
    tui.wait_row(&["已巡 2/4"]);

    // A finding at the next checkpoint: the failed item ticked, a note.
    tui.send(DOWN);
    tui.send(CTRL_F);
    tui.wait_for("男生宿舍一楼：登记问题");
    tui.send(" ");
    tui.wait_for("[×] 无违章电器");
    tui.send(TAB);
    tui.send("308室有热得快，已没收");
    tui.wait_for("308室有热得快，已没收");
    tui.send(CTRL_S);
    tui.wait_for("男生宿舍一楼：已登记问题");
    tui.wait_row(&["D1-01", "有问题", "无违章电器"]);

    // 北门 was not reached: closing asks why.
    tui.send(CTRL_E);
    tui.wait_for("还有 1 个巡查点没到");
    tui.send(ENTER);
    tui.wait_for("必须填写原因");
    tui.send("北门钥匙在值班领导处");
    tui.send(ENTER);
    tui.wait_for("本轮巡查已结束");
    tui.wait_row(&["已巡 3/4", "漏巡 1", "已结束"]);
    tui.send("q");
    assert!(tui.wait_exit(), "dutydesk exited with an error");
    tui.assert_restored();
    drop(tui);

    // The patrol record holds each line.
    let today = chrono::Local::now().date_naive();
    let from = (today - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let to = today.format("%Y-%m-%d").to_string();
    let out = dir.path().join("巡查记录.csv");
    dutydesk_as(
        &db,
        dir.path(),
        ADMIN,
        &[
            "report",
            "patrol",
            "--from",
            &from,
            "--to",
            &to,
            "--out",
            out.to_str().expect("utf-8 path"),
        ],
    );
    let text = std::fs::read_to_string(&out).expect("the record");
    for want in [
        "锅炉房",
        "配电房",
        "无违章电器：308室有热得快，已没收",
        "北门",
        "漏巡",
        "北门钥匙在值班领导处",
        "张建国",
    ] {
        assert!(text.contains(want), "{want} missing:\n{text}");
    }
}
