//! Benchmarks of station-to-station sync (issue 4, "Performance").
//! Run: `cargo bench --bench sync`.
//!
//! 1. The database: a school year made by `demo::generate` (Scale::SchoolYear;
//!    a copy of another bench's cached `school-year-v<N>-<G>.db` or
//!    `rollcall-v<N>-<G>.db` when present, migrated if it has an older
//!    schema; G = `demo::GENERATOR_HASH`, so a changed generator is never
//!    served stale),
//!    topped up to ≥ 1,000,000 events by running the school forward day by
//!    day through the Store API — visitors registered and signed out at the
//!    gate, boarders home for the weekend with a guardian through the gate
//!    and back on Sunday, the lights-out roll of every building room by
//!    room, afternoon departures, half-day leave, the sick, and now and then
//!    the office's settings and roster changes. Cached as
//!    `target/bench-data/sync-school-year-v<N>-<G>.db` with a note of how it was
//!    made.
//! 2. Full export of that log + import into a fresh station joined to the
//!    school; baseline: a raw SQLite bulk insert of the same rows into the
//!    same `events` schema (with its indexes), one transaction, one prepared
//!    statement, in the same run (in a rollback journal, as the import runs:
//!    three times, the fastest counting). Then the same bundle again (all known),
//!    against a raw lookup of every (origin, seq); and the morning after: B
//!    (which now holds the year) sends A its bundle, one busy school day at
//!    the big station, its incremental bundle imported at B (size, export +
//!    import time, peak memory, a raw insert of the same rows as baseline),
//!    then an export with nothing new once B and the year's two dorm
//!    stations have said they hold the day (the dorms' statements are
//!    recorded as their bundles' headers would be).
//! 3. A day's bundle (~5,000 events: a new gate station's busy day of
//!    visitors, registered and signed out through the Store API), exported
//!    and imported into fresh joined stations several times; the one-time
//!    scrypt key stretching of the join file timed apart; the same bundle
//!    re-imported (all known).
//! 4. A summary table: absolute figures and ratios to the same-run baselines.
//!
//! `cargo bench --bench sync -- --only-full` stops after step 2 (for a
//! profiler).

use anyhow::{Context, Result, bail, ensure};
use chrono::{Datelike, Weekday};
use dutydesk::demo::{self, Scale};
use dutydesk::domain::event::StationKind;
use dutydesk::domain::role::{Actor, Role};
use dutydesk::domain::rollcall::{Mark, RoundKind};
use dutydesk::domain::roster::{Student, Zone};
use dutydesk::domain::settings;
use dutydesk::domain::time::{Clock, FixedClock, day_start_ms, local};
use dutydesk::domain::visit::{Decision, VisitForm, VisitStatus};
use dutydesk::domain::watchlist::WatchForm;
use dutydesk::i18n::{self, Lang};
use dutydesk::store::visits::RegisterOutcome;
use dutydesk::store::{IdGen, Store, StoreError, log, migrate};
use dutydesk::sync::{self, ImportReport, crypto::JoinInfo, knowledge};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, params};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Seed of the generated school (the other benches use the same).
const SEED: u64 = 42;
/// The generator's "now" when this bench has to generate the year itself:
/// 2026-11-20 10:00 Beijing time, as the visitors bench.
const GEN_NOW_MS: i64 = 1_795_140_000_000;
/// Events the big database must hold.
const TARGET_EVENTS: i64 = 1_000_000;
/// Visitors a day at the big station's gate (the generator's rate).
const VISITS_PER_DAY: usize = 420;
/// Visitors of the new gate station's busy day: with their sign-outs and
/// the station's own setup, about 5,000 events.
const DAY_VISITS: usize = 2_480;
/// Runs of the day-bundle measurements (each into a fresh station).
const DAY_RUNS: usize = 7;
/// Runs of the join file's key stretching.
const SCRYPT_RUNS: usize = 3;
const OFFSET_MIN: i32 = 480;
const DORM: (&str, &str, &str) = ("宿舍值班室", "王老师", "8888");

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` passes --bench; `cargo test --all-targets` does not, and
    // must not spend minutes here.
    if !args.iter().any(|a| a == "--bench") {
        println!("sync bench: skipped (run `cargo bench --bench sync`)");
        return;
    }
    i18n::set_lang(Lang::ZhCn);
    if let Err(e) = run() {
        eprintln!("sync bench failed: {e:#}");
        std::process::exit(1);
    }
}

// ───────────────────────────── small helpers ─────────────────────────────

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed())
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn max(v: &[Duration]) -> Duration {
    v.iter().max().copied().unwrap_or_default()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

fn count(conn: &Connection, sql: &str) -> Result<i64> {
    Ok(conn.query_row(sql, [], |r| r.get(0))?)
}

fn note_value(note: &str, key: &str) -> Option<String> {
    note.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .map(|v| v.trim().to_string())
}

fn note_f64(note: &str, key: &str) -> f64 {
    note_value(note, key)
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

fn step(n: usize, what: &str, since: Instant) {
    eprintln!("[{n}/5 at {:>7.1} s] {what}", since.elapsed().as_secs_f64());
}

// ───────────────────────────── who works at a station ─────────────────────────────

/// The operators a school day needs, with the PINs they log in with.
struct Cast {
    admin: Actor,
    guard: (Actor, String),
    /// Dorm teacher and duty leader (a gate-only station has neither).
    teacher: Option<(Actor, String)>,
    leader: Option<Actor>,
}

impl Cast {
    /// The demo school's four operators (PINs from `demo::OPERATORS`).
    fn of_demo(store: &Store) -> Result<Cast> {
        let ops = store.operators()?;
        let find = |role: Role| -> Result<(Actor, String)> {
            let op = ops
                .iter()
                .find(|o| o.role == role && o.active)
                .with_context(|| format!("no active {role:?}"))?;
            let pin = demo::OPERATORS
                .iter()
                .find(|(n, _, _)| *n == op.name)
                .map(|(_, _, p)| p.to_string())
                .with_context(|| format!("no demo PIN for {}", op.name))?;
            Ok((op.actor(), pin))
        };
        Ok(Cast {
            admin: find(Role::Admin)?.0,
            guard: find(Role::Guard)?,
            teacher: Some(find(Role::DormTeacher)?),
            leader: Some(find(Role::DutyLeader)?.0),
        })
    }

    /// Who registers a visitor: mostly the guard, sometimes the duty leader
    /// or the admin covering the gate.
    fn desk(&self, rng: &mut StdRng) -> &Actor {
        match (rng.random_range(0..10), &self.leader) {
            (0, Some(l)) => l,
            (1, _) => &self.admin,
            _ => &self.guard.0,
        }
    }
}

// ───────────────────────────── one school day ─────────────────────────────

#[derive(Clone, Copy)]
struct DayPlan {
    visits: usize,
    /// Boarders: departures, leave, the sick, the lights-out roll.
    boarders: bool,
    /// Settings and roster changes by the admin on some days.
    office: bool,
}

/// A room (floor, number) of a roll and the unmarked boarders in it.
type Room = (Option<(i32, String)>, Vec<String>);

enum Task {
    GuardLogin,
    TeacherLogin,
    Arrive,
    SignOut(String, Actor),
    /// A boarder out with a guardian for the afternoon.
    Depart,
    /// Friday: this boarder (id) goes home for the weekend.
    WeekendDepart(String),
    /// Back through the gate (departure id).
    DepartBack(String),
    Leave,
    LeaveBack(String),
    Sick,
    SickDone(String),
    Roll(RoundKind),
    Office,
}

/// Operations of one school day through the Store API, in time order. The
/// clock only moves forward. `n` numbers the day (for the office's weekly
/// and monthly chores); `carry` holds what is due on later days (weekend
/// returns).
struct Day<'a> {
    s: &'a mut Store,
    clock: &'a FixedClock,
    rng: &'a mut StdRng,
    cast: &'a Cast,
    pool: &'a [VisitForm],
    buildings: &'a [String],
    base: i64,
    n: i64,
    carry: &'a mut Vec<(i64, Task)>,
}

impl Day<'_> {
    fn at(&self, minutes: i64) -> i64 {
        self.base + minutes * 60_000
    }

    fn set_clock(&self, t: i64) {
        self.clock.set(t.max(self.clock.now_ms()));
    }

    /// A week at a boarding school: visitors every day (fewer at the
    /// weekend); on Friday afternoon most boarders go home with a guardian
    /// through the gate and come back on Sunday afternoon; the lights-out
    /// roll and the bed check Sunday to Thursday; on school nights a few boarders out for the
    /// afternoon, on half a day's leave, or sick.
    fn run(&mut self, plan: DayPlan) -> Result<(), StoreError> {
        let end = self.base + 86_400_000;
        let weekday = local(self.base, OFFSET_MIN).weekday();
        let weekend = matches!(weekday, Weekday::Sat | Weekday::Sun);
        let school_night = !matches!(weekday, Weekday::Fri | Weekday::Sat);
        let mut tl: Vec<(i64, Task)> = vec![(self.at(6 * 60 + 50), Task::GuardLogin)];
        let mut spill = vec![];
        for (t, task) in std::mem::take(self.carry) {
            if t < end {
                tl.push((t, task));
            } else {
                spill.push((t, task));
            }
        }
        let visits = if weekend && plan.boarders {
            plan.visits / 4
        } else {
            plan.visits
        };
        let n = visits + self.rng.random_range(0..visits / 5 + 1) - visits / 10;
        for _ in 0..n {
            let m = self.rng.random_range(7 * 60..21 * 60);
            let t = self.at(m) + self.rng.random_range(0..60_000);
            tl.push((t, Task::Arrive));
        }
        let mut students = if plan.boarders {
            self.s.students(None)?
        } else {
            vec![]
        };
        if plan.boarders {
            if school_night {
                tl.push((self.at(20 * 60 + 50), Task::TeacherLogin));
                tl.push((self.at(21 * 60 + 30), Task::Roll(RoundKind::LightsOut)));
                tl.push((self.at(23 * 60 + 30), Task::Roll(RoundKind::BedCheck)));
            }
            if weekday == Weekday::Fri {
                for st in &students {
                    if self.rng.random_range(0..10) < 9 {
                        let m = self.rng.random_range(16 * 60..18 * 60 + 30);
                        tl.push((self.at(m), Task::WeekendDepart(st.id.clone())));
                    }
                }
            }
            if !weekend && weekday != Weekday::Fri {
                for (times, from, to, task) in [
                    (self.rng.random_range(1..=3), 11 * 60, 17 * 60, 0),
                    (self.rng.random_range(0..=2), 8 * 60, 12 * 60, 1),
                    (self.rng.random_range(0..=2), 19 * 60, 21 * 60, 2),
                ] {
                    for _ in 0..times {
                        let m = self.rng.random_range(from..to);
                        let task = match task {
                            0 => Task::Depart,
                            1 => Task::Leave,
                            _ => Task::Sick,
                        };
                        tl.push((self.at(m), task));
                    }
                }
            }
        }
        if plan.office && (self.n % 7 == 3 || self.n % 30 == 10 || self.n < 3) {
            tl.push((self.at(16 * 60), Task::Office));
        }
        tl.sort_by_key(|e| e.0);
        let cast = self.cast;
        let mut k = 0;
        while k < tl.len() {
            let t = tl[k].0;
            let task = std::mem::replace(&mut tl[k].1, Task::GuardLogin);
            k += 1;
            self.set_clock(t);
            let mut then = |tl: &mut Vec<(i64, Task)>, at: i64, task: Task| {
                if at >= end {
                    spill.push((at, task));
                } else {
                    let pos = tl[k..].partition_point(|e| e.0 <= at) + k;
                    tl.insert(pos, (at, task));
                }
            };
            match task {
                Task::GuardLogin => {
                    let (g, pin) = &cast.guard;
                    self.s.login(&g.id, pin)?;
                }
                Task::TeacherLogin => {
                    if let Some((tch, pin)) = &cast.teacher {
                        self.s.login(&tch.id, pin)?;
                    }
                }
                Task::Arrive => {
                    if let Some((id, who)) = self.arrive()? {
                        let stay = self.rng.random_range(10..150) * 60_000;
                        then(&mut tl, t + stay, Task::SignOut(id, who));
                    }
                }
                Task::SignOut(id, who) => self.s.sign_out(&who, &id)?,
                Task::Depart => {
                    if let Some(st) = self.pick(&students) {
                        let id = st.id.clone();
                        if let Some(dep) = self.depart(&students, &id, None)? {
                            let back = (t + self.rng.random_range(120..300) * 60_000)
                                .min(self.at(21 * 60 + 10));
                            then(&mut tl, back, Task::DepartBack(dep));
                        }
                    }
                }
                Task::WeekendDepart(id) => {
                    // Due back on Sunday at 18:30.
                    let due = self.at(2 * 24 * 60 + 18 * 60 + 30);
                    if let Some(dep) = self.depart(&students, &id, Some(due))? {
                        let m = self.rng.random_range(14 * 60..19 * 60);
                        then(&mut tl, self.at(2 * 24 * 60 + m), Task::DepartBack(dep));
                    }
                }
                Task::DepartBack(id) => self.s.record_return(&cast.guard.0, &id, true)?,
                Task::Leave => {
                    if let Some(id) = self.leave(&students, t)? {
                        let back = t + self.rng.random_range(180..360) * 60_000;
                        then(&mut tl, back, Task::LeaveBack(id));
                    }
                }
                Task::LeaveBack(id) => self.s.record_return(&cast.guard.0, &id, false)?,
                Task::Sick => {
                    if let Some(id) = self.sick(&students)? {
                        then(&mut tl, self.at(22 * 60 + 40), Task::SickDone(id));
                    }
                }
                Task::SickDone(id) => {
                    if let Some((tch, _)) = &cast.teacher {
                        self.s
                            .sick_followup(tch, &id, "体温已降，已入睡", "37.1", true)?;
                    }
                }
                Task::Roll(kind) => self.roll(kind)?,
                Task::Office => {
                    self.office(&students)?;
                    // Leavers and newcomers: later tasks pick from today's roster.
                    students = self.s.students(None)?;
                }
            }
        }
        self.carry.extend(spill);
        Ok(())
    }

    /// A returning visitor (skewed towards the regulars) is registered.
    fn arrive(&mut self) -> Result<Option<(String, Actor)>, StoreError> {
        let cast = self.cast;
        let who = cast.desk(self.rng).clone();
        let i = (self.rng.random_range(0.0f64..1.0).powi(3) * self.pool.len() as f64) as usize;
        let form = self.pool[i.min(self.pool.len() - 1)].clone();
        let mut outcome = self.s.register_visit(&who, &form, None)?;
        if let RegisterOutcome::NeedsDecision(_) = outcome {
            outcome = self.s.register_visit(
                &who,
                &form,
                Some((Decision::Admit, "同名不同人，已核对身份证".into())),
            )?;
        }
        let RegisterOutcome::Registered(id) = outcome else {
            return Ok(None);
        };
        if self.rng.random_range(0..400) == 0 {
            let mut f = form;
            f.purpose = format!("{}（补充：已核实）", f.purpose);
            self.s.correct_visit(&who, &id, &f, "登记时事由不完整")?;
        }
        Ok(Some((id, who)))
    }

    fn pick<'s>(&mut self, students: &'s [Student]) -> Option<&'s Student> {
        (!students.is_empty()).then(|| &students[self.rng.random_range(0..students.len())])
    }

    /// A guardian on the pick-up list takes boarder `id` out through the
    /// gate (not if the boarder has left the school meanwhile).
    fn depart(
        &mut self,
        students: &[Student],
        id: &str,
        due_ms: Option<i64>,
    ) -> Result<Option<String>, StoreError> {
        let Some(st) = students.iter().find(|s| s.id == id) else {
            return Ok(None);
        };
        let Some(g) = st.data.guardians.iter().find(|g| g.may_pick_up) else {
            return Ok(None);
        };
        let id = self.s.gate_depart(
            &self.cast.guard.0,
            &st.id,
            &g.name,
            &g.relation,
            g.phone.as_deref().unwrap_or(""),
            due_ms,
            if due_ms.is_some() {
                "周末回家"
            } else {
                "家中有事，傍晚送回"
            },
            None,
        )?;
        Ok(Some(id))
    }

    /// The dorm teacher grants half a day's leave to see a doctor.
    fn leave(&mut self, students: &[Student], t: i64) -> Result<Option<String>, StoreError> {
        let cast = self.cast;
        let Some((tch, _)) = &cast.teacher else {
            return Ok(None);
        };
        let Some(st) = self.pick(students) else {
            return Ok(None);
        };
        let approver = if st.data.head_teacher.is_empty() {
            "班主任".to_string()
        } else {
            st.data.head_teacher.clone()
        };
        let id = self.s.grant_leave(
            tch,
            &st.id,
            t,
            t + 8 * 3_600_000,
            "去县医院复查",
            &approver,
            "县人民医院",
        )?;
        Ok(Some(id))
    }

    fn sick(&mut self, students: &[Student]) -> Result<Option<String>, StoreError> {
        let cast = self.cast;
        let Some((tch, _)) = &cast.teacher else {
            return Ok(None);
        };
        let Some(st) = self.pick(students) else {
            return Ok(None);
        };
        let id = self.s.record_sick(
            tch,
            &st.id,
            "发热、咽痛",
            "37.9",
            "布洛芬一片",
            "已喝温水",
            false,
            true,
        )?;
        Ok(Some(id))
    }

    /// The lights-out roll (or the bed check later) of every building: the teacher goes room by
    /// room marking the boarders there present ("rest present" of the room);
    /// now and then one is missing (late, or absent and followed up).
    fn roll(&mut self, kind: RoundKind) -> Result<(), StoreError> {
        let cast = self.cast;
        let buildings = self.buildings;
        let Some((tch, _)) = &cast.teacher else {
            return Ok(());
        };
        for (i, b) in buildings.iter().enumerate() {
            let start = match kind {
                RoundKind::LightsOut => 21 * 60 + 30,
                RoundKind::BedCheck => 23 * 60 + 30,
            };
            self.set_clock(self.at(start + 2 * i as i64));
            let round = self.s.start_round(tch, kind, b)?;
            let mut rooms: Vec<Room> = vec![];
            for r in self.s.round_sheet(&round)? {
                if r.mark.is_some() {
                    continue;
                }
                let room = r.student.bed.as_ref().map(|b| (b.floor, b.room.clone()));
                match rooms.last_mut() {
                    Some((k, ids)) if *k == room => ids.push(r.student.id),
                    _ => rooms.push((room, vec![r.student.id])),
                }
            }
            let all: Vec<&String> = rooms.iter().flat_map(|(_, ids)| ids).collect();
            let odd = (!all.is_empty() && self.rng.random_range(0..4) == 0)
                .then(|| all[self.rng.random_range(0..all.len())].clone());
            for (_, ids) in &rooms {
                let present: Vec<String> = ids
                    .iter()
                    .filter(|id| Some(*id) != odd.as_ref())
                    .cloned()
                    .collect();
                if present.is_empty() {
                    continue;
                }
                let gap = self.rng.random_range(15_000..45_000);
                self.set_clock(self.clock.now_ms() + gap);
                self.s
                    .mark_many(tch, &round, &present, Mark::Present, None, "")?;
            }
            if let Some(who) = &odd {
                let now = self.clock.now_ms();
                if self.rng.random_bool(0.5) {
                    let back = now + self.rng.random_range(5..40) * 60_000;
                    self.set_clock(back + 60_000);
                    self.s.mark(tch, &round, who, Mark::Late, Some(back), "")?;
                } else {
                    self.s.mark(tch, &round, who, Mark::Absent, None, "")?;
                    self.set_clock(now + 25 * 60_000);
                    self.s.record_followup(
                        tch,
                        &round,
                        who,
                        "guardian",
                        "",
                        "在同学寝室，已带回",
                        Some(now + 20 * 60_000),
                    )?;
                }
            }
            self.set_clock(self.clock.now_ms() + 60_000);
            self.s.close_round(tch, &round, None)?;
        }
        Ok(())
    }

    /// The office: weekly a setting and a boarder's notes; monthly a boarder
    /// leaves, another moves into the free bed and a newcomer takes theirs;
    /// in the first days an operator added and retired, a PIN reset, a
    /// watch-list entry added and lifted.
    fn office(&mut self, students: &[Student]) -> Result<(), StoreError> {
        let admin = self.cast.admin.clone();
        let day = local(self.base, OFFSET_MIN).format("%m-%d").to_string();
        match self.n {
            0 => {
                self.s.add_operator(&admin, "赵师傅", Role::Guard, "5555")?;
                self.s.add_watch(
                    &admin,
                    &WatchForm {
                        name: "钱某某".into(),
                        id_no: String::new(),
                        phone: "13900001234".into(),
                        reason: "家长纠纷，暂不得接走学生".into(),
                        note: "如到校请通知值班领导".into(),
                    },
                )?;
            }
            1 => {
                let ops = self.s.operators()?;
                if let Some(op) = ops.iter().find(|o| o.name == "赵师傅" && o.active) {
                    self.s.change_operator(&admin, &op.id, Role::Guard, false)?;
                }
                let (g, pin) = &self.cast.guard;
                let g = g.clone();
                self.s.set_pin(&admin, &g.id, pin)?;
            }
            2 => {
                let entry: Option<String> = self
                    .s
                    .conn()
                    .query_row(
                        "SELECT entity FROM events WHERE kind = 'watchlist.added' ORDER BY hlc_ms DESC, hlc_c DESC LIMIT 1",
                        [],
                        |r| r.get(0),
                    )
                    .ok();
                if let Some(e) = entry {
                    let id = e.trim_start_matches("watch:");
                    self.s.remove_watch(&admin, id, "家长已和解，解除")?;
                }
            }
            _ => {}
        }
        if self.n % 7 == 3 {
            let v = if (self.n / 7) % 2 == 0 { 15 } else { 10 };
            self.s.set_setting(&admin, settings::LOCK_MINUTES, v)?;
            if let Some(st) = self.pick(students) {
                let mut data = st.data.clone();
                data.care_notes = format!("{}（{day} 家长来电更新）", data.care_notes)
                    .chars()
                    .take(200)
                    .collect();
                self.s.update_student(&admin, &st.id, data)?;
            }
        }
        if self.n % 30 == 10 && students.len() > 2 {
            let x = self.pick(students).cloned();
            let y = self.pick(students).cloned();
            if let (Some(x), Some(y)) = (x, y)
                && x.id != y.id
                && let (Some(xbed), Some(ybed)) = (x.bed.clone(), y.bed.clone())
                && xbed.building == ybed.building
            {
                self.s.student_left(&admin, &x.id, "转学")?;
                let zone = y.data.gender.map(Zone::for_gender).unwrap_or(Zone::Boys);
                self.s.move_student(&admin, &y.id, Some(xbed), zone)?;
                let mut data = y.data.clone();
                data.name = format!("{}新", data.name.chars().take(2).collect::<String>());
                data.student_no = None;
                data.care_notes = String::new();
                self.s
                    .enroll_student(&admin, data, Some(ybed), Some(zone))?;
            }
        }
        Ok(())
    }
}

/// Returning visitors: the forms of every 40th visit of the year (not the
/// denied ones, nor those whose personal data was purged).
fn visitor_pool(store: &Store) -> Result<Vec<VisitForm>> {
    let ids: Vec<String> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT id FROM visits ORDER BY time_in")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut pool = vec![];
    for id in ids.iter().step_by(40) {
        if let Some(v) = store.visit(id)?
            && v.status != VisitStatus::Denied
            && !v.details.is_erased()
        {
            pool.push(VisitForm::from_details(&v.details));
        }
    }
    ensure!(pool.len() >= 100, "only {} returning visitors", pool.len());
    Ok(pool)
}

// ───────────────────────────── the big database ─────────────────────────────

#[derive(Default)]
struct BigDb {
    path: PathBuf,
    source: String,
    gen_secs: f64,
    generated_now: bool,
    events_generated: i64,
    topup_secs: f64,
    topup_days: i64,
    topup_from: String,
    topup_to: String,
    topped_now: bool,
    /// "schema k → N in … s" when a copy of an older schema was used.
    migrated: String,
    events: i64,
    bytes: u64,
    kinds: Vec<(String, i64)>,
}

/// The cached ≥1M-event database, made on first use.
fn big_db() -> Result<BigDb> {
    let dir = target_dir().join("bench-data");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let v = migrate::LATEST;
    // Named by the schema and the generator's fingerprint, as the other
    // benches' caches are.
    let g = format!("{:016x}", demo::GENERATOR_HASH);
    let path = dir.join(format!("sync-school-year-v{v}-{g}.db"));
    let note_path = dir.join(format!("sync-school-year-v{v}-{g}.txt"));
    let mut info = BigDb {
        path: path.clone(),
        ..BigDb::default()
    };
    if path.exists() {
        let note = std::fs::read_to_string(&note_path).unwrap_or_default();
        info.source = note_value(&note, "source").unwrap_or_else(|| "?".into());
        info.migrated = note_value(&note, "migrated").unwrap_or_default();
        info.gen_secs = note_f64(&note, "generated_s");
        info.events_generated = note_f64(&note, "events_generated") as i64;
        info.topup_secs = note_f64(&note, "topup_s");
        info.topup_days = note_f64(&note, "topup_days") as i64;
        info.topup_from = note_value(&note, "topup_from").unwrap_or_default();
        info.topup_to = note_value(&note, "topup_to").unwrap_or_default();
        eprintln!("sync DB: cached at {}", path.display());
    } else {
        let tmp = dir.join(format!(
            "sync-school-year-v{v}-{g}.partial-{}.db",
            std::process::id()
        ));
        remove_db(&tmp);
        // An older schema's copy of this cache, else another bench's copy of
        // the same generator's year (this schema or older), migrated on open.
        let older_self = (1..v).rev().map(|k| ("sync-school-year", k));
        let others = (1..=v)
            .rev()
            .flat_map(|k| [("school-year", k), ("rollcall", k)]);
        let reuse = older_self.chain(others).find_map(|(stem, k)| {
            let db = dir.join(format!("{stem}-v{k}-{g}.db"));
            let note = dir.join(format!("{stem}-v{k}-{g}.txt"));
            (db.is_file() && note.is_file()).then_some((stem, k, db, note))
        });
        let clock = FixedClock::new(GEN_NOW_MS);
        let mut carried_topup = false;
        match reuse {
            Some((stem, k, db, note)) => {
                eprintln!("sync DB: starting from a copy of {}", db.display());
                // A consistent snapshot even while another bench has it open.
                let src =
                    Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
                src.execute("VACUUM INTO ?1", [tmp.to_str().context("utf-8 path")?])
                    .with_context(|| format!("copying {}", db.display()))?;
                drop(src);
                let note = std::fs::read_to_string(&note)?;
                info.gen_secs = note_f64(&note, "generated_s");
                let name = db
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .to_string();
                if stem == "sync-school-year" {
                    info.source = format!(
                        "{} (via {name})",
                        note_value(&note, "source").unwrap_or_default()
                    );
                    info.events_generated = note_f64(&note, "events_generated") as i64;
                    info.topup_secs = note_f64(&note, "topup_s");
                    info.topup_days = note_f64(&note, "topup_days") as i64;
                    info.topup_from = note_value(&note, "topup_from").unwrap_or_default();
                    info.topup_to = note_value(&note, "topup_to").unwrap_or_default();
                    carried_topup = true;
                } else {
                    info.source = format!(
                        "copy of {name} (demo::generate SchoolYear, seed {})",
                        note_value(&note, "seed").unwrap_or_else(|| "?".into())
                    );
                }
                if k < v {
                    eprintln!("sync DB: migrating the copy from schema {k} to {v} …");
                    let (r, dt) = time(|| Store::open(&tmp, Arc::new(clock.clone())));
                    drop(r?);
                    info.migrated = format!("schema {k} → {v} in {:.1} s", secs(dt));
                    let mut bak = tmp.as_os_str().to_owned();
                    bak.push(format!(".v{k}.bak"));
                    let _ = std::fs::remove_file(PathBuf::from(bak));
                }
            }
            None => {
                eprintln!("sync DB: generating the school year (one time, minutes) …");
                let mut store = Store::open(&tmp, Arc::new(clock.clone()))?;
                let (stats, dt) = time(|| {
                    demo::generate(&mut store, &clock, Scale::SchoolYear, SEED, GEN_NOW_MS)
                });
                let stats = stats?;
                info.gen_secs = secs(dt);
                info.generated_now = true;
                info.source = format!("demo::generate SchoolYear, seed {SEED}, this run");
                eprintln!(
                    "sync DB: generated {} visits, {} boarders, {} rounds in {:.1} s",
                    stats.visits, stats.boarders, stats.rounds, info.gen_secs
                );
            }
        }
        let mut store = Store::open(&tmp, Arc::new(clock.clone()))?;
        if !carried_topup {
            info.events_generated = count(store.conn(), "SELECT COUNT(*) FROM events")?;
            let (r, dt) = time(|| top_up(&mut store, &clock, &mut info));
            r?;
            info.topup_secs = secs(dt);
            info.topped_now = true;
        }
        // The school key is made once, here, so the cache never changes later.
        sync::identity(&mut store)?;
        drop(store);
        std::fs::rename(&tmp, &path)?;
        remove_db(&tmp);
        std::fs::write(
            &note_path,
            format!(
                "source={}\nmigrated={}\ngenerated_s={:.1}\nevents_generated={}\ntopup_s={:.1}\ntopup_days={}\ntopup_from={}\ntopup_to={}\n",
                info.source,
                info.migrated,
                info.gen_secs,
                info.events_generated,
                info.topup_secs,
                info.topup_days,
                info.topup_from,
                info.topup_to
            ),
        )?;
    }
    let conn = Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    info.events = count(&conn, "SELECT COUNT(*) FROM events")?;
    let mut stmt =
        conn.prepare("SELECT kind, COUNT(*) FROM events GROUP BY kind ORDER BY 2 DESC")?;
    info.kinds = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    info.bytes = std::fs::metadata(&path)?.len();
    ensure!(
        info.events >= TARGET_EVENTS,
        "{} holds {} events (< {TARGET_EVENTS}); delete it to rebuild",
        path.display(),
        info.events
    );
    Ok(info)
}

/// Runs the school forward from the day after its last event, one school
/// day (one transaction) at a time, until the log holds TARGET_EVENTS.
fn top_up(store: &mut Store, clock: &FixedClock, info: &mut BigDb) -> Result<()> {
    let cast = Cast::of_demo(store)?;
    let buildings = store.buildings()?;
    let pool = visitor_pool(store)?;
    let origin = store.require_station()?.id.clone();
    let last = log::max_hlc(store.conn())?.ms;
    let mut date = local(last, OFFSET_MIN).date_naive() + chrono::Duration::days(1);
    info.topup_from = date.to_string();
    let mut rng = StdRng::seed_from_u64(SEED ^ 0x5359_4e43);
    store.set_ids(IdGen::seeded(SEED ^ 0x5359_4e43));
    let mut events = info.events_generated;
    let started = Instant::now();
    eprintln!(
        "sync DB: topping up {events} events to ≥ {TARGET_EVENTS} from {date}, one school day at a time …"
    );
    let plan = DayPlan {
        visits: VISITS_PER_DAY,
        boarders: true,
        office: true,
    };
    let mut n = 0i64;
    let mut carry = vec![];
    // Stop on a day with nobody still away for the weekend.
    while events < TARGET_EVENTS || !carry.is_empty() {
        let base = day_start_ms(date, OFFSET_MIN);
        let before = log::head(store.conn(), &origin)?.0;
        store.batch(|s| {
            Day {
                s,
                clock,
                rng: &mut rng,
                cast: &cast,
                pool: &pool,
                buildings: &buildings,
                base,
                n,
                carry: &mut carry,
            }
            .run(plan)
        })?;
        events += log::head(store.conn(), &origin)?.0 - before;
        info.topup_to = date.to_string();
        n += 1;
        date += chrono::Duration::days(1);
        if n % 10 == 0 {
            eprintln!(
                "  {n} days, {events} events, {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
    }
    info.topup_days = n;
    store.set_ids(IdGen::Random);
    Ok(())
}

// ───────────────────────────── raw SQLite baselines ─────────────────────────────

struct RawRow {
    origin: String,
    seq: i64,
    id: String,
    hlc_ms: i64,
    hlc_c: i64,
    kind: String,
    entity: String,
    schema: i64,
    actor: String,
    body: String,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
}

impl RawRow {
    fn bytes(&self) -> u64 {
        (self.origin.len()
            + self.id.len()
            + self.kind.len()
            + self.entity.len()
            + self.actor.len()
            + self.body.len()
            + self.prev_hash.len()
            + self.hash.len()
            + 4 * 8) as u64
    }
}

const SELECT_ALL: &str = "SELECT origin, seq, id, hlc_ms, hlc_c, kind, entity, schema, actor, body, prev_hash, hash FROM events ORDER BY origin, seq";

fn load_rows(conn: &Connection) -> Result<Vec<RawRow>> {
    load_rows_where(conn, SELECT_ALL, [])
}

/// The rows of one origin above a sequence number: what an incremental
/// bundle of that origin's new events holds.
fn load_rows_above(conn: &Connection, origin: &str, above: i64) -> Result<Vec<RawRow>> {
    load_rows_where(
        conn,
        "SELECT origin, seq, id, hlc_ms, hlc_c, kind, entity, schema, actor, body, prev_hash, hash FROM events WHERE origin = ?1 AND seq > ?2 ORDER BY seq",
        params![origin, above],
    )
}

fn load_rows_where(conn: &Connection, sql: &str, p: impl rusqlite::Params) -> Result<Vec<RawRow>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(p, |r| {
        Ok(RawRow {
            origin: r.get(0)?,
            seq: r.get(1)?,
            id: r.get(2)?,
            hlc_ms: r.get(3)?,
            hlc_c: r.get(4)?,
            kind: r.get(5)?,
            entity: r.get(6)?,
            schema: r.get(7)?,
            actor: r.get(8)?,
            body: r.get(9)?,
            prev_hash: r.get(10)?,
            hash: r.get(11)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The `events` table and its indexes exactly as the app made them.
fn events_schema(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'events' AND sql IS NOT NULL ORDER BY type DESC",
    )?;
    let v: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    ensure!(
        v.first().is_some_and(|s| s.starts_with("CREATE TABLE")),
        "events schema: {v:?}"
    );
    Ok(v)
}

/// Baseline: a fresh database with the same pragmas as a station (WAL,
/// synchronous FULL), the same table and indexes, every row in one
/// transaction through one prepared statement.
fn bulk_insert(path: &Path, schema: &[String], rows: &[RawRow]) -> Result<Connection> {
    bulk_insert_in(path, "WAL", schema, rows)
}

/// `bulk_insert` with another journal mode: the import of a big bundle
/// switches to a rollback journal, so that baseline is shown too.
fn bulk_insert_in(
    path: &Path,
    journal: &str,
    schema: &[String],
    rows: &[RawRow],
) -> Result<Connection> {
    remove_db(path);
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", journal)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    for sql in schema {
        conn.execute_batch(sql)?;
    }
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare(
            "INSERT INTO events (origin, seq, id, hlc_ms, hlc_c, kind, entity, schema, actor, body, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        for r in rows {
            stmt.execute(params![
                r.origin,
                r.seq,
                r.id,
                r.hlc_ms,
                r.hlc_c,
                r.kind,
                r.entity,
                r.schema,
                r.actor,
                r.body,
                r.prev_hash,
                r.hash
            ])?;
        }
    }
    tx.commit()?;
    Ok(conn)
}

/// Baseline of an all-known import: every (origin, seq) looked up and its
/// hash compared, one transaction.
fn bulk_lookup(conn: &mut Connection, rows: &[RawRow]) -> Result<()> {
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare("SELECT hash FROM events WHERE origin = ?1 AND seq = ?2")?;
        for r in rows {
            let h: Vec<u8> = stmt.query_row(params![r.origin, r.seq], |x| x.get(0))?;
            ensure!(h == r.hash, "hash differs at {}#{}", r.origin, r.seq);
        }
    }
    tx.commit()?;
    Ok(())
}

/// Baseline of the read side of an export: every row read, in bundle order.
fn bulk_scan(conn: &Connection) -> Result<u64> {
    let mut stmt = conn.prepare(SELECT_ALL)?;
    let mut rows = stmt.query([])?;
    let mut n = 0u64;
    while let Some(r) = rows.next()? {
        let body: String = r.get(9)?;
        std::hint::black_box(body);
        n += 1;
    }
    Ok(n)
}

// ───────────────────────────── stations ─────────────────────────────

/// A fresh station joined to the school (setup is not timed).
fn fresh_station(dir: &Path, tag: &str, info: &JoinInfo, now_ms: i64) -> Result<Store> {
    let path = dir.join(format!("{tag}.db"));
    remove_db(&path);
    let mut s = Store::open(&path, Arc::new(FixedClock::new(now_ms)))?;
    sync::join(
        &mut s,
        info,
        DORM.0,
        StationKind::Dorm,
        OFFSET_MIN,
        DORM.1,
        DORM.2,
    )?;
    Ok(s)
}

fn events_of(store: &Store) -> Result<i64> {
    count(store.conn(), "SELECT COUNT(*) FROM events")
}

fn check_import(r: &ImportReport, new: u64, known: u64) -> Result<()> {
    ensure!(
        r.refused.is_none() && r.rejected == 0 && r.new == new && r.known == known,
        "import: {r:?}, expected {new} new, {known} known"
    );
    Ok(())
}

// ───────────────────────────── the measurements ─────────────────────────────

struct Full {
    events: u64,
    bundle_bytes: u64,
    raw_bytes: u64,
    export: Duration,
    import: Duration,
    reimport: Duration,
    base_insert: Duration,
    /// (floor, import): the same insert with a rollback journal instead of
    /// the WAL, and the import timed right beside it; the first import is
    /// `import`.
    pairs: Vec<(Duration, Duration)>,
    base_lookup: Duration,
    base_scan: Duration,
    invite: Duration,
    b_events: i64,
    /// (RSS before, peak RSS during) in MB.
    export_mem: (f64, f64),
    import_mem: (f64, f64),
    /// The process's peak resident memory since it started, read right
    /// after the full import (MB).
    process_peak: f64,
    morning: Morning,
}

/// The morning after: one more day at the big station, its bundle (the
/// whole log) imported where the year already is.
struct Morning {
    copy: Duration,
    day: Duration,
    day_events: u64,
    /// B's bundle to A before the day (B heard A's statement with the
    /// year, so it holds only B's own few events): events, bytes, export
    /// and import time.
    statement: (u64, u64, Duration, Duration),
    export: Duration,
    events: u64,
    bytes: u64,
    import: Duration,
    new: u64,
    known: u64,
    /// (RSS before, peak during) in MB.
    export_mem: (f64, f64),
    import_mem: (f64, f64),
    /// Same run: the day's rows inserted raw into a fresh events table.
    base_insert: Duration,
    /// After the day reached B and B told A so: A's next bundle (nothing
    /// new) — events, bytes, export time — and B's (events, bytes).
    nothing: (u64, u64, Duration),
    nothing_b: (u64, u64),
    /// The other stations whose "I hold it" statements A took before that.
    dorms_said: usize,
    /// `Store::mark` one boarder at a time through a 500-boarder building,
    /// on the copy after its export: the time of each mark, in order.
    marks: Vec<Duration>,
}

struct DayRun {
    events: u64,
    bundle_bytes: u64,
    raw_bytes: u64,
    kinds: Vec<(String, i64)>,
    ops: Duration,
    export: Vec<Duration>,
    import: Vec<Duration>,
    total: Vec<Duration>,
    reimport: Vec<Duration>,
    base_insert: Vec<Duration>,
    base_lookup: Vec<Duration>,
    scrypt: Vec<Duration>,
}

fn full_run(big: &BigDb, work: &Path, info_out: &mut Option<JoinInfo>) -> Result<Full> {
    let conn_ro =
        Connection::open_with_flags(&big.path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let last = log::max_hlc(&conn_ro)?.ms;
    let a_now = last + 3_600_000;
    let mut a = Store::open(&big.path, Arc::new(FixedClock::new(a_now)))?;
    let join_path = work.join("school.ddjoin");
    let ((code, _fp), invite) = {
        let (r, dt) = time(|| sync::invite(&mut a, &join_path));
        (r?, dt)
    };
    let mut info = sync::join_info(&join_path, &code)?;
    // The stations here join empty: the full import is timed on its own.
    info.snapshot = None;
    let _ = std::fs::remove_file(sync::snapshot_path(&join_path));
    *info_out = Some(info.clone());

    // Everything, as `sync export --full`: the dorms of the generated year
    // hold it all already, so an incremental export would carry nothing.
    eprintln!("  export …");
    let bundle = work.join("full.ddbundle");
    let (rep, export, export_mem) = measured(|| sync::export_to_as(&mut a, &bundle, true));
    let rep = rep?;
    ensure!(rep.events as i64 == big.events, "exported {}", rep.events);
    drop(a);

    eprintln!("  import into a fresh station …");
    // B's clock: days later, so the morning after is not "in the future".
    let b_now = a_now + 7 * 86_400_000;
    let mut b = fresh_station(work, "full-b", &info, b_now)?;
    let own = events_of(&b)? as u64;
    let (r, import, import_mem) = measured(|| sync::import_file(&mut b, &bundle, false));
    check_import(&r?, rep.events, 0)?;
    // The process's own high-water mark, before the baseline's rows (held
    // all at once) raise it.
    let process_peak = hwm_kb() as f64 / 1024.0;
    let b_events = events_of(&b)?;
    ensure!(
        b_events as u64 == rep.events + own,
        "station B holds {b_events} events"
    );
    eprintln!("  the same bundle again (all known) …");
    let (r, reimport) = time(|| sync::import_file(&mut b, &bundle, false));
    check_import(&r?, 0, rep.events)?;

    // The disk's speed drifts from minute to minute on a shared machine, so
    // one import against a floor taken minutes apart says little. The
    // import runs IMPORT_PAIRS times, each right beside a rollback-journal
    // floor (the first import, measured for memory above, is followed by
    // its floor; each later one follows its own), and each import is
    // compared with its own floor. The floor's rows, all in memory at once,
    // are read for it and freed after it: imports run beside them took
    // 22–23.5 s where the first took 18–19 s (a heap of 1.4M rows under
    // their allocations); freed, 18–20 s all three.
    let schema = events_schema(&conn_ro)?;
    let base_path = work.join("baseline-full.db");
    let floor = || -> Result<Duration> {
        eprintln!("  reading the rows for the baseline (not timed) …");
        let rows = load_rows(&conn_ro)?;
        ensure!(rows.len() as i64 == big.events, "rows read: {}", rows.len());
        eprintln!(
            "  baseline: rollback-journal bulk insert of {} rows …",
            rows.len()
        );
        let (conn, d) = time(|| bulk_insert_in(&base_path, "TRUNCATE", &schema, &rows));
        drop(conn?);
        drop(rows);
        give_back_freed_memory();
        Ok(d)
    };
    let mut pairs = vec![(floor()?, import)];
    for i in 1..IMPORT_PAIRS {
        let f = floor()?;
        eprintln!("  import into a fresh station, run {} …", i + 1);
        let tag = format!("full-b{i}");
        let mut again = fresh_station(work, &tag, &info, b_now)?;
        let (r, d) = time(|| sync::import_file(&mut again, &bundle, false));
        check_import(&r?, rep.events, 0)?;
        drop(again);
        remove_db(&work.join(format!("{tag}.db")));
        pairs.push((f, d));
    }
    let _ = std::fs::remove_file(&bundle);
    let rows = load_rows(&conn_ro)?;
    let raw_bytes: u64 = rows.iter().map(RawRow::bytes).sum();
    let (conn, base_insert) = time(|| bulk_insert(&base_path, &schema, &rows));
    let mut base_conn = conn?;
    let (r, base_lookup) = time(|| bulk_lookup(&mut base_conn, &rows));
    r?;
    let (n, base_scan) = time(|| bulk_scan(&conn_ro));
    ensure!(n? == rows.len() as u64, "scan count");
    drop(base_conn);
    remove_db(&base_path);
    ensure!(rows.len() as u64 == rep.events, "rows read: {}", rows.len());
    drop(rows);
    give_back_freed_memory();

    // Said now: a later step that fails must not take these with it.
    eprintln!(
        "  full: {} events, bundle {:.1} MB; export {:.2} s (RSS {:.0} → {:.0} MB); import {:.2} s \
         (RSS {:.0} → {:.0} MB; process {process_peak:.0} MB); import ÷ its rollback-journal floor: {} \
         = median {:.2}x; WAL bulk insert {:.2} s = {:.2}x; re-import {:.2} s",
        rep.events,
        rep.bytes as f64 / 1e6,
        export.as_secs_f64(),
        export_mem.0,
        export_mem.1,
        import.as_secs_f64(),
        import_mem.0,
        import_mem.1,
        pairs_text(&pairs),
        median_ratio(&pairs),
        base_insert.as_secs_f64(),
        base_insert.as_secs_f64() / import.as_secs_f64(),
        reimport.as_secs_f64(),
    );
    eprintln!("  the morning after: one more day at the big station, its bundle at B …");
    let morning = morning_after(big, work, &mut b, a_now)?;
    drop(b);
    remove_db(&work.join("full-b.db"));
    Ok(Full {
        events: rep.events,
        bundle_bytes: rep.bytes,
        raw_bytes,
        export,
        import,
        reimport,
        base_insert,
        pairs,
        base_lookup,
        base_scan,
        invite,
        b_events,
        export_mem,
        import_mem,
        process_peak,
        morning,
    })
}

fn morning_after(big: &BigDb, work: &Path, b: &mut Store, a_now: i64) -> Result<Morning> {
    let copy_path = work.join("big-copy.db");
    remove_db(&copy_path);
    let (r, copy) = time(|| std::fs::copy(&big.path, &copy_path));
    r?;
    let clock = FixedClock::new(a_now);
    let mut a = Store::open(&copy_path, Arc::new(clock.clone()))?;
    let cast = Cast::of_demo(&a)?;
    let buildings = a.buildings()?;
    let pool = visitor_pool(&a)?;
    // As a sync folder does each round: B's bundle reaches A first, stating
    // that B holds the year, so A's next bundle holds only what is new.
    let stmt_path = work.join("b-statement.ddbundle");
    let (r, stmt_export) = time(|| sync::export_to(b, &stmt_path));
    let stmt = r?;
    let (r, stmt_import) = time(|| sync::import_file(&mut a, &stmt_path, false));
    check_import(&r?, stmt.events, 0)?;
    let _ = std::fs::remove_file(&stmt_path);
    let a_id = a.require_station()?.id.clone();
    let a_head = log::head(a.conn(), &a_id)?.0;
    let before = events_of(&a)?;
    // The next school night (Monday to Thursday): visitors and the roll.
    let mut date = local(a_now, OFFSET_MIN).date_naive() + chrono::Duration::days(1);
    while !matches!(
        date.weekday(),
        Weekday::Mon | Weekday::Tue | Weekday::Wed | Weekday::Thu
    ) {
        date += chrono::Duration::days(1);
    }
    let mut rng = StdRng::seed_from_u64(SEED ^ 0x4d4f_524e);
    let (r, day) = time(|| {
        a.batch(|s| {
            Day {
                s,
                clock: &clock,
                rng: &mut rng,
                cast: &cast,
                pool: &pool,
                buildings: &buildings,
                base: day_start_ms(date, OFFSET_MIN),
                n: 5,
                carry: &mut vec![],
            }
            .run(DayPlan {
                visits: DAY_VISITS,
                boarders: true,
                office: false,
            })
        })
    });
    r?;
    let day_events = (events_of(&a)? - before) as u64;
    let rows = load_rows_above(a.conn(), &a_id, a_head)?;
    ensure!(rows.len() as u64 == day_events, "day rows {}", rows.len());
    let base_path = work.join("baseline-morning.db");
    let schema = events_schema(a.conn())?;
    let (conn, base_insert) = time(|| bulk_insert(&base_path, &schema, &rows));
    drop(conn?);
    remove_db(&base_path);
    drop(rows);
    let bundle = work.join("morning.ddbundle");
    let (rep, export, export_mem) = measured(|| sync::export_to(&mut a, &bundle));
    let rep = rep?;
    // The day, plus what B itself wrote when it joined: the year's dorm
    // stations have not heard of B yet, so A passes those few on too.
    let b_own = count_origin(a.conn(), &b.station().context("B's station")?.id)?;
    ensure!(
        rep.events == day_events + b_own,
        "the morning bundle holds {} (day {day_events}, B's own {b_own})",
        rep.events
    );
    let (r, import, import_mem) = measured(|| sync::import_file(b, &bundle, false));
    let r = r?;
    check_import(&r, day_events, b_own)?;
    let _ = std::fs::remove_file(&bundle);
    // The year's two dorm stations take the same bundle from the folder and
    // say so in their next bundles, which A and B read there too. Only
    // their headers matter here: they are recorded as importing any bundle
    // records its sender's statement (their import is what B's measures).
    // Until B knows the dorms hold the day, B's own bundle carries it again
    // for them.
    let b_id = b.station().context("B's station")?.id.clone();
    let said_at = clock.now_ms() + 60_000;
    // What each dorm holds now: what A holds (A's own statement, as its
    // next bundle would state it; what it heard of others is not theirs).
    let holds = knowledge::Knowledge {
        peers: Default::default(),
        ..knowledge::plan(&a, false)?.knowledge
    };
    let dorms: Vec<String> = a
        .conn()
        .prepare("SELECT id FROM stations WHERE id NOT IN (?1, ?2) ORDER BY id")?
        .query_map([&a_id, &b_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for d in &dorms {
        knowledge::record(&a, d, said_at, &holds)?;
        knowledge::record(b, d, said_at, &holds)?;
    }
    // Nothing new: B says it has the day; A's next bundle is empty.
    let b_says = work.join("b-nothing.ddbundle");
    let nothing_b = sync::export_to(b, &b_says)?;
    check_import(
        &sync::import_file(&mut a, &b_says, false)?,
        nothing_b.events,
        0,
    )?;
    let _ = std::fs::remove_file(&b_says);
    let empty = work.join("a-nothing.ddbundle");
    let (nothing, nothing_export) = time(|| sync::export_to(&mut a, &empty));
    let nothing = nothing?;
    check_import(&sync::import_file(b, &empty, false)?, 0, 0)?;
    let _ = std::fs::remove_file(&empty);
    let marks = mark_probe(&mut a, &clock, &cast, &buildings, date)?;
    drop(a);
    remove_db(&copy_path);
    Ok(Morning {
        copy,
        day,
        day_events,
        statement: (stmt.events, stmt.bytes, stmt_export, stmt_import),
        export,
        events: rep.events,
        bytes: rep.bytes,
        import,
        new: r.new,
        known: r.known,
        export_mem,
        import_mem,
        base_insert,
        nothing: (nothing.events, nothing.bytes, nothing_export),
        nothing_b: (nothing_b.events, nothing_b.bytes),
        dorms_said: dorms.len(),
        marks,
    })
}

/// The next night on the (throwaway) copy: one building's roll called
/// boarder by boarder (Space), each `Store::mark` timed — the projection
/// of a round is recomputed from all its events at every mark.
fn mark_probe(
    a: &mut Store,
    clock: &FixedClock,
    cast: &Cast,
    buildings: &[String],
    date: chrono::NaiveDate,
) -> Result<Vec<Duration>> {
    let (tch, _) = cast.teacher.as_ref().context("no dorm teacher")?;
    let b = buildings.first().context("no building")?;
    let night = day_start_ms(date + chrono::Duration::days(1), OFFSET_MIN);
    clock.set(night + (21 * 60 + 30) * 60_000);
    let round = a.start_round(tch, RoundKind::LightsOut, b)?;
    let ids: Vec<String> = a
        .round_sheet(&round)?
        .into_iter()
        .filter(|r| r.mark.is_none())
        .map(|r| r.student.id)
        .collect();
    let mut out = Vec::with_capacity(ids.len());
    for id in &ids {
        clock.set(clock.now_ms() + 300);
        let (r, dt) = time(|| a.mark(tch, &round, id, Mark::Present, None, ""));
        r?;
        out.push(dt);
    }
    Ok(out)
}

/// Peak resident memory of this process while a step runs, sampled.
struct PeakRss {
    stop: Arc<AtomicBool>,
    peak_kb: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Returns the baseline's freed rows to the system, so the memory figures
/// after it start from what the process really holds (glibc keeps freed
/// small allocations otherwise; 1.4M rows stayed as ~700 MB resident).
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: glibc's malloc_trim only releases free heap memory.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// The process's peak resident memory since it started (Linux; 0 elsewhere).
fn hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

impl PeakRss {
    fn start() -> PeakRss {
        let stop = Arc::new(AtomicBool::new(false));
        let peak_kb = Arc::new(AtomicU64::new(rss_kb()));
        let (s, p) = (stop.clone(), peak_kb.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                p.fetch_max(rss_kb(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        PeakRss {
            stop,
            peak_kb,
            thread: Some(thread),
        }
    }

    /// (RSS before, peak during) in MB.
    fn finish(mut self, before_kb: u64) -> (f64, f64) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let peak = self.peak_kb.load(Ordering::Relaxed).max(rss_kb());
        (before_kb as f64 / 1024.0, peak as f64 / 1024.0)
    }
}

/// Runs `f`, timing it and sampling the process's peak memory meanwhile.
/// Full imports timed, each beside its own rollback-journal floor.
const IMPORT_PAIRS: usize = 3;

/// "floor ÷ import = ratio" of every pair, in the order they ran.
fn pairs_text(pairs: &[(Duration, Duration)]) -> String {
    pairs
        .iter()
        .map(|(f, i)| {
            format!(
                "{:.2} s ÷ {:.2} s = {:.2}",
                secs(*f),
                secs(*i),
                secs(*f) / secs(*i)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The median of the pairs' floor ÷ import ratios.
fn median_ratio(pairs: &[(Duration, Duration)]) -> f64 {
    let mut r: Vec<f64> = pairs.iter().map(|(f, i)| secs(*f) / secs(*i)).collect();
    r.sort_by(f64::total_cmp);
    r[r.len() / 2]
}

/// The pair whose ratio is the median: its floor stands for the floor.
fn median_pair(pairs: &[(Duration, Duration)]) -> (Duration, Duration) {
    let m = median_ratio(pairs);
    *pairs
        .iter()
        .find(|(f, i)| secs(*f) / secs(*i) == m)
        .expect("the median is one of the pairs")
}

fn measured<T>(f: impl FnOnce() -> T) -> (T, Duration, (f64, f64)) {
    let before = rss_kb();
    let peak = PeakRss::start();
    let (out, dt) = time(f);
    (out, dt, peak.finish(before))
}

fn day_run(big: &BigDb, work: &Path, info: &JoinInfo) -> Result<DayRun> {
    // Returning visitors of the school, read from the big database.
    let pool = {
        let s = Store::open(&big.path, Arc::new(FixedClock::new(GEN_NOW_MS)))?;
        visitor_pool(&s)?
    };
    // A new gate station of the school and its busy day.
    let date = chrono::NaiveDate::from_ymd_opt(2027, 3, 15).context("date")?;
    let base = day_start_ms(date, OFFSET_MIN);
    let clock = FixedClock::new(base + 6 * 3_600_000);
    let d_path = work.join("day-gate.db");
    remove_db(&d_path);
    let mut d = Store::open(&d_path, Arc::new(clock.clone()))?;
    sync::join(
        &mut d,
        info,
        "北门门卫室",
        StationKind::Gate,
        OFFSET_MIN,
        "陈老师",
        "9999",
    )?;
    let admin = d
        .operators()?
        .into_iter()
        .next()
        .context("no admin")?
        .actor();
    let guard = d.add_operator(&admin, "张建国", Role::Guard, "1111")?;
    let cast = Cast {
        admin,
        guard: (guard, "1111".into()),
        teacher: None,
        leader: None,
    };
    let mut rng = StdRng::seed_from_u64(SEED ^ 0x0044_4159);
    let (r, ops) = time(|| {
        d.batch(|s| {
            Day {
                s,
                clock: &clock,
                rng: &mut rng,
                cast: &cast,
                pool: &pool,
                buildings: &[],
                base,
                n: 100,
                carry: &mut vec![],
            }
            .run(DayPlan {
                visits: DAY_VISITS,
                boarders: false,
                office: false,
            })
        })
    });
    r?;
    let rows = load_rows(d.conn())?;
    let schema = events_schema(d.conn())?;
    let raw_bytes: u64 = rows.iter().map(RawRow::bytes).sum();
    let kinds: Vec<(String, i64)> = {
        let mut stmt = d
            .conn()
            .prepare("SELECT kind, COUNT(*) FROM events GROUP BY kind ORDER BY 2 DESC")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?
    };
    let e_now = clock.now_ms() + 3_600_000;
    let mut out = DayRun {
        events: rows.len() as u64,
        bundle_bytes: 0,
        raw_bytes,
        kinds,
        ops,
        export: vec![],
        import: vec![],
        total: vec![],
        reimport: vec![],
        base_insert: vec![],
        base_lookup: vec![],
        scrypt: vec![],
    };
    let join_path = work.join("day.ddjoin");
    let (code, _) = sync::invite(&mut d, &join_path)?;
    for _ in 0..SCRYPT_RUNS {
        let (r, dt) = time(|| sync::join_info(&join_path, &code));
        r?;
        out.scrypt.push(dt);
    }
    for run in 0..DAY_RUNS {
        // Alternate with the baseline so both see the same machine.
        let base_path = work.join("baseline-day.db");
        let (conn, dt) = time(|| bulk_insert(&base_path, &schema, &rows));
        let mut conn = conn?;
        out.base_insert.push(dt);
        let (r, dt) = time(|| bulk_lookup(&mut conn, &rows));
        r?;
        out.base_lookup.push(dt);
        drop(conn);
        remove_db(&base_path);

        let bundle = work.join(format!("day-{run}.ddbundle"));
        let (rep, export) = time(|| sync::export_to(&mut d, &bundle));
        let rep = rep?;
        ensure!(rep.events == out.events, "day export {}", rep.events);
        out.bundle_bytes = rep.bytes;
        let mut e = fresh_station(work, "day-e", info, e_now)?;
        let (r, import) = time(|| sync::import_file(&mut e, &bundle, false));
        check_import(&r?, out.events, 0)?;
        let (r, reimport) = time(|| sync::import_file(&mut e, &bundle, false));
        check_import(&r?, 0, out.events)?;
        out.export.push(export);
        out.import.push(import);
        out.total.push(export + import);
        out.reimport.push(reimport);
        drop(e);
        remove_db(&work.join("day-e.db"));
        let _ = std::fs::remove_file(&bundle);
    }
    drop(d);
    remove_db(&d_path);
    Ok(out)
}

// ───────────────────────────── the run ─────────────────────────────

fn run() -> Result<()> {
    let since = Instant::now();
    step(1, "the ≥1,000,000-event school-year database", since);
    let big = big_db()?;
    let work = tempfile::Builder::new()
        .prefix("sync-bench-")
        .tempdir_in(big.path.parent().context("bench-data dir")?)?;

    step(2, "full export + import, baseline bulk insert", since);
    let mut info = None;
    let full = full_run(&big, work.path(), &mut info)?;
    let Some(info) = info else {
        bail!("no join info");
    };

    if std::env::args().any(|a| a == "--only-full") {
        // For profiling the big export and import alone.
        eprintln!(
            "full: {} events, export {:.1} s, import {:.1} s; import ÷ its rollback-journal floor: {} = median {:.2}; import RSS {:.0} → peak {:.0} MB, process peak {:.0} MB",
            full.events,
            secs(full.export),
            secs(full.import),
            pairs_text(&full.pairs),
            median_ratio(&full.pairs),
            full.import_mem.0,
            full.import_mem.1,
            full.process_peak
        );
        return Ok(());
    }
    step(3, "a day's bundle (~5,000 events)", since);
    let day = day_run(&big, work.path(), &info)?;

    step(4, "summary", since);
    print!("{}", render(&big, &full, &day, since.elapsed()));
    Ok(())
}

// ───────────────────────────── the summary ─────────────────────────────

fn rate(n: u64, d: Duration) -> f64 {
    if d.is_zero() {
        0.0
    } else {
        n as f64 / d.as_secs_f64()
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

fn render(big: &BigDb, full: &Full, day: &DayRun, elapsed: Duration) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "\n## dutydesk sync benchmark");
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let _ = writeln!(
        s,
        "\nMachine: {} CPUs, load average {} (shared). Ratios: figure ÷ baseline measured in this run.",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let _ = writeln!(
        s,
        "\nDatabase: {} — {:.0} MB, {} events.\n- Year: {} — {} events, generation {:.1} s{}{}.\n- Top-up: {} days ({} → {}) through the Store API, {:.1} s{}. Every week: ≈{VISITS_PER_DAY} visitors a school day (a quarter of that at the weekend), each registered and signed out (1 in 400 corrected); guard and dorm teacher log in daily; on Friday afternoon 90% of the boarders leave with a guardian through the gate and come back on Sunday afternoon; Sunday to Thursday the lights-out roll (21:30) and the bed check (23:30) of every building, room by room (\"rest present\" of a room; now and then one boarder late, or absent and followed up); on school days 1–3 boarders out for the afternoon and back, 0–2 on half-day leave and back, 0–2 sick recorded and followed up; weekly a setting and a boarder's notes, monthly a leaver, a bed move and a newcomer; once an operator added and retired, a PIN reset, a watch-list entry added and lifted.",
        big.path.display(),
        big.bytes as f64 / 1e6,
        big.events,
        big.source,
        big.events_generated,
        big.gen_secs,
        if big.generated_now {
            " (this run)"
        } else {
            " (from the note of the run that made it)"
        },
        if big.migrated.is_empty() {
            String::new()
        } else {
            format!("; copy migrated {}", big.migrated)
        },
        big.topup_days,
        big.topup_from,
        big.topup_to,
        big.topup_secs,
        if big.topped_now {
            " (this run)"
        } else {
            " (cached; time from the run that made it)"
        },
    );
    let kinds: Vec<String> = big.kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let _ = writeln!(
        s,
        "- Event kinds ({}): {}.",
        big.kinds.len(),
        kinds.join(", ")
    );

    // ── 1. full ──
    let n = full.events;
    let base = rate(n, full.base_insert);
    let exp = rate(n, full.export);
    let imp = rate(n, full.import);
    let both = rate(n, full.export + full.import);
    let (floor, median_import) = median_pair(&full.pairs);
    let lowest = full
        .pairs
        .iter()
        .map(|(f, i)| secs(*f) / secs(*i))
        .fold(f64::INFINITY, f64::min);
    let _ = writeln!(
        s,
        "\n### 1. Full export + import: {n} events into a fresh joined station (B then holds {})\n",
        full.b_events
    );
    let _ = writeln!(
        s,
        "| measure | time s | events/s | ratio to baseline (bulk insert, events/s) | goal |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|");
    let _ = writeln!(
        s,
        "| **baseline**: raw SQLite bulk insert, same rows, same schema + indexes, 1 tx, prepared | {:.2} | {:.0} | 1.00 | |",
        secs(full.base_insert),
        base
    );
    let _ = writeln!(
        s,
        "| baseline in a rollback journal (as the import of a big bundle runs), beside the median import | {:.2} | {:.0} | {:.2} | export + import to it: {:.2} |",
        secs(floor),
        rate(n, floor),
        rate(n, floor) / base,
        both / rate(n, floor)
    );
    let _ = writeln!(
        s,
        "| export (`sync::export_to`) | {:.2} | {:.0} | {:.2} | |",
        secs(full.export),
        exp,
        exp / base
    );
    let _ = writeln!(
        s,
        "| import (`sync::import_file`), first run | {:.2} | {:.0} | {:.2} | |",
        secs(full.import),
        imp,
        imp / base
    );
    let _ = writeln!(
        s,
        "| import ÷ the rollback-journal floor taken beside it (the same work on the same disk), {} runs: {} | {:.2} | | median **{:.2}**, lowest {:.2} | ≥ 0.3: {} |",
        full.pairs.len(),
        pairs_text(&full.pairs),
        secs(median_import),
        median_ratio(&full.pairs),
        lowest,
        verdict(median_ratio(&full.pairs) >= 0.3)
    );
    let _ = writeln!(
        s,
        "| export + import | {:.2} | {:.0} | **{:.2}** | ≥ 0.3: {} |",
        secs(full.export + full.import),
        both,
        both / base,
        verdict(both / base >= 0.3)
    );
    let _ = writeln!(
        s,
        "| re-import of the same bundle (all {n} known) | {:.2} | {:.0} | {:.2} (to lookup baseline: {:.2}) | |",
        secs(full.reimport),
        rate(n, full.reimport),
        rate(n, full.reimport) / base,
        rate(n, full.reimport) / rate(n, full.base_lookup)
    );
    let _ = writeln!(
        s,
        "| baseline: raw lookup of every (origin, seq) + hash compare, 1 tx | {:.2} | {:.0} | {:.2} | |",
        secs(full.base_lookup),
        rate(n, full.base_lookup),
        rate(n, full.base_lookup) / base
    );
    let _ = writeln!(
        s,
        "| baseline: raw SELECT of every row in bundle order (export's read side) | {:.2} | {:.0} | {:.2} (export ÷ scan: {:.2}) | |",
        secs(full.base_scan),
        rate(n, full.base_scan),
        rate(n, full.base_scan) / base,
        exp / rate(n, full.base_scan)
    );
    let _ = writeln!(
        s,
        "\nBundle: {:.1} MB = {:.0} bytes per 1,000 events; the same rows raw (text + hashes + integers) {:.1} MB = {:.0} bytes per 1,000 → bundle/raw {:.3}. `sync invite` (scrypt seal of the join file, and the full bundle written beside it): {:.2} s.",
        full.bundle_bytes as f64 / 1e6,
        full.bundle_bytes as f64 * 1000.0 / n as f64,
        full.raw_bytes as f64 / 1e6,
        full.raw_bytes as f64 * 1000.0 / n as f64,
        full.bundle_bytes as f64 / full.raw_bytes as f64,
        secs(full.invite)
    );
    let _ = writeln!(
        s,
        "\nMemory (resident, sampled every 20 ms): export {:.0} → peak {:.0} MB; import {:.0} → peak {:.0} MB (+{:.0} MB, {:.0} bytes per imported event). Process peak since start, read after the import: {:.0} MB{} — full import ≤ 256 MB: {}.",
        full.export_mem.0,
        full.export_mem.1,
        full.import_mem.0,
        full.import_mem.1,
        full.import_mem.1 - full.import_mem.0,
        (full.import_mem.1 - full.import_mem.0) * 1024.0 * 1024.0 / n as f64,
        full.process_peak,
        if big.generated_now || big.topped_now {
            " (includes making the year in this run: the sampled import peak is the figure)"
        } else {
            ""
        },
        verdict(
            full.import_mem
                .1
                .max(if big.generated_now || big.topped_now {
                    0.0
                } else {
                    full.process_peak
                })
                <= 256.0
        )
    );
    let m = &full.morning;
    let both = m.export + m.import;
    let _ = writeln!(
        s,
        "\n### The morning after: a day's sync between two year-old stations (incremental bundles)\n\nB (holding the year) sent A its bundle first ({} events, {:.1} KB; export {:.0} ms, import at A {:.0} ms), so A knows B holds the year. One busy school day at A ({} events, made in {:.1} s on a copy taken in {:.1} s).\n",
        m.statement.0,
        m.statement.1 as f64 / 1024.0,
        secs(m.statement.2) * 1e3,
        secs(m.statement.3) * 1e3,
        m.day_events,
        secs(m.day),
        secs(m.copy)
    );
    let _ = writeln!(s, "| measure | figure | goal |\n|---|---|---|");
    let _ = writeln!(
        s,
        "| A's bundle | {} events, {:.2} MB | ≤ 2 MB: {} |",
        m.events,
        m.bytes as f64 / 1e6,
        verdict(m.bytes <= 2_000_000)
    );
    let _ = writeln!(
        s,
        "| export at A / import at B ({} new, {} known) | {:.2} s / {:.2} s | |",
        m.new,
        m.known,
        secs(m.export),
        secs(m.import)
    );
    let _ = writeln!(
        s,
        "| export + import | {:.2} s | ≤ 1 s: {} |",
        secs(both),
        verdict(both <= Duration::from_secs(1))
    );
    let _ = writeln!(
        s,
        "| **baseline** (same run): raw SQLite insert of the same {} rows into a fresh events table, 1 tx | {:.3} s (export + import = {:.1}× it) | |",
        m.day_events,
        secs(m.base_insert),
        secs(both) / secs(m.base_insert).max(1e-9)
    );
    let _ = writeln!(
        s,
        "| process RSS (B's and A's stores open, after the full run): export before → peak / import before → peak | {:.0} → {:.0} MB / {:.0} → {:.0} MB | |",
        m.export_mem.0, m.export_mem.1, m.import_mem.0, m.import_mem.1
    );
    let _ = writeln!(
        s,
        "| nothing new: A's next bundle (after B and the {} other stations said they have the day) | {} events, {} bytes, {:.0} ms | ≤ 10 KB: {} |",
        m.dorms_said,
        m.nothing.0,
        m.nothing.1,
        secs(m.nothing.2) * 1e3,
        verdict(m.nothing.1 <= 10 * 1024)
    );
    let _ = writeln!(
        s,
        "| nothing new: B's bundle after the day | {} events, {} bytes | ≤ 10 KB: {} |",
        m.nothing_b.0,
        m.nothing_b.1,
        verdict(m.nothing_b.1 <= 10 * 1024)
    );

    if m.marks.len() >= 100 {
        let mean = |v: &[Duration]| secs(v.iter().sum::<Duration>()) * 1e3 / v.len() as f64;
        let first = mean(&m.marks[..50]);
        let last = mean(&m.marks[m.marks.len() - 50..]);
        let _ = writeln!(
            s,
            "\nProbe (src, not sync): one building's roll called boarder by boarder, `Store::mark` per boarder on the big station: {} marks in {:.2} s; first 50 {:.2} ms each, last 50 {:.2} ms each ({:.1}× — every mark recomputes the round from all its events).",
            m.marks.len(),
            secs(m.marks.iter().sum()),
            first,
            last,
            last / first
        );
    }

    // ── 2./3. day ──
    let dn = day.events;
    let kinds: Vec<String> = day.kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let _ = writeln!(
        s,
        "\n### 2./3. A day's bundle: {dn} events ({}), made in {:.1} s through the Store API at a new gate station; {} runs, each into a fresh joined station\n",
        kinds.join(", "),
        secs(day.ops),
        day.export.len()
    );
    let _ = writeln!(
        s,
        "| measure | median ms | max ms | events/s (median) | ratio to baseline | goal |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|");
    let dbase = rate(dn, median(&day.base_insert));
    let row = |s: &mut String, what: &str, v: &[Duration], ratio: String, goal: String| {
        let _ = writeln!(
            s,
            "| {what} | {:.1} | {:.1} | {:.0} | {ratio} | {goal} |",
            secs(median(v)) * 1e3,
            secs(max(v)) * 1e3,
            rate(dn, median(v))
        );
    };
    row(
        &mut s,
        "**baseline**: raw SQLite bulk insert of the same rows (1 tx, prepared)",
        &day.base_insert,
        "1.00".into(),
        String::new(),
    );
    row(
        &mut s,
        "export",
        &day.export,
        format!("{:.2} (events/s)", rate(dn, median(&day.export)) / dbase),
        String::new(),
    );
    row(
        &mut s,
        "import",
        &day.import,
        format!("{:.2} (events/s)", rate(dn, median(&day.import)) / dbase),
        String::new(),
    );
    row(
        &mut s,
        "export + import",
        &day.total,
        format!("{:.2} (events/s)", rate(dn, median(&day.total)) / dbase),
        format!(
            "≤ 1 s (worst run): {}",
            verdict(max(&day.total) <= Duration::from_secs(1))
        ),
    );
    row(
        &mut s,
        "re-import of the same bundle (all known)",
        &day.reimport,
        format!(
            "{:.2} of the lookup baseline's events/s",
            rate(dn, median(&day.reimport)) / rate(dn, median(&day.base_lookup))
        ),
        String::new(),
    );
    row(
        &mut s,
        "baseline: raw lookup of every (origin, seq) + hash compare",
        &day.base_lookup,
        format!("{:.2}", rate(dn, median(&day.base_lookup)) / dbase),
        String::new(),
    );
    let _ = writeln!(
        s,
        "| one-time key stretching: `sync::join_info` (scrypt, log N = {}) | {:.1} | {:.1} | — | {:.2}× the day's export + import (median) | paid once per join |",
        sync::crypto::JOIN_SCRYPT_LOG_N,
        secs(median(&day.scrypt)) * 1e3,
        secs(max(&day.scrypt)) * 1e3,
        secs(median(&day.scrypt)) / secs(median(&day.total))
    );
    let _ = writeln!(
        s,
        "\nDay bundle: {} bytes = {:.0} bytes per 1,000 events (raw rows {:.0} bytes per 1,000 → bundle/raw {:.3}).",
        day.bundle_bytes,
        day.bundle_bytes as f64 * 1000.0 / dn as f64,
        day.raw_bytes as f64 * 1000.0 / dn as f64,
        day.bundle_bytes as f64 / day.raw_bytes as f64
    );
    let _ = writeln!(s, "\nTotal {:.0} s.", elapsed.as_secs_f64());
    s
}

/// Events of one origin held at a station.
fn count_origin(conn: &Connection, origin: &str) -> Result<u64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM events WHERE origin = ?1",
        [origin],
        |r| r.get::<_, i64>(0),
    )? as u64)
}
