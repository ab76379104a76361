//! Station to station, end to end, with the real binary: two station
//! databases of one school (the second joined with a join file and its
//! code), a visitor registered at the gate through its TUI in a
//! pseudo-terminal (portable-pty + vt100), the gate's bundle exported and
//! imported at the dorm station, and the visitor found in the dorm
//! station's TUI with the gate named as its origin. Every wait polls the
//! emulated screen with backoff up to a deadline; nothing sleeps for a
//! fixed time.

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

const COLS: u16 = 100;
const ROWS: u16 = 30;
const TIMEOUT: Duration = Duration::from_secs(10);

const SCHOOL: &str = "青山县第一中学";
const GATE: &str = "门卫室";
const DORM: &str = "宿舍值班室";
const GATE_ADMIN: (&str, &str) = ("陈老师", "9999");
const DORM_ADMIN: (&str, &str) = ("王老师", "8888");
const VISITOR: &str = "赵六";
const PURPOSE: &str = "送作业本";

const ENTER: &str = "\r";
const ESC: &str = "\x1b";
const TAB: &str = "\t";
const DOWN: &str = "\x1b[B";
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

// ───────────────────────────── the TUI in a pty ─────────────────────────────

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

    /// Logs in as `name`: the login list may hold other stations' operators
    /// too (they travel with the events), so the row is found on screen and
    /// reached with ↓ from the first one.
    fn log_in_as(&mut self, name: &str, pin: &str, others: &[&str]) {
        self.wait_for("谁在值班");
        self.wait_for(name);
        let screen = self.screen();
        let line_of = |n: &str| screen.lines().position(|l| l.contains(n));
        let mine = line_of(name).expect("operator on the login screen");
        let above = others
            .iter()
            .filter_map(|o| line_of(o))
            .filter(|&l| l < mine)
            .count();
        for _ in 0..above {
            self.send(DOWN);
        }
        self.send(pin);
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

// ───────────────────────────── the command line ─────────────────────────────

/// Runs `dutydesk --lang zh-CN <args>` with `stdin`, and fails the test
/// with its output unless it exits 0.
fn dutydesk(dir: &Path, args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dutydesk"))
        .args(["--lang", "zh-CN"])
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run dutydesk");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out: Output = child.wait_with_output().expect("wait for dutydesk");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "dutydesk {args:?} failed ({}):\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The first "XXXX-XXXX-XXXX-XXXX" group code on the line holding `label`.
fn code_after(out: &str, label: &str) -> String {
    let line = out
        .lines()
        .find(|l| l.contains(label))
        .unwrap_or_else(|| panic!("no line with {label:?} in:\n{out}"));
    let chars: Vec<char> = line.chars().collect();
    let is_code = |w: &[char]| {
        w.iter().enumerate().all(|(i, c)| {
            if i % 5 == 4 {
                *c == '-'
            } else {
                c.is_ascii_uppercase() || c.is_ascii_digit()
            }
        })
    };
    chars
        .windows(19)
        .find(|w| is_code(w))
        .map(|w| w.iter().collect())
        .unwrap_or_else(|| panic!("no code on {line:?}"))
}

/// The number right after `label` on the first line holding it.
fn number_after(out: &str, label: &str) -> u64 {
    let at = out
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} in:\n{out}"));
    let digits: String = out[at + label.len()..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no number after {label:?} in:\n{out}"))
}

/// The number right before `label` on the first line holding it.
fn number_before(out: &str, label: &str) -> u64 {
    let at = out
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} in:\n{out}"));
    let before = out[..at].trim_end();
    let start = before.rfind(|c: char| !c.is_ascii_digit()).map_or(0, |i| {
        i + before[i..].chars().next().map_or(1, char::len_utf8)
    });
    before[start..]
        .parse()
        .unwrap_or_else(|_| panic!("no number before {label:?} in:\n{out}"))
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

#[test]
fn visitor_registered_at_the_gate_shows_at_the_dorm_with_its_origin() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a.db");
    let b = dir.path().join("b.db");
    let join = dir.path().join("join.ddjoin");
    let pin_file = dir.path().join("pin.txt");
    std::fs::write(&pin_file, format!("{}\n", GATE_ADMIN.1)).expect("pin file");

    // Station A, the gate: a new school.
    dutydesk(
        dir.path(),
        &[
            "init",
            "--db",
            path_str(&a),
            "--school",
            SCHOOL,
            "--station",
            GATE,
            "--kind",
            "gate",
            "--admin",
            GATE_ADMIN.0,
            "--pin-file",
            path_str(&pin_file),
        ],
        "",
    );

    // A makes a join file; its code and fingerprint are printed.
    let invite = dutydesk(
        dir.path(),
        &[
            "sync",
            "invite",
            "--db",
            path_str(&a),
            "--out",
            path_str(&join),
        ],
        "",
    );
    let code = code_after(&invite, "加入码");
    let fingerprint = code_after(&invite, "学校指纹");
    assert!(join.is_file(), "no join file written:\n{invite}");
    assert!(
        !std::fs::read_to_string(&join)
            .unwrap_or_default()
            .contains(&code),
        "the join code is stored in the join file"
    );

    // Station B, the dorm: joins with the file, PIN and code on stdin.
    let joined = dutydesk(
        dir.path(),
        &[
            "init",
            "--db",
            path_str(&b),
            "--join",
            path_str(&join),
            "--station",
            DORM,
            "--kind",
            "dorm",
            "--admin",
            DORM_ADMIN.0,
        ],
        &format!("{}\n{code}\n", DORM_ADMIN.1),
    );
    assert_eq!(
        code_after(&joined, "学校指纹"),
        fingerprint,
        "joining printed another fingerprint:\n{joined}"
    );

    // At the gate: register 赵六 through the TUI, see them on site, quit.
    let mut tui = Tui::start(&a, dir.path());
    tui.log_in_as(GATE_ADMIN.0, GATE_ADMIN.1, &[]);
    tui.wait_for("在校访客(0)");
    tui.send("n");
    tui.wait_for("来访事由");
    tui.send(VISITOR);
    tui.wait_until("the name in the name field", |s| s.contains(VISITOR));
    // name → phone → ID type → ID number → visitor type → host → relation → purpose
    tui.send(&TAB.repeat(7));
    tui.send(PURPOSE);
    tui.wait_for(PURPOSE);
    tui.send(CTRL_S);
    tui.wait_for("在校访客(1)");
    assert!(
        screen_row_with(&tui.screen(), &[VISITOR, PURPOSE]).is_some(),
        "{VISITOR} not on the gate's on-site list:\n{}",
        tui.screen()
    );
    tui.send("q");
    assert!(tui.wait_exit(), "the gate's dutydesk exited with an error");
    tui.assert_restored();
    drop(tui);

    // The gate's bundle, carried to the dorm.
    let out_dir = dir.path().join("usb");
    std::fs::create_dir(&out_dir).expect("bundle folder");
    let exported = dutydesk(
        dir.path(),
        &[
            "sync",
            "export",
            "--db",
            path_str(&a),
            "--out",
            path_str(&out_dir),
        ],
        "",
    );
    let sent = number_after(&exported, "已将");
    let bundles: Vec<PathBuf> = std::fs::read_dir(&out_dir)
        .expect("read bundle folder")
        .map(|e| e.expect("dir entry").path())
        .collect();
    assert_eq!(bundles.len(), 1, "one bundle file expected: {bundles:?}");
    let bundle = &bundles[0];
    assert!(
        bundle.extension().is_some_and(|x| x == "ddbundle"),
        "bundle named {bundle:?}"
    );
    assert!(sent >= 3, "the gate exported {sent} events:\n{exported}");

    let imported = dutydesk(
        dir.path(),
        &["sync", "import", "--db", path_str(&b), path_str(bundle)],
        "",
    );
    assert!(
        imported.contains(GATE),
        "the import line does not name the gate:\n{imported}"
    );
    // A fresh dorm station knows none of the gate's events.
    assert_eq!(
        number_after(&imported, "新增"),
        sent,
        "new events at the dorm:\n{imported}"
    );
    assert_eq!(
        number_after(&imported, "已有"),
        0,
        "known events:\n{imported}"
    );
    assert_eq!(
        number_before(&imported, "条待补"),
        0,
        "events waiting for earlier ones:\n{imported}"
    );

    // At the dorm: 赵六 is on site; Enter shows the gate as the origin.
    let mut tui = Tui::start(&b, dir.path());
    tui.log_in_as(DORM_ADMIN.0, DORM_ADMIN.1, &[GATE_ADMIN.0]);
    tui.wait_for("在校访客(1)");
    tui.wait_until("the visitor on the dorm's on-site list", |s| {
        screen_row_with(s, &[VISITOR, PURPOSE]).is_some()
    });
    tui.send(ENTER);
    tui.wait_until("the detail view naming the gate", |s| {
        screen_row_with(s, &["登记人", GATE]).is_some()
    });
    let detail = tui.screen();
    assert!(
        screen_row_with(&detail, &["登记人", GATE_ADMIN.0]).is_some(),
        "the detail does not name the gate's admin as registrar:\n{detail}"
    );
    tui.send(ESC);
    tui.wait_until("back on the list", |s| {
        !s.contains("登记人") && screen_row_with(s, &[VISITOR, PURPOSE]).is_some()
    });
    tui.send("q");
    assert!(tui.wait_exit(), "the dorm's dutydesk exited with an error");
    tui.assert_restored();
    drop(tui);

    // Both stations show the same school fingerprint.
    let status = dutydesk(dir.path(), &["sync", "status", "--db", path_str(&b)], "");
    assert_eq!(
        code_after(&status, "学校指纹"),
        fingerprint,
        "sync status at the dorm:\n{status}"
    );
    assert!(
        screen_row_with(&status, &[GATE]).is_some(),
        "sync status does not list the gate:\n{status}"
    );
    eprintln!(
        "e2e sync: gate → dorm in {:.1} s ({sent} events)",
        started.elapsed().as_secs_f64()
    );
}
