//! A shift handover in a pseudo-terminal, the real binary each time: the
//! outgoing guard logs what happened in the shift log, writes the note and
//! signs the shift over with their PIN;
//! the incoming guard logs in, is told on the status bar, steps through
//! every section and accepts with their PIN; the duty leader countersigns.
//! Then `report handover` and `report duty` hold the shift with its three
//! signatures.

use dutydesk::domain::role::Role;
use std::path::{Path, PathBuf};

mod pty;

use pty::*;

const ADMIN: (&str, &str) = ("陈老师", "9999");
const OUTGOING: (&str, &str) = ("张建国", "1111");
const INCOMING: (&str, &str) = ("刘师傅", "2222");
const LEADER: (&str, &str) = ("李主任", "3333");
const BACKTAB: &str = "\x1b[Z";

fn station(dir: &Path) -> PathBuf {
    let db = dir.join("门卫室.db");
    init_gate(&db, dir, ADMIN);
    add_operators(
        &db,
        &[
            (OUTGOING.0, Role::Guard, OUTGOING.1),
            (INCOMING.0, Role::Guard, INCOMING.1),
            (LEADER.0, Role::DutyLeader, LEADER.1),
        ],
    );
    db
}

fn duty_session(db: &Path, dir: &Path, who: (&str, &str)) -> Tui {
    let mut tui = login(db, dir, who);
    tui.send("5");
    tui.wait_for("七、交代事项");
    tui
}

#[test]
fn sign_over_accept_every_section_countersign_then_both_ledgers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = station(dir.path());

    // The outgoing guard writes what happened into the shift log…
    let mut tui = duty_session(&db, dir.path(), OUTGOING);
    tui.send(TAB);
    tui.wait_for("值班记录");
    tui.send("n");
    tui.wait_for("事由经过");
    tui.send(TAB);
    tui.send(TAB);
    tui.send("三号楼走廊灯不亮，已报电工");
    tui.send(CTRL_S);
    tui.wait_for("已记入值班记录");
    // …then, back on the sheet, the note, and `s`, the PIN, Enter.
    tui.send(BACKTAB);
    tui.wait_for("七、交代事项");
    tui.send("w");
    tui.wait_for("下一班要注意什么");
    tui.send("东侧消防门锁坏了，已报后勤");
    tui.send(ENTER);
    tui.wait_for("东侧消防门锁坏了");
    tui.send("s");
    tui.wait_for("请输入您的 PIN");
    tui.send(OUTGOING.1);
    tui.send(ENTER);
    tui.wait_for("已交班签字");
    quit(tui);

    // The incoming guard is told on every screen until they accept.
    let mut tui = login(&db, dir.path(), INCOMING);
    tui.wait_for("交接待接班");
    tui.send("5");
    tui.wait_for("待您接班");
    tui.send("a");
    tui.wait_for("第 1/7 项");
    for k in 2..=7 {
        tui.send(" ");
        tui.wait_for(&format!("第 {k}/7 项"));
    }
    tui.send(" ");
    tui.wait_for("请输入您的 PIN");
    tui.send(INCOMING.1);
    tui.send(ENTER);
    tui.wait_for("已接班");
    tui.wait_until("the status bar stops nagging", |s| {
        !s.contains("交接待接班")
    });
    quit(tui);

    // The duty leader countersigns.
    let mut tui = duty_session(&db, dir.path(), LEADER);
    tui.wait_for("待带班领导签核");
    tui.send("c");
    tui.wait_for("请输入您的 PIN");
    tui.send(LEADER.1);
    tui.send(ENTER);
    tui.wait_for("已签核");
    quit(tui);

    // The handover record and the month's duty record hold the shift.
    let (from, to) = around_today();
    let out = dir.path().join("交接班.xlsx");
    let o = dutydesk_as(
        &db,
        dir.path(),
        ADMIN,
        &[
            "report",
            "handover",
            "--from",
            &from,
            "--to",
            &to,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = read_xlsx(&out);
    let signed = rows
        .iter()
        .find(|r| r.iter().any(|c| c.starts_with(OUTGOING.0)))
        .expect("the shift's first line names the outgoing guard");
    assert!(
        signed.iter().any(|c| c.starts_with(INCOMING.0)),
        "{signed:?}"
    );
    assert!(signed.iter().any(|c| c.starts_with(LEADER.0)), "{signed:?}");
    assert!(
        rows.iter()
            .flatten()
            .any(|c| c.contains("东侧消防门锁坏了"))
    );
    let date = signed
        .iter()
        .find_map(|c| c.get(..10).filter(|d| d.starts_with("20") && d.len() == 10))
        .expect("the shift's date")
        .to_string();
    // The month's duty record, and the next month's (a shift log entry
    // written at handover just after the month's last shift ended is in it).
    let duty_rows = |month: &str| {
        let out = dir.path().join(format!("值日-{month}.xlsx"));
        let o = dutydesk_as(
            &db,
            dir.path(),
            ADMIN,
            &[
                "report",
                "duty",
                "--month",
                month,
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        // Shift rows only: they start with their number and date.
        read_xlsx(&out)
            .into_iter()
            .filter(|r| {
                r.get(1)
                    .is_some_and(|d| d.starts_with("20") && d.len() == 10)
            })
            .collect::<Vec<_>>()
    };
    let first = chrono::NaiveDate::parse_from_str(&format!("{}-01", &date[..7]), "%Y-%m-%d")
        .expect("the shift's month");
    let next = first + chrono::Months::new(1);
    let mut rows = duty_rows(&date[..7]);
    rows.extend(duty_rows(&next.format("%Y-%m").to_string()));
    let signed_at = rows
        .iter()
        .position(|r| r.iter().any(|c| c.starts_with(OUTGOING.0)) && r.contains(&date))
        .expect("the duty record has the shift");
    let row = &rows[signed_at];
    assert!(row.iter().any(|c| c.starts_with(INCOMING.0)), "{row:?}");
    assert!(row.iter().any(|c| c.starts_with(LEADER.0)), "{row:?}");
    // What happened is the shift log, in the row of the shift its time
    // falls in: the signed shift's, or, when it was written during the
    // handover just after that shift ended (the test runs at any hour), the
    // next shift's row.
    let logged = rows
        .iter()
        .position(|r| r.iter().any(|c| c.contains("三号楼走廊灯不亮")))
        .unwrap_or_else(|| panic!("the shift log entry is in the duty record: {rows:?}"));
    assert!(
        logged == signed_at || logged == signed_at + 1,
        "the entry is in the signed shift's row or the next: {rows:?}"
    );
}
