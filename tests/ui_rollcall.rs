//! Snapshots of the roll-call pane in zh-CN and en at 80×24 and 120×40:
//! the roll mid-round, the bed map, the absence follow-up form and the sick
//! log, with the colours of key cells. Demo school, fixed instant.
//!
//! Update with `INSTA_UPDATE=always cargo test --test ui_rollcall`, then read
//! the changed `.snap` files. CI runs with `INSTA_UPDATE=no`.

mod common;

use common::*;
use dutydesk::app::App;
use dutydesk::domain::rollcall::Mark;
use dutydesk::i18n::{Lang, set_lang};
use dutydesk::panes::rollcall::render::mark_style;
use dutydesk::panes::rollcall::{Mode, View};
use dutydesk::store::Store;
use ratatui::crossterm::event::KeyCode;
use std::sync::Arc;

const LANGS: [(Lang, &str); 2] = [(Lang::ZhCn, "zh-CN"), (Lang::En, "en")];
const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
const TEACHER: &str = "李秀英";
const TEACHER_PIN: &str = "2222";

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
fn rollcall_screens() {
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
            login(&mut app, TEACHER, TEACHER_PIN);
            press(&mut app, KeyCode::Char('2'));
            assert_eq!(app.rollcall().view, View::Roll);

            // 1. Tonight's round, half called: one absent, one sick, two on leave.
            let buf = snap(&mut app, "roll_mid_round", lang, w, h);
            let absent = app
                .rollcall()
                .sheet
                .iter()
                .find(|r| r.mark == Some(Mark::Absent))
                .expect("the demo has an absent boarder")
                .student
                .data
                .name
                .clone();
            let at = find_text(&buf, &absent).expect("the absent boarder is on screen");
            let absent_style = mark_style(Some(Mark::Absent));
            assert_eq!(
                buf[at].bg,
                absent_style.bg.unwrap(),
                "absent rows stand out"
            );

            // 2. The bed map of the same building.
            press(&mut app, KeyCode::Tab);
            assert_eq!(app.rollcall().view, View::BedMap);
            let buf = snap(&mut app, "roll_bed_map", lang, w, h);
            let cross = find_all(&buf, "×");
            assert!(!cross.is_empty(), "the absent bed shows ×");
            assert_eq!(buf[cross[0]].bg, absent_style.bg.unwrap());

            // 3. The absence follow-up form (from the absences list).
            press(&mut app, KeyCode::Tab);
            assert_eq!(app.rollcall().view, View::Absences);
            press(&mut app, KeyCode::Enter);
            assert!(
                matches!(app.rollcall().mode, Mode::Form { .. }),
                "Enter opens the follow-up"
            );
            snap(&mut app, "roll_followup_form", lang, w, h);
            press(&mut app, KeyCode::Esc);
            assert!(
                matches!(app.rollcall().mode, Mode::Browse),
                "Esc leaves an untouched form"
            );

            // 4. The sick log.
            press(&mut app, KeyCode::Tab);
            assert_eq!(app.rollcall().view, View::Sick);
            let buf = snap(&mut app, "roll_sick_log", lang, w, h);
            assert!(
                find_text(&buf, "38.5").is_some() || find_text(&buf, "37.9").is_some(),
                "temperature shown"
            );
        }
    }
}

/// A mark re-reads only its boarder's line, bed and the open absences; after
/// a run of marks, re-marks and a late mark the pane must show exactly what a
/// fresh reload of the building shows.
#[test]
fn marks_refresh_their_line_as_a_full_reload_would() {
    set_lang(Lang::ZhCn);
    let dir = tempfile::tempdir().expect("tempdir");
    let demo_db = dir.path().join("demo.db");
    write_demo_db(&demo_db);
    let (store, clock) = open_copy(&demo_db, dir.path(), "m.db");
    let mut app = App::new(store, vec![]);
    login(&mut app, TEACHER, TEACHER_PIN);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Home);
    for k in [' ', 'a', ' ', 'p', 'a', ' '] {
        press(&mut app, KeyCode::Char(k));
    }
    // Back up two lines and change an absence to present, then the reverse.
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Char('a'));
    let marked = app
        .rollcall()
        .sheet
        .iter()
        .filter(|r| r.mark.is_some())
        .count();
    assert!(marked >= 6, "the keys marked boarders ({marked})");

    let fresh = Store::open(&dir.path().join("m.db"), Arc::new(clock.clone())).unwrap();
    let mut other = App::new(fresh, vec![]);
    login(&mut other, TEACHER, TEACHER_PIN);
    press(&mut other, KeyCode::Char('2'));
    let (a, b) = (app.rollcall(), other.rollcall());
    assert_eq!(a.sheet, b.sheet);
    assert_eq!(a.bed_map, b.bed_map);
    assert_eq!(a.absences, b.absences);
}
