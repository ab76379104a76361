//! Handovers between stations: a countersignature given later at another
//! station travels back; one shift signed over at two stations joins the
//! F8 review list at both, a duty leader's decision makes the chosen
//! signature stand everywhere, and a rebuild gives the same projections.

mod stations;

use dutydesk::domain::handover::{Section, Stage};
use dutydesk::domain::role::Role;
use dutydesk::store::project::{dump, rebuild};
use stations::{PIN, Station, gate_and_dorm};
use std::path::Path;

fn exchange(a: &mut Station, b: &mut Station, dir: &Path, n: usize) {
    let pa = dir.join(format!("a-{n}.ddbundle"));
    let pb = dir.join(format!("b-{n}.ddbundle"));
    a.export(&pa);
    b.export(&pb);
    b.import(&pa);
    a.import(&pb);
}

fn same_and_rebuilt(a: &mut Station, b: &mut Station) {
    let (da, db) = (dump(a.store.conn()).unwrap(), dump(b.store.conn()).unwrap());
    assert_eq!(da, db, "the stations disagree");
    a.store.batch(|s| rebuild(s.conn())).unwrap();
    assert_eq!(dump(a.store.conn()).unwrap(), da, "rebuild differs");
}

#[test]
fn countersigned_later_elsewhere_and_two_signatures_reviewed() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = gate_and_dorm(dir.path());
    let admin_a = a.admin.clone();
    let guard = a
        .store
        .add_operator(&admin_a, "张建国", Role::Guard, PIN)
        .unwrap();
    let day = a
        .store
        .add_operator(&admin_a, "刘师傅", Role::Guard, PIN)
        .unwrap();
    a.register("王五");
    let now = a.store.now_ms();
    let shift = a.store.current_shift(now).unwrap().unwrap();
    a.store
        .sign_handover(&guard, PIN, &shift, "留意王五", now)
        .unwrap();
    a.clock.advance_min(5);
    a.store
        .accept_handover(&day, PIN, &shift, &Section::ALL, vec![])
        .unwrap();
    exchange(&mut a, &mut b, dir.path(), 0);

    // The duty leader countersigns at the dorm the next morning.
    let admin_b = b.admin.clone();
    let leader = b
        .store
        .add_operator(&admin_b, "李主任", Role::DutyLeader, PIN)
        .unwrap();
    b.clock.advance_min(600);
    b.store
        .countersign_handover(&leader, PIN, &shift, "已阅")
        .unwrap();
    exchange(&mut a, &mut b, dir.path(), 1);
    let h = a.store.handover(&shift).unwrap().unwrap();
    assert_eq!(h.stage(), Stage::Countersigned);
    assert_eq!(h.countersigned_by_name.as_deref(), Some("李主任"));
    same_and_rebuilt(&mut a, &mut b);

    // The next shift signed over at both stations before they meet.
    a.clock.advance_min(14 * 60);
    let now_a = a.store.now_ms();
    let next = a.store.current_shift(now_a).unwrap().unwrap();
    assert_ne!(next, shift);
    a.store
        .sign_handover(&day, PIN, &next, "甲", now_a)
        .unwrap();
    b.clock.set(now_a + 60_000);
    b.store
        .sign_handover(&leader, PIN, &next, "乙", now_a + 60_000)
        .unwrap();
    exchange(&mut a, &mut b, dir.path(), 2);
    let list = a.store.conflicts().unwrap();
    let c = list
        .iter()
        .find(|c| c.kind == "handover")
        .expect("two signatures are reviewed");
    assert_eq!(c.events.len(), 2);
    assert_eq!(b.store.conflicts().unwrap(), list);
    // Meanwhile the first signature stands; the leader chooses the second.
    assert_eq!(a.store.handover(&next).unwrap().unwrap().note, "甲");
    let second = c
        .events
        .iter()
        .find(|e| e.actor == leader.id)
        .unwrap()
        .id
        .clone();
    b.store
        .resolve_conflict(&leader, &c.key, &second, "甲签错了班")
        .unwrap();
    exchange(&mut a, &mut b, dir.path(), 3);
    assert_eq!(a.store.handover(&next).unwrap().unwrap().note, "乙");
    same_and_rebuilt(&mut a, &mut b);
}
