//! The real binary in a pseudo-terminal (portable-pty + vt100): register a
//! visitor, sign them out, quit; start again and find the visit in history
//! by pinyin initials. Every wait polls the emulated screen with backoff up
//! to a deadline; nothing sleeps for a fixed time.

mod pty;

use pty::*;
use std::process::Command;

const PIN: &str = "9999";

impl Tui {
    fn log_in(&mut self) {
        self.wait_for("谁在值班");
        self.send(PIN);
        self.send(ENTER);
        self.wait_for("在校访客(");
    }
}

#[test]
fn register_sign_out_and_find_in_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    let pin_file = dir.path().join("pin.txt");
    std::fs::write(&pin_file, format!("{PIN}\n")).expect("pin file");
    let init = Command::new(env!("CARGO_BIN_EXE_dutydesk"))
        .args(["--lang", "zh-CN", "--db"])
        .arg(&db)
        .args([
            "init",
            "--school",
            "青山县第一中学",
            "--station",
            "南门门卫室",
            "--kind",
            "gate",
        ])
        .args(["--admin", "陈老师", "--pin-file"])
        .arg(&pin_file)
        .env("HOME", dir.path())
        .output()
        .expect("run dutydesk init");
    assert!(
        init.status.success(),
        "init failed: {}",
        String::from_utf8_lossy(&init.stderr)
    );

    // First run: register 王五, see them on site, sign them out, quit.
    let mut tui = Tui::start(&db, dir.path());
    tui.log_in();
    tui.wait_for("在校访客(0)");
    tui.send("n");
    tui.wait_for("来访事由");
    tui.send("王五");
    tui.wait_until("王五 in the name field", |s| s.contains("王五"));
    // name → phone → ID type → ID number → visitor type → host → relation → purpose
    tui.send(&TAB.repeat(7));
    tui.send("送衣物");
    tui.wait_for("送衣物");
    tui.send(CTRL_S);
    tui.wait_for("在校访客(1)");
    let row = screen_row_with(&tui.screen(), &["王五", "送衣物"]);
    assert!(row.is_some(), "王五 on the on-site list:\n{}", tui.screen());
    tui.send("o");
    tui.wait_for("办理签离");
    tui.send(ENTER);
    tui.wait_for("在校访客(0)");
    tui.wait_for("目前没有访客在校");
    assert!(
        screen_row_with(&tui.screen(), &["王五", "送衣物"]).is_none(),
        "王五 still listed on site:\n{}",
        tui.screen()
    );
    tui.send("q");
    assert!(tui.wait_exit(), "dutydesk exited with an error");
    tui.assert_restored();
    drop(tui);

    // Second run: the visit is in history, found by pinyin initials.
    let mut tui = Tui::start(&db, dir.path());
    tui.log_in();
    tui.send(TAB);
    tui.wait_for("搜索：");
    tui.send("/");
    tui.send("ww");
    tui.wait_until("ww in the search box", |s| {
        screen_row_with(s, &["搜索：", "ww"]).is_some()
    });
    tui.wait_until("王五 … 已离校 on one row", |s| {
        screen_row_with(s, &["王五", "已离校"]).is_some()
    });
    tui.send(ENTER);
    tui.send("q");
    assert!(tui.wait_exit(), "dutydesk exited with an error");
    tui.assert_restored();
}
