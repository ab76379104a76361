//! The one message type keys turn into. The keymap table, the help overlay,
//! the hint bar and the tests all speak it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    ForceQuit,
    Help,
    Lock,
    Station,
    New,
    Open,
    Back,
    Save,
    Search,
    SignOut,
    Correct,
    NextView,
    PrevView,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Export,
    Remove,
    ResetPin,
    /// Lift an operator's lockout after wrong PINs (F9, admins).
    Unlock,
    /// Erase visitors' personal data past the retention period (F9).
    Purge,
    ToggleActive,
    ChangeRole,
    NextBuilding,
    PrevFloor,
    NextFloor,
    NewRound,
    MarkPresent,
    MarkAbsent,
    MarkLeave,
    MarkSick,
    MarkLate,
    RoomPresent,
    FloorPresent,
    CloseRound,
    History,
    GateOut,
    Import,
    SyncNow,
    Invite,
    Conflicts,
    Choose,
    /// Yes / go ahead, in a question or a one-line dialog.
    Confirm,
    /// Flip a two-way choice (admit/deny, lights-out/bed check).
    Toggle,
    NextField,
    PrevField,
    /// Import anyway, leaving out the rows in error.
    SkipErrors,
    /// The steps of a hazard's loop after its report.
    Rectify,
    Verify,
    CloseHazard,
    Reopen,
    /// Record a finding at a checkpoint (failed checklist items, a note).
    Finding,
    /// Report the selected finding as a hazard (the hazards pane's form).
    FindingToHazard,
    /// Check in a checkpoint walked earlier with a paper card, with its time.
    EnterLater,
    /// Name the person responsible for a route tonight.
    Assign,
    /// Switch to the pane in this place of the tab list.
    /// Sign the shift over (交班签字).
    SignHandover,
    /// Step through a handover and accept it (接班).
    AcceptHandover,
    /// Countersign a handover (带班领导签核).
    Countersign,
    /// Write the handover's free note.
    EditNote,
    Pane1,
    Pane2,
    Pane3,
    Pane4,
    Pane5,
    /// Close a shift-log follow-up with its outcome.
    CloseEntry,
    /// Show only shift-log entries still open (toggle).
    OpenOnly,
    /// Write the selected patrol finding into the shift log (its form).
    FindingToLog,
    /// The roster's week before and after.
    PrevWeek,
    NextWeek,
    /// Every station's roster, or this station's (duty leaders, admins).
    AllStations,
}

impl Action {
    /// The pane a `PaneN` action switches to (0-based).
    pub fn pane_index(self) -> Option<usize> {
        match self {
            Action::Pane1 => Some(0),
            Action::Pane2 => Some(1),
            Action::Pane3 => Some(2),
            Action::Pane4 => Some(3),
            Action::Pane5 => Some(4),
            _ => None,
        }
    }
}
