//! Helpers shared by the UI test binaries: stores at a fixed instant, key
//! events, logging in through the login screen, and reading a rendered
//! buffer back as text or cells.
#![allow(dead_code)]

use dutydesk::app::{App, Screen};
use dutydesk::demo::{self, Scale};
use dutydesk::domain::event::StationKind;
use dutydesk::domain::time::FixedClock;
use dutydesk::i18n::tr;
use dutydesk::store::Store;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::Path;
use std::sync::Arc;
use unicode_width::UnicodeWidthStr;

/// 2026-11-22 10:00 +08:00 (a Sunday morning at the gate).
pub fn now_ms() -> i64 {
    chrono::DateTime::parse_from_rfc3339("2026-11-22T10:00:00+08:00")
        .expect("valid instant")
        .timestamp_millis()
}

pub const SCHOOL: &str = "青山县第一中学";
pub const STATION: &str = "南门门卫室";
pub const ADMIN: &str = "陈老师";
pub const ADMIN_PIN: &str = "9999";
pub const GUARD: &str = "张建国";
pub const GUARD_PIN: &str = "1111";
pub const SEED: u64 = 42;

/// A store that has never been set up (first-run screen).
pub fn blank_store() -> (Store, FixedClock) {
    let clock = FixedClock::new(now_ms());
    let store = Store::open_in_memory(Arc::new(clock.clone())).expect("open in-memory store");
    (store, clock)
}

/// A new station with only its admin and nobody on site.
pub fn fresh_store() -> (Store, FixedClock) {
    let (mut store, clock) = blank_store();
    store
        .setup(SCHOOL, STATION, StationKind::Gate, 480, ADMIN, ADMIN_PIN)
        .expect("set up station");
    (store, clock)
}

/// The demo school (two weeks of visits, five on site, one overstaying).
pub fn demo_store() -> (Store, FixedClock) {
    let (mut store, clock) = blank_store();
    demo::generate(&mut store, &clock, Scale::Small, SEED, now_ms()).expect("demo data");
    (store, clock)
}

/// Writes the demo school to `path` (a file other tests can copy and open).
pub fn write_demo_db(path: &Path) {
    let (store, _clock) = demo_store();
    store
        .conn()
        .execute("VACUUM INTO ?1", [path.to_str().expect("utf-8 path")])
        .expect("VACUUM INTO");
}

/// Opens a copy of a database file at the fixed instant.
pub fn open_copy(src: &Path, dir: &Path, name: &str) -> (Store, FixedClock) {
    let dst = dir.join(name);
    std::fs::copy(src, &dst).expect("copy db");
    let clock = FixedClock::new(now_ms());
    let store = Store::open(&dst, Arc::new(clock.clone())).expect("open copy");
    (store, clock)
}

/// The login screen's demo lines, as `dutydesk --demo` builds them (in the
/// current language).
pub fn demo_logins() -> Vec<(String, String)> {
    demo::OPERATORS
        .iter()
        .map(|(n, r, p)| {
            (
                format!("{n}({})", tr(&format!("role.{}", r.key()))),
                p.to_string(),
            )
        })
        .collect()
}

pub fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

pub fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

pub fn press(app: &mut App, code: KeyCode) {
    app.handle_key(key(code));
}

pub fn type_str(app: &mut App, s: &str) {
    for c in s.chars() {
        app.handle_key(key(KeyCode::Char(c)));
    }
}

/// Logs in through the login screen: ↓ to the operator, PIN, Enter.
pub fn login(app: &mut App, name: &str, pin: &str) {
    let idx = match &app.screen {
        Screen::Login(l) => l
            .operators
            .iter()
            .position(|o| o.name == name)
            .unwrap_or_else(|| panic!("{name} is not on the login screen")),
        _ => panic!("not on the login screen"),
    };
    for _ in 0..idx {
        press(app, KeyCode::Down);
    }
    type_str(app, pin);
    press(app, KeyCode::Enter);
    assert!(matches!(app.screen, Screen::Main), "login as {name} failed");
}

/// Draws the app once at `w`×`h` and returns the buffer.
pub fn draw(app: &mut App, w: u16, h: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    terminal.draw(|f| app.render(f)).expect("draw");
    terminal.backend().buffer().clone()
}

/// (column, symbol) pairs of one row.
type Cells = Vec<(u16, String)>;

/// One row as (column, symbol) pairs, skipping the cells a wide symbol
/// covers, plus any non-blank symbol found in such a covered cell (a glyph
/// drawn over half of a CJK character).
fn row_cells(buf: &Buffer, y: u16) -> (Cells, Cells) {
    let mut shown = vec![];
    let mut hidden = vec![];
    let mut skip = 0usize;
    for x in buf.area.left()..buf.area.right() {
        let sym = buf[(x, y)].symbol();
        if skip == 0 {
            shown.push((x, sym.to_string()));
        } else if !sym.trim().is_empty() {
            hidden.push((x, sym.to_string()));
        }
        skip = skip.max(sym.width()).saturating_sub(1);
    }
    (shown, hidden)
}

/// The buffer as text, one line a row, trailing blanks trimmed. Wide
/// characters take their two columns, so CJK columns line up in a
/// monospace view. Glyphs hidden under wide characters are listed at the end.
pub fn buffer_text(buf: &Buffer) -> String {
    let mut out = String::new();
    let mut glitches = vec![];
    for y in buf.area.top()..buf.area.bottom() {
        let (shown, hidden) = row_cells(buf, y);
        let line: String = shown.into_iter().map(|(_, s)| s).collect();
        out.push_str(line.trim_end());
        out.push('\n');
        glitches.extend(hidden.into_iter().map(|(x, s)| format!("({x},{y}) {s:?}")));
    }
    if !glitches.is_empty() {
        out.push_str(&format!(
            "-- hidden under wide characters: {}\n",
            glitches.join(", ")
        ));
    }
    out
}

/// Where `needle` starts in the rendered buffer (column, row), first match.
pub fn find_text(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    find_all(buf, needle).into_iter().next()
}

/// Every place `needle` starts in the rendered buffer.
pub fn find_all(buf: &Buffer, needle: &str) -> Vec<(u16, u16)> {
    let mut found = vec![];
    for y in buf.area.top()..buf.area.bottom() {
        let (shown, _) = row_cells(buf, y);
        let mut line = String::new();
        let mut starts = vec![];
        for (x, s) in &shown {
            starts.push((line.len(), *x));
            line.push_str(s);
        }
        let mut from = 0;
        while let Some(i) = line[from..].find(needle) {
            let at = from + i;
            if let Some((_, x)) = starts.iter().find(|(b, _)| *b == at) {
                found.push((*x, y));
            }
            from = at + needle.len().max(1);
        }
    }
    found
}

/// The demo school written once per test binary (`tag` names the file), for
/// tests that open many copies of it.
pub fn cached_demo_db(tag: &str) -> &'static Path {
    static DB: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    DB.get_or_init(|| {
        let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("{tag}-demo-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        write_demo_db(&path);
        path
    })
}
