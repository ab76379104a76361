//! Keys a guard presses on a round (issue 11, "Keys beyond typed text"):
//! a checkpoint checked in by scanning 0 (a scanner types the code and its
//! own Enter), by typed code the code + Enter, marked OK from the list ≤ 1,
//! a finding ≤ 4 with the note typed. Counted through `App::handle_key`,
//! the way the terminal feeds it.
//!
//! What counts as a key: arrows, Space, Tab, Enter, Ctrl+letter, Esc. What
//! does not: typed text (a code, a note) and the Enter a scanner sends
//! after the code, which nobody presses.

mod common;

use common::{ctrl, key, login};
use dutydesk::app::App;
use dutydesk::domain::event::StationKind;
use dutydesk::domain::patrol::{CheckpointData, Outcome, RouteData, RouteOrder, Schedule};
use dutydesk::domain::role::Role;
use dutydesk::domain::time::FixedClock;
use dutydesk::i18n::{Lang, set_lang};
use dutydesk::panes::patrol::{Mode, PatrolPane};
use dutydesk::store::Store;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use std::sync::Arc;

const GUARD: (&str, &str) = ("张建国", "1111");

/// 2026-11-20 22:02 +08:00: the 22:00 round is due.
fn night_ms() -> i64 {
    chrono::DateTime::parse_from_rfc3339("2026-11-20T22:02:00+08:00")
        .expect("valid instant")
        .timestamp_millis()
}

/// A route of six checkpoints; the guard logged in, on the patrol pane,
/// in the 22:00 round (setup keys, not counted).
fn on_a_round() -> (App, FixedClock) {
    set_lang(Lang::ZhCn);
    let clock = FixedClock::new(night_ms());
    let mut store = Store::open_in_memory(Arc::new(clock.clone())).expect("store");
    let admin = store
        .setup(
            "青山县第一中学",
            "南门门卫室",
            StationKind::Gate,
            480,
            "陈老师",
            "9999",
        )
        .expect("setup");
    store
        .add_operator(&admin, GUARD.0, Role::Guard, GUARD.1)
        .expect("guard");
    let mut cps = vec![];
    for i in 1..=6 {
        let d = CheckpointData {
            name: format!("{i}号点"),
            place: "宿舍1号楼".into(),
            code: format!("D1-0{i}"),
            checklist: vec!["安全出口畅通".into(), "无违章电器".into()],
            active: true,
        };
        cps.push(store.set_checkpoint(&admin, None, &d).expect("checkpoint"));
    }
    store
        .set_route(
            &admin,
            None,
            &RouteData {
                name: "宿舍夜巡".into(),
                checkpoints: cps,
                order: RouteOrder::Ordered,
                schedule: Schedule::parse("22:00 00:30 03:00").unwrap(),
                min_walk_min: 1,
                window_min: 60,
                late_min: 15,
                named_person: false,
                active: true,
            },
        )
        .expect("route");
    let mut app = App::new(store, vec![]);
    login(&mut app, GUARD.0, GUARD.1);
    app.handle_key(key(KeyCode::Char('3')));
    app.handle_key(key(KeyCode::Enter));
    assert!(matches!(app.pane::<PatrolPane>().mode, Mode::Round(_)));
    (app, clock)
}

fn round_id(app: &App) -> String {
    match &app.pane::<PatrolPane>().mode {
        Mode::Round(r) => r.round_id.clone(),
        _ => panic!("not on a round"),
    }
}

fn checks(app: &App) -> Vec<(String, Outcome)> {
    app.store
        .patrol_checks(&round_id(app))
        .unwrap()
        .into_iter()
        .map(|c| (c.checkpoint_id, c.outcome))
        .collect()
}

fn typed(app: &mut App, s: &str) {
    for ch in s.chars() {
        app.handle_key(key(KeyCode::Char(ch)));
    }
}

fn press(app: &mut App, n: &mut usize, k: KeyEvent) {
    app.handle_key(k);
    *n += 1;
}

#[test]
fn scan_zero_keys_ok_one_key_finding_four() {
    let (mut app, clock) = on_a_round();

    // By scan: the code and the scanner's own Enter; nobody presses a key.
    let keys = 0;
    typed(&mut app, "D1-01");
    app.handle_key(key(KeyCode::Enter)); // sent by the scanner
    assert_eq!(checks(&app).len(), 1);
    assert_eq!(checks(&app)[0].1, Outcome::Ok);
    assert_eq!(keys, 0, "check-in by scan");

    // By typed code: the code + Enter (the Enter is the one key).
    clock.advance_min(2);
    let mut keys = 0;
    typed(&mut app, "d1-02");
    press(&mut app, &mut keys, key(KeyCode::Enter));
    assert_eq!(checks(&app).len(), 2);
    assert!(keys <= 1, "typed code + Enter: {keys}");

    // OK from the list: the next checkpoint is already selected; Enter.
    clock.advance_min(2);
    let mut keys = 0;
    press(&mut app, &mut keys, key(KeyCode::Enter));
    let c = checks(&app);
    assert_eq!(c.len(), 3);
    assert_eq!(c[2].1, Outcome::Ok);
    assert!(keys <= 1, "mark OK: {keys}");

    // A finding on the next: Ctrl+F, Space on the failed item, Tab to the
    // note (typed), Ctrl+S.
    clock.advance_min(2);
    let mut keys = 0;
    press(&mut app, &mut keys, ctrl('f'));
    assert!(matches!(app.pane::<PatrolPane>().mode, Mode::Finding(_)));
    press(&mut app, &mut keys, key(KeyCode::Char(' ')));
    press(&mut app, &mut keys, key(KeyCode::Tab));
    typed(&mut app, "安全出口堆放杂物");
    press(&mut app, &mut keys, ctrl('s'));
    let c = checks(&app);
    assert_eq!(c.len(), 4);
    assert_eq!(
        c[3].1,
        Outcome::Finding {
            failed: vec!["安全出口畅通".into()],
            note: "安全出口堆放杂物".into()
        }
    );
    assert!(keys <= 4, "finding: {keys}");
    println!("keys: scan 0, typed code 1, OK 1, finding {keys}");
}
