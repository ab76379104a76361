//! Snapshots of the duty pane's shift log (值班记录) in zh-CN and en at
//! 80×24 and 120×40: the list with an earlier shift's open follow-up
//! carried by reference, the entry form, one entry's details with its
//! history; inline errors; and random keys in the view never panic.
//!
//! Update with `INSTA_UPDATE=always cargo test --test ui_duty_log`, then read
//! the changed `.snap` files. CI runs with `INSTA_UPDATE=no`.

mod common;

use common::*;
use dutydesk::app::App;
use dutydesk::domain::event::StationKind;
use dutydesk::domain::role::Role;
use dutydesk::domain::shift_log::{Category, LogDraft};
use dutydesk::domain::time::FixedClock;
use dutydesk::i18n::{Lang, set_lang};
use dutydesk::panes::duty::DutyPane;
use dutydesk::panes::duty::log::{LogView, Mode};
use dutydesk::store::Store;
use proptest::prelude::*;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

/// The language is a process-global: the tests take turns.
static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

const LANGS: [(Lang, &str); 2] = [(Lang::ZhCn, "zh-CN"), (Lang::En, "en")];
const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
const TEACHER: &str = "李芳";
const TEACHER_PIN: &str = "2222";
const HOUR: i64 = 3_600_000;

fn entry(cat: Category, what: &str, action: &str, to: &str, followup: bool) -> LogDraft {
    LogDraft {
        at_ms: None,
        category: Some(cat),
        what: what.into(),
        action_taken: action.into(),
        reported_to: to.into(),
        needs_followup: followup,
    }
}

/// A gate station: last night an open follow-up and a closed one; this
/// morning (the day shift of 11-22) an instruction and a repair.
fn station() -> (Store, FixedClock) {
    // Set up before last night, so the log's clock runs forward as written.
    let (mut s, clock) = blank_store();
    clock.set(now_ms() - 24 * HOUR);
    let admin = s
        .setup(SCHOOL, STATION, StationKind::Gate, 480, ADMIN, ADMIN_PIN)
        .unwrap();
    let guard = s
        .add_operator(&admin, GUARD, Role::Guard, GUARD_PIN)
        .unwrap();
    let teacher = s
        .add_operator(&admin, TEACHER, Role::DormTeacher, TEACHER_PIN)
        .unwrap();
    clock.set(now_ms() - 12 * HOUR); // 11-21 22:00, the night shift
    s.log_entry(
        &teacher,
        &entry(
            Category::Student,
            "初二(3)班王小明 22:00 未归寝",
            "已电话联系家长",
            "刘主任",
            true,
        ),
    )
    .unwrap();
    clock.set(now_ms() - 11 * HOUR);
    let done = s
        .log_entry(
            &guard,
            &entry(
                Category::Visitor,
                "家长深夜送药",
                "登记后代转宿管",
                "",
                true,
            ),
        )
        .unwrap();
    s.close_log_entry(&teacher, &done, "药已交到学生手中")
        .unwrap();
    clock.set(now_ms() - 2 * HOUR); // 08:00, the day shift
    s.log_entry(
        &admin,
        &entry(
            Category::Instruction,
            "教育局通知：本周五前完成消防器材检查",
            "",
            "全体值班人员",
            true,
        ),
    )
    .unwrap();
    clock.set(now_ms() - HOUR);
    s.log_entry(
        &guard,
        &entry(
            Category::Repair,
            "南门道闸抬杆失灵",
            "已人工放行，报后勤",
            "后勤王师傅",
            false,
        ),
    )
    .unwrap();
    clock.set(now_ms());
    (s, clock)
}

fn view(app: &App) -> &LogView {
    app.pane::<DutyPane>().view::<LogView>().expect("log view")
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
fn shift_log_screens() {
    let _turn = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    for lang in LANGS {
        for (w, h) in SIZES {
            set_lang(lang.0);
            let (store, _clock) = station();
            let mut app = App::new(store, vec![]);
            login(&mut app, GUARD, GUARD_PIN);
            press(&mut app, KeyCode::Char('5'));
            // The shift log is the duty pane's second list, after the handover.
            press(&mut app, KeyCode::Tab);

            // 1. Last night's open follow-up first, marked, once; then
            // this shift's two. The closed one stays in its own shift.
            let buf = snap(&mut app, "duty_log_list", lang, w, h);
            let rows = &view(&app).rows;
            assert_eq!(rows.len(), 3);
            assert!(rows[0].earlier && rows[0].entry.is_open());
            assert!(!rows[1].earlier && !rows[2].earlier);
            let tag = dutydesk::i18n::tr("shiftlog.earlier");
            assert_eq!(find_all(&buf, &tag).len(), 1, "marked once");

            // 2. The entry form.
            press(&mut app, KeyCode::Char('n'));
            assert!(matches!(view(&app).mode, Mode::Form { .. }));
            snap(&mut app, "duty_log_form", lang, w, h);
            press(&mut app, KeyCode::Esc);
            assert!(matches!(view(&app).mode, Mode::Browse));

            // 3. The details of last night's entry, with its history.
            press(&mut app, KeyCode::Enter);
            assert!(matches!(view(&app).mode, Mode::Details { .. }));
            let buf = snap(&mut app, "duty_log_details", lang, w, h);
            assert!(find_text(&buf, "刘主任").is_some());
            press(&mut app, KeyCode::Esc);
        }
    }
}

#[test]
fn the_form_refuses_inline_then_saves_and_a_follow_up_closes() {
    let _turn = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    set_lang(Lang::ZhCn);
    let (store, _clock) = station();
    let mut app = App::new(store, vec![]);
    login(&mut app, GUARD, GUARD_PIN);
    press(&mut app, KeyCode::Char('5'));
    // The shift log is the duty pane's second list, after the handover.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('n'));
    // A time in the future and no text: both refused beside their fields.
    type_str(&mut app, "23:00");
    app.handle_event(Event::Key(ctrl('s')));
    let buf = draw(&mut app, 120, 40);
    assert!(
        matches!(view(&app).mode, Mode::Form { .. }),
        "nothing saved"
    );
    assert!(find_text(&buf, "必填").is_some(), "{}", buffer_text(&buf));
    assert_eq!(view(&app).rows.len(), 3);
    for _ in 0..2 {
        app.handle_event(Event::Key(ctrl('u')));
    }
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_str(&mut app, "三号楼走廊灯不亮");
    app.handle_event(Event::Key(ctrl('s')));
    assert!(matches!(view(&app).mode, Mode::Browse));
    assert_eq!(view(&app).rows.len(), 4);

    // Close last night's follow-up: an empty outcome is refused, then it
    // is gone from this shift's list.
    press(&mut app, KeyCode::Home);
    press(&mut app, KeyCode::Char('c'));
    assert!(matches!(view(&app).mode, Mode::Form { .. }));
    app.handle_event(Event::Key(ctrl('s')));
    assert!(matches!(view(&app).mode, Mode::Form { .. }));
    type_str(&mut app, "学生 23:10 返回宿舍");
    app.handle_event(Event::Key(ctrl('s')));
    assert!(matches!(view(&app).mode, Mode::Browse));
    assert_eq!(view(&app).rows.len(), 3);
    assert!(view(&app).rows.iter().all(|r| !r.earlier));

    // `o`: open ones only (the instruction).
    press(&mut app, KeyCode::Char('o'));
    assert_eq!(view(&app).rows.len(), 1);
    // Search by the initials of the name it was reported to.
    press(&mut app, KeyCode::Char('o'));
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "hqwsf");
    assert_eq!(view(&app).rows.len(), 1);
    assert_eq!(view(&app).rows[0].entry.fields.what, "南门道闸抬杆失灵");
}

fn step_keys() -> impl Strategy<Value = KeyEvent> {
    let k = |c| KeyEvent::new(c, KeyModifiers::NONE);
    prop::sample::select(vec![
        k(KeyCode::Char('n')),
        k(KeyCode::Char('c')),
        k(KeyCode::Char('e')),
        k(KeyCode::Char('o')),
        k(KeyCode::Char('/')),
        k(KeyCode::Char('王')),
        k(KeyCode::Char('1')),
        k(KeyCode::Char(':')),
        k(KeyCode::Enter),
        k(KeyCode::Esc),
        k(KeyCode::Tab),
        k(KeyCode::BackTab),
        k(KeyCode::Left),
        k(KeyCode::Up),
        k(KeyCode::Down),
        k(KeyCode::Home),
        k(KeyCode::Backspace),
        ctrl('s'),
        ctrl('u'),
    ])
}

proptest! {
    #![proptest_config(proptest::test_runner::Config {
        cases: 16,
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
        let (store, _clock) = station();
        let mut app = App::new(store, vec![]);
        login(&mut app, GUARD, GUARD_PIN);
        press(&mut app, KeyCode::Char('5'));
        // The shift log is the duty pane's second list, after the handover.
        press(&mut app, KeyCode::Tab);
        for key in keys {
            app.handle_event(Event::Key(key));
            draw(&mut app, w.max(1), h.max(1));
        }
    }
}
