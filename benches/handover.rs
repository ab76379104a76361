//! Benchmarks of the handover sheet on a school year (issue 12,
//! "Performance"). Run: `cargo bench --bench handover`.
//!
//! 1. The school-year database the other benches share (all panes' data,
//!    365 days), its clock at the year's last evening.
//! 2. Composing the sheet (`Store::compose_sheet`, every section), goal
//!    ≤ 20 ms; floor: the same station's open items read by the bare SQL
//!    counts of each source table, in the same run and journal mode.
//! 3. Key → frame in the pane (scrolling the sheet, stepping through the
//!    sections), goal p99 ≤ 5 ms; floor: drawing the same frame again
//!    with no key.
//! 4. The process's peak memory.

#[path = "common/year.rs"]
mod year;

use anyhow::{Result, ensure};
use dutydesk::app::App;
use dutydesk::domain::time::FixedClock;
use dutydesk::i18n::{self, Lang};
use dutydesk::store::Store;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent};
use std::sync::Arc;
use std::time::Instant;
use year::{Stats, key, login, peak_mb, school_year_db, year_now_ms};

const RUNS: usize = 200;
const KEYS: usize = 600;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("handover bench: skipped (run `cargo bench --bench handover`)");
        return;
    }
    i18n::set_lang(Lang::ZhCn);
    if let Err(e) = run() {
        eprintln!("handover bench failed: {e:#}");
        std::process::exit(1);
    }
}

fn line(what: &str, s: Stats, floor: Stats, goal: f64) {
    println!(
        "{what:<34} p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  (n={})  floor p50 {:>6.2} p99 {:>6.2} ms  goal ≤ {goal} ms: {}",
        s.p50,
        s.p99,
        s.max,
        s.n,
        floor.p50,
        floor.p99,
        if s.p99 <= goal { "met" } else { "MISSED" }
    );
}

/// The floor: what is open in each source the sheet reads, as bare SQL
/// counts over the same tables and indexes.
fn floor_counts(store: &Store, now: i64) -> Result<i64> {
    let sql = "SELECT (SELECT COUNT(*) FROM visits WHERE status = 'on_site')
        + (SELECT COUNT(*) FROM absences_open)
        + (SELECT COUNT(*) FROM sick WHERE closed_ms IS NULL)
        + (SELECT COUNT(*) FROM leaves WHERE returned_ms IS NULL)
        + (SELECT COUNT(*) FROM departures WHERE returned_ms IS NULL)
        + (SELECT COUNT(*) FROM hazards WHERE status <> 'closed' AND deadline_ms < ?1)
        + (SELECT COUNT(*) FROM hazards WHERE status = 'rectified')
        + (SELECT COUNT(*) FROM patrol_rounds WHERE closed_ms IS NULL)";
    Ok(store.conn().query_row(sql, [now], |r| r.get(0))?)
}

fn run() -> Result<()> {
    let db = school_year_db()?;
    let work = year::target_dir().join("bench-data/handover-work.db");
    std::fs::copy(&db, &work)?;
    let now = year_now_ms();
    let store = Store::open(&work, Arc::new(FixedClock::new(now)))?;
    let events = store.event_count()?;
    let shift = store
        .current_shift(now)?
        .expect("a shift runs at the year's last evening");
    println!(
        "school year: {events} events; sheet for {} {}",
        shift.date, shift.shift
    );

    // 2. Composing the sheet.
    let mut v = Vec::with_capacity(RUNS);
    let mut items = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let sheet = store.compose_sheet(&shift, now)?;
        v.push(t.elapsed());
        items = sheet.items.len();
    }
    let compose = Stats::of(v);
    let mut f = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        floor_counts(&store, now)?;
        f.push(t.elapsed());
    }
    line(
        &format!("compose sheet ({items} items)"),
        compose,
        Stats::of(f),
        20.0,
    );

    // 3. Key → frame in the pane.
    let mut app = App::new(store, vec![]);
    login(&mut app, "刘主任", "3333")?;
    let mut term = Terminal::new(TestBackend::new(120, 40))?;
    app.handle_event(Event::Key(key(KeyCode::Char('5'))));
    term.draw(|f| app.render(f))?;
    let keys: Vec<KeyEvent> = (0..KEYS)
        .map(|i| {
            key(if (i / 20) % 2 == 0 {
                KeyCode::Down
            } else {
                KeyCode::Up
            })
        })
        .collect();
    let mut v = Vec::with_capacity(KEYS);
    for k in &keys {
        let t = Instant::now();
        app.handle_event(Event::Key(*k));
        term.draw(|f| app.render(f))?;
        v.push(t.elapsed());
    }
    let scroll = Stats::of(v);
    let mut f = Vec::with_capacity(KEYS);
    for _ in 0..KEYS {
        let t = Instant::now();
        term.draw(|fr| app.render(fr))?;
        f.push(t.elapsed());
    }
    let redraw = Stats::of(f);
    line("key → frame: scroll the sheet", scroll, redraw, 5.0);
    // Reloading on focus (pane 1 → pane 5): the sheet composed again.
    let mut v = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        app.handle_event(Event::Key(key(KeyCode::Char('1'))));
        let t = Instant::now();
        app.handle_event(Event::Key(key(KeyCode::Char('5'))));
        term.draw(|f| app.render(f))?;
        v.push(t.elapsed());
    }
    line("key → frame: open the pane", Stats::of(v), redraw, 20.0);
    ensure!(items > 0, "the sheet lists nothing on a school year");
    println!("peak memory: {:.1} MB", peak_mb());
    drop(app);
    let _ = std::fs::remove_file(&work);
    Ok(())
}
