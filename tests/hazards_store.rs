//! The hazard ledger in the store: the whole loop, the ledger's filters and
//! order, the status-bar counts, attachments, rebuild == incremental, and
//! two stations recording contradictory steps for one hazard.

use dutydesk::domain::error::DomainError;
use dutydesk::domain::event::StationKind;
use dutydesk::domain::hazard::{Category, HazardDraft, Severity, Status};
use dutydesk::domain::role::{Actor, Role};
use dutydesk::domain::time::FixedClock;
use dutydesk::store::hazards::HazardFilter;
use dutydesk::store::project::{dump, rebuild};
use dutydesk::store::{Store, StoreError};
use dutydesk::sync;
use std::path::Path;
use std::sync::Arc;

const T0: i64 = 1_795_000_000_000;
const H: i64 = 3_600_000;

struct Desk {
    store: Store,
    clock: FixedClock,
    admin: Actor,
    guard: Actor,
    leader: Actor,
    leader2: Actor,
}

fn desk(path: &Path) -> Desk {
    let clock = FixedClock::new(T0);
    let mut store = Store::open(path, Arc::new(clock.clone())).unwrap();
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
        .add_operator(&admin, "李主任", Role::DutyLeader, "2222")
        .unwrap();
    let leader2 = store
        .add_operator(&admin, "王校长", Role::DutyLeader, "3333")
        .unwrap();
    Desk {
        store,
        clock,
        admin,
        guard,
        leader,
        leader2,
    }
}

fn draft(place: &str, sev: Severity, cat: Category) -> HazardDraft {
    HazardDraft {
        place: place.into(),
        category: Some(cat),
        severity: Some(sev),
        description: "插线板私拉乱接".into(),
        containment: "已断电".into(),
        ..HazardDraft::default()
    }
}

fn domain(e: StoreError) -> DomainError {
    match e {
        StoreError::Domain(d) => d,
        other => panic!("not a domain error: {other}"),
    }
}

#[test]
fn the_whole_loop_then_read_only_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(&dir.path().join("a.db"));
    let id = d
        .store
        .report_hazard(
            &d.guard,
            &draft("3号宿舍楼305", Severity::Major, Category::Electrical),
            None,
            &[],
        )
        .unwrap();
    let v = d.store.hazard(&id).unwrap().unwrap();
    assert_eq!(v.status, Status::Reported);
    assert_eq!(v.deadline_ms, T0 + 72 * H, "较大 defaults to 3 days");
    assert_eq!(v.reported_by, d.guard.id);
    // A guard may not assign.
    let e = d
        .store
        .assign_hazard(&d.guard, &id, "后勤王师傅", T0 + 48 * H, "")
        .unwrap_err();
    assert!(matches!(domain(e), DomainError::Forbidden(_)));
    d.clock.advance_min(10);
    d.store
        .assign_hazard(&d.leader, &id, "后勤王师傅", T0 + 48 * H, "")
        .unwrap();
    d.clock.advance_min(60);
    d.store
        .rectify_hazard(&d.guard, &id, "拆除插线板", "", None)
        .unwrap();
    d.clock.advance_min(10);
    // A second fix before the first is verified is refused.
    d.store
        .rectify_hazard(&d.leader, &id, "再次检查", "", None)
        .unwrap_err();
    d.store
        .verify_hazard(&d.leader, &id, false, "仍有电热毯")
        .unwrap();
    assert_eq!(
        d.store.hazard(&id).unwrap().unwrap().status,
        Status::Assigned
    );
    d.clock.advance_min(30);
    d.store
        .rectify_hazard(&d.leader, &id, "没收电热毯", "李主任", None)
        .unwrap();
    let e = d.store.verify_hazard(&d.leader, &id, true, "").unwrap_err();
    assert_eq!(domain(e), DomainError::OwnRectification);
    d.store.verify_hazard(&d.leader2, &id, true, "").unwrap();
    d.store.close_hazard(&d.leader, &id, "").unwrap();
    let v = d.store.hazard(&id).unwrap().unwrap();
    assert_eq!(v.status, Status::Closed);
    assert_eq!(v.fails, 1);
    let e = d
        .store
        .assign_hazard(&d.admin, &id, "x", T0 + 99 * H, "")
        .unwrap_err();
    assert_eq!(domain(e), DomainError::HazardClosed);
    d.store
        .reopen_hazard(&d.admin, &id, "复查发现复发")
        .unwrap();
    let v = d.store.hazard(&id).unwrap().unwrap();
    assert_eq!((v.status, v.reopens), (Status::Assigned, 1));
    let kinds: Vec<String> = d
        .store
        .hazard_history(&id)
        .unwrap()
        .into_iter()
        .map(|(r, _)| r.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "hazard.reported",
            "hazard.assigned",
            "hazard.rectified",
            "hazard.verified",
            "hazard.rectified",
            "hazard.verified",
            "hazard.closed",
            "hazard.reopened"
        ]
    );
    // Refused commands wrote nothing.
    assert_eq!(d.store.hazard_history(&id).unwrap().len(), 8);
}

#[test]
fn ledger_order_filters_alerts_and_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(&dir.path().join("a.db"));
    let g = d.guard.clone();
    let general = d
        .store
        .report_hazard(
            &g,
            &draft("食堂后厨", Severity::General, Category::Food),
            None,
            &[],
        )
        .unwrap();
    d.clock.advance_min(1);
    let serious = d
        .store
        .report_hazard(
            &g,
            &draft("锅炉房", Severity::Serious, Category::Gas),
            None,
            &[],
        )
        .unwrap();
    d.clock.advance_min(1);
    let major = d
        .store
        .report_hazard(
            &g,
            &draft("2号宿舍楼", Severity::Major, Category::DormAppliance),
            None,
            &[],
        )
        .unwrap();
    let now = d.store.now_ms();
    let all = d.store.hazards(&HazardFilter::default(), now).unwrap();
    let ids: Vec<&str> = all.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, [serious.as_str(), major.as_str(), general.as_str()]);
    assert_eq!(d.store.hazard_alerts(now).unwrap(), (0, 1));
    // Four days on: the 较大 (3 days) and 重大 (24 h) are overdue, and the
    // overdue 较大 now ranks above the 一般 by being overdue.
    let later = now + 4 * 24 * H;
    assert_eq!(d.store.hazard_alerts(later).unwrap(), (2, 1));
    let f = HazardFilter {
        overdue: true,
        ..HazardFilter::default()
    };
    assert_eq!(d.store.hazards(&f, later).unwrap().len(), 2);
    let by = |f: HazardFilter| -> Vec<String> {
        d.store
            .hazards(&f, now)
            .unwrap()
            .into_iter()
            .map(|v| v.id)
            .collect()
    };
    assert_eq!(
        by(HazardFilter {
            category: Some(Category::Food),
            ..HazardFilter::default()
        }),
        vec![general.clone()]
    );
    assert_eq!(
        by(HazardFilter {
            severity: Some(Severity::Serious),
            ..HazardFilter::default()
        }),
        vec![serious.clone()]
    );
    assert_eq!(
        by(HazardFilter {
            place: "宿舍".into(),
            ..HazardFilter::default()
        }),
        vec![major.clone()]
    );
    // Pinyin initials of the place: 锅炉房 → glf.
    assert_eq!(
        by(HazardFilter {
            text: "glf".into(),
            ..HazardFilter::default()
        }),
        vec![serious.clone()]
    );
    assert_eq!(
        by(HazardFilter {
            status: Some(Status::Closed),
            ..HazardFilter::default()
        }),
        Vec::<String>::new()
    );
    assert_eq!(
        by(HazardFilter {
            from_ms: Some(T0 + 60_000),
            to_ms: Some(T0 + 120_000),
            ..HazardFilter::default()
        }),
        vec![serious.clone()]
    );
    // A LIKE wildcard typed is taken literally.
    assert!(
        by(HazardFilter {
            text: "%".into(),
            ..HazardFilter::default()
        })
        .is_empty()
    );

    d.store
        .assign_hazard(&d.leader, &serious, "王师傅", now + H, "")
        .unwrap();
    d.store
        .rectify_hazard(&g, &serious, "关阀检修", "", None)
        .unwrap();
    let incremental = dump(d.store.conn()).unwrap();
    d.store
        .conn()
        .execute_batch("UPDATE hazards SET status = 'closed'")
        .unwrap();
    assert_ne!(dump(d.store.conn()).unwrap(), incremental);
    d.store.batch(|s| rebuild(s.conn())).unwrap();
    assert_eq!(dump(d.store.conn()).unwrap(), incremental);
}

#[test]
fn photos_are_copied_by_hash_and_a_bad_path_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(&dir.path().join("a.db"));
    let photo = dir.path().join("照片 1.jpg");
    std::fs::write(&photo, b"\xff\xd8jpeg bytes").unwrap();
    let before = d.store.event_count().unwrap();
    let g = d.guard.clone();
    let e = d
        .store
        .report_hazard(
            &g,
            &draft("门卫室", Severity::General, Category::Security),
            None,
            &[dir.path().join("nope.jpg")],
        )
        .unwrap_err();
    assert!(matches!(domain(e), DomainError::Invalid(errs) if errs[0].0 == "photo"));
    assert_eq!(d.store.event_count().unwrap(), before);
    let id = d
        .store
        .report_hazard(
            &g,
            &draft("门卫室", Severity::General, Category::Security),
            None,
            std::slice::from_ref(&photo),
        )
        .unwrap();
    let v = d.store.hazard(&id).unwrap().unwrap();
    let a = &v.attachments[0];
    assert_eq!(a.name, "照片 1.jpg");
    assert_eq!(a.size, 12);
    assert_eq!(
        a.hash,
        blake3::hash(b"\xff\xd8jpeg bytes").to_hex().to_string()
    );
    let here = d.store.attachment_path(a).unwrap();
    assert_eq!(here, dir.path().join("attachments").join(&a.hash));
    assert_eq!(std::fs::read(here).unwrap(), b"\xff\xd8jpeg bytes");
}

#[test]
fn two_stations_verifying_one_fix_differently_go_to_review() {
    let dir = tempfile::tempdir().unwrap();
    let join = dir.path().join("school.ddjoin");
    let mut a = desk(&dir.path().join("a.db"));
    let (code, _) = sync::invite(&mut a.store, &join).unwrap();
    let info = sync::join_info(&join, &code).unwrap();
    let clock_b = FixedClock::new(T0 + 1_000);
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
    let g = a.guard.clone();
    let id = a
        .store
        .report_hazard(
            &g,
            &draft("1号楼配电箱", Severity::Serious, Category::Electrical),
            None,
            &[],
        )
        .unwrap();
    a.store
        .assign_hazard(&a.leader, &id, "电工", T0 + 10 * H, "")
        .unwrap();
    a.store
        .rectify_hazard(&g, &id, "更换空开", "电工老刘", None)
        .unwrap();
    let bundle = dir.path().join("a1.ddbundle");
    sync::export_to(&mut a.store, &bundle).unwrap();
    sync::import_file(&mut b, &bundle, false).unwrap();
    // Both verify before hearing of the other: A passes, B fails it.
    let leader_b = b
        .find_operator_by_name("李主任")
        .unwrap()
        .map(|o| o.actor())
        .unwrap();
    a.clock.advance_min(5);
    a.store.verify_hazard(&a.leader, &id, true, "").unwrap();
    clock_b.advance_min(6);
    b.verify_hazard(&leader_b, &id, false, "空开型号不对")
        .unwrap();
    let ab = dir.path().join("a2.ddbundle");
    let ba = dir.path().join("b1.ddbundle");
    sync::export_to(&mut a.store, &ab).unwrap();
    sync::export_to(&mut b, &ba).unwrap();
    sync::import_file(&mut a.store, &ba, false).unwrap();
    sync::import_file(&mut b, &ab, false).unwrap();
    let ca = a.store.conflicts().unwrap();
    let cb = b.conflicts().unwrap();
    assert_eq!(ca.len(), 1, "{ca:?}");
    assert_eq!(ca[0].kind, "hazard");
    assert_eq!(ca[0].events.len(), 2);
    assert_eq!(ca[0].key, cb[0].key);
    assert_eq!(a.store.hazard(&id).unwrap(), b.hazard(&id).unwrap());
    // The duty leader decides for the failure: it stands on both.
    let fail = ca[0]
        .events
        .iter()
        .find(|e| e.body.contains("空开型号不对"))
        .unwrap()
        .id
        .clone();
    a.store
        .resolve_conflict(&a.leader, &ca[0].key, &fail, "现场复核")
        .unwrap();
    assert_eq!(
        a.store.hazard(&id).unwrap().unwrap().status,
        Status::Assigned
    );
    let ab = dir.path().join("a3.ddbundle");
    sync::export_to(&mut a.store, &ab).unwrap();
    sync::import_file(&mut b, &ab, false).unwrap();
    assert_eq!(b.hazard(&id).unwrap().unwrap().status, Status::Assigned);
    assert_eq!(
        dump(a.store.conn())
            .unwrap()
            .iter()
            .filter(|l| l.starts_with("hazards:"))
            .collect::<Vec<_>>(),
        dump(b.conn())
            .unwrap()
            .iter()
            .filter(|l| l.starts_with("hazards:"))
            .collect::<Vec<_>>()
    );
}

/// The status bar's counts read the open hazards' partial index, and agree
/// with the domain's overdue rule over every hazard at any instant.
#[test]
fn status_bar_counts_use_the_open_index_and_match_a_full_scan() {
    use dutydesk::demo::{self, Scale};
    use dutydesk::domain::hazard::is_overdue;
    let clock = FixedClock::new(T0);
    let mut store = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    demo::generate(&mut store, &clock, Scale::Small, 42, T0).unwrap();
    let plan: Vec<String> = store
        .conn()
        .prepare(
            "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM hazards INDEXED BY hazards_open WHERE status <> 'closed'",
        )
        .unwrap()
        .query_map([], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(plan.iter().any(|p| p.contains("hazards_open")), "{plan:?}");
    let all = store
        .hazards(
            &HazardFilter {
                limit: 10_000,
                ..HazardFilter::default()
            },
            T0,
        )
        .unwrap();
    assert!(all.len() >= 6);
    for at in [
        T0 - 7 * 24 * H,
        T0 - 24 * H,
        T0,
        T0 + 24 * H,
        T0 + 30 * 24 * H,
    ] {
        let overdue = all
            .iter()
            .filter(|v| is_overdue(v.status, v.deadline_ms, at))
            .count() as i64;
        let serious = all
            .iter()
            .filter(|v| v.status != Status::Closed && v.severity == Some(Severity::Serious))
            .count() as i64;
        assert_eq!(
            store.hazard_alerts(at).unwrap(),
            (overdue, serious),
            "at {at}"
        );
    }
}

/// The ledger reads open and closed hazards apart (so no key sorts the
/// year); together they must keep the one order: open serious or overdue
/// first, then open by severity and newest, then closed by severity and
/// newest — and a limit cuts that order, never a part of it.
#[test]
fn ledger_order_holds_across_open_and_closed_and_limits() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(&dir.path().join("a.db"));
    let (g, l1, l2) = (d.guard.clone(), d.leader.clone(), d.leader2.clone());
    let sevs = [Severity::General, Severity::Major, Severity::Serious];
    let mut ids = vec![];
    for i in 0..18 {
        let id = d
            .store
            .report_hazard(
                &g,
                &draft(&format!("{i}号楼"), sevs[i % 3], Category::Fire),
                None,
                &[],
            )
            .unwrap();
        // Every other hazard goes round the whole loop and is closed.
        if i % 2 == 0 {
            d.store
                .assign_hazard(&l1, &id, "后勤", T0 + 400 * H, "")
                .unwrap();
            d.store.rectify_hazard(&l1, &id, "修好", "", None).unwrap();
            d.store.verify_hazard(&l2, &id, true, "").unwrap();
            d.store.close_hazard(&l2, &id, "").unwrap();
        }
        ids.push(id);
        d.clock.advance_min(7);
    }
    // Two days on: the open 较大 (3 days) are not overdue, the 重大 are.
    let now = d.store.now_ms() + 48 * H;
    let all = d.store.hazards(&HazardFilter::default(), now).unwrap();
    assert_eq!(all.len(), 18);
    let key = |v: &dutydesk::domain::hazard::HazardView| {
        let open = v.status != Status::Closed;
        let urgent = open && (v.severity == Some(Severity::Serious) || v.deadline_ms < now);
        let sev = match v.severity {
            Some(Severity::Serious) => 2,
            Some(Severity::Major) => 1,
            _ => 0,
        };
        (!urgent, !open, -sev, -v.found_ms, v.id.clone())
    };
    let mut want = all.clone();
    want.sort_by_key(key);
    let got: Vec<&str> = all.iter().map(|v| v.id.as_str()).collect();
    let want: Vec<&str> = want.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(got, want);
    assert!(all[..9].iter().all(|v| v.status != Status::Closed));
    for limit in [1, 5, 9, 10, 17] {
        let f = HazardFilter {
            limit,
            ..HazardFilter::default()
        };
        let cut: Vec<String> = d
            .store
            .hazards(&f, now)
            .unwrap()
            .into_iter()
            .map(|v| v.id)
            .collect();
        assert_eq!(cut, want[..limit], "limit {limit}");
    }
    // The closed view is the closed part alone, in the same order, and a
    // text search applies to both parts.
    let closed: Vec<String> = d
        .store
        .hazards(
            &HazardFilter {
                status: Some(Status::Closed),
                ..HazardFilter::default()
            },
            now,
        )
        .unwrap()
        .into_iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(closed, want[9..]);
    let one: Vec<String> = d
        .store
        .hazards(
            &HazardFilter {
                text: "12号楼".into(),
                ..HazardFilter::default()
            },
            now,
        )
        .unwrap()
        .into_iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(one, vec![ids[12].clone()]);
}
