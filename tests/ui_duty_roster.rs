//! Snapshots of the duty roster view (值班表) in zh-CN and en at 80×24 and
//! 120×40: a week with an uncovered shift (a gap) and a late arrival, the
//! current shift marked, and the edit form; the form's inline errors; and
//! random keys in the view never panic.
//!
//! Update with `INSTA_UPDATE=always cargo test --test ui_duty_roster`, then
//! read the changed `.snap` files. CI runs with `INSTA_UPDATE=no`.

mod common;

use common::*;
use dutydesk::app::App;
use dutydesk::domain::duty::{DutyFlag, DutyPerson, DutyPlan, DutyPost};
use dutydesk::domain::event::StationKind;
use dutydesk::domain::role::Role;
use dutydesk::domain::shift::ShiftId;
use dutydesk::domain::time::{self, FixedClock};
use dutydesk::i18n::{Lang, set_lang};
use dutydesk::panes::duty::DutyPane;
use dutydesk::panes::duty::roster::{Mode, RosterView};
use dutydesk::store::Store;
use proptest::prelude::*;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::sync::Arc;

/// The language is a process-global: the tests take turns.
static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

const LANGS: [(Lang, &str); 2] = [(Lang::ZhCn, "zh-CN"), (Lang::En, "en")];
const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
const TEACHER: &str = "李晓红";

fn at(date: &str, hh: u32, mm: u32) -> i64 {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    time::day_start_ms(d, 480) + (hh * 60 + mm) as i64 * 60_000
}

/// A gate station on Sunday 2026-11-22 at 10:00: Saturday's night shift
/// planned and nobody came (a gap); this morning's guard signed on at
/// 07:55, 25 minutes late; the rest of the week planned and kept.
fn roster_store() -> Store {
    let clock = FixedClock::new(at("2026-11-15", 12, 0));
    let mut store = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    let admin = store
        .setup(SCHOOL, STATION, StationKind::Gate, 480, ADMIN, ADMIN_PIN)
        .unwrap();
    let guard = store
        .add_operator(&admin, GUARD, Role::Guard, GUARD_PIN)
        .unwrap();
    let teacher = store
        .add_operator(&admin, TEACHER, Role::DormTeacher, "2222")
        .unwrap();
    let st = store.station().unwrap().id.clone();
    for day in 16..=22 {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
        for (shift, who) in [("day", &guard), ("night", &teacher)] {
            let plan = DutyPlan {
                shift: ShiftId::new(&st, date, shift),
                people: vec![DutyPerson::operator(&who.id, &who.name)],
                leader: Some(DutyPerson::operator(&admin.id, ADMIN)),
                posts: if day == 20 && shift == "night" {
                    vec![DutyPost {
                        post: "周界".into(),
                        person: DutyPerson::named("欧阳晓明"),
                    }]
                } else {
                    vec![]
                },
                note: if day == 21 {
                    "期中考试".into()
                } else {
                    String::new()
                },
            };
            store.plan_duty(&admin, plan).unwrap();
        }
    }
    // Everyone on time but Saturday night (nobody) and this morning (late).
    for day in 16..=22 {
        let date = format!("2026-11-{day}");
        let day_in = if day == 22 { (7, 55) } else { (7, 20) };
        clock.set(at(&date, day_in.0, day_in.1));
        store.login(&guard.id, GUARD_PIN).unwrap();
        if day != 21 && day != 22 {
            clock.set(at(&date, 17, 45));
            store.login(&teacher.id, "2222").unwrap();
        }
    }
    clock.set(now_ms());
    store
}

fn roster(app: &App) -> &RosterView {
    app.pane::<DutyPane>()
        .view::<RosterView>()
        .expect("roster view")
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
fn roster_screens() {
    let _turn = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    for lang in LANGS {
        for (w, h) in SIZES {
            set_lang(lang.0);
            let mut app = App::new(roster_store(), vec![]);
            login(&mut app, ADMIN, ADMIN_PIN);
            press(&mut app, KeyCode::Char('5'));
            // The roster is the duty pane's third list, after the handover and the log.
            press(&mut app, KeyCode::Tab);
            press(&mut app, KeyCode::Tab);

            // 1. The week: Saturday night a gap, this morning late, now marked.
            let buf = snap(&mut app, "duty_roster_week", lang, w, h);
            let v = roster(&app);
            assert_eq!(v.rows.len(), 14);
            let gap = v
                .rows
                .iter()
                .find(|r| r.row.shift.date == "2026-11-21" && r.row.shift.shift == "night")
                .unwrap();
            assert_eq!(gap.row.flags, vec![DutyFlag::Uncovered]);
            let now = v
                .rows
                .iter()
                .find(|r| Some(&r.row.shift) == v.current.as_ref())
                .expect("the current shift is listed");
            assert!(now.row.flags.contains(&DutyFlag::Late {
                who: GUARD.into(),
                minutes: 25
            }));
            assert_eq!(
                v.rows[v.list.sel].row.shift, now.row.shift,
                "now is selected"
            );
            let text = buffer_text(&buf);
            assert!(text.contains("▶"), "the current shift is marked:\n{text}");

            // 2. Editing this morning's line.
            press(&mut app, KeyCode::Enter);
            assert!(matches!(roster(&app).mode, Mode::Form { .. }));
            snap(&mut app, "duty_roster_form", lang, w, h);
            press(&mut app, KeyCode::Esc);
            assert!(matches!(roster(&app).mode, Mode::Browse));
        }
    }
}

#[test]
fn the_form_refuses_inline_then_saves_and_removes() {
    let _turn = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    set_lang(Lang::ZhCn);
    let mut app = App::new(roster_store(), vec![]);
    login(&mut app, ADMIN, ADMIN_PIN);
    press(&mut app, KeyCode::Char('5'));
    // The roster is the duty pane's third list, after the handover and the log.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    // Next week has no lines yet.
    press(&mut app, KeyCode::Right);
    assert!(roster(&app).rows.iter().all(|r| r.row.plan.is_none()));
    press(&mut app, KeyCode::Char('n'));
    // A bad date and a post without its person: both said beside their fields.
    for _ in 0..20 {
        app.handle_event(Event::Key(KeyEvent::new(
            KeyCode::Backspace,
            KeyModifiers::NONE,
        )));
    }
    type_str(&mut app, "11月32日");
    for _ in 0..4 {
        press(&mut app, KeyCode::Tab);
    }
    type_str(&mut app, "周界 欧阳晓明");
    app.handle_event(Event::Key(ctrl('s')));
    let buf = draw(&mut app, 120, 40);
    let text = buffer_text(&buf);
    assert!(
        matches!(roster(&app).mode, Mode::Form { .. }),
        "nothing saved"
    );
    assert!(text.contains("日期看不懂"), "{text}");
    assert!(text.contains("岗位:姓名"), "{text}");
    // Corrected (the focus went to the first error, the date): saved with
    // a name that has no account, kept as typed.
    app.handle_event(Event::Key(ctrl('u')));
    type_str(&mut app, "2026-11-23");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_str(&mut app, "张建国、司马相如");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    app.handle_event(Event::Key(ctrl('u')));
    type_str(&mut app, "周界:欧阳晓明");
    app.handle_event(Event::Key(ctrl('s')));
    let text = buffer_text(&draw(&mut app, 120, 40));
    assert!(matches!(roster(&app).mode, Mode::Browse), "saved:\n{text}");
    let v = roster(&app);
    let line = v
        .rows
        .iter()
        .find_map(|r| r.row.plan.as_ref().filter(|p| p.shift.date == "2026-11-23"))
        .expect("the new line is listed")
        .clone();
    assert_eq!(line.people.len(), 2);
    assert!(line.people[0].operator_id.is_some());
    assert_eq!(line.people[1].operator_id, None);
    // Removed after a yes.
    let i = v
        .rows
        .iter()
        .position(|r| r.row.plan.as_ref() == Some(&line))
        .unwrap();
    app.pane_mut::<DutyPane>()
        .view_mut::<RosterView>()
        .unwrap()
        .list
        .sel = i;
    press(&mut app, KeyCode::Char('d'));
    assert!(matches!(roster(&app).mode, Mode::ConfirmRemove(_)));
    press(&mut app, KeyCode::Enter);
    assert!(roster(&app).rows.iter().all(|r| r.row.plan.is_none()));
}

#[test]
fn a_guard_sees_the_roster_and_the_status_bar_but_cannot_edit() {
    let _turn = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    set_lang(Lang::ZhCn);
    let mut app = App::new(roster_store(), vec![]);
    login(&mut app, GUARD, GUARD_PIN);
    let buf = draw(&mut app, 120, 40);
    assert!(
        find_text(&buf, "值班迟到 1").is_some(),
        "the status bar says the current shift is late:\n{}",
        buffer_text(&buf)
    );
    press(&mut app, KeyCode::Char('5'));
    // The roster is the duty pane's third list, after the handover and the log.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Char('a'));
    assert!(matches!(roster(&app).mode, Mode::Browse));
    assert!(!roster(&app).all_stations);
}

fn step_keys() -> impl Strategy<Value = KeyEvent> {
    let k = |c| KeyEvent::new(c, KeyModifiers::NONE);
    prop::sample::select(vec![
        k(KeyCode::Char('n')),
        k(KeyCode::Char('d')),
        k(KeyCode::Char('a')),
        k(KeyCode::Char('i')),
        k(KeyCode::Char('y')),
        k(KeyCode::Char('王')),
        k(KeyCode::Char('1')),
        k(KeyCode::Char(':')),
        k(KeyCode::Enter),
        k(KeyCode::Esc),
        k(KeyCode::Tab),
        k(KeyCode::Left),
        k(KeyCode::Right),
        k(KeyCode::Up),
        k(KeyCode::Down),
        k(KeyCode::PageUp),
        k(KeyCode::PageDown),
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
    fn random_keys_in_the_view_never_panic(
        keys in prop::collection::vec(step_keys(), 1..50),
        zh in any::<bool>(),
        w in 1u16..160,
        h in 1u16..50,
    ) {
        let _turn = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        set_lang(if zh { Lang::ZhCn } else { Lang::En });
        let mut app = App::new(roster_store(), vec![]);
        login(&mut app, ADMIN, ADMIN_PIN);
        press(&mut app, KeyCode::Char('5'));
    // The roster is the duty pane's third list, after the handover and the log.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
        for key in keys {
            app.handle_event(Event::Key(key));
            draw(&mut app, w.max(1), h.max(1));
        }
    }
}

#[test]
fn importing_the_template_from_the_view_previews_then_applies() {
    let _turn = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    set_lang(Lang::ZhCn);
    let mut app = App::new(roster_store(), vec![]);
    login(&mut app, ADMIN, ADMIN_PIN);
    press(&mut app, KeyCode::Char('5'));
    // The roster is the duty pane's third list, after the handover and the log.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    let dir = tempfile::tempdir().unwrap();
    // A file with one bad row: previewed, named, and Enter writes nothing.
    let bad = dir.path().join("值班表.csv");
    std::fs::write(
        &bad,
        "日期,班次,值班点,值班人员\n2026-11-23,白班,南门门卫室,张建国\n2026-11-23,早班,南门门卫室,李晓红\n",
    )
    .unwrap();
    for (file, ok) in [(bad, false), (data_template(), true)] {
        press(&mut app, KeyCode::Char('i'));
        assert!(matches!(roster(&app).mode, Mode::Import { .. }));
        app.handle_event(Event::Key(ctrl('u')));
        type_str(&mut app, &file.to_string_lossy());
        press(&mut app, KeyCode::Enter);
        assert!(matches!(roster(&app).mode, Mode::Preview { .. }));
        let text = buffer_text(&draw(&mut app, 120, 40));
        if ok {
            assert!(text.contains("新增 1 条"), "{text}");
        } else {
            assert!(text.contains("第 3 行"), "{text}");
        }
        press(&mut app, KeyCode::Enter);
        if ok {
            assert!(matches!(roster(&app).mode, Mode::Browse));
        } else {
            assert!(matches!(roster(&app).mode, Mode::Preview { .. }));
            press(&mut app, KeyCode::Esc);
        }
    }
    // The template's line is in; the bad file's good row was not written.
    let st = app.store.station().unwrap().id.clone();
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let sept = app
        .store
        .duty_plan(&ShiftId::new(&st, d("2026-09-01"), "day"))
        .unwrap()
        .expect("the template's line");
    assert_eq!(sept.people[0].name, GUARD);
    assert!(sept.people[0].operator_id.is_some());
    assert_eq!(
        app.store
            .duty_plan(&ShiftId::new(&st, d("2026-11-23"), "day"))
            .unwrap(),
        None
    );
}

fn data_template() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/值班表模板.csv")
}
