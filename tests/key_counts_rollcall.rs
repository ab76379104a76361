//! Keys a dorm teacher presses to call a 40-bed floor (issue 3, "Keys beyond
//! typed text"): everyone present ≤ 3; two absent ≤ 8 plus one follow-up
//! form each. Counted through `App::handle_key`, the way the terminal feeds
//! it.
//!
//! What counts as a key: arrows, Space, letters used as commands, Enter,
//! Tab, Ctrl+S, Esc. What does not: typed text — the finding written in a
//! follow-up, and the digits typed to jump to a bed ("3032" = room 303
//! bed 2), which are a bed number read off the door, not navigation.

mod common;

use common::{ctrl, key, login};
use dutydesk::app::App;
use dutydesk::domain::event::StationKind;
use dutydesk::domain::role::Role;
use dutydesk::domain::rollcall::Mark;
use dutydesk::domain::roster::{BedRef, Gender, Guardian, StudentData, Zone};
use dutydesk::domain::time::FixedClock;
use dutydesk::i18n::{Lang, set_lang, trf};
use dutydesk::panes::rollcall::Mode;
use dutydesk::store::Store;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use std::sync::Arc;

const BUILDING: &str = "1号楼";
const TEACHER: (&str, &str) = ("李秀英", "2222");
/// Ten rooms of four beds on the third floor: 301-1 … 310-4.
const ROOMS: u32 = 10;
const BEDS: u32 = 4;
const SURNAMES: [&str; 10] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"];
const GIVEN: [&str; 4] = ["浩然", "子涵", "宇轩", "欣怡"];

/// 2026-11-20 21:40 +08:00: lights-out.
fn night_ms() -> i64 {
    chrono::DateTime::parse_from_rfc3339("2026-11-20T21:40:00+08:00")
        .expect("valid instant")
        .timestamp_millis()
}

fn boarder(room: u32, bed: u32) -> StudentData {
    let name = format!(
        "{}{}",
        SURNAMES[(room - 1) as usize],
        GIVEN[(bed - 1) as usize]
    );
    StudentData {
        student_no: Some(format!("2026{room:02}{bed:02}")),
        guardians: vec![Guardian {
            name: format!("{}建国", SURNAMES[(room - 1) as usize]),
            relation: "父亲".into(),
            phone: Some(format!("1380013{room:02}{bed:02}")),
            may_pick_up: true,
        }],
        name,
        gender: Some(Gender::Male),
        class: "初二(3)班".into(),
        head_teacher: "周老师".into(),
        left_behind: room.is_multiple_of(2),
        care_notes: String::new(),
    }
}

/// One building with one floor of exactly 40 beds, everyone enrolled; an
/// app logged in as the dorm teacher on the roll-call pane with tonight's
/// lights-out round just started (these keys are setup, not counted).
fn floor_of_40() -> App {
    set_lang(Lang::ZhCn);
    let clock = FixedClock::new(night_ms());
    let mut store = Store::open_in_memory(Arc::new(clock)).expect("store");
    let admin = store
        .setup(
            "青山县第一中学",
            "1号楼值班室",
            StationKind::Dorm,
            480,
            "陈老师",
            "9999",
        )
        .expect("setup");
    store
        .add_operator(&admin, TEACHER.0, Role::DormTeacher, TEACHER.1)
        .expect("teacher");
    for room in 1..=ROOMS {
        for bed in 1..=BEDS {
            let at = BedRef {
                building: BUILDING.into(),
                floor: 3,
                room: format!("3{room:02}"),
                bed: bed.to_string(),
            };
            store
                .enroll_student(&admin, boarder(room, bed), Some(at), Some(Zone::Boys))
                .expect("enrol");
        }
    }
    let mut app = App::new(store, vec![]);
    login(&mut app, TEACHER.0, TEACHER.1);
    app.handle_key(key(KeyCode::Char('2')));
    app.handle_key(key(KeyCode::Char('n')));
    app.handle_key(key(KeyCode::Enter));
    let pane = app.rollcall();
    assert!(pane.open_round().is_some(), "the round started");
    assert_eq!(pane.sheet.len(), 40, "one floor of 40 boarders");
    assert!(pane.sheet.iter().all(|r| r.mark.is_none()));
    app
}

/// Keys pressed, by kind.
#[derive(Default)]
struct Count {
    marking: usize,
    followup: usize,
    typed_chars: usize,
}

fn press(app: &mut App, n: &mut usize, k: KeyEvent) {
    app.handle_key(k);
    *n += 1;
}

/// Typed text: never counted as keys.
fn type_text(app: &mut App, c: &mut Count, s: &str) {
    for ch in s.chars() {
        app.handle_key(key(KeyCode::Char(ch)));
        c.typed_chars += 1;
    }
}

fn selected_bed(app: &App) -> String {
    let b = app.rollcall().sheet[app.rollcall().roll.sel]
        .student
        .bed
        .as_ref()
        .expect("a bed");
    format!("{}-{}", b.room, b.bed)
}

fn round_id(app: &App) -> String {
    app.rollcall().round.as_ref().expect("a round").id.clone()
}

fn closed(app: &App, round: &str) -> bool {
    app.store
        .round(round)
        .expect("query")
        .expect("round")
        .closed_ms
        .is_some()
}

#[test]
fn a_floor_of_40_all_present_takes_two_keys() {
    let mut app = floor_of_40();
    let round = round_id(&app);
    let mut c = Count::default();
    // The cursor starts on 301-1, on the floor being called.
    press(&mut app, &mut c.marking, key(KeyCode::Char('f')));
    assert!(
        app.rollcall()
            .sheet
            .iter()
            .all(|r| r.mark == Some(Mark::Present)),
        "f marks the whole floor present"
    );
    press(&mut app, &mut c.marking, key(KeyCode::Char('c')));
    assert!(closed(&app, &round), "the round closed");
    println!(
        "40-bed floor, all present: {} keys (f, c), {} typed characters",
        c.marking, c.typed_chars
    );
    assert!(c.marking <= 3, "{} keys, goal ≤ 3", c.marking);
}

#[test]
fn a_floor_of_40_with_two_absent_takes_five_keys_plus_two_followups() {
    let mut app = floor_of_40();
    let round = round_id(&app);
    let mut c = Count::default();
    let absent = ["3032", "3074"];
    let mut ids = vec![];
    for bed in absent {
        type_text(&mut app, &mut c, bed);
        assert_eq!(selected_bed(&app).replace('-', ""), bed, "digits jump");
        ids.push(
            app.rollcall().sheet[app.rollcall().roll.sel]
                .student
                .id
                .clone(),
        );
        press(&mut app, &mut c.marking, key(KeyCode::Char('a')));
    }
    press(&mut app, &mut c.marking, key(KeyCode::Char('f')));
    let sheet = &app.rollcall().sheet;
    assert_eq!(
        sheet
            .iter()
            .filter(|r| r.mark == Some(Mark::Present))
            .count(),
        38
    );
    assert_eq!(
        sheet
            .iter()
            .filter(|r| r.mark == Some(Mark::Absent))
            .count(),
        2
    );

    // Two absences nobody has found yet: the close is refused, and the
    // cursor goes to the first of them.
    press(&mut app, &mut c.marking, key(KeyCode::Char('c')));
    assert!(!closed(&app, &round), "closed with two unaccounted");
    let toast = app.toast.as_ref().expect("a refusal message");
    assert!(toast.error);
    assert_eq!(toast.text, trf("roll.cannot_close", &[("n", "2".into())]));
    assert_eq!(selected_bed(&app), "303-2");

    // One follow-up form each: Enter opens it on "what was found", the
    // finding is typed, Tab reaches "found?", Right says yes (the time
    // found defaults to now), Ctrl+S saves.
    let findings = ["在隔壁304寝室聊天，已回本寝", "在卫生间，身体不适，已送回"];
    for (i, finding) in findings.iter().enumerate() {
        if i > 0 {
            type_text(&mut app, &mut c, absent[i]);
        }
        assert_eq!(
            app.rollcall().sheet[app.rollcall().roll.sel].student.id,
            ids[i]
        );
        press(&mut app, &mut c.followup, key(KeyCode::Enter));
        match &app.rollcall().mode {
            Mode::Form { form, .. } => assert_eq!(form.focused_id(), "finding"),
            _ => panic!("Enter on an absent boarder opens the follow-up"),
        }
        type_text(&mut app, &mut c, finding);
        press(&mut app, &mut c.followup, key(KeyCode::Tab));
        match &app.rollcall().mode {
            Mode::Form { form, .. } => assert_eq!(form.focused_id(), "found"),
            _ => panic!("still in the form"),
        }
        press(&mut app, &mut c.followup, key(KeyCode::Right));
        press(&mut app, &mut c.followup, ctrl('s'));
        assert!(
            matches!(app.rollcall().mode, Mode::Browse),
            "Ctrl+S saved the follow-up: {:?}",
            app.toast.as_ref().map(|t| &t.text)
        );
    }

    press(&mut app, &mut c.marking, key(KeyCode::Char('c')));
    assert!(
        closed(&app, &round),
        "the round closed once both were found"
    );

    // On record: two absences, each with its follow-up and when found.
    let sheet = app.store.round_sheet(&round).expect("sheet");
    for (id, finding) in ids.iter().zip(findings) {
        let row = sheet.iter().find(|r| r.student.id == *id).expect("row");
        assert_eq!(row.mark, Some(Mark::Absent), "the absence stays on record");
        assert!(row.found);
        let f = app.store.followups(&round, id).expect("followups");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].finding, finding);
        assert!(f[0].found_at.is_some());
        assert_eq!(f[0].by, TEACHER.0);
    }
    assert!(app.store.open_absences().expect("alerts").is_empty());

    println!(
        "40-bed floor, 2 absent: {} marking keys (a, a, f, c refused, c), \
         {} follow-up keys (Enter, Tab, →, Ctrl+S ×2), {} typed characters \
         (bed numbers and findings)",
        c.marking, c.followup, c.typed_chars
    );
    assert!(c.marking <= 8, "{} marking keys, goal ≤ 8", c.marking);
    assert_eq!(c.followup, 8, "4 keys per follow-up form");
}
