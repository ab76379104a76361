//! The visitors' and roll-call panes' own defects, found by trying the app
//! as a new user would: each test drives `App` on the demo school at a
//! fixed instant and reads what the screen (or help) says.

mod common;

use common::*;
use dutydesk::app::App;
use dutydesk::demo;
use dutydesk::domain::rollcall::RoundKind;
use dutydesk::domain::time::FixedClock;
use dutydesk::domain::validate::FieldError;
use dutydesk::i18n::{Lang, set_lang, tr, trf};
use dutydesk::keymap::{self, Ctx};
use dutydesk::panes::visitors::gate::GateFlow;
use dutydesk::panes::visitors::{Mode, View};
use ratatui::crossterm::event::KeyCode;
use std::sync::Mutex;

/// The language is process-wide: tests that read text take turns.
static LANG: Mutex<()> = Mutex::new(());

fn lang(l: Lang) -> std::sync::MutexGuard<'static, ()> {
    let g = LANG.lock().unwrap_or_else(|e| e.into_inner());
    set_lang(l);
    g
}

/// The demo school with demo operator `who` (index into `demo::OPERATORS`)
/// logged in, and the clock that drives it.
fn demo_app(who: usize) -> (App, FixedClock) {
    let (store, clock) = demo_store();
    let mut app = App::new(store, vec![]);
    let actor = app
        .store
        .operators()
        .expect("operators")
        .into_iter()
        .find(|o| o.name == demo::OPERATORS[who].0)
        .expect("demo operator")
        .actor();
    app.logged_in(actor);
    (app, clock)
}

const GUARD: usize = 0;
const TEACHER: usize = 1;
const ADMIN: usize = 3;

#[test]
fn the_watchlist_match_shows_what_the_guard_must_do() {
    for l in [Lang::ZhCn, Lang::En] {
        let _g = lang(l);
        let (mut app, _clock) = demo_app(GUARD);
        let entry = app.store.watch_entries(true).expect("watchlist")[0].clone();
        assert_eq!(entry.data.note, "如到校，立即通知值班领导");
        press(&mut app, KeyCode::Char('n'));
        match &mut app.visitors_mut().mode {
            Mode::Register(r) => {
                r.form.set("name", &entry.data.name);
                r.form.set("purpose", "接孩子");
            }
            _ => panic!("n opens the registration form"),
        }
        app.handle_key(ctrl('s'));
        assert!(
            matches!(&app.visitors().mode, Mode::Register(r) if r.decision.is_some()),
            "the name is on the watchlist: the guard must decide"
        );
        let text = buffer_text(&draw(&mut app, 80, 24));
        let note = trf("watch.entry_note", &[("note", entry.data.note.clone())]);
        assert!(text.contains(&note), "{l:?}: no note in\n{text}");
        // Esc records the hit as a denial, and the hint bar says so.
        let ctxs = app.contexts();
        assert_eq!(ctxs[0], Ctx::WatchMatch);
        let esc = keymap::bindings_for(&ctxs)
            .into_iter()
            .find(|b| b.code == KeyCode::Esc)
            .expect("Esc is listed");
        assert_eq!(esc.desc, "key.record_denial");
        assert!(text.contains(&tr("key.record_denial")), "{l:?}\n{text}");
        press(&mut app, KeyCode::Esc);
        assert!(matches!(app.visitors().mode, Mode::Browse));
    }
}

#[test]
fn the_watchlist_note_is_readable_at_80_columns() {
    for l in [Lang::ZhCn, Lang::En] {
        let _g = lang(l);
        let (mut app, _clock) = demo_app(GUARD);
        while app.visitors().view != View::Watchlist {
            press(&mut app, KeyCode::Tab);
        }
        let text = buffer_text(&draw(&mut app, 80, 24));
        let line = trf(
            "watch.selected_note",
            &[("note", "如到校，立即通知值班领导".into())],
        );
        assert!(text.contains(&line), "{l:?}: note cut in\n{text}");
    }
}

#[test]
fn a_wrong_check_digit_says_mistyped_and_suggests_no_digit() {
    for l in [Lang::ZhCn, Lang::En] {
        let _g = lang(l);
        let e = FieldError::IdCheckDigit { expected: '7' };
        let text = trf(e.key(), &e.args());
        assert!(!text.contains('7'), "{l:?}: {text}");
        assert!(!text.contains("{expected}"), "{l:?}: {text}");
        // Shown whole beside the field at 80 columns.
        let (mut app, _clock) = demo_app(GUARD);
        press(&mut app, KeyCode::Char('n'));
        match &mut app.visitors_mut().mode {
            Mode::Register(r) => {
                r.form.set("name", "王五");
                r.form.set("purpose", "送东西");
                r.form.set("id_no", "110105194912310021");
            }
            _ => panic!("n opens the registration form"),
        }
        app.handle_key(ctrl('s'));
        let screen = buffer_text(&draw(&mut app, 80, 24));
        assert!(screen.contains(&text), "{l:?}: message cut\n{screen}");
    }
}

#[test]
fn the_gate_picker_finds_a_boarder_by_bed_digits() {
    let _g = lang(Lang::ZhCn);
    let (mut app, _clock) = demo_app(GUARD);
    let students = app.store.students(None).expect("students");
    let boarder = students
        .iter()
        .find(|s| s.bed.as_ref().is_some_and(|b| b.room.len() == 3))
        .expect("a boarder in a three-digit room")
        .clone();
    let bed = boarder.bed.clone().expect("bed");
    for typed in [
        format!("{}{}", bed.room, bed.bed),
        format!("{}-{}", bed.room, bed.bed),
    ] {
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char('g'));
        type_str(&mut app, &typed);
        let found = match &app.visitors().mode {
            Mode::Gate(g) => match g.as_ref() {
                GateFlow::Pick(p) => p.results.iter().any(|s| s.id == boarder.id),
                _ => panic!("g starts with the picker"),
            },
            _ => panic!("g opens the gate flow"),
        };
        assert!(found, "{typed} does not find {}", boarder.data.name);
        let text = buffer_text(&draw(&mut app, 80, 24));
        assert!(
            text.contains(&format!("{} {}-{}", bed.building, bed.room, bed.bed)),
            "{typed}: building and bed not shown\n{text}"
        );
    }
}

/// Closes every open round, as if last night's rolls were done.
fn close_open_rounds(app: &mut App) {
    let admin = app
        .store
        .operators()
        .expect("operators")
        .into_iter()
        .find(|o| o.name == demo::OPERATORS[ADMIN].0)
        .expect("admin")
        .actor();
    for b in app.store.buildings().expect("buildings") {
        if let Some(r) = app.store.open_round(&b).expect("open round") {
            app.store
                .close_round(&admin, &r.id, Some("测试"))
                .expect("force close");
        }
    }
}

fn at(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s)
        .expect("instant")
        .timestamp_millis()
}

#[test]
fn the_lights_out_roll_is_due_tonight_not_overdue_in_the_morning() {
    let _g = lang(Lang::En);
    let (mut app, clock) = demo_app(TEACHER);
    close_open_rounds(&mut app);
    let lights_out = at("2026-11-22T21:40:00+08:00");
    let due = trf(
        "roll.round_next",
        &[("kind", tr("round.lights_out")), ("t", "21:40".into())],
    );
    let overdue = trf(
        "roll.round_due",
        &[("kind", tr("round.lights_out")), ("t", "21:40".into())],
    );

    // 10:00, the morning after last night's rolls.
    clock.set(at("2026-11-22T10:00:00+08:00"));
    press(&mut app, KeyCode::Char('2'));
    assert_eq!(
        app.rollcall().next_round,
        Some((RoundKind::LightsOut, lights_out))
    );
    let text = buffer_text(&draw(&mut app, 80, 24));
    assert!(text.contains(&due), "10:00: not due yet\n{text}");
    assert!(!text.contains("overdue"), "10:00\n{text}");

    // 21:45 the same day, no roll started.
    clock.set(at("2026-11-22T21:45:00+08:00"));
    press(&mut app, KeyCode::Char('1'));
    press(&mut app, KeyCode::Char('2'));
    assert_eq!(
        app.rollcall().next_round,
        Some((RoundKind::LightsOut, lights_out))
    );
    let text = buffer_text(&draw(&mut app, 80, 24));
    assert!(text.contains(&overdue), "21:45: overdue\n{text}");

    // Left on screen until the next morning without being re-read, last
    // night's roll is not called overdue either.
    clock.set(at("2026-11-23T10:00:00+08:00"));
    let text = buffer_text(&draw(&mut app, 80, 24));
    assert!(!text.contains(&overdue), "next morning\n{text}");
}

#[test]
fn the_star_in_notes_is_explained() {
    for l in [Lang::ZhCn, Lang::En] {
        let _g = lang(l);
        let (mut app, _clock) = demo_app(TEACHER);
        press(&mut app, KeyCode::Char('2'));
        assert!(
            app.rollcall()
                .sheet
                .iter()
                .any(|s| s.student.data.left_behind),
            "the demo has left-behind boarders"
        );
        let text = buffer_text(&draw(&mut app, 80, 24));
        assert!(text.contains(&tr("roll.star_legend")), "{l:?}\n{text}");
    }
}

#[test]
fn the_late_entry_reason_has_an_english_label() {
    let _g = lang(Lang::En);
    let (mut app, _clock) = demo_app(GUARD);
    press(&mut app, KeyCode::Char('n'));
    let text = buffer_text(&draw(&mut app, 80, 40));
    assert!(text.contains("Late-entry reason"), "{text}");
    assert!(!text.contains("Why not now"), "{text}");
}

#[test]
fn help_on_the_history_says_home_is_newest_and_end_oldest() {
    let _g = lang(Lang::En);
    let (mut app, _clock) = demo_app(GUARD);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.visitors().view, View::History);
    let ctxs = app.contexts();
    assert_eq!(ctxs[0], Ctx::History);
    let descs: Vec<(KeyCode, &str)> = keymap::bindings_for(&ctxs)
        .iter()
        .filter(|b| matches!(b.code, KeyCode::Home | KeyCode::End))
        .map(|b| (b.code, b.desc))
        .collect();
    assert_eq!(
        descs,
        [(KeyCode::Home, "key.newest"), (KeyCode::End, "key.oldest")]
    );
    // And that is what they do: End reaches the oldest visit, Home the newest.
    press(&mut app, KeyCode::End);
    let oldest = app.visitors().history.selected().expect("a visit").time_in;
    press(&mut app, KeyCode::Home);
    let newest = app.visitors().history.selected().expect("a visit").time_in;
    assert!(
        newest > oldest,
        "Home {newest} should be after End {oldest}"
    );
    app.help = true;
    let text = buffer_text(&draw(&mut app, 80, 24));
    assert!(text.contains("Newest") && text.contains("Oldest"), "{text}");
    // The other lists keep First/Last.
    app.help = false;
    press(&mut app, KeyCode::Tab);
    let ctxs = app.contexts();
    assert!(
        keymap::bindings_for(&ctxs)
            .iter()
            .any(|b| b.code == KeyCode::Home && b.desc == "key.first")
    );
}
