//! The rest of a boarding school's year, for `Scale::SchoolYear` only:
//! weekends home through the gate, leave, the sick log and the watchlist at
//! the door, written where a synced school writes them — the gate's at the
//! gate station, the dorms' (rolls, sick, leave) at two dorm stations, each
//! its own chain — with the contradictions between stations at their real,
//! low rate and a duty leader's decision on most. Kept apart (with its own
//! random stream) so the demo's smaller scales draw exactly what they drew
//! before.

use super::{GenStats, Person, Visitors, form_for};
use crate::domain::event::{
    Event, GateReturned, LeaveReturned, StationCreated, StationKind, StudentUpdated, VisitSignedOut,
};
use crate::domain::role::Actor;
use crate::domain::rollcall::FoundWhere;
use crate::domain::roster::{Gender, Student};
use crate::domain::visit::Decision;
use crate::domain::watchlist::WatchForm;
use crate::store::visits::RegisterOutcome;
use crate::store::{Store, StoreError};
use chrono::{Datelike, NaiveDate, Weekday};
use rand::Rng;
use rand::rngs::StdRng;

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;

/// Share of boarders (per mille) who go home for a weekend: most of a
/// county school's boarders do, the left-behind with a grandparent too.
const HOME_FOR_WEEKEND: u32 = 850;

const LEAVE_REASONS: &[(&str, &str)] = &[
    ("回家看病", "家中（县城）"),
    ("亲属婚礼", "老家"),
    ("牙科复诊", "县人民医院"),
    ("家中有事", "家中"),
    ("参加县里比赛", "县体育馆"),
    ("办理身份证", "派出所"),
];
const SYMPTOMS: &[(&str, &str, &str)] = &[
    ("发烧、头痛", "布洛芬一片", "38.4"),
    ("咳嗽、咽痛", "润喉片", "37.6"),
    ("腹痛、腹泻", "蒙脱石散", "37.2"),
    ("呕吐", "", "37.8"),
    ("牙痛", "", ""),
    ("流鼻血", "", ""),
    ("头晕乏力", "", "36.9"),
];
const NOTES: &[(&str, &str)] = &[
    ("已入睡", "37.6"),
    ("体温下降", "37.3"),
    ("仍咳嗽，已喝温水", ""),
    ("症状缓解", "36.8"),
];
const CLOSINGS: &[&str] = &["早上好转，正常上课", "家长已接回家", "送校医室观察"];
/// The dorm stations (boys', girls'): rolls, sick log and leave are kept there.
const DORM_STATIONS: [&str; 2] = ["男生宿舍值班室", "女生宿舍值班室"];
/// One in this many gate returns is recorded at the dorm too, at the time
/// the boarder reached it (both stations on duty, neither synced yet).
const RETURN_TWICE: u32 = 800;
/// One in this many leave returns is recorded at the gate too.
const LEAVE_RETURN_TWICE: u32 = 20;
/// One in this many sign-outs is recorded at a dorm station too (a parent
/// who went on to the dorm).
const SIGN_OUT_TWICE: u32 = 2_000;
/// Per mille of contradictions a duty leader decides; the rest wait in F8.
const DECIDED: u32 = 850;
const DECISION_NOTES: &[&str] = &[
    "核对监控后确认",
    "与宿管老师电话核实",
    "以门卫登记为准",
    "以宿舍登记为准",
];
/// (who was called, follow-up finding, where found) for an absence at
/// lights-out: where boarders missing at the count turn out to be.
const ABSENCE_STEPS: &[(&str, &str, Option<FoundWhere>)] = &[
    ("guardian", "电话未接通，已通知班主任", None),
    ("head_teacher", "班主任称下午见过，正在找", None),
    (
        "other",
        "在教学楼自习，已带回寝室",
        Some(FoundWhere::OnCampus),
    ),
    ("other", "在同学寝室，已带回", Some(FoundWhere::OnCampus)),
    (
        "guardian",
        "已被家长接回家，忘记请假",
        Some(FoundWhere::OffCampus),
    ),
    ("other", "在操场，已带回", Some(FoundWhere::OnCampus)),
];

/// One call about an absence: who, what was learnt, where the boarder was
/// found (None: not yet).
pub(super) type AbsenceStep = (&'static str, &'static str, Option<FoundWhere>);

#[derive(Debug, Clone)]
pub(super) enum Happening {
    /// A boarder (roster index) goes home for the weekend, due back then.
    GateOut(usize, i64),
    GateBack(usize, String),
    LeaveOut(usize),
    LeaveBack(usize, String),
    /// A boarder falls ill in the night; the record closes in the morning.
    Sick(usize, i64),
    /// A note on a sick record (the boarder's, by roster index): the last
    /// one closes it.
    SickNote(usize, String, bool),
    /// The same return recorded at the other station: (boarder, record,
    /// through the gate — else from leave, the time it gives).
    ReturnAgain(usize, String, bool, i64),
    /// A visit signed out at a dorm station too.
    SignOutAgain(String),
    /// The office corrects a guardian's phone (boarder); sometimes the dorm
    /// corrects the same version differently.
    Edit(usize),
    /// A duty leader decides a record's contradiction (its entity).
    Decide(String),
    /// A listed person comes to the gate; or (true) someone of the same
    /// name, admitted once the ID is checked.
    Watched(usize, bool),
    SignOut(String),
}

pub(super) struct Year<'a> {
    rng: StdRng,
    roster: &'a [Student],
    away: Vec<bool>,
    /// What is due after the day being generated, in no order.
    later: Vec<(i64, Happening)>,
    watched: Vec<Person>,
    guard: Actor,
    teacher: Actor,
    admin: Actor,
    leader: Actor,
    /// The dorm stations' ids, boys' then girls'.
    dorms: Vec<String>,
}

impl<'a> Year<'a> {
    /// Sets up the dorm stations (as joined stations: each chain starts
    /// with its `station.created`) and puts the year's watchlist in place
    /// (custody orders and trespass notices) beside the one the demo
    /// always has. `cast` is (guard, dorm teacher, duty leader).
    pub(super) fn new(
        s: &mut Store,
        rng: StdRng,
        roster: &'a [Student],
        admin: &Actor,
        cast: (Actor, Actor, Actor),
    ) -> Result<Year<'a>, StoreError> {
        let (guard, teacher, leader) = cast;
        let st = s.require_station()?.clone();
        let school_id = s.meta("school_id")?.unwrap_or_default();
        let mut dorms = vec![];
        for name in DORM_STATIONS {
            let id = s.new_id();
            let created = Event::StationCreated(StationCreated {
                station_id: id.clone(),
                school_id: school_id.clone(),
                school: st.school.clone(),
                name: name.into(),
                kind: StationKind::Dorm,
                utc_offset_min: st.utc_offset_min,
            });
            s.as_station(&id, |s| {
                s.write(&Actor::system(), |_| Ok((vec![created], ())))
            })?;
            dorms.push(id);
        }
        let mut y = Year {
            rng,
            roster,
            away: vec![false; roster.len()],
            later: vec![],
            watched: vec![],
            guard,
            teacher,
            admin: admin.clone(),
            leader,
            dorms,
        };
        let mut strangers = Visitors {
            roster: &[],
            used: Default::default(),
        };
        for reason in [
            "法院禁止令：不得探视",
            "曾在校门口滋事",
            "冒充家长接学生未遂",
        ] {
            let p = strangers.person(&mut y.rng);
            s.add_watch(
                admin,
                &WatchForm {
                    name: p.name.clone(),
                    id_no: p.id_no.clone(),
                    phone: p.phone.clone(),
                    reason: reason.into(),
                    note: "如到校，立即通知值班领导".into(),
                },
            )?;
            y.watched.push(p);
        }
        Ok(y)
    }

    /// The dorm station of a boarder (by roster index): boys' or girls'.
    fn dorm(&self, i: usize) -> String {
        dorm_of(self.roster, &self.dorms, i)
    }

    /// The station that calls the roll of `building`: the dorm station of
    /// its boarders.
    pub(super) fn dorm_of_building(&self, building: &str) -> Option<String> {
        let i = self
            .roster
            .iter()
            .position(|st| st.bed.as_ref().is_some_and(|b| b.building == building))?;
        Some(self.dorm(i))
    }

    /// A visit just signed out at the gate: now and then a dorm station
    /// signs it out too, a few minutes on.
    pub(super) fn signed_out(&mut self, id: String, t: i64) -> Option<(i64, Happening)> {
        (self.rng.random_range(0..SIGN_OUT_TWICE) == 0).then(|| {
            (
                t + self.rng.random_range(2..20) * MIN,
                Happening::SignOutAgain(id),
            )
        })
    }

    /// The morning after a contradiction: most get a duty leader's decision.
    fn decide_later(&mut self, entity: String, t: i64, next: &mut Vec<(i64, Happening)>) {
        if self.rng.random_range(0..1000) < DECIDED {
            let day = (t + 8 * HOUR).div_euclid(DAY) * DAY;
            let at = (day + DAY + self.rng.random_range(0..4 * 60) * MIN).max(t + HOUR);
            next.push((at, Happening::Decide(entity)));
        }
    }

    /// The day's planned happenings (starting at local midnight `base`),
    /// plus whatever earlier ones fall due on it.
    pub(super) fn day(&mut self, day: NaiveDate, base: i64) -> Vec<(i64, Happening)> {
        let rng = &mut self.rng;
        let mut out = vec![];
        let n = self.roster.len();
        if n > 0 {
            if day.weekday() == Weekday::Fri {
                // Home on Friday afternoon, due back on Sunday evening.
                let due = base + 2 * DAY + 20 * HOUR;
                for i in 0..n {
                    if rng.random_range(0..1000) < HOME_FOR_WEEKEND {
                        let at = base + 16 * HOUR + rng.random_range(0..150) * MIN;
                        out.push((at, Happening::GateOut(i, due)));
                    }
                }
            }
            if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                for _ in 0..rng.random_range(0..=5) {
                    let at = base + 8 * HOUR + rng.random_range(0..8 * 60) * MIN;
                    out.push((at, Happening::LeaveOut(rng.random_range(0..n))));
                }
                // A guardian's new phone number, a few times a month.
                if rng.random_range(0..4) == 0 {
                    let at = base + 9 * HOUR + rng.random_range(0..7 * 60) * MIN;
                    out.push((at, Happening::Edit(rng.random_range(0..n))));
                }
            }
            // The sick log: a few a night, after lights-out.
            for _ in 0..rng.random_range(0..=4) {
                let at = base + 22 * HOUR + 20 * MIN + rng.random_range(0..180) * MIN;
                let close = base + DAY + 6 * HOUR + 30 * MIN + rng.random_range(0..60) * MIN;
                out.push((at, Happening::Sick(rng.random_range(0..n), close)));
            }
        }
        if !self.watched.is_empty() && rng.random_range(0..15) == 0 {
            let at = base + 9 * HOUR + rng.random_range(0..8 * 60) * MIN;
            let who = rng.random_range(0..self.watched.len());
            out.push((at, Happening::Watched(who, rng.random_bool(0.5))));
        }
        // Everything before midnight happens today; the rest waits, so the
        // clock never runs backwards.
        let end = base + DAY;
        out.append(&mut self.later);
        let (today, later): (Vec<_>, Vec<_>) = out.into_iter().partition(|(t, _)| *t < end);
        self.later = later;
        today
    }

    /// Does one happening at `t` (the clock already set); returns what it
    /// leads to later.
    pub(super) fn happen(
        &mut self,
        s: &mut Store,
        h: Happening,
        t: i64,
        stats: &mut GenStats,
    ) -> Result<Vec<(i64, Happening)>, StoreError> {
        let rng = &mut self.rng;
        let mut next = vec![];
        match h {
            Happening::GateOut(i, due) => {
                let st = &self.roster[i];
                let pick: Vec<_> = st.data.guardians.iter().filter(|g| g.may_pick_up).collect();
                if self.away[i] || pick.is_empty() {
                    return Ok(next);
                }
                let g = pick[rng.random_range(0..pick.len())];
                let id = s.gate_depart(
                    &self.guard,
                    &st.id,
                    &g.name,
                    &g.relation,
                    g.phone.as_deref().unwrap_or(""),
                    Some(due),
                    "周末回家",
                    None,
                )?;
                self.away[i] = true;
                stats.departures += 1;
                // Most are back before the due time; a few late that night,
                // fewer still on Monday morning.
                let back = match rng.random_range(0..1000) {
                    0..950 => due - rng.random_range(1..240) * MIN,
                    950..990 => due + rng.random_range(10..150) * MIN,
                    _ => due + 11 * HOUR + rng.random_range(0..60) * MIN,
                };
                next.push((back, Happening::GateBack(i, id)));
            }
            Happening::GateBack(i, id) => {
                s.record_return(&self.guard, &id, true)?;
                self.away[i] = false;
                if rng.random_range(0..RETURN_TWICE) == 0 {
                    let at = t + rng.random_range(5..40) * MIN;
                    next.push((at, Happening::ReturnAgain(i, id, true, at)));
                }
            }
            Happening::LeaveOut(i) => {
                if self.away[i] {
                    return Ok(next);
                }
                let st = &self.roster[i];
                let (reason, dest) = LEAVE_REASONS[rng.random_range(0..LEAVE_REASONS.len())];
                let due = t + rng.random_range(6..72) * HOUR;
                let dorm = dorm_of(self.roster, &self.dorms, i);
                let id = s.as_station(&dorm, |s| {
                    s.grant_leave(
                        &self.teacher,
                        &st.id,
                        t,
                        due,
                        reason,
                        &st.data.head_teacher,
                        dest,
                    )
                })?;
                self.away[i] = true;
                stats.leaves += 1;
                let back = if rng.random_range(0..100) < 92 {
                    (due - rng.random_range(0..6 * 60) * MIN).max(t + HOUR)
                } else {
                    due + rng.random_range(30..12 * 60) * MIN
                };
                next.push((back, Happening::LeaveBack(i, id)));
            }
            Happening::LeaveBack(i, id) => {
                let dorm = dorm_of(self.roster, &self.dorms, i);
                s.as_station(&dorm, |s| s.record_return(&self.teacher, &id, false))?;
                self.away[i] = false;
                if rng.random_range(0..LEAVE_RETURN_TWICE) == 0 {
                    // The gate saw the boarder first and writes up its book
                    // a little later: its time is earlier.
                    let seen = t - rng.random_range(5..30) * MIN;
                    let at = t + rng.random_range(5..60) * MIN;
                    next.push((at, Happening::ReturnAgain(i, id, false, seen)));
                }
            }
            Happening::Sick(i, close) => {
                if self.away[i] {
                    return Ok(next);
                }
                let (symptoms, medicine, temp) = SYMPTOMS[rng.random_range(0..SYMPTOMS.len())];
                let (clinic, told) = (rng.random_range(0..10) == 0, rng.random_range(0..10) < 4);
                let dorm = dorm_of(self.roster, &self.dorms, i);
                let id = s.as_station(&dorm, |s| {
                    s.record_sick(
                        &self.teacher,
                        &self.roster[i].id,
                        symptoms,
                        temp,
                        medicine,
                        "已喝温水",
                        clinic,
                        told,
                    )
                })?;
                stats.sick += 1;
                let mut at = t;
                for _ in 0..rng.random_range(0..3) {
                    at += rng.random_range(40..120) * MIN;
                    if at < close {
                        next.push((at, Happening::SickNote(i, id.clone(), false)));
                    }
                }
                next.push((close, Happening::SickNote(i, id, true)));
            }
            Happening::SickNote(i, id, closed) => {
                let (note, temp) = if closed {
                    (CLOSINGS[rng.random_range(0..CLOSINGS.len())], "")
                } else {
                    NOTES[rng.random_range(0..NOTES.len())]
                };
                let dorm = dorm_of(self.roster, &self.dorms, i);
                s.as_station(&dorm, |s| {
                    s.sick_followup(&self.teacher, &id, note, temp, closed)
                })?;
            }
            Happening::ReturnAgain(i, id, gate, at_ms) => {
                // Written as the other station wrote it, before either had
                // the other's record: the domain there allowed it.
                let (ev, entity) = if gate {
                    let ev = Event::GateReturned(GateReturned {
                        departure_id: id.clone(),
                        at_ms,
                    });
                    (ev, format!("departure:{id}"))
                } else {
                    let ev = Event::LeaveReturned(LeaveReturned {
                        leave_id: id.clone(),
                        at_ms,
                    });
                    (ev, format!("leave:{id}"))
                };
                let (station, actor) = if gate {
                    (Some(self.dorm(i)), self.teacher.clone())
                } else {
                    (None, self.guard.clone())
                };
                write_at(s, station.as_deref(), &actor, ev)?;
                stats.contradictions += 1;
                self.decide_later(entity, t, &mut next);
            }
            Happening::SignOutAgain(id) => {
                let station = self.dorms[rng.random_range(0..self.dorms.len())].clone();
                let ev = Event::VisitSignedOut(VisitSignedOut {
                    visit_id: id.clone(),
                    at_ms: t,
                });
                write_at(s, Some(&station), &self.teacher, ev)?;
                stats.contradictions += 1;
                self.decide_later(format!("visit:{id}"), t, &mut next);
            }
            Happening::Edit(i) => {
                let id = self.roster[i].id.clone();
                let Some(mut data) = s.student(&id)?.map(|st| st.data) else {
                    return Ok(next);
                };
                if data.guardians.is_empty() {
                    return Ok(next);
                }
                let version = s.student_version(&id)?;
                let mut other = data.clone();
                data.guardians[0].phone = Some(super::phone(rng));
                s.update_student(&self.admin, &id, data)?;
                if rng.random_range(0..4) == 0 {
                    // The dorm took the same call: another number, same version.
                    other.guardians[0].phone = Some(super::phone(rng));
                    let ev = Event::StudentUpdated(StudentUpdated {
                        student_id: id.clone(),
                        data: other,
                        based_on: version,
                    });
                    write_at(s, Some(&self.dorm(i)), &self.admin, ev)?;
                    stats.contradictions += 1;
                    self.decide_later(format!("student:{id}"), t, &mut next);
                }
            }
            Happening::Decide(entity) => {
                let open = s
                    .conflicts()?
                    .into_iter()
                    .find(|c| c.entity == entity && c.decided.is_none());
                if let Some(c) = open {
                    // Mostly the record shown meanwhile stands.
                    let chosen = if rng.random_range(0..4) == 0 {
                        c.events[c.events.len() - 1].id.clone()
                    } else {
                        c.provisional.clone()
                    };
                    let note = DECISION_NOTES[rng.random_range(0..DECISION_NOTES.len())];
                    s.resolve_conflict(&self.leader, &c.key, &chosen, note)?;
                    stats.decisions += 1;
                }
            }
            Happening::Watched(k, namesake) => {
                let mut form = form_for(&self.watched[k], rng);
                let decision = if namesake {
                    // Same name, another person: a different ID and phone.
                    let other = Visitors {
                        roster: &[],
                        used: Default::default(),
                    }
                    .person(rng);
                    form.id_no = other.id_no;
                    form.phone = other.phone;
                    (Decision::Admit, "同名不同人，已核对身份证".to_string())
                } else {
                    (Decision::Deny, "已劝离并报告值班领导".to_string())
                };
                match s.register_visit(&self.guard, &form, Some(decision))? {
                    RegisterOutcome::Registered(id) => {
                        stats.visits += 1;
                        let stay = rng.random_range(10..60) * MIN;
                        next.push((t + stay, Happening::SignOut(id)));
                    }
                    RegisterOutcome::Denied(_) => stats.visits += 1,
                    RegisterOutcome::NeedsDecision(_) => {}
                }
            }
            Happening::SignOut(id) => s.sign_out(&self.guard, &id)?,
        }
        Ok(next)
    }

    /// The dorm stations, boys' then girls'.
    pub(super) fn dorms(&self) -> &[String] {
        &self.dorms
    }

    /// Keeps what falls after the day being generated.
    pub(super) fn defer(&mut self, h: (i64, Happening)) {
        self.later.push(h);
    }

    /// A lights-out absence's follow-ups: one or two calls, then where the
    /// boarder was found. Returns (contacted, finding, found) in order.
    pub(super) fn absence_steps(&mut self) -> Vec<AbsenceStep> {
        let rng = &mut self.rng;
        let mut v = vec![];
        for _ in 0..rng.random_range(0..=2) {
            v.push(ABSENCE_STEPS[rng.random_range(0..2)]);
        }
        v.push(ABSENCE_STEPS[rng.random_range(2..ABSENCE_STEPS.len())]);
        v
    }
}

/// Appends one event as `station` (None: this station) wrote it, past the
/// domain's checks: another station's view when it was written.
fn write_at(
    s: &mut Store,
    station: Option<&str>,
    actor: &Actor,
    ev: Event,
) -> Result<(), StoreError> {
    match station {
        Some(o) => s.as_station(o, |s| s.write(actor, |_| Ok((vec![ev], ())))),
        None => s.write(actor, |_| Ok((vec![ev], ()))),
    }
}

/// The dorm station of a boarder (by roster index): boys' or girls'.
fn dorm_of(roster: &[Student], dorms: &[String], i: usize) -> String {
    let girl = roster[i].data.gender == Some(Gender::Female);
    dorms[usize::from(girl)].clone()
}
