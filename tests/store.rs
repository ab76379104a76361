//! The station database through the library: durability, rebuild from the
//! log, the hash chain, migrations, and the domain rules as the store
//! enforces them (nothing written when a command is refused).

use assert_cmd::Command;
use dutydesk::demo::{self, Scale};
use dutydesk::domain::error::DomainError;
use dutydesk::domain::event::StationKind;
use dutydesk::domain::role::{Actor, Permission, Role};
use dutydesk::domain::time::{Clock, FixedClock};
use dutydesk::domain::validate::{FieldError, check_resident_id};
use dutydesk::domain::visit::{Decision, VisitForm, VisitStatus};
use dutydesk::domain::watchlist::WatchForm;
use dutydesk::store::log::{self, ChainFault, EventRecord};
use dutydesk::store::migrate::{self, LATEST, MIGRATIONS};
use dutydesk::store::project::{self, TABLES, dump, rebuild};
use dutydesk::store::visits::{HistoryFilter, Page, RegisterOutcome};
use dutydesk::store::{Store, StoreError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// 2026-03-10 10:00 at +08:00.
const T0: i64 = 1_773_108_000_000;
const ADMIN: &str = "陈老师";
const ADMIN_PIN: &str = "9999";
const PHONE: &str = "13800138000";

fn open(path: &Path, clock: &FixedClock) -> Store {
    match Store::open(path, Arc::new(clock.clone())) {
        Ok(s) => s,
        Err(e) => panic!("open {}: {e}", path.display()),
    }
}

fn memory(clock: &FixedClock) -> Store {
    match Store::open_in_memory(Arc::new(clock.clone())) {
        Ok(s) => s,
        Err(e) => panic!("open in memory: {e}"),
    }
}

fn set_up(store: &mut Store) -> Actor {
    store
        .setup(
            "青山县第一中学",
            "南门门卫室",
            StationKind::Gate,
            480,
            ADMIN,
            ADMIN_PIN,
        )
        .expect("setup")
}

/// A valid 18-character resident ID from its first 17 digits.
fn resident_id(stem: &str) -> String {
    match check_resident_id(&format!("{stem}0")) {
        Ok(v) => v,
        Err(FieldError::IdCheckDigit { expected }) => format!("{stem}{expected}"),
        Err(e) => panic!("bad stem {stem}: {e:?}"),
    }
}

fn form(name: &str, id_no: &str, purpose: &str) -> VisitForm {
    VisitForm {
        name: name.into(),
        id_no: id_no.into(),
        purpose: purpose.into(),
        ..VisitForm::default()
    }
}

fn register(store: &mut Store, actor: &Actor, f: &VisitForm) -> String {
    match store.register_visit(actor, f, None).expect("register") {
        RegisterOutcome::Registered(id) => id,
        other => panic!("expected Registered, got {other:?}"),
    }
}

fn event_count(store: &Store) -> i64 {
    store
        .conn()
        .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
        .unwrap()
}

fn events(store: &Store) -> Vec<EventRecord> {
    let mut v = Vec::new();
    log::for_each(store.conn(), |e| {
        v.push(e);
        Ok(())
    })
    .unwrap();
    v
}

fn user_version(conn: &rusqlite::Connection) -> i64 {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

fn table_exists(conn: &rusqlite::Connection, name: &str) -> bool {
    conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
        [name],
        |r| r.get(0),
    )
    .unwrap()
}

fn rows_in(conn: &rusqlite::Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn domain_err<T>(r: Result<T, StoreError>) -> DomainError {
    match r {
        Err(StoreError::Domain(d)) => d,
        Err(e) => panic!("expected a domain error, got {e:?}"),
        Ok(_) => panic!("expected a domain error, got Ok"),
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The roster and a night: boarders (one later moved, one updated, one who
/// left), a roll-call with an absence followed up, sick, leave, the gate,
/// an imported roster file.
fn fill_boarders(store: &mut Store, clock: &FixedClock, admin: &Actor, guard: &Actor) {
    use dutydesk::domain::rollcall::{Mark, RoundKind};
    use dutydesk::domain::roster::{BedRef, Gender, Guardian, StudentData, Zone};
    let teacher = store
        .add_operator(admin, "李秀英", Role::DormTeacher, "2222")
        .expect("teacher");
    let data = |name: &str| StudentData {
        student_no: None,
        name: name.into(),
        gender: Some(Gender::Female),
        class: "初一(2)班".into(),
        head_teacher: "周老师".into(),
        guardians: vec![Guardian {
            name: format!("{name}妈妈"),
            relation: "母亲".into(),
            phone: Some(PHONE.into()),
            may_pick_up: true,
        }],
        left_behind: true,
        care_notes: String::new(),
    };
    let bed = |b: &str| BedRef {
        building: "女生宿舍".into(),
        floor: 2,
        room: "201".into(),
        bed: b.into(),
    };
    let ids: Vec<String> = ["刘一", "刘二", "刘三", "刘四"]
        .iter()
        .enumerate()
        .map(|(i, n)| {
            store
                .enroll_student(
                    admin,
                    data(n),
                    Some(bed(&(i + 1).to_string())),
                    Some(Zone::Girls),
                )
                .expect("enroll")
        })
        .collect();
    store
        .move_student(admin, &ids[3], Some(bed("6")), Zone::Girls)
        .expect("move");
    let mut changed = data("刘二");
    changed.care_notes = "花生过敏".into();
    store
        .update_student(admin, &ids[1], changed)
        .expect("update");
    clock.advance_min(10);
    let now = clock.now_ms();
    store
        .grant_leave(
            &teacher,
            &ids[0],
            now,
            now + 86_400_000,
            "看病",
            "周老师",
            "家",
        )
        .expect("leave");
    store
        .gate_depart(guard, &ids[1], "刘二妈妈", "母亲", "", None, "", None)
        .expect("gate");
    clock.advance_min(10);
    let round = store
        .start_round(&teacher, RoundKind::LightsOut, "女生宿舍")
        .expect("round");
    store
        .mark(&teacher, &round, &ids[2], Mark::Absent, None, "")
        .expect("absent");
    store
        .mark_many(&teacher, &round, &ids[3..], Mark::Present, None, "")
        .expect("present");
    clock.advance_min(5);
    store
        .record_followup(
            &teacher,
            &round,
            &ids[2],
            "guardian",
            "刘三妈妈",
            "在同学家",
            Some(now),
        )
        .expect("followup");
    store.close_round(&teacher, &round, None).expect("close");
    let sick = store
        .record_sick(&teacher, &ids[3], "咳嗽", "37.8", "", "", false, true)
        .expect("sick");
    store
        .sick_followup(&teacher, &sick, "好转", "", false)
        .expect("sick note");
    let roster = dutydesk::import::roster::parse_file(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/roster/utf8.csv"),
    )
    .expect("fixture");
    store
        .import_roster(admin, "utf8.csv", &roster, false, false)
        .expect("import");
    store.student_left(admin, &ids[2], "转学").expect("left");
}

/// A hazard through its whole loop: reported, assigned, rectified, verified, closed.
fn fill_hazard(store: &mut Store, clock: &FixedClock, admin: &Actor, guard: &Actor) {
    use dutydesk::domain::hazard::{Category, HazardDraft, Severity};
    let d = HazardDraft {
        place: "锅炉房".into(),
        category: Some(Category::Gas),
        severity: Some(Severity::Serious),
        description: "燃气管道接口漏气".into(),
        containment: "关闭总阀".into(),
        ..HazardDraft::default()
    };
    let id = store.report_hazard(guard, &d, None, &[]).expect("report");
    clock.advance_min(5);
    let due = store.now_ms() + 3_600_000;
    store
        .assign_hazard(admin, &id, "后勤处", due, "")
        .expect("assign");
    store
        .rectify_hazard(guard, &id, "更换接口", "", None)
        .expect("rectify");
    store.verify_hazard(admin, &id, true, "").expect("verify");
    store.close_hazard(admin, &id, "").expect("close");
}

/// A station with an admin, a guard and a mix of every kind of record.
struct Filled {
    admin: Actor,
    guard: Actor,
    out_visit: String,
    corrected_visit: String,
    on_site_visit: String,
    watch_id: String,
}

fn fill(store: &mut Store, clock: &FixedClock) -> Filled {
    let admin = set_up(store);
    let guard = store
        .add_operator(&admin, "张建国", Role::Guard, "1111")
        .expect("add guard");
    // A visit whose personal data is purged (the purge reads "now" as half
    // a year on; every other visit is still open then).
    clock.advance_min(1);
    let mut gone = form("钱多多", "", "送饭");
    gone.phone = "13511112222".into();
    let gone = register(store, &guard, &gone);
    clock.advance_min(1);
    store.sign_out(&guard, &gone).expect("sign out");
    clock.advance_min(1);
    let half_year = clock.now_ms() + 180 * 24 * 3_600_000;
    let purged = store
        .purge_personal(&admin, half_year, &mut |_, _| true)
        .expect("purge");
    assert_eq!(purged.visits, 1);
    clock.advance_min(2);
    let mut f1 = form("王芳", &resident_id("43052119800101123"), "送衣物");
    f1.phone = PHONE.into();
    let out_visit = register(store, &guard, &f1);
    clock.advance_min(3);
    let corrected_visit = register(store, &guard, &form("李强", "", "维修水管"));
    clock.advance_min(2);
    let on_site_visit = register(store, &guard, &form("赵敏", "", "家长会"));
    clock.advance_min(20);
    store.sign_out(&guard, &out_visit).expect("sign out");
    let mut fixed = form("李强", "", "维修宿舍水管");
    fixed.org = "县水电公司".into();
    store
        .correct_visit(&guard, &corrected_visit, &fixed, "事由写错")
        .expect("correct");
    let watch_id = store
        .add_watch(
            &admin,
            &WatchForm {
                name: "孙某".into(),
                id_no: resident_id("51010419750505321"),
                reason: "法院人身安全保护令".into(),
                ..WatchForm::default()
            },
        )
        .expect("add watch");
    store
        .set_setting(&admin, "lock_minutes", 15)
        .expect("setting");
    store.login(&guard.id, "1111").expect("login");
    fill_boarders(store, clock, &admin, &guard);
    fill_hazard(store, clock, &admin, &guard);
    patrol_events(store, &admin, &guard);
    shift_log_events(store, &admin, &guard);
    duty_events(store, &admin, &guard);
    Filled {
        admin,
        guard,
        out_visit,
        corrected_visit,
        on_site_visit,
        watch_id,
    }
}

// ---------------------------------------------------------------- 1. durability

#[test]
fn every_confirmed_record_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("station.db");
    let clock = FixedClock::new(T0);
    let mut store = open(&path, &clock);
    let f = fill(&mut store, &clock);
    let before = dump(store.conn()).unwrap();
    let n_events = event_count(&store);
    // Every projection got something, so the comparison below covers them all.
    // Conflicts, decisions on them and retired stations only arise between
    // stations; the sync tests cover them.
    for t in TABLES
        .iter()
        .filter(|t| !["conflicts", "resolutions", "retired_stations"].contains(t))
    {
        assert!(
            rows_in(store.conn(), t) > 0,
            "{t} is empty before reopening"
        );
    }

    // A second connection sees every committed record while the first is
    // still open: nothing is waiting in a buffer.
    let other = open(&path, &FixedClock::new(T0));
    assert_eq!(dump(other.conn()).unwrap(), before);
    drop(other);
    drop(store);

    let mut store = open(&path, &FixedClock::new(T0 + 86_400_000));
    assert_eq!(dump(store.conn()).unwrap(), before);
    assert_eq!(event_count(&store), n_events);
    assert_eq!(log::verify(store.conn()).unwrap(), Ok(n_events as u64));

    let st = store.station().expect("station after reopen");
    assert_eq!(st.school, "青山县第一中学");
    assert_eq!(st.kind, StationKind::Gate);
    let out = store
        .visit(&f.out_visit)
        .unwrap()
        .expect("signed-out visit");
    assert_eq!(out.status, VisitStatus::Out);
    assert_eq!(out.time_out, Some(T0 + 30 * 60_000));
    assert_eq!(out.signed_out_by.as_deref(), Some(f.guard.id.as_str()));
    let corrected = store
        .visit(&f.corrected_visit)
        .unwrap()
        .expect("corrected visit");
    assert_eq!(corrected.details.purpose, "维修宿舍水管");
    assert_eq!(corrected.corrections, 1);
    assert_eq!(store.visit_changes(&f.corrected_visit).unwrap().len(), 1);
    let on_site: Vec<_> = store.on_site().unwrap().into_iter().map(|v| v.id).collect();
    assert_eq!(
        on_site,
        vec![f.corrected_visit.clone(), f.on_site_visit.clone()]
    );
    let watch = store.watch_entries(true).unwrap();
    assert_eq!(watch.len(), 1);
    assert_eq!(watch[0].id, f.watch_id);
    assert_eq!(watch[0].data.reason, "法院人身安全保护令");
    assert_eq!(store.setting("lock_minutes"), 15);
    let guard = store
        .verify_pin(&f.guard.id, "1111")
        .expect("guard PIN after reopen");
    assert_eq!(guard.role, Role::Guard);
    assert_eq!(guard.last_login_ms, Some(T0 + 30 * 60_000));
    assert!(store.verify_pin(&f.admin.id, ADMIN_PIN).is_ok());
}

// ------------------------------------------------------ 2. rebuild == incremental

#[test]
fn projections_rebuilt_from_the_log_equal_the_incremental_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let clock = FixedClock::new(T0);
    let mut store = open(&path, &clock);
    let stats = demo::generate(&mut store, &clock, Scale::Small, 7, T0).expect("demo data");
    assert!(
        stats.visits > 300,
        "small demo made only {} visits",
        stats.visits
    );

    // Make sure every kind of event is present, whatever the seed produced.
    let admin = store
        .find_operator_by_name(ADMIN)
        .unwrap()
        .expect("demo admin")
        .actor();
    let guard = store
        .find_operator_by_name("张建国")
        .unwrap()
        .expect("demo guard")
        .actor();
    let visit = store.on_site().unwrap().pop().expect("someone on site");
    let mut f = VisitForm::from_details(&visit.details);
    f.notes = "补登车牌".into();
    store
        .correct_visit(&guard, &visit.id, &f, "漏填备注")
        .unwrap();
    let watch = store
        .watch_entries(true)
        .unwrap()
        .pop()
        .expect("demo watch entry");
    store.remove_watch(&admin, &watch.id, "保护令到期").unwrap();
    store
        .set_setting(&admin, "expected_minutes.parent", 90)
        .unwrap();
    store
        .change_operator(&admin, &guard.id, Role::Guard, false)
        .unwrap();
    store.login(&admin.id, ADMIN_PIN).unwrap();
    let roster = dutydesk::import::roster::parse_file(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/roster/utf8.csv"),
    )
    .unwrap();
    store
        .import_roster(&admin, "utf8.csv", &roster, false, false)
        .unwrap();
    fill_hazard(&mut store, &clock, &admin, &guard);
    patrol_events(&mut store, &admin, &guard);
    shift_log_events(&mut store, &admin, &guard);
    duty_events(&mut store, &admin, &guard);
    // Half a year on, the visits that have ended are purged.
    let later = dutydesk::domain::time::Clock::now_ms(&clock) + 200 * 24 * 3_600_000;
    let purged = store
        .purge_personal(&admin, later, &mut |_, _| true)
        .unwrap();
    assert!(purged.visits > 10, "{purged:?}");
    // Conflicts, decisions on them and retired stations only arise between
    // stations; the sync tests cover them.
    for t in TABLES
        .iter()
        .filter(|t| !["conflicts", "resolutions", "retired_stations"].contains(t))
    {
        assert!(
            rows_in(store.conn(), t) > 0,
            "{t} is empty: the comparison would not cover it"
        );
    }
    let denied: i64 = store
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM visits WHERE status = 'denied'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(denied >= 1);

    let incremental = dump(store.conn()).unwrap();

    // Damage the projections so a rebuild that did nothing would be caught.
    store
        .conn()
        .execute_batch(
            "DELETE FROM persons; DELETE FROM visit_changes;
             UPDATE visits SET status = 'on_site', time_out = NULL;
             UPDATE operators SET active = 1; DELETE FROM settings;",
        )
        .unwrap();
    assert_ne!(dump(store.conn()).unwrap(), incremental);

    store.batch(|s| rebuild(s.conn())).expect("rebuild");
    let rebuilt = dump(store.conn()).unwrap();
    assert_eq!(rebuilt.len(), incremental.len());
    for (a, b) in rebuilt.iter().zip(&incremental) {
        assert_eq!(a, b, "first differing projection row");
    }
    assert_eq!(rebuilt, incremental);
    drop(store);

    // …and the rebuilt state is what a fresh open reads back.
    let store = open(&path, &clock);
    assert_eq!(dump(store.conn()).unwrap(), incremental);
}

/// A shift-log entry closed and corrected, one left open.
fn shift_log_events(store: &mut Store, admin: &Actor, guard: &Actor) {
    use dutydesk::domain::shift_log::{Category, LogDraft};
    let d = LogDraft {
        category: Some(Category::Incident),
        what: "两名学生在宿舍争吵".into(),
        reported_to: "王校长".into(),
        needs_followup: true,
        ..LogDraft::default()
    };
    let id = store.log_entry(guard, &d).expect("log entry");
    store.close_log_entry(guard, &id, "已调解").expect("close");
    let mut d2 = d.clone();
    d2.action_taken = "分开安置".into();
    store
        .correct_log_entry(admin, &id, &d2, Some("已调解，通知家长"), "补记")
        .expect("correct");
    store.log_entry(guard, &d).expect("open entry");
}

/// A checkpoint, a route with a person named, a round with a finding.
/// Shift times, a roster line, one changed and one removed.
fn duty_events(store: &mut Store, admin: &Actor, guard: &Actor) {
    use dutydesk::domain::duty::{DutyPerson, DutyPlan};
    use dutydesk::domain::shift::{ShiftId, default_shifts};
    let st = store.station().unwrap().id.clone();
    store
        .set_shift_defs(admin, &st, default_shifts(), 15)
        .unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
    for (shift, who) in [("day", "张建国"), ("night", "值夜老师")] {
        let plan = DutyPlan {
            shift: ShiftId::new(&st, date, shift),
            people: vec![DutyPerson::operator(&guard.id, who)],
            leader: Some(DutyPerson::named("王副校长")),
            posts: vec![],
            note: String::new(),
        };
        store.plan_duty(admin, plan).unwrap();
    }
    store
        .remove_duty(admin, &ShiftId::new(&st, date, "night"))
        .unwrap();
    // This shift signed over by the night teacher, accepted and countersigned by the admin.
    use dutydesk::domain::handover::Section;
    let now = store.now_ms();
    let shift = store.current_shift(now).unwrap().unwrap();
    let night = store
        .add_operator(admin, "值夜老师甲", Role::DormTeacher, "3131")
        .unwrap();
    store
        .sign_handover(&night, "3131", &shift, "留意锅炉房", now)
        .unwrap();
    store
        .accept_handover(admin, ADMIN_PIN, &shift, &Section::ALL, vec![])
        .unwrap();
    store
        .countersign_handover(admin, ADMIN_PIN, &shift, "")
        .unwrap();
}

fn patrol_events(store: &mut Store, admin: &Actor, guard: &Actor) {
    use dutydesk::domain::patrol::*;
    let cp = store
        .set_checkpoint(
            admin,
            None,
            &CheckpointData {
                name: "锅炉房".into(),
                place: "后勤楼".into(),
                code: "B1-01".into(),
                checklist: vec!["门已上锁".into()],
                active: true,
            },
        )
        .unwrap();
    let route = store
        .set_route(
            admin,
            None,
            &RouteData {
                name: "夜间巡查".into(),
                checkpoints: vec![cp.clone()],
                order: RouteOrder::Ordered,
                schedule: Schedule::parse("22:00").unwrap(),
                min_walk_min: 1,
                window_min: 60,
                late_min: 15,
                named_person: true,
                active: true,
            },
        )
        .unwrap();
    let guard = Actor {
        role: Role::Guard,
        ..guard.clone()
    };
    let night = store.patrol_night(store.now_ms()).unwrap().night;
    store.assign_route(admin, &route, &night, "张建国").unwrap();
    let round = store.start_patrol(&guard, &route, None).unwrap();
    store
        .check_in(
            &guard,
            &round,
            &cp,
            &Outcome::Finding {
                failed: vec!["门已上锁".into()],
                note: "门没锁".into(),
            },
            None,
            Method::Picked,
        )
        .unwrap();
    store.close_patrol(&guard, &round, "").unwrap();
}

// ------------------------------------------------------------- 3. hash chain

fn small_station(path: &Path) -> (String, i64) {
    let clock = FixedClock::new(T0);
    let mut store = open(path, &clock);
    let admin = set_up(&mut store);
    for (i, name) in ["王芳", "李强", "赵敏", "周杰", "吴娟"].iter().enumerate() {
        clock.advance_min(7);
        let mut f = form(name, "", "送衣物");
        f.phone = format!("1380013800{i}");
        register(&mut store, &admin, &f);
    }
    let origin = store.station().unwrap().id.clone();
    let n = event_count(&store);
    assert_eq!(log::verify(store.conn()).unwrap(), Ok(n as u64));
    (origin, n)
}

fn run_check(path: &Path) -> std::process::Output {
    Command::cargo_bin("dutydesk")
        .unwrap()
        .args(["--lang", "en", "check", "--db"])
        .arg(path)
        .output()
        .unwrap()
}

#[test]
fn hash_chain_verifies_and_detects_an_altered_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain.db");
    let (origin, n) = small_station(&path);
    let store = open(&path, &FixedClock::new(T0));
    assert_eq!(log::verify(store.conn()).unwrap(), Ok(n as u64));
    let ok = run_check(&path);
    assert!(ok.status.success(), "check on an intact log failed: {ok:?}");

    // Change one digit of one phone number inside a middle event's body.
    let seq = n / 2;
    let body: String = store
        .conn()
        .query_row(
            "SELECT body FROM events WHERE origin = ?1 AND seq = ?2 AND kind = 'visit.registered'",
            (&origin, seq),
            |r| r.get(0),
        )
        .expect("a visit in the middle of the chain");
    let i = body.find("1380013800").expect("phone in body") + 10;
    let mut bytes = body.clone().into_bytes();
    bytes[i] = if bytes[i] == b'9' { b'8' } else { b'9' };
    let altered = String::from_utf8(bytes).unwrap();
    assert_eq!(altered.len(), body.len());
    assert_eq!(
        altered
            .bytes()
            .zip(body.bytes())
            .filter(|(a, b)| a != b)
            .count(),
        1
    );
    let changed = store
        .conn()
        .execute(
            "UPDATE events SET body = ?1 WHERE origin = ?2 AND seq = ?3",
            (&altered, &origin, seq),
        )
        .unwrap();
    assert_eq!(changed, 1);
    assert_eq!(
        log::verify(store.conn()).unwrap(),
        Err(ChainFault::BadHash {
            origin: origin.clone(),
            seq
        })
    );
    drop(store);
    let out = run_check(&path);
    assert!(!out.status.success(), "check accepted an altered event");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "stderr: {err}");
    assert!(err.contains("BadHash"), "stderr: {err}");
}

#[test]
fn hash_chain_detects_a_deleted_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gap.db");
    let (origin, n) = small_station(&path);
    let store = open(&path, &FixedClock::new(T0));
    let seq = n / 2;
    let deleted = store
        .conn()
        .execute(
            "DELETE FROM events WHERE origin = ?1 AND seq = ?2",
            (&origin, seq),
        )
        .unwrap();
    assert_eq!(deleted, 1);
    assert_eq!(
        log::verify(store.conn()).unwrap(),
        Err(ChainFault::Gap {
            origin: origin.clone(),
            expected: seq,
            found: seq + 1
        })
    );
    drop(store);
    let out = run_check(&path);
    assert!(!out.status.success(), "check accepted a log with a gap");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "stderr: {err}");
    assert!(
        err.starts_with("dutydesk: ") && err.contains("Gap"),
        "stderr: {err}"
    );
}

// -------------------------------------------------------------- 4. migrations

#[test]
fn migrates_an_empty_file_to_latest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    std::fs::File::create(&path).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
    let store = open(&path, &FixedClock::new(T0));
    assert_eq!(LATEST, MIGRATIONS.len() as i64);
    assert_eq!(user_version(store.conn()), LATEST);
    assert_eq!(migrate::version(store.conn()).unwrap(), LATEST);
    for t in TABLES.iter().chain(&["events", "meta"]) {
        assert!(table_exists(store.conn(), t), "table {t} missing");
    }
    assert!(store.station().is_none());
    // Nothing existed to lose, so nothing was backed up.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains(".bak")), "{names:?}");
}

#[test]
fn migrates_a_version_1_file_rebuilding_visits_from_the_log() {
    // The events a version-1 station would hold, taken from a current store.
    let clock = FixedClock::new(T0);
    let mut src = memory(&clock);
    let filled = fill(&mut src, &clock);
    let denied_form = {
        let mut f = form("孙某", &resident_id("51010419750505321"), "看望孩子");
        f.phone = "13912345678".into();
        f
    };
    let denied = match src
        .register_visit(
            &filled.guard,
            &denied_form,
            Some((Decision::Deny, "已劝离".into())),
        )
        .unwrap()
    {
        RegisterOutcome::Denied(id) => id,
        other => panic!("expected Denied, got {other:?}"),
    };
    let station_id = src.station().unwrap().id.clone();
    let recs = events(&src);
    let expected = dump(src.conn()).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        assert_eq!(migrate::migrate_to(&mut conn, 1).unwrap(), 0);
        assert_eq!(user_version(&conn), 1);
        assert!(table_exists(&conn, "events"));
        assert!(!table_exists(&conn, "visits"));
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('station_id', ?1)",
            [&station_id],
        )
        .unwrap();
        // Today's operator projection writes the PIN-throttling columns of
        // schema 17: lend them while projecting, then take them away.
        const LENT: [&str; 3] = ["pin_failures", "pin_lockouts", "locked_until_ms"];
        for c in LENT {
            conn.execute_batch(&format!("ALTER TABLE operators ADD COLUMN {c} INTEGER"))
                .unwrap();
        }
        for rec in &recs {
            log::insert(&conn, rec).unwrap();
            // Version 1 kept its own projections (station, operators, settings).
            if ["station.", "operator.", "setting."]
                .iter()
                .any(|k| rec.kind.starts_with(k))
            {
                let ev = dutydesk::domain::event::Event::parse(&rec.kind, &rec.body)
                    .expect("known kind")
                    .expect("valid body");
                // Its operators table only: sign-ons came with schema 14.
                match rec.entity.strip_prefix("operator:") {
                    Some(id) => {
                        let evs = project::entity_events(&conn, &rec.entity).unwrap();
                        dutydesk::store::project_people::operator(&conn, id, &evs).unwrap();
                    }
                    None => project::apply(&conn, rec, &ev).unwrap(),
                }
            }
        }
        for c in LENT {
            conn.execute_batch(&format!("ALTER TABLE operators DROP COLUMN {c}"))
                .unwrap();
        }
    }
    // A backup cut short by an earlier start (the PC switched off while it
    // was written) is not taken for the backup.
    let partial = with_suffix(&path, ".v1.bak.partial");
    std::fs::write(&partial, b"SQLite format 3\0 cut short").unwrap();

    let store = open(&path, &FixedClock::new(T0 + 86_400_000));
    assert!(!partial.exists(), "the partial copy was replaced");
    assert_eq!(user_version(store.conn()), LATEST);
    assert_eq!(store.station().map(|s| s.id.clone()), Some(station_id));
    assert_eq!(dump(store.conn()).unwrap(), expected);
    assert_eq!(log::verify(store.conn()).unwrap(), Ok(recs.len() as u64));
    assert_eq!(
        store.visit(&filled.out_visit).unwrap().unwrap().status,
        VisitStatus::Out
    );
    assert_eq!(
        store.visit(&denied).unwrap().unwrap().status,
        VisitStatus::Denied
    );
    assert_eq!(
        store.visit_changes(&filled.corrected_visit).unwrap().len(),
        1
    );
    assert_eq!(store.watch_entries(true).unwrap().len(), 1);
    let persons = rows_in(store.conn(), "persons");
    assert_eq!(persons, 3, "one suggestion per admitted visitor");
    drop(store);

    // The file as it was before the migration, kept beside it.
    let bak = with_suffix(&path, ".v1.bak");
    assert!(bak.is_file(), "no backup at {}", bak.display());
    let old =
        rusqlite::Connection::open_with_flags(&bak, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    assert_eq!(user_version(&old), 1);
    assert!(!table_exists(&old, "visits"));
    assert_eq!(rows_in(&old, "events"), recs.len() as i64);
}

#[test]
fn refuses_a_database_from_a_newer_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    {
        let mut store = open(&path, &FixedClock::new(T0));
        set_up(&mut store);
        store
            .conn()
            .pragma_update(None, "user_version", LATEST + 1)
            .unwrap();
    }
    match Store::open(&path, Arc::new(FixedClock::new(T0))) {
        Err(StoreError::Refused {
            path: p,
            why: dutydesk::store::open::Refusal::Newer { found, supported },
        }) => {
            assert_eq!(p, path);
            assert_eq!(found, LATEST + 1);
            assert_eq!(supported, LATEST);
        }
        Err(e) => panic!("expected a newer schema refused, got {e:?}"),
        Ok(_) => panic!("a newer database was opened"),
    }
    // Refused means untouched: same version, no backup.
    let conn = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(user_version(&conn), LATEST + 1);
    assert!(!with_suffix(&path, &format!(".v{}.bak", LATEST + 1)).exists());
}

// ------------------------------------------------------------ 5. domain rules

#[test]
fn a_visit_cannot_be_signed_out_twice() {
    let clock = FixedClock::new(T0);
    let mut store = memory(&clock);
    let admin = set_up(&mut store);
    let id = register(&mut store, &admin, &form("王芳", "", "送衣物"));
    clock.advance_min(40);
    store.sign_out(&admin, &id).unwrap();
    let n = event_count(&store);
    let first_out = store.visit(&id).unwrap().unwrap().time_out;
    assert_eq!(first_out, Some(T0 + 40 * 60_000));

    clock.advance_min(10);
    assert_eq!(
        domain_err(store.sign_out(&admin, &id)),
        DomainError::AlreadySignedOut
    );
    assert_eq!(event_count(&store), n);
    assert_eq!(store.visit(&id).unwrap().unwrap().time_out, first_out);
    assert_eq!(
        domain_err(store.sign_out(&admin, "no-such-visit")),
        DomainError::NotFound
    );
    assert_eq!(event_count(&store), n);
}

#[test]
fn a_correction_keeps_both_versions() {
    let clock = FixedClock::new(T0);
    let mut store = memory(&clock);
    let admin = set_up(&mut store);
    let id = register(&mut store, &admin, &form("李强", "", "维修水管"));
    clock.advance_min(5);
    let mut fixed = form("李强", "", "维修宿舍水管");
    fixed.expected_minutes = "240".into();
    store
        .correct_visit(&admin, &id, &fixed, "事由写错")
        .unwrap();

    let changes = store.visit_changes(&id).unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].before.purpose, "维修水管");
    assert_eq!(changes[0].after.purpose, "维修宿舍水管");
    assert_eq!(changes[0].reason, "事由写错");
    assert_eq!(changes[0].by, admin.id);
    assert_eq!(changes[0].at_ms, T0 + 5 * 60_000);
    let row = store.visit(&id).unwrap().unwrap();
    assert_eq!(row.details.purpose, "维修宿舍水管");
    assert_eq!(row.corrections, 1);

    let trail = log::for_entity(store.conn(), &format!("visit:{id}")).unwrap();
    let kinds: Vec<_> = trail.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["visit.registered", "visit.corrected"]);
    assert!(trail[0].body.contains("维修水管"));
    assert!(trail[1].body.contains("维修宿舍水管"));

    // Unchanged or unexplained corrections are refused and write nothing.
    let n = event_count(&store);
    assert_eq!(
        domain_err(store.correct_visit(&admin, &id, &fixed, "再改")),
        DomainError::NothingChanged
    );
    assert_eq!(
        domain_err(store.correct_visit(&admin, &id, &form("李强", "", "x"), "  ")),
        DomainError::ReasonRequired
    );
    assert_eq!(event_count(&store), n);
}

#[test]
fn a_guard_cannot_edit_the_watchlist() {
    let clock = FixedClock::new(T0);
    let mut store = memory(&clock);
    let admin = set_up(&mut store);
    let guard = store
        .add_operator(&admin, "张建国", Role::Guard, "1111")
        .unwrap();
    let entry = WatchForm {
        name: "孙某".into(),
        id_no: resident_id("51010419750505321"),
        reason: "法院禁止令".into(),
        ..WatchForm::default()
    };
    let n = event_count(&store);
    assert_eq!(
        domain_err(store.add_watch(&guard, &entry)),
        DomainError::Forbidden(Permission::ManageWatchlist)
    );
    assert_eq!(event_count(&store), n);
    assert!(store.watch_entries(false).unwrap().is_empty());

    let id = store.add_watch(&admin, &entry).unwrap();
    let n = event_count(&store);
    assert_eq!(
        domain_err(store.remove_watch(&guard, &id, "不是他")),
        DomainError::Forbidden(Permission::ManageWatchlist)
    );
    assert_eq!(event_count(&store), n);
    assert_eq!(store.watch_entries(true).unwrap().len(), 1);
}

#[test]
fn a_watchlist_match_asks_first_and_deny_is_kept_in_history() {
    let clock = FixedClock::new(T0);
    let mut store = memory(&clock);
    let admin = set_up(&mut store);
    let listed_id = resident_id("51010419750505321");
    let entry = store
        .add_watch(
            &admin,
            &WatchForm {
                name: "孙某".into(),
                id_no: listed_id.clone(),
                reason: "法院禁止令".into(),
                ..WatchForm::default()
            },
        )
        .unwrap();
    clock.advance_min(10);
    let f = form("孙某", &listed_id, "看望孩子");
    let n = event_count(&store);
    match store.register_visit(&admin, &f, None).unwrap() {
        RegisterOutcome::NeedsDecision(hits) => {
            assert_eq!(hits.len(), 1);
            assert_eq!(hits[0].entry_id, entry);
            assert_eq!(hits[0].listed_for, "法院禁止令");
        }
        other => panic!("expected NeedsDecision, got {other:?}"),
    }
    assert_eq!(event_count(&store), n);
    assert_eq!(store.visit_count().unwrap(), 0);

    let denied = match store
        .register_visit(&admin, &f, Some((Decision::Deny, "已劝离".into())))
        .unwrap()
    {
        RegisterOutcome::Denied(id) => id,
        other => panic!("expected Denied, got {other:?}"),
    };
    assert_eq!(event_count(&store), n + 1);
    let row = store.visit(&denied).unwrap().unwrap();
    assert_eq!(row.status, VisitStatus::Denied);
    let watch = row.watch.expect("watch check recorded");
    assert_eq!(watch.decision, Decision::Deny);
    assert_eq!(watch.note, "已劝离");
    assert!(store.on_site().unwrap().is_empty());
    assert_eq!(
        domain_err(store.sign_out(&admin, &denied)),
        DomainError::NotOnSite
    );

    // Later visits do not push it out of the history.
    for (i, name) in ["王芳", "李强", "赵敏"].iter().enumerate() {
        clock.advance_min(5);
        let id = register(&mut store, &admin, &form(name, "", "送衣物"));
        if i == 0 {
            clock.advance_min(1);
            store.sign_out(&admin, &id).unwrap();
        }
    }
    let all = store
        .history_page(&HistoryFilter::All, None, Page::Older, 50)
        .unwrap();
    assert_eq!(all.len(), 4);
    assert!(
        all.iter()
            .any(|v| v.id == denied && v.status == VisitStatus::Denied)
    );
    let found = store
        .history_page(&HistoryFilter::Text("孙某".into()), None, Page::Older, 50)
        .unwrap();
    assert_eq!(found.iter().map(|v| &v.id).collect::<Vec<_>>(), [&denied]);
}

#[test]
fn a_failed_validation_writes_nothing() {
    let clock = FixedClock::new(T0);
    let mut store = memory(&clock);
    let admin = set_up(&mut store);
    let n = event_count(&store);
    let bad = VisitForm {
        name: "".into(),
        phone: "12345".into(),
        id_no: "110105194912310021".into(),
        ..VisitForm::default()
    };
    let DomainError::Invalid(errs) = domain_err(store.register_visit(&admin, &bad, None)) else {
        panic!("expected Invalid")
    };
    let fields: Vec<_> = errs.iter().map(|(f, _)| *f).collect();
    for want in ["name", "id_no", "phone", "purpose"] {
        assert!(fields.contains(&want), "{want} not reported in {fields:?}");
    }
    // A time in the future is a validation error too.
    let mut late = form("王芳", "", "送衣物");
    late.time_in = "23:59".into();
    late.time_in_reason = "补登".into();
    assert!(matches!(
        domain_err(store.register_visit(&admin, &late, None)),
        DomainError::Invalid(_)
    ));
    assert_eq!(event_count(&store), n);
    assert_eq!(store.visit_count().unwrap(), 0);
    assert_eq!(rows_in(store.conn(), "persons"), 0);
}

// ------------------------------------------------------------------- 6. login

#[test]
fn login_checks_the_pin_and_records_the_login() {
    let clock = FixedClock::new(T0);
    let mut store = memory(&clock);
    let admin = set_up(&mut store);
    let guard = store
        .add_operator(&admin, "张建国", Role::Guard, "1111")
        .unwrap();
    let n = event_count(&store);
    assert_eq!(
        domain_err(store.login(&guard.id, "1112")),
        DomainError::WrongPin
    );
    assert_eq!(
        domain_err(store.login(&guard.id, ADMIN_PIN)),
        DomainError::WrongPin
    );
    assert_eq!(
        domain_err(store.login("nobody", "1111")),
        DomainError::NotFound
    );
    // Each wrong PIN is recorded (they are counted towards a lockout); no
    // login is.
    assert_eq!(event_count(&store), n + 2);
    assert_eq!(
        store.operator(&guard.id).unwrap().unwrap().last_login_ms,
        None
    );

    clock.advance_min(30);
    let op = store.login(&guard.id, "1111").unwrap();
    assert_eq!(op.id, guard.id);
    assert_eq!(op.name, "张建国");
    assert_eq!(op.role, Role::Guard);
    // The right PIN after wrong ones clears their count, then the login.
    assert_eq!(event_count(&store), n + 4);
    let last = events(&store).pop().unwrap();
    assert_eq!(last.kind, "operator.logged_in");
    assert_eq!(last.entity, format!("operator:{}", guard.id));
    assert_eq!(last.actor, guard.id);
    assert_eq!(
        store.operator(&guard.id).unwrap().unwrap().last_login_ms,
        Some(T0 + 30 * 60_000)
    );

    // A deactivated operator cannot log in even with the right PIN.
    store
        .change_operator(&admin, &guard.id, Role::Guard, false)
        .unwrap();
    let n = event_count(&store);
    assert_eq!(
        domain_err(store.login(&guard.id, "1111")),
        DomainError::Inactive
    );
    assert_eq!(event_count(&store), n);
}

#[test]
fn the_last_admin_cannot_be_deactivated_or_demoted() {
    let clock = FixedClock::new(T0);
    let mut store = memory(&clock);
    let admin = set_up(&mut store);
    let n = event_count(&store);
    assert_eq!(
        domain_err(store.change_operator(&admin, &admin.id, Role::Admin, false)),
        DomainError::LastAdmin
    );
    assert_eq!(
        domain_err(store.change_operator(&admin, &admin.id, Role::DutyLeader, true)),
        DomainError::LastAdmin
    );
    assert_eq!(event_count(&store), n);
    assert_eq!(store.active_admins().unwrap(), 1);

    // With a second admin the first may step down.
    let second = store
        .add_operator(&admin, "刘校长", Role::Admin, "4321")
        .unwrap();
    store
        .change_operator(&admin, &admin.id, Role::Admin, false)
        .unwrap();
    assert_eq!(store.active_admins().unwrap(), 1);
    assert_eq!(
        domain_err(store.change_operator(&second, &second.id, Role::Guard, true)),
        DomainError::LastAdmin
    );
    assert_eq!(store.active_admins().unwrap(), 1);
}
