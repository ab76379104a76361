//! A patrol round recorded differently at two stations: one checkpoint
//! checked OK at one and with a finding at the other, and the round closed
//! at both with other reasons. Both contradictions reach the review list at
//! every station, a duty leader's decision makes the chosen one stand
//! everywhere, and a rebuild gives the same projections.

mod stations;

use dutydesk::domain::patrol::{CheckpointData, Method, Outcome, RouteData, RouteOrder, Schedule};
use dutydesk::store::project::{dump, rebuild};
use stations::{Station, gate_and_dorm};
use std::path::Path;

/// Two checkpoints and a route at `a`; a round started there.
fn round_at(a: &mut Station) -> (String, Vec<String>) {
    let admin = a.admin.clone();
    let mut cps = vec![];
    for (name, code) in [("锅炉房", "B1-01"), ("配电房", "B1-02")] {
        let d = CheckpointData {
            name: name.into(),
            place: "后勤楼".into(),
            code: code.into(),
            checklist: vec!["门已上锁".into()],
            active: true,
        };
        cps.push(a.store.set_checkpoint(&admin, None, &d).unwrap());
    }
    let route = a
        .store
        .set_route(
            &admin,
            None,
            &RouteData {
                name: "夜间巡查".into(),
                checkpoints: cps.clone(),
                order: RouteOrder::AnyOrder,
                schedule: Schedule::parse("22:00").unwrap(),
                min_walk_min: 0,
                window_min: 60,
                late_min: 15,
                named_person: false,
                active: true,
            },
        )
        .unwrap();
    a.clock.advance_min(1);
    let round = a.store.start_patrol(&admin, &route, None).unwrap();
    (round, cps)
}

fn exchange(a: &mut Station, b: &mut Station, dir: &Path, n: usize) {
    let pa = dir.join(format!("a-{n}.ddbundle"));
    let pb = dir.join(format!("b-{n}.ddbundle"));
    a.export(&pa);
    b.export(&pb);
    b.import(&pa);
    a.import(&pb);
}

fn assert_same_and_rebuilt(a: &mut Station, b: &mut Station) {
    let (da, db) = (dump(a.store.conn()).unwrap(), dump(b.store.conn()).unwrap());
    assert_eq!(da, db, "the stations disagree");
    a.store.batch(|s| rebuild(s.conn())).unwrap();
    assert_eq!(
        dump(a.store.conn()).unwrap(),
        da,
        "rebuild differs from incremental"
    );
    assert_eq!(a.store.conflicts().unwrap(), b.store.conflicts().unwrap());
}

#[test]
fn a_round_recorded_differently_at_two_stations_is_reviewed_and_decided() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = gate_and_dorm(dir.path());
    let (round, cps) = round_at(&mut a);
    exchange(&mut a, &mut b, dir.path(), 0);

    // The boiler room: OK at the gate, a finding at the dorm.
    let (aa, ba) = (a.admin.clone(), b.admin.clone());
    a.clock.advance_min(1);
    a.store
        .check_in(&aa, &round, &cps[0], &Outcome::Ok, None, Method::Code)
        .unwrap();
    b.clock.advance_min(2);
    let finding = Outcome::Finding {
        failed: vec!["门已上锁".into()],
        note: "门没锁".into(),
    };
    b.store
        .check_in(&ba, &round, &cps[0], &finding, None, Method::Picked)
        .unwrap();
    // Both close; the power room was missed, each says why in its words.
    a.clock.advance_min(1);
    a.store.close_patrol(&aa, &round, "配电房钥匙不在").unwrap();
    b.clock.advance_min(2);
    b.store.close_patrol(&ba, &round, "配电房在检修").unwrap();
    exchange(&mut a, &mut b, dir.path(), 1);

    let cs = a.store.conflicts().unwrap();
    let mut kinds: Vec<&str> = cs.iter().map(|c| c.kind.as_str()).collect();
    kinds.sort();
    assert_eq!(kinds, ["patrol_check", "patrol_close"]);
    for c in &cs {
        assert_eq!(c.entity, format!("patrol:{round}"));
        assert_eq!(c.events.len(), 2);
        assert!(c.decided.is_none());
    }
    let close = cs.iter().find(|c| c.kind == "patrol_close").unwrap();
    assert_eq!(close.key, format!("patrol:{round}/close"));
    let check = cs.iter().find(|c| c.kind == "patrol_check").unwrap();
    assert_eq!(check.key, format!("patrol:{round}/{}", cps[0]));
    // Meanwhile the earliest close shows, and both check-ins are kept.
    let r = a.store.patrol_round(&round).unwrap().unwrap();
    assert_eq!(r.reason.as_deref(), Some("配电房钥匙不在"));
    assert_eq!(a.store.patrol_checks(&round).unwrap().len(), 2);
    assert_same_and_rebuilt(&mut a, &mut b);
    review_list_says(&mut a, &round);

    // At the dorm a duty leader (the admin) decides: its own close and its
    // finding stand.
    let dorm_close = close.events.iter().find(|e| e.origin == b.id()).unwrap();
    let dorm_check = check.events.iter().find(|e| e.origin == b.id()).unwrap();
    b.clock.advance_min(1);
    b.store
        .resolve_conflict(
            &ba,
            &close.key,
            &dorm_close.id,
            "值班领导核实：配电房在检修",
        )
        .unwrap();
    b.store
        .resolve_conflict(&ba, &check.key, &dorm_check.id, "看了监控，门确实没锁")
        .unwrap();
    exchange(&mut a, &mut b, dir.path(), 2);
    for st in [&a, &b] {
        let r = st.store.patrol_round(&round).unwrap().unwrap();
        assert_eq!(r.reason.as_deref(), Some("配电房在检修"));
        let checks = st.store.patrol_checks(&round).unwrap();
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].outcome, finding);
        let cs = st.store.conflicts().unwrap();
        assert_eq!(cs.len(), 2);
        assert!(cs.iter().all(|c| c.decided.is_some()));
    }
    assert_same_and_rebuilt(&mut a, &mut b);
}

/// What F8 shows for the two cases, in Chinese: the route, the checkpoint,
/// each side's outcome and what its close counted missed.
fn review_list_says(st: &mut Station, round: &str) {
    use dutydesk::panes::PaneCtx;
    use dutydesk::panes::conflicts::ConflictsScreen;
    dutydesk::i18n::set_lang(dutydesk::i18n::Lang::ZhCn);
    let admin = st.admin.clone();
    let mut toast = None;
    let now_ms = st.store.now_ms();
    let ctx = PaneCtx {
        store: &mut st.store,
        actor: &admin,
        now_ms,
        toast: &mut toast,
    };
    let screen = ConflictsScreen::open(&ctx).unwrap();
    let night = st.store.patrol_round(round).unwrap().unwrap().night;
    let mut titles: Vec<&str> = screen.items.iter().map(|s| s.title.as_str()).collect();
    titles.sort();
    assert_eq!(
        titles,
        [
            format!("巡查 夜间巡查 {night}：两个值班点对本轮的关闭记录不一致"),
            format!(
                "巡查 夜间巡查 {night}：巡查点「锅炉房」一个值班点记为正常，另一个记为发现问题"
            ),
        ]
    );
    let options: Vec<&str> = screen
        .items
        .iter()
        .flat_map(|s| s.options.iter().map(|(_, t)| t.as_str()))
        .collect();
    for want in [
        "正常",
        "发现问题：门已上锁 门没锁",
        "已结束，漏巡 配电房：配电房钥匙不在",
        "已结束，漏巡 配电房：配电房在检修",
    ] {
        assert!(
            options.iter().any(|o| o.ends_with(want)),
            "{want} not in {options:#?}"
        );
    }
}

#[test]
fn the_same_close_or_outcome_at_two_stations_is_no_contradiction() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = gate_and_dorm(dir.path());
    let (round, cps) = round_at(&mut a);
    exchange(&mut a, &mut b, dir.path(), 0);
    let (aa, ba) = (a.admin.clone(), b.admin.clone());
    for (st, who) in [(&mut a, &aa), (&mut b, &ba)] {
        st.clock.advance_min(1);
        for cp in &cps {
            st.store
                .check_in(who, &round, cp, &Outcome::Ok, None, Method::Code)
                .unwrap();
        }
        st.store.close_patrol(who, &round, "").unwrap();
    }
    exchange(&mut a, &mut b, dir.path(), 1);
    assert!(a.store.conflicts().unwrap().is_empty());
    assert_same_and_rebuilt(&mut a, &mut b);
}
