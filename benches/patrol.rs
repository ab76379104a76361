//! Benchmarks of the patrol pane on a school year of patrols (issue 11,
//! "Performance"). Run: `cargo bench --bench patrol`.
//!
//! The school-year database is the roll-call bench's (the same generator,
//! seed and instant, cached under `target/bench-data/rollcall-v<N>-<G>.db`):
//! 365 nights × 4 rounds × 20 checkpoints of the whole-campus route, with
//! everything else a school year holds. Each run works on a copy.
//!
//! 1. Key → frame moving through a round's checkpoints (↓/↑), goal p99 ≤
//!    5 ms; floor: drawing the same frame with no key.
//! 2. A scanned check-in (code + Enter) → frame, written and redrawn;
//!    floor: the same check-in through `Store::check_in` alone.
//! 3. Tab through the pane's views → frame.
//! 4. The status bar's patrol alerts (asked every tick); floor: `SELECT 1`.
//! 5. The whole idle tick at 22:05 with a round due (goal p99 ≤ 1 ms).

use anyhow::{Context, Result, bail, ensure};
use dutydesk::app::{App, Screen};
use dutydesk::demo::{self, Scale};
use dutydesk::domain::patrol::{Method, Outcome};
use dutydesk::domain::time::FixedClock;
use dutydesk::i18n::{self, Lang};
use dutydesk::panes::patrol::{Mode, PatrolPane};
use dutydesk::store::{Store, migrate};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SEED: u64 = 42;
const GUARD: (&str, &str) = ("张建国", "1111");
const NAV_KEYS: usize = 2_000;
const CHECK_INS: usize = 200;
const TICKS: usize = 300;

/// The roll-call bench's instant: the cached database is generated at it.
fn gen_now_ms() -> i64 {
    chrono::DateTime::parse_from_rfc3339("2026-11-20T21:40:00+08:00")
        .expect("valid instant")
        .timestamp_millis()
}

/// 22:05 that night: the 22:00 round of the whole-campus route is due.
fn now_ms() -> i64 {
    gen_now_ms() + 25 * 60_000
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") {
        println!("patrol bench: skipped (run `cargo bench --bench patrol`)");
        return;
    }
    i18n::set_lang(Lang::ZhCn);
    if let Err(e) = run() {
        eprintln!("patrol bench failed: {e:#}");
        std::process::exit(1);
    }
}

#[derive(Clone, Copy, Default)]
struct Stats {
    n: usize,
    p50: f64,
    p99: f64,
    max: f64,
}

impl Stats {
    fn of(mut v: Vec<Duration>) -> Stats {
        v.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let at = |q: f64| ms(v[((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1]);
        Stats {
            n: v.len(),
            p50: at(0.50),
            p99: at(0.99),
            max: ms(*v.last().unwrap_or(&Duration::ZERO)),
        }
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// The cached school-year database (the roll-call bench's), generated on
/// first use.
fn school_year_db() -> Result<PathBuf> {
    let dir = target_dir().join("bench-data");
    std::fs::create_dir_all(&dir)?;
    let name = format!(
        "rollcall-v{}-{:016x}",
        migrate::LATEST,
        demo::GENERATOR_HASH
    );
    let path = dir.join(format!("{name}.db"));
    if path.exists() {
        eprintln!("patrol DB: cached at {}", path.display());
        return Ok(path);
    }
    let tmp = dir.join(format!("{name}.partial-{}.db", std::process::id()));
    remove_db(&tmp);
    eprintln!("patrol DB: generating (one time) at {} …", path.display());
    let clock = FixedClock::new(gen_now_ms());
    let mut store = Store::open(&tmp, Arc::new(clock.clone()))?;
    let t = Instant::now();
    demo::generate(&mut store, &clock, Scale::SchoolYear, SEED, gen_now_ms())?;
    eprintln!("patrol DB: generated in {:.1} s", t.elapsed().as_secs_f64());
    drop(store);
    std::fs::rename(&tmp, &path)?;
    remove_db(&tmp);
    Ok(path)
}

struct WorkCopy(PathBuf);

impl Drop for WorkCopy {
    fn drop(&mut self) {
        remove_db(&self.0);
    }
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn login(app: &mut App) -> Result<()> {
    let (idx, sel) = match &app.screen {
        Screen::Login(l) => (
            l.operators
                .iter()
                .position(|o| o.name == GUARD.0)
                .context("no guard")?,
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
        press(app, step);
    }
    for c in GUARD.1.chars() {
        press(app, KeyCode::Char(c));
    }
    press(app, KeyCode::Enter);
    ensure!(matches!(app.screen, Screen::Main), "login failed");
    Ok(())
}

fn frame(term: &mut Terminal<TestBackend>, app: &mut App) -> Result<()> {
    term.draw(|f| app.render(f))?;
    Ok(())
}

fn timed(n: usize, mut f: impl FnMut(usize) -> Result<()>) -> Result<Stats> {
    let mut v = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        f(i)?;
        v.push(t.elapsed());
    }
    Ok(Stats::of(v))
}

fn run() -> Result<()> {
    let src = school_year_db()?;
    let work = WorkCopy(src.with_file_name(format!("patrol-bench-{}.db", std::process::id())));
    remove_db(&work.0);
    std::fs::copy(&src, &work.0)?;
    let clock = FixedClock::new(now_ms());
    let store = Store::open(&work.0, Arc::new(clock.clone()))?;
    let (rounds, checks): (i64, i64) = store.conn().query_row(
        "SELECT (SELECT COUNT(*) FROM patrol_rounds), (SELECT COUNT(*) FROM patrol_checks)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    eprintln!("patrol DB: {rounds} rounds, {checks} check-ins");
    let mut app = App::new(store, vec![]);
    // As the TUI runs: the WAL checkpointed on a thread of its own, not in
    // the key whose commit crosses its limit.
    let _checkpoints = app
        .store
        .checkpoint_in_background(dutydesk::store::checkpoints::EVERY);
    login(&mut app)?;
    press(&mut app, KeyCode::Char('3'));
    let route = app
        .pane::<PatrolPane>()
        .night
        .routes
        .iter()
        .position(|r| r.route.data.checkpoints.len() == 20)
        .context("no 20-checkpoint route")?;
    for _ in 0..route {
        press(&mut app, KeyCode::Down);
    }
    let mut term = Terminal::new(TestBackend::new(120, 40))?;
    // Into the due round of the whole-campus route.
    press(&mut app, KeyCode::Enter);
    ensure!(
        matches!(app.pane::<PatrolPane>().mode, Mode::Round(_)),
        "no round"
    );
    frame(&mut term, &mut app)?;

    // 1. Moving through the round.
    let nav = timed(NAV_KEYS, |i| {
        press(
            &mut app,
            if (i / 19) % 2 == 0 {
                KeyCode::Down
            } else {
                KeyCode::Up
            },
        );
        frame(&mut term, &mut app)
    })?;
    let floor = timed(NAV_KEYS, |_| frame(&mut term, &mut app))?;

    // 2. Scans: the code typed, Enter timed to the frame. Each round of
    // twenty is closed and a new one started when full.
    let codes: Vec<String> = app
        .store
        .checkpoints(false)?
        .into_iter()
        .map(|c| c.data.code)
        .collect();
    let mut scan = vec![];
    for i in 0..CHECK_INS {
        if i > 0 && i % codes.len() == 0 {
            app.handle_event(Event::Key(KeyEvent::new(
                KeyCode::Char('e'),
                KeyModifiers::CONTROL,
            )));
            press(&mut app, KeyCode::Enter);
            press(&mut app, KeyCode::Char('n'));
        }
        clock.advance_min(2);
        for c in codes[i % codes.len()].chars() {
            press(&mut app, KeyCode::Char(c));
        }
        let t = Instant::now();
        press(&mut app, KeyCode::Enter);
        frame(&mut term, &mut app)?;
        scan.push(t.elapsed());
    }
    // Slow scans by index: the first write to a cold copy shows here.
    let slow: Vec<(usize, f64)> = scan
        .iter()
        .enumerate()
        .filter(|(_, d)| d.as_millis() >= 20)
        .map(|(i, d)| (i, d.as_secs_f64() * 1e3))
        .collect();
    if !slow.is_empty() {
        eprintln!("scans ≥ 20 ms (index, ms): {slow:.1?}");
    }
    let scan = Stats::of(scan);
    // Floor: the same check-in through the store alone, on another route.
    let other = app
        .store
        .routes(false)?
        .into_iter()
        .find(|r| r.data.checkpoints.len() < 20)
        .context("no other route")?;
    let guard = app.actor.clone().context("nobody logged in")?;
    let mut round = app.store.start_patrol(&guard, &other.id, None)?;
    let mut k = 0;
    let store_only = timed(CHECK_INS, |_| {
        if k == other.data.checkpoints.len() {
            app.store.close_patrol(&guard, &round, "")?;
            round = app.store.start_patrol(&guard, &other.id, None)?;
            k = 0;
        }
        clock.advance_min(2);
        let cp = other.data.checkpoints[k].clone();
        k += 1;
        app.store
            .check_in(&guard, &round, &cp, &Outcome::Ok, None, Method::Code)?;
        Ok(())
    })?;

    // 3. Views.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    let tabs = timed(300, |_| {
        press(&mut app, KeyCode::Tab);
        frame(&mut term, &mut app)
    })?;

    // 4. The tick's patrol alerts.
    let now = now_ms();
    let alerts = timed(TICKS, |_| {
        std::hint::black_box(app.store.patrol_alerts(now)?);
        Ok(())
    })?;
    // 5. The whole idle tick at that moment (every alert of the status
    // bar, tonight's patrols among them), with a frame when it changed.
    let ticks = timed(TICKS, |_| {
        if app.tick() {
            frame(&mut term, &mut app)?;
        }
        Ok(())
    })?;
    let select1 = timed(TICKS, |_| {
        let v: i64 = app.store.conn().query_row("SELECT 1", [], |r| r.get(0))?;
        std::hint::black_box(v);
        Ok(())
    })?;

    println!("\npatrol bench ({rounds} rounds, {checks} check-ins in the log; 120×40)");
    println!(
        "{:<44} {:>6} {:>8} {:>8} {:>8} {:>8}",
        "", "n", "p50 ms", "p99 ms", "max ms", "goal"
    );
    let line = |name: &str, s: Stats, goal: &str| {
        println!(
            "{name:<44} {:>6} {:>8.3} {:>8.3} {:>8.3} {goal:>8}",
            s.n, s.p50, s.p99, s.max
        );
    };
    line("round ↓/↑ → frame", nav, "p99≤5");
    line("  floor: frame with no key", floor, "");
    line("scan (code + Enter) → written + frame", scan, "");
    line("  floor: Store::check_in alone", store_only, "");
    line("Tab through views → frame", tabs, "p99≤5");
    line("patrol alerts (every tick)", alerts, "");
    line("  floor: SELECT 1", select1, "");
    line("idle tick (+ frame if changed)", ticks, "p99≤1");
    println!(
        "ratios p99: nav/floor {:.1}×, scan/store {:.1}×, alerts/SELECT1 {:.0}×; goals (keys ≤5 ms, tick ≤1 ms) {}",
        nav.p99 / floor.p99.max(1e-6),
        scan.p99 / store_only.p99.max(1e-6),
        alerts.p99 / select1.p99.max(1e-6),
        if nav.p99 <= 5.0 && tabs.p99 <= 5.0 && ticks.p99 <= 1.0 {
            "met"
        } else {
            "MISSED"
        }
    );
    Ok(())
}
