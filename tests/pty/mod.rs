//! The real binary in a pseudo-terminal (portable-pty + vt100), shared by
//! the end-to-end tests. Every wait polls the emulated screen with backoff
//! up to a deadline; nothing sleeps for a fixed time.
#![allow(dead_code)]

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

pub const COLS: u16 = 100;
pub const ROWS: u16 = 30;
/// The longest any one wait may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(15);

pub const ENTER: &str = "\r";
pub const ESC: &str = "\x1b";
pub const TAB: &str = "\t";
pub const DOWN: &str = "\x1b[B";
pub const RIGHT: &str = "\x1b[C";
pub const CTRL_S: &str = "\x13";
mod steps;
#[allow(unused_imports)]
pub use steps::*;

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
pub struct Tui {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    rx: Receiver<Vec<u8>>,
    parser: vt100::Parser,
    /// Everything the program wrote, for escape sequences.
    raw: Vec<u8>,
    eof: bool,
}

impl Tui {
    pub fn start(db: &Path, dir: &Path) -> Tui {
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

    pub fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).expect("write to pty");
        self.writer.flush().expect("flush pty");
    }

    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Takes what has arrived, waiting at most `wait` for the first chunk.
    pub fn pump(&mut self, wait: Duration) {
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
    pub fn wait_until(&mut self, what: &str, ok: impl Fn(&str) -> bool) {
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

    pub fn wait_for(&mut self, text: &str) {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text));
    }

    /// Waits for one screen row holding every one of `all`.
    pub fn wait_row(&mut self, all: &[&str]) {
        self.wait_until(&format!("one row with {all:?}"), |s| {
            screen_row_with(s, all).is_some()
        });
    }

    /// Waits for the process to end (reading its last output) and returns
    /// whether it exited 0.
    pub fn wait_exit(&mut self) -> bool {
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
    pub fn assert_restored(&self) {
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
}

impl Drop for Tui {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The first screen row holding every one of `all`.
pub fn screen_row_with(screen: &str, all: &[&str]) -> Option<String> {
    screen
        .lines()
        .find(|l| all.iter().all(|t| l.contains(t)))
        .map(str::to_string)
}

/// Runs the real binary in zh-CN on `db` (not in a terminal); it must
/// succeed.
pub fn dutydesk(db: &Path, home: &Path, args: &[&str]) -> std::process::Output {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dutydesk"))
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

/// `dutydesk` as an operator: `--as NAME` with the PIN in a file in `home`.
#[allow(dead_code)]
pub fn dutydesk_as(
    db: &Path,
    home: &Path,
    who: (&str, &str),
    args: &[&str],
) -> std::process::Output {
    let pin_file = home.join("as-pin.txt");
    std::fs::write(&pin_file, format!("{}\n", who.1)).expect("pin file");
    let pin_arg = pin_file.to_str().expect("utf-8 path");
    let mut all = args.to_vec();
    all.extend(["--as", who.0, "--pin-file", pin_arg]);
    dutydesk(db, home, &all)
}

/// A gate station of the test school by `dutydesk init`, its first admin
/// (name, PIN) given.
pub fn init_gate(db: &Path, dir: &Path, admin: (&str, &str)) {
    let pin_file = dir.join("pin.txt");
    std::fs::write(&pin_file, format!("{}\n", admin.1)).expect("pin file");
    dutydesk(
        db,
        dir,
        &[
            "init",
            "--school",
            "青山县第一中学",
            "--station",
            "南门门卫室",
            "--kind",
            "gate",
            "--admin",
            admin.0,
            "--pin-file",
            pin_file.to_str().expect("utf-8 path"),
        ],
    );
}
