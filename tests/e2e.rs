//! The real binary in a pseudo-terminal (portable-pty + vt100): register a
//! visitor, sign them out, quit; start again and find the visit in history
//! by pinyin initials. Every wait polls the emulated screen with backoff up
//! to a deadline; nothing sleeps for a fixed time.

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

const COLS: u16 = 100;
const ROWS: u16 = 30;
const TIMEOUT: Duration = Duration::from_secs(10);
const PIN: &str = "9999";

const ENTER: &str = "\r";
const TAB: &str = "\t";
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

    fn log_in(&mut self) {
        self.wait_for("谁在值班");
        self.send(PIN);
        self.send(ENTER);
        self.wait_for("在校访客(");
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
