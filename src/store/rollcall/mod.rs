//! Roll-call rounds, marks, follow-ups, the sick log, leave and the gate:
//! commands and the queries the roll-call pane pages through.

mod followups;
mod gate;
mod leave;
mod marks;
mod rounds;
mod rows;
mod sick;
mod students;

pub use rows::{
    BedCell, FollowupRow, LeaveRow, MarkChange, OpenAbsence, RoundRow, SheetRow, SickRow,
};
pub use students::{STUDENT_COLS, bed_label, read_student};
