//! Random input never panics: key sequences (with the odd click, resize and
//! idle minute) from the main screen as admin and as guard, from the login
//! screen, from the first-run setup screen and from the watchlist
//! admit/deny dialog, drawn after every step at sizes from 1×1 to 200×60.
//!
//! The language is a process-global and each case picks one, so the
//! properties take turns (`LOCK`). Failures are not persisted to a
//! regressions file; proptest prints the shrunk sequence instead.

mod common;

use common::*;
use dutydesk::action::Action;
use dutydesk::app::App;
use dutydesk::domain::time::FixedClock;
use dutydesk::i18n::{Lang, set_lang};
use dutydesk::keymap;
use dutydesk::panes::visitors::Mode;
use proptest::prelude::*;
use proptest::test_runner::Config;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use std::path::Path;
use std::sync::Mutex;

static LOCK: Mutex<()> = Mutex::new(());

/// Cases per property (admin, guard, login, setup, watchlist decision): all
/// together take about 30 s in debug on a shared 2-core machine. Most of a case's time is
/// the Argon2 PIN check at login, so the main screen gets the most cases.
const CASES: [u32; 5] = [64, 48, 32, 32, 32];
const MAX_STEPS: usize = 60;

#[derive(Debug, Clone)]
enum Step {
    Key(KeyEvent),
    /// Left click at (column, row).
    Click(u16, u16),
    Resize(u16, u16),
    /// The clock moves on this many minutes and the app ticks (idle lock).
    Idle(i64),
    /// Types a demo PIN and Enter, as someone unlocking the screen would.
    Pin(&'static str),
}

fn k(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn bound_keys() -> Vec<KeyEvent> {
    let mut keys: Vec<KeyEvent> = keymap::bindings()
        .iter()
        .filter(|b| b.action != Action::ForceQuit)
        .map(|b| KeyEvent::new(b.code, b.mods))
        .collect();
    keys.sort_by_key(|k| format!("{k:?}"));
    keys.dedup();
    keys
}

fn key_strategy() -> impl Strategy<Value = KeyEvent> {
    let text = prop::sample::select(vec![
        'a', 'b', 'w', 'z', 'A', 'X', '0', '1', '2', '5', '9', ' ', '-', ':', '.', '@', '王', '五',
        '张', '三', '陈', '老', '师', '（', '）', '。', '，', '𠀀', 'é',
    ])
    .prop_map(|c| k(KeyCode::Char(c)));
    let commands = prop::sample::select(vec![
        'q', 'o', 'n', '/', 'e', 'x', 'd', '?', 'y', 'j', 'k', 'p', '1', '2',
    ])
    .prop_map(|c| k(KeyCode::Char(c)));
    let special = prop::sample::select(vec![
        k(KeyCode::Enter),
        k(KeyCode::Esc),
        k(KeyCode::Tab),
        KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT),
        k(KeyCode::Up),
        k(KeyCode::Down),
        k(KeyCode::Left),
        k(KeyCode::Right),
        k(KeyCode::PageUp),
        k(KeyCode::PageDown),
        k(KeyCode::Home),
        k(KeyCode::End),
        k(KeyCode::Backspace),
        k(KeyCode::Delete),
        k(KeyCode::F(1)),
        k(KeyCode::F(9)),
    ]);
    let chords = prop::sample::select(vec![
        ctrl('s'),
        ctrl('l'),
        ctrl('u'),
        KeyEvent::new(KeyCode::Char('1'), KeyModifiers::ALT),
        KeyEvent::new(KeyCode::Char('?'), KeyModifiers::SHIFT),
    ]);
    // Every key the keymap binds (new panes' keys included), but never
    // Ctrl+C: it quits at once by design.
    let bound = prop::sample::select(bound_keys());
    prop_oneof![4 => text, 3 => commands, 3 => bound, 5 => special, 1 => chords]
}

fn step_strategy() -> impl Strategy<Value = Step> {
    prop_oneof![
        60 => key_strategy().prop_map(Step::Key),
        2 => (0u16..200, 0u16..60).prop_map(|(x, y)| Step::Click(x, y)),
        2 => size_strategy().prop_map(|(w, h)| Step::Resize(w, h)),
        1 => prop::sample::select(vec![1i64, 9, 30, 24 * 60]).prop_map(Step::Idle),
        1 => prop::sample::select(vec![ADMIN_PIN, GUARD_PIN, "2222", "0000"]).prop_map(Step::Pin),
    ]
}

/// Any size from 1×1 to 200×60, but mostly ones the layout is drawn at
/// (below 80×24 only the "too small" notice is drawn).
fn size_strategy() -> impl Strategy<Value = (u16, u16)> {
    prop_oneof![
        1 => (1u16..=200, 1u16..=60),
        2 => (80u16..=200, 24u16..=60),
        1 => prop::sample::select(vec![(80u16, 24u16), (81, 25), (120, 40), (200, 60), (79, 24), (80, 23)]),
    ]
}

fn lang_strategy() -> impl Strategy<Value = Lang> {
    prop::sample::select(vec![Lang::ZhCn, Lang::En])
}

/// `PROPTEST_CASES=n` runs n cases per property instead (a longer hunt).
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// The demo school, generated once per run and copied for each case.
fn demo_db() -> &'static Path {
    cached_demo_db("ui_keys")
}

/// Where the app starts.
#[derive(Debug, Clone, Copy)]
enum Start {
    Admin,
    Guard,
    Login,
    Setup,
    /// The guard has typed a watchlisted name and pressed Ctrl+S: the
    /// admit/deny dialog is open.
    WatchDecision,
}

/// Builds the app for `start` in `dir`, feeds it `steps` and draws after
/// each one. Exports are pointed into `dir` so nothing lands in $HOME.
fn run_case(
    start: Start,
    lang: Lang,
    size: (u16, u16),
    steps: &[Step],
) -> Result<(), TestCaseError> {
    set_lang(lang);
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut app, clock): (App, FixedClock) = match start {
        Start::Admin | Start::Guard | Start::Login | Start::WatchDecision => {
            let (store, clock) = open_copy(demo_db(), dir.path(), "t.db");
            let mut app = App::new(store, demo_logins());
            match start {
                Start::Admin => login(&mut app, ADMIN, ADMIN_PIN),
                Start::Guard => login(&mut app, GUARD, GUARD_PIN),
                Start::WatchDecision => {
                    login(&mut app, GUARD, GUARD_PIN);
                    open_watch_decision(&mut app);
                }
                _ => {}
            }
            (app, clock)
        }
        Start::Setup => {
            let (store, clock) = blank_store();
            (App::new(store, vec![]), clock)
        }
    };
    let export_to = dir.path().join("export.xlsx");
    let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).expect("terminal");
    terminal.draw(|f| app.render(f)).expect("first draw");
    for step in steps {
        if let Mode::Export(f) = &mut app.visitors_mut().mode {
            f.set("path", &export_to.to_string_lossy());
        }
        if let dutydesk::panes::patrol::Mode::Export(f) =
            &mut app.pane_mut::<dutydesk::panes::patrol::PatrolPane>().mode
        {
            f.set("path", &export_to.to_string_lossy());
        }
        match *step {
            Step::Key(key) => {
                app.handle_event(Event::Key(key));
            }
            Step::Click(x, y) => {
                app.handle_event(Event::Mouse(MouseEvent {
                    kind: MouseEventKind::Down(MouseButton::Left),
                    column: x,
                    row: y,
                    modifiers: KeyModifiers::NONE,
                }));
            }
            Step::Resize(w, h) => {
                terminal.backend_mut().resize(w, h);
                app.handle_event(Event::Resize(w, h));
            }
            Step::Idle(min) => {
                clock.advance_min(min);
                app.tick();
            }
            Step::Pin(pin) => {
                for c in pin.chars() {
                    app.handle_event(Event::Key(k(KeyCode::Char(c))));
                }
                app.handle_event(Event::Key(k(KeyCode::Enter)));
            }
        }
        terminal.draw(|f| app.render(f)).expect("draw");
    }
    Ok(())
}

/// Registers the watchlisted person by name (purpose filled in) so the
/// admit/deny dialog opens.
fn open_watch_decision(app: &mut App) {
    let name = app.store.watch_entries(true).expect("watchlist")[0]
        .data
        .name
        .clone();
    press(app, KeyCode::Char('n'));
    type_str(app, &name);
    // name → phone → ID type → ID number → visitor type → host → relation → purpose
    for _ in 0..7 {
        press(app, KeyCode::Tab);
    }
    type_str(app, "看望孩子");
    app.handle_key(ctrl('s'));
    match &app.visitors().mode {
        Mode::Register(r) => assert!(r.decision.is_some(), "the watchlist dialog opened"),
        _ => panic!("the registration form closed"),
    }
}

fn check(
    start: Start,
    lang: Lang,
    size: (u16, u16),
    steps: Vec<Step>,
) -> Result<(), TestCaseError> {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    run_case(start, lang, size, &steps)
}

proptest! {
    #![proptest_config(config(CASES[0]))]
    #[test]
    fn admin_main_screen_survives_random_keys(
        lang in lang_strategy(),
        (w, h) in size_strategy(),
        steps in prop::collection::vec(step_strategy(), 1..MAX_STEPS),
    ) {
        check(Start::Admin, lang, (w, h), steps)?;
    }
}

proptest! {
    #![proptest_config(config(CASES[1]))]
    #[test]
    fn guard_main_screen_survives_random_keys(
        lang in lang_strategy(),
        (w, h) in size_strategy(),
        steps in prop::collection::vec(step_strategy(), 1..MAX_STEPS),
    ) {
        check(Start::Guard, lang, (w, h), steps)?;
    }
}

proptest! {
    #![proptest_config(config(CASES[2]))]
    #[test]
    fn login_screen_survives_random_keys(
        lang in lang_strategy(),
        (w, h) in size_strategy(),
        steps in prop::collection::vec(step_strategy(), 1..MAX_STEPS),
    ) {
        check(Start::Login, lang, (w, h), steps)?;
    }
}

proptest! {
    #![proptest_config(config(CASES[3]))]
    #[test]
    fn setup_screen_survives_random_keys(
        lang in lang_strategy(),
        (w, h) in size_strategy(),
        steps in prop::collection::vec(step_strategy(), 1..MAX_STEPS),
    ) {
        check(Start::Setup, lang, (w, h), steps)?;
    }
}

proptest! {
    #![proptest_config(config(CASES[4]))]
    #[test]
    fn watchlist_decision_survives_random_keys(
        lang in lang_strategy(),
        (w, h) in size_strategy(),
        steps in prop::collection::vec(step_strategy(), 1..MAX_STEPS),
    ) {
        check(Start::WatchDecision, lang, (w, h), steps)?;
    }
}
