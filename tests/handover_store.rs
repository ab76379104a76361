//! Shift handover in the store: sign, accept, countersign with PINs; open
//! items carried forward by reference; the seal; amendments after it; the
//! status-bar alert; rebuild == incremental.

use dutydesk::domain::error::DomainError;
use dutydesk::domain::event::{Remark, StationKind};
use dutydesk::domain::handover::{ItemState, Section, Stage};
use dutydesk::domain::role::{Actor, Role};
use dutydesk::domain::shift::ShiftId;
use dutydesk::domain::time::{self, FixedClock};
use dutydesk::domain::visit::VisitForm;
use dutydesk::store::handover::SealCheck;
use dutydesk::store::project::{dump, rebuild};
use dutydesk::store::visits::RegisterOutcome;
use dutydesk::store::{Store, StoreError};
use std::sync::Arc;

const CN: i32 = 480;

fn at(date: &str, hh: i64, mm: i64) -> i64 {
    time::day_start_ms(time::parse_date(date).unwrap(), CN) + (hh * 60 + mm) * 60_000
}

struct Desk {
    store: Store,
    clock: FixedClock,
    night: Actor,
    day: Actor,
    leader: Actor,
    _dir: tempfile::TempDir,
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::new(at("2026-11-29", 18, 5));
    let mut store = Store::open(&dir.path().join("d.db"), Arc::new(clock.clone())).unwrap();
    let admin = store
        .setup(
            "青山县第一中学",
            "南门门卫室",
            StationKind::Gate,
            CN,
            "陈老师",
            "9999",
        )
        .unwrap();
    let night = store
        .add_operator(&admin, "张建国", Role::Guard, "1111")
        .unwrap();
    let day = store
        .add_operator(&admin, "刘师傅", Role::Guard, "2222")
        .unwrap();
    let leader = store
        .add_operator(&admin, "李主任", Role::DutyLeader, "3333")
        .unwrap();
    Desk {
        store,
        clock,
        night,
        day,
        leader,
        _dir: dir,
    }
}

fn visit(d: &mut Desk, name: &str) -> String {
    let form = VisitForm {
        name: name.into(),
        host: "初二(3)班 王一".into(),
        purpose: "送衣物".into(),
        ..VisitForm::default()
    };
    match d
        .store
        .register_visit(&d.night.clone(), &form, None)
        .unwrap()
    {
        RegisterOutcome::Registered(id) => id,
        other => panic!("{other:?}"),
    }
}

fn domain(e: StoreError) -> DomainError {
    match e {
        StoreError::Domain(d) => d,
        other => panic!("not a domain error: {other}"),
    }
}

fn night_shift(d: &Desk) -> ShiftId {
    let st = d.store.require_station().unwrap().id.clone();
    ShiftId::new(&st, time::parse_date("2026-11-29").unwrap(), "night")
}

#[test]
fn sign_accept_countersign_with_pins_and_the_rules() {
    let mut d = desk();
    visit(&mut d, "王五");
    let shift = night_shift(&d);
    d.clock.set(at("2026-11-30", 7, 25));
    let now = d.store.now_ms();
    let night = d.night.clone();
    assert_eq!(
        domain(
            d.store
                .sign_handover(&night, "0000", &shift, "", now)
                .unwrap_err()
        ),
        DomainError::WrongPin
    );
    d.store
        .sign_handover(&night, "1111", &shift, "3 楼东侧消防门请再查一次", now)
        .unwrap();
    assert_eq!(
        domain(
            d.store
                .sign_handover(&night, "1111", &shift, "", now)
                .unwrap_err()
        ),
        DomainError::HandoverStep
    );
    // The signer cannot accept their own shift; every section is needed.
    let all = Section::ALL.to_vec();
    assert_eq!(
        domain(
            d.store
                .accept_handover(&night, "1111", &shift, &all, vec![])
                .unwrap_err()
        ),
        DomainError::OwnHandover
    );
    let day = d.day.clone();
    assert_eq!(
        domain(
            d.store
                .accept_handover(&day, "2222", &shift, &all[..3], vec![])
                .unwrap_err()
        ),
        DomainError::Unacknowledged(4)
    );
    // A guard cannot countersign, and nobody before acceptance.
    let leader = d.leader.clone();
    assert_eq!(
        domain(
            d.store
                .countersign_handover(&leader, "3333", &shift, "")
                .unwrap_err()
        ),
        DomainError::HandoverStep
    );
    d.clock.set(at("2026-11-30", 7, 40));
    let remark = Remark {
        section: "visitors".into(),
        text: "王五几点走？".into(),
    };
    d.store
        .accept_handover(&day, "2222", &shift, &all, vec![remark])
        .unwrap();
    assert!(matches!(
        domain(
            d.store
                .countersign_handover(&day, "2222", &shift, "")
                .unwrap_err()
        ),
        DomainError::Forbidden(_)
    ));
    d.store
        .countersign_handover(&leader, "3333", &shift, "已阅")
        .unwrap();
    let h = d.store.handover(&shift).unwrap().unwrap();
    assert_eq!(h.stage(), Stage::Countersigned);
    assert_eq!(h.signed_by_name, "张建国");
    assert_eq!(h.accepted_by.as_deref(), Some(day.id.as_str()));
    assert_eq!(h.remarks.len(), 1);
    assert_eq!(h.items.len(), 1);
    assert!(matches!(
        d.store.check_seal(&h).unwrap(),
        SealCheck::Intact { .. }
    ));
    // The handover record: this shift's lines from the first, on a page of
    // their own; the outgoing, incoming and countersigning names on its line.
    let req = dutydesk::report::sick::RangeRequest {
        from: time::parse_date("2026-11-29").unwrap(),
        to: time::parse_date("2026-11-30").unwrap(),
        path: std::path::PathBuf::from("unused.xlsx"),
    };
    let ledger = dutydesk::report::handover::build(&d.store, &leader, &req).unwrap();
    assert_eq!(ledger.page_breaks, vec![0]);
    let first = &ledger.rows[0];
    for name in ["张建国", "刘师傅", "李主任"] {
        assert!(first.iter().any(|c| c.starts_with(name)), "{first:?}");
    }
    assert!(
        ledger
            .rows
            .iter()
            .flatten()
            .any(|c| c.contains("王五几点走"))
    );
}

#[test]
fn open_items_carry_forward_by_reference_and_leave_when_closed() {
    let mut d = desk();
    let v = visit(&mut d, "赵六");
    let shift = night_shift(&d);
    let sheet = d.store.compose_sheet(&shift, d.store.now_ms()).unwrap();
    let mine: Vec<_> = sheet.section(Section::Visitors).collect();
    assert_eq!(mine.len(), 1);
    assert!(!mine[0].carried);
    // Next morning: still on site, listed once, carried from the night.
    d.clock.set(at("2026-11-30", 8, 0));
    let day = d.store.current_shift(d.store.now_ms()).unwrap().unwrap();
    assert_eq!(
        (day.date.as_str(), day.shift.as_str()),
        ("2026-11-30", "day")
    );
    let sheet = d.store.compose_sheet(&day, d.store.now_ms()).unwrap();
    let items: Vec<_> = sheet
        .items
        .iter()
        .filter(|i| i.entity == format!("visit:{v}"))
        .collect();
    assert_eq!(items.len(), 1);
    assert!(items[0].carried);
    assert_eq!(items[0].state, ItemState::Overstay);
    // Signed out in the day shift: gone from the evening's sheet.
    let guard = d.day.clone();
    d.store.sign_out(&guard, &v).unwrap();
    d.clock.set(at("2026-11-30", 19, 0));
    let evening = d.store.current_shift(d.store.now_ms()).unwrap().unwrap();
    let sheet = d.store.compose_sheet(&evening, d.store.now_ms()).unwrap();
    assert_eq!(sheet.count(Section::Visitors), 0);
}

#[test]
fn a_tampered_record_breaks_the_seal_and_a_correction_is_an_amendment() {
    let mut d = desk();
    let v = visit(&mut d, "孙七");
    let shift = night_shift(&d);
    d.clock.set(at("2026-11-30", 7, 20));
    let now = d.store.now_ms();
    let night = d.night.clone();
    d.store
        .sign_handover(&night, "1111", &shift, "", now)
        .unwrap();
    // A correction after signing: shown with who and why.
    d.clock.set(at("2026-11-30", 9, 0));
    let form = VisitForm {
        name: "孙琪".into(),
        host: "初二(3)班 王一".into(),
        purpose: "送衣物".into(),
        ..VisitForm::default()
    };
    let day = d.day.clone();
    d.store
        .correct_visit(&day, &v, &form, "名字登记错了")
        .unwrap();
    let h = d.store.handover(&shift).unwrap().unwrap();
    let am = d.store.amendments(&h).unwrap();
    assert_eq!(am.len(), 1);
    assert_eq!(am[0].kind, "visit.corrected");
    assert_eq!(am[0].by, "刘师傅");
    assert_eq!(am[0].reason, "名字登记错了");
    // The correction did not break the seal; editing the log does.
    assert!(matches!(
        d.store.check_seal(&h).unwrap(),
        SealCheck::Intact { .. }
    ));
    d.store
        .conn()
        .execute(
            "UPDATE events SET body = replace(body, '送衣物', '送饭') WHERE kind = 'visit.registered'",
            [],
        )
        .unwrap();
    assert!(matches!(
        d.store.check_seal(&h).unwrap(),
        SealCheck::Broken { .. }
    ));
}

#[test]
fn the_incoming_shift_is_told_until_it_accepts_and_rebuild_agrees() {
    let mut d = desk();
    visit(&mut d, "周八");
    let shift = night_shift(&d);
    // Before any handover was ever kept, nothing nags.
    d.clock.set(at("2026-11-30", 7, 35));
    assert_eq!(d.store.handover_alert(d.store.now_ms()).unwrap(), None);
    d.clock.set(at("2026-11-30", 7, 25));
    let night = d.night.clone();
    let now = d.store.now_ms();
    d.store
        .sign_handover(&night, "1111", &shift, "", now)
        .unwrap();
    d.clock.set(at("2026-11-30", 7, 35));
    let alert = d.store.handover_alert(d.store.now_ms()).unwrap();
    assert_eq!(alert, Some((shift.clone(), Stage::Signed)));
    let day = d.day.clone();
    d.store
        .accept_handover(&day, "2222", &shift, &Section::ALL, vec![])
        .unwrap();
    assert_eq!(d.store.handover_alert(d.store.now_ms()).unwrap(), None);
    // The evening shift: the day shift was never signed.
    d.clock.set(at("2026-11-30", 18, 30));
    let (prev, stage) = d.store.handover_alert(d.store.now_ms()).unwrap().unwrap();
    assert_eq!((prev.shift.as_str(), stage), ("day", Stage::Open));
    let before = dump(d.store.conn()).unwrap();
    rebuild(d.store.conn()).unwrap();
    assert_eq!(dump(d.store.conn()).unwrap(), before);
}

#[test]
fn a_correction_after_the_countersignature_goes_to_review() {
    let mut d = desk();
    let v = visit(&mut d, "吴九");
    let shift = night_shift(&d);
    d.clock.set(at("2026-11-30", 7, 20));
    let now = d.store.now_ms();
    let (night, day, leader) = (d.night.clone(), d.day.clone(), d.leader.clone());
    d.store
        .sign_handover(&night, "1111", &shift, "", now)
        .unwrap();
    d.store
        .accept_handover(&day, "2222", &shift, &Section::ALL, vec![])
        .unwrap();
    // A correction before the countersignature is an amendment, not a case.
    let form = |name: &str| VisitForm {
        name: name.into(),
        host: "初二(3)班 王一".into(),
        purpose: "送衣物".into(),
        ..VisitForm::default()
    };
    d.clock.set(at("2026-11-30", 7, 50));
    d.store
        .correct_visit(&day, &v, &form("吴久"), "名字写错")
        .unwrap();
    d.clock.set(at("2026-11-30", 8, 30));
    d.store
        .countersign_handover(&leader, "3333", &shift, "已阅")
        .unwrap();
    assert!(d.store.conflicts().unwrap().is_empty());
    // After it: the duty leader reviews the countersigned sheet again.
    d.clock.set(at("2026-11-30", 9, 0));
    d.store
        .correct_visit(&day, &v, &form("吴玖"), "又核对了身份证")
        .unwrap();
    let list = d.store.conflicts().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert!(list[0].key.ends_with("/amended"));
    assert_eq!(list[0].kind, "handover");
    let h = d.store.handover(&shift).unwrap().unwrap();
    assert_eq!(d.store.amendments(&h).unwrap().len(), 2);
    let before = dump(d.store.conn()).unwrap();
    rebuild(d.store.conn()).unwrap();
    assert_eq!(dump(d.store.conn()).unwrap(), before);
}
