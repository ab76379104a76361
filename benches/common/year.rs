//! What the school-year benches share: the cached school-year database
//! (generated once by `demo::generate(Scale::SchoolYear)`, keyed by the
//! schema and the generator's hash), percentiles, and logging in.

#![allow(dead_code)]

use anyhow::{Context, Result, bail, ensure};
use dutydesk::app::{App, Screen};
use dutydesk::demo::{self, Scale};
use dutydesk::domain::time::FixedClock;
use dutydesk::store::{Store, migrate};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const SEED: u64 = 42;

/// The instant the school year is generated at (the roll-call bench's).
pub fn year_now_ms() -> i64 {
    chrono::DateTime::parse_from_rfc3339("2026-11-20T21:40:00+08:00")
        .expect("valid instant")
        .timestamp_millis()
}

#[derive(Clone, Copy, Default, Debug)]
pub struct Stats {
    pub n: usize,
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

impl Stats {
    /// Percentiles by nearest rank, in milliseconds.
    pub fn of(mut v: Vec<Duration>) -> Stats {
        if v.is_empty() {
            return Stats::default();
        }
        v.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let rank = |p: f64| ((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
        Stats {
            n: v.len(),
            p50: ms(v[rank(0.50)]),
            p99: ms(v[rank(0.99)]),
            max: ms(v[v.len() - 1]),
        }
    }
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// The cached school year, made here if absent.
pub fn school_year_db() -> Result<PathBuf> {
    let dir = target_dir().join("bench-data");
    std::fs::create_dir_all(&dir)?;
    let name = format!(
        "rollcall-v{}-{:016x}",
        migrate::LATEST,
        demo::GENERATOR_HASH
    );
    let path = dir.join(format!("{name}.db"));
    if path.exists() {
        eprintln!("school-year DB: cached at {}", path.display());
        return Ok(path);
    }
    let tmp = dir.join(format!("{name}.partial-{}.db", std::process::id()));
    eprintln!(
        "school-year DB: generating (one time) at {} …",
        path.display()
    );
    let clock = FixedClock::new(year_now_ms());
    let started = Instant::now();
    let mut store = Store::open(&tmp, Arc::new(clock.clone()))?;
    demo::generate(&mut store, &clock, Scale::SchoolYear, SEED, year_now_ms())?;
    drop(store);
    std::fs::rename(&tmp, &path)?;
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
    }
    eprintln!(
        "school-year DB: made in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(path)
}

pub fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// Logs in through the login screen from wherever its selection stands.
pub fn login(app: &mut App, name: &str, pin: &str) -> Result<()> {
    let (idx, sel) = match &app.screen {
        Screen::Login(l) => (
            l.operators
                .iter()
                .position(|o| o.name == name)
                .with_context(|| format!("no operator {name}"))?,
            l.sel,
        ),
        _ => bail!("not on the login screen"),
    };
    let step = if idx >= sel {
        KeyCode::Down
    } else {
        KeyCode::Up
    };
    for _ in 0..idx.abs_diff(sel) {
        app.handle_event(Event::Key(key(step)));
    }
    for c in pin.chars() {
        app.handle_event(Event::Key(key(KeyCode::Char(c))));
    }
    app.handle_event(Event::Key(key(KeyCode::Enter)));
    ensure!(matches!(app.screen, Screen::Main), "login as {name} failed");
    Ok(())
}

/// The process's peak resident memory so far (VmHWM), in MB; 0 where the
/// platform does not say.
pub fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
