//! Shift handover (交接班): the sheet composed from what is open now, and the
//! three signatures — the outgoing operator signs, the incoming one steps
//! through every section and accepts, the duty leader countersigns.
//!
//! Items are references to live records ("visit:…", "hazard:…") with their
//! state as it is now, never copies: an item stays on every sheet while its
//! record is open and leaves the sheet when it closes, so nothing is listed
//! twice and nothing is dropped. Signing seals the shift: the event names
//! the records the signer saw by their event ids and hashes them, so the
//! seal does not depend on which station's events arrived first.

use super::error::DomainError;
use super::event::{HandoverAccepted, HandoverCountersigned, HandoverSigned, Remark};
use super::role::{Actor, Permission, require};
use super::shift::ShiftId;
use super::validate::normalize_input;
use serde::{Deserialize, Serialize};

/// The sheet's sections, in the order the incoming operator steps through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Visitors,
    Boarders,
    Rollcall,
    Patrol,
    Hazards,
    Log,
    Note,
}

impl Section {
    pub const ALL: [Section; 7] = [
        Section::Visitors,
        Section::Boarders,
        Section::Rollcall,
        Section::Patrol,
        Section::Hazards,
        Section::Log,
        Section::Note,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Section::Visitors => "visitors",
            Section::Boarders => "boarders",
            Section::Rollcall => "rollcall",
            Section::Patrol => "patrol",
            Section::Hazards => "hazards",
            Section::Log => "log",
            Section::Note => "note",
        }
    }

    pub fn from_key(k: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.key() == k)
    }
}

/// What an item on the sheet is, as a code the screen translates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    OnSite,
    Overstay,
    Unaccounted,
    AbsentFollowup,
    Sick,
    LeaveDue,
    LeaveOverdue,
    GateOut,
    GateOverdue,
    RoundDone,
    RoundOpen,
    PatrolDone,
    PatrolOpen,
    PatrolMissed,
    HazardNew,
    HazardOverdue,
    HazardAwaitingVerify,
    LogOpen,
    Instruction,
}

impl ItemState {
    pub fn key(self) -> &'static str {
        match self {
            ItemState::OnSite => "on_site",
            ItemState::Overstay => "overstay",
            ItemState::Unaccounted => "unaccounted",
            ItemState::AbsentFollowup => "absent_followup",
            ItemState::Sick => "sick",
            ItemState::LeaveDue => "leave_due",
            ItemState::LeaveOverdue => "leave_overdue",
            ItemState::GateOut => "gate_out",
            ItemState::GateOverdue => "gate_overdue",
            ItemState::RoundDone => "round_done",
            ItemState::RoundOpen => "round_open",
            ItemState::PatrolDone => "patrol_done",
            ItemState::PatrolOpen => "patrol_open",
            ItemState::PatrolMissed => "patrol_missed",
            ItemState::HazardNew => "hazard_new",
            ItemState::HazardOverdue => "hazard_overdue",
            ItemState::HazardAwaitingVerify => "hazard_awaiting_verify",
            ItemState::LogOpen => "log_open",
            ItemState::Instruction => "instruction",
        }
    }

    /// Needs someone's attention (drawn in the warning colour).
    pub fn is_warning(self) -> bool {
        matches!(
            self,
            ItemState::Overstay
                | ItemState::Unaccounted
                | ItemState::LeaveOverdue
                | ItemState::GateOverdue
                | ItemState::PatrolMissed
                | ItemState::HazardOverdue
        )
    }
}

/// One line of the sheet: a live record by reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetItem {
    pub section: Section,
    /// The record it stands for, e.g. "hazard:0193…".
    pub entity: String,
    pub state: ItemState,
    /// Who or what, as recorded (a name, a place).
    pub label: String,
    /// More, as recorded (class, building, a description).
    pub detail: String,
    /// When the record opened (or when it is due, for dues).
    pub since_ms: i64,
    /// Opened before this shift began: carried from an earlier shift.
    pub carried: bool,
}

impl SheetItem {
    pub fn new(
        section: Section,
        entity: String,
        state: ItemState,
        label: &str,
        detail: &str,
        since_ms: i64,
    ) -> SheetItem {
        SheetItem {
            section,
            entity,
            state,
            label: label.to_string(),
            detail: detail.to_string(),
            since_ms,
            carried: false,
        }
    }
}

/// Puts the items in section order, each record once (the first section
/// that claims it keeps it), and marks those opened before `shift_start`.
pub fn compose(mut items: Vec<SheetItem>, shift_start_ms: i64) -> Vec<SheetItem> {
    items.sort_by(|a, b| {
        (
            a.section,
            a.state.is_warning() as u8 ^ 1,
            a.since_ms,
            &a.entity,
        )
            .cmp(&(
                b.section,
                b.state.is_warning() as u8 ^ 1,
                b.since_ms,
                &b.entity,
            ))
    });
    let mut seen = std::collections::HashSet::new();
    items.retain(|i| seen.insert(i.entity.clone()));
    for i in &mut items {
        i.carried = i.since_ms < shift_start_ms;
    }
    items
}

/// Where a handover stands, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HandoverState {
    /// (operator id, ms, event id) of the outgoing signature.
    pub signed: Option<(String, i64, String)>,
    pub accepted: Option<(String, i64)>,
    pub countersigned: Option<(String, i64)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Open,
    Signed,
    Accepted,
    Countersigned,
}

impl HandoverState {
    pub fn stage(&self) -> Stage {
        match (&self.signed, &self.accepted, &self.countersigned) {
            (None, _, _) => Stage::Open,
            (Some(_), None, _) => Stage::Signed,
            (Some(_), Some(_), None) => Stage::Accepted,
            (Some(_), Some(_), Some(_)) => Stage::Countersigned,
        }
    }
}

/// Longest free note ("watch for / if … then") and remark, in characters.
pub const NOTE_MAX: usize = 500;

fn note_text(s: &str) -> Result<String, DomainError> {
    let t = normalize_input(s);
    if t.chars().count() > NOTE_MAX {
        return Err(DomainError::Invalid(vec![(
            "note",
            super::validate::FieldError::TooLong { max: NOTE_MAX },
        )]));
    }
    Ok(t)
}

/// The outgoing operator signs: once per shift.
pub fn decide_sign(
    actor: &Actor,
    state: &HandoverState,
    shift: &ShiftId,
    note: &str,
    items: &[SheetItem],
    sealed: Vec<String>,
    seal: String,
) -> Result<HandoverSigned, DomainError> {
    require(actor.role, Permission::SignHandover)?;
    if state.signed.is_some() {
        return Err(DomainError::HandoverStep);
    }
    Ok(HandoverSigned {
        shift: shift.clone(),
        note: note_text(note)?,
        items: items.iter().map(|i| i.entity.clone()).collect(),
        states: items.iter().map(|i| i.state.key().to_string()).collect(),
        sealed,
        seal,
    })
}

/// The incoming operator accepts: after the outgoing one signed, never the
/// same person, with every section acknowledged.
pub fn decide_accept(
    actor: &Actor,
    state: &HandoverState,
    shift: &ShiftId,
    acknowledged: &[Section],
    remarks: Vec<Remark>,
) -> Result<HandoverAccepted, DomainError> {
    require(actor.role, Permission::SignHandover)?;
    let Some((signer, _, _)) = &state.signed else {
        return Err(DomainError::HandoverStep);
    };
    if state.accepted.is_some() {
        return Err(DomainError::HandoverStep);
    }
    if *signer == actor.id {
        return Err(DomainError::OwnHandover);
    }
    let missing = Section::ALL
        .iter()
        .filter(|s| !acknowledged.contains(s))
        .count();
    if missing > 0 {
        return Err(DomainError::Unacknowledged(missing));
    }
    let mut remarks: Vec<Remark> = remarks
        .into_iter()
        .map(|r| {
            Ok(Remark {
                section: r.section,
                text: note_text(&r.text)?,
            })
        })
        .collect::<Result<_, DomainError>>()?;
    remarks.retain(|r| !r.text.is_empty());
    Ok(HandoverAccepted {
        shift: shift.clone(),
        acknowledged: Section::ALL.iter().map(|s| s.key().to_string()).collect(),
        remarks,
    })
}

/// The duty leader countersigns a handover that was signed and accepted —
/// now or later, from any station.
pub fn decide_countersign(
    actor: &Actor,
    state: &HandoverState,
    shift: &ShiftId,
    note: &str,
) -> Result<HandoverCountersigned, DomainError> {
    require(actor.role, Permission::Countersign)?;
    if state.stage() != Stage::Accepted {
        return Err(DomainError::HandoverStep);
    }
    Ok(HandoverCountersigned {
        shift: shift.clone(),
        note: note_text(note)?,
    })
}

/// The seal over the records the signer saw: blake3 over each event id with
/// its own hash, in id order (so arrival order never changes it).
pub fn seal_hash(events: &[(String, [u8; 32])]) -> String {
    let mut sorted: Vec<&(String, [u8; 32])> = events.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut h = blake3::Hasher::new();
    for (id, hash) in sorted {
        h.update(id.as_bytes());
        h.update(b"\0");
        h.update(hash);
    }
    h.finalize().to_hex().to_string()
}

/// Kinds that change a record after the fact: one of these on a sealed
/// record, not itself in the seal, is an amendment shown with who and why.
pub const AMENDING_KINDS: &[&str] = &[
    "visit.corrected",
    "round.marked",
    "patrol.checked",
    "hazard.reopened",
    "shiftlog.corrected",
];

#[cfg(test)]
#[path = "handover_tests.rs"]
mod tests;
