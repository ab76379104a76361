//! The retention purge from F9's settings: `p` counts what is due and asks
//! first; the purge runs on the job runner and says what it erased; with
//! nothing due it says so and asks nothing.

mod common;

use common::*;
use dutydesk::app::App;
use dutydesk::domain::time::FixedClock;
use dutydesk::i18n::{self, Lang, tr};
use dutydesk::panes::station::{Edit, StationScreen};
use ratatui::crossterm::event::KeyCode;
use std::path::Path;
use std::time::{Duration, Instant};

const DAY_MS: i64 = 24 * 3_600_000;

/// The admin on F9's settings, the clock `days_on` after the demo's today.
fn admin_on_settings(dir: &Path, days_on: i64) -> (App, FixedClock) {
    i18n::set_lang(Lang::ZhCn);
    let (store, clock) = open_copy(cached_demo_db("ui_purge"), dir, "station.db");
    let mut app = App::new(store, vec![]);
    login(&mut app, ADMIN, ADMIN_PIN);
    clock.set(now_ms() + days_on * DAY_MS);
    press(&mut app, KeyCode::F(9));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    (app, clock)
}

fn station(app: &App) -> &StationScreen {
    app.overlay
        .as_ref()
        .and_then(|o| o.as_any().downcast_ref::<StationScreen>())
        .expect("F9 is open")
}

fn toast(app: &App) -> String {
    app.toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

#[test]
fn nothing_due_is_said_and_nothing_asked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut app, _clock) = admin_on_settings(dir.path(), 0);
    press(&mut app, KeyCode::Char('p'));
    assert!(matches!(station(&app).edit, Edit::None));
    assert!(toast(&app).contains("180"), "{}", toast(&app));
}

#[test]
fn a_purge_is_asked_first_runs_on_the_job_runner_and_erases() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut app, _clock) = admin_on_settings(dir.path(), 400);
    let text = buffer_text(&draw(&mut app, 120, 40));
    assert!(
        text.contains(&tr("key.purge")),
        "the hint offers it: {text}"
    );
    press(&mut app, KeyCode::Char('p'));
    let Edit::ConfirmPurge { due } = station(&app).edit else {
        panic!("p did not ask first");
    };
    assert!(due > 10, "{due}");
    // No: nothing erased.
    press(&mut app, KeyCode::Char('n'));
    assert!(matches!(station(&app).edit, Edit::None));
    assert_eq!(app.store.purge_due(app.store.now_ms()).unwrap().len(), due);
    // Yes: the worker erases every visit due.
    press(&mut app, KeyCode::Char('p'));
    press(&mut app, KeyCode::Enter);
    let t = Instant::now();
    while matches!(station(&app).edit, Edit::Purging(_)) {
        assert!(t.elapsed() < Duration::from_secs(60), "never ended");
        app.tick();
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(toast(&app).contains(&due.to_string()), "{}", toast(&app));
    assert!(app.store.purge_due(app.store.now_ms()).unwrap().is_empty());
    assert_eq!(app.store.unerased_purged_events().unwrap(), 0);
    dutydesk::store::log::verify(app.store.conn())
        .unwrap()
        .expect("chains verify after the purge");
}
