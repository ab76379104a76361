//! The events of the log. Each kind has a body stored as JSON verbatim; the
//! envelope (origin, seq, hlc, hash) is the store's business.

use super::duty::DutyPlan;
use super::fact::Fact;
use super::hazard::{
    HazardAssigned, HazardClosed, HazardRectified, HazardReopened, HazardReported, HazardVerified,
};
use super::patrol::{CheckpointData, Method, Outcome, RouteData};
use super::role::Role;
use super::rollcall::{Mark, RoundKind};
use super::roster::{BedRef, StaffMember, StudentData, Zone};
use super::shift::ShiftDef;
use super::shift_log::{LogClosed, LogCorrected, LogEntered};
use super::visit::{VisitDetails, WatchCheck};
use super::watchlist::WatchEntryData;
use serde::{Deserialize, Serialize};

/// Bumped when a body's shape changes; readers keep old shapes. The version
/// is per kind (see `Event::schema`): this is the one most kinds are at.
pub const SCHEMA_VERSION: i64 = 1;

/// `student.left` and `round.marked` from version 2 on carry what the system
/// wrote as a `Fact`; at version 1 their text was written already translated,
/// and is shown as it stands.
pub const FACT_SCHEMA_VERSION: i64 = 2;

/// Visit bodies from version 3 on are hashed with their personal fields
/// (`visit::PERSONAL_FIELDS`) as a salted digest, so a retention purge can
/// erase the fields and every chain still verifies.
pub const PERSONAL_SCHEMA_VERSION: i64 = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StationKind {
    Gate,
    Dorm,
    Office,
}

impl StationKind {
    pub const ALL: [StationKind; 3] = [StationKind::Gate, StationKind::Dorm, StationKind::Office];
    pub fn key(&self) -> &'static str {
        match self {
            StationKind::Gate => "gate",
            StationKind::Dorm => "dorm",
            StationKind::Office => "office",
        }
    }
    pub fn parse(s: &str) -> Option<StationKind> {
        StationKind::ALL.into_iter().find(|k| k.key() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StationCreated {
    pub station_id: String,
    /// The school all of its stations share (empty in early logs).
    #[serde(default)]
    pub school_id: String,
    pub school: String,
    pub name: String,
    pub kind: StationKind,
    pub utc_offset_min: i32,
}

/// An admin takes a station out of service (replaced, broken, gone): the
/// others stop keeping for it what it has not yet received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StationRetired {
    pub station_id: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatorAdded {
    pub operator_id: String,
    pub name: String,
    pub role: Role,
    pub pin_hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatorChanged {
    pub operator_id: String,
    pub role: Role,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatorPinSet {
    pub operator_id: String,
    pub pin_hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatorLoggedIn {
    pub operator_id: String,
}

/// A wrong PIN was typed for this operator (by whoever was at the desk:
/// the event names the station, not the operator).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatorPinFailed {
    pub operator_id: String,
}

/// The wrong PIN that locked the operator out, until `until_ms`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatorLockedOut {
    pub operator_id: String,
    pub until_ms: i64,
}

/// A correct PIN after wrong ones: the count starts again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatorPinPassed {
    pub operator_id: String,
}

/// An admin lifted the lockout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatorUnlocked {
    pub operator_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingChanged {
    pub key: String,
    pub value: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitRegistered {
    pub visit_id: String,
    pub details: VisitDetails,
    pub time_in_ms: i64,
    /// Set when the guard entered a time other than "now".
    pub time_in_reason: Option<String>,
    pub watch: Option<WatchCheck>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitDenied {
    pub visit_id: String,
    pub details: VisitDetails,
    pub at_ms: i64,
    pub watch: WatchCheck,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitSignedOut {
    pub visit_id: String,
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitCorrected {
    pub visit_id: String,
    /// The whole corrected record; the previous version stays in the log.
    pub details: VisitDetails,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchlistAdded {
    pub entry_id: String,
    pub entry: WatchEntryData,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchlistRemoved {
    pub entry_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentEnrolled {
    pub student_id: String,
    pub data: StudentData,
    pub bed: Option<BedRef>,
}

/// The whole new record (guardians included) after a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentUpdated {
    pub student_id: String,
    pub data: StudentData,
    /// The record's version the change was made to: the id of its latest
    /// enrolment or change at the station then. Two stations changing the
    /// same version differently is a contradiction for review. Absent from
    /// events written before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub based_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentMoved {
    pub student_id: String,
    pub bed: Option<BedRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentLeft {
    pub student_id: String,
    /// What a person typed (or, at schema 1, the translated system reason).
    pub reason: String,
    /// Why the system removed the student, when it was the system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fact: Option<Fact>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BedAdded {
    pub bed: BedRef,
    pub zone: Zone,
}

impl BedAdded {
    fn key(&self) -> String {
        self.bed.key()
    }
}

/// A staff member's whole record (added, or changed later).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffSet {
    pub staff_id: String,
    pub staff: StaffMember,
}

/// A duty leader's decision on a contradiction between stations: which of
/// the competing events stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictResolved {
    /// "visit:<id>/sign_out", "round:<id>/<student>", "round:<id>/close".
    pub key: String,
    /// The event id chosen.
    pub chosen: String,
    pub note: String,
}

/// Personal data past the school's retention period erased from these
/// visits (PIPL): each station erases the fields from its copy of their
/// events and projections; the visits themselves, and so the counts, stay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitsPurged {
    pub purge_id: String,
    /// Visits that ended before this instant were due.
    pub cutoff_ms: i64,
    pub visit_ids: Vec<String>,
}

/// How a backup was sealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackupSeal {
    /// A plain copy (`--out NAME.db`, or into `backups/`).
    Plain,
    Passphrase,
    SchoolKey,
}

/// An admin took a whole copy of the database (every record, the school
/// key): who and when are the envelope's; how it was sealed and its size
/// here. Not the file's name: a name typed for a stick can name anyone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupMade {
    pub backup_id: String,
    pub sealed: BackupSeal,
    pub bytes: u64,
}

/// An audit note: which file brought which changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterImported {
    pub import_id: String,
    pub file: String,
    pub new: usize,
    pub moved: usize,
    pub left: usize,
    pub changed: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundStarted {
    pub round_id: String,
    pub kind: RoundKind,
    pub building: String,
    /// The local date of the evening the night began (YYYY-MM-DD).
    pub night: String,
}

/// One mark for one or more boarders: "the rest of room 305 are present"
/// is one act of the teacher, so it is one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundMarked {
    pub round_id: String,
    pub student_ids: Vec<String>,
    pub mark: Mark,
    pub late_at_ms: Option<i64>,
    /// What the teacher typed (or, at schema 1, the translated system note).
    pub note: String,
    /// Why the system marked it, when it was the system (leave, gate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fact: Option<Fact>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundClosed {
    pub round_id: String,
    /// Set when a duty leader closed it with boarders unaccounted.
    pub forced_reason: Option<String>,
    pub unaccounted: Vec<String>,
}

/// Who was called about an absence, what was learnt, and when the student
/// was found (if they were).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbsenceFollowup {
    pub followup_id: String,
    pub round_id: String,
    pub student_id: String,
    /// guardian / head_teacher / other
    pub contacted: String,
    pub contact_name: String,
    pub finding: String,
    pub found_at_ms: Option<i64>,
    /// Where the boarder was found. Absent from events recorded before
    /// the follow-up asked, and from those where nobody was found yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found_where: Option<crate::domain::rollcall::FoundWhere>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SickRecorded {
    pub sick_id: String,
    pub student_id: String,
    pub symptoms: String,
    pub temperature: Option<String>,
    pub medicine: String,
    pub water: String,
    pub clinic: bool,
    pub guardian_told: bool,
}

/// A later note through the night; `closed` when the student is well.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SickFollowup {
    pub sick_id: String,
    pub note: String,
    pub temperature: Option<String>,
    pub closed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaveGranted {
    pub leave_id: String,
    pub student_id: String,
    pub from_ms: i64,
    pub due_ms: i64,
    pub reason: String,
    pub approved_by: String,
    pub destination: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaveReturned {
    pub leave_id: String,
    pub at_ms: i64,
}

/// A boarder leaving through the gate (离校) with someone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateDeparted {
    pub departure_id: String,
    pub student_id: String,
    pub with_name: String,
    pub relation: String,
    pub phone: Option<String>,
    /// On the roster's pick-up list.
    pub authorised: bool,
    /// The duty leader who approved someone not on the list.
    pub approved_by: Option<String>,
    pub due_ms: Option<i64>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateReturned {
    pub departure_id: String,
    pub at_ms: i64,
}

/// A checkpoint's whole record (added, changed or retired).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckpointSet {
    pub checkpoint_id: String,
    pub data: CheckpointData,
}

/// A route's whole record (added, changed or retired).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteSet {
    pub route_id: String,
    pub data: RouteData,
}

/// The person responsible for one night of a special-period route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteAssigned {
    pub route_id: String,
    /// The local date of the evening the night began (YYYY-MM-DD).
    pub night: String,
    pub person: String,
}

/// A patrol round begun. The route's checkpoints and rules are copied in,
/// so a later edit of the route never rewrites what this round was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatrolStarted {
    pub round_id: String,
    pub route_id: String,
    pub night: String,
    /// The due time it was started for; none for an unscheduled round.
    pub slot_ms: Option<i64>,
    /// When it should be done by.
    pub end_ms: i64,
    pub checkpoints: Vec<String>,
    pub ordered: bool,
    pub min_walk_min: u32,
}

/// One checkpoint checked in: OK or a finding. `at_ms` is when the
/// patroller was there (given for an entry made later), `entered_ms` when
/// it was entered; both are kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatrolChecked {
    pub round_id: String,
    pub check_id: String,
    pub checkpoint_id: String,
    pub outcome: Outcome,
    pub at_ms: i64,
    pub entered_ms: i64,
    pub method: Method,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatrolClosed {
    pub round_id: String,
    /// Checkpoints not checked in when it closed.
    pub missed: Vec<String>,
    /// Required when anything was missed.
    pub reason: Option<String>,
}

/// A roster line (值班表) set, or removed (`removed`), whole: the latest
/// in log order stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DutyPlanned {
    pub plan: DutyPlan,
    #[serde(default)]
    pub removed: bool,
}

impl DutyPlanned {
    pub fn key(&self) -> String {
        self.plan.shift.key()
    }
}

/// A station's shift times and the grace before an arrival is late.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DutyShiftsSet {
    pub station_id: String,
    pub shifts: Vec<ShiftDef>,
    pub grace_min: i64,
}

/// The outgoing operator's signature on a shift: the items listed (by
/// reference), the free note, and the seal over the records seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoverSigned {
    pub shift: crate::domain::shift::ShiftId,
    pub note: String,
    /// The records on the sheet ("visit:…"), each once: references only,
    /// so a visitor's name erased by the retention purge stays erased.
    pub items: Vec<String>,
    /// Each item's state as signed (`ItemState` keys), in `items` order.
    #[serde(default)]
    pub states: Vec<String>,
    /// Ids of the events the seal covers.
    pub sealed: Vec<String>,
    /// `handover::seal_hash` over those events.
    pub seal: String,
}

impl HandoverSigned {
    fn key(&self) -> String {
        self.shift.key()
    }
}

/// A question or remark the incoming operator added to one section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Remark {
    pub section: String,
    pub text: String,
}

/// The incoming operator's acceptance, every section acknowledged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoverAccepted {
    pub shift: crate::domain::shift::ShiftId,
    pub acknowledged: Vec<String>,
    #[serde(default)]
    pub remarks: Vec<Remark>,
}

impl HandoverAccepted {
    fn key(&self) -> String {
        self.shift.key()
    }
}

/// The duty leader's countersignature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoverCountersigned {
    pub shift: crate::domain::shift::ShiftId,
    pub note: String,
}

impl HandoverCountersigned {
    fn key(&self) -> String {
        self.shift.key()
    }
}

/// Every kind this version understands. Kinds from newer versions are kept
/// in the log as raw JSON and simply not projected.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    StationCreated(StationCreated),
    StationRetired(StationRetired),
    OperatorAdded(OperatorAdded),
    OperatorChanged(OperatorChanged),
    OperatorPinSet(OperatorPinSet),
    OperatorLoggedIn(OperatorLoggedIn),
    SettingChanged(SettingChanged),
    VisitRegistered(VisitRegistered),
    VisitDenied(VisitDenied),
    VisitSignedOut(VisitSignedOut),
    VisitCorrected(VisitCorrected),
    WatchlistAdded(WatchlistAdded),
    WatchlistRemoved(WatchlistRemoved),
    StudentEnrolled(StudentEnrolled),
    StudentUpdated(StudentUpdated),
    StudentMoved(StudentMoved),
    StudentLeft(StudentLeft),
    BedAdded(BedAdded),
    RosterImported(RosterImported),
    RoundStarted(RoundStarted),
    RoundMarked(RoundMarked),
    RoundClosed(RoundClosed),
    AbsenceFollowup(AbsenceFollowup),
    SickRecorded(SickRecorded),
    SickFollowup(SickFollowup),
    LeaveGranted(LeaveGranted),
    LeaveReturned(LeaveReturned),
    GateDeparted(GateDeparted),
    GateReturned(GateReturned),
    StaffSet(StaffSet),
    ConflictResolved(ConflictResolved),
    HazardReported(HazardReported),
    HazardAssigned(HazardAssigned),
    HazardRectified(HazardRectified),
    HazardVerified(HazardVerified),
    HazardClosed(HazardClosed),
    HazardReopened(HazardReopened),
    CheckpointSet(CheckpointSet),
    RouteSet(RouteSet),
    RouteAssigned(RouteAssigned),
    PatrolStarted(PatrolStarted),
    PatrolChecked(PatrolChecked),
    PatrolClosed(PatrolClosed),
    VisitsPurged(VisitsPurged),
    ShiftLogEntered(LogEntered),
    ShiftLogCorrected(LogCorrected),
    ShiftLogClosed(LogClosed),
    DutyPlanned(DutyPlanned),
    DutyShiftsSet(DutyShiftsSet),
    HandoverSigned(HandoverSigned),
    HandoverAccepted(HandoverAccepted),
    HandoverCountersigned(HandoverCountersigned),
    BackupMade(BackupMade),
    OperatorPinFailed(OperatorPinFailed),
    OperatorLockedOut(OperatorLockedOut),
    OperatorPinPassed(OperatorPinPassed),
    OperatorUnlocked(OperatorUnlocked),
}

macro_rules! kinds {
    ($($variant:ident => $kind:literal, $($field:ident)? $([$method:ident])?, $prefix:literal;)*) => {
        impl Event {
            pub fn kind(&self) -> &'static str {
                match self { $(Event::$variant(_) => $kind,)* }
            }
            /// The record this event is about, e.g. "visit:0193…".
            pub fn entity(&self) -> String {
                match self { $(Event::$variant(b) => format!("{}:{}", $prefix, $(b.$field)? $(b.$method())?),)* }
            }
            pub fn body_json(&self) -> String {
                match self { $(Event::$variant(b) => serde_json::to_string(b).expect("event bodies serialize"),)* }
            }
            /// `None` for a kind this version does not know.
            pub fn parse(kind: &str, body: &str) -> Option<Result<Event, serde_json::Error>> {
                match kind {
                    $($kind => Some(serde_json::from_str(body).map(Event::$variant)),)*
                    _ => None,
                }
            }
            pub const KINDS: &'static [&'static str] = &[$($kind),*];
        }
    };
}

kinds! {
    StationCreated => "station.created", station_id, "station";
    StationRetired => "station.retired", station_id, "station";
    OperatorAdded => "operator.added", operator_id, "operator";
    OperatorChanged => "operator.changed", operator_id, "operator";
    OperatorPinSet => "operator.pin_set", operator_id, "operator";
    OperatorLoggedIn => "operator.logged_in", operator_id, "operator";
    SettingChanged => "setting.changed", key, "setting";
    VisitRegistered => "visit.registered", visit_id, "visit";
    VisitDenied => "visit.denied", visit_id, "visit";
    VisitSignedOut => "visit.signed_out", visit_id, "visit";
    VisitCorrected => "visit.corrected", visit_id, "visit";
    WatchlistAdded => "watchlist.added", entry_id, "watch";
    WatchlistRemoved => "watchlist.removed", entry_id, "watch";
    StudentEnrolled => "student.enrolled", student_id, "student";
    StudentUpdated => "student.updated", student_id, "student";
    StudentMoved => "student.moved", student_id, "student";
    StudentLeft => "student.left", student_id, "student";
    BedAdded => "bed.added", [key], "bed";
    RosterImported => "roster.imported", import_id, "import";
    RoundStarted => "round.started", round_id, "round";
    RoundMarked => "round.marked", round_id, "round";
    RoundClosed => "round.closed", round_id, "round";
    AbsenceFollowup => "absence.followup", student_id, "student";
    SickRecorded => "sick.recorded", sick_id, "sick";
    SickFollowup => "sick.followup", sick_id, "sick";
    LeaveGranted => "leave.granted", leave_id, "leave";
    LeaveReturned => "leave.returned", leave_id, "leave";
    GateDeparted => "gate.departed", departure_id, "departure";
    GateReturned => "gate.returned", departure_id, "departure";
    StaffSet => "staff.set", staff_id, "staff";
    ConflictResolved => "conflict.resolved", key, "conflict";
    HazardReported => "hazard.reported", hazard_id, "hazard";
    HazardAssigned => "hazard.assigned", hazard_id, "hazard";
    HazardRectified => "hazard.rectified", hazard_id, "hazard";
    HazardVerified => "hazard.verified", hazard_id, "hazard";
    HazardClosed => "hazard.closed", hazard_id, "hazard";
    HazardReopened => "hazard.reopened", hazard_id, "hazard";
    CheckpointSet => "checkpoint.set", checkpoint_id, "checkpoint";
    RouteSet => "route.set", route_id, "route";
    RouteAssigned => "route.assigned", route_id, "route";
    PatrolStarted => "patrol.started", round_id, "patrol";
    PatrolChecked => "patrol.checked", round_id, "patrol";
    PatrolClosed => "patrol.closed", round_id, "patrol";
    VisitsPurged => "visits.purged", purge_id, "purge";
    ShiftLogEntered => "shiftlog.entered", entry_id, "shiftlog";
    ShiftLogCorrected => "shiftlog.corrected", entry_id, "shiftlog";
    ShiftLogClosed => "shiftlog.closed", entry_id, "shiftlog";
    DutyPlanned => "duty.planned", [key], "duty";
    DutyShiftsSet => "duty.shifts_set", station_id, "dutyshifts";
    HandoverSigned => "handover.signed", [key], "handover";
    HandoverAccepted => "handover.accepted", [key], "handover";
    HandoverCountersigned => "handover.countersigned", [key], "handover";
    BackupMade => "backup.made", backup_id, "backup";
    OperatorPinFailed => "operator.pin_failed", operator_id, "operator";
    OperatorLockedOut => "operator.locked_out", operator_id, "operator";
    OperatorPinPassed => "operator.pin_passed", operator_id, "operator";
    OperatorUnlocked => "operator.unlocked", operator_id, "operator";
}

impl Event {
    /// The body schema version this build writes for the event's kind.
    pub fn schema(&self) -> i64 {
        match self {
            Event::StudentLeft(_) | Event::RoundMarked(_) => FACT_SCHEMA_VERSION,
            Event::VisitRegistered(_) | Event::VisitDenied(_) | Event::VisitCorrected(_) => {
                PERSONAL_SCHEMA_VERSION
            }
            _ => SCHEMA_VERSION,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_round_trip_and_unknown_kinds_are_none() {
        let e = Event::SettingChanged(SettingChanged {
            key: "lock_minutes".into(),
            value: 5,
        });
        let back = Event::parse(e.kind(), &e.body_json()).unwrap().unwrap();
        assert_eq!(back, e);
        assert_eq!(e.entity(), "setting:lock_minutes");
        assert!(Event::parse("patrol.future_kind", "{}").is_none());
        assert!(
            Event::parse("visit.signed_out", "{\"bad\":1}")
                .unwrap()
                .is_err()
        );
    }
}
