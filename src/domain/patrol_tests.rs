use super::*;
use crate::domain::role::Role;

fn actor(role: Role) -> Actor {
    Actor {
        id: "op".into(),
        name: "张三".into(),
        role,
    }
}

fn cp(code: &str) -> CheckpointData {
    CheckpointData {
        name: "锅炉房".into(),
        place: "后勤楼".into(),
        code: code.into(),
        checklist: vec!["门已上锁".into(), "  ".into()],
        active: true,
    }
}

pub(crate) fn route(schedule: Schedule) -> RouteData {
    RouteData {
        name: "宿舍楼".into(),
        checkpoints: vec!["a".into(), "b".into(), "c".into()],
        order: RouteOrder::Ordered,
        schedule,
        min_walk_min: 2,
        window_min: 60,
        late_min: 15,
        named_person: false,
        active: true,
    }
}

#[test]
fn schedules_parse_and_print_back() {
    let s = Schedule::parse("22:00, 03:00，00:30").unwrap();
    assert_eq!(
        s,
        Schedule::Fixed {
            times: vec![22 * 60, 30, 3 * 60]
        }
    );
    assert_eq!(s.text(), "22:00 00:30 03:00");
    let irr = Schedule::parse("3@22:00-05:00").unwrap();
    assert_eq!(
        irr,
        Schedule::Irregular {
            rounds: 3,
            from: 22 * 60,
            to: 5 * 60
        }
    );
    assert_eq!(Schedule::parse(&irr.text()).unwrap(), irr);
    let w = Schedule::parse("W1@09:00").unwrap();
    assert_eq!(Schedule::parse(&w.text()).unwrap(), w);
    let m = Schedule::parse("m1@９：００").unwrap();
    assert_eq!(m, Schedule::Monthly { day: 1, at: 9 * 60 });
    for bad in [
        "",
        "25:00",
        "W8@09:00",
        "M29@09:00",
        "0@22:00-23:00",
        "3@05:00-22:00",
        "x",
    ] {
        assert!(Schedule::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn only_admins_keep_checkpoints_and_routes() {
    for r in Role::ALL {
        assert_eq!(
            decide_checkpoint(&actor(r), &cp("b1-03")).is_ok(),
            r == Role::Admin
        );
        let d = route(Schedule::Fixed { times: vec![1320] });
        assert_eq!(
            decide_route(&actor(r), &d, |_| true).is_ok(),
            r == Role::Admin
        );
        assert_eq!(
            decide_assign(&actor(r), "李四").is_ok(),
            matches!(r, Role::DutyLeader | Role::Admin)
        );
        // Everyone on duty walks rounds, guards above all.
        assert!(decide_start(&actor(r), true, false, None).is_ok());
    }
}

#[test]
fn checkpoint_is_tidied_and_bad_input_is_named() {
    let c = decide_checkpoint(&actor(Role::Admin), &cp(" ｂ1-03 ")).unwrap();
    assert_eq!(c.code, "B1-03");
    assert_eq!(c.checklist, vec!["门已上锁".to_string()]);
    let mut bad = cp("锅炉 1");
    bad.name = " ".into();
    match decide_checkpoint(&actor(Role::Admin), &bad) {
        Err(DomainError::Invalid(errs)) => {
            assert!(errs.contains(&("name", FieldError::Required)));
            assert!(errs.contains(&("code", FieldError::CodeFormat)));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        check_code("ABCDEFGHIJKLMNOPQ"),
        Err(FieldError::TooLong { max: CODE_MAX })
    );
}

#[test]
fn route_needs_known_distinct_checkpoints_and_sane_minutes() {
    let a = actor(Role::Admin);
    let mut d = route(Schedule::Fixed { times: vec![1320] });
    assert!(decide_route(&a, &d, |c| c != "b").is_err());
    d.checkpoints = vec!["a".into(), "a".into()];
    assert!(decide_route(&a, &d, |_| true).is_err());
    d.checkpoints = vec!["a".into()];
    d.window_min = 2;
    match decide_route(&a, &d, |_| true) {
        Err(DomainError::Invalid(e)) => assert_eq!(e[0].0, "window"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn special_period_route_needs_a_named_person() {
    let g = actor(Role::Guard);
    assert_eq!(
        decide_start(&g, true, true, None),
        Err(DomainError::PersonRequired)
    );
    assert!(decide_start(&g, true, true, Some("李四")).is_ok());
    assert_eq!(
        decide_start(&g, false, false, None),
        Err(DomainError::NotFound)
    );
}

#[test]
fn check_in_rules() {
    let g = actor(Role::Guard);
    let now = 1_000_000_000_000;
    assert!(decide_check(&g, false, true, &Outcome::Ok, now, now).is_ok());
    assert_eq!(
        decide_check(&g, true, true, &Outcome::Ok, now, now),
        Err(DomainError::RoundClosed)
    );
    assert_eq!(
        decide_check(&g, false, false, &Outcome::Ok, now, now),
        Err(DomainError::NotOnRoute)
    );
    // Entered later: in the past, within the night — the edge is allowed.
    assert!(decide_check(&g, false, true, &Outcome::Ok, now - LATER_MAX_MS, now).is_ok());
    assert!(decide_check(&g, false, true, &Outcome::Ok, now - LATER_MAX_MS - 1, now).is_err());
    assert!(decide_check(&g, false, true, &Outcome::Ok, now + 1, now).is_err());
    let empty = Outcome::Finding {
        failed: vec![],
        note: "  ".into(),
    };
    assert!(decide_check(&g, false, true, &empty, now, now).is_err());
    let f = Outcome::Finding {
        failed: vec!["灭火器过期".into()],
        note: String::new(),
    };
    assert!(decide_check(&g, false, true, &f, now, now).is_ok());
}

#[test]
fn closing_with_missed_checkpoints_needs_a_reason() {
    let g = actor(Role::Guard);
    assert_eq!(decide_close(&g, false, &[], ""), Ok(None));
    assert_eq!(
        decide_close(&g, false, &["b".into()], " "),
        Err(DomainError::ReasonRequired)
    );
    assert_eq!(
        decide_close(&g, false, &["b".into()], "楼梯间施工封闭"),
        Ok(Some("楼梯间施工封闭".into()))
    );
    assert_eq!(
        decide_close(&g, true, &[], ""),
        Err(DomainError::RoundClosed)
    );
}

#[test]
fn categories_are_guessed_from_checklist_items() {
    for (item, cat) in [
        ("消防通道畅通", "fire"),
        ("灭火器在有效期内", "fire"),
        ("安全出口未上锁", "fire"),
        ("Fire door closed", "fire"),
        ("插座无烧焦", "electrical"),
        ("电线无裸露", "electrical"),
        ("配电箱关闭", "electrical"),
        ("燃气阀门关闭", "gas"),
        ("煤气罐存放", "gas"),
        ("水管无滴漏", "water"),
        ("屋顶不漏雨", "water"),
        ("门窗完好", "building"),
        ("楼梯扶手牢固", "building"),
        ("墙面无裂缝", "building"),
        ("食堂后门关闭", "food"),
        ("食品留样", "food"),
        ("无违章电器", "dorm_appliance"),
        ("无热得快", "dorm_appliance"),
        ("门锁完好", "security"),
        ("监控正常", "security"),
        ("围墙无攀爬痕迹", "security"),
        ("卫生整洁", "other"),
        ("", "other"),
    ] {
        assert_eq!(category_guess(item), cat, "{item}");
    }
}
