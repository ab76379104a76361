//! Convergence of stations that sync by bundle files (issue 4), in the
//! manner of taskchampion's `tests/syncing-proptest.rs`: 3–5 stations of one
//! school do random work of every event kind and swap bundles at random —
//! some bundles are imported twice, some late, some never, some arrive with a
//! flipped byte. Once everyone has received everything, every station must
//! hold the same events and show the same projections, and a rebuild from the
//! log must show them too.
//!
//! The generator covers every kind in `Event::KINDS`:
//!   station.created (setup, join) · operator.added / changed / pin_set /
//!   logged_in · setting.changed · visit.registered / denied (watchlist hit,
//!   guard denies) / signed_out / corrected · watchlist.added / removed ·
//!   student.enrolled / updated / moved / left · bed.added · roster.imported
//!   (tests/fixtures/roster/utf8.csv and roster_v2.csv) · staff.set ·
//!   round.started / marked (one boarder, or the rest of a building) / closed
//!   (normal, or forced by a duty leader) · absence.followup · sick.recorded ·
//!   sick.followup · leave.granted · leave.returned · gate.departed (on the
//!   pick-up list, or approved by a duty leader) · gate.returned ·
//!   conflict.resolved (a duty leader decides a contradiction) ·
//!   station.retired (an admin retires another station; heard from again,
//!   it counts again) · hazard.reported / assigned / rectified / verified
//!   (pass or fail) / closed / reopened
//!   it counts again) · checkpoint.set (added, changed, retired) · route.set
//!   · route.assigned · patrol.started · patrol.checked (OK or a finding,
//!   now or entered later) · patrol.closed (with a reason when missed) ·
//!   shiftlog.entered (with or without follow-up) / corrected / closed (and
//!   closed at every station with different outcomes: a contradiction)
//!   duty.planned (set, or removed) · duty.shifts_set · handover.signed ·
//!   handover.accepted · handover.countersigned · backup.made
//! plus an event of a kind this version does not know ("patrol.future"),
//! appended to a station's own chain, which must travel on unprojected.
//! `every_kind_is_generated` runs a scripted case through the same harness
//! and checks that the final log holds every kind.
//!
//! Steps: an operation at a station (sent on to the next station that holds
//! what it is about, so few are wasted); "export" (every bundle is kept);
//! "import" of an earlier bundle (usually a recent one, else any — so
//! duplicates, reordering, drops and re-deliveries all happen); "carry"
//! (export and import at once); a bundle with one flipped bit (must be
//! refused with nothing changed); a full export (`--full`); "forget" (a
//! station loses what it knew of the others: whole bundles again); "join"
//! (a new station joins mid-way, taking the inviter's full bundle in);
//! "silence" and "wake" (one station takes no part for a while, holding the
//! others' floors down); "folder" (sync through one shared folder, where a
//! file-sync tool leaves conflict copies, duplicates and cut temporary
//! files: none may be refused or imported twice); and
//! "contend": the station holding a
//! visit on site or an open round carries its bundle to all others, then
//! every station signs the visit out, marks one boarder (each differently)
//! or force-closes the round before anything else is exchanged — the
//! contradictions a duty leader later resolves.
//!
//! Bundles are incremental (issue 10): each carries only what some station
//! its maker knows of may lack, so a bundle handed to a station its maker
//! has not heard of may hold events above what that station has: they wait
//! (counted as rejected) and must arrive by the end. After the final
//! delivery every station must know that every other holds everything: a
//! further export carries no event.
//!
//! Stations are in-memory stores (bundles are real files in a temporary
//! folder), each with its own `FixedClock` started at a different time (one
//! 25 minutes behind) and advanced by the steps.
//!
//! Runs 24 cases of up to 40 steps (~20 s in debug); `PROPTEST_CASES=n`
//! changes the count. Failures are not persisted to a file; the shrunk case
//! is printed.

use dutydesk::domain::event::{Event, StationKind};
use dutydesk::domain::hlc::Hlc;
use dutydesk::domain::role::{Actor, Role};
use dutydesk::domain::rollcall::{Mark, RoundKind};
use dutydesk::domain::roster::{BedRef, Gender, Guardian, StaffKind, StudentData, Zone};
use dutydesk::domain::time::FixedClock;
use dutydesk::domain::visit::{Decision, VisitForm, VisitorType};
use dutydesk::domain::watchlist::WatchForm;
use dutydesk::import::roster::{ParsedRoster, parse_file};
use dutydesk::store::log::{self, EventRecord};
use dutydesk::store::{Store, StoreError, project};
use dutydesk::sync::{self, crypto::JoinInfo};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// 2026-11-18 21:13 in +08:00: an evening on duty.
const T0: i64 = 1_795_000_000_000 + 13 * 3_600_000;
const PIN: &str = "2468";
/// Where each station's clock starts, relative to T0 (minutes): one behind.
const CLOCK_OFFSETS_MIN: [i64; 5] = [0, 3, -25, 7, 1];
const STATION_NAMES: [(&str, StationKind); 5] = [
    ("南门门卫室", StationKind::Gate),
    ("1号楼值班室", StationKind::Dorm),
    ("政教处", StationKind::Office),
    ("2号楼值班室", StationKind::Dorm),
    ("北门门卫室", StationKind::Gate),
];
const VISITORS: [&str; 6] = ["李建国", "王秀英", "张伟", "赵某某", "陈静", "刘洋"];
/// Names the watchlist may hold; 赵某某 and 张伟 also visit.
const WATCHED: [&str; 3] = ["赵某某", "张伟", "孙悟"];
const PHONES: [&str; 3] = ["13800138000", "13912345678", ""];
const BUILDINGS: [&str; 2] = ["1号楼", "2号楼"];
const BOARDERS: [&str; 5] = ["王一", "王二", "李三", "周四", "吴五"];
const SETTINGS: [(&str, i64, i64); 6] = [
    ("lock_minutes", 1, 240),
    ("special_period", 0, 1),
    ("curfew_minutes", 17 * 60, 24 * 60 - 1),
    ("curfew_minutes.1号楼", 17 * 60, 24 * 60 - 1),
    ("bed_check_every_minutes", 30, 600),
    ("expected_minutes.parent", 5, 24 * 60),
];

// ---------------------------------------------------------------------------
// Steps

#[derive(Debug, Clone)]
enum Op {
    AddOperator {
        role: u8,
    },
    ChangeOperator {
        who: u8,
        role: u8,
        active: bool,
    },
    SetPin {
        who: u8,
    },
    Login {
        who: u8,
    },
    /// `n % 6 + 1` wrong PINs in a row (five lock the operator out).
    WrongPins {
        who: u8,
        n: u8,
    },
    Unlock {
        who: u8,
    },
    SetSetting {
        key: u8,
        value: u16,
    },
    Register {
        name: u8,
        phone: u8,
        deny: bool,
    },
    SignOut {
        visit: u8,
    },
    /// An admin purges personal data; "now" is read as `days` ahead, so
    /// visits that have ended are due (retention is 180 days).
    Purge {
        days: u16,
    },
    Correct {
        visit: u8,
        variant: u8,
    },
    AddWatch {
        name: u8,
    },
    RemoveWatch {
        entry: u8,
    },
    Enroll {
        name: u8,
        bed: u8,
    },
    Move {
        student: u8,
        bed: u8,
    },
    Update {
        student: u8,
        variant: u8,
    },
    Left {
        student: u8,
    },
    ImportRoster {
        v2: bool,
    },
    SetStaff {
        staff: u8,
        phone: bool,
    },
    StartRound {
        bed_check: bool,
        building: u8,
    },
    Mark {
        round: u8,
        student: u8,
        mark: u8,
    },
    MarkRest {
        round: u8,
        mark: u8,
    },
    Followup {
        round: u8,
        student: u8,
    },
    Close {
        round: u8,
        force: bool,
    },
    Sick {
        student: u8,
    },
    SickFollowup {
        sick: u8,
        closed: bool,
    },
    Leave {
        student: u8,
    },
    Return {
        pick: u8,
        gate: bool,
    },
    Depart {
        student: u8,
        on_list: bool,
    },
    Resolve {
        conflict: u8,
        pick: u8,
    },
    /// The admin retires another station of the school this one knows.
    Retire {
        station: u8,
    },
    /// A hazard reported at this station.
    ReportHazard {
        place: u8,
        sev: u8,
    },
    /// The next step of a hazard's loop its state allows (assign, fix,
    /// verify pass or fail, close, reopen), by whoever may take it.
    HazardStep {
        hazard: u8,
        pass: bool,
    },
    /// An admin adds a checkpoint, or changes (or retires) one.
    SetCheckpoint {
        n: u8,
        retire: bool,
    },
    /// An admin sets up a route over the active checkpoints.
    SetRoute {
        variant: u8,
    },
    /// A duty leader names tonight's patroller of a route.
    AssignRoute {
        route: u8,
    },
    StartPatrol {
        route: u8,
    },
    CheckIn {
        round: u8,
        cp: u8,
        finding: bool,
    },
    ClosePatrol {
        round: u8,
    },
    /// A shift-log entry, needing follow-up or not.
    LogEntry {
        cat: u8,
        followup: bool,
    },
    /// A correction (by a duty leader) or, when open, a close of an entry.
    LogStep {
        entry: u8,
        close: bool,
    },
    FutureKind,
    /// An admin records a backup taken (`backup.made`).
    Backup {
        how: u8,
    },
    /// An admin sets (or removes) a roster line of any station it knows.
    PlanDuty {
        station: u8,
        day: u8,
        night: bool,
        variant: u8,
        remove: bool,
    },
    /// An admin sets this station's shift times and grace.
    SetShifts {
        grace: u8,
    },
    /// A handover step at this station: the guard signs the current shift
    /// over; the teacher accepts one waiting; the duty leader countersigns
    /// one accepted (two stations may sign one shift: a contradiction).
    Handover {
        step: u8,
    },
}

/// The same act at every station that can do it, before any exchange.
#[derive(Debug, Clone)]
enum Contend {
    SignOut {
        visit: u8,
    },
    Mark {
        round: u8,
        student: u8,
    },
    Close {
        round: u8,
    },
    /// Every station closes one open shift-log entry with its own outcome.
    CloseLog {
        entry: u8,
    },
    /// One checkpoint of an open patrol round checked in at every station:
    /// OK at some, a finding at others.
    PatrolCheck {
        round: u8,
        cp: u8,
    },
    /// An open patrol round closed at every station, each with its own reason.
    PatrolClose {
        round: u8,
    },
}

#[derive(Debug, Clone)]
enum Step {
    Op {
        at: u8,
        mins: u8,
        op: Op,
    },
    Export {
        at: u8,
    },
    /// Station `at` imports an earlier bundle: usually one of the last few,
    /// otherwise any (its own, a stale one, one already imported).
    Import {
        at: u8,
        pick: u16,
    },
    /// A USB stick carried at once: `from` exports, `to` imports that bundle.
    Carry {
        from: u8,
        to: u8,
    },
    /// Station `at` is handed an earlier bundle with one byte flipped.
    Tampered {
        at: u8,
        pick: u16,
        pos: u32,
    },
    Contend(Contend),
    /// `at` exports a full bundle (`sync export --full`), kept like others.
    ExportFull {
        at: u8,
    },
    /// `at` loses what it knew of the others (a restored or damaged
    /// bookkeeping table): its next bundles are whole again.
    Forget {
        at: u8,
    },
    /// A new station joins mid-way, invited by `from`: the join takes the
    /// inviter's full bundle in.
    Join {
        from: u8,
    },
    /// `at` falls silent: it takes no part in anything until `Wake` (the
    /// others go on without hearing from it).
    Silence {
        at: u8,
    },
    Wake,
    /// `at` syncs through the shared folder.
    Folder {
        at: u8,
    },
    /// A file-sync tool copies a bundle of the shared folder: a conflict
    /// copy, a duplicate, a copy named after another computer, or a
    /// temporary file cut short.
    FolderCopy {
        pick: u16,
        how: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let b = any::<bool>;
    let u = any::<u8>;
    prop_oneof![
        1 => u().prop_map(|role| Op::AddOperator { role }),
        1 => (u(), u(), b()).prop_map(|(who, role, active)| Op::ChangeOperator { who, role, active }),
        1 => u().prop_map(|who| Op::SetPin { who }),
        1 => u().prop_map(|who| Op::Login { who }),
        1 => (u(), u()).prop_map(|(who, n)| Op::WrongPins { who, n }),
        1 => u().prop_map(|who| Op::Unlock { who }),
        1 => (u(), any::<u16>()).prop_map(|(key, value)| Op::SetSetting { key, value }),
        6 => (u(), u(), b()).prop_map(|(name, phone, deny)| Op::Register { name, phone, deny }),
        2 => u().prop_map(|visit| Op::SignOut { visit }),
        1 => (170u16..200).prop_map(|days| Op::Purge { days }),
        1 => (u(), u()).prop_map(|(visit, variant)| Op::Correct { visit, variant }),
        2 => u().prop_map(|name| Op::AddWatch { name }),
        1 => u().prop_map(|entry| Op::RemoveWatch { entry }),
        2 => (u(), u()).prop_map(|(name, bed)| Op::Enroll { name, bed }),
        1 => (u(), u()).prop_map(|(student, bed)| Op::Move { student, bed }),
        1 => (u(), u()).prop_map(|(student, variant)| Op::Update { student, variant }),
        1 => u().prop_map(|student| Op::Left { student }),
        2 => b().prop_map(|v2| Op::ImportRoster { v2 }),
        1 => (u(), b()).prop_map(|(staff, phone)| Op::SetStaff { staff, phone }),
        4 => (b(), u()).prop_map(|(bed_check, building)| Op::StartRound { bed_check, building }),
        2 => (u(), u(), u()).prop_map(|(round, student, mark)| Op::Mark { round, student, mark }),
        1 => (u(), u()).prop_map(|(round, mark)| Op::MarkRest { round, mark }),
        2 => (u(), u()).prop_map(|(round, student)| Op::Followup { round, student }),
        1 => (u(), b()).prop_map(|(round, force)| Op::Close { round, force }),
        1 => u().prop_map(|student| Op::Sick { student }),
        1 => (u(), b()).prop_map(|(sick, closed)| Op::SickFollowup { sick, closed }),
        1 => u().prop_map(|student| Op::Leave { student }),
        2 => (u(), b()).prop_map(|(pick, gate)| Op::Return { pick, gate }),
        1 => (u(), b()).prop_map(|(student, on_list)| Op::Depart { student, on_list }),
        3 => (u(), u()).prop_map(|(conflict, pick)| Op::Resolve { conflict, pick }),
        1 => Just(Op::FutureKind),
        1 => u().prop_map(|how| Op::Backup { how }),
        1 => u().prop_map(|station| Op::Retire { station }),
        1 => (u(), u()).prop_map(|(place, sev)| Op::ReportHazard { place, sev }),
        3 => (u(), b()).prop_map(|(hazard, pass)| Op::HazardStep { hazard, pass }),
        1 => (u(), b()).prop_map(|(n, retire)| Op::SetCheckpoint { n, retire }),
        1 => u().prop_map(|variant| Op::SetRoute { variant }),
        1 => u().prop_map(|route| Op::AssignRoute { route }),
        2 => u().prop_map(|route| Op::StartPatrol { route }),
        3 => (u(), u(), b()).prop_map(|(round, cp, finding)| Op::CheckIn { round, cp, finding }),
        1 => u().prop_map(|round| Op::ClosePatrol { round }),
        1 => (u(), b()).prop_map(|(cat, followup)| Op::LogEntry { cat, followup }),
        1 => (u(), b()).prop_map(|(entry, close)| Op::LogStep { entry, close }),
        2 => (u(), 0u8..3, b(), u(), b()).prop_map(|(station, day, night, variant, remove)| Op::PlanDuty { station, day, night, variant, remove }),
        1 => u().prop_map(|grace| Op::SetShifts { grace }),
        2 => u().prop_map(|step| Op::Handover { step }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let u = any::<u8>;
    prop_oneof![
        20 => (u(), 0u8..20, op()).prop_map(|(at, mins, op)| Step::Op { at, mins, op }),
        3 => u().prop_map(|at| Step::Export { at }),
        4 => (u(), any::<u16>()).prop_map(|(at, pick)| Step::Import { at, pick }),
        3 => (u(), u()).prop_map(|(from, to)| Step::Carry { from, to }),
        1 => (u(), any::<u16>(), any::<u32>()).prop_map(|(at, pick, pos)| Step::Tampered { at, pick, pos }),
        2 => u().prop_map(|visit| Step::Contend(Contend::SignOut { visit })),
        2 => (u(), u()).prop_map(|(round, student)| Step::Contend(Contend::Mark { round, student })),
        1 => u().prop_map(|round| Step::Contend(Contend::Close { round })),
        1 => u().prop_map(|entry| Step::Contend(Contend::CloseLog { entry })),
        1 => (u(), u()).prop_map(|(round, cp)| Step::Contend(Contend::PatrolCheck { round, cp })),
        1 => u().prop_map(|round| Step::Contend(Contend::PatrolClose { round })),
        1 => u().prop_map(|at| Step::ExportFull { at }),
        1 => u().prop_map(|at| Step::Forget { at }),
        1 => u().prop_map(|from| Step::Join { from }),
        1 => u().prop_map(|at| Step::Silence { at }),
        1 => Just(Step::Wake),
        3 => u().prop_map(|at| Step::Folder { at }),
        1 => (any::<u16>(), u()).prop_map(|(pick, how)| Step::FolderCopy { pick, how }),
    ]
}

/// (stations, whether station 0 imports the roster before anything else,
/// steps). Most nights begin with a roster; some cases start empty.
fn scenario() -> impl Strategy<Value = (usize, bool, Vec<Step>)> {
    (
        3usize..=5,
        prop::bool::weighted(0.75),
        proptest::collection::vec(step(), 1..=40),
    )
}

// ---------------------------------------------------------------------------
// Stations

struct Station {
    store: Store,
    clock: FixedClock,
    admin: Actor,
    leader: Actor,
    /// Operators this station added during the run.
    extra: Vec<Actor>,
}

/// Domain refusals are part of the game; anything else is a failure.
fn ok<T>(r: Result<T, StoreError>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(StoreError::Domain(_)) => None,
        Err(e) => panic!("database error: {e}"),
    }
}

fn rosters() -> &'static (ParsedRoster, ParsedRoster) {
    static R: OnceLock<(ParsedRoster, ParsedRoster)> = OnceLock::new();
    R.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/roster");
        (
            parse_file(&dir.join("utf8.csv")).expect("roster fixture"),
            parse_file(&dir.join("roster_v2.csv")).expect("roster fixture"),
        )
    })
}

/// Station 0 is set up as a new school; the others join it. The join file's
/// scrypt stretching (~0.5 s each) is skipped here by handing the join info
/// over directly — `tests/sync.rs` goes through the real join file.
fn school(n: usize) -> Vec<Station> {
    let mut out: Vec<Station> = Vec::new();
    for i in 0..n {
        let info = out.first_mut().map(|first| join_info(first, None));
        out.push(station(i, info.as_ref(), T0));
    }
    out
}

/// What a join file made at `from` holds, with the full bundle beside it.
fn join_info(from: &mut Station, snapshot: Option<PathBuf>) -> JoinInfo {
    let id = sync::identity(&mut from.store).unwrap();
    JoinInfo {
        school_id: id.school_id,
        school_name: "青山县第一中学".into(),
        secret: id.key.secret(),
        made_by_station: from.store.station().unwrap().name.clone(),
        made_ms: from.store.now_ms(),
        snapshot,
    }
}

/// Station `i` (of `STATION_NAMES`): the school's first when `info` is
/// `None`, else joining with it; its clock starts near `start`.
fn station(i: usize, info: Option<&JoinInfo>, start: i64) -> Station {
    let (name, kind) = &STATION_NAMES[i];
    {
        let clock = FixedClock::new(start + CLOCK_OFFSETS_MIN[i] * 60_000 + i as i64 * 1_000);
        let mut store = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
        let admin_name = format!("管理员{i}");
        let admin = match info {
            None => store
                .setup("青山县第一中学", name, kind.clone(), 480, &admin_name, PIN)
                .unwrap(),
            Some(info) => {
                sync::join(&mut store, info, name, kind.clone(), 480, &admin_name, PIN).unwrap();
                store
                    .find_operator_by_name(&admin_name)
                    .unwrap()
                    .expect("the joining admin")
                    .actor()
            }
        };
        let leader = store
            .add_operator(&admin, &format!("刘主任{i}"), Role::DutyLeader, PIN)
            .unwrap();
        Station {
            store,
            clock,
            admin,
            leader,
            extra: vec![],
        }
    }
}

fn ids(store: &Store, sql: &str) -> Vec<String> {
    let mut stmt = store.conn().prepare(sql).unwrap();
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

fn pick<T: Clone>(v: &[T], i: impl Into<usize>) -> Option<T> {
    (!v.is_empty()).then(|| v[i.into() % v.len()].clone())
}

/// Half the time one of the last three bundles, else any.
fn recent<T: Clone>(v: &[T], i: u16) -> Option<T> {
    if i.is_multiple_of(2) {
        let back = usize::from(i / 2) % v.len().clamp(1, 3);
        v.len().checked_sub(1 + back).map(|j| v[j].clone())
    } else {
        pick(v, i / 2)
    }
}

/// Every event held, bodies too: a purge must have erased the same ones
/// everywhere.
fn events(store: &Store) -> Vec<(String, i64, Vec<u8>, String)> {
    let mut stmt = store
        .conn()
        .prepare("SELECT origin, seq, hash, body FROM events ORDER BY origin, seq")
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

/// Every projection row, sorted (the order of rows within a table is not
/// part of the state).
fn dump(store: &Store) -> Vec<String> {
    let mut d = project::dump(store.conn()).unwrap();
    d.sort();
    d
}

fn verified(store: &Store) -> u64 {
    match log::verify(store.conn()).unwrap() {
        Ok(n) => n,
        Err(fault) => panic!("hash chain broken: {fault:?}"),
    }
}

fn student_data(name: &str, variant: u8) -> StudentData {
    StudentData {
        student_no: None,
        name: name.into(),
        gender: Some(if variant.is_multiple_of(2) {
            Gender::Male
        } else {
            Gender::Female
        }),
        class: format!("初二({})班", 1 + variant % 4),
        head_teacher: "周老师".into(),
        guardians: vec![Guardian {
            name: format!("{name}妈妈"),
            relation: "母亲".into(),
            phone: Some("13800138000".into()),
            may_pick_up: true,
        }],
        left_behind: variant.is_multiple_of(3),
        care_notes: if variant.is_multiple_of(5) {
            String::new()
        } else {
            format!("备注{variant}")
        },
    }
}

fn bed(i: u8) -> BedRef {
    BedRef {
        building: BUILDINGS[usize::from(i) % 2].into(),
        floor: 1,
        room: format!("10{}", 1 + (i / 2) % 2),
        bed: (1 + (i / 4) % 3).to_string(),
    }
}

fn visit_form(name: &str, phone: &str, variant: u8) -> VisitForm {
    VisitForm {
        name: name.into(),
        phone: phone.into(),
        visitor_type: VisitorType::ALL[usize::from(variant) % 5],
        host: "初二(3)班 王一".into(),
        relation: "父亲".into(),
        purpose: if variant.is_multiple_of(2) {
            "送衣物".into()
        } else {
            "接孩子".into()
        },
        // Filled so registration also works while a special period is set.
        badge: "A01".into(),
        authorised_by: "刘主任".into(),
        ..VisitForm::default()
    }
}

/// An event of a kind this version does not know, appended to the
/// station's own chain with a proper hash (as a newer dutydesk would).
fn append_future_kind(store: &mut Store, actor: &str, n: usize) {
    let origin = store.station().unwrap().id.clone();
    let id = store.new_id();
    let now = store.now_ms();
    let hlc = store
        .batch(|s| {
            let (seq, prev) = log::head(s.conn(), &origin)?;
            let hlc: Hlc = log::max_hlc(s.conn())?.tick(now);
            let mut rec = EventRecord {
                origin: origin.clone(),
                seq: seq + 1,
                id,
                hlc,
                kind: "patrol.future".into(),
                entity: format!("patrol:{n}"),
                schema: 2,
                actor: actor.to_string(),
                body: format!("{{\"route\":\"东区\",\"checkpoint\":{n}}}"),
                prev_hash: prev,
                hash: [0; 32],
            };
            rec.hash = rec.compute_hash();
            log::insert(s.conn(), &rec)?;
            Ok(hlc)
        })
        .unwrap();
    store.observe_hlc(hlc);
}

fn mark_of(i: u8) -> Mark {
    Mark::ALL[usize::from(i) % Mark::ALL.len()]
}

fn late_at(mark: Mark, now: i64) -> Option<i64> {
    (mark == Mark::Late).then_some(now - 5 * 60_000)
}

fn apply(st: &mut Station, op: &Op, future_n: &mut usize) {
    let now = st.store.now_ms();
    let admin = st.admin.clone();
    let leader = st.leader.clone();
    // Visits and the gate: whoever is on duty, a guard if one was added.
    let guard = st
        .extra
        .iter()
        .find(|a| a.role == Role::Guard)
        .cloned()
        .unwrap_or_else(|| admin.clone());
    let teacher = st
        .extra
        .iter()
        .find(|a| a.role == Role::DormTeacher)
        .cloned()
        .unwrap_or_else(|| leader.clone());
    let s = &mut st.store;
    match *op {
        Op::AddOperator { role } => {
            let role = [Role::Guard, Role::DormTeacher, Role::DutyLeader][usize::from(role) % 3];
            let name = format!("值班{}{}", s.station().unwrap().name, st.extra.len());
            if let Some(a) = ok(s.add_operator(&admin, &name, role, PIN)) {
                st.extra.push(a);
            }
        }
        Op::ChangeOperator { who, role, active } => {
            let ops = ids(s, "SELECT id FROM operators ORDER BY id");
            if let Some(id) = pick(&ops, who) {
                let role = Role::ALL[usize::from(role) % 4];
                ok(s.change_operator(&admin, &id, role, active));
            }
        }
        Op::SetPin { who } => {
            let ops = ids(s, "SELECT id FROM operators ORDER BY id");
            if let Some(id) = pick(&ops, who) {
                ok(s.set_pin(&admin, &id, PIN));
            }
        }
        Op::Login { who } => {
            let ops = ids(s, "SELECT id FROM operators ORDER BY id");
            if let Some(id) = pick(&ops, who) {
                ok(s.login(&id, PIN));
            }
        }
        Op::WrongPins { who, n } => {
            let ops = ids(s, "SELECT id FROM operators ORDER BY id");
            if let Some(id) = pick(&ops, who) {
                for _ in 0..=(n % 6) {
                    ok(s.verify_pin(&id, "0000"));
                }
            }
        }
        Op::Unlock { who } => {
            let ops = ids(s, "SELECT id FROM operators ORDER BY id");
            if let Some(id) = pick(&ops, who) {
                ok(s.unlock_operator(&admin, &id));
            }
        }
        Op::SetSetting { key, value } => {
            let (k, min, max) = SETTINGS[usize::from(key) % SETTINGS.len()];
            let v = min + i64::from(value) % (max - min + 1);
            ok(s.set_setting(&admin, k, v));
        }
        Op::Register { name, phone, deny } => {
            // A third of visitors are someone on this station's watchlist.
            let watched = ids(s, "SELECT name FROM watchlist WHERE active = 1 ORDER BY id");
            let who = match pick(&watched, name / 3) {
                Some(w) if name % 3 == 0 => w,
                _ => VISITORS[usize::from(name) % VISITORS.len()].to_string(),
            };
            let form = visit_form(&who, PHONES[usize::from(phone) % PHONES.len()], name);
            // With no watchlist hit the decision is not used.
            let decision = if deny {
                (Decision::Deny, "名单人员，拒绝入校".to_string())
            } else {
                (Decision::Admit, "已核实，准许入校".to_string())
            };
            ok(s.register_visit(&guard, &form, Some(decision)));
        }
        Op::SignOut { visit } => {
            // Mostly someone on site; sometimes anyone (a second sign-out
            // is refused by the rules).
            let v = if visit % 4 == 0 {
                ids(s, "SELECT id FROM visits ORDER BY id")
            } else {
                ids(
                    s,
                    "SELECT id FROM visits WHERE status = 'on_site' ORDER BY id",
                )
            };
            if let Some(id) = pick(&v, visit) {
                ok(s.sign_out(&guard, &id));
            }
        }
        Op::Correct { visit, variant } => {
            let v = ids(s, "SELECT id FROM visits ORDER BY id");
            if let Some(id) = pick(&v, visit) {
                let row = s.visit(&id).unwrap().unwrap();
                let mut form = VisitForm::from_details(&row.details);
                match variant % 3 {
                    0 => form.purpose = format!("{}（更正）", form.purpose),
                    1 => form.phone = PHONES[usize::from(variant) % 2].into(),
                    _ => form.party_size = (1 + variant % 4).to_string(),
                }
                ok(s.correct_visit(&guard, &id, &form, "登记有误"));
            }
        }
        Op::AddWatch { name } => {
            let form = WatchForm {
                name: WATCHED[usize::from(name) % WATCHED.len()].into(),
                phone: if name % 2 == 0 {
                    "13912345678".into()
                } else {
                    String::new()
                },
                reason: "法院禁止令".into(),
                ..WatchForm::default()
            };
            ok(s.add_watch(&admin, &form));
        }
        Op::RemoveWatch { entry } => {
            let w = ids(s, "SELECT id FROM watchlist ORDER BY id");
            if let Some(id) = pick(&w, entry) {
                ok(s.remove_watch(&admin, &id, "禁止令已到期"));
            }
        }
        Op::Enroll { name, bed: b } => {
            let data = student_data(BOARDERS[usize::from(name) % BOARDERS.len()], name);
            let zone = (b % 3 == 0).then_some(Zone::Boys);
            ok(s.enroll_student(&admin, data, Some(bed(b)), zone));
        }
        Op::Move { student, bed: b } => {
            if let Some(id) = pick(&ids_sorted_students(s), student) {
                let target = (b % 5 != 0).then(|| bed(b));
                ok(s.move_student(&admin, &id, target, Zone::Boys));
            }
        }
        Op::Update { student, variant } => {
            if let Some(id) = pick(&ids_sorted_students(s), student) {
                let cur = s.student(&id).unwrap().unwrap();
                let data = student_data(&cur.data.name, variant);
                ok(s.update_student(&admin, &id, data));
            }
        }
        Op::Left { student } => {
            if let Some(id) = pick(&ids_sorted_students(s), student) {
                ok(s.student_left(&admin, &id, "转学"));
            }
        }
        Op::ImportRoster { v2 } => {
            let (a, b) = rosters();
            let (file, parsed) = if v2 {
                ("roster_v2.csv", b)
            } else {
                ("utf8.csv", a)
            };
            ok(s.import_roster(&admin, file, parsed, false, false));
        }
        Op::SetStaff { staff, phone } => {
            let known = ids(s, "SELECT id FROM staff ORDER BY id");
            let existing = if staff % 3 == 0 {
                None
            } else {
                pick(&known, staff)
            };
            let phone = if phone { "13700137000" } else { "" };
            let name = match &existing {
                Some(_) => "陈丽".to_string(),
                None => format!("宿管{}", staff % 4),
            };
            ok(s.set_staff(
                &admin,
                existing.as_deref(),
                &name,
                StaffKind::ALL[usize::from(staff) % 3],
                phone,
                staff % 7 != 0,
            ));
        }
        Op::StartRound {
            bed_check,
            building,
        } => {
            let kind = if bed_check {
                RoundKind::BedCheck
            } else {
                RoundKind::LightsOut
            };
            ok(s.start_round(&teacher, kind, BUILDINGS[usize::from(building) % 2]));
        }
        Op::Mark {
            round,
            student,
            mark,
        } => {
            let r = rounds(s, round);
            if let (Some(rid), Some(sid)) =
                (pick(&r, round), pick(&ids_sorted_students(s), student))
            {
                let m = mark_of(mark);
                ok(s.mark(&teacher, &rid, &sid, m, late_at(m, now), "查铺"));
            }
        }
        Op::MarkRest { round, mark } => {
            let r = rounds(s, round);
            if let Some(rid) = pick(&r, round) {
                let rest = ids(
                    s,
                    &format!(
                        "SELECT s.id FROM students s JOIN rounds r ON r.id = '{rid}'
                         WHERE s.active = 1 AND s.building = r.building
                           AND s.id NOT IN (SELECT student_id FROM marks WHERE round_id = '{rid}')
                         ORDER BY s.id"
                    ),
                );
                // Mostly "the rest are present", so rounds can close.
                let m = if mark % 4 == 0 {
                    mark_of(mark / 4)
                } else {
                    Mark::Present
                };
                ok(s.mark_many(&teacher, &rid, &rest, m, late_at(m, now), ""));
            }
        }
        Op::Followup { round, student } => {
            let r = rounds(s, round);
            if let (Some(rid), Some(sid)) =
                (pick(&r, round), pick(&ids_sorted_students(s), student))
            {
                let found = (student % 2 == 0).then_some(now);
                ok(s.record_followup(
                    &teacher,
                    &rid,
                    &sid,
                    "guardian",
                    "王妈妈",
                    "在网吧找到",
                    found,
                ));
            }
        }
        Op::Close { round, force } => {
            let r = rounds(s, round);
            if let Some(rid) = pick(&r, round) {
                if force {
                    ok(s.close_round(&leader, &rid, Some("人已联系到，明早核实")));
                } else {
                    ok(s.close_round(&teacher, &rid, None));
                }
            }
        }
        Op::Sick { student } => {
            if let Some(sid) = pick(&ids_sorted_students(s), student) {
                ok(s.record_sick(
                    &teacher,
                    &sid,
                    "发烧",
                    "38.5",
                    "退烧药",
                    "温水",
                    student % 2 == 0,
                    true,
                ));
            }
        }
        Op::SickFollowup { sick, closed } => {
            let v = ids(s, "SELECT id FROM sick ORDER BY id");
            if let Some(id) = pick(&v, sick) {
                ok(s.sick_followup(&teacher, &id, "体温下降", "37.2", closed));
            }
        }
        Op::Leave { student } => {
            if let Some(sid) = pick(&ids_sorted_students(s), student) {
                ok(s.grant_leave(
                    &teacher,
                    &sid,
                    now,
                    now + 3 * 3_600_000,
                    "回家",
                    "刘主任",
                    "家",
                ));
            }
        }
        Op::Return { pick: p, gate } => {
            let sql = if gate {
                "SELECT id FROM departures ORDER BY id"
            } else {
                "SELECT id FROM leaves ORDER BY id"
            };
            if let Some(id) = pick(&ids(s, sql), p) {
                ok(s.record_return(&guard, &id, gate));
            }
        }
        Op::Depart { student, on_list } => {
            if let Some(sid) = pick(&ids_sorted_students(s), student) {
                let st = s.student(&sid).unwrap().unwrap();
                let listed = st.data.guardians.iter().find(|g| g.may_pick_up);
                let result = match (on_list, listed) {
                    (true, Some(g)) => {
                        let name = g.name.clone();
                        s.gate_depart(&guard, &sid, &name, "母亲", "", None, "", None)
                    }
                    _ => s.gate_depart(
                        &guard,
                        &sid,
                        "王叔叔",
                        "邻居",
                        "13600136000",
                        Some(now + 3_600_000),
                        "家长电话确认",
                        Some((&leader.id, PIN)),
                    ),
                };
                ok(result);
            }
        }
        Op::Resolve { conflict, pick: p } => {
            let cs = s.conflicts().unwrap();
            if let Some(c) = pick(&cs, conflict) {
                let chosen = pick(&c.events, p).map(|e| e.id).unwrap_or_default();
                ok(s.resolve_conflict(&leader, &c.key, &chosen, "核实监控后确定"));
            }
        }
        Op::FutureKind => {
            *future_n += 1;
            append_future_kind(s, &admin.id, *future_n);
        }
        Op::Backup { how } => {
            use dutydesk::domain::event::BackupSeal;
            let seal = [
                BackupSeal::Plain,
                BackupSeal::Passphrase,
                BackupSeal::SchoolKey,
            ][usize::from(how) % 3];
            ok(s.record_backup(&admin, seal, 4096 * u64::from(how)));
        }
        Op::ReportHazard { place, sev } => {
            use dutydesk::domain::hazard::{Category, HazardDraft, Severity};
            let d = HazardDraft {
                place: ["锅炉房", "2号宿舍楼 206", "食堂后门"][place as usize % 3].into(),
                category: Some(Category::ALL[place as usize % Category::ALL.len()]),
                severity: Some(Severity::ALL[sev as usize % 3]),
                description: "巡查发现".into(),
                ..HazardDraft::default()
            };
            ok(s.report_hazard(&guard, &d, None, &[]));
        }
        Op::HazardStep { hazard, pass } => {
            use dutydesk::domain::hazard::Status;
            let v = ids(s, "SELECT id FROM hazards ORDER BY id");
            if let Some(id) = pick(&v, hazard)
                && let Some(h) = s.hazard(&id).unwrap()
            {
                match h.status {
                    Status::Reported => {
                        ok(s.assign_hazard(&leader, &id, "后勤王师傅", now + 86_400_000, ""));
                    }
                    Status::Assigned => {
                        ok(s.rectify_hazard(&guard, &id, "已整改", "王师傅", None));
                    }
                    Status::Rectified => {
                        let who = if h.rectified_by.as_deref() == Some(leader.id.as_str()) {
                            &admin
                        } else {
                            &leader
                        };
                        ok(s.verify_hazard(who, &id, pass, "整改不到位"));
                    }
                    Status::Verified => {
                        ok(s.close_hazard(&leader, &id, ""));
                    }
                    Status::Closed => {
                        ok(s.reopen_hazard(&leader, &id, "复发"));
                    }
                }
            }
        }
        Op::Purge { days } => {
            let now = s.now_ms() + i64::from(days) * 24 * 3_600_000;
            ok(s.purge_personal(&admin, now, &mut |_, _| true).map(|_| ()));
        }
        Op::Retire { station } => {
            let me = s.station().unwrap().id.clone();
            let others: Vec<String> = ids(s, "SELECT id FROM stations ORDER BY id")
                .into_iter()
                .filter(|id| *id != me)
                .collect();
            if let Some(id) = pick(&others, station) {
                ok(s.retire_station(&admin, &id, "换了新电脑"));
            }
        }
        Op::SetCheckpoint { n, retire } => {
            use dutydesk::domain::patrol::CheckpointData;
            let code = format!("C-{}", n % 6);
            let known = s
                .checkpoints(true)
                .unwrap()
                .into_iter()
                .find(|c| c.data.code == code);
            let d = CheckpointData {
                name: format!("巡查点{}{}", n % 6, n / 6 % 3),
                place: "宿舍1号楼".into(),
                code,
                checklist: vec!["门已上锁".into(), "无违章电器".into()],
                active: !(retire && known.is_some()),
            };
            ok(s.set_checkpoint(&admin, known.as_ref().map(|c| c.id.as_str()), &d));
        }
        Op::SetRoute { variant } => {
            use dutydesk::domain::patrol::{RouteData, RouteOrder, Schedule};
            let cps: Vec<String> = s
                .checkpoints(false)
                .unwrap()
                .into_iter()
                .map(|c| c.id)
                .collect();
            let routes = s.routes(true).unwrap();
            let d = RouteData {
                name: format!("路线{}", variant % 3),
                checkpoints: cps,
                order: if variant % 2 == 0 {
                    RouteOrder::Ordered
                } else {
                    RouteOrder::AnyOrder
                },
                schedule: Schedule::parse(
                    ["22:00 00:30", "2@21:00-05:00", "W1@09:00"][usize::from(variant) % 3],
                )
                .unwrap(),
                min_walk_min: u32::from(variant % 3),
                window_min: 60,
                late_min: 15,
                named_person: variant % 5 == 0,
                active: true,
            };
            let id = routes
                .iter()
                .find(|r| r.data.name == d.name)
                .map(|r| r.id.clone());
            ok(s.set_route(&admin, id.as_deref(), &d));
        }
        Op::AssignRoute { route } => {
            let routes: Vec<String> = s.routes(false).unwrap().into_iter().map(|r| r.id).collect();
            if let Some(id) = pick(&routes, route) {
                let night = s.patrol_night(now).unwrap().night;
                ok(s.assign_route(&leader, &id, &night, "张建国"));
            }
        }
        Op::StartPatrol { route } => {
            let routes: Vec<String> = s.routes(false).unwrap().into_iter().map(|r| r.id).collect();
            if let Some(id) = pick(&routes, route) {
                ok(s.start_patrol(&guard, &id, None));
            }
        }
        Op::CheckIn { round, cp, finding } => {
            use dutydesk::domain::patrol::{Method, Outcome};
            let open = ids(
                s,
                "SELECT id FROM patrol_rounds WHERE closed_ms IS NULL ORDER BY id",
            );
            if let Some(r) = pick(&open, round) {
                let cps = s
                    .patrol_round(&r)
                    .unwrap()
                    .map(|r| r.checkpoints)
                    .unwrap_or_default();
                if let Some(c) = pick(&cps, cp) {
                    let outcome = if finding {
                        Outcome::Finding {
                            failed: vec!["门已上锁".into()],
                            note: "门没锁".into(),
                        }
                    } else {
                        Outcome::Ok
                    };
                    // Now and then entered later from a paper card.
                    let at = (cp % 3 == 0).then(|| now - 20 * 60_000);
                    let method = if at.is_some() {
                        Method::Later
                    } else {
                        Method::Code
                    };
                    ok(s.check_in(&guard, &r, &c, &outcome, at, method));
                }
            }
        }
        Op::ClosePatrol { round } => {
            let open = ids(
                s,
                "SELECT id FROM patrol_rounds WHERE closed_ms IS NULL ORDER BY id",
            );
            if let Some(r) = pick(&open, round) {
                ok(s.close_patrol(&guard, &r, "楼顶门钥匙不在"));
            }
        }
        Op::LogEntry { cat, followup } => {
            use dutydesk::domain::shift_log::{Category, LogDraft};
            let d = LogDraft {
                category: Some(Category::ALL[cat as usize % Category::ALL.len()]),
                what: ["三楼水管漏水", "家长来电询问", "校长交代明早查寝"][cat as usize % 3].into(),
                reported_to: "王校长".into(),
                needs_followup: followup,
                ..LogDraft::default()
            };
            ok(s.log_entry(&guard, &d).map(|_| ()));
        }
        Op::LogStep { entry, close } => {
            let v = ids(s, "SELECT id FROM shift_log ORDER BY id");
            if let Some(id) = pick(&v, entry)
                && let Some(e) = s.log_entry_by_id(&id).unwrap()
            {
                if close && e.is_open() {
                    ok(s.close_log_entry(&guard, &id, "已处理完毕"));
                } else {
                    let mut d = dutydesk::domain::shift_log::draft_of(&e);
                    d.action_taken = format!("{}；已复核", d.action_taken);
                    let outcome = e.outcome.as_ref().map(|o| format!("{o}（补记）"));
                    ok(s.correct_log_entry(&leader, &id, &d, outcome.as_deref(), "补充"));
                }
            }
        }
        Op::PlanDuty {
            station,
            day,
            night,
            variant,
            remove,
        } => {
            use dutydesk::domain::duty::{DutyPerson, DutyPlan};
            use dutydesk::domain::shift::ShiftId;
            let stations = ids(s, "SELECT id FROM stations ORDER BY id");
            if let Some(st_id) = pick(&stations, station) {
                let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
                    + chrono::Duration::days(i64::from(day));
                let shift = ShiftId::new(&st_id, date, if night { "night" } else { "day" });
                if remove {
                    ok(s.remove_duty(&admin, &shift));
                } else {
                    let names = ["张三", "李四", "欧阳晓明"];
                    let plan = DutyPlan {
                        shift,
                        people: vec![DutyPerson::named(names[usize::from(variant) % 3])],
                        leader: (variant % 2 == 0)
                            .then(|| DutyPerson::operator(&leader.id, &leader.name)),
                        posts: vec![],
                        note: format!("第{variant}版"),
                    };
                    ok(s.plan_duty(&admin, plan));
                }
            }
        }
        Op::SetShifts { grace } => {
            use dutydesk::domain::shift::ShiftDef;
            let id = s.station().unwrap().id.clone();
            let start = 7 * 60 + u32::from(grace % 4) * 15;
            let defs = vec![
                ShiftDef::new("day", start, 18 * 60),
                ShiftDef::new("night", 18 * 60, start),
            ];
            ok(s.set_shift_defs(&admin, &id, defs, i64::from(grace % 30)));
        }
        Op::Handover { step } => {
            use dutydesk::domain::handover::Section;
            use dutydesk::domain::shift::ShiftId;
            let waiting = |s: &Store, sql: &str| {
                pick(&ids(s, sql), step).and_then(|k| ShiftId::parse_key(&k))
            };
            match step % 3 {
                0 => {
                    if let Ok(Some(shift)) = s.current_shift(now) {
                        ok(s.sign_handover(&guard, PIN, &shift, "留意3楼消防门", now));
                    }
                }
                1 => {
                    let sql = "SELECT key FROM handovers WHERE accepted_by IS NULL ORDER BY key";
                    if let Some(shift) = waiting(s, sql) {
                        let remark = dutydesk::domain::event::Remark {
                            section: "hazards".into(),
                            text: format!("第{step}问"),
                        };
                        ok(s.accept_handover(&teacher, PIN, &shift, &Section::ALL, vec![remark]));
                    }
                }
                _ => {
                    let sql = "SELECT key FROM handovers WHERE accepted_by IS NOT NULL AND countersigned_by IS NULL ORDER BY key";
                    if let Some(shift) = waiting(s, sql) {
                        ok(s.countersign_handover(&leader, PIN, &shift, "已阅"));
                    }
                }
            }
        }
    }
}

/// Rounds to act on: mostly open ones, sometimes any (a closed round
/// refuses marks and a second close).
fn rounds(s: &Store, round: u8) -> Vec<String> {
    if round.is_multiple_of(4) {
        ids(s, "SELECT id FROM rounds ORDER BY id")
    } else {
        ids(
            s,
            "SELECT id FROM rounds WHERE closed_ms IS NULL ORDER BY id",
        )
    }
}

fn count(s: &Store, sql: &str) -> i64 {
    s.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Whether a station holds what the operation is about. A step goes to the
/// first station, from the one it names, that does — so operations on
/// records only some stations know are not mostly wasted.
fn ready(s: &Store, op: &Op) -> bool {
    let sql = match op {
        Op::SignOut { .. } => "SELECT COUNT(*) FROM visits WHERE status = 'on_site'",
        Op::Correct { .. } => "SELECT COUNT(*) FROM visits",
        Op::RemoveWatch { .. } => "SELECT COUNT(*) FROM watchlist WHERE active = 1",
        Op::Move { .. }
        | Op::Update { .. }
        | Op::Left { .. }
        | Op::Sick { .. }
        | Op::Leave { .. }
        | Op::Depart { .. } => "SELECT COUNT(*) FROM students WHERE active = 1",
        Op::Mark { .. } | Op::Followup { .. } => {
            "SELECT (SELECT COUNT(*) FROM rounds WHERE closed_ms IS NULL)
                  * (SELECT COUNT(*) FROM students WHERE active = 1)"
        }
        Op::MarkRest { .. } | Op::Close { .. } => {
            "SELECT COUNT(*) FROM rounds WHERE closed_ms IS NULL"
        }
        Op::SickFollowup { .. } => "SELECT COUNT(*) FROM sick",
        Op::Return { gate: true, .. } => "SELECT COUNT(*) FROM departures",
        Op::Return { gate: false, .. } => "SELECT COUNT(*) FROM leaves",
        Op::Resolve { .. } => "SELECT COUNT(*) FROM conflicts",
        Op::HazardStep { .. } => "SELECT COUNT(*) FROM hazards",
        Op::LogStep { .. } => "SELECT COUNT(*) FROM shift_log",
        Op::Retire { .. } => "SELECT COUNT(*) - 1 FROM stations",
        Op::Purge { .. } => "SELECT COUNT(*) FROM visits WHERE status = 'out'",
        _ => return true,
    };
    count(s, sql) > 0
}

fn ids_sorted_students(s: &Store) -> Vec<String> {
    ids(s, "SELECT id FROM students WHERE active = 1 ORDER BY id")
}

/// Every id any station holds, sorted.
fn union(stations: &[Station], sql: &str) -> Vec<String> {
    let mut all = BTreeSet::new();
    for st in stations {
        all.extend(ids(&st.store, sql));
    }
    all.into_iter().collect()
}

/// A contradiction in the making: the station holding the record carries
/// its bundle to every other station (the bundle is kept like any other),
/// then every station acts on the record before anything else is exchanged.
fn contend(stations: &mut [Station], c: &Contend, bundles: &mut Vec<PathBuf>, dir: &Path) {
    const OPEN: &str = "SELECT id FROM rounds WHERE closed_ms IS NULL";
    const ON_SITE: &str = "SELECT id FROM visits WHERE status = 'on_site'";
    const OPEN_LOG: &str = "SELECT id FROM shift_log WHERE state = 'open'";
    const PATROL: &str = "SELECT id FROM patrol_rounds WHERE closed_ms IS NULL";
    let (sql, which) = match *c {
        Contend::SignOut { visit } => (ON_SITE, visit),
        Contend::Mark { round, .. } | Contend::Close { round } => (OPEN, round),
        Contend::CloseLog { entry } => (OPEN_LOG, entry),
        Contend::PatrolCheck { round, .. } | Contend::PatrolClose { round } => (PATROL, round),
    };
    let Some(id) = pick(&union(stations, sql), which) else {
        return;
    };
    let holder = stations
        .iter()
        .position(|st| ids(&st.store, sql).contains(&id))
        .unwrap();
    let bundle = dir.join(format!("b{:03}.ddbundle", bundles.len()));
    bundles.push(bundle.clone());
    sync::export_to(&mut stations[holder].store, &bundle).unwrap();
    for (i, st) in stations.iter_mut().enumerate() {
        if i != holder {
            import_ok(&mut st.store, &bundle);
        }
    }
    match *c {
        Contend::SignOut { .. } => {
            for (i, st) in stations.iter_mut().enumerate() {
                st.clock.advance_min(1 + i as i64);
                let admin = st.admin.clone();
                ok(st.store.sign_out(&admin, &id));
            }
        }
        Contend::Mark { student, .. } => {
            let b = ids_sorted_students(&stations[holder].store);
            let Some(sid) = pick(&b, student) else { return };
            for (i, st) in stations.iter_mut().enumerate() {
                st.clock.advance_min(1);
                let m = Mark::ALL[i % Mark::ALL.len()];
                let now = st.store.now_ms();
                let leader = st.leader.clone();
                ok(st
                    .store
                    .mark(&leader, &id, &sid, m, late_at(m, now), "各站点名不一"));
            }
        }
        Contend::Close { .. } => {
            for st in stations.iter_mut() {
                st.clock.advance_min(2);
                let leader = st.leader.clone();
                ok(st.store.close_round(&leader, &id, Some("交班前关闭")));
            }
        }
        Contend::CloseLog { .. } => {
            for (i, st) in stations.iter_mut().enumerate() {
                st.clock.advance_min(1);
                let admin = st.admin.clone();
                ok(st
                    .store
                    .close_log_entry(&admin, &id, &format!("第{i}站：已处理")));
            }
        }
        Contend::PatrolCheck { cp, .. } => {
            use dutydesk::domain::patrol::{Method, Outcome};
            let cps = stations[holder]
                .store
                .patrol_round(&id)
                .unwrap()
                .map(|r| r.checkpoints)
                .unwrap_or_default();
            let Some(c) = pick(&cps, cp) else { return };
            for (i, st) in stations.iter_mut().enumerate() {
                st.clock.advance_min(1);
                let outcome = if i % 2 == 0 {
                    Outcome::Ok
                } else {
                    Outcome::Finding {
                        failed: vec!["门已上锁".into()],
                        note: format!("第{i}站看到门没锁"),
                    }
                };
                let leader = st.leader.clone();
                ok(st
                    .store
                    .check_in(&leader, &id, &c, &outcome, None, Method::Picked));
            }
        }
        Contend::PatrolClose { .. } => {
            for (i, st) in stations.iter_mut().enumerate() {
                st.clock.advance_min(2);
                let leader = st.leader.clone();
                ok(st
                    .store
                    .close_patrol(&leader, &id, &format!("第{i}站：楼顶门钥匙不在")));
            }
        }
    }
}

fn import_ok(store: &mut Store, path: &Path) -> u64 {
    let r = sync::import_file(store, path, false).expect("import: database error");
    assert_eq!(r.refused, None, "an intact bundle was refused: {r:?}");
    // Events above what this station holds (an incremental bundle from a
    // station that has not heard of it) wait; delivery at the end checks
    // that they arrive.
    verified(store);
    r.new
}

/// Runs one scenario and checks convergence. Returns the kinds in the
/// final log.
fn run_case(
    n: usize,
    roster_first: bool,
    steps: &[Step],
) -> Result<BTreeSet<String>, TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let mut stations = school(n);
    let mut future_n = 0;
    if roster_first {
        apply(
            &mut stations[0],
            &Op::ImportRoster { v2: false },
            &mut future_n,
        );
    }
    let mut bundles: Vec<PathBuf> = Vec::new();
    let new_bundle = |bundles: &mut Vec<PathBuf>, dir: &Path| {
        let p = dir.join(format!("b{:03}.ddbundle", bundles.len()));
        bundles.push(p.clone());
        p
    };
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    // A silent station takes no part until woken.
    let mut silent: Option<usize> = None;
    for step in steps {
        let n = stations.len();
        let active: Vec<usize> = (0..n).filter(|&i| Some(i) != silent).collect();
        let at_of = |at: u8| active[usize::from(at) % active.len()];
        match step {
            Step::Op { at, mins, op } => {
                let at = usize::from(*at);
                let k = active.len();
                let i = (0..k)
                    .map(|d| active[(at + d) % k])
                    .find(|&i| ready(&stations[i].store, op))
                    .unwrap_or(active[at % k]);
                let st = &mut stations[i];
                st.clock.advance_min(i64::from(*mins));
                apply(st, op, &mut future_n);
            }
            Step::Export { at } => {
                let p = new_bundle(&mut bundles, dir.path());
                let st = &mut stations[at_of(*at)];
                let r = sync::export_to(&mut st.store, &p).unwrap();
                prop_assert!(r.events <= verified(&st.store));
            }
            Step::ExportFull { at } => {
                let p = new_bundle(&mut bundles, dir.path());
                let st = &mut stations[at_of(*at)];
                let r = sync::export_to_as(&mut st.store, &p, true).unwrap();
                prop_assert_eq!(r.events, verified(&st.store));
            }
            Step::Import { at, pick: p } => {
                if let Some(b) = recent(&bundles, *p) {
                    import_ok(&mut stations[at_of(*at)].store, &b);
                }
            }
            Step::Carry { from, to } => {
                let p = new_bundle(&mut bundles, dir.path());
                sync::export_to(&mut stations[at_of(*from)].store, &p).unwrap();
                import_ok(&mut stations[at_of(*to)].store, &p);
            }
            Step::Tampered { at, pick: p, pos } => {
                if let Some(b) = pick(&bundles, *p) {
                    let mut bytes = std::fs::read(&b).unwrap();
                    let i = *pos as usize % bytes.len();
                    bytes[i] ^= 1 << (pos % 8);
                    let bad = dir.path().join("tampered.ddbundle");
                    std::fs::write(&bad, &bytes).unwrap();
                    let st = &mut stations[at_of(*at)];
                    let (ev, du) = (events(&st.store), dump(&st.store));
                    let r = sync::import_file(&mut st.store, &bad, false).unwrap();
                    prop_assert!(
                        r.refused.is_some(),
                        "byte {} of {} flipped, yet accepted: {:?}",
                        i,
                        bytes.len(),
                        r
                    );
                    prop_assert_eq!(r.new, 0);
                    prop_assert!(events(&st.store) == ev, "a refused bundle changed the log");
                    prop_assert!(
                        dump(&st.store) == du,
                        "a refused bundle changed projections"
                    );
                }
            }
            // Every station takes part in a contradiction: none while one
            // is silent.
            Step::Contend(c) if silent.is_none() => {
                contend(&mut stations, c, &mut bundles, dir.path())
            }
            Step::Contend(_) => {}
            Step::Forget { at } => stations[at_of(*at)].store.forget_peers().unwrap(),
            Step::Join { from } if n < STATION_NAMES.len() => {
                let from = at_of(*from);
                let snapshot = new_bundle(&mut bundles, dir.path());
                sync::export_to_as(&mut stations[from].store, &snapshot, true).unwrap();
                let info = join_info(&mut stations[from], Some(snapshot));
                let start = stations[from].store.now_ms();
                let joined = station(n, Some(&info), start);
                let (had, has) = (events(&stations[from].store), events(&joined.store));
                prop_assert!(
                    had.iter().all(|e| has.contains(e)),
                    "the join took in less than the inviter held"
                );
                stations.push(joined);
            }
            Step::Join { .. } => {}
            Step::Silence { at } if silent.is_none() && active.len() > 2 => {
                silent = Some(at_of(*at));
            }
            Step::Silence { .. } => {}
            Step::Wake => silent = None,
            Step::Folder { at } => {
                let st = &mut stations[at_of(*at)];
                st.clock.advance_min(1);
                let (_, reports) = sync::folder(&mut st.store, &shared).unwrap();
                for r in &reports {
                    prop_assert!(r.refused.is_none(), "{:?}", r);
                }
                verified(&st.store);
            }
            Step::FolderCopy { pick: p, how } => {
                let mut files: Vec<PathBuf> = std::fs::read_dir(&shared)
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|x| x == "ddbundle"))
                    .collect();
                files.sort();
                if let Some(f) = pick(&files, *p) {
                    let stem = f.file_stem().unwrap().to_string_lossy().to_string();
                    let bytes = std::fs::read(&f).unwrap();
                    let (name, bytes) = match how % 4 {
                        0 => (
                            format!(
                                "{stem}.sync-conflict-20261118-2113{:02}-ABCDEFG.ddbundle",
                                p % 60
                            ),
                            &bytes[..],
                        ),
                        1 => (format!("{stem} ({}).ddbundle", p % 3 + 1), &bytes[..]),
                        2 => (format!("{stem}-DESKTOP-{p}.ddbundle"), &bytes[..]),
                        _ => (
                            format!("~syncthing~{stem}.ddbundle.tmp"),
                            &bytes[..bytes.len() / 2],
                        ),
                    };
                    std::fs::write(shared.join(name), bytes).unwrap();
                }
            }
        }
    }
    let n = stations.len();

    // Deliver everything: everyone exports, everyone imports the others,
    // until a round brings nothing new.
    let mut rounds = 0;
    loop {
        rounds += 1;
        prop_assert!(rounds <= 4, "delivery does not settle");
        let mut latest = Vec::new();
        for st in stations.iter_mut() {
            let p = new_bundle(&mut bundles, dir.path());
            sync::export_to(&mut st.store, &p).unwrap();
            latest.push(p);
        }
        let mut added = 0;
        for (i, st) in stations.iter_mut().enumerate() {
            for (j, b) in latest.iter().enumerate() {
                if i != j {
                    added += import_ok(&mut st.store, b);
                }
            }
        }
        if added == 0 {
            break;
        }
    }

    // Everyone has heard from everyone since the last events: nothing is
    // left that a bundle would need to carry.
    for (i, st) in stations.iter_mut().enumerate() {
        let p = new_bundle(&mut bundles, dir.path());
        let r = sync::export_to(&mut st.store, &p).unwrap();
        prop_assert_eq!(
            r.events,
            0,
            "station {} still sends events after delivery",
            i
        );
    }

    let ev0 = events(&stations[0].store);
    let dump0 = dump(&stations[0].store);
    let conflicts0 = stations[0].store.conflicts().unwrap();
    for (i, st) in stations.iter().enumerate().skip(1) {
        prop_assert!(
            events(&st.store) == ev0,
            "station {} holds other events than station 0",
            i
        );
        let d = dump(&st.store);
        if d != dump0 {
            let only0: Vec<_> = dump0.iter().filter(|l| !d.contains(l)).collect();
            let only_i: Vec<_> = d.iter().filter(|l| !dump0.contains(l)).collect();
            prop_assert!(
                false,
                "projections differ between station 0 and {}:\nonly at 0: {:#?}\nonly at {}: {:#?}",
                i,
                only0,
                i,
                only_i
            );
        }
        prop_assert_eq!(&st.store.conflicts().unwrap(), &conflicts0);
    }
    for st in &stations {
        prop_assert_eq!(verified(&st.store), ev0.len() as u64);
        prop_assert_eq!(st.store.unerased_purged_events().unwrap(), 0);
    }
    // Rebuilding from the log gives what incremental projection gave.
    let st = &mut stations[n - 1];
    st.store.batch(|s| project::rebuild(s.conn())).unwrap();
    let rebuilt = dump(&st.store);
    if rebuilt != dump0 {
        let only_inc: Vec<_> = dump0.iter().filter(|l| !rebuilt.contains(l)).collect();
        let only_reb: Vec<_> = rebuilt.iter().filter(|l| !dump0.contains(l)).collect();
        prop_assert!(
            false,
            "rebuild differs:\nincremental only: {:#?}\nrebuild only: {:#?}",
            only_inc,
            only_reb
        );
    }
    let mut kinds: BTreeSet<String> = ids(
        &stations[0].store,
        "SELECT DISTINCT kind FROM events ORDER BY kind",
    )
    .into_iter()
    .collect();
    // The contradictions the run ended with, by kind (`conflict:…`, and
    // `decided:…` once a duty leader chose), for the scripted runs to check.
    for c in &conflicts0 {
        kinds.insert(format!("conflict:{}", c.kind));
        if c.decided.is_some() {
            kinds.insert(format!("decided:{}", c.kind));
        }
    }
    Ok(kinds)
}

#[test]
fn stations_converge() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        // A case takes up to a second: bound the search for a smaller one.
        max_shrink_iters: 500,
        max_shrink_time: 300_000,
        ..Config::default()
    });
    let seen = std::cell::RefCell::new(BTreeSet::new());
    runner
        .run(&scenario(), |(n, roster_first, steps)| {
            seen.borrow_mut().extend(run_case(n, roster_first, &steps)?);
            Ok(())
        })
        .unwrap();
    eprintln!("event kinds seen in random cases: {:?}", seen.borrow());
}

/// Patrol contradictions through the same harness: one checkpoint checked OK
/// at one station and with a finding at another, a round closed at every
/// station with its own reason — each listed everywhere, decided by a duty
/// leader at one station, and the same projections everywhere and after a
/// rebuild.
#[test]
fn patrol_contradictions_are_listed_and_decided_everywhere() {
    use Contend as C;
    use Op::*;
    let op = |at: u8, op: Op| Step::Op { at, mins: 3, op };
    let steps = vec![
        op(
            0,
            SetCheckpoint {
                n: 0,
                retire: false,
            },
        ),
        op(
            0,
            SetCheckpoint {
                n: 1,
                retire: false,
            },
        ),
        op(0, SetRoute { variant: 0 }),
        op(0, AssignRoute { route: 0 }),
        op(0, StartPatrol { route: 0 }),
        Step::Contend(C::PatrolCheck { round: 0, cp: 0 }),
        Step::Contend(C::PatrolClose { round: 0 }),
        Step::Carry { from: 0, to: 1 },
        Step::Carry { from: 2, to: 1 },
        // Undecided ones are listed first: each decision takes the first.
        op(
            1,
            Resolve {
                conflict: 0,
                pick: 1,
            },
        ),
        op(
            1,
            Resolve {
                conflict: 0,
                pick: 0,
            },
        ),
    ];
    let kinds = run_case(3, false, &steps).unwrap();
    for k in [
        "conflict:patrol_check",
        "conflict:patrol_close",
        "decided:patrol_check",
        "decided:patrol_close",
    ] {
        assert!(kinds.contains(k), "{k} missing from {kinds:?}");
    }
}

/// A scripted run through the same harness that does everything once:
/// proves the generator's operations reach every kind, including the
/// contradictions and their resolution, and checks convergence after it.
#[test]
fn every_kind_is_generated() {
    use Contend as C;
    use Op::*;
    let op = |at: u8, op: Op| Step::Op { at, mins: 3, op };
    let mut steps = vec![
        op(0, AddOperator { role: 0 }),
        op(1, AddOperator { role: 1 }),
        op(
            0,
            ChangeOperator {
                who: 2,
                role: 1,
                active: true,
            },
        ),
        op(0, SetPin { who: 1 }),
        op(2, Login { who: 0 }),
        op(1, Backup { how: 2 }),
        op(0, WrongPins { who: 1, n: 4 }),
        op(0, Unlock { who: 1 }),
        op(0, WrongPins { who: 1, n: 0 }),
        op(0, Login { who: 1 }),
        op(0, SetSetting { key: 0, value: 15 }),
        op(0, AddWatch { name: 0 }),
        op(
            0,
            Register {
                name: 0,
                phone: 0,
                deny: false,
            },
        ),
        op(
            0,
            Register {
                name: 1,
                phone: 1,
                deny: false,
            },
        ),
        op(0, ImportRoster { v2: false }),
        op(1, Enroll { name: 0, bed: 0 }),
        op(
            1,
            SetStaff {
                staff: 1,
                phone: true,
            },
        ),
        Step::Export { at: 0 },
        Step::Import { at: 1, pick: 0 },
        Step::Import { at: 2, pick: 0 },
        // 赵某某 is on the watchlist now at station 1: denied.
        op(
            1,
            Register {
                name: 3,
                phone: 2,
                deny: true,
            },
        ),
        op(1, RemoveWatch { entry: 0 }),
        op(
            0,
            Correct {
                visit: 0,
                variant: 0,
            },
        ),
        op(
            1,
            Update {
                student: 0,
                variant: 1,
            },
        ),
        op(1, Move { student: 1, bed: 3 }),
        op(
            1,
            StartRound {
                bed_check: false,
                building: 0,
            },
        ),
        op(
            1,
            Mark {
                round: 0,
                student: 0,
                mark: 1,
            },
        ),
        op(
            1,
            Followup {
                round: 0,
                student: 0,
            },
        ),
        op(1, ReportHazard { place: 0, sev: 2 }),
        op(
            1,
            HazardStep {
                hazard: 0,
                pass: true,
            },
        ),
        op(
            1,
            HazardStep {
                hazard: 0,
                pass: true,
            },
        ),
        op(
            1,
            HazardStep {
                hazard: 0,
                pass: false,
            },
        ),
        op(
            1,
            HazardStep {
                hazard: 0,
                pass: true,
            },
        ),
        op(
            1,
            HazardStep {
                hazard: 0,
                pass: true,
            },
        ),
        op(
            1,
            HazardStep {
                hazard: 0,
                pass: true,
            },
        ),
        op(
            1,
            HazardStep {
                hazard: 0,
                pass: true,
            },
        ),
        op(
            1,
            HazardStep {
                hazard: 0,
                pass: true,
            },
        ),
        op(1, Sick { student: 2 }),
        op(
            1,
            SickFollowup {
                sick: 0,
                closed: true,
            },
        ),
        op(1, Leave { student: 3 }),
        op(
            1,
            Return {
                pick: 0,
                gate: false,
            },
        ),
        op(
            0,
            Depart {
                student: 4,
                on_list: true,
            },
        ),
        op(
            0,
            Depart {
                student: 5,
                on_list: false,
            },
        ),
        op(
            0,
            Return {
                pick: 0,
                gate: true,
            },
        ),
        op(
            1,
            Close {
                round: 0,
                force: true,
            },
        ),
        op(1, Left { student: 6 }),
        op(2, FutureKind),
        op(
            0,
            SetCheckpoint {
                n: 0,
                retire: false,
            },
        ),
        op(
            0,
            SetCheckpoint {
                n: 1,
                retire: false,
            },
        ),
        op(0, SetRoute { variant: 0 }),
        op(0, AssignRoute { route: 0 }),
        op(0, StartPatrol { route: 0 }),
        op(
            0,
            CheckIn {
                round: 0,
                cp: 1,
                finding: true,
            },
        ),
        op(0, ClosePatrol { round: 0 }),
        op(
            0,
            LogEntry {
                cat: 0,
                followup: true,
            },
        ),
        op(
            0,
            LogStep {
                entry: 0,
                close: false,
            },
        ),
        op(
            0,
            LogEntry {
                cat: 1,
                followup: true,
            },
        ),
        op(1, Purge { days: 200 }),
        op(0, Retire { station: 0 }),
        Step::Export { at: 1 },
        Step::Import { at: 0, pick: 1 },
        Step::Import { at: 2, pick: 1 },
        op(
            1,
            PlanDuty {
                station: 0,
                day: 0,
                night: true,
                variant: 2,
                remove: false,
            },
        ),
        op(1, SetShifts { grace: 1 }),
        op(2, AddOperator { role: 0 }),
        op(2, AddOperator { role: 1 }),
        op(2, Handover { step: 0 }),
        op(2, Handover { step: 1 }),
        op(2, Handover { step: 2 }),
    ];
    // Contradictions: everyone signs out one visit, marks one boarder of an
    // open round differently, closes it.
    steps.extend([
        op(
            2,
            StartRound {
                bed_check: true,
                building: 0,
            },
        ),
        Step::Export { at: 2 },
        Step::Import { at: 0, pick: 2 },
        Step::Import { at: 1, pick: 2 },
        Step::Contend(C::SignOut { visit: 0 }),
        Step::Contend(C::Mark {
            round: 0,
            student: 0,
        }),
        Step::Contend(C::Close { round: 0 }),
        Step::Contend(C::CloseLog { entry: 0 }),
        Step::Export { at: 0 },
        Step::Export { at: 1 },
        Step::Import { at: 2, pick: 3 },
        Step::Import { at: 2, pick: 4 },
        op(
            2,
            Resolve {
                conflict: 0,
                pick: 1,
            },
        ),
        op(
            2,
            Resolve {
                conflict: 1,
                pick: 0,
            },
        ),
        // A visitor nobody watches for, gone home; half a year on, purged.
        op(
            2,
            Register {
                name: 4,
                phone: 2,
                deny: false,
            },
        ),
        op(2, SignOut { visit: 1 }),
        op(2, SignOut { visit: 1 }),
        op(2, SignOut { visit: 1 }),
        op(2, Purge { days: 200 }),
        Step::Export { at: 2 },
        Step::Import { at: 0, pick: 5 },
        Step::Tampered {
            at: 1,
            pick: 3,
            pos: 777,
        },
    ]);
    let kinds = run_case(3, false, &steps).unwrap();
    let mut missing: Vec<&str> = Event::KINDS
        .iter()
        .copied()
        .filter(|k| !kinds.contains(*k))
        .collect();
    if !kinds.contains("patrol.future") {
        missing.push("patrol.future");
    }
    assert!(missing.is_empty(), "kinds never generated: {missing:?}");
}
