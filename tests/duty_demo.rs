//! The demo school's duty roster: a week around today with one uncovered
//! shift and one late arrival, and the current shift kept (no alerts).

use chrono::NaiveDate;
use dutydesk::demo::{self, Scale};
use dutydesk::domain::duty::DutyFlag;
use dutydesk::domain::shift::ShiftId;
use dutydesk::domain::time::FixedClock;
use dutydesk::store::Store;
use std::sync::Arc;

/// 2026-11-22 10:00 +08:00.
fn now_ms() -> i64 {
    chrono::DateTime::parse_from_rfc3339("2026-11-22T10:00:00+08:00")
        .unwrap()
        .timestamp_millis()
}

#[test]
fn the_demo_week_has_a_gap_and_a_late_arrival() {
    let clock = FixedClock::new(now_ms());
    let mut store = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    demo::generate(&mut store, &clock, Scale::Small, 42, now_ms()).unwrap();
    let st = store.station().unwrap().id.clone();
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let plans = store
        .duty_plans(Some(&st), d("2026-11-19"), d("2026-11-25"))
        .unwrap();
    assert_eq!(plans.len(), 14, "a week of day and night shifts");
    let now = now_ms();
    let mut flagged = vec![];
    for p in &plans {
        let flags = store.duty_flags(&p.shift, now, None).unwrap();
        if !flags.is_empty() && p.shift.date.as_str() <= "2026-11-22" {
            flagged.push((p.shift.date.clone(), p.shift.shift.clone(), flags));
        }
    }
    assert_eq!(
        flagged,
        vec![
            (
                "2026-11-20".to_string(),
                "night".to_string(),
                vec![DutyFlag::Uncovered]
            ),
            (
                "2026-11-21".to_string(),
                "day".to_string(),
                vec![DutyFlag::Late {
                    who: "张建国".into(),
                    minutes: 25
                }]
            ),
        ]
    );
    assert_eq!(store.duty_alert_count(now).unwrap(), 0);
    let current = store.current_shift(now).unwrap().unwrap();
    assert_eq!(current, ShiftId::new(&st, d("2026-11-22"), "day"));
    assert_eq!(
        store.arrivals(&st, now - 3 * 3_600_000, now).unwrap().len(),
        1
    );
}
