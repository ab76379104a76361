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
use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

const COLS: u16 = 100;
const ROWS: u16 = 30;
const TIMEOUT: Duration = Duration::from_secs(15);
const ADMIN: (&str, &str) = ("陈老师", "9999");
const TEACHER: (&str, &str) = ("李秀英", "2222");

const ENTER: &str = "\r";
const TAB: &str = "\t";
const ESC: &str = "\x1b";
const RIGHT: &str = "\x1b[C";
const CTRL_S: &str = "\x13";
const LEAVE_ALT_SCREEN: &[u8] = b"\x1b[?1049l";
const ENTER_ALT_SCREEN: &[u8] = b"\x1b[?1049h";
/// The app wraps each frame in a synchronized update; between these two the
/// emulated screen is half drawn.
const FRAME_BEGIN: &[u8] = b"\x1b[?2026h";
const FRAME_END: &[u8] = b"\x1b[?2026l";

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// One run of the TUI in a pty, with a vt100 emulator fed from its output.
struct Tui {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    rx: Receiver<Vec<u8>>,
    parser: vt100::Parser,
    /// Everything the program wrote, for escape sequences.
    raw: Vec<u8>,
    eof: bool,
}

impl Tui {
    fn start(db: &Path, dir: &Path) -> Tui {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_dutydesk"));
        cmd.args(["--lang", "zh-CN", "--db"]);
        cmd.arg(db);
        cmd.cwd(dir);
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", dir);
        let child = pty.slave.spawn_command(cmd).expect("spawn dutydesk");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let writer = pty.master.take_writer().expect("pty writer");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            // Keeps the master open until the child is gone.
            let _master = pty.master;
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.send(buf[..n].to_vec()).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Tui {
            child,
            writer,
            rx,
            parser: vt100::Parser::new(ROWS, COLS, 0),
            raw: vec![],
            eof: false,
        }
    }

    fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).expect("write to pty");
        self.writer.flush().expect("flush pty");
    }

    fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Takes what has arrived, waiting at most `wait` for the first chunk.
    fn pump(&mut self, wait: Duration) {
        match self.rx.recv_timeout(wait) {
            Ok(bytes) => self.feed(bytes),
            Err(RecvTimeoutError::Timeout) => return,
            Err(RecvTimeoutError::Disconnected) => {
                self.eof = true;
                return;
            }
        }
        while let Ok(bytes) = self.rx.try_recv() {
            self.feed(bytes);
        }
    }

    fn feed(&mut self, bytes: Vec<u8>) {
        self.parser.process(&bytes);
        self.raw.extend_from_slice(&bytes);
    }

    /// True while a frame has begun and not yet ended.
    fn mid_frame(&self) -> bool {
        match (rfind(&self.raw, FRAME_BEGIN), rfind(&self.raw, FRAME_END)) {
            (Some(b), Some(e)) => b > e,
            (Some(_), None) => true,
            _ => false,
        }
    }

    /// Polls with backoff until a whole frame is on screen and satisfies
    /// `ok`, or fails the test with the screen as it was.
    fn wait_until(&mut self, what: &str, ok: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        let mut backoff = Duration::from_millis(5);
        loop {
            if !self.mid_frame() && ok(&self.screen()) {
                return;
            }
            let now = Instant::now();
            if now >= deadline || self.eof {
                panic!("timed out waiting for {what}; screen:\n{}", self.screen());
            }
            self.pump(backoff.min(deadline - now));
            backoff = (backoff * 2).min(Duration::from_millis(250));
        }
    }

    fn wait_for(&mut self, text: &str) {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text));
    }

    /// Waits for one screen row holding every one of `all`.
    fn wait_row(&mut self, all: &[&str]) {
        self.wait_until(&format!("one row with {all:?}"), |s| {
            screen_row_with(s, all).is_some()
        });
    }

    /// Waits for the process to end (reading its last output) and returns
    /// whether it exited 0.
    fn wait_exit(&mut self) -> bool {
        let deadline = Instant::now() + TIMEOUT;
        let mut backoff = Duration::from_millis(5);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            let now = Instant::now();
            assert!(
                now < deadline,
                "dutydesk did not exit; screen:\n{}",
                self.screen()
            );
            // Keep draining output so the child never blocks on a full pty.
            self.pump(backoff.min(deadline - now));
            backoff = (backoff * 2).min(Duration::from_millis(250));
        };
        // Read what it wrote last (restoring the terminal) until EOF.
        while !self.eof && Instant::now() < deadline {
            self.pump(Duration::from_millis(100));
        }
        status.success()
    }

    /// The last thing done to the alternate screen was leaving it.
    fn assert_restored(&self) {
        let entered =
            rfind(&self.raw, ENTER_ALT_SCREEN).expect("the TUI used the alternate screen");
        let left = rfind(&self.raw, LEAVE_ALT_SCREEN);
        assert!(
            left.is_some_and(|l| l > entered),
            "the alternate screen was not left on exit (ESC[?1049l missing)"
        );
        assert!(
            !self.parser.screen().alternate_screen(),
            "vt100 still on the alternate screen"
        );
    }

    /// ↓ to the operator's row, the PIN, Enter; then the main screen.
    fn log_in(&mut self, downs: usize, pin: &str, name: &str) {
        self.wait_for("谁在值班");
        for _ in 0..downs {
            self.send("\x1b[B");
        }
        self.send(pin);
        self.send(ENTER);
        self.wait_until(&format!("{name} logged in"), |s| {
            s.contains(&format!("{name}(")) && s.contains("2 住宿点名")
        });
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn screen_row_with(screen: &str, all: &[&str]) -> Option<String> {
    screen
        .lines()
        .find(|l| all.iter().all(|t| l.contains(t)))
        .map(str::to_string)
}

fn dutydesk(db: &Path, home: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_dutydesk"))
        .args(["--lang", "zh-CN", "--db"])
        .arg(db)
        .args(args)
        .env("HOME", home)
        .output()
        .expect("run dutydesk");
    assert!(
        out.status.success(),
        "dutydesk {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
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
    let out = dutydesk(
        &db,
        dir,
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

    // The follow-up: Enter on 李俊杰, the finding, found = yes, Ctrl+S.
    tui.send(ENTER);
    tui.wait_for("缺勤跟进：李俊杰");
    tui.send("在三楼水房洗衣服，已回寝室");
    tui.wait_for("在三楼水房洗衣服，已回寝室");
    tui.send(TAB);
    tui.send(RIGHT);
    tui.wait_row(&["是否已找到", "◀ 是 ▶"]);
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
