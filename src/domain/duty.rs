//! The duty roster (值班表): who is planned onto which shift at which
//! station, and planned against actual — who signed on, and when. Flags are
//! computed from the roster line, the sign-ons and the clock, never stored.

use super::error::DomainError;
use super::shift::{ShiftDef, ShiftId};
use super::validate::{FieldError, normalize_input};
use serde::{Deserialize, Serialize};

/// Minutes a late arrival may be behind the start before it is flagged,
/// until an admin sets the station's own.
pub const DEFAULT_GRACE_MIN: i64 = 10;

/// Sign-ons count from this long before a shift starts (people come early
/// to take over), and a sign-on this close to the end belongs to the next
/// shift's people coming early, not to this one.
pub const EARLY_MIN: i64 = 60;

/// Longest name or post kept on a roster line, in characters.
pub const MAX_NAME: usize = 20;
pub const MAX_NOTE: usize = 200;

/// Someone on the roster. A person without an operator account (a teacher
/// who never logs in) keeps their name only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DutyPerson {
    pub operator_id: Option<String>,
    pub name: String,
}

impl DutyPerson {
    pub fn named(name: &str) -> DutyPerson {
        DutyPerson {
            operator_id: None,
            name: name.to_string(),
        }
    }

    pub fn operator(id: &str, name: &str) -> DutyPerson {
        DutyPerson {
            operator_id: Some(id.to_string()),
            name: name.to_string(),
        }
    }

    /// The same person as a sign-on: by account when both have one, else by name.
    pub fn is(&self, operator_id: &str, name: &str) -> bool {
        match &self.operator_id {
            Some(id) => id == operator_id,
            None => self.name == name,
        }
    }
}

/// A special-period post (003 篇8: 考场巡查, 周界) and who holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyPost {
    pub post: String,
    pub person: DutyPerson,
}

/// One roster line: a shift at a station and who is on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyPlan {
    pub shift: ShiftId,
    pub people: Vec<DutyPerson>,
    pub leader: Option<DutyPerson>,
    #[serde(default)]
    pub posts: Vec<DutyPost>,
    #[serde(default)]
    pub note: String,
}

impl DutyPlan {
    /// Everyone the line names: on duty, leading, or holding a post.
    pub fn everyone(&self) -> impl Iterator<Item = &DutyPerson> {
        self.people
            .iter()
            .chain(self.leader.iter())
            .chain(self.posts.iter().map(|p| &p.person))
    }

    pub fn names(&self) -> String {
        self.people
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// What planned against actual shows for one shift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DutyFlag {
    /// A planned person signed on `minutes` after the start (beyond the
    /// grace), or — still not here — has been missing that long.
    Late { who: String, minutes: i64 },
    /// A planned shift with nobody planned signed on by start + grace,
    /// and nobody since: once one of them signs on late, `Late` says it.
    Uncovered,
    /// Signed on, not planned.
    Unplanned { who: String },
    /// A shift with no roster line.
    NotPlanned,
    /// The shift started with the previous one not handed over.
    PreviousNotHandedOver,
}

impl DutyFlag {
    /// Whether the status bar counts it (the others show in the pane).
    /// For the status bar; a shift not handed over has its own alert there.
    pub fn alerts(&self) -> bool {
        !matches!(self, DutyFlag::NotPlanned | DutyFlag::PreviousNotHandedOver)
    }
}

/// What the status bar says of the current shift.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DutyAlerts {
    pub late: usize,
    pub uncovered: bool,
    pub unplanned: usize,
}

impl DutyAlerts {
    pub fn from_flags(flags: &[DutyFlag]) -> DutyAlerts {
        let mut a = DutyAlerts::default();
        for f in flags {
            match f {
                DutyFlag::Late { .. } => a.late += 1,
                DutyFlag::Uncovered => a.uncovered = true,
                DutyFlag::Unplanned { .. } => a.unplanned += 1,
                _ => {}
            }
        }
        a
    }
}

/// A sign-on at a station: operator id, name, time of the first login.
pub type Arrival = (String, String, i64);

/// Planned against actual for one shift. `window` is the shift's UTC start
/// and end; `arrivals` each operator's first sign-on at the station from
/// `EARLY_MIN` before the start; `handed_over_prev` whether the previous
/// shift was handed over (`None`: not known).
pub fn duty_flags(
    plan: Option<&DutyPlan>,
    window: (i64, i64),
    arrivals: &[Arrival],
    now_ms: i64,
    grace_min: i64,
    handed_over_prev: Option<bool>,
) -> Vec<DutyFlag> {
    let (start, end) = window;
    let due = start + grace_min.max(0) * 60_000;
    let mut out = vec![];
    if handed_over_prev == Some(false) && now_ms >= start {
        out.push(DutyFlag::PreviousNotHandedOver);
    }
    let Some(plan) = plan else {
        out.push(DutyFlag::NotPlanned);
        return out;
    };
    let counted = |ms: i64| ms >= start - EARLY_MIN * 60_000 && ms < end;
    let first_of = |p: &DutyPerson| {
        arrivals
            .iter()
            .filter(|(id, name, ms)| counted(*ms) && p.is(id, name))
            .map(|a| a.2)
            .min()
    };
    let mut anyone = false;
    let mut late = vec![];
    for p in &plan.people {
        match first_of(p) {
            Some(ms) => {
                anyone = true;
                if ms > due {
                    late.push(DutyFlag::Late {
                        who: p.name.clone(),
                        minutes: (ms - start) / 60_000,
                    });
                }
            }
            // Still missing once the grace is over: late by now.
            None if now_ms > due => late.push(DutyFlag::Late {
                who: p.name.clone(),
                minutes: (now_ms.min(end) - start) / 60_000,
            }),
            None => {}
        }
    }
    if !anyone && now_ms > due {
        // Nobody came: one flag says it, not one per missing person.
        out.push(DutyFlag::Uncovered);
    } else {
        out.extend(late);
    }
    // Sign-ons near the end are the next shift's people arriving early.
    let unplanned_until = (end - EARLY_MIN * 60_000).max(start + 1);
    let mut seen: Vec<&str> = vec![];
    for (id, name, ms) in arrivals {
        if !counted(*ms) || *ms >= unplanned_until || seen.contains(&id.as_str()) {
            continue;
        }
        if !plan.everyone().any(|p| p.is(id, name)) {
            seen.push(id);
            out.push(DutyFlag::Unplanned { who: name.clone() });
        }
    }
    out
}

fn trimmed(p: &DutyPerson) -> DutyPerson {
    DutyPerson {
        operator_id: p.operator_id.clone(),
        name: normalize_input(&p.name).trim().to_string(),
    }
}

/// A roster line as it will be stored: names trimmed, empty posts dropped,
/// checked against the station's shifts. Errors name the form's fields.
pub fn decide_plan(plan: &DutyPlan, defs: &[ShiftDef]) -> Result<DutyPlan, DomainError> {
    let mut errs: Vec<(&'static str, FieldError)> = vec![];
    if plan.shift.naive_date().is_none() {
        errs.push(("date", FieldError::DateFormat));
    }
    if !defs.iter().any(|d| d.key == plan.shift.shift) {
        errs.push(("shift", FieldError::Required));
    }
    let people: Vec<DutyPerson> = plan
        .people
        .iter()
        .map(trimmed)
        .filter(|p| !p.name.is_empty())
        .collect();
    let posts: Vec<DutyPost> = plan
        .posts
        .iter()
        .map(|p| DutyPost {
            post: normalize_input(&p.post).trim().to_string(),
            person: trimmed(&p.person),
        })
        .filter(|p| !p.post.is_empty() || !p.person.name.is_empty())
        .collect();
    let leader = plan
        .leader
        .as_ref()
        .map(trimmed)
        .filter(|p| !p.name.is_empty());
    if people.is_empty() && posts.is_empty() {
        errs.push(("people", FieldError::Required));
    }
    let too_long = |s: &str| s.chars().count() > MAX_NAME;
    if people.iter().any(|p| too_long(&p.name)) {
        errs.push(("people", FieldError::TooLong { max: MAX_NAME }));
    }
    for (i, a) in people.iter().enumerate() {
        if people[..i].iter().any(|b| b.name == a.name) {
            errs.push(("people", FieldError::Duplicate));
            break;
        }
    }
    if leader.as_ref().is_some_and(|p| too_long(&p.name)) {
        errs.push(("leader", FieldError::TooLong { max: MAX_NAME }));
    }
    if posts
        .iter()
        .any(|p| p.post.is_empty() || p.person.name.is_empty())
    {
        errs.push(("posts", FieldError::Required));
    }
    if posts
        .iter()
        .any(|p| too_long(&p.post) || too_long(&p.person.name))
    {
        errs.push(("posts", FieldError::TooLong { max: MAX_NAME }));
    }
    let note = normalize_input(&plan.note).trim().to_string();
    if note.chars().count() > MAX_NOTE {
        errs.push(("note", FieldError::TooLong { max: MAX_NOTE }));
    }
    if !errs.is_empty() {
        return Err(DomainError::Invalid(errs));
    }
    Ok(DutyPlan {
        shift: plan.shift.clone(),
        people,
        leader,
        posts,
        note,
    })
}

/// Splits a cell of names as offices type them: 、,，;；/ or spaces.
pub fn split_names(s: &str) -> Vec<String> {
    s.split(|c: char| "、,，;；/／".contains(c) || c.is_whitespace())
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

/// Reads "考场巡查:张三；周界:李四" (full-width colons too). A part without
/// a colon is an error naming it.
pub fn parse_posts(s: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = vec![];
    for part in s.split(|c: char| ";；,，、\n".contains(c)) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        match part.split_once([':', '：']) {
            Some((post, who)) if !post.trim().is_empty() && !who.trim().is_empty() => {
                out.push((post.trim().to_string(), who.trim().to_string()))
            }
            _ => return Err(part.to_string()),
        }
    }
    Ok(out)
}

/// "day=07:30-18:00,night=18:00-07:30" → shifts. Keys are short words;
/// times as `time::parse_hhmm` reads them.
pub fn parse_shift_defs(s: &str) -> Result<Vec<ShiftDef>, String> {
    let mut out: Vec<ShiftDef> = vec![];
    for part in s.split([',', '，', ';', '；']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let bad = || part.to_string();
        let (key, span) = part.split_once('=').ok_or_else(bad)?;
        let key = key.trim();
        let (a, b) = span.split_once(['-', '–', '~', '～']).ok_or_else(bad)?;
        let start = super::time::parse_hhmm(a.trim()).ok_or_else(bad)?;
        let end = super::time::parse_hhmm(b.trim()).ok_or_else(bad)?;
        let key_ok = !key.is_empty()
            && key.len() <= 16
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !key_ok || out.iter().any(|d| d.key == key) || start == end {
            return Err(bad());
        }
        out.push(ShiftDef::new(key, start, end));
    }
    if out.is_empty() {
        return Err(s.to_string());
    }
    Ok(out)
}

/// "day=07:30-18:00,night=18:00-07:30": what `parse_shift_defs` reads.
pub fn fmt_shift_defs(defs: &[ShiftDef]) -> String {
    defs.iter()
        .map(|d| {
            format!(
                "{}={}-{}",
                d.key,
                super::time::fmt_hhmm(d.start_min),
                super::time::fmt_hhmm(d.end_min)
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Shifts overlapping in time would put one moment in two shifts.
pub fn check_shift_defs(defs: &[ShiftDef]) -> Result<(), DomainError> {
    let mut minutes = vec![false; 24 * 60];
    for d in defs {
        for m in 0..d.len_min() {
            let i = ((d.start_min as i64 + m) % (24 * 60)) as usize;
            if minutes[i] {
                return Err(DomainError::Invalid(vec![(
                    "shifts",
                    FieldError::OutOfRange { min: 0, max: 1440 },
                )]));
            }
            minutes[i] = true;
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "duty_tests.rs"]
mod tests;
