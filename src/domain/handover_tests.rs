use super::*;
use crate::domain::role::Role;

fn actor(id: &str, role: Role) -> Actor {
    Actor {
        id: id.into(),
        name: id.into(),
        role,
    }
}

fn shift() -> ShiftId {
    ShiftId {
        station_id: "st".into(),
        date: "2026-11-29".into(),
        shift: "night".into(),
    }
}

fn item(section: Section, entity: &str, since: i64) -> SheetItem {
    SheetItem::new(section, entity.into(), ItemState::OnSite, "x", "", since)
}

fn signed_by(id: &str) -> HandoverState {
    HandoverState {
        signed: Some((id.into(), 1, "e1".into())),
        ..Default::default()
    }
}

#[test]
fn each_record_is_listed_once_and_marked_carried_when_older_than_the_shift() {
    let items = vec![
        item(Section::Hazards, "hazard:1", 50),
        item(Section::Log, "hazard:1", 50),
        item(Section::Visitors, "visit:1", 200),
        item(Section::Visitors, "visit:1", 200),
    ];
    let out = compose(items, 100);
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].entity, "visit:1");
    assert!(!out[0].carried);
    assert_eq!((out[1].section, out[1].carried), (Section::Hazards, true));
}

#[test]
fn a_closed_item_is_simply_not_composed_into_the_next_sheet() {
    // Last night's sheet had the absence; it was closed this morning, so
    // the query that feeds the next sheet no longer returns it.
    let tonight = compose(vec![item(Section::Boarders, "student:7", 10)], 100);
    assert_eq!(tonight.len(), 1);
    let next = compose(vec![], 200);
    assert!(next.is_empty());
}

#[test]
fn warnings_come_first_within_a_section() {
    let mut late = item(Section::Visitors, "visit:2", 300);
    late.state = ItemState::Overstay;
    let out = compose(vec![item(Section::Visitors, "visit:1", 100), late], 0);
    assert_eq!(out[0].entity, "visit:2");
}

#[test]
fn a_shift_is_signed_once() {
    let a = actor("night", Role::DormTeacher);
    let s = HandoverState::default();
    let e = decide_sign(&a, &s, &shift(), "  看好 3 楼 ", &[], vec![], "h".into()).unwrap();
    assert_eq!(e.note, "看好 3 楼");
    assert_eq!(
        decide_sign(
            &a,
            &signed_by("night"),
            &shift(),
            "",
            &[],
            vec![],
            "h".into()
        ),
        Err(DomainError::HandoverStep)
    );
}

#[test]
fn acceptance_needs_another_person_and_every_section() {
    let day = actor("day", Role::Guard);
    let all = Section::ALL.to_vec();
    // Not signed yet.
    assert_eq!(
        decide_accept(&day, &HandoverState::default(), &shift(), &all, vec![]),
        Err(DomainError::HandoverStep)
    );
    // The signer cannot accept their own handover.
    assert_eq!(
        decide_accept(&day, &signed_by("day"), &shift(), &all, vec![]),
        Err(DomainError::OwnHandover)
    );
    // Every section must be acknowledged.
    assert_eq!(
        decide_accept(&day, &signed_by("night"), &shift(), &all[..5], vec![]),
        Err(DomainError::Unacknowledged(2))
    );
    let remark = Remark {
        section: "hazards".into(),
        text: "锅炉房的门锁谁修？".into(),
    };
    let e = decide_accept(&day, &signed_by("night"), &shift(), &all, vec![remark]).unwrap();
    assert_eq!(e.acknowledged.len(), Section::ALL.len());
    assert_eq!(e.remarks.len(), 1);
    let mut accepted = signed_by("night");
    accepted.accepted = Some(("day".into(), 2));
    assert_eq!(
        decide_accept(&day, &accepted, &shift(), &all, vec![]),
        Err(DomainError::HandoverStep)
    );
}

#[test]
fn only_a_duty_leader_or_admin_countersigns_an_accepted_handover() {
    let mut s = signed_by("night");
    let leader = actor("lead", Role::DutyLeader);
    assert_eq!(
        decide_countersign(&leader, &s, &shift(), ""),
        Err(DomainError::HandoverStep)
    );
    s.accepted = Some(("day".into(), 2));
    for role in [Role::Guard, Role::DormTeacher] {
        assert_eq!(
            decide_countersign(&actor("g", role), &s, &shift(), ""),
            Err(DomainError::Forbidden(Permission::Countersign))
        );
    }
    assert!(decide_countersign(&leader, &s, &shift(), "").is_ok());
    assert!(decide_countersign(&actor("adm", Role::Admin), &s, &shift(), "").is_ok());
    s.countersigned = Some(("lead".into(), 3));
    assert_eq!(
        decide_countersign(&leader, &s, &shift(), ""),
        Err(DomainError::HandoverStep)
    );
}

#[test]
fn a_note_too_long_is_refused_whole() {
    let a = actor("night", Role::DormTeacher);
    let long = "长".repeat(NOTE_MAX + 1);
    assert!(matches!(
        decide_sign(
            &a,
            &HandoverState::default(),
            &shift(),
            &long,
            &[],
            vec![],
            "h".into()
        ),
        Err(DomainError::Invalid(_))
    ));
}

#[test]
fn the_seal_does_not_depend_on_arrival_order_but_on_every_hash() {
    let a = ("a".to_string(), [1u8; 32]);
    let b = ("b".to_string(), [2u8; 32]);
    assert_eq!(
        seal_hash(&[a.clone(), b.clone()]),
        seal_hash(&[b.clone(), a.clone()])
    );
    let b2 = ("b".to_string(), [3u8; 32]);
    assert_ne!(seal_hash(&[a.clone(), b]), seal_hash(&[a, b2]));
}
