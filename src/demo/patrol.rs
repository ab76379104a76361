//! The demo school's patrols: twenty checkpoints with printed codes, the
//! dorm route walked three times a night, the perimeter twice at irregular
//! times, an exam-room route with a person named per night, a monthly
//! fire-equipment check; every past night walked (now and then a finding,
//! rarely a checkpoint missed with a reason); tonight one round closed
//! with a checkpoint missed and one half done with a finding. At
//! `Scale::SchoolYear` a whole-campus route of all twenty checkpoints is
//! walked four times a night, every night.

use super::Scale;
use crate::domain::hazard::{Category, HazardDraft, PatrolRef, Severity};
use crate::domain::patrol::{CheckpointData, Method, Outcome, RouteData, RouteOrder, Schedule};
use crate::domain::patrol_status::slots;
use crate::domain::role::Actor;
use crate::domain::time::FixedClock;
use crate::store::{Store, StoreError};
use chrono::NaiveDate;
use rand::Rng;
use rand::rngs::StdRng;

const MIN: i64 = 60_000;

/// (name, place, code, checklist)
const CHECKPOINTS: &[(&str, &str, &str, &[&str])] = &[
    ("南门", "校门", "G-01", &["大门已上锁", "监控正常"]),
    ("北门", "校门", "G-02", &["大门已上锁", "门锁完好"]),
    ("东侧围墙", "围墙", "W-01", &["围墙无攀爬痕迹", "照明正常"]),
    ("西侧围墙", "围墙", "W-02", &["围墙无攀爬痕迹"]),
    (
        "男生宿舍1号楼一楼",
        "男生宿舍1号楼",
        "D1-1",
        &["安全出口畅通", "灭火器在位"],
    ),
    (
        "男生宿舍1号楼三楼",
        "男生宿舍1号楼",
        "D1-3",
        &["无违章电器", "楼梯灯正常"],
    ),
    (
        "男生宿舍1号楼楼顶门",
        "男生宿舍1号楼",
        "D1-R",
        &["楼顶门已锁"],
    ),
    (
        "女生宿舍2号楼一楼",
        "女生宿舍2号楼",
        "D2-1",
        &["安全出口畅通", "灭火器在位"],
    ),
    (
        "女生宿舍2号楼三楼",
        "女生宿舍2号楼",
        "D2-3",
        &["无违章电器", "楼梯灯正常"],
    ),
    (
        "女生宿舍2号楼楼顶门",
        "女生宿舍2号楼",
        "D2-R",
        &["楼顶门已锁"],
    ),
    ("锅炉房", "后勤楼", "B-01", &["门已上锁", "燃气阀门关闭"]),
    ("配电房", "后勤楼", "B-02", &["门已上锁", "配电箱无异响"]),
    ("水泵房", "后勤楼", "B-03", &["水管无滴漏"]),
    ("食堂后门", "食堂", "C-01", &["后门已锁", "燃气阀门关闭"]),
    ("食堂仓库", "食堂", "C-02", &["食品仓库已锁"]),
    ("教学楼一楼", "教学楼", "T-01", &["门窗关好", "消防栓完好"]),
    (
        "教学楼三楼",
        "教学楼",
        "T-03",
        &["门窗关好", "安全出口畅通"],
    ),
    ("实验楼", "实验楼", "L-01", &["危化品柜已锁", "门窗关好"]),
    (
        "考场（教学楼二楼）",
        "教学楼",
        "E-01",
        &["考场门已封", "监控正常"],
    ),
    ("操场看台", "操场", "P-01", &["无人滞留", "照明正常"]),
];

/// One step of a round, at its time in the day's events.
#[derive(Debug, Clone)]
pub enum Step {
    Start {
        route: usize,
        slot: i64,
    },
    /// Checkpoint index on the route; a finding or not.
    Check {
        route: usize,
        at: usize,
        finding: bool,
    },
    Close {
        route: usize,
        reason: Option<&'static str>,
    },
}

pub struct Patrol {
    cps: Vec<String>,
    routes: Vec<(String, RouteData)>,
    /// Routes walked every night (by index), and the open round of each.
    walked: Vec<usize>,
    open: Vec<Option<String>>,
    guard: Actor,
    pub rng: StdRng,
}

impl Patrol {
    /// Checkpoints and routes, set up by the admin on the first day.
    pub fn setup(
        s: &mut Store,
        admin: &Actor,
        guard: &Actor,
        scale: Scale,
        rng: StdRng,
    ) -> Result<Patrol, StoreError> {
        let mut cps = vec![];
        for (name, place, code, items) in CHECKPOINTS {
            let d = CheckpointData {
                name: (*name).into(),
                place: (*place).into(),
                code: (*code).into(),
                checklist: items.iter().map(|i| (*i).to_string()).collect(),
                active: true,
            };
            cps.push(s.set_checkpoint(admin, None, &d)?);
        }
        let pick = |codes: &[&str]| -> Vec<String> {
            codes
                .iter()
                .filter_map(|c| CHECKPOINTS.iter().position(|x| x.2 == *c))
                .map(|i| cps[i].clone())
                .collect()
        };
        let route = |name: &str, checkpoints, order, schedule: &str, named| RouteData {
            name: name.into(),
            checkpoints,
            order,
            schedule: Schedule::parse(schedule).unwrap_or(Schedule::Fixed { times: vec![] }),
            min_walk_min: 1,
            window_min: 60,
            late_min: 15,
            named_person: named,
            active: true,
        };
        let mut routes = vec![
            route(
                "宿舍夜巡",
                pick(&["D1-1", "D1-3", "D1-R", "D2-1", "D2-3", "D2-R"]),
                RouteOrder::Ordered,
                "22:00 00:30 03:00",
                false,
            ),
            route(
                "校园周界",
                pick(&["G-01", "W-01", "G-02", "W-02", "P-01"]),
                RouteOrder::AnyOrder,
                "2@21:00-05:00",
                false,
            ),
            route(
                "考场夜巡",
                pick(&["E-01", "T-01", "T-03"]),
                RouteOrder::AnyOrder,
                "23:00",
                true,
            ),
            route(
                "消防器材月检",
                pick(&["D1-1", "D2-1", "T-01", "T-03", "B-01", "C-01", "L-01"]),
                RouteOrder::AnyOrder,
                "M1@09:00",
                false,
            ),
        ];
        // The exam-room route is for the exam weeks: retired until then.
        routes[2].active = false;
        let mut walked = vec![0, 1];
        if scale == Scale::SchoolYear {
            routes.push(route(
                "全校夜巡",
                cps.clone(),
                RouteOrder::Ordered,
                "22:00 00:30 03:00 05:00",
                false,
            ));
            walked = vec![routes.len() - 1];
        }
        let mut out = vec![];
        for r in routes {
            let id = s.set_route(admin, None, &r)?;
            out.push((id, r));
        }
        Ok(Patrol {
            cps,
            open: vec![None; out.len()],
            routes: out,
            walked,
            guard: guard.clone(),
            rng,
        })
    }

    /// One night's rounds of the routes walked nightly, as timed steps;
    /// `skip_last`: tonight's last round is left unwalked (the demo shows
    /// an honest "not walked"), and rounds not done by `until` are left out.
    pub fn night(
        &mut self,
        night: NaiveDate,
        offset: i32,
        until: i64,
        skip_last: bool,
    ) -> Vec<(i64, Step)> {
        let mut out = vec![];
        for (k, &ri) in self.walked.iter().enumerate() {
            let (_, route) = &self.routes[ri];
            let mut ss = slots(route, night, offset);
            if skip_last && k == 0 {
                ss.pop();
            }
            // An irregular slot asks for several rounds: spread them out.
            let starts: Vec<(i64, i64)> = ss
                .iter()
                .flat_map(|slot| {
                    let n = slot.rounds as i64;
                    (0..n).map(move |j| {
                        let gap = (slot.end_ms - slot.due_ms) / (n + 1);
                        (slot.due_ms, slot.due_ms + gap * (j + 1) * (n > 1) as i64)
                    })
                })
                .collect();
            for (due, start) in starts {
                let mut t = start + self.rng.random_range(0..12) * MIN;
                let mut steps = vec![(
                    t,
                    Step::Start {
                        route: ri,
                        slot: due,
                    },
                )];
                // Now and then a checkpoint is not reached (a locked gate,
                // a sick boarder to see to): closed with the reason.
                let skip = (self.rng.random_range(0..40) == 0)
                    .then(|| self.rng.random_range(0..route.checkpoints.len()));
                for at in 0..route.checkpoints.len() {
                    t += self.rng.random_range(2..5) * MIN;
                    if Some(at) != skip {
                        let finding = self.rng.random_range(0..60) == 0;
                        steps.push((
                            t,
                            Step::Check {
                                route: ri,
                                at,
                                finding,
                            },
                        ));
                    }
                }
                t += self.rng.random_range(1..4) * MIN;
                steps.push((
                    t,
                    Step::Close {
                        route: ri,
                        reason: skip.map(|_| "楼顶门钥匙在宿管处，未能到达"),
                    },
                ));
                // A round still under way at `until` is left out whole.
                if t < until {
                    out.extend(steps);
                }
            }
        }
        out
    }

    pub fn happen(&mut self, s: &mut Store, step: Step) -> Result<(), StoreError> {
        match step {
            Step::Start { route, slot } => {
                let id = s.start_patrol(&self.guard, &self.routes[route].0, Some(slot))?;
                self.open[route] = Some(id);
            }
            Step::Check { route, at, finding } => {
                let Some(round) = self.open[route].clone() else {
                    return Ok(());
                };
                let cp = self.routes[route].1.checkpoints[at].clone();
                let outcome = if finding {
                    self.finding(&cp)
                } else {
                    Outcome::Ok
                };
                s.check_in(&self.guard, &round, &cp, &outcome, None, Method::Code)?;
            }
            Step::Close { route, reason } => {
                if let Some(round) = self.open[route].take() {
                    s.close_patrol(&self.guard, &round, reason.unwrap_or(""))?;
                }
            }
        }
        Ok(())
    }

    fn finding(&mut self, cp: &str) -> Outcome {
        let i = self.cps.iter().position(|c| c == cp).unwrap_or(0);
        let items = CHECKPOINTS[i].3;
        let item = items[self.rng.random_range(0..items.len())];
        Outcome::Finding {
            failed: vec![item.to_string()],
            note: "已报值班领导".into(),
        }
    }

    /// Tonight, before now: a round of the dorm route closed with one
    /// checkpoint missed (and why); the person named for the exam route.
    pub fn tonight_closed(
        &mut self,
        s: &mut Store,
        clock: &FixedClock,
        leader: &Actor,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let off = s.offset_min();
        let night = crate::domain::rollcall::night_of(now_ms, off);
        clock.set(now_ms - 160 * MIN);
        let exam = self.routes[2].0.clone();
        s.assign_route(
            leader,
            &exam,
            &night.format("%Y-%m-%d").to_string(),
            "王建军",
        )?;
        let dorm = self.routes[0].0.clone();
        let cps = self.routes[0].1.checkpoints.clone();
        clock.set(now_ms - 150 * MIN);
        let round = s.start_patrol(&self.guard, &dorm, None)?;
        for (k, cp) in cps.iter().enumerate() {
            // The roof door of building 2 was not reached.
            if k == 5 {
                continue;
            }
            clock.set(now_ms - (146 - 4 * k as i64) * MIN);
            s.check_in(&self.guard, &round, cp, &Outcome::Ok, None, Method::Code)?;
        }
        clock.set(now_ms - 110 * MIN);
        s.close_patrol(&self.guard, &round, "2号楼楼顶门钥匙在宿管处，已告知宿管")
    }

    /// Tonight's round under way: half the dorm route checked in, one
    /// finding among them.
    pub fn tonight_open(
        &mut self,
        s: &mut Store,
        clock: &FixedClock,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let dorm = self.routes[0].0.clone();
        let cps = self.routes[0].1.checkpoints.clone();
        clock.set(now_ms - 4 * MIN);
        let round = s.start_patrol(&self.guard, &dorm, None)?;
        for (k, cp) in cps.iter().take(cps.len() / 2).enumerate() {
            clock.set(now_ms - (3 - k as i64) * MIN);
            let outcome = if k == 1 {
                Outcome::Finding {
                    failed: vec!["无违章电器".into()],
                    note: "308室有热得快，已没收".into(),
                }
            } else {
                Outcome::Ok
            };
            s.check_in(&self.guard, &round, cp, &outcome, None, Method::Code)?;
            if k == 1 {
                // The finding, reported as a hazard from the round (Ctrl+R).
                let draft = HazardDraft {
                    place: "2号宿舍楼 308室".into(),
                    category: Some(Category::DormAppliance),
                    severity: Some(Severity::General),
                    description: "无违章电器；308室有热得快，已没收".into(),
                    containment: "已没收，通知班主任".into(),
                    found_on_patrol: Some(PatrolRef {
                        round_id: round.clone(),
                        checkpoint_id: cp.clone(),
                    }),
                    ..HazardDraft::default()
                };
                s.report_hazard(&self.guard, &draft, None, &[])?;
            }
        }
        Ok(())
    }
}
