//! Ledgers in the layout of the paper forms, as .xlsx or .csv.

pub mod absences;
pub mod cards;
pub(crate) mod common;
pub mod daily;
pub mod duty;
pub mod followups;
pub mod gate;
pub mod handover;
pub mod hazards;
pub mod leave;
pub mod ledger;
pub mod patrol;
pub mod request;
pub mod rollcall;
pub mod roster;
pub mod shiftlog;
pub mod sick;
pub mod visitors;
