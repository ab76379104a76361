//! The real binary in a pseudo-terminal (portable-pty + vt100), issue 3's
//! "End to end": `dutydesk init` a dorm station, import a roster by CLI,
//! open the TUI, call a room with one absence, try to close (refused),
//! record the follow-up, close, quit.
//!
//! Run twice: as the admin (who may force a close, so `c` asks for a reason
//! instead of refusing) and as a dorm teacher (who is refused outright).
//! Every wait polls the emulated screen with backoff up to a deadline and
//! trusts it only between frames; nothing sleeps for a fixed time.

use dutydesk::domain::role::Role;
use dutydesk::domain::rollcall::Mark;
use dutydesk::domain::time::SystemClock;
use dutydesk::store::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

mod pty;

use pty::*;

const ADMIN: (&str, &str) = ("陈老师", "9999");
const TEACHER: (&str, &str) = ("李秀英", "2222");

impl Tui {
    /// ↓ to the operator's row, the PIN, Enter; then the main screen.
    fn log_in(&mut self, downs: usize, pin: &str, name: &str) {
        self.wait_for("谁在值班");
        for _ in 0..downs {
            self.send(DOWN);
        }
        self.send(pin);
        self.send(ENTER);
        self.wait_until(&format!("{name} logged in"), |s| {
            s.contains(&format!("{name}(")) && s.contains("2 住宿点名")
        });
    }
}

/// A dorm station set up by `dutydesk init` with the 12-boarder roster
/// (1号楼: rooms 305 and 306, three beds each; 2号楼) imported by CLI.
fn station(dir: &Path) -> PathBuf {
    let db = dir.join("宿舍.db");
    let pin_file = dir.join("pin.txt");
    std::fs::write(&pin_file, format!("{}\n", ADMIN.1)).expect("pin file");
    let pin_arg = pin_file.to_str().expect("utf-8 path");
    dutydesk(
        &db,
        dir,
        &[
            "init",
            "--school",
            "青山县第一中学",
            "--station",
            "1号楼值班室",
            "--kind",
            "dorm",
            "--admin",
            ADMIN.0,
            "--pin-file",
            pin_arg,
        ],
    );
    let roster = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/roster/utf8.csv");
    let out = dutydesk_as(
        &db,
        dir,
        ADMIN,
        &["roster", "import", roster.to_str().expect("utf-8 path")],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("新增 12 人"), "import summary:\n{text}");
    db
}

/// `dutydesk init` makes only the admin; the dorm teacher is added the way
/// the station screen would, through the store.
fn add_teacher(db: &Path) -> usize {
    let mut store = Store::open(db, Arc::new(SystemClock)).expect("open station");
    let admin = store
        .operators()
        .expect("operators")
        .into_iter()
        .find(|o| o.name == ADMIN.0)
        .expect("the admin")
        .actor();
    store
        .add_operator(&admin, TEACHER.0, Role::DormTeacher, TEACHER.1)
        .expect("add teacher");
    let ops: Vec<_> = store
        .operators()
        .expect("operators")
        .into_iter()
        .filter(|o| o.active)
        .collect();
    ops.iter()
        .position(|o| o.name == TEACHER.0)
        .expect("teacher on the login screen")
}

fn call_a_room_with_one_absence(as_teacher: bool) {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = station(dir.path());
    let (downs, (name, pin)) = if as_teacher {
        (add_teacher(&db), TEACHER)
    } else {
        (0, ADMIN)
    };

    let mut tui = Tui::start(&db, dir.path());
    tui.log_in(downs, pin, name);
    tui.send("2");
    tui.wait_for("今晚本楼还没有点名");
    tui.wait_row(&["1号楼", "还没有点名"]);
    tui.send("n");
    tui.wait_for("开始点名");
    tui.send(ENTER);
    tui.wait_row(&["就寝点名", "进行中", "已点 0/6"]);

    // Room 305: bed 2 (李俊杰) is not there; the rest of the room is.
    tui.send("3052");
    tui.wait_for("→ 3052");
    tui.send("a");
    tui.wait_row(&["已点 1/6", "缺 1"]);
    tui.wait_row(&["305-2", "李俊杰", "缺"]);
    tui.send("r");
    tui.wait_for("已将 2 人标为在");
    tui.wait_row(&["已点 3/6", "在 2"]);
    // The rest of the floor (room 306): only the absence is left.
    tui.send("f");
    tui.wait_for("已将 3 人标为在");
    tui.wait_row(&["已点 6/6", "在 5", "缺 1"]);

    // Close: refused while 李俊杰 is unaccounted.
    tui.send("c");
    if as_teacher {
        tui.wait_for("不能结束：还有 1 人去向不明");
    } else {
        // An admin may force it, so the refusal asks for a reason; Esc.
        tui.wait_for("有人去向不明时结束");
        tui.wait_for("还有 1 名住宿生去向不明");
        tui.send(ESC);
        tui.wait_until("the force-close dialog gone", |s| {
            !s.contains("有人去向不明时结束")
        });
        tui.send("3052");
        tui.wait_for("→ 3052");
    }
    tui.wait_row(&["进行中", "已点 6/6"]);

    // The follow-up: Enter on 李俊杰, the finding, found on campus, Ctrl+S.
    tui.send(ENTER);
    tui.wait_for("缺勤跟进：李俊杰");
    tui.send("在三楼水房洗衣服，已回寝室");
    tui.wait_for("在三楼水房洗衣服，已回寝室");
    tui.send(TAB);
    tui.send(RIGHT);
    tui.wait_row(&["找到学生", "◀ 已找到，在校内 ▶"]);
    tui.send(CTRL_S);
    tui.wait_for("已找到 李俊杰，已记录");
    tui.wait_row(&["305-2", "李俊杰", "缺→已找到"]);

    tui.send("c");
    tui.wait_for("本轮已结束：人员全部清楚");
    tui.wait_row(&["就寝点名", "已结束", "已点 6/6"]);
    tui.send("q");
    assert!(tui.wait_exit(), "dutydesk exited with an error");
    tui.assert_restored();
    drop(tui);

    // On record: the round closed unforced, the absence and its follow-up.
    let store = Store::open(&db, Arc::new(SystemClock)).expect("reopen");
    let round = store
        .open_round("1号楼")
        .expect("query")
        .map(|r| r.id)
        .into_iter()
        .next();
    assert!(round.is_none(), "no round left open");
    let night = store
        .rounds_between("2000-01-01", "2999-12-31")
        .expect("rounds");
    assert_eq!(night.len(), 1);
    let r = &night[0];
    assert!(r.closed_ms.is_some() && r.forced_reason.is_none());
    let sheet = store.round_sheet(&r.id).expect("sheet");
    let absent: Vec<_> = sheet
        .iter()
        .filter(|s| s.mark == Some(Mark::Absent))
        .collect();
    assert_eq!(absent.len(), 1);
    assert_eq!(absent[0].student.data.name, "李俊杰");
    assert!(absent[0].found);
    let f = store
        .followups(&r.id, &absent[0].student.id)
        .expect("followups");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].finding, "在三楼水房洗衣服，已回寝室");
    assert_eq!(f[0].by, name);
    assert!(f[0].found_at.is_some());
    println!(
        "e2e roll-call as {name}: {:.2} s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn admin_calls_a_room_with_one_absence() {
    call_a_room_with_one_absence(false);
}

#[test]
fn dorm_teacher_is_refused_then_follows_up_and_closes() {
    call_a_room_with_one_absence(true);
}
