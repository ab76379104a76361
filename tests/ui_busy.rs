//! A save while another program holds the write lock (a command-line
//! import): the form stays open with the waiting line, keys typed meanwhile
//! change nothing, the save goes through by itself once the lock frees —
//! exactly once — and Esc stops waiting with the form as typed.
//!
//! Update the snapshots with `INSTA_UPDATE=always cargo test --test ui_busy`,
//! then read the changed `.snap` files.

mod common;

use common::*;
use dutydesk::app::App;
use dutydesk::domain::event::StationKind;
use dutydesk::domain::time::FixedClock;
use dutydesk::i18n::{Lang, set_lang, tr};
use dutydesk::panes::visitors::Mode;
use dutydesk::store::Store;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use std::path::Path;
use std::sync::{Arc, Mutex};

static LANG_LOCK: Mutex<()> = Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    LANG_LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The TUI on a station file, its admin logged in; and a second
/// connection on the same file (the other program).
fn app_and_other(path: &Path) -> (App, Store) {
    let clock = FixedClock::new(now_ms());
    let mut store = Store::open(path, Arc::new(clock)).expect("open");
    let admin = store
        .setup(SCHOOL, STATION, StationKind::Gate, 480, ADMIN, ADMIN_PIN)
        .expect("set up");
    let mut app = App::new(store, vec![]);
    app.logged_in(admin);
    let other = Store::open(path, Arc::new(FixedClock::new(now_ms()))).expect("open again");
    (app, other)
}

/// Fills the registration form: name, then purpose (seven fields on).
fn fill_form(app: &mut App) {
    press(app, KeyCode::Char('n'));
    type_str(app, "王芳");
    for _ in 0..7 {
        press(app, KeyCode::Tab);
    }
    type_str(app, "送衣物");
}

fn form_values(app: &App) -> (String, String) {
    match &app.visitors().mode {
        Mode::Register(r) => (r.form.value("name"), r.form.value("purpose")),
        _ => panic!("the form closed"),
    }
}

fn registered(store: &Store) -> i64 {
    store
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM events WHERE kind = 'visit.registered'",
            [],
            |r| r.get(0),
        )
        .expect("count")
}

#[test]
fn a_save_waits_for_the_lock_then_saves_once() {
    let _g = lock();
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut app, other) = app_and_other(&dir.path().join("station.db"));
    set_lang(Lang::ZhCn);
    fill_form(&mut app);
    other
        .conn()
        .execute_batch("BEGIN IMMEDIATE")
        .expect("the import holds the lock");
    let start = std::time::Instant::now();
    app.handle_key(ctrl('s'));
    assert!(
        start.elapsed() < std::time::Duration::from_secs(1),
        "the key loop was blocked {:?}",
        start.elapsed()
    );
    assert!(app.is_waiting(), "the save waits");
    assert_eq!(form_values(&app), ("王芳".into(), "送衣物".into()));
    for (lang, name) in [(Lang::ZhCn, "zh-CN"), (Lang::En, "en")] {
        set_lang(lang);
        let buf = draw(&mut app, 80, 24);
        let want = tr("live.waiting");
        let head = want.split('{').next().unwrap_or_default().trim();
        assert!(find_text(&buf, head).is_some(), "{}", buffer_text(&buf));
        insta::assert_snapshot!(format!("waiting_{name}_80x24"), buffer_text(&buf));
    }
    set_lang(Lang::ZhCn);

    // Typed or clicked while waiting: nothing lands anywhere.
    type_str(&mut app, "XYZ");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Backspace);
    for row in 0..24 {
        let click = MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 20,
            row,
            modifiers: KeyModifiers::NONE,
        };
        assert!(!app.handle_event(Event::Mouse(click)), "row {row} clicked");
    }
    assert!(app.is_waiting());
    assert_eq!(form_values(&app), ("王芳".into(), "送衣物".into()));

    // Still locked: the tick retries, keeps waiting, turns the spinner.
    assert!(app.tick());
    assert!(app.is_waiting());
    assert_eq!(registered(&app.store), 0);

    other
        .conn()
        .execute_batch("COMMIT")
        .expect("the import ends");
    assert!(app.tick(), "the retry saved");
    assert!(!app.is_waiting());
    assert!(
        matches!(app.visitors().mode, Mode::Browse),
        "the form closed"
    );
    assert_eq!(registered(&app.store), 1, "saved exactly once");
    let names: Vec<_> = app
        .visitors()
        .on_site
        .iter()
        .map(|v| (v.details.name.clone(), v.details.purpose.clone()))
        .collect();
    assert_eq!(names, vec![("王芳".to_string(), "送衣物".to_string())]);
    assert!(!app.tick(), "nothing more to retry");
    assert_eq!(registered(&app.store), 1);
}

#[test]
fn esc_stops_waiting_and_keeps_the_form() {
    let _g = lock();
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut app, other) = app_and_other(&dir.path().join("station.db"));
    set_lang(Lang::ZhCn);
    fill_form(&mut app);
    other.conn().execute_batch("BEGIN IMMEDIATE").expect("lock");
    app.handle_key(ctrl('s'));
    assert!(app.is_waiting());
    press(&mut app, KeyCode::Esc);
    assert!(!app.is_waiting(), "Esc cancels the wait");
    assert_eq!(
        form_values(&app),
        ("王芳".into(), "送衣物".into()),
        "the form keeps what was typed"
    );
    let buf = draw(&mut app, 80, 24);
    assert!(
        find_text(&buf, &tr("live.wait_cancelled")).is_some(),
        "{}",
        buffer_text(&buf)
    );
    other.conn().execute_batch("COMMIT").expect("release");
    app.tick();
    assert_eq!(registered(&app.store), 0, "a cancelled save is not retried");
    assert!(matches!(app.visitors().mode, Mode::Register(_)));
    // Typing works again, and the next save goes through.
    type_str(&mut app, "和书");
    assert_eq!(form_values(&app).1, "送衣物和书");
    app.handle_key(ctrl('s'));
    assert!(!app.is_waiting());
    assert_eq!(registered(&app.store), 1);
}

fn count(store: &Store, kind: &str) -> i64 {
    store
        .conn()
        .query_row("SELECT COUNT(*) FROM events WHERE kind = ?1", [kind], |r| {
            r.get(0)
        })
        .expect("count")
}

/// The wait is the frame's, not one form's: the shift log's entry form in
/// the duty pane waits the same way, and what it saves is what was shown.
#[test]
fn another_panes_form_waits_the_same_way() {
    let _g = lock();
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut app, other) = app_and_other(&dir.path().join("station.db"));
    set_lang(Lang::ZhCn);
    press(&mut app, KeyCode::Char('5'));
    // The shift log is the duty pane's second list, after the handover.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_str(&mut app, "三号楼走廊灯不亮");
    other.conn().execute_batch("BEGIN IMMEDIATE").expect("lock");
    app.handle_key(ctrl('s'));
    assert!(app.is_waiting(), "the entry waits");
    type_str(&mut app, "XYZ");
    assert!(app.tick() && app.is_waiting());
    other.conn().execute_batch("COMMIT").expect("release");
    assert!(app.tick());
    assert!(!app.is_waiting());
    assert_eq!(count(&app.store, "shiftlog.entered"), 1, "saved once");
    let body: String = app
        .store
        .conn()
        .query_row(
            "SELECT body FROM events WHERE kind = 'shiftlog.entered'",
            [],
            |r| r.get(0),
        )
        .expect("body");
    assert!(body.contains("三号楼走廊灯不亮"), "{body}");
    assert!(!body.contains("XYZ"), "typed while waiting: {body}");
}

/// The screen locked, the admin's PIN typed and Enter pressed while
/// another program holds the write lock (its connection is returned).
fn login_meets_the_lock(path: &Path) -> (App, Store) {
    let (mut app, other) = app_and_other(path);
    set_lang(Lang::ZhCn);
    app.lock();
    type_str(&mut app, ADMIN_PIN);
    other.conn().execute_batch("BEGIN IMMEDIATE").expect("lock");
    press(&mut app, KeyCode::Enter);
    assert!(app.is_waiting(), "the sign-in waits");
    (app, other)
}

fn login_screen(app: &App) -> &dutydesk::screens::login::LoginScreen {
    match &app.screen {
        dutydesk::app::Screen::Login(l) => l,
        _ => panic!("not on the login screen"),
    }
}

/// Signing in is an event too: at the locked screen, Enter while another
/// program holds the lock waits with the PIN kept, then signs in once.
#[test]
fn the_login_waits_for_the_lock_then_signs_in_once() {
    let _g = lock();
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut app, other) = login_meets_the_lock(&dir.path().join("station.db"));
    let logins = count(&app.store, "operator.logged_in");
    assert_eq!(login_screen(&app).pin.value(), ADMIN_PIN, "the PIN is kept");
    for lang in [Lang::ZhCn, Lang::En] {
        set_lang(lang);
        let buf = draw(&mut app, 80, 24);
        let want = tr("live.waiting");
        let head = want.split('{').next().unwrap_or_default().trim();
        assert!(find_text(&buf, head).is_some(), "{}", buffer_text(&buf));
    }
    set_lang(Lang::ZhCn);
    // Typed meanwhile: ignored, the PIN unchanged.
    type_str(&mut app, "12");
    assert!(app.tick(), "the spinner turns");
    assert!(app.is_waiting());
    assert_eq!(login_screen(&app).pin.value(), ADMIN_PIN);
    other.conn().execute_batch("COMMIT").expect("release");
    assert!(app.tick(), "the retry signed in");
    assert!(!app.is_waiting());
    assert!(
        matches!(app.screen, dutydesk::app::Screen::Main),
        "signed in"
    );
    assert_eq!(count(&app.store, "operator.logged_in"), logins + 1);
}

#[test]
fn esc_stops_the_login_waiting_and_keeps_the_pin() {
    let _g = lock();
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut app, other) = login_meets_the_lock(&dir.path().join("station.db"));
    press(&mut app, KeyCode::Esc);
    assert!(!app.is_waiting());
    let l = login_screen(&app);
    assert_eq!(l.pin.value(), ADMIN_PIN);
    assert_eq!(l.error.as_deref(), Some(tr("live.wait_cancelled").as_str()));
    other.conn().execute_batch("COMMIT").expect("release");
    press(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.screen, dutydesk::app::Screen::Main),
        "Enter again signs in"
    );
}
