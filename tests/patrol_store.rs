//! Patrol through the store: checkpoints and routes, a round walked with
//! codes, a finding, an entry made later, closing with a reason, tonight's
//! status, and the projections rebuilt from the log equal to the
//! incremental ones.

use dutydesk::domain::error::DomainError;
use dutydesk::domain::event::StationKind;
use dutydesk::domain::patrol::{CheckpointData, Method, Outcome, RouteData, RouteOrder, Schedule};
use dutydesk::domain::patrol_status::{SlotState, night_at};
use dutydesk::domain::role::{Actor, Role};
use dutydesk::domain::time::FixedClock;
use dutydesk::store::project::{dump, rebuild};
use dutydesk::store::{Store, StoreError};
use std::sync::Arc;

/// 2026-11-30 21:00 +08:00.
fn evening() -> i64 {
    chrono::DateTime::parse_from_rfc3339("2026-11-30T21:00:00+08:00")
        .unwrap()
        .timestamp_millis()
}

fn night() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
}

fn at(hhmm: &str) -> i64 {
    night_at(
        night(),
        480,
        dutydesk::domain::time::parse_hhmm(hhmm).unwrap(),
    )
}

struct Station {
    store: Store,
    clock: FixedClock,
    admin: Actor,
    guard: Actor,
    leader: Actor,
    cps: Vec<String>,
    route: String,
}

fn station() -> Station {
    let clock = FixedClock::new(evening());
    let store = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    station_with(store, clock)
}

fn station_with(mut store: Store, clock: FixedClock) -> Station {
    let admin = store
        .setup(
            "青山县第一中学",
            "南门门卫室",
            StationKind::Gate,
            480,
            "陈老师",
            "9999",
        )
        .unwrap();
    let guard = store
        .add_operator(&admin, "张建国", Role::Guard, "1111")
        .unwrap();
    let leader = store
        .add_operator(&admin, "王主任", Role::DutyLeader, "2222")
        .unwrap();
    let mut cps = vec![];
    for (name, place, code, items) in [
        (
            "锅炉房",
            "后勤楼",
            "B1-01",
            vec!["门已上锁", "灭火器在有效期内"],
        ),
        ("配电房", "后勤楼", "B1-02", vec!["配电箱关闭"]),
        (
            "男生宿舍一楼",
            "宿舍1号楼",
            "D1-01",
            vec!["安全出口畅通", "无违章电器"],
        ),
    ] {
        let d = CheckpointData {
            name: name.into(),
            place: place.into(),
            code: code.into(),
            checklist: items.into_iter().map(String::from).collect(),
            active: true,
        };
        cps.push(store.set_checkpoint(&admin, None, &d).unwrap());
    }
    let route = store
        .set_route(
            &admin,
            None,
            &RouteData {
                name: "夜间巡查".into(),
                checkpoints: cps.clone(),
                order: RouteOrder::AnyOrder,
                schedule: Schedule::parse("22:00 00:30 03:00").unwrap(),
                min_walk_min: 2,
                window_min: 60,
                late_min: 15,
                named_person: false,
                active: true,
            },
        )
        .unwrap();
    Station {
        store,
        clock,
        admin,
        guard,
        leader,
        cps,
        route,
    }
}

fn domain(e: StoreError) -> DomainError {
    match e {
        StoreError::Domain(d) => d,
        other => panic!("{other}"),
    }
}

#[test]
fn only_admins_keep_checkpoints_and_codes_stay_unique() {
    let mut st = station();
    let d = CheckpointData {
        name: "东门".into(),
        place: "围墙".into(),
        code: "b1-01".into(),
        checklist: vec![],
        active: true,
    };
    let e = domain(st.store.set_checkpoint(&st.guard, None, &d).unwrap_err());
    assert!(matches!(e, DomainError::Forbidden(_)));
    let e = domain(st.store.set_checkpoint(&st.admin, None, &d).unwrap_err());
    assert!(matches!(e, DomainError::Invalid(ref v) if v[0].0 == "code"));
    // Retiring frees nothing silently: the retired one keeps its code.
    let mut retired = st.store.checkpoint(&st.cps[0]).unwrap().unwrap().data;
    retired.active = false;
    st.store
        .set_checkpoint(&st.admin, Some(&st.cps[0]), &retired)
        .unwrap();
    assert!(st.store.checkpoint_by_code("B1-01").unwrap().is_none());
    assert_eq!(st.store.checkpoints(false).unwrap().len(), 2);
    assert_eq!(st.store.checkpoints(true).unwrap().len(), 3);
}

#[test]
fn a_round_walked_with_codes_a_finding_a_later_entry_and_a_reason() {
    let mut st = station();
    st.clock.set(at("22:05"));
    let tonight = st.store.patrol_night(st.clock_now()).unwrap();
    assert_eq!(tonight.routes[0].slots[0].1, SlotState::Due { started: 0 });
    let round = st
        .store
        .start_patrol(&st.guard, &st.route, Some(at("22:00")))
        .unwrap();
    let e = domain(
        st.store
            .start_patrol(&st.guard, &st.route, None)
            .unwrap_err(),
    );
    assert_eq!(e, DomainError::PatrolOpen);
    // A scanner types the code and Enter.
    let cp = st.store.check_in_code(&st.guard, &round, "b1-01").unwrap();
    assert_eq!(cp.id, st.cps[0]);
    assert_eq!(
        domain(
            st.store
                .check_in_code(&st.guard, &round, "ZZ-99")
                .unwrap_err()
        ),
        DomainError::UnknownCode
    );
    st.clock.set(at("22:12"));
    st.store
        .check_in(
            &st.guard,
            &round,
            &st.cps[2],
            &Outcome::Finding {
                failed: vec!["无违章电器".into()],
                note: "308室有热得快".into(),
            },
            None,
            Method::Picked,
        )
        .unwrap();
    // Walked with a paper card: at 22:09, entered at 22:30.
    st.clock.set(at("22:30"));
    st.store
        .check_in(
            &st.guard,
            &round,
            &st.cps[1],
            &Outcome::Ok,
            Some(at("22:09")),
            Method::Later,
        )
        .unwrap();
    let checks = st.store.patrol_checks(&round).unwrap();
    assert_eq!(checks.len(), 3);
    assert_eq!(checks[1].at_ms, at("22:09"));
    assert_eq!(checks[1].entered_ms, at("22:30"));
    assert_eq!(checks[2].by, "张建国");
    let night = st.store.patrol_night(at("22:30")).unwrap();
    let v = night.open_round(&st.route).unwrap();
    assert_eq!(v.status.entered_later, vec![(st.cps[1].clone(), 21)]);
    assert_eq!(v.status.findings, 1);
    assert!(v.status.pending.is_empty());
    // 22:05 → 22:09 → 22:12: each gap over two minutes.
    assert!(v.status.too_fast.is_empty());
    st.store.close_patrol(&st.guard, &round, "").unwrap();
    let r = st.store.patrol_round(&round).unwrap().unwrap();
    assert!(r.missed.is_empty());
    assert_eq!(r.closed_by.as_deref(), Some("张建国"));
}

#[test]
fn closing_with_a_missed_checkpoint_needs_a_reason_and_status_tells() {
    let mut st = station();
    st.clock.set(at("00:50"));
    // 22:00 never started; 00:30 started late.
    let round = st
        .store
        .start_patrol(&st.guard, &st.route, Some(at("00:30")))
        .unwrap();
    st.store.check_in_code(&st.guard, &round, "B1-01").unwrap();
    st.clock.set(at("00:51"));
    st.store.check_in_code(&st.guard, &round, "B1-02").unwrap();
    let e = domain(st.store.close_patrol(&st.guard, &round, " ").unwrap_err());
    assert_eq!(e, DomainError::ReasonRequired);
    st.store
        .close_patrol(&st.guard, &round, "宿舍楼门已锁，钥匙在宿管处")
        .unwrap();
    let r = st.store.patrol_round(&round).unwrap().unwrap();
    assert_eq!(r.missed, vec![st.cps[2].clone()]);
    let n = st.store.patrol_night(at("00:52")).unwrap();
    assert_eq!(n.alerts.missed, 1);
    assert_eq!(n.alerts.late, 1);
    assert_eq!(n.alerts.not_started, 1);
    assert_eq!(n.routes[0].rounds[0].status.too_fast.len(), 1);
    // A round left open past its window.
    st.clock.set(at("03:00"));
    st.store
        .start_patrol(&st.guard, &st.route, Some(at("03:00")))
        .unwrap();
    let n = st.store.patrol_night(at("04:00")).unwrap();
    assert_eq!(n.alerts.open_past_window, 1);
    assert_eq!(n.alerts.missed, 1 + 3);
}

#[test]
fn a_special_period_route_needs_a_person_named_by_a_leader() {
    let mut st = station();
    let mut d = st.store.route(&st.route).unwrap().unwrap().data;
    d.named_person = true;
    st.store.set_route(&st.admin, Some(&st.route), &d).unwrap();
    st.clock.set(at("22:01"));
    assert_eq!(st.store.patrol_alerts(at("22:01")).unwrap().unassigned, 1);
    let e = domain(
        st.store
            .start_patrol(&st.guard, &st.route, Some(at("22:00")))
            .unwrap_err(),
    );
    assert_eq!(e, DomainError::PersonRequired);
    assert!(
        st.store
            .assign_route(&st.guard, &st.route, "2026-11-30", "张建国")
            .is_err()
    );
    st.store
        .assign_route(&st.leader, &st.route, "2026-11-30", "张建国")
        .unwrap();
    assert_eq!(st.store.patrol_alerts(at("22:01")).unwrap().unassigned, 0);
    st.store
        .start_patrol(&st.guard, &st.route, Some(at("22:00")))
        .unwrap();
}

#[test]
fn rebuild_equals_incremental_for_patrol_kinds() {
    let mut st = station();
    st.store
        .assign_route(&st.leader, &st.route, "2026-11-30", "张建国")
        .unwrap();
    st.clock.set(at("22:03"));
    let r = st
        .store
        .start_patrol(&st.guard, &st.route, Some(at("22:00")))
        .unwrap();
    st.store.check_in_code(&st.guard, &r, "B1-01").unwrap();
    st.clock.set(at("22:10"));
    st.store
        .check_in(
            &st.guard,
            &r,
            &st.cps[1],
            &Outcome::Finding {
                failed: vec!["配电箱关闭".into()],
                note: String::new(),
            },
            Some(at("22:06")),
            Method::Later,
        )
        .unwrap();
    st.store.close_patrol(&st.guard, &r, "三号点施工").unwrap();
    st.clock.set(at("00:31"));
    let open = st.store.start_patrol(&st.guard, &st.route, None).unwrap();
    st.store.check_in_code(&st.guard, &open, "D1-01").unwrap();
    let incremental = dump(st.store.conn()).unwrap();
    for t in [
        "checkpoints:",
        "routes:",
        "route_assignments:",
        "patrol_rounds:",
        "patrol_checks:",
    ] {
        assert!(incremental.iter().any(|l| l.starts_with(t)), "{t} empty");
    }
    st.store
        .conn()
        .execute_batch(
            "DELETE FROM patrol_checks; UPDATE patrol_rounds SET closed_ms = NULL;
             DELETE FROM route_assignments; UPDATE checkpoints SET active = 0;",
        )
        .unwrap();
    assert_ne!(dump(st.store.conn()).unwrap(), incremental);
    st.store.batch(|s| rebuild(s.conn())).unwrap();
    assert_eq!(dump(st.store.conn()).unwrap(), incremental);
}

trait Now {
    fn clock_now(&self) -> i64;
}

impl Now for Station {
    fn clock_now(&self) -> i64 {
        use dutydesk::domain::time::Clock;
        self.clock.now_ms()
    }
}

/// Tonight's rows are kept between the status bar's asks: what it shows
/// equals a fresh read after a write here, a commit by another process, a
/// write rolled back after it was read, and the clock moving on.
#[test]
fn tonight_kept_between_asks_equals_a_fresh_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("station.db");
    let clock = FixedClock::new(evening());
    let store = Store::open(&path, Arc::new(clock.clone())).unwrap();
    let mut st = station_with(store, clock.clone());
    st.clock.set(at("22:05"));
    let fresh = |now: i64| {
        Store::open(&path, Arc::new(clock.clone()))
            .unwrap()
            .patrol_night(now)
            .unwrap()
    };
    let now = at("22:05");
    assert_eq!(st.store.patrol_night(now).unwrap(), fresh(now));
    let round = st
        .store
        .start_patrol(&st.guard, &st.route, Some(at("22:00")))
        .unwrap();
    let shown = st.store.patrol_night(now).unwrap();
    assert!(shown.open_round(&st.route).is_some());
    assert_eq!(shown, fresh(now));
    // Another process checks in.
    Store::open(&path, Arc::new(clock.clone()))
        .unwrap()
        .check_in_code(&st.guard, &round, "B1-01")
        .unwrap();
    let shown = st.store.patrol_night(now).unwrap();
    assert_eq!(shown.open_round(&st.route).unwrap().checks.len(), 1);
    assert_eq!(shown, fresh(now));
    // Read inside a transaction that is then rolled back.
    let guard = st.guard.clone();
    let r: Result<(), StoreError> = st.store.batch(|s| {
        s.check_in_code(&guard, &round, "B1-02")?;
        let inside = s.patrol_night(now)?;
        assert_eq!(inside.open_round(&st.route).unwrap().checks.len(), 2);
        Err(StoreError::Domain(DomainError::NotFound))
    });
    assert!(r.is_err());
    let shown = st.store.patrol_night(now).unwrap();
    assert_eq!(shown.open_round(&st.route).unwrap().checks.len(), 1);
    assert_eq!(shown, fresh(now));
    // No writes, later: the statuses follow the clock.
    let later = at("23:30");
    let shown = st.store.patrol_night(later).unwrap();
    assert_ne!(shown.alerts, st.store.patrol_night(now).unwrap().alerts);
    assert_eq!(shown, fresh(later));
}
