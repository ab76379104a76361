//! Station to station, end to end, with the real binary: two station
//! databases of one school (the second joined with a join file and its
//! code), a visitor registered at the gate through its TUI in a
//! pseudo-terminal (portable-pty + vt100), the gate's bundle exported and
//! imported at the dorm station, and the visitor found in the dorm
//! station's TUI with the gate named as its origin. Every wait polls the
//! emulated screen with backoff up to a deadline; nothing sleeps for a
//! fixed time.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

mod pty;

use pty::*;

const SCHOOL: &str = "青山县第一中学";
const GATE: &str = "门卫室";
const DORM: &str = "宿舍值班室";
const GATE_ADMIN: (&str, &str) = ("陈老师", "9999");
const DORM_ADMIN: (&str, &str) = ("王老师", "8888");
const VISITOR: &str = "赵六";
const PURPOSE: &str = "送作业本";

impl Tui {
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
            "--as",
            GATE_ADMIN.0,
        ],
        &format!("{}\n", GATE_ADMIN.1),
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
    // The dorm joined with the gate's log as it was at the invite; the
    // rest of the bundle is new there.
    let known = number_after(&imported, "已有");
    assert!(
        known > 0,
        "the join brought the gate's first events:\n{imported}"
    );
    assert_eq!(
        number_after(&imported, "新增") + known,
        sent,
        "new events at the dorm:\n{imported}"
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
