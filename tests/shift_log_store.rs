//! The shift log through the store: entries land in the shift running when
//! written, open follow-ups carry forward by reference (once each, in their
//! current state) until closed, corrections keep every version, refused
//! commands write nothing, and rebuild == incremental for its kinds.

use dutydesk::domain::error::DomainError;
use dutydesk::domain::event::StationKind;
use dutydesk::domain::role::{Actor, Role};
use dutydesk::domain::shift::ShiftId;
use dutydesk::domain::shift_log::{Category, FollowUp, LogDraft};
use dutydesk::domain::time::FixedClock;
use dutydesk::store::project::{dump, rebuild};
use dutydesk::store::{Store, StoreError};
use std::sync::Arc;

/// A local time at +08:00.
fn at(date: &str, hh: u32, mm: u32) -> i64 {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    dutydesk::domain::time::day_start_ms(d, 480) + (hh * 60 + mm) as i64 * 60_000
}

fn station(clock: &FixedClock) -> (Store, Actor, Actor, Actor) {
    let mut s = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    let admin = s
        .setup(
            "青山县第一中学",
            "南门门卫室",
            StationKind::Gate,
            480,
            "陈老师",
            "9999",
        )
        .unwrap();
    let guard = s
        .add_operator(&admin, "张建国", Role::Guard, "1234")
        .unwrap();
    let teacher = s
        .add_operator(&admin, "李芳", Role::DormTeacher, "2345")
        .unwrap();
    (s, admin, guard, teacher)
}

fn draft(cat: Category, what: &str, followup: bool) -> LogDraft {
    LogDraft {
        at_ms: None,
        category: Some(cat),
        what: what.into(),
        action_taken: "已处理".into(),
        reported_to: "王校长".into(),
        needs_followup: followup,
    }
}

#[test]
fn open_entries_carry_forward_once_until_closed() {
    let clock = FixedClock::new(at("2026-11-29", 20, 0));
    let (mut s, admin, guard, teacher) = station(&clock);
    let night = s.log_shift_at(at("2026-11-29", 20, 0)).unwrap();
    assert_eq!(
        (night.date.as_str(), night.shift.as_str()),
        ("2026-11-29", "night")
    );
    let open = s
        .log_entry(&guard, &draft(Category::Student, "初二(3)班张伟未归", true))
        .unwrap();
    clock.advance_min(1);
    let _done = s
        .log_entry(&guard, &draft(Category::Visitor, "家长送药", false))
        .unwrap();
    clock.advance_min(1);
    let order = s
        .log_entry(
            &admin,
            &draft(Category::Instruction, "明早七点前清点消防器材", true),
        )
        .unwrap();
    assert_eq!(s.shift_log(&night).unwrap().len(), 3);

    // The day shift: nothing written yet, the two open ones carried.
    clock.set(at("2026-11-30", 8, 0));
    let day = s.log_shift_at(at("2026-11-30", 8, 0)).unwrap();
    assert_eq!(day.shift, "day");
    assert!(s.shift_log(&day).unwrap().is_empty());
    let carried: Vec<String> = s
        .open_log_entries(Some(&night.station_id))
        .unwrap()
        .into_iter()
        .map(|e| e.entry_id)
        .collect();
    assert_eq!(carried, vec![open.clone(), order.clone()]);
    assert_eq!(s.open_instructions(None).unwrap().len(), 1);
    assert!(
        s.open_log_entries(Some("another-station"))
            .unwrap()
            .is_empty()
    );

    // Closed in the day shift, it is gone from the next shift's list; the
    // entry itself stays in the shift it was written in.
    s.close_log_entry(&teacher, &open, "07:10 家长来电，已在家")
        .unwrap();
    let carried = s.open_log_entries(None).unwrap();
    assert_eq!(carried.len(), 1);
    assert_eq!(carried[0].entry_id, order);
    let e = s.log_entry_by_id(&open).unwrap().unwrap();
    assert_eq!(e.state, FollowUp::Closed);
    assert_eq!(e.shift, night);
    assert_eq!(e.closed_by.as_deref(), Some(teacher.id.as_str()));

    // Closing twice is refused, with nothing written.
    let before = dump(s.conn()).unwrap();
    let err = s.close_log_entry(&guard, &open, "again").unwrap_err();
    assert!(matches!(
        err,
        StoreError::Domain(DomainError::LogEntryNotOpen)
    ));
    assert_eq!(dump(s.conn()).unwrap(), before);
}

#[test]
fn corrections_keep_history_and_respect_who_may_correct() {
    let clock = FixedClock::new(at("2026-11-29", 21, 0));
    let (mut s, admin, guard, teacher) = station(&clock);
    let id = s
        .log_entry(&guard, &draft(Category::Repair, "三楼水管漏水", true))
        .unwrap();
    let mut d = draft(Category::Repair, "三楼暖气漏水", true);
    let err = s
        .correct_log_entry(&teacher, &id, &d, None, "写错")
        .unwrap_err();
    assert!(matches!(err, StoreError::Domain(DomainError::Forbidden(_))));
    s.correct_log_entry(&guard, &id, &d, None, "写错了")
        .unwrap();
    d.what = "三楼东侧暖气漏水".into();
    s.correct_log_entry(&admin, &id, &d, None, "补充位置")
        .unwrap();
    let e = s.log_entry_by_id(&id).unwrap().unwrap();
    assert_eq!(e.fields.what, "三楼东侧暖气漏水");
    assert_eq!(e.corrections, 2);
    assert_eq!(s.log_entry_history(&id).unwrap().len(), 3);
    // Search by the typed text and by the initials of the name reported to.
    assert_eq!(s.search_log_entries("暖气", false, 10).unwrap().len(), 1);
    assert_eq!(s.search_log_entries("wxz", true, 10).unwrap().len(), 1);
    assert!(s.search_log_entries("100%", false, 10).unwrap().is_empty());
}

#[test]
fn bad_input_is_refused_whole_with_nothing_written() {
    let clock = FixedClock::new(at("2026-11-29", 21, 0));
    let (mut s, _admin, guard, _) = station(&clock);
    let before = dump(s.conn()).unwrap();
    let d = LogDraft {
        at_ms: Some(at("2026-11-29", 22, 0)),
        what: "　".into(),
        ..LogDraft::default()
    };
    let err = s.log_entry(&guard, &d).unwrap_err();
    let StoreError::Domain(DomainError::Invalid(errs)) = err else {
        panic!("{err:?}")
    };
    assert_eq!(errs.len(), 3);
    assert_eq!(dump(s.conn()).unwrap(), before);
}

#[test]
fn rebuild_equals_incremental_and_counts_are_per_station() {
    let clock = FixedClock::new(at("2026-11-29", 19, 0));
    let (mut s, admin, guard, _) = station(&clock);
    let a = s
        .log_entry(&guard, &draft(Category::Incident, "两名学生打架", true))
        .unwrap();
    let _ = s
        .log_entry(&guard, &draft(Category::Incident, "外来人员翻墙", false))
        .unwrap();
    let c = s
        .log_entry(&guard, &draft(Category::Safety, "配电房门未锁", true))
        .unwrap();
    clock.advance_min(30);
    s.close_log_entry(&guard, &a, "已调解，通知家长").unwrap();
    s.correct_log_entry(
        &admin,
        &a,
        &draft(Category::Incident, "两名学生争吵", true),
        Some("已调解"),
        "措辞",
    )
    .unwrap();
    s.correct_log_entry(
        &guard,
        &c,
        &draft(Category::Safety, "配电房门未锁", false),
        None,
        "已当场锁好",
    )
    .unwrap();
    let counts = s
        .log_counts(at("2026-11-29", 0, 0), at("2026-11-30", 0, 0))
        .unwrap();
    assert_eq!(counts.len(), 1);
    assert_eq!(
        (counts[0].1.entries, counts[0].1.incidents, counts[0].1.open),
        (3, 2, 0)
    );
    let incremental = dump(s.conn()).unwrap();
    assert!(
        incremental
            .iter()
            .filter(|r| r.starts_with("shift_log:"))
            .count()
            == 3
    );
    s.conn()
        .execute_batch("UPDATE shift_log SET state = 'open', what = ''")
        .unwrap();
    assert_ne!(dump(s.conn()).unwrap(), incremental);
    s.batch(|s| rebuild(s.conn())).unwrap();
    assert_eq!(dump(s.conn()).unwrap(), incremental);
    let _: ShiftId = s.log_shift_at(at("2026-11-30", 3, 0)).unwrap();
}

/// A year of entries (four a day, nearly all follow-ups closed): the
/// queries the view, the handover and the daily report make read only
/// their rows, so each costs a fraction of reading the year's entries
/// (the same-run floor they are measured against).
#[test]
fn queries_do_not_grow_with_the_year() {
    let start = at("2025-11-30", 8, 0);
    let clock = FixedClock::new(start);
    let (mut s, _admin, guard, teacher) = station(&clock);
    s.batch(|s| {
        for d in 0..365i64 {
            for k in 0..4i64 {
                clock.set(start + d * 86_400_000 + k * 4 * 3_600_000);
                let id = s.log_entry(&guard, &draft(Category::Safety, "巡查发现门未锁", k != 3))?;
                if k != 3 && d % 50 != 0 {
                    s.close_log_entry(&teacher, &id, "已锁好")?;
                }
            }
        }
        Ok(())
    })
    .unwrap();
    let shift = s.log_shift_at(clock_now(&clock)).unwrap();
    let time = |f: &mut dyn FnMut()| {
        let t = std::time::Instant::now();
        for _ in 0..50 {
            f();
        }
        t.elapsed().as_secs_f64() * 1000.0 / 50.0
    };
    // The floor: the same rows read for the whole year.
    let floor = time(&mut || {
        assert_eq!(s.log_entries_between(0, i64::MAX).unwrap().len(), 365 * 4);
    });
    let open = time(&mut || {
        s.open_log_entries(None).unwrap();
    });
    let this = time(&mut || {
        s.shift_log(&shift).unwrap();
    });
    let day = time(&mut || {
        s.day_counts("2026-06-01", at("2026-06-01", 0, 0), at("2026-06-02", 0, 0))
            .unwrap();
    });
    eprintln!(
        "year of {} entries: full pass {floor:.3} ms; open entries {open:.3} ms; one shift {this:.3} ms; one day's counts {day:.3} ms",
        365 * 4
    );
    assert!(open < floor && this < floor, "{open} {this} vs {floor}");
}

fn clock_now(c: &FixedClock) -> i64 {
    dutydesk::domain::time::Clock::now_ms(c)
}

/// Two stations close one follow-up before hearing of each other, with
/// different outcomes: both closes stay, the same one shows on both, the
/// case is in the review list; a duty leader's choice stands on both.
#[test]
fn two_stations_closing_one_entry_differently_go_to_review() {
    use dutydesk::sync;
    let dir = tempfile::tempdir().unwrap();
    let clock_a = FixedClock::new(at("2026-11-29", 20, 0));
    let mut a = Store::open(&dir.path().join("a.db"), Arc::new(clock_a.clone())).unwrap();
    let admin = a
        .setup(
            "青山县第一中学",
            "南门门卫室",
            StationKind::Gate,
            480,
            "陈老师",
            "9999",
        )
        .unwrap();
    let guard = a
        .add_operator(&admin, "张建国", Role::Guard, "1111")
        .unwrap();
    let leader = a
        .add_operator(&admin, "刘主任", Role::DutyLeader, "3333")
        .unwrap();
    let join = dir.path().join("school.ddjoin");
    let (code, _) = sync::invite(&mut a, &join).unwrap();
    let info = sync::join_info(&join, &code).unwrap();
    let clock_b = FixedClock::new(at("2026-11-29", 20, 1));
    let mut b = Store::open(&dir.path().join("b.db"), Arc::new(clock_b.clone())).unwrap();
    sync::join(
        &mut b,
        &info,
        "1号楼值班室",
        StationKind::Dorm,
        480,
        "宿管周",
        "4444",
    )
    .unwrap();
    clock_a.advance_min(5);
    let id = a
        .log_entry(&guard, &draft(Category::Student, "张伟就寝未归", true))
        .unwrap();
    let bundle = dir.path().join("a1.ddbundle");
    sync::export_to(&mut a, &bundle).unwrap();
    sync::import_file(&mut b, &bundle, false).unwrap();
    let teacher_b = b.find_operator_by_name("宿管周").unwrap().unwrap().actor();
    clock_a.advance_min(30);
    a.close_log_entry(&guard, &id, "家长来电：在家").unwrap();
    clock_b.advance_min(40);
    b.close_log_entry(&teacher_b, &id, "已返回宿舍").unwrap();
    let (ab, ba) = (
        dir.path().join("a2.ddbundle"),
        dir.path().join("b1.ddbundle"),
    );
    sync::export_to(&mut a, &ab).unwrap();
    sync::export_to(&mut b, &ba).unwrap();
    sync::import_file(&mut a, &ba, false).unwrap();
    sync::import_file(&mut b, &ab, false).unwrap();
    let ca = a.conflicts().unwrap();
    assert_eq!(ca.len(), 1, "{ca:?}");
    assert_eq!(ca[0].kind, "shiftlog");
    assert_eq!(ca[0].key, format!("shiftlog:{id}/close"));
    assert_eq!(b.conflicts().unwrap()[0].key, ca[0].key);
    assert_eq!(
        a.log_entry_by_id(&id).unwrap(),
        b.log_entry_by_id(&id).unwrap()
    );
    let returned = ca[0]
        .events
        .iter()
        .find(|e| e.body.contains("已返回宿舍"))
        .unwrap()
        .id
        .clone();
    a.resolve_conflict(&leader, &ca[0].key, &returned, "查监控核实")
        .unwrap();
    let back = dir.path().join("a3.ddbundle");
    sync::export_to(&mut a, &back).unwrap();
    sync::import_file(&mut b, &back, false).unwrap();
    for s in [&a, &b] {
        let e = s.log_entry_by_id(&id).unwrap().unwrap();
        assert_eq!(e.outcome.as_deref(), Some("已返回宿舍"));
    }
}
