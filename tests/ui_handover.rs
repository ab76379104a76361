//! The handover sheet in zh-CN and en at 80×24 and 120×40: the sheet with
//! items from every pane, the acceptance step, a past handover with its
//! seal; the key counts of signing and accepting; random keys never panic.
//!
//! Update with `INSTA_UPDATE=always cargo test --test ui_handover`, then
//! read the changed `.snap` files. CI runs with `INSTA_UPDATE=no`.

mod common;

use common::*;
use dutydesk::app::App;
use dutydesk::domain::handover::{Section, Stage};
use dutydesk::i18n::{Lang, set_lang};
use dutydesk::panes::duty::DutyPane;
use dutydesk::panes::duty::sheet::{Mode, SheetView};
use proptest::prelude::*;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

const LANGS: [(Lang, &str); 2] = [(Lang::ZhCn, "zh-CN"), (Lang::En, "en")];
const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
/// The demo's clock stands in the day shift: the night teacher signed the
/// night over, and it waits for the day guard.
const NIGHT: &str = "张建国";
const NIGHT_PIN: &str = "1111";
const LEADER: &str = "刘主任";
const LEADER_PIN: &str = "3333";

fn sheet(app: &App) -> &SheetView {
    app.panes[4]
        .as_any()
        .downcast_ref::<DutyPane>()
        .and_then(|d| d.view::<SheetView>())
        .expect("the duty pane holds the handover sheet")
}

fn app_as(dir: &std::path::Path, name: &str, who: &str, pin: &str) -> App {
    let (store, _clock) = open_copy(cached_demo_db("ui_handover"), dir, name);
    let mut app = App::new(store, vec![]);
    login(&mut app, who, pin);
    press(&mut app, KeyCode::Char('5'));
    app
}

fn snap(
    app: &mut App,
    screen: &str,
    lang: (Lang, &str),
    w: u16,
    h: u16,
) -> ratatui::buffer::Buffer {
    set_lang(lang.0);
    let buf = draw(app, w, h);
    insta::assert_snapshot!(format!("{screen}_{}_{w}x{h}", lang.1), buffer_text(&buf));
    buf
}

#[test]
fn handover_screens() {
    let _turn = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().expect("tempdir");
    let mut n = 0;
    for lang in LANGS {
        for (w, h) in SIZES {
            set_lang(lang.0);
            n += 1;
            let mut app = app_as(dir.path(), &format!("s{n}.db"), NIGHT, NIGHT_PIN);
            // 1. This shift's sheet: items from every pane, the night shift
            // waiting for the guard to accept it.
            let buf = snap(&mut app, "handover_sheet", lang, w, h);
            let s = sheet(&app);
            let items = &s.sheet.as_ref().unwrap().items;
            for sec in [
                Section::Visitors,
                Section::Boarders,
                Section::Patrol,
                Section::Hazards,
            ] {
                assert!(items.iter().any(|i| i.section == sec), "{sec:?} has items");
            }
            assert!(items.iter().any(|i| i.carried), "something is carried");
            assert!(find_text(&buf, "王涛").is_some(), "the overstaying visitor");

            // 2. Stepping through: three sections acknowledged.
            press(&mut app, KeyCode::Char('a'));
            for _ in 0..3 {
                press(&mut app, KeyCode::Char(' '));
            }
            assert!(matches!(sheet(&app).mode, Mode::Accept { step: 3, .. }));
            snap(&mut app, "handover_accept", lang, w, h);
            press(&mut app, KeyCode::Esc);

            // 3. A past handover, read-only, its seal checked.
            press(&mut app, KeyCode::Char('h'));
            press(&mut app, KeyCode::Down);
            press(&mut app, KeyCode::Enter);
            assert!(matches!(sheet(&app).mode, Mode::Past { .. }));
            let buf = snap(&mut app, "handover_past", lang, w, h);
            assert!(
                find_text(&buf, "✓").is_some(),
                "the seal is intact:\n{}",
                buffer_text(&buf)
            );
        }
    }
}

#[test]
fn sign_and_accept_take_the_promised_keys() {
    let _turn = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    set_lang(Lang::ZhCn);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = app_as(dir.path(), "k.db", NIGHT, NIGHT_PIN);
    // Accept: `a`, one key per section, the PIN, Enter — sections + 2.
    let mut keys = 0;
    press(&mut app, KeyCode::Char('a'));
    keys += 1;
    for _ in Section::ALL {
        press(&mut app, KeyCode::Char(' '));
        keys += 1;
    }
    assert!(matches!(sheet(&app).mode, Mode::Pin(..)));
    type_str(&mut app, NIGHT_PIN);
    press(&mut app, KeyCode::Enter);
    keys += 1;
    assert!(keys <= Section::ALL.len() + 2);
    let prev = sheet(&app).prev_row.clone().expect("the day shift");
    assert_eq!(prev.stage(), Stage::Accepted);
    assert!(matches!(sheet(&app).mode, Mode::Browse));

    // Countersign as the duty leader: `c`, PIN, Enter.
    app.handle_event(Event::Key(ctrl('l')));
    login(&mut app, LEADER, LEADER_PIN);
    press(&mut app, KeyCode::Char('c'));
    type_str(&mut app, LEADER_PIN);
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        sheet(&app).prev_row.as_ref().unwrap().stage(),
        Stage::Countersigned
    );

    // Sign tonight over: `s`, PIN, Enter — two keys beyond the PIN. A wrong
    // PIN first is refused and leaves the prompt open.
    press(&mut app, KeyCode::Char('s'));
    type_str(&mut app, "0000");
    press(&mut app, KeyCode::Enter);
    assert!(
        matches!(sheet(&app).mode, Mode::Pin(..)),
        "a wrong PIN signs nothing"
    );
    assert!(sheet(&app).cur_row.is_none());
    type_str(&mut app, LEADER_PIN);
    press(&mut app, KeyCode::Enter);
    let cur = sheet(&app).cur_row.clone().expect("tonight signed");
    assert_eq!(cur.signed_by_name, LEADER);
}

fn sheet_keys() -> impl Strategy<Value = KeyEvent> {
    prop_oneof![
        4 => prop::sample::select(vec!['a', 's', 'c', 'w', 'h', ' ', 'm', '1', '2', '宿', 'x']).prop_map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        3 => prop::sample::select(vec![KeyCode::Enter, KeyCode::Esc, KeyCode::Up, KeyCode::Down, KeyCode::Tab, KeyCode::PageDown, KeyCode::End, KeyCode::Backspace]).prop_map(|c| KeyEvent::new(c, KeyModifiers::NONE)),
    ]
}

proptest! {
    #![proptest_config(proptest::test_runner::Config {
        cases: 24,
        failure_persistence: None,
        ..Default::default()
    })]
    #[test]
    fn random_keys_in_the_sheet_never_panic(
        keys in prop::collection::vec(sheet_keys(), 1..60),
        zh in any::<bool>(),
        w in 1u16..160,
        h in 1u16..50,
    ) {
        let _turn = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        set_lang(if zh { Lang::ZhCn } else { Lang::En });
        let dir = tempfile::tempdir().expect("tempdir");
        let mut app = app_as(dir.path(), "p.db", NIGHT, NIGHT_PIN);
        for key in keys {
            app.handle_event(Event::Key(key));
            draw(&mut app, w.max(1), h.max(1));
        }
    }
}
