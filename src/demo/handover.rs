//! Handovers for the demo school: the shift before last signed over,
//! accepted and countersigned; the last shift signed over a few minutes
//! after it ended and waiting for the one on duty now to accept it, with
//! the open items it carries (the overstaying visitor, the overdue hazard,
//! the absence being followed up).

use super::OPERATORS;
use crate::domain::event::Remark;
use crate::domain::handover::Section;
use crate::domain::role::{Actor, Role};
use crate::domain::shift::ShiftId;
use crate::domain::time::FixedClock;
use crate::store::{Store, StoreError};

const MIN: i64 = 60_000;

fn pin(a: &Actor) -> &'static str {
    OPERATORS
        .iter()
        .find(|o| o.0 == a.name)
        .map(|o| o.2)
        .unwrap_or("")
}

/// Whether the demo may sign as `a`: only its own operators with their
/// demo PINs (demo data put into a real station signs nothing for its people).
fn signs(s: &Store, a: &Actor) -> bool {
    s.pin_is(&a.id, pin(a))
}

/// Who works which shift in the demo: the dorm teacher nights, the guard days.
pub struct Crew {
    pub day: Actor,
    pub night: Actor,
    pub leader: Actor,
}

impl Crew {
    fn on(&self, shift: &ShiftId) -> &Actor {
        if shift.shift == "night" {
            &self.night
        } else {
            &self.day
        }
    }

    pub fn of(ops: &[Actor], admin: &Actor) -> Crew {
        let find = |r: Role| {
            ops.iter()
                .find(|o| o.role == r)
                .cloned()
                .unwrap_or_else(|| admin.clone())
        };
        Crew {
            day: find(Role::Guard),
            night: find(Role::DormTeacher),
            leader: find(Role::DutyLeader),
        }
    }
}

/// (the shift before last, the last shift) at `now_ms`.
fn shifts(s: &Store, now_ms: i64) -> Result<Option<(ShiftId, ShiftId)>, StoreError> {
    let Some(cur) = s.current_shift(now_ms)? else {
        return Ok(None);
    };
    let Some(prev) = s.previous_shift(&cur)? else {
        return Ok(None);
    };
    Ok(s.previous_shift(&prev)?.map(|pp| (pp, prev)))
}

/// The steps of the shift before last, each at its time: signed two
/// minutes before it ended, accepted, countersigned within the hour. The
/// generator does them among the day's events, in time order.
pub fn before_last_plan(s: &Store, now_ms: i64) -> Result<Vec<(i64, u8)>, StoreError> {
    let Some((pp, _)) = shifts(s, now_ms)? else {
        return Ok(vec![]);
    };
    let Some((_, end)) = s.shift_window(&pp)? else {
        return Ok(vec![]);
    };
    Ok(
        vec![(end - 2 * MIN, 0), (end + 6 * MIN, 1), (end + 42 * MIN, 2)]
            .into_iter()
            .filter(|(t, _)| *t < now_ms)
            .collect(),
    )
}

/// One step of `before_last_plan`, at the clock's time.
pub fn before_last_step(
    s: &mut Store,
    crew: &Crew,
    now_ms: i64,
    step: u8,
) -> Result<(), StoreError> {
    let Some((pp, prev)) = shifts(s, now_ms)? else {
        return Ok(());
    };
    let at = s.now_ms();
    match step {
        0 => {
            let out = crew.on(&pp).clone();
            if !signs(s, &out) {
                return Ok(());
            }
            s.sign_handover(
                &out,
                pin(&out),
                &pp,
                "2号宿舍楼206的热得快已没收，家长会来领；锅炉房燃气异味已报后勤，请盯复查。",
                at,
            )
        }
        1 => {
            let inc = crew.on(&prev).clone();
            if !signs(s, &inc) {
                return Ok(());
            }
            let remark = Remark {
                section: Section::Hazards.key().into(),
                text: "锅炉房复查找谁签字？".into(),
            };
            s.accept_handover(&inc, pin(&inc), &pp, &Section::ALL, vec![remark])
        }
        _ if !signs(s, &crew.leader) => Ok(()),
        _ => s.countersign_handover(
            &crew.leader,
            pin(&crew.leader),
            &pp,
            "已阅。锅炉房今日务必复查。",
        ),
    }
}

/// When the last shift is signed over: two minutes after it ended.
pub fn last_signed_at(s: &Store, now_ms: i64) -> Result<Option<i64>, StoreError> {
    let Some((_, prev)) = shifts(s, now_ms)? else {
        return Ok(None);
    };
    Ok(s.shift_window(&prev)?
        .map(|(_, end)| end + 2 * MIN)
        .filter(|t| *t < now_ms))
}

/// The last shift signed over, waiting for whoever is on duty now.
pub fn last(s: &mut Store, clock: &FixedClock, crew: &Crew, now_ms: i64) -> Result<(), StoreError> {
    let (Some((_, prev)), Some(at)) = (shifts(s, now_ms)?, last_signed_at(s, now_ms)?) else {
        return Ok(());
    };
    let out = crew.on(&prev).clone();
    if !signs(s, &out) {
        return Ok(());
    }
    clock.set(at);
    s.sign_handover(
        &out,
        pin(&out),
        &prev,
        "王涛家长在与班主任面谈，已超时，请留意他离校登记。",
        at,
    )
}
