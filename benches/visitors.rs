//! Benchmarks of the visitor register on a school year of data (≥150,000
//! visits). Run: `cargo bench --bench visitors`.
//!
//! Order of a run:
//! 1. the school-year database is generated once and cached under
//!    `target/bench-data/school-year-v<N>-<G>.db` (N = the schema version,
//!    G = the generator's fingerprint);
//! 2. our own measured loops (divan does not report percentiles): start to
//!    first frame, key press → frame while scrolling and while searching,
//!    idle ticks, peak memory (measured by a fresh copy of this program:
//!    `cargo bench --bench visitors -- --peak-mem DB`) and the idle CPU of
//!    the real binary in a pseudo-terminal;
//! 3. divan's timings of the store queries behind those screens;
//! 4. a summary table: every figure beside a baseline measured in the same
//!    run, and the goal from the issue.
//!
//! Every run works on throwaway copies of the cached database, because
//! logging in appends an event. Each measured loop has a time budget so a
//! slow build still finishes in minutes; the table says how many samples
//! each figure rests on. `-- --only-search` runs the search loop alone.

use anyhow::{Context, Result, bail};
use dutydesk::app::{App, Screen};
use dutydesk::demo::{self, Scale};
use dutydesk::domain::time::{self, FixedClock};
use dutydesk::domain::validate::mask_id;
use dutydesk::domain::visit::VisitStatus;
use dutydesk::i18n::{self, Lang, tr};
use dutydesk::panes::visitors::{Mode, View};
use dutydesk::store::visits::{HistoryFilter, Page, VisitRow, like_pattern};
use dutydesk::store::{Store, migrate};
use dutydesk::ui::{table, theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::Style;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

#[path = "common/early.rs"]
mod early;

/// Seed of the generated school; the same seed builds the same database.
const SEED: u64 = 42;
/// 2026-11-20 10:00 Beijing time: a school-day morning at the gate.
const NOW_MS: i64 = 1_795_140_000_000;
/// The gate guard: the person who scrolls and searches at the gate.
const GUARD: (&str, &str) = ("张建国", "1111");
const ADMIN: (&str, &str) = ("陈老师", "9999");
/// Key presses per scrolling run.
const SCROLL_KEYS: usize = 2_000;
/// Runs of start → first frame, per database.
const START_RUNS: usize = 20;
/// Rounds of the search sequences (each round types every query once).
const SEARCH_ROUNDS: usize = 20;
/// Pinyin initials, names, a phone prefix, an ID tail, and no match.
const QUERIES: &[&str] = &["z", "zs", "w", "wx", "ch", "138", "002X", "qqqq"];
/// Idle ticks, 100 ms apart: one minute.
const IDLE_TICKS: usize = 600;
/// The same query the history search runs, bare.
const LIKE_SQL: &str = "SELECT id, origin, status, time_in, time_out, details, time_in_reason, registered_by, \
     signed_out_by, watch, corrections FROM visits WHERE search LIKE ?1 ESCAPE '\\' \
     ORDER BY time_in DESC, id DESC LIMIT ?2";
/// What `Store::on_site` asks on every key press and every tick.
const ON_SITE_SQL: &str = "SELECT id FROM visits WHERE status = 'on_site' ORDER BY time_in, id";

/// Time budgets: a loop stops early (and says so) when a build is slow.
struct Budgets {
    scroll: Duration,
    search: Duration,
    idle: Duration,
}

const MAIN_BUDGETS: Budgets = Budgets {
    scroll: Duration::from_secs(12),
    search: Duration::from_secs(25),
    idle: Duration::from_secs(90),
};

/// Peak memory does not grow with more of the same keys: a short run.
const CHILD_BUDGETS: Budgets = Budgets {
    scroll: Duration::from_secs(3),
    search: Duration::ZERO,
    idle: Duration::ZERO,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    i18n::set_lang(Lang::ZhCn);
    if let Some(i) = args.iter().position(|a| a == "--peak-mem") {
        // Read before anything else is allocated: this is the baseline.
        let start_kb = vm_hwm_kb();
        let db = args.get(i + 1).map(PathBuf::from);
        let now = args
            .get(i + 2)
            .and_then(|v| v.parse().ok())
            .unwrap_or(NOW_MS);
        if let Err(e) = db
            .context("--peak-mem needs a database path")
            .and_then(|db| peak_mem_child(&db, start_kb, now))
        {
            eprintln!("peak-mem: {e:#}");
            std::process::exit(1);
        }
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--export-mem") {
        let start_kb = vm_hwm_kb();
        let db = args.get(i + 1).map(PathBuf::from);
        if let Err(e) = db
            .context("--export-mem needs a database path")
            .and_then(|db| export_child(&db, start_kb))
        {
            eprintln!("export-mem: {e:#}");
            std::process::exit(1);
        }
        return;
    }
    if args.iter().any(|a| a == "--list") {
        divan::main();
        return;
    }
    if args.iter().any(|a| a == "--test") {
        println!("visitors bench: skipped under --test (run `cargo bench --bench visitors`)");
        return;
    }
    if let Err(e) = run() {
        eprintln!("visitors bench failed: {e:#}");
        std::process::exit(1);
    }
}

// ───────────────────────────── the run ─────────────────────────────

fn step(n: usize, what: &str, since: Instant) {
    eprintln!("[{n}/9 at {:>5.1} s] {what}", since.elapsed().as_secs_f64());
}

fn run() -> Result<()> {
    let total = Instant::now();
    let mut report = Report {
        db: school_year_db()?,
        load_before: loadavg(),
        ..Report::default()
    };
    let since = Instant::now();
    let work = WorkCopy::new(&report.db.path, "work")?;
    count_rows(&mut report.db, &work.path)?;
    // `--only-search`: steps 2 and 4 alone, for working on the search.
    let only_search = std::env::args().any(|a| a == "--only-search");

    if !only_search {
        step(
            1,
            &format!("start → first frame ({START_RUNS} runs per database)"),
            since,
        );
        let empty = WorkCopy::empty_station()?;
        // Alternate the two so both see the same machine state.
        let (mut full_runs, mut empty_runs) = (vec![], vec![]);
        for _ in 0..START_RUNS {
            full_runs.push(start_to_first_frame(&work.path, NOW_MS)?);
            empty_runs.push(start_to_first_frame(&empty.path, NOW_MS)?);
        }
        report.start = Some((Stats::of(full_runs), Stats::of(empty_runs)));
    }

    step(2, "what every key press and tick asks the store", since);
    let clock = FixedClock::new(NOW_MS);
    let (mut app, mut term) = logged_in_history(&work.path, &clock)?;
    report.probe = Some(probe(&app)?);

    step(
        3,
        &format!("key → frame while scrolling the history (≤{SCROLL_KEYS} keys per run)"),
        since,
    );
    let patterns = if only_search {
        vec![]
    } else {
        vec![ScrollPattern::Mixed, ScrollPattern::PageDown]
    };
    let h = app.visitors().list_height();
    let baseline_rows = app
        .store
        .history_page(&HistoryFilter::All, None, Page::Older, 5_000)?;
    for pattern in patterns {
        let keys = pattern.keys(SCROLL_KEYS);
        let run = scroll_run(&mut app, &mut term, &keys, MAIN_BUDGETS.scroll)?;
        let base = baseline_scroll(&baseline_rows, &keys[..run.total.len()], h)?;
        report.scroll.push(ScrollResult {
            pattern,
            app: Stats::of(run.total),
            handle: Stats::of(run.handle),
            draw: Stats::of(run.draw),
            base: Stats::of(base),
            depth: run.depth,
            stopped_early: run.stopped_early,
        });
        // Back to the newest row for the next pattern.
        press(&mut app, KeyCode::Home);
    }

    step(
        4,
        &format!("key → frame while typing searches (≤{SEARCH_ROUNDS} rounds of {QUERIES:?})"),
        since,
    );
    report.search = Some(search_run(
        &mut app,
        &mut term,
        SEARCH_ROUNDS,
        MAIN_BUDGETS.search,
    )?);
    drop(app);
    if only_search {
        report.load_after = loadavg();
        println!("{}", report.render());
        return Ok(());
    }

    step(
        5,
        &format!("idle: {IDLE_TICKS} ticks 100 ms apart, then the minute turns"),
        since,
    );
    report.idle = Some(idle_ticks(&work.path, NOW_MS, MAIN_BUDGETS.idle)?);

    step(6, "peak memory in a fresh process (--peak-mem)", since);
    let mem_copy = WorkCopy::new(&report.db.path, "mem")?;
    report.mem = Some(peak_mem_parent(&mem_copy.path, NOW_MS));
    drop(mem_copy);

    step(
        6,
        &format!(
            "early: steps 1, 3–6 on the same station after its first {} days",
            early::EARLY_DAYS
        ),
        since,
    );
    report.early = Some(early_run(&report.db.path)?);

    step(
        6,
        "a year's register exported from the TUI while keys are pressed (fresh process)",
        since,
    );
    let exp_copy = WorkCopy::new(&report.db.path, "export")?;
    report.export = Some(export_parent(&exp_copy.path));
    drop(exp_copy);

    step(
        7,
        "idle CPU of the real binary in a pseudo-terminal (2 × ~15 s)",
        since,
    );
    report.real_idle.push(real_binary_idle(
        "--demo (small demo school)",
        &["--demo"],
        None,
    ));
    // In a directory of its own: at start the TUI runs quick_check and writes
    // a daily backup into backups/ beside the database.
    let pty_dir = tempfile::tempdir()?;
    let pty_db = pty_dir.path().join("school-year.db");
    std::fs::copy(&report.db.path, &pty_db)?;
    let db_arg = pty_db.to_string_lossy().to_string();
    report.real_idle.push(real_binary_idle(
        "--db school-year copy",
        &["--db", &db_arg],
        Some(&pty_dir.path().join("backups")),
    ));
    drop(pty_dir);

    step(8, "divan: the store queries", since);
    let _ = DIVAN_DB.set(work.path.clone());
    divan::Divan::default()
        .max_time(Duration::from_secs(2))
        .config_with_args()
        .main();

    step(
        9,
        "the same queries as the fixes proposed in the summary would run them",
        since,
    );
    report.what_if = what_if(&work.path)?;

    report.total = total.elapsed();
    report.after_cache = since.elapsed();
    report.load_after = loadavg();
    print!("{}", report.render());
    Ok(())
}

// ───────────────────────────── the database ─────────────────────────────

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

#[derive(Default)]
struct DbInfo {
    path: PathBuf,
    /// Seconds the generation took, and whether it happened in this run.
    gen_secs: f64,
    generated_now: bool,
    visits: i64,
    events: i64,
    bytes: u64,
}

/// The cached school-year database, generated on first use.
fn school_year_db() -> Result<DbInfo> {
    let dir = target_dir().join("bench-data");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(format!(
        "school-year-v{}-{:016x}.db",
        migrate::LATEST,
        demo::GENERATOR_HASH
    ));
    let note = dir.join(format!(
        "school-year-v{}-{:016x}.txt",
        migrate::LATEST,
        demo::GENERATOR_HASH
    ));
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
        eprintln!("school-year DB: cached at {}", path.display());
    } else {
        // Generate beside it and rename, so an interrupted run leaves no
        // half-filled cache behind.
        let tmp = dir.join(format!(
            "school-year-v{}.partial-{}.db",
            migrate::LATEST,
            std::process::id()
        ));
        remove_db(&tmp);
        eprintln!(
            "school-year DB: generating (one time) at {} …",
            path.display()
        );
        let clock = FixedClock::new(NOW_MS);
        let mut store = Store::open(&tmp, Arc::new(clock.clone()))?;
        let t = Instant::now();
        let stats = demo::generate(&mut store, &clock, Scale::SchoolYear, SEED, NOW_MS)?;
        info.gen_secs = t.elapsed().as_secs_f64();
        drop(store);
        std::fs::rename(&tmp, &path)?;
        remove_db(&tmp);
        std::fs::write(
            &note,
            format!(
                "generated_s={:.1}\nvisits={}\nseed={SEED}\nnow_ms={NOW_MS}\n",
                info.gen_secs, stats.visits
            ),
        )?;
        info.generated_now = true;
        eprintln!(
            "school-year DB: generated {} visits in {:.1} s",
            stats.visits, info.gen_secs
        );
    }
    info.bytes = std::fs::metadata(&path)?.len();
    Ok(info)
}

/// Counts visits and events (on a copy: even a read leaves -wal/-shm files).
fn count_rows(info: &mut DbInfo, copy: &Path) -> Result<()> {
    let store = Store::open(copy, Arc::new(FixedClock::new(NOW_MS)))?;
    info.visits = store.visit_count()?;
    info.events = store
        .conn()
        .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))?;
    if info.visits < 150_000 {
        bail!(
            "school-year DB has only {} visits (expected ≥150,000)",
            info.visits
        );
    }
    Ok(())
}

fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// A throwaway database file, removed (with its WAL) when dropped.
struct WorkCopy {
    path: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

impl WorkCopy {
    fn new(src: &Path, tag: &str) -> Result<WorkCopy> {
        let path = src.with_file_name(format!("{tag}-{}.db", std::process::id()));
        remove_db(&path);
        std::fs::copy(src, &path).with_context(|| format!("copying {}", src.display()))?;
        Ok(WorkCopy { path, _dir: None })
    }

    /// A freshly set-up station with no visits: the start-up baseline.
    fn empty_station() -> Result<WorkCopy> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("empty.db");
        let (name, _, pin) = demo::OPERATORS[3];
        let mut s = Store::open(&path, Arc::new(FixedClock::new(NOW_MS)))?;
        s.setup(
            demo::SCHOOL,
            "南门门卫室",
            dutydesk::domain::event::StationKind::Gate,
            480,
            name,
            pin,
        )?;
        drop(s);
        Ok(WorkCopy {
            path,
            _dir: Some(dir),
        })
    }
}

impl Drop for WorkCopy {
    fn drop(&mut self) {
        remove_db(&self.path);
    }
}

// ───────────────────────────── driving the app ─────────────────────────────

fn key(code: KeyCode) -> KeyEvent {
    let mods = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    KeyEvent::new(code, mods)
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_event(Event::Key(key(code)));
}

fn draw(term: &mut Terminal<TestBackend>, app: &mut App) -> Result<()> {
    term.draw(|f| app.render(f))?;
    Ok(())
}

/// Logs in through the login screen's keys: ↑/↓ to the operator, the PIN, Enter.
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
    if !matches!(app.screen, Screen::Main) {
        bail!("login as {name} failed");
    }
    Ok(())
}

/// Store::open + App::new + the first frame (the login screen) at 80×24.
fn start_to_first_frame(db: &Path, now: i64) -> Result<Duration> {
    let clock = Arc::new(FixedClock::new(now));
    let t = Instant::now();
    let store = Store::open(db, clock)?;
    let mut app = App::new(store, vec![]);
    let mut term = Terminal::new(TestBackend::new(80, 24))?;
    draw(&mut term, &mut app)?;
    let dt = t.elapsed();
    if !matches!(app.screen, Screen::Login(_)) || app.draws != 1 {
        bail!("the first frame was not the login screen");
    }
    Ok(dt)
}

/// An app logged in as the guard, on the history list, drawn once at 120×40.
fn logged_in_history(db: &Path, clock: &FixedClock) -> Result<(App, Terminal<TestBackend>)> {
    let store = Store::open(db, Arc::new(clock.clone()))?;
    let mut app = App::new(store, vec![]);
    login(&mut app, GUARD.0, GUARD.1)?;
    press(&mut app, KeyCode::Tab);
    if app.visitors().view != View::History {
        bail!("Tab did not open the history list");
    }
    let mut term = Terminal::new(TestBackend::new(120, 40))?;
    draw(&mut term, &mut app)?;
    if app.visitors().history.rows.is_empty() {
        bail!("the history is empty");
    }
    Ok((app, term))
}

/// Times `f` `n` times; the median in ms.
fn median_ms(n: usize, mut f: impl FnMut() -> Result<()>) -> Result<f64> {
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f()?;
        v.push(t.elapsed());
    }
    Ok(Stats::of(v).p50)
}

struct Probe {
    on_site_ms: f64,
    on_site_plan: String,
    on_site_rows: usize,
    boarder_alerts_ms: f64,
    tick_ms: f64,
}

/// The store calls behind the status bar, which run after every key press
/// and on every 1 s tick, timed one by one.
fn probe(app: &App) -> Result<Probe> {
    let s = &app.store;
    let on_site_rows = s.on_site()?.len();
    let on_site_ms = median_ms(5, || {
        s.on_site_counts(NOW_MS)?;
        Ok(())
    })?;
    let boarder_alerts_ms = median_ms(5, || {
        s.boarder_alerts(NOW_MS)?;
        Ok(())
    })?;
    let on_site_plan = query_plan(s.conn(), ON_SITE_SQL)?;
    // A whole tick, on its own App so this one's state is untouched.
    let store = Store::open(s.path(), Arc::new(FixedClock::new(NOW_MS)))?;
    let mut other = App::new(store, vec![]);
    login(&mut other, GUARD.0, GUARD.1)?;
    let tick_ms = median_ms(5, || {
        other.tick();
        Ok(())
    })?;
    Ok(Probe {
        on_site_ms,
        on_site_plan,
        on_site_rows,
        boarder_alerts_ms,
        tick_ms,
    })
}

fn query_plan(conn: &rusqlite::Connection, sql: &str) -> Result<String> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(3))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?.join("; "))
}

#[derive(Clone, Copy, PartialEq)]
enum ScrollPattern {
    /// Seven ↓ then one PgDn, repeated: reading down the list.
    Mixed,
    /// Only PgDn: paging deep into the year.
    PageDown,
}

impl ScrollPattern {
    fn keys(self, n: usize) -> Vec<KeyCode> {
        (0..n)
            .map(|i| match self {
                ScrollPattern::Mixed if i % 8 != 7 => KeyCode::Down,
                _ => KeyCode::PageDown,
            })
            .collect()
    }

    fn label(self) -> &'static str {
        match self {
            ScrollPattern::Mixed => "7×↓ + 1×PgDn",
            ScrollPattern::PageDown => "PgDn only",
        }
    }
}

struct ScrollRun {
    total: Vec<Duration>,
    handle: Vec<Duration>,
    draw: Vec<Duration>,
    /// Rows above the selection when the run ended.
    depth: i64,
    stopped_early: bool,
}

/// Times each key press through its frame (and the two halves apart).
fn scroll_run(
    app: &mut App,
    term: &mut Terminal<TestBackend>,
    keys: &[KeyCode],
    budget: Duration,
) -> Result<ScrollRun> {
    let mut run = ScrollRun {
        total: Vec::with_capacity(keys.len()),
        handle: Vec::with_capacity(keys.len()),
        draw: Vec::with_capacity(keys.len()),
        depth: 0,
        stopped_early: false,
    };
    let (start, draws) = (Instant::now(), app.draws);
    for &k in keys {
        if start.elapsed() > budget {
            run.stopped_early = true;
            break;
        }
        let t = Instant::now();
        app.handle_event(Event::Key(key(k)));
        let handled = t.elapsed();
        term.draw(|f| app.render(f))?;
        let total = t.elapsed();
        run.total.push(total);
        run.handle.push(handled);
        run.draw.push(total - handled);
    }
    if app.draws - draws != run.total.len() as u64 {
        bail!("expected one frame per key");
    }
    let sel = app
        .visitors()
        .history
        .selected()
        .context("no selection after scrolling")?;
    run.depth = app.store.conn().query_row(
        "SELECT COUNT(*) FROM visits WHERE (time_in, id) > (?1, ?2)",
        rusqlite::params![sel.time_in, sel.id],
        |r| r.get(0),
    )?;
    Ok(run)
}

/// The history table's cells for one row, as the pane builds them for a guard.
fn history_cells(r: &VisitRow, offset_min: i32) -> (Vec<String>, Style) {
    let d = &r.details;
    let style = match r.status {
        VisitStatus::Denied => theme::error(),
        VisitStatus::OnSite => Style::new().fg(theme::OK),
        VisitStatus::Out => Style::new(),
    };
    let mut status = tr(&format!("visit.status.{}", r.status.key()));
    if r.corrections > 0 {
        status.push_str(&tr("visit.corrected_mark"));
    }
    (
        vec![
            time::fmt_local(r.time_in, offset_min, "%m-%d %H:%M"),
            d.name.clone(),
            status,
            r.time_out
                .map(|t| time::fmt_local(t, offset_min, "%H:%M"))
                .unwrap_or_default(),
            d.purpose.clone(),
            d.phone.clone().unwrap_or_default(),
            d.id_no.as_deref().map(mask_id).unwrap_or_default(),
            d.plate.clone().unwrap_or_default(),
            d.host.clone(),
        ],
        style,
    )
}

fn history_cols() -> Vec<table::Col> {
    use table::col;
    vec![
        col(tr("visit.col.time_in"), 11),
        col(tr("visit.col.name"), 10),
        col(tr("visit.col.status"), 8),
        col(tr("visit.col.time_out"), 5),
        col(tr("visit.col.purpose"), 14),
        col(tr("visit.col.phone"), 11),
        col(tr("visit.col.id_no"), 18),
        col(tr("visit.col.plate"), 9),
        col(tr("visit.col.host"), 10),
    ]
}

/// Baseline: the same keys moving a selection over a pre-built Vec, each
/// frame drawing the same number of visible rows with the same table widget
/// in the same place of a 120×40 terminal.
fn baseline_scroll(rows: &[VisitRow], keys: &[KeyCode], h: usize) -> Result<Vec<Duration>> {
    let mut term = Terminal::new(TestBackend::new(120, 40))?;
    let area = Rect::new(0, 3, 120, h as u16 + 1);
    let (mut sel, mut top) = (0usize, 0usize);
    let mut out = Vec::with_capacity(keys.len());
    for &k in keys {
        let t = Instant::now();
        sel += if k == KeyCode::PageDown { h } else { 1 };
        if sel >= rows.len() {
            (sel, top) = (0, 0);
        }
        if sel >= top + h {
            top = sel + 1 - h;
        }
        term.draw(|f| {
            let cells = rows[top..]
                .iter()
                .take(h)
                .map(|r| history_cells(r, 480))
                .collect();
            table::draw(
                area,
                f.buffer_mut(),
                &history_cols(),
                cells,
                Some(sel - top),
            );
        })?;
        out.push(t.elapsed());
    }
    Ok(out)
}

struct SearchSample {
    query: usize,
    prefix: String,
    app: Duration,
    handle: Duration,
    raw: Duration,
    rows: usize,
}

struct SearchResult {
    app: Stats,
    handle: Stats,
    raw: Stats,
    rounds: usize,
    samples: Vec<SearchSample>,
}

/// Types every query, one char at a time, each followed by a frame; right
/// after each, the same LIKE query runs as raw SQL on the app's connection
/// (`store.conn()`).
fn search_run(
    app: &mut App,
    term: &mut Terminal<TestBackend>,
    rounds: usize,
    budget: Duration,
) -> Result<SearchResult> {
    let (start, mut done) = (Instant::now(), 0);
    let mut samples = vec![];
    // The floor reads on a connection of its own: its scans of the whole
    // history would otherwise evict the app's pages from the one cache.
    let raw_conn = rusqlite::Connection::open_with_flags(
        app.store.path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    while done < rounds && (done == 0 || start.elapsed() < budget) {
        for (qi, q) in QUERIES.iter().enumerate() {
            press(app, KeyCode::Char('/'));
            draw(term, app)?;
            if !app.visitors().searching {
                bail!("/ did not open the search");
            }
            let mut prefix = String::new();
            for c in q.chars() {
                prefix.push(c);
                let t = Instant::now();
                app.handle_event(Event::Key(key(KeyCode::Char(c))));
                let handle = t.elapsed();
                term.draw(|f| app.render(f))?;
                let app_t = t.elapsed();
                let rows = app.visitors().history.rows.len();
                let t = Instant::now();
                let raw_rows = raw_like(&raw_conn, &prefix, app.visitors().history.page())?;
                let raw_t = t.elapsed();
                if raw_rows != rows {
                    bail!("{prefix:?}: the app shows {rows} rows, raw SQL finds {raw_rows}");
                }
                samples.push(SearchSample {
                    query: qi,
                    prefix: prefix.clone(),
                    app: app_t,
                    handle,
                    raw: raw_t,
                    rows,
                });
            }
            press(app, KeyCode::Esc);
            draw(term, app)?;
        }
        done += 1;
    }
    Ok(SearchResult {
        app: Stats::of(samples.iter().map(|s| s.app).collect()),
        handle: Stats::of(samples.iter().map(|s| s.handle).collect()),
        raw: Stats::of(samples.iter().map(|s| s.raw).collect()),
        rounds: done,
        samples,
    })
}

/// The history search's query, bare: no JSON decoding, no drawing.
fn raw_like(conn: &rusqlite::Connection, q: &str, page: usize) -> Result<usize> {
    let mut stmt = conn.prepare_cached(LIKE_SQL)?;
    let mut rows = stmt.query(rusqlite::params![
        like_pattern(&q.to_lowercase()),
        page as i64
    ])?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        for i in 0..11 {
            std::hint::black_box(r.get::<_, rusqlite::types::Value>(i)?);
        }
        n += 1;
    }
    Ok(n)
}

struct IdleResult {
    ticks: usize,
    redraws_in_minute: usize,
    redraws_at_change: usize,
    tick: Stats,
    start_local: String,
    /// Baseline: a 60 fps redraw loop of the same screen for 2 s.
    fps_draws: usize,
    fps_secs: f64,
    fps_cpu_pct: f64,
}

/// 600 ticks 100 ms apart inside one minute, then the minute turns.
fn idle_ticks(db: &Path, now: i64, budget: Duration) -> Result<IdleResult> {
    let clock = FixedClock::new(now);
    let store = Store::open(db, Arc::new(clock.clone()))?;
    let mut app = App::new(store, vec![]);
    login(&mut app, GUARD.0, GUARD.1)?;
    let mut term = Terminal::new(TestBackend::new(120, 40))?;
    draw(&mut term, &mut app)?;
    // A whole minute in which no visitor starts overstaying (that alert is
    // a legitimate redraw, not idle noise).
    let bounds: Vec<i64> = app
        .visitors()
        .on_site
        .iter()
        .map(|r| r.time_in + r.details.expected_minutes * 60_000)
        .collect();
    let mut start = (now / 60_000 + 1) * 60_000;
    while bounds
        .iter()
        .any(|b| (start - 1_000..=start + 61_000).contains(b))
    {
        start += 60_000;
    }
    clock.set(start);
    app.tick();
    let advance = |ms: i64| clock.0.fetch_add(ms, Ordering::SeqCst);
    let (t0, mut ticks, mut redraws, mut times) = (Instant::now(), 0, 0, vec![]);
    while ticks < IDLE_TICKS && t0.elapsed() < budget {
        let t = Instant::now();
        let dirty = app.tick();
        times.push(t.elapsed());
        if dirty {
            redraws += 1;
            draw(&mut term, &mut app)?;
        }
        ticks += 1;
        advance(100);
    }
    // The minute turns: the status-bar clock must update, once.
    clock.set(start + 60_000);
    let mut at_change = 0;
    for _ in 0..3 {
        if app.tick() {
            at_change += 1;
            draw(&mut term, &mut app)?;
        }
        advance(100);
    }
    // Baseline: what a 60 fps timer loop (ratatui's component template)
    // spends redrawing the same screen, into a TestBackend (no terminal I/O).
    let frame = Duration::from_micros(16_667);
    let (t0, mut busy, mut n) = (Instant::now(), Duration::ZERO, 0);
    while t0.elapsed() < Duration::from_secs(2) {
        let t = Instant::now();
        draw(&mut term, &mut app)?;
        let dt = t.elapsed();
        busy += dt;
        n += 1;
        std::thread::sleep(frame.saturating_sub(dt));
    }
    let wall = t0.elapsed().as_secs_f64();
    Ok(IdleResult {
        ticks,
        redraws_in_minute: redraws,
        redraws_at_change: at_change,
        tick: Stats::of(times),
        start_local: time::fmt_local(start, 480, "%H:%M:%S"),
        fps_draws: n,
        fps_secs: wall,
        fps_cpu_pct: busy.as_secs_f64() / wall * 100.0,
    })
}

// ───────────────────────────── early in the year ─────────────────────────────

/// The same measures on the station as it was after its first week, so
/// growth with history shows beside the year-end figures.
struct EarlyRun {
    events: i64,
    visits: usize,
    start: Stats,
    scroll: Stats,
    scroll_base: Stats,
    search: SearchResult,
    idle: IdleResult,
    mem: MemResult,
}

/// Builds the early station (a morning of the first week, at the late
/// run's hour) and runs the same loops on it.
fn early_run(year: &Path) -> Result<EarlyRun> {
    let now = early::early_instant(year, 480, 10 * 60)?;
    let path = year.with_file_name(format!("early-{}.db", std::process::id()));
    remove_db(&path);
    let copy = WorkCopy { path, _dir: None };
    let events = early::station_as_of(year, &copy.path, now)?;
    let starts = (0..START_RUNS)
        .map(|_| start_to_first_frame(&copy.path, now))
        .collect::<Result<Vec<_>>>()?;
    let clock = FixedClock::new(now);
    let (mut app, mut term) = logged_in_history(&copy.path, &clock)?;
    let h = app.visitors().list_height();
    let rows = app
        .store
        .history_page(&HistoryFilter::All, None, Page::Older, 5_000)?;
    let keys = ScrollPattern::Mixed.keys(SCROLL_KEYS);
    let run = scroll_run(&mut app, &mut term, &keys, MAIN_BUDGETS.scroll)?;
    let base = baseline_scroll(&rows, &keys[..run.total.len()], h)?;
    press(&mut app, KeyCode::Home);
    let search = search_run(&mut app, &mut term, SEARCH_ROUNDS, MAIN_BUDGETS.search)?;
    drop(app);
    let idle = idle_ticks(&copy.path, now, MAIN_BUDGETS.idle)?;
    let mem = peak_mem_parent(&copy.path, now);
    Ok(EarlyRun {
        events,
        visits: rows.len(),
        start: Stats::of(starts),
        scroll: Stats::of(run.total),
        scroll_base: Stats::of(base),
        search,
        idle,
        mem,
    })
}

// ───────────────────────────── peak memory ─────────────────────────────

#[cfg(target_os = "linux")]
fn vm_hwm_kb() -> Option<u64> {
    proc_status_kb(Path::new("/proc/self/status"), "VmHWM:")
}

#[cfg(not(target_os = "linux"))]
fn vm_hwm_kb() -> Option<u64> {
    None
}

#[cfg(target_os = "linux")]
fn proc_status_kb(path: &Path, field: &str) -> Option<u64> {
    let s = std::fs::read_to_string(path).ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The child: open, log in, scroll and search like steps 1–4, then report.
fn peak_mem_child(db: &Path, start_kb: Option<u64>, now: i64) -> Result<()> {
    let clock = FixedClock::new(now);
    start_to_first_frame(db, now)?;
    let (mut app, mut term) = logged_in_history(db, &clock)?;
    let mut keys = 0;
    for pattern in [ScrollPattern::Mixed, ScrollPattern::PageDown] {
        keys += scroll_run(
            &mut app,
            &mut term,
            &pattern.keys(SCROLL_KEYS),
            CHILD_BUDGETS.scroll,
        )?
        .total
        .len();
        press(&mut app, KeyCode::Home);
    }
    let search = search_run(&mut app, &mut term, 1, CHILD_BUDGETS.search)?;
    let peak = vm_hwm_kb();
    let show = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_else(|| "n/a".into());
    println!(
        "PEAKMEM start_kb={} peak_kb={} scroll_keys={keys} search_keys={}",
        show(start_kb),
        show(peak),
        search.samples.len()
    );
    Ok(())
}

/// A year's visitor register exported from the TUI (admin, `x`, Ctrl+S)
/// while F1 is pressed every 20 ms: each press opens or closes help, so
/// each is a real frame. Run in a fresh process so its peak is its own.
fn export_child(db: &Path, start_kb: Option<u64>) -> Result<()> {
    let clock = FixedClock::new(NOW_MS);
    let store = Store::open(db, Arc::new(clock.clone()))?;
    let mut app = App::new(store, vec![]);
    login(&mut app, ADMIN.0, ADMIN.1)?;
    let mut term = Terminal::new(TestBackend::new(120, 40))?;
    draw(&mut term, &mut app)?;
    press(&mut app, KeyCode::Char('x'));
    let out = tempfile::tempdir()?;
    let path = out.path().join("year.xlsx");
    match &mut app.visitors_mut().mode {
        Mode::Export(f) => {
            f.set("from", "2025-09-01");
            f.set("path", &path.to_string_lossy());
        }
        _ => bail!("x did not open the export form"),
    }
    let started = Instant::now();
    app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    draw(&mut term, &mut app)?;
    let mut samples = vec![];
    while matches!(app.visitors().mode, Mode::Exporting(_)) {
        if started.elapsed() > Duration::from_secs(300) {
            bail!("the export did not finish in 5 minutes");
        }
        std::thread::sleep(Duration::from_millis(20));
        let t = Instant::now();
        app.handle_key(key(KeyCode::F(1)));
        app.tick();
        draw(&mut term, &mut app)?;
        samples.push(t.elapsed());
    }
    let secs = started.elapsed().as_secs_f64();
    let toast = app.toast.clone().map(|t| t.text).unwrap_or_default();
    if !path.is_file() {
        bail!("no file written: {toast}");
    }
    let bytes = std::fs::metadata(&path)?.len();
    let st = Stats::of(samples);
    let show = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_else(|| "n/a".into());
    println!(
        "EXPORTMEM start_kb={} peak_kb={} keys={} p50={:.3} p99={:.3} max={:.3} secs={secs:.2} bytes={bytes}",
        show(start_kb),
        show(vm_hwm_kb()),
        st.n,
        st.p50,
        st.p99,
        st.max,
    );
    Ok(())
}

struct ExportResult {
    line: String,
    note: String,
}

fn export_parent(db: &Path) -> ExportResult {
    let out = std::env::current_exe().and_then(|exe| {
        std::process::Command::new(exe)
            .arg("--export-mem")
            .arg(db)
            .stdin(std::process::Stdio::null())
            .output()
    });
    match out {
        Ok(o) => {
            let text = String::from_utf8_lossy(&o.stdout);
            match text.lines().find(|l| l.starts_with("EXPORTMEM")) {
                Some(l) => ExportResult {
                    line: l.to_string(),
                    note: String::new(),
                },
                None => ExportResult {
                    line: String::new(),
                    note: format!(
                        "child failed: {}",
                        String::from_utf8_lossy(&o.stderr).trim()
                    ),
                },
            }
        }
        Err(e) => ExportResult {
            line: String::new(),
            note: format!("could not start the child: {e}"),
        },
    }
}

struct MemResult {
    start_kb: Option<u64>,
    peak_kb: Option<u64>,
    keys: String,
    note: String,
}

fn peak_mem_parent(db: &Path, now: i64) -> MemResult {
    let fail = |note: String| MemResult {
        start_kb: None,
        peak_kb: None,
        keys: String::new(),
        note,
    };
    let out = std::env::current_exe().and_then(|exe| {
        std::process::Command::new(exe)
            .arg("--peak-mem")
            .arg(db)
            .arg(now.to_string())
            .stdin(std::process::Stdio::null())
            .output()
    });
    let out = match out {
        Ok(o) => o,
        Err(e) => return fail(format!("could not start the child: {e}")),
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(line) = text.lines().find(|l| l.starts_with("PEAKMEM")) else {
        return fail(format!(
            "child failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    };
    let field = |name: &str| line.split_whitespace().find_map(|w| w.strip_prefix(name));
    let num = |name: &str| field(name).and_then(|v| v.parse::<u64>().ok());
    MemResult {
        start_kb: num("start_kb="),
        peak_kb: num("peak_kb="),
        keys: format!(
            "{} scroll + {} search keys",
            field("scroll_keys=").unwrap_or("?"),
            field("search_keys=").unwrap_or("?")
        ),
        note: if cfg!(target_os = "linux") {
            String::new()
        } else {
            "n/a (not Linux)".into()
        },
    }
}

// ───────────────────────────── the real binary, idle ─────────────────────────────

struct RealIdle {
    label: String,
    cpu_pct: Option<f64>,
    bytes: u64,
    secs: f64,
    logged_in: bool,
    hwm_kb: Option<u64>,
    /// Seconds from start until the start-up quick_check + daily backup
    /// finished, and the CPU seconds used by then.
    startup_task: Option<(f64, f64)>,
    note: String,
}

impl RealIdle {
    fn skipped(label: &str, note: String) -> RealIdle {
        RealIdle {
            label: label.into(),
            cpu_pct: None,
            bytes: 0,
            secs: 0.0,
            logged_in: false,
            hwm_kb: None,
            startup_task: None,
            note,
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn real_binary_idle(label: &str, _args: &[&str], _backups: Option<&Path>) -> RealIdle {
    RealIdle::skipped(label, "n/a (not Linux)".into())
}

#[cfg(target_os = "linux")]
fn real_binary_idle(label: &str, args: &[&str], backups: Option<&Path>) -> RealIdle {
    let bin = target_dir().join("release").join("dutydesk");
    if !bin.exists() {
        let msg = format!(
            "skipped: {} is absent (run `cargo build --release` first)",
            bin.display()
        );
        eprintln!("  {msg}");
        return RealIdle::skipped(label, msg);
    }
    match real_binary_idle_linux(&bin, label, args, backups) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("  {label}: {e:#}");
            RealIdle::skipped(label, format!("failed: {e:#}"))
        }
    }
}

/// utime + stime of a process, in clock ticks.
#[cfg(target_os = "linux")]
fn cpu_ticks(pid: u32) -> Result<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces): state is [0],
    // utime [11], stime [12].
    let rest = s.rsplit_once(')').context("bad /proc stat")?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    Ok(f.get(11).context("utime")?.parse::<u64>()? + f.get(12).context("stime")?.parse::<u64>()?)
}

/// Starts the binary in a 120×40 pty, logs in as the operator listed first,
/// waits (for the start-up backup into `backups` too, if given), then
/// samples its CPU time and output over 10 s.
#[cfg(target_os = "linux")]
fn real_binary_idle_linux(
    bin: &Path,
    label: &str,
    args: &[&str],
    backups: Option<&Path>,
) -> Result<RealIdle> {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::{Read, Write};
    use std::sync::Mutex;
    use std::sync::atomic::AtomicU64;

    let pair = native_pty_system().openpty(PtySize {
        rows: 40,
        cols: 120,
        pixel_width: 0,
        pixel_height: 0,
    })?;
    let mut cmd = CommandBuilder::new(bin);
    cmd.args(args);
    cmd.args(["--lang", "en"]);
    cmd.env("TERM", "xterm-256color");
    cmd.cwd(std::env::temp_dir());
    let started = Instant::now();
    let mut child = pair.slave.spawn_command(cmd)?;
    drop(pair.slave);
    let pid = child.process_id().context("no pid for the child")?;
    let parser = Arc::new(Mutex::new(vt100::Parser::new(40, 120, 0)));
    let bytes = Arc::new(AtomicU64::new(0));
    let mut reader = pair.master.try_clone_reader()?;
    {
        let (parser, bytes) = (parser.clone(), bytes.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                bytes.fetch_add(n as u64, Ordering::SeqCst);
                if let Ok(mut p) = parser.lock() {
                    p.process(&buf[..n]);
                }
            }
        });
    }
    let mut writer = pair.master.take_writer()?;
    let screen = || {
        parser
            .lock()
            .map(|p| p.screen().contents())
            .unwrap_or_default()
    };
    let result = (|| -> Result<RealIdle> {
        std::thread::sleep(Duration::from_secs(3));
        // Log in as whoever the login list shows first (the selected row).
        let text = screen();
        let first = text
            .lines()
            .find_map(|l| demo::OPERATORS.iter().find(|(n, _, _)| l.contains(n)))
            .context("the login screen did not appear within 3 s")?;
        writer.write_all(format!("{}\r", first.2).as_bytes())?;
        writer.flush()?;
        let mut logged_in = false;
        let mut wait = Duration::from_millis(50);
        let t = Instant::now();
        // Logging in on a big database is slow while the status bar scans
        // it (see the summary); allow for that on a loaded machine.
        while t.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(wait);
            wait = (wait * 2).min(Duration::from_millis(500));
            let s = screen();
            if !s.contains("Who is on duty") && s.contains("On site") {
                logged_in = true;
                break;
            }
        }
        // The start-up check and backup run beside the UI: wait them out
        // so they are not counted as idle.
        let mut startup_task = None;
        if let Some(dir) = backups {
            let done = || {
                std::fs::read_dir(dir).is_ok_and(|mut d| {
                    d.any(|e| e.is_ok_and(|e| e.path().extension().is_some_and(|x| x == "db")))
                })
            };
            while !done() && started.elapsed() < Duration::from_secs(120) {
                std::thread::sleep(Duration::from_millis(100));
            }
            if done() {
                startup_task = Some((
                    started.elapsed().as_secs_f64(),
                    cpu_ticks(pid)? as f64 / 100.0,
                ));
            }
        }
        std::thread::sleep(Duration::from_secs(1));
        let (c0, b0, t0) = (
            cpu_ticks(pid)?,
            bytes.load(Ordering::SeqCst),
            Instant::now(),
        );
        std::thread::sleep(Duration::from_secs(10));
        let (c1, b1) = (cpu_ticks(pid)?, bytes.load(Ordering::SeqCst));
        let secs = t0.elapsed().as_secs_f64();
        // /proc counts in USER_HZ: 100 per second on Linux.
        let cpu = (c1 - c0) as f64 / 100.0 / secs * 100.0;
        Ok(RealIdle {
            label: label.into(),
            cpu_pct: Some(cpu),
            bytes: b1 - b0,
            secs,
            logged_in,
            hwm_kb: proc_status_kb(Path::new(&format!("/proc/{pid}/status")), "VmHWM:"),
            startup_task,
            note: String::new(),
        })
    })();
    // Quit with Ctrl+C so a demo removes its throwaway database.
    let _ = writer.write_all(b"\x03");
    let _ = writer.flush();
    let t = Instant::now();
    let mut exited = false;
    while t.elapsed() < Duration::from_secs(3) {
        if let Ok(Some(_)) = child.try_wait() {
            exited = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    if !exited {
        let _ = child.kill();
        let _ = child.wait();
        let _ = std::fs::remove_dir_all(std::env::temp_dir().join(format!("dutydesk-demo-{pid}")));
    }
    result
}

// ───────────────────────────── proposed fixes, measured ─────────────────────────────

const VISIT_COLS: &str = "id, origin, status, time_in, time_out, details, time_in_reason, \
     registered_by, signed_out_by, watch, corrections";

/// Rows of `sql` with `arg`, all columns read, median of 5 runs in ms.
fn sql_ms(conn: &rusqlite::Connection, sql: &str, arg: Option<&str>) -> Result<f64> {
    median_ms(5, || {
        let mut stmt = conn.prepare_cached(sql)?;
        let n = stmt.column_count();
        let mut rows = match arg {
            Some(a) => stmt.query([a])?,
            None => stmt.query([])?,
        };
        while let Some(r) = rows.next()? {
            for i in 0..n {
                std::hint::black_box(r.get::<_, rusqlite::types::Value>(i)?);
            }
        }
        Ok(())
    })
}

/// Times the slow calls next to the rewrites proposed for them. Runs last:
/// it adds an index to the working copy.
fn what_if(db: &Path) -> Result<Vec<[String; 3]>> {
    let store = Store::open(db, Arc::new(FixedClock::new(NOW_MS)))?;
    let c = store.conn();
    let mut out = vec![];
    let on_site =
        format!("SELECT {VISIT_COLS} FROM visits WHERE status = 'on_site' ORDER BY time_in, id");
    let on_site_fixed =
        format!("SELECT {VISIT_COLS} FROM visits WHERE status = 'on_site' ORDER BY +time_in, +id");
    out.push([
        "Store::on_site: ORDER BY time_in, id → ORDER BY +time_in, +id (uses visits_on_site)"
            .into(),
        ms(sql_ms(c, &on_site, None)?),
        format!(
            "{} — {}",
            ms(sql_ms(c, &on_site_fixed, None)?),
            query_plan(c, &on_site_fixed)?
        ),
    ]);
    let before = median_ms(5, || {
        store.boarder_alerts(NOW_MS)?;
        Ok(())
    })?;
    c.execute_batch(
        "CREATE INDEX IF NOT EXISTS bench_marks_absent ON marks(round_id, student_id) WHERE mark = 'absent'",
    )?;
    let after = median_ms(5, || {
        store.boarder_alerts(NOW_MS)?;
        Ok(())
    })?;
    out.push([
        "Store::boarder_alerts (open_absences scans all marks) + partial index marks(round_id, student_id) WHERE mark = 'absent'".into(),
        ms(before),
        ms(after),
    ]);
    let like = format!(
        "SELECT {VISIT_COLS} FROM visits WHERE search LIKE ?1 ESCAPE '\\' ORDER BY time_in DESC, id DESC LIMIT 100"
    );
    let persons_first = format!(
        "SELECT {VISIT_COLS} FROM visits WHERE person_key IN \
         (SELECT key FROM persons WHERE search LIKE ?1 ESCAPE '\\') \
         ORDER BY time_in DESC, id DESC LIMIT 100"
    );
    for q in ["qqqq", "002x", "zs", "z"] {
        let n: i64 = c.query_row(
            "SELECT COUNT(*) FROM persons WHERE search LIKE ?1 ESCAPE '\\'",
            [like_pattern(q)],
            |r| r.get(0),
        )?;
        out.push([
            format!(
                "history search {q:?}: visits LIKE scan → persons LIKE first ({n} persons match)"
            ),
            ms(sql_ms(c, &like, Some(&like_pattern(q)))?),
            ms(sql_ms(c, &persons_first, Some(&like_pattern(q)))?),
        ]);
    }
    Ok(out)
}

// ───────────────────────────── divan: the store queries ─────────────────────────────

static DIVAN_DB: OnceLock<PathBuf> = OnceLock::new();

fn divan_store() -> Store {
    let db = DIVAN_DB
        .get()
        .expect("divan benches run after the database is ready");
    Store::open(db, Arc::new(FixedClock::new(NOW_MS))).expect("open the bench database")
}

#[divan::bench_group(sample_count = 100)]
mod store_queries {
    use super::*;
    use divan::Bencher;

    /// The newest 100 visits: what the history list loads first.
    #[divan::bench]
    fn history_page_first(b: Bencher) {
        let s = divan_store();
        b.bench_local(|| {
            s.history_page(&HistoryFilter::All, None, Page::Older, 100)
                .unwrap()
        });
    }

    /// 100 visits after a cursor ~100,000 rows deep (keyset paging).
    #[divan::bench]
    fn history_page_deep(b: Bencher) {
        let s = divan_store();
        let cursor: (i64, String) = s
            .conn()
            .query_row(
                "SELECT time_in, id FROM visits ORDER BY time_in DESC, id DESC LIMIT 1 OFFSET 100000",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        b.bench_local(|| {
            s.history_page(&HistoryFilter::All, Some(&cursor), Page::Older, 100)
                .unwrap()
        });
    }

    /// The history search (first 100 matches, newest first).
    #[divan::bench(args = ["zs", "138", "002x", "qqqq"])]
    fn history_page_search(b: Bencher, q: &str) {
        let s = divan_store();
        let f = HistoryFilter::Text(q.to_string());
        b.bench_local(|| s.history_page(&f, None, Page::Older, 100).unwrap());
    }

    /// Returning-visitor suggestions while typing a name (the form asks for 6).
    #[divan::bench(args = ["zs", "zhang", "138"])]
    fn suggest_persons(b: Bencher, q: &str) {
        let s = divan_store();
        b.bench_local(|| s.suggest_persons(q, 6).unwrap());
    }

    #[divan::bench(args = ["zs", "002X", "2026-11-02", "11/02"])]
    fn history_filter_parse(b: Bencher, q: &str) {
        b.bench(|| HistoryFilter::parse(divan::black_box(q), 480, NOW_MS));
    }

    /// The on-site list, which the status bar reads on every key and tick.
    #[divan::bench(sample_count = 10)]
    fn on_site_counts(b: Bencher) {
        let s = divan_store();
        b.bench_local(|| s.on_site_counts(NOW_MS).unwrap());
    }
}

// ───────────────────────────── figures and the summary ─────────────────────────────

#[derive(Clone, Copy, Default)]
struct Stats {
    n: usize,
    p50: f64,
    p99: f64,
    max: f64,
}

impl Stats {
    /// Nearest-rank percentiles, in milliseconds.
    fn of(mut v: Vec<Duration>) -> Stats {
        if v.is_empty() {
            return Stats::default();
        }
        v.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let rank = |p: f64| {
            let i = (p / 100.0 * v.len() as f64).ceil() as usize;
            ms(v[i.clamp(1, v.len()) - 1])
        };
        Stats {
            n: v.len(),
            p50: rank(50.0),
            p99: rank(99.0),
            max: ms(v[v.len() - 1]),
        }
    }

    fn triple(&self) -> String {
        format!(
            "p50 {} / p99 {} / max {}",
            ms(self.p50),
            ms(self.p99),
            ms(self.max)
        )
    }
}

/// Milliseconds with sensible precision.
fn ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0} ms")
    } else if v >= 1.0 {
        format!("{v:.2} ms")
    } else {
        format!("{v:.3} ms")
    }
}

struct ScrollResult {
    pattern: ScrollPattern,
    app: Stats,
    handle: Stats,
    draw: Stats,
    base: Stats,
    depth: i64,
    stopped_early: bool,
}

#[derive(Default)]
struct Report {
    db: DbInfo,
    start: Option<(Stats, Stats)>,
    probe: Option<Probe>,
    what_if: Vec<[String; 3]>,
    scroll: Vec<ScrollResult>,
    search: Option<SearchResult>,
    idle: Option<IdleResult>,
    mem: Option<MemResult>,
    early: Option<EarlyRun>,
    export: Option<ExportResult>,
    real_idle: Vec<RealIdle>,
    total: Duration,
    after_cache: Duration,
    load_before: String,
    load_after: String,
}

/// The machine is shared: its load average goes beside the figures.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 && a.is_finite() {
        format!("×{:.1}", a / b)
    } else {
        "–".into()
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

fn mb(kb: Option<u64>) -> String {
    kb.map(|v| format!("{:.1} MB", v as f64 / 1024.0))
        .unwrap_or_else(|| "n/a".into())
}

impl Report {
    fn render(&self) -> String {
        let mut o = String::new();
        let db = &self.db;
        let _ = writeln!(
            o,
            "\n══════════ dutydesk visitors benchmark — summary ══════════"
        );
        let _ = writeln!(
            o,
            "school-year DB: {} visits, {} events, {:.1} MB, {}",
            group(db.visits),
            group(db.events),
            db.bytes as f64 / 1_048_576.0,
            db.path.display(),
        );
        let _ = writeln!(
            o,
            "generation: {:.1} s ({}); this run {:.0} s, of which {:.0} s after the cache",
            db.gen_secs,
            if db.generated_now {
                "this run"
            } else {
                "cached from an earlier run"
            },
            self.total.as_secs_f64(),
            self.after_cache.as_secs_f64()
        );
        let _ = writeln!(
            o,
            "zh-CN, logged in as {} (guard), warm page cache, bench profile (release); {} cores, load average {} before, {} after\n",
            GUARD.0,
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(0),
            self.load_before,
            self.load_after
        );
        let mut rows: Vec<[String; 6]> = vec![];
        if let Some((full, empty)) = &self.start {
            rows.push([
                "1 start → first frame (open + App::new + login screen, 80×24)".into(),
                format!(
                    "median {}, max {} (n={})",
                    ms(full.p50),
                    ms(full.max),
                    full.n
                ),
                format!(
                    "empty station: median {}, max {}",
                    ms(empty.p50),
                    ms(empty.max)
                ),
                format!(
                    "{} / {}",
                    ratio(full.p50, empty.p50),
                    ratio(full.max, empty.max)
                ),
                "≤ 150 ms".into(),
                verdict(full.max <= 150.0).into(),
            ]);
        }
        for s in &self.scroll {
            rows.push([
                format!(
                    "2 scroll key → frame, 120×40: {} (n={}{}, ends {} rows deep)",
                    s.pattern.label(),
                    s.app.n,
                    if s.stopped_early {
                        ", time budget hit"
                    } else {
                        ""
                    },
                    group(s.depth)
                ),
                s.app.triple(),
                format!("Vec + same table: {}", s.base.triple()),
                format!(
                    "{} p50 / {} p99",
                    ratio(s.app.p50, s.base.p50),
                    ratio(s.app.p99, s.base.p99)
                ),
                "p99 ≤ 5 ms".into(),
                verdict(s.app.p99 <= 5.0).into(),
            ]);
        }
        if let Some(s) = &self.search {
            rows.push([
                format!(
                    "3 search key → frame, 120×40 (n={}, {} round{})",
                    s.app.n,
                    s.rounds,
                    if s.rounds == 1 { "" } else { "s" }
                ),
                s.app.triple(),
                format!("raw LIKE SQL: {}", s.raw.triple()),
                format!(
                    "{} p50 / {} p99",
                    ratio(s.app.p50, s.raw.p50),
                    ratio(s.app.p99, s.raw.p99)
                ),
                // Issue 10: any key → frame without writes, p99 ≤ 5 ms.
                "p99 ≤ 5 ms".into(),
                verdict(s.app.p99 <= 5.0).into(),
            ]);
        }
        if let Some(m) = &self.mem {
            rows.push([
                format!(
                    "4 peak memory (VmHWM), fresh process: open, log in, {}",
                    m.keys
                ),
                if m.note.is_empty() {
                    mb(m.peak_kb)
                } else {
                    format!("{} ({})", mb(m.peak_kb), m.note)
                },
                format!("at process start: {}", mb(m.start_kb)),
                match (m.peak_kb, m.start_kb) {
                    (Some(p), Some(s)) => ratio(p as f64, s as f64),
                    _ => "–".into(),
                },
                "≤ 64 MB".into(),
                match m.peak_kb {
                    Some(p) => verdict(p <= 64 * 1024).into(),
                    None => "n/a".into(),
                },
            ]);
        }
        if let Some(e) = &self.export {
            let field = |name: &str| {
                e.line
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix(name))
                    .and_then(|v| v.parse::<f64>().ok())
            };
            let peak = field("peak_kb=").map(|v| v as u64);
            let p99 = field("p99=");
            rows.push([
                format!(
                    "4b a year's register exported from the TUI: {} F1 frames while it ran, {:.1} s, {:.1} MB file{}",
                    field("keys=").unwrap_or(0.0),
                    field("secs=").unwrap_or(0.0),
                    field("bytes=").unwrap_or(0.0) / 1_048_576.0,
                    if e.note.is_empty() { String::new() } else { format!(" ({})", e.note) }
                ),
                format!(
                    "key → frame p50 {} p99 {} max {}; peak {}",
                    field("p50=").map(ms).unwrap_or_default(),
                    p99.map(ms).unwrap_or_default(),
                    field("max=").map(ms).unwrap_or_default(),
                    mb(peak)
                ),
                format!("process start: {}", mb(field("start_kb=").map(|v| v as u64))),
                "–".into(),
                "p99 ≤ 50 ms, ≤ 64 MB".into(),
                match (p99, peak) {
                    (Some(p), Some(k)) => verdict(p <= 50.0 && k <= 64 * 1024).into(),
                    _ => "n/a".into(),
                },
            ]);
        }
        if let Some(i) = &self.idle {
            let per_min = i.fps_draws as f64 / i.fps_secs * 60.0;
            rows.push([
                format!(
                    "5 idle redraws: {} of {IDLE_TICKS} ticks × 100 ms from {}",
                    i.ticks, i.start_local
                ),
                format!(
                    "{} redraws; minute turns → {} redraw",
                    i.redraws_in_minute, i.redraws_at_change
                ),
                format!("60 fps loop: {per_min:.0} redraws/min"),
                ratio(i.redraws_in_minute as f64, per_min),
                "0, then 1".into(),
                match (
                    i.redraws_in_minute == 0 && i.redraws_at_change == 1,
                    i.ticks == IDLE_TICKS,
                ) {
                    (true, true) => "met".into(),
                    (true, false) => format!("met for {} ticks (time budget)", i.ticks),
                    (false, _) => "MISSED".into(),
                },
            ]);
            rows.push([
                "5 idle: CPU of one 1 s tick (App::tick, school-year DB)".into(),
                format!(
                    "{} → {:.1} % of a core",
                    i.tick.triple(),
                    i.tick.p50 / 1000.0 * 100.0
                ),
                format!("60 fps redraw loop: {:.2} % of a core", i.fps_cpu_pct),
                ratio(i.tick.p50 / 10.0, i.fps_cpu_pct),
                "~0 %".into(),
                verdict(i.tick.p50 < 5.0).into(),
            ]);
            for r in &self.real_idle {
                let value = match r.cpu_pct {
                    Some(c) => format!(
                        "{c:.2} % CPU over {:.0} s, {} bytes drawn{}{}{}",
                        r.secs,
                        r.bytes,
                        if r.logged_in {
                            ", logged in"
                        } else {
                            ", NOT logged in"
                        },
                        r.hwm_kb
                            .map(|k| format!(", VmHWM {:.1} MB", k as f64 / 1024.0))
                            .unwrap_or_default(),
                        r.startup_task
                            .map(|(at, cpu)| format!(
                                " (after the start-up quick_check + daily backup: done {at:.1} s after start, {cpu:.1} CPU-s)"
                            ))
                            .unwrap_or_default()
                    ),
                    None => r.note.clone(),
                };
                rows.push([
                    format!("5 idle CPU: target/release/dutydesk {} in a pty", r.label),
                    value,
                    format!("60 fps redraw loop: {:.2} %", i.fps_cpu_pct),
                    r.cpu_pct
                        .map(|c| ratio(c, i.fps_cpu_pct))
                        .unwrap_or_else(|| "–".into()),
                    "~0 %".into(),
                    match r.cpu_pct {
                        Some(c) => verdict(c < 0.5).into(),
                        None => "n/a".into(),
                    },
                ]);
            }
        }
        let head = [
            "measure",
            "value",
            "baseline (same run)",
            "ratio",
            "goal",
            "status",
        ]
        .map(String::from);
        o.push_str(&table_text(&head, &rows));

        let mut spots: Vec<[String; 2]> = vec![];
        if let Some(p) = &self.probe {
            spots.push([
                "Store::on_site_counts (status bar; after every key and every tick)".into(),
                format!(
                    "{} for {} rows — plan: {}",
                    ms(p.on_site_ms),
                    p.on_site_rows,
                    p.on_site_plan
                ),
            ]);
            spots.push([
                "Store::boarder_alerts (status bar; after every key and every tick)".into(),
                ms(p.boarder_alerts_ms),
            ]);
            spots.push(["App::tick (one idle tick)".into(), ms(p.tick_ms)]);
        }
        for s in &self.scroll {
            spots.push([
                format!(
                    "scroll {}: handling the key / drawing the frame",
                    s.pattern.label()
                ),
                format!("{} / {}", s.handle.triple(), s.draw.triple()),
            ]);
        }
        if let Some(s) = &self.search {
            spots.push([
                "search: handling the key (query + status bar)".into(),
                s.handle.triple(),
            ]);
        }
        if !spots.is_empty() {
            let _ = writeln!(o, "\nwhere the time goes:");
            o.push_str(&table_text(
                &[
                    "call".to_string(),
                    "time (median unless stated)".to_string(),
                ],
                &spots,
            ));
        }

        if !self.what_if.is_empty() {
            let _ = writeln!(
                o,
                "\nthe slow calls, as they are and as the proposed fixes would run them (same DB, same run):"
            );
            let head = ["call", "now", "with the fix"].map(String::from);
            o.push_str(&table_text(&head, &self.what_if));
        }

        if let Some(s) = &self.search {
            let _ = writeln!(
                o,
                "\nsearch detail (median over {} round(s); rows = matches shown, at most a page):",
                s.rounds
            );
            let mut d: Vec<[String; 6]> = vec![];
            for (qi, q) in QUERIES.iter().enumerate() {
                let mut prefixes: Vec<&str> = vec![];
                for smp in s.samples.iter().filter(|x| x.query == qi) {
                    if !prefixes.contains(&smp.prefix.as_str()) {
                        prefixes.push(&smp.prefix);
                    }
                }
                for p in prefixes {
                    let of = |f: &dyn Fn(&SearchSample) -> Duration| {
                        Stats::of(
                            s.samples
                                .iter()
                                .filter(|x| x.query == qi && x.prefix == p)
                                .map(f)
                                .collect(),
                        )
                    };
                    let (a, r) = (of(&|x| x.app), of(&|x| x.raw));
                    let rows = s
                        .samples
                        .iter()
                        .find(|x| x.query == qi && x.prefix == p)
                        .map(|x| x.rows)
                        .unwrap_or(0);
                    d.push([
                        format!("{q:?} typing {p:?}"),
                        rows.to_string(),
                        format!("{} (max {})", ms(a.p50), ms(a.max)),
                        format!("{} (max {})", ms(r.p50), ms(r.max)),
                        ratio(a.p50, r.p50),
                        verdict(a.max <= 5.0).into(),
                    ]);
                }
            }
            let head = [
                "query",
                "rows",
                "app key → frame",
                "raw SQL",
                "ratio",
                "max ≤ 5 ms",
            ]
            .map(String::from);
            o.push_str(&table_text(&head, &d));
        }
        if let Some(e) = &self.early {
            o.push_str(&self.render_early(e));
        }
        o
    }

    /// Early (the station after its first week) against late (the year's
    /// end): the same loops in the same run, each beside its floor.
    fn render_early(&self, e: &EarlyRun) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "\n── early vs late: the station after its first {} days ({} events, {} visits in the history) and at the year's end ({} events) ──",
            early::EARLY_DAYS,
            group(e.events),
            group(e.visits as i64),
            group(self.db.events)
        );
        let mut d: Vec<[String; 5]> = vec![];
        let late_scroll = self
            .scroll
            .iter()
            .find(|r| matches!(r.pattern, ScrollPattern::Mixed));
        let pair = |a: &Stats, b: Option<&Stats>| -> [String; 3] {
            match b {
                Some(b) => [a.triple(), b.triple(), ratio(b.p99, a.p99)],
                None => [a.triple(), "–".into(), "–".into()],
            }
        };
        let mut push = |what: &str, a: &Stats, b: Option<&Stats>, floor: String| {
            let [x, y, r] = pair(a, b);
            d.push([what.into(), x, y, r, floor]);
        };
        push(
            "start → first frame",
            &e.start,
            self.start.as_ref().map(|s| &s.0),
            format!(
                "empty station: {}",
                self.start.as_ref().map_or("–".into(), |s| s.1.triple())
            ),
        );
        push(
            "history key → frame (↓/↑ + PgDn/PgUp)",
            &e.scroll,
            late_scroll.map(|r| &r.app),
            format!(
                "table::draw: early {}, late {}",
                e.scroll_base.triple(),
                late_scroll.map_or("–".into(), |r| r.base.triple())
            ),
        );
        push(
            "search key → frame",
            &e.search.app,
            self.search.as_ref().map(|s| &s.app),
            format!(
                "raw LIKE: early {}, late {}",
                e.search.raw.triple(),
                self.search.as_ref().map_or("–".into(), |s| s.raw.triple())
            ),
        );
        push(
            "idle tick",
            &e.idle.tick,
            self.idle.as_ref().map(|i| &i.tick),
            format!(
                "redraws in the minute: early {}, late {}",
                e.idle.redraws_in_minute,
                self.idle
                    .as_ref()
                    .map_or("–".into(), |i| i.redraws_in_minute.to_string())
            ),
        );
        d.push([
            "peak memory, fresh process (VmHWM)".into(),
            mb(e.mem.peak_kb),
            self.mem.as_ref().map_or("–".into(), |m| mb(m.peak_kb)),
            match (e.mem.peak_kb, self.mem.as_ref().and_then(|m| m.peak_kb)) {
                (Some(a), Some(b)) => ratio(b as f64, a as f64),
                _ => "–".into(),
            },
            format!("at process start: {}", mb(e.mem.start_kb)),
        ]);
        let head = [
            "measure",
            "early",
            "late",
            "late/early p99",
            "floor (same run)",
        ]
        .map(String::from);
        o.push_str(&table_text(&head, &d));
        o
    }
}

fn group(n: i64) -> String {
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn table_text<const N: usize>(head: &[String; N], rows: &[[String; N]]) -> String {
    let w = |s: &str| unicode_width::UnicodeWidthStr::width(s);
    let mut widths: [usize; N] = std::array::from_fn(|i| w(&head[i]));
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(w(c));
        }
    }
    let line = |cells: &[String; N]| {
        let mut s = String::from("│");
        for (i, c) in cells.iter().enumerate() {
            s.push(' ');
            s.push_str(c);
            s.push_str(&" ".repeat(widths[i] - w(c)));
            s.push_str(" │");
        }
        s.push('\n');
        s
    };
    let rule = |l: &str, m: &str, r: &str| {
        let parts: Vec<String> = widths.iter().map(|n| "─".repeat(n + 2)).collect();
        format!("{l}{}{r}\n", parts.join(m))
    };
    let mut o = rule("┌", "┬", "┐");
    o.push_str(&line(head));
    o.push_str(&rule("├", "┼", "┤"));
    for r in rows {
        o.push_str(&line(r));
    }
    o.push_str(&rule("└", "┴", "┘"));
    o
}
