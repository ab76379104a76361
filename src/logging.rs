//! The log file: what happened, for a support question or after a crash.
//!
//! Daily files `dutydesk.log.YYYY-MM-DD` (UTC date), kept 14 days. Every
//! line passes through [`redact`] before it reaches the disk, so resident ID
//! numbers and mobile numbers never do. Nothing is ever logged to the
//! screen: the TUI owns it.

use crate::i18n::trf;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Days a log file is kept, today's included.
pub const KEEP_DAYS: i64 = 14;

/// File names are `PREFIX.YYYY-MM-DD`.
pub const PREFIX: &str = "dutydesk.log";

/// Overrides the folder the log goes to (a support technician's choice, and
/// tests that check a folder holds nothing but what a command wrote).
pub const DIR_ENV: &str = "DUTYDESK_LOG_DIR";

static LOG_FILE: OnceLock<PathBuf> = OnceLock::new();

/// Today's log file, once logging has started.
pub fn current_file() -> Option<&'static Path> {
    LOG_FILE.get().map(PathBuf::as_path)
}

/// Starts logging into `dir` at `level`; returns today's file. Deletes the
/// files older than [`KEEP_DAYS`] first. Fails (and logs nothing) when the
/// folder cannot be written: the program then runs without a log.
pub fn init(dir: &Path, level: LevelFilter) -> io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let today = chrono::Utc::now().date_naive();
    prune(dir, today);
    let appender = tracing_appender::rolling::RollingFileAppender::builder()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(PREFIX)
        // A TUI left running for weeks rolls over without restarting.
        .max_log_files(KEEP_DAYS as usize)
        .build(dir)
        .map_err(io::Error::other)?;
    let subscriber = tracing_subscriber::fmt()
        .with_writer(Redacting(appender))
        .with_ansi(false)
        .with_max_level(level)
        .finish();
    tracing::subscriber::set_global_default(subscriber).map_err(io::Error::other)?;
    let file = dir.join(format!("{PREFIX}.{}", today.format("%Y-%m-%d")));
    let _ = LOG_FILE.set(file.clone());
    Ok(file)
}

/// Deletes this program's log files dated `KEEP_DAYS` or more before
/// `today`; other files in the folder (the database!) are never touched.
pub fn prune(dir: &Path, today: chrono::NaiveDate) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(date) = name
            .to_str()
            .and_then(|n| n.strip_prefix(PREFIX))
            .and_then(|n| n.strip_prefix('.'))
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        else {
            continue;
        };
        if (today - date).num_days() >= KEEP_DAYS {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Logs a panic's message and location, then tells the user on stderr where
/// the log is. Install before the TUI starts: ratatui's own hook restores
/// the terminal and then calls this one, so the text lands on a normal
/// screen instead of vanishing with the alternate one.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_default();
        let trace = std::backtrace::Backtrace::force_capture();
        tracing::error!(at = %at, "panic: {msg}\n{trace}");
        let msg = redact(&msg);
        let mut err = io::stderr().lock();
        let _ = writeln!(
            err,
            "dutydesk: {}",
            trf("log.panic", &[("msg", msg), ("at", at)])
        );
        if let Some(f) = current_file() {
            let _ = writeln!(
                err,
                "{}",
                trf("log.panic_file", &[("path", f.display().to_string())])
            );
        }
    }));
}

/// Wraps a writer factory so every formatted line is redacted. The fmt layer
/// hands each event over in one `write_all`, so a number is never split
/// between two writes.
struct Redacting<M>(M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter(self.0.make_writer())
    }
}

struct RedactingWriter<W>(W);

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .write_all(redact(&String::from_utf8_lossy(buf)).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// ASCII or full-width digit (typed through a Chinese IME).
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

fn is_x(c: char) -> bool {
    matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ')
}

/// Masks resident ID numbers (18 characters, or the old 15 digits) and
/// mainland mobile numbers (11 digits from 1, also as +86…, 3-4-4 with
/// dashes or spaces), ASCII or full-width. IDs keep region and tail like
/// the screens (`110105********4514`); mobiles keep 3 + 4 (`138****5678`).
/// Other numbers (dates, counts, millisecond timestamps) are left alone.
pub fn redact(s: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    let mut out: Vec<char> = c.clone();
    let mut i = 0;
    while i < c.len() {
        if !is_digit(c[i]) || (i > 0 && is_digit(c[i - 1])) {
            i += 1;
            continue;
        }
        // Up to three digit groups joined by one and the same separator.
        let mut groups: Vec<(usize, usize)> = vec![];
        let mut sep: Option<char> = None;
        let mut j = i;
        loop {
            let start = j;
            while j < c.len() && is_digit(c[j]) {
                j += 1;
            }
            groups.push((start, j));
            let next_sep = c.get(j).copied().filter(|s| matches!(s, '-' | ' '));
            let joined = next_sep.is_some()
                && sep.is_none_or(|s| Some(s) == next_sep)
                && c.get(j + 1).is_some_and(|d| is_digit(*d))
                && groups.len() < 3;
            if !joined {
                break;
            }
            sep = next_sep;
            j += 1;
        }
        let lens: Vec<usize> = groups.iter().map(|(a, b)| b - a).collect();
        let is_one = |k: usize| matches!(c[k], '1' | '１');
        let (positions, head, tail, end): (Vec<usize>, usize, usize, usize) =
            if lens == [3, 4, 4] && is_one(i) {
                let pos = groups.iter().flat_map(|&(a, b)| a..b).collect();
                (pos, 3, 4, groups[2].1)
            } else {
                // Only the first group is a candidate on its own.
                let (a, b) = groups[0];
                let mut pos: Vec<usize> = (a..b).collect();
                let n = b - a;
                if n == 17 && c.get(b).is_some_and(|x| is_x(*x)) {
                    pos.push(b);
                    (pos, 6, 4, b + 1)
                } else if n == 18 || n == 15 {
                    (pos, 6, 4, b)
                } else if n == 11 && is_one(a) {
                    (pos, 3, 4, b)
                } else if n == 13
                    && matches!(c[a], '8' | '８')
                    && matches!(c[a + 1], '6' | '６')
                    && is_one(a + 2)
                {
                    // +86 and a mobile: keep "86" and the mobile's 3 + 4.
                    (pos, 5, 4, b)
                } else {
                    (vec![], 0, 0, b)
                }
            };
        if positions.len() > head + tail {
            for &k in &positions[head..positions.len() - tail] {
                out[k] = '*';
            }
        }
        i = end.max(i + 1);
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_mobiles_are_masked() {
        let cases = [
            (
                "访客 王伟 身份证 110105199003074514 已登记",
                "访客 王伟 身份证 110105********4514 已登记",
            ),
            ("id=43052119851230002X;", "id=430521********002X;"),
            ("id_no: 43052119851230002x", "id_no: 430521********002x"),
            ("phone 13812345678.", "phone 138****5678."),
            ("电话13912345678", "电话139****5678"),
            ("tel +8613812345678", "tel +86138****5678"),
            (
                "138-1234-5678 and 138 1234 5678",
                "138-****-5678 and 138 **** 5678",
            ),
            ("旧证 430521851230002", "旧证 430521*****0002"),
            ("全角１３８１２３４５６７８", "全角１３８****５６７８"),
            (
                "two 110105199003074514,13812345678",
                "two 110105********4514,138****5678",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(redact(input), want, "{input}");
        }
    }

    #[test]
    fn other_numbers_are_kept() {
        for s in [
            "2026-11-30T03:05:01.123456Z INFO sync: imported 12345 events",
            "ts=1732939200000 n=42",
            "12345678901234567890 is 20 digits",
            "1234567890 is 10, 123456789012 is 12",
            "23812345678 does not start with 1",
            "uuid 0192f3a4-5b6c-7d8e-9f01-234567890abc",
            "version 0.1.0 at src/app.rs:812:17",
        ] {
            assert_eq!(redact(s), s);
        }
    }

    #[test]
    fn the_writer_redacts_what_it_passes_on() {
        let mut buf = Vec::new();
        let mut w = RedactingWriter(&mut buf);
        w.write_all("login 13812345678\n".as_bytes()).unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), "login 138****5678\n");
    }

    #[test]
    fn pruning_keeps_fourteen_days_and_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let names = [
            "dutydesk.log.2026-11-30",
            "dutydesk.log.2026-11-17",
            "dutydesk.log.2026-11-16",
            "dutydesk.log.2025-01-01",
            "dutydesk.log.notes",
            "dutydesk.db",
        ];
        for n in names {
            std::fs::write(dir.path().join(n), "x").unwrap();
        }
        prune(dir.path(), today);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "dutydesk.db",
                "dutydesk.log.2026-11-17",
                "dutydesk.log.2026-11-30",
                "dutydesk.log.notes"
            ]
        );
    }
}
