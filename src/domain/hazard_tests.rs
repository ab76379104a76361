use super::*;
use crate::domain::event::Event;
use crate::domain::hazard_fold::StepIn;
use crate::domain::role::Role;
use std::collections::HashMap;

const H: i64 = 3_600_000;
const T0: i64 = 1_795_000_000_000;

fn who(id: &str, role: Role) -> Actor {
    Actor {
        id: id.into(),
        name: format!("名{id}"),
        role,
    }
}

fn draft() -> HazardDraft {
    HazardDraft {
        place: "3号宿舍楼 305".into(),
        category: Some(Category::DormAppliance),
        severity: Some(Severity::Major),
        description: "使用违规电热毯".into(),
        ..HazardDraft::default()
    }
}

fn hours(s: Severity) -> i64 {
    s.default_deadline_hours()
}

fn reported(resp: &str) -> HazardView {
    HazardView {
        id: "h1".into(),
        status: if resp.is_empty() {
            Status::Reported
        } else {
            Status::Assigned
        },
        found_ms: T0,
        deadline_ms: T0 + 72 * H,
        responsible: resp.into(),
        ..HazardView::default()
    }
}

/// Folds a scripted history: (event id, origin, actor, event).
fn run(
    steps: &[(&str, &str, &str, Event)],
    chosen: &HashMap<String, String>,
) -> (HazardView, Vec<Contested>) {
    let ins: Vec<StepIn> = steps
        .iter()
        .enumerate()
        .map(|(i, (id, o, a, e))| StepIn {
            id,
            origin: o,
            actor: a,
            at_ms: T0 + i as i64 * H,
            ev: e,
        })
        .collect();
    fold(&ins, chosen).unwrap()
}

fn rep() -> Event {
    Event::HazardReported(
        decide_report(
            &who("g", Role::Guard),
            "h1".into(),
            &draft(),
            T0,
            hours,
            vec![],
        )
        .unwrap(),
    )
}
fn assign() -> Event {
    Event::HazardAssigned(HazardAssigned {
        hazard_id: "h1".into(),
        responsible: "后勤王师傅".into(),
        deadline_ms: T0 + 72 * H,
        note: String::new(),
    })
}
fn rectify() -> Event {
    Event::HazardRectified(HazardRectified {
        hazard_id: "h1".into(),
        measures: "没收电热毯".into(),
        done_by: "王师傅".into(),
        done_ms: T0 + H,
        attachments: vec![],
    })
}
fn verify(passed: bool) -> Event {
    Event::HazardVerified(HazardVerified {
        hazard_id: "h1".into(),
        passed,
        note: if passed { "" } else { "仍有插线板" }.into(),
    })
}
fn close() -> Event {
    Event::HazardClosed(HazardClosed {
        hazard_id: "h1".into(),
        note: String::new(),
    })
}
fn reopen() -> Event {
    Event::HazardReopened(HazardReopened {
        hazard_id: "h1".into(),
        reason: "复发".into(),
    })
}

#[test]
fn anyone_reports_with_required_fields_and_default_deadline() {
    for r in Role::ALL {
        let e = decide_report(&who("x", r), "h".into(), &draft(), T0, hours, vec![]).unwrap();
        assert_eq!(e.deadline_ms, T0 + 72 * H);
    }
    let mut d = draft();
    d.severity = Some(Severity::Serious);
    let e = decide_report(&who("x", Role::Guard), "h".into(), &d, T0, hours, vec![]).unwrap();
    assert_eq!(e.deadline_ms, T0 + 24 * H);
    let empty = HazardDraft::default();
    let Err(DomainError::Invalid(errs)) = decide_report(
        &who("x", Role::Guard),
        "h".into(),
        &empty,
        T0,
        hours,
        vec![],
    ) else {
        panic!("empty report accepted")
    };
    let fields: Vec<&str> = errs.iter().map(|e| e.0).collect();
    assert_eq!(fields, ["place", "category", "severity", "description"]);
    // A deadline at the finding itself is refused; a millisecond later is not.
    let mut d = draft();
    d.deadline_ms = Some(T0);
    assert!(decide_report(&who("x", Role::Guard), "h".into(), &d, T0, hours, vec![]).is_err());
    d.deadline_ms = Some(T0 + 1);
    assert!(decide_report(&who("x", Role::Guard), "h".into(), &d, T0, hours, vec![]).is_ok());
    // Multi-byte text is counted in characters.
    let mut d = draft();
    d.description = "电".repeat(MAX_TEXT + 1);
    assert!(decide_report(&who("x", Role::Guard), "h".into(), &d, T0, hours, vec![]).is_err());
}

#[test]
fn only_leaders_and_admins_assign_close_and_reopen() {
    let v = reported("");
    for r in Role::ALL {
        let lead = matches!(r, Role::DutyLeader | Role::Admin);
        let a = who("x", r);
        assert_eq!(
            decide_assign(&a, &v, "王师傅", T0 + H, "").is_ok(),
            lead,
            "{r:?}"
        );
        let mut verified = reported("王");
        verified.status = Status::Verified;
        assert_eq!(decide_close(&a, &verified, "").is_ok(), lead, "{r:?}");
        let mut closed = reported("王");
        closed.status = Status::Closed;
        assert_eq!(decide_reopen(&a, &closed, "复发").is_ok(), lead, "{r:?}");
        // Anyone on duty records the fix.
        assert!(decide_rectify(&a, &reported("王"), "已修", "", T0 + H, T0 + 2 * H).is_ok());
    }
}

#[test]
fn steps_only_in_their_state() {
    let lead = who("l", Role::DutyLeader);
    let v = reported("");
    assert_eq!(
        decide_rectify(&lead, &v, "已修", "", T0, T0),
        Err(DomainError::HazardStep)
    );
    assert_eq!(
        decide_verify(&lead, &v, true, ""),
        Err(DomainError::HazardStep)
    );
    assert_eq!(decide_close(&lead, &v, ""), Err(DomainError::HazardStep));
    assert_eq!(decide_reopen(&lead, &v, "x"), Err(DomainError::HazardStep));
    // The fix can be dated at the finding and now, not outside.
    let v = reported("王");
    assert!(decide_rectify(&lead, &v, "已修", "", T0, T0 + H).is_ok());
    assert!(decide_rectify(&lead, &v, "已修", "", T0 + H, T0 + H).is_ok());
    assert!(decide_rectify(&lead, &v, "已修", "", T0 - 1, T0 + H).is_err());
    assert!(decide_rectify(&lead, &v, "已修", "", T0 + H + 1, T0 + H).is_err());
    assert!(decide_rectify(&lead, &v, " ", "", T0, T0 + H).is_err());
    // The assigned deadline must follow the finding.
    assert!(decide_assign(&lead, &v, "王", T0, "").is_err());
    assert!(decide_assign(&lead, &v, "", T0 + H, "").is_err());
}

#[test]
fn verifier_is_never_the_rectifier() {
    let mut v = reported("王");
    v.status = Status::Rectified;
    v.rectified_by = Some("l1".into());
    v.rectifier = Some("王师傅".into());
    let same = who("l1", Role::DutyLeader);
    assert_eq!(
        decide_verify(&same, &v, true, ""),
        Err(DomainError::OwnRectification)
    );
    // Same person by name under another operator account.
    let by_name = Actor {
        id: "l2".into(),
        name: " 王师傅 ".into(),
        role: Role::Admin,
    };
    assert_eq!(
        decide_verify(&by_name, &v, true, ""),
        Err(DomainError::OwnRectification)
    );
    assert!(allowed_steps(&same, &v).is_empty());
    let other = who("l3", Role::DutyLeader);
    assert!(decide_verify(&other, &v, true, "").is_ok());
    assert_eq!(allowed_steps(&other, &v), vec![Step::Verify]);
    // A failure needs its reason; guards and dorm teachers do not verify.
    assert!(decide_verify(&other, &v, false, "").is_err());
    assert!(decide_verify(&other, &v, false, "插线板仍在").is_ok());
    assert!(decide_verify(&who("g", Role::Guard), &v, true, "").is_err());
    assert!(decide_verify(&who("d", Role::DormTeacher), &v, true, "").is_err());
}

#[test]
fn fail_returns_to_assigned_pass_then_close_and_closed_is_read_only() {
    let none = HashMap::new();
    let (v, c) = run(
        &[
            ("e1", "A", "g", rep()),
            ("e2", "A", "l", assign()),
            ("e3", "A", "w", rectify()),
            ("e4", "A", "l", verify(false)),
        ],
        &none,
    );
    assert!(c.is_empty());
    assert_eq!(v.status, Status::Assigned);
    assert_eq!(v.fails, 1);
    assert_eq!(v.verify_note.as_deref(), Some("仍有插线板"));
    let (v, _) = run(
        &[
            ("e1", "A", "g", rep()),
            ("e2", "A", "l", assign()),
            ("e3", "A", "w", rectify()),
            ("e4", "A", "l", verify(false)),
            ("e5", "A", "w", rectify()),
            ("e6", "A", "l", verify(true)),
            ("e7", "A", "l", close()),
        ],
        &none,
    );
    assert_eq!(v.status, Status::Closed);
    assert_eq!(v.closed_by.as_deref(), Some("l"));
    let lead = who("l9", Role::Admin);
    assert_eq!(
        decide_assign(&lead, &v, "王", T0 + H, ""),
        Err(DomainError::HazardClosed)
    );
    assert_eq!(
        decide_rectify(&lead, &v, "x", "", T0, T0),
        Err(DomainError::HazardClosed)
    );
    assert_eq!(
        decide_verify(&lead, &v, true, ""),
        Err(DomainError::HazardClosed)
    );
    assert_eq!(decide_close(&lead, &v, ""), Err(DomainError::HazardClosed));
    assert_eq!(allowed_steps(&lead, &v), vec![Step::Reopen]);
}

#[test]
fn reopen_is_recorded_with_its_reason() {
    let none = HashMap::new();
    let lead = who("l", Role::DutyLeader);
    let mut closed = reported("王");
    closed.status = Status::Closed;
    assert!(decide_reopen(&lead, &closed, "  ").is_err());
    let e = decide_reopen(&lead, &closed, "复发").unwrap();
    assert_eq!(e.reason, "复发");
    let (v, _) = run(
        &[
            ("e1", "A", "g", rep()),
            ("e2", "A", "l", assign()),
            ("e3", "A", "w", rectify()),
            ("e4", "A", "m", verify(true)),
            ("e5", "A", "l", close()),
            ("e6", "A", "l", reopen()),
        ],
        &none,
    );
    assert_eq!(v.status, Status::Assigned);
    assert_eq!(v.reopens, 1);
    assert_eq!(v.closed_ms, None);
}

#[test]
fn contradictory_steps_from_two_stations_are_contested() {
    let none = HashMap::new();
    let base = vec![
        ("e1", "A", "g", rep()),
        ("e2", "A", "l", assign()),
        ("e3", "A", "w", rectify()),
    ];
    // Two verifications of one fix: the first stands, both are listed.
    let mut two = base.clone();
    two.push(("v1", "A", "l", verify(true)));
    two.push(("v2", "B", "m", verify(false)));
    let (v, c) = run(&two, &none);
    assert_eq!(v.status, Status::Verified);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].key, "hazard:h1/e3");
    assert_eq!(c[0].events, ["v1", "v2"]);
    // A duty leader picks the failure: it stands everywhere.
    let chosen = HashMap::from([("hazard:h1/e3".to_string(), "v2".to_string())]);
    let (v, c) = run(&two, &chosen);
    assert_eq!(v.status, Status::Assigned);
    assert_eq!(c[0].applied, "v2");
    // Two fixes of one assignment.
    let mut fixes = base[..2].to_vec();
    fixes.push(("r1", "A", "w", rectify()));
    fixes.push(("r2", "B", "x", rectify()));
    let (_, c) = run(&fixes, &none);
    assert_eq!(c[0].events, ["r1", "r2"]);
    // A close and a reopen against one close: the second close is refused.
    let mut cl = base.clone();
    cl.push(("v1", "A", "m", verify(true)));
    cl.push(("c1", "A", "l", close()));
    cl.push(("c2", "B", "l", close()));
    let (v, c) = run(&cl, &none);
    assert_eq!(v.status, Status::Closed);
    assert_eq!(c[0].events, ["c1", "c2"]);
}

#[test]
fn overdue_is_derived_at_the_deadline_edge() {
    let d = T0 + 24 * H;
    assert!(!is_overdue(Status::Assigned, d, d));
    assert!(is_overdue(Status::Assigned, d, d + 1));
    assert!(is_overdue(Status::Reported, d, d + 1));
    assert!(is_overdue(Status::Rectified, d, d + 1));
    assert!(!is_overdue(Status::Verified, d, d + 1));
    assert!(!is_overdue(Status::Closed, d, d + 1));
}

#[test]
fn keys_round_trip() {
    for c in Category::ALL {
        assert_eq!(Category::parse(c.key()), Some(c));
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            format!("\"{}\"", c.key())
        );
    }
    for s in Severity::ALL {
        assert_eq!(Severity::parse(s.key()), Some(s));
    }
    for s in Status::ALL {
        assert_eq!(Status::parse(s.key()), Some(s));
    }
    // Bodies from before `found_on_patrol` read with none.
    let e = rep();
    let mut body: serde_json::Value = serde_json::from_str(&e.body_json()).unwrap();
    body.as_object_mut().unwrap().remove("found_on_patrol");
    let back = Event::parse("hazard.reported", &body.to_string())
        .unwrap()
        .unwrap();
    assert_eq!(back, e);
}
