//! The shift log (值班记录): what happened on a shift, what was done, whom
//! it was reported to. An entry that needs follow-up stays open — whatever
//! shift it was written in — until someone on duty closes it with its
//! outcome; open entries are shown to later shifts by reference, never
//! copied. Entries are corrected by new events with a reason (by the
//! writer, a duty leader or an admin); a closed entry changes only so.

use super::error::DomainError;
use super::event::Event;
use super::role::{Actor, Permission, require};
use super::shift::ShiftId;
use super::validate::{FieldError, normalize_input};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Incident,
    Safety,
    Visitor,
    Student,
    Repair,
    /// 上级指示: an instruction from above, kept in force until closed.
    Instruction,
    Other,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Incident,
        Category::Safety,
        Category::Visitor,
        Category::Student,
        Category::Repair,
        Category::Instruction,
        Category::Other,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Category::Incident => "incident",
            Category::Safety => "safety",
            Category::Visitor => "visitor",
            Category::Student => "student",
            Category::Repair => "repair",
            Category::Instruction => "instruction",
            Category::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.key() == s)
    }
}

/// What the entry form holds before it is saved; a patrol finding opens
/// the form from one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogDraft {
    /// When it happened; `None` is now.
    pub at_ms: Option<i64>,
    pub category: Option<Category>,
    pub what: String,
    pub action_taken: String,
    pub reported_to: String,
    pub needs_followup: bool,
}

/// The record's fields as a person typed them (entered or corrected whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogFields {
    pub at_ms: i64,
    pub category: Category,
    pub what: String,
    #[serde(default)]
    pub action_taken: String,
    #[serde(default)]
    pub reported_to: String,
    #[serde(default)]
    pub needs_followup: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntered {
    pub entry_id: String,
    /// The shift it was written in (the station's shift at writing time).
    pub shift: ShiftId,
    #[serde(flatten)]
    pub fields: LogFields,
}

/// The whole corrected record; the earlier version stays in the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogCorrected {
    pub entry_id: String,
    #[serde(flatten)]
    pub fields: LogFields,
    /// A corrected outcome, for an entry already closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogClosed {
    pub entry_id: String,
    pub outcome: String,
}

/// Follow-up state: none needed, open, or closed with an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FollowUp {
    #[default]
    None,
    Open,
    Closed,
}

impl FollowUp {
    pub fn key(self) -> &'static str {
        match self {
            FollowUp::None => "none",
            FollowUp::Open => "open",
            FollowUp::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> FollowUp {
        match s {
            "open" => FollowUp::Open,
            "closed" => FollowUp::Closed,
            _ => FollowUp::None,
        }
    }
}

/// One entry as it stands now (folded from its events).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub entry_id: String,
    pub origin: String,
    pub shift: ShiftId,
    pub fields: LogFields,
    pub state: FollowUp,
    pub outcome: Option<String>,
    /// Operator ids (the ledger turns them into names).
    pub written_by: String,
    pub written_ms: i64,
    pub closed_by: Option<String>,
    pub closed_ms: Option<i64>,
    pub corrections: i64,
}

impl LogEntry {
    pub fn is_open(&self) -> bool {
        self.state == FollowUp::Open
    }
}

pub const MAX_TEXT: usize = 500;

fn text(
    errs: &mut Vec<(&'static str, FieldError)>,
    field: &'static str,
    s: &str,
    required: bool,
) -> String {
    let v = normalize_input(s);
    if required && v.is_empty() {
        errs.push((field, FieldError::Required));
    } else if v.chars().count() > MAX_TEXT {
        errs.push((field, FieldError::TooLong { max: MAX_TEXT }));
    }
    v
}

/// The fields of a draft, checked: category and what happened are
/// required; texts are trimmed and bounded; the time may not be future.
pub fn check_fields(d: &LogDraft, now_ms: i64) -> Result<LogFields, DomainError> {
    let mut errs = vec![];
    let at_ms = d.at_ms.unwrap_or(now_ms);
    if at_ms > now_ms {
        errs.push(("at", FieldError::FutureTime));
    }
    if d.category.is_none() {
        errs.push(("category", FieldError::Required));
    }
    let what = text(&mut errs, "what", &d.what, true);
    let action_taken = text(&mut errs, "action_taken", &d.action_taken, false);
    let reported_to = text(&mut errs, "reported_to", &d.reported_to, false);
    if !errs.is_empty() {
        return Err(DomainError::Invalid(errs));
    }
    Ok(LogFields {
        at_ms,
        category: d.category.unwrap_or(Category::Other),
        what,
        action_taken,
        reported_to,
        needs_followup: d.needs_followup,
    })
}

/// A new entry: anyone on duty writes one, into the shift running now.
pub fn decide_enter(
    actor: &Actor,
    id: String,
    shift: ShiftId,
    d: &LogDraft,
    now_ms: i64,
) -> Result<LogEntered, DomainError> {
    require(actor.role, Permission::KeepShiftLog)?;
    Ok(LogEntered {
        entry_id: id,
        shift,
        fields: check_fields(d, now_ms)?,
    })
}

/// Closing a follow-up: anyone on duty, only while it is open, with the
/// outcome said.
pub fn decide_close(actor: &Actor, e: &LogEntry, outcome: &str) -> Result<LogClosed, DomainError> {
    require(actor.role, Permission::KeepShiftLog)?;
    if e.state != FollowUp::Open {
        return Err(DomainError::LogEntryNotOpen);
    }
    let mut errs = vec![];
    let outcome = text(&mut errs, "outcome", outcome, true);
    if !errs.is_empty() {
        return Err(DomainError::Invalid(errs));
    }
    Ok(LogClosed {
        entry_id: e.entry_id.clone(),
        outcome,
    })
}

/// Who may correct an entry: its writer, a duty leader or an admin.
pub fn may_correct(actor: &Actor, e: &LogEntry) -> bool {
    actor.id == e.written_by || super::role::allows(actor.role, Permission::CorrectShiftLog)
}

/// A correction: the whole record again with a reason. `outcome` is taken
/// only for a closed entry (an open one is closed, not corrected, to say
/// how it ended).
pub fn decide_correct(
    actor: &Actor,
    e: &LogEntry,
    d: &LogDraft,
    outcome: Option<&str>,
    reason: &str,
    now_ms: i64,
) -> Result<LogCorrected, DomainError> {
    if !may_correct(actor, e) {
        return Err(DomainError::Forbidden(Permission::CorrectShiftLog));
    }
    let reason = normalize_input(reason);
    if reason.is_empty() {
        return Err(DomainError::ReasonRequired);
    }
    let fields = check_fields(d, now_ms)?;
    let outcome = match (e.state, outcome) {
        (FollowUp::Closed, Some(o)) => {
            let mut errs = vec![];
            let o = text(&mut errs, "outcome", o, true);
            if !errs.is_empty() {
                return Err(DomainError::Invalid(errs));
            }
            (Some(&o) != e.outcome.as_ref()).then_some(o)
        }
        _ => None,
    };
    if fields == e.fields && outcome.is_none() {
        return Err(DomainError::NothingChanged);
    }
    Ok(LogCorrected {
        entry_id: e.entry_id.clone(),
        fields,
        outcome,
        reason,
    })
}

/// The draft a correction form starts from.
pub fn draft_of(e: &LogEntry) -> LogDraft {
    LogDraft {
        at_ms: Some(e.fields.at_ms),
        category: Some(e.fields.category),
        what: e.fields.what.clone(),
        action_taken: e.fields.action_taken.clone(),
        reported_to: e.fields.reported_to.clone(),
        needs_followup: e.fields.needs_followup,
    }
}

/// One event as the fold needs it.
pub struct LogIn<'a> {
    pub id: &'a str,
    pub origin: &'a str,
    pub actor: &'a str,
    pub at_ms: i64,
    pub ev: &'a Event,
}

/// Two stations closed one entry with different outcomes: both stay in the
/// log, the earliest is shown until a duty leader picks one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContestedClose {
    /// "shiftlog:<id>/close".
    pub key: String,
    pub events: Vec<String>,
    pub applied: String,
}

/// An entry's state from its events in log order. `chosen`: a duty
/// leader's decisions by conflict key. `None` without the entry itself.
pub fn fold(
    events: &[LogIn],
    chosen: &HashMap<String, String>,
) -> Option<(LogEntry, Option<ContestedClose>)> {
    let (first, ent) = events.iter().find_map(|e| match e.ev {
        Event::ShiftLogEntered(b) => Some((e, b)),
        _ => None,
    })?;
    let mut v = LogEntry {
        entry_id: ent.entry_id.clone(),
        origin: first.origin.to_string(),
        shift: ent.shift.clone(),
        fields: ent.fields.clone(),
        state: if ent.fields.needs_followup {
            FollowUp::Open
        } else {
            FollowUp::None
        },
        outcome: None,
        written_by: first.actor.to_string(),
        written_ms: first.at_ms,
        closed_by: None,
        closed_ms: None,
        corrections: 0,
    };
    let key = format!("shiftlog:{}/close", v.entry_id);
    let closes: Vec<&LogIn> = events
        .iter()
        .filter(|e| matches!(e.ev, Event::ShiftLogClosed(_)))
        .collect();
    let decided = chosen
        .get(&key)
        .and_then(|c| closes.iter().find(|e| e.id == c.as_str()));
    let close = decided.or(closes.first());
    for e in events {
        match e.ev {
            Event::ShiftLogCorrected(c) => {
                v.corrections += 1;
                v.fields = c.fields.clone();
                if let Some(o) = &c.outcome {
                    v.outcome = Some(o.clone());
                }
                if v.state == FollowUp::None && v.fields.needs_followup {
                    v.state = FollowUp::Open;
                } else if v.state == FollowUp::Open && !v.fields.needs_followup {
                    v.state = FollowUp::None;
                }
            }
            Event::ShiftLogClosed(c) if close.is_some_and(|x| x.id == e.id) => {
                v.state = FollowUp::Closed;
                v.outcome = Some(c.outcome.clone());
                v.closed_by = Some(e.actor.to_string());
                v.closed_ms = Some(e.at_ms);
            }
            _ => {}
        }
    }
    // Closes that say the same thing agree; differing outcomes are listed.
    let outcomes: Vec<&str> = closes
        .iter()
        .filter_map(|e| match e.ev {
            Event::ShiftLogClosed(c) => Some(c.outcome.as_str()),
            _ => None,
        })
        .collect();
    let contested = (outcomes.iter().any(|o| *o != outcomes[0])).then(|| ContestedClose {
        key,
        events: closes.iter().map(|e| e.id.to_string()).collect(),
        applied: close.map(|e| e.id.to_string()).unwrap_or_default(),
    });
    Some((v, contested))
}

#[cfg(test)]
#[path = "shift_log_tests.rs"]
mod tests;
