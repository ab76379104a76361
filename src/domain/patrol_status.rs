//! What a route's night and a round honestly look like, computed from the
//! schedule, the rounds and the clock — never stored, so every station
//! agrees after sync and nothing missed can be hidden by an edit.

use super::patrol::{RouteData, Schedule, night_minute};
use super::time::day_start_ms;
use chrono::{Datelike, NaiveDate};

const MIN: i64 = 60_000;

/// One due round of a night: from `due_ms` it may be walked; after
/// `late_ms` a round not yet started is late; by `end_ms` it should be
/// done. An irregular schedule (不定时) is one slot asking for `rounds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub due_ms: i64,
    pub late_ms: i64,
    pub end_ms: i64,
    pub rounds: u32,
}

/// UTC ms of a clock time on `night` (times before noon are the morning
/// after the evening the night began).
pub fn night_at(night: NaiveDate, offset_min: i32, t: u32) -> i64 {
    day_start_ms(night, offset_min) + night_minute(t) as i64 * MIN
}

/// The calendar date a clock time of `night` falls on.
fn calendar_date(night: NaiveDate, t: u32) -> NaiveDate {
    if night_minute(t) >= 24 * 60 {
        night.succ_opt().unwrap_or(night)
    } else {
        night
    }
}

/// The slots a route has on `night`, in time order.
pub fn slots(route: &RouteData, night: NaiveDate, offset_min: i32) -> Vec<Slot> {
    let one = |t: u32| {
        let due = night_at(night, offset_min, t);
        Slot {
            due_ms: due,
            late_ms: due + route.late_min as i64 * MIN,
            end_ms: due + route.window_min as i64 * MIN,
            rounds: 1,
        }
    };
    match &route.schedule {
        Schedule::Fixed { times } => times.iter().map(|t| one(*t)).collect(),
        Schedule::Irregular { rounds, from, to } => {
            let due = night_at(night, offset_min, *from);
            let end = night_at(night, offset_min, *to);
            vec![Slot {
                due_ms: due,
                // Irregular rounds are never late, only not walked.
                late_ms: end,
                end_ms: end,
                rounds: *rounds,
            }]
        }
        Schedule::Weekly { weekday, at } => {
            let d = calendar_date(night, *at);
            if d.weekday().number_from_monday() == *weekday {
                vec![one(*at)]
            } else {
                vec![]
            }
        }
        Schedule::Monthly { day, at } => {
            if calendar_date(night, *at).day() == *day {
                vec![one(*at)]
            } else {
                vec![]
            }
        }
    }
}

/// Where one slot stands at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotState {
    /// Not yet due.
    Upcoming,
    /// Due and not yet late; `started` of `rounds` begun.
    Due { started: u32 },
    /// Past its late time and not (fully) started; still within the window.
    Overdue { started: u32 },
    /// The window passed with rounds never started.
    NotStarted { missing: u32 },
    /// Every round asked for was started (`late`: the first after late_ms).
    Started { late: bool },
}

/// A slot's state from the start times of the rounds filed against it.
pub fn slot_state(slot: &Slot, started: &[i64], now_ms: i64) -> SlotState {
    let n = started.len() as u32;
    if n >= slot.rounds {
        let first = started.iter().min().copied().unwrap_or(slot.due_ms);
        return SlotState::Started {
            late: slot.rounds == 1 && first > slot.late_ms,
        };
    }
    if now_ms < slot.due_ms {
        SlotState::Upcoming
    } else if now_ms >= slot.end_ms {
        SlotState::NotStarted {
            missing: slot.rounds - n,
        }
    } else if now_ms > slot.late_ms {
        SlotState::Overdue { started: n }
    } else {
        SlotState::Due { started: n }
    }
}

/// One check-in as the status rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckIn {
    pub checkpoint_id: String,
    /// The time the patroller was there (given, for an entry made later).
    pub at_ms: i64,
    /// When it was entered.
    pub entered_ms: i64,
    pub finding: bool,
}

/// A round as the status rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundFacts {
    pub started_ms: i64,
    /// The slot's end, or the start plus the window for an unscheduled round.
    pub end_ms: i64,
    pub closed_ms: Option<i64>,
    /// The route's checkpoints when the round began, in walking order.
    pub checkpoints: Vec<String>,
    pub ordered: bool,
    pub min_walk_min: u32,
    pub checks: Vec<CheckIn>,
}

/// Two check-ins closer together than anyone can walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooFast {
    pub from: String,
    pub to: String,
    pub minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoundStatus {
    /// Not checked in, the round still running: still to do.
    pub pending: Vec<String>,
    /// Not checked in and the round closed or past its window: missed.
    pub missed: Vec<String>,
    /// Open after its window ended.
    pub open_past_window: bool,
    pub too_fast: Vec<TooFast>,
    /// Checked in out of the route's order (ordered routes only).
    pub out_of_order: Vec<String>,
    /// Entries made later than the time given: (checkpoint, minutes).
    pub entered_later: Vec<(String, i64)>,
    pub findings: usize,
}

/// An entry made this long after the time given counts as "entered later".
pub const LATER_GAP_MS: i64 = 5 * MIN;

pub fn round_status(r: &RoundFacts, now_ms: i64) -> RoundStatus {
    let mut st = RoundStatus::default();
    // The first check-in of each checkpoint, by the time the patroller
    // was there: a second one (a correction) does not move the walk.
    let mut first: Vec<&CheckIn> = vec![];
    let mut by_time: Vec<&CheckIn> = r.checks.iter().collect();
    by_time.sort_by_key(|c| (c.at_ms, c.entered_ms));
    for c in by_time {
        if !first.iter().any(|f| f.checkpoint_id == c.checkpoint_id) {
            first.push(c);
        }
    }
    let over = r.closed_ms.is_some() || now_ms >= r.end_ms;
    for cp in &r.checkpoints {
        if !first.iter().any(|c| &c.checkpoint_id == cp) {
            if over {
                st.missed.push(cp.clone());
            } else {
                st.pending.push(cp.clone());
            }
        }
    }
    st.open_past_window = r.closed_ms.is_none() && now_ms >= r.end_ms;
    for w in first.windows(2) {
        let gap = w[1].at_ms - w[0].at_ms;
        if gap < r.min_walk_min as i64 * MIN {
            st.too_fast.push(TooFast {
                from: w[0].checkpoint_id.clone(),
                to: w[1].checkpoint_id.clone(),
                minutes: gap / MIN,
            });
        }
    }
    if r.ordered {
        // Each check-in should come after those of earlier checkpoints.
        let pos = |id: &str| r.checkpoints.iter().position(|c| c == id);
        let mut highest = None;
        for c in &first {
            let p = pos(&c.checkpoint_id);
            if p.is_some() && highest.is_some() && p < highest {
                st.out_of_order.push(c.checkpoint_id.clone());
            }
            highest = highest.max(p);
        }
    }
    for c in &r.checks {
        if c.entered_ms - c.at_ms >= LATER_GAP_MS {
            st.entered_later
                .push((c.checkpoint_id.clone(), (c.entered_ms - c.at_ms) / MIN));
        }
    }
    st.findings = r.checks.iter().filter(|c| c.finding).count();
    st
}

/// What the status bar counts for tonight's patrols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PatrolAlerts {
    /// Checkpoints missed in rounds closed or past their window.
    pub missed: usize,
    /// Rounds started late, or due and not started past their late time.
    pub late: usize,
    /// Rounds whose window passed without them.
    pub not_started: usize,
    /// Rounds left open after their window.
    pub open_past_window: usize,
    /// Special-period routes with nobody named for tonight.
    pub unassigned: usize,
}

impl PatrolAlerts {
    pub fn add_slot(&mut self, s: SlotState) {
        match s {
            SlotState::Overdue { .. } | SlotState::Started { late: true } => self.late += 1,
            SlotState::NotStarted { missing } => self.not_started += missing as usize,
            _ => {}
        }
    }
    pub fn add_round(&mut self, s: &RoundStatus) {
        self.missed += s.missed.len();
        self.open_past_window += s.open_past_window as usize;
    }
    pub fn any(&self) -> bool {
        *self != PatrolAlerts::default()
    }
}

#[cfg(test)]
#[path = "patrol_status_tests.rs"]
mod tests;
