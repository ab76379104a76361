//! Believable generated data: the demo school, and a school year of visits
//! and roll-calls for benchmarks. Deterministic: the same seed builds the
//! same school.

mod boarders;
mod duty;
mod handover;
mod hazards;
pub mod names;
mod patrol;
mod shift_log;
mod year;

use crate::domain::event::StationKind;
use crate::domain::role::{Actor, Role};
use crate::domain::roster::{Gender, Student};
use crate::domain::time::{FixedClock, day_start_ms};
use crate::domain::validate::{FieldError, IdType, check_resident_id};
use crate::domain::visit::{Decision, VisitForm, VisitorType};
use crate::domain::watchlist::WatchForm;
use crate::store::peers::PeerView;
use crate::store::visits::RegisterOutcome;
use crate::store::{IdGen, Store, StoreError};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;

/// A fingerprint of the generator's own source, computed when built: a
/// benchmark's cached database named by it is made again whenever the
/// generator changes, not only when the schema does. Whitespace is left
/// out, so reformatting (or a checkout's line endings) keeps the cache.
pub const GENERATOR_HASH: u64 = fnv1a(&[
    include_str!("mod.rs"),
    include_str!("boarders.rs"),
    include_str!("names.rs"),
    include_str!("patrol.rs"),
    include_str!("year.rs"),
    include_str!("hazards.rs"),
    include_str!("handover.rs"),
    include_str!("duty.rs"),
    include_str!("shift_log.rs"),
]);

const fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut p = 0;
    while p < parts.len() {
        let b = parts[p].as_bytes();
        let mut i = 0;
        while i < b.len() {
            if !b[i].is_ascii_whitespace() {
                h ^= b[i] as u64;
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
            i += 1;
        }
        p += 1;
    }
    h
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Two weeks of history and a lively present: the demo.
    Small,
    /// Two weeks at the school year's rate of visits (≈5,900) with the
    /// demo's buildings: the visitor mix at volume, quick enough for tests.
    Busy,
    /// 365 days, ≥150,000 visits: benchmarks.
    SchoolYear,
    /// The school year's buildings and life (every station, contradictions
    /// and decisions) over three weeks: tests of what `SchoolYear` draws.
    YearSample,
}

/// The demo's operators: (name, role, PIN). Shown on the login screen.
pub const OPERATORS: &[(&str, Role, &str)] = &[
    ("张建国", Role::Guard, "1111"),
    ("李秀英", Role::DormTeacher, "2222"),
    ("刘主任", Role::DutyLeader, "3333"),
    ("陈老师", Role::Admin, "9999"),
];

pub const SCHOOL: &str = "青山县第一中学";

/// `meta` key marking a station made by the demo generator (`--demo`, or
/// `demo-data` into a new file): the command line refuses to generate into
/// any other station, whose records would sync to the whole school.
pub const DEMO_META: &str = "demo_station";

/// What parents and others come for.
const PURPOSES: &[(VisitorType, &[&str])] = &[
    (
        VisitorType::Parent,
        &[
            "送衣物",
            "接孩子回家",
            "送生活费",
            "与班主任面谈",
            "送药",
            "家长会",
            "看望孩子",
        ],
    ),
    (VisitorType::Other, &["找校长", "应聘面试", "校友返校"]),
];
/// Who comes on the school's business, and for what. Officials,
/// contractors and suppliers always give their 单位, as the register asks.
const ORGS: &[(VisitorType, &str, &[&str])] = &[
    (
        VisitorType::Contractor,
        "青山县宏达建筑工程有限公司",
        &["维修宿舍水管", "修补围墙", "屋面防水维修"],
    ),
    (
        VisitorType::Contractor,
        "青山县明亮电气安装队",
        &["更换教室灯管", "线路检修"],
    ),
    (
        VisitorType::Contractor,
        "湘安消防设施检测有限公司",
        &["消防设施检测"],
    ),
    (
        VisitorType::Contractor,
        "青山县厨具设备维修部",
        &["食堂设备检修"],
    ),
    (VisitorType::Delivery, "青山县农贸配送中心", &["食堂送菜"]),
    (VisitorType::Delivery, "中通快递青山网点", &["送快递"]),
    (VisitorType::Delivery, "青山山泉水站", &["送桶装水"]),
    (VisitorType::Delivery, "青山县新华书店", &["送教材"]),
    (
        VisitorType::Official,
        "青山县教育局",
        &["教育局检查", "安全工作督导"],
    ),
    (
        VisitorType::Official,
        "青山县卫生监督所",
        &["卫生监督抽查", "食堂卫生检查"],
    ),
    (
        VisitorType::Official,
        "青山县公安局城关派出所",
        &["派出所走访"],
    ),
    (
        VisitorType::Official,
        "青山县消防救援大队",
        &["消防安全检查"],
    ),
];
pub(crate) const CLASSES: &[&str] = &[
    "初一(1)班",
    "初一(3)班",
    "初二(2)班",
    "初二(5)班",
    "初三(1)班",
    "初三(4)班",
];
const PROVINCES: &[&str] = &["湘", "鄂", "赣", "粤", "川", "贵"];
const AREAS: &[&str] = &["430521", "430522", "431102", "420106", "360102", "510104"];

struct Person {
    name: String,
    phone: String,
    id_no: String,
    plate: Option<String>,
    kind: VisitorType,
    org: String,
    host: String,
    relation: String,
    purposes: &'static [&'static str],
    /// How often this person comes: 1 is once in about 60 days.
    weight: f64,
}

/// Makes up visitors. Parents are mostly the boarders' own guardians, each
/// at most once in the pool; when those run out (a school year has far more
/// parent visitors than boarders), parents of day students.
struct Visitors<'a> {
    roster: &'a [Student],
    used: HashSet<(usize, usize)>,
}

impl Visitors<'_> {
    fn person(&mut self, rng: &mut StdRng) -> Person {
        let kind = match rng.random_range(0..100) {
            0..70 => VisitorType::Parent,
            70..80 => VisitorType::Contractor,
            80..92 => VisitorType::Delivery,
            92..96 => VisitorType::Official,
            _ => VisitorType::Other,
        };
        let (name, gender, phone, host, relation, org, purposes) = if kind == VisitorType::Parent {
            let (name, relation, phone, host) = self.parent(rng);
            let gender = names::RELATIONS
                .iter()
                .find(|(r, _)| *r == relation)
                .map_or(Gender::Male, |(_, g)| *g);
            let purposes = purposes_of(kind);
            (name, gender, phone, host, relation, String::new(), purposes)
        } else {
            let gender = if rng.random_bool(0.5) {
                Gender::Male
            } else {
                Gender::Female
            };
            let name = names::adult(rng, gender);
            let (host, org, purposes) = if kind == VisitorType::Other {
                ("总务处", String::new(), purposes_of(kind))
            } else {
                let orgs: Vec<_> = ORGS.iter().filter(|o| o.0 == kind).collect();
                let (_, org, purposes) = orgs[rng.random_range(0..orgs.len())];
                let host = if kind == VisitorType::Official {
                    "校长办公室"
                } else {
                    "总务处"
                };
                (host, org.to_string(), *purposes)
            };
            (
                name,
                gender,
                phone(rng),
                host.to_string(),
                String::new(),
                org,
                purposes,
            )
        };
        // Grandparents bring up the left-behind; everyone else is of
        // working age.
        let years = if ["爷爷", "奶奶", "外公", "外婆"].contains(&relation.as_str()) {
            1948..1966
        } else {
            1968..1996
        };
        let year = rng.random_range(years);
        let month = rng.random_range(1..=12);
        let day = rng.random_range(1..=28);
        // The 17th digit of a resident ID is odd for men, even for women.
        let seq = rng.random_range(0..500) * 2 + u32::from(gender == Gender::Male);
        let stem = format!(
            "{}{year}{month:02}{day:02}{seq:03}",
            AREAS[rng.random_range(0..AREAS.len())],
        );
        let id_no = match check_resident_id(&format!("{stem}0")) {
            Err(FieldError::IdCheckDigit { expected }) => format!("{stem}{expected}"),
            _ => format!("{stem}0"),
        };
        let plate = (rng.random_range(0..10) < 3).then(|| {
            const L: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
            format!(
                "{}{}{:05}",
                PROVINCES[rng.random_range(0..PROVINCES.len())],
                L[rng.random_range(0..L.len())] as char,
                rng.random_range(0..100_000)
            )
        });
        // Visits every 60 days or so (weight 1) with a long tail (Pareto)
        // up to every other day (30): suppliers and a few parents.
        let weight = rng.random_range(0.0f64..1.0).powf(-1.0 / 1.2).min(30.0);
        Person {
            name,
            phone,
            id_no,
            plate,
            kind,
            org,
            host,
            relation,
            purposes,
            weight,
        }
    }

    /// (name, relation, phone, host) of a visiting parent.
    fn parent(&mut self, rng: &mut StdRng) -> (String, String, String, String) {
        if !self.roster.is_empty() {
            for _ in 0..8 {
                let i = rng.random_range(0..self.roster.len());
                let st = &self.roster[i];
                if st.data.guardians.is_empty() {
                    continue;
                }
                let j = rng.random_range(0..st.data.guardians.len());
                if self.used.insert((i, j)) {
                    let g = &st.data.guardians[j];
                    let phone = g.phone.clone().unwrap_or_else(|| phone(rng));
                    let host = format!("{} {}", st.data.class, st.data.name);
                    return (g.name.clone(), g.relation.clone(), phone, host);
                }
            }
        }
        // A day student's parent: the father shares the child's surname.
        let (relation, gender) = names::RELATIONS[rng.random_range(0..2)];
        let name = names::adult(rng, gender);
        let child_surname = if gender == Gender::Male {
            names::split(&name).map_or("王", |(s, _)| s)
        } else {
            names::pick(rng, names::SURNAMES)
        };
        let list = if rng.random_bool(0.5) {
            names::BOYS
        } else {
            names::GIRLS
        };
        let child = format!("{child_surname}{}", names::pick(rng, list));
        let host = format!("{} {child}", CLASSES[rng.random_range(0..CLASSES.len())]);
        (name, relation.to_string(), phone(rng), host)
    }
}

fn purposes_of(kind: VisitorType) -> &'static [&'static str] {
    PURPOSES
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(&["来访"], |(_, v)| *v)
}

fn phone(rng: &mut StdRng) -> String {
    format!(
        "1{}{:09}",
        rng.random_range(3..=9),
        rng.random_range(0..1_000_000_000u64)
    )
}

fn form_for(p: &Person, rng: &mut StdRng) -> VisitForm {
    VisitForm {
        name: p.name.clone(),
        id_type: IdType::ResidentId,
        id_no: p.id_no.clone(),
        phone: p.phone.clone(),
        visitor_type: p.kind,
        org: p.org.clone(),
        host: p.host.clone(),
        relation: p.relation.clone(),
        purpose: p.purposes[rng.random_range(0..p.purposes.len())].to_string(),
        party_size: rng.random_range(1..=2).to_string(),
        plate: p.plate.clone().unwrap_or_default(),
        ..VisitForm::default()
    }
}

/// Picks a returning visitor in proportion to their weight: `cum` holds the
/// running sums of the pool's weights.
fn pick_visitor(rng: &mut StdRng, cum: &[f64]) -> usize {
    let total = cum.last().copied().unwrap_or(0.0);
    let x = rng.random_range(0.0..total.max(f64::MIN_POSITIVE));
    cum.partition_point(|c| *c <= x).min(cum.len() - 1)
}

/// Sets up the demo station (if the database is new) and fills it. The
/// clock is moved through history while generating, then left at `now_ms`.
pub fn generate(
    store: &mut Store,
    clock: &FixedClock,
    scale: Scale,
    seed: u64,
    now_ms: i64,
) -> Result<GenStats, StoreError> {
    // Mixing in the events already present makes a second run on the same
    // database (same seed) produce new ids, and is still deterministic.
    let existing = store.event_count()?;
    let seed = seed ^ existing.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut rng = StdRng::seed_from_u64(seed);
    store.set_ids(IdGen::seeded(seed));
    let days: i64 = match scale {
        Scale::Small | Scale::Busy => 14,
        Scale::SchoolYear => 365,
        Scale::YearSample => 21,
    };
    let per_day = match scale {
        Scale::Small => 30,
        Scale::Busy | Scale::SchoolYear | Scale::YearSample => 420,
    };
    let offset = 480;
    let today = crate::domain::time::local(now_ms, offset).date_naive();
    let start_day = today - chrono::Duration::days(days);
    clock.set(day_start_ms(start_day, offset) + 7 * 3_600_000);
    let admin = match store.station() {
        None => {
            let (n, _, p) = OPERATORS[3];
            let admin = store.setup(SCHOOL, "南门门卫室", StationKind::Gate, offset, n, p)?;
            store.set_meta(DEMO_META, "1")?;
            for (name, role, pin) in &OPERATORS[..3] {
                store.add_operator(&admin, name, *role, pin)?;
            }
            admin
        }
        // A real station (`--into-real-station`): the generated records
        // are made by the demo's own operators, added by the generator,
        // never by the station's real people.
        Some(_) => {
            let generator = Actor {
                id: "demo-data".into(),
                name: "demo-data".into(),
                role: Role::Admin,
            };
            for (name, role, pin) in OPERATORS {
                if store.find_operator_by_name(name)?.is_none() {
                    store.add_operator(&generator, name, *role, pin)?;
                }
            }
            let (n, _, _) = OPERATORS[3];
            store
                .find_operator_by_name(n)?
                .map(|o| o.actor())
                .ok_or(StoreError::NotSetUp)?
        }
    };
    let ops: Vec<Actor> = store
        .operators()?
        .into_iter()
        .filter(|o| o.active && OPERATORS.iter().any(|(n, _, _)| *n == o.name))
        .map(|o| o.actor())
        .collect();
    let guard = ops
        .iter()
        .find(|o| o.role == Role::Guard)
        .cloned()
        .unwrap_or_else(|| admin.clone());
    let mut stats = GenStats::default();
    let dorms = store.batch(|s| {
        // Boarders belong to the school once: a second run on the same
        // database (another station's records) adds visits, not a roster.
        let buildings = if s.students(None)?.is_empty() {
            boarders::enroll(s, clock, &mut rng, scale, &admin, start_day, &mut stats)?
        } else {
            vec![]
        };
        let roster = s.students(None)?;
        let teacher = ops
            .iter()
            .find(|o| o.role == Role::DormTeacher)
            .cloned()
            .unwrap_or_else(|| admin.clone());
        // The school year's weekends, leave, sick log and watchlist: its own
        // random stream, so the smaller scales stay as they were.
        let leader = ops
            .iter()
            .find(|o| o.role == Role::DutyLeader)
            .cloned()
            .unwrap_or_else(|| admin.clone());
        let mut year = match scale {
            Scale::SchoolYear | Scale::YearSample => Some(year::Year::new(
                s,
                StdRng::seed_from_u64(seed ^ 0x5EA5_0FDA),
                &roster,
                &admin,
                (guard.clone(), teacher.clone(), leader),
            )?),
            Scale::Small | Scale::Busy => None,
        };
        // Checkpoints and routes belong to the school once, like boarders.
        let leader = ops
            .iter()
            .find(|o| o.role == Role::DutyLeader)
            .cloned()
            .unwrap_or_else(|| admin.clone());
        let mut patrol = if s.checkpoints(true)?.is_empty() {
            let rng = StdRng::seed_from_u64(seed ^ 0x9A7_0011);
            Some(patrol::Patrol::setup(s, &admin, &guard, scale, rng)?)
        } else {
            None
        };
        let mut duty = duty::Duty::setup(
            s,
            &admin,
            (&guard, &teacher, &leader),
            scale,
            start_day,
            today,
            seed,
        )?;
        let mut visitors = Visitors {
            roster: &roster,
            used: HashSet::new(),
        };
        // A custody restriction, as schools are asked to keep: never one of
        // the roster's guardians, who may pick their children up.
        let banned = Visitors {
            roster: &[],
            used: HashSet::new(),
        }
        .person(&mut rng);
        s.add_watch(
            &admin,
            &WatchForm {
                name: banned.name.clone(),
                id_no: banned.id_no.clone(),
                phone: banned.phone.clone(),
                reason: "法院人身安全保护令：不得接触学生".into(),
                note: "如到校，立即通知值班领导".into(),
            },
        )?;
        // The people who come, added until their visits add up to the
        // day's rate; the same people return all year.
        let mut pool: Vec<Person> = vec![];
        let mut cum: Vec<f64> = vec![];
        let mut total = 0.0;
        while total < per_day as f64 * 60.0 || pool.len() < 40 {
            let p = visitors.person(&mut rng);
            total += p.weight;
            cum.push(total);
            pool.push(p);
        }
        let crew = hazards::Crew::of(&ops, &admin);
        let shifts = handover::Crew::of(&ops, &admin);
        let mut handover_plan = if scale == Scale::Small {
            handover::before_last_plan(s, now_ms)?
        } else {
            vec![]
        };
        let mut hazard_year = (scale == Scale::SchoolYear).then(|| hazards::Year::new(seed));
        for d in 0..days {
            let day = start_day + chrono::Duration::days(d);
            let base = day_start_ms(day, offset);
            // On the first of each month the admin purges visitors'
            // personal data past the retention period (PIPL).
            if year.is_some() && chrono::Datelike::day(&day) == 1 {
                clock.set(base + 8 * 3_600_000);
                let out = s.purge_personal(&admin, base + 8 * 3_600_000, &mut |_, _| true)?;
                stats.purged += out.visits as u64;
            }
            if let (Some(h), Some(c)) = (hazard_year.as_mut(), crew.as_ref()) {
                h.day(s, clock, c, base)?;
            }
            let n = per_day + rng.random_range(0..per_day / 5 + 1) - per_day / 10;
            // The day's happenings in time order — arrivals, departures and
            // the night's roll-call — so every event is recorded when it
            // happened.
            let mut day_events: Vec<(i64, DayEvent)> = (0..n)
                .map(|_| {
                    (
                        base + rng.random_range(7 * 60..21 * 60) as i64 * 60_000,
                        DayEvent::Arrive,
                    )
                })
                .collect();
            // Tonight's roll is made separately (half done); before noon
            // "tonight" is still yesterday evening's night.
            let tonight = crate::domain::rollcall::night_of(now_ms, offset);
            if !(scale == Scale::Small && day == tonight) {
                day_events.push((base + (21 * 60 + 30) * 60_000, DayEvent::Night));
            }
            if let Some(p) = patrol.as_mut() {
                // Tonight's last round is left unwalked, and the rounds
                // of the last hours are made below, among today's events.
                let (until, skip) = if day == tonight {
                    (now_ms - 180 * 60_000, true)
                } else {
                    (i64::MAX, false)
                };
                day_events.extend(
                    p.night(day, offset, until, skip)
                        .into_iter()
                        .map(|(t, st)| (t, DayEvent::Patrol(st))),
                );
            }
            day_events.extend(
                duty.day(day, offset, now_ms)
                    .into_iter()
                    .map(|(t, o)| (t, DayEvent::Duty(o))),
            );
            if let Some(y) = year.as_mut() {
                day_events.extend(
                    y.day(day, base)
                        .into_iter()
                        .map(|(t, h)| (t, DayEvent::Life(h))),
                );
            }
            handover_plan.retain(|(t, step)| {
                let today = (base..base + 86_400_000).contains(t);
                if today {
                    day_events.push((*t, DayEvent::Handover(*step)));
                }
                !today
            });
            day_events.sort_by_key(|e| e.0);
            let mut k = 0;
            while k < day_events.len() {
                let (t, ev) = day_events[k].clone();
                k += 1;
                clock.set(t);
                match ev {
                    DayEvent::Night => boarders::night(
                        s,
                        clock,
                        &mut rng,
                        &teacher,
                        &buildings,
                        base,
                        &mut stats,
                        year.as_mut(),
                    )?,
                    DayEvent::Life(h) => {
                        let Some(y) = year.as_mut() else { continue };
                        for next in y.happen(s, h, t, &mut stats)? {
                            schedule(&mut day_events, k, base, y, next);
                        }
                    }
                    DayEvent::Duty(o) => duty.happen(s, o)?,
                    DayEvent::Handover(step) => {
                        handover::before_last_step(s, &shifts, now_ms, step)?
                    }
                    DayEvent::Patrol(st) => {
                        if let Some(p) = patrol.as_mut() {
                            p.happen(s, st)?;
                        }
                    }
                    DayEvent::Leave(id, actor) => {
                        s.sign_out(&ops[actor], &id)?;
                        if let Some(y) = year.as_mut()
                            && let Some(next) = y.signed_out(id, t)
                        {
                            schedule(&mut day_events, k, base, y, next);
                        }
                    }
                    DayEvent::Arrive => {
                        let actor = rng.random_range(0..ops.len());
                        // Most visitors come back: pick from the pool by weight.
                        let p = &pool[pick_visitor(&mut rng, &cum)];
                        let form = form_for(p, &mut rng);
                        let mut outcome = s.register_visit(&ops[actor], &form, None)?;
                        if let RegisterOutcome::NeedsDecision(_) = outcome {
                            // Same name as the listed person: the guard checks the ID.
                            outcome = s.register_visit(
                                &ops[actor],
                                &form,
                                Some((Decision::Admit, "同名不同人，已核对身份证".into())),
                            )?;
                        }
                        if let RegisterOutcome::Registered(id) = outcome {
                            stats.visits += 1;
                            if rng.random_range(0..400) == 0 {
                                let mut f = form.clone();
                                f.purpose = format!("{}（补充：{}）", f.purpose, "已核实");
                                s.correct_visit(&ops[actor], &id, &f, "登记时事由不完整")?;
                            }
                            let stay = rng.random_range(10..150) as i64 * 60_000;
                            let at = t + stay;
                            let pos = day_events[k..].partition_point(|e| e.0 <= at) + k;
                            day_events.insert(pos, (at, DayEvent::Leave(id, actor)));
                        }
                    }
                }
            }
            if d % 30 == 0 {
                let p = visitors.person(&mut rng);
                cum.push(cum.last().copied().unwrap_or(0.0) + p.weight);
                pool.push(p);
            }
        }
        stats.hazards += hazard_year.as_ref().map_or(0, |h| h.count());
        // The banned person came once and was turned away.
        clock.set(now_ms - 3 * 86_400_000);
        let f = form_for(&banned, &mut rng);
        if let RegisterOutcome::Denied(_) = s.register_visit(
            &guard,
            &f,
            Some((Decision::Deny, "已劝离并报告值班领导".into())),
        )? {
            stats.visits += 1;
        }
        if let (Scale::Small, Some(c)) = (scale, crew.as_ref()) {
            stats.hazards += hazards::demo(s, clock, c, now_ms)?;
        }
        let mut last_sign = None;
        // This morning, in time order: the handover steps the day loop did
        // not reach and today's sign-ons before the afternoon's records.
        let mut ons = duty.today_ons(offset, now_ms);
        let afternoon = now_ms - 200 * 60_000;
        let later: Vec<_> = ons
            .iter()
            .filter(|(t, _)| *t >= afternoon)
            .cloned()
            .collect();
        ons.retain(|(t, _)| *t < afternoon);
        let mut morning: Vec<(i64, Option<u8>, Option<duty::SignOn>)> =
            ons.into_iter().map(|(t, on)| (t, None, Some(on))).collect();
        if scale == Scale::Small {
            morning.extend(
                std::mem::take(&mut handover_plan)
                    .into_iter()
                    .map(|(t, k)| (t, Some(k), None)),
            );
        }
        morning.sort_by_key(|m| m.0);
        for (t, step, on) in morning {
            clock.set(t);
            match (step, on) {
                (Some(k), _) => handover::before_last_step(s, &shifts, now_ms, k)?,
                (_, Some(on)) => duty.happen(s, on)?,
                _ => {}
            }
        }
        if scale == Scale::Small {
            last_sign = handover::last_signed_at(s, now_ms)?;
        }
        // Today, in time order: a boarder on leave and one taken home; a few
        // visitors on site now (one overstaying); the roll half called.
        if scale == Scale::Small && !buildings.is_empty() {
            boarders::tonight_early(s, clock, &teacher, &guard, &buildings[0], now_ms)?;
        }
        // The afternoon's sign-ons (the night shift coming on).
        for (t, on) in later {
            clock.set(t);
            duty.happen(s, on)?;
        }
        // The one overstaying is a parent in a long talk with the head
        // teacher; the others are whoever comes next in the pool.
        let first_parent = pool
            .iter()
            .position(|p| p.kind == VisitorType::Parent)
            .unwrap_or(0);
        let mut order = std::iter::once(first_parent).chain((0..).filter(|i| *i != first_parent));
        let present: [i64; 5] = [190, 45, 30, 28, 5];
        for (k, mins_ago) in present.into_iter().enumerate() {
            if let (45, Scale::Small, Some(p)) = (mins_ago, scale, patrol.as_mut()) {
                p.tonight_closed(s, clock, &leader, now_ms)?;
            }
            if mins_ago == 5 && scale == Scale::Small && !buildings.is_empty() {
                boarders::tonight(s, clock, &teacher, &buildings[0], now_ms, &mut stats)?;
            }
            // The last shift is signed over in time order with the visits.
            if last_sign.is_some_and(|t| t <= now_ms - mins_ago * 60_000) {
                last_sign = None;
                handover::last(s, clock, &shifts, now_ms)?;
            }
            let p = &pool[order.next().unwrap_or(0).min(pool.len() - 1)];
            clock.set(now_ms - mins_ago * 60_000);
            let mut form = form_for(p, &mut rng);
            if k == 0 && p.kind == VisitorType::Parent {
                form.purpose = "与班主任面谈".into();
                form.expected_minutes = "60".into();
            }
            if let RegisterOutcome::Registered(_) = s.register_visit(&guard, &form, None)? {
                stats.visits += 1;
            }
        }
        if let (Scale::Small, Some(p)) = (scale, patrol.as_mut()) {
            p.tonight_open(s, clock, now_ms)?;
        }
        // Last, so the log's clock moving on does not move the others'.
        shift_log::generate(s, clock, (&guard, &teacher, &leader), now_ms, scale, seed)?;
        if last_sign.is_some() {
            handover::last(s, clock, &shifts, now_ms)?;
        }
        Ok(year.map(|y| y.dorms().to_vec()).unwrap_or_default())
    })?;
    // The dorm stations synced with this one last thing tonight: it has
    // heard that they hold all it holds, as a synced station has, so its
    // next bundle carries only what is new.
    let heads: std::collections::BTreeMap<String, i64> = store
        .own_heads()?
        .into_iter()
        .map(|(origin, (seq, _))| (origin, seq))
        .collect();
    let view = PeerView {
        at_ms: now_ms,
        heads,
    };
    for d in &dorms {
        store.record_peer_view(d, &view, Some(now_ms))?;
    }
    clock.set(now_ms);
    store.set_ids(IdGen::Random);
    Ok(stats)
}

/// Puts a happening due at `at` among the day's events after position `k`
/// (the one being done), or keeps it for a later day.
fn schedule(
    day_events: &mut Vec<(i64, DayEvent)>,
    k: usize,
    base: i64,
    y: &mut year::Year,
    (at, next): (i64, year::Happening),
) {
    if at < base + 86_400_000 {
        let pos = day_events[k..].partition_point(|e| e.0 <= at) + k;
        day_events.insert(pos, (at, DayEvent::Life(next)));
    } else {
        y.defer((at, next));
    }
}

#[derive(Debug, Clone)]
enum DayEvent {
    Arrive,
    /// The visit id and the operator who signs it out.
    Leave(String, usize),
    Night,
    /// The rest of a school year (`Scale::SchoolYear` only).
    Life(year::Happening),
    /// A step of a patrol round.
    Patrol(patrol::Step),
    /// Someone signing on for their shift.
    Duty(duty::SignOn),
    /// A step of the shift-before-last's handover (`handover::before_last_step`).
    Handover(u8),
}

#[derive(Debug, Default, Clone, Copy)]
pub struct GenStats {
    pub visits: u64,
    pub boarders: u64,
    pub rounds: u64,
    pub departures: u64,
    pub leaves: u64,
    pub sick: u64,
    pub hazards: u64,
    /// Records two stations told differently (a school year only).
    pub contradictions: u64,
    /// Of those, decided by a duty leader.
    pub decisions: u64,
    /// Visits whose personal data the monthly purges erased.
    pub purged: u64,
}
