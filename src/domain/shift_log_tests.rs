use super::*;
use crate::domain::role::Role;
use chrono::NaiveDate;

const NOW: i64 = 1_790_000_000_000;

fn actor(id: &str, role: Role) -> Actor {
    Actor {
        id: id.into(),
        name: id.into(),
        role,
    }
}

fn shift() -> ShiftId {
    ShiftId::new(
        "gate",
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        "night",
    )
}

fn draft(what: &str, followup: bool) -> LogDraft {
    LogDraft {
        at_ms: None,
        category: Some(Category::Incident),
        what: what.into(),
        action_taken: "已通知班主任".into(),
        reported_to: "王校长".into(),
        needs_followup: followup,
    }
}

fn entered(followup: bool) -> (LogEntered, Event) {
    let e = decide_enter(
        &actor("g1", Role::Guard),
        "e1".into(),
        shift(),
        &draft("三号楼 305 水管漏水", followup),
        NOW,
    )
    .unwrap();
    (e.clone(), Event::ShiftLogEntered(e))
}

fn view(evs: &[(&str, &str, Event)]) -> (LogEntry, Option<ContestedClose>) {
    let ins: Vec<LogIn> = evs
        .iter()
        .enumerate()
        .map(|(i, (id, actor, ev))| LogIn {
            id,
            origin: if i % 2 == 0 { "a" } else { "b" },
            actor,
            at_ms: NOW + i as i64,
            ev,
        })
        .collect();
    fold(&ins, &HashMap::new()).unwrap()
}

#[test]
fn entering_keeps_multibyte_text_and_defaults_the_time_to_now() {
    let (e, _) = entered(true);
    assert_eq!(e.fields.what, "三号楼 305 水管漏水");
    assert_eq!(e.fields.at_ms, NOW);
    assert_eq!(e.shift, shift());
}

#[test]
fn category_and_what_are_required_and_time_not_future() {
    let d = LogDraft {
        at_ms: Some(NOW + 60_000),
        what: "　 ".into(),
        ..LogDraft::default()
    };
    let err = decide_enter(&actor("g1", Role::Guard), "x".into(), shift(), &d, NOW).unwrap_err();
    let DomainError::Invalid(errs) = err else {
        panic!("{err:?}")
    };
    let fields: Vec<&str> = errs.iter().map(|e| e.0).collect();
    assert_eq!(fields, vec!["at", "category", "what"]);
}

#[test]
fn texts_are_bounded_in_characters_not_bytes() {
    let mut d = draft(&"漏".repeat(MAX_TEXT), false);
    assert!(check_fields(&d, NOW).is_ok());
    d.action_taken = "水".repeat(MAX_TEXT + 1);
    assert_eq!(
        check_fields(&d, NOW),
        Err(DomainError::Invalid(vec![(
            "action_taken",
            FieldError::TooLong { max: MAX_TEXT }
        )]))
    );
}

#[test]
fn a_followup_stays_open_until_closed_and_closes_once() {
    let (_, ev) = entered(true);
    let (v, _) = view(&[("1", "g1", ev.clone())]);
    assert!(v.is_open());
    let guard = actor("g2", Role::Guard);
    assert!(matches!(
        decide_close(&guard, &v, "  "),
        Err(DomainError::Invalid(_))
    ));
    let c = decide_close(&guard, &v, "已修好").unwrap();
    let (v, contested) = view(&[("1", "g1", ev), ("2", "g2", Event::ShiftLogClosed(c))]);
    assert_eq!(v.state, FollowUp::Closed);
    assert_eq!(v.outcome.as_deref(), Some("已修好"));
    assert_eq!(v.closed_by.as_deref(), Some("g2"));
    assert!(contested.is_none());
    assert_eq!(
        decide_close(&guard, &v, "again"),
        Err(DomainError::LogEntryNotOpen)
    );
}

#[test]
fn an_entry_without_followup_cannot_be_closed() {
    let (_, ev) = entered(false);
    let (v, _) = view(&[("1", "g1", ev)]);
    assert_eq!(v.state, FollowUp::None);
    assert_eq!(
        decide_close(&actor("g1", Role::Guard), &v, "done"),
        Err(DomainError::LogEntryNotOpen)
    );
}

#[test]
fn the_writer_a_duty_leader_or_an_admin_corrects_with_a_reason() {
    let (_, ev) = entered(true);
    let (v, _) = view(&[("1", "g1", ev.clone())]);
    let d = draft("三号楼 305 暖气漏水", true);
    let other = actor("g2", Role::Guard);
    assert_eq!(
        decide_correct(&other, &v, &d, None, "写错了", NOW),
        Err(DomainError::Forbidden(Permission::CorrectShiftLog))
    );
    assert_eq!(
        decide_correct(&actor("t1", Role::DormTeacher), &v, &d, None, "x", NOW),
        Err(DomainError::Forbidden(Permission::CorrectShiftLog))
    );
    let writer = actor("g1", Role::Guard);
    assert_eq!(
        decide_correct(&writer, &v, &d, None, " ", NOW),
        Err(DomainError::ReasonRequired)
    );
    assert_eq!(
        decide_correct(&writer, &v, &draft_of(&v), None, "无", NOW),
        Err(DomainError::NothingChanged)
    );
    for a in [
        writer,
        actor("l1", Role::DutyLeader),
        actor("a1", Role::Admin),
    ] {
        let c = decide_correct(&a, &v, &d, None, "写错了", NOW).unwrap();
        let (w, _) = view(&[
            ("1", "g1", ev.clone()),
            ("2", "x", Event::ShiftLogCorrected(c)),
        ]);
        assert_eq!(w.fields.what, "三号楼 305 暖气漏水");
        assert_eq!(w.corrections, 1);
        assert!(w.is_open());
    }
}

#[test]
fn a_closed_entry_changes_only_by_a_correction_which_may_fix_its_outcome() {
    let (_, ev) = entered(true);
    let (v, _) = view(&[("1", "g1", ev.clone())]);
    let c = decide_close(&actor("g2", Role::Guard), &v, "已修").unwrap();
    let closed = Event::ShiftLogClosed(c);
    let (v, _) = view(&[("1", "g1", ev.clone()), ("2", "g2", closed.clone())]);
    let leader = actor("l1", Role::DutyLeader);
    let fix = decide_correct(
        &leader,
        &v,
        &draft_of(&v),
        Some("已由后勤更换阀门"),
        "结果写得不清楚",
        NOW,
    )
    .unwrap();
    let (w, _) = view(&[
        ("1", "g1", ev),
        ("2", "g2", closed),
        ("3", "l1", Event::ShiftLogCorrected(fix)),
    ]);
    assert_eq!(w.state, FollowUp::Closed);
    assert_eq!(w.outcome.as_deref(), Some("已由后勤更换阀门"));
}

#[test]
fn two_stations_closing_with_different_outcomes_are_contested() {
    let (_, ev) = entered(true);
    let a = Event::ShiftLogClosed(LogClosed {
        entry_id: "e1".into(),
        outcome: "学生已找到".into(),
    });
    let b = Event::ShiftLogClosed(LogClosed {
        entry_id: "e1".into(),
        outcome: "家长接走".into(),
    });
    let (v, c) = view(&[
        ("1", "g1", ev.clone()),
        ("2", "g2", a.clone()),
        ("3", "g3", b.clone()),
    ]);
    assert_eq!(v.outcome.as_deref(), Some("学生已找到"));
    let c = c.unwrap();
    assert_eq!(c.key, "shiftlog:e1/close");
    assert_eq!(c.events, vec!["2", "3"]);
    // The same outcome twice is agreement, not a contradiction.
    let (_, none) = view(&[
        ("1", "g1", ev.clone()),
        ("2", "g2", a.clone()),
        ("3", "g3", a),
    ]);
    assert!(none.is_none());
    // A duty leader's choice stands.
    let recs = [
        ("1", "g1", ev),
        (
            "2",
            "g2",
            Event::ShiftLogClosed(LogClosed {
                entry_id: "e1".into(),
                outcome: "x".into(),
            }),
        ),
        ("3", "g3", b),
    ];
    let ins: Vec<LogIn> = recs
        .iter()
        .map(|(id, actor, ev)| LogIn {
            id,
            origin: "o",
            actor,
            at_ms: NOW,
            ev,
        })
        .collect();
    let chosen = HashMap::from([("shiftlog:e1/close".to_string(), "3".to_string())]);
    let (v, c) = fold(&ins, &chosen).unwrap();
    assert_eq!(v.outcome.as_deref(), Some("家长接走"));
    assert_eq!(c.unwrap().applied, "3");
}

#[test]
fn categories_round_trip_through_their_keys() {
    for c in Category::ALL {
        assert_eq!(Category::parse(c.key()), Some(c));
    }
    assert_eq!(Category::parse("fire"), None);
}

#[test]
fn everyone_on_duty_keeps_the_log() {
    for r in Role::ALL {
        assert!(crate::domain::role::allows(r, Permission::KeepShiftLog));
    }
}
