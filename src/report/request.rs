//! Every ledger the station exports, named and requested one way, so the
//! command line and the TUI offer the same list and write through one call.

use std::path::{Path, PathBuf};

use crate::domain::role::{Actor, Permission, Role, allows};
use crate::report::ledger::Watch;
use crate::report::rollcall::RollcallRequest;
use crate::report::sick::RangeRequest;
use crate::report::visitors::ExportRequest;
use crate::store::{Store, StoreError};

/// The ledgers, in the order the export form lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerKind {
    Visitors,
    Gate,
    Rollcall,
    Absences,
    Followups,
    Sick,
    Leave,
    Patrol,
    Roster,
    Hazards,
    ShiftLog,
    Daily,
    Handover,
    Duty,
}

/// What a ledger covers, which decides the fields the form asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// First and last day.
    Days,
    /// One month (the roll-call book), optionally one building.
    Month,
    /// Everyone now (the roster).
    Now,
}

impl LedgerKind {
    pub const ALL: [LedgerKind; 14] = [
        LedgerKind::Visitors,
        LedgerKind::Gate,
        LedgerKind::Rollcall,
        LedgerKind::Absences,
        LedgerKind::Followups,
        LedgerKind::Sick,
        LedgerKind::Leave,
        LedgerKind::Patrol,
        LedgerKind::Hazards,
        LedgerKind::ShiftLog,
        LedgerKind::Daily,
        LedgerKind::Duty,
        LedgerKind::Handover,
        LedgerKind::Roster,
    ];

    /// Stable name: the CLI subcommand, the file-name stem and the catalog
    /// key `ledger.kind.<key>`.
    pub fn key(self) -> &'static str {
        match self {
            LedgerKind::Visitors => "visitors",
            LedgerKind::Gate => "gate",
            LedgerKind::Rollcall => "rollcall",
            LedgerKind::Absences => "absences",
            LedgerKind::Followups => "followups",
            LedgerKind::Sick => "sick",
            LedgerKind::Leave => "leave",
            LedgerKind::Patrol => "patrol",
            LedgerKind::Roster => "roster",
            LedgerKind::Hazards => "hazards",
            LedgerKind::ShiftLog => "shiftlog",
            LedgerKind::Daily => "daily",
            LedgerKind::Handover => "handover",
            LedgerKind::Duty => "duty",
        }
    }

    pub fn span(self) -> Span {
        match self {
            LedgerKind::Rollcall => Span::Month,
            LedgerKind::Roster => Span::Now,
            _ => Span::Days,
        }
    }

    /// The file name an export offers before anyone types one:
    /// `<key>-<yyyymmdd>.xlsx`, dated the day it is made.
    pub fn default_file_name(self, day: chrono::NaiveDate) -> String {
        format!("{}-{}.xlsx", self.key(), day.format("%Y%m%d"))
    }

    /// Every ledger holds boarders' or visitors' personal data: admins and
    /// duty leaders export them, guards and dorm teachers do not.
    pub fn allowed(self, role: Role) -> bool {
        allows(role, Permission::ExportReports)
    }
}

/// One export, with everything its ledger needs.
pub enum LedgerRequest {
    Visitors(ExportRequest),
    Gate(RangeRequest),
    Rollcall(RollcallRequest),
    Absences(RangeRequest),
    Followups(RangeRequest),
    Sick(RangeRequest),
    Leave(RangeRequest),
    Patrol(RangeRequest),
    Roster(PathBuf),
    Hazards(RangeRequest),
    ShiftLog(RangeRequest),
    Daily(RangeRequest),
    Handover(RangeRequest),
    Duty(RangeRequest),
}

impl LedgerRequest {
    pub fn kind(&self) -> LedgerKind {
        match self {
            LedgerRequest::Visitors(_) => LedgerKind::Visitors,
            LedgerRequest::Gate(_) => LedgerKind::Gate,
            LedgerRequest::Rollcall(_) => LedgerKind::Rollcall,
            LedgerRequest::Absences(_) => LedgerKind::Absences,
            LedgerRequest::Followups(_) => LedgerKind::Followups,
            LedgerRequest::Sick(_) => LedgerKind::Sick,
            LedgerRequest::Leave(_) => LedgerKind::Leave,
            LedgerRequest::Patrol(_) => LedgerKind::Patrol,
            LedgerRequest::Roster(_) => LedgerKind::Roster,
            LedgerRequest::Hazards(_) => LedgerKind::Hazards,
            LedgerRequest::ShiftLog(_) => LedgerKind::ShiftLog,
            LedgerRequest::Daily(_) => LedgerKind::Daily,
            LedgerRequest::Handover(_) => LedgerKind::Handover,
            LedgerRequest::Duty(_) => LedgerKind::Duty,
        }
    }

    /// The file the ledger goes to.
    pub fn path(&self) -> &Path {
        match self {
            LedgerRequest::Visitors(r) => &r.path,
            LedgerRequest::Rollcall(r) => &r.path,
            LedgerRequest::Gate(r)
            | LedgerRequest::Absences(r)
            | LedgerRequest::Followups(r)
            | LedgerRequest::Sick(r)
            | LedgerRequest::Leave(r)
            | LedgerRequest::Hazards(r)
            | LedgerRequest::ShiftLog(r)
            | LedgerRequest::Daily(r) => &r.path,
            LedgerRequest::Handover(r) | LedgerRequest::Duty(r) => &r.path,
            LedgerRequest::Patrol(r) => &r.path,
            LedgerRequest::Roster(p) => p,
        }
    }
}

/// Writes the requested ledger; returns how many records (visits,
/// boarders, entries) it holds. `watch` hears the progress and may cancel:
/// a cancelled export writes nothing.
pub fn export(
    store: &Store,
    actor: &Actor,
    req: &LedgerRequest,
    watch: &dyn Watch,
) -> Result<usize, StoreError> {
    use crate::report::*;
    match req {
        LedgerRequest::Visitors(r) => visitors::export_visitors(store, actor, r, watch),
        LedgerRequest::Gate(r) => gate::export_gate(store, actor, r, watch),
        LedgerRequest::Rollcall(r) => rollcall::export_rollcall(store, actor, r, watch),
        LedgerRequest::Absences(r) => absences::export_absences(store, actor, r, watch),
        LedgerRequest::Followups(r) => followups::export_followups(store, actor, r, watch),
        LedgerRequest::Sick(r) => sick::export_sick(store, actor, r, watch),
        LedgerRequest::Leave(r) => leave::export_leave(store, actor, r, watch),
        LedgerRequest::Patrol(r) => patrol::export_patrol(store, actor, r, watch),
        LedgerRequest::Roster(p) => roster::export_roster(store, actor, p, watch),
        LedgerRequest::Hazards(r) => hazards::export_hazards(store, actor, r, watch),
        LedgerRequest::ShiftLog(r) => shiftlog::export_shiftlog(store, actor, r, watch),
        LedgerRequest::Daily(r) => daily::export_daily(store, actor, r, watch),
        LedgerRequest::Handover(r) => handover::export_handover(store, actor, r, watch),
        LedgerRequest::Duty(r) => duty::export_duty(store, actor, r, watch),
    }
}
