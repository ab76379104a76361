//! Benchmarks of the hazards pane and ledger on a school year (issue 11,
//! "Performance"). Run: `cargo bench --bench hazards`.
//!
//! 1. The school-year database — the same cached file the roll-call bench
//!    uses (`target/bench-data/rollcall-v<N>-<G>.db`, generated once by
//!    `demo::generate(Scale::SchoolYear)` with its ~2,000 hazards).
//! 2. Key → frame in the hazards pane (↓/↑/PgDn through "All", Tab through
//!    the views, typing a search), goal p99 ≤ 5 ms; floor: `ui::table::draw`
//!    of the same visible rows from a pre-built Vec.
//! 3. The ledger filtered by each field (`Store::hazards`, as many rows as
//!    the pane loads), goal ≤ 5 ms; floor: the same WHERE as a bare SQL count.
//! 4. A year's 隐患排查台账 (.xlsx) from a fresh child process: time (goal
//!    ≤ 2 s) and the child's peak memory (VmHWM, goal ≤ 64 MB); floors:
//!    reading the same rows by SQL alone, and the child's memory before it.
//!
//! Loops are measured by hand (percentiles, nearest rank).

use anyhow::{Context, Result, ensure};
use dutydesk::app::App;
use dutydesk::domain::hazard::{Category, Severity, Status};
use dutydesk::domain::time::FixedClock;
use dutydesk::i18n::{self, Lang};
use dutydesk::report::ledger::Unwatched;
use dutydesk::report::sick::RangeRequest;
use dutydesk::store::Store;
use dutydesk::store::hazards::HazardFilter;
use dutydesk::ui::table::{self, col};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::Style;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

const LEADER: (&str, &str) = ("刘主任", "3333");
const ADMIN: (&str, &str) = ("陈老师", "9999");
const KEYS: usize = 1_000;
const FILTER_RUNS: usize = 200;

#[path = "common/year.rs"]
mod year;

use year::{Stats, key, login, school_year_db, year_now_ms as now_ms};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--export-child") {
        let db = PathBuf::from(&args[i + 1]);
        if let Err(e) = export_child(&db) {
            eprintln!("export child failed: {e:#}");
            std::process::exit(1);
        }
        return;
    }
    if !args.iter().any(|a| a == "--bench") {
        println!("hazards bench: skipped (run `cargo bench --bench hazards`)");
        return;
    }
    i18n::set_lang(Lang::ZhCn);
    if let Err(e) = run() {
        eprintln!("hazards bench failed: {e:#}");
        std::process::exit(1);
    }
}

/// Key → frame: the key handled and the frame drawn at 120×40.
fn key_to_frame(
    app: &mut App,
    term: &mut Terminal<TestBackend>,
    keys: &[KeyEvent],
) -> Result<Stats> {
    Ok(Stats::of(key_times(app, term, keys)?))
}

/// Each key's own time, in order (to name the slowest).
fn key_times(
    app: &mut App,
    term: &mut Terminal<TestBackend>,
    keys: &[KeyEvent],
) -> Result<Vec<std::time::Duration>> {
    let mut v = Vec::with_capacity(keys.len());
    for k in keys {
        let t = Instant::now();
        app.handle_event(Event::Key(*k));
        term.draw(|f| app.render(f))?;
        v.push(t.elapsed());
    }
    Ok(v)
}

/// The three slowest keys of a run, as "key#i (code) ms".
fn slowest(keys: &[KeyEvent], times: &[std::time::Duration]) -> String {
    let mut idx: Vec<usize> = (0..times.len()).collect();
    idx.sort_by_key(|&i| std::cmp::Reverse(times[i]));
    idx.iter()
        .take(3)
        .map(|&i| {
            format!(
                "#{i} {:?} {:.2} ms",
                keys[i].code,
                times[i].as_secs_f64() * 1e3
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The floor: the same number of frames of the ledger's visible rows drawn
/// by `ui::table::draw` from a Vec built beforehand.
fn table_floor(app: &App, n: usize) -> Stats {
    let rows: Vec<Vec<String>> = app
        .hazards()
        .rows
        .iter()
        .take(36)
        .map(|v| {
            vec![
                format!("{:?}", v.severity),
                v.status.key().to_string(),
                v.place.clone(),
                v.description.clone(),
                v.deadline_ms.to_string(),
                v.responsible.clone(),
                v.found_ms.to_string(),
            ]
        })
        .collect();
    let cols = [
        col("等级".into(), 7),
        col("状态".into(), 9),
        col("部位".into(), 16),
        col("描述".into(), 20),
        col("期限".into(), 19),
        col("责任人".into(), 10),
        col("排查".into(), 11),
    ];
    let area = Rect::new(0, 0, 120, 36);
    let mut v = Vec::with_capacity(n);
    for i in 0..n {
        let mut buf = ratatui::buffer::Buffer::empty(area);
        let t = Instant::now();
        table::draw(
            area,
            &mut buf,
            &cols,
            rows.iter().map(|r| (r.clone(), Style::new())).collect(),
            Some(i % rows.len().max(1)),
        );
        v.push(t.elapsed());
    }
    Stats::of(v)
}

fn pane_keys(db: &Path) -> Result<Vec<(String, Stats, Stats)>> {
    let store = Store::open(db, Arc::new(FixedClock::new(now_ms())))?;
    let mut app = App::new(store, vec![]);
    login(&mut app, LEADER.0, LEADER.1)?;
    let mut term = Terminal::new(TestBackend::new(120, 40))?;
    app.handle_event(Event::Key(key(KeyCode::Char('4'))));
    // "All": the whole year's ledger (as many rows as the pane loads).
    for _ in 0..4 {
        app.handle_event(Event::Key(key(KeyCode::Tab)));
    }
    term.draw(|f| app.render(f))?;
    ensure!(
        !app.hazards().rows.is_empty(),
        "no hazards in the school year"
    );
    let mut out = vec![];
    let down: Vec<KeyEvent> = (0..KEYS)
        .map(|i| {
            key(match i % 10 {
                0..=6 => KeyCode::Down,
                7 => KeyCode::PageDown,
                8 => KeyCode::Up,
                _ => KeyCode::PageUp,
            })
        })
        .collect();
    let s = key_to_frame(&mut app, &mut term, &down)?;
    out.push((
        "↓/↑/PgDn/PgUp (All)".to_string(),
        s,
        table_floor(&app, KEYS),
    ));
    let tabs: Vec<KeyEvent> = (0..200).map(|_| key(KeyCode::Tab)).collect();
    let s = key_to_frame(&mut app, &mut term, &tabs)?;
    out.push((
        "Tab through the views (a query each)".into(),
        s,
        table_floor(&app, 200),
    ));
    // Typing a search: each key re-queries the ledger.
    let mut typing = vec![key(KeyCode::Char('/'))];
    for _ in 0..20 {
        for c in "宿舍".chars().chain("ss".chars()) {
            typing.push(key(KeyCode::Char(c)));
        }
        for _ in 0..4 {
            typing.push(key(KeyCode::Backspace));
        }
    }
    typing.push(key(KeyCode::Enter));
    let times = key_times(&mut app, &mut term, &typing)?;
    eprintln!(
        "typing a search, slowest keys: {}",
        slowest(&typing, &times)
    );
    let s = Stats::of(times);
    out.push((
        "typing a search (a query each)".into(),
        s,
        table_floor(&app, typing.len()),
    ));
    Ok(out)
}

/// `Store::hazards` with one field set, against the bare SQL count of the
/// same WHERE.
fn filters(db: &Path) -> Result<Vec<(String, Stats, Stats, usize)>> {
    let store = Store::open(db, Arc::new(FixedClock::new(now_ms())))?;
    let now = now_ms();
    let day = 86_400_000;
    let cases: Vec<(&str, HazardFilter, String)> = vec![
        (
            "status = closed",
            HazardFilter {
                status: Some(Status::Closed),
                ..Default::default()
            },
            "status = 'closed'".into(),
        ),
        (
            "open",
            HazardFilter {
                open: true,
                ..Default::default()
            },
            "status <> 'closed'".into(),
        ),
        (
            "severity = serious",
            HazardFilter {
                severity: Some(Severity::Serious),
                ..Default::default()
            },
            "severity = 'serious'".into(),
        ),
        (
            "category = electrical",
            HazardFilter {
                category: Some(Category::Electrical),
                ..Default::default()
            },
            "category = 'electrical'".into(),
        ),
        (
            "place LIKE 宿舍",
            HazardFilter {
                place: "宿舍".into(),
                ..Default::default()
            },
            "place LIKE '%宿舍%'".into(),
        ),
        (
            "search 'ss' (pinyin)",
            HazardFilter {
                text: "ss".into(),
                ..Default::default()
            },
            "search LIKE '%ss%'".into(),
        ),
        (
            "overdue",
            HazardFilter {
                overdue: true,
                ..Default::default()
            },
            format!("status IN ('reported','assigned','rectified') AND deadline_ms < {now}"),
        ),
        (
            "found in one month",
            HazardFilter {
                from_ms: Some(now - 60 * day),
                to_ms: Some(now - 30 * day),
                ..Default::default()
            },
            format!(
                "found_ms >= {} AND found_ms < {}",
                now - 60 * day,
                now - 30 * day
            ),
        ),
    ];
    let mut out = vec![];
    for (name, f, sql) in cases {
        let f = HazardFilter {
            limit: dutydesk::panes::hazards::LIMIT,
            ..f
        };
        let mut t = vec![];
        let mut n = 0;
        for _ in 0..FILTER_RUNS {
            let s = Instant::now();
            n = store.hazards(&f, now)?.len();
            t.push(s.elapsed());
        }
        let mut floor = vec![];
        let q = format!("SELECT COUNT(*) FROM hazards WHERE {sql}");
        for _ in 0..FILTER_RUNS {
            let s = Instant::now();
            let _: i64 = store.conn().query_row(&q, [], |r| r.get(0))?;
            floor.push(s.elapsed());
        }
        out.push((name.to_string(), Stats::of(t), Stats::of(floor), n));
    }
    Ok(out)
}

fn vm_hwm_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// In a fresh process: the year's ledger written as .xlsx; prints the time,
/// the row count, the SQL-only read of the same rows, and VmHWM before and
/// after.
fn export_child(db: &Path) -> Result<()> {
    i18n::set_lang(Lang::ZhCn);
    let store = Store::open(db, Arc::new(FixedClock::new(now_ms())))?;
    let admin = store
        .find_operator_by_name(ADMIN.0)?
        .context("no admin")?
        .actor();
    let before = vm_hwm_kb();
    let today = dutydesk::domain::time::local(now_ms(), 480).date_naive();
    let out = tempfile::tempdir()?;
    let req = RangeRequest {
        from: today - chrono::Duration::days(366),
        to: today,
        path: out.path().join("隐患排查台账.xlsx"),
    };
    let t = Instant::now();
    let n = dutydesk::report::hazards::export_hazards(&store, &admin, &req, &Unwatched)?;
    let secs = t.elapsed().as_secs_f64();
    let peak = vm_hwm_kb();
    // The floor: the same rows read by SQL alone.
    let t = Instant::now();
    let mut rows = 0usize;
    store.each_hazard_between(i64::MIN, i64::MAX, &mut |_| {
        rows += 1;
        Ok(())
    })?;
    let floor = t.elapsed().as_secs_f64();
    let size = std::fs::metadata(&req.path)?.len();
    println!(
        "EXPORT n={n} secs={secs:.3} floor_secs={floor:.3} rows={rows} bytes={size} before_kb={} peak_kb={}",
        before.unwrap_or(0),
        peak.unwrap_or(0)
    );
    Ok(())
}

fn run() -> Result<()> {
    let db = school_year_db()?;
    let count: i64 = Store::open(&db, Arc::new(FixedClock::new(now_ms())))?
        .conn()
        .query_row("SELECT COUNT(*) FROM hazards", [], |r| r.get(0))?;
    println!("\nhazards bench on a school year: {count} hazards\n");

    println!("Key → frame in the hazards pane, 120×40 (goal p99 ≤ 5 ms)");
    println!(
        "{:<40} {:>6} {:>9} {:>9} {:>9} | floor p50/p99 (table::draw)",
        "", "keys", "p50 ms", "p99 ms", "max ms"
    );
    for (name, s, f) in pane_keys(&db)? {
        println!(
            "{name:<40} {:>6} {:>9.3} {:>9.3} {:>9.3} | {:.3}/{:.3}  p99 ×{:.1}",
            s.n,
            s.p50,
            s.p99,
            s.max,
            f.p50,
            f.p99,
            s.p99 / f.p99.max(1e-6)
        );
    }

    println!(
        "\nThe ledger filtered by one field, ≤ {} rows loaded (goal ≤ 5 ms)",
        dutydesk::panes::hazards::LIMIT
    );
    println!(
        "{:<24} {:>6} {:>9} {:>9} | floor p50/p99 (SQL count)",
        "", "rows", "p50 ms", "p99 ms"
    );
    for (name, s, f, n) in filters(&db)? {
        println!(
            "{name:<24} {n:>6} {:>9.3} {:>9.3} | {:.3}/{:.3}  p50 ×{:.1}",
            s.p50,
            s.p99,
            f.p50,
            f.p99,
            s.p50 / f.p50.max(1e-6)
        );
    }

    println!("\nA year's 隐患排查台账 (.xlsx) in a fresh process (goal ≤ 2 s, ≤ 64 MB)");
    let exe = std::env::current_exe()?;
    let out = std::process::Command::new(exe)
        .arg("--export-child")
        .arg(&db)
        .output()?;
    ensure!(
        out.status.success(),
        "export child failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("EXPORT"))
        .context("no result from the export child")?;
    let field = |k: &str| -> f64 {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{k}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    println!(
        "{} hazards, {:.0} KB: {:.3} s (floor: the rows by SQL alone {:.3} s); peak {:.1} MB (the process before it {:.1} MB)",
        field("n"),
        field("bytes") / 1024.0,
        field("secs"),
        field("floor_secs"),
        field("peak_kb") / 1024.0,
        field("before_kb") / 1024.0
    );
    Ok(())
}
