//! The whole loop of issue 11 in a pseudo-terminal, the real binary each
//! time: a guard starts tonight's round, checks in a checkpoint by typing
//! its code and Enter as a scanner does, records a finding with a failed
//! checklist item and reports it as a hazard with Ctrl+R, saving the
//! prefilled form; the duty leader assigns it; the assignee fixes it; the
//! duty leader fails the verification; the assignee fixes it again; the
//! admin — a third operator, not the one who fixed it — passes it and closes
//! it. Then `report hazards` and `report patrol` hold the rows.

use dutydesk::domain::role::Role;
use std::path::{Path, PathBuf};
use std::time::Instant;

mod pty;

use pty::*;

const ADMIN: (&str, &str) = ("陈老师", "9999");
const GUARD: (&str, &str) = ("张建国", "1111");
const LEADER: (&str, &str) = ("刘主任", "3333");
const FIXER: (&str, &str) = ("王师傅", "4444");
const CTRL_F: &str = "\x06";
const CTRL_E: &str = "\x05";
const CTRL_R: &str = "\x12";

fn station(dir: &Path) -> PathBuf {
    let db = dir.join("门卫室.db");
    init_gate(&db, dir, ADMIN);
    add_operators(
        &db,
        &[
            (GUARD.0, Role::Guard, GUARD.1),
            (LEADER.0, Role::DutyLeader, LEADER.1),
            (FIXER.0, Role::Guard, FIXER.1),
        ],
    );
    patrol_route(
        &db,
        &[
            ("锅炉房", "后勤楼", "B1-01", &["门已上锁"]),
            (
                "男生宿舍一楼",
                "宿舍1号楼",
                "D1-01",
                &["无违章电器", "安全出口畅通"],
            ),
        ],
    );
    db
}

#[test]
fn round_finding_hazard_assign_fix_fail_fix_pass_close_then_both_ledgers() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = station(dir.path());

    // The guard walks tonight's round.
    let mut tui = login(&db, dir.path(), GUARD);
    tui.send("3");
    tui.wait_row(&["夜间巡查"]);
    tui.send("n");
    tui.wait_for("已开始巡查：夜间巡查");
    tui.wait_row(&["B1-01", "锅炉房", "未到"]);
    // The scanner: the code, then Enter.
    tui.send("B1-01\r");
    tui.wait_for("锅炉房：正常");
    tui.wait_row(&["B1-01", "锅炉房", "正常"]);
    // A finding at the dorm: the failed item ticked and a note.
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
    // One key: the hazard form, prefilled from the finding; one more saves.
    tui.send(CTRL_R);
    tui.wait_for("登记隐患");
    tui.wait_for("男生宿舍一楼");
    tui.send(CTRL_S);
    tui.wait_for("隐患已登记");
    tui.wait_row(&["已登记", "宿舍1号楼"]);
    // Back in the round: every checkpoint walked, closed.
    tui.send("3");
    tui.wait_for("已转隐患");
    tui.send(CTRL_E);
    tui.wait_for("所有巡查点都已签到");
    tui.send(ENTER);
    tui.wait_for("本轮巡查已结束");
    quit(tui);

    // The duty leader assigns it to the electrician.
    let mut tui = hazards_session(&db, dir.path(), LEADER);
    tui.wait_row(&["已登记", "宿舍1号楼"]);
    tui.send("a");
    tui.wait_for("指派整改");
    tui.send(FIXER.0);
    tui.send(CTRL_S);
    tui.wait_for("已指派整改");
    tui.wait_row(&["整改中", "宿舍1号楼", FIXER.0]);
    quit(tui);

    // The assignee records the fix.
    let mut tui = hazards_session(&db, dir.path(), FIXER);
    tui.send("r");
    tui.wait_for("整改措施");
    tui.send("没收热得快，宿舍检查");
    tui.send(CTRL_S);
    tui.wait_for("整改已登记，等待他人复查");
    quit(tui);

    // The duty leader fails it, with the reason.
    let mut tui = hazards_session(&db, dir.path(), LEADER);
    tui.send("v");
    tui.wait_for("复查结果");
    tui.send(RIGHT);
    tui.wait_row(&["复查结果", "◀ 复查不合格 ▶"]);
    tui.send(TAB);
    tui.send("同层还有违章电器");
    tui.send(CTRL_S);
    tui.wait_for("复查已记录");
    tui.wait_row(&["整改中", "宿舍1号楼"]);
    quit(tui);

    // The assignee fixes it again.
    let mut tui = hazards_session(&db, dir.path(), FIXER);
    tui.send("r");
    tui.wait_for("整改措施");
    tui.send("全楼层清查违章电器");
    tui.send(CTRL_S);
    tui.wait_for("整改已登记");
    quit(tui);

    // The admin, who fixed nothing, passes it and closes it.
    let mut tui = hazards_session(&db, dir.path(), ADMIN);
    tui.send("v");
    tui.wait_for("复查结果");
    tui.send(CTRL_S);
    tui.wait_for("复查已记录");
    tui.wait_row(&["待销号", "宿舍1号楼"]);
    tui.send("c");
    tui.wait_for("销号");
    tui.send(CTRL_S);
    tui.wait_for("已销号");
    quit(tui);

    // The hazard ledger: the finding's place, the finder, the fixer, the
    // verifier, the failure noted.
    let (from, to) = around_today();
    let out = dir.path().join("x.xlsx");
    let out_s = out.to_str().expect("utf-8 path");
    dutydesk_as(
        &db,
        dir.path(),
        ADMIN,
        &[
            "report", "hazards", "--from", &from, "--to", &to, "--out", out_s,
        ],
    );
    let rows = read_xlsx(&out);
    let row = rows
        .iter()
        .find(|r| r.iter().any(|c| c.contains("男生宿舍一楼")))
        .expect("the hazard's row");
    assert!(row[2].contains("男生宿舍一楼"), "{row:?}");
    assert!(row[5].contains("无违章电器"), "{row:?}");
    assert_eq!(row[6], GUARD.0);
    assert_eq!(row[8], "全楼层清查违章电器");
    assert_eq!(row[9], FIXER.0);
    assert_eq!(row[12], ADMIN.0);
    assert_eq!(row[13], "合格");
    assert!(!row[14].is_empty(), "销号日期");
    assert!(row[15].contains("复查不合格 1 次"), "{row:?}");

    // The patrol record: the round, the check-in and the finding.
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
        "夜间巡查",
        "锅炉房",
        "男生宿舍一楼",
        "无违章电器：308室有热得快，已没收",
        GUARD.0,
    ] {
        assert!(text.contains(want), "{want} missing:\n{text}");
    }
    println!("e2e loop: {:.2} s", started.elapsed().as_secs_f64());
}
