//! Snapshots of the hazards pane in zh-CN and en at 80×24 and 120×40: the
//! ledger (serious and overdue first, in their colours), one hazard's
//! history, the report form; and random keys in the pane never panic.
//!
//! Update with `INSTA_UPDATE=always cargo test --test ui_hazards`, then read
//! the changed `.snap` files. CI runs with `INSTA_UPDATE=no`.

mod common;

use common::*;
use dutydesk::app::App;
use dutydesk::domain::time::FixedClock;
use dutydesk::i18n::{Lang, set_lang};
use dutydesk::panes::hazards::Mode;
use dutydesk::panes::hazards::render::row_style;
use dutydesk::store::Store;
use proptest::prelude::*;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::path::Path;

/// The language is a process-global: the tests take turns.
static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

const LANGS: [(Lang, &str); 2] = [(Lang::ZhCn, "zh-CN"), (Lang::En, "en")];
const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
const LEADER: &str = "刘主任";
const LEADER_PIN: &str = "3333";

/// The demo school: its hazards are in every state of the loop.
fn with_hazards(dir: &Path, name: &str) -> (Store, FixedClock) {
    open_copy(cached_demo_db("ui_hazards"), dir, name)
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
fn hazards_screens() {
    let _turn = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().expect("tempdir");
    let mut n = 0;
    for lang in LANGS {
        for (w, h) in SIZES {
            set_lang(lang.0);
            n += 1;
            let (store, _clock) = with_hazards(dir.path(), &format!("c{n}.db"));
            let mut app = App::new(store, vec![]);
            login(&mut app, LEADER, LEADER_PIN);
            press(&mut app, KeyCode::Char('4'));

            // 1. The open ledger: the serious one first, then the overdue.
            let buf = snap(&mut app, "hazards_ledger", lang, w, h);
            let rows = &app.hazards().rows;
            assert_eq!(rows[0].place, "锅炉房");
            assert_eq!(rows[1].place, "2号宿舍楼 206");
            let at = find_text(&buf, "2号宿舍楼").expect("the overdue hazard is shown");
            assert_eq!(
                buf[at].bg,
                row_style(&rows[1], now_ms()).bg.unwrap(),
                "overdue rows stand out"
            );

            // 2. The serious one's history: reported, assigned, fixed by
            // this duty leader, so verifying is left to someone else.
            press(&mut app, KeyCode::Enter);
            assert!(matches!(app.hazards().mode, Mode::History { .. }));
            let buf = snap(&mut app, "hazards_history", lang, w, h);
            assert!(find_text(&buf, "更换接口密封圈").is_some(), "the fix shows");
            press(&mut app, KeyCode::Char('v'));
            assert!(
                matches!(app.hazards().mode, Mode::History { .. }),
                "the rectifier cannot verify"
            );
            press(&mut app, KeyCode::Esc);

            // 3. The report form.
            press(&mut app, KeyCode::Char('n'));
            assert!(matches!(app.hazards().mode, Mode::Form { .. }));
            snap(&mut app, "hazards_report_form", lang, w, h);
            press(&mut app, KeyCode::Esc);
            assert!(matches!(app.hazards().mode, Mode::Browse));
        }
    }
}

#[test]
fn the_report_form_refuses_inline_then_saves() {
    let _turn = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    set_lang(Lang::ZhCn);
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _clock) = with_hazards(dir.path(), "f.db");
    let mut app = App::new(store, vec![]);
    login(&mut app, GUARD, GUARD_PIN);
    press(&mut app, KeyCode::Char('4'));
    let before = app.hazards().rows.len();
    press(&mut app, KeyCode::Char('n'));
    app.handle_event(Event::Key(ctrl('s')));
    let buf = draw(&mut app, 120, 40);
    assert!(
        matches!(app.hazards().mode, Mode::Form { .. }),
        "nothing saved"
    );
    assert!(
        find_text(&buf, "必填").is_some(),
        "required fields say so:\n{}",
        buffer_text(&buf)
    );
    type_str(&mut app, "3号楼配电间");
    // Category: ← from "other" to "security"; then severity.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_str(&mut app, "配电箱门锁损坏");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_str(&mut app, "明天");
    app.handle_event(Event::Key(ctrl('s')));
    let buf = draw(&mut app, 120, 40);
    assert!(
        matches!(app.hazards().mode, Mode::Form { .. }),
        "a bad deadline is refused"
    );
    assert!(find_text(&buf, "HH:MM").is_some() || find_text(&buf, "时间").is_some());
    for _ in 0..2 {
        app.handle_event(Event::Key(ctrl('u')));
    }
    app.handle_event(Event::Key(ctrl('s')));
    assert!(matches!(app.hazards().mode, Mode::Browse));
    assert_eq!(app.hazards().rows.len(), before + 1);
    // A guard is offered no assign nor close.
    let v = app.hazards().selected().unwrap().clone();
    assert_eq!(v.place, "3号楼配电间");
    press(&mut app, KeyCode::Char('a'));
    assert!(matches!(app.hazards().mode, Mode::Browse));
}

fn step_keys() -> impl Strategy<Value = KeyEvent> {
    let k = |c| KeyEvent::new(c, KeyModifiers::NONE);
    prop::sample::select(vec![
        k(KeyCode::Char('n')),
        k(KeyCode::Char('a')),
        k(KeyCode::Char('r')),
        k(KeyCode::Char('v')),
        k(KeyCode::Char('c')),
        k(KeyCode::Char('u')),
        k(KeyCode::Char('x')),
        k(KeyCode::Char('/')),
        k(KeyCode::Char('王')),
        k(KeyCode::Char('1')),
        k(KeyCode::Char('-')),
        k(KeyCode::Enter),
        k(KeyCode::Esc),
        k(KeyCode::Tab),
        k(KeyCode::Left),
        k(KeyCode::Up),
        k(KeyCode::Down),
        k(KeyCode::End),
        k(KeyCode::Backspace),
        ctrl('s'),
        ctrl('u'),
    ])
}

proptest! {
    #![proptest_config(proptest::test_runner::Config {
        cases: 24,
        failure_persistence: None,
        ..Default::default()
    })]
    #[test]
    fn random_keys_in_the_pane_never_panic(
        keys in prop::collection::vec(step_keys(), 1..50),
        zh in any::<bool>(),
        w in 1u16..160,
        h in 1u16..50,
    ) {
        let _turn = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        set_lang(if zh { Lang::ZhCn } else { Lang::En });
        let dir = tempfile::tempdir().expect("tempdir");
        let (store, _clock) = with_hazards(dir.path(), "p.db");
        let mut app = App::new(store, vec![]);
        login(&mut app, LEADER, LEADER_PIN);
        press(&mut app, KeyCode::Char('4'));
        for key in keys {
            if let Mode::Export(f) = &mut app.hazards_mut().mode {
                f.set("path", &dir.path().join("h.xlsx").to_string_lossy());
            }
            app.handle_event(Event::Key(key));
            draw(&mut app, w.max(1), h.max(1));
        }
    }
}

/// The ledger loads a page at a time: a key reads the rows it shows, not
/// the year. Moving near the end of the window loads the next page with the
/// cursor kept on its hazard; a new view or search starts again at a page.
#[test]
fn the_ledger_loads_a_page_at_a_time() {
    use dutydesk::domain::hazard::{Category, HazardDraft, Severity};
    use dutydesk::panes::hazards::{LIMIT, PAGE};
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    set_lang(Lang::ZhCn);
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _clock) = with_hazards(dir.path(), "paged.db");
    let leader = store
        .find_operator_by_name(LEADER)
        .unwrap()
        .unwrap()
        .actor();
    let extra = PAGE * 2 + 7;
    store
        .batch(|s| {
            for i in 0..extra {
                let d = HazardDraft {
                    place: format!("{i}号教室"),
                    category: Some(Category::Building),
                    severity: Some(Severity::General),
                    description: "门锁损坏".into(),
                    ..HazardDraft::default()
                };
                s.report_hazard(&leader, &d, None, &[])?;
            }
            Ok(())
        })
        .unwrap();
    let mut app = App::new(store, vec![]);
    login(&mut app, LEADER, LEADER_PIN);
    press(&mut app, KeyCode::Char('4'));
    assert_eq!(app.hazards().rows.len(), PAGE, "a page at first");
    for _ in 0..PAGE / 2 - 1 {
        press(&mut app, KeyCode::Down);
    }
    assert_eq!(app.hazards().rows.len(), PAGE, "not yet near the end");
    press(&mut app, KeyCode::Down);
    let at = app.hazards().list.sel;
    let on = app.hazards().rows[at].id.clone();
    assert_eq!(app.hazards().rows.len(), 2 * PAGE, "the next page");
    draw(&mut app, 120, 40);
    for _ in 0..3 {
        press(&mut app, KeyCode::PageDown);
        draw(&mut app, 120, 40);
    }
    assert!(app.hazards().rows.len() > 2 * PAGE);
    assert!(app.hazards().rows.len() <= LIMIT);
    assert!(app.hazards().rows.iter().any(|r| r.id == on));
    // Another view starts again at one page.
    for _ in 0..dutydesk::panes::hazards::View::ALL.len() {
        press(&mut app, KeyCode::Tab);
    }
    assert_eq!(app.hazards().rows.len(), PAGE);
}
