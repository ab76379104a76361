//! What the roll-call queries return: rounds, the roll, marks and their
//! history, follow-ups, open absences, the sick log, leave and departures.

use crate::domain::fact::Fact;
use crate::domain::rollcall::{Mark, RoundKind};
use crate::domain::roster::{BedRef, Student, Zone};

#[derive(Debug, Clone, PartialEq)]
pub struct RoundRow {
    pub id: String,
    pub kind: RoundKind,
    pub building: String,
    pub night: String,
    pub started_ms: i64,
    pub started_by: String,
    pub closed_ms: Option<i64>,
    pub forced_reason: Option<String>,
}

/// One line of the roll: a boarder, their bed and tonight's mark.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    pub student: Student,
    pub mark: Option<Mark>,
    pub late_at: Option<i64>,
    pub note: String,
    /// What the system noted with the mark; shown translated, before `note`.
    pub fact: Option<Fact>,
    /// Times the mark was changed after it was first set.
    pub changes: i64,
    /// An absence follow-up found the student.
    pub found: bool,
    pub followups: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BedCell {
    pub bed: BedRef,
    pub zone: Zone,
    pub student: Option<(String, String)>,
    pub mark: Option<Mark>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MarkChange {
    pub at_ms: i64,
    pub by: String,
    /// Who the mark was for (one, or a room or floor at once).
    pub students: Vec<String>,
    pub mark: Mark,
    pub late_at: Option<i64>,
    pub note: String,
    pub fact: Option<Fact>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FollowupRow {
    pub at_ms: i64,
    pub by: String,
    pub contacted: String,
    pub contact_name: String,
    pub finding: String,
    pub found_at: Option<i64>,
}

/// An absence nobody has resolved yet (for alerts and the handover).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAbsence {
    pub round_id: String,
    pub night: String,
    pub building: String,
    pub student_id: String,
    pub name: String,
    pub class: String,
    pub followups: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SickRow {
    pub id: String,
    pub student_id: String,
    pub name: String,
    pub symptoms: String,
    pub temperature: Option<String>,
    pub medicine: String,
    pub water: String,
    pub clinic: bool,
    pub guardian_told: bool,
    pub at_ms: i64,
    pub closed_ms: Option<i64>,
    pub notes: Vec<(i64, String, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LeaveRow {
    pub id: String,
    pub student_id: String,
    pub name: String,
    pub class: String,
    pub from_ms: i64,
    pub due_ms: i64,
    pub reason: String,
    pub approved_by: String,
    pub destination: String,
    pub returned_ms: Option<i64>,
    /// A gate departure (离校) rather than an approved leave.
    pub gate: bool,
}

impl LeaveRow {
    pub fn overdue(&self, now_ms: i64) -> bool {
        self.returned_ms.is_none() && now_ms > self.due_ms
    }
}
