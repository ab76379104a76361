//! Snapshots of the patrol pane in zh-CN and en at 80×24 and 120×40:
//! tonight's routes, a round in progress, the finding (report) form and
//! the checkpoint list; a scanned code checks in with no other key; random
//! keys in the pane never panic. Demo school, fixed instant.
//!
//! Update with `INSTA_UPDATE=always cargo test --test ui_patrol`, then read
//! the changed `.snap` files. CI runs with `INSTA_UPDATE=no`.

mod common;

use common::*;
use dutydesk::app::App;
use dutydesk::domain::patrol::Outcome;
use dutydesk::i18n::{Lang, set_lang};
use dutydesk::panes::patrol::{Mode, PatrolPane, View};
use proptest::prelude::*;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

const LANGS: [(Lang, &str); 2] = [(Lang::ZhCn, "zh-CN"), (Lang::En, "en")];
const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn pane(app: &App) -> &PatrolPane {
    app.pane::<PatrolPane>()
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

fn chord(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

#[test]
fn patrol_screens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo_db = dir.path().join("demo.db");
    write_demo_db(&demo_db);
    let mut n = 0;
    for lang in LANGS {
        for (w, h) in SIZES {
            set_lang(lang.0);
            n += 1;
            let (store, _clock) = open_copy(&demo_db, dir.path(), &format!("c{n}.db"));
            let mut app = App::new(store, vec![]);
            login(&mut app, GUARD, GUARD_PIN);
            press(&mut app, KeyCode::Char('3'));
            assert_eq!(pane(&app).view, View::Tonight);

            // 1. Tonight: the dorm route with a round under way, a round
            // closed with a checkpoint missed, a round not walked.
            let buf = snap(&mut app, "patrol_tonight", lang, w, h);
            assert!(pane(&app).night.alerts.missed >= 1);
            assert!(pane(&app).night.alerts.not_started >= 1);
            let _ = buf;

            // 2. Into the round under way: half done, one finding.
            let dorm = pane(&app)
                .night
                .routes
                .iter()
                .position(|r| r.rounds.iter().any(|v| v.row.closed_ms.is_none()))
                .expect("a round under way");
            for _ in 0..dorm {
                press(&mut app, KeyCode::Down);
            }
            press(&mut app, KeyCode::Enter);
            assert!(matches!(pane(&app).mode, Mode::Round(_)));
            let buf = snap(&mut app, "patrol_round", lang, w, h);
            let finding = find_text(&buf, &dutydesk::i18n::tr("patrol.state.finding"))
                .expect("the finding shows");
            assert_ne!(buf[finding].fg, ratatui::style::Color::Reset);

            // What a finding gives the hazards pane: the demo's heater.
            for _ in 0..6 {
                press(&mut app, KeyCode::Up);
            }
            press(&mut app, KeyCode::Down);
            let f = pane(&app)
                .selected_finding()
                .expect("the finding is selected");
            assert_eq!(f.failed, vec!["无违章电器".to_string()]);
            assert_eq!(f.category, "dorm_appliance");
            assert_eq!(f.place, "男生宿舍1号楼");
            assert_eq!(f.finder, GUARD);
            assert!(f.note.contains("热得快"));
            press(&mut app, KeyCode::Down);
            assert!(
                pane(&app).selected_finding().is_none(),
                "an OK check-in is no finding"
            );
            // On to the first checkpoint not yet reached.
            press(&mut app, KeyCode::Down);

            // 3. The report form for a finding on the selected checkpoint.
            app.handle_event(Event::Key(chord('f')));
            assert!(matches!(pane(&app).mode, Mode::Finding(_)));
            snap(&mut app, "patrol_finding_form", lang, w, h);
            press(&mut app, KeyCode::Esc);
            assert!(matches!(pane(&app).mode, Mode::Round(_)));
            press(&mut app, KeyCode::Esc);
            assert!(matches!(pane(&app).mode, Mode::Browse));

            // 4. The checkpoint list.
            press(&mut app, KeyCode::Tab);
            assert_eq!(pane(&app).view, View::Checkpoints);
            let buf = snap(&mut app, "patrol_checkpoints", lang, w, h);
            assert!(find_text(&buf, "D1-1").is_some());
        }
    }
}

#[test]
fn a_scanned_code_checks_in_with_no_other_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.db");
    write_demo_db(&db);
    let (store, _clock) = open_copy(&db, dir.path(), "k.db");
    let mut app = App::new(store, vec![]);
    login(&mut app, GUARD, GUARD_PIN);
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Enter);
    let Mode::Round(r) = &pane(&app).mode else {
        panic!("Enter walks the first route");
    };
    let round = r.round_id.clone();
    let before = app.store.patrol_checks(&round).unwrap().len();
    // What a scanner sends: the code's characters, then Enter.
    type_str(&mut app, "d2-3");
    press(&mut app, KeyCode::Enter);
    let checks = app.store.patrol_checks(&round).unwrap();
    assert_eq!(checks.len(), before + 1);
    assert_eq!(checks.last().unwrap().outcome, Outcome::Ok);
    // A code that is no checkpoint's: refused, said, nothing written.
    type_str(&mut app, "zz-9");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.store.patrol_checks(&round).unwrap().len(), before + 1);
    // `q` and `3` are typed into the code field, not quit or switch.
    type_str(&mut app, "q3");
    assert!(!app.quit);
    assert!(matches!(pane(&app).mode, Mode::Round(_)));
}

#[test]
fn x_opens_the_export_form_on_the_patrol_record() {
    let (store, _clock) = demo_store();
    let mut app = App::new(store, vec![]);
    login(&mut app, ADMIN, ADMIN_PIN);
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Char('x'));
    let Mode::Export(f) = &pane(&app).mode else {
        panic!("x opens the export form");
    };
    assert_eq!(f.kind(), dutydesk::report::request::LedgerKind::Patrol);
}

fn keys() -> impl Strategy<Value = KeyEvent> {
    let plain = prop::sample::select(vec![
        'a', 'n', 'd', 'i', 'x', 'q', '3', '-', ' ', '王', 'D', '1',
    ])
    .prop_map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    let special = prop::sample::select(vec![
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Backspace,
        KeyCode::PageDown,
    ])
    .prop_map(|c| KeyEvent::new(c, KeyModifiers::NONE));
    let chords = prop::sample::select(vec!['f', 't', 'e', 's', 'u'])
        .prop_map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    prop_oneof![3 => plain, 4 => special, 2 => chords]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn random_keys_in_the_patrol_pane_never_panic(
        admin in any::<bool>(),
        steps in prop::collection::vec(keys(), 1..60),
        size in prop::sample::select(vec![(80u16, 24u16), (120, 40), (30, 10), (200, 60)]),
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let (store, _clock) = open_copy(cached_demo_db("patrol_keys"), dir.path(), "p.db");
        let mut app = App::new(store, vec![]);
        if admin {
            login(&mut app, ADMIN, ADMIN_PIN);
        } else {
            login(&mut app, GUARD, GUARD_PIN);
        }
        press(&mut app, KeyCode::Char('3'));
        let export_to = dir.path().join("export.xlsx");
        for k in steps {
            if app.quit {
                break;
            }
            // Exports go into the test's folder, never the home folder.
            if let Mode::Export(f) = &mut app.pane_mut::<PatrolPane>().mode {
                f.set("path", &export_to.to_string_lossy());
            }
            app.handle_event(Event::Key(k));
            draw(&mut app, size.0, size.1);
        }
    }
}
