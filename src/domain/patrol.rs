//! Night patrol (夜间巡查): checkpoints, routes and their schedules, and the
//! commands that start, check in and close a round. What a round's state
//! means (missed, late, too fast) is computed in `patrol_status`, never
//! stored.

use super::error::DomainError;
use super::role::{Actor, Permission, require};
use super::time::{fmt_hhmm, parse_hhmm};
use super::validate::{FieldError, check_text, normalize_input};
use serde::{Deserialize, Serialize};

/// Longest checkpoint code: a card's barcode stays readable at label width.
pub const CODE_MAX: usize = 16;
/// Most checklist items on one checkpoint (a short list, read at 2 a.m.).
pub const CHECKLIST_MAX: usize = 12;

/// A place a patroller must reach, with what to look at there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointData {
    pub name: String,
    /// Building or area, e.g. "男生宿舍1号楼".
    pub place: String,
    /// Printed on the card as a Code 128 barcode; what a scanner types.
    pub code: String,
    pub checklist: Vec<String>,
    pub active: bool,
}

/// Whether the checkpoints of a route must be reached in their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteOrder {
    Ordered,
    AnyOrder,
}

/// When a route's rounds are due. Clock times are minutes after midnight;
/// a time before noon belongs to the night that began the evening before,
/// so 22:00, 00:30 and 03:00 are one night's rounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Schedule {
    /// Fixed times, e.g. 22:00, 00:30, 03:00.
    Fixed { times: Vec<u32> },
    /// 不定时: `rounds` rounds at any time between `from` and `to`.
    Irregular { rounds: u32, from: u32, to: u32 },
    /// Periodic inspections: one round on a weekday (1 = Monday … 7).
    Weekly { weekday: u32, at: u32 },
    /// One round on a day of the month (1–28, so every month has it).
    Monthly { day: u32, at: u32 },
}

impl Schedule {
    /// The form typed in the route editor and the import file:
    /// `22:00 00:30 03:00` · `3@22:00-05:00` (不定时) · `W1@09:00` (weekly,
    /// Monday) · `M1@09:00` (monthly, the 1st). Commas and full-width
    /// punctuation are accepted.
    pub fn parse(s: &str) -> Result<Schedule, FieldError> {
        let s = super::validate::fold_full_width(s).replace(['，', '、', ';'], ",");
        let s = s.trim();
        if s.is_empty() {
            return Err(FieldError::Required);
        }
        let bad = FieldError::ScheduleFormat;
        if let Some((head, tail)) = s.split_once('@') {
            let head = head.trim();
            if let Some(w) = head.strip_prefix(['W', 'w']) {
                let weekday = w.trim().parse::<u32>().map_err(|_| bad.clone())?;
                let at = parse_hhmm(tail).ok_or(bad.clone())?;
                return (1..=7)
                    .contains(&weekday)
                    .then_some(Schedule::Weekly { weekday, at })
                    .ok_or(bad);
            }
            if let Some(d) = head.strip_prefix(['M', 'm']) {
                let day = d.trim().parse::<u32>().map_err(|_| bad.clone())?;
                let at = parse_hhmm(tail).ok_or(bad.clone())?;
                return (1..=28)
                    .contains(&day)
                    .then_some(Schedule::Monthly { day, at })
                    .ok_or(bad);
            }
            let rounds = head.parse::<u32>().map_err(|_| bad.clone())?;
            let (from, to) = tail.split_once(['-', '~', '至']).ok_or(bad.clone())?;
            let from = parse_hhmm(from).ok_or(bad.clone())?;
            let to = parse_hhmm(to).ok_or(bad.clone())?;
            if !(1..=12).contains(&rounds) || night_minute(from) >= night_minute(to) {
                return Err(bad);
            }
            return Ok(Schedule::Irregular { rounds, from, to });
        }
        let mut times = vec![];
        for part in s.split([',', ' ']).filter(|p| !p.trim().is_empty()) {
            times.push(parse_hhmm(part).ok_or(bad.clone())?);
        }
        if times.is_empty() || times.len() > 24 {
            return Err(bad);
        }
        times.sort_by_key(|t| night_minute(*t));
        times.dedup();
        Ok(Schedule::Fixed { times })
    }

    /// The form `parse` reads back.
    pub fn text(&self) -> String {
        match self {
            Schedule::Fixed { times } => times
                .iter()
                .map(|t| fmt_hhmm(*t))
                .collect::<Vec<_>>()
                .join(" "),
            Schedule::Irregular { rounds, from, to } => {
                format!("{rounds}@{}-{}", fmt_hhmm(*from), fmt_hhmm(*to))
            }
            Schedule::Weekly { weekday, at } => format!("W{weekday}@{}", fmt_hhmm(*at)),
            Schedule::Monthly { day, at } => format!("M{day}@{}", fmt_hhmm(*at)),
        }
    }
}

/// Minutes from the evening's noon: orders one night's clock times
/// (22:00 before 00:30).
pub fn night_minute(t: u32) -> u32 {
    if t < 12 * 60 { t + 24 * 60 } else { t }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteData {
    pub name: String,
    /// Checkpoint ids, in walking order.
    pub checkpoints: Vec<String>,
    pub order: RouteOrder,
    pub schedule: Schedule,
    /// The least time a patroller needs between two checkpoints; check-ins
    /// closer together are flagged (codes typed from a list, not walked).
    pub min_walk_min: u32,
    /// How long a round may take: from its due time (or its start, if
    /// unscheduled) until it should be closed.
    pub window_min: u32,
    /// Started later than this after its due time, a round is late.
    pub late_min: u32,
    /// A special-period route (exam nights, 003 篇8) names one person
    /// responsible for each night.
    pub named_person: bool,
    pub active: bool,
}

/// Who may do what on patrols. Everyone on duty patrols (guards above all);
/// admins keep the checkpoints and routes; duty leaders name the person
/// for a special-period night.
pub fn require_patrol(actor: &Actor) -> Result<(), DomainError> {
    require(actor.role, Permission::Patrol)
}

/// Checks and tidies a checkpoint as typed (admin only).
pub fn decide_checkpoint(actor: &Actor, d: &CheckpointData) -> Result<CheckpointData, DomainError> {
    require(actor.role, Permission::ManagePatrol)?;
    check_checkpoint(d)
}

/// A checkpoint's fields tidied, or every field in error (an import checks
/// each row this way before anything is written).
pub fn check_checkpoint(d: &CheckpointData) -> Result<CheckpointData, DomainError> {
    let mut errs = vec![];
    let name = check_text(&d.name, 40)
        .map_err(|e| errs.push(("name", e)))
        .ok();
    let place = check_text(&d.place, 40)
        .map_err(|e| errs.push(("place", e)))
        .ok();
    let code = check_code(&d.code).map_err(|e| errs.push(("code", e))).ok();
    let checklist: Vec<String> = d
        .checklist
        .iter()
        .map(|s| normalize_input(s))
        .filter(|s| !s.is_empty())
        .collect();
    if checklist.len() > CHECKLIST_MAX {
        errs.push((
            "checklist",
            FieldError::OutOfRange {
                min: 0,
                max: CHECKLIST_MAX as i64,
            },
        ));
    } else if checklist.iter().any(|s| s.chars().count() > 40) {
        errs.push(("checklist", FieldError::TooLong { max: 40 }));
    }
    match (name, place, code) {
        (Some(name), Some(place), Some(code)) if errs.is_empty() => Ok(CheckpointData {
            name,
            place,
            code,
            checklist,
            active: d.active,
        }),
        _ => Err(DomainError::Invalid(errs)),
    }
}

/// A checkpoint code as a scanner types it back: Code 128 prints any
/// printable ASCII, but a short code of letters, digits and dashes reads
/// the same when a guard types it from the card. Upper-cased, so `b1-03`
/// typed is `B1-03` printed.
pub fn check_code(s: &str) -> Result<String, FieldError> {
    let v = normalize_input(s).to_ascii_uppercase();
    if v.is_empty() {
        return Err(FieldError::Required);
    }
    if v.chars().count() > CODE_MAX {
        return Err(FieldError::TooLong { max: CODE_MAX });
    }
    if !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(FieldError::CodeFormat);
    }
    Ok(v)
}

/// Checks a route as set up (admin only). `known` says whether a
/// checkpoint id exists and is active.
pub fn decide_route(
    actor: &Actor,
    d: &RouteData,
    known: impl Fn(&str) -> bool,
) -> Result<RouteData, DomainError> {
    require(actor.role, Permission::ManagePatrol)?;
    let mut errs = vec![];
    let name = check_text(&d.name, 40)
        .map_err(|e| errs.push(("name", e)))
        .ok();
    if d.checkpoints.is_empty() {
        errs.push(("checkpoints", FieldError::Required));
    } else if d.checkpoints.iter().any(|c| !known(c)) {
        errs.push(("checkpoints", FieldError::UnknownCheckpoint));
    }
    let mut seen = std::collections::HashSet::new();
    if !d.checkpoints.iter().all(|c| seen.insert(c)) {
        errs.push(("checkpoints", FieldError::Duplicate));
    }
    for (field, v, max) in [
        ("min_walk", d.min_walk_min, 60),
        ("window", d.window_min, 12 * 60),
        ("late", d.late_min, 6 * 60),
    ] {
        let lo = if field == "window" { 5 } else { 0 };
        if !(lo..=max).contains(&v) {
            errs.push((
                field,
                FieldError::OutOfRange {
                    min: lo as i64,
                    max: max as i64,
                },
            ));
        }
    }
    match name {
        Some(name) if errs.is_empty() => Ok(RouteData { name, ..d.clone() }),
        _ => Err(DomainError::Invalid(errs)),
    }
}

/// Naming the person responsible for one night of a special-period route:
/// a duty leader's or an admin's decision.
pub fn decide_assign(actor: &Actor, person: &str) -> Result<String, DomainError> {
    require(actor.role, Permission::AssignPatrol)?;
    check_text(person, 20).map_err(|e| DomainError::Invalid(vec![("person", e)]))
}

/// Starting a round. A route that names a person per night cannot be
/// walked on a night nobody was named for: the seed's "巡查责任人" is the
/// point of such a route.
pub fn decide_start(
    actor: &Actor,
    route_active: bool,
    named_person: bool,
    assigned: Option<&str>,
) -> Result<(), DomainError> {
    require_patrol(actor)?;
    if !route_active {
        return Err(DomainError::NotFound);
    }
    if named_person && assigned.is_none() {
        return Err(DomainError::PersonRequired);
    }
    Ok(())
}

/// What the patroller found at a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum Outcome {
    Ok,
    /// The checklist items that failed, and what the patroller saw.
    Finding {
        failed: Vec<String>,
        note: String,
    },
}

impl Outcome {
    pub fn is_finding(&self) -> bool {
        matches!(self, Outcome::Finding { .. })
    }
    pub fn key(&self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Finding { .. } => "finding",
        }
    }
}

/// How a check-in was made: the ledger and the too-fast rule read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The code scanned or typed, then Enter.
    Code,
    /// Picked from the route's list on screen.
    Picked,
    /// Entered later from a paper card, with the time given.
    Later,
}

impl Method {
    pub fn key(self) -> &'static str {
        match self {
            Method::Code => "code",
            Method::Picked => "picked",
            Method::Later => "later",
        }
    }
}

/// A later entry may be back-dated by at most this much.
pub const LATER_MAX_MS: i64 = 12 * 3_600_000;

/// Checking in a checkpoint. The round must be open and the checkpoint on
/// it; a finding names at least one failed item or says what was seen; a
/// time given for "entered later" is in the past and within the night.
pub fn decide_check(
    actor: &Actor,
    closed: bool,
    on_route: bool,
    outcome: &Outcome,
    claimed_ms: i64,
    now_ms: i64,
) -> Result<Outcome, DomainError> {
    require_patrol(actor)?;
    if closed {
        return Err(DomainError::RoundClosed);
    }
    if !on_route {
        return Err(DomainError::NotOnRoute);
    }
    if claimed_ms > now_ms {
        return Err(DomainError::Invalid(vec![("time", FieldError::FutureTime)]));
    }
    if now_ms - claimed_ms > LATER_MAX_MS {
        return Err(DomainError::Invalid(vec![(
            "time",
            FieldError::OutOfRange {
                min: 0,
                max: LATER_MAX_MS / 3_600_000,
            },
        )]));
    }
    match outcome {
        Outcome::Ok => Ok(Outcome::Ok),
        Outcome::Finding { failed, note } => {
            let note = normalize_input(note);
            if failed.is_empty() && note.is_empty() {
                return Err(DomainError::Invalid(vec![("note", FieldError::Required)]));
            }
            if note.chars().count() > 200 {
                return Err(DomainError::Invalid(vec![(
                    "note",
                    FieldError::TooLong { max: 200 },
                )]));
            }
            Ok(Outcome::Finding {
                failed: failed.clone(),
                note,
            })
        }
    }
}

/// Closing a round: with checkpoints missed, a reason is required and kept.
pub fn decide_close(
    actor: &Actor,
    closed: bool,
    missed: &[String],
    reason: &str,
) -> Result<Option<String>, DomainError> {
    require_patrol(actor)?;
    if closed {
        return Err(DomainError::RoundClosed);
    }
    let reason = normalize_input(reason);
    if missed.is_empty() {
        return Ok((!reason.is_empty()).then_some(reason));
    }
    if reason.is_empty() {
        return Err(DomainError::ReasonRequired);
    }
    Ok(Some(reason))
}

/// The hazard category a failed checklist item most likely belongs to (the
/// hazards pane prefills it). Keys: fire, electrical, gas, water, building,
/// food, dorm_appliance, security, other. Banned appliances are looked for
/// before electricity, gas before water (a gas leak is gas), so the most
/// specific rule wins.
pub fn category_guess(checklist_item: &str) -> &'static str {
    let s = checklist_item.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| s.contains(w));
    if has(&[
        "违章电器",
        "違章電器",
        "热得快",
        "熱得快",
        "banned appliance",
        "immersion heater",
    ]) {
        "dorm_appliance"
    } else if has(&[
        "消防",
        "灭火器",
        "滅火器",
        "安全出口",
        "fire",
        "extinguisher",
    ]) {
        "fire"
    } else if has(&["燃气", "燃氣", "煤气", "煤氣", "gas"]) {
        "gas"
    } else if has(&["食堂", "食品", "canteen", "food"]) {
        "food"
    } else if has(&[
        "门锁",
        "門鎖",
        "监控",
        "監控",
        "围墙",
        "圍牆",
        "lock",
        "cctv",
        "camera",
        "perimeter wall",
    ]) {
        "security"
    } else if has(&["电", "電", "插座", "电线", "socket", "wiring", "electric"]) {
        "electrical"
    } else if has(&["水", "漏", "water", "leak"]) {
        "water"
    } else if has(&[
        "门窗", "門窗", "墙", "牆", "楼梯", "樓梯", "door", "window", "wall", "stair",
    ]) {
        "building"
    } else {
        "other"
    }
}

#[cfg(test)]
#[path = "patrol_tests.rs"]
pub(crate) mod tests;
