//! Believable generated data: the demo school, and a school year of visits
//! and roll-calls for benchmarks. Deterministic: the same seed builds the
//! same school.

mod boarders;

use crate::domain::event::StationKind;
use crate::domain::role::{Actor, Role};
use crate::domain::time::{FixedClock, day_start_ms};
use crate::domain::validate::{FieldError, IdType, check_resident_id};
use crate::domain::visit::{Decision, VisitForm, VisitorType};
use crate::domain::watchlist::WatchForm;
use crate::store::visits::RegisterOutcome;
use crate::store::{IdGen, Store, StoreError};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Two weeks of history and a lively present: the demo.
    Small,
    /// 365 days, ≥150,000 visits: benchmarks.
    SchoolYear,
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

pub(crate) const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "欧阳", "单",
];
pub(crate) const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "文", "华", "红", "玉兰", "志强",
    "海燕", "建国", "德明", "春梅", "小红", "国庆", "长江", "丽华", "晓东", "新民", "淑珍", "永红",
    "金凤", "宏伟", "光辉", "雪梅",
];
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
    (
        VisitorType::Contractor,
        &[
            "维修宿舍水管",
            "更换教室灯管",
            "消防设施检测",
            "食堂设备检修",
        ],
    ),
    (
        VisitorType::Delivery,
        &["食堂送菜", "送快递", "送桶装水", "送教材"],
    ),
    (
        VisitorType::Official,
        &["教育局检查", "卫生监督抽查", "派出所走访"],
    ),
    (VisitorType::Other, &["找校长", "应聘面试", "校友返校"]),
];
pub(crate) const RELATIONS: &[&str] = &[
    "父亲", "母亲", "爷爷", "奶奶", "外公", "外婆", "叔叔", "姑姑",
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
    host: String,
    relation: String,
}

fn person(rng: &mut StdRng) -> Person {
    let name = format!(
        "{}{}",
        SURNAMES[rng.random_range(0..SURNAMES.len())],
        GIVEN[rng.random_range(0..GIVEN.len())]
    );
    let phone = format!(
        "1{}{:09}",
        rng.random_range(3..=9),
        rng.random_range(0..1_000_000_000u64)
    );
    let year = rng.random_range(1965..2000);
    let month = rng.random_range(1..=12);
    let day = rng.random_range(1..=28);
    let stem = format!(
        "{}{year}{month:02}{day:02}{:03}",
        AREAS[rng.random_range(0..AREAS.len())],
        rng.random_range(0..1000)
    );
    let id_no = match check_resident_id(&format!("{stem}0")) {
        Err(FieldError::IdCheckDigit { expected }) => format!("{stem}{expected}"),
        _ => format!("{stem}0"),
    };
    let kind = match rng.random_range(0..100) {
        0..70 => VisitorType::Parent,
        70..80 => VisitorType::Contractor,
        80..92 => VisitorType::Delivery,
        92..96 => VisitorType::Official,
        _ => VisitorType::Other,
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
    let (host, relation) = if kind == VisitorType::Parent {
        let child = format!(
            "{}{}",
            &name.chars().take(1).collect::<String>(),
            GIVEN[rng.random_range(0..GIVEN.len())]
        );
        (
            format!("{} {child}", CLASSES[rng.random_range(0..CLASSES.len())]),
            RELATIONS[rng.random_range(0..RELATIONS.len())].to_string(),
        )
    } else {
        ("总务处".to_string(), String::new())
    };
    Person {
        name,
        phone,
        id_no,
        plate,
        kind,
        host,
        relation,
    }
}

fn form_for(p: &Person, rng: &mut StdRng) -> VisitForm {
    let purposes = PURPOSES
        .iter()
        .find(|(k, _)| *k == p.kind)
        .map(|(_, v)| *v)
        .unwrap_or(&["来访"]);
    VisitForm {
        name: p.name.clone(),
        id_type: IdType::ResidentId,
        id_no: p.id_no.clone(),
        phone: p.phone.clone(),
        visitor_type: p.kind,
        host: p.host.clone(),
        relation: p.relation.clone(),
        purpose: purposes[rng.random_range(0..purposes.len())].to_string(),
        party_size: rng.random_range(1..=2).to_string(),
        plate: p.plate.clone().unwrap_or_default(),
        ..VisitForm::default()
    }
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
        Scale::Small => 14,
        Scale::SchoolYear => 365,
    };
    let per_day = match scale {
        Scale::Small => 30,
        Scale::SchoolYear => 420,
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
        Some(_) => store
            .operators()?
            .into_iter()
            .find(|o| o.role == Role::Admin && o.active)
            .map(|o| o.actor())
            .ok_or(StoreError::NotSetUp)?,
    };
    let ops: Vec<Actor> = store
        .operators()?
        .into_iter()
        .filter(|o| o.active)
        .map(|o| o.actor())
        .collect();
    let guard = ops
        .iter()
        .find(|o| o.role == Role::Guard)
        .cloned()
        .unwrap_or_else(|| admin.clone());
    let mut stats = GenStats::default();
    store.batch(|s| {
        // A custody restriction, as schools are asked to keep.
        let banned = person(&mut rng);
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
        let pool_size = (days as usize * per_day / 6).max(40);
        let mut pool: Vec<Person> = (0..pool_size).map(|_| person(&mut rng)).collect();
        let teacher = ops
            .iter()
            .find(|o| o.role == Role::DormTeacher)
            .cloned()
            .unwrap_or_else(|| admin.clone());
        // Boarders belong to the school once: a second run on the same
        // database (another station's records) adds visits, not a roster.
        let buildings = if s.students(None)?.is_empty() {
            boarders::enroll(s, clock, &mut rng, scale, &admin, start_day, &mut stats)?
        } else {
            vec![]
        };
        for d in 0..days {
            let day = start_day + chrono::Duration::days(d);
            let base = day_start_ms(day, offset);
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
            day_events.sort_by_key(|e| e.0);
            let mut k = 0;
            while k < day_events.len() {
                let (t, ev) = day_events[k].clone();
                k += 1;
                clock.set(t);
                match ev {
                    DayEvent::Night => {
                        boarders::night(s, clock, &mut rng, &teacher, &buildings, base, &mut stats)?
                    }
                    DayEvent::Leave(id, actor) => {
                        s.sign_out(&ops[actor], &id)?;
                    }
                    DayEvent::Arrive => {
                        let actor = rng.random_range(0..ops.len());
                        // Most visitors come back: pick from the pool, skewed.
                        let i =
                            (rng.random_range(0.0f64..1.0).powi(3) * pool.len() as f64) as usize;
                        let p = &pool[i.min(pool.len() - 1)];
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
                pool.push(person(&mut rng));
            }
        }
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
        // Today, in time order: a boarder on leave and one taken home; a few
        // visitors on site now (one overstaying); the roll half called.
        if scale == Scale::Small && !buildings.is_empty() {
            boarders::tonight_early(s, clock, &teacher, &guard, &buildings[0], now_ms)?;
        }
        let present: [(i64, usize); 5] = [(190, 0), (45, 1), (30, 2), (28, 3), (5, 4)];
        for (mins_ago, k) in present {
            if mins_ago == 5 && scale == Scale::Small && !buildings.is_empty() {
                boarders::tonight(s, clock, &teacher, &buildings[0], now_ms, &mut stats)?;
            }
            let p = &pool[k];
            clock.set(now_ms - mins_ago * 60_000);
            let mut form = form_for(p, &mut rng);
            if k == 0 {
                form.visitor_type = VisitorType::Parent;
                form.purpose = "与班主任面谈".into();
                form.expected_minutes = "60".into();
            }
            if let RegisterOutcome::Registered(_) = s.register_visit(&guard, &form, None)? {
                stats.visits += 1;
            }
        }
        Ok(())
    })?;
    clock.set(now_ms);
    store.set_ids(IdGen::Random);
    Ok(stats)
}

#[derive(Debug, Clone)]
enum DayEvent {
    Arrive,
    /// The visit id and the operator who signs it out.
    Leave(String, usize),
    Night,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct GenStats {
    pub visits: u64,
    pub boarders: u64,
    pub rounds: u64,
}
