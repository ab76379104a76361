//! Roles and what each may do. Checked by every domain command, so a hidden
//! button is never the only guard.

use super::error::DomainError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Guard,
    DormTeacher,
    DutyLeader,
    Admin,
    /// The station itself, for facts no signed-in person caused (a wrong
    /// PIN typed for someone). Never an operator's role, so not in `ALL`
    /// (no form offers it), and it may do nothing.
    Station,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Guard,
        Role::DormTeacher,
        Role::DutyLeader,
        Role::Admin,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Role::Guard => "guard",
            Role::DormTeacher => "dorm_teacher",
            Role::DutyLeader => "duty_leader",
            Role::Admin => "admin",
            Role::Station => "station",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    RegisterVisit,
    SignOutVisit,
    CorrectVisit,
    ManageWatchlist,
    ManageOperators,
    ChangeSettings,
    ViewFullIds,
    ExportReports,
    /// Start rounds, mark boarders, record follow-ups, sick and leave.
    RunRollCall,
    ForceCloseRound,
    /// Let a boarder leave with someone not on the pick-up list.
    ApproveGateException,
    /// Edit the roster (import, moves, leavers).
    ManageRoster,
    /// Decide contradictions between stations.
    ResolveConflicts,
    /// Export, import and join: the school's key is involved.
    Sync,
    /// Report a hazard and record its fix: anyone on duty.
    ReportHazard,
    /// Assign, close (销号) and reopen hazards.
    ManageHazards,
    /// Verify a fix (复查) — never one's own.
    VerifyHazards,
    /// Walk patrol rounds: start, check in, close.
    Patrol,
    /// Keep checkpoints and routes.
    ManagePatrol,
    /// Name the person responsible for a special-period night.
    AssignPatrol,
    /// Erase visitors' personal data past the retention period.
    PurgePersonalData,
    /// Write shift-log entries and close their follow-ups: anyone on duty.
    KeepShiftLog,
    /// Correct someone else's shift-log entry (one's own needs no right).
    CorrectShiftLog,
    /// Keep the duty roster (值班表) and the station's shift times.
    ManageDuty,
    /// Sign a shift over and accept it: whoever is on duty.
    SignHandover,
    /// Countersign a handover (带班领导).
    Countersign,
    /// Copy the whole database (school key included) to a file that may
    /// leave the PC.
    Backup,
}

pub fn allows(role: Role, p: Permission) -> bool {
    use Permission::*;
    if role == Role::Station {
        return false;
    }
    match p {
        RegisterVisit | SignOutVisit | CorrectVisit | ReportHazard | Patrol | KeepShiftLog
        | SignHandover => true,
        ExportReports => matches!(role, Role::Admin | Role::DutyLeader),
        ManageWatchlist | ManageOperators | ChangeSettings | ViewFullIds | ManageRoster
        | ManagePatrol => role == Role::Admin,
        RunRollCall => role != Role::Guard,
        ForceCloseRound | ApproveGateException | ResolveConflicts | ManageHazards
        | VerifyHazards | AssignPatrol | CorrectShiftLog | Countersign => {
            matches!(role, Role::DutyLeader | Role::Admin)
        }
        Sync | PurgePersonalData | ManageDuty | Backup => role == Role::Admin,
    }
}

pub fn require(role: Role, p: Permission) -> Result<(), DomainError> {
    if allows(role, p) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(p))
    }
}

/// Who is acting: every command carries one, every event records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: String,
    pub name: String,
    pub role: Role,
}

impl Actor {
    /// The station itself, for events no person caused (setup, migrations).
    pub fn system() -> Actor {
        Actor {
            id: "system".into(),
            name: "system".into(),
            role: Role::Admin,
        }
    }

    /// The station named as the actor (its id, the origin of its chain):
    /// for what happened at the desk with nobody signed in, so no event
    /// names an operator who did not act.
    pub fn station(id: &str, name: &str) -> Actor {
        Actor {
            id: id.to_string(),
            name: name.to_string(),
            role: Role::Station,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admin_manages_watchlist_and_operators() {
        for r in Role::ALL {
            assert_eq!(allows(r, Permission::ManageWatchlist), r == Role::Admin);
            assert_eq!(allows(r, Permission::ManageOperators), r == Role::Admin);
            assert_eq!(allows(r, Permission::ViewFullIds), r == Role::Admin);
        }
        assert_eq!(
            require(Role::Guard, Permission::ManageWatchlist),
            Err(DomainError::Forbidden(Permission::ManageWatchlist))
        );
    }

    #[test]
    fn everyone_registers_visits() {
        for r in Role::ALL {
            assert!(allows(r, Permission::RegisterVisit));
            assert!(allows(r, Permission::SignOutVisit));
        }
    }

    #[test]
    fn the_station_may_do_nothing() {
        for p in [
            Permission::RegisterVisit,
            Permission::Sync,
            Permission::ExportReports,
        ] {
            assert!(!allows(Role::Station, p));
        }
        assert!(!Role::ALL.contains(&Role::Station));
    }

    #[test]
    fn role_keys_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.key()), Some(r));
        }
        assert_eq!(Role::parse("janitor"), None);
    }
}
