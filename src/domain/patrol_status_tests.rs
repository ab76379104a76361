use super::*;
use crate::domain::patrol::tests::route;

const CN: i32 = 480;

fn night() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
}

/// Local time on the night of 2026-11-30 (Beijing): "22:00" that evening,
/// "00:30" the morning after.
fn at(t: &str) -> i64 {
    night_at(night(), CN, crate::domain::time::parse_hhmm(t).unwrap())
}

fn fixed() -> RouteData {
    route(Schedule::Fixed {
        times: vec![22 * 60, 30, 3 * 60],
    })
}

#[test]
fn fixed_times_cross_midnight_in_order() {
    let s = slots(&fixed(), night(), CN);
    assert_eq!(s.len(), 3);
    assert_eq!(s[0].due_ms, at("22:00"));
    assert_eq!(s[1].due_ms, at("22:00") + 150 * MIN);
    assert_eq!(s[2].due_ms, at("22:00") + 5 * 60 * MIN);
    assert_eq!(s[1].late_ms, s[1].due_ms + 15 * MIN);
    assert_eq!(s[1].end_ms, s[1].due_ms + 60 * MIN);
}

#[test]
fn slot_states_at_their_edges() {
    let s = slots(&fixed(), night(), CN)[1]; // 00:30, late 00:45, end 01:30
    assert_eq!(slot_state(&s, &[], s.due_ms - 1), SlotState::Upcoming);
    assert_eq!(slot_state(&s, &[], s.due_ms), SlotState::Due { started: 0 });
    assert_eq!(
        slot_state(&s, &[], s.late_ms),
        SlotState::Due { started: 0 }
    );
    assert_eq!(
        slot_state(&s, &[], s.late_ms + 1),
        SlotState::Overdue { started: 0 }
    );
    assert_eq!(
        slot_state(&s, &[], s.end_ms - 1),
        SlotState::Overdue { started: 0 }
    );
    assert_eq!(
        slot_state(&s, &[], s.end_ms),
        SlotState::NotStarted { missing: 1 }
    );
    // Started at the late edge is on time; a millisecond after is late.
    assert_eq!(
        slot_state(&s, &[s.late_ms], s.end_ms + 1),
        SlotState::Started { late: false }
    );
    assert_eq!(
        slot_state(&s, &[s.late_ms + 1], s.late_ms + 1),
        SlotState::Started { late: true }
    );
}

#[test]
fn irregular_rounds_count_until_the_window_ends() {
    let r = route(Schedule::Irregular {
        rounds: 3,
        from: 22 * 60,
        to: 5 * 60,
    });
    let s = slots(&r, night(), CN);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].end_ms, at("05:00"));
    let two = [at("22:40"), at("01:10")];
    assert_eq!(
        slot_state(&s[0], &two, at("04:59")),
        SlotState::Due { started: 2 }
    );
    assert_eq!(
        slot_state(&s[0], &two, at("05:00")),
        SlotState::NotStarted { missing: 1 }
    );
    assert_eq!(
        slot_state(&s[0], &[two[0], two[1], at("03:00")], at("05:00")),
        SlotState::Started { late: false }
    );
}

#[test]
fn weekly_and_monthly_inspections_fall_on_their_day() {
    // 2026-11-30 is a Monday; 09:00 belongs to the night of Sunday the 29th.
    let weekly = route(Schedule::Weekly {
        weekday: 1,
        at: 9 * 60,
    });
    let sunday = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    assert_eq!(slots(&weekly, sunday, CN).len(), 1);
    assert!(slots(&weekly, night(), CN).is_empty());
    let evening = route(Schedule::Weekly {
        weekday: 1,
        at: 19 * 60,
    });
    assert_eq!(slots(&evening, night(), CN).len(), 1);
    let monthly = route(Schedule::Monthly { day: 1, at: 9 * 60 });
    // 09:00 on 1 December is the morning after the night of 30 November.
    assert_eq!(slots(&monthly, night(), CN).len(), 1);
    assert!(slots(&monthly, sunday, CN).is_empty());
}

fn check(cp: &str, at_ms: i64) -> CheckIn {
    CheckIn {
        checkpoint_id: cp.into(),
        at_ms,
        entered_ms: at_ms,
        finding: false,
    }
}

fn facts(checks: Vec<CheckIn>) -> RoundFacts {
    RoundFacts {
        started_ms: at("23:50"),
        end_ms: at("00:50"),
        closed_ms: None,
        checkpoints: vec!["a".into(), "b".into(), "c".into()],
        ordered: true,
        min_walk_min: 2,
        checks,
    }
}

#[test]
fn missed_only_once_the_round_is_over_across_midnight() {
    let r = facts(vec![check("a", at("23:55")), check("c", at("00:05"))]);
    let running = round_status(&r, at("00:49"));
    assert_eq!(running.pending, vec!["b".to_string()]);
    assert!(running.missed.is_empty());
    assert!(!running.open_past_window);
    let past = round_status(&r, at("00:50"));
    assert_eq!(past.missed, vec!["b".to_string()]);
    assert!(past.open_past_window);
    let mut closed = r.clone();
    closed.closed_ms = Some(at("00:10"));
    let st = round_status(&closed, at("00:10"));
    assert_eq!(st.missed, vec!["b".to_string()]);
    assert!(!st.open_past_window);
}

#[test]
fn too_fast_at_the_walking_time_edge() {
    let r = facts(vec![
        check("a", at("23:55")),
        check("b", at("23:57")),               // exactly 2 min: fine
        check("c", at("23:57") + 2 * MIN - 1), // a millisecond short
    ]);
    let st = round_status(&r, at("00:00"));
    assert_eq!(
        st.too_fast,
        vec![TooFast {
            from: "b".into(),
            to: "c".into(),
            minutes: 1
        }]
    );
    assert!(st.pending.is_empty());
}

#[test]
fn out_of_order_on_ordered_routes_only() {
    let r = facts(vec![
        check("b", at("23:55")),
        check("a", at("23:59")),
        check("c", at("00:03")),
    ]);
    assert_eq!(
        round_status(&r, at("00:10")).out_of_order,
        vec!["a".to_string()]
    );
    let mut any = r.clone();
    any.ordered = false;
    assert!(round_status(&any, at("00:10")).out_of_order.is_empty());
}

#[test]
fn entered_later_keeps_both_times_and_shows_the_gap() {
    let mut c = check("a", at("23:55"));
    c.entered_ms = at("00:40");
    let mut quick = check("b", at("00:00"));
    quick.entered_ms = quick.at_ms + LATER_GAP_MS - 1;
    let st = round_status(&facts(vec![c, quick]), at("00:41"));
    assert_eq!(st.entered_later, vec![("a".to_string(), 45)]);
}

#[test]
fn alerts_add_up() {
    let mut a = PatrolAlerts::default();
    assert!(!a.any());
    a.add_slot(SlotState::Overdue { started: 0 });
    a.add_slot(SlotState::Started { late: true });
    a.add_slot(SlotState::Started { late: false });
    a.add_slot(SlotState::NotStarted { missing: 2 });
    let r = facts(vec![check("a", at("23:55"))]);
    a.add_round(&round_status(&r, at("01:00")));
    assert_eq!(
        a,
        PatrolAlerts {
            missed: 2,
            late: 2,
            not_started: 2,
            open_past_window: 1,
            unassigned: 0
        }
    );
}
