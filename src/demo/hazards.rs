//! Hazards for the demo school: a handful in every state of the loop (one
//! 较大 overdue, one 重大 awaiting verification), and for `--scale
//! school-year` about 2,000 found across the year and taken through their
//! steps — assigned, fixed (some late), verified (some failed and fixed
//! again), closed, now and then reopened. Its own random stream, so the
//! other generated records are what they were.

use crate::domain::hazard::{Category, HazardDraft, Severity};
use crate::domain::role::{Actor, Role};
use crate::domain::time::FixedClock;
use crate::store::{Store, StoreError};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;

/// (category, place, description, containment, fix).
const FINDINGS: &[(Category, &str, &str, &str, &str)] = &[
    (
        Category::Fire,
        "教学楼三楼走廊",
        "灭火器压力不足",
        "调换临近灭火器",
        "更换灭火器",
    ),
    (
        Category::Fire,
        "1号宿舍楼",
        "安全出口指示灯不亮",
        "设临时指示牌",
        "更换指示灯",
    ),
    (
        Category::Fire,
        "图书馆",
        "消防通道堆放杂物",
        "当场清理一半",
        "清空通道并划线",
    ),
    (
        Category::Electrical,
        "2号宿舍楼配电箱",
        "配电箱门锁损坏",
        "贴警示标志",
        "更换门锁",
    ),
    (
        Category::Electrical,
        "教学楼一楼",
        "插座面板松动裸露",
        "断开该回路",
        "更换插座面板",
    ),
    (
        Category::Electrical,
        "操场照明",
        "路灯线路老化",
        "停用该路灯",
        "更换线路",
    ),
    (
        Category::Gas,
        "食堂操作间",
        "燃气软管老化",
        "关闭阀门",
        "更换金属软管",
    ),
    (
        Category::Gas,
        "锅炉房",
        "燃气管道接口有异味",
        "关闭总阀，开窗通风",
        "更换接口密封圈",
    ),
    (
        Category::Water,
        "2号宿舍楼三楼",
        "水管漏水地面湿滑",
        "放置防滑提示",
        "更换水管接头",
    ),
    (
        Category::Water,
        "学校水塔",
        "水塔盖板松动",
        "临时加固",
        "更换盖板并加锁",
    ),
    (
        Category::Building,
        "东侧围墙",
        "围墙有缺口",
        "拉警戒线",
        "砌补围墙",
    ),
    (
        Category::Building,
        "教学楼二楼",
        "走廊栏杆松动",
        "禁止倚靠",
        "焊接加固栏杆",
    ),
    (
        Category::Building,
        "1号宿舍楼楼梯",
        "楼梯踏步破损",
        "设警示标志",
        "修补踏步",
    ),
    (
        Category::Food,
        "食堂后门",
        "纱门破损",
        "临时封堵",
        "更换纱门",
    ),
    (
        Category::Food,
        "食堂仓库",
        "食品未离地存放",
        "当场垫高",
        "添置货架",
    ),
    (
        Category::DormAppliance,
        "2号宿舍楼 206",
        "学生使用热得快",
        "当场没收",
        "没收并通知家长",
    ),
    (
        Category::DormAppliance,
        "1号宿舍楼 312",
        "私拉电线给手机充电",
        "拆除电线",
        "拆除并教育学生",
    ),
    (
        Category::DormAppliance,
        "2号宿舍楼 118",
        "使用电热毯",
        "当场没收",
        "没收并通知家长",
    ),
    (
        Category::Security,
        "南门",
        "门禁刷卡机故障",
        "人工登记",
        "维修刷卡机",
    ),
    (
        Category::Security,
        "北侧小门",
        "门锁损坏可推开",
        "加装临时链锁",
        "更换门锁",
    ),
    (
        Category::Other,
        "操场",
        "篮球架底座松动",
        "暂停使用",
        "加固底座",
    ),
];
const WORKERS: &[&str] = &[
    "后勤王师傅",
    "电工老刘",
    "总务处",
    "宿管周老师",
    "食堂管理员",
];
const FAILS: &[&str] = &[
    "仍有异味",
    "未彻底整改",
    "同类问题复现",
    "整改不到位，需返工",
];

pub(super) struct Crew {
    pub guard: Actor,
    pub teacher: Actor,
    pub leader: Actor,
    pub admin: Actor,
}

impl Crew {
    /// The station's operators by role; `None` when no one but whoever
    /// records the fixes could verify them (a real station with only its
    /// admin): no hazard may be verified by its own fixer.
    pub(super) fn of(ops: &[Actor], admin: &Actor) -> Option<Crew> {
        let by = |r: Role| {
            ops.iter()
                .find(|o| o.role == r)
                .cloned()
                .unwrap_or_else(|| admin.clone())
        };
        let crew = Crew {
            guard: by(Role::Guard),
            teacher: by(Role::DormTeacher),
            leader: by(Role::DutyLeader),
            admin: admin.clone(),
        };
        (crew.guard.id != crew.leader.id && crew.leader.id != crew.admin.id).then_some(crew)
    }
}

fn draft(f: usize, sev: Severity) -> HazardDraft {
    let (category, place, description, containment, _) = FINDINGS[f];
    HazardDraft {
        place: place.into(),
        category: Some(category),
        severity: Some(sev),
        description: description.into(),
        containment: containment.into(),
        ..HazardDraft::default()
    }
}

/// The demo's hazards, recorded from three days ago to the day before
/// (before last night's roll): one in every state of the loop.
pub(super) fn demo(
    s: &mut Store,
    clock: &FixedClock,
    c: &Crew,
    now: i64,
) -> Result<u64, StoreError> {
    let mut at = now - 3 * DAY;
    let step = |at: &mut i64, mins: i64| {
        *at += mins * MIN;
        clock.set(*at);
    };
    // After the turned-away visitor, done before last night's roll.
    step(&mut at, 10);
    // 较大, found five days ago, past its deadline and still being fixed.
    let overdue = s.report_hazard(
        &c.teacher,
        &draft(15, Severity::Major),
        Some(now - 5 * DAY),
        &[],
    )?;
    step(&mut at, 20);
    s.assign_hazard(
        &c.leader,
        &overdue,
        "宿管周老师",
        now - 2 * DAY,
        "通知家长并收缴",
    )?;
    // Closed: the whole loop.
    step(&mut at, 60);
    let closed = s.report_hazard(&c.guard, &draft(10, Severity::Major), None, &[])?;
    step(&mut at, 30);
    s.assign_hazard(&c.leader, &closed, "后勤王师傅", at + 2 * DAY, "")?;
    step(&mut at, 12 * 60);
    s.rectify_hazard(&c.guard, &closed, "砌补围墙缺口", "后勤王师傅", None)?;
    step(&mut at, 60);
    s.verify_hazard(&c.leader, &closed, true, "")?;
    step(&mut at, 10);
    s.close_hazard(&c.admin, &closed, "")?;
    // Assigned again after a failed verification.
    step(&mut at, 60);
    let lamp = s.report_hazard(&c.guard, &draft(1, Severity::General), None, &[])?;
    step(&mut at, 30);
    s.assign_hazard(&c.leader, &lamp, "电工老刘", at + 5 * DAY, "")?;
    step(&mut at, 120);
    s.rectify_hazard(&c.guard, &lamp, "更换灯管", "电工老刘", None)?;
    step(&mut at, 60);
    s.verify_hazard(&c.leader, &lamp, false, "灯仍不亮，需换整灯")?;
    // Passed verification, awaiting 销号.
    step(&mut at, 60);
    let extinguisher = s.report_hazard(&c.guard, &draft(0, Severity::General), None, &[])?;
    step(&mut at, 20);
    s.assign_hazard(&c.leader, &extinguisher, "总务处", at + 7 * DAY, "")?;
    step(&mut at, 180);
    s.rectify_hazard(&c.guard, &extinguisher, "更换灭火器两具", "总务处", None)?;
    step(&mut at, 30);
    s.verify_hazard(&c.leader, &extinguisher, true, "")?;
    // 重大, fixed by the duty leader's own hand: someone else must verify.
    step(&mut at, 12 * 60);
    let boiler = s.report_hazard(&c.guard, &draft(7, Severity::Serious), None, &[])?;
    step(&mut at, 15);
    s.assign_hazard(
        &c.leader,
        &boiler,
        "后勤王师傅",
        at + 2 * DAY,
        "立即关阀，今日内整改",
    )?;
    step(&mut at, 6 * 60);
    s.rectify_hazard(
        &c.leader,
        &boiler,
        "更换接口密封圈，试压合格",
        "刘主任",
        None,
    )?;
    // Reported last, not yet assigned.
    step(&mut at, 60);
    s.report_hazard(&c.guard, &draft(13, Severity::General), None, &[])?;
    Ok(6)
}

/// One planned step of a year's hazard, at its time.
#[derive(Debug, Clone)]
enum Plan {
    Report {
        finding: usize,
        sev: Severity,
        teacher: bool,
    },
    Assign {
        worker: usize,
        due: i64,
    },
    Rectify {
        worker: usize,
        finding: usize,
    },
    Verify {
        pass: bool,
        why: usize,
    },
    Close,
    Reopen,
}

/// A school year's hazards: each day's finds and the steps they take, done
/// the next morning at 06:00 (before the gate opens) in the order planned.
pub(super) struct Year {
    rng: StdRng,
    /// (time, sequence) → (hazard number, step).
    plan: BTreeMap<(i64, u64), (usize, Plan)>,
    ids: Vec<String>,
    seq: u64,
}

impl Year {
    /// Hazards reported so far (finds of the last day are reported the
    /// next morning).
    pub(super) fn count(&self) -> u64 {
        self.ids.iter().filter(|id| !id.is_empty()).count() as u64
    }

    pub(super) fn new(seed: u64) -> Year {
        Year {
            rng: StdRng::seed_from_u64(seed ^ 0x4A2A_4D05),
            plan: BTreeMap::new(),
            ids: vec![],
            seq: 0,
        }
    }

    fn push(&mut self, at: i64, n: usize, p: Plan) {
        self.seq += 1;
        self.plan.insert((at, self.seq), (n, p));
    }

    /// Plans one hazard found at `at`, all of its steps.
    fn plan_one(&mut self, at: i64) {
        let n = self.ids.len();
        self.ids.push(String::new());
        let r = &mut self.rng;
        let finding = r.random_range(0..FINDINGS.len());
        let sev = match r.random_range(0..100) {
            0..5 => Severity::Serious,
            5..30 => Severity::Major,
            _ => Severity::General,
        };
        let teacher = FINDINGS[finding].0 == Category::DormAppliance;
        let hours = sev.default_deadline_hours();
        let worker = r.random_range(0..WORKERS.len());
        let assigned = at + r.random_range(10..240) * MIN;
        let due = at + hours * HOUR;
        // One in ten is fixed late.
        let late = r.random_range(0..10) == 0;
        let fixed = if late {
            due + r.random_range(1..72) * HOUR
        } else {
            assigned + r.random_range(30..(hours * 60 * 9 / 10).max(31)) * MIN
        };
        let fail = r.random_range(0..100) < 15;
        let verified = fixed + r.random_range(30..600) * MIN;
        let why = r.random_range(0..FAILS.len());
        let refixed = verified + r.random_range(60..48 * 60) * MIN;
        let reverified = refixed + r.random_range(30..600) * MIN;
        let closed = reverified.max(verified) + r.random_range(10..24 * 60) * MIN;
        let reopen = r.random_range(0..100) == 0;
        let reopened = closed + r.random_range(1..20) * DAY;
        self.push(
            at,
            n,
            Plan::Report {
                finding,
                sev,
                teacher,
            },
        );
        self.push(assigned, n, Plan::Assign { worker, due });
        self.push(fixed, n, Plan::Rectify { worker, finding });
        self.push(verified, n, Plan::Verify { pass: !fail, why });
        if fail {
            self.push(refixed, n, Plan::Rectify { worker, finding });
            self.push(reverified, n, Plan::Verify { pass: true, why });
        }
        self.push(closed, n, Plan::Close);
        if reopen {
            self.push(reopened, n, Plan::Reopen);
        }
    }

    /// Day `base` (local midnight): records every step planned before it,
    /// then plans the day's finds (about 5.5 a day: ~2,000 a year).
    pub(super) fn day(
        &mut self,
        s: &mut Store,
        clock: &FixedClock,
        c: &Crew,
        base: i64,
    ) -> Result<(), StoreError> {
        let mut at = base + 6 * HOUR;
        while let Some(entry) = self.plan.first_entry() {
            if entry.key().0 >= base {
                break;
            }
            let ((when, _), (n, p)) = entry.remove_entry();
            clock.set(at);
            at += 1_000;
            let id = self.ids[n].clone();
            match p {
                Plan::Report {
                    finding,
                    sev,
                    teacher,
                } => {
                    let who = if teacher { &c.teacher } else { &c.guard };
                    self.ids[n] = s.report_hazard(who, &draft(finding, sev), Some(when), &[])?;
                }
                Plan::Assign { worker, due } => {
                    s.assign_hazard(&c.leader, &id, WORKERS[worker], due, "")?;
                }
                Plan::Rectify { worker, finding } => {
                    s.rectify_hazard(
                        &c.guard,
                        &id,
                        FINDINGS[finding].4,
                        WORKERS[worker],
                        Some(when),
                    )?;
                }
                Plan::Verify { pass, why } => {
                    let note = if pass { "" } else { FAILS[why] };
                    s.verify_hazard(&c.leader, &id, pass, note)?;
                }
                Plan::Close => s.close_hazard(&c.admin, &id, "")?,
                Plan::Reopen => s.reopen_hazard(&c.leader, &id, "同类问题复现，重新整改")?,
            }
        }
        let finds = 4 + self.rng.random_range(0..4);
        for _ in 0..finds {
            let at = base + self.rng.random_range(7 * 60..22 * 60) * MIN;
            self.plan_one(at);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::StationKind;
    use crate::domain::time::day_start_ms;
    use std::sync::Arc;

    #[test]
    fn a_term_of_hazards_goes_through_every_step() {
        let clock = FixedClock::new(1_780_000_000_000);
        let mut s = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
        let admin = s
            .setup(
                "测试中学",
                "门卫室",
                StationKind::Gate,
                480,
                "陈老师",
                "9999",
            )
            .unwrap();
        let ops: Vec<Actor> = [
            ("张建国", Role::Guard),
            ("李秀英", Role::DormTeacher),
            ("刘主任", Role::DutyLeader),
        ]
        .iter()
        .map(|(n, r)| s.add_operator(&admin, n, *r, "1234").unwrap())
        .collect();
        let crew = Crew::of(&ops, &admin).unwrap();
        let mut year = Year::new(7);
        let first = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
        for d in 0..120 {
            let base = day_start_ms(first + chrono::Duration::days(d), 480);
            s.batch(|s| year.day(s, &clock, &crew, base)).unwrap();
        }
        let n = year.count();
        assert!((480..=840).contains(&n), "{n} hazards in 120 days");
        let all = |s: &Store| {
            let f = crate::store::hazards::HazardFilter {
                limit: 100_000,
                ..Default::default()
            };
            s.hazards(&f, clock.0.load(std::sync::atomic::Ordering::Relaxed))
                .unwrap()
        };
        use crate::domain::hazard::Status;
        let v = all(&s);
        assert_eq!(v.len() as u64, n);
        let closed = v.iter().filter(|h| h.status == Status::Closed).count() as u64;
        assert!(closed > n * 8 / 10, "{closed} of {n} closed");
        assert!(v.iter().any(|h| h.fails > 0));
        assert!(v.iter().any(|h| h.reopens > 0));
        assert!(v.iter().any(|h| h.rectified_ms > Some(h.deadline_ms)));
        assert!(v.iter().any(|h| h.status != Status::Closed));

        // And the demo's handful, one in every state.
        let now = day_start_ms(first + chrono::Duration::days(130), 480);
        demo(&mut s, &clock, &crew, now).unwrap();
        let v = all(&s);
        for st in Status::ALL {
            assert!(v.iter().any(|h| h.status == st), "{st:?}");
        }
    }
}
