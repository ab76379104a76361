//! Sync by bundle files between the stations of one school (issue 4):
//! relay, idempotence, order, all-or-nothing, dry runs, tampered and foreign
//! bundles (each refused with its own reason, the database unchanged and the
//! attempt logged), events of unknown kinds, clock flags, contradictions,
//! and the `dutydesk sync …` / `init --join` command line.
//!
//! Stations are real database files in a temporary folder, each with its own
//! `FixedClock`. Tampered bundles are made here from real ones; the few
//! committed files under tests/fixtures/sync/ are described in
//! `committed_fixtures_are_refused`.

use assert_cmd::Command;
use dutydesk::domain::event::StationKind;
use dutydesk::domain::hlc::Hlc;
use dutydesk::domain::role::{Actor, Role};
use dutydesk::domain::rollcall::{Mark, RoundKind};
use dutydesk::domain::roster::{BedRef, Gender, Guardian, StudentData};
use dutydesk::domain::time::{FixedClock, SystemClock};
use dutydesk::domain::visit::{VisitForm, VisitStatus};
use dutydesk::domain::watchlist::WatchForm;
use dutydesk::store::log::{self, EventRecord};
use dutydesk::store::visits::RegisterOutcome;
use dutydesk::store::{Store, project};
use dutydesk::sync::crypto::{JoinInfo, SchoolKey};
use dutydesk::sync::{self, ImportReport};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;

/// 2026-11-18 21:13 at +08:00.
const T0: i64 = 1_795_000_000_000 + 13 * 3_600_000;
const PIN: &str = "2468";
const SCHOOL: &str = "青山县第一中学";

// ---------------------------------------------------------------------------
// Stations

struct Station {
    store: Store,
    clock: FixedClock,
    admin: Actor,
    path: PathBuf,
}

impl Station {
    fn id(&self) -> String {
        self.store.station().unwrap().id.clone()
    }
    fn tick(&self, min: i64) {
        self.clock.advance_min(min);
    }
}

fn open(path: &Path, clock: &FixedClock) -> Store {
    Store::open(path, Arc::new(clock.clone()))
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
}

/// The first station of a new school.
fn founder(dir: &Path, file: &str, name: &str, kind: StationKind, start_ms: i64) -> Station {
    let clock = FixedClock::new(start_ms);
    let path = dir.join(file);
    let mut store = open(&path, &clock);
    let admin = store
        .setup(SCHOOL, name, kind, 480, "陈老师", PIN)
        .expect("setup");
    Station {
        store,
        clock,
        admin,
        path,
    }
}

/// A join file made at `from`, opened with its code (the scrypt work is
/// done once here and the result reused for every joining station).
fn invite(from: &mut Station, dir: &Path) -> (JoinInfo, String) {
    let path = dir.join("school.ddjoin");
    let (code, fingerprint) = sync::invite(&mut from.store, &path).expect("invite");
    // Stations here start empty and learn everything from the bundles each
    // test passes: the full bundle made beside the join file is left out
    // (`a_joining_station_takes_the_inviters_log_with_it` covers it).
    std::fs::remove_file(sync::snapshot_path(&path)).expect("a full bundle beside the join file");
    let info = sync::join_info(&path, &code).expect("join file opens with its code");
    assert_eq!(info.snapshot, None);
    (info, fingerprint)
}

/// `invite` keeping the full bundle beside the join file.
fn invite_with_snapshot(from: &mut Station, dir: &Path) -> JoinInfo {
    let path = dir.join("school.ddjoin");
    let (code, _) = sync::invite(&mut from.store, &path).expect("invite");
    let info = sync::join_info(&path, &code).expect("join file opens with its code");
    assert_eq!(info.snapshot, Some(sync::snapshot_path(&path)));
    info
}

fn joiner(
    dir: &Path,
    info: &JoinInfo,
    file: &str,
    name: &str,
    kind: StationKind,
    start_ms: i64,
) -> Station {
    let clock = FixedClock::new(start_ms);
    let path = dir.join(file);
    let mut store = open(&path, &clock);
    let admin_name = format!("{name}管理员");
    sync::join(&mut store, info, name, kind, 480, &admin_name, PIN).expect("join");
    let admin = store
        .find_operator_by_name(&admin_name)
        .unwrap()
        .expect("joining admin")
        .actor();
    Station {
        store,
        clock,
        admin,
        path,
    }
}

/// Gate (A), dorm (B) and office (C) of one school; C's clock runs 3 min
/// behind A's, B's 2 min ahead.
fn three(dir: &Path) -> (Station, Station, Station) {
    let mut a = founder(dir, "gate.db", "南门门卫室", StationKind::Gate, T0);
    let (info, fp) = invite(&mut a, dir);
    let mut b = joiner(
        dir,
        &info,
        "dorm.db",
        "1号楼值班室",
        StationKind::Dorm,
        T0 + 120_000,
    );
    let mut c = joiner(
        dir,
        &info,
        "office.db",
        "政教处",
        StationKind::Office,
        T0 - 180_000,
    );
    for s in [&mut b, &mut c] {
        let id = sync::identity(&mut s.store).unwrap();
        assert_eq!(
            id.key.fingerprint(),
            fp,
            "joined stations show the same fingerprint"
        );
        assert_eq!(id.school_id, info.school_id);
    }
    (a, b, c)
}

fn form(name: &str) -> VisitForm {
    VisitForm {
        name: name.into(),
        phone: "13800138000".into(),
        host: "初二(3)班 王一".into(),
        relation: "父亲".into(),
        purpose: "送衣物".into(),
        ..VisitForm::default()
    }
}

fn register(st: &mut Station, name: &str) -> String {
    st.tick(1);
    let admin = st.admin.clone();
    match st.store.register_visit(&admin, &form(name), None).unwrap() {
        RegisterOutcome::Registered(id) => id,
        other => panic!("not registered: {other:?}"),
    }
}

fn boarder(name: &str) -> StudentData {
    StudentData {
        student_no: None,
        name: name.into(),
        gender: Some(Gender::Male),
        class: "初二(3)班".into(),
        head_teacher: "周老师".into(),
        guardians: vec![Guardian {
            name: format!("{name}妈妈"),
            relation: "母亲".into(),
            phone: Some("13900139000".into()),
            may_pick_up: true,
        }],
        left_behind: false,
        care_notes: String::new(),
    }
}

fn enroll(st: &mut Station, name: &str, bed: &str) -> String {
    st.tick(1);
    let admin = st.admin.clone();
    let bed = BedRef {
        building: "1号楼".into(),
        floor: 1,
        room: "101".into(),
        bed: bed.into(),
    };
    st.store
        .enroll_student(&admin, boarder(name), Some(bed), None)
        .unwrap()
}

fn export(st: &mut Station, path: &Path) -> sync::ExportReport {
    sync::export_to(&mut st.store, path).expect("export")
}

fn import(st: &mut Station, path: &Path) -> ImportReport {
    let r = sync::import_file(&mut st.store, path, false).expect("import: database error");
    assert_eq!(r.refused, None, "refused: {r:?}");
    assert_eq!(r.rejected, 0, "{r:?}");
    r
}

// ---------------------------------------------------------------------------
// Looking at a database

type Events = Vec<(String, i64, Vec<u8>)>;

fn events(store: &Store) -> Events {
    let mut stmt = store
        .conn()
        .prepare("SELECT origin, seq, hash FROM events ORDER BY origin, seq")
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

fn dump(store: &Store) -> Vec<String> {
    let mut d = project::dump(store.conn()).unwrap();
    d.sort();
    d
}

/// Everything a bundle may change: the log and every projection.
fn state(store: &Store) -> (Events, Vec<String>) {
    (events(store), dump(store))
}

fn count(store: &Store, sql: &str) -> i64 {
    store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn verified(store: &Store) -> u64 {
    match log::verify(store.conn()).unwrap() {
        Ok(n) => n,
        Err(f) => panic!("hash chain broken: {f:?}"),
    }
}

/// The last import log row: (file, outcome, new, known, detail).
fn last_import(store: &Store) -> (String, String, i64, i64, String) {
    store
        .conn()
        .query_row(
            "SELECT file, outcome, new, known, detail FROM import_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap()
}

fn kinds(store: &Store) -> Vec<String> {
    let mut stmt = store
        .conn()
        .prepare("SELECT kind FROM events ORDER BY origin, seq")
        .unwrap();
    let rows = stmt.query_map([], |r| r.get(0)).unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

// ---------------------------------------------------------------------------
// Forging: a copy of a station's database, edited behind its back

/// A consistent copy of the station's database, opened as a store.
fn copy_of(st: &Station, path: &Path) -> Store {
    st.store
        .conn()
        .execute("VACUUM INTO ?1", [path.to_str().unwrap()])
        .unwrap();
    open(path, &st.clock)
}

fn read_chain(store: &Store, origin: &str) -> Vec<EventRecord> {
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT origin, seq, id, hlc_ms, hlc_c, kind, entity, schema, actor, body, prev_hash, hash
             FROM events WHERE origin = ?1 ORDER BY seq",
        )
        .unwrap();
    let blob = |v: Vec<u8>| -> [u8; 32] { v.try_into().unwrap() };
    let rows = stmt
        .query_map([origin], |r| {
            Ok(EventRecord {
                origin: r.get(0)?,
                seq: r.get(1)?,
                id: r.get(2)?,
                hlc: Hlc {
                    ms: r.get(3)?,
                    c: r.get(4)?,
                },
                kind: r.get(5)?,
                entity: r.get(6)?,
                schema: r.get(7)?,
                actor: r.get(8)?,
                body: r.get(9)?,
                prev_hash: blob(r.get(10)?),
                hash: blob(r.get(11)?),
            })
        })
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

/// Alters one event with raw SQL and re-hashes it and every later event of
/// its origin, so the forged chain verifies locally.
fn forge_event(store: &Store, origin: &str, seq: i64, edit: impl FnOnce(&mut EventRecord)) {
    let mut chain = read_chain(store, origin);
    let at = chain
        .iter()
        .position(|e| e.seq == seq)
        .expect("event to forge");
    edit(&mut chain[at]);
    let mut prev = if at == 0 { [0; 32] } else { chain[at - 1].hash };
    for e in &mut chain[at..] {
        e.prev_hash = prev;
        e.hash = e.compute_hash();
        prev = e.hash;
        store
            .conn()
            .execute(
                "UPDATE events SET body = ?1, prev_hash = ?2, hash = ?3 WHERE origin = ?4 AND seq = ?5",
                rusqlite::params![e.body, &e.prev_hash[..], &e.hash[..], e.origin, e.seq],
            )
            .unwrap();
    }
    verified(store);
}

/// Appends an event of a kind this version does not know to the store's own
/// chain, hashed properly — what a newer dutydesk would write.
fn append_unknown(store: &mut Store, kind: &str, body: &str) -> EventRecord {
    let origin = store.station().unwrap().id.clone();
    let id = store.new_id();
    let now = store.now_ms();
    let rec = store
        .batch(|s| {
            let (seq, prev) = log::head(s.conn(), &origin)?;
            let mut rec = EventRecord {
                origin: origin.clone(),
                seq: seq + 1,
                id,
                hlc: log::max_hlc(s.conn())?.tick(now),
                kind: kind.into(),
                entity: "patrol:east-1".into(),
                schema: 2,
                actor: "system".into(),
                body: body.into(),
                prev_hash: prev,
                hash: [0; 32],
            };
            rec.hash = rec.compute_hash();
            log::insert(s.conn(), &rec)?;
            Ok(rec)
        })
        .unwrap();
    store.observe_hlc(rec.hlc);
    verified(store);
    rec
}

// ---------------------------------------------------------------------------
// Bundle bytes

fn header_len(b: &[u8]) -> usize {
    b.iter().position(|&x| x == b'\n').unwrap() + 1
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> usize {
    from + hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or_else(|| panic!("{:?} not found", String::from_utf8_lossy(needle)))
}

/// End of the age header (after its "--- <mac>" line).
fn age_header_end(b: &[u8]) -> usize {
    let mac = find(b, b"\n--- ", header_len(b)) + 1;
    mac + b[mac..].iter().position(|&x| x == b'\n').unwrap() + 1
}

/// "DUTYDESK-END " + 16 hex digits + "\n".
const TRAILER_LEN: usize = 30;

fn flipped(b: &[u8], at: usize) -> Vec<u8> {
    let mut v = b.to_vec();
    v[at] ^= 0x01;
    v
}

/// Hands `bytes` to the station as a bundle file and checks that it is
/// refused for `reason`, that nothing changed, and that the attempt is in
/// the import log.
#[track_caller]
fn assert_refused(st: &mut Station, dir: &Path, name: &str, bytes: &[u8], reason: &str) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let before = state(&st.store);
    let logged = count(&st.store, "SELECT COUNT(*) FROM import_log");
    let r = sync::import_file(&mut st.store, &path, false)
        .unwrap_or_else(|e| panic!("{name}: a bad bundle must be a report, not an error: {e}"));
    assert_eq!(r.refused, Some(reason), "{name}: {r:?}");
    assert_eq!(r.new, 0, "{name}");
    assert!(state(&st.store) == before, "{name} changed the database");
    verified(&st.store);
    assert_eq!(
        count(&st.store, "SELECT COUNT(*) FROM import_log"),
        logged + 1
    );
    let (file, outcome, new, _, detail) = last_import(&st.store);
    assert_eq!((file.as_str(), outcome.as_str(), new), (name, "refused", 0));
    assert!(
        !detail.contains("AGE-SECRET-KEY"),
        "key material logged: {detail}"
    );
}

// ---------------------------------------------------------------------------
// Relay, idempotence, order, all-or-nothing, dry run

#[test]
fn relay_brings_the_gates_events_to_the_office_through_the_dorm() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b, mut c) = three(dir.path());
    let visit = register(&mut a, "李建国");
    let student = enroll(&mut b, "王一", "1");
    b.tick(5);
    let teacher = b.admin.clone();
    let round = b
        .store
        .start_round(&teacher, RoundKind::LightsOut, "1号楼")
        .unwrap();
    b.store
        .mark(&teacher, &round, &student, Mark::Present, None, "")
        .unwrap();

    let gate_bundle = dir.path().join("gate.ddbundle");
    export(&mut a, &gate_bundle);
    let r = import(&mut b, &gate_bundle);
    assert_eq!(r.new, count(&a.store, "SELECT COUNT(*) FROM events") as u64);
    assert_eq!(r.from_station, "南门门卫室");

    // The office only ever sees the dorm's bundle. The dorm has never heard
    // of the office, so only a full bundle is sure to hold what it lacks.
    let dorm_bundle = dir.path().join("dorm.ddbundle");
    let exported = sync::export_to_as(&mut b.store, &dorm_bundle, true).unwrap();
    assert_eq!(exported.events, verified(&b.store));
    let r = import(&mut c, &dorm_bundle);
    assert_eq!(r.from_station, "1号楼值班室");
    let office_own = 2; // station.created, operator.added
    assert_eq!(verified(&c.store), exported.events + office_own);

    for e in events(&a.store).into_iter().chain(events(&b.store)) {
        assert!(events(&c.store).contains(&e), "the office lacks {e:?}");
    }
    let row = c
        .store
        .visit(&visit)
        .unwrap()
        .expect("the gate's visit at the office");
    assert_eq!(row.origin, a.id(), "the visit shows the gate as its origin");
    assert_eq!(row.details.name, "李建国");
    assert_eq!(c.store.round(&round).unwrap().unwrap().building, "1号楼");
    assert_eq!(
        c.store.student(&student).unwrap().unwrap().data.name,
        "王一"
    );
    assert_eq!(c.store.round_sheet(&round).unwrap().len(), 1);
    let names: Vec<String> = {
        let mut stmt = c
            .store
            .conn()
            .prepare("SELECT name FROM stations ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(names, ["1号楼值班室", "南门门卫室", "政教处"]);
    // The gate and the dorm hold nothing of the office yet; the office's
    // projections equal the dorm's but for its own station and admin.
    let office_only: Vec<String> = dump(&c.store)
        .into_iter()
        .filter(|l| !dump(&b.store).contains(l))
        .collect();
    assert_eq!(office_only.len(), 2, "{office_only:#?}");
}

#[test]
fn the_same_bundle_twice_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b, _c) = three(dir.path());
    register(&mut a, "李建国");
    register(&mut a, "王秀英");
    let path = dir.path().join("gate.ddbundle");
    let exported = export(&mut a, &path);

    let first = import(&mut b, &path);
    assert_eq!((first.new, first.known), (exported.events, 0));
    let after_first = state(&b.store);
    let second = import(&mut b, &path);
    assert_eq!((second.new, second.known), (0, exported.events));
    assert!(
        state(&b.store) == after_first,
        "a second import changed something"
    );
    // A bundle of the station's own events is all known too.
    let own = dir.path().join("own.ddbundle");
    let mine = export(&mut b, &own);
    let again = import(&mut b, &own);
    assert_eq!((again.new, again.known), (0, mine.events));
    assert!(state(&b.store) == after_first);
    let outcomes: Vec<(String, i64, i64)> = {
        let mut stmt = b
            .store
            .conn()
            .prepare("SELECT outcome, new, known FROM import_log ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let n = exported.events as i64;
    assert_eq!(
        outcomes,
        [
            ("ok".to_string(), n, 0),
            ("ok".to_string(), 0, n),
            ("ok".to_string(), 0, mine.events as i64)
        ]
    );
}

/// Two stations sign out one visit before they sync: both events are kept,
/// the contradiction is listed everywhere with the same provisional time,
/// and a duty leader's decision converges too.
#[test]
fn a_visit_signed_out_at_two_stations_is_kept_listed_and_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b, mut c) = three(dir.path());
    let visit = register(&mut a, "李建国");
    let p = dir.path().join("a1.ddbundle");
    export(&mut a, &p);
    import(&mut b, &p);
    import(&mut c, &p);

    a.tick(30);
    let ga = a.admin.clone();
    a.store.sign_out(&ga, &visit).unwrap();
    b.tick(45);
    let gb = b.admin.clone();
    b.store.sign_out(&gb, &visit).unwrap();
    // Signing out twice at one station is refused by the rules.
    assert!(b.store.sign_out(&gb, &visit).is_err());

    let (pa, pb) = (
        dir.path().join("a2.ddbundle"),
        dir.path().join("b2.ddbundle"),
    );
    export(&mut a, &pa);
    export(&mut b, &pb);
    import(&mut a, &pb);
    import(&mut b, &pa);
    import(&mut c, &pb);
    import(&mut c, &pa);
    let pc = dir.path().join("c2.ddbundle");
    export(&mut c, &pc);
    import(&mut a, &pc);
    import(&mut b, &pc);

    let time_out = |s: &Station| s.store.visit(&visit).unwrap().unwrap().time_out;
    let shown = time_out(&a);
    assert!(shown.is_some());
    for s in [&a, &b, &c] {
        assert_eq!(events(&s.store), events(&a.store));
        assert_eq!(dump(&s.store), dump(&a.store));
        assert_eq!(time_out(s), shown, "the same provisional time everywhere");
        let cs = s.store.conflicts().unwrap();
        assert_eq!(cs.len(), 1, "{cs:#?}");
        assert_eq!(cs[0].key, format!("visit:{visit}/sign_out"));
        assert_eq!(cs[0].kind, "sign_out");
        assert_eq!(cs[0].events.len(), 2, "both sign-outs are kept");
        assert_eq!(cs[0].decided, None);
        assert_eq!(
            s.store.visit(&visit).unwrap().unwrap().status,
            VisitStatus::Out
        );
    }
    let conflict = a.store.conflicts().unwrap().remove(0);
    // The one not shown is chosen, by the office's duty leader.
    let other = conflict
        .events
        .iter()
        .find(|e| e.id != conflict.provisional)
        .unwrap()
        .clone();
    let leader = c
        .store
        .add_operator(&c.admin, "刘主任", Role::DutyLeader, PIN)
        .unwrap();
    let guard = c
        .store
        .add_operator(&c.admin, "张师傅", Role::Guard, PIN)
        .unwrap();
    c.tick(10);
    assert!(
        c.store
            .resolve_conflict(&guard, &conflict.key, &other.id, "看了监控")
            .is_err(),
        "a guard may not decide"
    );
    c.store
        .resolve_conflict(&leader, &conflict.key, &other.id, "看了监控")
        .unwrap();
    let pc = dir.path().join("c3.ddbundle");
    export(&mut c, &pc);
    import(&mut a, &pc);
    import(&mut b, &pc);
    let chosen_at = |s: &Station| {
        let body = s
            .store
            .conn()
            .query_row("SELECT body FROM events WHERE id = ?1", [&other.id], |r| {
                r.get::<_, String>(0)
            })
            .unwrap();
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["at_ms"].as_i64()
    };
    for s in [&a, &b, &c] {
        assert_eq!(dump(&s.store), dump(&c.store));
        assert_eq!(time_out(s), chosen_at(s), "the decision shows everywhere");
        let cs = s.store.conflicts().unwrap();
        let (chosen, by, _, note) = cs[0].decided.clone().expect("decided");
        assert_eq!(
            (chosen.as_str(), by.as_str(), note.as_str()),
            (other.id.as_str(), "刘主任", "看了监控")
        );
    }
    // A station joining later gets the visit, both sign-outs and the
    // decision in the full bundle that goes with its join file: the
    // decided value shows there too, and the office's last bundle brings
    // nothing more.
    let info = invite_with_snapshot(&mut c, dir.path());
    let mut d = joiner(
        dir.path(),
        &info,
        "late.db",
        "2号楼值班室",
        StationKind::Dorm,
        T0 + 3_600_000,
    );
    assert_eq!(import(&mut d, &pc).new, 0);
    assert_eq!(time_out(&d), chosen_at(&d));
    assert_eq!(d.store.conflicts().unwrap(), c.store.conflicts().unwrap());
}

#[test]
fn bundles_in_either_order_give_the_same_state() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b, c) = three(dir.path());
    let visit = register(&mut a, "李建国");
    let s1 = enroll(&mut b, "王一", "1");
    let p = dir.path().join("a0.ddbundle");
    export(&mut a, &p);
    import(&mut b, &p);
    // Now both work on shared records.
    let (ga, gb) = (a.admin.clone(), b.admin.clone());
    a.tick(20);
    a.store.sign_out(&ga, &visit).unwrap();
    b.tick(5);
    b.store.sign_out(&gb, &visit).unwrap();
    a.store
        .add_watch(
            &ga,
            &WatchForm {
                name: "赵某某".into(),
                reason: "法院禁止令".into(),
                ..WatchForm::default()
            },
        )
        .unwrap();
    b.store
        .correct_visit(&gb, &visit, &form("李建困"), "名字写错")
        .unwrap();
    b.store.set_setting(&gb, "lock_minutes", 15).unwrap();
    a.tick(1);
    a.store.set_setting(&ga, "lock_minutes", 20).unwrap();
    b.store.student_left(&gb, &s1, "转学").unwrap();

    let (pa, pb) = (dir.path().join("a.ddbundle"), dir.path().join("b.ddbundle"));
    export(&mut a, &pa);
    export(&mut b, &pb);

    // Two fresh copies of the office.
    let (c1p, c2p) = (dir.path().join("c1.db"), dir.path().join("c2.db"));
    let mut c1 = copy_of(&c, &c1p);
    let mut c2 = copy_of(&c, &c2p);
    for (store, first, second) in [(&mut c1, &pa, &pb), (&mut c2, &pb, &pa)] {
        for f in [first, second] {
            let r = sync::import_file(store, f, false).unwrap();
            assert_eq!(r.refused, None);
        }
    }
    assert_eq!(events(&c1), events(&c2));
    assert_eq!(dump(&c1), dump(&c2));
    assert_eq!(c1.conflicts().unwrap().len(), 1);
    // And the two workers, after swapping, see the same as the office.
    import(&mut a, &pb);
    import(&mut b, &pa);
    let without_office = |d: Vec<String>| -> Vec<String> {
        let c_id = c.store.station().unwrap().id.clone();
        let c_admin = c.admin.id.clone();
        d.into_iter()
            .filter(|l| !l.contains(&c_id) && !l.contains(&c_admin))
            .collect()
    };
    assert_eq!(dump(&a.store), dump(&b.store));
    assert_eq!(without_office(dump(&c1)), dump(&a.store));
    // The later setting in log order wins everywhere.
    assert_eq!(c1.setting("lock_minutes"), a.store.setting("lock_minutes"));
}

/// A bundle refused after some of its events were already written (a
/// replay found late in the file; a cut or a changed byte in a late age
/// chunk) leaves nothing behind.
#[test]
fn a_bundle_refused_part_way_applies_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = three(dir.path());
    // Bundles list events by origin id. Sorted by id: `x` makes new events
    // (first in any bundle), `y` receives, `z`'s event is forged (last).
    let mut st = [a, b, c];
    st.sort_by_key(|s| s.id());
    let [x, y, z] = &mut st;
    register(z, "王秀英");
    let pz = dir.path().join("z.ddbundle");
    export(z, &pz);
    import(y, &pz);
    for i in 0..5 {
        register(x, &format!("访客{i}"));
    }
    let px = dir.path().join("x.ddbundle");
    export(x, &px);
    import(z, &px);

    // A forged copy of z re-tells z's visit (known at y) differently.
    let forged_db = dir.path().join("forged-z.db");
    let mut forged = copy_of(z, &forged_db);
    let z_id = z.id();
    let seq: i64 = forged
        .conn()
        .query_row(
            "SELECT seq FROM events WHERE origin = ?1 AND kind = 'visit.registered'",
            [&z_id],
            |r| r.get(0),
        )
        .unwrap();
    forge_event(&forged, &z_id, seq, |e| {
        e.body = e.body.replace("王秀英", "王秀美");
    });
    let bad = dir.path().join("forged-z.ddbundle");
    sync::export_to(&mut forged, &bad).unwrap();
    drop(forged);
    let bytes = std::fs::read(&bad).unwrap();
    // x's five visits (new at y) come before the replayed event.
    let before = state(&y.store);
    assert_refused(
        y,
        dir.path(),
        "forged-z.ddbundle",
        &bytes,
        "sync.err.replayed",
    );
    assert!(state(&y.store) == before);
    // The same events, honestly carried, are accepted.
    let honest = dir.path().join("z2.ddbundle");
    // z has never heard of y: a full bundle.
    sync::export_to_as(&mut z.store, &honest, true).unwrap();
    assert!(import(y, &honest).new >= 5);

    // Crypto failures late in a large bundle: several age chunks, B
    // already knowing the first events (they are counted as known before
    // the failure is found).
    let n0 = verified(&x.store);
    let ga = x.admin.clone();
    x.store
        .batch(|s| {
            for i in 0..800 {
                s.register_visit(&ga, &form(&format!("家长{i}")), None)?;
            }
            Ok(())
        })
        .unwrap();
    let big = dir.path().join("big.ddbundle");
    let exported = export(x, &big);
    let bytes = std::fs::read(&big).unwrap();
    // age encrypts in 64 KiB chunks: the cut and the flip lie past the
    // first chunk, whose lines have already been read and applied.
    let first_chunk_end = age_header_end(&bytes) + 16 + 65_552;
    assert!(
        bytes.len() * 3 / 4 > first_chunk_end,
        "only {} bytes",
        bytes.len()
    );
    for (name, bad, reason) in [
        (
            "cut.ddbundle",
            bytes[..bytes.len() * 3 / 4].to_vec(),
            "sync.err.truncated",
        ),
        (
            "flip.ddbundle",
            flipped(&bytes, bytes.len() * 3 / 4),
            "sync.err.tampered",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, &bad).unwrap();
        let before = state(&y.store);
        let r = sync::import_file(&mut y.store, &path, false).unwrap();
        assert_eq!(r.refused, Some(reason), "{name}");
        assert!(
            r.known >= n0,
            "{name}: refused before reading the known events: {r:?}"
        );
        assert!(state(&y.store) == before, "{name} left events behind");
        // The file on disk too, read by a fresh connection.
        let reopened = open(&y.path, &y.clock);
        assert!(state(&reopened) == before);
    }
    assert_eq!(import(y, &big).new, exported.events - n0);
}

#[test]
fn a_dry_run_changes_nothing_but_reports_the_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b, _c) = three(dir.path());
    register(&mut a, "李建国");
    let p1 = dir.path().join("a1.ddbundle");
    let first = export(&mut a, &p1);
    import(&mut b, &p1);
    register(&mut a, "王秀英");
    let p2 = dir.path().join("a2.ddbundle");
    let second = export(&mut a, &p2);

    let before = state(&b.store);
    let dry = sync::import_file(&mut b.store, &p2, true).unwrap();
    assert!(dry.dry_run);
    assert_eq!(dry.refused, None);
    assert_eq!(
        (dry.new, dry.known, dry.rejected),
        (second.events - first.events, first.events, 0)
    );
    assert!(state(&b.store) == before, "a dry run changed the database");
    let (file, outcome, new, known, _) = last_import(&b.store);
    assert_eq!(
        (file.as_str(), outcome.as_str(), new, known),
        ("a2.ddbundle", "dry_run", dry.new as i64, dry.known as i64)
    );
    // A dry run of a refused bundle says why, too.
    let cut = dir.path().join("cut.ddbundle");
    let bytes = std::fs::read(&p2).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() - 5]).unwrap();
    let r = sync::import_file(&mut b.store, &cut, true).unwrap();
    assert_eq!(r.refused, Some("sync.err.truncated"));
    assert!(state(&b.store) == before);

    let real = import(&mut b, &p2);
    assert_eq!((real.new, real.known), (dry.new, dry.known));
}

// ---------------------------------------------------------------------------
// Tampered, foreign and newer bundles

/// One event as bundles carry it (the wire form of src/sync/mod.rs).
fn wire_line(e: &EventRecord) -> String {
    let hex = |h: &[u8; 32]| h.iter().map(|b| format!("{b:02x}")).collect::<String>();
    serde_json::json!({
        "o": e.origin, "s": e.seq, "i": e.id, "hm": e.hlc.ms, "hc": e.hlc.c,
        "k": e.kind, "e": e.entity, "v": e.schema, "a": e.actor, "b": e.body,
        "p": hex(&e.prev_hash), "h": hex(&e.hash),
    })
    .to_string()
}

/// A bundle made with the school's key (authentic, as only a holder of the
/// key can make) from the station's own chain, each line passed through
/// `edit` (index, line) → the line to write, or None to leave it out.
fn craft_bundle(st: &mut Station, edit: &dyn Fn(usize, String) -> Option<String>) -> Vec<u8> {
    let id = sync::identity(&mut st.store).unwrap();
    let chain = read_chain(&st.store, &st.id());
    let header = sync::crypto::BundleHeader {
        format: 1,
        school_id: id.school_id.clone(),
        station_id: st.id(),
        station_name: st.store.station().unwrap().name.clone(),
        created_ms: st.store.now_ms(),
        events: chain.len() as u64,
        knows: None,
    };
    let mut out = Vec::new();
    sync::crypto::write_bundle(&mut out, &id.key, &header, &mut |w| {
        for (i, e) in chain.iter().enumerate() {
            if let Some(l) = edit(i, wire_line(e)) {
                writeln!(w, "{l}")?;
            }
        }
        Ok(())
    })
    .unwrap();
    out
}

/// A gate whose earlier bundle the dorm has imported, and a later bundle of
/// the gate (its events partly new at the dorm) to tamper with.
fn tamper_setup(dir: &Path) -> (Station, Station, Vec<u8>) {
    let (mut a, mut b, _c) = three(dir);
    register(&mut a, "李建国");
    let p1 = dir.join("gate-1.ddbundle");
    export(&mut a, &p1);
    import(&mut b, &p1);
    register(&mut a, "王秀英");
    let p2 = dir.join("gate-2.ddbundle");
    export(&mut a, &p2);
    let bytes = std::fs::read(&p2).unwrap();
    (a, b, bytes)
}

#[test]
fn a_changed_byte_in_any_part_of_the_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_a, mut b, bytes) = tamper_setup(dir.path());
    let hl = header_len(&bytes);
    let ah = age_header_end(&bytes);
    let len = bytes.len();
    let t0 = len - TRAILER_LEN;
    let after = |s: &[u8]| find(&bytes[..hl], s, 0) + s.len();
    let cases: Vec<(&str, usize, &str)> = vec![
        // The plain header line.
        ("magic", 0, "sync.err.not_a_bundle"),
        (
            "format digit",
            "DUTYDESK-BUNDLE ".len(),
            "sync.err.tampered",
        ),
        (
            "key id",
            "DUTYDESK-BUNDLE 1 ".len() + 3,
            "sync.err.tampered",
        ),
        (
            "school id",
            after(b"\"school_id\":\"") + 2,
            "sync.err.other_school",
        ),
        (
            "station id",
            after(b"\"station_id\":\"") + 2,
            "sync.err.tampered",
        ),
        (
            "station name",
            after(b"\"station_name\":\""),
            "sync.err.tampered",
        ),
        (
            "created time",
            after(b"\"created_ms\":") + 5,
            "sync.err.tampered",
        ),
        ("event count", after(b"\"events\":"), "sync.err.tampered"),
        // The age header: version line, recipient stanza, header MAC.
        ("age version line", hl + 3, "sync.err.tampered"),
        (
            "age stanza",
            find(&bytes, b"-> X25519 ", hl) + 15,
            "sync.err.tampered",
        ),
        ("age header mac", ah - 5, "sync.err.tampered"),
        ("payload nonce", ah + 4, "sync.err.tampered"),
        // The encrypted payload.
        ("middle of the payload", (ah + t0) / 2, "sync.err.tampered"),
        ("last payload byte", t0 - 1, "sync.err.tampered"),
        // The plain trailer.
        ("trailer magic", t0 + 2, "sync.err.tampered"),
        ("trailer length", len - 4, "sync.err.tampered"),
        ("trailer newline", len - 1, "sync.err.tampered"),
    ];
    for (what, at, reason) in cases {
        let name = format!("flip-{}.ddbundle", what.replace(' ', "-"));
        assert_refused(&mut b, dir.path(), &name, &flipped(&bytes, at), reason);
    }
    // Bytes lost in the middle, the trailer still in place: altered.
    let mut less = bytes.clone();
    less.remove((ah + t0) / 2);
    assert_refused(
        &mut b,
        dir.path(),
        "shorter.ddbundle",
        &less,
        "sync.err.tampered",
    );
    // The untouched bundle still imports.
    let good = dir.path().join("good.ddbundle");
    std::fs::write(&good, &bytes).unwrap();
    assert!(import(&mut b, &good).new > 0);
}

#[test]
fn a_cut_short_file_is_refused_as_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let (_a, mut b, bytes) = tamper_setup(dir.path());
    let hl = header_len(&bytes);
    let ah = age_header_end(&bytes);
    let len = bytes.len();
    for cut in [
        10,                // inside the plain header
        hl - 1,            // the header without its newline
        hl,                // nothing after the header
        hl + 5,            // inside the age version line
        ah - 3,            // inside the age header MAC
        ah + 8,            // inside the nonce
        (ah + len) / 2,    // the middle of the payload
        len - TRAILER_LEN, // the trailer gone
        len - 10,          // inside the trailer
        len - 1,           // only the last newline lost
    ] {
        let name = format!("cut-{cut}.ddbundle");
        assert_refused(
            &mut b,
            dir.path(),
            &name,
            &bytes[..cut],
            "sync.err.truncated",
        );
    }
    // Junk appended after the trailer: refused, and named as such.
    let mut more = bytes.clone();
    more.extend_from_slice(b"junk");
    assert_refused(
        &mut b,
        dir.path(),
        "appended.ddbundle",
        &more,
        "sync.err.trailing",
    );
    assert_refused(
        &mut b,
        dir.path(),
        "empty.ddbundle",
        b"",
        "sync.err.not_a_bundle",
    );
    assert_refused(
        &mut b,
        dir.path(),
        "notes.ddbundle",
        "值班记录\n".as_bytes(),
        "sync.err.not_a_bundle",
    );
}

#[test]
fn another_schools_bundle_or_another_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b, _bytes) = tamper_setup(dir.path());
    // Another school altogether.
    let other_dir = tempfile::tempdir().unwrap();
    let mut other = founder(
        other_dir.path(),
        "x.db",
        "南门门卫室",
        StationKind::Gate,
        T0,
    );
    register(&mut other, "李建国");
    let p = dir.path().join("other-school.ddbundle");
    export(&mut other, &p);
    let bytes = std::fs::read(&p).unwrap();
    assert_refused(
        &mut b,
        dir.path(),
        "other-school.ddbundle",
        &bytes,
        "sync.err.other_school",
    );

    // The same school id, encrypted to a different key (a station whose key
    // was replaced, or someone who knows only the school id).
    let copy = dir.path().join("rekeyed.db");
    let mut rekeyed = copy_of(&a, &copy);
    rekeyed
        .set_meta("school_key", &SchoolKey::generate().secret())
        .unwrap();
    let p = dir.path().join("rekeyed.ddbundle");
    sync::export_to(&mut rekeyed, &p).unwrap();
    let bytes = std::fs::read(&p).unwrap();
    assert_refused(
        &mut b,
        dir.path(),
        "rekeyed.ddbundle",
        &bytes,
        "sync.err.wrong_key",
    );

    // A known event told again with other content, its hash recomputed so
    // the forger's own chain verifies.
    let copy = dir.path().join("forged.db");
    let mut forged = copy_of(&a, &copy);
    let a_id = a.id();
    let seq: i64 = forged
        .conn()
        .query_row(
            "SELECT MIN(seq) FROM events WHERE origin = ?1 AND kind = 'visit.registered'",
            [&a_id],
            |r| r.get(0),
        )
        .unwrap();
    forge_event(&forged, &a_id, seq, |e| {
        e.body = e.body.replace("李建国", "李建军");
    });
    let p = dir.path().join("replayed.ddbundle");
    sync::export_to(&mut forged, &p).unwrap();
    let bytes = std::fs::read(&p).unwrap();
    assert_refused(
        &mut b,
        dir.path(),
        "replayed.ddbundle",
        &bytes,
        "sync.err.replayed",
    );
    let (_, _, _, _, detail) = last_import(&b.store);
    assert!(
        detail.contains(&a_id),
        "the log names the replayed event: {detail}"
    );

    // Someone with the key writes an event whose hash does not match it.
    let chain = read_chain(&a.store, &a_id);
    let mut craft = |edit: &dyn Fn(usize, String) -> Option<String>| craft_bundle(&mut a, edit);
    // Sanity: the crafted bundle, unedited, is accepted in a dry run.
    let honest = craft(&|_, l| Some(l));
    let hp = dir.path().join("crafted.ddbundle");
    std::fs::write(&hp, &honest).unwrap();
    let r = sync::import_file(&mut b.store, &hp, true).unwrap();
    assert_eq!(r.refused, None, "{r:?}");
    let last = chain.len() - 1;
    let body_edited = craft(&|i, l| {
        Some(if i == last {
            l.replace("王秀英", "王秀美")
        } else {
            l
        })
    });
    assert_refused(
        &mut b,
        dir.path(),
        "bad-hash.ddbundle",
        &body_edited,
        "sync.err.bad_event",
    );
    let not_json = craft(&|i, l| Some(if i == last { "{\"o\":".into() } else { l }));
    assert_refused(
        &mut b,
        dir.path(),
        "not-json.ddbundle",
        &not_json,
        "sync.err.bad_event",
    );
}

/// Events whose predecessor is missing wait: they are counted as rejected,
/// the rest of the bundle is applied, the chain stays whole, and a later
/// complete bundle brings them.
#[test]
fn events_after_a_gap_wait_for_their_predecessor() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b, _c) = three(dir.path());
    for name in ["李建国", "王秀英", "张伟", "陈静"] {
        register(&mut a, name);
    }
    let n = read_chain(&a.store, &a.id()).len();
    let gap = n - 3;
    let with_gap = craft_bundle(&mut a, &|i, l| (i != gap).then_some(l));
    let p = dir.path().join("gap.ddbundle");
    std::fs::write(&p, &with_gap).unwrap();
    let r = sync::import_file(&mut b.store, &p, false).unwrap();
    assert_eq!(r.refused, None, "{r:?}");
    assert_eq!((r.new, r.rejected), (gap as u64, 2), "{r:?}");
    verified(&b.store);
    assert_eq!(read_chain(&b.store, &a.id()).len(), gap);
    let full = dir.path().join("full.ddbundle");
    export(&mut a, &full);
    let r = import(&mut b, &full);
    assert_eq!((r.new, r.known), (3, gap as u64));
    assert_eq!(read_chain(&b.store, &a.id()), read_chain(&a.store, &a.id()));
}

#[test]
fn a_bundle_from_a_newer_format_is_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (_a, mut b, bytes) = tamper_setup(dir.path());
    let hl = header_len(&bytes);
    let line = std::str::from_utf8(&bytes[..hl]).unwrap();
    assert!(line.starts_with("DUTYDESK-BUNDLE 1 "), "{line}");
    let with_line = |l: String| [l.as_bytes(), &bytes[hl..]].concat();
    // The format number of the plain header.
    let outer = with_line(line.replacen("DUTYDESK-BUNDLE 1 ", "DUTYDESK-BUNDLE 2 ", 1));
    assert_refused(
        &mut b,
        dir.path(),
        "format-2.ddbundle",
        &outer,
        "sync.err.newer_format",
    );
    let far = with_line(line.replacen("DUTYDESK-BUNDLE 1 ", "DUTYDESK-BUNDLE 17 ", 1));
    assert_refused(
        &mut b,
        dir.path(),
        "format-17.ddbundle",
        &far,
        "sync.err.newer_format",
    );
    // The format field of the header's JSON.
    assert!(line.contains("\"format\":1,"));
    let inner = with_line(line.replacen("\"format\":1,", "\"format\":2,", 1));
    assert_refused(
        &mut b,
        dir.path(),
        "json-format-2.ddbundle",
        &inner,
        "sync.err.newer_format",
    );
    // A newer layout after the format number is still reported as newer.
    let layout = "DUTYDESK-BUNDLE 2 {\"v2\":true}\n".to_string();
    assert_refused(
        &mut b,
        dir.path(),
        "layout-2.ddbundle",
        &with_line(layout),
        "sync.err.newer_format",
    );
}

#[test]
fn committed_fixtures_are_refused() {
    // tests/fixtures/sync/: `other_school.ddbundle`, a real bundle of a
    // school no test station belongs to (made by `make_sync_fixtures`);
    // `newer_format.ddbundle`, the same with format 2 in its plain header;
    // `not_a_bundle.ddbundle`, a text file with the bundle extension.
    let dir = tempfile::tempdir().unwrap();
    let (_a, mut b, _) = tamper_setup(dir.path());
    for (name, reason) in [
        ("other_school.ddbundle", "sync.err.other_school"),
        ("newer_format.ddbundle", "sync.err.newer_format"),
        ("not_a_bundle.ddbundle", "sync.err.not_a_bundle"),
    ] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        assert_refused(&mut b, dir.path(), name, &bytes, reason);
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sync")
        .join(name)
}

/// Writes the committed fixtures again: `cargo test --test sync -- --ignored
/// make_sync_fixtures`.
#[test]
#[ignore = "regenerates tests/fixtures/sync/"]
fn make_sync_fixtures() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = founder(dir.path(), "x.db", "外校门卫室", StationKind::Gate, T0);
    register(&mut st, "李建国");
    std::fs::create_dir_all(fixture("")).unwrap();
    export(&mut st, &fixture("other_school.ddbundle"));
    let bytes = std::fs::read(fixture("other_school.ddbundle")).unwrap();
    let hl = header_len(&bytes);
    let line = std::str::from_utf8(&bytes[..hl]).unwrap().replacen(
        "DUTYDESK-BUNDLE 1 ",
        "DUTYDESK-BUNDLE 2 ",
        1,
    );
    std::fs::write(
        fixture("newer_format.ddbundle"),
        [line.as_bytes(), &bytes[hl..]].concat(),
    )
    .unwrap();
    std::fs::write(
        fixture("not_a_bundle.ddbundle"),
        "这不是同步文件 — this is not a bundle\n",
    )
    .unwrap();
}

// ---------------------------------------------------------------------------
// Unknown kinds, clocks

#[test]
fn events_of_an_unknown_kind_are_kept_and_passed_on() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b, mut c) = three(dir.path());
    register(&mut a, "李建国");
    // A newer dutydesk at the gate (a forged copy of its database) writes
    // an event of a kind this version does not know.
    let newer_db = dir.path().join("gate-newer.db");
    let mut newer = copy_of(&a, &newer_db);
    let future = append_unknown(
        &mut newer,
        "patrol.future",
        "{\"route\":\"东区\",\"checkpoint\":3,\"ok\":true}",
    );
    let p = dir.path().join("newer.ddbundle");
    sync::export_to(&mut newer, &p).unwrap();
    drop(newer);

    let before = dump(&b.store);
    let r = import(&mut b, &p);
    assert_eq!(r.new as usize, read_chain(&a.store, &a.id()).len() + 1);
    assert!(kinds(&b.store).contains(&"patrol.future".to_string()));
    let kept = read_chain(&b.store, &a.id()).pop().unwrap();
    assert_eq!(kept, future, "kept byte for byte");
    // Not projected: the dorm shows what the gate's known events show.
    let mut shown = before.clone();
    shown.extend(dump(&a.store).into_iter().filter(|l| !before.contains(l)));
    shown.sort();
    assert_eq!(dump(&b.store), shown);

    // Relayed on to the office, which never saw the newer gate (and which
    // the dorm has never heard of: a full bundle).
    let pb = dir.path().join("dorm.ddbundle");
    sync::export_to_as(&mut b.store, &pb, true).unwrap();
    import(&mut c, &pb);
    assert_eq!(read_chain(&c.store, &a.id()).pop().unwrap(), future);
    c.store.batch(|s| project::rebuild(s.conn())).unwrap();
    verified(&c.store);

    // The old gate itself takes it back as the next event of its chain and
    // carries on after it.
    import(&mut a, &pb);
    register(&mut a, "王秀英");
    let chain = read_chain(&a.store, &a.id());
    assert_eq!(chain[chain.len() - 2], future);
    assert_eq!(chain.last().unwrap().prev_hash, future.hash);
    verified(&a.store);
}

#[test]
fn events_far_in_the_future_are_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b, mut c) = three(dir.path());
    // The gate's clock runs 8 minutes ahead of the dorm's: within bounds.
    a.clock
        .set(b.clock.0.load(std::sync::atomic::Ordering::SeqCst) + 8 * 60_000);
    register(&mut a, "李建国");
    let p1 = dir.path().join("a1.ddbundle");
    export(&mut a, &p1);
    let r = import(&mut b, &p1);
    assert_eq!(r.future, 0, "{r:?}");
    // Then it jumps 40 minutes ahead.
    a.tick(40);
    register(&mut a, "王秀英");
    register(&mut a, "张伟");
    let p2 = dir.path().join("a2.ddbundle");
    export(&mut a, &p2);
    let r = import(&mut b, &p2);
    assert_eq!((r.new, r.future), (2, 2), "{r:?}");
    // The office's clock is 3 minutes behind on top: all of A's events but
    // the setup ones look far ahead there.
    let r = import(&mut c, &p2);
    assert!(r.future >= 2, "{r:?}");
    // Events keep their own times; the dorm's next event orders after them.
    b.tick(1);
    let before = log::max_hlc(b.store.conn()).unwrap();
    register(&mut b, "陈静");
    let after = log::max_hlc(b.store.conn()).unwrap();
    assert!(after > before);
    assert_eq!(
        after.ms, before.ms,
        "ordered after the gate's future events"
    );
}

// ---------------------------------------------------------------------------
// The command line

/// The binary, in English whatever the environment says.
fn dutydesk() -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        // The log goes elsewhere: these tests check what a command leaves
        // beside the database.
        .env(
            dutydesk::logging::DIR_ENV,
            std::env::temp_dir().join("dutydesk-test-logs"),
        )
        .args(["--lang", "en"]);
    c
}

fn out_text(o: &Output) -> (String, String) {
    (
        String::from_utf8(o.stdout.clone()).unwrap(),
        String::from_utf8(o.stderr.clone()).unwrap(),
    )
}

#[track_caller]
fn succeeded(o: Output) -> String {
    let (out, err) = out_text(&o);
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {out}\nstderr: {err}",
        o.status.code()
    );
    assert_eq!(err, "", "a success printed to stderr");
    out
}

/// A failure: exit ≠ 0 and exactly one line `dutydesk: …` on stderr.
/// Returns (that line, stdout).
#[track_caller]
fn failed(o: Output) -> (String, String) {
    let (out, err) = out_text(&o);
    assert!(!o.status.success(), "succeeded: {out}");
    assert_eq!(err.lines().count(), 1, "stderr is not one line: {err:?}");
    assert!(
        err.starts_with("dutydesk: ") && err.ends_with('\n'),
        "{err:?}"
    );
    (err.trim_end().to_string(), out)
}

fn disk_state(db: &Path) -> (Events, Vec<String>) {
    state(&Store::open_existing(db, Arc::new(SystemClock)).unwrap())
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// `init` of the gate, `sync invite`, `init --join` of the dorm (PIN and
/// code on stdin). Returns (gate db, dorm db, join file, code, fingerprint).
fn cli_school(dir: &Path) -> (PathBuf, PathBuf, PathBuf, String, String) {
    let (a, b, join) = (
        dir.join("gate.db"),
        dir.join("dorm.db"),
        dir.join("new.ddjoin"),
    );
    succeeded(
        dutydesk()
            .arg("init")
            .arg("--db")
            .arg(&a)
            .args([
                "--school",
                SCHOOL,
                "--station",
                "南门门卫室",
                "--kind",
                "gate",
            ])
            .args(["--admin", "王老师"])
            .write_stdin(format!("{PIN}\n"))
            .output()
            .unwrap(),
    );
    let out = succeeded(
        dutydesk()
            .args(["sync", "invite", "--db"])
            .arg(&a)
            .arg("--out")
            .arg(&join)
            .args(["--as", "王老师"])
            .write_stdin(format!("{PIN}\n"))
            .output()
            .unwrap(),
    );
    let after = |label: &str| -> String {
        let line = out
            .lines()
            .find(|l| l.contains(label))
            .unwrap_or_else(|| panic!("no {label:?} in {out}"));
        let rest = &line[line.find(label).unwrap() + label.len()..];
        rest.split_whitespace().next().unwrap().to_string()
    };
    let code = after("not stored anywhere): ");
    let fp = after("School fingerprint: ");
    assert_eq!(code.len(), 19, "{out}");
    assert!(join.is_file());
    assert!(
        !std::fs::read_to_string(&join)
            .unwrap_or_default()
            .contains("AGE-SECRET-KEY")
    );
    let out = succeeded(
        dutydesk()
            .arg("init")
            .arg("--db")
            .arg(&b)
            .args([
                "--station",
                "1号楼值班室",
                "--kind",
                "dorm",
                "--admin",
                "李老师",
            ])
            .arg("--join")
            .arg(&join)
            .write_stdin(format!("{PIN}\n{}\n", code.to_lowercase()))
            .output()
            .unwrap(),
    );
    assert!(
        out.contains(&fp),
        "the joined station shows the fingerprint: {out}"
    );
    (a, b, join, code, fp)
}

fn register_on_disk(db: &Path, name: &str) -> String {
    let mut store = Store::open_existing(db, Arc::new(SystemClock)).unwrap();
    let admin = store
        .find_operator_by_name("王老师")
        .unwrap()
        .unwrap()
        .actor();
    match store.register_visit(&admin, &form(name), None).unwrap() {
        RegisterOutcome::Registered(id) => id,
        other => panic!("{other:?}"),
    }
}

fn station_id(db: &Path) -> String {
    let store = Store::open_existing(db, Arc::new(SystemClock)).unwrap();
    store.station().unwrap().id.clone()
}

#[test]
fn cli_invite_join_export_import_folder_status() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, _join, _code, fp) = cli_school(dir.path());
    let status = succeeded(
        dutydesk()
            .args(["sync", "status", "--db"])
            .arg(&b)
            .output()
            .unwrap(),
    );
    assert!(
        status.contains(&format!("School fingerprint: {fp}")),
        "{status}"
    );

    let visit = register_on_disk(&a, "李建国");
    let out_dir = dir.path().join("usb");
    std::fs::create_dir(&out_dir).unwrap();
    let out = succeeded(
        dutydesk()
            .args(["sync", "export", "--db"])
            .arg(&a)
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap(),
    );
    let files = listing(&out_dir);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        files[0].ends_with(".ddbundle") && files[0].starts_with("南门门卫室-"),
        "{files:?}"
    );
    let bundle = out_dir.join(&files[0]);
    let n = disk_state(&a).0.len();
    assert!(out.starts_with(&format!("{n} events written to ")), "{out}");

    let before = disk_state(&b);
    // The dorm took the gate's log as it was at the invite when it joined.
    let gate = station_id(&a);
    let had = before.0.iter().filter(|e| e.0 == gate).count();
    assert!(had > 0, "the join brought the gate's first events");
    let dry = succeeded(
        dutydesk()
            .args(["sync", "import", "--db"])
            .arg(&b)
            .arg("--dry-run")
            .arg(&bundle)
            .output()
            .unwrap(),
    );
    assert!(
        dry.contains(&format!(
            "(from 南门门卫室): would add {} new, {had} already here",
            n - had
        )),
        "{dry}"
    );
    assert!(disk_state(&b) == before, "a dry run changed the database");

    let done = succeeded(
        dutydesk()
            .args(["sync", "import", "--db"])
            .arg(&b)
            .arg(&bundle)
            .output()
            .unwrap(),
    );
    assert!(
        done.contains(&format!(
            "(from 南门门卫室): {} new, {had} already here",
            n - had
        )),
        "{done}"
    );
    let dorm = Store::open_existing(&b, Arc::new(SystemClock)).unwrap();
    let row = dorm.visit(&visit).unwrap().expect("the visit at the dorm");
    assert_eq!(row.origin, station_id(&a));
    drop(dorm);
    let again = succeeded(
        dutydesk()
            .args(["sync", "import", "--db"])
            .arg(&b)
            .arg(&bundle)
            .output()
            .unwrap(),
    );
    assert!(
        again.contains(&format!(": 0 new, {n} already here")),
        "{again}"
    );

    // A shared folder: each station leaves its bundle and takes the others'.
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    register_on_disk(&a, "王秀英");
    let folder = |db: &Path| {
        succeeded(
            dutydesk()
                .args(["sync", "folder", "--db"])
                .arg(db)
                .arg(&shared)
                .output()
                .unwrap(),
        )
    };
    folder(&b);
    folder(&a);
    let last = folder(&b);
    assert!(last.contains("(from 南门门卫室): 1 new"), "{last}");
    assert_eq!(listing(&shared).len(), 2, "{:?}", listing(&shared));
    assert_eq!(disk_state(&a), disk_state(&b));

    let status = succeeded(
        dutydesk()
            .args(["sync", "status", "--db"])
            .arg(&a)
            .output()
            .unwrap(),
    );
    for name in ["南门门卫室", "1号楼值班室"] {
        assert!(status.contains(&format!("  {name}: ")), "{status}");
    }
}

#[test]
fn cli_bad_inputs_fail_in_one_line_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, join, code, _fp) = cli_school(dir.path());
    register_on_disk(&a, "李建国");
    let usb = dir.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    succeeded(
        dutydesk()
            .args(["sync", "export", "--db"])
            .arg(&a)
            .arg("--out")
            .arg(&usb)
            .output()
            .unwrap(),
    );
    let bundle = usb.join(&listing(&usb)[0]);
    let before = disk_state(&b);
    let files_before = listing(dir.path());

    // A bundle that is not there.
    let (err, _) = failed(
        dutydesk()
            .args(["sync", "import", "--db"])
            .arg(&b)
            .arg(dir.path().join("missing.ddbundle"))
            .output()
            .unwrap(),
    );
    assert!(err.contains("refused"), "{err}");
    // A sync folder that does not exist (never created).
    let nowhere = dir.path().join("no-such-folder");
    failed(
        dutydesk()
            .args(["sync", "folder", "--db"])
            .arg(&b)
            .arg(&nowhere)
            .output()
            .unwrap(),
    );
    failed(
        dutydesk()
            .args(["sync", "export", "--db"])
            .arg(&b)
            .arg("--out")
            .arg(&nowhere)
            .output()
            .unwrap(),
    );
    assert!(!nowhere.exists());
    // A database that does not exist.
    let (err, _) = failed(
        dutydesk()
            .args(["sync", "import", "--db"])
            .arg(dir.path().join("nope.db"))
            .arg(&bundle)
            .output()
            .unwrap(),
    );
    assert!(err.contains("no database at"), "{err}");
    // No bundle named at all.
    failed(
        dutydesk()
            .args(["sync", "import", "--db"])
            .arg(&b)
            .output()
            .unwrap(),
    );

    // A wrong join code: no database is left behind.
    let c = dir.path().join("office.db");
    let mut wrong = code.clone().into_bytes();
    wrong[0] = if wrong[0] == b'A' { b'B' } else { b'A' };
    let (err, _) = failed(
        dutydesk()
            .arg("init")
            .arg("--db")
            .arg(&c)
            .args([
                "--station",
                "政教处",
                "--kind",
                "office",
                "--admin",
                "赵老师",
            ])
            .arg("--join")
            .arg(&join)
            .write_stdin(format!("{PIN}\n{}\n", String::from_utf8(wrong).unwrap()))
            .output()
            .unwrap(),
    );
    assert!(err.contains("wrong join code"), "{err}");
    assert!(!c.exists(), "a wrong code left a database");
    // A damaged join file.
    let damaged = dir.path().join("damaged.ddjoin");
    let mut bytes = std::fs::read(&join).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&damaged, &bytes).unwrap();
    let (err, _) = failed(
        dutydesk()
            .arg("init")
            .arg("--db")
            .arg(&c)
            .args([
                "--station",
                "政教处",
                "--kind",
                "office",
                "--admin",
                "赵老师",
            ])
            .arg("--join")
            .arg(&damaged)
            .write_stdin(format!("{PIN}\n{code}\n"))
            .output()
            .unwrap(),
    );
    assert!(err.contains("damaged"), "{err}");
    assert!(!c.exists());

    // A tampered bundle: the reason on stdout, one line on stderr.
    let tampered = dir.path().join("tampered.ddbundle");
    let bytes = std::fs::read(&bundle).unwrap();
    std::fs::write(&tampered, flipped(&bytes, bytes.len() / 2)).unwrap();
    let (err, out) = failed(
        dutydesk()
            .args(["sync", "import", "--db"])
            .arg(&b)
            .arg(&tampered)
            .output()
            .unwrap(),
    );
    assert!(err.contains("1 bundle(s) refused"), "{err}");
    assert!(
        out.starts_with("tampered.ddbundle: refused")
            && out.contains("the bundle was altered or damaged"),
        "{out}"
    );
    // A good bundle next to a bad one: the good one is imported.
    let (_, out) = failed(
        dutydesk()
            .args(["sync", "import", "--db"])
            .arg(&b)
            .arg(&tampered)
            .arg(&bundle)
            .output()
            .unwrap(),
    );
    assert_eq!(out.lines().count(), 2, "{out}");
    let after = disk_state(&b);
    assert!(after.0.len() > before.0.len());

    // Nothing else appeared beside the databases (no temporary files).
    let mut expected = files_before.clone();
    expected.push("damaged.ddjoin".into());
    expected.push("tampered.ddbundle".into());
    expected.sort();
    let now: Vec<String> = listing(dir.path())
        .into_iter()
        .filter(|f| !f.ends_with("-wal") && !f.ends_with("-shm"))
        .collect();
    let expected: Vec<String> = expected
        .into_iter()
        .filter(|f| !f.ends_with("-wal") && !f.ends_with("-shm"))
        .collect();
    assert_eq!(now, expected);
    assert_eq!(listing(&usb).len(), 1);
}

/// A refusal on the command line says what it found: the format of a newer
/// bundle, the file error, the replayed event.
#[test]
fn cli_refusal_lines_fill_in_their_details() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, _join, _code, _fp) = cli_school(dir.path());
    register_on_disk(&a, "李建国");
    let usb = dir.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    let export_a = || {
        succeeded(
            dutydesk()
                .args(["sync", "export", "--db"])
                .arg(&a)
                .arg("--out")
                .arg(&usb)
                .output()
                .unwrap(),
        );
    };
    export_a();
    let bundle = usb.join(&listing(&usb)[0]);
    succeeded(
        dutydesk()
            .args(["sync", "import", "--db"])
            .arg(&b)
            .arg(&bundle)
            .output()
            .unwrap(),
    );
    // A forged copy of the gate re-tells its visit.
    let forged_db = dir.path().join("forged.db");
    {
        let gate = Store::open_existing(&a, Arc::new(SystemClock)).unwrap();
        gate.conn()
            .execute("VACUUM INTO ?1", [forged_db.to_str().unwrap()])
            .unwrap();
    }
    let mut forged = Store::open_existing(&forged_db, Arc::new(SystemClock)).unwrap();
    let origin = forged.station().unwrap().id.clone();
    let seq: i64 = forged
        .conn()
        .query_row(
            "SELECT seq FROM events WHERE kind = 'visit.registered'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    forge_event(&forged, &origin, seq, |e| {
        e.body = e.body.replace("李建国", "李建军");
    });
    let replayed = dir.path().join("replayed.ddbundle");
    sync::export_to(&mut forged, &replayed).unwrap();
    drop(forged);

    let before = disk_state(&b);
    for (file, expect) in [
        (fixture("newer_format.ddbundle"), "(format 2)".to_string()),
        (
            dir.path().join("missing.ddbundle"),
            "missing.ddbundle".to_string(),
        ),
        (replayed, format!("#{seq}")),
    ] {
        let (_, out) = failed(
            dutydesk()
                .args(["sync", "import", "--db"])
                .arg(&b)
                .arg(&file)
                .output()
                .unwrap(),
        );
        assert!(!out.contains('{'), "a placeholder left unfilled: {out}");
        assert!(out.contains(&expect), "{expect:?} not in {out}");
    }
    assert!(disk_state(&b) == before);
}

// ---------------------------------------------------------------------------
// Notes written before and after facts

/// A leave mark as the version before facts wrote it: schema 1, the note
/// already translated. Appended to the station's own chain and projected.
fn append_schema_1_mark(store: &mut Store, round: &str, student: &str, note: &str) {
    let origin = store.station().unwrap().id.clone();
    let id = store.new_id();
    let now = store.now_ms();
    let body = serde_json::json!({"round_id": round, "student_ids": [student],
        "mark": "leave", "late_at_ms": null, "note": note})
    .to_string();
    let rec = store
        .batch(|s| {
            let (seq, prev) = log::head(s.conn(), &origin)?;
            let mut rec = EventRecord {
                origin: origin.clone(),
                seq: seq + 1,
                id,
                hlc: log::max_hlc(s.conn())?.tick(now),
                kind: "round.marked".into(),
                entity: format!("round:{round}"),
                schema: 1,
                actor: "system".into(),
                body,
                prev_hash: prev,
                hash: [0; 32],
            };
            rec.hash = rec.compute_hash();
            log::insert(s.conn(), &rec)?;
            let ev = dutydesk::domain::event::Event::parse(&rec.kind, &rec.body)
                .unwrap()
                .unwrap();
            project::apply(s.conn(), &rec, &ev)?;
            Ok(rec)
        })
        .unwrap();
    store.observe_hlc(rec.hlc);
}

#[test]
fn old_text_notes_and_new_fact_notes_sync_and_rebuild_alike() {
    use dutydesk::domain::fact::Fact;
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b, _c) = three(dir.path());
    let s1 = enroll(&mut b, "王一", "1");
    let s2 = enroll(&mut b, "王二", "2");
    let admin = b.admin.clone();
    b.store
        .grant_leave(
            &admin,
            &s1,
            T0,
            T0 + 86_400_000,
            "回家",
            "周老师",
            "县城家中",
        )
        .unwrap();
    b.tick(1);
    let r = b
        .store
        .start_round(&admin, RoundKind::LightsOut, "1号楼")
        .unwrap();
    let old_note = "21:05 随 王二妈妈（母亲）离校";
    append_schema_1_mark(&mut b.store, &r, &s2, old_note);
    verified(&b.store);

    let p = dir.path().join("dorm.ddbundle");
    export(&mut b, &p);
    import(&mut a, &p);
    type Shown = Vec<(String, Option<Mark>, String, Option<Fact>)>;
    let sheet = |s: &Store| -> Shown {
        s.round_sheet(&r)
            .unwrap()
            .into_iter()
            .map(|x| (x.student.id, x.mark, x.note, x.fact))
            .collect()
    };
    let at_gate = sheet(&a.store);
    assert_eq!(at_gate, sheet(&b.store), "both stations show the same");
    let row = |id: &str| at_gate.iter().find(|x| x.0 == id).unwrap().clone();
    assert_eq!(
        row(&s2),
        (s2.clone(), Some(Mark::Leave), old_note.into(), None)
    );
    assert!(
        matches!(&row(&s1).3, Some(Fact::OnLeave { destination, .. }) if destination == "县城家中"),
        "{:?}",
        row(&s1)
    );
    // Rebuilt from the mixed log, the gate shows what it projected.
    let before = dump(&a.store);
    a.store.batch(|s| project::rebuild(s.conn())).unwrap();
    assert_eq!(dump(&a.store), before);
    verified(&a.store);
}

#[test]
fn a_return_recorded_at_two_stations_is_listed_for_review_and_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b, _c) = three(dir.path());
    let student = enroll(&mut a, "王小明", "1");
    let ga = a.admin.clone();
    let departure = a
        .store
        .gate_depart(
            &ga,
            &student,
            "王小明妈妈",
            "母亲",
            "13900139000",
            None,
            "看病",
            None,
        )
        .unwrap();
    let p = dir.path().join("a1.ddbundle");
    export(&mut a, &p);
    import(&mut b, &p);

    // The gate and the dorm each record the boarder back, at different times.
    a.tick(90);
    a.store.record_return(&ga, &departure, true).unwrap();
    b.tick(150);
    let gb = b.admin.clone();
    b.store.record_return(&gb, &departure, true).unwrap();
    let (pa, pb) = (
        dir.path().join("a2.ddbundle"),
        dir.path().join("b2.ddbundle"),
    );
    export(&mut a, &pa);
    export(&mut b, &pb);
    import(&mut a, &pb);
    import(&mut b, &pa);

    let back = |s: &Station| -> Option<i64> {
        s.store
            .conn()
            .query_row(
                "SELECT returned_ms FROM departures WHERE id = ?1",
                [&departure],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(back(&a), back(&b), "the same provisional time everywhere");
    let key = format!("departure:{departure}/return");
    for s in [&a, &b] {
        let cs = s.store.conflicts().unwrap();
        assert_eq!(cs.len(), 1, "{cs:#?}");
        assert_eq!(cs[0].key, key);
        assert_eq!(cs[0].kind, "return");
        assert_eq!(cs[0].events.len(), 2, "both returns are kept");
        assert_eq!(
            s.store.boarder_of(&cs[0].entity).unwrap(),
            Some(student.clone())
        );
    }
    // The duty leader picks the return not shown; every station follows.
    let conflict = a.store.conflicts().unwrap().remove(0);
    let other = conflict
        .events
        .iter()
        .find(|e| e.id != conflict.provisional)
        .unwrap()
        .clone();
    a.store
        .resolve_conflict(&ga, &key, &other.id, "宿舍楼的时间是对的")
        .unwrap();
    let p3 = dir.path().join("a3.ddbundle");
    export(&mut a, &p3);
    import(&mut b, &p3);
    assert_ne!(back(&a), None);
    assert_eq!(back(&a), back(&b));
    assert_eq!(back(&a), Some(other.hlc.ms), "the chosen return counts");
    for s in [&a, &b] {
        assert!(s.store.conflicts().unwrap()[0].decided.is_some());
    }
}

#[test]
fn one_record_changed_differently_at_two_stations_is_listed_and_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b, _c) = three(dir.path());
    let student = enroll(&mut a, "李小红", "2");
    let p = dir.path().join("a1.ddbundle");
    export(&mut a, &p);
    import(&mut b, &p);

    // The office and the dorm each correct the mother's phone, differently.
    let changed = |phone: &str| {
        let mut d = boarder("李小红");
        d.guardians[0].phone = Some(phone.into());
        d
    };
    a.tick(5);
    let ga = a.admin.clone();
    a.store
        .update_student(&ga, &student, changed("13900000001"))
        .unwrap();
    b.tick(7);
    let gb = b.admin.clone();
    b.store
        .update_student(&gb, &student, changed("13900000002"))
        .unwrap();
    // A later change at one station, to its own version, is no contradiction.
    a.tick(1);
    let mut again = changed("13900000001");
    again.class = "初二(4)班".into();
    a.store.update_student(&ga, &student, again).unwrap();
    let (pa, pb) = (
        dir.path().join("a2.ddbundle"),
        dir.path().join("b2.ddbundle"),
    );
    export(&mut a, &pa);
    export(&mut b, &pb);
    import(&mut a, &pb);
    import(&mut b, &pa);

    let phone = |s: &Station| {
        s.store.student(&student).unwrap().unwrap().data.guardians[0]
            .phone
            .clone()
    };
    assert_eq!(phone(&a), phone(&b), "the same record shown everywhere");
    for s in [&a, &b] {
        let cs = s.store.conflicts().unwrap();
        assert_eq!(cs.len(), 1, "{cs:#?}");
        assert_eq!(cs[0].kind, "student_edit");
        assert!(cs[0].key.starts_with(&format!("student:{student}/")));
        assert_eq!(cs[0].events.len(), 2, "the two changes of one version");
    }
    // The duty leader keeps the office's number; every station follows.
    let conflict = a.store.conflicts().unwrap().remove(0);
    let office = conflict
        .events
        .iter()
        .find(|e| e.origin == a.id())
        .unwrap()
        .clone();
    let gc = a.admin.clone();
    a.store
        .resolve_conflict(&gc, &conflict.key, &office.id, "先按门卫室的")
        .unwrap();
    assert_eq!(phone(&a).as_deref(), Some("13900000001"));
    // Then, having called the mother, the dorm's; every station follows.
    let conflict = a.store.conflicts().unwrap().remove(0);
    let dorms = conflict
        .events
        .iter()
        .find(|e| e.origin == b.id())
        .unwrap()
        .clone();
    a.store
        .resolve_conflict(&ga, &conflict.key, &dorms.id, "已打电话核实")
        .unwrap();
    let p3 = dir.path().join("a3.ddbundle");
    export(&mut a, &p3);
    import(&mut b, &p3);
    for s in [&a, &b] {
        assert_eq!(phone(s).as_deref(), Some("13900000002"));
        assert!(s.store.conflicts().unwrap()[0].decided.is_some());
    }
}
