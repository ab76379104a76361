//! Benchmarks of the roll-call pane on a school year of boarders (issue 3,
//! "Performance"). Run: `cargo bench --bench rollcall`.
//!
//! 1. The school-year database (6 buildings × 500 beds = 3,000 boarders,
//!    365 nights of rounds, weekends home through the gate, leave, the sick
//!    log; its events per kind go in the `.txt` beside it) is generated
//!    once and cached under
//!    `target/bench-data/rollcall-v<N>-<G>.db` (N = the schema version, G =
//!    `demo::GENERATOR_HASH`, the generator's fingerprint).
//! 2. Key press → frame while moving through a 500-boarder building's roll
//!    (goal p99 ≤ 5 ms); baseline: `ui::table::draw` of the same visible
//!    rows from a pre-built Vec.
//! 3. Marking (Space) → frame through the whole 500-boarder round, one
//!    event written each time (goal p99 ≤ 10 ms); baseline: the same write
//!    through `Store::mark` alone; floor: a one-row commit on the same
//!    database (the disk's own fsync). Then the idle tick (goal ≤ 1 ms).
//! 4. The bed map of a full building (goal ≤ 5 ms) at 120×40 and 80×24;
//!    baseline: the same bed cells drawn as plain spans.
//! 5. Importing a 3,000-row .xlsx roster (goal ≤ 1 s): parse and apply;
//!    baseline: calamine alone reading the file into strings.
//! 6. A summary table: absolute figures, ratios to the same-run baselines,
//!    goals, the process's peak memory.
//!
//! Steps 2–3 run twice: late (the year-end station, its last night) and
//! early (the same station as it was on its first week's night: the events
//! it held then, projections rebuilt — `common/early.rs`), each with its
//! own floor and peak memory, so growth with history shows. Loops are measured by hand because divan reports no
//!    percentiles; each has a time budget so a slow machine still finishes.

use anyhow::{Context, Result, bail, ensure};
use calamine::Reader;
use dutydesk::app::{App, Screen};
use dutydesk::demo::{self, Scale};
use dutydesk::domain::event::StationKind;
use dutydesk::domain::rollcall::{Mark, RoundKind};
use dutydesk::domain::time::FixedClock;
use dutydesk::i18n::{self, Lang, tr};
use dutydesk::import::roster::parse_file;
use dutydesk::panes::PaneCtx;
use dutydesk::panes::rollcall::render::{mark_label, mark_style};
use dutydesk::panes::rollcall::{RollcallPane, View};
use dutydesk::store::rollcall::{BedCell, SheetRow, bed_label};
use dutydesk::store::{Store, migrate};
use dutydesk::ui::table::{self, Col, col};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::Widget;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "common/early.rs"]
mod early;

const SEED: u64 = 42;
/// The dorm teacher who calls the roll.
const TEACHER: (&str, &str) = ("李秀英", "2222");
const BUILDING: &str = "1号楼";
/// Where the baseline writes go, so both loops write into an open round.
const OTHER_BUILDING: &str = "2号楼";
/// Key presses per scrolling pattern.
const SCROLL_KEYS: usize = 2_000;
/// Marks per marking run: the whole 500-boarder round, to its last boarder.
const MARKS: usize = 500;
/// Idle ticks (the app's once-a-second work with no input).
const TICKS: usize = 300;
/// Renders per bed-map size.
const MAP_RENDERS: usize = 500;
/// Runs of the import (each into a fresh station database).
const IMPORT_RUNS: usize = 5;
const IMPORT_ROWS: usize = 3_000;
/// Samples per store query in the probe.
const PROBE_RUNS: usize = 30;
/// Time budgets: a loop stops early (the table gives n) on a slow machine.
const SCROLL_BUDGET: Duration = Duration::from_secs(240);
const MARK_BUDGET: Duration = Duration::from_secs(120);
const WHAT_IF_BUDGET: Duration = Duration::from_secs(60);
/// Indexes that would serve the queries every key press makes (see the
/// probe): tried on a throwaway copy only, to show what a fix would buy.
const WHAT_IF_INDEXES: &str = "
CREATE INDEX whatif_visits_on_site ON visits(time_in, id) WHERE status = 'on_site';
CREATE INDEX whatif_students_room ON students(building, room, bed);
";
const MAP_BUDGET: Duration = Duration::from_secs(60);

/// 2026-11-20 21:40 +08:00: lights-out, no round called yet tonight (the
/// generator fills the nights before today).
fn now_ms() -> i64 {
    chrono::DateTime::parse_from_rfc3339("2026-11-20T21:40:00+08:00")
        .expect("valid instant")
        .timestamp_millis()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` passes --bench; `cargo test --all-targets` does not, and
    // must not spend minutes here.
    if !args.iter().any(|a| a == "--bench") {
        println!("rollcall bench: skipped (run `cargo bench --bench rollcall`)");
        return;
    }
    i18n::set_lang(Lang::ZhCn);
    if let Err(e) = run() {
        eprintln!("rollcall bench failed: {e:#}");
        std::process::exit(1);
    }
}

// ───────────────────────────── statistics ─────────────────────────────

#[derive(Clone, Copy, Default)]
struct Stats {
    n: usize,
    p50: f64,
    p99: f64,
    max: f64,
    mean: f64,
}

impl Stats {
    /// Percentiles in ms (nearest rank).
    fn of(mut v: Vec<Duration>) -> Stats {
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
            mean: v.iter().map(|d| ms(*d)).sum::<f64>() / v.len() as f64,
        }
    }
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed())
}

// ───────────────────────────── the database ─────────────────────────────

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

#[derive(Default)]
struct DbInfo {
    path: PathBuf,
    gen_secs: f64,
    generated_now: bool,
    bytes: u64,
    boarders: i64,
    rounds: i64,
    marks: i64,
    absent_marks: i64,
    departures: i64,
    leaves: i64,
    sick: i64,
    events: i64,
}

/// The cached school-year database, generated on first use.
fn school_year_db() -> Result<DbInfo> {
    let dir = target_dir().join("bench-data");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    // Named by the schema and the generator's fingerprint: a changed
    // generator makes a new database instead of serving stale data.
    let name = format!(
        "rollcall-v{}-{:016x}",
        migrate::LATEST,
        demo::GENERATOR_HASH
    );
    let path = dir.join(format!("{name}.db"));
    let note = dir.join(format!("{name}.txt"));
    let mut info = DbInfo {
        path: path.clone(),
        ..DbInfo::default()
    };
    if path.exists() {
        info.gen_secs = std::fs::read_to_string(&note)
            .ok()
            .and_then(|s| {
                s.lines().find_map(|l| {
                    l.strip_prefix("generated_s=")
                        .and_then(|v| v.trim().parse().ok())
                })
            })
            .unwrap_or(f64::NAN);
        eprintln!("rollcall DB: cached at {}", path.display());
    } else {
        // Generated beside it and renamed: an interrupted run leaves no
        // half-filled cache behind.
        let tmp = dir.join(format!("{name}.partial-{}.db", std::process::id()));
        remove_db(&tmp);
        eprintln!("rollcall DB: generating (one time) at {} …", path.display());
        let clock = FixedClock::new(now_ms());
        let mut store = Store::open(&tmp, Arc::new(clock.clone()))?;
        let (stats, dt) =
            time(|| demo::generate(&mut store, &clock, Scale::SchoolYear, SEED, now_ms()));
        let stats = stats?;
        info.gen_secs = dt.as_secs_f64();
        let kinds = events_per_kind(&store)?;
        // Closing the last connection folds the WAL into the file.
        drop(store);
        std::fs::rename(&tmp, &path)?;
        remove_db(&tmp);
        let mut text = format!(
            "generated_s={:.1}\nboarders={}\nrounds={}\nvisits={}\ndepartures={}\nleaves={}\nsick={}\ncontradictions={}\ndecisions={}\nseed={SEED}\nnow_ms={}\ngenerator={:016x}\n",
            info.gen_secs,
            stats.boarders,
            stats.rounds,
            stats.visits,
            stats.departures,
            stats.leaves,
            stats.sick,
            stats.contradictions,
            stats.decisions,
            now_ms(),
            demo::GENERATOR_HASH
        );
        for (kind, n) in &kinds {
            let _ = writeln!(text, "events.{kind}={n}");
        }
        std::fs::write(&note, text)?;
        eprintln!("rollcall DB: events per kind: {kinds:?}");
        info.generated_now = true;
        eprintln!(
            "rollcall DB: generated {} boarders, {} rounds, {} visits in {:.1} s",
            stats.boarders, stats.rounds, stats.visits, info.gen_secs
        );
    }
    info.bytes = std::fs::metadata(&path)?.len();
    Ok(info)
}

/// How many events of each kind the log holds, most first.
fn events_per_kind(store: &Store) -> Result<Vec<(String, i64)>> {
    let mut stmt = store
        .conn()
        .prepare("SELECT kind, COUNT(*) FROM events GROUP BY kind ORDER BY 2 DESC, 1")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn count_rows(info: &mut DbInfo, store: &Store) -> Result<()> {
    let count = |sql: &str| -> Result<i64> { Ok(store.conn().query_row(sql, [], |r| r.get(0))?) };
    info.boarders = count("SELECT COUNT(*) FROM students WHERE active = 1")?;
    info.rounds = count("SELECT COUNT(*) FROM rounds")?;
    info.marks = count("SELECT COUNT(*) FROM marks")?;
    info.absent_marks = count("SELECT COUNT(*) FROM marks WHERE mark = 'absent'")?;
    info.departures = count("SELECT COUNT(*) FROM departures")?;
    info.leaves = count("SELECT COUNT(*) FROM leaves")?;
    info.sick = count("SELECT COUNT(*) FROM sick")?;
    info.events = count("SELECT COUNT(*) FROM events")?;
    ensure!(
        info.boarders >= 3_000,
        "the school-year DB has {} boarders (expected 3,000)",
        info.boarders
    );
    Ok(())
}

/// A throwaway copy of a database file, removed (with its WAL) when dropped.
struct WorkCopy(PathBuf);

impl WorkCopy {
    fn new(src: &Path, tag: &str) -> Result<WorkCopy> {
        let path = src.with_file_name(format!("{tag}-{}.db", std::process::id()));
        remove_db(&path);
        std::fs::copy(src, &path).with_context(|| format!("copying {}", src.display()))?;
        Ok(WorkCopy(path))
    }
}

impl Drop for WorkCopy {
    fn drop(&mut self) {
        remove_db(&self.0);
    }
}

// ───────────────────────────── driving the app ─────────────────────────────

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_event(Event::Key(key(code)));
}

fn draw(term: &mut Terminal<TestBackend>, app: &mut App) -> Result<()> {
    term.draw(|f| app.render(f))?;
    Ok(())
}

fn login(app: &mut App, name: &str, pin: &str) -> Result<()> {
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
        press(app, step);
    }
    for c in pin.chars() {
        press(app, KeyCode::Char(c));
    }
    press(app, KeyCode::Enter);
    ensure!(matches!(app.screen, Screen::Main), "login as {name} failed");
    Ok(())
}

/// The teacher on the roll-call pane of 1号楼 with tonight's lights-out
/// round open (started with `n`, Enter), drawn once at 120×40.
fn teacher_on_the_roll(db: &Path, now: i64) -> Result<(App, Terminal<TestBackend>)> {
    let store = Store::open(db, Arc::new(FixedClock::new(now)))?;
    let mut app = App::new(store, vec![]);
    // As the TUI runs: the WAL checkpointed on a thread of its own, not in
    // the key whose commit crosses its limit.
    let _checkpoints = app
        .store
        .checkpoint_in_background(dutydesk::store::checkpoints::EVERY);
    login(&mut app, TEACHER.0, TEACHER.1)?;
    press(&mut app, KeyCode::Char('2'));
    ensure!(
        app.rollcall().building_name() == BUILDING,
        "not on {BUILDING}"
    );
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Enter);
    let round = app.rollcall().open_round().context("no round open")?;
    ensure!(round.kind == RoundKind::LightsOut, "not a lights-out round");
    ensure!(
        app.rollcall().sheet.len() == 500,
        "{BUILDING} has {} boarders",
        app.rollcall().sheet.len()
    );
    let mut term = Terminal::new(TestBackend::new(120, 40))?;
    draw(&mut term, &mut app)?;
    Ok((app, term))
}

/// Keeps a result from being optimised away; passes on its error.
fn keep<T, E: Into<anyhow::Error>>(r: Result<T, E>) -> Result<()> {
    std::hint::black_box(r.map_err(Into::into)?);
    Ok(())
}

/// Times `f` `n` times.
fn sample(n: usize, mut f: impl FnMut() -> Result<()>) -> Result<Stats> {
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f()?;
        v.push(t.elapsed());
    }
    Ok(Stats::of(v))
}

// ───────────────────────────── what a key asks ─────────────────────────────

/// Medians of the store queries behind a key press on the roll, so a slow
/// figure can be traced to its query.
fn probe(app: &mut App, now: i64) -> Result<Vec<(String, Stats)>> {
    let round = app.rollcall().open_round().context("no round")?.id.clone();
    let since = now - 86_400_000;
    let mut out = vec![];
    let s = &app.store;
    out.push((
        "Store::students(1号楼)".into(),
        sample(PROBE_RUNS, || keep(s.students(Some(BUILDING))))?,
    ));
    out.push((
        "Store::round_sheet".into(),
        sample(PROBE_RUNS, || keep(s.round_sheet(&round)))?,
    ));
    out.push((
        "Store::bed_map(1号楼)".into(),
        sample(PROBE_RUNS, || keep(s.bed_map(BUILDING, Some(&round))))?,
    ));
    out.push((
        "Store::open_absences".into(),
        sample(PROBE_RUNS, || keep(s.open_absences()))?,
    ));
    out.push((
        "Store::sick_log(24 h)".into(),
        sample(PROBE_RUNS, || keep(s.sick_log(since)))?,
    ));
    out.push((
        "Store::leaves(24 h)".into(),
        sample(PROBE_RUNS, || keep(s.leaves(since)))?,
    ));
    out.push((
        "Store::boarder_alerts (every key)".into(),
        sample(PROBE_RUNS, || keep(s.boarder_alerts(now)))?,
    ));
    out.push((
        "Store::on_site_counts (every key)".into(),
        sample(PROBE_RUNS, || keep(s.on_site_counts(now)))?,
    ));
    out.push((
        "bare: COUNT marks WHERE mark='absent'".into(),
        sample(PROBE_RUNS, || {
            keep(s.conn().query_row(
                "SELECT COUNT(*) FROM marks WHERE mark = 'absent'",
                [],
                |r| r.get::<_, i64>(0),
            ))
        })?,
    ));
    // The pane's reload after every mark: all of the above it needs.
    let actor = app.actor.clone().context("logged in")?;
    let mut toast = None;
    let mut panes = std::mem::take(&mut app.panes);
    let ctx = PaneCtx {
        store: &mut app.store,
        actor: &actor,
        now_ms: now,
        toast: &mut toast,
    };
    let pane = panes
        .iter_mut()
        .find_map(|p| p.as_any_mut().downcast_mut::<RollcallPane>())
        .context("roll-call pane")?;
    let reload = sample(PROBE_RUNS, || Ok(pane.reload(&ctx)?));
    app.panes = panes;
    out.push(("RollcallPane::reload (after every mark)".into(), reload?));
    Ok(out)
}

// ───────────────────────────── moving through the roll ─────────────────────────────

struct ScrollRun {
    total: Vec<Duration>,
    handle: Vec<Duration>,
    draw: Vec<Duration>,
    /// The selection after each key, for the baseline to follow.
    sels: Vec<usize>,
}

/// Down/Up, every tenth key PageDown/PageUp, turning at either end; each
/// key followed by a frame; stops at the budget.
fn scroll_run(
    app: &mut App,
    term: &mut Terminal<TestBackend>,
    budget: Duration,
) -> Result<ScrollRun> {
    let last = app.rollcall().sheet.len() - 1;
    let mut down = true;
    let mut run = ScrollRun {
        total: vec![],
        handle: vec![],
        draw: vec![],
        sels: vec![],
    };
    let started = Instant::now();
    for i in 0..SCROLL_KEYS {
        if started.elapsed() > budget {
            break;
        }
        let sel = app.rollcall().roll.sel;
        if sel == last {
            down = false;
        } else if sel == 0 {
            down = true;
        }
        let code = match (i % 10 == 9, down) {
            (true, true) => KeyCode::PageDown,
            (true, false) => KeyCode::PageUp,
            (false, true) => KeyCode::Down,
            (false, false) => KeyCode::Up,
        };
        let t0 = Instant::now();
        press(app, code);
        let t1 = Instant::now();
        draw(term, app)?;
        let t2 = Instant::now();
        run.handle.push(t1 - t0);
        run.draw.push(t2 - t1);
        run.total.push(t2 - t0);
        run.sels.push(app.rollcall().roll.sel);
    }
    ensure!(
        matches!(app.rollcall().view, View::Roll),
        "left the roll while scrolling"
    );
    Ok(run)
}

fn roll_cols() -> [Col; 5] {
    [
        col(tr("roll.col.bed"), 8),
        col(tr("roll.col.name"), 10),
        col(tr("roll.col.mark"), 10),
        col(tr("roll.col.class"), 12),
        col(tr("roll.col.note"), 30),
    ]
}

/// The roll's rows, formatted once.
fn prebuilt_rows(sheet: &[SheetRow]) -> Vec<(Vec<String>, Style)> {
    sheet
        .iter()
        .map(|s| {
            let note = if s.student.data.left_behind {
                format!("★{}", s.note)
            } else {
                s.note.clone()
            };
            (
                vec![
                    bed_label(&s.student.bed),
                    s.student.data.name.clone(),
                    mark_label(s.mark),
                    s.student.data.class.clone(),
                    note,
                ],
                mark_style(s.mark),
            )
        })
        .collect()
}

/// Baseline: the same selections drawn with `table::draw` from the
/// pre-built rows in the pane's place on a 120×40 terminal, scrolled the
/// way the pane scrolls.
fn baseline_scroll(
    rows: &[(Vec<String>, Style)],
    sels: &[usize],
    h: usize,
) -> Result<Vec<Duration>> {
    let mut term = Terminal::new(TestBackend::new(120, 40))?;
    let cols = roll_cols();
    // The pane's body: below the status and tab bars and its two header
    // lines, above the hint bar.
    let area = Rect::new(0, 4, 120, 35);
    let mut top = 0usize;
    let mut out = Vec::with_capacity(sels.len());
    for &sel in sels {
        let t = Instant::now();
        if sel < top {
            top = sel;
        } else if sel >= top + h {
            top = sel + 1 - h;
        }
        let visible = rows[top..(top + h).min(rows.len())].to_vec();
        term.draw(|f| table::draw(area, f.buffer_mut(), &cols, visible, Some(sel - top)))?;
        out.push(t.elapsed());
    }
    Ok(out)
}

// ───────────────────────────── marking ─────────────────────────────

struct MarkRun {
    app: Vec<Duration>,
    store_only: Vec<Duration>,
    /// The floor: one tiny row committed on the same connection (same
    /// journal and `synchronous`), i.e. the disk's own commit and fsync.
    floor: Vec<Duration>,
}

/// Space on successive boarders, each followed by a frame; interleaved with
/// the same write through `Store::mark` alone into 2号楼's round so both see
/// the same disk and machine.
fn mark_run(app: &mut App, term: &mut Terminal<TestBackend>, budget: Duration) -> Result<MarkRun> {
    let actor = app.actor.clone().context("logged in")?;
    press(app, KeyCode::Home);
    let other_round = app
        .store
        .start_round(&actor, RoundKind::LightsOut, OTHER_BUILDING)?;
    let others: Vec<String> = app
        .store
        .students(Some(OTHER_BUILDING))?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let mut run = MarkRun {
        app: vec![],
        store_only: vec![],
        floor: vec![],
    };
    app.store
        .conn()
        .execute_batch("CREATE TABLE IF NOT EXISTS bench_commit_floor (n INTEGER) STRICT")?;
    let started = Instant::now();
    for (i, other) in others.iter().enumerate().take(MARKS) {
        if started.elapsed() > budget {
            break;
        }
        let sel = app.rollcall().roll.sel;
        let t = Instant::now();
        press(app, KeyCode::Char(' '));
        draw(term, app)?;
        run.app.push(t.elapsed());
        let last = app.rollcall().sheet.len() - 1;
        ensure!(
            app.rollcall().sheet[sel].mark == Some(Mark::Present)
                && app.rollcall().roll.sel == (sel + 1).min(last),
            "Space did not mark and advance at boarder {i}"
        );
        let (r, dt) = time(|| {
            app.store
                .mark(&actor, &other_round, other, Mark::Present, None, "")
        });
        r?;
        run.store_only.push(dt);
        let (r, dt) = time(|| {
            app.store
                .conn()
                .execute("INSERT INTO bench_commit_floor VALUES (?1)", [i as i64])
        });
        r?;
        run.floor.push(dt);
    }
    Ok(run)
}

/// The once-a-second tick with no input (status bar alerts, pane polls),
/// and a frame when it says something changed.
fn tick_run(app: &mut App, term: &mut Terminal<TestBackend>) -> Result<Vec<Duration>> {
    let mut v = Vec::with_capacity(TICKS);
    for _ in 0..TICKS {
        let t = Instant::now();
        if app.tick() {
            draw(term, app)?;
        }
        v.push(t.elapsed());
    }
    Ok(v)
}

/// The process's peak resident memory in MB, where the system tells it
/// (Linux: VmHWM); elsewhere none.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

// ───────────────────────────── the bed map ─────────────────────────────

/// Where the bed map draws its cells, as `render_map` lays them out: rooms
/// as boxes 19 columns wide, 12 rows high (10 beds), as many rows of boxes
/// as fit above the legend. Returns (x, y, width) of every drawn bed cell
/// with its text, for one floor.
fn map_cells(cells: &[&BedCell], w: u16, h: u16) -> Vec<(u16, u16, u16, String)> {
    let (area_y, area_h) = (4u16, h - 5);
    let legend_y = area_y + area_h - 1;
    let box_w = 19u16;
    let per_row = (w / box_w).max(1) as usize;
    let mut rooms: Vec<Vec<&BedCell>> = vec![];
    for c in cells {
        match rooms.last_mut() {
            Some(v) if v[0].bed.room == c.bed.room => v.push(c),
            _ => rooms.push(vec![c]),
        }
    }
    let box_h = rooms.iter().map(|r| r.len()).max().unwrap_or(1) as u16 + 2;
    let mut out = vec![];
    let mut y = area_y + 1;
    for chunk in rooms.chunks(per_row) {
        if y + box_h > legend_y {
            break;
        }
        for (i, beds) in chunk.iter().enumerate() {
            let x = i as u16 * box_w + 1;
            for (j, c) in beds.iter().enumerate() {
                let name = c.student.as_ref().map(|(_, n)| n.as_str()).unwrap_or("");
                let mark = c.mark.map(|m| m.paper()).unwrap_or("·");
                out.push((
                    x,
                    y + 1 + j as u16,
                    box_w - 3,
                    format!("{:>2} {mark} {name}", c.bed.bed),
                ));
            }
        }
        y += box_h;
    }
    out
}

struct MapRun {
    size: (u16, u16),
    app: Stats,
    base: Stats,
    cells: usize,
}

/// Frames of the bed map (the whole screen, as the app draws it), floor by
/// floor; baseline: the same cells as plain spans at the same places.
fn map_run(app: &mut App, w: u16, h: u16) -> Result<MapRun> {
    ensure!(app.rollcall().view == View::BedMap, "not on the bed map");
    let mut floors: Vec<i32> = app.rollcall().bed_map.iter().map(|c| c.bed.floor).collect();
    floors.sort();
    floors.dedup();
    let per_floor: Vec<Vec<(u16, u16, u16, String)>> = floors
        .iter()
        .map(|f| {
            let cells: Vec<&BedCell> = app
                .rollcall()
                .bed_map
                .iter()
                .filter(|c| c.bed.floor == *f)
                .collect();
            map_cells(&cells, w, h)
        })
        .collect();
    let mut term = Terminal::new(TestBackend::new(w, h))?;
    let mut base_term = Terminal::new(TestBackend::new(w, h))?;
    let (mut a, mut b) = (vec![], vec![]);
    let started = Instant::now();
    let mut fl = 0;
    for i in 0..MAP_RENDERS {
        if started.elapsed() > MAP_BUDGET {
            break;
        }
        // A different floor each frame, so every frame really draws.
        fl = i % floors.len();
        app.rollcall_mut().map_floor = fl;
        let (r, dt) = time(|| draw(&mut term, app));
        r?;
        a.push(dt);
        let cells = &per_floor[fl];
        let (r, dt) = time(|| {
            base_term.draw(|f| {
                let buf = f.buffer_mut();
                for (x, y, cw, text) in cells {
                    Span::raw(text.as_str()).render(Rect::new(*x, *y, *cw, 1), buf);
                }
            })
        });
        r?;
        b.push(dt);
    }
    // The frame holds what the baseline draws.
    let buf = term.backend().buffer().clone();
    let first = per_floor[fl].first().context("no bed cells")?;
    let row: String = (0..w)
        .map(|x| buf[(x, first.1)].symbol().to_string())
        .collect();
    let probe_name = first.3.split_whitespace().last().unwrap_or("");
    // A wide character's second cell reads as a space.
    ensure!(
        row.replace(' ', "").contains(probe_name),
        "the bed map frame does not show {probe_name:?}: {row}"
    );
    Ok(MapRun {
        size: (w, h),
        app: Stats::of(a),
        base: Stats::of(b),
        cells: per_floor.iter().map(|c| c.len()).max().unwrap_or(0),
    })
}

// ───────────────────────────── the roster import ─────────────────────────────

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "欧阳", "诸葛",
];
const GIVEN: &[&str] = &[
    "浩然", "子涵", "宇轩", "欣怡", "梓涵", "诗琪", "俊杰", "雨涵", "博文", "可馨", "思远", "一诺",
    "子豪", "佳怡", "明轩", "语嫣", "伟", "芳", "磊", "静",
];
const CLASSES: &[&str] = &[
    "初一(1)班",
    "初一(2)班",
    "初一(3)班",
    "初二(1)班",
    "初二(2)班",
    "初二(3)班",
    "初三(1)班",
    "初三(2)班",
];
const HEAD_TEACHERS: &[&str] = &["周老师", "吴老师", "郑老师", "孙老师", "马老师", "朱老师"];
const RELATIONS: &[&str] = &["父亲", "母亲", "爷爷", "奶奶", "外公", "外婆"];

/// A small deterministic generator (the file must be the same every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// A 3,000-row roster as a school office makes it: a merged title row,
/// Chinese headers (two guardians, the second relation column also headed
/// 关系), phones Excel stored as numbers, 是/否, notes on some rows.
fn write_roster_xlsx(path: &Path, rows: usize) -> Result<()> {
    use rust_xlsxwriter::{Format, FormatAlign, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("花名册")?;
    let headers = [
        "序号",
        "学号",
        "姓名",
        "性别",
        "班级",
        "班主任",
        "楼栋",
        "寝室号",
        "床号",
        "监护人",
        "关系",
        "联系电话",
        "第二监护人",
        "关系",
        "电话2",
        "是否留守",
        "备注",
    ];
    ws.merge_range(
        0,
        0,
        0,
        headers.len() as u16 - 1,
        "青山县第一中学 2026 年秋季学期住宿学生花名册",
        &Format::new().set_bold().set_align(FormatAlign::Center),
    )?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(1, c as u16, *h)?;
    }
    let mut rng = Lcg(SEED);
    for i in 0..rows {
        let r = i as u32 + 2;
        // 6 buildings × 5 floors × 10 rooms × 10 beds, boys in 1–3.
        let building = i / 500 + 1;
        let floor = i % 500 / 100 + 1;
        let room = i % 100 / 10 + 1;
        let bed = i % 10 + 1;
        let boy = building <= 3;
        let surname = SURNAMES[rng.next(SURNAMES.len())];
        let name = format!("{surname}{}", GIVEN[rng.next(GIVEN.len())]);
        let left_behind = rng.next(100) < 60;
        let phone = |rng: &mut Lcg| 13_000_000_000u64 + (rng.next(1_000_000_000) as u64) * 7;
        ws.write_number(r, 0, (i + 1) as f64)?;
        ws.write_string(r, 1, format!("2026{:05}", i + 1))?;
        ws.write_string(r, 2, &name)?;
        ws.write_string(r, 3, if boy { "男" } else { "女" })?;
        ws.write_string(r, 4, CLASSES[rng.next(CLASSES.len())])?;
        ws.write_string(r, 5, HEAD_TEACHERS[rng.next(HEAD_TEACHERS.len())])?;
        ws.write_string(r, 6, format!("{building}号楼"))?;
        ws.write_number(r, 7, format!("{floor}{room:02}").parse::<f64>()?)?;
        ws.write_number(r, 8, bed as f64)?;
        let (g1, rel1) = if left_behind {
            let rel = RELATIONS[2 + rng.next(4)];
            (
                format!("{surname}{}", ["秀英", "桂英", "建国", "德明"][rng.next(4)]),
                rel,
            )
        } else {
            (
                format!("{surname}{}", ["建华", "志强", "国庆", "海燕"][rng.next(4)]),
                RELATIONS[rng.next(2)],
            )
        };
        ws.write_string(r, 9, &g1)?;
        ws.write_string(r, 10, rel1)?;
        ws.write_number(r, 11, phone(&mut rng) as f64)?;
        if rng.next(3) == 0 {
            ws.write_string(
                r,
                12,
                format!("{surname}{}", ["丽华", "春梅", "新民"][rng.next(3)]),
            )?;
            ws.write_string(r, 13, RELATIONS[rng.next(2)])?;
            ws.write_string(r, 14, phone(&mut rng).to_string())?;
        }
        ws.write_string(r, 15, if left_behind { "是" } else { "否" })?;
        if rng.next(12) == 0 {
            ws.write_string(
                r,
                16,
                ["哮喘，备有喷雾", "花生过敏", "夜里怕黑"][rng.next(3)],
            )?;
        }
    }
    wb.save(path)?;
    Ok(())
}

struct ImportRun {
    file_bytes: u64,
    write: Duration,
    parse: Stats,
    apply: Stats,
    total: Stats,
    base: Stats,
    events: usize,
    reimport: Stats,
}

/// Baseline: calamine alone, the file into a grid of strings.
fn calamine_grid(path: &Path) -> Result<Vec<Vec<String>>> {
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path)?;
    let name = wb.sheet_names().first().cloned().context("no sheet")?;
    let range = wb.worksheet_range(&name)?;
    Ok(range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect())
}

fn import_run() -> Result<ImportRun> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("2026秋住宿生花名册.xlsx");
    let (r, write) = time(|| write_roster_xlsx(&file, IMPORT_ROWS));
    r?;
    let file_bytes = std::fs::metadata(&file)?.len();
    let (mut parse, mut apply, mut total, mut base, mut reimport) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut events = 0;
    for run in 0..IMPORT_RUNS {
        // Alternate with the baseline so both see the same machine.
        let (grid, dt) = time(|| calamine_grid(&file));
        ensure!(
            grid?.len() == IMPORT_ROWS + 2,
            "calamine read a different grid"
        );
        base.push(dt);

        let db = dir.path().join(format!("station-{run}.db"));
        let clock = FixedClock::new(now_ms());
        let mut store = Store::open(&db, Arc::new(clock))?;
        let admin = store.setup(
            demo::SCHOOL,
            "宿舍值班室",
            StationKind::Dorm,
            480,
            "陈老师",
            "9999",
        )?;
        let (parsed, dp) = time(|| parse_file(&file));
        let parsed = parsed?;
        ensure!(
            parsed.rows.len() == IMPORT_ROWS && parsed.errors.is_empty(),
            "parsed {} rows, {} errors: {:?}",
            parsed.rows.len(),
            parsed.errors.len(),
            parsed.errors.first()
        );
        let (out, da) = time(|| store.import_roster(&admin, "花名册.xlsx", &parsed, false, false));
        let out = out?;
        ensure!(
            out.diff.new.len() == IMPORT_ROWS,
            "{} new",
            out.diff.new.len()
        );
        events = out.events;
        parse.push(dp);
        apply.push(da);
        total.push(dp + da);
        // The same file again: a diff with nothing in it.
        let (again, dr) = time(|| -> Result<usize> {
            let p = parse_file(&file)?;
            Ok(store
                .import_roster(&admin, "花名册.xlsx", &p, false, false)?
                .events)
        });
        ensure!(again? == 0, "a second import changed something");
        reimport.push(dr);
        ensure!(
            store.students(None)?.len() == IMPORT_ROWS,
            "boarders after import"
        );
        drop(store);
        remove_db(&db);
    }
    Ok(ImportRun {
        file_bytes,
        write,
        parse: Stats::of(parse),
        apply: Stats::of(apply),
        total: Stats::of(total),
        base: Stats::of(base),
        events,
        reimport: Stats::of(reimport),
    })
}

// ───────────────────────────── the run ─────────────────────────────

fn step(n: usize, what: &str, since: Instant) {
    eprintln!("[{n}/7 at {:>6.1} s] {what}", since.elapsed().as_secs_f64());
}

/// Everything measured on one database: as built, or with the what-if
/// indexes.
struct Session {
    label: &'static str,
    probes: Vec<(String, Stats)>,
    scroll: Stats,
    handle: Stats,
    draw: Stats,
    scroll_base: Stats,
    mark: Stats,
    mark_store: Stats,
    mark_floor: Stats,
    tick: Stats,
    /// The process's peak memory during the session (Linux).
    peak_mb: Option<f64>,
    /// Events the station held.
    events: i64,
}

/// Key → frame on the roll and Space → frame, on a copy of `src`.
fn session(
    src: &Path,
    label: &'static str,
    indexes: bool,
    budgets: (Duration, Duration),
    now: i64,
) -> Result<(Session, App, WorkCopy)> {
    let work = WorkCopy::new(src, "rollcall-work")?;
    if indexes {
        let store = Store::open(&work.0, Arc::new(FixedClock::new(now)))?;
        store.conn().execute_batch(WHAT_IF_INDEXES)?;
    }
    early::reset_peak_rss();
    let (mut app, mut term) = teacher_on_the_roll(&work.0, now)?;
    let events = app.store.event_count()? as i64;
    let probes = probe(&mut app, now)?;
    let rows = prebuilt_rows(&app.rollcall().sheet);
    let run = scroll_run(&mut app, &mut term, budgets.0)?;
    let base = baseline_scroll(&rows, &run.sels, app.rollcall().roll.height())?;
    let marks = mark_run(&mut app, &mut term, budgets.1)?;
    let tick = tick_run(&mut app, &mut term)?;
    Ok((
        Session {
            label,
            probes,
            scroll: Stats::of(run.total),
            handle: Stats::of(run.handle),
            draw: Stats::of(run.draw),
            scroll_base: Stats::of(base),
            mark: Stats::of(marks.app),
            mark_store: Stats::of(marks.store_only),
            mark_floor: Stats::of(marks.floor),
            tick: Stats::of(tick),
            peak_mb: peak_rss_mb(),
            events,
        },
        app,
        work,
    ))
}

fn run() -> Result<()> {
    let since = Instant::now();
    step(1, "the school-year database", since);
    let mut db = school_year_db()?;

    step(
        2,
        &format!("as built: ≤{SCROLL_KEYS} keys → frames on the roll, ≤{MARKS} marks"),
        since,
    );
    let (built, mut app, work) = session(
        &db.path,
        "late: last night",
        false,
        (SCROLL_BUDGET, MARK_BUDGET),
        now_ms(),
    )?;
    count_rows(&mut db, &app.store)?;

    step(3, "the bed map at 120×40 and 80×24", since);
    let mut term = Terminal::new(TestBackend::new(120, 40))?;
    draw(&mut term, &mut app)?;
    let (r, tab) = time(|| {
        press(&mut app, KeyCode::Tab);
        draw(&mut term, &mut app)
    });
    r?;
    let mut maps = vec![];
    for (w, h) in [(120, 40), (80, 24)] {
        maps.push(map_run(&mut app, w, h)?);
    }
    drop(app);
    drop(work);

    step(
        4,
        &format!(
            "early: the same station after its first {} days, the same loops",
            early::EARLY_DAYS
        ),
        since,
    );
    // Cut before tonight's roll (21:30) and measured at the late run's
    // hour: lights-out, no round called yet.
    let cut = early::early_instant(&db.path, 480, 21 * 60)?;
    let early_db = WorkCopy(
        db.path
            .with_file_name(format!("rollcall-early-{}.db", std::process::id())),
    );
    remove_db(&early_db.0);
    early::station_as_of(&db.path, &early_db.0, cut)?;
    let (early_run, app, work) = session(
        &early_db.0,
        "early: night 8",
        false,
        (SCROLL_BUDGET, MARK_BUDGET),
        cut + 40 * 60_000,
    )?;
    drop(app);
    drop(work);
    drop(early_db);

    step(
        5,
        "the year-end station on a copy with the what-if indexes",
        since,
    );
    let (what_if, app, work) = session(
        &db.path,
        "what-if: +2 indexes",
        true,
        (WHAT_IF_BUDGET, WHAT_IF_BUDGET),
        now_ms(),
    )?;
    drop(app);
    drop(work);

    step(
        6,
        &format!("importing a {IMPORT_ROWS}-row .xlsx roster ({IMPORT_RUNS} runs)"),
        since,
    );
    let import = import_run()?;

    step(7, "summary", since);
    print!(
        "{}",
        render(
            &db,
            &[built, early_run, what_if],
            tab,
            &maps,
            &import,
            since.elapsed()
        )
    );
    Ok(())
}

// ───────────────────────────── the summary ─────────────────────────────

fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 {
        format!("{:.1}×", a / b)
    } else {
        "—".into()
    }
}

fn verdict(v: f64, goal: f64) -> &'static str {
    if v <= goal { "met" } else { "MISSED" }
}

fn render(
    db: &DbInfo,
    sessions: &[Session],
    tab: Duration,
    maps: &[MapRun],
    import: &ImportRun,
    elapsed: Duration,
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "\n## dutydesk roll-call benchmark");
    let _ = writeln!(
        s,
        "\nDatabase: {} — {:.0} MB; {} boarders, {} rounds, {} marks ({} absent), {} gate departures, {} leaves, {} sick records, {} events. Generation: {:.1} s{}.",
        db.path.display(),
        db.bytes as f64 / 1e6,
        db.boarders,
        db.rounds,
        db.marks,
        db.absent_marks,
        db.departures,
        db.leaves,
        db.sick,
        db.events,
        db.gen_secs,
        if db.generated_now {
            " (this run)"
        } else {
            " (cached; time from the run that made it)"
        }
    );
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let _ = writeln!(
        s,
        "Machine: {} CPUs, load average {}. Times in ms; ratio = figure / baseline (same run). \
         \"what-if\" rows: the same loops on a copy with two extra indexes (not in src/).",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );

    let _ = writeln!(
        s,
        "\n| measure | n | p50 | p99 | max | mean | baseline | base p50 | base p99 | ratio p50 | ratio p99 | goal |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut row = |what: &str, a: &Stats, base_name: &str, b: Option<&Stats>, goal: String| {
        let (bp50, bp99, r50, r99) = match b {
            Some(b) => (
                format!("{:.3}", b.p50),
                format!("{:.3}", b.p99),
                ratio(a.p50, b.p50),
                ratio(a.p99, b.p99),
            ),
            None => ("—".into(), "—".into(), "—".into(), "—".into()),
        };
        let _ = writeln!(
            s,
            "| {what} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {base_name} | {bp50} | {bp99} | {r50} | {r99} | {goal} |",
            a.n, a.p50, a.p99, a.max, a.mean
        );
    };
    for x in sessions {
        row(
            &format!(
                "key → frame, roll of 500, ↓/↑ + PgDn/PgUp, 120×40 [{}]",
                x.label
            ),
            &x.scroll,
            "table::draw of pre-built rows",
            Some(&x.scroll_base),
            format!("p99 ≤ 5 ms: {}", verdict(x.scroll.p99, 5.0)),
        );
        row(
            &format!("  of which handle_key [{}]", x.label),
            &x.handle,
            "",
            None,
            String::new(),
        );
        row(
            &format!("  of which render [{}]", x.label),
            &x.draw,
            "",
            None,
            String::new(),
        );
        row(
            &format!(
                "Space (mark present) → frame, whole round, 120×40 [{}]",
                x.label
            ),
            &x.mark,
            "Store::mark alone (same write)",
            Some(&x.mark_store),
            format!("p99 ≤ 10 ms: {}", verdict(x.mark.p99, 10.0)),
        );
        row(
            &format!("  floor: one-row commit, same DB [{}]", x.label),
            &x.mark_floor,
            "",
            None,
            String::new(),
        );
        row(
            &format!("idle tick (+ frame if changed) [{}]", x.label),
            &x.tick,
            "",
            None,
            format!("p99 ≤ 1 ms: {}", verdict(x.tick.p99, 1.0)),
        );
    }
    for m in maps {
        row(
            &format!(
                "bed map frame {}×{} ({} cells)",
                m.size.0, m.size.1, m.cells
            ),
            &m.app,
            "same cells as plain spans",
            Some(&m.base),
            format!("≤ 5 ms (p99): {}", verdict(m.app.p99, 5.0)),
        );
    }
    let _ = writeln!(
        s,
        "\nTab from the roll → first bed-map frame (120×40): {:.3} ms (one sample).",
        tab.as_secs_f64() * 1e3
    );

    // Early against late: the same loops on the station after its first
    // week and at the year's end, each with its own floor and peak memory.
    let find = |p: &str| sessions.iter().find(|x| x.label.starts_with(p));
    if let (Some(e), Some(l)) = (find("early"), find("late")) {
        let _ = writeln!(
            s,
            "\n### Early vs late: {} events held early, {} late (same run)\n",
            e.events, l.events
        );
        let _ = writeln!(
            s,
            "| measure | early p50 | early p99 | late p50 | late p99 | late/early p99 |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|---|");
        for (what, a, b) in [
            ("key → frame, roll of 500", &e.scroll, &l.scroll),
            ("Space (mark) → frame, whole round", &e.mark, &l.mark),
            (
                "  floor: one-row commit, same DB",
                &e.mark_floor,
                &l.mark_floor,
            ),
            ("  Store::mark alone", &e.mark_store, &l.mark_store),
            ("idle tick", &e.tick, &l.tick),
        ] {
            let _ = writeln!(
                s,
                "| {what} | {:.3} | {:.3} | {:.3} | {:.3} | {} |",
                a.p50,
                a.p99,
                b.p50,
                b.p99,
                ratio(b.p99, a.p99)
            );
        }
        let mb = |v: Option<f64>| v.map_or("n/a".to_string(), |m| format!("{m:.0} MB"));
        let _ = writeln!(
            s,
            "\nPeak memory of the process during each session (VmHWM, reset before it): early {}, late {}.",
            mb(e.peak_mb),
            mb(l.peak_mb)
        );
    }

    let _ = writeln!(
        s,
        "\n### Roster import: {IMPORT_ROWS} rows, .xlsx of {:.0} KB (written by rust_xlsxwriter in {:.0} ms), {} runs, each into a fresh station DB ({} events written)\n",
        import.file_bytes as f64 / 1e3,
        import.write.as_secs_f64() * 1e3,
        import.total.n,
        import.events
    );
    let _ = writeln!(s, "| step | p50 ms | max ms | ratio p50 to calamine |");
    let _ = writeln!(s, "|---|---|---|---|");
    for (what, st) in [
        ("baseline: calamine alone → Vec<Vec<String>>", &import.base),
        ("parse_file", &import.parse),
        ("import_roster (apply)", &import.apply),
        ("total parse + apply", &import.total),
        ("re-import of the same file (no changes)", &import.reimport),
    ] {
        let _ = writeln!(
            s,
            "| {what} | {:.1} | {:.1} | {} |",
            st.p50,
            st.max,
            ratio(st.p50, import.base.p50)
        );
    }
    let _ = writeln!(
        s,
        "\nImport goal ≤ 1 s (total, worst run {:.0} ms): {}",
        import.total.max,
        verdict(import.total.max, 1_000.0)
    );

    let _ = writeln!(
        s,
        "\n### What a key asks the store (1号楼, round open; {PROBE_RUNS} samples each)\n"
    );
    let mut head = String::from("| query |");
    let mut rule = String::from("|---|");
    for x in sessions {
        let _ = write!(head, " p50 [{0}] | p99 [{0}] |", x.label);
        rule.push_str("---|---|");
    }
    let _ = writeln!(s, "{head}\n{rule}");
    for (i, (what, _)) in sessions[0].probes.iter().enumerate() {
        let _ = write!(s, "| {what} |");
        for x in sessions {
            let st = &x.probes[i].1;
            let _ = write!(s, " {:.3} | {:.3} |", st.p50, st.p99);
        }
        s.push('\n');
    }
    let _ = writeln!(s, "\nWhat-if indexes:{WHAT_IF_INDEXES}");
    match peak_rss_mb() {
        Some(mb) => {
            let _ = writeln!(s, "\nProcess peak memory (VmHWM): {mb:.0} MB.");
        }
        None => {
            let _ = writeln!(s, "\nProcess peak memory: not available on this system.");
        }
    }
    let _ = writeln!(s, "\nTotal {:.0} s.", elapsed.as_secs_f64());
    s
}
