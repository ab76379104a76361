use super::*;
use crate::domain::shift::default_shifts;
use crate::domain::time;
use chrono::NaiveDate;

const CN: i32 = 480;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn at(date: &str, hh: u32, mm: u32) -> i64 {
    time::day_start_ms(d(date), CN) + (hh * 60 + mm) as i64 * 60_000
}

fn plan(date: &str, shift: &str, people: &[DutyPerson]) -> DutyPlan {
    DutyPlan {
        shift: ShiftId::new("gate", d(date), shift),
        people: people.to_vec(),
        leader: Some(DutyPerson::named("王校长")),
        posts: vec![],
        note: String::new(),
    }
}

fn arrival(id: &str, name: &str, ms: i64) -> Arrival {
    (id.to_string(), name.to_string(), ms)
}

fn night_window(date: &str) -> (i64, i64) {
    default_shifts()[1].window(d(date), CN)
}

fn day_window(date: &str) -> (i64, i64) {
    default_shifts()[0].window(d(date), CN)
}

#[test]
fn on_time_at_the_grace_edge_and_late_one_minute_after() {
    let p = plan("2026-11-30", "day", &[DutyPerson::operator("op1", "张三")]);
    let w = day_window("2026-11-30");
    let now = at("2026-11-30", 12, 0);
    let on_edge = [arrival("op1", "张三", at("2026-11-30", 7, 40))];
    assert_eq!(duty_flags(Some(&p), w, &on_edge, now, 10, None), vec![]);
    let past = [arrival("op1", "张三", at("2026-11-30", 7, 41))];
    let flags = duty_flags(Some(&p), w, &past, now, 10, None);
    assert_eq!(
        flags,
        vec![DutyFlag::Late {
            who: "张三".into(),
            minutes: 11
        }]
    );
    // Before they came, the shift was uncovered.
    assert_eq!(
        duty_flags(Some(&p), w, &[], at("2026-11-30", 7, 41), 10, None),
        vec![DutyFlag::Uncovered]
    );
}

#[test]
fn early_arrival_counts_and_too_early_does_not() {
    let p = plan("2026-11-30", "day", &[DutyPerson::operator("op1", "张三")]);
    let w = day_window("2026-11-30");
    let now = at("2026-11-30", 9, 0);
    let early = [arrival("op1", "张三", at("2026-11-30", 6, 30))];
    assert_eq!(duty_flags(Some(&p), w, &early, now, 10, None), vec![]);
    let too_early = [arrival("op1", "张三", at("2026-11-30", 6, 29))];
    assert_eq!(
        duty_flags(Some(&p), w, &too_early, now, 10, None),
        vec![DutyFlag::Uncovered]
    );
}

#[test]
fn nobody_is_uncovered_only_after_the_grace() {
    let p = plan("2026-11-30", "day", &[DutyPerson::named("李老师")]);
    let w = day_window("2026-11-30");
    assert_eq!(
        duty_flags(Some(&p), w, &[], at("2026-11-30", 7, 40), 10, None),
        vec![]
    );
    assert_eq!(
        duty_flags(Some(&p), w, &[], at("2026-11-30", 7, 41), 10, None),
        vec![DutyFlag::Uncovered]
    );
    // A future shift has no flags yet.
    assert_eq!(
        duty_flags(Some(&p), w, &[], at("2026-11-29", 12, 0), 10, None),
        vec![]
    );
}

#[test]
fn night_shift_across_midnight() {
    let p = plan(
        "2026-11-29",
        "night",
        &[DutyPerson::operator("op2", "赵六")],
    );
    let w = night_window("2026-11-29");
    // Signed on after midnight: late by 6 h 30 min, same shift.
    let a = [arrival("op2", "赵六", at("2026-11-30", 0, 30))];
    let flags = duty_flags(Some(&p), w, &a, at("2026-11-30", 2, 0), 10, None);
    assert!(flags.contains(&DutyFlag::Late {
        who: "赵六".into(),
        minutes: 390
    }));
    // After the window's end (07:30 next day) a sign-on is no longer this shift's.
    let after = [arrival("op2", "赵六", at("2026-11-30", 7, 30))];
    let flags = duty_flags(Some(&p), w, &after, at("2026-11-30", 8, 0), 10, None);
    assert_eq!(flags, vec![DutyFlag::Uncovered]);
}

#[test]
fn one_of_two_late_is_late_not_uncovered() {
    let p = plan(
        "2026-11-30",
        "day",
        &[
            DutyPerson::operator("op1", "张三"),
            DutyPerson::named("李四"),
        ],
    );
    let w = day_window("2026-11-30");
    let a = [
        arrival("op1", "张三", at("2026-11-30", 7, 25)),
        arrival("op9", "李四", at("2026-11-30", 8, 0)),
    ];
    assert_eq!(
        duty_flags(Some(&p), w, &a, at("2026-11-30", 9, 0), 10, None),
        vec![DutyFlag::Late {
            who: "李四".into(),
            minutes: 30
        }]
    );
    // Still missing: late by now.
    assert_eq!(
        duty_flags(Some(&p), w, &a[..1], at("2026-11-30", 9, 0), 10, None),
        vec![DutyFlag::Late {
            who: "李四".into(),
            minutes: 90
        }]
    );
}

#[test]
fn unplanned_sign_on_and_the_next_shift_coming_early() {
    let p = plan("2026-11-30", "day", &[DutyPerson::operator("op1", "张三")]);
    let w = day_window("2026-11-30");
    let a = [
        arrival("op1", "张三", at("2026-11-30", 7, 20)),
        arrival("op5", "钱七", at("2026-11-30", 9, 0)),
        // The night's teacher arriving at 17:30 is not the day's.
        arrival("op6", "孙八", at("2026-11-30", 17, 30)),
        // The leader is planned: not flagged.
        arrival("op7", "王校长", at("2026-11-30", 10, 0)),
    ];
    assert_eq!(
        duty_flags(Some(&p), w, &a, at("2026-11-30", 17, 50), 10, None),
        vec![DutyFlag::Unplanned {
            who: "钱七".into()
        }]
    );
}

#[test]
fn not_planned_and_previous_not_handed_over() {
    let w = day_window("2026-11-30");
    let now = at("2026-11-30", 8, 0);
    assert_eq!(
        duty_flags(None, w, &[], now, 10, Some(false)),
        vec![DutyFlag::PreviousNotHandedOver, DutyFlag::NotPlanned]
    );
    assert_eq!(
        duty_flags(None, w, &[], now, 10, Some(true)),
        vec![DutyFlag::NotPlanned]
    );
    // Before the shift starts the handover is not yet due.
    assert_eq!(
        duty_flags(None, w, &[], at("2026-11-30", 7, 0), 10, Some(false)),
        vec![DutyFlag::NotPlanned]
    );
    assert!(!DutyFlag::NotPlanned.alerts());
    assert!(DutyFlag::Uncovered.alerts());
}

#[test]
fn plans_are_checked_and_trimmed() {
    let defs = default_shifts();
    let mut p = plan("2026-11-30", "day", &[DutyPerson::named(" 张三 ")]);
    p.posts = vec![DutyPost {
        post: "考场巡查".into(),
        person: DutyPerson::named("李四"),
    }];
    let ok = decide_plan(&p, &defs).unwrap();
    assert_eq!(ok.people[0].name, "张三");
    let mut bad = p.clone();
    bad.shift.shift = "evening".into();
    bad.people = vec![DutyPerson::named("张三"), DutyPerson::named("张三")];
    bad.posts[0].person.name.clear();
    match decide_plan(&bad, &defs) {
        Err(DomainError::Invalid(errs)) => {
            let fields: Vec<&str> = errs.iter().map(|e| e.0).collect();
            assert_eq!(fields, vec!["shift", "people", "posts"]);
        }
        other => panic!("{other:?}"),
    }
    let mut empty = p.clone();
    empty.people.clear();
    empty.posts.clear();
    assert!(decide_plan(&empty, &defs).is_err());
    let mut long = p;
    long.people = vec![DutyPerson::named(&"长".repeat(21))];
    assert!(decide_plan(&long, &defs).is_err());
}

#[test]
fn cells_split_as_offices_type_them() {
    assert_eq!(
        split_names("张三、李四，王五;赵六 钱七/孙八"),
        vec!["张三", "李四", "王五", "赵六", "钱七", "孙八"]
    );
    assert_eq!(split_names("  "), Vec::<String>::new());
    assert_eq!(
        parse_posts("考场巡查:张三；周界：李四").unwrap(),
        vec![
            ("考场巡查".to_string(), "张三".to_string()),
            ("周界".to_string(), "李四".to_string())
        ]
    );
    assert_eq!(parse_posts("周界 李四"), Err("周界 李四".to_string()));
    assert_eq!(parse_posts("").unwrap(), vec![]);
}

#[test]
fn shift_times_parse_and_must_not_overlap() {
    let defs = parse_shift_defs("day=07:30-18:00,night=18:00-07:30").unwrap();
    assert_eq!(defs, default_shifts());
    assert_eq!(fmt_shift_defs(&defs), "day=07:30-18:00,night=18:00-07:30");
    assert!(check_shift_defs(&defs).is_ok());
    let overlap = parse_shift_defs("day=07:30-18:00,night=17:00-07:30").unwrap();
    assert!(check_shift_defs(&overlap).is_err());
    assert!(parse_shift_defs("白班=07:30-18:00").is_err());
    assert!(parse_shift_defs("day=7:30").is_err());
    assert!(parse_shift_defs("day=07:30-07:30").is_err());
    assert!(parse_shift_defs("day=07:30-12:00,day=13:00-18:00").is_err());
}
